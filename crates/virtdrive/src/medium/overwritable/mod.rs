//! Overwritable media: DVD+RW ([`DvdPlusRw`]), BD-RE of one to three layers ([`BdRe`]) and
//! DVD-RAM ([`DvdRam`]).
//!
//! Both hold one overwritable track that fills the user area (MMC-6 4.5, 4.6; libburn's
//! "Overwriteable DVD Cookbook"): no sessions, no next writable address to honour, writes
//! anywhere on a 2 KiB boundary. What they share lives here:
//!
//! - [`UserArea`]: the sector store seen through the ranges written since the last format
//!   (anything else reads as zeros), with the drive's ECC-block read-modify-write (16
//!   sectors on DVD, 32 on BD): a write that covers only part of a block makes the drive read
//!   the block, merge the new sectors and write the whole block back. The count of those
//!   operations is kept for the speed model.
//! - the answers a single-track disc gives (READ TRACK INFORMATION, READ TOC), the senses
//!   of media that cannot do what is asked, and [`StateError`] for saved state that cannot
//!   be loaded.
//!
//! What differs is formatting: a DVD+RW formats in the background while the host writes; a
//! BD-RE and a DVD-RAM block access while they format and choose their spare areas, and are
//! written under the drive's defect management (`spared`).

pub mod bd_re;
pub(crate) mod bd_spares;
pub mod dvd_plus_rw;
pub mod dvd_ram;
mod extents;
mod spared;

pub use bd_re::{BdRe, BdReMedium, BD_RE, BD_RE_DL, BD_RE_XL};
pub use dvd_plus_rw::DvdPlusRw;
pub use dvd_ram::DvdRam;
pub use extents::WrittenExtents;

use mmc_core::cdb::{ReadTocPmaAtip, TocFormat, TrackAddressType};
use mmc_core::response::toc::{TrackDescriptor, LEAD_OUT_TRACK};
use mmc_core::response::{FormattedToc, MultiSessionInfo, ResponseFormat, TrackInformation};
use mmc_core::sense::{triples, SenseKeySpecific};

use super::{MediumError, MediumResult};
use crate::store::{SectorStore, StoreError, SECTOR};

/// Saved medium state that cannot be loaded: which medium, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{medium} disc state: {what}")]
pub struct StateError {
    /// The medium name (`dvd+rw`, `bd-re`, `dvd-rom`, `unknown`).
    pub medium: &'static str,
    pub what: String,
}

impl StateError {
    /// Checks the `medium` name and `version` every saved state of this crate starts with.
    pub(crate) fn check_header(
        medium: &'static str,
        found: &str,
        version: u32,
    ) -> Result<(), StateError> {
        if found != medium {
            return Err(StateError::new(
                medium,
                format!("the state is for a {found:?} disc"),
            ));
        }
        if version != 1 {
            return Err(StateError::new(
                medium,
                format!("unknown state version {version}"),
            ));
        }
        Ok(())
    }

    pub(crate) fn new(medium: &'static str, what: impl Into<String>) -> Self {
        StateError {
            medium,
            what: what.into(),
        }
    }
}

/// 05/21/00 with the first LBA asked for in the INFORMATION field.
pub(crate) fn lba_out_of_range(lba: i32) -> MediumError {
    MediumError::new(triples::LBA_OUT_OF_RANGE).with_information(u64::from(lba as u32))
}

/// 05/24/00 pointing at a CDB byte (and bit).
pub(crate) fn invalid_cdb_field(byte: u16, bit: Option<u8>) -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_CDB).with_sks(SenseKeySpecific::FieldPointer {
        in_cdb: true,
        bit,
        byte,
    })
}

/// 05/26/00 pointing at a byte (and bit) of the FORMAT UNIT parameter list.
pub(crate) fn invalid_parameter(byte: u16, bit: Option<u8>) -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_PARAMETER_LIST).with_sks(
        SenseKeySpecific::FieldPointer {
            in_cdb: false,
            bit,
            byte,
        },
    )
}

/// The sectors `[start, end)` a transfer of `bytes` at `lba` covers, if they lie inside
/// `[0, limit)`; 05/21/00 otherwise. A length that is not whole sectors is the drive's error
/// to catch; here it is an invalid transfer length (05/24/00, CDB bytes 7-8).
pub(crate) fn sector_span(lba: i32, bytes: usize, limit: u64) -> MediumResult<(u64, u64)> {
    if bytes % SECTOR != 0 {
        return Err(invalid_cdb_field(7, None));
    }
    let start = u64::try_from(lba).map_err(|_| lba_out_of_range(lba))?;
    let end = start.saturating_add((bytes / SECTOR) as u64);
    if end > limit {
        return Err(lba_out_of_range(lba));
    }
    Ok((start, end))
}

fn lba_out_of_range_index(index: u64) -> MediumError {
    MediumError::new(triples::LBA_OUT_OF_RANGE).with_information(index)
}

/// The sense a store failure becomes: an unreadable sector is an unrecovered read error at
/// that LBA, a failing backing file a write error (or a read error while reading).
pub(crate) fn store_error(e: &StoreError, reading: bool) -> MediumError {
    match e {
        StoreError::DataNotRetained { index } => {
            MediumError::new(triples::UNRECOVERED_READ_ERROR).with_information(*index)
        }
        StoreError::Unaligned { .. } => invalid_cdb_field(7, None),
        StoreError::OutOfRange { index, .. } => lba_out_of_range_index(*index),
        StoreError::Io { .. } if reading => MediumError::new(triples::UNRECOVERED_READ_ERROR),
        StoreError::Io { .. } => MediumError::new(triples::WRITE_ERROR),
    }
}

/// The user area of an overwritable disc: the store, the ranges written since the last
/// format, and the drive's ECC-block read-modify-write.
#[derive(Debug)]
pub struct UserArea {
    store: Box<dyn SectorStore>,
    /// Sectors per ECC block (16 DVD, 32 BD).
    ecc_block: u64,
    written: WrittenExtents,
    rmw_count: u64,
}

impl UserArea {
    pub fn new(store: Box<dyn SectorStore>, ecc_block: u32, written: WrittenExtents) -> Self {
        UserArea {
            store,
            ecc_block: u64::from(ecc_block.max(1)),
            written,
            rmw_count: 0,
        }
    }

    pub fn written(&self) -> &WrittenExtents {
        &self.written
    }

    /// The store, for a disc that changes how it records (a DVD-RW blanked back to
    /// Sequential recording).
    pub fn into_store(self) -> Box<dyn SectorStore> {
        self.store
    }

    /// Replaces the written ranges (power loss, a new format).
    pub fn set_written(&mut self, written: WrittenExtents) {
        self.written = written;
    }

    /// Partial-block writes so far (each one a read-modify-write of a whole ECC block).
    pub fn rmw_count(&self) -> u64 {
        self.rmw_count
    }

    /// Reads `[start, start + out.len() / 2048)`: written sectors from the store, the rest
    /// as zeros.
    pub fn read(&self, start: u64, out: &mut [u8]) -> MediumResult<()> {
        self.read_raw(start, out).map_err(|e| store_error(&e, true))
    }

    fn read_raw(&self, start: u64, out: &mut [u8]) -> Result<(), StoreError> {
        let end = start + (out.len() / SECTOR) as u64;
        for (s, e, written) in self.written.runs(start, end) {
            let from = ((s - start) as usize) * SECTOR;
            let to = ((e - start) as usize) * SECTOR;
            let Some(chunk) = out.get_mut(from..to) else {
                continue;
            };
            if written {
                self.store.read(s, chunk)?;
            } else {
                chunk.fill(0);
            }
        }
        Ok(())
    }

    /// Writes whole sectors at `start`. Whole ECC blocks go to the store as they are; a
    /// block the write covers only in part is read, merged and written back whole, as the
    /// drive does, so its other sectors keep their data.
    pub fn write(&mut self, start: u64, data: &[u8]) -> MediumResult<()> {
        let end = start + (data.len() / SECTOR) as u64;
        let b = self.ecc_block;
        let mut at = start;
        while at < end {
            let block = at / b * b;
            let offset = ((at - start) as usize) * SECTOR;
            if at == block && end >= block + b {
                let whole_end = block + (end - block) / b * b;
                let len = ((whole_end - at) as usize) * SECTOR;
                let piece = data.get(offset..offset + len).unwrap_or(&[]);
                self.store
                    .write(at, piece)
                    .map_err(|e| store_error(&e, false))?;
                self.written.insert(at, whole_end);
                at = whole_end;
            } else {
                let piece_end = end.min(block + b);
                let len = ((piece_end - at) as usize) * SECTOR;
                let piece = data.get(offset..offset + len).unwrap_or(&[]);
                self.read_modify_write(block, at, piece)?;
                at = piece_end;
            }
        }
        Ok(())
    }

    fn read_modify_write(&mut self, block: u64, at: u64, piece: &[u8]) -> MediumResult<()> {
        self.rmw_count += 1;
        let b = self.ecc_block;
        let mut buf = vec![0u8; (b as usize) * SECTOR];
        match self.read_raw(block, &mut buf) {
            Ok(()) => {
                let from = ((at - block) as usize) * SECTOR;
                if let Some(dst) = buf.get_mut(from..from + piece.len()) {
                    dst.copy_from_slice(piece);
                }
                self.store
                    .write(block, &buf)
                    .map_err(|e| store_error(&e, false))?;
                self.written.insert(block, block + b);
            }
            // A digest-only store cannot give the block back; the sectors around the write
            // keep their digests anyway, so only the new sectors are stored.
            Err(StoreError::DataNotRetained { .. }) => {
                self.store
                    .write(at, piece)
                    .map_err(|e| store_error(&e, false))?;
                self.written.insert(at, at + (piece.len() / SECTOR) as u64);
            }
            Err(e) => return Err(store_error(&e, true)),
        }
        Ok(())
    }

    /// SYNCHRONIZE CACHE: the store makes every write durable.
    pub fn commit(&mut self) -> MediumResult<()> {
        self.store.commit().map_err(|e| store_error(&e, false))
    }

    /// Power loss: the store drops what was not committed.
    pub fn discard_uncommitted(&mut self) {
        self.store.discard_uncommitted();
    }
}

/// READ TRACK INFORMATION of the single track of an overwritable or pressed disc. Track 1,
/// session 1 and any LBA inside `[0, size)` name it; so does track FFh, which on these
/// media has no invisible track behind it (libburn asks overwritable media for track 1;
/// answering FFh too spares hosts that ask for the "next" track a useless error).
pub(crate) fn check_single_track(
    address_type: TrackAddressType,
    address: u32,
    size: u64,
) -> MediumResult<()> {
    let ok = match address_type {
        TrackAddressType::Lba => u64::from(address) < size.max(1),
        TrackAddressType::TrackNumber => address == 1 || address == 0xFF,
        TrackAddressType::SessionNumber => address == 1,
        TrackAddressType::Unknown(_) => false,
    };
    if ok {
        Ok(())
    } else {
        // The address field is CDB bytes 2-5.
        Err(invalid_cdb_field(2, None))
    }
}

/// The single track's information. Track Mode 4 (data, uninterrupted), Data Mode 1,
/// Packet/Inc and FP clear: what Pioneer's R8/R11 manuals give for DVD and +RW media.
pub(crate) fn single_track(
    size: u64,
    blocking: u32,
    blank: bool,
    writable: bool,
    last_recorded: Option<u64>,
) -> TrackInformation {
    let size32 = u32::try_from(size).unwrap_or(u32::MAX);
    TrackInformation {
        track_number: 1,
        session_number: 1,
        layer_jump_recording_status: 0,
        damage: false,
        copy: false,
        track_mode: 4,
        reserved_track: false,
        blank,
        packet: false,
        fixed_packet: false,
        data_mode: 1,
        track_start: 0,
        // libburn: on overwritable media the NWA is 0 and writing may start anywhere.
        next_writable_address: writable.then_some(0),
        free_blocks: if writable { size32 } else { 0 },
        fixed_packet_size: blocking,
        track_size: size32,
        last_recorded_address: last_recorded.and_then(|l| u32::try_from(l).ok()),
        // Present, as zeros, so the reply has the 48 bytes of MMC-6 drives.
        read_compatibility_lba: Some(0),
        next_layer_jump_address: Some(0),
        last_layer_jump_address: Some(0),
        cut_bytes: 0,
    }
}

/// A formatted TOC or multi-session reply (formats 0 and 1) of a DVD or BD with its LBAs as
/// MSF addresses, for a CDB with the MSF bit set. MMC-6 6.26 leaves the MSF bit to every
/// medium, and the Linux cdrom layer reads each CDROMREADTOCENTRY with it (sr_read_tocentry),
/// so a DVD or BD drive converts: LBA + 150 frames, 75 frames a second (MMC-6 table 4). A
/// minute is one byte: addresses past FF:3B:4A (LBA 1,151,849; half a DVD) stay there.
pub(crate) fn toc_in_msf(mut bytes: Vec<u8>) -> Vec<u8> {
    let descriptors = bytes.get_mut(4..).unwrap_or_default();
    for d in descriptors.chunks_exact_mut(8) {
        if let Some(Ok(field)) = d.get_mut(4..8).map(<&mut [u8; 4]>::try_from) {
            let lba = u32::from_be_bytes(*field);
            let frames = (u64::from(lba) + 150).min(255 * 4500 + 59 * 75 + 74);
            let minute = u8::try_from(frames / 4500).unwrap_or(u8::MAX);
            let second = ((frames % 4500) / 75) as u8;
            let frame = (frames % 75) as u8;
            field.copy_from_slice(&[0, minute, second, frame]);
        }
    }
    bytes
}

/// READ TOC of a single-track DVD or BD whose readable area is `[0, readable)`: DVD drives
/// fabricate a CD-like TOC (format 0: track 1 and the lead-out; format 1: session 1 starting
/// at track 1), in MSF too ([`toc_in_msf`]). A blank disc has no TOC (05/24/00, as on a blank
/// CD-R); the CD-only formats (full TOC, PMA, ATIP, CD-TEXT) are invalid fields too.
pub(crate) fn single_track_toc(cdb: &ReadTocPmaAtip, readable: u64) -> MediumResult<Vec<u8>> {
    if cdb.msf && matches!(cdb.format, TocFormat::Toc | TocFormat::SessionInfo) {
        let lba = ReadTocPmaAtip { msf: false, ..*cdb };
        return single_track_toc(&lba, readable).map(toc_in_msf);
    }
    if readable == 0 {
        return Err(invalid_cdb_field(2, None));
    }
    // Pioneer R8 manual: "The ADR/Control field for DVD media is always set to 14h."
    let track = TrackDescriptor {
        adr: 1,
        control: 4,
        track_number: 1,
        address: 0,
    };
    match cdb.format {
        TocFormat::Toc if cdb.track_session_number <= 1 => Ok(FormattedToc {
            first_track: 1,
            last_track: 1,
            tracks: vec![
                track,
                TrackDescriptor {
                    track_number: LEAD_OUT_TRACK,
                    address: u32::try_from(readable).unwrap_or(u32::MAX),
                    ..track
                },
            ],
            cut_bytes: 0,
        }
        .to_bytes()),
        TocFormat::Toc if cdb.track_session_number == LEAD_OUT_TRACK => Ok(FormattedToc {
            first_track: 1,
            last_track: 1,
            tracks: vec![TrackDescriptor {
                track_number: LEAD_OUT_TRACK,
                address: u32::try_from(readable).unwrap_or(u32::MAX),
                ..track
            }],
            cut_bytes: 0,
        }
        .to_bytes()),
        // A first track beyond the last one: byte 6.
        TocFormat::Toc => Err(invalid_cdb_field(6, None)),
        TocFormat::SessionInfo => Ok(MultiSessionInfo {
            first_complete_session: 1,
            last_complete_session: 1,
            first_track_in_last_session: track,
            cut_bytes: 0,
        }
        .to_bytes()),
        _ => Err(invalid_cdb_field(2, None)),
    }
}

/// Rounds `sectors` up to a whole number of `block`-sector ECC blocks.
pub(crate) fn round_up(sectors: u64, block: u32) -> u64 {
    let b = u64::from(block.max(1));
    sectors.div_ceil(b).saturating_mul(b)
}

/// Written ranges as saved in JSON: `[[start, end], ...]`, half-open, ascending.
pub(crate) fn load_written(
    medium: &'static str,
    ranges: &[(u64, u64)],
    limit: u64,
) -> Result<WrittenExtents, StateError> {
    if let Some(&(s, e)) = ranges.iter().find(|&&(s, e)| s >= e || e > limit) {
        return Err(StateError::new(
            medium,
            format!(
                "written range [{s}, {e}) is empty or lies beyond the user area ({limit} sectors)"
            ),
        ));
    }
    WrittenExtents::from_ranges(ranges)
        .ok_or_else(|| StateError::new(medium, "a written range is empty"))
}
