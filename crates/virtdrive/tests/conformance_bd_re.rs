//! BD-RE through the drive: READ FORMAT CAPACITIES of a disc sold unformatted, FORMAT UNIT
//! types 00h, 30h and 31h with the user capacity each gives, 02/04/04 with progress while
//! formatting, then WRITE (12) with the Streaming bit, 32-sector clusters and overwrites.
//! Figures: 12,219,392 sectors, 393,216 of them spares by default; MMC-6 FORMAT UNIT
//! format types 00h, 30h and 31h.

use std::time::Duration;

use mmc_core::sense::triples;
use testkit::sense::{CANNOT_READ_INCOMPATIBLE_FORMAT, MEDIUM_NOT_FORMATTED};
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// Without spare areas.
const ALL_SECTORS: u32 = 12_219_392;
/// Default spares: ISA0 4,096 + OSA 8,192 clusters of 32 sectors.
const DEFAULT_USER: u32 = 12_219_392 - 393_216;

/// A FORMAT UNIT parameter list with Immed: `blocks`, format type and sub-type byte,
/// and the type dependent parameter.
fn format_list(blocks: u32, type_and_subtype: u8, type_dependent: u32) -> [u8; 12] {
    testkit::format_list(
        blocks,
        type_and_subtype >> 2,
        type_and_subtype & 0x03,
        type_dependent,
    )
}

/// Format type 00h with the default spare areas (sub-type 00b: quick reformat).
fn full_format() -> [u8; 12] {
    format_list(DEFAULT_USER, 0x00 << 2, 12_288)
}

fn format(d: &mut EmulatedDrive, list: &[u8; 12]) -> Vec<u16> {
    command_out(d, &FORMAT_UNIT, list);
    wait_until_ready(d)
}

fn formatted_drive() -> EmulatedDrive {
    let mut d = drive_with(MediumKind::BdRe);
    format(&mut d, &full_format());
    d
}

#[test]
fn read_format_capacities_lists_the_formats_of_an_unformatted_disc() {
    let mut d = drive_with(MediumKind::BdRe);
    let data = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    let descriptor = |blocks: u32, byte4: u8, parameter: u32| {
        let mut v = blocks.to_be_bytes().to_vec();
        v.push(byte4);
        v.extend_from_slice(&parameter.to_be_bytes()[1..]);
        v
    };
    let mut expected = vec![0x00, 0x00, 0x00, 6 * 8]; // capacity list length
    for d in [
        descriptor(ALL_SECTORS, 0x01, 2048), // current: unformatted, block length 2048
        descriptor(DEFAULT_USER, 0x00 << 2, 0x3000), // 00h: 12,288 spare clusters
        descriptor(DEFAULT_USER, 0x30 << 2, 0x3000), // 30h: default spare
        descriptor(12_219_392 - 655_360, 0x30 << 2, 0x5000), // 30h: largest spare
        descriptor(12_219_392 - 131_072, 0x30 << 2, 0x1000), // 30h: ISA0 only
        descriptor(ALL_SECTORS, 0x31 << 2, 2048), // 31h: no spare areas, block length
    ] {
        expected.extend(d);
    }
    assert_eq!(data, expected);
}

#[test]
fn an_unformatted_bd_re_is_blank_and_cannot_be_read_or_written() {
    let mut d = drive_with(MediumKind::BdRe);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x10, "Erasable, empty, blank");
    // The drive's choice (INF): NOT READY, MEDIUM NOT FORMATTED.
    command_in_fails(&mut d, &read10(0, 1), 2048, MEDIUM_NOT_FORMATTED);
    command_out_fails(&mut d, &write10(0, 1), &blocks(0, 1), MEDIUM_NOT_FORMATTED);
}

#[test]
fn each_format_type_gives_its_user_capacity() {
    for (list, user) in [
        (full_format(), DEFAULT_USER),
        // 30h, sub-type 01b (no certification), the largest spare: 20,480 clusters.
        (
            format_list(12_219_392 - 655_360, (0x30 << 2) | 0b01, 0x5000),
            12_219_392 - 655_360,
        ),
        // 30h with ISA0 alone: the growisofs transcript's 12,088,320.
        (
            format_list(12_088_320, (0x30 << 2) | 0b01, 0x1000),
            12_088_320,
        ),
        // 31h: no spare areas, no defect management; the parameter is the block length.
        (format_list(ALL_SECTORS, 0x31 << 2, 2048), ALL_SECTORS),
    ] {
        let mut d = drive_with(MediumKind::BdRe);
        format(&mut d, &list);
        let capacity = command_in(&mut d, &READ_CAPACITY, 8);
        assert_eq!(be32(&capacity[0..4]), user - 1, "{:02X}h last LBA", list[8]);
        let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
        assert_eq!(be32(&formats[4..8]), user);
        assert_eq!(formats[8] & 0x03, 0b10, "current descriptor: formatted");
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(info[2], 0x1E, "Erasable, session complete, disc complete");
        let track = command_in(&mut d, &read_track_information(1), 48);
        assert_eq!(be32(&track[24..28]), user, "track size");
        assert_eq!(be32(&track[20..24]), 32, "blocking: 32-sector clusters");
    }
}

#[test]
fn formatting_is_format_in_progress_with_rising_progress_until_done() {
    let mut d = drive_with(MediumKind::BdRe);
    command_out(&mut d, &FORMAT_UNIT, &full_format());
    let first = fails_with(
        &mut d,
        &TEST_UNIT_READY,
        mmc_core::DataPhase::None,
        triples::FORMAT_IN_PROGRESS,
    )
    .progress();
    d.advance(Duration::from_secs(5));
    // Commands that need the medium wait; REQUEST SENSE reports the same, with progress.
    let read = command_in_fails(&mut d, &read10(0, 1), 2048, triples::FORMAT_IN_PROGRESS);
    command_out_fails(
        &mut d,
        &write12(0, 32, true),
        &blocks(0, 32),
        triples::FORMAT_IN_PROGRESS,
    );
    command_in_fails(&mut d, &READ_CAPACITY, 8, triples::FORMAT_IN_PROGRESS);
    let (triple, sks) = request_sense(&mut d);
    assert_eq!(triple, triples::FORMAT_IN_PROGRESS);
    assert!(
        read.progress() > first,
        "{} then {}",
        first,
        read.progress()
    );
    assert!(
        matches!(sks, Some(mmc_core::sense::SenseKeySpecific::Progress(p)) if p >= read.progress())
    );
    // Identification does not wait.
    assert_eq!(command_in(&mut d, &[0x12, 0, 0, 0, 36, 0], 36)[0], 0x05);
    let later = wait_until_ready(&mut d);
    assert!(later.windows(2).all(|w| w[0] <= w[1]), "{later:?}");
    assert!(*later.last().unwrap() > read.progress());
    command_ok(&mut d, &TEST_UNIT_READY);
}

#[test]
fn write_12_with_streaming_after_formatting_reads_back_with_read_12() {
    let mut d = formatted_drive();
    let data = blocks(0x20, 64);
    command_out(&mut d, &write12(3_200, 64, true), &data);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(command_in(&mut d, &read12(3_200, 64), 64 * 2048), data);
    let verify = [
        0x2F, // VERIFY (10)
        0x02, // BytChk = 1
        0x00, 0x00, 0x0C, 0x80, // LBA 3,200
        0x00, //
        0x00, 0x40, // 64 blocks
        0x00,
    ];
    command_out(&mut d, &verify, &data);
    command_ok(
        &mut d,
        &[0x2F, 0x00, 0x00, 0x00, 0x0C, 0x80, 0x00, 0x00, 0x40, 0x00],
    );
    // The fabricated TOC: track 1 from 0, the lead-out at the user capacity.
    let toc = command_in(
        &mut d,
        &[0x43, 0x00, 0x00, 0, 0, 0, 0x01, 0x00, 0xFF, 0x00],
        255,
    );
    assert_eq!(&toc[2..4], &[1, 1]);
    assert_eq!(be32(&toc[8..12]), 0);
    assert_eq!(toc[14], 0xAA);
    assert_eq!(be32(&toc[16..20]), DEFAULT_USER);
    // And the last cluster of the user area.
    let last = blocks(0x90, 32);
    command_out(
        &mut d,
        &write12((DEFAULT_USER - 32) as i32, 32, false),
        &last,
    );
    assert_eq!(read_blocks(&mut d, (DEFAULT_USER - 32) as i32, 32), last);
}

#[test]
fn a_write_past_the_user_area_is_lba_out_of_range() {
    let mut d = formatted_drive();
    command_out_fails(
        &mut d,
        &write10(DEFAULT_USER as i32, 1),
        &blocks(0, 1),
        triples::LBA_OUT_OF_RANGE,
    );
    command_out_fails(
        &mut d,
        &write10((DEFAULT_USER - 1) as i32, 2),
        &blocks(0, 2),
        triples::LBA_OUT_OF_RANGE,
    );
}

#[test]
fn a_partial_cluster_write_keeps_its_neighbours_and_overwrites_in_place() {
    let mut d = formatted_drive();
    let whole = write_blocks(&mut d, 64, 32, 0x40);
    let part = write_blocks(&mut d, 70, 2, 0x01);
    let mut expected = whole;
    expected[6 * 2048..8 * 2048].copy_from_slice(&part);
    assert_eq!(read_blocks(&mut d, 64, 32), expected);
    let again = write_blocks(&mut d, 64, 32, 0xC0);
    assert_eq!(read_blocks(&mut d, 64, 32), again);
}

#[test]
fn a_new_format_starts_the_disc_blank() {
    let mut d = formatted_drive();
    write_blocks(&mut d, 0, 32, 0x55);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    format(&mut d, &format_list(ALL_SECTORS, 0x31 << 2, 2048));
    assert_eq!(read_blocks(&mut d, 0, 1), vec![0u8; 2048]);
}

#[test]
fn a_spare_smaller_than_isa0_is_an_invalid_parameter() {
    let mut d = drive_with(MediumKind::BdRe);
    let f = command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &format_list(12_088_320 + 32, (0x30 << 2) | 0b01, 0x0FFF),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 4);
}

#[test]
fn close_track_and_session_flush_and_finalizing_functions_are_invalid() {
    let mut d = formatted_drive();
    write_blocks(&mut d, 0, 32, 1);
    for function in [0x01, 0x02] {
        command_ok_long(&mut d, &[0x5B, 0x00, function, 0, 0, 0x01, 0, 0, 0, 0]);
    }
    let f = command_fails(
        &mut d,
        &[0x5B, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0], // 110b: finalize (BD-R)
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(
        f,
        Some(mmc_core::sense::SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(2),
            byte: 2
        })
    );
}

#[test]
fn read_disc_structure_answers_bd_write_protection_but_not_dvd_structures() {
    let mut d = formatted_drive();
    let c0 = command_in(
        &mut d,
        &[
            0xAD, // READ DISC STRUCTURE
            0x01, // media type 1: BD
            0, 0, 0, 0, 0x00, //
            0xC0, // write protection status
            0x00, 0x08, 0x00, 0x00,
        ],
        8,
    );
    assert_eq!(c0, [0x00, 0x06, 0, 0, 0x00, 0, 0, 0]);
    command_in_fails(
        &mut d,
        &[0xAD, 0x00, 0, 0, 0, 0, 0, 0x00, 0x08, 0x04, 0, 0], // DVD physical format
        2052,
        CANNOT_READ_INCOMPATIBLE_FORMAT,
    );
}
