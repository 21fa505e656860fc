//! The saved recording state of a DVD+R, BD-R, DVD-R or DVD-R DL, and its checks on loading.
//! A DVD-R's test write is never saved: the state is the disc as recorded.
//!
//! # Format (version 1)
//!
//! ```json
//! {
//!   "medium": "dvd+r",
//!   "version": 1,
//!   "sessions": [
//!     { "tracks": [ { "number": 1, "start": 0, "recorded": 4096 } ], "closed": true }
//!   ],
//!   "finalized": false,
//!   "format": { "format_type": 50, "spare_clusters": 4096, "pow": true, "replaced_clusters": 0 },
//!   "layer0": 1048576
//! }
//! ```
//!
//! - `medium`: `"dvd+r"`, `"bd-r"`, `"dvd-r"`, `"dvd-r-dl"` or `"dvd-rw"` (inside a DVD-RW's
//!   state, `medium::dvd_rw`); `sessions` in disc order, only the last may have
//!   `closed: false`; `finalized` once the disc is complete.
//! - tracks: `number` (1, 2, ... over the disc), `start`, `recorded` (sectors, whole ECC
//!   blocks, at least one block). Each track follows the previous one of its session; a
//!   session's first track starts the medium's session gap after the previous session's
//!   end (see `medium::recording`); everything lies inside the disc.
//! - `format` (BD-R only, absent on a disc never formatted, and in states saved before
//!   formatting was modelled): the spare areas FORMAT UNIT gave (`bd_r_format`); the disc
//!   then ends where the spare areas leave it.
//! - `layer0` (DVD+R DL only, absent while the layer boundary is the blank disc's): the L0
//!   data zone capacity SEND DISC STRUCTURE set; the disc then holds twice it.
//!
//! The state describes the disc at its last flush (SYNCHRONIZE CACHE or CLOSE). A track in
//! progress is saved padded to whole blocks as the flush recorded it, with `"open": true`: a
//! flush leaves the track incomplete (MMC-5 6.41: SYNCHRONIZE CACHE records the buffered data
//! and does not close the track), so after a power loss it is still the track that writes
//! continue (only the last track of an open last session can be open). States saved without
//! the flag load that track closed.

use serde::{Deserialize, Serialize};

use super::bd_r_format::{self, SpareFormat};
use super::geometry::SequentialMedium;
use super::SequentialLayout;
use crate::medium::overwritable::StateError;
use crate::medium::recording::{DiscState, Session, Track};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    medium: String,
    version: u32,
    sessions: Vec<SavedSession>,
    finalized: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<SpareFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    layer0: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct SavedSession {
    tracks: Vec<SavedTrack>,
    closed: bool,
}

#[derive(Serialize, Deserialize)]
struct SavedTrack {
    number: u16,
    start: u32,
    recorded: u32,
    /// Never saved; read (and refused) for the states that hold it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reserved: Option<u32>,
    /// The incomplete track of the open session, flushed but not closed.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    open: bool,
}

impl SavedSession {
    fn of(session: &Session<(), ()>, open: Option<&Track<()>>) -> Self {
        let track = |t: &Track<()>, open: bool| SavedTrack {
            number: t.number,
            start: u32::try_from(t.start).unwrap_or(0),
            recorded: t.recorded,
            reserved: None,
            open,
        };
        SavedSession {
            tracks: session
                .tracks
                .iter()
                .map(|t| track(t, false))
                .chain(open.map(|t| track(t, true)))
                .collect(),
            closed: session.closed.is_some(),
        }
    }
}

/// The disc as JSON; an open track is saved as the last track of its open session, marked
/// open.
pub(crate) fn save(
    disc: &SequentialLayout,
    g: &SequentialMedium,
    format: Option<SpareFormat>,
    layer0: Option<u32>,
) -> serde_json::Value {
    let open = disc.open_track.as_ref().filter(|t| t.recorded > 0);
    let last = disc.sessions.len().saturating_sub(1);
    let mut sessions: Vec<SavedSession> = disc
        .sessions
        .iter()
        .enumerate()
        .map(|(i, s)| SavedSession::of(s, open.filter(|_| i == last)))
        .collect();
    // A session whose only track was reserved and left empty holds nothing.
    sessions.retain(|s| !s.tracks.is_empty());
    serde_json::to_value(Saved {
        medium: g.name().into(),
        version: VERSION,
        sessions,
        finalized: disc.finalized,
        format,
        layer0,
    })
    .unwrap_or(serde_json::Value::Null)
}

/// A disc, its format and its L0 data zone capacity from its saved state, checked against
/// the medium's layout rules.
pub(crate) fn load(
    value: &serde_json::Value,
    medium: &SequentialMedium,
) -> Result<(SequentialLayout, Option<SpareFormat>, Option<u32>), StateError> {
    let saved: Saved = serde_json::from_value(value.clone())
        .map_err(|e| StateError::new(medium.name(), format!("malformed state: {e}")))?;
    StateError::check_header(medium.name(), &saved.medium, saved.version)?;
    let fail = |what: String| Err(StateError::new(medium.name(), what));
    let format = saved.format;
    let mut geometry = medium.recording;
    if let Some(f) = format {
        let sizes = bd_r_format::spare_sizes(medium);
        if !medium.formattable || !f.is_valid(sizes) {
            return fail(format!("{f:?} is not a format of this medium"));
        }
        geometry.capacity = f.user_sectors(sizes);
    }
    let layer0 = saved.layer0;
    if let Some(l0) = layer0 {
        let settable = medium.layers.settable_layer0;
        let valid =
            l0 > 0 && l0 % medium.ecc_block().max(1) == 0 && settable.is_some_and(|max| l0 < max);
        if !valid {
            return fail(format!("layer0 {l0} is not a layer boundary of this disc"));
        }
        geometry.capacity = l0.saturating_mul(2);
    }
    let g = &geometry;
    let count = saved.sessions.len();
    if count > usize::from(g.max_sessions) {
        return fail(format!(
            "{count} sessions, more than the {} the disc holds",
            g.max_sessions
        ));
    }
    let mut disc = SequentialLayout::blank();
    for (i, session) in saved.sessions.into_iter().enumerate() {
        let n = i + 1;
        if session.tracks.is_empty() {
            return fail(format!("session {n} has no tracks"));
        }
        if !session.closed && n != count {
            return fail(format!("session {n} is open but is not the last session"));
        }
        for track in &session.tracks {
            // Where this track must start: right after the previous track of its
            // session, or where a new session starts.
            let expected = disc.writable_track(g).map(|t| t.start);
            let where_ = format!("session {n}, track {}", track.number);
            if disc.open_track.is_some() {
                return fail(format!("{where_}: follows an open track"));
            }
            if track.reserved.is_some() {
                return fail(format!("{where_}: a reserved track in a saved state"));
            }
            if track.open && session.closed {
                return fail(format!("{where_}: an open track in a closed session"));
            }
            if track.number != disc.last_track_number().saturating_add(1) {
                return fail(format!("{where_}: track numbers must run 1, 2, 3..."));
            }
            if Some(i64::from(track.start)) != expected {
                return fail(format!(
                    "{where_}: starts at {}, not at {expected:?}",
                    track.start
                ));
            }
            if track.recorded == 0 || track.recorded % g.ecc_block != 0 {
                return fail(format!(
                    "{where_}: {} sectors recorded, not whole {}-sector blocks",
                    track.recorded, g.ecc_block
                ));
            }
            if u64::from(track.start) + u64::from(track.recorded) > u64::from(g.capacity) {
                return fail(format!(
                    "{where_}: ends past the disc's {} sectors",
                    g.capacity
                ));
            }
            if let Some(next) = disc.writable_track(g) {
                disc.record(&next, track.recorded, ());
                if !track.open {
                    disc.close_track(g);
                }
            }
        }
        if session.closed {
            let finalize = !disc.room_after_closing(g);
            disc.close_session(g, (), finalize);
            if disc.finalized && n != count {
                return fail(format!("session {n} left no room for session {}", n + 1));
            }
        }
    }
    if saved.finalized {
        if disc.state() != DiscState::Appendable && !disc.finalized {
            return fail("only a disc whose sessions are all closed can be finalized".into());
        }
        disc.finalized = true;
    }
    Ok((disc, format, layer0))
}
