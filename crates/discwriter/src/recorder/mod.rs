//! A typed conversation with one drive. Every command goes through
//! [`Recorder::command`] (a data phase and a [`Retry`] policy) or [`Recorder::query`] (a typed
//! response), which turn CHECK CONDITION and transport failures into [`Error`].
//!
//! Every command and its answer is logged at `debug` level (target `discwriter::drive`): the
//! CDB decoded, the status, the sense decoded, the bytes moved.
//!
//! By topic: `exchange` sends, `wait` retries and polls, [`media_status`] summarises the
//! disc, `tracks` lists its recorded tracks, `recording` holds the steps of a write (speed,
//! write parameters, WRITE, READ, synchronize, close), `format` formats rewritable discs,
//! `timeouts` says how long commands may take, `tray` loads, ejects and locks, [`defect`]
//! chooses and reports spare areas.

use mmc_core::cdb::{Inquiry, BLOCK_LEN};
use mmc_core::response::StandardInquiry;
use mmc_core::Transport;

use crate::error::Error;

pub mod defect;
mod exchange;
mod format;
pub mod media_status;
mod protection;
mod recording;
mod timeouts;
mod tracks;
mod tray;
mod wait;

pub use defect::{DefectManagement, DefectManagementState, SpareAreas};
pub use exchange::{Answer, Retry};
pub use media_status::{DiscState, DiscSummary, SessionState};
pub use protection::{write_protect_state, WriteProtection};
pub(crate) use recording::{write_page, PageWrite};
pub use timeouts::{Timeouts, DEFAULT_TIMEOUT};
pub use tracks::Track;
pub use wait::WaitTick;
pub(crate) use wait::POLL_INTERVAL;

/// [`BLOCK_LEN`] as a buffer length: the bytes of one sector of a data medium.
pub(crate) const SECTOR: usize = BLOCK_LEN as usize;

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

/// Sectors per READ or WRITE: 32 (64 KiB, a whole ECC block on DVD and BD), fewer when the
/// path to the drive moves at most `max_transfer_bytes` in one command (a USB bridge limited
/// to 32 KiB), then in whole ECC blocks of `ecc` sectors when the limit allows one.
pub(crate) fn transfer_sectors(max_transfer_bytes: Option<usize>, ecc: u32) -> u32 {
    const PREFERRED: u32 = 32;
    let limit = max_transfer_bytes
        .map_or(PREFERRED, |b| u32::try_from(b / SECTOR).unwrap_or(u32::MAX))
        .max(1);
    let n = PREFERRED.min(limit);
    if ecc > 1 && n >= ecc {
        n - n % ecc
    } else {
        n
    }
}

impl<T: Transport> Recorder<T> {
    /// Identifies the drive with INQUIRY and refuses it unless it is an MMC device (peripheral
    /// qualifier 0, device type 5). Nothing else is sent to a device that fails this check, so
    /// a mistyped path can never be written to.
    pub fn open(transport: T) -> Result<Self, Error> {
        let mut recorder = Recorder {
            transport,
            info: DriveInfo {
                vendor: String::new(),
                product: String::new(),
                revision: String::new(),
            },
        };
        // 36 bytes: the standard data up to the revision (SPC-5 6.7.2), what usb-storage and
        // libburn ask for; some USB bridges fail a longer INQUIRY.
        let inquiry: StandardInquiry = recorder.query(&Inquiry {
            vpd_page: None,
            allocation_length: 36,
        })?;
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
        recorder.info = DriveInfo {
            vendor: inquiry.vendor.trim().to_string(),
            product: inquiry.product.trim().to_string(),
            revision: inquiry.revision.trim().to_string(),
        };
        Ok(recorder)
    }

    pub fn info(&self) -> &DriveInfo {
        &self.info
    }

    /// Sectors per READ or WRITE on this path to the drive, in whole ECC blocks of `ecc`
    /// sectors when the path allows one.
    pub fn transfer_sectors(&self, ecc: u32) -> u32 {
        transfer_sectors(self.transport.max_transfer_bytes(), ecc)
    }

    /// The most bytes the path to the drive moves in one command, when it is limited.
    pub fn max_transfer_bytes(&self) -> Option<usize> {
        self.transport.max_transfer_bytes()
    }

    /// Gives the transport back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// The transport, for the layers above.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Lets `d` pass on the device's clock (a real sleep for real drives).
    pub fn pause(&mut self, d: core::time::Duration) {
        self.transport.pause(d)
    }

    /// The device's clock, when it has one.
    pub fn device_time(&self) -> Option<core::time::Duration> {
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
}
