//! A disc keeps who made it: the media identity a disc file was created with (the drive
//! configuration's, `--media-id`, or `virt:MEDIA/ID@FILE`) is saved with the disc and read
//! back when the file is opened again, as READ DISC STRUCTURE 11h (the DVD+R ADIP, MMC-6
//! 6.22) reports it; files saved without one load with the medium's default.
#![cfg(unix)]

use std::path::Path;
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

/// The disc file at `path` opened again with the configuration naming `id`.
fn reopen(path: &Path, id: Option<&str>) -> DiscFileDrive {
    DiscFileDrive::open_existing(MediumKind::DvdPlusR, path, config(id)).unwrap()
}

const ACME: (&str, &str) = ("ACMEDISC", "X42");

fn identity_of(mut d: DiscFileDrive) -> (String, String) {
    adip_identity(&mut d)
}

#[test]
fn the_identity_a_disc_was_created_with_is_kept_in_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut d =
        DiscFileDrive::open(MediumKind::DvdPlusR, &path, config(Some("ACMEDISC/X42/3"))).unwrap();
    assert_eq!(adip_identity(&mut d), (ACME.0.into(), ACME.1.into()));
    d.commit().unwrap();
    drop(d);
    // Opened again without naming one: the disc's own identity.
    assert_eq!(
        identity_of(reopen(&path, None)),
        (ACME.0.into(), ACME.1.into())
    );
    // A disc cannot change maker: the saved identity outranks the configuration's.
    assert_eq!(
        identity_of(reopen(&path, Some("OTHER/Y01/1"))),
        (ACME.0.into(), ACME.1.into())
    );
}

#[test]
fn a_file_saved_without_an_identity_loads_with_the_default_and_takes_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    drop(DiscFileDrive::open(MediumKind::DvdPlusR, &path, config(None)).unwrap());
    // What an earlier build wrote: no identity in the state file.
    let state_path = dir.path().join("disc.state.json");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    assert!(state["state"].get("media_identity").is_none(), "{state}");
    assert_eq!(
        identity_of(reopen(&path, None)),
        ("RICOHJPN".into(), "R03".into())
    );
    // Named when opened, it is the disc's from its next commit on.
    let mut d = reopen(&path, Some("ACMEDISC/X42/3"));
    assert_eq!(adip_identity(&mut d), (ACME.0.into(), ACME.1.into()));
    d.commit().unwrap();
    drop(d);
    assert_eq!(
        identity_of(reopen(&path, None)),
        (ACME.0.into(), ACME.1.into())
    );
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
        changer: 1,
    };
    let mut served = open_drive(&options).unwrap();
    assert_eq!(
        adip_identity(&mut served),
        ("ACMEDISC".into(), "X42".into())
    );
    drop(served);
    assert_eq!(
        identity_of(reopen(&file, None)),
        (ACME.0.into(), ACME.1.into())
    );

    for bad in [
        "virt:dvd+r/ACMEDISC/X42",
        "virt:dvd+r/TOOLONGNAME/X42/3",
        "virt:dvd+r/",
    ] {
        let e = VirtSpec::parse(bad).unwrap_err();
        assert!(e.contains("media id"), "{bad}: {e}");
    }
}
