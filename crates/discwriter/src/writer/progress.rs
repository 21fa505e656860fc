//! The progress bookkeeping of one write: the clock (the device's when it has one), the
//! figures an IMAPI progress event carries, and when to send one.

use std::time::{Duration, Instant};

use mmc_core::{ImapiCode, Profile, Transport};
use tracing::info;

use super::estimate::{self, Budget};
use super::events::{CancelHandle, EventSink, ProgressEvent, WriteAction};
use crate::error::Error;
use crate::recorder::{Recorder, Timeouts};

/// Updates come every half second of the device's time, as IMAPI documents its Update events
/// during a write, besides the announcement of each action.
const EVENT_INTERVAL: Duration = Duration::from_millis(500);

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
    /// When the next update of the current action is due: on a grid of EVENT_INTERVAL from
    /// the action's announcement.
    next_update: Duration,
    /// What the rest of the write is expected to take, once it is planned.
    pub(super) budget: Option<Budget>,
    /// When the current action, the data phase and the finalization began (seconds from
    /// the start).
    action_start: f64,
    data_start: Option<f64>,
    finalize_start: Option<f64>,
    /// The RemainingTime last sent from the data phase on: it only counts down.
    remaining_sent: Option<f64>,
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
            next_update: Duration::ZERO,
            budget: None,
            action_start: 0.0,
            data_start: None,
            finalize_start: None,
            remaining_sent: None,
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

    /// The data starts at `start_lba`: nothing of it is read or written yet.
    pub(super) fn start_at(&mut self, start_lba: i64) {
        self.start_lba = start_lba;
        self.last_read = start_lba - 1;
        self.last_written = start_lba - 1;
    }

    pub(super) fn emit<T: Transport>(&mut self, rec: &Recorder<T>) {
        self.emit_at(rec.device_time(), None);
    }

    /// Seconds the rest of the write is expected to take at `now`, from the budget: the data
    /// not yet recorded, the closing once the data is recorded, the verification's reads not
    /// yet done.
    fn remaining_at(&self, now: f64) -> f64 {
        let Some(budget) = self.budget else {
            return 0.0;
        };
        let before_data = matches!(
            self.action,
            WriteAction::ValidatingMedia
                | WriteAction::FormattingMedia
                | WriteAction::InitializingHardware
                | WriteAction::CalibratingPower
        );
        // The drive records what it was sent at its speed from the start of the data phase,
        // whatever its buffer took at once: what it holds is recorded by `recorded_by`; what
        // is not sent yet follows at the same speed. The closing starts once all is recorded.
        let done = (self.last_written + 1 - self.start_lba).max(0) as u64;
        let rate = self.kbps.map_or(self.one_x, f64::from);
        let recorded_by = self
            .data_start
            .map_or(now, |start| start + estimate::seconds(done, rate));
        let backlog = (recorded_by - now).max(0.0);
        let data = match self.action {
            _ if before_data => budget.data.unwrap_or(0.0),
            WriteAction::WritingData => {
                backlog + estimate::seconds(self.sectors.saturating_sub(done), rate)
            }
            WriteAction::Finalization => backlog,
            _ => 0.0,
        };
        let finalize = match (self.action, self.finalize_start) {
            (WriteAction::Finalization, Some(start)) => {
                let closing_from = recorded_by.max(start);
                (budget.finalize - (now - closing_from).max(0.0)).max(0.0)
            }
            _ if before_data || self.action == WriteAction::WritingData => budget.finalize,
            _ => 0.0,
        };
        let verify = match self.action {
            WriteAction::Verifying if self.sectors_to_verify > 0 => {
                let left = self.sectors_to_verify.saturating_sub(self.sectors_verified);
                budget.verify * left as f64 / self.sectors_to_verify as f64
            }
            WriteAction::Verifying => budget.verify,
            WriteAction::Completed => 0.0,
            _ => budget.verify,
        };
        // A format's length is the drive's: what is left at the pace of the fraction it
        // reports done.
        let format = match (self.action, self.operation) {
            (WriteAction::FormattingMedia, Some(done)) if done > 0.0 => {
                (now - self.action_start).max(0.0) * (1.0 - done.min(1.0)) / done
            }
            _ => 0.0,
        };
        format + data + finalize + verify
    }

    /// Sends the event of the current state at the device's time `device_now`, with the
    /// error a failed write ended with on its COMPLETED event.
    fn emit_at(&mut self, device_now: Option<Duration>, error: Option<ImapiCode>) {
        let elapsed = self.clock.elapsed_at(device_now);
        let elapsed_s = elapsed.as_secs_f64();
        let mut remaining = self.remaining_at(elapsed_s);
        // From the data phase on, the estimate only counts down: a part that turns out
        // shorter than planned shortens it, one that runs longer holds it.
        if let Some(sent) = self.remaining_sent {
            remaining = remaining.min(sent);
        }
        if self.action == WriteAction::Completed {
            remaining = 0.0;
        }
        if self.data_start.is_some() {
            self.remaining_sent = Some(remaining);
        }
        let event = ProgressEvent {
            action: self.action,
            elapsed_time: elapsed_s,
            remaining_time: remaining,
            total_time: elapsed_s + remaining,
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
            error,
        };
        let cancel = self.cancel.clone();
        (self.events)(&event, &cancel);
    }

    /// Announces `action`: its event now, its updates every EVENT_INTERVAL from now.
    pub(super) fn enter<T: Transport>(&mut self, action: WriteAction, rec: &Recorder<T>) {
        info!(target: "discwriter::write", "{}", action.describe());
        self.action = action;
        self.operation = None;
        let now = self.clock.elapsed(rec);
        self.action_start = now.as_secs_f64();
        match action {
            WriteAction::WritingData => self.data_start = Some(now.as_secs_f64()),
            WriteAction::Finalization => self.finalize_start = Some(now.as_secs_f64()),
            _ => {}
        }
        self.next_update = now + EVENT_INTERVAL;
        self.emit(rec);
    }

    /// The end of a write that failed with `code`: the action it failed in, with what was
    /// read and written by then, and COMPLETED carrying the code.
    pub(super) fn failed<T: Transport>(&mut self, code: ImapiCode, rec: &Recorder<T>) {
        let now = rec.device_time();
        self.emit_at(now, None);
        self.action = WriteAction::Completed;
        self.operation = None;
        self.emit_at(now, Some(code));
    }

    /// Whether an update is due at `elapsed`; if so, the next one is due at the next point
    /// of the grid.
    fn update_due(&mut self, elapsed: Duration) -> bool {
        if elapsed < self.next_update {
            return false;
        }
        while self.next_update <= elapsed {
            self.next_update += EVENT_INTERVAL;
        }
        true
    }

    /// While the drive works on a long operation: an update every EVENT_INTERVAL of the
    /// device's time, with the fraction done when the drive reports it.
    pub(super) fn waiting(&mut self, fraction: Option<f64>, device_now: Option<Duration>) {
        if fraction.is_some() {
            self.operation = fraction;
        }
        if self.update_due(self.clock.elapsed_at(device_now)) {
            self.emit_at(device_now, None);
        }
    }

    /// After each transfer: an update when one is due, sent at the end of the transfer that
    /// ran at the due time (up to one transfer late, never early).
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
        if self.update_due(self.clock.elapsed(rec)) {
            if self.ask_buffer {
                self.drive_buffer_fill = rec.buffer_fill(timeouts)?;
                self.ask_buffer = self.drive_buffer_fill.is_some();
            }
            self.emit(rec);
        }
        Ok(())
    }
}
