//! The recorder identifies a drive and refuses anything that is not an MMC device.

use std::time::Duration;

use discwriter::{Error, Recorder};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::DriveConfig;
use virtdrive::{DriveIdentity, EmulatedDrive};

#[test]
fn an_emulated_writer_is_identified() {
    let drive = EmulatedDrive::new(DriveConfig {
        identity: DriveIdentity {
            vendor: "ACME".into(),
            product: "BURNER 9000".into(),
            revision: "1.02".into(),
        },
        ..DriveConfig::default()
    });
    let rec = Recorder::open(drive).expect("an MMC drive opens");
    assert_eq!(rec.info().vendor, "ACME");
    assert_eq!(rec.info().product, "BURNER 9000");
    assert_eq!(rec.info().revision, "1.02");
}

/// A hard disk: INQUIRY says device type 00h. Records every CDB it is sent.
#[derive(Debug)]
struct HardDisk {
    seen: Vec<u8>,
}

impl Transport for HardDisk {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        _t: Duration,
    ) -> Result<Completion, TransportError> {
        self.seen.push(cdb[0]);
        if let DataPhase::In(buf) = data {
            let mut inq = [0u8; 36];
            inq[0] = 0x00; // direct-access block device
            inq[4] = 31;
            inq[8..16].copy_from_slice(b"DISKCO  ");
            inq[16..32].copy_from_slice(b"FAST DISK       ");
            let n = buf.len().min(36);
            buf[..n].copy_from_slice(&inq[..n]);
            return Ok(Completion::good_with_residual(buf.len() - n));
        }
        Ok(Completion::good())
    }
}

#[test]
fn a_device_that_is_not_mmc_is_refused_after_inquiry_alone() {
    let mut disk = HardDisk { seen: Vec::new() };
    let err = Recorder::open(&mut disk).unwrap_err();
    assert!(matches!(err, Error::RecorderNotSupported { .. }), "{err:?}");
    assert_eq!(err.hresult(), 0xC0AA0407);
    assert!(err.to_string().contains("not an optical drive"), "{err}");
    assert_eq!(disk.seen, vec![0x12], "only INQUIRY was sent");
}

/// A device that vanished: every command fails at the transport.
#[derive(Debug)]
struct Gone;
impl Transport for Gone {
    fn execute(
        &mut self,
        _: &[u8],
        _: DataPhase<'_>,
        _: Duration,
    ) -> Result<Completion, TransportError> {
        Err(TransportError::DeviceGone)
    }
}

#[test]
fn a_vanished_device_is_dev_not_exist() {
    let err = Recorder::open(Gone).unwrap_err();
    assert_eq!(err.hresult(), 0x80070037);
}

/// Answers INQUIRY with 3 bytes: too short to be standard INQUIRY data.
#[derive(Debug)]
struct Mumbler;
impl Transport for Mumbler {
    fn execute(
        &mut self,
        _: &[u8],
        data: DataPhase<'_>,
        _: Duration,
    ) -> Result<Completion, TransportError> {
        if let DataPhase::In(buf) = data {
            buf[..3].copy_from_slice(&[5, 0x80, 0]);
            return Ok(Completion::good_with_residual(buf.len() - 3));
        }
        Ok(Completion::good())
    }
}

#[test]
fn short_inquiry_data_is_an_invalid_response() {
    let err = Recorder::open(Mumbler).unwrap_err();
    assert_eq!(err.hresult(), 0xC0AA02FF, "{err}");
}
