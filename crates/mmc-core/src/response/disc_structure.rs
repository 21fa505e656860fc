//! READ DISC STRUCTURE data (MMC-6 6.22): format 00h, DVD physical format information (the
//! layer descriptor, ECMA-267 3.3), and format C0h, write protection status.
//!
//! Both start with a 4-byte header whose first two bytes count the bytes after them.

use serde::{Deserialize, Serialize};

use super::{bit, bits, fixed, flag, frame_be16, len_u16, put_bits, wire_enum, ResponseFormat};
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

/// DVD physical format information (format 00h).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DvdPhysicalFormat {
    pub book_type: BookType,
    /// Byte 4 bits 3-0.
    pub part_version: u8,
    /// Byte 5 bits 7-4: 0 = 120 mm, 1 = 80 mm.
    pub disc_size: u8,
    /// Byte 5 bits 3-0: 0 = 2.52, 1 = 5.04, 2 = 10.08, 3 = 20.16, 4 = 30.24 Mbit/s,
    /// Fh = not specified.
    pub maximum_rate: u8,
    /// Byte 6 bits 6-5: number of layers minus one.
    pub number_of_layers: u8,
    /// Byte 6 bit 4: 0 parallel track path, 1 opposite track path.
    pub track_path: bool,
    /// Byte 6 bits 3-0: bit 0 embossed, bit 1 recordable, bit 2 rewritable.
    pub layer_type: u8,
    /// Byte 7 bits 7-4.
    pub linear_density: u8,
    /// Byte 7 bits 3-0.
    pub track_density: u8,
    /// Bytes 9-11 (30000h for DVD).
    pub data_area_start: u32,
    /// Bytes 13-15.
    pub data_area_end: u32,
    /// Bytes 17-19: end sector of layer 0 (opposite track path).
    pub layer0_end: u32,
    /// Byte 20 bit 7: a Burst Cutting Area is present.
    pub bca: bool,
    /// The media-specific bytes that followed (up to 2031).
    pub media_specific: Vec<u8>,
    pub cut_bytes: usize,
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
        let d = f.bytes.get(HEADER_LEN..).unwrap_or(&[]);
        let [b0, b1, b2, b3, _, s0, s1, s2, _, e0, e1, e2, _, l0, l1, l2, b16] =
            fixed(d, what, "BCA flag")?;
        let media_specific = d.get(LAYER_DESCRIPTOR_LEN..).unwrap_or(&[]);
        Ok(DvdPhysicalFormat {
            book_type: BookType::from_u8(bits(b0, 4, 4)),
            part_version: bits(b0, 0, 4),
            disc_size: bits(b1, 4, 4),
            maximum_rate: bits(b1, 0, 4),
            number_of_layers: bits(b2, 5, 2),
            track_path: bit(b2, 4),
            layer_type: bits(b2, 0, 4),
            linear_density: bits(b3, 4, 4),
            track_density: bits(b3, 0, 4),
            data_area_start: u32::from_be_bytes([0, s0, s1, s2]),
            data_area_end: u32::from_be_bytes([0, e0, e1, e2]),
            layer0_end: u32::from_be_bytes([0, l0, l1, l2]),
            bca: bit(b16, 7),
            media_specific: media_specific
                .get(..MEDIA_SPECIFIC_LEN)
                .unwrap_or(media_specific)
                .to_vec(),
            cut_bytes: f.cut,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + LAYER_DESCRIPTOR_LEN + self.media_specific.len().min(MEDIA_SPECIFIC_LEN)
    }

    fn write(&self, w: &mut Writer<'_>) {
        let ms = self.media_specific.len().min(MEDIA_SPECIFIC_LEN);
        w.u16(len_u16(self.buffer_len() - 2)).zeros(2);
        w.u8(put_bits(self.book_type.to_u8(), 4, 4) | put_bits(self.part_version, 0, 4));
        w.u8(put_bits(self.disc_size, 4, 4) | put_bits(self.maximum_rate, 0, 4));
        w.u8(put_bits(self.number_of_layers, 5, 2)
            | flag(self.track_path, 4)
            | put_bits(self.layer_type, 0, 4));
        w.u8(put_bits(self.linear_density, 4, 4) | put_bits(self.track_density, 0, 4));
        w.u8(0).u24(self.data_area_start);
        w.u8(0).u24(self.data_area_end);
        w.u8(0).u24(self.layer0_end);
        w.u8(flag(self.bca, 7));
        w.put(self.media_specific.get(..ms).unwrap_or(&[]));
    }
}

/// Write protection status (format C0h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteProtectionStatus {
    /// MSWI: media-specific write inhibition (e.g. a DVD+RW write-inhibit DCB).
    pub media_specific_write_inhibit: bool,
    /// CWP: cartridge write protection.
    pub cartridge_write_protect: bool,
    /// PWP: persistent write protection.
    pub persistent_write_protect: bool,
    /// SWPP: software write protection until power-down.
    pub software_write_protect: bool,
    pub cut_bytes: usize,
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
        let [_, _, _, _, b4] = fixed(f.bytes, what, "write protection flags")?;
        Ok(WriteProtectionStatus {
            media_specific_write_inhibit: bit(b4, 3),
            cartridge_write_protect: bit(b4, 2),
            persistent_write_protect: bit(b4, 1),
            software_write_protect: bit(b4, 0),
            cut_bytes: f.cut,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + 4
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(6).zeros(2);
        w.u8(flag(self.media_specific_write_inhibit, 3)
            | flag(self.cartridge_write_protect, 2)
            | flag(self.persistent_write_protect, 1)
            | flag(self.software_write_protect, 0));
        w.zeros(3);
    }
}
