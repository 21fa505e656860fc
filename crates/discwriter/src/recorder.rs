//! A typed conversation with one drive: every command goes through [`Recorder::execute_in`]
//! or [`Recorder::execute`], which turn CHECK CONDITION and transport failures into [`Error`].
//!
//! Every command and its answer is logged at `debug` level (target `discwriter::drive`): the
//! CDB decoded, the status, the sense decoded, the bytes moved.

use core::time::Duration;

use mmc_core::cdb::{Command, Inquiry, Opcode};
use mmc_core::response::{ResponseFormat, StandardInquiry};
use mmc_core::{Completion, DataPhase, ScsiStatus, Transport, TransportError};
use tracing::{debug, enabled, Level};

use crate::error::{DeviceCause, Error, Phase};

/// IMAPI2_DEFAULT_COMMAND_TIMEOUT: 10 seconds for ordinary commands.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a command ended at the drive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Good {
        transferred: usize,
    },
    Check {
        triple: mmc_core::sense::SenseTriple,
        /// Progress of a long operation (sense-key-specific or descriptor), as a fraction.
        progress: Option<f64>,
        retry: mmc_core::condition::RetryClass,
        /// A deferred error (response code 71h/73h, SPC-5 4.4.1.6): it reports an earlier
        /// command (a WRITE whose data the drive could not record), not this one.
        deferred: bool,
    },
}

/// What a drive says it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DriveInfo {
    pub vendor: String,
    pub product: String,
    pub revision: String,
}

/// One drive, identified and known to be an MMC device.
///
/// ```
/// use discwriter::Recorder;
/// use virtdrive::{medium::MediumKind, DriveConfig, DiscFileDrive};
///
/// let drive = DiscFileDrive::in_memory(MediumKind::CdR80, DriveConfig::default());
/// // INQUIRY first: anything that is not an MMC drive is refused before another command.
/// let mut recorder = Recorder::open(drive)?;
/// assert_eq!(recorder.info().vendor, "VIRTDRV");
/// let disc = recorder.disc_summary()?;
/// assert_eq!(disc.profile, "CD-R");
/// assert_eq!(disc.next_writable_address, Some(0));
/// # Ok::<(), discwriter::Error>(())
/// ```
#[derive(Debug)]
pub struct Recorder<T: Transport> {
    transport: T,
    info: DriveInfo,
}

impl<T: Transport> Recorder<T> {
    /// Identifies the drive with INQUIRY and refuses it unless it is an MMC device (peripheral
    /// qualifier 0, device type 5). Nothing else is sent to a device that fails this check, so
    /// a mistyped path can never be written to.
    pub fn open(mut transport: T) -> Result<Self, Error> {
        // 36 bytes: the standard data up to the revision (SPC-5 6.7.2), what usb-storage and
        // libburn ask for; some USB bridges fail a longer INQUIRY.
        let cdb = Inquiry {
            vpd_page: None,
            allocation_length: 36,
        }
        .encode();
        let mut buf = [0u8; 36];
        let got = execute_in(&mut transport, &cdb, &mut buf, DEFAULT_TIMEOUT)?;
        let data = buf.get(..got).unwrap_or(&[]);
        let inquiry = StandardInquiry::parse(data)
            .map_err(|e| Error::invalid_response(mmc_core::cdb::Opcode::Inquiry.to_u8(), e))?;
        if !inquiry.is_mmc_device() {
            return Err(Error::RecorderNotSupported {
                detail: format!(
                    "{} {} is not an optical drive (INQUIRY peripheral qualifier {}, device type {:02X}h; an MMC drive is 0, 05h)",
                    inquiry.vendor.trim(),
                    inquiry.product.trim(),
                    inquiry.peripheral_qualifier,
                    inquiry.peripheral_device_type.to_u8()
                ),
            });
        }
        Ok(Recorder {
            transport,
            info: DriveInfo {
                vendor: inquiry.vendor.trim().to_string(),
                product: inquiry.product.trim().to_string(),
                revision: inquiry.revision.trim().to_string(),
            },
        })
    }

    pub fn info(&self) -> &DriveInfo {
        &self.info
    }

    /// Sectors per READ or WRITE: 32 (64 KiB, a whole ECC block on DVD and BD), fewer when the
    /// path to the drive moves less in one command ([`Transport::max_transfer_bytes`]: a USB
    /// bridge limited to 32 KiB), then in whole ECC blocks of `ecc` sectors when the limit
    /// allows one.
    pub fn transfer_sectors(&self, ecc: u32) -> u32 {
        const PREFERRED: u32 = 32;
        let limit = self
            .transport
            .max_transfer_bytes()
            .map_or(PREFERRED, |b| u32::try_from(b / 2048).unwrap_or(u32::MAX))
            .max(1);
        let n = PREFERRED.min(limit);
        if ecc > 1 && n >= ecc {
            n - n % ecc
        } else {
            n
        }
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// The transport, for the layers above.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends `cdb` and reports how it ended without turning sense into an error, for callers
    /// that retry or wait (`Err` only for transport failures).
    pub fn send(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Answer, Error> {
        let opcode = cdb.first().copied().unwrap_or(0);
        let len = data.len();
        let c = exchange(&mut self.transport, cdb, data, timeout)
            .map_err(|e| Error::from_transport(e, opcode))?;
        if c.status == ScsiStatus::Good {
            return Ok(Answer::Good {
                transferred: c.transferred(len),
            });
        }
        let sense = mmc_core::sense::Sense::parse(&c.sense).ok();
        match sense.and_then(|s| s.triple()) {
            Some(triple) => Ok(Answer::Check {
                triple,
                progress: sense.and_then(|s| s.progress()),
                retry: sense
                    .map(|s| mmc_core::condition::retry_class(&s))
                    .unwrap_or(mmc_core::condition::RetryClass::Fail),
                deferred: sense.is_some_and(|s| s.deferred),
            }),
            None => Err(Error::Fail {
                detail: format!("status {:02X}h without usable sense data", c.status.to_u8()),
                cause: Some(DeviceCause {
                    opcode: opcode.into(),
                    sense: None,
                }),
            }),
        }
    }

    /// Lets `d` pass on the device's clock (a real sleep for real drives).
    pub fn pause(&mut self, d: Duration) {
        self.transport.pause(d)
    }

    /// The device's clock, when it has one.
    pub fn device_time(&self) -> Option<Duration> {
        self.transport.device_time()
    }

    /// Takes exclusive access for `client`.
    pub fn acquire_exclusive(&mut self, client: &str) -> Result<(), Error> {
        self.transport
            .acquire_exclusive(client)
            .map_err(|e| Error::from_transport(e, 0))
    }

    pub fn release_exclusive(&mut self, client: &str) {
        self.transport.release_exclusive(client)
    }

    /// Reads a reply of format `R` to `cdb` into a buffer of `len` bytes; a reply that does not
    /// parse is E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE.
    pub(crate) fn read_response<R: mmc_core::response::ResponseFormat>(
        &mut self,
        cdb: &[u8],
        len: usize,
    ) -> Result<R, Error> {
        let mut buf = vec![0u8; len];
        let got = self.execute_in(cdb, &mut buf, DEFAULT_TIMEOUT)?;
        R::parse(buf.get(..got).unwrap_or(&[]))
            .map_err(|e| Error::invalid_response(cdb.first().copied().unwrap_or(0), e))
    }

    /// Sends `cdb` with a data-in buffer; returns the bytes received.
    pub fn execute_in(
        &mut self,
        cdb: &[u8],
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<usize, Error> {
        execute_in(&mut self.transport, cdb, buf, timeout)
    }

    /// Sends `cdb` with `data` (none or out).
    pub fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<(), Error> {
        let opcode = cdb.first().copied().unwrap_or(0);
        let c = exchange(&mut self.transport, cdb, data, timeout)
            .map_err(|e| Error::from_transport(e, opcode))?;
        check(c.status, c.sense_triple(), opcode)
    }
}

/// Sends one command: the only place the recorder talks to its transport, and where each
/// exchange is logged.
fn exchange<T: Transport>(
    transport: &mut T,
    cdb: &[u8],
    data: DataPhase<'_>,
    timeout: Duration,
) -> Result<Completion, TransportError> {
    let logging = enabled!(target: "discwriter::drive", Level::DEBUG);
    let (direction, len) = match &data {
        DataPhase::None => ("", 0),
        DataPhase::In(b) => (" in", b.len()),
        DataPhase::Out(b) => (" out", b.len()),
    };
    if logging {
        let opcode = Opcode::from_u8(cdb.first().copied().unwrap_or(0));
        match Command::decode(cdb) {
            Ok(command) => {
                debug!(target: "discwriter::drive", "-> {opcode}: {command:?}; {len} bytes{direction} [{}]", hex(cdb))
            }
            Err(e) => {
                debug!(target: "discwriter::drive", "-> {opcode} ({e}); {len} bytes{direction} [{}]", hex(cdb))
            }
        }
    }
    let result = transport.execute(cdb, data, timeout);
    if logging {
        match &result {
            Ok(c) if c.status == ScsiStatus::Good => {
                debug!(target: "discwriter::drive", "<- GOOD, {} bytes moved", c.transferred(len))
            }
            Ok(c) => match mmc_core::sense::Sense::parse(&c.sense) {
                Ok(sense) => {
                    debug!(target: "discwriter::drive", "<- status {:02X}h: {sense} [{}]", c.status.to_u8(), hex(&c.sense))
                }
                Err(e) => {
                    debug!(target: "discwriter::drive", "<- status {:02X}h, sense not readable ({e}) [{}]", c.status.to_u8(), hex(&c.sense))
                }
            },
            Err(e) => debug!(target: "discwriter::drive", "<- no answer: {e}"),
        }
    }
    result
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn execute_in<T: Transport>(
    transport: &mut T,
    cdb: &[u8],
    buf: &mut [u8],
    timeout: Duration,
) -> Result<usize, Error> {
    let opcode = cdb.first().copied().unwrap_or(0);
    let len = buf.len();
    let c = exchange(transport, cdb, DataPhase::In(buf), timeout)
        .map_err(|e| Error::from_transport(e, opcode))?;
    check(c.status, c.sense_triple(), opcode)?;
    Ok(c.transferred(len))
}

/// GOOD, or the error the sense maps to outside the write phase (Microsoft's table; E_FAIL
/// when it has no row).
fn check(
    status: ScsiStatus,
    sense: Option<mmc_core::sense::SenseTriple>,
    opcode: u8,
) -> Result<(), Error> {
    if status == ScsiStatus::Good {
        return Ok(());
    }
    match sense {
        // RECOVERED ERROR: the command did its work, the drive only tells that it had to try
        // harder (SPC-5 4.4.3); libburn goes on too.
        Some(triple) if triple.key == mmc_core::sense::SenseKey::RecoveredError => {
            tracing::warn!(target: "discwriter::drive", "recovered error on {}: {triple}", Opcode::from_u8(opcode));
            Ok(())
        }
        Some(triple) => match Error::from_sense(triple, opcode, Phase::Other) {
            None => Ok(()),
            Some(e) => Err(e),
        },
        None => Err(Error::Fail {
            detail: format!("status {:02X}h without sense data", status.to_u8()),
            cause: Some(DeviceCause {
                opcode: opcode.into(),
                sense: None,
            }),
        }),
    }
}
