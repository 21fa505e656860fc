//! The READ TOC/PMA/ATIP reply of a DVD+R or BD-R (MMC-6 6.26).

use mmc_core::cdb::{ReadTocPmaAtip, TocFormat};
use mmc_core::response::toc::{TrackDescriptor, LEAD_OUT_TRACK};
use mmc_core::response::{FormattedToc, MultiSessionInfo, ResponseFormat};

use super::SequentialLayout;
use crate::medium::overwritable::{invalid_cdb_field, toc_in_msf};
use crate::medium::recording::{lba_field, Track};
use crate::medium::MediumResult;

/// READ TOC/PMA/ATIP: the TOC a DVD or BD drive makes up from the closed sessions (MMC-6
/// 6.26.3.2.5, 6.26.3.3.3; libburn's cookbook: "a fictional information much at the
/// discretion of the drive"). Format 0 lists every track of the closed sessions and the
/// lead-out after the last; format 1 the first track of the last closed session. ADR 1 and
/// CONTROL 4 ("always 14h" for DVD, Pioneer R8). With no closed session there is no TOC
/// (05/24/00, as on a blank CD-R); the CD formats are invalid fields. With the MSF bit the
/// addresses are converted ([`toc_in_msf`]).
pub(crate) fn read_toc(disc: &SequentialLayout, cdb: &ReadTocPmaAtip) -> MediumResult<Vec<u8>> {
    if cdb.msf && matches!(cdb.format, TocFormat::Toc | TocFormat::SessionInfo) {
        let lba = ReadTocPmaAtip { msf: false, ..*cdb };
        return read_toc(disc, &lba).map(toc_in_msf);
    }
    let closed: Vec<&Track<()>> = disc
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
                .map(|t| descriptor(byte(t.number), lba_field(t.start)))
                .collect();
            tracks.push(descriptor(LEAD_OUT_TRACK, lba_field(last.data_end())));
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
                first_track_in_last_session: descriptor(byte(track.number), lba_field(track.start)),
                cut_bytes: 0,
            }
            .to_bytes())
        }
        _ => Err(invalid_cdb_field(2, None)),
    }
}
