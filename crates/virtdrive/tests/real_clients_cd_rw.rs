//! Real programs blank the emulator's CD-RW through `virtdrive run`: cdrskin `blank=fast` and
//! `blank=all`, wodim `blank=fast`, xorriso `-blank as_needed`; each leaves a disc the drive
//! reports blank (READ DISC INFORMATION through the library), which then takes a new burn that
//! reads back equal. While the drive blanks, the progress the programs print, and the one the
//! drive reports to their polls (02/04/07 with the progress indication, in the transcripts),
//! rises. cdrskin's DVD-RW blanking modes meet a CD-RW too: `blank=format_overwrite` is
//! refused and leaves the disc as it was; `blank=deformat_sequential` blanks it whole. xorriso
//! `-format` finds nothing to format on a CD-RW and leaves it blank; wodim writes two TAO
//! sessions, reports them with `-msinfo`, and blanks the disc fully with `-immed blank=all`.
//!
//! Each run is killed after a minute (a guard against a hang, not a speed check): under the
//! accelerated clock a full blank, 8.6 minutes of drive time, passes in about a second.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::Path;
use std::time::Duration;

use real_clients::{
    assert_printed_progress, blanking_progress, cdbs_of, disc_information, keep_transcripts,
    ready_disc, tool, Bench, Case, RecordedRuns,
};
use virtdrive::medium::MediumKind;

/// The image's sectors: more than the 300 a CD track holds at least, so no padding.
const IMAGE_SECTORS: usize = 400;
/// The hang guard of every run.
const LIMIT: Duration = Duration::from_secs(60);

/// Disc Status (READ DISC INFORMATION byte 2, bits 1-0).
const BLANK: u8 = 0b00;
const COMPLETE: u8 = 0b10;

/// A test's folder, holding `image.bin` (deterministic, so the transcripts replay) and the
/// disc file of `virt:cd-rw@DISC`.
struct Setup {
    dir: tempfile::TempDir,
    image: Vec<u8>,
    drive: String,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let image = testkit::blocks(0x5A, IMAGE_SECTORS);
        std::fs::write(dir.path().join("image.bin"), &image).unwrap();
        let drive = format!("virt:cd-rw@{}", dir.path().join("disc").display());
        Setup { dir, image, drive }
    }

    fn disc(&self) -> std::path::PathBuf {
        self.dir.path().join("disc")
    }

    /// Disc Status and the Erasable bit, as the drive reports them.
    fn status(&self) -> (u8, bool) {
        let info = disc_information(MediumKind::CdRw80, &self.disc());
        (info[2] & 0x03, info[2] & 0x10 != 0)
    }

    /// The first `IMAGE_SECTORS` sectors of the disc, read through the library.
    fn read_back(&self) -> Vec<u8> {
        let mut drive = ready_disc(MediumKind::CdRw80, &self.disc());
        testkit::read_back(&mut drive, 0, IMAGE_SECTORS as u64)
    }

    /// The drive reports the disc blank, and `runs` burns the image on it again with
    /// `-WRITE_MODE` (`"tao"`, `"sao"`): the disc is complete and reads back the image.
    #[track_caller]
    fn blank_and_burns_again(&self, runs: &mut RecordedRuns<'_>, write_mode: &str) {
        assert_eq!(self.status(), (BLANK, true), "the disc is blank");
        let said = runs.ok(&["-v", "dev=/dev/sr9", &format!("-{write_mode}"), "image.bin"]);
        let mode = write_mode.to_ascii_uppercase();
        assert!(said.contains(&format!("in real {mode} mode")), "{said}");
        assert_eq!(self.status(), (COMPLETE, true));
        self.holds_the_image();
    }

    #[track_caller]
    fn holds_the_image(&self) {
        let data = self.read_back();
        assert_eq!(data.len(), self.image.len());
        assert!(data == self.image, "the disc reads back the image");
    }
}

/// BLANK's blanking types (CDB byte 1, bits 2-0) in a run's transcript.
fn blanking_types(transcript: &Path) -> Vec<u8> {
    cdbs_of(transcript, "BLANK")
        .iter()
        .filter_map(|cdb| Some(cdb.get(1)? & 0x07))
        .collect()
}

/// The runs as fixture case `name` (see [`keep_transcripts`]).
fn keep(name: &str, commands: &[&str], runs: &[std::path::PathBuf]) {
    keep_transcripts(&Case {
        name,
        commands,
        medium: "cd-rw",
        fault_plan: None,
        runs,
    });
}

#[track_caller]
fn rises<T: PartialOrd + std::fmt::Debug>(values: &[T], what: &str) {
    assert!(values.len() >= 3, "{what}: several values, got {values:?}");
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "{what} rises: {values:?}"
    );
}

#[test]
fn cdrskin_blank_fast_and_blank_all_leave_a_blank_cd_rw_that_takes_a_new_burn() {
    let Some(cdrskin) = tool("cdrskin", "cdrskin") else {
        return;
    };
    let s = Setup::new();
    let mut runs = RecordedRuns::new(s.dir.path(), &s.drive, &cdrskin).limited(LIMIT);

    runs.ok(&["-v", "dev=/dev/sr9", "-tao", "image.bin"]);
    assert_eq!(s.status(), (COMPLETE, true));
    s.holds_the_image();

    let fast = runs.ok(&["-v", "dev=/dev/sr9", "blank=fast"]);
    assert!(fast.contains("Current: CD-RW"), "{fast}");
    assert!(fast.contains("cdrskin: blanking done"), "{fast}");
    assert_printed_progress(&fast, "cdrskin");
    let fast_run = runs.transcripts.last().unwrap().clone();
    assert_eq!(blanking_types(&fast_run), [0b001], "a minimal blank");
    rises(&blanking_progress(&fast_run), "the drive's progress");
    s.blank_and_burns_again(&mut runs, "tao");

    let all = runs.ok(&["-v", "dev=/dev/sr9", "blank=all"]);
    assert!(all.contains("cdrskin: blanking done"), "{all}");
    assert_printed_progress(&all, "cdrskin");
    let all_run = runs.transcripts.last().unwrap().clone();
    assert_eq!(blanking_types(&all_run), [0b000], "a full blank");
    let progress = blanking_progress(&all_run);
    rises(&progress, "the drive's progress");
    assert!(
        progress.len() > blanking_progress(&fast_run).len(),
        "a full blank takes longer than a minimal one"
    );
    s.blank_and_burns_again(&mut runs, "sao");

    keep(
        "cdrskin-blank-cd-rw",
        &[
            "cdrskin -v dev=/dev/sr9 -tao image.bin",
            "cdrskin -v dev=/dev/sr9 blank=fast",
            "cdrskin -v dev=/dev/sr9 -tao image.bin",
            "cdrskin -v dev=/dev/sr9 blank=all",
            "cdrskin -v dev=/dev/sr9 -sao image.bin",
        ],
        &runs.transcripts,
    );
}

/// `blank=format_overwrite` and `blank=deformat_sequential` are DVD-RW operations. On a
/// CD-RW cdrskin refuses the first before sending the drive anything that changes the disc,
/// and carries out the second as a full blank (BLANK 000b).
#[test]
fn cdrskin_dvd_rw_blank_modes_on_a_cd_rw() {
    let Some(cdrskin) = tool("cdrskin", "cdrskin") else {
        return;
    };
    let s = Setup::new();
    let mut runs = RecordedRuns::new(s.dir.path(), &s.drive, &cdrskin).limited(LIMIT);
    runs.ok(&["-v", "dev=/dev/sr9", "-tao", "image.bin"]);

    let refused = runs.run(&["-v", "dev=/dev/sr9", "blank=format_overwrite"]);
    assert_ne!(refused.code, Some(0), "{refused:?}");
    let all = format!("{}{}", refused.stdout, refused.stderr);
    assert!(
        all.contains("blank=format_overwrite for now does DVD-RW and DVD+RW only"),
        "{all}"
    );
    let run = runs.transcripts.last().unwrap().clone();
    let text = std::fs::read_to_string(&run).unwrap();
    assert!(
        !text.contains("\"BLANK\"") && !text.contains("\"FORMAT UNIT\""),
        "nothing was sent to blank or format"
    );
    assert_eq!(s.status(), (COMPLETE, true), "the disc is as it was");
    s.holds_the_image();

    let deformat = runs.ok(&["-v", "dev=/dev/sr9", "blank=deformat_sequential"]);
    assert!(deformat.contains("cdrskin: blanking done"), "{deformat}");
    let run = runs.transcripts.last().unwrap().clone();
    assert_eq!(blanking_types(&run), [0b000], "a full blank");
    rises(&blanking_progress(&run), "the drive's progress");
    assert_eq!(s.status(), (BLANK, true), "the disc is blank");

    keep(
        "cdrskin-dvd-rw-modes-cd-rw",
        &[
            "cdrskin -v dev=/dev/sr9 -tao image.bin",
            "cdrskin -v dev=/dev/sr9 blank=format_overwrite",
            "cdrskin -v dev=/dev/sr9 blank=deformat_sequential",
        ],
        &runs.transcripts,
    );
}

/// wodim reads the CD-RW's ATIP (erasable, a High-Speed CD-RW of 4x to 10x), blanks it with
/// `blank=fast` ("Blanking PMA, TOC, pregap") and writes it again in TAO.
#[test]
fn wodim_blank_fast_then_a_tao_write_on_cd_rw() {
    let Some(wodim) = tool("wodim", "wodim") else {
        return;
    };
    let s = Setup::new();
    let mut runs = RecordedRuns::new(s.dir.path(), &s.drive, &wodim).limited(LIMIT);
    runs.ok(&["-v", "dev=/dev/sr9", "-tao", "image.bin"]);
    assert_eq!(s.status(), (COMPLETE, true));

    let atip = runs.ok(&["dev=/dev/sr9", "-atip"]);
    assert!(atip.contains("Is erasable"), "{atip}");
    assert!(
        atip.contains("1T speed low:  4 1T speed high: 10"),
        "{atip}"
    );
    assert!(atip.contains("Phase change"), "{atip}");

    let blank = runs.ok(&["-v", "dev=/dev/sr9", "blank=fast"]);
    assert!(blank.contains("Blanking PMA, TOC, pregap"), "{blank}");
    let run = runs.transcripts.last().unwrap().clone();
    assert_eq!(blanking_types(&run), [0b001], "a minimal blank");
    // Without `-immed` wodim sends BLANK with Immed clear and waits for its completion
    // (MMC-6 6.2): there is nothing to poll, so no progress to see.
    assert!(blanking_progress(&run).is_empty());
    s.blank_and_burns_again(&mut runs, "tao");

    keep(
        "wodim-blank-cd-rw",
        &[
            "wodim -v dev=/dev/sr9 -tao image.bin",
            "wodim dev=/dev/sr9 -atip",
            "wodim -v dev=/dev/sr9 blank=fast",
            "wodim -v dev=/dev/sr9 -tao image.bin",
        ],
        &runs.transcripts,
    );
}

/// xorriso `-blank as_needed` on a written CD-RW blanks it (a minimal blank, its "fast"),
/// reporting a rising percentage; on the blank disc it has nothing to do.
#[test]
fn xorriso_blank_as_needed_on_a_written_cd_rw() {
    let (Some(cdrskin), Some(xorriso)) = (tool("cdrskin", "cdrskin"), tool("xorriso", "xorriso"))
    else {
        return;
    };
    let mut bench = Bench::new("cd-rw");
    std::fs::write(
        bench.path("image.bin"),
        testkit::blocks(0x5A, IMAGE_SECTORS),
    )
    .unwrap();
    let disc = bench.path("disc");
    let status = |disc: &Path| disc_information(MediumKind::CdRw80, disc)[2] & 0x03;
    bench
        .run(&cdrskin, &["-v", "dev=/dev/sr9", "-tao", "image.bin"])
        .expect_code(0);
    assert_eq!(status(&disc), COMPLETE);

    let out = bench.run(&xorriso, &["-dev", "/dev/sr9", "-blank", "as_needed"]);
    out.expect_code(0);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("Beginning to blank medium in mode 'fast'"),
        "{all}"
    );
    assert_printed_progress(&all, "xorriso");
    rises(
        &blanking_progress(&bench.path("run2.jsonl")),
        "the drive's progress",
    );
    assert!(all.contains("Media status : is blank"), "{all}");
    assert_eq!(status(&disc), BLANK);

    let again = bench.run(&xorriso, &["-dev", "/dev/sr9", "-blank", "as_needed"]);
    again.expect_code(0);
    let all = format!("{}{}", again.stdout, again.stderr);
    assert!(!all.contains("Beginning to blank"), "{all}");
    assert_eq!(status(&disc), BLANK);

    bench.keep("xorriso-blank-as-needed-cd-rw");
}

/// libburn cannot format a CD-RW (it has no fixed-packet formatting): xorriso `-format
/// as_needed` finds nothing to do and `-format full` refuses the medium, neither sending
/// FORMAT UNIT or BLANK; the disc stays blank and takes a TAO burn.
#[test]
fn xorriso_format_leaves_a_cd_rw_as_it_was() {
    let (Some(cdrskin), Some(xorriso)) = (tool("cdrskin", "cdrskin"), tool("xorriso", "xorriso"))
    else {
        return;
    };
    let mut bench = Bench::new("cd-rw");
    let image = testkit::blocks(0x5A, IMAGE_SECTORS);
    std::fs::write(bench.path("image.bin"), &image).unwrap();
    let disc = bench.path("disc");
    let status = |disc: &Path| disc_information(MediumKind::CdRw80, disc)[2] & 0x03;
    let out = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-format", "as_needed"]);
    let all = format!("{}{}", out.expect_code(0).stdout, out.stderr);
    assert!(
        all.contains("-format as_needed: no need for action"),
        "{all}"
    );
    let refused = bench.run(&xorriso, &["-outdev", "/dev/sr9", "-format", "full"]);
    assert_ne!(refused.code, Some(0), "{refused:?}");
    let all = format!("{}{}", refused.stdout, refused.stderr);
    assert!(all.contains("-format: Unsuitable media detected"), "{all}");
    for run in ["run1.jsonl", "run2.jsonl"] {
        assert!(
            cdbs_of(&bench.path(run), "FORMAT UNIT").is_empty(),
            "no FORMAT UNIT"
        );
        assert!(cdbs_of(&bench.path(run), "BLANK").is_empty(), "no BLANK");
    }
    assert_eq!(status(&disc), BLANK, "the disc is still blank");

    bench
        .run(&cdrskin, &["-v", "dev=/dev/sr9", "-tao", "image.bin"])
        .expect_code(0);
    assert_eq!(status(&disc), COMPLETE);
    let mut drive = ready_disc(MediumKind::CdRw80, &disc);
    let data = testkit::read_back(&mut drive, 0, IMAGE_SECTORS as u64);
    assert!(data == image, "the disc reads back the image");
    bench.keep("xorriso-format-cd-rw");
}

/// wodim writes two TAO sessions (`-multi`) on the CD-RW and `-msinfo` gives each time the
/// start of the last session and the next writable address: 0 and 11,802 after the first
/// (its 400 blocks, 2 run-out blocks, then the first lead-out of 6,750, a lead-in of 4,500 and
/// the pregap of 150), 11,802 and 19,104 after the second (6,900 between sessions from then
/// on: a lead-out of 2,250). `-immed blank=all` then blanks it fully (BLANK 000b with Immed),
/// the progress the drive reports to wodim's polls rising, and it takes a TAO write again.
#[test]
fn wodim_multi_session_msinfo_and_a_full_blank_on_cd_rw() {
    let Some(wodim) = tool("wodim", "wodim") else {
        return;
    };
    let s = Setup::new();
    let mut runs = RecordedRuns::new(s.dir.path(), &s.drive, &wodim).limited(LIMIT);
    runs.ok(&["-v", "dev=/dev/sr9", "-tao", "-multi", "image.bin"]);
    let msinfo = runs.ok(&["dev=/dev/sr9", "-msinfo"]);
    assert_eq!(msinfo.trim(), "0,11802");
    runs.ok(&["-v", "dev=/dev/sr9", "-tao", "-multi", "image.bin"]);
    let msinfo = runs.ok(&["dev=/dev/sr9", "-msinfo"]);
    assert_eq!(msinfo.trim(), "11802,19104");
    assert_eq!(s.status().0, 0b01, "appendable");

    let blank = runs.ok(&["-v", "-immed", "dev=/dev/sr9", "blank=all"]);
    assert!(blank.contains("Blanking entire disk"), "{blank}");
    let run = runs.transcripts.last().unwrap().clone();
    let blanks = cdbs_of(&run, "BLANK");
    assert_eq!(blanks.len(), 1, "one BLANK");
    assert_eq!(blanks[0].get(1), Some(&0x10), "full, with Immed");
    rises(&blanking_progress(&run), "the drive's progress");
    s.blank_and_burns_again(&mut runs, "tao");
    keep(
        "wodim-msinfo-blank-all-cd-rw",
        &[
            "wodim -v dev=/dev/sr9 -tao -multi image.bin",
            "wodim dev=/dev/sr9 -msinfo",
            "wodim -v dev=/dev/sr9 -tao -multi image.bin",
            "wodim dev=/dev/sr9 -msinfo",
            "wodim -v -immed dev=/dev/sr9 blank=all",
            "wodim -v dev=/dev/sr9 -tao image.bin",
        ],
        &runs.transcripts,
    );
}
