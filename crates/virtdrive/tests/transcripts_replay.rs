//! Recorded transcripts of real programs (issue 5, item 6), replayed in every `cargo test`
//! without the programs: each case in `fixtures/transcripts` (`NAME.case.json`, written by a
//! real-client test run with `VIRTDRIVE_UPDATE_TRANSCRIPTS=1`) names the drive it was recorded
//! against and its runs' transcripts (JSON lines, gzipped); each run is sent again, command by command, to a new
//! served drive over the same disc file, and every answer (status, sense, residual, data) must
//! be the one the program got. A change in the emulator's answers fails here, naming the case,
//! the run and the first command that differs. A data-out of one repeated byte is kept in the
//! compact form of `real_clients/compact.rs`.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mmc_core::trace::{replay_against, Divergence};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::serve::{open_drive, DriveOptions, VirtSpec};

#[path = "real_clients/compact.rs"]
mod compact;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn cases() -> Vec<PathBuf> {
    let dir = fixtures().join("transcripts");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".case.json"))
        .collect();
    cases.sort();
    cases
}

/// Replays one case; `Err` says where it diverged.
fn replay_case(case_path: &Path) -> Result<usize, String> {
    let case: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case_path).map_err(|e| e.to_string())?)
            .map_err(|e| format!("not JSON: {e}"))?;
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    let drive = case["drive"].as_str().ok_or("no \"drive\"")?;
    let spec = VirtSpec::parse(&format!("{drive}@{}", disc.display()))?;
    let fault_plan = case["fault_plan"]
        .as_str()
        .map(|p| fixtures().join("..").join(p));
    // The accelerated clock is a function of the commands, so it replays; real time does not.
    if case["clock"].as_str() != Some("accelerated") {
        return Err(format!(
            "\"clock\" is {}: only the accelerated clock replays",
            case["clock"]
        ));
    }
    let poll_wait = Duration::from_millis(case["poll_wait_ms"].as_u64().ok_or("no poll wait")?);
    let runs = case["runs"].as_array().ok_or("no \"runs\"")?;
    let mut commands = 0;
    for (n, run) in runs.iter().enumerate() {
        let file = case_path.with_file_name(run.as_str().ok_or("a run is not a name")?);
        let opened = std::fs::File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let reader: Box<dyn std::io::Read> = if file.extension().is_some_and(|e| e == "gz") {
            Box::new(flate2::read::GzDecoder::new(opened))
        } else {
            Box::new(opened)
        };
        let mut served = open_drive(&DriveOptions {
            drive: spec.clone(),
            fault_plan: fault_plan.clone(),
            transcript: None,
            paced: false,
            poll_wait,
            media_identity: None,
            changer: 1,
        })?;
        // A record at a time: a formatting run's data-out, written out, is hundreds of MB.
        for (i, line) in std::io::BufReader::new(reader).lines().enumerate() {
            let line = line.map_err(|e| format!("{}: {e}", file.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let (mut record, filled) = compact::read(&line)
                .map_err(|e| format!("{} line {}: {e}", file.display(), i + 1))?;
            let diverged = |d: Divergence| {
                format!(
                    "run {}: command {} ({} {}) diverged: {}",
                    n + 1,
                    d.seq,
                    d.command,
                    d.cdb,
                    d.what
                )
            };
            match filled {
                Some(data_out) => {
                    // Its bytes go to the drive as they are, not through hex.
                    record.data_out = Some(String::new());
                    let mut filling = Filling {
                        inner: &mut served,
                        data_out: &data_out,
                    };
                    replay_against(&mut filling, std::slice::from_ref(&record))
                }
                None => replay_against(&mut served, std::slice::from_ref(&record)),
            }
            .map_err(diverged)?;
            commands += 1;
        }
        // As `virtdrive run` does when the program ends.
        served.commit().map_err(|e| e.to_string())?;
    }
    Ok(commands)
}

/// `inner`, to which a data-out command sends `data_out` in place of its own (empty) data:
/// the replay of a record kept in the compact form.
struct Filling<'a, T: Transport> {
    inner: &'a mut T,
    data_out: &'a [u8],
}

impl<T: Transport> Transport for Filling<'_, T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        match data {
            DataPhase::Out(_) => self
                .inner
                .execute(cdb, DataPhase::Out(self.data_out), timeout),
            other => self.inner.execute(cdb, other, timeout),
        }
    }
}

#[test]
fn every_recorded_program_gets_the_same_answers_from_the_emulator() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "fixtures/transcripts holds recorded cases"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        match replay_case(case) {
            Ok(commands) => eprintln!("{name}: {commands} commands replayed"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A WRITE of 4 KiB of zeros, kept compact, reads back as the record it was; a fill whose
/// bytes do not match the recorded digest is refused.
#[test]
fn a_data_out_of_one_byte_is_kept_compact_and_read_back_exactly() {
    let zeros = vec![0u8; 4096];
    let record = mmc_core::trace::TraceRecord {
        seq: 1,
        command: "WRITE (10)".into(),
        cdb: "2A 00 00 00 00 00 00 00 02 00".into(),
        direction: mmc_core::Direction::Out,
        length: zeros.len(),
        timeout_ms: 60_000,
        data_out: Some(mmc_core::wire::hex(&zeros)),
        data_out_blake3: Some(blake3::hash(&zeros).to_hex().to_string()),
        outcome: mmc_core::trace::TraceOutcome::Completed {
            status: 0,
            sense: String::new(),
            residual: 0,
            data_in: None,
            data_in_blake3: None,
        },
    };
    let line = serde_json::to_string(&record).unwrap();
    let short = compact::compact(&line).expect("4 KiB of one byte is kept compact");
    assert!(short.len() < 1000, "{short}");
    let (mut read, data) = compact::read(&short).unwrap();
    assert_eq!(data.as_deref(), Some(&zeros[..]));
    read.data_out = data.as_deref().map(mmc_core::wire::hex);
    assert_eq!(read, record);

    let ones = short.replace("\"data_out_fill\":\"00\"", "\"data_out_fill\":\"FF\"");
    assert!(compact::read(&ones).is_err(), "{ones}");
    let mut mixed = zeros.clone();
    mixed[7] = 1;
    let other = line_with_data(&record, &mixed);
    assert_eq!(compact::compact(&other), None, "mixed bytes stay in full");
}

/// `record` as a JSON line, with `data` as its data-out.
fn line_with_data(record: &mmc_core::trace::TraceRecord, data: &[u8]) -> String {
    let mut record = record.clone();
    record.data_out = Some(mmc_core::wire::hex(data));
    record.data_out_blake3 = Some(blake3::hash(data).to_hex().to_string());
    serde_json::to_string(&record).unwrap()
}
