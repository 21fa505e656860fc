//! What only the drive can do to itself when a fault plan says so ([`DriveHooks`]): the
//! arrival of a command, its clock, its power and the conditions it can be put in.

use core::time::Duration;

use mmc_core::sense::triples;
use mmc_core::{Completion, DataPhase, TransportError};

use super::exclusive::ExclusiveLock;
use super::{DiscCondition, EmulatedDrive};
use crate::fault::{Arrival, DriveCondition, DriveHooks};

impl DriveHooks for EmulatedDrive {
    /// Refuses what the path or the drive refuses before a command is looked at (a data
    /// phase the path cannot move, another client's exclusive access, a vanished device);
    /// then charges the command's overhead on the clock.
    fn arrive(&mut self, _cdb: &[u8], data_len: usize) -> Result<Arrival, TransportError> {
        if let Some(limit) = self.config.max_transfer_bytes.filter(|&l| data_len > l) {
            return Err(TransportError::Rejected(format!(
                "a data phase of {data_len} bytes is more than the {limit} bytes the path to \
                 the drive moves in one command"
            )));
        }
        // A EmulatedDrive used directly as a transport is one client: the name it took exclusive
        // access under, if any.
        let client = self.transport_client.take();
        let admitted = self.admit(client.as_deref());
        self.transport_client = client;
        admitted?;
        self.begin_command()
    }

    fn run_arrived(
        &mut self,
        cdb: &[u8],
        mut data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.run(cdb, &mut data, timeout)
    }

    fn answered(&mut self) {
        self.pace(self.now.since(self.arrived_at));
    }

    fn dropped(&mut self, cdb: &[u8], data: &DataPhase<'_>) {
        self.keep_dropped_write(cdb, data);
        self.answered();
    }

    fn delay(&mut self, d: Duration) {
        self.now = self.now.after(d);
        self.settle();
    }

    fn time_out(&mut self, timeout: Duration) {
        self.now = self.now.after(timeout);
    }

    fn lose_power(&mut self) {
        self.power_cycle();
    }

    fn vanish(&mut self) {
        EmulatedDrive::vanish(self);
    }

    fn enter_condition(&mut self, condition: &DriveCondition) {
        EmulatedDrive::enter_condition(self, condition);
    }
}

impl EmulatedDrive {
    /// Enters a condition a plan (or a test) asks for.
    pub fn enter_condition(&mut self, condition: &DriveCondition) {
        match condition {
            DriveCondition::WriteProtect => self.set_write_protected(true),
            DriveCondition::WriteProtection(causes) => self.set_write_protection(*causes),
            DriveCondition::DamagedSession => self.damage_open_session(),
            DriveCondition::DefectiveSectors { lba, blocks } => {
                if let Some(d) = self.disc.as_mut() {
                    d.medium.damage_sectors(u64::from(*lba), u64::from(*blocks));
                }
            }
            DriveCondition::Eject => self.open_tray(),
            DriveCondition::NoMedium => {
                self.read_cache.drop_all();
                self.parked = self.disc.take().or(self.parked.take());
                self.tray_open = false;
            }
            DriveCondition::BecomingReady { duration } => {
                // The disc was taken out and put back.
                self.read_cache.drop_all();
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
                // A reset leaves the drive as powered on: the disc keeps what it recorded,
                // the volatile buffer does not keep its copy.
                self.read_cache.drop_all();
                self.unit_attention = Some(triples::POWER_ON_RESET);
            }
            DriveCondition::ReadCache { bytes } => self.set_read_cache(Some(*bytes)),
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
