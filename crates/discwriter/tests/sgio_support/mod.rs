//! Running code against the emulator through the real SG_IO path: `virtdrive run` and its
//! preload shim make `/dev/sr9` (block 11:9) and `/dev/sg9` (char 21:9, the same SCSI address)
//! a virtual BD-RE drive for the program it starts.
//!
//! - [`run_in_shim`] starts this very test binary again under `virtdrive run`, running only
//!   the named test, with [`CHILD_VAR`] set: that test then takes its child branch
//!   ([`is_child`]) and talks to `/dev/sr9` with [`discwriter::sgio::SgDevice`]; the parent
//!   branch checks the child's exit status (a failed assertion in the child fails it).
//! - [`holder`] builds `holder.c`, a second program that opens and locks drive nodes.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

use virtdrive::medium::MediumKind;
use virtdrive::run::{Devices, RunOptions};
use virtdrive::serve::{DriveOptions, VirtSpec, DEFAULT_POLL_WAIT};

/// Set (to the test's name) in the copy of the test binary that runs under the shim.
pub const CHILD_VAR: &str = "DISCWRITER_SGIO_SHIM_CHILD";

/// True in the copy of this test binary that [`run_in_shim`] started for `test`.
pub fn is_child(test: &str) -> bool {
    std::env::var(CHILD_VAR).as_deref() == Ok(test)
}

/// What [`run_in_shim`] sets up besides the test to run.
#[derive(Debug, Default)]
pub struct Shim<'a> {
    /// Environment of the child (`VIRTDRIVE_SHIM_MAX_TRANSFER`, `VIRTDRIVE_SHIM_FAIL`...).
    pub env: Vec<(&'a str, String)>,
    /// Where the drive records every command it got.
    pub transcript: Option<PathBuf>,
    /// Other places for the two nodes (`/dev/sr9` and `/dev/sg9` by default).
    pub devices: Option<Devices>,
}

/// Runs `test` of this test binary under `virtdrive run` against an in-memory BD-RE drive;
/// returns the child's exit code.
pub fn run_in_shim(test: &str, shim: Shim<'_>) -> i32 {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut args: Vec<OsString> = shim
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}").into())
        .collect();
    args.push(format!("{CHILD_VAR}={test}").into());
    args.push(exe.into());
    for a in [test, "--exact", "--nocapture", "--test-threads=1"] {
        args.push(a.into());
    }
    let options = RunOptions {
        drive: DriveOptions {
            drive: VirtSpec {
                kind: MediumKind::BdRe,
                file: None,
                media_id: None,
                hash_only: false,
            },
            fault_plan: None,
            transcript: shim.transcript,
            paced: false,
            poll_wait: DEFAULT_POLL_WAIT,
            media_identity: None,
            changer: 1,
        },
        devices: shim.devices.unwrap_or_default(),
        program: "env".into(),
        args,
        verbose: false,
        launcher: None,
    };
    let status = virtdrive::run::run(&options).expect("virtdrive run starts and ends");
    virtdrive::run::exit_code(status)
}

/// The contending program, built once per test process with the system's C compiler (the
/// one that built the preload shim).
pub fn holder() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a folder for the holder").keep();
        let source = dir.join("holder.c");
        std::fs::write(&source, include_str!("holder.c")).expect("holder.c written");
        let out = dir.join("holder");
        let status = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()))
            .arg("-o")
            .arg(&out)
            .arg(&source)
            .status()
            .expect("a C compiler (cc) to build the holder");
        assert!(status.success(), "cc {} failed", source.display());
        out
    })
}

/// `holder try NODE...`: its exit code and what it printed.
pub fn holder_try(nodes: &[&str]) -> (i32, String) {
    let out = Command::new(holder())
        .arg("try")
        .args(nodes)
        .output()
        .expect("the holder runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A running `holder hold NODE...`: it keeps what it took until dropped.
#[derive(Debug)]
pub struct Held {
    child: Child,
    stdin: Option<ChildStdin>,
    /// What it printed, up to and including "held" or "failed".
    pub report: String,
}

/// Starts `holder hold NODE...` and waits until it has taken the nodes (or failed to).
pub fn holder_hold(nodes: &[&str]) -> Held {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(holder())
        .arg("hold")
        .args(nodes)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the holder starts");
    let stdin = child.stdin.take();
    let stdout: ChildStdout = child.stdout.take().expect("the holder's stdout");
    let mut report = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("the holder's report");
        report.push_str(&line);
        report.push('\n');
        if line == "held" || line == "failed" {
            break;
        }
    }
    Held {
        child,
        stdin,
        report,
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // End of file on its stdin: it lets go and exits.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
