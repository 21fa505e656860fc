//! How a completed `sg_io_hdr` becomes a [`Completion`] or a [`TransportError`]: pure
//! functions, so every case can be tested without a drive.

use mmc_core::wire::SenseBytes;
use mmc_core::{Completion, ScsiStatus, TransportError};
use nix::errno::Errno;

use super::hdr::*;

/// Reads the results of a completed header; `sense_buffer` is the buffer its `sbp` pointed
/// at (only the `sb_len_wr` bytes the driver wrote are used).
///
/// The host adapter's verdict comes first (a command the adapter aborted has no meaningful
/// SCSI status), then the driver's, then the SCSI status byte.
pub fn completion(hdr: &SgIoHdr, sense_buffer: &[u8]) -> Result<Completion, TransportError> {
    match hdr.host_status {
        DID_OK => {}
        DID_TIME_OUT => return Err(TransportError::Timeout),
        DID_NO_CONNECT | DID_BAD_TARGET => return Err(TransportError::DeviceGone),
        other => {
            return Err(TransportError::Other(format!(
                "host adapter status {other:#04x} ({})",
                host_status_name(other)
            )))
        }
    }
    let driver = hdr.driver_status & DRIVER_STATUS_MASK;
    // The mid-layer's own command timer ran out (include/scsi/scsi.h DRIVER_TIMEOUT): the
    // command timed out as surely as with DID_TIME_OUT.
    if driver == DRIVER_TIMEOUT {
        return Err(TransportError::Timeout);
    }
    if driver != 0 && driver != DRIVER_SENSE {
        return Err(TransportError::Other(format!(
            "SG driver status {:#04x} ({})",
            hdr.driver_status,
            driver_status_name(driver)
        )));
    }
    // A negative residual (an overrun reported by some adapters) counts as everything sent.
    let residual = usize::try_from(hdr.resid)
        .unwrap_or(0)
        .min(usize::try_from(hdr.dxfer_len).unwrap_or(usize::MAX));
    // SAM-5 5.3: bit 0 of the status byte is reserved, and Linux's `status_byte()` drops it.
    let status = ScsiStatus::from_u8(hdr.status & 0xFE);
    let written = usize::from(hdr.sb_len_wr).min(sense_buffer.len());
    let sense = sense_buffer.get(..written).unwrap_or(&[]);
    Ok(match status {
        ScsiStatus::CheckCondition => Completion::check_condition(sense, residual),
        // Sense with another status (GOOD with DRIVER_SENSE, as some adapters report a
        // RECOVERED ERROR or a deferred error) is kept for the caller to read: the status
        // decides the outcome, the sense tells what the drive said besides.
        other => Completion {
            status: other,
            sense: SenseBytes::from_slice(sense),
            residual,
        },
    })
}

/// The `timeout` field for `d`: milliseconds rounded up, so a sub-millisecond timeout does
/// not become 0 (which asks for the kernel's default), saturating at `u32::MAX` (49 days).
pub fn timeout_ms(d: core::time::Duration) -> u32 {
    u32::try_from(d.as_micros().div_ceil(1000)).unwrap_or(u32::MAX)
}

/// The transport error for an `SG_IO` ioctl that failed outright.
pub fn errno_error(e: Errno) -> TransportError {
    match e {
        Errno::ENODEV | Errno::ENXIO => TransportError::DeviceGone,
        Errno::EBADF => TransportError::InvalidHandle,
        other => TransportError::Other(format!("SG_IO failed: {other}")),
    }
}

/// Linux's name for a `host_status` (`DID_*`, include/scsi/scsi_status.h).
pub fn host_status_name(code: u16) -> &'static str {
    match code {
        0x00 => "DID_OK",
        0x01 => "DID_NO_CONNECT",
        0x02 => "DID_BUS_BUSY",
        0x03 => "DID_TIME_OUT",
        0x04 => "DID_BAD_TARGET",
        0x05 => "DID_ABORT",
        0x06 => "DID_PARITY",
        0x07 => "DID_ERROR",
        0x08 => "DID_RESET",
        0x09 => "DID_BAD_INTR",
        0x0A => "DID_PASSTHROUGH",
        0x0B => "DID_SOFT_ERROR",
        0x0C => "DID_IMM_RETRY",
        0x0D => "DID_REQUEUE",
        0x0E => "DID_TRANSPORT_DISRUPTED",
        0x0F => "DID_TRANSPORT_FAILFAST",
        _ => "unknown",
    }
}

/// Linux's name for the low nibble of a `driver_status` (`DRIVER_*`).
pub fn driver_status_name(code: u16) -> &'static str {
    match code & DRIVER_STATUS_MASK {
        0x0 => "DRIVER_OK",
        0x1 => "DRIVER_BUSY",
        0x2 => "DRIVER_SOFT",
        0x3 => "DRIVER_MEDIA",
        0x4 => "DRIVER_ERROR",
        0x5 => "DRIVER_INVALID",
        0x6 => "DRIVER_TIMEOUT",
        0x7 => "DRIVER_HARD",
        0x8 => "DRIVER_SENSE",
        _ => "unknown",
    }
}
