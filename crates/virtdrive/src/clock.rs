//! The virtual clock: every command advances it by the time a real drive would take, so a
//! 45-minute burn runs in milliseconds yet reports realistic times. Nothing here reads the
//! wall clock (paced mode, which sleeps to real time, lives in the drive).
//!
//! [`PollSteps`] is the accelerated clock of a served drive: how much drive time passes
//! while a host waits between two polls of a busy drive, which the drive cannot see.

use core::time::Duration;

use serde::{Deserialize, Serialize};

/// A point on the virtual clock, in microseconds since the drive was created.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct VirtualTime(u64);

impl VirtualTime {
    pub const ZERO: VirtualTime = VirtualTime(0);

    pub const fn from_micros(us: u64) -> Self {
        VirtualTime(us)
    }

    pub const fn as_micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// `self + d`, saturating.
    pub fn after(self, d: Duration) -> Self {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        VirtualTime(self.0.saturating_add(us))
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: VirtualTime) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }

    /// How much of the span from `started` to `until` has passed at `self`, in 1/65536 (at
    /// most 65535): the sense-key-specific progress indication (SPC-4 4.5.2.4.4).
    pub fn progress(self, started: VirtualTime, until: VirtualTime) -> u16 {
        let total = until.since(started).as_micros().max(1);
        let done = self.since(started).as_micros();
        u16::try_from((done * 65_536 / total).min(65_535)).unwrap_or(u16::MAX)
    }
}

/// The drive time a host is taken to wait after each "busy, ask again" answer of a run of
/// them (the accelerated clock of `virtdrive run`): the first wait is the poll wait, and each
/// further one a third longer, up to [`PollSteps::MAX_STEP`]. With the default 5 s, 21 polls
/// cover the 93 minutes of a BD-RE full certification, and 30 polls over 6 hours; the
/// progress a host sees still rises at every poll. The steps depend only on how many busy
/// answers came in a row, so the same command sequence always gives the same clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSteps {
    first: Duration,
    next: Duration,
}

impl PollSteps {
    /// The longest wait between two polls (a host polling a 6-hour operation once a second
    /// sees it end within about 30 s).
    pub const MAX_STEP: Duration = Duration::from_secs(30 * 60);

    /// Steps starting at `first` (zero: the host never waits).
    pub const fn new(first: Duration) -> Self {
        PollSteps { first, next: first }
    }

    /// The wait after one more busy answer in a row.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        // 4/3 of the wait, in microseconds (u64 holds 584,000 years of them).
        let us = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
        let grown = Duration::from_micros(us.saturating_add(us / 3));
        self.next = grown.min(Self::MAX_STEP).max(wait);
        wait
    }

    /// The drive is no longer busy: the next run of polls starts again from the first wait.
    pub fn reset(&mut self) {
        self.next = self.first;
    }

    /// The first wait.
    pub fn first(&self) -> Duration {
        self.first
    }
}

/// Time to move `sectors` 2048-byte sectors at `kbytes_per_sec` (MMC speeds use k = 1000).
/// Zero speed means "instant" rather than a division by zero.
pub fn transfer_time(sectors: u64, kbytes_per_sec: u32) -> Duration {
    if kbytes_per_sec == 0 {
        return Duration::ZERO;
    }
    let bytes = sectors.saturating_mul(2048);
    let us = bytes.saturating_mul(1000) / u64::from(kbytes_per_sec);
    Duration::from_micros(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_x_rates_match_the_standards() {
        // CD 1x: 75 sectors of user data per second is 153.6 kB/s of 2048-byte sectors.
        assert_eq!(transfer_time(75, 153), Duration::from_micros(1_003_921));
        // DVD 1x = 1385 kB/s: 676 sectors take about a second.
        let t = transfer_time(676, 1385);
        assert!(
            t > Duration::from_millis(990) && t < Duration::from_millis(1010),
            "{t:?}"
        );
    }

    #[test]
    fn poll_steps_grow_by_a_third_up_to_the_maximum_and_start_again_after_a_reset() {
        let mut steps = PollSteps::new(Duration::from_secs(4));
        let waits: Vec<u64> = (0..4)
            .map(|_| steps.next_wait().as_millis() as u64)
            .collect();
        assert_eq!(waits, [4_000, 5_333, 7_111, 9_481]);
        let total: Duration = (0..60).map(|_| steps.next_wait()).sum();
        assert!(total > Duration::from_secs(20 * 3600), "{total:?}");
        assert_eq!(steps.next_wait(), PollSteps::MAX_STEP);
        steps.reset();
        assert_eq!(steps.next_wait(), Duration::from_secs(4));
        let mut none = PollSteps::new(Duration::ZERO);
        assert_eq!(none.next_wait() + none.next_wait(), Duration::ZERO);
    }

    #[test]
    fn time_arithmetic_saturates() {
        let t = VirtualTime::from_micros(u64::MAX - 1).after(Duration::from_secs(5));
        assert_eq!(t.as_micros(), u64::MAX);
        assert_eq!(VirtualTime::ZERO.since(t), Duration::ZERO);
    }
}
