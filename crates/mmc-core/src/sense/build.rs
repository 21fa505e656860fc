//! Building sense data in either format, without allocating: what the emulator returns with
//! every CHECK CONDITION, and what tests feed to the engine.

use serde::{Deserialize, Serialize};

use super::codes::{SenseKeySpecific, SenseTriple};
use super::descriptor::{descriptor_type, ProgressIndication};
use super::parse::{response_code, SenseFormat};
use crate::wire::{EmitError, SenseBytes, Writer};

/// Fixed format is 18 bytes: ADDITIONAL SENSE LENGTH 0Ah (SPC-4 4.5.3; what Windows' 18-byte
/// SENSE_DATA and every MMC drive use).
pub const FIXED_SENSE_LEN: usize = 18;
const DESCRIPTOR_HEADER_LEN: usize = 8;

/// The sense a device returns, field by field. Build it from a [`SenseTriple`] with the
/// chained setters, then emit it with [`SenseBuilder::fixed`] or [`SenseBuilder::descriptor`].
///
/// ```
/// use mmc_core::sense::{triples, Sense, SenseBuilder};
/// let bytes = SenseBuilder::new(triples::FORMAT_IN_PROGRESS).progress(0x8000).fixed();
/// let sense = Sense::parse(&bytes).unwrap();
/// assert_eq!(sense.progress(), Some(0.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SenseBuilder {
    pub triple: SenseTriple,
    /// 71h/73h instead of 70h/72h.
    pub deferred: bool,
    /// INFORMATION, marked VALID.
    pub information: Option<u64>,
    pub command_specific: Option<u64>,
    pub sense_key_specific: Option<SenseKeySpecific>,
    /// Field replaceable unit code; zero means none and is not emitted.
    pub fru: Option<u8>,
    pub filemark: bool,
    pub eom: bool,
    pub ili: bool,
    /// Progress indication descriptor (0Ah): descriptor format only.
    pub progress_indication: Option<ProgressIndication>,
}

impl SenseBuilder {
    /// Sense with only key, ASC and ASCQ.
    pub const fn new(triple: SenseTriple) -> Self {
        SenseBuilder {
            triple,
            deferred: false,
            information: None,
            command_specific: None,
            sense_key_specific: None,
            fru: None,
            filemark: false,
            eom: false,
            ili: false,
            progress_indication: None,
        }
    }

    /// Reports an error of an earlier command (71h/73h).
    pub const fn deferred(mut self) -> Self {
        self.deferred = true;
        self
    }

    /// INFORMATION, e.g. the LBA that failed. Fixed format holds 32 bits: a larger value is
    /// sent with VALID cleared and the field zero (SPC-4 4.5.3 wants descriptor format then).
    pub const fn information(mut self, information: u64) -> Self {
        self.information = Some(information);
        self
    }

    /// COMMAND-SPECIFIC INFORMATION. Fixed format holds 32 bits: a larger value is sent as zero.
    pub const fn command_specific(mut self, information: u64) -> Self {
        self.command_specific = Some(information);
        self
    }

    /// The sense-key-specific field (sent with SKSV set).
    pub const fn sense_key_specific(mut self, sks: SenseKeySpecific) -> Self {
        self.sense_key_specific = Some(sks);
        self
    }

    /// Progress of the operation this sense reports (NOT READY 04/04, 04/07, 04/08 ...), in
    /// 1/65536: the sense-key-specific progress indication of SPC-4 4.5.2.4.4.
    pub const fn progress(self, progress: u16) -> Self {
        self.sense_key_specific(SenseKeySpecific::Progress(progress))
    }

    /// A progress indication descriptor (SPC-4 4.5.2.6) for another operation. Descriptor format
    /// only: fixed format has no place for it and leaves it out.
    pub const fn progress_indication(mut self, progress: ProgressIndication) -> Self {
        self.progress_indication = Some(progress);
        self
    }

    pub const fn fru(mut self, code: u8) -> Self {
        self.fru = Some(code);
        self
    }

    pub const fn filemark(mut self) -> Self {
        self.filemark = true;
        self
    }

    pub const fn eom(mut self) -> Self {
        self.eom = true;
        self
    }

    pub const fn ili(mut self) -> Self {
        self.ili = true;
        self
    }

    fn fru_code(&self) -> Option<u8> {
        self.fru.filter(|&c| c != 0)
    }

    /// Length of the emitted sense in `format`.
    pub fn buffer_len(&self, format: SenseFormat) -> usize {
        match format {
            SenseFormat::Fixed => FIXED_SENSE_LEN,
            SenseFormat::Descriptor => {
                let mut len = DESCRIPTOR_HEADER_LEN;
                len += if self.information.is_some() { 12 } else { 0 };
                len += if self.command_specific.is_some() {
                    12
                } else {
                    0
                };
                len += if self.sense_key_specific.is_some() {
                    8
                } else {
                    0
                };
                len += if self.fru_code().is_some() { 4 } else { 0 };
                len += if self.filemark || self.eom || self.ili {
                    4
                } else {
                    0
                };
                len += if self.progress_indication.is_some() {
                    8
                } else {
                    0
                };
                len
            }
        }
    }

    /// Writes the sense into `buf`, returning its length (exactly [`Self::buffer_len`]).
    pub fn emit(&self, format: SenseFormat, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = Writer::new(buf, "sense data");
        match format {
            SenseFormat::Fixed => self.emit_fixed(&mut w),
            SenseFormat::Descriptor => self.emit_descriptor(&mut w),
        }
        w.finish()
    }

    /// Fixed format (70h/71h), 18 bytes.
    pub fn fixed(&self) -> SenseBytes {
        self.build(SenseFormat::Fixed)
    }

    /// Descriptor format (72h/73h) with the descriptors for the fields that are set.
    pub fn descriptor(&self) -> SenseBytes {
        self.build(SenseFormat::Descriptor)
    }

    /// The sense in `format`.
    pub fn build(&self, format: SenseFormat) -> SenseBytes {
        let mut out = SenseBytes::zeroed(self.buffer_len(format));
        // At most 56 bytes of descriptor format, always within SenseBytes' 252.
        let written = self.emit(format, out.as_mut_slice()).unwrap_or(0);
        out.truncate(written);
        out
    }

    fn emit_fixed(&self, w: &mut Writer<'_>) {
        let t = self.triple;
        // SPC-4 4.5.3 table 36.
        let information = self.information.and_then(|i| u32::try_from(i).ok());
        let mut b0 = if self.deferred {
            response_code::FIXED_DEFERRED
        } else {
            response_code::FIXED_CURRENT
        };
        if information.is_some() {
            b0 |= 0x80; // VALID
        }
        w.u8(b0)
            .u8(0) // obsolete (segment number)
            .u8(self.flags() | t.key.to_u8())
            .u32(information.unwrap_or(0))
            .u8((FIXED_SENSE_LEN - 8) as u8) // ADDITIONAL SENSE LENGTH = 0Ah
            .u32(
                self.command_specific
                    .and_then(|i| u32::try_from(i).ok())
                    .unwrap_or(0),
            )
            .u8(t.asc)
            .u8(t.ascq)
            .u8(self.fru_code().unwrap_or(0));
        match self.sense_key_specific {
            Some(sks) => w.put(&sks.encode()),
            None => w.zeros(3),
        };
    }

    /// Byte 2 bits 7-5 of fixed format, byte 3 of the stream commands descriptor.
    fn flags(&self) -> u8 {
        (u8::from(self.filemark) << 7) | (u8::from(self.eom) << 6) | (u8::from(self.ili) << 5)
    }

    fn emit_descriptor(&self, w: &mut Writer<'_>) {
        use descriptor_type as d;
        let t = self.triple;
        let code = if self.deferred {
            response_code::DESCRIPTOR_DEFERRED
        } else {
            response_code::DESCRIPTOR_CURRENT
        };
        let additional = self.buffer_len(SenseFormat::Descriptor) - DESCRIPTOR_HEADER_LEN;
        // SPC-4 4.5.2 table 28: code, key, ASC, ASCQ, 3 reserved, ADDITIONAL SENSE LENGTH.
        w.u8(code)
            .u8(t.key.to_u8())
            .u8(t.asc)
            .u8(t.ascq)
            .zeros(3)
            .u8(u8::try_from(additional).unwrap_or(u8::MAX));
        if let Some(info) = self.information {
            // SPC-4 4.5.2.2: VALID set, 8-byte INFORMATION.
            w.u8(d::INFORMATION).u8(0x0A).u8(0x80).u8(0).u64(info);
        }
        if let Some(csi) = self.command_specific {
            w.u8(d::COMMAND_SPECIFIC).u8(0x0A).zeros(2).u64(csi);
        }
        if let Some(sks) = self.sense_key_specific {
            w.u8(d::SENSE_KEY_SPECIFIC)
                .u8(0x06)
                .zeros(2)
                .put(&sks.encode())
                .u8(0);
        }
        if let Some(fru) = self.fru_code() {
            w.u8(d::FIELD_REPLACEABLE_UNIT).u8(0x02).u8(0).u8(fru);
        }
        if self.filemark || self.eom {
            w.u8(d::STREAM_COMMANDS).u8(0x02).u8(0).u8(self.flags());
        } else if self.ili {
            w.u8(d::BLOCK_COMMANDS).u8(0x02).u8(0).u8(0x20);
        }
        if let Some(p) = self.progress_indication {
            // SPC-4 4.5.2.6: key, ASC, ASCQ of the operation, reserved, progress.
            let op = p.operation;
            w.u8(d::PROGRESS_INDICATION)
                .u8(0x06)
                .u8(op.key.to_u8())
                .u8(op.asc)
                .u8(op.ascq)
                .u8(0)
                .u16(p.progress);
        }
    }
}

impl From<SenseTriple> for SenseBuilder {
    fn from(triple: SenseTriple) -> Self {
        SenseBuilder::new(triple)
    }
}
