//! The disc file: a virtual disc kept on disk, so successive processes see the same disc
//! (`virt:MEDIA@FILE`), updated atomically so that a killed process never leaves a torn disc.
//!
//! # Files
//!
//! A disc named `FILE` is three files side by side:
//!
//! - `FILE`, the **data file**: sector `i` at byte offset `i * 2048`, sparse (never-written
//!   ranges are holes and read as zeros), `data_sectors * 2048` bytes long once committed.
//!   It holds every committed sector that the journal's map does not name (those it names
//!   are holes once their commit is finished); past
//!   `data_sectors` is the **tail**, sectors being written for the next commit (see below).
//!   Opening cuts the file back to `data_sectors * 2048` bytes.
//! - `FILE.state.json`, the **state file**: one JSON object:
//!
//!   ```json
//!   { "format": "virtdrive disc", "version": 3, "generation": 7, "medium": "bd-re",
//!     "data_sectors": 40960,
//!     "journal": { "generation": 7, "record_offset": 67110912, "record_length": 24600,
//!                  "record_blake3": "…64 hex digits…", "header_generation": 5,
//!                  "checked": true },
//!     "state": { …the caller's JSON: the medium's save_state(), drive settings… },
//!     "previous": { "generation": 6, "data_sectors": 40960, "state": { … },
//!                   "journal": { …generation 6's record… } },
//!     "check": "…64 hex digits…" }
//!   ```
//!
//!   `generation` counts commits (0 when created). `journal` names the journal whose record
//!   maps the sectors that live there rather than in the data file (`null` when none do);
//!   `checked` says that its slots were found to match their digests after the commit point
//!   (see below). `previous` is the generation before, kept so that a disc whose last commit
//!   was damaged can be rolled back to it on request (`virtdrive fsck --repair`). `check`,
//!   always the last member, is BLAKE3 of every byte of the file before the `,` that
//!   precedes it. Older versions are still opened: version 2 (no `header_generation`, no
//!   `checked`; a named journal is a commit not yet copied into the data file, which opening
//!   copies and retires) and version 1 (as 2 without `check` and `previous`, and a `journal`
//!   left named after it was copied). The first commit writes version 3; a newer version is
//!   refused ([`PersistError::UnsupportedVersion`]).
//! - `FILE.journal`, the **journal**: the home of sectors written over committed data. All
//!   numbers little-endian:
//!
//!   | bytes | what |
//!   |---|---|
//!   | 0-7 | magic `VDJRNL\0\x01` |
//!   | 8-15 | the generation whose commit created the journal (u64; the state's `header_generation`) |
//!   | 16-23 | reserved, zero |
//!   | 24-31 | check: the first 8 bytes of BLAKE3 of bytes 0-15 |
//!   | 32-2047 | zero |
//!   | 2048 × (k + 1) | slot k: one sector's 2048 bytes |
//!   | `record_offset` | a commit record: magic `VDJREC\0\x03`, the generation (u64), the number of entries n (u64), then n entries of first sector (u64), first slot (u32), sector count (u32, at most 512, within one aligned 512 slots) and BLAKE3 of those slots (32 bytes), sorted by sector |
//!
//!   Each commit appends its record after every slot it maps, and the record maps every
//!   sector that lives in the journal (the whole map, not what changed). So every slot the
//!   state's record maps is covered by a digest (one per megabyte of slots), the record by
//!   the state's `record_blake3`, and the state by its `check`. Slots and records no
//!   committed map needs any more are holes (punched; they read as zeros). Records of
//!   versions 1 (`\x01`: sector u64, slot u32 per sector) and 2 (`\x02`: runs without
//!   digests) are still read, from states of versions 1 and 2.
//!
//! The data file carries an advisory `flock` while a process has the disc open, so a second
//! process gets [`PersistError::Locked`] instead of two writers interleaving: exclusive for
//! [`DiscFile::open`] and [`DiscFile::create`], shared for [`DiscFile::open_read_only`], so
//! readers run together and a writer excludes them all. The kernel drops the lock when the
//! holder dies, even by SIGKILL.
//!
//! # Writing and committing
//!
//! A sector past everything committed (at or beyond `data_sectors`, and not written since the
//! last synchronize) is written **straight into the data file's tail**: the committed state
//! does not cover it, so no older copy needs protecting, and a killed process leaves only
//! bytes that the next open cuts off. This is how a new disc, or a CD-R's next session, is
//! written once at the speed of the file system. Every other write (over committed data, or
//! over a sector synchronized since the last commit) goes to **new journal slots** after
//! every slot and record a committed map names, so that the committed or synchronized copy
//! survives until the commit; a pending write over a pending sector reuses its slot. Each
//! write is hashed as it is written, a digest per group of slots, so that the commit need not
//! read them back. A disc being written need not fit in memory either way (a 25 GB BD-RE is
//! written whole before its SYNCHRONIZE CACHE): the map keeps runs of sectors, not sectors.
//! Reads go through the map: a sector it names is read from its slot, any other from the
//! data file.
//!
//! [`SectorStore::commit`](crate::store::SectorStore::commit) (the drive's SYNCHRONIZE CACHE)
//! marks what was written so far, in slots and in the tail, as synchronized;
//! [`discard_uncommitted`](crate::store::SectorStore::discard_uncommitted) (power loss) forgets
//! the rest: pending slots are dropped and the tail is cut back to its synchronized part.
//! [`DiscFile::commit`] then makes the synchronized sectors and the caller's state durable
//! together, as generation `G + 1`:
//!
//! 0. fsync the data file when its tail holds synchronized sectors (or it had to grow);
//! 1. append the commit record (the whole synchronized map, sorted, with the digests of its
//!    groups: hashed as they were written, carried over from the last record, or read back
//!    for groups rewritten since) to the journal after its last slot; fsync it;
//! 2. write the new state file (generation `G + 1`, `data_sectors` now covering the
//!    synchronized tail and the record's sectors, the record's offset, length and BLAKE3,
//!    not `checked`) to `FILE.state.json.tmp`; fsync it; rename it over `FILE.state.json`;
//!    fsync the directory. **The rename is the commit point.**
//! 3. replace the state file as in step 2 by the same generation, `checked` (the commit
//!    hashed the slots from the sectors it was given, after which they were fsynced);
//! 4. punch holes where copies no map needs any more were: in the journal, the slots the
//!    commit replaced and generation `G`'s record; in the data file, the sectors the map
//!    names. Space given back, nothing written. From here on generation `G` cannot be
//!    restored (a `previous` is offered for repair only while the journal is not `checked`).
//!
//! So a sector is written once, wherever it goes. **Compaction**: once the journal numbers
//! 2^31 slots (4 TiB), a commit instead copies the recorded slots into the data file after
//! step 2, replaces the state by the same generation naming no journal, and retires the
//! journal (deleting it, or replacing it by a new one holding only the writes still pending).
//!
//! # Opening, and why a kill at any point is safe
//!
//! On open, with the state file at generation `S`: when the state names a journal, it must
//! be there with the header the state names and its record must match the state's BLAKE3;
//! when the state does not say `checked`, every group of slots must match its digest too,
//! after which the state is marked `checked`. Slots past the record (written for a commit
//! that never reached its commit point) are cut off, and step 4 is done again. A journal the state names that is missing, cut short or damaged makes
//! the open fail with [`PersistError::Damaged`], which names the generation and the one that
//! can be restored: the disc is never opened silently at `S - 1` or with wrong data. A
//! journal the state does not name was not committed and is deleted, as are temp files.
//! [`DiscFile::open_read_only`] does the same checks but changes nothing. A version 2 state
//! naming a journal is finished as version 2 wrote it: the record is copied into the data
//! file, the state marked as naming no journal, and the journal deleted.
//!
//! A SIGKILL before the rename leaves the old state file, whose record and every slot it
//! maps lie before anything written since (new slots and records are only appended, and
//! pending slots reused are in no record): the disc opens at generation `G`, and its data
//! file's first `data_sectors` were not touched since `G`'s own commit (the tail past them
//! is cut off). After the rename, the state names a record and slots that were complete and
//! fsynced before it (step 1 precedes step 2), and a tail fsynced before it (step 0): the
//! disc opens at `G + 1`. Holes are punched only where the durable state maps nothing (after
//! step 3's rename and directory fsync), so no state that could come back names them. A
//! compaction's copy is idempotent, and the state stops naming the journal only after the
//! data file is fsynced. So a reopened disc is always exactly generation `G` or `G + 1`;
//! rename being atomic, there is no third state. The fsyncs (and the directory fsyncs) extend
//! this to power loss on file systems that honour them.
//!
//! Costs: every sector is written once, into the tail or a journal slot, and hashed from
//! memory once when it goes to the journal. A commit is three fsyncs (data file when its
//! tail grew, state file, directory), plus the journal's and a second replacement of the
//! state file (step 3) when the journal maps sectors. The record is rewritten whole at each
//! commit (48 bytes per megabyte the journal maps: 1.2 MB for a whole 25 GB BD-RE). Checking
//! every slot after a kill between steps 2 and 3 reads the whole journal back. The data file
//! has no checksum (hashing 25 GB on every open would be too slow), nor are the slots of a
//! `checked` journal read on open: each group of them is checked against its digest the
//! first time a read needs it (or a commit reads it back to record it anew), and a damaged
//! one fails that read (03/11/00 from the drive) rather than giving its bytes;
//! `virtdrive fsck` reads and checks every slot the state maps.
//!
//! # When the file system fails
//!
//! A full file system (ENOSPC), a read-only one (EROFS), a denied permission (EACCES) or an
//! exceeded quota (EDQUOT) is an I/O error like any other for the steps above, and each is
//! named in plain words: by [`PersistError`]'s message when opening, creating or committing
//! fails, and by [`HostIoError`] for failures while the disc is in use, whose first one the
//! disc keeps ([`DiscFile::host_io_error`]) because the store's caller, an emulated drive,
//! reports it to its host as sense data that cannot say why. What each failure leaves:
//!
//! - a write into the tail or the journal that fails gives back the space its stored part took
//!   (the file is cut back to the tail's end, the journal to its first free slot), so that
//!   the commit of what was written before has room; the sectors it was writing are
//!   undefined, as on a disc whose write failed;
//! - a commit failing in steps 0 to 2 removes its temp file (and a commit record it failed to
//!   write is cut off the journal): the files are generation `G`, the disc in memory is
//!   unchanged, and the commit can be tried again once there is room;
//! - a commit failing after the rename (its directory's fsync, step 3, or a compaction's
//!   copy or retirement, whose replacement journal's temp file is removed) is generation
//!   `G + 1`: later commits are refused ([`PersistError::NeedsReopen`]) and reopening
//!   finishes it by checking the journal and marking the state `checked`, which needs room
//!   for a state file: until there is, opening fails with the cause; a punch that fails
//!   leaves the bytes in place;
//! - a creation that fails removes what it made, the empty data file included.
//!
//! None of this changes the argument above: the removed files are the ones opening deletes
//! anyway, and the cuts only drop bytes past everything the state names.
//!
//! # Not persisted
//!
//! A [`HashOnlyStore`](crate::store::HashOnlyStore) disc is not saved: its checksums live in
//! memory only.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::medium::MediumKind;
mod digests;
mod disc;
mod error;
mod file_store;
mod journal;
mod staging;
mod state;

pub use disc::{check, repair, CheckReport, Repair};
pub(crate) use disc::{Access, OpenDisc};
pub use error::{DiscFileOperation, HostIoError, PersistError};
pub use file_store::FileStore;

/// A handle on an open disc file, for committing the disc's state; the sectors go through the
/// [`FileStore`] opened with it. Clones share the same open disc.
#[derive(Debug, Clone)]
pub struct DiscFile {
    disc: Arc<Mutex<OpenDisc>>,
}

/// What opening or creating a disc file gives.
#[derive(Debug)]
pub struct LoadedDisc {
    /// The handle for committing.
    pub file: DiscFile,
    /// The kind of disc the file holds.
    pub kind: MediumKind,
    /// The caller's state JSON of the last commit (or of the creation).
    pub state: serde_json::Value,
    /// The disc's sectors.
    pub store: FileStore,
}

impl DiscFile {
    /// Creates a blank disc of `kind` at `path` (the data file; the state file and journal go
    /// beside it), with the caller's initial `state`. Refuses to replace an existing file.
    pub fn create(
        path: impl AsRef<Path>,
        kind: MediumKind,
        state: &serde_json::Value,
    ) -> Result<LoadedDisc, PersistError> {
        let disc = OpenDisc::create(path.as_ref(), kind, state)?;
        Ok(Self::loaded(disc, kind, state.clone()))
    }

    /// Opens the disc at `path`, finishing or discarding what a killed process left.
    pub fn open(path: impl AsRef<Path>) -> Result<LoadedDisc, PersistError> {
        let (disc, kind, state) = OpenDisc::open(path.as_ref(), Access::ReadWrite)?;
        Ok(Self::loaded(disc, kind, state))
    }

    /// Opens the disc at `path` for reading only: the files are opened read-only (so a
    /// read-only file or mount will do) under a shared lock, which other readers share and
    /// a writer excludes. Nothing on disk changes: a commit a killed process left half-done
    /// is read in place from its journal, the store's writes fail and [`DiscFile::commit`]
    /// does nothing.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<LoadedDisc, PersistError> {
        let (disc, kind, state) = OpenDisc::open(path.as_ref(), Access::ReadOnly)?;
        Ok(Self::loaded(disc, kind, state))
    }

    /// Stops a commit at its commit point, as a process killed there would: the state names
    /// the journal, which is not applied. For tests of recovery; later commits are refused
    /// until the disc is reopened.
    #[doc(hidden)]
    pub fn commit_up_to_commit_point(&self, state: &serde_json::Value) -> Result<(), PersistError> {
        lock(&self.disc).commit_up_to_commit_point(state)
    }

    /// Makes commits compact the journal into the data file once it holds `slots` slots
    /// (normally half the slots a journal can number), so that tests reach that path.
    #[doc(hidden)]
    pub fn set_compaction_threshold(&self, slots: u32) {
        lock(&self.disc).set_compaction_threshold(slots);
    }

    pub(crate) fn from_shared(disc: Arc<Mutex<OpenDisc>>) -> Self {
        DiscFile { disc }
    }

    fn loaded(disc: OpenDisc, kind: MediumKind, state: serde_json::Value) -> LoadedDisc {
        let disc = Arc::new(Mutex::new(disc));
        LoadedDisc {
            file: DiscFile { disc: disc.clone() },
            kind,
            state,
            store: FileStore::new(disc),
        }
    }

    /// Makes the synchronized sectors (those written before the store's last
    /// [`commit`](crate::store::SectorStore::commit)) and `state` durable, atomically: a
    /// process killed at any point reopens either the previous commit or this one. Writes
    /// made since the store's last commit stay pending.
    pub fn commit(&self, state: &serde_json::Value) -> Result<(), PersistError> {
        lock(&self.disc).commit(state)
    }

    /// The data file's path.
    pub fn path(&self) -> PathBuf {
        lock(&self.disc).data_path().to_path_buf()
    }

    /// The number of commits since the disc was created.
    pub fn generation(&self) -> u64 {
        lock(&self.disc).generation()
    }

    /// The first failure of the file system under the disc (its store's reads and writes,
    /// its commits) since the disc was opened or this was last taken; later ones are not
    /// kept. A store reports its failures as [`StoreError::Io`](crate::store::StoreError),
    /// which a drive turns into sense data: this is where their cause stays.
    pub fn host_io_error(&self) -> Option<HostIoError> {
        lock(&self.disc).host_io_error().cloned()
    }

    /// Takes the failure [`host_io_error`](Self::host_io_error) gives, so that the next one is
    /// kept.
    pub fn take_host_io_error(&self) -> Option<HostIoError> {
        lock(&self.disc).take_host_io_error()
    }
}

/// Locks the shared disc; a panic in another holder leaves the disc consistent on disk (every
/// step is ordered for that), so a poisoned lock is taken as is.
pub(crate) fn lock(disc: &Mutex<OpenDisc>) -> MutexGuard<'_, OpenDisc> {
    disc.lock().unwrap_or_else(PoisonError::into_inner)
}
