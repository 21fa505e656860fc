//! The `discwriter` command built with `sgio` burns through the real SG_IO ioctl path onto
//! `/dev/sr9`, which `virtdrive run` and its preload shim make an emulated drive: `statx` and
//! `fstat` say block device 11:9, the O_EXCL open and SG_GET_VERSION_NUM succeed, and every
//! SG_IO reaches the emulator. The disc is then read back through the emulator's library.
//!
//! Runs with `cargo test --features sgio --test real_clients_discwriter` (Linux).
#![cfg(all(feature = "sgio", target_os = "linux"))]

mod common;

use std::path::{Path, PathBuf};

use virtdrive::medium::MediumKind;
use virtdrive::run::{Devices, RunOptions};
use virtdrive::serve::{DriveOptions, VirtSpec, DEFAULT_POLL_WAIT};
use virtdrive::{DiscFileDrive, DriveConfig};

const DISCWRITER: &str = env!("CARGO_BIN_EXE_discwriter");

/// Runs `sh -c SCRIPT` through virtdrive's `run` against the disc in `disc` ($DW is the
/// discwriter command); returns the exit code.
fn run_sh(dir: &Path, disc: &Path, fault_plan: Option<PathBuf>, script: &str) -> i32 {
    let options = RunOptions {
        drive: DriveOptions {
            drive: VirtSpec {
                kind: MediumKind::BdRe,
                file: Some(disc.to_path_buf()),
                media_id: None,
                hash_only: false,
            },
            fault_plan,
            transcript: None,
            paced: false,
            poll_wait: DEFAULT_POLL_WAIT,
            media_identity: None,
            changer: 1,
        },
        devices: Devices::default(),
        program: "/bin/sh".into(),
        args: vec![
            "-c".into(),
            format!("cd '{}' && DW='{DISCWRITER}' && {script}", dir.display()).into(),
        ],
        verbose: false,
        launcher: None,
    };
    let status = virtdrive::run::run(&options).expect("virtdrive run starts and saves");
    virtdrive::run::exit_code(status)
}

fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn discwriter_burns_and_verifies_through_sg_io_on_dev_sr9() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("bd.disc");
    let image = common::image(300, 0x5C);
    std::fs::write(dir.path().join("image.iso"), &image).unwrap();

    let code = run_sh(
        dir.path(),
        &disc,
        None,
        "$DW info --drive /dev/sr9 --json > info.json",
    );
    assert_eq!(code, 0);
    let info = &json_lines(&dir.path().join("info.json"))[0];
    // What the emulator's INQUIRY and GET CONFIGURATION say, as SgDevice received them.
    assert_eq!(info["vendor"], "VIRTDRV");
    assert_eq!(info["product"], "VIRTUAL WRITER");
    assert_eq!(info["profile"], "BD-RE");
    assert_eq!(info["status"], "blank");

    let code = run_sh(
        dir.path(),
        &disc,
        None,
        "$DW write image.iso --drive /dev/sr9 --verify full --json > write.json 2> write.err",
    );
    let events = json_lines(&dir.path().join("write.json"));
    let result = &events.last().unwrap()["result"];
    assert_eq!(code, 0, "{result}");
    assert_eq!(result["hresult"], "0x00000000");
    assert_eq!(result["sectors"], 300);
    assert!(events.iter().any(|e| e["event"]["action"] == "VERIFYING"));

    // The disc file holds the image, read through the emulator itself.
    let mut drive = DiscFileDrive::open(MediumKind::BdRe, &disc, DriveConfig::default()).unwrap();
    let back = common::read_back(&mut drive, 0, 300);
    common::assert_same_sectors(&back, &image, 0, "the burned disc");
}

#[test]
fn a_write_protect_fault_is_reported_by_discwriter_over_sg_io() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("bd.disc");
    std::fs::write(dir.path().join("image.iso"), common::image(64, 1)).unwrap();
    let plan = common::fixture("fault-plans/write-protect-on-write.json");
    let code = run_sh(
        dir.path(),
        &disc,
        Some(plan),
        "$DW info --drive /dev/sr9 --json > info.json && \
         $DW write image.iso --drive /dev/sr9 --json > write.json 2> write.err",
    );
    assert_eq!(
        json_lines(&dir.path().join("info.json"))[0]["vendor"],
        "VIRTDRV"
    );
    assert_ne!(code, 0);
    let events = json_lines(&dir.path().join("write.json"));
    let result = &events.last().unwrap()["result"];
    // 07/27/00 WRITE PROTECTED on the first WRITE (10), as the SG_IO sense reported it.
    assert_eq!(
        result["error"], "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
        "{result}"
    );
    assert_eq!(result["hresult"], "0xC0AA0209");
}

#[test]
fn discwriter_drives_lists_the_drive_on_both_nodes_with_its_current_profile() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("bd.disc");
    let code = run_sh(dir.path(), &disc, None, "$DW drives --json > drives.json");
    assert_eq!(code, 0);
    let listing = &json_lines(&dir.path().join("drives.json"))[0];
    assert_eq!(listing["sgio"], true);
    let devices = listing["devices"].as_array().unwrap();
    // The shim's /dev/sr9 and /dev/sg9 (found by name: they are in no directory listing),
    // each identified by INQUIRY and GET CONFIGURATION through SG_IO.
    for path in ["/dev/sr9", "/dev/sg9"] {
        let d = devices
            .iter()
            .find(|d| d["path"] == path)
            .unwrap_or_else(|| panic!("{path} listed: {listing}"));
        assert_eq!(d["kind"], "drive", "{d}");
        assert_eq!(d["vendor"], "VIRTDRV");
        assert_eq!(d["product"], "VIRTUAL WRITER");
        assert_eq!(d["profile"], "BD-RE");
        assert_eq!(d["profile_code"], "0x0043");
    }
}
