//! [`Erasable`]: a scripted erasable disc over any drive, for what the emulator does not
//! model: a DVD-RW or DVD-RAM profile over an emulated DVD, and a drive that reports no
//! progress while it blanks (the emulated CD-RW always reports it).
//!
//! It claims the profile it was given in GET CONFIGURATION's header and sets READ DISC
//! INFORMATION's Erasable bit (MMC-6 6.22.3.1), answers BLANK (MMC-6 6.2) itself and, while
//! a blanking started with Immed runs on the inner drive's clock, answers TEST UNIT READY
//! with 02/04/07 and the fraction done in the sense key specific bytes (REQUEST SENSE gives
//! the same as data). Everything else goes to the inner drive.

use core::time::Duration;

use mmc_core::sense::{SenseBuilder, SenseTriple};
use mmc_core::{Completion, DataPhase, Transport, TransportError};

/// 02/04/07 LOGICAL UNIT NOT READY, OPERATION IN PROGRESS.
const OPERATION_IN_PROGRESS: SenseTriple = SenseTriple::new(0x02, 0x04, 0x07);

/// A drive that claims an erasable profile and blanks in `quick` or `full` virtual time.
#[derive(Debug)]
pub struct Erasable<T: Transport> {
    inner: T,
    profile: u16,
    /// How long blanking types 01h (minimal) and 00h (full) take.
    pub quick: Duration,
    pub full: Duration,
    /// Report the fraction done while blanking (a drive without it answers 02/04/07 only).
    pub progress: bool,
    /// Every BLANK received, its CDB.
    pub blanks: Vec<Vec<u8>>,
    /// The running blank: when it started and how long it takes, on the inner clock.
    running: Option<(Duration, Duration)>,
}

impl<T: Transport> Erasable<T> {
    /// `inner` claiming `profile` (000Ah CD-RW, 0014h DVD-RW sequential): a minimal blank
    /// takes 60 s, a full one 20 min, with progress.
    pub fn new(inner: T, profile: u16) -> Self {
        Erasable {
            inner,
            profile,
            quick: Duration::from_secs(60),
            full: Duration::from_secs(1200),
            progress: true,
            blanks: Vec::new(),
            running: None,
        }
    }

    pub fn inner(&mut self) -> &mut T {
        &mut self.inner
    }

    pub fn into_inner(self) -> T {
        self.inner
    }

    fn now(&self) -> Duration {
        self.inner.device_time().unwrap_or_default()
    }

    /// The fraction done of the running blank, or `None` once it has ended.
    fn blanking(&mut self) -> Option<f64> {
        let (start, length) = self.running?;
        let done = self.now().saturating_sub(start);
        if done >= length {
            self.running = None;
            return None;
        }
        Some(done.as_secs_f64() / length.as_secs_f64())
    }

    fn in_progress_sense(&self, fraction: f64) -> SenseBuilder {
        let b = SenseBuilder::new(OPERATION_IN_PROGRESS);
        if self.progress {
            b.progress((fraction * 65536.0).clamp(0.0, 65535.0) as u16)
        } else {
            b
        }
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
        if let Some(fraction) = self.blanking() {
            let sense = self.in_progress_sense(fraction).fixed();
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
                self.blanks.push(cdb.to_vec());
                let flags = cdb.get(1).copied().unwrap_or(0);
                let length = if flags & 0x07 == 0 {
                    self.full
                } else {
                    self.quick
                };
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

    fn pause(&mut self, d: Duration) {
        self.inner.pause(d)
    }

    fn device_time(&self) -> Option<Duration> {
        self.inner.device_time()
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        self.inner.acquire_exclusive(client)
    }

    fn release_exclusive(&mut self, client: &str) {
        self.inner.release_exclusive(client)
    }
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
