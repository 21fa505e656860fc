//! A blank CD-R: what READ DISC INFORMATION, READ TRACK INFORMATION, READ TOC, READ
//! CAPACITY and READ answer before anything is written, and the commands a CD-R refuses.

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::cdb::{CdbRepr, ReadDiscStructure, ReserveTrack};
use mmc_core::params::{FormatDescriptor, FormatUnitParameters, ModePage, ModeParameters};
use mmc_core::response::capacity::CapacityDescriptorType;
use mmc_core::response::ResponseFormat;
use mmc_core::sense::{triples, SenseTriple};
use mmc_core::Profile;
use virtdrive::clock::VirtualTime;
use virtdrive::medium::{Medium, MediumKind};

const READ_DISC_INFORMATION: [u8; 10] = [
    0x51, // READ DISC INFORMATION
    0x00, // data type 000b: standard disc information
    0x00, 0x00, 0x00, 0x00, 0x00, // reserved
    0x00, 0x22, // allocation length 34
    0x00,
];

#[test]
fn blank_disc_information_is_empty_with_one_session_and_the_atip_limits() {
    let cd = blank_80();
    assert_eq!(
        disc_info(&cd, &READ_DISC_INFORMATION),
        [
            0x00, 0x20, // disc information length: 32
            0x00, // erasable 0, last session state 00b (empty), disc status 00b (empty)
            0x01, // first track on disc
            0x01, // number of sessions (LSB)
            0x01, // first track in last session (LSB)
            0x01, // last track in last session (LSB): the invisible track 1
            0x20, // URU
            0x00, // disc type 00h
            0x00, 0x00, 0x00, // MSBs
            0x00, 0x00, 0x00, 0x00, // disc identification
            0x00, 0x61, 0x1A, 0x41, // last session lead-in start 97:26:65 (ATIP)
            0x00, 0x4F, 0x3B, 0x4A, // last possible lead-out start 79:59:74 = LBA 359,849
            0, 0, 0, 0, 0, 0, 0, 0,    // disc bar code
            0x00, // disc application code
            0x00, // number of OPC tables
        ]
    );
}

/// The invisible track of a blank 80-minute disc: all of the disc but the 2 run-out blocks.
const BLANK_80_INVISIBLE_TRACK: [u8; 48] = [
    0x00, 0x2E, // data length: 46
    0x01, // track number 1
    0x01, // session number 1
    0x00, // reserved
    0x04, // track mode 4: data, recorded uninterrupted
    0x41, // blank | data mode 1
    0x01, // NWA_V
    0x00, 0x00, 0x00, 0x00, // track start 0
    0x00, 0x00, 0x00, 0x00, // next writable address 0
    0x00, 0x05, 0x7D, 0xA7, // free blocks 359,847 = 359,849 - 2 run-out
    0x00, 0x00, 0x00, 0x00, // fixed packet size: none on CD
    0x00, 0x05, 0x7D, 0xA7, // track size 359,847
    0x00, 0x00, 0x00, 0x00, // last recorded address (LRA_V = 0)
    0x00, 0x00, 0x00, 0x00, // track/session MSBs, reserved
    0x00, 0x00, 0x00, 0x00, // read compatibility LBA
    0x00, 0x00, 0x00, 0x00, // next layer jump address
    0x00, 0x00, 0x00, 0x00, // last layer jump address
];

#[test]
fn blank_invisible_track_has_nwa_zero_and_all_the_room() {
    let cd = blank_80();
    assert_eq!(invisible_track(&cd), BLANK_80_INVISIBLE_TRACK);
}

#[test]
fn track_one_and_session_one_are_the_invisible_track_on_a_blank_disc() {
    let cd = blank_80();
    let track_1 = track_info(
        &cd,
        &[
            0x52, // READ TRACK INFORMATION
            0x01, // address type 01b: track number
            0x00, 0x00, 0x00, 0x01, // track 1
            0x00, 0x00, 0x30, 0x00, // allocation length 48
        ],
    )
    .unwrap();
    assert_eq!(track_1, BLANK_80_INVISIBLE_TRACK);
    let session_1 = track_info(
        &cd,
        &[
            0x52, // READ TRACK INFORMATION
            0x02, // address type 10b: session number
            0x00, 0x00, 0x00, 0x01, // session 1
            0x00, 0x00, 0x30, 0x00,
        ],
    )
    .unwrap();
    assert_eq!(session_1, BLANK_80_INVISIBLE_TRACK);
    let lba_0 = track_info(
        &cd,
        &[
            0x52, // READ TRACK INFORMATION
            0x00, // address type 00b: LBA
            0x00, 0x00, 0x00, 0x00, // LBA 0
            0x00, 0x00, 0x30, 0x00,
        ],
    )
    .unwrap();
    assert_eq!(lba_0, BLANK_80_INVISIBLE_TRACK);
}

#[test]
fn track_information_is_cut_to_the_allocation_length() {
    let cd = blank_80();
    let reply = track_info(
        &cd,
        &[0x52, 0x01, 0, 0, 0, 0xFF, 0, 0x00, 0x1C, 0], // allocation length 28
    )
    .unwrap();
    assert_eq!(reply, BLANK_80_INVISIBLE_TRACK[..28]);
}

#[test]
fn a_track_or_session_beyond_the_invisible_one_is_an_invalid_field() {
    let cd = blank_80();
    for cdb in [
        [0x52, 0x01, 0, 0, 0, 0x02, 0, 0, 0x30, 0], // track 2
        [0x52, 0x01, 0, 0, 0, 0x00, 0, 0, 0x30, 0], // track 0 (the lead-in)
        [0x52, 0x02, 0, 0, 0, 0x02, 0, 0, 0x30, 0], // session 2
    ] {
        let e = expect_sense(track_info(&cd, &cdb), triples::INVALID_FIELD_IN_CDB);
        assert_eq!(e.sks, field_pointer(true, 2, None), "{cdb:02X?}");
    }
}

#[test]
fn a_blank_disc_has_no_toc() {
    // As a real drive answers for a blank CD (libburn's author, pali/udftools issue 33).
    let cd = blank_80();
    for format in [0x00, 0x01, 0x02] {
        let cdb = [
            0x43,   // READ TOC/PMA/ATIP
            0x00,   // MSF = 0
            format, // format
            0x00, 0x00, 0x00, // reserved
            0x00, // track/session number
            0x03, 0x24, // allocation length 804
            0x00,
        ];
        expect_sense(read_toc(&cd, &cdb), triples::INVALID_FIELD_IN_CDB);
    }
}

#[test]
fn atip_gives_the_lead_in_start_and_the_last_possible_lead_out() {
    let cd = blank_80();
    let atip = read_toc(
        &cd,
        &[
            0x43, // READ TOC/PMA/ATIP
            0x02, // MSF = 1 (libburn's 43 02 04)
            0x04, // format 4: ATIP
            0x00, 0x00, 0x00, 0x00, // reserved, track/session number
            0x00, 0x1C, // allocation length 28
            0x00,
        ],
    )
    .unwrap();
    assert_eq!(
        atip,
        [
            0x00, 0x1A, // data length: 26
            0x00, 0x00, // reserved
            0x50, // indicative target writing power 5, reference speed 0
            0x40, // URU
            0x80, // always 1; disc type 0 (CD-R), sub-type 0, no A1-A3
            0x00, //
            0x61, 0x1A, 0x41, 0x00, // start of lead-in 97:26:65 = LBA -11,635
            0x4F, 0x3B, 0x4A, 0x00, // last possible start of lead-out 79:59:74 = 359,849
            0, 0, 0, 0, // A1
            0, 0, 0, 0, // A2
            0, 0, 0, 0, // A3
        ]
    );
}

#[test]
fn pma_and_cd_text_are_invalid_formats() {
    let cd = blank_80();
    for format in [0x03, 0x05, 0x0F] {
        let cdb = [0x43, 0x00, format, 0, 0, 0, 0, 0x01, 0x00, 0];
        let e = expect_sense(read_toc(&cd, &cdb), triples::INVALID_FIELD_IN_CDB);
        assert_eq!(e.sks, field_pointer(true, 2, Some(3)));
    }
}

#[test]
fn read_capacity_of_a_blank_disc_is_zero() {
    let cd = blank_80();
    let cap = cd.read_capacity().unwrap();
    assert_eq!(cap.to_bytes(), [0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00]);
}

#[test]
fn reading_a_blank_disc_is_an_illegal_mode_and_outside_it_out_of_range() {
    let mut cd = blank_80();
    let e = expect_sense(
        read10(&mut cd, &read10_cdb(0, 1)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
    assert_eq!(e.information, Some(0));
    // The last possible lead-out start is the first address past the disc.
    let e = expect_sense(
        read10(&mut cd, &read10_cdb(359_849, 1)),
        triples::LBA_OUT_OF_RANGE,
    );
    assert_eq!(e.information, Some(359_849));
    // Before the ATIP lead-in start (-11,635).
    expect_sense(
        read10(&mut cd, &read10_cdb(-11_636, 1)),
        triples::LBA_OUT_OF_RANGE,
    );
    // Inside the lead-in: on the disc, not user data.
    expect_sense(
        read10(&mut cd, &read10_cdb(-11_635, 1)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
}

#[test]
fn identity_speeds_and_blocking_of_an_80_minute_cd_r() {
    let cd = blank_80();
    assert_eq!(cd.kind(), MediumKind::CdR80);
    assert_eq!(cd.profile(), Profile::CdR);
    assert_eq!(cd.profile().to_u16(), 0x0009);
    // 48x .. 4x of 176.4 kB/s, rounded: 8467.2, 7056, 5644.8, 4233.6, 2822.4, 1411.2, 705.6.
    assert_eq!(cd.write_speeds(), [8467, 7056, 5645, 4234, 2822, 1411, 706]);
    assert_eq!(cd.read_speed(), 8467);
    assert_eq!(cd.blocking(), 1);
    assert_eq!(cd.blocking_format_progress(), None);
}

#[test]
fn format_unit_reserve_track_and_disc_structures_are_refused() {
    let mut cd = blank_80();
    let params = FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(false));
    expect_sense(
        cd.format(&params, VirtualTime::ZERO),
        SenseTriple::new(0x5, 0x30, 0x06), // CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM
    );
    let reserve = ReserveTrack::decode(&[
        0x53, // RESERVE TRACK
        0x00, // ARSV = 0
        0x00, 0x00, 0x00, // reserved
        0x00, 0x00, 0x12, 0xC0, // reservation size 4800 blocks
        0x00,
    ])
    .unwrap();
    expect_sense(cd.reserve_track(&reserve), triples::COMMAND_SEQUENCE_ERROR);
    let structure = ReadDiscStructure::decode(&[
        0xAD, // READ DISC STRUCTURE
        0x00, // media type 0: DVD
        0x00, 0x00, 0x00, 0x00, // address
        0x00, // layer
        0x00, // format 00h: physical format information
        0x08, 0x04, // allocation length
        0x00, 0x00,
    ])
    .unwrap();
    expect_sense(
        cd.read_disc_structure(&structure, None),
        SenseTriple::new(0x5, 0x30, 0x02), // CANNOT READ MEDIUM - INCOMPATIBLE FORMAT
    );
}

#[test]
fn closing_a_session_on_a_blank_disc_is_a_sequence_error_and_closing_track_ff_is_harmless() {
    let mut cd = blank_80();
    expect_sense(
        close(&mut cd, &CLOSE_SESSION),
        triples::COMMAND_SEQUENCE_ERROR,
    );
    close(&mut cd, &CLOSE_TRACK).expect("nothing open: nothing to do");
    assert_eq!(invisible_track(&cd), BLANK_80_INVISIBLE_TRACK);
    // Close function 110b (finalize, BD-R) is not a CD function.
    let e = expect_sense(
        close(&mut cd, &[0x5B, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0]),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(e.sks, field_pointer(true, 2, Some(2)));
}

#[test]
fn the_default_write_parameters_page_is_tao_bufe_mode_1_finalizing() {
    let cd = blank_80();
    let page = cd.write_parameters().expect("CD-R has page 05h");
    let sense = ModeParameters::with_page(ModePage::WriteParameters(page)).to_bytes();
    let mut expected = vec![
        0x00, 0x3A, // mode data length: 6 + 52
        0x00, 0x00, 0x00, 0x00, // medium type, device specific, reserved
        0x00, 0x00, // block descriptor length: none
        0x05, // page 05h, PS = 0
        0x32, // page length 50
        0x41, // BUFE | write type 1 (TAO)
        0x04, // multi-session 00b | track mode 4
        0x08, // data block type 8: Mode 1, 2048 bytes
        0x00, // link size
        0x00, 0x00, // reserved, host application code
        0x00, // session format 00h
        0x00, // reserved
        0x00, 0x00, 0x00, 0x00, // packet size
        0x00, 0x96, // audio pause length 150
    ];
    expected.resize(8 + 52, 0); // MCN, ISRC, sub-header
    assert_eq!(sense, expected);
}

#[test]
fn read_format_capacities_reports_the_blank_capacity_as_unformatted() {
    let cd = blank_80();
    let caps = cd.format_capacities();
    assert_eq!(caps.current.blocks, 359_847);
    assert_eq!(
        caps.current.descriptor_type,
        CapacityDescriptorType::Unformatted
    );
    assert_eq!(caps.current.block_length, 2048);
    assert!(caps.formattable.is_empty());
}
