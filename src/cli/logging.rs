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
        .with_writer(|| Record(Vec::new()))
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

/// One log record, printed on standard error as a whole when the subscriber is done with it:
/// through `out`, so it never panics and appears above progress bars, not through them.
struct Record(Vec<u8>);

impl std::io::Write for Record {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            errtext!("{}", String::from_utf8_lossy(&self.0));
        }
    }
}
