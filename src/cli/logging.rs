//! Diagnostics through `tracing`: nothing beyond warnings by default, the phases of a write
//! with `-v`, every command sent to the drive with `-vv` (the engine logs them at debug
//! level), everything with `-vvv`; RUST_LOG, in tracing-subscriber's filter syntax, overrides
//! (`RUST_LOG=discwriter::drive=debug`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => {
            EnvFilter::try_new(spec.trim()).unwrap_or_else(|e| {
                errln!("discwriter: RUST_LOG is not a valid filter ({e}); using the default");
                EnvFilter::new(default_filter(verbose))
            })
        }
        _ => EnvFilter::new(default_filter(verbose)),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true)
        .without_time()
        .try_init();
}

fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn",
        1 => "warn,discwriter=info,discwriter_cli=info",
        2 => "warn,discwriter=debug,discwriter_cli=debug",
        _ => "trace",
    }
}
