//! Which journal slot holds each sector not yet in the data file.
//!
//! A sector can have two: the slot of its synchronized copy (written before the store's last
//! commit, waiting for the next disc commit) and the slot of a newer, pending copy. A pending
//! write over a synchronized sector takes a new slot, so that a power loss can still fall
//! back to the synchronized copy; a pending write over a pending sector reuses its slot.
//! Slots are kept per extent of 32 sectors (256 bytes and one map entry per extent): about
//! 105 MB for a whole BD-RE written before its first commit, and one hash lookup per 32
//! sectors rather than per sector.

use std::collections::HashMap;

use super::journal::Entry;

const EXTENT: u64 = 32;
/// No slot.
const NONE: u32 = u32::MAX;

/// The slots of one extent's sectors.
#[derive(Debug, Clone)]
struct ExtentSlots {
    synchronized: [u32; EXTENT as usize],
    pending: [u32; EXTENT as usize],
}

impl ExtentSlots {
    const EMPTY: ExtentSlots = ExtentSlots {
        synchronized: [NONE; EXTENT as usize],
        pending: [NONE; EXTENT as usize],
    };

    fn is_empty(&self) -> bool {
        self.synchronized
            .iter()
            .chain(&self.pending)
            .all(|&s| s == NONE)
    }
}

/// The slot index; see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct SlotIndex {
    extents: HashMap<u64, Box<ExtentSlots>>,
}

fn split(sector: u64) -> (u64, usize) {
    (sector / EXTENT, (sector % EXTENT) as usize)
}

fn some(slot: u32) -> Option<u32> {
    (slot != NONE).then_some(slot)
}

impl SlotIndex {
    /// The slot holding the sector's current contents: pending, else synchronized.
    pub fn current(&self, sector: u64) -> Option<u32> {
        let (extent, i) = split(sector);
        let slots = self.extents.get(&extent)?;
        some(*slots.pending.get(i)?).or_else(|| some(*slots.synchronized.get(i)?))
    }

    /// The slot of the sector's pending copy.
    pub fn pending(&self, sector: u64) -> Option<u32> {
        let (extent, i) = split(sector);
        some(*self.extents.get(&extent)?.pending.get(i)?)
    }

    /// Records that the sector's pending copy is in `slot`.
    pub fn set_pending(&mut self, sector: u64, slot: u32) {
        let (extent, i) = split(sector);
        let slots = self
            .extents
            .entry(extent)
            .or_insert_with(|| Box::new(ExtentSlots::EMPTY));
        if let Some(s) = slots.pending.get_mut(i) {
            *s = slot;
        }
    }

    /// The store's commit: every pending copy becomes the synchronized one.
    pub fn synchronize(&mut self) {
        for slots in self.extents.values_mut() {
            for (synchronized, pending) in slots.synchronized.iter_mut().zip(&mut slots.pending) {
                if *pending != NONE {
                    *synchronized = core::mem::replace(pending, NONE);
                }
            }
        }
    }

    /// Power loss: forgets every pending copy.
    pub fn discard_pending(&mut self) {
        self.extents.retain(|_, slots| {
            slots.pending = [NONE; EXTENT as usize];
            !slots.is_empty()
        });
    }

    /// The synchronized sectors, sorted by sector.
    pub fn synchronized_entries(&self) -> Vec<Entry> {
        self.entries(|slots| &slots.synchronized)
    }

    /// The pending sectors, sorted by sector.
    pub fn pending_entries(&self) -> Vec<Entry> {
        self.entries(|slots| &slots.pending)
    }

    fn entries(&self, which: impl Fn(&ExtentSlots) -> &[u32; EXTENT as usize]) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self
            .extents
            .iter()
            .flat_map(|(extent, slots)| {
                (extent * EXTENT..)
                    .zip(which(slots).iter().copied())
                    .filter(|&(_, slot)| slot != NONE)
                    .map(|(sector, slot)| Entry { sector, slot })
            })
            .collect();
        entries.sort_unstable();
        entries
    }

    /// Forgets everything (the journal was retired).
    pub fn clear(&mut self) {
        self.extents.clear();
    }
}
