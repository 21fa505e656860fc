//! What the write-once media recorded in sessions and tracks (CD-R, DVD+R, BD-R) share: one
//! session-and-track layout, the rules that differ between media given as data, and the
//! READ DISC INFORMATION and READ TRACK INFORMATION replies built from them.
//!
//! - [`RecordingGeometry`] (`geometry`): one row per medium: the recordable area, the ECC
//!   block, the track and session limits, pre-gap and run-out, lead-in and lead-out sizes,
//!   what closing a session records.
//! - [`Layout`] (`layout`): sessions, tracks (recorded, open or reserved), the next writable
//!   address, and closing a track, a session or the disc.
//! - `replies`: the disc and track information every such medium answers.
//!
//! What a medium adds lives with it: the CD-R (`cd_r`) its write types, cue sheets, TOC and
//! the three ways its sessions close, carried in the layout's per-track and per-session
//! records; DVD+R and BD-R (`sequential`) their reservations and closing functions.

mod geometry;
mod layout;
mod replies;

pub(crate) use geometry::{AddressForm, RecordingGeometry};
pub(crate) use layout::{Layout, Session, Track};
pub(crate) use replies::{disc_information, lba_field, track_information};

/// The state of a disc recorded in sessions (MMC-6 6.22.3.1.2, Disc Status and State of
/// Last Session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiscState {
    /// Nothing recorded.
    Blank,
    /// The last session holds tracks and is not closed.
    OpenSession,
    /// Every session is closed and another may follow (CD: closed with Multi-session 11b).
    Appendable,
    /// Finalized, or closed with no room (or, on CD, no permission) for another session:
    /// nothing more can be recorded.
    Complete,
}

#[cfg(test)]
mod tests;
