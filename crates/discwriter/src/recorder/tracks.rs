//! The recorded tracks of a disc (READ DISC INFORMATION, READ TRACK INFORMATION).

use mmc_core::cdb::{ReadTrackInformation, TrackAddressType};
use mmc_core::response::TrackInformation;
use mmc_core::Transport;

use super::Recorder;
use crate::error::Error;

/// A recorded track of a write-once disc.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Track {
    pub number: u16,
    pub session: u16,
    pub start: u32,
    /// Sectors recorded in the track.
    pub recorded: u32,
    /// A data track (CD control nibble bit 2; always on DVD and BD).
    pub data: bool,
}

impl<T: Transport> Recorder<T> {
    /// READ TRACK INFORMATION of every track READ DISC INFORMATION lists, by number, in
    /// order (MMC-6 6.22, 6.27): the empty and invisible ones included.
    pub(crate) fn every_track(&mut self) -> Result<Vec<(u16, TrackInformation)>, Error> {
        let info = self.disc_information()?;
        let first = u16::from(info.first_track.max(1));
        (first..=info.last_track_in_last_session)
            .map(|number| {
                let t: TrackInformation = self.query(&ReadTrackInformation {
                    open: false,
                    address_type: TrackAddressType::TrackNumber,
                    address: u32::from(number),
                    allocation_length: 48,
                })?;
                Ok((number, t))
            })
            .collect()
    }

    /// The recorded tracks of the disc, in order; empty on a blank disc.
    pub fn recorded_tracks(&mut self) -> Result<Vec<Track>, Error> {
        let mut tracks = Vec::new();
        for (number, t) in self.every_track()? {
            let recorded = match (t.next_writable_address, t.last_recorded_address) {
                // An incomplete track: what was written before its next writable address.
                (Some(nwa), _) => nwa.saturating_sub(t.track_start),
                (None, Some(lra)) if lra >= t.track_start => lra - t.track_start + 1,
                (None, _) => t.track_size,
            };
            if t.blank || recorded == 0 {
                continue;
            }
            tracks.push(Track {
                number,
                session: t.session_number,
                start: t.track_start,
                recorded,
                data: t.track_mode & 0x04 != 0,
            });
        }
        Ok(tracks)
    }
}
