//! DVD+R through the drive, in raw CDBs: the blank disc, writing at the next writable
//! address only, padding to 16-sector ECC blocks, CLOSE TRACK (001b), CLOSE SESSION (010b)
//! and the finalizing functions 101b and 110b (MMC-6 6.3.3.4; libburn's DVD+R cookbook),
//! RESERVE TRACK, the made-up TOC, the 153-session limit, and the saved state.
//!
//! Figures: 2,295,104 sectors = 0023_0540h; a session costs a 64-block Closure
//! and the next session's 64-block Intro: 2,048 sectors (INF, see the medium's notes).

use mmc_core::sense::{triples, SenseTriple};
use testkit::close_function::{CLOSE_SESSION, CLOSE_TRACK, FINALIZE_DISC, FINALIZE_MINIMAL_RADIUS};
use testkit::sense::{CANNOT_FORMAT_INCOMPATIBLE_MEDIUM, END_OF_USER_AREA};
use testkit::*;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::EmulatedDrive;

const SECTORS: u32 = 2_295_104;
const INCOMPLETE_TRACK_IN_SESSION: SenseTriple = SenseTriple::new(0x5, 0x72, 0x03);

fn dvd_plus_r() -> EmulatedDrive {
    drive_with(MediumKind::DvdPlusR)
}

/// Writes `n` sectors at `lba`, synchronizes, closes the track and the session.
fn record_session(d: &mut EmulatedDrive, lba: i32, n: u16, seed: u8, track: u8) -> Vec<u8> {
    let data = write_blocks(d, lba, n, seed);
    command_ok(d, &SYNCHRONIZE_CACHE);
    command_ok_long(d, &close(CLOSE_TRACK, track));
    command_ok_long(d, &close(CLOSE_SESSION, 0));
    data
}

#[test]
fn a_blank_dvd_plus_r_is_profile_001b_with_one_empty_session() {
    let mut d = dvd_plus_r();
    let config = command_in(
        &mut d,
        &[
            0x46, // GET CONFIGURATION
            0x02, // RT 10b: one feature
            0x00, 0x2B, // feature 002Bh: DVD+R
            0, 0, 0, //
            0x00, 0x20, // allocation length 32
            0x00,
        ],
        32,
    );
    assert_eq!(be16(&config[6..8]), 0x001B, "current profile DVD+R");
    assert_eq!(be16(&config[8..10]), 0x002B, "the DVD+R feature");
    assert_eq!(config[10] & 0x01, 0x01, "current");
    assert_eq!(config[12] & 0x01, 0x01, "Write: the drive writes DVD+R");

    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        &info[0..12],
        &[
            0x00, 0x20, // disc information length 32
            0x00, // Erasable 0, last session empty (00b), disc empty (00b)
            0x01, // first track on disc
            0x01, // number of sessions (LSB)
            0x01, // first track in last session (LSB)
            0x01, // last track in last session (LSB)
            0x20, // URU, no BG format
            0x00, // disc type
            0x00, 0x00, 0x00, // sessions, first and last track (MSB)
        ]
    );
    assert_eq!(
        be32(&info[16..20]),
        0,
        "no session yet: lead-in start 0 (Pioneer R11)"
    );
    assert_eq!(
        be32(&info[20..24]),
        0x0023_0540,
        "last possible lead-out start: the capacity"
    );

    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(
        &track[0..8],
        &[
            0x00, 0x2E, // data length 46
            0x01, // track number (LSB)
            0x01, // session number (LSB)
            0x00, //
            0x04, // LJRS 0, Damage 0, Copy 0, Track Mode 4
            0x41, // RT 0, Blank 1, Packet/Inc 0, FP 0, Data Mode 1
            0x01, // LRA_V 0, NWA_V 1
        ]
    );
    assert_eq!(be32(&track[8..12]), 0, "track start");
    assert_eq!(be32(&track[12..16]), 0, "next writable address");
    assert_eq!(be32(&track[16..20]), SECTORS, "free blocks");
    assert_eq!(be32(&track[20..24]), 16, "fixed packet size: the ECC block");
    assert_eq!(be32(&track[24..28]), SECTORS, "track size");

    let caps = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(
        be32(&caps[4..8]),
        SECTORS,
        "current capacity: the whole disc"
    );
    assert_eq!(caps[8] & 0x03, 0b01, "unformatted or blank media");
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 0);
    command_in_fails(
        &mut d,
        &read_toc(0, false, 0),
        804,
        triples::INVALID_FIELD_IN_CDB,
    );
}

#[test]
fn writes_go_only_to_the_next_writable_address() {
    let mut d = dvd_plus_r();
    let f = command_out_fails(
        &mut d,
        &write10(16, 16),
        &blocks(1, 16),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    assert_eq!(f.information, Some(16), "the LBA refused");
    write_blocks(&mut d, 0, 20, 1);
    // Before the cache is flushed the open track continues right after the data.
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&track[12..16]), 20, "NWA after 20 sectors");
    assert_eq!(track[6] & 0x40, 0, "no longer blank");
    command_out_fails(
        &mut d,
        &write10(32, 1),
        &blocks(2, 1),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    write_blocks(&mut d, 20, 1, 2);
}

#[test]
fn a_flush_pads_the_ecc_block_and_moves_the_next_writable_address() {
    let mut d = dvd_plus_r();
    let data = write_blocks(&mut d, 0, 20, 7);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&track[12..16]), 32, "NWA at the next 16-sector block");
    assert_eq!(be32(&track[16..20]), SECTORS - 32, "free blocks");
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        info[2], 0x05,
        "last session incomplete (01b), disc incomplete (01b)"
    );
    assert_eq!(
        &info[4..7],
        &[1, 1, 1],
        "one session; track 1 first and last"
    );
    assert_eq!(read_blocks(&mut d, 0, 20), data);
    assert_eq!(
        read_blocks(&mut d, 20, 12),
        vec![0u8; 12 * 2048],
        "zero padding"
    );
    let f = command_in_fails(&mut d, &read10(32, 1), 2048, triples::LBA_OUT_OF_RANGE);
    assert_eq!(f.information, Some(32));
}

#[test]
fn closing_track_and_session_keeps_the_disc_appendable() {
    let mut d = dvd_plus_r();
    let first = record_session(&mut d, 0, 20, 3, 1);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        info[2], 0x01,
        "last session empty (00b), disc incomplete (01b)"
    );
    assert_eq!(
        &info[4..7],
        &[2, 2, 2],
        "the empty session 2 counts; its invisible track 2 is first and last"
    );
    // Track 1 ends at 32; its Closure takes 1,024 sectors, then the Intro of session 2.
    assert_eq!(be32(&info[16..20]), 32 + 1024, "where the next Intro goes");

    let invisible = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(&invisible[2..4], &[2, 2], "track 2 in session 2");
    assert_eq!(
        be32(&invisible[8..12]),
        32 + 2048,
        "track start after Closure and Intro"
    );
    assert_eq!(be32(&invisible[12..16]), 2080, "next writable address");
    assert_eq!(be32(&invisible[16..20]), SECTORS - 2080, "free blocks");

    let track1 = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(&track1[2..4], &[1, 1]);
    assert_eq!(track1[6], 0x01, "not blank, not reserved, data mode 1");
    assert_eq!(
        track1[7], 0x00,
        "NWA_V 0, LRA_V 0: +R reports no LRA (Pioneer R11)"
    );
    assert_eq!(be32(&track1[24..28]), 32, "track size: 2 ECC blocks");

    assert_eq!(
        command_in(&mut d, &read_toc(0, false, 0), 804),
        vec![
            0x00, 0x12, // TOC data length 18
            0x01, 0x01, // first and last track
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // track 1, ADR 1 CONTROL 4, LBA 0
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x00, 0x20, // lead-out at LBA 32
        ]
    );
    // With the MSF bit (as the Linux cdrom layer reads every entry) the drive converts:
    // LBA 0 is 00:02:00, LBA 32 is 00:02:32.
    assert_eq!(
        command_in(&mut d, &read_toc(0, true, 0), 804),
        vec![
            0x00, 0x12, 0x01, 0x01, //
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, // track 1 at 00:02:00
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x02, 0x20, // lead-out at 00:02:32
        ]
    );
    assert_eq!(
        &command_in(&mut d, &read_toc(1, true, 0), 804)[8..12],
        &[0, 0, 2, 0],
        "session info: track 1 at 00:02:00"
    );
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 31);
    assert_eq!(read_blocks(&mut d, 0, 20), first);
}

#[test]
fn a_second_session_starts_after_closure_and_intro() {
    let mut d = dvd_plus_r();
    record_session(&mut d, 0, 32, 1, 1);
    let second = record_session(&mut d, 2080, 48, 9, 2);
    assert_eq!(
        command_in(&mut d, &read_toc(1, false, 0), 804),
        vec![
            0x00, 0x0A, // data length 10
            0x01, 0x02, // first and last complete session
            0x00, 0x14, 0x02, 0x00, // track 2, ADR 1 CONTROL 4
            0x00, 0x00, 0x08, 0x20, // its start: LBA 2080
        ]
    );
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(&info[4..7], &[3, 3, 3], "session 3 waits, empty");
    let by_session = command_in(
        &mut d,
        &[
            0x52, // READ TRACK INFORMATION
            0x02, // address/number type 10b: session number
            0x00, 0x00, 0x00, 0x02, // session 2
            0x00, 0x00, 0x30, 0x00,
        ],
        48,
    );
    assert_eq!(&by_session[2..4], &[2, 2], "session 2's first track");
    assert_eq!(be32(&by_session[8..12]), 2080);
    assert_eq!(read_blocks(&mut d, 2080, 48), second);
    command_in_fails(&mut d, &read10(32, 1), 2048, triples::LBA_OUT_OF_RANGE);
    assert_eq!(
        be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]),
        2080 + 48 - 1
    );
}

#[test]
fn finalizing_with_minimal_radius_completes_the_disc() {
    let mut d = dvd_plus_r();
    write_blocks(&mut d, 0, 16, 5);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &close(CLOSE_TRACK, 0xFF));
    command_ok_long(&mut d, &close(FINALIZE_MINIMAL_RADIUS, 0));
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        info[2], 0x0E,
        "last session complete (11b), disc complete (10b)"
    );
    assert_eq!(&info[4..7], &[1, 1, 1]);
    assert_eq!(be32(&info[16..20]), 0xFFFF_FFFF, "no next lead-in");
    assert_eq!(be32(&info[20..24]), 0xFFFF_FFFF, "no lead-out limit");
    command_in_fails(
        &mut d,
        &read_track_information(0xFF),
        48,
        triples::INVALID_FIELD_IN_CDB,
    );
    command_out_fails(
        &mut d,
        &write10(16, 16),
        &blocks(1, 16),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    command_fails(
        &mut d,
        &close(CLOSE_SESSION, 0),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    command_fails(
        &mut d,
        &close(CLOSE_TRACK, 1),
        triples::COMMAND_SEQUENCE_ERROR,
    );
}

/// The first LBA at the minimal radius (30 mm; see virtdrive's `dvd_plus_r` notes).
const MINIMAL_RADIUS_END: u32 = 266_720;

/// The data zone's end as READ CAPACITY, the TOC's lead-out and READ TRACK INFORMATION of
/// track 1 give it: (last LBA, lead-out start, track size).
fn recorded_end(d: &mut EmulatedDrive) -> (u32, u32, u32) {
    let capacity = be32(&command_in(d, &READ_CAPACITY, 8)[0..4]);
    let toc = command_in(d, &read_toc(0, false, 0), 804);
    // Header (4), track 1 (8), then the lead-out descriptor: its address in bytes 16-19.
    assert_eq!(toc[14], 0xAA, "the lead-out descriptor");
    let track = command_in(d, &read_track_information(1), 48);
    (capacity, be32(&toc[16..20]), be32(&track[24..28]))
}

/// MMC-6 6.3.3.3: 101b finalizes "with minimal radius": a data zone that ends closer to the
/// centre is padded with zero sectors out to the minimal radius, so that DVD-ROM readers
/// find the lead-out where they need it; 110b finalizes with the lead-out right after the
/// data. Both complete the disc.
#[test]
fn finalizing_with_minimal_radius_pads_the_data_zone_and_110b_does_not() {
    // (function, the first LBA after the data zone)
    for (function, end) in [
        (FINALIZE_MINIMAL_RADIUS, MINIMAL_RADIUS_END),
        (FINALIZE_DISC, 16),
    ] {
        let mut d = dvd_plus_r();
        let data = write_blocks(&mut d, 0, 16, 5);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        command_ok_long(&mut d, &close(CLOSE_TRACK, 1));
        command_ok_long(&mut d, &close(function, 0));
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(info[2], 0x0E, "{function}: complete");
        assert_eq!(
            recorded_end(&mut d),
            (end - 1, end, end),
            "{function}: READ CAPACITY, TOC lead-out, track size"
        );
        assert_eq!(read_blocks(&mut d, 0, 16), data, "{function}");
        if end > 16 {
            assert_eq!(
                read_blocks(&mut d, end as i32 - 16, 16),
                vec![0; 16 * 2048],
                "the padding reads as zeros"
            );
        }
        command_in_fails(&mut d, &read10(end, 1), 2048, triples::LBA_OUT_OF_RANGE);
    }
}

/// A data zone that already reaches the minimal radius is not padded: 101b and 110b
/// leave the same disc.
#[test]
fn a_data_zone_past_the_minimal_radius_is_not_padded() {
    for function in [FINALIZE_MINIMAL_RADIUS, FINALIZE_DISC] {
        let recorded = MINIMAL_RADIUS_END + 16;
        let state = serde_json::json!({
            "medium": "dvd+r",
            "version": 1,
            "sessions": [{ "tracks": [{ "number": 1, "start": 0, "recorded": recorded }], "closed": true }],
            "finalized": false,
        });
        let m = medium::load(MediumKind::DvdPlusR, &state, Box::new(MemoryStore::new())).unwrap();
        let mut d = EmulatedDrive::with_medium(Default::default(), m);
        command_ok_long(&mut d, &close(function, 0));
        assert_eq!(
            recorded_end(&mut d),
            (recorded - 1, recorded, recorded),
            "{function}"
        );
    }
}

#[test]
fn function_110b_finalizes_an_appendable_disc_without_a_new_session() {
    let mut d = dvd_plus_r();
    record_session(&mut d, 0, 16, 1, 1);
    command_ok_long(&mut d, &close(FINALIZE_DISC, 0));
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x0E);
    assert_eq!(info[4], 1, "still one session");
}

#[test]
fn closing_a_session_needs_a_closed_track_and_an_open_session() {
    let mut d = dvd_plus_r();
    command_fails(
        &mut d,
        &close(CLOSE_SESSION, 0),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    command_fails(
        &mut d,
        &close(FINALIZE_DISC, 0),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    // Closing the empty invisible track does nothing (Pioneer R11).
    command_ok(&mut d, &close(CLOSE_TRACK, 0xFF));
    write_blocks(&mut d, 0, 16, 1);
    command_fails(
        &mut d,
        &close(CLOSE_SESSION, 0),
        INCOMPLETE_TRACK_IN_SESSION,
    );
    let sks = command_fails(
        &mut d,
        &close(CLOSE_TRACK, 7),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert!(sks.is_some(), "the field pointer names the track number");
    // 000b is a DVD+RW function.
    command_fails(&mut d, &close(0b000, 0), triples::INVALID_FIELD_IN_CDB);
    command_ok(&mut d, &close(CLOSE_TRACK, 1));
    command_ok(&mut d, &close(CLOSE_SESSION, 0));
}

#[test]
fn a_reserved_track_is_written_at_its_own_address_and_padded_when_closed() {
    let mut d = dvd_plus_r();
    command_ok(&mut d, &reserve_track(100));
    let reserved = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(reserved[6], 0xC1, "RT 1, Blank 1, data mode 1");
    assert_eq!(be32(&reserved[12..16]), 0, "its NWA");
    assert_eq!(
        be32(&reserved[16..20]),
        112,
        "free: 100 rounded up to 7 ECC blocks"
    );
    assert_eq!(be32(&reserved[24..28]), 112, "track size: the reservation");
    let invisible = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(
        invisible[2], 2,
        "the invisible track follows the reservation"
    );
    assert_eq!(be32(&invisible[8..12]), 112);
    // A second reservation while one is open is out of sequence.
    command_fails(&mut d, &reserve_track(16), triples::COMMAND_SEQUENCE_ERROR);
    command_out_fails(
        &mut d,
        &write10(112, 1),
        &blocks(1, 1),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    let f = command_out_fails(&mut d, &write10(0, 113), &blocks(1, 113), END_OF_USER_AREA);
    assert_eq!(f.information, Some(0));
    let data = write_blocks(&mut d, 0, 10, 4);
    command_ok(&mut d, &close(CLOSE_TRACK, 1));
    let closed = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(closed[6], 0x01, "no longer reserved nor blank");
    assert_eq!(be32(&closed[24..28]), 112, "padded to its reserved size");
    assert_eq!(read_blocks(&mut d, 0, 10), data);
    assert_eq!(read_blocks(&mut d, 10, 102), vec![0u8; 102 * 2048]);
    let next = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(
        be32(&next[12..16]),
        112,
        "track 2 goes on in the same session"
    );
}

#[test]
fn a_reservation_must_fit_the_free_space() {
    let mut d = dvd_plus_r();
    command_fails(&mut d, &reserve_track(0), triples::INVALID_FIELD_IN_CDB);
    command_fails(
        &mut d,
        &reserve_track(SECTORS + 1),
        triples::INVALID_FIELD_IN_CDB,
    );
    command_ok(&mut d, &reserve_track(SECTORS));
}

#[test]
fn the_153rd_session_finalizes_the_disc() {
    let mut d = dvd_plus_r();
    let mut nwa = 0;
    for session in 1..=153u32 {
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(
            info[2] & 0x03,
            if session == 1 { 0 } else { 1 },
            "session {session}"
        );
        write_blocks(&mut d, nwa, 16, session as u8);
        command_ok(&mut d, &close(CLOSE_TRACK, 0xFF));
        // The last close records the lead-out too, which takes longer than 10 s.
        command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
        nwa += 16 + 2048;
    }
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x0E, "complete after 153 sessions");
    assert_eq!(info[4], 153);
}

#[test]
fn dvd_plus_r_is_not_formatted() {
    let mut d = dvd_plus_r();
    let params = [
        0x00, 0x82, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0, 0, 0,
    ];
    command_out_fails(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0x00], // FORMAT UNIT, FmtData
        &params,
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
}

/// growisofs reads page 05h before writing a DVD+R, header first, then whole, and sends it
/// back with Write Type 00h, BUFE and Multi-session 11b (`-dvd-compat`: Write Type 02h,
/// Multi-session 00b), exiting when either command fails.
#[test]
fn page_05h_is_reported_on_dvd_plus_r_and_takes_what_growisofs_sends() {
    let mut d = dvd_plus_r();
    let header = command_in(&mut d, &mode_sense_page_05h(12), 12);
    assert_eq!(header.len(), 12);
    assert_eq!(
        be16(&header[0..2]),
        0x003A,
        "mode data length: header and 34h-byte page"
    );
    assert_eq!(be16(&header[6..8]), 0, "no block descriptors (DBD)");
    assert_eq!(header[8] & 0x3F, 0x05, "page code 05h");
    assert_eq!(header[9], 0x32, "page length");

    let sensed = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C);
    assert_eq!(sensed.len(), 0x3C);
    let page = &sensed[8..];
    assert_eq!(
        page[2], 0x40,
        "BUFE = 1, Test Write = 0, Write Type 00h: Incremental"
    );
    assert_eq!(page[4], 0x08, "Data Block Type 8: 2048-byte blocks");

    let track = command_in(&mut d, &READ_TRACK_INFORMATION_FF, 36);
    let list = growisofs_write_parameters(&sensed, INCREMENTAL, NEXT_SESSION_ALLOWED, track[5]);
    command_out(&mut d, &mode_select(&list), &list);
    let page = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C)[8..].to_vec();
    assert_eq!(page[2], 0x40);
    assert_eq!(page[3] >> 6, 0b11, "Multi-session 11b as sent");

    let compat = growisofs_write_parameters(&sensed, SAO, FINALIZE, track[5]);
    command_out(&mut d, &mode_select(&compat), &compat);
    let page = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C)[8..].to_vec();
    assert_eq!(page[2] & 0x0F, SAO, "-dvd-compat: Write Type 02h");

    // MMC-6 7.5: the page does not steer DVD+R recording; the disc records as before.
    let data = record_session(&mut d, 0, 16, 0x2B, 1);
    assert_eq!(read_blocks(&mut d, 0, 16), data);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2] & 0x03, 0x01, "appendable after CLOSE SESSION");
}

/// Simulation and the CD-only write types are refused at MODE SELECT, pointing at the field.
#[test]
fn page_05h_on_dvd_plus_r_refuses_test_write_and_cd_write_types() {
    let mut d = dvd_plus_r();
    let sensed = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C);
    let mut test_write = growisofs_write_parameters(&sensed, INCREMENTAL, FINALIZE, 5);
    test_write[10] |= 0x10;
    let f = command_out_fails(
        &mut d,
        &mode_select(&test_write),
        &test_write,
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8 + 2);
    let tao = growisofs_write_parameters(&sensed, TAO, FINALIZE, 5);
    let f = command_out_fails(
        &mut d,
        &mode_select(&tao),
        &tao,
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8 + 2);
    let page = command_in(&mut d, &mode_sense_page_05h(0x3C), 0x3C)[8..].to_vec();
    assert_eq!(page[2], 0x40, "the page is unchanged");
}

#[test]
fn the_dvd_physical_format_says_dvd_plus_r() {
    let mut d = dvd_plus_r();
    let pfi = command_in(
        &mut d,
        &[
            0xAD, // READ DISC STRUCTURE
            0x00, // media type 0: DVD
            0, 0, 0, 0,    // address
            0x00, // layer 0
            0x00, // format 00h: physical format information
            0x08, 0x04, // allocation length 2052
            0x00, 0x00,
        ],
        2052,
    );
    assert_eq!(pfi[4] >> 4, 0xA, "book type DVD+R");
    assert_eq!(pfi[6] & 0x0F, 0b0010, "layer type: recordable");
    assert_eq!(be24(&pfi[9..12]), 0x03_0000, "data area from 30000h");
    assert_eq!(
        be24(&pfi[13..16]),
        0x03_0000 + SECTORS - 1,
        "to its last sector"
    );
}

#[test]
fn the_saved_state_brings_back_the_sessions() {
    let mut d = dvd_plus_r();
    record_session(&mut d, 0, 20, 1, 1);
    write_blocks(&mut d, 2080, 16, 2);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let state = d.medium().unwrap().save_state();
    assert_eq!(state["medium"], "dvd+r");
    assert_eq!(state["sessions"][0]["tracks"][0]["recorded"], 32);
    assert_eq!(state["sessions"][1]["closed"], false);
    let loaded = medium::load(MediumKind::DvdPlusR, &state, Box::new(MemoryStore::new())).unwrap();
    let mut reloaded = EmulatedDrive::with_medium(Default::default(), loaded);
    let info = command_in(&mut reloaded, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x05, "session 2 is still open");
    let next = command_in(&mut reloaded, &read_track_information(0xFF), 48);
    // The flush left track 2 incomplete, and so does the saved state: writing goes on in it.
    assert_eq!(&next[2..4], &[2, 2], "track 2 of session 2 is still open");
    assert_eq!(be32(&next[8..12]), 2080, "its start");
    assert_eq!(be32(&next[12..16]), 2096);

    let mut bad = state.clone();
    bad["sessions"][0]["tracks"][0]["recorded"] = 20.into();
    let e = medium::load(MediumKind::DvdPlusR, &bad, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("whole 16-sector blocks"), "{e}");
    let e = medium::load(MediumKind::BdR, &state, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("dvd+r"), "{e}");
}
