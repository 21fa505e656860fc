//! Field tables: one declaration per fixed layout, from which reading, writing and the mask of
//! the bits a layout uses all come. CDBs ([`cdb!`](crate::cdb)), parameter lists
//! ([`crate::params`]) and the fixed parts of responses declare their fields this way:
//!
//! ```text
//! pub dpo: bool = flag(1, 4),                  // byte 1 bit 4
//! pub lba: i32 = be(2),                        // bytes 2-5, big-endian, width from the type
//! pub function: CloseFunction = code(2, 0, 3), // byte 2 bits 2-0, a wire_enum
//! pub format_code: u8 = uint(1, 0, 3),         // byte 1 bits 2-0, a plain number
//! pub cue_sheet_size: u32 = be24(6),           // bytes 6-8, 24 bits
//! pub sessions: u16 = split16(4, 9),           // LSB in byte 4, MSB in byte 9
//! pub isrc: [u8; 16] = be(32),                 // bytes 32-47, as sent
//! ```
//!
//! Byte numbers are those of the standard's table. Reads past the end of the bytes give 0 and
//! writes past it are dropped; a field's bits beyond its width are dropped on writing.

/// A big-endian field read and written at a constant offset. Reads and writes that would not
/// fit are 0 and dropped.
pub(crate) trait BeField: Sized {
    /// Bytes on the wire.
    const LEN: usize;
    fn read(buf: &[u8], off: usize) -> Self;
    fn write(self, buf: &mut [u8], off: usize);
}

/// Copies `bytes` to `off`, when they fit.
fn put(buf: &mut [u8], off: usize, bytes: &[u8]) {
    if let Some(dst) = buf.get_mut(off..off.saturating_add(bytes.len())) {
        dst.copy_from_slice(bytes);
    }
}

/// The `N` bytes at `off`; a byte past the end of `buf` reads 0 (a feature descriptor
/// shorter than its current version has the newer fields zero).
fn get<const N: usize>(buf: &[u8], off: usize) -> [u8; N] {
    let mut a = [0u8; N];
    for (i, b) in a.iter_mut().enumerate() {
        *b = crate::wire::byte_at(buf, off.saturating_add(i));
    }
    a
}

macro_rules! be_field {
    ($($ty:ty),*) => {$(
        impl BeField for $ty {
            const LEN: usize = core::mem::size_of::<$ty>();
            #[inline]
            fn read(buf: &[u8], off: usize) -> Self {
                <$ty>::from_be_bytes(get(buf, off))
            }
            #[inline]
            fn write(self, buf: &mut [u8], off: usize) {
                put(buf, off, &self.to_be_bytes());
            }
        }
    )*};
}
be_field!(u8, u16, u32, i32, u64);

impl<const N: usize> BeField for [u16; N] {
    const LEN: usize = 2 * N;
    #[inline]
    fn read(buf: &[u8], off: usize) -> Self {
        let mut a = [0u16; N];
        for (i, v) in a.iter_mut().enumerate() {
            *v = u16::read(buf, off.saturating_add(2 * i));
        }
        a
    }
    #[inline]
    fn write(self, buf: &mut [u8], off: usize) {
        for (i, v) in self.iter().enumerate() {
            v.write(buf, off.saturating_add(2 * i));
        }
    }
}

impl<const N: usize> BeField for [u8; N] {
    const LEN: usize = N;
    #[inline]
    fn read(buf: &[u8], off: usize) -> Self {
        get(buf, off)
    }
    #[inline]
    fn write(self, buf: &mut [u8], off: usize) {
        put(buf, off, &self);
    }
}

/// ORs `v` into byte `off`.
#[inline]
pub(crate) fn or_byte(buf: &mut [u8], off: usize, v: u8) {
    if let Some(b) = buf.get_mut(off) {
        *b |= v;
    }
}

/// A 24-bit big-endian number at `off`.
#[inline]
pub(crate) fn read_be24(buf: &[u8], off: usize) -> u32 {
    let [b0, b1, b2] = get(buf, off);
    u32::from_be_bytes([0, b0, b1, b2])
}

/// Writes the low 24 bits of `v` at `off`.
#[inline]
pub(crate) fn write_be24(v: u32, buf: &mut [u8], off: usize) {
    let [_, b0, b1, b2] = v.to_be_bytes();
    put(buf, off, &[b0, b1, b2]);
}

/// A 16-bit number whose low byte is at `lsb` and high byte at `msb` (MMC's track and session
/// numbers, widened from 8 bits in a later byte).
#[inline]
pub(crate) fn read_split16(buf: &[u8], lsb: usize, msb: usize) -> u16 {
    u16::from_be_bytes([
        crate::wire::byte_at(buf, msb),
        crate::wire::byte_at(buf, lsb),
    ])
}

/// Writes `v` as [`read_split16`] reads it.
#[inline]
pub(crate) fn write_split16(v: u16, buf: &mut [u8], lsb: usize, msb: usize) {
    let [hi, lo] = v.to_be_bytes();
    or_byte(buf, lsb, lo);
    or_byte(buf, msb, hi);
}

/// The usage mask of an `N`-byte layout: per field, its marks `(byte, mask, count)`, that is
/// `count` bytes from `byte` with `mask`. Evaluated in constants only, where an offset past
/// the layout is a compile error.
#[allow(clippy::indexing_slicing)]
pub(crate) const fn usage<const N: usize>(fields: &[&[(usize, u8, usize)]]) -> [u8; N] {
    let mut u = [0u8; N];
    let mut f = 0;
    while f < fields.len() {
        u = with_marks(u, fields[f]);
        f += 1;
    }
    u
}

/// `u` with the bits of `marks` (as in [`usage`]) set too.
#[allow(clippy::indexing_slicing)]
pub(crate) const fn with_marks<const N: usize>(
    mut u: [u8; N],
    marks: &[(usize, u8, usize)],
) -> [u8; N] {
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

/// The first set bit outside `usage`, as (byte, most significant stray bit).
pub(crate) fn stray_bit(bytes: &[u8], usage: &[u8]) -> Option<(usize, u8)> {
    bytes.iter().zip(usage).enumerate().find_map(|(i, (b, u))| {
        let stray = b & !u;
        (stray != 0).then(|| (i, 7 - stray.leading_zeros() as u8))
    })
}

/// One field of a table: its usage marks (`@mark`), how it reads (`@read`) and how it writes
/// (`@write`), for the kinds in the module documentation. `$base` is the table byte number
/// of the buffer's first byte.
macro_rules! field {
    (@mark $base:expr, $fty:ty, flag($byte:expr, $bit:expr)) => {
        &[($byte - $base, 1u8 << $bit, 1)]
    };
    (@mark $base:expr, $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        &[($byte - $base, (((1u16 << $width) - 1) as u8) << $shift, 1)]
    };
    (@mark $base:expr, $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        &[($byte - $base, (((1u16 << $width) - 1) as u8) << $shift, 1)]
    };
    (@mark $base:expr, $fty:ty, be($byte:expr)) => {
        &[($byte - $base, 0xFF, <$fty as $crate::layout::BeField>::LEN)]
    };
    (@mark $base:expr, $fty:ty, be24($byte:expr)) => {
        &[($byte - $base, 0xFF, 3)]
    };
    (@mark $base:expr, $fty:ty, split16($lsb:expr, $msb:expr)) => {
        &[($lsb - $base, 0xFF, 1), ($msb - $base, 0xFF, 1)]
    };

    (@read $b:expr, $base:expr, $fty:ty, flag($byte:expr, $bit:expr)) => {
        $crate::wire::bit($crate::wire::byte_at($b, $byte - $base), $bit)
    };
    (@read $b:expr, $base:expr, $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        <$fty>::from_u8($crate::wire::bits(
            $crate::wire::byte_at($b, $byte - $base),
            $shift,
            $width,
        ))
    };
    (@read $b:expr, $base:expr, $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        $crate::wire::bits($crate::wire::byte_at($b, $byte - $base), $shift, $width)
    };
    (@read $b:expr, $base:expr, $fty:ty, be($byte:expr)) => {
        <$fty as $crate::layout::BeField>::read($b, $byte - $base)
    };
    (@read $b:expr, $base:expr, $fty:ty, be24($byte:expr)) => {
        $crate::layout::read_be24($b, $byte - $base)
    };
    (@read $b:expr, $base:expr, $fty:ty, split16($lsb:expr, $msb:expr)) => {
        $crate::layout::read_split16($b, $lsb - $base, $msb - $base)
    };

    (@write $b:expr, $base:expr, $v:expr, $fty:ty, flag($byte:expr, $bit:expr)) => {
        $crate::layout::or_byte($b, $byte - $base, $crate::wire::flag($v, $bit))
    };
    (@write $b:expr, $base:expr, $v:expr, $fty:ty, code($byte:expr, $shift:expr, $width:expr)) => {
        $crate::layout::or_byte(
            $b,
            $byte - $base,
            $crate::wire::put_bits($v.to_u8(), $shift, $width),
        )
    };
    (@write $b:expr, $base:expr, $v:expr, $fty:ty, uint($byte:expr, $shift:expr, $width:expr)) => {
        $crate::layout::or_byte(
            $b,
            $byte - $base,
            $crate::wire::put_bits($v, $shift, $width),
        )
    };
    (@write $b:expr, $base:expr, $v:expr, $fty:ty, be($byte:expr)) => {
        $crate::layout::BeField::write($v, $b, $byte - $base)
    };
    (@write $b:expr, $base:expr, $v:expr, $fty:ty, be24($byte:expr)) => {
        $crate::layout::write_be24($v, $b, $byte - $base)
    };
    (@write $b:expr, $base:expr, $v:expr, $fty:ty, split16($lsb:expr, $msb:expr)) => {
        $crate::layout::write_split16($v, $b, $lsb - $base, $msb - $base)
    };
}
pub(crate) use field;

/// Declares a struct whose fields with a `= kind(...)` sit at fixed places of a byte layout,
/// and three associated items from that one table: `read_fields(&[u8]) -> Self` (the other
/// fields `Default`, for the caller to fill with `..`), `write_fields(&self, &mut [u8])`
/// (ORs the table's fields into zeroed bytes) and `FIELD_MARKS` (for
/// [`usage`]). With `base B` the buffer starts at the table's byte `B` (a mode page's data
/// after its 2-byte header).
macro_rules! fixed_layout {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::layout::fixed_layout! { $(#[$meta])* $vis struct $name, base 0 { $($body)* } }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, base $base:literal {
            $( $(#[$fmeta:meta])* $fvis:vis $field:ident : $fty:ty $(= $kind:ident ( $($arg:tt)* ))?, )*
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $fty, )*
        }

        #[allow(dead_code)]
        impl $name {
            /// The usage marks of the table's fields (see [`crate::layout::usage`]).
            pub(crate) const FIELD_MARKS: &'static [&'static [(usize, u8, usize)]] = &[
                $( $( $crate::layout::field!(@mark $base, $fty, $kind($($arg)*)), )? )*
            ];

            /// The table's fields read from `b`; the others `Default`.
            pub(crate) fn read_fields(b: &[u8]) -> Self {
                $name {
                    $( $field: $crate::layout::fixed_layout!(@read b, $base, $fty $(, $kind($($arg)*))?), )*
                }
            }

            /// ORs the table's fields into `b` (zeroed by the caller).
            pub(crate) fn write_fields(&self, b: &mut [u8]) {
                $( $( $crate::layout::field!(@write b, $base, self.$field, $fty, $kind($($arg)*)); )? )*
            }
        }
    };

    (@read $b:ident, $base:expr, $fty:ty) => { Default::default() };
    (@read $b:ident, $base:expr, $fty:ty, $kind:ident ( $($arg:tt)* )) => {
        $crate::layout::field!(@read $b, $base, $fty, $kind($($arg)*))
    };
}
pub(crate) use fixed_layout;

#[cfg(test)]
mod tests {
    use super::*;

    fixed_layout! {
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        struct Sample, base 2 {
            a: bool = flag(2, 7),
            b: u8 = uint(2, 0, 3),
            n: u16 = split16(3, 9),
            x: u32 = be24(5),
            other: usize,
        }
    }

    #[test]
    fn one_table_reads_writes_and_masks() {
        let s = Sample {
            a: true,
            b: 5,
            n: 0x1234,
            x: 0x00AB_CDEF,
            other: 9,
        };
        let mut bytes = [0u8; 8];
        s.write_fields(&mut bytes);
        assert_eq!(bytes, [0x85, 0x34, 0, 0xAB, 0xCD, 0xEF, 0, 0x12]);
        assert_eq!(Sample::read_fields(&bytes), Sample { other: 0, ..s });
        let u: [u8; 8] = usage(Sample::FIELD_MARKS);
        assert_eq!(u, [0x87, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0, 0xFF]);
        assert_eq!(stray_bit(&[0x08, 0, 0x41, 0, 0, 0, 0, 0], &u), Some((0, 3)));
        assert_eq!(stray_bit(&[0, 0, 0x41, 0, 0, 0, 0, 0], &u), Some((2, 6)));
        assert_eq!(stray_bit(&bytes, &u), None);
    }

    #[test]
    fn bytes_past_the_end_read_zero_and_writes_past_it_are_dropped() {
        assert_eq!(u32::read(&[1, 2], 0), 0x0102_0000);
        let mut short = [0u8; 2];
        0xFFFF_FFFFu32.write(&mut short, 0);
        assert_eq!(short, [0, 0]);
        assert_eq!(with_marks([0u8; 3], &[(1, 0x0F, 2)]), [0, 0x0F, 0x0F]);
    }
}
