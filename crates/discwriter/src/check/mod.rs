//! Checking a disc: every sector of an area read, with bounded retries, into a map of good,
//! slow and unreadable ranges; and, against an image or a [`Manifest`](crate::manifest::Manifest), the sectors and
//! 16 MiB chunks that differ (as xorriso's `-check_media` and dvdisaster's scans do).
//!
//! ```
//! use discwriter::check::{CheckOptions, Checker, Reference};
//! use discwriter::manifest::ImageDigest;
//! use discwriter::{DataWriter, Recorder};
//! use virtdrive::{medium::MediumKind, DiscFileDrive, DriveConfig};
//!
//! let image = vec![0x5Au8; 64 * 2048];
//! let drive = DiscFileDrive::in_memory(MediumKind::BdRe, DriveConfig::default());
//! let writer = DataWriter::new();
//! writer.set_recorder(Recorder::open(drive)?)?;
//! writer.set_client_name("doc")?;
//! let outcome = writer.write(&mut std::io::Cursor::new(&image), image.len() as u64, None, &mut |_, _| {})?;
//! let mut rec = writer.take_recorder()?.expect("the recorder");
//!
//! let digest = ImageDigest::of(&image);
//! let report = Checker::new(CheckOptions::default()).run(
//!     &mut rec,
//!     outcome.start_lba as u32,
//!     outcome.sectors as u32,
//!     Some(Reference::Digest(&digest)),
//!     &mut |_, _| true,
//! )?;
//! assert!(report.passed(), "{}", report.summary());
//! # Ok::<(), discwriter::Error>(())
//! ```

mod compare;
#[cfg(feature = "plot")]
pub mod plot;

use std::time::{Duration, Instant};

use mmc_core::Transport;
use serde::Serialize;

pub use compare::Comparison;

use crate::manifest::{ImageDigest, CHUNK_SECTORS};
use crate::readback::{is_medium_refusal, Found, ReadPlan};
use crate::recorder::SECTOR;
use crate::{Error, Recorder};

/// How a check reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckOptions {
    /// Sectors per READ (10): 32 (64 KiB, a whole number of ECC blocks on DVD and BD).
    pub block_sectors: u32,
    /// How many times a block the drive refuses with a medium error is read again before
    /// its sectors are read one by one to find which cannot be read.
    pub retries: u32,
    /// A block read slower than this, in kB/s (1000 bytes), is slow. `None`: a quarter of the
    /// median speed of the check.
    pub slow_below_kbps: Option<f64>,
    /// How long one READ may take (the recorder's transfer timeout by default).
    pub timeout: Duration,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            block_sectors: 32,
            retries: 2,
            slow_below_kbps: None,
            timeout: crate::recorder::Timeouts::default().transfer,
        }
    }
}

/// What a check compares the disc with.
pub enum Reference<'a> {
    /// The image, read alongside the disc: the exact sectors that differ are known.
    Image(&'a mut dyn std::io::Read),
    /// The digests of a manifest: a chunk that differs is known, not which of its sectors.
    Digest(&'a ImageDigest),
}

impl std::fmt::Debug for Reference<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::Image(_) => f.write_str("Image(..)"),
            Reference::Digest(d) => f.debug_tuple("Digest").field(d).finish(),
        }
    }
}

/// The state of a run of sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectorState {
    Good,
    /// Read, below the speed threshold.
    Slow,
    /// Refused with a medium error (or illegal request, blank check) after the retries.
    Unreadable,
    /// Between sessions: not read (a check of the whole disc).
    NotRecorded,
}

/// How one read went.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Read {
    /// At this many kB/s.
    At(f64),
    /// Refused after the retries.
    Refused,
    /// Not read: not recorded.
    NotRecorded,
}

/// A run of sectors in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Range {
    pub start: u32,
    pub sectors: u32,
    pub state: SectorState,
}

/// The speed one READ went at: its first LBA and kB/s.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Speed {
    pub lba: u32,
    pub kbps: f64,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    pub start: u32,
    pub sectors: u32,
    /// The area, in order, as runs of good, slow and unreadable sectors.
    pub ranges: Vec<Range>,
    pub good_sectors: u64,
    pub slow_sectors: u64,
    pub unreadable_sectors: u64,
    /// Sectors between sessions, not read.
    pub not_recorded_sectors: u64,
    /// The threshold slow blocks were measured against, kB/s.
    pub slow_below_kbps: f64,
    /// The read speed along the disc, one point per READ that succeeded.
    pub speeds: Vec<Speed>,
    /// Against an image or a manifest.
    pub comparison: Option<Comparison>,
    /// When the area holds an ISO 9660 volume: its files with an unreadable sector or a
    /// sector that differs from the reference (for a manifest: a file in a chunk that differs).
    pub damaged_files: Vec<DamagedFile>,
    /// Directories of that volume that could not be read: their files are not named.
    pub unlisted_directories: Vec<String>,
}

/// What is wrong with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Damage {
    /// A sector of it could not be read.
    Unreadable,
    /// It was read, and differs from the image (or lies in a chunk that differs from the
    /// manifest).
    Differs,
}

/// A file of an ISO 9660 volume that holds a damaged sector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DamagedFile {
    pub path: String,
    /// Its extent.
    pub lba: u32,
    pub sectors: u32,
    pub damage: Damage,
}

impl CheckReport {
    /// Every sector read, and matched the reference when there is one.
    pub fn passed(&self) -> bool {
        self.unreadable_sectors == 0 && self.comparison.as_ref().is_none_or(Comparison::matched)
    }

    /// One line: the area, the counts, the comparison.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: LBA {}-{} ({} sectors): {} good, {} slow, {} unreadable",
            if self.passed() { "passed" } else { "FAILED" },
            self.start,
            u64::from(self.start) + u64::from(self.sectors.max(1)) - 1,
            self.sectors,
            self.good_sectors,
            self.slow_sectors,
            self.unreadable_sectors
        );
        if self.not_recorded_sectors > 0 {
            s.push_str(&format!(
                ", {} not recorded (between sessions)",
                self.not_recorded_sectors
            ));
        }
        if let Some(c) = &self.comparison {
            s.push_str("; ");
            s.push_str(&c.summary());
        }
        s
    }
}

impl CheckReport {
    /// One line on the read speed along the area: the slowest, the median and the fastest
    /// READ, as multiples of the medium's 1x when `one_x_kbps` (kB/s) is given, and MB/s.
    /// `None` when no READ succeeded.
    ///
    /// ```
    /// # use discwriter::check::{CheckReport, Speed};
    /// # let mut report = CheckReport { start: 0, sectors: 0, ranges: vec![], good_sectors: 0,
    /// #     slow_sectors: 0, unreadable_sectors: 0, not_recorded_sectors: 0, slow_below_kbps: 0.0,
    /// #     speeds: vec![], comparison: None, damaged_files: vec![], unlisted_directories: vec![] };
    /// report.speeds = [2770.0, 11080.0, 11080.0]
    ///     .iter()
    ///     .map(|&kbps| Speed { lba: 0, kbps })
    ///     .collect();
    /// assert_eq!(
    ///     report.speed_summary(Some(1385.0)).as_deref(),
    ///     Some("read speed: slowest 2.0x (2.8 MB/s), median 8.0x (11.1 MB/s), fastest 8.0x (11.1 MB/s)")
    /// );
    /// ```
    pub fn speed_summary(&self, one_x_kbps: Option<f64>) -> Option<String> {
        let mut kbps: Vec<f64> = self
            .speeds
            .iter()
            .map(|s| s.kbps)
            .filter(|k| k.is_finite())
            .collect();
        kbps.sort_by(f64::total_cmp);
        let (slowest, median, fastest) =
            (*kbps.first()?, *kbps.get(kbps.len() / 2)?, *kbps.last()?);
        let one_x = one_x_kbps.filter(|x| x.is_finite() && *x > 0.0);
        let speed = |k: f64| match one_x {
            Some(x) => format!("{:.1}x ({:.1} MB/s)", k / x, k / 1000.0),
            None => format!("{:.1} MB/s", k / 1000.0),
        };
        Some(format!(
            "read speed: slowest {}, median {}, fastest {}",
            speed(slowest),
            speed(median),
            speed(fastest)
        ))
    }
}

/// Reads an area of a disc and reports what it found.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    options: CheckOptions,
}

impl Checker {
    pub fn new(options: CheckOptions) -> Self {
        Checker { options }
    }

    /// Ejects the disc and loads it again before a check, so that what follows reads the
    /// medium and not the drive's buffer (a check right after a write would otherwise read
    /// back what the drive still holds of it). A drive that cannot load the disc again is
    /// refused (E_IMAPI_RECORDER_NOT_SUPPORTED) before it ejects anything.
    pub fn reload<T: Transport>(rec: &mut Recorder<T>) -> Result<(), Error> {
        rec.ensure_can_reload("before checking it")?;
        let becoming_ready = crate::recorder::Timeouts::default().becoming_ready;
        rec.reload(becoming_ready, &mut |_, _| {})
    }

    /// Reads `sectors` sectors from `start`, compared with `reference` when given (its first
    /// byte is the sector at `start`). `progress` hears the sectors done and the total, and
    /// stops the check by answering false (E_IMAPI_REQUEST_CANCELLED). A drive that fails
    /// otherwise than with a medium error (gone, timed out) ends the check with its error.
    pub fn run<T: Transport>(
        &self,
        rec: &mut Recorder<T>,
        start: u32,
        sectors: u32,
        reference: Option<Reference<'_>>,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<CheckReport, Error> {
        let plan = ReadPlan {
            start,
            sectors,
            found: Found::Given,
            gaps: Vec::new(),
            tolerate_unreadable: true,
        };
        self.run_plan(rec, &plan, reference, progress)
    }

    /// Reads the sectors of a [`readback::plan`](crate::readback::plan) (a session, what
    /// was written last, or the whole disc) as [`Checker::run`] does; its gaps (between
    /// sessions) are not read and are reported as not recorded, compared as zeros.
    pub fn run_plan<T: Transport>(
        &self,
        rec: &mut Recorder<T>,
        plan: &ReadPlan,
        reference: Option<Reference<'_>>,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<CheckReport, Error> {
        let (start, sectors) = (plan.start, plan.sectors);
        let block = self.options.block_sectors.clamp(1, 65535);
        let end = start.saturating_add(sectors);
        let mut compare = reference.map(|r| compare::Comparer::new(r, start));
        let mut states: Vec<(u32, u32, Read)> = Vec::new();
        let mut buf = vec![0u8; block as usize * SECTOR];
        let mut lba = start;
        while lba < end {
            let (run, gap) = plan.run_at(lba);
            let n = block.min(run).max(1);
            let part = buf.get_mut(..n as usize * SECTOR).unwrap_or(&mut []);
            if gap.is_some() {
                part.fill(0);
                states.push((lba, n, Read::NotRecorded));
            } else {
                self.read_block(rec, lba, part, &mut states)?;
            }
            if let Some(c) = compare.as_mut() {
                c.feed(lba, part)?;
            }
            lba += n;
            if !progress(u64::from(lba - start), u64::from(sectors)) {
                return Err(Error::RequestCancelled {
                    last_written_lba: None,
                });
            }
        }
        let mut report = self.report(start, sectors, &states, compare.map(|c| c.finish()));
        if !report.passed() {
            self.name_files(rec, &mut report);
        }
        Ok(report)
    }

    /// Names the files of the ISO 9660 volume at the area's start (if there is one) that hold
    /// the unreadable and differing sectors of `report`, as xorriso's `-check_media
    /// report=files` does. The directories are read again from the drive.
    fn name_files<T: Transport>(&self, rec: &mut Recorder<T>, report: &mut CheckReport) {
        let timeout = self.options.timeout;
        let block = self.options.block_sectors.clamp(1, 65535);
        let mut read = |lba: u32, n: u32| -> Option<Vec<u8>> {
            let mut buf = vec![0u8; n as usize * SECTOR];
            for (i, part) in buf.chunks_mut(block as usize * SECTOR).enumerate() {
                let at = lba.checked_add(u32::try_from(i).ok()?.checked_mul(block)?)?;
                rec.read_blocks(i64::from(at), part, timeout).ok()?;
            }
            Some(buf)
        };
        let Some(listing) = crate::volume::files::list(report.start, &mut read) else {
            return;
        };
        let unreadable = report
            .ranges
            .iter()
            .filter(|r| r.state == SectorState::Unreadable)
            .map(|r| (r.start, r.sectors));
        let differing = report
            .comparison
            .as_ref()
            .map(Comparison::differing_runs)
            .unwrap_or_default();
        let bad = unreadable
            .map(|run| (run, Damage::Unreadable))
            .chain(differing.into_iter().map(|run| (run, Damage::Differs)));
        let mut damaged: Vec<DamagedFile> = Vec::new();
        for ((first, n), damage) in bad {
            for f in crate::volume::files::overlapping(&listing.files, first, n) {
                if damaged.iter().any(|d| d.path == f.path && d.lba == f.lba) {
                    continue;
                }
                damaged.push(DamagedFile {
                    path: f.path.clone(),
                    lba: f.lba,
                    sectors: f.sectors,
                    damage,
                });
            }
        }
        damaged.sort_by_key(|d| d.lba);
        report.damaged_files = damaged;
        report.unlisted_directories = listing.unreadable_directories;
    }

    /// One block read into `part`; a block refused with a medium error is read again sector
    /// by sector to find which sectors cannot be read (MMC-6 4.2.4: a READ that meets an
    /// unrecoverable sector ends there). Unreadable sectors are left as zeros.
    fn read_block<T: Transport>(
        &self,
        rec: &mut Recorder<T>,
        lba: u32,
        part: &mut [u8],
        states: &mut Vec<(u32, u32, Read)>,
    ) -> Result<(), Error> {
        let n = (part.len() / SECTOR) as u32;
        match self.read_timed(rec, lba, part) {
            Ok(kbps) => states.push((lba, n, Read::At(kbps))),
            Err(e) if is_medium_refusal(&e) => {
                for (i, s) in part.chunks_mut(SECTOR).enumerate() {
                    let at = lba + i as u32;
                    match self.read_timed(rec, at, s) {
                        Ok(kbps) => states.push((at, 1, Read::At(kbps))),
                        Err(e) if is_medium_refusal(&e) => {
                            s.fill(0);
                            states.push((at, 1, Read::Refused));
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// One READ with the retries; the speed it went at, by the device's clock when it has one.
    fn read_timed<T: Transport>(
        &self,
        rec: &mut Recorder<T>,
        lba: u32,
        buf: &mut [u8],
    ) -> Result<f64, Error> {
        let mut tries = 0;
        loop {
            let (device0, wall0) = (rec.device_time(), Instant::now());
            match rec.read_blocks(i64::from(lba), buf, self.options.timeout) {
                Ok(()) => {
                    let took = match (device0, rec.device_time()) {
                        (Some(a), Some(b)) => b.saturating_sub(a),
                        _ => wall0.elapsed(),
                    };
                    let secs = took.as_secs_f64();
                    let kb = buf.len() as f64 / 1000.0;
                    return Ok(if secs > 0.0 { kb / secs } else { f64::INFINITY });
                }
                Err(e) if is_medium_refusal(&e) && tries < self.options.retries => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }

    fn report(
        &self,
        start: u32,
        sectors: u32,
        states: &[(u32, u32, Read)],
        comparison: Option<Comparison>,
    ) -> CheckReport {
        let speeds: Vec<Speed> = states
            .iter()
            .filter_map(|&(lba, _, read)| match read {
                Read::At(kbps) => Some(Speed { lba, kbps }),
                _ => None,
            })
            .collect();
        let threshold = self.options.slow_below_kbps.unwrap_or_else(|| {
            let mut finite: Vec<f64> = speeds
                .iter()
                .map(|s| s.kbps)
                .filter(|k| k.is_finite())
                .collect();
            finite.sort_by(f64::total_cmp);
            finite.get(finite.len() / 2).map_or(0.0, |m| m / 4.0)
        });
        let mut report = CheckReport {
            start,
            sectors,
            ranges: Vec::new(),
            good_sectors: 0,
            slow_sectors: 0,
            unreadable_sectors: 0,
            not_recorded_sectors: 0,
            slow_below_kbps: threshold,
            speeds,
            comparison,
            damaged_files: Vec::new(),
            unlisted_directories: Vec::new(),
        };
        for &(lba, n, kbps) in states {
            let state = match kbps {
                Read::NotRecorded => SectorState::NotRecorded,
                Read::Refused => SectorState::Unreadable,
                Read::At(k) if k < threshold => SectorState::Slow,
                Read::At(_) => SectorState::Good,
            };
            *match state {
                SectorState::Good => &mut report.good_sectors,
                SectorState::Slow => &mut report.slow_sectors,
                SectorState::Unreadable => &mut report.unreadable_sectors,
                SectorState::NotRecorded => &mut report.not_recorded_sectors,
            } += u64::from(n);
            match report.ranges.last_mut() {
                Some(last) if last.state == state && last.start + last.sectors == lba => {
                    last.sectors += n
                }
                _ => report.ranges.push(Range {
                    start: lba,
                    sectors: n,
                    state,
                }),
            }
        }
        report
    }
}

/// The 16 MiB chunk (counted from 0 at the area's start) that holds `lba`.
pub fn chunk_of(start: u32, lba: u32) -> u64 {
    u64::from(lba.saturating_sub(start)) / CHUNK_SECTORS
}

#[cfg(test)]
mod tests;
