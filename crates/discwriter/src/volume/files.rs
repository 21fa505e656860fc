//! The files of an ISO 9660 volume and the sectors they occupy, to name the files a damaged
//! range falls in (as xorriso's `-check_media report=files` does).
//!
//! Extents are read as recorded: on a multi-session disc written by xorriso or growisofs they
//! count from LBA 0 of the disc, not from the session's start.

use std::collections::HashSet;

use crate::recorder::SECTOR;

/// How deep directories are followed, and how many records are taken in all: bounds against
/// a volume whose directories loop or never end.
const MAX_DEPTH: usize = 32;
const MAX_ENTRIES: usize = 1 << 18;
/// The largest directory read (a directory's data length comes from the disc), and the
/// directory sectors read in all (128 MiB).
const MAX_DIRECTORY_SECTORS: u32 = 4096;
const MAX_SECTORS_READ: u32 = 1 << 16;

/// A file and its extent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IsoFile {
    /// From the root, "/" separated, without the ";1" version.
    pub path: String,
    pub lba: u32,
    pub sectors: u32,
}

/// The files found, and the directories that could not be read or made sense of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub files: Vec<IsoFile>,
    pub unreadable_directories: Vec<String>,
}

/// Lists the files of the ISO 9660 volume whose primary volume descriptor is at `start + 16`
/// (ECMA-119 8.4). `read(lba, sectors)` reads sectors (`None`: could not). `None` when there
/// is no primary volume descriptor there.
pub fn list(start: u32, read: &mut dyn FnMut(u32, u32) -> Option<Vec<u8>>) -> Option<Listing> {
    let pvd = read(start.checked_add(16)?, 1)?;
    super::iso9660_sectors(&pvd)?;
    // ECMA-119 8.4.18: the root directory record, 34 bytes at byte 156.
    let root = Record::parse(pvd.get(156..190)?)?;
    let mut listing = Listing::default();
    let mut walk = Walk {
        read,
        listing: &mut listing,
        entries: 0,
        sectors_left: MAX_SECTORS_READ,
        visited: HashSet::new(),
    };
    walk.directory("", root.lba, root.length, 0);
    Some(listing)
}

/// ECMA-119 9.1: a directory record.
struct Record<'a> {
    lba: u32,
    length: u32,
    directory: bool,
    name: &'a [u8],
}

impl<'a> Record<'a> {
    fn parse(r: &'a [u8]) -> Option<Self> {
        let lba = u32::from_le_bytes(r.get(2..6)?.try_into().ok()?);
        let length = u32::from_le_bytes(r.get(10..14)?.try_into().ok()?);
        let directory = r.get(25)? & 0x02 != 0;
        let n = usize::from(*r.get(32)?);
        let name = r.get(33..33 + n)?;
        Some(Record {
            lba,
            length,
            directory,
            name,
        })
    }
}

struct Walk<'r, 'l> {
    read: &'r mut dyn FnMut(u32, u32) -> Option<Vec<u8>>,
    listing: &'l mut Listing,
    entries: usize,
    sectors_left: u32,
    visited: HashSet<u32>,
}

impl Walk<'_, '_> {
    fn directory(&mut self, path: &str, lba: u32, length: u32, depth: usize) {
        let shown = if path.is_empty() { "/" } else { path };
        let sectors = length.div_ceil(SECTOR as u32).max(1);
        if depth > MAX_DEPTH
            || sectors > MAX_DIRECTORY_SECTORS.min(self.sectors_left)
            || !self.visited.insert(lba)
        {
            self.listing.unreadable_directories.push(shown.to_string());
            return;
        }
        self.sectors_left -= sectors;
        let Some(data) = (self.read)(lba, sectors) else {
            self.listing.unreadable_directories.push(shown.to_string());
            return;
        };
        let data = data.get(..length as usize).unwrap_or(&data);
        let mut subdirectories = Vec::new();
        // Records do not cross sector boundaries (ECMA-119 6.8.1.1): a zero length byte ends
        // the records of a sector.
        for sector in data.chunks(SECTOR) {
            let mut at = 0usize;
            while let Some(&len) = sector.get(at) {
                let len = usize::from(len);
                if len < 34 {
                    break;
                }
                let Some(record) = sector.get(at..at + len).and_then(Record::parse) else {
                    break;
                };
                at += len;
                self.entries += 1;
                if self.entries > MAX_ENTRIES {
                    self.listing.unreadable_directories.push(shown.to_string());
                    return;
                }
                // "\0" and "\1": the directory itself and its parent (ECMA-119 6.8.2.2).
                if record.name == [0] || record.name == [1] {
                    continue;
                }
                let name = String::from_utf8_lossy(record.name);
                let name = name.strip_suffix(";1").unwrap_or(&name);
                let name = name.strip_suffix('.').unwrap_or(name);
                let full = format!("{path}/{name}");
                if record.directory {
                    subdirectories.push((full, record.lba, record.length));
                } else if record.length > 0 {
                    self.listing.files.push(IsoFile {
                        path: full,
                        lba: record.lba,
                        sectors: record.length.div_ceil(SECTOR as u32),
                    });
                }
            }
        }
        for (full, lba, length) in subdirectories {
            self.directory(&full, lba, length, depth + 1);
        }
    }
}

/// The files of `files` with a sector in `first..first + sectors`.
pub fn overlapping(files: &[IsoFile], first: u32, sectors: u32) -> impl Iterator<Item = &IsoFile> {
    let end = u64::from(first) + u64::from(sectors);
    files.iter().filter(move |f| {
        u64::from(f.lba) < end && u64::from(f.lba) + u64::from(f.sectors) > u64::from(first)
    })
}

#[cfg(test)]
mod tests;
