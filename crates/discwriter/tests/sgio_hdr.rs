//! The `sg_io_hdr` layout against `<scsi/sg.h>`, and how its results become completions.
#![cfg(all(feature = "sgio", target_os = "linux"))]

use core::mem::{offset_of, size_of};

use discwriter::sgio::hdr::*;
use discwriter::sgio::status::{completion, errno_error, timeout_ms, IoctlContext};
use mmc_core::{ScsiStatus, TransportError};
use nix::errno::Errno;

/// Offsets typed in from `offsetof` on `sg_io_hdr_t` of the system's `<scsi/sg.h>` (x86-64).
#[test]
#[cfg(target_pointer_width = "64")]
fn sg_io_hdr_has_the_kernel_layout() {
    assert_eq!(size_of::<SgIoHdr>(), 88);
    assert_eq!(offset_of!(SgIoHdr, interface_id), 0);
    assert_eq!(offset_of!(SgIoHdr, dxfer_direction), 4);
    assert_eq!(offset_of!(SgIoHdr, cmd_len), 8);
    assert_eq!(offset_of!(SgIoHdr, mx_sb_len), 9);
    assert_eq!(offset_of!(SgIoHdr, iovec_count), 10);
    assert_eq!(offset_of!(SgIoHdr, dxfer_len), 12);
    assert_eq!(offset_of!(SgIoHdr, dxferp), 16);
    assert_eq!(offset_of!(SgIoHdr, cmdp), 24);
    assert_eq!(offset_of!(SgIoHdr, sbp), 32);
    assert_eq!(offset_of!(SgIoHdr, timeout), 40);
    assert_eq!(offset_of!(SgIoHdr, flags), 44);
    assert_eq!(offset_of!(SgIoHdr, pack_id), 48);
    assert_eq!(offset_of!(SgIoHdr, usr_ptr), 56);
    assert_eq!(offset_of!(SgIoHdr, status), 64);
    assert_eq!(offset_of!(SgIoHdr, masked_status), 65);
    assert_eq!(offset_of!(SgIoHdr, msg_status), 66);
    assert_eq!(offset_of!(SgIoHdr, sb_len_wr), 67);
    assert_eq!(offset_of!(SgIoHdr, host_status), 68);
    assert_eq!(offset_of!(SgIoHdr, driver_status), 70);
    assert_eq!(offset_of!(SgIoHdr, resid), 72);
    assert_eq!(offset_of!(SgIoHdr, duration), 76);
    assert_eq!(offset_of!(SgIoHdr, info), 80);
}

#[test]
fn sg_numbers_are_the_kernels() {
    assert_eq!(SG_IO, 0x2285);
    assert_eq!(SG_GET_VERSION_NUM, 0x2282);
    assert_eq!(SG_INTERFACE_ID_ORIG, 0x53); // 'S'
    assert_eq!(
        (SG_DXFER_NONE, SG_DXFER_TO_DEV, SG_DXFER_FROM_DEV),
        (-1, -2, -3)
    );
    assert_eq!(SgIoHdr::default().interface_id, 0x53);
}

/// A header as the kernel hands it back after a data-in command of `dxfer_len` bytes.
fn reply(dxfer_len: u32) -> SgIoHdr {
    SgIoHdr {
        dxfer_direction: SG_DXFER_FROM_DEV,
        cmd_len: 10,
        mx_sb_len: 252,
        dxfer_len,
        ..SgIoHdr::default()
    }
}

/// MEDIUM NOT PRESENT, fixed format (SK 2h, ASC 3Ah).
const NOT_READY_SENSE: [u8; 18] = [
    0x70, // current, fixed format
    0x00, 0x02, // sense key NOT READY
    0, 0, 0, 0,    // information
    0x0A, // additional length
    0, 0, 0, 0, // command-specific
    0x3A, 0x00, // ASC/ASCQ: medium not present
    0, 0, 0, 0,
];

#[test]
fn good_status_is_a_good_completion_with_the_residual() {
    let c = completion(&reply(2048), &[0; 252]).unwrap();
    assert!(c.is_good());
    assert_eq!(c.residual, 0);
    assert!(c.sense.is_empty());

    let hdr = SgIoHdr {
        resid: 2040,
        ..reply(2048)
    };
    let c = completion(&hdr, &[0; 252]).unwrap();
    assert_eq!(c.status, ScsiStatus::Good);
    assert_eq!(c.transferred(2048), 8);
}

#[test]
fn residual_is_clamped_to_the_buffer_and_never_negative() {
    let over = SgIoHdr {
        resid: 5000,
        ..reply(2048)
    };
    assert_eq!(completion(&over, &[]).unwrap().residual, 2048);
    let negative = SgIoHdr {
        resid: -4,
        ..reply(2048)
    };
    assert_eq!(completion(&negative, &[]).unwrap().residual, 0);
}

#[test]
fn check_condition_carries_the_sense_the_driver_wrote() {
    let mut sense = [0xEEu8; 252];
    sense[..18].copy_from_slice(&NOT_READY_SENSE);
    // What the sg driver reports for CHECK CONDITION (sg.c, sg_rq_end_io).
    let hdr = SgIoHdr {
        status: 0x02,
        masked_status: 0x01,
        driver_status: DRIVER_SENSE,
        sb_len_wr: 18,
        info: SG_INFO_CHECK,
        resid: 96,
        ..reply(96)
    };
    let c = completion(&hdr, &sense).unwrap();
    assert_eq!(c.status, ScsiStatus::CheckCondition);
    assert_eq!(c.sense.as_slice(), &NOT_READY_SENSE[..]);
    assert_eq!(c.residual, 96);
    let t = c.sense_triple().unwrap();
    assert_eq!((t.key.to_u8(), t.asc, t.ascq), (0x02, 0x3A, 0x00));
}

#[test]
fn sense_length_beyond_the_buffer_is_cut_to_it() {
    let hdr = SgIoHdr {
        status: 0x02,
        driver_status: DRIVER_SENSE,
        sb_len_wr: 200,
        ..reply(0)
    };
    let c = completion(&hdr, &NOT_READY_SENSE).unwrap();
    assert_eq!(c.sense.len(), 18);
}

#[test]
fn other_scsi_statuses_are_kept_and_the_reserved_bit_dropped() {
    let busy = SgIoHdr {
        status: 0x08,
        ..reply(0)
    };
    assert_eq!(completion(&busy, &[]).unwrap().status, ScsiStatus::Busy);
    let check_with_bit0 = SgIoHdr {
        status: 0x03,
        ..reply(0)
    };
    assert_eq!(
        completion(&check_with_bit0, &[]).unwrap().status,
        ScsiStatus::CheckCondition
    );
}

#[test]
fn did_time_out_is_a_timeout() {
    let hdr = SgIoHdr {
        host_status: 0x03,
        ..reply(65536)
    };
    assert_eq!(completion(&hdr, &[]), Err(TransportError::Timeout));
}

#[test]
fn driver_timeout_is_a_timeout_too() {
    // DRIVER_TIMEOUT (0x06), with an old "suggest" bit in the high nibble.
    let hdr = SgIoHdr {
        driver_status: 0x16,
        ..reply(2048)
    };
    assert_eq!(completion(&hdr, &[]), Err(TransportError::Timeout));
}

#[test]
fn sense_with_good_status_is_kept_and_the_command_is_still_good() {
    // RECOVERED ERROR (01/17/01, recovered with retries) reported with GOOD.
    let mut recovered = NOT_READY_SENSE;
    recovered[2] = 0x01;
    recovered[12] = 0x17;
    recovered[13] = 0x01;
    let hdr = SgIoHdr {
        status: 0x00,
        driver_status: DRIVER_SENSE,
        sb_len_wr: 18,
        ..reply(2048)
    };
    let c = completion(&hdr, &recovered).unwrap();
    assert!(c.is_good());
    assert_eq!(c.residual, 0);
    let t = c.sense_triple().unwrap();
    assert_eq!((t.key.to_u8(), t.asc, t.ascq), (0x01, 0x17, 0x01));
}

#[test]
fn no_connect_and_bad_target_mean_the_device_is_gone() {
    for host_status in [0x01, 0x04] {
        let hdr = SgIoHdr {
            host_status,
            ..reply(0)
        };
        assert_eq!(completion(&hdr, &[]), Err(TransportError::DeviceGone));
    }
}

#[test]
fn other_host_and_driver_errors_name_their_numbers() {
    let reset = SgIoHdr {
        host_status: 0x08,
        ..reply(0)
    };
    let Err(TransportError::Other(m)) = completion(&reset, &[]) else {
        panic!("DID_RESET must be an error");
    };
    assert!(m.contains("0x08") && m.contains("DID_RESET"), "{m}");

    // DRIVER_ERROR with the old "suggest" bits in the high nibble.
    let driver = SgIoHdr {
        driver_status: 0x24,
        ..reply(0)
    };
    let Err(TransportError::Other(m)) = completion(&driver, &[]) else {
        panic!("DRIVER_ERROR must be an error");
    };
    assert!(m.contains("0x24") && m.contains("DRIVER_ERROR"), "{m}");
}

#[test]
fn ioctl_errnos_map_to_transport_errors() {
    let ctx = IoctlContext {
        dxfer_len: 0,
        limit: None,
    };
    assert_eq!(errno_error(Errno::ENODEV, ctx), TransportError::DeviceGone);
    assert_eq!(errno_error(Errno::ENXIO, ctx), TransportError::DeviceGone);
    assert_eq!(
        errno_error(Errno::EBADF, ctx),
        TransportError::InvalidHandle
    );
    let TransportError::Rejected(m) = errno_error(Errno::ENOMEM, ctx) else {
        panic!("ENOMEM is the path's limit on one transfer");
    };
    assert!(m.contains("ENOMEM"), "{m}");
}

#[test]
fn timeouts_are_whole_milliseconds_rounded_up_and_saturated() {
    use core::time::Duration;
    assert_eq!(timeout_ms(Duration::from_secs(10)), 10_000);
    assert_eq!(timeout_ms(Duration::from_micros(1)), 1);
    assert_eq!(timeout_ms(Duration::from_micros(1500)), 2);
    assert_eq!(timeout_ms(Duration::ZERO), 0);
    assert_eq!(timeout_ms(Duration::from_secs(5_000_000)), u32::MAX);
}
