//! [`Detached`]: a stream read ahead on a thread of its own.

use std::io::{ErrorKind, Read};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use super::ChunkCursor;
use crate::writer::CancelHandle;

/// How far a [`Detached`] reads ahead: four chunks of 256 KiB.
const AHEAD_CHUNKS: usize = 4;
const AHEAD_CHUNK_BYTES: usize = 256 * 1024;
/// How often a read waiting for the source looks at the cancel.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// A stream read ahead on a thread of its own, so that a cancelled job need not wait for a
/// source that has stalled.
///
/// A read from a pipe blocks until the other end writes or closes it; no cancel reaches a
/// thread blocked there. [`FanOut::write`](super::FanOut::write) and
/// [`Copies::write`](super::Copies::write) return only once their reader has stopped, so a
/// pipe that stalls holds them, cancelled or not. Wrapped in a [`Detached`], the pipe is
/// read by a thread the job does not wait for: a read gives up with an error once the
/// cancel is set, the job ends, and the thread stays blocked in the pipe until data or its
/// end comes, or the process exits.
///
/// Reads return the source's data in order, its end, its error, or, once `cancel` is set
/// while they wait, an error of their own. What the thread has read ahead when the reader is
/// dropped is lost.
///
/// ```
/// use std::io::Read;
/// use discwriter::publish::Detached;
/// use discwriter::CancelHandle;
///
/// // A source that never gives a byte: the reading end of a channel nobody sends on.
/// struct Stalled(std::sync::mpsc::Receiver<u8>);
/// impl Read for Stalled {
///     fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
///         self.0.recv().map_err(std::io::Error::other)?;
///         Ok(0)
///     }
/// }
/// let (_keep, rx) = std::sync::mpsc::channel();
/// let cancel = CancelHandle::new();
/// let mut source = Detached::new(Box::new(Stalled(rx)), cancel.clone())?;
/// cancel.cancel();
/// // The read returns (an error) although the source never will.
/// assert!(source.read(&mut [0u8; 2048]).is_err());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Detached {
    chunks: Receiver<std::io::Result<Vec<u8>>>,
    cursor: ChunkCursor,
    cancel: CancelHandle,
}

impl std::fmt::Debug for Detached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detached")
            .field("cancelled", &self.cancel.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl Detached {
    /// Starts reading `source` on a new thread (the error: the thread could not be
    /// started). In a program that blocks signals to handle them on one thread, call this
    /// once they are blocked, or the new thread may take them.
    pub fn new(mut source: Box<dyn Read + Send>, cancel: CancelHandle) -> std::io::Result<Self> {
        let (tx, chunks) = sync_channel::<std::io::Result<Vec<u8>>>(AHEAD_CHUNKS);
        let reader = std::thread::Builder::new().name("discwriter-source".into());
        reader.spawn(move || loop {
            let mut chunk = vec![0u8; AHEAD_CHUNK_BYTES];
            let piece = match source.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => {
                    chunk.truncate(n);
                    Ok(chunk)
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let failed = piece.is_err();
            // The reader gone (the job ended) or the source failed: nothing more to read.
            if tx.send(piece).is_err() || failed {
                return;
            }
        })?;
        Ok(Detached {
            chunks,
            cursor: ChunkCursor::default(),
            cancel,
        })
    }
}

impl Read for Detached {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(n) = self.cursor.copy_to(buf) {
                return Ok(n);
            }
            match self.chunks.recv_timeout(CANCEL_POLL) {
                Ok(Ok(piece)) => self.cursor.start(Arc::new(piece)),
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Timeout) if self.cancel.is_cancelled() => {
                    // Not `Interrupted`: readers retry that.
                    return Err(std::io::Error::other(
                        "the write was cancelled while waiting for the image's data",
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
            }
        }
    }
}
