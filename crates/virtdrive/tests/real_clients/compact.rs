//! The compact form of a recorded transcript line whose data-out repeats one byte: a disc
//! formatted by libburn (cdrskin `blank=format_overwrite` writes its first 128 MiB of zeros)
//! would otherwise keep every byte of it in hex. Such a line holds `"data_out_fill": "00"`
//! instead of `"data_out"`; its `length` and `data_out_blake3` stay, so [`expand`] gives back
//! the line as recorded. Lines without the field are read as they are, so transcripts
//! recorded before this form replay unchanged.

#![allow(dead_code)] // transcripts_replay.rs reads, it does not record

use mmc_core::trace::TraceRecord;
use serde::Deserialize;
use serde_json::Value;

/// The field that replaces `data_out` when every byte of it is the same.
const FILL: &str = "data_out_fill";
/// Shorter data-out stays in full: a CDB-sized parameter list reads better spelled out.
const MIN_FILL: usize = 4096;

/// `line` (one JSON transcript record) with a data-out of one repeated byte, at least
/// [`MIN_FILL`] long, written as its fill; `None` when it has none such.
pub fn compact(line: &str) -> Option<String> {
    let mut record: Value = serde_json::from_str(line).ok()?;
    let data = record.get("data_out")?.as_str()?;
    let first = data.get(..2)?.to_string();
    let length = usize::try_from(record.get("length")?.as_u64()?).ok()?;
    let mut words = data.split(' ');
    let one_byte = words.clone().count() == length && words.all(|w| w == first);
    if length < MIN_FILL || !one_byte {
        return None;
    }
    let object = record.as_object_mut()?;
    object.remove("data_out");
    object.insert(FILL.to_string(), Value::String(first));
    serde_json::to_string(&record).ok()
}

/// The record on `line` and, when it holds a `data_out_fill`, the data-out it stands for (the
/// record's `length` bytes, which must have the recorded digest; the record's `data_out` is
/// then `None`). `Err` names what is wrong with the line.
pub fn read(line: &str) -> Result<(TraceRecord, Option<Vec<u8>>), String> {
    #[derive(Deserialize)]
    struct Fill {
        data_out_fill: Option<String>,
    }
    let record: TraceRecord = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let fill: Fill = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let Some(fill) = fill.data_out_fill else {
        return Ok((record, None));
    };
    let byte = u8::from_str_radix(&fill, 16)
        .map_err(|_| format!("{FILL} {fill:?} is not one hex byte"))?;
    let bytes = vec![byte; record.length];
    if record.data_out_blake3.as_deref() != Some(blake3::hash(&bytes).to_hex().as_str()) {
        return Err(format!("{FILL} {fill:?} differs from the recorded digest"));
    }
    Ok((record, Some(bytes)))
}
