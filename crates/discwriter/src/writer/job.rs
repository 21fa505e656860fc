//! The executor of one write: plans it from the disc's summary, prepares the drive (speed,
//! write parameters, format, power calibration), writes the stream, runs the plan's closing
//! and verifies. What to do is the plan's; this file only sends it.

use mmc_core::cdb::{CloseFunction, FormatDescriptor};
use mmc_core::Transport;
use tracing::debug;

use super::events::WriteAction;
use super::plan::{DataEnd, DriveFacts, FormatStep, OnError, Step, WritePlan};
use super::progress::{one_x_kbps, Progress};
use super::verify::{self, Reference};
use super::{properties, stream};
use super::{success_code, BlockRange, Source, SpeedRequest, VerificationLevel};
use super::{WriteOptions, WriteOutcome};
use crate::error::Error;
use crate::recorder::{tao_data_track, Recorder, WaitTick};

/// Writes `sectors` sectors of `source` (`None`: to its end); `last_written` learns the last
/// LBA sent to the drive.
#[allow(clippy::too_many_arguments)]
pub(super) fn write<T: Transport + Send>(
    rec: &mut Recorder<T>,
    source: &mut Source<'_>,
    sectors: Option<u64>,
    ranges: Option<&[BlockRange]>,
    options: &WriteOptions,
    speed: SpeedRequest,
    progress: &mut Progress<'_, '_>,
    last_written: &mut Option<i64>,
) -> Result<WriteOutcome, Error> {
    progress.enter(WriteAction::ValidatingMedia, rec);
    rec.wait_until_ready(options.timeouts.becoming_ready, &mut |_, _| {})?;
    let disc = rec.disc_summary()?;
    let max_transfer_bytes = rec.max_transfer_bytes();
    let holds_data = match WritePlan::blank_check(&disc, options, ranges, max_transfer_bytes) {
        Some(chunk) => Some(!verify::heuristically_blank(rec, chunk, &options.timeouts)?),
        None => None,
    };
    let facts = DriveFacts {
        speed,
        max_transfer_bytes,
        holds_data,
    };
    let mut plan = WritePlan::new(&disc, options, sectors, ranges, &facts)?;
    progress.one_x = one_x_kbps(plan.profile);
    progress.start_at(plan.start_lba);
    let (track, current) = prepare(rec, &mut plan, options, progress)?;
    let start_lba = plan.start_lba;

    progress.expect(plan.speed.kbps.or(current.map(|c| c.0)), rec);
    progress.enter(WriteAction::WritingData, rec);
    let keep_digests =
        options.verification != VerificationLevel::None && matches!(source, Source::Sequential(_));
    let mut digests = Vec::new();
    let digests_out = keep_digests.then_some(&mut digests);
    let result = stream::write_stream(rec, source, &plan, ranges, options, progress, digests_out);
    let last = progress.last_written;
    *last_written = (last >= start_lba).then_some(last);
    let written = (last + 1 - start_lba).max(0) as u64;
    let end = DataEnd::of(&result, sectors.is_some());
    close(rec, &plan, end, written, track, options, progress)?;
    result?;

    if options.verification != VerificationLevel::None {
        progress.enter(WriteAction::Verifying, rec);
        let reference = match source {
            Source::Seekable(s) => Reference::Source(&mut **s),
            Source::Sequential(_) => Reference::Digests(&digests),
        };
        let p = &mut *progress;
        let level = options.verification;
        verify::verify(
            rec,
            reference,
            plan.chunk,
            written,
            start_lba,
            ranges,
            level,
            &options.timeouts,
            &mut |done, total, device_now| {
                p.sectors_verified = done;
                p.sectors_to_verify = total;
                p.waiting(None, device_now);
            },
        )?;
        // The last word of the verification, however short it was.
        progress.emit(rec);
    }

    let hr = plan.outcome_code(current);
    progress.enter(WriteAction::Completed, rec);
    Ok(WriteOutcome {
        hresult: hr,
        code: success_code(hr),
        start_lba,
        sectors: written,
        disc_closed: plan.disc_closed(end, written),
        elapsed_time: progress.clock.elapsed(rec).as_secs_f64(),
    })
}

/// Speed, write parameters, format and power calibration. Returns the track this write
/// records (closed by number: after SYNCHRONIZE CACHE a drive may already report the next,
/// empty, invisible track) and the speed and rotation the drive selected.
fn prepare<T: Transport>(
    rec: &mut Recorder<T>,
    plan: &mut WritePlan,
    options: &WriteOptions,
    progress: &mut Progress<'_, '_>,
) -> Result<(u16, Option<(u32, bool)>), Error> {
    progress.enter(WriteAction::InitializingHardware, rec);
    let speed = plan.speed;
    rec.set_speed(speed.cd, speed.kbps, speed.pure_cav, speed.end_lba)?;
    let current = properties::current_write_speed(rec)?;
    progress.kbps = current.map(|c| c.0);
    if let Some(page) = plan.write_parameters {
        run_step(rec, page, 0, plan.chunk, options, &mut |_, _| {})?;
    }
    if let Some(format) = plan.format {
        progress.enter(WriteAction::FormattingMedia, rec);
        let restart = format == FormatStep::DvdPlusRwRestart;
        match format {
            FormatStep::DvdPlusRwBackground | FormatStep::DvdPlusRwRestart => {
                // The drive formats in the background; the data follows at once.
                let descriptor = FormatDescriptor::dvd_plus_rw_basic(restart);
                rec.format(descriptor, &options.timeouts)?;
            }
            FormatStep::Default => {
                let descriptor = rec.default_format(false)?;
                rec.format(descriptor, &options.timeouts)?;
                let budget = options.timeouts.long_operation;
                rec.wait_after_immed(budget, &mut |f, t| progress.waiting(f, t))?;
                progress.emit(rec);
            }
        }
    }
    let mut track = 0;
    if plan.calibrate {
        progress.enter(WriteAction::CalibratingPower, rec);
        rec.calibrate_power(&options.timeouts)?;
        let invisible = rec.invisible_track()?;
        track = invisible.track_number;
        if let Some(nwa) = invisible.next_writable_address {
            if i64::from(nwa) != plan.start_lba {
                debug!(target: "discwriter::write", "next writable address {nwa} once the write parameters are set (was {})", plan.start_lba);
            }
            plan.relocate(nwa, invisible.free_blocks)?;
        }
        progress.start_at(plan.start_lba);
    }
    Ok((track, current))
}

/// Runs the plan's closing for a data phase that ended with `end` after `written` sectors.
fn close<T: Transport>(
    rec: &mut Recorder<T>,
    plan: &WritePlan,
    end: DataEnd,
    written: u64,
    track: u16,
    options: &WriteOptions,
    progress: &mut Progress<'_, '_>,
) -> Result<(), Error> {
    let closing = plan.closing(end, written);
    if closing.finalize {
        progress.enter(WriteAction::Finalization, rec);
    }
    for (step, on_error) in closing.steps {
        let result = if closing.finalize {
            let tick = &mut |f, t| progress.waiting(f, t);
            run_step(rec, step, track, plan.chunk, options, tick)
        } else {
            run_step(rec, step, track, plan.chunk, options, &mut |_, _| {})
        };
        match (result, on_error) {
            (Ok(()), _) | (Err(_), OnError::Continue) => {}
            (Err(e), OnError::Fail) => return Err(e),
            (Err(_), OnError::Stop) => break,
        }
    }
    Ok(())
}

fn run_step<T: Transport>(
    rec: &mut Recorder<T>,
    step: Step,
    track: u16,
    chunk: u64,
    options: &WriteOptions,
    tick: &mut WaitTick<'_>,
) -> Result<(), Error> {
    let timeouts = &options.timeouts;
    match step {
        Step::WriteZeros { lba, sectors } => {
            stream::write_zeros(rec, lba, sectors, chunk, timeouts)
        }
        Step::WriteParameters { keep_open, bufe } => {
            rec.set_write_parameters(|page| tao_data_track(page, keep_open, bufe))
        }
        Step::Synchronize => rec.synchronize(timeouts, tick),
        Step::CloseTrack => rec.close(CloseFunction::CloseTrack, track, timeouts, tick),
        Step::Close(function) => rec.close(function, 0, timeouts, tick),
    }
}
