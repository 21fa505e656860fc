//! Write protection cause by cause, a damaged session and a reader drive, as a host meets
//! them through raw CDBs: READ DISC STRUCTURE format C0h (MMC-6 6.23) says which causes are
//! in force, format 30h returns a DVD+RW's write-inhibit DCB, each cause refuses WRITE with
//! its own sense (SPC-5 ASC 27h); a damaged open session is state 10b with a Damage track; a
//! reader lists no recording feature and does not know WRITE.

use mmc_core::sense::{triples, SenseTriple};
use testkit::*;
use virtdrive::fault::DriveCondition;
use virtdrive::medium::MediumKind;
use virtdrive::{DriveClass, DriveConfig, EmulatedDrive, WriteProtection};

/// READ DISC STRUCTURE, media type `media`, format `format`, address `address`, 8 bytes.
fn disc_structure(media: u8, format: u8, address: u32, alloc: u8) -> [u8; 12] {
    let a = address.to_be_bytes();
    [
        0xAD,  // READ DISC STRUCTURE
        media, // media type (0 DVD, 1 BD)
        a[0], a[1], a[2], a[3],   // address
        0,      // layer
        format, // format code
        0, alloc, // allocation length
        0, 0,
    ]
}

#[test]
fn format_c0h_reports_each_cause_in_its_bit() {
    let none = WriteProtection::default();
    // (causes, byte 4 of format C0h: MSWI bit 3, CWP 2, PWP 1, SWPP 0)
    let rows = [
        (none, 0x00),
        (WriteProtection::MEDIA_SPECIFIC, 0x08),
        (
            WriteProtection {
                cartridge: true,
                ..none
            },
            0x04,
        ),
        (
            WriteProtection {
                persistent: true,
                ..none
            },
            0x02,
        ),
        (
            WriteProtection {
                until_power_down: true,
                ..none
            },
            0x01,
        ),
        (
            WriteProtection {
                disc_control_block: true,
                ..none
            },
            0x08,
        ),
    ];
    for (kind, media) in [(MediumKind::DvdPlusRw, 0), (MediumKind::BdR, 1)] {
        for (causes, bits) in rows {
            let mut d = drive_with(kind);
            d.enter_condition(&DriveCondition::WriteProtection(causes));
            let reply = command_in(&mut d, &disc_structure(media, 0xC0, 0, 8), 8);
            assert_eq!(reply[4] & 0x0F, bits, "{kind:?} {causes:?}");
        }
    }
}

#[test]
fn each_cause_refuses_write_with_its_sense() {
    let none = WriteProtection::default();
    for (causes, ascq) in [
        (
            WriteProtection {
                cartridge: true,
                ..none
            },
            0x01,
        ),
        (
            WriteProtection {
                until_power_down: true,
                ..none
            },
            0x02,
        ),
        (
            WriteProtection {
                persistent: true,
                ..none
            },
            0x04,
        ),
        (
            WriteProtection {
                disc_control_block: true,
                ..none
            },
            0x00,
        ),
    ] {
        let mut d = drive_with(MediumKind::DvdPlusRw);
        d.set_write_protection(causes);
        command_out_fails(
            &mut d,
            &write10(0, 16),
            &blocks(0, 16),
            SenseTriple::new(0x07, 0x27, ascq),
        );
    }
}

#[test]
fn software_write_protection_lasts_until_power_down() {
    let mut d = drive_with(MediumKind::BdRe);
    d.set_write_protection(WriteProtection {
        until_power_down: true,
        cartridge: true,
        ..WriteProtection::default()
    });
    d.power_cycle();
    assert_eq!(
        d.write_protection(),
        WriteProtection {
            cartridge: true,
            ..WriteProtection::default()
        }
    );
}

#[test]
fn a_dvd_plus_rw_write_inhibit_dcb_is_read_back_by_its_content_descriptor() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    // No DCB recorded: the address names none.
    command_in_fails(
        &mut d,
        &disc_structure(0, 0x30, 0x5744_4300, 8),
        8,
        triples::INVALID_FIELD_IN_CDB,
    );
    d.set_write_protection(WriteProtection {
        disc_control_block: true,
        ..WriteProtection::default()
    });
    let dcb = command_in(&mut d, &disc_structure(0, 0x30, 0x5744_4300, 8), 8);
    assert_eq!(
        &dcb[4..8],
        b"WDC\0",
        "the Write Inhibit DCB's content descriptor"
    );
    // FFFFFFFFh: the list of the DCBs recorded.
    let list = command_in(&mut d, &disc_structure(0, 0x30, u32::MAX, 8), 8);
    assert_eq!(&list[4..8], b"WDC\0");
}

#[test]
fn a_damaged_open_session_is_state_10b_with_a_damaged_track() {
    let mut d = drive_with(MediumKind::DvdPlusR);
    // An open session: 16 sectors written, the track not closed.
    command_out(&mut d, &write10(0, 16), &blocks(1, 16));
    command_ok_long(&mut d, &synchronize_cache(false));
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!((info[2] >> 2) & 0x03, 0b01, "incomplete session");
    d.enter_condition(&DriveCondition::DamagedSession);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!((info[2] >> 2) & 0x03, 0b10, "damaged session");
    let track = command_in(&mut d, &read_track_information(1), 48);
    assert_eq!(track[5] & 0x20, 0x20, "Damage");
    assert_eq!(track[7] & 0x01, 0x00, "NWA_V clear");
    command_out_fails(
        &mut d,
        &write10(16, 16),
        &blocks(2, 16),
        triples::INVALID_ADDRESS_FOR_WRITE,
    );
    // A disc without an open session is not damaged by the condition.
    let mut d = drive_with(MediumKind::DvdPlusR);
    d.enter_condition(&DriveCondition::DamagedSession);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!((info[2] >> 2) & 0x03, 0b00, "empty session");
}

#[test]
fn a_reader_lists_no_recording_feature_and_does_not_know_write() {
    let config = DriveConfig {
        class: DriveClass::Reader,
        ..DriveConfig::default()
    };
    let mut d = EmulatedDrive::with_medium(config, blank_disc(MediumKind::DvdPlusR));
    // GET CONFIGURATION, all features.
    let all = command_in(&mut d, &[0x46, 0x00, 0, 0, 0, 0, 0, 0x10, 0x00, 0x00], 4096);
    assert_eq!(be16(&all[6..8]), 0x0010, "a DVD+R reads as DVD-ROM");
    let mut at = 8;
    while at + 4 <= all.len() {
        let code = be16(&all[at..at + 2]);
        let len = usize::from(all[at + 3]);
        assert!(
            ![0x0020, 0x0021, 0x0023, 0x0024, 0x002D, 0x002E, 0x0041].contains(&code),
            "feature {code:04X}h records"
        );
        if code == 0x002B || code == 0x002A {
            assert_eq!(all[at + 4] & 0x01, 0, "feature {code:04X}h: Write clear");
        }
        at += 4 + len;
    }
    command_out_fails(
        &mut d,
        &write10(0, 16),
        &blocks(0, 16),
        triples::INVALID_COMMAND_OPERATION_CODE,
    );
}
