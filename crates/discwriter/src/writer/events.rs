//! Progress events, as IMAPI2's DDiscFormat2DataEvents::Update delivers them with an
//! IDiscFormat2DataEventArgs: the action, the times, the LBAs and the system buffer.
//!
//! A write announces each action once, in order (VALIDATING_MEDIA, INITIALIZING_HARDWARE,
//! FORMATTING_MEDIA or CALIBRATING_POWER, WRITING_DATA, FINALIZATION, VERIFYING, COMPLETED),
//! and sends updates of the current action every 0.5 s of the device's time while it writes
//! or waits on the drive. A write that fails after its first event ends with an event of the
//! action it failed in, then COMPLETED carrying the error in [`ProgressEvent::error`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mmc_core::ImapiCode;
use serde::Serialize;

/// IMAPI_FORMAT2_DATA_WRITE_ACTION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WriteAction {
    ValidatingMedia = 0,
    FormattingMedia = 1,
    InitializingHardware = 2,
    CalibratingPower = 3,
    WritingData = 4,
    Finalization = 5,
    Completed = 6,
    Verifying = 7,
}

impl WriteAction {
    /// IMAPI's value of the action.
    pub fn value(self) -> u32 {
        self as u32
    }

    /// How the action reads in a progress line.
    pub fn describe(self) -> &'static str {
        match self {
            WriteAction::ValidatingMedia => "validating media",
            WriteAction::FormattingMedia => "formatting media",
            WriteAction::InitializingHardware => "initializing hardware",
            WriteAction::CalibratingPower => "calibrating power",
            WriteAction::WritingData => "writing data",
            WriteAction::Finalization => "finalizing",
            WriteAction::Completed => "completed",
            WriteAction::Verifying => "verifying",
        }
    }
}

/// One progress event (IDiscFormat2DataEventArgs and IWriteEngine2EventArgs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressEvent {
    pub action: WriteAction,
    /// Seconds since the write started (the device's clock when it keeps one).
    pub elapsed_time: f64,
    /// Estimated seconds left: the data at the drive's speed, the closing the medium needs
    /// and the verification's reads. From the first WRITING_DATA event on it only counts
    /// down; 0 on COMPLETED.
    pub remaining_time: f64,
    /// `elapsed_time + remaining_time`.
    pub total_time: f64,
    /// First LBA of this write.
    pub start_lba: i64,
    /// Sectors in this write; for a stream of unknown length, those read so far.
    pub sector_count: u64,
    /// False while a stream of unknown length is being read: `sector_count` still grows.
    pub sector_count_known: bool,
    /// Last sector read from the source into the host fifo (`start_lba - 1` before the
    /// first): ahead of `last_written_lba` by what the fifo holds.
    pub last_read_lba: i64,
    /// Last sector sent to the drive (-1 before the first).
    pub last_written_lba: i64,
    /// The host fifo between the source and the drive, in bytes.
    pub total_system_buffer: u64,
    pub used_system_buffer: u64,
    pub free_system_buffer: u64,
    /// The drive's buffer fill, 0..=1, when the drive reports it.
    pub drive_buffer_fill: Option<f64>,
    /// Recording speed as a multiple of the medium's 1x, when known.
    pub speed_x: Option<f64>,
    /// Fraction done of a long operation the drive reports (formatting, closing), 0..=1.
    pub operation_progress: Option<f64>,
    /// While verifying: sectors read back and compared so far, of `sectors_to_verify`.
    pub sectors_verified: u64,
    pub sectors_to_verify: u64,
    /// The error a failed write ended with, on its COMPLETED event only; `None` on every other
    /// event and when the write succeeded. In JSON: IMAPI's name of the code
    /// (`"E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED"`), or null.
    #[serde(serialize_with = "code_name")]
    pub error: Option<ImapiCode>,
}

/// An IMAPI code as its name (`E_IMAPI_…`), as the command's result line gives it.
fn code_name<S: serde::Serializer>(code: &Option<ImapiCode>, s: S) -> Result<S::Ok, S::Error> {
    match code {
        Some(code) => s.serialize_str(code.name()),
        None => s.serialize_none(),
    }
}

impl ProgressEvent {
    /// Fraction of the sectors written, 0..=1.
    pub fn fraction_written(&self) -> f64 {
        if self.sector_count == 0 {
            return 0.0;
        }
        let done = (self.last_written_lba + 1 - self.start_lba).max(0) as f64;
        (done / self.sector_count as f64).clamp(0.0, 1.0)
    }
}

/// Cancels a write from any thread or from the event callback (IDiscFormat2Data::CancelWrite).
#[derive(Debug, Clone, Default)]
pub struct CancelHandle {
    flag: Arc<AtomicBool>,
}

impl CancelHandle {
    pub fn new() -> Self {
        CancelHandle::default()
    }

    /// Asks the running write to stop at the next transfer.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    pub(crate) fn reset(&self) {
        self.flag.store(false, Ordering::SeqCst);
    }
}

/// Receives progress events; may cancel the write through the handle.
pub type EventSink<'a> = dyn FnMut(&ProgressEvent, &CancelHandle) + Send + 'a;
