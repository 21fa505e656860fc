//! Opening paths that are not drives: each is refused with an error that names the path and
//! says what is wrong, before any command is sent. No drive is needed.
#![cfg(all(feature = "sgio", target_os = "linux"))]

use std::path::Path;

use discwriter::sgio::scan::{scan_in, Probe};
use discwriter::sgio::{OpenError, SgDevice};
use mmc_core::TransportError;

fn refused(path: &Path) -> OpenError {
    match SgDevice::open(path) {
        Ok(d) => panic!("{} opened as an SG device: {d:?}", path.display()),
        Err(e) => e,
    }
}

#[test]
fn a_regular_file_is_not_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("image.iso");
    std::fs::write(&file, b"not a drive").unwrap();
    let e = refused(&file);
    assert!(
        matches!(
            e,
            OpenError::NotADevice {
                what: "a regular file",
                ..
            }
        ),
        "{e:?}"
    );
    let m = e.to_string();
    assert!(m.starts_with(&file.display().to_string()), "{m}");
    assert!(m.contains("not a device"), "{m}");
    // Refused before opening: the file is untouched.
    assert_eq!(std::fs::read(&file).unwrap(), b"not a drive");
}

#[test]
fn a_directory_is_not_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let e = refused(dir.path());
    assert!(
        matches!(
            e,
            OpenError::NotADevice {
                what: "a directory",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains(&dir.path().display().to_string()));
}

#[test]
fn a_missing_path_says_no_such_device() {
    let e = refused(Path::new("/dev/sr-discwriter-test-missing"));
    assert!(matches!(e, OpenError::NotFound { .. }), "{e:?}");
    let m = e.to_string();
    assert!(
        m.contains("/dev/sr-discwriter-test-missing: no such device"),
        "{m}"
    );
    assert_eq!(TransportError::from(e), TransportError::DeviceGone);
}

#[test]
fn dev_null_is_a_char_device_but_not_sg() {
    // Opening /dev/null with O_EXCL is allowed; the refusal must come from the ioctl.
    let e = refused(Path::new("/dev/null"));
    let OpenError::NotSg { errno, .. } = &e else {
        panic!("expected NotSg, got {e:?}");
    };
    assert_eq!(*errno, nix::errno::Errno::ENOTTY);
    assert!(e.to_string().contains("SG_GET_VERSION_NUM"), "{e}");
}

#[test]
fn a_busy_drive_is_locked() {
    let e = OpenError::Busy {
        path: "/dev/sr0".into(),
    };
    assert_eq!(
        TransportError::from(e),
        TransportError::Locked { owner: None }
    );
}

#[test]
fn scan_lists_sr_and_sg_nodes_in_order_and_says_why_they_are_unusable() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["sg1", "sr10", "sr2", "sda", "sr", "srx", "sg0"] {
        std::fs::write(dir.path().join(name), b"").unwrap();
    }
    let found = scan_in(dir.path());
    let names: Vec<_> = found
        .iter()
        .map(|f| f.path.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["sr2", "sr10", "sg0", "sg1"]);
    for f in &found {
        let Probe::Unusable { reason } = &f.probe else {
            panic!("{f:?}");
        };
        assert!(reason.contains("not a device"), "{reason}");
    }
}
