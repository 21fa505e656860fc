//! A tmpfs of a test's own, unmounted when the test ends, even by a panic; and how a case
//! that cannot run here (no permission to mount) is skipped: a notice, or a failure under
//! `CI`, which runs as root. Shared by virtdrive's disk-full tests and the `discwriter`
//! command's (included there by path).
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// A tmpfs mounted on a temp dir.
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as `mount -o size=` takes it); `None`, after a notice, where
    /// mounting is not permitted and `CI` is not set.
    pub fn mount(size: &str, test: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                let why = String::from_utf8_lossy(&o.stderr)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                skip(test, &format!("cannot mount a tmpfs ({why})"));
                None
            }
            Err(e) => {
                skip(test, &format!("cannot run mount ({e})"));
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `mount -o remount,OPTIONS`.
    pub fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.path())
            .status()
            .expect("mount runs");
        assert!(status.success(), "mount -o remount,{options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // Something still holds a file there (a panic mid-test): detach it anyway.
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// A case that cannot run here: a notice, or a failure under CI, which runs as root.
pub fn skip(test: &str, why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {why}; CI runs as root and must run this case");
    }
    println!("NOTICE {test}: skipped: {why}");
}
