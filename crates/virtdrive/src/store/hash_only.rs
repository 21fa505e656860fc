//! A store that keeps what identifies each sector, not the sector: a full 25 GB BD-RE can be
//! written and verified in about 50 MiB of memory.
//!
//! ## What is kept, and why
//!
//! Per sector, 4 bytes: either the byte it repeats (a sector of one byte value: blanks, zero
//! fills, pattern fills), which reads back, or the CRC-32 of its 2048 bytes, against which
//! [`SectorStore::verify`] checks the data a caller says it wrote. The data of such a sector
//! cannot be read back ([`StoreError::DataNotRetained`]), nor its BLAKE3
//! ([`SectorStore::digest`] answers only for uniform sectors).
//!
//! A CRC-32 per sector tells a wrong sector from the right one with probability 1 − 2⁻³² (and
//! every error burst of up to 32 bits for certain), and keeps that for every sector through
//! any pattern of rewrites: a rewrite of part of an earlier write replaces exactly the sectors
//! it wrote. The alternatives were weighed: a BLAKE3 per sector (the previous design, 32 bytes
//! per sector) cost 425 MiB for a full BD-RE and hashed at 1.7 GB/s; one strong hash per
//! written run or per cluster costs next to nothing but cannot verify the rest of a run or a
//! cluster once part of it is rewritten, since the old contents of the rewritten part are
//! gone. CRC-32 with carry-less multiplication (`crc32fast`) runs at memory speed.
//!
//! Sectors are grouped in pages of 4096 (8 MiB of disc): a page is three flat arrays, so a
//! full disc costs 4 bytes and a quarter bit per sector and no per-sector allocation.
//! Uncommitted writes go to a second map of pages with a mask of the sectors they wrote; the
//! first commit of a disc written whole takes that map over as it is, later ones merge the
//! written sectors into the committed pages.
//!
//! Measured (`cargo run --release -p virtdrive --example hash_only_full_bd_re`): see
//! docs/benchmarks.md.

use core::fmt;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::{check_span, uniform_byte, uniform_digest, whole_sectors};
use super::{SectorStore, StoreError, SECTOR};

/// Sectors in one page.
const PAGE_SECTORS: u64 = 4096;
/// 64-bit words in a page's bit masks.
const MASK_WORDS: usize = PAGE_SECTORS as usize / 64;

/// What the store knows of one sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sector {
    /// 2048 copies of one byte (never-written sectors are zeros).
    Uniform(u8),
    /// Any other data: its CRC-32.
    Crc(u32),
}

impl Sector {
    fn of(data: &[u8]) -> Sector {
        match uniform_byte(data) {
            Some(byte) => Sector::Uniform(byte),
            None => Sector::Crc(crc32fast::hash(data)),
        }
    }

    /// Whether `data` (one sector) is what this sector holds, as far as the store can tell.
    fn matches(self, data: &[u8]) -> bool {
        match self {
            Sector::Uniform(byte) => uniform_byte(data) == Some(byte),
            Sector::Crc(crc) => uniform_byte(data).is_none() && crc32fast::hash(data) == crc,
        }
    }
}

fn bit(mask: &[u64], slot: usize) -> bool {
    mask.get(slot / 64)
        .is_some_and(|w| w & (1 << (slot % 64)) != 0)
}

fn set_bit(mask: &mut [u64], slot: usize, on: bool) {
    if let Some(w) = mask.get_mut(slot / 64) {
        if on {
            *w |= 1 << (slot % 64);
        } else {
            *w &= !(1 << (slot % 64));
        }
    }
}

/// What 4096 consecutive sectors hold.
struct Page {
    /// Per sector: the CRC-32, or the repeated byte where `uniform` says so.
    value: Box<[u32]>,
    /// Bit set: the sector repeats the byte in `value`.
    uniform: Box<[u64]>,
    /// In the uncommitted layer, bit set: the sector was written since the last commit (the
    /// others are not meant). Not used in the committed layer.
    written: Box<[u64]>,
}

impl Page {
    /// 4096 sectors of zeros: what a never-written page holds.
    fn blank() -> Page {
        Page {
            value: vec![0; PAGE_SECTORS as usize].into_boxed_slice(),
            uniform: vec![u64::MAX; MASK_WORDS].into_boxed_slice(),
            written: vec![0; MASK_WORDS].into_boxed_slice(),
        }
    }

    fn set(&mut self, slot: usize, sector: Sector) {
        let (value, uniform) = match sector {
            Sector::Uniform(byte) => (u32::from(byte), true),
            Sector::Crc(crc) => (crc, false),
        };
        if let Some(v) = self.value.get_mut(slot) {
            *v = value;
        }
        set_bit(&mut self.uniform, slot, uniform);
    }

    fn sector(&self, slot: usize) -> Sector {
        let value = self.value.get(slot).copied().unwrap_or(0);
        if bit(&self.uniform, slot) {
            Sector::Uniform(u8::try_from(value).unwrap_or(0))
        } else {
            Sector::Crc(value)
        }
    }

    fn is_written(&self, slot: usize) -> bool {
        bit(&self.written, slot)
    }

    fn wholly_written(&self) -> bool {
        self.written.iter().all(|&w| w == u64::MAX)
    }

    /// Copies the sectors `pending` wrote into this (committed) page.
    fn take_written(&mut self, pending: &Page) {
        for (word, &mask) in pending.written.iter().enumerate() {
            let mut rest = mask;
            while rest != 0 {
                let slot = word * 64 + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                self.set(slot, pending.sector(slot));
            }
        }
    }
}

/// A disc's sectors as CRC-32s; see the module documentation.
#[derive(Default)]
pub struct HashOnlyStore {
    committed: HashMap<u64, Page>,
    pending: HashMap<u64, Page>,
}

impl HashOnlyStore {
    /// An empty store: every sector reads as zeros.
    pub fn new() -> Self {
        HashOnlyStore::default()
    }

    /// Whether writes are waiting for a commit.
    pub fn has_uncommitted(&self) -> bool {
        !self.pending.is_empty()
    }

    fn sector(&self, index: u64) -> Sector {
        let page = index / PAGE_SECTORS;
        let slot = (index % PAGE_SECTORS) as usize;
        if let Some(p) = self.pending.get(&page) {
            if p.is_written(slot) {
                return p.sector(slot);
            }
        }
        match self.committed.get(&page) {
            Some(c) => c.sector(slot),
            None => Sector::Uniform(0),
        }
    }
}

impl fmt::Debug for HashOnlyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashOnlyStore")
            .field("committed_pages", &self.committed.len())
            .field("pending_pages", &self.pending.len())
            .finish()
    }
}

impl SectorStore for HashOnlyStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        check_span(index, whole_sectors(out.len())?)?;
        for (sector_index, sector) in (index..).zip(out.chunks_exact_mut(SECTOR)) {
            match self.sector(sector_index) {
                Sector::Uniform(byte) => sector.fill(byte),
                Sector::Crc(_) => {
                    return Err(StoreError::DataNotRetained {
                        index: sector_index,
                    })
                }
            }
        }
        Ok(())
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        check_span(index, whole_sectors(data.len())?)?;
        let mut current: Option<(u64, &mut Page)> = None;
        for (sector_index, sector) in (index..).zip(data.chunks_exact(SECTOR)) {
            let page = sector_index / PAGE_SECTORS;
            let slot = (sector_index % PAGE_SECTORS) as usize;
            // One map lookup per page, not per sector.
            let pending = match current.take() {
                Some((number, p)) if number == page => p,
                _ => self.pending.entry(page).or_insert_with(Page::blank),
            };
            pending.set(slot, Sector::of(sector));
            set_bit(&mut pending.written, slot, true);
            current = Some((page, pending));
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        // The first commit of a disc written whole: the layer becomes the committed one as it
        // is, without a second map alive at the same time. Sectors the layer did not write
        // hold zeros there, as a page never written does.
        if self.committed.is_empty() {
            core::mem::swap(&mut self.committed, &mut self.pending);
            return Ok(());
        }
        for (number, pending) in self.pending.drain() {
            match self.committed.entry(number) {
                Entry::Vacant(vacant) => {
                    vacant.insert(pending);
                }
                Entry::Occupied(mut occupied) if pending.wholly_written() => {
                    occupied.insert(pending);
                }
                Entry::Occupied(mut occupied) => occupied.get_mut().take_written(&pending),
            }
        }
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        self.pending.clear();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        check_span(index, 1)?;
        match self.sector(index) {
            Sector::Uniform(byte) => Ok(uniform_digest(byte)),
            Sector::Crc(_) => Err(StoreError::DataNotRetained { index }),
        }
    }

    fn verify(&self, index: u64, expected: &[u8]) -> Result<Option<u64>, StoreError> {
        check_span(index, whole_sectors(expected.len())?)?;
        Ok((index..)
            .zip(expected.chunks_exact(SECTOR))
            .find(|&(i, data)| !self.sector(i).matches(data))
            .map(|(i, _)| i))
    }
}
