//! The medium classes the planner knows, and the rules that depend on the medium: the
//! sectors a stream may hold (IMAPI's FreeSectorsOnMedia) and IMAPI's 2 % close rule over
//! the space a further session could use.

use mmc_core::cdb::CloseFunction;
use mmc_core::Profile;

use super::CD_POSTGAP;
use crate::recorder::DiscSummary;

/// How a medium is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediumClass {
    /// CD-R, and CD-RW once blank or appendable (a CD-RW is recorded as a CD-R is; only BLANK,
    /// MMC-6 6.2, takes back what was recorded): a TAO track per session, shaped by the
    /// write parameters page (MMC-6 7.5), with a post-gap and run-out; the page's
    /// multi-session field decides at CLOSE SESSION whether the disc stays appendable.
    Cd,
    /// DVD+R, BD-R SRM: a session per write, closed with CLOSE SESSION (010b). Closing the
    /// disc is `finalize`, the medium's plain finalization (110b on both, MMC-6 6.3.3.3 for
    /// DVD+R, 6.3.3.6 for BD-R); a medium with a DVD-ROM compatible finalization names it
    /// in `compatible` (DVD+R 101b, "finalize with minimal radius": the recorded area is
    /// extended to the radius DVD-ROM readers need), the close IMAPI's
    /// DisableConsumerDvdCompatibilityMode asks for.
    Sequential {
        finalize: CloseFunction,
        compatible: Option<CloseFunction>,
    },
    /// DVD-R (0011h), DVD-RW in sequential recording (0014h, recorded as DVD-R is) and DVD-R
    /// DL (0015h): sequential recording shaped by the write
    /// parameters page (MMC-5 7.5.4), as on CD. Incrementally (write type 00h, feature 0021h)
    /// a session per write, CLOSE TRACK then CLOSE SESSION, whose effect the page's
    /// multi-session field decides (11b: the disc stays appendable; 00b: it is finalized,
    /// MMC-5 6.3.3.2.3). Disc-at-Once (write type 02h, feature 002Fh) on DVD-R DL, and on a
    /// DVD-R whose drive does not offer incremental recording (feature 0021h not current):
    /// the whole disc in one session, reserved first with RESERVE TRACK (MMC-5 6.31), which
    /// the drive closes itself once the reservation is written and SYNCHRONIZE CACHE has
    /// flushed it (libburn's and growisofs's DAO: no CLOSE TRACK/SESSION).
    DvdDashR { dual_layer: bool },
    /// DVD+RW, BD-RE, DVD-RW in restricted overwrite (0013h) and DVD-RAM (0012h): written in
    /// place from LBA 0. `dvd_plus_rw`: the background format and its close are DVD+RW's.
    Overwritable { dvd_plus_rw: bool },
}

impl MediumClass {
    /// The class of a profile this writer records, `None` for the others.
    pub(crate) fn of(profile: Profile) -> Option<Self> {
        match profile {
            Profile::CdR | Profile::CdRw => Some(MediumClass::Cd),
            // DVD+R DL records sessions as DVD+R does; what is its own, the layer boundary
            // (READ/SEND DISC STRUCTURE format 20h), the plan sets before the first write.
            Profile::DvdPlusR | Profile::DvdPlusRDualLayer => Some(MediumClass::Sequential {
                finalize: CloseFunction::FinalizeDisc,
                compatible: Some(CloseFunction::FinalizeMinimalRadius),
            }),
            Profile::DvdRSequential | Profile::DvdRwSequential => {
                Some(MediumClass::DvdDashR { dual_layer: false })
            }
            Profile::DvdRDualLayerSequential => Some(MediumClass::DvdDashR { dual_layer: true }),
            // BD is not DVD: the consumer DVD compatibility IMAPI documents for DVD+R has no
            // BD-R counterpart (MMC-6 6.3.3.6 defines one finalization), so a BD-R session
            // is closed alone unless ForceMediaToBeClosed or the 2 % rule closes the disc.
            Profile::BdRSrm => Some(MediumClass::Sequential {
                finalize: CloseFunction::FinalizeDisc,
                compatible: None,
            }),
            Profile::DvdPlusRw => Some(MediumClass::Overwritable { dvd_plus_rw: true }),
            Profile::BdRe | Profile::DvdRwRestrictedOverwrite | Profile::DvdRam => {
                Some(MediumClass::Overwritable { dvd_plus_rw: false })
            }
            _ => None,
        }
    }

    /// Recorded session by session, never over what is there.
    pub(crate) fn write_once(self) -> bool {
        !matches!(self, MediumClass::Overwritable { .. })
    }
}

/// What a further session costs on CD before its first user sector, after a session that
/// follows `closed_sessions` closed ones: the last track's run-out (2 blocks, MMC-6
/// 4.2.3.7), this session's lead-out (Orange Book: 6,750 blocks after the first session,
/// 2,250 after a later one), the next session's lead-in (4,500) and its first track's
/// pre-gap (150). On DVD+R and BD-R the drive's own session overhead (Closure and Intro,
/// which MMC leaves to the medium's books) is left to the drive: next to 2 % of the disc it
/// never decides whether another session fits.
fn further_session_overhead(profile: Profile, closed_sessions: u16) -> u64 {
    if !profile.is_cd() {
        return 0;
    }
    let lead_out = if closed_sessions == 0 { 6_750 } else { 2_250 };
    2 + lead_out + 4_500 + CD_POSTGAP
}

/// IMAPI's close rule: a write-once disc is closed when at most 2 % of it would remain for
/// a further session. `free` is the drive's free blocks before the write, `used` what the
/// write records of them (its data and what the medium adds), `closed_sessions` the
/// sessions closed before it; what the next session would cost before its data is not
/// space it could use.
pub(super) fn leaves_no_room_for_another_session(
    profile: Profile,
    free: u64,
    used: u64,
    total: u64,
    closed_sessions: u16,
) -> bool {
    let usable = free
        .saturating_sub(used)
        .saturating_sub(further_session_overhead(profile, closed_sessions));
    usable.saturating_mul(50) <= total
}

/// Whether the next write onto the appendable disc `disc` is its last session (IMAPI's
/// FINAL_SESSION media state, "only one additional session"): on a DVD-R DL, recorded
/// Disc-at-Once in one session, always; elsewhere under the close rule, when even a write of
/// no data (only the post-gap a CD track gets, unless the image carries it) leaves no room
/// for another.
pub(crate) fn next_session_is_final(disc: &DiscSummary, postgap_already_in_image: bool) -> bool {
    let profile = Profile::from_u16(disc.profile_code);
    let used = match MediumClass::of(profile) {
        Some(MediumClass::DvdDashR { dual_layer: true }) => return true,
        Some(MediumClass::Cd) if !postgap_already_in_image => CD_POSTGAP,
        _ => 0,
    };
    leaves_no_room_for_another_session(
        profile,
        u64::from(disc.free_sectors),
        used,
        u64::from(disc.total_sectors),
        disc.sessions,
    )
}

/// The sectors a stream may hold on the disc `disc` describes, IMAPI's FreeSectorsOnMedia:
/// "sectors consumed in managing the disc space ... such as run-out blocks and postgaps" are
/// left out. On CD-R that is the drive's free blocks (run-out already left out) less the
/// post-gap the writer appends, unless the image carries it; on overwritable media the whole
/// disc (an unformatted one as the write's format leaves it); elsewhere the drive's free
/// blocks.
pub fn free_sectors_for_stream(disc: &DiscSummary, postgap_already_in_image: bool) -> u32 {
    let profile = Profile::from_u16(disc.profile_code);
    if profile.is_rewritable_random() {
        return disc.capacity_once_formatted.unwrap_or(disc.total_sectors);
    }
    match MediumClass::of(profile) {
        Some(MediumClass::Cd) if !postgap_already_in_image => {
            disc.free_sectors.saturating_sub(CD_POSTGAP as u32)
        }
        _ => disc.free_sectors,
    }
}
