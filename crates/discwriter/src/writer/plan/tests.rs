//! The planner, one row per medium and option, with no drive.

use mmc_core::cdb::CloseFunction::{self, *};
use mmc_core::{ImapiCode, Profile};

use super::*;
use crate::error::ApiMisuse;
use crate::recorder::{DiscState, DiscSummary, SessionState};
use crate::writer::blank::Contents;

const FASTEST: SpeedRequest = SpeedRequest {
    sectors_per_second: -1,
    pure_cav: false,
};

pub(super) fn disc(profile: Profile, status: DiscState, free: u32, total: u32) -> DiscSummary {
    let overwritable = profile.is_rewritable_random();
    DiscSummary {
        profile: profile.name().to_string(),
        profile_code: profile.to_u16(),
        status,
        last_session: SessionState::Empty,
        track_damaged: false,
        sessions: 0,
        next_writable_address: Some(if overwritable { 0 } else { total - free }),
        free_sectors: free,
        total_sectors: total,
        write_protected: false,
        erasable: overwritable,
        needs_formatting: false,
        background_format_stopped: false,
        capacity_once_formatted: None,
    }
}

pub(super) fn blank(profile: Profile, total: u32) -> DiscSummary {
    disc(profile, DiscState::Blank, total, total)
}

pub(super) fn facts() -> DriveFacts {
    DriveFacts {
        speed: FASTEST,
        max_transfer_bytes: None,
        holds_data: None,
        incremental_streaming: None,
        pseudo_overwrite: false,
        stream_writing: true,
        layer_boundary: None,
        lead_out: None,
    }
}

pub(super) fn plan(d: &DiscSummary, options: &WriteOptions, sectors: u64) -> WritePlan {
    WritePlan::new(d, options, Some(sectors), None, &facts())
        .unwrap_or_else(|e| panic!("{}: {e}", d.profile))
}

pub(super) fn steps(closing: &Closing) -> Vec<Step> {
    closing.steps.iter().map(|(s, _)| *s).collect()
}

#[test]
fn each_profile_has_its_class_and_finalize_function() {
    let rows: [(Profile, Option<MediumClass>); 6] = [
        (Profile::CdR, Some(MediumClass::Cd)),
        (
            Profile::DvdPlusR,
            Some(MediumClass::Sequential {
                finalize: FinalizeDisc,
                compatible: Some(FinalizeMinimalRadius),
            }),
        ),
        (
            Profile::BdRSrm,
            Some(MediumClass::Sequential {
                finalize: FinalizeDisc,
                compatible: None,
            }),
        ),
        (
            Profile::DvdPlusRw,
            Some(MediumClass::Overwritable { dvd_plus_rw: true }),
        ),
        (
            Profile::BdRe,
            Some(MediumClass::Overwritable { dvd_plus_rw: false }),
        ),
        (Profile::DvdRom, None),
    ];
    for (profile, class) in rows {
        assert_eq!(MediumClass::of(profile), class, "{}", profile.name());
        let d = blank(profile, 100_000);
        let planned = WritePlan::new(&d, &WriteOptions::default(), Some(10), None, &facts());
        match class {
            Some(c) => assert_eq!(planned.map(|p| p.class).ok(), Some(c)),
            None => assert!(matches!(planned, Err(Error::MediaIsNotSupported { .. }))),
        }
    }
}

/// A write of `sectors` onto `d` with the two options, and what it closes: the last CLOSE
/// function of its closing and whether the disc ends closed.
fn closes_with(
    d: &DiscSummary,
    disable_compatibility: bool,
    force: bool,
    sectors: u64,
) -> (Option<Step>, bool) {
    let options = WriteOptions {
        disable_consumer_dvd_compatibility_mode: disable_compatibility,
        force_media_to_be_closed: force,
        ..WriteOptions::default()
    };
    let p = plan(d, &options, sectors);
    let closing = p.closing(DataEnd::Complete, sectors);
    assert!(closing.finalize);
    (
        steps(&closing).last().copied(),
        p.disc_closed(DataEnd::Complete, sectors),
    )
}

/// Microsoft's DisableConsumerDvdCompatibilityMode table for DVD+R: with the mode on (the
/// default) the disc is closed in compatible mode (101b) whatever ForceMediaToBeClosed
/// says; with it off the disc is closed normally (110b) when forced or by the 2 % rule,
/// else only the session (010b). BD-R has one finalization and ignores the option; CD
/// closes through page 05h and ends with CLOSE SESSION either way.
#[test]
fn dvd_plus_r_closes_as_the_compatibility_table_says() {
    let small = 10;
    // On 100 000 sectors, 98 000 leave 2 %.
    let full = 98_000;
    // (profile, DisableConsumerDvdCompatibilityMode, ForceMediaToBeClosed, sectors,
    // last CLOSE function, disc closed)
    let rows: [(Profile, bool, bool, u64, CloseFunction, bool); 14] = [
        (
            Profile::DvdPlusR,
            false,
            false,
            small,
            FinalizeMinimalRadius,
            true,
        ),
        (
            Profile::DvdPlusR,
            false,
            true,
            small,
            FinalizeMinimalRadius,
            true,
        ),
        (Profile::DvdPlusR, true, true, small, FinalizeDisc, true),
        (Profile::DvdPlusR, true, false, small, CloseSession, false),
        (
            Profile::DvdPlusR,
            true,
            false,
            full - 1,
            CloseSession,
            false,
        ),
        (Profile::DvdPlusR, true, false, full, FinalizeDisc, true),
        (
            Profile::DvdPlusR,
            false,
            false,
            full,
            FinalizeMinimalRadius,
            true,
        ),
        (Profile::BdRSrm, false, false, small, CloseSession, false),
        (Profile::BdRSrm, true, false, small, CloseSession, false),
        (Profile::BdRSrm, false, true, small, FinalizeDisc, true),
        (Profile::BdRSrm, true, true, small, FinalizeDisc, true),
        (Profile::BdRSrm, false, false, full, FinalizeDisc, true),
        (Profile::CdR, false, false, small, CloseSession, false),
        (Profile::CdR, true, true, small, CloseSession, true),
    ];
    for (profile, disable, force, sectors, function, closed) in rows {
        let got = closes_with(&blank(profile, 100_000), disable, force, sectors);
        assert_eq!(
            got,
            (Some(Step::Close(function)), closed),
            "{} disable={disable} force={force} {sectors}",
            profile.name()
        );
    }
}

/// On CD the 2 % rule counts only the space a further session could use: after this
/// track's run-out (2), its session's lead-out (6 750 after the first session, 2 250 after
/// a later one), the next lead-in (4 500) and pre-gap (150). On a blank 100 000-sector disc
/// a write of s sectors (and its 150-sector post-gap) leaves 100 000 - s - 150 - 11 402 for
/// another session: s = 86 448 leaves 2 000 (2 %) and closes the disc, one less does not.
/// After one closed session the lead-out is 2 250: the line moves 4 500 sectors on.
#[test]
fn the_cd_two_percent_rule_leaves_out_what_a_further_session_costs() {
    let mut second = blank(Profile::CdR, 100_000);
    second.sessions = 1;
    // (disc, sectors, disc closed)
    let rows: [(DiscSummary, u64, bool); 4] = [
        (blank(Profile::CdR, 100_000), 86_447, false),
        (blank(Profile::CdR, 100_000), 86_448, true),
        (second.clone(), 86_447 + 4_500, false),
        (second, 86_448 + 4_500, true),
    ];
    for (d, sectors, closed) in rows {
        let p = plan(&d, &WriteOptions::default(), sectors);
        assert_eq!(
            p.disc_closed(DataEnd::Complete, sectors),
            closed,
            "{sectors}"
        );
        // Page 05h is set for what the write expects: closing the disc, or not.
        assert_eq!(
            p.write_parameters,
            Some(Step::WriteParameters {
                write: PageWrite::CdTrackAtOnce,
                keep_open: !closed,
                bufe: true
            }),
            "{sectors}"
        );
    }
}

/// FINAL_SESSION is the same rule for the smallest write: on CD a disc whose free space,
/// less a post-gap and the 11 402 sectors a further session costs, is at most 2 % of it.
#[test]
fn the_final_session_is_the_one_after_which_the_rule_closes_the_disc() {
    let cd = |free| disc(Profile::CdR, DiscState::Appendable, free, 100_000);
    // 2 000 + 150 + 11 402 = 13 552.
    assert!(next_session_is_final(&cd(13_552), false));
    assert!(!next_session_is_final(&cd(13_553), false));
    // With the post-gap in the image the write adds nothing.
    assert!(!next_session_is_final(&cd(13_552), true));
    assert!(next_session_is_final(&cd(13_402), true));
    // DVD+R and BD-R: 2 % of the disc.
    for profile in [Profile::DvdPlusR, Profile::BdRSrm] {
        let d = |free| disc(profile, DiscState::Appendable, free, 100_000);
        assert!(
            next_session_is_final(&d(2_000), false),
            "{}",
            profile.name()
        );
        assert!(
            !next_session_is_final(&d(2_001), false),
            "{}",
            profile.name()
        );
    }
}

#[test]
fn force_media_to_be_closed_closes_whatever_remains() {
    let options = WriteOptions {
        force_media_to_be_closed: true,
        ..WriteOptions::default()
    };
    let p = plan(&blank(Profile::DvdPlusR, 100_000), &options, 10);
    assert!(p.disc_closed(DataEnd::Complete, 10));
    // Only a write that recorded all its data closes the disc.
    for end in [DataEnd::Truncated, DataEnd::Cancelled, DataEnd::HostFailed] {
        assert!(!p.disc_closed(end, 10), "{end:?}");
    }
}

#[test]
fn cd_post_gap_with_and_without_postgap_already_in_image() {
    // (postgap_already_in_image, overhead, post-gap step)
    for (in_image, overhead, postgap) in [(false, 150, true), (true, 0, false)] {
        let options = WriteOptions {
            postgap_already_in_image: in_image,
            ..WriteOptions::default()
        };
        let d = disc(Profile::CdR, DiscState::Appendable, 300_000, 360_000);
        let p = plan(&d, &options, 1_000);
        assert_eq!((p.start_lba, p.overhead), (60_000, overhead));
        assert_eq!(p.limit, 300_000 - overhead);
        assert_eq!(
            p.write_parameters,
            Some(Step::WriteParameters {
                write: PageWrite::CdTrackAtOnce,
                keep_open: true,
                bufe: true
            })
        );
        let closing = p.closing(DataEnd::Complete, 1_000);
        let expected_postgap = Step::WriteZeros {
            lba: 61_000,
            sectors: CD_POSTGAP,
        };
        assert_eq!(steps(&closing).first() == Some(&expected_postgap), postgap);
        assert_eq!(
            steps(&closing).get(usize::from(postgap)..),
            Some(
                &[
                    Step::Synchronize,
                    Step::CloseTrack,
                    Step::Close(CloseSession)
                ][..]
            )
        );
        // A cancelled write gets no post-gap; a truncated stream does.
        let cancelled = p.closing(DataEnd::Cancelled, 500);
        assert!(!steps(&cancelled)
            .iter()
            .any(|s| matches!(s, Step::WriteZeros { .. })));
        let truncated = p.closing(DataEnd::Truncated, 500);
        let zeros = steps(&truncated)
            .iter()
            .any(|s| matches!(s, Step::WriteZeros { .. }));
        assert_eq!(zeros, postgap);
    }
}

#[test]
fn a_cd_page_that_expected_a_close_is_set_again_when_the_write_ends_otherwise() {
    let d = blank(Profile::CdR, 100_000);
    let p = plan(&d, &WriteOptions::default(), 98_000 - 150);
    let page = |keep_open| Step::WriteParameters {
        write: PageWrite::CdTrackAtOnce,
        keep_open,
        bufe: true,
    };
    assert_eq!(p.write_parameters, Some(page(false)));
    // Complete: the page already closes the disc; nothing to change.
    assert!(!steps(&p.closing(DataEnd::Complete, 98_000 - 150)).contains(&page(true)));
    // Cancelled: the disc stays appendable.
    let cancelled = p.closing(DataEnd::Cancelled, 10);
    assert_eq!(
        steps(&cancelled),
        [
            page(true),
            Step::Synchronize,
            Step::CloseTrack,
            Step::Close(CloseSession)
        ]
    );
    // A host failure: best effort, silent, the page set again without stopping the rest.
    let salvage = p.closing(DataEnd::HostFailed, 10);
    assert!(!salvage.finalize);
    assert_eq!(
        salvage.steps,
        [
            (Step::Synchronize, OnError::Stop),
            (page(true), OnError::Continue),
            (Step::CloseTrack, OnError::Stop),
            (Step::Close(CloseSession), OnError::Stop),
        ]
    );
    // A stream of unknown length keeps the disc open until it has ended.
    let open = WritePlan::new(&d, &WriteOptions::default(), None, None, &facts()).ok();
    assert_eq!(open.and_then(|p| p.write_parameters), Some(page(true)));
}

#[test]
fn after_a_drive_failure_only_the_cache_is_flushed() {
    for profile in [
        Profile::CdR,
        Profile::DvdPlusR,
        Profile::BdRSrm,
        Profile::BdRe,
    ] {
        let p = plan(&blank(profile, 100_000), &WriteOptions::default(), 10);
        let closing = p.closing(DataEnd::DriveFailed, 5);
        assert_eq!(closing.steps, [(Step::Synchronize, OnError::Stop)]);
        assert!(!closing.finalize);
    }
}

#[test]
fn nothing_written_closes_no_track() {
    for profile in [Profile::CdR, Profile::DvdPlusR] {
        let p = plan(&blank(profile, 100_000), &WriteOptions::default(), 10);
        assert_eq!(
            steps(&p.closing(DataEnd::Cancelled, 0)),
            [Step::Synchronize]
        );
        assert_eq!(
            steps(&p.closing(DataEnd::HostFailed, 0)),
            [Step::Synchronize]
        );
    }
}

#[test]
fn overwritable_media_close_as_their_options_say() {
    // (profile, disable_consumer_dvd_compatibility_mode, last step)
    let rows = [
        (Profile::DvdPlusRw, false, Some(Step::Close(CloseSession))),
        (
            Profile::DvdPlusRw,
            true,
            Some(Step::Close(QuickStopBackgroundFormat)),
        ),
        (Profile::BdRe, false, Some(Step::Synchronize)),
    ];
    for (profile, disable, last) in rows {
        let options = WriteOptions {
            disable_consumer_dvd_compatibility_mode: disable,
            ..WriteOptions::default()
        };
        let p = plan(&blank(profile, 100_000), &options, 100);
        assert_eq!((p.start_lba, p.limit), (0, 100_000));
        assert!(!p.write_once);
        let closing = p.closing(DataEnd::Complete, 100);
        assert_eq!(steps(&closing).last().copied(), last, "{}", profile.name());
        assert!(!steps(&closing).contains(&Step::CloseTrack));
        assert!(!p.disc_closed(DataEnd::Complete, 100));
    }
}

#[test]
fn the_format_run_first() {
    let mut dvd = blank(Profile::DvdPlusRw, 100_000);
    let mut bd = blank(Profile::BdRe, 100_000);
    let options = WriteOptions::default();
    assert_eq!(plan(&dvd, &options, 1).format, None);
    dvd.needs_formatting = true;
    bd.needs_formatting = true;
    assert_eq!(
        plan(&dvd, &options, 1).format,
        Some(FormatStep::DvdPlusRwBackground)
    );
    assert_eq!(plan(&bd, &options, 1).format, Some(FormatStep::Default));
    dvd.needs_formatting = false;
    dvd.background_format_stopped = true;
    assert_eq!(
        plan(&dvd, &options, 1).format,
        Some(FormatStep::DvdPlusRwRestart)
    );
}

#[test]
fn an_overwritable_disc_holding_data_needs_force_overwrite() {
    let d = disc(Profile::BdRe, DiscState::Complete, 100_000, 100_000);
    let options = WriteOptions::default();
    assert_eq!(WritePlan::blank_check(&d, &options, None, None), Some(32));
    // A 32 KiB path: 16 sectors per READ.
    assert_eq!(
        WritePlan::blank_check(&d, &options, None, Some(32 * 1024)),
        Some(16)
    );
    let with = |holds_data| DriveFacts {
        holds_data,
        ..facts()
    };
    let data = Contents::Data {
        lba: 99_990,
        file_system: None,
    };
    for (holds_data, refused) in [
        (Some(data), true),
        (None, true),
        (Some(Contents::Blank), false),
    ] {
        let r = WritePlan::new(&d, &options, Some(1), None, &with(holds_data));
        assert_eq!(
            matches!(r, Err(Error::MediaNotBlank { .. })),
            refused,
            "{holds_data:?}"
        );
    }
    // Not asked with ForceOverwrite, with block ranges, or on a blank disc.
    let force = WriteOptions {
        force_overwrite: true,
        ..WriteOptions::default()
    };
    let ranges = [BlockRange {
        start_lba: 0,
        end_lba: 0,
    }];
    assert_eq!(WritePlan::blank_check(&d, &force, None, None), None);
    assert_eq!(
        WritePlan::blank_check(&d, &options, Some(&ranges), None),
        None
    );
    let empty = blank(Profile::BdRe, 100_000);
    assert_eq!(WritePlan::blank_check(&empty, &options, None, None), None);
    let cd = blank(Profile::CdR, 100_000);
    assert_eq!(WritePlan::blank_check(&cd, &options, None, None), None);
}

#[test]
fn transfers_keep_to_whole_ecc_blocks() {
    // (profile, path limit in bytes, sectors per WRITE)
    let rows = [
        (Profile::CdR, None, 32),
        (Profile::CdR, Some(24 * 2048), 24),
        (Profile::DvdPlusR, Some(48 * 1024), 16),
        (Profile::DvdPlusR, Some(16 * 1024), 8),
        (Profile::BdRSrm, Some(64 * 1024), 32),
        (Profile::BdRSrm, Some(32 * 1024), 16),
    ];
    for (profile, limit, chunk) in rows {
        let f = DriveFacts {
            max_transfer_bytes: limit,
            ..facts()
        };
        let d = blank(profile, 100_000);
        let p = WritePlan::new(&d, &WriteOptions::default(), Some(1), None, &f);
        assert_eq!(
            p.map(|p| p.chunk).ok(),
            Some(chunk),
            "{} {limit:?}",
            profile.name()
        );
    }
}

/// A stream's length in bytes, its block ranges, and its sectors or the error's name.
type StreamRow = (
    Option<u64>,
    Option<Vec<BlockRange>>,
    Result<Option<u64>, &'static str>,
);

#[test]
fn block_ranges_are_checked_against_the_stream_and_the_medium() {
    let r = |start_lba, end_lba| BlockRange { start_lba, end_lba };
    let rows: [StreamRow; 7] = [
        (Some(10 * 2048), None, Ok(Some(10))),
        (None, None, Ok(None)),
        (
            Some(10 * 2048 + 1),
            None,
            Err("E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED"),
        ),
        (Some(10 * 2048), Some(vec![r(0, 9)]), Ok(Some(10))),
        (Some(10 * 2048), Some(vec![r(0, 10)]), Err("E_INVALIDARG")),
        (Some(10 * 2048), Some(vec![r(5, 4)]), Err("E_INVALIDARG")),
        (None, Some(vec![r(0, 0)]), Err("E_INVALIDARG")),
    ];
    for (length, ranges, expected) in rows {
        let got = stream_sectors(length, ranges.as_deref()).map_err(|e| e.imapi_name());
        assert_eq!(got, expected, "{length:?} {ranges:?}");
    }
    // Write-once media cannot skip sectors.
    let ranges = [r(0, 0)];
    let with_ranges = |profile| {
        let d = blank(profile, 100_000);
        WritePlan::new(
            &d,
            &WriteOptions::default(),
            Some(1),
            Some(&ranges),
            &facts(),
        )
    };
    assert!(matches!(
        with_ranges(Profile::DvdPlusR),
        Err(Error::Api(ApiMisuse::InvalidArg(_)))
    ));
    assert!(with_ranges(Profile::BdRe).is_ok());
}

#[test]
fn a_stream_must_fit_before_and_after_the_drive_moves_the_start() {
    let d = blank(Profile::CdR, 10_000);
    let options = WriteOptions::default();
    let r = WritePlan::new(&d, &options, Some(10_000 - 149), None, &facts());
    assert!(matches!(
        r,
        Err(Error::StreamTooLargeForCurrentMedia {
            needed: Some(9_851),
            free: 9_850
        })
    ));
    let mut p = plan(&d, &options, 9_000);
    assert_eq!(p.relocate(0, 10_000).ok(), Some(false));
    assert_eq!(p.relocate(150, 9_850).ok(), Some(true));
    assert_eq!((p.start_lba, p.free, p.limit), (150, 9_850, 9_850 - 150));
    assert!(matches!(
        p.relocate(1_000, 9_000),
        Err(Error::StreamTooLargeForCurrentMedia { .. })
    ));
    // Finalized and unwritable discs are refused.
    let done = disc(Profile::DvdPlusR, DiscState::Complete, 0, 100_000);
    let r = WritePlan::new(&done, &options, Some(1), None, &facts());
    assert!(matches!(r, Err(Error::InvalidMediaState { .. })));
    let mut protected = blank(Profile::BdRe, 100_000);
    protected.write_protected = true;
    let r = WritePlan::new(&protected, &options, Some(1), None, &facts());
    assert!(matches!(r, Err(Error::MediaWriteProtected { .. })));
}

#[test]
fn the_speed_outcome_says_what_the_drive_adjusted() {
    // (requested sectors/s, pure CAV, selected kB/s and CAV, HRESULT)
    let rows = [
        (-1, false, Some((11_080, false)), ImapiCode::Ok),
        (-1, true, Some((11_080, false)), ImapiCode::RotationAdjusted),
        (-1, true, Some((11_080, true)), ImapiCode::Ok),
        // 2 x DVD: 1385 sectors/s is asked as 2838 kB/s, the fastest that is still 1385
        // sectors/s; within 1 % is not an adjustment.
        (1385, false, Some((2838, false)), ImapiCode::Ok),
        (1385, false, Some((2836, false)), ImapiCode::Ok),
        (1385, false, Some((2810, false)), ImapiCode::Ok),
        (1385, false, Some((2809, false)), ImapiCode::SpeedAdjusted),
        (1385, true, Some((5540, false)), ImapiCode::BothAdjusted),
        // A drive that does not report its speed adjusted nothing.
        (1385, true, None, ImapiCode::Ok),
    ];
    for (sectors_per_second, pure_cav, current, code) in rows {
        let f = DriveFacts {
            speed: SpeedRequest {
                sectors_per_second,
                pure_cav,
            },
            ..facts()
        };
        let d = blank(Profile::DvdPlusR, 100_000);
        let p = WritePlan::new(&d, &WriteOptions::default(), Some(1), None, &f);
        let got = p.map(|p| p.outcome_code(current)).ok();
        assert_eq!(
            got,
            Some(code),
            "{sectors_per_second} {pure_cav} {current:?}"
        );
    }
}

#[test]
fn how_a_data_phase_ended() {
    let cause = Some(DeviceCause {
        opcode: Opcode::Write10,
        sense: None,
    });
    let rows: [(Result<(), Error>, bool, DataEnd); 7] = [
        (Ok(()), true, DataEnd::Complete),
        (
            Err(Error::Api(ApiMisuse::StreamNotSupported { bytes: 1 })),
            false,
            DataEnd::Truncated,
        ),
        (
            Err(Error::Api(ApiMisuse::StreamNotSupported { bytes: 1 })),
            true,
            DataEnd::DriveFailed,
        ),
        (
            Err(Error::RequestCancelled {
                last_written_lba: None,
            }),
            true,
            DataEnd::Cancelled,
        ),
        (
            Err(Error::Fail {
                detail: String::new(),
                cause: None,
            }),
            true,
            DataEnd::HostFailed,
        ),
        (
            Err(Error::Fail {
                detail: String::new(),
                cause,
            }),
            true,
            DataEnd::DriveFailed,
        ),
        (Err(Error::DeviceNotExist), true, DataEnd::DriveFailed),
    ];
    for (result, known, end) in rows {
        assert_eq!(DataEnd::of(&result, known), end, "{result:?}");
    }
}

#[test]
fn a_stream_must_fit_the_format_the_write_chose() {
    let mut d = blank(Profile::BdRe, 12_219_392);
    d.needs_formatting = true;
    d.capacity_once_formatted = Some(11_826_176);
    let mut p = plan(&d, &WriteOptions::default(), 11_826_176);
    // The largest spare areas leave 11,564,032 sectors: too few for this stream.
    assert!(matches!(
        p.formatted(11_564_032),
        Err(Error::StreamTooLargeForCurrentMedia {
            needed: Some(11_826_176),
            free: 11_564_032
        })
    ));
    assert!(p.formatted(12_219_392).is_ok());
}
