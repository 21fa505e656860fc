//! DVD-RAM (profile 0012h), 4.7 GB single side: random writable in 2 KiB sectors, sold
//! formatted, always under the drive's hardware defect management (MMC-6 4.5, features
//! 0020h Random Writable and 0024h Hardware Defect Management). The disc is a
//! `SparedDisc` (`spared.rs`) as BD-RE is; what differs is its format types and spare areas.
//!
//! Spare areas, in sectors: a primary spare area (PSA) of 12,800 sectors that every format
//! has, and a supplementary spare area (SSA) at the end of the user area whose size the
//! format chooses. Replacement takes whole 16-sector ECC blocks, PSA first. The figures
//! are a Samsung SH-S182M's as dvd+rw-mediainfo printed them for a 4.7 GB disc:
//!
//! | READ FORMAT CAPACITIES | user sectors | SSA |
//! |---|---|---|
//! | current, formatted as sold | 2,236,704 | 58,368 |
//! | 00h(800), full format with the default SSA | 2,236,704 | 58,368 |
//! | 00h(800), full format without SSA | 2,295,072 | 0 |
//! | 01h(800), spare area expansion by one step | current - 9,728 | + 9,728 |
//! | 01h(800), by two steps | current - 19,456 | + 19,456 |
//!
//! FORMAT UNIT (MMC-6 6.5.4.2.1, 6.5.4.2.2):
//! - 00h, full format: Number of Blocks up to 2,236,704 (0 included) gives the default SSA,
//!   up to 2,295,072 none; more is 05/26/00 on bytes 4-7. The disc starts blank. With the
//!   DCRT bit (and FOV) the drive skips certification: 1 minute (INF); otherwise it
//!   certifies, a write and a verify pass over the disc at 2x (57 minutes; drives take about
//!   an hour).
//! - 01h, spare area expansion: Number of Blocks is one of the 01h capacities offered
//!   (else 05/26/00 on bytes 4-7); the SSA grows at the end of the user area, data before it
//!   is kept, in 10 s (INF). The SSA grows to at most 4 steps beyond the default (INF); the
//!   01h descriptors offered stop there.
//! - Other types: 05/26/00 on byte 8.
//!
//! While a format runs the disc answers 02/04/04 with its progress, as BD-RE. Disc status
//! 11b "others" (MMC-6 6.22, READ DISC INFORMATION: random-access media), last session complete; READ DISC
//! STRUCTURE gives the physical format (book type DVD-RAM) and format 0Ah, the spare area
//! information: unused primary spare blocks, unused supplementary spare blocks, allocated
//! supplementary spare blocks (MMC-6 6.23), in sectors.
//!
//! Speeds: writes at 3x and 2x, reads at 3x (the SH-S182M's). Every write is verified
//! unless WRITE(12) has the Streaming bit, so the drive records at half the speed.

use core::time::Duration;

use mmc_core::cdb::{DiscStructureMedia, ReadDiscStructure, TrackAddressType};
use mmc_core::params::FormatUnitParameters;
use mmc_core::response::capacity::{FormatType, FormattableCapacity};
use mmc_core::response::disc_info::DiscStatus;
use mmc_core::response::disc_structure::BookType;
use mmc_core::response::{DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::Profile;

use super::dvd_plus_rw::{DVD_1X_KBPS, DVD_ECC_BLOCK};
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

/// User sectors of a DVD-RAM formatted without a supplementary spare area.
pub const DVD_RAM_SECTORS_WITHOUT_SSA: u32 = 2_295_072;
/// The supplementary spare area of the default format, in sectors.
pub const DEFAULT_SSA_SECTORS: u32 = 58_368;
/// User sectors of the default format: the disc as sold.
pub const DVD_RAM_SECTORS: u32 = DVD_RAM_SECTORS_WITHOUT_SSA - DEFAULT_SSA_SECTORS;
/// The primary spare area, in sectors.
pub const PSA_SECTORS: u32 = 12_800;
/// One step of spare area expansion (format 01h), in sectors.
pub const SSA_STEP_SECTORS: u32 = 9_728;
/// The largest supplementary spare area (INF).
pub const MAX_SSA_SECTORS: u32 = DEFAULT_SSA_SECTORS + 4 * SSA_STEP_SECTORS;
/// Write speeds, fastest first: 3x, 2x.
pub const DVD_RAM_WRITE_SPEEDS: [u32; 2] = [3 * DVD_1X_KBPS, 2 * DVD_1X_KBPS];
/// Read speed: 3x.
pub const DVD_RAM_READ_SPEED: u32 = 3 * DVD_1X_KBPS;
const NAME: &str = "dvd-ram";
/// A full format without certification (INF).
const QUICK_FORMAT: Duration = Duration::from_secs(60);
/// A spare area expansion (INF).
const EXPANSION: Duration = Duration::from_secs(10);

/// A DVD-RAM format: its type and its supplementary spare area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// 00h or 01h (a format expanded since).
    format_type: u8,
    ssa_sectors: u32,
}

impl Layout {
    const SOLD: Layout = Layout {
        format_type: 0x00,
        ssa_sectors: DEFAULT_SSA_SECTORS,
    };

    fn blocks(self) -> u32 {
        DVD_RAM_SECTORS_WITHOUT_SSA.saturating_sub(self.ssa_sectors)
    }

    /// The expansions FORMAT UNIT 01h offers from this format: one and two steps, within
    /// the largest SSA.
    fn expansions(self) -> Vec<Layout> {
        (1..=2)
            .map(|steps| Layout {
                format_type: 0x01,
                ssa_sectors: self.ssa_sectors + steps * SSA_STEP_SECTORS,
            })
            .filter(|l| l.ssa_sectors <= MAX_SSA_SECTORS)
            .collect()
    }

    /// A format FORMAT UNIT could have made: 00h with or without the default SSA, or 01h
    /// some steps of expansion (the default SSA is itself 6 steps).
    fn is_valid(self) -> bool {
        match self.format_type {
            0x00 => matches!(self.ssa_sectors, 0 | DEFAULT_SSA_SECTORS),
            0x01 => {
                self.ssa_sectors > 0
                    && self.ssa_sectors % SSA_STEP_SECTORS == 0
                    && self.ssa_sectors <= MAX_SSA_SECTORS
            }
            _ => false,
        }
    }
}

impl SavedLayout for Layout {
    fn save_into(self, saved: &mut SavedSparedDisc) {
        saved.format_type = Some(self.format_type);
        saved.ssa_sectors = Some(self.ssa_sectors);
    }
}

impl SpareLayout for Layout {
    fn user_sectors(self) -> u64 {
        u64::from(self.blocks())
    }

    fn spare_clusters(self) -> u32 {
        (PSA_SECTORS + self.ssa_sectors) / DVD_ECC_BLOCK
    }
}

/// A DVD-RAM.
#[derive(Debug)]
pub struct DvdRam {
    disc: SparedDisc<Layout>,
}

impl DvdRam {
    /// A disc as sold: formatted with the default spare areas, nothing written.
    pub fn new(store: Box<dyn SectorStore>) -> Self {
        DvdRam {
            disc: SparedDisc::new(store, DVD_ECC_BLOCK, FormatState::Formatted(Layout::SOLD)),
        }
    }

    /// The disc saved by [`Medium::save_state`], over the store that holds its data.
    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let saved = SavedSparedDisc::parse(NAME, "DVD-RAM", value)?;
        let layout = match (saved.format.as_str(), saved.format_type, saved.ssa_sectors) {
            ("unformatted" | "formatting", _, _) => None,
            ("formatted", Some(format_type), Some(ssa_sectors))
                if saved.spare_clusters.is_none()
                    && Layout {
                        format_type,
                        ssa_sectors,
                    }
                    .is_valid() =>
            {
                Some(Layout {
                    format_type,
                    ssa_sectors,
                })
            }
            _ => return Err(saved.invalid_format(NAME, "ssa_sectors")),
        };
        let disc = SparedDisc::load(NAME, store, DVD_ECC_BLOCK, layout, &saved)?;
        Ok(DvdRam { disc })
    }

    /// User sectors of the current format (`None` while unformatted or formatting).
    pub fn user_capacity(&self) -> Option<u64> {
        self.disc.user_capacity()
    }

    /// The format FORMAT UNIT asks for and how long it takes, or the field that is wrong.
    fn requested(&self, params: &FormatUnitParameters) -> MediumResult<(Layout, Duration, bool)> {
        let d = &params.descriptor;
        let blocks = d.number_of_blocks;
        // Parameter list bytes 4-7: Number of Blocks; byte 8 bits 7-2: Format Type.
        match d.format_type {
            FormatType::FullFormat => {
                let ssa_sectors = if blocks <= DVD_RAM_SECTORS {
                    DEFAULT_SSA_SECTORS
                } else if blocks <= DVD_RAM_SECTORS_WITHOUT_SSA {
                    0
                } else {
                    return Err(invalid_parameter(4, None));
                };
                let layout = Layout {
                    format_type: 0x00,
                    ssa_sectors,
                };
                let certify = !(params.format_options_valid && params.disable_certification);
                let duration = if certify {
                    // A write pass and a verify pass over the disc at 2x.
                    transfer_time(
                        2 * u64::from(DVD_RAM_SECTORS_WITHOUT_SSA),
                        DVD_RAM_WRITE_SPEEDS[1],
                    )
                } else {
                    QUICK_FORMAT
                };
                Ok((layout, duration, false))
            }
            FormatType::SpareAreaExpansion => {
                let current = self
                    .disc
                    .layout()
                    .ok_or_else(|| invalid_parameter(8, Some(7)))?;
                let layout = current
                    .expansions()
                    .into_iter()
                    .find(|l| l.blocks() == blocks)
                    .ok_or_else(|| invalid_parameter(4, None))?;
                Ok((layout, EXPANSION, true))
            }
            _ => Err(invalid_parameter(8, Some(7))),
        }
    }

    /// Format 0Ah's fields: unused primary, unused supplementary and allocated
    /// supplementary spare sectors; replacements use the PSA first.
    fn spare_information(&self) -> Option<[u32; 3]> {
        let layout = self.disc.layout()?;
        let used = self.disc.replaced_clusters().saturating_mul(DVD_ECC_BLOCK);
        let primary_used = used.min(PSA_SECTORS);
        let supplementary_used = used - primary_used;
        Some([
            PSA_SECTORS - primary_used,
            layout.ssa_sectors.saturating_sub(supplementary_used),
            layout.ssa_sectors,
        ])
    }
}

fn descriptor(format_type: FormatType, layout: Layout) -> FormattableCapacity {
    FormattableCapacity {
        blocks: layout.blocks(),
        format_type,
        // The block length (MMC-6 6.24.3.2).
        type_dependent: 2048,
    }
}

impl Medium for DvdRam {
    spared_disc_methods!();

    fn spec(&self) -> MediumSpec {
        MediumSpec {
            kind: MediumKind::DvdRam,
            profile: Profile::DvdRam,
            write_speeds: &DVD_RAM_WRITE_SPEEDS,
            read_speed: DVD_RAM_READ_SPEED,
            blocking: DVD_ECC_BLOCK,
        }
    }

    fn disc_information(&self) -> DiscInformation {
        self.disc
            .disc_information(DiscStatus::Others, u64::from(DVD_RAM_SECTORS))
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        self.disc
            .track_information(address_type, address, u64::from(DVD_RAM_SECTORS))
    }

    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        _identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        let sectors = self
            .disc
            .user_capacity()
            .unwrap_or(u64::from(DVD_RAM_SECTORS));
        with_spare_information(
            cdb,
            DiscStructureMedia::Dvd,
            self.spare_information(),
            |cdb| {
                let structures = Structures::Dvd {
                    book: BookType::DvdRam,
                    // Layer type bit 2: rewritable.
                    layer_type: 0b100,
                    sectors,
                    adip: None,
                    layers: None,
                };
                disc_structure::reply(cdb, structures)
            },
        )
    }

    fn format_capacities(&self) -> FormatCapacities {
        let current = self.disc.current_capacity(DVD_RAM_SECTORS);
        let mut formattable = vec![
            descriptor(FormatType::FullFormat, Layout::SOLD),
            descriptor(
                FormatType::FullFormat,
                Layout {
                    format_type: 0x00,
                    ssa_sectors: 0,
                },
            ),
        ];
        if let Some(layout) = self.disc.layout() {
            formattable.extend(
                layout
                    .expansions()
                    .into_iter()
                    .map(|l| descriptor(FormatType::SpareAreaExpansion, l)),
            );
        }
        FormatCapacities {
            current,
            formattable,
            cut_bytes: 0,
        }
    }

    fn format(&mut self, params: &FormatUnitParameters, now: VirtualTime) -> MediumResult<Busy> {
        self.disc.check_not_formatting(now)?;
        let (layout, duration, keeps_data) = self.requested(params)?;
        self.disc.start_format(layout, duration, keeps_data, now)
    }

    fn save_state(&self) -> serde_json::Value {
        self.disc.save_state(NAME)
    }
}
