//! What can be wrong with a disc file; every message names the file.

use std::io;
use std::path::{Path, PathBuf};

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
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
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
