//! A disc file saved and opened again: what was committed comes back, nothing else does.

use std::path::{Path, PathBuf};

use serde_json::json;
use virtdrive::medium::MediumKind;
use virtdrive::persist::{DiscFile, LoadedDisc, PersistError};
use virtdrive::store::{SectorStore, SECTOR};

fn sector(byte: u8) -> [u8; SECTOR] {
    [byte; SECTOR]
}

fn read(store: &dyn SectorStore, index: u64) -> [u8; SECTOR] {
    let mut out = [0xEEu8; SECTOR];
    store.read(index, &mut out).unwrap();
    out
}

fn open(path: &Path) -> LoadedDisc {
    DiscFile::open(path).unwrap_or_else(|e| panic!("reopening: {e}"))
}

#[test]
fn a_committed_disc_reopens_with_its_kind_state_and_sectors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc.bdre");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!({"formatted": false})).unwrap();
    disc.store.write(0, &sector(1)).unwrap();
    disc.store
        .write(40_000, &[sector(2), sector(3)].concat())
        .unwrap();
    disc.store.commit().unwrap();
    disc.file
        .commit(&json!({"formatted": true, "nwa": 40002}))
        .unwrap();
    assert_eq!(disc.file.generation(), 1);
    drop(disc);

    let again = open(&path);
    assert_eq!(again.kind, MediumKind::BdRe);
    assert_eq!(again.state, json!({"formatted": true, "nwa": 40002}));
    assert_eq!(again.file.generation(), 1);
    assert_eq!(read(&again.store, 0), sector(1));
    assert_eq!(read(&again.store, 1), sector(0));
    assert_eq!(read(&again.store, 40_000), sector(2));
    assert_eq!(read(&again.store, 40_001), sector(3));
    assert_eq!(read(&again.store, 40_002), sector(0));
}

#[test]
fn the_data_file_holds_sector_i_at_offset_i_times_2048_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::CdR80, &json!(null)).unwrap();
    disc.store.write(3, &sector(0x33)).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!(null)).unwrap();

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 4 * SECTOR, "data_sectors = highest sector + 1");
    assert_eq!(&bytes[..3 * SECTOR], &[0u8; 3 * SECTOR][..]);
    assert_eq!(&bytes[3 * SECTOR..], &sector(0x33)[..]);
    assert!(
        !dir.path().join("disc.journal").exists(),
        "the journal is retired once applied"
    );
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("disc.state.json")).unwrap())
            .unwrap();
    assert_eq!(state["format"], "virtdrive disc");
    assert_eq!(state["version"], 3);
    assert_eq!(state["generation"], 1);
    assert_eq!(state["medium"], "cd-r", "the name in virt:MEDIA@FILE");
    assert_eq!(state["data_sectors"], 4);
}

#[test]
fn writes_not_committed_to_the_disc_file_are_gone_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::DvdPlusRw, &json!({"n": 0})).unwrap();
    disc.store.write(10, &sector(1)).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!({"n": 1})).unwrap();
    // Synchronized but the disc file not committed, and merely written.
    disc.store.write(10, &sector(2)).unwrap();
    disc.store.commit().unwrap();
    disc.store.write(11, &sector(3)).unwrap();
    drop(disc);

    let again = open(&path);
    assert_eq!(again.state, json!({"n": 1}));
    assert_eq!(read(&again.store, 10), sector(1));
    assert_eq!(read(&again.store, 11), sector(0));
}

#[test]
fn a_disc_commit_saves_synchronized_writes_and_keeps_later_ones_pending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(0)).unwrap();
    disc.store.write(0, &sector(1)).unwrap();
    disc.store.commit().unwrap();
    disc.store.write(1, &sector(2)).unwrap(); // after the synchronize
    disc.store.write(0, &sector(9)).unwrap(); // a newer copy of a synchronized sector
    disc.file.commit(&json!(1)).unwrap();

    // In this process the pending writes are still there, and a power loss drops them.
    assert_eq!(read(&disc.store, 0), sector(9));
    assert_eq!(read(&disc.store, 1), sector(2));
    disc.store.discard_uncommitted();
    assert_eq!(read(&disc.store, 0), sector(1));
    assert_eq!(read(&disc.store, 1), sector(0));

    // Written again and committed, they are saved.
    disc.store.write(1, &sector(4)).unwrap();
    disc.store.commit().unwrap();
    disc.store.write(2, &sector(5)).unwrap(); // pending at the next commit, then dropped
    disc.file.commit(&json!(2)).unwrap();
    drop(disc);

    let again = open(&path);
    assert_eq!(again.state, json!(2));
    assert_eq!(read(&again.store, 0), sector(1));
    assert_eq!(read(&again.store, 1), sector(4));
    assert_eq!(read(&again.store, 2), sector(0));
}

#[test]
fn pending_writes_carried_over_a_disc_commit_can_be_committed_later() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(0)).unwrap();
    disc.store
        .write(100, &[sector(1), sector(2), sector(3)].concat())
        .unwrap();
    disc.file.commit(&json!(1)).unwrap(); // nothing synchronized yet
    disc.store.commit().unwrap();
    disc.file.commit(&json!(2)).unwrap();
    drop(disc);

    let again = open(&path);
    assert_eq!(again.file.generation(), 2);
    assert_eq!(read(&again.store, 100), sector(1));
    assert_eq!(read(&again.store, 102), sector(3));
}

#[test]
fn successive_opens_build_on_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    drop(DiscFile::create(&path, MediumKind::CdR74, &json!({"sessions": 0})).unwrap());
    for n in 1..=5u8 {
        let mut disc = open(&path);
        assert_eq!(disc.state, json!({"sessions": n - 1}));
        disc.store.write(u64::from(n) * 1000, &sector(n)).unwrap();
        disc.store.commit().unwrap();
        disc.file.commit(&json!({"sessions": n})).unwrap();
    }
    let disc = open(&path);
    assert_eq!(disc.file.generation(), 5);
    for n in 1..=5u8 {
        assert_eq!(read(&disc.store, u64::from(n) * 1000), sector(n));
    }
}

#[test]
fn a_second_opener_is_refused_while_the_disc_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let first = DiscFile::create(&path, MediumKind::BdRe, &json!({})).unwrap();
    let err = DiscFile::open(&path).unwrap_err();
    assert!(matches!(err, PersistError::Locked { .. }), "{err}");
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    drop(first);
    open(&path);
}

#[test]
fn creating_a_disc_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("image.iso");
    std::fs::write(&image, b"somebody's data").unwrap();
    let err = DiscFile::create(&image, MediumKind::BdRe, &json!({})).unwrap_err();
    assert!(matches!(err, PersistError::AlreadyExists { .. }), "{err}");
    assert_eq!(std::fs::read(&image).unwrap(), b"somebody's data");

    let disc = dir.path().join("disc");
    drop(DiscFile::create(&disc, MediumKind::BdRe, &json!({})).unwrap());
    let err = DiscFile::create(&disc, MediumKind::BdRe, &json!({})).unwrap_err();
    assert!(matches!(err, PersistError::AlreadyExists { .. }), "{err}");
}

#[test]
fn a_creation_cut_short_before_its_state_was_written_can_be_redone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    std::fs::write(&path, b"").unwrap(); // what a creation killed after its first step leaves
    let err = DiscFile::open(&path).unwrap_err();
    assert!(matches!(err, PersistError::NotADiscFile { .. }), "{err}");
    let disc = DiscFile::create(&path, MediumKind::DvdPlusRw, &json!({})).unwrap();
    assert_eq!(disc.kind, MediumKind::DvdPlusRw);
}

#[test]
fn the_handle_from_the_store_commits_the_same_disc() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let LoadedDisc { mut store, .. } =
        DiscFile::create(&path, MediumKind::BdRe, &json!(0)).unwrap();
    let file = store.disc_file();
    store.write(5, &sector(5)).unwrap();
    store.commit().unwrap();
    file.commit(&json!(1)).unwrap();
    assert_eq!(file.path(), path);
    drop((store, file));
    assert_eq!(read(&open(&path).store, 5), sector(5));
}

// The tail: sectors past everything committed go straight into the data file.

fn journal_exists(path: &Path) -> bool {
    Path::new(&format!("{}.journal", path.display())).exists()
}

fn data_len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

#[test]
fn a_new_disc_is_written_once_into_the_data_file_without_a_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(null)).unwrap();
    let image: Vec<u8> = (0..64u8).flat_map(sector).collect();
    disc.store.write(0, &image).unwrap();
    assert!(!journal_exists(&path), "no sector went through the journal");
    assert_eq!(std::fs::read(&path).unwrap(), image, "already in place");
    disc.store.commit().unwrap();
    disc.file.commit(&json!({"done": true})).unwrap();
    assert!(!journal_exists(&path));
    drop(disc);

    let again = open(&path);
    assert_eq!(again.state, json!({"done": true}));
    for i in 0..64u8 {
        assert_eq!(read(&again.store, u64::from(i)), sector(i));
    }
}

#[test]
fn an_uncommitted_tail_left_by_a_dead_process_is_cut_off_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::CdR80, &json!({"n": 0})).unwrap();
    disc.store
        .write(0, &[sector(1), sector(2)].concat())
        .unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!({"n": 1})).unwrap();
    // The next session: synchronized, even, but the disc file not committed.
    disc.store
        .write(2, &[sector(3), sector(4)].concat())
        .unwrap();
    disc.store.commit().unwrap();
    assert_eq!(data_len(&path), 4 * SECTOR as u64);
    drop(disc);

    let again = open(&path);
    assert_eq!(again.state, json!({"n": 1}));
    assert_eq!(
        data_len(&path),
        2 * SECTOR as u64,
        "cut back to data_sectors"
    );
    assert_eq!(read(&again.store, 1), sector(2));
    assert_eq!(read(&again.store, 2), sector(0));
    assert_eq!(read(&again.store, 3), sector(0));
}

#[test]
fn a_power_loss_drops_the_pending_tail_and_keeps_the_synchronized_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(null)).unwrap();
    disc.store
        .write(0, &[sector(1), sector(2)].concat())
        .unwrap();
    disc.store.commit().unwrap();
    // Pending: an overwrite of a synchronized tail sector, and new sectors past the tail.
    disc.store.write(1, &sector(7)).unwrap();
    disc.store
        .write(2, &[sector(8), sector(9)].concat())
        .unwrap();
    assert_eq!(read(&disc.store, 1), sector(7));
    disc.store.discard_uncommitted();
    assert_eq!(read(&disc.store, 1), sector(2), "the synchronized copy");
    assert_eq!(read(&disc.store, 2), sector(0), "never synchronized");
    assert_eq!(read(&disc.store, 3), sector(0));
    // Written again after the power loss, past a gap: the gap still reads as zeros.
    disc.store.write(5, &sector(5)).unwrap();
    assert_eq!(read(&disc.store, 2), sector(0));
    assert_eq!(read(&disc.store, 4), sector(0));
    disc.store.commit().unwrap();
    disc.file.commit(&json!("after")).unwrap();
    drop(disc);

    let again = open(&path);
    let got: Vec<[u8; SECTOR]> = (0..7).map(|i| read(&again.store, i)).collect();
    let want = [1, 2, 0, 0, 0, 5, 0].map(sector);
    assert_eq!(got, want);
}

#[test]
fn a_commit_with_a_pending_tail_keeps_it_pending_and_a_second_commit_saves_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(0)).unwrap();
    disc.store.write(0, &sector(1)).unwrap();
    disc.store.commit().unwrap();
    disc.store.write(1, &sector(2)).unwrap(); // pending at the commit
    disc.file.commit(&json!(1)).unwrap();
    disc.store.write(1, &sector(3)).unwrap(); // still pending: rewritten in place
    assert_eq!(read(&disc.store, 1), sector(3));
    disc.store.commit().unwrap();
    disc.file.commit(&json!(2)).unwrap();
    drop(disc);

    let again = open(&path);
    assert_eq!(again.state, json!(2));
    assert_eq!(read(&again.store, 0), sector(1));
    assert_eq!(read(&again.store, 1), sector(3));
}

#[test]
fn overwriting_committed_sectors_in_one_long_run_keeps_the_old_copy_until_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(0)).unwrap();
    let old: Vec<u8> = (0..600u32).flat_map(|i| sector(i as u8)).collect();
    disc.store.write(0, &old).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!(1)).unwrap();
    // A second full write, longer than one copy piece (512 sectors), in two transfers.
    let new: Vec<u8> = (0..600u32).flat_map(|i| sector(!(i as u8))).collect();
    disc.store.write(0, &new[..300 * SECTOR]).unwrap();
    disc.store.write(300, &new[300 * SECTOR..]).unwrap();
    assert!(
        journal_exists(&path),
        "over committed data: through the journal"
    );
    assert_eq!(
        &std::fs::read(&path).unwrap(),
        &old,
        "the data file still holds 1"
    );
    disc.store.commit().unwrap();
    // A commit that compacts the journal: its sectors are copied into the data file.
    disc.file.set_compaction_threshold(0);
    disc.file.commit(&json!(2)).unwrap();
    assert_eq!(&std::fs::read(&path).unwrap(), &new);
    assert!(!journal_exists(&path), "compacted: the journal is gone");
    drop(disc);
    let again = open(&path);
    let mut out = vec![0u8; 600 * SECTOR];
    again.store.read(0, &mut out).unwrap();
    assert_eq!(out, new);
}

/// Bytes the file takes on its file system (holes take none).
fn allocated(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().blocks() * 512
}

/// Overwriting committed sectors writes each byte once: the commit leaves the new sectors in
/// the journal, where they were written, and switches the disc to them; the data file is not
/// written, and the replaced copies' space is given back (in the data file, and in the
/// journal when they are overwritten again).
#[test]
fn an_overwrite_is_written_once_and_its_commit_copies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!(0)).unwrap();
    let round = |r: u8| -> Vec<u8> { (0..600u32).flat_map(|i| sector(r ^ i as u8)).collect() };
    disc.store.write(0, &round(1)).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!(1)).unwrap();
    for r in [2u8, 3, 4] {
        disc.store.write(0, &round(r)).unwrap();
        disc.store.commit().unwrap();
        disc.file.commit(&json!(r)).unwrap();
        let data = std::fs::read(&path).unwrap();
        assert!(
            data == round(1) || data.iter().all(|&b| b == 0),
            "round {r}: the data file was not written again"
        );
        assert!(
            allocated(&path) < 100 * SECTOR as u64,
            "round {r}: the data file's replaced copy takes {} bytes",
            allocated(&path)
        );
        let mut out = vec![0u8; 600 * SECTOR];
        disc.store.read(0, &mut out).unwrap();
        assert!(out == round(r), "round {r} reads back");
        // One copy of the sectors and a record: replaced copies were given back.
        let journal = PathBuf::from(format!("{}.journal", path.display()));
        assert!(
            allocated(&journal) < 700 * SECTOR as u64,
            "round {r}: the journal takes {} bytes",
            allocated(&journal)
        );
    }
    drop(disc);
    let again = open(&path);
    assert_eq!(again.state, json!(4));
    let mut out = vec![0u8; 600 * SECTOR];
    again.store.read(0, &mut out).unwrap();
    assert!(out == round(4), "round 4 after reopening");
}
