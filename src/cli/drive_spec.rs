//! `--drive DRIVE`: a device path (with the `sgio` feature) or a virtual drive
//! `virt:MEDIA[@FILE]` or `virt:MEDIA+hash`; without `--drive`, the embedded virtual BD-RE kept in the user's data
//! directory.

use std::path::PathBuf;

use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::VirtSpec;

use super::CliError;

/// Where the commands go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriveSpec {
    /// An emulated drive holding a disc of `kind`, kept in `file` (in memory when `None`,
    /// as a CRC-32 per sector when `hash_only`, never with a file); discwriter names no
    /// disc's maker (`media_id` is `None`).
    Virtual(VirtSpec),
    /// A real drive through SG_IO.
    Device(PathBuf),
}

impl DriveSpec {
    /// Whether the disc is in the hash-only store (`virt:MEDIA+hash`): it gives back only
    /// sectors of one repeated byte, so nothing written can be read back or compared.
    pub fn is_hash_only(&self) -> bool {
        matches!(self, DriveSpec::Virtual(v) if v.hash_only)
    }

    /// Reads `--drive`; `None` is the embedded virtual BD-RE.
    pub fn parse(arg: Option<&str>) -> Result<Self, CliError> {
        let Some(arg) = arg else {
            return Ok(DriveSpec::Virtual(VirtSpec {
                kind: MediumKind::BdRe,
                file: Some(default_disc_file()?),
                media_id: None,
                hash_only: false,
            }));
        };
        if arg.starts_with("virt:") {
            let spec = VirtSpec::parse(arg).map_err(CliError::Input)?;
            if spec.media_id.is_some() {
                return Err(CliError::Input(format!(
                    "--drive {arg}: discwriter does not name a disc's maker; create the disc with virtdrive run|serve --drive virt:MEDIA/ID@FILE, which keeps it in the file"
                )));
            }
            return Ok(DriveSpec::Virtual(spec));
        }
        if arg.is_empty() {
            return Err(CliError::Input("--drive is empty".into()));
        }
        Ok(DriveSpec::Device(PathBuf::from(arg)))
    }
}

/// `$XDG_DATA_HOME/discwriter/default-bd-re.disc`, or `~/.local/share/...`.
fn default_disc_file() -> Result<PathBuf, CliError> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })
        .ok_or_else(|| {
            CliError::Input(
                "neither XDG_DATA_HOME nor HOME is set: give --drive virt:bd-re@FILE".into(),
            )
        })?;
    Ok(base.join("discwriter").join("default-bd-re.disc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_drive_names_are_read() {
        assert_eq!(
            DriveSpec::parse(Some("virt:cd-r@/tmp/a.disc")).unwrap(),
            DriveSpec::Virtual(VirtSpec {
                kind: MediumKind::CdR80,
                file: Some(PathBuf::from("/tmp/a.disc")),
                media_id: None,
                hash_only: false,
            })
        );
        assert_eq!(
            DriveSpec::parse(Some("virt:dvd+rw")).unwrap(),
            DriveSpec::Virtual(VirtSpec {
                kind: MediumKind::DvdPlusRw,
                file: None,
                media_id: None,
                hash_only: false,
            })
        );
        assert_eq!(
            DriveSpec::parse(Some("virt:dvd+r@/tmp/r.disc")).unwrap(),
            DriveSpec::Virtual(VirtSpec {
                kind: MediumKind::DvdPlusR,
                file: Some(PathBuf::from("/tmp/r.disc")),
                media_id: None,
                hash_only: false,
            })
        );
        assert_eq!(
            DriveSpec::parse(Some("virt:bd-r")).unwrap(),
            DriveSpec::Virtual(VirtSpec {
                kind: MediumKind::BdR,
                file: None,
                media_id: None,
                hash_only: false,
            })
        );
        assert_eq!(
            DriveSpec::parse(Some("/dev/sr0")).unwrap(),
            DriveSpec::Device(PathBuf::from("/dev/sr0"))
        );
    }

    #[test]
    fn bad_drive_names_say_what_is_wrong() {
        let e = DriveSpec::parse(Some("virt:floppy"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown medium \"floppy\""), "{e}");
        let e = DriveSpec::parse(Some("virt:bd-re@"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty"), "{e}");
        // The identity a disc file keeps is virtdrive's to name.
        let e = DriveSpec::parse(Some("virt:dvd+r/ACMEDISC/X42/3@/tmp/a.disc"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("virtdrive run|serve"), "{e}");
    }
}

/// Whether opening a virtual drive may create its disc file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `write` and `format`: a missing disc file is created blank (its folder must exist,
    /// except the embedded drive's, which is the command's own).
    Create,
    /// Every other command: a missing disc file is an error (the embedded drive's, not yet
    /// created, is a blank disc in memory), and nothing is created.
    Existing,
    /// `info` and `read`, which only look: as `Existing`, and the disc file is opened
    /// read-only under a shared lock, so these run together, on read-only files and mounts,
    /// while a writer excludes them.
    ReadOnly,
}

/// An opened drive.
// One per command, made once and never moved in a loop: boxing the emulator buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum OpenDrive {
    /// An emulated drive, under the fault plan of `--fault-plan` (an empty one without it).
    Virtual(Faulty<virtdrive::DiscFileDrive>),
    /// A real drive, opened exclusively; the engine's `Recorder::open` identifies it (and
    /// refuses anything but an MMC drive) before anything else is sent.
    #[cfg(all(feature = "sgio", target_os = "linux"))]
    Device(discwriter::sgio::SgDevice),
}

impl DriveSpec {
    /// Opens the drive.
    pub fn open(&self, access: Access) -> Result<OpenDrive, CliError> {
        match self {
            DriveSpec::Virtual(v) => match &v.file {
                None => Ok(OpenDrive::new_virtual(
                    v.drive_in_memory(virtdrive::DriveConfig::default()),
                )),
                Some(path) => open_virtual(v.kind, path, access, self.is_embedded()),
            },
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            DriveSpec::Device(path) => discwriter::sgio::SgDevice::open(path)
                .map(OpenDrive::Device)
                .map_err(device_open_error),
            #[cfg(not(all(feature = "sgio", target_os = "linux")))]
            DriveSpec::Device(path) => Err(CliError::Input(format!(
                "{}: real drives need a build with the sgio feature (cargo build --features sgio); this build drives virtual drives only",
                path.display()
            ))),
        }
    }

    /// The drive used without `--drive`.
    fn is_embedded(&self) -> bool {
        matches!(self, DriveSpec::Virtual(v) if v.file.is_some() && default_disc_file().ok() == v.file)
    }

    /// Whether the drive runs on a clock of its own (an emulated drive), not the wall clock.
    pub fn has_own_clock(&self) -> bool {
        matches!(self, DriveSpec::Virtual(_))
    }

    /// How the drive is named back to the user.
    pub fn describe(&self) -> String {
        match self {
            DriveSpec::Virtual(v) => v.to_string(),
            DriveSpec::Device(p) => p.display().to_string(),
        }
    }
}

/// The drive as an owned transport, so a job of several copies can hand a virtual drive a
/// new disc (a drive of its own, in a new file) between copies.
impl mmc_core::Transport for OpenDrive {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: mmc_core::DataPhase<'_>,
        timeout: std::time::Duration,
    ) -> Result<mmc_core::Completion, mmc_core::TransportError> {
        self.transport().execute(cdb, data, timeout)
    }

    fn pause(&mut self, d: std::time::Duration) {
        self.transport().pause(d)
    }

    fn device_time(&self) -> Option<std::time::Duration> {
        match self {
            OpenDrive::Virtual(v) => mmc_core::Transport::device_time(v),
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            OpenDrive::Device(d) => mmc_core::Transport::device_time(d),
        }
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), mmc_core::TransportError> {
        self.transport().acquire_exclusive(client)
    }

    fn release_exclusive(&mut self, client: &str) {
        self.transport().release_exclusive(client)
    }

    fn max_transfer_bytes(&self) -> Option<usize> {
        match self {
            OpenDrive::Virtual(v) => mmc_core::Transport::max_transfer_bytes(v),
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            OpenDrive::Device(d) => mmc_core::Transport::max_transfer_bytes(d),
        }
    }
}

impl DriveSpec {
    /// The disc of copy `copy` (from 2) in this drive when a job makes more copies than it
    /// has drives: a virtual disc kept in a file gets a new file beside it, named with the
    /// copy number before the extension (`disc.dvd+r` gives `disc-3.dvd+r` for copy 3); a
    /// virtual disc in memory, a new one in memory. `None` for a real drive, whose next disc
    /// an operator loads.
    pub fn for_copy(&self, copy: u32) -> Option<DriveSpec> {
        match self {
            DriveSpec::Virtual(v) => Some(DriveSpec::Virtual(VirtSpec {
                file: v.file.as_deref().map(|f| numbered(f, copy)),
                ..v.clone()
            })),
            DriveSpec::Device(_) => None,
        }
    }

    /// The file of a virtual disc, when it is kept in one.
    pub fn disc_file(&self) -> Option<&std::path::Path> {
        match self {
            DriveSpec::Virtual(v) => v.file.as_deref(),
            DriveSpec::Device(_) => None,
        }
    }
}

/// `path` with `-N` before its extension: `burn.json` and 3 give `burn-3.json`, `disc`
/// gives `disc-3`. The names of the later copies' disc files (as `virtdrive --changer` names
/// the discs of its stack) and of each copy's manifest.
pub use virtdrive::numbered_disc_file as numbered;

impl OpenDrive {
    fn new_virtual(drive: virtdrive::DiscFileDrive) -> Self {
        OpenDrive::Virtual(Faulty::for_drive(drive, FaultPlan::empty()))
    }

    /// Puts a virtual drive under `plan` (a real drive is left as it is).
    pub fn with_fault_plan(self, plan: FaultPlan) -> Self {
        match self {
            OpenDrive::Virtual(v) => OpenDrive::Virtual(Faulty::for_drive(v.into_inner(), plan)),
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            other => other,
        }
    }

    /// The drive as a transport.
    pub fn transport(&mut self) -> &mut (dyn mmc_core::Transport + Send) {
        match self {
            OpenDrive::Virtual(v) => v,
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            OpenDrive::Device(d) => d,
        }
    }

    /// What went wrong under a virtual drive (its disc file's file system), when something
    /// did: the engine only sees the drive's answer.
    pub fn host_cause(&self) -> Option<String> {
        match self {
            #[cfg(unix)]
            OpenDrive::Virtual(v) => v.inner().host_io_error().map(|e| e.to_string()),
            #[cfg(not(unix))]
            OpenDrive::Virtual(_) => None,
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            OpenDrive::Device(_) => None,
        }
    }

    /// Saves what must outlive the command (a virtual disc's file).
    pub fn finish(self) -> Result<(), CliError> {
        match self {
            OpenDrive::Virtual(mut v) => v
                .inner_mut()
                .commit()
                .map_err(|e| CliError::Input(format!("saving the disc: {e}"))),
            // A real drive keeps what it wrote; closing the device releases O_EXCL.
            #[cfg(all(feature = "sgio", target_os = "linux"))]
            OpenDrive::Device(_) => Ok(()),
        }
    }
}

fn open_virtual(
    kind: MediumKind,
    path: &std::path::Path,
    access: Access,
    embedded: bool,
) -> Result<OpenDrive, CliError> {
    let config = virtdrive::DriveConfig::default();
    let exists = path.exists();
    match access {
        Access::Existing | Access::ReadOnly if !exists && embedded => {
            // The embedded drive's disc is made by the first write or format; until then it
            // is a blank disc, shown without creating anything.
            return Ok(OpenDrive::new_virtual(virtdrive::DiscFileDrive::in_memory(
                kind, config,
            )));
        }
        Access::Existing | Access::ReadOnly if !exists => {
            if let Some(dir) = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
            {
                return Err(CliError::Input(format!(
                    "{}: no such disc (the folder {} does not exist)",
                    path.display(),
                    dir.display()
                )));
            }
            return Err(CliError::Input(format!(
                "{}: no such disc (the file does not exist; `discwriter write` or `discwriter format` with --drive virt:{}@{} creates it)",
                path.display(),
                kind.name(),
                path.display()
            )));
        }
        Access::Create if !exists => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            if embedded {
                std::fs::create_dir_all(dir).map_err(|e| {
                    CliError::Input(format!("cannot create {}: {e}", dir.display()))
                })?;
            } else if !dir.is_dir() {
                return Err(CliError::Input(format!(
                    "{}: cannot create the disc there: the folder {} does not exist",
                    path.display(),
                    dir.display()
                )));
            }
        }
        _ => {}
    }
    let opened = match access {
        Access::Create => virtdrive::DiscFileDrive::open(kind, path, config),
        Access::Existing => virtdrive::DiscFileDrive::open_existing(kind, path, config),
        Access::ReadOnly => virtdrive::DiscFileDrive::open_read_only(kind, path, config),
    };
    opened
        .map(OpenDrive::new_virtual)
        .map_err(|e| CliError::Input(e.to_string()))
}

/// A drive held by another program is IMAPI's E_IMAPI_RECORDER_LOCKED; the other refusals
/// (no such device, not a device, not SG) are the user's input to fix.
#[cfg(all(feature = "sgio", target_os = "linux"))]
fn device_open_error(e: discwriter::sgio::OpenError) -> CliError {
    match e {
        discwriter::sgio::OpenError::Busy { .. } => {
            discwriter::Error::from_transport(mmc_core::TransportError::Locked { owner: None }, 0)
                .into()
        }
        other => CliError::Input(other.to_string()),
    }
}

#[cfg(test)]
mod open_tests {
    use super::*;

    #[test]
    fn only_create_makes_a_disc_file_and_never_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("x.disc");
        let spec = DriveSpec::Virtual(VirtSpec {
            kind: MediumKind::BdRe,
            file: Some(missing.clone()),
            media_id: None,
            hash_only: false,
        });
        for access in [Access::Existing, Access::ReadOnly] {
            let e = spec.open(access).unwrap_err().to_string();
            assert!(e.contains("no such disc"), "{e}");
            assert!(!missing.exists());
        }
        let deep = DriveSpec::Virtual(VirtSpec {
            kind: MediumKind::BdRe,
            file: Some(dir.path().join("no/such/dir/x")),
            media_id: None,
            hash_only: false,
        });
        for access in [Access::Create, Access::Existing, Access::ReadOnly] {
            assert!(deep.open(access).is_err());
        }
        assert!(!dir.path().join("no").exists());
        assert!(spec.open(Access::Create).is_ok());
        assert!(missing.exists());
    }
}
