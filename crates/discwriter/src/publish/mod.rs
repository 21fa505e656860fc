//! One image to many drives at once, as a disc-publishing station burns it: the source is
//! read once, front to back, and each chunk is handed to one bounded queue per drive; each
//! drive runs its own [`DataWriter::write_stream`] on a thread of its own, with its own
//! progress events, verification and result.
//!
//! A drive whose job ends (a fault, a refused medium, a cancel) drops its queue; the reader
//! skips it from then on, so a dead drive never holds up the others. A drive that stops
//! taking data without ending (a hung command, a drive stuck retrying) holds the reader up
//! for [`FanOut::stall_timeout`] at most: then it is left behind, its queue closed, and its
//! write ends with E_FAIL once it has used what it was given (the reader has moved on and
//! cannot give it the rest), while the others go on. The chunks are shared
//! between the queues (reference counted), so memory is bounded by the queue depth times the
//! chunk size, plus each writer's own fifo ([`crate::WriteOptions::fifo_bytes`]).
//!
//! [`Copies`] makes more copies than there are drives: the fan-out is its first round, then
//! each drive takes the next copy as it finishes one, on a new disc a [`DiscChanger`] brings
//! (an [`OperatorChanger`] for drives loaded by hand); [`CopySource`] says how the later
//! copies get the image again.
//!
//! The source is read on the caller's thread, and the job returns once that read has
//! stopped: a pipe whose writer hangs would hold a cancelled job. Wrapped in a [`Detached`],
//! it is read on a thread of its own that a cancel leaves behind.
//!
//! ```
//! use discwriter::publish::FanOut;
//! use discwriter::{DataWriter, Recorder, WriteOptions};
//! use virtdrive::medium::{self, MediumKind};
//! use virtdrive::store::MemoryStore;
//! use virtdrive::{DriveConfig, EmulatedDrive};
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
//!     .collect::<Result<_, discwriter::Error>>()?;
//! let image = vec![0x5Au8; 64 * 2048];
//! let report = FanOut::default().write(
//!     &writers,
//!     &mut image.as_slice(),
//!     image.len() as u64,
//!     &|_drive, _event| {},
//! );
//! assert!(report.results.iter().all(|r| r.is_ok()));
//! assert_eq!(report.bytes_read, image.len() as u64);
//! # Ok::<(), discwriter::Error>(())
//! ```

mod copies;
mod detached;
mod image;
mod operator;

pub use copies::{Copies, CopiesReport, CopyEvents, CopyResult, DiscChanger, MAX_COPIES};
pub use detached::Detached;
pub use image::CopySource;
pub use operator::{OperatorChanger, OPERATOR_TIMEOUT};

use std::io::{ErrorKind, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, SendTimeoutError, Sender};

use mmc_core::Transport;

use crate::error::Error;
use crate::writer::fifo::fill;
use crate::writer::{CancelHandle, DataWriter, ProgressEvent, WriteOutcome};

/// The fan-out's shape: the size of the chunks read from the source, how many of them each
/// drive's queue may hold before the reader waits for it, and how long it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanOut {
    pub chunk_bytes: usize,
    pub depth: usize,
    /// How long the reader waits for a drive whose queue is full (a drive that took no data
    /// for that long) before leaving it behind; `None` waits as long as the drive takes.
    pub stall_timeout: Option<Duration>,
}

impl FanOut {
    /// The default [`FanOut::stall_timeout`]: two minutes, longer than a drive's power
    /// calibration, a layer jump or a defect-management pause, in which a drive that
    /// is working takes no data.
    pub const DEFAULT_STALL_TIMEOUT: Duration = Duration::from_secs(120);
}

impl Default for FanOut {
    /// 1 MiB chunks, four per queue: 4 MiB shared between the queues at most; a drive that
    /// takes no data for two minutes is left behind.
    fn default() -> Self {
        FanOut {
            chunk_bytes: 1024 * 1024,
            depth: 4,
            stall_timeout: Some(Self::DEFAULT_STALL_TIMEOUT),
        }
    }
}

/// What a fan-out did: one result per writer, in the order the writers were given, and the
/// bytes taken from the source (its length, once, unless every drive stopped early).
#[derive(Debug)]
pub struct FanOutReport {
    pub results: Vec<Result<WriteOutcome, Error>>,
    pub bytes_read: u64,
}

impl FanOutReport {
    /// Every drive wrote its disc.
    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(Result::is_ok)
    }
}

/// Receives each drive's progress events with the drive's index among the writers.
pub type FanOutEvents<'a> = dyn Fn(usize, &ProgressEvent) + Sync + 'a;

/// What the reader hands a drive's queue: a chunk shared with the other drives, or how
/// reading the source failed.
type Piece = Result<Arc<Vec<u8>>, (ErrorKind, String)>;

impl FanOut {
    /// Every writer's disc checked for `length` bytes ([`DataWriter::check_medium`]) before
    /// any drive starts: the first that will not take the data, with its index, refuses the
    /// whole job.
    pub fn check_media<T: Transport + Send>(
        writers: &[DataWriter<T>],
        length: u64,
    ) -> Result<(), (usize, Error)> {
        for (index, writer) in writers.iter().enumerate() {
            writer.check_medium(length).map_err(|e| (index, e))?;
        }
        Ok(())
    }

    /// Writes `length` bytes of `source` to every writer's disc at once (each writer set up
    /// with its recorder, client name and options), reading `source` once. Returns when every
    /// drive's write has ended.
    pub fn write<T: Transport + Send>(
        &self,
        writers: &[DataWriter<T>],
        source: &mut (dyn Read + Send),
        length: u64,
        events: &FanOutEvents<'_>,
    ) -> FanOutReport {
        let mut source = source;
        let (results, bytes_read) = self.run(
            writers,
            &mut source,
            length,
            &mut |_, _| {},
            &|index, writer: &DataWriter<T>, stream| {
                writer.write_stream(
                    Box::new(stream),
                    Some(length),
                    &mut |e: &ProgressEvent, _: &CancelHandle| events(index, e),
                )
            },
        );
        FanOutReport {
            results: results
                .into_iter()
                .map(|r| r.unwrap_or_else(|| Err(thread_stopped())))
                .collect(),
            bytes_read,
        }
    }

    /// The fan-out itself: one thread per item of `drives` running `job` with the drive's
    /// queue as its stream, the source read once and handed to every queue. `source_read`
    /// runs once the queues are closed (with the source and the bytes read from it), while
    /// the jobs go on. Each job's result (`None` for a job whose thread stopped), and the
    /// bytes read by the fan-out.
    pub(crate) fn run<S: Read + Send, D: Sync, R: Send>(
        &self,
        drives: &[D],
        source: &mut S,
        length: u64,
        source_read: &mut dyn FnMut(&mut S, u64),
        job: &(dyn Fn(usize, &D, QueueReader) -> R + Sync),
    ) -> (Vec<Option<R>>, u64) {
        let depth = self.depth.max(1);
        let chunk_bytes = self.chunk_bytes.max(2048);
        std::thread::scope(|scope| {
            let mut queues = Vec::with_capacity(drives.len());
            let mut jobs = Vec::with_capacity(drives.len());
            for (index, drive) in drives.iter().enumerate() {
                let (tx, rx) = bounded::<Piece>(depth);
                let left_behind = Arc::new(AtomicBool::new(false));
                queues.push(Some(Queue {
                    tx,
                    left_behind: Arc::clone(&left_behind),
                }));
                let stall = self.stall_timeout;
                jobs.push(scope.spawn(move || {
                    let stream = QueueReader {
                        queue: rx,
                        cursor: ChunkCursor::default(),
                        left_behind,
                        stall,
                    };
                    job(index, drive, stream)
                }));
            }
            let bytes_read =
                distribute(source, length, chunk_bytes, self.stall_timeout, &mut queues);
            // The end of the source: each drive's reader sees its queue close.
            drop(queues);
            source_read(source, bytes_read);
            let results = jobs.into_iter().map(|job| job.join().ok()).collect();
            (results, bytes_read)
        })
    }
}

/// The result of a drive whose thread stopped (a panic in a caller's callback).
pub(crate) fn thread_stopped() -> Error {
    Error::Fail {
        detail: "the thread writing to this drive stopped".into(),
        cause: None,
    }
}

/// The reader's side of one drive's queue.
struct Queue {
    tx: Sender<Piece>,
    /// Set when the reader gave up waiting for the drive: its reader then reports the data
    /// it never got as an error, not as the end of the image.
    left_behind: Arc<AtomicBool>,
}

impl Queue {
    /// Hands `piece` to the drive, waiting at most `stall` for room. False when the drive
    /// has gone or was left behind.
    fn send(&self, piece: Piece, stall: Option<Duration>) -> bool {
        let sent = match stall {
            Some(limit) => self.tx.send_timeout(piece, limit),
            None => self
                .tx
                .send(piece)
                .map_err(|e| SendTimeoutError::Disconnected(e.0)),
        };
        match sent {
            Ok(()) => true,
            Err(SendTimeoutError::Timeout(_)) => {
                self.left_behind.store(true, Ordering::SeqCst);
                false
            }
            Err(SendTimeoutError::Disconnected(_)) => false,
        }
    }
}

/// Reads `source` up to `length` bytes in chunks and sends each chunk to every queue still
/// open; a queue whose drive has gone, or took nothing for `stall`, is closed for good.
/// Stops early when no drive is left. The bytes read.
fn distribute(
    source: &mut (dyn Read + Send),
    length: u64,
    chunk_bytes: usize,
    stall: Option<Duration>,
    queues: &mut [Option<Queue>],
) -> u64 {
    let mut offset = 0u64;
    while offset < length && queues.iter().any(Option::is_some) {
        let want = (length - offset).min(chunk_bytes as u64) as usize;
        let mut buf = vec![0u8; want];
        let piece: Piece = match fill(source, &mut buf) {
            Ok(0) => return offset,
            Ok(n) => {
                buf.truncate(n);
                offset += n as u64;
                // Arc::new, not Arc::from: the chunk is shared as read, not copied again.
                Ok(Arc::new(buf))
            }
            Err(e) => Err((e.kind(), e.to_string())),
        };
        let failed = piece.is_err();
        for slot in queues.iter_mut() {
            if let Some(queue) = slot {
                if !queue.send(piece.clone(), stall) {
                    *slot = None;
                }
            }
        }
        if failed {
            return offset;
        }
    }
    offset
}

/// One drive's view of the source: the chunks its queue delivers, as a stream that ends when
/// the queue closes (with an error when the reader left the drive behind).
pub(crate) struct QueueReader {
    queue: Receiver<Piece>,
    cursor: ChunkCursor,
    left_behind: Arc<AtomicBool>,
    stall: Option<Duration>,
}

impl Read for QueueReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(n) = self.cursor.copy_to(buf) {
                return Ok(n);
            }
            match self.queue.recv() {
                Ok(Ok(piece)) => self.cursor.start(piece),
                Ok(Err((kind, message))) => return Err(std::io::Error::new(kind, message)),
                Err(_) if self.left_behind.load(Ordering::SeqCst) => {
                    return Err(std::io::Error::new(
                        ErrorKind::TimedOut,
                        format!(
                            "this drive took no data for {:?}, so the other drives went on \
                             without it and the rest of the image never reached it",
                            self.stall.unwrap_or_default()
                        ),
                    ))
                }
                Err(_) => return Ok(0),
            }
        }
    }
}

/// A reader's place in the chunk it was last handed: the part not yet given out.
#[derive(Debug, Default)]
pub(crate) struct ChunkCursor {
    chunk: Option<Arc<Vec<u8>>>,
    at: usize,
}

impl ChunkCursor {
    /// Copies as much of the rest of the chunk as fits into `buf`; `None` once the chunk is
    /// used up, or when there is none yet.
    pub(crate) fn copy_to(&mut self, buf: &mut [u8]) -> Option<usize> {
        let rest = self
            .chunk
            .as_ref()?
            .get(self.at..)
            .filter(|r| !r.is_empty())?;
        let n = rest.len().min(buf.len());
        buf.get_mut(..n)?.copy_from_slice(rest.get(..n)?);
        self.at += n;
        Some(n)
    }

    /// Starts on a new chunk.
    pub(crate) fn start(&mut self, chunk: Arc<Vec<u8>>) {
        self.chunk = Some(chunk);
        self.at = 0;
    }
}
