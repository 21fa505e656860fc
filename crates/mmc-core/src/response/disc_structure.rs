//! READ DISC STRUCTURE data (MMC-6 6.22): format 00h, DVD physical format information (the
//! layer descriptor, ECMA-267 3.3), and format C0h, write protection status.
//!
//! Both start with a 4-byte header whose first two bytes count the bytes after them.

use serde::{Deserialize, Serialize};

use super::{frame_be16, len_u16, wire_enum, ResponseFormat};
use crate::layout::{fixed_layout, BeField};
use crate::wire::{ParseError, Writer};

const HEADER_LEN: usize = 4;
/// Bytes of the layer descriptor decoded (data bytes 0-16).
const LAYER_DESCRIPTOR_LEN: usize = 17;
/// Media-specific bytes of a full physical format structure (2048 - 17).
pub const MEDIA_SPECIFIC_LEN: usize = 2031;

wire_enum! {
    /// Book Type (layer descriptor byte 0 bits 7-4).
    pub enum BookType: u8 as from_u8 / to_u8 {
        DvdRom = 0x0 => "DVD-ROM",
        DvdRam = 0x1 => "DVD-RAM",
        DvdR = 0x2 => "DVD-R",
        DvdRw = 0x3 => "DVD-RW",
        HdDvdRom = 0x4 => "HD DVD-ROM",
        HdDvdRam = 0x5 => "HD DVD-RAM",
        HdDvdR = 0x6 => "HD DVD-R",
        DvdPlusRw = 0x9 => "DVD+RW",
        DvdPlusR = 0xA => "DVD+R",
        DvdPlusRwDualLayer = 0xD => "DVD+RW DL",
        DvdPlusRDualLayer = 0xE => "DVD+R DL",
    }
}

fixed_layout! {
    /// DVD physical format information (format 00h). Byte numbers are the response's (the
    /// layer descriptor starts at byte 4).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DvdPhysicalFormat {
        /// Byte 4 bits 7-4.
        pub book_type: BookType = code(4, 4, 4),
        /// Byte 4 bits 3-0.
        pub part_version: u8 = uint(4, 0, 4),
        /// Byte 5 bits 7-4: 0 = 120 mm, 1 = 80 mm.
        pub disc_size: u8 = uint(5, 4, 4),
        /// Byte 5 bits 3-0: 0 = 2.52, 1 = 5.04, 2 = 10.08, 3 = 20.16, 4 = 30.24 Mbit/s,
        /// Fh = not specified.
        pub maximum_rate: u8 = uint(5, 0, 4),
        /// Byte 6 bits 6-5: number of layers minus one.
        pub number_of_layers: u8 = uint(6, 5, 2),
        /// Byte 6 bit 4: 0 parallel track path, 1 opposite track path.
        pub track_path: bool = flag(6, 4),
        /// Byte 6 bits 3-0: bit 0 embossed, bit 1 recordable, bit 2 rewritable.
        pub layer_type: u8 = uint(6, 0, 4),
        /// Byte 7 bits 7-4.
        pub linear_density: u8 = uint(7, 4, 4),
        /// Byte 7 bits 3-0.
        pub track_density: u8 = uint(7, 0, 4),
        /// Bytes 9-11 (30000h for DVD).
        pub data_area_start: u32 = be24(9),
        /// Bytes 13-15.
        pub data_area_end: u32 = be24(13),
        /// Bytes 17-19: end sector of layer 0 (opposite track path).
        pub layer0_end: u32 = be24(17),
        /// Byte 20 bit 7: a Burst Cutting Area is present.
        pub bca: bool = flag(20, 7),
        /// The media-specific bytes that followed (up to 2031).
        pub media_specific: Vec<u8>,
        pub cut_bytes: usize,
    }
}

impl DvdPhysicalFormat {
    /// Number of layers (1 or 2).
    pub fn layers(&self) -> u8 {
        self.number_of_layers + 1
    }
}

impl ResponseFormat for DvdPhysicalFormat {
    const NAME: &'static str = "READ DISC STRUCTURE format 00h data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let (f, _) = frame_be16(
            bytes,
            what,
            "data length",
            HEADER_LEN + LAYER_DESCRIPTOR_LEN,
        )?;
        let media_specific = f
            .bytes
            .get(HEADER_LEN + LAYER_DESCRIPTOR_LEN..)
            .unwrap_or(&[]);
        Ok(DvdPhysicalFormat {
            media_specific: media_specific
                .get(..MEDIA_SPECIFIC_LEN)
                .unwrap_or(media_specific)
                .to_vec(),
            cut_bytes: f.cut,
            ..Self::read_fields(f.bytes)
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + LAYER_DESCRIPTOR_LEN + self.media_specific.len().min(MEDIA_SPECIFIC_LEN)
    }

    fn write(&self, w: &mut Writer<'_>) {
        let ms = self.media_specific.len().min(MEDIA_SPECIFIC_LEN);
        let mut fixed = [0u8; HEADER_LEN + LAYER_DESCRIPTOR_LEN];
        BeField::write(len_u16(self.buffer_len() - 2), &mut fixed, 0);
        self.write_fields(&mut fixed);
        w.put(&fixed);
        w.put(self.media_specific.get(..ms).unwrap_or(&[]));
    }
}

/// The content descriptor of the DVD+RW Write Inhibit Disc Control Block ("WDC" and a zero
/// byte), asked for with READ DISC STRUCTURE (MMC-6 6.23) format 30h.
pub const WRITE_INHIBIT_DCB: u32 = 0x5744_4300;

fixed_layout! {
    /// Write protection status (format C0h); byte numbers are the response's.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct WriteProtectionStatus {
        /// MSWI: media-specific write inhibition (e.g. a DVD+RW write-inhibit DCB).
        pub media_specific_write_inhibit: bool = flag(4, 3),
        /// CWP: cartridge write protection.
        pub cartridge_write_protect: bool = flag(4, 2),
        /// PWP: persistent write protection.
        pub persistent_write_protect: bool = flag(4, 1),
        /// SWPP: software write protection until power-down.
        pub software_write_protect: bool = flag(4, 0),
        pub cut_bytes: usize,
    }
}

impl WriteProtectionStatus {
    /// True when any kind of write protection is in force.
    pub fn is_protected(&self) -> bool {
        self.media_specific_write_inhibit
            || self.cartridge_write_protect
            || self.persistent_write_protect
            || self.software_write_protect
    }
}

impl ResponseFormat for WriteProtectionStatus {
    const NAME: &'static str = "READ DISC STRUCTURE format C0h data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let (f, _) = frame_be16(bytes, what, "data length", HEADER_LEN + 1)?;
        Ok(WriteProtectionStatus {
            cut_bytes: f.cut,
            ..Self::read_fields(f.bytes)
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + 4
    }

    fn write(&self, w: &mut Writer<'_>) {
        let mut out = [0u8; HEADER_LEN + 4];
        BeField::write(6u16, &mut out, 0);
        self.write_fields(&mut out);
        w.put(&out);
    }
}
