//! What CurrentMediaStatus and WriteProtectStatus report from the drive's own account of the
//! disc: the state of its last session (READ DISC INFORMATION), a damaged track (READ TRACK
//! INFORMATION) and each cause of write protection (READ DISC STRUCTURE format C0h, the DVD+RW
//! write-inhibit DCB), and what Write does on such a disc.

mod common;

use common::*;
use discwriter::writer::{media_state as ms, write_protect_state as wp};
use discwriter::{DataWriter, Error, VerificationLevel, WriteOptions};
use mmc_core::response::disc_info::LastSessionState;
use mmc_core::response::{DiscInformation, ResponseFormat};
use mmc_core::Transport;
use virtdrive::fault::{DriveCondition, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::{EmulatedDrive, WriteProtection};

const WRITE_ONCE: [MediumKind; 3] = [CD_R, MediumKind::DvdPlusR, MediumKind::BdR];

/// READ DISC INFORMATION's State of Last Session, asked of the drive directly.
fn last_session_state<T: Transport>(drive: &mut T) -> LastSessionState {
    let cdb = [0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0]; // READ DISC INFORMATION, 34 bytes
    let bytes = testkit::command_in(drive, &cdb, 34);
    DiscInformation::parse(&bytes).unwrap().last_session_state
}

/// Each write leaves a DVD+R appendable (the compatible close would finalize it), as on the
/// other write-once media.
fn options() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::None,
        disable_consumer_dvd_compatibility_mode: true,
        ..WriteOptions::default()
    }
}

/// A writer whose first write the drive fails in the middle (03/0C/00 at LBA 160), after
/// that write.
fn after_a_failed_write(kind: MediumKind) -> DataWriter<Faulty<EmulatedDrive>> {
    let faulty = Faulty::for_drive(drive(kind), plan("matrix/writing-write-error.json"));
    let w = writer(faulty, options());
    assert!(write_collecting(&w, &image(320, 1)).0.is_err());
    w
}

/// A write the drive fails in the middle (03/0C/00 at LBA 160) leaves its track open, as the
/// engine leaves it after a drive failure: the last session is incomplete and holds data,
/// NON_EMPTY_SESSION. The writer goes on in that session (IMAPI would refuse the disc), and
/// afterwards the session is closed and the flag gone.
#[test]
fn an_open_session_with_data_is_non_empty_session() {
    for kind in WRITE_ONCE {
        let name = kind.name();
        let w = after_a_failed_write(kind);
        let mut rec = w.take_recorder().unwrap().unwrap();
        assert_eq!(
            last_session_state(rec.transport_mut()),
            LastSessionState::Incomplete,
            "{name}"
        );
        w.set_recorder(rec).unwrap();
        assert_eq!(
            w.current_media_status().unwrap(),
            ms::APPENDABLE | ms::NON_EMPTY_SESSION,
            "{name}"
        );
        let (r, _) = write_collecting(&w, &image(300, 2));
        r.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(w.current_media_status().unwrap(), ms::APPENDABLE, "{name}");
        let mut rec = w.take_recorder().unwrap().unwrap();
        assert_eq!(
            last_session_state(rec.transport_mut()),
            LastSessionState::Empty,
            "{name}: the session was closed; the next is empty"
        );
    }
}

/// A damaged open session (state 10b, its track Damage with no next writable address) is
/// DAMAGED, not appendable; Write refuses it with E_IMAPI_DF2DATA_INVALID_MEDIA_STATE before
/// sending anything that records. None of these media is erasable: no ERASE_REQUIRED.
#[test]
fn a_damaged_session_is_damaged_and_refused() {
    for kind in WRITE_ONCE {
        let name = kind.name();
        let w = after_a_failed_write(kind);
        let mut rec = w.take_recorder().unwrap().unwrap();
        rec.transport_mut()
            .inner_mut()
            .enter_condition(&DriveCondition::DamagedSession);
        assert_eq!(
            last_session_state(rec.transport_mut()),
            LastSessionState::Damaged,
            "{name}"
        );
        w.set_recorder(rec).unwrap();
        assert_eq!(w.current_media_status().unwrap(), ms::DAMAGED, "{name}");
        let e = write_collecting(&w, &image(300, 2)).0.unwrap_err();
        assert!(
            matches!(e, Error::InvalidMediaState { .. }),
            "{name}: {e:?}"
        );
        assert_eq!(e.hresult(), 0xC0AA_0402, "{name}");
    }
}

fn protected(kind: MediumKind, causes: WriteProtection) -> DataWriter<EmulatedDrive> {
    let mut d = drive(kind);
    d.set_write_protection(causes);
    writer(d, WriteOptions::default())
}

/// Each cause the drive reports gives its IMAPI_MEDIA_WRITE_PROTECT_STATE flag, and
/// CurrentMediaStatus says WRITE_PROTECTED.
#[test]
fn each_write_protect_cause_gives_its_flag() {
    let none = WriteProtection::default();
    let rows = [
        (
            WriteProtection {
                until_power_down: true,
                ..none
            },
            wp::UNTIL_POWERDOWN,
        ),
        (
            WriteProtection {
                cartridge: true,
                ..none
            },
            wp::BY_CARTRIDGE,
        ),
        (
            WriteProtection {
                media_specific: true,
                ..none
            },
            wp::BY_MEDIA_SPECIFIC_REASON,
        ),
        (
            WriteProtection {
                persistent: true,
                ..none
            },
            wp::BY_SOFTWARE_WRITE_PROTECT,
        ),
        (
            WriteProtection {
                cartridge: true,
                persistent: true,
                ..none
            },
            wp::BY_CARTRIDGE | wp::BY_SOFTWARE_WRITE_PROTECT,
        ),
    ];
    for kind in [MediumKind::DvdPlusR, DVD_PLUS_RW, MediumKind::BdR, BD_RE] {
        for (causes, flags) in rows {
            let w = protected(kind, causes);
            assert_eq!(
                w.write_protect_status().unwrap(),
                flags,
                "{} {causes:?}",
                kind.name()
            );
            assert_ne!(w.current_media_status().unwrap() & ms::WRITE_PROTECTED, 0);
        }
    }
    // The DVD+RW write-inhibit Disc Control Block.
    let w = protected(
        DVD_PLUS_RW,
        WriteProtection {
            disc_control_block: true,
            ..none
        },
    );
    assert_eq!(w.write_protect_status().unwrap(), wp::BY_DISC_CONTROL_BLOCK);
    // A CD drive has no format C0h to say why: the cause is the medium's.
    let w = protected(CD_R, WriteProtection::MEDIA_SPECIFIC);
    assert_eq!(
        w.write_protect_status().unwrap(),
        wp::BY_MEDIA_SPECIFIC_REASON
    );
    // Pressed media.
    let w = writer(drive(MediumKind::DvdRom), WriteOptions::default());
    assert_eq!(w.write_protect_status().unwrap(), wp::READ_ONLY_MEDIA);
    for kind in [CD_R, DVD_PLUS_RW] {
        let w = writer(drive(kind), WriteOptions::default());
        assert_eq!(w.write_protect_status().unwrap(), 0, "{}", kind.name());
    }
}

/// `discwriter info` names the causes of the write protection.
#[test]
fn info_names_the_write_protect_causes() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    let spec = format!("virt:dvd+rw@{}", disc.display());
    ok(
        discwriter(&["format", "--drive", &spec], dir.path()),
        "format",
    );
    // The disc file keeps the drive's view of the disc: set two causes there.
    let state_path = dir.path().join("disc.state.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    state["state"]["drive"]["write_protection"] =
        serde_json::json!({ "cartridge": true, "persistent": true });
    // Edited by hand, so written as format version 1, which carries no check.
    state["version"] = serde_json::json!(1);
    state.as_object_mut().unwrap().remove("check");
    std::fs::write(&state_path, state.to_string()).unwrap();

    let o = ok(
        discwriter(&["info", "--drive", &spec, "--json"], dir.path()),
        "info --json",
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["write_protected"], true);
    assert_eq!(
        v["write_protection"],
        serde_json::json!(["cartridge", "persistent"])
    );
    let o = ok(discwriter(&["info", "--drive", &spec], dir.path()), "info");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Write protection: on (cartridge, persistent)"),
        "{out}"
    );
}
