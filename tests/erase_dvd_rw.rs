//! `Eraser` (IDiscFormat2Erase) on the emulated DVD-RW, in memory and in a disc file: a quick
//! erase (BLANK 001b, minimal) and a full one (000b) leave a blank disc in Sequential recording
//! (READ DISC INFORMATION), whatever the mode it was in, which is then written again and read
//! back; the updates follow the drive's virtual clock and its progress; a BLANK that fails or
//! never ends, and a write-protected disc, give IMAPI's codes.

mod common;

use common::*;
use discwriter::writer::{EraseUpdate, Eraser, Timeouts};
use discwriter::{DiscState, Error, Recorder, WriteOptions};
use mmc_core::trace::Tracing;
use mmc_core::Transport;
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

const DVD_RW_SEQUENTIAL: u16 = 0x0014;
const DVD_RW_RESTRICTED_OVERWRITE: u16 = 0x0013;

fn dvd_rw() -> EmulatedDrive {
    drive(MediumKind::DvdRw)
}

/// A DVD-RW quick-formatted to Restricted Overwrite (`format --quick`).
fn restricted_overwrite() -> EmulatedDrive {
    let mut rec = Recorder::open(dvd_rw()).unwrap();
    rec.format_medium(true, &Timeouts::default(), &mut |_| {})
        .unwrap();
    rec.into_transport()
}

/// EraseMedia's result, every update, and the drive back.
fn erase<T: Transport>(d: T, full: bool) -> (Result<(), Error>, Vec<EraseUpdate>, T) {
    let mut e = Eraser::new();
    e.set_recorder(Recorder::open(d).unwrap());
    e.set_client_name("erase dvd-rw test").unwrap();
    e.set_full_erase(full);
    assert_eq!(
        e.current_physical_media_type().unwrap() as u32,
        10,
        "IMAPI_MEDIA_TYPE_DVDDASHRW"
    );
    assert!(e.is_recorder_supported().unwrap());
    assert!(e.is_current_media_supported().unwrap());
    let mut updates = Vec::new();
    let r = e.erase_media(&mut |u| updates.push(u));
    (r, updates, e.take_recorder().unwrap().into_transport())
}

/// Writes a session of `sectors` and reads it back.
fn write_and_read_back<T: Transport + Send>(d: T, sectors: u64, seed: u8) -> T {
    let w = writer(d, WriteOptions::default());
    let data = image(sectors, seed);
    let outcome = write_collecting(&w, &data).0.unwrap();
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert_same_sectors(
        &read_back(&mut d, outcome.start_lba, sectors),
        &data,
        outcome.start_lba,
        "written",
    );
    d
}

/// A blank disc in Sequential recording, as READ DISC INFORMATION reports it.
fn assert_blank_sequential<T: Transport>(d: &mut T, what: &str) {
    let s = disc_summary(d);
    assert_eq!(s.profile_code, DVD_RW_SEQUENTIAL, "{what}: {s:?}");
    assert_eq!((s.status, s.sessions), (DiscState::Blank, 0), "{what}");
    assert!(s.erasable, "{what}");
}

/// Updates whose elapsed time never goes back, several of them, ending with elapsed ==
/// expected (the drive is ready), with the expectation within `range` seconds at first.
fn assert_updates_advance(updates: &[EraseUpdate], range: std::ops::RangeInclusive<u32>) {
    assert!(updates.len() > 3, "{updates:?}");
    assert!(updates
        .windows(2)
        .all(|w| w[0].elapsed_seconds <= w[1].elapsed_seconds));
    let first = updates.first().unwrap();
    assert_eq!(first.elapsed_seconds, 0);
    assert!(range.contains(&first.expected_seconds), "{first:?}");
    let last = updates.last().unwrap();
    assert_eq!(last.elapsed_seconds, last.expected_seconds, "{last:?}");
    assert!(range.contains(&last.elapsed_seconds), "{last:?}");
    // The drive's progress keeps the expectation sane half-way through.
    let middle = updates.get(updates.len() / 2).unwrap();
    assert!(range.contains(&middle.expected_seconds), "{middle:?}");
}

#[test]
fn a_quick_erase_blanks_a_written_dvd_rw_which_is_written_again() {
    let d = write_and_read_back(dvd_rw(), 200, 1);
    let d = write_and_read_back(d, 50, 2);
    let (r, updates, mut d) = erase(d, false);
    r.unwrap();
    // A minimal blanking takes about a minute on the drive's clock.
    assert_updates_advance(&updates, 55..=100);
    assert_blank_sequential(&mut d, "after a quick erase");
    let mut d = write_and_read_back(d, 80, 3);
    let s = disc_summary(&mut d);
    assert_eq!((s.status, s.sessions), (DiscState::Appendable, 1));
}

#[test]
fn a_full_erase_blanks_a_written_dvd_rw_in_tens_of_minutes_of_drive_time() {
    let d = write_and_read_back(dvd_rw(), 200, 4);
    let (r, updates, mut d) = erase(d, true);
    r.unwrap();
    // The whole disc at 2x: 2,298,496 sectors at 1,352 a second, about 28 minutes.
    assert_updates_advance(&updates, 1500..=1800);
    assert!(updates.len() > 100, "polled every half second");
    assert_blank_sequential(&mut d, "after a full erase");
    write_and_read_back(d, 64, 5);
}

#[test]
fn erasing_a_dvd_rw_in_a_disc_file_leaves_it_blank_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dvd-rw.disc");
    let d = DiscFileDrive::open(MediumKind::DvdRw, &path, DriveConfig::default()).unwrap();
    let d = write_and_read_back(d, 100, 6);
    let (r, _, mut d) = erase(d, false);
    r.unwrap();
    d.commit().unwrap();
    drop(d);
    let mut again =
        DiscFileDrive::open_existing(MediumKind::DvdRw, &path, DriveConfig::default()).unwrap();
    assert_blank_sequential(&mut again, "reopened");
    let mut d = write_and_read_back(again, 40, 7);
    d.commit().unwrap();
}

#[test]
fn erasing_restricted_overwrite_blanks_it_back_to_sequential() {
    for full in [false, true] {
        let mut d = write_and_read_back(restricted_overwrite(), 48, 8);
        assert_eq!(
            disc_summary(&mut d).profile_code,
            DVD_RW_RESTRICTED_OVERWRITE
        );
        let (r, updates, mut d) = erase(d, full);
        r.unwrap();
        assert!(updates.len() > 3, "{updates:?}");
        assert_blank_sequential(&mut d, &format!("full {full}"));
        write_and_read_back(d, 32, 9);
    }
}

#[test]
fn erase_sends_blank_with_immed_minimal_or_whole_disc() {
    for (full, byte1) in [(false, 0x11), (true, 0x10)] {
        let (r, _, t) = erase(Tracing::new(dvd_rw()), full);
        r.unwrap();
        let (_, records) = t.into_parts();
        let blanks: Vec<_> = records.iter().filter(|r| r.cdb.starts_with("A1")).collect();
        assert_eq!(blanks.len(), 1);
        // A1h, byte 1: Immed (bit 4) and the blanking type (MMC-6 6.2.2).
        let cdb = mmc_core::wire::parse_hex_words([blanks[0].cdb.as_str()]).unwrap();
        assert_eq!(cdb[1], byte1, "full {full}");
    }
}

fn faulty(rules: &str) -> Faulty<EmulatedDrive> {
    let plan = FaultPlan::from_json_str(&format!("{{\"rules\": [{rules}]}}")).unwrap();
    // On the drive itself: its clock is the one `time` rules match.
    Faulty::for_drive(dvd_rw(), plan)
}

#[test]
fn a_blank_the_dvd_rw_drive_refuses_is_drive_failed_erase_command() {
    let d = faulty(
        r#"{"match": {"opcode": "BLANK"}, "action": {"sense": {"key": "medium_error", "asc": "0x0C", "ascq": "0x00"}}, "times": "once"}"#,
    );
    let (r, _, _) = erase(d, false);
    let e = r.unwrap_err();
    assert_eq!(
        (e.imapi_name(), e.hresult()),
        ("E_IMAPI_ERASE_DRIVE_FAILED_ERASE_COMMAND", 0x80AA0905)
    );
}

#[test]
fn a_dvd_rw_that_stays_busy_past_an_hour_took_longer_than_one_hour() {
    // From 10 s on the drive's clock, well into the minute a minimal blanking takes, every
    // poll is answered "operation in progress" (02/04/07): the blanking never ends.
    let d = faulty(
        r#"{"match": {"opcode": "TEST UNIT READY", "time": {"from": {"s": 10}}}, "action": {"sense": {"key": "not_ready", "asc": "0x04", "ascq": "0x07"}}, "times": "always"}"#,
    );
    let (r, updates, _) = erase(d, false);
    let e = r.unwrap_err();
    assert_eq!(
        (e.imapi_name(), e.hresult()),
        ("E_IMAPI_ERASE_TOOK_LONGER_THAN_ONE_HOUR", 0x80AA0906)
    );
    // Reported until the hour ran out, the expectation never below the time spent.
    let last = updates.last().unwrap();
    assert!(last.elapsed_seconds >= 3590, "{last:?}");
    assert!(updates
        .iter()
        .all(|u| u.expected_seconds >= u.elapsed_seconds));
}

#[test]
fn a_write_protected_dvd_rw_refuses_erase_in_either_mode() {
    for ro in [false, true] {
        let mut d = if ro { restricted_overwrite() } else { dvd_rw() };
        d.set_write_protected(true);
        let (r, _, mut d) = erase(d, false);
        let e = r.unwrap_err();
        assert_eq!(
            (e.imapi_name(), e.hresult()),
            ("E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED", 0xC0AA0209),
            "restricted overwrite {ro}"
        );
        // Nothing was erased.
        let s = disc_summary(&mut d);
        assert_eq!(
            s.profile_code,
            if ro {
                DVD_RW_RESTRICTED_OVERWRITE
            } else {
                DVD_RW_SEQUENTIAL
            }
        );
    }
}
