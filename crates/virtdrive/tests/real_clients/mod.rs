//! What the real-client tests share: finding a Debian program (required in CI, skipped with a
//! notice elsewhere, as `mmc-core/tests/sense_oracle_sg_decode_sense.rs` does), and running it
//! through `virtdrive run` against the emulator at /dev/sr9 and /dev/sg9.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod compact;

/// The vendor and product the emulator reports in INQUIRY (virtdrive's `DriveIdentity`).
pub const VENDOR: &str = "VIRTDRV";
pub const PRODUCT: &str = "VIRTUAL WRITER";

/// `program` from PATH; `None` (with a printed notice) when it is missing and `CI` is not
/// set. With `CI` set, a missing program fails the test: CI installs `package`.
pub fn tool(program: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set, so this test needs {program}, which is not installed \
                 (apt-get install {package})"
            );
        }
        eprintln!("NOTICE: {program} is not installed (apt-get install {package}); test skipped");
    }
    found
}

/// How a program run through `virtdrive run` ended.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Panics with both outputs unless the exit status is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn expect_line(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.lines().any(|l| l.contains(needle)),
            "no line with {needle:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `virtdrive run VIRTDRIVE_ARGS -- PROGRAM ARGS` from `dir`.
pub fn virtdrive_run(
    dir: &Path,
    virtdrive_args: &[&str],
    program: &Path,
    args: &[&str],
) -> Outcome {
    virtdrive_run_with(dir, &[], virtdrive_args, program, args)
}

/// As [`virtdrive_run`], with `env` changed first: `(NAME, Some(VALUE))` sets a variable,
/// `(NAME, None)` removes it.
pub fn virtdrive_run_with(
    dir: &Path,
    env: &[(&str, Option<&str>)],
    virtdrive_args: &[&str],
    program: &Path,
    args: &[&str],
) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_virtdrive"));
    for (name, value) in env {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let out = command
        .current_dir(dir)
        .arg("run")
        .args(virtdrive_args)
        .arg("--")
        .arg(program)
        .args(args)
        .output()
        .expect("virtdrive runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Compiles the C program `source` (a test's probe, written in C as the clients are) with
/// the compiler that builds the shim, into a folder kept for the test process; its path.
pub fn build_c_program(name: &str, source: &str) -> PathBuf {
    let dir = tempfile::tempdir().expect("a folder for the probe").keep();
    let file = dir.join(format!("{name}.c"));
    std::fs::write(&file, source).unwrap();
    let out = dir.join(name);
    let status = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()))
        .arg("-o")
        .arg(&out)
        .arg(&file)
        .status()
        .expect("a C compiler (cc) to build the probe");
    assert!(status.success(), "cc {} failed", file.display());
    out
}

/// The value after `label` on the first line holding it, trimmed (`"Current profile: BD-RE"`
/// with label `"Current profile:"` gives `"BD-RE"`).
pub fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.split_once(label).map(|(_, v)| v.trim()))
}

// Recorded transcripts (issue 5, item 6).
//
// A real-client test runs its program with `--transcript` into its temporary folder, then calls
// [`keep_transcripts`]. With `VIRTDRIVE_UPDATE_TRANSCRIPTS=1` set, that copies the transcripts
// into `fixtures/transcripts/` with a case file describing the drive they were recorded
// against; `transcripts_replay.rs` replays every case in every `cargo test`, with no Debian
// program needed, so a change in the emulator's answers shows up as a divergence.

/// The workspace's `fixtures/transcripts` folder.
pub fn transcripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/transcripts")
}

/// The `--transcript PATH` arguments for run `n` of a test, in `dir`.
pub fn transcript_path(dir: &Path, n: usize) -> PathBuf {
    dir.join(format!("run{n}.jsonl"))
}

/// What a recorded case needs to be replayed (stored as `NAME.case.json` and gzipped
/// `NAME.runN.jsonl.gz`): the drive (`virt:MEDIA`, a disc file is made
/// for it so successive runs see the same disc, as the test's `virt:MEDIA@FILE` did), the fault
/// plan (a path relative to the workspace), the clock (`virtdrive run`'s accelerated one) and
/// its poll wait, and the runs' transcripts in order.
pub struct Case<'a> {
    /// The case's name: `fixtures/transcripts/NAME.case.json` and `NAME.runN.jsonl.gz`.
    pub name: &'a str,
    /// The command lines recorded, for readers.
    pub commands: &'a [&'a str],
    pub medium: &'a str,
    pub fault_plan: Option<&'a str>,
    /// The transcripts of the test's runs, in order.
    pub runs: &'a [PathBuf],
}

/// Copies a case's transcripts into `fixtures/transcripts` when
/// `VIRTDRIVE_UPDATE_TRANSCRIPTS=1`; otherwise checks that the test recorded them.
pub fn keep_transcripts(case: &Case<'_>) {
    for run in case.runs {
        assert!(
            run.is_file(),
            "the run's transcript {} exists",
            run.display()
        );
    }
    if std::env::var("VIRTDRIVE_UPDATE_TRANSCRIPTS").as_deref() != Ok("1") {
        return;
    }
    let dir = transcripts_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut runs = Vec::new();
    for (n, run) in case.runs.iter().enumerate() {
        // Gzip: the data phases are in hex, and a CD track is at least 300 sectors.
        let name = format!("{}.run{}.jsonl.gz", case.name, n + 1);
        let out = std::fs::File::create(dir.join(&name)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::best());
        let recorded = std::io::BufReader::new(std::fs::File::open(run).unwrap());
        for line in std::io::BufRead::lines(recorded) {
            let line = line.unwrap();
            let kept = match compact::compact(&line) {
                Some(short) => {
                    let original: mmc_core::trace::TraceRecord =
                        serde_json::from_str(&line).unwrap();
                    let (mut record, data) = compact::read(&short).unwrap();
                    record.data_out = data.as_deref().map(mmc_core::wire::hex);
                    assert_eq!(record, original, "{short}");
                    short
                }
                None => line,
            };
            std::io::Write::write_all(&mut gz, kept.as_bytes()).unwrap();
            std::io::Write::write_all(&mut gz, b"\n").unwrap();
        }
        gz.finish().unwrap();
        runs.push(name);
    }
    let manifest = serde_json::json!({
        "commands": case.commands,
        "drive": format!("virt:{}", case.medium),
        "fault_plan": case.fault_plan,
        "clock": "accelerated",
        "poll_wait_ms": 5000,
        "runs": runs,
    });
    std::fs::write(
        dir.join(format!("{}.case.json", case.name)),
        serde_json::to_string_pretty(&manifest).unwrap() + "\n",
    )
    .unwrap();
}

/// Successive runs of one program through `virtdrive run` against one drive (and so one
/// disc), each recording its transcript (`run1.jsonl`, `run2.jsonl`, ... in `dir`) for
/// [`keep_transcripts`].
pub struct RecordedRuns<'a> {
    dir: &'a Path,
    drive: &'a str,
    program: &'a Path,
    /// Kill a run after this long (see [`virtdrive_run_limited`]).
    limit: Option<std::time::Duration>,
    pub transcripts: Vec<PathBuf>,
}

impl<'a> RecordedRuns<'a> {
    pub fn new(dir: &'a Path, drive: &'a str, program: &'a Path) -> Self {
        RecordedRuns {
            dir,
            drive,
            program,
            limit: None,
            transcripts: Vec::new(),
        }
    }

    /// Each run is killed after `limit`, failing the test.
    pub fn limited(self, limit: std::time::Duration) -> Self {
        RecordedRuns {
            limit: Some(limit),
            ..self
        }
    }

    /// Runs the program with `args`, recording the next transcript.
    pub fn run(&mut self, args: &[&str]) -> Outcome {
        let transcript = transcript_path(self.dir, self.transcripts.len() + 1);
        let virtdrive_args = [
            "--drive",
            self.drive,
            "--transcript",
            transcript.to_str().unwrap(),
        ];
        let out = match self.limit {
            Some(limit) => {
                virtdrive_run_limited(self.dir, &virtdrive_args, self.program, args, limit)
            }
            None => virtdrive_run(self.dir, &virtdrive_args, self.program, args),
        };
        self.transcripts.push(transcript);
        out
    }

    /// Runs the program with `args` as [`RecordedRuns::run`] does; it must succeed. Its
    /// output and its messages, together.
    pub fn ok(&mut self, args: &[&str]) -> String {
        let out = self.run(args);
        format!("{}{}", out.expect_code(0).stdout, out.stderr)
    }
}

/// As [`virtdrive_run`], but the run (virtdrive and the program, one process group) is killed
/// after `limit` and the test fails with what it printed: a program that loops forever on
/// answers it does not expect (wodim does, when readiness is inconsistent) must fail the test,
/// not hang it. The limit guards against a hang; it asserts nothing about speed.
pub fn virtdrive_run_limited(
    dir: &Path,
    virtdrive_args: &[&str],
    program: &Path,
    args: &[&str],
    limit: std::time::Duration,
) -> Outcome {
    use std::os::unix::process::CommandExt;
    let stdout_path = dir.join("run.stdout");
    let stderr_path = dir.join("run.stderr");
    let mut child = Command::new(env!("CARGO_BIN_EXE_virtdrive"))
        .current_dir(dir)
        .arg("run")
        .args(virtdrive_args)
        .arg("--")
        .arg(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .process_group(0)
        .spawn()
        .expect("virtdrive runs");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let Some(status) = status else {
        // The whole group: virtdrive and the program it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
        let _ = child.wait();
        panic!(
            "{} did not finish within {limit:?}\n--- stdout\n{}\n--- stderr\n{}",
            program.display(),
            read(&stdout_path),
            read(&stderr_path)
        );
    };
    Outcome {
        code: status.code(),
        stdout: read(&stdout_path),
        stderr: read(&stderr_path),
    }
}

/// A small file tree with fixed contents and modification times, so an image made from it
/// differs between runs only in what the image maker stamps itself (its creation date).
pub fn make_tree(root: &Path, files: &[(&str, Vec<u8>)]) {
    // 2020-01-01 00:00:00 UTC.
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
    for (name, data) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }
}

/// The first `sectors` 2048-byte sectors of the disc, read through `/dev/sr9` by `dd` under
/// `virtdrive run` (the shim answers the block node's reads with READ (10), as the sr driver
/// does).
pub fn read_disc(dir: &Path, drive: &str, sectors: u64, skip: u64) -> Vec<u8> {
    let out = dir.join("read-back.bin");
    let dd = Path::new("/bin/dd");
    let outcome = virtdrive_run(
        dir,
        &["--drive", drive],
        dd,
        &[
            "if=/dev/sr9",
            &format!("of={}", out.display()),
            "bs=2048",
            &format!("count={sectors}"),
            &format!("skip={skip}"),
        ],
    );
    outcome.expect_code(0);
    std::fs::read(&out).unwrap()
}

/// The 80-minute CD-R kept in `disc` (what `virt:cd-r@DISC` makes) in a drive of the virtdrive
/// library, ready: the power-on unit attention answered, as a host's TEST UNIT READY loop does.
pub fn ready_cd_r(disc: &Path) -> virtdrive::DiscFileDrive {
    ready_disc(virtdrive::medium::MediumKind::CdR80, disc)
}

/// The disc of `kind` kept in `disc` in a drive of the virtdrive library, ready (see
/// [`ready_cd_r`]).
pub fn ready_disc(kind: virtdrive::medium::MediumKind, disc: &Path) -> virtdrive::DiscFileDrive {
    use mmc_core::{DataPhase, ScsiStatus, Transport};
    let timeout = std::time::Duration::from_secs(60);
    let mut drive =
        virtdrive::DiscFileDrive::open(kind, disc, virtdrive::DriveConfig::default()).unwrap();
    let tur = [0x00, 0, 0, 0, 0, 0]; // TEST UNIT READY
    let ready = (0..100).any(|_| {
        let c = drive.execute(&tur, DataPhase::None, timeout).unwrap();
        drive.drive_mut().advance(std::time::Duration::from_secs(1));
        c.status == ScsiStatus::Good
    });
    assert!(ready, "the drive becomes ready");
    drive
}

/// READ DISC INFORMATION (34 bytes) of the CD-R kept in `disc`, sent through the virtdrive
/// library: byte 2 holds the disc status, which a program's own report cannot fake.
pub fn cd_r_disc_information(disc: &Path) -> Vec<u8> {
    disc_information(virtdrive::medium::MediumKind::CdR80, disc)
}

/// READ DISC INFORMATION (34 bytes) of the disc of `kind` kept in `disc` (see
/// [`cd_r_disc_information`]).
pub fn disc_information(kind: virtdrive::medium::MediumKind, disc: &Path) -> Vec<u8> {
    use mmc_core::{DataPhase, ScsiStatus, Transport};
    let cdb = [
        0x51, // READ DISC INFORMATION
        0, 0, 0, 0, 0, 0, //
        0x00, 0x22, // allocation length 34
        0,
    ];
    let mut info = vec![0u8; 34];
    let c = ready_disc(kind, disc)
        .execute(
            &cdb,
            DataPhase::In(&mut info),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    assert_eq!(c.status, ScsiStatus::Good, "READ DISC INFORMATION: {c:?}");
    info
}

/// A test's drive (`virt:MEDIUM` in a disc file of the test's own folder, so successive runs
/// see the same disc) and the runs made against it, recorded for [`keep_transcripts`].
pub struct Bench {
    pub dir: tempfile::TempDir,
    /// The `--drive` value.
    pub drive: String,
    medium: String,
    runs: Vec<PathBuf>,
    commands: Vec<String>,
}

impl Bench {
    pub fn new(medium: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let drive = format!("virt:{medium}@{}", dir.path().join("disc").display());
        Bench {
            dir,
            drive,
            medium: medium.to_string(),
            runs: Vec::new(),
            commands: Vec::new(),
        }
    }

    /// `name` in the test's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `program` with `args` against the drive, recording a transcript and the command
    /// line (the folder written `TMP`).
    pub fn run(&mut self, program: &Path, args: &[&str]) -> Outcome {
        let transcript = transcript_path(self.dir.path(), self.runs.len() + 1);
        let out = virtdrive_run(
            self.dir.path(),
            &[
                "--drive",
                &self.drive,
                "--transcript",
                transcript.to_str().unwrap(),
            ],
            program,
            args,
        );
        self.runs.push(transcript);
        let name = program.file_name().unwrap_or_default().to_string_lossy();
        let root = self.dir.path().to_str().unwrap();
        self.commands
            .push(format!("{name} {}", args.join(" ")).replace(root, "TMP"));
        out
    }

    /// The runs, as fixture case `name` (see [`keep_transcripts`]).
    pub fn keep(&self, name: &str) {
        let commands: Vec<&str> = self.commands.iter().map(String::as_str).collect();
        keep_transcripts(&Case {
            name,
            commands: &commands,
            medium: &self.medium,
            fault_plan: None,
            runs: &self.runs,
        });
    }
}

/// The progress indications (in 1/65536) of the answers with sense `triple` (02/04/07 while
/// the drive blanks, 02/04/04 while it formats) a run's transcript holds: TEST UNIT READY's
/// sense and REQUEST SENSE's data, whose sense-key specific bytes carry the progress (SPC-4
/// 4.5.2.4.4) while a BLANK (MMC-6 6.2) or FORMAT UNIT (MMC-6 6.5) sent with Immed runs. Only
/// the answers with SKSV set count.
pub fn drive_progress(transcript: &Path, triple: mmc_core::sense::SenseTriple) -> Vec<u16> {
    use mmc_core::sense::{Sense, SenseKeySpecific};
    use mmc_core::wire::parse_hex_words;
    let text = std::fs::read_to_string(transcript).unwrap();
    let mut progress = Vec::new();
    for line in text.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let completed = &record["outcome"]["completed"];
        let sense = match completed["sense"].as_str() {
            Some(s) if !s.is_empty() => s,
            _ if record["command"] == "REQUEST SENSE" => {
                completed["data_in"].as_str().unwrap_or("")
            }
            _ => continue,
        };
        let Ok(bytes) = parse_hex_words(sense.split_whitespace()) else {
            continue;
        };
        let Ok(sense) = Sense::parse(&bytes) else {
            continue;
        };
        if let (true, Some(SenseKeySpecific::Progress(p))) =
            (sense.triple() == Some(triple), sense.sense_key_specific)
        {
            progress.push(p);
        }
    }
    progress
}

/// The CDBs of the commands named `command` (`"BLANK"`, `"FORMAT UNIT"`) in a run's
/// transcript.
pub fn cdbs_of(transcript: &Path, command: &str) -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(transcript).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["command"] == command)
        .filter_map(|r| mmc_core::wire::parse_hex_words(r["cdb"].as_str()?.split_whitespace()).ok())
        .collect()
}

/// The drive's progress while it blanked (02/04/07 OPERATION IN PROGRESS), in a run's
/// transcript.
pub fn blanking_progress(transcript: &Path) -> Vec<u16> {
    drive_progress(transcript, mmc_core::sense::triples::OPERATION_IN_PROGRESS)
}

/// The drive's progress while it formatted (02/04/04 FORMAT IN PROGRESS), in a run's
/// transcript.
pub fn formatting_progress(transcript: &Path) -> Vec<u16> {
    drive_progress(transcript, mmc_core::sense::triples::FORMAT_IN_PROGRESS)
}

/// The percentages `program` printed while the drive worked: they never go back, and they
/// move (at least three different values, the last above the first). A program's printing
/// loop and its polling of the drive run at their own paces, so it may print one value twice;
/// the drive's own progress, in the transcript, is what must rise at every poll.
#[track_caller]
pub fn assert_printed_progress(output: &str, program: &str) {
    let printed = percents(output);
    let mut distinct = printed.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 3 && printed.windows(2).all(|w| w[0] <= w[1]),
        "{program}'s percentage advances and never goes back: {printed:?}"
    );
}

/// The percentages a program printed, in order (`done 33.0%`, `( 57.4% done`).
pub fn percents(output: &str) -> Vec<f64> {
    output
        .split('%')
        .filter_map(|before| {
            let number: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            number.parse().ok()
        })
        .collect()
}
