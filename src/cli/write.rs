//! `discwriter write IMAGE`: the engine's Write, with progress, signals that cancel cleanly,
//! and one result (a JSON line, or a summary) whatever happens.

use std::sync::{Arc, Mutex};

use discwriter::manifest::Manifest;
use discwriter::writer::MediaPhysicalType;
use discwriter::{
    ApiMisuse, CancelHandle, DataWriter, DiscSummary, Error, ProgressEvent, Recorder, WriteOptions,
    WriteOutcome,
};
use mmc_core::ImapiCode;

use super::args::{Speed, Verify, WriteArgs};
use super::drive_spec::{Access, DriveSpec, OpenDrive};
use super::progress::{self, Display};
use super::read::keep_last_write;
use super::report::{Facts, WriteResult};
use super::signals::{self, Watch};
use super::source::{self, Image, Length};
use super::CliError;

pub fn run(args: &WriteArgs, verbose: bool) -> Result<(), CliError> {
    if args.drive.len() > 1 || args.copies.is_some() {
        return super::publish::run(args, verbose);
    }
    let spec = DriveSpec::parse(args.drive.first().map(String::as_str))?;
    let drive_name = spec.describe();
    let started = std::time::Instant::now();
    // Everything that can be refused is refused before the drive is opened, so a mistyped
    // image or plan never creates a disc file.
    let prepared = (|| -> Result<_, CliError> {
        let plan = super::publish::fault_plans(&args.fault_plan, 1)?
            .pop()
            .flatten();
        super::publish::refuse_options_for(&spec, plan.is_some(), args)?;
        refuse_manifest_without_folder(args)?;
        let (image, length) = source::open(&args.image, args.size)?;
        let open = spec.open(Access::Create)?;
        Ok((plan, image, length, open))
    })();
    let (plan, mut image, length, open) = match prepared {
        Ok(p) => p,
        Err(e) => {
            if args.json {
                outln!("{}", early_result(&drive_name, &e, started).json_line());
            }
            return Err(e);
        }
    };
    let mut open = match plan {
        Some(plan) => open.with_fault_plan(plan),
        None => open,
    };
    let own_clock = spec.has_own_clock();

    let verify = args.verification(spec.is_hash_only());
    let ran = write_to(
        &mut open, &mut image, length, args, verify, verbose, own_clock,
    );
    // The virtual disc keeps the extent of this write, for `read`; then it is saved.
    if let Some((start, sectors)) = ran.written {
        keep_last_write(&mut open, start, sectors);
    }
    let cause = open.host_cause();
    let saved = open.finish();
    let mut outcome = ran.outcome;
    if let (Ok(_), Err(e)) = (&outcome, &saved) {
        outcome = Err(Error::Fail {
            detail: e.to_string(),
            cause: None,
        });
    }
    let result = WriteResult::new(&Facts {
        drive: drive_name,
        outcome: outcome.as_ref(),
        start_lba: ran.start_lba,
        last_written_lba: ran.last_written_lba,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        drive_seconds: own_clock.then_some(ran.drive_seconds),
        verification: verify.into(),
        after: ran.after,
    });
    let mut result = result;
    if outcome.is_err() {
        result.blame(cause.as_deref());
    }
    if args.json {
        outln!("{}", result.json_line());
    }
    match outcome {
        Ok(_) => {
            if let Some(path) = &args.manifest {
                write_manifest(path, ran.manifest)?;
            }
            if !args.json {
                outln!("{}", result.summary(ran.one_x, ran.speed_x));
            }
            if ran.more_followed {
                errln!(
                    "discwriter: warning: {} went on after the {} bytes written; the rest was not written",
                    if args.image.as_os_str() == "-" {
                        "standard input".to_string()
                    } else {
                        args.image.display().to_string()
                    },
                    length.bytes().unwrap_or(0)
                );
            }
            Ok(())
        }
        Err(error) => {
            if !args.json && result.disc_status.is_some() && result.sectors > 0 {
                errln!("{}", result.disc_line());
            }
            if matches!(error, Error::Api(ApiMisuse::StreamLengthRequired { .. })) {
                errln!("discwriter: give the stream's length in bytes with --size");
            }
            match ran.signal {
                _ if ran.refused => Err(refused_disc(&result.drive, &error)),
                Some(signal) if matches!(error, Error::RequestCancelled { .. }) => {
                    Err(CliError::Cancelled { error, signal })
                }
                _ => Err(CliError::Drive { error, cause }),
            }
        }
    }
}

/// `--manifest` in a folder that does not exist, refused before anything is written.
pub(super) fn refuse_manifest_without_folder(args: &WriteArgs) -> Result<(), CliError> {
    if let Some(m) = &args.manifest {
        let parent = m.parent().filter(|p| !p.as_os_str().is_empty());
        if parent.is_some_and(|p| !p.is_dir()) {
            return Err(CliError::Input(format!(
                "--manifest {}: no such directory for it",
                m.display()
            )));
        }
    }
    Ok(())
}

/// A disc refused before anything was written (by the check of every disc, or by
/// --reject-if-not-blank), named with its drive.
pub(super) fn refused_disc(drive: &str, error: &Error) -> CliError {
    CliError::Input(format!(
        "--drive {drive}: {error} ({}, 0x{:08X}): nothing was written",
        error.imapi_name(),
        error.hresult()
    ))
}

/// What a write gave, whatever its outcome.
struct Ran {
    outcome: Result<WriteOutcome, Error>,
    start_lba: Option<i64>,
    last_written_lba: Option<i64>,
    /// The extent recorded, for the disc's note.
    written: Option<(i64, u64)>,
    drive_seconds: f64,
    after: Option<DiscSummary>,
    one_x: f64,
    signal: Option<i32>,
    more_followed: bool,
    /// The speed the drive recorded at, as a multiple of 1x, when it said.
    speed_x: Option<f64>,
    /// What a successful write recorded, with --manifest.
    manifest: Option<Result<Manifest, Error>>,
    /// The disc was refused before anything was written (--reject-if-not-blank).
    refused: bool,
}

fn write_to(
    open: &mut OpenDrive,
    image: &mut Image,
    length: Length,
    args: &WriteArgs,
    verify: Verify,
    verbose: bool,
    own_clock: bool,
) -> Ran {
    let mut ran = Ran {
        outcome: Err(Error::Api(ApiMisuse::RecorderRequired)),
        start_lba: None,
        last_written_lba: None,
        written: None,
        drive_seconds: 0.0,
        after: None,
        one_x: 1_385_000.0,
        signal: None,
        more_followed: false,
        speed_x: None,
        manifest: None,
        refused: false,
    };
    let wall_started = std::time::SystemTime::now();
    let writer = DataWriter::new();
    let recorder = match Recorder::open(open.transport()) {
        Ok(r) => r,
        Err(e) => {
            ran.outcome = Err(e);
            return ran;
        }
    };
    let setup = configure(&writer, recorder, args, verify);
    let media = match setup {
        Ok(m) => m,
        Err(e) => {
            ran.outcome = Err(e);
            return ran;
        }
    };
    ran.one_x = progress::one_x_bytes_per_second(media);
    if args.reject_if_not_blank {
        if let Err(e) = writer.check_blank() {
            ran.refused = true;
            ran.outcome = Err(e);
            ran.after = writer
                .take_recorder()
                .ok()
                .flatten()
                .and_then(|mut r| r.disc_summary().ok());
            return ran;
        }
    }

    // SIGINT, SIGTERM and SIGHUP cancel: the engine stops at the next transfer and closes
    // what it wrote, so the disc stays readable (and a write-once disc appendable).
    let cancel = writer.cancel_handle();
    let closing_time = closing_time(media);
    let watch = Watch::start(
        {
            let cancel = cancel.clone();
            move |signal| {
                cancel.cancel();
                errln!(
                    "\ndiscwriter: {}: cancelling: the write stops at the next transfer and \
                     closes what it wrote, so the disc stays readable",
                    signals::name(signal)
                );
            }
        },
        format!(
            "closing is in progress: what was written is being closed so the disc stays \
             readable; {closing_time}. Wait for it: SIGKILL would leave the disc as it is \
             now (possibly unreadable, or with an open session)"
        ),
    );

    let display = Arc::new(Mutex::new(Display::new(
        args.json, verbose, ran.one_x, own_clock,
    )));
    let sink = display.clone();
    let mut on_event = move |e: &ProgressEvent, _: &CancelHandle| {
        if let Ok(mut d) = sink.lock() {
            d.event(e);
        }
    };
    ran.outcome = match image {
        Image::File(f) => writer.write(f, length.bytes().unwrap_or(0), None, &mut on_event),
        Image::Stream(r) => writer.write_stream(Box::new(r.clone()), length.bytes(), &mut on_event),
    };
    ran.signal = watch.signal();
    if let Ok(d) = display.lock() {
        d.finish();
        if let Some(last) = d.last() {
            ran.drive_seconds = last.elapsed_time;
            ran.speed_x = last.speed_x;
            use discwriter::WriteAction as A;
            if matches!(
                last.action,
                A::WritingData | A::Finalization | A::Verifying | A::Completed
            ) {
                ran.start_lba = Some(last.start_lba);
            }
        }
        if let Some(fill) = d.min_fifo() {
            if !args.json {
                errln!("fifo: lowest fill {:.0}%", fill * 100.0);
            }
        }
    }
    if let Ok(o) = &ran.outcome {
        ran.drive_seconds = o.elapsed_time;
    }
    ran.last_written_lba = writer.last_written_lba().ok().flatten();
    if let (Some(start), Some(last)) = (ran.start_lba, ran.last_written_lba) {
        ran.written = Some((start, (last - start + 1).max(0) as u64));
    }
    if let Ok(o) = &ran.outcome {
        ran.written = Some((o.start_lba, o.sectors));
        if matches!(length, Length::Given(_) | Length::Volume(_)) {
            ran.more_followed = source::more_follows(image);
        }
    }
    // The disc as it is now, for the summary; a drive that no longer answers has none.
    if let Ok(Some(mut rec)) = writer.take_recorder() {
        ran.after = rec.disc_summary().ok();
        if let (Some(_), Ok(outcome)) = (&args.manifest, &ran.outcome) {
            let kbps = progress::kbps(ran.speed_x, ran.one_x);
            let times = (wall_started, std::time::SystemTime::now());
            ran.manifest = Manifest::of_write(&mut rec, outcome, times, kbps).transpose();
        }
    }
    ran
}

/// The writer set up as the options say: its recorder, the client name, the write options
/// and the speed (the drive's choice said when it differs). The medium's type.
pub(super) fn configure<T: mmc_core::Transport + Send>(
    writer: &DataWriter<T>,
    recorder: Recorder<T>,
    args: &WriteArgs,
    verify: Verify,
) -> Result<MediaPhysicalType, Error> {
    writer.set_recorder(recorder)?;
    writer.set_client_name("discwriter")?;
    writer.set_options(WriteOptions {
        force_media_to_be_closed: args.close,
        disable_consumer_dvd_compatibility_mode: args.disable_dvd_compatibility,
        force_overwrite: args.overwrite,
        defect_management: args.defect_management(),
        verification: verify.into(),
        reload_before_verify: args.reload,
        record_digest: args.manifest.is_some(),
        ..WriteOptions::default()
    })?;
    let media = writer
        .current_physical_media_type()
        .unwrap_or(MediaPhysicalType::Unknown);
    if let Some(Speed::Times(x)) = args.speed {
        let sps = (x * media.one_x_sectors())
            .round()
            .clamp(1.0, f64::from(i32::MAX)) as i32;
        let code = writer.set_write_speed(sps, false)?;
        if code != ImapiCode::Ok && media.one_x_sectors() > 0.0 {
            let (chosen, _) = writer.current_write_speed()?;
            errln!(
                "discwriter: the drive chose {}x for --speed {}x",
                times(f64::from(chosen) / media.one_x_sectors()),
                times(x)
            );
        }
    }
    Ok(media)
}

/// Writes the manifest of a successful write to `path`.
pub(super) fn write_manifest(
    path: &std::path::Path,
    manifest: Option<Result<Manifest, Error>>,
) -> Result<(), CliError> {
    let manifest = match manifest {
        Some(Ok(m)) => m,
        Some(Err(error)) => return Err(CliError::Drive { error, cause: None }),
        None => {
            return Err(CliError::Input(
                "the write gave no digest of its data for the manifest".into(),
            ))
        }
    };
    std::fs::write(path, manifest.to_json() + "\n").map_err(|e| {
        CliError::Input(format!(
            "the write succeeded, but the manifest {} could not be written: {e}",
            path.display()
        ))
    })
}

/// How long closing may take, said when a second signal arrives.
fn closing_time(media: MediaPhysicalType) -> &'static str {
    use MediaPhysicalType as M;
    match media {
        M::Cdr | M::Cdrw => {
            "on a CD this writes the session's lead-in and lead-out, up to about 3 minutes at 4x"
        }
        M::Dvdplusr | M::DvdplusrDualLayer | M::Dvddashr | M::DvddashrDualLayer | M::Bdr => {
            "closing the track and the session takes up to about a minute"
        }
        _ => "flushing the drive's cache and closing takes up to about a minute",
    }
}

/// The result line of a write refused before the drive was opened.
pub(super) fn early_result(drive: &str, e: &CliError, started: std::time::Instant) -> WriteResult {
    let input;
    let error = match e {
        CliError::Drive { error, .. } | CliError::Cancelled { error, .. } => error,
        CliError::Input(message)
        | CliError::Usage(message)
        | CliError::Interrupted { message, .. } => {
            input = Error::Api(ApiMisuse::InvalidArg(message.clone()));
            &input
        }
    };
    let mut r = WriteResult::new(&Facts {
        drive: drive.to_string(),
        outcome: Err(error),
        start_lba: None,
        last_written_lba: None,
        elapsed_seconds: started.elapsed().as_secs_f64(),
        drive_seconds: None,
        verification: discwriter::VerificationLevel::None,
        after: None,
    });
    if let CliError::Input(message)
    | CliError::Usage(message)
    | CliError::Interrupted { message, .. } = e
    {
        r.message = message.clone();
    }
    r
}

/// A multiple of 1x as a user writes it: 4, 2.4.
fn times(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
