//! [`Faulty`]: a fault plan applied to any transport, as a decorator (smoltcp's
//! `FaultInjector` over any device is the model). A real drive behind SG_IO, a transcript
//! replay or the emulator itself can be made to fail the same way.

use core::fmt;
use core::time::Duration;

use mmc_core::{Completion, DataPhase, Transport, TransportError};

use super::action::{Fault, FaultAction};
use super::error::FaultPlanError;
use super::matcher::CommandContext;
use super::FaultPlan;
use crate::clock::VirtualTime;
use crate::medium::MediumKind;

/// Wraps `inner` and applies a plan's transport-level actions to the commands that pass:
///
/// | action | what the host sees | does `inner` get the command? |
/// |---|---|---|
/// | `sense` | CHECK CONDITION with the sense, all data as residual | only with `executed` |
/// | `timeout_before` | `TransportError::Timeout` | no |
/// | `timeout_after` | `TransportError::Timeout` | yes (its answer is discarded) |
/// | `device_gone` | `TransportError::DeviceGone`, now and for every later command | no |
/// | `short_transfer` | `inner`'s answer, with only the first N bytes moved | yes (data-out: the first N bytes) |
/// | `corrupt_data_in` | `inner`'s answer, with bits flipped in the data-in | yes |
/// | `drop_write` | GOOD; data-in: nothing transferred | no |
///
/// `delay`, `power_loss` and `drive_condition` change the drive's clock, disc or state:
/// the emulator applies them itself, and [`Faulty::new`] refuses a plan that has them.
///
/// `Faulty` has no clock: time windows are matched against the time its `now` callback gives
/// (zero unless [`Faulty::with_clock`] sets one), and a medium rule only matches when
/// [`Faulty::with_medium`] names the disc.
pub struct Faulty<T: Transport> {
    inner: T,
    plan: FaultPlan,
    now: Box<dyn FnMut() -> VirtualTime + Send>,
    medium: Option<MediumKind>,
    fired: Vec<FiredFault>,
}

/// A fault that `Faulty` applied, for tests and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredFault {
    /// 1 for the first command that passed through.
    pub command: u64,
    pub fault: Fault,
}

impl<T: Transport> Faulty<T> {
    /// Wraps `inner` with `plan`; fails, naming the rule, when the plan has an action only the
    /// emulator can apply.
    pub fn new(inner: T, plan: FaultPlan) -> Result<Self, FaultPlanError> {
        if let Some((rule, kind)) = plan
            .rules()
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.action.kind()))
            .find(|(_, kind)| kind.needs_drive())
        {
            return Err(FaultPlanError::NeedsDrive { rule, action: kind });
        }
        Ok(Faulty {
            inner,
            plan,
            now: Box::new(|| VirtualTime::ZERO),
            medium: None,
            fired: Vec::new(),
        })
    }

    /// The virtual time that `time` rules are matched against, asked once per command.
    pub fn with_clock(mut self, now: impl FnMut() -> VirtualTime + Send + 'static) -> Self {
        self.now = Box::new(now);
        self
    }

    /// The disc `medium` rules are matched against.
    pub fn with_medium(mut self, medium: Option<MediumKind>) -> Self {
        self.medium = medium;
        self
    }

    pub fn inner(&self) -> &T {
        &self.inner
    }

    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    pub fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    /// Faults applied so far, in order.
    pub fn fired(&self) -> &[FiredFault] {
        &self.fired
    }

    pub fn into_parts(self) -> (T, FaultPlan) {
        (self.inner, self.plan)
    }

    fn apply(
        &mut self,
        fault: &Fault,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let offered = data.len();
        match &fault.action {
            FaultAction::Sense(sense) => {
                let residual = if sense.executed {
                    self.inner.execute(cdb, data, timeout)?.residual
                } else {
                    offered
                };
                Ok(Completion::check_condition(&sense.to_bytes(), residual))
            }
            FaultAction::TimeoutBefore => Err(TransportError::Timeout),
            FaultAction::TimeoutAfter => {
                // The command took effect; only its answer is lost. A transport failure of
                // the inner device itself (it vanished) is still reported as such.
                match self.inner.execute(cdb, data, timeout) {
                    Err(e) if e != TransportError::Timeout => Err(e),
                    _ => Err(TransportError::Timeout),
                }
            }
            FaultAction::DeviceGone => Err(TransportError::DeviceGone),
            FaultAction::ShortTransfer { bytes } => {
                let moved = usize::try_from(*bytes).unwrap_or(usize::MAX).min(offered);
                short_transfer(&mut self.inner, cdb, data, timeout, moved)
            }
            FaultAction::CorruptDataIn { .. } => match data {
                DataPhase::In(buf) => {
                    let done = self.inner.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
                    let moved = done.transferred(buf.len());
                    if let Some(transferred) = buf.get_mut(..moved) {
                        fault.corrupt(transferred);
                    }
                    Ok(done)
                }
                other => self.inner.execute(cdb, other, timeout),
            },
            FaultAction::DropWrite => Ok(match data {
                DataPhase::In(_) => Completion::good_with_residual(offered),
                _ => Completion::good(),
            }),
            FaultAction::Delay(_) | FaultAction::PowerLoss | FaultAction::DriveCondition(_) => {
                // `new` refuses such plans; this is only reachable through a plan whose rules
                // changed afterwards, which the API does not allow. Fail loudly rather than
                // pretend the fault happened.
                Err(TransportError::Other(format!(
                    "fault plan rule {}: \"{}\" needs the emulator",
                    fault.rule,
                    fault.action.kind()
                )))
            }
        }
    }
}

/// Runs the command with only the first `moved` bytes of the data phase moving.
fn short_transfer<T: Transport>(
    inner: &mut T,
    cdb: &[u8],
    data: DataPhase<'_>,
    timeout: Duration,
    moved: usize,
) -> Result<Completion, TransportError> {
    match data {
        DataPhase::In(buf) => {
            // The device fills what it fills; the bytes past `moved` never reach the host, so
            // the host's buffer keeps what it held there.
            let kept: Vec<u8> = buf.get(moved..).unwrap_or(&[]).to_vec();
            let mut done = inner.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
            if let Some(tail) = buf.get_mut(moved..) {
                tail.copy_from_slice(&kept);
            }
            let cut = buf.len().saturating_sub(moved);
            done.residual = done.residual.max(cut);
            Ok(done)
        }
        DataPhase::Out(buf) => {
            // Only the first bytes reach the device; it answers as it would to a host that
            // sent less than the CDB announced.
            let sent = buf.get(..moved).unwrap_or(buf);
            let mut done = inner.execute(cdb, DataPhase::Out(sent), timeout)?;
            done.residual = done
                .residual
                .saturating_add(buf.len().saturating_sub(moved));
            Ok(done)
        }
        DataPhase::None => inner.execute(cdb, DataPhase::None, timeout),
    }
}

impl<T: Transport> Transport for Faulty<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let now = (self.now)();
        let Some(ctx) = CommandContext::from_cdb(cdb, now, self.medium) else {
            // An empty CDB names no command: nothing to match, the inner transport rejects it.
            return self.inner.execute(cdb, data, timeout);
        };
        let command = self.plan.commands_seen().saturating_add(1);
        let Some(fault) = self.plan.evaluate(&ctx) else {
            return self.inner.execute(cdb, data, timeout);
        };
        let result = self.apply(&fault, cdb, data, timeout);
        self.fired.push(FiredFault { command, fault });
        result
    }

    fn pause(&mut self, d: std::time::Duration) {
        self.inner.pause(d)
    }

    fn device_time(&self) -> Option<std::time::Duration> {
        self.inner.device_time()
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        self.inner.acquire_exclusive(client)
    }

    fn release_exclusive(&mut self, client: &str) {
        self.inner.release_exclusive(client)
    }

    fn max_transfer_bytes(&self) -> Option<usize> {
        self.inner.max_transfer_bytes()
    }
}

impl<T: Transport + fmt::Debug> fmt::Debug for Faulty<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faulty")
            .field("inner", &self.inner)
            .field("plan", &self.plan)
            .field("medium", &self.medium)
            .field("fired", &self.fired)
            .finish_non_exhaustive()
    }
}
