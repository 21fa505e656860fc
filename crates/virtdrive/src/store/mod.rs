//! Where the sectors of a virtual disc live.
//!
//! A [`SectorStore`] holds 2048-byte sectors by index (0-based, the medium maps LBAs to
//! indexes). Writes land in a volatile layer, as in a drive's cache: [`SectorStore::commit`]
//! (SYNCHRONIZE CACHE, CLOSE) makes them durable, [`SectorStore::discard_uncommitted`] (power
//! loss) drops them. Sectors never written read as zeros.
//!
//! Three stores implement it:
//! - [`MemoryStore`]: the data in memory, sparse by 64 KiB extents; the fast one for tests.
//! - [`HashOnlyStore`]: a CRC-32 per sector instead of the data, in a bounded cache of pages
//!   over a temporary file, so a whole 100 GB BD-R XL takes under 30 MiB and can still be
//!   verified by range; reads give the data back only for sectors of one repeated byte.
//! - `persist::FileStore` (Unix): the data in a disc file on disk, durable across processes,
//!   with the disc file and its atomic commits.

use core::fmt;

mod hash_only;
mod memory;

pub use hash_only::{HashOnlyStore, DEFAULT_CACHE_PAGES};
pub use memory::MemoryStore;

/// Bytes in one sector.
pub const SECTOR: usize = mmc_core::BLOCK_LEN as usize;

/// Why a store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store keeps digests only; the data of this sector cannot be read back.
    #[error("sector {index} was stored as a digest only; its data cannot be read back")]
    DataNotRetained { index: u64 },
    /// A buffer that is not a whole number of sectors.
    #[error("{len} bytes is not a whole number of 2048-byte sectors")]
    Unaligned { len: usize },
    /// A run of sectors whose end, or whose byte offset, does not fit in 64 bits.
    #[error("{count} sectors from sector {index} lie beyond any addressable sector")]
    OutOfRange { index: u64, count: u64 },
    /// The backing file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Sector storage for one disc.
pub trait SectorStore: fmt::Debug + Send {
    /// Reads `out.len() / 2048` sectors starting at `index`, committed or not.
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError>;
    /// Writes whole sectors starting at `index` into the volatile layer.
    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError>;
    /// Makes every write so far durable.
    fn commit(&mut self) -> Result<(), StoreError>;
    /// Drops the writes since the last commit (power loss).
    fn discard_uncommitted(&mut self);
    /// BLAKE3 of the sector's current contents (zeros when never written).
    /// [`HashOnlyStore`] answers only for the sectors it can read back.
    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError>;

    /// Checks that the sectors from `index` hold `expected` (committed or not): `None` when
    /// they all do, else the first sector that differs. Every store can verify what was
    /// written, [`HashOnlyStore`] included; this default reads the sectors back.
    fn verify(&self, index: u64, expected: &[u8]) -> Result<Option<u64>, StoreError> {
        let mut sector = [0u8; SECTOR];
        for (at, want) in (index..).zip(expected.chunks(SECTOR)) {
            if want.len() != SECTOR {
                return Err(StoreError::Unaligned {
                    len: expected.len(),
                });
            }
            self.read(at, &mut sector)?;
            if sector.as_slice() != want {
                return Ok(Some(at));
            }
        }
        Ok(None)
    }
}

/// The number of whole sectors in a buffer of `len` bytes.
pub(crate) fn whole_sectors(len: usize) -> Result<u64, StoreError> {
    if len % SECTOR != 0 {
        return Err(StoreError::Unaligned { len });
    }
    u64::try_from(len / SECTOR).map_err(|_| StoreError::Unaligned { len })
}

/// Checks that `count` sectors from `index` stay addressable (their byte offsets fit in u64),
/// so the stores can compute offsets without overflow.
pub(crate) fn check_span(index: u64, count: u64) -> Result<(), StoreError> {
    let out_of_range = StoreError::OutOfRange { index, count };
    let end = index.checked_add(count).ok_or(out_of_range)?;
    end.checked_mul(SECTOR as u64)
        .map(|_| ())
        .ok_or(StoreError::OutOfRange { index, count })
}

/// The byte a sector repeats, when all its 2048 bytes are the same (a blank, a zero fill, a
/// pattern fill): such sectors cost one byte in [`HashOnlyStore`] and keep their data.
pub(crate) fn uniform_byte(sector: &[u8]) -> Option<u8> {
    let first = *sector.first()?;
    // Comparing against a filled array lets the compiler use memcmp, fast even in debug builds.
    let filled = [first; SECTOR];
    (sector == filled.get(..sector.len())?).then_some(first)
}

/// BLAKE3 of a sector of `SECTOR` copies of `byte`.
pub(crate) fn uniform_digest(byte: u8) -> [u8; 32] {
    *blake3::hash(&[byte; SECTOR]).as_bytes()
}
