//! The tray: load, eject, and the lock that keeps it shut while a disc is written.

use core::time::Duration;

use mmc_core::cdb::{PreventAllowMediumRemoval, StartStopUnit};
use mmc_core::{DataPhase, Transport};

use super::exchange::{Answer, Retry};
use super::timeouts::DEFAULT_TIMEOUT;
use super::Recorder;
use crate::error::Error;

impl<T: Transport> Recorder<T> {
    /// Closes the tray and loads the disc (START STOP UNIT LoEj = 1, Start = 1; IMAPI's
    /// CloseTray).
    pub fn load(&mut self) -> Result<(), Error> {
        // libburn allows 300 s for a load (IMAPI 60 s): a drive may read the whole TOC.
        self.command(
            &StartStopUnit::load(),
            DataPhase::None,
            Duration::from_secs(300),
            Retry::Once,
        )
        .map(|_| ())
    }

    /// PREVENT ALLOW MEDIUM REMOVAL (SPC-5 6.13; MMC-6 6.14): `lock` keeps the tray shut
    /// (and the eject button dead) while a disc is written, formatted or closed. A drive that
    /// refuses the command is written to anyway (logged): only one that does not answer
    /// fails.
    pub fn lock_tray(&mut self, lock: bool) -> Result<(), Error> {
        let cdb = PreventAllowMediumRemoval {
            persistent: false,
            prevent: lock,
        };
        match self.answer(&cdb, DataPhase::None, DEFAULT_TIMEOUT)? {
            Answer::Good { .. } => Ok(()),
            Answer::Check { triple, .. } => {
                tracing::info!(target: "discwriter::drive", "PREVENT ALLOW MEDIUM REMOVAL ({}) refused: {triple}", if lock { "lock" } else { "unlock" });
                Ok(())
            }
        }
    }

    /// Unlocks the tray after a write or a format, however it ended: a drive that is gone
    /// needs nothing; one that does not answer leaves a warning (its tray may stay locked
    /// until the drive is reset).
    pub(crate) fn unlock_tray_after(&mut self) {
        match self.lock_tray(false) {
            Ok(()) | Err(Error::DeviceNotExist) | Err(Error::InvalidHandle) => {}
            Err(e) => tracing::warn!(target: "discwriter::drive", "could not unlock the tray: {e}"),
        }
    }

    /// Opens the tray (START STOP UNIT LoEj = 1, Start = 0), allowing removal first.
    pub fn eject(&mut self) -> Result<(), Error> {
        let allow = PreventAllowMediumRemoval {
            persistent: false,
            prevent: false,
        };
        self.command(&allow, DataPhase::None, DEFAULT_TIMEOUT, Retry::Once)?;
        self.command(
            &StartStopUnit::eject(),
            DataPhase::None,
            DEFAULT_TIMEOUT,
            Retry::Once,
        )
        .map(|_| ())
    }
}
