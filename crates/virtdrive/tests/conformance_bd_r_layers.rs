//! BD-R of two, three and four layers (BD-R DL, BD-R XL 100 GB and 128 GB) through the
//! drive, in raw CDBs: profile 0041h, the capacity in READ DISC/TRACK INFORMATION and READ
//! FORMAT CAPACITIES, the layers in the Disc Information (READ DISC STRUCTURE 00h, media
//! type 1), the write speeds, FORMAT UNIT with spare areas per layer, SRM sessions as on
//! BD-R, writing far into a large disc, and the disc file of a 100 GB disc kept small.
//!
//! Figures: BD-R DL 24,438,784 sectors, its default spare (2 x 12,288 clusters) leaves
//! 23,652,352; BD-R XL 48,878,592 and 62,500,864 sectors; BD 1x = 4,495 kB/s.

use mmc_core::sense::triples;
use testkit::close_function::{CLOSE_SESSION, CLOSE_TRACK, FINALIZE_DISC};
use testkit::*;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

const BD_1X: u32 = 4495;
/// Each medium: its kind, sectors, layers and write speeds (fastest first).
const MEDIA: [(MediumKind, u32, u8, &[u32]); 3] = [
    (
        MediumKind::BdRDl,
        24_438_784,
        2,
        &[6 * BD_1X, 4 * BD_1X, 2 * BD_1X],
    ),
    (MediumKind::BdRXl, 48_878_592, 3, &[4 * BD_1X, 2 * BD_1X]),
    (MediumKind::BdRXl4, 62_500_864, 4, &[4 * BD_1X, 2 * BD_1X]),
];

/// READ DISC STRUCTURE format 00h of BD media: the Disc Information.
const BD_DISC_INFORMATION: [u8; 12] = [
    0xAD, // READ DISC STRUCTURE
    0x01, // media type 1: BD
    0, 0, 0, 0,    // address
    0x00, // layer 0
    0x00, // format 00h: disc information
    0x10, 0x04, // allocation length 4100
    0x00, 0x00,
];

/// GET PERFORMANCE type 03h (write speed descriptors), up to 8.
const WRITE_SPEEDS: [u8; 12] = [
    0xAC, // GET PERFORMANCE
    0x00, //
    0, 0, 0, 0, // starting LBA
    0, 0, //
    0x00, 0x08, // maximum number of descriptors
    0x03, // type 03h: write speed
    0x00,
];

#[test]
fn each_blank_disc_is_bd_r_srm_with_its_whole_capacity() {
    for (kind, sectors, _, _) in MEDIA {
        let mut d = drive_with(kind);
        let config = command_in(
            &mut d,
            &[0x46, 0x01, 0, 0, 0, 0, 0, 0x00, 0x08, 0x00], // GET CONFIGURATION, header
            8,
        );
        assert_eq!(be16(&config[6..8]), 0x0041, "{kind:?}: BD-R SRM");
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(info[2] & 0x03, 0, "{kind:?}: blank");
        assert_eq!(
            be32(&info[20..24]),
            sectors,
            "{kind:?}: last possible lead-out"
        );
        let track = command_in(&mut d, &read_track_information(0xFF), 48);
        assert_eq!(be32(&track[12..16]), 0, "{kind:?}: next writable address");
        assert_eq!(be32(&track[16..20]), sectors, "{kind:?}: free blocks");
        let caps = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
        assert_eq!(be32(&caps[4..8]), sectors, "{kind:?}: current capacity");
        assert_eq!(caps[8] & 0x03, 0b01, "{kind:?}: unformatted");
        assert_eq!(be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]), 0);
    }
}

#[test]
fn the_disc_information_has_one_unit_per_layer() {
    for (kind, _, layers, _) in MEDIA {
        let mut d = drive_with(kind);
        let di = command_in(&mut d, &BD_DISC_INFORMATION, 4100);
        for layer in 0..layers {
            let unit = &di[4 + 112 * usize::from(layer)..][..112];
            assert_eq!(&unit[0..2], b"DI", "{kind:?} unit {layer}");
            assert_eq!(
                unit[3], layers,
                "{kind:?}: units in the block, one per layer"
            );
            assert_eq!(unit[4], layer, "{kind:?}: the unit's sequence number");
            assert_eq!(&unit[8..11], b"BDR", "{kind:?}: disc type");
            assert_eq!(
                unit[12],
                layers << 4 | layer,
                "{kind:?}: number of layers and this layer"
            );
        }
        let after = 4 + 112 * usize::from(layers);
        assert!(
            di[after..].iter().all(|&b| b == 0),
            "{kind:?}: no more units"
        );
    }
    // The single-layer BD-R keeps its one unit.
    let di = command_in(&mut drive_with(MediumKind::BdR), &BD_DISC_INFORMATION, 4100);
    assert_eq!((di[4 + 3], di[4 + 12]), (1, 0x10));
}

#[test]
fn the_drive_reports_the_speeds_of_each_disc() {
    for (kind, _, _, speeds) in MEDIA {
        let mut d = drive_with(kind);
        let data = command_in(&mut d, &WRITE_SPEEDS, 8 + 8 * 16);
        let reported: Vec<u32> = data[8..].chunks(16).map(|c| be32(&c[12..16])).collect();
        assert_eq!(reported, speeds, "{kind:?}");
    }
}

#[test]
fn format_unit_gives_spare_areas_scaled_per_layer() {
    let mut d = drive_with(MediumKind::BdRDl);
    let formats = command_in(&mut d, &READ_FORMAT_CAPACITIES, 252);
    let mut want = vec![0, 0, 0, 40];
    want.extend(capacity_descriptor(24_438_784, 0x01, 2048));
    want.extend(capacity_descriptor(23_652_352, 0x00, 0x6000)); // 00h: 2 x 12,288 spare clusters
    want.extend(capacity_descriptor(23_652_352, 0x32 << 2, 0x6000));
    want.extend(capacity_descriptor(23_128_064, 0x32 << 2, 0xA000)); // 2 x (ISA0 + 16,384)
    want.extend(capacity_descriptor(24_176_640, 0x32 << 2, 0x2000)); // 2 x ISA0
    assert_eq!(formats, want);

    command_out(
        &mut d,
        &FORMAT_UNIT,
        &format_list(23_652_352, 0x00, 0b01, 0x6000),
    );
    wait_until_ready(&mut d);
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(
        be32(&track[16..20]),
        23_652_352,
        "free blocks after the spares"
    );
    // The default of the three-layer disc: three times the single layer's spare.
    let mut xl = drive_with(MediumKind::BdRXl);
    let formats = command_in(&mut xl, &READ_FORMAT_CAPACITIES, 252);
    assert_eq!(
        &formats[12..20],
        &capacity_descriptor(48_878_592 - 3 * 12_288 * 32, 0x00, 3 * 12_288)[..]
    );
    // A spare size offered on none of the layers' figures is refused.
    let mut xl = drive_with(MediumKind::BdRXl);
    command_out_fails(
        &mut xl,
        &FORMAT_UNIT,
        &format_list(48_878_592 - 4096 * 32, 0x32, 0b01, 0x1000),
        triples::INVALID_FIELD_IN_PARAMETER_LIST,
    );
}

#[test]
fn sessions_follow_each_other_and_finalizing_closes_the_disc() {
    for (kind, _, _, _) in MEDIA {
        let mut d = drive_with(kind);
        let first = write_blocks(&mut d, 0, 40, 1);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        command_ok_long(&mut d, &close(CLOSE_TRACK, 1));
        command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
        let track = command_in(&mut d, &read_track_information(0xFF), 48);
        assert_eq!(be32(&track[12..16]), 64, "{kind:?}: next cluster, no gap");
        command_out_fails(
            &mut d,
            &write10(96, 32),
            &blocks(2, 32),
            triples::INVALID_ADDRESS_FOR_WRITE,
        );
        let second = write_blocks(&mut d, 64, 32, 2);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        command_ok_long(&mut d, &close(CLOSE_TRACK, 2));
        command_ok_long(&mut d, &close(FINALIZE_DISC, 0));
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(info[2] & 0x03, 0b10, "{kind:?}: complete");
        assert_eq!(info[4], 2, "{kind:?}: two sessions");
        assert_eq!(read_blocks(&mut d, 0, 40), first);
        assert_eq!(read_blocks(&mut d, 64, 32), second);
        command_out_fails(
            &mut d,
            &write10(96, 32),
            &blocks(3, 32),
            triples::INVALID_ADDRESS_FOR_WRITE,
        );
    }
}

#[test]
fn a_track_at_the_far_end_of_a_128_gb_disc_reads_back() {
    let mut d = drive_with(MediumKind::BdRXl4);
    let end = 62_500_864;
    // Reserve all but one cluster, close it (padded, never stored), then write the last
    // cluster of the disc.
    command_ok(&mut d, &reserve_track(end - 32));
    // Recording the padding takes hours of virtual time: closed with Immed, waited out.
    command_ok(&mut d, &close_track_session(CLOSE_TRACK, 1, true));
    wait_until_ready(&mut d);
    let last = write_blocks(&mut d, (end - 32) as i32, 32, 9);
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
    assert_eq!(read_blocks(&mut d, (end - 32) as i32, 32), last);
    let track = command_in(&mut d, &read_track_information(0xFF), 48);
    assert_eq!(be32(&track[16..20]), 0, "nothing left");
    command_out_fails(
        &mut d,
        &write10(end as i32, 32),
        &blocks(4, 32),
        testkit::sense::END_OF_USER_AREA,
    );
}

#[test]
fn a_100_gb_disc_file_holds_only_what_was_written() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xl.disc");
    let end = 48_878_592u32;
    let data = {
        let mut d = DiscFileDrive::open(MediumKind::BdRXl, &path, DriveConfig::default()).unwrap();
        command_ok(&mut d, &reserve_track(end - 64));
        command_ok(&mut d, &close_track_session(CLOSE_TRACK, 1, true));
        wait_until_ready(d.drive_mut());
        let data = write_blocks(&mut d, (end - 64) as i32, 64, 5);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        command_ok_long(&mut d, &close(CLOSE_TRACK, 2));
        command_ok_long(&mut d, &close(CLOSE_SESSION, 0));
        data
    };
    let on_disk = std::fs::metadata(&path).unwrap().blocks() * 512;
    assert!(
        on_disk < 16 * 1024 * 1024,
        "{on_disk} bytes stored for 128 KiB written"
    );
    let mut d =
        DiscFileDrive::open_existing(MediumKind::BdRXl, &path, DriveConfig::default()).unwrap();
    assert_eq!(read_blocks(&mut d, (end - 64) as i32, 64), data);
    let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        info[2] & 0x03,
        0b10,
        "the last session filled the disc: complete"
    );
    let mut drive =
        EmulatedDrive::with_medium(DriveConfig::default(), blank_disc(MediumKind::BdRXl));
    assert_eq!(
        be32(&command_in(&mut drive, &read_track_information(0xFF), 48)[16..20]),
        end
    );
}
