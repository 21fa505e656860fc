//! The comparison of what a check read with an image (sector by sector) or with a
//! manifest's digests (16 MiB chunk by chunk).

use std::io::Read;

use serde::Serialize;

use super::Reference;
use crate::manifest::CHUNK_SECTORS;
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
    /// The chunk being hashed (against a manifest) and its sectors so far.
    chunk: blake3::Hasher,
    in_chunk: u64,
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
            chunk: blake3::Hasher::new(),
            in_chunk: 0,
            chunks_done: 0,
            expected: Vec::new(),
        }
    }

    fn note_chunk(&mut self, n: u64) {
        note_chunk(&mut self.differing_chunks, n);
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
            Reference::Digest(_) => {
                // As much as the chunk still takes in one update, not a sector at a time:
                // BLAKE3 hashes several of its 1 KiB chunks at once (SIMD) only when given
                // them together.
                let mut rest = data;
                while !rest.is_empty() {
                    let room = (CHUNK_SECTORS - self.in_chunk) as usize * SECTOR;
                    let (now, later) = rest.split_at(room.min(rest.len()));
                    self.chunk.update(now);
                    self.in_chunk += now.len().div_ceil(SECTOR) as u64;
                    if self.in_chunk >= CHUNK_SECTORS {
                        self.close_chunk();
                    }
                    rest = later;
                }
            }
        }
        Ok(())
    }

    fn close_chunk(&mut self) {
        let n = self.chunks_done;
        let hash = self.chunk.finalize().to_hex();
        let same = matches!(&self.reference, Reference::Digest(d) if usize::try_from(n)
            .ok()
            .and_then(|i| d.chunks.get(i))
            .is_some_and(|want| want.as_str() == hash.as_str()));
        if !same {
            self.note_chunk(n);
        }
        self.chunk.reset();
        self.in_chunk = 0;
        self.chunks_done += 1;
    }

    pub(super) fn finish(mut self) -> Comparison {
        let reference = match &self.reference {
            Reference::Image(_) => "image",
            Reference::Digest(_) => "manifest",
        };
        if let Reference::Digest(d) = &self.reference {
            let expected = d.chunks.len() as u64;
            if self.in_chunk > 0 {
                self.close_chunk();
            }
            // A manifest of more data than the area: its further chunks were not found.
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
