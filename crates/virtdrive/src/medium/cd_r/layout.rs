//! Where things are on a CD-R: sessions, tracks, pre-gaps, run-out, lead-in and lead-out, and
//! the next writable address that follows from them.
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

pub(crate) use crate::medium::recording::DiscState;

use crate::medium::MediumKind;

/// The pre-gap before every track (2 seconds).
pub(crate) const PREGAP: i64 = 150;
/// Unreadable blocks ending a TAO track.
pub(crate) const TAO_RUN_OUT: u32 = 2;
/// The shortest track MMC allows (4 seconds).
pub(crate) const MIN_TRACK: u32 = 300;
/// Track numbers run from 1 to 99 on a CD.
pub(crate) const MAX_TRACK: u8 = 99;
/// Lead-in length of every session.
pub(crate) const LEAD_IN: i64 = 4_500;
/// Lead-out of the first session (90 s).
pub(crate) const FIRST_LEAD_OUT: i64 = 6_750;
/// Lead-out of every later session (30 s).
pub(crate) const LATER_LEAD_OUT: i64 = 2_250;
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

    pub const fn from_kind(kind: MediumKind) -> Option<Self> {
        match kind {
            MediumKind::CdR74 => Some(CdRSize::Minutes74),
            MediumKind::CdR80 => Some(CdRSize::Minutes80),
            _ => None,
        }
    }
}

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

/// One recorded (or, for the open track, recording) track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Track {
    /// 1 to 99.
    pub number: u8,
    /// Index 1: the first block of user data.
    pub start: i32,
    /// Blocks of user data from `start`, padding included: all readable.
    pub recorded: u32,
    /// Unreadable blocks ending the track: 2 after TAO, none in SAO.
    pub run_out: u32,
    /// 1 (Mode 1) or 2 (Mode 2 Form 1), from the data block type.
    pub data_mode: u8,
    /// The CONTROL nibble: 4 data, 6 data with digital copy permitted.
    pub control: u8,
}

impl Track {
    pub fn start(&self) -> i64 {
        i64::from(self.start)
    }

    /// First block after the user data.
    pub fn data_end(&self) -> i64 {
        self.start() + i64::from(self.recorded)
    }

    /// First block after the track (run-out included).
    pub fn end(&self) -> i64 {
        self.data_end() + i64::from(self.run_out)
    }

    /// The track size READ TRACK INFORMATION and the TOC report.
    pub fn size(&self) -> u32 {
        self.recorded.saturating_add(self.run_out)
    }
}

/// One session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Session {
    pub tracks: Vec<Track>,
    /// `None` while the session is open (tracks are being added).
    pub closing: Option<Closing>,
    /// Session format from page 05h at closing (00h CD-ROM, 10h CD-I, 20h CD-ROM XA): the
    /// PSEC of the A0 pointer.
    pub disc_type: u8,
}

impl Session {
    /// Where the lead-out starts: right after the last track.
    pub fn lead_out(&self) -> Option<i64> {
        self.tracks.last().map(Track::end)
    }

    pub fn first_track(&self) -> Option<&Track> {
        self.tracks.first()
    }
}

/// Where the next track goes: the invisible track (MMC-6 6.27.3: track FFh), or the track
/// being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NextTrack {
    pub number: u8,
    /// The session it belongs to (a new one when the last is closed).
    pub session: u16,
    /// Index 1 of the track.
    pub start: i64,
    /// Blocks already written into it (an open TAO track).
    pub written: u32,
    /// Blocks that may still be written: up to the lead-out limit, minus the run-out.
    pub free: u32,
    /// False when even a minimum-length track no longer fits.
    pub writable: bool,
}

impl NextTrack {
    pub fn next_writable_address(&self) -> i64 {
        self.start + i64::from(self.written)
    }
}

/// What a block that holds no user data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// On the disc but not user data: lead-in, pre-gap, run-out, lead-out or unwritten.
    NotData,
    /// Outside the disc.
    Outside,
}

/// The recording state of one disc: what is written where. Serialized as the disc state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CdLayout {
    pub size: CdRSize,
    pub sessions: Vec<Session>,
    /// The TAO track being written, part of the last (open) session. Never present at a
    /// synchronize point: SYNCHRONIZE CACHE closes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_track: Option<Track>,
}

impl CdLayout {
    pub fn blank(size: CdRSize) -> Self {
        CdLayout {
            size,
            sessions: Vec::new(),
            open_track: None,
        }
    }

    pub fn limit(&self) -> i64 {
        self.size.lead_out_limit()
    }

    pub fn state(&self) -> DiscState {
        match self.sessions.last() {
            None => DiscState::Blank,
            Some(s) => match s.closing {
                None => DiscState::OpenSession,
                Some(Closing::NextSessionAllowed) => DiscState::Appendable,
                Some(Closing::NoNextSession | Closing::Finalized) => DiscState::Complete,
            },
        }
    }

    /// Sessions closed so far (all but an open last one).
    pub fn closed_sessions(&self) -> impl Iterator<Item = (u16, &Session)> {
        self.sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.closing.is_some())
            .map(|(i, s)| (session_number(i), s))
    }

    pub fn closed_session_count(&self) -> u16 {
        u16::try_from(self.closed_sessions().count()).unwrap_or(u16::MAX)
    }

    /// Every recorded track with its session number, in order (not the open track).
    pub fn tracks(&self) -> impl Iterator<Item = (u16, &Track)> {
        self.sessions
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.tracks.iter().map(move |t| (session_number(i), t)))
    }

    /// The number of the last recorded track (0 on a blank disc).
    pub fn last_track_number(&self) -> u8 {
        self.tracks().last().map_or(0, |(_, t)| t.number)
    }

    /// The start of the lead-in of session `index` (0-based): the ATIP lead-in for the first,
    /// else right after the previous session's lead-out.
    pub fn lead_in_start(&self, index: usize) -> i64 {
        match index.checked_sub(1).and_then(|p| self.sessions.get(p)) {
            None => ATIP_LEAD_IN_START,
            Some(prev) => prev.lead_out().unwrap_or(0) + lead_out_length(index - 1),
        }
    }

    /// Where the first track of the session after session `index` (0-based, closed) starts.
    fn next_session_track_start(&self, index: usize) -> i64 {
        let lead_out = self
            .sessions
            .get(index)
            .and_then(Session::lead_out)
            .unwrap_or(0);
        lead_out + lead_out_length(index) + LEAD_IN + PREGAP
    }

    /// The start of the next program area after closed session `index` (the B0 pointer):
    /// the pre-gap of the next session's first track.
    pub fn next_program_area(&self, index: usize) -> i64 {
        self.next_session_track_start(index) - PREGAP
    }

    /// Whether a session closed now (as session `index`) leaves room for another: its first
    /// track, of minimum length with run-out, must fit before the lead-out limit, and a track
    /// number must remain.
    pub fn room_for_session_after(&self, index: usize) -> bool {
        let start = self.next_session_track_start(index);
        let fits = start + i64::from(MIN_TRACK) + i64::from(TAO_RUN_OUT) <= self.limit();
        fits && self.last_track_number() < MAX_TRACK
    }

    /// The track the next WRITE goes to, or `None` on a complete disc or when all 99 track
    /// numbers are used.
    pub fn next_track(&self) -> Option<NextTrack> {
        let (number, session, start, written) = if let Some(t) = &self.open_track {
            (t.number, self.session_count(), t.start(), t.recorded)
        } else {
            let number = self.last_track_number().checked_add(1)?;
            if number > MAX_TRACK {
                return None;
            }
            match self.state() {
                DiscState::Complete => return None,
                DiscState::Blank => (number, 1, 0, 0),
                DiscState::Appendable => {
                    let last = self.sessions.len().saturating_sub(1);
                    (
                        number,
                        self.session_count().saturating_add(1),
                        self.next_session_track_start(last),
                        0,
                    )
                }
                DiscState::OpenSession => {
                    let after = self
                        .sessions
                        .last()
                        .and_then(Session::lead_out)
                        .unwrap_or(0);
                    (number, self.session_count(), after + PREGAP, 0)
                }
            }
        };
        let nwa = start + i64::from(written);
        let room = self.limit() - i64::from(TAO_RUN_OUT) - nwa;
        let free = u32::try_from(room.max(0)).unwrap_or(u32::MAX);
        // A new track must be able to hold the minimum 300 blocks it will be padded to.
        let writable = written > 0 || free >= MIN_TRACK;
        Some(NextTrack {
            number,
            session,
            start,
            written,
            free: if writable { free } else { 0 },
            writable,
        })
    }

    /// Sessions on the disc, the open one included.
    pub fn session_count(&self) -> u16 {
        u16::try_from(self.sessions.len()).unwrap_or(u16::MAX)
    }

    /// Reading from `lba`: the end of the run of user data it starts (the end of its
    /// track's data), or what it is when it is not user data.
    pub fn data_run_end(&self, lba: i64) -> Result<i64, BlockKind> {
        if lba < ATIP_LEAD_IN_START || lba >= self.limit() {
            return Err(BlockKind::Outside);
        }
        let in_data = |t: &&Track| lba >= t.start() && lba < t.data_end();
        self.tracks()
            .map(|(_, t)| t)
            .chain(self.open_track.as_ref())
            .find(in_data)
            .map(Track::data_end)
            .ok_or(BlockKind::NotData)
    }

    /// The last block of the last recorded track, run-out included (what READ CAPACITY
    /// reports; 0 when nothing is recorded).
    pub fn last_recorded_block(&self) -> i64 {
        self.tracks().last().map_or(0, |(_, t)| t.end() - 1)
    }

    /// Starts a session if the last one is closed (or there is none).
    fn ensure_open_session(&mut self) {
        let open = matches!(self.sessions.last(), Some(s) if s.closing.is_none());
        if !open {
            self.sessions.push(Session {
                tracks: Vec::new(),
                closing: None,
                disc_type: 0,
            });
        }
    }

    /// Records `blocks` blocks at the NWA of the next track, opening it (and its session)
    /// when needed. The caller has checked the address and the room.
    pub fn grow_open_track(&mut self, next: &NextTrack, blocks: u32, data_mode: u8, control: u8) {
        self.ensure_open_session();
        let track = self.open_track.get_or_insert(Track {
            number: next.number,
            start: i32::try_from(next.start).unwrap_or(i32::MAX),
            recorded: 0,
            run_out: 0,
            data_mode,
            control,
        });
        track.recorded = track.recorded.saturating_add(blocks);
    }

    /// Closes the open TAO track: pads it to the minimum length and adds its run-out.
    /// Returns the blocks the drive writes to do so (padding and run-out), or `None` when no
    /// track is open.
    pub fn close_open_track(&mut self) -> Option<u32> {
        let mut track = self.open_track.take()?;
        let padding = MIN_TRACK.saturating_sub(track.recorded);
        track.recorded = track.recorded.max(MIN_TRACK);
        track.run_out = TAO_RUN_OUT;
        match self.sessions.last_mut() {
            Some(s) => s.tracks.push(track),
            None => self.sessions.push(Session {
                tracks: vec![track],
                closing: None,
                disc_type: 0,
            }),
        }
        Some(padding + TAO_RUN_OUT)
    }

    /// Closes the open session as `wanted` asks; 11b without room for another session
    /// closes it as "no next session". Returns the lead-in and lead-out blocks written, or
    /// `None` when no session with a track is open.
    pub fn close_session(&mut self, wanted: Closing, disc_type: u8) -> Option<u32> {
        let index = self.sessions.len().checked_sub(1)?;
        let open_with_tracks = self
            .sessions
            .get(index)
            .is_some_and(|s| s.closing.is_none() && !s.tracks.is_empty());
        if !open_with_tracks {
            return None;
        }
        let closing = match wanted {
            Closing::NextSessionAllowed if !self.room_for_session_after(index) => {
                Closing::NoNextSession
            }
            other => other,
        };
        let session = self.sessions.get_mut(index)?;
        session.closing = Some(closing);
        session.disc_type = disc_type;
        let written = LEAD_IN + lead_out_length(index);
        Some(u32::try_from(written).unwrap_or(u32::MAX))
    }

    /// Adds a session recorded Session At Once, closed as `closing` asks.
    pub fn add_sao_session(&mut self, tracks: Vec<Track>, closing: Closing, disc_type: u8) {
        self.sessions.push(Session {
            tracks,
            closing: None,
            disc_type,
        });
        // Cannot fail: the session just pushed is open and has tracks (the cue sheet has at
        // least one).
        let _ = self.close_session(closing, disc_type);
    }
}

/// Lead-out length of session `index` (0-based).
pub(crate) fn lead_out_length(index: usize) -> i64 {
    if index == 0 {
        FIRST_LEAD_OUT
    } else {
        LATER_LEAD_OUT
    }
}

/// The 1-based session number of session `index`.
pub(crate) fn session_number(index: usize) -> u16 {
    u16::try_from(index.saturating_add(1)).unwrap_or(u16::MAX)
}
