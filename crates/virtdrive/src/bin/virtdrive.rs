//! The `virtdrive` command: `serve` a virtual drive on a Unix socket, or `run` a program
//! against one at `/dev/sr9` and `/dev/sg9` through the preload shim.
//!
//! Exit status: `run` returns the program's (128 + N when signal N killed it); 125 when
//! virtdrive itself fails (bad input, a disc that cannot be opened or saved), 127 when the
//! program does not exist, as `env` and shells do.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    unix::main()
}

#[cfg(not(unix))]
fn main() -> std::process::ExitCode {
    eprintln!("virtdrive: serve and run need a Unix system");
    std::process::ExitCode::from(125)
}

#[cfg(unix)]
mod unix {
    use std::ffi::OsString;
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};

    /// An emulated MMC optical-disc writer for unmodified burning programs.
    #[derive(Debug, Parser)]
    #[command(name = "virtdrive", version, about, long_about = None)]
    struct Args {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Debug, clap::Args)]
    struct DriveArgs {
        /// The virtual drive: virt:MEDIA[@FILE], MEDIA one of cd-r, cd-r74, dvd+rw, bd-re,
        /// dvd-rom, unknown. FILE keeps the disc (created blank when missing); without it the
        /// disc lives in memory.
        #[arg(long, default_value = "virt:bd-re")]
        drive: String,
        /// Apply a fault plan (JSON) to the drive.
        #[arg(long)]
        fault_plan: Option<PathBuf>,
        /// Record every command as a JSON-lines transcript (mmc-core's `Tracing` format).
        #[arg(long)]
        transcript: Option<PathBuf>,
        /// Take real time as the drive's clock advances (a 1x write takes as long as on a real
        /// drive).
        #[arg(long)]
        paced: bool,
        /// Seconds of drive time that pass after each "busy, ask again" answer (the host's wait
        /// between polls, as the drive sees it).
        #[arg(long, default_value_t = 5.0)]
        poll_wait: f64,
        /// Log each client connection on stderr.
        #[arg(long)]
        verbose: bool,
    }

    #[derive(Debug, Subcommand)]
    enum Command {
        /// Serve the drive on a Unix socket until SIGINT or SIGTERM; programs reach it with the
        /// preload shim (see `virtdrive shim-path`).
        Serve {
            #[command(flatten)]
            drive: DriveArgs,
            /// The socket to listen on.
            #[arg(long)]
            socket: PathBuf,
        },
        /// Run PROGRAM with /dev/sr9 and /dev/sg9 being the virtual drive; the disc is saved when
        /// it ends, and its exit status is returned.
        Run {
            #[command(flatten)]
            drive: DriveArgs,
            /// The block device path the drive appears at.
            #[arg(long, default_value = "/dev/sr9")]
            sr: PathBuf,
            /// The SCSI generic path the drive appears at.
            #[arg(long, default_value = "/dev/sg9")]
            sg: PathBuf,
            /// PROGRAM and its arguments, after `--`.
            #[arg(last = true, value_name = "PROGRAM ARGS")]
            command: Vec<OsString>,
        },
        /// Print the path of the preload shim (for LD_PRELOAD with `virtdrive serve`).
        ShimPath,
        /// (internal) Unblock SIGINT and SIGTERM, then execute PROGRAM: how `run` starts it.
        #[command(hide = true)]
        Launch {
            #[arg(last = true, required = true)]
            command: Vec<OsString>,
        },
    }

    /// virtdrive's own failure (as `env` reports its own).
    const EXIT_VIRTDRIVE: u8 = 125;
    const EXIT_NOT_FOUND: u8 = 127;

    pub fn main() -> ExitCode {
        let args = Args::parse();
        match args.command {
            Command::ShimPath => match virtdrive::run::shim_path() {
                Some(p) => {
                    println!("{}", p.display());
                    ExitCode::SUCCESS
                }
                None => fail("this build has no preload shim (Linux with a C compiler only)"),
            },
            Command::Serve { drive, socket } => serve(drive, socket),
            Command::Run {
                drive,
                sr,
                sg,
                command,
            } => run(drive, sr, sg, command),
            Command::Launch { command } => signals::launch(command),
        }
    }

    fn fail(message: &str) -> ExitCode {
        eprintln!("virtdrive: {message}");
        ExitCode::from(EXIT_VIRTDRIVE)
    }

    fn drive_options(args: &DriveArgs) -> Result<virtdrive::serve::DriveOptions, String> {
        Ok(virtdrive::serve::DriveOptions {
            drive: virtdrive::serve::DriveSpec::parse(&args.drive)?,
            fault_plan: args.fault_plan.clone(),
            transcript: args.transcript.clone(),
            paced: args.paced,
            poll_wait: std::time::Duration::try_from_secs_f64(args.poll_wait).map_err(|_| {
                format!(
                    "--poll-wait {}: give a number of seconds, 0 or more",
                    args.poll_wait
                )
            })?,
        })
    }

    fn serve(args: DriveArgs, socket: PathBuf) -> ExitCode {
        let options = match drive_options(&args) {
            Ok(o) => o,
            Err(e) => return fail(&e),
        };
        let waiter = match signals::Waiter::block() {
            Ok(w) => w,
            Err(e) => return fail(&format!("cannot take SIGINT and SIGTERM: {e}")),
        };
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
        eprintln!(
            "virtdrive: serving {} on {} (SIGINT or SIGTERM stops and saves)",
            options.drive,
            socket.display()
        );
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
        let drive = match drive_options(&args) {
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
                eprintln!("virtdrive: {e}");
                return ExitCode::from(EXIT_NOT_FOUND);
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
                    eprintln!("virtdrive: cannot wait for signals: {e}");
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
                eprintln!("virtdrive: {name}: command not found");
                std::process::ExitCode::from(super::EXIT_NOT_FOUND)
            } else {
                eprintln!("virtdrive: {name}: {e}");
                std::process::ExitCode::from(126)
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
