//! A virtual disc's file on a file system that fails under it: the command names the cause
//! (disk full, read-only, permission denied) beside the drive's IMAPI code, and leaves no
//! temporary file behind. The tmpfs cases need root (CI runs them; elsewhere they print a
//! notice and pass).

mod common;

#[path = "../crates/virtdrive/tests/support/tmpfs.rs"]
mod tmpfs;

use common::{assert_result_schema, discwriter, image};
use tmpfs::{skip, Tmpfs};

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".partial"))
        .collect()
}

#[test]
fn disk_full_under_a_disc_file_is_named_as_such() {
    let Some(fs) = Tmpfs::mount("8m", "disk_full_under_a_disc_file_is_named_as_such") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let img = home.path().join("big.img");
    std::fs::write(&img, image(10_000, 1)).unwrap();
    for medium in ["bd-re", "cd-r"] {
        let drive = format!("virt:{medium}@{}", fs.path().join(medium).display());
        let o = discwriter(
            &["write", img.to_str().unwrap(), "--drive", &drive, "--json"],
            home.path(),
        );
        assert_eq!(o.status.code(), Some(1), "{medium}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("no space left on the file system holding"),
            "{medium}: {err}"
        );
        assert!(
            err.contains("E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE"),
            "{medium}: {err}"
        );
        let out = String::from_utf8_lossy(&o.stdout);
        let r = assert_result_schema(out.lines().last().unwrap());
        assert!(
            r["message"].as_str().unwrap().contains("no space left"),
            "{medium}: {r}"
        );
        assert_eq!(leftovers(fs.path()), Vec::<String>::new(), "{medium}");
        std::fs::remove_file(fs.path().join(medium)).ok();
        std::fs::remove_file(fs.path().join(format!("{medium}.state.json"))).ok();
    }
}

#[test]
fn a_read_only_file_system_under_a_disc_file_is_named_as_such() {
    let Some(fs) = Tmpfs::mount(
        "8m",
        "a_read_only_file_system_under_a_disc_file_is_named_as_such",
    ) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let drive = format!("virt:cd-r@{}", fs.path().join("cd").display());
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");
    let o = discwriter(&["write", sample, "--drive", &drive], home.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    fs.remount("ro");
    let o = discwriter(&["write", sample, "--drive", &drive], home.path());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is on a read-only file system"), "{err}");
    fs.remount("rw");
}

#[test]
fn permission_denied_under_a_disc_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let is_root = nix::unistd::geteuid().is_root();
    let home = tempfile::tempdir().unwrap();
    let drive = format!("virt:cd-r@{}", locked.join("cd").display());
    // The image is copied beside the disc file: the user the command runs as may not be
    // able to reach the checkout (a clone in a 0700 folder), only this test's own folder.
    let image = dir.path().join("sample.iso");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso"),
        &image,
    )
    .unwrap();
    let sample = image.to_str().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&image, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let o = if is_root {
        // Root passes every permission check: the command runs as user nobody.
        for d in [dir.path(), home.path()] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let run = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_discwriter"))
            .args(["write", sample, "--drive", &drive])
            .env("HOME", home.path())
            .output();
        match run {
            Ok(o) => o,
            Err(e) => {
                skip(
                    "permission_denied_under_a_disc_file_is_named_as_such",
                    &format!("setpriv: {e}"),
                );
                return;
            }
        }
    } else {
        discwriter(&["write", sample, "--drive", &drive], home.path())
    };
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("permission denied"), "{err}");
    assert!(!locked.join("cd").exists());
}
