//! READ TRACK INFORMATION data (MMC-6 6.27.3): 48 bytes on current drives; MMC-2/MMC-3
//! drives send 28, 36 or 40 bytes, and the fields they lack are `None`.

use serde::{Deserialize, Serialize};

use super::{bit, flag, frame_be16, len_u16, ResponseFormat};
use crate::layout::{fixed_layout, or_byte, BeField};
use crate::wire::{be32_at, byte_at, ParseError, Writer};

/// Bytes a drive must send for the fields every MMC version has (through Track Size).
pub const TRACK_INFORMATION_MIN_LEN: usize = 28;
/// The MMC-6 length.
pub const TRACK_INFORMATION_LEN: usize = 48;

fixed_layout! {
    /// Track information for one track.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct TrackInformation {
        /// Bytes 2 (LSB) and 32 (MSB).
        pub track_number: u16 = split16(2, 32),
        /// Bytes 3 (LSB) and 33 (MSB).
        pub session_number: u16 = split16(3, 33),
        /// LJRS (byte 5 bits 7-6): layer jump recording status.
        pub layer_jump_recording_status: u8 = uint(5, 6, 2),
        /// Damage: the track is damaged (with NWA_V=0: not closed and not writable).
        pub damage: bool = flag(5, 5),
        pub copy: bool = flag(5, 4),
        /// Byte 5 bits 3-0: the CONTROL nibble (4 data uninterrupted, 5 data incremental).
        pub track_mode: u8 = uint(5, 0, 4),
        /// RT: reserved track.
        pub reserved_track: bool = flag(6, 7),
        pub blank: bool = flag(6, 6),
        /// Packet/Inc: written in packets (incremental).
        pub packet: bool = flag(6, 5),
        /// FP: fixed-size packets.
        pub fixed_packet: bool = flag(6, 4),
        /// Byte 6 bits 3-0: 1 mode 1, 2 mode 2, Fh unknown.
        pub data_mode: u8 = uint(6, 0, 4),
        /// Bytes 8-11.
        pub track_start: u32 = be(8),
        /// Bytes 12-15, present only when NWA_V (byte 7 bit 0) is set (MMC-6 6.27.3.9:
        /// otherwise the field holds no address).
        pub next_writable_address: Option<u32>,
        /// Bytes 16-19.
        pub free_blocks: u32 = be(16),
        /// Bytes 20-23: fixed packet size, or the blocking factor (16 DVD, 32 BD).
        pub fixed_packet_size: u32 = be(20),
        /// Bytes 24-27 (includes the 2 run-out blocks of a TAO CD track).
        pub track_size: u32 = be(24),
        /// Bytes 28-31, present when LRA_V (byte 7 bit 1) is set and the bytes arrived.
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
        let (f, _) = frame_be16(
            bytes,
            what,
            "track information length",
            TRACK_INFORMATION_MIN_LEN,
        )?;
        // The frame holds the 28 bytes every version sends; the rest are optional.
        let b = f.bytes;
        let opt32 = |off: usize| be32_at(b, off);
        let b7 = byte_at(b, 7);
        Ok(TrackInformation {
            next_writable_address: if bit(b7, 0) { opt32(12) } else { None },
            last_recorded_address: if bit(b7, 1) { opt32(28) } else { None },
            read_compatibility_lba: opt32(36),
            next_layer_jump_address: opt32(40),
            last_layer_jump_address: opt32(44),
            cut_bytes: f.cut,
            ..Self::read_fields(b)
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
        let mut out = [0u8; TRACK_INFORMATION_LEN];
        BeField::write(len_u16(n - 2), &mut out, 0);
        self.write_fields(&mut out);
        or_byte(
            &mut out,
            7,
            flag(self.last_recorded_address.is_some(), 1)
                | flag(self.next_writable_address.is_some(), 0),
        );
        for (off, v) in [
            (12, self.next_writable_address),
            (28, self.last_recorded_address),
            (36, self.read_compatibility_lba),
            (40, self.next_layer_jump_address),
            (44, self.last_layer_jump_address),
        ] {
            BeField::write(v.unwrap_or(0), &mut out, off);
        }
        w.put(out.get(..n).unwrap_or(&out));
    }
}
