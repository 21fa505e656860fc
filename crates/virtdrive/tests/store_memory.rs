//! The memory store: sparse, so a 25 GB disc costs only what was written.

use virtdrive::store::{MemoryStore, SectorStore, SECTOR};

#[test]
fn only_written_extents_take_memory() {
    let mut store = MemoryStore::new();
    assert_eq!(store.resident_bytes(), 0);
    // One sector near the end of a BD-RE: one 64 KiB extent, not 25 GB.
    store.write(12_219_000, &[7u8; SECTOR]).unwrap();
    assert_eq!(store.resident_bytes(), 64 * 1024);
    store.commit().unwrap();
    assert_eq!(store.resident_bytes(), 64 * 1024);
    // Rewriting it after the commit holds the committed and the new copy until the next one.
    store.write(12_219_001, &[8u8; SECTOR]).unwrap();
    assert_eq!(store.resident_bytes(), 2 * 64 * 1024);
    store.commit().unwrap();
    assert_eq!(store.resident_bytes(), 64 * 1024);
}

#[test]
fn a_discard_releases_the_uncommitted_extents() {
    let mut store = MemoryStore::new();
    store.write(0, &vec![1u8; 64 * SECTOR]).unwrap();
    assert!(store.has_uncommitted());
    store.discard_uncommitted();
    assert!(!store.has_uncommitted());
    assert_eq!(store.resident_bytes(), 0);
}

#[test]
fn arbitrary_data_reads_back_byte_for_byte() {
    let mut store = MemoryStore::new();
    let data: Vec<u8> = (0..45 * SECTOR).map(|i| (i * 31 + i / 7) as u8).collect();
    store.write(17, &data).unwrap();
    store.commit().unwrap();
    let mut out = vec![0u8; data.len()];
    store.read(17, &mut out).unwrap();
    assert_eq!(out, data);
    assert_eq!(
        store.digest(18).unwrap(),
        *blake3::hash(&data[SECTOR..2 * SECTOR]).as_bytes()
    );
}
