//! The engine's Write onto a disc kept in the hash-only store (`virt:MEDIA+hash`): the data
//! is recorded as on any disc; a verification that reads it back cannot pass: the drive
//! answers the READ with 03/11/00 UNRECOVERED READ ERROR, as a real drive does for a sector
//! it cannot read, and the engine fails the write with that cause (E_FAIL), never silently.
//! (`discwriter write` refuses the verification before writing, tests/cli_hash_only.rs.)

mod common;

use std::io::Cursor;

use common::*;
use discwriter::{Error, VerificationLevel, WriteOptions};
use mmc_core::sense::triples;
use mmc_core::Opcode;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::HashOnlyStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// `sectors` sectors none of which repeats one byte.
fn image(sectors: usize) -> Vec<u8> {
    (0..sectors * 2048)
        .map(|i| (i * 7 + i / 2048 * 13 + 1) as u8)
        .collect()
}

fn hash_only_bd_r() -> EmulatedDrive {
    EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(MediumKind::BdR, Box::new(HashOnlyStore::new())),
    )
}

#[test]
fn without_verification_the_image_is_recorded() {
    let w = writer(
        hash_only_bd_r(),
        WriteOptions {
            verification: VerificationLevel::None,
            ..WriteOptions::default()
        },
    );
    let data = image(64);
    w.write(
        &mut Cursor::new(&data),
        data.len() as u64,
        None,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(w.last_written_lba().unwrap(), Some(63));
}

#[test]
fn a_verification_that_reads_back_fails_with_a_typed_error() {
    for level in [VerificationLevel::Quick, VerificationLevel::Full] {
        let w = writer(
            hash_only_bd_r(),
            WriteOptions {
                verification: level,
                ..WriteOptions::default()
            },
        );
        let data = image(64);
        let r = w.write(
            &mut Cursor::new(&data),
            data.len() as u64,
            None,
            &mut |_, _| {},
        );
        match r {
            Err(Error::Fail {
                cause: Some(cause), ..
            }) => {
                assert_eq!(cause.opcode, Opcode::Read10, "{level:?}");
                assert_eq!(
                    cause.sense,
                    Some(triples::UNRECOVERED_READ_ERROR),
                    "{level:?}"
                );
            }
            other => panic!("{level:?}: {other:?}"),
        }
    }
}
