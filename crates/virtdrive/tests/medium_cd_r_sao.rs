//! Session At Once: SEND CUE SHEET, its validation, writing from LBA -150 and the session
//! closing at SYNCHRONIZE CACHE.

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::sense::triples;
use testkit::sense::END_OF_USER_AREA;
use virtdrive::medium::cd_r::CdR;
use virtdrive::medium::Medium;

const READ_DISC_INFORMATION: [u8; 10] = [0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0];

/// One data track of 600 blocks, as libburn composes the sheet.
const ONE_TRACK: [u8; 32] = [
    // CTL|ADR, TNO, INDEX, DATA FORM, SCMS, MIN, SEC, FRAME
    0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, // lead-in, data pause
    0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, // track 1 pre-gap at 00:00:00 (LBA -150)
    0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, // track 1 index 1 at 00:02:00 (LBA 0)
    0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x0A, 0x00, // lead-out at 00:10:00 (LBA 600)
];

/// Two tracks: track 1 at 0 (400 blocks), track 2's pre-gap at 400, index 1 at 550 (700
/// frames = 00:09:25), lead-out at 850 (1000 frames = 00:13:25).
const TWO_TRACKS: [u8; 48] = [
    0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, // lead-in
    0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, // track 1 pre-gap 00:00:00
    0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, // track 1 00:02:00
    0x41, 0x02, 0x00, 0x10, 0x00, 0x00, 0x07, 0x19, // track 2 pre-gap 00:07:25 = LBA 400
    0x41, 0x02, 0x01, 0x10, 0x00, 0x00, 0x09, 0x19, // track 2 00:09:25 = LBA 550
    0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x0D, 0x19, // lead-out 00:13:25 = LBA 850
];

/// MODE SELECT page 05h with write type 2 (SAO); track mode and data block type 0, as
/// libburn sends them for SAO.
fn sao_mode(cd: &mut CdR, multi_session: u8) {
    let mut list = cd_write_parameters(0x02, multi_session, true);
    list[11] &= 0xF0; // track mode 0
    list[12] = 0x00; // data block type 0
    mode_select(cd, &list).expect("SAO page accepted");
}

#[test]
fn a_one_track_session_is_written_from_minus_150_and_closes_at_synchronize_cache() {
    let mut cd = blank_80();
    sao_mode(&mut cd, 0b00);
    cd.send_cue_sheet(&ONE_TRACK).unwrap();
    // The host writes the 150 pre-gap blocks first: LBA -150 = FF FF FF 6A.
    write10(
        &mut cd,
        &[0x2A, 0x00, 0xFF, 0xFF, 0xFF, 0x6A, 0x00, 0x00, 0x96, 0x00],
        &blocks_of(0, 150),
    )
    .unwrap();
    write10(&mut cd, &write10_cdb(0, 300), &blocks_of(0xA1, 300)).unwrap();
    write10(&mut cd, &write10_cdb(300, 300), &blocks_of(0xA2, 300)).unwrap();
    // Every block is there, but until the cache is synchronized the disc reports blank.
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[2], 0x00);
    cd.synchronize().unwrap();
    // Multi-session 00b: finalized.
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[2], 0x0E);
    assert_eq!(
        read_toc(&cd, &[0x43, 0, 0, 0, 0, 0, 0, 0x00, 0x14, 0]).unwrap(),
        [
            0x00, 0x12, 0x01, 0x01, //
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // track 1 at 0
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x02, 0x58, // lead-out at 600: no run-out
        ]
    );
    let t1 = track_info(&cd, &[0x52, 0x01, 0, 0, 0, 1, 0, 0, 0x30, 0]).unwrap();
    assert_eq!(
        &t1[24..28],
        600u32.to_be_bytes(),
        "track size: no run-out in SAO"
    );
    assert_eq!(
        read10(&mut cd, &read10_cdb(299, 1)).unwrap(),
        blocks_of(0xA1, 1)
    );
    assert_eq!(
        read10(&mut cd, &read10_cdb(599, 1)).unwrap(),
        blocks_of(0xA2, 1)
    );
    expect_sense(
        read10(&mut cd, &read10_cdb(600, 1)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
    assert_eq!(cd.read_capacity().unwrap().last_lba, 599);
}

#[test]
fn two_tracks_with_a_second_pre_gap_and_multisession_11b_stay_appendable() {
    let mut cd = blank_80();
    sao_mode(&mut cd, 0b11);
    cd.send_cue_sheet(&TWO_TRACKS).unwrap();
    // -150 .. 850: 1000 blocks in one go is fine too.
    fill(&mut cd, -150, 1000).unwrap();
    // CLOSE SESSION after the last block closes the session as SYNCHRONIZE CACHE would.
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let t1 = track_info(&cd, &[0x52, 0x01, 0, 0, 0, 1, 0, 0, 0x30, 0]).unwrap();
    assert_eq!(&t1[8..12], 0u32.to_be_bytes());
    assert_eq!(
        &t1[24..28],
        400u32.to_be_bytes(),
        "index 1 to track 2's pre-gap"
    );
    let t2 = track_info(&cd, &[0x52, 0x01, 0, 0, 0, 2, 0, 0, 0x30, 0]).unwrap();
    assert_eq!(&t2[8..12], 550u32.to_be_bytes());
    assert_eq!(&t2[24..28], 300u32.to_be_bytes());
    // Appendable: the next session at 850 + 11,400; the next track is 3.
    let t3 = invisible_track(&cd);
    assert_eq!(&t3[2..4], [3, 2]);
    assert_eq!(nwa_of(&t3), 12_250);
    // Track 2's pre-gap does not read.
    expect_sense(
        read10(&mut cd, &read10_cdb(400, 1)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
}

#[test]
fn sao_writes_must_be_sequential_from_minus_150_and_stay_inside_the_sheet() {
    let mut cd = blank_80();
    sao_mode(&mut cd, 0b00);
    // No cue sheet yet.
    expect_sense(
        write10(&mut cd, &write10_cdb(-150, 1), &blocks_of(0, 1)),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    cd.send_cue_sheet(&ONE_TRACK).unwrap();
    expect_sense(
        write10(&mut cd, &write10_cdb(0, 1), &blocks_of(0, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    fill(&mut cd, -150, 700).unwrap();
    let e = expect_sense(
        write10(&mut cd, &write10_cdb(550, 64), &blocks_of(0, 64)),
        END_OF_USER_AREA,
    );
    assert_eq!(e.information, Some(550));
    // Closing before the last block: nothing to close yet.
    expect_sense(
        close(&mut cd, &CLOSE_SESSION),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    expect_sense(
        close(&mut cd, &CLOSE_TRACK),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    // A synchronize in the middle keeps the recording going.
    cd.synchronize().unwrap();
    fill(&mut cd, 550, 50).unwrap();
    cd.synchronize().unwrap();
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[2], 0x0E);
}

#[test]
fn a_cue_sheet_needs_the_sao_write_type_and_a_blank_disc() {
    let mut cd = blank_80();
    // The default page is TAO.
    expect_sense(
        cd.send_cue_sheet(&ONE_TRACK),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    tao_multisession(&mut cd);
    fill(&mut cd, 0, 300).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    sao_mode(&mut cd, 0b00);
    // Appendable, not blank: SAO only on a blank disc.
    expect_sense(
        cd.send_cue_sheet(&ONE_TRACK),
        triples::COMMAND_SEQUENCE_ERROR,
    );
}

/// Sends `sheet` and expects 05/26/00 pointing at byte `byte` of it.
#[track_caller]
fn refused_at(sheet: &[u8], byte: u16) {
    let mut cd = blank_80();
    sao_mode(&mut cd, 0b00);
    let e = expect_sense(
        cd.send_cue_sheet(sheet),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_eq!(e.sks, field_pointer(false, byte, None), "{sheet:02X?}");
}

fn with(sheet: &[u8], byte: usize, value: u8) -> Vec<u8> {
    let mut s = sheet.to_vec();
    s[byte] = value;
    s
}

#[test]
fn malformed_cue_sheets_point_at_the_bad_byte() {
    // The lead-in must be TNO 0.
    refused_at(&with(&ONE_TRACK, 1, 0x01), 1);
    // CD-TEXT in the lead-in is not modelled.
    refused_at(&with(&ONE_TRACK, 3, 0x54), 3);
    // ADR 4 means nothing here.
    refused_at(&with(&ONE_TRACK, 8, 0x44), 8);
    // Track 1's pre-gap must start at 00:00:00.
    refused_at(&with(&ONE_TRACK, 14, 0x01), 13);
    // ... and be 2 seconds long: index 1 at 00:01:00 is LBA -75.
    refused_at(&with(&ONE_TRACK, 22, 0x01), 21);
    // Audio (DATA FORM 00h) has 2352-byte blocks.
    refused_at(&with(&ONE_TRACK, 19, 0x00), 19);
    // A track entry without the data bit in CTL.
    refused_at(&with(&ONE_TRACK, 16, 0x01), 16);
    // Seconds 60 and frame 75 are not times.
    refused_at(&with(&ONE_TRACK, 30, 60), 30);
    refused_at(&with(&ONE_TRACK, 31, 75), 31);
    // The first track must be track 1.
    refused_at(&with(&with(&ONE_TRACK, 9, 2), 17, 2), 9);
    // Index 2 directly after index 0.
    refused_at(&with(&ONE_TRACK, 18, 0x02), 18);
    // Track 2 numbered 3.
    refused_at(&with(&TWO_TRACKS, 25, 0x03), 25);
    // The lead-out before track 1's end: 00:05:00 = LBA 225, under 300 blocks.
    refused_at(&with(&ONE_TRACK, 30, 0x05), 29);
    // Track 1 shorter than 300 blocks before track 2's pre-gap: 00:03:00 = LBA 75.
    refused_at(&with(&with(&TWO_TRACKS, 30, 0x03), 31, 0x00), 29);
    // Addresses going backwards: track 2's index 1 before its index 0.
    refused_at(&with(&TWO_TRACKS, 38, 0x05), 37);
    // The lead-out past the disc: 80:00:00.
    refused_at(&with(&with(&ONE_TRACK, 29, 80), 30, 0), 29);
    // The lead-out must be INDEX 1.
    refused_at(&with(&ONE_TRACK, 26, 0x00), 26);
    // Nothing may follow the lead-out.
    let mut extra = ONE_TRACK.to_vec();
    extra.extend([0x41, 0x02, 0x01, 0x10, 0x00, 0x00, 0x0B, 0x00]);
    refused_at(&extra, 32);
    // No lead-out at all: the last entry is pointed at.
    refused_at(&ONE_TRACK[..24], 17);
}

#[test]
fn a_cue_sheet_of_partial_entries_is_a_parameter_list_length_error() {
    let mut cd = blank_80();
    sao_mode(&mut cd, 0b00);
    expect_sense(
        cd.send_cue_sheet(&ONE_TRACK[..12]),
        triples::PARAMETER_LIST_LENGTH_ERROR,
    );
    expect_sense(cd.send_cue_sheet(&[]), triples::PARAMETER_LIST_LENGTH_ERROR);
}

#[test]
fn catalog_and_isrc_entries_are_accepted() {
    let mut cd = blank_80();
    sao_mode(&mut cd, 0b00);
    let mut sheet = vec![
        0x02, b'1', b'2', b'3', b'4', b'5', b'6', b'7', // MCN characters 1-7
        0x02, b'8', b'9', b'0', b'1', b'2', b'3', 0x00, // MCN characters 8-13
    ];
    sheet.extend(&ONE_TRACK[..8]);
    sheet.extend([0x43, 0x01, b'U', b'S', b'X', b'Y', b'Z', b'9']); // ISRC 1-6
    sheet.extend([0x43, 0x01, b'9', b'0', b'0', b'0', b'0', b'1']); // ISRC 7-12
    sheet.extend(&ONE_TRACK[8..]);
    cd.send_cue_sheet(&sheet).unwrap();
    fill(&mut cd, -150, 750).unwrap();
    cd.synchronize().unwrap();
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[2], 0x0E);
}
