//! The redo journal's bytes: header, slots, commit record, and replaying a record into the
//! data file. The layout is described in the [module documentation](super).

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::error::{io_at, PersistError};
use crate::store::SECTOR;

/// Bytes in a slot (one sector), and in the header, which takes the place of slot -1.
const SLOT: u64 = SECTOR as u64;
const HEADER_MAGIC: [u8; 8] = *b"VDJRNL\0\x01";
const RECORD_MAGIC: [u8; 8] = *b"VDJREC\0\x01";
/// Bytes of the header that carry meaning: magic, generation, reserved, check.
const HEADER_LEN: usize = 32;
/// Bytes per record entry: sector index (u64) and slot (u32).
const ENTRY_LEN: usize = 12;
/// Bytes before the first record entry: magic, generation, count.
const RECORD_HEAD_LEN: usize = 24;
/// Sectors copied per read/write when replaying: runs of consecutive sectors in consecutive
/// slots are copied in one piece up to this length (1 MiB).
const COPY_RUN: usize = 512;

/// One sector of a commit: where it goes and which slot holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Entry {
    pub sector: u64,
    pub slot: u32,
}

/// The byte offset of a slot in the journal.
pub(crate) fn slot_offset(slot: u32) -> u64 {
    (u64::from(slot) + 1) * SLOT
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

/// The commit record for `entries` (sorted by sector).
pub(crate) fn encode_record(generation: u64, entries: &[Entry]) -> Vec<u8> {
    let mut record = Vec::with_capacity(RECORD_HEAD_LEN + entries.len() * ENTRY_LEN);
    record.extend_from_slice(&RECORD_MAGIC);
    record.extend_from_slice(&generation.to_le_bytes());
    record.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for e in entries {
        record.extend_from_slice(&e.sector.to_le_bytes());
        record.extend_from_slice(&e.slot.to_le_bytes());
    }
    record
}

/// Decodes a record that the state file named; `Err` says what is wrong with it.
pub(crate) fn decode_record(record: &[u8], generation: u64) -> Result<Vec<Entry>, String> {
    if record.len() < RECORD_HEAD_LEN {
        return Err(format!("the commit record is {} bytes long", record.len()));
    }
    if le_field::<8>(record, 0) != RECORD_MAGIC {
        return Err("the commit record has no record magic".to_owned());
    }
    let found = u64::from_le_bytes(le_field::<8>(record, 8));
    if found != generation {
        return Err(format!(
            "the commit record is of generation {found}, the state names {generation}"
        ));
    }
    let count = u64::from_le_bytes(le_field::<8>(record, 16));
    let body = record.get(RECORD_HEAD_LEN..).unwrap_or_default();
    if body.len() % ENTRY_LEN != 0 || (body.len() / ENTRY_LEN) as u64 != count {
        return Err(format!(
            "the commit record counts {count} sectors but holds {} bytes of entries",
            body.len()
        ));
    }
    Ok(body
        .chunks_exact(ENTRY_LEN)
        .map(|e| Entry {
            sector: u64::from_le_bytes(le_field::<8>(e, 0)),
            slot: u32::from_le_bytes(le_field::<4>(e, 8)),
        })
        .collect())
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
    let mut rest = entries;
    while let Some(first) = rest.first() {
        // The run of entries with consecutive sectors in consecutive slots.
        let run = rest
            .iter()
            .take(COPY_RUN)
            .enumerate()
            .take_while(|(i, e)| {
                let i = *i as u64;
                e.sector == first.sector.saturating_add(i)
                    && u64::from(e.slot) == u64::from(first.slot) + i
            })
            .count()
            .max(1);
        buf.resize(run * SECTOR, 0);
        let offset = slot_offset(first.slot);
        if read_up_to(journal_file, &mut buf, offset).map_err(io_at(journal_path))? < buf.len() {
            return Err(PersistError::CorruptJournal {
                path: journal_path.to_path_buf(),
                detail: format!("slot {} lies past the end of the journal", first.slot),
            });
        }
        data_file
            .write_all_at(&buf, sector_offset(first.sector))
            .map_err(io_at(data_path))?;
        rest = rest.get(run..).unwrap_or_default();
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
