//! The erase's estimates and the conditions its polls ride out.

use super::*;

#[test]
fn a_full_erase_is_expected_to_take_longer_than_a_quick_one() {
    for p in [Profile::CdRw, Profile::DvdRwSequential] {
        assert!(
            expected_duration(p, true) > expected_duration(p, false),
            "{p}"
        );
    }
    // An 80-minute CD-RW at 4x: 20 minutes.
    assert_eq!(
        expected_duration(Profile::CdRw, true),
        Duration::from_secs(1200)
    );
}

#[test]
fn only_in_progress_and_unit_attention_keep_the_poll_going() {
    assert!(still_erasing(SenseTriple::new(2, 4, 7)));
    assert!(still_erasing(SenseTriple::new(2, 4, 4)));
    assert!(still_erasing(SenseTriple::new(6, 0x28, 0)));
    assert!(!still_erasing(SenseTriple::new(2, 0x3A, 0)));
    assert!(!still_erasing(SenseTriple::new(3, 0x51, 0)));
}

#[test]
fn blank_erases_cd_rw_and_dvd_rw_only() {
    assert!(erased_by_blank(Profile::CdRw));
    assert!(erased_by_blank(Profile::DvdRwRestrictedOverwrite));
    assert!(!erased_by_blank(Profile::DvdPlusRw));
    assert!(!erased_by_blank(Profile::CdR));
}
