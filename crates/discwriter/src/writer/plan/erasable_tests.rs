//! The planner on erasable media: a CD-RW is recorded as a CD-R, a sequential DVD-RW as a
//! DVD-R written incrementally, a DVD-RW in restricted overwrite and a DVD-RAM from LBA 0 as
//! a DVD+RW, with the same ForceOverwrite rule. Capacities are the ones drives report (CD-RW
//! 80 min 359,847 sectors; DVD-RW 2,298,496; DVD-RAM 2,236,704).

use mmc_core::Profile;

use super::tests::{blank, disc, facts, plan};
use super::*;
use crate::recorder::DiscState;
use crate::writer::blank::Contents;
use crate::writer::DefectManagement;

const CD_RW: u32 = 359_847;
const DVD_RW: u32 = 2_298_496;
const DVD_RAM: u32 = 2_236_704;

#[test]
fn erasable_profiles_have_the_classes_of_the_media_they_are_written_like() {
    let rows = [
        (Profile::CdRw, MediumClass::Cd),
        (
            Profile::DvdRwSequential,
            MediumClass::DvdDashR { dual_layer: false },
        ),
        (
            Profile::DvdRwRestrictedOverwrite,
            MediumClass::Overwritable { dvd_plus_rw: false },
        ),
        (
            Profile::DvdRam,
            MediumClass::Overwritable { dvd_plus_rw: false },
        ),
    ];
    for (profile, class) in rows {
        assert_eq!(MediumClass::of(profile), Some(class), "{}", profile.name());
    }
}

#[test]
fn an_appendable_cd_rw_gets_a_session_at_its_next_writable_address_as_a_cd_r() {
    let mut d = disc(Profile::CdRw, DiscState::Appendable, CD_RW - 20_000, CD_RW);
    d.sessions = 1;
    let p = plan(&d, &WriteOptions::default(), 1000);
    assert_eq!(p.start_lba, 20_000);
    assert_eq!(p.overhead, CD_POSTGAP);
    assert!(p.write_once);
    assert_eq!(p.page_write(), Some(PageWrite::CdTrackAtOnce));
}

#[test]
fn a_sequential_dvd_rw_is_written_incrementally_a_session_per_write() {
    let mut d = disc(
        Profile::DvdRwSequential,
        DiscState::Appendable,
        DVD_RW - 4096,
        DVD_RW,
    );
    d.sessions = 1;
    let incremental = DriveFacts {
        incremental_streaming: Some(true),
        ..facts()
    };
    let p = WritePlan::new(&d, &WriteOptions::default(), Some(100), None, &incremental).unwrap();
    assert_eq!(p.start_lba, 4096);
    assert_eq!(p.page_write(), Some(PageWrite::DvdIncremental));
}

#[test]
fn restricted_overwrite_and_dvd_ram_are_written_from_lba_0_under_the_force_overwrite_rule() {
    for (profile, total) in [
        (Profile::DvdRwRestrictedOverwrite, DVD_RW),
        (Profile::DvdRam, DVD_RAM),
    ] {
        let p = plan(&blank(profile, total), &WriteOptions::default(), 1000);
        assert_eq!((p.start_lba, p.format, p.write_once), (0, None, false));
        let used = disc(profile, DiscState::Complete, total, total);
        let data = DriveFacts {
            holds_data: Some(Contents::Data {
                lba: 16,
                file_system: Some("ISO 9660"),
            }),
            ..facts()
        };
        let refused = WritePlan::new(&used, &WriteOptions::default(), Some(10), None, &data);
        assert!(
            matches!(refused, Err(Error::MediaNotBlank { .. })),
            "{}: {refused:?}",
            profile.name()
        );
        let force = WriteOptions {
            force_overwrite: true,
            ..WriteOptions::default()
        };
        let p = WritePlan::new(&used, &force, Some(10), None, &data).unwrap();
        assert_eq!(p.start_lba, 0);
    }
}

#[test]
fn restricted_overwrite_writes_whole_ecc_blocks_and_dvd_ram_any_sector() {
    let ro = plan(
        &blank(Profile::DvdRwRestrictedOverwrite, DVD_RW),
        &WriteOptions::default(),
        1000,
    );
    assert_eq!(ro.pad_to, 16);
    let ram = plan(
        &blank(Profile::DvdRam, DVD_RAM),
        &WriteOptions::default(),
        1000,
    );
    assert_eq!(ram.pad_to, 1);
    assert_eq!(
        plan(
            &blank(Profile::DvdPlusRw, DVD_RW),
            &WriteOptions::default(),
            10
        )
        .pad_to,
        1
    );
}

#[test]
fn dvd_ram_streams_without_defect_management_and_dvd_rw_has_none_to_bypass() {
    let off = WriteOptions {
        defect_management: DefectManagement::Off,
        ..WriteOptions::default()
    };
    assert!(plan(&blank(Profile::DvdRam, DVD_RAM), &off, 10).streaming);
    assert!(
        !plan(
            &blank(Profile::DvdRam, DVD_RAM),
            &WriteOptions::default(),
            10
        )
        .streaming
    );
    assert!(!plan(&blank(Profile::DvdRwRestrictedOverwrite, DVD_RW), &off, 10).streaming);
}
