//! Burn verification (IBurnVerification): read back and compare with the stream (or with
//! digests of it taken while writing, for a stream that cannot be read twice).

use std::io::SeekFrom;
use std::time::Duration;

use mmc_core::Transport;

use super::events::WriteAction;
use super::progress::Progress;
use super::{BlockRange, ReadSeek, Source, VerificationLevel, WriteOptions};

/// What the disc is compared with.
enum Reference<'a> {
    /// The stream itself, read again.
    Source(&'a mut (dyn ReadSeek + Send)),
    /// A BLAKE3 digest of each chunk of the write's chunk size, in order, taken as it was
    /// written.
    Digests(&'a [blake3::Hash]),
}
use crate::error::Error;
use crate::recorder::{Recorder, Timeouts, SECTOR};

/// Chunks compared by a quick verification: the first, the last and some in between.
const QUICK_SAMPLES: u64 = 16;

/// Verification as a write's last phase, with its progress events: the `sectors` written
/// from `start_lba` in chunks of `chunk`, compared at `options.verification` (none: nothing
/// is read) with the source read again, or for a stream read once with the `digests` of
/// its chunks.
pub(super) fn verify_write<T: Transport>(
    rec: &mut Recorder<T>,
    source: &mut Source<'_>,
    digests: &[blake3::Hash],
    (start_lba, sectors, chunk): (i64, u64, u64),
    ranges: Option<&[BlockRange]>,
    options: &WriteOptions,
    progress: &mut Progress<'_, '_>,
) -> Result<(), Error> {
    if options.verification == VerificationLevel::None {
        return Ok(());
    }
    progress.enter(WriteAction::Verifying, rec);
    if options.reload_before_verify {
        let p = &mut *progress;
        rec.reload(options.timeouts.becoming_ready, &mut |_, device_now| {
            p.waiting(None, device_now)
        })?;
    }
    let reference = match source {
        Source::Seekable(s) => Reference::Source(&mut **s),
        Source::Sequential(_) => Reference::Digests(digests),
    };
    let p = &mut *progress;
    verify(
        rec,
        reference,
        chunk,
        sectors,
        start_lba,
        ranges,
        options.verification,
        &options.timeouts,
        &mut |done, total, device_now| {
            p.sectors_verified = done;
            p.sectors_to_verify = total;
            p.waiting(None, device_now);
        },
    )?;
    // The last word of the verification, however short it was.
    progress.emit(rec);
    Ok(())
}

/// A write that is to reload the disc before verifying needs a drive that can load it
/// again: refused before anything is written otherwise (see
/// [`WriteOptions::reload_before_verify`]).
pub(super) fn check_reload<T: Transport>(
    rec: &mut Recorder<T>,
    options: &WriteOptions,
) -> Result<(), Error> {
    if !options.reload_before_verify || options.verification == VerificationLevel::None {
        return Ok(());
    }
    rec.ensure_can_reload("before verifying")
}

/// Reads back the chunks the level asks for and compares them with the stream; the first
/// difference is E_IMAPI_BURN_VERIFICATION_FAILED at its LBA (with digests: the first LBA
/// of the chunk that differs). `progress` hears the sectors compared so far, of how many,
/// and the device's clock.
#[allow(clippy::too_many_arguments)]
fn verify<T: Transport>(
    rec: &mut Recorder<T>,
    mut reference: Reference<'_>,
    chunk: u64,
    sectors: u64,
    start_lba: i64,
    ranges: Option<&[BlockRange]>,
    level: VerificationLevel,
    timeouts: &Timeouts,
    progress: &mut dyn FnMut(u64, u64, Option<Duration>),
) -> Result<(), Error> {
    check_disc_and_tracks(rec, start_lba, sectors)?;

    let chunk = chunk.max(1);
    let chunks = sectors.div_ceil(chunk);
    let step = match level {
        VerificationLevel::None => return Ok(()),
        VerificationLevel::Full => 1,
        VerificationLevel::Quick => (chunks / QUICK_SAMPLES).max(1),
    };
    let to_verify = if level == VerificationLevel::Full || chunks == 0 {
        sectors
    } else {
        // The chunks a quick verification visits: every step-th, and the last (which may be
        // short).
        let visited = chunks.div_ceil(step) + u64::from((chunks - 1) % step != 0);
        (visited - 1) * chunk + (sectors - (chunks - 1) * chunk)
    };
    let mut done = 0u64;
    let mut disc = vec![0u8; chunk as usize * SECTOR];
    let mut image = vec![0u8; chunk as usize * SECTOR];
    let mut index = 0u64;
    while index < chunks {
        let n = check_chunk(
            rec,
            &mut reference,
            chunk,
            sectors,
            start_lba,
            ranges,
            index,
            &mut disc,
            &mut image,
            timeouts,
        )?;
        done = (done + n).min(to_verify);
        progress(done, to_verify, rec.device_time());
        // Quick verification always includes the last chunk.
        index = if index + step >= chunks && index + 1 < chunks && level == VerificationLevel::Quick
        {
            chunks - 1
        } else {
            index + step
        };
    }
    Ok(())
}

/// The heuristic checks of a quick verification, which a full one makes too (Microsoft's
/// IMAPI_BURN_VERIFICATION_LEVEL): READ DISC INFORMATION answers, READ TRACK INFORMATION
/// answers for every track the disc lists (an earlier session's included), each for the track
/// asked about, and one of them holds the `sectors` written from `start_lba`. A track whose
/// answer does not fit is E_IMAPI_BURN_VERIFICATION_FAILED at the write's first LBA.
fn check_disc_and_tracks<T: Transport>(
    rec: &mut Recorder<T>,
    start_lba: i64,
    sectors: u64,
) -> Result<(), Error> {
    // READ DISC INFORMATION, then READ TRACK INFORMATION of every track it lists.
    let tracks = rec.every_track()?;
    let end = start_lba.saturating_add(i64::try_from(sectors).unwrap_or(i64::MAX));
    let misnumbered = tracks.iter().any(|(number, t)| t.track_number != *number);
    // MMC-6 6.27.3: Track Size covers the track's sectors, recorded or still writable. The
    // write lies in one track, or (a BD-R pseudo-overwrite from LBA 0) in tracks that
    // follow each other without a gap.
    let mut spans: Vec<(i64, i64)> = tracks
        .iter()
        .map(|(_, t)| {
            let first = i64::from(t.track_start);
            (first, first + i64::from(t.track_size))
        })
        .collect();
    spans.sort_unstable();
    let covered = spans.iter().fold(start_lba, |reached, &(first, past)| {
        if first <= reached {
            reached.max(past)
        } else {
            reached
        }
    });
    if misnumbered || covered < end {
        return Err(Error::BurnVerificationFailed { lba: start_lba });
    }
    Ok(())
}

/// Compares chunk `index`; the sectors compared.
#[allow(clippy::too_many_arguments)]
fn check_chunk<T: Transport>(
    rec: &mut Recorder<T>,
    reference: &mut Reference<'_>,
    chunk: u64,
    sectors: u64,
    start_lba: i64,
    ranges: Option<&[BlockRange]>,
    index: u64,
    disc: &mut [u8],
    image: &mut [u8],
    timeouts: &Timeouts,
) -> Result<u64, Error> {
    let first = index * chunk;
    let n = chunk.min(sectors - first);
    let len = n as usize * SECTOR;
    let (Some(disc), Some(image)) = (disc.get_mut(..len), image.get_mut(..len)) else {
        return Ok(0);
    };
    rec.read_blocks(start_lba + first as i64, disc, timeouts.transfer)?;
    let source = match reference {
        Reference::Source(source) => source,
        Reference::Digests(digests) => {
            let Some(expected) = usize::try_from(index).ok().and_then(|i| digests.get(i)) else {
                return Err(Error::Fail {
                    detail: format!("no digest was kept for sectors {first}.."),
                    cause: None,
                });
            };
            if blake3::hash(disc) != *expected {
                return Err(Error::BurnVerificationFailed {
                    lba: start_lba + first as i64,
                });
            }
            return Ok(n);
        }
    };
    source
        .seek(SeekFrom::Start(first * SECTOR as u64))
        .and_then(|_| source.read_exact(image))
        .map_err(|e| Error::Fail {
            detail: format!("reading the image again to verify: {e}"),
            cause: None,
        })?;
    for (i, (d, s)) in disc.chunks(SECTOR).zip(image.chunks(SECTOR)).enumerate() {
        let sector = first + i as u64;
        let written = ranges.is_none_or(|rs| {
            rs.iter()
                .any(|r| (r.start_lba..=r.end_lba).contains(&sector))
        });
        if written && d != s {
            return Err(Error::BurnVerificationFailed {
                lba: start_lba + sector as i64,
            });
        }
    }
    Ok(n)
}
