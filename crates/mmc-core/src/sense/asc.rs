//! Names of additional sense codes (ASC/ASCQ), from the T10 list (SPC-5 / MMC-6 era).
//!
//! [`asc_description`] never allocates: it returns an [`AscDescription`] that borrows the static
//! table and formats the `NN` of range entries (40/NN, 41/NN, 42/NN, 4D/NN, 70/NN) only when
//! displayed.

use core::fmt;

use serde::{Serialize, Serializer};

use super::asc_table::{ASC_RANGES, ASC_TABLE};

/// An assignment T10 writes with `NN`: one ASC whose ASCQ carries a value (a component number,
/// a task tag, an algorithm id) over `first_ascq..=last_ascq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AscRange {
    pub asc: u8,
    pub first_ascq: u8,
    pub last_ascq: u8,
    /// The words before the value, e.g. "Diagnostic failure on component".
    pub before: &'static str,
    /// The words after the value (usually empty), e.g. ")".
    pub after: &'static str,
}

impl AscRange {
    /// Whether `asc`/`ascq` falls in this range.
    pub const fn contains(&self, asc: u8, ascq: u8) -> bool {
        asc == self.asc && ascq >= self.first_ascq && ascq <= self.last_ascq
    }
}

/// What an ASC/ASCQ pair means, ready to print (`Display`) without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AscDescription {
    /// A single assignment of the T10 list.
    Known(&'static str),
    /// A range assignment with its value, e.g. 40/85 "Diagnostic failure on component 85h".
    Range { range: &'static AscRange, value: u8 },
    /// SPC-4 4.5.2.1: ASC 80h-FFh, or ASCQ 80h-FFh under a standard ASC, are vendor specific.
    VendorSpecific { asc: u8, ascq: u8 },
    /// Not assigned in the list this table was made from (reserved, obsolete or newer).
    Unknown { asc: u8, ascq: u8 },
}

impl AscDescription {
    /// The static text of a single assignment (`None` for ranges and unknown codes).
    pub fn text(&self) -> Option<&'static str> {
        match self {
            AscDescription::Known(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the code is assigned by T10 (a single or a range entry).
    pub fn is_assigned(&self) -> bool {
        matches!(
            self,
            AscDescription::Known(_) | AscDescription::Range { .. }
        )
    }
}

impl fmt::Display for AscDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AscDescription::Known(s) => f.write_str(s),
            AscDescription::Range { range, value } => {
                write!(f, "{} {:02X}h{}", range.before, value, range.after)
            }
            AscDescription::VendorSpecific { asc, ascq } => {
                write!(f, "ASC 0x{asc:02X} ASCQ 0x{ascq:02X} (vendor specific)")
            }
            AscDescription::Unknown { asc, ascq } => {
                write!(f, "ASC 0x{asc:02X} ASCQ 0x{ascq:02X} (unknown)")
            }
        }
    }
}

impl Serialize for AscDescription {
    /// As the text a person reads (the CLI's JSON prints it next to the codes).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The description of `asc`/`ascq`: the T10 assignment, a range entry with its value, a
/// vendor-specific code, or an unknown one. Never allocates.
pub fn asc_description(asc: u8, ascq: u8) -> AscDescription {
    if let Ok(i) = ASC_TABLE.binary_search_by_key(&(asc, ascq), |&(a, q, _)| (a, q)) {
        if let Some(&(_, _, text)) = ASC_TABLE.get(i) {
            return AscDescription::Known(text);
        }
    }
    if let Some(range) = ASC_RANGES.iter().find(|r| r.contains(asc, ascq)) {
        return AscDescription::Range { range, value: ascq };
    }
    if asc >= 0x80 || ascq >= 0x80 {
        AscDescription::VendorSpecific { asc, ascq }
    } else {
        AscDescription::Unknown { asc, ascq }
    }
}

/// Every single assignment of the table, in (ASC, ASCQ) order: for tests and for listing.
pub fn asc_assignments() -> impl Iterator<Item = (u8, u8, &'static str)> {
    ASC_TABLE.iter().copied()
}

/// The range assignments (40/NN, 41/NN, 42/NN, 4D/NN, 70/NN).
pub fn asc_ranges() -> &'static [AscRange] {
    &ASC_RANGES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(ASC_TABLE
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
    }

    #[test]
    fn ranges_do_not_shadow_single_assignments() {
        for &(a, q, _) in ASC_TABLE.iter() {
            assert!(
                !ASC_RANGES.iter().any(|r| r.contains(a, q)),
                "{a:02X}/{q:02X}"
            );
        }
    }
}
