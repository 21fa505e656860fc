//! [`DriveHooks`]: what only a drive can do to itself, so that [`super::Faulty`] can apply
//! the actions a transport cannot suffer (`delay`, `power_loss`, `drive_condition`) and apply
//! the others at the point of the command where a drive would.

use core::time::Duration;

use mmc_core::{Completion, DataPhase, Transport, TransportError};

use super::condition::DriveCondition;
use crate::clock::VirtualTime;
use crate::medium::MediumKind;

/// The drive as a plan sees a command arrive: its clock and the disc in its tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub now: VirtualTime,
    pub medium: Option<MediumKind>,
}

/// A transport that is a drive: it splits a command into its arrival (what the drive does
/// before anything looks at the command) and its run, and lets a fault move its clock, cut
/// its power or put it in a [`DriveCondition`].
///
/// A drive's `Transport::execute` must be [`DriveHooks::arrive`] followed by
/// [`DriveHooks::run_arrived`], so that a plan that never fires changes nothing.
pub trait DriveHooks {
    /// A command arrives. `Err` is the answer of a drive that refuses it before a plan can
    /// look at it (gone, held by another client, a data phase the path cannot move).
    fn arrive(&mut self, cdb: &[u8], data_len: usize) -> Result<Arrival, TransportError>;

    /// Runs the command that arrived.
    fn run_arrived(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError>;

    /// The command that arrived was answered without running it.
    fn answered(&mut self);

    /// The command that arrived was answered GOOD without running it (`drop_write`). Its
    /// data-out still reached the drive: a drive with a read cache keeps a WRITE's data
    /// there (the false success the cache hides). By default: [`DriveHooks::answered`].
    fn dropped(&mut self, _cdb: &[u8], _data: &DataPhase<'_>) {
        self.answered();
    }

    /// Lets `d` pass on the drive's clock before the command runs (`delay`); what time
    /// finishes (readiness, long operations) is finished.
    fn delay(&mut self, d: Duration);

    /// The host waited its whole `timeout` for an answer that never came.
    fn time_out(&mut self, timeout: Duration);

    /// Power fails: the disc reverts to its last synchronized state and the next command
    /// gets 06/29/00 POWER ON, RESET.
    fn lose_power(&mut self);

    /// The device disappears: every later command fails with `TransportError::DeviceGone`.
    fn vanish(&mut self);

    /// Enters `condition`.
    fn enter_condition(&mut self, condition: &DriveCondition);
}

/// A transport that is not a drive: it has no clock or disc of its own (the wrapper's
/// callbacks give them) and nothing to do before or after a command.
pub(super) struct Plain<'a, T> {
    pub(super) inner: &'a mut T,
    pub(super) arrival: Arrival,
}

impl<T: Transport> DriveHooks for Plain<'_, T> {
    fn arrive(&mut self, _: &[u8], _: usize) -> Result<Arrival, TransportError> {
        Ok(self.arrival)
    }

    fn run_arrived(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.inner.execute(cdb, data, timeout)
    }

    fn answered(&mut self) {}

    // A transport's clock is not ours to move, and `Faulty::new` refuses the plans that
    // would need the rest.
    fn delay(&mut self, _: Duration) {}

    fn time_out(&mut self, _: Duration) {}

    fn lose_power(&mut self) {}

    fn vanish(&mut self) {}

    fn enter_condition(&mut self, _: &DriveCondition) {}
}

impl<D: DriveHooks + ?Sized> DriveHooks for &mut D {
    fn arrive(&mut self, cdb: &[u8], data_len: usize) -> Result<Arrival, TransportError> {
        (**self).arrive(cdb, data_len)
    }

    fn run_arrived(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        (**self).run_arrived(cdb, data, timeout)
    }

    fn answered(&mut self) {
        (**self).answered()
    }

    fn dropped(&mut self, cdb: &[u8], data: &DataPhase<'_>) {
        (**self).dropped(cdb, data)
    }

    fn delay(&mut self, d: Duration) {
        (**self).delay(d)
    }

    fn time_out(&mut self, timeout: Duration) {
        (**self).time_out(timeout)
    }

    fn lose_power(&mut self) {
        (**self).lose_power()
    }

    fn vanish(&mut self) {
        (**self).vanish()
    }

    fn enter_condition(&mut self, condition: &DriveCondition) {
        (**self).enter_condition(condition)
    }
}
