//! The hash-only store: digests of any data, the data itself only for sectors of one
//! repeated byte.

use virtdrive::store::{HashOnlyStore, SectorStore, StoreError, SECTOR};

/// Sector `n` of a stream that is not uniform: every byte depends on its position.
fn varied(n: u64) -> Vec<u8> {
    (0..SECTOR)
        .map(|i| (i as u64 * 7 + n * 13 + i as u64 / 256) as u8)
        .collect()
}

#[test]
fn digests_of_data_are_blake3_and_the_data_is_not_retained() {
    let mut store = HashOnlyStore::new();
    let data: Vec<u8> = (0..40).flat_map(varied).collect();
    store.write(1000, &data).unwrap();
    for n in 0..40u64 {
        let sector = &data[n as usize * SECTOR..(n as usize + 1) * SECTOR];
        assert_eq!(
            store.digest(1000 + n).unwrap(),
            *blake3::hash(sector).as_bytes()
        );
    }
    let mut out = vec![0u8; SECTOR];
    let err = store.read(1005, &mut out).unwrap_err();
    assert!(
        matches!(err, StoreError::DataNotRetained { index: 1005 }),
        "{err}"
    );
}

#[test]
fn a_read_names_the_first_sector_not_retained() {
    let mut store = HashOnlyStore::new();
    store.write(0, &[0x20u8; 3 * SECTOR]).unwrap();
    store.write(3, &varied(3)).unwrap();
    let mut out = vec![0u8; 3 * SECTOR];
    store.read(0, &mut out).unwrap();
    assert_eq!(out, vec![0x20u8; 3 * SECTOR]);
    let mut out = vec![0u8; 5 * SECTOR];
    let err = store.read(0, &mut out).unwrap_err();
    assert!(
        matches!(err, StoreError::DataNotRetained { index: 3 }),
        "{err}"
    );
}

#[test]
fn uniform_sectors_read_back_whatever_their_byte() {
    let mut store = HashOnlyStore::new();
    for byte in [0x00u8, 0x01, 0x7F, 0xFF] {
        store.write(u64::from(byte), &[byte; SECTOR]).unwrap();
    }
    store.commit().unwrap();
    for byte in [0x00u8, 0x01, 0x7F, 0xFF] {
        let mut out = [0xEEu8; SECTOR];
        store.read(u64::from(byte), &mut out).unwrap();
        assert_eq!(out, [byte; SECTOR]);
    }
}

#[test]
fn a_sector_that_differs_only_in_its_last_byte_is_not_uniform() {
    let mut store = HashOnlyStore::new();
    let mut sector = [0u8; SECTOR];
    sector[SECTOR - 1] = 1;
    store.write(9, &sector).unwrap();
    let mut out = [0u8; SECTOR];
    assert!(matches!(
        store.read(9, &mut out),
        Err(StoreError::DataNotRetained { index: 9 })
    ));
    assert_eq!(store.digest(9).unwrap(), *blake3::hash(&sector).as_bytes());
}

#[test]
fn partial_rewrites_of_a_committed_cluster_merge_sector_by_sector() {
    let mut store = HashOnlyStore::new();
    // A whole 32-sector cluster, committed.
    let cluster: Vec<u8> = (64..96).flat_map(varied).collect();
    store.write(64, &cluster).unwrap();
    store.commit().unwrap();
    // Rewrite two sectors of it: one with data, one with a fill.
    store.write(70, &varied(1_000_000)).unwrap();
    store.write(71, &[0xC3u8; SECTOR]).unwrap();
    store.commit().unwrap();
    for n in 64..96u64 {
        let expected = match n {
            70 => blake3::hash(&varied(1_000_000)),
            71 => blake3::hash(&[0xC3u8; SECTOR]),
            _ => blake3::hash(&varied(n)),
        };
        assert_eq!(store.digest(n).unwrap(), *expected.as_bytes(), "sector {n}");
    }
    let mut out = [0u8; SECTOR];
    store.read(71, &mut out).unwrap();
    assert_eq!(out, [0xC3u8; SECTOR]);
}

#[test]
fn a_discard_restores_the_committed_digests() {
    let mut store = HashOnlyStore::new();
    store.write(0, &varied(0)).unwrap();
    store.commit().unwrap();
    store.write(0, &varied(1)).unwrap();
    store.write(1, &varied(2)).unwrap();
    assert!(store.has_uncommitted());
    store.discard_uncommitted();
    assert_eq!(
        store.digest(0).unwrap(),
        *blake3::hash(&varied(0)).as_bytes()
    );
    assert_eq!(
        store.digest(1).unwrap(),
        *blake3::hash(&[0u8; SECTOR]).as_bytes()
    );
}
