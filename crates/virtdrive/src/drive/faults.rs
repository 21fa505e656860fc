//! Applying a fault plan inside the drive, following the contract in `crate::fault`: the plan
//! decides once per command, before it runs; the drive applies every kind of action,
//! including those only a drive can (delay on the virtual clock, power loss, conditions).

use core::time::Duration;

use mmc_core::sense::triples;
use mmc_core::{Completion, DataPhase, TransportError};

use super::exclusive::ExclusiveLock;
use super::{DiscCondition, VirtDrive};
use crate::fault::{CommandContext, DriveCondition, Fault, FaultAction, FaultPlan};

/// What the drive does with the command after the plan decided.
pub(super) enum Decision {
    /// Run the command as usual.
    Run,
    /// Answer this without running it.
    Answer(Result<Completion, TransportError>),
    /// Run it, then apply the fault to the outcome.
    RunThen(Fault),
    /// Run it with only the first bytes of the data phase.
    Shorten(u64),
}

impl VirtDrive {
    /// Installs a fault plan (replacing any other).
    pub fn set_fault_plan(&mut self, plan: FaultPlan) {
        self.fault_plan = Some(plan);
    }

    /// The installed plan, with its counters.
    pub fn fault_plan(&self) -> Option<&FaultPlan> {
        self.fault_plan.as_ref()
    }

    /// Asks the plan about `cdb` and applies what needs no command outcome.
    pub(super) fn consult_plan(
        &mut self,
        cdb: &[u8],
        data: &DataPhase<'_>,
        timeout: Duration,
    ) -> Decision {
        let medium = self.disc.as_ref().map(|d| d.medium.kind());
        let Some(ctx) = CommandContext::from_cdb(cdb, self.now, medium) else {
            return Decision::Run;
        };
        let Some(fault) = self.fault_plan.as_mut().and_then(|p| p.evaluate(&ctx)) else {
            return Decision::Run;
        };
        match &fault.action {
            FaultAction::Sense(s) if s.executed => Decision::RunThen(fault),
            FaultAction::Sense(s) => {
                Decision::Answer(Ok(Completion::check_condition(&s.to_bytes(), data.len())))
            }
            FaultAction::TimeoutBefore => {
                self.now = self.now.after(timeout);
                Decision::Answer(Err(TransportError::Timeout))
            }
            FaultAction::TimeoutAfter | FaultAction::CorruptDataIn { .. } => {
                Decision::RunThen(fault)
            }
            FaultAction::DeviceGone => {
                self.gone = true;
                Decision::Answer(Err(TransportError::DeviceGone))
            }
            FaultAction::Delay(d) => {
                self.now = self.now.after(*d);
                self.settle();
                Decision::Run
            }
            FaultAction::ShortTransfer { bytes } => Decision::Shorten(*bytes),
            FaultAction::DropWrite => {
                // Reported done, never stored; the data-in of a read-class command is empty.
                Decision::Answer(Ok(match data {
                    DataPhase::In(b) => Completion::good_with_residual(b.len()),
                    _ => Completion::good(),
                }))
            }
            FaultAction::PowerLoss => {
                self.power_cycle();
                self.now = self.now.after(timeout);
                Decision::Answer(Err(TransportError::Timeout))
            }
            FaultAction::DriveCondition(c) => {
                let c = c.clone();
                self.enter_condition(&c);
                Decision::Run
            }
        }
    }

    /// Applies a fault that acts on the command's outcome.
    pub(super) fn after_run(
        &mut self,
        fault: &Fault,
        outcome: Result<Completion, TransportError>,
        data: &mut DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        match &fault.action {
            FaultAction::Sense(s) => {
                let residual = outcome.map(|c| c.residual).unwrap_or(data.len());
                Ok(Completion::check_condition(&s.to_bytes(), residual))
            }
            FaultAction::TimeoutAfter => {
                self.now = self.now.after(timeout);
                Err(TransportError::Timeout)
            }
            FaultAction::CorruptDataIn { .. } => {
                if let (Ok(c), DataPhase::In(buf)) = (&outcome, data) {
                    let n = c.transferred(buf.len());
                    if let Some(moved) = buf.get_mut(..n) {
                        fault.corrupt(moved);
                    }
                }
                outcome
            }
            _ => outcome,
        }
    }

    /// Enters a condition a plan (or a test) asks for.
    pub fn enter_condition(&mut self, condition: &DriveCondition) {
        match condition {
            DriveCondition::WriteProtect => self.set_write_protected(true),
            DriveCondition::Eject => self.tray_open = true,
            DriveCondition::NoMedium => {
                self.parked = self.disc.take().or(self.parked.take());
                self.tray_open = false;
            }
            DriveCondition::BecomingReady { duration } => {
                if self.disc.is_none() {
                    self.disc = self.parked.take();
                }
                self.tray_open = false;
                let until = self.now.after(*duration);
                if let Some(d) = self.disc.as_mut() {
                    d.ready_at = until;
                }
            }
            DriveCondition::PowerOnReset => {
                self.unit_attention = Some(triples::POWER_ON_RESET);
            }
            DriveCondition::UpsideDown => self.set_disc_condition(DiscCondition::UpsideDown),
            DriveCondition::Incompatible { ascq } => {
                self.set_disc_condition(DiscCondition::Incompatible { ascq: *ascq })
            }
            DriveCondition::ExclusiveAccess { owner, duration } => {
                self.exclusive = Some(ExclusiveLock {
                    owner: owner.clone(),
                    count: 1,
                    until: duration.map(|d| self.now.after(d)),
                });
            }
        }
    }
}

/// The data phase cut to its first `bytes`.
pub(super) fn shortened<'a>(data: DataPhase<'a>, bytes: u64) -> (DataPhase<'a>, usize) {
    let keep = usize::try_from(bytes).unwrap_or(usize::MAX);
    match data {
        DataPhase::In(buf) => {
            let full = buf.len();
            let n = keep.min(full);
            (DataPhase::In(buf.get_mut(..n).unwrap_or(&mut [])), full - n)
        }
        DataPhase::Out(buf) => {
            let full = buf.len();
            let n = keep.min(full);
            (DataPhase::Out(buf.get(..n).unwrap_or(&[])), full - n)
        }
        DataPhase::None => (DataPhase::None, 0),
    }
}
