//! What every sector store promises (the `SectorStore` contract), checked on each of the
//! three: memory, hash-only (with data every sector of which repeats one byte, which it
//! keeps) and file.

use serde_json::json;
use virtdrive::medium::MediumKind;
use virtdrive::persist::DiscFile;
use virtdrive::store::{HashOnlyStore, MemoryStore, SectorStore, StoreError, SECTOR};

/// `count` sectors, each filled with one byte: `first`, `first + 1`, ... (so the hash-only
/// store can read them back too).
fn filled(first: u8, count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|k| [first.wrapping_add(k as u8); SECTOR])
        .collect()
}

/// Runs `check` on a fresh store of each kind.
fn on_each_store(check: impl Fn(&mut dyn SectorStore)) {
    check(&mut MemoryStore::new());
    check(&mut HashOnlyStore::new());
    let dir = tempfile::tempdir().unwrap();
    let disc = DiscFile::create(dir.path().join("disc"), MediumKind::BdRe, &json!({}))
        .expect("a new disc file");
    let mut store = disc.store;
    check(&mut store);
}

fn read(store: &dyn SectorStore, index: u64, count: usize) -> Vec<u8> {
    let mut out = vec![0xEEu8; count * SECTOR];
    store.read(index, &mut out).unwrap();
    out
}

#[test]
fn never_written_sectors_read_as_zeros() {
    on_each_store(|store| {
        assert_eq!(read(store, 0, 3), vec![0u8; 3 * SECTOR]);
        assert_eq!(read(store, 12_219_391, 1), vec![0u8; SECTOR]);
    });
}

#[test]
fn a_read_returns_the_last_write_committed_or_not() {
    on_each_store(|store| {
        store.write(100, &filled(1, 4)).unwrap();
        assert_eq!(read(store, 100, 4), filled(1, 4), "before the commit");
        store.commit().unwrap();
        assert_eq!(read(store, 100, 4), filled(1, 4), "after the commit");
        store.write(101, &filled(9, 1)).unwrap();
        let mut expected = filled(1, 4);
        expected[SECTOR..2 * SECTOR].fill(9);
        assert_eq!(read(store, 100, 4), expected, "an overwrite in the middle");
    });
}

#[test]
fn writes_across_extent_and_cluster_boundaries_land_sector_by_sector() {
    on_each_store(|store| {
        // 70 sectors from 30: crosses the 32- and 64-sector boundaries, partial at both ends.
        store.write(30, &filled(0x40, 70)).unwrap();
        assert_eq!(read(store, 29, 1), vec![0u8; SECTOR]);
        assert_eq!(read(store, 30, 70), filled(0x40, 70));
        assert_eq!(read(store, 100, 1), vec![0u8; SECTOR]);
        store.commit().unwrap();
        // Reads that start and end inside other extents.
        assert_eq!(read(store, 63, 3), filled(0x40 + 33, 3));
    });
}

#[test]
fn discard_drops_only_what_was_written_since_the_commit() {
    on_each_store(|store| {
        store.write(0, &filled(1, 40)).unwrap();
        store.commit().unwrap();
        store.write(10, &filled(0x80, 5)).unwrap(); // over committed sectors
        store.write(200, &filled(0x90, 2)).unwrap(); // where nothing was
        store.discard_uncommitted();
        assert_eq!(read(store, 0, 40), filled(1, 40));
        assert_eq!(read(store, 200, 2), vec![0u8; 2 * SECTOR]);
    });
}

#[test]
fn commit_keeps_writes_through_a_later_discard() {
    on_each_store(|store| {
        store.write(5, &filled(3, 2)).unwrap();
        store.commit().unwrap();
        store.write(6, &filled(0x33, 1)).unwrap();
        store.commit().unwrap();
        store.discard_uncommitted();
        let mut expected = filled(3, 2);
        expected[SECTOR..].fill(0x33);
        assert_eq!(read(store, 5, 2), expected);
    });
}

#[test]
fn buffers_that_are_not_whole_sectors_are_rejected() {
    on_each_store(|store| {
        let err = store.write(0, &[1u8; SECTOR + 1]).unwrap_err();
        assert!(
            matches!(err, StoreError::Unaligned { len } if len == SECTOR + 1),
            "{err}"
        );
        let mut out = [0u8; 100];
        let err = store.read(0, &mut out).unwrap_err();
        assert!(matches!(err, StoreError::Unaligned { len: 100 }), "{err}");
        // Nothing was stored by the rejected write.
        assert_eq!(read(store, 0, 1), vec![0u8; SECTOR]);
    });
}

#[test]
fn sector_runs_past_the_64_bit_address_space_are_rejected() {
    on_each_store(|store| {
        let err = store.write(u64::MAX, &[0u8; SECTOR]).unwrap_err();
        assert!(matches!(err, StoreError::OutOfRange { .. }), "{err}");
        let mut out = [0u8; 2 * SECTOR];
        let err = store.read(u64::MAX / 2048, &mut out).unwrap_err();
        assert!(matches!(err, StoreError::OutOfRange { .. }), "{err}");
    });
}

#[test]
fn empty_buffers_are_no_ops() {
    on_each_store(|store| {
        store.write(7, &[]).unwrap();
        store.read(7, &mut []).unwrap();
        assert_eq!(read(store, 7, 1), vec![0u8; SECTOR]);
    });
}

#[test]
fn digests_are_blake3_of_the_sector_contents() {
    on_each_store(|store| {
        let zeros = blake3::hash(&[0u8; SECTOR]);
        assert_eq!(
            store.digest(42).unwrap(),
            *zeros.as_bytes(),
            "never written"
        );
        store.write(42, &filled(0xA5, 1)).unwrap();
        assert_eq!(
            store.digest(42).unwrap(),
            *blake3::hash(&[0xA5u8; SECTOR]).as_bytes(),
            "uncommitted"
        );
        store.commit().unwrap();
        store.write(42, &filled(0x5A, 1)).unwrap();
        store.discard_uncommitted();
        assert_eq!(
            store.digest(42).unwrap(),
            *blake3::hash(&[0xA5u8; SECTOR]).as_bytes(),
            "after a discard"
        );
    });
}

#[test]
fn a_whole_cluster_rewritten_then_discarded_or_committed() {
    on_each_store(|store| {
        store.write(64, &filled(1, 32)).unwrap();
        store.commit().unwrap();
        store.write(64, &filled(100, 32)).unwrap();
        assert_eq!(read(store, 64, 32), filled(100, 32));
        store.discard_uncommitted();
        assert_eq!(read(store, 64, 32), filled(1, 32), "discarded");
        store.write(64, &filled(100, 32)).unwrap();
        store.commit().unwrap();
        store.discard_uncommitted();
        assert_eq!(read(store, 64, 32), filled(100, 32), "committed");
    });
}

#[test]
fn verify_names_the_first_sector_that_differs() {
    on_each_store(|store| {
        store.write(10, &filled(0x31, 4)).unwrap();
        assert_eq!(store.verify(10, &filled(0x31, 4)).unwrap(), None);
        store.commit().unwrap();
        store.write(12, &filled(0x77, 1)).unwrap();
        assert_eq!(store.verify(10, &filled(0x31, 4)).unwrap(), Some(12));
        let mut now = filled(0x31, 4);
        now[2 * SECTOR..3 * SECTOR].fill(0x77);
        assert_eq!(store.verify(10, &now).unwrap(), None);
        assert_eq!(store.verify(8, &vec![0u8; 2 * SECTOR]).unwrap(), None);
        store.discard_uncommitted();
        assert_eq!(store.verify(10, &filled(0x31, 4)).unwrap(), None);
    });
}
