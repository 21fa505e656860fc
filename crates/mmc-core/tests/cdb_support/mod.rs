//! Helpers shared by the CDB test files.

use std::fmt::Debug;

use mmc_core::cdb::{CdbRepr, Command};

/// `bytes` decodes to `repr` (through the struct and through `Command`) and `repr` encodes
/// to `bytes`.
pub fn both_ways<T>(bytes: &[u8], repr: T)
where
    T: CdbRepr + PartialEq + Debug,
    Command: From<T>,
{
    assert_eq!(T::decode(bytes), Ok(repr), "decode {bytes:02X?}");
    assert_eq!(repr.encode().as_slice(), bytes, "encode {repr:?}");
    assert_eq!(T::LEN, bytes.len());
    let command = Command::from(repr);
    assert_eq!(Command::decode(bytes), Ok(command));
    assert_eq!(command.encode().as_slice(), bytes);
    assert_eq!(command.opcode().to_u8(), bytes[0]);
}
