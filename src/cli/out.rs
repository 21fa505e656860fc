//! Output that never panics. `println!` panics when standard output is closed (`discwriter
//! write --json | head -1` once head has exited: Rust ignores SIGPIPE, so the write fails
//! with EPIPE), which would kill a burn mid-track. Here a stream that fails once is left
//! alone from then on, and the command goes on: the disc matters more than its report.

use std::fmt::Arguments;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use indicatif::MultiProgress;

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

/// The progress bars being drawn, if any: lines are printed above them.
static BARS: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// Prints every line above `bars` from now on (none: as they come).
pub fn print_above(bars: Option<MultiProgress>) {
    if let Ok(mut b) = BARS.lock() {
        *b = bars;
    }
}

/// Whether lines are being printed above bars.
#[cfg(test)]
pub fn printing_above() -> bool {
    BARS.lock().map(|b| b.is_some()).unwrap_or(false)
}

fn emit(gone: &AtomicBool, write: impl FnOnce() -> std::io::Result<()>) {
    if gone.load(Ordering::Relaxed) {
        return;
    }
    let bars = BARS.lock().ok().and_then(|b| b.clone());
    let failed = match bars {
        // The bars are cleared, the line printed, the bars drawn again below it.
        Some(bars) => bars.suspend(write).is_err(),
        None => write().is_err(),
    };
    if failed {
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
