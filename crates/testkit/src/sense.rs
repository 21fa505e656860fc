//! The sense triples tests expect: mmc-core's, and the few the tests name that it does not.

use mmc_core::sense::SenseTriple;

pub use mmc_core::sense::triples::*;

/// 02/30/01 CANNOT READ MEDIUM - UNKNOWN FORMAT.
pub const CANNOT_READ_UNKNOWN_FORMAT: SenseTriple = SenseTriple::new(0x2, 0x30, 0x01);
/// 02/30/10 MEDIUM NOT FORMATTED.
pub const MEDIUM_NOT_FORMATTED: SenseTriple = SenseTriple::new(0x2, 0x30, 0x10);
/// 05/30/02 CANNOT READ MEDIUM - INCOMPATIBLE FORMAT.
pub const CANNOT_READ_INCOMPATIBLE_FORMAT: SenseTriple = SenseTriple::new(0x5, 0x30, 0x02);
/// 05/30/05 CANNOT WRITE MEDIUM - INCOMPATIBLE FORMAT.
pub const CANNOT_WRITE_INCOMPATIBLE_FORMAT: SenseTriple = SenseTriple::new(0x5, 0x30, 0x05);
/// 05/30/06 CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM.
pub const CANNOT_FORMAT_INCOMPATIBLE_MEDIUM: SenseTriple = SenseTriple::new(0x5, 0x30, 0x06);
/// 05/63/00 END OF USER AREA ENCOUNTERED ON THIS TRACK.
pub const END_OF_USER_AREA: SenseTriple = SenseTriple::new(0x5, 0x63, 0x00);
/// 0E/1D/00 MISCOMPARE DURING VERIFY OPERATION.
pub const MISCOMPARE: SenseTriple = SenseTriple::new(0xE, 0x1D, 0x00);
