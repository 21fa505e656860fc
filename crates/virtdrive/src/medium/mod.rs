//! The disc in the drive: what each kind of medium answers, independent of the drive's own
//! state (tray, readiness, locks, faults), which lives in `crate::drive`.
//!
//! A [`Medium`] gets decoded, already-validated requests from the drive and answers with
//! mmc-core response types or with the sense a real disc would cause ([`MediumError`]). It
//! owns its [`SectorStore`](crate::store::SectorStore). Time-dependent behaviour (background
//! formatting) is driven by the drive calling [`Medium::advance`] with the virtual time.

use core::fmt;
use core::time::Duration;

use mmc_core::cdb::{Blank, CloseTrackSession, ReadTocPmaAtip, ReserveTrack};
use mmc_core::cdb::{ReadDiscStructure, SendDiscStructure, TrackAddressType};
use mmc_core::params::{FormatUnitParameters, WriteParameters};
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::{triples, SenseKeySpecific, SenseTriple};
use mmc_core::Profile;
use serde::{Deserialize, Serialize};

use crate::clock::VirtualTime;

pub mod cd_r;
pub(crate) mod cd_sector;
mod disc_structure;
mod dvd_plus_write_parameters;
pub mod dvd_rw;
mod identity;
pub mod overwritable;
mod recording;
pub mod rom;
pub mod sequential;

pub(crate) use disc_structure::{list_also, with_header, STRUCTURE_LIST};
pub use identity::MediaIdentity;

/// The sense a medium operation ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediumError {
    pub triple: SenseTriple,
    pub sks: Option<SenseKeySpecific>,
    /// The INFORMATION field (for example the LBA that failed), when meaningful.
    pub information: Option<u64>,
}

impl MediumError {
    pub const fn new(triple: SenseTriple) -> Self {
        MediumError {
            triple,
            sks: None,
            information: None,
        }
    }

    pub fn with_sks(mut self, sks: SenseKeySpecific) -> Self {
        self.sks = Some(sks);
        self
    }

    pub fn with_information(mut self, information: u64) -> Self {
        self.information = Some(information);
        self
    }

    /// 02/04/04, a format in progress, with how far it has got (1/65536) in the sense-key
    /// specific bytes (SPC-4 4.5.2.4.4), as a drive answers while it formats.
    pub fn format_in_progress(progress: u16) -> Self {
        Self::new(triples::FORMAT_IN_PROGRESS).with_sks(SenseKeySpecific::Progress(progress))
    }
}

impl From<SenseTriple> for MediumError {
    fn from(triple: SenseTriple) -> Self {
        MediumError::new(triple)
    }
}

impl fmt::Display for MediumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.triple,
            mmc_core::sense::asc_description(self.triple.asc, self.triple.ascq)
        )
    }
}

pub type MediumResult<T> = Result<T, MediumError>;

/// The kinds of disc the emulator can hold, as named in `virt:MEDIA[@FILE]`.
/// Serialized with the command-line names ([`MediumKind::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediumKind {
    /// CD-R, 74 minutes (333,000 sectors).
    #[serde(rename = "cd-r74")]
    CdR74,
    /// CD-R, 80 minutes (359,849 sectors).
    #[serde(rename = "cd-r", alias = "cd-r80")]
    CdR80,
    /// CD-RW, 74 minutes (as CD-R), erasable with BLANK.
    #[serde(rename = "cd-rw74")]
    CdRw74,
    /// CD-RW, 80 minutes (as CD-R), erasable with BLANK.
    #[serde(rename = "cd-rw", alias = "cd-rw80")]
    CdRw80,
    /// DVD+RW, single layer (2,295,104 sectors).
    #[serde(rename = "dvd+rw")]
    DvdPlusRw,
    /// BD-RE, single layer (12,219,392 sectors without spare areas).
    #[serde(rename = "bd-re")]
    BdRe,
    /// DVD+R, single layer (2,295,104 sectors), write-once, up to 153 sessions.
    #[serde(rename = "dvd+r")]
    DvdPlusR,
    /// BD-R, single layer, Sequential Recording Mode without spare areas (12,219,392
    /// sectors).
    #[serde(rename = "bd-r")]
    BdR,
    /// DVD+R DL, two layers (4,173,824 sectors), write-once, sessions as on DVD+R; the
    /// layer boundary can be set before the first write.
    #[serde(rename = "dvd+r-dl")]
    DvdPlusRDl,
    /// BD-R DL, two layers (24,438,784 sectors without spare areas).
    #[serde(rename = "bd-r-dl")]
    BdRDl,
    /// BD-R XL, three layers, 100 GB (48,878,592 sectors).
    #[serde(rename = "bd-r-xl")]
    BdRXl,
    /// BD-R XL, four layers, 128 GB (62,500,864 sectors).
    #[serde(rename = "bd-r-xl4")]
    BdRXl4,
    /// DVD-R, single layer (2,298,496 sectors), write-once: incremental (multi-session)
    /// or Disc-at-Once as page 05h chooses.
    #[serde(rename = "dvd-r")]
    DvdR,
    /// DVD-R DL in Sequential Recording (4,171,712 sectors over two layers), Disc-at-Once
    /// only.
    #[serde(rename = "dvd-r-dl")]
    DvdRDl,
    /// DVD-RW (2,298,496 sectors), sold blank in Sequential recording (profile 0014h, as a
    /// DVD-R); BLANK erases it, FORMAT UNIT makes it Restricted Overwrite (0013h).
    #[serde(rename = "dvd-rw")]
    DvdRw,
    /// DVD-RAM, 4.7 GB single side (2,236,704 sectors as sold, formatted with spare areas):
    /// random writable under the drive's defect management.
    #[serde(rename = "dvd-ram")]
    DvdRam,
    /// BD-RE DL, two layers (24,438,784 sectors without spare areas).
    #[serde(rename = "bd-re-dl")]
    BdReDl,
    /// BD-RE XL, three layers, 100 GB (48,878,592 sectors without spare areas).
    #[serde(rename = "bd-re-xl")]
    BdReXl,
    /// A pressed DVD-ROM: readable, never writable.
    #[serde(rename = "dvd-rom")]
    DvdRom,
    /// A disc the drive cannot identify.
    #[serde(rename = "unknown")]
    Unknown,
}

impl MediumKind {
    pub const ALL: [MediumKind; 20] = [
        MediumKind::CdR74,
        MediumKind::CdR80,
        MediumKind::CdRw74,
        MediumKind::CdRw80,
        MediumKind::DvdPlusRw,
        MediumKind::BdRe,
        MediumKind::DvdPlusR,
        MediumKind::BdR,
        MediumKind::DvdPlusRDl,
        MediumKind::BdRDl,
        MediumKind::BdRXl,
        MediumKind::BdRXl4,
        MediumKind::DvdR,
        MediumKind::DvdRDl,
        MediumKind::DvdRw,
        MediumKind::DvdRam,
        MediumKind::BdReDl,
        MediumKind::BdReXl,
        MediumKind::DvdRom,
        MediumKind::Unknown,
    ];

    /// The name used on the command line (`cd-r`, `cd-r74`, `cd-rw`, `cd-rw74`, `dvd+rw`,
    /// `bd-re`, `dvd+r`, `bd-r`, `dvd+r-dl`, `bd-r-dl`, `bd-r-xl`, `bd-r-xl4`, `dvd-r`,
    /// `dvd-r-dl`, `dvd-rw`, `dvd-ram`, `bd-re-dl`, `bd-re-xl`, `dvd-rom`, `unknown`).
    pub const fn name(self) -> &'static str {
        match self {
            MediumKind::CdR74 => "cd-r74",
            MediumKind::CdR80 => "cd-r",
            MediumKind::CdRw74 => "cd-rw74",
            MediumKind::CdRw80 => "cd-rw",
            MediumKind::DvdPlusRw => "dvd+rw",
            MediumKind::BdRe => "bd-re",
            MediumKind::DvdPlusR => "dvd+r",
            MediumKind::BdR => "bd-r",
            MediumKind::DvdPlusRDl => "dvd+r-dl",
            MediumKind::BdRDl => "bd-r-dl",
            MediumKind::BdRXl => "bd-r-xl",
            MediumKind::BdRXl4 => "bd-r-xl4",
            MediumKind::DvdR => "dvd-r",
            MediumKind::DvdRDl => "dvd-r-dl",
            MediumKind::DvdRw => "dvd-rw",
            MediumKind::DvdRam => "dvd-ram",
            MediumKind::BdReDl => "bd-re-dl",
            MediumKind::BdReXl => "bd-re-xl",
            MediumKind::DvdRom => "dvd-rom",
            MediumKind::Unknown => "unknown",
        }
    }

    /// Reads a command-line name; `cd-r` and `cd-rw` are the common 80-minute discs,
    /// `cd-r80` and `cd-rw80` aliases.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "cd-r" | "cd-r80" | "cdr" => MediumKind::CdR80,
            "cd-r74" => MediumKind::CdR74,
            "cd-rw" | "cd-rw80" | "cdrw" => MediumKind::CdRw80,
            "cd-rw74" => MediumKind::CdRw74,
            "dvd+rw" | "dvdplusrw" => MediumKind::DvdPlusRw,
            "bd-re" | "bdre" => MediumKind::BdRe,
            "dvd+r" | "dvdplusr" => MediumKind::DvdPlusR,
            "bd-r" | "bdr" => MediumKind::BdR,
            "dvd+r-dl" | "dvdplusrdl" => MediumKind::DvdPlusRDl,
            "bd-r-dl" | "bdrdl" => MediumKind::BdRDl,
            "bd-r-xl" | "bdrxl" => MediumKind::BdRXl,
            "bd-r-xl4" | "bdrxl4" => MediumKind::BdRXl4,
            "dvd-r" | "dvdr" => MediumKind::DvdR,
            "dvd-r-dl" | "dvd-rdl" => MediumKind::DvdRDl,
            "dvd-rw" | "dvdrw" => MediumKind::DvdRw,
            "dvd-ram" | "dvdram" => MediumKind::DvdRam,
            "bd-re-dl" | "bdredl" => MediumKind::BdReDl,
            "bd-re-xl" | "bdrexl" => MediumKind::BdReXl,
            "dvd-rom" | "dvdrom" => MediumKind::DvdRom,
            "unknown" => MediumKind::Unknown,
            _ => return None,
        })
    }
}

/// How long a command keeps the drive busy, when it runs on after GOOD (Immed) or takes
/// virtual time in the foreground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Busy {
    /// Virtual time the operation takes.
    pub duration: Duration,
}

/// What a medium is, whatever its state: one row of data per medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediumSpec {
    pub kind: MediumKind,
    /// The current profile (GET CONFIGURATION bytes 6-7).
    pub profile: Profile,
    /// Write speeds in kB/s, fastest first (GET PERFORMANCE type 03h); empty when the disc
    /// cannot be written.
    pub write_speeds: &'static [u32],
    /// Read speed in kB/s.
    pub read_speed: u32,
    /// Sectors per ECC block (1 on CD, 16 on DVD, 32 on BD).
    pub blocking: u32,
}

/// A disc and its recording rules.
pub trait Medium: fmt::Debug + Send {
    /// The medium's fixed facts; `kind`, `profile`, the speeds and `blocking` read them.
    fn spec(&self) -> MediumSpec;

    fn kind(&self) -> MediumKind {
        self.spec().kind
    }

    /// The current profile (GET CONFIGURATION bytes 6-7).
    fn profile(&self) -> Profile {
        self.spec().profile
    }

    /// READ DISC INFORMATION, standard data (type 000b).
    fn disc_information(&self) -> DiscInformation;

    /// READ TRACK INFORMATION for an LBA, a track number (FFh: the invisible track) or a
    /// session number.
    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation>;

    /// READ TOC/PMA/ATIP: the whole reply (the drive cuts it to the allocation length).
    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>>;

    /// READ DISC STRUCTURE: the whole reply; `identity` is who made the disc (the drive
    /// configuration's, or the medium's default), for the structures that carry it.
    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>>;

    /// READ CAPACITY: the last recorded LBA and the block length.
    fn read_capacity(&self) -> MediumResult<CapacityData>;

    /// READ FORMAT CAPACITIES.
    fn format_capacities(&self) -> FormatCapacities;

    /// Reads `out.len() / 2048` blocks starting at `lba`.
    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()>;

    /// Writes `data.len() / 2048` blocks starting at `lba` (WRITE(10), or WRITE(12) with
    /// `streaming` set).
    fn write(
        &mut self,
        lba: i32,
        data: &[u8],
        streaming: bool,
        now: VirtualTime,
    ) -> MediumResult<()>;

    /// SYNCHRONIZE CACHE: everything written becomes durable (the store commits).
    fn synchronize(&mut self) -> MediumResult<()>;

    /// Power loss: the disc reverts to its last synchronized state.
    fn power_loss(&mut self);

    /// FORMAT UNIT with its parameter list; returns how long the foreground part takes.
    fn format(&mut self, params: &FormatUnitParameters, now: VirtualTime) -> MediumResult<Busy>;

    /// CLOSE TRACK/SESSION; returns how long closing takes.
    fn close(&mut self, cdb: &CloseTrackSession, now: VirtualTime) -> MediumResult<Busy>;

    /// BLANK (MMC-6 6.2): erases all or part of an erasable disc (CD-RW, DVD-RW); returns how
    /// long blanking takes. A disc that cannot be blanked answers 05/30/06 CANNOT FORMAT
    /// MEDIUM - INCOMPATIBLE MEDIUM, the default.
    fn blank(&mut self, _cdb: &Blank, _now: VirtualTime) -> MediumResult<Busy> {
        Err(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM.into())
    }

    /// RESERVE TRACK. By default there is no track to reserve (an overwritable disc is one
    /// track; CD-R tracks are not reserved here): 05/2C/00 COMMAND SEQUENCE ERROR.
    fn reserve_track(&mut self, _cdb: &ReserveTrack) -> MediumResult<()> {
        Err(triples::COMMAND_SEQUENCE_ERROR.into())
    }

    /// SEND CUE SHEET (CD SAO): the cue sheet bytes. By default refused with 05/2C/00: cue
    /// sheets describe CD sessions.
    fn send_cue_sheet(&mut self, _sheet: &[u8]) -> MediumResult<()> {
        Err(triples::COMMAND_SEQUENCE_ERROR.into())
    }

    /// The Write Parameters mode page (05h) as the drive holds it with this medium; `None`
    /// (the default) where the drive reports no such page (BD and read-only media: MODE
    /// SENSE answers 05/24/00).
    fn write_parameters(&self) -> Option<WriteParameters> {
        None
    }

    /// MODE SELECT of page 05h. By default refused with 05/26/00 INVALID FIELD IN PARAMETER
    /// LIST: the drive reports no such page with this medium.
    fn set_write_parameters(&mut self, _page: &WriteParameters) -> MediumResult<()> {
        Err(triples::INVALID_FIELD_IN_PARAMETER_LIST.into())
    }

    /// SEND DISC STRUCTURE with its parameter list. By default refused with 05/24/00 on
    /// the format code (CDB byte 7): the disc takes no structure from the host.
    fn send_disc_structure(&mut self, _cdb: &SendDiscStructure, _list: &[u8]) -> MediumResult<()> {
        Err(overwritable::invalid_cdb_field(7, None))
    }

    /// Lets time-dependent work (a background format) progress to `now`.
    fn advance(&mut self, now: VirtualTime);

    /// While a format that blocks medium access runs (not a DVD+RW background format, which
    /// allows writes): its progress in 1/65536 for the 02/04/04 sense.
    fn blocking_format_progress(&self) -> Option<u16>;

    /// Write speeds the disc supports, in kB/s, fastest first (GET PERFORMANCE type 03h).
    fn write_speeds(&self) -> Vec<u32> {
        self.spec().write_speeds.to_vec()
    }

    /// Read speed in kB/s.
    fn read_speed(&self) -> u32 {
        self.spec().read_speed
    }

    /// Sectors per ECC block (1 on CD, 16 on DVD, 32 on BD).
    fn blocking(&self) -> u32 {
        self.spec().blocking
    }

    /// The medium's recording state as JSON, for saving the disc (data lives in the store).
    fn save_state(&self) -> serde_json::Value;

    /// The sense every access to the medium gets when the drive cannot use the disc at all
    /// (a disc of unknown format: 02/30/01). The drive checks it before READ DISC
    /// INFORMATION and every other command that needs the medium; `None` for usable discs.
    fn access_error(&self) -> Option<MediumError> {
        None
    }

    /// Writes so far that covered an ECC block only in part, each of which the drive had
    /// to read, merge and write back whole (read-modify-write); the speed model charges
    /// for them. 0 on media written in whole blocks.
    fn rmw_count(&self) -> u64 {
        0
    }

    /// True when the disc is formatted with defect management (BD-RE or BD-R with spare
    /// areas, DVD-RAM): the drive verifies after writing, which halves the effective write
    /// speed unless the host writes with the Streaming bit (WRITE(12)).
    fn defect_management_active(&self) -> bool {
        false
    }

    /// A fault plan marks `blocks` sectors from `lba` defective (`defective_sectors`). Media
    /// with spare areas replace them when written under defect management; the others
    /// ignore it (the default).
    fn damage_sectors(&mut self, _lba: u64, _blocks: u64) {}

    /// True when the disc is a BD-R formatted for Pseudo-OverWrite (SRM+POW): recorded
    /// sectors can be written again (feature 0038h current).
    fn pseudo_overwrite_active(&self) -> bool {
        false
    }

    /// True when FORMAT UNIT can format this write-once disc now (a blank BD-R): feature
    /// 0023h Formattable is current. The overwritable media are formattable whatever
    /// their state.
    fn formattable(&self) -> bool {
        false
    }
}

/// A blank disc of `kind` over `store` (DVD+RW and BD-RE unformatted, DVD-RAM formatted with
/// its default spare areas, as sold; BD-R in Sequential Recording Mode without spare areas).
pub fn blank(kind: MediumKind, store: Box<dyn crate::store::SectorStore>) -> Box<dyn Medium> {
    match kind {
        MediumKind::CdR74 => Box::new(cd_r::CdR::blank(cd_r::CdRSize::Minutes74, store)),
        MediumKind::CdR80 => Box::new(cd_r::CdR::blank(cd_r::CdRSize::Minutes80, store)),
        MediumKind::CdRw74 => Box::new(cd_r::CdR::blank_rw(cd_r::CdRSize::Minutes74, store)),
        MediumKind::CdRw80 => Box::new(cd_r::CdR::blank_rw(cd_r::CdRSize::Minutes80, store)),
        MediumKind::DvdPlusRw => Box::new(overwritable::DvdPlusRw::new(store)),
        MediumKind::BdRe => Box::new(overwritable::BdRe::new(store)),
        MediumKind::DvdPlusR => Box::new(sequential::SequentialDisc::blank(
            &sequential::DVD_PLUS_R,
            store,
        )),
        MediumKind::BdR => Box::new(sequential::SequentialDisc::blank(&sequential::BD_R, store)),
        MediumKind::DvdPlusRDl => layered(&sequential::DVD_PLUS_R_DL, store),
        MediumKind::BdRDl => layered(&sequential::BD_R_DL, store),
        MediumKind::BdRXl => layered(&sequential::BD_R_XL, store),
        MediumKind::BdRXl4 => layered(&sequential::BD_R_XL4, store),
        MediumKind::DvdR => Box::new(sequential::SequentialDisc::blank(&sequential::DVD_R, store)),
        MediumKind::DvdRDl => Box::new(sequential::SequentialDisc::blank(
            &sequential::DVD_R_DL,
            store,
        )),
        MediumKind::DvdRw => Box::new(dvd_rw::DvdRw::new(store)),
        MediumKind::DvdRam => Box::new(overwritable::DvdRam::new(store)),
        MediumKind::BdReDl => Box::new(overwritable::BdRe::blank(&overwritable::BD_RE_DL, store)),
        MediumKind::BdReXl => Box::new(overwritable::BdRe::blank(&overwritable::BD_RE_XL, store)),
        MediumKind::DvdRom => Box::new(rom::DvdRom::new(store)),
        MediumKind::Unknown => Box::new(rom::UnknownDisc::new()),
    }
}

/// A blank write-once disc of more than one layer.
fn layered(
    geometry: &'static sequential::SequentialMedium,
    store: Box<dyn crate::store::SectorStore>,
) -> Box<dyn Medium> {
    Box::new(sequential::SequentialDisc::blank(geometry, store))
}

/// Why a saved disc state could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LoadError(String);

/// A disc of `kind` in the state `Medium::save_state` described, with its data in `store`.
pub fn load(
    kind: MediumKind,
    state: &serde_json::Value,
    store: Box<dyn crate::store::SectorStore>,
) -> Result<Box<dyn Medium>, LoadError> {
    let err = |e: &dyn fmt::Display| LoadError(e.to_string());
    let layered = |geometry, store| {
        sequential::SequentialDisc::load_state(geometry, state, store).map_err(|e| err(&e))
    };
    Ok(match kind {
        MediumKind::CdR74 | MediumKind::CdR80 | MediumKind::CdRw74 | MediumKind::CdRw80 => {
            let disc = cd_r::CdR::load_state(state, store).map_err(|e| err(&e))?;
            if disc.kind() != kind {
                return Err(LoadError(format!(
                    "the saved disc is a {}, not a {}",
                    disc.kind().name(),
                    kind.name()
                )));
            }
            Box::new(disc)
        }
        MediumKind::DvdPlusRw => {
            Box::new(overwritable::DvdPlusRw::load_state(state, store).map_err(|e| err(&e))?)
        }
        MediumKind::BdRe => {
            Box::new(overwritable::BdRe::load_state(state, store).map_err(|e| err(&e))?)
        }
        MediumKind::DvdPlusR => Box::new(
            sequential::SequentialDisc::load_state(&sequential::DVD_PLUS_R, state, store)
                .map_err(|e| err(&e))?,
        ),
        MediumKind::BdR => Box::new(
            sequential::SequentialDisc::load_state(&sequential::BD_R, state, store)
                .map_err(|e| err(&e))?,
        ),
        MediumKind::DvdPlusRDl => Box::new(layered(&sequential::DVD_PLUS_R_DL, store)?),
        MediumKind::BdRDl => Box::new(layered(&sequential::BD_R_DL, store)?),
        MediumKind::BdRXl => Box::new(layered(&sequential::BD_R_XL, store)?),
        MediumKind::BdRXl4 => Box::new(layered(&sequential::BD_R_XL4, store)?),
        MediumKind::DvdR => Box::new(
            sequential::SequentialDisc::load_state(&sequential::DVD_R, state, store)
                .map_err(|e| err(&e))?,
        ),
        MediumKind::DvdRDl => Box::new(
            sequential::SequentialDisc::load_state(&sequential::DVD_R_DL, state, store)
                .map_err(|e| err(&e))?,
        ),
        MediumKind::DvdRw => {
            Box::new(dvd_rw::DvdRw::load_state(state, store).map_err(|e| err(&e))?)
        }
        MediumKind::DvdRam => {
            Box::new(overwritable::DvdRam::load_state(state, store).map_err(|e| err(&e))?)
        }
        MediumKind::BdReDl | MediumKind::BdReXl => {
            let geometry = if kind == MediumKind::BdReDl {
                &overwritable::BD_RE_DL
            } else {
                &overwritable::BD_RE_XL
            };
            Box::new(overwritable::BdRe::load(geometry, state, store).map_err(|e| err(&e))?)
        }
        MediumKind::DvdRom => Box::new(rom::DvdRom::load_state(state, store).map_err(|e| err(&e))?),
        MediumKind::Unknown => Box::new(rom::UnknownDisc::load_state(state).map_err(|e| err(&e))?),
    })
}
