//! Transcripts: [`Tracing`] records every command and its completion as JSON lines;
//! [`Replay`] answers from a recorded transcript, and [`replay_against`] feeds a transcript to
//! another transport and reports the first answer that differs.
//!
//! A transcript line holds the CDB, the data phase (bytes in hex up to a limit, always their
//! length and BLAKE3 digest), the status, sense and residual, or the transport error. The same
//! commands against a deterministic drive give byte-identical transcripts, which is what the
//! determinism and regression tests compare.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::transport::{Completion, DataPhase, Direction, ScsiStatus, Transport, TransportError};
use crate::wire::{hex, parse_hex_words};

/// One command and how it ended, as one JSON line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceRecord {
    /// 1 for the first command of the transcript.
    pub seq: u64,
    /// The command's name (`"WRITE (10)"`), for readers; not used when replaying.
    pub command: String,
    /// CDB bytes in hex.
    pub cdb: String,
    pub direction: Direction,
    /// Bytes offered for the data phase (the host's buffer length).
    pub length: usize,
    pub timeout_ms: u64,
    /// Data-out bytes in hex, when not longer than the recording limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_out: Option<String>,
    /// BLAKE3 of the data-out bytes (hex), always present for data-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_out_blake3: Option<String>,
    pub outcome: TraceOutcome,
}

/// How a recorded command ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceOutcome {
    Completed {
        /// SCSI status byte.
        status: u8,
        /// Sense bytes in hex (empty string when none).
        sense: String,
        residual: usize,
        /// Data-in bytes actually transferred, in hex, when not longer than the limit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data_in: Option<String>,
        /// BLAKE3 of the transferred data-in bytes, always present for data-in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data_in_blake3: Option<String>,
    },
    Failed(TransportError),
}

fn digest(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// The command's name for a transcript line.
fn command_name(cdb: &[u8]) -> String {
    match cdb.first() {
        Some(&op) => crate::cdb::Opcode::from_u8(op).name().to_string(),
        None => "(empty CDB)".to_string(),
    }
}

/// Records every command that passes through to `inner`.
pub struct Tracing<T: Transport> {
    inner: T,
    records: Vec<TraceRecord>,
    sink: Option<Box<dyn Write + Send>>,
    max_inline: usize,
    keep: bool,
    count: u64,
    sink_error: Option<io::Error>,
}

impl<T: Transport> std::fmt::Debug for Tracing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracing")
            .field("records", &self.records.len())
            .field("max_inline", &self.max_inline)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Tracing<T> {
    /// Data phases longer than this are recorded by length and digest only.
    pub const DEFAULT_MAX_INLINE: usize = 4096;

    /// Keeps the transcript in memory.
    pub fn new(inner: T) -> Self {
        Tracing {
            inner,
            records: Vec::new(),
            sink: None,
            max_inline: Self::DEFAULT_MAX_INLINE,
            keep: true,
            count: 0,
            sink_error: None,
        }
    }

    /// Writes each record as a JSON line to `sink` as it completes (and does not keep it in
    /// memory).
    pub fn to_writer(inner: T, sink: Box<dyn Write + Send>) -> Self {
        Tracing {
            sink: Some(sink),
            keep: false,
            ..Self::new(inner)
        }
    }

    /// Records data phases up to `bytes` long in full (`usize::MAX`: everything).
    pub fn with_max_inline(mut self, bytes: usize) -> Self {
        self.max_inline = bytes;
        self
    }

    pub fn records(&self) -> &[TraceRecord] {
        &self.records
    }

    pub fn inner(&self) -> &T {
        &self.inner
    }

    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// The wrapped transport and the records kept in memory.
    pub fn into_parts(self) -> (T, Vec<TraceRecord>) {
        (self.inner, self.records)
    }

    /// The first error writing to the sink, if any (recording goes on in memory regardless).
    pub fn sink_error(&self) -> Option<&io::Error> {
        self.sink_error.as_ref()
    }

    /// The transcript kept in memory as JSON lines.
    pub fn to_jsonl(&self) -> String {
        to_jsonl(&self.records)
    }

    fn inline(&self, bytes: &[u8]) -> Option<String> {
        (bytes.len() <= self.max_inline).then(|| hex(bytes))
    }
}

impl<T: Transport> Transport for Tracing<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let direction = data.direction();
        let length = data.len();
        let (data_out, data_out_blake3) = match &data {
            DataPhase::Out(b) => (self.inline(b), Some(digest(b))),
            _ => (None, None),
        };
        let (result, data_in) = match data {
            DataPhase::In(buf) => {
                let r = self.inner.execute(cdb, DataPhase::In(&mut *buf), timeout);
                let got = match &r {
                    Ok(c) => buf.get(..c.transferred(buf.len())).unwrap_or(&[]),
                    Err(_) => &[],
                };
                (r, Some((self.inline(got), digest(got))))
            }
            other => (self.inner.execute(cdb, other, timeout), None),
        };
        let outcome = match &result {
            Ok(c) => {
                let (data_in, data_in_blake3) = match data_in {
                    Some((inline, d)) => (inline, Some(d)),
                    None => (None, None),
                };
                TraceOutcome::Completed {
                    status: c.status.to_u8(),
                    sense: hex(&c.sense),
                    residual: c.residual,
                    data_in,
                    data_in_blake3,
                }
            }
            Err(e) => TraceOutcome::Failed(e.clone()),
        };
        let record = TraceRecord {
            seq: self.count + 1,
            command: command_name(cdb),
            cdb: hex(cdb),
            direction,
            length,
            timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            data_out,
            data_out_blake3,
            outcome,
        };
        if let Some(sink) = self.sink.as_mut() {
            let line = serde_json::to_string(&record).map_err(io::Error::other);
            let res = line.and_then(|l| writeln!(sink, "{l}"));
            if let (Err(e), None) = (res, &self.sink_error) {
                self.sink_error = Some(e);
            }
        }
        self.count += 1;
        if self.keep {
            self.records.push(record);
        }
        result
    }
    crate::forward_transport!(inner);
}

/// Renders records as JSON lines.
pub fn to_jsonl(records: &[TraceRecord]) -> String {
    let mut s = String::new();
    for r in records {
        if let Ok(line) = serde_json::to_string(r) {
            s.push_str(&line);
            s.push('\n');
        }
    }
    s
}

/// Why a transcript could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("transcript line {line}: {source}")]
    Json {
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("transcript line {line}: {field} is not hex: {detail}")]
    Hex {
        line: usize,
        field: &'static str,
        detail: String,
    },
    #[error("reading the transcript: {0}")]
    Io(#[from] io::Error),
}

/// Reads JSON-lines records (blank lines are skipped).
pub fn read_jsonl(input: impl BufRead) -> Result<Vec<TraceRecord>, TranscriptError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: TraceRecord =
            serde_json::from_str(&line).map_err(|source| TranscriptError::Json {
                line: i + 1,
                source,
            })?;
        out.push(rec);
    }
    Ok(out)
}

fn unhex(s: &str, line: usize, field: &'static str) -> Result<Vec<u8>, TranscriptError> {
    parse_hex_words([s]).map_err(|e| TranscriptError::Hex {
        line,
        field,
        detail: e.to_string(),
    })
}

/// A transport that answers from a recorded transcript: each command must be the next one
/// recorded (same CDB, direction, length and data-out), and gets the recorded answer.
#[derive(Debug)]
pub struct Replay {
    records: Vec<TraceRecord>,
    next: usize,
}

impl Replay {
    pub fn new(records: Vec<TraceRecord>) -> Self {
        Replay { records, next: 0 }
    }

    /// Commands not yet replayed.
    pub fn remaining(&self) -> usize {
        self.records.len().saturating_sub(self.next)
    }

    fn diverged(&self, what: String) -> TransportError {
        TransportError::Other(format!(
            "transcript diverged at command {}: {what}",
            self.next + 1
        ))
    }
}

impl Transport for Replay {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        _timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let Some(rec) = self.records.get(self.next).cloned() else {
            return Err(self.diverged(format!(
                "the transcript has ended, but {} was sent",
                hex(cdb)
            )));
        };
        if rec.cdb != hex(cdb) {
            return Err(self.diverged(format!("expected CDB {}, got {}", rec.cdb, hex(cdb))));
        }
        if rec.direction != data.direction() || rec.length != data.len() {
            return Err(self.diverged(format!(
                "expected a {:?} phase of {} bytes, got {:?} of {}",
                rec.direction,
                rec.length,
                data.direction(),
                data.len()
            )));
        }
        if let (DataPhase::Out(b), Some(d)) = (&data, &rec.data_out_blake3) {
            if &digest(b) != d {
                return Err(self.diverged("data-out differs from the recording".into()));
            }
        }
        let line = self.next + 1;
        self.next += 1;
        match rec.outcome {
            TraceOutcome::Failed(e) => Err(e),
            TraceOutcome::Completed {
                status,
                sense,
                residual,
                data_in,
                data_in_blake3,
            } => {
                let sense =
                    unhex(&sense, line, "sense").map_err(|e| self.diverged(e.to_string()))?;
                if let DataPhase::In(buf) = data {
                    match data_in {
                        Some(h) => {
                            let bytes = unhex(&h, line, "data_in")
                                .map_err(|e| self.diverged(e.to_string()))?;
                            let n = bytes.len().min(buf.len());
                            if let (Some(dst), Some(src)) = (buf.get_mut(..n), bytes.get(..n)) {
                                dst.copy_from_slice(src);
                            }
                        }
                        None if data_in_blake3.is_some() => {
                            return Err(self.diverged(
                                "the data-in of this command was recorded by digest only".into(),
                            ))
                        }
                        None => {}
                    }
                }
                Ok(Completion {
                    status: ScsiStatus::from_u8(status),
                    sense: crate::wire::SenseBytes::from_slice(&sense),
                    residual,
                })
            }
        }
    }
}

/// Where a transport's answer first differed from a transcript.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("command {seq} ({command}, CDB {cdb}): {what}")]
pub struct Divergence {
    pub seq: u64,
    pub command: String,
    pub cdb: String,
    pub what: String,
}

/// Sends every recorded command to `transport` and compares its answers with the recording
/// (status, sense, residual, data-in or its digest, transport errors). Data-out must have
/// been recorded in full.
pub fn replay_against<T: Transport>(
    transport: &mut T,
    records: &[TraceRecord],
) -> Result<(), Divergence> {
    for rec in records {
        let fail = |what: String| Divergence {
            seq: rec.seq,
            command: rec.command.clone(),
            cdb: rec.cdb.clone(),
            what,
        };
        let line = usize::try_from(rec.seq).unwrap_or(usize::MAX);
        let cdb = unhex(&rec.cdb, line, "cdb").map_err(|e| fail(e.to_string()))?;
        let timeout = Duration::from_millis(rec.timeout_ms);
        let mut in_buf = Vec::new();
        let out_bytes;
        let phase = match rec.direction {
            Direction::None => DataPhase::None,
            Direction::In => {
                in_buf = vec![0u8; rec.length];
                DataPhase::In(&mut in_buf)
            }
            Direction::Out => {
                let Some(h) = &rec.data_out else {
                    return Err(fail("its data-out was recorded by digest only".into()));
                };
                out_bytes = unhex(h, line, "data_out").map_err(|e| fail(e.to_string()))?;
                DataPhase::Out(&out_bytes)
            }
        };
        let got = transport.execute(&cdb, phase, timeout);
        match (&rec.outcome, got) {
            (TraceOutcome::Failed(want), Err(got)) if *want == got => {}
            (TraceOutcome::Failed(want), got) => {
                return Err(fail(format!("recorded {want:?}, got {got:?}")))
            }
            (TraceOutcome::Completed { .. }, Err(e)) => {
                return Err(fail(format!(
                    "recorded a completion, got transport error {e}"
                )))
            }
            (
                TraceOutcome::Completed {
                    status,
                    sense,
                    residual,
                    data_in,
                    data_in_blake3,
                },
                Ok(c),
            ) => {
                if c.status.to_u8() != *status {
                    return Err(fail(format!(
                        "status {:02X}, recorded {status:02X}",
                        c.status.to_u8()
                    )));
                }
                if hex(&c.sense) != *sense {
                    return Err(fail(format!(
                        "sense [{}], recorded [{sense}]",
                        hex(&c.sense)
                    )));
                }
                if c.residual != *residual {
                    return Err(fail(format!(
                        "residual {}, recorded {residual}",
                        c.residual
                    )));
                }
                let got = in_buf.get(..c.transferred(in_buf.len())).unwrap_or(&[]);
                if let Some(h) = data_in {
                    if hex(got) != *h {
                        return Err(fail("data-in differs from the recording".into()));
                    }
                } else if let Some(d) = data_in_blake3 {
                    if digest(got) != *d {
                        return Err(fail("data-in digest differs from the recording".into()));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
