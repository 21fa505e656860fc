//! The saved recording state of a CD-R, and its checks on loading.
//!
//! # Format (version 1)
//!
//! ```json
//! {
//!   "format": "virtdrive/cd-r",
//!   "version": 1,
//!   "size": "80min",
//!   "sessions": [
//!     {
//!       "tracks": [
//!         { "number": 1, "start": 0, "recorded": 1000, "run_out": 2,
//!           "data_mode": 1, "control": 4 }
//!       ],
//!       "closing": "next-session-allowed",
//!       "disc_type": 0
//!     }
//!   ]
//! }
//! ```
//!
//! - `size`: `"74min"` or `"80min"`.
//! - `type`: `"cd-rw"` for a CD-RW; absent (or `"cd-r"`) for a CD-R. A CD-RW's state is
//!   the same as a CD-R's: a blanked disc saves as a blank one.
//! - `sessions`, in disc order. `closing` is `null` for an open session (only the last may
//!   be open), `"next-session-allowed"` (Multi-session 11b), `"no-next-session"` (01b, or no
//!   room left: B0 = FF:FF:FF) or `"finalized"` (00b). `disc_type` is the session format
//!   (0, 16 = CD-I, 32 = CD-ROM XA).
//! - tracks: `number` (1-99, consecutive over the disc), `start` (LBA of index 1), `recorded`
//!   (readable blocks, at least 300), `run_out` (2 for TAO, 0 for SAO), `data_mode` (1 or 2),
//!   `control` (4 or 6).
//!
//! The positions must follow the layout rules of the `layout` module: the first session's
//! first track at LBA 0 (TAO) or later (SAO), each TAO track 150 blocks after the end of the
//! previous one in its session, each later session's first track at the previous lead-out +
//! 11,400 (after session 1) or + 6,900, everything ending by the lead-out limit. The state
//! describes the disc at its last synchronize, so it never holds a track in progress.

use serde::{Deserialize, Serialize};

use super::layout::{CdLayout, CdRSize, CdTrack, CdType, Closing, SessionClose, TrackFormat};
use super::layout::{MAX_TRACK, MIN_TRACK, PREGAP, TAO_RUN_OUT};
use crate::medium::recording::{RecordingGeometry, Session};

/// The `format` value of a CD-R state.
pub const STATE_FORMAT: &str = "virtdrive/cd-r";
/// The version this code writes and reads.
pub const STATE_VERSION: u32 = 1;

/// Why a saved CD-R state cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CdRStateError {
    /// Not JSON of the expected shape (a missing field, a wrong type...).
    #[error("CD-R state is malformed: {0}")]
    Malformed(#[source] serde_json::Error),
    /// The `format` field names something else.
    #[error("CD-R state: format is {found:?}, expected {STATE_FORMAT:?}")]
    WrongFormat { found: String },
    /// Written by a version this code does not read.
    #[error(
        "CD-R state: version {found} is not supported (this build reads version {STATE_VERSION})"
    )]
    UnsupportedVersion { found: u32 },
    /// Well-formed, but no CD-R could be in this state.
    #[error("CD-R state: {0}")]
    Inconsistent(String),
}

#[derive(Serialize, Deserialize)]
struct SavedState {
    format: String,
    version: u32,
    size: CdRSize,
    #[serde(rename = "type", default, skip_serializing_if = "is_cd_r")]
    cd_type: CdType,
    sessions: Vec<SavedSession>,
    /// Never saved (the state is taken at a synchronize); read, and refused, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    open_track: Option<SavedTrack>,
}

#[derive(Serialize, Deserialize)]
struct SavedSession {
    tracks: Vec<SavedTrack>,
    closing: Option<Closing>,
    disc_type: u8,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
struct SavedTrack {
    number: u8,
    start: i32,
    recorded: u32,
    run_out: u32,
    data_mode: u8,
    control: u8,
}

impl SavedTrack {
    fn of(t: &CdTrack) -> Self {
        SavedTrack {
            number: u8::try_from(t.number).unwrap_or(u8::MAX),
            start: i32::try_from(t.start).unwrap_or(i32::MAX),
            recorded: t.recorded,
            run_out: t.run_out,
            data_mode: t.format.data_mode,
            control: t.format.control,
        }
    }

    fn track(self) -> CdTrack {
        CdTrack {
            number: self.number.into(),
            start: self.start.into(),
            recorded: self.recorded,
            run_out: self.run_out,
            reserved: None,
            format: TrackFormat {
                data_mode: self.data_mode,
                control: self.control,
            },
        }
    }
}

fn is_cd_r(cd_type: &CdType) -> bool {
    *cd_type == CdType::Recordable
}

pub(crate) fn save(size: CdRSize, cd_type: CdType, disc: &CdLayout) -> serde_json::Value {
    let sessions = disc
        .sessions
        .iter()
        .map(|s| SavedSession {
            tracks: s.tracks.iter().map(SavedTrack::of).collect(),
            closing: s.closed.map(|c| c.closing),
            disc_type: s.closed.map_or(0, |c| c.disc_type),
        })
        .collect();
    let saved = SavedState {
        format: STATE_FORMAT.into(),
        version: STATE_VERSION,
        size,
        cd_type,
        sessions,
        open_track: disc.open_track.as_ref().map(SavedTrack::of),
    };
    // Serializing plain structs of numbers, strings and enums cannot fail.
    serde_json::to_value(saved).unwrap_or(serde_json::Value::Null)
}

pub(crate) fn load(
    value: &serde_json::Value,
) -> Result<(CdRSize, CdType, CdLayout), CdRStateError> {
    let saved = SavedState::deserialize(value).map_err(CdRStateError::Malformed)?;
    if saved.format != STATE_FORMAT {
        return Err(CdRStateError::WrongFormat {
            found: saved.format,
        });
    }
    if saved.version != STATE_VERSION {
        return Err(CdRStateError::UnsupportedVersion {
            found: saved.version,
        });
    }
    if saved.open_track.is_some() {
        return Err(CdRStateError::Inconsistent(
            "open_track: a saved disc holds no track in progress".into(),
        ));
    }
    let mut disc = CdLayout::blank();
    disc.sessions = saved
        .sessions
        .iter()
        .map(|s| Session {
            tracks: s.tracks.iter().copied().map(SavedTrack::track).collect(),
            closed: s.closing.map(|closing| SessionClose {
                closing,
                disc_type: s.disc_type,
            }),
        })
        .collect();
    disc.finalized = disc
        .sessions
        .last()
        .and_then(|s| s.closed)
        .is_some_and(|c| c.closing != Closing::NextSessionAllowed);
    check(&disc, saved.size.geometry(), &saved.sessions).map_err(CdRStateError::Inconsistent)?;
    Ok((saved.size, saved.cd_type, disc))
}

/// Checks that `disc` is a state this drive could have recorded.
/// `saved` are the sessions as saved, for what the layout does not keep (the session format
/// of an open session).
fn check(disc: &CdLayout, g: &RecordingGeometry, saved: &[SavedSession]) -> Result<(), String> {
    let limit = i64::from(g.capacity);
    let mut expected_number: u16 = 1;
    for (i, (session, header)) in disc.sessions.iter().zip(saved).enumerate() {
        let n = i + 1;
        check_session_header(header, n, saved.len())?;
        if i > 0 {
            let previous = disc
                .sessions
                .get(i - 1)
                .and_then(|p| p.closed)
                .map(|c| c.closing);
            if previous != Some(Closing::NextSessionAllowed) {
                return Err(format!(
                    "session {n} follows a session that allows no next session"
                ));
            }
        }
        let mut previous_track: Option<&CdTrack> = None;
        for track in &session.tracks {
            let where_ = format!("session {n}, track {}", track.number);
            if track.number != expected_number || track.number > MAX_TRACK {
                return Err(format!("{where_}: expected track number {expected_number}"));
            }
            expected_number = expected_number.saturating_add(1);
            check_track(track, &where_)?;
            let expected_start = match previous_track {
                // TAO: a 150-block pre-gap after the previous track's run-out.
                Some(p) if track.run_out == TAO_RUN_OUT => Some(p.end() + i64::from(PREGAP)),
                // SAO: the cue sheet set the pre-gaps; tracks only must not overlap.
                Some(p) if track.start < p.end() => {
                    return Err(format!(
                        "{where_}: starts at {}, inside the previous track (ends at {})",
                        track.start,
                        p.end()
                    ))
                }
                Some(_) => None,
                None if i == 0 && track.run_out == TAO_RUN_OUT => Some(0),
                None if i == 0 && track.start < 0 => {
                    return Err(format!("{where_}: starts at {}, before LBA 0", track.start))
                }
                None if i == 0 => None,
                None => Some(disc.program_area_after(g, i - 1) + i64::from(PREGAP)),
            };
            if let Some(expected) = expected_start {
                if track.start != expected {
                    return Err(format!(
                        "{where_}: starts at {}, expected {expected}",
                        track.start
                    ));
                }
            }
            if track.end() > limit {
                return Err(format!(
                    "{where_}: ends at {}, past the lead-out limit {limit}",
                    track.end()
                ));
            }
            previous_track = Some(track);
        }
    }
    Ok(())
}

fn check_session_header(session: &SavedSession, n: usize, count: usize) -> Result<(), String> {
    if session.tracks.is_empty() {
        return Err(format!("session {n}: has no tracks"));
    }
    if session.closing.is_none() && n != count {
        return Err(format!("session {n}: is open but is not the last session"));
    }
    if !matches!(session.disc_type, 0x00 | 0x10 | 0x20) {
        return Err(format!(
            "session {n}: disc_type {} is not 0, 16 or 32",
            session.disc_type
        ));
    }
    if n > 1 && session.tracks.iter().any(|t| t.run_out != TAO_RUN_OUT) {
        return Err(format!(
            "session {n}: only the first session may be recorded Session At Once"
        ));
    }
    Ok(())
}

fn check_track(track: &CdTrack, where_: &str) -> Result<(), String> {
    let TrackFormat { data_mode, control } = track.format;
    if !matches!(data_mode, 1 | 2) {
        return Err(format!("{where_}: data_mode {data_mode} is not 1 or 2"));
    }
    if !matches!(control, 4 | 6) {
        return Err(format!("{where_}: control {control} is not 4 or 6"));
    }
    if !matches!(track.run_out, 0 | TAO_RUN_OUT) {
        return Err(format!("{where_}: run_out {} is not 0 or 2", track.run_out));
    }
    if track.recorded < MIN_TRACK {
        return Err(format!(
            "{where_}: {} blocks recorded, fewer than the minimum {MIN_TRACK}",
            track.recorded
        ));
    }
    Ok(())
}
