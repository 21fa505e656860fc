//! A store that keeps what identifies each sector, not the sector: a full 25 GB BD-RE can be
//! written and checked without 25 GB of memory.
//!
//! ## What is kept, and why
//!
//! Per sector, either the byte it repeats (a sector of one byte value: blanks, zero fills,
//! pattern fills), which costs nothing more and reads back, or the full 32-byte BLAKE3 of its
//! 2048 bytes, which is all that [`SectorStore::digest`] promises and cannot be read back
//! ([`StoreError::DataNotRetained`]).
//!
//! Sectors are grouped by clusters of 32 (a BD cluster, 64 KiB of data): a cluster record holds
//! 32 two-byte content codes and, only once one of its sectors is not uniform, a block of 32
//! digests. A cluster written with real data costs about 1.1 KiB, so a full single-layer BD-RE
//! (381,856 clusters) costs about 430 MB, and a disc of mostly uniform sectors next to nothing.
//!
//! The alternatives were weighed: a digest per cluster (32 bytes per 64 KiB) would cost 12 MB
//! but could not answer the digest of one sector, which the contract asks for and the
//! read-modify-write of partial clusters needs; digests cut to 16 bytes would halve the memory
//! but would no longer be the BLAKE3 that callers compare with. Per-sector hashing runs at
//! about 1.7 GB/s on one core of the project machine (release build), so the full disc hashes
//! in about 15 s: cluster-sized hashing was not needed for speed.
//!
//! Uncommitted writes go to a second map of clusters with a mask of the sectors they wrote;
//! a commit moves whole clusters over where it can and merges the others sector by sector.
//!
//! Measured (`cargo run --release -p virtdrive --example hash_only_full_bd_re`): a full
//! BD-RE of distinct sectors in about 16 s, peak memory of the process 425 MiB.

use core::fmt;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::{check_span, uniform_byte, uniform_digest, whole_sectors};
use super::{SectorStore, StoreError, SECTOR};

/// Sectors in one cluster record.
const CLUSTER_SECTORS: u64 = 32;
/// The content code of a sector kept only as a digest; codes 0 to 255 are a repeated byte.
const DIGEST_ONLY: u16 = 0x100;

/// What 32 consecutive sectors hold.
#[derive(Clone)]
struct Cluster {
    /// Per sector: the byte it repeats (0-255), or [`DIGEST_ONLY`].
    content: [u16; CLUSTER_SECTORS as usize],
    /// In the uncommitted layer, bit `n` set: sector `n` was written since the last commit
    /// (the others hold zeros and are not meant). Not used in the committed layer.
    written: u32,
    /// Per sector, meaningful where the content is [`DIGEST_ONLY`]; allocated on first need.
    digests: Option<Box<[[u8; 32]; CLUSTER_SECTORS as usize]>>,
}

impl Cluster {
    /// 32 sectors of zeros: what a never-written cluster holds.
    const BLANK: Cluster = Cluster {
        content: [0; CLUSTER_SECTORS as usize],
        written: 0,
        digests: None,
    };

    fn set(&mut self, slot: usize, sector: &[u8]) {
        let code = match uniform_byte(sector) {
            Some(byte) => u16::from(byte),
            None => {
                let digests = self
                    .digests
                    .get_or_insert_with(|| Box::new([[0; 32]; CLUSTER_SECTORS as usize]));
                if let Some(d) = digests.get_mut(slot) {
                    *d = *blake3::hash(sector).as_bytes();
                }
                DIGEST_ONLY
            }
        };
        if let Some(c) = self.content.get_mut(slot) {
            *c = code;
        }
    }

    /// Copies sector `slot` of `other` into this cluster.
    fn take_sector(&mut self, slot: usize, other: &Cluster) {
        let code = other.content.get(slot).copied().unwrap_or(0);
        if code == DIGEST_ONLY {
            let digest = other
                .digests
                .as_ref()
                .and_then(|d| d.get(slot))
                .copied()
                .unwrap_or_default();
            let digests = self
                .digests
                .get_or_insert_with(|| Box::new([[0; 32]; CLUSTER_SECTORS as usize]));
            if let Some(d) = digests.get_mut(slot) {
                *d = digest;
            }
        }
        if let Some(c) = self.content.get_mut(slot) {
            *c = code;
        }
    }

    fn sector(&self, slot: usize) -> Sector {
        match self.content.get(slot).copied().unwrap_or(0) {
            DIGEST_ONLY => Sector::DigestOnly(
                self.digests
                    .as_ref()
                    .and_then(|d| d.get(slot))
                    .copied()
                    .unwrap_or_default(),
            ),
            code => Sector::Uniform(u8::try_from(code).unwrap_or(0)),
        }
    }
}

/// What the store knows of one sector.
#[derive(Debug, Clone, Copy)]
enum Sector {
    Uniform(u8),
    DigestOnly([u8; 32]),
}

/// A disc's sectors as digests; see the module documentation.
#[derive(Default)]
pub struct HashOnlyStore {
    committed: HashMap<u64, Cluster>,
    pending: HashMap<u64, Cluster>,
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
        let cluster = index / CLUSTER_SECTORS;
        let slot = (index % CLUSTER_SECTORS) as usize;
        if let Some(p) = self.pending.get(&cluster) {
            if p.written & (1 << slot) != 0 {
                return p.sector(slot);
            }
        }
        match self.committed.get(&cluster) {
            Some(c) => c.sector(slot),
            None => Sector::Uniform(0),
        }
    }
}

impl fmt::Debug for HashOnlyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashOnlyStore")
            .field("committed_clusters", &self.committed.len())
            .field("pending_clusters", &self.pending.len())
            .finish()
    }
}

impl SectorStore for HashOnlyStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        check_span(index, whole_sectors(out.len())?)?;
        for (sector_index, sector) in (index..).zip(out.chunks_exact_mut(SECTOR)) {
            match self.sector(sector_index) {
                Sector::Uniform(byte) => sector.fill(byte),
                Sector::DigestOnly(_) => {
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
        let mut current: Option<(u64, &mut Cluster)> = None;
        for (sector_index, sector) in (index..).zip(data.chunks_exact(SECTOR)) {
            let cluster = sector_index / CLUSTER_SECTORS;
            let slot = (sector_index % CLUSTER_SECTORS) as usize;
            // One map lookup per cluster, not per sector.
            let pending = match current.take() {
                Some((number, p)) if number == cluster => p,
                _ => self.pending.entry(cluster).or_insert(Cluster::BLANK),
            };
            pending.set(slot, sector);
            pending.written |= 1 << slot;
            current = Some((cluster, pending));
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        // The first commit of a disc written whole: the layer becomes the committed one as it
        // is, without a second map alive at the same time (which would add 40 MB on a BD-RE).
        if self.committed.is_empty() {
            core::mem::swap(&mut self.committed, &mut self.pending);
            return Ok(());
        }
        for (number, pending) in self.pending.drain() {
            match self.committed.entry(number) {
                // Sectors the layer did not write hold zeros, as a cluster never written does.
                Entry::Vacant(vacant) => {
                    vacant.insert(pending);
                }
                Entry::Occupied(mut occupied) if pending.written == u32::MAX => {
                    occupied.insert(pending);
                }
                Entry::Occupied(mut occupied) => {
                    let committed = occupied.get_mut();
                    for slot in 0..CLUSTER_SECTORS as usize {
                        if pending.written & (1 << slot) != 0 {
                            committed.take_sector(slot, &pending);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        self.pending.clear();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        check_span(index, 1)?;
        Ok(match self.sector(index) {
            Sector::Uniform(byte) => uniform_digest(byte),
            Sector::DigestOnly(digest) => digest,
        })
    }
}
