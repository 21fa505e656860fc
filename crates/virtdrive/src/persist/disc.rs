//! An open disc file: its sectors (journal slots over the data file) and the commit
//! protocol described in the [module documentation](super).

use core::fmt;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use super::error::{duplicate, io_at, DiscFileOperation, HostIoError, PersistError};
use super::journal::{self, sector_offset, slot_offset, Entry};
use super::staging::SlotIndex;
use super::state::{self, JournalRef, Replaced, StateFile};
use crate::medium::MediumKind;
use crate::store::{check_span, whole_sectors, StoreError, SECTOR};

/// An open disc file, locked for this process.
pub(crate) struct OpenDisc {
    data_path: PathBuf,
    state_path: PathBuf,
    journal_path: PathBuf,
    /// The data file, under an exclusive `flock` for as long as the disc is open.
    data: Flock<File>,
    /// The state of the last commit.
    committed: StateFile,
    /// The journal, from the first write after a commit until the next commit retires it.
    journal: Option<File>,
    index: SlotIndex,
    /// Sectors written straight into the data file, past everything committed.
    tail: Tail,
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
        let data = lock_exclusive(file, &data_path)?;
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
        };
        let disc = OpenDisc::assemble(data_path, state_path, data, committed);
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

    pub fn open(path: &Path) -> Result<(OpenDisc, MediumKind, serde_json::Value), PersistError> {
        let data_path = path.to_path_buf();
        let state_path = state::with_suffix(path, ".state.json");
        let file = match OpenOptions::new().read(true).write(true).open(&data_path) {
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
        let data = lock_exclusive(file, &data_path)?;
        // Read the state only under the lock, so no other process is replacing it.
        let committed = state::read(&state_path)?.ok_or_else(|| PersistError::NotADiscFile {
            path: data_path.clone(),
            reason: format!("there is no {} beside it", state_path.display()),
        })?;
        let mut disc = OpenDisc::assemble(data_path, state_path, data, committed);
        disc.recover()?;
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
        let actual = disc.data.metadata().map_err(io_at(&disc.data_path))?.len();
        if actual < expected {
            return Err(PersistError::DataTruncated {
                path: disc.data_path,
                expected,
                actual,
            });
        }
        if actual > expected {
            // Sectors a killed process wrote into the tail and never committed.
            disc.data
                .set_len(expected)
                .map_err(io_at(&disc.data_path))?;
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
    ) -> OpenDisc {
        OpenDisc {
            journal_path: state::with_suffix(&data_path, ".journal"),
            data_path,
            state_path,
            data,
            tail: Tail::at(committed.data_sectors),
            committed,
            journal: None,
            index: SlotIndex::default(),
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
        let journal = match File::open(&self.journal_path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_at(&self.journal_path)(e)),
        };
        let header = journal::read_header(&journal).map_err(io_at(&self.journal_path))?;
        let generation = self.committed.generation;
        if let (Some(g), Some(named)) = (header, &self.committed.journal) {
            if g == generation && named.generation == generation {
                let entries = self.read_record(&journal, named)?;
                journal::apply(
                    (&self.journal_path, &journal),
                    (&self.data_path, &self.data),
                    &entries,
                    self.committed.data_sectors,
                )?;
            }
        }
        // Applied, or never committed: either way done with.
        drop(journal);
        fs::remove_file(&self.journal_path).map_err(io_at(&self.journal_path))?;
        state::sync_directory_of(&self.journal_path)
    }

    /// Reads the commit record the state names and checks it against the state's digest.
    fn read_record(&self, journal: &File, named: &JournalRef) -> Result<Vec<Entry>, PersistError> {
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

    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    pub fn generation(&self) -> u64 {
        self.committed.generation
    }

    /// The first failure of the file system since the disc was opened or this was last
    /// taken.
    pub fn host_io_error(&self) -> Option<&HostIoError> {
        self.host_error.as_ref()
    }

    pub fn take_host_io_error(&mut self) -> Option<HostIoError> {
        self.host_error.take()
    }

    /// Keeps `source` as the host's cause, unless an earlier one is kept.
    fn note(&mut self, operation: DiscFileOperation, path: &Path, source: &io::Error) {
        if self.host_error.is_none() {
            self.host_error = Some(HostIoError::new(
                operation,
                &self.data_path,
                path,
                duplicate(source),
            ));
        }
    }

    /// Notes a store's I/O failure and passes the result on.
    fn noted<T>(
        &mut self,
        operation: DiscFileOperation,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Err(StoreError::Io { path, source }) = &result {
            self.note(operation, Path::new(path), source);
        }
        result
    }

    /// Notes a commit's I/O failure and passes the error on.
    fn noted_persist(&mut self, operation: DiscFileOperation, e: PersistError) -> PersistError {
        if let PersistError::Io { path, source } = &e {
            self.note(operation, path, source);
        }
        e
    }

    /// Reads sectors, from their newest journal slot or else the data file.
    pub fn read(&mut self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        let result = self.read_sectors(index, out);
        self.noted(DiscFileOperation::ReadingSectors, result)
    }

    fn read_sectors(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        let count = whole_sectors(out.len())?;
        check_span(index, count)?;
        let zeros_from = self.tail.end.max(self.committed.data_sectors);
        let source_of = |sector: u64| match self.index.current(sector) {
            Some(slot) => Source::Journal(slot_offset(slot)),
            None if self.tail.cut_pending && sector >= zeros_from => Source::Zero(sector),
            None => Source::Data(sector_offset(sector)),
        };
        let mut rest = out;
        let mut sector = index;
        while !rest.is_empty() {
            // The run of sectors whose bytes are contiguous in the same file.
            let first = source_of(sector);
            let run = (1..count - (sector - index))
                .take_while(|&k| {
                    let step = k * SECTOR as u64;
                    source_of(sector + k)
                        == match first {
                            Source::Journal(o) => Source::Journal(o + step),
                            Source::Data(o) => Source::Data(o + step),
                            Source::Zero(s) => Source::Zero(s + k),
                        }
                })
                .count()
                + 1;
            let (chunk, tail) = core::mem::take(&mut rest)
                .split_at_mut_checked(run * SECTOR)
                .ok_or(StoreError::Unaligned { len: run * SECTOR })?;
            rest = tail;
            match first {
                Source::Zero(_) => chunk.fill(0),
                Source::Data(offset) => {
                    let got = journal::read_up_to(&self.data, chunk, offset)
                        .map_err(store_io(&self.data_path))?;
                    // Past the end of the data file: never written.
                    if let Some(unwritten) = chunk.get_mut(got..) {
                        unwritten.fill(0);
                    }
                }
                Source::Journal(offset) => {
                    let journal = self.journal.as_ref().ok_or_else(|| {
                        store_io(&self.journal_path)(io::Error::other("the journal is closed"))
                    })?;
                    let got = journal::read_up_to(journal, chunk, offset)
                        .map_err(store_io(&self.journal_path))?;
                    if got < chunk.len() {
                        return Err(store_io(&self.journal_path)(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "a sector's slot lies past the end of the journal",
                        )));
                    }
                }
            }
            sector += run as u64;
        }
        Ok(())
    }

    /// Writes sectors: those in the data file's pending tail or past it straight into the data
    /// file, the others into journal slots (a sector's pending slot if it has one, else new
    /// slots at the end).
    pub fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        let count = whole_sectors(data.len())?;
        check_span(index, count)?;
        if count == 0 {
            return Ok(());
        }
        let end = index + count;
        let direct_from = self.tail.synchronized_end.clamp(index, end);
        let (journaled, direct) = data
            .split_at_checked(usize::try_from((direct_from - index) * SECTOR as u64).unwrap_or(0))
            .ok_or(StoreError::Unaligned { len: data.len() })?;
        if !journaled.is_empty() {
            let result = self.write_journaled(index, journaled);
            self.noted(DiscFileOperation::WritingJournal, result)?;
        }
        if !direct.is_empty() {
            let result = self.write_direct(direct_from, direct);
            self.noted(DiscFileOperation::WritingData, result)?;
            self.tail.end = self.tail.end.max(end);
        }
        Ok(())
    }

    /// Writes sectors into the data file's tail. A write that fails (a full file system) gives
    /// back the space its part written took past the tail, so that the commit which should
    /// follow has room for what was written before.
    fn write_direct(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        self.finish_cut().map_err(store_io(&self.data_path))?;
        let written = self.data.write_all_at(data, sector_offset(index));
        if written.is_err() {
            let keep = sector_offset(self.tail.end.max(self.committed.data_sectors));
            shrink_to(&self.data, keep);
        }
        written.map_err(store_io(&self.data_path))
    }

    /// Cuts the file back to the tail's end, if a power loss's cut is still owed.
    fn finish_cut(&mut self) -> io::Result<()> {
        if self.tail.cut_pending {
            let end = self.tail.end.max(self.committed.data_sectors);
            self.data.set_len(sector_offset(end))?;
            self.tail.cut_pending = false;
        }
        Ok(())
    }

    fn write_journaled(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        let journal_full = || {
            store_io(&self.journal_path)(io::Error::other(
                "the journal has no free slot (4 G sectors)",
            ))
        };
        let count = whole_sectors(data.len())?;
        // Each piece: its sectors, and the slots they go to (new ones are taken in order).
        let mut plan = Vec::new();
        let mut next = self.next_slot;
        for (start, n, pending) in self.index.pending_pieces(index, count) {
            match pending {
                Some(slot) => plan.push((start, n, slot, false)),
                None => {
                    let slot = next;
                    next = u32::try_from(u64::from(next) + n)
                        .ok()
                        .filter(|&n| n != u32::MAX)
                        .ok_or_else(journal_full)?;
                    plan.push((start, n, slot, true));
                }
            }
        }
        self.open_journal()?;
        let journal = self.journal.as_ref().ok_or_else(|| {
            store_io(&self.journal_path)(io::Error::other("the journal is closed"))
        })?;
        for &(start, n, slot, _) in &plan {
            let from = usize::try_from((start - index) * SECTOR as u64).unwrap_or(usize::MAX);
            let len = usize::try_from(n * SECTOR as u64).unwrap_or(usize::MAX);
            let bytes = from
                .checked_add(len)
                .and_then(|to| data.get(from..to))
                .ok_or(StoreError::Unaligned { len: data.len() })?;
            if let Err(e) = journal.write_all_at(bytes, slot_offset(slot)) {
                // Slots from `next_slot` on hold nothing yet: give their space back.
                shrink_to(journal, slot_offset(self.next_slot));
                return Err(store_io(&self.journal_path)(e));
            }
        }
        for (start, n, slot, new) in plan {
            if new {
                self.index.set_pending(start, n, slot);
            }
        }
        self.next_slot = next;
        Ok(())
    }

    /// The journal, created with its header at the first write after a commit.
    fn open_journal(&mut self) -> Result<(), StoreError> {
        if self.journal.is_none() {
            let path = &self.journal_path;
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
                .map_err(store_io(path))?;
            if let Err(e) = file.write_all_at(&journal::header(self.committed.generation + 1), 0) {
                // A journal without its header holds nothing: not left behind.
                drop(file);
                let _ = fs::remove_file(path);
                return Err(store_io(path)(e));
            }
            self.journal = Some(file);
        }
        Ok(())
    }

    /// The store's commit (SYNCHRONIZE CACHE): pending copies become synchronized.
    pub fn synchronize(&mut self) {
        self.index.synchronize();
        self.synchronized_end = self.next_slot;
        self.tail.synchronized_end = self.tail.end;
    }

    /// Power loss: pending copies are forgotten and their slots reused, and the data file is
    /// cut back to the synchronized part of its tail (or, should that fail, read as cut until
    /// a later write or commit manages it).
    pub fn discard_pending(&mut self) {
        self.index.discard_pending();
        self.next_slot = self.synchronized_end;
        if self.tail.end > self.tail.synchronized_end {
            self.tail.end = self.tail.synchronized_end;
            self.tail.cut_pending = true;
            // A failure is kept in `cut_pending` (and as the host's cause): this call has no
            // way to report it.
            if let Err(e) = self.finish_cut() {
                let path = self.data_path.clone();
                self.note(DiscFileOperation::DiscardingUnsynchronized, &path, &e);
            }
        }
    }

    /// The disc commit; see the module documentation for the steps and why they are safe.
    /// A failure before the commit point leaves the disc as of the previous commit, in the
    /// files and in memory, and can be retried; a failure after it is finished by reopening.
    pub fn commit(&mut self, caller_state: &serde_json::Value) -> Result<(), PersistError> {
        if self.needs_reopen {
            return Err(PersistError::NeedsReopen {
                path: self.data_path.clone(),
            });
        }
        let entries = self.index.synchronized_entries();
        match self.commit_state(caller_state, &entries) {
            Ok(()) => {}
            Err((replaced, e)) => {
                // Renamed but not made durable: the new state is the disc's, its journal is
                // not applied yet, and applying it before the rename is durable could tear
                // the disc at a power loss. Reopening finishes it.
                self.needs_reopen = replaced == Replaced::Yes;
                return Err(self.noted_persist(DiscFileOperation::CommittingState, e));
            }
        }
        // Steps 3 and 4. A failure here leaves a committed journal that reopening replays.
        let finished = match self.apply(&entries) {
            Err(e) => Err(self.noted_persist(DiscFileOperation::ApplyingJournal, e)),
            Ok(()) => self
                .retire_journal()
                .map_err(|e| self.noted_persist(DiscFileOperation::RetiringJournal, e)),
        };
        if finished.is_err() {
            self.needs_reopen = true;
        }
        finished
    }

    /// Steps 0 to 2, up to the commit point; the in-memory state follows once the new state
    /// file has replaced the old.
    fn commit_state(
        &mut self,
        caller_state: &serde_json::Value,
        entries: &[Entry],
    ) -> Result<(), (Replaced, PersistError)> {
        let not_committed = |e| (Replaced::No, e);
        let generation = self.committed.generation + 1;

        // Step 0: the tail's synchronized sectors, durable before the state covers them.
        self.finish_cut()
            .map_err(io_at(&self.data_path))
            .map_err(not_committed)?;
        if self.tail.synchronized_end > self.committed.data_sectors {
            self.data
                .sync_data()
                .map_err(io_at(&self.data_path))
                .map_err(not_committed)?;
        }

        // Step 1: the commit record, durable before anything names it.
        let journal_ref = match (entries.is_empty(), &self.journal) {
            (true, _) => None,
            (false, None) => {
                return Err(not_committed(io_at(&self.journal_path)(io::Error::other(
                    "synchronized sectors without a journal",
                ))))
            }
            (false, Some(journal)) => {
                let record = journal::encode_record(generation, entries);
                let record_offset = slot_offset(self.next_slot);
                if let Err(e) = journal
                    .write_all_at(&record, record_offset)
                    .and_then(|()| journal.sync_all())
                {
                    // Nothing names the record yet: its space is given back.
                    shrink_to(journal, record_offset);
                    return Err(not_committed(io_at(&self.journal_path)(e)));
                }
                // Until the journal is retired, new slots go past the record, so that a
                // commit failing after its commit point never has its record overwritten.
                let record_slots = u32::try_from(record.len().div_ceil(SECTOR)).unwrap_or(u32::MAX);
                self.next_slot = self.next_slot.saturating_add(record_slots);
                self.synchronized_end = self.synchronized_end.max(self.next_slot);
                Some(JournalRef {
                    generation,
                    record_offset,
                    record_length: record.len() as u64,
                    record_blake3: blake3::hash(&record).to_hex().to_string(),
                })
            }
        };
        let data_sectors = entries
            .iter()
            .map(|e| e.sector.saturating_add(e.count))
            .max()
            .unwrap_or(0)
            .max(self.committed.data_sectors)
            .max(self.tail.synchronized_end);
        let next = StateFile {
            generation,
            data_sectors,
            journal: journal_ref,
            state: caller_state.clone(),
            ..self.committed.clone()
        };

        // Step 2: the commit point.
        let replaced = state::replace(&self.state_path, &next);
        if !matches!(replaced, Err((Replaced::No, _))) {
            self.committed = next;
            self.tail.synchronized_end = self.tail.synchronized_end.max(data_sectors);
            self.tail.end = self.tail.end.max(self.tail.synchronized_end);
        }
        replaced
    }

    /// Step 3: the recorded slots into the data file.
    fn apply(&self, entries: &[Entry]) -> Result<(), PersistError> {
        match &self.journal {
            Some(journal) => journal::apply(
                (&self.journal_path, journal),
                (&self.data_path, &self.data),
                entries,
                self.committed.data_sectors,
            ),
            None => Ok(()),
        }
    }

    /// Step 4: the journal deleted, or replaced by one holding only the pending writes.
    fn retire_journal(&mut self) -> Result<(), PersistError> {
        let pending = self.index.pending_entries();
        if pending.is_empty() {
            self.journal = None;
            remove_if_present(&self.journal_path)?;
            self.index.clear();
            self.next_slot = 0;
            self.synchronized_end = 0;
            return Ok(());
        }
        // Writes since the store's last commit stay pending: they move to a new journal for
        // the next generation, which replaces the old one in one rename.
        let temp = state::temp_path(&self.journal_path);
        let replaced = self
            .write_pending_journal(&temp, &pending)
            .and_then(|made| {
                fs::rename(&temp, &self.journal_path)
                    .map(|()| made)
                    .map_err(io_at(&self.journal_path))
            });
        let (new, index, slots) = match replaced {
            Ok(made) => made,
            Err(e) => {
                let _ = fs::remove_file(&temp);
                return Err(e);
            }
        };
        self.journal = Some(new);
        self.index = index;
        self.next_slot = slots;
        self.synchronized_end = 0;
        Ok(())
    }

    /// Writes a journal for the next generation at `temp` holding the `pending` runs; gives
    /// it with its slot index and the number of slots it fills.
    fn write_pending_journal(
        &self,
        temp: &Path,
        pending: &[Entry],
    ) -> Result<(File, SlotIndex, u32), PersistError> {
        let old = self.journal.as_ref().ok_or_else(|| {
            io_at(&self.journal_path)(io::Error::other("pending sectors without a journal"))
        })?;
        let new = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(temp)
            .map_err(io_at(temp))?;
        new.write_all_at(&journal::header(self.committed.generation + 1), 0)
            .map_err(io_at(temp))?;
        let mut buf = Vec::new();
        let mut index = SlotIndex::default();
        let mut slot = 0u32;
        for entry in pending {
            // Copied in pieces of at most 1 MiB: a pending run can be a whole disc.
            let mut done = 0u64;
            while done < entry.count {
                let n = (entry.count - done).min(512);
                buf.resize(usize::try_from(n).unwrap_or(0) * SECTOR, 0);
                let from = u64::from(entry.slot) + done;
                if journal::read_up_to(old, &mut buf, slot_offset(from))
                    .map_err(io_at(&self.journal_path))?
                    < buf.len()
                {
                    return Err(PersistError::CorruptJournal {
                        path: self.journal_path.clone(),
                        detail: format!("slot {from} lies past the end of the journal"),
                    });
                }
                let to = u64::from(slot) + done;
                new.write_all_at(&buf, slot_offset(to))
                    .map_err(io_at(temp))?;
                done += n;
            }
            index.set_pending(entry.sector, entry.count, slot);
            slot = u32::try_from(u64::from(slot) + entry.count).unwrap_or(u32::MAX);
        }
        Ok((new, index, slot))
    }
}

/// Takes the disc's lock, or says who has it.
fn lock_exclusive(file: File, path: &Path) -> Result<Flock<File>, PersistError> {
    Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
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
