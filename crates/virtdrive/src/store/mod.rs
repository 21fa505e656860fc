//! Where the sectors of a virtual disc live.
//!
//! A [`SectorStore`] holds 2048-byte sectors by index (0-based, the medium maps LBAs to
//! indexes). Writes land in a volatile layer, as in a drive's cache: [`SectorStore::commit`]
//! (SYNCHRONIZE CACHE, CLOSE) makes them durable, [`SectorStore::discard_uncommitted`] (power
//! loss) drops them. Sectors never written read as zeros.

use core::fmt;

/// Bytes in one sector.
pub const SECTOR: usize = 2048;

/// Why a store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store keeps digests only; the data of this sector cannot be read back.
    #[error("sector {index} was stored as a digest only; its data cannot be read back")]
    DataNotRetained { index: u64 },
    /// A buffer that is not a whole number of sectors.
    #[error("{len} bytes is not a whole number of 2048-byte sectors")]
    Unaligned { len: usize },
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
    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError>;
}
