//! How a completed `sg_io_hdr` becomes a [`Completion`] or a [`TransportError`], and how a
//! failed `SG_IO` ioctl does: pure functions, so every case can be tested without a drive.
//!
//! | host_status | what the host does |
//! |---|---|
//! | DID_OK, DID_PASSTHROUGH | read the driver status, then the SCSI status |
//! | DID_BUS_BUSY, DID_SOFT_ERROR, DID_IMM_RETRY, DID_REQUEUE | send again (see [`host_verdict`]) |
//! | DID_TIME_OUT | [`TransportError::Timeout`] |
//! | DID_NO_CONNECT, DID_BAD_TARGET | [`TransportError::DeviceGone`] |
//! | any other | [`TransportError::Other`], naming the code |
//!
//! `driver_status`: DRIVER_TIMEOUT (with or without the DRIVER_SENSE flag) is a timeout; any
//! other DRIVER_* verdict is [`TransportError::Other`] unless the drive itself answered CHECK
//! CONDITION with sense, which then decides; DRIVER_SENSE alone is not an error.

use mmc_core::wire::SenseBytes;
use mmc_core::{Completion, ScsiStatus, TransportError};
use nix::errno::Errno;

use super::hdr::*;

/// What a `host_status` asks of the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostVerdict {
    /// The command reached the device: the driver and SCSI status say how it ended.
    Completed,
    /// The command did not run and should simply be sent again, after a short pause.
    Retry,
    /// The command's timeout expired.
    Timeout,
    /// No device answers at that address any more.
    DeviceGone,
    /// The host adapter or the transport failed the command; it is not sent again.
    Failed,
}

/// The verdict of a `host_status`.
///
/// Sent again: DID_BUS_BUSY (the bus stayed busy, the command never went out),
/// DID_SOFT_ERROR (the low-level driver asks for a retry), DID_IMM_RETRY and DID_REQUEUE. The
/// mid-layer retries these itself for its own commands (scsi_error.c,
/// scsi_decide_disposition: `maybe_retry`, NEEDS_RETRY, ADD_TO_MLQUEUE), but a passthrough
/// request from sg or SG_IO is queued with no retries allowed, so they reach user space and
/// the caller retries, as sg3_utils' and libburn's callers do. Not sent again: DID_ERROR and
/// DID_PARITY (the transfer failed part way), DID_RESET (the drive lost its state: its
/// buffer and write parameters; the next command gets UNIT ATTENTION 06/29/xx and the engine
/// decides), DID_ABORT, DID_TRANSPORT_* (a SAN transport recovering or gone) and the rest.
pub fn host_verdict(code: u16) -> HostVerdict {
    match code {
        DID_OK | DID_PASSTHROUGH => HostVerdict::Completed,
        DID_BUS_BUSY | DID_SOFT_ERROR | DID_IMM_RETRY | DID_REQUEUE => HostVerdict::Retry,
        DID_TIME_OUT => HostVerdict::Timeout,
        DID_NO_CONNECT | DID_BAD_TARGET => HostVerdict::DeviceGone,
        _ => HostVerdict::Failed,
    }
}

/// Reads the results of a completed header; `sense_buffer` is the buffer its `sbp` pointed
/// at (only the `sb_len_wr` bytes the driver wrote are used).
///
/// The host adapter's verdict comes first (a command the adapter aborted has no meaningful
/// SCSI status), then the driver's, then the SCSI status byte. A host status that asks for a
/// retry is an error here: [`super::SgDevice`] sends the command again before it gets this far.
pub fn completion(hdr: &SgIoHdr, sense_buffer: &[u8]) -> Result<Completion, TransportError> {
    match host_verdict(hdr.host_status) {
        HostVerdict::Completed => {}
        HostVerdict::Timeout => return Err(TransportError::Timeout),
        HostVerdict::DeviceGone => return Err(TransportError::DeviceGone),
        HostVerdict::Retry | HostVerdict::Failed => {
            return Err(TransportError::Other(format!(
                "host adapter status {:#04x} ({}: {})",
                hdr.host_status,
                host_status_name(hdr.host_status),
                host_status_meaning(hdr.host_status)
            )))
        }
    }
    // SAM-5 5.3: bit 0 of the status byte is reserved, and Linux's `status_byte()` drops it.
    let status = ScsiStatus::from_u8(hdr.status & 0xFE);
    let written = usize::from(hdr.sb_len_wr).min(sense_buffer.len());
    let sense = sense_buffer.get(..written).unwrap_or(&[]);
    let driver = hdr.driver_status & DRIVER_CODE_MASK;
    // The mid-layer's own command timer ran out: the command timed out as surely as with
    // DID_TIME_OUT, whatever sense the error handler collected afterwards.
    if driver == DRIVER_TIMEOUT {
        return Err(TransportError::Timeout);
    }
    // Another DRIVER_* verdict is an error, unless the drive answered CHECK CONDITION with
    // sense of its own: that answer is the more precise one.
    let drive_answered = status == ScsiStatus::CheckCondition && !sense.is_empty();
    if driver != DRIVER_OK && !drive_answered {
        return Err(TransportError::Other(format!(
            "SG driver status {:#04x} ({})",
            hdr.driver_status,
            describe_driver_status(hdr.driver_status)
        )));
    }
    // A negative residual (an overrun reported by some adapters) counts as everything sent.
    let residual = usize::try_from(hdr.resid)
        .unwrap_or(0)
        .min(usize::try_from(hdr.dxfer_len).unwrap_or(usize::MAX));
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

/// What was being sent when an `SG_IO` ioctl failed: enough to say whether the failure is
/// the path's limit on one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IoctlContext {
    /// Bytes of the data phase (`dxfer_len`).
    pub dxfer_len: usize,
    /// The path's limit on one data phase as read when the device was opened, if known.
    pub limit: Option<usize>,
}

/// The transport error for an `SG_IO` ioctl that failed outright (the command never got a
/// status).
///
/// | errno | error | why |
/// |---|---|---|
/// | ENODEV, ENXIO | `DeviceGone` | the device was detached (unplugged, or offline after a reset that failed) |
/// | EBADF | `InvalidHandle` | |
/// | EINVAL, ENOMEM | `Rejected`, naming the size and the known limit | the sg driver cannot map or allocate a data phase that large (blk_rq_map_user against max_hw_sectors, its scatter-gather table) |
/// | EIO on a data phase over the known limit | `Rejected`, as above | the block layer's SG_IO refuses `dxfer_len > max_hw_sectors << 9` with EIO (scsi_ioctl.c, sg_io) |
/// | EIO otherwise | `Other` | an I/O failure below the SCSI layer |
/// | EPERM, EACCES | `Rejected` | the kernel's command filter refused the CDB on this open |
/// | EBUSY | `Locked` | |
/// | ETIMEDOUT | `Timeout` | |
/// | EINTR | `Other`, not sent again | see below |
/// | anything else | `Other`, naming the errno | |
///
/// EINTR: the sg driver waits for an SG_IO interruptibly; a signal ends the wait with EINTR
/// while the command stays in flight (sg.c marks it an orphan and drops its result), so the
/// command may still complete in the drive. Re-issuing it blindly could write a WRITE's data
/// twice on write-once media or close a session twice, so it is reported, never re-sent. The
/// `discwriter` command blocks SIGINT, SIGTERM and SIGHUP in every thread (one thread takes
/// them with sigwait), so SG_IO is not interrupted by them; and the block node's SG_IO waits
/// uninterruptibly (blk_execute_rq), which is one more reason commands go through `/dev/srN`.
pub fn errno_error(e: Errno, ctx: IoctlContext) -> TransportError {
    let over_limit = ctx.limit.is_some_and(|l| ctx.dxfer_len > l);
    match e {
        Errno::ENODEV | Errno::ENXIO => TransportError::DeviceGone,
        Errno::EBADF => TransportError::InvalidHandle,
        Errno::EINVAL | Errno::ENOMEM => TransportError::Rejected(limit_message(e, ctx)),
        Errno::EIO if over_limit => TransportError::Rejected(limit_message(e, ctx)),
        Errno::EIO => TransportError::Other(format!(
            "SG_IO failed with {e} (an I/O failure below the SCSI layer; the command got no status)"
        )),
        Errno::EPERM | Errno::EACCES => TransportError::Rejected(format!(
            "the kernel refused the command on this device ({e}): it needs the device opened read-write, or CAP_SYS_RAWIO"
        )),
        Errno::EBUSY => TransportError::Locked { owner: None },
        Errno::ETIMEDOUT => TransportError::Timeout,
        Errno::EINTR => TransportError::Other(format!(
            "SG_IO was interrupted by a signal ({e}); the command may still complete in the drive, so it was not sent again"
        )),
        other => TransportError::Other(format!("SG_IO failed: {other}")),
    }
}

/// "SG_IO refused a data phase of N bytes (ERRNO): ...", with the known limit.
fn limit_message(e: Errno, ctx: IoctlContext) -> String {
    let size = ctx.dxfer_len;
    match ctx.limit {
        Some(limit) if size > limit => format!(
            "SG_IO refused a data phase of {size} bytes ({e}): more than the {limit} bytes this device path takes in one command"
        ),
        Some(limit) => format!(
            "SG_IO refused a data phase of {size} bytes ({e}), within the {limit} bytes this device path was said to take in one command"
        ),
        None => format!(
            "SG_IO refused a data phase of {size} bytes ({e}); this device path reported no limit on one command's data"
        ),
    }
}

/// Linux's name for a `host_status` (`DID_*`, include/scsi/scsi_status.h).
pub fn host_status_name(code: u16) -> &'static str {
    match code {
        DID_OK => "DID_OK",
        DID_NO_CONNECT => "DID_NO_CONNECT",
        DID_BUS_BUSY => "DID_BUS_BUSY",
        DID_TIME_OUT => "DID_TIME_OUT",
        DID_BAD_TARGET => "DID_BAD_TARGET",
        DID_ABORT => "DID_ABORT",
        DID_PARITY => "DID_PARITY",
        DID_ERROR => "DID_ERROR",
        DID_RESET => "DID_RESET",
        DID_BAD_INTR => "DID_BAD_INTR",
        DID_PASSTHROUGH => "DID_PASSTHROUGH",
        DID_SOFT_ERROR => "DID_SOFT_ERROR",
        DID_IMM_RETRY => "DID_IMM_RETRY",
        DID_REQUEUE => "DID_REQUEUE",
        DID_TRANSPORT_DISRUPTED => "DID_TRANSPORT_DISRUPTED",
        DID_TRANSPORT_FAILFAST => "DID_TRANSPORT_FAILFAST",
        DID_TARGET_FAILURE => "DID_TARGET_FAILURE",
        DID_NEXUS_FAILURE => "DID_NEXUS_FAILURE",
        DID_ALLOC_FAILURE => "DID_ALLOC_FAILURE",
        DID_MEDIUM_ERROR => "DID_MEDIUM_ERROR",
        DID_TRANSPORT_MARGINAL => "DID_TRANSPORT_MARGINAL",
        _ => "unknown",
    }
}

/// What a `host_status` says happened, in plain words.
fn host_status_meaning(code: u16) -> &'static str {
    match code {
        DID_BUS_BUSY => "the bus stayed busy",
        DID_ABORT => "the command was aborted",
        DID_PARITY => "a parity error on the bus",
        DID_ERROR => "an internal error of the host adapter",
        DID_RESET => "the bus or the drive was reset; the drive may have lost its state",
        DID_BAD_INTR => "an unexpected interrupt",
        DID_SOFT_ERROR => "the low-level driver asked for a retry",
        DID_IMM_RETRY | DID_REQUEUE => "the host asked for the command to be sent again",
        DID_TRANSPORT_DISRUPTED | DID_TRANSPORT_MARGINAL => "the transport is disrupted",
        DID_TRANSPORT_FAILFAST => "the transport failed the command at once",
        DID_TARGET_FAILURE => "the drive failed the command permanently",
        DID_NEXUS_FAILURE => "another initiator's reservation",
        DID_ALLOC_FAILURE => "the drive could not allocate space",
        DID_MEDIUM_ERROR => "a medium error",
        _ => "the command did not complete",
    }
}

/// Linux's name for a DRIVER_* verdict (the low three bits of a `driver_status`).
pub fn driver_code_name(code: u16) -> &'static str {
    match code & DRIVER_CODE_MASK {
        DRIVER_OK => "DRIVER_OK",
        DRIVER_BUSY => "DRIVER_BUSY",
        DRIVER_SOFT => "DRIVER_SOFT",
        DRIVER_MEDIA => "DRIVER_MEDIA",
        DRIVER_ERROR => "DRIVER_ERROR",
        DRIVER_INVALID => "DRIVER_INVALID",
        DRIVER_TIMEOUT => "DRIVER_TIMEOUT",
        _ => "DRIVER_HARD",
    }
}

/// A whole `driver_status` in words: its verdict, the DRIVER_SENSE flag and any SUGGEST_*
/// hint, as `DRIVER_TIMEOUT | DRIVER_SENSE`.
pub fn describe_driver_status(driver_status: u16) -> String {
    let mut parts = vec![driver_code_name(driver_status)];
    if driver_status & DRIVER_SENSE != 0 {
        parts.push("DRIVER_SENSE");
    }
    match driver_status & SUGGEST_MASK {
        0 => {}
        SUGGEST_RETRY => parts.push("SUGGEST_RETRY"),
        SUGGEST_ABORT => parts.push("SUGGEST_ABORT"),
        SUGGEST_REMAP => parts.push("SUGGEST_REMAP"),
        SUGGEST_DIE => parts.push("SUGGEST_DIE"),
        SUGGEST_SENSE => parts.push("SUGGEST_SENSE"),
        _ => parts.push("unknown SUGGEST_* bits"),
    }
    if driver_status > 0xFF {
        parts.push("unknown high bits");
    }
    parts.join(" | ")
}
