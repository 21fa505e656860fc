//! DataWriter::write on each emulated medium: the data lands where IMAPI puts it and reads
//! back, sequential media get a session, progress events arrive in order.

use std::io::Cursor;

use discwriter::{DataWriter, Recorder, VerificationLevel, WriteAction, WriteOptions};
use mmc_core::cdb::{CdbRepr, ReadTrackInformation, TrackAddressType};
use mmc_core::{DataPhase, Transport};
use testkit::{drive_with, image, read_back};
use virtdrive::fault::Faulty;
use virtdrive::medium::MediumKind;

fn writer<T: Transport + Send>(d: T, verification: VerificationLevel) -> DataWriter<T> {
    let w = DataWriter::new();
    w.set_recorder(Recorder::open(d).unwrap()).unwrap();
    w.set_client_name("discwriter test").unwrap();
    w.set_options(WriteOptions {
        verification,
        ..WriteOptions::default()
    })
    .unwrap();
    w
}

fn write<T: Transport + Send>(
    w: &DataWriter<T>,
    data: &[u8],
) -> (discwriter::WriteOutcome, Vec<WriteAction>) {
    let mut actions = Vec::new();
    let outcome = w
        .write(
            &mut Cursor::new(data.to_vec()),
            data.len() as u64,
            None,
            &mut |e: &discwriter::ProgressEvent, _: &discwriter::CancelHandle| {
                if actions.last() != Some(&e.action) {
                    actions.push(e.action)
                }
            },
        )
        .unwrap();
    (outcome, actions)
}

#[test]
fn a_bd_re_is_formatted_written_from_lba_0_and_verified() {
    let w = writer(drive_with(MediumKind::BdRe), VerificationLevel::Full);
    let data = image(1000, 0xA5);
    let (outcome, actions) = write(&w, &data);
    assert_eq!(outcome.code.hresult(), 0);
    assert_eq!(outcome.start_lba, 0);
    assert_eq!(
        actions,
        [
            WriteAction::ValidatingMedia,
            WriteAction::InitializingHardware,
            WriteAction::FormattingMedia,
            WriteAction::WritingData,
            WriteAction::Finalization,
            WriteAction::Verifying,
            WriteAction::Completed
        ]
    );
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(read_back(&mut d, 0, 1000), data);
}

#[test]
fn a_dvd_plus_rw_is_written_during_its_background_format() {
    let w = writer(drive_with(MediumKind::DvdPlusRw), VerificationLevel::Quick);
    let data = image(300, 0xA5);
    let (outcome, actions) = write(&w, &data);
    assert_eq!(outcome.start_lba, 0);
    assert!(actions.contains(&WriteAction::FormattingMedia));
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(read_back(&mut d, 0, 300), data);
}

#[test]
fn two_writes_to_a_cd_r_make_two_sessions() {
    let w = writer(drive_with(MediumKind::CdR80), VerificationLevel::Full);
    let first = image(400, 0xA5);
    let (o1, actions) = write(&w, &first);
    assert_eq!(o1.start_lba, 0);
    assert!(actions.contains(&WriteAction::CalibratingPower));
    let second = image(500, 0xA5);
    let (o2, _) = write(&w, &second);
    // Session 1: 400 sectors + 150 post-gap + 2 run-out; its lead-out starts at 552, and the
    // next session's first track starts 11,400 sectors later (libburn's cookbook).
    assert_eq!(o2.start_lba, 552 + 11_400);
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(read_back(&mut d, 0, 400), first);
    assert_eq!(read_back(&mut d, 11_952, 500), second);
    // the invisible track of session 3
    let cdb = ReadTrackInformation {
        open: false,
        address_type: TrackAddressType::TrackNumber,
        address: 0xFF,
        allocation_length: 48,
    }
    .encode();
    let mut buf = [0u8; 48];
    d.execute(
        &cdb,
        DataPhase::In(&mut buf),
        std::time::Duration::from_secs(1),
    )
    .unwrap();
    assert_eq!(buf[3], 3, "session number 3");
}

#[test]
fn eject_opens_the_tray_and_load_closes_it() {
    use mmc_core::sense::triples;
    let mut rec = Recorder::open(drive_with(MediumKind::CdR80)).unwrap();
    rec.eject().unwrap();
    let err = rec.disc_summary().unwrap_err();
    assert_eq!(
        err.hresult(),
        0xC0AA0202,
        "no media with the tray open: {err}"
    );
    assert_eq!(
        err.cause().and_then(|c| c.sense),
        Some(triples::MEDIUM_NOT_PRESENT_TRAY_OPEN)
    );
    rec.load().unwrap();
    // the disc spins up, then reports the change once; the summary rides both out
    let s = rec.disc_summary().unwrap();
    assert_eq!(s.profile, "CD-R");
}

#[test]
fn a_write_error_on_cd_r_leaves_the_track_open_and_what_was_written_readable() {
    let d = Faulty::for_drive(
        drive_with(MediumKind::CdR80),
        virtdrive::fault::FaultPlan::from_json_str(
            r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": 5 },
                 "action": { "sense": { "key": 3, "asc": "0x0C", "ascq": 0 } }, "times": "once" } ] }"#,
        )
        .unwrap(),
    );
    let w = writer(d, VerificationLevel::None);
    let data = image(400, 0xA5);
    let err = w
        .write(
            &mut Cursor::new(data.clone()),
            data.len() as u64,
            None,
            &mut |_, _| {},
        )
        .unwrap_err();
    assert_eq!(err.hresult(), 0xC0AA0301, "{err}");
    let last = w
        .last_written_lba()
        .unwrap()
        .expect("four WRITEs of 32 sectors went through");
    assert_eq!(last, 4 * 32 - 1);
    // The session is not closed over the truncated track, so it does not look complete:
    // no closed session, the disc still appendable. (SYNCHRONIZE CACHE in TAO ends the
    // track at the drive, MMC-6 6.41: the next write starts a track of its own.)
    let mut rec = w.take_recorder().unwrap().unwrap();
    let s = rec.disc_summary().unwrap();
    assert_eq!(
        s.sessions, 0,
        "no session was closed over the truncated track"
    );
    assert_eq!(s.status, discwriter::DiscState::Appendable);
    let nwa = s.next_writable_address.expect("an address to go on at");
    assert!(nwa > 128, "{nwa}");
    let mut d = rec.into_transport();
    assert_eq!(read_back(&mut d, 0, 128), data[..128 * 2048]);
    // The next write goes on at that address and closes its track and the session.
    let w = writer(d, VerificationLevel::Full);
    let more = image(100, 0xA5);
    let o = w
        .write(
            &mut Cursor::new(more.clone()),
            more.len() as u64,
            None,
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(o.start_lba, i64::from(nwa));
    let mut rec = w.take_recorder().unwrap().unwrap();
    assert_eq!(rec.disc_summary().unwrap().sessions, 1);
    let mut d = rec.into_transport();
    assert_eq!(read_back(&mut d, 0, 128), data[..128 * 2048]);
}
