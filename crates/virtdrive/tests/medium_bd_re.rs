//! BD-RE: format capacities and the formats 00h, 30h and 31h, access blocked while
//! formatting, streaming writes and defect management, cluster read-modify-write.

use core::time::Duration;

use mmc_core::cdb::{
    CloseFunction, CloseTrackSession, DiscStructureMedia, FormatType, ReadDiscStructure,
};
use mmc_core::params::{BdCertification, FormatDescriptor, FormatUnitParameters};
use mmc_core::response::ResponseFormat;
use mmc_core::sense::{SenseKeySpecific, SenseTriple};
use mmc_core::Profile;
use testkit::sense::{
    FORMAT_IN_PROGRESS, INVALID_FIELD_IN_PARAMETER_LIST, LBA_OUT_OF_RANGE, MEDIUM_NOT_FORMATTED,
};
use testkit::{blocks, secs, MemStore};
use virtdrive::medium::overwritable::BdRe;
use virtdrive::medium::{Busy, Medium};

fn blank() -> (BdRe, MemStore) {
    let store = MemStore::new();
    (BdRe::new(store.boxed()), store)
}

fn format(format_type: FormatType, blocks: u32, subtype: BdCertification) -> FormatUnitParameters {
    FormatUnitParameters::immediate(FormatDescriptor {
        number_of_blocks: blocks,
        format_type,
        format_subtype: subtype.to_u8(),
        type_dependent: 0,
    })
}

/// Formats and lets the clock run to the end of the format.
fn formatted(params: &FormatUnitParameters) -> BdRe {
    let (mut disc, _) = blank();
    let busy = disc.format(params, secs(0)).unwrap();
    disc.advance(secs(0).after(busy.duration));
    assert_eq!(disc.blocking_format_progress(), None);
    disc
}

fn read(disc: &mut BdRe, lba: i32, n: usize) -> Vec<u8> {
    let mut out = vec![0xA5; n * 2048];
    disc.read(lba, &mut out).expect("the read succeeds");
    out
}

#[test]
fn format_capacities_list_the_spare_area_choices() {
    let (disc, _) = blank();
    assert_eq!(disc.profile(), Profile::BdRe);
    // 12,219,392 sectors without spares; spare areas are counted in 32-sector clusters:
    //   default ISA0 4,096 + OSA 8,192 = 12,288 (3000h) clusters = 393,216 sectors
    //     -> 12,219,392 - 393,216 = 11,826,176 (B47400h)
    //   maximum 20,480 (5000h) clusters = 655,360 sectors -> 11,564,032 (B07400h)
    //   minimum ISA0 alone, 4,096 (1000h) clusters = 131,072 -> 12,088,320 (B87400h)
    let expected: [u8; 52] = [
        0x00, 0x00, 0x00, 0x30, // capacity list length: 6 descriptors
        0x00, 0xBA, 0x74, 0x00, 0x01, 0x00, 0x08, 0x00, // unformatted, max 12,219,392, 2048
        0x00, 0xB4, 0x74, 0x00, 0x00, 0x00, 0x30, 0x00, // 00h: default, 3000h spare
        0x00, 0xB4, 0x74, 0x00, 0xC0, 0x00, 0x30, 0x00, // 30h: default spare
        0x00, 0xB0, 0x74, 0x00, 0xC0, 0x00, 0x50, 0x00, // 30h: maximum spare
        0x00, 0xB8, 0x74, 0x00, 0xC0, 0x00, 0x10, 0x00, // 30h: minimum spare
        0x00, 0xBA, 0x74, 0x00, 0xC4, 0x00, 0x08, 0x00, // 31h: no spare, block length 800h
    ];
    assert_eq!(disc.format_capacities().to_bytes(), expected);
    assert_eq!(disc.write_speeds(), vec![8_990, 4_495]);
    assert_eq!(disc.read_speed(), 8_990);
    assert_eq!(disc.blocking(), 32);
}

#[test]
fn an_unformatted_disc_is_blank_and_cannot_be_read_or_written() {
    let (mut disc, _) = blank();
    let info = disc.disc_information().to_bytes();
    assert_eq!(info[2], 0x10, "erasable, empty session, blank disc");
    assert_eq!(info[7] & 0x03, 0, "no background format on BD-RE");
    assert_eq!(disc.read_capacity().unwrap().last_lba, 0);
    let mut out = vec![0; 2048];
    assert_eq!(
        disc.read(0, &mut out).unwrap_err().triple,
        MEDIUM_NOT_FORMATTED
    );
    let e = disc.write(0, &out, false, secs(0)).unwrap_err();
    assert_eq!(e.triple, MEDIUM_NOT_FORMATTED);
}

#[test]
fn format_00h_gives_the_default_spare_areas() {
    let mut disc = formatted(&format(
        FormatType::FullFormat,
        11_826_176,
        BdCertification::QuickReformat,
    ));
    assert_eq!(disc.user_capacity(), Some(11_826_176));
    assert_eq!(disc.spare_clusters(), Some(12_288));
    assert!(disc.defect_management_active());
    // Last LBA 11,826,175 = B473FFh.
    assert_eq!(
        disc.read_capacity().unwrap().to_bytes(),
        [0x00, 0xB4, 0x73, 0xFF, 0x00, 0x00, 0x08, 0x00]
    );
    let capacities = disc.format_capacities().to_bytes();
    assert_eq!(
        capacities[4..12],
        [0x00, 0xB4, 0x74, 0x00, 0x02, 0x00, 0x08, 0x00]
    );
    assert_eq!(disc.disc_information().to_bytes()[2], 0x1E, "complete");
    let mut out = vec![0; 2048];
    let e = disc.read(11_826_176, &mut out).unwrap_err();
    assert_eq!(e.triple, LBA_OUT_OF_RANGE);
}

#[test]
fn format_30h_sizes_the_spare_to_the_blocks_asked_for() {
    let max_spare = formatted(&format(
        FormatType::BdReWithSpareAreas,
        11_564_032,
        BdCertification::QuickReformat,
    ));
    assert_eq!(max_spare.user_capacity(), Some(11_564_032));
    assert_eq!(max_spare.spare_clusters(), Some(20_480));
    let min_spare = formatted(&format(
        FormatType::BdReWithSpareAreas,
        12_088_320,
        BdCertification::NoCertification,
    ));
    assert_eq!(min_spare.user_capacity(), Some(12_088_320));
    assert_eq!(min_spare.spare_clusters(), Some(4_096));
    // "At least" 11,900,001 sectors: 319,391 spare sectors hold 9,980 whole clusters
    // (319,360 sectors), so the user area is 12,219,392 - 319,360 = 11,900,032.
    let custom = formatted(&format(
        FormatType::BdReWithSpareAreas,
        11_900_001,
        BdCertification::QuickReformat,
    ));
    assert_eq!(custom.user_capacity(), Some(11_900_032));
    assert_eq!(custom.spare_clusters(), Some(9_980));
}

#[test]
fn format_30h_refuses_spare_outside_the_offered_range() {
    let (mut disc, _) = blank();
    // 12,100,000 blocks leave 3,731 clusters: fewer than ISA0's 4,096 (Pioneer: 05/26/00).
    for blocks in [12_100_000, 11_000_000, 0] {
        let e = disc
            .format(
                &format(
                    FormatType::BdReWithSpareAreas,
                    blocks,
                    BdCertification::QuickReformat,
                ),
                secs(0),
            )
            .unwrap_err();
        assert_eq!(e.triple, INVALID_FIELD_IN_PARAMETER_LIST, "{blocks} blocks");
        assert_eq!(
            e.sks,
            Some(SenseKeySpecific::FieldPointer {
                in_cdb: false,
                bit: None,
                byte: 4
            })
        );
    }
    let e = disc
        .format(
            &format(
                FormatType::DvdPlusRwBasic,
                u32::MAX,
                BdCertification::QuickReformat,
            ),
            secs(0),
        )
        .unwrap_err();
    assert_eq!(e.triple, INVALID_FIELD_IN_PARAMETER_LIST);
    assert_eq!(disc.blocking_format_progress(), None, "nothing started");
}

#[test]
fn format_31h_gives_the_whole_disc_without_defect_management() {
    let disc = formatted(&format(
        FormatType::BdReWithoutSpareAreas,
        12_219_392,
        BdCertification::QuickReformat,
    ));
    assert_eq!(disc.user_capacity(), Some(12_219_392));
    assert!(!disc.defect_management_active());
    assert_eq!(disc.read_capacity().unwrap().last_lba, 12_219_391);
}

#[test]
fn access_is_blocked_with_rising_progress_while_formatting() {
    let (mut disc, _) = blank();
    let busy = disc
        .format(
            &format(
                FormatType::BdReWithSpareAreas,
                11_826_176,
                BdCertification::QuickReformat,
            ),
            secs(0),
        )
        .unwrap();
    assert_eq!(busy.duration, Duration::from_secs(20), "quick reformat");
    // Progress in 1/65536: 5 of 20 s = 16,384; 10 of 20 s = 32,768.
    disc.advance(secs(5));
    assert_eq!(disc.blocking_format_progress(), Some(16_384));
    let mut out = vec![0; 2048];
    let e = disc.read(0, &mut out).unwrap_err();
    assert_eq!(e.triple, FORMAT_IN_PROGRESS);
    assert_eq!(e.sks, Some(SenseKeySpecific::Progress(16_384)));
    let e = disc.write(0, &out, false, secs(10)).unwrap_err();
    assert_eq!(e.triple, FORMAT_IN_PROGRESS);
    assert_eq!(e.sks, Some(SenseKeySpecific::Progress(32_768)));
    let e = disc
        .format(
            &format(FormatType::FullFormat, 0, BdCertification::QuickReformat),
            secs(10),
        )
        .unwrap_err();
    assert_eq!(e.triple, FORMAT_IN_PROGRESS);
    disc.advance(secs(20));
    assert_eq!(disc.blocking_format_progress(), None);
    disc.write(0, &out, false, secs(20)).unwrap();
}

#[test]
fn certification_sets_how_long_formatting_takes() {
    let (mut disc, _) = blank();
    let full = disc
        .format(
            &format(
                FormatType::BdReWithSpareAreas,
                11_826_176,
                BdCertification::FullCertification,
            ),
            secs(0),
        )
        .unwrap();
    // Write and verify 12,219,392 sectors at 2x: 2 * 12,219,392 * 2048 / 8,990,000 = 5567.4 s.
    assert!(
        full.duration > Duration::from_secs(5567) && full.duration < Duration::from_secs(5568),
        "{full:?}"
    );
    disc.advance(secs(5568));
    let quick_cert = disc
        .format(
            &format(
                FormatType::BdReWithSpareAreas,
                11_826_176,
                BdCertification::QuickCertification,
            ),
            secs(5568),
        )
        .unwrap();
    assert_eq!(quick_cert.duration, Duration::from_secs(600));
}

#[test]
fn streaming_writes_and_defect_management() {
    let mut disc = formatted(&format(
        FormatType::FullFormat,
        11_826_176,
        BdCertification::QuickReformat,
    ));
    assert!(
        disc.defect_management_active(),
        "spares: verify after write"
    );
    let data = blocks(0x31, 32);
    disc.write(64, &data, true, secs(100)).unwrap();
    assert_eq!(read(&mut disc, 64, 32), data);
    assert_eq!(disc.rmw_count(), 0, "whole 64 KiB clusters");
    // Overwrite anywhere, any number of times.
    let again = blocks(0x90, 32);
    disc.write(64, &again, false, secs(101)).unwrap();
    assert_eq!(read(&mut disc, 64, 32), again);
    // Never-written sectors of a formatted disc read as zeros.
    assert_eq!(read(&mut disc, 5_000_000, 2), vec![0; 2 * 2048]);
    // No CLOSE is needed; 010b answers GOOD at once.
    let close = CloseTrackSession {
        immed: true,
        function: CloseFunction::CloseSession,
        track_number: 0,
    };
    assert_eq!(disc.close(&close, secs(102)).unwrap(), Busy::default());
}

#[test]
fn a_partial_cluster_is_read_modified_and_written_whole() {
    let store = MemStore::new();
    let mut disc = BdRe::new(store.boxed());
    let busy = disc
        .format(
            &format(
                FormatType::BdReWithoutSpareAreas,
                12_219_392,
                BdCertification::QuickReformat,
            ),
            secs(0),
        )
        .unwrap();
    disc.advance(secs(0).after(busy.duration));
    let cluster = blocks(0x10, 32);
    disc.write(32, &cluster, true, secs(30)).unwrap();
    let writes = store.sector_writes();
    // 16 sectors in the middle of the cluster 32-63: one RMW of 32 sectors.
    let half = blocks(0xE0, 16);
    disc.write(40, &half, true, secs(31)).unwrap();
    assert_eq!(disc.rmw_count(), 1);
    assert_eq!(store.sector_writes() - writes, 32);
    let back = read(&mut disc, 32, 32);
    assert_eq!(back[..8 * 2048], cluster[..8 * 2048]);
    assert_eq!(back[8 * 2048..24 * 2048], half[..]);
    assert_eq!(back[24 * 2048..], cluster[24 * 2048..]);
}

#[test]
fn disc_structures_are_bd_ones() {
    let (disc, _) = blank();
    let c0 = ReadDiscStructure {
        media_type: DiscStructureMedia::Bd,
        address: 0,
        layer_number: 0,
        format_code: 0xC0,
        allocation_length: 8,
        agid: 0,
    };
    assert_eq!(
        disc.read_disc_structure(&c0, None).unwrap(),
        [0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // no write protection
    );
    let di = ReadDiscStructure {
        format_code: 0x00,
        ..c0
    };
    // Format 00h: the Disc Information, 4,100 bytes, its first unit a BD-RE's ("BDW").
    let info = disc.read_disc_structure(&di, None).unwrap();
    assert_eq!(info.len(), 4100);
    assert_eq!(&info[4..6], b"DI");
    assert_eq!(&info[12..15], b"BDW");
    let dvd = ReadDiscStructure {
        media_type: DiscStructureMedia::Dvd,
        ..c0
    };
    let e = disc.read_disc_structure(&dvd, None).unwrap_err();
    assert_eq!(e.triple, SenseTriple::new(0x5, 0x30, 0x02));
}
