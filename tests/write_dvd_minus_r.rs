//! The write engine end to end on the emulated DVD-R (profile 0011h) and DVD-R DL (0015h),
//! everything read back through the drive (READ DISC INFORMATION, READ TRACK INFORMATION,
//! the sectors).
//!
//! DVD-R is written incrementally (page 05h write type 00h, the drive's feature 0021h
//! current): a session per write, closed with CLOSE TRACK and CLOSE SESSION, page 05h's
//! multi-session field deciding whether the disc stays appendable (11b) or is finalized (00b:
//! ForceMediaToBeClosed and IMAPI's 2 % rule; MMC-5 6.3.3.2.3). The next session starts after
//! the border the drive records: 16,384 sectors after the first session's last ECC block,
//! 3,072 after a later one's (the emulator's DVD-R notes).
//!
//! DVD-R DL is written Disc-at-Once (page 05h write type 02h): RESERVE TRACK of the image's
//! size, the image, SYNCHRONIZE CACHE, and the drive closes the disc itself (MMC-5 6.31); one
//! session, so a second write is refused before anything is sent.
//!
//! The emulator has no drive on which feature 0021h is not current for a DVD-R (its DVD-R
//! always records incrementally; `DriveConfig` has no such setting), so the Disc-at-Once
//! DVD-R of such a drive is left to `write_dvd_dash_r_and_dl.rs`.

mod common;

use std::io::{Cursor, Read};

use common::*;
use discwriter::writer::{media_state as ms, MediaPhysicalType, MultisessionMedium};
use discwriter::{
    ApiMisuse, CancelHandle, DataWriter, Error, ProgressEvent, VerificationLevel, WriteAction,
    WriteOptions,
};
use mmc_core::response::disc_info::DiscStatus;
use mmc_core::response::{DiscInformation, ResponseFormat, TrackInformation};
use mmc_core::trace::{TraceRecord, Tracing};
use mmc_core::Transport;
use virtdrive::medium::sequential::DVD_R_DL_SECTORS;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

const DVD_R: MediumKind = MediumKind::DvdR;
const DVD_R_DL: MediumKind = MediumKind::DvdRDl;
/// Sectors of a blank DVD-R, as READ TRACK INFORMATION reports them.
const DVD_R_CAPACITY: u64 = 2_298_496;
const ECC_BLOCK: u64 = 16;
/// A border after the first session (border-out and the next border-in), and after a later
/// one.
const FIRST_BORDER: u64 = 16_384;
const LATER_BORDER: u64 = 3_072;
// Opcodes.
const RESERVE_TRACK: u8 = 0x53;
const MODE_SELECT_10: u8 = 0x55;
const CLOSE_TRACK_SESSION: u8 = 0x5B;

/// What READ DISC INFORMATION says: disc status, sessions (the empty session an appendable
/// disc ends with counted, MMC-6 6.22.3.1), and the next writable address of the invisible
/// track (READ TRACK INFORMATION of track 0xFF) when the disc is not complete.
#[derive(Debug, PartialEq, Eq)]
struct Disc {
    status: DiscStatus,
    sessions: u16,
    next_writable: Option<u32>,
}

fn disc<T: Transport>(d: &mut T) -> Disc {
    let info = DiscInformation::parse(&testkit::command_in(d, &testkit::READ_DISC_INFORMATION, 34))
        .unwrap();
    // A complete disc has no invisible track, so no next writable address.
    let next_writable = match info.disc_status {
        DiscStatus::Complete => None,
        _ => track(d, 0xFF).next_writable_address,
    };
    Disc {
        status: info.disc_status,
        sessions: info.sessions,
        next_writable,
    }
}

fn track<T: Transport>(d: &mut T, n: u8) -> TrackInformation {
    TrackInformation::parse(&testkit::command_in(
        d,
        &testkit::read_track_information(n),
        48,
    ))
    .unwrap()
}

/// An appendable disc of `closed` closed sessions, its empty one next.
fn appendable(closed: u16, next: u64) -> Disc {
    Disc {
        status: DiscStatus::Incomplete,
        sessions: closed + 1,
        next_writable: Some(next as u32),
    }
}

fn complete(sessions: u16) -> Disc {
    Disc {
        status: DiscStatus::Complete,
        sessions,
        next_writable: None,
    }
}

fn pad(sectors: u64) -> u64 {
    sectors.div_ceil(ECC_BLOCK) * ECC_BLOCK
}

fn no_verify() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::None,
        ..WriteOptions::default()
    }
}

/// Page 05h of every MODE SELECT (10): (write type, multi-session), MMC-6 7.5.4.
fn write_types(records: &[TraceRecord]) -> Vec<(u8, u8)> {
    pages_05h(records)
        .iter()
        .map(|p| (p[2] & 0x0F, p[3] >> 6))
        .collect()
}

#[test]
fn a_dvd_r_takes_a_session_per_write_and_stays_appendable() {
    let first = image(1000, 1);
    let second = image(500, 2);
    let w: DataWriter<EmulatedDrive> = writer(drive(DVD_R), no_verify());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvddashr
    );
    assert_eq!(MediaPhysicalType::Dvddashr as u32, 9, "imapi2.h");
    assert!(w.is_current_media_supported().unwrap());
    assert_eq!(
        w.current_media_status().unwrap(),
        ms::BLANK | ms::APPENDABLE
    );
    assert!(w.media_physically_blank().unwrap());
    assert_eq!(w.total_sectors_on_media().unwrap() as u64, DVD_R_CAPACITY);
    assert_eq!(w.free_sectors_on_media().unwrap() as u64, DVD_R_CAPACITY);

    let (r, _) = write_collecting(&w, &first);
    let o = r.unwrap();
    assert_eq!((o.start_lba, o.sectors, o.disc_closed), (0, 1000, false));
    let second_start = pad(1000) + FIRST_BORDER;
    assert_eq!(w.current_media_status().unwrap(), ms::APPENDABLE);
    assert!(!w.media_physically_blank().unwrap());
    assert_eq!(w.next_writable_address().unwrap() as u64, second_start);
    assert_eq!(
        w.free_sectors_on_media().unwrap() as u64,
        DVD_R_CAPACITY - second_start
    );

    // IMultisessionSequential2 for the program that adds a session to the file system.
    let interfaces = w.multisession_interfaces().unwrap();
    assert_eq!(interfaces.len(), 1);
    assert!(interfaces[0].is_supported_on_current_media_state);
    let MultisessionMedium::Sequential(seq) = &interfaces[0].medium else {
        panic!("{interfaces:?}");
    };
    assert_eq!(
        (
            seq.is_first_data_session,
            seq.start_address_of_previous_session,
            seq.last_written_address_of_previous_session,
            seq.next_writable_address,
            seq.write_unit_size,
        ),
        (false, 0, pad(1000) as i64 - 1, second_start as i64, 16)
    );

    let (r, _) = write_collecting(&w, &second);
    let o = r.unwrap();
    assert_eq!(o.start_lba as u64, second_start);
    assert!(!o.disc_closed);
    assert_eq!(w.current_media_status().unwrap(), ms::APPENDABLE);
    assert_eq!(
        w.previous_session().unwrap(),
        (second_start as i64, (second_start + pad(500)) as i64 - 1)
    );

    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    let third_start = second_start + pad(500) + LATER_BORDER;
    assert_eq!(disc(&mut d), appendable(2, third_start));
    let (t1, t2) = (track(&mut d, 1), track(&mut d, 2));
    assert_eq!((t1.session_number, t1.track_start), (1, 0));
    // The track was closed in whole ECC blocks: the drive recorded the padding.
    assert_eq!(t1.last_recorded_address, Some(pad(1000) as u32 - 1));
    assert_eq!(
        (t2.session_number, u64::from(t2.track_start)),
        (2, second_start)
    );
    assert_same_sectors(&read_back(&mut d, 0, 1000), &first, 0, "session 1");
    assert_same_sectors(
        &read_back(&mut d, second_start as i64, 500),
        &second,
        second_start as i64,
        "session 2",
    );
}

#[test]
fn the_incremental_write_sends_page_05h_with_a_next_session_and_closes_track_and_session() {
    let (r, records, _) = traced_write(drive(DVD_R), &image(100, 1), no_verify());
    r.unwrap();
    assert_eq!(write_types(&records), [(0x00, 0b11)], "Incremental, 11b");
    assert!(!sent(&records, RESERVE_TRACK));
    assert_eq!(closes(&records), [(0b001, 1), (0b010, 0)]);
}

#[test]
fn force_media_to_be_closed_finalizes_a_dvd_r_and_a_further_write_is_refused() {
    let options = WriteOptions {
        force_media_to_be_closed: true,
        ..no_verify()
    };
    let (r, _, d) = traced_write(drive(DVD_R), &image(100, 1), no_verify());
    r.unwrap();
    let img = image(200, 2);
    let (r, records, mut d) = traced_write(d, &img, options);
    let o = r.unwrap();
    assert!(o.disc_closed);
    assert_eq!(write_types(&records), [(0x00, 0b00)], "no next session");
    assert_eq!(disc(&mut d), complete(2));
    let start = pad(100) + FIRST_BORDER;
    assert_same_sectors(
        &read_back(&mut d, start as i64, 200),
        &img,
        start as i64,
        "the closing session",
    );

    let w: DataWriter<EmulatedDrive> = writer(d, no_verify());
    assert_eq!(w.current_media_status().unwrap(), ms::FINALIZED);
    let (r, _) = write_collecting(&w, &image(16, 3));
    let e = r.unwrap_err();
    assert!(matches!(e, Error::InvalidMediaState { .. }), "{e:?}");
    assert_eq!(
        (e.hresult(), e.imapi_name()),
        (0xC0AA_0402, "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE")
    );
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(disc(&mut d), complete(2), "nothing was recorded");
}

/// A DVD-R whose first session, of `sectors` sectors, is closed.
fn dvd_r_with_session(sectors: u64) -> EmulatedDrive {
    let state = serde_json::json!({
        "medium": "dvd-r",
        "version": 1,
        "sessions": [{ "tracks": [{ "number": 1, "start": 0, "recorded": sectors }], "closed": true }],
        "finalized": false,
    });
    let m = medium::load(DVD_R, &state, Box::new(MemoryStore::new())).unwrap();
    EmulatedDrive::with_medium(DriveConfig::default(), m)
}

/// IMAPI closes a write-once disc when at most 2 % of it would remain after the write.
#[test]
fn a_dvd_r_write_leaving_at_most_2_percent_closes_the_disc() {
    let two_percent = DVD_R_CAPACITY / 50;
    let first = pad(DVD_R_CAPACITY - two_percent - FIRST_BORDER - 64 * ECC_BLOCK) - ECC_BLOCK;
    let nwa = first + FIRST_BORDER;
    let free = DVD_R_CAPACITY - nwa;
    let mut d = dvd_r_with_session(first);
    assert_eq!(disc(&mut d), appendable(1, nwa), "the disc as loaded");
    assert!(free > two_percent);

    // FINAL_SESSION is not set while a small write leaves more than 2 %.
    let w: DataWriter<EmulatedDrive> = writer(d, no_verify());
    assert_eq!(w.current_media_status().unwrap(), ms::APPENDABLE);
    drop(w);

    let sectors = free - two_percent;
    let img = image(sectors, 5);
    let (r, records, mut d) = traced_write(dvd_r_with_session(first), &img, no_verify());
    let o = r.unwrap();
    assert_eq!(o.start_lba as u64, nwa);
    assert!(o.disc_closed, "{free} - {sectors} left of {DVD_R_CAPACITY}");
    assert_eq!(write_types(&records), [(0x00, 0b00)]);
    assert_eq!(disc(&mut d), complete(2));
    assert_same_sectors(
        &read_back(&mut d, nwa as i64, sectors),
        &img,
        nwa as i64,
        "2 %",
    );

    // One sector less leaves more than 2 %: the disc stays appendable.
    let (r, _, mut d) = traced_write(
        dvd_r_with_session(first),
        &image(sectors - 1, 5),
        no_verify(),
    );
    assert!(!r.unwrap().disc_closed);
    assert_eq!(disc(&mut d).status, DiscStatus::Incomplete);
}

/// A pipe: hands out its data in pieces and never seeks.
struct Pipe(Cursor<Vec<u8>>);

fn pipe(data: &[u8]) -> Box<Pipe> {
    Box::new(Pipe(Cursor::new(data.to_vec())))
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(3000);
        self.0.read(&mut buf[..n])
    }
}

#[test]
fn a_stream_of_unknown_length_is_a_session_on_a_dvd_r() {
    let data = image(700, 6);
    let w: DataWriter<EmulatedDrive> = writer(
        drive(DVD_R),
        WriteOptions {
            verification: VerificationLevel::Full,
            ..WriteOptions::default()
        },
    );
    let o = w.write_stream(pipe(&data), None, &mut |_, _| {}).unwrap();
    assert_eq!((o.start_lba, o.sectors, o.disc_closed), (0, 700, false));
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(disc(&mut d), appendable(1, pad(700) + FIRST_BORDER));
    assert_same_sectors(&read_back(&mut d, 0, 700), &data, 0, "stream");
}

/// A stream of unknown length starts with page 05h keeping the disc open (11b): if it turns
/// out to leave at most 2 % of the disc, the page is sent again with no next session (00b)
/// before CLOSE SESSION, and the disc is finalized.
#[test]
fn a_stream_that_turns_out_to_leave_at_most_2_percent_closes_the_dvd_r() {
    let two_percent = DVD_R_CAPACITY / 50;
    let first = pad(DVD_R_CAPACITY - two_percent - FIRST_BORDER - 64 * ECC_BLOCK);
    let nwa = first + FIRST_BORDER;
    let sectors = DVD_R_CAPACITY - nwa - two_percent;
    let data = image(sectors, 11);
    let w = writer(Tracing::new(dvd_r_with_session(first)), no_verify());
    let o = w.write_stream(pipe(&data), None, &mut |_, _| {}).unwrap();
    assert_eq!((o.start_lba as u64, o.sectors), (nwa, sectors));
    assert!(o.disc_closed);
    let (mut d, records) = drive_and_transcript(&w);
    assert_eq!(write_types(&records), [(0x00, 0b11), (0x00, 0b00)]);
    assert_eq!(disc(&mut d), complete(2));
    assert_same_sectors(
        &read_back(&mut d, nwa as i64, sectors),
        &data,
        nwa as i64,
        "the stream",
    );
}

/// A stream of unknown length that goes on past the free space fills the disc and is
/// E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA; what was written is closed and reads
/// back, the disc full.
#[test]
fn a_stream_longer_than_the_free_space_fills_the_dvd_r_then_is_stream_too_large() {
    let first = DVD_R_CAPACITY - FIRST_BORDER - 1024;
    let nwa = first + FIRST_BORDER;
    let w = writer(dvd_r_with_session(first), no_verify());
    assert_eq!(w.free_sectors_on_media().unwrap(), 1024);
    let e = w
        .write_stream(Box::new(std::io::repeat(0)), None, &mut |_, _| {})
        .unwrap_err();
    assert!(
        matches!(e, Error::StreamTooLargeForCurrentMedia { free: 1024, .. }),
        "{e:?}"
    );
    assert_eq!(
        e.imapi_name(),
        "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA"
    );
    assert_eq!(
        w.last_written_lba().unwrap(),
        Some(DVD_R_CAPACITY as i64 - 1)
    );
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_eq!(disc(&mut d), complete(2), "nothing is left to append to");
    assert!(read_back(&mut d, nwa as i64, 1024).iter().all(|&b| b == 0));
}

/// Writes `img`, cancelling once the writer reports LBA `at` written.
fn write_cancelled_at<T: Transport + Send>(
    w: &DataWriter<T>,
    img: &[u8],
    at: i64,
) -> Result<discwriter::WriteOutcome, Error> {
    w.write(
        &mut Cursor::new(img.to_vec()),
        img.len() as u64,
        None,
        &mut |e: &ProgressEvent, cancel: &CancelHandle| {
            if e.action == WriteAction::WritingData && e.last_written_lba >= at {
                cancel.cancel();
            }
        },
    )
}

/// Cancel in the middle of an incremental write: IMAPI stops sending data and closes what
/// was written, as on the other write-once media; MMC lets the host close the partly written
/// track and the session (CLOSE TRACK, CLOSE SESSION with multi-session 11b), so the disc
/// stays appendable with what was written, and the next write is a new session after the
/// border.
#[test]
fn cancel_mid_write_leaves_a_dvd_r_appendable_with_what_was_written() {
    let img = image(30_000, 7);
    let w: DataWriter<EmulatedDrive> = writer(drive(DVD_R), WriteOptions::default());
    let r = write_cancelled_at(&w, &img, 15_000);
    let Err(
        e @ Error::RequestCancelled {
            last_written_lba: Some(last),
        },
    ) = r
    else {
        panic!("{r:?}");
    };
    assert_eq!(e.imapi_name(), "E_IMAPI_REQUEST_CANCELLED");
    assert!((15_000..29_999).contains(&last), "stopped at {last}");
    let written = last as u64 + 1;
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    let next = pad(written) + FIRST_BORDER;
    assert_eq!(disc(&mut d), appendable(1, next));
    assert_same_sectors(
        &read_back(&mut d, 0, written),
        &img[..written as usize * 2048],
        0,
        "before the cancel",
    );
    let again = image(32, 8);
    let (r, _, mut d) = traced_write(d, &again, no_verify());
    assert_eq!(r.unwrap().start_lba as u64, next);
    assert_same_sectors(
        &read_back(&mut d, next as i64, 32),
        &again,
        next as i64,
        "next",
    );
}

#[test]
fn a_dvd_r_dl_is_written_disc_at_once_and_closed() {
    let img = image(1000, 9);
    let w = writer(traced(DVD_R_DL), no_verify());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::DvddashrDualLayer
    );
    assert_eq!(MediaPhysicalType::DvddashrDualLayer as u32, 11, "imapi2.h");
    assert_eq!(w.total_sectors_on_media().unwrap(), DVD_R_DL_SECTORS);
    // Blank, and its next write is its one session: FINAL_SESSION, "only one additional
    // session" (imapi2.h's IMAPI_FORMAT2_DATA_MEDIA_STATE).
    assert_eq!(
        w.current_media_status().unwrap(),
        ms::BLANK | ms::APPENDABLE | ms::FINAL_SESSION
    );

    let (r, _) = write_collecting(&w, &img);
    let o = r.unwrap();
    assert_eq!((o.start_lba, o.sectors), (0, 1000));
    assert!(o.disc_closed, "Disc-at-Once closes the disc");
    let (mut d, records) = drive_and_transcript(&w);
    assert_eq!(write_types(&records), [(0x02, 0b00)], "Disc-at-Once");
    let reserve = cdbs(&records)
        .into_iter()
        .find(|c| c[0] == RESERVE_TRACK)
        .expect("RESERVE TRACK");
    assert_eq!(
        u32::from_be_bytes([reserve[5], reserve[6], reserve[7], reserve[8]]),
        1000
    );
    assert!(!sent(&records, CLOSE_TRACK_SESSION), "the drive closes it");

    assert_eq!(disc(&mut d), complete(1));
    let t1 = track(&mut d, 1);
    assert_eq!((t1.session_number, t1.track_start), (1, 0));
    assert_same_sectors(&read_back(&mut d, 0, 1000), &img, 0, "DAO");

    // One session only: a second write is refused before anything is sent.
    let w = writer(Tracing::new(d), no_verify());
    assert_eq!(w.current_media_status().unwrap(), ms::FINALIZED);
    let (r, _) = write_collecting(&w, &image(16, 10));
    let e = r.unwrap_err();
    assert!(matches!(e, Error::InvalidMediaState { .. }), "{e:?}");
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE");
    let (_, records) = drive_and_transcript(&w);
    assert!(writes_in(&records).is_empty());
    assert!(!sent(&records, MODE_SELECT_10));
}

/// The layer break on DVD-R DL: the image of a disc whose layer 0 the test first set to
/// 2,048 sectors (SEND DISC STRUCTURE 20h through the drive; so the disc holds 4,096) is 3,000
/// sectors, more than layer 0: the engine moves the break to the image's middle (94 of its
/// 188 ECC blocks) before reserving, and the image reads back across it. An image that fits
/// layer 0 leaves the boundary where it is, and nothing is sent.
#[test]
fn a_dvd_r_dl_image_longer_than_layer_0_gets_the_break_at_its_middle() {
    let mut d = traced(DVD_R_DL);
    set_layer0(&mut d, 2048);
    let img = image(3000, 13);
    let w = writer(d, no_verify());
    let o = write_collecting(&w, &img).0.unwrap();
    assert!(o.disc_closed);
    let (mut d, records) = drive_and_transcript(&w);
    let order: Vec<u8> = cdbs(&records)
        .into_iter()
        .map(|c| c[0])
        .filter(|&op| op == 0xBF || op == RESERVE_TRACK)
        .collect();
    // The test's own SEND DISC STRUCTURE, then the engine's, before the reservation.
    assert_eq!(
        order,
        [0xBF, 0xBF, RESERVE_TRACK],
        "the break before the reservation"
    );
    let boundary = layer_boundary(&mut d);
    assert_eq!((boundary.fixed, boundary.layer0_sectors), (true, 1504));
    assert_eq!(disc(&mut d), complete(1));
    assert_same_sectors(&read_back(&mut d, 0, 3000), &img, 0, "across the break");

    let w = writer(traced(DVD_R_DL), no_verify());
    write_collecting(&w, &image(1000, 14)).0.unwrap();
    let (mut d, records) = drive_and_transcript(&w);
    assert!(!sent(&records, 0xBF), "1,000 sectors fit layer 0");
    assert_eq!(layer_boundary(&mut d).layer0_sectors, DVD_R_DL_SECTORS / 2);
}

#[test]
fn a_dvd_r_dl_refuses_a_stream_of_unknown_length_and_an_image_too_large() {
    // Disc-at-Once reserves the size first: a stream without one is refused as an invalid
    // argument, naming why, with nothing sent.
    let w = writer(traced(DVD_R_DL), no_verify());
    let e = w
        .write_stream(pipe(&image(100, 1)), None, &mut |_, _| {})
        .unwrap_err();
    assert!(
        matches!(e, Error::Api(ApiMisuse::StreamLengthRequired { .. })),
        "{e:?}"
    );
    assert_eq!(e.hresult(), 0x8007_0057, "E_INVALIDARG");
    assert!(e.to_string().contains("length must be known"), "{e}");
    let (mut d, records) = drive_and_transcript(&w);
    assert!(writes_in(&records).is_empty() && !sent(&records, RESERVE_TRACK));
    assert_eq!(disc(&mut d).status, DiscStatus::Empty);

    // One sector more than the disc: refused before anything is written. The source is not
    // read before the check.
    let w = writer(Tracing::new(d), no_verify());
    let too_large = (u64::from(DVD_R_DL_SECTORS) + 1) * 2048;
    let e = w
        .write(
            &mut Cursor::new(Vec::new()),
            too_large,
            None,
            &mut |_, _| {},
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::StreamTooLargeForCurrentMedia { .. }),
        "{e:?}"
    );
    assert_eq!(
        (e.hresult(), e.imapi_name()),
        (
            0xC0AA_0404,
            "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA"
        )
    );
    let (mut d, records) = drive_and_transcript(&w);
    assert!(writes_in(&records).is_empty() && !sent(&records, RESERVE_TRACK));
    assert_eq!(disc(&mut d).status, DiscStatus::Empty);
}

/// Quick verification (the default) and full verification pass on both media, and full
/// verification catches a sector that reads back other than written.
#[test]
fn verification_on_dvd_r_and_dvd_r_dl() {
    for kind in [DVD_R, DVD_R_DL] {
        let name = kind.name();
        for level in [VerificationLevel::Quick, VerificationLevel::Full] {
            let w = writer(
                drive(kind),
                WriteOptions {
                    verification: level,
                    ..WriteOptions::default()
                },
            );
            let (r, events) = write_collecting(&w, &image(320, 1));
            r.unwrap_or_else(|e| panic!("{name} {level:?}: {e}"));
            assert!(
                events.iter().any(|e| e.action == WriteAction::Verifying),
                "{name} {level:?}"
            );
            if level == VerificationLevel::Full {
                assert!(
                    events.iter().any(|e| e.sectors_verified == 320),
                    "{name}: every sector read back"
                );
            }
        }
        // The first READ (10) of LBA 160 returns one bit flipped.
        let corrupt = virtdrive::fault::FaultPlan::from_json_str(
            r#"{ "rules": [ { "match": { "opcode": "READ (10)", "lba": { "first": 160, "last": 160 } },
                             "action": { "corrupt_data_in": { "bits": 1 } }, "times": "once" } ] }"#,
        )
        .unwrap();
        let d = virtdrive::fault::Faulty::for_drive(drive(kind), corrupt);
        let w = writer(
            d,
            WriteOptions {
                verification: VerificationLevel::Full,
                ..WriteOptions::default()
            },
        );
        let (r, _) = write_collecting(&w, &image(320, 1));
        let e = r.unwrap_err();
        assert!(
            matches!(e, Error::BurnVerificationFailed { .. }),
            "{name}: {e:?}"
        );
        assert_eq!(e.imapi_name(), "E_IMAPI_BURN_VERIFICATION_FAILED");
    }
}

/// Cancel in the middle of a Disc-at-Once write: the engine sends what the drive holds to
/// the disc (SYNCHRONIZE CACHE), then closes the track and the session, so the drive pads
/// the rest of the reservation and closes the disc: what was written reads back from a
/// complete disc (left open, the disc would take no further write and no reader could use
/// it), and the disc, recorded in one session, takes no further write.
#[test]
fn cancel_mid_write_on_a_dvd_r_dl_closes_the_reservation_so_what_was_written_reads_back() {
    let img = image(30_000, 7);
    let w = writer(traced(DVD_R_DL), WriteOptions::default());
    let r = write_cancelled_at(&w, &img, 15_000);
    let Err(Error::RequestCancelled {
        last_written_lba: Some(last),
    }) = r
    else {
        panic!("{r:?}");
    };
    let (mut d, records) = drive_and_transcript(&w);
    assert!(
        sent(&records, CLOSE_TRACK_SESSION),
        "the reservation is closed"
    );
    let written = last as u64 + 1;
    // The drive padded the rest of the reservation: one complete session of its size.
    assert_eq!(disc(&mut d).status, DiscStatus::Complete);
    let t1 = track(&mut d, 1);
    assert_eq!(t1.track_size, 30_000);
    assert_same_sectors(
        &read_back(&mut d, 0, written),
        &img[..written as usize * 2048],
        0,
        "before the cancel",
    );
    let w = writer(d, no_verify());
    let (r, _) = write_collecting(&w, &image(16, 8));
    assert!(matches!(r, Err(Error::InvalidMediaState { .. })), "{r:?}");
}
