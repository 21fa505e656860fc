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
fn bd_r_structures() {
    let mut d = bd_r();
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

// Formatting (MMC-6 6.5.4.2: format types 00h and 32h on BD-R; Pioneer BDR-203 manual
// 4.3.1.1.2 and 4.3.1.3: ISA0 4,096 and OSA 8,192 spare clusters by default, sub-types 00b
// SRM with POW and 01b SRM without POW).

/// User sectors with the default spares: ISA0 4,096 + OSA 8,192 clusters of 32 sectors.
const DEFAULT_USER: u32 = SECTORS - 12_288 * 32;
/// With the largest spare offered (ISA0 + 16,384 OSA clusters).
const MAX_SPARE_USER: u32 = SECTORS - 20_480 * 32;
/// With ISA0 alone.
const MIN_SPARE_USER: u32 = SECTORS - 4_096 * 32;
const SRM_POW: u8 = 0b00;
const SRM_NO_POW: u8 = 0b01;

fn formatted(format_type: u8, subtype: u8, blocks: u32, spare: u32) -> EmulatedDrive {
    let mut d = bd_r();
    command_out(
        &mut d,
        &FORMAT_UNIT,
        &format_list(blocks, format_type, subtype, spare),
    );
    wait_until_ready(&mut d);
    d
}

/// The current bit of one feature (GET CONFIGURATION RT 10b).
fn feature_current(d: &mut EmulatedDrive, code: u16) -> Option<bool> {
    let [hi, lo] = code.to_be_bytes();
    let config = command_in(
        d,
        &[
            0x46, // GET CONFIGURATION
            0x02, // RT 10b: one feature
            hi, lo, // starting feature
            0, 0, 0, //
            0x00, 0x40, // allocation length 64
            0x00,
        ],
        64,
    );
    (config.len() > 10 && be16(&config[8..10]) == code).then(|| config[10] & 0x01 == 1)
}

#[test]
fn a_blank_bd_r_lists_format_00h_and_32h_with_their_spare_areas() {
    let mut d = bd_r();
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    let mut want = vec![0, 0, 0, 40]; // capacity list length: 5 descriptors
    want.extend(capacity_descriptor(SECTORS, 0x01, 2048)); // current: unformatted, 2048-byte blocks
    want.extend(capacity_descriptor(DEFAULT_USER, 0x00 << 2, 0x3000)); // 00h, 12,288 spare clusters
    want.extend(capacity_descriptor(DEFAULT_USER, 0x32 << 2, 0x3000)); // 32h, default spare
    want.extend(capacity_descriptor(MAX_SPARE_USER, 0x32 << 2, 0x5000)); // 32h, largest spare
    want.extend(capacity_descriptor(MIN_SPARE_USER, 0x32 << 2, 0x1000)); // 32h, ISA0 alone
    assert_eq!(formats, want);
    assert_eq!(feature_current(&mut d, 0x0023), Some(true), "Formattable");
    assert_eq!(
        feature_current(&mut d, 0x0024),
        Some(false),
        "no defect management"
    );
    assert_eq!(
        feature_current(&mut d, 0x0038),
        Some(false),
        "not formatted for POW"
    );
}

#[test]
fn format_00h_gives_the_default_spares_and_turns_on_defect_management() {
    let mut d = formatted(0x00, SRM_NO_POW, DEFAULT_USER, 0x3000);
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(
        formats,
        [
            &[0u8, 0, 0, 8][..],
            &capacity_descriptor(DEFAULT_USER, 0x02, 2048)
        ]
        .concat(),
        "one current descriptor: formatted, the user capacity"
    );
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2] & 0x03, 0x00, "still blank: nothing recorded");
    assert_eq!(
        be32(&info[20..24]),
        DEFAULT_USER,
        "last possible lead-out start"
    );
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&track[12..16]), 0, "next writable address");
    assert_eq!(be32(&track[16..20]), DEFAULT_USER, "free blocks");
    assert_eq!(
        feature_current(&mut d, 0x0024),
        Some(true),
        "defect management"
    );
    assert_eq!(
        feature_current(&mut d, 0x0038),
        Some(false),
        "SRM without POW"
    );
    assert_eq!(
        feature_current(&mut d, 0x0023),
        Some(false),
        "formatted once"
    );

    let data = record_session(&mut d, 0, 64, 7);
    assert_eq!(read_blocks(&mut d, 0, 64), data);
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 63);
    let next = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&next[16..20]), DEFAULT_USER - 64, "free blocks");
}

#[test]
fn format_32h_takes_the_spare_size_the_host_picked() {
    for (blocks, spare) in [
        (DEFAULT_USER, 0x3000),
        (MAX_SPARE_USER, 0x5000),
        (MIN_SPARE_USER, 0x1000),
    ] {
        let mut d = formatted(0x32, SRM_NO_POW, blocks, spare);
        let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
        assert_eq!(be32(&formats[4..8]), blocks);
        assert_eq!(formats[8] & 0x03, 0b10, "formatted");
        let track = command_in(&mut d, &read_track_information(0xFF), 48);
        assert_eq!(be32(&track[16..20]), blocks, "free blocks");
    }
}

#[test]
fn bad_format_parameter_lists_are_invalid_field_in_parameter_list() {
    let mut d = bd_r();
    for list in [
        // 32h with fewer spare clusters than ISA0 holds.
        format_list(MIN_SPARE_USER + 32, 0x32, SRM_NO_POW, 0x0FFF),
        // 32h with more spare than the largest offered.
        format_list(MAX_SPARE_USER - 32, 0x32, SRM_NO_POW, 0x5001),
        // Sub-type 10b: Random Recording Mode, not offered.
        format_list(DEFAULT_USER, 0x32, 0b10, 0x3000),
        // 30h and 31h are BD-RE formats.
        format_list(DEFAULT_USER, 0x30, 0b00, 0x3000),
        format_list(SECTORS, 0x31, 0b00, 2048),
    ] {
        command_out_fails(
            &mut d,
            &FORMAT_UNIT,
            &list,
            triples::INVALID_FIELD_IN_PARAMETER_LIST,
        );
    }
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(formats[8] & 0x03, 0b01, "still unformatted");
}

#[test]
fn a_recorded_or_formatted_bd_r_cannot_be_formatted() {
    let mut d = bd_r();
    record_session(&mut d, 0, 32, 1);
    command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &format_list(DEFAULT_USER, 0x00, SRM_NO_POW, 0x3000),
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(be32(&formats[0..4]), 8, "no formattable descriptors");

    let mut d = formatted(0x00, SRM_NO_POW, DEFAULT_USER, 0x3000);
    command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &format_list(MIN_SPARE_USER, 0x32, SRM_NO_POW, 0x1000),
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
}

#[test]
fn defect_management_halves_the_write_rate_unless_write_12_streams() {
    let time_to_write = |d: &mut EmulatedDrive, streaming: bool| {
        let data = blocks(0, 64);
        let before = d.now();
        for i in 0..64 {
            command_out(d, &write12(i * 64, 64, streaming), &data);
        }
        command_ok(d, &SYNCHRONIZE_CACHE);
        d.now().since(before).as_secs_f64()
    };
    let mut managed = formatted(0x00, SRM_NO_POW, DEFAULT_USER, 0x3000);
    let verified = time_to_write(&mut managed, false);
    let streamed = time_to_write(&mut formatted(0x00, SRM_NO_POW, DEFAULT_USER, 0x3000), true);
    let unformatted = time_to_write(&mut bd_r(), false);
    assert!(
        (1.8..2.2).contains(&(verified / streamed)),
        "{verified} s with verify-after-write, {streamed} s streaming"
    );
    assert!(
        (0.9..1.1).contains(&(unformatted / streamed)),
        "{unformatted} s unformatted (SRM without spares), {streamed} s streaming"
    );
}

#[test]
fn srm_with_pow_overwrites_recorded_sectors_logically() {
    let mut d = formatted(0x00, SRM_POW, DEFAULT_USER, 0x3000);
    assert_eq!(feature_current(&mut d, 0x0038), Some(true), "BD-R POW");
    let first = write_blocks(&mut d, 0, 64, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    // A pseudo-overwrite of sectors 16-47: read back as written, the rest untouched.
    let again = write_blocks(&mut d, 16, 32, 2);
    let read = read_blocks(&mut d, 0, 64);
    assert_eq!(&read[..16 * 2048], &first[..16 * 2048]);
    assert_eq!(&read[16 * 2048..48 * 2048], &again[..]);
    assert_eq!(&read[48 * 2048..], &first[48 * 2048..]);
    // The next writable address stays where sequential recording left it.
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&track[12..16]), 64);
    // Past what was recorded is still no address for writing.
    command_out_fails(
        &mut d,
        &write10(96, 32),
        &blocks(3, 32),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    // Without POW a recorded sector is not writable.
    let mut d = formatted(0x00, SRM_NO_POW, DEFAULT_USER, 0x3000);
    write_blocks(&mut d, 0, 64, 1);
    command_out_fails(
        &mut d,
        &write10(16, 32),
        &blocks(2, 32),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
}

#[test]
fn the_format_is_saved_with_the_disc_and_old_states_load_unformatted() {
    let mut d = formatted(0x32, SRM_POW, MIN_SPARE_USER, 0x1000);
    record_session(&mut d, 0, 64, 1);
    let state = d.medium().unwrap().save_state();
    let loaded = medium::load(MediumKind::BdR, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    let info = command_in(&mut reloaded, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        be32(&info[20..24]),
        MIN_SPARE_USER,
        "last possible lead-out start"
    );
    assert_eq!(feature_current(&mut reloaded, 0x0038), Some(true), "POW");
    assert_eq!(
        feature_current(&mut reloaded, 0x0024),
        Some(true),
        "defect management"
    );

    let mut old = state.clone();
    old.as_object_mut().unwrap().remove("format");
    let loaded = medium::load(MediumKind::BdR, &old, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    let info = command_in(&mut reloaded, &READ_DISC_INFORMATION, 34);
    assert_eq!(be32(&info[20..24]), SECTORS, "no spare areas");
}

/// A flushed track stays incomplete (SYNCHRONIZE CACHE does not close it), and so it does in
/// the saved state: the disc loaded from it writes on in track 1, after the padded cluster.
#[test]
fn a_flushed_track_is_saved_open_and_loads_open() {
    let mut d = bd_r();
    write_blocks(&mut d, 0, 40, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let state = d.medium().unwrap().save_state();
    let loaded = medium::load(MediumKind::BdR, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    let track = command_in(&mut reloaded, &read_track_information(0xFF), 48);
    assert_eq!(
        &track[2..4],
        &[1, 1],
        "track 1 of session 1 is still the open one"
    );
    assert_eq!(be32(&track[8..12]), 0, "track start");
    assert_eq!(be32(&track[12..16]), 64, "NWA after the padded cluster");
    let info = command_in(&mut reloaded, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x05, "last session incomplete, disc incomplete");
    // A closed track in an open session loads closed: the next write starts track 2.
    command_ok(&mut d, &close(CLOSE_TRACK, 0xFF));
    let state = d.medium().unwrap().save_state();
    let loaded = medium::load(MediumKind::BdR, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    let track = command_in(&mut reloaded, &read_track_information(0xFF), 48);
    assert_eq!(&track[2..4], &[2, 1], "track 2 of session 1");
}
