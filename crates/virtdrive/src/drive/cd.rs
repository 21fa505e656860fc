//! The commands only a CD answers: MMC-6 READ SUB-CHANNEL, the Q sub-channel where
//! the head is, the Media Catalog Number and a track's ISRC; and MMC-6 READ CD, whole
//! sectors or parts of them.

use mmc_core::cdb::{ReadCd, ReadSubchannel, SectorType, SubChannelFormat, TocFormat};
use mmc_core::response::msf::Msf;
use mmc_core::response::toc::{TrackDescriptor, LEAD_OUT_TRACK};
use mmc_core::response::{FormattedToc, ResponseFormat};
use mmc_core::sense::triples;
use mmc_core::DataPhase;

use super::{EmulatedDrive, Failure, Reply};
use crate::medium::cd_sector::{mode1_sector, EDC_AT, HEADER_AT, RAW_SECTOR, USER_DATA_AT};
use crate::medium::Medium;

/// READ SUB-CHANNEL header byte 1, Audio Status 15h: no current audio status to return (the
/// drive plays no audio).
const NO_AUDIO_STATUS: u8 = 0x15;
/// The most sectors one READ CD may move here (about 75 MiB), as READ (10) is bounded.
const MAX_READ_CD_BLOCKS: u32 = 32 * 1024;

/// The tracks of the formatted TOC, from track 1, as LBAs; empty when the disc has none.
fn toc_tracks(medium: &dyn Medium) -> Vec<TrackDescriptor> {
    let cdb = mmc_core::cdb::ReadTocPmaAtip {
        msf: false,
        format: TocFormat::Toc,
        track_session_number: 1,
        allocation_length: u16::MAX,
    };
    medium
        .read_toc(&cdb)
        .ok()
        .and_then(|bytes| FormattedToc::parse(&bytes).ok())
        .map(|toc| toc.tracks)
        .unwrap_or_default()
}

/// An address field of READ SUB-CHANNEL: an LBA, or `00 M S F` with the MSF bit (the
/// absolute address counts the 150-frame pre-gap; a relative one does not).
fn address(lba: i32, msf: bool, absolute: bool) -> [u8; 4] {
    if !msf {
        return lba.to_be_bytes();
    }
    let frames = if absolute {
        lba
    } else {
        lba.saturating_sub(150)
    };
    let m = Msf::from_lba(frames).unwrap_or_default();
    [0, m.minute, m.second, m.frame]
}

impl EmulatedDrive {
    /// READ SUB-CHANNEL on a CD: the header (Audio Status 15h), then with SubQ the format's
    /// data. The emulated discs carry neither an MCN nor ISRCs (MCVAL and
    /// TCVAL 0), and the head stays where the last read left it.
    pub(super) fn read_subchannel(&self, cdb: ReadSubchannel) -> Result<Reply, Failure> {
        let medium = self.medium_ref()?;
        // The Q sub-channel is a CD's (its sub-code, ECMA-130); a DVD or BD has none to report.
        if !medium.profile().is_cd() {
            return Err(Failure::invalid_cdb_field(3, None));
        }
        let tracks = toc_tracks(medium);
        let mut data: Vec<u8> = Vec::with_capacity(24);
        match cdb.format {
            SubChannelFormat::CurrentPosition => {
                let head = self.head;
                let track = tracks
                    .iter()
                    .rfind(|t| t.track_number != LEAD_OUT_TRACK && t.lba(false) <= head);
                let (adr_control, number, index, start) = match track {
                    Some(t) => (t.adr << 4 | t.control, t.track_number, 1, t.lba(false)),
                    None => (0, 0, 0, head),
                };
                data.extend_from_slice(&[0x01, adr_control, number, index]);
                data.extend_from_slice(&address(head, cdb.msf, true));
                data.extend_from_slice(&address(head.saturating_sub(start), cdb.msf, false));
            }
            SubChannelFormat::MediaCatalogNumber => {
                // Bytes 8 (MCVAL 0), 9-21 (the number), 22 (zero), 23 (AFRAME).
                data.extend_from_slice(&[0x02, 0, 0, 0]);
                data.extend_from_slice(&[0; 16]);
            }
            SubChannelFormat::Isrc => {
                let track = tracks
                    .iter()
                    .find(|t| t.track_number == cdb.track_number)
                    .filter(|t| t.track_number != LEAD_OUT_TRACK)
                    .ok_or(Failure::invalid_cdb_field(6, None))?;
                // Bytes 8 (TCVAL 0), 9-20 (the code), 21 (zero), 22 (AFRAME), 23.
                data.extend_from_slice(&[
                    0x03,
                    track.adr << 4 | track.control,
                    cdb.track_number,
                    0,
                ]);
                data.extend_from_slice(&[0; 16]);
            }
            SubChannelFormat::Unknown(_) => return Err(Failure::invalid_cdb_field(3, None)),
        }
        if !cdb.subq {
            data.clear();
        }
        let len = u16::try_from(data.len()).unwrap_or(0);
        let mut reply = vec![0, NO_AUDIO_STATUS];
        reply.extend_from_slice(&len.to_be_bytes());
        reply.extend_from_slice(&data);
        reply.truncate(usize::from(cdb.allocation_length));
        Ok(Reply::Data(reply))
    }

    /// READ CD of the emulated Mode 1 data sectors: each sector is built around its user
    /// data (sync, header, EDC and ECC), C2 pointers are zero (no errors).
    /// Another expected sector type is 05/64/00 ILLEGAL MODE FOR THIS TRACK (MMC-6 READ CD),
    /// as is READ CD of a DVD or BD; sub-channel data is not offered (05/24/00 on byte 10).
    pub(super) fn read_cd(
        &mut self,
        cdb: ReadCd,
        data: &mut DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        if !self.medium_ref()?.profile().is_cd() {
            return Err(Failure::sense(triples::ILLEGAL_MODE_FOR_THIS_TRACK));
        }
        if !matches!(cdb.sector_type, SectorType::Any | SectorType::Mode1) {
            return Err(Failure::sense(triples::ILLEGAL_MODE_FOR_THIS_TRACK));
        }
        if cdb.sub_channel != 0 {
            return Err(Failure::invalid_cdb_field(10, Some(2)));
        }
        if cdb.c2_errors == 0b11 {
            return Err(Failure::invalid_cdb_field(9, Some(2)));
        }
        if cdb.blocks > MAX_READ_CD_BLOCKS {
            return Err(Failure::invalid_cdb_field(6, None));
        }
        let per_block = cdb.mode1_block_len() as usize;
        let DataPhase::In(buf) = data else {
            return Ok(Reply::Done);
        };
        if per_block == 0 {
            return Ok(Reply::Done);
        }
        let fit = u32::try_from(buf.len() / per_block)
            .unwrap_or(u32::MAX)
            .min(cdb.blocks);
        let kbps = self.user_data_kbps(self.speed.read_kbps);
        let mut user = [0u8; 2048];
        let mut at = 0usize;
        for i in 0..fit {
            let lba = cdb.lba.saturating_add(i32::try_from(i).unwrap_or(i32::MAX));
            self.disc_mut()?.medium.read(lba, &mut user)?;
            let sector = mode1_sector(lba, &user);
            let block_start = at;
            let parts: [(bool, usize, usize); 4] = [
                (cdb.sync, 0, HEADER_AT),
                (
                    cdb.header_codes & ReadCd::HEADER != 0,
                    HEADER_AT,
                    USER_DATA_AT,
                ),
                (cdb.user_data, USER_DATA_AT, EDC_AT),
                (cdb.edc_ecc, EDC_AT, RAW_SECTOR),
            ];
            for (wanted, from, to) in parts {
                if !wanted {
                    continue;
                }
                let n = to - from;
                if let (Some(dst), Some(src)) = (buf.get_mut(at..at + n), sector.get(from..to)) {
                    dst.copy_from_slice(src);
                }
                at += n;
            }
            // C2 pointers (and the block error byte): zeros.
            let c2 = per_block.saturating_sub(at - block_start);
            if let Some(dst) = buf.get_mut(at..at + c2) {
                dst.fill(0);
            }
            at += c2;
            self.head = lba;
        }
        self.now = self
            .now
            .after(crate::clock::transfer_time(u64::from(fit), kbps));
        Ok(Reply::InPlace(at))
    }
}
