//! DVD+R DL through the drive, in raw CDBs: profile 002Bh and feature 003Bh, the layer
//! boundary (READ DISC STRUCTURE 20h, SEND DISC STRUCTURE 20h before the first write only),
//! the physical format of a two-layer disc in opposite track path, writing across the layer
//! boundary, sessions as on DVD+R, and the layer boundary in the saved disc.
//!
//! Figures: 4,173,824 sectors (003F_B000h); the L0 data zone capacity of a blank disc
//! 2,086,912 (001F_D800h), as drives report it (dvd+rw-mediainfo: "L0 Data Zone Capacity:
//! 2086912*2KB, can still be set"); the disc holds twice the L0 capacity (Pioneer BDR-203
//! manual 4.18).

use mmc_core::sense::{triples, SenseTriple};
use testkit::close_function::{CLOSE_SESSION, CLOSE_TRACK, FINALIZE_MINIMAL_RADIUS};
use testkit::sense::END_OF_USER_AREA;
use testkit::*;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

const SECTORS: u32 = 4_173_824;
const DEFAULT_LAYER0: u32 = 2_086_912;
const INVALID_FIELD_IN_PARAMETER_LIST: SenseTriple = SenseTriple::new(0x5, 0x26, 0x00);

fn dvd_plus_r_dl() -> EmulatedDrive {
    drive_with(MediumKind::DvdPlusRDl)
}

/// READ DISC STRUCTURE of `format`, DVD media, layer `layer`.
fn read_structure(format: u8, layer: u8, alloc: u16) -> [u8; 12] {
    let [a0, a1] = alloc.to_be_bytes();
    [
        0xAD, // READ DISC STRUCTURE
        0x00, // media type 0: DVD
        0, 0, 0, 0,      // address
        layer,  // layer number
        format, // format code
        a0, a1, // allocation length
        0x00, 0x00,
    ]
}

/// SEND DISC STRUCTURE, format 20h, 12 bytes of layer boundary (as growisofs sends it).
const SEND_LAYER_BOUNDARY: [u8; 12] = [
    0xBF, // SEND DISC STRUCTURE
    0x00, // media type 0: DVD
    0, 0, 0, 0, 0,    // reserved
    0x20, // format 20h: layer boundary information
    0x00, 0x0C, // parameter list length 12
    0x00, 0x00,
];

/// The layer boundary parameter list for an L0 data zone capacity of `l0` sectors.
fn layer_boundary(l0: u32) -> [u8; 12] {
    let [c0, c1, c2, c3] = l0.to_be_bytes();
    [
        0x00, 0x0A, // structure data length 10
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x00, // InitStatus (reserved when sent), reserved
        c0, c1, c2, c3, // L0 data zone capacity
    ]
}

/// (InitStatus, L0 data zone capacity) as READ DISC STRUCTURE 20h gives them.
fn boundary(d: &mut EmulatedDrive) -> (bool, u32) {
    let lbi = command_in(d, &read_structure(0x20, 0, 12), 12);
    assert_eq!(be16(&lbi[0..2]), 10, "structure data length");
    (lbi[4] & 0x80 != 0, be32(&lbi[8..12]))
}

/// Free blocks of the invisible track and the last possible lead-out start.
fn room(d: &mut EmulatedDrive) -> (u32, u32) {
    let track = command_in(d, &read_track_information(0xFF), 48);
    let info = command_in(d, &READ_DISC_INFORMATION, 34);
    (be32(&track[16..20]), be32(&info[20..24]))
}

#[test]
fn a_blank_dvd_plus_r_dl_is_profile_002b_with_feature_003b_current() {
    let mut d = dvd_plus_r_dl();
    let config = command_in(
        &mut d,
        &[
            0x46, // GET CONFIGURATION
            0x02, // RT 10b: one feature
            0x00, 0x3B, // feature 003Bh: DVD+R Dual Layer
            0, 0, 0, //
            0x00, 0x20, // allocation length 32
            0x00,
        ],
        32,
    );
    assert_eq!(be16(&config[6..8]), 0x002B, "current profile DVD+R DL");
    assert_eq!(be16(&config[8..10]), 0x003B, "the DVD+R Dual Layer feature");
    assert_eq!(config[10] & 0x01, 0x01, "current");
    assert_eq!(config[12] & 0x01, 0x01, "Write: the drive writes DVD+R DL");

    let profiles = command_in(
        &mut d,
        &[
            0x46, 0x02, // GET CONFIGURATION, one feature
            0x00, 0x00, // feature 0000h: profile list
            0, 0, 0, 0x01, 0x00, 0x00,
        ],
        256,
    );
    let listed: Vec<(u16, bool)> = profiles[12..12 + usize::from(profiles[11])]
        .chunks(4)
        .map(|p| (be16(&p[0..2]), p[2] & 1 == 1))
        .collect();
    assert!(listed.contains(&(0x002B, true)), "{listed:x?}");
    assert!(listed.contains(&(0x001B, false)), "{listed:x?}");

    let (free, lead_out) = room(&mut d);
    assert_eq!(free, SECTORS, "the whole disc is free");
    assert_eq!(lead_out, SECTORS, "last possible lead-out start");
    let caps = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(be32(&caps[4..8]), SECTORS);
    assert_eq!(caps[8] & 0x03, 0b01, "unformatted or blank media");
    assert_eq!(
        caps[3], 8,
        "no formattable descriptor: DVD+R DL is not formatted"
    );
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 0);
}

#[test]
fn the_layer_boundary_of_a_blank_disc_is_at_the_middle_and_can_still_be_set() {
    let mut d = dvd_plus_r_dl();
    assert_eq!(boundary(&mut d), (false, DEFAULT_LAYER0));
    // The list of structures names 20h with SDS and RDS: the host may send it.
    let list = command_in(&mut d, &read_structure(0xFF, 0, 64), 64);
    let entries: Vec<&[u8]> = list[4..].chunks(4).collect();
    let lbi = entries
        .iter()
        .find(|e| e[0] == 0x20)
        .expect("format 20h listed");
    assert_eq!(lbi[1], 0xC0, "SDS and RDS");
    assert_eq!(be16(&lbi[2..4]), 12);
}

#[test]
fn the_physical_format_shows_two_layers_in_opposite_track_path() {
    let mut d = dvd_plus_r_dl();
    let pfi = command_in(&mut d, &read_structure(0x00, 0, 2052), 2052);
    assert_eq!(pfi[4] >> 4, 0xE, "book type DVD+R DL");
    assert_eq!(pfi[6] & 0x60, 0x20, "number of layers: two (01b)");
    assert_eq!(pfi[6] & 0x10, 0x10, "opposite track path");
    assert_eq!(pfi[6] & 0x0F, 0b0010, "layer type: recordable");
    assert_eq!(be24(&pfi[9..12]), 0x03_0000, "data area from 30000h");
    assert_eq!(
        be24(&pfi[17..20]),
        0x03_0000 + DEFAULT_LAYER0 - 1,
        "layer 0 ends after its data zone capacity"
    );
    assert_eq!(
        be24(&pfi[13..16]),
        0xFC_FFFF,
        "the data zone ends in layer 1 at the inverse of its start"
    );
    // Layer 1 answers too; a third layer does not exist.
    command_in(&mut d, &read_structure(0x00, 1, 2052), 2052);
    let f = command_in_fails(
        &mut d,
        &read_structure(0x00, 2, 2052),
        2052,
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_cdb_field(f, 6);
}

#[test]
fn the_dvd_minus_r_dl_layer_jump_structures_are_not_for_dvd_plus_r_dl() {
    let mut d = dvd_plus_r_dl();
    for format in [0x21, 0x22] {
        let f = command_in_fails(
            &mut d,
            &read_structure(format, 0, 12),
            12,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 7);
    }
}

#[test]
fn send_disc_structure_moves_the_layer_boundary_of_a_blank_disc() {
    let mut d = dvd_plus_r_dl();
    command_out(&mut d, &SEND_LAYER_BOUNDARY, &layer_boundary(1_048_576));
    assert_eq!(boundary(&mut d), (false, 1_048_576));
    assert_eq!(
        room(&mut d),
        (2_097_152, 2_097_152),
        "the disc holds twice the L0 capacity"
    );
    let pfi = command_in(&mut d, &read_structure(0x00, 0, 2052), 2052);
    assert_eq!(
        be24(&pfi[17..20]),
        0x03_0000 + 1_048_576 - 1,
        "end of layer 0"
    );
    // Set again, back to the middle: still blank, still settable.
    command_out(
        &mut d,
        &SEND_LAYER_BOUNDARY,
        &layer_boundary(DEFAULT_LAYER0),
    );
    assert_eq!(room(&mut d), (SECTORS, SECTORS));
}

#[test]
fn a_layer_boundary_out_of_range_or_off_the_ecc_block_is_refused() {
    let mut d = dvd_plus_r_dl();
    for l0 in [0, 1_048_577, DEFAULT_LAYER0 + 16] {
        let f = command_out_fails(
            &mut d,
            &SEND_LAYER_BOUNDARY,
            &layer_boundary(l0),
            INVALID_FIELD_IN_PARAMETER_LIST,
        );
        assert_eq!(
            f.sks,
            Some(mmc_core::sense::SenseKeySpecific::FieldPointer {
                in_cdb: false,
                bit: None,
                byte: 8
            }),
            "{l0}: the L0 data zone capacity"
        );
    }
    let mut wrong_length = layer_boundary(1_048_576);
    wrong_length[1] = 0x08;
    command_out_fails(
        &mut d,
        &SEND_LAYER_BOUNDARY,
        &wrong_length,
        INVALID_FIELD_IN_PARAMETER_LIST,
    );
    // Another structure, or BD media: the format is not one this disc takes.
    let mut other = SEND_LAYER_BOUNDARY;
    other[7] = 0x21;
    let f = command_out_fails(
        &mut d,
        &other,
        &layer_boundary(1_048_576),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_cdb_field(f, 7);
    let mut bd = SEND_LAYER_BOUNDARY;
    bd[1] = 0x01; // media type 1: BD
    let f = command_out_fails(
        &mut d,
        &bd,
        &layer_boundary(1_048_576),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_cdb_field(f, 1);
    assert_eq!(boundary(&mut d), (false, DEFAULT_LAYER0), "nothing changed");
}

#[test]
fn after_the_first_write_the_layer_boundary_can_no_longer_be_set() {
    let mut d = dvd_plus_r_dl();
    write_blocks(&mut d, 0, 16, 1);
    assert_eq!(boundary(&mut d), (true, DEFAULT_LAYER0), "InitStatus set");
    command_out_fails(
        &mut d,
        &SEND_LAYER_BOUNDARY,
        &layer_boundary(1_048_576),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    assert_eq!(room(&mut d).1, SECTORS, "the capacity stays");
}

#[test]
fn on_other_media_send_disc_structure_is_an_invalid_format() {
    for kind in [MediumKind::DvdPlusR, MediumKind::BdRDl] {
        let mut d = drive_with(kind);
        let f = command_out_fails(
            &mut d,
            &SEND_LAYER_BOUNDARY,
            &layer_boundary(1_048_576),
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 7);
    }
}

#[test]
fn data_written_across_the_layer_boundary_reads_back_and_the_disc_ends_at_twice_l0() {
    let mut d = dvd_plus_r_dl();
    // A small boundary: 64 sectors in layer 0, 64 in layer 1.
    command_out(&mut d, &SEND_LAYER_BOUNDARY, &layer_boundary(64));
    let first = write_blocks(&mut d, 0, 48, 3);
    let across = write_blocks(&mut d, 48, 32, 4);
    assert_eq!(read_blocks(&mut d, 0, 48), first);
    assert_eq!(read_blocks(&mut d, 48, 32), across, "layer 0 into layer 1");
    // Writing off the next writable address, and past the disc's end.
    command_out_fails(
        &mut d,
        &write10(96, 16),
        &blocks(5, 16),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    command_out_fails(&mut d, &write10(80, 64), &blocks(5, 64), END_OF_USER_AREA);
    write_blocks(&mut d, 80, 48, 6);
    assert_eq!(room(&mut d).0, 0, "the disc is full");
}

#[test]
fn sessions_close_and_finalize_as_on_dvd_plus_r() {
    let mut d = dvd_plus_r_dl();
    let first = write_blocks(&mut d, 0, 20, 7);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &close(CLOSE_TRACK, 1));
    command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        info[2] & 0x0F,
        0b0001,
        "next session empty, disc appendable"
    );
    // The next session starts after the Closure and the next Intro (2,048 sectors).
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&track[12..16]), 32 + 2048);
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 31);
    let second = write_blocks(&mut d, 2080, 16, 8);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &close(CLOSE_TRACK, 2));
    command_ok_long(&mut d, &close(FINALIZE_MINIMAL_RADIUS, 0));
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2] & 0x03, 0b10, "complete");
    assert_eq!(info[4], 2, "two sessions");
    assert_eq!(read_blocks(&mut d, 0, 20), first);
    assert_eq!(read_blocks(&mut d, 2080, 16), second);
    // A closed disc takes no more data, and no layer boundary.
    command_out_fails(
        &mut d,
        &write10(2096, 16),
        &blocks(9, 16),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    command_out_fails(
        &mut d,
        &SEND_LAYER_BOUNDARY,
        &layer_boundary(1_048_576),
        triples::COMMAND_SEQUENCE_ERROR,
    );
}

#[test]
fn the_saved_state_keeps_the_layer_boundary() {
    let mut d = dvd_plus_r_dl();
    command_out(&mut d, &SEND_LAYER_BOUNDARY, &layer_boundary(1_048_576));
    let state = d.medium().unwrap().save_state();
    assert_eq!(state["medium"], "dvd+r-dl");
    assert_eq!(state["layer0"], 1_048_576);
    let loaded =
        medium::load(MediumKind::DvdPlusRDl, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    assert_eq!(boundary(&mut reloaded), (false, 1_048_576));
    assert_eq!(room(&mut reloaded), (2_097_152, 2_097_152));

    let mut bad = state.clone();
    bad["layer0"] = 1_048_577.into();
    let e = medium::load(MediumKind::DvdPlusRDl, &bad, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("layer boundary"), "{e}");
    // A DVD+R has no layer boundary to move.
    let mut single = state;
    single["medium"] = "dvd+r".into();
    let e = medium::load(MediumKind::DvdPlusR, &single, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("layer boundary"), "{e}");
}

#[test]
fn a_disc_file_keeps_the_layer_boundary_and_the_data_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dl.disc");
    let data = {
        let mut d =
            DiscFileDrive::open(MediumKind::DvdPlusRDl, &path, DriveConfig::default()).unwrap();
        command_out(&mut d, &SEND_LAYER_BOUNDARY, &layer_boundary(64));
        let data = write_blocks(&mut d, 0, 96, 11);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        command_ok_long(&mut d, &close(CLOSE_TRACK, 1));
        data
    };
    let mut d = DiscFileDrive::open_existing(MediumKind::DvdPlusRDl, &path, DriveConfig::default())
        .unwrap();
    let lbi = command_in(&mut d, &read_structure(0x20, 0, 12), 12);
    assert_eq!(lbi[4] & 0x80, 0x80, "recorded: no longer settable");
    assert_eq!(be32(&lbi[8..12]), 64, "the boundary growisofs asked for");
    assert_eq!(read_blocks(&mut d, 0, 96), data);
}
