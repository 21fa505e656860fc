//! Test write (simulation) on a CD-R through the drive, in raw CDBs: the drive says it can
//! (page 2Ah, features 002Dh and 002Eh), takes page 05h with the Test Write bit, and then runs
//! the whole burn, TAO or SAO, with the laser off: the host sees the next writable address move
//! and every command succeed, the drive takes the time a burn takes, and the disc stays blank
//! with nothing recorded. MMC-6 7.5 (page 05h byte 2 bit 4) and the Test Write bits of
//! features 002Dh and 002Eh (byte 4 bit 2); page 2Ah byte 3 bit 2 as MMC-3 defines it.

use mmc_core::sense::triples;
use testkit::*;
use virtdrive::medium::cd_r::{CdR, CdRSize};
use virtdrive::medium::MediumKind;
use virtdrive::{DriveConfig, EmulatedDrive};

/// Page 05h byte 2 bit 4.
const TEST_WRITE: u8 = 0x10;

const MODE_SENSE_05: [u8; 10] = [
    0x5A, // MODE SENSE (10)
    0x08, // DBD = 1
    0x05, // PC = 00b current values, page 05h
    0, 0, 0, 0, //
    0x00, 0xFF, // allocation length 255
    0x00,
];

const MODE_SENSE_2A: [u8; 10] = [
    0x5A, // MODE SENSE (10)
    0x08, // DBD = 1
    0x2A, // PC = 00b current values, page 2Ah
    0, 0, 0, 0, //
    0x00, 0xFF, // allocation length 255
    0x00,
];

/// GET CONFIGURATION, RT = 10b: the one feature `code`.
fn get_feature(code: u8) -> [u8; 10] {
    [
        0x46, // GET CONFIGURATION
        0x02, // RT = 10b: one feature
        0x00, code, // starting feature number
        0, 0, 0, //
        0x00, 0x40, // allocation length 64
        0x00,
    ]
}

/// A drive holding a blank 80-minute CD-R whose sectors live in `store`.
fn drive_over(store: &MemStore) -> EmulatedDrive {
    let disc = CdR::blank(CdRSize::Minutes80, store.boxed());
    EmulatedDrive::with_medium(DriveConfig::default(), Box::new(disc))
}

/// Page 05h with `write_type` and `multi_session`, BUFE on, and Test Write as `test`.
fn select(d: &mut EmulatedDrive, write_type: u8, multi_session: u8, test: bool) {
    let mut list = cd_write_parameters(write_type, multi_session, true);
    if test {
        list[8 + 2] |= TEST_WRITE;
    }
    command_out(d, &mode_select(&list), &list);
}

fn invisible_track(d: &mut EmulatedDrive) -> Vec<u8> {
    command_in(d, &read_track_information(0xFF), 48)
}

/// What a host checks to know a CD-R is blank: READ DISC INFORMATION says blank with one
/// empty session, the invisible track starts at 0, READ TOC fails as on any blank disc, the
/// ATIP still gives the disc's limits, and block 0 does not read.
#[track_caller]
fn assert_blank(d: &mut EmulatedDrive) {
    let info = command_in(d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x00, "disc status blank, last session empty");
    assert_eq!(&info[4..7], &[1, 1, 1], "1 session; first and last track 1");
    let t = invisible_track(d);
    assert_eq!((t[2], t[3]), (1, 1), "track 1, session 1");
    assert_eq!(t[6] & 0x40, 0x40, "Blank");
    assert_eq!(be32(&t[12..16]), 0, "next writable address 0");
    assert_eq!(be32(&t[16..20]), 359_847, "the whole disc free");
    command_in_fails(
        d,
        &read_toc(0x00, false, 1),
        804,
        triples::INVALID_FIELD_IN_CDB,
    );
    let atip = command_in(d, &read_toc(0x04, true, 0), 804);
    assert_eq!(&atip[8..11], &[97, 26, 65], "start time of lead-in");
    assert_eq!(&atip[12..15], &[79, 59, 74], "last possible lead-out");
    command_in_fails(d, &read10(0, 1), 2048, triples::ILLEGAL_MODE_FOR_THIS_TRACK);
}

#[test]
fn page_2ah_and_the_cd_write_features_say_the_drive_can_test_write() {
    let mut d = drive_with(MediumKind::CdR80);
    let page = command_in(&mut d, &MODE_SENSE_2A, 255)[8..].to_vec();
    assert_eq!(page[0] & 0x3F, 0x2A);
    assert_eq!(page[3] & 0x04, 0x04, "page 2Ah byte 3 bit 2: Test Write");
    for code in [0x2D, 0x2E] {
        let f = command_in(&mut d, &get_feature(code), 64);
        assert_eq!(&f[8..10], &[0x00, code], "feature {code:02X}h");
        assert_eq!(f[10] & 0x01, 0x01, "current with a blank CD-R");
        assert_eq!(f[12] & 0x04, 0x04, "feature {code:02X}h Test Write");
    }
}

#[test]
fn page_05h_with_test_write_is_accepted_and_reported_by_mode_sense() {
    let mut d = drive_with(MediumKind::CdR80);
    for write_type in [TAO, SAO] {
        select(&mut d, write_type, FINALIZE, true);
        let page = command_in(&mut d, &MODE_SENSE_05, 255)[8..].to_vec();
        assert_eq!(page[2], 0x40 | TEST_WRITE | write_type, "BUFE, Test Write");
    }
    select(&mut d, TAO, FINALIZE, false);
    let page = command_in(&mut d, &MODE_SENSE_05, 255)[8..].to_vec();
    assert_eq!(page[2], 0x41, "Test Write off again");
}

/// Writes track 1 (400 blocks) and track 2 (300 blocks) in TAO the way cdrecord and libburn
/// do (each track ended by SYNCHRONIZE CACHE), then CLOSE SESSION; returns the next writable
/// addresses the host read before each track.
fn two_tao_tracks(d: &mut EmulatedDrive) -> [u32; 2] {
    let first = be32(&invisible_track(d)[12..16]);
    write_blocks(d, first as i32, 400, 0x11);
    command_ok(d, &SYNCHRONIZE_CACHE);
    let second = be32(&invisible_track(d)[12..16]);
    write_blocks(d, second as i32, 300, 0x22);
    command_ok(d, &SYNCHRONIZE_CACHE);
    command_ok_long(d, &CLOSE_SESSION);
    [first, second]
}

#[test]
fn a_simulated_tao_burn_runs_like_a_real_one_and_leaves_the_disc_blank() {
    let real_store = MemStore::new();
    let mut real = drive_over(&real_store);
    select(&mut real, TAO, FINALIZE, false);
    let started = real.now();
    let real_nwas = two_tao_tracks(&mut real);
    let real_time = real.now().since(started);

    let store = MemStore::new();
    let mut d = drive_over(&store);
    select(&mut d, TAO, FINALIZE, true);
    let started = d.now();
    let nwas = two_tao_tracks(&mut d);
    // The host follows the simulated recording: track 2 starts where it would on the disc.
    assert_eq!(
        nwas, real_nwas,
        "the next writable addresses of a real burn"
    );
    assert_eq!(
        nwas,
        [0, 400 + 2 + 150],
        "track 2 after the run-out and its pre-gap"
    );
    assert_eq!(
        d.now().since(started),
        real_time,
        "the drive took the time of the real burn"
    );
    assert_blank(&mut d);
    assert_eq!(store.sector_writes(), 0, "the laser stayed off");
}

#[test]
fn the_next_writable_address_moves_during_a_simulated_track() {
    let mut d = drive_over(&MemStore::new());
    select(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    write_blocks(&mut d, 0, 32, 1);
    assert_eq!(be32(&invisible_track(&mut d)[12..16]), 32, "NWA");
    // The simulated track takes writes only at its next writable address, as a real one.
    command_out_fails(
        &mut d,
        &write10(0, 1),
        &blocks(1, 1),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    // Nothing was recorded: READ DISC INFORMATION still says blank, block 0 does not read.
    assert_eq!(command_in(&mut d, &READ_DISC_INFORMATION, 34)[2], 0x00);
    command_in_fails(
        &mut d,
        &read10(0, 1),
        2048,
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
}

#[test]
fn close_track_and_close_session_in_test_mode_record_nothing() {
    let store = MemStore::new();
    let mut d = drive_over(&store);
    select(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    write_blocks(&mut d, 0, 32, 1);
    command_ok(&mut d, &CLOSE_TRACK);
    command_ok_long(&mut d, &CLOSE_SESSION);
    assert_blank(&mut d);
    assert_eq!(store.sector_writes(), 0, "no padding was recorded either");
}

#[test]
fn a_simulated_sao_burn_leaves_the_disc_blank() {
    let store = MemStore::new();
    let mut d = drive_over(&store);
    select(&mut d, SAO, FINALIZE, true);
    command_out(&mut d, &SEND_CUE_SHEET, &ONE_TRACK_CUE_SHEET);
    command_out(&mut d, &write10(-150, 150), &vec![0u8; 150 * 2048]);
    write_blocks(&mut d, 0, 300, 0x33);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_blank(&mut d);
    assert_eq!(store.sector_writes(), 0, "the laser stayed off");
}

#[test]
fn a_real_burn_after_a_simulation_records_as_usual() {
    let mut d = drive_over(&MemStore::new());
    select(&mut d, TAO, FINALIZE, true);
    two_tao_tracks(&mut d);
    assert_blank(&mut d);

    select(&mut d, TAO, FINALIZE, false);
    let t = invisible_track(&mut d);
    assert_eq!(be32(&t[12..16]), 0, "the real track starts at 0");
    let data = write_blocks(&mut d, 0, 300, 0x44);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &CLOSE_SESSION);
    assert_eq!(
        command_in(&mut d, &READ_DISC_INFORMATION, 34)[2] & 0x03,
        0x02,
        "complete"
    );
    assert_eq!(read_blocks(&mut d, 0, 300), data);
}

#[test]
fn clearing_test_write_mid_simulation_forgets_the_simulated_track() {
    let mut d = drive_over(&MemStore::new());
    select(&mut d, TAO, FINALIZE, true);
    write_blocks(&mut d, 0, 64, 1);
    select(&mut d, TAO, FINALIZE, false);
    assert_blank(&mut d);
    write_blocks(&mut d, 0, 300, 2);
}
