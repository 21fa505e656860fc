//! `virtdrive fsck FILE [--repair]` as a user runs it: what it checked on stdout, the verdict,
//! and the exit status (0 intact, 1 damaged, 2 repaired, 125 cannot check); after a repair the
//! disc opens at the generation before the damaged one, with that generation's sectors.
#![cfg(target_os = "linux")]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use virtdrive::medium::MediumKind;
use virtdrive::persist::DiscFile;
use virtdrive::store::{SectorStore, SECTOR};

/// Runs `virtdrive ARGS`: exit status, stdout, stderr.
fn virtdrive(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_virtdrive"))
        .args(args)
        .output()
        .expect("virtdrive runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fsck(path: &Path, repair: bool) -> (i32, String, String) {
    let p = path.display().to_string();
    if repair {
        virtdrive(&["fsck", "--repair", &p])
    } else {
        virtdrive(&["fsck", &p])
    }
}

/// A BD-RE disc file: generation 1 holds 0x11s in sectors 0-7; generation 2 wrote 0x22s over
/// sectors 2-5 and 0x33s into sectors 8-9 and stopped at its commit point, so its journal is
/// not applied yet.
fn crashed_disc(dir: &Path) -> PathBuf {
    let path = dir.join("disc.img");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!({"round": 0})).unwrap();
    disc.store.write(0, &vec![0x11; 8 * SECTOR]).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!({"round": 1})).unwrap();
    disc.store.write(2, &vec![0x22; 4 * SECTOR]).unwrap();
    disc.store.write(8, &vec![0x33; 2 * SECTOR]).unwrap();
    disc.store.commit().unwrap();
    disc.file
        .commit_up_to_commit_point(&json!({"round": 2}))
        .unwrap();
    path
}

fn journal(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.journal", path.display()))
}

#[test]
fn an_intact_disc_file_passes_and_says_what_was_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = crashed_disc(dir.path());
    let (code, out, err) = fsck(&path, false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("its check matches"), "{out}");
    assert!(out.contains("every digest matches"), "{out}");
    assert!(out.contains("intact, generation 2"), "{out}");
    // Checking changed nothing: the journal is still to be applied.
    assert!(journal(&path).exists());
    let (code, out, _) = fsck(&path, true);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("nothing to repair"), "{out}");
}

#[test]
fn a_damaged_disc_file_fails_and_names_the_generation() {
    let dir = tempfile::tempdir().unwrap();
    let path = crashed_disc(dir.path());
    let mut bytes = fs::read(journal(&path)).unwrap();
    bytes[3 * SECTOR + 7] ^= 0x80; // one bit of slot 2
    fs::write(journal(&path), &bytes).unwrap();
    let (code, out, err) = fsck(&path, false);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("damaged"), "{out}");
    assert!(out.contains("generation 2 is damaged"), "{out}");
    assert!(out.contains("generation 1 can be restored"), "{out}");
    assert_eq!(out.lines().count(), 1, "one line: {out}");
    // Without --repair nothing changes.
    assert_eq!(fs::read(journal(&path)).unwrap(), bytes);
}

#[test]
fn repair_rolls_back_to_the_last_intact_generation_and_says_what_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = crashed_disc(dir.path());
    fs::remove_file(journal(&path)).unwrap();
    let (code, out, err) = fsck(&path, true);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("generation 2 was damaged and is dropped"),
        "{out}"
    );
    assert!(out.contains("the disc is at generation 1"), "{out}");
    assert!(out.contains("Lost:"), "{out}");
    // Intact now, and holding generation 1: its state, its sectors, nothing past them.
    let (code, out, _) = fsck(&path, false);
    assert_eq!(code, 0, "{out}");
    let disc = DiscFile::open(&path).unwrap();
    assert_eq!(disc.file.generation(), 1);
    assert_eq!(disc.state, json!({"round": 1}));
    let mut sectors = vec![0u8; 10 * SECTOR];
    disc.store.read(0, &mut sectors).unwrap();
    assert!(sectors[..8 * SECTOR].iter().all(|&b| b == 0x11));
    assert!(sectors[8 * SECTOR..].iter().all(|&b| b == 0));
}

#[test]
fn a_missing_file_or_one_that_is_not_a_disc_cannot_be_checked() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.img");
    let (code, out, err) = fsck(&missing, false);
    assert_eq!(code, 125, "{out}{err}");
    assert!(err.contains("no virtual disc there"), "{err}");
    assert!(!missing.exists(), "fsck creates nothing");
    let iso = dir.path().join("image.iso");
    fs::write(&iso, [0u8; 4096]).unwrap();
    let (code, _, err) = fsck(&iso, true);
    assert_eq!(code, 125);
    assert!(err.contains("not a virtual disc file"), "{err}");
    let (code, _, err) = virtdrive(&["fsck"]);
    assert_eq!(code, 125);
    assert!(err.contains("<FILE>"), "{err}");
}

#[test]
fn a_damaged_state_file_is_damaged_and_has_nothing_to_roll_back_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = crashed_disc(dir.path());
    let state = PathBuf::from(format!("{}.state.json", path.display()));
    let text = fs::read_to_string(&state).unwrap();
    fs::write(&state, text.replace("\"round\": 2", "\"round\": 9")).unwrap();
    for repair in [false, true] {
        let (code, out, err) = fsck(&path, repair);
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.contains("corrupt disc state"), "{out}");
    }
}
