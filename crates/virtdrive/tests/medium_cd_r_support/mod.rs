//! Helpers for the CD-R medium tests: commands given as CDB bytes (from the test kit),
//! decoded by mmc-core and handed to the medium as the drive will.
#![allow(dead_code)]

use mmc_core::cdb::{
    CdbRepr, CloseTrackSession, Read10, ReadDiscInformation, ReadTocPmaAtip, ReadTrackInformation,
    Write10,
};
use mmc_core::params::ModeParameters;
use mmc_core::response::ResponseFormat;
use mmc_core::sense::{SenseKeySpecific, SenseTriple};
use virtdrive::clock::VirtualTime;
use virtdrive::medium::cd_r::{CdR, CdRSize};
use virtdrive::medium::{Busy, Medium, MediumError, MediumResult};
use virtdrive::store::SECTOR;

// Each test file uses its part of these.
#[allow(unused_imports)]
pub use testkit::{
    cd_write_parameters, filled as blocks_of, read10 as read10_cdb, write10 as write10_cdb,
    MemStore, CLOSE_SESSION, CLOSE_TRACK, READ_TRACK_INFORMATION_FF,
};

pub fn blank_80() -> CdR {
    CdR::blank(CdRSize::Minutes80, MemStore::new().boxed())
}

pub fn blank_74() -> CdR {
    CdR::blank(CdRSize::Minutes74, MemStore::new().boxed())
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
    track_info(cd, &READ_TRACK_INFORMATION_FF).expect("the invisible track exists")
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

/// MODE SELECT(10) of a parameter list (8-byte header and pages).
pub fn mode_select(cd: &mut CdR, list: &[u8]) -> MediumResult<()> {
    let params = ModeParameters::parse_select(list).expect("a parseable parameter list");
    let page = params
        .write_parameters()
        .expect("the list holds page 05h")
        .clone();
    cd.set_write_parameters(&page)
}

/// TAO, keeping the disc appendable at CLOSE SESSION (Multi-session 11b).
pub fn tao_multisession(cd: &mut CdR) {
    mode_select(cd, &cd_write_parameters(0x01, 0b11, true)).expect("the page is accepted");
}

/// TAO, finalizing at CLOSE SESSION (Multi-session 00b).
pub fn tao_finalize(cd: &mut CdR) {
    mode_select(cd, &cd_write_parameters(0x01, 0b00, true)).expect("the page is accepted");
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
