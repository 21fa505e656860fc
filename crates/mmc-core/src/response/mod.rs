//! The data a drive returns (data-in). The parameter lists a host sends (data-out) are in
//! [`crate::params`]; MODE SENSE returns the same mode parameter list that MODE SELECT
//! sends ([`crate::params::ModeParameters`]).
//!
//! Every format is a compact owned repr implementing [`ResponseFormat`]: `parse` reads the
//! bytes actually received, `emit`/`to_bytes` produce the exact bytes a drive sends (the
//! emulator answers with them). Lists (feature descriptors, profiles, TOC entries, format
//! capacity descriptors, performance descriptors, mode pages) are also available as lazy
//! iterators over the received bytes that yield `Result<Item, ParseError>`.
//!
//! # Length fields
//!
//! A drive returns at most the host's allocation length, so the length field at the head of a
//! response may announce more bytes than arrived. Parsers then decode what is present and
//! record the difference in a `cut_bytes` field (a list entry that was cut in the middle is
//! dropped and counted as cut). A response whose fixed part did not arrive is
//! [`ParseError::Truncated`]; a length field smaller than the fixed part, or whose list part is
//! not a whole number of entries, is [`ParseError::BadLength`] naming the field. Bytes beyond
//! what the length field announces are ignored (drives pad to the allocation length).

pub(crate) use crate::wire::{bit, bits, flag, put_bits, wire_enum};
use crate::wire::{EmitError, ParseError, Writer};

pub mod buffer_capacity;
pub mod capabilities;
pub mod capacity;
pub mod configuration;
pub mod disc_info;
pub mod disc_structure;
pub mod event_status;
pub mod features;
pub mod inquiry;
pub mod mechanism;
pub mod msf;
pub mod performance;
pub mod toc;
pub mod track_info;

mod samples;

pub use buffer_capacity::BufferCapacity;
pub use capabilities::CapabilitiesPage;
pub use capacity::{CapacityData, FormatCapacities};
pub use configuration::{Configuration, Feature, FeatureCode};
pub use disc_info::DiscInformation;
pub use disc_structure::{DvdPhysicalFormat, WriteProtectionStatus};
pub use event_status::EventStatus;
pub use inquiry::StandardInquiry;
pub use mechanism::MechanismStatus;
pub use msf::Msf;
pub use performance::{NominalPerformance, WriteSpeeds};
pub use samples::{parse_any, parsers, sample_responses, ParserFn};
pub use toc::{FormattedToc, MultiSessionInfo, RawToc};
pub use track_info::TrackInformation;

/// One wire format: parsed from the bytes a drive sent, emitted as the bytes a drive sends.
///
/// `emit` writes exactly `buffer_len()` bytes. `parse(emit(x)) == x` for every value whose
/// fields fit their wire widths (fields are masked to their width when emitted) and whose
/// `cut_bytes` is zero.
pub trait ResponseFormat: Sized {
    /// The name used in errors ("READ DISC INFORMATION data").
    const NAME: &'static str;

    /// Parses the bytes received (bounded by them; never panics).
    fn parse(bytes: &[u8]) -> Result<Self, ParseError>;

    /// The number of bytes [`ResponseFormat::emit`] writes.
    fn buffer_len(&self) -> usize;

    /// Writes the wire bytes through `w`; exactly `buffer_len()` of them.
    fn write(&self, w: &mut Writer<'_>);

    /// Writes the wire bytes into `buf`, returning how many were written.
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = Writer::new(buf, Self::NAME);
        self.write(&mut w);
        w.finish()
    }

    /// The wire bytes in a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.buffer_len()];
        match self.emit(&mut v) {
            Ok(n) => v.truncate(n),
            // Unreachable when `write` honours `buffer_len`; an empty answer is the safe
            // failure (the caller sees a short response, not garbage).
            Err(_) => v.clear(),
        }
        v
    }
}

/// A response bounded by its own length field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Framed<'a> {
    /// The received bytes the length field covers (header included).
    pub bytes: &'a [u8],
    /// Bytes the length field announced that did not arrive.
    pub cut: usize,
}

/// Bounds `bytes` by a length field that announces `declared_total` bytes in all (header
/// included); `raw` is the field's value as sent, for the error; `fixed` the bytes that must be
/// present and announced.
pub(crate) fn frame<'a>(
    bytes: &'a [u8],
    what: &'static str,
    field: &'static str,
    raw: usize,
    declared_total: usize,
    fixed: usize,
) -> Result<Framed<'a>, ParseError> {
    if declared_total < fixed {
        return Err(ParseError::BadLength {
            what,
            field,
            value: raw,
        });
    }
    if bytes.len() < fixed {
        return Err(ParseError::Truncated {
            what,
            field: "fixed part",
            need: fixed,
            got: bytes.len(),
        });
    }
    let end = declared_total.min(bytes.len());
    Ok(Framed {
        bytes: bytes.get(..end).unwrap_or(bytes),
        cut: declared_total.saturating_sub(bytes.len()),
    })
}

/// Frames a response whose bytes 0-1 count the bytes after them (the usual MMC data length
/// field, named `field`), with `fixed` bytes required; returns the frame and the field's value.
pub(crate) fn frame_be16<'a>(
    bytes: &'a [u8],
    what: &'static str,
    field: &'static str,
    fixed: usize,
) -> Result<(Framed<'a>, usize), ParseError> {
    let len = usize::from(crate::wire::Reader::new(bytes, what).u16(field)?);
    Ok((frame(bytes, what, field, len, len + 2, fixed)?, len))
}

/// The next item of a lazy list: an entry the allocation length cut off ends the list quietly
/// (`None`; the response's parser counts the cut), any other error ends it with the error.
pub(crate) fn list_item<T>(
    item: Result<T, ParseError>,
    response_cut: bool,
    done: &mut bool,
) -> Option<Result<T, ParseError>> {
    match item {
        Ok(v) => Some(Ok(v)),
        Err(e) => {
            *done = true;
            match e {
                ParseError::Truncated { .. } if response_cut => None,
                e => Some(Err(e)),
            }
        }
    }
}

/// The first `N` bytes of `bytes`, or `Truncated` naming `field`.
pub(crate) fn fixed<const N: usize>(
    bytes: &[u8],
    what: &'static str,
    field: &'static str,
) -> Result<[u8; N], ParseError> {
    crate::wire::Reader::new(bytes, what).array::<N>(field)
}

/// Writes an `N`-byte fixed layout: zeroed bytes, filled by `write_fields` (a
/// [`fixed_layout!`](crate::layout::fixed_layout) table's `write_fields`).
pub(crate) fn put_fixed<const N: usize>(w: &mut Writer<'_>, write_fields: impl FnOnce(&mut [u8])) {
    let mut b = [0u8; N];
    write_fields(&mut b);
    w.put(&b);
}

/// Byte `off`, or `Truncated` naming `field`.
pub(crate) fn byte_checked(
    bytes: &[u8],
    off: usize,
    what: &'static str,
    field: &'static str,
) -> Result<u8, ParseError> {
    bytes.get(off).copied().ok_or(ParseError::Truncated {
        what,
        field,
        need: off + 1,
        got: bytes.len(),
    })
}

/// Checks that a list of `list_len` bytes holds whole entries of `entry` bytes.
pub(crate) fn whole_entries(
    what: &'static str,
    field: &'static str,
    raw: usize,
    list_len: usize,
    entry: usize,
) -> Result<(), ParseError> {
    if entry == 0 || list_len % entry != 0 {
        Err(ParseError::BadLength {
            what,
            field,
            value: raw,
        })
    } else {
        Ok(())
    }
}

/// A length field value for an emitted list, saturating instead of wrapping.
pub(crate) fn len_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

pub(crate) fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
