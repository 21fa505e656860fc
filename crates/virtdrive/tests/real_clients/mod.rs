//! What the real-client tests share: finding a Debian program (required in CI, skipped with a
//! notice elsewhere, as `mmc-core/tests/sense_oracle_sg_decode_sense.rs` does), and running it
//! through `virtdrive run` against the emulator at /dev/sr9 and /dev/sg9.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let out = Command::new(env!("CARGO_BIN_EXE_virtdrive"))
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

/// The value after `label` on the first line holding it, trimmed (`"Current profile: BD-RE"`
/// with label `"Current profile:"` gives `"BD-RE"`).
pub fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.split_once(label).map(|(_, v)| v.trim()))
}
