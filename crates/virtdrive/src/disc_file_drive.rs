//! `virt:MEDIA[/ID][@FILE]`: a virtual drive holding a disc, in memory or kept in a disc file.
//!
//! With a file, [`DiscFileDrive::open`] creates the disc blank when the file is missing (never
//! its directory), [`DiscFileDrive::open_existing`] refuses a missing one and
//! [`DiscFileDrive::open_read_only`] opens one for looking only, alongside other readers; every point at which a real disc becomes durable (GOOD from SYNCHRONIZE CACHE, CLOSE
//! TRACK/SESSION, FORMAT UNIT, and when the drive is finished) commits the medium's state and
//! its synchronized sectors to the file atomically: a process killed at any point leaves the
//! disc as of its last commit.
//!
//! # When the file system under the disc fails
//!
//! The drive answers as a drive that cannot record: a WRITE whose sectors cannot be stored,
//! and a SYNCHRONIZE CACHE, CLOSE TRACK/SESSION or FORMAT UNIT whose commit fails, end in
//! CHECK CONDITION with 03/0C/00 WRITE ERROR (MMC's answer for sectors the drive failed to
//! record; a read that fails is 03/11/00 UNRECOVERED READ ERROR). The host program that owns
//! the drive learns the real cause (a full file system, a read-only one, a denied
//! permission, an exceeded quota) from [`DiscFileDrive::host_io_error`]. A failed commit
//! leaves no temp file, and the disc file opens at its last good commit once the cause is
//! removed (see [`crate::persist`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use mmc_core::cdb::Opcode;
use mmc_core::response::disc_info::BgFormatStatus;
use mmc_core::sense::triples;
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use serde_json::json;

use crate::drive::{build_sense, DriveConfig, EmulatedDrive, WriteProtection};
use crate::fault::{Arrival, DriveCondition, DriveHooks};
use crate::medium::{self, MediaIdentity, MediumKind};
use crate::store::{HashOnlyStore, MemoryStore, SectorStore};

#[cfg(unix)]
use crate::persist::{DiscFile, HostIoError, PersistError};

/// Why a virtual drive could not be opened or saved.
#[derive(Debug, thiserror::Error)]
pub enum DiscFileDriveError {
    #[cfg(unix)]
    #[error(transparent)]
    Persist(#[from] PersistError),
    #[error(
        "{path}: holds a {found} disc, not a {wanted} (use virt:{found}@{path}, or another file)"
    )]
    WrongMedium {
        path: PathBuf,
        found: &'static str,
        wanted: &'static str,
    },
    #[error("{path}: the saved disc state is not usable: {detail}")]
    BadState { path: PathBuf, detail: String },
    #[error("disc files need a Unix system")]
    Unsupported,
}

/// A drive with its disc, committed to a file when it has one.
///
/// ```
/// use mmc_core::cdb::{CdbRepr, TestUnitReady};
/// use mmc_core::{DataPhase, Transport};
/// use std::time::Duration;
/// use virtdrive::{medium::MediumKind, DriveConfig, DiscFileDrive};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("disc.img");
/// // `open` creates a blank disc when the file is missing; `open_existing` would refuse.
/// let mut drive = DiscFileDrive::open(MediumKind::CdR80, &path, DriveConfig::default())?;
/// let done = drive.execute(&TestUnitReady.encode(), DataPhase::None, Duration::from_secs(5))?;
/// assert!(done.is_good());
/// drive.commit()?;
/// drop(drive);
/// let again = DiscFileDrive::open_existing(MediumKind::CdR80, &path, DriveConfig::default())?;
/// assert_eq!(again.path().as_deref(), Some(path.as_path()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct DiscFileDrive {
    drive: EmulatedDrive,
    /// What host programs keep with the disc (see [`DiscFileDrive::note`]).
    notes: serde_json::Map<String, serde_json::Value>,
    /// A FORMAT UNIT was accepted and its commit holds the format as started: the disc is
    /// committed again once the drive is no longer busy with it, so a finished format
    /// survives a power loss as it does on a disc.
    format_to_commit: bool,
    #[cfg(unix)]
    file: Option<DiscFile>,
}

impl DiscFileDrive {
    /// A drive holding a blank disc of `kind` in memory.
    pub fn in_memory(kind: MediumKind, config: DriveConfig) -> Self {
        Self::blank_in(kind, Box::new(MemoryStore::new()), config)
    }

    /// A drive holding a blank disc of `kind` in the hash-only store (`virt:MEDIA+hash`): a
    /// CRC-32 per sector in bounded memory; only sectors of one repeated byte read back.
    pub fn hash_only(kind: MediumKind, config: DriveConfig) -> Self {
        Self::blank_in(kind, Box::new(HashOnlyStore::new()), config)
    }

    fn blank_in(kind: MediumKind, store: Box<dyn SectorStore>, config: DriveConfig) -> Self {
        let medium = medium::blank(kind, store);
        DiscFileDrive {
            drive: EmulatedDrive::with_medium(config, medium),
            notes: serde_json::Map::new(),
            format_to_commit: false,
            #[cfg(unix)]
            file: None,
        }
    }

    /// A drive holding the disc kept in `path`, created blank as `kind` when missing. The
    /// directory must exist: a mistyped path is an error, not a new tree of folders.
    #[cfg(unix)]
    pub fn open(
        kind: MediumKind,
        path: &Path,
        config: DriveConfig,
    ) -> Result<Self, DiscFileDriveError> {
        Self::open_with(kind, path, config, Opening::Create)
    }

    /// A drive holding the disc kept in `path`, which must exist
    /// ([`PersistError::Missing`] otherwise): for commands that only look at a disc.
    #[cfg(unix)]
    pub fn open_existing(
        kind: MediumKind,
        path: &Path,
        config: DriveConfig,
    ) -> Result<Self, DiscFileDriveError> {
        Self::open_with(kind, path, config, Opening::Existing)
    }

    /// A drive holding the disc kept in `path`, which must exist, opened for looking only
    /// ([`DiscFile::open_read_only`]): the files are opened read-only under a shared lock, so
    /// a read-only file or mount will do and other readers may look at the same time, while a
    /// writer excludes them all. The drive answers as with [`DiscFileDrive::open_existing`];
    /// a WRITE fails (03/0C/00 WRITE ERROR, the host's cause a read-only disc) and nothing is
    /// committed.
    #[cfg(unix)]
    pub fn open_read_only(
        kind: MediumKind,
        path: &Path,
        config: DriveConfig,
    ) -> Result<Self, DiscFileDriveError> {
        Self::open_with(kind, path, config, Opening::ReadOnly)
    }

    #[cfg(unix)]
    fn open_with(
        kind: MediumKind,
        path: &Path,
        config: DriveConfig,
        opening: Opening,
    ) -> Result<Self, DiscFileDriveError> {
        let bad = |detail: String| DiscFileDriveError::BadState {
            path: path.to_path_buf(),
            detail,
        };
        let data_exists = path.exists();
        let loaded = if opening == Opening::ReadOnly {
            DiscFile::open_read_only(path)?
        } else if data_exists || opening == Opening::Existing {
            DiscFile::open(path)?
        } else {
            let blank = medium::blank(kind, Box::new(MemoryStore::new()));
            DiscFile::create(
                path,
                kind,
                &saved_state(
                    blank.save_state(),
                    WriteProtection::default(),
                    config.media_identity.as_ref(),
                ),
            )?
        };
        if loaded.kind != kind {
            return Err(DiscFileDriveError::WrongMedium {
                path: path.to_path_buf(),
                found: loaded.kind.name(),
                wanted: kind.name(),
            });
        }
        let medium_state = loaded
            .state
            .get("medium")
            .ok_or_else(|| bad("the state has no \"medium\" object".into()))?;
        // The causes when the file names them, else the one flag older files keep.
        let write_protection = match loaded.state.pointer("/drive/write_protection") {
            Some(v) => serde_json::from_value::<WriteProtection>(v.clone())
                .map_err(|e| bad(format!("drive.write_protection: {e}")))?,
            None => {
                let protected = loaded
                    .state
                    .pointer("/drive/write_protected")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                if protected {
                    WriteProtection::MEDIA_SPECIFIC
                } else {
                    WriteProtection::default()
                }
            }
        };
        let medium = if data_exists {
            medium::load(kind, medium_state, Box::new(loaded.store))
                .map_err(|e| bad(e.to_string()))?
        } else {
            medium::blank(kind, Box::new(loaded.store))
        };
        let notes = match loaded.state.get("notes") {
            None | Some(serde_json::Value::Null) => serde_json::Map::new(),
            Some(serde_json::Value::Object(m)) => m.clone(),
            Some(_) => return Err(bad("\"notes\" is not an object".into())),
        };
        // The identity the disc was made with outranks the configuration's: a disc cannot
        // change maker. Files saved without one take the configuration's (or the default).
        let mut config = config;
        match loaded.state.get("media_identity") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(id)) => {
                config.media_identity = Some(
                    MediaIdentity::parse(id).map_err(|e| bad(format!("media_identity: {e}")))?,
                );
            }
            Some(_) => return Err(bad("\"media_identity\" is not a string".into())),
        }
        let mut drive = EmulatedDrive::with_medium(config, medium);
        drive.set_write_protection(write_protection);
        Ok(DiscFileDrive {
            drive,
            notes,
            format_to_commit: false,
            file: Some(loaded.file),
        })
    }

    /// Without Unix there are no disc files.
    #[cfg(not(unix))]
    pub fn open(_: MediumKind, _: &Path, _: DriveConfig) -> Result<Self, DiscFileDriveError> {
        Err(DiscFileDriveError::Unsupported)
    }

    /// Without Unix there are no disc files.
    #[cfg(not(unix))]
    pub fn open_read_only(
        _: MediumKind,
        _: &Path,
        _: DriveConfig,
    ) -> Result<Self, DiscFileDriveError> {
        Err(DiscFileDriveError::Unsupported)
    }

    /// Without Unix there are no disc files.
    #[cfg(not(unix))]
    pub fn open_existing(
        _: MediumKind,
        _: &Path,
        _: DriveConfig,
    ) -> Result<Self, DiscFileDriveError> {
        Err(DiscFileDriveError::Unsupported)
    }

    /// A disc changer's swap: the disc in the drive is committed to its file and taken out,
    /// and the disc kept in `path` (created blank, of the same medium and made by `maker`
    /// (`None`: the medium's default), when missing; loaded as it is, with its own maker,
    /// when it exists) put in with the tray closed, so the drive becomes ready and reports
    /// the new disc as after any insertion (02/04/01, then 06/28/00). The drive itself (its
    /// clock, its settings) stays. When the disc in the drive cannot be saved, nothing
    /// changes (the error says why); when the next cannot be opened, the drive is left
    /// empty with its tray open, the old disc saved.
    #[cfg(unix)]
    pub fn load_disc(
        &mut self,
        path: &Path,
        maker: Option<MediaIdentity>,
    ) -> Result<(), DiscFileDriveError> {
        let kind =
            self.drive
                .medium()
                .map(|m| m.kind())
                .ok_or_else(|| DiscFileDriveError::BadState {
                    path: path.to_path_buf(),
                    detail: "the drive holds no disc to take the kind of the next from".into(),
                })?;
        self.commit()?;
        self.drive.remove_medium();
        self.drive.open_tray();
        self.file = None;
        self.notes.clear();
        self.format_to_commit = false;
        let mut config = self.drive.config().clone();
        config.media_identity = maker;
        let mut next = DiscFileDrive::open(kind, path, config)?;
        let medium = next
            .drive
            .remove_medium()
            .ok_or_else(|| DiscFileDriveError::BadState {
                path: path.to_path_buf(),
                detail: "no disc was made from it".into(),
            })?;
        // The maker the disc was made with (or the one a new blank disc takes).
        self.drive.config.media_identity = next.drive.config.media_identity.take();
        let protection = next.drive.write_protection();
        self.drive.insert(medium);
        self.drive.set_write_protection(protection);
        self.notes = std::mem::take(&mut next.notes);
        self.file = next.file.take();
        Ok(())
    }

    /// What a host program kept with the disc under `key` (see [`DiscFileDrive::set_note`]).
    pub fn note(&self, key: &str) -> Option<&serde_json::Value> {
        self.notes.get(key)
    }

    /// Keeps `value` with the disc under `key`, saved at the next commit. A real disc has no
    /// such place: this is how a host program using a virtual drive remembers what it wrote
    /// (the `discwriter` command keeps the extent of its last write, so that reading back
    /// gives the image exactly). Any command that changes the disc's contents (WRITE, WRITE
    /// AND VERIFY, FORMAT UNIT, BLANK), whoever sends it, forgets every note, so a note never
    /// describes data that was changed after it was made.
    pub fn set_note(&mut self, key: &str, value: serde_json::Value) {
        self.notes.insert(key.to_string(), value);
    }

    pub fn drive(&self) -> &EmulatedDrive {
        &self.drive
    }

    pub fn drive_mut(&mut self) -> &mut EmulatedDrive {
        &mut self.drive
    }

    /// The disc file, when the disc is kept in one.
    pub fn path(&self) -> Option<PathBuf> {
        #[cfg(unix)]
        {
            self.file.as_ref().map(DiscFile::path)
        }
        #[cfg(not(unix))]
        {
            None
        }
    }

    /// The first failure of the file system under the disc file since the drive was opened
    /// or this was last taken (later ones are not kept); `None` for a disc in memory. Reads
    /// and writes the drive could not store answered 03/11/00 or 03/0C/00, and commits that
    /// failed 03/0C/00 (or an error from [`DiscFileDrive::commit`]): this names why.
    ///
    /// ```text
    /// writing sectors into the data file: no space left on the file system holding /mnt/disc.img
    /// ```
    #[cfg(unix)]
    pub fn host_io_error(&self) -> Option<HostIoError> {
        self.file.as_ref().and_then(DiscFile::host_io_error)
    }

    /// The disc file the drive keeps its disc in (none for a disc in memory).
    #[cfg(unix)]
    #[doc(hidden)]
    pub fn disc_file(&self) -> Option<DiscFile> {
        self.file.clone()
    }

    /// Takes the failure [`DiscFileDrive::host_io_error`] gives, so that the next one is kept.
    #[cfg(unix)]
    pub fn take_host_io_error(&mut self) -> Option<HostIoError> {
        self.file.as_ref().and_then(DiscFile::take_host_io_error)
    }

    /// Commits the disc's synchronized state to its file (nothing in memory).
    pub fn commit(&mut self) -> Result<(), DiscFileDriveError> {
        #[cfg(unix)]
        if let Some(file) = &self.file {
            if let Some(m) = self.drive.medium() {
                let protection = self.drive.write_protection();
                let identity = self.drive.config().media_identity.as_ref();
                let mut state = saved_state(m.save_state(), protection, identity);
                if let (false, Some(map)) = (self.notes.is_empty(), state.as_object_mut()) {
                    map.insert(
                        "notes".into(),
                        serde_json::Value::Object(self.notes.clone()),
                    );
                }
                file.commit(&state)?;
            }
        }
        Ok(())
    }
}

/// How a disc file is opened.
#[cfg(unix)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// Created blank when missing.
    Create,
    /// Refused when missing.
    Existing,
    /// Refused when missing; read-only, shared with other readers.
    ReadOnly,
}

/// Disc `n` of a series kept beside `path`: the number put before the extension
/// (`a.disc`: `a-3.disc`; `disc`: `disc-3`). How `virtdrive`'s disc changer names the discs
/// of its stack and `discwriter write --copies` the disc files of its copies.
pub fn numbered_disc_file(path: &Path, n: u32) -> PathBuf {
    let mut name = path.file_stem().unwrap_or_default().to_os_string();
    name.push(format!("-{n}"));
    if let Some(ext) = path.extension() {
        name.push(".");
        name.push(ext);
    }
    path.with_file_name(name)
}

/// What the disc file keeps: the medium's state, the drive's view of the disc, and who made
/// the disc when it was named (`MANUFACTURER/TYPE/REVISION`).
fn saved_state(
    medium: serde_json::Value,
    protection: WriteProtection,
    identity: Option<&MediaIdentity>,
) -> serde_json::Value {
    let mut state = json!({ "medium": medium, "drive": {
        "write_protected": protection.any(),
        "write_protection": protection,
    } });
    if let (Some(id), Some(map)) = (identity, state.as_object_mut()) {
        map.insert("media_identity".into(), id.to_string().into());
    }
    state
}

impl DiscFileDrive {
    /// Commits a format that has finished since FORMAT UNIT (its own commit held it as
    /// started): a blocking one (the drive no longer busy) or a background one (a DVD+RW's,
    /// READ DISC INFORMATION's BG Format Status no longer "in progress", MMC-6 6.22).
    /// A failed commit is left for the next synchronizing command, which reports it. Writes
    /// a host made during a background format are committed with it (INF: a drive would
    /// still hold them in its cache).
    fn commit_finished_format(&mut self) {
        if !self.format_to_commit || self.drive.is_busy() {
            return;
        }
        let background = self
            .drive
            .medium()
            .is_some_and(|m| m.disc_information().bg_format_status == BgFormatStatus::InProgress);
        if !background {
            self.format_to_commit = false;
            let _ = self.commit();
        }
    }
}

/// Opcodes that change the disc's contents: they make every host note stale.
fn changes_contents(opcode: u8) -> bool {
    matches!(
        Opcode::from_u8(opcode),
        Opcode::Write10
            | Opcode::Write12
            | Opcode::WriteAndVerify10
            | Opcode::FormatUnit
            | Opcode::Blank
    )
}

/// Opcodes after whose GOOD status the disc is durable. SEND DISC STRUCTURE records what it
/// sends at once (a DVD+R DL's layer boundary, MMC-5 6.33), as FORMAT UNIT its spare areas
/// and BLANK the erasing (the erased PMA and TOC of a CD-RW, the lead-in of a DVD-RW).
fn is_sync_point(opcode: u8) -> bool {
    matches!(
        Opcode::from_u8(opcode),
        Opcode::SynchronizeCache
            | Opcode::CloseTrackSession
            | Opcode::FormatUnit
            | Opcode::SendDiscStructure
            | Opcode::Blank
    )
}

impl Transport for DiscFileDrive {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.arrive(cdb, data.len())?;
        self.run_arrived(cdb, data, timeout)
    }
    fn pause(&mut self, d: Duration) {
        self.drive.pause(d);
        self.commit_finished_format();
    }

    fn device_time(&self) -> Option<Duration> {
        self.drive.device_time()
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        Transport::acquire_exclusive(&mut self.drive, client)
    }

    fn release_exclusive(&mut self, client: &str) {
        Transport::release_exclusive(&mut self.drive, client)
    }

    fn max_transfer_bytes(&self) -> Option<usize> {
        Transport::max_transfer_bytes(&self.drive)
    }
}

impl DriveHooks for DiscFileDrive {
    fn arrive(&mut self, cdb: &[u8], data_len: usize) -> Result<Arrival, TransportError> {
        if cdb.first().copied().is_some_and(changes_contents) {
            self.notes.clear();
        }
        self.drive.arrive(cdb, data_len)
    }

    fn run_arrived(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let transfer = data.len();
        let completion = self.drive.run_arrived(cdb, data, timeout)?;
        let opcode = cdb.first().copied();
        if completion.is_good() && opcode == Some(Opcode::FormatUnit.to_u8()) {
            self.format_to_commit = true;
        }
        self.commit_finished_format();
        if completion.is_good() && opcode.is_some_and(is_sync_point) && self.commit().is_err() {
            // A drive whose cache cannot reach the disc reports a write error; the cause on
            // the host is kept for `host_io_error`. The file stays as of its last commit, and
            // the next synchronizing command tries again (or, for a commit that failed after
            // its commit point, fails until the disc is reopened, which finishes it).
            let sense = build_sense(triples::WRITE_ERROR, None, None);
            return Ok(Completion::check_condition(&sense, transfer));
        }
        Ok(completion)
    }

    fn answered(&mut self) {
        self.drive.answered()
    }

    fn dropped(&mut self, cdb: &[u8], data: &DataPhase<'_>) {
        self.drive.dropped(cdb, data)
    }

    fn delay(&mut self, d: Duration) {
        self.drive.delay(d)
    }

    fn time_out(&mut self, timeout: Duration) {
        self.drive.time_out(timeout)
    }

    fn lose_power(&mut self) {
        self.drive.lose_power()
    }

    fn vanish(&mut self) {
        self.drive.vanish()
    }

    fn enter_condition(&mut self, condition: &DriveCondition) {
        self.drive.enter_condition(condition)
    }
}
