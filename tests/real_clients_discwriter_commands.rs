//! What `discwriter` (built with `sgio`) sends a drive through the real SG_IO path, read from
//! the transcript `virtdrive run` records at the emulator: INQUIRY of 36 bytes, the tray
//! locked over the write and unlocked after, the timeout of every command class, and a
//! SIGTERM mid-write that stops at a transfer (no WRITE sent twice) and closes the session.
//!
//! Runs with `cargo test --features sgio --test real_clients_discwriter_commands` (Linux).
#![cfg(all(feature = "sgio", target_os = "linux"))]

mod common;

use std::path::Path;

use mmc_core::trace::{read_jsonl, TraceRecord};
use virtdrive::medium::MediumKind;
use virtdrive::run::{Devices, RunOptions};
use virtdrive::serve::{DriveOptions, VirtSpec, DEFAULT_POLL_WAIT};
use virtdrive::{DiscFileDrive, DriveConfig};

const DISCWRITER: &str = env!("CARGO_BIN_EXE_discwriter");

/// Runs `sh -c SCRIPT` against a virtual drive holding `disc`, recording the transcript.
fn run_sh(dir: &Path, kind: MediumKind, disc: &Path, script: &str) -> (i32, Vec<TraceRecord>) {
    run_sh_with_changer(dir, kind, disc, 1, script)
}

/// [`run_sh`] with a disc changer of `discs` discs in all (`virtdrive run --changer`).
fn run_sh_with_changer(
    dir: &Path,
    kind: MediumKind,
    disc: &Path,
    discs: u32,
    script: &str,
) -> (i32, Vec<TraceRecord>) {
    let transcript = dir.join("transcript.jsonl");
    let options = RunOptions {
        drive: DriveOptions {
            drive: VirtSpec {
                kind,
                file: Some(disc.to_path_buf()),
                media_id: None,
                hash_only: false,
            },
            fault_plan: None,
            transcript: Some(transcript.clone()),
            paced: false,
            poll_wait: DEFAULT_POLL_WAIT,
            media_identity: None,
            changer: discs,
        },
        devices: Devices::default(),
        program: "/bin/sh".into(),
        args: vec![
            "-c".into(),
            format!("cd '{}' && DW='{DISCWRITER}' && {script}", dir.display()).into(),
        ],
        verbose: false,
        launcher: None,
    };
    let status = virtdrive::run::run(&options).expect("virtdrive run starts and saves");
    let records = read_jsonl(std::io::BufReader::new(
        std::fs::File::open(&transcript).unwrap(),
    ))
    .unwrap();
    (virtdrive::run::exit_code(status), records)
}

fn opcode(r: &TraceRecord) -> u8 {
    u8::from_str_radix(&r.cdb[..2], 16).unwrap()
}

fn cdb(r: &TraceRecord) -> Vec<u8> {
    mmc_core::wire::parse_hex_words([r.cdb.as_str()]).unwrap()
}

#[test]
fn the_commands_a_write_sends_through_sg_io() {
    for kind in [MediumKind::CdR80, MediumKind::DvdPlusR, MediumKind::BdRe] {
        let dir = tempfile::tempdir().unwrap();
        let disc = dir.path().join("disc");
        common::image_file_of(dir.path(), 600, 1);
        let (code, recs) = run_sh(
            dir.path(),
            kind,
            &disc,
            "$DW write image.iso --drive /dev/sr9 --verify full 2> write.err",
        );
        let err = std::fs::read_to_string(dir.path().join("write.err")).unwrap();
        assert_eq!(code, 0, "{}: {err}", kind.name());
        let what = kind.name();
        let inquiry = recs.iter().find(|r| opcode(r) == 0x12).expect("INQUIRY");
        assert_eq!(inquiry.length, 36, "{what}");
        let locks: Vec<(usize, u8)> = recs
            .iter()
            .enumerate()
            .filter(|(_, r)| opcode(r) == 0x1E)
            .map(|(i, r)| (i, cdb(r)[4] & 1))
            .collect();
        let first_write = recs.iter().position(|r| opcode(r) == 0x2A).unwrap();
        let last_write = recs.iter().rposition(|r| opcode(r) == 0x2A).unwrap();
        assert_eq!(locks.len(), 2, "{what}: {locks:?}");
        assert!(
            locks[0].1 == 1 && locks[0].0 < first_write,
            "{what}: {locks:?}"
        );
        assert!(
            locks[1].1 == 0 && locks[1].0 > last_write,
            "{what}: {locks:?}"
        );
        for r in &recs {
            let min_ms = match opcode(r) {
                0x2A | 0x28 | 0x5C | 0x35 | 0x5B | 0x04 | 0x54 => 200_000,
                _ => 10_000,
            };
            assert!(
                r.timeout_ms >= min_ms,
                "{what}: {} with {} ms",
                r.command,
                r.timeout_ms
            );
        }
    }
}

#[test]
fn sigterm_mid_write_through_sg_io_closes_the_session_and_sends_no_write_twice() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("cd.disc");
    // 3000 sectors arrive, then the pipe stays open (30 s, which the shim shortens tenfold to
    // 3 s: a 3 s sleep let the write end before the signal); once data moves, SIGTERM comes.
    // (The script's stderr goes to a file of its own, shown if it fails.)
    std::fs::write(dir.path().join("part.bin"), common::image(3000, 2)).unwrap();
    let (code, recs) = run_sh(
        dir.path(),
        MediumKind::CdR80,
        &disc,
        "exec 2> script.err; (cat part.bin; sleep 30) | $DW write - --drive /dev/sr9 --json --speed 4x \
             > write.json 2> write.err & \
         pid=$!; \
         for i in $(seq 100); do grep -q 'last_written_lba\":[0-9]' write.json && break; sleep 0.1; done; \
         kill -TERM $pid; wait $pid; echo $? > rc",
    );
    let err = std::fs::read_to_string(dir.path().join("write.err")).unwrap_or_default();
    assert_eq!(code, 0, "{err}");
    let rc = std::fs::read_to_string(dir.path().join("rc")).unwrap_or_default();
    let script = std::fs::read_to_string(dir.path().join("script.err")).unwrap_or_default();
    assert_eq!(rc.trim(), "143", "{err}\n{script}");
    let out = std::fs::read_to_string(dir.path().join("write.json")).unwrap();
    let result = common::assert_result_schema(out.lines().last().unwrap());
    assert_eq!(result["error"], "E_IMAPI_REQUEST_CANCELLED");
    let sectors = result["sectors"].as_u64().unwrap();
    assert!(sectors > 0 && sectors <= 3000, "{sectors}");
    // Every WRITE went once, to the next address: none was repeated.
    let writes: Vec<(u32, u16)> = recs
        .iter()
        .filter(|r| opcode(r) == 0x2A)
        .map(|r| {
            let c = cdb(r);
            (
                u32::from_be_bytes([c[2], c[3], c[4], c[5]]),
                u16::from_be_bytes([c[7], c[8]]),
            )
        })
        .collect();
    for pair in writes.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + u32::from(pair[0].1), "{writes:?}");
    }
    // The track and the session were closed after the last WRITE.
    let last_write = recs.iter().rposition(|r| opcode(r) == 0x2A).unwrap();
    let closes: Vec<u8> = recs[last_write..]
        .iter()
        .filter(|r| opcode(r) == 0x5B)
        .map(|r| cdb(r)[2] & 0x07)
        .collect();
    assert_eq!(closes, [1, 2]);
    // What was written reads back from the disc file.
    let mut drive = DiscFileDrive::open(MediumKind::CdR80, &disc, DriveConfig::default()).unwrap();
    let back = common::read_back(&mut drive, 0, sectors);
    common::assert_same_sectors(
        &back,
        &common::image(3000, 2)[..sectors as usize * 2048],
        0,
        "what was written before SIGTERM",
    );
}

#[test]
fn write_reload_through_sg_io_ejects_and_loads_then_waits_before_reading_back() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    let (_, image) = common::image_file_of(dir.path(), 300, 4);
    let (code, recs) = run_sh(
        dir.path(),
        MediumKind::BdRe,
        &disc,
        "$DW write image.iso --drive /dev/sr9 --verify full --reload 2> write.err",
    );
    let err = std::fs::read_to_string(dir.path().join("write.err")).unwrap();
    assert_eq!(code, 0, "{err}");
    let after = |from: usize, what: &dyn Fn(&TraceRecord) -> bool| {
        recs.iter()
            .skip(from)
            .position(what)
            .map(|i| i + from)
            .unwrap_or_else(|| panic!("not found after command {from}"))
    };
    let last_write = recs.iter().rposition(|r| opcode(r) == 0x2A).unwrap();
    // PREVENT ALLOW MEDIUM REMOVAL with Prevent = 0, then START STOP UNIT LoEj with Start = 0
    // (eject) and Start = 1 (load) (MMC-6 6.40), TEST UNIT READY answered GOOD, READ (10).
    let allow = after(last_write, &|r| opcode(r) == 0x1E && cdb(r)[4] & 1 == 0);
    let eject = after(allow, &|r| opcode(r) == 0x1B && cdb(r)[4] & 0x03 == 0x02);
    let load = after(eject, &|r| opcode(r) == 0x1B && cdb(r)[4] & 0x03 == 0x03);
    let ready = after(load, &|r| {
        opcode(r) == 0x00
            && matches!(
                r.outcome,
                mmc_core::trace::TraceOutcome::Completed { status: 0, .. }
            )
    });
    let read = after(load, &|r| opcode(r) == 0x28);
    assert!(ready < read, "READ (10) before the drive was ready");
    let mut drive = DiscFileDrive::open(MediumKind::BdRe, &disc, DriveConfig::default()).unwrap();
    let back = common::read_back(&mut drive, 0, 300);
    common::assert_same_sectors(&back, &image, 0, "the reloaded disc");
}

/// The result lines of `write.json` in `dir` (each checked against the schema).
fn result_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("write.json"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("{\"result\""))
        .map(common::assert_result_schema)
        .collect()
}

/// The DVD+R kept in `dir`/`file` starts with `image`.
#[track_caller]
fn holds_image(dir: &Path, file: &str, image: &[u8]) {
    let mut drive = DiscFileDrive::open_existing(
        MediumKind::DvdPlusR,
        &dir.join(file),
        DriveConfig::default(),
    )
    .unwrap();
    let back = common::read_back(&mut drive, 0, (image.len() / 2048) as u64);
    common::assert_same_sectors(&back, image, 0, file);
}

/// `--copies` on a real drive: the disc written is ejected, the operator asked for the next,
/// and the drive polled until it is in; here a disc changer (`virtdrive run --changer 3`)
/// plays the operator.
#[test]
fn copies_on_a_real_drive_eject_ask_for_the_next_disc_and_wait_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("a.disc");
    let (_, image) = common::image_file_of(dir.path(), 1000, 6);
    let (code, recs) = run_sh_with_changer(
        dir.path(),
        MediumKind::DvdPlusR,
        &disc,
        3,
        "$DW write image.iso --drive /dev/sr9 --copies 3 --verify full --json \
             > write.json 2> write.err",
    );
    let err = std::fs::read_to_string(dir.path().join("write.err")).unwrap();
    assert_eq!(code, 0, "{err}");
    for n in [2, 3] {
        assert!(
            err.contains(&format!("insert blank disc {n} into /dev/sr9")),
            "{err}"
        );
    }
    // Two ejects (START STOP UNIT, LoEj = 1, Start = 0), each before a copy's WRITEs.
    let ejects: Vec<usize> = recs
        .iter()
        .enumerate()
        .filter(|(_, r)| opcode(r) == 0x1B && cdb(r)[4] & 0x03 == 0x02)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(ejects.len(), 2, "{ejects:?}");
    // WRITEs before the first eject, between the two, and after the second: three copies.
    let bounds = [0, ejects[0], ejects[1], recs.len()];
    for (copy, pair) in bounds.windows(2).enumerate() {
        assert!(
            recs[pair[0]..pair[1]].iter().any(|r| opcode(r) == 0x2A),
            "copy {} sent no WRITE",
            copy + 1
        );
    }
    let copies: Vec<(u64, String)> = result_lines(dir.path())
        .iter()
        .map(|r| (r["copy"].as_u64().unwrap(), r["code"].to_string()))
        .collect();
    assert_eq!(
        copies,
        [1, 2, 3].map(|n| (n, "\"S_OK\"".to_string())),
        "{err}"
    );
    for file in ["a.disc", "a-2.disc", "a-3.disc"] {
        holds_image(dir.path(), file, &image);
    }
}

/// With `--reject-if-not-blank`, a used disc in the changer's stack is refused and the drive
/// goes on with the next copy on the next disc.
#[test]
fn reject_if_not_blank_on_a_real_drive_refuses_a_used_disc_and_goes_on_with_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("a.disc");
    let (_, image) = common::image_file_of(dir.path(), 1000, 7);
    // Disc 2 of the stack holds a closed session already.
    let used = dir.path().join("a-2.disc");
    let mut drive =
        DiscFileDrive::open(MediumKind::DvdPlusR, &used, DriveConfig::default()).unwrap();
    let w = common::writer(&mut drive, discwriter::WriteOptions::default());
    common::write_collecting(&w, &common::image(100, 8))
        .0
        .unwrap();
    drop(w);
    drive.commit().unwrap();
    drop(drive);
    let before = std::fs::read(&used).unwrap();

    let (code, _) = run_sh_with_changer(
        dir.path(),
        MediumKind::DvdPlusR,
        &disc,
        3,
        "$DW write image.iso --drive /dev/sr9 --copies 3 --reject-if-not-blank --json \
             > write.json 2> write.err; echo $? > rc",
    );
    let err = std::fs::read_to_string(dir.path().join("write.err")).unwrap();
    assert_eq!(code, 0, "{err}");
    let rc = std::fs::read_to_string(dir.path().join("rc")).unwrap();
    assert_eq!(rc.trim(), "1", "one copy failed: {err}");
    let codes: Vec<(u64, String)> = result_lines(dir.path())
        .iter()
        .map(|r| (r["copy"].as_u64().unwrap(), r["code"].to_string()))
        .collect();
    assert_eq!(
        codes,
        [
            (1, "\"S_OK\"".to_string()),
            (2, "\"E_IMAPI_DF2DATA_INVALID_MEDIA_STATE\"".to_string()),
            (3, "\"S_OK\"".to_string()),
        ]
    );
    assert!(
        std::fs::read(&used).unwrap() == before,
        "the used disc is untouched"
    );
    for file in ["a.disc", "a-3.disc"] {
        holds_image(dir.path(), file, &image);
    }
}
