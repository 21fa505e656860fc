//! Real drives on Linux through the SCSI generic `SG_IO` ioctl (`sg_io_hdr` version 3), for
//! `/dev/srN` (block, major 11) and `/dev/sgN` (char, major 21) alike.
//!
//! [`SgDevice`] is a [`Transport`]: it sends what it is given. The rule that nothing is
//! written to a device that is not an MMC drive is enforced one layer up, by
//! [`crate::Recorder::open`]; open every `SgDevice` through it.

pub mod hdr;
mod ioctl;
pub mod scan;
pub mod status;

use core::time::Duration;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use mmc_core::{Completion, DataPhase, Transport, TransportError};
use nix::libc;

use hdr::{SENSE_LEN, SG_MIN_VERSION};

/// Why a device path could not be opened as an SG device.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// ENOENT, ENODEV or ENXIO: no such node, or no device behind it (a drive unplugged).
    #[error("{}: no such device ({source})", path.display())]
    NotFound { path: PathBuf, source: io::Error },
    /// A regular file, a directory, a socket...: refused before any ioctl is tried.
    #[error("{}: is {what}, not a device; give a drive such as /dev/sr0 or /dev/sg1", path.display())]
    NotADevice { path: PathBuf, what: &'static str },
    /// EBUSY: another program opened the drive exclusively (or it is mounted).
    #[error("{}: another program has exclusive access to the drive (or a disc in it is mounted)", path.display())]
    Busy { path: PathBuf },
    /// The device does not answer SG_GET_VERSION_NUM: it is not a SCSI generic device.
    #[error("{}: not a SCSI device (SG_GET_VERSION_NUM failed: {errno})", path.display())]
    NotSg {
        path: PathBuf,
        errno: nix::errno::Errno,
    },
    /// An SG driver older than 3.0, without the `sg_io_hdr` interface.
    #[error("{}: SG driver version {version} is older than 3.0 (30000), which SG_IO needs", path.display())]
    OldDriver { path: PathBuf, version: i32 },
    /// Anything else the system refused (EACCES, EROFS...).
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl From<OpenError> for TransportError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Busy { .. } => TransportError::Locked { owner: None },
            OpenError::NotFound { .. } => TransportError::DeviceGone,
            other => TransportError::Other(other.to_string()),
        }
    }
}

/// One drive opened for SG_IO, exclusively (O_EXCL) and without waiting for a medium
/// (O_NONBLOCK, which also spares `/dev/srN` the kernel's read-only check on open).
///
/// Open it through [`crate::Recorder::open`] (`Recorder::open(SgDevice::open(path)?)`),
/// which sends INQUIRY first and refuses anything but an MMC drive before any other command:
/// this type alone would send a WRITE to a hard disk.
#[derive(Debug)]
pub struct SgDevice {
    file: File,
    path: PathBuf,
    version: i32,
}

impl SgDevice {
    /// Opens `path` read-write and exclusively.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        Self::open_with(path.as_ref(), true)
    }

    /// Opens `path` read-only and shared, for probing with INQUIRY and GET CONFIGURATION.
    pub(crate) fn open_probe(path: &Path) -> Result<Self, OpenError> {
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, exclusive_rw: bool) -> Result<Self, OpenError> {
        let path_buf = path.to_path_buf();
        let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
        if let Some(what) = not_a_device(&meta.file_type()) {
            return Err(OpenError::NotADevice {
                path: path_buf,
                what,
            });
        }
        let mut options = OpenOptions::new();
        options.read(true);
        if exclusive_rw {
            options
                .write(true)
                .custom_flags(libc::O_NONBLOCK | libc::O_EXCL);
        } else {
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(path).map_err(|e| open_error(path, e))?;
        // The node may have been replaced between the stat and the open.
        let meta = file.metadata().map_err(|e| open_error(path, e))?;
        if let Some(what) = not_a_device(&meta.file_type()) {
            return Err(OpenError::NotADevice {
                path: path_buf,
                what,
            });
        }
        let version = ioctl::version_num(file.as_fd()).map_err(|errno| OpenError::NotSg {
            path: path_buf.clone(),
            errno,
        })?;
        if version < SG_MIN_VERSION {
            return Err(OpenError::OldDriver {
                path: path_buf,
                version,
            });
        }
        Ok(SgDevice {
            file,
            path: path_buf,
            version,
        })
    }

    /// The path it was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SG driver's version number (30536 is 3.5.36).
    pub fn driver_version(&self) -> i32 {
        self.version
    }
}

/// What a node is when it is neither a char nor a block device.
fn not_a_device(t: &std::fs::FileType) -> Option<&'static str> {
    if t.is_char_device() || t.is_block_device() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_file() {
        Some("a regular file")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a device")
    }
}

fn open_error(path: &Path, source: io::Error) -> OpenError {
    let path = path.to_path_buf();
    match source.raw_os_error() {
        Some(libc::EBUSY) => OpenError::Busy { path },
        Some(libc::ENOENT | libc::ENODEV | libc::ENXIO) => OpenError::NotFound { path, source },
        _ => OpenError::Io { path, source },
    }
}

impl Transport for SgDevice {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let mut sense = [0u8; SENSE_LEN];
        let timeout = status::timeout_ms(timeout);
        let hdr = ioctl::sg_io(self.file.as_fd(), cdb, data, &mut sense, timeout)?;
        status::completion(&hdr, &sense)
    }
}
