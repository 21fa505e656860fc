//! More copies than drives, as a disc-publishing station makes them: the first round is the
//! fan-out (one copy per drive, the source read once); then each drive, as it finishes a
//! copy, takes the next copy number from a counter shared by the drives, asks the caller's
//! [`DiscChanger`] for a new blank disc, checks it as the first round's discs were checked,
//! and writes again, until every copy has been made.
//!
//! A copy that fails (a write error, a disc refused by the check) is reported and not made
//! again: the drive goes on to the next copy with a new disc, as a station sets a coaster
//! aside. A drive stops taking copies when it is gone ([`Error::DeviceNotExist`],
//! [`Error::InvalidHandle`]), when the job is cancelled, or when its changer fails (no blank
//! disc came in time, the tray would not open): the copy it was about to make goes back to
//! the counter for another drive. A copy no drive was left to make is reported as failed,
//! so the report always holds one result per copy.
//!
//! ```
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use discwriter::publish::{Copies, CopySource, DiscChanger};
//! use discwriter::{DataWriter, Error, Recorder};
//! use virtdrive::medium::{self, MediumKind};
//! use virtdrive::store::MemoryStore;
//! use virtdrive::{DriveConfig, EmulatedDrive};
//!
//! /// Puts a new blank DVD+R in the drive, as a station's robot arm would.
//! struct Robot(AtomicU32);
//! impl DiscChanger<EmulatedDrive> for Robot {
//!     fn next_disc(
//!         &self,
//!         _drive: usize,
//!         _copy: u32,
//!         mut recorder: Recorder<EmulatedDrive>,
//!     ) -> Result<Recorder<EmulatedDrive>, Error> {
//!         let drive = recorder.transport_mut();
//!         drive.remove_medium();
//!         drive.insert(medium::blank(MediumKind::DvdPlusR, Box::new(MemoryStore::new())));
//!         self.0.fetch_add(1, Ordering::SeqCst);
//!         Ok(recorder)
//!     }
//! }
//!
//! let writers: Vec<DataWriter<EmulatedDrive>> = (0..2)
//!     .map(|_| {
//!         let drive = EmulatedDrive::with_medium(
//!             DriveConfig::default(),
//!             medium::blank(MediumKind::DvdPlusR, Box::new(MemoryStore::new())),
//!         );
//!         let w = DataWriter::new();
//!         w.set_recorder(Recorder::open(drive)?)?;
//!         w.set_client_name("publisher")?;
//!         Ok(w)
//!     })
//!     .collect::<Result<_, Error>>()?;
//! let image = vec![0x5Au8; 64 * 2048];
//! let robot = Robot(AtomicU32::new(0));
//! let report = Copies::new(5).write(
//!     &writers,
//!     CopySource::Stream(&mut image.as_slice()),
//!     image.len() as u64,
//!     &robot,
//!     &|_drive, _copy, _event| {},
//! )?;
//! assert_eq!(report.results.len(), 5);
//! assert!(report.all_succeeded());
//! assert_eq!(robot.0.load(Ordering::SeqCst), 3, "two discs were in the drives");
//! assert_eq!(report.bytes_read, image.len() as u64, "the stream is read once");
//! # Ok::<(), discwriter::Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex};

use mmc_core::Transport;

use super::image::{Again, CopySource, FileFrom, FirstRead, Spooled};
use super::{thread_stopped, FanOut};
use crate::error::{ApiMisuse, Error};
use crate::recorder::Recorder;
use crate::writer::{CancelHandle, DataWriter, ProgressEvent, WriteOutcome};

/// Gets a drive ready for its next copy: the caller's part of a [`Copies`] job, called on
/// the drive's own thread (so one drive waiting for its disc holds up no other).
pub trait DiscChanger<T: Transport>: Sync {
    /// A copy has ended (written, or failed) and `recorder` still holds its disc: what the
    /// caller keeps of that disc (its state, a manifest, a virtual disc saved) it takes
    /// here. Nothing by default.
    fn copy_ended(&self, ended: &CopyResult, recorder: &mut Recorder<T>) {
        let _ = (ended, recorder);
    }

    /// Puts a new blank disc in drive `drive` for copy `copy`: ejects the one written and
    /// waits for an operator or a robot to load the next, or (for a virtual drive) gives
    /// the recorder a drive holding a new disc. The recorder comes back for the copy; an
    /// error ends this drive's part of the job (the copy goes to another drive) and the
    /// recorder is dropped.
    fn next_disc(
        &self,
        drive: usize,
        copy: u32,
        recorder: Recorder<T>,
    ) -> Result<Recorder<T>, Error>;
}

/// The most copies one job makes (its report holds a result for each).
pub const MAX_COPIES: u32 = 100_000;

/// Receives each drive's progress events with the drive's index and the copy it writes.
pub type CopyEvents<'a> = dyn Fn(usize, u32, &ProgressEvent) + Sync + 'a;

/// A job of `count` copies of one image on the drives given to [`Copies::write`].
#[derive(Debug, Clone)]
pub struct Copies {
    /// The copies to make: at least one per drive, at most [`MAX_COPIES`].
    pub count: u32,
    /// Refuse a disc that is not blank (an appendable write-once disc, a rewritable disc
    /// holding data), in [`Copies::check_media`] and for each disc the changer brings, where
    /// a plain write would add a session or write over it.
    pub reject_if_not_blank: bool,
    /// The first round's fan-out.
    pub fan_out: FanOut,
    cancel: CancelHandle,
}

/// One copy: the drive that made it (`None` when no drive was left to make it), what the
/// write gave, and the last LBA it sent to the drive.
#[derive(Debug)]
pub struct CopyResult {
    /// From 1.
    pub copy: u32,
    pub drive: Option<usize>,
    pub outcome: Result<WriteOutcome, Error>,
    pub last_written_lba: Option<i64>,
}

/// What a [`Copies`] job did: one result per copy, by copy number, and the bytes read from
/// the source (the image once, whatever the number of copies).
#[derive(Debug)]
pub struct CopiesReport {
    pub results: Vec<CopyResult>,
    pub bytes_read: u64,
}

impl CopiesReport {
    /// Every copy was made.
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(|r| r.outcome.is_ok())
    }
}

/// The copy numbers not yet taken, shared by the drives: the next new one, those a drive
/// gave back (with why) when it could not make them, and how many copies are with a drive
/// that waits for its disc (any of them may still be given back).
struct Counter {
    next: u32,
    count: u32,
    given_back: Vec<(u32, Error)>,
    awaiting_disc: usize,
}

impl Counter {
    fn take(&mut self) -> Option<u32> {
        if let Some((copy, _)) = self.given_back.pop() {
            return Some(copy);
        }
        (self.next <= self.count).then(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

/// Errors after which a drive takes no more copies: it is gone, or the job is cancelled.
fn ends_the_drive(e: &Error) -> bool {
    matches!(
        e,
        Error::DeviceNotExist | Error::InvalidHandle | Error::RequestCancelled { .. }
    )
}

impl Copies {
    /// `count` copies, checked media not required to be blank, the default fan-out.
    pub fn new(count: u32) -> Self {
        Copies {
            count,
            reject_if_not_blank: false,
            fan_out: FanOut::default(),
            cancel: CancelHandle::new(),
        }
    }

    /// Cancels the whole job from any thread: each running write stops at its next
    /// transfer (as its own cancel handle would stop it) and no further copy starts.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Every writer's disc checked before any drive starts, as [`FanOut::check_media`], and
    /// with [`Copies::reject_if_not_blank`] each one blank ([`DataWriter::check_blank`]).
    /// The first that will not do, with its index, refuses the whole job.
    pub fn check_media<T: Transport + Send>(
        &self,
        writers: &[DataWriter<T>],
        length: u64,
    ) -> Result<(), (usize, Error)> {
        for (index, writer) in writers.iter().enumerate() {
            self.check_disc(writer, length).map_err(|e| (index, e))?;
        }
        Ok(())
    }

    fn check_disc<T: Transport + Send>(
        &self,
        writer: &DataWriter<T>,
        length: u64,
    ) -> Result<(), Error> {
        if self.reject_if_not_blank {
            writer.check_blank()?;
        }
        writer.check_medium(length)
    }

    /// Makes [`Copies::count`] copies of `length` bytes of `source` on `writers` (each set
    /// up with its recorder, client name and options, its disc checked): the first round
    /// one per drive, read once; then the later copies, each drive taking the next copy as
    /// it finishes one and asking `changer` for a new disc. Returns when every copy is
    /// made or no drive is left; fewer copies than drives is refused
    /// (E_INVALIDARG) before anything is read.
    pub fn write<T: Transport + Send>(
        &self,
        writers: &[DataWriter<T>],
        source: CopySource<'_>,
        length: u64,
        changer: &dyn DiscChanger<T>,
        events: &CopyEvents<'_>,
    ) -> Result<CopiesReport, Error> {
        let drives = u32::try_from(writers.len()).unwrap_or(u32::MAX);
        if self.count < drives || drives == 0 {
            return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                "{} copies on {} drives: each drive makes at least one copy",
                self.count, drives
            ))));
        }
        if self.count > MAX_COPIES {
            return Err(Error::Api(ApiMisuse::InvalidArg(format!(
                "{} copies: at most {MAX_COPIES} in one job",
                self.count
            ))));
        }
        let more = self.count > drives;
        // A stream is kept for the later copies only when there are any.
        let spool = match (&source, more) {
            (CopySource::Stream(_), true) => {
                Some(Arc::new(tempfile::tempfile().map_err(|e| Error::Fail {
                    detail: format!(
                        "a temporary file for the image in {}: {e}",
                        std::env::temp_dir().display()
                    ),
                    cause: None,
                })?))
            }
            _ => None,
        };
        let ready = Arc::new((Mutex::new(Spooled::Reading), Condvar::new()));
        let (mut first_source, again): (Box<dyn Read + Send + '_>, Option<Again>) = match source {
            CopySource::File(file) => (
                Box::new(FileFrom::start(file.clone(), length)),
                more.then_some(Again::File(file)),
            ),
            CopySource::Stream(stream) => (
                Box::new(stream),
                spool.clone().map(|file| Again::Spool {
                    file,
                    ready: ready.clone(),
                }),
            ),
        };
        let mut first = FirstRead {
            source: &mut *first_source,
            spool: spool.as_deref(),
            taken: 0,
            failed: None,
        };
        let later = Later {
            length,
            counter: Mutex::new(Counter {
                next: drives + 1,
                count: self.count,
                given_back: Vec::new(),
                awaiting_disc: 0,
            }),
            counted: Condvar::new(),
            again,
            changer,
            events,
        };
        let (per_drive, _) = self.fan_out.run(
            writers,
            &mut first,
            length,
            &mut |first, _| {
                if first.spool.is_none() {
                    return;
                }
                // Every drive's first copy may have stopped early: the spool still needs
                // the whole image.
                first.read_to(length);
                let state = match &first.failed {
                    Some(why) => Spooled::Short(why.clone()),
                    None if first.taken < length => Spooled::Short(format!(
                        "the image ended after {} of its {length} bytes",
                        first.taken
                    )),
                    None => Spooled::Whole,
                };
                let (spooled, changed) = &*ready;
                *spooled.lock().unwrap_or_else(|p| p.into_inner()) = state;
                changed.notify_all();
            },
            &|index, writer, stream| self.drive_copies(writer, index, Box::new(stream), &later),
        );
        let mut results: Vec<CopyResult> = Vec::with_capacity(self.count as usize);
        for (index, made) in per_drive.into_iter().enumerate() {
            match made {
                Some(made) => results.extend(made),
                // A drive whose thread stopped: its first copy failed.
                None => results.push(CopyResult {
                    copy: index as u32 + 1,
                    drive: Some(index),
                    outcome: Err(thread_stopped()),
                    last_written_lba: None,
                }),
            }
        }
        // The copies no drive made: given back by a drive that could not get a disc, taken
        // by a drive whose thread stopped, or never taken.
        let mut counter = later
            .counter
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        let mut why: BTreeMap<u32, Error> = counter.given_back.drain(..).collect();
        let made: BTreeSet<u32> = results.iter().map(|r| r.copy).collect();
        for copy in (1..=self.count).filter(|c| !made.contains(c)) {
            results.push(CopyResult {
                copy,
                drive: None,
                outcome: Err(why
                    .remove(&copy)
                    .unwrap_or_else(|| not_made(self.cancel.is_cancelled()))),
                last_written_lba: None,
            });
        }
        results.sort_by_key(|r| r.copy);
        Ok(CopiesReport {
            results,
            bytes_read: first.taken,
        })
    }

    /// One drive's part of the job: its copy of the first round from `first`, then as many
    /// later copies as it can take.
    fn drive_copies<T: Transport + Send>(
        &self,
        writer: &DataWriter<T>,
        drive: usize,
        first: Box<dyn Read + Send>,
        later: &Later<'_, T>,
    ) -> Vec<CopyResult> {
        let mut made = Vec::new();
        let mut copy = drive as u32 + 1;
        let mut data = Ok(first);
        loop {
            // A copy refused before its write (its disc, the image) wrote nothing.
            let wrote = data.is_ok();
            let outcome = data.and_then(|stream| {
                writer.write_stream(stream, Some(later.length), &mut |e, c| {
                    if self.cancel.is_cancelled() {
                        c.cancel();
                    }
                    (later.events)(drive, copy, e)
                })
            });
            let last_written_lba = match wrote {
                true => writer.last_written_lba().ok().flatten(),
                false => None,
            };
            let recorder = writer.take_recorder().ok().flatten();
            let stop = self.cancel.is_cancelled() || outcome.as_ref().is_err_and(ends_the_drive);
            let ended = CopyResult {
                copy,
                drive: Some(drive),
                outcome,
                last_written_lba,
            };
            let mut recorder = recorder.map(|mut r| {
                later.changer.copy_ended(&ended, &mut r);
                r
            });
            made.push(ended);
            let next = match (stop, recorder.is_some()) {
                (false, true) => later.next_copy(),
                _ => None,
            };
            let (Some(next), Some(rec)) = (next, recorder.take()) else {
                // The recorder stays with the writer for the caller.
                if let Some(rec) = recorder {
                    let _ = writer.set_recorder(rec);
                }
                return made;
            };
            let changed = match self.cancel.is_cancelled() {
                true => Err(not_made(true)),
                false => later.changer.next_disc(drive, next, rec),
            };
            let rec = match changed {
                Ok(rec) => {
                    later.disc_came(None);
                    rec
                }
                Err(e) => {
                    tracing::warn!(target: "discwriter::write", "drive {drive} takes no more copies: {e}");
                    later.disc_came(Some((next, e)));
                    return made;
                }
            };
            copy = next;
            data = writer
                .set_recorder(rec)
                .and_then(|()| self.check_disc(writer, later.length))
                .and_then(|()| match &later.again {
                    Some(again) => again.reader(later.length),
                    None => Err(not_made(false)),
                });
        }
    }
}

/// What the drives share for the copies after the first round.
struct Later<'a, T: Transport> {
    length: u64,
    counter: Mutex<Counter>,
    /// Signalled when a drive waiting for a disc got it or gave its copy back.
    counted: Condvar,
    again: Option<Again>,
    changer: &'a dyn DiscChanger<T>,
    events: &'a CopyEvents<'a>,
}

impl<T: Transport> Later<'_, T> {
    /// The next copy for a drive that is free, counted as awaiting its disc. With none left
    /// to take, waits while another drive awaits its disc: that drive may yet give its copy
    /// back, and a drive that had stopped asking would leave it unmade.
    fn next_copy(&self) -> Option<u32> {
        let mut counter = lock(&self.counter);
        loop {
            if let Some(copy) = counter.take() {
                counter.awaiting_disc += 1;
                return Some(copy);
            }
            if counter.awaiting_disc == 0 {
                return None;
            }
            counter = self
                .counted
                .wait(counter)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    /// A drive's wait for its disc has ended: with the disc, or with the copy given back
    /// (and why) for another drive.
    fn disc_came(&self, given_back: Option<(u32, Error)>) {
        let mut counter = lock(&self.counter);
        counter.awaiting_disc = counter.awaiting_disc.saturating_sub(1);
        counter.given_back.extend(given_back);
        self.counted.notify_all();
    }
}

fn lock<X>(m: &Mutex<X>) -> std::sync::MutexGuard<'_, X> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why a copy was not made when no drive took it.
fn not_made(cancelled: bool) -> Error {
    if cancelled {
        Error::RequestCancelled {
            last_written_lba: None,
        }
    } else {
        Error::Fail {
            detail: "no drive was left to make this copy".into(),
            cause: None,
        }
    }
}
