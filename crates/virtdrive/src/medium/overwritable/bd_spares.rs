//! The spare areas of a BD (BD-RE, and BD-R formatted with spares): their sizes in 32-sector
//! clusters, per recording layer, and the READ FORMAT CAPACITIES descriptors that offer them.
//!
//! Per layer (worked out from 12,219,392 sectors of a single layer without spares; the
//! type dependent parameter of a descriptor is the spare size in clusters, MMC-6 6.24.3.3,
//! as in dvd+rw-mediainfo's `30h(3000)`):
//!
//! | spare | clusters a layer | |
//! |---|---|---|
//! | default: ISA0 4,096 + OSA 8,192 (Pioneer BDR-203 manual) | 12,288 (3000h) | 00h, 30h and 32h |
//! | largest: ISA0 4,096 + OSA 16,384 (INF) | 20,480 (5000h) | |
//! | smallest: ISA0 alone | 4,096 (1000h) | a growisofs transcript on the cdwrite list (2021-10): "the largest possible payload" |
//!
//! A disc of more layers has each spare area on every layer: the sizes scale with the layer
//! count (INF, as drives report BD-R DL's default spare, twice the single layer's). A 30h or
//! 32h format takes any Number of Blocks between the extremes and formats "at least" that
//! many user sectors with whole clusters of spare (Pioneer BDR-203 4.3.1.2).

use mmc_core::response::capacity::{FormatType, FormattableCapacity};

/// Sectors per cluster (the BD ECC block).
pub const BD_CLUSTER: u32 = 32;
/// Spare clusters of the inner spare area ISA0 of one layer, always present with spares.
pub const ISA0_CLUSTERS: u32 = 4096;
/// Default spare of one layer: ISA0 and an 8,192-cluster outer spare area.
pub const DEFAULT_SPARE_CLUSTERS: u32 = ISA0_CLUSTERS + 8192;
/// Largest spare of one layer: ISA0 and a 16,384-cluster OSA (INF).
pub const MAX_SPARE_CLUSTERS: u32 = ISA0_CLUSTERS + 16_384;
/// Smallest spare of one layer: ISA0 alone.
pub const MIN_SPARE_CLUSTERS: u32 = ISA0_CLUSTERS;

/// The spare sizes a BD offers: the single-layer sizes times its layers, taken from its
/// sectors without spare areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SpareSizes {
    capacity: u32,
    layers: u32,
}

impl SpareSizes {
    /// The sizes of a disc of `capacity` sectors without spares over `layers` layers.
    pub const fn new(capacity: u32, layers: u8) -> Self {
        SpareSizes {
            capacity,
            layers: if layers == 0 { 1 } else { layers as u32 },
        }
    }

    /// Sectors without spare areas.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn default_clusters(&self) -> u32 {
        DEFAULT_SPARE_CLUSTERS * self.layers
    }

    pub fn max_clusters(&self) -> u32 {
        MAX_SPARE_CLUSTERS * self.layers
    }

    pub fn min_clusters(&self) -> u32 {
        MIN_SPARE_CLUSTERS * self.layers
    }

    pub fn offered(&self, clusters: u32) -> bool {
        (self.min_clusters()..=self.max_clusters()).contains(&clusters)
    }

    /// User sectors left by `spare_clusters` of spare.
    pub fn user_sectors(&self, spare_clusters: u32) -> u32 {
        self.capacity
            .saturating_sub(spare_clusters.saturating_mul(BD_CLUSTER))
    }

    /// The spare, in whole clusters, that leaves at least `blocks` user sectors, if it is
    /// one offered (Pioneer BDR-203 4.3.1.2 and 4.3.1.3).
    pub fn leaving(&self, blocks: u32) -> Option<u32> {
        let spare = self.capacity.checked_sub(blocks)? / BD_CLUSTER;
        self.offered(spare).then_some(spare)
    }

    /// A READ FORMAT CAPACITIES descriptor: the type dependent parameter is the spare size
    /// in clusters (MMC-6 6.24.3.3).
    pub fn descriptor(&self, format_type: FormatType, clusters: u32) -> FormattableCapacity {
        FormattableCapacity {
            blocks: self.user_sectors(clusters),
            format_type,
            type_dependent: clusters,
        }
    }

    /// The descriptors of a format with spare areas of `format_type` (30h BD-RE, 32h BD-R),
    /// after the 00h full format with the default spare: default, largest, smallest.
    pub fn descriptors(&self, format_type: FormatType) -> Vec<FormattableCapacity> {
        vec![
            self.descriptor(FormatType::FullFormat, self.default_clusters()),
            self.descriptor(format_type, self.default_clusters()),
            self.descriptor(format_type, self.max_clusters()),
            self.descriptor(format_type, self.min_clusters()),
        ]
    }
}
