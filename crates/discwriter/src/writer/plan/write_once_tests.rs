//! The planner on the write-once media beyond CD-R, DVD+R and BD-R SRM: DVD-R incremental
//! and Disc-at-Once, DVD-R DL, the DVD+R DL layer break, BD-R pseudo-overwrite and
//! streaming. Capacities are the ones drives report (2,298,496 sectors for DVD-R, 4,171,712
//! for DVD-R DL, 4,173,824 for DVD+R DL).

use mmc_core::cdb::CloseFunction::*;
use mmc_core::cdb::LayerBoundary;
use mmc_core::Profile;

use super::tests::{blank, disc, facts, plan, steps};
use super::*;
use crate::recorder::{DiscState, DiscSummary};

const DVD_R: u32 = 2_298_496;
const DVD_R_DL: u32 = 4_171_712;
const DVD_PLUS_R_DL: u32 = 4_173_824;
/// Layer 0 of a blank DVD+R DL before any boundary is sent: half the disc.
const L0: u32 = DVD_PLUS_R_DL / 2;

fn plan_with(
    d: &DiscSummary,
    options: &WriteOptions,
    sectors: Option<u64>,
    facts: &DriveFacts,
) -> Result<WritePlan, Error> {
    WritePlan::new(d, options, sectors, None, facts)
}

fn page(write: PageWrite, keep_open: bool) -> Option<Step> {
    Some(Step::WriteParameters {
        write,
        keep_open,
        bufe: true,
    })
}

const CLOSE_SESSION: [Step; 3] = [
    Step::Synchronize,
    Step::CloseTrack,
    Step::Close(CloseSession),
];

#[test]
fn the_new_profiles_have_their_classes() {
    let rows = [
        (
            Profile::DvdRSequential,
            MediumClass::DvdDashR { dual_layer: false },
        ),
        (
            Profile::DvdRDualLayerSequential,
            MediumClass::DvdDashR { dual_layer: true },
        ),
        // Sessions as on DVD+R.
        (
            Profile::DvdPlusRDualLayer,
            MediumClass::Sequential {
                finalize: FinalizeDisc,
                compatible: Some(FinalizeMinimalRadius),
            },
        ),
    ];
    for (profile, class) in rows {
        assert_eq!(MediumClass::of(profile), Some(class), "{}", profile.name());
    }
    // The layer jump profile is not recorded by this writer.
    assert_eq!(MediumClass::of(Profile::DvdRDualLayerJump), None);
}

#[test]
fn a_dvd_r_is_written_incrementally_a_session_per_write() {
    let p = plan(
        &blank(Profile::DvdRSequential, DVD_R),
        &WriteOptions::default(),
        1000,
    );
    assert_eq!(p.write_parameters, page(PageWrite::DvdIncremental, true));
    assert_eq!(p.reserve, None);
    assert!(p.write_once);
    let closing = p.closing(DataEnd::Complete, 1000);
    assert_eq!(steps(&closing), CLOSE_SESSION);
    assert!(!p.disc_closed(DataEnd::Complete, 1000));
}

#[test]
fn force_media_to_be_closed_and_the_two_percent_rule_finalize_a_dvd_r_through_page_05h() {
    let force = WriteOptions {
        force_media_to_be_closed: true,
        ..WriteOptions::default()
    };
    let d = blank(Profile::DvdRSequential, DVD_R);
    // 2 % of 2,298,496 is 45,969.92: a disc with at most 45,969 sectors left is closed.
    let rows = [
        (&force, 1000, true),
        (&WriteOptions::default(), u64::from(DVD_R) - 45_970, false),
        (&WriteOptions::default(), u64::from(DVD_R) - 45_969, true),
    ];
    for (options, sectors, closed) in rows {
        let p = plan(&d, options, sectors);
        // The multi-session field says it (00b finalizes at CLOSE SESSION); the closing
        // is the same CLOSE TRACK and CLOSE SESSION.
        assert_eq!(
            p.write_parameters,
            page(PageWrite::DvdIncremental, !closed),
            "{sectors}"
        );
        assert_eq!(steps(&p.closing(DataEnd::Complete, sectors)), CLOSE_SESSION);
        assert_eq!(
            p.disc_closed(DataEnd::Complete, sectors),
            closed,
            "{sectors}"
        );
    }
}

#[test]
fn a_dvd_r_stream_of_unknown_length_sets_the_page_again_when_it_turns_out_to_close_the_disc() {
    let d = blank(Profile::DvdRSequential, DVD_R);
    let force = WriteOptions {
        force_media_to_be_closed: true,
        ..WriteOptions::default()
    };
    let p = plan_with(&d, &force, None, &facts()).unwrap();
    assert_eq!(p.write_parameters, page(PageWrite::DvdIncremental, true));
    let mut want = vec![page(PageWrite::DvdIncremental, false).unwrap()];
    want.extend(CLOSE_SESSION);
    assert_eq!(steps(&p.closing(DataEnd::Complete, 500)), want);
}

#[test]
fn a_dvd_r_whose_drive_has_no_incremental_recording_is_written_disc_at_once() {
    let no_incremental = DriveFacts {
        incremental_streaming: Some(false),
        ..facts()
    };
    let d = blank(Profile::DvdRSequential, DVD_R);
    let p = plan_with(&d, &WriteOptions::default(), Some(1000), &no_incremental).unwrap();
    assert_eq!(p.write_parameters, page(PageWrite::DvdDiscAtOnce, false));
    assert_eq!(p.reserve, Some(1000));
    let with_incremental = DriveFacts {
        incremental_streaming: Some(true),
        ..facts()
    };
    let p = plan_with(&d, &WriteOptions::default(), Some(1000), &with_incremental).unwrap();
    assert_eq!(p.write_parameters, page(PageWrite::DvdIncremental, true));
}

#[test]
fn a_dvd_r_dl_is_reserved_then_written_disc_at_once_and_closed_by_the_drive() {
    let d = blank(Profile::DvdRDualLayerSequential, DVD_R_DL);
    let p = plan(&d, &WriteOptions::default(), 3_000_001);
    assert_eq!(p.write_parameters, page(PageWrite::DvdDiscAtOnce, false));
    // The stream's own size, as growisofs reserves it; the drive rounds up.
    assert_eq!(p.reserve, Some(3_000_001));
    assert_eq!(p.start_lba, 0);
    // No CLOSE TRACK/SESSION after a Disc-at-Once write that filled its reservation, nor
    // after a failure; one that stopped short closes the reservation (the drive pads it).
    for end in [DataEnd::Complete, DataEnd::HostFailed, DataEnd::DriveFailed] {
        assert_eq!(steps(&p.closing(end, 1000)), [Step::Synchronize], "{end:?}");
    }
    for end in [DataEnd::Cancelled, DataEnd::Truncated] {
        assert_eq!(
            steps(&p.closing(end, 1000)),
            [
                Step::Synchronize,
                Step::CloseTrack,
                Step::Close(CloseFunction::CloseSession)
            ],
            "{end:?}"
        );
    }
    assert_eq!(
        steps(&p.closing(DataEnd::Cancelled, 0)),
        [Step::Synchronize]
    );
    assert!(p.disc_closed(DataEnd::Complete, 3_000_001));
    // The drive reported no layer boundary (the `facts` of this plan): none is sent.
    assert_eq!(p.layer_break, None);
    // With the boundary reported (a blank disc's, half of it), an image that spans both
    // layers gets the break at its middle, before the reservation, as on DVD+R DL.
    let reported = DriveFacts {
        layer_boundary: Some(LayerBoundary {
            fixed: false,
            layer0_sectors: DVD_R_DL / 2,
        }),
        ..facts()
    };
    let p = plan_with(&d, &WriteOptions::default(), Some(3_000_001), &reported).unwrap();
    assert_eq!(p.layer_break, Some(1_500_016));
    let p = plan_with(&d, &WriteOptions::default(), Some(2_000_000), &reported).unwrap();
    assert_eq!(p.layer_break, None, "fits layer 0");
}

#[test]
fn disc_at_once_needs_a_blank_disc_and_a_known_length() {
    let appendable = disc(
        Profile::DvdRDualLayerSequential,
        DiscState::Appendable,
        DVD_R_DL - 1024,
        DVD_R_DL,
    );
    let r = plan_with(&appendable, &WriteOptions::default(), Some(100), &facts());
    assert!(matches!(r, Err(Error::InvalidMediaState { .. })), "{r:?}");
    let blank_dl = blank(Profile::DvdRDualLayerSequential, DVD_R_DL);
    let r = plan_with(&blank_dl, &WriteOptions::default(), None, &facts());
    assert_eq!(
        r.map(|_| ()).map_err(|e| e.code().name()),
        Err("E_INVALIDARG")
    );
    let r = plan_with(
        &blank_dl,
        &WriteOptions::default(),
        Some(u64::from(DVD_R_DL) + 1),
        &facts(),
    );
    assert!(
        matches!(r, Err(Error::StreamTooLargeForCurrentMedia { .. })),
        "{r:?}"
    );
}

#[test]
fn the_dvd_plus_r_dl_layer_break_is_set_at_the_middle_of_an_image_that_spans_both_layers() {
    let boundary = |fixed| DriveFacts {
        layer_boundary: Some(LayerBoundary {
            fixed,
            layer0_sectors: L0,
        }),
        ..facts()
    };
    let d = blank(Profile::DvdPlusRDualLayer, DVD_PLUS_R_DL);
    let break_for = |sectors: Option<u64>, facts: &DriveFacts| {
        plan_with(&d, &WriteOptions::default(), sectors, facts)
            .unwrap()
            .layer_break
    };
    // (sectors, layer 0 set to): half the image's 16-sector ECC blocks, rounded up.
    let rows = [
        (3_000_000, Some(1_500_000)),
        (3_000_001, Some(1_500_016)),
        (u64::from(DVD_PLUS_R_DL), Some(2_086_912)),
        // One sector more than layer 0 holds: a whole ECC block more.
        (u64::from(L0) + 1, Some(1_043_472)),
        // It fits layer 0: no break.
        (u64::from(L0), None),
        (1000, None),
    ];
    for (sectors, want) in rows {
        assert_eq!(
            break_for(Some(sectors), &boundary(false)),
            want,
            "{sectors}"
        );
        assert_eq!(want.map_or(0, |b| b % 16), 0);
    }
    // Already fixed, or the drive reports none, or the length is not known: none.
    assert_eq!(break_for(Some(3_000_000), &boundary(true)), None);
    assert_eq!(break_for(Some(3_000_000), &facts()), None);
    assert_eq!(break_for(None, &boundary(false)), None);
    // Only a blank disc takes one, and only a dual-layer one.
    let appendable = disc(
        Profile::DvdPlusRDualLayer,
        DiscState::Appendable,
        DVD_PLUS_R_DL - 4096,
        DVD_PLUS_R_DL,
    );
    let p = plan_with(
        &appendable,
        &WriteOptions::default(),
        Some(3_000_000),
        &boundary(false),
    );
    assert_eq!(p.unwrap().layer_break, None);
    let single = blank(Profile::DvdPlusR, 2_295_104);
    let p = plan_with(
        &single,
        &WriteOptions::default(),
        Some(2_000_000),
        &boundary(false),
    );
    assert_eq!(p.unwrap().layer_break, None);
}

#[test]
fn a_dvd_plus_r_dl_closes_as_a_dvd_plus_r() {
    let d = blank(Profile::DvdPlusRDualLayer, DVD_PLUS_R_DL);
    let p = plan(&d, &WriteOptions::default(), 1000);
    assert_eq!(p.write_parameters, None);
    assert_eq!(
        steps(&p.closing(DataEnd::Complete, 1000)).last(),
        Some(&Step::Close(FinalizeMinimalRadius))
    );
    let keep = WriteOptions {
        disable_consumer_dvd_compatibility_mode: true,
        ..WriteOptions::default()
    };
    let p = plan(&d, &keep, 1000);
    assert_eq!(steps(&p.closing(DataEnd::Complete, 1000)), CLOSE_SESSION);
}

#[test]
fn a_pseudo_overwrite_starts_at_lba_0_and_closes_only_what_it_appends() {
    let total = 11_826_176;
    let d = disc(Profile::BdRSrm, DiscState::Appendable, total - 320, total);
    let pow = DriveFacts {
        pseudo_overwrite: true,
        ..facts()
    };
    let force = WriteOptions {
        force_overwrite: true,
        ..WriteOptions::default()
    };
    let p = plan_with(&d, &force, Some(1000), &pow).unwrap();
    assert_eq!((p.start_lba, p.pseudo_overwrite), (0, Some(320)));
    assert_eq!(p.limit, u64::from(total));
    assert_eq!(steps(&p.closing(DataEnd::Complete, 1000)), CLOSE_SESSION);
    assert_eq!(
        steps(&p.closing(DataEnd::Complete, 320)),
        [Step::Synchronize]
    );
    assert_eq!(
        steps(&p.closing(DataEnd::HostFailed, 200)),
        [Step::Synchronize]
    );
    // The drive's next writable address is where the appended part goes, not the start.
    let mut moved = p.clone();
    assert_eq!(moved.relocate(320, total - 320), Ok(false));
    assert_eq!(moved.start_lba, 0);
    // The 2 % rule counts what is appended: 2 % of the disc is 236,523.52 sectors.
    for (left, closed) in [(236_524, false), (236_523, true)] {
        let sectors = u64::from(total) - left;
        let p = plan_with(&d, &force, Some(sectors), &pow).unwrap();
        assert_eq!(p.disc_closed(DataEnd::Complete, sectors), closed, "{left}");
    }
    // Without ForceOverwrite, or without POW, a session at the next writable address.
    let p = plan_with(&d, &WriteOptions::default(), Some(1000), &pow).unwrap();
    assert_eq!((p.start_lba, p.pseudo_overwrite), (320, None));
    let p = plan_with(&d, &force, Some(1000), &facts()).unwrap();
    assert_eq!((p.start_lba, p.pseudo_overwrite), (320, None));
}

#[test]
fn streaming_is_planned_on_media_with_defect_management_only() {
    let streaming = WriteOptions {
        defect_management: crate::writer::DefectManagement::Off,
        ..WriteOptions::default()
    };
    let rows = [
        (blank(Profile::BdRSrm, 12_219_392), true),
        (blank(Profile::DvdPlusR, 2_295_104), false),
        (blank(Profile::DvdRSequential, DVD_R), false),
    ];
    for (d, want) in rows {
        assert_eq!(plan(&d, &streaming, 100).streaming, want, "{}", d.profile);
        assert!(!plan(&d, &WriteOptions::default(), 100).streaming);
    }
    // A drive without feature 0107h's SW bit keeps its defect management.
    let no_sw = DriveFacts {
        stream_writing: false,
        ..facts()
    };
    let d = blank(Profile::BdRSrm, 12_219_392);
    let p = WritePlan::new(&d, &streaming, Some(100), None, &no_sw).unwrap();
    assert!(!p.streaming);
}
