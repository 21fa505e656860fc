//! Sectors in memory, sparse by extents.
//!
//! Memory is taken in extents of 32 sectors (64 KiB, one BD cluster, two DVD ECC blocks), and
//! only for extents that were written, so an empty 25 GB BD-RE costs nothing and a WRITE of 32
//! aligned sectors is one lookup and one memcpy.
//!
//! Uncommitted writes live in a second map of extents. The first write to an extent after a
//! commit copies the committed extent (or zeros) into it; after that the pending extent is
//! complete, so reads take it whole, a commit moves it over the committed one without copying,
//! and a discard drops it.

use core::fmt;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::{check_span, whole_sectors, SectorStore, StoreError, SECTOR};

/// Sectors in one extent.
const EXTENT_SECTORS: u64 = 32;
/// Bytes in one extent.
const EXTENT_BYTES: usize = EXTENT_SECTORS as usize * SECTOR;

/// A disc's sectors in memory; see the module documentation.
#[derive(Default)]
pub struct MemoryStore {
    /// Extent number to its committed contents (`EXTENT_BYTES` long).
    committed: HashMap<u64, Box<[u8]>>,
    /// Extent number to its contents including uncommitted writes.
    pending: HashMap<u64, Box<[u8]>>,
}

impl MemoryStore {
    /// An empty store: every sector reads as zeros.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// Bytes of sector data held, committed and uncommitted (64 KiB per written extent).
    pub fn resident_bytes(&self) -> usize {
        (self.committed.len() + self.pending.len()) * EXTENT_BYTES
    }

    /// Whether writes are waiting for a commit.
    pub fn has_uncommitted(&self) -> bool {
        !self.pending.is_empty()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("committed_extents", &self.committed.len())
            .field("pending_extents", &self.pending.len())
            .finish()
    }
}

/// One extent's share of a run of sectors: which extent, the byte offset of the run inside
/// it, and how many bytes of the run fall in it.
#[derive(Debug, Clone, Copy)]
struct Piece {
    extent: u64,
    offset: usize,
    len: usize,
}

/// Splits `len` bytes starting at sector `index` into per-extent pieces, in order.
fn pieces(index: u64, len: usize) -> impl Iterator<Item = Piece> {
    let mut sector = index;
    let mut left = len;
    core::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let within = (sector % EXTENT_SECTORS) as usize;
        let offset = within * SECTOR;
        let piece_len = left.min(EXTENT_BYTES - offset);
        let piece = Piece {
            extent: sector / EXTENT_SECTORS,
            offset,
            len: piece_len,
        };
        left -= piece_len;
        sector += (piece_len / SECTOR) as u64;
        Some(piece)
    })
}

/// Copies whole sectors, one sector per memcpy.
///
/// One memcpy of 64 KiB is done with `rep movsb`, which on the project machine takes 22 µs
/// instead of 1.3 µs when the destination lies a few bytes above the source modulo 4 KiB (the
/// CPU's loads wait on stores that only alias them), and buffers allocated one after the other
/// land exactly so. Copies of 2 KiB use vector moves, never hit that, and are as fast
/// otherwise (measured: `benches/virtdrive_store.rs`).
fn copy_sectors(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.chunks_exact_mut(SECTOR).zip(src.chunks_exact(SECTOR)) {
        // Without the opaque source, the compiler fuses the loop back into one large memcpy.
        d.copy_from_slice(core::hint::black_box(s));
    }
}

impl SectorStore for MemoryStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        check_span(index, whole_sectors(out.len())?)?;
        let mut rest = out;
        for piece in pieces(index, rest.len()) {
            let (dst, tail) = core::mem::take(&mut rest)
                .split_at_mut_checked(piece.len)
                .ok_or(StoreError::Unaligned { len: piece.len })?;
            rest = tail;
            let extent = self
                .pending
                .get(&piece.extent)
                .or_else(|| self.committed.get(&piece.extent));
            match extent.and_then(|e| e.get(piece.offset..piece.offset + piece.len)) {
                Some(src) => copy_sectors(dst, src),
                None => dst.fill(0),
            }
        }
        Ok(())
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        let count = whole_sectors(data.len())?;
        check_span(index, count)?;
        let mut rest = data;
        for piece in pieces(index, rest.len()) {
            let (src, tail) = rest
                .split_at_checked(piece.len)
                .ok_or(StoreError::Unaligned { len: piece.len })?;
            rest = tail;
            let committed = &self.committed;
            match self.pending.entry(piece.extent) {
                Entry::Occupied(mut extent) => {
                    let dst = extent
                        .get_mut()
                        .get_mut(piece.offset..piece.offset + piece.len)
                        .ok_or(StoreError::OutOfRange { index, count })?;
                    copy_sectors(dst, src);
                }
                // A whole extent: built from the data alone, nothing to zero or copy first.
                Entry::Vacant(vacant) if piece.len == EXTENT_BYTES => {
                    let mut extent = Vec::with_capacity(EXTENT_BYTES);
                    for sector in src.chunks_exact(SECTOR) {
                        extent.extend_from_slice(core::hint::black_box(sector));
                    }
                    vacant.insert(extent.into_boxed_slice());
                }
                Entry::Vacant(vacant) => {
                    // The extent's data as of the last commit, so the untouched sectors stay.
                    let extent = vacant.insert(
                        committed
                            .get(&piece.extent)
                            .cloned()
                            .unwrap_or_else(|| vec![0; EXTENT_BYTES].into_boxed_slice()),
                    );
                    let dst = extent
                        .get_mut(piece.offset..piece.offset + piece.len)
                        .ok_or(StoreError::OutOfRange { index, count })?;
                    copy_sectors(dst, src);
                }
            }
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        self.committed.extend(self.pending.drain());
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        self.pending.clear();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        let mut sector = [0u8; SECTOR];
        self.read(index, &mut sector)?;
        Ok(*blake3::hash(&sector).as_bytes())
    }
}
