//! The data phase: the stream read through the fifo and sent chunk by chunk, only the
//! sectors inside the block ranges when there are some; and the zeros of the CD post-gap.

use std::io::SeekFrom;
use std::time::Duration;

use mmc_core::Transport;
use tracing::debug;

use super::events::WriteAction;
use super::fifo::{self, FifoReader, Next, StreamError};
use super::plan::WritePlan;
use super::progress::Progress;
use super::properties;
use super::{BlockRange, Source, VerificationLevel, WriteOptions};
use crate::error::{ApiMisuse, Error};
use crate::manifest::DigestBuilder;
use crate::recorder::{Recorder, Timeouts, SECTOR};

/// `sectors` sectors of zeros at `lba`, `chunk` sectors per WRITE (the CD post-gap).
pub(super) fn write_zeros<T: Transport>(
    rec: &mut Recorder<T>,
    lba: i64,
    sectors: u64,
    chunk: u64,
    timeouts: &Timeouts,
) -> Result<(), Error> {
    let zeros = vec![0u8; chunk as usize * SECTOR];
    let mut done = 0u64;
    while done < sectors {
        let n = chunk.min(sectors - done);
        let data = zeros.get(..n as usize * SECTOR).unwrap_or(&[]);
        rec.write_blocks(lba + done as i64, data, false, timeouts)?;
        done += n;
    }
    Ok(())
}

/// The digests taken of the stream as it is written.
#[derive(Debug, Default)]
pub(super) struct Hashes {
    /// One per chunk written, for the verification of a stream read once.
    pub(super) verify: Vec<blake3::Hash>,
    /// The whole stream and its 16 MiB chunks, for the manifest.
    pub(super) manifest: DigestBuilder,
}

/// Sectors per WRITE at most: 64 KiB, a whole number of ECC blocks on DVD (16) and BD (32).
const CHUNK_SECTORS: usize = 32;

/// The fifo must fit in memory before anything is sent to the drive (a BD-RE would
/// otherwise be formatted first): E_OUTOFMEMORY, as IMAPI returns for its buffers.
pub(super) fn check_fifo_memory(fifo_bytes: usize) -> Result<(), Error> {
    let mut probe: Vec<u8> = Vec::new();
    probe
        .try_reserve_exact(fifo_bytes.saturating_add(2 * CHUNK_SECTORS * SECTOR))
        .map_err(|_| Error::OutOfMemory("the fifo between the image and the drive"))
}

/// How often the writer looks at the cancel flag while the source is slow to deliver.
const SOURCE_WAIT: Duration = Duration::from_millis(200);

/// The data phase: the stream written through the fifo as the plan says, chunk by chunk,
/// checking for cancel before each, with a BLAKE3 digest of each chunk kept in
/// `hashes.verify` when a stream read once is to be verified, and the data hashed into
/// `hashes.manifest`.
pub(super) fn write_data<T: Transport + Send>(
    rec: &mut Recorder<T>,
    source: &mut Source<'_>,
    plan: &WritePlan,
    ranges: Option<&[BlockRange]>,
    options: &WriteOptions,
    progress: &mut Progress<'_, '_>,
    hashes: &mut Hashes,
) -> Result<(), Error> {
    progress.enter(WriteAction::WritingData, rec);
    let keep_digests =
        options.verification != VerificationLevel::None && matches!(source, Source::Sequential(_));
    let Hashes { verify, manifest } = hashes;
    let mut digests = keep_digests.then_some(verify);
    if let Source::Seekable(s) = source {
        s.seek(SeekFrom::Start(0)).map_err(|e| Error::Fail {
            detail: format!("reading the image: {e}"),
            cause: None,
        })?;
    }
    let start_lba = plan.start_lba;
    let streaming = plan.streaming;
    let chunk_bytes = plan.chunk as usize * SECTOR;
    let (fifo, filler) = fifo::channels(options.fifo_bytes, chunk_bytes).ok_or(
        Error::OutOfMemory("the fifo between the image and the drive"),
    )?;
    progress.fifo_total = fifo.total_bytes();
    let length = plan.sectors.map(|s| s * SECTOR as u64);
    std::thread::scope(|scope| {
        // A file is read on a thread of the scope, joined at the end. A stream is read on a
        // thread of its own that is never waited for: after a cancel or a failure it may sit
        // in a read of a pipe that never delivers again, and the write must still end.
        let reader = match source {
            Source::Seekable(s) => Some(scope.spawn(move || filler.run(&mut **s, length))),
            Source::Sequential(s) => {
                let mut stream = std::mem::replace(s, Box::new(std::io::empty()));
                std::thread::Builder::new()
                    .name("discwriter-reader".into())
                    .spawn(move || filler.run(&mut *stream, length))
                    .map_err(|e| Error::Fail {
                        detail: format!("starting the thread that reads the image: {e}"),
                        cause: None,
                    })?;
                None
            }
        };
        let result = (|| {
            // WRITE (12) with the Streaming bit bypasses the drive's verify-after-write from
            // the first one on (MMC-6 6.45): the speed it records at is asked again then.
            let mut speed_to_ask = streaming;
            let cancel = progress.cancel.clone();
            fifo.prefill(&|| cancel.is_cancelled());
            debug!(target: "discwriter::write", "fifo: {} of {} bytes before the first WRITE", fifo.used_bytes(), fifo.total_bytes());
            loop {
                if progress.cancel.is_cancelled() {
                    return Err(Error::RequestCancelled {
                        last_written_lba: (progress.last_written >= start_lba)
                            .then_some(progress.last_written),
                    });
                }
                let chunk = match fifo.next(SOURCE_WAIT) {
                    Next::End => return Ok(()),
                    Next::Waiting => continue,
                    Next::Item(Ok(chunk)) => chunk,
                    // The image stopped because the write was cancelled (a reader that gives
                    // up on a cancel): the cancel is what the caller is told.
                    Next::Item(Err(_)) if progress.cancel.is_cancelled() => continue,
                    Next::Item(Err(e)) => return Err(stream_error(e)),
                };
                let n = (chunk.data.len() / SECTOR) as u64;
                let first = chunk.first_sector;
                if first + n > plan.limit {
                    // Only a stream of unknown length gets here (one of known length was
                    // measured against the free space before anything was written): the
                    // disc is filled, then the write stops.
                    let fits = plan.limit.saturating_sub(first);
                    if fits > 0 {
                        let part = chunk.data.get(..fits as usize * SECTOR).unwrap_or(&[]);
                        rec.write_blocks(
                            start_lba + first as i64,
                            part,
                            streaming,
                            &options.timeouts,
                        )?;
                        progress.last_written = start_lba + (first + fits) as i64 - 1;
                    }
                    note_read(progress, &fifo, first + n);
                    return Err(Error::StreamTooLargeForCurrentMedia {
                        needed: None,
                        free: plan.limit,
                    });
                }
                match ranges {
                    None => {
                        let lba = start_lba + first as i64;
                        let short = n % plan.pad_to;
                        if short == 0 {
                            rec.write_blocks(lba, &chunk.data, streaming, &options.timeouts)?
                        } else {
                            // The stream's last sectors, padded with zeros to a whole unit.
                            let mut padded = chunk.data.clone();
                            padded
                                .resize(padded.len() + (plan.pad_to - short) as usize * SECTOR, 0);
                            rec.write_blocks(lba, &padded, streaming, &options.timeouts)?
                        }
                    }
                    Some(ranges) => {
                        // Only the sectors inside the block ranges are sent.
                        for r in ranges {
                            let lo = r.start_lba.max(first);
                            let hi = r.end_lba.min(first + n - 1);
                            if lo > hi {
                                continue;
                            }
                            let from = (lo - first) as usize * SECTOR;
                            let to = (hi - first + 1) as usize * SECTOR;
                            let part = chunk.data.get(from..to).unwrap_or(&[]);
                            rec.write_blocks(
                                start_lba + lo as i64,
                                part,
                                streaming,
                                &options.timeouts,
                            )?;
                        }
                    }
                }
                if let Some(d) = digests.as_deref_mut() {
                    d.push(blake3::hash(&chunk.data));
                }
                if options.record_digest {
                    manifest.update(&chunk.data);
                }
                progress.last_written = start_lba + (first + n) as i64 - 1;
                if std::mem::take(&mut speed_to_ask) {
                    // A drive that does not answer keeps the speed it chose at the start.
                    if let Ok(Some((kbps, _))) = properties::current_write_speed(rec) {
                        progress.kbps = Some(kbps);
                    }
                }
                fifo.recycle(chunk.data);
                note_read(progress, &fifo, first + n);
                progress.tick(rec, &options.timeouts)?;
            }
        })();
        drop(fifo);
        if let Some(reader) = reader {
            let _ = reader.join();
        }
        result
    })
}

/// What the reader has taken from the stream by now, at least `sectors`: the chunks handed
/// over and those the fifo holds (IMAPI's LastReadLba and UsedSystemBuffer; for a stream of
/// unknown length, its sectors so far).
fn note_read(progress: &mut Progress<'_, '_>, fifo: &FifoReader, sectors: u64) {
    let read = fifo.sectors_read().max(sectors);
    if !progress.length_known {
        progress.sectors = read;
    }
    progress.last_read = progress.start_lba + read as i64 - 1;
    progress.fifo_used = fifo.used_bytes();
}

/// The error a stream that could not be read to its end is reported as.
fn stream_error(e: StreamError) -> Error {
    match e {
        StreamError::Io(e) => Error::Fail {
            detail: format!("reading the image: {e}"),
            cause: None,
        },
        StreamError::EndedEarly { bytes, expected } => Error::Fail {
            detail: format!(
                "the image ended after {bytes} bytes, before the {expected} bytes its size gave"
            ),
            cause: None,
        },
        StreamError::PartialSector { bytes } => Error::Api(ApiMisuse::StreamNotSupported { bytes }),
    }
}
