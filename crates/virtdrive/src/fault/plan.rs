//! The JSON schema of a fault plan ([`FaultPlanSpec`], [`FaultRule`], [`Times`]) and the checks
//! of the values serde alone cannot make.
//!
//! ```json
//! {
//!   "description": "the third WRITE (10) fails with a write error",
//!   "seed": 7,
//!   "rules": [
//!     { "match": { "opcode": "WRITE (10)", "nth": 3 },
//!       "action": { "sense": { "key": 3, "asc": "0x0C", "ascq": 0 } },
//!       "times": "once" }
//!   ]
//! }
//! ```

use core::fmt;

use mmc_core::sense::{SenseFormat, SenseKeySpecific};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::action::{FaultAction, MAX_CORRUPT_BITS};
use super::condition::DriveCondition;
use super::matcher::RuleMatch;

/// A whole plan as written in a file: rules in order of precedence, and the seed of the
/// generator that probability rules and `corrupt_data_in` draw from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlanSpec {
    /// What the plan is for, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: u64,
    pub rules: Vec<FaultRule>,
}

/// One rule: when the command matches, the action replaces the drive's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// A label for transcripts and error messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The criteria; an absent `match` matches every command.
    #[serde(rename = "match", default)]
    pub matcher: RuleMatch,
    pub action: FaultAction,
    /// How many times the rule may fire; `always` when absent.
    #[serde(default)]
    pub times: Times,
}

impl FaultRule {
    pub fn new(matcher: RuleMatch, action: FaultAction) -> Self {
        FaultRule {
            name: None,
            matcher,
            action,
            times: Times::Always,
        }
    }

    pub fn times(mut self, times: Times) -> Self {
        self.times = times;
        self
    }
}

/// How many times a rule may fire. JSON: `"once"`, `"always"`, or a number of times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Times {
    #[default]
    Always,
    /// At most this many times (1 is `"once"`).
    Count(u64),
}

impl Times {
    pub const ONCE: Times = Times::Count(1);

    /// True when a rule that fired `fired` times may fire again.
    pub const fn allows(self, fired: u64) -> bool {
        match self {
            Times::Always => true,
            Times::Count(n) => fired < n,
        }
    }
}

impl Serialize for Times {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Times::Always => s.serialize_str("always"),
            Times::Count(1) => s.serialize_str("once"),
            Times::Count(n) => s.serialize_u64(n),
        }
    }
}

impl<'de> Deserialize<'de> for Times {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Times;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"once\", \"always\" or a number of times")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Times, E> {
                Ok(Times::Count(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Times, E> {
                u64::try_from(v)
                    .map(Times::Count)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Times, E> {
                match v {
                    "once" => Ok(Times::ONCE),
                    "always" => Ok(Times::Always),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A value serde accepted but the plan cannot use: the rule (0 for the first), the field's
/// path inside the rule (`match.lba`), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub rule: usize,
    pub field: String,
    pub message: String,
}

impl FaultPlanSpec {
    /// Checks every rule; the first problem found, in rule order.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        for (index, rule) in self.rules.iter().enumerate() {
            rule.validate().map_err(|(field, message)| InvalidValue {
                rule: index,
                field: field.to_string(),
                message,
            })?;
        }
        Ok(())
    }
}

impl FaultRule {
    fn validate(&self) -> Result<(), (&'static str, String)> {
        let m = &self.matcher;
        if let Some(nth) = m.nth {
            if nth.number() == 0 {
                return Err((
                    "match.nth",
                    "occurrences count from 1 (the first command is 1)".into(),
                ));
            }
        }
        if let Some(lba) = m.lba {
            if lba.first > lba.last {
                return Err((
                    "match.lba",
                    format!(
                        "the range {}..={} is empty: \"first\" must not exceed \"last\"",
                        lba.first, lba.last
                    ),
                ));
            }
        }
        if let Some(window) = m.time {
            if let (Some(from), Some(until)) = (window.from, window.until) {
                if from >= until {
                    return Err((
                        "match.time",
                        format!("the window from {from:?} until {until:?} is empty"),
                    ));
                }
            }
        }
        if let Some(p) = m.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err((
                    "match.probability",
                    format!("{p} is not a probability (0 to 1)"),
                ));
            }
        }
        if let Times::Count(0) = self.times {
            return Err((
                "times",
                "0 times would never fire; remove the rule or give at least 1".into(),
            ));
        }
        self.validate_action()
    }

    fn validate_action(&self) -> Result<(), (&'static str, String)> {
        match &self.action {
            FaultAction::Sense(sense) => {
                if sense.format == SenseFormat::Fixed {
                    // SPC-4 4.5.3: fixed format has four bytes for each of these fields.
                    let too_wide = |v: Option<u64>| v.is_some_and(|v| v > u64::from(u32::MAX));
                    if too_wide(sense.information) {
                        return Err((
                            "action.sense.information",
                            "fixed format holds 32 bits; use \"format\": \"descriptor\"".into(),
                        ));
                    }
                    if too_wide(sense.command_specific) {
                        return Err((
                            "action.sense.command_specific",
                            "fixed format holds 32 bits; use \"format\": \"descriptor\"".into(),
                        ));
                    }
                }
                if let Some(SenseKeySpecific::FieldPointer { bit: Some(bit), .. }) = sense.sks {
                    if bit > 7 {
                        return Err((
                            "action.sense.sks",
                            format!("bit {bit} of a byte: the bit pointer is 0 to 7"),
                        ));
                    }
                }
                if let Some(SenseKeySpecific::Raw([b0, _, _])) = sense.sks {
                    if b0 & 0x80 != 0 {
                        return Err((
                            "action.sense.sks",
                            "raw bytes exclude the SKSV bit (bit 7 of the first byte), \
                             which is always set"
                                .into(),
                        ));
                    }
                }
                Ok(())
            }
            FaultAction::CorruptDataIn { bits } => {
                if *bits == 0 || *bits > MAX_CORRUPT_BITS {
                    return Err((
                        "action.corrupt_data_in.bits",
                        format!("{bits} bits: flip 1 to {MAX_CORRUPT_BITS}"),
                    ));
                }
                Ok(())
            }
            FaultAction::DriveCondition(DriveCondition::ExclusiveAccess { owner, .. })
                if owner.is_empty() =>
            {
                Err((
                    "action.drive_condition.exclusive_access.owner",
                    "name the client that holds the drive".into(),
                ))
            }
            _ => Ok(()),
        }
    }
}
