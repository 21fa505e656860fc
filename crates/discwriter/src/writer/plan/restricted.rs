//! A DVD-RW in Restricted Overwrite (0013h) and its lead-out. A quick format (15h) leaves the
//! disc in the intermediate state (MMC-6 6.5.4.2.10): data can be written from LBA 0 on,
//! but no lead-out is recorded after it, and a DVD-ROM drive finds no end to the disc.
//! CLOSE TRACK/SESSION with close function 010b records it after the last sector written
//! (MMC-6 6.3.3.2.3). A disc with a lead-out takes a longer image once FORMAT UNIT 13h,
//! quick grow the last session (MMC-6 6.5.4.2.8), has put it back in the intermediate state;
//! the session is then closed again after the new end. This is what growisofs does: a
//! quick grow when the image ends past the lead-out, and CLOSE SESSION after the data when
//! the disc was intermediate or grown.

use mmc_core::response::capacity::{CapacityDescriptorType, FormatType};
use mmc_core::response::FormatCapacities;

/// Where a Restricted Overwrite disc's lead-out is, as READ FORMAT CAPACITIES tells it
/// (MMC-6 6.24.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeadOut {
    /// None recorded: the current descriptor type is 11b (the intermediate state).
    Missing,
    /// After `formatted` sectors (descriptor type 10b); `grow`: the sectors a quick grow
    /// can add, the 13h descriptor's Number of Blocks (0 when it is not offered).
    After { formatted: u32, grow: u32 },
}

impl LeadOut {
    pub(crate) fn of(caps: &FormatCapacities) -> Self {
        if caps.current.descriptor_type.to_u8() != CapacityDescriptorType::Formatted.to_u8() {
            return LeadOut::Missing;
        }
        let grow = caps
            .formattable
            .iter()
            .find(|d| d.format_type.to_u8() == FormatType::DvdRwQuickGrowLastSession.to_u8())
            .map_or(0, |d| d.blocks);
        LeadOut::After {
            formatted: caps.current.blocks,
            grow,
        }
    }

    /// The sectors a write from LBA 0 can use: up to the lead-out and what a quick grow
    /// adds; `None` when no lead-out limits it.
    pub(super) fn room(self) -> Option<u64> {
        match self {
            LeadOut::Missing => None,
            LeadOut::After { formatted, grow } => Some(u64::from(formatted) + u64::from(grow)),
        }
    }

    /// What a write of `sectors` from LBA 0 (`None`: a stream of unknown length) needs:
    /// (a quick grow first, CLOSE SESSION after the data).
    pub(super) fn steps(self, sectors: Option<u64>) -> (bool, bool) {
        match self {
            LeadOut::Missing => (false, true),
            LeadOut::After { formatted, grow } => {
                let past = sectors.is_none_or(|s| s > u64::from(formatted));
                let grows = past && grow > 0;
                (grows, grows)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use mmc_core::response::capacity::{CurrentCapacity, FormattableCapacity};

    use super::*;

    /// READ FORMAT CAPACITIES of a DVD-RW in Restricted Overwrite: the current descriptor,
    /// and a quick grow descriptor of `grow` blocks when offered.
    fn caps(
        descriptor_type: CapacityDescriptorType,
        blocks: u32,
        grow: Option<u32>,
    ) -> FormatCapacities {
        FormatCapacities {
            current: CurrentCapacity {
                blocks,
                descriptor_type,
                block_length: 2048,
            },
            formattable: grow
                .map(|blocks| FormattableCapacity {
                    blocks,
                    format_type: FormatType::DvdRwQuickGrowLastSession,
                    type_dependent: 16,
                })
                .into_iter()
                .collect(),
            cut_bytes: 0,
        }
    }

    #[test]
    fn intermediate_is_closed_after_any_write() {
        let l = LeadOut::of(&caps(CapacityDescriptorType::NoMedia, 2_298_496, None));
        assert_eq!(l, LeadOut::Missing);
        assert_eq!(l.room(), None);
        assert_eq!(l.steps(Some(16)), (false, true));
        assert_eq!(l.steps(None), (false, true));
    }

    #[test]
    fn a_lead_out_is_grown_past_only_when_the_write_passes_it() {
        let l = LeadOut::of(&caps(
            CapacityDescriptorType::Formatted,
            1008,
            Some(2_297_488),
        ));
        assert_eq!(
            l,
            LeadOut::After {
                formatted: 1008,
                grow: 2_297_488
            }
        );
        assert_eq!(l.room(), Some(2_298_496));
        assert_eq!(l.steps(Some(1008)), (false, false));
        assert_eq!(l.steps(Some(1009)), (true, true));
        assert_eq!(l.steps(None), (true, true));
        // Fully formatted: no quick grow offered, nothing to do.
        let full = LeadOut::of(&caps(CapacityDescriptorType::Formatted, 2_298_496, None));
        assert_eq!(full.steps(Some(2_298_496)), (false, false));
    }
}
