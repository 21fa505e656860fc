//! What can be wrong with a disc file; every message names the file, and a failure of the
//! file system under it (full, read-only, not permitted, over quota) in plain words.

use core::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::errno::Errno;

/// Why a disc file could not be created, opened or committed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersistError {
    /// Neither the data file nor its state file exists.
    #[error("{}: no virtual disc there (the file does not exist)", path.display())]
    Missing { path: PathBuf },
    /// The file exists but is not a virtual disc.
    #[error("{}: not a virtual disc file: {reason}", path.display())]
    NotADiscFile { path: PathBuf, reason: String },
    /// The state file is not valid JSON or lacks what a disc state holds.
    #[error("{}: corrupt disc state: {detail}", path.display())]
    CorruptState { path: PathBuf, detail: String },
    /// The state file was written by a format version this build does not read.
    #[error(
        "{}: disc file format version {found}, this program reads version {supported}",
        path.display()
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: u64,
        supported: u64,
    },
    /// The data file is shorter than the committed state says: truncated or replaced.
    #[error(
        "{}: the data file has {actual} bytes but the disc state says {expected}; it was \
         truncated or replaced",
        path.display()
    )]
    DataTruncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    /// The journal of a committed update cannot be replayed.
    #[error("{}: corrupt journal: {detail}", path.display())]
    CorruptJournal { path: PathBuf, detail: String },
    /// The journal of the disc's last commit, which the state names, is missing, cut short or
    /// damaged: that generation cannot be read. `remedy` says what still can.
    #[error("{}: generation {generation} is damaged: {detail}; {remedy}", path.display())]
    Damaged {
        path: PathBuf,
        generation: u64,
        detail: String,
        remedy: String,
    },
    /// Another process has the disc open.
    #[error("{}: the disc is in use by another process", path.display())]
    Locked { path: PathBuf },
    /// Creating a disc where a file already is.
    #[error(
        "{}: a file is already there; a new disc is only created where there is none",
        path.display()
    )]
    AlreadyExists { path: PathBuf },
    /// An earlier commit failed after its commit point; the disc must be reopened, which
    /// finishes it, before committing again.
    #[error(
        "{}: an earlier commit failed half-way; reopen the disc to complete it",
        path.display()
    )]
    NeedsReopen { path: PathBuf },
    /// Reading or writing a file failed. The message names a full file system, a read-only
    /// one, a denied permission and an exceeded quota in plain words.
    #[error("{}", PlainCause { file: path, disc: path, source })]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl PersistError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            PersistError::Missing { path }
            | PersistError::NotADiscFile { path, .. }
            | PersistError::CorruptState { path, .. }
            | PersistError::UnsupportedVersion { path, .. }
            | PersistError::DataTruncated { path, .. }
            | PersistError::CorruptJournal { path, .. }
            | PersistError::Damaged { path, .. }
            | PersistError::Locked { path }
            | PersistError::AlreadyExists { path }
            | PersistError::NeedsReopen { path }
            | PersistError::Io { path, .. } => path,
        }
    }
}

/// Attaches a path to an I/O error.
pub(crate) fn io_at(path: &Path) -> impl FnOnce(io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a disc file was doing when its file system failed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscFileOperation {
    /// Reading sectors, from the data file or the journal.
    ReadingSectors,
    /// Writing sectors straight into the data file's tail.
    WritingData,
    /// Writing sectors into the journal.
    WritingJournal,
    /// Cutting unsynchronized sectors off the data file after a power loss.
    DiscardingUnsynchronized,
    /// Commit steps 0-2 (see the [module documentation](super)), up to the commit point: a
    /// failure here leaves the disc as of its previous commit.
    CommittingState,
    /// Commit step 3, copying the committed sectors from the journal into the data file: a
    /// failure here is finished by reopening the disc.
    ApplyingJournal,
    /// Commit step 4, deleting or replacing the journal: finished by reopening too.
    RetiringJournal,
}

impl fmt::Display for DiscFileOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiscFileOperation::ReadingSectors => "reading sectors from the disc file",
            DiscFileOperation::WritingData => "writing sectors into the data file",
            DiscFileOperation::WritingJournal => "writing sectors into the journal",
            DiscFileOperation::DiscardingUnsynchronized => {
                "cutting unsynchronized sectors off the data file"
            }
            DiscFileOperation::CommittingState => "committing the disc state",
            DiscFileOperation::ApplyingJournal => "copying committed sectors into the data file",
            DiscFileOperation::RetiringJournal => "retiring the journal",
        })
    }
}

/// A failure of the file system under a disc file while the disc was in use: what the
/// emulated drive reported as a write or read error (it answers as a drive would, with sense
/// data), with its real cause on the host.
///
/// Its message names the cause in plain words:
///
/// ```text
/// writing sectors into the data file: no space left on the file system holding /mnt/disc.img
/// committing the disc state: /mnt/disc.img.state.json.tmp: permission denied
/// writing sectors into the journal: /mnt/disc.img is on a read-only file system
/// committing the disc state: disk quota exceeded on the file system holding /mnt/disc.img
/// reading sectors from the disc file: /mnt/disc.img: Input/output error (os error 5)
/// ```
#[derive(Debug, Clone)]
pub struct HostIoError {
    operation: DiscFileOperation,
    disc: PathBuf,
    path: PathBuf,
    source: Arc<io::Error>,
}

impl HostIoError {
    pub(crate) fn new(
        operation: DiscFileOperation,
        disc: &Path,
        path: &Path,
        source: io::Error,
    ) -> Self {
        HostIoError {
            operation,
            disc: disc.to_path_buf(),
            path: path.to_path_buf(),
            source: Arc::new(source),
        }
    }

    /// What the disc file was doing.
    pub fn operation(&self) -> DiscFileOperation {
        self.operation
    }

    /// The disc's data file (`FILE` of `virt:MEDIA@FILE`).
    pub fn disc_path(&self) -> &Path {
        &self.disc
    }

    /// The file or directory the failing call was made on: the data file, the journal, the
    /// state file or its temp file, or their directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The kind of I/O error (`StorageFull`, `ReadOnlyFilesystem`, `PermissionDenied`, ...).
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The operating system's error number (`ENOSPC`, `EROFS`, `EACCES`, `EDQUOT`, ...).
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }
}

impl fmt::Display for HostIoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.operation,
            PlainCause {
                file: &self.path,
                disc: &self.disc,
                source: &self.source,
            }
        )
    }
}

impl std::error::Error for HostIoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// An I/O error in plain words: the conditions of a file system (full, read-only, over quota)
/// name the file system by the disc it holds, a denied permission names the file, anything
/// else is the error's own text after the file.
struct PlainCause<'a> {
    file: &'a Path,
    disc: &'a Path,
    source: &'a io::Error,
}

impl fmt::Display for PlainCause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, disc) = (self.file.display(), self.disc.display());
        match self.source.raw_os_error().map(Errno::from_raw) {
            Some(Errno::ENOSPC) => write!(f, "no space left on the file system holding {disc}"),
            Some(Errno::EDQUOT) => {
                write!(f, "disk quota exceeded on the file system holding {disc}")
            }
            Some(Errno::EROFS) => write!(f, "{disc} is on a read-only file system"),
            Some(Errno::EACCES) => write!(f, "{file}: permission denied"),
            Some(_) => write!(f, "{file}: {}", self.source),
            // An error made in this crate, not by a system call: by its kind, else its text.
            None => match self.source.kind() {
                io::ErrorKind::StorageFull => {
                    write!(f, "no space left on the file system holding {disc}")
                }
                io::ErrorKind::ReadOnlyFilesystem => {
                    write!(f, "{disc} is on a read-only file system")
                }
                io::ErrorKind::PermissionDenied => write!(f, "{file}: permission denied"),
                _ => write!(f, "{file}: {}", self.source),
            },
        }
    }
}

/// The same error again (an `io::Error` cannot be cloned): the OS error by its number, any
/// other by its kind and text.
pub(crate) fn duplicate(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(errno: Errno, operation: DiscFileOperation, file: &str) -> String {
        let source = io::Error::from_raw_os_error(errno as i32);
        HostIoError::new(
            operation,
            Path::new("/mnt/disc.img"),
            Path::new(file),
            source,
        )
        .to_string()
    }

    #[test]
    fn each_file_system_condition_is_named_in_plain_words() {
        use DiscFileOperation as Op;
        assert_eq!(
            failure(Errno::ENOSPC, Op::WritingData, "/mnt/disc.img"),
            "writing sectors into the data file: no space left on the file system holding \
             /mnt/disc.img"
        );
        assert_eq!(
            failure(
                Errno::EACCES,
                Op::CommittingState,
                "/mnt/disc.img.state.json.tmp"
            ),
            "committing the disc state: /mnt/disc.img.state.json.tmp: permission denied"
        );
        assert_eq!(
            failure(Errno::EROFS, Op::WritingJournal, "/mnt/disc.img.journal"),
            "writing sectors into the journal: /mnt/disc.img is on a read-only file system"
        );
        assert_eq!(
            failure(Errno::EDQUOT, Op::ApplyingJournal, "/mnt/disc.img"),
            "copying committed sectors into the data file: disk quota exceeded on the file \
             system holding /mnt/disc.img"
        );
        let eio = failure(Errno::EIO, Op::ReadingSectors, "/mnt/disc.img.journal");
        assert!(
            eio.starts_with("reading sectors from the disc file: /mnt/disc.img.journal: "),
            "{eio}"
        );
        assert!(eio.contains("os error 5"), "{eio}");
    }

    #[test]
    fn a_persist_error_names_the_cause_and_the_file() {
        let e = |errno: Errno| {
            io_at(Path::new("/mnt/disc.img.journal"))(io::Error::from_raw_os_error(errno as i32))
                .to_string()
        };
        assert_eq!(
            e(Errno::ENOSPC),
            "no space left on the file system holding /mnt/disc.img.journal"
        );
        assert_eq!(e(Errno::EACCES), "/mnt/disc.img.journal: permission denied");
        assert_eq!(
            e(Errno::EROFS),
            "/mnt/disc.img.journal is on a read-only file system"
        );
        assert_eq!(
            e(Errno::EDQUOT),
            "disk quota exceeded on the file system holding /mnt/disc.img.journal"
        );
        // Errors made by this crate, by their kind.
        let full = io_at(Path::new("/d"))(io::Error::new(io::ErrorKind::StorageFull, "x"));
        assert_eq!(
            full.to_string(),
            "no space left on the file system holding /d"
        );
        let other = io_at(Path::new("/d"))(io::Error::other("the journal is closed"));
        assert_eq!(other.to_string(), "/d: the journal is closed");
    }

    #[test]
    fn the_cause_is_kept_whole() {
        let e = HostIoError::new(
            DiscFileOperation::WritingData,
            Path::new("/mnt/disc.img"),
            Path::new("/mnt/disc.img"),
            io::Error::from_raw_os_error(Errno::ENOSPC as i32),
        );
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        assert_eq!(e.raw_os_error(), Some(Errno::ENOSPC as i32));
        assert_eq!(e.clone().operation(), DiscFileOperation::WritingData);
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(
            source,
            Some(io::Error::from_raw_os_error(Errno::ENOSPC as i32).to_string())
        );
        let copy = duplicate(&io::Error::new(io::ErrorKind::ReadOnlyFilesystem, "ro"));
        assert_eq!(copy.kind(), io::ErrorKind::ReadOnlyFilesystem);
        assert_eq!(copy.to_string(), "ro");
    }
}
