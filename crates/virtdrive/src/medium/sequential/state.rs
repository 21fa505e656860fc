//! The saved recording state of a DVD+R or BD-R, and its checks on loading.
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
//!   "finalized": false
//! }
//! ```
//!
//! - `medium`: `"dvd+r"` or `"bd-r"`; `sessions` in disc order, only the last may have
//!   `closed: false`; `finalized` once the disc is complete.
//! - tracks: `number` (1, 2, ... over the disc), `start`, `recorded` (sectors, whole ECC
//!   blocks, at least one block). Each track follows the previous one of its session; a
//!   session's first track starts the medium's session gap after the previous session's
//!   end (see `layout`); everything lies inside the disc.
//!
//! The state describes the disc at its last flush (SYNCHRONIZE CACHE or CLOSE), so a track
//! in progress is saved closed into its open session, padded to whole blocks as the flush
//! recorded it.

use serde::{Deserialize, Serialize};

use super::geometry::Geometry;
use super::layout::{SequentialLayout, Session};
use crate::medium::overwritable::StateError;

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    medium: String,
    version: u32,
    sessions: Vec<Session>,
    finalized: bool,
}

/// The disc as JSON; an open track is saved as a closed track of its open session.
pub(crate) fn save(disc: &SequentialLayout, g: &Geometry) -> serde_json::Value {
    let mut sessions = disc.sessions.clone();
    if let (Some(open), Some(last)) = (disc.open_track.clone(), sessions.last_mut()) {
        if open.recorded > 0 {
            last.tracks.push(super::layout::Track {
                reserved: None,
                ..open
            });
        }
    }
    // A session whose only track was reserved and left empty holds nothing.
    sessions.retain(|s| !s.tracks.is_empty());
    serde_json::to_value(Saved {
        medium: g.name.into(),
        version: VERSION,
        sessions,
        finalized: disc.finalized,
    })
    .unwrap_or(serde_json::Value::Null)
}

/// A disc from its saved state, checked against the medium's layout rules.
pub(crate) fn load(
    value: &serde_json::Value,
    g: &Geometry,
) -> Result<SequentialLayout, StateError> {
    let saved: Saved = serde_json::from_value(value.clone())
        .map_err(|e| StateError::new(g.name, format!("malformed state: {e}")))?;
    StateError::check_header(g.name, &saved.medium, saved.version)?;
    let fail = |what: String| Err(StateError::new(g.name, what));
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
            if disc.open_track.is_some() || track.reserved.is_some() {
                return fail(format!("{where_}: a reserved track in a saved state"));
            }
            if track.number != disc.last_track_number().saturating_add(1) {
                return fail(format!("{where_}: track numbers must run 1, 2, 3..."));
            }
            if Some(track.start) != expected {
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
                disc.record(&next, track.recorded);
                disc.close_track();
            }
        }
        if session.closed {
            disc.close_session(g);
            if disc.finalized && n != count {
                return fail(format!("session {n} left no room for session {}", n + 1));
            }
        }
    }
    if saved.finalized {
        if disc.state() != super::layout::DiscState::Appendable && !disc.finalized {
            return fail("only a disc whose sessions are all closed can be finalized".into());
        }
        disc.finalized = true;
    }
    Ok(disc)
}
