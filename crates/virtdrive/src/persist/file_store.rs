//! Sectors in a disc file on disk, as a [`SectorStore`]; the file format and its atomic
//! commits are in the [module documentation](super), and [`DiscFile`] opens this store.

use std::sync::{Arc, Mutex};

use super::{lock, DiscFile, OpenDisc};
use crate::store::{SectorStore, StoreError, SECTOR};

/// A disc's sectors kept in its disc file.
///
/// Writes land in the disc's journal; [`SectorStore::commit`] marks them synchronized, and
/// [`DiscFile::commit`] makes the synchronized ones durable together with the disc's state.
/// A process that dies before that loses them, as a drive losing power loses its cache.
#[derive(Debug)]
pub struct FileStore {
    disc: Arc<Mutex<OpenDisc>>,
}

impl FileStore {
    pub(crate) fn new(disc: Arc<Mutex<OpenDisc>>) -> Self {
        FileStore { disc }
    }

    /// The handle for committing the disc this store belongs to.
    pub fn disc_file(&self) -> DiscFile {
        DiscFile::from_shared(self.disc.clone())
    }
}

impl SectorStore for FileStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        lock(&self.disc).read(index, out)
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        lock(&self.disc).write(index, data)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        lock(&self.disc).synchronize();
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        lock(&self.disc).discard_pending();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        let mut sector = [0u8; SECTOR];
        self.read(index, &mut sector)?;
        Ok(*blake3::hash(&sector).as_bytes())
    }
}
