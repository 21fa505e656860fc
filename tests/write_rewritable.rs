//! Rewritable media (DVD+RW, BD-RE): a write with a block range list changes only those
//! sectors (the transcript shows no WRITE outside them); a full write over a written disc
//! needs ForceOverwrite and then starts at LBA 0; without it the disc is not touched.

mod common;

use std::io::Cursor;

use common::*;
use discwriter::{BlockRange, DataWriter, Error, VerificationLevel, WriteOptions};
use mmc_core::trace::Tracing;
use virtdrive::VirtDrive;

const FORMAT_UNIT: u8 = 0x04;
const SECTORS: u64 = 640;

fn options(force_overwrite: bool) -> WriteOptions {
    WriteOptions {
        force_overwrite,
        verification: VerificationLevel::Full,
        ..WriteOptions::default()
    }
}

/// Writes `data` through a fresh traced writer over `d`; returns the result and the
/// transcript.
fn traced_write(
    d: VirtDrive,
    data: &[u8],
    ranges: Option<&[BlockRange]>,
    force_overwrite: bool,
) -> (
    Result<discwriter::WriteOutcome, Error>,
    Vec<mmc_core::trace::TraceRecord>,
    VirtDrive,
) {
    let w: DataWriter<Tracing<VirtDrive>> = writer(Tracing::new(d), options(force_overwrite));
    let r = w.write(
        &mut Cursor::new(data.to_vec()),
        data.len() as u64,
        ranges,
        &mut |_, _| {},
    );
    let (d, records) = w
        .take_recorder()
        .unwrap()
        .unwrap()
        .into_transport()
        .into_parts();
    (r, records, d)
}

fn in_ranges(lba: u64, ranges: &[BlockRange]) -> bool {
    ranges
        .iter()
        .any(|r| (r.start_lba..=r.end_lba).contains(&lba))
}

#[test]
fn a_block_range_list_changes_only_its_sectors() {
    // Whole ECC blocks, a range across a block boundary, and a single sector.
    let ranges = [
        BlockRange {
            start_lba: 32,
            end_lba: 63,
        },
        BlockRange {
            start_lba: 200,
            end_lba: 250,
        },
        BlockRange {
            start_lba: 500,
            end_lba: 500,
        },
    ];
    for kind in [DVD_PLUS_RW, BD_RE] {
        let old = image(SECTORS, 1);
        let (r, _, d) = traced_write(drive(kind), &old, None, false);
        r.unwrap();

        let new = image(SECTORS, 2);
        let (r, records, mut d) = traced_write(d, &new, Some(&ranges), false);
        let o = r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert_eq!(o.start_lba, 0);

        // The transcript: every WRITE lies inside the ranges, and together they cover them.
        let writes = writes_in(&records);
        assert!(!writes.is_empty());
        let mut covered = Vec::new();
        for (lba, blocks, good) in writes {
            assert!(good, "{}: WRITE at {lba} answered GOOD", kind.name());
            for s in lba as u64..lba as u64 + blocks {
                assert!(
                    in_ranges(s, &ranges),
                    "{}: WRITE ({lba}, {blocks}) touches LBA {s}, outside the ranges",
                    kind.name()
                );
                covered.push(s);
            }
        }
        covered.sort_unstable();
        let expected: Vec<u64> = (0..SECTORS).filter(|&s| in_ranges(s, &ranges)).collect();
        assert_eq!(covered, expected, "{}: each range sector once", kind.name());
        // The disc was formatted by the first write; it is not formatted again.
        assert!(
            !sent(&records, FORMAT_UNIT),
            "{}: no FORMAT UNIT",
            kind.name()
        );

        // The disc: new sectors inside the ranges, the old ones everywhere else.
        let disc = read_back(&mut d, 0, SECTORS);
        for (s, (got, (was, now))) in disc
            .chunks(2048)
            .zip(old.chunks(2048).zip(new.chunks(2048)))
            .enumerate()
        {
            let want = if in_ranges(s as u64, &ranges) {
                now
            } else {
                was
            };
            assert!(got == want, "{}: sector {s}", kind.name());
        }
    }
}

#[test]
fn a_full_write_over_a_written_disc_needs_force_overwrite_and_starts_at_lba_0() {
    for kind in [DVD_PLUS_RW, BD_RE] {
        let first = image(SECTORS, 1);
        let (r, _, d) = traced_write(drive(kind), &first, None, false);
        r.unwrap();

        // Without ForceOverwrite: E_IMAPI_DF2DATA_MEDIA_NOT_BLANK, nothing written.
        let second = image(300, 2);
        let (r, records, d) = traced_write(d, &second, None, false);
        let e = r.unwrap_err();
        assert!(matches!(e, Error::MediaNotBlank), "{}: {e:?}", kind.name());
        assert_eq!(e.hresult(), 0xC0AA_0405);
        assert!(writes_in(&records).is_empty(), "{}: no WRITE", kind.name());

        // With it: written from LBA 0.
        let (r, records, mut d) = traced_write(d, &second, None, true);
        let o = r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert_eq!(o.start_lba, 0, "{}", kind.name());
        let writes = writes_in(&records);
        assert_eq!(writes.first().map(|w| w.0), Some(0), "{}", kind.name());
        assert!(
            !sent(&records, FORMAT_UNIT),
            "{}: no FORMAT UNIT",
            kind.name()
        );
        assert_same_sectors(&read_back(&mut d, 0, 300), &second, 0, "the second write");
        // Beyond the second image, the first one is still there (nothing was erased).
        assert_same_sectors(
            &read_back(&mut d, 300, SECTORS - 300),
            &first[300 * 2048..],
            300,
            "the rest of the first write",
        );
    }
}

#[test]
fn a_block_range_list_on_a_cd_r_is_refused_before_anything_is_written() {
    let ranges = [BlockRange {
        start_lba: 32,
        end_lba: 63,
    }];
    let (r, records, _) = traced_write(drive(CD_R), &image(320, 1), Some(&ranges), false);
    let e = r.unwrap_err();
    assert!(matches!(e, Error::InvalidArg(_)), "{e:?}");
    assert_eq!(e.hresult(), 0x8007_0057);
    assert!(writes_in(&records).is_empty(), "no WRITE");
}
