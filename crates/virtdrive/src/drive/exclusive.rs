//! Exclusive access (issue: one owner at a time, by client name), and handles that let
//! several clients share one drive, as several programs share a device node.
//!
//! The model follows IMAPI2's IOCTL_CDROM_EXCLUSIVE_ACCESS: a named owner takes the lock,
//! acquiring again counts up, releasing counts down, and the drive is free at zero. While a
//! client holds it, every command from another client fails at the transport with
//! [`TransportError::Locked`] naming the owner (Linux: the EBUSY of an O_EXCL open).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mmc_core::{Completion, DataPhase, Transport, TransportError};

use super::EmulatedDrive;

/// Who holds exclusive access, and how many times they took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExclusiveLock {
    pub(crate) owner: String,
    pub(crate) count: u32,
    /// A lock a fault plan imposed for a while ends at this time.
    pub(crate) until: Option<crate::clock::VirtualTime>,
}

/// Why exclusive access could not be taken or given back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    #[error("exclusive access is held by {owner:?}")]
    HeldByAnother { owner: String },
    #[error("{client:?} does not hold exclusive access")]
    NotHeld { client: String },
    #[error("the drive is no longer present")]
    DeviceGone,
}

impl EmulatedDrive {
    /// Takes (or takes again) exclusive access for `client`.
    pub fn acquire_exclusive(&mut self, client: &str) -> Result<(), LockError> {
        if self.gone {
            return Err(LockError::DeviceGone);
        }
        match self.exclusive.as_mut() {
            Some(lock) if lock.owner == client => {
                lock.count = lock.count.saturating_add(1);
                Ok(())
            }
            Some(lock) => Err(LockError::HeldByAnother {
                owner: lock.owner.clone(),
            }),
            None => {
                self.exclusive = Some(ExclusiveLock {
                    owner: client.to_string(),
                    count: 1,
                    until: None,
                });
                Ok(())
            }
        }
    }

    /// Gives back one acquisition; the drive is free when the count reaches zero.
    pub fn release_exclusive(&mut self, client: &str) -> Result<(), LockError> {
        match self.exclusive.as_mut() {
            Some(lock) if lock.owner == client => {
                lock.count = lock.count.saturating_sub(1);
                if lock.count == 0 {
                    self.exclusive = None;
                }
                Ok(())
            }
            _ => Err(LockError::NotHeld {
                client: client.to_string(),
            }),
        }
    }

    /// The client holding exclusive access, if any.
    pub fn exclusive_owner(&self) -> Option<&str> {
        self.exclusive.as_ref().map(|l| l.owner.as_str())
    }

    /// Runs a command on behalf of `client` (`None`: an anonymous client, such as a plain
    /// `EmulatedDrive` used as a transport).
    pub fn execute_as(
        &mut self,
        client: Option<&str>,
        cdb: &[u8],
        mut data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.admit(client)?;
        self.begin_command()?;
        self.run(cdb, &mut data, timeout)
    }

    /// Refuses a command of anyone but the client holding exclusive access.
    pub(crate) fn admit(&self, client: Option<&str>) -> Result<(), TransportError> {
        match &self.exclusive {
            Some(lock) if client != Some(lock.owner.as_str()) => Err(TransportError::Locked {
                owner: Some(lock.owner.clone()),
            }),
            _ => Ok(()),
        }
    }
}

/// One drive shared by several clients.
#[derive(Debug, Clone)]
pub struct SharedDrive {
    inner: Arc<Mutex<EmulatedDrive>>,
}

impl SharedDrive {
    pub fn new(drive: EmulatedDrive) -> Self {
        SharedDrive {
            inner: Arc::new(Mutex::new(drive)),
        }
    }

    /// A handle through which `name` sends commands.
    pub fn client(&self, name: &str) -> DriveClient {
        DriveClient {
            drive: self.clone(),
            name: name.to_string(),
        }
    }

    /// The drive itself, for the API (conditions, inspection). A panic of another holder
    /// does not make the drive unusable: the state is still consistent between commands.
    pub fn lock(&self) -> MutexGuard<'_, EmulatedDrive> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A named client of a [`SharedDrive`].
#[derive(Debug, Clone)]
pub struct DriveClient {
    drive: SharedDrive,
    name: String,
}

impl DriveClient {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn acquire_exclusive(&self) -> Result<(), LockError> {
        self.drive.lock().acquire_exclusive(&self.name)
    }

    pub fn release_exclusive(&self) -> Result<(), LockError> {
        self.drive.lock().release_exclusive(&self.name)
    }

    pub fn drive(&self) -> &SharedDrive {
        &self.drive
    }
}

impl Transport for DriveClient {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.drive
            .lock()
            .execute_as(Some(&self.name), cdb, data, timeout)
    }
    fn pause(&mut self, d: Duration) {
        self.drive.lock().pause(d)
    }

    fn device_time(&self) -> Option<Duration> {
        self.drive.lock().device_time()
    }

    fn acquire_exclusive(&mut self, client: &str) -> Result<(), TransportError> {
        self.drive
            .lock()
            .acquire_exclusive(client)
            .map_err(to_transport)
    }

    fn release_exclusive(&mut self, client: &str) {
        let _ = self.drive.lock().release_exclusive(client);
    }

    fn max_transfer_bytes(&self) -> Option<usize> {
        Transport::max_transfer_bytes(&*self.drive.lock())
    }
}

/// The transport's view of a lock refusal.
pub(crate) fn to_transport(e: LockError) -> TransportError {
    match e {
        LockError::HeldByAnother { owner } => TransportError::Locked { owner: Some(owner) },
        LockError::DeviceGone => TransportError::DeviceGone,
        LockError::NotHeld { client } => {
            TransportError::Other(format!("{client:?} does not hold exclusive access"))
        }
    }
}
