//! `publish::FanOut`: one image read once and written to several drives at once, each with its
//! own progress, verification and result; a fault on one drive ends that drive's job only.

mod common;

use std::io::Read;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use discwriter::publish::{
    Copies, CopyResult, CopySource, Detached, DiscChanger, FanOut, OperatorChanger,
};
use discwriter::{CancelHandle, Error, Recorder, VerificationLevel, WriteAction, WriteOptions};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::{Medium, MediumKind};
use virtdrive::EmulatedDrive;

/// A source read front to back that counts the bytes it hands out, in pieces of odd sizes
/// as a pipe gives them.
struct CountingPipe<'a> {
    data: &'a [u8],
    read: u64,
    calls: u64,
}

impl Read for CountingPipe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.calls += 1;
        let piece = 1000 + (self.calls as usize * 7919) % 5000;
        let n = buf.len().min(piece).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.read += n as u64;
        Ok(n)
    }
}

const SECTORS: u64 = 2000;

fn options() -> WriteOptions {
    WriteOptions {
        verification: VerificationLevel::Full,
        fifo_bytes: 256 * 1024,
        ..WriteOptions::default()
    }
}

#[test]
fn three_drives_one_write_protected_mid_write_the_two_others_read_back_equal() {
    let plans = [
        FaultPlan::empty(),
        plan("matrix/writing-write-protect.json"),
        FaultPlan::empty(),
    ];
    let writers: Vec<_> = plans
        .into_iter()
        .map(|p| writer(Faulty::for_drive(drive(MediumKind::DvdPlusR), p), options()))
        .collect();
    let data = image(SECTORS, 7);
    let mut source = CountingPipe {
        data: &data,
        read: 0,
        calls: 0,
    };
    let seen: Mutex<Vec<Vec<WriteAction>>> = Mutex::new(vec![Vec::new(); 3]);
    // Queues far smaller than the image: the reader must go on past the dead drive.
    let fan_out = FanOut {
        chunk_bytes: 64 * 1024,
        depth: 2,
        ..FanOut::default()
    };
    let report = fan_out.write(&writers, &mut source, data.len() as u64, &|drive, e| {
        seen.lock().unwrap()[drive].push(e.action)
    });

    assert_eq!(
        source.read,
        data.len() as u64,
        "the image is read exactly once"
    );
    assert_eq!(report.bytes_read, data.len() as u64);
    assert!(!report.all_succeeded());
    let [first, second, third] = <[_; 3]>::try_from(report.results).unwrap();
    match second {
        Err(e @ Error::MediaWriteProtected { .. }) => {
            assert_eq!(e.imapi_name(), "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED");
            assert_eq!(e.hresult(), 0xC0AA_0209);
        }
        other => panic!("the write-protected drive: {other:?}"),
    }
    let seen = seen.into_inner().unwrap();
    for (i, outcome) in [(0, first), (2, third)] {
        let outcome = outcome.unwrap_or_else(|e| panic!("drive {i}: {e}"));
        assert_eq!(outcome.sectors, SECTORS);
        assert!(
            seen[i].contains(&WriteAction::Verifying),
            "drive {i} verified"
        );
        assert_eq!(seen[i].last(), Some(&WriteAction::Completed), "drive {i}");
        let mut d = writers[i]
            .take_recorder()
            .unwrap()
            .unwrap()
            .into_transport();
        let disc = read_back(&mut d, outcome.start_lba, SECTORS);
        assert_same_sectors(&disc, &data, outcome.start_lba, &format!("drive {i}"));
    }
}

#[test]
fn a_source_shorter_than_its_length_fails_every_drive() {
    let writers: Vec<_> = (0..2)
        .map(|_| writer(drive(MediumKind::DvdPlusRw), options()))
        .collect();
    let data = image(100, 3);
    let report = FanOut::default().write(
        &writers,
        &mut data.as_slice(),
        data.len() as u64 + 2048 * 10,
        &|_, _| {},
    );
    assert_eq!(report.bytes_read, data.len() as u64);
    for r in report.results {
        assert!(matches!(r, Err(Error::Fail { .. })), "{r:?}");
    }
}

#[test]
fn media_are_checked_before_any_drive_starts_and_the_check_writes_nothing() {
    let closed = writer(
        drive(MediumKind::DvdPlusR),
        WriteOptions {
            force_media_to_be_closed: true,
            ..options()
        },
    );
    let (r, _) = write_collecting(&closed, &image(64, 1));
    r.unwrap();
    closed.set_options(options()).unwrap();
    let blank = writer(drive(MediumKind::DvdPlusR), options());
    let small = writer(drive(MediumKind::CdR80), options());
    let writers = [blank, closed, small];

    let (index, e) = FanOut::check_media(&writers, 1000 * 2048).unwrap_err();
    assert_eq!(index, 1, "the closed disc is the first refused: {e}");
    assert_eq!(e.imapi_name(), "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE");
    // A CD-R 80 holds about 360 000 sectors: a DVD-sized image does not fit.
    let e = writers[2].check_medium(1_000_000 * 2048).unwrap_err();
    assert_eq!(
        e.imapi_name(),
        "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA"
    );
    // Checked, the blank disc is still blank.
    writers[0].check_medium(1000 * 2048).unwrap();
    let mut d = writers[0]
        .take_recorder()
        .unwrap()
        .unwrap()
        .into_transport();
    assert_eq!(disc_summary(&mut d).status, discwriter::DiscState::Blank);
}

/// A drive an operator tends: once the host has ejected the disc (START STOP UNIT) and then
/// polled `patience` times (TEST UNIT READY), the operator takes the written disc out and
/// loads a blank one; with `patience` `None`, the operator never comes.
struct Tended {
    drive: EmulatedDrive,
    patience: Option<u32>,
    ejected: bool,
    polls: u32,
}

impl Tended {
    fn new(patience: Option<u32>) -> Self {
        Tended {
            drive: drive(MediumKind::DvdPlusR),
            patience,
            ejected: false,
            polls: 0,
        }
    }
}

impl Transport for Tended {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        match cdb.first() {
            Some(0x1B) => self.ejected = true,
            Some(0x00) if self.ejected => {
                self.polls += 1;
                if self.patience.is_some_and(|p| self.polls >= p) {
                    self.drive.remove_medium();
                    self.drive.insert(testkit::blank_disc(MediumKind::DvdPlusR));
                    self.ejected = false;
                    self.polls = 0;
                }
            }
            _ => {}
        }
        self.drive.execute(cdb, data, timeout)
    }

    mmc_core::forward_transport!(drive);
}

/// The operator's changer, and each copy's disc read back as the copy ends.
struct ReadingBack<'a> {
    operator: OperatorChanger<'a>,
    discs: Mutex<Vec<(u32, Vec<u8>)>>,
}

impl DiscChanger<Tended> for ReadingBack<'_> {
    fn copy_ended(&self, ended: &CopyResult, rec: &mut Recorder<Tended>) {
        if let Ok(o) = &ended.outcome {
            let disc = read_back(rec.transport_mut(), o.start_lba, o.sectors);
            self.discs.lock().unwrap().push((ended.copy, disc));
        }
    }

    fn next_disc(
        &self,
        drive: usize,
        copy: u32,
        rec: Recorder<Tended>,
    ) -> Result<Recorder<Tended>, Error> {
        self.operator.next_disc(drive, copy, rec)
    }
}

#[test]
fn five_copies_on_two_drives_an_operator_loads_read_back_equal_from_a_pipe_read_once() {
    let writers: Vec<_> = (0..2)
        .map(|_| writer(Tended::new(Some(4)), options()))
        .collect();
    let data = image(300, 8);
    let mut source = CountingPipe {
        data: &data,
        read: 0,
        calls: 0,
    };
    let copies = Copies::new(5);
    let asked = std::sync::Arc::new(Mutex::new(Vec::new()));
    let asking = asked.clone();
    let changer = ReadingBack {
        operator: OperatorChanger::new(copies.cancel_handle(), move |drive, copy| {
            asking.lock().unwrap().push((drive, copy))
        }),
        discs: Mutex::new(Vec::new()),
    };
    let seen = Mutex::new(Vec::new());
    let report = copies
        .write(
            &writers,
            CopySource::Stream(&mut source),
            data.len() as u64,
            &changer,
            &|drive, copy, e| {
                if e.action == WriteAction::Completed {
                    seen.lock().unwrap().push((drive, copy));
                }
            },
        )
        .unwrap();

    assert_eq!(source.read, data.len() as u64, "the pipe is read once");
    assert_eq!(report.bytes_read, data.len() as u64);
    let made: Vec<(u32, Option<usize>)> =
        report.results.iter().map(|r| (r.copy, r.drive)).collect();
    assert_eq!(&made[..2], [(1, Some(0)), (2, Some(1))], "the first round");
    assert_eq!(made.len(), 5);
    for r in &report.results {
        assert!(r.outcome.is_ok(), "copy {}: {:?}", r.copy, r.outcome);
    }
    // The operator was asked for each disc after the first round, by the drive that made it.
    let mut asked = asked.lock().unwrap().clone();
    asked.sort_by_key(|&(_, copy)| copy);
    let later: Vec<(usize, u32)> = report.results[2..]
        .iter()
        .map(|r| (r.drive.unwrap(), r.copy))
        .collect();
    assert_eq!(asked, later);
    let mut seen = seen.into_inner().unwrap();
    seen.sort_by_key(|&(_, copy)| copy);
    assert_eq!(
        seen,
        made.iter()
            .map(|&(c, d)| (d.unwrap(), c))
            .collect::<Vec<_>>()
    );
    let mut discs = changer.discs.into_inner().unwrap();
    discs.sort_by_key(|(copy, _)| *copy);
    assert_eq!(discs.len(), 5);
    for (copy, disc) in discs {
        assert_same_sectors(&disc, &data, 0, &format!("copy {copy}"));
    }
}

#[test]
fn a_drive_that_gets_no_disc_in_time_hands_its_copies_to_the_other() {
    // The operator of drive 0 never comes; the file is read again for each later copy.
    let writers = vec![
        writer(Tended::new(None), options()),
        writer(Tended::new(Some(2)), options()),
    ];
    let data = image(200, 9);
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, &data).unwrap();
    let copies = Copies::new(4);
    // Drive 0's wait for a disc starts only once drive 1 has made a later copy, so that
    // drive 1 has no copy left to take when drive 0 gives its copy back: it must wait for
    // that copy rather than stop.
    let later_made = std::sync::Arc::new((Mutex::new(false), std::sync::Condvar::new()));
    let made = later_made.clone();
    let mut operator = OperatorChanger::new(copies.cancel_handle(), move |drive, _| {
        let (flag, done) = &*made;
        let mut flag = flag.lock().unwrap();
        while drive == 0 && !*flag {
            flag = done.wait(flag).unwrap();
        }
    });
    operator.timeout = Duration::from_secs(120);
    let changer = ReadingBack {
        operator,
        discs: Mutex::new(Vec::new()),
    };
    let report = copies
        .write(
            &writers,
            CopySource::File(std::sync::Arc::new(file)),
            data.len() as u64,
            &changer,
            &|drive, copy, e| {
                if drive == 1 && copy >= 3 && e.action == WriteAction::Completed {
                    let (flag, done) = &*later_made;
                    *flag.lock().unwrap() = true;
                    done.notify_all();
                }
            },
        )
        .unwrap();
    assert!(report.all_succeeded(), "{:?}", report.results);
    let drives: Vec<Option<usize>> = report.results.iter().map(|r| r.drive).collect();
    assert_eq!(drives, [Some(0), Some(1), Some(1), Some(1)]);
    let discs = changer.discs.into_inner().unwrap();
    assert_eq!(discs.len(), 4);
    for (copy, disc) in discs {
        assert_same_sectors(&disc, &data, 0, &format!("copy {copy}"));
    }
}

#[test]
fn a_cancel_while_waiting_for_a_disc_ends_the_job_and_the_copies_left_say_so() {
    let writers: Vec<_> = (0..2)
        .map(|_| writer(Tended::new(None), options()))
        .collect();
    let data = image(100, 10);
    let copies = Copies::new(4);
    let cancel: CancelHandle = copies.cancel_handle();
    // The user cancels while the first drive to finish waits for its next disc, once both
    // copies of the first round are made (a cancel stops a write still running too).
    let first_round = std::sync::Arc::new((Mutex::new(0u32), std::sync::Condvar::new()));
    let made = first_round.clone();
    let changer = ReadingBack {
        operator: OperatorChanger::new(copies.cancel_handle(), move |_, _| {
            let (count, done) = &*made;
            let mut count = count.lock().unwrap();
            while *count < 2 {
                count = done.wait(count).unwrap();
            }
            cancel.cancel()
        }),
        discs: Mutex::new(Vec::new()),
    };
    let report = copies
        .write(
            &writers,
            CopySource::Stream(&mut data.as_slice()),
            data.len() as u64,
            &changer,
            &|_, copy, e| {
                if copy <= 2 && e.action == WriteAction::Completed {
                    let (count, done) = &*first_round;
                    *count.lock().unwrap() += 1;
                    done.notify_all();
                }
            },
        )
        .unwrap();
    let outcomes: Vec<(u32, bool)> = report
        .results
        .iter()
        .map(|r| (r.copy, r.outcome.is_ok()))
        .collect();
    assert_eq!(outcomes, [(1, true), (2, true), (3, false), (4, false)]);
    for r in &report.results[2..] {
        assert!(
            matches!(r.outcome, Err(Error::RequestCancelled { .. })),
            "copy {}: {:?}",
            r.copy,
            r.outcome
        );
    }
}

/// Loads, for each copy after the first round, a blank DVD+R, except for copy 3: the disc
/// it was given (a used one).
struct Robot {
    used: Mutex<Option<Box<dyn Medium>>>,
}

impl DiscChanger<EmulatedDrive> for Robot {
    fn next_disc(
        &self,
        _drive: usize,
        copy: u32,
        mut rec: Recorder<EmulatedDrive>,
    ) -> Result<Recorder<EmulatedDrive>, Error> {
        let disc = match copy {
            3 => self.used.lock().unwrap().take(),
            _ => None,
        };
        let d = rec.transport_mut();
        d.remove_medium();
        d.insert(disc.unwrap_or_else(|| testkit::blank_disc(MediumKind::DvdPlusR)));
        Ok(rec)
    }
}

#[test]
fn reject_if_not_blank_refuses_a_used_disc_from_the_changer_and_the_drive_goes_on() {
    let data = image(100, 11);
    // A DVD+R holding a session, left appendable.
    let used = writer(
        drive(MediumKind::DvdPlusR),
        WriteOptions {
            disable_consumer_dvd_compatibility_mode: true,
            ..options()
        },
    );
    write_collecting(&used, &data).0.unwrap();
    let mut d = give_back(used);
    assert_eq!(
        disc_summary(&mut d).status,
        discwriter::DiscState::Appendable
    );
    let robot = Robot {
        used: Mutex::new(d.remove_medium()),
    };
    let writers: Vec<_> = (0..2)
        .map(|_| writer(drive(MediumKind::DvdPlusR), options()))
        .collect();
    let mut copies = Copies::new(5);
    copies.reject_if_not_blank = true;
    copies.check_media(&writers, data.len() as u64).unwrap();
    let report = copies
        .write(
            &writers,
            CopySource::Stream(&mut data.as_slice()),
            data.len() as u64,
            &robot,
            &|_, _, _| {},
        )
        .unwrap();
    for r in &report.results {
        match r.copy {
            3 => match &r.outcome {
                Err(e @ Error::InvalidMediaState { .. }) => {
                    assert!(e.to_string().contains("not blank"), "{e}");
                    assert!(r.last_written_lba.is_none(), "nothing written");
                }
                other => panic!("copy 3: {other:?}"),
            },
            _ => assert!(r.outcome.is_ok(), "copy {}: {:?}", r.copy, r.outcome),
        }
    }
    assert_eq!(report.results.len(), 5);
}

#[test]
fn fewer_copies_than_drives_are_refused_before_anything_is_read() {
    let writers: Vec<_> = (0..3)
        .map(|_| writer(drive(MediumKind::DvdPlusR), options()))
        .collect();
    let data = image(10, 1);
    let mut source = CountingPipe {
        data: &data,
        read: 0,
        calls: 0,
    };
    let e = Copies::new(2)
        .write(
            &writers,
            CopySource::Stream(&mut source),
            data.len() as u64,
            &Robot {
                used: Mutex::new(None),
            },
            &|_, _, _| {},
        )
        .unwrap_err();
    assert_eq!(e.imapi_name(), "E_INVALIDARG");
    assert!(e.to_string().contains("2 copies on 3 drives"), "{e}");
    assert_eq!(source.read, 0);
}

/// A drive whose first WRITE (10) does not come back until `release` says so: a drive hung
/// in a command, as far as the host can tell.
struct Hung<T> {
    inner: T,
    release: Option<Mutex<Receiver<()>>>,
}

impl<T: Transport> Transport for Hung<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        if cdb.first() == Some(&0x2A) {
            if let Some(release) = self.release.take() {
                let _ = release.into_inner().unwrap().recv();
            }
        }
        self.inner.execute(cdb, data, timeout)
    }
    mmc_core::forward_transport!(inner);
}

#[test]
fn a_drive_that_stops_taking_data_is_left_behind_and_the_others_finish() {
    let (release, hung) = channel::<()>();
    let writers = [
        writer(
            Hung {
                inner: drive(MediumKind::DvdPlusR),
                release: None,
            },
            options(),
        ),
        writer(
            Hung {
                inner: drive(MediumKind::DvdPlusR),
                release: Some(Mutex::new(hung)),
            },
            options(),
        ),
    ];
    let data = image(SECTORS, 11);
    let fan_out = FanOut {
        chunk_bytes: 64 * 1024,
        depth: 2,
        stall_timeout: Some(Duration::from_secs(2)),
    };
    // The hung drive answers again once the other has finished: without the stall timeout
    // the reader would wait for it, the other drive would starve, and this would never end.
    let release: Mutex<Option<Sender<()>>> = Mutex::new(Some(release));
    let report = fan_out.write(
        &writers,
        &mut data.as_slice(),
        data.len() as u64,
        &|d, e| {
            if d == 0 && e.action == WriteAction::Completed {
                release.lock().unwrap().take();
            }
        },
    );

    assert_eq!(
        report.bytes_read,
        data.len() as u64,
        "the image read to its end"
    );
    let [first, second] = <[_; 2]>::try_from(report.results).unwrap();
    let outcome = first.expect("the drive that kept taking data");
    let mut d = writers[0]
        .take_recorder()
        .unwrap()
        .unwrap()
        .into_transport();
    let disc = read_back(&mut d.inner, outcome.start_lba, SECTORS);
    assert_same_sectors(&disc, &data, outcome.start_lba, "the drive that went on");
    match second {
        Err(e @ Error::Fail { .. }) => {
            assert_eq!(e.imapi_name(), "E_FAIL");
            assert!(e.to_string().contains("took no data for 2s"), "{e}");
        }
        other => panic!("the hung drive: {other:?}"),
    }
}

/// A pipe that gives `data`, tells `stalled` it has nothing more, and then blocks for good
/// (until the test ends): a producer that hung without closing its end.
struct StallingPipe {
    data: Vec<u8>,
    stalled: Option<Sender<()>>,
    never: Receiver<()>,
}

impl Read for StallingPipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.data.is_empty() {
            let n = buf.len().min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data.drain(..n);
            return Ok(n);
        }
        self.stalled.take();
        let _ = self.never.recv();
        Ok(0)
    }
}

#[test]
fn a_cancel_ends_a_fan_out_whose_pipe_stalled_when_the_pipe_is_detached() {
    let writers: Vec<_> = (0..2)
        .map(|_| writer(drive(MediumKind::DvdPlusR), options()))
        .collect();
    let data = image(SECTORS, 12);
    let given = 300 * 2048;
    let (stalled_tx, stalled) = channel();
    let (_never_tx, never) = channel();
    let pipe = StallingPipe {
        data: data[..given].to_vec(),
        stalled: Some(stalled_tx),
        never,
    };
    let cancel = CancelHandle::new();
    let mut source = Detached::new(Box::new(pipe), cancel.clone()).unwrap();
    // The user cancels once the pipe has stalled: every writer and the source.
    let mut handles: Vec<CancelHandle> = writers.iter().map(|w| w.cancel_handle()).collect();
    handles.push(cancel);
    // (A cancel before a drive's write has started would be lost: a write starts uncancelled.)
    let (writing_tx, writing) = channel::<usize>();
    let writing_tx = Mutex::new(writing_tx);
    let user = std::thread::spawn(move || {
        let _ = stalled.recv();
        let mut started = std::collections::BTreeSet::new();
        while started.len() < 2 {
            started.insert(writing.recv().unwrap());
        }
        handles.iter().for_each(CancelHandle::cancel);
    });
    let (done_tx, done) = channel();
    let length = data.len() as u64;
    // The fan-out runs on a thread this test need not join: were it stuck in the pipe, the
    // test fails on the timeout below instead of hanging.
    std::thread::spawn(move || {
        let fan_out = FanOut {
            chunk_bytes: 64 * 1024,
            ..FanOut::default()
        };
        let report = fan_out.write(&writers, &mut source, length, &|drive, e| {
            if e.action == WriteAction::WritingData {
                let _ = writing_tx.lock().unwrap().send(drive);
            }
        });
        done_tx.send((report, writers)).unwrap();
    });
    // Generous: the write takes well under a second; without the detached reader it would
    // never end.
    let (report, writers) = done
        .recv_timeout(Duration::from_secs(120))
        .expect("the fan-out ended although its pipe never will");
    user.join().unwrap();

    // At most what the pipe gave: the reader stops once no drive takes more.
    assert!(report.bytes_read <= given as u64, "{}", report.bytes_read);
    for (i, r) in report.results.iter().enumerate() {
        let Err(Error::RequestCancelled { last_written_lba }) = r else {
            panic!("drive {i}: {r:?}")
        };
        // What a drive wrote before the cancel was closed and reads back as the image's
        // first sectors (a blank DVD+R is written from LBA 0).
        if let Some(last) = *last_written_lba {
            let sectors = last as u64 + 1;
            let mut d = writers[i]
                .take_recorder()
                .unwrap()
                .unwrap()
                .into_transport();
            let disc = read_back(&mut d, 0, sectors);
            assert_same_sectors(
                &disc,
                &data[..sectors as usize * 2048],
                0,
                "the cancelled write",
            );
        }
    }
}
