//! READ TOC/PMA/ATIP replies for a CD-R or CD-RW (MMC-6 6.26): the formatted TOC (format 0), the
//! multi-session information (1), the full TOC of the lead-ins (2) and the ATIP (4).
//!
//! The TOC lives in the lead-in of each session, so only closed sessions appear in it. A disc
//! with no closed session has no TOC: formats 0, 1 and 2 then fail with 05/24/00 INVALID
//! FIELD IN CDB, the answer Thomas Schmitt (libburn) reports from a real drive for a blank
//! CD-RW (pali/udftools issue 33).
//!
//! The full TOC of each session holds, in the order real drives send them: A0 (first track,
//! disc type), A1 (last track), A2 (lead-out), the track pointers, then the mode-5 pointers:
//! B0 (next program area, FF:FF:FF when no session may follow; absent after a finalizing
//! close with Multi-session 00b) and, in the first session, C0 (ATIP special information and
//! the start of the first lead-in). Running times (MIN/SEC/FRAME of the mode-1 pointers) are
//! zero, as in the dumps of real discs.

use mmc_core::cdb::{ReadTocPmaAtip, TocFormat};
use mmc_core::response::toc::{RawTocEntry, TocPoint, TrackDescriptor, LEAD_OUT_TRACK};
use mmc_core::response::Msf;
use mmc_core::response::{FormattedToc, MultiSessionInfo, RawToc, ResponseFormat};
use mmc_core::sense::{triples, SenseKeySpecific};

use super::layout::ATIP_LEAD_IN_START;
use super::layout::{CdLayout, CdRSize, CdTrack, CdType, Closing, SessionClose};
use crate::medium::recording::{lba_field, Session};
use crate::medium::{MediumError, MediumResult};

/// The MSF of an LBA, by the M ≥ 90 rule for the lead-in.
fn msf_of(lba: i64) -> Option<Msf> {
    i32::try_from(lba).ok().and_then(Msf::from_lba)
}

/// A track number as the TOC's byte (1 to 99 on a CD).
fn number_byte(number: u16) -> u8 {
    u8::try_from(number).unwrap_or(u8::MAX)
}

/// ATIP special information 1-3 (ATIP bytes 4-6, MMC-6 6.26.3.6): indicative target
/// writing power 5 and reference speed 0; unrestricted use; bit 7 of byte 6 always one,
/// then the Disc Type (bit 6), the Disc Sub-Type (bits 5-3) and A1/A2/A3 Valid (bits 2-0).
/// The C0 pointer of the full TOC repeats them.
///
/// CD-R: disc type 0, sub-type 0, no A1-A3 values. CD-RW: disc type 1, sub-type 1 (a
/// High-Speed CD-RW), A1 valid.
const fn atip_special(cd_type: CdType) -> [u8; 3] {
    match cd_type {
        CdType::Recordable => [0x50, 0x40, 0x80],
        CdType::Rewritable => [0x50, 0x40, 0x80 | 0x40 | (1 << 3) | 0x04],
    }
}

/// ATIP A1 values (bytes 16-18) of a CD-RW: byte 16 holds the lowest CLV recording speed
/// (bits 6-4) and the highest (bits 3-0), codes 2 (4x) and 4 (10x for a High-Speed CD-RW,
/// as cdrecord and libburn read it); the rest is zero.
const CD_RW_A1: [u8; 3] = [(2 << 4) | 4, 0, 0];

/// Q sub-channel ADR for position pointers and for the mode-5 (B0, C0) pointers.
const ADR_POSITION: u8 = 1;
const ADR_MODE_5: u8 = 5;

/// B0's MIN/SEC/FRAME when no further session can be recorded.
const NO_NEXT_PROGRAM_AREA: Msf = Msf::new(0xFF, 0xFF, 0xFF);

/// Byte `byte` of the READ TOC CDB was the problem.
fn cdb_field(byte: u16, bit: Option<u8>) -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_CDB).with_sks(SenseKeySpecific::FieldPointer {
        in_cdb: true,
        bit,
        byte,
    })
}

/// No TOC recorded yet.
fn no_toc() -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_CDB)
}

pub(crate) fn read_toc(
    disc: &CdLayout,
    size: CdRSize,
    cd_type: CdType,
    cdb: &ReadTocPmaAtip,
) -> MediumResult<Vec<u8>> {
    match cdb.format {
        TocFormat::Toc => formatted_toc(disc, cdb.msf, cdb.track_session_number),
        TocFormat::SessionInfo => session_info(disc, cdb.msf),
        TocFormat::FullToc => full_toc(disc, size, cd_type, cdb.track_session_number),
        TocFormat::Atip => Ok(atip(size, cd_type)),
        // No PMA reading and no CD-TEXT on a data CD-R written by this drive.
        TocFormat::Pma | TocFormat::CdText | TocFormat::Unknown(_) => Err(cdb_field(2, Some(3))),
    }
}

/// A descriptor address: an LBA, or `00 M S F` when the MSF bit is set.
fn address(lba: i64, msf: bool) -> u32 {
    if msf {
        msf_of(lba).map_or(0, Msf::to_address_field)
    } else {
        lba_field(lba)
    }
}

fn closed_tracks(disc: &CdLayout) -> impl Iterator<Item = &CdTrack> {
    disc.closed_sessions().flat_map(|(_, s)| s.tracks.iter())
}

fn formatted_toc(disc: &CdLayout, msf: bool, from_track: u8) -> MediumResult<Vec<u8>> {
    let (Some(first), Some(last)) = (closed_tracks(disc).next(), closed_tracks(disc).last()) else {
        return Err(no_toc());
    };
    let lead_out = disc.closed_sessions().last().map_or(0, |(_, s)| s.end());
    // Byte 6: the first track to describe; 0 means from the first; AAh only the lead-out.
    if from_track != LEAD_OUT_TRACK && u16::from(from_track) > last.number {
        return Err(cdb_field(6, None));
    }
    let mut tracks: Vec<TrackDescriptor> = closed_tracks(disc)
        .filter(|t| from_track != LEAD_OUT_TRACK && t.number >= u16::from(from_track))
        .map(|t| TrackDescriptor {
            adr: ADR_POSITION,
            control: t.format.control,
            track_number: number_byte(t.number),
            address: address(t.start, msf),
        })
        .collect();
    tracks.push(TrackDescriptor {
        adr: ADR_POSITION,
        control: last.format.control,
        track_number: LEAD_OUT_TRACK,
        address: address(lead_out, msf),
    });
    Ok(FormattedToc {
        first_track: number_byte(first.number),
        last_track: number_byte(last.number),
        tracks,
        cut_bytes: 0,
    }
    .to_bytes())
}

fn session_info(disc: &CdLayout, msf: bool) -> MediumResult<Vec<u8>> {
    let (number, session) = disc.closed_sessions().last().ok_or_else(no_toc)?;
    let first = session.first_track().ok_or_else(no_toc)?;
    Ok(MultiSessionInfo {
        first_complete_session: 1,
        last_complete_session: u8::try_from(number).unwrap_or(u8::MAX),
        first_track_in_last_session: TrackDescriptor {
            adr: ADR_POSITION,
            control: first.format.control,
            track_number: number_byte(first.number),
            address: address(first.start, msf),
        },
        cut_bytes: 0,
    }
    .to_bytes())
}

fn full_toc(
    disc: &CdLayout,
    size: CdRSize,
    cd_type: CdType,
    from_session: u8,
) -> MediumResult<Vec<u8>> {
    let last_closed = u16::try_from(disc.closed_sessions().count()).unwrap_or(u16::MAX);
    if last_closed == 0 {
        return Err(no_toc());
    }
    let from = u16::from(from_session.max(1));
    if from > last_closed {
        return Err(cdb_field(6, None));
    }
    let mut entries = Vec::new();
    for (number, session) in disc.closed_sessions().filter(|(n, _)| *n >= from) {
        session_entries(disc, size, cd_type, number, session, &mut entries);
    }
    Ok(RawToc {
        first_complete_session: 1,
        last_complete_session: u8::try_from(last_closed).unwrap_or(u8::MAX),
        entries,
        cut_bytes: 0,
    }
    .to_bytes())
}

fn msf_or_none(lba: i64) -> Msf {
    msf_of(lba).unwrap_or(NO_NEXT_PROGRAM_AREA)
}

/// The lead-in entries of one closed session.
fn session_entries(
    disc: &CdLayout,
    size: CdRSize,
    cd_type: CdType,
    number: u16,
    session: &Session<super::layout::TrackFormat, SessionClose>,
    out: &mut Vec<RawTocEntry>,
) {
    let (Some(first), Some(last)) = (session.tracks.first(), session.tracks.last()) else {
        return;
    };
    let g = size.geometry();
    let disc_type = session.closed.map_or(0, |c| c.disc_type);
    let session_byte = u8::try_from(number).unwrap_or(u8::MAX);
    let mode1 = |control: u8, point: TocPoint, p_time: Msf| RawTocEntry {
        session: session_byte,
        adr: ADR_POSITION,
        control,
        tno: 0,
        point,
        time: Msf::default(),
        zero: 0,
        p_time,
    };
    // A0: PMIN first track, PSEC disc type (the session format).
    out.push(mode1(
        first.format.control,
        TocPoint::FirstTrack,
        Msf::new(number_byte(first.number), disc_type, 0),
    ));
    out.push(mode1(
        last.format.control,
        TocPoint::LastTrack,
        Msf::new(number_byte(last.number), 0, 0),
    ));
    out.push(mode1(
        last.format.control,
        TocPoint::LeadOut,
        msf_or_none(session.end()),
    ));
    for t in &session.tracks {
        out.push(mode1(
            t.format.control,
            TocPoint::Track(number_byte(t.number)),
            msf_or_none(t.start),
        ));
    }
    let index = usize::from(number.saturating_sub(1));
    let first_session = index == 0;
    let next_area = match session.closed.map(|c| c.closing) {
        Some(Closing::NextSessionAllowed) => Some(msf_or_none(disc.program_area_after(g, index))),
        Some(Closing::NoNextSession) => Some(NO_NEXT_PROGRAM_AREA),
        Some(Closing::Finalized) | None => None,
    };
    if let Some(time) = next_area {
        out.push(RawTocEntry {
            session: session_byte,
            adr: ADR_MODE_5,
            control: 0,
            tno: 0,
            point: TocPoint::NextProgramArea,
            time,
            // ZERO: how many mode-5 pointers the lead-in holds (B0, and C0 in session 1).
            zero: if first_session { 2 } else { 1 },
            // PMIN/PSEC/PFRAME: the outermost possible lead-out start (ATIP).
            p_time: msf_or_none(i64::from(g.capacity)),
        });
    }
    if first_session {
        let [a, b, c] = atip_special(cd_type);
        out.push(RawTocEntry {
            session: session_byte,
            adr: ADR_MODE_5,
            control: 0,
            tno: 0,
            point: TocPoint::FirstLeadIn,
            time: Msf::new(a, b, c),
            zero: 0,
            p_time: msf_or_none(ATIP_LEAD_IN_START),
        });
    }
}

/// Format 4: the ATIP (28 bytes; MMC-6 table 492).
fn atip(size: CdRSize, cd_type: CdType) -> Vec<u8> {
    let lead_in = msf_or_none(ATIP_LEAD_IN_START);
    let lead_out = msf_or_none(size.lead_out_limit());
    let [s4, s5, s6] = atip_special(cd_type);
    let [a1, a2, a3] = match cd_type {
        CdType::Recordable => [0; 3],
        CdType::Rewritable => CD_RW_A1,
    };
    vec![
        0x00,
        0x1A, // data length: 26 bytes follow
        0x00,
        0x00, // reserved
        s4,
        s5,
        s6,
        0x00, // special information 1-3
        lead_in.minute,
        lead_in.second,
        lead_in.frame,
        0x00, // start time of lead-in
        lead_out.minute,
        lead_out.second,
        lead_out.frame,
        0x00, // last possible lead-out
        a1,
        a2,
        a3,
        0, // A1 values (valid on a CD-RW)
        0,
        0,
        0,
        0, // A2 values
        0,
        0,
        0,
        0, // A3 values
    ]
}
