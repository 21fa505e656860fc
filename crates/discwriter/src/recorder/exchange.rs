//! Sending commands: the one place the recorder talks to its transport, where each exchange
//! is logged and its sense read, and the two calls the engine sends through:
//! [`Recorder::command`] (a data phase and a [`Retry`] policy) and [`Recorder::query`] (a
//! typed response). The opcode an error names comes from the command's type.

use core::time::Duration;

use mmc_core::cdb::{CdbRepr, Command, Opcode};
use mmc_core::condition::{retry_class, RetryClass};
use mmc_core::response::ResponseFormat;
use mmc_core::sense::{Sense, SenseKey, SenseTriple};
use mmc_core::{Completion, DataPhase, ScsiStatus, Transport, TransportError};
use tracing::{debug, enabled, Level};

use super::timeouts::DEFAULT_TIMEOUT;
use super::wait::WaitTick;
use super::Recorder;
use crate::error::{DeviceCause, Error, Phase};

/// How a command ended at the drive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    Good {
        transferred: usize,
    },
    Check {
        triple: SenseTriple,
        /// Progress of a long operation (sense-key-specific or descriptor), as a fraction.
        progress: Option<f64>,
        retry: RetryClass,
        /// A deferred error (response code 71h/73h, SPC-5 4.4.1.6): it reports an earlier
        /// command (a WRITE whose data the drive could not record), not this one.
        deferred: bool,
        /// Bytes moved before the drive reported the condition.
        transferred: usize,
        /// The Information field when the sense marks it valid (SPC-5 4.4.2.1): for a
        /// WRITE, the first LBA the drive could not record.
        information: Option<u64>,
    },
}

/// What [`Recorder::command`] does with a CHECK CONDITION.
pub enum Retry<'p> {
    /// Sent once: a RECOVERED ERROR is success (SPC-5 4.4.3), any other sense is the error
    /// Microsoft's table gives it outside the write phase (E_FAIL when it has no row).
    Once,
    /// Transient conditions (becoming ready, long write in progress, unit attention) are
    /// waited out for at most `budget` of device time without progress (a long operation
    /// whose reported progress moves is waited for as long as it moves); other sense becomes
    /// the error of `phase`. `progress` hears the fraction done of a long operation and the
    /// device's clock after each wait.
    ///
    /// While writing (`Phase::Writing`), a reset (06/29) or a medium that may have changed
    /// (06/28) ends the command with its error instead of repeating it: after a reset the
    /// drive's cache, and the data it had acknowledged, are gone, and after a disc change
    /// the rest of the data would go onto another disc. A deferred error (SPC-5 4.4.1.6)
    /// reports data of an earlier WRITE the drive could not record, and is that WRITE's error
    /// whichever command hears it.
    Patiently {
        budget: Duration,
        phase: Phase,
        progress: &'p mut WaitTick<'p>,
    },
}

impl core::fmt::Debug for Retry<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Retry::Once => f.write_str("Once"),
            Retry::Patiently { budget, phase, .. } => f
                .debug_struct("Patiently")
                .field("budget", budget)
                .field("phase", phase)
                .finish_non_exhaustive(),
        }
    }
}

impl<T: Transport> Recorder<T> {
    /// Sends `cdb` with `data` (none, in or out) and the `retry` policy; returns the bytes
    /// moved.
    pub fn command<C: CdbRepr>(
        &mut self,
        cdb: &C,
        data: DataPhase<'_>,
        timeout: Duration,
        retry: Retry<'_>,
    ) -> Result<usize, Error> {
        match retry {
            Retry::Once => match self.answer(cdb, data, timeout)? {
                Answer::Good { transferred } => Ok(transferred),
                Answer::Check {
                    triple,
                    transferred,
                    ..
                } => sense_error(triple, C::OPCODE).map(|()| transferred),
            },
            Retry::Patiently {
                budget,
                phase,
                progress,
            } => self.patiently(cdb, data, timeout, budget, phase, progress),
        }
    }

    /// Sends `cdb` (a data-in command) with a buffer of the length it asks for, and parses
    /// the reply as `R`; a reply that does not parse is
    /// E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE.
    pub fn query<R: ResponseFormat>(&mut self, cdb: &impl CdbRepr) -> Result<R, Error> {
        let len = usize::try_from(cdb.expected_transfer().len()).unwrap_or(0);
        let mut buf = vec![0u8; len];
        let got = self.command(cdb, DataPhase::In(&mut buf), DEFAULT_TIMEOUT, Retry::Once)?;
        R::parse(buf.get(..got).unwrap_or(&[]))
            .map_err(|e| Error::invalid_response(opcode_of(cdb), e))
    }

    /// Sends `cdb` once and reports how it ended without turning sense into an error, for
    /// the few callers that read the sense themselves (`Err` only for transport failures and
    /// a CHECK CONDITION without usable sense).
    pub(crate) fn answer<C: CdbRepr>(
        &mut self,
        cdb: &C,
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Answer, Error> {
        let len = data.len();
        let c = exchange(&mut self.transport, &cdb.encode(), data, timeout)
            .map_err(|e| Error::from_transport(e, C::OPCODE))?;
        let transferred = c.transferred(len);
        if c.status == ScsiStatus::Good {
            return Ok(Answer::Good { transferred });
        }
        let sense = Sense::parse(&c.sense).ok();
        match sense.and_then(|s| s.triple()) {
            Some(triple) => Ok(Answer::Check {
                triple,
                progress: sense.and_then(|s| s.progress()),
                retry: sense.map_or(RetryClass::Fail, |s| retry_class(&s)),
                deferred: sense.is_some_and(|s| s.deferred),
                transferred,
                information: sense.and_then(|s| s.information),
            }),
            None => Err(Error::Fail {
                detail: format!("status {:02X}h without usable sense data", c.status.to_u8()),
                cause: Some(DeviceCause {
                    opcode: C::OPCODE,
                    sense: None,
                }),
            }),
        }
    }
}

/// The opcode of a typed CDB.
fn opcode_of<C: CdbRepr>(_: &C) -> Opcode {
    C::OPCODE
}

/// The error a CHECK CONDITION outside the write phase is (Microsoft's table; E_FAIL when it
/// has no row); `Ok` for a RECOVERED ERROR: the command did its work, the drive only tells
/// that it had to try harder (SPC-5 4.4.3), and libburn goes on too.
pub(crate) fn sense_error(triple: SenseTriple, opcode: Opcode) -> Result<(), Error> {
    if triple.key == SenseKey::RecoveredError {
        tracing::warn!(target: "discwriter::drive", "recovered error on {opcode}: {triple}");
        return Ok(());
    }
    match Error::from_sense(triple, opcode.to_u8(), Phase::Other) {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

/// Sends one command: the only place the recorder talks to its transport, and where each
/// exchange is logged.
pub(super) fn exchange<T: Transport>(
    transport: &mut T,
    cdb: &[u8],
    data: DataPhase<'_>,
    timeout: Duration,
) -> Result<Completion, TransportError> {
    let logging = enabled!(target: "discwriter::drive", Level::DEBUG);
    let (direction, len) = match &data {
        DataPhase::None => ("", 0),
        DataPhase::In(b) => (" in", b.len()),
        DataPhase::Out(b) => (" out", b.len()),
    };
    if logging {
        let opcode = Opcode::from_u8(cdb.first().copied().unwrap_or(0));
        match Command::decode(cdb) {
            Ok(command) => {
                debug!(target: "discwriter::drive", "-> {opcode}: {command:?}; {len} bytes{direction} [{}]", hex(cdb))
            }
            Err(e) => {
                debug!(target: "discwriter::drive", "-> {opcode} ({e}); {len} bytes{direction} [{}]", hex(cdb))
            }
        }
    }
    let result = transport.execute(cdb, data, timeout);
    if logging {
        match &result {
            Ok(c) if c.status == ScsiStatus::Good => {
                debug!(target: "discwriter::drive", "<- GOOD, {} bytes moved", c.transferred(len))
            }
            Ok(c) => match Sense::parse(&c.sense) {
                Ok(sense) => {
                    debug!(target: "discwriter::drive", "<- status {:02X}h: {sense} [{}]", c.status.to_u8(), hex(&c.sense))
                }
                Err(e) => {
                    debug!(target: "discwriter::drive", "<- status {:02X}h, sense not readable ({e}) [{}]", c.status.to_u8(), hex(&c.sense))
                }
            },
            Err(e) => debug!(target: "discwriter::drive", "<- no answer: {e}"),
        }
    }
    result
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}
