//! Well-known sense triples (SenseKey/ASC/ASCQ), named as in SPC-5 (annex F, the ASC/ASCQ
//! assignments) and MMC-6, for code that builds or matches sense: the emulator answers with
//! these, the engine and the tests look for them.

use super::SenseTriple;

// Key 0h NO SENSE.
pub const NO_SENSE: SenseTriple = SenseTriple::new(0x0, 0x00, 0x00);

// Key 2h NOT READY.
pub const BECOMING_READY: SenseTriple = SenseTriple::new(0x2, 0x04, 0x01);
pub const FORMAT_IN_PROGRESS: SenseTriple = SenseTriple::new(0x2, 0x04, 0x04);
pub const OPERATION_IN_PROGRESS: SenseTriple = SenseTriple::new(0x2, 0x04, 0x07);
pub const LONG_WRITE_IN_PROGRESS: SenseTriple = SenseTriple::new(0x2, 0x04, 0x08);
pub const NO_REFERENCE_POSITION_FOUND: SenseTriple = SenseTriple::new(0x2, 0x06, 0x00);
pub const INCOMPATIBLE_MEDIUM: SenseTriple = SenseTriple::new(0x2, 0x30, 0x00);
/// 02/30/01 CANNOT READ MEDIUM - UNKNOWN FORMAT: reading where a pressed disc has no data.
pub const CANNOT_READ_UNKNOWN_FORMAT: SenseTriple = SenseTriple::new(0x2, 0x30, 0x01);
/// 02/30/10 MEDIUM NOT FORMATTED: reading or writing a DVD+RW or BD-RE that was never
/// formatted. SPC-5 names the code without a key; NOT READY is what an SBC disk that needs
/// formatting answers.
pub const MEDIUM_NOT_FORMATTED: SenseTriple = SenseTriple::new(0x2, 0x30, 0x10);
pub const MEDIUM_NOT_PRESENT: SenseTriple = SenseTriple::new(0x2, 0x3A, 0x00);
pub const MEDIUM_NOT_PRESENT_TRAY_CLOSED: SenseTriple = SenseTriple::new(0x2, 0x3A, 0x01);
pub const MEDIUM_NOT_PRESENT_TRAY_OPEN: SenseTriple = SenseTriple::new(0x2, 0x3A, 0x02);

// Key 3h MEDIUM ERROR.
pub const WRITE_ERROR: SenseTriple = SenseTriple::new(0x3, 0x0C, 0x00);
pub const LOSS_OF_STREAMING: SenseTriple = SenseTriple::new(0x3, 0x0C, 0x09);
pub const UNRECOVERED_READ_ERROR: SenseTriple = SenseTriple::new(0x3, 0x11, 0x00);
pub const SESSION_FIXATION_ERROR: SenseTriple = SenseTriple::new(0x3, 0x72, 0x00);
pub const POWER_CALIBRATION_AREA_ERROR: SenseTriple = SenseTriple::new(0x3, 0x73, 0x03);

// Key 5h ILLEGAL REQUEST.
pub const PARAMETER_LIST_LENGTH_ERROR: SenseTriple = SenseTriple::new(0x5, 0x1A, 0x00);
pub const INVALID_COMMAND_OPERATION_CODE: SenseTriple = SenseTriple::new(0x5, 0x20, 0x00);
pub const LBA_OUT_OF_RANGE: SenseTriple = SenseTriple::new(0x5, 0x21, 0x00);
pub const INVALID_ADDRESS_FOR_WRITE: SenseTriple = SenseTriple::new(0x5, 0x21, 0x02);
pub const INVALID_FIELD_IN_CDB: SenseTriple = SenseTriple::new(0x5, 0x24, 0x00);
pub const INVALID_FIELD_IN_PARAMETER_LIST: SenseTriple = SenseTriple::new(0x5, 0x26, 0x00);
pub const COMMAND_SEQUENCE_ERROR: SenseTriple = SenseTriple::new(0x5, 0x2C, 0x00);
/// 05/30/02 CANNOT READ MEDIUM - INCOMPATIBLE FORMAT: READ DISC STRUCTURE for the other
/// family (DVD structures of a BD, BD structures of a DVD, either of a CD).
pub const CANNOT_READ_INCOMPATIBLE_FORMAT: SenseTriple = SenseTriple::new(0x5, 0x30, 0x02);
/// 05/30/05 CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT: any write-class command on a pressed
/// disc.
pub const CANNOT_WRITE_INCOMPATIBLE_FORMAT: SenseTriple = SenseTriple::new(0x5, 0x30, 0x05);
/// 05/30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM (also what BLANK gets on media that are
/// not rewritable).
pub const CANNOT_FORMAT_INCOMPATIBLE_MEDIUM: SenseTriple = SenseTriple::new(0x5, 0x30, 0x06);
pub const MEDIUM_REMOVAL_PREVENTED: SenseTriple = SenseTriple::new(0x5, 0x53, 0x02);
/// 05/63/00 END OF USER AREA ENCOUNTERED ON THIS TRACK.
pub const END_OF_USER_AREA: SenseTriple = SenseTriple::new(0x5, 0x63, 0x00);
pub const ILLEGAL_MODE_FOR_THIS_TRACK: SenseTriple = SenseTriple::new(0x5, 0x64, 0x00);
/// 05/72/03 SESSION FIXATION ERROR - INCOMPLETE TRACK IN SESSION.
pub const INCOMPLETE_TRACK_IN_SESSION: SenseTriple = SenseTriple::new(0x5, 0x72, 0x03);

// Key 6h UNIT ATTENTION.
pub const MEDIUM_MAY_HAVE_CHANGED: SenseTriple = SenseTriple::new(0x6, 0x28, 0x00);
pub const POWER_ON_RESET: SenseTriple = SenseTriple::new(0x6, 0x29, 0x00);

// Key 7h DATA PROTECT.
pub const WRITE_PROTECTED: SenseTriple = SenseTriple::new(0x7, 0x27, 0x00);

// Key Bh ABORTED COMMAND.
pub const ABORTED_COMMAND: SenseTriple = SenseTriple::new(0xB, 0x00, 0x00);

// Key Eh MISCOMPARE.
/// 0E/1D/00 MISCOMPARE DURING VERIFY OPERATION.
pub const MISCOMPARE_DURING_VERIFY: SenseTriple = SenseTriple::new(0xE, 0x1D, 0x00);
