//! In-memory sector stores for the medium tests (the real stores live in `src/store/`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use virtdrive::store::{SectorStore, StoreError, SECTOR};

#[derive(Debug, Default)]
struct Layers {
    committed: HashMap<u64, Vec<u8>>,
    pending: HashMap<u64, Vec<u8>>,
    /// Sectors written so far, counting every rewrite (to see how a medium writes).
    sector_writes: u64,
}

/// A store in memory with a volatile layer, as the trait describes. Clones share the
/// sectors, so a test can look inside the store a medium owns.
#[derive(Debug, Clone, Default)]
pub struct MemStore {
    layers: Arc<Mutex<Layers>>,
    /// Reads answer `DataNotRetained` for written sectors, like a digest-only store.
    digest_only: bool,
}

impl MemStore {
    pub fn new() -> Self {
        MemStore::default()
    }

    /// A store that keeps digests only: written sectors cannot be read back.
    pub fn digest_only() -> Self {
        MemStore {
            digest_only: true,
            ..MemStore::default()
        }
    }

    pub fn boxed(&self) -> Box<dyn SectorStore> {
        Box::new(self.clone())
    }

    /// The committed contents of one sector (zeros when never committed).
    pub fn committed(&self, index: u64) -> Vec<u8> {
        let l = self.layers.lock().unwrap();
        l.committed.get(&index).cloned().unwrap_or(vec![0; SECTOR])
    }

    pub fn sector_writes(&self) -> u64 {
        self.layers.lock().unwrap().sector_writes
    }
}

impl SectorStore for MemStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        if out.len() % SECTOR != 0 {
            return Err(StoreError::Unaligned { len: out.len() });
        }
        let l = self.layers.lock().unwrap();
        for (i, chunk) in out.chunks_mut(SECTOR).enumerate() {
            let at = index + i as u64;
            match l.pending.get(&at).or_else(|| l.committed.get(&at)) {
                Some(_) if self.digest_only => {
                    return Err(StoreError::DataNotRetained { index: at })
                }
                Some(data) => chunk.copy_from_slice(data),
                None => chunk.fill(0),
            }
        }
        Ok(())
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        if data.len() % SECTOR != 0 {
            return Err(StoreError::Unaligned { len: data.len() });
        }
        let mut l = self.layers.lock().unwrap();
        for (i, chunk) in data.chunks(SECTOR).enumerate() {
            l.pending.insert(index + i as u64, chunk.to_vec());
            l.sector_writes += 1;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let mut l = self.layers.lock().unwrap();
        let pending = std::mem::take(&mut l.pending);
        l.committed.extend(pending);
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        self.layers.lock().unwrap().pending.clear();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        let mut out = vec![0; SECTOR];
        let l = self.layers.lock().unwrap();
        if let Some(d) = l.pending.get(&index).or_else(|| l.committed.get(&index)) {
            out.copy_from_slice(d);
        }
        Ok(*blake3::hash(&out).as_bytes())
    }
}

/// `n` sectors, each filled with its own byte `fill + i`.
pub fn sectors(fill: u8, n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| std::iter::repeat_n(fill.wrapping_add(i as u8), SECTOR))
        .collect()
}

/// Seconds as a virtual time.
pub fn secs(s: u64) -> virtdrive::clock::VirtualTime {
    virtdrive::clock::VirtualTime::from_micros(s * 1_000_000)
}
