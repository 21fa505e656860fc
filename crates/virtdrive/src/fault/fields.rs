//! How a fault plan spells opcodes, bytes, sense keys, media and durations in JSON.
//!
//! People write plans by hand, so each value accepts the spellings an engineer would type:
//! an opcode as a number or as its name in any of the usual forms (`"WRITE (10)"`,
//! `"WRITE(10)"`, `"write10"`, `"0x2A"`, `"2Ah"`), an ASC as a number or as hex text, a
//! duration in seconds, milliseconds or microseconds. Each value is written back in one
//! canonical spelling, which reads again as the same value.

use core::fmt;
use core::time::Duration;

use mmc_core::sense::SenseKey;
use mmc_core::Opcode;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::Deserialize;

use crate::medium::MediumKind;

/// Letters and digits of `text`, upper-cased: `"WRITE (10)"`, `"WRITE(10)"`, `"write10"` and
/// `"write_10"` all become `WRITE10`.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A byte written as hex text: `0x2A`, `0X2a` or `2Ah`. Plain digits are refused: `"12"` could
/// mean either base, and a JSON number says it without doubt.
fn parse_hex_byte(text: &str) -> Option<u8> {
    let t = text.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .or_else(|| t.strip_suffix('h'))
        .or_else(|| t.strip_suffix('H'))?;
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    u8::from_str_radix(digits, 16).ok()
}

/// The opcode a plan names: a command name as SPC/MMC print it or as mmc-core's serde names
/// it (punctuation, spaces and case do not matter), or the byte in hex (`0x2A`, `2Ah`).
pub fn opcode_from_name(text: &str) -> Option<Opcode> {
    let wanted = squeeze(text);
    if !wanted.is_empty() {
        let named = (0..=u8::MAX)
            .map(Opcode::from_u8)
            .find(|op| op.known_name().is_some_and(|name| squeeze(name) == wanted));
        if named.is_some() {
            return named;
        }
    }
    parse_hex_byte(text).map(Opcode::from_u8)
}

/// The sense key a plan names: a number 0-15 or a name (`"medium_error"`, `"MEDIUM ERROR"`).
fn sense_key_from_name(text: &str) -> Option<SenseKey> {
    let wanted = squeeze(text);
    (0..=0x0Fu8).map(SenseKey::from_u8).find(|key| {
        let serde_name = match key {
            // SenseKey::name() gives the SPC display names "Equal" and "Completed" for these.
            SenseKey::Equal => "obsolete",
            SenseKey::Completed => "reserved",
            other => other.name(),
        };
        squeeze(serde_name) == wanted || squeeze(key.name()) == wanted
    })
}

/// Accepts a JSON number in `0..=max` (as `u8`), or hex text when `hex_text` is set.
struct ByteVisitor {
    what: &'static str,
    max: u8,
    text: fn(&str) -> Option<u8>,
}

impl Visitor<'_> for ByteVisitor {
    type Value = u8;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.what)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u8, E> {
        match u8::try_from(v) {
            Ok(b) if b <= self.max => Ok(b),
            _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u8, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u8, E> {
        match (self.text)(v) {
            Some(b) if b <= self.max => Ok(b),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// A byte field (ASC, ASCQ): a number 0-255 or hex text; written back as `"0x0C"`.
pub(crate) mod byte {
    use super::*;

    pub fn serialize<S: Serializer>(v: &u8, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{v:02X}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        d.deserialize_any(ByteVisitor {
            what: "a byte: a number 0-255, or hex text such as \"0x0C\" or \"0Ch\"",
            max: u8::MAX,
            text: parse_hex_byte,
        })
    }
}

/// An optional opcode: a number or a name; written back as the SPC/MMC name, or as hex for an
/// opcode mmc-core does not name.
pub(crate) mod opt_opcode {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Opcode>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(op) => super::opcode::serialize(op, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Opcode>, D::Error> {
        super::opcode::deserialize(d).map(Some)
    }
}

/// An opcode: a number or a name; written back as the SPC/MMC name, or as hex.
pub(crate) mod opcode {
    use super::*;

    pub fn serialize<S: Serializer>(op: &Opcode, s: S) -> Result<S::Ok, S::Error> {
        match op.known_name() {
            Some(name) => s.serialize_str(name),
            None => s.serialize_str(&format!("0x{:02X}", op.to_u8())),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Opcode, D::Error> {
        d.deserialize_any(ByteVisitor {
            what: "an opcode: a number 0-255, a command name such as \"WRITE (10)\", \
                   or hex text such as \"0x2A\"",
            max: u8::MAX,
            text: |t| opcode_from_name(t).map(Opcode::to_u8),
        })
        .map(Opcode::from_u8)
    }
}

/// A list of opcodes, each spelled as [`opcode`] allows.
pub(crate) mod opcode_list {
    use super::*;
    use serde::ser::SerializeSeq;

    #[derive(Deserialize)]
    struct One(#[serde(with = "super::opcode")] Opcode);

    pub fn serialize<S: Serializer>(v: &[Opcode], s: S) -> Result<S::Ok, S::Error> {
        struct Named(Opcode);
        impl serde::Serialize for Named {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                super::opcode::serialize(&self.0, s)
            }
        }
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for op in v {
            seq.serialize_element(&Named(*op))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Opcode>, D::Error> {
        let list = Vec::<One>::deserialize(d)?;
        Ok(list.into_iter().map(|One(op)| op).collect())
    }
}

/// A sense key: a number 0-15 or its name; written back as the snake-case name.
pub(crate) mod sense_key {
    use super::*;

    pub fn serialize<S: Serializer>(key: &SenseKey, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(key, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SenseKey, D::Error> {
        d.deserialize_any(ByteVisitor {
            what: "a sense key: a number 0-15 or a name such as \"medium_error\"",
            max: 0x0F,
            text: |t| sense_key_from_name(t).map(SenseKey::to_u8),
        })
        .map(SenseKey::from_u8)
    }
}

/// The medium a disc is, by its command-line name (`"cd-r"`, `"dvd+rw"`, `"bd-re"`, ...).
pub(crate) mod opt_medium {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<MediumKind>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(kind) => s.serialize_str(kind.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MediumKind>, D::Error> {
        let text = String::deserialize(d)?;
        MediumKind::from_name(&text).map(Some).ok_or_else(|| {
            let names: Vec<&str> = MediumKind::ALL.iter().map(|k| k.name()).collect();
            de::Error::custom(format!(
                "unknown medium \"{text}\", expected one of {}",
                names.join(", ")
            ))
        })
    }
}

/// A span of virtual time: an object with exactly one of `s` (seconds, may be fractional),
/// `ms` or `us` (whole milliseconds or microseconds). Written back in the largest unit that
/// holds it exactly.
pub(crate) mod duration {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Spelled {
        s: Option<f64>,
        ms: Option<u64>,
        us: Option<u64>,
    }

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let mut map = s.serialize_map(Some(1))?;
        if us % 1_000_000 == 0 {
            map.serialize_entry("s", &(us / 1_000_000))?;
        } else if us % 1000 == 0 {
            map.serialize_entry("ms", &(us / 1000))?;
        } else {
            map.serialize_entry("us", &us)?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let spelled = Spelled::deserialize(d)?;
        match (spelled.s, spelled.ms, spelled.us) {
            (Some(s), None, None) => seconds(s).map_err(de::Error::custom),
            (None, Some(ms), None) => Ok(Duration::from_millis(ms)),
            (None, None, Some(us)) => Ok(Duration::from_micros(us)),
            _ => Err(de::Error::custom(
                "a duration needs exactly one of \"s\", \"ms\" or \"us\"",
            )),
        }
    }

    /// Seconds to whole microseconds, the virtual clock's unit.
    fn seconds(s: f64) -> Result<Duration, String> {
        // 1.8e13 s is about u64::MAX microseconds; beyond it the clock saturates anyway.
        if !s.is_finite() || !(0.0..=1.8e13).contains(&s) {
            return Err(format!(
                "{s} seconds is not a duration (it must be 0 or more)"
            ));
        }
        Ok(Duration::from_micros((s * 1e6).round() as u64))
    }
}

/// An optional [`duration`].
pub(crate) mod opt_duration {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => super::duration::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        super::duration::deserialize(d).map(Some)
    }
}

/// Any map key, for visitors that read objects field by field.
pub(crate) fn next_key<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    map.next_key::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcode_names_in_every_usual_spelling() {
        for text in [
            "WRITE (10)",
            "WRITE(10)",
            "write10",
            "write_10",
            "0x2A",
            "2Ah",
        ] {
            assert_eq!(opcode_from_name(text), Some(Opcode::Write10), "{text}");
        }
        assert_eq!(
            opcode_from_name("read_toc_pma_atip"),
            Some(Opcode::ReadTocPmaAtip)
        );
        assert_eq!(opcode_from_name("MODE SENSE (6)"), Some(Opcode::ModeSense6));
        assert_eq!(opcode_from_name("0xC5"), Some(Opcode::Unknown(0xC5)));
        assert_eq!(opcode_from_name("WRTIE(10)"), None);
        assert_eq!(opcode_from_name("42"), None);
        assert_eq!(opcode_from_name(""), None);
    }

    #[test]
    fn sense_keys_by_name_and_display_name() {
        assert_eq!(
            sense_key_from_name("medium_error"),
            Some(SenseKey::MediumError)
        );
        assert_eq!(
            sense_key_from_name("UNIT ATTENTION"),
            Some(SenseKey::UnitAttention)
        );
        assert_eq!(sense_key_from_name("reserved"), Some(SenseKey::Completed));
        assert_eq!(sense_key_from_name("bad"), None);
    }

    #[test]
    fn hex_bytes_need_a_marker() {
        assert_eq!(parse_hex_byte("0x0C"), Some(0x0C));
        assert_eq!(parse_hex_byte("0Ch"), Some(0x0C));
        assert_eq!(parse_hex_byte("0C"), None);
        assert_eq!(parse_hex_byte("0x100"), None);
        assert_eq!(parse_hex_byte("0x"), None);
    }
}
