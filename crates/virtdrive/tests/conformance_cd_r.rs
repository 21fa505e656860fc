//! CD-R through the drive: a blank disc's answers, Track At Once at the next writable
//! address, closing tracks and sessions (appendable, then finalized), the TOC of two
//! sessions, unreadable run-out blocks, Session At Once through SEND CUE SHEET, VERIFY, and
//! the commands a CD-R refuses. Figures: MMC-6 and the Orange Book.

use mmc_core::sense::triples;
use mmc_core::CdbBytes;
use testkit::sense::{
    CANNOT_FORMAT_INCOMPATIBLE_MEDIUM, CANNOT_READ_INCOMPATIBLE_FORMAT, MISCOMPARE_DURING_VERIFY,
};
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// CLOSE TRACK/SESSION function 001b: close track `n`.
fn close_track(n: u8) -> CdbBytes {
    close(close_function::CLOSE_TRACK, n)
}

/// A CD-R ready for TAO recording with page 05h Multi-session `multi_session`.
fn tao_drive(kind: MediumKind, multi_session: u8) -> EmulatedDrive {
    let mut d = drive_with(kind);
    select_cd_write_parameters(&mut d, TAO, multi_session, true);
    d
}

fn invisible_track(d: &mut EmulatedDrive) -> Vec<u8> {
    command_in(d, &read_track_information(0xFF), 48)
}

fn disc_information(d: &mut EmulatedDrive) -> Vec<u8> {
    command_in(d, &READ_DISC_INFORMATION, 34)
}

#[test]
fn a_blank_cd_r_reports_a_blank_disc_with_the_atip_limits() {
    for (kind, lead_out_msf) in [
        (MediumKind::CdR80, [0x00, 79, 59, 74]), // 79:59:74 = LBA 359,849
        (MediumKind::CdR74, [0x00, 74, 2, 0]),   // 74:02:00 = LBA 333,000
    ] {
        let mut d = drive_with(kind);
        let info = disc_information(&mut d);
        assert_eq!(be16(&info[0..2]), 32, "data length: 34 - 2");
        assert_eq!(
            info[2], 0x00,
            "not erasable, last session empty, disc blank"
        );
        assert_eq!(info[3], 1, "first track on disc");
        assert_eq!(&info[4..7], &[1, 1, 1], "1 session; first and last track 1");
        assert_eq!(info[7] & 0x03, 0, "no background format");
        assert_eq!(info[8], 0x00, "disc type CD-DA or CD-ROM");
        assert_eq!(
            &info[16..20],
            &[0x00, 97, 26, 65],
            "lead-in start from the ATIP: 97:26:65 (LBA -11,635)"
        );
        assert_eq!(&info[20..24], &lead_out_msf, "last possible lead-out start");
    }
}

#[test]
fn the_invisible_track_of_a_blank_cd_r_starts_at_0_with_the_disc_free_but_the_run_out() {
    for (kind, free) in [
        (MediumKind::CdR80, 359_847u32), // 359,849 - 2 run-out blocks
        (MediumKind::CdR74, 332_998),
    ] {
        let mut d = drive_with(kind);
        let t = invisible_track(&mut d);
        assert_eq!(be16(&t[0..2]), 0x2E, "48 bytes");
        assert_eq!((t[2], t[3]), (1, 1), "track 1, session 1");
        assert_eq!(t[6] & 0x40, 0x40, "Blank");
        assert_eq!(t[7] & 0x01, 0x01, "NWA_V");
        assert_eq!(be32(&t[8..12]), 0, "track start");
        assert_eq!(be32(&t[12..16]), 0, "next writable address");
        assert_eq!(be32(&t[16..20]), free, "{kind:?} free blocks");
    }
}

#[test]
fn the_atip_gives_the_lead_in_start_and_the_last_possible_lead_out() {
    let mut d = drive_with(MediumKind::CdR80);
    let atip = command_in(&mut d, &read_toc(0x04, true, 0), 804);
    assert_eq!(&atip[8..11], &[97, 26, 65], "start time of lead-in");
    assert_eq!(
        &atip[12..15],
        &[79, 59, 74],
        "last possible start of lead-out"
    );
}

#[test]
fn a_blank_cd_r_has_no_toc() {
    let mut d = drive_with(MediumKind::CdR80);
    command_in_fails(
        &mut d,
        &read_toc(0x00, false, 1),
        804,
        triples::INVALID_FIELD_IN_CDB,
    );
}

#[test]
fn mode_sense_reports_the_write_parameters_page_and_mode_select_changes_it() {
    let mut d = drive_with(MediumKind::CdR80);
    let sense_page_05 = [
        0x5A, // MODE SENSE (10)
        0x08, // DBD = 1
        0x05, // PC = 00b current values, page 05h
        0, 0, 0, 0, //
        0x00, 0xFF, // allocation length 255
        0x00,
    ];
    let data = command_in(&mut d, &sense_page_05, 255);
    assert_eq!(
        be16(&data[0..2]) as usize,
        data.len() - 2,
        "mode data length"
    );
    assert_eq!(be16(&data[6..8]), 0, "no block descriptors");
    let page = &data[8..];
    assert_eq!(page[0] & 0x3F, 0x05);
    assert_eq!(page[1], 0x32, "page length");
    assert_eq!(page[2], 0x41, "BUFE = 1, Write Type 1: TAO");
    assert_eq!(page[3], 0x04, "Multi-session 00b, Track Mode 4");
    assert_eq!(page[4], 0x08, "Data Block Type 8: Mode 1");
    assert_eq!(&page[14..16], &[0x00, 0x96], "audio pause length 150");

    select_cd_write_parameters(&mut d, SAO, NEXT_SESSION_ALLOWED, false);
    let page = command_in(&mut d, &sense_page_05, 255)[8..].to_vec();
    assert_eq!(page[2], 0x02, "BUFE = 0, Write Type 2: SAO");
    assert_eq!(page[3] >> 6, 0b11, "Multi-session 11b");
}

#[test]
fn mode_select_of_a_write_type_the_drive_cannot_do_points_at_the_field() {
    let mut d = drive_with(MediumKind::CdR80);
    let raw = cd_write_parameters(0x03, FINALIZE, true); // Write Type 3: RAW
    let f = command_out_fails(
        &mut d,
        &mode_select(&raw),
        &raw,
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8 + 2); // header, then page byte 2
}

#[test]
fn written_blocks_read_back_with_read_10_and_read_12() {
    let mut d = tao_drive(MediumKind::CdR80, NEXT_SESSION_ALLOWED);
    let first = write_blocks(&mut d, 0, 16, 0x10);
    let second = write_blocks(&mut d, 16, 16, 0x40);
    assert_eq!(read_blocks(&mut d, 0, 16), first);
    let twelve = command_in(&mut d, &read12(8, 16), 16 * 2048);
    assert_eq!(twelve[..8 * 2048], first[8 * 2048..]);
    assert_eq!(twelve[8 * 2048..], second[..8 * 2048]);
}

#[test]
fn write_at_wrong_address_is_invalid_address_for_write() {
    let mut d = tao_drive(MediumKind::CdR80, NEXT_SESSION_ALLOWED);
    for lba in [1, -150, 100_000] {
        let f = command_out_fails(
            &mut d,
            &write10(lba, 1),
            &blocks(1, 1),
            triples::INVALID_ADDRESS_FOR_WRITE,
        );
        assert_eq!(
            f.information,
            Some(u64::from(lba as u32)),
            "the LBA refused"
        );
    }
    write_blocks(&mut d, 0, 32, 1);
    // The next writable address moved to 32: neither the old one nor a later one.
    for lba in [0, 31, 33] {
        command_out_fails(
            &mut d,
            &write10(lba, 1),
            &blocks(1, 1),
            triples::INVALID_ADDRESS_FOR_WRITE,
        );
    }
    assert_eq!(be32(&invisible_track(&mut d)[12..16]), 32, "NWA");
    write_blocks(&mut d, 32, 1, 1);
}

#[test]
fn a_track_shorter_than_four_seconds_is_padded_to_300_blocks_when_closed() {
    let mut d = tao_drive(MediumKind::CdR80, NEXT_SESSION_ALLOWED);
    write_blocks(&mut d, 0, 32, 0x21);
    command_ok(&mut d, &close_track(1));
    let t1 = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(t1[7] & 0x01, 0, "closed: no NWA");
    assert_eq!(
        be32(&t1[24..28]),
        302,
        "300 blocks (MMC-6 minimum) + 2 run-out"
    );
    // The padding reads as zeros; the run-out does not read.
    assert_eq!(read_blocks(&mut d, 299, 1), vec![0u8; 2048]);
    for lba in [300, 301] {
        command_in_fails(
            &mut d,
            &read10(lba, 1),
            2048,
            triples::ILLEGAL_MODE_FOR_THIS_TRACK,
        );
    }
    // Track 2 starts after the run-out and a 150-block pre-gap: 302 + 150.
    let t2 = invisible_track(&mut d);
    assert_eq!((t2[2], t2[3]), (2, 1), "track 2, session 1");
    assert_eq!(be32(&t2[12..16]), 452);
    assert_eq!(be32(&t2[16..20]), 359_849 - 2 - 452);
}

#[test]
fn two_sessions_tao_then_finalize() {
    let mut d = tao_drive(MediumKind::CdR80, NEXT_SESSION_ALLOWED);
    let one = write_blocks(&mut d, 0, 300, 0x01);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok(&mut d, &close_track(1));
    command_ok_long(&mut d, &CLOSE_SESSION);

    // Appendable: the empty second session counts (MMC-6 6.22.3.1.5).
    let info = disc_information(&mut d);
    assert_eq!(
        info[2], 0x01,
        "last session empty (00b), disc incomplete (01b)"
    );
    assert_eq!(
        &info[4..7],
        &[2, 2, 2],
        "2 sessions; track 2 first and last"
    );
    // Session 2's first track: lead-out 302 + 6,750 + 4,500 + 150 = 302 + 11,400.
    let t = invisible_track(&mut d);
    assert_eq!((t[2], t[3]), (2, 2), "track 2, session 2");
    assert_eq!(be32(&t[12..16]), 11_702, "NWA after the first session");
    assert_eq!(be32(&t[16..20]), 359_849 - 2 - 11_702, "free blocks");
    command_out_fails(
        &mut d,
        &write10(302, 1),
        &blocks(1, 1),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );

    let two = write_blocks(&mut d, 11_702, 300, 0x80);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    select_cd_write_parameters(&mut d, TAO, FINALIZE, true);
    command_ok_long(&mut d, &CLOSE_SESSION);

    let info = disc_information(&mut d);
    assert_eq!(
        info[2], 0x0E,
        "last session complete (11b), disc complete (10b)"
    );
    assert_eq!(&info[4..7], &[2, 2, 2], "2 sessions; track 2 in the last");

    assert_eq!(
        command_in(&mut d, &read_toc(0x00, false, 1), 804),
        [
            0x00, 0x1A, // data length: 2 + 3 descriptors of 8
            0x01, 0x02, // first and last track
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // track 1: ADR 1, data; LBA 0
            0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x2D, 0xB6, // track 2 at 11,702
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x2E, 0xE4, // lead-out at 11,702 + 302
        ]
    );
    assert_eq!(
        command_in(&mut d, &read_toc(0x01, false, 0), 804),
        [
            0x00, 0x0A, // data length
            0x01, 0x02, // first and last complete session
            0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x2D, 0xB6, // first track of the last session
        ],
        "multi-session information"
    );
    let full = command_in(&mut d, &read_toc(0x02, false, 1), 804);
    assert_eq!(&full[2..4], &[1, 2], "first and last session");
    let entries: Vec<&[u8]> = full[4..].chunks(11).collect();
    let point = |session: u8, point: u8| {
        *entries
            .iter()
            .find(|e| e[0] == session && e[3] == point)
            .unwrap_or_else(|| panic!("session {session} point {point:02X}h"))
    };
    assert_eq!(&point(1, 0x01)[8..11], &[0, 2, 0], "track 1 at 00:02:00");
    assert_eq!(
        &point(1, 0xA2)[8..11],
        &[0, 6, 2],
        "lead-out 1 at 302 + 150 frames"
    );
    let b0 = point(1, 0xB0);
    assert_eq!(
        &b0[4..7],
        &[2, 36, 2],
        "next program area 11,552 + 150 frames"
    );
    assert_eq!(&b0[8..11], &[79, 59, 74], "last possible lead-out");
    assert_eq!(
        &point(2, 0x02)[8..11],
        &[2, 38, 2],
        "track 2 at 11,702 + 150 frames"
    );
    assert_eq!(
        &point(2, 0xA2)[8..11],
        &[2, 42, 4],
        "lead-out 2 at 12,004 + 150 frames"
    );
    assert!(
        !entries.iter().any(|e| e[0] == 2 && e[3] == 0xB0),
        "finalized: no next program area"
    );

    // Data reads back; run-out, pre-gap and the lead-in area between do not.
    assert_eq!(read_blocks(&mut d, 0, 300), one);
    assert_eq!(read_blocks(&mut d, 11_702, 300), two);
    for lba in [300, 301, 5_000, 11_701, 12_002, 12_003] {
        command_in_fails(
            &mut d,
            &read10(lba, 1),
            2048,
            triples::ILLEGAL_MODE_FOR_THIS_TRACK,
        );
    }
    // READ CAPACITY counts the run-out ("too high by 2 blocks", libburn).
    assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 12_003);

    // Nothing more can be written or closed.
    command_out_fails(
        &mut d,
        &write10(12_004 + 6_900, 1),
        &blocks(1, 1),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    command_in_fails(
        &mut d,
        &read_track_information(0xFF),
        48,
        triples::INVALID_FIELD_IN_CDB,
    );
    command_fails(&mut d, &CLOSE_SESSION, triples::COMMAND_SEQUENCE_ERROR);
}

#[test]
fn the_third_session_starts_6900_after_the_second_lead_out() {
    let mut d = tao_drive(MediumKind::CdR74, NEXT_SESSION_ALLOWED);
    write_blocks(&mut d, 0, 300, 1);
    command_ok_long(&mut d, &CLOSE_SESSION);
    write_blocks(&mut d, 11_702, 300, 2);
    command_ok_long(&mut d, &CLOSE_SESSION);
    // Session 2's lead-out at 12,004; later sessions: 2,250 + 4,500 + 150.
    let t = invisible_track(&mut d);
    assert_eq!((t[2], t[3]), (3, 3));
    assert_eq!(be32(&t[12..16]), 12_004 + 6_900);
    assert_eq!(be32(&t[16..20]), 333_000 - 2 - 18_904);
}

#[test]
fn session_at_once_writes_the_session_the_cue_sheet_describes() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, SAO, FINALIZE, true);
    command_out(&mut d, &SEND_CUE_SHEET, &ONE_TRACK_CUE_SHEET);
    // The host writes the pre-gap from -150 (FF FF FF 6A), then the track.
    let pregap = vec![0u8; 150 * 2048];
    command_out(&mut d, &write10(-150, 150), &pregap);
    command_out_fails(
        &mut d,
        &write10(1, 1),
        &blocks(1, 1),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    let data = write_blocks(&mut d, 0, 300, 0x33);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);

    assert_eq!(disc_information(&mut d)[2], 0x0E, "complete");
    assert_eq!(
        command_in(&mut d, &read_toc(0x00, false, 1), 804),
        [
            0x00, 0x12, 0x01, 0x01, //
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // track 1 at 0
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x01, 0x2C, // lead-out at 300: no run-out
        ]
    );
    let t1 = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(be32(&t1[24..28]), 300, "track size");
    assert_eq!(read_blocks(&mut d, 0, 300), data);
}

#[test]
fn a_cue_sheet_is_a_sequence_error_unless_the_write_type_is_sao() {
    let mut d = drive_with(MediumKind::CdR80); // page 05h: TAO
    command_out_fails(
        &mut d,
        &SEND_CUE_SHEET,
        &ONE_TRACK_CUE_SHEET,
        triples::COMMAND_SEQUENCE_ERROR,
    );
}

#[test]
fn verify_checks_that_blocks_read_and_with_bytchk_that_they_match() {
    let mut d = tao_drive(MediumKind::CdR80, NEXT_SESSION_ALLOWED);
    let mut data = write_blocks(&mut d, 0, 8, 0x70);
    let verify = |bytchk: bool| {
        [
            0x2F,                             // VERIFY (10)
            if bytchk { 0x02 } else { 0x00 }, // byte 1 bit 1: BytChk
            0x00,
            0x00,
            0x00,
            0x00, // LBA 0
            0x00, //
            0x00,
            0x08, // verification length 8
            0x00,
        ]
    };
    command_ok(&mut d, &verify(false));
    command_out(&mut d, &verify(true), &data);
    data[3 * 2048 + 100] ^= 0xFF;
    let f = command_out_fails(&mut d, &verify(true), &data, MISCOMPARE_DURING_VERIFY);
    // SBC-3: INFORMATION is the offset of the first byte that did not compare.
    assert_eq!(f.information, Some(3 * 2048 + 100));
    // Blocks not yet written do not read.
    command_fails(
        &mut d,
        &[0x2F, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00],
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
}

#[test]
fn read_format_capacities_of_a_blank_cd_r_gives_its_free_blocks_and_no_formats() {
    let mut d = drive_with(MediumKind::CdR80);
    let data = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(
        &data[0..4],
        &[0, 0, 0, 8],
        "one descriptor, no formattable ones"
    );
    assert_eq!(be32(&data[4..8]), 359_847);
    assert_eq!(be24(&data[9..12]), 2048, "block length");
}

#[test]
fn a_cd_r_cannot_be_formatted_and_has_no_dvd_structures() {
    let mut d = drive_with(MediumKind::CdR80);
    command_out_fails(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0], // FORMAT UNIT, FmtData, format code 001b
        &[
            0x00, 0x82, 0x00, 0x08, // header: FOV, Immed; descriptor length 8
            0xFF, 0xFF, 0xFF, 0xFF, // number of blocks
            0x00, 0x00, 0x08, 0x00, // format type 00h, block length 2048
        ],
        CANNOT_FORMAT_INCOMPATIBLE_MEDIUM,
    );
    command_in_fails(
        &mut d,
        &[
            0xAD, // READ DISC STRUCTURE
            0x00, // media type 0: DVD
            0, 0, 0, 0,    // address
            0x00, // layer
            0x00, // format 00h: physical format information
            0x08, 0x04, // allocation length 2052
            0x00, 0x00,
        ],
        2052,
        CANNOT_READ_INCOMPATIBLE_FORMAT,
    );
}

#[test]
fn reserve_track_is_refused_on_a_cd_r() {
    // Track reservation on CD is not modelled (see the report of this test set).
    let mut d = tao_drive(MediumKind::CdR80, NEXT_SESSION_ALLOWED);
    command_fails(
        &mut d,
        &[
            0x53, // RESERVE TRACK
            0x00, // ARSV = 0, RMZ = 0
            0, 0, 0, //
            0x00, 0x00, 0x01, 0x2C, // reservation size 300 blocks
            0x00,
        ],
        triples::COMMAND_SEQUENCE_ERROR,
    );
}
