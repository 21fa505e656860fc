//! The write engine on DVD+R and BD-R (IMAPI's write-once DVD and BD path): a session at the
//! next writable address in whole ECC blocks, CLOSE TRACK then CLOSE SESSION, the finalizing
//! close on ForceMediaToBeClosed and under IMAPI's 2 % rule, a second session where the
//! drive says, cancel leaving the disc appendable, and the command line over disc files.
//! A DVD+R stays appendable only with DisableConsumerDvdCompatibilityMode (Microsoft's
//! table, `write_closing.rs`): the session-by-session cases set it, and BD-R ignores it.
//!
//! Expected addresses are worked out from the media's rules (virtdrive's `sequential`
//! notes): DVD+R pads to 16-sector blocks and starts a new session 2,048 sectors (Closure
//! and Intro) after the last; BD-R pads to 32-sector clusters and starts the next session
//! at the next cluster.

mod common;

use std::io::Cursor;

use common::*;
use discwriter::{CancelHandle, DataWriter, Error, ProgressEvent, WriteAction, WriteOptions};
use mmc_core::Transport;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

const DVD_PLUS_R: MediumKind = MediumKind::DvdPlusR;
const BD_R: MediumKind = MediumKind::BdR;

/// What differs between the two media for these tests.
struct Case {
    kind: MediumKind,
    ecc_block: u64,
    /// Sectors between the end of a session and the next session's first track.
    session_gap: u64,
    /// The close function byte that finalizes with the default options (DVD+R 101b, the
    /// compatible close; BD-R 110b).
    finalize: u8,
    capacity: u64,
}

const CASES: [Case; 2] = [
    Case {
        kind: DVD_PLUS_R,
        ecc_block: 16,
        session_gap: 2048,
        finalize: 0b101,
        capacity: 2_295_104,
    },
    Case {
        kind: BD_R,
        ecc_block: 32,
        session_gap: 0,
        finalize: 0b110,
        capacity: 12_219_392,
    },
];

/// DisableConsumerDvdCompatibilityMode: a DVD+R write closes only its session unless
/// ForceMediaToBeClosed or the 2 % rule closes the disc normally (110b); no effect on BD-R.
fn keep_appendable() -> WriteOptions {
    WriteOptions {
        disable_consumer_dvd_compatibility_mode: true,
        ..WriteOptions::default()
    }
}

impl Case {
    /// Where the session after one of `sectors` written at `start` begins.
    fn next_session(&self, start: u64, sectors: u64) -> u64 {
        start + sectors.div_ceil(self.ecc_block) * self.ecc_block + self.session_gap
    }
}

/// READ DISC INFORMATION byte 2 and the invisible track's next writable address.
fn disc_state<T: Transport>(d: &mut T) -> (u8, Option<u32>) {
    let mut rec = discwriter::Recorder::open(d).unwrap();
    let s = rec.disc_summary().unwrap();
    let status = match s.status {
        discwriter::DiscState::Blank => 0,
        discwriter::DiscState::Appendable => 1,
        discwriter::DiscState::Complete => 2,
        discwriter::DiscState::Other => 3,
    };
    (status, s.next_writable_address)
}

#[test]
fn a_write_to_a_blank_disc_records_one_session_in_whole_ecc_blocks() {
    for case in &CASES {
        let name = case.kind.name();
        let img = image(1000, 1);
        let (r, records, mut d) = traced_write(drive(case.kind), &img, keep_appendable());
        let out = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.start_lba, 0, "{name}");
        assert!(
            !out.disc_closed,
            "{name}: 1,000 sectors leave far more than 2 %"
        );

        // Every WRITE starts on an ECC block and all but the last are whole blocks,
        // one after the other from LBA 0.
        let writes = writes_in(&records);
        let mut next = 0;
        for (i, &(lba, n, good)) in writes.iter().enumerate() {
            assert!(good, "{name}: WRITE at {lba}");
            assert_eq!(lba as u64, next, "{name}: sequential");
            assert_eq!(lba as u64 % case.ecc_block, 0, "{name}: WRITE at {lba}");
            if i + 1 < writes.len() {
                assert_eq!(n % case.ecc_block, 0, "{name}: {n} sectors at {lba}");
            }
            next += n;
        }
        assert_eq!(
            next, 1000,
            "{name}: the image and nothing else (no post-gap)"
        );
        assert!(!sent(&records, 0x55), "{name}: no MODE SELECT of page 05h");
        assert!(!sent(&records, 0x04), "{name}: no FORMAT UNIT");
        // SYNCHRONIZE CACHE, then CLOSE TRACK of track 1 and CLOSE SESSION.
        let ops: Vec<u8> = cdbs(&records).iter().map(|c| c[0]).collect();
        let sync = ops.iter().rposition(|&o| o == 0x35).unwrap();
        let first_close = ops.iter().position(|&o| o == 0x5B).unwrap();
        assert!(
            sync < first_close,
            "{name}: the cache is flushed before closing"
        );
        assert_eq!(closes(&records), vec![(0b001, 1), (0b010, 0)], "{name}");

        assert_eq!(
            disc_state(&mut d),
            (1, Some(case.next_session(0, 1000) as u32)),
            "{name}: appendable, the next session where the rules put it"
        );
        assert_same_sectors(&read_back(&mut d, 0, 1000), &img, 0, name);
    }
}

#[test]
fn a_second_write_appends_a_session_at_the_address_the_drive_reports() {
    for case in &CASES {
        let name = case.kind.name();
        let first = image(700, 1);
        let second = image(300, 2);
        let (r, _, d) = traced_write(drive(case.kind), &first, keep_appendable());
        r.unwrap();
        let (r, records, mut d) = traced_write(d, &second, keep_appendable());
        let out = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        let start = case.next_session(0, 700);
        assert_eq!(out.start_lba as u64, start, "{name}");
        assert_eq!(
            writes_in(&records)[0].0 as u64,
            start,
            "{name}: first WRITE"
        );
        assert_eq!(
            closes(&records),
            vec![(0b001, 2), (0b010, 0)],
            "{name}: track 2"
        );
        assert_same_sectors(&read_back(&mut d, 0, 700), &first, 0, name);
        assert_same_sectors(
            &read_back(&mut d, start as i64, 300),
            &second,
            start as i64,
            name,
        );
        assert_eq!(
            disc_state(&mut d),
            (1, Some(case.next_session(start, 300) as u32)),
            "{name}"
        );
    }
}

#[test]
fn force_media_to_be_closed_finalizes_with_the_medium_s_function() {
    for case in &CASES {
        let name = case.kind.name();
        let img = image(64, 3);
        let options = WriteOptions {
            force_media_to_be_closed: true,
            ..WriteOptions::default()
        };
        let (r, records, mut d) = traced_write(drive(case.kind), &img, options);
        assert!(r.unwrap().disc_closed, "{name}");
        assert_eq!(
            closes(&records),
            vec![(0b001, 1), (case.finalize, 0)],
            "{name}: CLOSE TRACK, then the finalizing function"
        );
        assert_eq!(disc_state(&mut d), (2, None), "{name}: complete");
        assert_same_sectors(&read_back(&mut d, 0, 64), &img, 0, name);
        // Nothing more can be recorded, and nothing is sent to try.
        let (r, records, _) = traced_write(d, &image(16, 4), WriteOptions::default());
        assert!(
            matches!(r, Err(Error::InvalidMediaState { .. })),
            "{name}: {r:?}"
        );
        assert!(writes_in(&records).is_empty(), "{name}");
    }
}

/// A disc whose first session, of `sectors` sectors, is already closed.
fn disc_with_session(case: &Case, sectors: u64) -> EmulatedDrive {
    let state = serde_json::json!({
        "medium": case.kind.name(),
        "version": 1,
        "sessions": [{ "tracks": [{ "number": 1, "start": 0, "recorded": sectors }], "closed": true }],
        "finalized": false,
    });
    let m = medium::load(case.kind, &state, Box::new(MemoryStore::new())).unwrap();
    EmulatedDrive::with_medium(DriveConfig::default(), m)
}

#[test]
fn a_write_leaving_at_most_2_percent_closes_the_disc() {
    for case in &CASES {
        let name = case.kind.name();
        // 2 % of the disc, and a first session that leaves a little more than that.
        let two_percent = case.capacity / 50;
        let first = (case.capacity - two_percent - case.session_gap - 4 * case.ecc_block)
            / case.ecc_block
            * case.ecc_block;
        let nwa = first + case.session_gap;
        let free = case.capacity - nwa;
        assert!(
            free > two_percent,
            "{name}: the disc starts above the 2 % line"
        );

        // An image that leaves exactly 2 %: the disc is closed, normally (110b).
        let sectors = free - two_percent;
        let (r, records, mut d) = traced_write(
            disc_with_session(case, first),
            &image(sectors, 5),
            keep_appendable(),
        );
        let out = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out.start_lba as u64, nwa, "{name}");
        assert!(
            out.disc_closed,
            "{name}: {free} - {sectors} left of {}",
            case.capacity
        );
        assert_eq!(closes(&records).last(), Some(&(0b110, 0)), "{name}");
        assert_eq!(disc_state(&mut d).0, 2, "{name}: complete");

        // One sector less leaves more than 2 %: the session is closed, the disc not.
        let (r, records, _) = traced_write(
            disc_with_session(case, first),
            &image(sectors - 1, 5),
            keep_appendable(),
        );
        assert!(!r.unwrap().disc_closed, "{name}");
        assert_eq!(closes(&records).last(), Some(&(0b010, 0)), "{name}");
    }
}

#[test]
fn an_image_larger_than_the_free_space_is_refused_before_writing() {
    for case in &CASES {
        let name = case.kind.name();
        let first = case.capacity - case.session_gap - 64 * case.ecc_block;
        let (r, records, _) = traced_write(
            disc_with_session(case, first),
            &image(64 * case.ecc_block + 1, 1),
            WriteOptions::default(),
        );
        assert!(
            matches!(r, Err(Error::StreamTooLargeForCurrentMedia { .. })),
            "{name}: {r:?}"
        );
        assert!(writes_in(&records).is_empty(), "{name}");
    }
}

#[test]
fn cancel_mid_write_closes_the_session_and_leaves_the_disc_appendable() {
    for case in &CASES {
        let name = case.kind.name();
        let img = image(30_000, 6);
        let w: DataWriter<EmulatedDrive> = writer(drive(case.kind), WriteOptions::default());
        let r = w.write(
            &mut Cursor::new(img.clone()),
            img.len() as u64,
            None,
            &mut |e: &ProgressEvent, cancel: &CancelHandle| {
                if e.action == WriteAction::WritingData && e.last_written_lba >= 15_000 {
                    cancel.cancel();
                }
            },
        );
        let Err(Error::RequestCancelled {
            last_written_lba: Some(last),
        }) = r
        else {
            panic!("{name}: {r:?}");
        };
        assert!(
            (15_000..29_999).contains(&last),
            "{name}: stopped at {last}"
        );
        let mut d = w.take_recorder().unwrap().unwrap().into_transport();
        let written = last as u64 + 1;
        assert_eq!(
            disc_state(&mut d),
            (1, Some(case.next_session(0, written) as u32)),
            "{name}: appendable after the cancelled session"
        );
        assert_same_sectors(
            &read_back(&mut d, 0, written),
            &img[..written as usize * 2048],
            0,
            name,
        );
        // The next write goes on in a new session.
        let (r, _, _) = traced_write(d, &image(32, 7), WriteOptions::default());
        assert_eq!(
            r.unwrap().start_lba as u64,
            case.next_session(0, written),
            "{name}"
        );
    }
}

#[test]
fn the_command_line_appends_sessions_reads_them_back_and_closes_the_disc() {
    for case in &CASES {
        let name = case.kind.name();
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        let disc = dir.path().join("seq.disc");
        let spec = format!("virt:{name}@{}", disc.display());
        // Whole clusters, so a session reads back as exactly its image.
        let images = [image(1_600, 1), image(2_400, 2)];
        let mut start = 0u64;
        let mut starts = Vec::new();
        for (i, img) in images.iter().enumerate() {
            let path = dir.path().join(format!("s{}.img", i + 1));
            std::fs::write(&path, img).unwrap();
            let o = ok(
                discwriter(
                    &[
                        "write",
                        path.to_str().unwrap(),
                        "--drive",
                        &spec,
                        "--json",
                        "--disable-dvd-compatibility",
                    ],
                    home,
                ),
                "write",
            );
            let out = String::from_utf8_lossy(&o.stdout);
            let result: serde_json::Value =
                serde_json::from_str(out.lines().last().unwrap()).unwrap();
            assert_eq!(
                result["result"]["hresult"], "0x00000000",
                "{name}: {result}"
            );
            assert_eq!(
                result["result"]["start_lba"],
                start,
                "{name}: session {}",
                i + 1
            );
            starts.push(start);
            start = case.next_session(start, img.len() as u64 / 2048);

            let o = ok(
                discwriter(&["info", "--drive", &spec, "--json"], home),
                "info",
            );
            let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(info["status"], "appendable", "{name}");
            assert_eq!(info["sessions"], i + 1, "{name}");
            assert_eq!(info["next_writable_address"], start, "{name}");
            assert_eq!(info["free_sectors"], case.capacity - start, "{name}");
            assert_eq!(info["total_sectors"], case.capacity, "{name}");
        }
        for (i, img) in images.iter().enumerate() {
            let out = dir.path().join(format!("back{}.img", i + 1));
            let n = (i + 1).to_string();
            ok(
                discwriter(
                    &[
                        "read",
                        out.to_str().unwrap(),
                        "--drive",
                        &spec,
                        "--session",
                        &n,
                    ],
                    home,
                ),
                "read",
            );
            let back = std::fs::read(&out).unwrap();
            assert!(back == *img, "{name}: session {n} reads back byte for byte");
        }

        // A third session with --close finalizes; a fourth write is refused.
        let third = dir.path().join("s3.img");
        std::fs::write(&third, image(64, 3)).unwrap();
        ok(
            discwriter(
                &[
                    "write",
                    third.to_str().unwrap(),
                    "--drive",
                    &spec,
                    "--close",
                ],
                home,
            ),
            "write --close",
        );
        let o = ok(
            discwriter(&["info", "--drive", &spec, "--json"], home),
            "info",
        );
        let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(info["status"], "complete", "{name}");
        assert_eq!(info["sessions"], 3, "{name}");
        let o = discwriter(&["write", third.to_str().unwrap(), "--drive", &spec], home);
        assert!(
            !o.status.success(),
            "{name}: a finalized disc takes no more"
        );
    }
}

#[test]
fn the_data_writer_properties_describe_the_sessions() {
    use discwriter::writer::MediaPhysicalType;
    for (case, media_type) in CASES
        .iter()
        .zip([MediaPhysicalType::Dvdplusr, MediaPhysicalType::Bdr])
    {
        let name = case.kind.name();
        let w: DataWriter<EmulatedDrive> = writer(drive(case.kind), keep_appendable());
        assert_eq!(
            w.current_physical_media_type().unwrap(),
            media_type,
            "{name}"
        );
        assert!(w.is_current_media_supported().unwrap(), "{name}");
        assert!(w.media_physically_blank().unwrap(), "{name}");
        assert_eq!(w.previous_session().unwrap(), (-1, -1), "{name}: blank");
        assert_eq!(w.next_writable_address().unwrap(), 0, "{name}");
        let (r, _) = write_collecting(&w, &image(100, 1));
        r.unwrap();
        let next = case.next_session(0, 100);
        assert!(!w.media_physically_blank().unwrap(), "{name}");
        assert_eq!(w.next_writable_address().unwrap(), next as i64, "{name}");
        assert_eq!(
            w.free_sectors_on_media().unwrap(),
            (case.capacity - next) as u32,
            "{name}"
        );
        assert_eq!(
            w.total_sectors_on_media().unwrap(),
            case.capacity as u32,
            "{name}"
        );
        // The session's one track, padded to whole blocks: DVD+R reports no last recorded
        // address, so its end is the track's end; BD-R reports the last sector written
        // (the padding included, the drive recorded it).
        let padded = 100u64.div_ceil(case.ecc_block) * case.ecc_block;
        assert_eq!(
            w.previous_session().unwrap(),
            (0, padded as i64 - 1),
            "{name}"
        );
    }
}

/// A BD-R another program formatted with spare areas (FORMAT UNIT 00h, SRM without POW) is
/// written as an unformatted one: one session at LBA 0, in whole clusters, read back; the
/// spare areas only shorten the disc (READ TRACK INFORMATION).
#[test]
fn a_bd_r_formatted_with_spare_areas_is_written_as_in_srm() {
    let mut d = drive(BD_R);
    testkit::command_out(
        &mut d,
        &testkit::FORMAT_UNIT,
        // 11,826,176 blocks, format type 00h, sub-type 01b (SRM without POW), 12,288
        // spare clusters.
        &testkit::format_list(11_826_176, 0x00, 0b01, 0x3000),
    );
    testkit::wait_until_ready(&mut d);
    let img = image(1000, 3);
    let (r, _, mut d) = traced_write(d, &img, keep_appendable());
    let out = r.unwrap();
    assert_eq!(out.start_lba, 0);
    assert_eq!(
        disc_state(&mut d),
        (1, Some(1024)),
        "appendable, next cluster"
    );
    let track = testkit::command_in(&mut d, &testkit::read_track_information(0xFF), 48);
    assert_eq!(
        testkit::be32(&track[16..20]),
        11_826_176 - 1024,
        "free blocks end where the spare areas start"
    );
    assert_same_sectors(&read_back(&mut d, 0, 1000), &img, 0, "bd-r");
}
