//! The files of an ISO 9660 volume and the sectors they occupy, to name the files a damaged
//! range falls in (as xorriso's `-check_media report=files` does).
//!
//! Names are the ones a user sees when the disc is mounted: the Rock Ridge names (RRIP NM
//! entries in the SUSP system use area, IEEE P1281/P1282) when the volume has them, else the
//! Joliet names (UCS-2 in a supplementary volume descriptor, ECMA-119 8.5), else the ISO 9660
//! names without their ";1" version. A directory Rock Ridge relocated for depth (RE/CL
//! entries, RRIP 4.1.5) is listed where the volume keeps it (under `rr_moved`): the CL entry
//! at its original place is an empty file record, which lists nothing.
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

/// How many volume descriptors are looked through for a Joliet one, and how many SUSP
/// continuation areas one record's name may run through.
const MAX_DESCRIPTORS: u32 = 32;
const MAX_CONTINUATIONS: usize = 8;

/// Which names the directory records of a walk carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// ISO 9660's own (d-characters, "NAME.EXT;1").
    Iso,
    /// Rock Ridge NM entries in the system use area, after `skip` bytes of it (SUSP SP's
    /// LEN_SKP); the ISO 9660 name where a record has none.
    RockRidge { skip: usize },
    /// UCS-2 big-endian (a Joliet supplementary volume descriptor's tree).
    Joliet,
}

/// Lists the files of the ISO 9660 volume whose primary volume descriptor is at `start + 16`
/// (ECMA-119 8.4). `read(lba, sectors)` reads sectors (`None`: could not). `None` when there
/// is no primary volume descriptor there.
pub fn list(start: u32, read: &mut dyn FnMut(u32, u32) -> Option<Vec<u8>>) -> Option<Listing> {
    let pvd = read(start.checked_add(16)?, 1)?;
    super::iso9660_sectors(&pvd)?;
    let mut listing = Listing::default();
    let mut walk = Walk {
        read,
        listing: &mut listing,
        entries: 0,
        sectors_left: MAX_SECTORS_READ,
        visited: HashSet::new(),
        names: Names::Iso,
    };
    // ECMA-119 8.4.18: the root directory record, 34 bytes at byte 156.
    let mut root = Record::parse(pvd.get(156..190)?)?;
    match walk.rock_ridge(&root) {
        Some(names) => walk.names = names,
        None => {
            if let Some(joliet) = walk.joliet_root(start) {
                root = joliet;
                walk.names = Names::Joliet;
            }
        }
    }
    walk.directory("", root.lba, root.length, 0);
    Some(listing)
}

/// ECMA-119 9.1: a directory record.
#[derive(Debug, Clone, Copy)]
struct Record<'a> {
    lba: u32,
    length: u32,
    directory: bool,
    name: &'a [u8],
    /// The system use field (ECMA-119 9.1.13), where SUSP entries live.
    system_use: &'a [u8],
}

impl<'a> Record<'a> {
    fn parse(r: &'a [u8]) -> Option<Self> {
        let lba = u32::from_le_bytes(r.get(2..6)?.try_into().ok()?);
        let length = u32::from_le_bytes(r.get(10..14)?.try_into().ok()?);
        let directory = r.get(25)? & 0x02 != 0;
        let n = usize::from(*r.get(32)?);
        let name = r.get(33..33 + n)?;
        // A padding byte follows a name of even length (ECMA-119 9.1.12).
        let system_use = r.get(33 + n + (n + 1) % 2..).unwrap_or(&[]);
        Some(Record {
            lba,
            length,
            directory,
            name,
            system_use,
        })
    }
}

/// A SUSP entry (IEEE P1281 4.1): a two-letter signature, its length (header included), a
/// version, then its data.
struct Entry<'a> {
    signature: [u8; 2],
    data: &'a [u8],
}

/// The SUSP entries of `area`, up to the first that does not fit or an ST (stop) entry.
fn entries(area: &[u8]) -> impl Iterator<Item = Entry<'_>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let &[a, b, len, _version] = area.get(at..at + 4)? else {
            return None;
        };
        let (signature, len) = ([a, b], usize::from(len));
        if len < 4 || signature == *b"ST" {
            return None;
        }
        let data = area.get(at + 4..at + len)?;
        at += len;
        Some(Entry { signature, data })
    })
}

/// A continuation area's place (SUSP CE, IEEE P1281 5.1): block, offset and length, each
/// both-endian.
fn continuation(data: &[u8]) -> Option<(u32, u32, u32)> {
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    Some((word(0)?, word(8)?, word(16)?))
}

struct Walk<'r, 'l> {
    read: &'r mut dyn FnMut(u32, u32) -> Option<Vec<u8>>,
    listing: &'l mut Listing,
    entries: usize,
    sectors_left: u32,
    visited: HashSet<u32>,
    names: Names,
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
                let name = self.name(&record);
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

impl Walk<'_, '_> {
    /// Reads one sector within the walk's budget.
    fn sector(&mut self, lba: u32) -> Option<Vec<u8>> {
        self.sectors_left = self.sectors_left.checked_sub(1)?;
        (self.read)(lba, 1)
    }

    /// Rock Ridge names, when the root's "." record starts its system use area with SUSP's
    /// SP entry (IEEE P1281 5.3: check bytes BEh EFh, then LEN_SKP).
    fn rock_ridge(&mut self, root: &Record<'_>) -> Option<Names> {
        let first = self.sector(root.lba)?;
        let len = usize::from(*first.first()?);
        let dot = Record::parse(first.get(..len)?)?;
        let sp = entries(dot.system_use).next()?;
        match (sp.signature, sp.data) {
            (sig, [0xBE, 0xEF, skip, ..]) if sig == *b"SP" => Some(Names::RockRidge {
                skip: usize::from(*skip),
            }),
            _ => None,
        }
    }

    /// The root of a Joliet tree: a supplementary volume descriptor (type 2) whose escape
    /// sequences (bytes 88-90) name UCS-2 level 1, 2 or 3 ("%/@", "%/C", "%/E"), looked for
    /// up to the set terminator (type 255, ECMA-119 8.3).
    fn joliet_root(&mut self, start: u32) -> Option<Record<'static>> {
        for n in 17..16 + MAX_DESCRIPTORS {
            let d = self.sector(start.checked_add(n)?)?;
            match d.first()? {
                255 => return None,
                2 if d.get(1..6) == Some(b"CD001".as_slice())
                    && matches!(d.get(88..91), Some(b"%/@" | b"%/C" | b"%/E")) =>
                {
                    let root = Record::parse(d.get(156..190)?)?;
                    return Some(Record {
                        name: &[],
                        system_use: &[],
                        ..root
                    });
                }
                _ => {}
            }
        }
        None
    }

    /// The name a user sees for `record`.
    fn name(&mut self, record: &Record<'_>) -> String {
        let iso = || {
            let name = String::from_utf8_lossy(record.name);
            let name = name.strip_suffix(";1").unwrap_or(&name);
            name.strip_suffix('.').unwrap_or(name).to_string()
        };
        match self.names {
            Names::Iso => iso(),
            Names::Joliet => {
                let units = record
                    .name
                    .chunks_exact(2)
                    .filter_map(|c| Some(u16::from_be_bytes(c.try_into().ok()?)));
                let name: String = char::decode_utf16(units)
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect();
                name.strip_suffix(";1").unwrap_or(&name).to_string()
            }
            Names::RockRidge { skip } => {
                let area = record.system_use.get(skip..).unwrap_or(&[]);
                self.rock_ridge_name(area).unwrap_or_else(iso)
            }
        }
    }

    /// The name of the NM entries in `area` and the continuation areas it leads to (RRIP
    /// 4.1.4: components with CONTINUE, bit 0, joined); `None` without any.
    fn rock_ridge_name(&mut self, area: &[u8]) -> Option<String> {
        let mut name: Vec<u8> = Vec::new();
        let mut found = false;
        let mut area = area.to_vec();
        for _ in 0..=MAX_CONTINUATIONS {
            let mut next = None;
            for e in entries(&area) {
                match &e.signature {
                    b"NM" => {
                        let (flags, part) = e.data.split_first()?;
                        // CURRENT (bit 1) and PARENT (bit 2) name "." and "..".
                        if flags & 0x06 != 0 {
                            return None;
                        }
                        name.extend_from_slice(part);
                        found = true;
                    }
                    b"CE" => next = continuation(e.data),
                    _ => {}
                }
            }
            let Some((block, offset, length)) = next else {
                break;
            };
            let sector = self.sector(block)?;
            let from = offset as usize;
            area = sector
                .get(from..from.checked_add(length as usize)?)?
                .to_vec();
        }
        found.then(|| String::from_utf8_lossy(&name).into_owned())
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
