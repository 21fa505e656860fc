//! `struct sg_io_hdr`, version 3 of the Linux SCSI generic interface (`<scsi/sg.h>`), and the
//! numbers that go with it.

use core::ffi::c_void;

/// `SG_IO`: one command, synchronously. Not an `_IOWR` encoding: the number is bare.
pub const SG_IO: u32 = 0x2285;
/// `SG_GET_VERSION_NUM`: the driver's version as an int (30536 is 3.5.36).
pub const SG_GET_VERSION_NUM: u32 = 0x2282;
/// `SG_SET_RESERVED_SIZE`: asks for a reserved buffer of an int's bytes; the sg driver grants
/// at most the queue's max_sectors (sg.c, sg_ioctl), less when memory is short.
pub const SG_SET_RESERVED_SIZE: u32 = 0x2275;
/// `SG_GET_RESERVED_SIZE`: the reserved buffer's size, as an int.
pub const SG_GET_RESERVED_SIZE: u32 = 0x2272;
/// `SCSI_IOCTL_GET_IDLUN` (both sr and sg): two ints, `target | lun << 8 | channel << 16 |
/// host << 24` and a unique host id.
pub const SCSI_IOCTL_GET_IDLUN: u32 = 0x5382;
/// `BLKSECTGET` (`_IO(0x12, 103)`). Careful: on a block node it writes an unsigned short, the
/// queue's max_sectors in 512-byte sectors (block/ioctl.c); on an sg node an int, the same
/// limit in bytes (sg.c, sg_ioctl).
pub const BLKSECTGET: u32 = 0x1267;
/// The oldest driver with the v3 `sg_io_hdr` interface (3.0.0).
pub const SG_MIN_VERSION: i32 = 30000;

/// `interface_id` of a v3 header: `'S'`.
pub const SG_INTERFACE_ID_ORIG: i32 = b'S' as i32;
/// `dxfer_direction`: no data phase.
pub const SG_DXFER_NONE: i32 = -1;
/// `dxfer_direction`: data-out, host to device.
pub const SG_DXFER_TO_DEV: i32 = -2;
/// `dxfer_direction`: data-in, device to host.
pub const SG_DXFER_FROM_DEV: i32 = -3;

/// The sense buffer offered with each command (`mx_sb_len`): the most SPC sense data can be.
pub const SENSE_LEN: usize = 252;
// `mx_sb_len` is a u8.
const _: () = assert!(SENSE_LEN <= u8::MAX as usize);

/// `host_status`: the host adapter's verdict (Linux `DID_*`, include/scsi/scsi_status.h).
pub const DID_OK: u16 = 0x00;
/// No connection to the target before the timeout.
pub const DID_NO_CONNECT: u16 = 0x01;
/// The bus stayed busy until the timeout: the command was never sent.
pub const DID_BUS_BUSY: u16 = 0x02;
pub const DID_TIME_OUT: u16 = 0x03;
pub const DID_BAD_TARGET: u16 = 0x04;
pub const DID_ABORT: u16 = 0x05;
pub const DID_PARITY: u16 = 0x06;
/// An internal error of the host adapter.
pub const DID_ERROR: u16 = 0x07;
/// The bus or the device was reset while the command ran.
pub const DID_RESET: u16 = 0x08;
pub const DID_BAD_INTR: u16 = 0x09;
/// "Force the command past the mid-layer": the mid-layer clears it before a completion
/// reaches anyone (scsi_error.c, scsi_decide_disposition), and sg.c's old result code counts
/// it with DID_OK.
pub const DID_PASSTHROUGH: u16 = 0x0A;
/// The low-level driver asks for the command to be sent again.
pub const DID_SOFT_ERROR: u16 = 0x0B;
/// Send again at once.
pub const DID_IMM_RETRY: u16 = 0x0C;
/// Put back in the queue and send again.
pub const DID_REQUEUE: u16 = 0x0D;
pub const DID_TRANSPORT_DISRUPTED: u16 = 0x0E;
pub const DID_TRANSPORT_FAILFAST: u16 = 0x0F;
pub const DID_TARGET_FAILURE: u16 = 0x10;
pub const DID_NEXUS_FAILURE: u16 = 0x11;
pub const DID_ALLOC_FAILURE: u16 = 0x12;
pub const DID_MEDIUM_ERROR: u16 = 0x13;
pub const DID_TRANSPORT_MARGINAL: u16 = 0x14;

// `driver_status` (the old kernel "driver byte", include/scsi/scsi.h before 5.14 and
// sg3_utils' sg_io_linux.h): bits 0-2 hold one DRIVER_* verdict, bit 3 is DRIVER_SENSE, a
// flag ORed onto the verdict (the kernel tests it as `driver_byte(result) & DRIVER_SENSE`),
// and the high nibble holds obsolete SUGGEST_* hints, ignored. 0x0E is DRIVER_TIMEOUT with
// sense captured, not an unknown code.

pub const DRIVER_OK: u16 = 0x00;
pub const DRIVER_BUSY: u16 = 0x01;
pub const DRIVER_SOFT: u16 = 0x02;
pub const DRIVER_MEDIA: u16 = 0x03;
pub const DRIVER_ERROR: u16 = 0x04;
pub const DRIVER_INVALID: u16 = 0x05;
/// The mid-layer's timer ran out on the command.
pub const DRIVER_TIMEOUT: u16 = 0x06;
pub const DRIVER_HARD: u16 = 0x07;
/// Flag: sense data was captured. Not an error by itself.
pub const DRIVER_SENSE: u16 = 0x08;
/// The bits of `driver_status` that hold the DRIVER_* verdict.
pub const DRIVER_CODE_MASK: u16 = 0x07;
/// The bits of `driver_status` that held the obsolete SUGGEST_* hints.
pub const SUGGEST_MASK: u16 = 0xF0;
pub const SUGGEST_RETRY: u16 = 0x10;
pub const SUGGEST_ABORT: u16 = 0x20;
pub const SUGGEST_REMAP: u16 = 0x30;
pub const SUGGEST_DIE: u16 = 0x40;
pub const SUGGEST_SENSE: u16 = 0x80;

/// `info` bit 0: something other than GOOD happened (`SG_INFO_CHECK`).
pub const SG_INFO_CHECK: u32 = 0x01;

/// `sg_io_hdr_t` as `<scsi/sg.h>` defines it: 88 bytes on 64-bit Linux.
///
/// The pointer fields are plain addresses here; only the `SG_IO` call inside [`super::SgDevice`] fills them, from
/// buffers that outlive the `SG_IO` call, and clears them again before handing a header back.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SgIoHdr {
    /// `'S'` ([`SG_INTERFACE_ID_ORIG`]).
    pub interface_id: i32,
    /// One of the `SG_DXFER_*` directions.
    pub dxfer_direction: i32,
    /// Bytes of the CDB at `cmdp`.
    pub cmd_len: u8,
    /// Bytes the sense buffer at `sbp` can take.
    pub mx_sb_len: u8,
    /// Scatter-gather entries at `dxferp`; 0: `dxferp` is one buffer.
    pub iovec_count: u16,
    /// Bytes of the data buffer.
    pub dxfer_len: u32,
    pub dxferp: *mut c_void,
    /// The CDB (only read by the kernel).
    pub cmdp: *mut u8,
    /// The sense buffer.
    pub sbp: *mut u8,
    /// Milliseconds before the host adapter aborts the command.
    pub timeout: u32,
    pub flags: u32,
    pub pack_id: i32,
    pub usr_ptr: *mut c_void,
    /// Out: the SCSI status byte.
    pub status: u8,
    /// Out: `status` shifted right by one (the old Linux convention).
    pub masked_status: u8,
    pub msg_status: u8,
    /// Out: sense bytes written to `sbp`.
    pub sb_len_wr: u8,
    /// Out: a `DID_*` code.
    pub host_status: u16,
    /// Out: a `DRIVER_*` code.
    pub driver_status: u16,
    /// Out: `dxfer_len` minus the bytes actually transferred.
    pub resid: i32,
    /// Out: milliseconds the command took.
    pub duration: u32,
    /// Out: [`SG_INFO_CHECK`] and friends.
    pub info: u32,
}

impl Default for SgIoHdr {
    /// A v3 header with no command, no buffers and every result zero.
    fn default() -> Self {
        SgIoHdr {
            interface_id: SG_INTERFACE_ID_ORIG,
            dxfer_direction: SG_DXFER_NONE,
            cmd_len: 0,
            mx_sb_len: 0,
            iovec_count: 0,
            dxfer_len: 0,
            dxferp: core::ptr::null_mut(),
            cmdp: core::ptr::null_mut(),
            sbp: core::ptr::null_mut(),
            timeout: 0,
            flags: 0,
            pack_id: 0,
            usr_ptr: core::ptr::null_mut(),
            status: 0,
            masked_status: 0,
            msg_status: 0,
            sb_len_wr: 0,
            host_status: 0,
            driver_status: 0,
            resid: 0,
            duration: 0,
            info: 0,
        }
    }
}
