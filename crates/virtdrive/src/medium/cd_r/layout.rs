//! A CD-R's recording geometry (pre-gaps, run-out, lead-in and lead-out: the numbers the
//! shared session-and-track layout of `medium::recording` places tracks by), and what a CD
//! records beyond it: each track's data mode and CONTROL nibble, and how each session was
//! closed (the three Multi-session values).
//!
//! # Geometry (all in 2048-byte blocks, LBA 0 = MSF 00:02:00)
//!
//! ```text
//!  lead-in   pre-gap  track 1          run-out pre-gap  track 2   run-out  lead-out ...
//! |-11,635 .. -151|-150..-1|0 ......... N-1|N, N+1|150 blocks|N+152 ...|  2  |6,750 (session 1)
//! ```
//!
//! - Every track is preceded by a 150-block pre-gap (MMC-6 4.2.3.5.2; Red Book 2 s). For the
//!   first track of the disc it is LBA -150..-1, so user data starts at LBA 0.
//! - A TAO track ends with 2 run-out blocks, counted in the track size and in the TOC but not
//!   readable (libburn: "TOC format 2 always reports 2 blocks more than are readable").
//! - Orange Book TAO overhead is 7 blocks: 2 run-out ending a track, then 1 link and 4 run-in
//!   blocks. We place the link and run-in blocks inside the next track's 150-block pre-gap, so
//!   the next track starts (index 1, its NWA) at `previous start + size + 150` where size
//!   already holds the 2 run-out blocks: `start + written + 2 + 150`.
//! - A session's lead-out starts right after its last track (run-out included). The first
//!   session's lead-out is 6,750 blocks (90 s), later ones 2,250 (30 s); each lead-in is 4,500
//!   blocks. The next session's first track therefore starts at lead-out + 6,750 + 4,500 + 150
//!   = lead-out + 11,400 after the first session and lead-out + 6,900 after later ones, the
//!   figures of libburn's cookbook; its program area (B0 pointer, pre-gap included) starts 150
//!   blocks earlier (lead-out + 11,250), as real TOCs show.
//! - A track holds at least 300 blocks (MMC-6 6.3.3.1.2, 4 s); closing a shorter TAO track
//!   pads it with zero blocks up to 300, as drives do.
//! - The disc ends at the ATIP "last possible start of lead-out": the last track's run-out
//!   must end there or before.

use serde::{Deserialize, Serialize};

use crate::medium::recording::{AddressForm, Layout, RecordingGeometry, Track};
use crate::medium::MediumKind;

/// The pre-gap before every track (2 seconds).
pub(crate) const PREGAP: u32 = 150;
/// Unreadable blocks ending a TAO track.
pub(crate) const TAO_RUN_OUT: u32 = 2;
/// The shortest track MMC allows (4 seconds).
pub(crate) const MIN_TRACK: u32 = 300;
/// Track numbers run from 1 to 99 on a CD.
pub(crate) const MAX_TRACK: u16 = 99;
/// Lead-in length of every session.
pub(crate) const LEAD_IN: u32 = 4_500;
/// Lead-out of the first session (90 s).
pub(crate) const FIRST_LEAD_OUT: u32 = 6_750;
/// Lead-out of every later session (30 s).
pub(crate) const LATER_LEAD_OUT: u32 = 2_250;
/// ATIP start of the lead-in: 97:26:65, the value libburn's cookbook gives as typical (it
/// varies with the dye manufacturer).
pub(crate) const ATIP_LEAD_IN_START: i64 = -11_635;

/// The two CD-R sizes sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CdRSize {
    /// 74 minutes: ATIP last possible lead-out start 74:02:00 = LBA 333,000.
    #[serde(rename = "74min")]
    Minutes74,
    /// 80 minutes: ATIP last possible lead-out start 79:59:74 = LBA 359,849.
    #[serde(rename = "80min")]
    Minutes80,
}

impl CdRSize {
    /// The ATIP last possible start of the lead-out, as an LBA: the end of the recordable area.
    pub const fn lead_out_limit(self) -> i64 {
        match self {
            CdRSize::Minutes74 => 333_000,
            CdRSize::Minutes80 => 359_849,
        }
    }

    pub const fn kind(self) -> MediumKind {
        match self {
            CdRSize::Minutes74 => MediumKind::CdR74,
            CdRSize::Minutes80 => MediumKind::CdR80,
        }
    }

    /// The disc's recording geometry.
    pub(crate) fn geometry(self) -> &'static RecordingGeometry {
        match self {
            CdRSize::Minutes74 => &CD_R74,
            CdRSize::Minutes80 => &CD_R80,
        }
    }

    pub const fn from_kind(kind: MediumKind) -> Option<Self> {
        match kind {
            MediumKind::CdR74 => Some(CdRSize::Minutes74),
            MediumKind::CdR80 => Some(CdRSize::Minutes80),
            _ => None,
        }
    }
}

/// What the recording layer is: a dye written once (CD-R, profile 0009h), or a phase-change
/// layer the drive erases with BLANK (CD-RW, profile 000Ah). Both record by the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum CdType {
    #[default]
    #[serde(rename = "cd-r")]
    Recordable,
    #[serde(rename = "cd-rw")]
    Rewritable,
}

impl CdType {
    /// The medium kind of a disc of this type and `size`.
    pub const fn kind(self, size: CdRSize) -> MediumKind {
        match (self, size) {
            (CdType::Recordable, size) => size.kind(),
            (CdType::Rewritable, CdRSize::Minutes74) => MediumKind::CdRw74,
            (CdType::Rewritable, CdRSize::Minutes80) => MediumKind::CdRw80,
        }
    }

    pub const fn erasable(self) -> bool {
        matches!(self, CdType::Rewritable)
    }
}

/// A CD-R's recording geometry, given its lead-out limit. Track and session overhead as the
/// module documentation describes; the TOC of a session is recorded in its lead-in when the
/// session closes; no finalize step beyond that; addresses in MSF (MMC-6 6.22.3.1.12).
const fn cd_r_geometry(lead_out_limit: u32) -> RecordingGeometry {
    RecordingGeometry {
        capacity: lead_out_limit,
        ecc_block: 1,
        // CD has no blocking factor.
        packet_size: 0,
        first_track: 1,
        max_track: MAX_TRACK,
        max_sessions: u16::MAX,
        track_gap: PREGAP,
        run_out: TAO_RUN_OUT,
        min_track: MIN_TRACK,
        first_lead_in: ATIP_LEAD_IN_START,
        lead_in: LEAD_IN,
        first_lead_out: FIRST_LEAD_OUT,
        later_lead_out: LATER_LEAD_OUT,
        min_next_session: MIN_TRACK,
        lead_in_recorded_at_close: true,
        finalize_sectors: 0,
        last_recorded_address_valid: true,
        disc_info_addresses: AddressForm::Msf,
    }
}

const CD_R74: RecordingGeometry = cd_r_geometry(CdRSize::Minutes74.lead_out_limit() as u32);
const CD_R80: RecordingGeometry = cd_r_geometry(CdRSize::Minutes80.lead_out_limit() as u32);

/// How a session was closed: the page 05h Multi-session field at CLOSE SESSION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Closing {
    /// 11b: B0 points to the next program area; the disc stays appendable.
    NextSessionAllowed,
    /// 01b, or 11b without room for another session: B0 = FF:FF:FF, the disc is complete.
    NoNextSession,
    /// 00b: no B0 pointer; the disc is finalized.
    Finalized,
}

/// How a track was recorded, from page 05h when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TrackFormat {
    /// 1 (Mode 1) or 2 (Mode 2 Form 1), from the data block type.
    pub data_mode: u8,
    /// The CONTROL nibble: 4 data, 6 data with digital copy permitted.
    pub control: u8,
}

/// How a session was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionClose {
    pub closing: Closing,
    /// Session format from page 05h at closing (00h CD-ROM, 10h CD-I, 20h CD-ROM XA): the
    /// PSEC of the A0 pointer.
    pub disc_type: u8,
}

/// A CD-R's sessions and tracks.
pub(crate) type CdLayout = Layout<TrackFormat, SessionClose>;

/// A CD-R track.
pub(crate) type CdTrack = Track<TrackFormat>;

/// What a block that holds no user data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// On the disc but not user data: lead-in, pre-gap, run-out, lead-out or unwritten.
    NotData,
    /// Outside the disc.
    Outside,
}

impl CdLayout {
    /// What `lba`, which holds no user data, is.
    pub fn block_kind(g: &RecordingGeometry, lba: i64) -> BlockKind {
        if lba < ATIP_LEAD_IN_START || lba >= i64::from(g.capacity) {
            BlockKind::Outside
        } else {
            BlockKind::NotData
        }
    }

    /// The last block of the last recorded track, run-out included (what READ CAPACITY
    /// reports; 0 when nothing is recorded).
    pub fn last_recorded_block(&self) -> i64 {
        self.recorded_tracks()
            .last()
            .map_or(0, |(_, t)| t.end() - 1)
    }

    /// Closes the open session as `wanted` asks; 11b without room for another session
    /// closes it as "no next session". Returns the lead-in and lead-out blocks written, or
    /// `None` when no session with a track is open.
    pub fn close_session_as(
        &mut self,
        g: &RecordingGeometry,
        wanted: Closing,
        disc_type: u8,
    ) -> Option<u32> {
        let closing = match wanted {
            Closing::NextSessionAllowed if !self.room_after_closing(g) => Closing::NoNextSession,
            other => other,
        };
        let closed = SessionClose { closing, disc_type };
        self.close_session(g, closed, closing != Closing::NextSessionAllowed)
    }

    /// Adds a session recorded Session At Once, closed as `closing` asks.
    pub fn add_sao_session(
        &mut self,
        g: &RecordingGeometry,
        tracks: Vec<CdTrack>,
        closing: Closing,
        disc_type: u8,
    ) {
        self.sessions.push(crate::medium::recording::Session {
            tracks,
            closed: None,
        });
        // Cannot fail: the session just pushed is open and has tracks (the cue sheet has at
        // least one).
        let _ = self.close_session_as(g, closing, disc_type);
    }
}
