//! The checker on an emulated BD-RE: a clean disc, a range the drive refuses (03/11/00
//! from a fault plan), and references that differ from the disc.

use std::io::Cursor;

use mmc_core::Transport;
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

use super::*;
use crate::manifest::{ImageDigest, CHUNK_BYTES};
use crate::DataWriter;

/// `sectors` sectors, each distinct.
fn image(sectors: usize) -> Vec<u8> {
    let mut v = vec![0u8; sectors * SECTOR];
    for (i, s) in v.chunks_mut(SECTOR).enumerate() {
        s.fill((i % 251) as u8);
        s[..8].copy_from_slice(&(i as u64).to_be_bytes());
    }
    v
}

/// A BD-RE drive holding `data` from LBA 0.
fn written(data: &[u8]) -> EmulatedDrive {
    let drive = testkit::drive_with(MediumKind::BdRe);
    let w = DataWriter::new();
    w.set_recorder(Recorder::open(drive).unwrap()).unwrap();
    w.set_client_name("check tests").unwrap();
    w.write(
        &mut Cursor::new(data),
        data.len() as u64,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    w.take_recorder().unwrap().unwrap().into_transport()
}

fn check<T: Transport>(drive: T, sectors: u32, reference: Option<Reference<'_>>) -> CheckReport {
    let mut rec = Recorder::open(drive).unwrap();
    Checker::default()
        .run(&mut rec, 0, sectors, reference, &mut |_, _| true)
        .unwrap()
}

/// READ (10) answers 03/11/00 UNRECOVERED READ ERROR for LBAs `first..=last`.
fn unreadable(first: u32, last: u32) -> FaultPlan {
    FaultPlan::from_json_str(&format!(
        r#"{{"rules": [{{"match": {{"opcode": "READ (10)", "lba": {{"first": {first}, "last": {last}}}}},
        "action": {{"sense": {{"key": "medium_error", "asc": "0x11", "ascq": 0}}}}, "times": "always"}}]}}"#
    ))
    .unwrap()
}

#[test]
fn a_clean_disc_passes_against_its_image_and_its_digest() {
    let data = image(300);
    let r = check(
        written(&data),
        300,
        Some(Reference::Image(&mut Cursor::new(&data))),
    );
    assert!(r.passed(), "{}", r.summary());
    assert_eq!(r.good_sectors, 300);
    assert_eq!(
        r.ranges,
        vec![Range {
            start: 0,
            sectors: 300,
            state: SectorState::Good
        }]
    );
    let digest = ImageDigest::of(&data);
    let r = check(written(&data), 300, Some(Reference::Digest(&digest)));
    assert!(r.passed(), "{}", r.summary());
}

#[test]
fn an_unreadable_range_is_mapped_to_the_sector() {
    let data = image(300);
    let drive = Faulty::for_drive(written(&data), unreadable(100, 103));
    let r = check(drive, 300, Some(Reference::Image(&mut Cursor::new(&data))));
    assert!(!r.passed());
    assert_eq!(r.unreadable_sectors, 4);
    assert_eq!(
        r.ranges,
        vec![
            Range {
                start: 0,
                sectors: 100,
                state: SectorState::Good
            },
            Range {
                start: 100,
                sectors: 4,
                state: SectorState::Unreadable
            },
            Range {
                start: 104,
                sectors: 196,
                state: SectorState::Good
            },
        ]
    );
    // Unreadable sectors count as zeros: they differ from the image.
    let c = r.comparison.unwrap();
    assert_eq!(c.first_differing_lba, Some(100));
    assert_eq!(c.differing_chunks, vec![0]);
}

#[test]
fn a_changed_sector_is_found_against_the_image_and_its_chunk_against_a_manifest() {
    let sectors = CHUNK_BYTES as usize / SECTOR + 40;
    let data = image(sectors);
    let mut reference = data.clone();
    // The disc holds `data`; the reference has sector 8200 (in chunk 1) different.
    let at = 8200usize;
    reference[at * SECTOR + 17] ^= 0x01;
    let r = check(
        written(&data),
        sectors as u32,
        Some(Reference::Image(&mut Cursor::new(&reference))),
    );
    assert!(!r.passed());
    assert_eq!(r.unreadable_sectors, 0);
    let c = r.comparison.unwrap();
    assert_eq!(c.first_differing_lba, Some(at as u32));
    assert_eq!(c.differing_chunks, vec![1]);

    let digest = ImageDigest::of(&reference);
    let r = check(
        written(&data),
        sectors as u32,
        Some(Reference::Digest(&digest)),
    );
    assert!(!r.passed());
    let c = r.comparison.unwrap();
    assert_eq!(c.differing_chunks, vec![1]);
    assert_eq!(c.chunk_lbas(1), (8192, 16383));
}

#[test]
fn an_image_longer_than_the_area_read_differs_after_it() {
    let data = image(64);
    let digest = ImageDigest::of(&image(CHUNK_BYTES as usize / SECTOR + 1));
    let r = check(written(&data), 64, Some(Reference::Digest(&digest)));
    assert_eq!(r.comparison.unwrap().differing_chunks, vec![0, 1]);
}

#[test]
fn reads_the_drive_delays_are_slow_by_its_clock() {
    let data = image(512);
    // Every READ (10) touching LBA 200-263 takes half a virtual second longer.
    let plan = FaultPlan::from_json_str(
        r#"{"rules": [{"match": {"opcode": "READ (10)", "lba": {"first": 200, "last": 263}},
        "action": {"delay": {"ms": 500}}, "times": "always"}]}"#,
    )
    .unwrap();
    let r = check(Faulty::for_drive(written(&data), plan), 512, None);
    // Read 32 sectors at a time: the blocks from 192 to 287 are the slow ones.
    assert_eq!(
        r.ranges,
        vec![
            Range {
                start: 0,
                sectors: 192,
                state: SectorState::Good
            },
            Range {
                start: 192,
                sectors: 96,
                state: SectorState::Slow
            },
            Range {
                start: 288,
                sectors: 224,
                state: SectorState::Good
            },
        ]
    );
    assert!(r.passed(), "slow is not a failure: {}", r.summary());
}

#[test]
fn a_read_across_a_manifest_chunk_boundary_is_hashed_into_both_chunks() {
    // READs of 100 sectors: the one from LBA 8100 ends 8 sectors into chunk 1 (8192 on).
    let sectors = CHUNK_BYTES as usize / SECTOR + 40;
    let data = image(sectors);
    let options = CheckOptions {
        block_sectors: 100,
        ..CheckOptions::default()
    };
    let run = |digest: &ImageDigest| {
        let mut rec = Recorder::open(written(&data)).unwrap();
        Checker::new(options)
            .run(
                &mut rec,
                0,
                sectors as u32,
                Some(Reference::Digest(digest)),
                &mut |_, _| true,
            )
            .unwrap()
    };
    assert!(run(&ImageDigest::of(&data)).passed());

    // Sector 8195 changed, inside that READ's part of chunk 1: chunk 1 differs, not chunk 0.
    let mut reference = data.clone();
    reference[8195 * SECTOR + 3] ^= 0x80;
    let c = run(&ImageDigest::of(&reference)).comparison.unwrap();
    assert_eq!(c.differing_chunks, vec![1]);
}
