//! Helpers for the CD-R medium tests: an in-memory sector store, and commands given as
//! annotated CDB bytes, decoded by mmc-core and handed to the medium as the drive will.
#![allow(dead_code)]

use std::collections::HashMap;

use mmc_core::cdb::{
    CdbRepr, CloseTrackSession, Read10, ReadDiscInformation, ReadTocPmaAtip, ReadTrackInformation,
    Write10,
};
use mmc_core::response::{ModeParameters, ResponseFormat};
use mmc_core::sense::{SenseKeySpecific, SenseTriple};
use virtdrive::clock::VirtualTime;
use virtdrive::medium::cd_r::{CdR, CdRSize};
use virtdrive::medium::{Busy, Medium, MediumError, MediumResult};
use virtdrive::store::{SectorStore, StoreError, SECTOR};

/// Sectors in memory, with a volatile layer as the contract asks. All-zero sectors are not
/// kept, so a test can fill most of a disc with zeros cheaply.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    committed: HashMap<u64, Vec<u8>>,
    /// `None` records a write of zeros over a committed sector.
    pending: HashMap<u64, Option<Vec<u8>>>,
}

impl SectorStore for MemoryStore {
    fn read(&self, index: u64, out: &mut [u8]) -> Result<(), StoreError> {
        if out.len() % SECTOR != 0 {
            return Err(StoreError::Unaligned { len: out.len() });
        }
        for (i, chunk) in out.chunks_mut(SECTOR).enumerate() {
            let at = index + i as u64;
            let data = match self.pending.get(&at) {
                Some(pending) => pending.as_ref(),
                None => self.committed.get(&at),
            };
            match data {
                Some(d) => chunk.copy_from_slice(d),
                None => chunk.fill(0),
            }
        }
        Ok(())
    }

    fn write(&mut self, index: u64, data: &[u8]) -> Result<(), StoreError> {
        if data.len() % SECTOR != 0 {
            return Err(StoreError::Unaligned { len: data.len() });
        }
        for (i, chunk) in data.chunks(SECTOR).enumerate() {
            let value = chunk.iter().any(|b| *b != 0).then(|| chunk.to_vec());
            self.pending.insert(index + i as u64, value);
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        for (at, value) in self.pending.drain() {
            match value {
                Some(d) => self.committed.insert(at, d),
                None => self.committed.remove(&at),
            };
        }
        Ok(())
    }

    fn discard_uncommitted(&mut self) {
        self.pending.clear();
    }

    fn digest(&self, index: u64) -> Result<[u8; 32], StoreError> {
        let mut sector = vec![0u8; SECTOR];
        self.read(index, &mut sector)?;
        Ok(*blake3::hash(&sector).as_bytes())
    }
}

pub fn blank_80() -> CdR {
    CdR::blank(CdRSize::Minutes80, Box::new(MemoryStore::default()))
}

pub fn blank_74() -> CdR {
    CdR::blank(CdRSize::Minutes74, Box::new(MemoryStore::default()))
}

/// `blocks` blocks whose bytes all hold `fill`.
pub fn blocks_of(fill: u8, blocks: usize) -> Vec<u8> {
    vec![fill; blocks * SECTOR]
}

/// Runs WRITE(10) `cdb` with `data` (its transfer length must match).
pub fn write10(cd: &mut CdR, cdb: &[u8], data: &[u8]) -> MediumResult<()> {
    let w = Write10::decode(cdb).expect("a valid WRITE(10) CDB");
    assert_eq!(
        usize::from(w.blocks) * SECTOR,
        data.len(),
        "transfer length and data disagree"
    );
    cd.write(w.lba, data, false, VirtualTime::ZERO)
}

/// The WRITE(10) CDB for `blocks` blocks at `lba`.
pub fn write10_cdb(lba: i32, blocks: u16) -> [u8; 10] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [l0, l1] = blocks.to_be_bytes();
    [0x2A, 0, a0, a1, a2, a3, 0, l0, l1, 0]
}

/// Writes `blocks` zero blocks from `lba` in WRITE(10)s of at most 4096 blocks.
pub fn fill(cd: &mut CdR, lba: i32, blocks: u32) -> MediumResult<()> {
    let chunk = blocks_of(0, 4096);
    let mut done = 0u32;
    while done < blocks {
        let n = (blocks - done).min(4096);
        let at = lba + done as i32;
        let cdb = write10_cdb(at, n as u16);
        write10(cd, &cdb, &chunk[..n as usize * SECTOR])?;
        done += n;
    }
    Ok(())
}

/// Runs READ(10) `cdb`; returns the blocks read.
pub fn read10(cd: &mut CdR, cdb: &[u8]) -> MediumResult<Vec<u8>> {
    let r = Read10::decode(cdb).expect("a valid READ(10) CDB");
    let mut out = vec![0xA5u8; usize::from(r.blocks) * SECTOR];
    cd.read(r.lba, &mut out)?;
    Ok(out)
}

/// The READ(10) CDB for `blocks` blocks at `lba`.
pub fn read10_cdb(lba: i32, blocks: u16) -> [u8; 10] {
    let [a0, a1, a2, a3] = lba.to_be_bytes();
    let [l0, l1] = blocks.to_be_bytes();
    [0x28, 0, a0, a1, a2, a3, 0, l0, l1, 0]
}

/// Cuts a reply to an allocation length, as the drive does.
fn cut(mut reply: Vec<u8>, allocation_length: u16) -> Vec<u8> {
    reply.truncate(usize::from(allocation_length));
    reply
}

/// READ DISC INFORMATION `cdb`: the reply bytes.
pub fn disc_info(cd: &CdR, cdb: &[u8]) -> Vec<u8> {
    let c = ReadDiscInformation::decode(cdb).expect("a valid READ DISC INFORMATION CDB");
    cut(cd.disc_information().to_bytes(), c.allocation_length)
}

/// READ TRACK INFORMATION `cdb`: the reply bytes.
pub fn track_info(cd: &CdR, cdb: &[u8]) -> MediumResult<Vec<u8>> {
    let c = ReadTrackInformation::decode(cdb).expect("a valid READ TRACK INFORMATION CDB");
    let info = cd.track_information(c.address_type, c.address)?;
    Ok(cut(info.to_bytes(), c.allocation_length))
}

/// READ TRACK INFORMATION of track FFh (the invisible track), 48 bytes.
pub fn invisible_track(cd: &CdR) -> Vec<u8> {
    track_info(
        cd,
        &[
            0x52, // READ TRACK INFORMATION
            0x01, // address type 01b: track number
            0x00, 0x00, 0x00, 0xFF, // track FFh
            0x00, 0x00, 0x30, // allocation length 48
            0x00,
        ],
    )
    .expect("the invisible track exists")
}

/// The NWA field (bytes 12-15) of a track information reply.
pub fn nwa_of(reply: &[u8]) -> u32 {
    u32::from_be_bytes(reply[12..16].try_into().unwrap())
}

/// The free blocks field (bytes 16-19).
pub fn free_of(reply: &[u8]) -> u32 {
    u32::from_be_bytes(reply[16..20].try_into().unwrap())
}

/// READ TOC/PMA/ATIP `cdb`: the reply bytes.
pub fn read_toc(cd: &CdR, cdb: &[u8]) -> MediumResult<Vec<u8>> {
    let c = ReadTocPmaAtip::decode(cdb).expect("a valid READ TOC CDB");
    Ok(cut(cd.read_toc(&c)?, c.allocation_length))
}

/// CLOSE TRACK/SESSION `cdb`.
pub fn close(cd: &mut CdR, cdb: &[u8]) -> MediumResult<Busy> {
    let c = CloseTrackSession::decode(cdb).expect("a valid CLOSE TRACK/SESSION CDB");
    cd.close(&c, VirtualTime::ZERO)
}

/// CLOSE TRACK/SESSION, function 001b, track FFh.
pub const CLOSE_TRACK: [u8; 10] = [
    0x5B, // CLOSE TRACK/SESSION
    0x00, // Immed = 0
    0x01, // close function 001b: close track
    0x00, 0x00, 0xFF, // logical track number FFh: the incomplete track
    0x00, 0x00, 0x00, 0x00,
];

/// CLOSE TRACK/SESSION, function 010b: close the session.
pub const CLOSE_SESSION: [u8; 10] = [
    0x5B, // CLOSE TRACK/SESSION
    0x00, // Immed = 0
    0x02, // close function 010b: close session
    0x00, 0x00, 0x00, // track number 0
    0x00, 0x00, 0x00, 0x00,
];

/// MODE SELECT(10) of a parameter list (8-byte header and pages).
pub fn mode_select(cd: &mut CdR, list: &[u8]) -> MediumResult<()> {
    let params = ModeParameters::parse_select(list).expect("a parseable parameter list");
    let page = params
        .write_parameters()
        .expect("the list holds page 05h")
        .clone();
    cd.set_write_parameters(&page)
}

/// A MODE SELECT(10) parameter list with a Write Parameters page: TAO, BUFE, Mode 1 data
/// blocks, track mode 4, the given Multi-session byte-3 bits, session format 00h.
pub fn write_parameters_list(write_type: u8, multi_session: u8) -> Vec<u8> {
    let mut list = vec![
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,                      // mode parameter header (reserved)
        0x05,                      // page code 05h, PS = 0
        0x32,                      // page length
        0x40 | write_type,         // BUFE | write type
        multi_session << 6 | 0x04, // multi-session | track mode 4
        0x08,                      // data block type 8: Mode 1
        0x00,                      // link size
        0x00,
        0x00, // reserved, host application code
        0x00, // session format 00h
        0x00, // reserved
        0x00,
        0x00,
        0x00,
        0x00, // packet size
        0x00,
        0x96, // audio pause length 150
    ];
    list.resize(8 + 2 + 0x32, 0); // MCN, ISRC, sub-header: zero
    list
}

/// TAO, keeping the disc appendable at CLOSE SESSION (Multi-session 11b).
pub fn tao_multisession(cd: &mut CdR) {
    mode_select(cd, &write_parameters_list(0x01, 0b11)).expect("the page is accepted");
}

/// TAO, finalizing at CLOSE SESSION (Multi-session 00b).
pub fn tao_finalize(cd: &mut CdR) {
    mode_select(cd, &write_parameters_list(0x01, 0b00)).expect("the page is accepted");
}

/// Asserts a medium error's sense triple and returns the error.
#[track_caller]
pub fn expect_sense<T: std::fmt::Debug>(r: MediumResult<T>, triple: SenseTriple) -> MediumError {
    let e = r.expect_err("the command fails");
    assert_eq!(e.triple, triple, "got {e}");
    e
}

/// The field pointer of an ILLEGAL REQUEST.
pub fn field_pointer(in_cdb: bool, byte: u16, bit: Option<u8>) -> Option<SenseKeySpecific> {
    Some(SenseKeySpecific::FieldPointer { in_cdb, bit, byte })
}
