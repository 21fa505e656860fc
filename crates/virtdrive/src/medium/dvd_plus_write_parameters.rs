//! The Write Parameters mode page (05h) on DVD+R and DVD+RW (MMC-6 7.5).
//!
//! The page belongs to the drive, not to the disc: MODE SENSE reports it whatever writable
//! disc is loaded. Its fields (MMC-6 7.5.4) describe CD and DVD-R recording; DVD+R and
//! DVD+RW record as CLOSE TRACK/SESSION and the disc's format decide (growisofs's sources
//! note that MMC exempts DVD+RW/+R from the page's settings), so here the page is kept but
//! steers nothing. Hosts still read and send it:
//! - growisofs, before writing a DVD+R, reads the page (header first, then whole) and sends
//!   it back with Write Type 00h, BUFE and Multi-session 11b (`-dvd-compat`: Write Type 02h,
//!   Multi-session 00b), the Track Mode of READ TRACK INFORMATION and Data Block Type 8, and
//!   exits when MODE SENSE or MODE SELECT fails;
//! - cdrecord's DVD+ driver and wodim's DVD driver probe the write types with MODE SELECT
//!   and record with Write Type 02h.
//!
//! What MODE SELECT takes here (the fields' ranges as MMC-6 7.5.4 defines them for DVD):
//! - Write Type 00h (Packet/Incremental) and 02h (Session At Once, DAO on DVD); 01h (TAO)
//!   and 03h (Raw) are CD write types and 04h (Layer Jump) is DVD-R DL's: refused.
//! - Test Write refused: DVD+R and DVD+RW have no simulated recording (the DVD+R and DVD+RW
//!   features, 002Bh and 002Ah, carry no Test Write bit; MMC-6 5.3).
//! - Data Block Type 8 (2048-byte blocks, the only DVD block), Multi-session 00b, 01b or
//!   11b. Track Mode, FP, link size, packet size and session format are CD and DVD-R fields:
//!   kept as sent.
//! - The page length must be the drive's own, 32h, as on CD.
//!
//! A refusal is 05/26/00 INVALID FIELD IN PARAMETER LIST pointing into the parameter list,
//! as on CD (`cd_r::write_parameters`). The same checks serve DVD-R with its own write types
//! and Test Write allowed ([`validate_dvd`], `sequential::dvd_minus_r`).

use mmc_core::params::{DataBlockType, MultiSession, WriteParameters, WriteType};

use super::cd_r::write_parameters::bad_field;
use super::MediumResult;

/// What MODE SENSE reports on a DVD+ disc before any MODE SELECT: BUFE, Write Type 00h
/// (the incremental recording DVD+R does), Multi-session 00b, Track Mode 4 (data, as READ
/// TRACK INFORMATION reports the disc's tracks), Data Block Type 8, no audio pause.
pub(crate) fn default_page() -> WriteParameters {
    WriteParameters {
        write_type: WriteType::Packet,
        audio_pause_length: 0,
        ..WriteParameters::cd_tao_mode1(MultiSession::NoNextSession)
    }
}

/// Checks a page sent with MODE SELECT; returns it as the drive will report it (PS clear).
pub(crate) fn validate(page: &WriteParameters) -> MediumResult<WriteParameters> {
    validate_dvd(page, &[WriteType::Packet, WriteType::SessionAtOnce], false)
}

/// The checks of [`validate`] for a DVD medium that takes the `write_types` given, and Test
/// Write where `test_write` (DVD-R: `sequential::dvd_minus_r`).
pub(crate) fn validate_dvd(
    page: &WriteParameters,
    write_types: &[WriteType],
    test_write: bool,
) -> MediumResult<WriteParameters> {
    if page.vendor_specific.is_some() {
        return Err(bad_field(1, None));
    }
    if page.test_write && !test_write {
        return Err(bad_field(2, Some(4)));
    }
    if !write_types.contains(&page.write_type) {
        return Err(bad_field(2, Some(3)));
    }
    if let MultiSession::Unknown(_) = page.multi_session {
        return Err(bad_field(3, Some(7)));
    }
    if page.data_block_type != DataBlockType::Mode1 {
        return Err(bad_field(4, Some(3)));
    }
    let mut accepted = page.clone();
    accepted.ps = false;
    Ok(accepted)
}
