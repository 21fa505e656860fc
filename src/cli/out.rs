//! Output that never panics. `println!` panics when standard output is closed (`discwriter
//! write --json | head -1` once head has exited: Rust ignores SIGPIPE, so the write fails
//! with EPIPE), which would kill a burn mid-track. Here a stream that fails once is left
//! alone from then on, and the command goes on: the disc matters more than its report.

use std::fmt::Arguments;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

fn emit(gone: &AtomicBool, write: impl FnOnce() -> std::io::Result<()>) {
    if !gone.load(Ordering::Relaxed) && write().is_err() {
        gone.store(true, Ordering::Relaxed);
    }
}

/// A line on standard output (nothing once the stream failed).
pub fn line(args: Arguments<'_>) {
    emit(&STDOUT_GONE, || {
        let mut out = std::io::stdout().lock();
        out.write_fmt(args)?;
        out.write_all(b"\n")?;
        out.flush()
    });
}

/// A line on standard error.
pub fn err_line(args: Arguments<'_>) {
    emit(&STDERR_GONE, || {
        let mut err = std::io::stderr().lock();
        err.write_fmt(args)?;
        err.write_all(b"\n")
    });
}

/// Text on standard error without a newline (a progress line rewritten in place).
pub fn err_text(args: Arguments<'_>) {
    emit(&STDERR_GONE, || {
        let mut err = std::io::stderr().lock();
        err.write_fmt(args)?;
        err.flush()
    });
}
