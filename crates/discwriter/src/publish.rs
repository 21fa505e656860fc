//! One image to many drives at once, as a disc-publishing station burns it: the source is
//! read once, front to back, and each chunk is handed to one bounded queue per drive; each
//! drive runs its own [`DataWriter::write_stream`] on a thread of its own, with its own
//! progress events, verification and result.
//!
//! A drive whose job ends (a fault, a refused medium, a cancel) drops its queue; the reader
//! skips it from then on, so a dead drive never holds up the others. The chunks are shared
//! between the queues (reference counted), so memory is bounded by the queue depth times the
//! chunk size, plus each writer's own fifo ([`crate::WriteOptions::fifo_bytes`]).
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

use std::io::{ErrorKind, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use mmc_core::Transport;

use crate::error::Error;
use crate::writer::fifo::fill;
use crate::writer::{CancelHandle, DataWriter, ProgressEvent, WriteOutcome};

/// The fan-out's shape: the size of the chunks read from the source and how many of them
/// each drive's queue may hold before the reader waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanOut {
    pub chunk_bytes: usize,
    pub depth: usize,
}

impl Default for FanOut {
    /// 1 MiB chunks, four per queue: 4 MiB shared between the queues at most.
    fn default() -> Self {
        FanOut {
            chunk_bytes: 1024 * 1024,
            depth: 4,
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
        let depth = self.depth.max(1);
        let chunk_bytes = self.chunk_bytes.max(2048);
        std::thread::scope(|scope| {
            let mut queues: Vec<Option<SyncSender<Piece>>> = Vec::with_capacity(writers.len());
            let mut jobs = Vec::with_capacity(writers.len());
            for (index, writer) in writers.iter().enumerate() {
                let (tx, rx) = sync_channel::<Piece>(depth);
                queues.push(Some(tx));
                jobs.push(scope.spawn(move || {
                    let stream = QueueReader {
                        queue: rx,
                        piece: None,
                        at: 0,
                    };
                    writer.write_stream(
                        Box::new(stream),
                        Some(length),
                        &mut |e: &ProgressEvent, _: &CancelHandle| events(index, e),
                    )
                }));
            }
            let bytes_read = distribute(source, length, chunk_bytes, &mut queues);
            // The end of the source: each drive's reader sees its queue close.
            drop(queues);
            let results = jobs
                .into_iter()
                .map(|job| {
                    job.join().unwrap_or_else(|_| {
                        Err(Error::Fail {
                            detail: "the thread writing to this drive stopped".into(),
                            cause: None,
                        })
                    })
                })
                .collect();
            FanOutReport {
                results,
                bytes_read,
            }
        })
    }
}

/// Reads `source` up to `length` bytes in chunks and sends each chunk to every queue still
/// open; a queue whose drive has gone is closed for good. Stops early when no drive is left.
/// The bytes read.
fn distribute(
    source: &mut (dyn Read + Send),
    length: u64,
    chunk_bytes: usize,
    queues: &mut [Option<SyncSender<Piece>>],
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
        for queue in queues.iter_mut() {
            if let Some(tx) = queue {
                if tx.send(piece.clone()).is_err() {
                    *queue = None;
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
/// the queue closes.
struct QueueReader {
    queue: Receiver<Piece>,
    piece: Option<Arc<Vec<u8>>>,
    at: usize,
}

impl Read for QueueReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(rest) = self.piece.as_ref().and_then(|p| p.get(self.at..)) {
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
                        to.copy_from_slice(from);
                    }
                    self.at += n;
                    return Ok(n);
                }
            }
            match self.queue.recv() {
                Ok(Ok(piece)) => {
                    self.piece = Some(piece);
                    self.at = 0;
                }
                Ok(Err((kind, message))) => return Err(std::io::Error::new(kind, message)),
                Err(_) => return Ok(0),
            }
        }
    }
}
