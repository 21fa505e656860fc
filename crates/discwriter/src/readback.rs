//! Reading back what a disc holds: which sectors make up "what was written last", a session,
//! or the whole recorded area, and reading them through the drive.
//!
//! A host that keeps a record of its own writes gives it as [`LastWrite`] (the `discwriter`
//! command keeps one with a virtual disc): it is exact, and it is used when it describes the
//! session (or, on overwritable media, the disc) being read. Otherwise what was written is
//! found the way growisofs and xorriso find it: a session whose data starts with an ISO 9660
//! or UDF volume is as long as the volume says ([`crate::volume`]). Otherwise a write-once
//! disc's session is its data track without what the writer added to it (on CD the
//! 150-sector post-gap a data track carries, Orange Book; the 2 run-out blocks are outside
//! the track already); on overwritable media the length is then not known, and the plan
//! fails and says so.

use std::io::Write;
use std::time::Duration;

use mmc_core::cdb::ReadCapacity;
use mmc_core::response::CapacityData as Capacity;
use mmc_core::{Profile, Transport};

use crate::error::Error;
pub use crate::recorder::Track;
use crate::recorder::{DiscState, Recorder, SECTOR};
use crate::volume::{self, Volume};

/// The post-gap of a CD data track (Orange Book: 2 seconds), which writers add after the data.
pub const CD_DATA_POSTGAP: u32 = 150;

const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// What to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// What was written last: the last session (write-once media) or the data from LBA 0
    /// (overwritable media), as long as the volume on it, or the last write, says.
    Last,
    /// Session `n` (1 is the first), as long as its volume or its data track says.
    Session(u16),
    /// `sectors` sectors from the start of the last session (or of session `session`).
    FirstSectors { session: Option<u16>, sectors: u32 },
    /// `sectors` sectors from `start`.
    Range { start: u32, sectors: u32 },
    /// Everything from LBA 0 to the end of the last recorded track (write-once media) or of
    /// the formatted capacity (overwritable media); what cannot be read is zero-filled and
    /// reported.
    All,
}

/// What a host remembers of its last write to this disc (the `discwriter` command keeps
/// it with a virtual disc): where the data started and how many sectors it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastWrite {
    pub start_lba: u32,
    pub sectors: u32,
}

/// How the length of what is read was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Found {
    /// The file-system volume the data starts with.
    Volume { volume: Volume },
    /// The host's record of its last write.
    LastWrite,
    /// A write-once session's data track, less `trimmed` sectors the writer added.
    DataTrack { trimmed: u32 },
    /// The caller gave it.
    Given,
    /// The whole recorded area.
    Everything,
}

/// Sectors to read, and those known in advance not to be readable (the gaps between
/// sessions, in [`Selection::All`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    pub start: u32,
    pub sectors: u32,
    pub found: Found,
    /// Ranges inside `start..start + sectors` that hold no recorded data: not read, written as
    /// zeros, reported. Only [`Selection::All`] has them.
    pub gaps: Vec<Unreadable>,
    /// Zero-fill and report sectors that cannot be read, instead of failing.
    pub tolerate_unreadable: bool,
}

impl ReadPlan {
    /// From `lba` (inside the plan) on: the sectors up to the next change between recorded
    /// and gap (or the plan's end), and the gap `lba` is in, if any.
    pub fn run_at(&self, lba: u32) -> (u32, Option<&Unreadable>) {
        let end = self.start.saturating_add(self.sectors);
        let gap = self
            .gaps
            .iter()
            .find(|g| g.start <= lba && lba < g.start.saturating_add(g.sectors));
        let upto = match gap {
            Some(g) => g.start.saturating_add(g.sectors).min(end),
            None => self
                .gaps
                .iter()
                .filter(|g| g.start > lba)
                .map(|g| g.start)
                .min()
                .unwrap_or(end)
                .min(end),
        };
        (upto.saturating_sub(lba), gap)
    }
}

/// A run of sectors that was not read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unreadable {
    pub start: u32,
    pub sectors: u32,
    pub reason: String,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Drive(#[from] Error),
    /// The disc or the selection holds nothing to read.
    #[error("{0}")]
    Nothing(String),
    /// The length of the data is not known: the caller must give it.
    #[error("{0}")]
    LengthUnknown(String),
}

/// Works out which sectors `selection` means on the disc in the drive. `last_write` is the
/// host's record of its last write, when it keeps one.
pub fn plan<T: Transport>(
    rec: &mut Recorder<T>,
    selection: Selection,
    last_write: Option<LastWrite>,
) -> Result<ReadPlan, PlanError> {
    if let Selection::Range { start, sectors } = selection {
        return given(start, sectors);
    }
    let summary = rec.disc_summary()?;
    let profile = Profile::from_u16(summary.profile_code);
    if profile.is_rewritable_random() {
        return plan_overwritable(rec, selection, last_write, &summary);
    }
    if summary.status == DiscState::Blank {
        return Err(PlanError::Nothing(format!(
            "the {} disc is blank: nothing to read",
            summary.profile
        )));
    }
    let tracks = rec.recorded_tracks()?;
    let Some(last) = tracks.last().copied() else {
        return Err(PlanError::Nothing(format!(
            "the {} disc has no recorded track",
            summary.profile
        )));
    };
    let session_track = |n: u16| -> Result<Track, PlanError> {
        tracks
            .iter()
            .find(|t| t.session == n)
            .copied()
            .ok_or_else(|| {
                PlanError::Nothing(format!(
                    "--session {n}: the disc has {} session(s) with data",
                    last.session
                ))
            })
    };
    match selection {
        Selection::All => {
            let end = last.start.saturating_add(last.recorded);
            let mut gaps = Vec::new();
            let mut at = 0u32;
            for t in &tracks {
                if t.start > at {
                    gaps.push(Unreadable {
                        start: at,
                        sectors: t.start - at,
                        reason: "not recorded (between sessions or tracks)".into(),
                    });
                }
                at = at.max(t.start.saturating_add(t.recorded));
            }
            Ok(ReadPlan {
                start: 0,
                sectors: end,
                found: Found::Everything,
                gaps,
                tolerate_unreadable: true,
            })
        }
        Selection::FirstSectors { session, sectors } => {
            let t = session_track(session.unwrap_or(last.session))?;
            given(t.start, sectors)
        }
        Selection::Last | Selection::Session(_) => {
            let n = match selection {
                Selection::Session(0) => {
                    return Err(PlanError::Nothing(
                        "--session 0: sessions are counted from 1".into(),
                    ))
                }
                Selection::Session(n) => n,
                _ => last.session,
            };
            let t = session_track(n)?;
            // The host's own record is exact; a volume read from the disc may have been
            // left there by an earlier, longer write.
            if let Some(w) = last_write.filter(|w| w.start_lba == t.start && w.sectors > 0) {
                if w.sectors <= t.recorded {
                    return Ok(found(t.start, w.sectors, Found::LastWrite));
                }
            }
            if let Some(volume) = volume_at(rec, t.start, t.recorded)? {
                if let Some(sectors) = volume.extent_in(t.start, t.recorded) {
                    return Ok(found(t.start, sectors, Found::Volume { volume }));
                }
            }
            let trimmed = if profile.is_cd() && t.data && t.recorded > CD_DATA_POSTGAP {
                CD_DATA_POSTGAP
            } else {
                0
            };
            Ok(found(
                t.start,
                t.recorded - trimmed,
                Found::DataTrack { trimmed },
            ))
        }
        Selection::Range { start, sectors } => given(start, sectors),
    }
}

fn plan_overwritable<T: Transport>(
    rec: &mut Recorder<T>,
    selection: Selection,
    last_write: Option<LastWrite>,
    summary: &crate::media_status::DiscSummary,
) -> Result<ReadPlan, PlanError> {
    if summary.needs_formatting {
        return Err(PlanError::Nothing(format!(
            "the {} disc is not formatted: nothing to read",
            summary.profile
        )));
    }
    let capacity = read_capacity(rec)?;
    match selection {
        Selection::All => Ok(ReadPlan {
            start: 0,
            sectors: capacity,
            found: Found::Everything,
            gaps: Vec::new(),
            tolerate_unreadable: true,
        }),
        Selection::Session(n) if n != 1 => Err(PlanError::Nothing(format!(
            "--session {n}: a {} disc has one session",
            summary.profile
        ))),
        Selection::FirstSectors { session, sectors } => {
            if let Some(n) = session.filter(|&n| n != 1) {
                return Err(PlanError::Nothing(format!(
                    "--session {n}: a {} disc has one session",
                    summary.profile
                )));
            }
            given(0, sectors)
        }
        _ => {
            // The host's own record first, as on write-once media.
            if let Some(w) = last_write
                .filter(|w| w.sectors > 0 && w.start_lba.saturating_add(w.sectors) <= capacity)
            {
                return Ok(found(w.start_lba, w.sectors, Found::LastWrite));
            }
            if let Some(volume) = volume_at(rec, 0, capacity)? {
                if let Some(sectors) = volume.extent_in(0, capacity) {
                    return Ok(found(0, sectors, Found::Volume { volume }));
                }
            }
            Err(PlanError::LengthUnknown(format!(
                "the {} disc holds no ISO 9660 or UDF volume at LBA 0 and there is no record of \
                 the last write to it, so how much of its {capacity} sectors is data is not \
                 known: give --sectors N (and --start LBA), or --all for the whole disc",
                summary.profile
            )))
        }
    }
}

fn given(start: u32, sectors: u32) -> Result<ReadPlan, PlanError> {
    if sectors == 0 {
        return Err(PlanError::Nothing("--sectors 0: nothing to read".into()));
    }
    Ok(found(start, sectors, Found::Given))
}

fn found(start: u32, sectors: u32, found: Found) -> ReadPlan {
    ReadPlan {
        start,
        sectors,
        found,
        gaps: Vec::new(),
        tolerate_unreadable: false,
    }
}

/// The last LBA plus one, from READ CAPACITY.
fn read_capacity<T: Transport>(rec: &mut Recorder<T>) -> Result<u32, Error> {
    let c: Capacity = rec.query(&ReadCapacity::default())?;
    Ok(c.last_lba.saturating_add(1))
}

/// Reads one sector, `None` when the drive cannot read it.
fn sector<T: Transport>(rec: &mut Recorder<T>, lba: u32) -> Result<Option<Vec<u8>>, Error> {
    let mut buf = vec![0u8; SECTOR];
    match read_into(rec, lba, &mut buf) {
        Ok(()) => Ok(Some(buf)),
        Err(e) if is_medium_refusal(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The volume a session starting at `start` with `recorded` sectors begins with.
fn volume_at<T: Transport>(
    rec: &mut Recorder<T>,
    start: u32,
    recorded: u32,
) -> Result<Option<Volume>, Error> {
    if recorded <= volume::ISO9660_PVD_SECTOR {
        return Ok(None);
    }
    if let Some(pvd) = sector(rec, start + volume::ISO9660_PVD_SECTOR)? {
        if let Some(sectors) = volume::iso9660_sectors(&pvd) {
            return Ok(Some(Volume::Iso9660 { sectors }));
        }
    }
    if recorded <= volume::UDF_ANCHOR_SECTOR {
        return Ok(None);
    }
    let mut failure = None;
    let udf = volume::udf_sectors(start, &mut |rel| {
        if rel >= recorded || failure.is_some() {
            return None;
        }
        match sector(rec, start.saturating_add(rel)) {
            Ok(s) => s,
            Err(e) => {
                failure = Some(e);
                None
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(udf.map(|sectors| Volume::Udf { sectors }))
}

/// A READ the drive refused for the sector itself (not readable, out of range, wrong mode):
/// as opposed to a drive that is gone or not ready, which ends any read.
pub(crate) fn is_medium_refusal(e: &Error) -> bool {
    use mmc_core::sense::SenseKey;
    e.cause().and_then(|c| c.sense).is_some_and(|t| {
        matches!(
            t.key,
            SenseKey::MediumError | SenseKey::IllegalRequest | SenseKey::BlankCheck
        )
    })
}

fn read_into<T: Transport>(rec: &mut Recorder<T>, lba: u32, buf: &mut [u8]) -> Result<(), Error> {
    rec.read_blocks(i64::from(lba), buf, READ_TIMEOUT)
}

/// What reading a plan gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReadReport {
    /// Sectors written to the output (read or zero-filled).
    pub sectors: u64,
    /// Sectors zero-filled because they could not be read, in order.
    pub unreadable: Vec<Unreadable>,
}

/// Reads the plan's sectors into `out`, in order. A sector the drive refuses fails the read,
/// unless the plan tolerates it: then it is written as zeros and reported (a run at a time).
/// `progress` hears the sectors done and the total, and stops the read by answering false
/// (E_IMAPI_REQUEST_CANCELLED).
pub fn read<T: Transport>(
    rec: &mut Recorder<T>,
    plan: &ReadPlan,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ReadReport, Error> {
    let mut report = ReadReport::default();
    let total = u64::from(plan.sectors);
    let end = plan.start.saturating_add(plan.sectors);
    let chunk = rec.transfer_sectors(1);
    let mut buf = vec![0u8; chunk as usize * SECTOR];
    let mut lba = plan.start;
    let write = |out: &mut dyn Write, bytes: &[u8]| {
        out.write_all(bytes).map_err(|e| Error::Fail {
            detail: format!("writing the output: {e}"),
            cause: None,
        })
    };
    while lba < end {
        let (run, gap) = plan.run_at(lba);
        if let Some(gap) = gap {
            let upto = lba + run;
            let zeros = vec![0u8; SECTOR];
            for _ in lba..upto {
                write(out, &zeros)?;
            }
            note_unreadable(&mut report, lba, upto - lba, &gap.reason);
            lba = upto;
            report.sectors = u64::from(lba - plan.start);
            if !progress(report.sectors, total) {
                return Err(Error::RequestCancelled {
                    last_written_lba: None,
                });
            }
            continue;
        }
        let n = chunk.min(run);
        let part = buf.get_mut(..n as usize * SECTOR).unwrap_or(&mut []);
        match read_into(rec, lba, part) {
            Ok(()) => write(out, part)?,
            Err(e) if plan.tolerate_unreadable && is_medium_refusal(&e) => {
                // Sector by sector, to find which ones.
                for (i, s) in part.chunks_mut(SECTOR).enumerate() {
                    let at = lba + i as u32;
                    if let Err(e) = read_into(rec, at, s) {
                        if !is_medium_refusal(&e) {
                            return Err(e);
                        }
                        s.fill(0);
                        let reason = e
                            .cause()
                            .and_then(|c| c.sense)
                            .map_or_else(|| e.to_string(), |t| t.to_string());
                        note_unreadable(&mut report, at, 1, &reason);
                    }
                }
                write(out, part)?;
            }
            Err(e) => return Err(e),
        }
        lba += n;
        report.sectors = u64::from(lba - plan.start);
        if !progress(report.sectors, total) {
            return Err(Error::RequestCancelled {
                last_written_lba: None,
            });
        }
    }
    Ok(report)
}

/// Adds a run to the report, joining it to the previous one when they touch and agree.
fn note_unreadable(report: &mut ReadReport, start: u32, sectors: u32, reason: &str) {
    if let Some(last) = report.unreadable.last_mut() {
        if last.start.saturating_add(last.sectors) == start && last.reason == reason {
            last.sectors += sectors;
            return;
        }
    }
    report.unreadable.push(Unreadable {
        start,
        sectors,
        reason: reason.to_string(),
    });
}
