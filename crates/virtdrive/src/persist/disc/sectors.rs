//! Reading and writing an open disc's sectors: straight into the data file past everything
//! committed, or into journal slots until the next commit; and the file system's failures,
//! kept for the drive to report.

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::*;

impl OpenDisc {
    pub fn data_path(&self) -> &Path {
        &self.data_path
    }

    pub fn generation(&self) -> u64 {
        self.committed.generation
    }

    /// The generation a new journal's header names: the commit it is made for.
    pub(super) fn journal_header_for_new(&self) -> u64 {
        self.committed.generation + 1
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
    pub(super) fn note(&mut self, operation: DiscFileOperation, path: &Path, source: &io::Error) {
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
    pub(super) fn noted<T>(
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
    pub(super) fn noted_persist(
        &mut self,
        operation: DiscFileOperation,
        e: PersistError,
    ) -> PersistError {
        if let PersistError::Io { path, source } = &e {
            self.note(operation, path, source);
        }
        e
    }

    /// Reads sectors, from their newest journal slot or else the data file. Slots of a group
    /// not read since the open are first checked against the group's digest: a damaged slot
    /// fails the read (the drive's UNRECOVERED READ ERROR), it never gives wrong data.
    pub fn read(&mut self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        let result = self
            .check_slots_of(index, (out.len() / SECTOR) as u64)
            .and_then(|()| self.read_sectors(index, out));
        self.noted(DiscFileOperation::ReadingSectors, result)
    }

    /// Checks the unchecked groups holding the journal slots of sectors `[index, index +
    /// count)`.
    fn check_slots_of(&mut self, index: u64, count: u64) -> Result<(), StoreError> {
        if self.unverified.is_empty() {
            return Ok(());
        }
        for sector in index..index.saturating_add(count) {
            if let Some(slot) = self.index.current(sector) {
                self.check_slots(slot, 1)
                    .map_err(|e| store_io(&self.journal_path)(io::Error::other(e.to_string())))?;
            }
        }
        Ok(())
    }

    /// Checks every unchecked group overlapping slots `[slot, slot + count)` against its
    /// digest, and forgets those that match.
    pub(super) fn check_slots(&mut self, slot: u32, count: u64) -> Result<(), PersistError> {
        let end = u64::from(slot).saturating_add(count);
        let overlapping: Vec<u32> = self
            .unverified
            .range(..u32::try_from(end).unwrap_or(u32::MAX))
            .rev()
            .take_while(|(_, (g, _))| u64::from(g.slot) + g.count > u64::from(slot))
            .map(|(&first, _)| first)
            .collect();
        for first in overlapping {
            if let Some((group, digest)) = self.unverified.remove(&first) {
                let Some(journal) = self.journal.as_ref() else {
                    continue;
                };
                let record = journal::Record {
                    entries: vec![group],
                    digests: Some(vec![digest]),
                };
                if let Err(e) = journal::verify((&self.journal_path, journal), &record) {
                    self.unverified.insert(first, (group, digest));
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    pub(super) fn read_sectors(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
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
        if self.read_only {
            return Err(store_io(&self.data_path)(io::Error::new(
                io::ErrorKind::ReadOnlyFilesystem,
                "the disc is open read-only",
            )));
        }
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
    pub(super) fn write_direct(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        self.finish_cut().map_err(store_io(&self.data_path))?;
        let written = self.data.write_all_at(data, sector_offset(index));
        if written.is_err() {
            let keep = sector_offset(self.tail.end.max(self.committed.data_sectors));
            shrink_to(&self.data, keep);
        }
        written.map_err(store_io(&self.data_path))
    }

    /// Cuts the file back to the tail's end, if a power loss's cut is still owed.
    pub(super) fn finish_cut(&mut self) -> io::Result<()> {
        if self.tail.cut_pending {
            let end = self.tail.end.max(self.committed.data_sectors);
            self.data.set_len(sector_offset(end))?;
            self.tail.cut_pending = false;
        }
        Ok(())
    }

    pub(super) fn write_journaled(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        let journal_full = || {
            store_io(&self.journal_path)(io::Error::other(
                "the journal has no free slot (4 G sectors)",
            ))
        };
        let count = whole_sectors(data.len())?;
        // Each piece: its sectors and bytes, and the slots they go to (new ones are taken in
        // order).
        let mut plan = Vec::new();
        let mut next = self.next_slot;
        for (start, n, pending) in self.index.pending_pieces(index, count) {
            let from = usize::try_from((start - index) * SECTOR as u64).unwrap_or(usize::MAX);
            let len = usize::try_from(n * SECTOR as u64).unwrap_or(usize::MAX);
            let bytes = from
                .checked_add(len)
                .and_then(|to| data.get(from..to))
                .ok_or(StoreError::Unaligned { len: data.len() })?;
            match pending {
                Some(slot) => plan.push((start, n, slot, false, bytes)),
                None => {
                    let slot = next;
                    next = u32::try_from(u64::from(next) + n)
                        .ok()
                        .filter(|&n| n != u32::MAX)
                        .ok_or_else(journal_full)?;
                    plan.push((start, n, slot, true, bytes));
                }
            }
        }
        self.open_journal()?;
        let journal = self.journal.as_ref().ok_or_else(|| {
            store_io(&self.journal_path)(io::Error::other("the journal is closed"))
        })?;
        for &(_, n, slot, new, _) in &plan {
            if !new {
                self.digests.forget(slot, n);
            }
        }
        for &(_, _, slot, _, bytes) in &plan {
            if let Err(e) = journal.write_all_at(bytes, slot_offset(slot)) {
                // Slots from `next_slot` on hold nothing yet: give their space back.
                shrink_to(journal, slot_offset(self.next_slot));
                self.digests.forget_from(self.next_slot);
                return Err(store_io(&self.journal_path)(e));
            }
        }
        for (start, n, slot, new, bytes) in plan {
            if new {
                self.index.set_pending(start, n, slot);
                self.digests.wrote_new(start, slot, bytes);
            }
        }
        self.next_slot = next;
        Ok(())
    }

    /// The journal, created with its header at the first write after a commit.
    pub(super) fn open_journal(&mut self) -> Result<(), StoreError> {
        if self.journal.is_none() {
            let path = &self.journal_path;
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
                .map_err(store_io(path))?;
            let header = self.journal_header_for_new();
            if let Err(e) = file.write_all_at(&journal::header(header), 0) {
                // A journal without its header holds nothing: not left behind.
                drop(file);
                let _ = fs::remove_file(path);
                return Err(store_io(path)(e));
            }
            self.journal = Some(file);
            self.journal_header = header;
        }
        Ok(())
    }
}
