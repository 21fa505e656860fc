//! Command-line parsing and dispatch. Each subcommand lives in its own module.

mod decode;

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
}

pub fn run(args: Args) -> Result<(), CliError> {
    match args.command {
        Command::Sense { hex, json } => decode::sense(&hex, json),
        Command::Cdb { hex, json } => decode::cdb(&hex, json),
    }
}
