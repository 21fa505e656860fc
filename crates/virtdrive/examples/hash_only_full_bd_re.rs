//! Writes a whole single-layer BD-RE (12,219,392 sectors, 25 GB) of distinct, non-uniform
//! sectors into the hash-only store, in 64 KiB writes, then commits; prints the wall time and
//! the peak memory of the process, and verifies a few of the writes by range (and that a byte
//! changed in them is found).
//!
//! Run: `cargo run --release -p virtdrive --example hash_only_full_bd_re`
//! (optionally with a sector count as the argument, for a shorter run).

use std::time::Instant;

use virtdrive::store::{HashOnlyStore, SectorStore, SECTOR};

const BD_RE_SECTORS: u64 = 12_219_392;
const SECTORS_PER_WRITE: u64 = 32;

/// Sector `lba` of the disc: a fixed non-uniform pattern with the LBA in its first 8 bytes.
fn fill_sector(sector: &mut [u8], lba: u64) {
    sector[..8].copy_from_slice(&lba.to_le_bytes());
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let sectors: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(BD_RE_SECTORS);
    let mut buf: Vec<u8> = (0..SECTORS_PER_WRITE as usize * SECTOR)
        .map(|i| (i * 31 + i / 2048 * 7 + 1) as u8)
        .collect();
    let mut store = HashOnlyStore::new();
    let started = Instant::now();
    let mut lba = 0;
    while lba < sectors {
        let count = SECTORS_PER_WRITE.min(sectors - lba);
        let bytes = &mut buf[..count as usize * SECTOR];
        for (k, sector) in bytes.chunks_exact_mut(SECTOR).enumerate() {
            fill_sector(sector, lba + k as u64);
        }
        store.write(lba, bytes).expect("write");
        lba += count;
    }
    store.commit().expect("commit");
    let elapsed = started.elapsed();

    // Verify a few writes by range: each as written, and each with one byte changed.
    for first in [
        0,
        sectors / 2 / SECTORS_PER_WRITE * SECTORS_PER_WRITE,
        sectors - 1,
    ] {
        let count = SECTORS_PER_WRITE.min(sectors - first);
        let mut expected: Vec<u8> = buf[..count as usize * SECTOR].to_vec();
        for (k, sector) in expected.chunks_exact_mut(SECTOR).enumerate() {
            // The pattern of sector `first + k`: its slot's bytes within a write, then its LBA.
            let slot = ((first + k as u64) % SECTORS_PER_WRITE) as usize;
            for (i, b) in sector.iter_mut().enumerate() {
                let at = slot * SECTOR + i;
                *b = (at * 31 + at / 2048 * 7 + 1) as u8;
            }
            fill_sector(sector, first + k as u64);
        }
        assert_eq!(
            store.verify(first, &expected).expect("verify"),
            None,
            "sectors from {first}"
        );
        expected[SECTOR - 1] ^= 0x80;
        assert_eq!(store.verify(first, &expected).expect("verify"), Some(first));
    }

    let bytes = sectors * SECTOR as u64;
    println!(
        "{sectors} sectors ({:.2} GB) into the hash-only store in {:.1} s ({:.2} GB/s); \
         peak memory {} MiB",
        bytes as f64 / 1e9,
        elapsed.as_secs_f64(),
        bytes as f64 / 1e9 / elapsed.as_secs_f64(),
        peak_rss_kib().map_or("unknown".to_owned(), |k| (k / 1024).to_string()),
    );
}
