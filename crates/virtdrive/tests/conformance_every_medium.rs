//! The commands every disc answers the same way: TEST UNIT READY, REQUEST SENSE, INQUIRY,
//! GET EVENT STATUS NOTIFICATION, MECHANISM STATUS, START STOP UNIT, PREVENT ALLOW MEDIUM
//! REMOVAL, READ CAPACITY, the Read/Write Error Recovery mode page, and the senses of unknown opcodes and invalid fields, on each
//! medium the drive can hold.

use std::time::Duration;

use mmc_core::sense::triples;
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::{DriveConfig, EmulatedDrive};

/// The discs a drive can use (the unknown disc has its own tests in conformance_rom.rs).
const USABLE: [MediumKind; 19] = [
    MediumKind::CdR74,
    MediumKind::CdR80,
    MediumKind::CdRw74,
    MediumKind::CdRw80,
    MediumKind::DvdPlusR,
    MediumKind::BdR,
    MediumKind::DvdPlusRDl,
    MediumKind::BdRDl,
    MediumKind::BdRXl,
    MediumKind::BdRXl4,
    MediumKind::DvdR,
    MediumKind::DvdRDl,
    MediumKind::DvdRw,
    MediumKind::DvdPlusRw,
    MediumKind::BdRe,
    MediumKind::DvdRam,
    MediumKind::BdReDl,
    MediumKind::BdReXl,
    MediumKind::DvdRom,
];

const EVENT_STATUS_MEDIA: [u8; 10] = [
    0x4A, // GET EVENT STATUS NOTIFICATION
    0x01, // Polled = 1
    0, 0,    //
    0x10, // notification class request: media (bit 4)
    0, 0, //
    0x00, 0x08, // allocation length 8: header and one media descriptor
    0x00,
];

const MECHANISM_STATUS: [u8; 12] = [
    0xBD, // MECHANISM STATUS
    0, 0, 0, 0, 0, 0, 0, //
    0x00, 0x08, // allocation length 8: the header
    0, 0x00,
];

#[test]
fn test_unit_ready_is_good_with_every_usable_disc() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        command_ok(&mut d, &TEST_UNIT_READY);
    }
}

#[test]
fn request_sense_of_a_ready_drive_is_no_sense_in_either_format() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        let fixed = command_in(&mut d, &REQUEST_SENSE, 18);
        assert_eq!(fixed.len(), 18, "{kind:?}");
        assert_eq!(fixed[0] & 0x7F, 0x70, "current error, fixed format");
        assert_eq!(fixed[2] & 0x0F, 0x0, "NO SENSE");
        assert_eq!(fixed[7], 10, "additional sense length: 18 - 8");
        assert_eq!(&fixed[12..14], &[0x00, 0x00], "ASC/ASCQ 00/00");
        let descriptor = command_in(
            &mut d,
            &[
                0x03, // REQUEST SENSE
                0x01, // DESC = 1: descriptor format
                0, 0,    //
                0xFC, // allocation length 252
                0x00,
            ],
            252,
        );
        assert_eq!(
            descriptor[0] & 0x7F,
            0x72,
            "current error, descriptor format"
        );
        assert_eq!(&descriptor[1..4], &[0x00, 0x00, 0x00], "key, ASC, ASCQ");
    }
}

#[test]
fn inquiry_does_not_depend_on_the_disc() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &INQUIRY, 36);
        assert_eq!(data[0], 0x05, "device type 05h: CD/DVD device");
        assert_eq!(data[1], 0x80, "RMB: removable medium");
        assert_eq!(&data[8..16], b"VIRTDRV ", "vendor, space padded");
    }
}

#[test]
fn event_status_reports_a_present_disc_and_no_change() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &EVENT_STATUS_MEDIA, 8);
        assert_eq!(
            data,
            [
                0x00, 0x06, // event data length: 2 + 4-byte descriptor
                0x04, // NEA = 0, notification class 4: media
                0x10, // supported classes: media
                0x00, // media event 0: no change
                0x02, // Media Present = 1, Door/Tray Open = 0
                0x00, 0x00, // start and end slot
            ],
            "{kind:?}"
        );
    }
}

#[test]
fn event_status_reports_new_media_once_then_the_removal() {
    let mut d = EmulatedDrive::new(DriveConfig::default());
    d.insert(blank_disc(MediumKind::CdR80));
    let first = command_in(&mut d, &EVENT_STATUS_MEDIA, 8);
    assert_eq!(first[4] & 0x0F, 2, "new media");
    let second = command_in(&mut d, &EVENT_STATUS_MEDIA, 8);
    assert_eq!(second[4] & 0x0F, 0, "reported once: no change now");
    d.advance(Duration::from_secs(3));
    // SPC-4 5.14: the power-on unit attention supersedes the medium change.
    command_fails(&mut d, &TEST_UNIT_READY, triples::POWER_ON_RESET);
    command_ok(&mut d, &TEST_UNIT_READY);
    command_ok(&mut d, &EJECT);
    let removed = command_in(&mut d, &EVENT_STATUS_MEDIA, 8);
    assert_eq!(removed[4] & 0x0F, 3, "media removal");
    assert_eq!(
        removed[5], 0x01,
        "tray open, no media present in the open tray"
    );
}

#[test]
fn mechanism_status_is_idle_with_the_door_closed_on_every_disc() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &MECHANISM_STATUS, 8);
        assert_eq!(
            data,
            [
                0x00, // no fault, changer ready, slot 0
                0x00, // mechanism state idle, door closed
                0x00, 0x00, 0x00, // current LBA (obsolete)
                0x00, // number of slots
                0x00, 0x00, // slot table length
            ],
            "{kind:?}"
        );
    }
}

#[test]
fn mechanism_status_is_busy_while_a_long_write_finishes() {
    let mut d = drive_with(MediumKind::CdR80);
    write_blocks(&mut d, 0, 300, 1);
    command_ok(&mut d, &SYNCHRONIZE_CACHE_IMMED);
    let data = command_in(&mut d, &MECHANISM_STATUS, 8);
    assert_eq!(data[1] >> 5, 3, "mechanism state 3: active with the host");
}

#[test]
fn eject_and_load_take_the_disc_out_and_bring_it_back_ready() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        command_ok(&mut d, &EJECT);
        command_fails(
            &mut d,
            &TEST_UNIT_READY,
            triples::MEDIUM_NOT_PRESENT_TRAY_OPEN,
        );
        let mech = command_in(&mut d, &MECHANISM_STATUS, 8);
        assert_eq!(mech[1] & 0x10, 0x10, "door open");
        command_ok(&mut d, &LOAD);
        command_fails(&mut d, &TEST_UNIT_READY, triples::BECOMING_READY);
        d.advance(Duration::from_secs(2));
        command_fails(&mut d, &TEST_UNIT_READY, triples::MEDIUM_MAY_HAVE_CHANGED);
        command_ok(&mut d, &TEST_UNIT_READY);
    }
}

#[test]
fn eject_is_refused_while_removal_is_prevented_and_the_disc_stays_ready() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        command_ok(&mut d, &PREVENT);
        command_fails(&mut d, &EJECT, triples::MEDIUM_REMOVAL_PREVENTED);
        command_ok(&mut d, &TEST_UNIT_READY);
        command_ok(&mut d, &ALLOW);
        command_ok(&mut d, &EJECT);
    }
}

#[test]
fn read_capacity_of_each_blank_disc() {
    // Last LBA 0 on a disc with nothing recorded (the Microsoft sample reads it as empty);
    // a pressed DVD-ROM reports its recorded area. Block length 2048 everywhere.
    for (kind, last_lba) in [
        (MediumKind::CdR74, 0u32),
        (MediumKind::CdR80, 0),
        (MediumKind::CdRw74, 0),
        (MediumKind::CdRw80, 0),
        (MediumKind::DvdPlusR, 0),
        (MediumKind::BdR, 0),
        (MediumKind::DvdPlusRDl, 0),
        (MediumKind::BdRDl, 0),
        (MediumKind::BdRXl, 0),
        (MediumKind::BdRXl4, 0),
        (MediumKind::DvdR, 0),
        (MediumKind::DvdRDl, 0),
        (MediumKind::DvdRw, 0),
        (MediumKind::DvdPlusRw, 0),
        (MediumKind::BdRe, 0),
        // DVD-RAM is sold formatted: its whole user area is readable.
        (MediumKind::DvdRam, 2_236_703),
        (MediumKind::BdReDl, 0),
        (MediumKind::BdReXl, 0),
        (MediumKind::DvdRom, 1_999_999),
    ] {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &READ_CAPACITY, 8);
        assert_eq!(be32(&data[0..4]), last_lba, "{kind:?} last LBA");
        assert_eq!(&data[4..8], &[0x00, 0x00, 0x08, 0x00], "block length 2048");
    }
}

#[test]
fn an_opcode_the_drive_does_not_implement_is_invalid_command_operation_code() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        command_fails(
            &mut d,
            &[
                0x3B, // WRITE BUFFER: known to SPC, not implemented by this drive
                0x02, // mode 02h: data
                0, 0, 0, 0, 0, 0, 0, 0,
            ],
            triples::INVALID_COMMAND_OPERATION_CODE,
        );
        command_fails(
            &mut d,
            &[0xC7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // vendor specific
            triples::INVALID_COMMAND_OPERATION_CODE,
        );
    }
}

#[test]
fn an_invalid_field_is_reported_with_its_field_pointer_on_every_disc() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        // READ DISC INFORMATION data type 111b is reserved.
        let f = command_in_fails(
            &mut d,
            &[0x51, 0x07, 0, 0, 0, 0, 0, 0x00, 0x22, 0x00],
            34,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 1);
        // MODE SENSE of page 1Ah (power condition), which the drive does not have.
        let f = command_in_fails(
            &mut d,
            &[
                0x5A, // MODE SENSE (10)
                0x08, // DBD
                0x1A, // PC = 00b current, page 1Ah
                0, 0, 0, 0, //
                0x00, 0xFF, // allocation length
                0x00,
            ],
            255,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 2);
        // GET PERFORMANCE type 10h is reserved.
        let f = command_in_fails(
            &mut d,
            &[
                0xAC, // GET PERFORMANCE
                0x00, 0, 0, 0, 0, 0, 0, //
                0x00, 0x10, // max descriptors
                0x10, // type 10h: reserved
                0x00,
            ],
            512,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 10);
        // INQUIRY of a vital product data page the drive does not have.
        let f = command_in_fails(
            &mut d,
            &[0x12, 0x01, 0xC9, 0x00, 0xFF, 0x00], // EVPD = 1, page C9h
            255,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 2);
    }
}

const MODE_SENSE_ERROR_RECOVERY: [u8; 10] = [
    0x5A, // MODE SENSE (10)
    0x08, // DBD = 1
    0x01, // PC = 00b current, page 01h
    0, 0, 0, 0, //
    0x00, 0xFF, // allocation length
    0x00,
];

/// The page as MMC-6 7.3 lays it out: page code 01h, page length 0Ah, then the error recovery
/// parameter (byte 2), read retry count (3), reserved (4-6), EMCDR (7), write retry count (8),
/// reserved (9) and recovery time limit (10-11).
const ERROR_RECOVERY_PAGE: [u8; 12] = [
    0x01, // PS = 0, page code 01h
    0x0A, // page length
    0x00, // AWRE ARRE TB RC PER DTE DCR all 0: every recovery used, errors not reported
    0x00, // read retry count
    0x00, 0x00, 0x00, // reserved
    0x00, // EMCDR 00b
    0x00, // write retry count
    0x00, // reserved
    0x00, 0x00, // recovery time limit
];

#[test]
fn the_error_recovery_page_the_random_readable_feature_announces_is_there() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        // GET CONFIGURATION of feature 0010h Random Readable alone (RT = 10b): its PP bit
        // (byte 10 of the descriptor, bit 0) says page 01h is present (MMC-6, Random Readable Feature).
        let config = command_in(
            &mut d,
            &[
                0x46, // GET CONFIGURATION
                0x02, // RT = 10b: the one feature
                0x00, 0x10, // starting feature 0010h
                0, 0, 0, //
                0x00, 0x14, // allocation length 20: header and the 12-byte descriptor
                0x00,
            ],
            20,
        );
        assert_eq!(config[8..10], [0x00, 0x10], "{kind:?}");
        assert_eq!(config[18] & 0x01, 0x01, "{kind:?}: PP");

        let sense = command_in(&mut d, &MODE_SENSE_ERROR_RECOVERY, 255);
        assert_eq!(
            sense[..8],
            [
                0x00, 0x12, // mode data length: 6 more header bytes and the 12-byte page
                0x00, 0x00, 0, 0, // medium type, device-specific, reserved
                0x00, 0x00, // block descriptor length
            ],
            "{kind:?}"
        );
        assert_eq!(sense[8..], ERROR_RECOVERY_PAGE, "{kind:?}");

        // PC = 01b: nothing in the page is changeable.
        let mut changeable = MODE_SENSE_ERROR_RECOVERY;
        changeable[2] = 0x41;
        let mask = command_in(&mut d, &changeable, 255);
        assert_eq!(
            mask[8..],
            [0x01, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            "{kind:?}"
        );

        // All pages (3Fh) come in ascending page code order, page 01h first.
        let mut all = MODE_SENSE_ERROR_RECOVERY;
        all[2] = 0x3F;
        let pages = command_in(&mut d, &all, 0xFF);
        assert_eq!(pages[8..20], ERROR_RECOVERY_PAGE, "{kind:?}");

        // MODE SELECT of the page as sensed is accepted; SPC-4 6.11: a field that is not
        // changeable sent with another value is INVALID FIELD IN PARAMETER LIST, pointing at
        // it (the read retry count: list byte 8 + 3).
        let mut list = vec![0u8; 8];
        list.extend_from_slice(&ERROR_RECOVERY_PAGE);
        command_out(&mut d, &mode_select(&list), &list);
        list[11] = 0x05;
        let f = command_out_fails(
            &mut d,
            &mode_select(&list),
            &list,
            triples::INVALID_FIELD_IN_PARAMETER_LIST,
        );
        assert_parameter_field(f, 11);
    }
}

/// MODE SENSE of all pages (3Fh), in ascending page code order (SPC-4 6.14): page 01h, page
/// 05h on the discs whose hosts read it (CD-R, DVD+R, DVD+RW: growisofs and wodim read it
/// on DVD+R), and page 2Ah.
#[test]
fn mode_sense_of_all_pages_lists_page_05h_with_cd_r_cd_rw_dvd_plus_r_and_dvd_plus_rw() {
    for kind in USABLE {
        let mut d = drive_with(kind);
        let data = command_in(
            &mut d,
            &[
                0x5A, // MODE SENSE (10)
                0x08, // DBD = 1
                0x3F, // PC = 00b current, all pages
                0, 0, 0, 0, //
                0x04, 0x00, // allocation length 1024
                0x00,
            ],
            1024,
        );
        assert_eq!(be16(&data[0..2]) as usize, data.len() - 2, "{kind:?}");
        let mut pages = Vec::new();
        let mut at = 8;
        while at + 2 <= data.len() {
            pages.push(data[at] & 0x3F);
            at += 2 + usize::from(data[at + 1]);
        }
        let expected: &[u8] = match kind {
            MediumKind::CdR74
            | MediumKind::CdR80
            | MediumKind::CdRw74
            | MediumKind::CdRw80
            | MediumKind::DvdPlusR
            | MediumKind::DvdPlusRDl
            | MediumKind::DvdR
            | MediumKind::DvdRDl
            | MediumKind::DvdRw
            | MediumKind::DvdPlusRw => &[0x01, 0x05, 0x2A],
            _ => &[0x01, 0x2A],
        };
        assert_eq!(pages, expected, "{kind:?}");
    }
}
