//! The medium checked as Write checks it, without writing: for a caller that must know every
//! disc will take the data before any drive starts (a publishing station burning one image
//! to several drives refuses the whole job when one disc will not do).

use mmc_core::Transport;

use super::{lock, plan, progress, DataWriter, WriterState};
use crate::error::{ApiMisuse, Error};
use crate::recorder::DiscState;
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

impl<T: Transport + Send> DataWriter<T> {
    /// The disc is blank: READ DISC INFORMATION says so, or an overwritable disc (DVD+RW,
    /// BD-RE, DVD-RAM) holds no data ([`DataWriter::media_heuristically_blank`]). A caller
    /// that must neither add a session to a used write-once disc nor write over a rewritable
    /// one (a publishing station's "reject if not blank") checks this before any drive
    /// starts. Anything else is E_IMAPI_DF2DATA_INVALID_MEDIA_STATE naming what the disc
    /// holds; only reads the drive's state.
    pub fn check_blank(&self) -> Result<(), Error> {
        if self.media_heuristically_blank()? {
            return Ok(());
        }
        let disc = self.with_recorder(|r| r.disc_summary())?;
        let state = match disc.status {
            DiscState::Appendable => format!(
                "an appendable {} with {} closed session(s)",
                disc.profile, disc.sessions
            ),
            DiscState::Complete if disc.erasable => {
                format!("a {} holding data", disc.profile)
            }
            DiscState::Complete => format!("a finalized {}", disc.profile),
            DiscState::Other | DiscState::Blank => format!("a {} holding data", disc.profile),
        };
        Err(Error::InvalidMediaState {
            detail: format!("the disc is not blank ({state}), and a blank disc is required"),
        })
    }
}
