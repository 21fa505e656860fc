//! A DVD-RW in Restricted Overwrite (profile 0013h): one overwritable track over the
//! formatted area, written in whole ECC blocks (see the parent module's notes).

use mmc_core::cdb::{CloseFunction, CloseTrackSession, TrackAddressType};
use mmc_core::response::capacity::{
    CapacityDescriptorType, CurrentCapacity, FormatType, FormattableCapacity,
};
use mmc_core::response::disc_info::{DiscStatus, LastSessionState};
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::triples;

use super::{erase_time, CAPACITY, ECC_BLOCK, LEAD_OUT_SECTORS};
use crate::clock::VirtualTime;
use crate::medium::overwritable::{
    check_single_track, invalid_cdb_field, lba_out_of_range, sector_span, single_track, UserArea,
    WrittenExtents,
};
use crate::medium::{Busy, MediumError, MediumResult};
use crate::store::{SectorStore, SECTOR};

/// What the formatted area is once no format runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    /// Formatted with a lead-out after `size` sectors (format 10h, or an intermediate
    /// session closed): the whole disc when `size` is the capacity, else "partly
    /// formatted" and format 13h can grow it.
    Formatted { size: u32 },
    /// Intermediate state (formats 15h and 13h, MMC-6 6.5.4.2.10 and 6.5.4.2.8): `extent`
    /// sectors from LBA 0 formatted or written, no lead-out; writing at the extent grows it
    /// sequentially until CLOSE SESSION records the lead-out there.
    Intermediate { extent: u32 },
}

impl Area {
    /// Sectors that can be read (and overwritten) now.
    fn readable(self) -> u32 {
        match self {
            Area::Formatted { size } => size,
            Area::Intermediate { extent } => extent,
        }
    }
}

/// The format state: settled, or a format running in the foreground of the disc (reads
/// and writes wait: 02/04/04 with its progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Running {
        since: VirtualTime,
        until: VirtualTime,
        then: Area,
    },
    Settled(Area),
}

/// The disc in Restricted Overwrite.
#[derive(Debug)]
pub(crate) struct RestrictedOverwrite {
    area: UserArea,
    format: Format,
    /// The format and the written ranges at the last synchronize.
    synced: (Format, WrittenExtents),
    now: VirtualTime,
}

/// What a format cut short leaves (power loss, or a saved state taken while it ran): the
/// lead-in is recorded first (INF), so the disc is in Restricted Overwrite, intermediate,
/// with nothing formatted behind it.
const INTERRUPTED: Area = Area::Intermediate { extent: 0 };

impl RestrictedOverwrite {
    /// A format of `duration` starting `now` over `store`, leaving `then`, on a disc that
    /// holds nothing (formats 10h and 15h erase what was written before).
    pub(crate) fn formatting(
        store: Box<dyn SectorStore>,
        now: VirtualTime,
        duration: core::time::Duration,
        then: Area,
    ) -> Self {
        let format = Format::Running {
            since: now,
            until: now.after(duration),
            then,
        };
        RestrictedOverwrite {
            area: UserArea::new(store, ECC_BLOCK, WrittenExtents::new()),
            format,
            synced: (format, WrittenExtents::new()),
            now,
        }
    }

    /// The disc as saved: `area` with `written`.
    pub(crate) fn settled(
        store: Box<dyn SectorStore>,
        area: Area,
        written: WrittenExtents,
    ) -> Self {
        let format = Format::Settled(area);
        RestrictedOverwrite {
            area: UserArea::new(store, ECC_BLOCK, written.clone()),
            format,
            synced: (format, written),
            now: VirtualTime::ZERO,
        }
    }

    /// The disc's sectors, for a new format or a blanking; what was not flushed is dropped
    /// first.
    pub(crate) fn into_store(mut self) -> Box<dyn SectorStore> {
        self.area.discard_uncommitted();
        self.area.into_store()
    }

    /// The area as last synchronized, a running format as cut short (the saved state).
    pub(crate) fn synced(&self) -> (Area, &WrittenExtents) {
        let area = match self.synced.0 {
            Format::Running { .. } => INTERRUPTED,
            Format::Settled(area) => area,
        };
        (area, &self.synced.1)
    }

    /// The settled area (what a running format will leave).
    pub(crate) fn target(&self) -> Area {
        match self.format {
            Format::Running { then, .. } => then,
            Format::Settled(area) => area,
        }
    }

    pub(crate) fn progress(&self) -> Option<u16> {
        match self.format {
            Format::Running { since, until, .. } => Some(self.now.progress(since, until)),
            Format::Settled(_) => None,
        }
    }

    /// The settled area, or 02/04/04 with the progress while a format runs.
    fn usable(&self) -> MediumResult<Area> {
        match self.format {
            Format::Settled(area) => Ok(area),
            Format::Running { .. } => Err(MediumError::format_in_progress(
                self.progress().unwrap_or(0),
            )),
        }
    }

    pub(crate) fn advance(&mut self, now: VirtualTime) {
        self.now = self.now.max(now);
        if let Format::Running { until, then, .. } = self.format {
            if self.now >= until {
                // A finished format is recorded on the disc, not in the cache.
                self.format = Format::Settled(then);
                self.synced.0 = self.format;
            }
        }
    }

    fn sync(&mut self) -> MediumResult<()> {
        self.area.commit()?;
        self.synced = (self.format, self.area.written().clone());
        Ok(())
    }

    pub(crate) fn synchronize(&mut self) -> MediumResult<()> {
        self.usable()?;
        self.sync()
    }

    pub(crate) fn power_loss(&mut self) {
        self.area.discard_uncommitted();
        let (area, written) = self.synced();
        let written = written.clone();
        self.format = Format::Settled(area);
        self.area.set_written(written);
        self.synced = (self.format, self.area.written().clone());
    }

    /// FORMAT UNIT 13h (MMC-6 6.5.4.2.8): the last session goes back to intermediate
    /// state, `blocks` more sectors formatted at its end (0: none, writing grows it);
    /// the data stays. Returns how long formatting the added blocks takes.
    pub(crate) fn quick_grow(&mut self, blocks: u32, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        let area = self.usable()?;
        let readable = area.readable();
        let room = CAPACITY - readable;
        if blocks > room {
            // Parameter list bytes 4-7: Number of Blocks.
            return Err(crate::medium::overwritable::invalid_parameter(4, None));
        }
        let blocks = round_up(blocks).min(room);
        let duration = super::QUICK_GROW + erase_time(blocks);
        self.sync()?;
        self.format = Format::Running {
            since: now,
            until: now.after(duration),
            then: Area::Intermediate {
                extent: readable + blocks,
            },
        };
        self.synced.0 = self.format;
        Ok(Busy { duration })
    }

    pub(crate) fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        let readable = self.usable()?.readable();
        let (start, _) = sector_span(lba, out.len(), u64::from(readable))?;
        self.area.read(start, out)
    }

    /// MMC-6 5.3 (feature 002Ch, Rigid Restricted Overwrite): writes go in whole ECC blocks
    /// (16 sectors, 32 KiB). A write that starts inside a block is 05/21/02 INVALID
    /// ADDRESS FOR WRITE with its LBA; one whose length is not whole blocks 05/24/00 on the
    /// transfer length (the drive does no read-modify-write here, unlike DVD+RW).
    pub(crate) fn write(&mut self, lba: i32, data: &[u8], now: VirtualTime) -> MediumResult<()> {
        self.advance(now);
        let area = self.usable()?;
        if data.len() % SECTOR != 0 {
            return Err(invalid_cdb_field(7, None));
        }
        let blocks = u32::try_from(data.len() / SECTOR).unwrap_or(u32::MAX);
        if blocks == 0 {
            return Ok(());
        }
        let start = u32::try_from(lba).map_err(|_| lba_out_of_range(lba))?;
        if start % ECC_BLOCK != 0 {
            return Err(MediumError::new(triples::INVALID_ADDRESS_FOR_WRITE)
                .with_information(u64::from(start)));
        }
        if blocks % ECC_BLOCK != 0 {
            return Err(invalid_cdb_field(7, None));
        }
        let end = start.saturating_add(blocks);
        match area {
            Area::Formatted { size } if end > size => return Err(lba_out_of_range(lba)),
            // Past the extent of an intermediate session only sequentially, at its end.
            Area::Intermediate { extent } if start > extent => {
                return Err(MediumError::new(triples::INVALID_ADDRESS_FOR_WRITE)
                    .with_information(u64::from(start)))
            }
            Area::Intermediate { .. } if end > CAPACITY => return Err(lba_out_of_range(lba)),
            _ => {}
        }
        self.area.write(u64::from(start), data)?;
        if let Area::Intermediate { extent } = area {
            self.format = Format::Settled(Area::Intermediate {
                extent: extent.max(end),
            });
        }
        Ok(())
    }

    /// CLOSE TRACK/SESSION: 010b records the lead-out after an intermediate session that
    /// holds something (MMC-6 6.3.3.2.3), which makes the disc formatted up to there; on a
    /// formatted disc, and for 001b, it only flushes (libburn's cookbook: "It seems to do no
    /// harm"). Other functions: 05/24/00.
    pub(crate) fn close(
        &mut self,
        cdb: &CloseTrackSession,
        now: VirtualTime,
    ) -> MediumResult<Busy> {
        self.advance(now);
        let area = self.usable()?;
        let duration = match (cdb.function, area) {
            (CloseFunction::CloseSession, Area::Intermediate { extent }) if extent > 0 => {
                self.format = Format::Settled(Area::Formatted { size: extent });
                erase_time(LEAD_OUT_SECTORS)
            }
            (CloseFunction::CloseSession | CloseFunction::CloseTrack, _) => Default::default(),
            // Byte 2 bits 2-0: the close function.
            _ => return Err(invalid_cdb_field(2, Some(2))),
        };
        self.sync()?;
        Ok(Busy { duration })
    }

    /// Disc status complete with a complete session (MMC-6 6.22.3.1.4 for Restricted
    /// Overwrite, as DVD+RW), Erasable set.
    pub(crate) fn disc_information(&self) -> DiscInformation {
        let mut info = DiscInformation::blank(true);
        info.disc_status = DiscStatus::Complete;
        info.last_session_state = LastSessionState::Complete;
        info.last_possible_lead_out_start = CAPACITY;
        info
    }

    /// The one track over the formatted area; in intermediate state it reaches as far as
    /// writing may grow it (the end of the disc). A fixed-packet track of one ECC block
    /// (Packet/Inc and FP set, packet size 16, MMC-6 6.27.3.9): dvd+rw-format and growisofs
    /// refuse a Restricted Overwrite track without FP.
    pub(crate) fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        let size = match self.target() {
            Area::Formatted { size } => size,
            Area::Intermediate { .. } => CAPACITY,
        };
        check_single_track(address_type, address, u64::from(size))?;
        let written = self.area.written();
        Ok(TrackInformation {
            packet: true,
            fixed_packet: true,
            ..single_track(
                u64::from(size),
                ECC_BLOCK,
                false,
                true,
                (!written.is_empty()).then(|| written.end() - 1),
            )
        })
    }

    /// The last LBA that can be read.
    pub(crate) fn read_capacity(&self) -> CapacityData {
        CapacityData {
            last_lba: self.target().readable().saturating_sub(1),
            block_length: SECTOR as u32,
        }
    }

    /// MMC-6 6.24.3: formatted, the formatted size with 13h offering the room left
    /// (0 on a fully formatted disc); intermediate, "unknown capacity" (11b) without 13h
    /// (libburn's cookbook tells the states apart so); 00h, 10h and 15h always, the whole
    /// disc.
    pub(crate) fn format_capacities(&self) -> FormatCapacities {
        let (current, grow) = match self.target() {
            Area::Formatted { size } => (
                CurrentCapacity {
                    blocks: size,
                    descriptor_type: CapacityDescriptorType::Formatted,
                    block_length: SECTOR as u32,
                },
                Some(CAPACITY - size),
            ),
            Area::Intermediate { .. } => (
                CurrentCapacity {
                    blocks: CAPACITY,
                    descriptor_type: CapacityDescriptorType::NoMedia,
                    block_length: SECTOR as u32,
                },
                None,
            ),
        };
        let descriptor = |blocks, format_type| FormattableCapacity {
            blocks,
            format_type,
            type_dependent: super::type_dependent(format_type),
        };
        let mut formattable = vec![
            descriptor(CAPACITY, FormatType::FullFormat),
            descriptor(CAPACITY, FormatType::CdRwDvdRwFullFormat),
        ];
        formattable.extend(grow.map(|g| descriptor(g, FormatType::DvdRwQuickGrowLastSession)));
        formattable.push(descriptor(CAPACITY, FormatType::DvdRwQuick));
        FormatCapacities {
            current,
            formattable,
            cut_bytes: 0,
        }
    }

    pub(crate) fn rmw_count(&self) -> u64 {
        self.area.rmw_count()
    }
}

/// `sectors` rounded up to whole ECC blocks.
pub(crate) fn round_up(sectors: u32) -> u32 {
    sectors.div_ceil(ECC_BLOCK).saturating_mul(ECC_BLOCK)
}
