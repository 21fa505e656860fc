//! The disc changer of a drive an operator loads by hand: the written disc is ejected, the
//! operator asked for the next, and the drive polled until a disc is in.

use std::time::Duration;

use mmc_core::Transport;

use super::DiscChanger;
use crate::error::Error;
use crate::recorder::Recorder;
use crate::writer::CancelHandle;

/// How long [`OperatorChanger`] waits for the next disc by default: ten minutes.
pub const OPERATOR_TIMEOUT: Duration = Duration::from_secs(600);

/// A [`DiscChanger`] for drives loaded by hand: for each copy after the first round it
/// ejects the written disc (START STOP UNIT LoEj = 1, Start = 0; MMC-6 6.40), asks for the
/// next disc through `ask` (the drive's index and the copy), and waits for a disc
/// ([`Recorder::await_disc`]) for at most `timeout`; a drive that gets none in time, or
/// whose tray will not open, takes no more copies. `cancel` (the job's,
/// [`super::Copies::cancel_handle`]) ends a wait at once.
pub struct OperatorChanger<'a> {
    pub timeout: Duration,
    pub cancel: CancelHandle,
    ask: Box<dyn Fn(usize, u32) + Sync + 'a>,
}

impl<'a> OperatorChanger<'a> {
    /// Waits [`OPERATOR_TIMEOUT`] for each disc, asking for it with `ask`.
    pub fn new(cancel: CancelHandle, ask: impl Fn(usize, u32) + Sync + 'a) -> Self {
        OperatorChanger {
            timeout: OPERATOR_TIMEOUT,
            cancel,
            ask: Box::new(ask),
        }
    }
}

impl std::fmt::Debug for OperatorChanger<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorChanger")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> DiscChanger<T> for OperatorChanger<'_> {
    fn next_disc(
        &self,
        drive: usize,
        copy: u32,
        mut recorder: Recorder<T>,
    ) -> Result<Recorder<T>, Error> {
        recorder.eject()?;
        (self.ask)(drive, copy);
        recorder.await_disc(self.timeout, &self.cancel)?;
        Ok(recorder)
    }
}
