//! The tray, an empty drive, ejecting with and without the medium-removal lock, event status
//! and mechanism status, power cycles and a vanished device.

use mmc_core::sense::{triples, SenseTriple};
use mmc_core::{DataPhase, Transport, TransportError};
use testkit::{
    command_fails, command_in, command_ok, ALLOW, EJECT, LOAD, PREVENT, TEST_UNIT_READY, TIMEOUT,
};
use virtdrive::EmulatedDrive;

/// A drive whose power-on unit attention has been seen.
fn drive() -> EmulatedDrive {
    let mut d = EmulatedDrive::default();
    command_fails(&mut d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    d
}

#[test]
fn the_tray_opens_and_closes_on_an_empty_drive() {
    let mut d = drive();
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
    command_ok(&mut d, &EJECT);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_OPEN,
    );
    command_ok(&mut d, &LOAD);
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
}

#[test]
fn eject_is_refused_while_removal_is_prevented() {
    let mut d = drive();
    command_ok(&mut d, &PREVENT);
    command_fails(&mut d, &EJECT, triples::MEDIUM_REMOVAL_PREVENTED);
    command_ok(&mut d, &ALLOW);
    command_ok(&mut d, &EJECT);
}

#[test]
fn event_status_reports_the_tray_and_needs_polled_mode() {
    let mut d = drive();
    command_ok(&mut d, &EJECT);
    let data = command_in(
        &mut d,
        &[
            0x4A, // GET EVENT STATUS NOTIFICATION
            0x01, // Polled
            0, 0,    //
            0x10, // class request: media
            0, 0, //
            0x00, 0x08, // allocation length 8
            0,
        ],
        8,
    );
    assert_eq!(data[2] & 0x07, 4, "notification class: media");
    assert_eq!(data[2] & 0x80, 0, "an event descriptor follows");
    assert_eq!(data[5] & 0x01, 0x01, "tray open");
    assert_eq!(data[5] & 0x02, 0x00, "no media present");
    let sks = command_fails(
        &mut d,
        &[0x4A, 0x00, 0, 0, 0x10, 0, 0, 0, 8, 0], // asynchronous mode is not supported
        triples::INVALID_FIELD_IN_CDB,
    );
    assert!(sks.is_some());
}

/// growisofs's first poll asks for every class, reserved bits 0 and 7 included (`4A 01 00 00
/// FF 00 00 00 08 00`), and keeps asking only for the classes the answer lists as supported.
/// MMC-6 6.6: a class the drive does not support is simply not reported.
#[test]
fn event_status_ignores_the_reserved_classes_of_an_all_events_request() {
    let mut d = drive();
    let data = command_in(
        &mut d,
        &[
            0x4A, // GET EVENT STATUS NOTIFICATION
            0x01, // Polled
            0, 0,    //
            0xFF, // class request: every bit, reserved ones too
            0, 0, //
            0x00, 0x08, // allocation length 8
            0,
        ],
        8,
    );
    assert_eq!(data[2] & 0x07, 4, "notification class: media");
    assert_eq!(data[3], 0x10, "supported classes: media only");
    // Only reserved classes: nothing the drive reports, so no event is available.
    let data = command_in(&mut d, &[0x4A, 0x01, 0, 0, 0x81, 0, 0, 0, 8, 0], 4);
    assert_eq!(data[2] & 0x80, 0x80, "NEA: no requested class is supported");
    assert_eq!(data[3], 0x10);
}

#[test]
fn mechanism_status_reports_the_door() {
    let mut d = drive();
    command_ok(&mut d, &EJECT);
    let data = command_in(&mut d, &[0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0], 8);
    assert_eq!(data[1] & 0x10, 0x10, "door open");
}

#[test]
fn get_configuration_without_a_disc_has_no_current_profile_but_lists_the_profiles() {
    let mut d = drive();
    let data = command_in(
        &mut d,
        &[
            0x46, // GET CONFIGURATION
            0x02, // RT = 10b: only the starting feature
            0x00, 0x00, // starting feature 0000h: Profile List
            0, 0, 0, //
            0x01, 0x00, // allocation length 256
            0,
        ],
        256,
    );
    assert_eq!(&data[6..8], &[0, 0], "current profile 0000h");
    assert_eq!(&data[8..10], &[0, 0], "feature 0000h");
    let n = usize::from(data[11]) / 4;
    let profiles: Vec<u16> = (0..n)
        .map(|i| u16::from_be_bytes([data[12 + 4 * i], data[13 + 4 * i]]))
        .collect();
    for p in [0x0009, 0x001A, 0x0043] {
        assert!(profiles.contains(&p), "profile {p:04X} in {profiles:04X?}");
    }
    assert!(
        (0..n).all(|i| data[14 + 4 * i] & 1 == 0),
        "no profile is current"
    );
}

#[test]
fn read_format_capacities_without_a_disc_says_no_media() {
    let mut d = drive();
    let data = command_in(&mut d, &[0x23, 0, 0, 0, 0, 0, 0, 0, 0xFC, 0], 252);
    assert_eq!(data[3], 8, "one current/maximum descriptor");
    assert_eq!(data[8] & 0x03, 0b11, "descriptor type: no media present");
}

#[test]
fn read_buffer_capacity_reports_an_empty_buffer() {
    let mut d = drive();
    let data = command_in(&mut d, &[0x5C, 0, 0, 0, 0, 0, 0, 0, 12, 0], 12);
    let size = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
    let free = u32::from_be_bytes([data[8], data[9], data[10], data[11]]);
    assert_eq!(size, 4 * 1024 * 1024, "the default 4 MiB buffer");
    assert_eq!(free, size);
}

#[test]
fn mode_sense_capabilities_page_reports_the_buffer_and_the_lock() {
    let mut d = drive();
    command_ok(&mut d, &PREVENT);
    let data = command_in(
        &mut d,
        &[0x5A, 0x08, 0x2A, 0, 0, 0, 0, 0x01, 0x00, 0], // MODE SENSE(10), DBD, page 2Ah
        256,
    );
    let page = &data[8..];
    assert_eq!(page[0] & 0x3F, 0x2A);
    assert_eq!(page[6] & 0x02, 0x02, "lock state: prevented");
    assert_eq!(
        u16::from_be_bytes([page[12], page[13]]),
        4096,
        "buffer size in KiB"
    );
    // page 05h does not exist without a disc that uses it
    command_fails(
        &mut d,
        &[0x5A, 0x08, 0x05, 0, 0, 0, 0, 0x01, 0x00, 0],
        triples::INVALID_FIELD_IN_CDB,
    );
}

#[test]
fn a_power_cycle_reports_power_on_reset_again() {
    let mut d = drive();
    command_fails(
        &mut d,
        &TEST_UNIT_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
    d.power_cycle();
    command_fails(&mut d, &TEST_UNIT_READY, SenseTriple::new(6, 0x29, 0));
}

#[test]
fn a_vanished_device_fails_every_command_at_the_transport() {
    let mut d = drive();
    d.vanish();
    let err = d
        .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
        .unwrap_err();
    assert_eq!(err, TransportError::DeviceGone);
}
