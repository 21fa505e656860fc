//! `SgDevice` against the emulator through the real SG_IO path (`virtdrive run` and its preload
//! shim, which make `/dev/sr9` and `/dev/sg9` one drive at SCSI address 9:0:0:0, with Linux's
//! O_EXCL rules and real fcntl locks): exclusive access to both nodes, the transfer limit, and
//! how every injected ioctl failure and host or driver status comes out of `execute`.
//!
//! Each test starts this binary again under `virtdrive run` (see `sgio_support`); the child
//! does the work and its assertions decide the exit status the parent checks.
#![cfg(all(feature = "sgio", target_os = "linux"))]

mod sgio_support;

use std::path::Path;
use std::time::{Duration, Instant};

use discwriter::sgio::{OpenError, SgDevice, SgOpenConfig};
use mmc_core::{DataPhase, Transport, TransportError};
use sgio_support::{holder_hold, holder_try, is_child, run_in_shim, Shim};

const TIMEOUT: Duration = Duration::from_secs(10);

/// GET CONFIGURATION of every feature, allocation length 65535: answered GOOD by the drive
/// whatever disc it holds, with a data-in phase of any size the host offers.
const GET_CONFIGURATION: [u8; 10] = [
    0x46, // GET CONFIGURATION
    0x00, // RT 00b: all features
    0, 0, // starting feature
    0, 0, 0, // reserved
    0xFF, 0xFF, // allocation length
    0,    // control
];

fn get_configuration(
    dev: &mut SgDevice,
    bytes: usize,
) -> Result<mmc_core::Completion, TransportError> {
    let mut buf = vec![0u8; bytes];
    dev.execute(&GET_CONFIGURATION, DataPhase::In(&mut buf), TIMEOUT)
}

fn shim_env(pairs: &[(&'static str, &str)]) -> Shim<'static> {
    Shim {
        env: pairs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        ..Shim::default()
    }
}

/// A second program is refused every way into the drive while `SgDevice` holds it, whichever
/// node it was given; once it is dropped, the drive is free.
#[test]
fn both_nodes_are_held_exclusively_and_locked_whichever_is_given() {
    const NAME: &str = "both_nodes_are_held_exclusively_and_locked_whichever_is_given";
    if !is_child(NAME) {
        sgio_support::holder(); // built outside the shim
        assert_eq!(run_in_shim(NAME, Shim::default()), 0);
        return;
    }
    for given in ["/dev/sr9", "/dev/sg9"] {
        let dev = SgDevice::open(given).unwrap_or_else(|e| panic!("{given}: {e}"));
        assert_eq!(dev.path(), Path::new(given));
        // Commands go through the block node; the other one is held beside it.
        assert_eq!(dev.command_path(), Path::new("/dev/sr9"), "given {given}");
        assert_eq!(
            dev.sibling_path(),
            Some(Path::new("/dev/sg9")),
            "given {given}"
        );
        for (node, refusal) in [
            ("x:/dev/sg9", "/dev/sg9: open: EBUSY"),
            // The sg driver refuses any open while one is exclusive (with O_NONBLOCK).
            ("/dev/sg9", "/dev/sg9: open: EBUSY"),
            ("x:/dev/sr9", "/dev/sr9: open: EBUSY"),
            ("l:/dev/sr9", "/dev/sr9: lock: "),
        ] {
            let (code, out) = holder_try(&[node]);
            assert_eq!(code, 1, "{node} while {given} is held: {out}");
            assert!(
                out.starts_with(refusal),
                "{node} while {given} is held: {out}"
            );
        }
        // A plain open of the block node cannot be refused (Linux allows it too); the lock
        // is what tells a cooperating program.
        assert_eq!(holder_try(&["/dev/sr9"]).0, 0);
        drop(dev);
        let (code, out) = holder_try(&["xl:/dev/sg9", "xl:/dev/sr9"]);
        assert_eq!(code, 0, "after the drop: {out}");
    }
}

/// Another program holding either node makes the open fail as busy, after the retries.
#[test]
fn a_drive_held_elsewhere_is_busy_after_the_retries() {
    const NAME: &str = "a_drive_held_elsewhere_is_busy_after_the_retries";
    if !is_child(NAME) {
        sgio_support::holder();
        // The retries are real time the open spends on another program, so the shim's
        // shortening of sleeps (virtdrive run's accelerated default) is turned off.
        let whole_sleeps = Shim {
            env: vec![("VIRTDRIVE_SHIM_SLEEP_DIVISOR", "1".into())],
            ..Shim::default()
        };
        assert_eq!(run_in_shim(NAME, whole_sleeps), 0);
        return;
    }
    let no_wait = SgOpenConfig {
        busy_waits: Vec::new(),
        ..SgOpenConfig::default()
    };
    for (held, given, busy_node) in [
        ("x:/dev/sg9", "/dev/sr9", "/dev/sg9"),
        ("l:/dev/sg9", "/dev/sr9", "/dev/sg9"),
        ("l:/dev/sr9", "/dev/sg9", "/dev/sr9"),
        ("x:/dev/sr9", "/dev/sr9", "/dev/sr9"),
    ] {
        let holder = holder_hold(&[held]);
        assert!(holder.report.ends_with("held\n"), "{}", holder.report);
        match SgDevice::open_with(given, &no_wait) {
            Err(OpenError::Busy { path }) => assert_eq!(path, Path::new(busy_node)),
            other => panic!("{given} while {held} is held: {other:?}"),
        }
        drop(holder);
        SgDevice::open_with(given, &no_wait).unwrap_or_else(|e| panic!("{given} freed: {e}"));
    }
    // With the default waits, a drive held throughout is tried for 2.5 s before it is busy.
    let holder = holder_hold(&["x:/dev/sg9"]);
    let start = Instant::now();
    let r = SgDevice::open("/dev/sr9");
    assert!(matches!(r, Err(OpenError::Busy { .. })), "{r:?}");
    assert!(
        start.elapsed() >= Duration::from_millis(2500),
        "{:?}",
        start.elapsed()
    );
    drop(holder);
}

/// VIRTDRIVE_SHIM_MAX_TRANSFER=32768: the limit is read at open, and a larger data phase is
/// refused by the host as a transport limit naming both sizes (EIO from the block node).
#[test]
fn the_transfer_limit_is_read_at_open_and_a_larger_transfer_is_rejected() {
    const NAME: &str = "the_transfer_limit_is_read_at_open_and_a_larger_transfer_is_rejected";
    if !is_child(NAME) {
        let limited = shim_env(&[("VIRTDRIVE_SHIM_MAX_TRANSFER", "32768")]);
        assert_eq!(run_in_shim(NAME, limited), 0);
        return;
    }
    for given in ["/dev/sr9", "/dev/sg9"] {
        let mut dev = SgDevice::open(given).unwrap();
        assert_eq!(dev.max_transfer_bytes(), Some(32768), "{given}");
        assert!(get_configuration(&mut dev, 32768).unwrap().is_good());
        match get_configuration(&mut dev, 65536) {
            Err(TransportError::Rejected(m)) => {
                assert!(m.contains("65536") && m.contains("32768"), "{m}");
                assert!(m.contains("EIO"), "{m}");
            }
            other => panic!("a 64 KiB data phase over a 32 KiB limit: {other:?}"),
        }
    }
}

/// Without a limit set, the shim's path takes 16 MiB (its protocol's most), and that is what
/// is read.
#[test]
fn without_a_limit_the_paths_own_is_read() {
    const NAME: &str = "without_a_limit_the_paths_own_is_read";
    if !is_child(NAME) {
        assert_eq!(run_in_shim(NAME, Shim::default()), 0);
        return;
    }
    let dev = SgDevice::open("/dev/sr9").unwrap();
    assert_eq!(dev.max_transfer_bytes(), Some(16 << 20));
}

/// When the drive's block node is elsewhere (no /dev/srN sibling to be found), commands go
/// through the sg node: its limit is the reserved buffer and BLKSECTGET in bytes, and a larger
/// data phase fails with EINVAL, still reported as the limit.
#[test]
fn through_the_sg_node_the_limit_comes_from_the_sg_driver() {
    const NAME: &str = "through_the_sg_node_the_limit_comes_from_the_sg_driver";
    if !is_child(NAME) {
        let elsewhere = tempfile::tempdir().unwrap();
        let shim = Shim {
            devices: Some(virtdrive::run::Devices {
                sr: elsewhere.path().join("sr9"),
                ..virtdrive::run::Devices::default()
            }),
            ..shim_env(&[("VIRTDRIVE_SHIM_MAX_TRANSFER", "32768")])
        };
        assert_eq!(run_in_shim(NAME, shim), 0);
        return;
    }
    let mut dev = SgDevice::open("/dev/sg9").unwrap();
    assert_eq!(dev.command_path(), Path::new("/dev/sg9"));
    assert_eq!(dev.sibling_path(), None);
    assert_eq!(dev.max_transfer_bytes(), Some(32768));
    match get_configuration(&mut dev, 65536) {
        Err(TransportError::Rejected(m)) => {
            assert!(
                m.contains("65536") && m.contains("32768") && m.contains("EINVAL"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// Every injected failure, one GET CONFIGURATION each, in the order of the rules.
const INJECTED: &str = "46@1:EIO,46@2:EINVAL,46@3:ENOMEM,46@4:EINTR,46@5:ENXIO,\
46@6:host=0x07,46@7:driver=0x04,46@8:host=0x0b*2,46@11:host=0x0b*4,46@15:driver=0x0e,\
46@16:EBUSY,46@17:EPERM,46@18:host=0x02,46@20:host=0x08";

/// How `execute` reports each ioctl failure and each host and driver status the shim injects;
/// a command the host asks to resend is resent (up to 3 times), nothing else is.
#[test]
fn injected_ioctl_failures_and_statuses_come_out_of_execute_as_mapped() {
    const NAME: &str = "injected_ioctl_failures_and_statuses_come_out_of_execute_as_mapped";
    if !is_child(NAME) {
        let dir = tempfile::tempdir().unwrap();
        let transcript = dir.path().join("commands.jsonl");
        let shim = Shim {
            transcript: Some(transcript.clone()),
            ..shim_env(&[("VIRTDRIVE_SHIM_FAIL", INJECTED)])
        };
        assert_eq!(run_in_shim(NAME, shim), 0);
        // Of the 21 GET CONFIGURATIONs issued, the drive got 4: call 4 (EINTR: the drive ran
        // it, the answer was lost), call 10 (after two soft errors), call 19 (the resend
        // after a bus busy) and call 21. Every other failure stayed in the host.
        let records = mmc_core::trace::read_jsonl(std::io::BufReader::new(
            std::fs::File::open(&transcript).unwrap(),
        ))
        .unwrap();
        let sent = records.iter().filter(|r| r.cdb.starts_with("46 ")).count();
        assert_eq!(sent, 4, "GET CONFIGURATION commands that reached the drive");
        return;
    }
    let mut dev = SgDevice::open("/dev/sr9").unwrap();
    let limit = dev.max_transfer_bytes().unwrap().to_string();
    let mut next = || get_configuration(&mut dev, 4096);
    let other = |r: Result<mmc_core::Completion, TransportError>, words: &[&str]| match r {
        Err(TransportError::Other(m)) => {
            for w in words {
                assert!(m.contains(w), "{w:?} in {m:?}");
            }
        }
        r => panic!("expected Other with {words:?}: {r:?}"),
    };
    other(next(), &["EIO"]);
    match next() {
        Err(TransportError::Rejected(m)) => {
            assert!(
                m.contains("EINVAL") && m.contains("4096") && m.contains(&limit),
                "{m}"
            )
        }
        r => panic!("EINVAL: {r:?}"),
    }
    match next() {
        Err(TransportError::Rejected(m)) => {
            assert!(m.contains("ENOMEM") && m.contains("4096"), "{m}")
        }
        r => panic!("ENOMEM: {r:?}"),
    }
    other(next(), &["EINTR", "not sent again"]);
    assert_eq!(next(), Err(TransportError::DeviceGone));
    other(next(), &["0x07", "DID_ERROR"]);
    other(next(), &["0x04", "DRIVER_ERROR"]);
    // DID_SOFT_ERROR twice: resent, and the third try completes.
    assert!(next().unwrap().is_good());
    // DID_SOFT_ERROR four times: resent three times, then reported.
    other(next(), &["DID_SOFT_ERROR", "3 resends"]);
    // 0x0E is DRIVER_TIMEOUT with the DRIVER_SENSE flag: a timeout.
    assert_eq!(next(), Err(TransportError::Timeout));
    assert_eq!(next(), Err(TransportError::Locked { owner: None }));
    assert!(matches!(next(), Err(TransportError::Rejected(m)) if m.contains("EPERM")));
    // DID_BUS_BUSY once: resent, completes.
    assert!(next().unwrap().is_good());
    // DID_RESET: never resent (the drive lost its state; the engine decides).
    other(next(), &["DID_RESET"]);
    assert!(next().unwrap().is_good());
}

/// The scan asks INQUIRY for 36 bytes, and sends nothing at all to a node whose device sysfs
/// says is not an MMC drive: with `/dev/sr9` typed 0 (a disk) in a sysfs tree, only `/dev/sg9`
/// is asked anything, so the drive gets exactly half the commands of a scan without that
/// entry (the shim's nodes have no sysfs entries of their own).
#[test]
fn the_scan_skips_nodes_sysfs_types_as_not_mmc_and_asks_inquiry_for_36_bytes() {
    const NAME: &str = "the_scan_skips_nodes_sysfs_types_as_not_mmc_and_asks_inquiry_for_36_bytes";
    const SYSFS_VAR: &str = "DISCWRITER_TEST_SYSFS";
    if !is_child(NAME) {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("sysfs-empty");
        std::fs::create_dir(&empty).unwrap();
        let disk = dir.path().join("sysfs-disk");
        let device = disk.join("dev/block/11:9/device");
        std::fs::create_dir_all(&device).unwrap();
        std::fs::write(device.join("type"), "0\n").unwrap();
        std::fs::write(device.join("vendor"), "ATA     \n").unwrap();
        std::fs::write(device.join("model"), "FAKE DISK       \n").unwrap();
        let scan = |sysfs: &Path, name: &str| {
            let transcript = dir.path().join(name);
            let shim = Shim {
                env: vec![(SYSFS_VAR, sysfs.display().to_string())],
                transcript: Some(transcript.clone()),
                devices: None,
            };
            assert_eq!(run_in_shim(NAME, shim), 0, "{name}");
            mmc_core::trace::read_jsonl(std::io::BufReader::new(
                std::fs::File::open(&transcript).unwrap(),
            ))
            .unwrap()
        };
        let both = scan(&empty, "both.jsonl");
        let sg_only = scan(&disk, "sg-only.jsonl");
        assert!(!sg_only.is_empty());
        assert_eq!(sg_only.len() * 2, both.len(), "commands sent by the scans");
        // Each probe starts with INQUIRY, allocation length 36.
        assert_eq!(both[0].cdb, "12 00 00 00 24 00");
        assert_eq!(both[both.len() / 2].cdb, "12 00 00 00 24 00");
        assert_eq!(sg_only[0].cdb, "12 00 00 00 24 00");
        return;
    }
    use discwriter::sgio::scan::{scan_in_with_sysfs, Probe};
    let sysfs = std::path::PathBuf::from(std::env::var_os(SYSFS_VAR).unwrap());
    let found = scan_in_with_sysfs(Path::new("/dev"), &sysfs);
    let probe = |path: &str| {
        &found
            .iter()
            .find(|f| f.path == Path::new(path))
            .unwrap_or_else(|| panic!("{path} in {found:?}"))
            .probe
    };
    assert!(matches!(probe("/dev/sg9"), Probe::Drive { vendor, .. } if vendor == "VIRTDRV"));
    if sysfs.join("dev/block/11:9/device/type").exists() {
        assert_eq!(
            probe("/dev/sr9"),
            &Probe::NotMmc {
                vendor: "ATA".into(),
                product: "FAKE DISK".into(),
                peripheral_device_type: 0
            }
        );
    } else {
        assert!(matches!(probe("/dev/sr9"), Probe::Drive { .. }));
    }
}

/// A drive held for writing (here by this very process, through another open) is left alone
/// by the scan: its sg node refuses the probe's open, and its sr node's write lock the probe's
/// read lock, so nothing at all reaches the drive.
#[test]
fn the_scan_sends_nothing_to_a_drive_held_for_writing() {
    const NAME: &str = "the_scan_sends_nothing_to_a_drive_held_for_writing";
    if !is_child(NAME) {
        let dir = tempfile::tempdir().unwrap();
        let transcript = dir.path().join("commands.jsonl");
        let shim = Shim {
            transcript: Some(transcript.clone()),
            ..Shim::default()
        };
        assert_eq!(run_in_shim(NAME, shim), 0);
        let records = mmc_core::trace::read_jsonl(std::io::BufReader::new(
            std::fs::File::open(&transcript).unwrap(),
        ))
        .unwrap();
        assert!(records.is_empty(), "commands sent: {records:?}");
        return;
    }
    use discwriter::sgio::scan::{scan_in_with_sysfs, Probe};
    let held = SgDevice::open("/dev/sr9").unwrap();
    let no_sysfs = tempfile::tempdir().unwrap();
    let found = scan_in_with_sysfs(Path::new("/dev"), no_sysfs.path());
    for node in ["/dev/sr9", "/dev/sg9"] {
        let probe = &found
            .iter()
            .find(|f| f.path == Path::new(node))
            .unwrap_or_else(|| panic!("{node} in {found:?}"))
            .probe;
        assert!(
            matches!(probe, Probe::Unusable { reason } if reason.contains("another program")),
            "{node}: {probe:?}"
        );
    }
    drop(held);
}
