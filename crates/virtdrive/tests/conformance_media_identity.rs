//! Media identity through the drive, in raw CDBs: READ DISC STRUCTURE (MMC-6 6.22) format
//! FFh (the list of the structures the drive answers) on every DVD and BD medium, format 11h
//! (ADIP information) on DVD+R and DVD+RW with the Disc Manufacturer ID, Media Type ID and
//! Product Revision Number where dvd+rw-mediainfo and libburn read them (ADIP bytes 19, 27
//! and 30), the same bytes in format 00h's copy of the ADIP, and on BD format 00h (Disc
//! Information) whose first DI unit carries them at DI bytes 100, 106 and 111.

use testkit::sense::CANNOT_READ_INCOMPATIBLE_FORMAT;
use testkit::*;
use virtdrive::medium::{MediaIdentity, MediumKind};
use virtdrive::{DriveConfig, EmulatedDrive, WriteProtection};

/// READ DISC STRUCTURE of `format` for `media` (0 DVD, 1 BD), `alloc` bytes.
fn read_structure(media: u8, format: u8, alloc: u16) -> [u8; 12] {
    let [a0, a1] = alloc.to_be_bytes();
    [
        0xAD,  // READ DISC STRUCTURE
        media, // media type: 0 DVD, 1 BD
        0, 0, 0, 0,      // address
        0x00,   // layer 0
        format, // format code
        a0, a1, // allocation length
        0x00, 0x00,
    ]
}

/// The format FFh list as (format code, RDS, structure length) triples.
fn structure_list(d: &mut EmulatedDrive, media: u8) -> Vec<(u8, bool, u16)> {
    let head = command_in(d, &read_structure(media, 0xFF, 4), 4);
    let total = be16(&head[0..2]) + 2;
    let list = command_in(d, &read_structure(media, 0xFF, total), usize::from(total));
    assert_eq!(list.len(), usize::from(total), "the whole list");
    list[4..]
        .chunks(4)
        .map(|e| (e[0], e[1] & 0x40 != 0, be16(&e[2..4])))
        .collect()
}

#[test]
fn dvd_plus_r_lists_its_structures_and_answers_each_at_its_length() {
    let mut d = drive_with(MediumKind::DvdPlusR);
    let list = structure_list(&mut d, 0);
    let codes: Vec<u8> = list.iter().map(|e| e.0).collect();
    assert_eq!(codes, [0x00, 0x11, 0xC0, 0xFF], "{list:?}");
    for (code, readable, length) in list {
        assert!(readable, "format {code:02X}h: RDS");
        let reply = command_in(
            &mut d,
            &read_structure(0, code, length),
            usize::from(length),
        );
        assert_eq!(
            usize::from(be16(&reply[0..2])) + 2,
            usize::from(length),
            "format {code:02X}h: the listed length is the whole reply"
        );
    }
}

#[test]
fn dvd_plus_r_adip_carries_the_media_id() {
    let mut d = drive_with(MediumKind::DvdPlusR);
    let adip = command_in(&mut d, &read_structure(0, 0x11, 260), 260);
    assert_eq!(be16(&adip[0..2]), 258, "256 bytes of ADIP information");
    assert_eq!(adip[4], 0xA1, "disc category DVD+R, version 1");
    assert_eq!(&adip[4 + 19..4 + 27], b"RICOHJPN", "Disc Manufacturer ID");
    assert_eq!(&adip[4 + 27..4 + 30], b"R03", "Media Type ID");
    assert_eq!(adip[4 + 30], 2, "Product Revision Number");

    // Format 00h repeats ADIP bytes 19 on in its media-specific part.
    let physical = command_in(&mut d, &read_structure(0, 0x00, 2052), 2052);
    assert_eq!(physical[4] >> 4, 0xA, "book type DVD+R");
    assert_eq!(&physical[4 + 19..4 + 31], &adip[4 + 19..4 + 31]);
}

#[test]
fn dvd_plus_rw_adip_carries_the_media_id() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    let codes: Vec<u8> = structure_list(&mut d, 0).iter().map(|e| e.0).collect();
    assert_eq!(codes, [0x00, 0x11, 0xC0, 0xFF]);
    let adip = command_in(&mut d, &read_structure(0, 0x11, 260), 260);
    assert_eq!(adip[4], 0x91, "disc category DVD+RW, version 1");
    assert_eq!(&adip[4 + 19..4 + 27], b"RICOHJPN");
    assert_eq!(&adip[4 + 27..4 + 30], b"W11");
    let physical = command_in(&mut d, &read_structure(0, 0x00, 2052), 2052);
    assert_eq!(&physical[4 + 19..4 + 31], &adip[4 + 19..4 + 31]);
}

#[test]
fn a_dvd_plus_rw_with_a_write_inhibit_dcb_lists_format_30h() {
    let mut d = drive_with(MediumKind::DvdPlusRw);
    d.set_write_protection(WriteProtection {
        disc_control_block: true,
        ..WriteProtection::default()
    });
    let list = structure_list(&mut d, 0);
    let codes: Vec<u8> = list.iter().map(|e| e.0).collect();
    assert_eq!(codes, [0x00, 0x11, 0x30, 0xC0, 0xFF], "{list:?}");
    assert_eq!(
        list.last(),
        Some(&(0xFF, true, 4 + 5 * 4)),
        "the list's own length"
    );
    assert_eq!(list[2], (0x30, true, 4 + 16 * 2048), "one 16-sector DCB");
}

#[test]
fn a_pressed_dvd_has_no_adip() {
    let mut d = drive_with(MediumKind::DvdRom);
    let codes: Vec<u8> = structure_list(&mut d, 0).iter().map(|e| e.0).collect();
    assert_eq!(codes, [0x00, 0xC0, 0xFF]);
    command_in_fails(
        &mut d,
        &read_structure(0, 0x11, 260),
        260,
        testkit::sense::INVALID_FIELD_IN_CDB,
    );
}

#[test]
fn bd_r_disc_information_carries_the_media_id() {
    let mut d = drive_with(MediumKind::BdR);
    let list = structure_list(&mut d, 1);
    let codes: Vec<u8> = list.iter().map(|e| e.0).collect();
    assert_eq!(codes, [0x00, 0xC0, 0xFF], "{list:?}");
    let di = command_in(&mut d, &read_structure(1, 0x00, 4100), 4100);
    assert_eq!(
        di.len(),
        4100,
        "MMC-6: 4,100 bytes when any can be returned"
    );
    assert_eq!(be16(&di[0..2]), 4098);
    let unit = &di[4..];
    assert_eq!(&unit[0..2], b"DI", "Disc Information identifier");
    assert_eq!(&unit[8..11], b"BDR", "disc type identifier");
    assert_eq!(&unit[100..106], b"VERBAT", "Disc Manufacturer ID");
    assert_eq!(&unit[106..109], b"IMe", "Media Type ID");
    // A DVD structure of a BD stays refused.
    command_in_fails(
        &mut d,
        &read_structure(0, 0x00, 2052),
        2052,
        CANNOT_READ_INCOMPATIBLE_FORMAT,
    );
}

#[test]
fn bd_re_disc_information_carries_the_media_id() {
    let mut d = drive_with(MediumKind::BdRe);
    let di = command_in(&mut d, &read_structure(1, 0x00, 4100), 4100);
    let unit = &di[4..];
    assert_eq!(&unit[0..2], b"DI");
    assert_eq!(&unit[8..11], b"BDW", "BD-RE");
    assert_eq!(&unit[100..106], b"VERBAT");
    assert_eq!(&unit[106..109], b"IM0");
}

#[test]
fn the_drive_configuration_names_the_media_id() {
    let config = DriveConfig {
        media_identity: Some(MediaIdentity::parse("MCC/004/1").unwrap()),
        ..DriveConfig::default()
    };
    let mut dvd = EmulatedDrive::with_medium(config.clone(), blank_disc(MediumKind::DvdPlusR));
    let adip = command_in(&mut dvd, &read_structure(0, 0x11, 260), 260);
    assert_eq!(&adip[4 + 19..4 + 27], b"MCC\0\0\0\0\0", "padded with zeros");
    assert_eq!(&adip[4 + 27..4 + 30], b"004");
    assert_eq!(adip[4 + 30], 1);
    let mut bd = EmulatedDrive::with_medium(config, blank_disc(MediumKind::BdR));
    let di = command_in(&mut bd, &read_structure(1, 0x00, 4100), 4100);
    assert_eq!(&di[4 + 100..4 + 106], b"MCC\0\0\0");
    assert_eq!(di[4 + 111], 1, "Product Revision Number");
}

#[test]
fn media_ids_that_do_not_fit_are_refused() {
    for bad in [
        "",
        "RICOHJPN",
        "RICOHJPN/R03",
        "TOOLONGID/R03/2",
        "RICOHJPN/R0003/2",
        "RICOHJPN/R03/300",
        "RICÖ/R03/2",
    ] {
        assert!(MediaIdentity::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        MediaIdentity::parse("RICOHJPN/R03/2").unwrap(),
        MediaIdentity::default_for(MediumKind::DvdPlusR).unwrap()
    );
}
