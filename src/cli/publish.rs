//! `discwriter write IMAGE --drive A --drive B ... [--copies N]`: one image to several drives
//! at once, and as many copies as asked (the engine's `publish::Copies`). The image is read
//! once; every disc is checked before any drive starts, and one that will not take the image
//! refuses the whole job; then each drive writes, verifies and reports on its own, and a
//! failure on one leaves the others running. With more copies than drives each drive, as it
//! finishes, takes the next copy on a new disc: a virtual drive a new disc file beside its
//! own (`a.disc`: `a-3.disc` for copy 3), a real drive the disc an operator loads. One
//! result per copy; exit status 0 only when every copy was written.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use discwriter::manifest::Manifest;
use discwriter::publish::{Copies, CopyResult, CopySource, DiscChanger, OperatorChanger};
use discwriter::{
    CancelHandle, DataWriter, DiscSummary, Error, ProgressEvent, Recorder, WriteAction,
};
use serde_json::json;
use virtdrive::fault::FaultPlan;

use super::args::{Verify, WriteArgs};
use super::drive_spec::{numbered, Access, DriveSpec, OpenDrive};
use super::progress::{self, Board, Display};
use super::read::keep_last_write;
use super::report::{level_name, Facts, WriteResult};
use super::signals::{self, Watch};
use super::source::{self, Image};
use super::write::{
    configure, early_result, refuse_manifest_without_folder, refused_disc, write_manifest,
};
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
    if args.reload && args.verification(spec.is_hash_only()) == Verify::None {
        return Err(CliError::Input(format!(
            "--drive {name}: --reload ejects and loads the disc before the verification reads it back, and this write verifies nothing (--verify none{}): give --verify quick or full, or leave --reload out",
            if spec.is_hash_only() { ", the default on a hash-only disc" } else { "" }
        )));
    }
    if has_plan && !matches!(spec, DriveSpec::Virtual(_)) {
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
    verify: Verify,
}

pub fn run(args: &WriteArgs, verbose: bool) -> Result<(), CliError> {
    let started = Instant::now();
    let named = drive_names(args);
    let (drives, opens, image, length, count) = match prepare(args) {
        Ok(p) => p,
        Err(e) => {
            if args.json {
                outln!(
                    "{}",
                    early_result(&named.join(", "), &e, started).json_line()
                );
            }
            return Err(e);
        }
    };
    let elapsed = || started.elapsed().as_secs_f64();
    let job = match write_all(&drives, opens, image, length, count, args, verbose) {
        Ok(done) => done,
        Err((index, error)) => {
            let name = drives
                .get(index)
                .map(|d| d.name.clone())
                .unwrap_or_default();
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
                let s = Summary {
                    drives: drives.len(),
                    copies: count,
                    succeeded: 0,
                    bytes_read: 0,
                    image_bytes: length,
                    elapsed_seconds: elapsed(),
                    refused_by: Some(&name),
                };
                outln!("{}", s.json_line());
            }
            return Err(refused_disc(&name, &error));
        }
    };
    let several = count as usize > drives.len();
    let mut failures = Vec::new();
    let mut cancelled = None;
    let mut kept = job.kept;
    for r in job.results {
        let k = kept.remove(&r.copy).unwrap_or_default();
        let drive = r.drive.and_then(|i| drives.get(i));
        let name = drive.map_or_else(|| "(no drive)".to_string(), |d| d.name.clone());
        let mut outcome = r.outcome;
        if let (Ok(_), Some(e)) = (&outcome, &k.unsaved) {
            outcome = Err(Error::Fail {
                detail: e.clone(),
                cause: None,
            });
        }
        let own_clock = drive.is_some_and(|d| d.spec.has_own_clock());
        let mut result = WriteResult::new(&Facts {
            drive: name.clone(),
            outcome: outcome.as_ref(),
            start_lba: k
                .last
                .as_ref()
                .filter(|e| started_writing(e))
                .map(|e| e.start_lba),
            last_written_lba: r.last_written_lba,
            elapsed_seconds: k.seconds.unwrap_or_else(elapsed),
            drive_seconds: own_clock.then(|| match &outcome {
                Ok(o) => o.elapsed_time,
                Err(_) => k.last.as_ref().map_or(0.0, |e| e.elapsed_time),
            }),
            verification: drive.map_or(Verify::None, |d| d.verify).into(),
            after: k.after,
        });
        result.copy = Some(r.copy);
        result.disc_file = Some(k.disc_file.clone());
        if outcome.is_err() {
            result.blame(k.cause.as_deref());
        }
        let label = match (several, &k.disc_file) {
            (false, _) => name.clone(),
            (true, Some(file)) => format!("{name}: copy {} in {file}", r.copy),
            (true, None) => format!("{name}: copy {}", r.copy),
        };
        if args.json {
            outln!("{}", result.json_line());
        } else {
            match &outcome {
                Ok(_) => outln!(
                    "{label}:\n  {}",
                    result
                        .summary(k.one_x, k.last.as_ref().and_then(|e| e.speed_x))
                        .replace('\n', "\n  ")
                ),
                Err(_) => outln!(
                    "{label}: failed: {} ({}, {})",
                    result.message,
                    result.code,
                    result.hresult
                ),
            }
        }
        match outcome {
            Ok(_) => {
                if let Some(path) = &args.manifest {
                    let path = numbered(path, r.copy);
                    if let Err(e) = write_manifest(&path, k.manifest) {
                        failures.push(format!("copy {}: {e}", r.copy));
                    }
                }
            }
            Err(e) => {
                if matches!(e, Error::RequestCancelled { .. }) && cancelled.is_none() {
                    cancelled = job.signal.map(|s| (e.clone(), s));
                }
                failures.push(match several {
                    true => format!("copy {} on {name}: {}", r.copy, result.code),
                    false => format!("{name}: {}", result.code),
                });
            }
        }
    }
    let count = count as usize;
    let succeeded = count.saturating_sub(failures.len());
    let what = if args.copies.is_some() {
        "copies"
    } else {
        "drives"
    };
    if args.json {
        let s = Summary {
            drives: drives.len(),
            copies: count as u32,
            succeeded,
            bytes_read: job.bytes_read,
            image_bytes: length,
            elapsed_seconds: elapsed(),
            refused_by: None,
        };
        outln!("{}", s.json_line());
    } else {
        outln!("{succeeded} of {count} {what} written");
    }
    if let Some((error, signal)) = cancelled {
        return Err(CliError::Cancelled { error, signal });
    }
    match failures.is_empty() {
        true => Ok(()),
        false => Err(CliError::Input(format!(
            "{} of {count} {what} failed ({}); the others were written",
            failures.len(),
            failures.join(", ")
        ))),
    }
}

/// The last line of `write --json` with several drives or copies.
struct Summary<'a> {
    drives: usize,
    copies: u32,
    succeeded: usize,
    bytes_read: u64,
    image_bytes: u64,
    elapsed_seconds: f64,
    refused_by: Option<&'a str>,
}

impl Summary<'_> {
    fn json_line(&self) -> String {
        let copies = self.copies as usize;
        json!({ "summary": {
            "drives": self.drives,
            "copies": copies,
            "succeeded": self.succeeded,
            "failed": copies.saturating_sub(self.succeeded),
            "image_bytes": self.image_bytes,
            "bytes_read": self.bytes_read,
            "refused_by": self.refused_by,
            "elapsed_seconds": self.elapsed_seconds,
        }})
        .to_string()
    }
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

/// What the command keeps of a copy as it ends, taken on the drive's thread while the
/// drive still holds the disc.
#[derive(Default)]
struct Kept {
    last: Option<ProgressEvent>,
    after: Option<DiscSummary>,
    /// The virtual disc's file.
    disc_file: Option<String>,
    /// Why the virtual disc could not be saved.
    unsaved: Option<String>,
    /// What went wrong under a virtual drive.
    cause: Option<String>,
    manifest: Option<Result<Manifest, Error>>,
    one_x: f64,
    /// The copy's own wall time, from its first progress event to its end.
    seconds: Option<f64>,
}

/// The job as it ran: one result per copy, with what was kept of each.
struct Ran {
    results: Vec<CopyResult>,
    kept: BTreeMap<u32, Kept>,
    bytes_read: u64,
    signal: Option<i32>,
}

/// The command's side of the job: the displays of the copies being written, what is kept
/// of each copy, and the next disc for each drive.
struct Station<'a> {
    args: &'a WriteArgs,
    drives: &'a [Drive],
    one_x: Vec<f64>,
    /// Copies outnumber drives: progress lines name the copy.
    several: bool,
    displays: Mutex<BTreeMap<u32, (Display, SystemTime)>>,
    kept: Mutex<BTreeMap<u32, Kept>>,
    operator: OperatorChanger<'a>,
    /// On a terminal, one bar per drive, showing the copy it writes; a drive's next copy
    /// takes over its line, and the copy before is printed above the bars as it ended.
    board: Option<Board>,
    /// Each drive's display of the copy it wrote last, once that copy has ended.
    ended: Mutex<BTreeMap<usize, Display>>,
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Station<'_> {
    /// Hands a copy's progress event to its display, made at the copy's first event.
    fn event(&self, drive: usize, copy: u32, e: &ProgressEvent) {
        let mut displays = lock(&self.displays);
        let shown = match displays.entry(copy) {
            Entry::Occupied(shown) => shown.into_mut(),
            Entry::Vacant(new) => match self.display(drive, copy) {
                Some(display) => new.insert((display, SystemTime::now())),
                None => return,
            },
        };
        shown.0.event(e);
    }

    /// Drive `drive`'s medium's 1x in bytes per second (every drive's was found when it was
    /// set up; DVD's for an index out of range).
    fn one_x(&self, drive: usize) -> f64 {
        self.one_x.get(drive).copied().unwrap_or(1_385_000.0)
    }

    /// The display of copy `copy` on drive `drive`: on a terminal the drive's line of the
    /// board.
    fn display(&self, drive: usize, copy: u32) -> Option<Display> {
        let d = self.drives.get(drive)?;
        let label = match self.several {
            true => format!("{} (copy {copy})", d.name),
            false => d.name.clone(),
        };
        if let Some(before) = lock(&self.ended).remove(&drive) {
            return Some(before.next_copy(self.board.as_ref(), label));
        }
        let one_x = self.one_x(drive);
        Some(Display::for_drive(
            self.args.json,
            self.board.as_ref(),
            one_x,
            d.spec.has_own_clock(),
            label,
        ))
    }

    /// The first round's displays, made at once so that the board's lines stand in the
    /// order of the drives.
    fn first_round(&self) {
        let mut displays = lock(&self.displays);
        for drive in 0..self.drives.len() {
            let copy = drive as u32 + 1;
            if let Some(display) = self.display(drive, copy) {
                displays.insert(copy, (display, SystemTime::now()));
            }
        }
    }

    /// The spec of the disc copy `copy` goes to in drive `drive`: the drive's own for the
    /// first round, a new one after.
    fn disc_of(&self, drive: usize, copy: u32) -> Option<DriveSpec> {
        let d = self.drives.get(drive)?;
        match copy as usize == drive + 1 {
            true => Some(d.spec.clone()),
            false => d.spec.for_copy(copy),
        }
    }
}

impl DiscChanger<OpenDrive> for Station<'_> {
    // Without the sgio feature every drive is virtual.
    #[allow(irrefutable_let_patterns)]
    fn copy_ended(&self, ended: &CopyResult, rec: &mut Recorder<OpenDrive>) {
        let Some(drive) = ended.drive else {
            return;
        };
        let (last, started) = match lock(&self.displays).remove(&ended.copy) {
            Some((display, started)) => {
                display.finish();
                let last = display.last().cloned();
                lock(&self.ended).insert(drive, display);
                (last, started)
            }
            None => (None, SystemTime::now()),
        };
        let one_x = self.one_x(drive);
        let mut kept = Kept {
            disc_file: self
                .disc_of(drive, ended.copy)
                .and_then(|s| s.disc_file().map(|f| f.display().to_string())),
            one_x,
            ..Kept::default()
        };
        let written = match &ended.outcome {
            Ok(o) => Some((o.start_lba, o.sectors)),
            Err(_) => last
                .as_ref()
                .filter(|e| started_writing(e))
                .map(|e| e.start_lba)
                .zip(ended.last_written_lba)
                .map(|(s, l)| (s, (l - s + 1).max(0) as u64)),
        };
        // The virtual disc keeps the extent of this write, for `read`; then it is saved.
        if let Some((start, sectors)) = written {
            keep_last_write(rec.transport_mut(), start, sectors);
        }
        if let OpenDrive::Virtual(v) = rec.transport_mut() {
            kept.unsaved = v
                .inner_mut()
                .commit()
                .err()
                .map(|e| format!("saving the disc: {e}"));
        }
        kept.cause = rec.transport_mut().host_cause();
        // The disc as it is now, for the result; a drive that no longer answers has none.
        kept.after = rec.disc_summary().ok();
        if let (Some(_), Ok(outcome)) = (&self.args.manifest, &ended.outcome) {
            let kbps = progress::kbps(last.as_ref().and_then(|e| e.speed_x), one_x);
            let times = (started, SystemTime::now());
            kept.manifest = Manifest::of_write(rec, outcome, times, kbps).transpose();
        }
        kept.last = last;
        kept.seconds = started.elapsed().ok().map(|d| d.as_secs_f64());
        lock(&self.kept).insert(ended.copy, kept);
    }

    fn next_disc(
        &self,
        drive: usize,
        copy: u32,
        rec: Recorder<OpenDrive>,
    ) -> Result<Recorder<OpenDrive>, Error> {
        let Some(spec) = self.disc_of(drive, copy) else {
            // A real drive: the operator loads the next disc.
            return self.operator.next_disc(drive, copy, rec);
        };
        let fail = |detail: String| Error::Fail {
            detail,
            cause: None,
        };
        // A virtual drive: its written disc was saved when the copy ended; the next is a
        // new one, under the drive's fault plan as it stands.
        let plan = match rec.into_transport() {
            OpenDrive::Virtual(v) => v.into_parts().1,
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            OpenDrive::Device(_) => return Err(fail("a real drive has no virtual disc".into())),
        };
        if let Some(file) = spec.disc_file().filter(|f| f.exists()) {
            return Err(fail(format!(
                "{} exists already: a copy never writes over a disc file",
                file.display()
            )));
        }
        let open = spec.open(Access::Create).map_err(|e| fail(e.to_string()))?;
        Recorder::open(open.with_fault_plan(plan))
    }
}

/// Every drive set up and its disc checked (the first that will not do, by index, refuses
/// the job before anything is written), then the copies written; signals cancel every
/// drive and the copies still to come.
fn write_all(
    drives: &[Drive],
    opens: Vec<OpenDrive>,
    image: Image,
    length: u64,
    count: u32,
    args: &WriteArgs,
    verbose: bool,
) -> Result<Ran, (usize, Error)> {
    let mut writers = Vec::with_capacity(drives.len());
    let mut one_x = Vec::with_capacity(drives.len());
    let finish_all = |writers: &[DataWriter<OpenDrive>]| {
        for w in writers {
            if let Ok(Some(rec)) = w.take_recorder() {
                let _ = rec.into_transport().finish();
            }
        }
    };
    for (i, (d, open)) in drives.iter().zip(opens).enumerate() {
        let writer: DataWriter<OpenDrive> = DataWriter::new();
        let set_up = Recorder::open(open).and_then(|r| configure(&writer, r, args, d.verify));
        let media = match set_up {
            Ok(m) => m,
            Err(e) => {
                finish_all(&writers);
                return Err((i, e));
            }
        };
        one_x.push(progress::one_x_bytes_per_second(media));
        writers.push(writer);
    }
    let mut copies = Copies::new(count);
    copies.reject_if_not_blank = args.reject_if_not_blank;
    if let Some(seconds) = args.stall_timeout {
        copies.fan_out.stall_timeout = Some(Duration::from_secs(seconds));
    }
    if let Err(refused) = copies.check_media(&writers, length) {
        finish_all(&writers);
        return Err(refused);
    }

    let job_cancel = copies.cancel_handle();
    let mut cancels: Vec<CancelHandle> = writers.iter().map(DataWriter::cancel_handle).collect();
    cancels.push(job_cancel.clone());
    let stream_stopped = CancelHandle::new();
    cancels.push(stream_stopped.clone());
    let several = count as usize > drives.len();
    let watch =
        Watch::start(
            move |signal| {
                cancels.iter().for_each(CancelHandle::cancel);
                errln!(
                "\ndiscwriter: {}: cancelling every drive: each stops at its next transfer and \
                 closes what it wrote, so the discs stay readable{}",
                signals::name(signal),
                if several { "; no further copy starts" } else { "" }
            );
            },
            "closing is in progress on the drives: what was written is being closed so the discs \
         stay readable. Wait for it: SIGKILL would leave the discs as they are now"
                .to_string(),
        );
    // After the signals are blocked: the bars' ticker threads must not take them. The
    // labels are padded to the widest a line will carry.
    let widest: Vec<String> = drives
        .iter()
        .map(|d| match several {
            true => format!("{} (copy {count})", d.name),
            false => d.name.clone(),
        })
        .collect();
    let board = Board::for_terminal(args.json, verbose, &widest);
    let names: Vec<String> = drives.iter().map(|d| d.name.clone()).collect();
    let station = Station {
        args,
        drives,
        one_x,
        several,
        displays: Mutex::new(BTreeMap::new()),
        kept: Mutex::new(BTreeMap::new()),
        operator: OperatorChanger::new(job_cancel, move |drive, copy| {
            let name = names.get(drive).map_or("the drive", String::as_str);
            errln!("discwriter: insert blank disc {copy} into {name}");
        }),
        board,
        ended: Mutex::new(BTreeMap::new()),
    };
    station.first_round();
    // A stream is read on a thread of its own, started once the signals are blocked (a
    // thread started before would take them): a cancel must not wait for a stalled pipe.
    let mut stream;
    let source = match image {
        Image::File(f) => CopySource::File(Arc::new(f)),
        Image::Stream(s) => match s.detached(stream_stopped) {
            Ok(detached) => {
                stream = detached;
                CopySource::Stream(&mut stream)
            }
            Err(e) => {
                finish_all(&writers);
                return Err((
                    0,
                    Error::Fail {
                        detail: format!("starting the thread that reads the image: {e}"),
                        cause: None,
                    },
                ));
            }
        },
    };
    let report = copies.write(&writers, source, length, &station, &|drive, copy, e| {
        station.event(drive, copy, e)
    });
    let signal = watch.signal();
    // Each drive's last disc was saved when its copy ended; the drive is let go.
    finish_all(&writers);
    let report = report.map_err(|e| (0, e))?;
    Ok(Ran {
        results: report.results,
        kept: station.kept.into_inner().unwrap_or_else(|p| p.into_inner()),
        bytes_read: report.bytes_read,
        signal,
    })
}

/// The drives as given: the embedded one without --drive.
fn drive_names(args: &WriteArgs) -> Vec<String> {
    match args.drive.is_empty() {
        true => DriveSpec::parse(None)
            .map(|s| vec![s.describe()])
            .unwrap_or_default(),
        false => args.drive.clone(),
    }
}

/// A disc file a later copy would go to that exists already: `numbered(disc, n)` for `n`
/// from `first` to `last`, found among the files beside the drive's disc.
fn existing_copy_file(spec: &DriveSpec, first: u32, last: u32) -> Option<PathBuf> {
    let file = spec.disc_file()?;
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let entries = std::fs::read_dir(dir).ok()?;
    let stem = file.file_stem()?.to_string_lossy().into_owned();
    let ext = file
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()));
    entries.flatten().find_map(|entry| {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rest = name.strip_prefix(&stem)?.strip_prefix('-')?;
        let number = match &ext {
            Some(ext) => rest.strip_suffix(ext.as_str())?,
            None => rest,
        };
        let n: u32 = number.parse().ok()?;
        (number == n.to_string() && (first..=last).contains(&n)).then(|| entry.path())
    })
}

/// Everything refused before a drive is opened: the drives, the copies, their plans, the
/// image and its length (which several drives and copies need known), the disc files the
/// later copies would go to. Then every drive opened.
#[allow(clippy::type_complexity)]
fn prepare(args: &WriteArgs) -> Result<(Vec<Drive>, Vec<OpenDrive>, Image, u64, u32), CliError> {
    let specs = match args.drive.is_empty() {
        true => vec![DriveSpec::parse(None)?],
        false => args
            .drive
            .iter()
            .map(|d| DriveSpec::parse(Some(d)))
            .collect::<Result<Vec<_>, _>>()?,
    };
    for (i, s) in specs.iter().enumerate() {
        let name = s.describe();
        if specs.iter().skip(i + 1).any(|o| o.describe() == name) {
            return Err(CliError::Input(format!(
                "--drive {name} is given twice: each drive writes its own disc"
            )));
        }
    }
    let drives = u32::try_from(specs.len()).unwrap_or(u32::MAX);
    let count = args.copies.unwrap_or(drives);
    if count < drives {
        return Err(CliError::Usage(format!(
            "--copies {count} is fewer than the {drives} drives given: each drive makes at least \
             one copy (leave out the drives that should not write)"
        )));
    }
    let plans = fault_plans(&args.fault_plan, specs.len())?;
    for (spec, plan) in specs.iter().zip(&plans) {
        refuse_options_for(spec, plan.is_some(), args)?;
    }
    refuse_manifest_without_folder(args)?;
    if count > drives {
        for spec in &specs {
            if let Some(file) = existing_copy_file(spec, drives + 1, count) {
                return Err(CliError::Input(format!(
                    "--copies {count}: {} exists already; the copies after the first round go \
                     to new disc files beside each drive's, named with the copy number, and \
                     never over a file: move it away or give the drive another disc file",
                    file.display()
                )));
            }
        }
    }
    let (image, length) = source::open(&args.image, args.size)?;
    let Some(length) = length.bytes() else {
        return Err(CliError::Input(format!(
            "{}: writing to several drives or several copies needs the image's length, which \
             a stream does not say: give it in bytes with --size",
            args.image.display()
        )));
    };
    let mut drives = Vec::with_capacity(specs.len());
    let mut opens = Vec::with_capacity(specs.len());
    for (spec, plan) in specs.into_iter().zip(plans) {
        let name = spec.describe();
        let open = spec
            .open(Access::Create)
            .map_err(|e| CliError::Input(format!("--drive {name}: {e}")))?;
        opens.push(match plan {
            Some(plan) => open.with_fault_plan(plan),
            None => open,
        });
        let verify = args.verification(spec.is_hash_only());
        drives.push(Drive { name, spec, verify });
    }
    Ok((drives, opens, image, length, count))
}
