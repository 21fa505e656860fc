//! Media for the error paths: a pressed DVD-ROM ([`DvdRom`]) and a disc the drive cannot
//! read ([`UnknownDisc`]).
//!
//! - **DVD-ROM** (profile 0010h): one complete session with one track over a fixed recorded
//!   area (2,000,000 sectors unless chosen otherwise), reading zeros where its store holds
//!   nothing. Not erasable, disc status complete: what Microsoft's sample reads as a pressed
//!   disc. Every write-class command (WRITE, CLOSE TRACK/SESSION, RESERVE TRACK, SEND CUE
//!   SHEET) answers 05/30/05 CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT and FORMAT UNIT
//!   05/30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM: Microsoft's table maps any ASC 30h
//!   to E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE. MODE SELECT of page 05h is 05/26/00, as on
//!   every medium the page does not apply to.
//! - **Unknown disc**: no current profile (0000h, as with no disc) and 02/30/01 CANNOT READ
//!   MEDIUM - UNKNOWN FORMAT on every access, READ DISC INFORMATION included
//!   ([`Medium::access_error`]). The "incompatible disc (02/30/xx)" condition names
//!   the NOT READY key; 30h/01h is the SPC code for a format the drive does not know.

use mmc_core::cdb::{
    CloseTrackSession, ReadDiscStructure, ReadTocPmaAtip, ReserveTrack, TrackAddressType,
};
use mmc_core::params::{FormatUnitParameters, WriteParameters};
use mmc_core::response::capacity::{CapacityDescriptorType, CurrentCapacity};
use mmc_core::response::disc_info::{DiscStatus, LastSessionState};
use mmc_core::response::disc_structure::BookType;
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::triples;
use mmc_core::Profile;
use serde::{Deserialize, Serialize};

use super::overwritable::dvd_plus_rw::{DVD_1X_KBPS, DVD_ECC_BLOCK};
use super::overwritable::{
    check_single_track, sector_span, single_track, single_track_toc, store_error, StateError,
};
use super::{Busy, Medium, MediumError, MediumKind, MediumResult, MediumSpec};
use crate::clock::VirtualTime;
use crate::medium::disc_structure::{self, Structures};
use crate::medium::MediaIdentity;
use crate::store::SectorStore;

/// The recorded area of a pressed DVD-ROM unless chosen otherwise.
pub const DVD_ROM_DEFAULT_SECTORS: u64 = 2_000_000;
/// Read speed of a pressed DVD: 16x.
pub const DVD_ROM_READ_SPEED: u32 = 16 * DVD_1X_KBPS;

const DVD_ROM: &str = "dvd-rom";
const UNKNOWN: &str = "unknown";

/// A pressed single-layer DVD-ROM.
#[derive(Debug)]
pub struct DvdRom {
    store: Box<dyn SectorStore>,
    sectors: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedDvdRom {
    medium: String,
    version: u32,
    recorded_sectors: u64,
}

impl DvdRom {
    /// A disc with the default recorded area over `store` (zeros where it holds nothing).
    pub fn new(store: Box<dyn SectorStore>) -> Self {
        DvdRom::with_sectors(store, DVD_ROM_DEFAULT_SECTORS)
    }

    /// A disc whose recorded area is `sectors` long (at least one sector, at most what a
    /// single-layer DVD holds).
    pub fn with_sectors(store: Box<dyn SectorStore>, sectors: u64) -> Self {
        DvdRom {
            store,
            sectors: sectors.clamp(1, 2_298_496),
        }
    }

    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let saved: SavedDvdRom = serde_json::from_value(value.clone())
            .map_err(|e| StateError::new(DVD_ROM, format!("not a DVD-ROM state: {e}")))?;
        StateError::check_header(DVD_ROM, &saved.medium, saved.version)?;
        if saved.recorded_sectors == 0 || saved.recorded_sectors > 2_298_496 {
            return Err(StateError::new(
                DVD_ROM,
                format!(
                    "recorded_sectors {} is not between 1 and 2,298,496",
                    saved.recorded_sectors
                ),
            ));
        }
        Ok(DvdRom::with_sectors(store, saved.recorded_sectors))
    }
}

fn cannot_write() -> MediumError {
    triples::CANNOT_WRITE_INCOMPATIBLE_FORMAT.into()
}

impl Medium for DvdRom {
    fn spec(&self) -> MediumSpec {
        MediumSpec {
            kind: MediumKind::DvdRom,
            profile: Profile::DvdRom,
            write_speeds: &[],
            read_speed: DVD_ROM_READ_SPEED,
            blocking: DVD_ECC_BLOCK,
        }
    }

    fn disc_information(&self) -> DiscInformation {
        let mut info = DiscInformation::blank(false);
        info.disc_status = DiscStatus::Complete;
        info.last_session_state = LastSessionState::Complete;
        info
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        check_single_track(address_type, address, self.sectors)?;
        Ok(single_track(
            self.sectors,
            DVD_ECC_BLOCK,
            false,
            false,
            Some(self.sectors - 1),
        ))
    }

    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        single_track_toc(cdb, self.sectors)
    }

    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        _identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        // Layer type bit 0: embossed.
        let structures = Structures::Dvd {
            book: BookType::DvdRom,
            layer_type: 0b0001,
            sectors: self.sectors,
            adip: None,
            layers: None,
        };
        disc_structure::reply(cdb, structures)
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        Ok(CapacityData {
            last_lba: u32::try_from(self.sectors - 1).unwrap_or(0),
            block_length: 2048,
        })
    }

    fn format_capacities(&self) -> FormatCapacities {
        FormatCapacities {
            current: CurrentCapacity {
                blocks: u32::try_from(self.sectors).unwrap_or(u32::MAX),
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: 2048,
            },
            formattable: Vec::new(),
            cut_bytes: 0,
        }
    }

    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        let (start, _) = sector_span(lba, out.len(), self.sectors)?;
        self.store
            .read(start, out)
            .map_err(|e| store_error(&e, true))
    }

    fn write(&mut self, _: i32, _: &[u8], _: bool, _: VirtualTime) -> MediumResult<()> {
        Err(cannot_write())
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        // Nothing is ever cached for a pressed disc.
        Ok(())
    }

    fn power_loss(&mut self) {}

    fn format(&mut self, _: &FormatUnitParameters, _: VirtualTime) -> MediumResult<Busy> {
        Err(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM.into())
    }

    fn close(&mut self, _: &CloseTrackSession, _: VirtualTime) -> MediumResult<Busy> {
        Err(cannot_write())
    }

    fn reserve_track(&mut self, _: &ReserveTrack) -> MediumResult<()> {
        Err(cannot_write())
    }

    fn send_cue_sheet(&mut self, _: &[u8]) -> MediumResult<()> {
        Err(cannot_write())
    }

    fn advance(&mut self, _: VirtualTime) {}

    fn blocking_format_progress(&self) -> Option<u16> {
        None
    }

    fn save_state(&self) -> serde_json::Value {
        serde_json::to_value(SavedDvdRom {
            medium: DVD_ROM.to_string(),
            version: 1,
            recorded_sectors: self.sectors,
        })
        .unwrap_or(serde_json::Value::Null)
    }
}

/// A disc the drive cannot identify: every access fails with 02/30/01.
#[derive(Debug, Default)]
pub struct UnknownDisc;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedUnknown {
    medium: String,
    version: u32,
}

impl UnknownDisc {
    pub fn new() -> Self {
        UnknownDisc
    }

    pub fn load_state(value: &serde_json::Value) -> Result<Self, StateError> {
        let saved: SavedUnknown = serde_json::from_value(value.clone())
            .map_err(|e| StateError::new(UNKNOWN, format!("not an unknown-disc state: {e}")))?;
        StateError::check_header(UNKNOWN, &saved.medium, saved.version)?;
        Ok(UnknownDisc)
    }
}

fn unreadable() -> MediumError {
    triples::CANNOT_READ_UNKNOWN_FORMAT.into()
}

impl Medium for UnknownDisc {
    fn spec(&self) -> MediumSpec {
        MediumSpec {
            kind: MediumKind::Unknown,
            profile: Profile::NoProfile,
            write_speeds: &[],
            read_speed: 0,
            blocking: 1,
        }
    }

    /// Never reached through the drive, which answers [`Medium::access_error`] first; what
    /// a drive knows of a disc it cannot read: nothing recorded, status "others".
    fn disc_information(&self) -> DiscInformation {
        let mut info = DiscInformation::blank(false);
        info.disc_status = DiscStatus::Others;
        info.sessions = 0;
        info
    }

    fn track_information(&self, _: TrackAddressType, _: u32) -> MediumResult<TrackInformation> {
        Err(unreadable())
    }

    fn read_toc(&self, _: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        Err(unreadable())
    }

    fn read_disc_structure(
        &self,
        _: &ReadDiscStructure,
        _: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        Err(unreadable())
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        Err(unreadable())
    }

    /// Descriptor type 11b: "no media present or unknown capacity" (MMC-6 6.24.3.2).
    fn format_capacities(&self) -> FormatCapacities {
        FormatCapacities {
            current: CurrentCapacity {
                blocks: u32::MAX,
                descriptor_type: CapacityDescriptorType::NoMedia,
                block_length: 2048,
            },
            formattable: Vec::new(),
            cut_bytes: 0,
        }
    }

    fn read(&mut self, _: i32, _: &mut [u8]) -> MediumResult<()> {
        Err(unreadable())
    }

    fn write(&mut self, _: i32, _: &[u8], _: bool, _: VirtualTime) -> MediumResult<()> {
        Err(unreadable())
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        Err(unreadable())
    }

    fn power_loss(&mut self) {}

    fn format(&mut self, _: &FormatUnitParameters, _: VirtualTime) -> MediumResult<Busy> {
        Err(unreadable())
    }

    fn close(&mut self, _: &CloseTrackSession, _: VirtualTime) -> MediumResult<Busy> {
        Err(unreadable())
    }

    fn reserve_track(&mut self, _: &ReserveTrack) -> MediumResult<()> {
        Err(unreadable())
    }

    fn send_cue_sheet(&mut self, _: &[u8]) -> MediumResult<()> {
        Err(unreadable())
    }

    fn write_parameters(&self) -> Option<WriteParameters> {
        None
    }

    fn set_write_parameters(&mut self, _: &WriteParameters) -> MediumResult<()> {
        Err(unreadable())
    }

    fn advance(&mut self, _: VirtualTime) {}

    fn blocking_format_progress(&self) -> Option<u16> {
        None
    }

    fn save_state(&self) -> serde_json::Value {
        serde_json::to_value(SavedUnknown {
            medium: UNKNOWN.to_string(),
            version: 1,
        })
        .unwrap_or(serde_json::Value::Null)
    }

    fn access_error(&self) -> Option<MediumError> {
        Some(unreadable())
    }
}
