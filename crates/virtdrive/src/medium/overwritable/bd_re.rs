//! BD-RE (profile 0043h), single layer: sold unformatted; FORMAT UNIT chooses the spare
//! areas, which set the user capacity, and blocks access to the disc while it runs (MMC-6
//! 6.5.4.2.15; libburn cookbook, "DVD-RAM and BD-RE formatting").
//!
//! Capacities, worked out from 12,219,392 sectors without spares and clusters of 32 sectors
//! (spare areas are counted in clusters; READ FORMAT CAPACITIES gives the spare size as the
//! type dependent parameter, as in dvd+rw-mediainfo's `30h(3000)`):
//!
//! | format | spare clusters | user sectors |
//! |---|---|---|
//! | 00h, 30h default: ISA0 4,096 + OSA 8,192 (Pioneer BDR-203 manual) | 12,288 (3000h) | 12,219,392 - 393,216 = 11,826,176 |
//! | 30h maximum spare: ISA0 4,096 + OSA 16,384 (INF) | 20,480 (5000h) | 12,219,392 - 655,360 = 11,564,032 |
//! | 30h minimum spare: ISA0 4,096 alone | 4,096 (1000h) | 12,219,392 - 131,072 = 12,088,320 |
//! | 31h, no spare areas (type dependent: block length 800h) | 0 | 12,219,392 |
//!
//! The minimum is confirmed by a growisofs transcript on the cdwrite list (2021-10): a 30h
//! format of 12,088,320 blocks with type dependent 001000h, "the largest possible payload".
//! Type 30h takes any Number of Blocks between the extremes and formats "at least" that
//! many user sectors (whole clusters of spare, Pioneer BDR-203 4.3.1.2); fewer than 4,096
//! spare clusters is 05/26/00.
//!
//! How long a format runs depends on its certification (sub-type of 30h and 31h; 00h is a
//! quick reformat, MMC-6 6.5.4.2.1.7): quick reformat 20 s, no certification 40 s, quick
//! certification 10 min (all INF), full certification a write and a verify pass over the
//! disc at 2x, about 93 minutes, within the hour or two drives take at 2x. Meanwhile the disc
//! answers 02/04/04 with the progress ([`Medium::blocking_format_progress`]).
//!
//! Other choices:
//! - Never formatted: READ and WRITE answer 02/30/10 MEDIUM NOT FORMATTED (INF, as DVD+RW).
//! - Disc status blank until formatted, then complete, as DVD+RW (libburn forces "blank" on
//!   profile 43h whatever the drive says). BG Format Status stays 0: background formatting
//!   is a DVD+RW and MRW feature; hosts tell a formatted BD-RE by READ FORMAT CAPACITIES
//!   (descriptor type 10b), as libburn does.
//! - Writing: random, 2 KiB aligned, read-modify-write of partial 32-sector clusters.
//!   With spare areas the drive verifies after writing ([`Medium::defect_management_active`])
//!   unless WRITE(12) has the Streaming bit; the drive's speed model halves the rate.
//! - CLOSE TRACK/SESSION is not needed on BD-RE (cookbook); 001b and 010b flush the cache
//!   and answer GOOD, as 010b does on DVD+RW; the finalizing functions are 05/24/00.
//! - A format (re)starts the disc blank. Power loss while it runs leaves the disc
//!   unformatted; a finished format is recorded on the disc at once.

use core::time::Duration;

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, ReadDiscStructure, ReadTocPmaAtip, TrackAddressType,
};
use mmc_core::params::{BdCertification, FormatUnitParameters};
use mmc_core::response::capacity::{
    CapacityDescriptorType, CurrentCapacity, FormatType, FormattableCapacity,
};
use mmc_core::response::disc_info::{DiscStatus, LastSessionState};
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::{triples, SenseKeySpecific};
use mmc_core::Profile;
use serde::{Deserialize, Serialize};

use super::{
    check_single_track, invalid_cdb_field, invalid_parameter, load_written, sector_span,
    single_track, single_track_toc, StateError, UserArea, WrittenExtents,
};
use crate::clock::{transfer_time, VirtualTime};
use crate::medium::disc_structure::{self, Structures};
use crate::medium::MediaIdentity;
use crate::medium::{Busy, Medium, MediumError, MediumKind, MediumResult, MediumSpec};
use crate::store::SectorStore;

/// Sectors of a single-layer BD-RE formatted without spare areas.
pub const BD_RE_SECTORS: u64 = 12_219_392;
/// Sectors per cluster (the BD ECC block).
pub const BD_CLUSTER: u32 = 32;
/// Spare clusters of the inner spare area ISA0, always present with spares.
pub const ISA0_CLUSTERS: u32 = 4096;
/// Default spare: ISA0 and an 8,192-cluster outer spare area.
pub const DEFAULT_SPARE_CLUSTERS: u32 = ISA0_CLUSTERS + 8192;
/// Largest spare offered: ISA0 and a 16,384-cluster OSA (INF).
pub const MAX_SPARE_CLUSTERS: u32 = ISA0_CLUSTERS + 16_384;
/// Smallest spare: ISA0 alone.
pub const MIN_SPARE_CLUSTERS: u32 = ISA0_CLUSTERS;
/// BD 1x in kB/s, mmc-core's figure as a drive reports it.
pub const BD_1X_KBPS: u32 = match mmc_core::Profile::BdRe.one_x() {
    Some(kbps) => kbps as u32,
    None => 0,
};
/// Write speeds, fastest first: 2x, 1x.
pub const BD_RE_WRITE_SPEEDS: [u32; 2] = [2 * BD_1X_KBPS, BD_1X_KBPS];
/// Read speed: 2x.
pub const BD_RE_READ_SPEED: u32 = 2 * BD_1X_KBPS;
const NAME: &str = "bd-re";

/// User sectors of a format with `spare` spare clusters.
pub const fn user_sectors(spare_clusters: u32) -> u64 {
    BD_RE_SECTORS - spare_clusters as u64 * BD_CLUSTER as u64
}

/// The spare, in whole clusters, that leaves at least `blocks` user sectors, if it lies
/// between the smallest and the largest spare offered (Pioneer BDR-203 4.3.1.2; BD-RE 30h
/// and BD-R 32h alike).
pub(crate) fn spare_clusters_leaving(blocks: u64) -> Option<u32> {
    let spare = BD_RE_SECTORS.checked_sub(blocks)? / u64::from(BD_CLUSTER);
    u32::try_from(spare)
        .ok()
        .filter(|s| (MIN_SPARE_CLUSTERS..=MAX_SPARE_CLUSTERS).contains(s))
}

/// A READ FORMAT CAPACITIES descriptor of a format with spare areas: the type dependent
/// parameter is the spare size in clusters (MMC-6 6.24.3.3).
pub(crate) fn spare_descriptor(format_type: FormatType, clusters: u32) -> FormattableCapacity {
    FormattableCapacity {
        blocks: u32::try_from(user_sectors(clusters)).unwrap_or(0),
        format_type,
        type_dependent: clusters,
    }
}

/// How long a format with this certification takes (see the module notes).
pub fn format_duration(certification: BdCertification) -> Duration {
    match certification {
        BdCertification::QuickReformat | BdCertification::Unknown(_) => Duration::from_secs(20),
        BdCertification::NoCertification => Duration::from_secs(40),
        BdCertification::QuickCertification => Duration::from_secs(600),
        // A write pass and a verify pass over every sector at 2x.
        BdCertification::FullCertification => {
            transfer_time(2 * BD_RE_SECTORS, BD_RE_WRITE_SPEEDS[0])
        }
    }
}

/// The layout a format gives: its type and its spare clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// 00h, 30h or 31h.
    format_type: u8,
    spare_clusters: u32,
}

impl Layout {
    fn user_sectors(self) -> u64 {
        user_sectors(self.spare_clusters)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BdFormat {
    Unformatted,
    Formatting {
        since: VirtualTime,
        until: VirtualTime,
        layout: Layout,
    },
    Formatted(Layout),
}

/// A single-layer BD-RE.
#[derive(Debug)]
pub struct BdRe {
    area: UserArea,
    format: BdFormat,
    /// The format state and written ranges at the last synchronize.
    synced: (BdFormat, WrittenExtents),
    now: VirtualTime,
}

/// The saved state (JSON).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedBdRe {
    medium: String,
    version: u32,
    /// `unformatted`, `formatting` (loaded as unformatted: the format was interrupted) or
    /// `formatted`.
    format: String,
    /// 0, 48 (30h) or 49 (31h), when formatted.
    #[serde(default)]
    format_type: Option<u8>,
    #[serde(default)]
    spare_clusters: Option<u32>,
    written: Vec<(u64, u64)>,
}

impl BdRe {
    /// A blank, unformatted disc over `store`.
    pub fn new(store: Box<dyn SectorStore>) -> Self {
        BdRe {
            area: UserArea::new(store, BD_CLUSTER, WrittenExtents::new()),
            format: BdFormat::Unformatted,
            synced: (BdFormat::Unformatted, WrittenExtents::new()),
            now: VirtualTime::ZERO,
        }
    }

    /// The disc saved by [`Medium::save_state`], over the store that holds its data.
    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let saved: SavedBdRe = serde_json::from_value(value.clone())
            .map_err(|e| StateError::new(NAME, format!("not a BD-RE state: {e}")))?;
        StateError::check_header(NAME, &saved.medium, saved.version)?;
        let format = match (saved.format.as_str(), saved.format_type, saved.spare_clusters) {
            ("unformatted" | "formatting", _, _) => BdFormat::Unformatted,
            ("formatted", Some(0x31), Some(0)) => BdFormat::Formatted(Layout {
                format_type: 0x31,
                spare_clusters: 0,
            }),
            ("formatted", Some(t @ (0x00 | 0x30)), Some(s))
                if (MIN_SPARE_CLUSTERS..=MAX_SPARE_CLUSTERS).contains(&s) =>
            {
                BdFormat::Formatted(Layout {
                    format_type: t,
                    spare_clusters: s,
                })
            }
            (f, t, s) => {
                return Err(StateError::new(
                    NAME,
                    format!(
                        "format {f:?} with format_type {t:?} and spare_clusters {s:?} is not a valid BD-RE format"
                    ),
                ))
            }
        };
        let written = match format {
            BdFormat::Formatted(layout) => {
                load_written(NAME, &saved.written, layout.user_sectors())?
            }
            _ => WrittenExtents::new(),
        };
        Ok(BdRe {
            area: UserArea::new(store, BD_CLUSTER, written.clone()),
            format,
            synced: (format, written),
            now: VirtualTime::ZERO,
        })
    }

    /// Partial clusters written so far (each a read-modify-write of 32 sectors).
    pub fn rmw_count(&self) -> u64 {
        self.area.rmw_count()
    }

    /// User sectors of the current format (`None` while unformatted or formatting).
    pub fn user_capacity(&self) -> Option<u64> {
        match self.format {
            BdFormat::Formatted(layout) => Some(layout.user_sectors()),
            _ => None,
        }
    }

    /// Spare clusters of the current format.
    pub fn spare_clusters(&self) -> Option<u32> {
        match self.format {
            BdFormat::Formatted(layout) => Some(layout.spare_clusters),
            _ => None,
        }
    }

    fn format_progress(&self) -> Option<u16> {
        match self.format {
            BdFormat::Formatting { since, until, .. } => {
                let total = until.since(since).as_micros().max(1);
                let done = self.now.since(since).as_micros();
                let p = (done * 65_536 / total).min(65_535);
                Some(u16::try_from(p).unwrap_or(u16::MAX))
            }
            _ => None,
        }
    }

    /// The user area when the disc can be read and written, else the sense.
    fn usable(&self) -> MediumResult<u64> {
        match self.format {
            BdFormat::Formatted(layout) => Ok(layout.user_sectors()),
            BdFormat::Formatting { .. } => Err(self.format_in_progress()),
            BdFormat::Unformatted => Err(triples::MEDIUM_NOT_FORMATTED.into()),
        }
    }

    fn format_in_progress(&self) -> MediumError {
        MediumError::new(triples::FORMAT_IN_PROGRESS).with_sks(SenseKeySpecific::Progress(
            self.format_progress().unwrap_or(0),
        ))
    }

    fn sync(&mut self) -> MediumResult<()> {
        self.area.commit()?;
        self.synced = (self.format, self.area.written().clone());
        Ok(())
    }

    /// The layout and certification FORMAT UNIT asks for, or the field that is wrong.
    fn requested(params: &FormatUnitParameters) -> MediumResult<(Layout, BdCertification)> {
        let d = &params.descriptor;
        let blocks = u64::from(d.number_of_blocks);
        let certification = BdCertification::from_u8(d.format_subtype & 0x03);
        // Parameter list bytes 4-7: Number of Blocks; byte 8 bits 7-2: Format Type.
        match d.format_type {
            FormatType::FullFormat => {
                if blocks > user_sectors(DEFAULT_SPARE_CLUSTERS) {
                    return Err(invalid_parameter(4, None));
                }
                let layout = Layout {
                    format_type: 0x00,
                    spare_clusters: DEFAULT_SPARE_CLUSTERS,
                };
                Ok((layout, BdCertification::QuickReformat))
            }
            FormatType::BdReWithSpareAreas => {
                let spare = spare_clusters_leaving(blocks)
                    .filter(|_| blocks != 0)
                    .ok_or_else(|| invalid_parameter(4, None))?;
                let layout = Layout {
                    format_type: 0x30,
                    spare_clusters: spare,
                };
                Ok((layout, certification))
            }
            FormatType::BdReWithoutSpareAreas => {
                if blocks > BD_RE_SECTORS {
                    return Err(invalid_parameter(4, None));
                }
                let layout = Layout {
                    format_type: 0x31,
                    spare_clusters: 0,
                };
                Ok((layout, certification))
            }
            _ => Err(invalid_parameter(8, Some(7))),
        }
    }
}

impl Medium for BdRe {
    fn spec(&self) -> MediumSpec {
        MediumSpec {
            kind: MediumKind::BdRe,
            profile: Profile::BdRe,
            write_speeds: &BD_RE_WRITE_SPEEDS,
            read_speed: BD_RE_READ_SPEED,
            blocking: BD_CLUSTER,
        }
    }

    fn disc_information(&self) -> DiscInformation {
        let mut info = DiscInformation::blank(true);
        let capacity = match self.format {
            BdFormat::Formatted(layout) => {
                info.disc_status = DiscStatus::Complete;
                info.last_session_state = LastSessionState::Complete;
                layout.user_sectors()
            }
            _ => BD_RE_SECTORS,
        };
        info.last_possible_lead_out_start = u32::try_from(capacity).unwrap_or(u32::MAX);
        info
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        let formatted = self.user_capacity();
        let size = formatted.unwrap_or(BD_RE_SECTORS);
        check_single_track(address_type, address, size)?;
        let written = self.area.written();
        Ok(single_track(
            size,
            BD_CLUSTER,
            formatted.is_none(),
            formatted.is_some(),
            (!written.is_empty()).then(|| written.end() - 1),
        ))
    }

    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        single_track_toc(cdb, self.user_capacity().unwrap_or(0))
    }

    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        let structures = Structures::Bd {
            disc_type: b"BDW",
            identity,
            layers: 1,
        };
        disc_structure::reply(cdb, structures)
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        Ok(CapacityData {
            last_lba: self
                .user_capacity()
                .and_then(|c| u32::try_from(c - 1).ok())
                .unwrap_or(0),
            block_length: 2048,
        })
    }

    fn format_capacities(&self) -> FormatCapacities {
        let current = match self.format {
            BdFormat::Formatted(layout) => CurrentCapacity {
                blocks: layout.user_sectors() as u32,
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: 2048,
            },
            _ => CurrentCapacity {
                blocks: BD_RE_SECTORS as u32,
                descriptor_type: CapacityDescriptorType::Unformatted,
                block_length: 2048,
            },
        };
        let spare = spare_descriptor;
        FormatCapacities {
            current,
            formattable: vec![
                spare(FormatType::FullFormat, DEFAULT_SPARE_CLUSTERS),
                spare(FormatType::BdReWithSpareAreas, DEFAULT_SPARE_CLUSTERS),
                spare(FormatType::BdReWithSpareAreas, MAX_SPARE_CLUSTERS),
                spare(FormatType::BdReWithSpareAreas, MIN_SPARE_CLUSTERS),
                FormattableCapacity {
                    blocks: BD_RE_SECTORS as u32,
                    format_type: FormatType::BdReWithoutSpareAreas,
                    type_dependent: 2048,
                },
            ],
            cut_bytes: 0,
        }
    }

    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        let limit = self.usable()?;
        let (start, _) = sector_span(lba, out.len(), limit)?;
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
        let limit = self.usable()?;
        let (start, _) = sector_span(lba, data.len(), limit)?;
        self.area.write(start, data)
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        if let BdFormat::Formatting { .. } = self.format {
            return Err(self.format_in_progress());
        }
        self.sync()
    }

    fn power_loss(&mut self) {
        self.area.discard_uncommitted();
        let (format, written) = self.synced.clone();
        match format {
            // The format was cut short: the disc has to be formatted again.
            BdFormat::Formatting { .. } => {
                self.format = BdFormat::Unformatted;
                self.area.set_written(WrittenExtents::new());
            }
            _ => {
                self.format = format;
                self.area.set_written(written);
            }
        }
        self.synced = (self.format, self.area.written().clone());
    }

    fn format(&mut self, params: &FormatUnitParameters, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        if let BdFormat::Formatting { .. } = self.format {
            return Err(self.format_in_progress());
        }
        let (layout, certification) = Self::requested(params)?;
        let duration = format_duration(certification);
        self.area.commit()?;
        self.area.set_written(WrittenExtents::new());
        self.format = BdFormat::Formatting {
            since: now,
            until: now.after(duration),
            layout,
        };
        self.synced = (self.format, WrittenExtents::new());
        Ok(Busy { duration })
    }

    fn close(&mut self, cdb: &CloseTrackSession, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        match cdb.function {
            CloseFunction::CloseTrack | CloseFunction::CloseSession => {
                self.usable()?;
                self.sync()?;
                Ok(Busy::default())
            }
            _ => Err(invalid_cdb_field(2, Some(2))),
        }
    }

    fn advance(&mut self, now: VirtualTime) {
        self.now = self.now.max(now);
        if let BdFormat::Formatting { until, layout, .. } = self.format {
            if self.now >= until {
                // A finished format is recorded on the disc, not in the cache.
                self.format = BdFormat::Formatted(layout);
                self.synced.0 = self.format;
            }
        }
    }

    fn blocking_format_progress(&self) -> Option<u16> {
        self.format_progress()
    }

    fn save_state(&self) -> serde_json::Value {
        let (format, spare) = match self.synced.0 {
            BdFormat::Unformatted => ("unformatted", None),
            BdFormat::Formatting { .. } => ("formatting", None),
            BdFormat::Formatted(layout) => ("formatted", Some(layout)),
        };
        serde_json::to_value(SavedBdRe {
            medium: NAME.to_string(),
            version: 1,
            format: format.to_string(),
            format_type: spare.map(|l| l.format_type),
            spare_clusters: spare.map(|l| l.spare_clusters),
            written: self.synced.1.ranges(),
        })
        .unwrap_or(serde_json::Value::Null)
    }

    fn rmw_count(&self) -> u64 {
        self.area.rmw_count()
    }

    fn defect_management_active(&self) -> bool {
        matches!(self.format, BdFormat::Formatted(l) if l.spare_clusters > 0)
    }
}
