//! The drive a server owns: a [`DiscFileDrive`], with its command stream recorded as a
//! [`Tracing`] transcript when asked, and the host's waits between polls.
//!
//! ## Time
//!
//! The emulator's clock only moves with the commands it is sent (and a host's `pause`), so a
//! real program that sleeps between polls of a busy drive would poll forever, and one that
//! sleeps until the drive buffer has room would wait forever. The served drive therefore
//! models the host's waits, which it cannot see:
//!
//! - After every answer that says "busy, ask again" some drive time passes. Those answers
//!   are NOT READY with ASC 04h (LOGICAL UNIT NOT READY) and ASCQ 01h (becoming ready), 04h
//!   (format in progress), 07h (operation in progress) or 08h (long write in progress), as
//!   CHECK CONDITION sense or as the data of REQUEST SENSE, whatever the command (TEST UNIT
//!   READY for libburn and wodim, REQUEST SENSE for growisofs, READ DISC INFORMATION...).
//!   The accelerated clock (the default) waits the poll wait after the first busy answer and
//!   a third longer after each further one ([`PollSteps`]), until the drive is no longer
//!   busy: any long operation ends within about 30 polls. Paced (`--paced`), every wait is
//!   the poll wait, slept in real time too.
//! - Under the accelerated clock, after each READ BUFFER CAPACITY the drive records half of
//!   what its buffer holds: a host asks while it waits for room (libburn's
//!   `modesty_on_drive`), and its next question finds the buffer drained. A host that streams
//!   without waiting loses no drive time by it: the WRITEs that follow wait that much less.
//!
//! ## A disc changer
//!
//! With [`ServedDrive::with_changer`] the drive stands in a publishing robot: behind the disc
//! it holds is a stack of more. When the host ejects the disc (START STOP UNIT with LoEj = 1
//! and Start = 0, MMC-6 6.40, answered GOOD) and then waits for the next (the next command,
//! from any client, is neither a load nor another eject), the robot takes the disc out and
//! loads the next, closing the tray: that command and the following see the new disc become
//! ready (02/04/01) and then the unit attention of a changed medium (06/28/00), as after an
//! operator's. A host that loads the tray right after the eject (START STOP UNIT with LoEj =
//! 1, Start = 1: an eject and reload to empty the drive's cache) gets the same disc back.
//! Disc `n` of the stack is kept in [`numbered_disc_file`] of the first disc's file
//! (`a.disc`, `a-2.disc`, `a-3.disc`, ...): created blank when missing (made by the maker
//! the changer was given, else the medium's default), loaded as it is when it exists (a used
//! disc in the stack, with its own maker). Once the stack is used up, an eject leaves the
//! tray open as usual. A disc that cannot be loaded is reported on stderr at once and stops
//! the changer; the tray stays open.
//!
//! The rules depend only on the commands and their answers, never on wall-clock time, so a
//! transcript recorded through a served drive replays identically through a new one
//! ([`mmc_core::trace::replay_against`] with a `ServedDrive` as the transport).

use std::io::Write;
use std::time::Duration;

use mmc_core::cdb::{CdbRepr, MediumAction, Opcode, StartStopUnit};
use mmc_core::sense::Sense;
use mmc_core::trace::Tracing;
use mmc_core::{Completion, DataPhase, Transport, TransportError};

use crate::clock::PollSteps;
use crate::drive::asks_to_poll;
use crate::fault::{FaultPlan, Faulty};
use crate::medium::MediaIdentity;
use crate::{numbered_disc_file, DiscFileDrive, DiscFileDriveError};

/// The host's wait between two polls of a busy drive, as the drive sees it.
pub const DEFAULT_POLL_WAIT: Duration = Duration::from_secs(5);

/// A virtual drive served to clients.
#[derive(Debug)]
pub struct ServedDrive {
    backend: Backend,
    /// The host's waits between polls of a busy drive.
    polls: PollSteps,
    changer: Option<Changer>,
}

/// The stack of discs behind the one in the drive (see the module notes).
#[derive(Debug)]
struct Changer {
    /// The first disc's file, which names the others.
    first: std::path::PathBuf,
    /// The number of the disc in the drive (1 for the first).
    loaded: u32,
    /// How many discs there are in all.
    discs: u32,
    /// Who makes the stack's new blank discs (`None`: the medium's default).
    maker: Option<MediaIdentity>,
    /// The host ejected the disc and has sent nothing since: its next command says whether
    /// it loads the tray again or waits for the robot.
    ejected: bool,
    /// Why a disc could not be loaded, when one could not.
    failed: Option<String>,
}

/// The drive under its fault plan (an empty one when none was given), and the transcript
/// of what the host saw.
#[derive(Debug)]
enum Backend {
    Plain(Faulty<DiscFileDrive>),
    Traced(Tracing<Faulty<DiscFileDrive>>),
}

impl ServedDrive {
    pub fn new(drive: DiscFileDrive) -> Self {
        Self::with_faults(Faulty::for_drive(drive, FaultPlan::empty()))
    }

    /// A drive that answers as its fault plan says.
    pub fn with_faults(drive: Faulty<DiscFileDrive>) -> Self {
        ServedDrive {
            backend: Backend::Plain(drive),
            polls: PollSteps::new(DEFAULT_POLL_WAIT),
            changer: None,
        }
    }

    /// Records every command as one JSON line of `sink` (mmc-core's transcript format), with
    /// the data phases in full so [`mmc_core::trace::replay_against`] can send them again.
    pub fn with_transcript(drive: Faulty<DiscFileDrive>, sink: Box<dyn Write + Send>) -> Self {
        ServedDrive {
            backend: Backend::Traced(Tracing::to_writer(drive, sink).with_max_inline(usize::MAX)),
            polls: PollSteps::new(DEFAULT_POLL_WAIT),
            changer: None,
        }
    }

    /// Sets the drive time that passes after the first "busy" answer (see the module notes).
    pub fn with_poll_wait(mut self, wait: Duration) -> Self {
        self.polls = PollSteps::new(wait);
        self
    }

    /// Puts a disc changer holding `discs` discs in all in front of the drive (see the
    /// module notes), its new blank discs made by `maker` (`None`: the medium's default); 1
    /// is no changer. The disc must be kept in a file, which names the others.
    pub fn with_changer(
        mut self,
        discs: u32,
        maker: Option<MediaIdentity>,
    ) -> Result<Self, String> {
        if discs <= 1 {
            return Ok(self);
        }
        let first = self
            .drive()
            .path()
            .ok_or("a disc changer needs the disc kept in a file (virt:MEDIA@FILE)")?;
        self.changer = Some(Changer {
            first,
            loaded: 1,
            discs,
            maker,
            ejected: false,
            failed: None,
        });
        Ok(self)
    }

    /// The disc changer: the number of the disc in the drive, and why a disc could not be
    /// loaded, when one could not; `None` without a changer.
    pub fn changer(&self) -> Option<(u32, Option<&str>)> {
        self.changer
            .as_ref()
            .map(|c| (c.loaded, c.failed.as_deref()))
    }

    /// The robot's swap after an eject: the next disc of the stack, if any is left.
    fn load_next_disc(&mut self) {
        let Some(next) = self
            .changer
            .as_ref()
            .filter(|c| c.loaded < c.discs && c.failed.is_none())
            .map(|c| {
                (
                    c.loaded + 1,
                    numbered_disc_file(&c.first, c.loaded + 1),
                    c.maker.clone(),
                )
            })
        else {
            return;
        };
        let (n, path, maker) = next;
        let loaded = self.drive_mut().load_disc(&path, maker);
        if let Some(c) = self.changer.as_mut() {
            match loaded {
                Ok(()) => c.loaded = n,
                Err(e) => {
                    let failed = format!("loading disc {n} ({}): {e}", path.display());
                    // Said at once: the host only sees an open tray.
                    let _ = writeln!(
                        std::io::stderr(),
                        "virtdrive serve: the disc changer failed {failed}"
                    );
                    c.failed = Some(failed);
                }
            }
        }
    }

    pub fn poll_wait(&self) -> Duration {
        self.polls.first()
    }

    /// Whether the drive takes real time (`--paced`) rather than the accelerated clock.
    pub fn paced(&self) -> bool {
        self.drive().drive().config().paced
    }

    pub fn drive(&self) -> &DiscFileDrive {
        match &self.backend {
            Backend::Plain(d) => d.inner(),
            Backend::Traced(t) => t.inner().inner(),
        }
    }

    pub fn drive_mut(&mut self) -> &mut DiscFileDrive {
        match &mut self.backend {
            Backend::Plain(d) => d.inner_mut(),
            Backend::Traced(t) => t.inner_mut().inner_mut(),
        }
    }

    fn transport(&mut self) -> &mut dyn Transport {
        match &mut self.backend {
            Backend::Plain(d) => d,
            Backend::Traced(t) => t,
        }
    }

    /// The drive time the host is taken to wait after an answer that said the drive is
    /// `busy`, or answered READ BUFFER CAPACITY (`buffer_poll`); see the module notes.
    fn host_wait(&mut self, busy: bool, buffer_poll: bool) -> Duration {
        let paced = self.paced();
        if busy {
            return if paced {
                self.polls.first()
            } else {
                self.polls.next_wait()
            };
        }
        if !self.drive().drive().is_busy() {
            self.polls.reset();
        }
        if buffer_poll && !paced {
            self.drive().drive().half_buffer_time()
        } else {
            Duration::ZERO
        }
    }

    /// The first error writing the transcript, if any.
    pub fn transcript_error(&self) -> Option<String> {
        match &self.backend {
            Backend::Traced(t) => t.sink_error().map(ToString::to_string),
            Backend::Plain(_) => None,
        }
    }

    /// Commits the disc to its file (when it has one).
    pub fn commit(&mut self) -> Result<(), DiscFileDriveError> {
        self.drive_mut().commit()
    }
}

/// Whether sense bytes (fixed or descriptor format) say "not ready, in progress".
fn says_busy(sense: &[u8]) -> bool {
    Sense::parse(sense)
        .ok()
        .and_then(|s| s.triple())
        .is_some_and(asks_to_poll)
}

impl Transport for ServedDrive {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let opcode = cdb.first().copied().map(Opcode::from_u8);
        // START STOP UNIT's LoEj and Start, as the drive reads them (MMC-6 6.40).
        let tray = StartStopUnit::decode(cdb).ok().and_then(|c| c.action());
        if let Some(c) = self.changer.as_mut().filter(|c| c.ejected) {
            match tray {
                // The host closes the tray itself: its disc is back.
                Some(MediumAction::Load) => c.ejected = false,
                // The tray stays open: the robot waits for the host to be done with it.
                Some(MediumAction::Eject) => {}
                _ => {
                    c.ejected = false;
                    self.load_next_disc();
                }
            }
        }
        let request_sense = opcode == Some(Opcode::RequestSense);
        let (outcome, busy) = match data {
            DataPhase::In(buf) => {
                let outcome = self
                    .transport()
                    .execute(cdb, DataPhase::In(&mut *buf), timeout);
                let reported = match &outcome {
                    Ok(c) if c.is_good() && request_sense => {
                        buf.get(..c.transferred(buf.len())).is_some_and(says_busy)
                    }
                    _ => false,
                };
                (outcome, reported)
            }
            other => (self.transport().execute(cdb, other, timeout), false),
        };
        let busy = busy || outcome.as_ref().is_ok_and(|c| says_busy(&c.sense));
        let buffer_poll = opcode == Some(Opcode::ReadBufferCapacity)
            && outcome.as_ref().is_ok_and(Completion::is_good);
        let wait = self.host_wait(busy, buffer_poll);
        if !wait.is_zero() {
            Transport::pause(self.drive_mut(), wait);
        }
        if tray == Some(MediumAction::Eject) && outcome.as_ref().is_ok_and(Completion::is_good) {
            if let Some(c) = self.changer.as_mut() {
                c.ejected = true;
            }
        }
        outcome
    }

    fn pause(&mut self, d: Duration) {
        Transport::pause(self.drive_mut(), d)
    }

    fn device_time(&self) -> Option<Duration> {
        self.drive().device_time()
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        self.transport().acquire_exclusive(client)
    }

    fn release_exclusive(&mut self, client: &str) {
        self.transport().release_exclusive(client)
    }

    fn max_transfer_bytes(&self) -> Option<usize> {
        self.drive().max_transfer_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_sense_is_recognised_in_both_formats() {
        let mut fixed = [0u8; 18];
        fixed[0] = 0x70;
        fixed[2] = 0x02;
        fixed[7] = 10;
        fixed[12] = 0x04;
        for ascq in [0x01, 0x04, 0x07, 0x08] {
            fixed[13] = ascq;
            assert!(says_busy(&fixed), "ascq {ascq:02X}");
        }
        // Medium not present (02/3A/00) and not ready, manual intervention (02/04/03) are not
        // worth polling.
        fixed[12] = 0x3A;
        fixed[13] = 0;
        assert!(!says_busy(&fixed));
        fixed[12] = 0x04;
        fixed[13] = 0x03;
        assert!(!says_busy(&fixed));
        assert!(says_busy(&[0x72, 0x02, 0x04, 0x04, 0, 0, 0, 0]));
        assert!(!says_busy(&[0x70, 0, 0x02]));
        assert!(!says_busy(&[]));
    }
}
