//! `virt:MEDIA+hash` as `virtdrive serve` and `run` open it: the disc keeps a CRC-32 per
//! sector, so a sector of data does not read back while a sector of one repeated byte does.

use mmc_core::sense::triples;
use testkit::*;
use virtdrive::serve::{open_drive, DriveOptions, VirtSpec, DEFAULT_POLL_WAIT};

fn options(spec: &str) -> DriveOptions {
    DriveOptions {
        drive: VirtSpec::parse(spec).unwrap(),
        fault_plan: None,
        transcript: None,
        paced: false,
        poll_wait: DEFAULT_POLL_WAIT,
        media_identity: None,
        changer: 1,
    }
}

#[test]
fn a_hash_only_disc_reads_back_only_uniform_sectors() {
    let mut served = open_drive(&options("virt:bd-r+hash")).unwrap();
    let drive = served.drive_mut().drive_mut();
    // Sector 0 holds data, sector 1 one repeated byte.
    let mut data: Vec<u8> = (0..BLOCK).map(|i| (i * 7 + i / 256) as u8).collect();
    data.extend_from_slice(&[0x5A; BLOCK]);
    command_out(drive, &write10(0, 2), &data);
    command_ok(drive, &SYNCHRONIZE_CACHE);
    let failed = command_in_fails(drive, &read10(0, 1), BLOCK, triples::UNRECOVERED_READ_ERROR);
    assert_eq!(
        failed.information,
        Some(0),
        "the sector that cannot be read"
    );
    assert_eq!(read_blocks(drive, 1, 1), vec![0x5A; BLOCK]);
}

#[test]
fn the_in_memory_disc_without_the_suffix_keeps_the_data() {
    let mut served = open_drive(&options("virt:bd-r")).unwrap();
    let drive = served.drive_mut().drive_mut();
    let data: Vec<u8> = (0..BLOCK).map(|i| (i * 7 + i / 256) as u8).collect();
    command_out(drive, &write10(0, 1), &data);
    command_ok(drive, &SYNCHRONIZE_CACHE);
    assert_eq!(read_blocks(drive, 0, 1), data);
}

#[test]
fn a_hash_only_disc_with_a_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = format!("virt:bd-r+hash@{}", dir.path().join("d").display());
    let e = VirtSpec::parse(&spec).unwrap_err();
    assert!(e.contains("either +hash or @FILE"), "{e}");
    assert!(!dir.path().join("d").exists());
}
