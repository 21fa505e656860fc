//! What the end-to-end tests share beyond the test kit (which gives the emulated drives, the
//! images that name their sectors, reading a disc back and the fault plans): the engine's
//! writer, transcripts read back, and the `discwriter` command.
#![allow(dead_code)] // each test file uses its own part

pub mod terminal;

use std::io::Cursor;

use discwriter::{CancelHandle, DataWriter, Error, ProgressEvent, Recorder, WriteOptions};
use mmc_core::trace::{TraceOutcome, TraceRecord, Tracing};
use mmc_core::Transport;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

// Each test file uses its part.
#[allow(unused_imports)]
pub use testkit::{
    assert_same_sectors, drive_with as drive, fault_plan as plan, fixture, image, read_back,
};

/// The media every case runs on, as `(kind, name used in messages)`.
pub const CD_R: MediumKind = MediumKind::CdR80;
pub const DVD_PLUS_RW: MediumKind = MediumKind::DvdPlusRw;
pub const BD_RE: MediumKind = MediumKind::BdRe;

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

/// The drive behind a traced writer, and every command sent to it.
pub fn drive_and_transcript<T: Transport + Send>(
    w: &DataWriter<Tracing<T>>,
) -> (T, Vec<TraceRecord>) {
    w.take_recorder()
        .unwrap()
        .expect("the writer's recorder")
        .into_transport()
        .into_parts()
}

/// The drive a writer holds, given back.
pub fn give_back<T: Transport + Send>(w: DataWriter<T>) -> T {
    w.take_recorder().unwrap().unwrap().into_transport()
}

/// On an overwritable disc holding `first` from LBA 0: `second` is refused over it without
/// ForceOverwrite (E_IMAPI_DF2DATA_MEDIA_NOT_BLANK), then written from LBA 0 with it. The
/// writer keeps ForceOverwrite.
pub fn overwrite_needs_force_overwrite<T: Transport + Send>(w: &DataWriter<T>, second: &[u8]) {
    assert!(!w.media_heuristically_blank().unwrap(), "data at LBA 0");
    let e = write_collecting(w, second).0.unwrap_err();
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK");
    w.set_options(WriteOptions {
        force_overwrite: true,
        ..WriteOptions::default()
    })
    .unwrap();
    assert_eq!(write_collecting(w, second).0.unwrap().start_lba, 0);
}

/// The disc in `d` as READ DISC INFORMATION and the configuration describe it.
pub fn disc_summary<T: Transport>(d: &mut T) -> discwriter::DiscSummary {
    Recorder::open(d).unwrap().disc_summary().unwrap()
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

/// Runs the `discwriter` command as [`discwriter`] does, with `data` on standard input
/// through a pipe.
pub fn discwriter_with_stdin(
    args: &[&str],
    home: &std::path::Path,
    data: Vec<u8>,
) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_discwriter"))
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run discwriter");
    let mut pipe = child.stdin.take().expect("a pipe");
    std::thread::spawn(move || {
        // The command may refuse the stream before reading it all.
        let _ = pipe.write_all(&data);
    });
    child.wait_with_output().expect("discwriter ends")
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

/// Every CDB of the transcript, as bytes.
pub fn cdbs(records: &[TraceRecord]) -> Vec<Vec<u8>> {
    records
        .iter()
        .map(|r| mmc_core::wire::parse_hex_words([r.cdb.as_str()]).unwrap())
        .collect()
}

/// The page 05h of every MODE SELECT (10): the parameter list after its 8-byte header.
pub fn pages_05h(records: &[TraceRecord]) -> Vec<Vec<u8>> {
    records
        .iter()
        .filter(|r| r.cdb.get(..2) == Some("55"))
        .filter_map(|r| mmc_core::wire::parse_hex_words([r.data_out.as_deref()?]).ok())
        .filter_map(|list| list.get(8..).map(<[u8]>::to_vec))
        .filter(|page| page.first().map(|b| b & 0x3F) == Some(0x05))
        .collect()
}

/// The CLOSE TRACK/SESSION commands sent: (function, track number).
pub fn closes(records: &[TraceRecord]) -> Vec<(u8, u16)> {
    cdbs(records)
        .iter()
        .filter(|c| c[0] == 0x5B)
        .map(|c| (c[2] & 0x07, u16::from_be_bytes([c[4], c[5]])))
        .collect()
}

/// Writes `data` onto `d` with `options` through a transcript recorder: the result, the
/// commands sent and the drive.
pub fn traced_write(
    d: EmulatedDrive,
    data: &[u8],
    options: WriteOptions,
) -> (
    Result<discwriter::WriteOutcome, Error>,
    Vec<TraceRecord>,
    EmulatedDrive,
) {
    traced_write_ranges(d, data, None, options)
}

/// [`traced_write`] of the sectors of `data` that `ranges` lists.
pub fn traced_write_ranges(
    d: EmulatedDrive,
    data: &[u8],
    ranges: Option<&[discwriter::BlockRange]>,
    options: WriteOptions,
) -> (
    Result<discwriter::WriteOutcome, Error>,
    Vec<TraceRecord>,
    EmulatedDrive,
) {
    let w: DataWriter<Tracing<EmulatedDrive>> = writer(Tracing::new(d), options);
    let r = w.write(
        &mut Cursor::new(data.to_vec()),
        data.len() as u64,
        ranges,
        &mut |_, _| {},
    );
    let (d, records) = w
        .take_recorder()
        .unwrap()
        .unwrap()
        .into_transport()
        .into_parts();
    (r, records, d)
}

/// The WRITE commands of a transcript: (opcode, Streaming bit of WRITE (12), MMC-6 6.45).
pub fn write_commands(records: &[TraceRecord]) -> Vec<(u8, bool)> {
    cdbs(records)
        .iter()
        .filter(|c| matches!(c[0], 0x2A | 0xAA))
        .map(|c| (c[0], c[0] == 0xAA && c[10] & 0x80 != 0))
        .collect()
}

/// READ DISC STRUCTURE format 20h, DVD media, layer 0 (MMC-5 6.23): the layer boundary.
const READ_LAYER_BOUNDARY: [u8; 12] = [0xAD, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0];
/// SEND DISC STRUCTURE format 20h, 12 bytes (MMC-5 6.33), as growisofs sends it.
pub const SEND_LAYER_BOUNDARY: [u8; 12] = [0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0];

/// The layer boundary of a DVD+R DL as the drive reports it.
pub fn layer_boundary<T: Transport>(d: &mut T) -> mmc_core::cdb::LayerBoundary {
    let reply = testkit::command_in(d, &READ_LAYER_BOUNDARY, 12);
    mmc_core::cdb::LayerBoundary::parse(&reply).expect("format 20h")
}

/// Sets the capacity of layer 0 of a blank DVD+R DL to `layer0` sectors through the drive.
pub fn set_layer0<T: Transport>(d: &mut T, layer0: u32) {
    let list = mmc_core::cdb::LayerBoundary {
        fixed: false,
        layer0_sectors: layer0,
    }
    .to_bytes();
    testkit::command_out(d, &SEND_LAYER_BOUNDARY, &list);
}

/// `discwriter info --drive SPEC --json`, parsed.
pub fn disc_info_json(spec: &str, home: &std::path::Path) -> serde_json::Value {
    let o = ok(
        discwriter(&["info", "--drive", spec, "--json"], home),
        "info",
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// `discwriter read` of a session (the last write when `None`) into a file in `home`: its
/// bytes.
pub fn read_session(spec: &str, home: &std::path::Path, session: Option<u32>) -> Vec<u8> {
    let out = home.join("back.img");
    let n = session.map(|s| s.to_string());
    let mut args = vec!["read", out.to_str().unwrap(), "--drive", spec];
    if let Some(n) = &n {
        args.extend(["--session", n.as_str()]);
    }
    ok(discwriter(&args, home), "read");
    std::fs::read(out).unwrap()
}

/// What [`write_with_manifest`] wrote.
pub struct Written {
    /// The `--drive` value.
    pub drive: String,
    /// The virtual disc file.
    pub disc: std::path::PathBuf,
    pub image: std::path::PathBuf,
    pub data: Vec<u8>,
    pub manifest: std::path::PathBuf,
}

/// Writes an image of 16 MiB and `extra` sectors (each byte depending on its offset) to a
/// virtual `medium` disc in `dir` with `discwriter write --manifest`, without verification.
pub fn write_with_manifest(dir: &std::path::Path, medium: &str, extra: u64) -> Written {
    let data: Vec<u8> = (0..(16u64 << 20) + extra * 2048)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let image = dir.join("image.bin");
    std::fs::write(&image, &data).unwrap();
    let mut w = write_image_with_manifest(dir, medium, &image);
    w.data = data;
    w
}

/// Writes the image file `image` to a virtual `medium` disc in `dir` with `discwriter write
/// --manifest`, without verification (`data` left empty).
pub fn write_image_with_manifest(
    dir: &std::path::Path,
    medium: &str,
    image: &std::path::Path,
) -> Written {
    let disc = dir.join("disc");
    let drive = format!("virt:{medium}@{}", disc.display());
    let manifest = dir.join("m.json");
    let o = discwriter(
        &[
            "write",
            image.to_str().unwrap(),
            "--drive",
            &drive,
            "--verify",
            "none",
            "--manifest",
            manifest.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Written {
        drive,
        disc,
        image: image.to_path_buf(),
        data: Vec::new(),
        manifest,
    }
}

/// A fault plan that write-protects the disc in the middle of a write.
pub const WRITE_PROTECT_MID_WRITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/fault-plans/matrix/writing-write-protect.json"
);

/// An image of `sectors` sectors that name themselves (`image(sectors, seed)`), written to
/// `home`/image.iso: its path and its data.
pub fn image_file_of(home: &std::path::Path, sectors: u64, seed: u8) -> (String, Vec<u8>) {
    let data = image(sectors, seed);
    let path = home.join("image.iso");
    std::fs::write(&path, &data).unwrap();
    (path.to_str().unwrap().to_string(), data)
}

/// The spec of a virtual `medium` kept in `home`/`name`.
pub fn virt_disc(home: &std::path::Path, name: &str, medium: &str) -> String {
    format!("virt:{medium}@{}", home.join(name).display())
}
