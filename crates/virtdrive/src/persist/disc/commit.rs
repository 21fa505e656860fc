//! Committing an open disc: pending sectors become synchronized (SYNCHRONIZE CACHE), the
//! state is written with its commit record, the journal marked checked and its unmapped
//! slots punched, or, for a compaction, the journal copied into the data file and retired.

use std::fs;
use std::io;
use std::os::unix::fs::FileExt;

use super::*;

impl OpenDisc {
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
        if self.read_only {
            // Nothing is pending; the synchronized copies are those of a journal read in place.
            return;
        }
        self.index.discard_pending();
        self.next_slot = self.synchronized_end;
        self.digests.forget_from(self.next_slot);
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
    /// A disc open read-only keeps nothing: its commits do nothing.
    pub fn commit(&mut self, caller_state: &serde_json::Value) -> Result<(), PersistError> {
        if self.read_only {
            return Ok(());
        }
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
        if self.committed.journal.is_some() && self.next_slot < self.compact_at {
            // Step 3: the journal stays the home of its sectors.
            return self.settle();
        }
        // Steps 3 and 4 of a compaction. A failure here leaves a committed journal that
        // reopening keeps as the home of its sectors.
        let applied = self.apply(&entries).and_then(|()| {
            if self.committed.journal.is_some() {
                self.mark_applied().map_err(|(_, e)| e)
            } else {
                Ok(())
            }
        });
        let finished = match applied {
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

    pub fn set_compaction_threshold(&mut self, slots: u32) {
        self.compact_at = slots;
    }

    /// Step 3 of a commit whose journal stays: the state says its slots were checked, then
    /// the slots and the record that no commit maps any more are given back to the file
    /// system. A failure is finished by reopening.
    pub(super) fn settle(&mut self) -> Result<(), PersistError> {
        let checked = self.mark_checked().map_err(|(_, e)| e);
        if let Err(e) = checked {
            self.needs_reopen = true;
            return Err(self.noted_persist(DiscFileOperation::ApplyingJournal, e));
        }
        self.punch_unmapped();
        Ok(())
    }

    /// The state names its journal as checked: every slot its record maps matched its
    /// digest after the commit point (the commit hashed them as they were written, or an
    /// open read them back), so later opens need not read them all.
    pub(super) fn mark_checked(&mut self) -> Result<(), (Replaced, PersistError)> {
        let mut next = self.committed.clone();
        if let Some(journal) = next.journal.as_mut() {
            journal.checked = true;
        }
        self.replace_state(next)
    }

    /// Gives back to the file system the bytes that hold nothing the committed map or a
    /// pending write needs, by punching holes: in the journal, slots replaced since and earlier
    /// records; in the data file, the sectors the map names (read from the journal). Nothing
    /// is written, and the files keep their lengths. Only once the state naming the new record
    /// is durable and checked, so that no state that could come back, nor a repair, reads
    /// them. Best effort: a file system without holes keeps the bytes.
    pub(super) fn punch_unmapped(&self) {
        let Some(journal) = &self.journal else {
            return;
        };
        for e in self.index.synchronized_entries() {
            let end = e.sector.saturating_add(e.count);
            journal::punch(&self.data, sector_offset(e.sector), sector_offset(end));
        }
        let mut live: Vec<(u64, u64)> = self
            .index
            .synchronized_entries()
            .into_iter()
            .chain(self.index.pending_entries())
            .map(|e| (u64::from(e.slot), u64::from(e.slot) + e.count))
            .collect();
        if let Some(named) = &self.committed.journal {
            live.push(journal::record_slots(named));
        }
        live.sort_unstable();
        let mut at = 0u64;
        for (start, end) in live
            .into_iter()
            .chain([(u64::from(self.next_slot), u64::MAX)])
        {
            if start > at {
                journal::punch(journal, slot_offset(at), slot_offset(start));
            }
            at = at.max(end);
        }
    }

    /// Steps 0 to 2 only, leaving the files as a kill at the commit point would.
    pub fn commit_up_to_commit_point(
        &mut self,
        caller_state: &serde_json::Value,
    ) -> Result<(), PersistError> {
        let entries = self.index.synchronized_entries();
        self.needs_reopen = true;
        self.commit_state(caller_state, &entries)
            .map_err(|(_, e)| e)
    }

    /// Steps 0 to 2, up to the commit point; the in-memory state follows once the new state
    /// file has replaced the old.
    pub(super) fn commit_state(
        &mut self,
        caller_state: &serde_json::Value,
        entries: &[Entry],
    ) -> Result<(), (Replaced, PersistError)> {
        let not_committed = |e| (Replaced::No, e);
        let generation = self.committed.generation + 1;

        let data_sectors = entries
            .iter()
            .map(|e| e.sector.saturating_add(e.count))
            .max()
            .unwrap_or(0)
            .max(self.committed.data_sectors)
            .max(self.tail.synchronized_end);

        // Step 0: the tail's synchronized sectors, durable before the state covers them, and
        // the data file as long as the state will say (sectors mapped to the journal past its
        // end are holes in it).
        self.finish_cut()
            .map_err(io_at(&self.data_path))
            .map_err(not_committed)?;
        let length = sector_offset(data_sectors);
        let grow = self
            .data
            .metadata()
            .map_err(io_at(&self.data_path))
            .map_err(not_committed)?
            .len()
            < length;
        if grow {
            self.data
                .set_len(length)
                .map_err(io_at(&self.data_path))
                .map_err(not_committed)?;
        }
        if grow || self.tail.synchronized_end > self.committed.data_sectors {
            self.data
                .sync_data()
                .map_err(io_at(&self.data_path))
                .map_err(not_committed)?;
        }

        // Slots the record is about to read back (a group cut by a later write), or that a
        // compaction copies into the data file, are first checked against the digests they
        // had, so damage never gets a new digest; groups no longer mapped are forgotten.
        let groups = journal::groups(entries);
        if !self.unverified.is_empty() {
            if self.next_slot >= self.compact_at {
                self.check_slots(0, u64::MAX).map_err(not_committed)?;
            }
            for group in &groups {
                if self.digests.get(group).is_none() {
                    self.check_slots(group.slot, group.count)
                        .map_err(not_committed)?;
                }
            }
            let mapped: std::collections::BTreeMap<u32, Entry> =
                groups.iter().map(|g| (g.slot, *g)).collect();
            self.unverified
                .retain(|slot, (g, _)| mapped.get(slot) == Some(&*g));
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
                let known = |group: &Entry| self.digests.get(group);
                let digests = journal::digest_groups((&self.journal_path, journal), &groups, known)
                    .map_err(not_committed)?;
                let record = journal::encode_record(generation, &groups, &digests);
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
                    header_generation: Some(self.journal_header),
                    checked: false,
                })
            }
        };
        let next = StateFile {
            version: state::VERSION,
            generation,
            data_sectors,
            journal: journal_ref,
            state: caller_state.clone(),
            previous: Some(self.committed.as_previous()),
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
    pub(super) fn apply(&self, entries: &[Entry]) -> Result<(), PersistError> {
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

    /// Step 3, last: the state names no journal any more, its commit being in the data file.
    /// Until then a journal the state names must be there and intact (that is how a lost
    /// or damaged one is told from one that was applied).
    pub(in crate::persist) fn mark_applied(&mut self) -> Result<(), (Replaced, PersistError)> {
        self.replace_state(StateFile {
            journal: None,
            ..self.committed.clone()
        })
    }

    /// Replaces the state file by `next` of the same generation.
    fn replace_state(&mut self, next: StateFile) -> Result<(), (Replaced, PersistError)> {
        let replaced = state::replace(&self.state_path, &next);
        if !matches!(replaced, Err((Replaced::No, _))) {
            self.committed = next;
        }
        replaced
    }

    /// Step 4: the journal deleted, or replaced by one holding only the pending writes.
    pub(super) fn retire_journal(&mut self) -> Result<(), PersistError> {
        let pending = self.index.pending_entries();
        if pending.is_empty() {
            self.journal = None;
            remove_if_present(&self.journal_path)?;
            self.index.clear();
            self.digests.clear();
            self.unverified.clear();
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
        self.journal_header = self.journal_header_for_new();
        // The pending slots moved: their digests are read back when they are committed.
        self.digests.clear();
        self.unverified.clear();
        self.next_slot = slots;
        self.synchronized_end = 0;
        Ok(())
    }

    /// Writes a journal for the next generation at `temp` holding the `pending` runs; gives
    /// it with its slot index and the number of slots it fills.
    pub(super) fn write_pending_journal(
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
        new.write_all_at(&journal::header(self.journal_header_for_new()), 0)
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
