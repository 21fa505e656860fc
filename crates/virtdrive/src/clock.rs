//! The virtual clock: every command advances it by the time a real drive would take, so a
//! 45-minute burn runs in milliseconds yet reports realistic times. Nothing here reads the
//! wall clock (paced mode, which sleeps to real time, lives in the drive).

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
    fn time_arithmetic_saturates() {
        let t = VirtualTime::from_micros(u64::MAX - 1).after(Duration::from_secs(5));
        assert_eq!(t.as_micros(), u64::MAX);
        assert_eq!(VirtualTime::ZERO.since(t), Duration::ZERO);
    }
}
