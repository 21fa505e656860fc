//! `Eraser` (IMAPI2's IDiscFormat2Erase): what EraseMedia sends, the updates it reports on the
//! drive's virtual clock, and every IMAPI code a drive can make it return, each raised by a
//! fault plan or a disc of the wrong kind.
//!
//! The emulator's media here are write-once or overwritable; the erasable CD-RW is testkit's
//! `Erasable`, which claims profile 000Ah over an emulated drive and answers BLANK itself.

mod common;

use std::time::Duration;

use discwriter::writer::{EraseUpdate, Eraser};
use discwriter::Recorder;
use mmc_core::Transport;
use testkit::{drive_with, Erasable};
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::{EmulatedDrive, SharedDrive};

const CD_RW: u16 = 0x000A;

fn eraser<T: Transport>(t: T, full: bool) -> Eraser<T> {
    let mut e = Eraser::new();
    e.set_recorder(Recorder::open(t).unwrap());
    e.set_client_name("erase test").unwrap();
    e.set_full_erase(full);
    e
}

/// EraseMedia's result and every update it reported.
fn erase<T: Transport>(t: T, full: bool) -> (Result<(), discwriter::Error>, Vec<EraseUpdate>) {
    let mut e = eraser(t, full);
    let mut updates = Vec::new();
    let r = e.erase_media(&mut |u| updates.push(u));
    (r, updates)
}

fn cd_rw() -> Erasable<EmulatedDrive> {
    Erasable::new(drive_with(MediumKind::CdR80), CD_RW)
}

/// A fault plan over the scripted CD-RW (rules in the fixtures' JSON syntax).
fn faulty_cd_rw(rules: &str) -> Faulty<Erasable<EmulatedDrive>> {
    let plan = FaultPlan::from_json_str(&format!("{{\"rules\": [{rules}]}}")).unwrap();
    Faulty::new(cd_rw(), plan).unwrap()
}

/// The IMAPI name of the error EraseMedia returned.
fn failure<T: Transport>(t: T) -> (&'static str, u32) {
    let e = erase(t, false).0.unwrap_err();
    (e.imapi_name(), e.hresult())
}

#[test]
fn a_quick_erase_sends_minimal_blank_with_immed_and_reports_time_until_the_drive_is_ready() {
    let mut e = eraser(cd_rw(), false);
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
    let mut updates = Vec::new();
    e.erase_media(&mut |u| updates.push(u)).unwrap();
    let drive = e.take_recorder().unwrap().into_transport();
    // A1h, Immed (byte 1 bit 4) and blanking type 001b, minimal (MMC-6 6.2.2).
    assert_eq!(
        drive.blanks,
        vec![vec![0xA1, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]
    );
    let first = updates.first().unwrap();
    assert_eq!(
        *first,
        EraseUpdate {
            elapsed_seconds: 0,
            expected_seconds: 60
        }
    );
    // Elapsed time moves forward with the virtual clock, and the drive's progress keeps the
    // expectation near the 60 s the scripted drive takes.
    assert!(updates
        .windows(2)
        .all(|w| w[0].elapsed_seconds <= w[1].elapsed_seconds));
    let last = updates.last().unwrap();
    assert!((60..=61).contains(&last.elapsed_seconds), "{last:?}");
    assert_eq!(last.expected_seconds, last.elapsed_seconds);
    let middle = updates.iter().find(|u| u.elapsed_seconds == 30).unwrap();
    assert!((59..=61).contains(&middle.expected_seconds), "{middle:?}");
}

#[test]
fn a_full_erase_blanks_the_whole_disc() {
    let mut e = eraser(cd_rw(), true);
    let mut updates = Vec::new();
    e.erase_media(&mut |u| updates.push(u)).unwrap();
    let drive = e.take_recorder().unwrap().into_transport();
    assert_eq!(drive.blanks.len(), 1);
    assert_eq!(
        drive.blanks[0][1], 0x10,
        "Immed, blanking type 000b (the whole disc)"
    );
    // 20 minutes for an 80-minute CD-RW at 4x before the drive says anything.
    assert_eq!(updates[0].expected_seconds, 1200);
    assert!((1200..=1201).contains(&updates.last().unwrap().elapsed_seconds));
}

#[test]
fn a_drive_without_progress_is_asked_with_request_sense_and_the_estimate_stays() {
    let mut drive = cd_rw();
    drive.progress = false;
    let (r, updates) = erase(drive, false);
    r.unwrap();
    // No fraction from TEST UNIT READY nor REQUEST SENSE: the medium's estimate stands.
    assert!(updates
        .iter()
        .filter(|u| u.elapsed_seconds < 60)
        .all(|u| u.expected_seconds == 60));
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
            failure(drive_with(kind)),
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
        let mut e = eraser(drive_with(kind), false);
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
fn a_blank_the_drive_refuses_is_drive_failed_erase_command() {
    let d = faulty_cd_rw(
        r#"{"match": {"opcode": "BLANK"}, "action": {"sense": {"key": "medium_error", "asc": "0x0C", "ascq": "0x00"}}, "times": "once"}"#,
    );
    assert_eq!(
        failure(d),
        ("E_IMAPI_ERASE_DRIVE_FAILED_ERASE_COMMAND", 0x80AA0905)
    );
}

#[test]
fn a_blank_that_never_ends_took_longer_than_one_hour() {
    let mut d = cd_rw();
    d.quick = Duration::from_secs(5 * 3600);
    let (r, updates) = erase(d, false);
    assert_eq!(
        r.unwrap_err().hresult(),
        0x80AA0906,
        "E_IMAPI_ERASE_TOOK_LONGER_THAN_ONE_HOUR"
    );
    assert!(updates.last().unwrap().elapsed_seconds >= 3600);
}

#[test]
fn a_hardware_error_while_polling_is_an_unexpected_response_during_erase() {
    let d = faulty_cd_rw(
        r#"{"match": {"opcode": "TEST UNIT READY", "nth": 6}, "action": {"sense": {"key": "hardware_error", "asc": "0x44", "ascq": "0x00"}}, "times": "once"}"#,
    );
    assert_eq!(
        failure(d),
        (
            "E_IMAPI_ERASE_UNEXPECTED_DRIVE_RESPONSE_DURING_ERASE",
            0x80AA0907
        )
    );
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
    let d = Faulty::new(cd_rw(), testkit::fault_plan("short-disc-information.json")).unwrap();
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
fn the_general_conditions_keep_their_recorder_codes() {
    let sense = |key: &str, asc: u8, ascq: u8| {
        format!(r#"{{"sense": {{"key": "{key}", "asc": "0x{asc:02X}", "ascq": "0x{ascq:02X}"}}}}"#)
    };
    let rows = [
        (
            "TEST UNIT READY",
            sense("not_ready", 0x3A, 0),
            "E_IMAPI_RECORDER_MEDIA_NO_MEDIA",
        ),
        (
            "TEST UNIT READY",
            sense("not_ready", 0x06, 0),
            "E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN",
        ),
        (
            "TEST UNIT READY",
            sense("not_ready", 0x04, 1),
            "E_IMAPI_RECORDER_MEDIA_BECOMING_READY",
        ),
        (
            "TEST UNIT READY",
            sense("not_ready", 0x04, 4),
            "E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS",
        ),
        (
            "TEST UNIT READY",
            sense("not_ready", 0x04, 8),
            "E_IMAPI_RECORDER_MEDIA_BUSY",
        ),
        (
            "BLANK",
            sense("data_protect", 0x27, 0),
            "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
        ),
        (
            "BLANK",
            sense("not_ready", 0x3A, 0),
            "E_IMAPI_RECORDER_MEDIA_NO_MEDIA",
        ),
        (
            "MODE SENSE (10)",
            sense("illegal_request", 0x24, 0),
            "E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE",
        ),
        (
            "BLANK",
            "\"timeout_before\"".into(),
            "E_IMAPI_RECORDER_COMMAND_TIMEOUT",
        ),
        (
            "BLANK",
            "\"device_gone\"".into(),
            "HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)",
        ),
    ];
    for (opcode, action, want) in rows {
        let d = faulty_cd_rw(&format!(
            r#"{{"match": {{"opcode": "{opcode}"}}, "action": {action}, "times": "always"}}"#
        ));
        assert_eq!(failure(d).0, want, "{opcode} {action}");
    }
}

#[test]
fn a_drive_held_by_another_client_is_erase_recorder_in_use() {
    let shared = SharedDrive::new(drive_with(MediumKind::CdR80));
    let mut e = eraser(Erasable::new(shared.client("erase test"), CD_RW), false);
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
    e.set_recorder(Recorder::open(cd_rw_plain()).unwrap());
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

fn cd_rw_plain() -> EmulatedDrive {
    drive_with(MediumKind::CdR80)
}
