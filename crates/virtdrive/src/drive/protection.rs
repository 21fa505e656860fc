//! Why a disc cannot be written, cause by cause: what READ DISC STRUCTURE format C0h (Write
//! Protection Status, MMC-6 6.23) reports bit by bit, the DVD+RW write-inhibit Disc
//! Control Block (format 30h), and the sense each cause gives a command that records (SPC-4
//! 4.5.6, ASC 27h).

use mmc_core::response::WriteProtectionStatus;
use mmc_core::sense::{triples, SenseTriple};
use serde::{Deserialize, Serialize};

/// The causes of a disc's write protection; none set: writable.
///
/// JSON (disc files, fault plans): `{"cartridge": true}`, absent fields false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WriteProtection {
    /// SWPP: software write protection until power-down (the Timeout and Protect mode
    /// page, 1Dh): cleared by a power cycle. 07/27/02 SOFTWARE WRITE PROTECTED.
    pub until_power_down: bool,
    /// CWP: the cartridge's write-protect switch. 07/27/01 HARDWARE WRITE PROTECTED.
    pub cartridge: bool,
    /// MSWI: write inhibited for a reason specific to the medium. 07/27/00 WRITE PROTECTED.
    pub media_specific: bool,
    /// PWP: persistent write protection, recorded on the disc. 07/27/04 PERSISTENT WRITE
    /// PROTECT.
    pub persistent: bool,
    /// A DVD+RW write-inhibit Disc Control Block: reported as MSWI, and the DCB is read back
    /// with format 30h. 07/27/00 WRITE PROTECTED, as MSWI.
    pub disc_control_block: bool,
}

/// The content descriptor of the DVD+RW Write Inhibit DCB, "WDC" and a zero byte.
pub const WRITE_INHIBIT_DCB: u32 = 0x5744_4300;

impl WriteProtection {
    /// Write-inhibited for a reason specific to the medium: what `write_protect` sets.
    pub const MEDIA_SPECIFIC: WriteProtection = WriteProtection {
        until_power_down: false,
        cartridge: false,
        media_specific: true,
        persistent: false,
        disc_control_block: false,
    };

    /// Whether any cause is set.
    pub fn any(&self) -> bool {
        *self != WriteProtection::default()
    }

    /// The sense a command that records gets, `None` when the disc is writable. With several
    /// causes, the one a host can least undo is reported.
    pub(crate) fn sense(&self) -> Option<SenseTriple> {
        if self.cartridge {
            Some(SenseTriple::new(0x7, 0x27, 0x01))
        } else if self.persistent {
            Some(SenseTriple::new(0x7, 0x27, 0x04))
        } else if self.media_specific || self.disc_control_block {
            Some(triples::WRITE_PROTECTED)
        } else if self.until_power_down {
            Some(SenseTriple::new(0x7, 0x27, 0x02))
        } else {
            None
        }
    }

    /// Format C0h with these causes.
    pub(crate) fn status(&self) -> WriteProtectionStatus {
        WriteProtectionStatus {
            media_specific_write_inhibit: self.media_specific || self.disc_control_block,
            cartridge_write_protect: self.cartridge,
            persistent_write_protect: self.persistent,
            software_write_protect: self.until_power_down,
            cut_bytes: 0,
        }
    }
}
