//! DVD-RW through the drive, in raw CDBs: the two profiles (0014h Sequential recording,
//! 0013h Restricted Overwrite) and their features (MMC-6 5.3: 0021h, 002Ch, 002Fh), the
//! Erasable bit (MMC-6 6.22.3.1.3), BLANK 000b, 001b and 110b with progress on the virtual
//! clock (MMC-6 6.2), FORMAT UNIT 10h, 15h and 13h (MMC-6 6.5.4.2.5, .10, .8), writing in
//! whole 32 KiB blocks in Restricted Overwrite (feature 002Ch), the way back to Sequential
//! recording, the saved disc and power losses while formatting or blanking.

use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{DataPhase, Transport};
use testkit::close_function::{CLOSE_SESSION, CLOSE_TRACK};
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

const SECTORS: u32 = 2_298_496;
const FIRST_BORDER: u32 = 16_384;
const FULL_FORMAT: u8 = 0x10;
const QUICK_GROW: u8 = 0x13;
const QUICK: u8 = 0x15;
const BLANK_DISC: u8 = 0b000;
const BLANK_MINIMAL: u8 = 0b001;
const BLANK_SESSION: u8 = 0b110;
const INVALID_FIELD_IN_PARAMETER_LIST: SenseTriple = SenseTriple::new(0x5, 0x26, 0x00);

/// BLANK with Immed and `blanking_type`.
fn blank(blanking_type: u8) -> [u8; 12] {
    [
        0xA1,                 // BLANK
        0x10 | blanking_type, // Immed, blanking type
        0,
        0,
        0,
        0, // start address / track number
        0,
        0,
        0,
        0,
        0,
        0x00,
    ]
}

/// BLANK with Immed; returns the progress values polled once a virtual second.
fn blank_and_wait(d: &mut EmulatedDrive, blanking_type: u8) -> Vec<u16> {
    command_ok(d, &blank(blanking_type));
    wait_until_ready(d)
}

/// FORMAT UNIT (Immed) of `blocks` with `format_type` and the ECC block size as type
/// dependent parameter; returns the progress values polled once a virtual second.
fn format_and_wait(d: &mut EmulatedDrive, blocks: u32, format_type: u8) -> Vec<u16> {
    command_out(d, &FORMAT_UNIT, &format_list(blocks, format_type, 0, 16));
    wait_until_ready(d)
}

fn current_profile(d: &mut EmulatedDrive) -> u16 {
    let config = command_in(d, &[0x46, 0x02, 0, 0, 0, 0, 0, 0x00, 0x08, 0x00], 8);
    be16(&config[6..8])
}

/// GET CONFIGURATION of one feature: (listed, current, byte 4).
fn feature(d: &mut EmulatedDrive, code: u16) -> (bool, bool, u8) {
    let [c0, c1] = code.to_be_bytes();
    let config = command_in(d, &[0x46, 0x02, c0, c1, 0, 0, 0, 0x00, 0x20, 0x00], 32);
    if be32(&config[0..4]) < 8 || be16(&config[8..10]) != code {
        return (false, false, 0);
    }
    (true, config[10] & 1 == 1, config[12])
}

/// The profile list: (profile, current).
fn profiles(d: &mut EmulatedDrive) -> Vec<(u16, bool)> {
    let list = command_in(d, &[0x46, 0x02, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00], 256);
    list[12..12 + usize::from(list[11])]
        .chunks(4)
        .map(|p| (be16(&p[0..2]), p[2] & 1 == 1))
        .collect()
}

/// READ DISC INFORMATION: (Disc Status, State of Last Session, Erasable).
fn disc_status(d: &mut EmulatedDrive) -> (u8, u8, bool) {
    let info = command_in(d, &READ_DISC_INFORMATION, 34);
    (info[2] & 0x03, (info[2] >> 2) & 0x03, info[2] & 0x10 != 0)
}

/// READ FORMAT CAPACITIES: the current descriptor (blocks, type) and the formattable
/// descriptors (blocks, format type).
fn format_capacities(d: &mut EmulatedDrive) -> ((u32, u8), Vec<(u32, u8)>) {
    let caps = command_in(d, &READ_FORMAT_CAPACITIES, 252);
    let end = 4 + usize::from(caps[3]);
    let current = (be32(&caps[4..8]), caps[8] & 0x03);
    let formattable = caps[12..end]
        .chunks(8)
        .map(|c| (be32(&c[0..4]), c[4] >> 2))
        .collect();
    (current, formattable)
}

fn last_lba(d: &mut EmulatedDrive) -> u32 {
    be32(&command_in(d, &READ_CAPACITY, 8)[0..4])
}

/// Page 05h: Incremental, Multi-session 11b, as libburn sends it for multi-session DVD-RW.
fn select_incremental(d: &mut EmulatedDrive) {
    let list = cd_write_parameters(INCREMENTAL, NEXT_SESSION_ALLOWED, true);
    command_out(d, &mode_select(&list), &list);
}

/// Records one incremental session of `n` sectors at `lba`.
fn record_session(d: &mut EmulatedDrive, lba: u32, n: u16, seed: u8) -> Vec<u8> {
    let data = write_blocks(d, lba as i32, n, seed);
    command_ok(d, &SYNCHRONIZE_CACHE);
    command_ok_long(d, &close(CLOSE_TRACK, 0xFF));
    command_ok_long(d, &close(CLOSE_SESSION, 0));
    data
}

/// The next writable address of the invisible track.
fn next_writable(d: &mut EmulatedDrive) -> u32 {
    be32(&command_in(d, &read_track_information(0xFF), 48)[12..16])
}

#[test]
fn a_blank_dvd_rw_is_sequential_0014h_erasable_with_0013h_listed() {
    let mut d = drive_with(MediumKind::DvdRw);
    assert_eq!(current_profile(&mut d), 0x0014);
    let listed = profiles(&mut d);
    assert!(listed.contains(&(0x0014, true)), "{listed:?}");
    assert!(listed.contains(&(0x0013, false)), "{listed:?}");
    assert_eq!(disc_status(&mut d), (0b00, 0b00, true), "blank, erasable");
    let (_, incremental, _) = feature(&mut d, 0x0021);
    assert!(incremental, "Incremental Streaming Writable current");
    let (_, dao, flags) = feature(&mut d, 0x002F);
    assert!(dao, "DVD-R/-RW Write current");
    assert_eq!(flags & 0x02, 0x02, "DVD-RW bit");
    let (listed, current, _) = feature(&mut d, 0x002C);
    assert!(
        listed && !current,
        "Rigid Restricted Overwrite listed, not current"
    );
    let (_, formattable, _) = feature(&mut d, 0x0023);
    assert!(formattable, "Formattable current");
    let (current, formats) = format_capacities(&mut d);
    assert_eq!(current, (SECTORS, 0b01), "unformatted or blank");
    assert_eq!(
        formats,
        vec![(SECTORS, 0x00), (SECTORS, FULL_FORMAT), (SECTORS, QUICK)]
    );
    let pfi = command_in(
        &mut d,
        &[0xAD, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00],
        2052,
    );
    assert_eq!(pfi[4] >> 4, 0x3, "book type DVD-RW");
}

#[test]
fn incremental_sessions_are_recorded_as_on_dvd_r() {
    let mut d = drive_with(MediumKind::DvdRw);
    select_incremental(&mut d);
    let first = record_session(&mut d, 0, 20, 1);
    assert_eq!(disc_status(&mut d), (0b01, 0b00, true), "appendable");
    let second_start = 32 + FIRST_BORDER;
    assert_eq!(next_writable(&mut d), second_start);
    let second = record_session(&mut d, second_start, 16, 2);
    assert_eq!(read_blocks(&mut d, 0, 20), first);
    assert_eq!(read_blocks(&mut d, second_start as i32, 16), second);
}

#[test]
fn a_minimal_blank_leaves_a_blank_disc_in_about_a_minute() {
    let mut d = drive_with(MediumKind::DvdRw);
    select_incremental(&mut d);
    record_session(&mut d, 0, 16, 1);
    let progress = blank_and_wait(&mut d, BLANK_MINIMAL);
    assert_rising(&progress);
    assert!(
        (30..=120).contains(&progress.len()),
        "about a minute: {} s",
        progress.len()
    );
    assert_eq!(disc_status(&mut d), (0b00, 0b00, true), "blank");
    assert_eq!(current_profile(&mut d), 0x0014);
    assert_eq!(next_writable(&mut d), 0);
    command_in_fails(&mut d, &read10(0, 1), 2048, triples::LBA_OUT_OF_RANGE);
}

#[test]
fn a_full_blank_takes_tens_of_minutes_with_its_progress_rising() {
    let mut d = drive_with(MediumKind::DvdRw);
    select_incremental(&mut d);
    record_session(&mut d, 0, 16, 1);
    command_ok(&mut d, &blank(BLANK_DISC));
    let (triple, sks) = request_sense(&mut d);
    assert_eq!(triple, triples::OPERATION_IN_PROGRESS);
    assert!(sks.is_some(), "with progress");
    let progress = wait_until_ready(&mut d);
    assert_rising(&progress);
    let minutes = progress.len() / 60;
    assert!((15..=45).contains(&minutes), "{minutes} minutes");
    assert_eq!(disc_status(&mut d), (0b00, 0b00, true), "blank");
    // Blanked fully, the disc records incremental sessions again.
    select_incremental(&mut d);
    let data = record_session(&mut d, 0, 16, 3);
    assert_eq!(read_blocks(&mut d, 0, 16), data);
}

#[test]
fn blanking_the_last_session_leaves_the_first() {
    let mut d = drive_with(MediumKind::DvdRw);
    select_incremental(&mut d);
    let first = record_session(&mut d, 0, 16, 1);
    let second_start = 16 + FIRST_BORDER;
    record_session(&mut d, second_start, 16, 2);
    let progress = blank_and_wait(&mut d, BLANK_SESSION);
    assert!(!progress.is_empty(), "the session takes time to erase");
    assert_eq!(disc_status(&mut d), (0b01, 0b00, true), "appendable");
    assert_eq!(
        next_writable(&mut d),
        second_start,
        "session 2 can be written again"
    );
    assert_eq!(read_blocks(&mut d, 0, 16), first);
    command_in_fails(
        &mut d,
        &read10(second_start, 1),
        2048,
        triples::LBA_OUT_OF_RANGE,
    );
    blank_and_wait(&mut d, BLANK_SESSION);
    assert_eq!(disc_status(&mut d), (0b00, 0b00, true), "blank");
    command_fails(
        &mut d,
        &blank(BLANK_SESSION),
        triples::COMMAND_SEQUENCE_ERROR,
    );
}

#[test]
fn other_blanking_types_are_invalid_fields() {
    let mut d = drive_with(MediumKind::DvdRw);
    for blanking_type in [0b010, 0b011, 0b100, 0b101] {
        let f = fails_with(
            &mut d,
            &blank(blanking_type),
            DataPhase::None,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 1);
    }
}

#[test]
fn a_quick_format_gives_an_intermediate_restricted_overwrite_disc_closed_by_close_session() {
    let mut d = drive_with(MediumKind::DvdRw);
    select_incremental(&mut d);
    record_session(&mut d, 0, 16, 1);
    let progress = format_and_wait(&mut d, 0, QUICK);
    assert_rising(&progress);
    assert_eq!(current_profile(&mut d), 0x0013, "Restricted Overwrite");
    let (_, current, flags) = feature(&mut d, 0x002C);
    assert!(current, "Rigid Restricted Overwrite current");
    assert_eq!(flags & 0x03, 0x03, "Blank and Intermediate");
    let (_, incremental, _) = feature(&mut d, 0x0021);
    assert!(
        !incremental,
        "no incremental streaming in Restricted Overwrite"
    );
    assert_eq!(
        disc_status(&mut d),
        (0b10, 0b11, true),
        "complete, erasable"
    );
    let (current, formats) = format_capacities(&mut d);
    assert_eq!(current.1, 0b11, "intermediate: unknown capacity");
    assert!(formats.iter().all(|&(_, t)| t != QUICK_GROW), "{formats:?}");

    // The session grows by sequential writing from LBA 0; the old data is gone.
    let data = write_blocks(&mut d, 0, 64, 7);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
    let (current, formats) = format_capacities(&mut d);
    assert_eq!(current, (64, 0b10), "formatted up to the lead-out");
    assert!(formats.contains(&(SECTORS - 64, QUICK_GROW)), "{formats:?}");
    assert_eq!(last_lba(&mut d), 63);
    assert_eq!(read_blocks(&mut d, 0, 64), data);
}

#[test]
fn a_full_format_formats_the_whole_disc_in_tens_of_minutes() {
    let mut d = drive_with(MediumKind::DvdRw);
    let progress = format_and_wait(&mut d, SECTORS, FULL_FORMAT);
    assert_rising(&progress);
    assert!((15..=45).contains(&(progress.len() / 60)));
    assert_eq!(current_profile(&mut d), 0x0013);
    assert_eq!(disc_status(&mut d), (0b10, 0b11, true));
    let (current, formats) = format_capacities(&mut d);
    assert_eq!(current, (SECTORS, 0b10));
    assert_eq!(
        formats,
        vec![
            (SECTORS, 0x00),
            (SECTORS, FULL_FORMAT),
            (0, QUICK_GROW),
            (SECTORS, QUICK)
        ],
        "nothing left to grow"
    );
    assert_eq!(last_lba(&mut d), SECTORS - 1);
    let track = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(be32(&track[24..28]), SECTORS, "one track over the disc");
    assert_eq!(track[6] & 0x30, 0x30, "Packet/Inc and FP: fixed packets");
    assert_eq!(be32(&track[20..24]), 16, "of one ECC block");
    assert_eq!(
        read_blocks(&mut d, 1000, 1),
        vec![0; 2048],
        "reads as zeros"
    );
}

#[test]
fn restricted_overwrite_writes_whole_32_kib_blocks_anywhere() {
    let mut d = drive_with(MediumKind::DvdRw);
    format_and_wait(&mut d, SECTORS, FULL_FORMAT);
    write_blocks(&mut d, 320, 16, 1);
    let again = write_blocks(&mut d, 320, 16, 2);
    let far = write_blocks(&mut d, 2_000_000, 32, 3);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(read_blocks(&mut d, 320, 16), again, "overwritten");
    assert_eq!(read_blocks(&mut d, 2_000_000, 32), far);

    let f = fails_with(
        &mut d,
        &write10(328, 16),
        DataPhase::Out(&blocks(4, 16)),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    assert_eq!(f.information, Some(328), "not on a 16-sector boundary");
    let f = fails_with(
        &mut d,
        &write10(336, 8),
        DataPhase::Out(&blocks(4, 8)),
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_cdb_field(f, 7);
    assert_eq!(
        read_blocks(&mut d, 320, 16),
        again,
        "the refused writes changed nothing"
    );
}

#[test]
fn quick_grow_reopens_a_partly_formatted_session() {
    let mut d = drive_with(MediumKind::DvdRw);
    format_and_wait(&mut d, 1024, FULL_FORMAT);
    let (current, formats) = format_capacities(&mut d);
    assert_eq!(current, (1024, 0b10), "partly formatted");
    assert!(formats.contains(&(SECTORS - 1024, QUICK_GROW)));
    let kept = write_blocks(&mut d, 0, 16, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_out_fails(
        &mut d,
        &write10(1024, 16),
        &blocks(2, 16),
        triples::LBA_OUT_OF_RANGE,
    );

    format_and_wait(&mut d, 0, QUICK_GROW);
    assert_eq!(format_capacities(&mut d).0 .1, 0b11, "intermediate again");
    let grown = write_blocks(&mut d, 1024, 16, 2);
    command_out_fails(
        &mut d,
        &write10(2048, 16),
        &blocks(3, 16),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
    assert_eq!(format_capacities(&mut d).0, (1040, 0b10));
    assert_eq!(
        read_blocks(&mut d, 0, 16),
        kept,
        "quick grow keeps the data"
    );
    assert_eq!(read_blocks(&mut d, 1024, 16), grown);
}

#[test]
fn a_full_blank_brings_restricted_overwrite_back_to_sequential_recording() {
    let mut d = drive_with(MediumKind::DvdRw);
    format_and_wait(&mut d, 0, QUICK);
    write_blocks(&mut d, 0, 16, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    blank_and_wait(&mut d, BLANK_DISC);
    assert_eq!(current_profile(&mut d), 0x0014);
    assert_eq!(disc_status(&mut d), (0b00, 0b00, true));
    command_in_fails(&mut d, &read10(0, 1), 2048, triples::LBA_OUT_OF_RANGE);
    select_incremental(&mut d);
    let data = record_session(&mut d, 0, 16, 2);
    assert_eq!(read_blocks(&mut d, 0, 16), data);
    assert_eq!(next_writable(&mut d), 16 + FIRST_BORDER);
}

#[test]
fn format_unit_refuses_what_a_dvd_rw_has_not() {
    let mut d = drive_with(MediumKind::DvdRw);
    let refused = |d: &mut EmulatedDrive, list: [u8; 12], byte: u16| {
        let f = fails_with(
            d,
            &FORMAT_UNIT,
            DataPhase::Out(&list),
            INVALID_FIELD_IN_PARAMETER_LIST,
        );
        assert_parameter_field(f, byte);
    };
    refused(&mut d, format_list(0, QUICK_GROW, 0, 16), 8);
    refused(&mut d, format_list(SECTORS, 0x26, 0, 0), 8);
    refused(&mut d, format_list(0, FULL_FORMAT, 0, 16), 4);
    refused(&mut d, format_list(SECTORS + 16, FULL_FORMAT, 0, 16), 4);
    refused(&mut d, format_list(SECTORS, FULL_FORMAT, 0, 0x800), 9);
    refused(&mut d, format_list(SECTORS, 0x00, 0, 0x200), 9);
    assert_eq!(current_profile(&mut d), 0x0014, "still sequential");
}

#[test]
fn medium_access_waits_for_a_running_format() {
    let mut d = drive_with(MediumKind::DvdRw);
    command_out(
        &mut d,
        &FORMAT_UNIT,
        &format_list(SECTORS, FULL_FORMAT, 0, 16),
    );
    d.advance(Duration::from_secs(60));
    let f = command_in_fails(&mut d, &read10(0, 1), 2048, triples::FORMAT_IN_PROGRESS);
    assert!(f.progress() > 0);
    command_fails(&mut d, &blank(BLANK_DISC), triples::FORMAT_IN_PROGRESS);
}

/// A power cycle, then the drive spun up again with its attentions taken.
fn power_cycle(d: &mut EmulatedDrive) {
    d.power_cycle();
    command_fails(d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    d.advance(Duration::from_secs(60));
    for _ in 0..4 {
        let c = d
            .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .unwrap();
        if c.sense_triple().is_none() {
            return;
        }
    }
    panic!("the drive did not become ready");
}

#[test]
fn a_power_loss_while_formatting_leaves_an_intermediate_disc_to_format_again() {
    let mut d = drive_with(MediumKind::DvdRw);
    select_incremental(&mut d);
    record_session(&mut d, 0, 16, 1);
    command_out(
        &mut d,
        &FORMAT_UNIT,
        &format_list(SECTORS, FULL_FORMAT, 0, 16),
    );
    d.advance(Duration::from_secs(120));
    power_cycle(&mut d);
    assert_eq!(current_profile(&mut d), 0x0013);
    assert_eq!(format_capacities(&mut d).0 .1, 0b11, "intermediate");
    assert_eq!(last_lba(&mut d), 0);
    format_and_wait(&mut d, SECTORS, FULL_FORMAT);
    assert_eq!(format_capacities(&mut d).0, (SECTORS, 0b10));
}

#[test]
fn a_power_loss_while_blanking_leaves_a_blank_disc() {
    let mut d = drive_with(MediumKind::DvdRw);
    format_and_wait(&mut d, SECTORS, FULL_FORMAT);
    write_blocks(&mut d, 0, 16, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok(&mut d, &blank(BLANK_DISC));
    d.advance(Duration::from_secs(300));
    power_cycle(&mut d);
    assert_eq!(current_profile(&mut d), 0x0014);
    assert_eq!(disc_status(&mut d), (0b00, 0b00, true));
}

fn open(path: &std::path::Path) -> DiscFileDrive {
    DiscFileDrive::open(MediumKind::DvdRw, path, DriveConfig::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `cdb` on a disc file drive, waiting out what it starts.
fn file_command(d: &mut DiscFileDrive, cdb: &[u8], data: DataPhase<'_>) {
    let c = d
        .execute(cdb, data, Duration::from_secs(7200))
        .expect("the command completes");
    assert_eq!(
        c.status,
        mmc_core::ScsiStatus::Good,
        "CDB {cdb:02X?}: {c:?}"
    );
}

#[test]
fn a_disc_file_keeps_the_mode_and_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rw.disc");
    let data = blocks(5, 32);
    {
        let mut d = open(&path);
        // Without Immed: FORMAT UNIT returns when the quick format is done.
        let mut list = format_list(0, QUICK, 0, 16);
        list[1] &= !0x02;
        file_command(&mut d, &FORMAT_UNIT, DataPhase::Out(&list));
        file_command(&mut d, &write10(0, 32), DataPhase::Out(&data));
        file_command(&mut d, &SYNCHRONIZE_CACHE, DataPhase::None);
        file_command(&mut d, &close(CLOSE_SESSION, 0), DataPhase::None);
    }
    let mut d = open(&path);
    let mut config = vec![0u8; 8];
    file_command(
        &mut d,
        &[0x46, 0x02, 0, 0, 0, 0, 0, 0x00, 0x08, 0x00],
        DataPhase::In(&mut config),
    );
    assert_eq!(be16(&config[6..8]), 0x0013, "still Restricted Overwrite");
    let mut back = vec![0u8; 32 * 2048];
    file_command(&mut d, &read10(0, 32), DataPhase::In(&mut back));
    assert!(back == data, "the data is there");
    let mut caps = vec![0u8; 12];
    file_command(&mut d, &READ_FORMAT_CAPACITIES, DataPhase::In(&mut caps));
    assert_eq!((be32(&caps[4..8]), caps[8] & 3), (32, 0b10));

    // Blanked, the file holds a blank sequential disc.
    let mut blank_cdb = blank(BLANK_MINIMAL);
    blank_cdb[1] &= !0x10;
    file_command(&mut d, &blank_cdb, DataPhase::None);
    drop(d);
    let mut d = open(&path);
    let mut info = vec![0u8; 34];
    file_command(&mut d, &READ_DISC_INFORMATION, DataPhase::In(&mut info));
    assert_eq!(info[2] & 0x13, 0x10, "blank and erasable");
}

#[test]
fn a_saved_state_of_another_medium_or_a_bad_size_is_refused() {
    use virtdrive::medium;
    use virtdrive::store::MemoryStore;
    let dvd_r = drive_with(MediumKind::DvdR).medium().unwrap().save_state();
    assert!(medium::load(MediumKind::DvdRw, &dvd_r, Box::new(MemoryStore::new())).is_err());
    let state = serde_json::json!({
        "medium": "dvd-rw", "version": 1, "mode": "restricted-overwrite",
        "area": "formatted", "size": 100, "written": []
    });
    let e = medium::load(MediumKind::DvdRw, &state, Box::new(MemoryStore::new())).unwrap_err();
    assert!(e.to_string().contains("size 100"), "{e}");
}
