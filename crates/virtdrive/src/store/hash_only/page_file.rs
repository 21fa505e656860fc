//! The hash-only store's pages: a bounded cache in memory over an unlinked temporary file.
//!
//! Every page has a slot, a number that names it in the cache and, once it has been written
//! back, its place in the file (`slot × PAGE_BYTES`). A slot is in the cache or in the file,
//! never lost: a page leaves the cache only after it is written back (or unchanged since it
//! was read), and a failed write-back leaves it in the cache and reports the error. The file
//! is created at the first write-back, so a store whose pages all fit the cache never has
//! one. Freed slots (pages merged or dropped at a commit or a discard) are reused, so the
//! file holds about as many pages as the disc has written ones.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::super::StoreError;
use super::page::{Page, PAGE_BYTES};

/// A page's name in the cache and its place in the file.
pub(super) type Slot = u64;

struct Cached {
    page: Page,
    /// Changed since it was last written to (or read from) the file.
    dirty: bool,
    /// When it was last used (a count of uses): the least recently used page goes first.
    used: u64,
}

/// The pages of both layers, by slot.
pub(super) struct PageFile {
    cache: HashMap<Slot, Cached>,
    /// Pages the cache holds at most.
    capacity: usize,
    uses: u64,
    /// Created at the first write-back, in `dir`.
    file: Option<File>,
    dir: PathBuf,
    free: Vec<Slot>,
    next: Slot,
    /// Pages written back to the file so far.
    written_back: u64,
    buf: Vec<u8>,
}

impl PageFile {
    /// At most `capacity` pages in memory (at least one); the file goes in `dir`.
    pub(super) fn new(capacity: usize, dir: PathBuf) -> Self {
        PageFile {
            cache: HashMap::new(),
            capacity: capacity.max(1),
            uses: 0,
            file: None,
            dir,
            free: Vec::new(),
            next: 0,
            written_back: 0,
            buf: Vec::new(),
        }
    }

    /// Pages held in memory now.
    pub(super) fn resident(&self) -> usize {
        self.cache.len()
    }

    /// Pages written back to the file so far.
    pub(super) fn written_back(&self) -> u64 {
        self.written_back
    }

    /// Slots ever given out: the file holds at most this many pages.
    pub(super) fn slots(&self) -> u64 {
        self.next
    }

    /// A new slot holding a blank page.
    pub(super) fn allocate(&mut self) -> Result<Slot, StoreError> {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.next += 1;
            self.next - 1
        });
        self.uses += 1;
        self.cache.insert(
            slot,
            Cached {
                page: Page::blank(),
                dirty: true,
                used: self.uses,
            },
        );
        if let Err(e) = self.make_room(slot) {
            // The slot was never used: give it back, so the store is as it was.
            self.release(slot);
            return Err(e);
        }
        Ok(slot)
    }

    /// Drops a slot's page: it is free for the next allocation.
    pub(super) fn release(&mut self, slot: Slot) {
        self.cache.remove(&slot);
        self.free.push(slot);
    }

    /// The page of `slot`, read from the file if needed.
    pub(super) fn get(&mut self, slot: Slot) -> Result<&Page, StoreError> {
        Ok(&self.cached(slot)?.page)
    }

    /// The page of `slot` to change.
    pub(super) fn get_mut(&mut self, slot: Slot) -> Result<&mut Page, StoreError> {
        let cached = self.cached(slot)?;
        cached.dirty = true;
        Ok(&mut cached.page)
    }

    fn cached(&mut self, slot: Slot) -> Result<&mut Cached, StoreError> {
        self.uses += 1;
        let uses = self.uses;
        if let Some(c) = self.cache.get_mut(&slot) {
            c.used = uses;
        } else {
            let page = self.load(slot)?;
            self.cache.insert(
                slot,
                Cached {
                    page,
                    dirty: false,
                    used: uses,
                },
            );
            self.make_room(slot)?;
        }
        self.cache.get_mut(&slot).ok_or_else(|| {
            io_error(
                &self.dir,
                std::io::Error::other(format!("page slot {slot} is missing")),
            )
        })
    }

    /// Writes back and drops the least recently used pages but `keep` until the cache holds
    /// no more than its capacity.
    fn make_room(&mut self, keep: Slot) -> Result<(), StoreError> {
        while self.cache.len() > self.capacity {
            let Some(victim) = self
                .cache
                .iter()
                .filter(|(&slot, _)| slot != keep)
                .min_by_key(|(_, c)| c.used)
                .map(|(&slot, _)| slot)
            else {
                return Ok(());
            };
            if self.cache.get(&victim).is_some_and(|c| c.dirty) {
                self.write_back(victim)?;
            }
            self.cache.remove(&victim);
        }
        Ok(())
    }

    fn write_back(&mut self, slot: Slot) -> Result<(), StoreError> {
        let Some(cached) = self.cache.get(&slot) else {
            return Ok(());
        };
        cached.page.to_bytes(&mut self.buf);
        let offset = offset(slot, &self.dir)?;
        let file = match &mut self.file {
            Some(file) => file,
            None => self
                .file
                .insert(tempfile::tempfile_in(&self.dir).map_err(|e| io_error(&self.dir, e))?),
        };
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.write_all(&self.buf))
            .map_err(|e| io_error(&self.dir, e))?;
        self.written_back += 1;
        Ok(())
    }

    fn load(&mut self, slot: Slot) -> Result<Page, StoreError> {
        let offset = offset(slot, &self.dir)?;
        let Some(file) = &mut self.file else {
            return Err(io_error(
                &self.dir,
                std::io::Error::other(format!("page slot {slot} was never written back")),
            ));
        };
        self.buf.resize(PAGE_BYTES, 0);
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut self.buf))
            .map_err(|e| io_error(&self.dir, e))?;
        Page::from_bytes(&self.buf).ok_or_else(|| {
            io_error(
                &self.dir,
                std::io::Error::other(format!("page slot {slot} is short")),
            )
        })
    }
}

fn offset(slot: Slot, dir: &std::path::Path) -> Result<u64, StoreError> {
    slot.checked_mul(PAGE_BYTES as u64).ok_or_else(|| {
        io_error(
            dir,
            std::io::Error::other(format!("page slot {slot} lies beyond any file offset")),
        )
    })
}

fn io_error(dir: &std::path::Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: format!(
            "the hash-only store's page file (a temporary file in {})",
            dir.display()
        ),
        source,
    }
}
