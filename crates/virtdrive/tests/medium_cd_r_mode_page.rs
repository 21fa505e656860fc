//! MODE SELECT of the Write Parameters page (05h) on a CD-R: what is accepted, and the
//! field pointer of what is refused (counted in the MODE SELECT(10) parameter list: 8-byte
//! header, then the page).

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::params::{DataBlockType, MultiSession, WriteType};
use mmc_core::sense::triples;
use virtdrive::medium::Medium;

/// Changes page byte `byte` of a TAO 11b list, sends it, expects 05/26/00 at list byte
/// `8 + byte` (bit `bit`).
#[track_caller]
fn refused(byte: usize, value: u8, bit: Option<u8>) {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b11, true);
    list[8 + byte] = value;
    let e = expect_sense(
        mode_select(&mut cd, &list),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_eq!(e.sks, field_pointer(false, 8 + byte as u16, bit));
    // The page in force did not change.
    assert_eq!(
        cd.write_parameters(),
        Some(virtdrive::medium::cd_r::CdR::default_write_parameters())
    );
}

#[test]
fn tao_with_multisession_11b_is_accepted_and_reported() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b11, true);
    list[8] = 0x85; // PS set, as a host echoing MODE SENSE data may send it
    mode_select(&mut cd, &list).unwrap();
    let page = cd.write_parameters().unwrap();
    assert_eq!(page.write_type, WriteType::TrackAtOnce);
    assert_eq!(page.multi_session, MultiSession::NextSessionAllowed);
    assert_eq!(page.data_block_type, DataBlockType::Mode1);
    assert!(page.bufe);
    assert!(!page.ps, "PS is reserved in MODE SELECT and not kept");
}

#[test]
fn bufe_off_is_accepted_and_reported_for_the_buffer_model() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b00, true);
    list[10] = 0x01; // BUFE = 0, TAO
    mode_select(&mut cd, &list).unwrap();
    assert!(!cd.write_parameters().unwrap().bufe);
}

#[test]
fn packet_raw_and_layer_jump_write_types_are_refused() {
    for write_type in [0x40, 0x43, 0x44, 0x4F] {
        // Byte 2: BUFE | write type; the pointer names bit 3, the top of the field.
        refused(2, write_type, Some(3));
    }
}

#[test]
fn test_write_is_accepted_and_reported() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b11, true);
    list[8 + 2] = 0x51; // BUFE | Test Write | TAO
    mode_select(&mut cd, &list).unwrap();
    assert!(cd.write_parameters().unwrap().test_write);
}

#[test]
fn multisession_10b_is_reserved() {
    refused(3, 0x84, Some(7)); // multi-session 10b | track mode 4
}

#[test]
fn tao_needs_a_data_track_mode_and_a_2048_byte_data_block_type() {
    refused(3, 0xC0, Some(3)); // track mode 0: audio
    refused(3, 0xC5, Some(3)); // track mode 5: data, incremental
    for block_type in [0x00, 0x01, 0x09, 0x0B, 0x0C, 0x0D] {
        refused(4, block_type, Some(3));
    }
}

#[test]
fn an_unknown_session_format_is_refused() {
    refused(8, 0x30, None);
}

#[test]
fn a_page_length_other_than_the_drives_is_refused() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b11, true);
    list[9] = 0x36; // page length 36h: 4 vendor bytes more
    list.extend([0, 0, 0, 0]);
    let e = expect_sense(
        mode_select(&mut cd, &list),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_eq!(e.sks, field_pointer(false, 9, None));
}

#[test]
fn sao_ignores_track_mode_and_data_block_type() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x02, 0b00, true);
    list[11] = 0x00; // track mode 0
    list[12] = 0x00; // data block type 0
    mode_select(&mut cd, &list).unwrap();
    assert_eq!(
        cd.write_parameters().unwrap().write_type,
        WriteType::SessionAtOnce
    );
}

#[test]
fn a_copy_permitted_track_mode_reaches_the_toc_control() {
    let mut cd = blank_80();
    let mut list = cd_write_parameters(0x01, 0b00, true);
    list[11] = 0x06; // multi-session 00b | track mode 6: data, digital copy permitted
    mode_select(&mut cd, &list).unwrap();
    fill(&mut cd, 0, 300).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let toc = read_toc(&cd, &[0x43, 0, 0, 0, 0, 0, 0, 0x00, 0x0C, 0]).unwrap();
    assert_eq!(toc[5], 0x16, "ADR 1, CONTROL 6");
}
