//! The host fifo: a reader thread fills fixed-size chunks from the stream into a bounded
//! queue, so a slow source never starves the drive while the queue holds data; buffers go
//! back to the reader once written, so the fifo allocates once.
//!
//! The stream's length may be known (a file, or a pipe whose size was given) or not (a pipe
//! read to its end); either way the reader hands over whole sectors only, and says how the
//! stream ended when it ended otherwise than expected.

use std::io::{ErrorKind, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::Duration;

use crate::recorder::SECTOR;

/// One chunk of the stream.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// First sector of the chunk, relative to the stream.
    pub(crate) first_sector: u64,
    pub(crate) data: Vec<u8>,
}

/// How reading the stream went wrong.
#[derive(Debug)]
pub(crate) enum StreamError {
    Io(std::io::Error),
    /// The stream ended after `bytes`, before the `expected` bytes its length promised.
    EndedEarly {
        bytes: u64,
        expected: u64,
    },
    /// The stream ended after `bytes`, which is not a whole number of 2048-byte sectors; the
    /// whole sectors before the end were handed over.
    PartialSector {
        bytes: u64,
    },
}

type Item = Result<Chunk, StreamError>;

/// What the writer side holds.
#[derive(Debug)]
pub(crate) struct FifoReader {
    full: Receiver<Item>,
    empty: SyncSender<Vec<u8>>,
    queued: Arc<AtomicUsize>,
    /// Whole sectors the reader has taken from the stream (IMAPI's LastReadLba).
    sectors_read: Arc<AtomicU64>,
    /// Set by the reader when it stops (end of stream, error, or the writer gone).
    reader_done: Arc<AtomicBool>,
    pub(crate) chunk_bytes: usize,
    pub(crate) depth: usize,
}

/// What [`FifoReader::next`] found.
#[derive(Debug)]
pub(crate) enum Next {
    Item(Item),
    /// The stream has ended and every chunk was taken.
    End,
    /// Nothing arrived within the wait (the source is slow); ask again.
    Waiting,
}

impl FifoReader {
    /// The next chunk, waiting at most `wait` for it.
    pub(crate) fn next(&self, wait: Duration) -> Next {
        match self.full.recv_timeout(wait) {
            Ok(item) => {
                if item.is_ok() {
                    self.queued.fetch_sub(1, Ordering::SeqCst);
                }
                Next::Item(item)
            }
            Err(RecvTimeoutError::Timeout) => Next::Waiting,
            Err(RecvTimeoutError::Disconnected) => Next::End,
        }
    }

    /// Gives a written chunk's buffer back to the reader.
    pub(crate) fn recycle(&self, mut buf: Vec<u8>) {
        buf.clear();
        let _ = self.empty.try_send(buf);
    }

    /// Bytes waiting in the queue.
    pub(crate) fn used_bytes(&self) -> u64 {
        (self.queued.load(Ordering::SeqCst) * self.chunk_bytes) as u64
    }

    /// Whole sectors read from the stream so far: those handed over, and those waiting in the
    /// queue. Counted before a chunk is queued, so never fewer than the writer has taken.
    pub(crate) fn sectors_read(&self) -> u64 {
        self.sectors_read.load(Ordering::SeqCst)
    }

    pub(crate) fn total_bytes(&self) -> u64 {
        (self.depth * self.chunk_bytes) as u64
    }

    /// Waits until the queue is full or the reader has stopped, as cdrecord and cdrskin fill
    /// their fifo before the first WRITE, so the drive starts from a full buffer; `stop` is
    /// asked between short waits (a cancel ends the wait).
    pub(crate) fn prefill(&self, stop: &dyn Fn() -> bool) {
        while self.queued.load(Ordering::SeqCst) < self.depth
            && !self.reader_done.load(Ordering::SeqCst)
            && !stop()
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// The reader's side of the fifo.
#[derive(Debug)]
pub(crate) struct FifoWriter {
    full: SyncSender<Item>,
    empty: Receiver<Vec<u8>>,
    queued: Arc<AtomicUsize>,
    sectors_read: Arc<AtomicU64>,
    reader_done: Arc<AtomicBool>,
    chunk_bytes: usize,
}

impl FifoWriter {
    /// The reader thread's body: reads `source` in chunks, `length` bytes when known,
    /// otherwise to its end.
    pub(crate) fn run(self, source: &mut (dyn Read + Send), length: Option<u64>) {
        self.read_all(source, length);
        self.reader_done.store(true, Ordering::SeqCst);
    }

    fn read_all(&self, source: &mut (dyn Read + Send), length: Option<u64>) {
        let mut offset = 0u64;
        loop {
            let want = match length {
                Some(total) => (total - offset).min(self.chunk_bytes as u64) as usize,
                None => self.chunk_bytes,
            };
            if want == 0 {
                return;
            }
            let Ok(mut buf) = self.empty.recv() else {
                return; // the writer stopped
            };
            buf.resize(want, 0);
            let got = match fill(source, &mut buf) {
                Ok(n) => n,
                Err(e) => {
                    let _ = self.full.send(Err(StreamError::Io(e)));
                    return;
                }
            };
            let whole = got - got % SECTOR;
            let ended = got < want;
            if whole > 0 {
                buf.truncate(whole);
                self.queued.fetch_add(1, Ordering::SeqCst);
                self.sectors_read
                    .fetch_add((whole / SECTOR) as u64, Ordering::SeqCst);
                let chunk = Chunk {
                    first_sector: offset / SECTOR as u64,
                    data: buf,
                };
                if self.full.send(Ok(chunk)).is_err() {
                    return;
                }
            }
            offset += got as u64;
            if !ended {
                continue;
            }
            let end = match length {
                Some(expected) => Err(StreamError::EndedEarly {
                    bytes: offset,
                    expected,
                }),
                None if got % SECTOR != 0 => Err(StreamError::PartialSector { bytes: offset }),
                None => return,
            };
            let _ = self.full.send(end);
            return;
        }
    }
}

/// Reads until `buf` is full or the stream ends; the bytes read.
pub(crate) fn fill(source: &mut (dyn Read + Send), buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
        match source.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// The two sides of a fifo of `fifo_bytes` in chunks of `chunk_bytes`, with its buffers
/// allocated (fallibly: `None` when memory runs out).
pub(crate) fn channels(fifo_bytes: usize, chunk_bytes: usize) -> Option<(FifoReader, FifoWriter)> {
    let depth = (fifo_bytes / chunk_bytes.max(1)).max(2);
    // The buffers first, fallibly: the channels' slot arrays are allocated infallibly by std,
    // so a fifo size no machine can hold (WriteOptions::fifo_bytes is the caller's) aborted
    // the process in sync_channel instead of returning E_OUTOFMEMORY. Once the buffers
    // exist, the slots (a few words per chunk) are a small fraction of them.
    let count = depth.checked_add(2)?;
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    buffers.try_reserve_exact(count).ok()?;
    for _ in 0..count {
        let mut buf = Vec::new();
        buf.try_reserve_exact(chunk_bytes).ok()?;
        buffers.push(buf);
    }
    // One slot more than the chunks, for the item that says how the stream ended.
    let (full_tx, full_rx) = sync_channel(depth + 1);
    let (empty_tx, empty_rx) = sync_channel(count);
    for buf in buffers {
        empty_tx.try_send(buf).ok()?;
    }
    let queued = Arc::new(AtomicUsize::new(0));
    let sectors_read = Arc::new(AtomicU64::new(0));
    let reader_done = Arc::new(AtomicBool::new(false));
    Some((
        FifoReader {
            full: full_rx,
            empty: empty_tx,
            queued: queued.clone(),
            sectors_read: sectors_read.clone(),
            reader_done: reader_done.clone(),
            chunk_bytes,
            depth,
        },
        FifoWriter {
            full: full_tx,
            empty: empty_rx,
            queued,
            sectors_read,
            reader_done,
            chunk_bytes,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `data` through a fifo of 4 chunks of 2 sectors; the chunks' sizes and how it
    /// ended.
    fn drain(data: &[u8], length: Option<u64>) -> (Vec<(u64, usize)>, Option<StreamError>) {
        let (reader, writer) = channels(4 * 4096, 4096).unwrap();
        let mut source = data;
        let mut chunks = Vec::new();
        let mut end = None;
        std::thread::scope(|s| {
            s.spawn(|| writer.run(&mut source, length));
            loop {
                match reader.next(Duration::from_secs(5)) {
                    Next::Item(Ok(c)) => {
                        chunks.push((c.first_sector, c.data.len()));
                        reader.recycle(c.data);
                    }
                    Next::Item(Err(e)) => end = Some(e),
                    Next::End => break,
                    Next::Waiting => panic!("the reader stalled"),
                }
            }
        });
        (chunks, end)
    }

    #[test]
    fn the_sectors_read_are_counted_before_they_are_handed_over() {
        let (reader, writer) = channels(4 * 4096, 4096).unwrap();
        let mut source: &[u8] = &[3u8; 5 * 2048];
        std::thread::scope(|s| {
            s.spawn(|| writer.run(&mut source, None));
            let mut taken = 0;
            while let Next::Item(Ok(c)) = reader.next(Duration::from_secs(5)) {
                taken += (c.data.len() / SECTOR) as u64;
                assert!(reader.sectors_read() >= taken);
                reader.recycle(c.data);
            }
            assert_eq!((taken, reader.sectors_read()), (5, 5));
        });
    }

    #[test]
    fn a_known_length_is_read_exactly() {
        let data = vec![7u8; 5 * 2048 + 100];
        let (chunks, end) = drain(&data, Some(5 * 2048));
        assert_eq!(chunks, [(0, 4096), (2, 4096), (4, 2048)]);
        assert!(end.is_none());
    }

    #[test]
    fn a_stream_shorter_than_its_length_says_so() {
        let data = vec![7u8; 3 * 2048];
        let (chunks, end) = drain(&data, Some(4 * 2048));
        assert_eq!(chunks, [(0, 4096), (2, 2048)]);
        match end {
            Some(StreamError::EndedEarly { bytes, expected }) => {
                assert_eq!((bytes, expected), (3 * 2048, 4 * 2048))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unknown_length_is_read_to_the_end_in_whole_sectors() {
        let (chunks, end) = drain(&vec![1u8; 3 * 2048], None);
        assert_eq!(chunks, [(0, 4096), (2, 2048)]);
        assert!(end.is_none());
        let (chunks, end) = drain(&vec![1u8; 3 * 2048 + 5], None);
        assert_eq!(chunks, [(0, 4096), (2, 2048)]);
        match end {
            Some(StreamError::PartialSector { bytes }) => assert_eq!(bytes, 3 * 2048 + 5),
            other => panic!("{other:?}"),
        }
        let (chunks, end) = drain(&[], None);
        assert!(chunks.is_empty() && end.is_none());
    }
}
