//! DVD-RW (MMC-6 4.5.3 and 4.5.4; libburn's "Overwriteable DVD Cookbook" and "Sequential
//! DVD-R\[W\] Cookbook"; growisofs and dvd+rw-format): one disc in one of two recording modes.
//!
//! - **Sequential recording** (profile 0014h), as sold: recorded as a DVD-R
//!   (`sequential::DVD_RW`, the DVD-R's [`SequentialDisc`]): Incremental sessions through
//!   page 05h, Disc-at-Once with RESERVE TRACK, test writes.
//! - **Restricted Overwrite** (profile 0013h, `restricted`), after FORMAT UNIT: one track over
//!   the formatted area, overwritten in whole 32 KiB ECC blocks (feature 002Ch).
//!
//! # Erasing (BLANK, MMC-6 6.2)
//!
//! - **000b, blank the disc**: the whole disc is erased; it is then a blank disc in
//!   Sequential recording, whatever its mode was (cdrskin `blank=all` and
//!   `blank=deformat_sequential`). It takes the disc's capacity at 2x (about 28 minutes).
//! - **001b, minimal**: the lead-in is erased, so the disc reads as blank in Sequential
//!   recording (cdrskin `blank=fast`, dvd+rw-format `-blank`); about a minute (INF). Some
//!   drives then offer no Incremental Streaming until a full blanking (libburn's cookbook);
//!   not modelled: the disc records as after a full blanking.
//! - **110b, blank the last session** (Sequential only): the last session, open or closed,
//!   is erased, with its border; the disc is appendable again (blank when it held one
//!   session). On a blank disc 05/2C/00.
//! - Other types, and 110b in Restricted Overwrite: 05/24/00 on CDB byte 1.
//!
//! The blanking takes effect at once and the drive then stays busy for its duration
//! (02/04/07 with progress under Immed, `drive::io`): the lead-in is erased first, so a
//! power loss during a blanking leaves the disc blank.
//!
//! # Formatting (FORMAT UNIT, MMC-6 6.5.4.2)
//!
//! - **10h, full format** (and 00h, taken alike) of Number of Blocks sectors (at most the
//!   disc's, rounded up to ECC blocks): the disc is then Restricted Overwrite, formatted
//!   with a lead-out after that many sectors; what it held is gone. It takes the formatted
//!   sectors and the lead-out at 2x (about 29 minutes for the whole disc).
//! - **15h, quick** (MMC-6 6.5.4.2.10): Restricted Overwrite in intermediate state with
//!   Number of Blocks formatted (0 allowed: growisofs, dvd+rw-format and libburn send 0);
//!   writing at the end of the formatted extent grows it, and CLOSE SESSION (010b) records
//!   the lead-out there. About a minute (INF) and the blocks at 2x.
//! - **13h, quick grow the last session** (MMC-6 6.5.4.2.8, Restricted Overwrite only): the
//!   formatted session goes back to intermediate state with Number of Blocks more sectors
//!   formatted at its end (the count READ FORMAT CAPACITIES offers is the room left; libburn
//!   sends the blocks it needs added, growisofs 0); the data stays.
//! - Other types: 05/26/00 on the format type; a Type Dependent Parameter other than 0 or
//!   the ECC block size (16): 05/26/00 on byte 9.
//!
//! A format runs in the foreground of the disc: until it ends, every medium access gets
//! 02/04/04 FORMAT IN PROGRESS with the progress. A power loss during a format leaves the
//! disc in Restricted Overwrite, intermediate, with nothing formatted (its lead-in is
//! recorded first, INF): it can be formatted again or blanked.
//!
//! # Saved state (version 1)
//!
//! `{"medium": "dvd-rw", "version": 1, "mode": "sequential", "sequential": {...}}` with the
//! DVD-R's state (`sequential::state`) of the disc, or `{"medium": "dvd-rw", "version": 1,
//! "mode": "restricted-overwrite", "area": "formatted" | "intermediate", "size": N,
//! "written": [[start, end], ...]}`: the formatted size (or the intermediate extent) in
//! whole ECC blocks and the ranges written since the format, inside it. A format running
//! at the last synchronize is saved as cut short.

mod restricted;

use core::time::Duration;

use mmc_core::cdb::{
    Blank, BlankingType, CloseTrackSession, ReadDiscStructure, ReadTocPmaAtip, ReserveTrack,
    TrackAddressType,
};
use mmc_core::params::{FormatUnitParameters, WriteParameters};
use mmc_core::response::capacity::{FormatType, FormattableCapacity};
use mmc_core::response::disc_structure::BookType;
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::triples;
use mmc_core::Profile;
use serde::{Deserialize, Serialize};

use self::restricted::{round_up, Area, RestrictedOverwrite};
use crate::clock::{transfer_time, VirtualTime};
use crate::medium::disc_structure::{self, Structures};
use crate::medium::overwritable::dvd_plus_rw::DVD_1X_KBPS;
use crate::medium::overwritable::{
    invalid_cdb_field, invalid_parameter, load_written, single_track_toc, StateError,
};
use crate::medium::sequential::{self, DvdMinus, SequentialDisc, DVD_RW};
use crate::medium::{Busy, MediaIdentity, Medium, MediumError, MediumResult, MediumSpec};
use crate::store::{MemoryStore, SectorStore, SECTOR};

/// Sectors of a single-layer DVD-RW, as a DVD-R's.
pub const DVD_RW_SECTORS: u32 = sequential::DVD_R_SECTORS;
const CAPACITY: u32 = DVD_RW_SECTORS;
/// Sectors per ECC block.
const ECC_BLOCK: u32 = 16;
/// What closing an intermediate session records after it (INF: as DVD+RW's).
const LEAD_OUT_SECTORS: u32 = crate::medium::overwritable::dvd_plus_rw::LEAD_OUT_SECTORS as u32;
/// The drive erases and formats at 2x (INF: the slowest DVD-RW recording speed).
pub const ERASE_KBPS: u32 = 2 * DVD_1X_KBPS;
/// A minimal blanking: the lead-in erased (INF).
pub const MINIMAL_BLANK: Duration = Duration::from_secs(60);
/// A quick format before its blocks: the lead-in recorded (INF).
pub const QUICK_FORMAT: Duration = Duration::from_secs(60);
/// A quick grow before its blocks: the session's lead-out made intermediate again (INF).
const QUICK_GROW: Duration = Duration::from_secs(5);
const NAME: &str = "dvd-rw";

/// How long erasing or formatting `sectors` takes.
fn erase_time(sectors: u32) -> Duration {
    transfer_time(u64::from(sectors), ERASE_KBPS)
}

/// The recording mode.
#[derive(Debug)]
enum Mode {
    Sequential(Box<SequentialDisc>),
    Restricted(RestrictedOverwrite),
}

/// A DVD-RW.
#[derive(Debug)]
pub struct DvdRw {
    mode: Mode,
    /// Page 05h while in Restricted Overwrite (the sequential disc holds it otherwise): the
    /// drive's memory, kept across the mode changes.
    write_parameters: WriteParameters,
}

fn default_page() -> WriteParameters {
    sequential::dvd_minus_default_page(DvdMinus { incremental: true })
}

impl DvdRw {
    /// A blank disc in Sequential recording, as sold.
    pub fn new(store: Box<dyn SectorStore>) -> Self {
        DvdRw {
            mode: Mode::Sequential(Box::new(SequentialDisc::blank(&DVD_RW, store))),
            write_parameters: default_page(),
        }
    }

    /// The disc [`Medium::save_state`] described, over the store that holds its sectors.
    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let saved: Saved = serde_json::from_value(value.clone())
            .map_err(|e| StateError::new(NAME, format!("not a DVD-RW state: {e}")))?;
        StateError::check_header(NAME, &saved.medium, saved.version)?;
        let mode = match (saved.mode.as_str(), saved.sequential, saved.area.as_deref()) {
            ("sequential", Some(state), None) => Mode::Sequential(Box::new(
                SequentialDisc::load_state(&DVD_RW, &state, store)?,
            )),
            ("restricted-overwrite", None, Some(area)) => {
                let size = saved.size.unwrap_or(0);
                if size > CAPACITY || size % ECC_BLOCK != 0 {
                    return Err(StateError::new(
                        NAME,
                        format!("size {size} is not whole ECC blocks of the disc"),
                    ));
                }
                let area = match area {
                    "formatted" if size > 0 => Area::Formatted { size },
                    "intermediate" => Area::Intermediate { extent: size },
                    other => {
                        return Err(StateError::new(
                            NAME,
                            format!("area {other:?} of {size} sectors is not a DVD-RW format"),
                        ))
                    }
                };
                let written = load_written(NAME, &saved.written, u64::from(size))?;
                Mode::Restricted(RestrictedOverwrite::settled(store, area, written))
            }
            (mode, _, _) => {
                return Err(StateError::new(
                    NAME,
                    format!("mode {mode:?} without its own fields is not a DVD-RW state"),
                ))
            }
        };
        Ok(DvdRw {
            mode,
            write_parameters: default_page(),
        })
    }

    /// True in Restricted Overwrite (profile 0013h).
    pub fn restricted_overwrite(&self) -> bool {
        matches!(self.mode, Mode::Restricted(_))
    }

    /// The store, out of whichever mode holds it (what was not flushed dropped), for the
    /// disc to be erased or formatted anew.
    fn take_store(&mut self) -> Box<dyn SectorStore> {
        let placeholder = SequentialDisc::blank(&DVD_RW, Box::new(MemoryStore::new()));
        match core::mem::replace(&mut self.mode, Mode::Sequential(Box::new(placeholder))) {
            Mode::Sequential(disc) => {
                if let Some(page) = disc.write_parameters() {
                    self.write_parameters = page;
                }
                disc.into_store()
            }
            Mode::Restricted(disc) => disc.into_store(),
        }
    }

    /// A blank disc in Sequential recording over the same sectors (BLANK 000b and 001b),
    /// with the page 05h the drive holds.
    fn erase(&mut self) {
        let store = self.take_store();
        let mut disc = SequentialDisc::blank(&DVD_RW, store);
        // The page was valid when the host set it; a default page stays otherwise.
        let _ = disc.set_write_parameters(&self.write_parameters);
        self.mode = Mode::Sequential(Box::new(disc));
    }

    /// Starts a format that leaves `then`, erasing the disc (10h, 15h).
    fn start_format(&mut self, then: Area, duration: Duration, now: VirtualTime) -> Busy {
        let store = self.take_store();
        let disc = RestrictedOverwrite::formatting(store, now, duration, then);
        self.mode = Mode::Restricted(disc);
        Busy { duration }
    }

    /// FORMAT UNIT's descriptor checked against this disc: the format it starts.
    fn requested(&self, params: &FormatUnitParameters) -> MediumResult<Requested> {
        let d = &params.descriptor;
        // Parameter list bytes: 4-7 Number of Blocks, 8 type (bits 7-2) and sub-type
        // (bits 1-0), 9-11 type dependent parameter.
        // 00h carries the block length (MMC-6 6.5.4.2.1; libburn sends 800h), the DVD-RW
        // types the ECC block size; 0 is taken for either.
        let full = d.format_type == FormatType::FullFormat;
        let valid = [0, ECC_BLOCK, if full { SECTOR as u32 } else { 0 }];
        if !valid.contains(&d.type_dependent) {
            return Err(invalid_parameter(9, None));
        }
        if d.format_subtype != 0 {
            return Err(invalid_parameter(8, Some(1)));
        }
        let blocks = d.number_of_blocks;
        let too_many = || invalid_parameter(4, None);
        match d.format_type {
            FormatType::FullFormat | FormatType::CdRwDvdRwFullFormat => {
                if blocks == 0 || blocks > CAPACITY {
                    return Err(too_many());
                }
                Ok(Requested::Full(round_up(blocks).min(CAPACITY)))
            }
            FormatType::DvdRwQuick if blocks <= CAPACITY => {
                Ok(Requested::Quick(round_up(blocks).min(CAPACITY)))
            }
            FormatType::DvdRwQuick => Err(too_many()),
            FormatType::DvdRwQuickGrowLastSession if self.restricted_overwrite() => {
                Ok(Requested::Grow(blocks))
            }
            _ => Err(invalid_parameter(8, Some(7))),
        }
    }
}

/// A format FORMAT UNIT asks for.
enum Requested {
    /// 10h (or 00h) of this many sectors.
    Full(u32),
    /// 15h with this many sectors formatted.
    Quick(u32),
    /// 13h adding this many sectors.
    Grow(u32),
}

/// The saved state (JSON); see the module notes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    medium: String,
    version: u32,
    /// `sequential` or `restricted-overwrite`.
    mode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sequential: Option<serde_json::Value>,
    /// `formatted` or `intermediate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    written: Vec<(u64, u64)>,
}

/// The formats a DVD-RW in Sequential recording offers (MMC-6 6.24.3.3): 00h and 10h (full)
/// and 15h (quick) over the whole disc, with the ECC block size. libburn formats fully only
/// with 00h ("the most traditional and complete one", its cookbook), so drives offer it.
fn sequential_formats() -> Vec<FormattableCapacity> {
    [
        FormatType::FullFormat,
        FormatType::CdRwDvdRwFullFormat,
        FormatType::DvdRwQuick,
    ]
    .into_iter()
    .map(|format_type| FormattableCapacity {
        blocks: CAPACITY,
        format_type,
        type_dependent: type_dependent(format_type),
    })
    .collect()
}

/// The Type Dependent Parameter READ FORMAT CAPACITIES gives with `format_type` (MMC-6
/// 6.24.3.3): the block length for 00h, the ECC block size for the DVD-RW types.
fn type_dependent(format_type: FormatType) -> u32 {
    if format_type == FormatType::FullFormat {
        SECTOR as u32
    } else {
        ECC_BLOCK
    }
}

impl Medium for DvdRw {
    fn spec(&self) -> MediumSpec {
        match &self.mode {
            Mode::Sequential(disc) => disc.spec(),
            Mode::Restricted(_) => MediumSpec {
                profile: Profile::DvdRwRestrictedOverwrite,
                ..DVD_RW.spec
            },
        }
    }

    /// Erasable set in both modes (MMC-6 6.22.3.1.3: CD-RW, DVD-RW).
    fn disc_information(&self) -> DiscInformation {
        match &self.mode {
            Mode::Sequential(disc) => DiscInformation {
                erasable: true,
                ..disc.disc_information()
            },
            Mode::Restricted(disc) => disc.disc_information(),
        }
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        match &self.mode {
            Mode::Sequential(disc) => disc.track_information(address_type, address),
            Mode::Restricted(disc) => disc.track_information(address_type, address),
        }
    }

    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        match &self.mode {
            Mode::Sequential(disc) => disc.read_toc(cdb),
            Mode::Restricted(disc) => {
                let readable = disc.read_capacity().last_lba;
                let sectors = if readable > 0 { readable + 1 } else { 0 };
                single_track_toc(cdb, u64::from(sectors))
            }
        }
    }

    /// The DVD structures of a rewritable DVD-RW (book type 3, layer type bit 2), with the
    /// pre-recorded physical format (10h) as on DVD-R; no ADIP (that is DVD+RW's).
    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        _identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        let structures = Structures::Dvd {
            book: BookType::DvdRw,
            layer_type: 0b0100,
            sectors: u64::from(CAPACITY),
            adip: None,
            layers: None,
        };
        sequential::dvd_minus_read_disc_structure(cdb, |c| disc_structure::reply(c, structures))
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        match &self.mode {
            Mode::Sequential(disc) => disc.read_capacity(),
            Mode::Restricted(disc) => Ok(disc.read_capacity()),
        }
    }

    fn format_capacities(&self) -> FormatCapacities {
        match &self.mode {
            Mode::Sequential(disc) => FormatCapacities {
                formattable: sequential_formats(),
                ..disc.format_capacities()
            },
            Mode::Restricted(disc) => disc.format_capacities(),
        }
    }

    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        match &mut self.mode {
            Mode::Sequential(disc) => disc.read(lba, out),
            Mode::Restricted(disc) => disc.read(lba, out),
        }
    }

    fn write(
        &mut self,
        lba: i32,
        data: &[u8],
        streaming: bool,
        now: VirtualTime,
    ) -> MediumResult<()> {
        match &mut self.mode {
            Mode::Sequential(disc) => disc.write(lba, data, streaming, now),
            Mode::Restricted(disc) => disc.write(lba, data, now),
        }
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        match &mut self.mode {
            Mode::Sequential(disc) => disc.synchronize(),
            Mode::Restricted(disc) => disc.synchronize(),
        }
    }

    fn power_loss(&mut self) {
        self.write_parameters = default_page();
        match &mut self.mode {
            Mode::Sequential(disc) => disc.power_loss(),
            Mode::Restricted(disc) => disc.power_loss(),
        }
    }

    fn format(&mut self, params: &FormatUnitParameters, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        if let Some(progress) = self.blocking_format_progress() {
            return Err(MediumError::format_in_progress(progress));
        }
        match self.requested(params)? {
            Requested::Full(size) => Ok(self.start_format(
                Area::Formatted { size },
                erase_time(size.saturating_add(LEAD_OUT_SECTORS)),
                now,
            )),
            Requested::Quick(extent) => Ok(self.start_format(
                Area::Intermediate { extent },
                QUICK_FORMAT + erase_time(extent),
                now,
            )),
            Requested::Grow(blocks) => match &mut self.mode {
                Mode::Restricted(disc) => disc.quick_grow(blocks, now),
                Mode::Sequential(_) => Err(invalid_parameter(8, Some(7))),
            },
        }
    }

    fn close(&mut self, cdb: &CloseTrackSession, now: VirtualTime) -> MediumResult<Busy> {
        match &mut self.mode {
            Mode::Sequential(disc) => disc.close(cdb, now),
            Mode::Restricted(disc) => disc.close(cdb, now),
        }
    }

    fn blank(&mut self, cdb: &Blank, now: VirtualTime) -> MediumResult<Busy> {
        self.advance(now);
        if let Some(progress) = self.blocking_format_progress() {
            return Err(MediumError::format_in_progress(progress));
        }
        let duration = match (cdb.blanking_type, &mut self.mode) {
            (BlankingType::FullDisc, _) => {
                self.erase();
                erase_time(CAPACITY)
            }
            (BlankingType::Minimal, _) => {
                self.erase();
                MINIMAL_BLANK
            }
            (BlankingType::Session, Mode::Sequential(disc)) => {
                erase_time(disc.blank_last_session()?)
            }
            // Byte 1 bits 2-0: the blanking type.
            _ => return Err(invalid_cdb_field(1, Some(2))),
        };
        Ok(Busy { duration })
    }

    fn reserve_track(&mut self, cdb: &ReserveTrack) -> MediumResult<()> {
        match &mut self.mode {
            Mode::Sequential(disc) => disc.reserve_track(cdb),
            Mode::Restricted(_) => Err(triples::COMMAND_SEQUENCE_ERROR.into()),
        }
    }

    fn write_parameters(&self) -> Option<WriteParameters> {
        match &self.mode {
            Mode::Sequential(disc) => disc.write_parameters(),
            Mode::Restricted(_) => Some(self.write_parameters.clone()),
        }
    }

    /// In Restricted Overwrite page 05h does not steer the recording but is taken as on
    /// Sequential recording (growisofs sends it for profile 0013h too).
    fn set_write_parameters(&mut self, page: &WriteParameters) -> MediumResult<()> {
        match &mut self.mode {
            Mode::Sequential(disc) => disc.set_write_parameters(page),
            Mode::Restricted(_) => {
                self.write_parameters =
                    sequential::dvd_minus_validate(page, DvdMinus { incremental: true })?;
                Ok(())
            }
        }
    }

    fn advance(&mut self, now: VirtualTime) {
        if let Mode::Restricted(disc) = &mut self.mode {
            disc.advance(now);
        }
    }

    fn blocking_format_progress(&self) -> Option<u16> {
        match &self.mode {
            Mode::Sequential(_) => None,
            Mode::Restricted(disc) => disc.progress(),
        }
    }

    fn save_state(&self) -> serde_json::Value {
        let saved = match &self.mode {
            Mode::Sequential(disc) => Saved {
                medium: NAME.into(),
                version: 1,
                mode: "sequential".into(),
                sequential: Some(disc.save_state()),
                area: None,
                size: None,
                written: Vec::new(),
            },
            Mode::Restricted(disc) => {
                let (area, written) = disc.synced();
                let (name, size) = match area {
                    Area::Formatted { size } => ("formatted", size),
                    Area::Intermediate { extent } => ("intermediate", extent),
                };
                Saved {
                    medium: NAME.into(),
                    version: 1,
                    mode: "restricted-overwrite".into(),
                    sequential: None,
                    area: Some(name.into()),
                    size: Some(size),
                    written: written.ranges(),
                }
            }
        };
        serde_json::to_value(saved).unwrap_or(serde_json::Value::Null)
    }

    fn rmw_count(&self) -> u64 {
        match &self.mode {
            Mode::Sequential(disc) => disc.rmw_count(),
            Mode::Restricted(disc) => disc.rmw_count(),
        }
    }

    /// FORMAT UNIT can always format a DVD-RW (feature 0023h current).
    fn formattable(&self) -> bool {
        true
    }
}
