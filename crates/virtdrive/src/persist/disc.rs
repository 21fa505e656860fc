//! An open disc file: its sectors (journal slots over the data file) and the commit
//! protocol described in the [module documentation](super).

use core::fmt;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use super::digests::GroupDigests;
use super::error::{duplicate, io_at, DiscFileOperation, HostIoError, PersistError};
use super::journal::{self, sector_offset, slot_offset, Entry, Record};
use super::staging::SlotIndex;
use super::state::{self, JournalRef, Replaced, StateFile};
use crate::medium::MediumKind;
use crate::store::{check_span, whole_sectors, StoreError, SECTOR};

mod commit;
mod fsck;
mod sectors;

pub use fsck::{check, repair, CheckReport, Repair};

/// Journal slots from which a commit copies the journal into the data file and retires it
/// (8 TiB of slots would exhaust their 32-bit numbers): half of them, 4 TiB.
pub(crate) const COMPACT_AT: u32 = 1 << 31;

/// An open disc file, locked for this process.
pub(crate) struct OpenDisc {
    data_path: PathBuf,
    state_path: PathBuf,
    journal_path: PathBuf,
    /// The data file, under an exclusive `flock` for as long as the disc is open (a shared
    /// one when it is open read-only).
    data: Flock<File>,
    /// Opened for reading only: writes are refused and nothing on disk is changed, not even
    /// to finish a commit a killed process left (its journal is read in place instead).
    read_only: bool,
    /// The state of the last commit.
    committed: StateFile,
    /// The journal, from the first write after a commit until the next commit retires it.
    journal: Option<File>,
    index: SlotIndex,
    /// The digests of slots hashed as they were written, for the commit record.
    digests: GroupDigests,
    /// Groups of a journal the state says was checked, so the open did not read its slots:
    /// each is checked against its digest the first time a read (or a commit) needs its
    /// slots, by first slot (see `sectors.rs`).
    unverified: BTreeMap<u32, (Entry, [u8; 32])>,
    /// Sectors written straight into the data file, past everything committed.
    tail: Tail,
    /// The generation the journal's header names.
    journal_header: u64,
    /// Commits compact the journal into the data file once it has this many slots.
    compact_at: u32,
    /// The first free journal slot.
    next_slot: u32,
    /// `next_slot` at the store's last commit: slots from here on hold pending copies only.
    synchronized_end: u32,
    /// A commit failed after its commit point: the files must be finished by reopening.
    needs_reopen: bool,
    /// The first failure of the file system since the disc was opened or this was taken.
    host_error: Option<HostIoError>,
}

impl fmt::Debug for OpenDisc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenDisc")
            .field("path", &self.data_path)
            .field("generation", &self.committed.generation)
            .field("medium", &self.committed.medium)
            .field("journal_slots", &self.next_slot)
            .finish()
    }
}

/// The data file's tail: sectors at or past the committed `data_sectors` (the state's `L`),
/// written straight into the data file rather than through the journal, which is safe because
/// the committed state does not cover them: a process killed before the next commit reopens
/// with the file cut back to `L` sectors. A write there is the sector's first since the
/// commit, so there is no older copy to protect.
///
/// `synchronized_end` ≥ `L`: the sectors before it were synchronized (or are holes, reading as
/// zeros); those in `[synchronized_end, end)` are pending, and a power loss cuts the file back
/// to `synchronized_end`. A write below `synchronized_end` goes to the journal as before, since
/// a power loss must fall back to the synchronized copy.
#[derive(Debug, Clone, Copy)]
struct Tail {
    synchronized_end: u64,
    end: u64,
    /// A power loss's cut of the file that failed: retried before the file is written again,
    /// and until then sectors from `end` read as zeros whatever the file holds.
    cut_pending: bool,
}

impl Tail {
    fn at(data_sectors: u64) -> Tail {
        Tail {
            synchronized_end: data_sectors,
            end: data_sectors,
            cut_pending: false,
        }
    }
}

/// Where source bytes for a run of sectors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Journal(u64),
    Data(u64),
    /// Past the tail after a power loss whose cut of the file failed.
    Zero(u64),
}

impl OpenDisc {
    pub fn create(
        path: &Path,
        kind: MediumKind,
        caller_state: &serde_json::Value,
    ) -> Result<OpenDisc, PersistError> {
        let data_path = path.to_path_buf();
        let state_path = state::with_suffix(path, ".state.json");
        if state_path.exists() {
            return Err(PersistError::AlreadyExists { path: state_path });
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&data_path)
            .map_err(io_at(&data_path))?;
        let data = lock(file, &data_path, Access::ReadWrite)?;
        // An empty data file without a state is what a creation killed half-way leaves: there
        // is nothing in it to lose. Anything else is someone's file.
        let length = data.metadata().map_err(io_at(&data_path))?.len();
        if length != 0 || state_path.exists() {
            return Err(PersistError::AlreadyExists { path: data_path });
        }
        let committed = StateFile {
            format: state::FORMAT.to_owned(),
            version: state::VERSION,
            generation: 0,
            medium: kind,
            data_sectors: 0,
            journal: None,
            state: caller_state.clone(),
            previous: None,
        };
        let disc = OpenDisc::assemble(data_path, state_path, data, committed, false);
        let made = disc.remove_leftovers(true).and_then(|()| {
            state::replace(&disc.state_path, &disc.committed).map_err(|(replaced, e)| {
                if replaced == Replaced::Yes {
                    let _ = fs::remove_file(&disc.state_path);
                }
                e
            })
        });
        if let Err(e) = made {
            // A creation that failed leaves nothing behind, not even the empty data file,
            // which would look like a disc that lost its state.
            let _ = fs::remove_file(&disc.data_path);
            return Err(e);
        }
        Ok(disc)
    }

    pub fn open(
        path: &Path,
        access: Access,
    ) -> Result<(OpenDisc, MediumKind, serde_json::Value), PersistError> {
        let data_path = path.to_path_buf();
        let state_path = state::with_suffix(path, ".state.json");
        let read_only = access == Access::ReadOnly;
        let file = match OpenOptions::new()
            .read(true)
            .write(!read_only)
            .open(&data_path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(if state_path.exists() {
                    PersistError::NotADiscFile {
                        path: data_path,
                        reason: format!(
                            "the data file is missing but {} exists",
                            state_path.display()
                        ),
                    }
                } else {
                    PersistError::Missing { path: data_path }
                });
            }
            Err(e) => return Err(io_at(&data_path)(e)),
        };
        let data = lock(file, &data_path, access)?;
        // Read the state only under the lock, so no other process is replacing it.
        let committed = state::read(&state_path)?.ok_or_else(|| PersistError::NotADiscFile {
            path: data_path.clone(),
            reason: format!("there is no {} beside it", state_path.display()),
        })?;
        let mut disc = OpenDisc::assemble(data_path, state_path, data, committed, read_only);
        let expected = disc
            .committed
            .data_sectors
            .checked_mul(SECTOR as u64)
            .ok_or_else(|| PersistError::CorruptState {
                path: disc.state_path.clone(),
                detail: format!(
                    "data_sectors {} is beyond any disc",
                    disc.committed.data_sectors
                ),
            })?;
        let replayed = if read_only {
            disc.read_journal_in_place()?
        } else {
            disc.recover()?;
            true
        };
        let actual = disc.data.metadata().map_err(io_at(&disc.data_path))?.len();
        // A journal read in place may extend the data file: its sectors are read from it.
        if actual < expected && replayed {
            return Err(PersistError::DataTruncated {
                path: disc.data_path,
                expected,
                actual,
            });
        }
        if actual > expected {
            if read_only {
                // Sectors a killed process wrote into the tail: read as never written.
                disc.tail.cut_pending = true;
            } else {
                disc.data
                    .set_len(expected)
                    .map_err(io_at(&disc.data_path))?;
            }
        }
        let kind = disc.committed.medium;
        let caller_state = disc.committed.state.clone();
        Ok((disc, kind, caller_state))
    }

    fn assemble(
        data_path: PathBuf,
        state_path: PathBuf,
        data: Flock<File>,
        committed: StateFile,
        read_only: bool,
    ) -> OpenDisc {
        OpenDisc {
            read_only,
            journal_path: state::with_suffix(&data_path, ".journal"),
            data_path,
            state_path,
            data,
            tail: Tail::at(committed.data_sectors),
            committed,
            journal: None,
            index: SlotIndex::default(),
            digests: GroupDigests::default(),
            unverified: BTreeMap::new(),
            journal_header: 0,
            compact_at: COMPACT_AT,
            next_slot: 0,
            synchronized_end: 0,
            needs_reopen: false,
            host_error: None,
        }
    }

    /// Removes temp files, and the journal too when `journal_as_well`.
    fn remove_leftovers(&self, journal_as_well: bool) -> Result<(), PersistError> {
        remove_if_present(&state::temp_path(&self.state_path))?;
        remove_if_present(&state::temp_path(&self.journal_path))?;
        if journal_as_well {
            remove_if_present(&self.journal_path)?;
        }
        Ok(())
    }

    /// Replays a committed journal that was not yet applied, and discards any other.
    fn recover(&mut self) -> Result<(), PersistError> {
        self.remove_leftovers(false)?;
        let committed = self.committed_journal(false)?;
        if let (Some((journal, record)), true) = (&committed, self.committed.journal_is_home()) {
            let mapped = self.map_journal(record);
            // Slots past the record were written for a commit that never happened.
            journal
                .set_len(slot_offset(mapped))
                .map_err(io_at(&self.journal_path))?;
            self.journal = committed.map(|(journal, _)| journal);
            if !self.committed.journal.as_ref().is_some_and(|j| j.checked) {
                self.mark_checked().map_err(|(_, e)| e)?;
            }
            // Slots a commit killed before giving them back still hold replaced sectors.
            self.punch_unmapped();
            return Ok(());
        }
        if let Some((journal, record)) = committed {
            journal::apply(
                (&self.journal_path, &journal),
                (&self.data_path, &self.data),
                &record.entries,
                self.committed.data_sectors,
            )?;
            if self.committed.journal_must_exist() {
                self.mark_applied().map_err(|(_, e)| e)?;
            }
        }
        // Applied, or never committed: either way done with.
        remove_if_present(&self.journal_path)?;
        state::sync_directory_of(&self.journal_path)
    }

    /// Read-only: a committed journal not yet applied is read in place, its sectors served
    /// from its slots. Returns whether the data file holds the whole committed state.
    fn read_journal_in_place(&mut self) -> Result<bool, PersistError> {
        let Some((journal, record)) = self.committed_journal(false)? else {
            return Ok(true);
        };
        self.map_journal(&record);
        self.journal = Some(journal);
        // Version 3 keeps the data file as long as the state says; before, a journal not
        // yet copied may have been what extends it.
        Ok(self.committed.journal_is_home())
    }

    /// Maps the sectors the record names to their journal slots, and takes the digests it
    /// carries as known; returns the first slot past the record (where new slots begin).
    fn map_journal(&mut self, record: &Record) -> u32 {
        for entry in &record.entries {
            self.index
                .set_pending(entry.sector, entry.count, entry.slot);
        }
        self.index.synchronize();
        // A journal checked after its commit is not read again at the open: its groups are
        // checked as they are first read.
        let trusted = self.committed.journal_is_home()
            && self.committed.journal.as_ref().is_some_and(|j| j.checked);
        if let Some(digests) = &record.digests {
            for (group, digest) in record.entries.iter().zip(digests) {
                self.digests.known(*group, *digest);
                if trusted {
                    self.unverified.insert(group.slot, (*group, *digest));
                }
            }
        }
        let end = self
            .committed
            .journal
            .as_ref()
            .map_or(0, |named| journal::record_slots(named).1);
        self.journal_header = self
            .committed
            .journal
            .as_ref()
            .map_or(0, JournalRef::header_generation);
        self.next_slot = u32::try_from(end).unwrap_or(u32::MAX);
        self.synchronized_end = self.next_slot;
        self.next_slot
    }

    /// The journal the state names with its record, checked slot by slot (unless the state
    /// says they were checked since the commit, and `every_slot` is false). A journal the
    /// state names (version 2 and later) that is missing, cut short or damaged is
    /// [`PersistError::Damaged`]: the generation cannot be read.
    pub(super) fn committed_journal(
        &self,
        every_slot: bool,
    ) -> Result<Option<(File, Record)>, PersistError> {
        let generation = self.committed.generation;
        let strict = self.committed.journal_must_exist();
        let named = match &self.committed.journal {
            Some(named) if named.generation == generation => named.clone(),
            _ => return Ok(None),
        };
        let damaged = |detail: String| self.damaged(detail);
        let home = self.committed.journal_is_home();
        let journal = match OpenOptions::new()
            .read(true)
            .write(home && !self.read_only)
            .open(&self.journal_path)
        {
            Ok(file) => file,
            // Version 1 removed a journal once applied, without saying so in the state.
            Err(e) if e.kind() == io::ErrorKind::NotFound && !strict => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(damaged(format!(
                    "its journal {} is missing",
                    self.journal_path.display()
                )))
            }
            Err(e) => return Err(io_at(&self.journal_path)(e)),
        };
        let header = journal::read_header(&journal).map_err(io_at(&self.journal_path))?;
        if header != Some(named.header_generation()) {
            if !strict {
                // Version 1: a journal of another generation was never committed.
                return Ok(None);
            }
            return Err(damaged(match header {
                Some(g) => format!(
                    "its journal {} is of generation {g}",
                    self.journal_path.display()
                ),
                None => format!(
                    "the header of its journal {} is damaged or cut short",
                    self.journal_path.display()
                ),
            }));
        }
        let record = self
            .read_record(&journal, &named)
            .and_then(|record| {
                if home {
                    journal::check_below_record(&self.journal_path, &record, &named)?;
                }
                if every_slot || !(home && named.checked) {
                    journal::verify((&self.journal_path, &journal), &record)?;
                }
                Ok(record)
            })
            .map_err(|e| match e {
                PersistError::CorruptJournal { path, detail } => {
                    damaged(format!("journal {}: {detail}", path.display()))
                }
                other => other,
            })?;
        Ok(Some((journal, record)))
    }

    /// The error for a damaged last generation, saying what can still be read.
    pub(super) fn damaged(&self, detail: String) -> PersistError {
        let generation = self.committed.generation;
        let remedy = match self.restorable_previous() {
            Some(p) => format!(
                "generation {} can be restored, losing generation {generation}: virtdrive \
                 fsck --repair {}",
                p.generation,
                self.data_path.display()
            ),
            None => "no earlier generation is kept to roll back to".to_owned(),
        };
        PersistError::Damaged {
            path: self.data_path.clone(),
            generation,
            detail,
            remedy,
        }
    }

    /// The previous generation, when it can still be restored: until the last commit was
    /// checked, nothing of the previous one was given back (a version 3 commit punches the
    /// copies it replaced, in the journal and the data file, only once checked).
    pub(super) fn restorable_previous(&self) -> Option<&state::Previous> {
        let settled = self.committed.journal_is_home()
            && self.committed.journal.as_ref().is_some_and(|j| j.checked);
        self.committed.previous.as_ref().filter(|_| !settled)
    }

    /// Checks the journal against a record a state names (`named`), slot by slot.
    pub(super) fn intact_record(&self, named: &JournalRef) -> Result<(), PersistError> {
        let journal = File::open(&self.journal_path).map_err(io_at(&self.journal_path))?;
        let header = journal::read_header(&journal).map_err(io_at(&self.journal_path))?;
        if header != Some(named.header_generation()) {
            return Err(PersistError::CorruptJournal {
                path: self.journal_path.clone(),
                detail: "its header does not name the record's journal".to_owned(),
            });
        }
        let record = self.read_record(&journal, named)?;
        journal::check_below_record(&self.journal_path, &record, named)?;
        journal::verify((&self.journal_path, &journal), &record)
    }

    /// Reads the commit record the state names and checks it against the state's digest.
    fn read_record(&self, journal: &File, named: &JournalRef) -> Result<Record, PersistError> {
        let corrupt = |detail: String| PersistError::CorruptJournal {
            path: self.journal_path.clone(),
            detail,
        };
        let length = journal.metadata().map_err(io_at(&self.journal_path))?.len();
        let end = named.record_offset.checked_add(named.record_length);
        if end.is_none_or(|end| end > length) {
            return Err(corrupt(format!(
                "it has {length} bytes but the state places the commit record at bytes \
                 {}..+{}",
                named.record_offset, named.record_length
            )));
        }
        let mut record = vec![0u8; usize::try_from(named.record_length).unwrap_or(0)];
        journal::read_up_to(journal, &mut record, named.record_offset)
            .map_err(io_at(&self.journal_path))?;
        if blake3::hash(&record).to_hex().as_str() != named.record_blake3 {
            return Err(corrupt(
                "the commit record does not match the digest in the disc state".to_owned(),
            ));
        }
        journal::decode_record(&record, named.generation).map_err(corrupt)
    }
}

/// How a disc is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Writable, under an exclusive lock.
    ReadWrite,
    /// Read-only, under a shared lock: readers run together, a writer excludes them all.
    ReadOnly,
}

/// Takes the disc's lock, or says who has it.
fn lock(file: File, path: &Path, access: Access) -> Result<Flock<File>, PersistError> {
    let how = match access {
        Access::ReadWrite => FlockArg::LockExclusiveNonblock,
        Access::ReadOnly => FlockArg::LockSharedNonblock,
    };
    Flock::lock(file, how).map_err(|(_, errno)| {
        if errno == Errno::EWOULDBLOCK {
            PersistError::Locked {
                path: path.to_path_buf(),
            }
        } else {
            io_at(path)(io::Error::from(errno))
        }
    })
}

/// Cuts `file` to `length` bytes if it is longer: space a failed write took is given back.
/// Best effort: a file that cannot be cut keeps bytes nothing refers to.
fn shrink_to(file: &File, length: u64) {
    if file.metadata().is_ok_and(|m| m.len() > length) {
        let _ = file.set_len(length);
    }
}

fn remove_if_present(path: &Path) -> Result<(), PersistError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_at(path)(e)),
        _ => Ok(()),
    }
}

/// Attaches a path to an I/O error of the store.
fn store_io(path: &Path) -> impl FnOnce(io::Error) -> StoreError {
    let path = path.display().to_string();
    move |source| StoreError::Io { path, source }
}
