//! `virtdrive serve`: one virtual drive served to other processes over a Unix socket, so that
//! unmodified Linux programs (sg3-utils, libburn, wodim, growisofs, discwriter with `sgio`)
//! can drive it through the preload shim (`shim/virtdrive_shim.c`), which turns their
//! `open`/`ioctl(SG_IO)` calls on `/dev/sr9` and `/dev/sg9` into requests on the socket.
//!
//! - [`protocol`]: the wire format, one table;
//! - [`sg_reply`]: the emulator's answer as `sg_io_hdr` output fields;
//! - `opens`: the O_EXCL rule of the two device nodes;
//! - `session`: one connection; `server`: the listening socket and shutdown;
//! - [`ServedDrive`]: the drive with its optional transcript; [`VirtSpec`] (`virt:MEDIA@FILE`) is the crate's.

mod drive;
mod opens;
pub mod protocol;
mod server;
mod session;
pub mod sg_reply;

use std::fs::File;
use std::io::LineWriter;
use std::path::{Path, PathBuf};

pub use crate::virt_spec::VirtSpec;
pub use drive::{ServedDrive, DEFAULT_POLL_WAIT};
pub use opens::{Busy, OpenTable};
pub use server::{ServeError, Server, StopHandle};

use crate::fault::{FaultPlan, Faulty};
use crate::medium::MediaIdentity;
use crate::{DiscFileDrive, DriveConfig};

/// Everything that makes the served drive.
#[derive(Debug, Clone)]
pub struct DriveOptions {
    pub drive: VirtSpec,
    /// A fault plan (JSON) applied to the drive from its first command.
    pub fault_plan: Option<PathBuf>,
    /// Where to record the command stream as a JSON-lines transcript.
    pub transcript: Option<PathBuf>,
    /// Sleep to real time as the virtual clock advances.
    pub paced: bool,
    /// Drive time that passes after each "busy, ask again" answer (see [`ServedDrive`]).
    pub poll_wait: std::time::Duration,
    /// Who made the disc (READ DISC STRUCTURE); `None`: the medium's default.
    pub media_identity: Option<MediaIdentity>,
    /// How many discs a disc changer holds in all (see [`ServedDrive::with_changer`]); 1: no
    /// changer.
    pub changer: u32,
}

/// Reads the fault plan, opens the disc (creating its file blank when missing, never a folder:
/// a mistyped path is an error, not a new tree of folders) and the transcript. Errors are one
/// line each. Nothing is created unless the plan reads and both files' folders exist.
pub fn open_drive(options: &DriveOptions) -> Result<ServedDrive, String> {
    let config = DriveConfig {
        paced: options.paced,
        // The spec's identity names this disc; --media-id any disc the drive is given.
        media_identity: options
            .drive
            .media_id
            .clone()
            .or_else(|| options.media_identity.clone()),
        ..DriveConfig::default()
    };
    let plan = match &options.fault_plan {
        Some(path) => Some(FaultPlan::from_path(path).map_err(|e| e.to_string())?),
        None => None,
    };
    if let Some(path) = &options.transcript {
        folder_exists("--transcript", path)?;
    }
    if options.changer > 1 && options.drive.file.is_none() {
        return Err(format!(
            "--changer {}: the discs of a changer are kept in files: give --drive virt:{}@FILE",
            options.changer,
            options.drive.kind.name()
        ));
    }
    let drive = match &options.drive.file {
        None => options.drive.drive_in_memory(config),
        Some(path) => {
            folder_exists(&format!("--drive {}", options.drive), path)?;
            DiscFileDrive::open(options.drive.kind, path, config).map_err(|e| e.to_string())?
        }
    };
    let drive = Faulty::for_drive(drive, plan.unwrap_or_default());
    let served = match &options.transcript {
        None => ServedDrive::with_faults(drive),
        Some(path) => {
            let file =
                File::create(path).map_err(|e| format!("--transcript {}: {e}", path.display()))?;
            // One flush per record: a transcript is whole up to the last command even if the
            // server is killed.
            ServedDrive::with_transcript(drive, Box::new(LineWriter::new(file)))
        }
    };
    served
        .with_poll_wait(options.poll_wait)
        .with_changer(options.changer, options.media_identity.clone())
}

/// An error naming `option` unless the folder `path` is to be created in exists.
fn folder_exists(option: &str, path: &Path) -> Result<(), String> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if folder.is_dir() {
        Ok(())
    } else {
        Err(format!(
            "{option}: the folder {} does not exist (virtdrive creates files, not folders)",
            folder.display()
        ))
    }
}
