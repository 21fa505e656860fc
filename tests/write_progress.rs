//! Progress events: the actions in IMAPI's order on each medium, and WRITING_DATA events at
//! least every 0.5 s of the drive's (virtual) time while the data is written.

mod common;

use common::*;
use discwriter::{ProgressEvent, VerificationLevel, WriteAction, WriteOptions};
use virtdrive::medium::MediumKind;

fn actions(events: &[ProgressEvent]) -> Vec<WriteAction> {
    let mut v: Vec<WriteAction> = Vec::new();
    for e in events {
        if v.last() != Some(&e.action) {
            v.push(e.action);
        }
    }
    v
}

#[test]
fn the_actions_come_in_order_on_each_medium() {
    use WriteAction::*;
    // (medium, the actions of a write to a blank disc, of a second write)
    let cases: [(MediumKind, &[WriteAction], &[WriteAction]); 3] = [
        (
            CD_R,
            &[
                ValidatingMedia,
                InitializingHardware,
                CalibratingPower,
                WritingData,
                Finalization,
                Verifying,
                Completed,
            ],
            &[
                ValidatingMedia,
                InitializingHardware,
                CalibratingPower,
                WritingData,
                Finalization,
                Verifying,
                Completed,
            ],
        ),
        (
            DVD_PLUS_RW,
            &[
                ValidatingMedia,
                InitializingHardware,
                FormattingMedia,
                WritingData,
                Finalization,
                Verifying,
                Completed,
            ],
            // The first write's compatibility close stopped the background format; the
            // second resumes it.
            &[
                ValidatingMedia,
                InitializingHardware,
                FormattingMedia,
                WritingData,
                Finalization,
                Verifying,
                Completed,
            ],
        ),
        (
            BD_RE,
            &[
                ValidatingMedia,
                InitializingHardware,
                FormattingMedia,
                WritingData,
                Finalization,
                Verifying,
                Completed,
            ],
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
    for (kind, first, second) in cases {
        let w = writer(
            drive(kind),
            WriteOptions {
                force_overwrite: true,
                verification: VerificationLevel::Quick,
                ..WriteOptions::default()
            },
        );
        for (n, expected) in [first, second].into_iter().enumerate() {
            let data = image(400, n as u8);
            let (r, events) = write_collecting(&w, &data);
            let o = r.unwrap();
            assert_eq!(
                actions(&events),
                expected,
                "{} write {}",
                kind.name(),
                n + 1
            );
            // Every event describes this write (its start LBA once the data starts; a
            // write-once disc's is known only then); time only moves forward; the last one
            // says everything was written.
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
                assert_eq!(
                    e.free_system_buffer + e.used_system_buffer,
                    e.total_system_buffer
                );
            }
            let last = events.last().unwrap();
            assert_eq!(last.last_written_lba, o.start_lba + 399);
            assert_eq!(last.fraction_written(), 1.0);
        }
    }
}

#[test]
fn writing_data_events_come_at_least_every_half_second_of_drive_time() {
    // 5000 sectors asked at 1x on a CD-R (the drive's slowest is 4x, 300 sectors a second):
    // the 2952 sectors beyond its 4 MiB buffer take some 8.5 s of drive time.
    let w = writer(drive(CD_R), WriteOptions::default());
    w.set_write_speed(75, false).unwrap();
    let data = image(5000, 1);
    let (r, events) = write_collecting(&w, &data);
    r.unwrap();
    let start = events
        .iter()
        .position(|e| e.action == WriteAction::WritingData)
        .unwrap();
    let end = events
        .iter()
        .position(|e| e.action == WriteAction::Finalization)
        .unwrap();
    // From the first WRITING_DATA event to the FINALIZATION one.
    let times: Vec<f64> = events[start..=end].iter().map(|e| e.elapsed_time).collect();
    let span = times.last().unwrap() - times[0];
    assert!(
        span > 5.0,
        "the data took {span} s of drive time: {:?}",
        &times
    );
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] <= 0.5 + 1e-9,
            "{} s without an event while writing (at {} s)",
            pair[1] - pair[0],
            pair[0]
        );
    }
    // And progress moves: each WRITING_DATA event reports more written than the one before.
    let written: Vec<i64> = events[start..end]
        .iter()
        .map(|e| e.last_written_lba)
        .collect();
    assert!(written.windows(2).all(|p| p[1] >= p[0]));
    assert!(written.len() as f64 >= span / 0.5);
}
