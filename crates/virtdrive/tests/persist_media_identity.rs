//! A disc keeps who made it: the media identity a disc file was created with (the drive
//! configuration's, `--media-id`, or `virt:MEDIA/ID@FILE`) is saved with the disc and read
//! back when the file is opened again, as READ DISC STRUCTURE 11h (the DVD+R ADIP, MMC-6
//! 6.22) reports it; files saved without one load with the medium's default.
#![cfg(unix)]

use std::time::Duration;

use testkit::*;
use virtdrive::medium::{MediaIdentity, MediumKind};
use virtdrive::serve::{open_drive, DriveOptions};
use virtdrive::{DiscFileDrive, DriveConfig, VirtSpec};

/// The Disc Manufacturer ID and Media Type ID of the DVD+R ADIP (format 11h, ADIP bytes 19-26
/// and 27-29 after the 4-byte header).
fn adip_identity<T: mmc_core::Transport>(d: &mut T) -> (String, String) {
    let cdb = [0xAD, 0, 0, 0, 0, 0, 0, 0x11, 0x01, 0x04, 0, 0];
    let adip = command_in(d, &cdb, 260);
    let text = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .trim_end_matches('\0')
            .to_string()
    };
    (text(&adip[4 + 19..4 + 27]), text(&adip[4 + 27..4 + 30]))
}

fn config(id: Option<&str>) -> DriveConfig {
    DriveConfig {
        media_identity: id.map(|s| MediaIdentity::parse(s).unwrap()),
        ..DriveConfig::default()
    }
}

#[test]
fn the_identity_a_disc_was_created_with_is_kept_in_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut d =
        DiscFileDrive::open(MediumKind::DvdPlusR, &path, config(Some("ACMEDISC/X42/3"))).unwrap();
    assert_eq!(adip_identity(&mut d), ("ACMEDISC".into(), "X42".into()));
    d.commit().unwrap();
    drop(d);
    // Opened again without naming one: the disc's own identity.
    let mut d = DiscFileDrive::open_existing(MediumKind::DvdPlusR, &path, config(None)).unwrap();
    assert_eq!(adip_identity(&mut d), ("ACMEDISC".into(), "X42".into()));
    // A disc cannot change maker: the saved identity outranks the configuration's.
    drop(d);
    let mut d =
        DiscFileDrive::open_existing(MediumKind::DvdPlusR, &path, config(Some("OTHER/Y01/1")))
            .unwrap();
    assert_eq!(adip_identity(&mut d), ("ACMEDISC".into(), "X42".into()));
}

#[test]
fn a_file_saved_without_an_identity_loads_with_the_default_and_takes_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let d = DiscFileDrive::open(MediumKind::DvdPlusR, &path, config(None)).unwrap();
    drop(d);
    // What an earlier build wrote: no identity in the state file.
    let state_path = dir.path().join("disc.state.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    state["state"]
        .as_object_mut()
        .unwrap()
        .remove("media_identity");
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    let mut d = DiscFileDrive::open_existing(MediumKind::DvdPlusR, &path, config(None)).unwrap();
    assert_eq!(adip_identity(&mut d), ("RICOHJPN".into(), "R03".into()));
    drop(d);
    let mut d =
        DiscFileDrive::open_existing(MediumKind::DvdPlusR, &path, config(Some("ACMEDISC/X42/3")))
            .unwrap();
    assert_eq!(adip_identity(&mut d), ("ACMEDISC".into(), "X42".into()));
}

#[test]
fn the_virt_spec_names_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("disc");
    let spec = format!("virt:dvd+r/ACMEDISC/X42/3@{}", file.display());
    let parsed = VirtSpec::parse(&spec).unwrap();
    assert_eq!(parsed.kind, MediumKind::DvdPlusR);
    assert_eq!(parsed.file.as_deref(), Some(file.as_path()));
    assert_eq!(parsed.to_string(), spec, "written back as read");
    let options = DriveOptions {
        drive: parsed,
        fault_plan: None,
        transcript: None,
        paced: false,
        poll_wait: Duration::from_secs(1),
        media_identity: Some(MediaIdentity::parse("OTHER/Y01/1").unwrap()),
    };
    let mut served = open_drive(&options).unwrap();
    assert_eq!(
        adip_identity(&mut served),
        ("ACMEDISC".into(), "X42".into())
    );
    drop(served);
    let mut d = DiscFileDrive::open_existing(MediumKind::DvdPlusR, &file, config(None)).unwrap();
    assert_eq!(adip_identity(&mut d), ("ACMEDISC".into(), "X42".into()));

    for bad in [
        "virt:dvd+r/ACMEDISC/X42",
        "virt:dvd+r/TOOLONGNAME/X42/3",
        "virt:dvd+r/",
    ] {
        let e = VirtSpec::parse(bad).unwrap_err();
        assert!(e.contains("media id"), "{bad}: {e}");
    }
}
