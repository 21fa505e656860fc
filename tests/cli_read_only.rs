//! `discwriter info` and `read` only look at a disc file: they open it read-only under a
//! shared lock, so they work on a read-only file or mount and run alongside each other, while
//! `write` still excludes everyone and is excluded by them.
//!
//! The read-only mount is a read-only bind mount of the test's folder (root only, and not in
//! every container): where mounting is refused the case prints a notice and passes, unless
//! `CI` is set. Root passes every permission check, so the files' 0444 modes alone prove
//! nothing under root; the mount does.
#![cfg(target_os = "linux")]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::discwriter;
use virtdrive::persist::DiscFile;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/images/sample.iso");

/// A CD-R disc file in `dir` holding the sample image; its `virt:` drive.
fn written_disc(dir: &Path) -> (PathBuf, String) {
    let file = dir.join("cd.disc");
    let drive = format!("virt:cd-r@{}", file.display());
    let o = discwriter(&["write", SAMPLE, "--drive", &drive], dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (file, drive)
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `info --json` succeeds and sees the written session.
fn info_sees_the_session(drive: &str, home: &Path) {
    let o = discwriter(&["info", "--drive", drive, "--json"], home);
    assert!(o.status.success(), "info: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "appendable");
    assert_eq!(v["sessions"], 1);
}

/// `read OUT` succeeds and gives back the sample image.
fn read_gives_the_image(drive: &str, home: &Path, out: &Path) {
    let o = discwriter(&["read", out.to_str().unwrap(), "--drive", drive], home);
    assert!(o.status.success(), "read: {}", stderr(&o));
    assert!(
        std::fs::read(out).unwrap() == std::fs::read(SAMPLE).unwrap(),
        "read gives back the image written"
    );
}

#[test]
fn info_and_read_run_while_another_reader_has_the_disc_and_writers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (file, drive) = written_disc(dir.path());
    let reader = DiscFile::open_read_only(&file).unwrap();
    info_sees_the_session(&drive, dir.path());
    read_gives_the_image(&drive, dir.path(), &dir.path().join("back.iso"));
    let o = discwriter(&["write", SAMPLE, "--drive", &drive], dir.path());
    assert!(!o.status.success(), "a writer waits for the readers");
    assert!(stderr(&o).contains("in use"), "{}", stderr(&o));
    drop(reader);
}

#[test]
fn a_writer_excludes_info() {
    let dir = tempfile::tempdir().unwrap();
    let (file, drive) = written_disc(dir.path());
    let writer = DiscFile::open(&file).unwrap();
    let o = discwriter(&["info", "--drive", &drive], dir.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("in use"), "{}", stderr(&o));
    drop(writer);
    info_sees_the_session(&drive, dir.path());
}

#[test]
fn many_info_calls_on_one_disc_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, drive) = written_disc(dir.path());
    let children: Vec<_> = (0..16)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_discwriter"))
                .args(["info", "--drive", &drive, "--json"])
                .env("HOME", dir.path())
                .env_remove("XDG_DATA_HOME")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let failed: Vec<String> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .filter(|o| !o.status.success())
        .map(|o| stderr(&o))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 16 failed: {failed:?}",
        failed.len()
    );
}

/// A read-only bind mount of a folder, unmounted when dropped.
struct ReadOnlyView {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl ReadOnlyView {
    fn of(source: &Path, test: &str) -> Option<ReadOnlyView> {
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(source)
            .arg(dir.path())
            .output();
        match o {
            Ok(o) if o.status.success() => Some(ReadOnlyView {
                path: dir.path().to_path_buf(),
                _dir: dir,
            }),
            other => {
                let why = format!("cannot make a read-only bind mount ({other:?})");
                assert!(std::env::var_os("CI").is_none(), "{test}: {why}");
                println!("notice: {test} skipped: {why}");
                None
            }
        }
    }
}

impl Drop for ReadOnlyView {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

#[test]
fn info_and_read_work_on_read_only_files_on_a_read_only_mount() {
    let dir = tempfile::tempdir().unwrap();
    let discs = dir.path().join("discs");
    std::fs::create_dir(&discs).unwrap();
    let (file, _) = written_disc(&discs);
    for f in std::fs::read_dir(&discs).unwrap() {
        let f = f.unwrap().path();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&discs, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = std::fs::read(PathBuf::from(format!("{}.state.json", file.display()))).unwrap();
    let Some(view) = ReadOnlyView::of(&discs, "info_and_read_work_on_a_read_only_mount") else {
        return;
    };
    let drive = format!("virt:cd-r@{}", view.path.join("cd.disc").display());
    info_sees_the_session(&drive, dir.path());
    read_gives_the_image(&drive, dir.path(), &dir.path().join("back.iso"));
    // Two at once there too.
    let other = DiscFile::open_read_only(view.path.join("cd.disc")).unwrap();
    info_sees_the_session(&drive, dir.path());
    drop(other);
    // A writer is told why it cannot write there.
    let o = discwriter(&["write", SAMPLE, "--drive", &drive], dir.path());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("read-only file system"),
        "{}",
        stderr(&o)
    );
    drop(view);
    assert_eq!(
        std::fs::read(PathBuf::from(format!("{}.state.json", file.display()))).unwrap(),
        before,
        "looking changed nothing"
    );
    std::fs::set_permissions(&discs, std::fs::Permissions::from_mode(0o755)).unwrap();
}
