//! GET CONFIGURATION (MMC-6 5, 6.6): the profiles this drive model can use, the current one,
//! and its features with their current and persistent bits.
//!
//! The drive is a BD/DVD/CD writer: it lists the profiles of the media it emulates and of the
//! write-once siblings a real writer of its class supports (DVD+R, BD-R), so hosts see a
//! realistic drive. A feature is current when the medium in the drive makes it usable; the
//! recording features stop being current on a write-protected disc.

use mmc_core::cdb::{ConfigurationRequest, GetConfiguration};
use mmc_core::response::configuration::{Configuration, Feature, FeatureCode};
use mmc_core::response::features::*;
use mmc_core::response::ResponseFormat;
use mmc_core::Profile;

use super::{DiscCondition, DriveClass, EmulatedDrive, Reply};

/// Profiles the drive supports, highest first as drives list them.
const PROFILES: [Profile; 9] = [
    Profile::BdRe,
    Profile::BdRSrm,
    Profile::BdRom,
    Profile::DvdPlusR,
    Profile::DvdPlusRw,
    Profile::DvdRom,
    Profile::CdRw,
    Profile::CdR,
    Profile::CdRom,
];

/// The DVD-R profiles, listed after DVD+RW (highest first) while a DVD-R or DVD-R DL is in
/// the drive. Emulator choice, as for feature 0038h: the lists of the other media stay as
/// they were.
const DVD_MINUS_R_PROFILES: [Profile; 2] =
    [Profile::DvdRDualLayerSequential, Profile::DvdRSequential];

/// The DVD-RW profiles, listed after DVD+RW while a DVD-RW is in the drive (as the DVD-R
/// profiles are): Sequential recording and Restricted Overwrite.
const DVD_RW_PROFILES: [Profile; 2] = [Profile::DvdRwSequential, Profile::DvdRwRestrictedOverwrite];

/// Version bitmap for the BD Read/Write features' class 0 (versions 1-3).
const BD_CLASS0_VERSIONS: [u16; 4] = [0b1110, 0, 0, 0];

/// What the features depend on.
#[derive(Debug, Clone, Copy)]
struct MediumView {
    profile: Profile,
    write_protected: bool,
    /// Sectors per ECC block of the current medium.
    blocking: u16,
    /// Last LBA of the user area (Random Writable feature).
    last_lba: u32,
    /// A write-once disc FORMAT UNIT can format now (blank BD-R).
    formattable: bool,
    /// The disc is formatted with spare areas: the drive manages defects.
    defect_management: bool,
    /// A BD-R formatted for Pseudo-OverWrite.
    pseudo_overwrite: bool,
}

impl EmulatedDrive {
    /// The current profile: the medium's, once the drive has recognised it; 0000h with no
    /// disc, an open tray, a disc still spinning up, upside down or unreadable.
    pub(crate) fn current_profile(&self) -> Profile {
        match self.disc.as_ref() {
            Some(d)
                if !self.tray_open
                    && self.now >= d.ready_at
                    && d.condition == DiscCondition::Normal =>
            {
                let profile = d.medium.profile();
                match self.config.class {
                    DriveClass::Writer => profile,
                    // A reader uses every disc of a family as its ROM profile.
                    DriveClass::Reader if profile.is_cd() => Profile::CdRom,
                    DriveClass::Reader if profile.is_dvd() => Profile::DvdRom,
                    DriveClass::Reader if profile.is_bd() => Profile::BdRom,
                    DriveClass::Reader => profile,
                }
            }
            _ => Profile::NoProfile,
        }
    }

    fn medium_view(&self) -> MediumView {
        let profile = self.current_profile();
        let disc = self.disc.as_ref().filter(|_| profile != Profile::NoProfile);
        let last_lba = disc
            .and_then(|d| d.medium.read_capacity().ok())
            .map(|c| c.last_lba)
            .unwrap_or(0);
        MediumView {
            profile,
            write_protected: disc.is_some_and(|d| d.write_protection.any()),
            blocking: disc
                .map(|d| u16::try_from(d.medium.blocking()).unwrap_or(1))
                .unwrap_or(1),
            last_lba,
            formattable: disc.is_some_and(|d| d.medium.formattable()),
            defect_management: disc.is_some_and(|d| d.medium.defect_management_active()),
            pseudo_overwrite: disc.is_some_and(|d| d.medium.pseudo_overwrite_active()),
        }
    }

    pub(super) fn get_configuration(&self, cdb: GetConfiguration) -> Reply {
        let view = self.medium_view();
        let mut all = features(&view, &self.config.identity.product);
        if self.config.class == DriveClass::Reader {
            all = reader_features(all);
        }
        let start = cdb.starting_feature;
        let selected: Vec<Feature> = all
            .into_iter()
            .filter(|f| match cdb.requested_type {
                ConfigurationRequest::All => f.code.to_u16() >= start,
                ConfigurationRequest::Current => f.current && f.code.to_u16() >= start,
                ConfigurationRequest::One => f.code.to_u16() == start,
                // Reserved RT value: MMC-6 answers as for 00b.
                _ => f.code.to_u16() >= start,
            })
            .collect();
        let config = Configuration {
            current_profile: view.profile,
            features: selected,
            cut_bytes: 0,
        };
        let mut bytes = config.to_bytes();
        bytes.truncate(usize::from(cdb.allocation_length));
        Reply::Data(bytes)
    }
}

fn features(view: &MediumView, product: &str) -> Vec<Feature> {
    let p = view.profile;
    let cd = p.is_cd();
    let dvd = p.is_dvd();
    let bd = p.is_bd();
    let present = p != Profile::NoProfile;
    let writable = !view.write_protected;
    let overwritable = matches!(p, Profile::DvdPlusRw | Profile::BdRe | Profile::DvdRam);
    // CD-RW records as CD-R does (TAO, SAO, sessions).
    let cd_r = matches!(p, Profile::CdR | Profile::CdRw);
    let dvd_rw = DVD_RW_PROFILES.contains(&p);
    // DVD-R and DVD-RW in Sequential recording record alike (page 05h, link size 16).
    let dvd_minus_r = DVD_MINUS_R_PROFILES.contains(&p) || p == Profile::DvdRwSequential;
    // DVD-R: Incremental Streaming (feature 0021h) on the single-layer disc only (growisofs
    // and libburn: DVD-R DL records Disc-at-Once).
    let incremental = cd_r || matches!(p, Profile::DvdRSequential | Profile::DvdRwSequential);
    // DVD+R DL (002Bh) is listed before DVD+R while one is in the drive, as the DVD-R
    // profiles are (emulator choice: the lists of the other media stay as they were).
    let dvd_plus_r_dl = p == Profile::DvdPlusRDualLayer;
    // DVD-RAM (0012h) is listed after DVD+RW while one is in the drive (emulator choice, as
    // for the DVD-R profiles).
    let dvd_ram = p == Profile::DvdRam;
    let listed = PROFILES.iter().copied().flat_map(|profile| {
        let before = (dvd_plus_r_dl && profile == Profile::DvdPlusR).then_some(p);
        let minus = if dvd_rw {
            DVD_RW_PROFILES
        } else {
            DVD_MINUS_R_PROFILES
        };
        let after = ((dvd_minus_r || dvd_rw) && profile == Profile::DvdPlusRw).then_some(minus);
        let ram = (dvd_ram && profile == Profile::DvdPlusRw).then_some(p);
        before
            .into_iter()
            .chain(core::iter::once(profile))
            .chain(after.into_iter().flatten())
            .chain(ram)
    });
    let profiles = ProfileList {
        profiles: listed
            .map(|profile| ProfileDescriptor {
                profile,
                current: profile == p,
            })
            .collect(),
    };
    vec![
        Feature::new(profiles, 0, true, true),
        Feature::new(
            Core {
                physical_interface: 2, // ATAPI, as most optical writers
                inq2: true,
                device_busy_event: false,
            },
            2,
            true,
            true,
        ),
        Feature::new(
            Morphing {
                oc_event: true,
                asynchronous: false,
            },
            1,
            true,
            true,
        ),
        Feature::new(
            RemovableMedium {
                loading_mechanism: 0b001, // tray
                load: true,
                eject: true,
                prevent_jumper: false,
                dbml: false,
                lock: true,
            },
            0,
            true,
            true,
        ),
        // Current while the disc is write-protected: hosts read the protection from it.
        Feature::new(
            WriteProtect {
                dwp: false,
                wdcb: false,
                spwp: false,
                sswpp: false,
            },
            0,
            false,
            present && view.write_protected,
        ),
        Feature::new(
            RandomReadable {
                logical_block_size: 2048,
                blocking: view.blocking.max(1),
                page_present: true,
            },
            0,
            false,
            present,
        ),
        Feature::new(MultiRead {}, 0, false, cd),
        Feature::new(
            CdRead {
                dap: false,
                c2_flags: false,
                cd_text: false,
            },
            0,
            false,
            cd,
        ),
        Feature::new(
            DvdRead {
                multi110: true,
                dual_rw: false,
                // DualR: the drive reads DVD-R DL (MMC-5 5.3.10, DVD Read); set while one is in the
                // drive, so the other media's lists stay as they were (emulator choice).
                dual_r: p == Profile::DvdRDualLayerSequential,
            },
            0,
            false,
            dvd,
        ),
        Feature::new(
            RandomWritable {
                last_lba: if overwritable { view.last_lba } else { 0 },
                logical_block_size: 2048,
                blocking: view.blocking.max(1),
                page_present: true,
            },
            0,
            false,
            overwritable && writable,
        ),
        Feature::new(
            IncrementalStreamingWritable {
                // Data block types 8 (Mode 1) and 10 (Mode 2 Form 1); on DVD-R 8 only.
                data_block_types_supported: if dvd_minus_r {
                    1 << 8
                } else {
                    1 << 8 | 1 << 10
                },
                trio: false,
                arsv: false,
                buf: true,
                // DVD-R links 16 sectors (growisofs sets Link Size 16 for profile 0011h;
                // libburn takes the first link size of this feature and expects 16).
                link_sizes: if dvd_minus_r { vec![16] } else { vec![7] },
            },
            1,
            false,
            incremental && writable,
        ),
        Feature::new(
            Formattable {
                frf: false,
                renosa: true,
                // Expand: DVD-RAM spare area expansion, format type 01h (MMC-6 5.3, feature 0023h).
                expand: dvd_ram,
                qcert: p == Profile::BdRe,
                cert: p == Profile::BdRe,
                rrm: false,
            },
            0,
            false,
            (overwritable || view.formattable) && writable,
        ),
        // Feature 0024h (MMC-6 5.3): current while the drive manages defects on the disc (BD-RE,
        // DVD-RAM, and a BD-R formatted with spare areas).
        Feature::new(
            HardwareDefectManagement { ssa: true },
            0,
            false,
            p == Profile::BdRe || view.defect_management,
        ),
        Feature::new(
            DvdPlusRw {
                write: true,
                quick_start: true,
                close_only: false,
            },
            0,
            false,
            p == Profile::DvdPlusRw,
        ),
        // Feature 002Bh is current with a DVD+R DL too: the drive reads and writes it as a
        // DVD+R (MMC-6 5.4, profile 002Bh lists features 002Bh and 003Bh).
        Feature::new(
            DvdPlusR { write: true },
            0,
            false,
            matches!(p, Profile::DvdPlusR | Profile::DvdPlusRDualLayer) && writable,
        ),
        // Feature 002Ch Rigid Restricted Overwrite (MMC-6 5.3): current with a DVD-RW in
        // Restricted Overwrite; BLANK 000b/001b and the intermediate state (quick format
        // 15h) are supported. Listed while a DVD-RW is in the drive (as 0038h).
        Feature::new(
            RigidRestrictedOverwrite {
                dsdg: false,
                dsdr: false,
                intermediate: true,
                blank: true,
            },
            0,
            false,
            p == Profile::DvdRwRestrictedOverwrite && writable,
        ),
        Feature::new(
            CdTrackAtOnce {
                buf: true,
                rw_raw: false,
                rw_pack: false,
                test_write: true,
                cd_rw: true,
                rw_subcode: false,
                data_types_supported: 1 << 8 | 1 << 10,
            },
            2,
            false,
            cd_r && writable,
        ),
        Feature::new(
            CdMastering {
                buf: true,
                sao: true,
                raw_ms: false,
                raw: false,
                test_write: true,
                cd_rw: true,
                rw: false,
                max_cue_sheet_length: 99 * 3 * 8 + 64,
            },
            0,
            false,
            cd_r && writable,
        ),
        // Feature 002Fh DVD-R/-RW Write (MMC-5 5.3.25): Disc-at-Once on DVD-R and DVD-R DL,
        // with buffer under-run protection, test writes and DVD-R DL writing (RDL).
        Feature::new(
            DvdRRwWrite {
                buf: true,
                rdl: true,
                test_write: true,
                // DVD-RW: the drive writes DVD-RW (set while one is in the drive, so the
                // other media's lists stay as they were).
                dvd_rw,
            },
            1,
            false,
            dvd_minus_r && writable,
        ),
        // Feature 0037h CD-RW Media Write Support (MMC-6 5.3): the CD-RW sub-types the drive
        // writes, 0 (CD-RW) and 1 (High-Speed CD-RW). Emulator choice, as for 0038h: listed
        // while a CD-RW is in the drive, so the lists of the other media stay as they were.
        Feature::new(
            CdRwMediaWriteSupport { subtypes: 0b11 },
            0,
            false,
            p == Profile::CdRw && writable,
        ),
        // Feature 0038h BD-R Pseudo-Overwrite (MMC-6 5.3): the drive pseudo-overwrites a BD-R
        // formatted for POW; current with such a disc in the drive (INF). Emulator choice:
        // listed only while a BD-R is in the drive, so the lists of other media stay as
        // they were (a drive lists every feature it has).
        Feature::new(BdRPow {}, 0, false, view.pseudo_overwrite && writable),
        // Feature 003Bh DVD+R Dual Layer (MMC-6 5.3): the drive writes DVD+R DL; listed while
        // one is in the drive (emulator choice, as for 0038h).
        Feature::new(
            DvdPlusRDualLayer { write: true },
            0,
            false,
            p == Profile::DvdPlusRDualLayer && writable,
        ),
        Feature::new(
            BdRead {
                bca: false,
                bd_re: BD_CLASS0_VERSIONS,
                bd_r: BD_CLASS0_VERSIONS,
                bd_rom: BD_CLASS0_VERSIONS,
            },
            1,
            false,
            bd,
        ),
        Feature::new(
            BdWrite {
                svnr: true,
                bd_re: BD_CLASS0_VERSIONS,
                bd_r: BD_CLASS0_VERSIONS,
            },
            2,
            false,
            matches!(p, Profile::BdRe | Profile::BdRSrm) && writable,
        ),
        Feature::new(PowerManagement {}, 0, true, true),
        Feature::new(
            Timeout {
                group3: false,
                unit_length: 0,
            },
            0,
            true,
            true,
        ),
        Feature::new(
            RealTimeStreaming {
                smp: false,
                rbcb: true,
                scs: true,
                mp2a: true,
                wspd: true,
                sw: true,
            },
            5,
            true,
            true,
        ),
        Feature::new(
            DriveSerialNumber {
                serial_number: serial_for(product),
            },
            0,
            true,
            true,
        ),
    ]
    .into_iter()
    .filter(|f| f.code != FeatureCode::Unknown(0xFFFF))
    .filter(|f| f.code != FeatureCode::BdRPow || p == Profile::BdRSrm)
    .filter(|f| f.code != FeatureCode::CdRwMediaWriteSupport || p == Profile::CdRw)
    .filter(|f| f.code != FeatureCode::DvdRRwWrite || dvd_minus_r || dvd_rw)
    .filter(|f| f.code != FeatureCode::RigidRestrictedOverwrite || dvd_rw)
    .filter(|f| f.code != FeatureCode::DvdPlusRDualLayer || dvd_plus_r_dl)
    .collect()
}

/// A reader's features: the writer's without those that record (MMC-6 5.3: Random Writable,
/// Incremental Streaming Writable, Formattable, Hardware Defect Management, Rigid Restricted
/// Overwrite, CD Track at Once, CD Mastering, DVD-R/-RW Write, CD-RW Media Write Support, BD-R
/// POW, BD Write), the ROM profiles only, and DVD+R and DVD+RW read but not written (their
/// Write bit clear).
fn reader_features(all: Vec<Feature>) -> Vec<Feature> {
    const RECORDING: [FeatureCode; 11] = [
        FeatureCode::CdRwMediaWriteSupport,
        FeatureCode::DvdRRwWrite,
        FeatureCode::RigidRestrictedOverwrite,
        FeatureCode::RandomWritable,
        FeatureCode::IncrementalStreamingWritable,
        FeatureCode::Formattable,
        FeatureCode::HardwareDefectManagement,
        FeatureCode::CdTrackAtOnce,
        FeatureCode::CdMastering,
        FeatureCode::BdRPow,
        FeatureCode::BdWrite,
    ];
    all.into_iter()
        .filter(|f| !RECORDING.contains(&f.code))
        .map(|mut f| {
            match &mut f.body {
                FeatureBody::ProfileList(list) => {
                    list.profiles.retain(|d| d.profile.is_read_only())
                }
                FeatureBody::DvdPlusR(d) => d.write = false,
                FeatureBody::DvdPlusRDualLayer(d) => d.write = false,
                FeatureBody::DvdPlusRw(d) => d.write = false,
                FeatureBody::RealTimeStreaming(d) => d.wspd = false,
                _ => {}
            }
            f
        })
        .collect()
}

/// A stable serial number derived from the product name, padded to a multiple of 4.
fn serial_for(product: &str) -> String {
    let digest = blake3::hash(product.as_bytes());
    let hex: String = digest
        .as_bytes()
        .iter()
        .take(4)
        .map(|b| format!("{b:02X}"))
        .collect();
    format!("VD{hex}  ")
}
