//! Rewritable media (DVD+RW, BD-RE): a write with a block range list changes only those
//! sectors (the transcript shows no WRITE outside them); a full write over a written disc
//! needs ForceOverwrite and then starts at LBA 0; without it the disc is not touched.

mod common;

use common::*;
use discwriter::{ApiMisuse, BlockRange, Error, VerificationLevel, WriteOptions};
use std::io::Cursor;

use mmc_core::trace::{TraceRecord, Tracing};
use virtdrive::EmulatedDrive;

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
    d: EmulatedDrive,
    data: &[u8],
    ranges: Option<&[BlockRange]>,
    force_overwrite: bool,
) -> (
    Result<discwriter::WriteOutcome, Error>,
    Vec<mmc_core::trace::TraceRecord>,
    EmulatedDrive,
) {
    traced_write_ranges(d, data, ranges, options(force_overwrite))
}

/// A disc formatted by an earlier write is not formatted again. A DVD+RW whose background
/// format that write's compatibility close stopped gets it resumed (26h with Restart), which
/// keeps the data; anything else gets no FORMAT UNIT at all.
fn assert_not_formatted_again(kind: virtdrive::medium::MediumKind, records: &[TraceRecord]) {
    let formats = format_units(records);
    if kind == DVD_PLUS_RW {
        assert_eq!(formats, [(0x26, 1)], "dvd+rw: only a restart");
    } else {
        assert!(formats.is_empty(), "{}: no FORMAT UNIT", kind.name());
    }
}

/// READ DISC INFORMATION's BG Format Status (byte 7, bits 1-0; MMC-6 6.22.3.1.13).
fn bg_format_status(d: &mut EmulatedDrive) -> u8 {
    use mmc_core::{DataPhase, Transport};
    let mut info = [0u8; 34];
    let cdb = [0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0];
    let c = d
        .execute(
            &cdb,
            DataPhase::In(&mut info),
            std::time::Duration::from_secs(5),
        )
        .unwrap();
    assert!(c.is_good(), "{c:?}");
    info[7] & 0b11
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
        // The disc was formatted by the first write; it is not formatted again. A DVD+RW
        // whose background format the first write's compatibility close stopped gets it
        // resumed (26h with Restart), which keeps the data.
        assert_not_formatted_again(kind, &records);

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
        assert!(
            matches!(e, Error::MediaNotBlank { .. }),
            "{}: {e:?}",
            kind.name()
        );
        assert_eq!(e.hresult(), 0xC0AA_0405);
        assert!(writes_in(&records).is_empty(), "{}: no WRITE", kind.name());
        assert!(
            !sent(&records, FORMAT_UNIT),
            "{}: no FORMAT UNIT",
            kind.name()
        );

        // With it: written from LBA 0.
        let (r, records, mut d) = traced_write(d, &second, None, true);
        let o = r.unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        assert_eq!(o.start_lba, 0, "{}", kind.name());
        let writes = writes_in(&records);
        assert_eq!(writes.first().map(|w| w.0), Some(0), "{}", kind.name());
        assert_not_formatted_again(kind, &records);
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
    assert!(matches!(e, Error::Api(ApiMisuse::InvalidArg(_))), "{e:?}");
    assert_eq!(e.hresult(), 0x8007_0057);
    assert!(writes_in(&records).is_empty(), "no WRITE");
}

#[test]
fn a_stopped_dvd_plus_rw_format_is_resumed_by_the_next_write_and_a_finished_one_left_alone() {
    // A blank disc: the write starts a fresh background format (26h, no Restart) and its
    // compatibility close stops it part-way (BG Format Status 01b).
    let first = image(SECTORS, 1);
    let (r, records, mut d) = traced_write(drive(DVD_PLUS_RW), &first, None, false);
    r.unwrap();
    assert_eq!(format_units(&records), [(0x26, 0)]);
    assert_eq!(bg_format_status(&mut d), 0b01, "stopped by the close");

    // The next write resumes it with the Restart bit, and the data written before is kept
    // beyond the new image.
    let second = image(300, 2);
    let (r, records, mut d) = traced_write(d, &second, None, true);
    r.unwrap();
    assert_eq!(format_units(&records), [(0x26, 1)]);
    assert_same_sectors(&read_back(&mut d, 0, 300), &second, 0, "the second write");
    assert_same_sectors(
        &read_back(&mut d, 300, SECTORS - 300),
        &first[300 * 2048..],
        300,
        "the rest of the first write",
    );

    // Formatted to the end (the `format` command without --quick): a write finds nothing
    // to resume, and its close leaves the format complete.
    let mut rec = discwriter::Recorder::open(d).unwrap();
    rec.format_medium(false, &discwriter::writer::Timeouts::default(), &mut |_| {})
        .unwrap();
    let mut d = rec.into_transport();
    assert_eq!(bg_format_status(&mut d), 0b11);
    let third = image(200, 3);
    let (r, records, mut d) = traced_write(d, &third, None, true);
    r.unwrap();
    assert!(format_units(&records).is_empty(), "no FORMAT UNIT");
    assert_eq!(bg_format_status(&mut d), 0b11);
    assert_same_sectors(&read_back(&mut d, 0, 200), &third, 0, "the third write");
}

/// FreeSectorsOnMedia on a blank BD-RE is what the disc holds once the write has formatted
/// it (the default format keeps spare areas out of the user data area), not its capacity
/// without spares: a stream one sector larger is refused with
/// E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA before the disc is formatted, and after
/// a write TotalSectorsOnMedia is that same figure.
#[test]
fn free_sectors_on_a_blank_bd_re_are_what_it_holds_once_formatted() {
    let w = writer(
        Tracing::new(drive(BD_RE)),
        WriteOptions {
            verification: VerificationLevel::None,
            ..WriteOptions::default()
        },
    );
    let free = w.free_sectors_on_media().unwrap();
    let too_large = (u64::from(free) + 1) * 2048;
    let r = w.write(
        &mut Cursor::new(image(16, 1)),
        too_large,
        None,
        &mut |_, _| {},
    );
    assert!(
        matches!(r, Err(Error::StreamTooLargeForCurrentMedia { .. })),
        "{r:?}"
    );
    let (d, records) = drive_and_transcript(&w);
    assert!(
        format_units(&records).is_empty(),
        "nothing formatted before the stream was found too large"
    );
    let w = writer(
        d,
        WriteOptions {
            verification: VerificationLevel::None,
            ..WriteOptions::default()
        },
    );
    w.write(
        &mut Cursor::new(image(16, 1)),
        16 * 2048,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(w.total_sectors_on_media().unwrap(), free);
    assert_eq!(w.free_sectors_on_media().unwrap(), free);
}
