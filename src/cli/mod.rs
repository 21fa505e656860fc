//! The `discwriter` command: parsing, dispatch, errors and exit status. Each subcommand
//! lives in its own module; the command line itself is declared in `args`.
//!
//! Exit status: 0 on success (the S_IMAPI_* success codes included), 1 when the drive, the
//! disc or the input failed, 2 for a command line that does not parse, and 128 + N when
//! signal N cancelled a write (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).

/// `println!` that never panics (see `out`).
macro_rules! outln {
    ($($t:tt)*) => {{
        $crate::cli::out::line(format_args!($($t)*));
    }};
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($t:tt)*) => { $crate::cli::out::err_line(format_args!($($t)*)) };
}

/// `eprint!` that never panics.
macro_rules! errtext {
    ($($t:tt)*) => { $crate::cli::out::err_text(format_args!($($t)*)) };
}

pub mod args;
mod check;
mod decode;
mod disc_ops;
mod docs;
mod drive_spec;
mod erase;
mod info;
mod logging;
mod out;
mod progress;
mod publish;
mod read;
mod report;
mod signals;
mod source;
mod write;

use std::process::ExitCode;

use clap::FromArgMatches;

pub use args::{command, Args, Command};

/// A failure to report in one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The user's input (a file, an option) is not usable.
    #[error("{0}")]
    Input(String),
    /// Options that do not go together, found once they were parsed (exit status 2, as a
    /// command line that does not parse).
    #[error("{0} (see discwriter --help)")]
    Usage(String),
    /// What the drive (or the engine) reported; `cause` names what lies under a virtual
    /// drive when it failed (its disc file's file system).
    #[error("{}{} ({}, 0x{:08X})", .cause.as_deref().map(|c| format!("{c}; the virtual drive reported it as: ")).unwrap_or_default(), .error, .error.imapi_name(), .error.hresult())]
    Drive {
        error: discwriter::Error,
        cause: Option<String>,
    },
    /// A signal cancelled the write (the disc was closed as after any cancel).
    #[error("{} ({}, 0x{:08X})", .error, .error.imapi_name(), .error.hresult())]
    Cancelled {
        error: discwriter::Error,
        signal: i32,
    },
    /// A signal stopped a command other than a write.
    #[error("{message}")]
    Interrupted { message: String, signal: i32 },
}

impl From<discwriter::Error> for CliError {
    fn from(error: discwriter::Error) -> Self {
        CliError::Drive { error, cause: None }
    }
}

impl CliError {
    fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Cancelled { signal, .. } | CliError::Interrupted { signal, .. } => {
                ExitCode::from(u8::try_from(128 + signal).unwrap_or(1))
            }
            CliError::Usage(_) => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}

/// The command's entry point.
pub fn main() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(e),
    };
    let args = match Args::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => return usage_error(e),
    };
    logging::init(args.verbose);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("discwriter: {e}");
            e.exit_code()
        }
    }
}

/// --help and --version print and succeed; anything else is one line and exit status 2.
fn usage_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let text = e.to_string();
    let message = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    errln!("discwriter: {message} (see discwriter --help)");
    ExitCode::from(2)
}

fn run(args: Args) -> Result<(), CliError> {
    let verbose = args.verbose > 0;
    match args.command {
        Command::Sense { hex, opcode, json } => decode::sense(&hex, opcode, json),
        Command::Cdb { hex, json } => decode::cdb(&hex, json),
        Command::Info { drive, json } => info::run(drive.drive.as_deref(), json),
        Command::Format {
            drive,
            quick,
            spares,
        } => disc_ops::format(drive.drive.as_deref(), quick, spares, verbose),
        Command::Erase { drive, full, json } => {
            erase::run(drive.drive.as_deref(), full, json, verbose)
        }
        Command::Eject { drive } => disc_ops::eject(drive.drive.as_deref()),
        Command::Drives { json } => disc_ops::drives(json),
        Command::Write(w) => write::run(&w, verbose),
        Command::Read(r) => read::run(&r, verbose),
        Command::Check(c) => check::run(&c),
        Command::Man { out_dir } => docs::man(out_dir.as_deref()),
        Command::Completions { shell } => docs::completions(shell),
    }
}
