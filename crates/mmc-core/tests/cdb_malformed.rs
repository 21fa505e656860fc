//! Malformed CDBs: empty, unknown opcode, wrong length, Control byte bits, and every
//! reserved bit of every command, each with the sense a drive answers.

use mmc_core::cdb::*;
use mmc_core::sense::{SenseKeySpecific, SenseTriple};

// ---- malformed ---------------------------------------------------------------------------

#[test]
fn empty_cdb() {
    assert_eq!(Command::decode(&[]), Err(CdbError::Empty));
    assert_eq!(Write10::decode(&[]), Err(CdbError::Empty));
}

#[test]
fn unknown_opcodes_are_invalid_command_operation_code() {
    for opcode in [0x01, 0xB9, 0xC5, 0xFF, 0x7F, 0x8A] {
        let err = Command::decode(&[opcode, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(err, CdbError::UnknownOpcode { opcode });
        assert_eq!(err.sense(), (SenseTriple::new(0x05, 0x20, 0x00), None));
    }
}

/// SPC-4 4.2.5.1: the operation code's group gives the CDB length. ATAPI transports send
/// 12-byte packets (and the Linux cdrom layer's CDROM_SEND_PACKET always 12 bytes), so a
/// shorter command arrives with zeros after it: a drive runs the command.
#[test]
fn zero_padding_after_the_command_is_transport_padding() {
    let write10 = [0x2A, 0, 0, 0, 0, 0x10, 0, 0, 1, 0];
    let mut padded = write10.to_vec();
    padded.extend_from_slice(&[0, 0]);
    assert_eq!(Command::decode(&padded), Command::decode(&write10));
    assert!(Command::decode(&padded).is_ok());
    let mut inquiry = vec![0x12, 0, 0, 0, 36, 0];
    inquiry.resize(16, 0);
    assert_eq!(
        Command::decode(&inquiry),
        Command::decode(&[0x12, 0, 0, 0, 36, 0])
    );
    // A set bit past the command's length is no padding.
    padded[11] = 0x01;
    assert_eq!(
        Command::decode(&padded),
        Err(CdbError::WrongLength {
            opcode: Opcode::Write10,
            expected: 10,
            got: 12
        })
    );
    // Nor is anything past 16 bytes, the longest CDB SAM-5 carries here.
    let mut long = write10.to_vec();
    long.resize(17, 0);
    assert!(matches!(
        Command::decode(&long),
        Err(CdbError::WrongLength { got: 17, .. })
    ));
}

#[test]
fn wrong_lengths_are_rejected_both_ways() {
    let padded = [0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0];
    assert_eq!(
        Command::decode(&padded[..9]),
        Err(CdbError::WrongLength {
            opcode: Opcode::Write10,
            expected: 10,
            got: 9
        })
    );
    let err = Command::decode(&[0x00]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "TEST UNIT READY CDB is 1 bytes long, the command has 6"
    );
    assert_eq!(err.sense(), (SenseTriple::new(0x05, 0x20, 0x00), None));
}

#[test]
fn a_struct_refuses_another_commands_cdb() {
    assert_eq!(
        Write10::decode(&[0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
        Err(CdbError::WrongOpcode {
            expected: Opcode::Write10,
            got: 0x28
        })
    );
}

#[test]
fn control_byte_naca_and_link_are_invalid_fields() {
    let naca = Command::decode(&[0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0x04]).unwrap_err();
    assert_eq!(
        naca.sense(),
        (
            SenseTriple::new(0x05, 0x24, 0x00),
            Some(SenseKeySpecific::FieldPointer {
                in_cdb: true,
                bit: Some(2),
                byte: 9
            })
        )
    );
    assert_eq!(
        naca.to_string(),
        "byte 9 bit 2 of WRITE (10): NACA is not supported"
    );
    let link = Command::decode(&[0x00, 0, 0, 0, 0, 0x01]).unwrap_err();
    assert_eq!(
        link.sense().1,
        Some(SenseKeySpecific::FieldPointer {
            in_cdb: true,
            bit: Some(0),
            byte: 5
        })
    );
    // Vendor bits are accepted and dropped.
    let vendor = Command::decode(&[0x00, 0, 0, 0, 0, 0xC0]).unwrap();
    assert_eq!(vendor.encode().as_slice(), [0, 0, 0, 0, 0, 0]);
}

#[test]
fn reserved_bit_message_names_byte_bit_and_command() {
    let err = Command::decode(&[0x2A, 0x20, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "byte 1 bit 5 of WRITE (10) is reserved but set"
    );
}

/// The bits each command defines, written from the standard's CDB tables (independently of
/// the crate's usage masks), with a CDB that is valid whatever those bits hold. The Control
/// byte is covered by `control_byte_naca_and_link_are_invalid_fields`.
#[rustfmt::skip]
const LAYOUTS: &[(&str, &[u8], &[u8])] = &[
    ("TEST UNIT READY", &[0x00, 0, 0, 0, 0, 0], &[0, 0, 0, 0]),
    ("REQUEST SENSE", &[0x03, 0, 0, 0, 0, 0], &[0x01, 0, 0, 0xFF]),
    ("FORMAT UNIT", &[0x04, 0, 0, 0, 0, 0], &[0x1F, 0, 0, 0]),
    // EVPD set, so every page code is valid.
    ("INQUIRY", &[0x12, 0x01, 0, 0, 0, 0], &[0x01, 0xFF, 0xFF, 0xFF]),
    ("START STOP UNIT", &[0x1B, 0, 0, 0, 0, 0], &[0x01, 0, 0x03, 0xF7]),
    ("PREVENT ALLOW", &[0x1E, 0, 0, 0, 0, 0], &[0, 0, 0, 0x03]),
    ("READ FORMAT CAPACITIES", &[0x23, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0, 0, 0, 0, 0, 0, 0xFF, 0xFF]),
    ("READ CAPACITY", &[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x01]),
    ("READ (10)", &[0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF]),
    ("WRITE (10)", &[0x2A, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF]),
    ("VERIFY (10)", &[0x2F, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0xFF, 0xFF]),
    ("SYNCHRONIZE CACHE", &[0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF]),
    ("READ SUB-CHANNEL", &[0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x02, 0x40, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF]),
    ("READ TOC/PMA/ATIP", &[0x43, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x02, 0x0F, 0, 0, 0, 0xFF, 0xFF, 0xFF]),
    ("GET CONFIGURATION", &[0x46, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x03, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF]),
    ("GET EVENT STATUS NOTIFICATION", &[0x4A, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x01, 0, 0, 0xFF, 0, 0, 0xFF, 0xFF]),
    ("READ DISC INFORMATION", &[0x51, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x07, 0, 0, 0, 0, 0, 0xFF, 0xFF]),
    ("READ TRACK INFORMATION", &[0x52, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x07, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF]),
    // ARSV = 0: bytes 2-4 reserved, 5-8 reservation size; with bytes 2-8 zero, ARSV = 1 is
    // valid too. (The bytes reserved under ARSV = 1 are tested above.)
    ("RESERVE TRACK", &[0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x03, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
    ("SEND OPC INFORMATION", &[0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x01, 0x03, 0, 0, 0, 0, 0xFF, 0xFF]),
    ("MODE SELECT (10)", &[0x55, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x11, 0, 0, 0, 0, 0, 0xFF, 0xFF]),
    ("MODE SENSE (10)", &[0x5A, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x18, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0xFF]),
    ("CLOSE TRACK/SESSION", &[0x5B, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x01, 0x07, 0, 0xFF, 0xFF, 0, 0, 0]),
    ("READ BUFFER CAPACITY", &[0x5C, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x01, 0, 0, 0, 0, 0, 0xFF, 0xFF]),
    ("SEND CUE SHEET", &[0x5D, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]),
    ("BLANK", &[0xA1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x17, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0]),
    ("READ (12)", &[0xA8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80]),
    ("WRITE (12)", &[0xAA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x1C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x80]),
    ("GET PERFORMANCE", &[0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF, 0xFF]),
    ("READ DISC STRUCTURE", &[0xAD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC0]),
    ("SET STREAMING", &[0xB6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF]),
    ("SET CD SPEED", &[0xBB, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0]),
    ("MECHANISM STATUS", &[0xBD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0]),
    ("READ CD", &[0xBE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x1E, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x07]),
    ("SEND DISC STRUCTURE", &[0xBF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[0x0F, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xC0]),
];

#[test]
fn layouts_cover_every_command() {
    let mut opcodes: Vec<u8> = LAYOUTS.iter().map(|(_, cdb, _)| cdb[0]).collect();
    opcodes.sort_unstable();
    let mut samples: Vec<u8> = sample_cdbs().iter().map(|c| c[0]).collect();
    samples.sort_unstable();
    assert_eq!(opcodes, samples);
    assert_eq!(opcodes.len(), 35);
}

#[test]
fn every_reserved_bit_is_rejected_with_its_pointer_and_every_defined_bit_accepted() {
    for &(name, base, defined) in LAYOUTS {
        assert!(Command::decode(base).is_ok(), "{name}: base CDB");
        // Bytes 1 ..= len-2: between the opcode and the Control byte.
        assert_eq!(defined.len(), base.len() - 2, "{name}: layout length");
        for (i, &mask) in defined.iter().enumerate() {
            let byte = i + 1;
            for bit in 0..8u8 {
                let mut cdb = base.to_vec();
                cdb[byte] |= 1 << bit;
                let result = Command::decode(&cdb);
                if mask & (1 << bit) != 0 {
                    assert!(
                        result.is_ok(),
                        "{name}: byte {byte} bit {bit} is defined: {result:?}"
                    );
                    continue;
                }
                let err = result.expect_err(name);
                assert_eq!(
                    err,
                    CdbError::ReservedBit {
                        opcode: Opcode::from_u8(base[0]),
                        byte: byte as u8,
                        bit
                    },
                    "{name}"
                );
                assert_eq!(
                    err.sense(),
                    (
                        SenseTriple::new(0x05, 0x24, 0x00),
                        Some(SenseKeySpecific::FieldPointer {
                            in_cdb: true,
                            bit: Some(bit),
                            byte: byte as u16
                        })
                    ),
                    "{name}"
                );
                assert_eq!(
                    err.to_string(),
                    format!(
                        "byte {byte} bit {bit} of {name_} is reserved but set",
                        name_ = Opcode::from_u8(base[0])
                    )
                );
            }
        }
    }
}

#[test]
fn command_decodes_exactly_the_opcodes_marked_decoded() {
    for byte in 0..=255u8 {
        let opcode = Opcode::from_u8(byte);
        let len = group_cdb_len(byte).unwrap_or(10);
        let mut cdb = vec![0u8; len];
        cdb[0] = byte;
        let result = Command::decode(&cdb);
        assert_eq!(
            result == Err(CdbError::UnknownOpcode { opcode: byte }),
            !opcode.is_decoded(),
            "{opcode}: {result:?}"
        );
    }
}
