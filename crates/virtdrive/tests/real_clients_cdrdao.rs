//! cdrdao 1.2.4, unmodified, against the emulator through `virtdrive run`: it finds the drive
//! in sysfs (`scanbus` globs `/sys/bus/scsi/devices/*`, which the shim shows from the run's
//! folder), talks to it with SG_IO headers whose direction it leaves 0 for commands without
//! data (as the sg driver accepts), and writes a MODE1 data track in disc-at-once that reads
//! back byte for byte.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::PathBuf;

use real_clients::{
    keep_transcripts, read_disc, tool, transcript_path, virtdrive_run, Case, Outcome, PRODUCT,
    VENDOR,
};

/// One test's drive (a CD-R in a disc file, kept across runs), folder and recorded runs.
struct Bench {
    cdrdao: PathBuf,
    dir: tempfile::TempDir,
    drive: String,
    runs: Vec<PathBuf>,
    commands: Vec<String>,
}

impl Bench {
    fn new(cdrdao: PathBuf) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let drive = format!("virt:cd-r@{}", dir.path().join("disc").display());
        Bench {
            cdrdao,
            dir,
            drive,
            runs: Vec::new(),
            commands: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs cdrdao with `args` against the drive, recording a transcript.
    fn cdrdao(&mut self, args: &[&str]) -> Outcome {
        let transcript = transcript_path(self.dir.path(), self.runs.len() + 1);
        let out = virtdrive_run(
            self.dir.path(),
            &[
                "--drive",
                &self.drive,
                "--transcript",
                transcript.to_str().unwrap(),
            ],
            &self.cdrdao,
            args,
        );
        self.runs.push(transcript);
        let root = self.dir.path().to_str().unwrap();
        self.commands
            .push(format!("cdrdao {}", args.join(" ")).replace(root, "TMP"));
        out
    }

    fn keep(&self, name: &str) {
        let commands: Vec<&str> = self.commands.iter().map(String::as_str).collect();
        keep_transcripts(&Case {
            name,
            commands: &commands,
            medium: "cd-r",
            fault_plan: None,
            runs: &self.runs,
        });
    }
}

/// cdrdao prints its reports on stderr.
fn report(out: &Outcome) -> String {
    format!("{}{}", out.stdout, out.stderr)
}

/// The value after `label` in cdrdao's `disk-info` report (`CD-R empty           : yes`).
fn info<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == label).then(|| v.trim())
    })
}

/// `cdrdao scanbus` lists the drive at its block node with INQUIRY's identity.
#[test]
fn cdrdao_scanbus_finds_the_drive_in_sysfs() {
    let Some(cdrdao) = tool("cdrdao", "cdrdao") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = virtdrive_run(dir.path(), &["--drive", "virt:cd-r"], &cdrdao, &["scanbus"]);
    out.expect_code(0);
    let text = report(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("/dev/sr9"))
        .unwrap_or_else(|| panic!("no /dev/sr9 in scanbus:\n{text}"));
    let fields: Vec<&str> = line.split([':', ',']).map(str::trim).collect();
    assert_eq!(fields, ["/dev/sr9", VENDOR, PRODUCT, "0.1"], "{line}");
}

/// disk-info on a blank CD-R, then a disc-at-once write of one MODE1 track from a .toc file:
/// disk-info and read-toc see the written disc, and its sectors read back as written.
#[test]
fn cdrdao_writes_a_mode1_track_that_reads_back() {
    let Some(cdrdao) = tool("cdrdao", "cdrdao") else {
        return;
    };
    let mut b = Bench::new(cdrdao);
    let blank = b.cdrdao(&["disk-info", "--device", "/dev/sr9"]);
    blank.expect_code(0);
    let text = report(&blank);
    assert_eq!(info(&text, "CD-RW"), Some("no"), "{text}");
    assert_eq!(info(&text, "CD-R empty"), Some("yes"), "{text}");

    const SECTORS: usize = 600;
    let data: Vec<u8> = (0..SECTORS * 2048)
        .map(|i| (i / 2048 * 7 + i % 251) as u8)
        .collect();
    std::fs::write(b.path("data.bin"), &data).unwrap();
    std::fs::write(
        b.path("data.toc"),
        "CD_ROM\nTRACK MODE1\nDATAFILE \"data.bin\"\n",
    )
    .unwrap();
    let toc = b.path("data.toc");
    // -n: no 10-second pause before writing.
    let write = b.cdrdao(&["write", "--device", "/dev/sr9", "-n", toc.to_str().unwrap()]);
    write.expect_code(0);
    assert!(
        report(&write).contains(&format!("Wrote {SECTORS} blocks")),
        "{}",
        report(&write)
    );

    let written = b.cdrdao(&["disk-info", "--device", "/dev/sr9"]);
    written.expect_code(0);
    let text = report(&written);
    assert_eq!(info(&text, "CD-R empty"), Some("no"), "{text}");
    assert_eq!(info(&text, "Sessions"), Some("1"), "{text}");
    assert_eq!(info(&text, "Last Track"), Some("1"), "{text}");
    // Disc-at-once closes the disc.
    assert_eq!(info(&text, "Appendable"), Some("no"), "{text}");

    let back = b.path("back.toc");
    b.cdrdao(&["read-toc", "--device", "/dev/sr9", back.to_str().unwrap()])
        .expect_code(0);
    let toc = std::fs::read_to_string(&back).unwrap();
    assert!(toc.contains("TRACK MODE1"), "{toc}");
    // 600 sectors are 8 seconds at 75 sectors a second: length 00:08:00.
    assert!(toc.contains("00:08:00"), "{toc}");

    b.keep("cdrdao_mode1_track");
    let read = read_disc(b.dir.path(), &b.drive, SECTORS as u64, 0);
    assert!(read == data, "the track reads back as written");
}
