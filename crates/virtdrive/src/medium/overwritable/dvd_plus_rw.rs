//! DVD+RW (profile 001Ah): sold blank and unformatted; FORMAT UNIT type 26h starts a
//! background format ("de-icing") during which the host may already write; CLOSE
//! TRACK/SESSION stops it (MMC-6 6.5.4.2.14, 6.3.3.6; libburn cookbook, "Unformatted
//! DVD+RW").
//!
//! Choices, with their grounds:
//! - **Disc status.** Blank (00b) while the disc was never formatted; once a format has been
//!   started, complete (10b) with a complete session: a formatted DVD+RW does not report
//!   empty (a developer's question on club.myce.com, "Why does a formatted DVD+RW not report
//!   empty status"), and libburn therefore ignores the status on profile 1Ah and reads the
//!   BG Format Status. Erasable is set: Microsoft's sample takes "complete and not
//!   erasable" for a pressed disc.
//! - **Background format.** It de-ices at 2.4x (3,324 kB/s), so a whole disc takes about
//!   23.6 minutes of virtual time, the tens of minutes drives take. The formatted extent grows
//!   from LBA 0 with the clock ([`Medium::advance`]); BG Format Status is 2 meanwhile, 3
//!   when it reaches the end. Writes go anywhere at once and do not wait
//!   ([`Medium::blocking_format_progress`] is always `None`); a sector neither formatted nor
//!   written reads as zeros, as a background format promises.
//! - **CLOSE 010b** stops the format in the DVD-ROM compatible way: the drive de-ices up to
//!   the last written block, then writes a lead-out there (counted as 32,768 sectors, INF),
//!   which takes virtual time ([`Busy`]). **000b** quick-stops: no lead-out, about a second.
//!   Either way the format was stopped before the end, so BG Format Status becomes 1
//!   ("started, not completed", MMC-6 6.22.3.1.13; libburn's "partly formatted DVD+RW", the
//!   state it restarts with the Restart bit). 010b on a fully formatted disc does nothing,
//!   harmlessly. [`DvdPlusRw::dvd_rom_compatible`] tells whether a lead-out
//!   closes the recorded area.
//! - **READ CAPACITY.** 0 on a blank disc and, once formatting has started, the last LBA of
//!   the disc (Pioneer R8/BDR-203 manuals: "If a non-blank +RW disc is mounted, the Logical
//!   Block Address ... is set to 23053Fh"). A stopped format leaves the readable area at the
//!   formatted or written extent, whichever is further, rounded up to an ECC block: where
//!   the lead-out of a compatible close lies (dvd+rw-format -lead-out).
//! - **FORMAT 26h** without the Restart bit formats afresh: the disc then reads as zeros.
//!   With it, a stopped format resumes where it stopped; on a running or complete format it
//!   does nothing; on a disc never formatted there is nothing to restart (05/26/00).
//! - **Never formatted**: READ and WRITE answer 02/30/10 MEDIUM NOT FORMATTED (INF; growisofs
//!   and libburn always format a blank DVD+RW first, and the OpenVMS COPY/RECORDABLE_MEDIA
//!   help says formatting is required before writing blank rewritable media).
//! - **Power loss** and the saved state: what was last synchronized (CLOSE and FORMAT UNIT
//!   synchronize too). A format running at that moment stops where it had got to, as when
//!   the disc is ejected mid-format; so does a format saved in a file and loaded again.
//! - **Mode page 05h** is reported and takes the DVD write types without steering the
//!   recording (MMC-6 7.5; `medium::dvd_plus_write_parameters`).

use core::time::Duration;

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, ReadDiscStructure, ReadTocPmaAtip, TrackAddressType,
};
use mmc_core::params::{FormatUnitParameters, WriteParameters};
use mmc_core::response::capacity::{
    CapacityDescriptorType, CurrentCapacity, FormatType, FormattableCapacity,
};
use mmc_core::response::disc_info::{BgFormatStatus, DiscStatus, LastSessionState};
use mmc_core::response::disc_structure::BookType;
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::triples;
use mmc_core::Profile;
use serde::{Deserialize, Serialize};

use super::{
    check_single_track, invalid_cdb_field, invalid_parameter, load_written, round_up, sector_span,
    single_track, single_track_toc, StateError, UserArea, WrittenExtents,
};
use crate::clock::{transfer_time, VirtualTime};
use crate::medium::disc_structure::{self, Structures};
use crate::medium::dvd_plus_write_parameters;
use crate::medium::MediaIdentity;
use crate::medium::{Busy, Medium, MediumError, MediumKind, MediumResult, MediumSpec};
use crate::store::SectorStore;

/// Sectors of a single-layer DVD+RW (4,700,372,992 bytes).
pub const DVD_PLUS_RW_SECTORS: u64 = 2_295_104;
/// Sectors per ECC block.
pub const DVD_ECC_BLOCK: u32 = 16;
/// DVD 1x in kB/s (k = 1000), mmc-core's figure.
pub const DVD_1X_KBPS: u32 = match mmc_core::Profile::DvdPlusRw.one_x() {
    Some(kbps) => kbps as u32,
    None => 0,
};
/// Write speeds, fastest first: 8x, 4x, 2.4x.
pub const DVD_PLUS_RW_WRITE_SPEEDS: [u32; 3] = [8 * DVD_1X_KBPS, 4 * DVD_1X_KBPS, 3324];
/// Read speed: 8x.
pub const DVD_PLUS_RW_READ_SPEED: u32 = 8 * DVD_1X_KBPS;
/// The background format de-ices at 2.4x.
pub const BACKGROUND_FORMAT_KBPS: u32 = 3324;
/// What a compatible close writes after the recorded area (INF: 64 MiB).
pub const LEAD_OUT_SECTORS: u64 = 32_768;
/// How long a quick stop (CLOSE 000b) keeps the drive busy (INF).
pub const QUICK_STOP: Duration = Duration::from_secs(1);
const NAME: &str = "dvd+rw";

/// Background format state (READ DISC INFORMATION byte 7 bits 1-0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BgFormat {
    /// 00b: never formatted.
    NotFormatted,
    /// 10b: de-icing since `since`, when `from` sectors were already formatted.
    Running { since: VirtualTime, from: u64 },
    /// 01b: stopped with `formatted` sectors done.
    Stopped { formatted: u64 },
    /// 11b: the whole disc is formatted.
    Complete,
}

/// What the disc records (and what power loss reverts to).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Recording {
    bg: BgFormat,
    written: WrittenExtents,
    /// Where a compatible close put the lead-out; cleared by a write beyond it.
    lead_out: Option<u64>,
}

/// A single-layer DVD+RW.
#[derive(Debug)]
pub struct DvdPlusRw {
    area: UserArea,
    bg: BgFormat,
    lead_out: Option<u64>,
    /// The state at the last synchronize (the area's written ranges included).
    synced: Recording,
    /// The latest time the drive told us about.
    now: VirtualTime,
    /// Page 05h as the host last set it: the drive's memory, not the disc's.
    write_parameters: WriteParameters,
}

impl DvdPlusRw {
    /// A blank, unformatted disc over `store` (whose contents are ignored until written).
    pub fn new(store: Box<dyn SectorStore>) -> Self {
        let blank = Recording {
            bg: BgFormat::NotFormatted,
            written: WrittenExtents::new(),
            lead_out: None,
        };
        DvdPlusRw {
            area: UserArea::new(store, DVD_ECC_BLOCK, WrittenExtents::new()),
            bg: blank.bg,
            lead_out: None,
            synced: blank,
            now: VirtualTime::ZERO,
            write_parameters: dvd_plus_write_parameters::default_page(),
        }
    }

    /// The disc saved by [`Medium::save_state`], over the store that holds its data. A
    /// background format that was running is loaded stopped (BG Format Status 1).
    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let saved: SavedDvdPlusRw = serde_json::from_value(value.clone())
            .map_err(|e| StateError::new(NAME, format!("not a DVD+RW state: {e}")))?;
        StateError::check_header(NAME, &saved.medium, saved.version)?;
        let bg = match (saved.bg_format.as_str(), saved.formatted) {
            ("not-formatted", _) => BgFormat::NotFormatted,
            ("in-progress" | "stopped", Some(f)) if f <= DVD_PLUS_RW_SECTORS => {
                BgFormat::Stopped { formatted: f }
            }
            ("complete", _) => BgFormat::Complete,
            (s, f) => {
                return Err(StateError::new(
                    NAME,
                    format!("bg_format {s:?} with formatted {f:?} is not a valid format state"),
                ))
            }
        };
        let written = load_written(NAME, &saved.written, DVD_PLUS_RW_SECTORS)?;
        if bg == BgFormat::NotFormatted && !written.is_empty() {
            return Err(StateError::new(
                NAME,
                "data written on a disc never formatted",
            ));
        }
        if saved.lead_out.is_some_and(|l| l > DVD_PLUS_RW_SECTORS) {
            return Err(StateError::new(NAME, "lead_out lies beyond the disc"));
        }
        let rec = Recording {
            bg,
            written: written.clone(),
            lead_out: saved.lead_out,
        };
        Ok(DvdPlusRw {
            area: UserArea::new(store, DVD_ECC_BLOCK, written),
            bg,
            lead_out: saved.lead_out,
            synced: rec,
            now: VirtualTime::ZERO,
            write_parameters: dvd_plus_write_parameters::default_page(),
        })
    }

    /// Partial ECC blocks written so far (each a read-modify-write of 16 sectors).
    pub fn rmw_count(&self) -> u64 {
        self.area.rmw_count()
    }

    /// BG Format Status as READ DISC INFORMATION reports it.
    pub fn bg_format_status(&self) -> BgFormatStatus {
        match self.bg {
            BgFormat::NotFormatted => BgFormatStatus::NotFormatted,
            BgFormat::Running { .. } => BgFormatStatus::InProgress,
            BgFormat::Stopped { .. } => BgFormatStatus::Partial,
            BgFormat::Complete => BgFormatStatus::Complete,
        }
    }

    /// Sectors formatted so far, from LBA 0.
    pub fn formatted_sectors(&self) -> u64 {
        formatted_at(self.bg, self.now)
    }

    /// Progress of a running background format, in 1/65536.
    pub fn background_format_progress(&self) -> Option<u16> {
        matches!(self.bg, BgFormat::Running { .. }).then(|| {
            let p = self.formatted_sectors().saturating_mul(65_536) / DVD_PLUS_RW_SECTORS;
            u16::try_from(p).unwrap_or(u16::MAX)
        })
    }

    /// True when a compatible close (010b) put a lead-out after everything recorded, so a
    /// DVD-ROM drive can read the disc.
    pub fn dvd_rom_compatible(&self) -> bool {
        self.bg == BgFormat::Complete || self.lead_out.is_some()
    }

    /// Sectors a reader can address: see the module notes on READ CAPACITY.
    pub fn readable_sectors(&self) -> u64 {
        match self.bg {
            BgFormat::NotFormatted => 0,
            BgFormat::Running { .. } | BgFormat::Complete => DVD_PLUS_RW_SECTORS,
            BgFormat::Stopped { formatted } => {
                round_up(formatted.max(self.area.written().end()), DVD_ECC_BLOCK)
                    .min(DVD_PLUS_RW_SECTORS)
            }
        }
    }

    fn recording(&self) -> Recording {
        Recording {
            bg: self.bg,
            written: self.area.written().clone(),
            lead_out: self.lead_out,
        }
    }

    /// A running format stops where it has got to (power loss, eject, loading a file).
    fn stopped(bg: BgFormat, now: VirtualTime) -> BgFormat {
        match bg {
            BgFormat::Running { .. } => match formatted_at(bg, now) {
                DVD_PLUS_RW_SECTORS => BgFormat::Complete,
                formatted => BgFormat::Stopped { formatted },
            },
            other => other,
        }
    }

    fn sync(&mut self) -> MediumResult<()> {
        self.area.commit()?;
        self.synced = self.recording();
        Ok(())
    }

    /// CLOSE 010b: de-ice up to the last written block, then write the lead-out there.
    fn close_compatibly(&mut self) -> Busy {
        let formatted = self.formatted_sectors();
        let target = round_up(formatted.max(self.area.written().end()), DVD_ECC_BLOCK)
            .min(DVD_PLUS_RW_SECTORS);
        let gap = target.saturating_sub(formatted);
        if target >= DVD_PLUS_RW_SECTORS {
            self.bg = BgFormat::Complete;
            self.lead_out = None;
        } else {
            self.bg = BgFormat::Stopped { formatted: target };
            self.lead_out = Some(target);
        }
        Busy {
            duration: transfer_time(gap + LEAD_OUT_SECTORS, BACKGROUND_FORMAT_KBPS),
        }
    }

    fn format_error(params: &FormatUnitParameters) -> Option<MediumError> {
        let d = &params.descriptor;
        // Parameter list bytes: 4-7 Number of Blocks, 8 type (bits 7-2) and sub-type
        // (bits 1-0), 9-11 type dependent parameter.
        if d.format_type != FormatType::DvdPlusRwBasic {
            return Some(invalid_parameter(8, Some(7)));
        }
        // MMC-6 6.5.4.2.14: FFFFFFFFh (as much as the disc holds) is allowed for 26h.
        if d.number_of_blocks != u32::MAX && u64::from(d.number_of_blocks) != DVD_PLUS_RW_SECTORS {
            return Some(invalid_parameter(4, None));
        }
        if d.format_subtype != 0 {
            return Some(invalid_parameter(8, Some(1)));
        }
        if d.type_dependent > 1 {
            return Some(invalid_parameter(9, None));
        }
        None
    }
}

fn formatted_at(bg: BgFormat, now: VirtualTime) -> u64 {
    match bg {
        BgFormat::NotFormatted => 0,
        BgFormat::Running { since, from } => {
            let us = u128::from(now.since(since).as_micros() as u64);
            // sectors = µs × kB/s × 1000 / 2048 / 1e6
            let done = us * u128::from(BACKGROUND_FORMAT_KBPS) / 2_048_000;
            let done = u64::try_from(done).unwrap_or(u64::MAX);
            from.saturating_add(done).min(DVD_PLUS_RW_SECTORS)
        }
        BgFormat::Stopped { formatted } => formatted,
        BgFormat::Complete => DVD_PLUS_RW_SECTORS,
    }
}

/// The saved state (JSON). `formatted` is the formatted extent of a stopped or running
/// format; `written` the ranges `[start, end)` written since the last format.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedDvdPlusRw {
    medium: String,
    version: u32,
    /// `not-formatted`, `in-progress`, `stopped` or `complete`.
    bg_format: String,
    #[serde(default)]
    formatted: Option<u64>,
    written: Vec<(u64, u64)>,
    #[serde(default)]
    lead_out: Option<u64>,
}

impl Medium for DvdPlusRw {
    fn spec(&self) -> MediumSpec {
        MediumSpec {
            kind: MediumKind::DvdPlusRw,
            profile: Profile::DvdPlusRw,
            write_speeds: &DVD_PLUS_RW_WRITE_SPEEDS,
            read_speed: DVD_PLUS_RW_READ_SPEED,
            blocking: DVD_ECC_BLOCK,
        }
    }

    fn disc_information(&self) -> DiscInformation {
        let mut info = DiscInformation::blank(true);
        if self.bg != BgFormat::NotFormatted {
            info.disc_status = DiscStatus::Complete;
            info.last_session_state = LastSessionState::Complete;
        }
        info.bg_format_status = self.bg_format_status();
        info.last_possible_lead_out_start = DVD_PLUS_RW_SECTORS as u32;
        info
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        check_single_track(address_type, address, DVD_PLUS_RW_SECTORS)?;
        let written = self.area.written();
        Ok(single_track(
            DVD_PLUS_RW_SECTORS,
            DVD_ECC_BLOCK,
            self.bg == BgFormat::NotFormatted,
            true,
            (!written.is_empty()).then(|| written.end() - 1),
        ))
    }

    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        single_track_toc(cdb, self.readable_sectors())
    }

    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        // Layer type bit 2: rewritable.
        let structures = Structures::Dvd {
            book: BookType::DvdPlusRw,
            layer_type: 0b0100,
            sectors: DVD_PLUS_RW_SECTORS,
            adip: identity,
            layers: None,
        };
        disc_structure::reply(cdb, structures)
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        Ok(CapacityData {
            last_lba: u32::try_from(self.readable_sectors().saturating_sub(1)).unwrap_or(0),
            block_length: 2048,
        })
    }

    fn format_capacities(&self) -> FormatCapacities {
        let descriptor_type = if self.bg == BgFormat::NotFormatted {
            CapacityDescriptorType::Unformatted
        } else {
            CapacityDescriptorType::Formatted
        };
        FormatCapacities {
            current: CurrentCapacity {
                blocks: DVD_PLUS_RW_SECTORS as u32,
                descriptor_type,
                block_length: 2048,
            },
            formattable: vec![FormattableCapacity {
                blocks: DVD_PLUS_RW_SECTORS as u32,
                format_type: FormatType::DvdPlusRwBasic,
                type_dependent: 0,
            }],
            cut_bytes: 0,
        }
    }

    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        if self.bg == BgFormat::NotFormatted {
            return Err(triples::MEDIUM_NOT_FORMATTED.into());
        }
        let (start, _) = sector_span(lba, out.len(), self.readable_sectors())?;
        self.area.read(start, out)
    }

    fn write(
        &mut self,
        lba: i32,
        data: &[u8],
        _streaming: bool,
        now: VirtualTime,
    ) -> MediumResult<()> {
        self.advance(now);
        if self.bg == BgFormat::NotFormatted {
            return Err(triples::MEDIUM_NOT_FORMATTED.into());
        }
        let (start, end) = sector_span(lba, data.len(), DVD_PLUS_RW_SECTORS)?;
        self.area.write(start, data)?;
        if self.lead_out.is_some_and(|l| end > l) {
            // Recorded past the lead-out: no longer readable in a DVD-ROM drive until the
            // next compatible close.
            self.lead_out = None;
        }
        Ok(())
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        self.sync()
    }

    fn write_parameters(&self) -> Option<WriteParameters> {
        Some(self.write_parameters.clone())
    }

    fn set_write_parameters(&mut self, page: &WriteParameters) -> MediumResult<()> {
        self.write_parameters = dvd_plus_write_parameters::validate(page)?;
        Ok(())
    }

    fn power_loss(&mut self) {
        self.write_parameters = dvd_plus_write_parameters::default_page();
        self.area.discard_uncommitted();
        let rec = self.synced.clone();
        self.bg = Self::stopped(rec.bg, self.now);
        self.lead_out = rec.lead_out;
        self.area.set_written(rec.written);
        self.synced = self.recording();
    }

    fn format(&mut self, params: &FormatUnitParameters, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        if let Some(e) = Self::format_error(params) {
            return Err(e);
        }
        if params.descriptor.is_restart() {
            match self.bg {
                BgFormat::Stopped { formatted } => {
                    self.bg = BgFormat::Running {
                        since: now,
                        from: formatted,
                    };
                }
                // Nothing was ever started, so nothing can be restarted.
                BgFormat::NotFormatted => return Err(invalid_parameter(11, Some(0))),
                BgFormat::Running { .. } | BgFormat::Complete => {}
            }
            self.sync()?;
        } else {
            // A fresh format: everything recorded before is gone.
            self.area.commit()?;
            self.area.set_written(WrittenExtents::new());
            self.lead_out = None;
            self.bg = BgFormat::Running {
                since: now,
                from: 0,
            };
            self.synced = self.recording();
        }
        Ok(Busy::default())
    }

    fn close(&mut self, cdb: &CloseTrackSession, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        let busy = match cdb.function {
            CloseFunction::CloseSession => match self.bg {
                BgFormat::Running { .. } | BgFormat::Stopped { .. } => self.close_compatibly(),
                BgFormat::NotFormatted | BgFormat::Complete => Busy::default(),
            },
            CloseFunction::QuickStopBackgroundFormat => match self.bg {
                BgFormat::Running { .. } => {
                    self.bg = Self::stopped(self.bg, now);
                    Busy {
                        duration: QUICK_STOP,
                    }
                }
                _ => Busy::default(),
            },
            // No tracks to close on an overwritable disc: nothing to do.
            CloseFunction::CloseTrack => Busy::default(),
            // Byte 2 bits 2-0: the finalizing functions belong to DVD+R and BD-R.
            _ => return Err(invalid_cdb_field(2, Some(2))),
        };
        self.sync()?;
        Ok(busy)
    }

    fn advance(&mut self, now: VirtualTime) {
        self.now = self.now.max(now);
        if let BgFormat::Running { .. } = self.bg {
            if formatted_at(self.bg, self.now) >= DVD_PLUS_RW_SECTORS {
                // The format finishing is recorded on the disc, not in the cache.
                self.bg = BgFormat::Complete;
                self.synced.bg = BgFormat::Complete;
            }
        }
    }

    fn blocking_format_progress(&self) -> Option<u16> {
        None
    }

    fn save_state(&self) -> serde_json::Value {
        let bg = self.synced.bg;
        let (bg_format, formatted) = match bg {
            BgFormat::NotFormatted => ("not-formatted", None),
            BgFormat::Running { .. } => match formatted_at(bg, self.now) {
                DVD_PLUS_RW_SECTORS => ("complete", None),
                f => ("in-progress", Some(f)),
            },
            BgFormat::Stopped { formatted } => ("stopped", Some(formatted)),
            BgFormat::Complete => ("complete", None),
        };
        serde_json::to_value(SavedDvdPlusRw {
            medium: NAME.to_string(),
            version: 1,
            bg_format: bg_format.to_string(),
            formatted,
            written: self.synced.written.ranges(),
            lead_out: self.synced.lead_out,
        })
        .unwrap_or(serde_json::Value::Null)
    }

    fn rmw_count(&self) -> u64 {
        self.area.rmw_count()
    }
}
