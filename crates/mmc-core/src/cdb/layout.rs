//! One declaration per CDB layout: the [`cdb!`](crate::cdb::layout::cdb) macro derives a
//! command's struct, its usage mask ([`CdbRepr::USAGE`](super::CdbRepr::USAGE)), `decode`,
//! `encode` and expected transfer from a single field table, in the style of
//! `response/features/fixed.rs`:
//!
//! ```text
//! pub dpo: bool = flag(1, 4),          // byte 1 bit 4
//! pub lba: i32 = be(2),                // bytes 2-5, big-endian, width from the type
//! pub function: CloseFunction = code(2, 0, 3),  // byte 2 bits 2-0, a wire_enum
//! pub format_code: u8 = uint(1, 0, 3), // byte 1 bits 2-0, a plain number
//! pub cue_sheet_size: u32 = be24(6),   // bytes 6-8, 24 bits
//! pub vpd_page: Option<u8> = with(VpdPage), // a CdbField codec, for the few odd fields
//! ```
//!
//! The usage mask is computed from the same table at compile time, so a field can be neither
//! decoded without being allowed nor allowed without being decoded.

use super::error::CdbError;
use crate::wire::byte_at;

/// A big-endian field of a CDB, read and written at a constant offset. Reads and writes that
/// would not fit are 0 and dropped (offsets are checked at compile time by the usage mask).
pub(crate) trait BeField: Sized {
    /// Bytes on the wire.
    const LEN: usize;
    fn read(cdb: &[u8], off: usize) -> Self;
    fn write(self, cdb: &mut [u8], off: usize);
}

fn put(cdb: &mut [u8], off: usize, bytes: &[u8]) {
    if let Some(dst) = cdb.get_mut(off..off.saturating_add(bytes.len())) {
        dst.copy_from_slice(bytes);
    }
}

macro_rules! be_field {
    ($($ty:ty),*) => {$(
        impl BeField for $ty {
            const LEN: usize = core::mem::size_of::<$ty>();
            #[inline]
            fn read(cdb: &[u8], off: usize) -> Self {
                let mut a = [0u8; core::mem::size_of::<$ty>()];
                if let Some(s) = cdb.get(off..off.saturating_add(a.len())) {
                    a.copy_from_slice(s);
                }
                <$ty>::from_be_bytes(a)
            }
            #[inline]
            fn write(self, cdb: &mut [u8], off: usize) {
                put(cdb, off, &self.to_be_bytes());
            }
        }
    )*};
}
be_field!(u8, u16, u32, i32);

/// ORs `v` into byte `off`.
#[inline]
pub(crate) fn or_byte(cdb: &mut [u8], off: usize, v: u8) {
    if let Some(b) = cdb.get_mut(off) {
        *b |= v;
    }
}

/// A CDB field the table's plain kinds cannot express: several fields that select each other
/// (INQUIRY's EVPD and page code), bytes reserved for only some values of another field
/// (RESERVE TRACK), or bits read from the Control byte (READ TOC/PMA/ATIP). The codec names
/// the bits it takes for the usage mask, and its `read` may reject a CDB that passed the
/// mask check. Declared in a table as `pub name: Type = with(Codec)`.
pub(crate) trait CdbField {
    /// The field's Rust type.
    type Value;
    /// `(byte, mask, count)` marks for the usage mask, as the plain kinds give them.
    const MARKS: &'static [(usize, u8, usize)];
    /// Reads the field from a CDB that passed the usage-mask check.
    fn read(cdb: &[u8]) -> Result<Self::Value, CdbError>;
    /// Writes the field into a zeroed CDB (ORs or overwrites its bytes only).
    fn write(value: Self::Value, cdb: &mut [u8]);
}

/// A 24-bit big-endian number in a `u32` (SEND CUE SHEET's size): bits above 24 are dropped
/// on writing.
#[inline]
pub(crate) fn read_be24(cdb: &[u8], off: usize) -> u32 {
    u32::from_be_bytes([
        0,
        byte_at(cdb, off),
        byte_at(cdb, off.saturating_add(1)),
        byte_at(cdb, off.saturating_add(2)),
    ])
}

/// Writes the low 24 bits of `v` at `off`.
#[inline]
pub(crate) fn write_be24(v: u32, cdb: &mut [u8], off: usize) {
    let [_, b0, b1, b2] = v.to_be_bytes();
    put(cdb, off, &[b0, b1, b2]);
}

/// The usage mask of an `N`-byte CDB: byte 0 (the opcode) and, per field, its marks
/// `(byte, mask, count)`: `count` bytes from `byte` with `mask`. Evaluated in constants only,
/// where an offset past the CDB is a compile error.
#[allow(clippy::indexing_slicing)]
pub(crate) const fn usage<const N: usize>(fields: &[&[(usize, u8, usize)]]) -> [u8; N] {
    let mut u = [0u8; N];
    u[0] = 0xFF;
    let mut f = 0;
    while f < fields.len() {
        let marks = fields[f];
        let mut i = 0;
        while i < marks.len() {
            let (byte, mask, count) = marks[i];
            let mut k = 0;
            while k < count {
                u[byte + k] |= mask;
                k += 1;
            }
            i += 1;
        }
        f += 1;
    }
    u
}

/// Declares a CDB struct and its [`CdbRepr`](super::CdbRepr) from one field table (see the
/// module documentation); `transfer` gives the expected data phase from the decoded struct.
/// A command without fields is declared `pub struct Name = Opcode, len;` and is a unit
/// struct.
macro_rules! cdb {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $opcode:ident, $len:literal;
        transfer($c:ident) => $transfer:expr;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name;

        $crate::cdb::layout::cdb!(@impl $name = $opcode, $len {} transfer($c) => $transfer;);
    };

    (
        $(#[$meta:meta])*
        pub struct $name:ident = $opcode:ident, $len:literal {
            $( $(#[$fmeta:meta])* pub $field:ident : $fty:ty = $kind:ident ( $($arg:tt)* ), )*
        }
        transfer($c:ident) => $transfer:expr;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $fty, )*
        }

        $crate::cdb::layout::cdb!(@impl $name = $opcode, $len {
            $( $field: $fty = $kind($($arg)*), )*
        } transfer($c) => $transfer;);
    };

    (@impl $name:ident = $opcode:ident, $len:literal {
        $( $field:ident : $fty:ty = $kind:ident ( $($arg:tt)* ), )*
    } transfer($c:ident) => $transfer:expr;) => {
        impl $name {
            const USAGE_BYTES: [u8; $len] = $crate::cdb::layout::usage::<$len>(&[
                $( $crate::cdb::layout::cdb!(@mark $fty, $kind($($arg)*)), )*
            ]);
        }

        impl $crate::cdb::CdbRepr for $name {
            const OPCODE: $crate::cdb::Opcode = $crate::cdb::Opcode::$opcode;
            const USAGE: &'static [u8] = &Self::USAGE_BYTES;

            #[inline]
            fn decode(cdb: &[u8]) -> Result<Self, $crate::cdb::CdbError> {
                let bytes = $crate::cdb::repr::check(
                    cdb,
                    $crate::cdb::Opcode::$opcode,
                    &Self::USAGE_BYTES,
                )?;
                #[allow(unused_variables)]
                let b: &[u8] = &bytes;
                Ok($name {
                    $( $field: $crate::cdb::layout::cdb!(@read b, $fty, $kind($($arg)*)), )*
                })
            }

            #[inline]
            fn encode(&self) -> $crate::wire::CdbBytes {
                let mut bytes = [0u8; $len];
                if let Some(op) = bytes.first_mut() {
                    *op = $crate::cdb::Opcode::$opcode.to_u8();
                }
                #[allow(unused_variables)]
                let b: &mut [u8] = &mut bytes;
                $( $crate::cdb::layout::cdb!(@write b, self.$field, $fty, $kind($($arg)*)); )*
                $crate::wire::CdbBytes::from_slice(&bytes)
            }

            #[inline]
            fn expected_transfer(&self) -> $crate::cdb::Transfer {
                #[allow(unused_variables)]
                let $c = self;
                $transfer
            }
        }
    };

    (@mark $fty:ty, flag($byte:expr, $bit:expr)) => { &[($byte, 1u8 << $bit, 1)] };
    (@mark $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        &[($byte, (((1u16 << $width) - 1) as u8) << $shift, 1)]
    };
    (@mark $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        &[($byte, (((1u16 << $width) - 1) as u8) << $shift, 1)]
    };
    (@mark $fty:ty, be($byte:expr)) => {
        &[($byte, 0xFF, <$fty as $crate::cdb::layout::BeField>::LEN)]
    };
    (@mark $fty:ty, be24($byte:expr)) => { &[($byte, 0xFF, 3)] };
    (@mark $fty:ty, with($codec:ty)) => { <$codec as $crate::cdb::layout::CdbField>::MARKS };

    (@read $b:ident, $fty:ty, flag($byte:expr, $bit:expr)) => {
        $crate::wire::bit($crate::wire::byte_at($b, $byte), $bit)
    };
    (@read $b:ident, $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        <$fty>::from_u8($crate::wire::bits($crate::wire::byte_at($b, $byte), $shift, $width))
    };
    (@read $b:ident, $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        $crate::wire::bits($crate::wire::byte_at($b, $byte), $shift, $width)
    };
    (@read $b:ident, $fty:ty, be($byte:expr)) => {
        <$fty as $crate::cdb::layout::BeField>::read($b, $byte)
    };
    (@read $b:ident, $fty:ty, be24($byte:expr)) => {
        $crate::cdb::layout::read_be24($b, $byte)
    };
    (@read $b:ident, $fty:ty, with($codec:ty)) => {
        <$codec as $crate::cdb::layout::CdbField>::read($b)?
    };

    (@write $b:ident, $v:expr, $fty:ty, flag($byte:expr, $bit:expr)) => {
        $crate::cdb::layout::or_byte($b, $byte, $crate::wire::flag($v, $bit))
    };
    (@write $b:ident, $v:expr, $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        $crate::cdb::layout::or_byte($b, $byte, $crate::wire::put_bits($v.to_u8(), $shift, $width))
    };
    (@write $b:ident, $v:expr, $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        $crate::cdb::layout::or_byte($b, $byte, $crate::wire::put_bits($v, $shift, $width))
    };
    (@write $b:ident, $v:expr, $fty:ty, be($byte:expr)) => {
        $crate::cdb::layout::BeField::write($v, $b, $byte)
    };
    (@write $b:ident, $v:expr, $fty:ty, be24($byte:expr)) => {
        $crate::cdb::layout::write_be24($v, $b, $byte)
    };
    (@write $b:ident, $v:expr, $fty:ty, with($codec:ty)) => {
        <$codec as $crate::cdb::layout::CdbField>::write($v, $b)
    };
}
pub(crate) use cdb;
