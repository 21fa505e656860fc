//! Where things are on a disc recorded in sessions: sessions, tracks, the track being
//! written and the next writable address that follows (MMC-6 4.2.3.5 for CD, 4.3.6.2 for
//! DVD+R, 4.5.3.5 for BD-R SRM), with the medium's numbers from a [`RecordingGeometry`].
//!
//! - Tracks follow each other in a session, [`RecordingGeometry::track_gap`] apart; the
//!   disc's first track starts at LBA 0. A track is recorded in whole ECC blocks and holds at
//!   least [`RecordingGeometry::min_track`] sectors: closing it pads it with zeros (the
//!   caller writes them), then adds its run-out.
//! - One track is written at a time: the incomplete track that grows from the next writable
//!   address towards the end of the disc, or a reserved track (RESERVE TRACK) of a fixed
//!   size, written and closed before another starts. The invisible track (READ TRACK
//!   INFORMATION of track FFh) is the incomplete track, or the empty one after everything
//!   recorded or reserved.
//! - Closing a session records its lead-out; the next session's first track follows the
//!   lead-out, the next lead-in and the track gap. A close that leaves too little room, or
//!   no session or track number, completes the disc.
//!
//! Each track carries the medium's record of how it was written (`T`: the CD's data mode
//! and CONTROL nibble), and each closed session the medium's record of how it was closed
//! (`C`: the CD's Multi-session field and session format).

use mmc_core::sense::triples;

use super::geometry::RecordingGeometry;
use super::replies::lba_field;
use super::DiscState;
use crate::medium::{MediumError, MediumResult};

/// One recorded, reserved or recording track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Track<T> {
    pub number: u16,
    /// Its first user sector (CD: index 1).
    pub start: i64,
    /// Sectors recorded from `start`, padding included: all readable.
    pub recorded: u32,
    /// Unreadable sectors ending the closed track (CD TAO run-out).
    pub run_out: u32,
    /// The size RESERVE TRACK gave it, while the track is reserved and not closed.
    pub reserved: Option<u32>,
    /// How the medium recorded it.
    pub format: T,
}

impl<T> Track<T> {
    /// One past its last user sector.
    pub fn data_end(&self) -> i64 {
        self.start + i64::from(self.recorded)
    }

    /// One past the space it occupies: a reservation's whole size, the run-out.
    pub fn end(&self) -> i64 {
        let body = self.reserved.unwrap_or(self.recorded).max(self.recorded);
        self.start + i64::from(body) + i64::from(self.run_out)
    }

    /// The size READ TRACK INFORMATION and the TOC report (run-out included).
    pub fn size(&self) -> u32 {
        self.recorded.saturating_add(self.run_out)
    }
}

/// One session: its closed tracks, and how it was closed (`None` while open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session<T, C> {
    pub tracks: Vec<Track<T>>,
    pub closed: Option<C>,
}

impl<T, C> Session<T, C> {
    pub fn first_track(&self) -> Option<&Track<T>> {
        self.tracks.first()
    }

    /// One past its last track (where its lead-out starts); 0 with no track.
    pub fn end(&self) -> i64 {
        self.tracks.last().map_or(0, Track::end)
    }
}

/// Where the next write goes: the track being written, or the invisible track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NextTrack {
    pub number: u16,
    /// The session it belongs to (a new one when every session is closed).
    pub session: u16,
    pub start: i64,
    /// Sectors already written into it.
    pub written: u32,
    /// Sectors that may still be written into it (0 when it is not writable).
    pub free: u32,
    /// False when a new track no longer fits (fewer than the minimum track left).
    pub writable: bool,
}

impl NextTrack {
    pub fn next_writable_address(&self) -> i64 {
        self.start + i64::from(self.written)
    }
}

/// The recording state of a disc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout<T, C> {
    /// Sessions in disc order; only the last may be open. Their tracks are closed.
    pub sessions: Vec<Session<T, C>>,
    /// The track being written (or reserved), part of the last session, which is open.
    pub open_track: Option<Track<T>>,
    /// Nothing more can be recorded.
    pub finalized: bool,
}

/// The 1-based number of session `index`.
pub(crate) fn session_number(index: usize) -> u16 {
    u16::try_from(index.saturating_add(1)).unwrap_or(u16::MAX)
}

impl<T: Clone, C> Layout<T, C> {
    pub fn blank() -> Self {
        Layout {
            sessions: Vec::new(),
            open_track: None,
            finalized: false,
        }
    }

    pub fn state(&self) -> DiscState {
        match self.sessions.last() {
            _ if self.finalized => DiscState::Complete,
            None => DiscState::Blank,
            Some(s) if s.closed.is_some() => DiscState::Appendable,
            Some(_) => DiscState::OpenSession,
        }
    }

    /// Every closed track with its session number, in disc order.
    pub fn recorded_tracks(&self) -> impl Iterator<Item = (u16, &Track<T>)> {
        self.sessions
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.tracks.iter().map(move |t| (session_number(i), t)))
    }

    /// Every track with its session number, the open track last.
    pub fn tracks(&self) -> impl Iterator<Item = (u16, &Track<T>)> {
        let last = self.session_count();
        self.recorded_tracks()
            .chain(self.open_track.iter().map(move |t| (last, t)))
    }

    /// The closed sessions with their numbers.
    pub fn closed_sessions(&self) -> impl Iterator<Item = (u16, &Session<T, C>)> {
        self.sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.closed.is_some())
            .map(|(i, s)| (session_number(i), s))
    }

    /// Sessions on the disc, the open one included.
    pub fn session_count(&self) -> u16 {
        u16::try_from(self.sessions.len()).unwrap_or(u16::MAX)
    }

    /// The number of the last track, the open one included (0 on a blank disc).
    pub fn last_track_number(&self) -> u16 {
        self.tracks().last().map_or(0, |(_, t)| t.number)
    }

    /// One past the last sector any track occupies.
    fn occupied_end(&self) -> i64 {
        self.tracks().map(|(_, t)| t.end()).max().unwrap_or(0)
    }

    /// Where the lead-in of session `index` (0-based) starts: the medium's first lead-in,
    /// or right after the previous session's lead-out.
    pub fn lead_in_start(&self, g: &RecordingGeometry, index: usize) -> i64 {
        match index.checked_sub(1) {
            None => g.first_lead_in,
            Some(previous) => {
                let end = self.sessions.get(previous).map_or(0, Session::end);
                g.round_up_lba(end) + i64::from(g.lead_out(previous))
            }
        }
    }

    /// Where the program area after session `index` (0-based, closed) starts: after its
    /// lead-out and the next lead-in (CD: the B0 pointer).
    pub fn program_area_after(&self, g: &RecordingGeometry, index: usize) -> i64 {
        self.lead_in_start(g, index.saturating_add(1)) + i64::from(g.lead_in)
    }

    /// The track a WRITE goes to: the open track while there is one, else a new track at
    /// the next writable address. `None` on a complete disc or with no track number left.
    pub fn writable_track(&self, g: &RecordingGeometry) -> Option<NextTrack> {
        if self.finalized {
            return None;
        }
        let Some(open) = &self.open_track else {
            return self.fresh_track(g);
        };
        let limit = match open.reserved {
            Some(size) => open.start + i64::from(size),
            None => i64::from(g.capacity) - i64::from(g.run_out),
        };
        let free = u32::try_from((limit - open.data_end()).max(0)).unwrap_or(u32::MAX);
        Some(next_track(
            g,
            open.number,
            self.session_count(),
            open.start,
            open.recorded,
            free,
        ))
    }

    /// The invisible track READ TRACK INFORMATION reports for FFh: the incomplete track
    /// being written, or the empty one after the last track (after a reservation too).
    pub fn invisible_track(&self, g: &RecordingGeometry) -> Option<NextTrack> {
        match &self.open_track {
            _ if self.finalized => None,
            Some(open) if open.reserved.is_some() => self.fresh_track(g),
            _ => self.writable_track(g),
        }
    }

    /// A new, empty track after everything recorded or reserved.
    fn fresh_track(&self, g: &RecordingGeometry) -> Option<NextTrack> {
        let number = match self.last_track_number() {
            0 => g.first_track,
            last => last.checked_add(1).filter(|&n| n <= g.max_track)?,
        };
        let end = g.round_up_lba(self.occupied_end());
        let gap = i64::from(g.track_gap);
        let (session, start) = match self.sessions.last() {
            None => (1, 0),
            Some(last) if last.closed.is_some() => {
                let index = self.sessions.len() - 1;
                (
                    self.session_count().saturating_add(1),
                    self.program_area_after(g, index) + gap,
                )
            }
            Some(_) => (self.session_count(), end + gap),
        };
        let room = i64::from(g.capacity) - i64::from(g.run_out) - start;
        let free = u32::try_from(room.max(0)).unwrap_or(u32::MAX);
        Some(next_track(g, number, session, start, 0, free))
    }

    /// The track a WRITE of `blocks` at `lba` goes to: 05/21/02 INVALID ADDRESS FOR WRITE
    /// unless `lba` is the next writable address of a writable track, 05/63/00 END OF USER
    /// AREA ENCOUNTERED ON THIS TRACK past the room left (MMC-6 4.2.3.5.3, 4.3.6.2.2).
    pub fn write_target(
        &self,
        g: &RecordingGeometry,
        lba: i64,
        blocks: u32,
    ) -> MediumResult<NextTrack> {
        let information = u64::from(lba_field(lba));
        let next = self
            .writable_track(g)
            .filter(|n| n.writable && n.next_writable_address() == lba)
            .ok_or_else(|| {
                MediumError::new(triples::INVALID_ADDRESS_FOR_WRITE).with_information(information)
            })?;
        if blocks > next.free {
            return Err(MediumError::new(triples::END_OF_USER_AREA).with_information(information));
        }
        Ok(next)
    }

    /// Records `blocks` at the writable track's next writable address (checked by the
    /// caller), opening a new track (and session) recorded as `format` when none is open.
    pub fn record(&mut self, next: &NextTrack, blocks: u32, format: T) {
        if self.open_track.is_none() {
            if self.sessions.last().is_none_or(|s| s.closed.is_some()) {
                self.sessions.push(Session {
                    tracks: Vec::new(),
                    closed: None,
                });
            }
            self.open_track = Some(Track {
                number: next.number,
                start: next.start,
                recorded: 0,
                run_out: 0,
                reserved: None,
                format,
            });
        }
        if let Some(open) = self.open_track.as_mut() {
            open.recorded = open.recorded.saturating_add(blocks);
        }
    }

    /// Reserves `size` sectors (already rounded to whole blocks) for the next track.
    pub fn reserve(&mut self, next: &NextTrack, size: u32, format: T) {
        self.record(next, 0, format);
        if let Some(open) = self.open_track.as_mut() {
            open.reserved = Some(size);
        }
    }

    /// The zero sectors the open track needs: to end on a block boundary (on a flush), or,
    /// when `closing`, also to fill its reservation and reach the minimum track length.
    /// Where the padding starts and how long it is.
    pub fn padding(&self, g: &RecordingGeometry, closing: bool) -> Option<(i64, u32)> {
        let open = self.open_track.as_ref()?;
        let mut target = g.round_up(open.recorded);
        if closing {
            target = target.max(open.reserved.unwrap_or(0)).max(g.min_track);
        }
        let pad = target.saturating_sub(open.recorded);
        (pad > 0).then_some((open.data_end(), pad))
    }

    /// Counts `pad` padding sectors as recorded in the open track.
    pub fn pad(&mut self, pad: u32) {
        if let Some(open) = self.open_track.as_mut() {
            open.recorded = open.recorded.saturating_add(pad);
        }
    }

    /// Closes the open track (already padded) into its session and adds its run-out;
    /// returns the run-out sectors recorded, or `None` when no track was open.
    pub fn close_track(&mut self, g: &RecordingGeometry) -> Option<u32> {
        let mut track = self.open_track.take()?;
        track.reserved = None;
        track.run_out = g.run_out;
        match self.sessions.last_mut() {
            Some(session) => session.tracks.push(track),
            None => self.sessions.push(Session {
                tracks: vec![track],
                closed: None,
            }),
        }
        Some(g.run_out)
    }

    /// Whether closing the open session leaves room for another: a session and a track
    /// number left, and the next session's first track (after this session's lead-out, the
    /// next lead-in and the track gap) able to hold the minimum the medium asks.
    pub fn room_after_closing(&self, g: &RecordingGeometry) -> bool {
        let index = self.sessions.len().saturating_sub(1);
        let start = self.program_area_after(g, index) + i64::from(g.track_gap);
        let room = i64::from(g.capacity) - i64::from(g.run_out) - start;
        room >= i64::from(g.min_next_session)
            && self.session_count() < g.max_sessions
            && self.last_track_number() < g.max_track
    }

    /// Closes the open session, holding tracks, as `closed` records; the disc is complete
    /// after it when `finalize`. Returns the sectors the close records, or `None` when no
    /// session with a track is open.
    pub fn close_session(
        &mut self,
        g: &RecordingGeometry,
        closed: C,
        finalize: bool,
    ) -> Option<u32> {
        let index = self.sessions.len().checked_sub(1)?;
        let session = self
            .sessions
            .get_mut(index)
            .filter(|s| s.closed.is_none() && !s.tracks.is_empty())?;
        session.closed = Some(closed);
        self.finalized |= finalize;
        Some(g.session_close_sectors(index))
    }

    /// Extends the disc's last closed track with zero sectors (never written, so the store
    /// reads them as zeros) up to `end`, as a finalization with minimal radius does; returns
    /// the sectors added (none when the track already reaches `end`).
    pub fn extend_last_track_to(&mut self, end: i64) -> u32 {
        let Some(track) = self.sessions.last_mut().and_then(|s| s.tracks.last_mut()) else {
            return 0;
        };
        let pad = u32::try_from(end - track.data_end()).unwrap_or(0);
        track.recorded = track.recorded.saturating_add(pad);
        pad
    }

    /// The first LBA of `first..first + blocks` that holds no user data (nothing recorded
    /// there, or a gap, run-out or lead-in), or `None` when every one does.
    pub fn first_unreadable(&self, first: i64, blocks: u32) -> Option<i64> {
        let end = first + i64::from(blocks);
        let mut at = first;
        while at < end {
            let track = self
                .tracks()
                .map(|(_, t)| t)
                .find(|t| (t.start..t.data_end()).contains(&at));
            match track {
                Some(t) => at = t.data_end(),
                None => return Some(at),
            }
        }
        None
    }
}

fn next_track(
    g: &RecordingGeometry,
    number: u16,
    session: u16,
    start: i64,
    written: u32,
    free: u32,
) -> NextTrack {
    // A new track must be able to hold the minimum length it will be padded to.
    let writable = written > 0 || free >= g.min_track;
    NextTrack {
        number,
        session,
        start,
        written,
        free: if writable { free } else { 0 },
        writable,
    }
}
