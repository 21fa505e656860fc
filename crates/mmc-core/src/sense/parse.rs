//! Parsing sense data (SPC-4 4.5): fixed format (70h current, 71h deferred) and descriptor
//! format (72h current, 73h deferred) into one [`Sense`] view, without allocating.
//!
//! A drive's sense buffer is untrusted twice over: the host may have cut it (SG_IO `sb_len_wr`),
//! and its ADDITIONAL SENSE LENGTH may promise more than was sent. [`Sense::parse`] reads what is
//! there, as Linux's `scsi_normalize_sense` does: the length field bounds the fields that are
//! valid, the bytes received bound what is read, and [`Sense::truncated`] says when the two
//! disagree.

use core::fmt;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::asc::{asc_description, AscDescription};
use super::codes::{SenseKey, SenseKeySpecific, SenseTriple};
use super::descriptor::{HexStr, ProgressIndication, SenseDescriptor, SenseDescriptors};
use crate::wire::ParseError;

const WHAT: &str = "sense data";

/// Response codes (SPC-4 4.5.1, table 26).
pub mod response_code {
    pub const FIXED_CURRENT: u8 = 0x70;
    pub const FIXED_DEFERRED: u8 = 0x71;
    pub const DESCRIPTOR_CURRENT: u8 = 0x72;
    pub const DESCRIPTOR_DEFERRED: u8 = 0x73;
}

/// Byte offsets of the fixed format (SPC-4 4.5.3, table 36).
mod fixed {
    pub const FLAGS_KEY: usize = 2;
    pub const INFORMATION: usize = 3;
    pub const ADDITIONAL_LENGTH: usize = 7;
    pub const COMMAND_SPECIFIC: usize = 8;
    pub const ASC: usize = 12;
    pub const ASCQ: usize = 13;
    pub const FRU: usize = 14;
    pub const SENSE_KEY_SPECIFIC: usize = 15;
    /// First byte after the standard fields (additional sense bytes).
    pub const END: usize = 18;
}

/// Byte offsets of the descriptor format header (SPC-4 4.5.2, table 28).
mod desc {
    pub const KEY: usize = 1;
    pub const ASC: usize = 2;
    pub const ASCQ: usize = 3;
    pub const ADDITIONAL_LENGTH: usize = 7;
    pub const DESCRIPTORS: usize = 8;
}

/// The two layouts of sense data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SenseFormat {
    /// 70h/71h: fields at fixed offsets, 4-byte INFORMATION.
    Fixed,
    /// 72h/73h: an 8-byte header and a list of descriptors.
    Descriptor,
}

/// Sense data of either format, as far as the received bytes go.
///
/// Fields the bytes did not reach are `None` (or `false`); `truncated` says whether bytes were
/// missing. Fixed format reports a zero COMMAND-SPECIFIC INFORMATION field and a zero FRU code as
/// `None` (SPC-4: zero means "none"); descriptor format reports exactly the descriptors present.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sense<'a> {
    /// Byte 0 bits 6-0 (70h-73h).
    pub response_code: u8,
    pub format: SenseFormat,
    /// 71h/73h: the error belongs to an earlier command (e.g. a buffered WRITE).
    pub deferred: bool,
    pub key: SenseKey,
    /// The additional sense code, when received.
    pub asc: Option<u8>,
    /// The additional sense code qualifier, when received.
    pub ascq: Option<u8>,
    /// INFORMATION (e.g. the failing LBA), when marked VALID.
    pub information: Option<u64>,
    pub command_specific: Option<u64>,
    /// The sense-key-specific field, when SKSV is set.
    pub sense_key_specific: Option<SenseKeySpecific>,
    /// Field replaceable unit code, when non-zero.
    pub fru: Option<u8>,
    /// Fixed byte 2 bit 7, or the stream commands descriptor.
    pub filemark: bool,
    /// Fixed byte 2 bit 6, or the stream commands descriptor.
    pub eom: bool,
    /// Fixed byte 2 bit 5, or the stream or block commands descriptor.
    pub ili: bool,
    /// The progress indication descriptor (descriptor format only).
    pub progress_indication: Option<ProgressIndication>,
    /// ADDITIONAL SENSE LENGTH as received (byte 7), `None` when the buffer stops before it.
    pub additional_length: Option<u8>,
    /// The number of bytes received.
    pub received: usize,
    /// Fewer bytes were received than the header and ADDITIONAL SENSE LENGTH describe, or the
    /// buffer stops before the length byte.
    pub truncated: bool,
    /// The first malformed descriptor, if any (descriptor format; see [`Sense::descriptors`]).
    pub descriptor_error: Option<ParseError>,
    /// Fixed: the additional sense bytes after byte 17. Descriptor: the descriptor area.
    /// Both cut to the additional sense length and to the bytes received.
    tail: &'a [u8],
}

impl<'a> Sense<'a> {
    /// Parses sense data. Needs the response code and the sense key (3 bytes of fixed format,
    /// 2 of descriptor format); everything after is read as far as the bytes go.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let Some(&b0) = bytes.first() else {
            return Err(ParseError::Truncated {
                what: WHAT,
                field: "response code",
                need: 1,
                got: 0,
            });
        };
        match b0 & 0x7F {
            response_code::FIXED_CURRENT | response_code::FIXED_DEFERRED => {
                Self::parse_fixed(bytes, b0)
            }
            response_code::DESCRIPTOR_CURRENT | response_code::DESCRIPTOR_DEFERRED => {
                Self::parse_descriptor(bytes, b0)
            }
            other => Err(ParseError::InvalidValue {
                what: WHAT,
                field: "response code",
                value: u32::from(other),
            }),
        }
    }

    /// The usable bytes: all received bytes, cut to header + ADDITIONAL SENSE LENGTH when the
    /// length byte arrived. Returns (usable, additional_length, truncated).
    fn bounded(bytes: &[u8], header: usize) -> (&[u8], Option<u8>, bool) {
        match bytes.get(header - 1) {
            Some(&len) => {
                let stated = header + usize::from(len);
                let usable = bytes.get(..stated).unwrap_or(bytes);
                (usable, Some(len), bytes.len() < stated)
            }
            None => (bytes, None, true),
        }
    }

    fn parse_fixed(bytes: &'a [u8], b0: u8) -> Result<Self, ParseError> {
        let Some(&flags) = bytes.get(fixed::FLAGS_KEY) else {
            return Err(ParseError::Truncated {
                what: WHAT,
                field: "sense key",
                need: fixed::FLAGS_KEY + 1,
                got: bytes.len(),
            });
        };
        let key = SenseKey::from_u8(flags);
        let (b, additional_length, truncated) = Self::bounded(bytes, fixed::ADDITIONAL_LENGTH + 1);
        let be32 = |off: usize| -> Option<u32> {
            match b.get(off..off + 4)? {
                [a, b, c, d] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
                _ => None,
            }
        };
        // SPC-4 4.5.3: INFORMATION is meaningful only with VALID (byte 0 bit 7) set.
        let information = if b0 & 0x80 != 0 {
            be32(fixed::INFORMATION).map(u64::from)
        } else {
            None
        };
        let sense_key_specific = match b.get(fixed::SENSE_KEY_SPECIFIC..fixed::END) {
            Some(&[s0, s1, s2]) => SenseKeySpecific::decode(key, [s0, s1, s2]),
            _ => None,
        };
        Ok(Sense {
            response_code: b0 & 0x7F,
            format: SenseFormat::Fixed,
            deferred: b0 & 0x7F == response_code::FIXED_DEFERRED,
            key,
            asc: b.get(fixed::ASC).copied(),
            ascq: b.get(fixed::ASCQ).copied(),
            information,
            command_specific: be32(fixed::COMMAND_SPECIFIC)
                .filter(|&v| v != 0)
                .map(u64::from),
            sense_key_specific,
            fru: b.get(fixed::FRU).copied().filter(|&v| v != 0),
            filemark: flags & 0x80 != 0,
            eom: flags & 0x40 != 0,
            ili: flags & 0x20 != 0,
            progress_indication: None,
            additional_length,
            received: bytes.len(),
            truncated,
            descriptor_error: None,
            tail: b.get(fixed::END..).unwrap_or(&[]),
        })
    }

    fn parse_descriptor(bytes: &'a [u8], b0: u8) -> Result<Self, ParseError> {
        let Some(&k) = bytes.get(desc::KEY) else {
            return Err(ParseError::Truncated {
                what: WHAT,
                field: "sense key",
                need: desc::KEY + 1,
                got: bytes.len(),
            });
        };
        let key = SenseKey::from_u8(k);
        let (b, additional_length, truncated) = Self::bounded(bytes, desc::ADDITIONAL_LENGTH + 1);
        let tail = b.get(desc::DESCRIPTORS..).unwrap_or(&[]);
        // Collected apart and moved into the result once: building the whole view first and
        // updating it descriptor by descriptor costs a copy of it, more than the parse itself.
        let d = FromDescriptors::collect(SenseDescriptors::new(tail, key));
        Ok(Sense {
            response_code: b0 & 0x7F,
            format: SenseFormat::Descriptor,
            deferred: b0 & 0x7F == response_code::DESCRIPTOR_DEFERRED,
            key,
            asc: b.get(desc::ASC).copied(),
            ascq: b.get(desc::ASCQ).copied(),
            information: d.information,
            command_specific: d.command_specific,
            sense_key_specific: d.sense_key_specific,
            fru: d.fru,
            filemark: d.filemark,
            eom: d.eom,
            ili: d.ili,
            progress_indication: d.progress_indication,
            additional_length,
            received: bytes.len(),
            truncated,
            descriptor_error: d.error,
            tail,
        })
    }

    /// Key, ASC and ASCQ, when all three were received.
    pub fn triple(&self) -> Option<SenseTriple> {
        Some(SenseTriple {
            key: self.key,
            asc: self.asc?,
            ascq: self.ascq?,
        })
    }

    /// The description of the ASC/ASCQ, when both were received.
    pub fn description(&self) -> Option<AscDescription> {
        Some(asc_description(self.asc?, self.ascq?))
    }

    /// The descriptors (descriptor format; empty for fixed format).
    pub fn descriptors(&self) -> SenseDescriptors<'a> {
        match self.format {
            SenseFormat::Descriptor => SenseDescriptors::new(self.tail, self.key),
            SenseFormat::Fixed => SenseDescriptors::empty(self.key),
        }
    }

    /// Fixed format: the additional sense bytes after byte 17 (vendor or command set specific).
    /// Descriptor format: the raw descriptor area.
    pub fn additional_bytes(&self) -> &'a [u8] {
        self.tail
    }

    /// Bytes announced by ADDITIONAL SENSE LENGTH but not received (`None` when the length byte
    /// itself was not received).
    pub fn missing(&self) -> Option<usize> {
        let header = match self.format {
            SenseFormat::Fixed => fixed::ADDITIONAL_LENGTH + 1,
            SenseFormat::Descriptor => desc::ADDITIONAL_LENGTH + 1,
        };
        self.additional_length
            .map(|len| (header + usize::from(len)).saturating_sub(self.received))
    }

    /// Fraction done of a long operation: the sense-key-specific progress (NOT READY / NO
    /// SENSE with SKSV), else the progress indication descriptor.
    #[inline]
    pub fn progress(&self) -> Option<f64> {
        self.sense_key_specific
            .and_then(SenseKeySpecific::progress_fraction)
            .or_else(|| self.progress_indication.map(|p| p.fraction()))
    }
}

/// The fields of [`Sense`] that descriptor format carries in descriptors.
#[derive(Default)]
struct FromDescriptors {
    information: Option<u64>,
    command_specific: Option<u64>,
    sense_key_specific: Option<SenseKeySpecific>,
    fru: Option<u8>,
    filemark: bool,
    eom: bool,
    ili: bool,
    progress_indication: Option<ProgressIndication>,
    error: Option<ParseError>,
}

impl FromDescriptors {
    fn collect(descriptors: SenseDescriptors<'_>) -> Self {
        let mut f = FromDescriptors::default();
        // The first descriptor of each type wins (SPC-4 allows one of each).
        let mut seen_information = false;
        let mut seen_sks = false;
        for d in descriptors {
            match d {
                Ok(SenseDescriptor::Information { valid, information }) if !seen_information => {
                    seen_information = true;
                    f.information = valid.then_some(information);
                }
                Ok(SenseDescriptor::CommandSpecific { information }) => {
                    f.command_specific.get_or_insert(information);
                }
                Ok(SenseDescriptor::SenseKeySpecific { sense_key_specific }) if !seen_sks => {
                    seen_sks = true;
                    f.sense_key_specific = sense_key_specific;
                }
                Ok(SenseDescriptor::FieldReplaceableUnit { code }) if code != 0 => {
                    f.fru.get_or_insert(code);
                }
                Ok(SenseDescriptor::StreamCommands { filemark, eom, ili }) => {
                    f.filemark |= filemark;
                    f.eom |= eom;
                    f.ili |= ili;
                }
                Ok(SenseDescriptor::BlockCommands { ili }) => f.ili |= ili,
                Ok(SenseDescriptor::ProgressIndication(p)) => {
                    f.progress_indication.get_or_insert(p);
                }
                Ok(_) => {}
                Err(e) => {
                    f.error.get_or_insert(e);
                }
            }
        }
        f
    }
}

impl fmt::Display for Sense<'_> {
    /// One line, in the words of `sg_decode_sense`: format, key, ASC/ASCQ and its description.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.format {
            SenseFormat::Fixed => "Fixed",
            SenseFormat::Descriptor => "Descriptor",
        };
        let when = if self.deferred { "deferred" } else { "current" };
        write!(f, "{format} format, {when}; Sense key: {}", self.key.name())?;
        if let (Some(asc), Some(ascq)) = (self.asc, self.ascq) {
            write!(f, "; {asc:02X}/{ascq:02X} {}", asc_description(asc, ascq))?;
        }
        if let Some(info) = self.information {
            write!(f, "; information 0x{info:X}")?;
        }
        if let Some(p) = self.progress() {
            write!(f, "; progress {:.1}%", p * 100.0)?;
        }
        if self.truncated {
            f.write_str(" (truncated)")?;
        }
        Ok(())
    }
}

/// One entry of the serialized descriptor list: a descriptor, or the error that ended the list.
enum DescriptorEntry<'a> {
    Descriptor(SenseDescriptor<'a>),
    Error(ParseError),
}

impl Serialize for DescriptorEntry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            DescriptorEntry::Descriptor(d) => d.serialize(s),
            DescriptorEntry::Error(e) => {
                let mut st = s.serialize_struct("DescriptorError", 1)?;
                st.serialize_field("error", &SerializeDisplay(e))?;
                st.end()
            }
        }
    }
}

struct SerializeDisplay<T>(T);

impl<T: fmt::Display> Serialize for SerializeDisplay<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

struct DescriptorList<'a>(SenseDescriptors<'a>);

impl Serialize for DescriptorList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for d in self.0.clone() {
            seq.serialize_element(&match d {
                Ok(d) => DescriptorEntry::Descriptor(d),
                Err(e) => DescriptorEntry::Error(e),
            })?;
        }
        seq.end()
    }
}

impl Serialize for Sense<'_> {
    /// Every field by name (snake_case), plus the ASC/ASCQ description and the descriptor list.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Sense", 22)?;
        st.serialize_field("response_code", &self.response_code)?;
        st.serialize_field("format", &self.format)?;
        st.serialize_field("deferred", &self.deferred)?;
        st.serialize_field("sense_key", &self.key.to_u8())?;
        st.serialize_field("sense_key_name", self.key.name())?;
        st.serialize_field("asc", &self.asc)?;
        st.serialize_field("ascq", &self.ascq)?;
        st.serialize_field("description", &self.description())?;
        st.serialize_field("information", &self.information)?;
        st.serialize_field("command_specific", &self.command_specific)?;
        st.serialize_field("sense_key_specific", &self.sense_key_specific)?;
        st.serialize_field("fru", &self.fru)?;
        st.serialize_field("filemark", &self.filemark)?;
        st.serialize_field("eom", &self.eom)?;
        st.serialize_field("ili", &self.ili)?;
        st.serialize_field("progress_indication", &self.progress_indication)?;
        st.serialize_field("additional_length", &self.additional_length)?;
        st.serialize_field("received", &self.received)?;
        st.serialize_field("truncated", &self.truncated)?;
        st.serialize_field("missing", &self.missing())?;
        st.serialize_field("descriptors", &DescriptorList(self.descriptors()))?;
        st.serialize_field(
            "additional_bytes",
            &SerializeDisplay(HexStr(self.additional_bytes())),
        )?;
        st.end()
    }
}
