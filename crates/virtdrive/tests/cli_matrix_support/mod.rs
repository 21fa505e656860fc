//! The machinery of `cli_matrix.rs`: a case (arguments, environment, the exit status and words
//! expected, files that must or must not exist afterwards), a row of cases per subcommand or
//! option, the temporary files the cases use, the run of one case (a server started, waited
//! for and stopped with SIGTERM; any run killed after a minute) and the keys of the clap
//! definition.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use virtdrive::medium::MediumKind;

/// How long one run may take before it counts as hung.
pub const LIMIT: Duration = Duration::from_secs(60);

/// One run of the binary and what it must do.
#[derive(Debug, Clone)]
pub struct Case {
    pub args: Vec<String>,
    pub env: Vec<(&'static str, String)>,
    pub code: i32,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    /// Files that must exist after the run.
    pub present: Vec<PathBuf>,
    /// Paths that must not exist after the run (no folder made for a bad path).
    pub absent: Vec<PathBuf>,
    /// `virtdrive serve`: the socket to wait for before sending SIGTERM.
    pub serving: Option<PathBuf>,
}

/// A run that must succeed.
pub fn ok(args: &[&str]) -> Case {
    exits(0, args)
}

/// A run that must fail with virtdrive's own status (125) and say `why` on stderr.
pub fn fails(args: &[&str], why: &str) -> Case {
    exits(125, args).stderr(why)
}

pub fn exits(code: i32, args: &[&str]) -> Case {
    Case {
        args: args.iter().map(|a| a.to_string()).collect(),
        env: Vec::new(),
        code,
        stdout: Vec::new(),
        stderr: Vec::new(),
        present: Vec::new(),
        absent: Vec::new(),
        serving: None,
    }
}

impl Case {
    pub fn stdout(mut self, needle: &str) -> Self {
        self.stdout.push(needle.into());
        self
    }
    pub fn stderr(mut self, needle: &str) -> Self {
        self.stderr.push(needle.into());
        self
    }
    pub fn present(mut self, path: &Path) -> Self {
        self.present.push(path.into());
        self
    }
    pub fn absent(mut self, path: &Path) -> Self {
        self.absent.push(path.into());
        self
    }
    pub fn env(mut self, name: &'static str, value: &str) -> Self {
        self.env.push((name, value.into()));
        self
    }
    pub fn serving(mut self, socket: &Path) -> Self {
        self.serving = Some(socket.into());
        self
    }
}

/// The cases of one subcommand, option or argument.
pub struct Row {
    pub key: String,
    pub valid: Vec<Case>,
    pub invalid: Vec<Case>,
}

pub fn row(key: &str, valid: Vec<Case>, invalid: Vec<Case>) -> Row {
    Row {
        key: key.into(),
        valid,
        invalid,
    }
}

/// The files the cases use, in one temporary folder.
pub struct Ctx {
    pub dir: tempfile::TempDir,
    pub sockets: std::cell::Cell<u32>,
}

impl Ctx {
    pub fn new() -> Self {
        let ctx = Ctx {
            dir: tempfile::tempdir().unwrap(),
            sockets: std::cell::Cell::new(0),
        };
        for folder in ["home", "runtime", "tmp", "man"] {
            std::fs::create_dir(ctx.path(folder)).unwrap();
        }
        std::fs::write(ctx.path("a-file"), b"not a folder, socket or disc").unwrap();
        std::fs::write(ctx.path("garbage.disc"), b"not a disc").unwrap();
        std::fs::write(
            ctx.path("bad-rule.json"),
            r#"{ "rules": [ { "action": { "sense": { "key": "no_such_key", "asc": 0, "ascq": 0 } } } ] }"#,
        )
        .unwrap();
        std::fs::write(ctx.path("not-json.json"), "rules: none\n").unwrap();
        std::fs::write(ctx.path("not-executable"), "#!/bin/sh\n").unwrap();
        // A CD-R disc file, to be opened as another medium.
        drop(
            virtdrive::DiscFileDrive::open(
                MediumKind::CdR80,
                &ctx.path("cd.disc"),
                virtdrive::DriveConfig::default(),
            )
            .unwrap(),
        );
        ctx
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// A socket path no other case uses.
    pub fn socket(&self) -> PathBuf {
        let n = self.sockets.get() + 1;
        self.sockets.set(n);
        self.path(&format!("s{n}.sock"))
    }

    /// The write-protect plan of the workspace's fixtures.
    pub fn good_plan(&self) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/fault-plans/write-protect-on-write.json")
            .display()
            .to_string()
    }
}

/// Every subcommand ("virtdrive run"), option ("virtdrive run --drive") and positional
/// argument ("virtdrive run <command>") of the definition, with clap's own --help/--version
/// and help subcommand.
pub fn definition_keys() -> BTreeSet<String> {
    pub fn walk(command: &clap::Command, path: &str, keys: &mut BTreeSet<String>) {
        keys.insert(path.to_string());
        for arg in command.get_arguments() {
            let name = match (arg.get_long(), arg.get_short()) {
                (Some(long), _) => format!("--{long}"),
                (None, Some(short)) => format!("-{short}"),
                (None, None) => format!("<{}>", arg.get_id()),
            };
            keys.insert(format!("{path} {name}"));
        }
        for sub in command.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), keys);
        }
    }
    let mut command = virtdrive::cli::Args::command();
    command.build();
    let mut keys = BTreeSet::new();
    walk(&command, "virtdrive", &mut keys);
    keys
}

/// The binary, with a home of the test's own and no `VIRTDRIVE_SHIM` unless the case sets it.
pub fn command(ctx: &Ctx, case: &Case) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_virtdrive"));
    c.args(&case.args)
        .current_dir(ctx.dir.path())
        .env_remove("VIRTDRIVE_SHIM")
        .env("HOME", ctx.path("home"))
        .env("XDG_RUNTIME_DIR", ctx.path("runtime"))
        .env("TMPDIR", ctx.path("tmp"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in &case.env {
        c.env(name, value);
    }
    c
}

/// Runs one case; the error says what went wrong, with the outputs.
pub fn check(ctx: &Ctx, case: &Case) -> Result<(), String> {
    let mut child = command(ctx, case).spawn().map_err(|e| e.to_string())?;
    if let Some(socket) = &case.serving {
        let started = Instant::now();
        while !socket.exists() {
            if child.try_wait().map_err(|e| e.to_string())?.is_some() {
                let (code, out, err) = finish(child)?;
                return Err(format!(
                    "the server ended before binding {} (status {code:?})\n{}",
                    socket.display(),
                    outputs(&out, &err)
                ));
            }
            if started.elapsed() > LIMIT {
                let _ = child.kill();
                let (_, out, err) = finish(child)?;
                return Err(format!(
                    "no socket after {LIMIT:?}\n{}",
                    outputs(&out, &err)
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM)
            .map_err(|e| e.to_string())?;
    }
    let (code, out, err) = finish(child)?;
    let both = outputs(&out, &err);
    if code == Some(101) || both.contains("panicked") {
        return Err(format!("panicked\n{both}"));
    }
    if code != Some(case.code) {
        return Err(format!(
            "exit status {code:?}, expected {}\n{both}",
            case.code
        ));
    }
    if matches!(case.code, 125..=127) && err.trim().is_empty() {
        return Err("failed without a word on stderr".into());
    }
    for needle in &case.stdout {
        if !out.contains(needle.as_str()) {
            return Err(format!("stdout lacks {needle:?}\n{both}"));
        }
    }
    for needle in &case.stderr {
        if !err.contains(needle.as_str()) {
            return Err(format!("stderr lacks {needle:?}\n{both}"));
        }
    }
    for path in &case.present {
        if !path.exists() {
            return Err(format!("{} was not created\n{both}", path.display()));
        }
    }
    for path in &case.absent {
        if path.exists() {
            return Err(format!("{} was created\n{both}", path.display()));
        }
    }
    Ok(())
}

/// Waits for the child (killing it after [`LIMIT`]); its status and outputs.
pub fn finish(mut child: Child) -> Result<(Option<i32>, String, String), String> {
    use std::io::Read;
    // Read the pipes on threads, so a talkative child never blocks on a full pipe.
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = out.join().map_err(|_| "stdout reader")?;
    let err = err.join().map_err(|_| "stderr reader")?;
    match status {
        Some(s) => Ok((s.code(), out, err)),
        None => Err(format!(
            "still running after {LIMIT:?}, killed\n{}",
            outputs(&out, &err)
        )),
    }
}

pub fn outputs(out: &str, err: &str) -> String {
    format!("--- stdout\n{out}\n--- stderr\n{err}")
}
