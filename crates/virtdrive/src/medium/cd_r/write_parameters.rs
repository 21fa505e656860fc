//! The Write Parameters mode page (05h) as this CD-R drive honours it (MMC-6 7.5).
//!
//! Accepted by MODE SELECT:
//! - Write Type 1 (TAO) and 2 (SAO). Packet (0), Raw (3), Layer Jump (4) and reserved values
//!   are refused at MODE SELECT, not at WRITE, so the host learns it before writing.
//! - Multi-session 00b (finalize at CLOSE SESSION), 01b (no next session, B0 = FF:FF:FF) and
//!   11b (keep the disc appendable); 10b is reserved.
//! - For TAO: Track Mode 4 or 6 (data, with or without digital copy permission) and Data
//!   Block Type 8 (Mode 1, 2048 bytes) or 10 (Mode 2 Form 1, 2048 bytes): the 2048-byte
//!   blocks WRITE carries. Others (audio, raw, 2324/2332/2336-byte blocks, incremental track
//!   modes) are refused. For SAO both fields are ignored, as libburn sends 0 there: the cue
//!   sheet describes the tracks.
//! - Session Format 00h, 10h or 20h; BUFE as the host likes (the drive's buffer model reads
//!   it).
//! - Test Write as the host likes: the recording is simulated (`test_write`).
//! - The page length must be the drive's own, 32h (libburn takes it from MODE SENSE).
//!
//! A refusal is 05/26/00 INVALID FIELD IN PARAMETER LIST with a field pointer into the MODE
//! SELECT(10) parameter list, counted as MMC hosts send it: the 8-byte header, no block
//! descriptors, then the page, so page byte `n` is list byte `8 + n`.

use mmc_core::params::{DataBlockType, MultiSession, WriteParameters, WriteType};
use mmc_core::response::disc_info::DiscType;
use mmc_core::sense::{triples, SenseKeySpecific};

use crate::medium::{MediumError, MediumResult};

/// Where the page starts in a MODE SELECT(10) parameter list.
const PAGE_OFFSET: u16 = 8;

/// What MODE SENSE reports before any MODE SELECT: TAO, BUFE on, Mode 1 data blocks, track
/// mode 4, Multi-session 00b, session format 00h, 150-frame audio pause, page length 32h.
pub(crate) fn default_page() -> WriteParameters {
    WriteParameters::cd_tao_mode1(MultiSession::NoNextSession)
}

/// 05/26/00 pointing at page byte `page_byte` (bit `bit`) of a MODE SELECT(10) list.
pub(crate) fn bad_field(page_byte: u16, bit: Option<u8>) -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_PARAMETER_LIST).with_sks(
        SenseKeySpecific::FieldPointer {
            in_cdb: false,
            bit,
            byte: PAGE_OFFSET + page_byte,
        },
    )
}

/// The data mode (1 or 2) of the 2048-byte data block types accepted for TAO.
pub(crate) fn data_mode(block_type: DataBlockType) -> Option<u8> {
    match block_type {
        DataBlockType::Mode1 => Some(1),
        DataBlockType::Mode2Form1 => Some(2),
        _ => None,
    }
}

/// Checks a page sent with MODE SELECT; returns it as the drive will report it (PS clear:
/// SPC-4 makes the bit reserved in MODE SELECT, so a host echoing MODE SENSE data is fine).
pub(crate) fn validate(page: &WriteParameters) -> MediumResult<WriteParameters> {
    if page.vendor_specific.is_some() {
        return Err(bad_field(1, None));
    }
    let tao = match page.write_type {
        WriteType::TrackAtOnce => true,
        WriteType::SessionAtOnce => false,
        _ => return Err(bad_field(2, Some(3))),
    };
    if let MultiSession::Unknown(_) = page.multi_session {
        return Err(bad_field(3, Some(7)));
    }
    if tao {
        if !matches!(page.track_mode, 4 | 6) {
            return Err(bad_field(3, Some(3)));
        }
        if data_mode(page.data_block_type).is_none() {
            return Err(bad_field(4, Some(3)));
        }
    }
    if !matches!(
        page.session_format,
        DiscType::CdDaOrCdRom | DiscType::CdI | DiscType::CdRomXa
    ) {
        return Err(bad_field(8, None));
    }
    let mut accepted = page.clone();
    accepted.ps = false;
    Ok(accepted)
}
