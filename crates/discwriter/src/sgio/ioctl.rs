//! The ioctls, and the crate's only unsafe code: everything that hands the kernel a raw
//! pointer is here, behind functions that build those pointers from borrowed buffers.
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, BorrowedFd};

use mmc_core::{DataPhase, TransportError};
use nix::errno::Errno;
use nix::libc::{c_int, c_ushort};

use super::hdr::{
    SgIoHdr, BLKSECTGET, SCSI_IOCTL_GET_IDLUN, SENSE_LEN, SG_DXFER_FROM_DEV, SG_DXFER_NONE,
    SG_DXFER_TO_DEV, SG_GET_RESERVED_SIZE, SG_GET_VERSION_NUM, SG_IO, SG_SET_RESERVED_SIZE,
};

nix::ioctl_read_bad!(sg_get_version_num, SG_GET_VERSION_NUM, c_int);
nix::ioctl_readwrite_bad!(sg_io_raw, SG_IO, SgIoHdr);
nix::ioctl_read_bad!(sg_get_reserved_size, SG_GET_RESERVED_SIZE, c_int);
nix::ioctl_write_ptr_bad!(sg_set_reserved_size, SG_SET_RESERVED_SIZE, c_int);
nix::ioctl_read_bad!(scsi_get_idlun, SCSI_IOCTL_GET_IDLUN, [c_int; 2]);
nix::ioctl_read_bad!(blksectget_block, BLKSECTGET, c_ushort);
nix::ioctl_read_bad!(blksectget_sg, BLKSECTGET, c_int);

/// The SG driver's version number, or the errno of a device that does not know the ioctl.
pub(super) fn version_num(fd: BorrowedFd<'_>) -> Result<i32, Errno> {
    let mut version: c_int = 0;
    // SAFETY: SG_GET_VERSION_NUM writes one int through its argument, which points at
    // `version`, a live int on this frame; `fd` is borrowed, so it is open for the call.
    unsafe { sg_get_version_num(fd.as_raw_fd(), &mut version) }?;
    Ok(version)
}

/// The SCSI address of the device behind `fd` (an sr or an sg node alike), as
/// `[host, channel, target, lun]`: SCSI_IOCTL_GET_IDLUN packs each in 8 bits of its first int
/// (drivers/scsi/scsi_ioctl.c), which is how libburn compares two nodes.
pub(super) fn scsi_address(fd: BorrowedFd<'_>) -> Result<[u8; 4], Errno> {
    let mut idlun: [c_int; 2] = [0; 2];
    // SAFETY: SCSI_IOCTL_GET_IDLUN writes two ints through its argument, which points at
    // `idlun`, two live ints on this frame; `fd` is borrowed, so it is open for the call.
    unsafe { scsi_get_idlun(fd.as_raw_fd(), &mut idlun) }?;
    let [b0, b1, b2, b3] = idlun[0].to_le_bytes();
    // target | lun << 8 | channel << 16 | host << 24
    Ok([b3, b2, b0, b1])
}

/// Asks the sg driver for a reserved buffer of `bytes` and returns the size it granted
/// (SG_SET_RESERVED_SIZE then SG_GET_RESERVED_SIZE; sg nodes only).
pub(super) fn sg_reserved_size(fd: BorrowedFd<'_>, wanted: c_int) -> Result<c_int, Errno> {
    // A refusal leaves the old buffer in place; its size is still worth reading.
    // SAFETY: SG_SET_RESERVED_SIZE reads one int through its argument, which points at
    // `wanted`, a live int on this frame.
    let _ = unsafe { sg_set_reserved_size(fd.as_raw_fd(), &wanted) };
    let mut granted: c_int = 0;
    // SAFETY: SG_GET_RESERVED_SIZE writes one int through its argument, which points at
    // `granted`, a live int on this frame.
    unsafe { sg_get_reserved_size(fd.as_raw_fd(), &mut granted) }?;
    Ok(granted)
}

/// BLKSECTGET on a block node: the queue's max_sectors, in 512-byte sectors.
pub(super) fn block_max_sectors(fd: BorrowedFd<'_>) -> Result<u16, Errno> {
    let mut sectors: c_ushort = 0;
    // SAFETY: on a block device BLKSECTGET writes one unsigned short through its argument
    // (block/ioctl.c, put_ushort), which points at `sectors`, a live c_ushort on this frame.
    unsafe { blksectget_block(fd.as_raw_fd(), &mut sectors) }?;
    Ok(sectors)
}

/// BLKSECTGET on an sg node: the queue's max_sectors, in bytes.
pub(super) fn sg_max_bytes(fd: BorrowedFd<'_>) -> Result<c_int, Errno> {
    let mut bytes: c_int = 0;
    // SAFETY: on an sg node BLKSECTGET writes one int through its argument (sg.c, sg_ioctl),
    // which points at `bytes`, a live int on this frame.
    unsafe { blksectget_sg(fd.as_raw_fd(), &mut bytes) }?;
    Ok(bytes)
}

/// Sends `cdb` with `data` through SG_IO and returns the completed header, its pointers
/// cleared. The sense bytes land in `sense`. The outer `Err` when the command cannot be
/// issued at all (a CDB or buffer SG_IO cannot take); the inner one when the ioctl failed,
/// with its errno.
pub(super) fn sg_io(
    fd: BorrowedFd<'_>,
    cdb: &[u8],
    data: DataPhase<'_>,
    sense: &mut [u8; SENSE_LEN],
    timeout_ms: u32,
) -> Result<Result<SgIoHdr, Errno>, TransportError> {
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
    Ok(done.map(|_| hdr))
}
