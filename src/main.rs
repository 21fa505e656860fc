//! The `discwriter` command: see `discwriter --help` and DESIGN.md's command-line contract.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("discwriter: {e}");
            ExitCode::FAILURE
        }
    }
}
