//! `Eraser` (IMAPI2's IDiscFormat2Erase) on the emulated CD-RW, end to end: what EraseMedia
//! sends, the updates it reports on the drive's virtual clock, the disc blank afterwards as
//! READ DISC INFORMATION reports it and written again, in memory and in a disc file; discs
//! of the wrong kind and the API's own codes. The drive's faults are rows of
//! tests/fault_matrix.rs.

mod common;

use std::path::Path;

use common::*;
use discwriter::writer::{EraseUpdate, Eraser};
use discwriter::{DiscState, Recorder, WriteOptions};
use mmc_core::trace::Tracing;
use mmc_core::Transport;
use testkit::Erasable;
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive, SharedDrive};

const CD_RW: MediumKind = MediumKind::CdRw80;

fn eraser<T: Transport>(t: T, full: bool) -> Eraser<T> {
    let mut e = Eraser::new();
    e.set_recorder(Recorder::open(t).unwrap());
    e.set_client_name("erase test").unwrap();
    e.set_full_erase(full);
    e
}

/// EraseMedia's result, every update it reported, and the seconds it took on the drive's
/// clock; the drive back.
fn erase<T: Transport>(
    t: T,
    full: bool,
) -> (Result<(), discwriter::Error>, Vec<EraseUpdate>, u64, T) {
    let mut e = eraser(t, full);
    let start = e.recorder().and_then(|r| r.device_time()).unwrap();
    let mut updates = Vec::new();
    let r = e.erase_media(&mut |u| updates.push(u));
    let rec = e.take_recorder().unwrap();
    let took = rec.device_time().unwrap().saturating_sub(start).as_secs();
    (r, updates, took, rec.into_transport())
}

/// The emulated CD-RW under a fault plan (rules in the fixtures' JSON syntax).
fn faulty_cd_rw(rules: &str) -> Faulty<EmulatedDrive> {
    let plan = FaultPlan::from_json_str(&format!("{{\"rules\": [{rules}]}}")).unwrap();
    Faulty::for_drive(drive(CD_RW), plan)
}

/// The IMAPI name and HRESULT of the error EraseMedia returned.
fn failure<T: Transport>(t: T) -> (&'static str, u32) {
    let e = erase(t, false).0.unwrap_err();
    (e.imapi_name(), e.hresult())
}

/// What READ DISC INFORMATION and READ TRACK INFORMATION say of the disc.
fn summary<T: Transport>(d: &mut T) -> discwriter::DiscSummary {
    Recorder::open(d).unwrap().disc_summary().unwrap()
}

/// Asserts the disc reads as blank: no session, all of it free, still erasable.
#[track_caller]
fn assert_blank<T: Transport>(d: &mut T, what: &str) {
    let s = summary(d);
    assert_eq!(s.profile_code, 0x000A, "{what}: still a CD-RW");
    assert_eq!(
        (s.status, s.sessions, s.next_writable_address),
        (DiscState::Blank, 0, Some(0)),
        "{what}: {s:?}"
    );
    assert!(s.erasable, "{what}");
    assert!(s.free_sectors > 300_000, "{what}: {s:?}");
}

/// Writes `data` as a session and reads it back; returns its first LBA.
fn write_and_read_back<T: Transport + Send>(d: &mut T, data: &[u8], what: &str) -> i64 {
    let w = writer(&mut *d, WriteOptions::default());
    let o = write_collecting(&w, data)
        .0
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    drop(w);
    let back = read_back(d, o.start_lba, data.len() as u64 / 2048);
    assert_same_sectors(&back, data, o.start_lba, what);
    o.start_lba
}

/// Two sessions, as on a CD-R: the second appended after the first; both read back.
fn two_sessions<T: Transport + Send>(d: &mut T) {
    let first = write_and_read_back(d, &image(300, 1), "session 1");
    let second = write_and_read_back(d, &image(200, 2), "session 2");
    assert_eq!(first, 0);
    assert!(second > 300, "session 2 after session 1: LBA {second}");
    let s = summary(d);
    assert_eq!((s.status, s.sessions), (DiscState::Appendable, 2), "{s:?}");
}

/// Asserts the updates of an erase that took `took` seconds on the drive: elapsed rises from
/// 0 to the end, the expected total is never 0 and stays within a factor of 2.5 of what the
/// drive took, and the drive's progress moved the estimate (more than one update, and the
/// fraction done rises).
#[track_caller]
fn assert_sane_updates(updates: &[EraseUpdate], took: u64) {
    assert!(updates.len() > 10, "{} updates", updates.len());
    assert_eq!(updates[0].elapsed_seconds, 0);
    assert!(updates
        .windows(2)
        .all(|w| w[0].elapsed_seconds <= w[1].elapsed_seconds));
    let last = updates.last().unwrap();
    assert!(
        u64::from(last.elapsed_seconds).abs_diff(took) <= 1,
        "{last:?}, {took} s on the drive"
    );
    assert_eq!(last.expected_seconds, last.elapsed_seconds);
    for u in updates {
        let expected = f64::from(u.expected_seconds);
        assert!(
            expected >= took as f64 / 2.5 && expected <= took as f64 * 2.5,
            "{u:?}, the drive took {took} s"
        );
    }
    let fraction = |u: &EraseUpdate| f64::from(u.elapsed_seconds) / f64::from(u.expected_seconds);
    let halfway = updates
        .iter()
        .find(|u| u64::from(u.elapsed_seconds) >= took / 2)
        .unwrap();
    assert!(
        (0.3..0.7).contains(&fraction(halfway)),
        "the drive's progress halfway: {halfway:?}"
    );
}

#[test]
fn a_quick_erase_sends_minimal_blank_with_immed_and_the_disc_reads_as_blank() {
    let mut d = Tracing::new(drive(CD_RW));
    two_sessions(&mut d);
    let mut e = eraser(&mut d, false);
    assert!(
        !e.full_erase(),
        "quick by default in IMAPI, here set explicitly"
    );
    assert_eq!(
        e.current_physical_media_type().unwrap() as u32,
        3,
        "IMAPI_MEDIA_TYPE_CDRW"
    );
    assert!(e.is_recorder_supported().unwrap());
    assert!(e.is_current_media_supported().unwrap());
    drop(e);
    let (r, updates, took, d) = erase(&mut d, false);
    r.unwrap();
    // The drive's minimal blank takes tens of seconds, not the moment of a command.
    assert!((20..120).contains(&took), "{took} s");
    assert_sane_updates(&updates, took);
    // A1h, Immed (byte 1 bit 4) and blanking type 001b, minimal (MMC-6 6.2.2).
    let blanks: Vec<_> = d
        .records()
        .iter()
        .filter(|r| r.cdb.starts_with("A1"))
        .map(|r| mmc_core::wire::parse_hex_words([r.cdb.as_str()]).unwrap())
        .collect();
    assert_eq!(blanks, vec![vec![0xA1, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]);
    assert_blank(d, "after a quick erase");
    // The old sessions belong to no track: written over by the next session, from LBA 0.
    let data = image(250, 3);
    assert_eq!(write_and_read_back(d, &data, "after a quick erase"), 0);
}

#[test]
fn a_full_erase_blanks_the_whole_disc_in_minutes_of_drive_time() {
    let mut d = Tracing::new(drive(CD_RW));
    two_sessions(&mut d);
    let (r, updates, took, d) = erase(&mut d, true);
    r.unwrap();
    // The whole 80-minute disc: minutes on the drive's clock.
    assert!((300..1800).contains(&took), "{took} s");
    assert_sane_updates(&updates, took);
    let blank = d
        .records()
        .iter()
        .find(|r| r.cdb.starts_with("A1"))
        .unwrap();
    assert!(
        blank.cdb.starts_with("A1 10"),
        "Immed, blanking type 000b (the whole disc): {}",
        blank.cdb
    );
    assert_blank(d, "after a full erase");
    assert_eq!(
        write_and_read_back(d, &image(250, 4), "after a full erase"),
        0
    );
}

#[test]
fn write_append_erase_and_write_again_on_one_disc() {
    let mut d = drive(CD_RW);
    two_sessions(&mut d);
    for full in [false, true] {
        let (r, _, _, d) = erase(&mut d, full);
        r.unwrap_or_else(|e| panic!("full {full}: {e}"));
        assert_blank(d, "erased");
        two_sessions(d);
    }
}

/// The disc a `virt:cd-rw@FILE` drive keeps, opened anew for each step as each command
/// opens it.
fn disc_file(path: &Path) -> DiscFileDrive {
    DiscFileDrive::open(CD_RW, path, DriveConfig::default()).unwrap()
}

#[test]
fn a_disc_file_keeps_the_sessions_and_the_erase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cd-rw.disc");
    for full in [false, true] {
        let mut d = disc_file(&path);
        two_sessions(&mut d);
        d.commit().unwrap();
        drop(d);
        let (r, _, _, mut d) = erase(disc_file(&path), full);
        r.unwrap();
        d.commit().unwrap();
        drop(d);
        let mut d = disc_file(&path);
        assert_blank(&mut d, "the disc file, reopened after the erase");
        let data = image(120, 5);
        assert_eq!(write_and_read_back(&mut d, &data, "after the erase"), 0);
        d.commit().unwrap();
        drop(d);
        let mut d = disc_file(&path);
        assert_same_sectors(&read_back(&mut d, 0, 120), &data, 0, "reopened");
        // The next round starts from this written disc: erase it before its two sessions.
        let (r, _, _, mut d) = erase(d, false);
        r.unwrap();
        d.commit().unwrap();
    }
}

#[test]
fn a_blank_cd_rw_is_erased_too() {
    for full in [false, true] {
        let (r, updates, took, mut d) = erase(drive(CD_RW), full);
        r.unwrap_or_else(|e| panic!("full {full}: {e}"));
        assert_sane_updates(&updates, took);
        assert_blank(&mut d, "a blank disc erased");
    }
}

#[test]
fn a_drive_without_progress_is_asked_with_request_sense_and_the_estimate_stays() {
    // The emulated drive always reports its progress: testkit's scripted CD-RW reports none,
    // to TEST UNIT READY nor REQUEST SENSE.
    let d = Erasable::new(drive(MediumKind::CdR80), 0x000A);
    let (r, updates, _, _) = erase(d, false);
    r.unwrap();
    // No fraction from the drive: the medium's estimate stands until the end.
    let first = updates[0].expected_seconds;
    assert!(first > 0);
    assert!(updates
        .iter()
        .filter(|u| u.elapsed_seconds < first)
        .all(|u| u.expected_seconds == first));
}

#[test]
fn write_once_media_are_not_erasable() {
    for kind in [
        MediumKind::CdR80,
        MediumKind::DvdPlusR,
        MediumKind::BdR,
        MediumKind::DvdR,
    ] {
        assert_eq!(
            failure(drive(kind)),
            ("E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE", 0x80AA0904),
            "{kind:?}"
        );
    }
}

/// IDiscFormat2Erase erases CD-RW and DVD-RW; DVD+RW and BD-RE are formatted or written
/// over instead (IDiscFormat2Data's ForceOverwrite).
#[test]
fn overwritable_media_are_not_supported_by_erase() {
    for kind in [MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let mut e = eraser(drive(kind), false);
        assert!(!e.is_current_media_supported().unwrap());
        let err = e.erase_media(&mut |_| {}).unwrap_err();
        assert_eq!(
            (err.imapi_name(), err.hresult()),
            ("E_IMAPI_ERASE_MEDIA_IS_NOT_SUPPORTED", 0xC0AA0909),
            "{kind:?}"
        );
    }
}

#[test]
fn a_failed_spin_up_is_drive_failed_spinup_command() {
    let d = faulty_cd_rw(
        r#"{"match": {"opcode": "START STOP UNIT"}, "action": {"sense": {"key": "hardware_error", "asc": "0x44", "ascq": "0x00"}}, "times": "always"}"#,
    );
    assert_eq!(
        failure(d),
        ("E_IMAPI_ERASE_DRIVE_FAILED_SPINUP_COMMAND", 0x80AA0908)
    );
}

#[test]
fn short_disc_information_and_capabilities_page_are_too_small() {
    let d = Faulty::for_drive(drive(CD_RW), plan("short-disc-information.json"));
    assert_eq!(
        failure(d),
        ("E_IMAPI_ERASE_DISC_INFORMATION_TOO_SMALL", 0x80AA0902)
    );
    let d = faulty_cd_rw(
        r#"{"match": {"opcode": "MODE SENSE (10)"}, "action": {"short_transfer": {"bytes": 10}}, "times": "always"}"#,
    );
    assert_eq!(
        failure(d),
        ("E_IMAPI_ERASE_MODE_PAGE_2A_TOO_SMALL", 0x80AA0903)
    );
}

#[test]
fn a_drive_held_by_another_client_is_erase_recorder_in_use() {
    let shared = SharedDrive::new(drive(CD_RW));
    let mut e = eraser(shared.client("erase test"), false);
    shared.client("someone else").acquire_exclusive().unwrap();
    let err = e.erase_media(&mut |_| {}).unwrap_err();
    assert_eq!(
        (err.imapi_name(), err.hresult()),
        ("E_IMAPI_ERASE_RECORDER_IN_USE", 0x80AA0900)
    );
}

#[test]
fn client_names_follow_imapi_rules_with_the_erase_code() {
    let mut e: Eraser<EmulatedDrive> = Eraser::new();
    let err = e.set_client_name("tab\there").unwrap_err();
    assert_eq!(
        err.hresult(),
        0xC0AA090B,
        "E_IMAPI_ERASE_CLIENT_NAME_IS_NOT_VALID"
    );
    // No name at all: refused before anything is sent.
    e.set_recorder(Recorder::open(drive(CD_RW)).unwrap());
    assert_eq!(
        e.erase_media(&mut |_| {}).unwrap_err().hresult(),
        0xC0AA090B
    );
    // No recorder: E_IMAPI_RECORDER_REQUIRED.
    let mut e: Eraser<EmulatedDrive> = Eraser::new();
    e.set_client_name("x").unwrap();
    assert_eq!(
        e.erase_media(&mut |_| {}).unwrap_err().hresult(),
        0xC0AA0003
    );
}
