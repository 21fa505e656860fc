//! Formatting a blank BD-R with spare areas (MMC-6 6.5.4.2: format types 00h and 32h on
//! BD-R; Pioneer BDR-203 manual 4.3.1.1.2 and 4.3.1.3).
//!
//! A BD-R is sold unformatted and is written in SRM without spare areas as it is (no defect
//! management, the whole 12,219,392 sectors). Formatting allocates spare areas, which take
//! room from the user data area and turn on defect management: the drive verifies what it
//! writes at about half the speed, unless the host writes with WRITE(12) Streaming.
//!
//! | descriptor | spare clusters (type dependent) | user sectors |
//! |---|---|---|
//! | 00h: ISA0 4,096 + OSA 8,192 (BDR-203 manual 4.3.1.1.2) | 12,288 (3000h) | 11,826,176 |
//! | 32h, the same default | 12,288 (3000h) | 11,826,176 |
//! | 32h, largest spare: ISA0 + OSA 16,384 (INF) | 20,480 (5000h) | 11,564,032 |
//! | 32h, smallest spare: ISA0 alone (INF, as BD-RE's 30h) | 4,096 (1000h) | 12,088,320 |
//!
//! The spare sizes and the type dependent parameter (spare clusters) are the BD-RE ones
//! (`overwritable::bd_re`), per recording layer: a BD-R DL offers twice them (its default,
//! 24,576 clusters, leaves 23,652,352 user sectors, the formatted capacity drives report
//! for 50 GB BD media), a BD-R XL three and four times (INF: BDXL is sold and written
//! without spare areas; the sizes a drive offers for it are not in the sources at hand).
//! FORMAT UNIT 00h ignores Number of Blocks (BDR-203 manual); 32h
//! formats at least Number of Blocks user sectors with whole clusters of spare, between the
//! smallest and the largest spare (else 05/26/00 on bytes 4-7, as on BD-RE).
//!
//! Sub-types (descriptor byte 4 bits 1-0; MMC-5 6.5.4.2.17 for 32h, which also requires a
//! non-zero spare; BDR-203 manual tables 7 and 9):
//! 00b SRM with Pseudo-OverWrite (POW), 01b SRM without POW; 10b (RRM, profile 0042h) is
//! not offered: 05/26/00 on byte 8. growisofs always asks for 00b.
//!
//! Emulator choices:
//! - Only a blank, unformatted disc can be formatted; a recorded or already formatted one
//!   answers 05/30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM (INF), and READ FORMAT
//!   CAPACITIES then lists no formattable descriptor.
//! - The format only records the disc management structures: it completes at once (INF).
//! - The disc status stays blank until something is recorded (INF; libburn treats a
//!   formatted BD-R without sessions as blank).
//! - POW (MMC-6, BD-R SRM with Pseudo-OverWrite; feature 0038h current): a WRITE of sectors already recorded
//!   (below the next writable address of their track) is a logical overwrite; reads return
//!   the new data. Each overwritten cluster takes a replacement cluster from the spare areas
//!   (INF: drives may also replace within the user data area); with no spare cluster left
//!   the WRITE is 05/21/02 INVALID ADDRESS FOR WRITE (INF).

use mmc_core::params::FormatUnitParameters;
use mmc_core::response::capacity::{FormatType, FormattableCapacity};
use mmc_core::sense::triples;
use serde::{Deserialize, Serialize};

use super::geometry::SequentialMedium;
use super::SequentialDisc;
pub(crate) use crate::medium::overwritable::bd_spares::SpareSizes;
use crate::medium::overwritable::bd_spares::BD_CLUSTER;
use crate::medium::overwritable::invalid_parameter;
use crate::medium::{MediumError, MediumResult};

/// The spare sizes of a BD-R of `medium`'s sectors and layers.
pub(crate) fn spare_sizes(medium: &SequentialMedium) -> SpareSizes {
    SpareSizes::new(medium.capacity(), medium.layers.count)
}

/// How a BD-R was formatted: saved with the disc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SpareFormat {
    /// 0 (00h) or 50 (32h).
    pub format_type: u8,
    /// Spare clusters of ISA0 and OSA together.
    pub spare_clusters: u32,
    /// SRM with Pseudo-OverWrite (sub-type 00b).
    pub pow: bool,
    /// Spare clusters used as replacements by pseudo-overwrites.
    #[serde(default)]
    pub replaced_clusters: u32,
}

impl SpareFormat {
    /// User sectors left by the spare areas.
    pub fn user_sectors(&self, sizes: SpareSizes) -> u32 {
        sizes.user_sectors(self.spare_clusters)
    }

    /// Spare clusters not yet used by pseudo-overwrites.
    pub fn spare_left(&self) -> u32 {
        self.spare_clusters.saturating_sub(self.replaced_clusters)
    }

    /// The format FORMAT UNIT asks for, or the field of the parameter list that is wrong.
    pub fn requested(params: &FormatUnitParameters, sizes: SpareSizes) -> MediumResult<Self> {
        let d = &params.descriptor;
        let pow = match d.format_subtype {
            0b00 => true,
            0b01 => false,
            // Parameter list byte 8 bits 1-0: RRM or reserved.
            _ => return Err(invalid_parameter(8, Some(1))),
        };
        let (format_type, spare_clusters) = match d.format_type {
            FormatType::FullFormat => (0x00, sizes.default_clusters()),
            FormatType::BdRWithSpareAreas => {
                let spare = sizes
                    .leaving(d.number_of_blocks)
                    // Bytes 4-7: Number of Blocks.
                    .ok_or_else(|| invalid_parameter(4, None))?;
                (0x32, spare)
            }
            // Byte 8 bits 7-2: a format type of another medium.
            _ => return Err(invalid_parameter(8, Some(7))),
        };
        Ok(SpareFormat {
            format_type,
            spare_clusters,
            pow,
            replaced_clusters: 0,
        })
    }

    /// A format read back from a saved state, if it is one FORMAT UNIT could have made.
    pub fn is_valid(&self, sizes: SpareSizes) -> bool {
        let spare_ok = sizes.offered(self.spare_clusters);
        let type_ok = match self.format_type {
            0x00 => self.spare_clusters == sizes.default_clusters(),
            0x32 => true,
            _ => false,
        };
        spare_ok && type_ok && self.replaced_clusters <= self.spare_clusters
    }
}

/// The formattable descriptors of a blank, unformatted BD-R, default first (growisofs takes
/// the first one after the current descriptor as the default).
pub(crate) fn formattable(sizes: SpareSizes) -> Vec<FormattableCapacity> {
    sizes.descriptors(FormatType::BdRWithSpareAreas)
}

/// Clusters a write of `blocks` sectors at `lba` touches.
pub(crate) fn clusters_touched(lba: i64, blocks: u32) -> u32 {
    let cluster = i64::from(BD_CLUSTER);
    let first = lba.div_euclid(cluster);
    let last = (lba + i64::from(blocks) - 1).div_euclid(cluster);
    u32::try_from(last - first + 1).unwrap_or(u32::MAX)
}

impl SequentialDisc {
    /// FORMAT UNIT can give this disc spare areas: a blank, unformatted BD-R.
    pub(super) fn can_format(&self) -> bool {
        self.geometry.formattable && self.format.is_none() && self.untouched()
    }

    /// On a disc formatted for POW, a WRITE wholly inside recorded sectors is a logical
    /// overwrite (MMC-6, BD-R SRM with POW): true when it is one, with a replacement cluster taken from
    /// the spare areas for each cluster it touches (see the module notes).
    pub(super) fn pseudo_overwrite(&mut self, lba: i64, blocks: u32) -> MediumResult<bool> {
        let Some(format) = self.format.as_mut().filter(|f| f.pow) else {
            return Ok(false);
        };
        let end = lba + i64::from(blocks);
        let recorded = self
            .disc
            .tracks()
            .any(|(_, t)| t.start <= lba && end <= t.data_end());
        if lba < 0 || !recorded {
            return Ok(false);
        }
        let clusters = clusters_touched(lba, blocks);
        if clusters > format.spare_left() {
            return Err(MediumError::new(triples::INVALID_ADDRESS_FOR_WRITE)
                .with_information(u64::try_from(lba).unwrap_or(0)));
        }
        format.replaced_clusters += clusters;
        Ok(true)
    }
}
