//! DVD-R and DVD-R DL through the drive, in raw CDBs: the profiles and features (MMC-6 5.3:
//! 0021h Incremental Streaming Writable, 002Fh DVD-R/-RW Write), Incremental recording in
//! sessions closed per page 05h Multi-session (MMC-6 6.3.3.2.3), Disc-at-Once after RESERVE
//! TRACK (MMC-6 6.31; libburn's DVD-R cookbook: no CLOSE after the flush), test writes that
//! leave the disc blank, the dual-layer disc's physical format, and the saved state.
//!
//! Figures: DVD-R 2,298,496 sectors = 0023_1280h, DVD-R DL 4,171,712 = 003F_A7C0h; the
//! first border zone (border-out and the next border-in) 16,384 sectors, later ones 3,072
//! (INF, see the medium's notes).

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{DataPhase, Transport};
use testkit::close_function::{CLOSE_SESSION, CLOSE_TRACK, FINALIZE_MINIMAL_RADIUS};
use testkit::sense::{CANNOT_FORMAT_INCOMPATIBLE_MEDIUM, END_OF_USER_AREA};
use testkit::*;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::EmulatedDrive;

const SECTORS: u32 = 2_298_496;
const DL_SECTORS: u32 = 4_171_712;
const FIRST_BORDER: u32 = 16_384;
const LATER_BORDER: u32 = 3_072;
const INVALID_FIELD_IN_PARAMETER_LIST: SenseTriple = SenseTriple::new(0x5, 0x26, 0x00);

/// RESERVE TRACK of `size` sectors (ARSV = 0).
fn reserve_track(size: u32) -> [u8; 10] {
    let [s0, s1, s2, s3] = size.to_be_bytes();
    [0x53, 0x00, 0, 0, 0, s0, s1, s2, s3, 0x00]
}

/// Page 05h as libburn sends it for DVD-R: `write_type`, `multi_session`, Test Write as
/// `test`, Data Block Type 8.
fn select_page(d: &mut EmulatedDrive, write_type: u8, multi_session: u8, test: bool) {
    let mut list = cd_write_parameters(write_type, multi_session, true);
    if test {
        list[8 + 2] |= 0x10;
    }
    command_out(d, &mode_select(&list), &list);
}

/// Writes `n` sectors at `lba` as track `track`, flushes, closes the track and the session
/// (Incremental: the session is closed as page 05h Multi-session says).
fn record_session(d: &mut EmulatedDrive, lba: u32, n: u16, seed: u8, track: u8) -> Vec<u8> {
    let data = write_blocks(d, lba as i32, n, seed);
    command_ok(d, &SYNCHRONIZE_CACHE);
    command_ok_long(d, &close(CLOSE_TRACK, track));
    command_ok_long(d, &close(CLOSE_SESSION, 0));
    data
}

/// WRITE (10) of 16 sectors at `lba`, expected to fail with `sense`.
#[track_caller]
fn write_fails(d: &mut EmulatedDrive, lba: u32, sense: SenseTriple) -> Failed {
    fails_with(d, &write10(lba, 16), DataPhase::Out(&blocks(9, 16)), sense)
}

/// GET CONFIGURATION of one feature: (current profile, the feature's current bit, byte 4).
fn feature(d: &mut EmulatedDrive, code: u16) -> (u16, bool, u8) {
    let [c0, c1] = code.to_be_bytes();
    let config = command_in(d, &[0x46, 0x02, c0, c1, 0, 0, 0, 0x00, 0x20, 0x00], 32);
    assert_eq!(be16(&config[8..10]), code, "the feature is listed");
    (be16(&config[6..8]), config[10] & 1 == 1, config[12])
}

fn physical_format(d: &mut EmulatedDrive) -> Vec<u8> {
    command_in(
        d,
        &[0xAD, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00],
        2052,
    )
}

/// Disc Status (bits 1-0) and State of Last Session (bits 3-2) of READ DISC INFORMATION.
fn disc_status(d: &mut EmulatedDrive) -> (u8, u8) {
    let info = command_in(d, &READ_DISC_INFORMATION, 34);
    (info[2] & 0x03, (info[2] >> 2) & 0x03)
}

/// READ TRACK INFORMATION of track FFh: (track, session, start, NWA, free blocks).
fn invisible(d: &mut EmulatedDrive) -> (u8, u8, u32, u32, u32) {
    let t = command_in(d, &read_track_information(0xFF), 48);
    (
        t[2],
        t[3],
        be32(&t[8..12]),
        be32(&t[12..16]),
        be32(&t[16..20]),
    )
}

#[test]
fn a_blank_dvd_r_is_profile_0011h_with_incremental_and_dao_current() {
    let mut d = drive_with(MediumKind::DvdR);
    let (profile, current, _) = feature(&mut d, 0x0021);
    assert_eq!(profile, 0x0011, "DVD-R Sequential recording");
    assert!(current, "Incremental Streaming Writable is current");
    let (_, current, flags) = feature(&mut d, 0x002F);
    assert!(current, "DVD-R/-RW Write is current");
    assert_eq!(flags & 0x04, 0x04, "Test Write supported");
    let list = command_in(&mut d, &[0x46, 0x02, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00], 256);
    let profiles: Vec<(u16, bool)> = list[12..12 + usize::from(list[11])]
        .chunks(4)
        .map(|p| (be16(&p[0..2]), p[2] & 1 == 1))
        .collect();
    assert!(profiles.contains(&(0x0011, true)), "{profiles:?}");

    assert_eq!(
        disc_status(&mut d),
        (0b00, 0b00),
        "blank disc, empty session"
    );
    assert_eq!(invisible(&mut d), (1, 1, 0, 0, SECTORS));
    let caps = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(be32(&caps[4..8]), SECTORS);
    assert_eq!(caps[8] & 0x03, 0b01, "unformatted or blank media");
    let pfi = physical_format(&mut d);
    assert_eq!(pfi[4] >> 4, 0x2, "book type DVD-R");
    assert_eq!((pfi[6] >> 5) & 0x03, 0, "one layer");
    assert_eq!(be24(&pfi[13..16]), 0x03_0000 + SECTORS - 1);
}

#[test]
fn incremental_sessions_stay_open_with_multi_session_11b_and_close_the_disc_with_00b() {
    let mut d = drive_with(MediumKind::DvdR);
    select_page(&mut d, INCREMENTAL, NEXT_SESSION_ALLOWED, false);
    let first = record_session(&mut d, 0, 20, 1, 1);
    assert_eq!(
        disc_status(&mut d),
        (0b01, 0b00),
        "appendable, the next session empty"
    );
    let second_start = 32 + FIRST_BORDER;
    let (track, session, start, nwa, free) = invisible(&mut d);
    assert_eq!(
        (track, session, start, nwa),
        (2, 2, second_start, second_start)
    );
    assert_eq!(free, SECTORS - second_start);

    select_page(&mut d, INCREMENTAL, FINALIZE, false);
    let second = record_session(&mut d, second_start, 16, 2, 2);
    assert_eq!(disc_status(&mut d), (0b10, 0b11), "complete");
    command_in_fails(
        &mut d,
        &read_track_information(0xFF),
        48,
        triples::INVALID_FIELD_IN_CDB,
    );
    let f = write_fails(
        &mut d,
        second_start + 16,
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    assert_eq!(f.information, Some(u64::from(second_start + 16)));
    assert_eq!(read_blocks(&mut d, 0, 20), first);
    assert_eq!(read_blocks(&mut d, second_start as i32, 16), second);
    let track1 = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(
        be32(&track1[24..28]),
        32,
        "track 1 padded to two ECC blocks"
    );
    assert_eq!(
        track1[7] & 0x02,
        0x02,
        "LRA_V: DVD-R reports the last recorded address"
    );
    assert_eq!(be32(&track1[28..32]), 31);
}

#[test]
fn a_third_session_follows_a_later_border() {
    let mut d = drive_with(MediumKind::DvdR);
    select_page(&mut d, INCREMENTAL, NEXT_SESSION_ALLOWED, false);
    record_session(&mut d, 0, 16, 1, 1);
    let second = 16 + FIRST_BORDER;
    record_session(&mut d, second, 16, 2, 2);
    let (track, session, start, _, _) = invisible(&mut d);
    assert_eq!((track, session, start), (3, 3, second + 16 + LATER_BORDER));
}

#[test]
fn writes_off_the_next_writable_address_fail() {
    let mut d = drive_with(MediumKind::DvdR);
    let f = write_fails(&mut d, 16, triples::INVALID_ADDRESS_FOR_WRITE);
    assert_eq!(f.information, Some(16));
}

#[test]
fn an_incremental_reservation_is_written_at_its_own_address() {
    let mut d = drive_with(MediumKind::DvdR);
    command_ok(&mut d, &reserve_track(100));
    let t = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(t[6] & 0x80, 0x80, "RT: a reserved track");
    assert_eq!(be32(&t[24..28]), 112, "the size in whole ECC blocks");
    assert_eq!(be32(&t[16..20]), 112, "free blocks: the reservation");
    let (track, _, start, nwa, _) = invisible(&mut d);
    assert_eq!(
        (track, start, nwa),
        (2, 112, 112),
        "the next track follows it"
    );
    write_blocks(&mut d, 0, 112, 1);
    // The reserved track is written and still open: nothing more fits in it.
    write_fails(&mut d, 112, END_OF_USER_AREA);
}

#[test]
fn disc_at_once_writes_the_reservation_and_the_flush_closes_the_disc() {
    let mut d = drive_with(MediumKind::DvdR);
    select_page(&mut d, SAO, FINALIZE, false);
    write_fails(&mut d, 0, triples::COMMAND_SEQUENCE_ERROR);
    command_ok(&mut d, &reserve_track(100));
    let data = write_blocks(&mut d, 0, 100, 1);
    let f = write_fails(&mut d, 100, END_OF_USER_AREA);
    assert_eq!(f.information, Some(100), "past the reservation");
    assert_eq!(disc_status(&mut d).0, 0b01, "still being written");
    command_ok_long(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(
        disc_status(&mut d),
        (0b10, 0b11),
        "the flush closed the disc"
    );
    assert_eq!(read_blocks(&mut d, 0, 100), data);
    let cap = command_in(&mut d, &READ_CAPACITY, 8);
    assert_eq!(
        be32(&cap[0..4]),
        111,
        "the reservation, padded to ECC blocks"
    );
    command_fails(&mut d, &reserve_track(16), triples::COMMAND_SEQUENCE_ERROR);
}

#[test]
fn disc_at_once_needs_a_blank_disc() {
    let mut d = drive_with(MediumKind::DvdR);
    select_page(&mut d, INCREMENTAL, NEXT_SESSION_ALLOWED, false);
    record_session(&mut d, 0, 16, 1, 1);
    select_page(&mut d, SAO, FINALIZE, false);
    command_fails(&mut d, &reserve_track(32), triples::COMMAND_SEQUENCE_ERROR);
}

#[test]
fn a_test_write_in_either_mode_leaves_the_disc_blank() {
    for write_type in [INCREMENTAL, SAO] {
        let mut d = drive_with(MediumKind::DvdR);
        select_page(&mut d, write_type, FINALIZE, true);
        if write_type == SAO {
            command_ok(&mut d, &reserve_track(32));
        }
        write_blocks(&mut d, 0, 32, 1);
        // The drive follows the simulated recording: the next writable address moves.
        let (_, _, _, nwa, _) = invisible(&mut d);
        assert_eq!(nwa, 32, "write type {write_type}");
        command_ok_long(&mut d, &SYNCHRONIZE_CACHE);
        if write_type == INCREMENTAL {
            command_ok_long(&mut d, &close(CLOSE_TRACK, 1));
            command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
        }
        assert_eq!(disc_status(&mut d), (0b00, 0b00), "still blank");
        assert_eq!(invisible(&mut d), (1, 1, 0, 0, SECTORS));
        command_in_fails(&mut d, &read10(0, 1), 2048, triples::LBA_OUT_OF_RANGE);
        assert_eq!(
            d.medium().unwrap().save_state()["sessions"],
            serde_json::json!([])
        );
    }
}

#[test]
fn close_functions_of_dvd_plus_r_and_format_unit_are_refused() {
    let mut d = drive_with(MediumKind::DvdR);
    write_blocks(&mut d, 0, 16, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &close(CLOSE_TRACK, 1));
    command_fails(
        &mut d,
        &close(FINALIZE_MINIMAL_RADIUS, 0),
        triples::INVALID_FIELD_IN_CDB,
    );
    let list = format_list(SECTORS, 0x00, 0, 0);
    command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &list,
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
}

#[test]
fn page_05h_takes_dvd_write_types_only() {
    let mut d = drive_with(MediumKind::DvdR);
    let list = cd_write_parameters(TAO, FINALIZE, true);
    let f = command_out_fails(
        &mut d,
        &mode_select(&list),
        &list,
        INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8 + 2);
}

#[test]
fn dvd_r_dl_is_profile_0015h_with_two_layers_and_records_disc_at_once_only() {
    let mut d = drive_with(MediumKind::DvdRDl);
    let (profile, current, _) = feature(&mut d, 0x0021);
    assert_eq!(profile, 0x0015, "DVD-R DL Sequential recording");
    assert!(!current, "no Incremental Streaming on DVD-R DL");
    let (_, current, flags) = feature(&mut d, 0x002F);
    assert!(current);
    assert_eq!(flags & 0x08, 0x08, "RDL: the drive writes DVD-R DL");
    let pfi = physical_format(&mut d);
    assert_eq!(pfi[4] >> 4, 0x2, "book type DVD-R");
    assert_eq!((pfi[6] >> 5) & 0x03, 1, "two layers");
    assert_eq!(pfi[6] & 0x10, 0x10, "opposite track path");
    assert_eq!(
        be24(&pfi[17..20]),
        0x03_0000 + DL_SECTORS / 2 - 1,
        "layer 0 ends halfway"
    );
    assert_eq!(invisible(&mut d).4, DL_SECTORS);

    let list = cd_write_parameters(INCREMENTAL, FINALIZE, true);
    let f = command_out_fails(
        &mut d,
        &mode_select(&list),
        &list,
        INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8 + 2);
    // Without a reservation there is nothing to write Disc-at-Once.
    write_fails(&mut d, 0, triples::COMMAND_SEQUENCE_ERROR);
    command_ok(&mut d, &reserve_track(64));
    let data = write_blocks(&mut d, 0, 64, 1);
    command_ok_long(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(disc_status(&mut d), (0b10, 0b11));
    assert_eq!(read_blocks(&mut d, 0, 64), data);
}

#[test]
fn the_saved_state_brings_back_the_sessions() {
    let mut d = drive_with(MediumKind::DvdR);
    select_page(&mut d, INCREMENTAL, NEXT_SESSION_ALLOWED, false);
    record_session(&mut d, 0, 16, 1, 1);
    let second = 16 + FIRST_BORDER;
    write_blocks(&mut d, second as i32, 16, 2);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let state = d.medium().unwrap().save_state();
    assert_eq!(state["medium"], "dvd-r");
    let loaded = medium::load(MediumKind::DvdR, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    assert_eq!(
        disc_status(&mut reloaded),
        (0b01, 0b01),
        "session 2 still open"
    );
    let (track, session, start, nwa, _) = invisible(&mut reloaded);
    assert_eq!((track, session, start, nwa), (2, 2, second, second + 16));
    let e = medium::load(MediumKind::DvdPlusR, &state, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("dvd-r"), "{e}");
}

/// GET PERFORMANCE type 03h (MMC-6 6.8.2.5): the write speeds, fastest first, each with the
/// disc's last LBA: DVD-R 16x, 8x, 4x; DVD-R DL 8x, 4x, 2x (1x = 1,385 kB/s).
#[test]
fn each_medium_reports_its_write_speeds() {
    for (kind, speeds, sectors) in [
        (MediumKind::DvdR, [22_160, 11_080, 5_540], SECTORS),
        (MediumKind::DvdRDl, [11_080, 5_540, 2_770], DL_SECTORS),
    ] {
        let mut d = drive_with(kind);
        let cdb = [0xAC, 0x00, 0, 0, 0, 0, 0, 0, 0, 8, 0x03, 0x00];
        let data = command_in(&mut d, &cdb, 8 + 8 * 16);
        assert_eq!(be32(&data[0..4]), 4 + 3 * 16, "{kind:?}: three descriptors");
        let got: Vec<(u32, u32)> = data[8..]
            .chunks(16)
            .map(|s| (be32(&s[4..8]), be32(&s[12..16])))
            .collect();
        let want: Vec<(u32, u32)> = speeds.iter().map(|&w| (sectors - 1, w)).collect();
        assert_eq!(got, want, "{kind:?}: (end LBA, write speed)");
    }
}

/// A power loss during a test write: the drive forgets page 05h and the simulation; the disc
/// is as recorded, and a real recording starts from its next writable address.
#[test]
fn a_power_loss_ends_a_test_write() {
    let mut d = drive_with(MediumKind::DvdR);
    select_page(&mut d, INCREMENTAL, NEXT_SESSION_ALLOWED, false);
    let first = write_blocks(&mut d, 0, 16, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    select_page(&mut d, INCREMENTAL, NEXT_SESSION_ALLOWED, true);
    write_blocks(&mut d, 16, 32, 2);
    assert_eq!(
        invisible(&mut d).3,
        48,
        "the simulated recording moved the NWA"
    );
    d.power_cycle();
    // The disc spins up again, reporting the power-on reset and then the medium.
    let ready = (0..20).any(|_| {
        d.advance(std::time::Duration::from_secs(1));
        let c = d
            .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .unwrap();
        c.sense_triple().is_none()
    });
    assert!(ready, "the drive becomes ready");
    assert_eq!(invisible(&mut d).3, 16, "back to the recorded NWA");
    let page = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C);
    assert_eq!(page[8 + 2] & 0x10, 0, "Test Write cleared");
    write_blocks(&mut d, 16, 16, 3);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(read_blocks(&mut d, 0, 16), first);
}

/// READ DISC STRUCTURE on DVD-R DL: format 10h (the control data zone's physical format) is
/// listed and answered like 00h, layer 1 answers too, layer 2 does not exist (05/24/00 on
/// the layer number, CDB byte 6); feature 001Fh DVD Read has DualR set.
#[test]
fn dvd_r_dl_answers_both_layers_and_the_control_data_zone() {
    let mut d = drive_with(MediumKind::DvdRDl);
    let structure = |layer: u8, format: u8| {
        [
            0xAD, 0x00, 0, 0, 0, 0, layer, format, 0x08, 0x04, 0x00, 0x00,
        ]
    };
    let list = command_in(&mut d, &structure(0, 0xFF), 64);
    let formats: Vec<u8> = list[4..2 + be16(&list[0..2]) as usize]
        .chunks(4)
        .map(|e| e[0])
        .collect();
    assert!(formats.contains(&0x10), "{formats:02X?}");
    let layer0 = command_in(&mut d, &structure(0, 0x00), 2052);
    assert_eq!(command_in(&mut d, &structure(0, 0x10), 2052), layer0);
    assert_eq!(command_in(&mut d, &structure(1, 0x00), 2052), layer0);
    let f = command_in_fails(
        &mut d,
        &structure(2, 0x00),
        2052,
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_cdb_field(f, 6);
    let config = command_in(
        &mut d,
        &[0x46, 0x02, 0x00, 0x1F, 0, 0, 0, 0x00, 0x10, 0x00],
        16,
    );
    assert_eq!(be16(&config[8..10]), 0x001F, "DVD Read");
    assert_eq!(config[14] & 0x01, 0x01, "byte 6 bit 0: DualR");
}

/// MODE SENSE of page 05h before any MODE SELECT (growisofs and wodim start from it): DVD-R
/// Incremental (Write Type 00h), DVD-R DL Disc-at-Once (02h); Multi-session 00b, no Test
/// Write, Data Block Type 8.
#[test]
fn page_05h_starts_in_the_write_type_each_medium_records() {
    for (kind, write_type) in [(MediumKind::DvdR, INCREMENTAL), (MediumKind::DvdRDl, SAO)] {
        let mut d = drive_with(kind);
        let page = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C)[8..].to_vec();
        assert_eq!(page[0] & 0x3F, 0x05, "{kind:?}");
        assert_eq!(page[2] & 0x0F, write_type, "{kind:?}: write type");
        assert_eq!(page[2] & 0x10, 0, "{kind:?}: no Test Write");
        assert_eq!(page[3] >> 6, FINALIZE, "{kind:?}: Multi-session 00b");
        assert_eq!(page[4] & 0x0F, 8, "{kind:?}: Data Block Type 8");
    }
}

/// The DVD-R DL layer boundary (MMC-5 READ and SEND DISC STRUCTURE format 20h, Layer
/// Boundary Information): a blank disc reports layer 0 at half the disc, still settable; SEND
/// DISC STRUCTURE 20h moves it, after which the disc holds twice it and the physical format's
/// End Sector Number in Layer 0 follows; once a reservation is made the boundary is fixed
/// (InitStatus set) and a further SEND is a command sequence error.
#[test]
fn dvd_r_dl_takes_a_layer_boundary_before_recording_and_fixes_it_with_the_reservation() {
    let mut d = drive_with(MediumKind::DvdRDl);
    let read_boundary = |d: &mut EmulatedDrive| {
        let lbi = command_in(d, &[0xAD, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0], 12);
        (lbi[4] & 0x80 != 0, be32(&lbi[8..12]))
    };
    assert_eq!(read_boundary(&mut d), (false, DL_SECTORS / 2));
    let send = [0xBF, 0, 0, 0, 0, 0, 0, 0x20, 0, 12, 0, 0];
    let mut list = [0u8; 12];
    list[1] = 10;
    list[8..12].copy_from_slice(&1_000_000u32.to_be_bytes());
    command_out(&mut d, &send, &list);
    assert_eq!(read_boundary(&mut d), (false, 1_000_000));
    assert_eq!(invisible(&mut d).4, 2_000_000, "twice layer 0");
    assert_eq!(
        be24(&physical_format(&mut d)[17..20]),
        0x03_0000 + 1_000_000 - 1,
        "layer 0 ends where it was set"
    );
    select_page(&mut d, SAO, 0, false);
    command_ok(&mut d, &reserve_track(3000));
    assert_eq!(read_boundary(&mut d), (true, 1_000_000));
    command_out_fails(&mut d, &send, &list, triples::COMMAND_SEQUENCE_ERROR);
}
