//! SEND CUE SHEET (MMC-6 6.33): the layout of a Session At Once recording, checked before a
//! single block is written.
//!
//! Each entry is 8 bytes: CTL/ADR, TNO, INDEX, DATA FORM, SCMS, MIN, SEC, FRAME. What this
//! drive accepts, as libburn's SAO cookbook composes it for a data session:
//!
//! - optional ADR 2 (media catalog number) and ADR 3 (ISRC) entries, skipped;
//! - the lead-in: TNO 0, INDEX 0, at 00:00:00, without CD-TEXT (DATA FORM bit 6);
//! - track 1 (the first track on a blank disc) with INDEX 0 at 00:00:00, so the host writes
//!   its 150-block pre-gap from LBA -150, then INDEX 1 at 00:02:00 or later;
//! - each following track numbered one more, starting with INDEX 0 or 1; INDEX 2-99 entries
//!   inside a track; every track at least 300 blocks from INDEX 1 to the next track;
//! - the lead-out: TNO AAh, INDEX 1, at most at the ATIP lead-out limit; nothing after it.
//!
//! Track entries must be data with 2048-byte blocks: DATA FORM 10h (Mode 1) or 20h (Mode 2
//! Form 1), CTL with the data bit (40h). Audio (2352-byte blocks) is not modelled: the store
//! holds 2048-byte sectors. Addresses must not decrease. A malformed sheet gets 05/26/00
//! INVALID FIELD IN PARAMETER LIST with the field pointer on the offending byte; a sheet
//! that is not whole entries gets 05/1A/00 PARAMETER LIST LENGTH ERROR.

use mmc_core::response::Msf;
use mmc_core::sense::{triples, SenseKeySpecific};

use super::layout::{CdTrack, TrackFormat, MIN_TRACK};
use crate::medium::{MediumError, MediumResult};

const ENTRY_LEN: usize = 8;
/// The lead-out's TNO.
const LEAD_OUT_TNO: u8 = 0xAA;
/// CTL bit 6 of the CTL/ADR byte: a data track.
const CTL_DATA: u8 = 0x40;
/// DATA FORM bit 6: CD-TEXT in the lead-in.
const FORM_CD_TEXT: u8 = 0x40;
/// The first block of the pre-gap of track 1 (00:00:00).
const FIRST_PREGAP: i64 = -150;

/// Offsets of the fields inside an entry.
mod field {
    pub const CTL_ADR: usize = 0;
    pub const TNO: usize = 1;
    pub const INDEX: usize = 2;
    pub const DATA_FORM: usize = 3;
    pub const MIN: usize = 5;
    pub const SEC: usize = 6;
    pub const FRAME: usize = 7;
}

/// A checked cue sheet: where the host writes and what the session will hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CuePlan {
    /// The first address the host writes (the pre-gap of track 1).
    pub first_block: i64,
    /// The tracks, each `recorded` for its whole planned length (no run-out in SAO).
    pub tracks: Vec<CdTrack>,
    /// Where the lead-out starts: the end of the last block the host writes.
    pub lead_out: i64,
}

fn bad_field(entry: usize, offset: usize) -> MediumError {
    let byte = entry.saturating_mul(ENTRY_LEN).saturating_add(offset);
    MediumError::new(triples::INVALID_FIELD_IN_PARAMETER_LIST).with_sks(
        SenseKeySpecific::FieldPointer {
            in_cdb: false,
            bit: None,
            byte: u16::try_from(byte).unwrap_or(u16::MAX),
        },
    )
}

/// A track being read from the sheet.
struct Pending {
    number: u8,
    /// The address of its first entry (INDEX 0 or 1): the end of the previous track.
    first_lba: i64,
    index: u8,
    index1: Option<i64>,
    data_mode: u8,
    control: u8,
}

/// DATA FORM of a 2048-byte data track: 10h Mode 1, 20h Mode 2 Form 1 (CD-ROM XA).
fn data_mode_of(form: u8) -> Option<u8> {
    match form {
        0x10 => Some(1),
        0x20 => Some(2),
        _ => None,
    }
}

/// Checks `sheet` against a disc whose lead-out may start no later than `limit`.
pub(crate) fn parse(sheet: &[u8], limit: i64) -> MediumResult<CuePlan> {
    if sheet.is_empty() || sheet.len() % ENTRY_LEN != 0 {
        return Err(MediumError::new(triples::PARAMETER_LIST_LENGTH_ERROR));
    }
    let mut lead_in_seen = false;
    let mut tracks: Vec<Pending> = Vec::new();
    let mut lead_out: Option<i64> = None;
    let mut previous_lba = i64::MIN;
    let mut last_entry = 0;
    for (i, chunk) in sheet.chunks_exact(ENTRY_LEN).enumerate() {
        last_entry = i;
        let mut e = [0u8; ENTRY_LEN];
        e.copy_from_slice(chunk);
        let [ctl_adr, tno, index, form, _scms, min, sec, frame] = e;
        let bad = |offset: usize| bad_field(i, offset);
        if lead_out.is_some() {
            return Err(bad(field::CTL_ADR));
        }
        match ctl_adr & 0x0F {
            1 => {}
            // Media catalog number and ISRC: recorded in the Q sub-channel, nothing to check.
            2 | 3 => continue,
            _ => return Err(bad(field::CTL_ADR)),
        }
        if sec >= 60 {
            return Err(bad(field::SEC));
        }
        if frame >= 75 {
            return Err(bad(field::FRAME));
        }
        // Minutes 90-99 address the lead-in, which the host writes only with CD-TEXT.
        if min >= 90 {
            return Err(bad(field::MIN));
        }
        let lba = i64::from(Msf::new(min, sec, frame).to_lba());
        if lba < previous_lba {
            return Err(bad(field::MIN));
        }
        if !lead_in_seen {
            if tno != 0 {
                return Err(bad(field::TNO));
            }
            if index != 0 {
                return Err(bad(field::INDEX));
            }
            if form & FORM_CD_TEXT != 0 {
                return Err(bad(field::DATA_FORM));
            }
            lead_in_seen = true;
            previous_lba = lba;
            continue;
        }
        match tno {
            LEAD_OUT_TNO => {
                if index != 1 {
                    return Err(bad(field::INDEX));
                }
                let last = tracks.last().ok_or_else(|| bad(field::TNO))?;
                let Some(index1) = last.index1 else {
                    return Err(bad(field::TNO));
                };
                if lba - index1 < i64::from(MIN_TRACK) || lba > limit {
                    return Err(bad(field::MIN));
                }
                lead_out = Some(lba);
            }
            1..=99 => {
                let data_mode = data_mode_of(form).ok_or_else(|| bad(field::DATA_FORM))?;
                if ctl_adr & CTL_DATA == 0 {
                    return Err(bad(field::CTL_ADR));
                }
                let control = ctl_adr >> 4;
                match tracks.last_mut() {
                    Some(current) if current.number == tno => {
                        if Some(index) != current.index.checked_add(1) {
                            return Err(bad(field::INDEX));
                        }
                        current.index = index;
                        if index == 1 {
                            // Track 1's pre-gap must be the full 2 seconds (LBA 0 or later).
                            if current.number == 1 && lba < 0 {
                                return Err(bad(field::MIN));
                            }
                            current.index1 = Some(lba);
                            current.data_mode = data_mode;
                            current.control = control;
                        }
                    }
                    previous => {
                        let expected = match previous {
                            None => 1,
                            Some(p) => {
                                let Some(index1) = p.index1 else {
                                    return Err(bad(field::TNO));
                                };
                                if lba - index1 < i64::from(MIN_TRACK) {
                                    return Err(bad(field::MIN));
                                }
                                p.number.saturating_add(1)
                            }
                        };
                        if tno != expected {
                            return Err(bad(field::TNO));
                        }
                        let first_track = tracks.is_empty();
                        if first_track && (index != 0) {
                            return Err(bad(field::INDEX));
                        }
                        if first_track && lba != FIRST_PREGAP {
                            return Err(bad(field::MIN));
                        }
                        if index > 1 {
                            return Err(bad(field::INDEX));
                        }
                        tracks.push(Pending {
                            number: tno,
                            first_lba: lba,
                            index,
                            index1: (index == 1).then_some(lba),
                            data_mode,
                            control,
                        });
                    }
                }
            }
            _ => return Err(bad(field::TNO)),
        }
        previous_lba = lba;
    }
    let Some(lead_out) = lead_out else {
        return Err(bad_field(last_entry, field::TNO));
    };
    // Each track runs from its INDEX 1 to the first entry of the next track (or the lead-out).
    let ends: Vec<i64> = tracks
        .iter()
        .skip(1)
        .map(|t| t.first_lba)
        .chain(core::iter::once(lead_out))
        .collect();
    let planned = tracks
        .iter()
        .zip(ends)
        .map(|(t, end)| {
            let start = t.index1.unwrap_or(t.first_lba);
            CdTrack {
                number: t.number.into(),
                start,
                recorded: u32::try_from(end - start).unwrap_or(0),
                run_out: 0,
                reserved: None,
                format: TrackFormat {
                    data_mode: t.data_mode,
                    control: t.control,
                },
            }
        })
        .collect();
    Ok(CuePlan {
        first_block: FIRST_PREGAP,
        tracks: planned,
        lead_out,
    })
}
