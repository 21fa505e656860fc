//! The status mapping of the SG_IO transport, table by table: every Linux host status
//! (`DID_*`), the driver status (its DRIVER_* verdict, the DRIVER_SENSE flag and the old
//! SUGGEST_* nibble), and every errno the ioctl can fail with. Each row is what
//! `docs/real-drives.md` documents.
#![cfg(all(feature = "sgio", target_os = "linux"))]

use discwriter::sgio::hdr::*;
use discwriter::sgio::status::{
    completion, describe_driver_status, errno_error, host_verdict, HostVerdict, IoctlContext,
};
use mmc_core::{ScsiStatus, TransportError};
use nix::errno::Errno;

/// A header back from a 2048-byte data-in command with these statuses.
fn hdr(status: u8, host_status: u16, driver_status: u16, sb_len_wr: u8) -> SgIoHdr {
    SgIoHdr {
        dxfer_direction: SG_DXFER_FROM_DEV,
        cmd_len: 10,
        mx_sb_len: 252,
        dxfer_len: 2048,
        status,
        masked_status: status >> 1,
        host_status,
        driver_status,
        sb_len_wr,
        ..SgIoHdr::default()
    }
}

/// MEDIUM ERROR, unrecovered read error (03/11/00), fixed format.
const SENSE: [u8; 18] = [
    0x70, 0, 0x03, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0,
];

/// What a row expects of `completion`.
#[derive(Debug)]
enum Expect {
    Good,
    CheckCondition,
    Timeout,
    Gone,
    /// `TransportError::Other` whose message has every one of these words.
    Other(&'static [&'static str]),
}

fn check(row: &str, got: Result<mmc_core::Completion, TransportError>, want: &Expect) {
    match (want, &got) {
        (Expect::Good, Ok(c)) if c.is_good() => {}
        (Expect::CheckCondition, Ok(c)) if c.status == ScsiStatus::CheckCondition => {
            assert_eq!(c.sense.as_slice(), &SENSE[..], "{row}")
        }
        (Expect::Timeout, Err(TransportError::Timeout)) => {}
        (Expect::Gone, Err(TransportError::DeviceGone)) => {}
        (Expect::Other(words), Err(TransportError::Other(m))) => {
            for w in *words {
                assert!(m.contains(w), "{row}: {w:?} in {m:?}");
            }
        }
        _ => panic!("{row}: expected {want:?}, got {got:?}"),
    }
}

#[test]
fn every_host_status_has_its_verdict() {
    use Expect::*;
    use HostVerdict::{Completed, DeviceGone, Failed, Retry};
    let table: &[(u16, HostVerdict, Expect)] = &[
        (0x00, Completed, Good),
        (0x01, DeviceGone, Gone),
        (0x02, Retry, Other(&["0x02", "DID_BUS_BUSY"])),
        (0x03, HostVerdict::Timeout, Timeout),
        (0x04, DeviceGone, Gone),
        (0x05, Failed, Other(&["0x05", "DID_ABORT"])),
        (0x06, Failed, Other(&["0x06", "DID_PARITY"])),
        (0x07, Failed, Other(&["0x07", "DID_ERROR"])),
        (
            0x08,
            Failed,
            Other(&["0x08", "DID_RESET", "lost its state"]),
        ),
        (0x09, Failed, Other(&["0x09", "DID_BAD_INTR"])),
        // Cleared by the mid-layer before anyone sees it; counted with DID_OK.
        (0x0A, Completed, Good),
        (0x0B, Retry, Other(&["0x0b", "DID_SOFT_ERROR"])),
        (0x0C, Retry, Other(&["0x0c", "DID_IMM_RETRY"])),
        (0x0D, Retry, Other(&["0x0d", "DID_REQUEUE"])),
        (0x0E, Failed, Other(&["0x0e", "DID_TRANSPORT_DISRUPTED"])),
        (0x0F, Failed, Other(&["0x0f", "DID_TRANSPORT_FAILFAST"])),
        (0x10, Failed, Other(&["0x10", "DID_TARGET_FAILURE"])),
        (0x11, Failed, Other(&["0x11", "DID_NEXUS_FAILURE"])),
        (0x12, Failed, Other(&["0x12", "DID_ALLOC_FAILURE"])),
        (0x13, Failed, Other(&["0x13", "DID_MEDIUM_ERROR"])),
        (0x14, Failed, Other(&["0x14", "DID_TRANSPORT_MARGINAL"])),
        (0x15, Failed, Other(&["0x15", "unknown"])),
        (0xFF, Failed, Other(&["0xff", "unknown"])),
        (0x1234, Failed, Other(&["0x1234", "unknown"])),
    ];
    for (code, verdict, expect) in table {
        let row = format!("host_status {code:#04x}");
        assert_eq!(host_verdict(*code), *verdict, "{row}");
        // GOOD status and no sense: the host's verdict alone decides.
        check(&row, completion(&hdr(0, *code, 0, 0), &SENSE), expect);
        // A CHECK CONDITION with sense does not outweigh the host's failure.
        let with_sense = completion(&hdr(0x02, *code, DRIVER_SENSE, 18), &SENSE);
        match expect {
            Good => check(&row, with_sense, &CheckCondition),
            other => check(&row, with_sense, other),
        }
    }
}

#[test]
fn every_driver_status_is_read_as_verdict_sense_flag_and_suggestion() {
    use Expect::*;
    // (driver_status, SCSI status, sense bytes written, expected)
    let table: &[(u16, u8, u8, Expect)] = &[
        (0x00, 0x00, 0, Good),
        // DRIVER_SENSE alone is a flag: GOOD with sense (a recovered error) stays good.
        (0x08, 0x00, 18, Good),
        (0x08, 0x02, 18, CheckCondition),
        (0x01, 0x00, 0, Other(&["0x01", "DRIVER_BUSY"])),
        (0x02, 0x00, 0, Other(&["0x02", "DRIVER_SOFT"])),
        (0x03, 0x00, 0, Other(&["0x03", "DRIVER_MEDIA"])),
        (0x04, 0x00, 0, Other(&["0x04", "DRIVER_ERROR"])),
        (0x05, 0x00, 0, Other(&["0x05", "DRIVER_INVALID"])),
        (0x06, 0x00, 0, Timeout),
        (0x07, 0x00, 0, Other(&["0x07", "DRIVER_HARD"])),
        // DRIVER_TIMEOUT with the sense flag (0x0E) is still a timeout, sense or not.
        (0x0E, 0x00, 0, Timeout),
        (0x0E, 0x02, 18, Timeout),
        // DRIVER_ERROR with sense captured, and no sense from the drive: the driver's error.
        (
            0x0C,
            0x00,
            0,
            Other(&["0x0c", "DRIVER_ERROR | DRIVER_SENSE"]),
        ),
        // ... but when the drive answered CHECK CONDITION with sense, its answer decides.
        (0x0C, 0x02, 18, CheckCondition),
        (0x0F, 0x02, 18, CheckCondition),
        (
            0x0F,
            0x00,
            0,
            Other(&["0x0f", "DRIVER_HARD | DRIVER_SENSE"]),
        ),
        // The old SUGGEST_* nibble changes nothing.
        (0x16, 0x00, 0, Timeout),
        (0x10, 0x00, 0, Good),
        (0x98, 0x02, 18, CheckCondition),
        (
            0x24,
            0x00,
            0,
            Other(&["0x24", "DRIVER_ERROR | SUGGEST_ABORT"]),
        ),
        (0x41, 0x00, 0, Other(&["0x41", "DRIVER_BUSY | SUGGEST_DIE"])),
    ];
    for (driver_status, status, sb_len_wr, expect) in table {
        let row = format!("driver_status {driver_status:#04x}, status {status:#04x}");
        check(
            &row,
            completion(&hdr(*status, 0, *driver_status, *sb_len_wr), &SENSE),
            expect,
        );
    }
}

#[test]
fn driver_statuses_are_described_part_by_part() {
    assert_eq!(describe_driver_status(0x00), "DRIVER_OK");
    assert_eq!(describe_driver_status(0x08), "DRIVER_OK | DRIVER_SENSE");
    assert_eq!(
        describe_driver_status(0x0E),
        "DRIVER_TIMEOUT | DRIVER_SENSE"
    );
    assert_eq!(
        describe_driver_status(0x9C),
        "DRIVER_ERROR | DRIVER_SENSE | unknown SUGGEST_* bits"
    );
    assert_eq!(
        describe_driver_status(0x137),
        "DRIVER_HARD | SUGGEST_REMAP | unknown high bits"
    );
}

/// What a row expects of `errno_error`.
#[derive(Debug)]
enum Want {
    Gone,
    BadHandle,
    Locked,
    Timeout,
    /// `Rejected` with these words in its message.
    Rejected(&'static [&'static str]),
    /// `Other` with these words in its message.
    Other(&'static [&'static str]),
}

#[test]
fn every_ioctl_errno_is_mapped() {
    use Want::*;
    // (errno, data phase, known limit, expected)
    let table: &[(Errno, usize, Option<usize>, Want)] = &[
        (Errno::ENODEV, 2048, None, Gone),
        (Errno::ENXIO, 2048, Some(65536), Gone),
        (Errno::EBADF, 0, None, BadHandle),
        // The path's limit: the sizes and the errno in the message.
        (
            Errno::EINVAL,
            65536,
            Some(32768),
            Rejected(&["65536", "32768", "EINVAL", "more than"]),
        ),
        (
            Errno::ENOMEM,
            65536,
            Some(32768),
            Rejected(&["65536", "32768", "ENOMEM"]),
        ),
        (
            Errno::EINVAL,
            2048,
            Some(32768),
            Rejected(&["2048", "32768", "within"]),
        ),
        (
            Errno::ENOMEM,
            65536,
            None,
            Rejected(&["65536", "ENOMEM", "no limit"]),
        ),
        // EIO over the limit is the block layer's max_hw_sectors check; within it, an I/O error.
        (
            Errno::EIO,
            65536,
            Some(32768),
            Rejected(&["65536", "32768", "EIO"]),
        ),
        (Errno::EIO, 2048, Some(32768), Other(&["EIO", "no status"])),
        (Errno::EIO, 65536, None, Other(&["EIO"])),
        (Errno::EPERM, 2048, None, Rejected(&["EPERM", "read-write"])),
        (Errno::EACCES, 2048, None, Rejected(&["EACCES"])),
        (Errno::EBUSY, 0, None, Locked),
        (Errno::ETIMEDOUT, 0, None, Timeout),
        // Never re-sent: the command may still complete in the drive.
        (
            Errno::EINTR,
            65536,
            None,
            Other(&["EINTR", "not sent again"]),
        ),
        (Errno::EFAULT, 2048, None, Other(&["EFAULT"])),
        (Errno::EDOM, 2048, None, Other(&["EDOM"])),
        (Errno::ENOTTY, 0, None, Other(&["ENOTTY"])),
    ];
    for (errno, dxfer_len, limit, want) in table {
        let row = format!("{errno} with {dxfer_len} bytes, limit {limit:?}");
        let got = errno_error(
            *errno,
            IoctlContext {
                dxfer_len: *dxfer_len,
                limit: *limit,
            },
        );
        let (words, message) = match (want, &got) {
            (Gone, TransportError::DeviceGone)
            | (BadHandle, TransportError::InvalidHandle)
            | (Locked, TransportError::Locked { owner: None })
            | (Timeout, TransportError::Timeout) => continue,
            (Rejected(words), TransportError::Rejected(m))
            | (Other(words), TransportError::Other(m)) => (*words, m),
            _ => panic!("{row}: expected {want:?}, got {got:?}"),
        };
        for w in words {
            assert!(message.contains(w), "{row}: {w:?} in {message:?}");
        }
    }
}
