//! What the write-once media recorded in sessions and tracks (CD-R, DVD+R, BD-R) share: the
//! state of the disc as READ DISC INFORMATION reports it (MMC-6 6.22.3.1.2, Disc Status and
//! State of Last Session), whatever the medium's own layout (`cd_r::layout`,
//! `sequential::layout`).

/// The state of a disc recorded in sessions.
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
