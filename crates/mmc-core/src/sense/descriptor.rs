//! Sense data descriptors (SPC-4 4.5.2): the typed entries after the 8-byte header of
//! descriptor-format sense, read by an iterator that never allocates and never reads past the
//! bytes received.

use serde::Serialize;

use super::codes::{SenseKey, SenseKeySpecific, SenseTriple};
use crate::wire::ParseError;
use descriptor_type as t;

const WHAT: &str = "sense data descriptor";

/// Descriptor type codes (SPC-4 table 29).
pub mod descriptor_type {
    pub const INFORMATION: u8 = 0x00;
    pub const COMMAND_SPECIFIC: u8 = 0x01;
    pub const SENSE_KEY_SPECIFIC: u8 = 0x02;
    pub const FIELD_REPLACEABLE_UNIT: u8 = 0x03;
    pub const STREAM_COMMANDS: u8 = 0x04;
    pub const BLOCK_COMMANDS: u8 = 0x05;
    pub const PROGRESS_INDICATION: u8 = 0x0A;
}

/// The progress indication descriptor (SPC-4 4.5.2.6, type 0Ah): how far a long operation
/// has come, with the sense that operation would report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct ProgressIndication {
    /// The sense key, ASC and ASCQ of the operation in progress (e.g. 02/04/04 for a format).
    pub operation: SenseTriple,
    /// Fraction done in 1/65536.
    pub progress: u16,
}

impl ProgressIndication {
    /// Progress as a fraction in 0.0..1.0.
    pub fn fraction(&self) -> f64 {
        f64::from(self.progress) / 65536.0
    }
}

/// One sense data descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum SenseDescriptor<'a> {
    /// 00h: the INFORMATION field (e.g. the failing LBA), and its VALID bit.
    Information { valid: bool, information: u64 },
    /// 01h: command-specific information.
    CommandSpecific { information: u64 },
    /// 02h: the sense-key-specific bytes; `None` when SKSV is 0.
    SenseKeySpecific {
        sense_key_specific: Option<SenseKeySpecific>,
    },
    /// 03h: the field replaceable unit code.
    FieldReplaceableUnit { code: u8 },
    /// 04h: FILEMARK, EOM and ILI of the stream commands (SSC).
    StreamCommands {
        filemark: bool,
        eom: bool,
        ili: bool,
    },
    /// 05h: ILI of the block commands (SBC).
    BlockCommands { ili: bool },
    /// 0Ah: progress of an operation.
    ProgressIndication(ProgressIndication),
    /// Any other type, kept as received (the bytes after the two-byte header).
    Other {
        descriptor_type: u8,
        #[serde(serialize_with = "serialize_hex")]
        bytes: &'a [u8],
    },
}

pub(crate) fn serialize_hex<S: serde::Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&HexStr(bytes))
}

/// Bytes shown as space-separated hex pairs, without allocating.
pub(crate) struct HexStr<'a>(pub(crate) &'a [u8]);

impl core::fmt::Display for HexStr<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl<'a> SenseDescriptor<'a> {
    /// Decodes one descriptor from its type, the key of the sense it belongs to (which gives the
    /// meaning of the sense-key-specific bytes), and the bytes after its two-byte header.
    ///
    /// A known type whose additional length is shorter than its layout is `BadLength`; a longer
    /// one is accepted (later revisions may extend a descriptor).
    #[inline]
    pub fn decode(type_code: u8, key: SenseKey, body: &'a [u8]) -> Result<Self, ParseError> {
        let short = |field| short_descriptor(field, body.len());
        Ok(match type_code {
            // SPC-4 4.5.2.2: b2 bit 7 VALID, b3 reserved, b4-11 INFORMATION.
            t::INFORMATION => match body {
                [flags, _, i0, i1, i2, i3, i4, i5, i6, i7, ..] => SenseDescriptor::Information {
                    valid: flags & 0x80 != 0,
                    information: u64::from_be_bytes([*i0, *i1, *i2, *i3, *i4, *i5, *i6, *i7]),
                },
                _ => return Err(short("information descriptor additional length")),
            },
            // SPC-4 4.5.2.3: b2-3 reserved, b4-11 COMMAND-SPECIFIC INFORMATION.
            t::COMMAND_SPECIFIC => match body {
                [_, _, i0, i1, i2, i3, i4, i5, i6, i7, ..] => SenseDescriptor::CommandSpecific {
                    information: u64::from_be_bytes([*i0, *i1, *i2, *i3, *i4, *i5, *i6, *i7]),
                },
                _ => return Err(short("command-specific descriptor additional length")),
            },
            // SPC-4 4.5.2.4: b2-3 reserved, b4-6 the sense-key-specific bytes (SKSV in b4 bit 7).
            t::SENSE_KEY_SPECIFIC => match body {
                [_, _, s0, s1, s2, ..] => SenseDescriptor::SenseKeySpecific {
                    sense_key_specific: SenseKeySpecific::decode(key, [*s0, *s1, *s2]),
                },
                _ => return Err(short("sense-key-specific descriptor additional length")),
            },
            // SPC-4 4.5.2.5: b2 reserved, b3 FRU code.
            t::FIELD_REPLACEABLE_UNIT => match body {
                [_, code, ..] => SenseDescriptor::FieldReplaceableUnit { code: *code },
                _ => return Err(short("FRU descriptor additional length")),
            },
            // SSC-4 4.2.22: b2 reserved, b3 bit 7 FILEMARK, bit 6 EOM, bit 5 ILI.
            t::STREAM_COMMANDS => match body {
                [_, flags, ..] => SenseDescriptor::StreamCommands {
                    filemark: flags & 0x80 != 0,
                    eom: flags & 0x40 != 0,
                    ili: flags & 0x20 != 0,
                },
                _ => return Err(short("stream commands descriptor additional length")),
            },
            // SBC-3 4.18.2: b2 reserved, b3 bit 5 ILI.
            t::BLOCK_COMMANDS => match body {
                [_, flags, ..] => SenseDescriptor::BlockCommands {
                    ili: flags & 0x20 != 0,
                },
                _ => return Err(short("block commands descriptor additional length")),
            },
            // SPC-4 4.5.2.6: b2 sense key, b3 ASC, b4 ASCQ, b5 reserved, b6-7 PROGRESS INDICATION.
            t::PROGRESS_INDICATION => match body {
                [k, asc, ascq, _, p0, p1, ..] => {
                    SenseDescriptor::ProgressIndication(ProgressIndication {
                        operation: SenseTriple::new(*k, *asc, *ascq),
                        progress: u16::from_be_bytes([*p0, *p1]),
                    })
                }
                _ => return Err(short("progress indication descriptor additional length")),
            },
            other => SenseDescriptor::Other {
                descriptor_type: other,
                bytes: body,
            },
        })
    }

    /// The descriptor type code.
    pub fn descriptor_type(&self) -> u8 {
        match self {
            SenseDescriptor::Information { .. } => t::INFORMATION,
            SenseDescriptor::CommandSpecific { .. } => t::COMMAND_SPECIFIC,
            SenseDescriptor::SenseKeySpecific { .. } => t::SENSE_KEY_SPECIFIC,
            SenseDescriptor::FieldReplaceableUnit { .. } => t::FIELD_REPLACEABLE_UNIT,
            SenseDescriptor::StreamCommands { .. } => t::STREAM_COMMANDS,
            SenseDescriptor::BlockCommands { .. } => t::BLOCK_COMMANDS,
            SenseDescriptor::ProgressIndication(_) => t::PROGRESS_INDICATION,
            SenseDescriptor::Other {
                descriptor_type, ..
            } => *descriptor_type,
        }
    }
}

/// A known descriptor type with fewer bytes than its layout (kept out of line: parsing is on
/// the hot path of every CHECK CONDITION, this error is not).
#[cold]
fn short_descriptor(field: &'static str, len: usize) -> ParseError {
    ParseError::BadLength {
        what: WHAT,
        field,
        value: len,
    }
}

/// Iterator over the descriptors of descriptor-format sense data (bytes 8 onwards, already cut to
/// the additional sense length and to the bytes received).
///
/// Yields `Err` for a descriptor whose layout is too short (and goes on with the next one, since
/// its length is known), and a final `Err` when a descriptor header or body runs past the end
/// (after which it yields nothing).
#[derive(Debug, Clone)]
pub struct SenseDescriptors<'a> {
    rest: &'a [u8],
    key: SenseKey,
    offset: usize,
    done: bool,
}

impl<'a> SenseDescriptors<'a> {
    /// Descriptors in `area`, the bytes from offset 8 of the sense data; `key` is the sense key
    /// of the header (it gives the meaning of sense-key-specific bytes).
    pub fn new(area: &'a [u8], key: SenseKey) -> Self {
        SenseDescriptors {
            rest: area,
            key,
            offset: 8,
            done: false,
        }
    }

    /// The rest of the area is shorter than the `need` bytes the next descriptor takes.
    #[cold]
    fn truncated(&self, field: &'static str, need: usize) -> ParseError {
        ParseError::Truncated {
            what: WHAT,
            field,
            need: self.offset + need,
            got: self.offset + self.rest.len(),
        }
    }

    /// An iterator that yields nothing (fixed-format sense has no descriptors).
    pub fn empty(key: SenseKey) -> Self {
        SenseDescriptors {
            rest: &[],
            key,
            offset: 8,
            done: true,
        }
    }
}

impl<'a> Iterator for SenseDescriptors<'a> {
    type Item = Result<SenseDescriptor<'a>, ParseError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.rest.is_empty() {
            return None;
        }
        let (descriptor_type, len, after_header) = match self.rest {
            [t, len, after @ ..] => (*t, usize::from(*len), after),
            _ => {
                self.done = true;
                return Some(Err(self.truncated("descriptor header", 2)));
            }
        };
        let Some((body, rest)) = after_header.split_at_checked(len) else {
            self.done = true;
            return Some(Err(self.truncated("descriptor additional length", 2 + len)));
        };
        self.rest = rest;
        self.offset += 2 + len;
        Some(SenseDescriptor::decode(descriptor_type, self.key, body))
    }
}

impl core::iter::FusedIterator for SenseDescriptors<'_> {}
