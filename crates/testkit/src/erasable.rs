//! [`Erasable`]: a scripted erasable disc over any drive, for what the emulator does not
//! model: a drive that reports no progress while it blanks (the emulated CD-RW and DVD-RW
//! always report it).
//!
//! It claims the profile it was given in GET CONFIGURATION's header and sets READ DISC
//! INFORMATION's Erasable bit (MMC-6 6.22.3.1), answers BLANK (MMC-6 6.2) itself and, while
//! a blanking started with Immed runs on the inner drive's clock, answers TEST UNIT READY
//! and REQUEST SENSE with 02/04/07 and no progress in the sense key specific bytes.
//! Everything else goes to the inner drive.

use core::time::Duration;

use mmc_core::sense::{SenseBuilder, SenseTriple};
use mmc_core::{Completion, DataPhase, Transport, TransportError};

/// 02/04/07 LOGICAL UNIT NOT READY, OPERATION IN PROGRESS.
const OPERATION_IN_PROGRESS: SenseTriple = SenseTriple::new(0x02, 0x04, 0x07);
/// How long a minimal blank (01h) takes.
const QUICK: Duration = Duration::from_secs(60);
/// How long a full blank (00h) takes.
const FULL: Duration = Duration::from_secs(1200);

/// A drive that claims an erasable profile and blanks in 60 s (minimal) or 20 min (full)
/// of virtual time without reporting its progress.
#[derive(Debug)]
pub struct Erasable<T: Transport> {
    inner: T,
    profile: u16,
    /// The running blank: when it started and how long it takes, on the inner clock.
    running: Option<(Duration, Duration)>,
}

impl<T: Transport> Erasable<T> {
    /// `inner` claiming `profile` (000Ah CD-RW, 0014h DVD-RW sequential).
    pub fn new(inner: T, profile: u16) -> Self {
        Erasable {
            inner,
            profile,
            running: None,
        }
    }

    fn now(&self) -> Duration {
        self.inner.device_time().unwrap_or_default()
    }

    /// Whether a blank runs: `false` once it has ended.
    fn blanking(&mut self) -> bool {
        let Some((start, length)) = self.running else {
            return false;
        };
        if self.now().saturating_sub(start) >= length {
            self.running = None;
            return false;
        }
        true
    }
}

impl<T: Transport> Transport for Erasable<T> {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let opcode = cdb.first().copied().unwrap_or(0);
        if self.blanking() {
            let sense = SenseBuilder::new(OPERATION_IN_PROGRESS).fixed();
            if opcode == 0x03 {
                // REQUEST SENSE: the progress as data, GOOD.
                if let DataPhase::In(buf) = data {
                    let n = buf.len().min(sense.as_slice().len());
                    for (to, from) in buf.iter_mut().zip(sense.as_slice()) {
                        *to = *from;
                    }
                    return Ok(Completion::good_with_residual(buf.len() - n));
                }
            }
            return Ok(Completion::check_condition(sense.as_slice(), data.len()));
        }
        match opcode {
            // BLANK: byte 1 bit 4 Immed, bits 2-0 the blanking type.
            0xA1 => {
                let flags = cdb.get(1).copied().unwrap_or(0);
                let length = if flags & 0x07 == 0 { FULL } else { QUICK };
                if flags & 0x10 != 0 {
                    self.running = Some((self.now(), length));
                } else {
                    self.inner.pause(length);
                }
                Ok(Completion::good())
            }
            // GET CONFIGURATION: the current profile is header bytes 6-7.
            0x46 => {
                let profile = self.profile.to_be_bytes();
                let (c, buf) = self.pass(cdb, data, timeout)?;
                if let Some(b) = buf {
                    if let Some(field) = b.get_mut(6..8).filter(|_| c.is_good()) {
                        field.copy_from_slice(&profile);
                    }
                }
                Ok(c)
            }
            // READ DISC INFORMATION: byte 2 bit 4 Erasable.
            0x51 => {
                let (c, buf) = self.pass(cdb, data, timeout)?;
                if let Some(b) = buf {
                    if let Some(flags) = b.get_mut(2).filter(|_| c.is_good()) {
                        *flags |= 0x10;
                    }
                }
                Ok(c)
            }
            _ => self.inner.execute(cdb, data, timeout),
        }
    }

    mmc_core::forward_transport!(inner);
}

impl<T: Transport> Erasable<T> {
    /// Sends `cdb` to the inner drive and gives back its data-in buffer to patch.
    fn pass<'d>(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'d>,
        timeout: Duration,
    ) -> Result<(Completion, Option<&'d mut [u8]>), TransportError> {
        match data {
            DataPhase::In(buf) => {
                let c = self.inner.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
                let moved = c.transferred(buf.len());
                Ok((c, buf.get_mut(..moved)))
            }
            other => Ok((self.inner.execute(cdb, other, timeout)?, None)),
        }
    }
}
