//! Real programs on the emulated DVD-RW through `virtdrive run`: cdrskin records an
//! incremental session on the Sequential disc, blanks it minimally (`blank=fast`) and fully
//! (`blank=all`), formats it to Restricted Overwrite (`blank=format_overwrite`) and brings it
//! back (`blank=deformat_sequential`); dvd+rw-format `-force` quick-formats it and `-blank`
//! takes it back. After each, the disc kept in the file is read through the library (READ
//! DISC INFORMATION, GET CONFIGURATION), and the progress the drive reported while blanking
//! rises in the transcript.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;
use std::time::Duration;

use mmc_core::{DataPhase, ScsiStatus, Transport};
use real_clients::{disc_information, keep_transcripts, ready_disc, tool, Case, RecordedRuns};
use virtdrive::medium::MediumKind;

/// The current profile of the DVD-RW kept in `disc` (GET CONFIGURATION bytes 6-7).
fn profile(disc: &Path) -> u16 {
    let cdb = [0x46, 0x02, 0, 0, 0, 0, 0, 0x00, 0x08, 0x00]; // GET CONFIGURATION, 8 bytes
    let mut data = vec![0u8; 8];
    let c = ready_disc(MediumKind::DvdRw, disc)
        .execute(&cdb, DataPhase::In(&mut data), Duration::from_secs(60))
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good);
    u16::from_be_bytes([data[6], data[7]])
}

/// Disc Status (bits 1-0) of READ DISC INFORMATION, and the Erasable bit.
fn status(disc: &Path) -> (u8, bool) {
    let info = disc_information(MediumKind::DvdRw, disc);
    (info[2] & 0x03, info[2] & 0x10 != 0)
}

/// The progress indications (sense bytes 15-17, SKSV set) of the answers in a transcript.
fn progress_in(transcript: &Path) -> Vec<u16> {
    let text = std::fs::read_to_string(transcript).unwrap();
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            let sense = v["outcome"]["completed"]["sense"].as_str()?.to_string();
            let data_in = v["outcome"]["completed"]["data_in"].as_str().map(String::from);
            // REQUEST SENSE carries the sense as its data.
            let bytes = if v["command"] == "REQUEST SENSE" { data_in? } else { sense };
            let b: Vec<u8> = bytes
                .split_whitespace()
                .filter_map(|h| u8::from_str_radix(h, 16).ok())
                .collect();
            let key_asc = (b.get(2)? & 0x0F, *b.get(12)?);
            (key_asc == (0x02, 0x04) && b.get(15)? & 0x80 != 0)
                .then(|| u16::from_be_bytes([b[16], b[17]]))
        })
        .collect()
}

#[track_caller]
fn assert_rising(progress: &[u16]) {
    assert!(progress.len() > 2, "progress reported: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert!(progress.first() < progress.last(), "it advances: {progress:?}");
}

/// cdrskin `-multi` writes a session on the Sequential DVD-RW; `blank=fast` leaves it
/// blank, a second session can be written, and `blank=all` blanks it again, the drive's
/// progress rising all along.
#[test]
fn cdrskin_blanks_a_sequential_dvd_rw_fast_and_fully() {
    let Some(cdrskin) = tool("cdrskin", "cdrskin") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let payload: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.path().join("data.bin"), &payload).unwrap();
    let disc = dir.path().join("disc");
    let drive = format!("virt:dvd-rw@{}", disc.display());
    let mut runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);
    let out = runs.ok(&["-v", "dev=/dev/sr9", "-multi", "data.bin"]);
    assert!(out.contains("burning done"), "{out}");
    assert_eq!(status(&disc), (0b01, true), "appendable, erasable");

    let out = runs.ok(&["-v", "dev=/dev/sr9", "blank=fast"]);
    assert!(out.contains("blanking done"), "{out}");
    assert_eq!(status(&disc), (0b00, true), "blank after blank=fast");
    assert_rising(&progress_in(&runs.transcripts[1]));

    runs.ok(&["-v", "dev=/dev/sr9", "-multi", "data.bin"]);
    assert_eq!(status(&disc), (0b01, true));
    let out = runs.ok(&["-v", "dev=/dev/sr9", "blank=all"]);
    assert!(out.contains("blanking done"), "{out}");
    assert_eq!(status(&disc), (0b00, true), "blank after blank=all");
    assert_eq!(profile(&disc), 0x0014);
    assert_rising(&progress_in(&runs.transcripts[3]));
    keep_transcripts(&Case {
        name: "cdrskin-blank-dvd-rw",
        commands: &[
            "cdrskin -v dev=/dev/sr9 -multi data.bin",
            "cdrskin -v dev=/dev/sr9 blank=fast",
            "cdrskin -v dev=/dev/sr9 -multi data.bin",
            "cdrskin -v dev=/dev/sr9 blank=all",
        ],
        medium: "dvd-rw",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

/// dvd+rw-format `-force` quick-formats the DVD-RW to Restricted Overwrite (FORMAT UNIT 15h
/// of 0 blocks) and `-blank` takes it back to Sequential recording (BLANK 001b); cdrskin
/// `blank=deformat_sequential` blanks a Restricted Overwrite disc fully.
#[test]
fn dvd_rw_format_and_cdrskin_switch_the_recording_mode() {
    let (Some(format), Some(cdrskin)) = (
        tool("dvd+rw-format", "dvd+rw-tools"),
        tool("cdrskin", "cdrskin"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let disc = dir.path().join("disc");
    let drive = format!("virt:dvd-rw@{}", disc.display());
    let mut runs = RecordedRuns::new(dir.path(), &drive, &format);
    runs.ok(&["-force", "/dev/sr9"]);
    assert_eq!(profile(&disc), 0x0013, "Restricted Overwrite");
    assert_eq!(status(&disc), (0b10, true), "complete, erasable");
    assert_rising(&progress_in(&runs.transcripts[0]));
    runs.ok(&["-blank", "/dev/sr9"]);
    assert_eq!(profile(&disc), 0x0014, "Sequential recording");
    assert_eq!(status(&disc), (0b00, true), "blank");
    runs.ok(&["-force", "/dev/sr9"]);
    assert_eq!(profile(&disc), 0x0013);
    let mut cdrskin_runs = RecordedRuns::new(dir.path(), &drive, &cdrskin);
    cdrskin_runs.transcripts = runs.transcripts.clone();
    let out = cdrskin_runs.ok(&["-v", "dev=/dev/sr9", "blank=deformat_sequential"]);
    assert!(out.contains("blanking done"), "{out}");
    assert_eq!(profile(&disc), 0x0014);
    assert_eq!(status(&disc), (0b00, true));
    assert_rising(&progress_in(&cdrskin_runs.transcripts[3]));
    keep_transcripts(&Case {
        name: "dvd+rw-format-dvd-rw",
        commands: &[
            "dvd+rw-format -force /dev/sr9",
            "dvd+rw-format -blank /dev/sr9",
            "dvd+rw-format -force /dev/sr9",
            "cdrskin -v dev=/dev/sr9 blank=deformat_sequential",
        ],
        medium: "dvd-rw",
        fault_plan: None,
        runs: &cdrskin_runs.transcripts,
    });
}
