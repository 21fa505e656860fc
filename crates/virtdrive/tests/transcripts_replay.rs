//! Recorded transcripts of real programs (issue 5, item 6), replayed in every `cargo test`
//! without the programs: each case in `fixtures/transcripts` (`NAME.case.json`, written by a
//! real-client test run with `VIRTDRIVE_UPDATE_TRANSCRIPTS=1`) names the drive it was recorded
//! against and its runs' transcripts (JSON lines, gzipped); each run is sent again, command by command, to a new
//! served drive over the same disc file, and every answer (status, sense, residual, data) must
//! be the one the program got. A change in the emulator's answers fails here, naming the case,
//! the run and the first command that differs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mmc_core::trace::{read_jsonl, replay_against};
use virtdrive::serve::{open_drive, DriveOptions, VirtSpec};

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
        let records = read_jsonl(std::io::BufReader::new(reader))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let mut served = open_drive(&DriveOptions {
            drive: spec.clone(),
            fault_plan: fault_plan.clone(),
            transcript: None,
            paced: false,
            poll_wait,
            media_identity: None,
        })?;
        replay_against(&mut served, &records).map_err(|d| {
            format!(
                "run {}: command {} ({} {}) diverged: {}",
                n + 1,
                d.seq,
                d.command,
                d.cdb,
                d.what
            )
        })?;
        // As `virtdrive run` does when the program ends.
        served.commit().map_err(|e| e.to_string())?;
        commands += records.len();
    }
    Ok(commands)
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
