//! Which sectors of an overwritable disc hold data written since it was last formatted.
//!
//! A freshly (re)formatted disc reads as zeros everywhere, yet the sector store may still
//! hold what an earlier format left there (the store cannot be erased cheaply: a BD-RE is
//! 25 GB). So the medium keeps the written ranges itself and reads through them: a sector
//! outside every range reads as zeros without asking the store. Sequential writing makes
//! one range; random writes make a few more, merged when they touch.

use std::collections::BTreeMap;

/// Disjoint, non-adjacent half-open ranges `[start, end)` of sector indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WrittenExtents {
    /// start -> end; no two ranges overlap or touch.
    ranges: BTreeMap<u64, u64>,
}

impl WrittenExtents {
    pub fn new() -> Self {
        WrittenExtents::default()
    }

    /// Builds the set from saved ranges; `None` if a range is empty or reversed.
    pub fn from_ranges(ranges: &[(u64, u64)]) -> Option<Self> {
        let mut set = WrittenExtents::new();
        for &(start, end) in ranges {
            if start >= end {
                return None;
            }
            set.insert(start, end);
        }
        Some(set)
    }

    /// The ranges in ascending order.
    pub fn ranges(&self) -> Vec<(u64, u64)> {
        self.ranges.iter().map(|(&s, &e)| (s, e)).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// One past the highest written sector (0 when nothing is written).
    pub fn end(&self) -> u64 {
        self.ranges.values().next_back().copied().unwrap_or(0)
    }

    /// Marks `[start, end)` written, merging with the ranges it overlaps or touches.
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let (mut new_start, mut new_end) = (start, end);
        // The range starting at or before `start` may reach it.
        if let Some((&s, &e)) = self.ranges.range(..=start).next_back() {
            if e >= start {
                new_start = s;
                new_end = new_end.max(e);
            }
        }
        // Every range starting inside [new_start, end] is swallowed.
        let swallowed: Vec<(u64, u64)> = self
            .ranges
            .range(new_start..=end)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in swallowed {
            self.ranges.remove(&s);
            new_end = new_end.max(e);
        }
        self.ranges.insert(new_start, new_end);
    }

    /// Removes `[start, end)`, splitting the ranges it cuts.
    pub fn remove(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let cut: Vec<(u64, u64)> = self
            .runs(start, end)
            .into_iter()
            .filter(|&(_, _, written)| written)
            .map(|(s, e, _)| (s, e))
            .collect();
        if cut.is_empty() {
            return;
        }
        let touched: Vec<(u64, u64)> = self
            .ranges
            .range(..end)
            .filter(|&(_, &e)| e > start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in touched {
            self.ranges.remove(&s);
            if s < start {
                self.ranges.insert(s, start);
            }
            if e > end {
                self.ranges.insert(end, e);
            }
        }
    }

    /// The first sector of `[start, end)` inside a range, if any.
    pub fn first_in(&self, start: u64, end: u64) -> Option<u64> {
        self.runs(start, end)
            .into_iter()
            .find(|&(_, _, written)| written)
            .map(|(s, _, _)| s)
    }

    /// Forgets everything (a fresh format).
    pub fn clear(&mut self) {
        self.ranges.clear();
    }

    /// Splits `[start, end)` into consecutive runs, each `(run_start, run_end, written)`;
    /// none for an empty range (a READ whose host buffer holds no whole block).
    pub fn runs(&self, start: u64, end: u64) -> Vec<(u64, u64, bool)> {
        let mut out = Vec::new();
        if start >= end {
            return out;
        }
        let mut at = start;
        // A range beginning before `start` may cover its first sectors.
        let first = self
            .ranges
            .range(..=start)
            .next_back()
            .filter(|&(_, &e)| e > start)
            .map(|(&s, &e)| (s, e));
        let later = self.ranges.range(start.saturating_add(1)..end);
        for (s, e) in first.into_iter().chain(later.map(|(&s, &e)| (s, e))) {
            if at >= end {
                break;
            }
            let s = s.max(at);
            if s > at {
                out.push((at, s.min(end), false));
            }
            let e = e.min(end);
            if e > s {
                out.push((s, e, true));
                at = e;
            }
        }
        if at < end {
            out.push((at, end, false));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_and_overlapping_ranges_merge() {
        let mut w = WrittenExtents::new();
        w.insert(32, 64);
        w.insert(0, 16);
        w.insert(16, 32); // touches both neighbours
        assert_eq!(w.ranges(), vec![(0, 64)]);
        w.insert(100, 110);
        w.insert(90, 200); // swallows the range inside it
        assert_eq!(w.ranges(), vec![(0, 64), (90, 200)]);
        assert_eq!(w.end(), 200);
    }

    #[test]
    fn runs_alternate_between_written_and_unwritten() {
        let mut w = WrittenExtents::new();
        w.insert(10, 20);
        w.insert(30, 40);
        assert_eq!(
            w.runs(5, 35),
            vec![
                (5, 10, false),
                (10, 20, true),
                (20, 30, false),
                (30, 35, true)
            ]
        );
        assert_eq!(w.runs(12, 18), vec![(12, 18, true)]);
        assert_eq!(w.runs(40, 50), vec![(40, 50, false)]);
    }

    #[test]
    fn removing_splits_the_ranges_it_cuts() {
        let mut w = WrittenExtents::new();
        w.insert(0, 64);
        w.insert(100, 120);
        w.remove(16, 32);
        w.remove(110, 200);
        assert_eq!(w.ranges(), vec![(0, 16), (32, 64), (100, 110)]);
        assert_eq!(w.first_in(16, 40), Some(32));
        assert_eq!(w.first_in(64, 100), None);
    }

    #[test]
    fn saved_ranges_must_be_non_empty() {
        assert!(WrittenExtents::from_ranges(&[(5, 5)]).is_none());
        assert_eq!(
            WrittenExtents::from_ranges(&[(0, 4), (4, 8)]).map(|w| w.ranges()),
            Some(vec![(0, 8)])
        );
    }
}
