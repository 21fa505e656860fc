//! What the hash-only store keeps of 4096 consecutive sectors, and the bytes a page is kept
//! as in the page file.

use super::super::{uniform_byte, SECTOR};

/// Sectors in one page.
pub(super) const PAGE_SECTORS: u64 = 4096;
/// 64-bit words in a page's bit masks.
const MASK_WORDS: usize = PAGE_SECTORS as usize / 64;
/// Bytes of one page in the page file: the values, then the uniform and written masks, all
/// little-endian.
pub(super) const PAGE_BYTES: usize = PAGE_SECTORS as usize * 4 + 2 * MASK_WORDS * 8;

/// What the store knows of one sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sector {
    /// 2048 copies of one byte (never-written sectors are zeros).
    Uniform(u8),
    /// Any other data: its CRC-32.
    Crc(u32),
}

impl Sector {
    pub(super) fn of(data: &[u8]) -> Sector {
        match uniform_byte(data) {
            Some(byte) => Sector::Uniform(byte),
            None => Sector::Crc(crc32fast::hash(data)),
        }
    }

    /// Whether `data` (one sector) is what this sector holds, as far as the store can tell.
    pub(super) fn matches(self, data: &[u8]) -> bool {
        debug_assert_eq!(data.len(), SECTOR);
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
#[derive(Clone)]
pub(super) struct Page {
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
    pub(super) fn blank() -> Page {
        Page {
            value: vec![0; PAGE_SECTORS as usize].into_boxed_slice(),
            uniform: vec![u64::MAX; MASK_WORDS].into_boxed_slice(),
            written: vec![0; MASK_WORDS].into_boxed_slice(),
        }
    }

    pub(super) fn set(&mut self, slot: usize, sector: Sector) {
        let (value, uniform) = match sector {
            Sector::Uniform(byte) => (u32::from(byte), true),
            Sector::Crc(crc) => (crc, false),
        };
        if let Some(v) = self.value.get_mut(slot) {
            *v = value;
        }
        set_bit(&mut self.uniform, slot, uniform);
    }

    /// Records a write of `sector` (uncommitted layer).
    pub(super) fn write(&mut self, slot: usize, sector: Sector) {
        self.set(slot, sector);
        set_bit(&mut self.written, slot, true);
    }

    pub(super) fn sector(&self, slot: usize) -> Sector {
        let value = self.value.get(slot).copied().unwrap_or(0);
        if bit(&self.uniform, slot) {
            Sector::Uniform(u8::try_from(value).unwrap_or(0))
        } else {
            Sector::Crc(value)
        }
    }

    pub(super) fn is_written(&self, slot: usize) -> bool {
        bit(&self.written, slot)
    }

    pub(super) fn wholly_written(&self) -> bool {
        self.written.iter().all(|&w| w == u64::MAX)
    }

    /// Copies the sectors `pending` wrote into this (committed) page.
    pub(super) fn take_written(&mut self, pending: &Page) {
        for (word, &mask) in pending.written.iter().enumerate() {
            let mut rest = mask;
            while rest != 0 {
                let slot = word * 64 + rest.trailing_zeros() as usize;
                rest &= rest - 1;
                self.set(slot, pending.sector(slot));
            }
        }
    }

    /// The page as the page file keeps it (`PAGE_BYTES` bytes).
    pub(super) fn to_bytes(&self, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(PAGE_BYTES);
        for v in self.value.iter() {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for w in self.uniform.iter().chain(self.written.iter()) {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// A page read back from the page file; `None` unless `bytes` is `PAGE_BYTES` long.
    pub(super) fn from_bytes(bytes: &[u8]) -> Option<Page> {
        if bytes.len() != PAGE_BYTES {
            return None;
        }
        let (values, masks) = bytes.split_at(PAGE_SECTORS as usize * 4);
        let (uniform, written) = masks.split_at(MASK_WORDS * 8);
        let words = |b: &[u8]| -> Box<[u64]> {
            b.chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect()
        };
        Some(Page {
            value: values
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
                .collect(),
            uniform: words(uniform),
            written: words(written),
        })
    }
}
