//! Cancel at 10 %, 50 % and 99 % on each medium, from the event callback and from another
//! thread: E_IMAPI_REQUEST_CANCELLED with the last written LBA, what was written reads back,
//! a CD-R keeps a closed session and stays appendable. And full verification catches a write
//! the drive answered GOOD but did not store.

mod common;

use std::io::Cursor;
use std::sync::mpsc;

use common::*;
use discwriter::{
    CancelHandle, DataWriter, DiscState, Error, ProgressEvent, Recorder, VerificationLevel,
    WriteAction, WriteOptions,
};
use mmc_core::trace::Tracing;
use mmc_core::ImapiCode;
use virtdrive::fault::Faulty;
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// 100 transfers or more, so that 1 % is at most one transfer.
const SECTORS: u64 = 3200;

fn slow_drive(kind: MediumKind) -> Faulty<EmulatedDrive> {
    Faulty::for_drive(drive(kind), plan("matrix/slow-writes.json"))
}

fn options() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::Full,
        ..WriteOptions::default()
    }
}

/// After a cancel: the error, the disc read back up to the last written LBA, and the disc
/// still usable.
fn check_cancelled(
    w: &DataWriter<Faulty<EmulatedDrive>>,
    kind: MediumKind,
    result: Result<discwriter::WriteOutcome, Error>,
    data: &[u8],
    seen_last: i64,
    at_least: f64,
) {
    let e = result.expect_err("the write was cancelled");
    let Error::RequestCancelled { last_written_lba } = e else {
        panic!("{}: {e:?}", kind.name());
    };
    assert_eq!(e.hresult(), 0xC0AA_0002);
    assert_eq!(e.imapi_name(), "E_IMAPI_REQUEST_CANCELLED");
    // Writing stopped at the next transfer: the last LBA is the one of the event that
    // cancelled.
    assert_eq!(last_written_lba, Some(seen_last), "{}", kind.name());
    assert_eq!(w.last_written_lba().unwrap(), Some(seen_last));
    let written = (seen_last + 1) as u64;
    assert!(
        written as f64 >= at_least * SECTORS as f64 && written < SECTORS,
        "{}: {written} of {SECTORS} written",
        kind.name()
    );

    let mut d = w
        .take_recorder()
        .unwrap()
        .unwrap()
        .into_transport()
        .into_inner();
    let disc = read_back(&mut d, 0, written);
    assert_same_sectors(&disc, &data[..written as usize * 2048], 0, kind.name());

    if kind == CD_R {
        // The track and the session were closed: one session, and room for another.
        let s = Recorder::open(&mut d).unwrap().disc_summary().unwrap();
        assert_eq!(s.status, DiscState::Appendable);
        assert_eq!(s.sessions, 1, "the cancelled session is closed");
        let nwa = s.next_writable_address.expect("a next writable address");
        let w2 = writer(&mut d, options());
        let again = image(300, 9);
        let (r, _) = write_collecting(&w2, &again);
        let o = r.unwrap();
        assert_eq!(o.start_lba, i64::from(nwa));
        drop(w2);
        assert_same_sectors(
            &read_back(&mut d, o.start_lba, 300),
            &again,
            o.start_lba,
            "after",
        );
        assert_same_sectors(
            &read_back(&mut d, 0, written),
            &data[..written as usize * 2048],
            0,
            "before",
        );
    }
}

#[test]
fn cancel_from_the_event_callback_at_10_50_and_99_percent() {
    for kind in [CD_R, DVD_PLUS_RW, BD_RE] {
        for at in [0.10, 0.50, 0.99] {
            let w = writer(slow_drive(kind), options());
            let data = image(SECTORS, 1);
            let mut seen_last = None;
            let mut after_cancel = Vec::new();
            let r = w.write(
                &mut Cursor::new(data.clone()),
                data.len() as u64,
                None,
                &mut |e: &ProgressEvent, cancel: &CancelHandle| {
                    if seen_last.is_some() {
                        after_cancel.push((e.action, e.error));
                    } else if e.action == WriteAction::WritingData && e.fraction_written() >= at {
                        seen_last = Some(e.last_written_lba);
                        cancel.cancel();
                    }
                },
            );
            let seen_last = seen_last
                .unwrap_or_else(|| panic!("{}: no WRITING_DATA event at {at}: {r:?}", kind.name()));
            // After the cancel the writer finalizes and does not verify; its last event is
            // COMPLETED with E_IMAPI_REQUEST_CANCELLED.
            let (last, finalizing) = after_cancel.split_last().expect("events after the cancel");
            assert!(
                finalizing
                    .iter()
                    .all(|a| *a == (WriteAction::Finalization, None)),
                "{}: {after_cancel:?}",
                kind.name()
            );
            assert_eq!(
                *last,
                (WriteAction::Completed, Some(ImapiCode::RequestCancelled)),
                "{}",
                kind.name()
            );
            check_cancelled(&w, kind, r, &data, seen_last, at);
        }
    }
}

#[test]
fn cancel_from_another_thread() {
    for kind in [CD_R, DVD_PLUS_RW, BD_RE] {
        let w = writer(slow_drive(kind), options());
        let handle = w.cancel_handle();
        let data = image(SECTORS, 1);
        let (half_tx, half_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        // The event sink is Send; the receiver is shared through a mutex.
        let done_rx = std::sync::Mutex::new(done_rx);
        let mut seen_last = None;
        let r = std::thread::scope(|s| {
            let w = &w;
            s.spawn(move || {
                half_rx.recv().unwrap();
                // The other thread: CancelWrite is accepted while a write runs.
                handle.cancel();
                assert!(w.cancel_write().is_ok());
                done_tx.send(()).unwrap();
            });
            w.write(
                &mut Cursor::new(data.clone()),
                data.len() as u64,
                None,
                &mut |e: &ProgressEvent, _: &CancelHandle| {
                    if seen_last.is_none()
                        && e.action == WriteAction::WritingData
                        && e.fraction_written() >= 0.5
                    {
                        seen_last = Some(e.last_written_lba);
                        half_tx.send(()).unwrap();
                        // Wait until the other thread has cancelled, so the point is known.
                        done_rx.lock().unwrap().recv().unwrap();
                    }
                },
            )
        });
        check_cancelled(&w, kind, r, &data, seen_last.unwrap(), 0.5);
    }
}

#[test]
fn a_cancel_does_not_carry_over_to_the_next_write() {
    let w = writer(drive(DVD_PLUS_RW), options());
    w.cancel_handle().cancel();
    let (r, _) = write_collecting(&w, &image(300, 1));
    assert_eq!(r.unwrap().code.hresult(), 0);
}

/// The Psysonic#1538 false success: the drive answers GOOD to the WRITE that reaches LBA 160
/// but stores nothing.
#[test]
fn full_verification_catches_a_write_the_drive_did_not_store() {
    for kind in [DVD_PLUS_RW, BD_RE] {
        let d = Faulty::for_drive(drive(kind), plan("matrix/writing-drop-write.json"));
        let w = writer(Tracing::new(d), options());
        let data = image(320, 1);
        let (r, events) = write_collecting(&w, &data);
        let e = r.unwrap_err();
        let (_, records) = w
            .take_recorder()
            .unwrap()
            .unwrap()
            .into_transport()
            .into_parts();
        // The first bad sector is the first of the WRITE that was dropped.
        let dropped = writes_in(&records)
            .into_iter()
            .find(|(lba, blocks, _)| (*lba..*lba + *blocks as i64).contains(&160))
            .expect("the WRITE that reaches LBA 160")
            .0;
        assert!(
            matches!(e, Error::BurnVerificationFailed { lba } if lba == dropped),
            "{}: {e:?}, dropped WRITE at {dropped}",
            kind.name()
        );
        assert_eq!(e.hresult(), 0xC0AA_0007);
        assert_eq!(e.imapi_name(), "E_IMAPI_BURN_VERIFICATION_FAILED");
        assert!(e.to_string().contains(&format!("sector {dropped}")), "{e}");
        // The failure struck while verifying; COMPLETED carries it.
        let n = events.len();
        assert_eq!(events[n - 2].action, WriteAction::Verifying);
        assert_eq!(
            (events[n - 1].action, events[n - 1].error),
            (WriteAction::Completed, Some(e.code()))
        );
    }
}

/// Without verification the same false success goes unnoticed: this is what verification is
/// for.
#[test]
fn without_verification_the_false_success_goes_unnoticed() {
    let d = Faulty::for_drive(drive(DVD_PLUS_RW), plan("matrix/writing-drop-write.json"));
    let w = writer(
        d,
        WriteOptions {
            verification: VerificationLevel::None,
            ..WriteOptions::default()
        },
    );
    let data = image(320, 1);
    let (r, _) = write_collecting(&w, &data);
    assert_eq!(r.unwrap().code.hresult(), 0);
    let mut d = w.take_recorder().unwrap().unwrap().into_transport();
    assert!(read_back(&mut d, 160, 1) != data[160 * 2048..161 * 2048]);
}
