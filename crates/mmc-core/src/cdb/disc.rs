//! What is on the disc: READ DISC INFORMATION (MMC-5 6.22), READ TRACK INFORMATION, READ
//! TOC/PMA/ATIP, READ DISC STRUCTURE and READ CAPACITY.

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{cdb_repr, check, Transfer, CONTROL_VENDOR_BITS};
use crate::wire::{bit, flag, wire_enum, CdbBytes};

wire_enum! {
    /// READ DISC INFORMATION data type (byte 1 bits 2-0).
    #[serde(rename_all = "snake_case")]
    pub enum DiscInformationType: u8 as from_u8 / to_u8 {
        /// 000b: standard disc information (status, sessions, tracks, lead-in, ...).
        Standard = 0b000 => "Standard Disc Information",
        /// 001b: track resources (MMC-5).
        TrackResources = 0b001 => "Track Resources Information",
        /// 010b: POW resources (BD-R pseudo-overwrite, MMC-6).
        PowResources = 0b010 => "POW Resources Information",
    }
}

/// READ DISC INFORMATION (51h): disc status (blank, appendable, complete), sessions, the
/// background format status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReadDiscInformation {
    /// Byte 1 bits 2-0.
    pub data_type: DiscInformationType,
    /// Bytes 7-8 (34 for the standard data without OPC tables).
    pub allocation_length: u16,
}

const READ_DISC_INFORMATION_USAGE: [u8; 10] = [0xFF, 0x07, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x00];

impl ReadDiscInformation {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, _, _, _, _, _, l0, l1, _] = check(
            cdb,
            Opcode::ReadDiscInformation,
            &READ_DISC_INFORMATION_USAGE,
        )?;
        Ok(ReadDiscInformation {
            data_type: DiscInformationType::from_u8(b1 & 0x07),
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    /// Bits of an `Unknown` data type beyond its 3-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x51,
            self.data_type.to_u8() & 0x07,
            0,
            0,
            0,
            0,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    ReadDiscInformation,
    Opcode::ReadDiscInformation,
    READ_DISC_INFORMATION_USAGE
);

wire_enum! {
    /// What the address field of READ TRACK INFORMATION holds (byte 1 bits 1-0).
    #[serde(rename_all = "snake_case")]
    pub enum TrackAddressType: u8 as from_u8 / to_u8 {
        /// 00b: a logical block address inside the track.
        Lba = 0b00 => "LBA",
        /// 01b: a track number (FFh: the invisible / incomplete track).
        TrackNumber = 0b01 => "Logical Track Number",
        /// 10b: a session number (the first track of that session).
        SessionNumber = 0b10 => "Session Number",
    }
}

/// READ TRACK INFORMATION (52h): a track's start, Next Writable Address, free blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReadTrackInformation {
    /// Byte 1 bit 2 Open (MMC-6): report the first open track/session instead.
    pub open: bool,
    /// Byte 1 bits 1-0.
    pub address_type: TrackAddressType,
    /// Bytes 2-5: an LBA (two's complement bits kept as `u32`; cast with `as i32`), a track
    /// number or a session number, by `address_type`.
    pub address: u32,
    /// Bytes 7-8 (48 for the full MMC-6 data).
    pub allocation_length: u16,
}

const READ_TRACK_INFORMATION_USAGE: [u8; 10] =
    [0xFF, 0x07, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0x00];

impl ReadTrackInformation {
    /// Track FFh: the invisible (CD) or incomplete (DVD+R, BD-R) track, whose NWA is where
    /// the next write goes.
    pub const INVISIBLE_TRACK: u32 = 0xFF;

    /// Information on track `track`.
    pub const fn track(track: u32, allocation_length: u16) -> Self {
        ReadTrackInformation {
            open: false,
            address_type: TrackAddressType::TrackNumber,
            address: track,
            allocation_length,
        }
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, _, l0, l1, _] = check(
            cdb,
            Opcode::ReadTrackInformation,
            &READ_TRACK_INFORMATION_USAGE,
        )?;
        Ok(ReadTrackInformation {
            open: bit(b1, 2),
            address_type: TrackAddressType::from_u8(b1 & 0x03),
            address: u32::from_be_bytes([a0, a1, a2, a3]),
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    /// Bits of an `Unknown` address type beyond its 2-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.address.to_be_bytes();
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x52,
            flag(self.open, 2) | (self.address_type.to_u8() & 0x03),
            a0,
            a1,
            a2,
            a3,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    ReadTrackInformation,
    Opcode::ReadTrackInformation,
    READ_TRACK_INFORMATION_USAGE
);

wire_enum! {
    /// READ TOC/PMA/ATIP format (byte 2 bits 3-0).
    #[serde(rename_all = "snake_case")]
    pub enum TocFormat: u8 as from_u8 / to_u8 {
        /// 0h: the formatted TOC (track descriptors and the lead-out).
        Toc = 0x0 => "Formatted TOC",
        /// 1h: multisession information (first track of the last session).
        SessionInfo = 0x1 => "Multi-session Information",
        /// 2h: the full (raw) TOC, Q sub-channel entries of every session.
        FullToc = 0x2 => "Raw TOC",
        /// 3h: the PMA.
        Pma = 0x3 => "PMA",
        /// 4h: the ATIP (CD-R/RW media information).
        Atip = 0x4 => "ATIP",
        /// 5h: CD-TEXT from the lead-in.
        CdText = 0x5 => "CD-TEXT",
    }
}

/// READ TOC/PMA/ATIP (43h). libburn reads the full TOC in MSF with `43 02 02 ...`, the
/// ATIP with `43 02 04 ...` and the multisession info with `43 00 01 ...`.
///
/// Decoding follows SCSI-2 era hosts too: when byte 2's format is 0 and Control bits 7-6
/// are not, those bits are the format (old cdrecord sends the format there). Encoding always
/// puts the format in byte 2 and sends Control 00h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReadTocPmaAtip {
    /// Byte 1 bit 1: addresses as minute/second/frame instead of LBA.
    pub msf: bool,
    /// Byte 2 bits 3-0.
    pub format: TocFormat,
    /// Byte 6: first track (format 0) or session (format 2) to report.
    pub track_session_number: u8,
    /// Bytes 7-8.
    pub allocation_length: u16,
}

const READ_TOC_USAGE: [u8; 10] = [0xFF, 0x02, 0x0F, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x00];

impl ReadTocPmaAtip {
    /// libburn's full-TOC request: MSF, format 2, from session 1... (`43 02 02 00 00 00 01`).
    pub const fn full_toc(allocation_length: u16) -> Self {
        ReadTocPmaAtip {
            msf: true,
            format: TocFormat::FullToc,
            track_session_number: 1,
            allocation_length,
        }
    }

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, b2, _, _, _, track_session_number, l0, l1, control] =
            check(cdb, Opcode::ReadTocPmaAtip, &READ_TOC_USAGE)?;
        let format = match (b2 & 0x0F, control & CONTROL_VENDOR_BITS) {
            (0, old) if old != 0 => old >> 6,
            (format, _) => format,
        };
        Ok(ReadTocPmaAtip {
            msf: bit(b1, 1),
            format: TocFormat::from_u8(format),
            track_session_number,
            allocation_length: u16::from_be_bytes([l0, l1]),
        })
    }

    /// Bits of an `Unknown` format beyond its 4-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x43,
            flag(self.msf, 1),
            self.format.to_u8() & 0x0F,
            0,
            0,
            0,
            self.track_session_number,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(ReadTocPmaAtip, Opcode::ReadTocPmaAtip, READ_TOC_USAGE);

wire_enum! {
    /// READ DISC STRUCTURE media type (byte 1 bits 3-0, MMC-5).
    #[serde(rename_all = "snake_case")]
    pub enum DiscStructureMedia: u8 as from_u8 / to_u8 {
        /// 0h: DVD and HD DVD structures.
        Dvd = 0x0 => "DVD and HD DVD",
        /// 1h: BD structures.
        Bd = 0x1 => "BD",
    }
}

/// READ DISC STRUCTURE (ADh): DVD/BD structures such as physical format information
/// (format 00h), write protection status (C0h) or the list of structures (FFh). On CD media
/// it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReadDiscStructure {
    /// Byte 1 bits 3-0.
    pub media_type: DiscStructureMedia,
    /// Bytes 2-5: address, meaning set by the format code.
    pub address: u32,
    /// Byte 6.
    pub layer_number: u8,
    /// Byte 7: which structure.
    pub format_code: u8,
    /// Bytes 8-9.
    pub allocation_length: u16,
    /// Byte 10 bits 7-6: authentication grant ID (copy protection structures).
    pub agid: u8,
}

const READ_DISC_STRUCTURE_USAGE: [u8; 12] = [
    0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC0, 0x00,
];

impl ReadDiscStructure {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, layer_number, format_code, l0, l1, b10, _] =
            check(cdb, Opcode::ReadDiscStructure, &READ_DISC_STRUCTURE_USAGE)?;
        Ok(ReadDiscStructure {
            media_type: DiscStructureMedia::from_u8(b1 & 0x0F),
            address: u32::from_be_bytes([a0, a1, a2, a3]),
            layer_number,
            format_code,
            allocation_length: u16::from_be_bytes([l0, l1]),
            agid: b10 >> 6,
        })
    }

    /// Bits of an `Unknown` media type (4 bits) and of `agid` (2 bits) beyond their fields
    /// are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.address.to_be_bytes();
        let [l0, l1] = self.allocation_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0xAD,
            self.media_type.to_u8() & 0x0F,
            a0,
            a1,
            a2,
            a3,
            self.layer_number,
            self.format_code,
            l0,
            l1,
            (self.agid & 0x03) << 6,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_in(u32::from(self.allocation_length))
    }
}
cdb_repr!(
    ReadDiscStructure,
    Opcode::ReadDiscStructure,
    READ_DISC_STRUCTURE_USAGE
);

/// READ CAPACITY (25h): the last recorded LBA and the block length (8 bytes of data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReadCapacity {
    /// Bytes 2-5: logical block address for PMI (SBC; obsolete in MMC, normally 0).
    pub lba: i32,
    /// Byte 8 bit 0 PMI: partial medium indicator (SBC; obsolete in MMC).
    pub partial_medium_indicator: bool,
}

const READ_CAPACITY_USAGE: [u8; 10] = [0xFF, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x01, 0x00];

impl ReadCapacity {
    /// Bytes the drive returns: last LBA (4) and block length (4).
    pub const DATA_LEN: u32 = 8;

    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, _, a0, a1, a2, a3, _, _, b8, _] =
            check(cdb, Opcode::ReadCapacity, &READ_CAPACITY_USAGE)?;
        Ok(ReadCapacity {
            lba: i32::from_be_bytes([a0, a1, a2, a3]),
            partial_medium_indicator: bit(b8, 0),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.lba.to_be_bytes();
        CdbBytes::from_slice(&[
            0x25,
            0,
            a0,
            a1,
            a2,
            a3,
            0,
            0,
            flag(self.partial_medium_indicator, 0),
            0,
        ])
    }

    /// `In(8)`: the CDB has no allocation length.
    pub fn expected_transfer(&self) -> Transfer {
        Transfer::In(Self::DATA_LEN)
    }
}
cdb_repr!(ReadCapacity, Opcode::ReadCapacity, READ_CAPACITY_USAGE);
