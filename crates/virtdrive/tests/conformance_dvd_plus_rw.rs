//! DVD+RW through the drive: the blank disc, FORMAT UNIT 26h and its background format on
//! the virtual clock, writes during it, partial ECC blocks, CLOSE compatible (010b) and
//! quick (000b), restart, overwrite, and the disc structures. Figures: MMC-6 FORMAT UNIT
//! format type 26h (DVD+RW basic format) and the DVD+RW capacity of 2,295,104 sectors.

use std::time::Duration;

use mmc_core::sense::triples;
use mmc_core::CdbBytes;
use testkit::sense::CANNOT_READ_INCOMPATIBLE_FORMAT;
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

const SECTORS: u32 = 2_295_104;
/// 2.4x, the background format's rate in the drive's speed model, in bytes per second.
const DE_ICING_BYTES_PER_SECOND: u64 = 3_324_000;

/// CLOSE TRACK/SESSION with Immed and `function`: 000b quick stop, 010b compatible close.
fn close_immed(function: u8) -> CdbBytes {
    close_track_session(function, 0, true)
}

fn formatting_drive() -> EmulatedDrive {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    command_out(&mut d, &FORMAT_UNIT, &dvd_plus_rw_basic_format(false));
    d
}

fn bg_format_status(d: &mut EmulatedDrive) -> u8 {
    command_in(d, &READ_DISC_INFORMATION, 34)[7] & 0x03
}

fn last_lba(d: &mut EmulatedDrive) -> u32 {
    be32(&command_in(d, &READ_CAPACITY, 8)[0..4])
}

/// The last LBA of the readable area after `seconds` of background format, rounded up to
/// a 16-sector ECC block.
fn formatted_last_lba(seconds: u64) -> u32 {
    let sectors = seconds * DE_ICING_BYTES_PER_SECOND / 2048;
    (sectors.div_ceil(16) * 16 - 1) as u32
}

#[test]
fn a_blank_dvd_plus_rw_is_erasable_blank_and_unformatted() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(info[2], 0x10, "Erasable, last session empty, disc blank");
    assert_eq!(info[7] & 0x03, 0, "BG format status 0: not formatted");
    assert_eq!(
        command_in(&mut d, &READ_FORMAT_CAPACITIES, 252),
        [
            0x00, 0x00, 0x00, 0x10, // capacity list length: 2 descriptors
            0x00, 0x23, 0x05, 0x40, // 2,295,104 blocks
            0x01, // descriptor type 01b: unformatted
            0x00, 0x08, 0x00, // block length 2048
            0x00, 0x23, 0x05, 0x40, // 2,295,104 blocks
            0x98, // format type 26h: DVD+RW basic format
            0x00, 0x00, 0x00, // type dependent parameter
        ]
    );
}

#[test]
fn format_26h_runs_in_the_background_and_completes_on_the_virtual_clock() {
    let mut d = formatting_drive();
    // The disc can be used at once: no 02/04/04 for a DVD+RW background format.
    command_ok(&mut d, &TEST_UNIT_READY);
    assert_eq!(bg_format_status(&mut d), 2, "in progress");
    assert_eq!(
        last_lba(&mut d),
        SECTORS - 1,
        "the whole disc is addressable"
    );
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(formats[8] & 0x03, 0b10, "current descriptor: formatted");
    d.advance(Duration::from_secs(60));
    assert_eq!(
        bg_format_status(&mut d),
        2,
        "still formatting after a minute"
    );
    // 2,295,104 sectors at 2.4x take about 23.6 minutes.
    d.advance(Duration::from_secs(23 * 60));
    assert_eq!(bg_format_status(&mut d), 3, "complete");
}

#[test]
fn writes_during_the_background_format_read_back() {
    let mut d = formatting_drive();
    let start = write_blocks(&mut d, 0, 16, 0x10);
    let far = write_blocks(&mut d, 2_000_000, 32, 0x50);
    assert_eq!(bg_format_status(&mut d), 2);
    assert_eq!(read_blocks(&mut d, 0, 16), start);
    assert_eq!(read_blocks(&mut d, 2_000_000, 32), far);
    assert_eq!(
        read_blocks(&mut d, 1_000_000, 1),
        vec![0u8; 2048],
        "neither written nor lost"
    );
}

#[test]
fn a_partial_ecc_block_write_keeps_its_neighbours() {
    let mut d = formatting_drive();
    let whole = write_blocks(&mut d, 32, 16, 0xA0);
    let part = write_blocks(&mut d, 37, 3, 0x01);
    let mut expected = whole.clone();
    expected[5 * 2048..8 * 2048].copy_from_slice(&part);
    assert_eq!(read_blocks(&mut d, 32, 16), expected);
    // A write across two ECC blocks keeps both sides too.
    let across = write_blocks(&mut d, 46, 4, 0x11);
    expected[14 * 2048..].copy_from_slice(&across[..2 * 2048]);
    assert_eq!(read_blocks(&mut d, 32, 16), expected);
    assert_eq!(read_blocks(&mut d, 48, 2), across[2 * 2048..]);
}

#[test]
fn a_later_write_overwrites() {
    let mut d = formatting_drive();
    write_blocks(&mut d, 64, 16, 0x01);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    let second = write_blocks(&mut d, 64, 16, 0x80);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(read_blocks(&mut d, 64, 16), second);
}

#[test]
fn close_010b_stops_the_format_compatibly_with_the_lead_out_after_the_data() {
    let mut d = formatting_drive();
    let data = write_blocks(&mut d, 100_000, 16, 0x42);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok(&mut d, &close_immed(0x02));
    // De-icing up to the data and writing the lead-out take time: a long write with
    // rising progress, then GOOD.
    command_fails(&mut d, &TEST_UNIT_READY, triples::LONG_WRITE_IN_PROGRESS);
    let progress = wait_until_ready(&mut d);
    assert!(progress.len() > 1);
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(bg_format_status(&mut d), 1, "started, not complete");
    assert_eq!(
        last_lba(&mut d),
        100_015,
        "readable up to the last written block"
    );
    let toc = command_in(
        &mut d,
        &[0x43, 0x00, 0x00, 0, 0, 0, 0x01, 0x00, 0xFF, 0x00], // READ TOC format 0
        255,
    );
    assert_eq!(
        &toc[16..20],
        &100_016u32.to_be_bytes(),
        "lead-out after the data"
    );
    assert_eq!(read_blocks(&mut d, 100_000, 16), data);
}

#[test]
fn close_000b_quick_stops_and_a_restart_resumes_where_it_stopped() {
    let mut d = formatting_drive();
    d.advance(Duration::from_secs(60));
    command_ok(&mut d, &close_immed(0x00));
    wait_until_ready(&mut d);
    assert_eq!(bg_format_status(&mut d), 1);
    let after_one_minute = last_lba(&mut d);
    let expected = formatted_last_lba(60);
    assert!(
        after_one_minute.abs_diff(expected) <= 16,
        "{after_one_minute} vs {expected}: a minute at 2.4x"
    );
    // Restart (type dependent bit 0) goes on from there.
    command_out(&mut d, &FORMAT_UNIT, &dvd_plus_rw_basic_format(true));
    assert_eq!(bg_format_status(&mut d), 2);
    d.advance(Duration::from_secs(60));
    command_ok(&mut d, &close_immed(0x00));
    wait_until_ready(&mut d);
    let after_two_minutes = last_lba(&mut d);
    assert!(
        after_two_minutes.abs_diff(formatted_last_lba(120)) <= 32,
        "{after_two_minutes}: resumed, not restarted from 0"
    );
}

#[test]
fn close_on_a_fully_formatted_disc_is_harmless() {
    let mut d = formatting_drive();
    d.advance(Duration::from_secs(30 * 60));
    command_ok_long(&mut d, &[0x5B, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0]); // 010b, no Immed
    assert_eq!(bg_format_status(&mut d), 3);
    assert_eq!(last_lba(&mut d), SECTORS - 1);
}

#[test]
fn a_restart_on_a_disc_never_formatted_is_an_invalid_parameter() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    let f = command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &dvd_plus_rw_basic_format(true),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 11);
}

#[test]
fn a_format_type_other_than_26h_is_an_invalid_parameter() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    let f = command_out_fails(
        &mut d,
        &FORMAT_UNIT,
        &[
            0x00, 0x82, 0x00, 0x08, //
            0x00, 0x23, 0x05, 0x40, // 2,295,104 blocks
            0x00, // format type 00h: full format
            0x00, 0x08, 0x00, // block length
        ],
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8);
}

#[test]
fn the_single_track_spans_the_disc_in_ecc_blocks_of_16() {
    let mut d = formatting_drive();
    let t = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!((t[2], t[3]), (1, 1), "track 1, session 1");
    assert_eq!(t[6] & 0x40, 0, "not blank once formatting started");
    assert_eq!(be32(&t[8..12]), 0, "track start");
    assert_eq!(be32(&t[20..24]), 16, "fixed packet size: the ECC block");
    assert_eq!(be32(&t[24..28]), SECTORS, "track size");
}

#[test]
fn read_disc_structure_gives_the_dvd_plus_rw_physical_format() {
    let mut d = formatting_drive();
    let data = command_in(
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
    assert_eq!(be16(&data[0..2]), 2050, "data length: 2048 + 2");
    assert_eq!(data[4], 0x91, "book type 9 (DVD+RW), part version 1");
    assert_eq!(data[5] & 0xF0, 0x00, "120 mm disc");
    assert_eq!(data[6] & 0x0F, 0b0100, "one layer, rewritable");
    assert_eq!(
        be32(&data[8..12]),
        0x03_0000,
        "data area starts at PSN 30000h"
    );
    assert_eq!(
        be32(&data[12..16]),
        0x03_0000 + SECTORS - 1,
        "and ends with the disc"
    );
    // BD structures of a DVD do not exist.
    command_in_fails(
        &mut d,
        &[0xAD, 0x01, 0, 0, 0, 0, 0, 0x00, 0x08, 0x04, 0, 0],
        2052,
        CANNOT_READ_INCOMPATIBLE_FORMAT,
    );
}

#[test]
fn write_protection_status_follows_the_disc() {
    let c0 = [
        0xAD, // READ DISC STRUCTURE
        0x00, 0, 0, 0, 0, 0x00, //
        0xC0, // format C0h: write protection status
        0x00, 0x08, // allocation length 8
        0x00, 0x00,
    ];
    let mut d = drive_with(MediumKind::DvdPlusRw);
    assert_eq!(
        command_in(&mut d, &c0, 8),
        [0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        "no protection"
    );
    d.set_write_protected(true);
    let data = command_in(&mut d, &c0, 8);
    assert_ne!(
        data[4] & 0x0F,
        0,
        "MSWI, CWP, PWP or SWPP set: {:02X}",
        data[4]
    );
}

/// Page 05h is the drive's: MODE SENSE reports it on a DVD+RW as on every writable disc
/// (MMC-6 7.5), and MODE SELECT takes the DVD write types, which do not steer DVD+RW
/// recording; CD-only write types and Test Write are refused.
#[test]
fn page_05h_is_reported_on_a_dvd_plus_rw_and_takes_dvd_write_types() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    let sensed = command_in(&mut d, &mode_sense_page_05h(0xFF), 0xFF);
    assert_eq!(sensed.len(), 0x3C, "header and a 34h-byte page");
    assert_eq!(sensed[8] & 0x3F, 0x05);
    assert_eq!(sensed[9], 0x32);
    assert_eq!(sensed[10], 0x40, "BUFE = 1, Write Type 00h: Incremental");

    let list = growisofs_write_parameters(&sensed, INCREMENTAL, FINALIZE, 7);
    command_out(&mut d, &mode_select(&list), &list);
    let cd = cd_write_parameters(TAO, FINALIZE, true);
    let f = command_out_fails(
        &mut d,
        &mode_select(&cd),
        &cd,
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
    assert_parameter_field(f, 8 + 2);

    // Writing works as before.
    command_out(&mut d, &FORMAT_UNIT, &dvd_plus_rw_basic_format(false));
    let data = write_blocks(&mut d, 0, 16, 0x1A);
    assert_eq!(read_blocks(&mut d, 0, 16), data);
}

#[test]
fn cue_sheets_and_track_reservations_do_not_apply() {
    let mut d = formatting_drive();
    command_out_fails(
        &mut d,
        &[0x5D, 0, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00], // SEND CUE SHEET of 8 bytes
        &[0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00],
        triples::COMMAND_SEQUENCE_ERROR,
    );
    command_fails(
        &mut d,
        &[0x53, 0x00, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0x00], // RESERVE TRACK 256 blocks
        triples::COMMAND_SEQUENCE_ERROR,
    );
}
