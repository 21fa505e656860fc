//! The sense triples tests expect: mmc-core's `mmc_core::sense::triples`, re-exported.

pub use mmc_core::sense::triples::*;
