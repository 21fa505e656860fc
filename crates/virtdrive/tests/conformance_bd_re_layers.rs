//! BD-RE DL and BD-RE XL (three layers) through the drive: profile 0043h, sold unformatted
//! with their whole capacity, READ FORMAT CAPACITIES with the 00h, 30h and 31h formats and
//! the spare sizes scaled per layer, FORMAT UNIT of each, the layers in the Disc Information
//! (READ DISC STRUCTURE 00h, media type 1), writing at the far end, sparing under defect
//! management (format 0Ah), and a disc file that keeps the format and the data.
//!
//! Figures: 24,438,784 and 48,878,592 sectors without spares (the BD-R DL and XL ones);
//! per layer the single layer's spares: default 12,288 clusters of 32 sectors, largest
//! 20,480, smallest 4,096 (ISA0).

use std::time::Duration;

use mmc_core::sense::triples;
use testkit::*;
use virtdrive::fault::DriveCondition;
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig, EmulatedDrive};

/// Each medium: its kind, sectors without spares and layers.
const MEDIA: [(MediumKind, u32, u8); 2] = [
    (MediumKind::BdReDl, 24_438_784, 2),
    (MediumKind::BdReXl, 48_878_592, 3),
];

/// READ DISC STRUCTURE of BD media, format `code`, layer `layer`.
fn bd_structure(code: u8, layer: u8) -> [u8; 12] {
    [
        0xAD, // READ DISC STRUCTURE
        0x01, // media type 1: BD
        0, 0, 0, 0,     // address
        layer, // layer number
        code,  // format code
        0x10, 0x04, // allocation length 4100
        0x00, 0x00,
    ]
}

/// User sectors with `clusters` of spare.
fn user(sectors: u32, clusters: u32) -> u32 {
    sectors - clusters * 32
}

fn format(d: &mut EmulatedDrive, list: &[u8; 12]) -> Duration {
    let before = d.now();
    command_out(d, &FORMAT_UNIT, list);
    wait_until_ready(d);
    d.now().since(before)
}

#[test]
fn each_disc_is_bd_re_sold_unformatted_with_its_whole_capacity() {
    for (kind, sectors, layers) in MEDIA {
        let mut d = drive_with(kind);
        let config = command_in(&mut d, &[0x46, 0x01, 0, 0, 0, 0, 0, 0, 8, 0], 8);
        assert_eq!(be16(&config[6..8]), 0x0043, "{kind:?}: BD-RE");
        let info = command_in(&mut d, &READ_DISC_INFORMATION, 34);
        assert_eq!(info[2], 0x10, "{kind:?}: erasable, blank");
        assert_eq!(
            be32(&info[20..24]),
            sectors,
            "{kind:?}: last possible lead-out"
        );
        let per_layer = [12_288, 20_480, 4_096].map(|c| c * u32::from(layers));
        let mut want = vec![0, 0, 0, 6 * 8];
        want.extend(capacity_descriptor(sectors, 0x01, 2048)); // current: unformatted
        want.extend(capacity_descriptor(
            user(sectors, per_layer[0]),
            0x00,
            per_layer[0],
        ));
        for clusters in per_layer {
            want.extend(capacity_descriptor(
                user(sectors, clusters),
                0x30 << 2,
                clusters,
            ));
        }
        want.extend(capacity_descriptor(sectors, 0x31 << 2, 2048));
        assert_eq!(
            command_in(&mut d, &READ_FORMAT_CAPACITIES, 252),
            want,
            "{kind:?}"
        );
    }
}

#[test]
fn each_format_type_gives_its_capacity_with_and_without_spares() {
    for (kind, sectors, layers) in MEDIA {
        let n = u32::from(layers);
        for (list, capacity) in [
            (
                format_list(user(sectors, 12_288 * n), 0x00, 0, 12_288 * n),
                user(sectors, 12_288 * n),
            ),
            (
                format_list(user(sectors, 20_480 * n), 0x30, 0b01, 20_480 * n),
                user(sectors, 20_480 * n),
            ),
            (
                format_list(user(sectors, 4_096 * n), 0x30, 0b01, 4_096 * n),
                user(sectors, 4_096 * n),
            ),
            (format_list(sectors, 0x31, 0b01, 2048), sectors),
        ] {
            let mut d = drive_with(kind);
            format(&mut d, &list);
            let last = be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]);
            assert_eq!(last, capacity - 1, "{kind:?} {:02X}h", list[8] >> 2);
            let track = command_in(&mut d, &read_track_information(1), 48);
            assert_eq!(be32(&track[24..28]), capacity, "{kind:?} track size");
        }
        // Less spare than ISA0 on every layer is refused.
        let mut d = drive_with(kind);
        let f = command_out_fails(
            &mut d,
            &FORMAT_UNIT,
            &format_list(user(sectors, 4_096 * n - 1), 0x30, 0b01, 4_096 * n - 1),
            triples::INVALID_FIELD_IN_PARAMETER_LIST,
        );
        assert_parameter_field(f, 4);
    }
}

#[test]
fn full_certification_takes_longer_on_more_layers() {
    let certify = |kind, sectors: u32| {
        let mut d = drive_with(kind);
        // 30h, sub-type 10b: full certification.
        format(
            &mut d,
            &format_list(user(sectors, 4_096 * 3), 0x30, 0b10, 0),
        )
    };
    let single = certify(MediumKind::BdRe, 12_219_392);
    let xl = certify(MediumKind::BdReXl, 48_878_592);
    let ratio = xl.as_secs_f64() / single.as_secs_f64();
    assert!((3.9..4.1).contains(&ratio), "{single:?} and {xl:?}");
}

#[test]
fn the_disc_information_has_one_unit_per_layer() {
    for (kind, _, layers) in MEDIA {
        let mut d = drive_with(kind);
        let di = command_in(&mut d, &bd_structure(0x00, 0), 4100);
        for layer in 0..layers {
            let unit = &di[4 + 112 * usize::from(layer)..][..112];
            assert_eq!(&unit[0..2], b"DI", "{kind:?} unit {layer}");
            assert_eq!(&unit[8..11], b"BDW", "{kind:?}: rewritable disc type");
            assert_eq!(
                unit[12],
                layers << 4 | layer,
                "{kind:?}: layers and this layer"
            );
        }
        // Each layer answers; a layer past the last is an invalid field (byte 6).
        command_in(&mut d, &bd_structure(0x00, layers - 1), 4100);
        let f = command_in_fails(
            &mut d,
            &bd_structure(0x00, layers),
            4100,
            triples::INVALID_FIELD_IN_CDB,
        );
        assert_cdb_field(f, 6);
    }
}

#[test]
fn the_far_end_of_each_disc_reads_back() {
    for (kind, sectors, _) in MEDIA {
        let mut d = drive_with(kind);
        format(&mut d, &format_list(sectors, 0x31, 0b01, 2048));
        let data = write_blocks(&mut d, (sectors - 64) as i32, 64, 9);
        command_ok(&mut d, &SYNCHRONIZE_CACHE);
        assert_eq!(
            read_blocks(&mut d, (sectors - 64) as i32, 64),
            data,
            "{kind:?}"
        );
        command_out_fails(
            &mut d,
            &write10(sectors, 32),
            &blocks(0, 32),
            triples::LBA_OUT_OF_RANGE,
        );
    }
}

#[test]
fn a_defective_cluster_takes_a_spare_cluster() {
    let (kind, sectors, layers) = MEDIA[0];
    let default = 12_288 * u32::from(layers);
    let mut d = drive_with(kind);
    format(
        &mut d,
        &format_list(user(sectors, default), 0x00, 0, default),
    );
    let spare = |d: &mut EmulatedDrive| {
        let data = command_in(d, &bd_structure(0x0A, 0), 16);
        (be32(&data[8..12]), be32(&data[12..16]))
    };
    assert_eq!(
        spare(&mut d),
        (default, default),
        "free and allocated clusters"
    );
    d.enter_condition(&DriveCondition::DefectiveSectors {
        lba: 20_000_000,
        blocks: 40,
    });
    // Sectors 20,000,000-20,000,039 lie in two clusters.
    let data = write_blocks(&mut d, 19_999_968, 96, 4);
    assert_eq!(read_blocks(&mut d, 19_999_968, 96), data);
    assert_eq!(spare(&mut d), (default - 2, default));
}

#[test]
fn a_disc_file_keeps_the_format_the_data_and_the_spares_used() {
    for (kind, sectors, layers) in MEDIA {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("re.disc");
        let min = 4_096 * u32::from(layers);
        let data = {
            let mut d = DiscFileDrive::open(kind, &path, DriveConfig::default()).unwrap();
            command_out(
                &mut d,
                &FORMAT_UNIT,
                &format_list(user(sectors, min), 0x30, 0b01, min),
            );
            wait_until_ready(d.drive_mut());
            d.drive_mut()
                .enter_condition(&DriveCondition::DefectiveSectors { lba: 64, blocks: 1 });
            let data = write_blocks(&mut d, 32, 64, 7);
            command_ok(&mut d, &SYNCHRONIZE_CACHE);
            data
        };
        let mut d = DiscFileDrive::open_existing(kind, &path, DriveConfig::default()).unwrap();
        let last = be32(&command_in(&mut d, &READ_CAPACITY, 8)[0..4]);
        assert_eq!(last, user(sectors, min) - 1, "{kind:?}");
        assert_eq!(read_blocks(&mut d, 32, 64), data, "{kind:?}");
        let spare = command_in(&mut d, &bd_structure(0x0A, 0), 16);
        assert_eq!(be32(&spare[8..12]), min - 1, "{kind:?}: one cluster used");
    }
}
