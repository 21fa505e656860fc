//! The hash-only store: digests of any data, the data itself only for sectors of one
//! repeated byte.

use virtdrive::store::{HashOnlyStore, SectorStore, StoreError, SECTOR};

/// Sector `n` of a stream that is not uniform: every byte depends on its position.
fn varied(n: u64) -> Vec<u8> {
    (0..SECTOR)
        .map(|i| (i as u64 * 7 + n * 13 + i as u64 / 256) as u8)
        .collect()
}

/// `count` distinct sectors from sector `first`.
fn varied_run(first: u64, count: u64) -> Vec<u8> {
    (first..first + count).flat_map(varied).collect()
}

#[test]
fn data_verifies_by_range_and_is_not_retained() {
    let mut store = HashOnlyStore::new();
    let data = varied_run(1000, 40);
    store.write(1000, &data).unwrap();
    assert_eq!(store.verify(1000, &data).unwrap(), None, "the whole write");
    assert_eq!(
        store.verify(1010, &data[10 * SECTOR..20 * SECTOR]).unwrap(),
        None,
        "a range inside it"
    );
    let mut wrong = data.clone();
    wrong[23 * SECTOR + 100] ^= 0x01;
    assert_eq!(
        store.verify(1000, &wrong).unwrap(),
        Some(1023),
        "one bit off"
    );
    // The same data one sector further on is not what was written there.
    assert_eq!(store.verify(1001, &data[..SECTOR]).unwrap(), Some(1001));
    let mut out = vec![0u8; SECTOR];
    let err = store.read(1005, &mut out).unwrap_err();
    assert!(
        matches!(err, StoreError::DataNotRetained { index: 1005 }),
        "{err}"
    );
    assert!(matches!(
        store.digest(1005),
        Err(StoreError::DataNotRetained { index: 1005 })
    ));
}

#[test]
fn a_range_over_written_data_and_blanks_verifies_against_zeros_around_it() {
    let mut store = HashOnlyStore::new();
    store.write(4095, &varied_run(4095, 2)).unwrap();
    store.commit().unwrap();
    let mut expected = vec![0u8; 6 * SECTOR];
    expected[2 * SECTOR..4 * SECTOR].copy_from_slice(&varied_run(4095, 2));
    assert_eq!(store.verify(4093, &expected).unwrap(), None);
    assert_eq!(
        store.verify(4093, &vec![0u8; 6 * SECTOR]).unwrap(),
        Some(4095)
    );
}

#[test]
fn verify_takes_whole_sectors_only() {
    let store = HashOnlyStore::new();
    assert!(matches!(
        store.verify(0, &[0u8; SECTOR + 1]),
        Err(StoreError::Unaligned { .. })
    ));
    assert!(matches!(
        store.verify(u64::MAX, &[0u8; SECTOR]),
        Err(StoreError::OutOfRange { .. })
    ));
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
    assert_eq!(store.verify(9, &sector).unwrap(), None);
    assert_eq!(store.verify(9, &[0u8; SECTOR]).unwrap(), Some(9));
}

#[test]
fn partial_rewrites_replace_exactly_the_sectors_they_write() {
    let mut store = HashOnlyStore::new();
    // A run of 100 sectors across a page boundary (4096), committed.
    let first = varied_run(4050, 100);
    store.write(4050, &first).unwrap();
    store.commit().unwrap();
    // Rewrite the middle of it, across the same boundary: data, then a fill.
    store.write(4090, &varied_run(1_000_000, 8)).unwrap();
    store.write(4098, &[0xC3u8; 2 * SECTOR]).unwrap();
    let mut now = first.clone();
    now[40 * SECTOR..48 * SECTOR].copy_from_slice(&varied_run(1_000_000, 8));
    now[48 * SECTOR..50 * SECTOR].fill(0xC3);
    for committed in [false, true] {
        assert_eq!(
            store.verify(4050, &now).unwrap(),
            None,
            "commit {committed}"
        );
        // The untouched parts on either side still verify on their own...
        assert_eq!(store.verify(4050, &first[..40 * SECTOR]).unwrap(), None);
        assert_eq!(store.verify(4100, &first[50 * SECTOR..]).unwrap(), None);
        // ...and the old contents of the rewritten part no longer do.
        assert_eq!(store.verify(4050, &first).unwrap(), Some(4090));
        store.commit().unwrap();
    }
    let mut out = [0u8; SECTOR];
    store.read(4099, &mut out).unwrap();
    assert_eq!(out, [0xC3u8; SECTOR]);
}

#[test]
fn a_discard_restores_what_was_committed() {
    let mut store = HashOnlyStore::new();
    store.write(0, &varied(0)).unwrap();
    store.commit().unwrap();
    store.write(0, &varied(1)).unwrap();
    store.write(1, &varied(2)).unwrap();
    assert!(store.has_uncommitted());
    assert_eq!(store.verify(0, &varied(1)).unwrap(), None, "uncommitted");
    store.discard_uncommitted();
    assert_eq!(store.verify(0, &varied(0)).unwrap(), None);
    assert_eq!(store.verify(0, &varied(1)).unwrap(), Some(0));
    assert_eq!(
        store.digest(1).unwrap(),
        *blake3::hash(&[0u8; SECTOR]).as_bytes()
    );
}

/// Sector indexes in eight pages, a few sectors in each, across page boundaries.
fn spread() -> Vec<u64> {
    let page = HashOnlyStore::PAGE_SECTORS;
    (0..8u64)
        .flat_map(|p| {
            [
                p * 3 * page + 7,
                p * 3 * page + page - 1,
                p * 3 * page + page,
            ]
        })
        .collect()
}

#[test]
fn a_tiny_cache_writes_pages_back_and_still_verifies_every_sector() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = HashOnlyStore::with_cache(2, dir.path());
    for &i in &spread() {
        store.write(i, &varied(i)).unwrap();
        assert!(store.resident_pages() <= 2);
    }
    assert!(
        store.pages_written_back() > 0,
        "pages beyond two went to the file"
    );
    for &i in &spread() {
        assert_eq!(store.verify(i, &varied(i)).unwrap(), None, "sector {i}");
        assert_eq!(store.verify(i, &varied(i + 1)).unwrap(), Some(i));
        assert!(store.resident_pages() <= 2);
    }
    store.commit().unwrap();
    // A partial rewrite of committed, evicted pages merges sector by sector.
    let rewritten: Vec<u64> = spread().into_iter().step_by(2).collect();
    for &i in &rewritten {
        store.write(i, &varied(i + 5)).unwrap();
    }
    store.commit().unwrap();
    for &i in &spread() {
        let want = if rewritten.contains(&i) { i + 5 } else { i };
        assert_eq!(store.verify(i, &varied(want)).unwrap(), None, "sector {i}");
    }
    // Sectors never written still read as zeros, next to evicted pages.
    let mut out = vec![0xEEu8; 2 * SECTOR];
    store.read(5, &mut out).unwrap();
    assert_eq!(out, vec![0u8; 2 * SECTOR]);
}

#[test]
fn a_discard_after_eviction_restores_what_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = HashOnlyStore::with_cache(1, dir.path());
    for &i in &spread() {
        store.write(i, &varied(i)).unwrap();
    }
    store.write(3, &[0x5Au8; SECTOR]).unwrap();
    store.commit().unwrap();
    for &i in &spread() {
        store.write(i, &varied(i + 9)).unwrap();
    }
    store.write(3, &[0xA5u8; SECTOR]).unwrap();
    assert!(store.has_uncommitted());
    store.discard_uncommitted();
    assert!(!store.has_uncommitted());
    for &i in &spread() {
        assert_eq!(store.verify(i, &varied(i)).unwrap(), None, "sector {i}");
    }
    let mut out = vec![0u8; SECTOR];
    store.read(3, &mut out).unwrap();
    assert_eq!(out, vec![0x5Au8; SECTOR]);
    // The discarded layer's pages are reused: writing the same pages again, and merging them,
    // needs no more of the file.
    let size = store.file_pages();
    assert_eq!(size, 32, "sixteen pages committed, sixteen uncommitted");
    for round in 1..4 {
        for &i in &spread() {
            store.write(i, &varied(i + round)).unwrap();
        }
        store.commit().unwrap();
        for &i in &spread() {
            assert_eq!(store.verify(i, &varied(i + round)).unwrap(), None);
        }
        assert_eq!(store.file_pages(), size, "round {round}");
    }
}

#[test]
fn a_page_file_that_cannot_be_created_is_a_store_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let mut store = HashOnlyStore::with_cache(1, &missing);
    let page = HashOnlyStore::PAGE_SECTORS;
    store.write(0, &varied(0)).unwrap();
    // A second page needs the first one written back, to a file that cannot be made.
    let err = store.write(page, &varied(page)).unwrap_err();
    match &err {
        StoreError::Io { path, .. } => assert!(path.contains("no-such-dir"), "{err}"),
        other => panic!("expected an I/O error, got {other:?}"),
    }
    // What was written before stays, and the store keeps working where the cache suffices.
    assert_eq!(store.verify(0, &varied(0)).unwrap(), None);
    assert_eq!(store.verify(page, &[0u8; SECTOR]).unwrap(), None);
    store.commit().unwrap();
    assert_eq!(store.verify(0, &varied(0)).unwrap(), None);
}

/// Random writes, commits and discards on a one-page cache give the same answers as on a
/// cache that holds everything.
#[test]
fn a_tiny_cache_answers_as_a_large_one_through_any_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let mut small = HashOnlyStore::with_cache(1, dir.path());
    let mut large = HashOnlyStore::new();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let span = 6 * HashOnlyStore::PAGE_SECTORS;
    for round in 0..300 {
        match next(10) {
            0 => {
                small.commit().unwrap();
                large.commit().unwrap();
            }
            1 => {
                small.discard_uncommitted();
                large.discard_uncommitted();
            }
            _ => {
                let at = next(span);
                let count = 1 + next(3);
                let data: Vec<u8> = if next(3) == 0 {
                    vec![next(256) as u8; count as usize * SECTOR]
                } else {
                    varied_run(at + round, count)
                };
                small.write(at, &data).unwrap();
                large.write(at, &data).unwrap();
            }
        }
        let probe = next(span);
        let candidate = varied_run(probe + next(300), 2);
        assert_eq!(
            small.verify(probe, &candidate).unwrap(),
            large.verify(probe, &candidate).unwrap()
        );
        let mut a = vec![0u8; SECTOR];
        let mut b = vec![0u8; SECTOR];
        assert_eq!(
            small.read(probe, &mut a).is_ok(),
            large.read(probe, &mut b).is_ok()
        );
        assert_eq!(a, b, "round {round}, sector {probe}");
    }
    assert!(small.pages_written_back() > 0);
}
