//! READ DISC INFORMATION and READ TRACK INFORMATION of a disc recorded in sessions (MMC-6
//! 6.22, 6.27): the same fields for every such medium, from its [`Layout`] and
//! [`RecordingGeometry`].

use mmc_core::cdb::TrackAddressType;
use mmc_core::response::disc_info::{DiscStatus, LastSessionState};
use mmc_core::response::{DiscInformation, Msf, TrackInformation};
use mmc_core::sense::triples;

use super::geometry::{AddressForm, RecordingGeometry};
use super::layout::{Layout, NextTrack, Session, Track};
use super::DiscState;
use crate::medium::overwritable::invalid_cdb_field;
use crate::medium::{MediumError, MediumResult};

/// An LBA as a 32-bit two's-complement field.
pub(crate) fn lba_field(lba: i64) -> u32 {
    i32::try_from(lba).map_or(u32::MAX, |v| v as u32)
}

/// An address as READ DISC INFORMATION gives it on this medium: `00 M S F` on CD
/// (FFFFFFFFh when no MSF names it), else the LBA.
fn address(g: &RecordingGeometry, lba: i64) -> u32 {
    match g.disc_info_addresses {
        AddressForm::Msf => i32::try_from(lba)
            .ok()
            .and_then(Msf::from_lba)
            .map_or(u32::MAX, Msf::to_address_field),
        AddressForm::Lba => lba_field(lba),
    }
}

/// Standard disc information (type 000b). The medium adds what is its own (the CD's disc
/// type).
pub(crate) fn disc_information<T: Clone, C>(
    disc: &Layout<T, C>,
    g: &RecordingGeometry,
) -> DiscInformation {
    let mut info = DiscInformation::blank(false);
    info.last_possible_lead_out_start = address(g, i64::from(g.capacity));
    let invisible = disc.invisible_track(g);
    let first_of = |s: Option<&Session<T, C>>| s.and_then(Session::first_track).map(|t| t.number);
    let count = disc.sessions.len();
    match disc.state() {
        DiscState::Blank => {
            info.last_session_lead_in_start = address(g, disc.lead_in_start(g, 0));
        }
        DiscState::OpenSession => {
            info.disc_status = DiscStatus::Incomplete;
            info.last_session_state = LastSessionState::Incomplete;
            info.sessions = disc.session_count();
            let first = first_of(disc.sessions.last())
                .or(disc.open_track.as_ref().map(|t| t.number))
                .unwrap_or(0);
            info.first_track_in_last_session = first;
            info.last_track_in_last_session =
                invisible.map_or(disc.last_track_number(), |n| n.number);
            let lead_in = disc.lead_in_start(g, count.saturating_sub(1));
            info.last_session_lead_in_start = address(g, lead_in);
        }
        DiscState::Appendable => {
            // The empty session to come is the last session (MMC-6 6.22.3.1.5); its
            // invisible track is its first and last.
            info.disc_status = DiscStatus::Incomplete;
            info.last_session_state = LastSessionState::Empty;
            info.sessions = disc.session_count().saturating_add(1);
            let number = invisible.map_or(0, |n| n.number);
            info.first_track_in_last_session = number;
            info.last_track_in_last_session = number;
            info.last_session_lead_in_start = address(g, disc.lead_in_start(g, count));
        }
        DiscState::Complete => {
            info.disc_status = DiscStatus::Complete;
            info.last_session_state = LastSessionState::Complete;
            info.sessions = disc.session_count();
            info.first_track_in_last_session = first_of(disc.sessions.last()).unwrap_or(0);
            info.last_track_in_last_session = disc.last_track_number();
            // Nothing more can be recorded: no lead-in to come, no lead-out limit
            // (Pioneer R11 4.18: FFFFFFFFh for both).
            info.last_session_lead_in_start = u32::MAX;
            info.last_possible_lead_out_start = u32::MAX;
        }
    }
    info
}

/// The track-address field (CDB bytes 2-5).
fn bad_address() -> MediumError {
    invalid_cdb_field(2, None)
}

/// What READ TRACK INFORMATION asked about.
enum Target<'a, T> {
    Recorded { session: u16, track: &'a Track<T> },
    Next(NextTrack),
}

fn find_target<'d, T: Clone, C>(
    disc: &'d Layout<T, C>,
    g: &RecordingGeometry,
    address_type: TrackAddressType,
    address: u32,
) -> MediumResult<Target<'d, T>> {
    let open_number = disc.open_track.as_ref().map(|t| t.number);
    let writable = disc.writable_track(g);
    let invisible = disc.invisible_track(g);
    // The open track answers as a writable track, with its next writable address.
    let open_or = |session: u16, track: &'d Track<T>| -> MediumResult<Target<'d, T>> {
        match writable {
            Some(w) if Some(track.number) == open_number => Ok(Target::Next(w)),
            _ => Ok(Target::Recorded { session, track }),
        }
    };
    let gap = i64::from(g.track_gap);
    match address_type {
        TrackAddressType::Lba => {
            // A two's-complement LBA; a track spans its gap (CD pre-gap) to its end.
            let lba = i64::from(address as i32);
            let spans = |t: &Track<T>| (t.start - gap..t.end().max(t.start + 1)).contains(&lba);
            if let Some((session, track)) = disc.tracks().find(|(_, t)| spans(t)) {
                return open_or(session, track);
            }
            match invisible {
                Some(n) if (n.start - gap..i64::from(g.capacity)).contains(&lba) => {
                    Ok(Target::Next(n))
                }
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

/// READ TRACK INFORMATION (MMC-6 6.27.3) for an LBA, a track number (FFh: the invisible
/// track) or a session number. `mode` gives a track's Track Mode and Data Mode from the
/// medium's record of it, or (with `None`) those of a track not yet written. Packet/Inc and
/// FP stay clear; the MMC-6 48-byte layout current drives send, its layer-jump fields zero.
pub(crate) fn track_information<T: Clone, C>(
    disc: &Layout<T, C>,
    g: &RecordingGeometry,
    address_type: TrackAddressType,
    address: u32,
    mode: impl Fn(Option<&T>) -> (u8, u8),
) -> MediumResult<TrackInformation> {
    let (track_mode, data_mode) = mode(None);
    let mut info = TrackInformation {
        track_number: 0,
        session_number: 0,
        layer_jump_recording_status: 0,
        damage: false,
        copy: false,
        track_mode,
        reserved_track: false,
        blank: false,
        packet: false,
        fixed_packet: false,
        data_mode,
        track_start: 0,
        next_writable_address: None,
        free_blocks: 0,
        fixed_packet_size: g.packet_size,
        track_size: 0,
        last_recorded_address: None,
        read_compatibility_lba: Some(0),
        next_layer_jump_address: Some(0),
        last_layer_jump_address: Some(0),
        cut_bytes: 0,
    };
    let lra = |end: i64| (g.last_recorded_address_valid && end > 0).then(|| lba_field(end - 1));
    match find_target(disc, g, address_type, address)? {
        Target::Recorded { session, track } => {
            (info.track_mode, info.data_mode) = mode(Some(&track.format));
            info.track_number = track.number;
            info.session_number = session;
            info.track_start = lba_field(track.start);
            // The size counts the run-out (CD TAO: 2 blocks).
            info.track_size = track.size();
            info.last_recorded_address = lra(track.data_end());
        }
        Target::Next(next) => {
            let open = disc.open_track.as_ref().filter(|t| t.number == next.number);
            if let Some(open) = open {
                (info.track_mode, info.data_mode) = mode(Some(&open.format));
            }
            let reserved = open.and_then(|t| t.reserved);
            info.track_number = next.number;
            info.session_number = next.session;
            info.reserved_track = reserved.is_some();
            info.blank = next.written == 0;
            info.track_start = lba_field(next.start);
            let nwa = next.next_writable_address();
            info.next_writable_address = next.writable.then(|| lba_field(nwa));
            info.free_blocks = next.free;
            // An incomplete track reaches to the end of the disc: what is written plus what
            // may still be; a reserved one is its reservation.
            info.track_size = reserved.unwrap_or(next.written.saturating_add(next.free));
            if next.written > 0 {
                info.last_recorded_address = lra(nwa);
            }
        }
    }
    Ok(info)
}
