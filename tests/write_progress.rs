//! Progress events: each action announced once, in IMAPI's order, on each medium; WRITING_DATA
//! updates every 0.5 s of the drive's (virtual) time; LastReadLba ahead of LastWrittenLba by
//! what the fifo holds; an estimate that counts finalization and verification; and a failed
//! write's last events: the action it failed in, then COMPLETED with the error.

mod common;

use common::*;
use discwriter::{CancelHandle, ProgressEvent, VerificationLevel, WriteAction, WriteOptions};
use virtdrive::fault::Faulty;
use virtdrive::medium::MediumKind;
use virtdrive::{DriveConfig, EmulatedDrive};

fn actions(events: &[ProgressEvent]) -> Vec<WriteAction> {
    let mut v: Vec<WriteAction> = Vec::new();
    for e in events {
        if v.last() != Some(&e.action) {
            v.push(e.action);
        }
    }
    v
}

/// The media a write's events are checked on.
const MEDIA: [MediumKind; 5] = [
    CD_R,
    MediumKind::DvdPlusR,
    MediumKind::BdR,
    DVD_PLUS_RW,
    BD_RE,
];

#[test]
fn each_action_is_announced_once_in_order_on_each_medium() {
    use WriteAction::*;
    const WRITE_ONCE: &[WriteAction] = &[
        ValidatingMedia,
        InitializingHardware,
        CalibratingPower,
        WritingData,
        Finalization,
        Verifying,
        Completed,
    ];
    const FORMATTED: &[WriteAction] = &[
        ValidatingMedia,
        InitializingHardware,
        FormattingMedia,
        WritingData,
        Finalization,
        Verifying,
        Completed,
    ];
    // (medium, the actions of a write to a blank disc, of a second write)
    let cases: [(MediumKind, &[WriteAction], &[WriteAction]); 5] = [
        (CD_R, WRITE_ONCE, WRITE_ONCE),
        (MediumKind::DvdPlusR, WRITE_ONCE, WRITE_ONCE),
        (MediumKind::BdR, WRITE_ONCE, WRITE_ONCE),
        // The first write's compatibility close stopped the background format; the second
        // resumes it.
        (DVD_PLUS_RW, FORMATTED, FORMATTED),
        (
            BD_RE,
            FORMATTED,
            &[
                ValidatingMedia,
                InitializingHardware,
                WritingData,
                Finalization,
                Verifying,
                Completed,
            ],
        ),
    ];
    assert_eq!(cases.map(|c| c.0), MEDIA);
    for (kind, first, second) in cases {
        let w = writer(
            drive(kind),
            WriteOptions {
                force_overwrite: true,
                verification: VerificationLevel::Quick,
                // A DVD+R stays appendable for the second write.
                disable_consumer_dvd_compatibility_mode: kind == MediumKind::DvdPlusR,
                ..WriteOptions::default()
            },
        );
        for (n, expected) in [first, second].into_iter().enumerate() {
            let what = format!("{} write {}", kind.name(), n + 1);
            let data = image(400, n as u8);
            let (r, events) = write_collecting(&w, &data);
            let o = r.unwrap();
            assert_eq!(actions(&events), expected, "{what}");
            // After an action's announcement, an event of the same action is an update: it
            // comes half a second after the one before, or reports more done. An event
            // repeating the one before it announces nothing.
            for pair in events.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let more_done = b.last_written_lba > a.last_written_lba
                    || b.sectors_verified > a.sectors_verified
                    || b.operation_progress > a.operation_progress;
                assert!(
                    a.action != b.action
                        || b.elapsed_time - a.elapsed_time >= 0.5 - 1e-9
                        || more_done,
                    "{what}: {:?} sent again at {} s with nothing new: {b:?}",
                    b.action,
                    b.elapsed_time,
                );
            }
            // Every event describes this write (its start LBA once the data starts; a
            // write-once disc's is known only then); time only moves forward; no sector is
            // written before it was read; the last one says everything was written.
            let mut elapsed = 0.0;
            let data_from = events
                .iter()
                .position(|e| e.action == WriteAction::WritingData)
                .unwrap();
            for (i, e) in events.iter().enumerate() {
                if i >= data_from {
                    assert_eq!(e.start_lba, o.start_lba);
                }
                assert_eq!(e.sector_count, 400);
                assert!(e.elapsed_time >= elapsed, "{e:?}");
                elapsed = e.elapsed_time;
                assert!(e.last_read_lba >= e.last_written_lba, "{what}: {e:?}");
                assert_eq!(
                    e.free_system_buffer + e.used_system_buffer,
                    e.total_system_buffer
                );
                assert_eq!(e.error, None);
            }
            let last = events.last().unwrap();
            assert_eq!(last.last_written_lba, o.start_lba + 399);
            assert_eq!(last.last_read_lba, o.start_lba + 399);
            assert_eq!(last.fraction_written(), 1.0);
        }
    }
}

/// A CD-R write of 5000 sectors asked at 1x (the drive's slowest is 4x, 300 sectors a
/// second): the 2952 sectors beyond its 4 MiB buffer take some 8.5 s of drive time. Returns
/// the events.
fn slow_cd_write() -> Vec<ProgressEvent> {
    let w = writer(drive(CD_R), WriteOptions::default());
    w.set_write_speed(75, false).unwrap();
    let data = image(5000, 1);
    let (r, events) = write_collecting(&w, &data);
    r.unwrap();
    events
}

#[test]
fn writing_data_events_come_every_half_second_of_drive_time() {
    let events = slow_cd_write();
    let writing: Vec<&ProgressEvent> = events
        .iter()
        .filter(|e| e.action == WriteAction::WritingData)
        .collect();
    let finalizing = events
        .iter()
        .find(|e| e.action == WriteAction::Finalization)
        .unwrap();
    // From the WRITING_DATA announcement to the FINALIZATION one.
    let t0 = writing[0].elapsed_time;
    let span = finalizing.elapsed_time - t0;
    assert!(span > 5.0, "the data took {span} s of drive time");
    // The k-th update comes once k half-seconds have passed, at the end of the transfer
    // running then (one transfer of 32 sectors at 4x CD: 0.11 s).
    for (k, e) in writing.iter().enumerate().skip(1) {
        let due = t0 + 0.5 * k as f64;
        assert!(
            e.elapsed_time >= due - 1e-9 && e.elapsed_time < due + 0.15,
            "update {k} at {} s, due at {due} s",
            e.elapsed_time
        );
    }
    assert!(
        finalizing.elapsed_time < t0 + 0.5 * writing.len() as f64 + 0.15,
        "no update for {} s before the data ended",
        finalizing.elapsed_time - writing.last().unwrap().elapsed_time
    );
    // And progress moves: each WRITING_DATA event reports more written than the one before.
    let written: Vec<i64> = writing.iter().map(|e| e.last_written_lba).collect();
    assert!(written.windows(2).all(|p| p[1] >= p[0]));
}

#[test]
fn last_read_lba_runs_ahead_of_last_written_lba_while_the_fifo_holds_data() {
    // 1500 sectors fit in the 4 MiB fifo, which is filled before the first WRITE: the whole
    // stream is read then. The drive's buffer of 256 KiB and its 4x (300 sectors a second)
    // make the data take some 4.5 s of drive time.
    let d = EmulatedDrive::with_medium(
        DriveConfig {
            buffer_bytes: 256 * 1024,
            ..DriveConfig::default()
        },
        testkit::blank_disc(CD_R),
    );
    let w = writer(d, WriteOptions::default());
    w.set_write_speed(75, false).unwrap();
    let (r, events) = write_collecting(&w, &image(1500, 1));
    r.unwrap();
    let updates: Vec<&ProgressEvent> = events
        .iter()
        .filter(|e| e.action == WriteAction::WritingData && e.last_written_lba >= 0)
        .filter(|e| e.last_written_lba < 1499)
        .collect();
    assert!(updates.len() >= 6, "{} updates", updates.len());
    for e in updates {
        assert_eq!(e.last_read_lba, 1499, "{e:?}");
        // What was read and not yet written waits in the fifo (in whole 64 KiB chunks).
        let ahead = (e.last_read_lba - e.last_written_lba) as u64 * 2048;
        assert!(
            ahead <= e.used_system_buffer && e.used_system_buffer < ahead + 65536,
            "{e:?}"
        );
    }
    for e in &events {
        assert!(e.last_read_lba >= e.last_written_lba, "{e:?}");
    }
    let last = events.last().unwrap();
    assert_eq!((last.last_read_lba, last.last_written_lba), (1499, 1499));
}

/// The checks every write's estimate passes: TotalTime is ElapsedTime plus RemainingTime, and
/// from the first WRITING_DATA event on RemainingTime only counts down, to 0 at COMPLETED.
fn assert_estimate_consistent(events: &[ProgressEvent], what: &str) {
    for e in events {
        assert!(
            (e.total_time - (e.elapsed_time + e.remaining_time)).abs() < 1e-6,
            "{what}: {e:?}"
        );
        assert!(e.remaining_time >= 0.0, "{what}: {e:?}");
    }
    let from = events
        .iter()
        .position(|e| e.action == WriteAction::WritingData)
        .unwrap();
    for pair in events[from..].windows(2) {
        assert!(
            pair[1].remaining_time <= pair[0].remaining_time + 1e-9,
            "{what}: the time left went up from {} s to {} s ({:?} at {} s)",
            pair[0].remaining_time,
            pair[1].remaining_time,
            pair[1].action,
            pair[1].elapsed_time
        );
    }
    let last = events.last().unwrap();
    assert_eq!(last.action, WriteAction::Completed, "{what}");
    assert_eq!(last.remaining_time, 0.0, "{what}");
}

#[test]
fn the_first_writing_data_event_carries_an_estimate() {
    // Of a stream of unknown length nothing is known of the data yet; its finalization and
    // verification still take time.
    let w = writer(drive(CD_R), WriteOptions::default());
    let mut events = Vec::new();
    let r = w.write_stream(
        Box::new(std::io::Cursor::new(image(400, 1))),
        None,
        &mut |e: &ProgressEvent, _: &CancelHandle| events.push(e.clone()),
    );
    r.unwrap();
    let first = events
        .iter()
        .find(|e| e.action == WriteAction::WritingData)
        .unwrap();
    assert!(first.remaining_time > 0.0, "{first:?}");
    assert_estimate_consistent(&events, "a stream of unknown length");
}

#[test]
fn remaining_time_counts_finalization_and_verification_on_each_medium() {
    for kind in MEDIA {
        for verification in [VerificationLevel::Quick, VerificationLevel::Full] {
            let what = format!("{} {verification:?}", kind.name());
            let w = writer(
                drive(kind),
                WriteOptions {
                    verification,
                    ..WriteOptions::default()
                },
            );
            let (r, events) = write_collecting(&w, &image(3000, 1));
            r.unwrap();
            assert_estimate_consistent(&events, &what);
            // At the start of the data the estimate is within a factor of two of what the
            // rest of the write took on the drive's clock.
            let first = events
                .iter()
                .find(|e| e.action == WriteAction::WritingData)
                .unwrap();
            let took = events.last().unwrap().elapsed_time - first.elapsed_time;
            let estimate = first.remaining_time;
            assert!(
                estimate >= took / 2.0 && estimate <= took * 2.0,
                "{what}: {estimate} s estimated, {took} s taken"
            );
        }
    }
}

#[test]
fn a_failed_write_ends_with_the_action_it_failed_in_then_completed_with_the_error() {
    // (plan, the action the fault strikes in)
    let cases = [
        (
            "matrix/validating-servo-failure.json",
            WriteAction::ValidatingMedia,
        ),
        ("matrix/writing-write-error.json", WriteAction::WritingData),
        (
            "matrix/finalizing-close-fixation-error.json",
            WriteAction::Finalization,
        ),
    ];
    for (fault, action) in cases {
        let d = Faulty::for_drive(drive(CD_R), plan(fault));
        let w = writer(d, WriteOptions::default());
        let (r, events) = write_collecting(&w, &image(320, 1));
        let e = r.unwrap_err();
        let n = events.len();
        assert!(n >= 2, "{fault}: {events:?}");
        let (failed, completed) = (&events[n - 2], &events[n - 1]);
        assert_eq!(failed.action, action, "{fault}");
        assert_eq!(failed.error, None, "{fault}");
        assert_eq!(completed.action, WriteAction::Completed, "{fault}");
        assert_eq!(completed.error, Some(e.code()), "{fault}");
        assert_eq!(completed.remaining_time, 0.0, "{fault}");
        // COMPLETED comes once, last; the events before it carry no error.
        assert!(events[..n - 1]
            .iter()
            .all(|e| e.action != WriteAction::Completed && e.error.is_none()));
        // The last LBA reported is the one the writer says it sent.
        assert_eq!(
            Some(completed.last_written_lba).filter(|l| *l >= 0),
            w.last_written_lba().unwrap(),
            "{fault}"
        );
    }
}
