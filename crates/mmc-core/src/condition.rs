//! What sense data means to a writer: the IMAPI condition it maps to ([`classify`]) and
//! whether the command is worth repeating ([`retry_class`]).
//!
//! [`classify`] follows Microsoft's own sense -> HRESULT table, `GenericErrors[]` of the IMAPI2
//! sample's `TranslateSenseInfoToHResult()`: scanned top-down, first match wins, with rows that
//! apply only to one opcode. [`CLASSIFY_TABLE`] holds the rows in the published order so they
//! can be compared line by line. [`retry_class`] follows libburn's `scsi_error_msg()` and
//! Windows classpnp, with the differences noted on each rule.

use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::imapi::ImapiCode;
use crate::sense::{Sense, SenseKey, SenseKeySpecific, SenseTriple};

/// The condition a sense triple maps to, named after the IMAPI2 error it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// S_OK: no error (00/00/xx), or loss of streaming reported by SYNCHRONIZE CACHE.
    Success,
    MediaUpsideDown,
    MediaBecomingReady,
    NoMedia,
    FormatInProgress,
    MediaBusy,
    DvdStructureNotPresent,
    LossOfStreaming,
    MediaIncompatible,
    NoSuchModePage,
    InvalidModeParameters,
    WriteProtected,
    MediaSpeedMismatch,
    /// The table has no row for it: E_FAIL, or E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE when the
    /// engine meets it while writing (the engine decides; this crate does not know the phase).
    Unmapped,
}

impl Condition {
    /// Every condition, for tests and listings.
    pub const ALL: [Condition; 14] = [
        Condition::Success,
        Condition::MediaUpsideDown,
        Condition::MediaBecomingReady,
        Condition::NoMedia,
        Condition::FormatInProgress,
        Condition::MediaBusy,
        Condition::DvdStructureNotPresent,
        Condition::LossOfStreaming,
        Condition::MediaIncompatible,
        Condition::NoSuchModePage,
        Condition::InvalidModeParameters,
        Condition::WriteProtected,
        Condition::MediaSpeedMismatch,
        Condition::Unmapped,
    ];

    /// The IMAPI2 code the condition becomes. `Unmapped` is E_FAIL, what the table's caller
    /// returns outside the write phase.
    pub const fn code(self) -> ImapiCode {
        match self {
            Condition::Success => ImapiCode::Ok,
            Condition::MediaUpsideDown => ImapiCode::RecorderMediaUpsideDown,
            Condition::MediaBecomingReady => ImapiCode::RecorderMediaBecomingReady,
            Condition::NoMedia => ImapiCode::RecorderMediaNoMedia,
            Condition::FormatInProgress => ImapiCode::RecorderMediaFormatInProgress,
            Condition::MediaBusy => ImapiCode::RecorderMediaBusy,
            Condition::DvdStructureNotPresent => ImapiCode::RecorderDvdStructureNotPresent,
            Condition::LossOfStreaming => ImapiCode::LossOfStreaming,
            Condition::MediaIncompatible => ImapiCode::RecorderMediaIncompatible,
            Condition::NoSuchModePage => ImapiCode::RecorderNoSuchModePage,
            Condition::InvalidModeParameters => ImapiCode::RecorderInvalidModeParameters,
            Condition::WriteProtected => ImapiCode::RecorderMediaWriteProtected,
            Condition::MediaSpeedMismatch => ImapiCode::RecorderMediaSpeedMismatch,
            Condition::Unmapped => ImapiCode::Fail,
        }
    }

    /// The IMAPI2 name of [`Condition::code`], e.g. "E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN".
    pub const fn imapi_name(self) -> &'static str {
        self.code().name()
    }

    /// The HRESULT value of [`Condition::code`].
    pub const fn hresult(self) -> u32 {
        self.code().hresult()
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.imapi_name())
    }
}

/// One row of the classification table: each field matches one value, or any (`None`, the
/// 0xFF wildcard of Microsoft's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ClassifyRow {
    pub key: Option<u8>,
    pub asc: Option<u8>,
    pub ascq: Option<u8>,
    pub opcode: Option<u8>,
    pub condition: Condition,
}

impl ClassifyRow {
    /// Whether the row matches this triple and opcode.
    pub const fn matches(&self, t: SenseTriple, opcode: u8) -> bool {
        const fn field(want: Option<u8>, got: u8) -> bool {
            match want {
                Some(w) => w == got,
                None => true,
            }
        }
        field(self.key, t.key.to_u8())
            && field(self.asc, t.asc)
            && field(self.ascq, t.ascq)
            && field(self.opcode, opcode)
    }
}

const ANY: Option<u8> = None;

const fn row(
    key: Option<u8>,
    asc: Option<u8>,
    ascq: Option<u8>,
    opcode: Option<u8>,
    condition: Condition,
) -> ClassifyRow {
    ClassifyRow {
        key,
        asc,
        ascq,
        opcode,
        condition,
    }
}

/// Opcodes with rows of their own.
const SYNCHRONIZE_CACHE: u8 = 0x35;
const MODE_SELECT_10: u8 = 0x55;
const MODE_SENSE_10: u8 = 0x5A;
const READ_DISC_STRUCTURE: u8 = 0xAD;

/// Microsoft's table (`GenericErrors[]` of the IMAPI2 sample's sense translation), in its order, first match wins. Each line
/// reads `key / ASC / ASCQ, opcode -> condition`; the comment gives the row number of the
/// published table.
///
/// Row 2 is published as any/02/06 while its comment says "no reference position found",
/// which SPC assigns to ASC 06h ASCQ 00h: the row looks transposed. It is kept as published
/// (a drive may really send it), and row 2a adds NOT READY 06/00, which is what an upside-down
/// disc makes a drive report, and what the emulator raises for one.
///
/// Deliberately absent, as in Microsoft's table (commented out there, so E_FAIL): 08/xx/xx
/// blank check, 01/17/xx recovered data, 05/20/00 and 05/24/00 on other opcodes, 05/26/xx on
/// other opcodes, 06/28/01-02, 06/29/xx, 06/2A/xx, 05/2C/00, 06/2E/xx, xx/3E/xx, xx/57/00,
/// 05/64/00, 05/65/01, 05/6F/xx, xx/72/00-05, xx/73/00-02 and xx/73/04-06.
#[rustfmt::skip]
pub const CLASSIFY_TABLE: [ClassifyRow; 24] = {
    use Condition::*;
    const fn s(v: u8) -> Option<u8> { Some(v) }
    [
        /*  1 */ row(s(0x00), s(0x00), ANY,     ANY,                     Success),
        /*  2 */ row(ANY,     s(0x02), s(0x06), ANY,                     MediaUpsideDown),
        /* 2a */ row(s(0x02), s(0x06), s(0x00), ANY,                     MediaUpsideDown),
        /*  3 */ row(s(0x02), s(0x04), s(0x01), ANY,                     MediaBecomingReady),
        /*  4 */ row(s(0x02), s(0x04), s(0x03), ANY,                     NoMedia),
        /*  5 */ row(s(0x02), s(0x04), s(0x04), ANY,                     FormatInProgress),
        /*  6 */ row(s(0x02), s(0x04), s(0x07), ANY,                     MediaBusy),
        /*  7 */ row(s(0x02), s(0x04), s(0x08), ANY,                     MediaBusy),
        /*  8 */ row(s(0x02), s(0x04), ANY,     ANY,                     MediaBecomingReady),
        /*  9 */ row(s(0x02), s(0x30), ANY,     s(READ_DISC_STRUCTURE),  DvdStructureNotPresent),
        /* 10 */ row(s(0x03), s(0x0C), s(0x09), s(SYNCHRONIZE_CACHE),    Success),
        /* 11 */ row(s(0x03), s(0x0C), s(0x09), ANY,                     LossOfStreaming),
        /* 12 */ row(s(0x04), s(0x09), s(0x01), ANY,                     MediaUpsideDown),
        /* 13 */ row(s(0x04), s(0x09), s(0x02), ANY,                     MediaIncompatible),
        /* 14 */ row(s(0x05), s(0x20), s(0x00), s(READ_DISC_STRUCTURE),  DvdStructureNotPresent),
        /* 15 */ row(s(0x05), s(0x24), s(0x00), s(READ_DISC_STRUCTURE),  DvdStructureNotPresent),
        /* 16 */ row(s(0x05), s(0x30), s(0x02), s(READ_DISC_STRUCTURE),  DvdStructureNotPresent),
        /* 17 */ row(s(0x05), s(0x24), s(0x00), s(MODE_SENSE_10),        NoSuchModePage),
        /* 18 */ row(s(0x05), s(0x26), ANY,     s(MODE_SELECT_10),       InvalidModeParameters),
        /* 19 */ row(s(0x07), s(0x27), ANY,     ANY,                     WriteProtected),
        /* 20 */ row(s(0x06), s(0x28), s(0x00), ANY,                     MediaBecomingReady),
        /* 21 */ row(ANY,     s(0x30), ANY,     ANY,                     MediaIncompatible),
        /* 22 */ row(s(0x02), s(0x3A), ANY,     ANY,                     NoMedia),
        /* 23 */ row(ANY,     s(0x73), s(0x03), ANY,                     MediaSpeedMismatch),
    ]
};

/// The first row of [`CLASSIFY_TABLE`] that matches, with its index, for tracing why a sense
/// became a condition.
pub fn classify_row(triple: SenseTriple, opcode: u8) -> Option<(usize, &'static ClassifyRow)> {
    CLASSIFY_TABLE
        .iter()
        .enumerate()
        .find(|(_, r)| r.matches(triple, opcode))
}

/// The condition of `triple` reported for the command `opcode` (first matching row), or
/// [`Condition::Unmapped`].
pub fn classify(triple: SenseTriple, opcode: u8) -> Condition {
    classify_row(triple, opcode).map_or(Condition::Unmapped, |(_, r)| r.condition)
}

/// [`classify`] for parsed sense; sense cut before its ASC/ASCQ is `Unmapped`.
pub fn classify_sense(sense: &Sense<'_>, opcode: u8) -> Condition {
    sense
        .triple()
        .map_or(Condition::Unmapped, |t| classify(t, opcode))
}

/// What to do with the command that got this sense.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryClass {
    /// The command did its work (RECOVERED ERROR, or no sense at all): go on.
    Proceed,
    /// Issue the command again after about `delay` (the caller bounds the number of tries).
    RetryAfter { delay: Duration },
    /// A long operation is running; poll (TEST UNIT READY) until it ends. `progress` is the
    /// fraction done when the drive reports it (sense-key-specific progress with SKSV).
    WaitInProgress { progress: Option<f64> },
    /// Retrying will not help.
    Fail,
}

/// Suggested delay while a drive spins up: libburn's spc_wait_unit_attention polls twice a second.
pub const BECOMING_READY_DELAY: Duration = Duration::from_millis(500);
/// A unit attention is reported once; the repeated command normally succeeds at once.
pub const UNIT_ATTENTION_DELAY: Duration = Duration::from_millis(0);
/// An ABORTED COMMAND is usually a transport hiccup; a short pause before the retry.
pub const ABORTED_COMMAND_DELAY: Duration = Duration::from_millis(100);

/// The retry class of parsed sense (see [`retry_class_of`]); progress comes from the
/// sense-key-specific field or the progress indication descriptor.
pub fn retry_class(sense: &Sense<'_>) -> RetryClass {
    retry_class_of(
        sense.key,
        sense.asc,
        sense.ascq,
        sense.deferred,
        sense.progress(),
    )
}

/// The retry class of a sense triple with the progress fraction (if any) it came with.
pub fn retry_class_for(triple: SenseTriple, sks: Option<SenseKeySpecific>) -> RetryClass {
    retry_class_of(
        triple.key,
        Some(triple.asc),
        Some(triple.ascq),
        false,
        sks.and_then(SenseKeySpecific::progress_fraction),
    )
}

/// The rules, from key, ASC and ASCQ (each possibly missing from a cut buffer):
///
/// - **Proceed**: key 1 RECOVERED ERROR (libburn GO_ON: the command completed), and 00/00/00.
///   A NO SENSE buffer cut before its ASC also proceeds: the status said CHECK CONDITION but
///   the drive reported nothing wrong.
/// - **WaitInProgress**: 02/04/04 format, 02/04/07 operation, 02/04/08 long write in progress,
///   with the SKS progress. libburn keeps polling on these; Windows classpnp does not retry
///   04/04 and 04/08 by itself, leaving the wait to IMAPI (WaitForReadDiscInfo).
/// - **RetryAfter**: 02/04/01 becoming ready and 02/04/00 cause not reportable
///   ([`BECOMING_READY_DELAY`]; libburn tolerates 04/00 for 5 s from clueless adapters, classpnp
///   retries 04/01 and not 04/00), 06/28/00 medium may have changed and 06/29/xx reset
///   ([`UNIT_ATTENTION_DELAY`]; libburn retries ASC 28h and 29h), key 0Bh ABORTED COMMAND
///   ([`ABORTED_COMMAND_DELAY`]; classpnp retries it, libburn fails it).
/// - **Fail**: everything else, including 02/3A/xx no medium (libburn marks the drive empty,
///   classpnp answers ERROR_NOT_READY without retry), 02/04/02 and 02/04/03 (need a command or a
///   person), and libburn's other retried codes ASC 02h no seek complete and 08h communication
///   failure, which an MMC writer should report rather than hide. A deferred error (71h/73h)
///   reports an earlier command, so repeating the current one cannot fix it: Fail, unless it is
///   a recovered error.
pub fn retry_class_of(
    key: SenseKey,
    asc: Option<u8>,
    ascq: Option<u8>,
    deferred: bool,
    progress: Option<f64>,
) -> RetryClass {
    use RetryClass::*;
    match (key, asc, ascq) {
        (SenseKey::RecoveredError, _, _) => Proceed,
        _ if deferred => Fail,
        (SenseKey::NoSense, Some(0x00), Some(0x00)) | (SenseKey::NoSense, None, _) => Proceed,
        (SenseKey::NotReady, Some(0x04), Some(0x04 | 0x07 | 0x08)) => WaitInProgress { progress },
        (SenseKey::NotReady, Some(0x04), Some(0x00 | 0x01)) => RetryAfter {
            delay: BECOMING_READY_DELAY,
        },
        (SenseKey::UnitAttention, Some(0x28), Some(0x00))
        | (SenseKey::UnitAttention, Some(0x29), _) => RetryAfter {
            delay: UNIT_ATTENTION_DELAY,
        },
        (SenseKey::AbortedCommand, _, _) => RetryAfter {
            delay: ABORTED_COMMAND_DELAY,
        },
        _ => Fail,
    }
}
