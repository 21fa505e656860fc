//! Where things are on a DVD+R or BD-R: sessions, tracks (DVD+R fragments, BD-R sequential
//! recording ranges), the track being written and the next writable address that follows.
//!
//! # Geometry (2048-byte sectors, LBA 0 = the first user sector)
//!
//! ```text
//!  session 1                         gap         session 2          invisible track
//! |track 1 |track 2 ... |closure + intro |track 3 ...|     NWA .......... capacity|
//! ```
//!
//! - Tracks are recorded in whole ECC blocks (16 sectors on DVD, 32 on BD): the drive pads
//!   a partly written last block with zeros when the cache is flushed or the track closed
//!   (notes §4.3: "BD-R SRM writes pad to cluster"; DVD+R is written in 16-sector packets,
//!   MMC-5 4.3.6.2.2). So every next writable address after a flush is block aligned.
//! - Tracks of one session follow each other without a gap. Closing a session records its
//!   closure and the next session's intro (DVD+R) before the next track: the next session
//!   starts [`Geometry::session_gap`] sectors after the end of the last.
//! - One track is written at a time: either the incomplete track that grows from the next
//!   writable address towards the end of the disc, or a reserved track (RESERVE TRACK) of a
//!   fixed size, which must be written and closed before another track starts.

use serde::{Deserialize, Serialize};

pub(crate) use crate::medium::recording::DiscState;

use super::geometry::Geometry;

/// One recorded, reserved or recording track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Track {
    /// 1, 2, ... over the whole disc.
    pub number: u16,
    /// Its first sector.
    pub start: u32,
    /// Sectors recorded from `start` (zero padding included once flushed).
    pub recorded: u32,
    /// The size RESERVE TRACK gave it, while the track is reserved and not closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved: Option<u32>,
}

impl Track {
    /// One past its last recorded sector.
    pub fn data_end(&self) -> u32 {
        self.start.saturating_add(self.recorded)
    }

    /// One past the space it occupies (a reservation's whole size).
    pub fn end(&self) -> u32 {
        self.start
            .saturating_add(self.reserved.unwrap_or(self.recorded).max(self.recorded))
    }
}

/// One session: its tracks, closed or still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Session {
    pub tracks: Vec<Track>,
    pub closed: bool,
}

impl Session {
    pub fn first_track(&self) -> Option<&Track> {
        self.tracks.first()
    }

    /// One past its last sector.
    pub fn end(&self) -> u32 {
        self.tracks.last().map_or(0, Track::end)
    }
}

/// Where the next write goes (READ TRACK INFORMATION of the invisible track, FFh).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NextTrack {
    pub number: u16,
    /// The session it belongs to (a new one when every session is closed).
    pub session: u16,
    pub start: u32,
    /// Sectors already written into it (the incomplete track being recorded).
    pub written: u32,
    /// Sectors that may still be written into it.
    pub free: u32,
}

impl NextTrack {
    pub fn next_writable_address(&self) -> u32 {
        self.start.saturating_add(self.written)
    }
}

/// The recording state of a disc (saved with the disc file, see `state`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SequentialLayout {
    /// Sessions in disc order; only the last may be open. Their tracks are closed.
    pub sessions: Vec<Session>,
    /// The track being written (or reserved), part of the last session, which is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_track: Option<Track>,
    /// Closed with a finalizing function, or by a session close that left no room.
    pub finalized: bool,
}

impl SequentialLayout {
    pub fn blank() -> Self {
        SequentialLayout {
            sessions: Vec::new(),
            open_track: None,
            finalized: false,
        }
    }

    pub fn state(&self) -> DiscState {
        match self.sessions.last() {
            _ if self.finalized => DiscState::Complete,
            None => DiscState::Blank,
            Some(s) if s.closed => DiscState::Appendable,
            Some(_) => DiscState::OpenSession,
        }
    }

    /// Every track with its session number, the open track last.
    pub fn tracks(&self) -> impl Iterator<Item = (u16, &Track)> {
        let last = self.session_count();
        self.sessions
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                let number = u16::try_from(i + 1).unwrap_or(u16::MAX);
                s.tracks.iter().map(move |t| (number, t))
            })
            .chain(self.open_track.iter().map(move |t| (last, t)))
    }

    pub fn closed_sessions(&self) -> impl Iterator<Item = (u16, &Session)> {
        self.sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.closed)
            .map(|(i, s)| (u16::try_from(i + 1).unwrap_or(u16::MAX), s))
    }

    pub fn session_count(&self) -> u16 {
        u16::try_from(self.sessions.len()).unwrap_or(u16::MAX)
    }

    pub fn last_track_number(&self) -> u16 {
        self.tracks().last().map_or(0, |(_, t)| t.number)
    }

    /// One past the last sector any track occupies.
    fn occupied_end(&self) -> u32 {
        self.tracks().map(|(_, t)| t.end()).max().unwrap_or(0)
    }

    /// The track a WRITE goes to: the open track while there is one, else a new track at
    /// the next writable address. `None` on a finalized disc.
    pub fn writable_track(&self, g: &Geometry) -> Option<NextTrack> {
        if self.finalized {
            return None;
        }
        if let Some(open) = &self.open_track {
            let limit = match open.reserved {
                Some(size) => open.start.saturating_add(size),
                None => g.capacity,
            };
            return Some(NextTrack {
                number: open.number,
                session: self.session_count(),
                start: open.start,
                written: open.recorded,
                free: limit.saturating_sub(open.data_end()),
            });
        }
        Some(self.fresh_track(g))
    }

    /// The invisible track READ TRACK INFORMATION reports for FFh: the incomplete track
    /// being written, or the empty one after the last track (after a reservation too).
    pub fn invisible_track(&self, g: &Geometry) -> Option<NextTrack> {
        if self.finalized {
            return None;
        }
        match &self.open_track {
            Some(open) if open.reserved.is_some() => Some(self.fresh_track(g)),
            _ => self.writable_track(g),
        }
    }

    /// A new, empty track after everything recorded or reserved.
    fn fresh_track(&self, g: &Geometry) -> NextTrack {
        let number = self.last_track_number().saturating_add(1);
        let end = g.round_up(self.occupied_end());
        let (session, start) = match self.sessions.last() {
            None => (1, 0),
            Some(last) if last.closed => (
                self.session_count().saturating_add(1),
                end.saturating_add(g.session_gap),
            ),
            Some(_) => (self.session_count(), end),
        };
        NextTrack {
            number,
            session,
            start,
            written: 0,
            free: g.capacity.saturating_sub(start),
        }
    }

    /// Records `blocks` at the writable track's next writable address (checked by the
    /// caller), opening a new track (and session) when none is open.
    pub fn record(&mut self, next: &NextTrack, blocks: u32) {
        if self.open_track.is_none() {
            if self.sessions.last().is_none_or(|s| s.closed) {
                self.sessions.push(Session {
                    tracks: Vec::new(),
                    closed: false,
                });
            }
            self.open_track = Some(Track {
                number: next.number,
                start: next.start,
                recorded: 0,
                reserved: None,
            });
        }
        if let Some(open) = self.open_track.as_mut() {
            open.recorded = open.recorded.saturating_add(blocks);
        }
    }

    /// Reserves `size` sectors (already rounded to whole blocks) for the next track.
    pub fn reserve(&mut self, next: &NextTrack, size: u32) {
        self.record(next, 0);
        if let Some(open) = self.open_track.as_mut() {
            open.reserved = Some(size);
        }
    }

    /// Sectors to pad so the open track ends on a block boundary (on a flush), or fills its
    /// reservation (on closing): where the padding starts and how long it is.
    pub fn padding(&self, g: &Geometry, closing: bool) -> Option<(u32, u32)> {
        let open = self.open_track.as_ref()?;
        let target = match open.reserved {
            Some(size) if closing => size,
            _ => g.round_up(open.recorded),
        };
        let pad = target.saturating_sub(open.recorded);
        (pad > 0).then_some((open.data_end(), pad))
    }

    /// Counts `pad` padding sectors as recorded in the open track.
    pub fn pad(&mut self, pad: u32) {
        if let Some(open) = self.open_track.as_mut() {
            open.recorded = open.recorded.saturating_add(pad);
        }
    }

    /// Closes the open track (already padded) into its session.
    pub fn close_track(&mut self) -> bool {
        let Some(mut track) = self.open_track.take() else {
            return false;
        };
        track.reserved = None;
        match self.sessions.last_mut() {
            Some(session) => session.tracks.push(track),
            None => self.sessions.push(Session {
                tracks: vec![track],
                closed: false,
            }),
        }
        true
    }

    /// Closes the open session; the disc is finalized when it holds the most sessions the
    /// medium allows or too little room is left for another (both as drives do, see
    /// `Geometry`).
    pub fn close_session(&mut self, g: &Geometry) {
        if let Some(last) = self.sessions.last_mut() {
            last.closed = true;
        }
        let room = self.fresh_track(g).free;
        if self.session_count() >= g.max_sessions || room < g.min_next_session {
            self.finalized = true;
        }
    }
}
