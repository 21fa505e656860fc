//! The numbers that make one write-once medium's layout differ from another's.
//!
//! ```text
//!  lead-in     gap  track 1      run-out  gap  track 2   run-out  lead-out   lead-in   gap  track 3
//! |first_lead_in..|0 ........... |      |     |.........|       |first_lead_out|lead_in |    |......
//! ```
//!
//! | | CD-R | DVD+R | BD-R | DVD-R |
//! |---|---|---|---|---|
//! | ECC block | 1 | 16 | 32 | 16 |
//! | track gap (pre-gap) | 150 | 0 | 0 | 0 |
//! | run-out | 2 | 0 | 0 | 0 |
//! | minimum track | 300 | 0 | 0 | 0 |
//! | lead-in of later sessions | 4,500 | 1,024 (Intro) | 0 | 1,024 (border-in) |
//! | lead-out of session 1 / later | 6,750 / 2,250 | 1,024 / 1,024 (Closure) | 0 | 15,360 / 2,048 (border-out) |
//! | lead-in recorded at closing | yes (the TOC) | no | no | no |
//!
//! The sources of each figure are in the media's own modules.

/// How READ DISC INFORMATION gives the lead-in and lead-out addresses (MMC-6 6.22.3.1.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressForm {
    /// `00 M S F` (CD).
    Msf,
    /// An LBA (DVD, BD).
    Lba,
}

/// The recording layout of one write-once medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordingGeometry {
    /// The end of the recordable area: the first LBA past it (CD: the ATIP last possible
    /// start of lead-out; DVD and BD: the user sectors of a blank disc).
    pub capacity: u32,
    /// Sectors per ECC block: tracks are padded to whole blocks.
    pub ecc_block: u32,
    /// The Fixed Packet Size READ TRACK INFORMATION reports (0 where there is none).
    pub packet_size: u32,
    /// The number of the disc's first track.
    pub first_track: u16,
    /// The highest track number.
    pub max_track: u16,
    /// The most sessions a disc holds; closing the last one completes the disc.
    pub max_sessions: u16,
    /// Sectors before every track but the disc's first (CD pre-gap), between the previous
    /// track (or the session's lead-in) and the track's first user sector.
    pub track_gap: u32,
    /// Unreadable sectors ending each closed track (CD TAO run-out), kept free at the end of
    /// the disc.
    pub run_out: u32,
    /// The fewest user sectors a track holds; closing pads a shorter one, and a new track
    /// needs this much room.
    pub min_track: u32,
    /// Where the first session's lead-in starts.
    pub first_lead_in: i64,
    /// The lead-in of every later session.
    pub lead_in: u32,
    /// The first session's lead-out (or closure).
    pub first_lead_out: u32,
    /// The lead-out (or closure) of every later session.
    pub later_lead_out: u32,
    /// A session close leaving less room than this for the next session's first track
    /// completes the disc.
    pub min_next_session: u32,
    /// Whether closing a session records its lead-in too (CD: the TOC lives there).
    pub lead_in_recorded_at_close: bool,
    /// Sectors the drive records when it finalizes the disc, beyond the session's close.
    pub finalize_sectors: u32,
    /// Whether READ TRACK INFORMATION reports the Last Recorded Address.
    pub last_recorded_address_valid: bool,
    /// How READ DISC INFORMATION gives addresses.
    pub disc_info_addresses: AddressForm,
}

impl RecordingGeometry {
    /// Rounds up to whole ECC blocks.
    pub fn round_up(&self, sectors: u32) -> u32 {
        let b = self.ecc_block.max(1);
        sectors.div_ceil(b).saturating_mul(b)
    }

    /// Rounds an address up to whole ECC blocks.
    pub fn round_up_lba(&self, lba: i64) -> i64 {
        let b = i64::from(self.ecc_block.max(1));
        lba.div_euclid(b) * b + if lba.rem_euclid(b) == 0 { 0 } else { b }
    }

    /// The lead-out (closure) of session `index` (0-based).
    pub fn lead_out(&self, index: usize) -> u32 {
        if index == 0 {
            self.first_lead_out
        } else {
            self.later_lead_out
        }
    }

    /// Sectors closing session `index` records.
    pub fn session_close_sectors(&self, index: usize) -> u32 {
        let lead_in = if self.lead_in_recorded_at_close {
            self.lead_in
        } else {
            0
        };
        self.lead_out(index).saturating_add(lead_in)
    }
}
