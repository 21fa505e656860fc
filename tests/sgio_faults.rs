//! The `discwriter` command built with `sgio`, facing SG_IO failures below the drive: the
//! preload shim of `virtdrive run` fails chosen ioctls or completes them with a host or driver
//! status (`VIRTDRIVE_SHIM_FAIL`), or limits one transfer as a USB bridge does
//! (`VIRTDRIVE_SHIM_MAX_TRANSFER`). Each failure ends the command with exit status 1 and one
//! line naming what happened, never a panic; ENXIO is the device-gone error, a host status
//! that asks for a resend is resent.
//!
//! Runs with `cargo test --features sgio --test sgio_faults` (Linux).
#![cfg(all(feature = "sgio", target_os = "linux"))]

mod common;

use std::path::Path;

use virtdrive::medium::MediumKind;
use virtdrive::run::{Devices, RunOptions};
use virtdrive::serve::{DriveOptions, VirtSpec, DEFAULT_POLL_WAIT};
use virtdrive::{DiscFileDrive, DriveConfig};

const DISCWRITER: &str = env!("CARGO_BIN_EXE_discwriter");

#[derive(Debug)]
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `discwriter ARGS` under `virtdrive run` against a BD-RE kept in `dir/bd.disc`, with
/// `env` set for it (and so for the shim in its process).
fn discwriter(dir: &Path, env: &[(&str, &str)], args: &str) -> Ran {
    let mut script = format!("cd '{}' && ", dir.display());
    for (k, v) in env {
        script.push_str(&format!("{k}='{v}' "));
    }
    script.push_str(&format!("'{DISCWRITER}' {args} > out.txt 2> err.txt"));
    let options = RunOptions {
        drive: DriveOptions {
            drive: VirtSpec {
                kind: MediumKind::BdRe,
                file: Some(dir.join("bd.disc")),
                media_id: None,
                hash_only: false,
            },
            fault_plan: None,
            transcript: None,
            paced: false,
            poll_wait: DEFAULT_POLL_WAIT,
            media_identity: None,
            changer: 1,
        },
        devices: Devices::default(),
        program: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        verbose: false,
        launcher: None,
    };
    let status = virtdrive::run::run(&options).expect("virtdrive run starts and saves");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    Ran {
        code: virtdrive::run::exit_code(status),
        stdout: read("out.txt"),
        stderr: read("err.txt"),
    }
}

/// Exit 1 and one line on stderr, `discwriter: ...`, with every one of `words` and no panic.
fn assert_fails_with(ran: &Ran, what: &str, words: &[&str]) {
    assert_eq!(ran.code, 1, "{what}: {ran:?}");
    assert!(!ran.stderr.contains("panicked"), "{what}: {ran:?}");
    let lines: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: one line: {ran:?}");
    assert!(lines[0].starts_with("discwriter: "), "{what}: {ran:?}");
    for w in words {
        assert!(lines[0].contains(w), "{what}: {w:?} in {:?}", lines[0]);
    }
}

/// The first INQUIRY `info` sends fails each way the ioctl can.
#[test]
fn every_injected_ioctl_failure_is_one_clear_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let table: &[(&str, &[&str])] = &[
        ("12@1:EIO", &["EIO", "E_FAIL"]),
        (
            "12@1:EINVAL",
            &["EINVAL", "data phase of 36 bytes", "E_FAIL"],
        ),
        ("12@1:ENOMEM", &["ENOMEM", "data phase of 36 bytes"]),
        ("12@1:EINTR", &["EINTR", "not sent again"]),
        // The device-gone error (IMAPI's ERROR_DEV_NOT_EXIST).
        ("12@1:ENXIO", &["gone away", "0x80070037"]),
        ("12@1:ENODEV", &["gone away", "0x80070037"]),
        ("12@1:host=0x07", &["DID_ERROR", "E_FAIL"]),
        ("12@1:host=0x08", &["DID_RESET"]),
        ("12@1:host=0x03", &["E_IMAPI_RECORDER_COMMAND_TIMEOUT"]),
        ("12@1:host=0x01", &["gone away"]),
        ("12@1:driver=0x04", &["DRIVER_ERROR", "E_FAIL"]),
        // DRIVER_TIMEOUT with the DRIVER_SENSE flag.
        ("12@1:driver=0x0e", &["E_IMAPI_RECORDER_COMMAND_TIMEOUT"]),
        ("12@1:host=0x0b*4", &["DID_SOFT_ERROR", "3 resends"]),
    ];
    for (rule, words) in table {
        let ran = discwriter(
            dir.path(),
            &[("VIRTDRIVE_SHIM_FAIL", rule)],
            "info --drive /dev/sr9",
        );
        assert_fails_with(&ran, rule, words);
    }
}

/// A host status that asks for a resend (DID_SOFT_ERROR, DID_BUS_BUSY) is resent, and the
/// command works.
#[test]
fn a_soft_error_or_a_busy_bus_is_resent_and_the_command_works() {
    let dir = tempfile::tempdir().unwrap();
    for rule in [
        "12@1:host=0x0b*3",
        "12@1:host=0x02",
        "1:host=0x0c,2:host=0x0d",
    ] {
        let ran = discwriter(
            dir.path(),
            &[("VIRTDRIVE_SHIM_FAIL", rule)],
            "info --drive /dev/sr9 --json",
        );
        assert_eq!(ran.code, 0, "{rule}: {ran:?}");
        assert!(ran.stdout.contains("\"VIRTDRV\""), "{rule}: {ran:?}");
    }
}

/// A path that takes 32 KiB per command: the write sizes its transfers to the limit SgDevice
/// read at open, and the disc holds the image.
#[test]
fn a_32_kib_path_gets_32_kib_transfers_and_the_write_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let image = common::image(300, 0x3C);
    std::fs::write(dir.path().join("image.iso"), &image).unwrap();
    let ran = discwriter(
        dir.path(),
        &[("VIRTDRIVE_SHIM_MAX_TRANSFER", "32768")],
        "write image.iso --drive /dev/sr9 --verify full --json",
    );
    let last = ran.stdout.lines().last().unwrap_or_default();
    let result: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{last}: {e} ({ran:?})"));
    let result = &result["result"];
    // The engine sizes its transfers to the limit SgDevice read: the write succeeds.
    assert_eq!(ran.code, 0, "{ran:?}");
    assert_eq!(result["verified"], "full", "{result}");
    let mut drive = DiscFileDrive::open(
        MediumKind::BdRe,
        &dir.path().join("bd.disc"),
        DriveConfig::default(),
    )
    .unwrap();
    let back = common::read_back(&mut drive, 0, 300);
    common::assert_same_sectors(&back, &image, 0, "the disc written 32 KiB at a time");
}
