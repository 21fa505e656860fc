//! How an answer reaches the host: data-in cut to the buffer, residual counted, and CHECK
//! CONDITION with sense built by mmc-core.

use mmc_core::sense::{SenseBuilder, SenseKeySpecific, SenseTriple};
use mmc_core::{Completion, DataPhase, SenseBytes};

/// Copies `answer` into the host's data-in buffer as far as both go; the rest of the buffer
/// is the residual (SPC: a device returns at most the allocation length).
pub(crate) fn data_in(phase: DataPhase<'_>, answer: &[u8]) -> Completion {
    match phase {
        DataPhase::In(buf) => {
            let n = answer.len().min(buf.len());
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), answer.get(..n)) {
                dst.copy_from_slice(src);
            }
            Completion::good_with_residual(buf.len() - n)
        }
        DataPhase::Out(b) => Completion::good_with_residual(b.len()),
        DataPhase::None => Completion::good(),
    }
}

/// Fixed-format sense, as drives report by default (MMC drives answer 70h, 18 bytes).
pub(crate) fn sense(triple: SenseTriple, sks: Option<SenseKeySpecific>) -> SenseBytes {
    let mut b = SenseBuilder::new(triple);
    if let Some(sks) = sks {
        b = b.sense_key_specific(sks);
    }
    b.fixed()
}

/// CHECK CONDITION with `sense`; no data was transferred.
pub(crate) fn check_condition(phase: &DataPhase<'_>, sense: &SenseBytes) -> Completion {
    Completion::check_condition(sense, phase.len())
}
