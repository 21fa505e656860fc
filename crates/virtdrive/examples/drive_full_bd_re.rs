//! Writes a whole single-layer BD-RE (12,219,392 sectors, 25 GB) through the drive: FORMAT
//! UNIT 31h, then WRITE(12) with the Streaming bit, 32 sectors (one cluster) each, every
//! sector distinct, then SYNCHRONIZE CACHE; the disc's sectors go to the hash-only store.
//! Prints the wall time, the virtual time the burn took, and the peak memory.
//!
//! Run: `cargo run --release -p virtdrive --example drive_full_bd_re`
//! (optionally with a sector count as the argument, for a shorter run, `-` for the whole
//! disc, and a medium as the second, a write-once DVD or BD: `-- - bd-r-xl` writes a whole
//! 100 GB BD-R XL as it is sold, in SRM without spare areas, then closes track and session).

use std::time::{Duration, Instant};

use mmc_core::{DataPhase, Transport};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::{HashOnlyStore, SECTOR};
use virtdrive::{DriveConfig, EmulatedDrive};

const BD_RE_SECTORS: u32 = 12_219_392;
const SECTORS_PER_WRITE: u32 = 32;
const TIMEOUT: Duration = Duration::from_secs(60);

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run(drive: &mut EmulatedDrive, cdb: &[u8], data: DataPhase<'_>) {
    let c = drive
        .execute(cdb, data, TIMEOUT)
        .unwrap_or_else(|e| panic!("CDB {cdb:02X?}: {e}"));
    assert!(c.is_good(), "CDB {cdb:02X?}: {c:?}");
}

fn main() {
    let kind = std::env::args()
        .nth(2)
        .map(|name| MediumKind::from_name(&name).expect("a medium name, such as bd-r-xl"))
        .unwrap_or(MediumKind::BdRe);
    let disc = medium::blank(kind, Box::new(HashOnlyStore::new()));
    let capacity = match kind {
        MediumKind::BdRe => BD_RE_SECTORS,
        _ => disc.format_capacities().current.blocks,
    };
    let sectors: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(capacity)
        .min(capacity);
    let mut drive = EmulatedDrive::with_medium(DriveConfig::default(), disc);
    if kind == MediumKind::BdRe {
        format_bd_re(&mut drive);
    }
    let burn_started = drive.now();
    let started = Instant::now();
    write_all(&mut drive, sectors);
    if kind != MediumKind::BdRe {
        // CLOSE TRACK 1, then CLOSE SESSION.
        run(
            &mut drive,
            &[0x5B, 0, 0x01, 0, 0, 1, 0, 0, 0, 0],
            DataPhase::None,
        );
        run(
            &mut drive,
            &[0x5B, 0, 0x02, 0, 0, 0, 0, 0, 0, 0],
            DataPhase::None,
        );
    }
    let elapsed = started.elapsed();
    let virtual_time = drive.now().since(burn_started);

    let bytes = u64::from(sectors) * SECTOR as u64;
    println!(
        "{sectors} sectors ({:.2} GB) of a {} through the drive into the hash-only store in \
         {:.1} s ({:.2} GB/s); the burn took {:.0} s of virtual time; peak memory {} MiB",
        bytes as f64 / 1e9,
        kind.name(),
        elapsed.as_secs_f64(),
        bytes as f64 / 1e9 / elapsed.as_secs_f64(),
        virtual_time.as_secs_f64(),
        peak_rss_kib().map_or("unknown".to_owned(), |k| (k / 1024).to_string()),
    );
}

/// FORMAT UNIT 31h (no spare areas, quick), waited out.
fn format_bd_re(drive: &mut EmulatedDrive) {
    let format_unit = [0x04, 0x11, 0, 0, 0, 0]; // FORMAT UNIT, FmtData, format code 001b
    let list = [
        0x00,
        0x82,
        0x00,
        0x08, // FOV | Immed; descriptor length 8
        0x00,
        0xBA,
        0x74,
        0x00,      // 12,219,392 blocks
        0x31 << 2, // 31h: no spare areas, quick
        0x00,
        0x08,
        0x00, // block length 2048
    ];
    run(drive, &format_unit, DataPhase::Out(&list));
    drive.advance(Duration::from_secs(60));
    run(drive, &[0, 0, 0, 0, 0, 0], DataPhase::None);
}

/// WRITE(12) with Streaming of `sectors` distinct sectors from LBA 0, then SYNCHRONIZE CACHE.
fn write_all(drive: &mut EmulatedDrive, sectors: u32) {
    let mut buf: Vec<u8> = (0..SECTORS_PER_WRITE as usize * SECTOR)
        .map(|i| (i * 31 + i / 2048 * 7 + 1) as u8)
        .collect();
    let mut lba = 0u32;
    while lba < sectors {
        let count = SECTORS_PER_WRITE.min(sectors - lba);
        let bytes = &mut buf[..count as usize * SECTOR];
        // Each sector carries its LBA, so none repeats another.
        for (k, sector) in bytes.chunks_exact_mut(SECTOR).enumerate() {
            sector[..4].copy_from_slice(&(lba + k as u32).to_le_bytes());
        }
        let [a0, a1, a2, a3] = lba.to_be_bytes();
        let [l0, l1, l2, l3] = count.to_be_bytes();
        let write12 = [
            0xAA, // WRITE (12)
            0x00, a0, a1, a2, a3, // LBA
            l0, l1, l2, l3,   // transfer length
            0x80, // Streaming
            0x00,
        ];
        run(drive, &write12, DataPhase::Out(bytes));
        lba += count;
    }
    let synchronize_cache = [0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    run(drive, &synchronize_cache, DataPhase::None);
}
