//! Formatting rewritable discs: FORMAT UNIT with the format READ FORMAT CAPACITIES offers
//! (BD-RE), the DVD+RW background format, and the `format` command's whole operation.

use core::time::Duration;

use mmc_core::cdb::{CloseFunction, FormatType, FormatUnit, Opcode, ReadFormatCapacities};
use mmc_core::params::{FormatDescriptor, FormatUnitParameters};
use mmc_core::response::disc_info::BgFormatStatus;
use mmc_core::response::FormatCapacities;
use mmc_core::{DataPhase, Transport};

use super::defect::DefectManagement;
use super::exchange::Retry;
use super::timeouts::Timeouts;
use super::Recorder;
use crate::error::{DeviceCause, Error, Phase};

/// How often a background format is polled for completion.
const FORMAT_POLL_INTERVAL: Duration = Duration::from_secs(5);

impl<T: Transport> Recorder<T> {
    /// The formats READ FORMAT CAPACITIES offers.
    pub(crate) fn format_capacities(&mut self) -> Result<FormatCapacities, Error> {
        let cdb = ReadFormatCapacities {
            allocation_length: 512,
        };
        self.query(&cdb)
    }

    /// FORMAT UNIT with Immed (MMC-6 6.5).
    pub(crate) fn format(
        &mut self,
        descriptor: FormatDescriptor,
        timeouts: &Timeouts,
    ) -> Result<(), Error> {
        self.format_with(FormatUnitParameters::immediate(descriptor), timeouts)
    }

    /// FORMAT UNIT with the parameter list `params`.
    fn format_with(
        &mut self,
        params: FormatUnitParameters,
        timeouts: &Timeouts,
    ) -> Result<(), Error> {
        let params = params.to_bytes();
        let cdb = FormatUnit {
            fmt_data: true,
            cmp_list: false,
            format_code: 1,
        };
        self.command(
            &cdb,
            DataPhase::Out(&params),
            timeouts.immediate,
            Retry::Patiently {
                budget: timeouts.becoming_ready,
                phase: Phase::Other,
                progress: &mut |_, _| {},
            },
        )
        .map(|_| ())
    }

    /// The format an unformatted BD-RE gets: the default with spare areas (type 00h) when
    /// offered, else the largest 30h; DVD+RW: the basic background format (26h).
    pub(crate) fn default_format(&mut self, dvd_plus_rw: bool) -> Result<FormatDescriptor, Error> {
        if dvd_plus_rw {
            return Ok(FormatDescriptor::dvd_plus_rw_basic(false));
        }
        let caps = self.format_capacities()?;
        let pick = caps
            .formattable
            .iter()
            .find(|d| d.format_type.to_u8() == FormatType::FullFormat.to_u8())
            .or_else(|| {
                caps.formattable
                    .iter()
                    .find(|d| d.format_type.to_u8() == FormatType::BdReWithSpareAreas.to_u8())
            })
            .or_else(|| caps.formattable.first())
            .copied()
            .ok_or(Error::MediaIncompatible {
                cause: DeviceCause {
                    opcode: Opcode::ReadFormatCapacities,
                    sense: None,
                },
            })?;
        Ok(FormatDescriptor {
            number_of_blocks: pick.blocks,
            // READ FORMAT CAPACITIES and FORMAT UNIT code format types alike (MMC-6 6.5.3).
            format_type: FormatType::from_u8(pick.format_type.to_u8()),
            format_subtype: 0,
            type_dependent: pick.type_dependent,
        })
    }

    /// A DVD-RW to Restricted Overwrite, with the format READ FORMAT CAPACITIES offers:
    /// `quick`, 15h (MMC-6 6.5.4.2.10) with Number of Blocks 0, so the disc is in
    /// intermediate state at once and grows as it is written (as growisofs, dvd+rw-format and
    /// libburn format it); otherwise 10h (MMC-6 6.5.4.2.5) over the blocks the drive offers,
    /// the whole disc. Either erases what the disc held, in either recording mode.
    fn dvd_rw_format(&mut self, quick: bool) -> Result<FormatDescriptor, Error> {
        let wanted = if quick {
            FormatType::DvdRwQuick
        } else {
            FormatType::CdRwDvdRwFullFormat
        };
        let caps = self.format_capacities()?;
        let offered = caps
            .formattable
            .iter()
            .find(|d| d.format_type.to_u8() == wanted.to_u8())
            .ok_or_else(|| Error::MediaIsNotSupported {
                detail: format!(
                    "the drive offers no {} ({:02X}h) for this DVD-RW (READ FORMAT CAPACITIES)",
                    wanted.name(),
                    wanted.to_u8()
                ),
            })?;
        Ok(FormatDescriptor {
            number_of_blocks: if quick { 0 } else { offered.blocks },
            format_type: wanted,
            format_subtype: 0,
            type_dependent: offered.type_dependent,
        })
    }

    /// Formats a rewritable disc for use (IMAPI's format step, also the `format` command):
    /// DVD+RW gets the basic background format, and with `quick` the background format is
    /// stopped at once (the disc is usable immediately); BD-RE gets the default format with
    /// spare areas (`quick`: the quick reformat sub-type, otherwise full certification where
    /// the drive offers it); DVD-RW goes to Restricted Overwrite (`dvd_rw_format`); DVD-RAM
    /// gets the default format as sold (`quick`: without certification). Waits
    /// until the drive is ready again. `progress` hears the fraction done whenever the drive
    /// reports it.
    pub fn format_medium(
        &mut self,
        quick: bool,
        timeouts: &Timeouts,
        progress: &mut dyn FnMut(Option<f64>),
    ) -> Result<(), Error> {
        self.format_medium_with(quick, None, timeouts, progress)
    }

    /// [`Recorder::format_medium`] with the spare areas `spares` asks for on a medium with
    /// defect management (BD-RE, a blank BD-R, DVD-RAM): on with a size, or off (BD-RE format
    /// type 31h; DVD-RAM format type 00h without a supplementary spare area, the primary one
    /// staying). `None`: the default format (a BD-R is then refused, as IMAPI leaves it
    /// unformatted).
    pub fn format_medium_with(
        &mut self,
        quick: bool,
        spares: Option<DefectManagement>,
        timeouts: &Timeouts,
        progress: &mut dyn FnMut(Option<f64>),
    ) -> Result<(), Error> {
        // The tray stays shut while the disc is formatted, and is unlocked however it ends.
        self.lock_tray(true)?;
        let result = self.format_locked(quick, spares, timeouts, progress);
        self.unlock_tray_after();
        result
    }

    fn format_locked(
        &mut self,
        quick: bool,
        spares: Option<DefectManagement>,
        timeouts: &Timeouts,
        progress: &mut dyn FnMut(Option<f64>),
    ) -> Result<(), Error> {
        let profile = self.current_profile()?;
        match profile {
            mmc_core::Profile::DvdPlusRw if spares.is_some() => Err(Error::MediaIsNotSupported {
                detail: "a DVD+RW has no spare areas (no defect management) to choose".into(),
            }),
            mmc_core::Profile::DvdPlusRw => {
                self.format(FormatDescriptor::dvd_plus_rw_basic(false), timeouts)?;
                if quick {
                    return self.close(
                        CloseFunction::QuickStopBackgroundFormat,
                        0,
                        timeouts,
                        &mut |p, _| progress(p),
                    );
                }
                // A full format lets the background format run to the end (MMC-6 4.3.8:
                // READ DISC INFORMATION reports BG format status 11b when it completes).
                let mut waited = Duration::ZERO;
                while self.background_format_status()? != BgFormatStatus::Complete {
                    if waited > timeouts.long_operation {
                        return Err(Error::MediaFormatInProgress {
                            cause: DeviceCause {
                                opcode: Opcode::ReadDiscInformation,
                                sense: None,
                            },
                        });
                    }
                    self.pause(FORMAT_POLL_INTERVAL);
                    waited += FORMAT_POLL_INTERVAL;
                    progress(None);
                }
                Ok(())
            }
            mmc_core::Profile::BdRSrm | mmc_core::Profile::BdRRrm if spares.is_some() => {
                let choice = spares.unwrap_or_default();
                let descriptor = self.spare_format(profile, choice)?;
                self.format(descriptor, timeouts)?;
                self.wait_after_immed(timeouts.long_operation, &mut |p, _| progress(p))
            }
            mmc_core::Profile::BdRe => {
                let mut descriptor = match spares {
                    Some(choice) => self.spare_format(profile, choice)?,
                    None => self.default_format(false)?,
                };
                if descriptor.format_type == FormatType::BdReWithSpareAreas {
                    // Sub-type 00b quick reformat, 10b full certification (MMC-6 FORMAT UNIT, format
                    // type 30h, formatting BD-RE with spare areas).
                    descriptor.format_subtype = if quick { 0b00 } else { 0b10 };
                }
                self.format(descriptor, timeouts)?;
                self.wait_after_immed(timeouts.long_operation, &mut |p, _| progress(p))
            }
            // Format type 00h with or without the supplementary spare area (MMC-6 6.5.4.2.1),
            // or 01h when the spare area asked for is one it can grow to, keeping the data
            // (6.5.4.2.2); the default as sold without `spares`. Quick: DCRT, the drive does
            // not certify the disc (MMC-6 6.5.3, FORMAT UNIT parameter list header).
            mmc_core::Profile::DvdRam => {
                let descriptor = self.spare_format(profile, spares.unwrap_or_default())?;
                let params = FormatUnitParameters {
                    disable_certification: quick,
                    ..FormatUnitParameters::immediate(descriptor)
                };
                self.format_with(params, timeouts)?;
                self.wait_after_immed(timeouts.long_operation, &mut |p, _| progress(p))
            }
            mmc_core::Profile::DvdRwSequential | mmc_core::Profile::DvdRwRestrictedOverwrite
                if spares.is_some() =>
            {
                Err(Error::MediaIsNotSupported {
                    detail: "a DVD-RW has no spare areas (no defect management) to choose".into(),
                })
            }
            mmc_core::Profile::DvdRwSequential | mmc_core::Profile::DvdRwRestrictedOverwrite => {
                let descriptor = self.dvd_rw_format(quick)?;
                self.format(descriptor, timeouts)?;
                self.wait_after_immed(timeouts.long_operation, &mut |p, _| progress(p))
            }
            other => Err(Error::MediaIsNotSupported {
                detail: format!(
                    "{} discs are not formatted (only DVD+RW, DVD-RW, DVD-RAM, BD-RE and, with spare areas, BD-R are)",
                    other.name()
                ),
            }),
        }
    }
}
