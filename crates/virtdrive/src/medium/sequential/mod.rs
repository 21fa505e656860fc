//! Write-once DVD and BD media recorded session by session: DVD+R (`dvd_plus_r`, profile
//! 001Bh), DVD+R DL (`dvd_plus_r_dl`, 002Bh) and BD-R in Sequential Recording Mode (`bd_r`,
//! 0041h; two to four layers in `bd_r_layers`), recorded without write parameters, and DVD-R
//! and DVD-R DL (`dvd_minus_r`, 0011h and 0015h), which follow page 05h, as a DVD-RW in
//! Sequential recording does (0014h, `medium::dvd_rw`). They share the same
//! rules (libburn's BD-R cookbook: "very similar to DVD+R"), so one [`SequentialDisc`] serves
//! all, with the medium's [`SequentialMedium`]; what page 05h adds on DVD-R (Disc-at-Once,
//! test writes, Multi-session) is in `dvd_minus_r`.
//!
//! Sessions, tracks, the next writable address and the disc and track information are the
//! shared recording model (`medium::recording`); here are what only these media do
//! (reservations, the closing functions, the TOC they make up in `toc`) and the saved
//! state (`state`).
//!
//! # Recording
//!
//! - **WRITE** (10 or 12) only at the next writable address of the open track, or of the
//!   invisible track when none is open (READ TRACK INFORMATION, track FFh), else 05/21/02
//!   INVALID ADDRESS FOR WRITE with the LBA; past the room left (the end of the disc, or of
//!   a reservation), 05/63/00 END OF USER AREA ENCOUNTERED ON THIS TRACK. The first write
//!   to the invisible track opens a track, and a session when every session was closed.
//!   Mode page 05h does not steer the recording (MMC-6 7.5): on DVD+R MODE SENSE reports
//!   it and MODE SELECT takes the DVD write types (`medium::dvd_plus_write_parameters`), as
//!   growisofs needs; on BD-R MODE SENSE/SELECT of it get 05/24/00 and 05/26/00. On DVD-R
//!   it does: Incremental or Disc-at-Once, test writes, Multi-session (`dvd_minus_r`).
//! - **SYNCHRONIZE CACHE** pads the open track's partly written ECC block with zeros, so the
//!   next writable address moves to the next block; the store commits.
//! - **RESERVE TRACK** (size, or the LBA that ends it) reserves whole ECC blocks for the
//!   next track at the next writable address, when no track is open (else 05/2C/00); a size
//!   of 0 or beyond the free space is 05/24/00 on the size field. The reserved track is
//!   written and closed before another track starts; closing it pads it to its size with
//!   zeros (Pioneer R11, CLOSE 001b on +R).
//! - **CLOSE TRACK** (001b) of the open track (its number or FFh) pads and closes it; of a
//!   closed track or the empty invisible track it does nothing (Pioneer R11: "the Fragment
//!   ... is blank ... GOOD status").
//! - **CLOSE SESSION** (010b) closes the open session and keeps the disc appendable (on
//!   DVD-R: with page 05h Multi-session 11b in Incremental mode), unless it was the last
//!   session the disc holds or the room left could not hold another, which finalizes the
//!   disc (Pioneer R11 for +R DL, applied here to every medium). With a track
//!   still open: 05/72/03 SESSION FIXATION ERROR - INCOMPLETE TRACK IN SESSION (Pioneer
//!   R11); with no open session (blank or appendable disc): 05/2C/00, as on the CD-R.
//! - **Finalizing** (the medium's functions: DVD+R 101b and 110b, BD-R 110b; DVD-R has none
//!   but CLOSE SESSION without Multi-session 11b) closes the
//!   open session and the disc: no more writes, no invisible track (READ TRACK
//!   INFORMATION of FFh gets 05/24/00). On an appendable disc it finalizes without a new
//!   session; on a blank disc, with a track still open or on a complete disc: as above.
//!   DVD+R's 101b ("with minimal radius") first pads a data zone ending inside the minimal
//!   radius with zero sectors up to it, in the last track (see `dvd_plus_r`).
//!   Other functions are 05/24/00 on CDB byte 2.
//! - Closing and flushing reach the disc: the recording state at that moment is what a
//!   power loss returns to.
//!
//! # Reading
//!
//! Recorded sectors read back (those of the open track too); any other LBA gets 05/21/00
//! LBA OUT OF RANGE with the first such LBA. READ CAPACITY gives the last sector of the
//! last closed session, 0 while there is none (Pioneer R11 4.17: "has no Complete Session
//! ... set to zero"). READ FORMAT CAPACITIES: the current descriptor, "unformatted or blank"
//! with the disc's size on a blank disc, "formatted" with the user capacity on a BD-R
//! formatted with spare areas and nothing recorded, else "formatted" with the sectors
//! recorded; a blank, unformatted BD-R adds its formattable descriptors.
//!
//! # Formatting
//!
//! FORMAT UNIT on a blank BD-R gives it spare areas (`bd_r_format`): the disc then ends
//! where they leave it (READ DISC INFORMATION, READ TRACK INFORMATION) and defect
//! management is on. On DVD+R and DVD-R FORMAT UNIT is 05/30/06; BLANK and SEND CUE SHEET are not
//! for these media: 05/30/06 and 05/2C/00.
//!
//! SEND DISC STRUCTURE 20h on a blank DVD+R DL moves its layer boundary (`layers`); other
//! media, and other structures, answer it with 05/24/00 on the format code.

mod bd_r;
mod bd_r_format;
mod bd_r_layers;
mod dvd_minus_r;
mod dvd_plus_r;
mod dvd_plus_r_dl;
mod geometry;
mod layers;
mod state;
mod toc;

pub use bd_r::{BD_R, BD_R_CLUSTER, BD_R_SECTORS, BD_R_WRITE_SPEEDS};
pub use bd_r_layers::{
    BD_R_DL, BD_R_DL_SECTORS, BD_R_XL, BD_R_XL4, BD_R_XL4_SECTORS, BD_R_XL_SECTORS,
    BD_R_XL_WRITE_SPEEDS,
};
pub(crate) use dvd_minus_r::{
    default_page as dvd_minus_default_page, read_disc_structure as dvd_minus_read_disc_structure,
    validate as dvd_minus_validate,
};
pub use dvd_minus_r::{
    DVD_R, DVD_RW, DVD_RW_WRITE_SPEEDS, DVD_R_DL, DVD_R_DL_SECTORS, DVD_R_DL_WRITE_SPEEDS,
    DVD_R_FIRST_BORDER, DVD_R_LATER_BORDER, DVD_R_SECTORS, DVD_R_WRITE_SPEEDS,
};
pub use dvd_plus_r::{
    DVD_PLUS_R, DVD_PLUS_R_CLOSURE, DVD_PLUS_R_ECC_BLOCK, DVD_PLUS_R_INTRO,
    DVD_PLUS_R_MINIMAL_RADIUS_END, DVD_PLUS_R_SECTORS, DVD_PLUS_R_WRITE_SPEEDS,
};
pub use dvd_plus_r_dl::{
    DVD_PLUS_R_DL, DVD_PLUS_R_DL_LAYER0, DVD_PLUS_R_DL_SECTORS, DVD_PLUS_R_DL_WRITE_SPEEDS,
};
pub use geometry::{DvdMinus, Layers, MinimalRadius, SequentialMedium, StructureFamily};

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, ReadDiscStructure, ReadTocPmaAtip, Reservation, ReserveTrack,
    SendDiscStructure, TrackAddressType,
};
use mmc_core::params::{FormatUnitParameters, WriteParameters};
use mmc_core::response::capacity::{CapacityDescriptorType, CurrentCapacity};
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::triples;

use self::bd_r_format::SpareFormat;
use crate::clock::VirtualTime;
use crate::medium::disc_structure::{self, Structures};
use crate::medium::dvd_plus_write_parameters;
use crate::medium::overwritable::{invalid_cdb_field, lba_out_of_range, store_error, StateError};
use crate::medium::recording::{self, DiscState, Layout, RecordingGeometry};
use crate::medium::MediaIdentity;
use crate::medium::{Busy, Medium, MediumError, MediumResult, MediumSpec};
use crate::store::{SectorStore, SECTOR};

/// Sessions and tracks of a DVD+R or BD-R: nothing is medium-specific in a track or in how
/// a session closed.
pub(crate) type SequentialLayout = Layout<(), ()>;

/// A DVD+R or BD-R.
#[derive(Debug)]
pub struct SequentialDisc {
    geometry: &'static SequentialMedium,
    /// The medium's recording geometry, ending where the spare areas leave the user data
    /// area once the disc is formatted.
    recording: RecordingGeometry,
    /// The spare areas FORMAT UNIT gave (BD-R); recorded on the disc at once, so a power
    /// loss keeps them.
    format: Option<SpareFormat>,
    /// The L0 data zone capacity SEND DISC STRUCTURE set (DVD+R DL), `None` while it is
    /// the blank disc's; kept like the format.
    layer0: Option<u32>,
    disc: SequentialLayout,
    /// The disc as of the last flush: what a power loss returns to.
    synced: SequentialLayout,
    store: Box<dyn SectorStore>,
    /// Page 05h as the host last set it, where the medium has one (DVD+R, DVD-R); the
    /// drive's memory, not the disc's.
    write_parameters: Option<WriteParameters>,
    /// While a DVD-R test write runs: the disc as recorded, `disc` being the simulated
    /// recording (`dvd_minus_r`).
    recorded: Option<SequentialLayout>,
}

/// Whole 2048-byte sectors in a buffer (the drive sizes buffers from the transfer length).
fn whole_sectors(len: usize) -> MediumResult<u32> {
    if len % SECTOR != 0 {
        return Err(invalid_cdb_field(7, None));
    }
    u32::try_from(len / SECTOR).map_err(|_| invalid_cdb_field(7, None))
}

/// The recording geometry of a disc with these spare areas, or this L0 data zone capacity
/// (the disc then holds twice it: see `dvd_plus_r_dl`).
fn recording_of(
    geometry: &SequentialMedium,
    format: Option<SpareFormat>,
    layer0: Option<u32>,
) -> RecordingGeometry {
    let mut recording = geometry.recording;
    if let Some(f) = format {
        recording.capacity = f.user_sectors(bd_r_format::spare_sizes(geometry));
    }
    if let Some(l0) = layer0 {
        recording.capacity = l0.saturating_mul(2);
    }
    recording
}

/// Page 05h before any MODE SELECT, on the media that report it.
fn default_write_parameters(geometry: &SequentialMedium) -> Option<WriteParameters> {
    match geometry.dvd_minus {
        Some(rules) => Some(dvd_minus_r::default_page(rules)),
        None => geometry
            .write_parameters_page
            .then(dvd_plus_write_parameters::default_page),
    }
}

impl SequentialDisc {
    /// A blank disc of the medium `geometry` describes ([`DVD_PLUS_R`], [`BD_R`]).
    pub fn blank(geometry: &'static SequentialMedium, store: Box<dyn SectorStore>) -> Self {
        SequentialDisc {
            geometry,
            recording: geometry.recording,
            format: None,
            layer0: None,
            disc: SequentialLayout::blank(),
            synced: SequentialLayout::blank(),
            store,
            write_parameters: default_write_parameters(geometry),
            recorded: None,
        }
    }

    /// The disc [`Medium::save_state`] described, over the store holding its sectors.
    pub fn load_state(
        geometry: &'static SequentialMedium,
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, StateError> {
        let (disc, format, layer0) = state::load(value, geometry)?;
        Ok(SequentialDisc {
            geometry,
            recording: recording_of(geometry, format, layer0),
            format,
            layer0,
            synced: disc.clone(),
            disc,
            store,
            write_parameters: default_write_parameters(geometry),
            recorded: None,
        })
    }

    pub fn geometry(&self) -> &'static SequentialMedium {
        self.geometry
    }

    pub fn store(&self) -> &dyn SectorStore {
        self.store.as_ref()
    }

    /// Pads the open track (to its block, or to its reservation when `closing`); returns
    /// the sectors padded.
    ///
    /// The padding is not written to the store: it lies at and past the next writable
    /// address, where nothing was ever stored (a power loss drops what was not synchronized),
    /// and never-written sectors read as zeros. A reservation of the whole disc closed after
    /// one block would otherwise store 25 GB of zeros.
    fn pad_open_track(&mut self, closing: bool) -> MediumResult<u32> {
        let Some((_, pad)) = self.disc.padding(&self.recording, closing) else {
            return Ok(0);
        };
        self.disc.pad(pad);
        Ok(pad)
    }

    /// The cache reaches the disc: the store commits and this state survives a power loss
    /// (a simulated recording never reaches it).
    fn commit(&mut self) -> MediumResult<()> {
        self.store.commit().map_err(|e| store_error(&e, false))?;
        if !self.testing() {
            self.synced = self.disc.clone();
        }
        Ok(())
    }

    fn close_track(&mut self, number: u16) -> MediumResult<Busy> {
        if self.disc.finalized {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        let open = self.disc.open_track.as_ref().map(|t| t.number);
        let invisible = self.disc.invisible_track(&self.recording).map(|t| t.number);
        let known = number == 0xFF
            || Some(number) == open
            || Some(number) == invisible
            || (1..=self.disc.last_track_number()).contains(&number);
        if !known {
            // Bytes 4-5: the track number.
            return Err(invalid_cdb_field(4, None));
        }
        let closes_open = open.is_some() && (number == 0xFF || Some(number) == open);
        if !closes_open {
            return Ok(Busy::default());
        }
        let padded = self.pad_open_track(true)?;
        self.disc.close_track(&self.recording);
        self.commit()?;
        Ok(Busy {
            duration: self.geometry.recording_time(padded),
        })
    }

    /// Closes the open session (or, finalizing, an appendable disc); a finalization with
    /// minimal radius pads the last track out to `pad_to`.
    fn close_session(&mut self, finalize: bool, pad_to: Option<u32>) -> MediumResult<Busy> {
        let g = self.geometry;
        // The drive does not close an open track for the host: "If not all Fragments in the
        // last Session are closed" close function 010b ends in 05/72/03 SESSION FIXATION
        // ERROR - INCOMPLETE TRACK IN SESSION (Pioneer R11 command reference 4.2, +R DL; the
        // same for DVD-R borders). wodim's DVD-R driver, which sends CLOSE SESSION without
        // CLOSE TRACK on DVD+R, gets this from such a drive too.
        if self.disc.open_track.is_some() {
            return Err(triples::INCOMPLETE_TRACK_IN_SESSION.into());
        }
        let rec = &self.recording;
        let recorded = match self.disc.state() {
            DiscState::OpenSession => {
                let finalize = finalize
                    || !self.session_keeps_disc_open()
                    || !self.disc.room_after_closing(rec);
                self.disc
                    .close_session(rec, (), finalize)
                    .ok_or(triples::COMMAND_SEQUENCE_ERROR)?
            }
            DiscState::Appendable if finalize => 0,
            _ => return Err(triples::COMMAND_SEQUENCE_ERROR.into()),
        };
        let lead_out = if finalize || self.disc.finalized {
            self.disc.finalized = true;
            let padded = pad_to.map_or(0, |end| self.disc.extend_last_track_to(end.into()));
            rec.finalize_sectors.saturating_add(padded)
        } else {
            0
        };
        self.commit()?;
        self.end_simulated_session();
        Ok(Busy {
            duration: g.recording_time(recorded.saturating_add(lead_out)),
        })
    }

    /// Nothing is recorded or reserved yet.
    fn untouched(&self) -> bool {
        self.disc.state() == DiscState::Blank && self.disc.open_track.is_none()
    }

    /// The size a RESERVE TRACK asks for at `nwa`, or the field that is wrong.
    fn reservation_size(&self, cdb: &ReserveTrack, nwa: i64, free: u32) -> MediumResult<u32> {
        if cdb.rmz {
            // Byte 1 bit 1: an RMZ is an HD DVD-R structure.
            return Err(invalid_cdb_field(1, Some(1)));
        }
        let (size, field) = match cdb.reservation {
            Reservation::Size(blocks) => (Some(blocks), 5),
            // ARSV: bytes 2-5 hold the first LBA after the reservation.
            Reservation::Lba(end) => {
                let size = i64::from(end).checked_sub(nwa).filter(|&s| s >= 0);
                (size.and_then(|s| u32::try_from(s).ok()), 2)
            }
        };
        let size = size
            .filter(|&s| s > 0)
            .map(|s| self.recording.round_up(s))
            .filter(|&s| s <= free)
            .ok_or_else(|| invalid_cdb_field(field, None))?;
        Ok(size)
    }
}

impl Medium for SequentialDisc {
    fn spec(&self) -> MediumSpec {
        self.geometry.spec
    }

    fn disc_information(&self) -> DiscInformation {
        recording::disc_information(self.as_recorded(), &self.recording)
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        // Track Mode 4 and Data Mode 1: data, 2048-byte blocks.
        let mode = |_: Option<&()>| (4, 1);
        let g = &self.recording;
        recording::track_information(&self.disc, g, address_type, address, mode)
    }

    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        toc::read_toc(self.as_recorded(), cdb)
    }

    fn read_disc_structure(
        &self,
        cdb: &ReadDiscStructure,
        identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        let structures = match self.geometry.structures {
            // Layer type bit 1: recordable.
            StructureFamily::Dvd(book) => Structures::Dvd {
                book,
                layer_type: 0b0010,
                sectors: u64::from(self.recording.capacity),
                // A DVD-R carries its maker in the pre-pits (format 0Eh), not in an ADIP.
                adip: identity.filter(|_| self.geometry.dvd_minus.is_none()),
                layers: self.dvd_layers(),
            },
            StructureFamily::Bd => Structures::Bd {
                disc_type: b"BDR",
                identity,
                layers: self.geometry.layers.count,
            },
        };
        let answer = |cdb: &ReadDiscStructure| disc_structure::reply(cdb, structures);
        match self.geometry.dvd_minus {
            Some(_) => dvd_minus_r::read_disc_structure(cdb, answer),
            None => answer(cdb),
        }
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        let end = self
            .as_recorded()
            .closed_sessions()
            .last()
            .map_or(0, |(_, s)| s.end());
        Ok(CapacityData {
            last_lba: recording::lba_field((end - 1).max(0)),
            block_length: SECTOR as u32,
        })
    }

    fn format_capacities(&self) -> FormatCapacities {
        let disc = self.as_recorded();
        let blank = disc.state() == DiscState::Blank;
        let current = if blank && self.format.is_none() {
            CurrentCapacity {
                blocks: self.recording.capacity,
                descriptor_type: CapacityDescriptorType::Unformatted,
                block_length: SECTOR as u32,
            }
        } else if blank {
            // Formatted with spare areas, nothing recorded yet: the user capacity.
            CurrentCapacity {
                blocks: self.recording.capacity,
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: SECTOR as u32,
            }
        } else {
            let recorded = disc.tracks().map(|(_, t)| t.data_end()).max();
            CurrentCapacity {
                blocks: recorded.map_or(0, recording::lba_field),
                descriptor_type: CapacityDescriptorType::Formatted,
                block_length: SECTOR as u32,
            }
        };
        let formattable = if self.can_format() {
            bd_r_format::formattable(bd_r_format::spare_sizes(self.geometry))
        } else {
            Vec::new()
        };
        FormatCapacities {
            current,
            formattable,
            cut_bytes: 0,
        }
    }

    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        let blocks = whole_sectors(out.len())?;
        let first = u32::try_from(lba).map_err(|_| lba_out_of_range(lba))?;
        if let Some(at) = self.as_recorded().first_unreadable(lba.into(), blocks) {
            return Err(MediumError::new(triples::LBA_OUT_OF_RANGE)
                .with_information(u64::try_from(at).unwrap_or(0)));
        }
        if blocks == 0 {
            return Ok(());
        }
        self.store
            .read(u64::from(first), out)
            .map_err(|e| store_error(&e, true))
    }

    fn write(
        &mut self,
        lba: i32,
        data: &[u8],
        _streaming: bool,
        _now: VirtualTime,
    ) -> MediumResult<()> {
        let blocks = whole_sectors(data.len())?;
        if blocks == 0 {
            // SBC: a transfer length of zero transfers nothing and is not an error.
            return Ok(());
        }
        if self.pseudo_overwrite(lba.into(), blocks)? {
            return self
                .store
                .write(u64::from(u32::try_from(lba).unwrap_or(0)), data)
                .map_err(|e| store_error(&e, false));
        }
        self.check_disc_at_once_write()?;
        let next = self
            .disc
            .write_target(&self.recording, lba.into(), blocks)?;
        let at = u64::try_from(next.next_writable_address()).unwrap_or(0);
        if !self.testing() {
            self.store
                .write(at, data)
                .map_err(|e| store_error(&e, false))?;
        }
        self.disc.record(&next, blocks, ());
        Ok(())
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        self.pad_open_track(false)?;
        let completed = self.complete_disc_at_once();
        self.commit()?;
        if completed {
            self.end_simulated_session();
        }
        Ok(())
    }

    fn power_loss(&mut self) {
        self.store.discard_uncommitted();
        self.recorded = None;
        self.disc = self.synced.clone();
        self.write_parameters = default_write_parameters(self.geometry);
    }

    fn write_parameters(&self) -> Option<WriteParameters> {
        self.write_parameters.clone()
    }

    fn set_write_parameters(&mut self, page: &WriteParameters) -> MediumResult<()> {
        if self.write_parameters.is_none() {
            return Err(triples::INVALID_FIELD_IN_PARAMETER_LIST.into());
        }
        let page = match self.geometry.dvd_minus {
            Some(rules) => dvd_minus_r::validate(page, rules)?,
            None => dvd_plus_write_parameters::validate(page)?,
        };
        if self.geometry.dvd_minus.is_some() {
            self.set_test_write(page.test_write);
        }
        self.write_parameters = Some(page);
        Ok(())
    }

    fn format(&mut self, params: &FormatUnitParameters, _now: VirtualTime) -> MediumResult<Busy> {
        if !self.geometry.formattable {
            return Err(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM.into());
        }
        let format = SpareFormat::requested(params, bd_r_format::spare_sizes(self.geometry))?;
        if !self.can_format() {
            return Err(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM.into());
        }
        self.format = Some(format);
        self.recording = recording_of(self.geometry, self.format, self.layer0);
        self.commit()?;
        Ok(Busy::default())
    }

    fn close(&mut self, cdb: &CloseTrackSession, _now: VirtualTime) -> MediumResult<Busy> {
        let function = cdb.function;
        if function == CloseFunction::CloseTrack {
            return self.close_track(cdb.track_number);
        }
        let finalize = self.geometry.finalizes(function);
        if function != CloseFunction::CloseSession && !finalize {
            // Byte 2 bits 2-0: a function of another medium.
            return Err(invalid_cdb_field(2, Some(2)));
        }
        if self.disc.finalized {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        // On a DVD+R DL the minimal radius is reached in layer 0: the padding stops where
        // layer 0 ends, the Middle Zone (not user data) going on to that radius.
        let layer0_end = self.dvd_layers().map(|l| l.layer0);
        let pad_to = self
            .geometry
            .pads_to(function)
            .map(|end| layer0_end.map_or(end, |l0| end.min(l0)));
        self.close_session(finalize, pad_to)
    }

    fn reserve_track(&mut self, cdb: &ReserveTrack) -> MediumResult<()> {
        if self.disc.open_track.is_some() {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        self.check_disc_at_once_reservation()?;
        let Some(next) = self.disc.writable_track(&self.recording) else {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        };
        let size = self.reservation_size(cdb, next.start, next.free)?;
        self.disc.reserve(&next, size, ());
        Ok(())
    }

    fn send_disc_structure(&mut self, cdb: &SendDiscStructure, list: &[u8]) -> MediumResult<()> {
        self.receive_structure(cdb, list)
    }

    fn advance(&mut self, _now: VirtualTime) {}

    fn blocking_format_progress(&self) -> Option<u16> {
        None
    }

    /// The disc as of the last flush (what the committed store holds).
    fn save_state(&self) -> serde_json::Value {
        state::save(&self.synced, self.geometry, self.format, self.layer0)
    }

    fn defect_management_active(&self) -> bool {
        self.format.is_some()
    }

    fn pseudo_overwrite_active(&self) -> bool {
        self.format.is_some_and(|f| f.pow)
    }

    fn formattable(&self) -> bool {
        self.can_format()
    }
}
