//! A sector store for tests that look inside what a medium wrote.
//!
//! virtdrive's own [`MemoryStore`](virtdrive::store::MemoryStore) keeps whole 64 KiB extents,
//! which is right for a drive and costly for a test that fills an 80-minute CD with zeros. This
//! store keeps each written sector on its own and all-zero sectors as a mark only, and its
//! clones share the sectors, so a test keeps one clone to inspect the store a medium owns.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use virtdrive::store::{SectorStore, StoreError, SECTOR};

/// One written sector: its bytes, or `None` for a sector of zeros.
type Written = Option<Box<[u8]>>;

#[derive(Debug, Default)]
struct Layers {
    committed: HashMap<u64, Written>,
    pending: HashMap<u64, Written>,
    /// Sectors written so far, counting every rewrite (to see how a medium writes).
    sector_writes: u64,
}

impl Layers {
    /// The sector as the medium sees it: uncommitted writes first. `None` when never written.
    fn current(&self, index: u64) -> Option<&Written> {
        self.pending
            .get(&index)
            .or_else(|| self.committed.get(&index))
    }
}

/// Sectors in memory with a volatile layer, as [`SectorStore`] describes; see the module
/// documentation. Clones share the sectors.
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

    /// A clone to hand to a medium.
    pub fn boxed(&self) -> Box<dyn SectorStore> {
        Box::new(self.clone())
    }

    /// The committed contents of one sector (zeros when never committed).
    pub fn committed(&self, index: u64) -> Vec<u8> {
        match self.lock().committed.get(&index) {
            Some(Some(data)) => data.to_vec(),
            _ => vec![0; SECTOR],
        }
    }

    /// Sectors written so far, every rewrite counted.
    pub fn sector_writes(&self) -> u64 {
        self.lock().sector_writes
    }

    fn lock(&self) -> MutexGuard<'_, Layers> {
        self.layers
            .lock()
            .expect("no test thread panicked holding the store")
    }
}

impl SectorStore for MemStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        if out.len() % SECTOR != 0 {
            return Err(StoreError::Unaligned { len: out.len() });
        }
        let l = self.lock();
        for (i, chunk) in out.chunks_mut(SECTOR).enumerate() {
            let at = index + i as u64;
            match l.current(at) {
                Some(_) if self.digest_only => {
                    return Err(StoreError::DataNotRetained { index: at })
                }
                Some(Some(data)) => chunk.copy_from_slice(data),
                Some(None) | None => chunk.fill(0),
            }
        }
        Ok(())
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        if data.len() % SECTOR != 0 {
            return Err(StoreError::Unaligned { len: data.len() });
        }
        let mut l = self.lock();
        for (i, chunk) in data.chunks(SECTOR).enumerate() {
            let value = chunk.iter().any(|b| *b != 0).then(|| chunk.into());
            l.pending.insert(index + i as u64, value);
            l.sector_writes += 1;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let mut l = self.lock();
        let pending = std::mem::take(&mut l.pending);
        l.committed.extend(pending);
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        self.lock().pending.clear();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        let mut out = [0; SECTOR];
        if let Some(Some(data)) = self.lock().current(index) {
            out.copy_from_slice(data);
        }
        Ok(*blake3::hash(&out).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_sees_commits_and_counts_writes() {
        let store = MemStore::new();
        let mut medium = store.boxed();
        medium.write(3, &[7; SECTOR]).unwrap();
        medium.write(4, &[0; SECTOR]).unwrap();
        assert_eq!(store.committed(3), vec![0; SECTOR]);
        medium.commit().unwrap();
        assert_eq!(store.committed(3), vec![7; SECTOR]);
        assert_eq!(store.sector_writes(), 2);
        medium.write(3, &[9; SECTOR]).unwrap();
        medium.discard_uncommitted();
        let mut out = [1; SECTOR];
        medium.read(3, &mut out).unwrap();
        assert_eq!(out, [7; SECTOR]);
    }

    #[test]
    fn a_digest_only_store_refuses_to_read_written_sectors() {
        let mut store = MemStore::digest_only();
        store.write(0, &[0; SECTOR]).unwrap();
        let mut out = [0; SECTOR];
        assert!(matches!(
            store.read(0, &mut out),
            Err(StoreError::DataNotRetained { index: 0 })
        ));
        assert!(store.read(1, &mut out).is_ok());
        assert_eq!(
            store.digest(0).unwrap(),
            *blake3::hash(&[0; SECTOR]).as_bytes()
        );
    }
}
