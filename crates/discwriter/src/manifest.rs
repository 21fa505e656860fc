//! A burn manifest: what a write recorded (medium, drive, session, sectors), with the BLAKE3
//! of the data and of each 16 MiB chunk, so a check years later can prove the disc still
//! holds it and say where it does not.
//!
//! The digests are taken while the data goes to the drive ([`ImageDigest`] in
//! [`crate::WriteOutcome`]): the image is read once.
//!
//! ```
//! use discwriter::manifest::{DigestBuilder, CHUNK_BYTES};
//!
//! let data = vec![7u8; CHUNK_BYTES as usize + 2048];
//! let mut digest = DigestBuilder::default();
//! digest.update(&data);
//! let digest = digest.finish();
//! assert_eq!(digest.blake3, blake3::hash(&data).to_hex().to_string());
//! assert_eq!(digest.chunks.len(), 2); // one whole 16 MiB chunk, one of a sector
//! ```

use std::time::SystemTime;

use mmc_core::{Profile, Transport};
use serde::{Deserialize, Serialize};

use crate::recorder::SECTOR;
use crate::writer::MediaPhysicalType;
use crate::{Error, Recorder, WriteOutcome};

/// The size of a manifest chunk: 16 MiB, 8192 sectors of 2048 bytes (the last chunk of an
/// image may be shorter).
pub const CHUNK_BYTES: u64 = 16 << 20;

/// Sectors in a manifest chunk.
pub const CHUNK_SECTORS: u64 = CHUNK_BYTES / SECTOR as u64;

/// The BLAKE3 of a stream of data and of each of its 16 MiB chunks, as lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageDigest {
    /// Bytes hashed.
    pub bytes: u64,
    /// BLAKE3 of all of them.
    pub blake3: String,
    /// BLAKE3 of each [`CHUNK_BYTES`] chunk, in order; the last one may be shorter.
    pub chunks: Vec<String>,
}

impl ImageDigest {
    /// The digest of `data` (for tests and small images: a writer hashes as it goes).
    pub fn of(data: &[u8]) -> Self {
        let mut b = DigestBuilder::default();
        b.update(data);
        b.finish()
    }
}

/// Hashes a stream as it passes, whole and by chunk.
#[derive(Debug, Clone, Default)]
pub struct DigestBuilder {
    whole: blake3::Hasher,
    chunk: ChunkHasher,
    bytes: u64,
    chunks: Vec<String>,
}

impl DigestBuilder {
    /// Adds the next bytes of the stream.
    pub fn update(&mut self, data: &[u8]) {
        self.whole.update(data);
        self.bytes += data.len() as u64;
        let chunks = &mut self.chunks;
        self.chunk
            .update(data, &mut |h| chunks.push(h.to_hex().to_string()));
    }

    /// The digest of everything given.
    pub fn finish(mut self) -> ImageDigest {
        if let Some(last) = self.chunk.finish() {
            self.chunks.push(last.to_hex().to_string());
        }
        ImageDigest {
            bytes: self.bytes,
            blake3: self.whole.finalize().to_hex().to_string(),
            chunks: self.chunks,
        }
    }
}

/// Cuts a stream into [`CHUNK_BYTES`] chunks and hashes each: what a manifest's chunk
/// digests are made of when it is written ([`DigestBuilder`]) and when a disc is checked
/// against it.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChunkHasher {
    chunk: blake3::Hasher,
    in_chunk: u64,
}

impl ChunkHasher {
    /// Hashes the next bytes; `done` hears the BLAKE3 of each chunk they complete, in order.
    /// As much of a chunk as `data` holds goes in one update: BLAKE3 hashes several of its
    /// 1 KiB blocks at once (SIMD) only when given them together.
    pub(crate) fn update(&mut self, mut data: &[u8], done: &mut dyn FnMut(blake3::Hash)) {
        while !data.is_empty() {
            let room = (CHUNK_BYTES - self.in_chunk) as usize;
            let (now, rest) = data.split_at(room.min(data.len()));
            self.chunk.update(now);
            self.in_chunk += now.len() as u64;
            if self.in_chunk == CHUNK_BYTES {
                done(self.chunk.finalize());
                self.chunk.reset();
                self.in_chunk = 0;
            }
            data = rest;
        }
    }

    /// The BLAKE3 of the last, shorter chunk, when the stream ended inside one.
    pub(crate) fn finish(&mut self) -> Option<blake3::Hash> {
        (self.in_chunk > 0).then(|| {
            let last = self.chunk.finalize();
            self.chunk.reset();
            self.in_chunk = 0;
            last
        })
    }
}

/// The medium written: its current profile (MMC-6 5.3.1, GET CONFIGURATION's Current
/// Profile) and IMAPI's IMAPI_MEDIA_PHYSICAL_TYPE name for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medium {
    /// The profile number (0041h for BD-R SRM).
    pub profile: u16,
    /// The profile's name ("BD-R").
    pub profile_name: String,
    /// IMAPI_MEDIA_PHYSICAL_TYPE's name ("IMAPI_MEDIA_TYPE_BDR").
    pub imapi_media_type: String,
}

/// The drive, as INQUIRY names it (SPC-4 6.6.2: T10 vendor identification, product
/// identification, product revision level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveIdentity {
    pub vendor: String,
    pub product: String,
    pub revision: String,
}

impl From<&crate::DriveInfo> for DriveIdentity {
    fn from(i: &crate::DriveInfo) -> Self {
        DriveIdentity {
            vendor: i.vendor.clone(),
            product: i.product.clone(),
            revision: i.revision.clone(),
        }
    }
}

/// The version of the manifest format this library writes.
pub const FORMAT: u32 = 1;

/// What one successful write recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    pub medium: Medium,
    pub drive: DriveIdentity,
    /// The session holding the data (1 is the first; rewritable media have one).
    pub session: u16,
    /// The LBA of the first sector written.
    pub start_lba: i64,
    /// Sectors of 2048 bytes written.
    pub sectors: u64,
    /// Bytes per chunk in [`ImageDigest::chunks`]: [`CHUNK_BYTES`].
    pub chunk_bytes: u64,
    /// The digests of the data written.
    pub data: ImageDigest,
    /// When the write started and ended, seconds since 1970-01-01 00:00 UTC.
    pub started_unix: u64,
    pub ended_unix: u64,
    /// Seconds the write took by the drive's clock (the emulator's virtual clock).
    pub elapsed_seconds: f64,
    /// The write speed the drive reported, in kB/s (1000 bytes), when it said.
    pub write_speed_kbps: Option<u32>,
}

impl Manifest {
    /// The manifest of the write that gave `outcome`, with what the drive says now (its
    /// INQUIRY identity, the current profile, the sessions READ DISC INFORMATION counts).
    /// `None` when the outcome holds no digest.
    pub fn of_write<T: Transport>(
        rec: &mut Recorder<T>,
        outcome: &WriteOutcome,
        (started, ended): (SystemTime, SystemTime),
        write_speed_kbps: Option<u32>,
    ) -> Result<Option<Self>, Error> {
        let Some(data) = outcome.data.clone() else {
            return Ok(None);
        };
        let summary = rec.disc_summary()?;
        let media = MediaPhysicalType::from_profile(Profile::from_u16(summary.profile_code));
        let unix = |t: SystemTime| {
            t.duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        };
        Ok(Some(Manifest {
            format: FORMAT,
            medium: Medium {
                profile: summary.profile_code,
                profile_name: summary.profile.clone(),
                imapi_media_type: media.imapi_name().to_string(),
            },
            drive: rec.info().into(),
            // The session a write-once write closed is the last closed one (READ DISC
            // INFORMATION, MMC-6 6.22.3.1); overwritable media hold one.
            session: summary.sessions.max(1),
            start_lba: outcome.start_lba,
            sectors: outcome.sectors,
            chunk_bytes: CHUNK_BYTES,
            data,
            started_unix: unix(started),
            ended_unix: unix(ended),
            elapsed_seconds: outcome.elapsed_time,
            write_speed_kbps,
        }))
    }

    /// The manifest as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a manifest from JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_16_mib_and_the_last_is_shorter() {
        let data: Vec<u8> = (0..(2 * CHUNK_BYTES + 3 * 2048))
            .map(|i| (i % 251) as u8)
            .collect();
        let mut b = DigestBuilder::default();
        // Fed in uneven pieces, as a fifo hands them over.
        for piece in data.chunks(65536 * 3 + 2048) {
            b.update(piece);
        }
        let d = b.finish();
        assert_eq!(d.bytes, data.len() as u64);
        assert_eq!(d.blake3, blake3::hash(&data).to_hex().to_string());
        let want: Vec<String> = data
            .chunks(CHUNK_BYTES as usize)
            .map(|c| blake3::hash(c).to_hex().to_string())
            .collect();
        assert_eq!(d.chunks, want);
        assert_eq!(d.chunks.len(), 3);
    }

    #[test]
    fn an_exact_multiple_has_no_empty_last_chunk() {
        let d = ImageDigest::of(&vec![1u8; CHUNK_BYTES as usize]);
        assert_eq!(d.chunks.len(), 1);
        assert!(ImageDigest::of(&[]).chunks.is_empty());
    }
}
