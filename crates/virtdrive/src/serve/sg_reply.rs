//! How the emulator's answer to one command becomes the output fields of a Linux
//! `struct sg_io_hdr`, as the sg driver fills them for a real drive.
//!
//! - GOOD: everything zero but `resid` (bytes of the data phase not transferred).
//! - CHECK CONDITION: `status` 0x02, `masked_status` 0x01 (the status shifted right by one),
//!   `driver_status` 0x08 (DRIVER_SENSE, "sense data was captured"), `info` bit 0
//!   (SG_INFO_CHECK) and the sense bytes with their length (`sb_len_wr`).
//! - A timeout: `host_status` DID_TIME_OUT (0x03) and SG_INFO_CHECK, nothing transferred.
//! - A device gone: the ioctl itself fails with ENODEV, as SG_IO on a detached device does.
//! - Another client's exclusive lock (a fault plan): EBUSY; a command the transport refused:
//!   EINVAL; any other transport failure: `host_status` DID_ERROR (0x07).
//!
//! libburn counts any sense bytes or any non-zero host or driver status as an error, so GOOD
//! carries none of them.

use mmc_core::{Completion, TransportError};

use super::protocol::{errno, SgReply};

/// `host_status`: the command timed out.
pub const DID_TIME_OUT: u16 = 0x03;
/// `host_status`: an internal error of the host adapter.
pub const DID_ERROR: u16 = 0x07;
/// `driver_status`: sense data was captured.
pub const DRIVER_SENSE: u16 = 0x08;
/// `info` bit 0: something other than GOOD happened.
pub const SG_INFO_CHECK: u32 = 0x01;

/// The reply for `outcome`; `data_in` is the host's data-in buffer after the command (the
/// transferred prefix is sent back), `dxfer_len` the bytes the host offered.
pub fn sg_reply(
    outcome: Result<Completion, TransportError>,
    dxfer_len: usize,
    data_in: &[u8],
    duration_ms: u32,
) -> SgReply {
    let all_residual = i32::try_from(dxfer_len).unwrap_or(i32::MAX);
    match outcome {
        Ok(c) => {
            let status = c.status.to_u8();
            let driver_status = if c.sense.is_empty() { 0 } else { DRIVER_SENSE };
            let transferred = c.transferred(dxfer_len);
            SgReply {
                status,
                masked_status: (status >> 1) & 0x7F,
                driver_status,
                info: if status != 0 || driver_status != 0 {
                    SG_INFO_CHECK
                } else {
                    0
                },
                resid: i32::try_from(c.residual.min(dxfer_len)).unwrap_or(i32::MAX),
                duration_ms,
                sense: c.sense.as_slice().to_vec(),
                data_in: data_in.get(..transferred).unwrap_or(data_in).to_vec(),
                ..SgReply::default()
            }
        }
        Err(TransportError::Timeout) => SgReply {
            host_status: DID_TIME_OUT,
            info: SG_INFO_CHECK,
            resid: all_residual,
            duration_ms,
            ..SgReply::default()
        },
        Err(TransportError::DeviceGone) => failed(errno::ENODEV),
        Err(TransportError::Locked { .. }) => failed(errno::EBUSY),
        Err(TransportError::Rejected(_)) => failed(errno::EINVAL),
        Err(TransportError::InvalidHandle) => failed(errno::EBADF),
        Err(TransportError::Other(_)) => SgReply {
            host_status: DID_ERROR,
            info: SG_INFO_CHECK,
            resid: all_residual,
            duration_ms,
            ..SgReply::default()
        },
    }
}

/// The SG_IO ioctl fails with `errno`.
pub fn failed(errno: i32) -> SgReply {
    SgReply {
        errno,
        ..SgReply::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_condition_sets_driver_sense_and_info() {
        let sense = [
            0x70, 0, 0x07, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x27, 0x00, 0, 0, 0, 0,
        ];
        let r = sg_reply(Ok(Completion::check_condition(&sense, 2048)), 2048, &[], 1);
        assert_eq!((r.status, r.masked_status), (0x02, 0x01));
        assert_eq!((r.host_status, r.driver_status, r.info), (0, 0x08, 1));
        assert_eq!((r.resid, r.errno), (2048, 0));
        assert_eq!(r.sense, sense);
        assert!(r.data_in.is_empty());
    }

    #[test]
    fn good_has_no_sense_and_sends_only_what_was_transferred() {
        let buf = [1u8, 2, 3, 4, 0, 0, 0, 0];
        let r = sg_reply(Ok(Completion::good_with_residual(4)), 8, &buf, 0);
        assert_eq!(r.status, 0);
        assert_eq!((r.host_status, r.driver_status, r.info), (0, 0, 0));
        assert_eq!(r.resid, 4);
        assert_eq!(r.data_in, [1, 2, 3, 4]);
        assert!(r.sense.is_empty());
    }

    #[test]
    fn transport_failures_map_to_host_status_or_errno() {
        let r = sg_reply(Err(TransportError::Timeout), 512, &[0; 512], 0);
        assert_eq!((r.host_status, r.info, r.resid, r.errno), (0x03, 1, 512, 0));
        assert_eq!(
            sg_reply(Err(TransportError::DeviceGone), 0, &[], 0).errno,
            19 // ENODEV
        );
        assert_eq!(
            sg_reply(Err(TransportError::Locked { owner: None }), 0, &[], 0).errno,
            16 // EBUSY
        );
        let r = sg_reply(Err(TransportError::Other("x".into())), 0, &[], 0);
        assert_eq!((r.host_status, r.info), (0x07, 1));
    }
}
