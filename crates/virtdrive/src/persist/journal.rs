//! The journal's bytes: header, slots, commit record, and copying a record's slots into the
//! data file (a compaction, or a version 2 commit). The layout is described in the [module documentation](super).

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::error::{io_at, PersistError};
use super::state::JournalRef;
use crate::store::{check_span, SECTOR};

/// Bytes in a slot (one sector), and in the header, which takes the place of slot -1.
const SLOT: u64 = SECTOR as u64;
const HEADER_MAGIC: [u8; 8] = *b"VDJRNL\0\x01";
/// The record of this version: one entry per group of at most [`GROUP`] sectors, each with
/// the BLAKE3 of its slots.
const RECORD_MAGIC: [u8; 8] = *b"VDJREC\0\x03";
/// The record of version 2 (one entry per run, no digests), still replayed when found.
const RECORD_MAGIC_V2: [u8; 8] = *b"VDJREC\0\x02";
/// The record of version 1 (one entry per sector), still replayed when found.
const RECORD_MAGIC_V1: [u8; 8] = *b"VDJREC\0\x01";
/// Bytes of the header that carry meaning: magic, generation, reserved, check.
const HEADER_LEN: usize = 32;
/// Bytes per record entry: first sector (u64), first slot (u32), sector count (u32), BLAKE3
/// of the slots (32 bytes).
const ENTRY_LEN: usize = 48;
/// Bytes per entry of a version 2 record: first sector (u64), first slot (u32), count (u32).
const ENTRY_LEN_V2: usize = 16;
/// Bytes per entry of a version 1 record: sector (u64) and slot (u32).
const ENTRY_LEN_V1: usize = 12;
/// The most sectors one entry covers, so that one digest covers at most 1 MiB of slots: a
/// damaged slot is located to within a megabyte, and a record for a whole 25 GB disc stays
/// under 600 KB.
pub(crate) const GROUP: u64 = 512;
/// The most sectors an entry of version 2 covers (its count is 32 bits), and the most slots.
const ENTRY_MAX: u64 = u32::MAX as u64;
/// Bytes before the first record entry: magic, generation, count.
const RECORD_HEAD_LEN: usize = 24;
/// Sectors copied per read/write when replaying a run (1 MiB).
const COPY_RUN: usize = 512;

/// A run of a commit: `count` sectors from `sector`, held in the slots from `slot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    pub sector: u64,
    pub slot: u32,
    pub count: u64,
}

/// The byte offset of a slot in the journal.
pub(crate) fn slot_offset(slot: impl Into<u64>) -> u64 {
    slot.into().saturating_add(1).saturating_mul(SLOT)
}

/// The slots `[first, end)` the record a state names takes: it is written at the first free
/// slot of its commit, so every slot it maps lies before `first`.
pub(crate) fn record_slots(named: &JournalRef) -> (u64, u64) {
    let first = (named.record_offset / SLOT).saturating_sub(1);
    (
        first,
        first.saturating_add(named.record_length.div_ceil(SLOT)),
    )
}

/// Gives bytes `[from, to)` of `file` back to the file system (a hole, reading as zeros,
/// the file's length unchanged). Best effort: where the file system cannot, they stay.
pub(crate) fn punch(file: &File, from: u64, to: u64) {
    #[cfg(target_os = "linux")]
    {
        use nix::fcntl::{fallocate, FallocateFlags};
        use std::os::fd::AsRawFd;
        if let (Ok(offset), Ok(len)) = (i64::try_from(from), i64::try_from(to.saturating_sub(from)))
        {
            let _ = fallocate(
                file.as_raw_fd(),
                FallocateFlags::FALLOC_FL_PUNCH_HOLE | FallocateFlags::FALLOC_FL_KEEP_SIZE,
                offset,
                len,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, from, to);
}

/// The byte offset of sector `index` in the data file (the caller has checked the span).
pub(crate) fn sector_offset(index: u64) -> u64 {
    index.saturating_mul(SLOT)
}

/// The header of a journal that will commit as `generation`.
pub(crate) fn header(generation: u64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    let (magic, rest) = h.split_at_mut(8);
    magic.copy_from_slice(&HEADER_MAGIC);
    let (gen, rest) = rest.split_at_mut(8);
    gen.copy_from_slice(&generation.to_le_bytes());
    let (_reserved, check) = rest.split_at_mut(8);
    let sum = header_check(&HEADER_MAGIC, generation);
    check.copy_from_slice(&sum);
    h
}

fn header_check(magic: &[u8; 8], generation: u64) -> [u8; 8] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(magic);
    hasher.update(&generation.to_le_bytes());
    let mut check = [0u8; 8];
    check.copy_from_slice(hasher.finalize().as_bytes().get(..8).unwrap_or(&[0; 8]));
    check
}

/// The generation a journal's header names, or `None` for a header that is short or does not
/// check (a journal whose creation was cut short).
pub(crate) fn read_header(journal: &File) -> io::Result<Option<u64>> {
    let mut h = [0u8; HEADER_LEN];
    if read_up_to(journal, &mut h, 0)? < HEADER_LEN {
        return Ok(None);
    }
    let magic = le_field::<8>(&h, 0);
    let generation = u64::from_le_bytes(le_field::<8>(&h, 8));
    let check = le_field::<8>(&h, 24);
    Ok((magic == HEADER_MAGIC && check == header_check(&magic, generation)).then_some(generation))
}

/// A commit record: the runs of sectors it commits, each with the BLAKE3 of its slots (records
/// of versions 1 and 2 have none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub entries: Vec<Entry>,
    pub digests: Option<Vec<[u8; 32]>>,
}

impl Record {
    /// Sectors the record commits.
    pub fn sectors(&self) -> u64 {
        self.entries
            .iter()
            .fold(0u64, |sum, e| sum.saturating_add(e.count))
    }
}

/// `entries` (sorted by sector) cut into groups of at most [`GROUP`] sectors, each covered
/// by one digest: a run is cut where its slots cross a multiple of [`GROUP`], so that a group
/// is the part of a run within one aligned megabyte of slots. A group is then the same
/// whichever neighbours its run gains or loses, and its digest, hashed as its slots were
/// written ([`GroupDigests`](super::digests::GroupDigests)), is found again at the commit.
pub(crate) fn groups(entries: &[Entry]) -> Vec<Entry> {
    let mut groups = Vec::new();
    for e in entries {
        let mut done = 0u64;
        while done < e.count {
            let slot = u64::from(e.slot) + done;
            let count = (GROUP - slot % GROUP).min(e.count - done);
            groups.push(Entry {
                sector: e.sector + done,
                slot: u32::try_from(slot).unwrap_or(u32::MAX),
                count,
            });
            done += count;
        }
    }
    groups
}

/// The BLAKE3 of each group's slots: `known` gives those hashed as they were written, and the
/// others are read back from the journal.
pub(crate) fn digest_groups(
    journal: (&Path, &File),
    groups: &[Entry],
    known: impl Fn(&Entry) -> Option<[u8; 32]>,
) -> Result<Vec<[u8; 32]>, PersistError> {
    let mut buf = Vec::new();
    groups
        .iter()
        .map(|group| match known(group) {
            Some(digest) => Ok(digest),
            None => {
                read_group(journal, group, &mut buf)?;
                Ok(*blake3::hash(&buf).as_bytes())
            }
        })
        .collect()
}

/// Reads a group's slots into `buf`.
fn read_group(
    (path, journal): (&Path, &File),
    group: &Entry,
    buf: &mut Vec<u8>,
) -> Result<(), PersistError> {
    buf.resize(usize::try_from(group.count).unwrap_or(0) * SECTOR, 0);
    if read_up_to(journal, buf, slot_offset(group.slot)).map_err(io_at(path))? < buf.len() {
        return Err(PersistError::CorruptJournal {
            path: path.to_path_buf(),
            detail: format!(
                "the slots of sectors {}..{} lie past the end of the journal",
                group.sector,
                group.sector.saturating_add(group.count)
            ),
        });
    }
    Ok(())
}

/// Checks that the record begins at a slot, and that every slot it maps lies before it
/// (where its commit wrote it, and before which no later write reaches).
pub(crate) fn check_below_record(
    path: &Path,
    record: &Record,
    named: &JournalRef,
) -> Result<(), PersistError> {
    if named.record_offset % SLOT != 0 || named.record_offset < SLOT {
        return Err(PersistError::CorruptJournal {
            path: path.to_path_buf(),
            detail: format!(
                "the state places the commit record at byte {}, which begins no slot",
                named.record_offset
            ),
        });
    }
    let (first, _) = record_slots(named);
    match record
        .entries
        .iter()
        .find(|e| u64::from(e.slot).saturating_add(e.count) > first)
    {
        Some(e) => Err(PersistError::CorruptJournal {
            path: path.to_path_buf(),
            detail: format!(
                "the commit record maps sectors {}.. to slots from {}, at or past the record",
                e.sector, e.slot
            ),
        }),
        None => Ok(()),
    }
}

/// Checks every slot the record names against its digest; `Err` names the first group whose
/// slots are cut short or differ. A record without digests (versions 1 and 2) is only checked
/// for slots past the end.
pub(crate) fn verify(journal: (&Path, &File), record: &Record) -> Result<(), PersistError> {
    let mut buf = Vec::with_capacity(GROUP as usize * SECTOR);
    for (k, group) in record.entries.iter().enumerate() {
        match record.digests.as_ref().and_then(|d| d.get(k)) {
            Some(digest) => {
                read_group(journal, group, &mut buf)?;
                if blake3::hash(&buf).as_bytes() != digest {
                    return Err(PersistError::CorruptJournal {
                        path: journal.0.to_path_buf(),
                        detail: format!(
                            "the slots of sectors {}..{} do not match their digest",
                            group.sector,
                            group.sector.saturating_add(group.count)
                        ),
                    });
                }
            }
            None => {
                let end = slot_offset(u64::from(group.slot).saturating_add(group.count));
                let length = journal.1.metadata().map_err(io_at(journal.0))?.len();
                if end > length {
                    return Err(PersistError::CorruptJournal {
                        path: journal.0.to_path_buf(),
                        detail: format!(
                            "the slots of sectors {}.. lie past the end of the journal",
                            group.sector
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The commit record for `groups` (from [`groups`]) and their digests.
pub(crate) fn encode_record(generation: u64, groups: &[Entry], digests: &[[u8; 32]]) -> Vec<u8> {
    let mut record = Vec::with_capacity(RECORD_HEAD_LEN + groups.len() * ENTRY_LEN);
    record.extend_from_slice(&RECORD_MAGIC);
    record.extend_from_slice(&generation.to_le_bytes());
    record.extend_from_slice(&(groups.len() as u64).to_le_bytes());
    for (group, digest) in groups.iter().zip(digests) {
        record.extend_from_slice(&group.sector.to_le_bytes());
        record.extend_from_slice(&group.slot.to_le_bytes());
        let count = u32::try_from(group.count).unwrap_or(u32::MAX);
        record.extend_from_slice(&count.to_le_bytes());
        record.extend_from_slice(digest);
    }
    record
}

/// Decodes a record that the state file named; `Err` says what is wrong with it.
pub(crate) fn decode_record(record: &[u8], generation: u64) -> Result<Record, String> {
    if record.len() < RECORD_HEAD_LEN {
        return Err(format!("the commit record is {} bytes long", record.len()));
    }
    let magic = le_field::<8>(record, 0);
    let entry_len = match magic {
        RECORD_MAGIC => ENTRY_LEN,
        RECORD_MAGIC_V2 => ENTRY_LEN_V2,
        RECORD_MAGIC_V1 => ENTRY_LEN_V1,
        _ => return Err("the commit record has no record magic".to_owned()),
    };
    let found = u64::from_le_bytes(le_field::<8>(record, 8));
    if found != generation {
        return Err(format!(
            "the commit record is of generation {found}, the state names {generation}"
        ));
    }
    let count = u64::from_le_bytes(le_field::<8>(record, 16));
    let body = record.get(RECORD_HEAD_LEN..).unwrap_or_default();
    if body.len() % entry_len != 0 || (body.len() / entry_len) as u64 != count {
        return Err(format!(
            "the commit record counts {count} entries but holds {} bytes of them",
            body.len()
        ));
    }
    let entries: Vec<Entry> = body
        .chunks_exact(entry_len)
        .map(|e| Entry {
            sector: u64::from_le_bytes(le_field::<8>(e, 0)),
            slot: u32::from_le_bytes(le_field::<4>(e, 8)),
            count: if entry_len == ENTRY_LEN_V1 {
                1
            } else {
                u64::from(u32::from_le_bytes(le_field::<4>(e, 12)))
            },
        })
        .collect();
    // Every entry a disc could hold: sectors and slots that exist, groups no larger than
    // this version writes them.
    let largest = if entry_len == ENTRY_LEN {
        GROUP
    } else {
        ENTRY_MAX
    };
    if let Some(bad) = entries.iter().find(|e| {
        e.count == 0
            || e.count > largest
            || check_span(e.sector, e.count).is_err()
            || u64::from(e.slot) + e.count > ENTRY_MAX + 1
    }) {
        return Err(format!(
            "the commit record names {} sectors from sector {} in slots from {}, which no \
             disc holds",
            bad.count, bad.sector, bad.slot
        ));
    }
    let digests = (entry_len == ENTRY_LEN).then(|| {
        body.chunks_exact(entry_len)
            .map(|e| le_field::<32>(e, 16))
            .collect()
    });
    Ok(Record { entries, digests })
}

/// Copies each entry's slot from the journal to its sector in the data file, then extends
/// the data file to `data_sectors` and fsyncs it. Copying twice gives the same file, which is
/// what makes replay after a kill safe.
pub(crate) fn apply(
    journal: (&Path, &File),
    data: (&Path, &File),
    entries: &[Entry],
    data_sectors: u64,
) -> Result<(), PersistError> {
    let (journal_path, journal_file) = journal;
    let (data_path, data_file) = data;
    let mut buf = Vec::with_capacity(COPY_RUN * SECTOR);
    for entry in entries {
        let mut done = 0u64;
        while done < entry.count {
            let run = (entry.count - done).min(COPY_RUN as u64);
            buf.resize(run as usize * SECTOR, 0);
            let slot = u64::from(entry.slot) + done;
            let offset = slot_offset(slot);
            if read_up_to(journal_file, &mut buf, offset).map_err(io_at(journal_path))? < buf.len()
            {
                return Err(PersistError::CorruptJournal {
                    path: journal_path.to_path_buf(),
                    detail: format!("slot {slot} lies past the end of the journal"),
                });
            }
            data_file
                .write_all_at(&buf, sector_offset(entry.sector.saturating_add(done)))
                .map_err(io_at(data_path))?;
            done += run;
        }
    }
    let length = sector_offset(data_sectors);
    if data_file.metadata().map_err(io_at(data_path))?.len() < length {
        data_file.set_len(length).map_err(io_at(data_path))?;
    }
    data_file.sync_all().map_err(io_at(data_path))
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns the bytes read.
pub(crate) fn read_up_to(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
        match file.read_at(rest, offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// `N` bytes of `bytes` from `at`, zeros where `bytes` is short (callers check lengths first).
fn le_field<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut field = [0u8; N];
    if let Some(src) = bytes.get(at..at + N) {
        field.copy_from_slice(src);
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_cut_into_groups_at_each_megabyte_of_slots() {
        let run = Entry {
            sector: 100,
            slot: 7,
            count: 1100,
        };
        let groups = groups(&[run]);
        let shape: Vec<(u64, u32, u64)> =
            groups.iter().map(|g| (g.sector, g.slot, g.count)).collect();
        // Cut where the slots cross 512 and 1024.
        assert_eq!(
            shape,
            vec![(100, 7, 505), (605, 512, 512), (1117, 1024, 83)]
        );
    }

    #[test]
    fn a_record_round_trips_with_its_digests_and_a_malformed_one_is_refused() {
        let groups = [
            Entry {
                sector: 0,
                slot: 3,
                count: 512,
            },
            Entry {
                sector: 900,
                slot: 0,
                count: 3,
            },
        ];
        let digests = [[0xAB; 32], [0xCD; 32]];
        let record = encode_record(9, &groups, &digests);
        assert_eq!(record.len(), 24 + 2 * 48);
        let decoded = decode_record(&record, 9).unwrap();
        assert_eq!(decoded.entries, groups);
        assert_eq!(decoded.digests, Some(digests.to_vec()));
        assert_eq!(decoded.sectors(), 515);
        assert!(decode_record(&record, 8).is_err(), "another generation");
        assert!(
            decode_record(&record[..record.len() - 1], 9).is_err(),
            "cut short"
        );
        assert!(decode_record(&record[..10], 9).is_err(), "no head");
        let mut wrong_count = record.clone();
        wrong_count[16] = 3;
        assert!(decode_record(&wrong_count, 9).is_err());
        let mut no_magic = record.clone();
        no_magic[0] = b'X';
        assert!(decode_record(&no_magic, 9).is_err());
        // Entries no disc holds: a group over 512 sectors, none, past any sector, past any slot.
        for (at, bytes) in [
            (24 + 12, &600u32.to_le_bytes()[..]),
            (24 + 12, &0u32.to_le_bytes()[..]),
            (24, &(u64::MAX - 1).to_le_bytes()[..]),
            (24 + 8, &u32::MAX.to_le_bytes()[..]),
        ] {
            let mut bad = record.clone();
            bad[at..at + bytes.len()].copy_from_slice(bytes);
            let e = decode_record(&bad, 9).unwrap_err();
            assert!(e.contains("no disc holds"), "{e}");
        }
    }
}
