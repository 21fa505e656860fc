//! READ DISC STRUCTURE (MMC-6 6.22) for the DVD and BD media: the few structures the
//! emulator models, the same for every medium of a family but for the disc's identity
//! (who made it), which the drive passes in, and its layers.
//!
//! Layers show in the DVD physical format (format 00h: number of layers, opposite track
//! path, the end of layer 0), in the DVD+R DL Layer Boundary Information (format 20h, the
//! only structure the host may also send: SEND DISC STRUCTURE) and in the BD Disc
//! Information (one DI unit per layer, each naming the layer count and its layer).

use mmc_core::cdb::{DiscStructureMedia, LayerBoundary, ReadDiscStructure};
use mmc_core::response::disc_structure::{BookType, MEDIA_SPECIFIC_LEN};
use mmc_core::response::{DvdPhysicalFormat, ResponseFormat, WriteProtectionStatus};
use mmc_core::sense::triples;

use crate::medium::identity::{self, MediaIdentity};
use crate::medium::overwritable::invalid_cdb_field;
use crate::medium::MediumResult;

/// Bytes of the layer descriptor before the media-specific part of format 00h.
const LAYER_DESCRIPTOR_LEN: usize = 17;

/// The two layers of a DVD+R DL, recorded in opposite track path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DvdLayers {
    /// The L0 data zone capacity in sectors.
    pub layer0: u32,
    /// InitStatus: the capacity can no longer be changed (something was recorded).
    pub fixed: bool,
}

/// The structures a disc answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Structures<'a> {
    /// A DVD (media type 0): its book type, the layer type bits of its physical format
    /// (bit 0 embossed, 1 recordable, 2 rewritable) and its sectors; a DVD+R or DVD+RW also
    /// its ADIP, which names the disc's maker; a DVD+R DL its two layers.
    Dvd {
        book: BookType,
        layer_type: u8,
        sectors: u64,
        adip: Option<&'a MediaIdentity>,
        layers: Option<DvdLayers>,
    },
    /// A BD (media type 1): its disc type identifier (DI bytes 8-10: `BDR`, `BDW`), the
    /// maker its Disc Information names and its recording layers (1 to 4).
    Bd {
        disc_type: &'static [u8; 3],
        identity: Option<&'a MediaIdentity>,
        layers: u8,
    },
}

/// Format codes (MMC-6 6.22, Table "READ DISC STRUCTURE format codes").
const PHYSICAL_FORMAT: u8 = 0x00;
const ADIP_INFORMATION: u8 = 0x11;
/// DVD+R DL Layer Boundary Information (MMC-5 READ DISC STRUCTURE, format 20h).
pub(crate) const LAYER_BOUNDARY: u8 = 0x20;
const WRITE_PROTECTION: u8 = 0xC0;
pub(crate) const STRUCTURE_LIST: u8 = 0xFF;

/// Bytes of the header before every structure.
const HEADER_LEN: usize = 4;
/// Format 11h: 256 bytes of ADIP information.
const ADIP_LEN: usize = 256;
/// BD format 00h: "if any data can be returned, 4 100 bytes shall be returned" (MMC-6 6.22,
/// BD format 00h): the header and 4,096 bytes of Disc Information.
const BD_DISC_INFORMATION_LEN: usize = 4096;
/// Bytes of one BD Disc Information unit.
const DI_UNIT_LEN: usize = 112;
/// Bytes of the Disc Manufacturer ID in a DI unit (bytes 100-105).
const BD_MANUFACTURER_LEN: usize = 6;

impl Structures<'_> {
    /// The formats the disc answers, each with the length of its whole reply (header
    /// included), in format-code order; format FFh lists exactly these.
    fn formats(&self) -> Vec<(u8, usize)> {
        let mut formats = match self {
            Structures::Dvd { adip, layers, .. } => {
                let mut f = vec![(PHYSICAL_FORMAT, HEADER_LEN + 2048)];
                if adip.is_some() {
                    f.push((ADIP_INFORMATION, HEADER_LEN + ADIP_LEN));
                }
                if layers.is_some() {
                    f.push((LAYER_BOUNDARY, LayerBoundary::LEN));
                }
                f
            }
            Structures::Bd { .. } => vec![(PHYSICAL_FORMAT, HEADER_LEN + BD_DISC_INFORMATION_LEN)],
        };
        formats.push((WRITE_PROTECTION, HEADER_LEN + 4));
        // The list itself: one 4-byte entry per format, this one included.
        let list_len = HEADER_LEN + 4 * (formats.len() + 1);
        formats.push((STRUCTURE_LIST, list_len));
        formats
    }
}

/// The reply to `cdb`: on DVD format 00h (physical format, of each layer), 11h (ADIP
/// information, DVD+R and DVD+RW), 20h (layer boundary, DVD+R DL), C0h (write protection
/// status: none) and FFh (the list); on BD 00h (Disc Information), C0h and FFh. Other
/// formats are 05/24/00 on the format code (the DVD-R DL layer jump structures 21h-24h
/// too: MMC defines them for DVD-R DL only), a layer the disc lacks on the layer number,
/// and the other family's media type is 05/30/02 CANNOT READ MEDIUM - INCOMPATIBLE FORMAT.
pub(crate) fn reply(cdb: &ReadDiscStructure, structures: Structures<'_>) -> MediumResult<Vec<u8>> {
    let family = match structures {
        Structures::Dvd { .. } => DiscStructureMedia::Dvd,
        Structures::Bd { .. } => DiscStructureMedia::Bd,
    };
    if cdb.media_type != family {
        return Err(triples::CANNOT_READ_INCOMPATIBLE_FORMAT.into());
    }
    let formats = structures.formats();
    if !formats.iter().any(|(code, _)| *code == cdb.format_code) {
        return Err(invalid_cdb_field(7, None));
    }
    // The list, the write protection status and the layer boundary are the disc's.
    let per_layer = matches!(cdb.format_code, PHYSICAL_FORMAT | ADIP_INFORMATION);
    let layer_count = match structures {
        Structures::Dvd { layers, .. } => {
            if layers.is_some() {
                2
            } else {
                1
            }
        }
        Structures::Bd { layers, .. } => layers.max(1),
    };
    if per_layer && cdb.layer_number >= layer_count {
        return Err(invalid_cdb_field(6, None));
    }
    match (cdb.format_code, structures) {
        (
            PHYSICAL_FORMAT,
            Structures::Dvd {
                book,
                layer_type,
                sectors,
                adip,
                layers,
            },
        ) => Ok(dvd_physical_format(book, layer_type, sectors, adip, layers)),
        (
            ADIP_INFORMATION,
            Structures::Dvd {
                book,
                layer_type,
                sectors,
                adip,
                layers,
            },
        ) => Ok(with_header(&adip_information(
            book, layer_type, sectors, adip, layers,
        ))),
        (
            LAYER_BOUNDARY,
            Structures::Dvd {
                layers: Some(l), ..
            },
        ) => Ok(LayerBoundary {
            fixed: l.fixed,
            layer0_sectors: l.layer0,
        }
        .reply_bytes()
        .to_vec()),
        (
            PHYSICAL_FORMAT,
            Structures::Bd {
                disc_type,
                identity,
                layers,
            },
        ) => Ok(with_header(&bd_disc_information(
            disc_type, identity, layers,
        ))),
        (WRITE_PROTECTION, _) => Ok(no_write_protection()),
        (STRUCTURE_LIST, _) => Ok(structure_list(&formats)),
        _ => Err(invalid_cdb_field(7, None)),
    }
}

/// Format FFh (MMC-6 6.22, format FFh: Disc Structure List): one entry per format, its
/// code, RDS set (READ DISC STRUCTURE answers it), SDS set only for the layer boundary
/// (SEND DISC STRUCTURE takes it) and the length of its reply.
fn structure_list(formats: &[(u8, usize)]) -> Vec<u8> {
    let mut body = Vec::with_capacity(4 * formats.len());
    for (code, len) in formats {
        body.push(*code);
        body.push(if *code == LAYER_BOUNDARY {
            SDS | RDS
        } else {
            RDS
        });
        body.extend_from_slice(&u16::try_from(*len).unwrap_or(u16::MAX).to_be_bytes());
    }
    with_header(&body)
}

/// Format FFh entry byte 1 bit 6: READ DISC STRUCTURE returns the structure.
const RDS: u8 = 0x40;
/// Format FFh entry byte 1 bit 7: SEND DISC STRUCTURE takes the structure.
const SDS: u8 = 0x80;

/// Adds an entry for `code` (replying `len` bytes) to a format FFh reply, in code order.
pub(crate) fn list_also(list: &[u8], code: u8, len: usize) -> Vec<u8> {
    let mut formats: Vec<(u8, usize)> = list
        .get(HEADER_LEN..)
        .unwrap_or(&[])
        .chunks_exact(4)
        .filter_map(|e| match e {
            [c, _, hi, lo] => Some((*c, usize::from(u16::from_be_bytes([*hi, *lo])))),
            _ => None,
        })
        .collect();
    let list_len = formats.len() + 1;
    for (c, l) in &mut formats {
        if *c == STRUCTURE_LIST {
            *l = HEADER_LEN + 4 * list_len;
        }
    }
    formats.push((code, len));
    formats.sort_by_key(|(c, _)| *c);
    structure_list(&formats)
}

/// `body` behind the 4-byte header whose first two bytes count the bytes after them.
pub(crate) fn with_header(body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len() + 2).unwrap_or(u16::MAX);
    let mut bytes = Vec::with_capacity(HEADER_LEN + body.len());
    bytes.extend_from_slice(&len.to_be_bytes());
    bytes.extend_from_slice(&[0, 0]);
    bytes.extend_from_slice(body);
    bytes
}

/// ADIP information (format 11h) of a DVD+R or DVD+RW, as the ADIP's physical format
/// information (ECMA-349 and ECMA-337 14.4.2): byte 0 disc category (the book type) and
/// version 1, byte 1 120 mm and maximum read rate not specified, byte 2 one layer and its
/// type, bytes 4-15 the data zone allocation, bytes 19-26 the Disc Manufacturer ID, 27-29
/// the Media Type ID, 30 the Product Revision Number, 31 the number of bytes in use.
fn adip_information(
    book: BookType,
    layer_type: u8,
    sectors: u64,
    identity: Option<&MediaIdentity>,
    layers: Option<DvdLayers>,
) -> Vec<u8> {
    let mut adip = vec![0u8; ADIP_LEN];
    // Bytes 0-15 as in the physical format's layer descriptor.
    let descriptor = dvd_physical_format(book, layer_type, sectors, None, layers);
    put(
        &mut adip,
        0,
        descriptor.get(HEADER_LEN..HEADER_LEN + 16).unwrap_or(&[]),
    );
    if let Some(id) = identity {
        put(
            &mut adip,
            19,
            &id.manufacturer_field(identity::MANUFACTURER_LEN),
        );
        put(&mut adip, 27, &id.media_type_field());
        put(&mut adip, 30, &[id.revision, ADIP_BYTES_IN_USE]);
    }
    adip
}

/// The ADIP bytes this model fills (0-30); write strategy parameters are not modelled.
const ADIP_BYTES_IN_USE: u8 = 31;

/// Copies `bytes` into `into` at `at`, as far as it reaches.
fn put(into: &mut [u8], at: usize, bytes: &[u8]) {
    for (dst, src) in into.iter_mut().skip(at).zip(bytes) {
        *dst = *src;
    }
}

/// BD Disc Information (format 00h, media type 1): the DI units of the PIC zone, one per
/// recording layer (MMC-6 6.22, BD format 00h: the Disc Information of the PIC), each with
/// identifier "DI", DI format 1, the number of units per block (the layers), its sequence
/// number, 112 bytes in use, the disc type identifier, 120 mm class 0 version 1, byte 12
/// the number of layers (bits 7-4) and the layer it describes (bits 3-0), its Disc
/// Manufacturer ID (DI bytes 100-105), Media Type ID (106-108) and Product Revision Number
/// (111); the rest of the 4,096 bytes zero.
fn bd_disc_information(
    disc_type: &[u8; 3],
    identity: Option<&MediaIdentity>,
    layers: u8,
) -> Vec<u8> {
    let mut di = vec![0u8; BD_DISC_INFORMATION_LEN];
    let unit_len = u8::try_from(DI_UNIT_LEN).unwrap_or(u8::MAX);
    let layers = layers.clamp(1, 4);
    for layer in 0..layers {
        let at = usize::from(layer) * DI_UNIT_LEN;
        put(
            &mut di,
            at,
            &[b'D', b'I', 0x01, layers, layer, 0x00, unit_len, 0x00],
        );
        put(&mut di, at + 8, disc_type);
        put(&mut di, at + 11, &[0x01, layers << 4 | layer]);
        if let Some(id) = identity {
            put(
                &mut di,
                at + 100,
                &id.manufacturer_field(BD_MANUFACTURER_LEN),
            );
            put(&mut di, at + 106, &id.media_type_field());
            put(&mut di, at + 111, &[id.revision]);
        }
    }
    di
}

/// Format C0h: no write protection of any kind.
fn no_write_protection() -> Vec<u8> {
    WriteProtectionStatus {
        media_specific_write_inhibit: false,
        cartridge_write_protect: false,
        persistent_write_protect: false,
        software_write_protect: false,
        cut_bytes: 0,
    }
    .to_bytes()
}

/// Physical sector number of LBA 0 on DVD (ECMA-267: the data zone starts at 30000h).
const DATA_ZONE_START: u32 = 0x3_0000;
/// Physical sector numbers are 24 bits wide.
const PSN_MASK: u32 = 0xFF_FFFF;

/// READ DISC STRUCTURE format 00h of a DVD: the 2048-byte structure (layer descriptor and
/// media-specific bytes, zero but for a DVD+'s copy of its ADIP) behind its 4-byte header.
/// Maximum rate Fh (not specified), 120 mm, data zone from 30000h over `sectors`; on a
/// single-layer disc one layer, on a DVD+R DL two in opposite track path, layer 0 ending
/// after its L0 data zone capacity and the data zone ending in layer 1, whose physical
/// sector numbers are those of layer 0 at the same radius inverted (ECMA-267 opposite track
/// path; dvd+rw-mediainfo reads the end of layer 0 as the "legacy lead-out" of a DL disc).
fn dvd_physical_format(
    book_type: BookType,
    layer_type: u8,
    sectors: u64,
    adip: Option<&MediaIdentity>,
    layers: Option<DvdLayers>,
) -> Vec<u8> {
    // On DVD+R and DVD+RW, bytes 17 on repeat the ADIP's, the maker from byte 19 (MMC-6
    // 6.22, format 00h).
    let media_specific = match adip {
        Some(_) => adip_information(book_type, layer_type, sectors, adip, layers)
            .get(LAYER_DESCRIPTOR_LEN..)
            .unwrap_or(&[])
            .iter()
            .copied()
            .chain(core::iter::repeat(0))
            .take(MEDIA_SPECIFIC_LEN)
            .collect(),
        None => vec![0; MEDIA_SPECIFIC_LEN],
    };
    let sectors = u32::try_from(sectors).unwrap_or(0);
    let (end, layer0_end) = match layers {
        None => (DATA_ZONE_START.saturating_add(sectors).saturating_sub(1), 0),
        Some(l) => {
            let layer0_end = DATA_ZONE_START.saturating_add(l.layer0).saturating_sub(1);
            // Layer 1 starts at the inverse of layer 0's last sector and holds the rest.
            let layer1_start = PSN_MASK - layer0_end.min(PSN_MASK);
            let layer1_sectors = sectors.saturating_sub(l.layer0);
            let end = layer1_start
                .saturating_add(layer1_sectors)
                .saturating_sub(1)
                .min(PSN_MASK);
            (end, layer0_end)
        }
    };
    DvdPhysicalFormat {
        book_type,
        part_version: 1,
        disc_size: 0,
        maximum_rate: 0xF,
        number_of_layers: u8::from(layers.is_some()),
        track_path: layers.is_some(),
        layer_type,
        linear_density: 0,
        track_density: 0,
        data_area_start: DATA_ZONE_START,
        data_area_end: end,
        layer0_end,
        bca: false,
        media_specific,
        cut_bytes: 0,
    }
    .to_bytes()
}
