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

/// The format types with spare areas on a profile, the default first; and the type without.
fn spare_types(profile: Profile) -> (&'static [FormatType], Option<FormatType>) {
    match profile {
        Profile::BdRe => (
            &[FormatType::FullFormat, FormatType::BdReWithSpareAreas],
            Some(FormatType::BdReWithoutSpareAreas),
        ),
        Profile::BdRSrm | Profile::BdRRrm => (
            &[FormatType::FullFormat, FormatType::BdRWithSpareAreas],
            None,
        ),
        // DVD-RAM: format type 00h with its default spare areas (MMC-6 6.5).
        _ => (&[FormatType::FullFormat], None),
    }
}

fn is_type(d: &FormattableCapacity, t: FormatType) -> bool {
    d.format_type.to_u8() == t.to_u8()
}

/// The spare sectors a BD descriptor with spare areas sets aside.
fn spare_sectors(d: &FormattableCapacity) -> u32 {
    d.type_dependent.saturating_mul(BD_CLUSTER)
}

/// The FORMAT UNIT descriptor for `choice` among what READ FORMAT CAPACITIES offers.
pub(crate) fn choose_format(
    profile: Profile,
    caps: &FormatCapacities,
    choice: DefectManagement,
) -> Result<FormatDescriptor, Error> {
    let (with, without) = spare_types(profile);
    let offered = |t: FormatType| caps.formattable.iter().filter(move |d| is_type(d, t));
    let pick = match choice {
        DefectManagement::Off => {
            let Some(t) = without else {
                return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                    "a {} has no format without spare areas{}",
                    profile.name(),
                    if profile.is_bd() {
                        " (a BD-R left unformatted is written without them)"
                    } else {
                        ""
                    }
                ))));
            };
            offered(t).next()
        }
        DefectManagement::On(SpareAreas::Default) => with.iter().find_map(|&t| offered(t).next()),
        DefectManagement::On(SpareAreas::Sectors(n)) => {
            let found = with
                .iter()
                .find_map(|&t| offered(t).find(|d| spare_sectors(d) == n));
            if found.is_none() {
                let mut sizes: Vec<u32> = with
                    .iter()
                    .flat_map(|&t| offered(t))
                    .map(spare_sectors)
                    .collect();
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
            found
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
    let (with, without) = spare_types(profile);
    let formatted = caps.is_some_and(|c| {
        c.current.descriptor_type.to_u8() == CapacityDescriptorType::Formatted.to_u8()
    });
    let current = caps.map(|c| c.current.blocks);
    let offered = |t: FormatType| {
        caps.and_then(|c| c.formattable.iter().find(|d| is_type(d, t)))
            .map(|d| d.blocks)
    };
    let default_with = with.iter().find_map(|&t| offered(t));
    let full = without.and_then(offered);
    let on = match profile {
        // A formatted BD-RE has spares unless its capacity is the format without them.
        Profile::BdRe if formatted => Some(full.is_none_or(|f| current.is_some_and(|c| c < f))),
        Profile::BdRe => None,
        // A BD-R has spare areas once formatted; DVD-RAM always has them.
        Profile::BdRSrm | Profile::BdRRrm => Some(formatted),
        _ => Some(true),
    };
    let capacity_with_spares = match on {
        Some(true) => current,
        _ => default_with,
    };
    let capacity_without_spares = match (profile, on) {
        (Profile::BdRSrm | Profile::BdRRrm, Some(false)) => current,
        (Profile::BdRe, _) => full,
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
