//! Sense data: the fixed (70h/71h) and descriptor (72h/73h) formats of SPC-4 4.5, parsed and
//! built, with the names of every sense key and ASC/ASCQ.

mod codes;

pub use codes::{triples, SenseKey, SenseKeySpecific, SenseTriple};
