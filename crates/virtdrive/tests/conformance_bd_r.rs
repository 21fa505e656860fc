//! BD-R in Sequential Recording Mode (profile 0041h) through the drive, in raw CDBs: the
//! blank disc, writing at the next writable address, padding to 32-sector clusters, CLOSE
//! TRACK (001b), CLOSE SESSION (010b) and finalizing with 110b (libburn's BD-R cookbook;
//! Pioneer BDR-203 manual table 3), the made-up TOC and the saved state.
//!
//! Figures: 12,219,392 sectors = 00BA_7400h; sessions cost no room in the
//! user data area (INF, see the medium's notes).

use mmc_core::sense::triples;
use testkit::close_function::{CLOSE_SESSION, CLOSE_TRACK, FINALIZE_DISC, FINALIZE_MINIMAL_RADIUS};
use testkit::sense::{CANNOT_FORMAT_INCOMPATIBLE_MEDIUM, CANNOT_READ_INCOMPATIBLE_FORMAT};
use testkit::*;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::EmulatedDrive;

const SECTORS: u32 = 12_219_392;

fn bd_r() -> EmulatedDrive {
    drive_with(MediumKind::BdR)
}

fn record_session(d: &mut EmulatedDrive, lba: i32, n: u16, seed: u8) -> Vec<u8> {
    let data = write_blocks(d, lba, n, seed);
    command_ok(d, &SYNCHRONIZE_CACHE);
    command_ok_long(d, &close(CLOSE_TRACK, 0xFF));
    command_ok_long(d, &close(CLOSE_SESSION, 0));
    data
}

#[test]
fn a_blank_bd_r_is_profile_0041h_with_one_empty_session() {
    let mut d = bd_r();
    let config = command_in(
        &mut d,
        &[
            0x46, // GET CONFIGURATION
            0x02, // RT 10b: one feature
            0x00, 0x41, // feature 0041h: BD Write
            0, 0, 0, //
            0x00, 0x40, // allocation length 64
            0x00,
        ],
        64,
    );
    assert_eq!(be16(&config[6..8]), 0x0041, "current profile BD-R SRM");
    assert_eq!(be16(&config[8..10]), 0x0041, "the BD Write feature");
    assert_eq!(config[10] & 0x01, 0x01, "current on a BD-R");

    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        &info[2..7],
        &[
            0x00, // Erasable 0, last session empty, disc empty
            0x01, // first track on disc
            0x01, // sessions
            0x01, // first track in last session
            0x01, // last track in last session
        ]
    );
    assert_eq!(
        be32(&info[20..24]),
        0x00BA_7400,
        "last possible lead-out start"
    );

    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(&track[2..8], &[0x01, 0x01, 0x00, 0x04, 0x41, 0x01]);
    assert_eq!(be32(&track[12..16]), 0, "next writable address");
    assert_eq!(be32(&track[16..20]), SECTORS, "free blocks");
    assert_eq!(be32(&track[20..24]), 32, "fixed packet size: the cluster");
}

#[test]
fn a_flush_pads_the_cluster_and_sessions_follow_without_a_gap() {
    let mut d = bd_r();
    command_out_fails(
        &mut d,
        &write10(32, 32),
        &blocks(1, 32),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    let first = record_session(&mut d, 0, 40, 1);
    let track1 = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(track1[7], 0x02, "LRA_V 1, NWA_V 0");
    assert_eq!(be32(&track1[24..28]), 64, "40 sectors padded to 2 clusters");
    assert_eq!(be32(&track1[28..32]), 63, "last recorded address");
    let next = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(&next[2..4], &[2, 2], "track 2, session 2");
    assert_eq!(be32(&next[12..16]), 64, "the next cluster");
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x01, "appendable, last session empty");
    let second = record_session(&mut d, 64, 32, 2);
    assert_eq!(read_blocks(&mut d, 0, 40), first);
    assert_eq!(read_blocks(&mut d, 40, 24), vec![0u8; 24 * 2048]);
    assert_eq!(read_blocks(&mut d, 64, 32), second);
    assert_eq!(
        command_in(
            &mut d,
            &[0x43, 0x00, 0x00, 0, 0, 0, 0x00, 0x03, 0x24, 0x00], // READ TOC format 0
            804
        ),
        vec![
            0x00, 0x1A, // TOC data length 26
            0x01, 0x02, // first and last track
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // track 1 at LBA 0
            0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x00, 0x40, // track 2 at LBA 64
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x00, 0x60, // lead-out at LBA 96
        ]
    );
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 95);
}

#[test]
fn function_110b_finalizes_and_101b_is_a_dvd_plus_r_function() {
    let mut d = bd_r();
    write_blocks(&mut d, 0, 32, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok(&mut d, &close(CLOSE_TRACK, 1));
    command_fails(
        &mut d,
        &close(FINALIZE_MINIMAL_RADIUS, 0),
        triples::INVALID_FIELD_IN_CDB,
    );
    command_ok_long(&mut d, &close(FINALIZE_DISC, 0));
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x0E, "last session complete, disc complete");
    command_in_fails(
        &mut d,
        &read_track_information(0xFF),
        48,
        triples::INVALID_FIELD_IN_CDB,
    );
    command_out_fails(
        &mut d,
        &write10(32, 32),
        &blocks(1, 32),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
}

#[test]
fn bd_r_structures_and_formatting() {
    let mut d = bd_r();
    let params = [
        0x00, 0x82, 0x00, 0x08, 0x00, 0xBA, 0x74, 0x00, 0x00, 0, 0, 0,
    ];
    command_out_fails(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0x00], // FORMAT UNIT, FmtData
        &params,
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
    let read_structure = |media: u8, format: u8| {
        [
            0xAD,  // READ DISC STRUCTURE
            media, // media type: 0 DVD, 1 BD
            0, 0, 0, 0, 0x00,   //
            format, // format code
            0x00, 0x08, // allocation length 8
            0x00, 0x00,
        ]
    };
    let protection = command_in(&mut d, &read_structure(1, 0xC0), 8);
    assert_eq!(protection[4] & 0x0F, 0, "not write-protected");
    command_in_fails(
        &mut d,
        &read_structure(0, 0x00),
        8,
        CANNOT_READ_INCOMPATIBLE_FORMAT,
    );
}

#[test]
fn the_saved_bd_r_state_brings_back_the_sessions() {
    let mut d = bd_r();
    record_session(&mut d, 0, 32, 1);
    command_ok_long(&mut d, &close(FINALIZE_DISC, 0));
    let state = d.medium().unwrap().save_state();
    assert_eq!(state["medium"], "bd-r");
    assert_eq!(state["finalized"], true);
    let loaded = medium::load(MediumKind::BdR, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    let info = command_in(&mut reloaded, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x0E);
    let mut bad = state.clone();
    bad["sessions"][0]["tracks"][0]["start"] = 32.into();
    let e = medium::load(MediumKind::BdR, &bad, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("starts at 32"), "{e}");
}
