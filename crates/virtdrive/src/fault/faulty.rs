//! [`Faulty`]: a fault plan applied to any transport, as a decorator (smoltcp's
//! `FaultInjector` over any device is the model), and the only place fault actions are
//! applied. A real drive behind SG_IO, a transcript replay or the emulator itself can be made
//! to fail the same way; the emulator, through [`DriveHooks`], suffers every action.

use core::fmt;
use core::time::Duration;

use mmc_core::{Completion, DataPhase, Transport, TransportError};

use super::action::{Fault, FaultAction};
use super::drive_hooks::{Arrival, DriveHooks, Plain};
use super::error::FaultPlanError;
use super::matcher::CommandContext;
use super::FaultPlan;
use crate::clock::VirtualTime;
use crate::medium::MediumKind;

/// Wraps `inner` and applies a plan's actions to the commands that pass:
///
/// | action | what the host sees | does `inner` get the command? |
/// |---|---|---|
/// | `sense` | CHECK CONDITION with the sense, all data as residual | only with `executed` |
/// | `timeout_before` | `TransportError::Timeout` | no |
/// | `timeout_after` | `TransportError::Timeout` | yes (its answer is discarded) |
/// | `device_gone` | `TransportError::DeviceGone`, now and for every later command | no |
/// | `short_transfer` | `inner`'s answer to a data phase cut to its first N bytes | yes |
/// | `corrupt_data_in` | `inner`'s answer, with bits flipped in the data-in | yes |
/// | `drop_write` | GOOD; data-in: nothing transferred | no |
/// | `delay` | `inner`'s answer, after the drive's clock moved on | yes |
/// | `power_loss` | `TransportError::Timeout`; the drive lost power | no |
/// | `drive_condition` | `inner`'s answer from the condition it entered | yes |
///
/// The last three change the drive's clock, disc or state: only a drive ([`DriveHooks`],
/// wrapped with [`Faulty::for_drive`]) can suffer them, and [`Faulty::new`] refuses a plan
/// that has them. A drive also gives the plan its clock and disc, and the time the host
/// waited on a timeout passes on its clock.
///
/// Any other transport has no clock: time windows are matched against the time its `now`
/// callback gives (zero unless [`Faulty::with_clock`] sets one), and a medium rule only
/// matches when [`Faulty::with_medium`] names the disc.
pub struct Faulty<T: Transport> {
    inner: T,
    plan: FaultPlan,
    /// How to reach `inner` as a drive, when it is one.
    as_drive: Option<AsDrive<T>>,
    now: Box<dyn FnMut() -> VirtualTime + Send>,
    medium: Option<MediumKind>,
    fired: Vec<FiredFault>,
}

type AsDrive<T> = fn(&mut T) -> &mut dyn DriveHooks;

fn as_drive<D: DriveHooks>(drive: &mut D) -> &mut dyn DriveHooks {
    drive
}

/// A fault that `Faulty` applied, for tests and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiredFault {
    /// 1 for the first command that passed through.
    pub command: u64,
    pub fault: Fault,
}

impl<T: Transport> Faulty<T> {
    /// Wraps `inner` with `plan`; fails, naming the rule, when the plan has an action only a
    /// drive can suffer.
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
        Ok(Self::wrap(inner, plan, None))
    }

    /// Wraps a drive with `plan`: every action applies, matched against the drive's own clock
    /// and disc.
    pub fn for_drive(drive: T, plan: FaultPlan) -> Self
    where
        T: DriveHooks,
    {
        Self::wrap(drive, plan, Some(as_drive::<T>))
    }

    fn wrap(inner: T, plan: FaultPlan, as_drive: Option<AsDrive<T>>) -> Self {
        Faulty {
            inner,
            plan,
            as_drive,
            now: Box::new(|| VirtualTime::ZERO),
            medium: None,
            fired: Vec::new(),
        }
    }

    /// The virtual time that `time` rules are matched against, asked once per command (a
    /// drive's own clock takes precedence).
    pub fn with_clock(mut self, now: impl FnMut() -> VirtualTime + Send + 'static) -> Self {
        self.now = Box::new(now);
        self
    }

    /// The disc `medium` rules are matched against (a drive's own disc takes precedence).
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

    pub fn into_inner(self) -> T {
        self.inner
    }

    pub fn into_parts(self) -> (T, FaultPlan) {
        (self.inner, self.plan)
    }
}

/// Applies `fault` to the command that arrived at `target`.
fn apply(
    target: &mut dyn DriveHooks,
    fault: &Fault,
    cdb: &[u8],
    data: DataPhase<'_>,
    timeout: Duration,
) -> Result<Completion, TransportError> {
    let offered = data.len();
    match &fault.action {
        FaultAction::Sense(sense) if sense.executed => {
            let residual = match target.run_arrived(cdb, data, timeout) {
                Ok(done) => done.residual,
                // It ran past the host's timeout inside the drive: the sense still answers.
                Err(TransportError::Timeout) => offered,
                Err(e) => return Err(e),
            };
            Ok(Completion::check_condition(&sense.to_bytes(), residual))
        }
        FaultAction::Sense(sense) => {
            target.answered();
            Ok(Completion::check_condition(&sense.to_bytes(), offered))
        }
        FaultAction::TimeoutBefore => {
            target.time_out(timeout);
            target.answered();
            Err(TransportError::Timeout)
        }
        FaultAction::TimeoutAfter => {
            // The command took effect; only its answer is lost. A transport failure of the
            // inner device itself (it vanished) is still reported as such.
            let ran = target.run_arrived(cdb, data, timeout);
            target.time_out(timeout);
            match ran {
                Err(e) if e != TransportError::Timeout => Err(e),
                _ => Err(TransportError::Timeout),
            }
        }
        FaultAction::DeviceGone => {
            target.vanish();
            target.answered();
            Err(TransportError::DeviceGone)
        }
        FaultAction::Delay(d) => {
            target.delay(*d);
            target.run_arrived(cdb, data, timeout)
        }
        FaultAction::ShortTransfer { bytes } => {
            // Only the first bytes move: the device fills (or receives) no more, the host's
            // buffer past them keeps what it held, and the rest is residual.
            let (data, cut) = shortened(data, *bytes);
            let mut done = target.run_arrived(cdb, data, timeout)?;
            done.residual = done.residual.saturating_add(cut);
            Ok(done)
        }
        FaultAction::CorruptDataIn { .. } => match data {
            DataPhase::In(buf) => {
                let done = target.run_arrived(cdb, DataPhase::In(&mut *buf), timeout)?;
                let moved = done.transferred(buf.len());
                if let Some(transferred) = buf.get_mut(..moved) {
                    fault.corrupt(transferred);
                }
                Ok(done)
            }
            other => target.run_arrived(cdb, other, timeout),
        },
        FaultAction::DropWrite => {
            // Reported done, never stored (though a drive's read cache keeps the data-out);
            // the data-in of a read-class command is empty.
            target.dropped(cdb, &data);
            Ok(match data {
                DataPhase::In(_) => Completion::good_with_residual(offered),
                _ => Completion::good(),
            })
        }
        FaultAction::PowerLoss => {
            target.lose_power();
            target.time_out(timeout);
            target.answered();
            Err(TransportError::Timeout)
        }
        FaultAction::DriveCondition(condition) => {
            target.enter_condition(condition);
            target.run_arrived(cdb, data, timeout)
        }
    }
}

/// The data phase cut to its first `bytes`, and how many bytes were cut.
fn shortened(data: DataPhase<'_>, bytes: u64) -> (DataPhase<'_>, usize) {
    let keep = usize::try_from(bytes).unwrap_or(usize::MAX);
    match data {
        DataPhase::In(buf) => {
            let cut = buf.len().saturating_sub(keep);
            let n = buf.len() - cut;
            (DataPhase::In(buf.get_mut(..n).unwrap_or(&mut [])), cut)
        }
        DataPhase::Out(buf) => {
            let cut = buf.len().saturating_sub(keep);
            let n = buf.len() - cut;
            (DataPhase::Out(buf.get(..n).unwrap_or(&[])), cut)
        }
        DataPhase::None => (DataPhase::None, 0),
    }
}

impl<T: Transport> Transport for Faulty<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let mut plain;
        let target: &mut dyn DriveHooks = match self.as_drive {
            Some(as_drive) => as_drive(&mut self.inner),
            None => {
                plain = Plain {
                    inner: &mut self.inner,
                    arrival: Arrival {
                        now: (self.now)(),
                        medium: self.medium,
                    },
                };
                &mut plain
            }
        };
        let arrival = target.arrive(cdb, data.len())?;
        let Some(ctx) = CommandContext::from_cdb(cdb, arrival.now, arrival.medium) else {
            // An empty CDB names no command: nothing to match, the device rejects it.
            return target.run_arrived(cdb, data, timeout);
        };
        let command = self.plan.commands_seen().saturating_add(1);
        let Some(fault) = self.plan.evaluate(&ctx) else {
            return target.run_arrived(cdb, data, timeout);
        };
        let result = apply(target, &fault, cdb, data, timeout);
        self.fired.push(FiredFault { command, fault });
        result
    }

    mmc_core::forward_transport!(inner);
}

impl<T: Transport + fmt::Debug> fmt::Debug for Faulty<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faulty")
            .field("inner", &self.inner)
            .field("plan", &self.plan)
            .field("drive", &self.as_drive.is_some())
            .field("medium", &self.medium)
            .field("fired", &self.fired)
            .finish_non_exhaustive()
    }
}
