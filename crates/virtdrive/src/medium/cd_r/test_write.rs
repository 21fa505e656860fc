//! Test write (simulation): page 05h with the Test Write bit set (MMC-6 7.5) makes the drive
//! run the recording with the laser at read power. cdrecord's and libburn's `-dummy`.
//!
//! - The drive follows the recording as if it happened: WRITE is checked against the next
//!   writable address and moves it, SYNCHRONIZE CACHE ends the track, CLOSE TRACK and CLOSE
//!   SESSION run, and READ TRACK INFORMATION reports the simulated track. libburn ends each
//!   simulated TAO track with SYNCHRONIZE CACHE alone and refuses to go on when the next
//!   track's NWA is lower than the last address it wrote (write.c), so the NWA must move.
//! - Nothing reaches the disc or the store: READ DISC INFORMATION, READ TOC/PMA/ATIP, READ
//!   CAPACITY, READ FORMAT CAPACITIES and READ describe the disc as it was recorded, and a
//!   power loss returns to it. libburn's API documents that a simulated burn leaves the
//!   media content and the disc status unchanged.
//! - The simulated session ends where a real one would be recorded (CLOSE SESSION, or the
//!   SYNCHRONIZE CACHE after the last block of an SAO cue sheet): the drive then forgets it,
//!   and the disc is as before. Clearing Test Write forgets a simulated recording in progress.
//! - Every command takes the drive time it takes in a real burn; only the laser is off.

use super::layout::CdLayout;
use super::{block_index, write_error, CdR, SaoRecording};
use crate::medium::MediumResult;

impl CdR {
    /// Whether a test write is running: page 05h has Test Write set.
    pub(super) fn testing(&self) -> bool {
        self.recorded.is_some()
    }

    /// The disc as recorded: what the reading commands describe.
    pub(super) fn as_recorded(&self) -> &CdLayout {
        self.recorded.as_ref().unwrap_or(&self.disc)
    }

    /// Follows page 05h's Test Write bit: turning it on starts simulating from the disc as
    /// recorded; turning it off forgets the simulated recording (and an SAO recording begun
    /// with the laser off).
    pub(super) fn set_test_write(&mut self, on: bool) {
        match (on, self.recorded.take()) {
            (true, None) => self.recorded = Some(self.disc.clone()),
            (true, Some(recorded)) => self.recorded = Some(recorded),
            (false, Some(recorded)) => {
                self.disc = recorded;
                if self.sao.as_ref().is_some_and(SaoRecording::started) {
                    self.sao = None;
                }
            }
            (false, None) => {}
        }
    }

    /// A simulated session is over: the drive forgets it, the disc is as recorded.
    pub(super) fn end_simulated_session(&mut self) {
        if let Some(recorded) = &self.recorded {
            self.disc = recorded.clone();
        }
    }

    /// Records `data` from `lba`, unless the laser is off.
    pub(super) fn burn(&mut self, lba: i64, data: &[u8]) -> MediumResult<()> {
        if self.testing() {
            return Ok(());
        }
        self.store
            .write(block_index(lba)?, data)
            .map_err(|_| write_error(lba))
    }
}
