//! What a rule looks at: the command in front of the drive ([`CommandContext`]) and the
//! criteria a rule sets on it ([`RuleMatch`]). Every criterion given must hold; an absent one
//! holds for any command.

use core::fmt;
use core::time::Duration;

use mmc_core::cdb::Command;
use mmc_core::Opcode;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::fields;
use crate::clock::VirtualTime;
use crate::medium::MediumKind;

/// The command a plan is asked about, as the drive (or [`super::Faulty`]) sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandContext {
    pub opcode: Opcode,
    /// The blocks a READ (10/12), WRITE (10/12) or VERIFY (10) touches, first and last
    /// inclusive; `None` for every other command and for a transfer of zero blocks.
    pub lba_range: Option<(i64, i64)>,
    /// The virtual time at which the command arrives.
    pub now: VirtualTime,
    /// The disc in the drive, if any.
    pub medium: Option<MediumKind>,
}

impl CommandContext {
    /// A command without an LBA, at time zero, with no medium.
    pub const fn new(opcode: Opcode) -> Self {
        CommandContext {
            opcode,
            lba_range: None,
            now: VirtualTime::ZERO,
            medium: None,
        }
    }

    /// Reads the opcode and the block range from the CDB bytes; `None` for an empty CDB, which
    /// names no command. A CDB that does not decode keeps its opcode but has no block range.
    pub fn from_cdb(cdb: &[u8], now: VirtualTime, medium: Option<MediumKind>) -> Option<Self> {
        let opcode = Opcode::from_u8(*cdb.first()?);
        Some(CommandContext {
            opcode,
            lba_range: block_range(cdb),
            now,
            medium,
        })
    }

    pub const fn with_lba_range(mut self, first: i64, last: i64) -> Self {
        self.lba_range = Some((first, last));
        self
    }

    pub const fn at(mut self, now: VirtualTime) -> Self {
        self.now = now;
        self
    }

    pub const fn with_medium(mut self, medium: MediumKind) -> Self {
        self.medium = Some(medium);
        self
    }
}

/// The blocks a READ, WRITE or VERIFY CDB addresses, first and last inclusive; `None` for other
/// commands, malformed CDBs and zero-block transfers (which touch no block).
pub fn block_range(cdb: &[u8]) -> Option<(i64, i64)> {
    let (lba, blocks) = match Command::decode(cdb).ok()? {
        Command::Read10(c) => (c.lba, u32::from(c.blocks)),
        Command::Write10(c) => (c.lba, u32::from(c.blocks)),
        Command::Verify10(c) => (c.lba, u32::from(c.blocks)),
        Command::Read12(c) => (c.lba, c.blocks),
        Command::Write12(c) => (c.lba, c.blocks),
        _ => return None,
    };
    let first = i64::from(lba);
    // i32 + u32 always fits in i64.
    let last = first + i64::from(blocks) - 1;
    (blocks > 0).then_some((first, last))
}

/// Which occurrences of the command (1 for the first) a rule takes. The plan counts every
/// command it is asked about, per opcode when the rule names one, otherwise all commands.
///
/// JSON: `3` (the third only), `{"every": 5}` (5th, 10th, 15th, ...), `{"from": 100}` (the
/// 100th and every later one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Occurrence {
    Nth(u64),
    Every(u64),
    From(u64),
}

impl Occurrence {
    pub const fn matches(self, occurrence: u64) -> bool {
        match self {
            Occurrence::Nth(n) => occurrence == n,
            Occurrence::Every(n) => n != 0 && occurrence % n == 0,
            Occurrence::From(n) => occurrence >= n,
        }
    }

    /// The number in the rule (validated to be at least 1).
    pub const fn number(self) -> u64 {
        match self {
            Occurrence::Nth(n) | Occurrence::Every(n) | Occurrence::From(n) => n,
        }
    }
}

impl Serialize for Occurrence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Occurrence::Nth(n) => s.serialize_u64(n),
            Occurrence::Every(n) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("every", &n)?;
                m.end()
            }
            Occurrence::From(n) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("from", &n)?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Occurrence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Occurrence;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an occurrence: a number (1 = the first), {\"every\": N} or {\"from\": N}",
                )
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Occurrence, E> {
                Ok(Occurrence::Nth(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Occurrence, E> {
                u64::try_from(v)
                    .map(Occurrence::Nth)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Occurrence, A::Error> {
                let mut found = None;
                while let Some(key) = fields::next_key(&mut map)? {
                    let n: u64 = map.next_value()?;
                    let occurrence = match key.as_str() {
                        "every" => Occurrence::Every(n),
                        "from" => Occurrence::From(n),
                        other => return Err(de::Error::unknown_field(other, &["every", "from"])),
                    };
                    if found.replace(occurrence).is_some() {
                        return Err(de::Error::custom(
                            "give one of \"every\" or \"from\", not both",
                        ));
                    }
                }
                found.ok_or_else(|| de::Error::custom("expected \"every\" or \"from\""))
            }
        }
        d.deserialize_any(V)
    }
}

/// Blocks `first..=last`. A command matches when any block it touches is inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbaRange {
    pub first: i64,
    pub last: i64,
}

impl LbaRange {
    pub const fn new(first: i64, last: i64) -> Self {
        LbaRange { first, last }
    }

    /// True when the inclusive ranges share at least one block.
    pub const fn overlaps(self, first: i64, last: i64) -> bool {
        first <= self.last && self.first <= last && first <= last
    }
}

/// A window of virtual time: from `from` (inclusive) until `until` (exclusive), both measured
/// from the drive's start. JSON: `{"from": {"s": 2}, "until": {"ms": 2500}}`; either end may be
/// left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    #[serde(
        default,
        with = "fields::opt_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub from: Option<Duration>,
    #[serde(
        default,
        with = "fields::opt_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub until: Option<Duration>,
}

impl TimeWindow {
    pub fn contains(&self, now: VirtualTime) -> bool {
        let at = now.since(VirtualTime::ZERO);
        self.from.is_none_or(|from| at >= from) && self.until.is_none_or(|until| at < until)
    }
}

/// The criteria of one rule. JSON field names: `opcode`, `nth`, `lba`, `time`, `medium`,
/// `probability`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMatch {
    /// The command, by number or name (`"WRITE (10)"`, `"write10"`, `42`, `"0x2A"`).
    #[serde(
        default,
        with = "fields::opt_opcode",
        skip_serializing_if = "Option::is_none"
    )]
    pub opcode: Option<Opcode>,
    /// Which occurrences: of `opcode` when given, else of any command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<Occurrence>,
    /// Blocks the command must touch; a command without blocks never matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lba: Option<LbaRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeWindow>,
    /// The disc in the drive; with no disc, a rule naming a medium never matches.
    #[serde(
        default,
        with = "fields::opt_medium",
        skip_serializing_if = "Option::is_none"
    )]
    pub medium: Option<MediumKind>,
    /// Chance (0 to 1) that the rule fires when everything else matches, drawn from the plan's
    /// seeded generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

impl RuleMatch {
    /// Every criterion but the probability, which the plan draws; `occurrence` counts the
    /// commands this rule counts (see [`Occurrence`]).
    pub fn matches(&self, ctx: &CommandContext, occurrence: u64) -> bool {
        self.opcode.is_none_or(|op| op == ctx.opcode)
            && self.nth.is_none_or(|nth| nth.matches(occurrence))
            && self.lba.is_none_or(|range| {
                ctx.lba_range
                    .is_some_and(|(first, last)| range.overlaps(first, last))
            })
            && self.time.is_none_or(|window| window.contains(ctx.now))
            && self.medium.is_none_or(|m| ctx.medium == Some(m))
    }
}
