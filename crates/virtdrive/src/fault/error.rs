//! Why a fault plan could not be loaded or used. Every message names where the plan came from
//! (the file, or `<string>`), the rule (`rules[2]`, counting from 0 as JSON arrays do) and the
//! field.

use std::io;
use std::path::{Path, PathBuf};

use super::action::ActionKind;
use super::plan::{FaultPlanSpec, InvalidValue};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FaultPlanError {
    /// The file could not be read.
    #[error("{}: cannot read the fault plan: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The text is not JSON, or does not fit the schema.
    #[error("{origin}: {field}: {message} (line {line}, column {column})")]
    Syntax {
        origin: String,
        /// The rule the problem is in, when it is inside one.
        rule: Option<usize>,
        /// Where in the document: `rules[2].match.opcode`, or `.` for the top level.
        field: String,
        message: String,
        line: usize,
        column: usize,
    },
    /// A value fits the schema but not its meaning (an empty LBA range, a probability of 2).
    #[error("{origin}: rules[{rule}].{field}: {message}")]
    Invalid {
        origin: String,
        rule: usize,
        field: String,
        message: String,
    },
    /// The plan has an action that only a drive can suffer, and [`super::Faulty::new`] was
    /// given another transport (a drive is wrapped with [`super::Faulty::for_drive`]).
    #[error(
        "rules[{rule}]: the action \"{action}\" changes the drive's clock, disc or state; \
         only the emulator (Faulty::for_drive) applies it, not a fault decorator over another transport"
    )]
    NeedsDrive { rule: usize, action: ActionKind },
}

impl FaultPlanError {
    /// The rule at fault, when the problem is inside one.
    pub fn rule(&self) -> Option<usize> {
        match self {
            FaultPlanError::Io { .. } => None,
            FaultPlanError::Syntax { rule, .. } => *rule,
            FaultPlanError::Invalid { rule, .. } | FaultPlanError::NeedsDrive { rule, .. } => {
                Some(*rule)
            }
        }
    }

    /// The field at fault, as a path inside the document (`rules[2].match.opcode`).
    pub fn field(&self) -> Option<String> {
        match self {
            FaultPlanError::Io { .. } => None,
            FaultPlanError::Syntax { field, .. } => Some(field.clone()),
            FaultPlanError::Invalid { rule, field, .. } => Some(format!("rules[{rule}].{field}")),
            FaultPlanError::NeedsDrive { rule, .. } => Some(format!("rules[{rule}].action")),
        }
    }
}

/// Parses and checks a plan's JSON; `origin` names it in errors.
pub(crate) fn parse_spec(text: &str, origin: &str) -> Result<FaultPlanSpec, FaultPlanError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: FaultPlanSpec = match serde_path_to_error::deserialize(&mut de) {
        Ok(spec) => spec,
        Err(e) => return Err(syntax_error(e, origin)),
    };
    // Trailing text after the plan's object is an error too, as in serde_json::from_str.
    if let Err(e) = de.end() {
        return Err(FaultPlanError::Syntax {
            origin: origin.to_string(),
            rule: None,
            field: ".".to_string(),
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        });
    }
    check_spec(&spec, origin)?;
    Ok(spec)
}

pub(crate) fn check_spec(spec: &FaultPlanSpec, origin: &str) -> Result<(), FaultPlanError> {
    spec.validate().map_err(
        |InvalidValue {
             rule,
             field,
             message,
         }| FaultPlanError::Invalid {
            origin: origin.to_string(),
            rule,
            field,
            message,
        },
    )
}

/// The largest fault plan file read.
const MAX_PLAN_BYTES: u64 = 16 << 20;

pub(crate) fn read_spec(path: &Path) -> Result<FaultPlanSpec, FaultPlanError> {
    use std::io::Read;
    let io = |source| FaultPlanError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A plan is a small JSON file; a bound keeps a mistaken path (/dev/zero, a disc image)
    // from being read until memory runs out.
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PLAN_BYTES + 1).read_to_string(&mut text))
        .map_err(io)?;
    if text.len() as u64 > MAX_PLAN_BYTES {
        return Err(io(std::io::Error::other(format!(
            "larger than {} MiB, which no fault plan is",
            MAX_PLAN_BYTES >> 20
        ))));
    }
    parse_spec(&text, &path.display().to_string())
}

fn syntax_error(e: serde_path_to_error::Error<serde_json::Error>, origin: &str) -> FaultPlanError {
    let rule = rule_of(e.path());
    let field = e.path().to_string();
    let inner = e.into_inner();
    // serde_json appends " at line L column C" to its message; the position has fields of
    // its own here.
    let message = strip_position(&inner.to_string());
    FaultPlanError::Syntax {
        origin: origin.to_string(),
        rule,
        field,
        message,
        line: inner.line(),
        column: inner.column(),
    }
}

/// The index after `rules` in a path such as `rules[2].match.opcode`.
fn rule_of(path: &serde_path_to_error::Path) -> Option<usize> {
    use serde_path_to_error::Segment;
    let mut segments = path.iter();
    match (segments.next(), segments.next()) {
        (Some(Segment::Map { key }), Some(Segment::Seq { index })) if key == "rules" => {
            Some(*index)
        }
        _ => None,
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message.get(..at).unwrap_or(message).to_string(),
        None => message.to_string(),
    }
}
