//! READ DISC INFORMATION and READ TRACK INFORMATION replies for a CD-R (MMC-6 6.22, 6.27).

use mmc_core::cdb::TrackAddressType;
use mmc_core::response::disc_info::{DiscStatus, DiscType, LastSessionState};
use mmc_core::response::{DiscInformation, Msf, TrackInformation};
use mmc_core::sense::{triples, SenseKeySpecific};

use super::layout::{CdLayout, DiscState, NextTrack, Track, ATIP_LEAD_IN_START, PREGAP};
use crate::medium::{MediumError, MediumResult};

/// A CD address field `00 M S F` (READ DISC INFORMATION, READ TOC with MSF=1), or
/// FFFFFFFFh when no MSF names the address.
pub(crate) fn msf_field(lba: i64) -> u32 {
    msf_of(lba).map_or(u32::MAX, Msf::to_address_field)
}

/// The MSF of an LBA, by the M ≥ 90 rule for the lead-in.
pub(crate) fn msf_of(lba: i64) -> Option<Msf> {
    i32::try_from(lba).ok().and_then(Msf::from_lba)
}

/// An LBA as a 32-bit two's-complement field.
pub(crate) fn lba_field(lba: i64) -> u32 {
    i32::try_from(lba).map_or(u32::MAX, |v| v as u32)
}

/// Standard disc information.
pub(crate) fn disc_information(disc: &CdLayout) -> DiscInformation {
    let mut info = DiscInformation::blank(false);
    let next = disc.next_track();
    let last_index = disc.sessions.len().saturating_sub(1);
    // MMC-6 6.22.3.1.9: the disc type comes from the A0 PSEC of the first session.
    info.disc_type = match disc.sessions.first() {
        Some(s) if s.closing.is_some() => DiscType::from_u8(s.disc_type),
        _ => DiscType::CdDaOrCdRom,
    };
    info.last_possible_lead_out_start = msf_field(disc.limit());
    match disc.state() {
        DiscState::Blank => {
            info.last_session_lead_in_start = msf_field(ATIP_LEAD_IN_START);
        }
        DiscState::OpenSession => {
            info.disc_status = DiscStatus::Incomplete;
            info.last_session_state = LastSessionState::Incomplete;
            info.sessions = disc.session_count();
            let first_in_last = disc
                .sessions
                .last()
                .and_then(|s| s.first_track())
                .or(disc.open_track.as_ref())
                .map_or(0, |t| t.number);
            info.first_track_in_last_session = first_in_last.into();
            info.last_track_in_last_session =
                next.map_or(disc.last_track_number(), |n| n.number).into();
            info.last_session_lead_in_start = msf_field(disc.lead_in_start(last_index));
        }
        DiscState::Appendable => {
            // The empty session to come counts as the last session (MMC-6 6.22.3.1.5), and
            // its invisible track is its first and last track.
            info.disc_status = DiscStatus::Incomplete;
            info.last_session_state = LastSessionState::Empty;
            info.sessions = disc.session_count().saturating_add(1);
            let number = next.map_or(0, |n| n.number);
            info.first_track_in_last_session = number.into();
            info.last_track_in_last_session = number.into();
            info.last_session_lead_in_start = msf_field(disc.lead_in_start(disc.sessions.len()));
        }
        DiscState::Complete => {
            info.disc_status = DiscStatus::Complete;
            info.last_session_state = LastSessionState::Complete;
            info.sessions = disc.session_count();
            let last = disc.sessions.last();
            info.first_track_in_last_session = last
                .and_then(|s| s.first_track())
                .map_or(0, |t| t.number)
                .into();
            info.last_track_in_last_session = disc.last_track_number().into();
            // Nothing more can be recorded: no lead-in to come, no lead-out limit.
            info.last_session_lead_in_start = u32::MAX;
            info.last_possible_lead_out_start = u32::MAX;
        }
    }
    info
}

/// What READ TRACK INFORMATION asked about.
enum Target<'a> {
    Recorded { session: u16, track: &'a Track },
    Next(NextTrack),
}

/// The track-address field of READ TRACK INFORMATION (bytes 2-5), for the field pointer.
fn bad_address() -> MediumError {
    MediumError::new(triples::INVALID_FIELD_IN_CDB).with_sks(SenseKeySpecific::FieldPointer {
        in_cdb: true,
        bit: None,
        byte: 2,
    })
}

fn find_target(
    disc: &CdLayout,
    address_type: TrackAddressType,
    address: u32,
) -> MediumResult<Target<'_>> {
    let next = disc.next_track();
    match address_type {
        TrackAddressType::Lba => {
            // The address is a two's-complement LBA; a track spans its pre-gap to its end.
            let lba = i64::from(address as i32);
            let recorded = disc
                .tracks()
                .find(|(_, t)| lba >= t.start() - PREGAP && lba < t.end());
            if let Some((session, track)) = recorded {
                return Ok(Target::Recorded { session, track });
            }
            match next {
                Some(n) if lba >= n.start - PREGAP && lba < disc.limit() => Ok(Target::Next(n)),
                _ => Err(MediumError::new(triples::LBA_OUT_OF_RANGE)
                    .with_information(u64::from(address))),
            }
        }
        TrackAddressType::TrackNumber => {
            let wanted = if address == 0xFF {
                next.map(|n| n.number)
            } else {
                u8::try_from(address).ok()
            };
            let wanted = wanted.ok_or_else(bad_address)?;
            if let Some((session, track)) = disc.tracks().find(|(_, t)| t.number == wanted) {
                return Ok(Target::Recorded { session, track });
            }
            match next {
                Some(n) if n.number == wanted => Ok(Target::Next(n)),
                _ => Err(bad_address()),
            }
        }
        TrackAddressType::SessionNumber => {
            let wanted = u16::try_from(address).map_err(|_| bad_address())?;
            let first = wanted
                .checked_sub(1)
                .and_then(|i| disc.sessions.get(usize::from(i)))
                .and_then(|s| s.first_track());
            if let Some(track) = first {
                return Ok(Target::Recorded {
                    session: wanted,
                    track,
                });
            }
            match next {
                Some(n) if n.session == wanted => Ok(Target::Next(n)),
                _ => Err(bad_address()),
            }
        }
        TrackAddressType::Unknown(_) => Err(MediumError::new(triples::INVALID_FIELD_IN_CDB)
            .with_sks(SenseKeySpecific::FieldPointer {
                in_cdb: true,
                bit: Some(1),
                byte: 1,
            })),
    }
}

/// READ TRACK INFORMATION. `data_mode` and `control` describe the invisible track as the
/// current write parameters would record it.
pub(crate) fn track_information(
    disc: &CdLayout,
    address_type: TrackAddressType,
    address: u32,
    data_mode: u8,
    control: u8,
) -> MediumResult<TrackInformation> {
    let mut info = TrackInformation {
        track_number: 0,
        session_number: 0,
        layer_jump_recording_status: 0,
        damage: false,
        copy: false,
        track_mode: control,
        reserved_track: false,
        blank: false,
        packet: false,
        fixed_packet: false,
        data_mode,
        track_start: 0,
        next_writable_address: None,
        free_blocks: 0,
        // CD has no blocking factor.
        fixed_packet_size: 0,
        track_size: 0,
        last_recorded_address: None,
        // The MMC-6 48-byte layout current drives send; these fields are zero on CD.
        read_compatibility_lba: Some(0),
        next_layer_jump_address: Some(0),
        last_layer_jump_address: Some(0),
        cut_bytes: 0,
    };
    match find_target(disc, address_type, address)? {
        Target::Recorded { session, track } => {
            info.track_number = track.number.into();
            info.session_number = session;
            info.track_mode = track.control;
            info.data_mode = track.data_mode;
            info.track_start = lba_field(track.start());
            // The size counts the 2 run-out blocks of a TAO track.
            info.track_size = track.size();
            info.last_recorded_address = Some(lba_field(track.data_end() - 1));
        }
        Target::Next(next) => {
            if let Some(open) = &disc.open_track {
                info.track_mode = open.control;
                info.data_mode = open.data_mode;
            }
            info.track_number = next.number.into();
            info.session_number = next.session;
            info.blank = next.written == 0;
            info.track_start = lba_field(next.start);
            let nwa = next.next_writable_address();
            info.next_writable_address = next.writable.then(|| lba_field(nwa));
            info.free_blocks = next.free;
            // The invisible track extends to the end of the disc: what is written plus
            // what may still be.
            info.track_size = next.written.saturating_add(next.free);
            info.last_recorded_address = (next.written > 0).then(|| lba_field(nwa - 1));
        }
    }
    Ok(info)
}
