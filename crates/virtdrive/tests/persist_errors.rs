//! Disc files that are missing, foreign, corrupt or cut short: a clear error naming the file
//! and what is wrong, never a panic. And the documented journal format, built by hand and
//! replayed.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use virtdrive::medium::MediumKind;
use virtdrive::persist::{DiscFile, PersistError};
use virtdrive::store::{SectorStore, SECTOR};

/// A committed disc with sectors 0-3 written (bytes 1-4), in a temp dir.
fn committed_disc() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    let mut disc = DiscFile::create(&path, MediumKind::BdRe, &json!({"k": 1})).unwrap();
    let data: Vec<u8> = (1..=4u8).flat_map(|b| [b; SECTOR]).collect();
    disc.store.write(0, &data).unwrap();
    disc.store.commit().unwrap();
    disc.file.commit(&json!({"k": 2})).unwrap();
    (dir, path)
}

fn state_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.state.json", path.display()))
}

fn journal_path(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.journal", path.display()))
}

/// Opens, expecting an error whose message names `file`.
fn open_fails(path: &Path, file: &Path) -> PersistError {
    let err = DiscFile::open(path).expect_err("opening must fail");
    let message = err.to_string();
    assert!(
        message.contains(&file.display().to_string()),
        "the message names {}: {message}",
        file.display()
    );
    assert_eq!(err.path(), file);
    err
}

#[test]
fn a_missing_disc_is_reported_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing-here");
    let err = open_fails(&path, &path);
    assert!(matches!(err, PersistError::Missing { .. }), "{err}");
}

#[test]
fn a_file_without_a_state_is_not_a_disc_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.iso");
    fs::write(&path, [0x55u8; 4096]).unwrap();
    let err = open_fails(&path, &path);
    assert!(matches!(err, PersistError::NotADiscFile { .. }), "{err}");
    assert!(err.to_string().contains("image.iso.state.json"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), [0x55u8; 4096], "left untouched");
}

#[test]
fn a_state_without_its_data_file_is_reported() {
    let (_dir, path) = committed_disc();
    fs::remove_file(&path).unwrap();
    let err = open_fails(&path, &path);
    assert!(matches!(err, PersistError::NotADiscFile { .. }), "{err}");
    assert!(err.to_string().contains("data file is missing"), "{err}");
}

#[test]
fn a_state_file_that_is_not_json_is_corrupt() {
    let (_dir, path) = committed_disc();
    let state = state_path(&path);
    let text = fs::read(&state).unwrap();
    fs::write(&state, &text[..text.len() / 2]).unwrap(); // cut mid-object
    let err = open_fails(&path, &state);
    assert!(matches!(err, PersistError::CorruptState { .. }), "{err}");
}

#[test]
fn json_of_another_kind_is_not_a_disc_state() {
    let (_dir, path) = committed_disc();
    let state = state_path(&path);
    fs::write(&state, br#"{"name": "some other program's settings"}"#).unwrap();
    let err = open_fails(&path, &state);
    assert!(matches!(err, PersistError::NotADiscFile { .. }), "{err}");
}

#[test]
fn a_state_of_another_format_version_is_refused() {
    let (_dir, path) = committed_disc();
    let state = state_path(&path);
    let mut value: serde_json::Value = serde_json::from_slice(&fs::read(&state).unwrap()).unwrap();
    value["version"] = json!(4);
    fs::write(&state, serde_json::to_vec(&value).unwrap()).unwrap();
    let err = open_fails(&path, &state);
    assert!(
        matches!(
            err,
            PersistError::UnsupportedVersion {
                found: 4,
                supported: 3,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_state_lacking_a_field_or_with_an_unknown_medium_is_corrupt() {
    for (field, value) in [("medium", json!("hd-dvd")), ("generation", json!("seven"))] {
        let (_dir, path) = committed_disc();
        let state = state_path(&path);
        let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&state).unwrap()).unwrap();
        v[field] = value;
        fs::write(&state, serde_json::to_vec(&v).unwrap()).unwrap();
        let err = open_fails(&path, &state);
        assert!(
            matches!(err, PersistError::CorruptState { .. }),
            "{field}: {err}"
        );
    }
}

#[test]
fn a_data_file_shorter_than_the_state_says_is_truncated() {
    let (_dir, path) = committed_disc();
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(3 * SECTOR as u64)
        .unwrap();
    let err = open_fails(&path, &path);
    assert!(
        matches!(
            err,
            PersistError::DataTruncated {
                expected: 8192,
                actual: 6144,
                ..
            }
        ),
        "{err}"
    );
}

// The journal, built by hand from the layout in the `persist` module documentation.

const JOURNAL_MAGIC: &[u8; 8] = b"VDJRNL\0\x01";
const RECORD_MAGIC: &[u8; 8] = b"VDJREC\0\x02";
const RECORD_MAGIC_V1: &[u8; 8] = b"VDJREC\0\x01";

fn journal_header(generation: u64) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(JOURNAL_MAGIC); // bytes 0-7: magic
    h.extend_from_slice(&generation.to_le_bytes()); // 8-15: generation
    h.extend_from_slice(&[0; 8]); // 16-23: reserved
    let check = blake3::hash(&h[..16]);
    h.extend_from_slice(&check.as_bytes()[..8]); // 24-31: check
    h.resize(SECTOR, 0); // to 2047: zero
    h
}

/// The commit record the module documentation describes: runs of (first sector, first slot,
/// count).
fn record_v2(generation: u64) -> Vec<u8> {
    let mut record = Vec::new();
    record.extend_from_slice(RECORD_MAGIC);
    record.extend_from_slice(&generation.to_le_bytes());
    record.extend_from_slice(&2u64.to_le_bytes()); // two runs
    record.extend_from_slice(&0u64.to_le_bytes()); // sector 0 ...
    record.extend_from_slice(&1u32.to_le_bytes()); // ... is in slot 1 ...
    record.extend_from_slice(&1u32.to_le_bytes()); // ... for 1 sector
    record.extend_from_slice(&1u64.to_le_bytes()); // sector 1 ...
    record.extend_from_slice(&0u32.to_le_bytes()); // ... is in slot 0 ...
    record.extend_from_slice(&1u32.to_le_bytes()); // ... for 1 sector
    record
}

/// The version 1 record: one entry of (sector, slot) per sector.
fn record_v1(generation: u64) -> Vec<u8> {
    let mut record = Vec::new();
    record.extend_from_slice(RECORD_MAGIC_V1);
    record.extend_from_slice(&generation.to_le_bytes());
    record.extend_from_slice(&2u64.to_le_bytes()); // two sectors
    record.extend_from_slice(&0u64.to_le_bytes()); // sector 0 ...
    record.extend_from_slice(&1u32.to_le_bytes()); // ... is in slot 1
    record.extend_from_slice(&1u64.to_le_bytes()); // sector 1 ...
    record.extend_from_slice(&0u32.to_le_bytes()); // ... is in slot 0
    record
}

/// A state file at `generation` naming a record, and the journal holding it: slot 0 holds
/// 0xB0s for sector 1, slot 1 holds 0xA0s for sector 0; the data file is empty.
fn hand_made_committed_journal(generation: u64) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    hand_made_journal_with(generation, record_v2(generation))
}

fn hand_made_journal_with(
    generation: u64,
    record: Vec<u8>,
) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc");
    fs::write(&path, b"").unwrap();
    let mut journal = journal_header(generation);
    journal.extend_from_slice(&[0xB0; SECTOR]); // slot 0
    journal.extend_from_slice(&[0xA0; SECTOR]); // slot 1
    let record_offset = journal.len();
    journal.extend_from_slice(&record);
    fs::write(journal_path(&path), &journal).unwrap();
    let state = json!({
        "format": "virtdrive disc",
        "version": 1,
        "generation": generation,
        "medium": "dvd+rw",
        "data_sectors": 2,
        "journal": {
            "generation": generation,
            "record_offset": record_offset,
            "record_length": record.len(),
            "record_blake3": blake3::hash(&record).to_hex().to_string(),
        },
        "state": {"by": "hand"},
    });
    fs::write(state_path(&path), serde_json::to_vec(&state).unwrap()).unwrap();
    (dir, path, record)
}

#[test]
fn a_committed_journal_found_on_open_is_replayed_into_the_data_file() {
    let (_dir, path, _) = hand_made_committed_journal(7);
    let disc = DiscFile::open(&path).unwrap();
    assert_eq!(disc.kind, MediumKind::DvdPlusRw);
    assert_eq!(disc.state, json!({"by": "hand"}));
    assert_eq!(disc.file.generation(), 7);
    let mut out = vec![0u8; 2 * SECTOR];
    disc.store.read(0, &mut out).unwrap();
    assert_eq!(&out[..SECTOR], &[0xA0; SECTOR][..]);
    assert_eq!(&out[SECTOR..], &[0xB0; SECTOR][..]);
    drop(disc);
    let data = fs::read(&path).unwrap();
    assert_eq!(data.len(), 2 * SECTOR);
    assert_eq!(
        &data[..SECTOR],
        &[0xA0; SECTOR][..],
        "sector 0 in the data file"
    );
    assert!(!journal_path(&path).exists(), "removed once replayed");
}

#[test]
fn a_committed_journal_of_the_first_record_version_is_still_replayed() {
    let (_dir, path, _) = hand_made_journal_with(7, record_v1(7));
    let disc = DiscFile::open(&path).unwrap();
    let mut out = vec![0u8; 2 * SECTOR];
    disc.store.read(0, &mut out).unwrap();
    assert_eq!(&out[..SECTOR], &[0xA0; SECTOR][..]);
    assert_eq!(&out[SECTOR..], &[0xB0; SECTOR][..]);
}

#[test]
fn a_journal_of_the_next_generation_was_never_committed_and_is_dropped() {
    let (_dir, path, _) = hand_made_committed_journal(7);
    // The state is still at 6 and names no journal: the commit of 7 never reached its
    // rename.
    let state = state_path(&path);
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&state).unwrap()).unwrap();
    v["generation"] = json!(6);
    v["journal"] = json!(null);
    v["data_sectors"] = json!(0);
    fs::write(&state, serde_json::to_vec(&v).unwrap()).unwrap();
    let disc = DiscFile::open(&path).unwrap();
    let mut out = vec![0xEEu8; 2 * SECTOR];
    disc.store.read(0, &mut out).unwrap();
    assert_eq!(out, vec![0u8; 2 * SECTOR]);
    assert!(!journal_path(&path).exists());
}

#[test]
fn a_journal_whose_record_does_not_match_the_state_is_a_damaged_generation() {
    let (_dir, path, record) = hand_made_committed_journal(7);
    let journal = journal_path(&path);
    let mut bytes = fs::read(&journal).unwrap();
    let at = bytes.len() - record.len() + 24; // the first entry's sector number
    bytes[at] = 9;
    fs::write(&journal, &bytes).unwrap();
    generation_7_is_damaged(&path, &journal);
}

#[test]
fn a_journal_cut_before_its_record_is_a_damaged_generation() {
    let (_dir, path, record) = hand_made_committed_journal(7);
    let journal = journal_path(&path);
    let bytes = fs::read(&journal).unwrap();
    fs::write(&journal, &bytes[..bytes.len() - record.len() / 2]).unwrap();
    generation_7_is_damaged(&path, &journal);
}

/// Opening fails: the disc's generation 7 is damaged, and the message names the journal too.
fn generation_7_is_damaged(path: &Path, journal: &Path) {
    let err = open_fails(path, path);
    assert!(
        err.to_string().contains(&journal.display().to_string()),
        "{err}"
    );
    assert!(
        matches!(err, PersistError::Damaged { generation: 7, .. }),
        "{err}"
    );
}
