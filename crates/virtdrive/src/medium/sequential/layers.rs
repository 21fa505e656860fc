//! The layer boundary of a DVD+R DL (`dvd_plus_r_dl`) or a DVD-R DL (`dvd_minus_r`), MMC-5
//! READ and SEND DISC STRUCTURE format 20h: READ DISC STRUCTURE 20h shows the L0
//! data zone capacity and whether it can still be changed; SEND DISC STRUCTURE 20h changes it
//! on a blank disc, which then holds twice it. The capacity set is kept with the disc (as the
//! spare areas are: recorded at once, a power loss keeps it).

use mmc_core::cdb::{DiscStructureMedia, LayerBoundary, SendDiscStructure};
use mmc_core::sense::triples;

use super::{recording_of, SequentialDisc};
use crate::medium::disc_structure::{self, DvdLayers};
use crate::medium::overwritable::{invalid_cdb_field, invalid_parameter};
use crate::medium::{MediumError, MediumResult};

impl SequentialDisc {
    /// The layers of a DVD+R DL or DVD-R DL, as READ DISC STRUCTURE shows them.
    pub(super) fn dvd_layers(&self) -> Option<DvdLayers> {
        let default = self.geometry.layers.settable_layer0?;
        Some(DvdLayers {
            layer0: self.layer0.unwrap_or(default),
            fixed: !self.untouched(),
        })
    }

    /// SEND DISC STRUCTURE: format 20h of DVD media on a DVD+R DL or DVD-R DL, else 05/24/00 on the
    /// media type (byte 1) or the format code (byte 7); on a closed disc 05/2C/00.
    pub(super) fn receive_structure(
        &mut self,
        cdb: &SendDiscStructure,
        list: &[u8],
    ) -> MediumResult<()> {
        if cdb.media_type != DiscStructureMedia::Dvd
            && self.geometry.layers.settable_layer0.is_some()
        {
            // Byte 1 bits 3-0: the structures of another family.
            return Err(invalid_cdb_field(1, Some(3)));
        }
        if cdb.format_code != disc_structure::LAYER_BOUNDARY {
            // Byte 7: a structure this disc does not take.
            return Err(invalid_cdb_field(7, None));
        }
        if self.disc.finalized {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        self.set_layer_boundary(list)
    }

    /// SEND DISC STRUCTURE 20h: the L0 data zone capacity of a blank DVD+R DL or DVD-R DL.
    fn set_layer_boundary(&mut self, list: &[u8]) -> MediumResult<()> {
        let Some(default) = self.geometry.layers.settable_layer0 else {
            return Err(invalid_cdb_field(7, None));
        };
        let boundary = LayerBoundary::parse_sent(list).map_err(|e| {
            let (triple, sks) = e.sense();
            let error = MediumError::new(triple);
            match sks {
                Some(sks) => error.with_sks(sks),
                None => error,
            }
        })?;
        if !self.untouched() {
            return Err(triples::COMMAND_SEQUENCE_ERROR.into());
        }
        let l0 = boundary.layer0_sectors;
        if l0 == 0 || l0 > default || l0 % self.recording.ecc_block != 0 {
            // Parameter list bytes 8-11: the L0 data zone capacity.
            return Err(invalid_parameter(8, None));
        }
        self.layer0 = (l0 != default).then_some(l0);
        self.recording = recording_of(self.geometry, self.format, self.layer0);
        self.commit()
    }
}
