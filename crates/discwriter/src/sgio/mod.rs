//! Real drives on Linux through the SCSI generic `SG_IO` ioctl (`sg_io_hdr` version 3), for
//! `/dev/srN` (block, major 11) and `/dev/sgN` (char, major 21) alike.
//!
//! [`SgDevice`] is a [`Transport`]: it sends what it is given. The rule that nothing is
//! written to a device that is not an MMC drive is enforced one layer up, by
//! [`crate::Recorder::open`]; open every `SgDevice` through it.

pub mod exclusive;
pub mod hdr;
mod ioctl;
pub mod limits;
pub mod scan;
pub mod status;
pub mod sysfs;

use core::time::Duration;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use mmc_core::{Completion, DataPhase, Transport, TransportError};
use nix::libc;

use hdr::{SENSE_LEN, SG_MIN_VERSION};
use status::{HostVerdict, IoctlContext};
use sysfs::NodeId;

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
    /// EBUSY, or another program's lock on the node, still after the retries of
    /// [`exclusive::BUSY_RETRY_WAITS`]: another program opened the drive exclusively, or it is
    /// mounted. `path` is the node that was busy (the drive's other node, perhaps).
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

/// Where [`SgDevice::open_with`] looks and how long it waits for a busy drive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SgOpenConfig {
    /// Where sysfs is mounted ([`sysfs::SYSFS`]).
    pub sysfs: PathBuf,
    /// The waits between attempts while a node is busy ([`exclusive::BUSY_RETRY_WAITS`]).
    pub busy_waits: Vec<Duration>,
}

impl Default for SgOpenConfig {
    fn default() -> Self {
        SgOpenConfig {
            sysfs: PathBuf::from(sysfs::SYSFS),
            busy_waits: exclusive::BUSY_RETRY_WAITS.to_vec(),
        }
    }
}

/// How many times a command whose host status asks for it is sent again
/// ([`status::host_verdict`]).
pub const HOST_RETRIES: u32 = 3;
/// The pause before the first resend; it grows by as much before each next one (0.1, 0.2,
/// 0.3 s), as libburn's retries grow.
pub const HOST_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// One drive opened for SG_IO, for as long as it lives exclusively: both of its nodes,
/// `/dev/srN` and `/dev/sgN`, are opened with O_EXCL and write-locked (see [`exclusive`]),
/// without waiting for a medium (O_NONBLOCK, which also spares `/dev/srN` the kernel's
/// read-only check on open). Commands go through the sr node when there is one.
///
/// Open it through [`crate::Recorder::open`] (`Recorder::open(SgDevice::open(path)?)`),
/// which sends INQUIRY first and refuses anything but an MMC drive before any other command:
/// this type alone would send a WRITE to a hard disk.
#[derive(Debug)]
pub struct SgDevice {
    /// The node commands go through.
    file: File,
    /// The path it was opened with.
    path: PathBuf,
    command_path: PathBuf,
    /// The drive's other node, held open and locked; never used for commands.
    sibling: Option<(File, PathBuf)>,
    version: i32,
    max_transfer: Option<usize>,
}

impl SgDevice {
    /// Opens the drive at `path` (its sr or its sg node) read-write and exclusively, with its
    /// other node; a busy drive is tried again for 2.5 s before [`OpenError::Busy`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, OpenError> {
        Self::open_with(path, &SgOpenConfig::default())
    }

    /// [`SgDevice::open`] with another sysfs root or other waits.
    pub fn open_with(path: impl AsRef<Path>, config: &SgOpenConfig) -> Result<Self, OpenError> {
        let path = path.as_ref();
        let given_id = device_node(path)?;
        let opened = exclusive::retry_while_busy(
            &config.busy_waits,
            || exclusive::open_once(path, given_id, &config.sysfs),
            std::thread::sleep,
        )?;
        let command = opened.command;
        let max_transfer = limits::transfer_limit(&command.file, command.id, &config.sysfs);
        Ok(SgDevice {
            file: command.file,
            path: path.to_path_buf(),
            command_path: command.path,
            sibling: opened.sibling.map(|s| (s.file, s.path)),
            version: opened.version,
            max_transfer,
        })
    }

    /// Opens `path` read-only and shared, for probing with INQUIRY and GET CONFIGURATION:
    /// no sibling, no retry, and a read lock, so a drive another program has write-locked
    /// (discwriter, libburn, wodim burning) is left alone ([`OpenError::Busy`]), as libburn's
    /// scan leaves it alone (it takes F_RDLCK to ask a node's address).
    pub(crate) fn open_probe(path: &Path) -> Result<Self, OpenError> {
        device_node(path)?;
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| open_error(path, e))?;
        exclusive::whole_file_lock(&file, path, libc::F_RDLCK)?;
        // The node may have been replaced between the stat and the open.
        let meta = file.metadata().map_err(|e| open_error(path, e))?;
        if let Some(what) = not_a_device(&meta.file_type()) {
            return Err(OpenError::NotADevice {
                path: path.to_path_buf(),
                what,
            });
        }
        let version = ioctl::version_num(file.as_fd()).map_err(|errno| OpenError::NotSg {
            path: path.to_path_buf(),
            errno,
        })?;
        if version < SG_MIN_VERSION {
            return Err(OpenError::OldDriver {
                path: path.to_path_buf(),
                version,
            });
        }
        Ok(SgDevice {
            file,
            path: path.to_path_buf(),
            command_path: path.to_path_buf(),
            sibling: None,
            version,
            max_transfer: None,
        })
    }

    /// The path it was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The node commands are sent through (the sr node when the drive has one).
    pub fn command_path(&self) -> &Path {
        &self.command_path
    }

    /// The drive's other node, held open and locked so no other program reaches the drive
    /// through it; `None` when none was found (or it could not be opened for want of
    /// permission, which is logged).
    pub fn sibling_path(&self) -> Option<&Path> {
        self.sibling.as_ref().map(|(_, p)| p.as_path())
    }

    /// The SG driver's version number (30536 is 3.5.36).
    pub fn driver_version(&self) -> i32 {
        self.version
    }
}

/// The identity of the device node at `path`, or why it is not one.
fn device_node(path: &Path) -> Result<NodeId, OpenError> {
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    NodeId::of(&meta).ok_or_else(|| OpenError::NotADevice {
        path: path.to_path_buf(),
        what: not_a_device(&meta.file_type()).unwrap_or("not a device"),
    })
}

/// What a node is when it is neither a char nor a block device.
pub(super) fn not_a_device(t: &std::fs::FileType) -> Option<&'static str> {
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

pub(super) fn open_error(path: &Path, source: io::Error) -> OpenError {
    let path = path.to_path_buf();
    match source.raw_os_error() {
        Some(libc::EBUSY) => OpenError::Busy { path },
        Some(libc::ENOENT | libc::ENODEV | libc::ENXIO) => OpenError::NotFound { path, source },
        _ => OpenError::Io { path, source },
    }
}

impl Transport for SgDevice {
    /// Sends the command; one whose host status asks for it (DID_BUS_BUSY, DID_SOFT_ERROR,
    /// DID_IMM_RETRY, DID_REQUEUE: the command did not run) is sent again up to
    /// [`HOST_RETRIES`] times, after a growing pause. Nothing else is ever re-sent here: the
    /// engine decides on sense.
    fn execute(
        &mut self,
        cdb: &[u8],
        mut data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let timeout = status::timeout_ms(timeout);
        let context = IoctlContext {
            dxfer_len: data.len(),
            limit: self.max_transfer,
        };
        let mut resent = 0;
        loop {
            let mut sense = [0u8; SENSE_LEN];
            let phase = match &mut data {
                DataPhase::None => DataPhase::None,
                DataPhase::In(buf) => DataPhase::In(buf),
                DataPhase::Out(buf) => DataPhase::Out(buf),
            };
            let hdr = ioctl::sg_io(self.file.as_fd(), cdb, phase, &mut sense, timeout)?
                .map_err(|errno| status::errno_error(errno, context))?;
            if status::host_verdict(hdr.host_status) == HostVerdict::Retry && resent < HOST_RETRIES
            {
                resent += 1;
                std::thread::sleep(HOST_RETRY_PAUSE * resent);
                continue;
            }
            return status::completion(&hdr, &sense).map_err(|e| match e {
                TransportError::Other(m) if resent > 0 => {
                    TransportError::Other(format!("{m}, still after {resent} resends"))
                }
                other => other,
            });
        }
    }

    /// The smallest limit known when the device was opened (see [`limits`]).
    fn max_transfer_bytes(&self) -> Option<usize> {
        self.max_transfer
    }
}
