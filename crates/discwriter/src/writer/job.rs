//! The executor of a [`WritePlan`]: prepares the drive (speed, write parameters, format,
//! power calibration), writes the stream, runs the plan's closing and verifies. What to do
//! is the plan's; this file only sends it.

use mmc_core::cdb::CloseFunction;
use mmc_core::Transport;

use super::estimate::Budget;
use super::events::WriteAction;
use super::plan::{DataEnd, FormatStep, OnError, Step, WritePlan};
use super::progress::Progress;
use super::{properties, speed, stream, verify, BlockRange, Source, WriteOptions, WriteOutcome};
use crate::error::Error;
use crate::recorder::{write_page, DefectManagement, DiscState, Recorder, WaitTick};

/// Runs `plan`: writes the stream of `source`; `last_written` learns the last LBA sent to
/// the drive.
pub(super) fn execute<T: Transport + Send>(
    rec: &mut Recorder<T>,
    mut plan: WritePlan,
    source: &mut Source<'_>,
    ranges: Option<&[BlockRange]>,
    options: &WriteOptions,
    progress: &mut Progress<'_, '_>,
    last_written: &mut Option<i64>,
) -> Result<WriteOutcome, Error> {
    progress.budget = Some(Budget::of(&plan, options, plan.speed.kbps));
    let (track, current) = prepare(rec, &mut plan, options, progress)?;
    // The speed the drive chose, and a write-once disc's start, known now.
    let kbps = progress.kbps.or(plan.speed.kbps);
    progress.budget = Some(Budget::of(&plan, options, kbps));
    let start_lba = plan.start_lba;

    let mut hashes = stream::Hashes::default();
    let result = stream::write_data(rec, source, &plan, ranges, options, progress, &mut hashes);
    let last = progress.last_written;
    *last_written = (last >= start_lba).then_some(last);
    let written = (last + 1 - start_lba).max(0) as u64;
    let end = DataEnd::of(&result, plan.sectors.is_some());
    close(rec, &plan, end, written, track, options, progress)?;
    result?;

    let area = (start_lba, written, plan.chunk);
    verify::verify_write(rec, source, &hashes.verify, area, ranges, options, progress)?;
    // Whether the disc is closed is what the drive says now (READ DISC INFORMATION).
    let state_after = (plan.class.write_once())
        .then(|| {
            rec.disc_information()
                .map(|i| DiscState::of(i.disc_status))
                .ok()
        })
        .flatten();
    progress.enter(WriteAction::Completed, rec);
    let elapsed = progress.clock.elapsed(rec).as_secs_f64();
    let mut outcome = plan.outcome(written, current, elapsed, state_after);
    outcome.data = options.record_digest.then(|| hashes.manifest.finish());
    Ok(outcome)
}

/// Speed, write parameters, format, power calibration and the track opened. Returns the track this write
/// records (closed by number: after SYNCHRONIZE CACHE a drive may already report the next,
/// empty, invisible track) and the speed and rotation the drive selected.
fn prepare<T: Transport>(
    rec: &mut Recorder<T>,
    plan: &mut WritePlan,
    options: &WriteOptions,
    progress: &mut Progress<'_, '_>,
) -> Result<(u16, Option<(u32, bool)>), Error> {
    progress.enter(WriteAction::InitializingHardware, rec);
    let current = speed::apply(rec, &plan.speed)?;
    progress.kbps = current.map(|c| c.0);
    if let Some(page) = plan.write_parameters {
        run_step(rec, page, 0, plan.chunk, options, &mut |_, _| {})?;
    }
    if let Some(format) = plan.format {
        progress.enter(WriteAction::FormattingMedia, rec);
        let descriptor = match format.descriptor() {
            Some(descriptor) => descriptor,
            // An unformatted BD-RE: the spare areas the write's defect management names;
            // with it off, the default ones (only this write bypasses them: the disc keeps
            // them for the writes after it).
            None => {
                let choice = match options.defect_management {
                    DefectManagement::Off => DefectManagement::default(),
                    on => on,
                };
                rec.spare_format(plan.profile, choice)?
            }
        };
        if format == FormatStep::Default {
            plan.formatted(descriptor.number_of_blocks)?;
        }
        rec.format(descriptor, &options.timeouts)?;
        // A DVD+RW formats in the background and the data follows at once.
        if matches!(format, FormatStep::Default | FormatStep::DvdRwQuickGrow) {
            let budget = options.timeouts.long_operation;
            rec.wait_after_immed(budget, &mut |f, t| progress.waiting(f, t))?;
        }
        // Spare areas turn the drive's verify-after-write on: the speed it records at now.
        if format == FormatStep::Default {
            if let Ok(Some((kbps, _))) = properties::current_write_speed(rec) {
                progress.kbps = Some(kbps);
            }
        }
    }
    let mut track = 0;
    if plan.write_once {
        progress.enter(WriteAction::CalibratingPower, rec);
        rec.calibrate_power(&options.timeouts)?;
        track = open_track(rec, plan, options)?;
        progress.start_at(plan.start_lba);
    }
    Ok((track, current))
}

/// A write-once disc's track, once the power is calibrated and before the first WRITE: the
/// layer break set while it still can be (growisofs sets it after power calibration), the
/// write moved to the invisible track's next writable address, and the reservation made.
/// Returns the track's number.
fn open_track<T: Transport>(
    rec: &mut Recorder<T>,
    plan: &mut WritePlan,
    options: &WriteOptions,
) -> Result<u16, Error> {
    if let Some(layer0_sectors) = plan.layer_break {
        rec.set_layer_boundary(layer0_sectors, &options.timeouts)?;
    }
    let invisible = rec.invisible_track()?;
    if let Some(nwa) = invisible.next_writable_address {
        plan.relocate(nwa, invisible.free_blocks)?;
    }
    // The reservation becomes the track the data goes to, from the same address.
    if let Some(sectors) = plan.reserve {
        rec.reserve_track(sectors)?;
    }
    Ok(invisible.track_number)
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
    let finalize = closing.finalize;
    if finalize {
        progress.enter(WriteAction::Finalization, rec);
    }
    // A salvage after a failure reports no progress.
    let mut tick = |f, t| {
        if finalize {
            progress.waiting(f, t)
        }
    };
    for (step, on_error) in closing.steps {
        match (
            run_step(rec, step, track, plan.chunk, options, &mut tick),
            on_error,
        ) {
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
        Step::WriteParameters {
            write,
            keep_open,
            bufe,
        } => rec.set_write_parameters(|page| write_page(page, write, keep_open, bufe)),
        Step::Synchronize => rec.synchronize(timeouts, tick),
        Step::CloseTrack => rec.close(CloseFunction::CloseTrack, track, timeouts, tick),
        Step::Close(function) => rec.close(function, 0, timeouts, tick),
    }
}
