//! The tray: load, eject, the lock that keeps it shut while a disc is written, and a reload
//! that makes the drive read the disc afresh.

use core::time::Duration;

use mmc_core::cdb::{
    ConfigurationRequest, GetConfiguration, PreventAllowMediumRemoval, StartStopUnit,
};
use mmc_core::response::configuration::FeatureCode;
use mmc_core::response::features::FeatureBody;
use mmc_core::response::Configuration;
use mmc_core::{DataPhase, Transport};

use super::exchange::{Answer, Retry};
use super::timeouts::DEFAULT_TIMEOUT;
use super::wait::WaitTick;
use super::Recorder;
use crate::error::Error;

/// libburn allows 300 s for a load (IMAPI 60 s): a drive may read the whole TOC.
const LOAD_TIMEOUT: Duration = Duration::from_secs(300);

impl<T: Transport> Recorder<T> {
    /// Closes the tray and loads the disc (START STOP UNIT LoEj = 1, Start = 1; IMAPI's
    /// CloseTray).
    pub fn load(&mut self) -> Result<(), Error> {
        self.command(
            &StartStopUnit::load(),
            DataPhase::None,
            LOAD_TIMEOUT,
            Retry::Once,
        )
        .map(|_| ())
    }

    /// Whether the drive can load a disc it ejected: feature 0003h Removable Medium (MMC-6
    /// 5.3.4) with Load and Eject set. A caddy or slot-loading drive that can only eject
    /// reports Load = 0; a drive without the feature (which every MMC drive must report) is
    /// not trusted to load either.
    pub fn can_reload(&mut self) -> Result<bool, Error> {
        let config: Configuration = self.query(&GetConfiguration {
            requested_type: ConfigurationRequest::One,
            starting_feature: FeatureCode::RemovableMedium.to_u16(),
            allocation_length: 64,
        })?;
        Ok(matches!(
            config.feature(FeatureCode::RemovableMedium).map(|f| &f.body),
            Some(FeatureBody::RemovableMedium(m)) if m.load && m.eject
        ))
    }

    /// Refuses a drive that cannot load a disc it has ejected (see [`Recorder::can_reload`])
    /// with E_IMAPI_RECORDER_NOT_SUPPORTED (IMAPI has no closer code), saying what the
    /// reload was for (`purpose`, e.g. "before verifying").
    pub fn ensure_can_reload(&mut self, purpose: &str) -> Result<(), Error> {
        if self.can_reload()? {
            return Ok(());
        }
        Err(Error::RecorderNotSupported {
            detail: format!(
                "the drive cannot load a disc it ejected (Removable Medium feature 0003h \
                 without Load), so it cannot reload the disc {purpose}"
            ),
        })
    }

    /// Ejects the disc and loads it again (START STOP UNIT LoEj = 1, Start = 0 then 1; MMC-6
    /// 6.40), then waits up to `becoming_ready` for the drive to be ready (TEST UNIT READY,
    /// through the "becoming ready" and "medium may have changed" answers a load brings).
    /// A drive reads a reloaded disc from the medium: nothing written before is left in its
    /// buffer. The lock a write holds (PREVENT ALLOW MEDIUM REMOVAL, SPC-5 6.13) is released
    /// for the eject and taken again once the disc is back.
    ///
    /// ```
    /// use std::time::Duration;
    /// use discwriter::{DiscState, Recorder};
    /// use virtdrive::{medium::MediumKind, DiscFileDrive, DriveConfig};
    ///
    /// let drive = DiscFileDrive::in_memory(MediumKind::DvdPlusRw, DriveConfig::default());
    /// let mut recorder = Recorder::open(drive)?;
    /// assert!(recorder.can_reload()?);
    /// recorder.reload(Duration::from_secs(60), &mut |_, _| {})?;
    /// // The disc is back and the drive answers for it.
    /// assert_eq!(recorder.disc_summary()?.status, DiscState::Blank);
    /// # Ok::<(), discwriter::Error>(())
    /// ```
    pub fn reload(
        &mut self,
        becoming_ready: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        self.lock_tray(false)?;
        self.command(
            &StartStopUnit::eject(),
            DataPhase::None,
            DEFAULT_TIMEOUT,
            Retry::Once,
        )?;
        self.load()?;
        self.wait_until_ready(becoming_ready, progress)?;
        self.lock_tray(true)
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

impl<T: Transport> Recorder<T> {
    /// Waits for a disc to be loaded (by an operator, after [`Recorder::eject`]): polls
    /// TEST UNIT READY every half second while the drive reports no medium (02/3A), waits
    /// out the "becoming ready" and "medium may have changed" answers a load brings, for at
    /// most `budget` in all (the device's clock on an emulator, so a test waits no real
    /// time). E_IMAPI_RECORDER_MEDIA_NO_MEDIA when no disc came in time,
    /// E_IMAPI_REQUEST_CANCELLED as soon as `cancel` is set.
    pub fn await_disc(
        &mut self,
        budget: Duration,
        cancel: &crate::writer::CancelHandle,
    ) -> Result<(), Error> {
        let mut waited = Duration::ZERO;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::RequestCancelled {
                    last_written_lba: None,
                });
            }
            let left = budget.saturating_sub(waited);
            match self.wait_until_ready(left, &mut |_, _| {}) {
                Err(Error::NoMedia { .. }) if waited < budget => {
                    self.pause(super::wait::POLL_INTERVAL);
                    waited += super::wait::POLL_INTERVAL;
                }
                other => return other,
            }
        }
    }
}
