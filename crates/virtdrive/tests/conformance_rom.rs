//! The error-path discs through the drive: a pressed DVD-ROM (readable, every recording
//! command refused with ASC 30h, which Microsoft's table maps to "media incompatible") and
//! a disc of unknown format (02/30/01 on every access, no current profile).

use mmc_core::sense::triples;
use testkit::sense::{
    CANNOT_FORMAT_INCOMPATIBLE_MEDIUM, CANNOT_READ_UNKNOWN_FORMAT, CANNOT_WRITE_INCOMPATIBLE_FORMAT,
};
use testkit::*;
use virtdrive::medium::MediumKind;

const RESERVE_TRACK: [u8; 10] = [
    0x53, 0x00, 0, 0, 0, //
    0x00, 0x00, 0x01, 0x00, // 256 blocks
    0x00,
];
const SEND_CUE_SHEET: [u8; 10] = [0x5D, 0, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00];
const LEAD_IN_ENTRY: [u8; 8] = [0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00];

#[test]
fn a_dvd_rom_is_a_complete_disc_that_is_not_erasable() {
    let mut d = drive_with(MediumKind::DvdRom);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    // What the Microsoft sample takes for a pressed disc: complete and not erasable.
    assert_eq!(
        info[2], 0x0E,
        "not erasable, last session complete, disc complete"
    );
    let capacity = command_in(&mut d, &READ_CAPACITY, 8);
    assert_eq!(be32(&capacity[0..4]), 1_999_999);
    let t = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(t[7] & 0x01, 0, "no next writable address");
    assert_eq!(be32(&t[16..20]), 0, "no free blocks");
    assert_eq!(be32(&t[24..28]), 2_000_000, "track size");
}

/// A DVD drive answers the MSF bit of READ TOC too; a minute is one byte, so the lead-out of
/// 2,000,000 sectors (beyond FF:3B:4A) stays at FF:3B:4A.
#[test]
fn a_dvd_rom_toc_in_msf() {
    let mut d = drive_with(MediumKind::DvdRom);
    let toc = command_in(&mut d, &read_toc(0, true, 0), 804);
    assert_eq!(&toc[0..4], &[0x00, 0x12, 0x01, 0x01]);
    assert_eq!(
        &toc[4..12],
        &[0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00]
    );
    assert_eq!(
        &toc[12..20],
        &[0x00, 0x14, 0xAA, 0x00, 0x00, 0xFF, 0x3B, 0x4A]
    );
}

#[test]
fn a_dvd_rom_reads() {
    let mut d = drive_with(MediumKind::DvdRom);
    assert_eq!(read_blocks(&mut d, 0, 16), vec![0u8; 16 * 2048]);
    assert_eq!(
        command_in(&mut d, &read12(1_999_998, 2), 2 * 2048),
        vec![0u8; 2 * 2048]
    );
    command_in_fails(
        &mut d,
        &read10(2_000_000, 1),
        2048,
        triples::LBA_OUT_OF_RANGE,
    );
}

#[test]
fn a_dvd_rom_refuses_every_recording_command() {
    let mut d = drive_with(MediumKind::DvdRom);
    command_out_fails(
        &mut d,
        &write10(0, 1),
        &blocks(0, 1),
        CANNOT_WRITE_INCOMPATIBLE_FORMAT,
    );
    command_out_fails(
        &mut d,
        &write12(0, 16, true),
        &blocks(0, 16),
        CANNOT_WRITE_INCOMPATIBLE_FORMAT,
    );
    command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &dvd_plus_rw_basic_format(false),
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
    command_fails(&mut d, &CLOSE_SESSION, CANNOT_WRITE_INCOMPATIBLE_FORMAT);
    command_fails(&mut d, &RESERVE_TRACK, CANNOT_WRITE_INCOMPATIBLE_FORMAT);
    command_out_fails(
        &mut d,
        &SEND_CUE_SHEET,
        &LEAD_IN_ENTRY,
        CANNOT_WRITE_INCOMPATIBLE_FORMAT,
    );
    let list = cd_write_parameters(TAO, FINALIZE, true);
    command_out_fails(
        &mut d,
        &mode_select(&list),
        &list,
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    // Nothing was written.
    assert_eq!(read_blocks(&mut d, 0, 1), vec![0u8; 2048]);
}

#[test]
fn a_dvd_rom_offers_no_write_speed() {
    let mut d = drive_with(MediumKind::DvdRom);
    let data = command_in(
        &mut d,
        &[
            0xAC, // GET PERFORMANCE
            0x00, 0, 0, 0, 0, 0, 0, //
            0x00, 0x10, // up to 16 descriptors
            0x03, // type 03h: write speed
            0x00,
        ],
        8 + 16 * 16,
    );
    assert_eq!(
        be32(&data[0..4]),
        4,
        "data length: the header's own 4 bytes only"
    );
}

#[test]
fn a_dvd_rom_has_the_dvd_rom_physical_format() {
    let mut d = drive_with(MediumKind::DvdRom);
    let data = command_in(
        &mut d,
        &[0xAD, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00],
        2052,
    );
    assert_eq!(data[4] >> 4, 0, "book type 0: DVD-ROM");
    assert_eq!(data[6] & 0x0F, 0b0001, "layer type: embossed");
}

#[test]
fn a_disc_of_unknown_format_fails_every_access_with_cannot_read_unknown_format() {
    let mut d = drive_with(MediumKind::Unknown);
    command_fails(&mut d, &TEST_UNIT_READY, CANNOT_READ_UNKNOWN_FORMAT);
    command_in_fails(
        &mut d,
        &READ_DISC_INFORMATION,
        34,
        CANNOT_READ_UNKNOWN_FORMAT,
    );
    command_in_fails(&mut d, &READ_CAPACITY, 8, CANNOT_READ_UNKNOWN_FORMAT);
    command_in_fails(
        &mut d,
        &read_track_information(1),
        48,
        CANNOT_READ_UNKNOWN_FORMAT,
    );
    command_in_fails(&mut d, &read10(0, 1), 2048, CANNOT_READ_UNKNOWN_FORMAT);
    command_out_fails(
        &mut d,
        &write10(0, 1),
        &blocks(0, 1),
        CANNOT_READ_UNKNOWN_FORMAT,
    );
    command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &dvd_plus_rw_basic_format(false),
        CANNOT_READ_UNKNOWN_FORMAT,
    );
    // REQUEST SENSE tells the same; the drive itself still answers.
    assert_eq!(request_sense(&mut d).0, CANNOT_READ_UNKNOWN_FORMAT);
    assert_eq!(command_in(&mut d, &[0x12, 0, 0, 0, 36, 0], 36)[0], 0x05);
}

#[test]
fn a_disc_of_unknown_format_has_no_current_profile_and_no_capacity() {
    let mut d = drive_with(MediumKind::Unknown);
    let config = command_in(
        &mut d,
        &[0x46, 0x02, 0x00, 0x00, 0, 0, 0, 0x01, 0x00, 0x00], // RT 10b, feature 0000h
        256,
    );
    assert_eq!(be16(&config[6..8]), 0x0000, "no current profile");
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(formats[3], 8, "one descriptor");
    assert_eq!(
        formats[8] & 0x03,
        0b11,
        "no media present or unknown capacity"
    );
}
