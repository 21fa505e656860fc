//! The image `write` records: a file (read again to verify), or a stream read once (standard
//! input, a named pipe, a character device). A stream's length is `--size` when given; else,
//! when it starts with an ISO 9660 volume, the volume's size, as growisofs does; else unknown,
//! and the data is written as it comes. Everything here is decided before the drive is opened,
//! so an image that cannot be used never creates a disc file.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex};

use discwriter::publish::Detached;
use discwriter::CancelHandle;

use discwriter::volume::{iso9660_sectors, ISO9660_PVD_SECTOR};

use super::CliError;

const SECTOR: u64 = mmc_core::BLOCK_LEN as u64;

/// How a stream's length was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// The file's size.
    File(u64),
    /// `--size`.
    Given(u64),
    /// The ISO 9660 volume the stream starts with.
    Volume(u64),
    /// The stream ended within the first sectors looked at: all of it is known.
    Whole(u64),
    /// Written as it comes.
    Unknown,
}

impl Length {
    pub fn bytes(self) -> Option<u64> {
        match self {
            Length::File(n) | Length::Given(n) | Length::Volume(n) | Length::Whole(n) => Some(n),
            Length::Unknown => None,
        }
    }
}

/// An opened image.
pub enum Image {
    /// A file that can be read again.
    File(File),
    /// Read once, front to back; shared, so that what follows the written part can be
    /// looked at once the engine's reader is done with it.
    Stream(Shared),
}

/// A stream the engine reads on its own thread while the command keeps a handle to it.
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Box<dyn Read + Send>>>);

impl Read for Shared {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut r) => r.read(buf),
            Err(_) => Err(std::io::Error::other("the image's reader failed")),
        }
    }
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Image::File(file) => f.debug_tuple("File").field(file).finish(),
            Image::Stream(_) => f.write_str("Stream"),
        }
    }
}

/// Opens `path` (`-` is standard input) and works out its length.
pub fn open(path: &Path, size: Option<u64>) -> Result<(Image, Length), CliError> {
    let name = path.display().to_string();
    let input = |e: std::io::Error| CliError::Input(format!("{name}: {e}"));
    let (image, length) = if path.as_os_str() == "-" {
        stream(Box::new(std::io::stdin()), size, "standard input")?
    } else {
        let file = File::open(path).map_err(input)?;
        let meta = file.metadata().map_err(input)?;
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(CliError::Input(format!(
                "{name}: is a directory; write takes an image file (make one with \
                 xorriso -as mkisofs or genisoimage)"
            )));
        }
        if kind.is_file() || is_block_device(&kind) {
            let mut file = file;
            let length = if kind.is_file() {
                meta.len()
            } else {
                let n = file.seek(SeekFrom::End(0)).map_err(input)?;
                file.seek(SeekFrom::Start(0)).map_err(input)?;
                n
            };
            if let Some(size) = size.filter(|&s| s != length) {
                return Err(CliError::Input(format!(
                    "{name} has {length} bytes, not the {size} that --size says"
                )));
            }
            (Image::File(file), Length::File(length))
        } else {
            // A named pipe, a character device, a socket: read once.
            stream(Box::new(file), size, &name)?
        }
    };
    match length.bytes() {
        Some(0) => Err(CliError::Input(format!(
            "{name} is empty (0 bytes): there is nothing to write"
        ))),
        Some(n) if n % SECTOR != 0 => Err(discwriter::Error::Api(
            discwriter::ApiMisuse::StreamNotSupported { bytes: n },
        )
        .into()),
        _ => Ok((image, length)),
    }
}

#[cfg(unix)]
fn is_block_device(kind: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_block_device(kind)
}

#[cfg(not(unix))]
fn is_block_device(_: &std::fs::FileType) -> bool {
    false
}

/// A stream's length: `size`, or what its first 17 sectors say.
fn stream(
    mut reader: Box<dyn Read + Send>,
    size: Option<u64>,
    name: &str,
) -> Result<(Image, Length), CliError> {
    if let Some(size) = size {
        return Ok((Image::Stream(Shared::new(reader)), Length::Given(size)));
    }
    let look = (u64::from(ISO9660_PVD_SECTOR) + 1) * SECTOR;
    let mut head = vec![0u8; look as usize];
    let got = fill(&mut *reader, &mut head).map_err(|e| CliError::Input(format!("{name}: {e}")))?;
    head.truncate(got);
    let length = if (got as u64) < look {
        Length::Whole(got as u64)
    } else {
        let pvd = head.get((u64::from(ISO9660_PVD_SECTOR) * SECTOR) as usize..);
        match pvd.and_then(iso9660_sectors) {
            Some(v) => Length::Volume(u64::from(v) * SECTOR),
            None => Length::Unknown,
        }
    };
    let chained: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(reader));
    Ok((Image::Stream(Shared::new(chained)), length))
}

/// Reads until `buf` is full or the stream ends.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
        match reader.read(rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl Shared {
    fn new(reader: Box<dyn Read + Send>) -> Self {
        Shared(Arc::new(Mutex::new(reader)))
    }

    /// The stream read ahead on a thread of its own ([`Detached`]), so that a cancelled
    /// job need not wait for a pipe that has stalled. What the thread has read ahead is lost
    /// to later readers of the stream.
    pub fn detached(self, cancel: CancelHandle) -> std::io::Result<Detached> {
        Detached::new(Box::new(self), cancel)
    }
}

/// After a stream of given length was written: whether more data followed it.
pub fn more_follows(image: &mut Image) -> bool {
    match image {
        Image::File(_) => false,
        Image::Stream(r) => {
            let mut one = [0u8; 1];
            matches!(r.read(&mut one), Ok(n) if n > 0)
        }
    }
}
