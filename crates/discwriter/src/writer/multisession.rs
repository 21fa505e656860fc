//! IDiscFormat2Data::MultisessionInterfaces: what a program making the next session's file
//! system needs to know about the disc. IMAPI hands out an IMultisessionSequential(2) for
//! media recorded session by session (CD-R, DVD+R, BD-R) and an IMultisessionRandomWrite for
//! overwritable media (DVD+RW, BD-RE); here each is a [`Multisession`] holding the
//! IMultisession properties and the medium's own ones.
//!
//! The values are read from the drive when [`DataWriter::multisession_interfaces`] is called
//! (IMAPI's objects read them on every get): call it again after a write. The address
//! properties are the DataWriter's properties of the same name, as Microsoft documents.

use mmc_core::cdb::{ConfigurationRequest, ReadCapacity, ReadTrackInformation, TrackAddressType};
use mmc_core::response::features::FeatureBody;
use mmc_core::response::{CapacityData, TrackInformation};
use mmc_core::{Profile, Transport};
use serde::Serialize;

use super::plan::{ecc_block, MediumClass};
use super::properties::{configuration, next_writable_address, previous_session, writable};
use super::{free_sectors_for_stream, DataWriter};
use crate::error::Error;
use crate::recorder::{DiscState, DiscSummary, DriveInfo, Recorder};

/// One multisession interface: IMultisession's properties and the medium's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Multisession {
    /// IsSupportedOnCurrentMediaState: the next write can go onto the disc as it is (a blank
    /// or appendable write-once disc, an overwritable one), and it is not write-protected.
    pub is_supported_on_current_media_state: bool,
    /// InUse: whether this is the interface to write the disc by. The writer offers one, the
    /// one it writes by (a new session on write-once media, in place on overwritable media),
    /// so it starts true whenever IsSupportedOnCurrentMediaState is. Setting it is put_InUse:
    /// it marks the value for the program's own file-system step and changes nothing in what
    /// [`DataWriter::write`] does, which always adds a session on write-once media.
    pub in_use: bool,
    /// ImportRecorder: the drive whose disc the previous sessions are imported from, the
    /// writer's recorder (which stays with the writer).
    pub import_recorder: DriveInfo,
    #[serde(flatten)]
    pub medium: MultisessionMedium,
}

/// The interface a medium gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "interface")]
pub enum MultisessionMedium {
    /// IMultisessionSequential and IMultisessionSequential2 (CD-R, DVD+R, BD-R).
    #[serde(rename = "IMultisessionSequential2")]
    Sequential(Sequential),
    /// IMultisessionRandomWrite (DVD+RW, BD-RE).
    #[serde(rename = "IMultisessionRandomWrite")]
    RandomWrite(RandomWrite),
}

/// IMultisessionSequential(2)'s properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sequential {
    /// IsFirstDataSession: no data track is on the disc yet, so the next session is the
    /// first with data (on a blank disc, or after audio sessions only: CD Extra).
    pub is_first_data_session: bool,
    /// StartAddressOfPreviousSession: -1 when there is none.
    pub start_address_of_previous_session: i64,
    /// LastWrittenAddressOfPreviousSession: -1 when there is none.
    pub last_written_address_of_previous_session: i64,
    /// NextWritableAddress: -1 on a disc that takes no more.
    pub next_writable_address: i64,
    /// FreeSectorsOnMedia: what a stream may hold, as the DataWriter's property (with the
    /// writer's PostgapAlreadyInImage).
    pub free_sectors_on_media: u32,
    /// WriteUnitSize (IMultisessionSequential2): sectors per writable unit.
    pub write_unit_size: u32,
}

/// IMultisessionRandomWrite's properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RandomWrite {
    /// WriteUnitSize: sectors per writable unit (16 on DVD+RW, 32 on BD-RE).
    pub write_unit_size: u32,
    /// LastWrittenAddress: the last LBA the drive reports recorded (READ TRACK
    /// INFORMATION's Last Recorded Address, MMC-6 6.27.3.15); a drive that does not report
    /// one leaves the end of the formatted area (READ CAPACITY), every sector of which
    /// reads. -1 on a disc not yet formatted, which holds nothing.
    pub last_written_address: i64,
    /// TotalSectorsOnMedia, as the DataWriter's property.
    pub total_sectors_on_media: u32,
}

impl<T: Transport + Send> DataWriter<T> {
    /// MultisessionInterfaces: one interface, for the medium in the drive (IMAPI's array
    /// "always contains at least one element" and is given on blank media too). A disc
    /// this writer does not record (a DVD-ROM) is E_IMAPI_DF2DATA_INVALID_MEDIA_STATE, as
    /// its sector getters are; no disc is E_IMAPI_RECORDER_MEDIA_NO_MEDIA.
    pub fn multisession_interfaces(&self) -> Result<Vec<Multisession>, Error> {
        let postgap_in_image = self.options()?.postgap_already_in_image;
        self.with_recorder(|rec| {
            let (s, class) = writable(rec.disc_summary()?)?;
            let write_unit_size = write_unit_size(rec, &s, class)?;
            let supported = !s.write_protected
                && match class {
                    MediumClass::Overwritable { .. } => true,
                    _ => matches!(s.status, DiscState::Blank | DiscState::Appendable),
                };
            let medium = if class.write_once() {
                let (start, last) = previous_session(rec, &s, class)?;
                let first_data =
                    s.status == DiscState::Blank || !rec.recorded_tracks()?.iter().any(|t| t.data);
                MultisessionMedium::Sequential(Sequential {
                    is_first_data_session: first_data,
                    start_address_of_previous_session: start,
                    last_written_address_of_previous_session: last,
                    next_writable_address: next_writable_address(&s, class),
                    free_sectors_on_media: free_sectors_for_stream(&s, postgap_in_image),
                    write_unit_size,
                })
            } else {
                MultisessionMedium::RandomWrite(RandomWrite {
                    write_unit_size,
                    last_written_address: last_written_address(rec, &s)?,
                    total_sectors_on_media: s.total_sectors,
                })
            };
            Ok(vec![Multisession {
                is_supported_on_current_media_state: supported,
                in_use: supported,
                import_recorder: rec.info().clone(),
                medium,
            }])
        })
    }
}

/// Sectors per writable unit: the Blocking the drive gives for the current medium in the
/// Random Writable feature (0020h, MMC-6 5.3.14) on overwritable media, or the Random
/// Readable one (0010h, 5.3.4) elsewhere; the medium's ECC block (1 on CD, 16 on DVD, 32 on
/// BD, MMC-6 4.5) when the drive reports neither.
fn write_unit_size<T: Transport>(
    rec: &mut Recorder<T>,
    s: &DiscSummary,
    class: MediumClass,
) -> Result<u32, Error> {
    let config = configuration(rec, ConfigurationRequest::All)?;
    let blocking =
        config
            .features
            .iter()
            .filter(|f| f.current)
            .find_map(|f| match (&f.body, class) {
                (FeatureBody::RandomWritable(w), MediumClass::Overwritable { .. }) => {
                    Some(w.blocking)
                }
                (FeatureBody::RandomReadable(r), c) if c.write_once() => Some(r.blocking),
                _ => None,
            });
    Ok(match blocking {
        Some(b) if b > 0 => u32::from(b),
        _ => ecc_block(Profile::from_u16(s.profile_code)),
    })
}

/// LastWrittenAddress of an overwritable disc (see [`RandomWrite::last_written_address`]).
fn last_written_address<T: Transport>(
    rec: &mut Recorder<T>,
    s: &DiscSummary,
) -> Result<i64, Error> {
    if s.needs_formatting {
        return Ok(-1);
    }
    let t: TrackInformation = rec.query(&ReadTrackInformation {
        open: false,
        address_type: TrackAddressType::TrackNumber,
        address: 1,
        allocation_length: 48,
    })?;
    if let Some(lra) = t.last_recorded_address {
        return Ok(i64::from(lra));
    }
    let capacity: CapacityData = rec.query(&ReadCapacity::default())?;
    Ok(i64::from(capacity.last_lba))
}
