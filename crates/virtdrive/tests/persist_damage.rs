//! Disc files that were damaged after a crash: a journal the state names that is missing, cut
//! short, or whose header or slots were changed, and a state file edited by hand. Opening
//! fails with a message naming the generation and what can still be read, never a silent
//! rollback and never wrong data. And read-only opens: shared, and changing nothing.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use virtdrive::medium::MediumKind;
use virtdrive::persist::{DiscFile, PersistError};
use virtdrive::store::{SectorStore, SECTOR};

/// `count` sectors of `byte`.
fn sectors(byte: u8, count: usize) -> Vec<u8> {
    vec![byte; count * SECTOR]
}

fn journal_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.journal", path.display()))
}

fn state_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.state.json", path.display()))
}

/// A disc whose generation 1 holds 0x11s in sectors 0-7, with 0x22s written and synchronized
/// over sectors 2-5 (into journal slots 0-3) for generation 2.
fn generation_2_synchronized() -> (tempfile::TempDir, PathBuf, virtdrive::persist::LoadedDisc) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!({"round": 0})).unwrap();
    disc.store.write(0, &sectors(0x11, 8)).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!({"round": 1})).unwrap();
    disc.store.write(2, &sectors(0x22, 4)).unwrap();
    disc.store.commit().unwrap();
    (dir, path, disc)
}

/// A disc whose generation 1 holds 0x11s in sectors 0-7, and whose generation 2, writing 0x22s
/// over sectors 2-5, stopped at its commit point: the state names the journal, whose slots
/// were not checked since.
fn crashed_at_commit_point() -> (tempfile::TempDir, PathBuf) {
    let (dir, path, disc) = generation_2_synchronized();
    disc.file
        .commit_up_to_commit_point(&json!({"round": 2}))
        .unwrap();
    drop(disc);
    assert!(journal_path(&path).exists(), "the journal is not applied");
    (dir, path)
}

/// Opening fails, saying generation 2 is damaged and generation 1 can be restored.
fn generation_2_is_damaged(path: &Path) -> String {
    let err = DiscFile::open(path).expect_err("a damaged generation must not open");
    let message = err.to_string();
    assert!(
        matches!(err, PersistError::Damaged { generation: 2, .. }),
        "{message}"
    );
    assert!(message.contains("generation 2 is damaged"), "{message}");
    assert!(
        message.contains("generation 1 can be restored"),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line: {message}");
    // Nothing was changed: the same error again, the journal still there for a repair.
    assert!(DiscFile::open(path).is_err());
    message
}

#[test]
fn an_intact_journal_left_at_the_commit_point_is_replayed() {
    let (_dir, path) = crashed_at_commit_point();
    let disc = DiscFile::open(&path).unwrap();
    assert_eq!(disc.file.generation(), 2);
    assert_eq!(disc.state, json!({"round": 2}));
    let mut out = vec![0u8; 8 * SECTOR];
    disc.store.read(0, &mut out).unwrap();
    let expected = [sectors(0x11, 2), sectors(0x22, 4), sectors(0x11, 2)].concat();
    assert!(out == expected, "generation 2's sectors");
}

#[test]
fn a_committed_journal_deleted_after_the_crash_is_reported_not_rolled_back() {
    let (_dir, path) = crashed_at_commit_point();
    fs::remove_file(journal_path(&path)).unwrap();
    let message = generation_2_is_damaged(&path);
    assert!(message.contains("is missing"), "{message}");
}

#[test]
fn a_committed_journal_whose_header_was_zeroed_is_reported() {
    let (_dir, path) = crashed_at_commit_point();
    let journal = journal_path(&path);
    let mut bytes = fs::read(&journal).unwrap();
    bytes[..SECTOR].fill(0);
    fs::write(&journal, &bytes).unwrap();
    let message = generation_2_is_damaged(&path);
    assert!(message.contains("header"), "{message}");
}

#[test]
fn a_committed_journal_cut_short_is_reported() {
    let (_dir, path) = crashed_at_commit_point();
    let journal = journal_path(&path);
    let bytes = fs::read(&journal).unwrap();
    fs::write(&journal, &bytes[..SECTOR + 100]).unwrap();
    generation_2_is_damaged(&path);
}

#[test]
fn one_flipped_byte_in_a_journal_slot_is_reported_not_replayed() {
    let (_dir, path) = crashed_at_commit_point();
    let journal = journal_path(&path);
    let mut bytes = fs::read(&journal).unwrap();
    // Slot 1 (sector 3), one byte in its middle.
    bytes[2 * SECTOR + 1000] ^= 0x01;
    fs::write(&journal, &bytes).unwrap();
    let message = generation_2_is_damaged(&path);
    assert!(message.contains("do not match their digest"), "{message}");
    // The data file was not touched by a partial replay: generation 1 is in it.
    let data = fs::read(&path).unwrap();
    assert!(
        data == sectors(0x11, 8),
        "generation 1 is still in the data file"
    );
}

/// The digests a commit records are of the sectors the drive wrote, not of whatever the journal
/// holds by the time of the commit: a slot changed behind the disc's back between its write
/// and the commit is damage, reported when the commit is replayed.
#[test]
fn a_journal_slot_changed_before_the_commit_is_reported_not_committed() {
    let (_dir, path, disc) = generation_2_synchronized();
    // Slot 1 (sector 3) changed on disk after the write.
    let mut bytes = fs::read(journal_path(&path)).unwrap();
    bytes[2 * SECTOR + 1000] ^= 0x01;
    fs::write(journal_path(&path), &bytes).unwrap();
    disc.file
        .commit_up_to_commit_point(&json!({"round": 2}))
        .unwrap();
    drop(disc);
    let message = generation_2_is_damaged(&path);
    assert!(message.contains("do not match their digest"), "{message}");
}

/// A disc whose sectors live in its journal (two overwrites committed) and whose third
/// overwrite stopped at its commit point with one of its slots then damaged: the repair goes
/// back to the second, whose sectors the journal still holds, and nothing of the first.
#[test]
fn a_repair_restores_the_previous_generation_from_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!({"round": 0})).unwrap();
    for (round, byte) in [(1, 0x11), (2, 0x22)] {
        disc.store.write(0, &sectors(byte, 8)).unwrap();
        disc.store.commit().unwrap();
        disc.file.commit(&json!({ "round": round })).unwrap();
    }
    disc.store.write(2, &sectors(0x33, 4)).unwrap();
    disc.store.commit().unwrap();
    disc.file
        .commit_up_to_commit_point(&json!({"round": 3}))
        .unwrap();
    drop(disc);
    // Round 3's slots follow round 2's 8 slots and its record (one slot).
    let mut bytes = fs::read(journal_path(&path)).unwrap();
    bytes[11 * SECTOR + 5] ^= 0x01;
    fs::write(journal_path(&path), &bytes).unwrap();
    let err = DiscFile::open(&path).expect_err("generation 3 is damaged");
    assert!(
        matches!(err, PersistError::Damaged { generation: 3, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("generation 2 can be restored"),
        "{err}"
    );
    match virtdrive::persist::repair(&path).unwrap() {
        virtdrive::persist::Repair::RolledBack { lost, now, .. } => {
            assert_eq!((lost, now), (3, 2));
        }
        other => panic!("{other:?}"),
    }
    let disc = DiscFile::open(&path).unwrap();
    assert_eq!(disc.file.generation(), 2);
    assert_eq!(disc.state, json!({"round": 2}));
    let mut out = vec![0u8; 8 * SECTOR];
    disc.store.read(0, &mut out).unwrap();
    assert!(out == sectors(0x22, 8), "generation 2's sectors");
}

/// Once a commit is finished, the copies it replaced were given back: a journal lost after
/// that is reported without offering the generation before, whose sectors are gone.
#[test]
fn a_journal_lost_after_a_finished_commit_offers_no_rollback() {
    let (_dir, path, disc) = generation_2_synchronized();
    disc.file.commit(&json!({"round": 2})).unwrap();
    drop(disc);
    fs::remove_file(journal_path(&path)).unwrap();
    let err = DiscFile::open(&path).expect_err("generation 2's sectors are lost");
    assert!(
        matches!(err, PersistError::Damaged { generation: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no earlier generation"), "{err}");
    let repaired = virtdrive::persist::repair(&path).expect_err("nothing to roll back to");
    assert!(
        matches!(repaired, PersistError::Damaged { .. }),
        "{repaired}"
    );
}

/// A journal checked after its commit is not read again when the disc opens (it is the home
/// of its sectors, trusted as the data file is), but a slot damaged since is found the first
/// time it is read: the read fails, it never gives the damaged bytes, the sectors of other
/// slots still read, and `fsck` names the damage.
#[test]
fn one_flipped_byte_in_a_checked_journal_fails_its_read_not_gives_wrong_data() {
    let (_dir, path, disc) = generation_2_synchronized();
    disc.file.commit(&json!({"round": 2})).unwrap();
    drop(disc);
    let journal = journal_path(&path);
    let mut bytes = fs::read(&journal).unwrap();
    // Slot 1 (sector 3), one byte in its middle.
    bytes[2 * SECTOR + 1000] ^= 0x01;
    fs::write(&journal, &bytes).unwrap();

    let disc = DiscFile::open(&path).expect("a checked journal is not read at the open");
    let store = disc.store;
    let mut one = vec![0u8; SECTOR];
    let err = store
        .read(3, &mut one)
        .expect_err("a damaged slot must not be read as data");
    assert!(
        err.to_string().contains("do not match their digest"),
        "{err}"
    );
    // And again: the group stays unchecked, so the damage is never served.
    assert!(store.read(2, &mut one).is_err());
    // Sectors of the data file read as they were committed.
    store.read(0, &mut one).unwrap();
    assert!(one == sectors(0x11, 1));
    store.read(7, &mut one).unwrap();
    assert!(one == sectors(0x11, 1));
    drop(store);
    drop(disc.file);
    let report = virtdrive::persist::check(&path).expect_err("fsck finds the damage");
    assert!(
        report.to_string().contains("do not match their digest"),
        "{report}"
    );
}

/// An intact checked journal reads back what was committed, group by group as it is first
/// read.
#[test]
fn an_intact_checked_journal_reads_back_what_was_committed() {
    let (_dir, path, disc) = generation_2_synchronized();
    disc.file.commit(&json!({"round": 2})).unwrap();
    drop(disc);
    let disc = DiscFile::open(&path).unwrap();
    let store = disc.store;
    let mut out = vec![0u8; 8 * SECTOR];
    store.read(0, &mut out).unwrap();
    let mut expected = sectors(0x11, 8);
    expected[2 * SECTOR..6 * SECTOR].copy_from_slice(&sectors(0x22, 4));
    assert!(out == expected);
}

#[test]
fn a_state_file_changed_by_one_byte_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let disc = DiscFile::create(&path, MediumKind::CdR80, &json!({"tracks": 1})).unwrap();
    drop(disc);
    let state = state_path(&path);
    let text = fs::read_to_string(&state).unwrap();
    assert!(text.contains("\"tracks\": 1"), "{text}");
    fs::write(&state, text.replace("\"tracks\": 1", "\"tracks\": 7")).unwrap();
    let err = DiscFile::open(&path).expect_err("an edited state must not open");
    assert!(matches!(err, PersistError::CorruptState { .. }), "{err}");
    assert!(err.to_string().contains("check"), "{err}");
}

#[test]
fn a_read_only_open_reads_a_journal_in_place_and_changes_nothing() {
    let (dir, path) = crashed_at_commit_point();
    let before: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let mut disc = DiscFile::open_read_only(&path).unwrap();
    assert_eq!(disc.file.generation(), 2);
    let mut out = vec![0u8; 8 * SECTOR];
    disc.store.read(0, &mut out).unwrap();
    let expected = [sectors(0x11, 2), sectors(0x22, 4), sectors(0x11, 2)].concat();
    assert!(out == expected, "generation 2's sectors, from the journal");
    // Several readers at once; a writer is refused while they read.
    let second = DiscFile::open_read_only(&path).unwrap();
    let err = DiscFile::open(&path).expect_err("a writer waits for the readers");
    assert!(matches!(err, PersistError::Locked { .. }), "{err}");
    assert!(disc.store.write(0, &sectors(0x33, 1)).is_err());
    disc.file.commit(&json!({"round": 3})).unwrap();
    drop((disc, second));
    for (p, bytes) in before {
        assert!(fs::read(&p).unwrap() == bytes, "{} unchanged", p.display());
    }
    // A writer excludes readers.
    let writer = DiscFile::open(&path).unwrap();
    let err = DiscFile::open_read_only(&path).expect_err("a reader waits for the writer");
    assert!(matches!(err, PersistError::Locked { .. }), "{err}");
    drop(writer);
}

#[test]
fn a_read_only_open_reports_a_damaged_journal_too() {
    let (_dir, path) = crashed_at_commit_point();
    fs::remove_file(journal_path(&path)).unwrap();
    let err = DiscFile::open_read_only(&path).expect_err("damaged");
    assert!(
        matches!(err, PersistError::Damaged { generation: 2, .. }),
        "{err}"
    );
}
