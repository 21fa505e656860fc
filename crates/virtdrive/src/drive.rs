//! The drive: decodes each CDB and answers from its state.

use core::time::Duration;

use mmc_core::cdb::{Command, Inquiry, RequestSense};
use mmc_core::response::{ResponseFormat, StandardInquiry};
use mmc_core::sense::{triples, SenseBuilder, SenseFormat, SenseKeySpecific, SenseTriple};
use mmc_core::{Completion, DataPhase, Transport, TransportError};

use crate::reply;

/// What the drive says it is (INQUIRY).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveIdentity {
    /// At most 8 ASCII characters.
    pub vendor: String,
    /// At most 16 ASCII characters.
    pub product: String,
    /// At most 4 ASCII characters.
    pub revision: String,
}

impl Default for DriveIdentity {
    fn default() -> Self {
        DriveIdentity {
            vendor: "VIRTDRV".into(),
            product: "VIRTUAL WRITER".into(),
            revision: "0.1".into(),
        }
    }
}

/// An emulated MMC writer.
#[derive(Debug, Default)]
pub struct VirtDrive {
    identity: DriveIdentity,
}

impl VirtDrive {
    pub fn new(identity: DriveIdentity) -> Self {
        VirtDrive { identity }
    }

    pub fn identity(&self) -> &DriveIdentity {
        &self.identity
    }

    /// Why the drive is not ready, or `None` when it is. There is no disc and no tray yet: the
    /// drive is empty with its tray closed.
    fn not_ready(&self) -> Option<SenseTriple> {
        Some(triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED)
    }

    fn inquiry(&self, cdb: Inquiry, phase: DataPhase<'_>) -> Completion {
        if cdb.vpd_page.is_some() {
            // No vital product data pages yet: the page code is an invalid field.
            let sense = reply::sense(triples::INVALID_FIELD_IN_CDB, Some(field_pointer(2)));
            return reply::check_condition(&phase, &sense);
        }
        let id = &self.identity;
        let data = StandardInquiry::mmc_drive(&id.vendor, &id.product, &id.revision);
        let bytes = data.to_bytes();
        let allocation = usize::from(cdb.allocation_length);
        reply::data_in(
            phase,
            bytes.get(..allocation.min(bytes.len())).unwrap_or(&[]),
        )
    }

    /// SPC-4 6.39: with no pending sense (the transport delivered it already, as SG_IO's
    /// autosense does), REQUEST SENSE reports the drive's current condition: why it is not
    /// ready, or NO SENSE. This is what hosts poll for progress.
    fn request_sense(&self, cdb: RequestSense, phase: DataPhase<'_>) -> Completion {
        let triple = self.not_ready().unwrap_or(triples::NO_SENSE);
        let b = SenseBuilder::new(triple);
        let format = if cdb.descriptor_format {
            SenseFormat::Descriptor
        } else {
            SenseFormat::Fixed
        };
        let bytes = b.build(format);
        let allocation = usize::from(cdb.allocation_length);
        reply::data_in(
            phase,
            bytes.get(..allocation.min(bytes.len())).unwrap_or(&[]),
        )
    }
}

impl Transport for VirtDrive {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        _timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let command = match Command::decode(cdb) {
            Ok(c) => c,
            Err(e) => {
                let (triple, sks) = e.sense();
                return Ok(reply::check_condition(&data, &reply::sense(triple, sks)));
            }
        };
        let completion = match command {
            Command::Inquiry(c) => self.inquiry(c, data),
            Command::RequestSense(c) => self.request_sense(c, data),
            // No disc and no tray mechanics yet: the drive is empty with its tray closed.
            Command::TestUnitReady(_) => match self.not_ready() {
                Some(triple) => reply::check_condition(&data, &reply::sense(triple, None)),
                None => Completion::good(),
            },
            // Every other command is well formed but not implemented by this drive yet; a
            // drive answers an opcode it does not support with INVALID COMMAND OPERATION CODE.
            _ => {
                let sense = reply::sense(triples::INVALID_COMMAND_OPERATION_CODE, None);
                reply::check_condition(&data, &sense)
            }
        };
        Ok(completion)
    }
}

/// SPC-4 4.5.2.4.2: the field pointer to byte `byte` of the CDB (whole byte).
fn field_pointer(byte: u16) -> SenseKeySpecific {
    SenseKeySpecific::FieldPointer {
        in_cdb: true,
        bit: None,
        byte,
    }
}
