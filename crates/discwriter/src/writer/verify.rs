//! Burn verification (IBurnVerification): read back and compare with the stream, and the
//! "heuristically blank" check of rewritable discs.

use std::io::SeekFrom;

use mmc_core::cdb::{
    DiscInformationType, Read10, ReadDiscInformation, ReadTrackInformation, TrackAddressType,
};
use mmc_core::response::{DiscInformation, TrackInformation};
use mmc_core::Transport;

use super::drive_ops::Timeouts;
use super::{BlockRange, ReadSeek, VerificationLevel};
use crate::error::Error;
use crate::recorder::Recorder;

/// Sectors read per READ(10) while verifying.
const CHUNK: u64 = 32;
/// Chunks compared by a quick verification: the first, the last and some in between.
const QUICK_SAMPLES: u64 = 16;
/// IMAPI's heuristic: the first 2 MB of a blank rewritable disc are zeros.
const BLANK_CHECK_SECTORS: u64 = 1024;

fn read_sectors<T: Transport>(
    rec: &mut Recorder<T>,
    lba: i64,
    out: &mut [u8],
    timeouts: &Timeouts,
) -> Result<(), Error> {
    let blocks = u16::try_from(out.len() / 2048).unwrap_or(u16::MAX);
    let lba = i32::try_from(lba).map_err(|_| Error::InvalidArg(format!("LBA {lba}")))?;
    let cdb = Read10 {
        dpo: false,
        fua: false,
        lba,
        blocks,
    }
    .encode();
    let want = out.len();
    let got = rec.execute_in(&cdb, out, timeouts.transfer)?;
    if got < want {
        return Err(Error::invalid_response(
            0x28,
            format!("READ (10) returned {got} of {want} bytes"),
        ));
    }
    Ok(())
}

/// Reads back the chunks the level asks for and compares them with the stream; the first
/// difference is E_IMAPI_BURN_VERIFICATION_FAILED at its LBA.
pub(crate) fn verify<T: Transport>(
    rec: &mut Recorder<T>,
    source: &mut (dyn ReadSeek + Send),
    sectors: u64,
    start_lba: i64,
    ranges: Option<&[BlockRange]>,
    level: VerificationLevel,
    timeouts: &Timeouts,
) -> Result<(), Error> {
    // Quick and full both check that the disc and track information read back sanely.
    let cdb = ReadDiscInformation {
        data_type: DiscInformationType::Standard,
        allocation_length: 2048,
    }
    .encode();
    rec.read_response::<DiscInformation>(&cdb, 2048)?;
    let cdb = ReadTrackInformation {
        open: false,
        address_type: TrackAddressType::Lba,
        address: u32::try_from(start_lba.max(0)).unwrap_or(0),
        allocation_length: 48,
    }
    .encode();
    rec.read_response::<TrackInformation>(&cdb, 48)?;

    let chunks = sectors.div_ceil(CHUNK);
    let step = match level {
        VerificationLevel::None => return Ok(()),
        VerificationLevel::Full => 1,
        VerificationLevel::Quick => (chunks / QUICK_SAMPLES).max(1),
    };
    let mut disc = vec![0u8; (CHUNK * 2048) as usize];
    let mut image = vec![0u8; (CHUNK * 2048) as usize];
    let mut index = 0u64;
    while index < chunks {
        check_chunk(
            rec, source, sectors, start_lba, ranges, index, &mut disc, &mut image, timeouts,
        )?;
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

#[allow(clippy::too_many_arguments)]
fn check_chunk<T: Transport>(
    rec: &mut Recorder<T>,
    source: &mut (dyn ReadSeek + Send),
    sectors: u64,
    start_lba: i64,
    ranges: Option<&[BlockRange]>,
    index: u64,
    disc: &mut [u8],
    image: &mut [u8],
    timeouts: &Timeouts,
) -> Result<(), Error> {
    let first = index * CHUNK;
    let n = CHUNK.min(sectors - first);
    let len = n as usize * 2048;
    let (Some(disc), Some(image)) = (disc.get_mut(..len), image.get_mut(..len)) else {
        return Ok(());
    };
    read_sectors(rec, start_lba + first as i64, disc, timeouts)?;
    source
        .seek(SeekFrom::Start(first * 2048))
        .and_then(|_| source.read_exact(image))
        .map_err(|e| Error::Fail {
            detail: format!("reading the image again to verify: {e}"),
            cause: None,
        })?;
    for (i, (d, s)) in disc.chunks(2048).zip(image.chunks(2048)).enumerate() {
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
    Ok(())
}

/// MediaHeuristicallyBlank for rewritable discs: the first 2 MB read as zeros (what
/// Microsoft's sample checks).
pub(crate) fn heuristically_blank<T: Transport>(
    rec: &mut Recorder<T>,
    timeouts: &Timeouts,
) -> Result<bool, Error> {
    let mut buf = vec![0u8; (CHUNK * 2048) as usize];
    let mut lba = 0u64;
    while lba < BLANK_CHECK_SECTORS {
        match read_sectors(rec, lba as i64, &mut buf, timeouts) {
            Ok(()) => {}
            // An unreadable (never written) area is blank.
            Err(Error::Fail { .. }) | Err(Error::UnexpectedResponseFromDevice { .. }) => {
                return Ok(true)
            }
            Err(e) => return Err(e),
        }
        if buf.iter().any(|&b| b != 0) {
            return Ok(false);
        }
        lba += CHUNK;
    }
    Ok(true)
}
