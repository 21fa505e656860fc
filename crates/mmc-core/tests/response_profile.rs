//! Profiles: every MMC-6 number named, unknown numbers kept, and the media classes the engine
//! decides by.

use mmc_core::profile::Profile;
use proptest::prelude::*;

#[test]
fn every_mmc6_profile_has_its_number_and_name() {
    let table: &[(u16, Profile, &str)] = &[
        (0x0000, Profile::NoProfile, "no current profile"),
        (0x0001, Profile::NonRemovableDisk, "Non-removable disk"),
        (0x0002, Profile::RemovableDisk, "Removable disk"),
        (0x0003, Profile::MoErasable, "MO erasable"),
        (0x0004, Profile::MoWriteOnce, "Optical write once"),
        (0x0005, Profile::AsMo, "AS-MO"),
        (0x0008, Profile::CdRom, "CD-ROM"),
        (0x0009, Profile::CdR, "CD-R"),
        (0x000A, Profile::CdRw, "CD-RW"),
        (0x0010, Profile::DvdRom, "DVD-ROM"),
        (
            0x0011,
            Profile::DvdRSequential,
            "DVD-R sequential recording",
        ),
        (0x0012, Profile::DvdRam, "DVD-RAM"),
        (
            0x0013,
            Profile::DvdRwRestrictedOverwrite,
            "DVD-RW restricted overwrite",
        ),
        (
            0x0014,
            Profile::DvdRwSequential,
            "DVD-RW sequential recording",
        ),
        (
            0x0015,
            Profile::DvdRDualLayerSequential,
            "DVD-R DL sequential recording",
        ),
        (
            0x0016,
            Profile::DvdRDualLayerJump,
            "DVD-R DL layer jump recording",
        ),
        (0x0017, Profile::DvdRwDualLayer, "DVD-RW DL"),
        (0x0018, Profile::DvdDownload, "DVD-Download disc recording"),
        (0x001A, Profile::DvdPlusRw, "DVD+RW"),
        (0x001B, Profile::DvdPlusR, "DVD+R"),
        (0x0020, Profile::DdCdRom, "DDCD-ROM"),
        (0x0021, Profile::DdCdR, "DDCD-R"),
        (0x0022, Profile::DdCdRw, "DDCD-RW"),
        (0x002A, Profile::DvdPlusRwDualLayer, "DVD+RW DL"),
        (0x002B, Profile::DvdPlusRDualLayer, "DVD+R DL"),
        (0x0040, Profile::BdRom, "BD-ROM"),
        (0x0041, Profile::BdRSrm, "BD-R SRM"),
        (0x0042, Profile::BdRRrm, "BD-R RRM"),
        (0x0043, Profile::BdRe, "BD-RE"),
        (0x0050, Profile::HdDvdRom, "HD DVD-ROM"),
        (0x0051, Profile::HdDvdR, "HD DVD-R"),
        (0x0052, Profile::HdDvdRam, "HD DVD-RAM"),
        (0x0053, Profile::HdDvdRw, "HD DVD-RW"),
        (0x0058, Profile::HdDvdRDualLayer, "HD DVD-R DL"),
        (0x005A, Profile::HdDvdRwDualLayer, "HD DVD-RW DL"),
        (0xFFFF, Profile::NonStandard, "Non-standard profile"),
    ];
    for &(n, p, name) in table {
        assert_eq!(Profile::from_u16(n), p, "{n:#06x}");
        assert_eq!(p.to_u16(), n);
        assert_eq!(p.name(), name);
    }
    assert_eq!(Profile::ALL.len(), table.len());
}

#[test]
fn unknown_profiles_round_trip() {
    assert_eq!(Profile::from_u16(0x0059), Profile::Unknown(0x0059));
    assert_eq!(Profile::Unknown(0x0059).to_u16(), 0x0059);
    assert_eq!(Profile::from_u16(0x0080).to_string(), "unknown (0x80)");
    assert_eq!(Profile::BdRe.to_string(), "BD-RE");
}

#[test]
fn media_classes_follow_the_profile() {
    assert!(
        Profile::CdR.is_cd()
            && Profile::CdR.is_write_once()
            && !Profile::CdR.is_rewritable_random()
    );
    assert!(
        Profile::CdRw.is_cd()
            && Profile::CdRw.is_writable()
            && !Profile::CdRw.is_rewritable_random()
    );
    assert!(Profile::DvdPlusRw.is_dvd() && Profile::DvdPlusRw.is_rewritable_random());
    assert!(Profile::DvdRam.is_rewritable_random());
    assert!(Profile::DvdRwRestrictedOverwrite.is_rewritable_random());
    assert!(
        !Profile::DvdRwSequential.is_rewritable_random() && Profile::DvdRwSequential.is_writable()
    );
    assert!(Profile::DvdPlusR.is_write_once() && Profile::DvdPlusRDualLayer.is_write_once());
    assert!(
        Profile::BdRe.is_bd()
            && Profile::BdRe.is_rewritable_random()
            && !Profile::BdRe.is_write_once()
    );
    assert!(Profile::BdRSrm.is_write_once() && Profile::BdRRrm.is_write_once());
    for ro in [
        Profile::CdRom,
        Profile::DvdRom,
        Profile::BdRom,
        Profile::HdDvdRom,
        Profile::NoProfile,
    ] {
        assert!(!ro.is_writable(), "{ro:?}");
    }
    assert!(!Profile::Unknown(0x1234).is_writable());
    assert!(Profile::HdDvdRam.is_hd_dvd() && !Profile::HdDvdRam.is_dvd());
}

#[test]
fn the_media_classes_do_not_overlap() {
    for &p in Profile::ALL {
        let families = [p.is_cd(), p.is_dvd(), p.is_bd(), p.is_hd_dvd()]
            .iter()
            .filter(|&&x| x)
            .count();
        assert!(families <= 1, "{p:?}");
        let kinds = [
            p.is_write_once(),
            p.is_rewritable_random(),
            p.is_erasable_sequential(),
        ]
        .iter()
        .filter(|&&x| x)
        .count();
        assert!(kinds <= 1, "{p:?}");
        assert!(!(p.is_read_only() && p.is_writable()), "{p:?}");
    }
}

proptest! {
    #[test]
    fn every_number_round_trips(n: u16) {
        prop_assert_eq!(Profile::from_u16(n).to_u16(), n);
    }
}
