//! What is on the disc: READ DISC INFORMATION (MMC-5 6.22), READ TRACK INFORMATION, READ
//! TOC/PMA/ATIP, READ DISC STRUCTURE and READ CAPACITY.

use super::error::CdbError;
use super::layout::{cdb, CdbField};
use super::repr::{Transfer, CONTROL_VENDOR_BITS};
use crate::layout::or_byte;
use crate::wire::{bits, byte_at, put_bits, wire_enum};

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

cdb! {
    /// READ DISC INFORMATION (51h): disc status (blank, appendable, complete), sessions, the
    /// background format status.
    pub struct ReadDiscInformation = ReadDiscInformation, 10 {
        /// Byte 1 bits 2-0.
        pub data_type: DiscInformationType = code(1, 0, 3),
        /// Bytes 7-8 (34 for the standard data without OPC tables).
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

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

cdb! {
    /// READ TRACK INFORMATION (52h): a track's start, Next Writable Address, free blocks.
    pub struct ReadTrackInformation = ReadTrackInformation, 10 {
        /// Byte 1 bit 2 Open (MMC-6): report the first open track/session instead.
        pub open: bool = flag(1, 2),
        /// Byte 1 bits 1-0.
        pub address_type: TrackAddressType = code(1, 0, 2),
        /// Bytes 2-5: an LBA (two's complement bits kept as `u32`; cast with `as i32`), a track
        /// number or a session number, by `address_type`.
        pub address: u32 = be(2),
        /// Bytes 7-8 (48 for the full MMC-6 data).
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

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
}

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

cdb! {
    /// READ TOC/PMA/ATIP (43h). libburn reads the full TOC in MSF with `43 02 02 ...`, the
    /// ATIP with `43 02 04 ...` and the multisession info with `43 00 01 ...`.
    ///
    /// Decoding follows SCSI-2 era hosts too: when byte 2's format is 0 and Control bits 7-6
    /// are not, those bits are the format (old cdrecord sends the format there). Encoding always
    /// puts the format in byte 2 and sends Control 00h.
    pub struct ReadTocPmaAtip = ReadTocPmaAtip, 10 {
        /// Byte 1 bit 1: addresses as minute/second/frame instead of LBA.
        pub msf: bool = flag(1, 1),
        /// Byte 2 bits 3-0 (or Control bits 7-6, see above).
        pub format: TocFormat = with(TocFormatField),
        /// Byte 6: first track (format 0) or session (format 2) to report.
        pub track_session_number: u8 = be(6),
        /// Bytes 7-8.
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

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
}

/// READ TOC/PMA/ATIP byte 2 bits 3-0, or the old format in Control (byte 9) bits 7-6.
struct TocFormatField;

impl CdbField for TocFormatField {
    type Value = TocFormat;
    const MARKS: &'static [(usize, u8, usize)] = &[(2, 0x0F, 1)];

    fn read(cdb: &[u8]) -> Result<TocFormat, CdbError> {
        let format = match (
            bits(byte_at(cdb, 2), 0, 4),
            byte_at(cdb, 9) & CONTROL_VENDOR_BITS,
        ) {
            (0, old) if old != 0 => old >> 6,
            (format, _) => format,
        };
        Ok(TocFormat::from_u8(format))
    }

    fn write(value: TocFormat, cdb: &mut [u8]) {
        or_byte(cdb, 2, put_bits(value.to_u8(), 0, 4));
    }
}

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

cdb! {
    /// READ DISC STRUCTURE (ADh): DVD/BD structures such as physical format information
    /// (format 00h), write protection status (C0h) or the list of structures (FFh). On CD media
    /// it fails.
    pub struct ReadDiscStructure = ReadDiscStructure, 12 {
        /// Byte 1 bits 3-0.
        pub media_type: DiscStructureMedia = code(1, 0, 4),
        /// Bytes 2-5: address, meaning set by the format code.
        pub address: u32 = be(2),
        /// Byte 6.
        pub layer_number: u8 = be(6),
        /// Byte 7: which structure.
        pub format_code: u8 = be(7),
        /// Bytes 8-9.
        pub allocation_length: u16 = be(8),
        /// Byte 10 bits 7-6: authentication grant ID (copy protection structures).
        pub agid: u8 = uint(10, 6, 2),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

cdb! {
    /// READ CAPACITY (25h): the last recorded LBA and the block length (8 bytes of data). The
    /// transfer is `In(8)`: the CDB has no allocation length.
    pub struct ReadCapacity = ReadCapacity, 10 {
        /// Bytes 2-5: logical block address for PMI (SBC; obsolete in MMC, normally 0).
        pub lba: i32 = be(2),
        /// Byte 8 bit 0 PMI: partial medium indicator (SBC; obsolete in MMC).
        pub partial_medium_indicator: bool = flag(8, 0),
    }
    transfer(c) => Transfer::In(ReadCapacity::DATA_LEN);
}

impl ReadCapacity {
    /// Bytes the drive returns: last LBA (4) and block length (4).
    pub const DATA_LEN: u32 = 8;
}
