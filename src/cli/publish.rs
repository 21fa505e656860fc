//! `discwriter write IMAGE --drive A --drive B ...`: one image to several drives at once
//! (the engine's `publish::FanOut`). The image is read once; every disc is checked before
//! any drive starts, and one that will not take the image refuses the whole job; then each
//! drive writes, verifies and reports on its own, and a failure on one leaves the others
//! running. Exit status 0 only when every drive succeeded.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use discwriter::publish::{FanOut, FanOutReport};
use discwriter::{
    CancelHandle, DataWriter, DiscSummary, Error, ProgressEvent, Recorder, WriteAction,
    WriteOutcome,
};
use mmc_core::Transport;
use serde_json::json;
use virtdrive::fault::FaultPlan;

use super::args::{Verify, WriteArgs};
use super::drive_spec::{Access, DriveSpec, OpenDrive};
use super::progress::{self, Board, Display};
use super::report::{level_name, Facts, WriteResult};
use super::signals::{self, Watch};
use super::source::{self, Image};
use super::write::{configure, early_result, NOTE};
use super::CliError;

/// The fault plan of each of `drives` drives from the `--fault-plan` options: none, one for
/// every drive, or one per drive in order (`none` for a drive without one).
pub fn fault_plans(paths: &[PathBuf], drives: usize) -> Result<Vec<Option<FaultPlan>>, CliError> {
    let load = |p: &PathBuf| -> Result<Option<FaultPlan>, CliError> {
        if p.as_os_str() == "none" {
            return Ok(None);
        }
        FaultPlan::from_path(p)
            .map(Some)
            .map_err(|e| CliError::Input(e.to_string()))
    };
    match paths {
        [] => Ok((0..drives).map(|_| None).collect()),
        [one] => {
            let plan = load(one)?;
            Ok((0..drives).map(|_| plan.clone()).collect())
        }
        many if many.len() == drives => many.iter().map(load).collect(),
        many => Err(CliError::Input(format!(
            "--fault-plan is given {} times for {drives} --drive: give it once (for every \
             drive) or once per drive, in the order of the --drive options (none for a drive \
             without a plan)",
            many.len()
        ))),
    }
}

/// The options a drive cannot take, refused before any drive is opened: a fault plan for a
/// real drive, and a verification of a hash-only disc, which keeps a CRC-32 per sector (the
/// sectors a verification reads back would be unrecovered read errors, 03/11/00).
pub fn refuse_options_for(
    spec: &DriveSpec,
    has_plan: bool,
    args: &WriteArgs,
) -> Result<(), CliError> {
    let name = spec.describe();
    if args.reload && args.verify != Some(Verify::Full) {
        return Err(CliError::Input(
            "--reload ejects and loads the disc before a full verification reads it back: give it with --verify full".into(),
        ));
    }
    if has_plan && !matches!(spec, DriveSpec::Virtual { .. }) {
        return Err(CliError::Input(format!(
            "--drive {name}: --fault-plan applies to virtual drives (virt:MEDIA[@FILE]) only"
        )));
    }
    match args
        .verify
        .filter(|v| spec.is_hash_only() && *v != Verify::None)
    {
        Some(level) => Err(CliError::Input(format!(
            "--drive {name}: a hash-only disc (+hash) keeps a CRC-32 per sector, not the data, so --verify {} cannot read it back; leave --verify out or give --verify none",
            level_name(level.into())
        ))),
        None => Ok(()),
    }
}

/// One drive of the job.
struct Drive {
    name: String,
    spec: DriveSpec,
    open: OpenDrive,
    verify: Verify,
}

pub fn run(args: &WriteArgs, verbose: bool) -> Result<(), CliError> {
    let started = Instant::now();
    let (mut drives, image, length) = match prepare(args) {
        Ok(p) => p,
        Err(e) => {
            if args.json {
                outln!(
                    "{}",
                    early_result(&args.drive.join(", "), &e, started).json_line()
                );
            }
            return Err(e);
        }
    };
    let mut source: Box<dyn Read + Send> = match image {
        Image::File(f) => Box::new(f),
        Image::Stream(s) => Box::new(s),
    };
    let job = write_all(&mut drives, &mut *source, length, args, verbose);
    let elapsed = || started.elapsed().as_secs_f64();
    let (ran, bytes_read, signal) = match job {
        Ok(done) => done,
        Err((index, error)) => {
            for d in drives {
                let _ = d.open.finish();
            }
            let name = args.drive.get(index).cloned().unwrap_or_default();
            if args.json {
                let refused = WriteResult::new(&Facts {
                    drive: name.clone(),
                    outcome: Err(&error),
                    start_lba: None,
                    last_written_lba: None,
                    elapsed_seconds: elapsed(),
                    drive_seconds: None,
                    verification: discwriter::VerificationLevel::None,
                    after: None,
                });
                outln!("{}", refused.json_line());
                outln!(
                    "{}",
                    summary(args.drive.len(), 0, 0, length, elapsed(), Some(&name))
                );
            }
            return Err(CliError::Input(format!(
                "--drive {name}: {error} ({}, 0x{:08X}): no drive was written",
                error.imapi_name(),
                error.hresult()
            )));
        }
    };
    let count = drives.len();
    let mut failures = Vec::new();
    let mut cancelled = None;
    for (d, r) in drives.into_iter().zip(ran) {
        let mut outcome = r.outcome;
        let start_lba = r
            .last
            .as_ref()
            .filter(|e| started_writing(e))
            .map(|e| e.start_lba);
        let mut open = d.open;
        let written = match &outcome {
            Ok(o) => Some((o.start_lba, o.sectors)),
            Err(_) => start_lba
                .zip(r.last_written_lba)
                .map(|(s, l)| (s, (l - s + 1).max(0) as u64)),
        };
        if let (OpenDrive::Virtual(v), Some((start, sectors))) = (&mut open, written) {
            v.inner_mut().set_note(
                NOTE,
                json!({ "last_write": { "start_lba": start, "sectors": sectors } }),
            );
        }
        let cause = open.host_cause();
        if let (Ok(_), Err(e)) = (&outcome, open.finish()) {
            outcome = Err(Error::Fail {
                detail: e.to_string(),
                cause: None,
            });
        }
        let own_clock = d.spec.has_own_clock();
        let mut result = WriteResult::new(&Facts {
            drive: d.name.clone(),
            outcome: outcome.as_ref(),
            start_lba,
            last_written_lba: r.last_written_lba,
            elapsed_seconds: elapsed(),
            drive_seconds: own_clock.then(|| match &outcome {
                Ok(o) => o.elapsed_time,
                Err(_) => r.last.as_ref().map_or(0.0, |e| e.elapsed_time),
            }),
            verification: d.verify.into(),
            after: r.after,
        });
        if let (Some(c), Err(_)) = (&cause, &outcome) {
            result.message = format!("{c}; the virtual drive reported it as: {}", result.message);
        }
        if args.json {
            outln!("{}", result.json_line());
        } else {
            match &outcome {
                Ok(_) => outln!(
                    "{}:\n  {}",
                    d.name,
                    result
                        .summary(r.one_x, r.last.as_ref().and_then(|e| e.speed_x))
                        .replace('\n', "\n  ")
                ),
                Err(_) => outln!(
                    "{}: failed: {} ({}, {})",
                    d.name,
                    result.message,
                    result.code,
                    result.hresult
                ),
            }
        }
        if let Err(e) = outcome {
            if matches!(e, Error::RequestCancelled { .. }) && cancelled.is_none() {
                cancelled = signal.map(|s| (e.clone(), s));
            }
            failures.push(format!("{}: {}", d.name, result.code));
        }
    }
    let succeeded = count - failures.len();
    if args.json {
        outln!(
            "{}",
            summary(count, succeeded, bytes_read, length, elapsed(), None)
        );
    } else {
        outln!("{succeeded} of {count} drives written");
    }
    if let Some((error, signal)) = cancelled {
        return Err(CliError::Cancelled { error, signal });
    }
    match failures.is_empty() {
        true => Ok(()),
        false => Err(CliError::Input(format!(
            "{} of {count} drives failed ({}); the others were written",
            failures.len(),
            failures.join(", ")
        ))),
    }
}

/// The last line of `write --json` with several drives.
fn summary(
    drives: usize,
    succeeded: usize,
    bytes_read: u64,
    image_bytes: u64,
    elapsed_seconds: f64,
    refused: Option<&str>,
) -> String {
    json!({ "summary": {
        "drives": drives,
        "succeeded": succeeded,
        "failed": drives - succeeded,
        "image_bytes": image_bytes,
        "bytes_read": bytes_read,
        "refused_by": refused,
        "elapsed_seconds": elapsed_seconds,
    }})
    .to_string()
}

/// Whether the write had got to the data (so its start LBA was decided).
fn started_writing(e: &ProgressEvent) -> bool {
    matches!(
        e.action,
        WriteAction::WritingData
            | WriteAction::Finalization
            | WriteAction::Verifying
            | WriteAction::Completed
    )
}

/// What one drive's write gave.
struct Ran {
    outcome: Result<WriteOutcome, Error>,
    last: Option<ProgressEvent>,
    last_written_lba: Option<i64>,
    after: Option<DiscSummary>,
    one_x: f64,
}

/// Every drive set up and its disc checked (the first that will not do, by index, refuses
/// the job before anything is written), then the image written to all at once; signals
/// cancel every drive. Each drive's result, the bytes read from the image, the signal.
#[allow(clippy::type_complexity)]
fn write_all(
    drives: &mut [Drive],
    source: &mut (dyn Read + Send),
    length: u64,
    args: &WriteArgs,
    verbose: bool,
) -> Result<(Vec<Ran>, u64, Option<i32>), (usize, Error)> {
    let mut writers = Vec::with_capacity(drives.len());
    // On a terminal, one line per drive; the board is made once every drive is set up, so a
    // refused job draws no bar.
    let mut settings = Vec::with_capacity(drives.len());
    let mut displays = Vec::with_capacity(drives.len());
    let mut one_x = Vec::with_capacity(drives.len());
    for (i, d) in drives.iter_mut().enumerate() {
        let writer: DataWriter<&mut (dyn Transport + Send)> = DataWriter::new();
        let recorder = Recorder::open(d.open.transport()).map_err(|e| (i, e))?;
        let media = configure(&writer, recorder, args, d.verify).map_err(|e| (i, e))?;
        let x = progress::one_x_bytes_per_second(media);
        one_x.push(x);
        settings.push((x, d.spec.has_own_clock(), d.name.clone()));
        writers.push(writer);
    }
    FanOut::check_media(&writers, length)?;
    let cancels: Vec<CancelHandle> = writers.iter().map(DataWriter::cancel_handle).collect();
    let watch = Watch::start(
        move |signal| {
            cancels.iter().for_each(CancelHandle::cancel);
            errln!(
                "\ndiscwriter: {}: cancelling every drive: each stops at its next transfer and \
                 closes what it wrote, so the discs stay readable",
                signals::name(signal)
            );
        },
        "closing is in progress on the drives: what was written is being closed so the discs \
         stay readable. Wait for it: SIGKILL would leave the discs as they are now"
            .to_string(),
    );
    // After the signals are blocked: the bars' ticker threads must not take them.
    let names: Vec<String> = settings.iter().map(|(_, _, name)| name.clone()).collect();
    let board = Board::for_terminal(args.json, verbose, &names);
    for (x, own_clock, name) in settings {
        let display = Display::for_drive(args.json, board.as_ref(), x, own_clock, name);
        displays.push(Mutex::new(display));
    }

    let report = FanOut::default().write(&writers, source, length, &|i, e| {
        if let Some(Ok(mut d)) = displays.get(i).map(Mutex::lock) {
            d.event(e);
        }
    });
    let FanOutReport {
        results,
        bytes_read,
    } = report;
    for d in &displays {
        if let Ok(d) = d.lock() {
            d.finish();
        }
    }
    let ran = results
        .into_iter()
        .zip(writers)
        .zip(displays)
        .zip(one_x)
        .map(|(((outcome, writer), display), one_x)| {
            let last = display.lock().ok().and_then(|d| d.last().cloned());
            let last_written_lba = writer.last_written_lba().ok().flatten();
            // The disc as it is now, for the result; a drive that no longer answers has none.
            let after = match writer.take_recorder() {
                Ok(Some(mut rec)) => rec.disc_summary().ok(),
                _ => None,
            };
            Ran {
                outcome,
                last,
                last_written_lba,
                after,
                one_x,
            }
        })
        .collect();
    Ok((ran, bytes_read, watch.signal()))
}

/// Everything refused before a drive is opened: the drives, their plans, the image and its
/// length (which several drives need known). Then every drive opened.
fn prepare(args: &WriteArgs) -> Result<(Vec<Drive>, Image, u64), CliError> {
    let specs = args
        .drive
        .iter()
        .map(|d| DriveSpec::parse(Some(d)))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, s) in specs.iter().enumerate() {
        let name = s.describe();
        if specs.iter().skip(i + 1).any(|o| o.describe() == name) {
            return Err(CliError::Input(format!(
                "--drive {name} is given twice: each drive writes its own disc"
            )));
        }
    }
    let plans = fault_plans(&args.fault_plan, specs.len())?;
    for (spec, plan) in specs.iter().zip(&plans) {
        refuse_options_for(spec, plan.is_some(), args)?;
    }
    let (image, length) = source::open(&args.image, args.size)?;
    let Some(length) = length.bytes() else {
        return Err(CliError::Input(format!(
            "{}: writing to several drives needs the image's length, which a stream does not \
             say: give it in bytes with --size",
            args.image.display()
        )));
    };
    let mut drives = Vec::with_capacity(specs.len());
    for (spec, plan) in specs.into_iter().zip(plans) {
        let name = spec.describe();
        let open = spec
            .open(Access::Create)
            .map_err(|e| CliError::Input(format!("--drive {name}: {e}")))?;
        let open = match plan {
            Some(plan) => open.with_fault_plan(plan),
            None => open,
        };
        let verify = args.verification(spec.is_hash_only());
        drives.push(Drive {
            name,
            spec,
            open,
            verify,
        });
    }
    Ok((drives, image, length))
}
