//! `publish::FanOut`: one image read once and written to several drives at once, each with its
//! own progress, verification and result; a fault on one drive ends that drive's job only.

mod common;

use std::io::Read;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use discwriter::publish::FanOut;
use discwriter::{Error, VerificationLevel, WriteAction, WriteOptions};
use mmc_core::{Completion, DataPhase, Transport, TransportError};
use virtdrive::fault::{FaultPlan, Faulty};
use virtdrive::medium::MediumKind;

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
    fn pause(&mut self, d: Duration) {
        self.inner.pause(d)
    }
    fn device_time(&self) -> Option<Duration> {
        self.inner.device_time()
    }
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
