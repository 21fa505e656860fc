//! What BD-RE and DVD-RAM share: a random-writable disc whose format sets aside spare areas,
//! under the drive's hardware defect management (MMC-6 5.3, feature 0024h).
//!
//! - [`FormatState`]: unformatted, formatting (the disc answers 02/04/04 with the progress
//!   until the virtual clock reaches the end), or formatted with a layout, which each medium
//!   defines ([`SpareLayout`]: user sectors and spare clusters).
//! - [`SparedDisc`]: the user area, its format and the disc's defects, with the reads,
//!   writes, cache and power-loss rules both media follow.
//! - Defects: sectors a fault plan marked defective (`defective_sectors`). Written with
//!   defect management (a layout with spare clusters, no Streaming bit) each ECC cluster
//!   holding one is replaced by a spare cluster: the write succeeds, the data reads back and
//!   the spare left falls, as READ DISC STRUCTURE 0Ah reports. Written without it (WRITE(12)
//!   with the Streaming bit, a format without spares, or no spare left) the write fails
//!   with 03/0C/00 WRITE ERROR at the first defective LBA, and a read of a defective sector
//!   not replaced is 03/11/00 UNRECOVERED READ ERROR. A new format gives fresh spare areas
//!   (the replaced count starts again); the defective sectors stay until replaced.

use core::fmt;
use core::time::Duration;

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, DiscStructureMedia, ReadDiscStructure, ReadTocPmaAtip,
    TrackAddressType,
};
use mmc_core::response::capacity::{CapacityDescriptorType, CurrentCapacity};
use mmc_core::response::disc_info::{DiscStatus, LastSessionState};
use mmc_core::response::{CapacityData, DiscInformation, TrackInformation};
use mmc_core::sense::triples;
use serde::{Deserialize, Serialize};

use super::{
    check_single_track, invalid_cdb_field, load_written, sector_span, single_track,
    single_track_toc, StateError, UserArea, WrittenExtents,
};
use crate::clock::VirtualTime;
use crate::medium::{list_also, with_header, Busy, MediumError, MediumResult, STRUCTURE_LIST};
use crate::store::SectorStore;

/// READ DISC STRUCTURE format 0Ah: Spare Area Information (MMC-6 6.23, READ DISC STRUCTURE: DVD-RAM and BD).
pub(crate) const SPARE_AREA_INFORMATION: u8 = 0x0A;
/// Bytes of the format 0Ah reply: the header and three 4-byte fields.
const SPARE_AREA_INFORMATION_LEN: usize = 16;

/// A format's layout: how many user sectors it leaves and how many spare clusters it sets
/// aside for defect management.
pub(crate) trait SpareLayout: Copy + Eq + fmt::Debug {
    fn user_sectors(self) -> u64;
    /// 0 for a format without spare areas (no defect management).
    fn spare_clusters(self) -> u32;
}

/// Where the disc's format stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormatState<L> {
    Unformatted,
    Formatting {
        since: VirtualTime,
        until: VirtualTime,
        layout: L,
    },
    Formatted(L),
}

/// The disc's defective sectors and the clusters the drive replaced since the last format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Defects {
    /// Defective sectors not replaced yet.
    damaged: WrittenExtents,
    replaced_clusters: u32,
}

/// A BD-RE or DVD-RAM as saved (JSON): the format and its layout (the spare size in the
/// medium's own field), the ranges written, and the defects when there are any.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavedSparedDisc {
    pub medium: String,
    pub version: u32,
    /// `unformatted`, `formatting` (loaded as unformatted: the format was interrupted) or
    /// `formatted`.
    pub format: String,
    /// The format type, when formatted.
    #[serde(default)]
    pub format_type: Option<u8>,
    /// BD-RE: the spare clusters of the format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spare_clusters: Option<u32>,
    /// DVD-RAM: the supplementary spare area, in sectors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssa_sectors: Option<u32>,
    pub written: Vec<(u64, u64)>,
    /// Defective sectors not replaced yet (fault plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub damaged: Vec<(u64, u64)>,
    /// Spare clusters used by replacements.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replaced_clusters: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl SavedSparedDisc {
    /// Reads the saved state of the medium `name` (`what` names it in the error).
    pub fn parse(
        name: &'static str,
        what: &str,
        value: &serde_json::Value,
    ) -> Result<Self, StateError> {
        let saved: SavedSparedDisc = serde_json::from_value(value.clone())
            .map_err(|e| StateError::new(name, format!("not a {what} state: {e}")))?;
        StateError::check_header(name, &saved.medium, saved.version)?;
        Ok(saved)
    }

    /// The saved format is one the medium has no state for: what is wrong, with the spare
    /// size `spare` (the medium's own field).
    pub fn invalid_format(&self, name: &'static str, spare: &str) -> StateError {
        let size = self.spare_clusters.or(self.ssa_sectors);
        StateError::new(
            name,
            format!(
                "format {:?} with format_type {:?} and {spare} {size:?} is not a valid {} format",
                self.format,
                self.format_type,
                name.to_uppercase()
            ),
        )
    }
}

/// How a layout is saved: its format type and spare size in the medium's field.
pub(crate) trait SavedLayout {
    fn save_into(self, saved: &mut SavedSparedDisc);
}

/// A random-writable disc with spare areas: BD-RE and DVD-RAM wrap one.
#[derive(Debug)]
pub(crate) struct SparedDisc<L> {
    area: UserArea,
    /// Sectors per ECC cluster: the unit of replacement (32 BD, 16 DVD).
    cluster: u64,
    format: FormatState<L>,
    defects: Defects,
    /// The format state and written ranges at the last synchronize.
    synced: (FormatState<L>, WrittenExtents),
    now: VirtualTime,
}

impl<L: SpareLayout> SparedDisc<L> {
    /// A disc in `format` (unformatted, or formatted as sold) with nothing written.
    pub fn new(store: Box<dyn SectorStore>, cluster: u32, format: FormatState<L>) -> Self {
        SparedDisc {
            area: UserArea::new(store, cluster, WrittenExtents::new()),
            cluster: u64::from(cluster.max(1)),
            format,
            defects: Defects::default(),
            synced: (format, WrittenExtents::new()),
            now: VirtualTime::ZERO,
        }
    }

    /// A saved disc of the medium `name`: `layout` when it was formatted (`None`:
    /// unformatted, or a format cut short), its written ranges and defects from `saved`.
    pub fn load(
        name: &'static str,
        store: Box<dyn SectorStore>,
        cluster: u32,
        layout: Option<L>,
        saved: &SavedSparedDisc,
    ) -> Result<Self, StateError> {
        let (format, written) = match layout {
            Some(l) => (
                FormatState::Formatted(l),
                load_written(name, &saved.written, l.user_sectors())?,
            ),
            None => (FormatState::Unformatted, WrittenExtents::new()),
        };
        let damaged = WrittenExtents::from_ranges(&saved.damaged)
            .ok_or_else(|| StateError::new(name, "a defective range is empty"))?;
        if layout.is_some_and(|l| saved.replaced_clusters > l.spare_clusters()) {
            return Err(StateError::new(
                name,
                "more replaced clusters than the format has spare clusters",
            ));
        }
        let mut disc = SparedDisc::new(store, cluster, format);
        disc.area.set_written(written.clone());
        disc.synced = (format, written);
        disc.defects = Defects {
            damaged,
            replaced_clusters: saved.replaced_clusters,
        };
        Ok(disc)
    }

    /// The saved state (JSON) of the medium `name`: the last synchronized format and
    /// ranges, and the defects (recorded on the disc at once).
    pub fn save_state(&self, name: &str) -> serde_json::Value
    where
        L: SavedLayout,
    {
        let mut saved = SavedSparedDisc {
            medium: name.to_string(),
            version: 1,
            written: self.synced.1.ranges(),
            damaged: self.defects.damaged.ranges(),
            replaced_clusters: self.defects.replaced_clusters,
            ..SavedSparedDisc::default()
        };
        saved.format = match self.synced.0 {
            FormatState::Unformatted => "unformatted",
            FormatState::Formatting { .. } => "formatting",
            FormatState::Formatted(l) => {
                l.save_into(&mut saved);
                "formatted"
            }
        }
        .to_string();
        serde_json::to_value(saved).unwrap_or(serde_json::Value::Null)
    }

    pub fn layout(&self) -> Option<L> {
        match self.format {
            FormatState::Formatted(l) => Some(l),
            _ => None,
        }
    }

    /// User sectors of the current format (`None` while unformatted or formatting).
    pub fn user_capacity(&self) -> Option<u64> {
        self.layout().map(L::user_sectors)
    }

    /// Spare clusters not used by replacements yet.
    pub fn spare_left(&self) -> Option<u32> {
        self.layout().map(|l| {
            l.spare_clusters()
                .saturating_sub(self.defects.replaced_clusters)
        })
    }

    pub fn replaced_clusters(&self) -> u32 {
        self.defects.replaced_clusters
    }

    pub fn rmw_count(&self) -> u64 {
        self.area.rmw_count()
    }

    /// Formatted with spare areas: the drive verifies after writing and replaces defective
    /// clusters.
    pub fn defect_management_active(&self) -> bool {
        self.layout().is_some_and(|l| l.spare_clusters() > 0)
    }

    /// The progress of a running format, in 1/65536.
    pub fn format_progress(&self) -> Option<u16> {
        match self.format {
            FormatState::Formatting { since, until, .. } => Some(self.now.progress(since, until)),
            _ => None,
        }
    }

    /// 02/04/04 with the progress of the running format.
    pub fn format_in_progress(&self) -> MediumError {
        MediumError::format_in_progress(self.format_progress().unwrap_or(0))
    }

    /// The user area when the disc can be read and written, else the sense.
    pub fn usable(&self) -> MediumResult<u64> {
        match self.format {
            FormatState::Formatted(l) => Ok(l.user_sectors()),
            FormatState::Formatting { .. } => Err(self.format_in_progress()),
            FormatState::Unformatted => Err(triples::MEDIUM_NOT_FORMATTED.into()),
        }
    }

    /// Marks `blocks` sectors from `lba` defective (the fault plan's `defective_sectors`).
    pub fn damage(&mut self, lba: u64, blocks: u64) {
        self.defects.damaged.insert(lba, lba.saturating_add(blocks));
    }

    pub fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        let limit = self.usable()?;
        let (start, end) = sector_span(lba, out.len(), limit)?;
        if let Some(bad) = self.defects.damaged.first_in(start, end) {
            return Err(MediumError::new(triples::UNRECOVERED_READ_ERROR).with_information(bad));
        }
        self.area.read(start, out)
    }

    /// Writes `data` at `lba`; `streaming` is WRITE(12)'s Streaming bit, which turns defect
    /// management off for this write.
    pub fn write(
        &mut self,
        lba: i32,
        data: &[u8],
        streaming: bool,
        now: VirtualTime,
    ) -> MediumResult<()> {
        self.advance(now);
        let limit = self.usable()?;
        let (start, end) = sector_span(lba, data.len(), limit)?;
        self.replace_defective(start, end, streaming)?;
        self.area.write(start, data)
    }

    /// Replaces the defective clusters `[start, end)` touches with spare clusters, or fails
    /// the write when the drive does not manage defects for it.
    fn replace_defective(&mut self, start: u64, end: u64, streaming: bool) -> MediumResult<()> {
        let Some(bad) = self.defects.damaged.first_in(start, end) else {
            return Ok(());
        };
        let c = self.cluster;
        let clusters: Vec<u64> = (start / c..end.div_ceil(c))
            .map(|i| i * c)
            .filter(|&s| self.defects.damaged.first_in(s, s + c).is_some())
            .collect();
        let needed = u32::try_from(clusters.len()).unwrap_or(u32::MAX);
        let managed = !streaming && self.defect_management_active();
        if !managed || self.spare_left().unwrap_or(0) < needed {
            return Err(MediumError::new(triples::WRITE_ERROR).with_information(bad));
        }
        for s in clusters {
            self.defects.damaged.remove(s, s + c);
        }
        self.defects.replaced_clusters = self.defects.replaced_clusters.saturating_add(needed);
        Ok(())
    }

    fn sync(&mut self) -> MediumResult<()> {
        self.area.commit()?;
        self.synced = (self.format, self.area.written().clone());
        Ok(())
    }

    /// SYNCHRONIZE CACHE.
    pub fn synchronize(&mut self) -> MediumResult<()> {
        if let FormatState::Formatting { .. } = self.format {
            return Err(self.format_in_progress());
        }
        self.sync()
    }

    /// Power loss: the last synchronized state; a format cut short leaves the disc
    /// unformatted. Defects and replacements are recorded on the disc at once.
    pub fn power_loss(&mut self) {
        self.area.discard_uncommitted();
        let (format, written) = self.synced.clone();
        match format {
            FormatState::Formatting { .. } => {
                self.format = FormatState::Unformatted;
                self.area.set_written(WrittenExtents::new());
            }
            _ => {
                self.format = format;
                self.area.set_written(written);
            }
        }
        self.synced = (self.format, self.area.written().clone());
    }

    /// Starts a format of `layout` lasting `duration`. Unless `keeps_data`, the disc starts
    /// again blank with fresh spare areas; with it, data past the new user area is lost.
    pub fn start_format(
        &mut self,
        layout: L,
        duration: Duration,
        keeps_data: bool,
        now: VirtualTime,
    ) -> MediumResult<Busy> {
        self.area.commit()?;
        let written = if keeps_data {
            let mut w = self.area.written().clone();
            w.remove(layout.user_sectors(), u64::MAX);
            w
        } else {
            self.defects.replaced_clusters = 0;
            WrittenExtents::new()
        };
        self.area.set_written(written.clone());
        self.format = FormatState::Formatting {
            since: now,
            until: now.after(duration),
            layout,
        };
        self.synced = (self.format, written);
        Ok(Busy { duration })
    }

    /// FORMAT UNIT may start: not while a format runs.
    pub fn check_not_formatting(&mut self, now: VirtualTime) -> MediumResult<()> {
        self.advance(now);
        match self.format {
            FormatState::Formatting { .. } => Err(self.format_in_progress()),
            _ => Ok(()),
        }
    }

    /// CLOSE TRACK/SESSION: not needed on these media; closing a track or session flushes
    /// the cache, the finalizing functions are 05/24/00.
    pub fn close(&mut self, cdb: &CloseTrackSession, now: VirtualTime) -> MediumResult<Busy> {
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

    pub fn advance(&mut self, now: VirtualTime) {
        self.now = self.now.max(now);
        if let FormatState::Formatting { until, layout, .. } = self.format {
            if self.now >= until {
                // A finished format is recorded on the disc, not in the cache.
                self.format = FormatState::Formatted(layout);
                self.synced.0 = self.format;
            }
        }
    }

    /// READ DISC INFORMATION: erasable; blank until formatted, then `formatted` (complete on
    /// BD-RE, "others" on DVD-RAM) with a complete last session; the last possible lead-out
    /// at the user capacity, or at `unformatted`.
    pub fn disc_information(&self, formatted: DiscStatus, unformatted: u64) -> DiscInformation {
        let mut info = DiscInformation::blank(true);
        let capacity = match self.user_capacity() {
            Some(user) => {
                info.disc_status = formatted;
                info.last_session_state = LastSessionState::Complete;
                user
            }
            None => unformatted,
        };
        info.last_possible_lead_out_start = u32::try_from(capacity).unwrap_or(u32::MAX);
        info
    }

    /// READ FORMAT CAPACITIES' current descriptor: the formatted capacity, or `unformatted`
    /// (MMC-6 6.24.3.1).
    pub fn current_capacity(&self, unformatted: u32) -> CurrentCapacity {
        match self.user_capacity() {
            Some(user) => CurrentCapacity {
                blocks: u32::try_from(user).unwrap_or(u32::MAX),
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: 2048,
            },
            None => CurrentCapacity {
                blocks: unformatted,
                descriptor_type: CapacityDescriptorType::Unformatted,
                block_length: 2048,
            },
        }
    }

    /// READ TRACK INFORMATION of the single track; `unformatted` is the size an unformatted
    /// disc reports.
    pub fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
        unformatted: u64,
    ) -> MediumResult<TrackInformation> {
        let formatted = self.user_capacity();
        let size = formatted.unwrap_or(unformatted);
        check_single_track(address_type, address, size)?;
        let written = self.area.written();
        Ok(single_track(
            size,
            u32::try_from(self.cluster).unwrap_or(u32::MAX),
            formatted.is_none(),
            formatted.is_some(),
            (!written.is_empty()).then(|| written.end() - 1),
        ))
    }

    pub fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        single_track_toc(cdb, self.user_capacity().unwrap_or(0))
    }

    pub fn read_capacity(&self) -> CapacityData {
        CapacityData {
            last_lba: self
                .user_capacity()
                .and_then(|c| u32::try_from(c.saturating_sub(1)).ok())
                .unwrap_or(0),
            block_length: 2048,
        }
    }
}

/// READ DISC STRUCTURE with format 0Ah, Spare Area Information, added to the structures
/// `others` answers: `fields` are its bytes 4-15 (MMC-6 6.23: on DVD-RAM the unused primary
/// and supplementary spare blocks and the allocated supplementary ones; on BD a reserved
/// field, the free and the allocated spare clusters), `None` while the disc has no format.
/// The list (FFh) names it.
pub(crate) fn with_spare_information(
    cdb: &ReadDiscStructure,
    family: DiscStructureMedia,
    fields: Option<[u32; 3]>,
    others: impl FnOnce(&ReadDiscStructure) -> MediumResult<Vec<u8>>,
) -> MediumResult<Vec<u8>> {
    match (cdb.format_code, fields) {
        (SPARE_AREA_INFORMATION, Some(f)) if cdb.media_type == family => {
            let body: Vec<u8> = f.iter().flat_map(|v| v.to_be_bytes()).collect();
            Ok(with_header(&body))
        }
        (STRUCTURE_LIST, Some(_)) if cdb.media_type == family => {
            let list = others(cdb)?;
            Ok(list_also(
                &list,
                SPARE_AREA_INFORMATION,
                SPARE_AREA_INFORMATION_LEN,
            ))
        }
        _ => others(cdb),
    }
}

/// The [`Medium`](crate::medium::Medium) methods a BD-RE and a DVD-RAM answer alike from the
/// [`SparedDisc`] in their `disc` field.
macro_rules! spared_disc_methods {
    () => {
        fn read_toc(
            &self,
            cdb: &mmc_core::cdb::ReadTocPmaAtip,
        ) -> $crate::medium::MediumResult<Vec<u8>> {
            self.disc.read_toc(cdb)
        }

        fn read_capacity(&self) -> $crate::medium::MediumResult<mmc_core::response::CapacityData> {
            Ok(self.disc.read_capacity())
        }

        fn read(&mut self, lba: i32, out: &mut [u8]) -> $crate::medium::MediumResult<()> {
            self.disc.read(lba, out)
        }

        fn write(
            &mut self,
            lba: i32,
            data: &[u8],
            streaming: bool,
            now: $crate::clock::VirtualTime,
        ) -> $crate::medium::MediumResult<()> {
            self.disc.write(lba, data, streaming, now)
        }

        fn synchronize(&mut self) -> $crate::medium::MediumResult<()> {
            self.disc.synchronize()
        }

        fn power_loss(&mut self) {
            self.disc.power_loss()
        }

        fn close(
            &mut self,
            cdb: &mmc_core::cdb::CloseTrackSession,
            now: $crate::clock::VirtualTime,
        ) -> $crate::medium::MediumResult<$crate::medium::Busy> {
            self.disc.close(cdb, now)
        }

        fn advance(&mut self, now: $crate::clock::VirtualTime) {
            self.disc.advance(now)
        }

        fn blocking_format_progress(&self) -> Option<u16> {
            self.disc.format_progress()
        }

        fn rmw_count(&self) -> u64 {
            self.disc.rmw_count()
        }

        fn defect_management_active(&self) -> bool {
            self.disc.defect_management_active()
        }

        fn damage_sectors(&mut self, lba: u64, blocks: u64) {
            self.disc.damage(lba, blocks)
        }
    };
}
pub(crate) use spared_disc_methods;
