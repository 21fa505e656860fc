//! What every typed CDB shares: the [`CdbRepr`] trait, the table-driven check of reserved
//! bits, and the expected data phase ([`Transfer`]).

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use crate::transport::Direction;
use crate::wire::CdbBytes;

/// Bytes in one logical block of every MMC data medium (CD mode 1 / mode 2 form 1, DVD, BD).
pub const BLOCK_LEN: u32 = 2048;

/// Control byte bits 7-6: vendor specific (SAM-5). Accepted and ignored, so encoding
/// clears them (READ TOC/PMA/ATIP reads the old format field from them, see
/// [`super::ReadTocPmaAtip`]).
pub const CONTROL_VENDOR_BITS: u8 = 0xC0;
/// Control byte bit 2: NACA, normal ACA. Not supported: rejected.
pub const CONTROL_NACA: u8 = 0x04;
/// Control byte bit 0: LINK (obsolete in SAM-5). Not supported: rejected.
pub const CONTROL_LINK: u8 = 0x01;

/// One command's typed CDB, in smoltcp's `Repr` style: `decode` checks the bytes once and
/// never panics, `encode` writes exactly [`CdbRepr::LEN`] bytes with a zero Control byte.
pub trait CdbRepr: Sized + Copy {
    /// Byte 0.
    const OPCODE: Opcode;
    /// The command's name ("WRITE (10)").
    const NAME: &'static str = Self::OPCODE.name();
    /// Per CDB byte, the bits the command defines and this crate decodes, as SPC-4's "CDB
    /// usage data" of REPORT SUPPORTED OPERATION CODES: byte 0 is FFh, the last
    /// byte (Control) is 00h because neither NACA nor LINK is supported. A set bit outside
    /// the mask is rejected, except the Control byte's vendor bits 7-6.
    const USAGE: &'static [u8];
    /// The CDB length, `USAGE.len()`.
    const LEN: usize = Self::USAGE.len();

    /// Parses and checks a CDB of [`CdbRepr::LEN`] bytes, with zero padding after them.
    fn decode(cdb: &[u8]) -> Result<Self, CdbError>;
    /// The exact bytes, Control byte 0.
    fn encode(&self) -> CdbBytes;
    /// The data phase the CDB asks for.
    fn expected_transfer(&self) -> Transfer;
}

/// The data phase a CDB implies, from its allocation length, parameter list length or
/// transfer length. A length of zero is [`Transfer::None`] (SPC-4: an allocation
/// length of zero transfers no data and is not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transfer {
    None,
    /// Data-in, at most this many bytes (the drive may send fewer).
    In(u32),
    /// Data-out, this many bytes.
    Out(u32),
}

impl Transfer {
    /// Data-in of `len` bytes, or `None` when `len` is 0.
    #[inline]
    pub const fn data_in(len: u32) -> Self {
        if len == 0 {
            Transfer::None
        } else {
            Transfer::In(len)
        }
    }

    /// Data-out of `len` bytes, or `None` when `len` is 0.
    #[inline]
    pub const fn data_out(len: u32) -> Self {
        if len == 0 {
            Transfer::None
        } else {
            Transfer::Out(len)
        }
    }

    /// Bytes in the data phase.
    pub const fn len(self) -> u32 {
        match self {
            Transfer::None => 0,
            Transfer::In(n) | Transfer::Out(n) => n,
        }
    }

    pub const fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub const fn direction(self) -> Direction {
        match self {
            Transfer::None => Direction::None,
            Transfer::In(_) => Direction::In,
            Transfer::Out(_) => Direction::Out,
        }
    }
}

/// `blocks` logical blocks of 2048 bytes, in bytes; saturates at `u32::MAX` (a 32-bit
/// transfer length of more than 2 Mi blocks cannot be expressed in a `u32` byte count, and
/// no host buffer is that large).
#[inline]
pub const fn blocks_to_bytes(blocks: u32) -> u32 {
    blocks.saturating_mul(BLOCK_LEN)
}

/// The longest CDB a transport carries here (SAM-5: up to 16 bytes outside the
/// variable-length CDB).
pub const MAX_CDB_LEN: usize = 16;

/// The command's `N` bytes of a CDB that is exactly `N` long, or longer with only zeros after
/// them, up to [`MAX_CDB_LEN`]: the operation code's group gives the length (SPC-4 4.2.5.1)
/// and the rest is transport padding (an ATAPI packet is 12 bytes; the Linux cdrom layer's
/// CDROM_SEND_PACKET always sends 12). Shorter CDBs, and set bits past the command, are no
/// command of this length.
#[inline(always)]
fn command_bytes<const N: usize>(cdb: &[u8]) -> Option<[u8; N]> {
    if cdb.len() > MAX_CDB_LEN {
        return None;
    }
    let (command, padding) = (cdb.get(..N)?, cdb.get(N..)?);
    if padding.iter().any(|&b| b != 0) {
        return None;
    }
    <[u8; N]>::try_from(command).ok()
}

/// The most significant set bit of a non-zero byte.
#[inline]
const fn top_bit(stray: u8) -> u8 {
    7 - stray.leading_zeros() as u8
}

/// Checks a CDB against a command's layout: the opcode, the length (zero padding allowed, see
/// [`command_bytes`]), then every bit
/// outside `usage` (Control bits 7-6 excepted). Returns the bytes as an array, so decoders
/// destructure them without indexing.
// Always inlined so that each command's usage mask folds into constants.
#[inline(always)]
pub(crate) fn check<const N: usize>(
    cdb: &[u8],
    opcode: Opcode,
    usage: &[u8; N],
) -> Result<[u8; N], CdbError> {
    let Some(&first) = cdb.first() else {
        return Err(CdbError::Empty);
    };
    if first != opcode.to_u8() {
        return Err(CdbError::WrongOpcode {
            expected: opcode,
            got: first,
        });
    }
    let Some(bytes) = command_bytes::<N>(cdb) else {
        return Err(CdbError::WrongLength {
            opcode,
            expected: N,
            got: cdb.len(),
        });
    };
    // The Control byte's vendor bits are allowed on top of the command's usage.
    let mut allowed = *usage;
    if let Some(control) = allowed.last_mut() {
        *control |= CONTROL_VENDOR_BITS;
    }
    // Fast path: one OR over all stray bits; naming the bit is left to the cold path.
    let mut any = 0u8;
    for (b, a) in bytes.iter().zip(allowed.iter()) {
        any |= b & !a;
    }
    if any == 0 {
        Ok(bytes)
    } else {
        Err(locate_stray_bit(&bytes, &allowed, opcode))
    }
}

/// The error for the first byte with a bit outside `allowed`, at its most significant such
/// bit; NACA and LINK in the Control byte are named.
#[cold]
#[inline(never)]
fn locate_stray_bit(bytes: &[u8], allowed: &[u8], opcode: Opcode) -> CdbError {
    let last = bytes.len().saturating_sub(1);
    for (i, (b, a)) in bytes.iter().zip(allowed.iter()).enumerate() {
        let stray = b & !a;
        if stray == 0 {
            continue;
        }
        let byte = i as u8;
        let bit = top_bit(stray);
        let (field, reason) = match 1 << bit {
            CONTROL_NACA if i == last => ("NACA", "is not supported"),
            CONTROL_LINK if i == last => {
                ("LINK", "is not supported (linked commands are obsolete)")
            }
            _ => return CdbError::ReservedBit { opcode, byte, bit },
        };
        return CdbError::InvalidField {
            opcode,
            byte,
            bit,
            field,
            reason,
        };
    }
    // Not reached: the caller found a stray bit. Name byte 0 rather than panic.
    CdbError::ReservedBit {
        opcode,
        byte: 0,
        bit: 0,
    }
}

/// The first set bit (most significant) of `value` at byte `byte` of a CDB, as a
/// [`CdbError::ReservedBit`]; `Ok` when `value` is zero. For bytes that are reserved only
/// for some values of another field.
#[inline]
pub(crate) fn reserved_if_set(opcode: Opcode, byte: u8, value: u8) -> Result<(), CdbError> {
    if value == 0 {
        Ok(())
    } else {
        Err(CdbError::ReservedBit {
            opcode,
            byte,
            bit: top_bit(value),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USAGE: [u8; 6] = [0xFF, 0x01, 0x00, 0x00, 0xFF, 0x00];

    #[test]
    fn check_accepts_vendor_control_bits_only() {
        assert!(check(&[0x03, 1, 0, 0, 18, 0xC0], Opcode::RequestSense, &USAGE).is_ok());
        assert_eq!(
            check(&[0x03, 1, 0, 0, 18, 0x04], Opcode::RequestSense, &USAGE),
            Err(CdbError::InvalidField {
                opcode: Opcode::RequestSense,
                byte: 5,
                bit: 2,
                field: "NACA",
                reason: "is not supported"
            })
        );
        assert!(matches!(
            check(&[0x03, 1, 0, 0, 18, 0x01], Opcode::RequestSense, &USAGE),
            Err(CdbError::InvalidField {
                byte: 5,
                bit: 0,
                field: "LINK",
                ..
            })
        ));
        assert_eq!(
            check(&[0x03, 1, 0, 0, 18, 0x20], Opcode::RequestSense, &USAGE),
            Err(CdbError::ReservedBit {
                opcode: Opcode::RequestSense,
                byte: 5,
                bit: 5
            })
        );
    }

    #[test]
    fn check_reports_the_first_byte_and_its_top_bit() {
        assert_eq!(
            check(&[0x03, 0x06, 0x80, 0, 0, 0], Opcode::RequestSense, &USAGE),
            Err(CdbError::ReservedBit {
                opcode: Opcode::RequestSense,
                byte: 1,
                bit: 2
            })
        );
    }

    #[test]
    fn transfer_of_zero_bytes_is_none() {
        assert_eq!(Transfer::data_in(0), Transfer::None);
        assert_eq!(Transfer::data_out(12), Transfer::Out(12));
        assert_eq!(blocks_to_bytes(u32::MAX), u32::MAX);
        assert_eq!(blocks_to_bytes(16), 32768);
    }
}
