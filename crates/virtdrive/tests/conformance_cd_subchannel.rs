//! What a CD carries besides its user data, in raw CDBs: READ SUB-CHANNEL (MMC-6) for the
//! current position, the Media Catalog Number and a track's ISRC, and READ CD (MMC-6) of
//! whole Mode 1 sectors (sync, header, user data, EDC/ECC), as cdrdao and the Linux cdrom
//! layer read them.

use mmc_core::sense::triples;
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// A CD-R with one closed TAO session: track 1, 300 blocks of `blocks(0x11, ..)`.
fn written_cd() -> (EmulatedDrive, Vec<u8>) {
    let mut d = drive_with(MediumKind::CdR80);
    select_cd_write_parameters(&mut d, TAO, NEXT_SESSION_ALLOWED, true);
    let data = write_blocks(&mut d, 0, 300, 0x11);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    command_ok(&mut d, &close(close_function::CLOSE_TRACK, 1));
    command_ok_long(&mut d, &CLOSE_SESSION);
    (d, data)
}

/// READ SUB-CHANNEL with SubQ, `format`, `msf`, for `track`.
fn read_subchannel(format: u8, msf: bool, track: u8) -> [u8; 10] {
    [
        0x42,
        if msf { 0x02 } else { 0 },
        0x40,
        format,
        0,
        0,
        track,
        0,
        48,
        0,
    ]
}

/// READ CD of `blocks` sectors from `lba`, parts `flags` (byte 9), any sector type.
fn read_cd(lba: i32, blocks: u8, flags: u8) -> [u8; 12] {
    let a = lba.to_be_bytes();
    [0xBE, 0, a[0], a[1], a[2], a[3], 0, 0, blocks, flags, 0, 0]
}

#[test]
fn the_media_catalog_number_is_reported_as_absent() {
    let (mut d, _) = written_cd();
    let r = command_in(&mut d, &read_subchannel(0x02, false, 0), 48);
    assert_eq!(r.len(), 24, "header and 20 bytes of MCN data");
    assert_eq!(r[1], 0x15, "audio status: none to return");
    assert_eq!(be16(&r[2..4]), 20, "sub-channel data length");
    assert_eq!(r[4], 0x02, "format code");
    assert_eq!(r[8] & 0x80, 0, "MCVAL 0: the disc has no catalog number");
    // Without SubQ only the header comes back.
    let mut cdb = read_subchannel(0x02, false, 0);
    cdb[2] = 0;
    let h = command_in(&mut d, &cdb, 48);
    assert_eq!(h, vec![0, 0x15, 0, 0]);
}

#[test]
fn the_current_position_follows_the_last_read_and_the_isrc_names_the_track() {
    let (mut d, _) = written_cd();
    read_blocks(&mut d, 100, 1);
    let p = command_in(&mut d, &read_subchannel(0x01, false, 0), 48);
    assert_eq!(be16(&p[2..4]), 12);
    assert_eq!(p[4], 0x01, "format code");
    assert_eq!(p[5], 0x14, "ADR 1, CONTROL 4: a data track");
    assert_eq!((p[6], p[7]), (1, 1), "track 1, index 1");
    assert_eq!(be32(&p[8..12]), 100, "absolute address");
    assert_eq!(be32(&p[12..16]), 100, "track-relative address");
    let m = command_in(&mut d, &read_subchannel(0x01, true, 0), 48);
    assert_eq!(&m[8..12], &[0, 0, 3, 25], "LBA 100 + 150 = 00:03:25");
    assert_eq!(&m[12..16], &[0, 0, 1, 25], "100 frames into the track");

    let i = command_in(&mut d, &read_subchannel(0x03, false, 1), 48);
    assert_eq!(be16(&i[2..4]), 20);
    assert_eq!((i[4], i[5], i[6]), (0x03, 0x14, 1));
    assert_eq!(i[8] & 0x80, 0, "TCVAL 0: no ISRC");
    let f = command_in_fails(
        &mut d,
        &read_subchannel(0x03, false, 7),
        48,
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_cdb_field(f, 6);
}

#[test]
fn read_cd_returns_the_whole_mode_1_sector_around_the_user_data() {
    let (mut d, data) = written_cd();
    let s = command_in(&mut d, &read_cd(16, 1, 0xF8), 2352);
    assert_eq!(s.len(), 2352);
    assert_eq!(
        &s[..12],
        &[0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0]
    );
    assert_eq!(
        &s[12..16],
        &[0x00, 0x02, 0x16, 0x01],
        "00:02:16 BCD, mode 1"
    );
    assert_eq!(&s[16..2064], &data[16 * 2048..17 * 2048]);
    assert_eq!(&s[2068..2076], &[0; 8], "the zero bytes after the EDC");
    // User data and EDC/ECC only: the 2336 bytes of CDROMREADMODE2 on a Mode 1 sector.
    let u = command_in(&mut d, &read_cd(16, 2, 0x58), 2 * 2336);
    assert_eq!(u.len(), 2 * 2336);
    assert_eq!(&u[..2048], &data[16 * 2048..17 * 2048]);
    assert_eq!(&u[2048..2336], &s[2064..]);
    assert_eq!(&u[2336..2336 + 2048], &data[17 * 2048..18 * 2048]);
    // User data only is READ (10)'s block.
    assert_eq!(
        command_in(&mut d, &read_cd(5, 1, 0x10), 2048),
        data[5 * 2048..6 * 2048]
    );
}

#[test]
fn read_cd_refuses_other_sector_types_and_sub_channels() {
    let (mut d, _) = written_cd();
    let mut cdda = read_cd(0, 1, 0xF8);
    cdda[1] = 0b001 << 2;
    command_in_fails(&mut d, &cdda, 2352, triples::ILLEGAL_MODE_FOR_THIS_TRACK);
    let mut pw = read_cd(0, 1, 0xF8);
    pw[10] = 0x01;
    let f = command_in_fails(&mut d, &pw, 2448, triples::INVALID_FIELD_IN_CDB);
    assert_cdb_field(f, 10);
}

#[test]
fn dvd_and_bd_media_have_no_sub_channel_and_no_cd_sectors() {
    for kind in [MediumKind::DvdPlusRw, MediumKind::BdRe, MediumKind::DvdRom] {
        let mut d = drive_with(kind);
        let f = command_in_fails(
            &mut d,
            &read_subchannel(0x02, false, 0),
            48,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 3);
        command_in_fails(
            &mut d,
            &read_cd(0, 1, 0xF8),
            2352,
            triples::ILLEGAL_MODE_FOR_THIS_TRACK,
        );
    }
}
