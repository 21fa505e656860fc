//! A CD-R, 74 or 80 minutes, as cdrecord, libburn and IMAPI see it through a writer
//! (profile 0009h), and the CD-RW (profile 000Ah), which records by the same rules and is
//! erased with BLANK (`rewritable`).
//!
//! Sessions, tracks and next writable addresses are the shared recording model
//! (`medium::recording`), with the CD's numbers (pre-gaps, run-out, lead-in and lead-out) and
//! what it records per track and session in `layout`; here and beside it is what only a CD
//! does: `toc` (READ TOC/PMA/ATIP), `cue_sheet` (SAO), the page 05h rules in
//! `write_parameters`, the saved state in [`state`].
//!
//! # Recording
//!
//! - **TAO** (Write Type 1): WRITE only at the next writable address of the invisible track
//!   (READ TRACK INFORMATION, track FFh), else 05/21/02 INVALID ADDRESS FOR WRITE; a write
//!   running past the room left (the lead-out limit minus the 2 run-out blocks) gets
//!   05/63/00 END OF USER AREA ENCOUNTERED ON THIS TRACK. The track grows as it is written.
//! - **Closing a track**: CLOSE TRACK (function 001b, track FFh or the open track's number)
//!   or SYNCHRONIZE CACHE ends the open track; libburn relies on SYNCHRONIZE CACHE alone since
//!   0.7.4 (its cookbook). A track shorter than 300 blocks is padded with zero blocks to 300,
//!   as drives do; the 2 run-out blocks follow. CLOSE TRACK when no track is open (already
//!   closed by SYNCHRONIZE CACHE, or nothing written) is accepted and does nothing.
//! - **Closing a session** (function 010b) closes an open track first, then follows page 05h
//!   Multi-session: 11b leaves the disc appendable; 01b and 00b make it complete (B0 =
//!   FF:FF:FF, or no B0). With 11b but no room for another session (its first track at the
//!   lead-out + 11,400 / 6,900 could not hold 300 blocks and the run-out) or no track number
//!   left, the session is closed as 01b: the disc becomes complete, refusing to append.
//!   CLOSE SESSION with no open session (blank disc, empty appendable session, complete disc)
//!   is 05/2C/00 COMMAND SEQUENCE ERROR: nothing can be closed.
//! - **A complete disc** has no invisible track: WRITE gets 05/21/02, READ TRACK
//!   INFORMATION of track FFh 05/24/00.
//! - **SAO** (Write Type 2): SEND CUE SHEET only on a blank disc and with write type SAO
//!   (else 05/2C/00); the host writes from LBA -150 (track 1's pre-gap) sequentially; a
//!   WRITE in SAO mode without a cue sheet is 05/2C/00. The session closes at the
//!   SYNCHRONIZE CACHE (or CLOSE SESSION) that follows the last block the sheet describes,
//!   per Multi-session as above. Until then the disc reports blank and nothing reads back.
//! - Closing (and SYNCHRONIZE CACHE) flushes the drive's cache: the store commits, and the
//!   recording state at that moment is what a power loss returns to.
//! - **Test write** (page 05h Test Write): the whole recording runs with the laser off and
//!   the disc stays as it was (`test_write`).
//!
//! # Reading
//!
//! Written user data reads back (an open track's too). Run-out, pre-gap, link, lead-in,
//! lead-out and unwritten blocks give 05/64/00 ILLEGAL MODE FOR THIS TRACK; addresses before
//! the ATIP lead-in start or at or past the lead-out limit give 05/21/00.
//!
//! READ CAPACITY reports the last block of the last recorded track *including* its 2
//! run-out blocks, the "2 blocks too high" many drives report for TAO CDs (libburn mmc.c);
//! 0 on a disc with no recorded track (the value the Microsoft sample treats as empty).
//!
//! # Other commands
//!
//! FORMAT UNIT: 05/30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM. RESERVE TRACK: track
//! reservation on CD-R is not modelled, 05/2C/00. READ DISC STRUCTURE: 05/30/02 CANNOT READ
//! MEDIUM - INCOMPATIBLE FORMAT (a CD has no DVD/BD structures). READ FORMAT CAPACITIES: one
//! current/maximum descriptor, "unformatted or blank" with the blank disc's free blocks,
//! or "formatted" with the recorded blocks; no formattable descriptors.
//!
//! Write speeds 4x to 48x (a CD-RW: 4x to 10x) and read 48x, in kB/s (1x = 176.4 kB/s,
//! rounded as drives do).

mod cue_sheet;
mod layout;
mod rewritable;
pub mod state;
mod test_write;
mod toc;
pub(super) mod write_parameters;

use core::time::Duration;

use mmc_core::cdb::{Blank, CloseFunction, CloseTrackSession, ReadDiscStructure};
use mmc_core::cdb::{ReadTocPmaAtip, TrackAddressType};
use mmc_core::params::{FormatUnitParameters, MultiSession, WriteParameters, WriteType};
use mmc_core::response::capacity::{CapacityDescriptorType, CurrentCapacity};
use mmc_core::response::disc_info::DiscType;
use mmc_core::response::{CapacityData, DiscInformation, FormatCapacities, TrackInformation};
use mmc_core::sense::{triples, SenseKeySpecific};
use mmc_core::Profile;

use self::cue_sheet::CuePlan;
use self::layout::{BlockKind, CdLayout, Closing, TrackFormat};
pub use self::layout::{CdRSize, CdType};
pub use self::state::CdRStateError;
use super::recording::{self, DiscState, RecordingGeometry};
use super::{Busy, MediaIdentity, Medium, MediumError, MediumResult, MediumSpec};
use crate::clock::VirtualTime;
use crate::store::{SectorStore, SECTOR};

/// CD 1x: 75 blocks a second.
const CD_1X_BLOCKS_PER_SECOND: u64 = 75;
/// Lead-in, lead-out, run-out and padding are timed at 4x, the slowest speed offered.
const CLOSING_SPEED: u64 = 4;

/// An SAO session is always the first: a 4,500-block lead-in and a 6,750-block lead-out.
const SAO_LEAD_IN_AND_OUT: u32 = 4_500 + 6_750;

/// Write speeds, fastest first, in kB/s (k = 1000): 48x, 40x, 32x, 24x, 16x, 8x, 4x of
/// 176.4 kB/s.
const WRITE_SPEEDS: [u32; 7] = [8467, 7056, 5645, 4234, 2822, 1411, 706];
/// Read speed: 48x.
const READ_SPEED: u32 = 8467;

/// An SAO session announced by SEND CUE SHEET.
#[derive(Debug, Clone)]
struct SaoRecording {
    plan: CuePlan,
    /// The address the next WRITE must start at.
    next: i64,
    /// The session format when the sheet was sent.
    disc_type: u8,
}

impl SaoRecording {
    fn started(&self) -> bool {
        self.next != self.plan.first_block
    }

    fn complete(&self) -> bool {
        self.next == self.plan.lead_out
    }
}

/// A CD-R in the drive: its recording state, the drive's write parameters for it, and the
/// sectors.
#[derive(Debug)]
pub struct CdR {
    size: CdRSize,
    cd_type: CdType,
    disc: CdLayout,
    /// The state at the last synchronize or close: what a power loss returns to.
    synced: CdLayout,
    params: WriteParameters,
    sao: Option<SaoRecording>,
    /// While a test write runs: the disc as recorded, `disc` being the simulated recording.
    recorded: Option<CdLayout>,
    store: Box<dyn SectorStore>,
}

impl CdR {
    /// A blank disc of `size` whose sectors live in `store`.
    pub fn blank(size: CdRSize, store: Box<dyn SectorStore>) -> Self {
        CdR::inserted(size, CdType::Recordable, CdLayout::blank(), store)
    }

    /// A blank CD-RW of `size` whose sectors live in `store`.
    pub fn blank_rw(size: CdRSize, store: Box<dyn SectorStore>) -> Self {
        CdR::inserted(size, CdType::Rewritable, CdLayout::blank(), store)
    }

    /// A disc in the state [`Medium::save_state`] described (format in [`state`]), with its
    /// sectors in `store`.
    pub fn load_state(
        value: &serde_json::Value,
        store: Box<dyn SectorStore>,
    ) -> Result<Self, CdRStateError> {
        let (size, cd_type, disc) = state::load(value)?;
        Ok(CdR::inserted(size, cd_type, disc, store))
    }

    /// A disc as recorded so far, just inserted: the drive's page 05h at its defaults.
    fn inserted(
        size: CdRSize,
        cd_type: CdType,
        disc: CdLayout,
        store: Box<dyn SectorStore>,
    ) -> Self {
        CdR {
            size,
            cd_type,
            synced: disc.clone(),
            disc,
            params: write_parameters::default_page(),
            sao: None,
            recorded: None,
            store,
        }
    }

    pub fn size(&self) -> CdRSize {
        self.size
    }

    pub fn cd_type(&self) -> CdType {
        self.cd_type
    }

    fn geometry(&self) -> &'static RecordingGeometry {
        self.size.geometry()
    }

    pub fn store(&self) -> &dyn SectorStore {
        self.store.as_ref()
    }

    pub fn store_mut(&mut self) -> &mut dyn SectorStore {
        self.store.as_mut()
    }

    /// The Write Parameters page a drive reports before any MODE SELECT (MODE SENSE default
    /// values, and the current ones after a reset).
    pub fn default_write_parameters() -> WriteParameters {
        write_parameters::default_page()
    }

    /// The data mode and CONTROL nibble a TAO track gets from the current page.
    fn track_format(&self) -> TrackFormat {
        TrackFormat {
            data_mode: write_parameters::data_mode(self.params.data_block_type).unwrap_or(1),
            control: self.params.track_mode,
        }
    }

    fn requested_closing(&self) -> Closing {
        match self.params.multi_session {
            MultiSession::NextSessionAllowed => Closing::NextSessionAllowed,
            MultiSession::NoNextSessionB0 => Closing::NoNextSession,
            MultiSession::NoNextSession | MultiSession::Unknown(_) => Closing::Finalized,
        }
    }

    /// Closes the open TAO track, writing its padding as zero blocks (they may hold data
    /// of a recording a power loss undid). Returns the blocks the drive recorded.
    fn close_open_track(&mut self) -> MediumResult<u32> {
        let g = self.geometry();
        if self.disc.open_track.is_none() {
            return Ok(0);
        }
        let mut padding = 0;
        if let Some((start, pad)) = self.disc.padding(g, true) {
            let zeros = vec![0u8; pad as usize * SECTOR];
            self.burn(start, &zeros)?;
            self.disc.pad(pad);
            padding = pad;
        }
        Ok(padding + self.disc.close_track(g).unwrap_or(0))
    }

    /// Closes an SAO session whose every block has arrived.
    fn finish_sao(&mut self) {
        if let Some(sao) = self.sao.take() {
            let closing = self.requested_closing();
            self.disc.add_sao_session(
                self.size.geometry(),
                sao.plan.tracks,
                closing,
                sao.disc_type,
            );
        }
        self.end_simulated_session();
    }

    /// The cache reaches the disc: the store commits and this state survives a power loss.
    /// In a test write nothing reached it.
    fn commit(&mut self) -> MediumResult<()> {
        if self.testing() {
            return Ok(());
        }
        self.store
            .commit()
            .map_err(|_| MediumError::new(triples::WRITE_ERROR))?;
        self.synced = self.disc.clone();
        Ok(())
    }

    fn write_tao(&mut self, lba: i64, data: &[u8], blocks: u32) -> MediumResult<()> {
        if self.sao.as_ref().is_some_and(SaoRecording::started) {
            return Err(MediumError::new(triples::COMMAND_SEQUENCE_ERROR));
        }
        // A cue sheet whose recording never started is dropped by writing TAO.
        self.sao = None;
        let next = self.disc.write_target(self.geometry(), lba, blocks)?;
        self.burn(lba, data)?;
        let format = self.track_format();
        self.disc.record(&next, blocks, format);
        Ok(())
    }

    fn write_sao(&mut self, lba: i64, data: &[u8], blocks: u32) -> MediumResult<()> {
        let Some(sao) = self.sao.as_ref() else {
            return Err(MediumError::new(triples::COMMAND_SEQUENCE_ERROR));
        };
        if lba != sao.next {
            return Err(invalid_address(lba));
        }
        let end = lba + i64::from(blocks);
        if end > sao.plan.lead_out {
            return Err(
                MediumError::new(triples::END_OF_USER_AREA).with_information(information(lba))
            );
        }
        // The pre-gap of track 1 (negative addresses) is recorded but holds no user data.
        let skipped = usize::try_from((-lba).max(0)).unwrap_or(usize::MAX);
        let stored = data.get(skipped.saturating_mul(SECTOR)..).unwrap_or(&[]);
        if !stored.is_empty() {
            self.burn(lba.max(0), stored)?;
        }
        if let Some(sao) = self.sao.as_mut() {
            sao.next = end;
        }
        Ok(())
    }
}

/// The store index of a block (LBA 0 is index 0).
fn block_index(lba: i64) -> MediumResult<u64> {
    u64::try_from(lba).map_err(|_| invalid_address(lba))
}

/// The INFORMATION field for an LBA: its 32-bit two's-complement form.
fn information(lba: i64) -> u64 {
    u64::from(recording::lba_field(lba))
}

fn invalid_address(lba: i64) -> MediumError {
    MediumError::new(triples::INVALID_ADDRESS_FOR_WRITE).with_information(information(lba))
}

fn write_error(lba: i64) -> MediumError {
    MediumError::new(triples::WRITE_ERROR).with_information(information(lba))
}

/// Whole 2048-byte blocks in a buffer; the drive sizes buffers from the transfer length, so
/// anything else is a bad transfer length.
fn whole_blocks(len: usize) -> MediumResult<u32> {
    if len % SECTOR != 0 {
        return Err(MediumError::new(triples::INVALID_FIELD_IN_CDB));
    }
    u32::try_from(len / SECTOR).map_err(|_| MediumError::new(triples::INVALID_FIELD_IN_CDB))
}

/// The time to record `blocks` at the closing speed.
fn closing_time(blocks: u32) -> Duration {
    let per_second = CD_1X_BLOCKS_PER_SECOND * CLOSING_SPEED;
    Duration::from_micros(u64::from(blocks) * 1_000_000 / per_second)
}

fn close_field(byte: u16, bit: Option<u8>) -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_CDB).with_sks(SenseKeySpecific::FieldPointer {
        in_cdb: true,
        bit,
        byte,
    })
}

impl Medium for CdR {
    fn spec(&self) -> MediumSpec {
        let (profile, write_speeds): (_, &'static [u32]) = match self.cd_type {
            CdType::Recordable => (Profile::CdR, &WRITE_SPEEDS),
            CdType::Rewritable => (Profile::CdRw, &rewritable::WRITE_SPEEDS),
        };
        MediumSpec {
            kind: self.cd_type.kind(self.size),
            profile,
            write_speeds,
            read_speed: READ_SPEED,
            blocking: 1,
        }
    }

    fn disc_information(&self) -> DiscInformation {
        let disc = self.as_recorded();
        let mut info = recording::disc_information(disc, self.geometry());
        // MMC-6 6.22.3.1.9: the disc type comes from the A0 PSEC of the first session.
        if let Some(closed) = disc.sessions.first().and_then(|s| s.closed) {
            info.disc_type = DiscType::from_u8(closed.disc_type);
        }
        info.erasable = self.cd_type.erasable();
        info
    }

    fn track_information(
        &self,
        address_type: TrackAddressType,
        address: u32,
    ) -> MediumResult<TrackInformation> {
        // A track not yet written is described as the current page 05h would record it.
        let current = self.track_format();
        let mode = |f: Option<&TrackFormat>| {
            let f = f.unwrap_or(&current);
            (f.control, f.data_mode)
        };
        let g = self.geometry();
        recording::track_information(&self.disc, g, address_type, address, mode)
    }

    fn read_toc(&self, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
        toc::read_toc(self.as_recorded(), self.size, self.cd_type, cdb)
    }

    fn read_disc_structure(
        &self,
        _cdb: &ReadDiscStructure,
        _identity: Option<&MediaIdentity>,
    ) -> MediumResult<Vec<u8>> {
        Err(MediumError::new(triples::CANNOT_READ_INCOMPATIBLE_FORMAT))
    }

    fn read_capacity(&self) -> MediumResult<CapacityData> {
        Ok(CapacityData {
            last_lba: recording::lba_field(self.as_recorded().last_recorded_block()),
            block_length: SECTOR as u32,
        })
    }

    fn format_capacities(&self) -> FormatCapacities {
        let disc = self.as_recorded();
        let (blocks, descriptor_type) = if disc.state() == DiscState::Blank {
            let free = disc.writable_track(self.geometry()).map_or(0, |n| n.free);
            (free, CapacityDescriptorType::Unformatted)
        } else {
            let recorded = disc.last_recorded_block() + 1;
            (
                u32::try_from(recorded).unwrap_or(0),
                CapacityDescriptorType::Formatted,
            )
        };
        FormatCapacities {
            current: CurrentCapacity {
                blocks,
                descriptor_type,
                block_length: SECTOR as u32,
            },
            formattable: Vec::new(),
            cut_bytes: 0,
        }
    }

    fn read(&mut self, lba: i32, out: &mut [u8]) -> MediumResult<()> {
        let blocks = whole_blocks(out.len())?;
        let first = i64::from(lba);
        if let Some(at) = self.as_recorded().first_unreadable(first, blocks) {
            let triple = match CdLayout::block_kind(self.geometry(), at) {
                BlockKind::NotData => triples::ILLEGAL_MODE_FOR_THIS_TRACK,
                BlockKind::Outside => triples::LBA_OUT_OF_RANGE,
            };
            return Err(MediumError::new(triple).with_information(information(at)));
        }
        if blocks == 0 {
            return Ok(());
        }
        self.store.read(block_index(first)?, out).map_err(|_| {
            MediumError::new(triples::UNRECOVERED_READ_ERROR).with_information(information(first))
        })
    }

    fn write(
        &mut self,
        lba: i32,
        data: &[u8],
        _streaming: bool,
        _now: VirtualTime,
    ) -> MediumResult<()> {
        let blocks = whole_blocks(data.len())?;
        if blocks == 0 {
            // SBC: a transfer length of zero transfers nothing and is not an error.
            return Ok(());
        }
        let lba = i64::from(lba);
        match self.params.write_type {
            WriteType::SessionAtOnce => self.write_sao(lba, data, blocks),
            _ => self.write_tao(lba, data, blocks),
        }
    }

    fn synchronize(&mut self) -> MediumResult<()> {
        match &self.sao {
            Some(sao) if sao.complete() => self.finish_sao(),
            Some(_) => {}
            None => {
                self.close_open_track()?;
            }
        }
        if self.sao.is_some() {
            // An SAO recording in progress is not a state to return to: commit the data
            // only.
            return self
                .store
                .commit()
                .map_err(|_| MediumError::new(triples::WRITE_ERROR));
        }
        self.commit()
    }

    fn power_loss(&mut self) {
        self.store.discard_uncommitted();
        self.disc = self.synced.clone();
        // Mode pages and the cue sheet live in the drive's memory.
        self.params = write_parameters::default_page();
        self.sao = None;
        self.recorded = None;
    }

    fn format(&mut self, _params: &FormatUnitParameters, _now: VirtualTime) -> MediumResult<Busy> {
        match self.cd_type {
            CdType::Recordable => Err(MediumError::new(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM)),
            CdType::Rewritable => Err(rewritable::format_refused()),
        }
    }

    fn blank(&mut self, cdb: &Blank, _now: VirtualTime) -> MediumResult<Busy> {
        match self.cd_type {
            CdType::Recordable => Err(triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM.into()),
            CdType::Rewritable => self.erase(cdb),
        }
    }

    fn close(&mut self, cdb: &CloseTrackSession, _now: VirtualTime) -> MediumResult<Busy> {
        let sao_started = self.sao.as_ref().is_some_and(SaoRecording::started);
        match cdb.function {
            CloseFunction::CloseTrack => {
                if sao_started || self.disc.state() == DiscState::Complete {
                    return Err(MediumError::new(triples::COMMAND_SEQUENCE_ERROR));
                }
                let number = cdb.track_number;
                let known = match &self.disc.open_track {
                    Some(open) => number == 0xFF || number == open.number,
                    None => number == 0xFF || (1..=self.disc.last_track_number()).contains(&number),
                };
                if !known {
                    return Err(close_field(4, None));
                }
                let blocks = self.close_open_track()?;
                if blocks > 0 {
                    self.commit()?;
                }
                Ok(Busy {
                    duration: closing_time(blocks),
                })
            }
            CloseFunction::CloseSession => {
                if let Some(sao) = &self.sao {
                    if sao.complete() {
                        self.finish_sao();
                        self.commit()?;
                        return Ok(Busy {
                            duration: closing_time(SAO_LEAD_IN_AND_OUT),
                        });
                    }
                    if sao.started() {
                        return Err(MediumError::new(triples::COMMAND_SEQUENCE_ERROR));
                    }
                }
                if self.disc.state() != DiscState::OpenSession {
                    return Err(MediumError::new(triples::COMMAND_SEQUENCE_ERROR));
                }
                let track_blocks = self.close_open_track()?;
                let closing = self.requested_closing();
                let session_blocks = self
                    .disc
                    .close_session_as(
                        self.size.geometry(),
                        closing,
                        self.params.session_format.to_u8(),
                    )
                    .ok_or_else(|| MediumError::new(triples::COMMAND_SEQUENCE_ERROR))?;
                self.commit()?;
                self.end_simulated_session();
                Ok(Busy {
                    duration: closing_time(track_blocks.saturating_add(session_blocks)),
                })
            }
            // 000b, 101b, 110b are DVD+RW, DVD+R and BD-R functions.
            _ => Err(close_field(2, Some(2))),
        }
    }

    fn send_cue_sheet(&mut self, sheet: &[u8]) -> MediumResult<()> {
        let sao_mode = self.params.write_type == WriteType::SessionAtOnce;
        let started = self.sao.as_ref().is_some_and(SaoRecording::started);
        if !sao_mode || started || self.disc.state() != DiscState::Blank {
            return Err(MediumError::new(triples::COMMAND_SEQUENCE_ERROR));
        }
        let plan = cue_sheet::parse(sheet, i64::from(self.geometry().capacity))?;
        self.sao = Some(SaoRecording {
            next: plan.first_block,
            plan,
            disc_type: self.params.session_format.to_u8(),
        });
        Ok(())
    }

    fn write_parameters(&self) -> Option<WriteParameters> {
        Some(self.params.clone())
    }

    fn set_write_parameters(&mut self, page: &WriteParameters) -> MediumResult<()> {
        self.params = write_parameters::validate(page)?;
        self.set_test_write(self.params.test_write);
        Ok(())
    }

    fn advance(&mut self, _now: VirtualTime) {}

    fn blocking_format_progress(&self) -> Option<u16> {
        None
    }

    /// The disc as of the last synchronize or close (what the committed store holds).
    fn save_state(&self) -> serde_json::Value {
        state::save(self.size, self.cd_type, &self.synced)
    }
}
