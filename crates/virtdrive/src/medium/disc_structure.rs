//! READ DISC STRUCTURE (MMC-6 6.23) for the DVD and BD media: the few structures the
//! emulator models, the same for every medium of a family.

use mmc_core::cdb::{DiscStructureMedia, ReadDiscStructure};
use mmc_core::response::disc_structure::{BookType, MEDIA_SPECIFIC_LEN};
use mmc_core::response::{DvdPhysicalFormat, ResponseFormat, WriteProtectionStatus};
use mmc_core::sense::triples;

use crate::medium::overwritable::invalid_cdb_field;
use crate::medium::MediumResult;

/// The structures a disc answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Structures {
    /// A single-layer DVD (media type 0): its book type, the layer type bits of its
    /// physical format (bit 0 embossed, 1 recordable, 2 rewritable) and its sectors.
    Dvd {
        book: BookType,
        layer_type: u8,
        sectors: u64,
    },
    /// A BD (media type 1).
    Bd,
}

/// The reply to `cdb`: format 00h (DVD physical format, layer 0 only) and C0h (write
/// protection status: none); other formats are 05/24/00 on the format code, other layers on
/// the layer number, and the other family's media type is 05/30/02 CANNOT READ MEDIUM -
/// INCOMPATIBLE FORMAT. BD Disc Information (00h) and the others are not modelled.
pub(crate) fn reply(cdb: &ReadDiscStructure, structures: Structures) -> MediumResult<Vec<u8>> {
    match (structures, cdb.media_type) {
        (
            Structures::Dvd {
                book,
                layer_type,
                sectors,
            },
            DiscStructureMedia::Dvd,
        ) => match cdb.format_code {
            0x00 if cdb.layer_number == 0 => Ok(dvd_physical_format(book, layer_type, sectors)),
            0x00 => Err(invalid_cdb_field(6, None)),
            0xC0 => Ok(no_write_protection()),
            _ => Err(invalid_cdb_field(7, None)),
        },
        (Structures::Bd, DiscStructureMedia::Bd) => match cdb.format_code {
            0xC0 => Ok(no_write_protection()),
            _ => Err(invalid_cdb_field(7, None)),
        },
        _ => Err(triples::CANNOT_READ_INCOMPATIBLE_FORMAT.into()),
    }
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

/// READ DISC STRUCTURE format 00h of a single-layer DVD: the 2048-byte structure (layer
/// descriptor and zeroed media-specific bytes) behind its 4-byte header. Maximum rate Fh
/// (not specified), 120 mm, one layer, data zone from 30000h over `sectors`.
fn dvd_physical_format(book_type: BookType, layer_type: u8, sectors: u64) -> Vec<u8> {
    let end = DATA_ZONE_START
        .saturating_add(u32::try_from(sectors).unwrap_or(0))
        .saturating_sub(1);
    DvdPhysicalFormat {
        book_type,
        part_version: 1,
        disc_size: 0,
        maximum_rate: 0xF,
        number_of_layers: 0,
        track_path: false,
        layer_type,
        linear_density: 0,
        track_density: 0,
        data_area_start: DATA_ZONE_START,
        data_area_end: end,
        layer0_end: 0,
        bca: false,
        media_specific: vec![0; MEDIA_SPECIFIC_LEN],
        cut_bytes: 0,
    }
    .to_bytes()
}
