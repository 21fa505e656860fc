//! mmc-core hot paths: parsing sense, encoding and decoding CDBs.
//!
//! Targets (issue 2): at most 20 ns to parse an 18-byte fixed sense and 5 ns to encode a
//! WRITE(10) on the project machine. Run: `cargo bench --bench mmc_core`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use mmc_core::cdb::{CdbRepr, Command, Write10};
use mmc_core::sense::{triples, Sense, SenseBuilder, SenseKeySpecific};

/// NOT READY, format in progress, progress 0x1234 (fixed format, 18 bytes).
const FIXED: [u8; 18] = [
    0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x04, 0x04, 0, 0x80, 0x12, 0x34,
];
/// The same in descriptor format, with a sense-key-specific descriptor.
const DESCRIPTOR: [u8; 16] = [
    0x72, 0x02, 0x04, 0x04, 0, 0, 0, 0x08, 0x02, 0x06, 0, 0, 0x80, 0x12, 0x34, 0,
];

fn sense(c: &mut Criterion) {
    let mut g = c.benchmark_group("sense");
    g.bench_function("parse_fixed_18", |b| {
        b.iter(|| Sense::parse(black_box(&FIXED)).map(|s| s.triple()))
    });
    g.bench_function("parse_descriptor_16", |b| {
        b.iter(|| Sense::parse(black_box(&DESCRIPTOR)).map(|s| s.progress()))
    });
    g.bench_function("build_fixed_18", |b| {
        b.iter(|| {
            SenseBuilder::new(black_box(triples::FORMAT_IN_PROGRESS))
                .sense_key_specific(SenseKeySpecific::Progress(black_box(0x1234)))
                .fixed()
        })
    });
    g.finish();
}

fn cdb(c: &mut Criterion) {
    let mut g = c.benchmark_group("cdb");
    let write = Write10 {
        lba: 4096,
        blocks: 32,
        ..Write10::default()
    };
    let bytes = write.encode();
    g.bench_function("encode_write10", |b| b.iter(|| black_box(&write).encode()));
    g.bench_function("decode_write10", |b| {
        b.iter(|| Write10::decode(black_box(&bytes)))
    });
    g.bench_function("command_decode_write10", |b| {
        b.iter(|| Command::decode(black_box(&bytes)))
    });
    g.finish();
}

/// Reference points measured in the same run, so the figures above can be read as ratios on
/// any machine: copying the same bytes into the same inline buffers.
fn baseline(c: &mut Criterion) {
    let mut g = c.benchmark_group("baseline");
    let cdb = [0x2A, 0, 0, 0, 0x10, 0, 0, 0, 0x20, 0];
    g.bench_function("copy_10_bytes", |b| {
        b.iter(|| mmc_core::CdbBytes::from_slice(black_box(&cdb)))
    });
    g.bench_function("copy_18_bytes", |b| {
        b.iter(|| mmc_core::SenseBytes::from_slice(black_box(&FIXED)))
    });
    g.finish();
}

criterion_group!(benches, sense, cdb, baseline);
criterion_main!(benches);
