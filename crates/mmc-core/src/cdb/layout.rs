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
//! ```
//!
//! The usage mask is computed from the same table at compile time, so a field can be neither
//! decoded without being allowed nor allowed without being decoded.

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

/// The usage mask of an `N`-byte CDB: byte 0 (the opcode) and, per field, `count` bytes from
/// `byte` with `mask`. Evaluated in constants only, where an offset past the CDB is a
/// compile error.
#[allow(clippy::indexing_slicing)]
pub(crate) const fn usage<const N: usize>(marks: &[(usize, u8, usize)]) -> [u8; N] {
    let mut u = [0u8; N];
    u[0] = 0xFF;
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
    u
}

/// Declares a CDB struct and its [`CdbRepr`](super::CdbRepr) from one field table (see the
/// module documentation); `transfer` gives the expected data phase from the decoded struct.
macro_rules! cdb {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $opcode:ident, $len:literal {
            $( $(#[$fmeta:meta])* pub $field:ident : $fty:ty = $kind:ident ( $($arg:expr),* ), )*
        }
        transfer($c:ident) => $transfer:expr;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $fty, )*
        }

        impl $name {
            const USAGE_BYTES: [u8; $len] = $crate::cdb::layout::usage::<$len>(&[
                $( $crate::cdb::layout::cdb!(@mark $fty, $kind($($arg),*)), )*
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
                    $( $field: $crate::cdb::layout::cdb!(@read b, $fty, $kind($($arg),*)), )*
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
                $( $crate::cdb::layout::cdb!(@write b, self.$field, $fty, $kind($($arg),*)); )*
                $crate::wire::CdbBytes::from_slice(&bytes)
            }

            #[inline]
            fn expected_transfer(&self) -> $crate::cdb::Transfer {
                let $c = self;
                $transfer
            }
        }
    };

    (@mark $fty:ty, flag($byte:expr, $bit:expr)) => { ($byte, 1u8 << $bit, 1) };
    (@mark $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        ($byte, (((1u16 << $width) - 1) as u8) << $shift, 1)
    };
    (@mark $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        ($byte, (((1u16 << $width) - 1) as u8) << $shift, 1)
    };
    (@mark $fty:ty, be($byte:expr)) => {
        ($byte, 0xFF, <$fty as $crate::cdb::layout::BeField>::LEN)
    };

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
}
pub(crate) use cdb;
