//! Bounded access to big-endian wire bytes.
//!
//! Everything a drive sends is untrusted. The [`Reader`] cursor never panics: every read is
//! checked against the bytes actually received and returns a [`ParseError`] that names the
//! structure and the field that did not fit. [`InlineBytes`] holds a CDB or a sense buffer
//! without touching the heap.

use core::fmt;

/// Why bytes from a device (or from a user) could not be parsed.
///
/// Every variant names the structure (`what`) and, where one is at fault, the field, so that a
/// one-line message tells the reader exactly what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Fewer bytes than the structure needs.
    #[error("{what}: {got} bytes received, {need} needed for {field}")]
    Truncated {
        what: &'static str,
        field: &'static str,
        need: usize,
        got: usize,
    },
    /// A length field disagrees with the layout (too small for the fixed part, or not a
    /// multiple of the entry size).
    #[error("{what}: {field} is {value}, which is inconsistent with the layout")]
    BadLength {
        what: &'static str,
        field: &'static str,
        value: usize,
    },
    /// A field holds a value the standard does not allow.
    #[error("{what}: {field} has the invalid value {value:#x}")]
    InvalidValue {
        what: &'static str,
        field: &'static str,
        value: u32,
    },
}

/// Why a structure could not be written into a caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what}: buffer of {got} bytes is too small, {need} needed")]
pub struct EmitError {
    pub what: &'static str,
    pub need: usize,
    pub got: usize,
}

/// A cursor over received bytes. No method can panic; each read advances on success and
/// leaves the position unchanged on failure.
#[derive(Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Reader({}, {}/{} bytes)",
            self.what,
            self.pos,
            self.buf.len()
        )
    }
}

impl<'a> Reader<'a> {
    /// A cursor at the start of `buf`; `what` names the structure in errors.
    pub const fn new(buf: &'a [u8], what: &'static str) -> Self {
        Reader { buf, pos: 0, what }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The unread bytes, without advancing.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], ParseError> {
        let end = self.pos.checked_add(n).ok_or(ParseError::BadLength {
            what: self.what,
            field,
            value: n,
        })?;
        match self.buf.get(self.pos..end) {
            Some(s) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(ParseError::Truncated {
                what: self.what,
                field,
                need: end,
                got: self.buf.len(),
            }),
        }
    }

    /// Reads a fixed-size array.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], ParseError> {
        let s = self.bytes(N, field)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Skips `n` bytes (reserved fields).
    pub fn skip(&mut self, n: usize, field: &'static str) -> Result<(), ParseError> {
        self.bytes(n, field).map(|_| ())
    }

    pub fn u8(&mut self, field: &'static str) -> Result<u8, ParseError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub fn u16(&mut self, field: &'static str) -> Result<u16, ParseError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    pub fn u24(&mut self, field: &'static str) -> Result<u32, ParseError> {
        let [a, b, c] = self.array(field)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub fn u32(&mut self, field: &'static str) -> Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    pub fn i32(&mut self, field: &'static str) -> Result<i32, ParseError> {
        Ok(i32::from_be_bytes(self.array(field)?))
    }

    pub fn u64(&mut self, field: &'static str) -> Result<u64, ParseError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    /// A truncation error for `field` as if `need` bytes had been required from the start.
    pub fn truncated(&self, field: &'static str, need: usize) -> ParseError {
        ParseError::Truncated {
            what: self.what,
            field,
            need,
            got: self.buf.len(),
        }
    }
}

/// Reads byte `off`, or 0 when the buffer is shorter. For layouts whose length was checked
/// once, or where absent trailing bytes mean zero (allocation-length truncation).
#[inline]
pub fn byte_at(buf: &[u8], off: usize) -> u8 {
    buf.get(off).copied().unwrap_or(0)
}

/// Big-endian u16 at `off`, or `None` when it does not fit.
#[inline]
pub fn be16_at(buf: &[u8], off: usize) -> Option<u16> {
    let s = buf.get(off..off.checked_add(2)?)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

/// Big-endian 24-bit value at `off`, or `None` when it does not fit.
#[inline]
pub fn be24_at(buf: &[u8], off: usize) -> Option<u32> {
    let s = buf.get(off..off.checked_add(3)?)?;
    Some(u32::from_be_bytes([0, *s.first()?, *s.get(1)?, *s.get(2)?]))
}

/// Big-endian u32 at `off`, or `None` when it does not fit.
#[inline]
pub fn be32_at(buf: &[u8], off: usize) -> Option<u32> {
    let s = buf.get(off..off.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_be_bytes(a))
}

/// A cursor that writes big-endian fields into a caller's buffer and never panics: a write
/// that does not fit sets an overflow flag and is dropped, and [`Writer::finish`] reports it.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
    overflow: bool,
    what: &'static str,
}

impl<'a> Writer<'a> {
    pub fn new(buf: &'a mut [u8], what: &'static str) -> Self {
        Writer {
            buf,
            pos: 0,
            overflow: false,
            what,
        }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn put(&mut self, bytes: &[u8]) -> &mut Self {
        let end = self.pos.saturating_add(bytes.len());
        match self.buf.get_mut(self.pos..end) {
            Some(dst) if !self.overflow => dst.copy_from_slice(bytes),
            _ => self.overflow = true,
        }
        self.pos = end;
        self
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.put(&[v])
    }

    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.put(&v.to_be_bytes())
    }

    pub fn u24(&mut self, v: u32) -> &mut Self {
        let [_, a, b, c] = v.to_be_bytes();
        self.put(&[a, b, c])
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.put(&v.to_be_bytes())
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.put(&v.to_be_bytes())
    }

    pub fn zeros(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.u8(0);
        }
        self
    }

    /// The number of bytes written, or the error naming how many were needed.
    pub fn finish(&self) -> Result<usize, EmitError> {
        if self.overflow {
            Err(EmitError {
                what: self.what,
                need: self.pos,
                got: self.buf.len(),
            })
        } else {
            Ok(self.pos)
        }
    }
}

/// A short byte string held inline: a CDB (up to 16 bytes) or sense data (up to 252 bytes),
/// built and passed around without allocating.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InlineBytes<const N: usize> {
    bytes: [u8; N],
    // A u8 keeps a CDB at 17 bytes, cheap to return by value; N is at most 255 (checked in
    // `new`).
    len: u8,
}

/// The bytes of one command descriptor block.
pub type CdbBytes = InlineBytes<16>;
/// Sense data as returned by a drive: at most 252 bytes (SPC: additional length 244 + 8).
pub type SenseBytes = InlineBytes<252>;

impl<const N: usize> InlineBytes<N> {
    /// Empty.
    pub const fn new() -> Self {
        const { assert!(N <= 255, "InlineBytes holds at most 255 bytes") };
        InlineBytes {
            bytes: [0; N],
            len: 0,
        }
    }

    /// Copies `src`, keeping at most `N` bytes (a longer source is cut, as a drive cuts sense
    /// data to the host's buffer).
    #[inline]
    pub fn from_slice(src: &[u8]) -> Self {
        let mut b = Self::new();
        let n = src.len().min(N);
        if let (Some(dst), Some(s)) = (b.bytes.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(s);
        }
        b.len = n as u8;
        b
    }

    /// `N` bytes, all zero, with length `len` (clamped to `N`): for encoders that fill fields in place.
    pub const fn zeroed(len: usize) -> Self {
        let mut b = Self::new();
        b.len = (if len > N { N } else { len }) as u8;
        b
    }

    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        self.bytes
            .get_mut(..usize::from(self.len))
            .unwrap_or(&mut [])
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Shortens to `len` bytes (no effect if already shorter).
    pub fn truncate(&mut self, len: usize) {
        if len < usize::from(self.len) {
            self.len = len as u8;
        }
    }
}

impl<const N: usize> Default for InlineBytes<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::ops::Deref for InlineBytes<N> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl<const N: usize> AsRef<[u8]> for InlineBytes<N> {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl<const N: usize> fmt::Debug for InlineBytes<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, b) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02X}")?;
        }
        f.write_str("]")
    }
}

/// Bit `bit` (0-7) of `byte`.
#[inline]
pub(crate) const fn bit(byte: u8, bit: u32) -> bool {
    (byte >> bit) & 1 != 0
}

/// `v` placed at bit `bit` (0-7).
#[inline]
pub(crate) const fn flag(v: bool, bit: u32) -> u8 {
    (v as u8) << bit
}

/// A field of `width` bits at `shift`, read from `byte`.
#[inline]
pub(crate) const fn bits(byte: u8, shift: u32, width: u32) -> u8 {
    (byte >> shift) & ((1u16 << width) - 1) as u8
}

/// `v` masked to `width` bits and placed at `shift`.
#[inline]
pub(crate) const fn put_bits(v: u8, shift: u32, width: u32) -> u8 {
    (v & ((1u16 << width) - 1) as u8) << shift
}

/// Declares a wire-code enum: one line per code, `Variant = value => "name the standard
/// uses"`. Every enum it makes has the same shape:
///
/// - an `Unknown(repr)` variant that keeps any value not named, so every code round-trips
///   (`from` never builds `Unknown(v)` for a value a variant names);
/// - the two conversions (`from_u8`/`to_u8`, or as named) as `const fn`, and `From` both ways;
/// - `name()` (the standard's name, or the `unknown` name), `known_name()`, `ALL` (every
///   named variant in declaration order);
/// - `Display` (the name; an unknown value as `unknown (0x..)`, or the `unknown` format);
/// - `Default`: the value 0, as in an all-zero CDB or header;
/// - serde derives; the caller adds `#[serde(...)]` attributes for the serialized names.
///
/// Options after the conversions: `mask M` reads only the bits of `M` (a field narrower than
/// its byte, such as the sense key); `unknown "name" / "format {:02X}"` names an unknown
/// value and formats it for `Display`.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $repr:ty as $from:ident / $to:ident
            $(, mask $mask:literal)?
            $(, unknown $uname:literal / $ufmt:literal)?
        {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal, )*
        }
    ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not name (or the standard reserves), kept as sent.
            Unknown($repr),
        }

        impl $name {
            /// Every named variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code from its value on the wire (already shifted into the low bits).
            #[inline]
            pub const fn $from(v: $repr) -> Self {
                $( let v = v & $mask; )?
                match v {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }

            /// The value on the wire (before shifting into place).
            #[inline]
            pub const fn $to(self) -> $repr {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(v) => v,
                }
            }

            /// The name the standard uses; `None` for [`Self::Unknown`].
            pub const fn known_name(self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($text), )*
                    $name::Unknown(_) => None,
                }
            }

            /// The name the standard uses, or a word for an unknown value (whose
            /// [`Display`](core::fmt::Display) shows the value).
            pub const fn name(self) -> &'static str {
                match self.known_name() {
                    Some(text) => text,
                    None => $crate::wire::wire_enum!(@uname $($uname)?),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$from(0)
            }
        }

        impl From<$repr> for $name {
            fn from(v: $repr) -> Self {
                $name::$from(v)
            }
        }

        impl From<$name> for $repr {
            fn from(v: $name) -> Self {
                v.$to()
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.known_name() {
                    Some(text) => f.write_str(text),
                    None => write!(f, $crate::wire::wire_enum!(@ufmt $($ufmt)?), self.$to()),
                }
            }
        }
    };
    (@uname) => { "unknown" };
    (@uname $uname:literal) => { $uname };
    (@ufmt) => { "unknown ({:#x})" };
    (@ufmt $ufmt:literal) => { $ufmt };
}
pub(crate) use wire_enum;

/// Parses hex words as a user types them: `70 00 02`, `0x70,0x00`, `700002`, or a mix.
/// Whitespace and commas separate words; each word is an even number of hex digits, with an
/// optional `0x` prefix (a single-digit word is one byte).
pub fn parse_hex_words<'s>(words: impl IntoIterator<Item = &'s str>) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    for (index, raw) in words
        .into_iter()
        .flat_map(|w| w.split([',', ' ', '\t', '\n', ':']))
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        let w = raw
            .strip_prefix("0x")
            .or_else(|| raw.strip_prefix("0X"))
            .unwrap_or(raw);
        if w.is_empty() || !w.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(HexError::NotHex {
                index,
                word: raw.to_string(),
            });
        }
        if w.len() == 1 {
            out.push(u8::from_str_radix(w, 16).map_err(|_| HexError::NotHex {
                index,
                word: raw.to_string(),
            })?);
            continue;
        }
        if w.len() % 2 != 0 {
            return Err(HexError::OddLength {
                index,
                word: raw.to_string(),
            });
        }
        for pair in w.as_bytes().chunks(2) {
            let s = core::str::from_utf8(pair).unwrap_or("");
            out.push(u8::from_str_radix(s, 16).map_err(|_| HexError::NotHex {
                index,
                word: raw.to_string(),
            })?);
        }
    }
    Ok(out)
}

/// Why hex words typed by a user could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    #[error("word {} ({word:?}) is not hexadecimal", index + 1)]
    NotHex { index: usize, word: String },
    #[error("word {} ({word:?}) has an odd number of hex digits", index + 1)]
    OddLength { index: usize, word: String },
}

/// Formats bytes as space-separated upper-case hex pairs.
pub fn hex(bytes: &[u8]) -> String {
    let digit = |n: u8| {
        char::from_digit(u32::from(n), 16)
            .unwrap_or('0')
            .to_ascii_uppercase()
    };
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        // A transcript spells every byte of a data phase this way: no formatter per byte.
        s.push(digit(b >> 4));
        s.push(digit(b & 0x0F));
    }
    s
}

#[cfg(test)]
mod tests;
