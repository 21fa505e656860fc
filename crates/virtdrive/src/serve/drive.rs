//! The drive a server owns: a [`VirtualDrive`], with its command stream recorded as a
//! [`Tracing`] transcript when asked.

use std::io::Write;
use std::time::Duration;

use mmc_core::trace::Tracing;
use mmc_core::{Completion, DataPhase, Transport, TransportError};

use crate::{VirtualDrive, VirtualDriveError};

/// A virtual drive served to clients.
#[derive(Debug)]
pub struct ServedDrive {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Plain(VirtualDrive),
    Traced(Tracing<VirtualDrive>),
}

impl ServedDrive {
    pub fn new(drive: VirtualDrive) -> Self {
        ServedDrive {
            backend: Backend::Plain(drive),
        }
    }

    /// Records every command as one JSON line of `sink` (mmc-core's transcript format), with
    /// the data phases in full so [`mmc_core::trace::replay_against`] can send them again.
    pub fn with_transcript(drive: VirtualDrive, sink: Box<dyn Write + Send>) -> Self {
        ServedDrive {
            backend: Backend::Traced(Tracing::to_writer(drive, sink).with_max_inline(usize::MAX)),
        }
    }

    pub fn drive(&self) -> &VirtualDrive {
        match &self.backend {
            Backend::Plain(d) => d,
            Backend::Traced(t) => t.inner(),
        }
    }

    pub fn drive_mut(&mut self) -> &mut VirtualDrive {
        match &mut self.backend {
            Backend::Plain(d) => d,
            Backend::Traced(t) => t.inner_mut(),
        }
    }

    fn transport(&mut self) -> &mut dyn Transport {
        match &mut self.backend {
            Backend::Plain(d) => d,
            Backend::Traced(t) => t,
        }
    }

    /// Runs one command; also returns how long it took on the drive's clock.
    pub fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> (Result<Completion, TransportError>, Duration) {
        let before = self.transport().device_time().unwrap_or_default();
        let outcome = self.transport().execute(cdb, data, timeout);
        let after = self.transport().device_time().unwrap_or_default();
        (outcome, after.saturating_sub(before))
    }

    /// The first error writing the transcript, if any.
    pub fn transcript_error(&self) -> Option<String> {
        match &self.backend {
            Backend::Traced(t) => t.sink_error().map(ToString::to_string),
            Backend::Plain(_) => None,
        }
    }

    /// Commits the disc to its file (when it has one).
    pub fn commit(&mut self) -> Result<(), VirtualDriveError> {
        self.drive_mut().commit()
    }
}
