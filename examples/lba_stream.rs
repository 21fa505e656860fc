//! Writes N bytes of an image to standard output without any file: each 2048-byte sector
//! starts with its LBA (8 bytes, little-endian) and goes on with a fixed pattern that is not
//! one repeated byte, so no two sectors are alike and none is uniform. For measuring
//! `discwriter write --size N -` on large discs (docs/benchmarks.md).
//!
//! Run: `cargo run --release --example lba_stream -- N | discwriter write --size N - ...`

use std::io::Write;

const SECTOR: usize = 2048;
/// Sectors per write to the pipe (1 MiB).
const CHUNK: usize = 512;

fn main() -> std::io::Result<()> {
    let Some(total) = std::env::args().nth(1).and_then(|a| a.parse::<u64>().ok()) else {
        eprintln!("usage: lba_stream BYTES (a multiple of 2048)");
        std::process::exit(2);
    };
    let mut buf: Vec<u8> = (0..CHUNK * SECTOR)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 11)) as u8)
        .collect();
    let mut out = std::io::stdout().lock();
    let mut lba = 0u64;
    let mut left = total;
    while left > 0 {
        let bytes = left.min(buf.len() as u64) as usize;
        for (k, sector) in buf[..bytes].chunks_mut(SECTOR).enumerate() {
            let stamp = (lba + k as u64).to_le_bytes();
            let n = sector.len().min(stamp.len());
            sector[..n].copy_from_slice(&stamp[..n]);
        }
        match out.write_all(&buf[..bytes]) {
            Ok(()) => {}
            // The reader stopped (a refused or failed write): nothing more to give.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(e),
        }
        lba += (bytes / SECTOR) as u64;
        left -= bytes as u64;
    }
    Ok(())
}
