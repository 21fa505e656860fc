//! What sets a CD-RW (profile 000Ah) apart from the CD-R it records like: BLANK (MMC-6 6.2),
//! its write speeds, and FORMAT UNIT refused. Its ATIP (disc type 1, A1 speeds) is in `toc`,
//! the Erasable bit of READ DISC INFORMATION in the medium's `disc_information`.
//!
//! # Blanking types (MMC-6 6.2.3, Table 26)
//!
//! - **000b Blank the disc**: every session, track and the PMA are erased; the disc is blank.
//! - **001b Minimally blank the disc**: the PMA, the lead-in (TOC) and the first track's
//!   pre-gap are erased; the disc reads as blank. The old marks in the program area stay
//!   but belong to no track, so READ refuses them (05/64/00) and the next recording
//!   overwrites them.
//! - **010b Blank a track**: the track named by the Start Address/Track Number field (CDB
//!   bytes 2-5), which must be the last track of the incomplete (open) session, the one
//!   being written included; it is to be written again. A session left without tracks goes
//!   with it. Any other track: 05/24/00 pointing at byte 2.
//! - **101b Unclose the last session**: the lead-in and lead-out of the last complete
//!   session are erased; the session is incomplete again and takes more tracks (the disc is
//!   appendable). With no complete last session: 05/24/00 pointing at the blanking type.
//! - **110b Blank the last session**: the last session, complete or not, is erased; the disc
//!   is appendable, or blank when that was the only session. On a blank disc: 05/24/00.
//! - 011b (un-reserve a track: CD-R/RW track reservation is not modelled), 100b (blank a
//!   track tail: optional, this drive does not) and 111b (reserved): 05/24/00 INVALID
//!   FIELD IN CDB pointing at the blanking type (byte 1).
//!
//! A blank disc takes 000b and 001b (there is nothing to erase, drives accept it, and
//! libburn's `blank=as_needed` relies on it).
//!
//! A recording in progress ends with the blank: an SAO cue sheet is forgotten; a test write
//! (page 05h Test Write) starts again from the blanked disc, for the drive erases with the
//! laser on whatever page 05h says.
//!
//! # When the disc changes
//!
//! The drive rewrites the PMA and the TOC first, so the disc takes its new state (and the
//! store commits it, as SYNCHRONIZE CACHE would) when BLANK is accepted; the rest of the
//! blank is the time the drive reports 02/04/07 with its progress (Immed) or takes before
//! GOOD. A power loss while blanking therefore leaves the disc as the blank left it: a
//! disc that reads as blank after an interrupted full or minimal blank, as on drives, whose
//! users blank again only to erase the old marks.
//!
//! # Timing
//!
//! The drive blanks at 10x (the disc's highest ATIP speed: 750 blocks a second) after 20 s
//! of setup (spin-up, power calibration, the PMA update): an emulator figure that puts a
//! full blank of an 80-minute disc (ATIP lead-in start to the lead-out limit, 371,484
//! blocks) at 8.6 minutes and a minimal one (lead-in and first pre-gap, 11,785 blocks) at
//! 36 s, as 4x-10x drives take. Track and session blanks take their blocks (pre-gaps,
//! run-outs, lead-in and lead-out included) at the same speed.
//!
//! # FORMAT UNIT
//!
//! This drive has no CD-RW Fixed Packet (feature 0026h Restricted Overwrite) or MRW (0028h)
//! formatting, so it answers FORMAT UNIT on a CD-RW as MMC-6 6.5.1 asks of a format type the
//! drive does not support: 05/26/00 INVALID FIELD IN PARAMETER LIST pointing at the Format
//! Type (parameter list byte 8, bits 7-2).

use core::time::Duration;

use mmc_core::cdb::{Blank, BlankingType};

use super::layout::{CdLayout, ATIP_LEAD_IN_START, LEAD_IN, PREGAP};
use super::CdR;
use crate::medium::overwritable::{invalid_cdb_field, invalid_parameter};
use crate::medium::recording::RecordingGeometry;
use crate::medium::{Busy, MediumError, MediumResult};

/// CD-RW write speeds, fastest first, in kB/s (k = 1000): 10x, 8x and 4x of 176.4 kB/s, as
/// drives offer a High-Speed CD-RW.
pub(super) const WRITE_SPEEDS: [u32; 3] = [1764, 1411, 706];

/// Blanking speed: 10x, 750 blocks a second.
const BLANKING_BLOCKS_PER_SECOND: u64 = 750;
/// What every blank takes before erasing: spin-up, power calibration, the PMA update.
const BLANK_SETUP: Duration = Duration::from_secs(20);

/// FORMAT UNIT on a CD-RW: the format type is not one the drive supports.
pub(super) fn format_refused() -> MediumError {
    invalid_parameter(8, Some(7))
}

/// A blanking type the drive does not do, or cannot do on this disc.
fn blanking_type_refused() -> MediumError {
    invalid_cdb_field(1, Some(2))
}

/// The time to blank `blocks`.
fn blanking_time(blocks: u64) -> Duration {
    BLANK_SETUP + Duration::from_micros(blocks * 1_000_000 / BLANKING_BLOCKS_PER_SECOND)
}

/// The blocks from the ATIP start of the lead-in to `end`.
fn from_lead_in(end: i64) -> u64 {
    u64::try_from(end - ATIP_LEAD_IN_START).unwrap_or(0)
}

impl CdR {
    /// BLANK on a CD-RW, as the module documentation describes.
    pub(super) fn erase(&mut self, cdb: &Blank) -> MediumResult<Busy> {
        let g = self.geometry();
        let mut disc = self.as_recorded().clone();
        let blocks = match cdb.blanking_type {
            BlankingType::FullDisc => {
                disc = CdLayout::blank();
                from_lead_in(i64::from(g.capacity))
            }
            BlankingType::Minimal => {
                disc = CdLayout::blank();
                from_lead_in(i64::from(PREGAP))
            }
            BlankingType::Track => disc.blank_last_track(g, cdb.start_address)?,
            BlankingType::UncloseLastSession => disc.unclose_last_session(g)?,
            BlankingType::Session => disc.blank_last_session(g)?,
            _ => return Err(blanking_type_refused()),
        };
        self.sao = None;
        self.recorded = None;
        self.disc = disc;
        self.commit()?;
        if self.params.test_write {
            self.recorded = Some(self.disc.clone());
        }
        Ok(Busy {
            duration: blanking_time(blocks),
        })
    }
}

impl CdLayout {
    /// Erases track `number`, the last track of the open session; returns the blocks
    /// erased (its pre-gap, its blocks and run-out).
    fn blank_last_track(&mut self, g: &RecordingGeometry, number: u32) -> MediumResult<u64> {
        let not_last = || invalid_cdb_field(2, None);
        if self.finalized || self.sessions.last().is_none_or(|s| s.closed.is_some()) {
            return Err(not_last());
        }
        let open = self.open_track.as_ref().map(|t| t.number);
        let last = self
            .sessions
            .last()
            .and_then(|s| s.tracks.last())
            .map(|t| t.number);
        let track = match (open, last) {
            (Some(n), _) if u32::from(n) == number => self.open_track.take(),
            (None, Some(n)) if u32::from(n) == number => {
                self.sessions.last_mut().and_then(|s| s.tracks.pop())
            }
            _ => return Err(not_last()),
        };
        if self.sessions.last().is_some_and(|s| s.tracks.is_empty()) && self.open_track.is_none() {
            self.sessions.pop();
        }
        let size = track.map_or(0, |t| t.end() - t.start);
        Ok(u64::try_from(size).unwrap_or(0) + u64::from(g.track_gap))
    }

    /// Makes the last session, complete, incomplete again; returns the blocks erased (its
    /// lead-in and lead-out).
    fn unclose_last_session(&mut self, g: &RecordingGeometry) -> MediumResult<u64> {
        let index = self.sessions.len().checked_sub(1);
        let Some(session) = self.sessions.last_mut().filter(|s| s.closed.is_some()) else {
            return Err(blanking_type_refused());
        };
        session.closed = None;
        self.finalized = false;
        let lead_out = index.map_or(0, |i| g.lead_out(i));
        Ok(u64::from(LEAD_IN) + u64::from(lead_out))
    }

    /// Erases the last session; returns the blocks erased (lead-in to lead-out).
    fn blank_last_session(&mut self, g: &RecordingGeometry) -> MediumResult<u64> {
        let Some(index) = self.sessions.len().checked_sub(1) else {
            return Err(blanking_type_refused());
        };
        let lead_in = self.lead_in_start(g, index);
        let end = self.tracks().map(|(_, t)| t.end()).max().unwrap_or(lead_in);
        self.sessions.pop();
        self.open_track = None;
        self.finalized = false;
        let blocks = u64::try_from(end - lead_in).unwrap_or(0);
        Ok(blocks + u64::from(g.lead_out(index)))
    }
}
