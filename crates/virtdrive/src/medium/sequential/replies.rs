//! READ DISC INFORMATION, READ TRACK INFORMATION and READ TOC replies of a DVD+R or BD-R
//! (MMC-6 6.22, 6.27, 6.26).

use mmc_core::cdb::{ReadTocPmaAtip, TocFormat, TrackAddressType};
use mmc_core::response::disc_info::{DiscStatus, LastSessionState};
use mmc_core::response::toc::{TrackDescriptor, LEAD_OUT_TRACK};
use mmc_core::response::{
    DiscInformation, FormattedToc, MultiSessionInfo, ResponseFormat, TrackInformation,
};
use mmc_core::sense::triples;

use super::geometry::Geometry;
use super::layout::{DiscState, NextTrack, SequentialLayout, Session, Track};
use crate::medium::overwritable::invalid_cdb_field;
use crate::medium::{MediumError, MediumResult};

/// Standard disc information.
pub(crate) fn disc_information(disc: &SequentialLayout, g: &Geometry) -> DiscInformation {
    let mut info = DiscInformation::blank(false);
    info.last_possible_lead_out_start = g.capacity;
    // Pioneer R11 4.18: the LBA where the next Intro goes; 0 with no session on the disc.
    info.last_session_lead_in_start = 0;
    let invisible = disc.invisible_track(g);
    let first_of = |s: Option<&Session>| s.and_then(Session::first_track).map(|t| t.number);
    match disc.state() {
        DiscState::Blank => {}
        DiscState::OpenSession => {
            info.disc_status = DiscStatus::Incomplete;
            info.last_session_state = LastSessionState::Incomplete;
            info.sessions = disc.session_count();
            let last = disc.sessions.last();
            let first = first_of(last)
                .or(disc.open_track.as_ref().map(|t| t.number))
                .unwrap_or(1);
            info.first_track_in_last_session = first;
            info.last_track_in_last_session = invisible.map_or(first, |n| n.number);
            info.last_session_lead_in_start =
                lead_in_start(disc, g, disc.sessions.len().saturating_sub(1));
        }
        DiscState::Appendable => {
            // The empty session to come is the last session (MMC-6 6.22.3.1.5); its
            // invisible track is its first and last.
            info.disc_status = DiscStatus::Incomplete;
            info.last_session_state = LastSessionState::Empty;
            info.sessions = disc.session_count().saturating_add(1);
            let number = invisible.map_or(1, |n| n.number);
            info.first_track_in_last_session = number;
            info.last_track_in_last_session = number;
            info.last_session_lead_in_start =
                invisible.map_or(0, |n| n.start.saturating_sub(g.intro));
        }
        DiscState::Complete => {
            info.disc_status = DiscStatus::Complete;
            info.last_session_state = LastSessionState::Complete;
            info.sessions = disc.session_count();
            info.first_track_in_last_session = first_of(disc.sessions.last()).unwrap_or(1);
            info.last_track_in_last_session = disc.last_track_number().max(1);
            // Pioneer R11 4.18: FFFFFFFFh for both on a complete disc.
            info.last_session_lead_in_start = u32::MAX;
            info.last_possible_lead_out_start = u32::MAX;
        }
    }
    info
}

/// Where the lead-in (Intro) of session `index` (0-based) starts: 0 for the first session.
fn lead_in_start(disc: &SequentialLayout, g: &Geometry, index: usize) -> u32 {
    if index == 0 {
        return 0;
    }
    let start = disc
        .sessions
        .get(index)
        .and_then(Session::first_track)
        .or(disc.open_track.as_ref())
        .map_or(0, |t| t.start);
    start.saturating_sub(g.intro)
}

/// The track-address field (CDB bytes 2-5).
fn bad_address() -> MediumError {
    invalid_cdb_field(2, None)
}

/// What READ TRACK INFORMATION asked about.
enum Target<'a> {
    Recorded { session: u16, track: &'a Track },
    Next(NextTrack),
}

fn find_target<'d>(
    disc: &'d SequentialLayout,
    g: &Geometry,
    address_type: TrackAddressType,
    address: u32,
) -> MediumResult<Target<'d>> {
    let open_number = disc.open_track.as_ref().map(|t| t.number);
    let writable = disc.writable_track(g);
    let invisible = disc.invisible_track(g);
    // The open track answers as a writable track, with its next writable address.
    let open_or = |session: u16, track: &'d Track| -> MediumResult<Target<'d>> {
        match writable {
            Some(w) if Some(track.number) == open_number => Ok(Target::Next(w)),
            _ => Ok(Target::Recorded { session, track }),
        }
    };
    match address_type {
        TrackAddressType::Lba => {
            if let Some((session, track)) = disc
                .tracks()
                .find(|(_, t)| (t.start..t.end().max(t.start + 1)).contains(&address))
            {
                return open_or(session, track);
            }
            match invisible {
                Some(n) if (n.start..g.capacity).contains(&address) => Ok(Target::Next(n)),
                _ => Err(MediumError::new(triples::LBA_OUT_OF_RANGE)
                    .with_information(u64::from(address))),
            }
        }
        TrackAddressType::TrackNumber => {
            let wanted = if address == 0xFF {
                invisible.map(|n| u32::from(n.number))
            } else {
                Some(address)
            };
            let wanted = wanted.ok_or_else(bad_address)?;
            if let Some((session, track)) =
                disc.tracks().find(|(_, t)| u32::from(t.number) == wanted)
            {
                return open_or(session, track);
            }
            match invisible {
                Some(n) if u32::from(n.number) == wanted => Ok(Target::Next(n)),
                _ => Err(bad_address()),
            }
        }
        TrackAddressType::SessionNumber => {
            if let Some((session, track)) = disc.tracks().find(|(s, _)| u32::from(*s) == address) {
                return open_or(session, track);
            }
            match invisible {
                Some(n) if u32::from(n.session) == address => Ok(Target::Next(n)),
                _ => Err(bad_address()),
            }
        }
        TrackAddressType::Unknown(_) => Err(invalid_cdb_field(1, Some(1))),
    }
}

/// READ TRACK INFORMATION (MMC-6 6.27.3). Track Mode 4 and Data Mode 1 (data, 2048-byte
/// blocks), the fixed packet size is the ECC block; Packet/Inc and FP stay clear, as the
/// overwritable media report.
pub(crate) fn track_information(
    disc: &SequentialLayout,
    g: &Geometry,
    address_type: TrackAddressType,
    address: u32,
) -> MediumResult<TrackInformation> {
    let mut info = TrackInformation {
        track_number: 0,
        session_number: 0,
        layer_jump_recording_status: 0,
        damage: false,
        copy: false,
        track_mode: 4,
        reserved_track: false,
        blank: false,
        packet: false,
        fixed_packet: false,
        data_mode: 1,
        track_start: 0,
        next_writable_address: None,
        free_blocks: 0,
        fixed_packet_size: g.ecc_block,
        track_size: 0,
        last_recorded_address: None,
        read_compatibility_lba: Some(0),
        next_layer_jump_address: Some(0),
        last_layer_jump_address: Some(0),
        cut_bytes: 0,
    };
    let lra = |end: u32| (g.last_recorded_address_valid && end > 0).then(|| end - 1);
    match find_target(disc, g, address_type, address)? {
        Target::Recorded { session, track } => {
            info.track_number = track.number;
            info.session_number = session;
            info.track_start = track.start;
            info.track_size = track.recorded;
            info.last_recorded_address = lra(track.data_end());
        }
        Target::Next(next) => {
            let reserved = disc
                .open_track
                .as_ref()
                .filter(|t| t.number == next.number)
                .and_then(|t| t.reserved);
            info.track_number = next.number;
            info.session_number = next.session;
            info.reserved_track = reserved.is_some();
            info.blank = next.written == 0;
            info.track_start = next.start;
            info.next_writable_address = Some(next.next_writable_address());
            info.free_blocks = next.free;
            // An incomplete track reaches to the end of the disc; a reserved one is its
            // reservation.
            info.track_size = reserved.unwrap_or(next.written.saturating_add(next.free));
            if next.written > 0 {
                info.last_recorded_address = lra(next.next_writable_address());
            }
        }
    }
    Ok(info)
}

/// READ TOC/PMA/ATIP: the TOC a DVD or BD drive makes up from the closed sessions (MMC-6
/// 6.26.3.2.5, 6.26.3.3.3; libburn's cookbook: "a fictional information much at the
/// discretion of the drive"). Format 0 lists every track of the closed sessions and the
/// lead-out after the last; format 1 the first track of the last closed session. ADR 1 and
/// CONTROL 4 ("always 14h" for DVD, Pioneer R8). With no closed session there is no TOC
/// (05/24/00, as on a blank CD-R); MSF addresses and the CD formats are invalid fields.
pub(crate) fn read_toc(disc: &SequentialLayout, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
    if cdb.msf {
        return Err(invalid_cdb_field(1, Some(1)));
    }
    let closed: Vec<&Track> = disc
        .closed_sessions()
        .flat_map(|(_, s)| s.tracks.iter())
        .collect();
    let (Some(first), Some(last)) = (closed.first(), closed.last()) else {
        return Err(invalid_cdb_field(2, None));
    };
    let descriptor = |number: u8, address: u32| TrackDescriptor {
        adr: 1,
        control: 4,
        track_number: number,
        address,
    };
    // The TOC's track number is one byte in which AAh is the lead-out: numbers above 99
    // (a disc of many sessions) are capped at 99 (INF).
    let byte = |n: u16| u8::try_from(n).unwrap_or(99);
    match cdb.format {
        TocFormat::Toc => {
            let from = cdb.track_session_number;
            if from != LEAD_OUT_TRACK && u16::from(from) > last.number {
                return Err(invalid_cdb_field(6, None));
            }
            let mut tracks: Vec<TrackDescriptor> = closed
                .iter()
                .filter(|t| from != LEAD_OUT_TRACK && t.number >= u16::from(from))
                .map(|t| descriptor(byte(t.number), t.start))
                .collect();
            tracks.push(descriptor(LEAD_OUT_TRACK, last.data_end()));
            Ok(FormattedToc {
                first_track: byte(first.number),
                last_track: byte(last.number),
                tracks,
                cut_bytes: 0,
            }
            .to_bytes())
        }
        TocFormat::SessionInfo => {
            let (number, session) = disc
                .closed_sessions()
                .last()
                .ok_or_else(|| invalid_cdb_field(2, None))?;
            let track = session
                .first_track()
                .ok_or_else(|| invalid_cdb_field(2, None))?;
            Ok(MultiSessionInfo {
                first_complete_session: 1,
                last_complete_session: u8::try_from(number).unwrap_or(u8::MAX),
                first_track_in_last_session: descriptor(byte(track.number), track.start),
                cut_bytes: 0,
            }
            .to_bytes())
        }
        _ => Err(invalid_cdb_field(2, None)),
    }
}
