//! The engine end to end: `DataWriter::write` of an image into an in-memory virtual BD-RE,
//! side by side with a plain memcpy of the same bytes in 64 KiB pieces (issue 4 target: the
//! write at no less than half memcpy's speed). Run: `cargo bench --bench engine_write`.
//! The image size is `ENGINE_BENCH_MIB` (default 1024).

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use discwriter::{DataWriter, Recorder, VerificationLevel, WriteOptions};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

fn image_bytes() -> usize {
    std::env::var("ENGINE_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1024)
        * 1024
        * 1024
}

/// A formatted BD-RE (31h, no spare areas: full speed) in a fresh drive.
fn formatted_bd_re() -> EmulatedDrive {
    let drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(MediumKind::BdRe, Box::new(MemoryStore::new())),
    );
    let rec = Recorder::open(drive).expect("drive");
    let w = DataWriter::new();
    w.set_recorder(rec).expect("recorder");
    w.set_client_name("bench").expect("name");
    w.set_options(WriteOptions {
        verification: VerificationLevel::None,
        force_overwrite: true,
        ..WriteOptions::default()
    })
    .expect("options");
    // One small write formats the disc; the timed writes then overwrite from LBA 0.
    let one = vec![0u8; 2048];
    w.write(&mut Cursor::new(one), 2048, None, &mut |_, _| {})
        .expect("format and first write");
    w.take_recorder()
        .expect("idle")
        .expect("recorder")
        .into_transport()
}

fn engine(c: &mut Criterion) {
    let len = image_bytes();
    let image: Vec<u8> = (0..len).map(|i| (i / 2048) as u8 ^ (i as u8)).collect();
    let mut g = c.benchmark_group("engine_write");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(len as u64));
    g.bench_function("memcpy_64k_pieces_into_4mib_ring", |b| {
        let mut ring = vec![0u8; 4 * 1024 * 1024];
        b.iter(|| {
            for (i, s) in image.chunks(64 * 1024).enumerate() {
                let at = (i * 64 * 1024) % ring.len();
                ring[at..at + s.len()].copy_from_slice(s);
            }
            black_box(&ring);
        })
    });
    g.bench_function("memcpy_64k_pieces", |b| {
        let mut dst = vec![0u8; len];
        b.iter(|| {
            for (d, s) in dst.chunks_mut(64 * 1024).zip(image.chunks(64 * 1024)) {
                d.copy_from_slice(s);
            }
            black_box(&dst);
        })
    });
    let mut drive = Some(formatted_bd_re());
    g.bench_function("data_writer_bd_re_in_memory", |b| {
        b.iter(|| {
            let w = DataWriter::new();
            let rec = Recorder::open(drive.take().expect("drive")).expect("open");
            w.set_recorder(rec).expect("recorder");
            w.set_client_name("bench").expect("name");
            w.set_options(WriteOptions {
                verification: VerificationLevel::None,
                force_overwrite: true,
                ..WriteOptions::default()
            })
            .expect("options");
            let outcome = w
                .write(
                    &mut Cursor::new(&image[..]),
                    len as u64,
                    None,
                    &mut |_, _| {},
                )
                .expect("write");
            black_box(outcome);
            drive = Some(
                w.take_recorder()
                    .expect("idle")
                    .expect("rec")
                    .into_transport(),
            );
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
