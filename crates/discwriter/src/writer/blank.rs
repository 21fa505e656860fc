//! Whether an overwritable disc (DVD+RW, BD-RE) holds data: IMAPI's MediaHeuristicallyBlank,
//! which also decides whether a Write without ForceOverwrite may go ahead.
//!
//! Microsoft's heuristic reads the first and the last 2 MB of the disc and looks for a file
//! system. On overwritable media nothing separates "recorded" from "unrecorded" sectors: every
//! formatted sector reads, as zeros where nothing was ever written, and READ CAPACITY gives
//! the last LBA of the formatted area (MMC-6 6.23; on a DVD+RW whose background format was
//! stopped, the formatted part, which covers whatever was written). So the two ends are LBA
//! 0 and READ CAPACITY's last LBA. That is where file systems keep their anchors: ISO 9660
//! volume descriptors from sector 16 (ECMA-119 6.7.1, 8.1), the UDF volume recognition
//! sequence from sector 16 (ECMA-167 2/8.3) and its anchor volume descriptor pointers at two
//! of 256, N-256 and N, N being the last sector (ECMA-167 3/8.4.2.1). A descriptor found
//! there is named in the answer; any non-zero byte in either end is data. Mounts are the
//! operating system's and not visible here: the descriptors stand in for Microsoft's check
//! for a mounted file system.

use std::fmt;
use std::time::Duration;

use mmc_core::cdb::{Opcode, Read10, ReadCapacity};
use mmc_core::condition::RetryClass;
use mmc_core::response::CapacityData;
use mmc_core::sense::SenseKey;
use mmc_core::{DataPhase, Transport};

use crate::error::{DeviceCause, Error, Phase};
use crate::recorder::{Answer, Recorder, Timeouts, SECTOR};
use crate::volume;

/// The sectors read at each end of the disc: 2 MB.
const END_SECTORS: u32 = 1024;

/// How often a READ of the check is tried again after a transient answer (a unit
/// attention, a drive becoming ready, an aborted command), and how long apart: Microsoft's
/// sample tries 5 times, 2 s apart.
const TRIES: u32 = 5;
const RETRY_DELAY: Duration = Duration::from_secs(2);

/// What the check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contents {
    /// Both ends read as zeros, or the drive says nothing is recorded there.
    Blank,
    /// A non-zero sector at `lba`, with the file system a descriptor in it names.
    Data {
        lba: u32,
        file_system: Option<&'static str>,
    },
}

impl fmt::Display for Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contents::Blank => f.write_str("both ends of the disc read as zeros"),
            Contents::Data {
                lba,
                file_system: Some(fs),
            } => write!(
                f,
                "it holds a file system ({fs}: a descriptor at LBA {lba})"
            ),
            Contents::Data {
                lba,
                file_system: None,
            } => write!(f, "it holds data (LBA {lba} is not zeros)"),
        }
    }
}

/// Reads the first and the last 2 MB of the formatted area in READs of `chunk` sectors (at
/// most 2 x 1024 / `chunk` READs, and READ CAPACITY) and says whether they hold data.
///
/// Only the drive saying that nothing is recorded there (BLANK CHECK, or a logical block
/// address out of range) counts as blank. Anything else that keeps a READ from succeeding
/// after the retries fails the check with its error: a read that failed never makes data
/// look absent, or a disc holding data would be written over without ForceOverwrite.
pub(crate) fn contents<T: Transport>(
    rec: &mut Recorder<T>,
    chunk: u64,
    timeouts: &Timeouts,
) -> Result<Contents, Error> {
    let capacity: CapacityData = rec.query(&ReadCapacity::default())?;
    let end = capacity.last_lba.saturating_add(1);
    let chunk = u32::try_from(chunk).unwrap_or(u32::MAX).clamp(1, 0xFFFF);
    let first = 0..END_SECTORS.min(end);
    let last = end.saturating_sub(END_SECTORS).max(first.end)..end;
    let mut buf = vec![0u8; chunk as usize * SECTOR];
    for area in [first, last] {
        let mut lba = area.start;
        while lba < area.end {
            let n = chunk.min(area.end - lba);
            let Some(data) = buf.get_mut(..n as usize * SECTOR) else {
                break;
            };
            if !read(rec, lba, data, timeouts)? {
                break; // nothing recorded from here to the end of this area
            }
            if let Some(found) = data_in(data, lba, end) {
                return Ok(found);
            }
            lba += n;
        }
    }
    Ok(Contents::Blank)
}

/// The first non-zero sector of `data` (read from `lba` on a disc of `end` sectors), named
/// by a file-system descriptor in `data` when there is one.
fn data_in(data: &[u8], lba: u32, end: u32) -> Option<Contents> {
    let at = |i: usize| lba.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
    let first = data
        .chunks(SECTOR)
        .position(|s| s.iter().any(|&b| b != 0))?;
    let named = data
        .chunks(SECTOR)
        .enumerate()
        .find_map(|(i, s)| volume::descriptor_at(s, at(i), end).map(|fs| (at(i), fs)));
    Some(match named {
        Some((lba, fs)) => Contents::Data {
            lba,
            file_system: Some(fs),
        },
        None => Contents::Data {
            lba: at(first),
            file_system: None,
        },
    })
}

/// One READ (10) of `data.len()` bytes at `lba`, retried after transient answers: `false`
/// when the drive says nothing is recorded there.
fn read<T: Transport>(
    rec: &mut Recorder<T>,
    lba: u32,
    data: &mut [u8],
    timeouts: &Timeouts,
) -> Result<bool, Error> {
    let cdb = Read10 {
        dpo: false,
        fua: false,
        lba: i32::try_from(lba).unwrap_or(i32::MAX),
        blocks: u16::try_from(data.len() / SECTOR).unwrap_or(u16::MAX),
    };
    let want = data.len();
    let mut tries = 0;
    loop {
        match rec.answer(&cdb, DataPhase::In(&mut *data), timeouts.transfer)? {
            Answer::Good { transferred } if transferred == want => return Ok(true),
            Answer::Good { transferred } => {
                return Err(Error::invalid_response(
                    Opcode::Read10,
                    format!("READ (10) returned {transferred} of {want} bytes"),
                ))
            }
            Answer::Check { triple, retry, .. } => {
                // BLANK CHECK (SPC-5 4.4.3), or 05/21/00 LOGICAL BLOCK ADDRESS OUT OF RANGE:
                // past the formatted part of a DVD+RW.
                let nothing_recorded = triple.key == SenseKey::BlankCheck
                    || (triple.key == SenseKey::IllegalRequest
                        && triple.asc == 0x21
                        && triple.ascq == 0x00);
                if nothing_recorded {
                    return Ok(false);
                }
                if retry == RetryClass::Proceed {
                    return Ok(true); // a RECOVERED ERROR: the data arrived
                }
                if retry != RetryClass::Fail && tries < TRIES {
                    tries += 1;
                    rec.pause(RETRY_DELAY);
                    continue;
                }
                let cause = DeviceCause {
                    opcode: Opcode::Read10,
                    sense: Some(triple),
                };
                return Err(
                    Error::from_sense(triple, Opcode::Read10, Phase::Other).unwrap_or(
                        Error::Fail {
                            detail: format!(
                                "the check that the disc holds no data could not read LBA {lba}"
                            ),
                            cause: Some(cause),
                        },
                    ),
                );
            }
        }
    }
}
