//! The conditions of issue item 3 as a host meets them through raw CDBs: no disc with the
//! tray open or closed, becoming ready and the one medium-change attention, power-on reset,
//! write protection, upside-down and incompatible discs, format and long write in progress,
//! CD buffer underrun, an unsupported speed, a host timeout, and the device vanishing.
//! Exclusive access has its own file (exclusive_access.rs). Senses: what drives report for
//! each (SPC-5 and MMC-6 sense tables).

use std::time::Duration;

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{DataPhase, Transport, TransportError};
use testkit::*;
use virtdrive::fault::DriveCondition;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscCondition, DriveConfig, EmulatedDrive};

const SEND_OPC: [u8; 10] = [
    0x54, // SEND OPC INFORMATION
    0x01, // DoOpc = 1: calibrate now
    0x00, 0, 0, 0, 0, //
    0x00, 0x00, // parameter list length 0
    0x00,
];

fn current_profile(d: &mut EmulatedDrive) -> u16 {
    let reply = command_in(
        d,
        &[0x46, 0x02, 0x00, 0x00, 0, 0, 0, 0x00, 0x08, 0x00], // RT 10b, header only
        8,
    );
    be16(&reply[6..8])
}

#[test]
fn an_empty_drive_is_medium_not_present_with_the_tray_closed_or_open() {
    let mut d = EmulatedDrive::new(DriveConfig::default());
    command_fails(&mut d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
    command_in_fails(
        &mut d,
        &READ_CAPACITY,
        8,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
    d.open_tray();
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_OPEN,
    );
    command_in_fails(
        &mut d,
        &READ_DISC_INFORMATION,
        34,
        triples::MEDIUM_NOT_PRESENT_TRAY_OPEN,
    );
    assert_eq!(
        request_sense(&mut d).0,
        triples::MEDIUM_NOT_PRESENT_TRAY_OPEN
    );
    // GET CONFIGURATION still answers: no current profile.
    assert_eq!(current_profile(&mut d), 0x0000);
}

#[test]
fn a_plan_can_take_the_disc_out_or_open_the_tray() {
    let mut d = drive_with(MediumKind::CdR80);
    d.enter_condition(&DriveCondition::NoMedium);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
    let mut d = drive_with(MediumKind::CdR80);
    d.enter_condition(&DriveCondition::Eject);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_OPEN,
    );
}

#[test]
fn an_inserted_disc_becomes_ready_then_reports_exactly_one_medium_change() {
    let mut d = EmulatedDrive::new(DriveConfig {
        becoming_ready: Duration::from_secs(5),
        ..DriveConfig::default()
    });
    command_fails(&mut d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    d.insert(blank_disc(MediumKind::DvdPlusRw));
    for _ in 0..4 {
        command_fails(&mut d, &TEST_UNIT_READY, triples::BECOMING_READY);
        command_in_fails(&mut d, &READ_CAPACITY, 8, triples::BECOMING_READY);
        assert_eq!(current_profile(&mut d), 0x0000, "not recognised yet");
        d.advance(Duration::from_secs(1));
    }
    d.advance(Duration::from_secs(1));
    // INQUIRY and GET CONFIGURATION run without reporting the attention (SPC-4, MMC-6).
    assert_eq!(command_in(&mut d, &[0x12, 0, 0, 0, 36, 0], 36)[0], 0x05);
    assert_eq!(current_profile(&mut d), 0x001A);
    command_fails(&mut d, &TEST_UNIT_READY, triples::MEDIUM_MAY_HAVE_CHANGED);
    command_ok(&mut d, &TEST_UNIT_READY);
    command_ok(&mut d, &TEST_UNIT_READY);
}

#[test]
fn the_medium_change_attention_is_reported_to_the_first_command_whatever_it_is() {
    let mut d = drive_with(MediumKind::CdR80);
    d.enter_condition(&DriveCondition::BecomingReady {
        duration: Duration::from_secs(3),
    });
    command_in_fails(&mut d, &READ_DISC_INFORMATION, 34, triples::BECOMING_READY);
    d.advance(Duration::from_secs(3));
    command_in_fails(
        &mut d,
        &READ_DISC_INFORMATION,
        34,
        triples::MEDIUM_MAY_HAVE_CHANGED,
    );
    assert_eq!(command_in(&mut d, &READ_DISC_INFORMATION, 34)[2], 0x00);
}

#[test]
fn a_power_cycle_reports_power_on_reset_once_and_keeps_what_was_synchronized() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    let kept = write_blocks(&mut d, 0, 300, 0x0A);
    command_ok(&mut d, &SYNCHRONIZE_CACHE); // closes track 1
    write_blocks(&mut d, 452, 32, 0x0B); // track 2, never synchronized
    d.power_cycle();
    command_fails(&mut d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    // The disc spins up again; the power-on attention is not repeated.
    let mut senses = Vec::new();
    for _ in 0..10 {
        let c = d
            .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .unwrap();
        match c.sense_triple() {
            None => break,
            Some(t) => senses.push(t),
        }
        d.advance(Duration::from_secs(1));
    }
    assert!(!senses.contains(&triples::POWER_ON_RESET), "{senses:?}");
    assert_eq!(read_blocks(&mut d, 0, 300), kept);
    // Track 2 was lost with the cache: its next writable address is back at its start.
    let t = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(t[2], 2);
    assert_eq!(be32(&t[12..16]), 452);
    // Page 05h was reset to the drive's defaults (Multi-session 00b).
    let page = command_in(
        &mut d,
        &[0x5A, 0x08, 0x05, 0, 0, 0, 0, 0x00, 0xFF, 0x00],
        255,
    );
    assert_eq!(page[8 + 3] >> 6, 0b00);
}

#[test]
fn a_plan_can_cause_a_power_on_reset_attention() {
    let mut d = drive_with(MediumKind::BdRe);
    d.enter_condition(&DriveCondition::PowerOnReset);
    command_fails(&mut d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    command_ok(&mut d, &TEST_UNIT_READY);
}

#[test]
fn write_protected_cd_r_refuses_every_recording_command() {
    let mut d = drive_with(MediumKind::CdR80);
    d.set_write_protected(true);
    command_out_fails(
        &mut d,
        &write10(0, 1),
        &blocks(0, 1),
        triples::WRITE_PROTECTED,
    );
    command_out_fails(
        &mut d,
        &write12(0, 1, false),
        &blocks(0, 1),
        triples::WRITE_PROTECTED,
    );
    command_fails(
        &mut d,
        &[0x5B, 0x00, 0x01, 0, 0x00, 0xFF, 0, 0, 0, 0], // CLOSE TRACK FFh
        triples::WRITE_PROTECTED,
    );
    command_fails(
        &mut d,
        &[0x5B, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0], // CLOSE SESSION
        triples::WRITE_PROTECTED,
    );
    command_fails(
        &mut d,
        &[0x53, 0x00, 0, 0, 0, 0x00, 0x00, 0x01, 0x2C, 0x00], // RESERVE TRACK 300
        triples::WRITE_PROTECTED,
    );
    command_out_fails(
        &mut d,
        &[0x5D, 0, 0, 0, 0, 0, 0x00, 0x00, 0x08, 0x00], // SEND CUE SHEET, 8 bytes
        &[0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00],
        triples::WRITE_PROTECTED,
    );
    // Reading the disc's state still works, and the protection can be lifted.
    command_in(&mut d, &READ_DISC_INFORMATION, 34);
    d.set_write_protected(false);
    write_blocks(&mut d, 0, 1, 0);
}

#[test]
fn write_protected_rewritables_refuse_format_and_write_and_say_so() {
    for kind in [MediumKind::DvdPlusRw, MediumKind::BdRe] {
        let mut d = drive_with(kind);
        d.enter_condition(&DriveCondition::WriteProtect);
        command_out_fails(
            &mut d,
            &[0x04, 0x11, 0, 0, 0, 0], // FORMAT UNIT
            &[
                0x00, 0x82, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x98, 0x00, 0x00, 0x00,
            ],
            triples::WRITE_PROTECTED,
        );
        command_out_fails(
            &mut d,
            &write12(0, 32, true),
            &blocks(0, 32),
            triples::WRITE_PROTECTED,
        );
        let feature = command_in(
            &mut d,
            &[0x46, 0x02, 0x00, 0x04, 0, 0, 0, 0x00, 0x10, 0x00], // RT 10b: feature 0004h
            16,
        );
        assert_eq!(be16(&feature[8..10]), 0x0004);
        assert_eq!(
            feature[10] & 0x01,
            0x01,
            "{kind:?}: Write Protect is current"
        );
    }
}

#[test]
fn an_upside_down_disc_is_no_reference_position_found_on_medium_access() {
    let mut d = drive_with(MediumKind::CdR80);
    d.set_disc_condition(DiscCondition::UpsideDown);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::NO_REFERENCE_POSITION_FOUND,
    );
    command_in_fails(
        &mut d,
        &READ_DISC_INFORMATION,
        34,
        triples::NO_REFERENCE_POSITION_FOUND,
    );
    command_in_fails(
        &mut d,
        &read10(0, 1),
        2048,
        triples::NO_REFERENCE_POSITION_FOUND,
    );
    command_out_fails(
        &mut d,
        &write10(0, 1),
        &blocks(0, 1),
        triples::NO_REFERENCE_POSITION_FOUND,
    );
    assert_eq!(current_profile(&mut d), 0x0000, "no current profile");
    // Turned over, the disc is usable again.
    d.set_disc_condition(DiscCondition::Normal);
    command_ok(&mut d, &TEST_UNIT_READY);
    assert_eq!(current_profile(&mut d), 0x0009);
}

#[test]
fn an_incompatible_disc_is_not_ready_with_asc_30h() {
    for ascq in [0x00, 0x02] {
        let mut d = drive_with(MediumKind::DvdPlusRw);
        d.set_disc_condition(DiscCondition::Incompatible { ascq });
        let expected = SenseTriple::new(0x2, 0x30, ascq);
        command_fails(&mut d, &TEST_UNIT_READY, expected);
        command_in_fails(&mut d, &READ_CAPACITY, 8, expected);
        assert_eq!(current_profile(&mut d), 0x0000);
    }
    let mut d = drive_with(MediumKind::BdRe);
    d.enter_condition(&DriveCondition::Incompatible { ascq: 0x05 });
    command_fails(&mut d, &TEST_UNIT_READY, SenseTriple::new(0x2, 0x30, 0x05));
}

#[test]
fn a_bd_re_format_is_format_in_progress_with_progress() {
    let mut d = drive_with(MediumKind::BdRe);
    command_out(
        &mut d,
        &[0x04, 0x11, 0, 0, 0, 0],
        &[
            0x00, 0x82, 0x00, 0x08, // FOV, Immed
            0x00, 0xB4, 0x74, 0x00, // 11,826,176 blocks
            0x00, 0x00, 0x30, 0x00, // type 00h, 12,288 spare clusters
        ],
    );
    let a = fails_with(
        &mut d,
        &TEST_UNIT_READY,
        DataPhase::None,
        triples::FORMAT_IN_PROGRESS,
    );
    d.advance(Duration::from_secs(10));
    let b = fails_with(
        &mut d,
        &TEST_UNIT_READY,
        DataPhase::None,
        triples::FORMAT_IN_PROGRESS,
    );
    assert!(b.progress() > a.progress());
    d.advance(Duration::from_secs(20));
    command_ok(&mut d, &TEST_UNIT_READY);
}

#[test]
fn synchronize_cache_with_immed_is_a_long_write_in_progress_until_the_clock_passes() {
    let mut d = drive_with(MediumKind::CdR80);
    command_ok(&mut d, &set_cd_speed(706)); // 4x
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    let mut written = Vec::new();
    for i in 0..32 {
        written.extend(write_blocks(&mut d, i * 64, 64, i as u8));
    }
    command_ok(&mut d, &SYNCHRONIZE_CACHE_IMMED);
    let first = fails_with(
        &mut d,
        &TEST_UNIT_READY,
        DataPhase::None,
        triples::LONG_WRITE_IN_PROGRESS,
    );
    command_in_fails(&mut d, &read10(0, 1), 2048, triples::LONG_WRITE_IN_PROGRESS);
    let (triple, _) = request_sense(&mut d);
    assert_eq!(triple, triples::LONG_WRITE_IN_PROGRESS);
    let progress = wait_until_ready(&mut d);
    assert!(
        progress.len() >= 4,
        "4 MiB at 4x take about 6 s: {progress:?}"
    );
    assert!(progress[0] >= first.progress());
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    assert_eq!(read_blocks(&mut d, 0, 2048), written);
}

#[test]
fn close_session_with_immed_is_a_long_write_in_progress_too() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    write_blocks(&mut d, 0, 300, 1);
    command_ok(&mut d, &[0x5B, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0]); // CLOSE SESSION, Immed
    command_fails(&mut d, &TEST_UNIT_READY, triples::LONG_WRITE_IN_PROGRESS);
    assert!(!wait_until_ready(&mut d).is_empty());
    assert_eq!(
        command_in(&mut d, &READ_DISC_INFORMATION, 34)[2],
        0x01,
        "appendable"
    );
}

/// Writes 32 blocks at 0, waits `pause` of virtual time, writes the next 32 at 32.
fn write_pause_write(d: &mut EmulatedDrive, pause: Duration) -> Result<(), SenseTriple> {
    write_blocks(d, 0, 32, 1);
    d.advance(pause);
    let data = blocks(2, 32);
    let c = d
        .execute(&write10(32, 32), DataPhase::Out(&data), TIMEOUT)
        .unwrap();
    c.sense_triple().map_or(Ok(()), Err)
}

#[test]
fn a_cd_r_buffer_that_runs_dry_without_bufe_is_loss_of_streaming() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, false);
    // 64 KiB drain in milliseconds at 48x; the host comes back a second later.
    assert_eq!(
        write_pause_write(&mut d, Duration::from_secs(1)),
        Err(triples::LOSS_OF_STREAMING)
    );
}

#[test]
fn buffer_underrun_free_recording_survives_the_same_pause() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    assert_eq!(write_pause_write(&mut d, Duration::from_secs(1)), Ok(()));
}

#[test]
fn a_host_that_keeps_up_has_no_underrun_without_bufe() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, false);
    assert_eq!(write_pause_write(&mut d, Duration::from_millis(1)), Ok(()));
}

#[test]
fn a_speed_the_disc_cannot_calibrate_is_a_power_calibration_area_error() {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    d.set_max_calibrated_speed(Some(4234)); // 24x; the drive starts at 48x
    command_fails(&mut d, &SEND_OPC, triples::POWER_CALIBRATION_AREA_ERROR);
    command_out_fails(
        &mut d,
        &write10(0, 32),
        &blocks(0, 32),
        triples::POWER_CALIBRATION_AREA_ERROR,
    );
    command_ok(&mut d, &set_cd_speed(4234));
    command_ok(&mut d, &SEND_OPC);
    write_blocks(&mut d, 0, 32, 0);
}

#[test]
fn a_command_longer_than_the_host_timeout_times_out_and_the_drive_stays_consistent() {
    let mut d = drive_with(MediumKind::CdR80);
    command_ok(&mut d, &set_cd_speed(706)); // 4x
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    let mut written = Vec::new();
    for i in 0..32 {
        written.extend(write_blocks(&mut d, i * 64, 64, i as u8));
    }
    // 4 MiB in the buffer take about 6 s at 4x; the host waits 1 s.
    let err = d
        .execute(&SYNCHRONIZE_CACHE, DataPhase::None, Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(err, TransportError::Timeout);
    // The drive finished the flush: ready, no sense pending, the data and the closed track
    // are there.
    command_ok(&mut d, &TEST_UNIT_READY);
    assert_eq!(request_sense(&mut d).0, triples::NO_SENSE);
    assert_eq!(read_blocks(&mut d, 0, 2048), written);
    let next = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(next[2], 2, "track 1 closed by the flush");
    assert_eq!(be32(&next[12..16]), 2048 + 2 + 150);
}

#[test]
fn a_vanished_device_fails_every_command_at_the_transport() {
    let mut d = drive_with(MediumKind::CdR80);
    write_blocks(&mut d, 0, 16, 0);
    d.vanish();
    let data = blocks(1, 16);
    for (cdb, phase) in [
        (&TEST_UNIT_READY[..], DataPhase::None),
        (&write10(16, 16)[..], DataPhase::Out(&data)),
        (&[0x12, 0, 0, 0, 36, 0][..], DataPhase::None),
    ] {
        assert_eq!(
            d.execute(cdb, phase, TIMEOUT).unwrap_err(),
            TransportError::DeviceGone
        );
    }
}
