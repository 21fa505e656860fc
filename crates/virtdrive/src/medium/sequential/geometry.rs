//! What makes a DVD+R differ from a BD-R to the shared sequential recording code: size,
//! ECC block, the room sessions cost, the session limit, the closing functions and the
//! speeds. Each medium's file declares one [`Geometry`].

use core::time::Duration;

use mmc_core::cdb::CloseFunction;
use mmc_core::Profile;

use crate::clock::transfer_time;
use crate::medium::MediumKind;

/// The family of disc structures READ DISC STRUCTURE answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructureFamily {
    /// DVD structures (media type 0): the physical format carries this book type.
    Dvd(mmc_core::response::disc_structure::BookType),
    /// BD structures (media type 1).
    Bd,
}

/// The recording rules of one write-once medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub kind: MediumKind,
    /// The name saved in the disc state (`dvd+r`, `bd-r`).
    pub name: &'static str,
    pub profile: Profile,
    /// User sectors of a blank disc.
    pub capacity: u32,
    /// Sectors per ECC block (16 DVD, 32 BD).
    pub ecc_block: u32,
    /// Sectors between the end of a closed session and the first track of the next.
    pub session_gap: u32,
    /// Of the gap, the sectors of the next session's lead-in (DVD+R Intro); READ DISC
    /// INFORMATION reports where it starts.
    pub intro: u32,
    /// A session close that leaves less room than this for the next session finalizes.
    pub min_next_session: u32,
    /// The most sessions a disc holds; closing the last one finalizes.
    pub max_sessions: u16,
    /// The CLOSE TRACK/SESSION functions that finalize the disc.
    pub finalize_functions: &'static [CloseFunction],
    /// Sectors the drive records when it finalizes (lead-out), for the time it takes.
    pub finalize_sectors: u32,
    /// Whether READ TRACK INFORMATION reports the Last Recorded Address.
    pub last_recorded_address_valid: bool,
    /// Write speeds in kB/s, fastest first.
    pub write_speeds: &'static [u32],
    pub read_speed: u32,
    pub structures: StructureFamily,
}

impl Geometry {
    /// Rounds up to whole ECC blocks.
    pub fn round_up(&self, sectors: u32) -> u32 {
        let b = self.ecc_block.max(1);
        sectors.div_ceil(b).saturating_mul(b)
    }

    /// How long recording `sectors` takes at the slowest speed (closing and padding).
    pub fn recording_time(&self, sectors: u32) -> Duration {
        let slowest = self.write_speeds.last().copied().unwrap_or(1);
        transfer_time(u64::from(sectors), slowest)
    }

    pub fn finalizes(&self, function: CloseFunction) -> bool {
        self.finalize_functions.contains(&function)
    }
}
