//! One declaration per CDB layout: the [`cdb!`](crate::cdb::layout::cdb) macro derives a
//! command's struct, its usage mask ([`CdbRepr::USAGE`](super::CdbRepr::USAGE)), `decode`,
//! `encode` (with the opcode constant) and expected transfer from a single field table of the
//! kinds in [`crate::layout`], plus `with(Codec)` for the few fields a [`CdbField`] codec
//! reads and writes itself.
//!
//! The usage mask is computed from the same table at compile time, so a field can be neither
//! decoded without being allowed nor allowed without being decoded.

use super::error::CdbError;

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
            const USAGE_BYTES: [u8; $len] = $crate::layout::usage::<$len>(&[
                &[(0, 0xFF, 1)],
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

    (@mark $fty:ty, with($codec:ty)) => { <$codec as $crate::cdb::layout::CdbField>::MARKS };
    (@mark $fty:ty, $kind:ident ( $($arg:tt)* )) => {
        $crate::layout::field!(@mark 0, $fty, $kind($($arg)*))
    };

    (@read $b:ident, $fty:ty, with($codec:ty)) => {
        <$codec as $crate::cdb::layout::CdbField>::read($b)?
    };
    (@read $b:ident, $fty:ty, $kind:ident ( $($arg:tt)* )) => {
        $crate::layout::field!(@read $b, 0, $fty, $kind($($arg)*))
    };

    (@write $b:ident, $v:expr, $fty:ty, with($codec:ty)) => {
        <$codec as $crate::cdb::layout::CdbField>::write($v, $b)
    };
    (@write $b:ident, $v:expr, $fty:ty, $kind:ident ( $($arg:tt)* )) => {
        $crate::layout::field!(@write $b, 0, $v, $fty, $kind($($arg)*))
    };
}
pub(crate) use cdb;
