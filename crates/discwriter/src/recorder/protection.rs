//! Why the disc cannot be written: the causes READ DISC STRUCTURE format C0h (Write
//! Protection Status, MMC-6 6.23) reports bit by bit, the DVD+RW write-inhibit Disc Control
//! Block (format 30h), and the Write Protect feature (0004h, MMC-6 5.3.4) for drives that
//! say no more than that the disc is protected.

use mmc_core::cdb::{DiscStructureMedia, ReadDiscStructure};
use mmc_core::response::configuration::FeatureCode;
use mmc_core::response::disc_structure::WRITE_INHIBIT_DCB;
use mmc_core::response::{ResponseFormat, WriteProtectionStatus};
use mmc_core::{DataPhase, Profile, Transport};
use serde::Serialize;

use super::exchange::Answer;
use super::timeouts::DEFAULT_TIMEOUT;
use super::Recorder;
use crate::error::Error;

/// READ DISC STRUCTURE format C0h.
const WRITE_PROTECTION_STATUS: u8 = 0xC0;
/// READ DISC STRUCTURE format 30h.
const DISC_CONTROL_BLOCK: u8 = 0x30;

/// The causes of the disc's write protection; none: writable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct WriteProtection {
    /// SWPP: set by software until the drive is powered down.
    pub until_power_down: bool,
    /// CWP: the cartridge's write-protect switch.
    pub cartridge: bool,
    /// MSWI for a reason the drive does not name, or a drive that only says the disc is
    /// protected (the Write Protect feature current).
    pub media_specific: bool,
    /// PWP: persistent write protection recorded on the disc.
    pub persistent: bool,
    /// A DVD+RW write-inhibit Disc Control Block (what its MSWI stands for).
    pub disc_control_block: bool,
    /// A pressed or otherwise read-only medium.
    pub read_only_media: bool,
}

/// IMAPI_MEDIA_WRITE_PROTECT_STATE flags.
pub mod write_protect_state {
    pub const UNTIL_POWERDOWN: u32 = 0x1;
    pub const BY_CARTRIDGE: u32 = 0x2;
    pub const BY_MEDIA_SPECIFIC_REASON: u32 = 0x4;
    pub const BY_SOFTWARE_WRITE_PROTECT: u32 = 0x8;
    pub const BY_DISC_CONTROL_BLOCK: u32 = 0x10;
    pub const READ_ONLY_MEDIA: u32 = 0x4000;
}

impl WriteProtection {
    /// The causes with their IMAPI flag and their name.
    fn causes(&self) -> [(bool, u32, &'static str); 6] {
        use write_protect_state::*;
        [
            (self.until_power_down, UNTIL_POWERDOWN, "until power-down"),
            (self.cartridge, BY_CARTRIDGE, "cartridge"),
            (
                self.media_specific,
                BY_MEDIA_SPECIFIC_REASON,
                "media-specific",
            ),
            (self.persistent, BY_SOFTWARE_WRITE_PROTECT, "persistent"),
            (
                self.disc_control_block,
                BY_DISC_CONTROL_BLOCK,
                "disc control block",
            ),
            (self.read_only_media, READ_ONLY_MEDIA, "read-only medium"),
        ]
    }

    /// IMAPI_MEDIA_WRITE_PROTECT_STATE flags (WriteProtectStatus).
    pub fn flags(&self) -> u32 {
        self.causes()
            .iter()
            .filter(|c| c.0)
            .fold(0, |flags, c| flags | c.1)
    }

    /// The causes by name, in the order of their flags.
    pub fn names(&self) -> Vec<&'static str> {
        self.causes().iter().filter(|c| c.0).map(|c| c.2).collect()
    }
}

impl<T: Transport> Recorder<T> {
    /// Why the disc cannot be written. On DVD and BD the drive says it cause by cause (format
    /// C0h); a DVD+RW whose MSWI is set is asked for its write-inhibit DCB. Where the drive
    /// has no such structure (CD), a current Write Protect feature counts as a media-specific
    /// reason.
    pub fn write_protection(&mut self) -> Result<WriteProtection, Error> {
        let config = self.ready_configuration()?;
        let profile = config.current_profile;
        let mut causes = WriteProtection {
            read_only_media: !profile.is_writable(),
            ..WriteProtection::default()
        };
        let media = if profile.is_dvd() {
            Some(DiscStructureMedia::Dvd)
        } else if profile.is_bd() {
            Some(DiscStructureMedia::Bd)
        } else {
            None
        };
        let status = match media {
            Some(media) => self.protection_status(media)?,
            None => None,
        };
        if let Some(s) = status {
            causes.until_power_down = s.software_write_protect;
            causes.cartridge = s.cartridge_write_protect;
            causes.persistent = s.persistent_write_protect;
            causes.media_specific = s.media_specific_write_inhibit;
        }
        if causes.media_specific && profile == Profile::DvdPlusRw && self.write_inhibit_dcb()? {
            causes.media_specific = false;
            causes.disc_control_block = true;
        }
        let named = WriteProtection {
            read_only_media: false,
            ..causes
        };
        if config.is_current(FeatureCode::WriteProtect) && named == WriteProtection::default() {
            causes.media_specific = true;
        }
        Ok(causes)
    }

    /// Format C0h, `None` when the drive does not report it.
    fn protection_status(
        &mut self,
        media: DiscStructureMedia,
    ) -> Result<Option<WriteProtectionStatus>, Error> {
        let mut buf = [0u8; 8];
        let got = self.structure(media, WRITE_PROTECTION_STATUS, 0, &mut buf)?;
        Ok(got.and_then(|b| WriteProtectionStatus::parse(b).ok()))
    }

    /// Whether format 30h returns the Write Inhibit DCB when asked for it by its content
    /// descriptor (MMC-6 6.23, format 30h: the Address field names the DCB).
    fn write_inhibit_dcb(&mut self) -> Result<bool, Error> {
        let mut buf = [0u8; 8];
        let got = self.structure(
            DiscStructureMedia::Dvd,
            DISC_CONTROL_BLOCK,
            WRITE_INHIBIT_DCB,
            &mut buf,
        )?;
        Ok(got
            .and_then(|b| b.get(4..8))
            .is_some_and(|d| d == WRITE_INHIBIT_DCB.to_be_bytes()))
    }

    /// READ DISC STRUCTURE of `format` at `address` into `buf`: the bytes returned, `None`
    /// when the drive refuses (CHECK CONDITION).
    fn structure<'b>(
        &mut self,
        media: DiscStructureMedia,
        format: u8,
        address: u32,
        buf: &'b mut [u8],
    ) -> Result<Option<&'b [u8]>, Error> {
        let cdb = ReadDiscStructure {
            media_type: media,
            address,
            layer_number: 0,
            format_code: format,
            allocation_length: u16::try_from(buf.len()).unwrap_or(u16::MAX),
            agid: 0,
        };
        match self.answer(&cdb, DataPhase::In(buf), DEFAULT_TIMEOUT)? {
            Answer::Good { transferred } => Ok(buf.get(..transferred)),
            Answer::Check { .. } => Ok(None),
        }
    }
}
