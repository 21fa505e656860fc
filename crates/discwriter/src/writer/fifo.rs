//! The host fifo: a reader thread fills fixed-size chunks from the stream into a bounded
//! queue, so a slow source never starves the drive while the queue holds data; buffers go
//! back to the reader once written, so the fifo allocates once.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

/// One chunk of the stream.
#[derive(Debug)]
pub(crate) struct Chunk {
    /// First sector of the chunk, relative to the stream.
    pub(crate) first_sector: u64,
    pub(crate) data: Vec<u8>,
}

/// What the writer side holds.
#[derive(Debug)]
pub(crate) struct FifoReader {
    full: Receiver<std::io::Result<Chunk>>,
    empty: SyncSender<Vec<u8>>,
    queued: Arc<AtomicUsize>,
    pub(crate) chunk_bytes: usize,
    pub(crate) depth: usize,
}

impl FifoReader {
    /// The next chunk; `None` at the end of the stream.
    pub(crate) fn next(&self) -> Option<std::io::Result<Chunk>> {
        let c = self.full.recv().ok()?;
        self.queued.fetch_sub(1, Ordering::SeqCst);
        Some(c)
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

    pub(crate) fn total_bytes(&self) -> u64 {
        (self.depth * self.chunk_bytes) as u64
    }
}

/// The reader thread's body: reads `sectors` sectors of `source` in chunks of `chunk_bytes`.
pub(crate) fn reader_loop(
    source: &mut (dyn Read + Send),
    sectors: u64,
    chunk_bytes: usize,
    full: SyncSender<std::io::Result<Chunk>>,
    empty: Receiver<Vec<u8>>,
    queued: Arc<AtomicUsize>,
) {
    let chunk_sectors = (chunk_bytes / 2048) as u64;
    let mut sector = 0u64;
    while sector < sectors {
        let n = chunk_sectors.min(sectors - sector);
        let Ok(mut buf) = empty.recv() else {
            return; // the writer stopped
        };
        buf.resize(n as usize * 2048, 0);
        if let Err(e) = source.read_exact(&mut buf) {
            let _ = full.send(Err(e));
            return;
        }
        queued.fetch_add(1, Ordering::SeqCst);
        if full
            .send(Ok(Chunk {
                first_sector: sector,
                data: buf,
            }))
            .is_err()
        {
            return;
        }
        sector += n;
    }
}

/// The channels of a fifo of `fifo_bytes` in chunks of `chunk_bytes`, with its buffers
/// allocated (fallibly: `None` when memory runs out).
#[allow(clippy::type_complexity)]
pub(crate) fn channels(
    fifo_bytes: usize,
    chunk_bytes: usize,
) -> Option<(
    FifoReader,
    SyncSender<std::io::Result<Chunk>>,
    Receiver<Vec<u8>>,
    Arc<AtomicUsize>,
)> {
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
    let (full_tx, full_rx) = sync_channel(depth);
    let (empty_tx, empty_rx) = sync_channel(count);
    for buf in buffers {
        empty_tx.try_send(buf).ok()?;
    }
    let queued = Arc::new(AtomicUsize::new(0));
    Some((
        FifoReader {
            full: full_rx,
            empty: empty_tx,
            queued: queued.clone(),
            chunk_bytes,
            depth,
        },
        full_tx,
        empty_rx,
        queued,
    ))
}
