//! A store that keeps what identifies each sector, not the sector: a whole 100 GB BD-R XL
//! can be written and verified in a bounded amount of memory.
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
//! it wrote. The alternatives were weighed: a BLAKE3 per sector (32 bytes per sector) cost
//! 425 MiB for a full BD-RE and hashed at 1.7 GB/s; one strong hash per written run or per
//! cluster costs next to nothing but cannot verify the rest of a run or a cluster once part
//! of it is rewritten, since the old contents of the rewritten part are gone. CRC-32 with
//! carry-less multiplication (`crc32fast`) runs at memory speed.
//!
//! Sectors are grouped in pages of 4096 (8 MiB of disc): a page is three flat arrays (the
//! values, a uniform bit and a written bit per sector), 17 KiB, so a disc costs 4.25 bytes per
//! written sector and no per-sector allocation. Uncommitted writes go to a second map of
//! pages whose written bits say which sectors they replace; the first commit of a disc
//! written whole takes that map over as it is, later ones merge the written sectors into the
//! committed pages.
//!
//! ## Bounded memory
//!
//! 4.25 bytes per sector is 200 MiB for a 100 GB disc, and per-sector verification through
//! any rewrite cannot take much less (a CRC-32 is the least that tells sectors apart), so the
//! pages do not all stay in memory: both layers' pages live in a cache of at most
//! `cache_pages` pages ([`DEFAULT_CACHE_PAGES`], 16 MiB, 7.5 GB of disc, by default), least
//! recently used first out, written back when changed to an unlinked temporary file in
//! `TMPDIR` (or the directory given to [`HashOnlyStore::with_cache`]). A disc writes and
//! verifies sequentially, page after page, so a cache of any size serves it with one page
//! write and at most one page read per 8 MiB of disc.
//!
//! The file holds pages by slot, not by disc position: a page is given a slot when first
//! written, and slots freed by a commit's merge or a discard are reused, so the file is as
//! large as the pages written (200 MiB for a whole BD-R XL) wherever they lie on the disc, and
//! pages never written cost nothing anywhere (they read as zeros). A small disc, whose pages
//! fit the cache, never creates the file. (With `TMPDIR` on a tmpfs the file is memory too,
//! the kernel's rather than the process's.) An error of the file (no such directory, a full
//! disk) is a [`StoreError::Io`] from the call that needed it; the page it concerned stays in
//! memory, so the store stays consistent and the call can be retried.
//!
//! Measured (`cargo run --release -p virtdrive --example hash_only_full_bd_re`, and
//! `discwriter write` of a whole BD-R XL): see docs/benchmarks.md.

use core::cell::RefCell;
use core::fmt;
use std::collections::HashMap;
use std::path::PathBuf;

use super::{check_span, uniform_digest, whole_sectors};
use super::{SectorStore, StoreError, SECTOR};

mod page;
mod page_file;

use page::{Page, Sector, PAGE_BYTES, PAGE_SECTORS};
use page_file::{PageFile, Slot};

/// Pages a [`HashOnlyStore::new`] keeps in memory at most: 16 MiB of pages, 7.5 GB of disc.
pub const DEFAULT_CACHE_PAGES: usize = (16 << 20) / PAGE_BYTES;

/// A disc's sectors as CRC-32s; see the module documentation.
pub struct HashOnlyStore {
    /// Page number (sector index / 4096) to slot, for what was committed.
    committed: HashMap<u64, Slot>,
    /// The same for the writes since the last commit.
    pending: HashMap<u64, Slot>,
    /// Reads and verifications take `&self` but may bring a page into the cache.
    pages: RefCell<PageFile>,
}

impl Default for HashOnlyStore {
    fn default() -> Self {
        HashOnlyStore::new()
    }
}

/// The pages a run of `count` sectors from `index` touches: (page number, first slot in the
/// page, sectors in the page).
fn page_runs(index: u64, count: u64) -> impl Iterator<Item = (u64, usize, usize)> {
    let end = index.saturating_add(count);
    let mut at = index;
    core::iter::from_fn(move || {
        if at >= end {
            return None;
        }
        let page = at / PAGE_SECTORS;
        let first = at % PAGE_SECTORS;
        let len = (PAGE_SECTORS - first).min(end - at);
        at += len;
        Some((page, first as usize, len as usize))
    })
}

impl HashOnlyStore {
    /// Sectors in one page of the store.
    pub const PAGE_SECTORS: u64 = PAGE_SECTORS;

    /// An empty store (every sector reads as zeros) with the default cache, spilling to a
    /// temporary file in `TMPDIR` when its pages outgrow it.
    pub fn new() -> Self {
        HashOnlyStore::with_cache(DEFAULT_CACHE_PAGES, std::env::temp_dir())
    }

    /// An empty store keeping at most `cache_pages` pages (at least one) in memory, the rest
    /// in an unlinked temporary file created in `temp_dir` when first needed.
    pub fn with_cache(cache_pages: usize, temp_dir: impl Into<PathBuf>) -> Self {
        HashOnlyStore {
            committed: HashMap::new(),
            pending: HashMap::new(),
            pages: RefCell::new(PageFile::new(cache_pages, temp_dir.into())),
        }
    }

    /// Whether writes are waiting for a commit.
    pub fn has_uncommitted(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Pages held in memory now (at most the cache's size).
    pub fn resident_pages(&self) -> usize {
        self.pages.borrow().resident()
    }

    /// Pages written to the temporary file so far (0 while everything fits the cache).
    pub fn pages_written_back(&self) -> u64 {
        self.pages.borrow().written_back()
    }

    /// The temporary file's size at most, in pages of 17 KiB: the most pages both layers
    /// held at once (freed pages are reused).
    pub fn file_pages(&self) -> u64 {
        self.pages.borrow().slots()
    }

    /// Calls `f` on each of `count` sectors from `index` as the store knows it, committed or
    /// not, until it returns `Some`.
    fn find<T>(
        &self,
        index: u64,
        count: u64,
        mut f: impl FnMut(u64, Sector) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        let mut pages = self.pages.borrow_mut();
        let mut run = Vec::new();
        for (number, first, len) in page_runs(index, count) {
            run.clear();
            match self.committed.get(&number) {
                Some(&slot) => {
                    let page = pages.get(slot)?;
                    run.extend((first..first + len).map(|k| page.sector(k)));
                }
                None => run.resize(len, Sector::Uniform(0)),
            }
            if let Some(&slot) = self.pending.get(&number) {
                let page = pages.get(slot)?;
                for (k, sector) in (first..).zip(run.iter_mut()) {
                    if page.is_written(k) {
                        *sector = page.sector(k);
                    }
                }
            }
            let base = number * PAGE_SECTORS + first as u64;
            if let Some(found) = (base..).zip(run.iter()).find_map(|(i, &s)| f(i, s)) {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

impl fmt::Debug for HashOnlyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashOnlyStore")
            .field("committed_pages", &self.committed.len())
            .field("pending_pages", &self.pending.len())
            .field("resident_pages", &self.resident_pages())
            .finish()
    }
}

impl SectorStore for HashOnlyStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        let count = whole_sectors(out.len())?;
        check_span(index, count)?;
        let mut sectors = out.chunks_exact_mut(SECTOR);
        let not_retained = self.find(index, count, |i, sector| match sector {
            Sector::Uniform(byte) => {
                if let Some(out) = sectors.next() {
                    out.fill(byte);
                }
                None
            }
            Sector::Crc(_) => Some(i),
        })?;
        match not_retained {
            Some(index) => Err(StoreError::DataNotRetained { index }),
            None => Ok(()),
        }
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        let count = whole_sectors(data.len())?;
        check_span(index, count)?;
        let pages = self.pages.get_mut();
        let mut sectors = data.chunks_exact(SECTOR);
        for (number, first, len) in page_runs(index, count) {
            let slot = match self.pending.get(&number) {
                Some(&slot) => slot,
                None => {
                    let slot = pages.allocate()?;
                    self.pending.insert(number, slot);
                    slot
                }
            };
            let page = pages.get_mut(slot)?;
            for (k, sector) in (first..first + len).zip(sectors.by_ref()) {
                page.write(k, Sector::of(sector));
            }
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        // The first commit of a disc written whole: the layer becomes the committed one as it
        // is. Sectors the layer did not write hold zeros there, as a page never written does.
        if self.committed.is_empty() {
            core::mem::swap(&mut self.committed, &mut self.pending);
            return Ok(());
        }
        let pages = self.pages.get_mut();
        let numbers: Vec<u64> = self.pending.keys().copied().collect();
        // Page by page, each page leaving the uncommitted layer once merged: after an error
        // the pages not yet merged are still uncommitted, and a retry goes on with them.
        for number in numbers {
            let Some(&pending) = self.pending.get(&number) else {
                continue;
            };
            match self.committed.get(&number).copied() {
                None => {
                    self.committed.insert(number, pending);
                }
                Some(committed) => {
                    let page = pages.get(pending)?;
                    if page.wholly_written() {
                        self.committed.insert(number, pending);
                        pages.release(committed);
                    } else {
                        let written: Page = page.clone();
                        pages.get_mut(committed)?.take_written(&written);
                        pages.release(pending);
                    }
                }
            }
            self.pending.remove(&number);
        }
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        let pages = self.pages.get_mut();
        for (_, slot) in self.pending.drain() {
            pages.release(slot);
        }
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        check_span(index, 1)?;
        match self.find(index, 1, |_, sector| Some(sector))? {
            Some(Sector::Uniform(byte)) => Ok(uniform_digest(byte)),
            Some(Sector::Crc(_)) | None => Err(StoreError::DataNotRetained { index }),
        }
    }

    fn verify(&self, index: u64, expected: &[u8]) -> Result<Option<u64>, StoreError> {
        let count = whole_sectors(expected.len())?;
        check_span(index, count)?;
        let mut sectors = expected.chunks_exact(SECTOR);
        self.find(index, count, |i, sector| match sectors.next() {
            Some(data) if sector.matches(data) => None,
            _ => Some(i),
        })
    }
}
