//! INQUIRY, TEST UNIT READY and REQUEST SENSE on an empty drive.

use mmc_core::sense::{triples, Sense, SenseFormat};
use testkit::{command_fails, command_in};
use virtdrive::{DriveConfig, DriveIdentity, EmulatedDrive};

#[test]
fn inquiry_reports_an_mmc_device_with_the_configured_strings() {
    let mut drive = EmulatedDrive::new(DriveConfig {
        identity: DriveIdentity {
            vendor: "ACME".into(),
            product: "BURNER 9000".into(),
            revision: "1.02".into(),
        },
        ..DriveConfig::default()
    });
    let data = command_in(
        &mut drive,
        &[
            0x12, // INQUIRY
            0x00, // EVPD = 0: standard data
            0x00, // page code
            0x00, 0x24, // allocation length 36
            0x00, // control
        ],
        36,
    );
    assert_eq!(data.len(), 36);
    assert_eq!(
        data[0], 0x05,
        "peripheral qualifier 0, device type 05h (CD/DVD)"
    );
    assert_eq!(data[1] & 0x80, 0x80, "removable medium");
    assert_eq!(data[4], 31, "additional length: 36 - 5");
    assert_eq!(&data[8..16], b"ACME    ");
    assert_eq!(&data[16..32], b"BURNER 9000     ");
    assert_eq!(&data[32..36], b"1.02");
}

#[test]
fn inquiry_is_cut_to_the_allocation_length() {
    let mut drive = EmulatedDrive::default();
    let data = command_in(
        &mut drive,
        &[0x12, 0, 0, 0x00, 0x05, 0], // allocation length 5
        96,
    );
    assert_eq!(data.len(), 5, "the rest of the 96-byte buffer is residual");
    assert_eq!(data[0], 0x05);
}

#[test]
fn vpd_pages_are_not_supported_yet() {
    let mut drive = EmulatedDrive::default();
    let sks = command_fails(
        &mut drive,
        &[0x12, 0x01, 0x80, 0, 0xFF, 0], // INQUIRY EVPD=1 page 80h
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(
        sks,
        Some(mmc_core::sense::SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: None,
            byte: 2
        })
    );
}

#[test]
fn an_empty_drive_reports_power_on_once_then_no_medium_with_its_tray_closed() {
    let mut drive = EmulatedDrive::default();
    command_fails(
        &mut drive,
        &[0x00, 0, 0, 0, 0, 0], // TEST UNIT READY
        triples::POWER_ON_RESET,
    );
    command_fails(
        &mut drive,
        &[0x00, 0, 0, 0, 0, 0], // TEST UNIT READY
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
    );
}

#[test]
fn request_sense_reports_the_unit_attention_then_the_current_condition() {
    let mut drive = EmulatedDrive::default();
    let ua = command_in(&mut drive, &[0x03, 0, 0, 0, 18, 0], 18);
    assert_eq!(
        (ua[2] & 0x0F, ua[12], ua[13]),
        (0x06, 0x29, 0x00),
        "POWER ON, RESET"
    );
    let fixed = command_in(
        &mut drive,
        &[
            0x03, // REQUEST SENSE
            0x00, // DESC = 0: fixed format
            0, 0, 0x12, // allocation length 18
            0,
        ],
        18,
    );
    assert_eq!(fixed[0], 0x70);
    assert_eq!(fixed[2] & 0x0F, 0x02, "NOT READY");
    assert_eq!((fixed[12], fixed[13]), (0x3A, 0x01));

    let desc = command_in(&mut drive, &[0x03, 0x01, 0, 0, 0xFC, 0], 252);
    let sense = Sense::parse(&desc).unwrap();
    assert_eq!(sense.format, SenseFormat::Descriptor);
    assert_eq!(
        sense.triple(),
        Some(triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED)
    );
}
