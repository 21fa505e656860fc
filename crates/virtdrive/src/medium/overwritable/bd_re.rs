//! BD-RE (profile 0043h) of one, two (DL) or three (XL) layers: sold unformatted; FORMAT
//! UNIT chooses the spare areas, which set the user capacity, and blocks access to the disc
//! while it runs (MMC-6 6.5.4.2.15; libburn cookbook, "DVD-RAM and BD-RE formatting"). The
//! disc is a `SparedDisc` (`spared.rs`); [`BdReMedium`] gives each kind its sectors, layers
//! and speeds.
//!
//! Capacities of the single layer (spare sizes per layer in `bd_spares`; DL and XL have
//! them on every layer):
//!
//! | format | spare clusters | user sectors |
//! |---|---|---|
//! | 00h, 30h default | 12,288 (3000h) | 12,219,392 - 393,216 = 11,826,176 |
//! | 30h maximum spare | 20,480 (5000h) | 12,219,392 - 655,360 = 11,564,032 |
//! | 30h minimum spare | 4,096 (1000h) | 12,219,392 - 131,072 = 12,088,320 |
//! | 31h, no spare areas (type dependent: block length 800h) | 0 | 12,219,392 |
//!
//! | medium | sectors without spares | layers | 00h/30h default user sectors |
//! |---|---|---|---|
//! | BD-RE | 12,219,392 | 1 | 11,826,176 |
//! | BD-RE DL | 24,438,784 | 2 | 23,652,352 |
//! | BD-RE XL | 48,878,592 (16,292,864 a layer) | 3 | 47,698,944 |
//!
//! Type 30h takes any Number of Blocks between the extremes and formats "at least" that
//! many user sectors (whole clusters of spare, Pioneer BDR-203 4.3.1.2); less spare than the
//! smallest is 05/26/00.
//!
//! How long a format runs depends on its certification (sub-type of 30h and 31h; 00h is a
//! quick reformat, MMC-6 6.5.4.2.1.7): quick reformat 20 s, no certification 40 s, quick
//! certification 10 min (all INF), full certification a write and a verify pass over the
//! disc at 2x, about 93 minutes a layer, within the hour or two drives take at 2x. Meanwhile the disc
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

use mmc_core::cdb::{DiscStructureMedia, ReadDiscStructure, TrackAddressType};
use mmc_core::params::{BdCertification, FormatUnitParameters};
use mmc_core::response::capacity::{FormatType, FormattableCapacity};
use mmc_core::response::disc_info::DiscStatus;
use mmc_core::response::{DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::Profile;

use super::bd_spares::SpareSizes;
pub use super::bd_spares::{
    BD_CLUSTER, DEFAULT_SPARE_CLUSTERS, ISA0_CLUSTERS, MAX_SPARE_CLUSTERS, MIN_SPARE_CLUSTERS,
};
use super::spared::{
    spared_disc_methods, with_spare_information, FormatState, SavedLayout, SavedSparedDisc,
    SpareLayout, SparedDisc,
};
use super::{invalid_parameter, StateError};
use crate::clock::{transfer_time, VirtualTime};
use crate::medium::disc_structure::{self, Structures};
use crate::medium::MediaIdentity;
use crate::medium::{Busy, Medium, MediumKind, MediumResult, MediumSpec};
use crate::store::SectorStore;

/// Sectors of a single-layer BD-RE formatted without spare areas.
pub const BD_RE_SECTORS: u64 = 12_219_392;
/// Sectors of a BD-RE DL without spare areas (twice the single layer, as BD-R DL).
pub const BD_RE_DL_SECTORS: u32 = 24_438_784;
/// Sectors of a three-layer BD-RE XL (100 GB) without spare areas, as BD-R XL.
pub const BD_RE_XL_SECTORS: u32 = 48_878_592;
/// BD 1x in kB/s, mmc-core's figure as a drive reports it.
pub const BD_1X_KBPS: u32 = match mmc_core::Profile::BdRe.one_x() {
    Some(kbps) => kbps as u32,
    None => 0,
};
/// Write speeds, fastest first: 2x, 1x (BD-RE, BD-RE DL and BD-RE XL media are 2x media).
pub const BD_RE_WRITE_SPEEDS: [u32; 2] = [2 * BD_1X_KBPS, BD_1X_KBPS];
/// Read speed: 2x.
pub const BD_RE_READ_SPEED: u32 = 2 * BD_1X_KBPS;

/// What a kind of BD-RE is: its sectors without spares, its layers and its speeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BdReMedium {
    pub spec: MediumSpec,
    /// Sectors without spare areas.
    pub sectors: u32,
    /// Recording layers (1 to 3).
    pub layers: u8,
}

const fn bd_re(kind: MediumKind, sectors: u32, layers: u8) -> BdReMedium {
    BdReMedium {
        spec: MediumSpec {
            kind,
            profile: Profile::BdRe,
            write_speeds: &BD_RE_WRITE_SPEEDS,
            read_speed: BD_RE_READ_SPEED,
            blocking: BD_CLUSTER,
        },
        sectors,
        layers,
    }
}

/// The single-layer BD-RE.
pub const BD_RE: BdReMedium = bd_re(MediumKind::BdRe, BD_RE_SECTORS as u32, 1);
/// The BD-RE DL.
pub const BD_RE_DL: BdReMedium = bd_re(MediumKind::BdReDl, BD_RE_DL_SECTORS, 2);
/// The three-layer BD-RE XL.
pub const BD_RE_XL: BdReMedium = bd_re(MediumKind::BdReXl, BD_RE_XL_SECTORS, 3);

impl BdReMedium {
    fn spares(&self) -> SpareSizes {
        SpareSizes::new(self.sectors, self.layers)
    }

    fn name(&self) -> &'static str {
        self.spec.kind.name()
    }
}

/// User sectors of a single-layer format with `spare` spare clusters.
pub const fn user_sectors(spare_clusters: u32) -> u64 {
    BD_RE_SECTORS - spare_clusters as u64 * BD_CLUSTER as u64
}

/// How long a format of a disc of `sectors` takes with this certification (see the module
/// notes).
pub fn format_duration(certification: BdCertification, sectors: u64) -> Duration {
    match certification {
        BdCertification::QuickReformat | BdCertification::Unknown(_) => Duration::from_secs(20),
        BdCertification::NoCertification => Duration::from_secs(40),
        BdCertification::QuickCertification => Duration::from_secs(600),
        // A write pass and a verify pass over every sector at 2x.
        BdCertification::FullCertification => transfer_time(2 * sectors, BD_RE_WRITE_SPEEDS[0]),
    }
}

/// The layout a format gives: its type and its spare clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// 00h, 30h or 31h.
    format_type: u8,
    spare_clusters: u32,
    /// Sectors without spares.
    capacity: u32,
}

impl SavedLayout for Layout {
    fn save_into(self, saved: &mut SavedSparedDisc) {
        saved.format_type = Some(self.format_type);
        saved.spare_clusters = Some(self.spare_clusters);
    }
}

impl SpareLayout for Layout {
    fn user_sectors(self) -> u64 {
        u64::from(
            self.capacity
                .saturating_sub(self.spare_clusters.saturating_mul(BD_CLUSTER)),
        )
    }

    fn spare_clusters(self) -> u32 {
        self.spare_clusters
    }
}

/// A BD-RE of one, two or three layers.
#[derive(Debug)]
pub struct BdRe {
    geometry: &'static BdReMedium,
    disc: SparedDisc<Layout>,
}

impl BdRe {
    /// A blank, unformatted single-layer disc over `store`.
    pub fn new(store: Box<dyn SectorStore>) -> Self {
        BdRe::blank(&BD_RE, store)
    }

    /// A blank, unformatted disc of `geometry` over `store`.
    pub fn blank(geometry: &'static BdReMedium, store: Box<dyn SectorStore>) -> Self {
        BdRe {
            geometry,
            disc: SparedDisc::new(store, BD_CLUSTER, FormatState::Unformatted),
        }
    }

    /// The single-layer disc saved by [`Medium::save_state`], over the store that holds
    /// its data.
    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        BdRe::load(&BD_RE, value, store)
    }

    /// A disc of `geometry` saved by [`Medium::save_state`].
    pub fn load(
        geometry: &'static BdReMedium,
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let name = geometry.name();
        let saved = SavedSparedDisc::parse(name, "BD-RE", value)?;
        let spares = geometry.spares();
        let layout = |format_type, spare_clusters| {
            Some(Layout {
                format_type,
                spare_clusters,
                capacity: geometry.sectors,
            })
        };
        let layout = match (
            saved.format.as_str(),
            saved.format_type,
            saved.spare_clusters,
        ) {
            _ if saved.ssa_sectors.is_some() => {
                return Err(saved.invalid_format(name, "spare_clusters"))
            }
            ("unformatted" | "formatting", _, _) => None,
            ("formatted", Some(0x31), Some(0)) => layout(0x31, 0),
            ("formatted", Some(t @ (0x00 | 0x30)), Some(s)) if spares.offered(s) => layout(t, s),
            _ => return Err(saved.invalid_format(name, "spare_clusters")),
        };
        let disc = SparedDisc::load(name, store, BD_CLUSTER, layout, &saved)?;
        Ok(BdRe { geometry, disc })
    }

    /// Partial clusters written so far (each a read-modify-write of 32 sectors).
    pub fn rmw_count(&self) -> u64 {
        self.disc.rmw_count()
    }

    /// User sectors of the current format (`None` while unformatted or formatting).
    pub fn user_capacity(&self) -> Option<u64> {
        self.disc.user_capacity()
    }

    /// Spare clusters of the current format.
    pub fn spare_clusters(&self) -> Option<u32> {
        self.disc.layout().map(|l| l.spare_clusters)
    }

    /// The layout and certification FORMAT UNIT asks for, or the field that is wrong.
    fn requested(&self, params: &FormatUnitParameters) -> MediumResult<(Layout, BdCertification)> {
        let d = &params.descriptor;
        let blocks = d.number_of_blocks;
        let spares = self.geometry.spares();
        let certification = BdCertification::from_u8(d.format_subtype & 0x03);
        let layout = |format_type, spare_clusters| Layout {
            format_type,
            spare_clusters,
            capacity: self.geometry.sectors,
        };
        // Parameter list bytes 4-7: Number of Blocks; byte 8 bits 7-2: Format Type.
        match d.format_type {
            FormatType::FullFormat => {
                if blocks > spares.user_sectors(spares.default_clusters()) {
                    return Err(invalid_parameter(4, None));
                }
                Ok((
                    layout(0x00, spares.default_clusters()),
                    BdCertification::QuickReformat,
                ))
            }
            FormatType::BdReWithSpareAreas => {
                let spare = spares
                    .leaving(blocks)
                    .filter(|_| blocks != 0)
                    .ok_or_else(|| invalid_parameter(4, None))?;
                Ok((layout(0x30, spare), certification))
            }
            FormatType::BdReWithoutSpareAreas => {
                if blocks > spares.capacity() {
                    return Err(invalid_parameter(4, None));
                }
                Ok((layout(0x31, 0), certification))
            }
            _ => Err(invalid_parameter(8, Some(7))),
        }
    }
}

impl Medium for BdRe {
    spared_disc_methods!();

    fn spec(&self) -> MediumSpec {
        self.geometry.spec
    }

    fn disc_information(&self) -> DiscInformation {
        self.disc
            .disc_information(DiscStatus::Complete, u64::from(self.geometry.sectors))
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        self.disc
            .track_information(address_type, address, u64::from(self.geometry.sectors))
    }

    /// The Disc Information of each layer, and format 0Ah (MMC-6 6.23, BD Spare Area
    /// Information) with the free and the allocated spare clusters once formatted.
    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        let spare = self.disc.layout().map(|l| {
            let left = self.disc.spare_left().unwrap_or(0);
            [0, left, l.spare_clusters]
        });
        with_spare_information(cdb, DiscStructureMedia::Bd, spare, |cdb| {
            let structures = Structures::Bd {
                disc_type: b"BDW",
                identity,
                layers: self.geometry.layers,
            };
            disc_structure::reply(cdb, structures)
        })
    }

    fn format_capacities(&self) -> FormatCapacities {
        let sectors = self.geometry.sectors;
        let current = self.disc.current_capacity(sectors);
        let mut formattable = self
            .geometry
            .spares()
            .descriptors(FormatType::BdReWithSpareAreas);
        formattable.push(FormattableCapacity {
            blocks: sectors,
            format_type: FormatType::BdReWithoutSpareAreas,
            type_dependent: 2048,
        });
        FormatCapacities {
            current,
            formattable,
            cut_bytes: 0,
        }
    }

    fn format(&mut self, params: &FormatUnitParameters, now: VirtualTime) -> MediumResult<Busy> {
        self.disc.check_not_formatting(now)?;
        let (layout, certification) = self.requested(params)?;
        // Certification passes over every layer.
        let duration = format_duration(certification, u64::from(self.geometry.sectors));
        self.disc.start_format(layout, duration, false, now)
    }

    fn save_state(&self) -> serde_json::Value {
        self.disc.save_state(self.geometry.name())
    }
}
