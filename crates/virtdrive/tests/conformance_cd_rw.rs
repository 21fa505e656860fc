//! CD-RW through the drive, in raw CDBs: what tells it from a CD-R (profile 000Ah, feature
//! 0037h CD-RW Media Write Support, the Erasable bit of READ DISC INFORMATION, the ATIP's
//! disc type and A1 speeds, the slower write speeds), BLANK of every type the drive does
//! (MMC-6 6.2: 00h full, 01h minimal, 02h track, 05h unclose, 06h session) with its progress
//! under Immed, and the disc written again after blanking.
//!
//! Figures: the capacities are the CD-R's (74 minutes: lead-out limit 333,000; 80 minutes:
//! 359,849); the drive blanks at 10x (750 blocks a second) after 20 s of setup, so a full
//! blank of an 80-minute disc takes 20 + (359,849 + 11,635) / 750 = 515 s and a minimal one
//! 20 + (11,635 + 150) / 750 = 35.7 s.

use std::time::Duration;

use mmc_core::sense::{triples, SenseKeySpecific};
use mmc_core::{DataPhase, Transport};
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

/// BLANK (12) of `blanking_type`, Immed as `immed`, with `start` in the Start Address/Track
/// Number field.
#[rustfmt::skip]
fn blank(blanking_type: u8, immed: bool, start: u32) -> [u8; 12] {
    let [s0, s1, s2, s3] = start.to_be_bytes();
    [
        0xA1,                                   // BLANK
        (u8::from(immed) << 4) | blanking_type, // Immed, blanking type
        s0, s1, s2, s3,                         // start address / track number
        0, 0, 0, 0, 0,                          //
        0x00,                                   // control
    ]
}

const FULL: u8 = 0b000;
const MINIMAL: u8 = 0b001;
const TRACK: u8 = 0b010;
const UNRESERVE_TRACK: u8 = 0b011;
const TRACK_TAIL: u8 = 0b100;
const UNCLOSE_SESSION: u8 = 0b101;
const SESSION: u8 = 0b110;

/// 05/24/00 INVALID FIELD IN CDB pointing at CDB byte `byte`: 1 the blanking type, 2 the
/// track number.
#[track_caller]
fn blank_refused_at<T: Transport>(d: &mut T, cdb: &[u8; 12], byte: u16) {
    let failed = fails_with(d, cdb, DataPhase::None, triples::INVALID_FIELD_IN_CDB);
    assert_cdb_field(failed, byte);
}

/// Disc Status (bits 1-0), State of Last Session (bits 3-2) and Erasable (bit 4) of READ
/// DISC INFORMATION, and the number of sessions.
fn disc_status<T: Transport>(d: &mut T) -> (u8, u8, bool, u8) {
    let info = command_in(d, &READ_DISC_INFORMATION, 34);
    (
        info[2] & 0x03,
        (info[2] >> 2) & 0x03,
        info[2] & 0x10 != 0,
        info[4],
    )
}

const BLANK_DISC: u8 = 0b00;
const INCOMPLETE_DISC: u8 = 0b01;
const EMPTY_SESSION: u8 = 0b00;
const INCOMPLETE_SESSION: u8 = 0b01;

/// READ TRACK INFORMATION of track FFh: (track, session, NWA, free blocks).
fn invisible_track<T: Transport>(d: &mut T) -> (u8, u8, u32, u32) {
    let t = command_in(d, &READ_TRACK_INFORMATION_FF, 48);
    (t[2], t[3], be32(&t[12..16]), be32(&t[16..20]))
}

/// Writes a TAO track of `n` blocks at the next writable address and ends it with
/// SYNCHRONIZE CACHE; returns its start and data.
fn write_track<T: Transport>(d: &mut T, n: u16, seed: u8) -> (u32, Vec<u8>) {
    let (_, _, nwa, _) = invisible_track(d);
    let data = write_blocks(d, nwa as i32, n, seed);
    command_ok_long(d, &SYNCHRONIZE_CACHE);
    (nwa, data)
}

/// A TAO session of one track, closed with Multi-session 11b (next session allowed).
fn record_session<T: Transport>(d: &mut T, n: u16, seed: u8) -> (u32, Vec<u8>) {
    select_cd_write_parameters(d, TAO, NEXT_SESSION_ALLOWED, true);
    let track = write_track(d, n, seed);
    command_ok_long(d, &CLOSE_SESSION);
    track
}

/// A READ (10) of one block at `lba` that the drive refuses.
#[track_caller]
fn unreadable<T: Transport>(d: &mut T, lba: u32) {
    command_in_fails(
        d,
        &read10(lba, 1),
        BLOCK,
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
}

/// The disc reads as blank: no session, no TOC, the invisible track 1 at LBA 0 with all the
/// room of a blank disc of `kind`.
#[track_caller]
fn reads_as_blank<T: Transport>(d: &mut T, kind: MediumKind) {
    assert_eq!(disc_status(d), (BLANK_DISC, EMPTY_SESSION, true, 1));
    let mut fresh = drive_with(kind);
    assert_eq!(invisible_track(d), invisible_track(&mut fresh));
    command_in_fails(
        d,
        &read_toc(0, false, 0),
        804,
        triples::INVALID_FIELD_IN_CDB,
    );
    unreadable(d, 0);
}

/// GET CONFIGURATION of one feature: (current profile, the feature's current bit, byte 5).
fn feature(d: &mut EmulatedDrive, code: u16) -> Option<(u16, bool, u8)> {
    let [c0, c1] = code.to_be_bytes();
    let config = command_in(d, &[0x46, 0x02, c0, c1, 0, 0, 0, 0x00, 0x20, 0x00], 32);
    let listed = be32(&config[0..4]) > 4 && be16(&config[8..10]) == code;
    listed.then(|| (be16(&config[6..8]), config[10] & 1 == 1, config[13]))
}

#[test]
fn a_cd_rw_is_profile_000ah_with_the_cd_r_capacities() {
    for (kind, cd_r, name) in [
        (MediumKind::CdRw80, MediumKind::CdR80, "cd-rw"),
        (MediumKind::CdRw74, MediumKind::CdR74, "cd-rw74"),
    ] {
        assert_eq!(MediumKind::from_name(name), Some(kind));
        assert_eq!(kind.name(), name);
        let mut d = drive_with(kind);
        let (profile, current, _) = feature(&mut d, 0x0000).expect("the profile list");
        assert_eq!(
            (profile, current),
            (0x000A, true),
            "{name}: CD-RW is current"
        );
        // The blank disc's room and limits are the CD-R's of that length.
        let mut r = drive_with(cd_r);
        assert_eq!(invisible_track(&mut d), invisible_track(&mut r), "{name}");
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        let r_info = command_in(&mut r, &READ_DISC_INFORMATION, 34);
        assert_eq!(
            info[20..24],
            r_info[20..24],
            "{name}: last possible lead-out"
        );
    }
    assert_eq!(MediumKind::from_name("cd-rw80"), Some(MediumKind::CdRw80));
}

#[test]
fn a_cd_rw_is_erasable_and_a_cd_r_is_not() {
    let mut d = drive_with(MediumKind::CdRw80);
    assert_eq!(disc_status(&mut d), (BLANK_DISC, EMPTY_SESSION, true, 1));
    let (_, _, erasable, _) = disc_status(&mut drive_with(MediumKind::CdR80));
    assert!(!erasable, "a CD-R is not erasable");
    // Still erasable once written.
    record_session(&mut d, 300, 1);
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
}

#[test]
fn the_atip_says_high_speed_cd_rw_4x_to_10x() {
    let mut d = drive_with(MediumKind::CdRw80);
    let atip = command_in(&mut d, &read_toc(4, false, 0), 804);
    assert_eq!(be16(&atip[0..2]) as usize + 2, atip.len());
    assert_eq!(atip[6] & 0x80, 0x80, "byte 6 bit 7 is always one");
    assert_eq!(atip[6] & 0x40, 0x40, "Disc Type 1: CD-RW");
    assert_eq!(
        (atip[6] >> 3) & 0x07,
        1,
        "Disc Sub-Type 1: High-Speed CD-RW"
    );
    assert_eq!(atip[6] & 0x04, 0x04, "A1 values valid");
    assert_eq!(
        (atip[16] >> 4) & 0x07,
        2,
        "lowest CLV recording speed code 2: 4x"
    );
    assert_eq!(
        atip[16] & 0x0F,
        4,
        "highest CLV recording speed code 4: 10x"
    );
    assert_eq!(atip[12..15], [79, 59, 74], "last possible lead-out start");
    let cd_r = command_in(
        &mut drive_with(MediumKind::CdR80),
        &read_toc(4, false, 0),
        804,
    );
    assert_eq!(cd_r[6] & 0x40, 0, "a CD-R's ATIP says Disc Type 0");
}

#[test]
fn the_drive_writes_a_cd_rw_at_4x_8x_and_10x() {
    let mut d = drive_with(MediumKind::CdRw80);
    let get_performance = [
        0xAC, // GET PERFORMANCE
        0x00, 0, 0, 0, 0, 0, 0, //
        0x00, 0x10, // up to 16 descriptors
        0x03, // type 03h: write speed
        0x00,
    ];
    let perf = command_in(&mut d, &get_performance, 8 + 16 * 16);
    let n = (be32(&perf[0..4]) as usize - 4) / 16;
    let speeds: Vec<u32> = perf[8..8 + n * 16]
        .chunks(16)
        .map(|c| be32(&c[12..16]))
        .collect();
    assert_eq!(speeds, [1764, 1411, 706], "10x, 8x and 4x of 176.4 kB/s");
    // Page 2Ah (MMC-6 7.10; MMC-3 table for the write speed descriptors): CD-RW Write, the
    // current write speed, then one descriptor per speed.
    let data = command_in(
        &mut d,
        &[
            0x5A, // MODE SENSE (10)
            0x08, // DBD
            0x2A, // PC 00b, page 2Ah
            0, 0, 0, 0, //
            0x01, 0x00, // allocation length 256
            0x00,
        ],
        256,
    );
    let page = &data[8..];
    assert_eq!(page[3] & 0x02, 0x02, "CD-RW Write");
    assert_eq!(be16(&page[28..30]), 1764, "written at 10x");
    let n = usize::from(be16(&page[30..32]));
    let listed: Vec<u16> = (0..n).map(|i| be16(&page[32 + 4 * i + 2..][..2])).collect();
    assert_eq!(listed, [1764, 1411, 706]);
}

#[test]
fn the_cd_rw_write_features_are_current_with_a_cd_rw() {
    let mut d = drive_with(MediumKind::CdRw80);
    let (_, current, subtypes) = feature(&mut d, 0x0037).expect("0037h is listed");
    assert!(current, "0037h CD-RW Media Write Support is current");
    assert_eq!(
        subtypes & 0b11,
        0b11,
        "sub-types 0 and 1 (High-Speed) are written"
    );
    for code in [0x0021, 0x002D, 0x002E] {
        let (_, current, _) = feature(&mut d, code).expect("listed");
        assert!(current, "feature {code:04X}h is current with a CD-RW");
    }
    // No fixed-packet or MRW formatting: 0026h and 0028h are not listed.
    assert_eq!(feature(&mut d, 0x0026), None);
    assert_eq!(feature(&mut d, 0x0028), None);
    let (_, current, _) = feature(&mut d, 0x0023).expect("0023h is listed");
    assert!(!current, "a CD-RW is not formattable in this drive");
}

#[test]
fn format_unit_on_a_cd_rw_is_refused_as_a_drive_without_fixed_packet_support_does() {
    let mut d = drive_with(MediumKind::CdRw80);
    // Format type 10h (CD-RW full format), as for a fixed-packet disc.
    let list = format_list(0, 0x10, 0, 32);
    let failed = command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &list,
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(failed, 8);
    assert_eq!(disc_status(&mut d), (BLANK_DISC, EMPTY_SESSION, true, 1));
}

#[test]
fn blank_of_a_cd_r_is_cannot_format_incompatible_medium() {
    let mut d = drive_with(MediumKind::CdR80);
    for t in [FULL, MINIMAL] {
        command_fails(
            &mut d,
            &blank(t, false, 0),
            triples::CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
        );
    }
}

#[test]
fn a_full_blank_erases_every_session_and_takes_minutes() {
    let mut d = drive_with(MediumKind::CdRw80);
    let (start, _) = record_session(&mut d, 400, 1);
    record_session(&mut d, 300, 2);
    let before = d.now();
    command_ok_long(&mut d, &blank(FULL, false, 0));
    let took = d.now().since(before);
    assert!(
        took >= Duration::from_secs(515) && took < Duration::from_secs(516),
        "8.6 minutes at 10x: {took:?}"
    );
    reads_as_blank(&mut d, MediumKind::CdRw80);
    unreadable(&mut d, start + 10);
}

#[test]
fn a_minimal_blank_leaves_a_disc_that_reads_as_blank_in_well_under_a_minute() {
    let mut d = drive_with(MediumKind::CdRw74);
    record_session(&mut d, 400, 1);
    let before = d.now();
    command_ok_long(&mut d, &blank(MINIMAL, false, 0));
    let took = d.now().since(before);
    assert!(
        took >= Duration::from_secs(30) && took <= Duration::from_secs(60),
        "{took:?}"
    );
    reads_as_blank(&mut d, MediumKind::CdRw74);
}

#[test]
fn blanking_a_blank_disc_is_accepted() {
    let mut d = drive_with(MediumKind::CdRw80);
    command_ok_long(&mut d, &blank(MINIMAL, false, 0));
    command_ok_long(&mut d, &blank(FULL, false, 0));
    reads_as_blank(&mut d, MediumKind::CdRw80);
    // Nothing to unclose, no session or track to blank.
    blank_refused_at(&mut d, &blank(UNCLOSE_SESSION, false, 0), 1);
    blank_refused_at(&mut d, &blank(SESSION, false, 0), 1);
    blank_refused_at(&mut d, &blank(TRACK, false, 1), 2);
}

#[test]
fn the_drive_refuses_the_blanking_types_it_does_not_do() {
    let mut d = drive_with(MediumKind::CdRw80);
    record_session(&mut d, 300, 1);
    // No track reservation on CD, no track-tail blanking, 111b reserved.
    for t in [UNRESERVE_TRACK, TRACK_TAIL, 0b111] {
        blank_refused_at(&mut d, &blank(t, false, 0), 1);
    }
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
}

#[test]
fn blank_track_erases_the_last_track_of_the_open_session() {
    let mut d = drive_with(MediumKind::CdRw80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    let (first, data) = write_track(&mut d, 300, 1);
    let (second, _) = write_track(&mut d, 400, 2);
    assert_eq!(invisible_track(&mut d).0, 3);
    // Track 1 is not the last track: refused, with the track number pointed at.
    blank_refused_at(&mut d, &blank(TRACK, false, 1), 2);
    command_ok_long(&mut d, &blank(TRACK, false, 2));
    let (track, session, nwa, _) = invisible_track(&mut d);
    assert_eq!(
        (track, session, nwa),
        (2, 1, second),
        "track 2 is to be written again"
    );
    assert_eq!(disc_status(&mut d).0, INCOMPLETE_DISC);
    assert_eq!(read_blocks(&mut d, first as i32, 300), data);
    unreadable(&mut d, second);
    // Blanking the only track leaves a blank disc.
    command_ok_long(&mut d, &blank(TRACK, false, 1));
    reads_as_blank(&mut d, MediumKind::CdRw80);
}

#[test]
fn blank_track_of_a_closed_session_is_refused() {
    let mut d = drive_with(MediumKind::CdRw80);
    record_session(&mut d, 300, 1);
    blank_refused_at(&mut d, &blank(TRACK, false, 1), 2);
}

#[test]
fn unclose_reopens_the_last_session_for_another_track() {
    let mut d = drive_with(MediumKind::CdRw80);
    let (first, data) = record_session(&mut d, 300, 1);
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
    command_ok_long(&mut d, &blank(UNCLOSE_SESSION, false, 0));
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, INCOMPLETE_SESSION, true, 1),
        "session 1 is open again"
    );
    command_in_fails(
        &mut d,
        &read_toc(0, false, 0),
        804,
        triples::INVALID_FIELD_IN_CDB,
    );
    // The next track follows track 1 in session 1: 300 blocks, 2 run-out, 150 pre-gap.
    let (track, session, nwa, _) = invisible_track(&mut d);
    assert_eq!((track, session, nwa), (2, 1, first + 452));
    let (_, second) = write_track(&mut d, 300, 2);
    command_ok_long(&mut d, &CLOSE_SESSION);
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
    assert_eq!(read_blocks(&mut d, first as i32, 300), data);
    assert_eq!(read_blocks(&mut d, (first + 452) as i32, 300), second);
    // An open session cannot be unclosed.
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    write_track(&mut d, 300, 3);
    blank_refused_at(&mut d, &blank(UNCLOSE_SESSION, false, 0), 1);
}

#[test]
fn blank_session_erases_the_last_session_only() {
    let mut d = drive_with(MediumKind::CdRw80);
    let (first, data) = record_session(&mut d, 300, 1);
    let after_one = invisible_track(&mut d);
    let (second, _) = record_session(&mut d, 400, 2);
    assert_eq!(disc_status(&mut d).3, 3);
    command_ok_long(&mut d, &blank(SESSION, false, 0));
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
    assert_eq!(
        invisible_track(&mut d),
        after_one,
        "session 2 is to be written again"
    );
    let toc = command_in(&mut d, &read_toc(0, false, 0), 804);
    assert_eq!((toc[2], toc[3]), (1, 1), "the TOC holds track 1 only");
    assert_eq!(read_blocks(&mut d, first as i32, 300), data);
    unreadable(&mut d, second);
    // The last session may be the first: the disc is blank.
    command_ok_long(&mut d, &blank(SESSION, false, 0));
    reads_as_blank(&mut d, MediumKind::CdRw80);
}

#[test]
fn blank_session_of_a_finalized_disc_makes_it_appendable() {
    let mut d = drive_with(MediumKind::CdRw80);
    record_session(&mut d, 300, 1);
    select_cd_write_parameters(&mut d, TAO, FINALIZE, true);
    write_track(&mut d, 300, 2);
    command_ok_long(&mut d, &CLOSE_SESSION);
    assert_eq!(disc_status(&mut d).0, 0b10, "complete");
    command_ok_long(&mut d, &blank(SESSION, false, 0));
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
}

#[test]
fn an_immed_blank_reports_rising_progress_until_it_is_done() {
    let mut d = drive_with(MediumKind::CdRw80);
    record_session(&mut d, 300, 1);
    command_ok(&mut d, &blank(FULL, true, 0));
    let (triple, sks) = request_sense(&mut d);
    assert_eq!(triple, triples::OPERATION_IN_PROGRESS, "02/04/07");
    assert!(matches!(sks, Some(SenseKeySpecific::Progress(_))));
    // Medium access waits for the blank.
    command_in_fails(
        &mut d,
        &READ_DISC_INFORMATION,
        34,
        triples::OPERATION_IN_PROGRESS,
    );
    let progress = wait_until_ready(&mut d);
    assert!(progress.len() > 400, "polled once a second for minutes");
    assert!(
        progress.windows(2).all(|w| w[0] < w[1]),
        "the progress rises at every poll"
    );
    assert!(progress.first() < Some(&1000) && progress.last() > Some(&65_000));
    reads_as_blank(&mut d, MediumKind::CdRw80);
}

#[test]
fn a_blanked_disc_is_written_again_tao_and_sao() {
    let mut d = drive_with(MediumKind::CdRw80);
    record_session(&mut d, 500, 1);
    command_ok_long(&mut d, &blank(MINIMAL, false, 0));
    // TAO, two sessions.
    let (first, a) = record_session(&mut d, 350, 7);
    assert_eq!(first, 0, "track 1 starts at LBA 0 again");
    let (second, b) = record_session(&mut d, 300, 8);
    assert_eq!(read_blocks(&mut d, first as i32, 350), a);
    assert_eq!(read_blocks(&mut d, second as i32, 300), b);
    // SAO after a full blank.
    command_ok_long(&mut d, &blank(FULL, false, 0));
    select_cd_write_parameters(&mut d, SAO, FINALIZE, true);
    command_out(&mut d, &SEND_CUE_SHEET, &ONE_TRACK_CUE_SHEET);
    let pregap = vec![0u8; 150 * BLOCK];
    command_out(&mut d, &write10(-150i64, 150), &pregap);
    let data = write_blocks(&mut d, 0, 300, 9);
    command_ok_long(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(disc_status(&mut d).0, 0b10, "the SAO disc is complete");
    assert_eq!(read_blocks(&mut d, 0, 300), data);
}

#[test]
fn a_power_loss_while_blanking_leaves_the_disc_blank() {
    let mut d = drive_with(MediumKind::CdRw80);
    record_session(&mut d, 300, 1);
    command_ok(&mut d, &blank(FULL, true, 0));
    d.advance(Duration::from_secs(60));
    d.power_cycle();
    d.advance(Duration::from_secs(30));
    // The power-on unit attention, then a disc that reads as blank: the drive erased the
    // PMA and the TOC first.
    let _ = request_sense(&mut d);
    wait_until_ready(&mut d);
    reads_as_blank(&mut d, MediumKind::CdRw80);
}

#[test]
fn a_blanked_cd_rw_stays_blank_in_its_disc_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc.cdrw");
    let open = || DiscFileDrive::open(MediumKind::CdRw80, &path, DriveConfig::default()).unwrap();
    {
        let mut f = open();
        record_session(&mut f, 300, 1);
    }
    {
        let mut f = open();
        assert_eq!(
            disc_status(&mut f),
            (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
        );
        let c = f
            .execute(&blank(MINIMAL, false, 0), DataPhase::None, LONG_TIMEOUT)
            .unwrap();
        assert!(c.is_good(), "{c:?}");
    }
    {
        let mut f = open();
        reads_as_blank(&mut f, MediumKind::CdRw80);
    }
    let e = DiscFileDrive::open(MediumKind::CdR80, &path, DriveConfig::default()).unwrap_err();
    assert!(e.to_string().contains("cd-rw"), "{e}");
}

#[test]
fn a_write_protected_cd_rw_is_not_blanked() {
    let mut d = drive_with(MediumKind::CdRw80);
    let (first, data) = record_session(&mut d, 300, 1);
    d.set_write_protected(true);
    command_fails(&mut d, &blank(FULL, false, 0), triples::WRITE_PROTECTED);
    d.set_write_protected(false);
    assert_eq!(
        disc_status(&mut d),
        (INCOMPLETE_DISC, EMPTY_SESSION, true, 2)
    );
    assert_eq!(read_blocks(&mut d, first as i32, 300), data);
}
