//! Which journal slots hold the sectors that live in the journal rather than the data file.
//!
//! A sector can have two: the slot of its synchronized copy (written before the store's last
//! commit, waiting for the next disc commit) and the slot of a newer, pending copy. A pending
//! write over a synchronized sector takes a new slot, so that a power loss can still fall
//! back to the synchronized copy; a pending write over a pending sector reuses its slot.
//!
//! Both maps are kept as runs (consecutive sectors in consecutive slots), because a drive is
//! written in long sequential transfers: overwriting a whole 25 GB BD-RE before its first
//! SYNCHRONIZE CACHE is one run, a few dozen bytes, where a slot per sector would be hundreds
//! of megabytes.

use std::collections::BTreeMap;

use super::journal::Entry;

/// A run of sectors `[start, start + count)` held in slots `[slot, slot + count)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    count: u64,
    slot: u32,
}

/// Runs by their first sector; runs never overlap.
#[derive(Debug, Default)]
struct RunMap {
    runs: BTreeMap<u64, Run>,
}

impl RunMap {
    /// The slot holding `sector`, if a run covers it.
    fn get(&self, sector: u64) -> Option<u32> {
        let (&start, run) = self.runs.range(..=sector).next_back()?;
        let offset = sector - start;
        (offset < run.count)
            .then(|| u32::try_from(u64::from(run.slot) + offset).ok())
            .flatten()
    }

    /// The pieces of `[start, start + count)`: `(first sector, count, slot of the first or
    /// None where no run covers it)`, in order.
    fn pieces(&self, start: u64, count: u64) -> Vec<(u64, u64, Option<u32>)> {
        let end = start.saturating_add(count);
        let mut pieces = Vec::new();
        let mut at = start;
        // The run that begins before `start` and may cover it, then those that begin inside.
        let before = self.runs.range(..start).next_back();
        let inside = self.runs.range(start..end);
        for (&run_start, run) in before.into_iter().chain(inside) {
            let run_end = run_start.saturating_add(run.count);
            if run_end <= at {
                continue;
            }
            if run_start > at {
                pieces.push((at, run_start - at, None));
                at = run_start;
            }
            let piece_end = run_end.min(end);
            let slot = u32::try_from(u64::from(run.slot) + (at - run_start)).ok();
            pieces.push((at, piece_end - at, slot));
            at = piece_end;
        }
        if at < end {
            pieces.push((at, end - at, None));
        }
        pieces
    }

    /// Records `[start, start + count)` as held in slots from `slot`, replacing whatever
    /// covered those sectors; merges with a neighbour that continues it.
    fn insert(&mut self, start: u64, count: u64, slot: u32) {
        if count == 0 {
            return;
        }
        let end = start.saturating_add(count);
        self.cut(start, end);
        let mut start = start;
        let mut run = Run { count, slot };
        // Merge with the run before when both sectors and slots continue.
        if let Some((&prev_start, &prev)) = self.runs.range(..start).next_back() {
            if prev_start + prev.count == start
                && u64::from(prev.slot) + prev.count == u64::from(slot)
            {
                self.runs.remove(&prev_start);
                start = prev_start;
                run = Run {
                    count: prev.count + count,
                    slot: prev.slot,
                };
            }
        }
        if let Some(&next) = self.runs.get(&end) {
            if u64::from(run.slot) + run.count == u64::from(next.slot) {
                self.runs.remove(&end);
                run.count += next.count;
            }
        }
        self.runs.insert(start, run);
    }

    /// Removes `[start, end)` from every run, keeping the parts outside it.
    fn cut(&mut self, start: u64, end: u64) {
        let overlapping: Vec<(u64, Run)> = self
            .runs
            .range(..end)
            .rev()
            .take_while(|&(&s, r)| s.saturating_add(r.count) > start)
            .map(|(&s, &r)| (s, r))
            .collect();
        for (run_start, run) in overlapping {
            self.runs.remove(&run_start);
            let run_end = run_start + run.count;
            if run_start < start {
                self.runs.insert(
                    run_start,
                    Run {
                        count: start - run_start,
                        slot: run.slot,
                    },
                );
            }
            if run_end > end {
                let skipped = end - run_start;
                if let Ok(slot) = u32::try_from(u64::from(run.slot) + skipped) {
                    self.runs.insert(
                        end,
                        Run {
                            count: run_end - end,
                            slot,
                        },
                    );
                }
            }
        }
    }

    fn entries(&self) -> Vec<Entry> {
        self.runs
            .iter()
            .map(|(&sector, run)| Entry {
                sector,
                slot: run.slot,
                count: run.count,
            })
            .collect()
    }
}

/// The slot index; see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct SlotIndex {
    synchronized: RunMap,
    pending: RunMap,
}

impl SlotIndex {
    /// The slot holding the sector's current contents: pending, else synchronized.
    pub fn current(&self, sector: u64) -> Option<u32> {
        self.pending
            .get(sector)
            .or_else(|| self.synchronized.get(sector))
    }

    /// The pieces of `[start, start + count)` with the slot of their pending copy, if any.
    pub fn pending_pieces(&self, start: u64, count: u64) -> Vec<(u64, u64, Option<u32>)> {
        self.pending.pieces(start, count)
    }

    /// Records that the pending copies of `count` sectors from `start` are in slots from
    /// `slot`.
    pub fn set_pending(&mut self, start: u64, count: u64, slot: u32) {
        self.pending.insert(start, count, slot);
    }

    /// The store's commit: every pending copy becomes the synchronized one.
    pub fn synchronize(&mut self) {
        let pending = core::mem::take(&mut self.pending);
        for (start, run) in pending.runs {
            self.synchronized.insert(start, run.count, run.slot);
        }
    }

    /// Power loss: forgets every pending copy.
    pub fn discard_pending(&mut self) {
        self.pending = RunMap::default();
    }

    /// The synchronized runs, sorted by sector.
    pub fn synchronized_entries(&self) -> Vec<Entry> {
        self.synchronized.entries()
    }

    /// The pending runs, sorted by sector.
    pub fn pending_entries(&self) -> Vec<Entry> {
        self.pending.entries()
    }

    /// Forgets everything (the journal was retired).
    pub fn clear(&mut self) {
        *self = SlotIndex::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sector of 0..64 with its slot, from a map, for comparing with a per-sector model.
    fn flatten(map: &RunMap) -> Vec<Option<u32>> {
        (0..64).map(|s| map.get(s)).collect()
    }

    #[test]
    fn runs_agree_with_a_per_sector_model_through_overlapping_inserts() {
        // (start, count, slot) inserts that cut runs at the front, the back, the middle, and
        // cover several at once.
        let inserts = [
            (10, 20, 0),
            (0, 5, 100),
            (15, 4, 200),
            (25, 10, 300),
            (5, 5, 105),
            (8, 30, 400),
            (40, 1, 7),
            (41, 1, 8),
        ];
        let mut map = RunMap::default();
        let mut model = vec![None; 64];
        for (start, count, slot) in inserts {
            map.insert(start, count, slot);
            for k in 0..count {
                model[(start + k) as usize] = Some(slot + k as u32);
            }
            assert_eq!(
                flatten(&map),
                model,
                "after inserting {start}+{count}@{slot}"
            );
        }
        // 0..5@100 and 5..8@105 continue each other, as do 40@7 and 41@8.
        assert_eq!(
            map.runs.get(&0),
            Some(&Run {
                count: 8,
                slot: 100
            })
        );
        assert_eq!(map.runs.get(&40), Some(&Run { count: 2, slot: 7 }));
    }

    #[test]
    fn pieces_split_a_span_at_run_boundaries() {
        let mut map = RunMap::default();
        map.insert(4, 4, 10);
        map.insert(12, 2, 20);
        assert_eq!(
            map.pieces(2, 14),
            vec![
                (2, 2, None),
                (4, 4, Some(10)),
                (8, 4, None),
                (12, 2, Some(20)),
                (14, 2, None)
            ]
        );
        assert_eq!(map.pieces(5, 2), vec![(5, 2, Some(11))]);
        assert_eq!(map.pieces(30, 3), vec![(30, 3, None)]);
    }

    #[test]
    fn a_synchronize_keeps_the_newer_copy_and_a_power_loss_the_older() {
        let mut index = SlotIndex::default();
        index.set_pending(0, 8, 0);
        index.synchronize();
        index.set_pending(2, 2, 8);
        assert_eq!(index.current(2), Some(8));
        assert_eq!(index.current(4), Some(4));
        index.discard_pending();
        assert_eq!(index.current(2), Some(2));
        index.set_pending(2, 2, 8);
        index.synchronize();
        assert_eq!(
            index.synchronized_entries(),
            vec![
                Entry {
                    sector: 0,
                    slot: 0,
                    count: 2
                },
                Entry {
                    sector: 2,
                    slot: 8,
                    count: 2
                },
                Entry {
                    sector: 4,
                    slot: 4,
                    count: 4
                },
            ]
        );
        assert!(index.pending_entries().is_empty());
    }
}
