//! Defect management as a typed choice: on, with spare areas of a size, or off.
//!
//! On BD-RE, a formatted BD-R and DVD-RAM the drive verifies what it writes and replaces a
//! defective cluster with one from the spare areas the format set aside (MMC-6 clause 4,
//! the BD and DVD-RAM models; feature 0024h Hardware Defect Management). The price is capacity (the spare areas) and speed (a drive
//! that verifies after writing records at about half its speed). A format chooses the spare
//! areas from what READ FORMAT CAPACITIES offers (MMC-6 6.24.3.3: for format types 00h, 30h
//! and 32h on BD the type dependent parameter is the spare size in clusters); a write turns
//! the verification off for itself with WRITE (12) and its Streaming bit (MMC-6 6.45).

use mmc_core::cdb::{FormatType, GetPerformance, Opcode};
use mmc_core::params::FormatDescriptor;
use mmc_core::response::capacity::{CapacityDescriptorType, FormattableCapacity};
use mmc_core::response::{FormatCapacities, WriteSpeeds};
use mmc_core::{Profile, Transport};
use serde::Serialize;

use super::Recorder;
use crate::error::{ApiMisuse, DeviceCause, Error};

/// Sectors per BD cluster (the 64 KiB ECC block).
const BD_CLUSTER: u32 = 32;

/// The spare areas a format sets aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpareAreas {
    /// The drive's default: the first format with spare areas READ FORMAT CAPACITIES lists.
    #[default]
    Default,
    /// Spare areas of exactly this many sectors, as one of the offered formats has them.
    Sectors(u32),
}

/// Whether the drive verifies what it writes and replaces defective clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefectManagement {
    /// On: a format gives the disc these spare areas, and writes go through the drive's
    /// verification (WRITE (10)).
    On(SpareAreas),
    /// Off: a format leaves no spare areas where the medium allows it (BD-RE format type
    /// 31h), and writes use WRITE (12) with the Streaming bit, at full speed.
    Off,
}

impl Default for DefectManagement {
    /// On with the drive's default spare areas, as drives and IMAPI format.
    fn default() -> Self {
        DefectManagement::On(SpareAreas::Default)
    }
}

impl DefectManagement {
    /// Writes bypass the drive's defect management (WRITE (12) Streaming).
    pub const fn streaming(self) -> bool {
        matches!(self, DefectManagement::Off)
    }
}

/// Whether the medium of `profile` has defect management with spare areas.
pub const fn has_defect_management(profile: Profile) -> bool {
    matches!(
        profile,
        Profile::BdRe | Profile::BdRSrm | Profile::BdRRrm | Profile::DvdRam
    )
}

/// What `info` reports about defect management on the disc in the drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefectManagementState {
    /// The medium has defect management (BD-RE, BD-R, DVD-RAM).
    pub available: bool,
    /// The disc's format has spare areas; `None` for an unformatted BD-RE (the format a
    /// write gives it has them by default).
    pub on: Option<bool>,
    /// User sectors with spare areas: the current format's when it has them, else the
    /// default format's.
    pub capacity_with_spares: Option<u32>,
    /// User sectors without spare areas, when the drive offers such a format or the disc
    /// has none.
    pub capacity_without_spares: Option<u32>,
    /// The drive's fastest write speed in kB/s (GET PERFORMANCE), what a write without
    /// defect management (streaming) gets.
    pub streaming_write_kbps: Option<u32>,
    /// The speed a write with defect management gets: about half, as the drive verifies
    /// each cluster after writing it.
    pub write_kbps: Option<u32>,
}

/// A format READ FORMAT CAPACITIES offers with spare areas, and their size in sectors.
#[derive(Debug, Clone, Copy)]
struct SpareFormat<'c> {
    descriptor: &'c FormattableCapacity,
    spare_sectors: u32,
}

/// What READ FORMAT CAPACITIES offers a disc of `profile` with and without spare areas.
#[derive(Debug, Clone, Copy)]
struct Offered<'c> {
    profile: Profile,
    caps: &'c FormatCapacities,
}

impl<'c> Offered<'c> {
    fn of_type(self, t: FormatType) -> impl Iterator<Item = &'c FormattableCapacity> {
        self.caps.formattable.iter().filter(move |d| is_type(d, t))
    }

    /// DVD-RAM: the user sectors of the full format without a supplementary spare area, the
    /// largest format type 00h offers (MMC-6 6.5.4.2.1: fewer blocks leave the rest to the
    /// supplementary spare area).
    fn dvd_ram_whole(self) -> Option<u32> {
        self.of_type(FormatType::FullFormat).map(|d| d.blocks).max()
    }

    /// The formats with spare areas, the drive's default first.
    ///
    /// - BD (MMC-6 6.24.3.3): format types 00h and 30h (BD-RE) or 32h (BD-R), whose type
    ///   dependent parameter is the spare size in clusters.
    /// - DVD-RAM: format type 00h with a supplementary spare area (the primary one every
    ///   format has is not counted), then 01h, spare area expansion (MMC-6 6.5.4.2.2): the
    ///   supplementary spare area grows and the data is kept. The spare size is what the
    ///   format leaves out of the whole.
    fn with_spares(self) -> Vec<SpareFormat<'c>> {
        let bd = |types: &[FormatType]| -> Vec<SpareFormat<'c>> {
            types
                .iter()
                .flat_map(|&t| self.of_type(t))
                .map(|descriptor| SpareFormat {
                    descriptor,
                    spare_sectors: descriptor.type_dependent.saturating_mul(BD_CLUSTER),
                })
                .collect()
        };
        match self.profile {
            Profile::BdRe => bd(&[FormatType::FullFormat, FormatType::BdReWithSpareAreas]),
            Profile::BdRSrm | Profile::BdRRrm => {
                bd(&[FormatType::FullFormat, FormatType::BdRWithSpareAreas])
            }
            Profile::DvdRam => {
                let whole = self.dvd_ram_whole().unwrap_or(0);
                [FormatType::FullFormat, FormatType::SpareAreaExpansion]
                    .iter()
                    .flat_map(|&t| self.of_type(t))
                    .map(|descriptor| SpareFormat {
                        descriptor,
                        spare_sectors: whole.saturating_sub(descriptor.blocks),
                    })
                    .filter(|f| f.spare_sectors > 0)
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// The format without spare areas: BD-RE format type 31h; DVD-RAM format type 00h
    /// without a supplementary spare area. A BD-R has none (left unformatted it is written
    /// without them).
    fn without_spares(self) -> Option<&'c FormattableCapacity> {
        match self.profile {
            Profile::BdRe => self.of_type(FormatType::BdReWithoutSpareAreas).next(),
            Profile::DvdRam => {
                let whole = self.dvd_ram_whole()?;
                self.of_type(FormatType::FullFormat)
                    .find(|d| d.blocks == whole)
            }
            _ => None,
        }
    }
}

fn is_type(d: &FormattableCapacity, t: FormatType) -> bool {
    d.format_type.to_u8() == t.to_u8()
}

/// The FORMAT UNIT descriptor for `choice` among what READ FORMAT CAPACITIES offers.
pub(crate) fn choose_format(
    profile: Profile,
    caps: &FormatCapacities,
    choice: DefectManagement,
) -> Result<FormatDescriptor, Error> {
    let offered = Offered { profile, caps };
    let with = offered.with_spares();
    let pick = match choice {
        DefectManagement::Off => {
            if !matches!(profile, Profile::BdRe | Profile::DvdRam) {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "a {} has no format without spare areas{}",
                    profile.name(),
                    if profile.is_bd() {
                        " (a BD-R left unformatted is written without them)"
                    } else {
                        ""
                    }
                ))));
            }
            offered.without_spares()
        }
        DefectManagement::On(SpareAreas::Default) => with.first().map(|f| f.descriptor),
        DefectManagement::On(SpareAreas::Sectors(n)) => {
            let found = with.iter().find(|f| f.spare_sectors == n);
            if found.is_none() {
                let mut sizes: Vec<u32> = with.iter().map(|f| f.spare_sectors).collect();
                sizes.sort_unstable();
                sizes.dedup();
                let sizes: Vec<String> = sizes.iter().map(u32::to_string).collect();
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "no format of this {} has spare areas of {n} sectors; the drive offers {}",
                    profile.name(),
                    if sizes.is_empty() {
                        "none".to_string()
                    } else {
                        format!("{} sectors", sizes.join(", "))
                    }
                ))));
            }
            found.map(|f| f.descriptor)
        }
    };
    let pick = pick.copied().ok_or(Error::MediaIncompatible {
        cause: DeviceCause {
            opcode: Opcode::ReadFormatCapacities,
            sense: None,
        },
    })?;
    let format_subtype = match profile {
        // Format type 00h and 32h on BD-R: sub-type 01b, Sequential Recording Mode without
        // Pseudo-OverWrite, the spare areas kept for defects (MMC-6 6.5, FORMAT UNIT).
        Profile::BdRSrm | Profile::BdRRrm => 0b01,
        _ => 0,
    };
    Ok(FormatDescriptor {
        number_of_blocks: pick.blocks,
        // READ FORMAT CAPACITIES and FORMAT UNIT code format types alike (MMC-6 6.5.3).
        format_type: FormatType::from_u8(pick.format_type.to_u8()),
        format_subtype,
        type_dependent: pick.type_dependent,
    })
}

/// The state `caps` describes for a disc of `profile`, with the drive's fastest write speed.
pub(crate) fn state_of(
    profile: Profile,
    caps: Option<&FormatCapacities>,
    fastest_kbps: Option<u32>,
) -> DefectManagementState {
    if !has_defect_management(profile) {
        return DefectManagementState {
            available: false,
            on: Some(false),
            capacity_with_spares: None,
            capacity_without_spares: None,
            streaming_write_kbps: fastest_kbps,
            write_kbps: fastest_kbps,
        };
    }
    let formatted = caps.is_some_and(|c| {
        c.current.descriptor_type.to_u8() == CapacityDescriptorType::Formatted.to_u8()
    });
    let current = caps.map(|c| c.current.blocks);
    let offered = caps.map(|caps| Offered { profile, caps });
    let default_with = offered.and_then(|o| o.with_spares().first().map(|f| f.descriptor.blocks));
    let full = offered.and_then(|o| o.without_spares()).map(|d| d.blocks);
    let on = match profile {
        // A formatted BD-RE has spares unless its capacity is the format without them.
        Profile::BdRe if formatted => Some(full.is_none_or(|f| current.is_some_and(|c| c < f))),
        Profile::BdRe => None,
        // A BD-R has spare areas once formatted; DVD-RAM always has them (the primary spare
        // area of every format, MMC-6 4.5).
        Profile::BdRSrm | Profile::BdRRrm => Some(formatted),
        _ => Some(true),
    };
    // A DVD-RAM formatted without a supplementary spare area reports the default format.
    let capacity_with_spares = match on {
        Some(true) if current != full => current,
        _ => default_with,
    };
    let capacity_without_spares = match (profile, on) {
        (Profile::BdRSrm | Profile::BdRRrm, Some(false)) => current,
        (Profile::BdRe | Profile::DvdRam, _) => full,
        _ => None,
    };
    DefectManagementState {
        available: true,
        on,
        capacity_with_spares,
        capacity_without_spares,
        streaming_write_kbps: fastest_kbps,
        write_kbps: if on == Some(false) {
            fastest_kbps
        } else {
            fastest_kbps.map(|k| k / 2)
        },
    }
}

impl<T: Transport> Recorder<T> {
    /// Defect management on the disc in the drive: whether its format has spare areas, the
    /// capacities with and without them, and the write speed each way.
    pub fn defect_management(&mut self) -> Result<DefectManagementState, Error> {
        let profile = self.current_profile()?;
        let caps = if has_defect_management(profile) {
            Some(self.format_capacities()?)
        } else {
            None
        };
        let cdb = GetPerformance::write_speeds(16);
        // A drive that lists no write speed leaves the speeds unknown.
        let fastest = self
            .query::<WriteSpeeds>(&cdb)
            .ok()
            .and_then(|s| s.descriptors.iter().map(|d| d.write_speed).max());
        Ok(state_of(profile, caps.as_ref(), fastest))
    }

    /// The FORMAT UNIT descriptor giving the disc in the drive the spare areas `choice`
    /// asks for, from READ FORMAT CAPACITIES.
    pub(crate) fn spare_format(
        &mut self,
        profile: Profile,
        choice: DefectManagement,
    ) -> Result<FormatDescriptor, Error> {
        let caps = self.format_capacities()?;
        choose_format(profile, &caps, choice)
    }
}

#[cfg(test)]
mod tests;
