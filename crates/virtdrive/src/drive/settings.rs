//! How a virtual drive is built: its identity and the figures of its mechanics.

use core::time::Duration;

use crate::medium::MediaIdentity;

/// What the drive says it is (INQUIRY).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveIdentity {
    /// At most 8 ASCII characters.
    pub vendor: String,
    /// At most 16 ASCII characters.
    pub product: String,
    /// At most 4 ASCII characters.
    pub revision: String,
}

impl Default for DriveIdentity {
    fn default() -> Self {
        DriveIdentity {
            vendor: "VIRTDRV".into(),
            product: "VIRTUAL WRITER".into(),
            revision: "0.1".into(),
        }
    }
}

/// What the drive can do with a disc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriveClass {
    /// A BD/DVD/CD writer.
    #[default]
    Writer,
    /// A BD/DVD/CD reader (a ROM drive): the ROM profiles only, no feature that records, and
    /// every command that records refused as unknown (05/20/00 INVALID COMMAND OPERATION
    /// CODE), as a reader answers them.
    Reader,
}

/// The drive's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveConfig {
    pub identity: DriveIdentity,
    pub class: DriveClass,
    /// The drive's write buffer, drained at the write speed (real drives: 2-8 MiB).
    pub buffer_bytes: u32,
    /// From closing the tray on a disc to ready (02/04/01 until then).
    pub becoming_ready: Duration,
    /// Virtual time every command costs on top of its data transfer.
    pub command_overhead: Duration,
    /// Sleep to real time as the virtual clock advances (demonstrations, real clients).
    pub paced: bool,
    /// The largest data phase the path to the drive moves in one command (a USB bridge that
    /// takes only 32 KiB, say); a larger one fails at the host, before the drive sees it,
    /// with `TransportError::Rejected`, as SG_IO fails with EINVAL. `None`: no limit.
    pub max_transfer_bytes: Option<usize>,
    /// Who made every disc loaded (READ DISC STRUCTURE: the DVD+R/DVD+RW ADIP, the BD Disc
    /// Information). `None`: each medium's default, [`MediaIdentity::default_for`].
    pub media_identity: Option<MediaIdentity>,
    /// The drive's read cache, in bytes: READ (10/12) of the sectors written last is answered
    /// from the buffer, not the medium, until a load or eject, a medium change, a power loss
    /// or reset, BLANK or FORMAT UNIT (see [`EmulatedDrive::set_read_cache`]). `None` (the
    /// default): every READ reads the medium.
    ///
    /// [`EmulatedDrive::set_read_cache`]: crate::EmulatedDrive::set_read_cache
    pub read_cache_bytes: Option<u32>,
}

impl Default for DriveConfig {
    fn default() -> Self {
        DriveConfig {
            identity: DriveIdentity::default(),
            class: DriveClass::Writer,
            buffer_bytes: 4 * 1024 * 1024,
            becoming_ready: Duration::from_secs(2),
            command_overhead: Duration::from_micros(200),
            paced: false,
            max_transfer_bytes: None,
            media_identity: None,
            read_cache_bytes: None,
        }
    }
}
