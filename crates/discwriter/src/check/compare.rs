//! The comparison of what a check read with an image (sector by sector) or with a
//! manifest's digests (16 MiB chunk by chunk).

use std::io::Read;

use serde::Serialize;

use super::Reference;
use crate::manifest::{ChunkHasher, ImageDigest, CHUNK_SECTORS};
use crate::recorder::SECTOR;
use crate::Error;

/// How the sectors read compare with the reference. A sector that could not be read counts
/// as zeros.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// `image` or `manifest`.
    pub reference: &'static str,
    /// The first sector that differs from the image (an image only: a manifest knows the
    /// chunk, not the sector).
    pub first_differing_lba: Option<u32>,
    /// The 16 MiB chunks (0 is the one at the area's start) that differ.
    pub differing_chunks: Vec<u64>,
    /// The area's first LBA, to name a chunk's sectors.
    pub start: u32,
    /// The runs of sectors that differ from the image, as (first LBA, sectors).
    #[serde(skip)]
    image_runs: Vec<(u32, u32)>,
}

impl Comparison {
    /// Nothing differs.
    pub fn matched(&self) -> bool {
        self.first_differing_lba.is_none() && self.differing_chunks.is_empty()
    }

    /// The LBAs of chunk `n`: first and last.
    pub fn chunk_lbas(&self, n: u64) -> (u64, u64) {
        let first = u64::from(self.start) + n * CHUNK_SECTORS;
        (first, first + CHUNK_SECTORS - 1)
    }

    /// The sectors that differ as (first LBA, sectors): the exact runs against an image, the
    /// chunks against a manifest.
    pub fn differing_runs(&self) -> Vec<(u32, u32)> {
        if self.reference == "image" {
            return self.image_runs.clone();
        }
        self.differing_chunks
            .iter()
            .filter_map(|&n| {
                let (first, _) = self.chunk_lbas(n);
                Some((u32::try_from(first).ok()?, CHUNK_SECTORS as u32))
            })
            .collect()
    }

    /// One phrase for the summary line.
    pub fn summary(&self) -> String {
        if self.matched() {
            return format!("equal to the {}", self.reference);
        }
        let mut s = format!("differs from the {}", self.reference);
        if let Some(lba) = self.first_differing_lba {
            s.push_str(&format!(" from LBA {lba}"));
        }
        let chunks: Vec<String> = self
            .differing_chunks
            .iter()
            .map(|&n| {
                let (a, b) = self.chunk_lbas(n);
                format!("{n} (LBA {a}-{b})")
            })
            .collect();
        s.push_str(&format!(" in 16 MiB chunk(s) {}", chunks.join(", ")));
        s
    }
}

/// The comparison as the sectors arrive.
pub(super) struct Comparer<'a> {
    reference: Reference<'a>,
    start: u32,
    first_differing_lba: Option<u32>,
    differing_chunks: Vec<u64>,
    differing_runs: Vec<(u32, u32)>,
    /// The chunk being hashed (against a manifest), and the chunks compared so far.
    chunk: ChunkHasher,
    chunks_done: u64,
    expected: Vec<u8>,
}

impl<'a> Comparer<'a> {
    pub(super) fn new(reference: Reference<'a>, start: u32) -> Self {
        Comparer {
            reference,
            start,
            first_differing_lba: None,
            differing_chunks: Vec::new(),
            differing_runs: Vec::new(),
            chunk: ChunkHasher::default(),
            chunks_done: 0,
            expected: Vec::new(),
        }
    }

    /// The sectors read from `lba` on.
    pub(super) fn feed(&mut self, lba: u32, data: &[u8]) -> Result<(), Error> {
        match &mut self.reference {
            Reference::Image(image) => {
                self.expected.resize(data.len(), 0);
                let got = read_full(&mut **image, &mut self.expected)?;
                // Past the image's end, nothing matches.
                for (i, (read, want)) in data
                    .chunks(SECTOR)
                    .zip(self.expected.chunks(SECTOR))
                    .enumerate()
                {
                    let beyond = (i + 1) * SECTOR > got;
                    if beyond || read != want {
                        let at = lba + i as u32;
                        self.first_differing_lba.get_or_insert(at);
                        match self.differing_runs.last_mut() {
                            Some((first, n)) if *first + *n == at => *n += 1,
                            _ => self.differing_runs.push((at, 1)),
                        }
                        note_chunk(&mut self.differing_chunks, super::chunk_of(self.start, at));
                    }
                }
            }
            Reference::Digest(d) => {
                let (done, differing) = (&mut self.chunks_done, &mut self.differing_chunks);
                self.chunk
                    .update(data, &mut |hash| compare_chunk(d, done, differing, hash));
            }
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> Comparison {
        let reference = match &self.reference {
            Reference::Image(_) => "image",
            Reference::Digest(_) => "manifest",
        };
        if let Reference::Digest(d) = &self.reference {
            if let Some(last) = self.chunk.finish() {
                compare_chunk(d, &mut self.chunks_done, &mut self.differing_chunks, last);
            }
            // A manifest of more data than the area: its further chunks were not found.
            let expected = d.chunks.len() as u64;
            self.differing_chunks.extend(self.chunks_done..expected);
        }
        Comparison {
            reference,
            first_differing_lba: self.first_differing_lba,
            differing_chunks: self.differing_chunks,
            start: self.start,
            image_runs: self.differing_runs,
        }
    }
}

/// Compares the next chunk's `hash` with the manifest's digest of it: a chunk it does not
/// match (or does not have) joins `differing`.
fn compare_chunk(
    digest: &ImageDigest,
    done: &mut u64,
    differing: &mut Vec<u64>,
    hash: blake3::Hash,
) {
    let n = *done;
    let same = usize::try_from(n)
        .ok()
        .and_then(|i| digest.chunks.get(i))
        .is_some_and(|want| want.as_str() == hash.to_hex().as_str());
    if !same {
        note_chunk(differing, n);
    }
    *done += 1;
}

/// Adds chunk `n` to the list, once.
fn note_chunk(chunks: &mut Vec<u64>, n: u64) {
    if chunks.last() != Some(&n) {
        chunks.push(n);
    }
}

/// Reads until `buf` is full or the source ends; the bytes read.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> Result<usize, Error> {
    let mut got = 0;
    while got < buf.len() {
        let rest = buf.get_mut(got..).unwrap_or(&mut []);
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::Fail {
                    detail: format!("reading the image: {e}"),
                    cause: None,
                })
            }
        }
    }
    Ok(got)
}
