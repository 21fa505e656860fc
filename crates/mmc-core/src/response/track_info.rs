//! READ TRACK INFORMATION data (MMC-6 6.27.3): 48 bytes on current drives; MMC-2/MMC-3
//! drives send 28, 36 or 40 bytes, and the fields they lack are `None`.

use serde::{Deserialize, Serialize};

use super::{bit, bits, flag, frame, put_bits, ResponseFormat};
use crate::wire::{be32_at, byte_at, ParseError, Reader, Writer};

/// Bytes a drive must send for the fields every MMC version has (through Track Size).
pub const TRACK_INFORMATION_MIN_LEN: usize = 28;
/// The MMC-6 length.
pub const TRACK_INFORMATION_LEN: usize = 48;

/// Track information for one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackInformation {
    /// Bytes 2 (LSB) and 32 (MSB).
    pub track_number: u16,
    /// Bytes 3 (LSB) and 33 (MSB).
    pub session_number: u16,
    /// LJRS (byte 5 bits 7-6): layer jump recording status.
    pub layer_jump_recording_status: u8,
    /// Damage: the track is damaged (with NWA_V=0: not closed and not writable).
    pub damage: bool,
    pub copy: bool,
    /// Byte 5 bits 3-0: the CONTROL nibble (4 data uninterrupted, 5 data incremental).
    pub track_mode: u8,
    /// RT: reserved track.
    pub reserved_track: bool,
    pub blank: bool,
    /// Packet/Inc: written in packets (incremental).
    pub packet: bool,
    /// FP: fixed-size packets.
    pub fixed_packet: bool,
    /// Byte 6 bits 3-0: 1 mode 1, 2 mode 2, Fh unknown.
    pub data_mode: u8,
    /// Bytes 8-11.
    pub track_start: u32,
    /// Bytes 12-15, present only when NWA_V is set (MMC-6 6.27.3.9: otherwise the field
    /// holds no address).
    pub next_writable_address: Option<u32>,
    /// Bytes 16-19.
    pub free_blocks: u32,
    /// Bytes 20-23: fixed packet size, or the blocking factor (16 DVD, 32 BD).
    pub fixed_packet_size: u32,
    /// Bytes 24-27 (includes the 2 run-out blocks of a TAO CD track).
    pub track_size: u32,
    /// Bytes 28-31, present when LRA_V is set and the bytes arrived.
    pub last_recorded_address: Option<u32>,
    /// Bytes 36-39 (MMC-4 and later).
    pub read_compatibility_lba: Option<u32>,
    /// Bytes 40-43 (DVD-R DL layer jump recording).
    pub next_layer_jump_address: Option<u32>,
    /// Bytes 44-47.
    pub last_layer_jump_address: Option<u32>,
    /// Bytes the length field announced that did not arrive.
    pub cut_bytes: usize,
}

impl TrackInformation {
    /// The first address past the writable part of the track (NWA + free blocks), when the
    /// next writable address is valid.
    pub fn writable_limit(&self) -> Option<u64> {
        self.next_writable_address
            .map(|nwa| u64::from(nwa) + u64::from(self.free_blocks))
    }
}

impl ResponseFormat for TrackInformation {
    const NAME: &'static str = "READ TRACK INFORMATION data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let len = Reader::new(bytes, what).u16("track information length")? as usize;
        let f = frame(
            bytes,
            what,
            "track information length",
            len,
            len + 2,
            TRACK_INFORMATION_MIN_LEN,
        )?;
        let b = f.bytes;
        let opt32 = |off: usize| be32_at(b, off);
        let (b5, b6, b7) = (byte_at(b, 5), byte_at(b, 6), byte_at(b, 7));
        let u32_at = |off: usize, field: &'static str| {
            be32_at(b, off).ok_or(ParseError::Truncated {
                what,
                field,
                need: off + 4,
                got: b.len(),
            })
        };
        Ok(TrackInformation {
            track_number: u16::from_be_bytes([byte_at(b, 32), byte_at(b, 2)]),
            session_number: u16::from_be_bytes([byte_at(b, 33), byte_at(b, 3)]),
            layer_jump_recording_status: bits(b5, 6, 2),
            damage: bit(b5, 5),
            copy: bit(b5, 4),
            track_mode: bits(b5, 0, 4),
            reserved_track: bit(b6, 7),
            blank: bit(b6, 6),
            packet: bit(b6, 5),
            fixed_packet: bit(b6, 4),
            data_mode: bits(b6, 0, 4),
            track_start: u32_at(8, "track start address")?,
            next_writable_address: if bit(b7, 0) { opt32(12) } else { None },
            free_blocks: u32_at(16, "free blocks")?,
            fixed_packet_size: u32_at(20, "fixed packet size")?,
            track_size: u32_at(24, "track size")?,
            last_recorded_address: if bit(b7, 1) { opt32(28) } else { None },
            read_compatibility_lba: opt32(36),
            next_layer_jump_address: opt32(40),
            last_layer_jump_address: opt32(44),
            cut_bytes: f.cut,
        })
    }

    /// 36 bytes (MMC-3), 40 with a read compatibility LBA, 48 with layer jump addresses.
    fn buffer_len(&self) -> usize {
        if self.next_layer_jump_address.is_some() || self.last_layer_jump_address.is_some() {
            TRACK_INFORMATION_LEN
        } else if self.read_compatibility_lba.is_some() {
            40
        } else {
            36
        }
    }

    fn write(&self, w: &mut Writer<'_>) {
        let n = self.buffer_len();
        let [t_msb, t_lsb] = self.track_number.to_be_bytes();
        let [s_msb, s_lsb] = self.session_number.to_be_bytes();
        w.u16((n - 2) as u16);
        w.u8(t_lsb).u8(s_lsb).u8(0);
        w.u8(put_bits(self.layer_jump_recording_status, 6, 2)
            | flag(self.damage, 5)
            | flag(self.copy, 4)
            | put_bits(self.track_mode, 0, 4));
        w.u8(flag(self.reserved_track, 7)
            | flag(self.blank, 6)
            | flag(self.packet, 5)
            | flag(self.fixed_packet, 4)
            | put_bits(self.data_mode, 0, 4));
        w.u8(flag(self.last_recorded_address.is_some(), 1)
            | flag(self.next_writable_address.is_some(), 0));
        w.u32(self.track_start);
        w.u32(self.next_writable_address.unwrap_or(0));
        w.u32(self.free_blocks);
        w.u32(self.fixed_packet_size);
        w.u32(self.track_size);
        w.u32(self.last_recorded_address.unwrap_or(0));
        w.u8(t_msb).u8(s_msb).zeros(2);
        if n >= 40 {
            w.u32(self.read_compatibility_lba.unwrap_or(0));
        }
        if n >= TRACK_INFORMATION_LEN {
            w.u32(self.next_layer_jump_address.unwrap_or(0));
            w.u32(self.last_layer_jump_address.unwrap_or(0));
        }
    }
}
