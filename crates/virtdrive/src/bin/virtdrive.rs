//! The `virtdrive` command: `serve` a virtual drive on a Unix socket, or `run` a program
//! against one at `/dev/sr9` and `/dev/sg9` through the preload shim.
//!
//! Exit status: `run` returns the program's (128 + N when signal N killed it); 125 when
//! virtdrive itself fails (a bad command line, a disc that cannot be opened or saved), 126
//! when the program cannot be executed and 127 when it does not exist, as `env` and shells do.
//! `fsck` returns 0 for an intact disc file, 1 for a damaged one, 2 when `--repair` rolled it
//! back, 125 when it cannot be checked.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "virtdrive: serve and run need a Unix system"
    );
    std::process::ExitCode::from(125)
}

#[cfg(unix)]
mod unix {
    use std::ffi::OsString;
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::Parser;
    use virtdrive::cli::{Args, Command, DriveArgs};

    /// virtdrive's own failure (as `env` reports its own).
    const EXIT_VIRTDRIVE: u8 = 125;
    /// PROGRAM is there but cannot be executed (as shells and `env` report it).
    const EXIT_CANNOT_EXECUTE: u8 = 126;
    const EXIT_NOT_FOUND: u8 = 127;

    pub fn main() -> ExitCode {
        let args = match Args::try_parse() {
            Ok(args) => args,
            // --help and --version are not errors; a bad command line is virtdrive's own
            // failure, as for `env`, so it never looks like PROGRAM's exit status 2.
            Err(e) => {
                let _ = e.print();
                return if e.exit_code() == 0 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(EXIT_VIRTDRIVE)
                };
            }
        };
        match args.command {
            Command::ShimPath => match virtdrive::run::shim_path() {
                Ok(p) => print(format!("{}\n", p.display()).as_bytes()),
                Err(e) => fail(&e.to_string()),
            },
            Command::Man { out_dir: None } => {
                let mut page = Vec::new();
                match virtdrive::cli::write_man_page(&mut page) {
                    Ok(()) => print(&page),
                    Err(e) => fail(&format!("writing the manual page: {e}")),
                }
            }
            Command::Man { out_dir: Some(dir) } => match virtdrive::cli::write_man_pages(&dir) {
                Ok(files) => {
                    let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
                    print(list.as_bytes())
                }
                Err(e) => fail(&format!("--out-dir {e}")),
            },
            Command::Completions { shell } => {
                let mut script = Vec::new();
                virtdrive::cli::write_completions(shell, &mut script);
                print(&script)
            }
            Command::Serve { drive, socket } => serve(drive, socket),
            Command::Run {
                drive,
                sr,
                sg,
                command,
            } => run(drive, sr, sg, command),
            Command::Launch { command } => signals::launch(command),
            Command::Fsck { file, repair } => fsck(&file, repair),
        }
    }

    /// A damaged disc file, for `fsck`.
    const EXIT_DAMAGED: u8 = 1;
    /// A disc file `fsck --repair` rolled back.
    const EXIT_REPAIRED: u8 = 2;

    /// `virtdrive fsck FILE [--repair]`: what was checked on stdout, then the verdict.
    fn fsck(file: &std::path::Path, repair: bool) -> ExitCode {
        use virtdrive::persist::{self, PersistError, Repair};
        let name = file.display();
        let result = if repair {
            persist::repair(file)
        } else {
            persist::check(file).map(Repair::Intact)
        };
        match result {
            Ok(Repair::Intact(report)) => {
                let mut out: String = report.findings.iter().map(|f| format!("{f}\n")).collect();
                out.push_str(&format!(
                    "{name}: intact, generation {}{}\n",
                    report.generation,
                    if repair { "; nothing to repair" } else { "" }
                ));
                print(out.as_bytes())
            }
            Ok(Repair::RolledBack {
                lost,
                now,
                what_is_lost,
            }) => {
                let out = format!(
                    "{name}: repaired: generation {lost} was damaged and is dropped; the disc \
                     is at generation {now}. Lost: {what_is_lost}\n"
                );
                match print(out.as_bytes()) {
                    code if code == ExitCode::SUCCESS => ExitCode::from(EXIT_REPAIRED),
                    code => code,
                }
            }
            Err(
                e @ (PersistError::Damaged { .. }
                | PersistError::CorruptState { .. }
                | PersistError::CorruptJournal { .. }
                | PersistError::DataTruncated { .. }),
            ) => match print(format!("{name}: damaged: {e}\n").as_bytes()) {
                code if code == ExitCode::SUCCESS => ExitCode::from(EXIT_DAMAGED),
                code => code,
            },
            Err(e) => fail(&e.to_string()),
        }
    }

    /// Writes `bytes` on stdout; a stdout that cannot take them (closed, a full disk) is a
    /// failure, not a panic.
    fn print(bytes: &[u8]) -> ExitCode {
        let mut out = std::io::stdout().lock();
        match out.write_all(bytes).and_then(|()| out.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&format!("writing to stdout: {e}")),
        }
    }

    /// One line on stderr, lost if stderr cannot be written.
    fn say(message: &str) {
        let _ = writeln!(std::io::stderr(), "virtdrive: {message}");
    }

    fn fail(message: &str) -> ExitCode {
        say(message);
        ExitCode::from(EXIT_VIRTDRIVE)
    }

    fn serve(args: DriveArgs, socket: PathBuf) -> ExitCode {
        let options = match args.options() {
            Ok(o) => o,
            Err(e) => return fail(&e),
        };
        let waiter = match signals::Waiter::block() {
            Ok(w) => w,
            Err(e) => return fail(&format!("cannot take SIGINT and SIGTERM: {e}")),
        };
        // Checked before the disc file is created: the socket's folder is never made either.
        let folder = match socket.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        if !folder.is_dir() {
            return fail(&format!(
                "--socket {}: the folder {} does not exist (virtdrive creates files, not folders)",
                socket.display(),
                folder.display()
            ));
        }
        let drive = match virtdrive::serve::open_drive(&options) {
            Ok(d) => d,
            Err(e) => return fail(&e),
        };
        let server = match virtdrive::serve::Server::bind(&socket, drive) {
            Ok(s) => s.verbose(args.verbose),
            Err(e) => return fail(&e.to_string()),
        };
        let stop = server.stop_handle();
        waiter.on_signal(move |_| stop.stop());
        say(&format!(
            "serving {} on {} (SIGINT or SIGTERM stops and saves)",
            options.drive,
            socket.display()
        ));
        match server.serve() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e.to_string()),
        }
    }

    fn run(args: DriveArgs, sr: PathBuf, sg: PathBuf, command: Vec<OsString>) -> ExitCode {
        let mut command = command.into_iter();
        let Some(program) = command.next() else {
            return fail(
                "no program given: virtdrive run [--drive virt:MEDIA@FILE] -- PROGRAM ARGS...",
            );
        };
        if sr == sg {
            return fail(&format!(
                "--sr and --sg both name {}: the two nodes need two paths",
                sr.display()
            ));
        }
        let drive = match args.options() {
            Ok(o) => o,
            Err(e) => return fail(&e),
        };
        let waiter = match signals::Waiter::block() {
            Ok(w) => w,
            Err(e) => return fail(&format!("cannot take SIGINT and SIGTERM: {e}")),
        };
        let options = virtdrive::run::RunOptions {
            drive,
            devices: virtdrive::run::Devices {
                sr,
                sg,
                ..virtdrive::run::Devices::default()
            },
            program,
            args: command.collect(),
            verbose: args.verbose,
            launcher: std::env::current_exe()
                .ok()
                .map(|exe| vec![exe.into_os_string(), "launch".into()]),
        };
        let running = match virtdrive::run::start(&options) {
            Ok(r) => r,
            Err(e @ virtdrive::run::RunError::ProgramNotFound { .. }) => {
                say(&e.to_string());
                return ExitCode::from(EXIT_NOT_FOUND);
            }
            Err(e @ virtdrive::run::RunError::NotExecutable { .. }) => {
                say(&e.to_string());
                return ExitCode::from(EXIT_CANNOT_EXECUTE);
            }
            Err(e) => return fail(&e.to_string()),
        };
        // The program gets the signals meant for the whole job; the disc is saved when it ends.
        let child = running.program_id();
        waiter.on_signal(move |signal| signals::forward(child, signal));
        match running.wait() {
            Ok(status) => {
                let code = virtdrive::run::exit_code(status);
                ExitCode::from(u8::try_from(code).unwrap_or(1))
            }
            Err(e) => fail(&e.to_string()),
        }
    }

    /// SIGINT and SIGTERM taken by one thread (sigwait), so the server can stop and save the
    /// disc instead of dying mid-commit.
    mod signals {
        use nix::sys::signal::{kill, SigSet, Signal};
        use nix::unistd::Pid;

        pub struct Waiter {
            set: SigSet,
        }

        impl Waiter {
            /// Blocks the two signals in this thread, and so in every thread started after it.
            pub fn block() -> nix::Result<Waiter> {
                let mut set = SigSet::empty();
                set.add(Signal::SIGINT);
                set.add(Signal::SIGTERM);
                set.thread_block()?;
                Ok(Waiter { set })
            }

            /// Calls `action` for each signal that arrives, on a thread of its own.
            pub fn on_signal(self, action: impl Fn(Signal) + Send + 'static) {
                let spawned = std::thread::Builder::new()
                    .name("virtdrive-signals".into())
                    .spawn(move || {
                        while let Ok(signal) = self.set.wait() {
                            action(signal);
                        }
                    });
                if let Err(e) = spawned {
                    super::say(&format!("cannot wait for signals: {e}"));
                }
            }
        }

        /// Gives the program the signals back (a blocked mask survives exec), then becomes it.
        pub fn launch(command: Vec<std::ffi::OsString>) -> std::process::ExitCode {
            use std::os::unix::process::CommandExt;
            let mut set = SigSet::empty();
            set.add(Signal::SIGINT);
            set.add(Signal::SIGTERM);
            let _ = set.thread_unblock();
            let mut command = command.into_iter();
            let Some(program) = command.next() else {
                return std::process::ExitCode::from(super::EXIT_VIRTDRIVE);
            };
            let e = std::process::Command::new(&program).args(command).exec();
            let name = program.to_string_lossy();
            if e.kind() == std::io::ErrorKind::NotFound {
                super::say(&format!("{name}: command not found"));
                std::process::ExitCode::from(super::EXIT_NOT_FOUND)
            } else {
                super::say(&format!("{name}: {e}"));
                std::process::ExitCode::from(super::EXIT_CANNOT_EXECUTE)
            }
        }

        /// Passes `signal` on to the program.
        pub fn forward(child: u32, signal: Signal) {
            if let Ok(pid) = i32::try_from(child) {
                let _ = kill(Pid::from_raw(pid), signal);
            }
        }
    }
}
