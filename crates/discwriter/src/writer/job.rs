//! One write, step by step (mmc-imapi-notes §2.5): validate the medium, prepare the drive
//! (speed, write parameters, format, power calibration), write the stream through the fifo,
//! finalize (synchronize, close track and session, or the DVD+RW close), verify.

use std::io::SeekFrom;
use std::time::{Duration, Instant};

use tracing::{debug, info};

use mmc_core::cdb::{
    CdbRepr, CloseFunction, FormatDescriptor, ReadTrackInformation, TrackAddressType, Write10,
};
use mmc_core::response::{ResponseFormat, TrackInformation};
use mmc_core::{DataPhase, ImapiCode, Profile, Transport};

use super::drive_ops::tao_data_track;
use super::events::{CancelHandle, EventSink, ProgressEvent, WriteAction};
use super::fifo::{self, Next, StreamError};
use super::verify::{self, Reference};
use super::{BlockRange, Source, WriteOutcome, WriterState};
use crate::error::{ApiMisuse, DeviceCause, Error, Phase};
use crate::media_status::DiscState;
use crate::recorder::Recorder;

/// Sectors per WRITE at most: 64 KiB, a whole number of ECC blocks on DVD (16) and BD (32).
const CHUNK_SECTORS: u64 = 32;
/// IMAPI appends a 150-sector post-gap to CD data tracks.
const CD_POSTGAP: u64 = 150;
/// TAO run-out blocks at the end of a CD track.
const CD_RUN_OUT: u64 = 2;
/// Events while writing come at least this often.
const EVENT_INTERVAL: Duration = Duration::from_millis(500);

/// The medium classes the writer handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Write-once, recorded session by session (CD-R, DVD+R, BD-R SRM).
    Sequential,
    /// Overwritable in place (DVD+RW, BD-RE).
    Overwritable,
}

pub(crate) fn supported_class(profile: Profile) -> Option<Class> {
    match profile {
        Profile::CdR | Profile::DvdPlusR | Profile::BdRSrm => Some(Class::Sequential),
        Profile::DvdPlusRw | Profile::BdRe => Some(Class::Overwritable),
        _ => None,
    }
}

/// The medium's ECC block in sectors (MMC-6 4.5: 16 on DVD, 32 on BD; 1 on CD), the unit
/// transfers are kept to when the path to the drive takes less than 64 KiB.
fn ecc_block(profile: Profile) -> u32 {
    if profile.is_bd() {
        32
    } else if profile.is_cd() {
        1
    } else {
        16
    }
}

/// Speed units: kB/s per sector/s (CD counts raw 2352-byte frames, as SET CD SPEED does).
fn kbps_for(profile: Profile, sectors_per_second: i32) -> Option<u32> {
    if sectors_per_second < 0 {
        return None;
    }
    let bytes = if profile.is_cd() { 2352 } else { 2048 };
    Some((i64::from(sectors_per_second) * bytes / 1000).clamp(1, i64::from(u32::MAX)) as u32)
}

/// The medium's 1x in kB/s.
fn one_x_kbps(profile: Profile) -> f64 {
    if profile.is_cd() {
        176.4
    } else if profile.is_bd() {
        4495.5
    } else {
        1385.0
    }
}

/// Time, from the device's clock when it has one.
struct Clock {
    start_device: Option<Duration>,
    start_real: Instant,
}

impl Clock {
    fn start<T: Transport>(rec: &Recorder<T>) -> Self {
        Clock {
            start_device: rec.device_time(),
            start_real: Instant::now(),
        }
    }

    fn elapsed<T: Transport>(&self, rec: &Recorder<T>) -> Duration {
        self.elapsed_at(rec.device_time())
    }

    /// The time since the start, given the device's clock now.
    fn elapsed_at(&self, device_now: Option<Duration>) -> Duration {
        match (self.start_device, device_now) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => self.start_real.elapsed(),
        }
    }
}

/// The progress bookkeeping of one write.
struct Progress<'e, 'a> {
    events: &'e mut EventSink<'a>,
    cancel: CancelHandle,
    action: WriteAction,
    start_lba: i64,
    /// Sectors of the stream: its length when known, else those read so far.
    sectors: u64,
    length_known: bool,
    last_read: i64,
    last_written: i64,
    fifo_total: u64,
    fifo_used: u64,
    last_event: Duration,
    /// When the previous transfer ended (or the action began), to estimate the next one.
    last_tick: Duration,
    /// Seconds from the start by which the data is expected to be written, at the drive's speed.
    estimate: f64,
    kbps: Option<u32>,
    one_x: f64,
    clock: Clock,
    drive_buffer_fill: Option<f64>,
    /// The drive answers READ BUFFER CAPACITY (until it refuses it once).
    ask_buffer: bool,
    /// Fraction done of the long operation the drive is busy with.
    operation: Option<f64>,
    sectors_verified: u64,
    sectors_to_verify: u64,
}

impl Progress<'_, '_> {
    fn emit<T: Transport>(&mut self, rec: &Recorder<T>) {
        self.emit_at(rec.device_time());
    }

    fn emit_at(&mut self, device_now: Option<Duration>) {
        let elapsed = self.clock.elapsed_at(device_now);
        self.last_event = elapsed;
        let done = (self.last_written + 1 - self.start_lba).max(0) as f64;
        let fraction = if self.sectors == 0 {
            0.0
        } else {
            (done / self.sectors as f64).min(1.0)
        };
        let elapsed_s = elapsed.as_secs_f64();
        // While the data moves, what is left at the drive's recording speed (an average
        // since the start would count the validation and the drive's buffer filling at
        // once); otherwise the average so far, or the estimate made before.
        let total = match (self.action, self.kbps, self.length_known) {
            (WriteAction::WritingData, Some(kbps), true) => {
                let left = (self.sectors as f64 - done).max(0.0);
                elapsed_s + left * 2.048 / f64::from(kbps.max(1))
            }
            _ if self.length_known && fraction > 0.05 => elapsed_s / fraction,
            _ => self.estimate.max(elapsed_s),
        };
        let event = ProgressEvent {
            action: self.action,
            elapsed_time: elapsed_s,
            remaining_time: (total - elapsed_s).max(0.0),
            total_time: total,
            start_lba: self.start_lba,
            sector_count: self.sectors,
            sector_count_known: self.length_known,
            last_read_lba: self.last_read,
            last_written_lba: self.last_written,
            total_system_buffer: self.fifo_total,
            used_system_buffer: self.fifo_used,
            free_system_buffer: self.fifo_total.saturating_sub(self.fifo_used),
            drive_buffer_fill: self.drive_buffer_fill,
            speed_x: self.kbps.map(|k| f64::from(k) / self.one_x),
            operation_progress: self.operation,
            sectors_verified: self.sectors_verified,
            sectors_to_verify: self.sectors_to_verify,
        };
        let cancel = self.cancel.clone();
        (self.events)(&event, &cancel);
    }

    fn enter<T: Transport>(&mut self, action: WriteAction, rec: &Recorder<T>) {
        info!(target: "discwriter::write", "{}", action.describe());
        self.action = action;
        self.operation = None;
        self.emit(rec);
        self.last_tick = self.last_event;
    }

    /// While the drive works on a long operation: an event every EVENT_INTERVAL of the
    /// device's time, with the fraction done when the drive reports it.
    fn waiting(&mut self, fraction: Option<f64>, device_now: Option<Duration>) {
        if fraction.is_some() {
            self.operation = fraction;
        }
        if self.clock.elapsed_at(device_now) >= self.last_event + EVENT_INTERVAL {
            self.emit_at(device_now);
        }
    }

    /// After each transfer: an event when the next transfer, expected to take as long as
    /// this one, would end more than EVENT_INTERVAL after the last event. Waiting for the
    /// interval to have passed overshot it by up to one transfer (0.56 s gaps at 4x CD).
    ///
    /// The drive's buffer fill is asked for there (READ BUFFER CAPACITY) with the timeout of a
    /// WRITE: a drive busy recording may answer late, and a timeout would have the kernel
    /// reset it mid-track. A drive that refuses the command is not asked again; one that
    /// does not answer at all ends the write like a WRITE that did not.
    fn tick<T: Transport>(
        &mut self,
        rec: &mut Recorder<T>,
        timeouts: &super::Timeouts,
    ) -> Result<(), Error> {
        let now = self.clock.elapsed(rec);
        let transfer = now.saturating_sub(self.last_tick);
        self.last_tick = now;
        if now + transfer > self.last_event + EVENT_INTERVAL {
            if self.ask_buffer {
                self.drive_buffer_fill = drive_buffer_fill(rec, timeouts)?;
                self.ask_buffer = self.drive_buffer_fill.is_some();
            }
            self.emit(rec);
        }
        Ok(())
    }
}

/// Runs one write with the writer's state locked.
pub(super) fn run<T: Transport + Send>(
    state: &mut WriterState<T>,
    mut source: Source<'_>,
    length: Option<u64>,
    ranges: Option<&[BlockRange]>,
    events: &mut EventSink<'_>,
    cancel: &CancelHandle,
) -> Result<WriteOutcome, Error> {
    // Checked before the drive is touched (IMAPI: the stream, the recorder, the client).
    if let Some(length) = length {
        if length % 2048 != 0 {
            return Err(Error::Api(ApiMisuse::StreamNotSupported { bytes: length }));
        }
    }
    let sectors = length.map(|l| l / 2048);
    if let Some(ranges) = ranges {
        let Some(sectors) = sectors else {
            return Err(Error::Api(ApiMisuse::InvalidArg(
                "a block range list needs a stream of known length".into(),
            )));
        };
        for r in ranges {
            if r.start_lba > r.end_lba || r.end_lba >= sectors {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "block range {}..={} is outside the {sectors}-sector stream",
                    r.start_lba, r.end_lba
                ))));
            }
        }
    }
    let client = state.client_name.clone().ok_or_else(|| {
        Error::Api(ApiMisuse::ClientNameIsNotValid {
            name: String::new(),
            reason: "no client name was set",
        })
    })?;
    let options = state.options.clone();
    // The fifo must fit in memory before anything is sent to the drive (a BD-RE would
    // otherwise be formatted first): E_OUTOFMEMORY, as IMAPI returns for its buffers.
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(
            options
                .fifo_bytes
                .saturating_add(2 * CHUNK_SECTORS as usize * 2048),
        )
        .map_err(|_| Error::OutOfMemory("the fifo between the image and the drive"))?;
    drop(probe);
    let speed = state.speed;
    let WriterState {
        recorder,
        last_written_lba,
        ..
    } = state;
    let rec = recorder
        .as_mut()
        .ok_or(Error::Api(ApiMisuse::RecorderRequired))?;
    rec.acquire_exclusive(&client)?;
    *last_written_lba = None;
    // The tray stays shut while the write runs (IMAPI locks it during a burn too), and is
    // unlocked however the write ends.
    rec.lock_tray(true)?;
    let result = write_steps(
        rec,
        &mut source,
        sectors,
        ranges,
        events,
        cancel,
        &options,
        speed,
        last_written_lba,
    );
    rec.unlock_tray_after();
    result
}

/// Where the data of a write goes, and what bounds it.
#[derive(Debug, Clone, Copy)]
struct Placement {
    start_lba: i64,
    /// Sectors per WRITE: 64 KiB, or what the path to the drive takes, in whole ECC blocks.
    chunk: u64,
    /// The most sectors of the stream the disc takes (after what the medium adds).
    limit: u64,
    /// Sectors the medium adds after the data (CD post-gap and run-out).
    overhead: u64,
    free: u64,
    total: u64,
}

impl Placement {
    /// IMAPI closes the disc when asked, or when at most 2 % of it would remain free.
    fn closes_disc(&self, sectors: u64, options: &super::WriteOptions) -> bool {
        let remaining = self.free.saturating_sub(sectors + self.overhead);
        options.force_media_to_be_closed || remaining * 50 <= self.total
    }
}

/// The steps of a write; `last_written_out` learns the last LBA sent to the drive.
#[allow(clippy::too_many_arguments)]
fn write_steps<T: Transport + Send>(
    rec: &mut Recorder<T>,
    source: &mut Source<'_>,
    sectors: Option<u64>,
    ranges: Option<&[BlockRange]>,
    events: &mut EventSink<'_>,
    cancel: &CancelHandle,
    options: &super::WriteOptions,
    speed: super::SpeedRequest,
    last_written_out: &mut Option<i64>,
) -> Result<WriteOutcome, Error> {
    let options = options.clone();

    let mut progress = Progress {
        events,
        cancel: cancel.clone(),
        action: WriteAction::ValidatingMedia,
        start_lba: 0,
        sectors: sectors.unwrap_or(0),
        length_known: sectors.is_some(),
        last_read: -1,
        last_written: -1,
        fifo_total: options.fifo_bytes as u64,
        fifo_used: 0,
        last_event: Duration::ZERO,
        last_tick: Duration::ZERO,
        estimate: 0.0,
        kbps: None,
        one_x: 176.4,
        clock: Clock::start(rec),
        drive_buffer_fill: None,
        ask_buffer: true,
        operation: None,
        sectors_verified: 0,
        sectors_to_verify: 0,
    };
    progress.enter(WriteAction::ValidatingMedia, rec);
    rec.wait_until_ready(options.timeouts.becoming_ready, &mut |_, _| {})?;
    let summary = rec.disc_summary()?;
    let profile = Profile::from_u16(summary.profile_code);
    let class = supported_class(profile).ok_or_else(|| Error::MediaIsNotSupported {
        detail: format!("{} discs are not written by this writer", summary.profile),
    })?;
    if summary.write_protected {
        return Err(Error::MediaWriteProtected {
            cause: DeviceCause {
                opcode: mmc_core::Opcode::GetConfiguration,
                sense: None,
            },
        });
    }
    progress.one_x = one_x_kbps(profile);
    let chunk = u64::from(rec.transfer_sectors(ecc_block(profile)));

    // Where the data goes and how much of it fits.
    let mut place = match class {
        Class::Sequential => {
            // A block range list skips sectors, which write-once media cannot do: the drive
            // only accepts the next writable address (05/21/02 otherwise), so the write used
            // to fail after the first range had been recorded. Refused before recording.
            if ranges.is_some() {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "a block range list needs rewritable media; {} discs are written session by session",
                    summary.profile
                ))));
            }
            if summary.status == DiscState::Complete {
                return Err(Error::InvalidMediaState {
                    detail: "the disc is finalized; nothing more can be recorded".into(),
                });
            }
            let nwa = summary
                .next_writable_address
                .ok_or_else(|| Error::InvalidMediaState {
                    detail: "the drive reports no next writable address".into(),
                })?;
            let overhead = if profile.is_cd() {
                CD_RUN_OUT
                    + if options.postgap_already_in_image {
                        0
                    } else {
                        CD_POSTGAP
                    }
            } else {
                0
            };
            let free = u64::from(summary.free_sectors);
            Placement {
                start_lba: i64::from(nwa),
                chunk,
                limit: free.saturating_sub(overhead),
                overhead,
                free,
                total: u64::from(summary.total_sectors),
            }
        }
        Class::Overwritable => {
            if ranges.is_none() && !options.force_overwrite && summary.status != DiscState::Blank {
                let blank = verify::heuristically_blank(rec, chunk, &options.timeouts)?;
                if !blank {
                    return Err(Error::MediaNotBlank);
                }
            }
            let total = u64::from(summary.total_sectors);
            Placement {
                start_lba: 0,
                chunk,
                limit: total,
                overhead: 0,
                free: total,
                total,
            }
        }
    };
    if let Some(sectors) = sectors {
        if sectors > place.limit {
            return Err(Error::StreamTooLargeForCurrentMedia {
                needed: Some(sectors + place.overhead),
                free: place.free,
            });
        }
    }
    // Known now for a stream of known length; for one read to its end, once it has ended.
    let planned_close =
        class == Class::Sequential && place.closes_disc(sectors.unwrap_or(0), &options);
    progress.start_lba = place.start_lba;
    progress.last_written = place.start_lba - 1;

    // Hardware: speed, and on CD the write parameters.
    progress.enter(WriteAction::InitializingHardware, rec);
    let requested_kbps = kbps_for(profile, speed.sectors_per_second);
    rec.set_speed(
        profile.is_cd(),
        requested_kbps,
        speed.pure_cav,
        summary.total_sectors.saturating_sub(1),
    )?;
    let current = super::properties::current_write_speed(rec)?;
    progress.kbps = current.map(|c| c.0);
    // Page 05h's multi-session field says, at CLOSE SESSION, whether the CD stays appendable.
    let page_keeps_open = !(sectors.is_some() && planned_close);
    if profile.is_cd() {
        let keep_open = page_keeps_open;
        rec.set_write_parameters(|page| {
            tao_data_track(page, keep_open, !options.buffer_underrun_free_disabled)
        })?;
    }

    // Formatting: DVD+RW starts a background format and writes at once; BD-RE waits.
    if summary.needs_formatting {
        progress.enter(WriteAction::FormattingMedia, rec);
        let descriptor = rec.default_format(profile == Profile::DvdPlusRw)?;
        rec.format(descriptor, &options.timeouts)?;
        if profile != Profile::DvdPlusRw {
            let p = &mut progress;
            let budget = options.timeouts.long_operation;
            rec.wait_after_immed(budget, &mut |f, t| p.waiting(f, t))?;
            p.emit(rec);
        }
    } else if summary.background_format_stopped {
        // A DVD+RW whose background format an earlier compatibility close stopped: resume it
        // (FORMAT UNIT 26h with Restart, MMC-6 6.5.4.2.14), as growisofs and libburn do with a
        // partly formatted DVD+RW, so that it can finish while and after this write; the
        // drive de-ices in the background, so the write goes on at once.
        progress.enter(WriteAction::FormattingMedia, rec);
        rec.format(FormatDescriptor::dvd_plus_rw_basic(true), &options.timeouts)?;
    }

    // The track this write records (closed by number: after SYNCHRONIZE CACHE a drive may
    // already report the next, empty, invisible track).
    let mut track = 0;
    if class == Class::Sequential {
        progress.enter(WriteAction::CalibratingPower, rec);
        rec.calibrate_power(&options.timeouts)?;
        let invisible = invisible_track(rec)?;
        track = invisible.track_number;
        // The next writable address depends on the write parameters (on CD the write type
        // and the track's pre-gap, MMC-6 6.27.3.9), which are set now: the address the drive
        // gives after that is where the data goes.
        if let Some(nwa) = invisible.next_writable_address {
            if i64::from(nwa) != place.start_lba {
                debug!(target: "discwriter::write", "next writable address {nwa} once the write parameters are set (was {})", place.start_lba);
                place.start_lba = i64::from(nwa);
                place.free = u64::from(invisible.free_blocks);
                place.limit = place.free.saturating_sub(place.overhead);
                if let Some(sectors) = sectors.filter(|&s| s > place.limit) {
                    return Err(Error::StreamTooLargeForCurrentMedia {
                        needed: Some(sectors + place.overhead),
                        free: place.free,
                    });
                }
            }
        }
        progress.start_lba = place.start_lba;
        progress.last_written = place.start_lba - 1;
    }
    let start_lba = place.start_lba;

    // The data.
    let begins = progress.clock.elapsed(rec).as_secs_f64();
    progress.estimate = begins
        + requested_kbps
            .or(current.map(|c| c.0))
            .map(|k| sectors.unwrap_or(0) as f64 * 2.048 / f64::from(k.max(1)))
            .unwrap_or(0.0);
    progress.enter(WriteAction::WritingData, rec);
    let keep_digests = options.verification != super::VerificationLevel::None
        && matches!(source, Source::Sequential(_));
    let mut digests = Vec::new();
    let write_result = write_stream(
        rec,
        source,
        sectors,
        &place,
        ranges,
        &options,
        &mut progress,
        keep_digests.then_some(&mut digests),
    );
    let last_written = progress.last_written;
    *last_written_out = (last_written >= start_lba).then_some(last_written);
    let written = (last_written + 1 - start_lba).max(0) as u64;
    // A stream that ended badly, or went on past the disc's space, is reported after what
    // was written has been finalized like the rest of a write.
    let (stream_end, write_result) = match write_result {
        Err(e @ Error::Api(ApiMisuse::StreamNotSupported { .. }))
        | Err(e @ Error::StreamTooLargeForCurrentMedia { .. })
            if sectors.is_none() =>
        {
            (Some(e), Ok(()))
        }
        other => (None, other),
    };
    let cancelled = matches!(write_result, Err(Error::RequestCancelled { .. }));
    // The disc is closed only by a write that recorded all its data.
    let close_disc = class == Class::Sequential
        && write_result.is_ok()
        && stream_end.is_none()
        && place.closes_disc(written, &options);

    // Finalization, also after a cancel (so what was written stays readable and sequential
    // media stay appendable), and best effort after a failure.
    let finalize = |rec: &mut Recorder<T>, progress: &mut Progress<'_, '_>| -> Result<(), Error> {
        progress.enter(WriteAction::Finalization, rec);
        let written_any = last_written >= start_lba;
        if class == Class::Sequential
            && profile.is_cd()
            && !options.postgap_already_in_image
            && written_any
            && !cancelled
        {
            write_zeros(rec, last_written + 1, CD_POSTGAP, place.chunk, &options)?;
        }
        if class == Class::Sequential && profile.is_cd() && written_any {
            // The page said what the write expected; what it turned out to be decides.
            if page_keeps_open == close_disc {
                let keep_open = !close_disc;
                rec.set_write_parameters(|page| {
                    tao_data_track(page, keep_open, !options.buffer_underrun_free_disabled)
                })?;
            }
        }
        let mut tick = |f, t| progress.waiting(f, t);
        rec.synchronize(&options.timeouts, &mut tick)?;
        match class {
            Class::Sequential => {
                if written_any {
                    rec.close(
                        CloseFunction::CloseTrack,
                        track,
                        &options.timeouts,
                        &mut tick,
                    )?;
                    let function = if close_disc && !profile.is_cd() {
                        if profile.is_bd() {
                            CloseFunction::FinalizeDisc
                        } else {
                            CloseFunction::FinalizeMinimalRadius
                        }
                    } else {
                        CloseFunction::CloseSession
                    };
                    rec.close(function, 0, &options.timeouts, &mut tick)?;
                }
            }
            Class::Overwritable if profile == Profile::DvdPlusRw => {
                let function = if options.disable_consumer_dvd_compatibility_mode {
                    CloseFunction::QuickStopBackgroundFormat
                } else {
                    CloseFunction::CloseSession
                };
                rec.close(function, 0, &options.timeouts, &mut tick)?;
            }
            Class::Overwritable => {}
        }
        Ok(())
    };
    match write_result {
        Ok(()) => finalize(rec, &mut progress)?,
        Err(e @ Error::RequestCancelled { .. }) => {
            finalize(rec, &mut progress)?;
            return Err(e);
        }
        Err(e) if drive_failed(&e) => {
            // The drive failed (a write error, a reset, a disc change, a timeout...): what it
            // acknowledged is not trusted. It is asked to write what it still holds
            // (SYNCHRONIZE CACHE, best effort), and on write-once media the track is left
            // open, as libburn leaves it: closing it would make a truncated track, maybe
            // with a hole, look like a complete session. The next write continues the track
            // at the address the drive reports.
            let _ = rec.synchronize(&options.timeouts, &mut |_, _| {});
            return Err(e);
        }
        Err(e) => {
            // The host failed (reading the image): what the drive took is sound. It is made
            // durable, and on write-once media the track and the session are closed
            // (appendable) so that it is in a readable session; best effort, and the first
            // error is the one reported.
            let mut tick = |_, _| {};
            let synced = rec.synchronize(&options.timeouts, &mut tick).is_ok();
            if synced && profile.is_cd() && !page_keeps_open && last_written >= start_lba {
                // A failed write never closes the disc, whatever the page said.
                let _ = rec.set_write_parameters(|page| {
                    tao_data_track(page, true, !options.buffer_underrun_free_disabled)
                });
            }
            if synced && class == Class::Sequential && last_written >= start_lba {
                let closed = rec.close(
                    CloseFunction::CloseTrack,
                    track,
                    &options.timeouts,
                    &mut tick,
                );
                if closed.is_ok() {
                    let _ = rec.close(CloseFunction::CloseSession, 0, &options.timeouts, &mut tick);
                }
            }
            return Err(e);
        }
    }
    if let Some(e) = stream_end {
        return Err(e);
    }

    if options.verification != super::VerificationLevel::None {
        progress.enter(WriteAction::Verifying, rec);
        let reference = match source {
            Source::Seekable(s) => Reference::Source(&mut **s),
            Source::Sequential(_) => Reference::Digests(&digests),
        };
        let p = &mut progress;
        verify::verify(
            rec,
            reference,
            place.chunk,
            written,
            start_lba,
            ranges,
            options.verification,
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

    let hr = adjusted(requested_kbps, speed.pure_cav, current);
    progress.enter(WriteAction::Completed, rec);
    Ok(WriteOutcome {
        code: hr,
        start_lba,
        sectors: written,
        disc_closed: close_disc,
        elapsed_time: progress.clock.elapsed(rec).as_secs_f64(),
    })
}

/// S_OK, or the success code that says what the drive adjusted.
fn adjusted(
    requested_kbps: Option<u32>,
    pure_cav: bool,
    current: Option<(u32, bool)>,
) -> ImapiCode {
    let Some((kbps, cav)) = current else {
        return ImapiCode::Ok;
    };
    let speed = requested_kbps.is_some_and(|r| r.abs_diff(kbps) * 100 > r);
    let rotation = pure_cav && !cav;
    ImapiCode::adjusted(speed, rotation)
}

/// Whether an error came from the drive (or the path to it), as opposed to the host: after
/// one, what the drive acknowledged may not be on the disc.
fn drive_failed(e: &Error) -> bool {
    !matches!(
        e,
        Error::Fail { cause: None, .. }
            | Error::OutOfMemory(_)
            | Error::Api(ApiMisuse::InvalidArg(_))
    )
}

/// The track being written: READ TRACK INFORMATION of the invisible track (MMC-6 6.27).
fn invisible_track<T: Transport>(rec: &mut Recorder<T>) -> Result<TrackInformation, Error> {
    let cdb = ReadTrackInformation {
        open: false,
        address_type: TrackAddressType::TrackNumber,
        address: 0xFF,
        allocation_length: 48,
    }
    .encode();
    rec.read_response(&cdb, 48)
}

/// One WRITE(10) of `data` at `lba`, waiting out a busy drive.
fn write_chunk<T: Transport>(
    rec: &mut Recorder<T>,
    lba: i64,
    data: &[u8],
    options: &super::WriteOptions,
) -> Result<(), Error> {
    let blocks = u16::try_from(data.len() / 2048).unwrap_or(u16::MAX);
    let lba = i32::try_from(lba)
        .map_err(|_| Error::Api(ApiMisuse::InvalidArg(format!("LBA {lba} is out of range"))))?;
    let cdb = Write10 {
        lba,
        blocks,
        ..Write10::default()
    }
    .encode();
    let moved = rec.send_patiently(
        &cdb,
        DataPhase::Out(data),
        options.timeouts.transfer,
        options.timeouts.long_operation,
        Phase::Writing,
        &mut |_, _| {},
    )?;
    // GOOD with a residual: the drive took less than it was sent, and says all is well.
    if moved < data.len() {
        return Err(Error::invalid_response(
            0x2A,
            format!(
                "WRITE (10) at LBA {lba} answered GOOD after taking {moved} of {} bytes",
                data.len()
            ),
        ));
    }
    Ok(())
}

fn write_zeros<T: Transport>(
    rec: &mut Recorder<T>,
    lba: i64,
    sectors: u64,
    chunk: u64,
    options: &super::WriteOptions,
) -> Result<(), Error> {
    let zeros = vec![0u8; chunk as usize * 2048];
    let mut done = 0u64;
    while done < sectors {
        let n = chunk.min(sectors - done);
        write_chunk(
            rec,
            lba + done as i64,
            zeros.get(..n as usize * 2048).unwrap_or(&[]),
            options,
        )?;
        done += n;
    }
    Ok(())
}

/// How often the writer looks at the cancel flag while the source is slow to deliver.
const SOURCE_WAIT: Duration = Duration::from_millis(200);

/// Writes the stream through the fifo, chunk by chunk, checking for cancel before each;
/// with `digests`, keeps a BLAKE3 digest of each chunk for verification.
#[allow(clippy::too_many_arguments)]
fn write_stream<T: Transport + Send>(
    rec: &mut Recorder<T>,
    source: &mut Source<'_>,
    sectors: Option<u64>,
    place: &Placement,
    ranges: Option<&[BlockRange]>,
    options: &super::WriteOptions,
    progress: &mut Progress<'_, '_>,
    mut digests: Option<&mut Vec<blake3::Hash>>,
) -> Result<(), Error> {
    if let Source::Seekable(s) = source {
        s.seek(SeekFrom::Start(0)).map_err(|e| Error::Fail {
            detail: format!("reading the image: {e}"),
            cause: None,
        })?;
    }
    let start_lba = place.start_lba;
    let chunk_bytes = place.chunk as usize * 2048;
    let (fifo, filler) = fifo::channels(options.fifo_bytes, chunk_bytes).ok_or(
        Error::OutOfMemory("the fifo between the image and the drive"),
    )?;
    progress.fifo_total = fifo.total_bytes();
    let length = sectors.map(|s| s * 2048);
    std::thread::scope(|scope| {
        // A file is read on a thread of the scope, joined at the end. A stream is read on a
        // thread of its own that is never waited for: after a cancel or a failure it may sit
        // in a read of a pipe that never delivers again, and the write must still end.
        let reader = match source {
            Source::Seekable(s) => Some(scope.spawn(move || filler.run(&mut **s, length))),
            Source::Sequential(s) => {
                let mut stream = std::mem::replace(s, Box::new(std::io::empty()));
                std::thread::Builder::new()
                    .name("discwriter-reader".into())
                    .spawn(move || filler.run(&mut *stream, length))
                    .map_err(|e| Error::Fail {
                        detail: format!("starting the thread that reads the image: {e}"),
                        cause: None,
                    })?;
                None
            }
        };
        let result = (|| {
            let cancel = progress.cancel.clone();
            fifo.prefill(&|| cancel.is_cancelled());
            debug!(target: "discwriter::write", "fifo: {} of {} bytes before the first WRITE", fifo.used_bytes(), fifo.total_bytes());
            loop {
                if progress.cancel.is_cancelled() {
                    return Err(Error::RequestCancelled {
                        last_written_lba: (progress.last_written >= start_lba)
                            .then_some(progress.last_written),
                    });
                }
                let chunk = match fifo.next(SOURCE_WAIT) {
                    Next::End => return Ok(()),
                    Next::Waiting => continue,
                    Next::Item(item) => item.map_err(stream_error)?,
                };
                let n = (chunk.data.len() / 2048) as u64;
                let first = chunk.first_sector;
                if first + n > place.limit {
                    // Only a stream of unknown length gets here (one of known length was
                    // measured against the free space before anything was written): the
                    // disc is filled, then the write stops.
                    let fits = place.limit.saturating_sub(first);
                    if fits > 0 {
                        let part = chunk.data.get(..fits as usize * 2048).unwrap_or(&[]);
                        write_chunk(rec, start_lba + first as i64, part, options)?;
                        progress.last_written = start_lba + (first + fits) as i64 - 1;
                    }
                    return Err(Error::StreamTooLargeForCurrentMedia {
                        needed: None,
                        free: place.free,
                    });
                }
                if !progress.length_known {
                    progress.sectors = first + n;
                }
                progress.last_read = start_lba + (first + n) as i64 - 1;
                progress.fifo_used = fifo.used_bytes();
                match ranges {
                    None => write_chunk(rec, start_lba + first as i64, &chunk.data, options)?,
                    Some(ranges) => {
                        // Only the sectors inside the block ranges are sent.
                        for r in ranges {
                            let lo = r.start_lba.max(first);
                            let hi = r.end_lba.min(first + n - 1);
                            if lo > hi {
                                continue;
                            }
                            let from = (lo - first) as usize * 2048;
                            let to = (hi - first + 1) as usize * 2048;
                            let part = chunk.data.get(from..to).unwrap_or(&[]);
                            write_chunk(rec, start_lba + lo as i64, part, options)?;
                        }
                    }
                }
                if let Some(d) = digests.as_deref_mut() {
                    d.push(blake3::hash(&chunk.data));
                }
                progress.last_written = start_lba + (first + n) as i64 - 1;
                fifo.recycle(chunk.data);
                progress.tick(rec, &options.timeouts)?;
            }
        })();
        drop(fifo);
        if let Some(reader) = reader {
            let _ = reader.join();
        }
        result
    })
}

/// The error a stream that could not be read to its end is reported as.
fn stream_error(e: StreamError) -> Error {
    match e {
        StreamError::Io(e) => Error::Fail {
            detail: format!("reading the image: {e}"),
            cause: None,
        },
        StreamError::EndedEarly { bytes, expected } => Error::Fail {
            detail: format!(
                "the image ended after {bytes} bytes, before the {expected} bytes its size gave"
            ),
            cause: None,
        },
        StreamError::PartialSector { bytes } => Error::Api(ApiMisuse::StreamNotSupported { bytes }),
    }
}

/// The drive buffer's fill (READ BUFFER CAPACITY, MMC-6 6.20), for the progress display:
/// `None` when the drive refuses the command or answers nothing usable; an error when it does
/// not answer at all.
fn drive_buffer_fill<T: Transport>(
    rec: &mut Recorder<T>,
    timeouts: &super::Timeouts,
) -> Result<Option<f64>, Error> {
    use mmc_core::cdb::ReadBufferCapacity;
    use mmc_core::response::BufferCapacity;
    let cdb = ReadBufferCapacity {
        block: false,
        allocation_length: 12,
    }
    .encode();
    let mut buf = [0u8; 12];
    match rec.send(&cdb, DataPhase::In(&mut buf), timeouts.transfer)? {
        crate::recorder::Answer::Good { transferred } => Ok(buf
            .get(..transferred)
            .and_then(|b| BufferCapacity::parse(b).ok())
            .and_then(|c| c.fill_ratio())),
        crate::recorder::Answer::Check { .. } => Ok(None),
    }
}
