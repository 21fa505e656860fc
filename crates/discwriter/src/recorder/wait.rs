//! Waiting on a drive: a command repeated while the drive reports a transient condition
//! ([`super::Retry::Patiently`]), and TEST UNIT READY polls until the drive is ready or has
//! finished an Immed command.

use core::time::Duration;

use mmc_core::cdb::{CdbRepr, Opcode, TestUnitReady};
use mmc_core::condition::RetryClass;
use mmc_core::sense::SenseKey;
use mmc_core::{DataPhase, Transport};

use super::exchange::Answer;
use super::timeouts::DEFAULT_TIMEOUT;
use super::Recorder;
use crate::error::{DeviceCause, Error, Phase};

/// How long "no medium" in the polls after an Immed command is asked about again before the
/// wait counts as over (libburn tolerates a drive's unclear answers for 5 s).
const NO_MEDIUM_TOLERANCE: Duration = Duration::from_secs(5);

/// How often a busy drive is polled (libburn polls twice a second).
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Hears, while the engine waits on a long operation, the fraction done when the drive
/// reports it and the device's clock after each wait.
pub type WaitTick<'a> = dyn FnMut(Option<f64>, Option<Duration>) + 'a;

/// A sense that says "wait and ask again".
fn is_transient(retry: RetryClass) -> bool {
    matches!(
        retry,
        RetryClass::RetryAfter { .. } | RetryClass::WaitInProgress { .. }
    )
}

/// How long a WRITE the drive answered "busy, buffer full" (02/04/07, 02/04/08) waits before
/// it is sent again: libburn's 2 ms more per attempt up to 25 ms. Waiting half a second, as
/// for any other poll, lets the drive's buffer drain.
fn write_busy_delay(attempt: u32) -> Duration {
    Duration::from_millis(u64::from(attempt.saturating_mul(2).clamp(2, 25)))
}

/// How the engine waits for a ready drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Await {
    /// Poll and wait out transient conditions.
    Command,
    /// TEST UNIT READY polls after an Immed command (SYNCHRONIZE CACHE, CLOSE, FORMAT): a
    /// pause before the first poll; 02/3A (no medium) ends the wait, as libburn's
    /// spc_wait_unit_attention takes it (drives report it while finishing a close), and the
    /// next command finds out whether the disc is really gone.
    AfterImmed,
}

impl<T: Transport> Recorder<T> {
    /// [`Retry::Patiently`]: the command is sent again while the drive reports a transient
    /// condition. A RECOVERED ERROR is success.
    pub(super) fn patiently<C: CdbRepr>(
        &mut self,
        cdb: &C,
        mut data: DataPhase<'_>,
        timeout: Duration,
        budget: Duration,
        phase: Phase,
        progress: &mut WaitTick<'_>,
    ) -> Result<usize, Error> {
        let opcode = C::OPCODE;
        let is_write = matches!(
            opcode,
            Opcode::Write10 | Opcode::Write12 | Opcode::WriteAndVerify10
        );
        let len = data.len();
        let mut waited = Duration::ZERO;
        let mut best_progress: Option<f64> = None;
        let mut attempt = 0u32;
        loop {
            let phase_data = match &mut data {
                DataPhase::None => DataPhase::None,
                DataPhase::In(b) => DataPhase::In(b),
                DataPhase::Out(b) => DataPhase::Out(b),
            };
            let (triple, p, retry, deferred, information) =
                match self.answer(cdb, phase_data, timeout)? {
                    Answer::Good { transferred } => return Ok(transferred),
                    Answer::Check {
                        triple,
                        progress,
                        retry,
                        deferred,
                        information,
                        ..
                    } => (triple, progress, retry, deferred, information),
                };
            // RECOVERED ERROR, or NO SENSE: the command did its work (SPC-5 4.4.3).
            if retry == RetryClass::Proceed {
                tracing::warn!(target: "discwriter::drive", "{opcode} succeeded with {triple}");
                return Ok(len);
            }
            if deferred {
                return Err(Error::from_deferred_sense(triple, opcode.to_u8()));
            }
            let attention =
                triple.key == SenseKey::UnitAttention && matches!(triple.asc, 0x28 | 0x29);
            if phase == Phase::Writing && attention {
                return Err(Error::from_sense(triple, opcode.to_u8(), phase).unwrap_or(
                    Error::UnexpectedResponseFromDevice {
                        cause: DeviceCause {
                            opcode,
                            sense: Some(triple),
                        },
                        lba: None,
                    },
                ));
            }
            if is_transient(retry) && waited < budget {
                attempt = attempt.saturating_add(1);
                let delay = match retry {
                    RetryClass::RetryAfter { delay } if delay > Duration::ZERO => {
                        delay.min(POLL_INTERVAL)
                    }
                    RetryClass::RetryAfter { .. } => Duration::ZERO,
                    _ if is_write => write_busy_delay(attempt),
                    _ => POLL_INTERVAL,
                };
                self.pause(delay);
                progress(p, self.device_time());
                // An operation that moves gets as long as it needs: the budget counts the
                // time since its progress last moved.
                if let Some(now) = p {
                    if best_progress.is_none_or(|b| now > b) {
                        best_progress = Some(now);
                        waited = Duration::ZERO;
                    }
                }
                // A unit attention is reported once; count it as a short wait so a
                // drive that repeats it forever still ends the loop.
                waited += delay.max(Duration::from_millis(10));
                continue;
            }
            return match Error::from_sense(triple, opcode.to_u8(), phase) {
                None => Ok(0),
                // A WRITE's error names the sector the drive could not record.
                Some(Error::UnexpectedResponseFromDevice { cause, .. }) if is_write => {
                    Err(Error::UnexpectedResponseFromDevice {
                        cause,
                        lba: information,
                    })
                }
                Some(e) => Err(e),
            };
        }
    }

    /// Polls TEST UNIT READY until the drive is ready (after a disc change, at the start of a
    /// write), for at most `budget`.
    pub(crate) fn wait_until_ready(
        &mut self,
        budget: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        self.await_ready(Await::Command, budget, progress)
    }

    /// Polls TEST UNIT READY after an Immed command until the drive has finished it, for at
    /// most `budget` without progress.
    pub(crate) fn wait_after_immed(
        &mut self,
        budget: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        self.await_ready(Await::AfterImmed, budget, progress)
    }

    fn await_ready(
        &mut self,
        how: Await,
        budget: Duration,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        if how == Await::AfterImmed {
            self.pause(POLL_INTERVAL);
        }
        let mut no_medium = Duration::ZERO;
        loop {
            let polled = self.patiently(
                &TestUnitReady,
                DataPhase::None,
                DEFAULT_TIMEOUT,
                budget,
                Phase::Other,
                progress,
            );
            match polled {
                // "No medium" while a close finishes: asked again for a while (the drive may
                // go on to "in progress", which is then waited for), and after that the
                // wait is over; the next command finds out whether the disc is gone.
                Err(Error::NoMedia { .. }) if how == Await::AfterImmed => {
                    if no_medium >= NO_MEDIUM_TOLERANCE {
                        return Ok(());
                    }
                    self.pause(POLL_INTERVAL);
                    no_medium += POLL_INTERVAL;
                }
                other => return other.map(|_| ()),
            }
        }
    }

    /// Sends an Immed command (SYNCHRONIZE CACHE, CLOSE TRACK/SESSION) patiently in the write
    /// phase, then polls until the drive has finished it.
    pub(crate) fn run_immediate<C: CdbRepr>(
        &mut self,
        cdb: &C,
        timeouts: &super::Timeouts,
        progress: &mut WaitTick<'_>,
    ) -> Result<(), Error> {
        self.patiently(
            cdb,
            DataPhase::None,
            timeouts.immediate,
            timeouts.long_operation,
            Phase::Writing,
            progress,
        )?;
        self.wait_after_immed(timeouts.long_operation, progress)
    }
}
