//! MediaHeuristicallyBlank and the check a Write without ForceOverwrite makes on an
//! overwritable disc (DVD+RW, BD-RE): the first and the last 2 MB of the formatted area, and
//! the file-system descriptors there (ISO 9660 from sector 16, UDF anchors at 256, N-256 and
//! N). The same answer for the property and the Write.

mod common;

use common::*;
use discwriter::recorder::Timeouts;
use discwriter::{DataWriter, Error, Recorder, VerificationLevel, WriteOptions};
use mmc_core::trace::Tracing;
use testkit::{be32, command_in, command_out, READ_CAPACITY};
use virtdrive::{DriveConfig, EmulatedDrive};

const READ_10: u8 = 0x28;

/// A disc of `kind`, formatted (a DVD+RW's background format run to its end, a BD-RE's
/// quick format), holding `sectors` at the LBAs given (negative:
/// counted back from READ CAPACITY's end, -1 the last sector); READ CAPACITY's end.
fn disc_holding(
    kind: virtdrive::medium::MediumKind,
    config: DriveConfig,
    sectors: &[(i64, Vec<u8>)],
) -> (EmulatedDrive, i64) {
    let mut rec = Recorder::open(EmulatedDrive::with_medium(
        config,
        testkit::blank_disc(kind),
    ))
    .unwrap();
    rec.format_medium(kind == BD_RE, &Timeouts::default(), &mut |_| {})
        .unwrap();
    let mut d = rec.into_transport();
    let cap = command_in(&mut d, &READ_CAPACITY, 8);
    let end = i64::from(be32(&cap[0..4])) + 1;
    for (lba, data) in sectors {
        let at = if *lba < 0 { end + lba } else { *lba };
        let blocks = (data.len() / 2048) as u16;
        command_out(&mut d, &testkit::write10(at, blocks), data);
    }
    testkit::command_ok(&mut d, &testkit::SYNCHRONIZE_CACHE);
    (d, end)
}

fn quick() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::None,
        ..WriteOptions::default()
    }
}

/// A UDF anchor volume descriptor pointer (ECMA-167 3/10.2) tagged for `lba`.
fn anchor(lba: u32) -> Vec<u8> {
    let mut s = vec![0u8; 2048];
    s[0] = 2; // tag identifier 2: anchor volume descriptor pointer
    s[2] = 2; // descriptor version
    s[12..16].copy_from_slice(&lba.to_le_bytes());
    s[16..20].copy_from_slice(&(16 * 2048u32).to_le_bytes());
    s[20..24].copy_from_slice(&32u32.to_le_bytes());
    s[4] = s[..16]
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != 4)
        .fold(0u8, |a, (_, &b)| a.wrapping_add(b));
    s
}

#[test]
fn data_only_in_the_last_2_mb_is_not_blank_and_a_write_without_force_overwrite_refuses() {
    for kind in [DVD_PLUS_RW, BD_RE] {
        let tail = image(32, 7);
        // 40 sectors before the end: past the first 2 MB, inside the last.
        let (d, end) = disc_holding(kind, DriveConfig::default(), &[(-40, tail.clone())]);
        let w = writer(Tracing::new(d), quick());
        assert!(!w.media_physically_blank().unwrap(), "{}", kind.name());
        assert!(
            !w.media_heuristically_blank().unwrap(),
            "{}: data at LBA {}",
            kind.name(),
            end - 40
        );
        let (r, _) = write_collecting(&w, &image(64, 1));
        let e = r.unwrap_err();
        assert!(
            matches!(e, Error::MediaNotBlank { .. }),
            "{}: {e:?}",
            kind.name()
        );
        assert_eq!(e.code().name(), "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK");
        assert_eq!(e.hresult(), 0xC0AA_0405);
        let (mut d, records) = drive_and_transcript(&w);
        assert!(
            writes_in(&records).is_empty(),
            "{}: nothing written",
            kind.name()
        );
        assert_same_sectors(
            &read_back(&mut d, end - 40, 32),
            &tail,
            end - 40,
            "the data at the end",
        );
    }
}

#[test]
fn a_lone_udf_anchor_or_iso_9660_descriptor_is_not_blank() {
    for kind in [DVD_PLUS_RW, BD_RE] {
        for (what, lba, sector) in [
            ("a UDF anchor at 256", 256, anchor(256)),
            (
                "an ISO 9660 primary volume descriptor at 16",
                16,
                testkit::iso9660_pvd(2048),
            ),
        ] {
            let (d, _) = disc_holding(kind, DriveConfig::default(), &[(lba, sector)]);
            let w = writer(d, quick());
            assert!(
                !w.media_heuristically_blank().unwrap(),
                "{}: {what}",
                kind.name()
            );
            let (r, _) = write_collecting(&w, &image(64, 1));
            let e = r.unwrap_err();
            assert!(
                matches!(e, Error::MediaNotBlank { .. }),
                "{}: {what}: {e:?}",
                kind.name()
            );
        }
        // The closing anchor at N, the disc's last sector, alone.
        let (mut d, end) = disc_holding(kind, DriveConfig::default(), &[]);
        let last = u32::try_from(end - 1).unwrap();
        command_out(&mut d, &testkit::write10(last, 1), &anchor(last));
        let w = writer(d, quick());
        assert!(
            !w.media_heuristically_blank().unwrap(),
            "{}: anchor at N",
            kind.name()
        );
        let e = write_collecting(&w, &image(64, 1)).0.unwrap_err();
        assert!(
            e.to_string().contains("UDF"),
            "{}: the message names the file system: {e}",
            kind.name()
        );
    }
}

#[test]
fn a_disc_of_zeros_is_blank_and_written_without_force_overwrite() {
    for kind in [DVD_PLUS_RW, BD_RE] {
        // Zeros written at both ends are no data.
        let zeros = vec![0u8; 32 * 2048];
        let (d, _) = disc_holding(
            kind,
            DriveConfig::default(),
            &[(0, zeros.clone()), (-32, zeros)],
        );
        let w = writer(d, quick());
        assert!(w.media_heuristically_blank().unwrap(), "{}", kind.name());
        let data = image(64, 3);
        let (r, _) = write_collecting(&w, &data);
        assert_eq!(r.unwrap().start_lba, 0, "{}", kind.name());
        let mut d = w.take_recorder().unwrap().unwrap().into_transport();
        assert_same_sectors(&read_back(&mut d, 0, 64), &data, 0, "the write");
    }
}

#[test]
fn the_check_reads_each_end_once_in_the_transfers_the_path_allows() {
    for (limit, per_read) in [(None, 32u64), (Some(32 * 1024), 16)] {
        let config = DriveConfig {
            max_transfer_bytes: limit,
            ..DriveConfig::default()
        };
        let (d, end) = disc_holding(BD_RE, config, &[]);
        let w: DataWriter<Tracing<EmulatedDrive>> = writer(Tracing::new(d), quick());
        assert!(w.media_heuristically_blank().unwrap());
        let (_, records) = drive_and_transcript(&w);
        let reads: Vec<(i64, u64)> = records
            .iter()
            .filter_map(|r| {
                let cdb = mmc_core::wire::parse_hex_words([r.cdb.as_str()]).ok()?;
                (cdb.first() == Some(&READ_10)).then(|| {
                    (
                        i64::from(i32::from_be_bytes([cdb[2], cdb[3], cdb[4], cdb[5]])),
                        u64::from(u16::from_be_bytes([cdb[7], cdb[8]])),
                    )
                })
            })
            .collect();
        // Two 2 MB ends, each sector once, no READ longer than the path takes.
        assert_eq!(
            reads.len() as u64,
            2 * 1024 / per_read,
            "{limit:?}: {reads:?}"
        );
        assert!(reads.iter().all(|&(_, n)| n == per_read), "{limit:?}");
        assert_eq!(reads.first().map(|r| r.0), Some(0));
        assert_eq!(reads.last().map(|r| r.0 + r.1 as i64), Some(end));
    }
}
