//! The `discwriter` command: see `discwriter --help`, `discwriter man` and the README.

use std::process::ExitCode;

fn main() -> ExitCode {
    discwriter_cli::cli::main()
}
