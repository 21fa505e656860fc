//! The one door to a drive: [`Transport::execute`] sends a CDB with its data phase and returns
//! the SCSI status, the sense bytes and the residual, or a transport error.
//!
//! Real drives (SG_IO), the emulator and the decorators ([`crate::trace::Tracing`], fault
//! plans) all implement it, so the engine never knows which one it talks to.

use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sense::SenseTriple;
use crate::wire::{wire_enum, SenseBytes};

/// The data phase of one command, with the caller's buffer.
#[derive(Debug)]
pub enum DataPhase<'a> {
    /// No data is transferred.
    None,
    /// Data-in: the device fills (a prefix of) the buffer.
    In(&'a mut [u8]),
    /// Data-out: the buffer is sent to the device.
    Out(&'a [u8]),
}

impl DataPhase<'_> {
    /// The direction, without the buffer.
    pub fn direction(&self) -> Direction {
        match self {
            DataPhase::None => Direction::None,
            DataPhase::In(_) => Direction::In,
            DataPhase::Out(_) => Direction::Out,
        }
    }

    /// Bytes the host offers to transfer (the `dxfer_len` of SG_IO).
    pub fn len(&self) -> usize {
        match self {
            DataPhase::None => 0,
            DataPhase::In(b) => b.len(),
            DataPhase::Out(b) => b.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Which way data moves, as recorded in transcripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    None,
    In,
    Out,
}

wire_enum! {
    /// SCSI status (SAM-5 5.3, table 25).
    pub enum ScsiStatus: u8 as from_u8 / to_u8 {
        Good = 0x00 => "GOOD",
        CheckCondition = 0x02 => "CHECK CONDITION",
        ConditionMet = 0x04 => "CONDITION MET",
        Busy = 0x08 => "BUSY",
        ReservationConflict = 0x18 => "RESERVATION CONFLICT",
        TaskSetFull = 0x28 => "TASK SET FULL",
        AcaActive = 0x30 => "ACA ACTIVE",
        TaskAborted = 0x40 => "TASK ABORTED",
    }
}

/// How a command that reached the device ended.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    pub status: ScsiStatus,
    /// Sense bytes as received (empty unless CHECK CONDITION).
    pub sense: SenseBytes,
    /// Bytes of the data phase that were not transferred.
    pub residual: usize,
}

impl Completion {
    /// GOOD status, everything transferred.
    pub const fn good() -> Self {
        Completion {
            status: ScsiStatus::Good,
            sense: SenseBytes::new(),
            residual: 0,
        }
    }

    /// GOOD status with `residual` bytes not transferred.
    pub const fn good_with_residual(residual: usize) -> Self {
        Completion {
            status: ScsiStatus::Good,
            sense: SenseBytes::new(),
            residual,
        }
    }

    /// CHECK CONDITION with these sense bytes; nothing transferred counts as residual
    /// `residual`.
    pub fn check_condition(sense: &[u8], residual: usize) -> Self {
        Completion {
            status: ScsiStatus::CheckCondition,
            sense: SenseBytes::from_slice(sense),
            residual,
        }
    }

    pub fn is_good(&self) -> bool {
        self.status == ScsiStatus::Good
    }

    /// Bytes actually transferred out of `requested`.
    pub fn transferred(&self, requested: usize) -> usize {
        requested.saturating_sub(self.residual)
    }

    /// Sense key, ASC and ASCQ, read from either sense format; `None` when there is no sense
    /// or it is too short to hold them.
    pub fn sense_triple(&self) -> Option<SenseTriple> {
        let s = self.sense.as_slice();
        let code = s.first()? & 0x7F;
        match code {
            0x70 | 0x71 => Some(SenseTriple::new(*s.get(2)?, *s.get(12)?, *s.get(13)?)),
            0x72 | 0x73 => Some(SenseTriple::new(*s.get(1)?, *s.get(2)?, *s.get(3)?)),
            _ => None,
        }
    }
}

impl fmt::Debug for Completion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Completion");
        d.field("status", &self.status);
        if !self.sense.is_empty() {
            d.field("sense", &self.sense);
        }
        d.field("residual", &self.residual).finish()
    }
}

/// A command that did not complete at the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum TransportError {
    /// No answer within the command's timeout (SG_IO DID_TIME_OUT, or an emulated timeout).
    #[error("the drive did not answer within the command timeout")]
    Timeout,
    /// The device is gone (unplugged, ENODEV/ENXIO, DID_NO_CONNECT).
    #[error("the device is no longer present")]
    DeviceGone,
    /// The device handle is closed or was never valid.
    #[error("the device handle is not valid")]
    InvalidHandle,
    /// Another client holds exclusive access to the device.
    #[error("another program has exclusive access to the drive{}", owner.as_deref().map(|o| format!(" ({o})")).unwrap_or_default())]
    Locked { owner: Option<String> },
    /// The CDB or data phase could not be sent as given (bad CDB length, buffer too large).
    #[error("the command could not be sent: {0}")]
    Rejected(String),
    /// Anything else the host adapter or the operating system reported.
    #[error("transport failure: {0}")]
    Other(String),
}

/// Sends commands to one drive.
pub trait Transport {
    /// Executes `cdb` with `data`, waiting at most `timeout` for the device.
    ///
    /// Returns the completion (GOOD or CHECK CONDITION with sense) when the command reached
    /// the device, or why it did not complete.
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError>;

    /// Lets `d` pass before the next command, as a host does between polls of a drive that is
    /// busy. A real device sleeps; an emulator advances its virtual clock instead, so a poll
    /// loop costs no real time in tests.
    fn pause(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    /// The device's own clock, when it has one (an emulator's virtual time since it started);
    /// `None` for real devices, whose host measures time itself.
    fn device_time(&self) -> Option<Duration> {
        None
    }

    /// Takes exclusive access for `client` (IMAPI's AcquireExclusiveAccess): other clients'
    /// commands then fail with [`TransportError::Locked`]. A transport whose exclusivity comes
    /// from how the device was opened (Linux O_EXCL) has nothing more to do.
    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        let _ = client;
        Ok(())
    }

    /// Gives back what [`Transport::acquire_exclusive`] took.
    fn release_exclusive(&mut self, client: &str) {
        let _ = client;
    }

    /// The largest data phase the path to the device moves in one command, when it has a
    /// limit (a USB bridge that takes 32 KiB, the sg driver's reserved buffer, the block
    /// layer's max_sectors_kb); `None` when none is known. A host sizes its transfers to it.
    fn max_transfer_bytes(&self) -> Option<usize> {
        None
    }
}

/// The [`Transport`] methods other than `execute`, each passed on to the transport in the
/// field named (a field holding a transport, or a `&mut` or `Box` of one): for a transport
/// that wraps another to watch or change some of its commands, so that the host's pauses,
/// the device's clock, exclusive access and the transfer limit stay the wrapped device's.
///
/// ```
/// use std::time::Duration;
/// use mmc_core::{Completion, DataPhase, Transport, TransportError};
///
/// /// Counts the commands its transport is sent.
/// struct Counting<T> {
///     inner: T,
///     commands: usize,
/// }
///
/// impl<T: Transport> Transport for Counting<T> {
///     fn execute(
///         &mut self,
///         cdb: &[u8],
///         data: DataPhase<'_>,
///         timeout: Duration,
///     ) -> Result<Completion, TransportError> {
///         self.commands += 1;
///         self.inner.execute(cdb, data, timeout)
///     }
///
///     mmc_core::forward_transport!(inner);
/// }
/// ```
#[macro_export]
macro_rules! forward_transport {
    ($field:tt) => {
        fn pause(&mut self, d: ::core::time::Duration) {
            $crate::Transport::pause(&mut self.$field, d)
        }

        fn device_time(&self) -> ::core::option::Option<::core::time::Duration> {
            $crate::Transport::device_time(&self.$field)
        }

        fn acquire_exclusive(
            &mut self,
            client: &str,
        ) -> ::core::result::Result<(), $crate::TransportError> {
            $crate::Transport::acquire_exclusive(&mut self.$field, client)
        }

        fn release_exclusive(&mut self, client: &str) {
            $crate::Transport::release_exclusive(&mut self.$field, client)
        }

        fn max_transfer_bytes(&self) -> ::core::option::Option<usize> {
            $crate::Transport::max_transfer_bytes(&self.$field)
        }
    };
}

/// A `&mut` or a `Box` of a transport is the transport.
macro_rules! transport_through_pointer {
    ($pointer:ty) => {
        impl<T: Transport + ?Sized> Transport for $pointer {
            fn execute(
                &mut self,
                cdb: &[u8],
                data: DataPhase<'_>,
                timeout: Duration,
            ) -> Result<Completion, TransportError> {
                (**self).execute(cdb, data, timeout)
            }

            fn pause(&mut self, d: Duration) {
                (**self).pause(d)
            }

            fn device_time(&self) -> Option<Duration> {
                (**self).device_time()
            }

            fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
                (**self).acquire_exclusive(client)
            }

            fn release_exclusive(&mut self, client: &str) {
                (**self).release_exclusive(client)
            }

            fn max_transfer_bytes(&self) -> Option<usize> {
                (**self).max_transfer_bytes()
            }
        }
    };
}

transport_through_pointer!(&mut T);
transport_through_pointer!(Box<T>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sense_triple_is_read_from_both_formats() {
        let fixed = Completion::check_condition(
            &[
                0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3A, 0x01, 0, 0, 0, 0,
            ],
            0,
        );
        assert_eq!(fixed.sense_triple(), Some(SenseTriple::new(2, 0x3A, 1)));
        let desc = Completion::check_condition(&[0x72, 0x07, 0x27, 0x00, 0, 0, 0, 0], 0);
        assert_eq!(desc.sense_triple(), Some(SenseTriple::new(7, 0x27, 0)));
        let short = Completion::check_condition(&[0x70, 0, 0x02], 0);
        assert_eq!(short.sense_triple(), None);
        assert_eq!(Completion::good().sense_triple(), None);
    }

    /// A device with a clock, a transfer limit and an owner; it counts the pauses.
    #[derive(Default)]
    struct Device {
        paused: Duration,
        owner: Option<String>,
    }

    impl Transport for Device {
        fn execute(
            &mut self,
            _: &[u8],
            _: DataPhase<'_>,
            _: Duration,
        ) -> Result<Completion, TransportError> {
            Ok(Completion::good())
        }
        fn pause(&mut self, d: Duration) {
            self.paused += d;
        }
        fn device_time(&self) -> Option<Duration> {
            Some(self.paused)
        }
        fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
            self.owner = Some(client.to_owned());
            Ok(())
        }
        fn release_exclusive(&mut self, _: &str) {
            self.owner = None;
        }
        fn max_transfer_bytes(&self) -> Option<usize> {
            Some(32 * 1024)
        }
    }

    /// Watches nothing: passes every command on.
    struct Wrapper<T>(T);

    impl<T: Transport> Transport for Wrapper<T> {
        fn execute(
            &mut self,
            cdb: &[u8],
            data: DataPhase<'_>,
            timeout: Duration,
        ) -> Result<Completion, TransportError> {
            self.0.execute(cdb, data, timeout)
        }
        crate::forward_transport!(0);
    }

    #[test]
    fn a_wrapper_keeps_the_wrapped_devices_clock_limit_and_exclusive_access() {
        // Through a Box and a &mut as well: each layer passes everything on.
        let mut device = Device::default();
        let mut w = Wrapper(Box::new(Wrapper(&mut device)));
        w.pause(Duration::from_secs(3));
        assert_eq!(w.device_time(), Some(Duration::from_secs(3)));
        assert_eq!(w.max_transfer_bytes(), Some(32 * 1024));
        w.acquire_exclusive("burner").unwrap();
        assert_eq!(w.0 .0.owner.as_deref(), Some("burner"));
        w.release_exclusive("burner");
        assert_eq!(device.owner, None);
    }

    #[test]
    fn status_codes_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(ScsiStatus::from_u8(v).to_u8(), v);
        }
    }
}
