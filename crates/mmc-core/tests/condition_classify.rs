//! Sense -> IMAPI condition: every row of Microsoft's sense table (the IMAPI2 sample's), the
//! order that decides between overlapping rows, and the codes the table leaves unmapped.

use mmc_core::condition::{classify, classify_row, classify_sense, Condition, CLASSIFY_TABLE};
use mmc_core::sense::{Sense, SenseBuilder, SenseTriple};

use Condition::*;

const SYNCHRONIZE_CACHE: u8 = 0x35;
const MODE_SELECT_10: u8 = 0x55;
const MODE_SENSE_10: u8 = 0x5A;
const READ_DISC_STRUCTURE: u8 = 0xAD;
const WRITE_10: u8 = 0x2A;
const TEST_UNIT_READY: u8 = 0x00;

fn t(key: u8, asc: u8, ascq: u8) -> SenseTriple {
    SenseTriple::new(key, asc, ascq)
}

/// (published row, key/ASC/ASCQ, opcode, condition); "2a" is our added 02/06/00 row.
type Row = (&'static str, (u8, u8, u8), u8, Condition);

const ROWS: [Row; 27] = [
    ("1", (0x0, 0x00, 0x00), TEST_UNIT_READY, Success),
    ("1", (0x0, 0x00, 0x17), WRITE_10, Success),
    ("2", (0x5, 0x02, 0x06), WRITE_10, MediaUpsideDown),
    ("2a", (0x2, 0x06, 0x00), TEST_UNIT_READY, MediaUpsideDown),
    ("3", (0x2, 0x04, 0x01), TEST_UNIT_READY, MediaBecomingReady),
    ("4", (0x2, 0x04, 0x03), TEST_UNIT_READY, NoMedia),
    ("5", (0x2, 0x04, 0x04), WRITE_10, FormatInProgress),
    ("6", (0x2, 0x04, 0x07), WRITE_10, MediaBusy),
    ("7", (0x2, 0x04, 0x08), WRITE_10, MediaBusy),
    ("8", (0x2, 0x04, 0x00), TEST_UNIT_READY, MediaBecomingReady),
    ("8", (0x2, 0x04, 0x02), TEST_UNIT_READY, MediaBecomingReady),
    (
        "9",
        (0x2, 0x30, 0x05),
        READ_DISC_STRUCTURE,
        DvdStructureNotPresent,
    ),
    ("10", (0x3, 0x0C, 0x09), SYNCHRONIZE_CACHE, Success),
    ("11", (0x3, 0x0C, 0x09), WRITE_10, LossOfStreaming),
    ("12", (0x4, 0x09, 0x01), TEST_UNIT_READY, MediaUpsideDown),
    ("13", (0x4, 0x09, 0x02), TEST_UNIT_READY, MediaIncompatible),
    (
        "14",
        (0x5, 0x20, 0x00),
        READ_DISC_STRUCTURE,
        DvdStructureNotPresent,
    ),
    (
        "15",
        (0x5, 0x24, 0x00),
        READ_DISC_STRUCTURE,
        DvdStructureNotPresent,
    ),
    (
        "16",
        (0x5, 0x30, 0x02),
        READ_DISC_STRUCTURE,
        DvdStructureNotPresent,
    ),
    ("17", (0x5, 0x24, 0x00), MODE_SENSE_10, NoSuchModePage),
    (
        "18",
        (0x5, 0x26, 0x02),
        MODE_SELECT_10,
        InvalidModeParameters,
    ),
    ("19", (0x7, 0x27, 0x05), WRITE_10, WriteProtected),
    ("20", (0x6, 0x28, 0x00), TEST_UNIT_READY, MediaBecomingReady),
    ("21", (0x5, 0x30, 0x05), WRITE_10, MediaIncompatible),
    ("21", (0x3, 0x30, 0x00), TEST_UNIT_READY, MediaIncompatible),
    ("22", (0x2, 0x3A, 0x02), TEST_UNIT_READY, NoMedia),
    ("23", (0x3, 0x73, 0x03), WRITE_10, MediaSpeedMismatch),
];

/// Index in CLASSIFY_TABLE of a published row: row 2a sits after row 2, so rows 3.. move by one.
fn index_of(published: &str) -> usize {
    match published {
        "1" => 0,
        "2" => 1,
        "2a" => 2,
        n => n.parse().unwrap(),
    }
}

#[test]
fn every_row_matches_in_published_order() {
    assert_eq!(CLASSIFY_TABLE.len(), 24);
    for (row, (k, a, q), opcode, condition) in ROWS {
        let (index, matched) = classify_row(t(k, a, q), opcode)
            .unwrap_or_else(|| panic!("row {row}: {k:X}/{a:02X}/{q:02X} matched nothing"));
        assert_eq!(index, index_of(row), "row {row}: {k:X}/{a:02X}/{q:02X}");
        assert_eq!(matched.condition, condition, "row {row}");
        assert_eq!(classify(t(k, a, q), opcode), condition, "row {row}");
    }
}

#[test]
fn no_reference_position_found_is_upside_down_both_ways() {
    // As published (any/02/06) and as the SPC code the comment names (02/06/00).
    assert_eq!(
        classify(t(0x2, 0x02, 0x06), TEST_UNIT_READY),
        MediaUpsideDown
    );
    assert_eq!(
        classify(t(0x2, 0x06, 0x00), TEST_UNIT_READY),
        MediaUpsideDown
    );
    // only NOT READY 06/00 was added: other keys with 06/00 stay unmapped
    assert_eq!(classify(t(0x4, 0x06, 0x00), TEST_UNIT_READY), Unmapped);
}

#[test]
fn incompatible_medium_on_read_disc_structure_is_a_missing_structure() {
    // rows 9 and 16 come before the catch-all row 21 (any/30/any)
    assert_eq!(
        classify(t(0x2, 0x30, 0x00), READ_DISC_STRUCTURE),
        DvdStructureNotPresent
    );
    assert_eq!(classify(t(0x2, 0x30, 0x00), WRITE_10), MediaIncompatible);
    assert_eq!(
        classify(t(0x5, 0x30, 0x02), READ_DISC_STRUCTURE),
        DvdStructureNotPresent
    );
    assert_eq!(classify(t(0x5, 0x30, 0x02), WRITE_10), MediaIncompatible);
    // 05/30/05 on ADh has no row of its own: the catch-all applies
    assert_eq!(
        classify(t(0x5, 0x30, 0x05), READ_DISC_STRUCTURE),
        MediaIncompatible
    );
}

#[test]
fn loss_of_streaming_is_ignored_only_on_synchronize_cache() {
    assert_eq!(classify(t(0x3, 0x0C, 0x09), SYNCHRONIZE_CACHE), Success);
    assert_eq!(classify(t(0x3, 0x0C, 0x09), WRITE_10), LossOfStreaming);
    assert_eq!(classify(t(0x3, 0x0C, 0x09), 0xAA), LossOfStreaming); // WRITE (12)
}

#[test]
fn invalid_field_in_cdb_depends_on_the_opcode() {
    let invalid_field = t(0x5, 0x24, 0x00);
    assert_eq!(
        classify(invalid_field, READ_DISC_STRUCTURE),
        DvdStructureNotPresent
    );
    assert_eq!(classify(invalid_field, MODE_SENSE_10), NoSuchModePage);
    assert_eq!(classify(invalid_field, 0x1A), Unmapped); // MODE SENSE (6): no row
    assert_eq!(classify(invalid_field, WRITE_10), Unmapped);
}

#[test]
fn invalid_opcode_and_parameter_list_are_unmapped_on_other_commands() {
    assert_eq!(
        classify(t(0x5, 0x20, 0x00), READ_DISC_STRUCTURE),
        DvdStructureNotPresent
    );
    assert_eq!(classify(t(0x5, 0x20, 0x00), 0x46), Unmapped); // GET CONFIGURATION
    assert_eq!(
        classify(t(0x5, 0x26, 0x00), MODE_SELECT_10),
        InvalidModeParameters
    );
    assert_eq!(classify(t(0x5, 0x26, 0x00), 0x15), Unmapped); // MODE SELECT (6)
}

#[test]
fn specific_not_ready_rows_win_over_the_02_04_catch_all() {
    assert_eq!(classify(t(0x2, 0x04, 0x03), WRITE_10), NoMedia);
    assert_eq!(classify(t(0x2, 0x04, 0x04), WRITE_10), FormatInProgress);
    assert_eq!(classify(t(0x2, 0x04, 0x08), WRITE_10), MediaBusy);
    assert_eq!(classify(t(0x2, 0x04, 0x09), WRITE_10), MediaBecomingReady);
}

#[test]
fn rows_are_key_specific_where_published() {
    // 04/01 is only "becoming ready" as NOT READY; 3A only as NOT READY; 27 only as DATA PROTECT
    assert_eq!(classify(t(0x6, 0x04, 0x01), TEST_UNIT_READY), Unmapped);
    assert_eq!(classify(t(0x6, 0x3A, 0x00), TEST_UNIT_READY), Unmapped);
    assert_eq!(classify(t(0x5, 0x27, 0x00), WRITE_10), Unmapped);
    // 73/03 matches any key
    assert_eq!(classify(t(0x1, 0x73, 0x03), WRITE_10), MediaSpeedMismatch);
}

#[test]
fn codes_the_table_leaves_out_are_unmapped() {
    for (k, a, q) in [
        (0x8, 0x00, 0x00), // blank check
        (0x8, 0x64, 0x00),
        (0x1, 0x17, 0x01), // recovered data with retries
        (0x1, 0x00, 0x00), // recovered error: row 1 is NO SENSE only
        (0x6, 0x28, 0x01), // import or export element accessed
        (0x6, 0x28, 0x02), // format-layer may have changed
        (0x6, 0x29, 0x00), // power on / reset
        (0x6, 0x2A, 0x01), // mode parameters changed
        (0x5, 0x2C, 0x00), // command sequence error
        (0x6, 0x2E, 0x00), // insufficient time for operation
        (0x4, 0x3E, 0x02), // timeout on logical unit
        (0x3, 0x57, 0x00), // unable to recover TOC
        (0x5, 0x64, 0x00), // illegal mode for this track
        (0x5, 0x64, 0x01), // invalid packet size
        (0x5, 0x6F, 0x00), // copy protection
        (0x3, 0x72, 0x00), // session fixation errors
        (0x3, 0x72, 0x03),
        (0x5, 0x72, 0x05),
        (0x3, 0x73, 0x00), // CD control error
        (0x3, 0x73, 0x01), // power calibration area almost full
        (0x3, 0x73, 0x02),
        (0x3, 0x73, 0x04), // PMA update failure
        (0x3, 0x73, 0x05),
        (0x3, 0x73, 0x06),
        (0x3, 0x0C, 0x00), // write error
        (0x5, 0x21, 0x02), // invalid address for write
        (0x0, 0x01, 0x00), // NO SENSE with another ASC
    ] {
        assert_eq!(
            classify(t(k, a, q), WRITE_10),
            Unmapped,
            "{k:X}/{a:02X}/{q:02X}"
        );
        assert_eq!(classify_row(t(k, a, q), WRITE_10), None);
    }
}

#[test]
fn names_and_hresults_are_the_documented_values() {
    let expected: [(Condition, &str, u32); 14] = [
        (Success, "S_OK", 0x0000_0000),
        (
            MediaUpsideDown,
            "E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN",
            0xC0AA_0204,
        ),
        (
            MediaBecomingReady,
            "E_IMAPI_RECORDER_MEDIA_BECOMING_READY",
            0xC0AA_0205,
        ),
        (NoMedia, "E_IMAPI_RECORDER_MEDIA_NO_MEDIA", 0xC0AA_0202),
        (
            FormatInProgress,
            "E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS",
            0xC0AA_0206,
        ),
        (MediaBusy, "E_IMAPI_RECORDER_MEDIA_BUSY", 0xC0AA_0207),
        (
            DvdStructureNotPresent,
            "E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT",
            0xC0AA_020E,
        ),
        (LossOfStreaming, "E_IMAPI_LOSS_OF_STREAMING", 0xC0AA_0300),
        (
            MediaIncompatible,
            "E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE",
            0xC0AA_0203,
        ),
        (
            NoSuchModePage,
            "E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE",
            0xC0AA_0201,
        ),
        (
            InvalidModeParameters,
            "E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS",
            0xC0AA_0208,
        ),
        (
            WriteProtected,
            "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
            0xC0AA_0209,
        ),
        (
            MediaSpeedMismatch,
            "E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH",
            0xC0AA_020F,
        ),
        (Unmapped, "E_FAIL", 0x8000_4005),
    ];
    for (c, name, hr) in expected {
        assert_eq!(c.imapi_name(), name);
        assert_eq!(c.hresult(), hr, "{name}");
        assert_eq!(c.to_string(), name);
    }
    assert_eq!(Condition::ALL.len(), expected.len());
}

#[test]
fn parsed_sense_classifies_and_cut_sense_is_unmapped() {
    let bytes = SenseBuilder::new(t(0x7, 0x27, 0x00)).fixed();
    let sense = Sense::parse(&bytes).unwrap();
    assert_eq!(classify_sense(&sense, WRITE_10), WriteProtected);
    let cut = Sense::parse(&bytes[..12]).unwrap(); // no ASC
    assert_eq!(classify_sense(&cut, WRITE_10), Unmapped);
}

#[test]
fn conditions_serialize_in_snake_case() {
    assert_eq!(
        serde_json::to_string(&MediaUpsideDown).unwrap(),
        "\"media_upside_down\""
    );
}
