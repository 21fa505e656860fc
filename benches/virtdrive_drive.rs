//! WRITE(10) of 32 sectors through `Transport` into a virtual drive, beside a plain memcpy of
//! the same 64 KiB measured in the same group. Issue 3 asks the drive to run at no less than
//! half memcpy speed.
//!
//! - `memcpy_64k_over_4m`: `copy_from_slice` of 64 KiB into a 4 MiB buffer, moving on by
//!   64 KiB each time;
//! - `bd_re_write10_32_over_4m` / `dvd_plus_rw_write10_32_over_4m`: the raw WRITE(10) CDB
//!   and its 64 KiB of data-out sent to a `EmulatedDrive` holding a formatted BD-RE (31h) or
//!   DVD+RW over the memory store, cycling over the first 4 MiB of LBAs: decoding, the
//!   drive's checks, the speed model and the copy into the store.
//!
//! The full 25 GB BD-RE through the drive into the hash-only store is timed by
//! `cargo run --release -p virtdrive --example drive_full_bd_re`.
//!
//! Run: `cargo bench --bench virtdrive_drive`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mmc_core::{DataPhase, Transport};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

const SECTORS: u32 = 32;
const BYTES: usize = SECTORS as usize * 2048;
const SPAN: usize = 4 << 20;
const TIMEOUT: Duration = Duration::from_secs(60);

/// 64 KiB that is not uniform anywhere.
fn payload() -> Vec<u8> {
    (0..BYTES)
        .map(|i| (i * 31 + i / 2048 * 7 + 1) as u8)
        .collect()
}

/// A window of `buf` whose address is half a page away from `src`'s, modulo 4096: a forward
/// copy to an address just above the source modulo 4 KiB stalls on 4K aliasing (see the store
/// bench), and the baseline should be an ordinary memcpy.
fn unaliased_base(buf: &[u8], src: &[u8]) -> usize {
    let want = (src.as_ptr() as usize + 2048) % 4096;
    (want + 4096 - buf.as_ptr() as usize % 4096) % 4096
}

/// A drive holding `kind` formatted through FORMAT UNIT, ready to write.
fn formatted(kind: MediumKind) -> EmulatedDrive {
    let mut drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(kind, Box::new(MemoryStore::new())),
    );
    let list: [u8; 12] = match kind {
        MediumKind::BdRe => [
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
        ],
        _ => [
            0x00,
            0x82,
            0x00,
            0x08, // FOV | Immed; descriptor length 8
            0xFF,
            0xFF,
            0xFF,
            0xFF,      // all blocks
            0x26 << 2, // 26h: DVD+RW basic format
            0x00,
            0x00,
            0x00,
        ],
    };
    let format_unit = [0x04, 0x11, 0, 0, 0, 0];
    let c = drive
        .execute(&format_unit, DataPhase::Out(&list), TIMEOUT)
        .unwrap();
    assert!(c.is_good(), "FORMAT UNIT: {c:?}");
    drive.advance(Duration::from_secs(3600));
    let c = drive
        .execute(&[0, 0, 0, 0, 0, 0], DataPhase::None, TIMEOUT)
        .unwrap();
    assert!(c.is_good(), "TEST UNIT READY: {c:?}");
    drive
}

fn write10(lba: u32) -> [u8; 10] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [l0, l1] = (SECTORS as u16).to_be_bytes();
    [
        0x2A, // WRITE (10)
        0x00, a0, a1, a2, a3, // LBA
        0x00, l0, l1, // 32 blocks
        0x00,
    ]
}

fn drive_write(c: &mut Criterion) {
    let mut g = c.benchmark_group("write10_32_sectors");
    g.throughput(Throughput::Bytes(BYTES as u64));
    let src = payload();

    g.bench_function("memcpy_64k_over_4m", |b| {
        let mut buf = vec![0u8; SPAN + 4096];
        let base = unaliased_base(&buf, &src);
        let mut at = 0;
        b.iter(|| {
            buf[base + at..base + at + BYTES].copy_from_slice(black_box(&src));
            at = (at + BYTES) % SPAN;
        });
        black_box(&buf);
    });

    for (name, kind) in [
        ("bd_re_write10_32_over_4m", MediumKind::BdRe),
        ("dvd_plus_rw_write10_32_over_4m", MediumKind::DvdPlusRw),
    ] {
        g.bench_function(name, |b| {
            let mut drive = formatted(kind);
            let span_sectors = (SPAN / 2048) as u32;
            let mut lba = 0u32;
            b.iter(|| {
                let c = drive
                    .execute(
                        black_box(&write10(lba)),
                        DataPhase::Out(black_box(&src)),
                        TIMEOUT,
                    )
                    .unwrap();
                debug_assert!(c.is_good());
                lba = (lba + SECTORS) % span_sectors;
                c
            });
        });
    }
    g.finish();
}

criterion_group!(benches, drive_write);
criterion_main!(benches);
