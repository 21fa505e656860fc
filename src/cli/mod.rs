//! Command-line parsing and dispatch. Each subcommand lives in its own module.

mod decode;
mod disc_ops;
mod drive_spec;
mod info;
mod read;
mod write;

use clap::{Parser, Subcommand};

/// Write data to optical discs, and decode what drives say.
#[derive(Debug, Parser)]
#[command(name = "discwriter", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode sense data (fixed or descriptor format), like sg_decode_sense.
    Sense {
        /// The sense bytes as hex words: `70 00 02 ...`, `0x70,0x00`, or `700002...`.
        #[arg(required = true, num_args = 1.., allow_hyphen_values = false)]
        hex: Vec<String>,
        /// The opcode of the command that received the sense (hex), for the conditions that
        /// depend on it; without it the sense is classified as for any other command.
        #[arg(long, value_parser = parse_opcode)]
        opcode: Option<u8>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write an image (a multiple of 2048 bytes) to the disc: a new session on write-once
    /// media, from sector 0 on rewritable media.
    Write {
        /// The image file.
        image: std::path::PathBuf,
        /// A device path, or a virtual drive virt:MEDIA[@FILE]. Default: the embedded
        /// virtual BD-RE.
        #[arg(long)]
        drive: Option<String>,
        /// Close the disc: no further session can be added.
        #[arg(long)]
        close: bool,
        /// Write speed as a multiple of the medium's 1x (4x, 2.4x) or max.
        #[arg(long, value_parser = write::parse_speed)]
        speed: Option<Option<f64>>,
        /// Read back and compare: none, quick or full.
        #[arg(long, default_value = "quick", value_parser = write::parse_verify)]
        verify: discwriter::VerificationLevel,
        /// Apply a virtdrive fault plan (JSON) to the virtual drive.
        #[arg(long)]
        fault_plan: Option<std::path::PathBuf>,
        /// Write over a rewritable disc that already holds data (IMAPI's ForceOverwrite).
        #[arg(long)]
        overwrite: bool,
        /// Print progress events and the result as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Read the data back: the whole disc, or one session.
    Read {
        /// Where to write the data.
        out: std::path::PathBuf,
        #[arg(long)]
        drive: Option<String>,
        /// The session to read (1 is the first).
        #[arg(long)]
        session: Option<u16>,
    },
    /// Format a DVD+RW or BD-RE.
    Format {
        #[arg(long)]
        drive: Option<String>,
        /// Quick format: stop a DVD+RW background format at once; BD-RE quick reformat.
        #[arg(long)]
        quick: bool,
    },
    /// Open the drive's tray.
    Eject {
        #[arg(long)]
        drive: Option<String>,
    },
    /// List the drives: virtual ones, and real ones with the sgio feature.
    Drives {
        #[arg(long)]
        json: bool,
    },
    /// Show the drive, its current profile and the disc's status, sessions and space.
    Info {
        /// A device path, or a virtual drive virt:MEDIA[@FILE] (MEDIA: cd-r, cd-r74, dvd+r,
        /// dvd+rw, bd-r, bd-re, dvd-rom, unknown). Default: the embedded virtual BD-RE in the user's data
        /// directory.
        #[arg(long)]
        drive: Option<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode a command descriptor block (CDB).
    Cdb {
        /// The CDB bytes as hex words.
        #[arg(required = true, num_args = 1..)]
        hex: Vec<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// A failure to report in one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(String),
    /// What the drive (or the engine) reported.
    #[error("{} ({}, 0x{:08X})", .0, .0.imapi_name(), .0.hresult())]
    Drive(discwriter::Error),
}

pub fn run(args: Args) -> Result<(), CliError> {
    match args.command {
        Command::Sense { hex, opcode, json } => decode::sense(&hex, opcode, json),
        Command::Cdb { hex, json } => decode::cdb(&hex, json),
        Command::Info { drive, json } => info::run(drive.as_deref(), json),
        Command::Format { drive, quick } => disc_ops::format(drive.as_deref(), quick),
        Command::Eject { drive } => disc_ops::eject(drive.as_deref()),
        Command::Drives { json } => disc_ops::drives(json),
        Command::Write {
            image,
            drive,
            close,
            speed,
            verify,
            fault_plan,
            overwrite,
            json,
        } => write::run(write::WriteArgs {
            image,
            drive,
            close,
            speed: speed.flatten(),
            verify,
            fault_plan,
            overwrite,
            json,
        }),
        Command::Read {
            out,
            drive,
            session,
        } => read::run(&out, drive.as_deref(), session),
    }
}

fn parse_opcode(s: &str) -> Result<u8, String> {
    let t = s.trim_start_matches("0x").trim_start_matches("0X");
    u8::from_str_radix(t, 16).map_err(|_| format!("{s:?} is not a one-byte hex opcode"))
}
