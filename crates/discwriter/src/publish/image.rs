//! Where a publishing job's data comes from, and how copies after the first round get it
//! again: a file is read again from its first byte, a stream (read only once) is kept in a
//! temporary file as the first round reads it.

use std::fs::File;
use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};

use crate::error::Error;

/// The image of a [`super::Copies`] job.
pub enum CopySource<'a> {
    /// A file (or a block device): the first round of copies reads it front to back once,
    /// and each later copy reads it again from its first byte on its own (positioned reads,
    /// so copies written at the same time share no file offset).
    File(Arc<File>),
    /// Data read once, front to back (standard input, a pipe). When copies outnumber the
    /// drives, what the first round reads is also written to a temporary file (unnamed, in
    /// [`std::env::temp_dir`], gone when the job ends), from which the later copies read;
    /// with no more copies than drives nothing is kept.
    Stream(&'a mut (dyn Read + Send)),
}

impl std::fmt::Debug for CopySource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CopySource::File(file) => f.debug_tuple("File").field(file).finish(),
            CopySource::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// `length` bytes of a file from `offset`, read with positioned reads.
pub(crate) struct FileFrom {
    file: Arc<File>,
    offset: u64,
    end: u64,
}

impl FileFrom {
    pub(crate) fn start(file: Arc<File>, length: u64) -> Self {
        FileFrom {
            file,
            offset: 0,
            end: length,
        }
    }
}

impl Read for FileFrom {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = (self.end.saturating_sub(self.offset)).min(buf.len() as u64) as usize;
        let Some(buf) = buf.get_mut(..want).filter(|b| !b.is_empty()) else {
            return Ok(0);
        };
        let n = read_at(&self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// The first round's read of the source: counted, and copied into the spool when there is
/// one. A failure to write the spool does not stop the first round; it leaves the spool
/// short, and the later copies are not made.
pub(crate) struct FirstRead<'a> {
    pub(crate) source: &'a mut (dyn Read + Send),
    pub(crate) spool: Option<&'a File>,
    pub(crate) taken: u64,
    pub(crate) failed: Option<String>,
}

impl Read for FirstRead<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.source.read(buf).inspect_err(|e| {
            self.failed
                .get_or_insert_with(|| format!("reading the image: {e}"));
        })?;
        self.taken += n as u64;
        if let (Some(mut spool), Some(data), None) = (self.spool, buf.get(..n), &self.failed) {
            if let Err(e) = spool.write_all(data) {
                self.failed = Some(format!("keeping the image for the later copies: {e}"));
            }
        }
        Ok(n)
    }
}

impl FirstRead<'_> {
    /// Reads on to `length` bytes when every drive's first copy stopped before the source's
    /// end, so the spool holds the whole image for the later copies.
    pub(crate) fn read_to(&mut self, length: u64) {
        let mut buf = vec![0u8; 256 * 1024];
        while self.taken < length && self.failed.is_none() {
            let want = (length - self.taken).min(buf.len() as u64) as usize;
            let Some(part) = buf.get_mut(..want) else {
                return;
            };
            match self.read(part) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }
}

/// Where the copies after the first round read the image.
pub(crate) enum Again {
    /// The caller's file, read again.
    File(Arc<File>),
    /// The spool: ready once the first round has read the whole stream.
    Spool {
        file: Arc<File>,
        ready: Arc<(Mutex<Spooled>, Condvar)>,
    },
}

/// How far the spool got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Spooled {
    Reading,
    Whole,
    Short(String),
}

impl Again {
    /// The image from its first byte for one more copy; for a spool, once the first round
    /// has read the whole stream (a drive whose first copy ended early waits for it).
    pub(crate) fn reader(&self, length: u64) -> Result<Box<dyn Read + Send>, Error> {
        match self {
            Again::File(file) => Ok(Box::new(FileFrom::start(file.clone(), length))),
            Again::Spool { file, ready } => {
                let (state, changed) = &**ready;
                let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                while *s == Spooled::Reading {
                    s = changed.wait(s).unwrap_or_else(|p| p.into_inner());
                }
                let why = match &*s {
                    Spooled::Whole => return Ok(Box::new(FileFrom::start(file.clone(), length))),
                    Spooled::Short(why) => why.as_str(),
                    Spooled::Reading => "it is still being read",
                };
                Err(Error::Fail {
                    detail: format!("the image could not be read again for this copy: {why}"),
                    cause: None,
                })
            }
        }
    }
}
