//! ASC/ASCQ names: the MMC codes a writer meets, the range entries, and the fallbacks.

use mmc_core::sense::{asc_assignments, asc_description, asc_ranges, AscDescription};

#[test]
fn mmc_codes_have_their_t10_names() {
    for (asc, ascq, name) in [
        (0x73, 0x03, "Power calibration area error"),
        (0x04, 0x08, "Logical unit not ready, long write in progress"),
        (0x04, 0x04, "Logical unit not ready, format in progress"),
        (0x04, 0x01, "Logical unit is in process of becoming ready"),
        (0x0C, 0x09, "Write error - loss of streaming"),
        (0x21, 0x02, "Invalid address for write"),
        (0x30, 0x05, "Cannot write medium - incompatible format"),
        (0x3A, 0x02, "Medium not present - tray open"),
        (0x57, 0x00, "Unable to recover table-of-contents"),
        (0x64, 0x00, "Illegal mode for this track"),
        (
            0x72,
            0x03,
            "Session fixation error - incomplete track in session",
        ),
        (0x73, 0x06, "RMA/PMA is almost full"),
        (0x06, 0x00, "No reference position found"),
        (0x09, 0x01, "Tracking servo failure"),
        (0x5D, 0xFF, "Failure prediction threshold exceeded (false)"),
    ] {
        assert_eq!(
            asc_description(asc, ascq),
            AscDescription::Known(name),
            "{asc:02X}/{ascq:02X}"
        );
    }
}

#[test]
fn range_entries_show_their_value() {
    assert_eq!(
        asc_description(0x40, 0x85).to_string(),
        "Diagnostic failure on component 85h"
    );
    assert_eq!(
        asc_description(0x4D, 0x07).to_string(),
        "Tagged overlapped commands (task tag 07h)"
    );
    assert_eq!(
        asc_description(0x70, 0xA3).to_string(),
        "Decompression exception short algorithm id of A3h"
    );
    assert!(matches!(
        asc_description(0x40, 0xFF),
        AscDescription::Range { value: 0xFF, .. }
    ));
    assert_eq!(asc_ranges().len(), 5);
}

/// SCSI-2's data path and power-on/self-test failures carry a component code in the ASCQ like
/// 40h/NNh (00h is the single "should use 40 NN" assignment); sg3-utils decodes 01h-FFh.
#[test]
fn data_path_and_self_test_failures_show_their_component() {
    assert_eq!(
        asc_description(0x41, 0x01).to_string(),
        "Data path failure 01h"
    );
    assert_eq!(
        asc_description(0x42, 0x7F).to_string(),
        "Power-on or self-test failure 7Fh"
    );
    assert!(matches!(
        asc_description(0x42, 0xFF),
        AscDescription::Range { value: 0xFF, .. }
    ));
    assert_eq!(
        asc_description(0x41, 0x00),
        AscDescription::Known("Data path failure (should use 40 NN)")
    );
}

/// Codes the T10 list marks obsolete (SPC-4 table 48 rows "Obsolete"), named as they were
/// assigned, and 5Dh/1Dh (SBC-4), which came after the 2020 list.
#[test]
fn obsolete_and_late_codes_have_names() {
    for (asc, ascq, name) in [
        (
            0x20,
            0x05,
            "Write type operation while in read capable state (obsolete)",
        ),
        (
            0x24,
            0x02,
            "Invalid CDB field while in explicit block model (obsolete)",
        ),
        (
            0x24,
            0x03,
            "Invalid CDB field while in implicit block model (obsolete)",
        ),
        (0x30, 0x0B, "Cleaning tape expired (obsolete)"),
        (
            0x5D,
            0x1D,
            "Hardware impending failure power loss protection circuit",
        ),
    ] {
        assert_eq!(
            asc_description(asc, ascq),
            AscDescription::Known(name),
            "{asc:02X}/{ascq:02X}"
        );
    }
}

#[test]
fn single_entries_take_precedence_over_neighbouring_ranges() {
    // 40/00 is its own (old) assignment; 40/01-7F are not assigned at all.
    assert_eq!(
        asc_description(0x40, 0x00),
        AscDescription::Known("RAM failure (should use 40 NN)")
    );
    assert_eq!(
        asc_description(0x40, 0x01).to_string(),
        "ASC 0x40 ASCQ 0x01 (unknown)"
    );
}

#[test]
fn vendor_specific_ranges_say_so() {
    assert_eq!(
        asc_description(0x80, 0x03).to_string(),
        "ASC 0x80 ASCQ 0x03 (vendor specific)"
    );
    assert_eq!(
        asc_description(0x04, 0x80).to_string(),
        "ASC 0x04 ASCQ 0x80 (vendor specific)"
    );
    assert!(!asc_description(0xFF, 0xFF).is_assigned());
}

#[test]
fn unknown_codes_get_a_clear_fallback() {
    assert_eq!(
        asc_description(0x75, 0x00).to_string(),
        "ASC 0x75 ASCQ 0x00 (unknown)"
    );
    assert_eq!(
        asc_description(0x0F, 0x00).to_string(),
        "ASC 0x0F ASCQ 0x00 (unknown)"
    );
}

#[test]
fn table_is_the_complete_t10_list() {
    let all: Vec<_> = asc_assignments().collect();
    // 756 single assignments of the T10 list (as of 2020-08-17) without its Obsolete rows, four
    // obsolete codes under their former names, and 5Dh/1Dh.
    assert_eq!(all.len(), 761);
    assert_eq!(
        all.first(),
        Some(&(0x00, 0x00, "No additional sense information"))
    );
    assert_eq!(
        all.last(),
        Some(&(0x74, 0x79, "Security conflict in translated device"))
    );
    for (asc, ascq, text) in all {
        assert_eq!(asc_description(asc, ascq).text(), Some(text));
    }
}

#[test]
fn json_of_a_description_is_its_text() {
    assert_eq!(
        serde_json::to_string(&asc_description(0x73, 0x03)).unwrap(),
        "\"Power calibration area error\""
    );
}
