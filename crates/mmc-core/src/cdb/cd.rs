//! What only a CD carries: MMC-6 READ SUB-CHANNEL, the Q sub-channel's position, Media
//! Catalog Number and ISRC, and MMC-6 READ CD, whole 2352-byte sectors or parts of them.

use super::layout::cdb;
use super::repr::Transfer;
use crate::wire::wire_enum;

wire_enum! {
    /// READ SUB-CHANNEL Sub-channel Parameter List (byte 3, as MMC-6 lists the formats).
    #[serde(rename_all = "snake_case")]
    pub enum SubChannelFormat: u8 as from_u8 / to_u8 {
        /// 01h: the Q sub-channel where the head is (track, index, absolute and relative
        /// addresses).
        CurrentPosition = 0x01 => "CD current position",
        /// 02h: the Media Catalog Number (UPC/EAN, 13 digits).
        MediaCatalogNumber = 0x02 => "Media Catalog Number (UPC/bar code)",
        /// 03h: a track's International Standard Recording Code.
        Isrc = 0x03 => "Track International Standard Recording Code (ISRC)",
    }
}

cdb! {
    /// READ SUB-CHANNEL (42h). With SubQ 0 only the 4-byte header (the audio status) comes
    /// back. cdrdao and the Linux sr driver (CDROM_GET_MCN) send `42 00 40 02 00 00 00 00 18`.
    pub struct ReadSubchannel = ReadSubchannel, 10 {
        /// Byte 1 bit 1: addresses as minute/second/frame instead of LBA.
        pub msf: bool = flag(1, 1),
        /// Byte 2 bit 6 SubQ: return the sub-channel data, not only the header.
        pub subq: bool = flag(2, 6),
        /// Byte 3.
        pub format: SubChannelFormat = code(3, 0, 8),
        /// Byte 6: the track whose ISRC is asked for (format 03h only).
        pub track_number: u8 = be(6),
        /// Bytes 7-8.
        pub allocation_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(u32::from(c.allocation_length));
}

impl ReadSubchannel {
    /// The Media Catalog Number, as the sr driver asks for it (24 bytes).
    pub const fn media_catalog_number() -> Self {
        ReadSubchannel {
            msf: false,
            subq: true,
            format: SubChannelFormat::MediaCatalogNumber,
            track_number: 0,
            allocation_length: 24,
        }
    }
}

wire_enum! {
    /// READ CD Expected Sector Type (byte 1 bits 4-2, as MMC-6 codes it).
    #[serde(rename_all = "snake_case")]
    pub enum SectorType: u8 as from_u8 / to_u8 {
        /// 000b: any type.
        Any = 0b000 => "All types",
        /// 001b: CD-DA.
        CdDa = 0b001 => "CD-DA",
        /// 010b: Mode 1.
        Mode1 = 0b010 => "Mode 1",
        /// 011b: Mode 2 formless.
        Mode2 = 0b011 => "Mode 2 formless",
        /// 100b: Mode 2 Form 1.
        Mode2Form1 = 0b100 => "Mode 2 form 1",
        /// 101b: Mode 2 Form 2.
        Mode2Form2 = 0b101 => "Mode 2 form 2",
    }
}

cdb! {
    /// READ CD (BEh): `blocks` sectors from `lba`, with the parts byte 9 selects (a whole
    /// Mode 1 sector is `F8h`: sync, header, user data, EDC/ECC). cdrdao finds a data
    /// track's mode with `BE 00 lba 00 00 01 F8 00 00`; the Linux cdrom layer's
    /// CDROMREADMODE2 reads 2336 bytes with `58h`.
    pub struct ReadCd = ReadCd, 12 {
        /// Byte 1 bits 4-2.
        pub sector_type: SectorType = code(1, 2, 3),
        /// Byte 1 bit 1 DAP: digital audio play (error concealment on CD-DA).
        pub dap: bool = flag(1, 1),
        /// Bytes 2-5, two's complement.
        pub lba: i32 = be(2),
        /// Bytes 6-8: sectors to transfer.
        pub blocks: u32 = be24(6),
        /// Byte 9 bit 7: the 12 sync bytes.
        pub sync: bool = flag(9, 7),
        /// Byte 9 bits 6-5 Header Codes: 01b header, 10b sub-header, 11b both.
        pub header_codes: u8 = uint(9, 5, 2),
        /// Byte 9 bit 4: the user data.
        pub user_data: bool = flag(9, 4),
        /// Byte 9 bit 3: the EDC and ECC.
        pub edc_ecc: bool = flag(9, 3),
        /// Byte 9 bits 2-1: C2 error information.
        pub c2_errors: u8 = uint(9, 1, 2),
        /// Byte 10 bits 2-0: sub-channel data (000b none, 001b raw P-W, 010b Q, 100b R-W).
        pub sub_channel: u8 = uint(10, 0, 3),
    }
    transfer(c) => Transfer::data_in(c.blocks.saturating_mul(c.mode1_block_len()));
}

impl ReadCd {
    /// Header Codes 01b: the 4-byte header.
    pub const HEADER: u8 = 0b01;
    /// Header Codes 10b: the sub-header (Mode 2 form 1 and 2 only).
    pub const SUB_HEADER: u8 = 0b10;

    /// Bytes per sector of a Mode 1 sector with the parts this CDB selects (MMC-6's READ CD field table):
    /// sync 12, header 4, user data 2048, EDC and ECC 288 (a Mode 1 sector has no
    /// sub-header), plus 294 bytes of C2 pointers (296 with the block error byte) and 16 or
    /// 96 bytes of sub-channel.
    pub const fn mode1_block_len(&self) -> u32 {
        let mut n = 0;
        if self.sync {
            n += 12;
        }
        if self.header_codes & Self::HEADER != 0 {
            n += 4;
        }
        if self.user_data {
            n += 2048;
        }
        if self.edc_ecc {
            n += 288;
        }
        n += match self.c2_errors {
            0b01 => 294,
            0b10 => 296,
            _ => 0,
        };
        n + match self.sub_channel {
            0b001 | 0b100 => 96,
            0b010 => 16,
            _ => 0,
        }
    }
}
