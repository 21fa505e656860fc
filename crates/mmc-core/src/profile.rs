//! MMC profiles (MMC-6 5.3.1, table 91): what kind of medium a drive sees, reported as the
//! current profile in the GET CONFIGURATION header and listed in the Profile List feature.

use crate::wire::wire_enum;

wire_enum! {
    /// An MMC profile number. `Unknown` keeps any value MMC-6 does not define.
    pub enum Profile: u16 as from_u16 / to_u16 {
        /// 0000h: reserved; drives report it as the current profile when no medium is present
        /// (or the medium is not recognised).
        NoProfile = 0x0000 => "no current profile",
        NonRemovableDisk = 0x0001 => "Non-removable disk",
        RemovableDisk = 0x0002 => "Removable disk",
        MoErasable = 0x0003 => "MO erasable",
        MoWriteOnce = 0x0004 => "Optical write once",
        AsMo = 0x0005 => "AS-MO",
        CdRom = 0x0008 => "CD-ROM",
        CdR = 0x0009 => "CD-R",
        CdRw = 0x000A => "CD-RW",
        DvdRom = 0x0010 => "DVD-ROM",
        DvdRSequential = 0x0011 => "DVD-R sequential recording",
        DvdRam = 0x0012 => "DVD-RAM",
        DvdRwRestrictedOverwrite = 0x0013 => "DVD-RW restricted overwrite",
        DvdRwSequential = 0x0014 => "DVD-RW sequential recording",
        DvdRDualLayerSequential = 0x0015 => "DVD-R DL sequential recording",
        DvdRDualLayerJump = 0x0016 => "DVD-R DL layer jump recording",
        DvdRwDualLayer = 0x0017 => "DVD-RW DL",
        DvdDownload = 0x0018 => "DVD-Download disc recording",
        DvdPlusRw = 0x001A => "DVD+RW",
        DvdPlusR = 0x001B => "DVD+R",
        DdCdRom = 0x0020 => "DDCD-ROM",
        DdCdR = 0x0021 => "DDCD-R",
        DdCdRw = 0x0022 => "DDCD-RW",
        DvdPlusRwDualLayer = 0x002A => "DVD+RW DL",
        DvdPlusRDualLayer = 0x002B => "DVD+R DL",
        BdRom = 0x0040 => "BD-ROM",
        /// BD-R in Sequential Recording Mode.
        BdRSrm = 0x0041 => "BD-R SRM",
        /// BD-R in Random Recording Mode.
        BdRRrm = 0x0042 => "BD-R RRM",
        BdRe = 0x0043 => "BD-RE",
        HdDvdRom = 0x0050 => "HD DVD-ROM",
        HdDvdR = 0x0051 => "HD DVD-R",
        HdDvdRam = 0x0052 => "HD DVD-RAM",
        HdDvdRw = 0x0053 => "HD DVD-RW",
        HdDvdRDualLayer = 0x0058 => "HD DVD-R DL",
        HdDvdRwDualLayer = 0x005A => "HD DVD-RW DL",
        /// FFFFh: the drive conforms to no standard profile.
        NonStandard = 0xFFFF => "Non-standard profile",
    }
}

impl Profile {
    /// CD family (including Double Density CD).
    pub const fn is_cd(self) -> bool {
        matches!(
            self,
            Profile::CdRom
                | Profile::CdR
                | Profile::CdRw
                | Profile::DdCdRom
                | Profile::DdCdR
                | Profile::DdCdRw
        )
    }

    /// DVD family (DVD-ROM, the dash and plus formats, DVD-RAM, DVD-Download); not HD DVD.
    pub const fn is_dvd(self) -> bool {
        matches!(
            self,
            Profile::DvdRom
                | Profile::DvdRSequential
                | Profile::DvdRam
                | Profile::DvdRwRestrictedOverwrite
                | Profile::DvdRwSequential
                | Profile::DvdRDualLayerSequential
                | Profile::DvdRDualLayerJump
                | Profile::DvdRwDualLayer
                | Profile::DvdDownload
                | Profile::DvdPlusRw
                | Profile::DvdPlusR
                | Profile::DvdPlusRwDualLayer
                | Profile::DvdPlusRDualLayer
        )
    }

    /// Blu-ray family.
    pub const fn is_bd(self) -> bool {
        matches!(
            self,
            Profile::BdRom | Profile::BdRSrm | Profile::BdRRrm | Profile::BdRe
        )
    }

    /// The speed of 1x in kB/s (k = 1000), the unit of GET PERFORMANCE write speed
    /// descriptors, SET CD SPEED and SET STREAMING (MMC-6 6.8, 6.37, 6.39): CD 176.4, DVD 1385,
    /// BD 4495; `None` outside those families.
    ///
    /// CD is 176.4, not 176: 1x is 75 sectors of 2352 bytes a second, and drives report CD
    /// speeds as multiples of 176.4 rounded (4x = 706, 48x = 8467), so `kbps / one_x` gives
    /// whole numbers only with the exact value. DVD 1x is 11.08 Mbit/s of user data (1385 kB/s,
    /// ECMA-267); BD 1x is 2195 sectors a second of 2048 bytes (4495 kB/s, rounded).
    pub const fn one_x(self) -> Option<f64> {
        if self.is_cd() {
            Some(176.4)
        } else if self.is_dvd() {
            Some(1385.0)
        } else if self.is_bd() {
            Some(4495.0)
        } else {
            None
        }
    }

    /// The bytes a sector counts for in kB/s speeds: 2352 on CD, where SET CD SPEED, page 2Ah
    /// and GET PERFORMANCE count raw frames (1x = 75 frames a second), 2048 elsewhere.
    pub const fn speed_sector_bytes(self) -> u32 {
        if self.is_cd() {
            2352
        } else {
            crate::BLOCK_LEN
        }
    }

    /// Sectors a second at 1x (75 on CD, about 676 on DVD, 2195 on BD); `None` outside those
    /// families. A rate of user data divided by this, in 2048-byte sectors, is the "x" figure.
    pub fn one_x_sectors(self) -> Option<f64> {
        Some(self.one_x()? * 1000.0 / f64::from(self.speed_sector_bytes()))
    }

    /// HD DVD family.
    pub const fn is_hd_dvd(self) -> bool {
        matches!(
            self,
            Profile::HdDvdRom
                | Profile::HdDvdR
                | Profile::HdDvdRam
                | Profile::HdDvdRw
                | Profile::HdDvdRDualLayer
                | Profile::HdDvdRwDualLayer
        )
    }

    /// Write-once media: each sector can be recorded once (sessions are appended).
    pub const fn is_write_once(self) -> bool {
        matches!(
            self,
            Profile::MoWriteOnce
                | Profile::CdR
                | Profile::DdCdR
                | Profile::DvdRSequential
                | Profile::DvdRDualLayerSequential
                | Profile::DvdRDualLayerJump
                | Profile::DvdDownload
                | Profile::DvdPlusR
                | Profile::DvdPlusRDualLayer
                | Profile::BdRSrm
                | Profile::BdRRrm
                | Profile::HdDvdR
                | Profile::HdDvdRDualLayer
        )
    }

    /// Overwritable media: any (aligned) block can be rewritten in place with WRITE, no
    /// blanking and no sessions (IMAPI's "overwrite only" state). DVD-RW counts only in
    /// restricted overwrite mode; CD-RW and sequential DVD-RW need BLANK first.
    pub const fn is_rewritable_random(self) -> bool {
        matches!(
            self,
            Profile::NonRemovableDisk
                | Profile::RemovableDisk
                | Profile::MoErasable
                | Profile::AsMo
                | Profile::DvdRam
                | Profile::DvdRwRestrictedOverwrite
                | Profile::DvdPlusRw
                | Profile::DvdPlusRwDualLayer
                | Profile::BdRe
                | Profile::HdDvdRam
        )
    }

    /// Media that must be blanked (BLANK command) before being recorded again.
    pub const fn is_erasable_sequential(self) -> bool {
        matches!(
            self,
            Profile::CdRw
                | Profile::DdCdRw
                | Profile::DvdRwSequential
                | Profile::DvdRwDualLayer
                | Profile::HdDvdRw
                | Profile::HdDvdRwDualLayer
        )
    }

    /// Any recordable medium: write-once, overwritable or erasable.
    pub const fn is_writable(self) -> bool {
        self.is_write_once() || self.is_rewritable_random() || self.is_erasable_sequential()
    }

    /// Read-only discs (pressed media, or a recordable disc the drive treats as ROM).
    pub const fn is_read_only(self) -> bool {
        matches!(
            self,
            Profile::CdRom
                | Profile::DdCdRom
                | Profile::DvdRom
                | Profile::BdRom
                | Profile::HdDvdRom
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_x_is_per_family() {
        assert_eq!(Profile::CdR.one_x(), Some(176.4));
        assert_eq!(Profile::DvdPlusR.one_x(), Some(1385.0));
        assert_eq!(Profile::BdRe.one_x(), Some(4495.0));
        assert_eq!(Profile::HdDvdR.one_x(), None);
        // A drive's 4x CD write speed is 706 kB/s.
        assert_eq!((706.0 / Profile::CdRw.one_x().unwrap_or(1.0)).round(), 4.0);
        // CD 1x: 75 frames a second; DVD 1x: 11.08 Mbit/s of 2048-byte sectors.
        assert_eq!(Profile::CdR.one_x_sectors(), Some(75.0));
        assert_eq!(
            Profile::DvdPlusRw.one_x_sectors().map(f64::round),
            Some(676.0)
        );
        assert_eq!(Profile::DvdRom.speed_sector_bytes(), 2048);
    }
}
