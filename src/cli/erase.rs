//! `discwriter erase`: the engine's Eraser (IMAPI2's IDiscFormat2Erase) with a progress bar,
//! and one result (a JSON line, or a line of text) whatever happens.
//!
//! The progress comes in three forms, as for `write`: a bar on a terminal; plain lines every
//! few seconds on anything else or with `-v`; JSON lines with `--json`.

use std::time::{Duration, Instant};

use discwriter::writer::{EraseUpdate, Eraser};
use discwriter::{Error, Recorder};
use indicatif::ProgressBar;
use mmc_core::ImapiCode;
use serde::Serialize;
use serde_json::json;

use super::drive_spec::{Access, DriveSpec};
use super::progress::{clock, Board};
use super::CliError;

/// How often a plain progress line is printed.
const LINE_INTERVAL: Duration = Duration::from_secs(5);

/// The result line of `erase --json`: the fields of `write`'s result that an erase has.
#[derive(Debug, Serialize)]
struct EraseResult {
    drive: String,
    hresult: String,
    code: &'static str,
    error: Option<&'static str>,
    message: String,
    /// The whole disc was blanked (FullErase), not only what makes it read as blank.
    full: bool,
    elapsed_seconds: f64,
    /// Seconds on the drive's own clock (an emulated drive); null on the wall clock.
    drive_seconds: Option<f64>,
}

impl EraseResult {
    /// The result of an erase that started at `start`, with no time on the drive's clock.
    fn new(spec: &DriveSpec, code: ImapiCode, message: String, full: bool, start: Instant) -> Self {
        EraseResult {
            drive: spec.describe(),
            hresult: format!("0x{:08X}", code.hresult()),
            code: code.name(),
            error: (!code.is_success()).then(|| code.name()),
            message,
            full,
            elapsed_seconds: start.elapsed().as_secs_f64(),
            drive_seconds: None,
        }
    }
}

enum Form {
    Json,
    /// The bar, and the board that prints other lines above it while it is drawn.
    Bar {
        bar: ProgressBar,
        _board: Board,
    },
    /// When the last line was printed, and the tenth of the erase it showed.
    Lines {
        last: Option<Instant>,
        tenth: Option<u32>,
    },
}

/// Shows each Update: the drive's time against the time expected.
struct Display {
    form: Form,
    start: Instant,
}

impl Display {
    fn new(json: bool, verbose: bool) -> Self {
        let form = if json {
            Form::Json
        } else if let Some((board, bar)) = Board::single(verbose, "erasing [{bar:28}] {msg}") {
            Form::Bar { bar, _board: board }
        } else {
            Form::Lines {
                last: None,
                tenth: None,
            }
        };
        Display {
            form,
            start: Instant::now(),
        }
    }

    fn update(&mut self, u: EraseUpdate) {
        let elapsed = Duration::from_secs(u.elapsed_seconds.into());
        let expected = Duration::from_secs(u.expected_seconds.into());
        let text = format!(
            "{} of about {} ({:.0}%)",
            clock(elapsed),
            clock(expected),
            fraction(u) * 100.0
        );
        match &mut self.form {
            Form::Json => outln!(
                "{}",
                json!({ "event": {
                    "action": "erasing",
                    "elapsed_seconds": u.elapsed_seconds,
                    "expected_seconds": u.expected_seconds,
                    "wall_seconds": self.start.elapsed().as_secs_f64(),
                }})
            ),
            Form::Bar { bar, .. } => {
                bar.set_length(u64::from(u.expected_seconds).max(1));
                bar.set_position(u64::from(u.elapsed_seconds));
                bar.set_message(text);
            }
            // Every few seconds, and at each further tenth done: a drive with its own clock
            // (an emulated one) blanks in less wall time than one interval.
            Form::Lines { last, tenth } => {
                let now = Instant::now();
                let this_tenth = (fraction(u) * 10.0) as u32;
                let due = last.is_none_or(|t| now.duration_since(t) >= LINE_INTERVAL)
                    || tenth.is_none_or(|t| this_tenth > t);
                if due {
                    *last = Some(now);
                    *tenth = Some(this_tenth);
                    errln!("erasing: {text}");
                }
            }
        }
    }

    fn finish(&self) {
        if let Form::Bar { bar, .. } = &self.form {
            bar.finish_and_clear();
        }
    }
}

/// Elapsed over expected, at most 1.
fn fraction(u: EraseUpdate) -> f64 {
    if u.expected_seconds == 0 {
        return 1.0;
    }
    (f64::from(u.elapsed_seconds) / f64::from(u.expected_seconds)).min(1.0)
}

pub fn run(drive: Option<&str>, full: bool, as_json: bool, verbose: bool) -> Result<(), CliError> {
    let spec = DriveSpec::parse(drive)?;
    let mut display = Display::new(as_json, verbose);
    let mut open = match spec.open(Access::Existing) {
        Ok(open) => open,
        Err(e) => {
            if as_json {
                let (code, message) = code_and_message(&e);
                let result = EraseResult::new(&spec, code, message, full, display.start);
                outln!("{}", json!({ "result": result }));
            }
            return Err(e);
        }
    };
    let mut drive_start = None;
    let mut drive_seconds = None;
    let outcome = (|| -> Result<(), Error> {
        let recorder = Recorder::open(open.transport())?;
        drive_start = recorder.device_time();
        let mut eraser = Eraser::new();
        eraser.set_recorder(recorder);
        eraser.set_client_name("discwriter")?;
        eraser.set_full_erase(full);
        let result = eraser.erase_media(&mut |u| display.update(u));
        if let (Some(t0), Some(rec)) = (drive_start, eraser.recorder()) {
            drive_seconds = rec
                .device_time()
                .map(|t| t.saturating_sub(t0).as_secs_f64());
        }
        result
    })();
    display.finish();
    let result = match outcome {
        Ok(()) => open.finish(),
        Err(error) => Err(CliError::Drive {
            cause: open.host_cause(),
            error,
        }),
    };
    let elapsed = display.start.elapsed();
    if as_json {
        let (code, message) = match &result {
            Ok(()) => (ImapiCode::Ok, "the disc was erased".to_string()),
            Err(e) => code_and_message(e),
        };
        let result = EraseResult {
            drive_seconds,
            ..EraseResult::new(&spec, code, message, full, display.start)
        };
        outln!("{}", json!({ "result": result }));
    } else if result.is_ok() {
        let on_drive = drive_seconds
            .map(|s| format!(" ({} on the drive's clock)", clock(secs(s))))
            .unwrap_or_default();
        outln!(
            "Erased ({}) in {}{on_drive}.",
            if full { "full" } else { "quick" },
            clock(elapsed)
        );
    }
    result
}

/// The IMAPI code of a failed erase and what to say of it: the engine's, or E_INVALIDARG for
/// what the user gave (a disc file that does not exist, holds another medium).
fn code_and_message(e: &CliError) -> (ImapiCode, String) {
    match e {
        CliError::Drive { error, .. } | CliError::Cancelled { error, .. } => {
            (error.code(), error.to_string())
        }
        CliError::Input(message)
        | CliError::Usage(message)
        | CliError::Interrupted { message, .. } => (ImapiCode::InvalidArg, message.clone()),
    }
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::ZERO)
}
