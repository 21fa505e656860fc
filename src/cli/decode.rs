//! `discwriter sense` and `discwriter cdb`: decode bytes typed by a user.

use mmc_core::cdb::{Command, Transfer};
use mmc_core::condition::{classify_sense, retry_class, RetryClass};
use mmc_core::sense::{Sense, SenseDescriptor, SenseFormat, SenseKeySpecific};
use mmc_core::wire::parse_hex_words;
use serde_json::{json, Value};

use super::CliError;

fn bytes_of(words: &[String]) -> Result<Vec<u8>, CliError> {
    let bytes = parse_hex_words(words.iter().map(String::as_str))
        .map_err(|e| CliError::Input(e.to_string()))?;
    if bytes.is_empty() {
        return Err(CliError::Input("no bytes given".into()));
    }
    Ok(bytes)
}

fn retry_words(r: RetryClass) -> String {
    match r {
        RetryClass::Proceed => "proceed".into(),
        RetryClass::RetryAfter { delay } => format!("retry after {} ms", delay.as_millis()),
        RetryClass::WaitInProgress { progress: Some(p) } => {
            format!("wait: operation in progress, {:.2}% done", p * 100.0)
        }
        RetryClass::WaitInProgress { progress: None } => "wait: operation in progress".into(),
        RetryClass::Fail => "fail".into(),
    }
}

/// Decodes sense bytes; `opcode` is the command that received them, when known (some
/// conditions depend on it).
pub fn sense(words: &[String], opcode: Option<u8>, as_json: bool) -> Result<(), CliError> {
    let bytes = bytes_of(words)?;
    let sense = Sense::parse(&bytes).map_err(|e| CliError::Input(e.to_string()))?;
    let condition = classify_sense(&sense, opcode.unwrap_or(0));
    let retry = retry_class(&sense);
    if as_json {
        let mut v = serde_json::to_value(sense)
            .map_err(|e| CliError::Input(format!("cannot render the sense as JSON: {e}")))?;
        if let Value::Object(map) = &mut v {
            map.insert("current".into(), json!(!sense.deferred));
            map.insert("condition".into(), json!(condition.imapi_name()));
            map.insert(
                "hresult".into(),
                json!(format!("0x{:08X}", condition.hresult())),
            );
            map.insert(
                "retry".into(),
                serde_json::to_value(retry).unwrap_or(Value::Null),
            );
        }
        outln!("{v}");
        return Ok(());
    }
    let format = match sense.format {
        SenseFormat::Fixed => "Fixed",
        SenseFormat::Descriptor => "Descriptor",
    };
    let when = if sense.deferred {
        "deferred"
    } else {
        "current"
    };
    outln!(
        "{format} format, {when}; Sense key: {} ({:X}h)",
        sense.key.name(),
        sense.key.to_u8()
    );
    match (sense.asc, sense.ascq, sense.description()) {
        (Some(asc), Some(ascq), Some(d)) => {
            outln!("Additional sense: {d} (ASC {asc:02X}h, ASCQ {ascq:02X}h)")
        }
        (Some(asc), None, _) => {
            outln!("Additional sense: ASC {asc:02X}h (the ASCQ byte was not received)")
        }
        _ => outln!("Additional sense: not received"),
    }
    if sense.ili || sense.eom || sense.filemark {
        outln!(
            "  Flags:{}{}{}",
            if sense.filemark { " FILEMARK" } else { "" },
            if sense.eom { " EOM" } else { "" },
            if sense.ili { " ILI" } else { "" }
        );
    }
    if let Some(info) = sense.information {
        outln!("  Information: 0x{info:X} ({info})");
    }
    if let Some(cs) = sense.command_specific {
        outln!("  Command-specific information: 0x{cs:X}");
    }
    if let Some(sks) = sense.sense_key_specific {
        outln!("  Sense-key specific: {}", sks_words(sks));
    }
    if let Some(fru) = sense.fru {
        outln!("  Field replaceable unit code: 0x{fru:02X}");
    }
    if sense.format == SenseFormat::Descriptor {
        for d in sense.descriptors() {
            match d {
                Ok(d) => outln!(
                    "  Descriptor {:02X}h: {}",
                    d.descriptor_type(),
                    descriptor_words(&d)
                ),
                Err(e) => outln!("  Malformed descriptor: {e}"),
            }
        }
    }
    if sense.truncated {
        match sense.missing() {
            Some(n) => {
                outln!("  Truncated: {n} bytes fewer than the additional sense length says")
            }
            None => outln!("  Truncated: the buffer ends before the additional sense length"),
        }
    }
    outln!(
        "Condition: {} (0x{:08X}); retry class: {}",
        condition.imapi_name(),
        condition.hresult(),
        retry_words(retry)
    );
    Ok(())
}

fn sks_words(sks: SenseKeySpecific) -> String {
    match sks {
        SenseKeySpecific::FieldPointer { in_cdb, bit, byte } => {
            let place = if in_cdb {
                "the CDB"
            } else {
                "the parameter list"
            };
            match bit {
                Some(bit) => format!("error in {place} at byte {byte} bit {bit}"),
                None => format!("error in {place} at byte {byte}"),
            }
        }
        SenseKeySpecific::Progress(p) => {
            format!(
                "progress {:.2}% ({p}/65536)",
                f64::from(p) * 100.0 / 65536.0
            )
        }
        SenseKeySpecific::RetryCount(n) => format!("actual retry count {n}"),
        SenseKeySpecific::Raw([a, b, c]) => format!("{a:02X} {b:02X} {c:02X}"),
    }
}

fn descriptor_words(d: &SenseDescriptor<'_>) -> String {
    match d {
        SenseDescriptor::Information { valid, information } => {
            format!(
                "information 0x{information:X}{}",
                if *valid { "" } else { " (not valid)" }
            )
        }
        SenseDescriptor::CommandSpecific { information } => {
            format!("command-specific information 0x{information:X}")
        }
        SenseDescriptor::SenseKeySpecific {
            sense_key_specific: Some(s),
        } => format!("sense-key specific: {}", sks_words(*s)),
        SenseDescriptor::SenseKeySpecific {
            sense_key_specific: None,
        } => "sense-key specific (not valid)".into(),
        SenseDescriptor::FieldReplaceableUnit { code } => {
            format!("field replaceable unit 0x{code:02X}")
        }
        SenseDescriptor::StreamCommands { filemark, eom, ili } => {
            format!("stream commands: filemark={filemark} eom={eom} ili={ili}")
        }
        SenseDescriptor::BlockCommands { ili } => format!("block commands: ili={ili}"),
        SenseDescriptor::ProgressIndication(p) => {
            format!("progress of {}: {:.2}%", p.operation, p.fraction() * 100.0)
        }
        SenseDescriptor::Other {
            descriptor_type,
            bytes,
        } => format!(
            "type {descriptor_type:02X}h, {}",
            mmc_core::wire::hex(bytes)
        ),
    }
}

/// Decodes a CDB; a malformed one is an error carrying the sense a drive would answer.
pub fn cdb(words: &[String], as_json: bool) -> Result<(), CliError> {
    let bytes = bytes_of(words)?;
    let command = Command::decode(&bytes).map_err(|e| {
        let (triple, sks) = e.sense();
        let pointer = sks
            .map(|s| format!(", {}", sks_words(s)))
            .unwrap_or_default();
        CliError::Input(format!("{e}; a drive would answer {triple}{pointer}"))
    })?;
    let mut fields = serde_json::to_value(command)
        .map_err(|e| CliError::Input(format!("cannot render the CDB as JSON: {e}")))?;
    if let Value::Object(map) = &mut fields {
        map.remove("command");
    }
    let transfer = match command.expected_transfer() {
        Transfer::None => json!({"direction": "none", "bytes": 0}),
        Transfer::In(n) => json!({"direction": "in", "bytes": n}),
        Transfer::Out(n) => json!({"direction": "out", "bytes": n}),
    };
    if as_json {
        let v = json!({
            "command": command.name(),
            "opcode": command.opcode().to_u8(),
            "fields": fields,
            "transfer": transfer,
        });
        outln!("{v}");
        return Ok(());
    }
    outln!(
        "{} (opcode {:02X}h, {} bytes)",
        command.name(),
        command.opcode().to_u8(),
        bytes.len()
    );
    if let Value::Object(map) = &fields {
        let width = map.keys().map(String::len).max().unwrap_or(0);
        for (name, value) in map {
            outln!("  {name:<width$}  {}", plain(value));
        }
    }
    outln!(
        "  data phase: {} {} bytes",
        transfer
            .get("direction")
            .and_then(Value::as_str)
            .unwrap_or("none"),
        transfer.get("bytes").cloned().unwrap_or(Value::Null)
    );
    Ok(())
}

/// A JSON value as a reader wants it: strings unquoted, enums by name.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.len() == 1 => m
            .iter()
            .map(|(k, v)| format!("{k}({})", plain(v)))
            .collect::<String>(),
        other => other.to_string(),
    }
}
