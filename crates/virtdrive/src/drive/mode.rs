//! MODE SENSE(10) and MODE SELECT(10) (SPC-4 6.14, 6.11; MMC-6 7): page 01h Read/Write Error
//! Recovery, fixed, page 05h Write Parameters, kept by the medium (CD-R, DVD+R, DVD+RW), and page 2Ah MM
//! Capabilities, built from the drive's state.

use mmc_core::cdb::{ModeSelect10, ModeSense10, PageControl};
use mmc_core::params::mode::{ModePage, ModeParameters, RawPage};
use mmc_core::params::WriteParameters;
use mmc_core::response::capabilities::{
    CapabilitiesPage, WriteSpeedDescriptor2A, WriteSpeedReport,
};
use mmc_core::response::ResponseFormat;
use mmc_core::sense::triples;
use mmc_core::DataPhase;

use super::{EmulatedDrive, Failure, Reply};

const ERROR_RECOVERY: u8 = 0x01;
const WRITE_PARAMETERS: u8 = 0x05;
const CAPABILITIES: u8 = 0x2A;
const ALL_PAGES: u8 = 0x3F;

/// Page 01h Read/Write Error Recovery (MMC-6 7.3, 12 bytes, page length 0Ah), which the
/// Random Readable and Random Writable features announce as present (PP = 1): every
/// recovery procedure enabled, recovered errors not reported, an unrecoverable one ending the
/// command with CHECK CONDITION (byte 2 = 00h); no retry counts and no recovery time limit, as
/// the emulated medium has no marginal sectors to retry. Nothing in it is changeable, and it
/// is not savable (PS = 0).
fn error_recovery_page() -> RawPage {
    RawPage {
        ps: false,
        page_code: ERROR_RECOVERY,
        subpage_code: None,
        data: vec![0; 10],
    }
}

/// The data-out bytes of a command whose CDB announced `expected`; fewer is a parameter list
/// length error, as a drive that received a short transfer reports it.
pub(crate) fn data_out<'a>(data: &'a DataPhase<'_>, expected: usize) -> Result<&'a [u8], Failure> {
    match data {
        DataPhase::Out(bytes) if bytes.len() >= expected => {
            Ok(bytes.get(..expected).unwrap_or(&[]))
        }
        _ if expected == 0 => Ok(&[]),
        _ => Err(Failure::sense(triples::PARAMETER_LIST_LENGTH_ERROR)),
    }
}

impl EmulatedDrive {
    fn capabilities_page(&self) -> CapabilitiesPage {
        let medium = self.disc.as_ref().map(|d| d.medium.as_ref());
        let speeds = medium.map(|m| m.write_speeds()).unwrap_or_default();
        let read = medium.map(|m| m.read_speed()).unwrap_or(0);
        let to16 = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
        CapabilitiesPage {
            cd_r_read: true,
            cd_rw_read: true,
            method2: true,
            dvd_rom_read: true,
            cd_r_write: true,
            cd_rw_write: true,
            // MMC-6 7.5: page 05h Test Write on CD-R (medium::cd_r::test_write).
            test_write: true,
            buf: true,
            multi_session: true,
            mode2_form1: true,
            loading_mechanism: 0b001,
            eject: true,
            lock: true,
            lock_state: self.prevent_removal,
            max_read_speed: to16(read),
            buffer_size: to16(self.config.buffer_bytes / 1024),
            current_read_speed: to16(read),
            max_write_speed: to16(speeds.first().copied().unwrap_or(0)),
            current_write_speed: Some(to16(self.delivered_write_kbps())),
            copy_management_revision: Some(0),
            write_speeds: Some(WriteSpeedReport {
                rotation_control_selected: u8::from(self.speed.pure_cav),
                current_write_speed_selected: to16(self.delivered_write_kbps()),
                descriptors: speeds
                    .iter()
                    .map(|&s| WriteSpeedDescriptor2A {
                        rotation_control: 0,
                        write_speed: to16(s),
                    })
                    .collect(),
            }),
            ..CapabilitiesPage::default()
        }
    }

    pub(super) fn mode_sense(&self, cdb: ModeSense10) -> Result<Reply, Failure> {
        let write_parameters = || {
            self.disc
                .as_ref()
                .and_then(|d| d.medium.write_parameters())
                .map(ModePage::WriteParameters)
        };
        let changeable = cdb.page_control == PageControl::Changeable;
        let pages: Vec<ModePage> = match cdb.page_code {
            ERROR_RECOVERY => vec![ModePage::Raw(error_recovery_page())],
            WRITE_PARAMETERS => match write_parameters() {
                Some(p) => vec![p],
                // Page 05h is kept with the media whose hosts read it (CD-R, DVD+R, DVD+RW).
                None => return Err(Failure::invalid_cdb_field(2, None)),
            },
            CAPABILITIES => vec![ModePage::Capabilities(self.capabilities_page())],
            // SPC-4 6.14: all pages, in ascending page code order.
            ALL_PAGES => [ModePage::Raw(error_recovery_page())]
                .into_iter()
                .chain(write_parameters())
                .chain([ModePage::Capabilities(self.capabilities_page())])
                .collect(),
            _ => return Err(Failure::invalid_cdb_field(2, None)),
        };
        let pages = if changeable {
            // SPC-4 6.14: the changeable values are a mask with a 1 in every bit the host may
            // set.
            pages.into_iter().map(changeable_mask).collect()
        } else {
            pages
        };
        let params = ModeParameters {
            medium_type: 0,
            device_specific: 0,
            long_lba: false,
            block_descriptors: Vec::new(),
            pages,
            cut_bytes: 0,
        };
        let mut bytes = params.to_bytes();
        bytes.truncate(usize::from(cdb.allocation_length));
        Ok(Reply::Data(bytes))
    }

    pub(super) fn mode_select(
        &mut self,
        cdb: ModeSelect10,
        data: &DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        let list = data_out(data, usize::from(cdb.parameter_list_length))?;
        if list.is_empty() {
            return Ok(Reply::Done);
        }
        let params =
            ModeParameters::parse_select(list).map_err(|_| Failure::invalid_parameter(0))?;
        for page in &params.pages {
            match page {
                ModePage::WriteParameters(p) => {
                    let disc = self.disc.as_mut().ok_or(Failure::invalid_parameter(8))?;
                    if disc.medium.write_parameters().is_none() {
                        return Err(Failure::invalid_parameter(8));
                    }
                    disc.medium.set_write_parameters(p)?;
                }
                // SPC-4 6.11: a field the page reports as not changeable may only be sent
                // with its current value; page 01h has no changeable field.
                ModePage::Raw(p) if p.page_code == ERROR_RECOVERY && p.subpage_code.is_none() => {
                    let current = error_recovery_page();
                    if p.data.len() != current.data.len() {
                        return Err(Failure::invalid_parameter(9));
                    }
                    if let Some(i) = p.data.iter().zip(&current.data).position(|(a, b)| a != b) {
                        let byte = u16::try_from(10 + i).unwrap_or(u16::MAX);
                        return Err(Failure::invalid_parameter(byte));
                    }
                }
                // Page 2Ah is reported, not set: the page code is an invalid field.
                _ => return Err(Failure::invalid_parameter(8)),
            }
        }
        Ok(Reply::Done)
    }
}

/// The mask of changeable bits of a page (page control 01b).
fn changeable_mask(page: ModePage) -> ModePage {
    use mmc_core::params::{DataBlockType, MultiSession, WriteType};
    match page {
        ModePage::WriteParameters(p) => ModePage::WriteParameters(WriteParameters {
            ps: p.ps,
            bufe: true,
            link_size_valid: true,
            test_write: true,
            write_type: WriteType::from_u8(0x0F),
            multi_session: MultiSession::from_u8(0x03),
            fixed_packet: true,
            copy: true,
            track_mode: 0x0F,
            data_block_type: DataBlockType::from_u8(0x0F),
            link_size: 0xFF,
            host_application_code: 0x3F,
            session_format: mmc_core::response::disc_info::DiscType::from_u8(0xFF),
            packet_size: u32::MAX,
            audio_pause_length: u16::MAX,
            media_catalog_number: [0xFF; 16],
            isrc: [0xFF; 16],
            subheader: [0xFF; 4],
            vendor_specific: p.vendor_specific.map(|_| [0; 4]),
        }),
        // Nothing in page 2Ah is set by the host.
        ModePage::Capabilities(p) => ModePage::Capabilities(CapabilitiesPage {
            ps: p.ps,
            current_write_speed: p.current_write_speed.map(|_| 0),
            copy_management_revision: p.copy_management_revision.map(|_| 0),
            write_speeds: p.write_speeds.map(|w| WriteSpeedReport {
                rotation_control_selected: 0,
                current_write_speed_selected: 0,
                descriptors: w
                    .descriptors
                    .iter()
                    .map(|_| WriteSpeedDescriptor2A::default())
                    .collect(),
            }),
            ..CapabilitiesPage::default()
        }),
        // Page 01h: nothing is changeable.
        ModePage::Raw(p) => ModePage::Raw(RawPage {
            data: vec![0; p.data.len()],
            ..p
        }),
    }
}
