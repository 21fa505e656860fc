//! Malformed CDBs get the sense a drive would give, with the field pointer.

use mmc_core::sense::{triples, SenseKeySpecific};
use testkit::command_fails;
use virtdrive::EmulatedDrive;

#[test]
fn an_unknown_opcode_is_an_invalid_command_operation_code() {
    let mut drive = EmulatedDrive::default();
    command_fails(
        &mut drive,
        &[0xFF, 0, 0, 0, 0, 0],
        triples::INVALID_COMMAND_OPERATION_CODE,
    );
}

#[test]
fn a_cdb_of_the_wrong_length_is_an_invalid_command_operation_code() {
    let mut drive = EmulatedDrive::default();
    // WRITE (10) sent as 6 bytes
    command_fails(
        &mut drive,
        &[0x2A, 0, 0, 0, 0, 0],
        triples::INVALID_COMMAND_OPERATION_CODE,
    );
    // and an empty CDB
    command_fails(&mut drive, &[], triples::INVALID_COMMAND_OPERATION_CODE);
}

#[test]
fn a_reserved_bit_is_an_invalid_field_pointing_at_byte_and_bit() {
    let mut drive = EmulatedDrive::default();
    let sks = command_fails(
        &mut drive,
        &[
            0x2A, // WRITE (10)
            0x20, // byte 1 bit 5: reserved
            0x00, 0x00, 0x10, 0x00, // LBA 4096
            0x00, // group number
            0x00, 0x20, // 32 blocks
            0x00, // control
        ],
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(
        sks,
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(5),
            byte: 1
        })
    );
}

#[test]
fn naca_in_the_control_byte_is_rejected() {
    let mut drive = EmulatedDrive::default();
    // the CDB is checked before the pending power-on unit attention is reported
    let sks = command_fails(
        &mut drive,
        &[0x00, 0, 0, 0, 0, 0x04], // TEST UNIT READY with NACA
        triples::INVALID_FIELD_IN_CDB,
    );
    assert_eq!(
        sks,
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(2),
            byte: 5
        })
    );
}
