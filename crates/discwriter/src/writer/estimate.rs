//! How long a write should take, for RemainingTime and TotalTime: the data at the drive's
//! write speed, the plan's closing (what each close records on the medium, and the poll
//! that sees an Immed command end), and the verification's reads.
//!
//! Figures of the media, not of a drive: a drive records the close at its own speed. The
//! estimate is what the events count down from (see `Progress`).

use mmc_core::cdb::CloseFunction;

use super::plan::{DataEnd, MediumClass, Step, WritePlan};
use super::progress::one_x_kbps;
use super::{VerificationLevel, WriteOptions};
use crate::recorder::{POLL_INTERVAL, SECTOR};

/// Kilobytes (1000 bytes) in a sector, for times at a speed in kB/s.
const SECTOR_KB: f64 = SECTOR as f64 / 1000.0;

/// CD: the lead-in a session close records, and the lead-out of the first session and of
/// every later one (Orange Book part II: 1 min, 1 min 30 s and 30 s at 75 sectors a second).
const CD_LEAD_IN: u64 = 4_500;
const CD_FIRST_LEAD_OUT: u64 = 6_750;
const CD_LATER_LEAD_OUT: u64 = 2_250;
/// A drive records the lead-in and lead-out at a speed of its own choosing, often below the
/// data's: the estimate takes 4x, the slowest CD-R write speed drives offer, to err long.
const CD_CLOSE_KBPS: f64 = 4.0 * 176.4;
/// DVD+R: a session's closure (64 ECC blocks of 16 sectors), and the lead-out a finalizing
/// close adds (DVD+R Basic Format Specifications).
const DVD_PLUS_R_CLOSURE: u64 = 64 * 16;
const DVD_LEAD_OUT: u64 = 32_768;
/// DVD+R: finalizing with minimal radius (CLOSE 101b, MMC-6 6.3.3.3) pads a data zone that
/// ends inside the radius DVD-ROM readers need out to it: 30 mm, about LBA 266,720 on a
/// single-layer disc whose data zone runs from 24 mm to 58 mm (ECMA-267) over 2,295,104
/// sectors of equal area.
const DVD_PLUS_R_MINIMAL_RADIUS_END: u64 = 266_720;
/// A drive records a DVD+R's closure, padding and lead-out at a speed of its own choosing:
/// the estimate takes 4x, the slowest DVD+R write speed drives offer, to err long.
const DVD_CLOSE_KBPS: f64 = 4.0 * 1385.0;
/// The DVD+RW compatibility close (MMC-6 6.3.3.2.3) records a lead-out after the written
/// area, at the background format's speed, 2.4x.
const DVD_PLUS_RW_CLOSE_KBPS: f64 = 2.4 * 1385.0;
/// BD-R: closing pads the session to a whole cluster (32 sectors).
const BD_CLUSTER: u64 = 32;
/// Sectors a quick verification reads at most: 16 sampled chunks and the last.
const QUICK_CHUNKS: u64 = 17;

/// Seconds to move `sectors` at `kbps` kB/s.
pub(super) fn seconds(sectors: u64, kbps: f64) -> f64 {
    sectors as f64 * SECTOR_KB / kbps.max(1.0)
}

/// The seconds each part of a write is expected to take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Budget {
    /// The data at the write speed; `None` for a stream of unknown length.
    pub(super) data: Option<f64>,
    /// The closing steps after the data, once the drive has recorded the data.
    pub(super) finalize: f64,
    /// Verification's reads.
    pub(super) verify: f64,
}

impl Budget {
    /// The budget of `plan` with `options`, writing at `kbps` (kB/s; `None`: the medium's
    /// 1x, what every drive of it reaches). Verification is counted at the same speed: a
    /// drive reads at least as fast as it writes.
    pub(super) fn of(plan: &WritePlan, options: &WriteOptions, kbps: Option<u32>) -> Budget {
        let rate = kbps.map_or(one_x_kbps(plan.profile), f64::from);
        let time = |sectors: u64| seconds(sectors, rate);
        // A stream of unknown length is planned as if one sector long: what closes it.
        let sectors = plan.sectors.unwrap_or(1).max(1);
        let finalize = plan
            .closing(DataEnd::Complete, sectors)
            .steps
            .iter()
            .map(|(step, _)| step_seconds(plan, *step, rate))
            .sum();
        let verified = match options.verification {
            VerificationLevel::None => 0,
            VerificationLevel::Quick => sectors.min(QUICK_CHUNKS * plan.chunk.max(1)),
            VerificationLevel::Full => sectors,
        };
        Budget {
            data: plan.sectors.map(time),
            finalize,
            verify: time(verified),
        }
    }
}

/// The seconds one closing step of `plan` takes at `rate` kB/s.
fn step_seconds(plan: &WritePlan, step: Step, rate: f64) -> f64 {
    let poll = POLL_INTERVAL.as_secs_f64();
    match step {
        Step::WriteZeros { sectors, .. } => seconds(sectors, rate),
        Step::WriteParameters { .. } => 0.0,
        // Immed commands: the end is seen at the next poll.
        Step::Synchronize | Step::CloseTrack => poll,
        Step::Close(function) => poll + close_seconds(plan, function, rate),
    }
}

/// What closing `function` records on the plan's medium, in seconds.
fn close_seconds(plan: &WritePlan, function: CloseFunction, rate: f64) -> f64 {
    let finalizing = matches!(
        function,
        CloseFunction::FinalizeMinimalRadius | CloseFunction::FinalizeDisc
    );
    match (plan.class, function) {
        (MediumClass::Cd, _) => {
            // A later session starts past the first one's lead-out and its own lead-in: a
            // track starting before that is in the first session (a track continued after a
            // failed write included).
            let first_session = plan.start_lba < (CD_FIRST_LEAD_OUT + CD_LEAD_IN) as i64;
            let lead_out = if first_session {
                CD_FIRST_LEAD_OUT
            } else {
                CD_LATER_LEAD_OUT
            };
            seconds(CD_LEAD_IN + lead_out, CD_CLOSE_KBPS)
        }
        (MediumClass::Sequential { .. } | MediumClass::DvdDashR { .. }, _)
            if plan.profile.is_dvd() =>
        {
            let lead_out = if finalizing { DVD_LEAD_OUT } else { 0 };
            let padding = if function == CloseFunction::FinalizeMinimalRadius {
                let end = plan.start_lba.max(0) as u64 + plan.sectors.unwrap_or(0);
                DVD_PLUS_R_MINIMAL_RADIUS_END.saturating_sub(end)
            } else {
                0
            };
            seconds(DVD_PLUS_R_CLOSURE + lead_out + padding, DVD_CLOSE_KBPS)
        }
        (MediumClass::Sequential { .. } | MediumClass::DvdDashR { .. }, _) => {
            seconds(BD_CLUSTER, rate)
        }
        (MediumClass::Overwritable { dvd_plus_rw: true }, CloseFunction::CloseSession) => {
            seconds(DVD_LEAD_OUT, DVD_PLUS_RW_CLOSE_KBPS)
        }
        (MediumClass::Overwritable { .. }, _) => 0.0,
    }
}
