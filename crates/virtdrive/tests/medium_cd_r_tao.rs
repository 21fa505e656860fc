//! Track At Once on an 80-minute CD-R: writing at the next writable address, closing tracks
//! (run-out, padding, pre-gap of the next track), closing sessions (appendable or
//! finalized), and what is readable afterwards.

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::sense::triples;
use testkit::sense::END_OF_USER_AREA;
use virtdrive::medium::Medium;

const READ_DISC_INFORMATION: [u8; 10] = [0x51, 0, 0, 0, 0, 0, 0, 0x00, 0x22, 0];

/// READ TRACK INFORMATION of track `n`, 48 bytes.
fn track_n(n: u8) -> [u8; 10] {
    [
        0x52, // READ TRACK INFORMATION
        0x01, // address type: track number
        0x00, 0x00, 0x00, n, // track
        0x00, 0x00, 0x30, // allocation length 48
        0x00,
    ]
}

/// Writes `blocks` blocks of `fill` at `lba` with one WRITE(10).
fn write_blocks(cd: &mut virtdrive::medium::cd_r::CdR, lba: i32, blocks: u16, fill: u8) {
    write10(
        cd,
        &write10_cdb(lba, blocks),
        &blocks_of(fill, blocks.into()),
    )
    .unwrap();
}

#[test]
fn writes_go_only_to_the_next_writable_address() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    for lba in [1, -150, 100_000] {
        let e = expect_sense(
            write10(&mut cd, &write10_cdb(lba, 1), &blocks_of(1, 1)),
            triples::INVALID_ADDRESS_FOR_WRITE,
        );
        assert_eq!(e.information, Some(lba as u32 as u64));
    }
    write_blocks(&mut cd, 0, 32, 0x11);
    // The NWA moved on by 32: the old address and any other are refused.
    for lba in [0, 31, 33] {
        expect_sense(
            write10(&mut cd, &write10_cdb(lba, 1), &blocks_of(1, 1)),
            triples::INVALID_ADDRESS_FOR_WRITE,
        );
    }
    write_blocks(&mut cd, 32, 32, 0x22);
}

#[test]
fn a_track_being_written_is_the_incomplete_track_and_grows() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write_blocks(&mut cd, 0, 500, 0x5A);
    let t = invisible_track(&cd);
    assert_eq!(t[2], 1, "track 1");
    assert_eq!(t[3], 1, "session 1");
    assert_eq!(t[6], 0x01, "not blank; data mode 1");
    assert_eq!(t[7], 0x03, "LRA_V | NWA_V");
    assert_eq!(&t[8..12], [0, 0, 0, 0], "track start 0");
    assert_eq!(nwa_of(&t), 500);
    // 359,849 - 2 run-out - 500 written.
    assert_eq!(free_of(&t), 359_347);
    assert_eq!(&t[24..28], 359_847u32.to_be_bytes(), "size: written + free");
    assert_eq!(&t[28..32], 499u32.to_be_bytes(), "last recorded address");
    // The session is open: disc and session incomplete.
    let d = disc_info(&cd, &READ_DISC_INFORMATION);
    assert_eq!(
        d[2], 0x05,
        "last session incomplete (01b), disc incomplete (01b)"
    );
    assert_eq!(&d[4..7], [1, 1, 1], "1 session, track 1 first and last");
    // What is written reads back already.
    assert_eq!(
        read10(&mut cd, &read10_cdb(499, 1)).unwrap(),
        blocks_of(0x5A, 1)
    );
    expect_sense(
        read10(&mut cd, &read10_cdb(500, 1)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
}

#[test]
fn close_track_adds_run_out_and_the_next_track_follows_a_150_block_pre_gap() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    for i in 0..10u8 {
        write_blocks(&mut cd, i32::from(i) * 100, 100, i + 1);
    }
    close(&mut cd, &CLOSE_TRACK).unwrap();
    assert_eq!(
        track_info(&cd, &track_n(1)).unwrap(),
        [
            0x00, 0x2E, // data length
            0x01, 0x01, 0x00, // track 1, session 1
            0x04, // track mode 4
            0x01, // data mode 1, not blank
            0x02, // LRA_V; no NWA: the track is closed
            0x00, 0x00, 0x00, 0x00, // track start 0
            0x00, 0x00, 0x00, 0x00, // NWA (not valid)
            0x00, 0x00, 0x00, 0x00, // free blocks 0
            0x00, 0x00, 0x00, 0x00, // fixed packet size
            0x00, 0x00, 0x03, 0xEA, // track size 1002 = 1000 written + 2 run-out
            0x00, 0x00, 0x03, 0xE7, // last recorded address 999
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]
    );
    // Track 2: start = 0 + 1002 + 150 = 1152; free = 359,849 - 2 - 1152 = 358,695.
    let t2 = invisible_track(&cd);
    assert_eq!(t2[2], 2);
    assert_eq!(t2[3], 1, "still session 1");
    assert_eq!(t2[6], 0x41, "blank");
    assert_eq!(&t2[8..12], 1152u32.to_be_bytes());
    assert_eq!(nwa_of(&t2), 1152);
    assert_eq!(free_of(&t2), 358_695);
    // Disc information: session open, the invisible track 2 is its last track.
    let d = disc_info(&cd, &READ_DISC_INFORMATION);
    assert_eq!(d[2], 0x05);
    assert_eq!(&d[4..7], [1, 1, 2]);
    // Every written block reads back; the run-out and the pre-gap do not.
    let data = read10(&mut cd, &read10_cdb(0, 1000)).unwrap();
    for i in 0..10usize {
        assert!(data[i * 204_800..(i + 1) * 204_800]
            .iter()
            .all(|b| *b == i as u8 + 1));
    }
    for lba in [1000, 1001, 1002, 1151] {
        let e = expect_sense(
            read10(&mut cd, &read10_cdb(lba, 1)),
            triples::ILLEGAL_MODE_FOR_THIS_TRACK,
        );
        assert_eq!(e.information, Some(lba as u64));
    }
    // A read running into the run-out fails at its first run-out block.
    let e = expect_sense(
        read10(&mut cd, &read10_cdb(998, 3)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
    assert_eq!(e.information, Some(1000));
    // The old NWA is gone; track 2 starts at 1152.
    expect_sense(
        write10(&mut cd, &write10_cdb(1000, 1), &blocks_of(1, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    write_blocks(&mut cd, 1152, 300, 0x77);
}

#[test]
fn a_short_track_is_padded_to_300_blocks_of_zeros() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write_blocks(&mut cd, 0, 100, 0xEE);
    let busy = close(&mut cd, &CLOSE_TRACK).unwrap();
    // 200 padding + 2 run-out blocks at 4x (300 blocks/s): 673,333 µs.
    assert_eq!(busy.duration.as_micros(), 673_333);
    let t1 = track_info(&cd, &track_n(1)).unwrap();
    assert_eq!(&t1[24..28], 302u32.to_be_bytes(), "300 blocks + 2 run-out");
    assert_eq!(&t1[28..32], 299u32.to_be_bytes());
    assert_eq!(
        read10(&mut cd, &read10_cdb(99, 1)).unwrap(),
        blocks_of(0xEE, 1)
    );
    assert_eq!(
        read10(&mut cd, &read10_cdb(100, 200)).unwrap(),
        blocks_of(0, 200)
    );
    // Track 2 at 302 + 150.
    assert_eq!(nwa_of(&invisible_track(&cd)), 452);
}

#[test]
fn synchronize_cache_ends_the_track_as_libburn_relies_on() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write_blocks(&mut cd, 0, 400, 0x01);
    cd.synchronize().unwrap();
    assert_eq!(
        &track_info(&cd, &track_n(1)).unwrap()[24..28],
        402u32.to_be_bytes()
    );
    // 402 + 150.
    assert_eq!(nwa_of(&invisible_track(&cd)), 552);
    // A CLOSE TRACK afterwards (IMAPI's sequence) changes nothing, for FFh or track 1.
    close(&mut cd, &CLOSE_TRACK).unwrap();
    close(&mut cd, &[0x5B, 0x00, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0]).unwrap();
    assert_eq!(nwa_of(&invisible_track(&cd)), 552);
    // A track that does not exist is an invalid field.
    let e = expect_sense(
        close(&mut cd, &[0x5B, 0x00, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0]),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(e.sks, field_pointer(true, 4, None));
}

#[test]
fn closing_a_session_with_multisession_11b_leaves_the_disc_appendable() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write_blocks(&mut cd, 0, 1000, 0x31);
    close(&mut cd, &CLOSE_TRACK).unwrap();
    let busy = close(&mut cd, &CLOSE_SESSION).unwrap();
    // Lead-in 4,500 + first lead-out 6,750 blocks at 300 blocks/s: 37.5 s.
    assert_eq!(busy.duration.as_millis(), 37_500);
    // Lead-out of session 1 at 1002. Session 2's lead-in starts after the 6,750-block
    // lead-out: 7752 = 7902 frames = 01:45:27.
    assert_eq!(
        disc_info(&cd, &READ_DISC_INFORMATION),
        [
            0x00, 0x20, // length
            0x01, // last session state 00b (empty), disc status 01b (appendable)
            0x01, // first track on disc
            0x02, // sessions: 1 closed + the empty one
            0x02, // first track in last session: the invisible track 2
            0x02, // last track in last session
            0x20, // URU
            0x00, // disc type: the session format 00h
            0x00, 0x00, 0x00, //
            0x00, 0x00, 0x00, 0x00, //
            0x00, 0x01, 0x2D, 0x1B, // session 2 lead-in start 01:45:27
            0x00, 0x4F, 0x3B, 0x4A, // last possible lead-out 79:59:74
            0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
        ]
    );
    // The next session's first track: 1002 + 11,400 = 12,402; free 359,849 - 2 - 12,402.
    let t2 = invisible_track(&cd);
    assert_eq!(&t2[2..4], [2, 2], "track 2, session 2");
    assert_eq!(&t2[8..12], 12_402u32.to_be_bytes());
    assert_eq!(nwa_of(&t2), 12_402);
    assert_eq!(free_of(&t2), 347_445);
    // The old track-2 address of session 1 is no longer writable.
    expect_sense(
        write10(&mut cd, &write10_cdb(1152, 1), &blocks_of(1, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    // Session 1's lead-out and session 2's lead-in are not readable.
    for lba in [1002, 7752, 12_401] {
        expect_sense(
            read10(&mut cd, &read10_cdb(lba, 1)),
            triples::ILLEGAL_MODE_FOR_THIS_TRACK,
        );
    }
    // Closing again with nothing open is a sequence error.
    expect_sense(
        close(&mut cd, &CLOSE_SESSION),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    // READ CAPACITY: the last block of track 1 with its run-out, 1001 (2 above the last
    // readable block, as drives report TAO CDs).
    assert_eq!(cd.read_capacity().unwrap().last_lba, 1001);
}

#[test]
fn a_third_session_starts_6900_after_the_second_lead_out_and_00b_finalizes() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write_blocks(&mut cd, 0, 300, 1);
    close(&mut cd, &CLOSE_SESSION).unwrap(); // closes the open track too
                                             // Session 1: track 1 0..302, lead-out 302; session 2 at 302 + 11,400 = 11,702.
    assert_eq!(nwa_of(&invisible_track(&cd)), 11_702);
    write_blocks(&mut cd, 11_702, 300, 2);
    cd.synchronize().unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    // Session 2: track 2 11,702..12,004, lead-out 12,004; session 3 at 12,004 + 6,900.
    let t3 = invisible_track(&cd);
    assert_eq!(&t3[2..4], [3, 3]);
    assert_eq!(nwa_of(&t3), 18_904);
    // Lead-in of session 3: 12,004 + 2,250 = 14,254 = 14,404 frames = 03:12:04.
    assert_eq!(
        &disc_info(&cd, &READ_DISC_INFORMATION)[16..20],
        [0, 3, 12, 4]
    );

    tao_finalize(&mut cd);
    write_blocks(&mut cd, 18_904, 300, 3);
    close(&mut cd, &CLOSE_TRACK).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    assert_eq!(
        disc_info(&cd, &READ_DISC_INFORMATION),
        [
            0x00, 0x20, //
            0x0E, // last session state 11b (complete), disc status 10b (complete)
            0x01, // first track
            0x03, // sessions
            0x03, // first track in last session
            0x03, // last track in last session
            0x20, 0x00, 0x00, 0x00, 0x00, //
            0x00, 0x00, 0x00, 0x00, //
            0xFF, 0xFF, 0xFF, 0xFF, // no lead-in to come
            0xFF, 0xFF, 0xFF, 0xFF, // no lead-out limit any more
            0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00,
        ]
    );
    // A complete disc has no invisible track and takes no writes.
    let e = expect_sense(
        track_info(&cd, &track_n(0xFF)),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(e.sks, field_pointer(true, 2, None));
    expect_sense(
        write10(&mut cd, &write10_cdb(19_206, 1), &blocks_of(1, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    expect_sense(
        close(&mut cd, &CLOSE_SESSION),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    expect_sense(
        close(&mut cd, &CLOSE_TRACK),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    // Every session's data is still there.
    for (lba, fill) in [(0, 1u8), (11_702, 2), (18_904, 3)] {
        assert_eq!(
            read10(&mut cd, &read10_cdb(lba, 1)).unwrap(),
            blocks_of(fill, 1)
        );
    }
    // Track information by session number gives the session's first track.
    let s2 = track_info(&cd, &[0x52, 0x02, 0, 0, 0, 2, 0, 0, 0x30, 0]).unwrap();
    assert_eq!(&s2[2..4], [2, 2]);
    assert_eq!(&s2[8..12], 11_702u32.to_be_bytes());
    assert_eq!(&s2[24..28], 302u32.to_be_bytes());
    // By LBA: an address in track 3's pre-gap belongs to track 3.
    let by_lba = track_info(&cd, &[0x52, 0x00, 0x00, 0x00, 0x49, 0xD0, 0, 0, 0x30, 0]).unwrap();
    assert_eq!(by_lba[2], 3, "LBA 18,896 is in track 3's pre-gap");
    assert_eq!(cd.read_capacity().unwrap().last_lba, 18_904 + 302 - 1);
}

#[test]
fn a_write_past_the_room_left_is_the_end_of_the_user_area() {
    let mut cd = blank_74();
    tao_multisession(&mut cd);
    // 333,000 - 2 run-out = 332,998 blocks of room on a blank 74-minute disc.
    fill(&mut cd, 0, 332_990).unwrap();
    assert_eq!(free_of(&invisible_track(&cd)), 8);
    let e = expect_sense(
        write10(&mut cd, &write10_cdb(332_990, 16), &blocks_of(0, 16)),
        END_OF_USER_AREA,
    );
    assert_eq!(e.information, Some(332_990));
    write10(&mut cd, &write10_cdb(332_990, 8), &blocks_of(0, 8)).unwrap();
    assert_eq!(free_of(&invisible_track(&cd)), 0);
}

#[test]
fn mode_2_form_1_tracks_report_data_mode_2() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b11, true);
    list[12] = 0x0A; // data block type 10: Mode 2 Form 1
    list[16] = 0x20; // session format 20h: CD-ROM XA
    mode_select(&mut cd, &list).unwrap();
    assert_eq!(invisible_track(&cd)[6], 0x42, "blank | data mode 2");
    write_blocks(&mut cd, 0, 300, 9);
    close(&mut cd, &CLOSE_SESSION).unwrap();
    assert_eq!(track_info(&cd, &track_n(1)).unwrap()[6], 0x02);
    // The disc type is the first session's format.
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[8], 0x20);
}
