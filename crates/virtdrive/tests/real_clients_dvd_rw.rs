//! Real programs on the emulated DVD-RW through `virtdrive run`: cdrskin records an
//! incremental session on the Sequential disc, blanks it minimally (`blank=fast`) and fully
//! (`blank=all`), formats it to Restricted Overwrite (`blank=format_overwrite`) and brings it
//! back (`blank=deformat_sequential`); dvd+rw-format `-force` quick-formats it and `-blank`
//! takes it back; xorriso `-blank as_needed`, `-format as_needed` and `-format full`;
//! growisofs `-Z` on the Sequential disc, then `-Z` and `-M` on Restricted Overwrite, read
//! back with xorriso. After each, the disc kept in the file is read through the library
//! (READ DISC INFORMATION, GET CONFIGURATION, READ FORMAT CAPACITIES), and the progress the
//! drive reported while blanking or formatting rises in the transcript.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mmc_core::{DataPhase, ScsiStatus, Transport};
use real_clients::{
    blanking_progress, disc_information, formatting_progress, keep_transcripts, read_disc,
    ready_disc, tool, Case, RecordedRuns,
};
use testkit::assert_rising;

const SECTORS: u32 = 2_298_496;
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

/// Runs of several programs against one drive, recorded in order (see [`RecordedRuns`]).
struct Runs<'a> {
    dir: &'a Path,
    drive: &'a str,
    transcripts: Vec<PathBuf>,
}

impl<'a> Runs<'a> {
    fn new(dir: &'a Path, drive: &'a str) -> Self {
        Runs {
            dir,
            drive,
            transcripts: Vec::new(),
        }
    }

    /// Runs `program` with `args`; it must succeed. Its output and messages.
    fn ok(&mut self, program: &Path, args: &[&str]) -> String {
        let mut runs = RecordedRuns::new(self.dir, self.drive, program);
        runs.transcripts = std::mem::take(&mut self.transcripts);
        let out = runs.ok(args);
        self.transcripts = runs.transcripts;
        out
    }

    /// The transcript of the last run.
    fn last(&self) -> &Path {
        self.transcripts.last().expect("a run")
    }
}

/// `len` bytes of a pattern that gzips well (the transcripts keep every data phase).
fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i / 2048) as u8).wrapping_add(seed))
        .collect()
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
    assert_rising(&blanking_progress(&runs.transcripts[1]));

    runs.ok(&["-v", "dev=/dev/sr9", "-multi", "data.bin"]);
    assert_eq!(status(&disc), (0b01, true));
    let out = runs.ok(&["-v", "dev=/dev/sr9", "blank=all"]);
    assert!(out.contains("blanking done"), "{out}");
    assert_eq!(status(&disc), (0b00, true), "blank after blank=all");
    assert_eq!(profile(&disc), 0x0014);
    assert_rising(&blanking_progress(&runs.transcripts[3]));
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
    let mut runs = Runs::new(dir.path(), &drive);
    runs.ok(&format, &["-force", "/dev/sr9"]);
    assert_eq!(profile(&disc), 0x0013, "Restricted Overwrite");
    assert_eq!(status(&disc), (0b10, true), "complete, erasable");
    assert_rising(&formatting_progress(runs.last()));
    runs.ok(&format, &["-blank", "/dev/sr9"]);
    assert_eq!(profile(&disc), 0x0014, "Sequential recording");
    assert_eq!(status(&disc), (0b00, true), "blank");
    assert_rising(&blanking_progress(runs.last()));
    runs.ok(&format, &["-force", "/dev/sr9"]);
    assert_eq!(profile(&disc), 0x0013);
    assert_rising(&formatting_progress(runs.last()));
    let out = runs.ok(
        &cdrskin,
        &["-v", "dev=/dev/sr9", "blank=deformat_sequential"],
    );
    assert!(out.contains("blanking done"), "{out}");
    assert_eq!(profile(&disc), 0x0014);
    assert_eq!(status(&disc), (0b00, true));
    assert_rising(&blanking_progress(runs.last()));
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
        runs: &runs.transcripts,
    });
}

/// READ FORMAT CAPACITIES of the DVD-RW kept in `disc`: the current descriptor (blocks,
/// descriptor type).
fn current_capacity(disc: &Path) -> (u32, u8) {
    let cdb = [0x23, 0, 0, 0, 0, 0, 0, 0x00, 0x0C, 0x00]; // READ FORMAT CAPACITIES, 12 bytes
    let mut data = vec![0u8; 12];
    let c = ready_disc(MediumKind::DvdRw, disc)
        .execute(&cdb, DataPhase::In(&mut data), Duration::from_secs(60))
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good);
    (
        u32::from_be_bytes([data[4], data[5], data[6], data[7]]),
        data[8] & 0x03,
    )
}

/// xorriso `-blank as_needed` blanks a written Sequential DVD-RW; `-format as_needed` and
/// `-format full` format it fully to Restricted Overwrite (FORMAT UNIT 00h of the whole
/// disc, about half an hour of the drive's time), the progress rising.
#[test]
fn xorriso_blanks_and_formats_a_dvd_rw_as_needed() {
    let (Some(xorriso), Some(cdrskin)) = (tool("xorriso", "xorriso"), tool("cdrskin", "cdrskin"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.bin"), pattern(1, 1 << 20)).unwrap();
    let disc = dir.path().join("disc");
    let drive = format!("virt:dvd-rw@{}", disc.display());
    let mut runs = Runs::new(dir.path(), &drive);
    runs.ok(&cdrskin, &["-v", "dev=/dev/sr9", "-multi", "data.bin"]);
    assert_eq!(status(&disc), (0b01, true), "appendable");
    runs.ok(&xorriso, &["-outdev", "/dev/sr9", "-blank", "as_needed"]);
    assert_eq!(status(&disc), (0b00, true), "blank");
    assert_rising(&blanking_progress(runs.last()));
    runs.ok(&xorriso, &["-outdev", "/dev/sr9", "-format", "as_needed"]);
    assert_eq!(profile(&disc), 0x0013);
    assert_eq!(current_capacity(&disc), (SECTORS, 0b10), "formatted whole");
    assert_rising(&formatting_progress(runs.last()));
    runs.ok(
        &cdrskin,
        &["-v", "dev=/dev/sr9", "blank=deformat_sequential"],
    );
    assert_rising(&blanking_progress(runs.last()));
    runs.ok(&xorriso, &["-outdev", "/dev/sr9", "-format", "full"]);
    assert_eq!(profile(&disc), 0x0013);
    assert_eq!(current_capacity(&disc), (SECTORS, 0b10));
    assert_rising(&formatting_progress(runs.last()));
    keep_transcripts(&Case {
        name: "xorriso-blank-format-dvd-rw",
        commands: &[
            "cdrskin -v dev=/dev/sr9 -multi data.bin",
            "xorriso -outdev /dev/sr9 -blank as_needed",
            "xorriso -outdev /dev/sr9 -format as_needed",
            "cdrskin -v dev=/dev/sr9 blank=deformat_sequential",
            "xorriso -outdev /dev/sr9 -format full",
        ],
        medium: "dvd-rw",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

/// growisofs `-Z` records an ISO 9660 session on the Sequential DVD-RW; quick-formatted to
/// Restricted Overwrite (dvd+rw-format `-force`), growisofs `-Z` writes from LBA 0 into the
/// intermediate session and closes it, `-M` grows the session (FORMAT UNIT 13h) and adds a
/// file; xorriso then extracts both files equal to what was written.
#[test]
fn growisofs_writes_and_grows_a_restricted_overwrite_dvd_rw() {
    let (Some(growisofs), Some(format), Some(xorriso)) = (
        tool("growisofs", "growisofs"),
        tool("dvd+rw-format", "dvd+rw-tools"),
        tool("xorriso", "xorriso"),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let first = pattern(3, 3 << 20);
    std::fs::write(tree.join("first.bin"), &first).unwrap();
    let disc = dir.path().join("disc");
    let drive = format!("virt:dvd-rw@{}", disc.display());
    let mut runs = Runs::new(dir.path(), &drive);
    runs.ok(&growisofs, &["-Z", "/dev/sr9", "-R", "-J", "tree"]);
    assert_eq!(profile(&disc), 0x0014);
    assert_ne!(status(&disc).0, 0b00, "recorded incrementally");

    runs.ok(&format, &["-force", "/dev/sr9"]);
    runs.ok(&growisofs, &["-Z", "/dev/sr9", "-R", "-J", "tree"]);
    let (size, kind) = current_capacity(&disc);
    assert_eq!(kind, 0b10, "the intermediate session closed: formatted");
    let second = pattern(7, 2 << 20);
    std::fs::write(tree.join("second.bin"), &second).unwrap();
    let out = runs.ok(&growisofs, &["-M", "/dev/sr9", "-R", "-J", "tree"]);
    assert!(out.contains("Quick Grow"), "{out}");
    let (grown, kind) = current_capacity(&disc);
    assert_eq!(kind, 0b10);
    assert!(grown > size, "{grown} > {size}");
    assert_eq!(profile(&disc), 0x0013);

    let out_dir = dir.path().join("out");
    runs.ok(
        &xorriso,
        &[
            "-indev", "/dev/sr9", "-osirrox", "on", "-extract", "/", "out",
        ],
    );
    assert!(std::fs::read(out_dir.join("first.bin")).unwrap() == first);
    assert!(std::fs::read(out_dir.join("second.bin")).unwrap() == second);
    keep_transcripts(&Case {
        name: "growisofs-dvd-rw",
        commands: &[
            "growisofs -Z /dev/sr9 -R -J tree",
            "dvd+rw-format -force /dev/sr9",
            "growisofs -Z /dev/sr9 -R -J tree",
            "growisofs -M /dev/sr9 -R -J tree",
            "xorriso -indev /dev/sr9 -osirrox on -extract / out",
        ],
        medium: "dvd-rw",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}

/// cdrskin `blank=format_overwrite` quick-formats the DVD-RW (FORMAT UNIT 15h), writes the
/// first 128 MiB and closes the session: the disc is Restricted Overwrite, formatted that
/// far, and the drive's progress rose while it formatted; cdrskin then writes a file from
/// LBA 0 and it reads back. The formatting run's 4,096 WRITEs of zeros are kept in the
/// transcript's compact form (`real_clients/compact.rs`).
#[test]
fn cdrskin_formats_a_dvd_rw_for_overwriting_and_writes_on_it() {
    let Some(cdrskin) = tool("cdrskin", "cdrskin") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = pattern(5, 1 << 20);
    std::fs::write(dir.path().join("data.bin"), &data).unwrap();
    let disc = dir.path().join("disc");
    let drive = format!("virt:dvd-rw@{}", disc.display());
    let mut runs = Runs::new(dir.path(), &drive);
    let said = runs.ok(&cdrskin, &["-v", "dev=/dev/sr9", "blank=format_overwrite"]);
    assert!(said.contains("formatting done"), "{said}");
    assert_eq!(profile(&disc), 0x0013, "Restricted Overwrite");
    assert_eq!(current_capacity(&disc).1, 0b10, "formatted");
    assert_rising(&formatting_progress(runs.last()));
    let said = runs.ok(&cdrskin, &["-v", "dev=/dev/sr9", "data.bin"]);
    assert!(said.contains("burning done"), "{said}");
    assert!(
        read_disc(dir.path(), &drive, 512, 0) == data,
        "the file reads back"
    );
    keep_transcripts(&Case {
        name: "cdrskin-format-overwrite-dvd-rw",
        commands: &[
            "cdrskin -v dev=/dev/sr9 blank=format_overwrite",
            "cdrskin -v dev=/dev/sr9 data.bin",
        ],
        medium: "dvd-rw",
        fault_plan: None,
        runs: &runs.transcripts,
    });
}
