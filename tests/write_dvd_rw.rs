//! `DataWriter` and the `Recorder`'s format on the emulated DVD-RW (`virt:dvd-rw`), in memory
//! and in a disc file: in Sequential recording (0014h) a session per write, as on a DVD-R
//! written incrementally; formatted to Restricted Overwrite (0013h, FORMAT UNIT 15h quick or
//! 10h full) it is written from LBA 0 in whole ECC blocks under DVD+RW's ForceOverwrite rule.
//! What was written is read back from the drive and its state read with READ DISC
//! INFORMATION.

mod common;

use common::*;
use discwriter::writer::{MediaPhysicalType, Timeouts};
use discwriter::{DiscState, Recorder, WriteOptions};
use mmc_core::trace::Tracing;
use mmc_core::Transport;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

const DVD_RW_SEQUENTIAL: u16 = 0x0014;
const DVD_RW_RESTRICTED_OVERWRITE: u16 = 0x0013;

fn dvd_rw() -> EmulatedDrive {
    drive(MediumKind::DvdRw)
}

/// `format --quick` or `format` through the Recorder: Restricted Overwrite.
fn formatted<T: Transport>(d: T, quick: bool) -> T {
    let mut rec = Recorder::open(d).unwrap();
    rec.format_medium(quick, &Timeouts::default(), &mut |_| {})
        .unwrap();
    rec.into_transport()
}

/// Two sessions written, then both read back.
fn two_sessions_read_back<T: Transport + Send>(d: T) -> T {
    let w = writer(d, WriteOptions::default());
    assert_eq!(
        w.current_physical_media_type().unwrap(),
        MediaPhysicalType::Dvddashrw
    );
    assert_eq!(w.current_physical_media_type().unwrap() as u32, 10);
    let (first, second) = (image(160, 1), image(64, 2));
    let a = write_collecting(&w, &first).0.unwrap();
    let b = write_collecting(&w, &second).0.unwrap();
    assert_eq!(a.start_lba, 0);
    assert!(b.start_lba >= a.start_lba + 160, "{a:?} {b:?}");
    let mut d = give_back(w);
    let s = disc_summary(&mut d);
    assert_eq!(s.profile_code, DVD_RW_SEQUENTIAL);
    assert_eq!((s.status, s.sessions), (DiscState::Appendable, 2));
    assert_same_sectors(&read_back(&mut d, 0, 160), &first, 0, "session 1");
    assert_same_sectors(
        &read_back(&mut d, b.start_lba, 64),
        &second,
        b.start_lba,
        "session 2",
    );
    d
}

#[test]
fn a_sequential_dvd_rw_gets_a_session_per_write_and_reads_back() {
    let (_, records) = two_sessions_read_back(Tracing::new(dvd_rw())).into_parts();
    // Incremental recording (page 05h write type 00h), no reservation: a session per write,
    // as on a DVD-R.
    let pages = pages_05h(&records);
    assert!(!pages.is_empty());
    assert!(pages.iter().all(|p| p[2] & 0x0F == 0x00), "{pages:?}");
    assert!(!sent(&records, 0x53), "no RESERVE TRACK");
}

#[test]
fn sessions_on_a_dvd_rw_in_a_disc_file_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dvd-rw.disc");
    let d = DiscFileDrive::open(MediumKind::DvdRw, &path, DriveConfig::default()).unwrap();
    let mut d = two_sessions_read_back(d);
    d.commit().unwrap();
    drop(d);
    let mut again =
        DiscFileDrive::open_existing(MediumKind::DvdRw, &path, DriveConfig::default()).unwrap();
    let s = disc_summary(&mut again);
    assert_eq!((s.status, s.sessions), (DiscState::Appendable, 2));
    assert_same_sectors(
        &read_back(&mut again, 0, 160),
        &image(160, 1),
        0,
        "reopened",
    );
}

#[test]
fn a_quick_format_gives_restricted_overwrite_with_format_unit_15h() {
    let mut rec = Recorder::open(Tracing::new(dvd_rw())).unwrap();
    rec.format_medium(true, &Timeouts::default(), &mut |_| {})
        .unwrap();
    let (mut d, records) = rec.into_transport().into_parts();
    // 15h, quick, with the ECC block size (MMC-6 6.5.4.2.10).
    assert_eq!(format_units(&records), vec![(0x15, 16)]);
    let s = disc_summary(&mut d);
    assert_eq!(s.profile_code, DVD_RW_RESTRICTED_OVERWRITE);
    assert!(!s.needs_formatting);
}

#[test]
fn a_full_format_gives_restricted_overwrite_over_the_whole_disc_with_10h() {
    let mut rec = Recorder::open(Tracing::new(dvd_rw())).unwrap();
    let mut reports = 0;
    rec.format_medium(false, &Timeouts::default(), &mut |_| reports += 1)
        .unwrap();
    let (mut d, records) = rec.into_transport().into_parts();
    assert_eq!(format_units(&records), vec![(0x10, 16)]);
    assert!(reports > 1, "the format's progress was reported");
    let s = disc_summary(&mut d);
    assert_eq!(s.profile_code, DVD_RW_RESTRICTED_OVERWRITE);
    // READ CAPACITY: the whole disc formatted.
    assert_eq!(s.total_sectors, 2_298_496, "{s:?}");
}

#[test]
fn restricted_overwrite_is_written_from_lba_0_and_pads_the_last_ecc_block() {
    for quick in [true, false] {
        let d = Tracing::new(formatted(dvd_rw(), quick));
        let w = writer(d, WriteOptions::default());
        assert_eq!(w.current_physical_media_type().unwrap() as u32, 10);
        assert!(w.media_heuristically_blank().unwrap(), "quick {quick}");
        // 1000 sectors: 62 ECC blocks and 8 sectors, the last block padded.
        let data = image(1000, 3);
        let outcome = write_collecting(&w, &data).0.unwrap();
        assert_eq!((outcome.start_lba, outcome.sectors), (0, 1000));
        let (mut d, records) = drive_and_transcript(&w);
        let writes = writes_in(&records);
        assert!(
            writes
                .iter()
                .all(|&(lba, n, good)| good && lba % 16 == 0 && n % 16 == 0),
            "{writes:?}"
        );
        assert_eq!(writes.iter().map(|w| w.1).sum::<u64>(), 1008);
        assert_eq!(
            disc_summary(&mut d).profile_code,
            DVD_RW_RESTRICTED_OVERWRITE
        );
        assert_same_sectors(&read_back(&mut d, 0, 1000), &data, 0, "the image");
        assert!(
            read_back(&mut d, 1000, 8).iter().all(|&b| b == 0),
            "the padding"
        );
    }
}

#[test]
fn restricted_overwrite_needs_force_overwrite_over_data() {
    let w = writer(formatted(dvd_rw(), true), WriteOptions::default());
    write_collecting(&w, &image(64, 1)).0.unwrap();
    let data = image(32, 3);
    overwrite_needs_force_overwrite(&w, &data);
    let mut d = give_back(w);
    assert_same_sectors(&read_back(&mut d, 0, 32), &data, 0, "overwritten");
    // The rest of the first write is still there, from the second ECC block... of 64.
    assert_same_sectors(
        &read_back(&mut d, 32, 32),
        &image(64, 1)[32 * 2048..],
        32,
        "the first write's tail",
    );
}

#[test]
fn restricted_overwrite_in_a_disc_file_reads_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.disc");
    let d = DiscFileDrive::open(MediumKind::DvdRw, &path, DriveConfig::default()).unwrap();
    let w = writer(formatted(d, true), WriteOptions::default());
    let data = image(100, 5);
    write_collecting(&w, &data).0.unwrap();
    let mut d = give_back(w);
    d.commit().unwrap();
    drop(d);
    let mut again =
        DiscFileDrive::open_existing(MediumKind::DvdRw, &path, DriveConfig::default()).unwrap();
    assert_eq!(
        disc_summary(&mut again).profile_code,
        DVD_RW_RESTRICTED_OVERWRITE
    );
    assert_same_sectors(&read_back(&mut again, 0, 100), &data, 0, "reopened");
}

#[test]
fn a_write_protected_dvd_rw_refuses_a_write() {
    for quick in [None, Some(true)] {
        let mut d = match quick {
            None => dvd_rw(),
            Some(q) => formatted(dvd_rw(), q),
        };
        d.set_write_protected(true);
        let w = writer(d, WriteOptions::default());
        let e = write_collecting(&w, &image(16, 1)).0.unwrap_err();
        assert_eq!(
            e.imapi_name(),
            "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
            "{quick:?}"
        );
    }
}

/// How a DVD-ROM drive finds the end of a Restricted Overwrite disc: the lead-out. READ
/// FORMAT CAPACITIES' current descriptor (MMC-6 6.24.3.2): 10b formatted with the blocks up
/// to the lead-out, or 11b when none is recorded (the intermediate state a quick format
/// leaves); and track 1's Track Size (READ TRACK INFORMATION, bytes 24-27).
fn recorded_end<T: Transport>(d: &mut T) -> (u8, u32, u32) {
    let caps = testkit::command_in(d, &testkit::READ_FORMAT_CAPACITIES, 252);
    let descriptor_type = caps[8] & 0x03;
    let blocks = u32::from_be_bytes([caps[4], caps[5], caps[6], caps[7]]);
    // READ TRACK INFORMATION, address type 01b (track number), track 1, 48 bytes.
    let track = testkit::command_in(d, &[0x52, 0x01, 0, 0, 0, 1, 0, 0, 48, 0], 48);
    let size = u32::from_be_bytes([track[24], track[25], track[26], track[27]]);
    (descriptor_type, blocks, size)
}

/// READ DISC INFORMATION byte 2: (Disc Status, State of Last Session).
fn disc_and_session_status<T: Transport>(d: &mut T) -> (u8, u8) {
    let info = testkit::command_in(d, &testkit::READ_DISC_INFORMATION, 34);
    (info[2] & 0x03, (info[2] >> 2) & 0x03)
}

#[test]
fn a_quick_formatted_dvd_rw_gets_its_lead_out_after_the_data_as_growisofs_writes_it() {
    let mut d = formatted(Tracing::new(dvd_rw()), true);
    // Intermediate: no lead-out yet.
    assert_eq!(recorded_end(&mut d).0, 0b11);
    let w = writer(d, WriteOptions::default());
    write_collecting(&w, &image(1000, 1)).0.unwrap();
    let (mut d, records) = drive_and_transcript(&w);
    // CLOSE TRACK/SESSION 010b, close session (MMC-6 6.3.3.2.3): the lead-out after the
    // last ECC block written.
    assert_eq!(closes(&records), vec![(0b010, 0)]);
    assert_eq!(recorded_end(&mut d), (0b10, 1008, 1008));
    assert_eq!(disc_and_session_status(&mut d), (0b10, 0b11));
    assert_same_sectors(&read_back(&mut d, 0, 1000), &image(1000, 1), 0, "the image");

    // A longer image over it: the session grows (FORMAT UNIT 13h, quick grow, MMC-6
    // 6.5.4.2.8) and is closed again after the new end.
    let w = writer(
        Tracing::new(d),
        WriteOptions {
            force_overwrite: true,
            ..WriteOptions::default()
        },
    );
    let longer = image(3000, 2);
    write_collecting(&w, &longer).0.unwrap();
    let (mut d, records) = drive_and_transcript(&w);
    assert_eq!(format_units(&records), vec![(0x13, 16)]);
    assert_eq!(closes(&records), vec![(0b010, 0)]);
    assert_eq!(recorded_end(&mut d), (0b10, 3008, 3008));
    assert_same_sectors(&read_back(&mut d, 0, 3000), &longer, 0, "the longer image");

    // A shorter one fits before the lead-out: nothing to grow nor close.
    let w = writer(
        Tracing::new(d),
        WriteOptions {
            force_overwrite: true,
            ..WriteOptions::default()
        },
    );
    write_collecting(&w, &image(100, 3)).0.unwrap();
    let (mut d, records) = drive_and_transcript(&w);
    assert!(format_units(&records).is_empty());
    assert!(closes(&records).is_empty());
    assert_eq!(recorded_end(&mut d), (0b10, 3008, 3008));
}

#[test]
fn a_fully_formatted_dvd_rw_has_its_lead_out_and_is_not_closed() {
    let w = writer(
        Tracing::new(formatted(dvd_rw(), false)),
        WriteOptions::default(),
    );
    write_collecting(&w, &image(100, 1)).0.unwrap();
    let (mut d, records) = drive_and_transcript(&w);
    assert!(closes(&records).is_empty());
    assert!(format_units(&records).is_empty());
    assert_eq!(recorded_end(&mut d), (0b10, 2_298_496, 2_298_496));
}
