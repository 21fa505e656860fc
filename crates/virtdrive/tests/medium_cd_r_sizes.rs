//! 74- and 80-minute discs: their limits, and a nearly full disc refusing another session.

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::sense::triples;
use virtdrive::medium::{Medium, MediumKind};

const READ_DISC_INFORMATION: [u8; 10] = [0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0];
const ATIP: [u8; 10] = [0x43, 0x02, 0x04, 0, 0, 0, 0, 0x00, 0x1C, 0];

#[test]
fn a_74_minute_disc_ends_at_74_02_00() {
    let cd = blank_74();
    assert_eq!(cd.kind(), MediumKind::CdR74);
    let d = disc_info(&cd, &READ_DISC_INFORMATION);
    // Last possible lead-out start 74:02:00 = (74 × 60 + 2) × 75 - 150 = LBA 333,000.
    assert_eq!(&d[20..24], [0x00, 0x4A, 0x02, 0x00]);
    let t = invisible_track(&cd);
    // 333,000 - 2 run-out = 332,998 = 0x0514C6.
    assert_eq!(&t[16..20], [0x00, 0x05, 0x14, 0xC6]);
    assert_eq!(&t[24..28], [0x00, 0x05, 0x14, 0xC6]);
    assert_eq!(&read_toc(&cd, &ATIP).unwrap()[12..15], [0x4A, 0x02, 0x00]);
    assert_eq!(cd.format_capacities().current.blocks, 332_998);
}

#[test]
fn an_80_minute_disc_ends_at_79_59_74() {
    let cd = blank_80();
    // 79:59:74 = (79 × 60 + 59) × 75 + 74 - 150 = LBA 359,849.
    assert_eq!(
        &disc_info(&cd, &READ_DISC_INFORMATION)[20..24],
        [0x00, 0x4F, 0x3B, 0x4A]
    );
    assert_eq!(free_of(&invisible_track(&cd)), 359_847);
    assert_eq!(&read_toc(&cd, &ATIP).unwrap()[12..15], [0x4F, 0x3B, 0x4A]);
}

#[test]
fn a_session_leaving_just_enough_room_keeps_the_disc_appendable() {
    let mut cd = blank_74();
    tao_multisession(&mut cd);
    // Track 1: 321,296 blocks + 2 run-out: lead-out at 321,298. Session 2 starts at
    // 321,298 + 11,400 = 332,698; a 300-block track and its run-out end at 333,000, the
    // limit: it fits.
    fill(&mut cd, 0, 321_296).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    assert_eq!(
        disc_info(&cd, &READ_DISC_INFORMATION)[2],
        0x01,
        "appendable"
    );
    let t = invisible_track(&cd);
    assert_eq!(nwa_of(&t), 332_698);
    assert_eq!(free_of(&t), 300);
    fill(&mut cd, 332_698, 300).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    // Session 2's lead-out at 333,000: no room for a third session.
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[2], 0x0E, "complete");
}

#[test]
fn a_nearly_full_disc_refuses_a_new_session() {
    let mut cd = blank_74();
    tao_multisession(&mut cd);
    // One block more than above: session 2 would start at 332,699 and a minimum track
    // would end at 333,001, past the limit. Closing with 11b closes the disc instead.
    fill(&mut cd, 0, 321_297).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    assert_eq!(
        disc_info(&cd, &READ_DISC_INFORMATION)[2],
        0x0E,
        "last session complete, disc complete"
    );
    expect_sense(
        track_info(&cd, &[0x52, 0x01, 0, 0, 0, 0xFF, 0, 0, 0x30, 0]),
        triples::INVALID_FIELD_IN_CDB,
    );
    expect_sense(
        write10(&mut cd, &write10_cdb(332_699, 1), &blocks_of(0, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    // The lead-in says so: B0 = FF:FF:FF.
    let toc = read_toc(&cd, &[0x43, 0x02, 0x02, 0, 0, 0, 1, 0x03, 0x24, 0]).unwrap();
    let b0 = toc[4..]
        .chunks(11)
        .find(|e| e[3] == 0xB0)
        .expect("a B0 pointer");
    assert_eq!(&b0[4..7], [0xFF, 0xFF, 0xFF]);
}

#[test]
fn a_track_too_close_to_the_end_for_300_blocks_is_not_writable() {
    let mut cd = blank_74();
    tao_multisession(&mut cd);
    // Track 1 ends (run-out included) at 332,550; track 2 would start at 332,700 with
    // 333,000 - 2 - 332,700 = 298 blocks: less than a minimum track.
    fill(&mut cd, 0, 332_548).unwrap();
    close(&mut cd, &CLOSE_TRACK).unwrap();
    let t = invisible_track(&cd);
    assert_eq!(t[2], 2);
    assert_eq!(t[7] & 0x01, 0, "NWA not valid");
    assert_eq!(free_of(&t), 0);
    expect_sense(
        write10(&mut cd, &write10_cdb(332_700, 1), &blocks_of(0, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
}

#[test]
fn after_track_99_no_track_and_no_session_can_follow() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    // 99 minimum tracks: track n starts at (n - 1) × (300 + 2 + 150).
    for n in 0..99 {
        fill(&mut cd, n * 452, 300).unwrap();
        close(&mut cd, &CLOSE_TRACK).unwrap();
    }
    let track_99 = track_info(&cd, &[0x52, 0x01, 0, 0, 0, 99, 0, 0, 0x30, 0]).unwrap();
    assert_eq!(&track_99[8..12], (98u32 * 452).to_be_bytes());
    // No track 100: no invisible track, and the session closes the disc.
    expect_sense(
        track_info(&cd, &[0x52, 0x01, 0, 0, 0, 0xFF, 0, 0, 0x30, 0]),
        triples::INVALID_FIELD_IN_CDB,
    );
    expect_sense(
        write10(&mut cd, &write10_cdb(99 * 452, 1), &blocks_of(0, 1)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let d = disc_info(&cd, &READ_DISC_INFORMATION);
    assert_eq!(
        d[2], 0x0E,
        "complete: no track number left for another session"
    );
    assert_eq!(&d[4..7], [1, 1, 99]);
}
