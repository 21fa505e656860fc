//! [`Detached`]: a stream read ahead on a thread of its own.

use std::io::{ErrorKind, Read};
use std::panic::AssertUnwindSafe;
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
            // A source that panics has not ended: the reader must not take it for the end.
            let read = std::panic::catch_unwind(AssertUnwindSafe(|| source.read(&mut chunk)))
                .unwrap_or_else(|_| Err(std::io::Error::other("the image's reader panicked")));
            let piece = match read {
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
        if buf.is_empty() {
            return Ok(0);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives `data` in pieces of at most 1000 bytes, then panics.
    struct ThenPanics(Vec<u8>);

    impl Read for ThenPanics {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                panic!("a broken source");
            }
            let n = buf.len().min(self.0.len()).min(1000);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn the_data_comes_in_order_and_a_panicking_source_is_an_error_not_an_end() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        let mut d = Detached::new(Box::new(ThenPanics(data.clone())), CancelHandle::new()).unwrap();
        assert_eq!(d.read(&mut []).unwrap(), 0, "an empty buffer reads nothing");
        let mut got = Vec::new();
        let mut buf = [0u8; 777];
        let end = loop {
            match d.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => break Err(e),
            }
        };
        assert!(got == data, "every byte, in order");
        let e = end.expect_err("the panic is not the end of the image");
        assert!(e.to_string().contains("panicked"), "{e}");
    }

    #[test]
    fn a_source_that_ends_gives_its_end() {
        let mut d = Detached::new(Box::new(&b"abc"[..]), CancelHandle::new()).unwrap();
        let mut out = Vec::new();
        d.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc");
    }
}
