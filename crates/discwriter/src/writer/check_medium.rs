//! The medium checked as Write checks it, without writing: for a caller that must know every
//! disc will take the data before any drive starts (a publishing station burning one image
//! to several drives refuses the whole job when one disc will not do).

use mmc_core::Transport;

use super::{lock, plan, progress, DataWriter, WriterState};
use crate::error::{ApiMisuse, Error};
use crate::writer::{CancelHandle, ProgressEvent};

impl<T: Transport + Send> DataWriter<T> {
    /// What Write of `length` bytes with the current options would say of the disc before
    /// its first command that changes it (the VALIDATING_MEDIA step): the drive ready, the
    /// medium one this writer records, blank or appendable as the options require, holding
    /// no data a write without ForceOverwrite would refuse to cover, and room for `length`
    /// bytes. Only reads the drive's state (READ DISC INFORMATION, GET CONFIGURATION, READ
    /// (10) of an overwritable disc's first and last 2 MB); no event is sent.
    pub fn check_medium(&self, length: u64) -> Result<(), Error> {
        let sectors = plan::stream_sectors(Some(length), None)?;
        let mut state = lock(&self.state);
        let WriterState::Idle(settings) = &mut *state else {
            return Err(Error::Api(ApiMisuse::WriteInProgress));
        };
        let options = settings.requested.options.clone();
        let speed = settings.requested.speed;
        let rec = settings
            .recorder
            .as_mut()
            .ok_or(Error::Api(ApiMisuse::RecorderRequired))?;
        let cancel = CancelHandle::new();
        let mut silent = |_: &ProgressEvent, _: &CancelHandle| {};
        let mut progress =
            progress::Progress::new(rec, &mut silent, &cancel, sectors, options.fifo_bytes);
        Self::plan(rec, sectors, None, &options, speed, &mut progress).map(|_| ())
    }
}
