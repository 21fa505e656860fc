//! READ TOC/PMA/ATIP formats 0, 1 and 2 after two appendable TAO sessions on an 80-minute
//! CD-R. Every value is worked out by hand from the layout rules:
//!
//! - session 1, track 1: 1000 blocks at LBA 0, + 2 run-out: 0..1002.
//! - session 1, track 2: 1002 + 150 pre-gap = 1152; 300 blocks + 2 run-out: 1152..1454.
//!   Session 1 closed with Multi-session 11b: lead-out at 1454.
//! - session 2, track 3: 1454 + 11,400 = 12,854; 500 blocks + 2: 12,854..13,356. Closed
//!   with 11b: lead-out at 13,356.
//! - session 3 would start at 13,356 + 6,900 = 20,256.
//!
//! MSF = LBA + 150 frames, 75 frames a second, 60 seconds a minute:
//! - 0 → 150 → 00:02:00
//! - 1152 → 1302 = 17 × 75 + 27 → 00:17:27 (11h 1Bh)
//! - 1454 → 1604 = 21 × 75 + 29 → 00:21:29 (15h 1Dh)
//! - 12,854 → 13,004 = 2 × 4500 + 53 × 75 + 29 → 02:53:29 (02h 35h 1Dh)
//! - 13,356 → 13,506 = 3 × 4500 + 6 → 03:00:06
//! - B0 of session 1: next program area = lead-out + 6,750 + 4,500 = 12,704 → 12,854
//!   frames = 2 × 4500 + 51 × 75 + 29 → 02:51:29 (02h 33h 1Dh), 150 blocks before track 3.
//! - B0 of session 2: 13,356 + 2,250 + 4,500 = 20,106 → 20,256 = 4 × 4500 + 30 × 75 + 6 →
//!   04:30:06 (04h 1Eh 06h).
//! - last possible lead-out 79:59:74 (4Fh 3Bh 4Ah); ATIP lead-in 97:26:65 (61h 1Ah 41h).

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::sense::triples;
use virtdrive::medium::cd_r::CdR;
use virtdrive::medium::Medium;

fn two_appendable_sessions() -> CdR {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    fill(&mut cd, 0, 1000).unwrap();
    close(&mut cd, &CLOSE_TRACK).unwrap();
    fill(&mut cd, 1152, 300).unwrap();
    close(&mut cd, &CLOSE_TRACK).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    assert_eq!(nwa_of(&invisible_track(&cd)), 12_854);
    fill(&mut cd, 12_854, 500).unwrap();
    cd.synchronize().unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    cd
}

/// READ TOC format `format`, MSF bit `msf`, from track/session `from`.
fn toc_cdb(msf: bool, format: u8, from: u8) -> [u8; 10] {
    [
        0x43,                          // READ TOC/PMA/ATIP
        if msf { 0x02 } else { 0x00 }, // MSF bit
        format,                        // format
        0x00,
        0x00,
        0x00, // reserved
        from, // track/session number
        0x03,
        0x24, // allocation length 804
        0x00,
    ]
}

#[test]
fn formatted_toc_in_lba_lists_every_closed_track_and_the_last_lead_out() {
    let cd = two_appendable_sessions();
    assert_eq!(
        read_toc(&cd, &toc_cdb(false, 0, 0)).unwrap(),
        [
            0x00, 0x22, // data length: 2 + 4 descriptors × 8
            0x01, 0x03, // first track 1, last track 3
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // ADR 1, CONTROL 4: track 1 at 0
            0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x04, 0x80, // track 2 at 1152
            0x00, 0x14, 0x03, 0x00, 0x00, 0x00, 0x32, 0x36, // track 3 at 12,854
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x34, 0x2C, // lead-out at 13,356
        ]
    );
}

#[test]
fn formatted_toc_in_msf() {
    let cd = two_appendable_sessions();
    assert_eq!(
        read_toc(&cd, &toc_cdb(true, 0, 0)).unwrap(),
        [
            0x00, 0x22, 0x01, 0x03, //
            0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, // 00:02:00
            0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x11, 0x1B, // 00:17:27
            0x00, 0x14, 0x03, 0x00, 0x00, 0x02, 0x35, 0x1D, // 02:53:29
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x03, 0x00, 0x06, // 03:00:06
        ]
    );
}

#[test]
fn formatted_toc_from_a_track_or_only_the_lead_out() {
    let cd = two_appendable_sessions();
    assert_eq!(
        read_toc(&cd, &toc_cdb(false, 0, 2)).unwrap(),
        [
            0x00, 0x1A, 0x01, 0x03, // 2 + 3 × 8; first and last track of the disc
            0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x04, 0x80, //
            0x00, 0x14, 0x03, 0x00, 0x00, 0x00, 0x32, 0x36, //
            0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x34, 0x2C, //
        ]
    );
    assert_eq!(
        read_toc(&cd, &toc_cdb(false, 0, 0xAA)).unwrap(),
        [0x00, 0x0A, 0x01, 0x03, 0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x34, 0x2C]
    );
    let e = expect_sense(
        read_toc(&cd, &toc_cdb(false, 0, 4)),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(e.sks, field_pointer(true, 6, None));
}

#[test]
fn formatted_toc_is_cut_to_the_allocation_length() {
    let cd = two_appendable_sessions();
    let mut cdb = toc_cdb(false, 0, 0);
    cdb[7] = 0x00;
    cdb[8] = 0x0C; // allocation length 12
    assert_eq!(
        read_toc(&cd, &cdb).unwrap(),
        [0x00, 0x22, 0x01, 0x03, 0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
    );
}

#[test]
fn multisession_info_names_the_first_track_of_the_last_complete_session() {
    let cd = two_appendable_sessions();
    assert_eq!(
        read_toc(&cd, &toc_cdb(false, 1, 0)).unwrap(),
        [
            0x00, 0x0A, // data length 10
            0x01, 0x02, // first complete session 1, last complete session 2
            0x00, 0x14, 0x03, 0x00, // ADR 1 CONTROL 4, track 3
            0x00, 0x00, 0x32, 0x36, // at 12,854: what mkisofs -C takes as its first number
        ]
    );
    assert_eq!(
        &read_toc(&cd, &toc_cdb(true, 1, 0)).unwrap()[8..12],
        [0x00, 0x02, 0x35, 0x1D]
    );
}

/// The full TOC entries of session 1.
const SESSION_1: [[u8; 11]; 7] = [
    // session, ADR|CONTROL, TNO, POINT, MIN, SEC, FRAME, ZERO, PMIN, PSEC, PFRAME
    [
        0x01, 0x14, 0x00, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    ], // first track 1, CD-ROM
    [
        0x01, 0x14, 0x00, 0xA1, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
    ], // last track 2
    [
        0x01, 0x14, 0x00, 0xA2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15, 0x1D,
    ], // lead-out 00:21:29
    [
        0x01, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
    ], // track 1 00:02:00
    [
        0x01, 0x14, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x1B,
    ], // track 2 00:17:27
    // ADR 5: next program area 02:51:29, 2 mode-5 pointers, outermost lead-out 79:59:74.
    [
        0x01, 0x50, 0x00, 0xB0, 0x02, 0x33, 0x1D, 0x02, 0x4F, 0x3B, 0x4A,
    ],
    // ADR 5: ATIP special information, first lead-in 97:26:65.
    [
        0x01, 0x50, 0x00, 0xC0, 0x50, 0x40, 0x80, 0x00, 0x61, 0x1A, 0x41,
    ],
];

/// The full TOC entries of session 2.
const SESSION_2: [[u8; 11]; 5] = [
    [
        0x02, 0x14, 0x00, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
    ], // first track 3
    [
        0x02, 0x14, 0x00, 0xA1, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
    ], // last track 3
    [
        0x02, 0x14, 0x00, 0xA2, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x06,
    ], // lead-out 03:00:06
    [
        0x02, 0x14, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x02, 0x35, 0x1D,
    ], // track 3 02:53:29
    // Next program area 04:30:06; one mode-5 pointer (no C0 after session 1).
    [
        0x02, 0x50, 0x00, 0xB0, 0x04, 0x1E, 0x06, 0x01, 0x4F, 0x3B, 0x4A,
    ],
];

#[test]
fn full_toc_lists_a0_a1_a2_tracks_b0_and_c0_per_session() {
    let cd = two_appendable_sessions();
    let mut expected = vec![
        0x00, 0x86, // data length: 2 + 12 entries × 11 = 134
        0x01, 0x02, // first and last complete session
    ];
    expected.extend(SESSION_1.iter().flatten());
    expected.extend(SESSION_2.iter().flatten());
    // libburn's request: MSF, format 2, from session 1 (43 02 02 00 00 00 01).
    assert_eq!(read_toc(&cd, &toc_cdb(true, 2, 1)).unwrap(), expected);
    // Session 0 means from the first.
    assert_eq!(read_toc(&cd, &toc_cdb(true, 2, 0)).unwrap(), expected);
}

#[test]
fn full_toc_from_session_2() {
    let cd = two_appendable_sessions();
    let mut expected = vec![0x00, 0x39, 0x01, 0x02]; // 2 + 5 × 11 = 57
    expected.extend(SESSION_2.iter().flatten());
    assert_eq!(read_toc(&cd, &toc_cdb(true, 2, 2)).unwrap(), expected);
    let e = expect_sense(
        read_toc(&cd, &toc_cdb(true, 2, 3)),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(e.sks, field_pointer(true, 6, None));
}

#[test]
fn after_two_sessions_the_invisible_track_is_track_4_of_session_3() {
    let cd = two_appendable_sessions();
    let t = invisible_track(&cd);
    assert_eq!(&t[2..4], [4, 3]);
    assert_eq!(nwa_of(&t), 20_256);
    // 359,849 - 2 - 20,256.
    assert_eq!(free_of(&t), 339_591);
    let d = disc_info(&cd, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0]);
    assert_eq!(&d[2..7], [0x01, 0x01, 0x03, 0x04, 0x04]);
    // Session 3 lead-in: 13,356 + 2,250 = 15,606 = 15,756 frames = 03:30:06.
    assert_eq!(&d[16..20], [0x00, 0x03, 0x1E, 0x06]);
}

#[test]
fn an_open_session_is_not_in_the_toc_and_finalizing_drops_its_b0() {
    let mut cd = two_appendable_sessions();
    fill(&mut cd, 20_256, 300).unwrap();
    cd.synchronize().unwrap();
    // Session 3 is open: the TOC still ends with session 2.
    assert_eq!(read_toc(&cd, &toc_cdb(false, 0, 0)).unwrap()[3], 3);
    tao_finalize(&mut cd);
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let toc = read_toc(&cd, &toc_cdb(true, 2, 3)).unwrap();
    // Track 4 at 20,256 = 20,406 frames = 4 × 4500 + 32 × 75 + 6 = 04:32:06; its 300
    // blocks and 2 run-out end at the lead-out 20,558 = 20,708 frames = 04:36:08.
    assert_eq!(
        toc,
        [
            0x00, 0x2E, 0x01, 0x03, // 2 + 4 × 11; sessions 1 to 3
            0x03, 0x14, 0x00, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, //
            0x03, 0x14, 0x00, 0xA1, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, //
            0x03, 0x14, 0x00, 0xA2, 0x00, 0x00, 0x00, 0x00, 0x04, 0x24, 0x08, //
            0x03, 0x14, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x04, 0x20, 0x06, // 04:32:06
        ]
    );
}

#[test]
fn multisession_01b_closes_with_b0_ff_ff_ff() {
    let mut cd = blank_80();
    mode_select(&mut cd, &cd_write_parameters(0x01, 0b01, true)).unwrap();
    fill(&mut cd, 0, 300).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let toc = read_toc(&cd, &toc_cdb(true, 2, 1)).unwrap();
    // A0, A1, A2, track 1, B0, C0.
    assert_eq!(toc.len(), 4 + 6 * 11);
    assert_eq!(
        toc[4 + 4 * 11..4 + 5 * 11],
        [0x01, 0x50, 0x00, 0xB0, 0xFF, 0xFF, 0xFF, 0x02, 0x4F, 0x3B, 0x4A]
    );
    assert_eq!(
        disc_info(&cd, &[0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0])[2],
        0x0E
    );
}
