//! The digests of journal slots, hashed from the sectors in memory as they are written, so
//! that a commit records the BLAKE3 of what the drive was given without reading its slots
//! back; a group whose slots were written otherwise (rewritten, or cut by a later write into
//! another shape) is not known here and is read back at the commit.
//!
//! A group is the part of a run of sectors within one aligned megabyte of slots (see
//! [`journal::groups`](super::journal::groups)); new slots are taken in order, so a drive's
//! sequential write fills groups one after the other and only the last one is still open.

use std::collections::BTreeMap;

use super::journal::{Entry, GROUP};
use crate::store::SECTOR;

/// A group whose slots are still being written.
#[derive(Debug, Clone)]
struct OpenGroup {
    sector: u64,
    slot: u32,
    count: u64,
    hasher: blake3::Hasher,
}

impl OpenGroup {
    fn entry(&self) -> Entry {
        Entry {
            sector: self.sector,
            slot: self.slot,
            count: self.count,
        }
    }
}

/// Digests of whole groups by their first slot, and the group being written.
#[derive(Debug, Default)]
pub(crate) struct GroupDigests {
    done: BTreeMap<u32, (Entry, [u8; 32])>,
    open: Option<OpenGroup>,
}

impl GroupDigests {
    /// `data`, whole sectors from `sector` on, was written into new slots from `slot` on.
    pub fn wrote_new(&mut self, sector: u64, slot: u32, data: &[u8]) {
        let mut sector = sector;
        let mut slot = u64::from(slot);
        for sectors in Pieces::new(slot, data) {
            let count = (sectors.len() / SECTOR) as u64;
            let Ok(first) = u32::try_from(slot) else {
                self.open = None;
                return;
            };
            let continues = self.open.as_ref().is_some_and(|g| {
                u64::from(g.slot) + g.count == slot
                    && g.sector + g.count == sector
                    && slot % GROUP != 0
            });
            if !continues {
                self.close();
                self.open = Some(OpenGroup {
                    sector,
                    slot: first,
                    count: 0,
                    hasher: blake3::Hasher::new(),
                });
            }
            if let Some(group) = self.open.as_mut() {
                group.hasher.update(sectors);
                group.count += count;
            }
            sector += count;
            slot += count;
        }
    }

    /// `digest` is that of `group`'s slots (a commit record said so).
    pub fn known(&mut self, group: Entry, digest: [u8; 32]) {
        self.done.insert(group.slot, (group, digest));
    }

    /// The digest of `group`, when its slots were hashed as they were written and not
    /// written since.
    pub fn get(&self, group: &Entry) -> Option<[u8; 32]> {
        match &self.open {
            Some(open) if open.entry() == *group => Some(*open.hasher.finalize().as_bytes()),
            _ => self
                .done
                .get(&group.slot)
                .filter(|(entry, _)| entry == group)
                .map(|&(_, digest)| digest),
        }
    }

    /// Slots `[slot, slot + count)` are about to be written again: digests covering any of
    /// them are forgotten.
    pub fn forget(&mut self, slot: u32, count: u64) {
        let end = u64::from(slot).saturating_add(count);
        let overlaps =
            |e: &Entry| u64::from(e.slot) < end && u64::from(e.slot) + e.count > u64::from(slot);
        if self.open.as_ref().is_some_and(|g| overlaps(&g.entry())) {
            self.open = None;
        }
        // A group lies within one aligned megabyte of slots, so only one may begin before.
        let first = slot.saturating_sub(u32::try_from(GROUP).unwrap_or(0));
        let stale: Vec<u32> = self
            .done
            .range(first..)
            .take_while(|(&s, _)| u64::from(s) < end)
            .filter(|(_, (e, _))| overlaps(e))
            .map(|(&s, _)| s)
            .collect();
        for s in stale {
            self.done.remove(&s);
        }
    }

    /// Slots from `slot` on are free again (a power loss, a failed write): their digests are
    /// forgotten.
    pub fn forget_from(&mut self, slot: u32) {
        self.forget(slot, u64::from(u32::MAX) + 1);
    }

    /// Forgets everything (the journal was retired or replaced).
    pub fn clear(&mut self) {
        *self = GroupDigests::default();
    }

    fn close(&mut self) {
        if let Some(group) = self.open.take() {
            let digest = *group.hasher.finalize().as_bytes();
            self.done.insert(group.slot, (group.entry(), digest));
        }
    }
}

/// `data` cut where its slots, from `slot` on, cross a multiple of [`GROUP`].
struct Pieces<'a> {
    slot: u64,
    data: &'a [u8],
}

impl<'a> Pieces<'a> {
    fn new(slot: u64, data: &'a [u8]) -> Self {
        Pieces { slot, data }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let sectors = (self.data.len() / SECTOR) as u64;
        if sectors == 0 {
            return None;
        }
        let count = (GROUP - self.slot % GROUP).min(sectors);
        let (piece, rest) = self.data.split_at_checked(count as usize * SECTOR)?;
        self.data = rest;
        self.slot += count;
        Some(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::journal::groups;

    fn sectors(count: usize, seed: u8) -> Vec<u8> {
        (0..count * SECTOR).map(|k| (k as u8) ^ seed).collect()
    }

    #[test]
    fn digests_hashed_while_writing_are_those_of_the_commits_groups() {
        let mut digests = GroupDigests::default();
        // 1100 sectors from sector 100 into slots from 7, written in three pieces.
        let data = sectors(1100, 5);
        let (a, rest) = data.split_at(300 * SECTOR);
        let (b, c) = rest.split_at(600 * SECTOR);
        digests.wrote_new(100, 7, a);
        digests.wrote_new(400, 307, b);
        digests.wrote_new(1000, 907, c);
        let run = Entry {
            sector: 100,
            slot: 7,
            count: 1100,
        };
        for group in groups(&[run]) {
            let from = (u64::from(group.slot) - 7) as usize * SECTOR;
            let bytes = &data[from..from + group.count as usize * SECTOR];
            assert_eq!(
                digests.get(&group),
                Some(*blake3::hash(bytes).as_bytes()),
                "{group:?}"
            );
        }
        // A group of another shape is not known; a rewritten slot forgets its group.
        let other = Entry {
            sector: 100,
            slot: 7,
            count: 10,
        };
        assert_eq!(digests.get(&other), None);
        let second = groups(&[run])[1];
        digests.forget(600, 1);
        assert_eq!(digests.get(&second), None);
        let first = groups(&[run])[0];
        assert!(digests.get(&first).is_some());
        digests.forget_from(0);
        assert_eq!(digests.get(&first), None);
    }

    #[test]
    fn a_write_that_does_not_continue_the_run_starts_a_new_group() {
        let mut digests = GroupDigests::default();
        digests.wrote_new(10, 0, &sectors(2, 1));
        // The next slot, but not the next sector: another run.
        digests.wrote_new(50, 2, &sectors(1, 2));
        let first = Entry {
            sector: 10,
            slot: 0,
            count: 2,
        };
        let second = Entry {
            sector: 50,
            slot: 2,
            count: 1,
        };
        assert_eq!(
            digests.get(&first),
            Some(*blake3::hash(&sectors(2, 1)).as_bytes())
        );
        assert_eq!(
            digests.get(&second),
            Some(*blake3::hash(&sectors(1, 2)).as_bytes())
        );
    }
}
