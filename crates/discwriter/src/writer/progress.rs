//! The progress bookkeeping of one write: the clock (the device's when it has one), the
//! figures an IMAPI progress event carries, and when to send one.

use std::time::{Duration, Instant};

use mmc_core::{Profile, Transport};
use tracing::info;

use super::events::{CancelHandle, EventSink, ProgressEvent, WriteAction};
use crate::error::Error;
use crate::recorder::{Recorder, Timeouts, SECTOR};

/// Events while writing come at least this often.
const EVENT_INTERVAL: Duration = Duration::from_millis(500);

/// Kilobytes (1000 bytes) in a sector, for times at a speed in kB/s.
const SECTOR_KB: f64 = SECTOR as f64 / 1000.0;

/// The medium's 1x in kB/s.
pub(super) fn one_x_kbps(profile: Profile) -> f64 {
    // A profile outside the CD, DVD and BD families is never written; DVD's is a neutral figure.
    profile.one_x().unwrap_or(1385.0)
}

/// Time, from the device's clock when it has one.
pub(super) struct Clock {
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

    pub(super) fn elapsed<T: Transport>(&self, rec: &Recorder<T>) -> Duration {
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
pub(super) struct Progress<'e, 'a> {
    pub(super) events: &'e mut EventSink<'a>,
    pub(super) cancel: CancelHandle,
    pub(super) action: WriteAction,
    pub(super) start_lba: i64,
    /// Sectors of the stream: its length when known, else those read so far.
    pub(super) sectors: u64,
    pub(super) length_known: bool,
    pub(super) last_read: i64,
    pub(super) last_written: i64,
    pub(super) fifo_total: u64,
    pub(super) fifo_used: u64,
    pub(super) last_event: Duration,
    /// When the previous transfer ended (or the action began), to estimate the next one.
    pub(super) last_tick: Duration,
    /// Seconds from the start by which the data is expected to be written, at the drive's speed.
    pub(super) estimate: f64,
    pub(super) kbps: Option<u32>,
    pub(super) one_x: f64,
    pub(super) clock: Clock,
    pub(super) drive_buffer_fill: Option<f64>,
    /// The drive answers READ BUFFER CAPACITY (until it refuses it once).
    pub(super) ask_buffer: bool,
    /// Fraction done of the long operation the drive is busy with.
    pub(super) operation: Option<f64>,
    pub(super) sectors_verified: u64,
    pub(super) sectors_to_verify: u64,
}

impl<'e, 'a> Progress<'e, 'a> {
    /// The bookkeeping of a write of `sectors` sectors (`None`: not known yet), from now.
    pub(super) fn new<T: Transport>(
        rec: &Recorder<T>,
        events: &'e mut EventSink<'a>,
        cancel: &CancelHandle,
        sectors: Option<u64>,
        fifo_bytes: usize,
    ) -> Self {
        Progress {
            events,
            cancel: cancel.clone(),
            action: WriteAction::ValidatingMedia,
            start_lba: 0,
            sectors: sectors.unwrap_or(0),
            length_known: sectors.is_some(),
            last_read: -1,
            last_written: -1,
            fifo_total: fifo_bytes as u64,
            fifo_used: 0,
            last_event: Duration::ZERO,
            last_tick: Duration::ZERO,
            estimate: 0.0,
            kbps: None,
            one_x: one_x_kbps(Profile::CdR),
            clock: Clock::start(rec),
            drive_buffer_fill: None,
            ask_buffer: true,
            operation: None,
            sectors_verified: 0,
            sectors_to_verify: 0,
        }
    }

    /// The data starts at `start_lba`: nothing of it is written yet.
    pub(super) fn start_at(&mut self, start_lba: i64) {
        self.start_lba = start_lba;
        self.last_written = start_lba - 1;
    }

    /// The time the data is expected to be written by, at `kbps`.
    pub(super) fn expect<T: Transport>(&mut self, kbps: Option<u32>, rec: &Recorder<T>) {
        let begins = self.clock.elapsed(rec).as_secs_f64();
        self.estimate = begins
            + kbps
                .map(|k| self.sectors as f64 * SECTOR_KB / f64::from(k.max(1)))
                .unwrap_or(0.0);
    }

    pub(super) fn emit<T: Transport>(&mut self, rec: &Recorder<T>) {
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
                elapsed_s + left * SECTOR_KB / f64::from(kbps.max(1))
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

    pub(super) fn enter<T: Transport>(&mut self, action: WriteAction, rec: &Recorder<T>) {
        info!(target: "discwriter::write", "{}", action.describe());
        self.action = action;
        self.operation = None;
        self.emit(rec);
        self.last_tick = self.last_event;
    }

    /// While the drive works on a long operation: an event every EVENT_INTERVAL of the
    /// device's time, with the fraction done when the drive reports it.
    pub(super) fn waiting(&mut self, fraction: Option<f64>, device_now: Option<Duration>) {
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
    pub(super) fn tick<T: Transport>(
        &mut self,
        rec: &mut Recorder<T>,
        timeouts: &Timeouts,
    ) -> Result<(), Error> {
        let now = self.clock.elapsed(rec);
        let transfer = now.saturating_sub(self.last_tick);
        self.last_tick = now;
        if now + transfer > self.last_event + EVENT_INTERVAL {
            if self.ask_buffer {
                self.drive_buffer_fill = rec.buffer_fill(timeouts)?;
                self.ask_buffer = self.drive_buffer_fill.is_some();
            }
            self.emit(rec);
        }
        Ok(())
    }
}
