//! The two ioctls, and the crate's only unsafe code: everything that hands the kernel a raw
//! pointer is here, behind functions that build those pointers from borrowed buffers.
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd};

use mmc_core::{DataPhase, TransportError};
use nix::errno::Errno;
use nix::libc::c_int;

use super::hdr::{
    SgIoHdr, SENSE_LEN, SG_DXFER_FROM_DEV, SG_DXFER_NONE, SG_DXFER_TO_DEV, SG_GET_VERSION_NUM,
    SG_IO,
};

nix::ioctl_read_bad!(sg_get_version_num, SG_GET_VERSION_NUM, c_int);
nix::ioctl_readwrite_bad!(sg_io_raw, SG_IO, SgIoHdr);

/// The SG driver's version number, or the errno of a device that does not know the ioctl.
pub(super) fn version_num(fd: BorrowedFd<'_>) -> Result<i32, Errno> {
    let mut version: c_int = 0;
    // SAFETY: SG_GET_VERSION_NUM writes one int through its argument, which points at
    // `version`, a live int on this frame; `fd` is borrowed, so it is open for the call.
    unsafe { sg_get_version_num(fd.as_raw_fd(), &mut version) }?;
    Ok(version)
}

/// Sends `cdb` with `data` through SG_IO and returns the completed header, its pointers
/// cleared. The sense bytes land in `sense`. `Err` when the command could not be issued
/// (a CDB or buffer SG_IO cannot take, or the ioctl itself failed).
pub(super) fn sg_io(
    fd: BorrowedFd<'_>,
    cdb: &[u8],
    data: DataPhase<'_>,
    sense: &mut [u8; SENSE_LEN],
    timeout_ms: u32,
) -> Result<SgIoHdr, TransportError> {
    let mut cdb_copy = [0u8; 16];
    let cmd_len = match u8::try_from(cdb.len()) {
        Ok(n @ 1..=16) => n,
        _ => {
            return Err(TransportError::Rejected(format!(
                "a CDB of {} bytes; SG_IO takes 1 to 16",
                cdb.len()
            )))
        }
    };
    for (dst, src) in cdb_copy.iter_mut().zip(cdb) {
        *dst = *src;
    }
    let (direction, dxferp, len) = match data {
        DataPhase::In(buf) if !buf.is_empty() => {
            (SG_DXFER_FROM_DEV, buf.as_mut_ptr().cast(), buf.len())
        }
        // The kernel only reads a data-out buffer; the field is `void *` in C for both ways.
        DataPhase::Out(buf) if !buf.is_empty() => {
            (SG_DXFER_TO_DEV, buf.as_ptr().cast_mut().cast(), buf.len())
        }
        _ => (SG_DXFER_NONE, core::ptr::null_mut(), 0),
    };
    let dxfer_len = u32::try_from(len).map_err(|_| {
        TransportError::Rejected(format!(
            "a data phase of {len} bytes; SG_IO takes 4 GiB at most"
        ))
    })?;
    let mut hdr = SgIoHdr {
        dxfer_direction: direction,
        cmd_len,
        mx_sb_len: SENSE_LEN as u8,
        dxfer_len,
        dxferp,
        cmdp: cdb_copy.as_mut_ptr(),
        sbp: sense.as_mut_ptr(),
        timeout: timeout_ms,
        ..SgIoHdr::default()
    };
    // SAFETY: `hdr` is a complete v3 header. `cmdp` points at `cdb_copy` (16 bytes, at least
    // `cmd_len`), `sbp` at `sense` (SENSE_LEN bytes, exactly `mx_sb_len`), and `dxferp` at the
    // caller's buffer of exactly `dxfer_len` bytes (null with SG_DXFER_NONE), writable when
    // the kernel writes it (data-in). All of them are borrowed for this whole function and
    // SG_IO is synchronous: the kernel is done with every pointer when the ioctl returns.
    // `iovec_count` is 0, so `dxferp` is read as one buffer, not as an iovec array.
    let done = unsafe { sg_io_raw(fd.as_raw_fd(), &mut hdr) };
    hdr.dxferp = core::ptr::null_mut();
    hdr.cmdp = core::ptr::null_mut();
    hdr.sbp = core::ptr::null_mut();
    done.map_err(super::status::errno_error)?;
    Ok(hdr)
}
