//! What the end-to-end tests share: emulated drives, images that name their sectors, reading
//! a disc back through the drive, and fault plans from `fixtures/fault-plans/`.
#![allow(dead_code)] // each test file uses its own part

use std::io::Cursor;
use std::path::PathBuf;
use std::time::Duration;

use discwriter::{CancelHandle, DataWriter, Error, ProgressEvent, Recorder, WriteOptions};
use mmc_core::cdb::Read10;
use mmc_core::sense::SenseKey;
use mmc_core::trace::{TraceOutcome, TraceRecord, Tracing};
use mmc_core::{DataPhase, Transport};
use virtdrive::fault::FaultPlan;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// The media every case runs on, as `(kind, name used in messages)`.
pub const CD_R: MediumKind = MediumKind::CdR80;
pub const DVD_PLUS_RW: MediumKind = MediumKind::DvdPlusRw;
pub const BD_RE: MediumKind = MediumKind::BdRe;

/// A drive holding a blank disc of `kind`, kept in memory.
pub fn drive(kind: MediumKind) -> EmulatedDrive {
    EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(kind, Box::new(MemoryStore::new())),
    )
}

/// An image whose every sector carries its own number (from 1) and a tag byte, so a sector
/// read from the wrong place, a stale sector and a blank one all differ from it.
pub fn image(sectors: u64, tag: u8) -> Vec<u8> {
    let mut v = vec![0u8; sectors as usize * 2048];
    for (i, s) in v.chunks_mut(2048).enumerate() {
        s[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
        s[8] = tag;
        s[2047] = 0x5A;
    }
    v
}

/// A plan from `fixtures/fault-plans/<path>`.
pub fn plan(path: &str) -> FaultPlan {
    let p = fixture(&format!("fault-plans/{path}"));
    FaultPlan::from_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

/// A writer over `transport` with the client name set.
pub fn writer<T: Transport + Send>(transport: T, options: WriteOptions) -> DataWriter<T> {
    let w = DataWriter::new();
    w.set_recorder(Recorder::open(transport).expect("an MMC drive"))
        .unwrap();
    w.set_client_name("discwriter e2e").unwrap();
    w.set_options(options).unwrap();
    w
}

/// Writes `data`, collecting the events.
pub fn write_collecting<T: Transport + Send>(
    w: &DataWriter<T>,
    data: &[u8],
) -> (Result<discwriter::WriteOutcome, Error>, Vec<ProgressEvent>) {
    let mut events = Vec::new();
    let r = w.write(
        &mut Cursor::new(data.to_vec()),
        data.len() as u64,
        None,
        &mut |e: &ProgressEvent, _: &CancelHandle| events.push(e.clone()),
    );
    (r, events)
}

/// Reads `sectors` sectors at `lba` through the drive, answering a pending unit attention
/// (a disc change, a reset) by asking again, as every host does.
pub fn read_back<T: Transport>(d: &mut T, lba: i64, sectors: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(sectors as usize * 2048);
    let mut done = 0u64;
    while done < sectors {
        let n = (sectors - done).min(32);
        let mut buf = vec![0u8; n as usize * 2048];
        let cdb = Read10 {
            dpo: false,
            fua: false,
            lba: (lba + done as i64) as i32,
            blocks: n as u16,
        }
        .encode();
        let mut attempts = 0;
        loop {
            let c = d
                .execute(&cdb, DataPhase::In(&mut buf), Duration::from_secs(30))
                .expect("the drive answers");
            if c.is_good() {
                assert_eq!(c.residual, 0, "READ (10) at {} moved everything", lba);
                break;
            }
            let t = c.sense_triple().expect("sense");
            attempts += 1;
            assert!(
                t.key == SenseKey::UnitAttention && attempts < 4,
                "READ (10) of {n} sectors at LBA {} failed: {t}",
                lba + done as i64
            );
        }
        out.extend_from_slice(&buf);
        done += n;
    }
    out
}

/// Asserts that `disc` equals `expected`, naming the first sector that differs.
pub fn assert_same_sectors(disc: &[u8], expected: &[u8], first_lba: i64, what: &str) {
    assert_eq!(disc.len(), expected.len(), "{what}: length");
    if let Some(i) = disc
        .chunks(2048)
        .zip(expected.chunks(2048))
        .position(|(a, b)| a != b)
    {
        panic!("{what}: sector at LBA {} differs", first_lba + i as i64);
    }
}

/// The first LBA and block count of every WRITE (10) a transcript shows, with whether the
/// drive answered GOOD.
pub fn writes_in(records: &[TraceRecord]) -> Vec<(i64, u64, bool)> {
    records
        .iter()
        .filter_map(|r| {
            let cdb = mmc_core::wire::parse_hex_words([r.cdb.as_str()]).ok()?;
            if cdb.first() != Some(&0x2A) || cdb.len() < 10 {
                return None;
            }
            // WRITE (10): LBA in bytes 2-5, transfer length in bytes 7-8 (MMC-6 6.44).
            let lba = i32::from_be_bytes([cdb[2], cdb[3], cdb[4], cdb[5]]);
            let blocks = u16::from_be_bytes([cdb[7], cdb[8]]);
            let good = matches!(&r.outcome, TraceOutcome::Completed { status, .. } if *status == 0);
            Some((i64::from(lba), u64::from(blocks), good))
        })
        .collect()
}

/// Whether the transcript holds a command with this opcode.
pub fn sent(records: &[TraceRecord], opcode: u8) -> bool {
    records.iter().any(|r| {
        mmc_core::wire::parse_hex_words([r.cdb.as_str()])
            .ok()
            .and_then(|c| c.first().copied())
            == Some(opcode)
    })
}

/// The format descriptor of every FORMAT UNIT a transcript shows: `(format type, type
/// dependent parameter)`, read from the parameter list's bytes (MMC-6 6.5.3: a 4-byte header,
/// then the descriptor: number of blocks in bytes 0-3, format type in the upper 6 bits of byte
/// 4, the type dependent parameter in bytes 5-7).
pub fn format_units(records: &[TraceRecord]) -> Vec<(u8, u32)> {
    records
        .iter()
        .filter(|r| r.cdb.get(..2) == Some("04"))
        .map(|r| {
            let list = r
                .data_out
                .as_deref()
                .expect("FORMAT UNIT's parameter list recorded");
            let p = mmc_core::wire::parse_hex_words([list]).unwrap();
            assert!(p.len() >= 12, "a parameter list of {} bytes", p.len());
            (p[8] >> 2, u32::from_be_bytes([0, p[9], p[10], p[11]]))
        })
        .collect()
}

/// A traced drive, for tests that look at what was sent.
pub fn traced(kind: MediumKind) -> Tracing<EmulatedDrive> {
    Tracing::new(drive(kind))
}

/// Runs the `discwriter` command with `home` as its home, so the embedded drive's disc (in the
/// user's data directory) is the test's own.
pub fn discwriter(args: &[&str], home: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_discwriter"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .output()
        .expect("run discwriter")
}

/// Asserts the command succeeded, showing its stderr (and `what`) when it did not.
pub fn ok(o: std::process::Output, what: &str) -> std::process::Output {
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Checks the one schema of `write --json`'s result line (README, "The result line"),
/// whatever the outcome; returns the result object.
pub fn assert_result_schema(line: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let r = v
        .get("result")
        .unwrap_or_else(|| panic!("no result: {line}"))
        .clone();
    let hr = r["hresult"].as_str().expect("hresult is text");
    assert!(
        hr.len() == 10 && hr.starts_with("0x") && hr[2..].chars().all(|c| c.is_ascii_hexdigit()),
        "{hr}"
    );
    assert!(
        r["code"].as_str().is_some_and(|c| c.starts_with("S_")
            || c.starts_with("E_")
            || c.starts_with("HRESULT")),
        "{line}"
    );
    assert!(r["error"].is_null() || r["error"].is_string(), "{line}");
    assert!(
        r["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{line}"
    );
    assert!(
        r["start_lba"].is_null() || r["start_lba"].is_i64(),
        "{line}"
    );
    assert!(r["sectors"].is_u64(), "{line}");
    assert!(
        r["last_written_lba"].is_null() || r["last_written_lba"].is_i64(),
        "{line}"
    );
    assert!(r["disc_closed"].is_boolean(), "{line}");
    assert!(
        r["elapsed_seconds"].as_f64().is_some_and(|s| s >= 0.0),
        "{line}"
    );
    assert!(
        r["drive_seconds"].is_null() || r["drive_seconds"].is_f64(),
        "{line}"
    );
    assert!(
        r["verified"].is_null()
            || matches!(r["verified"].as_str(), Some("none" | "quick" | "full")),
        "{line}"
    );
    // Success and failure agree with each other.
    let success = r["error"].is_null();
    assert_eq!(
        success,
        r["code"].as_str().unwrap().starts_with("S_"),
        "{line}"
    );
    if !success {
        assert_eq!(r["error"], r["code"], "{line}");
        assert!(r["verified"].is_null(), "{line}");
    }
    r
}
