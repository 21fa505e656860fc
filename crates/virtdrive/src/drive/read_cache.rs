//! The drive's read cache: the sectors the host wrote last, kept in the drive's buffer and
//! given back to a READ of them without the medium being read.
//!
//! Real writers do this. The data of a WRITE stays in the buffer after the laser recorded it
//! (SYNCHRONIZE CACHE, MMC-6 6.41, makes the medium hold what the cache holds; it does not
//! empty the cache), so a host that reads back what it just wrote compares its data with the
//! drive's copy of it, and a sector the drive acknowledged but did not record well passes.
//! Only a read after the cache is gone reads the medium.
//!
//! The model: the last [`ReadCache::capacity_sectors`] sectors written, oldest written
//! evicted first (a read does not make a sector younger: the buffer is a ring the writes go
//! through). The cache is dropped whenever a real drive cannot trust it for the disc in the
//! tray any more:
//!
//! - a START STOP UNIT that loads or ejects (LoEj = 1, MMC-6 6.40): the disc left the
//!   spindle, and the one that comes back may be another;
//! - every other change of the medium: a disc taken out, put in, or lost to the tray (what
//!   06/28/00 NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED reports);
//! - a power loss and a power-on or reset (06/29/00: the buffer is volatile);
//! - BLANK (MMC-6 6.2) and FORMAT UNIT (MMC-6 6.5), which rewrite the medium under the cache.
//!
//! READ (10) and READ (12) are answered from it; READ CD (raw sectors of a CD, MMC-6 6.18)
//! and VERIFY (10), which checks the medium itself (MMC-6 6.43), are not.
//!
//! Off unless asked for ([`crate::DriveConfig::read_cache_bytes`], or the fault plans'
//! `read_cache` drive condition).

use std::collections::{BTreeMap, HashMap};

use crate::store::SECTOR;

/// The largest cache the model keeps, whatever a plan or a configuration asks (1 GiB):
/// drive buffers are a few MiB, and a cache is memory.
pub const MAX_READ_CACHE_BYTES: u32 = 1 << 30;

/// The sectors written last, by LBA.
#[derive(Default)]
pub(crate) struct ReadCache {
    capacity_sectors: usize,
    /// LBA → (when it was written, its data).
    sectors: HashMap<i32, (u64, Vec<u8>)>,
    /// When written → LBA: the eviction order.
    written: BTreeMap<u64, i32>,
    next: u64,
}

/// The counts, not megabytes of sectors.
impl core::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReadCache")
            .field("capacity_sectors", &self.capacity_sectors)
            .field("sectors", &self.sectors.len())
            .finish()
    }
}

impl ReadCache {
    /// A cache of `bytes` (whole sectors, at most [`MAX_READ_CACHE_BYTES`]); `None` or less
    /// than one sector: no cache.
    pub(crate) fn new(bytes: Option<u32>) -> Self {
        let bytes = bytes.unwrap_or(0).min(MAX_READ_CACHE_BYTES);
        ReadCache {
            capacity_sectors: bytes as usize / SECTOR,
            ..ReadCache::default()
        }
    }

    /// How many sectors the cache holds at most (0: no cache).
    pub(crate) fn capacity_sectors(&self) -> usize {
        self.capacity_sectors
    }

    /// How many sectors it holds now.
    pub(crate) fn len(&self) -> usize {
        self.sectors.len()
    }

    /// Keeps `data` (whole sectors; a partial last one is not kept) as written from `lba`,
    /// evicting the oldest written sectors past the capacity.
    pub(crate) fn keep(&mut self, lba: i32, data: &[u8]) {
        if self.capacity_sectors == 0 {
            return;
        }
        // Of a write longer than the cache, only its last sectors can stay.
        let skip = (data.len() / SECTOR).saturating_sub(self.capacity_sectors);
        for (i, sector) in data.chunks_exact(SECTOR).enumerate().skip(skip) {
            let Some(at) = i32::try_from(i).ok().and_then(|i| lba.checked_add(i)) else {
                break;
            };
            let stamp = self.next;
            self.next = self.next.saturating_add(1);
            if let Some((old, _)) = self.sectors.insert(at, (stamp, sector.to_vec())) {
                self.written.remove(&old);
            }
            self.written.insert(stamp, at);
        }
        while self.sectors.len() > self.capacity_sectors {
            let Some((_, oldest)) = self.written.pop_first() else {
                break;
            };
            self.sectors.remove(&oldest);
        }
    }

    /// The data of `lba`, when the cache holds it.
    pub(crate) fn get(&self, lba: i32) -> Option<&[u8]> {
        self.sectors.get(&lba).map(|(_, data)| data.as_slice())
    }

    /// Forgets every sector (the capacity stays).
    pub(crate) fn drop_all(&mut self) {
        self.sectors.clear();
        self.written.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sectors(fill: u8, n: usize) -> Vec<u8> {
        vec![fill; n * SECTOR]
    }

    #[test]
    fn the_oldest_written_sectors_are_evicted_first() {
        let mut c = ReadCache::new(Some(4 * SECTOR as u32));
        c.keep(10, &sectors(1, 3));
        c.keep(20, &sectors(2, 2));
        assert_eq!(c.len(), 4);
        assert!(c.get(10).is_none(), "LBA 10 was written first");
        assert_eq!(c.get(11), Some(&sectors(1, 1)[..]));
        assert_eq!(c.get(21), Some(&sectors(2, 1)[..]));
        // Writing LBA 11 again makes it the youngest: 12 goes next.
        c.keep(11, &sectors(3, 1));
        c.keep(30, &sectors(4, 1));
        assert!(c.get(12).is_none());
        assert_eq!(c.get(11), Some(&sectors(3, 1)[..]));
        // A write longer than the cache leaves its last sectors.
        let long: Vec<u8> = (1..=6u8).flat_map(|f| sectors(f, 1)).collect();
        c.keep(100, &long);
        assert_eq!(c.len(), 4);
        assert!(c.get(101).is_none() && c.get(11).is_none());
        assert_eq!(c.get(102), Some(&sectors(3, 1)[..]));
        assert_eq!(c.get(105), Some(&sectors(6, 1)[..]));
    }

    #[test]
    fn no_capacity_keeps_nothing_and_partial_sectors_are_not_kept() {
        let mut off = ReadCache::new(None);
        off.keep(0, &sectors(1, 2));
        assert_eq!(off.len(), 0);
        let mut small = ReadCache::new(Some(SECTOR as u32 - 1));
        small.keep(0, &sectors(1, 1));
        assert_eq!(small.len(), 0);
        let mut on = ReadCache::new(Some(8 * SECTOR as u32));
        on.keep(0, &[7; SECTOR + 100]);
        assert_eq!(on.len(), 1);
        on.keep(i32::MAX, &sectors(1, 2));
        assert_eq!(on.len(), 2, "no LBA past i32::MAX");
        on.drop_all();
        assert_eq!(on.len(), 0);
        assert_eq!(on.capacity_sectors(), 8);
    }
}
