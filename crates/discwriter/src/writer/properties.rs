//! The read-only properties of IDiscFormat2Data: media status and protection flags, sector
//! counts and addresses, physical media type, speeds, and the support checks.

use mmc_core::cdb::{
    ConfigurationRequest, GetConfiguration, GetPerformance, ModeSense10, PageControl,
    PerformanceType, ReadTrackInformation, TrackAddressType,
};
use mmc_core::params::ModeParameters;
use mmc_core::response::configuration::FeatureCode;
use mmc_core::response::features::FeatureBody;
use mmc_core::response::{Configuration, TrackInformation, WriteSpeeds};
use mmc_core::{Profile, Transport};
use serde::Serialize;

use super::plan::MediumClass;
use super::DataWriter;
use crate::error::{ApiMisuse, Error};
use crate::recorder::defect::has_defect_management;
use crate::recorder::{DiscState, DiscSummary, SessionState};
use crate::recorder::{Recorder, Timeouts};

/// IMAPI_FORMAT2_DATA_MEDIA_STATE flags.
pub mod media_state {
    pub const UNKNOWN: u32 = 0x0000;
    pub const OVERWRITE_ONLY: u32 = 0x0001;
    pub const BLANK: u32 = 0x0002;
    pub const APPENDABLE: u32 = 0x0004;
    pub const FINAL_SESSION: u32 = 0x0008;
    pub const DAMAGED: u32 = 0x0400;
    pub const ERASE_REQUIRED: u32 = 0x0800;
    pub const NON_EMPTY_SESSION: u32 = 0x1000;
    pub const WRITE_PROTECTED: u32 = 0x2000;
    pub const FINALIZED: u32 = 0x4000;
    pub const UNSUPPORTED_MEDIA: u32 = 0x8000;
    pub const UNSUPPORTED_MASK: u32 = 0xFC00;
}

pub use crate::recorder::write_protect_state;

/// IMAPI_MEDIA_PHYSICAL_TYPE, with imapi2.h's values; serialized as imapi2.h's names
/// without the IMAPI_MEDIA_TYPE_ prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MediaPhysicalType {
    Unknown = 0,
    Cdrom = 1,
    Cdr = 2,
    Cdrw = 3,
    Dvdrom = 4,
    Dvdram = 5,
    Dvdplusr = 6,
    Dvdplusrw = 7,
    #[serde(rename = "DVDPLUSR_DUALLAYER")]
    DvdplusrDualLayer = 8,
    Dvddashr = 9,
    Dvddashrw = 10,
    #[serde(rename = "DVDDASHR_DUALLAYER")]
    DvddashrDualLayer = 11,
    Disk = 12,
    #[serde(rename = "DVDPLUSRW_DUALLAYER")]
    DvdplusrwDualLayer = 13,
    Hddvdrom = 14,
    Hddvdr = 15,
    Hddvdram = 16,
    Bdrom = 17,
    Bdr = 18,
    Bdre = 19,
}

impl MediaPhysicalType {
    /// The name imapi2.h gives the value ("IMAPI_MEDIA_TYPE_DVDDASHR_DUALLAYER").
    pub fn imapi_name(self) -> &'static str {
        use MediaPhysicalType as M;
        match self {
            M::Unknown => "IMAPI_MEDIA_TYPE_UNKNOWN",
            M::Cdrom => "IMAPI_MEDIA_TYPE_CDROM",
            M::Cdr => "IMAPI_MEDIA_TYPE_CDR",
            M::Cdrw => "IMAPI_MEDIA_TYPE_CDRW",
            M::Dvdrom => "IMAPI_MEDIA_TYPE_DVDROM",
            M::Dvdram => "IMAPI_MEDIA_TYPE_DVDRAM",
            M::Dvdplusr => "IMAPI_MEDIA_TYPE_DVDPLUSR",
            M::Dvdplusrw => "IMAPI_MEDIA_TYPE_DVDPLUSRW",
            M::DvdplusrDualLayer => "IMAPI_MEDIA_TYPE_DVDPLUSR_DUALLAYER",
            M::Dvddashr => "IMAPI_MEDIA_TYPE_DVDDASHR",
            M::Dvddashrw => "IMAPI_MEDIA_TYPE_DVDDASHRW",
            M::DvddashrDualLayer => "IMAPI_MEDIA_TYPE_DVDDASHR_DUALLAYER",
            M::Disk => "IMAPI_MEDIA_TYPE_DISK",
            M::DvdplusrwDualLayer => "IMAPI_MEDIA_TYPE_DVDPLUSRW_DUALLAYER",
            M::Hddvdrom => "IMAPI_MEDIA_TYPE_HDDVDROM",
            M::Hddvdr => "IMAPI_MEDIA_TYPE_HDDVDR",
            M::Hddvdram => "IMAPI_MEDIA_TYPE_HDDVDRAM",
            M::Bdrom => "IMAPI_MEDIA_TYPE_BDROM",
            M::Bdr => "IMAPI_MEDIA_TYPE_BDR",
            M::Bdre => "IMAPI_MEDIA_TYPE_BDRE",
        }
    }

    /// Sectors of 2048 bytes a second at 1x for this kind of medium (75 on CD, 676 on DVD,
    /// 2195 on BD, DVD's for anything else), what "x" figures divide by.
    pub fn one_x_sectors(self) -> f64 {
        use MediaPhysicalType as M;
        let family = match self {
            M::Cdrom | M::Cdr | M::Cdrw => Profile::CdR,
            M::Bdrom | M::Bdr | M::Bdre => Profile::BdRe,
            _ => Profile::DvdRom,
        };
        family.one_x_sectors().unwrap_or(676.0)
    }

    /// From the current profile (the last step of Microsoft's sample, which is the only one
    /// that applies to drives with GET CONFIGURATION).
    pub fn from_profile(p: Profile) -> Self {
        use MediaPhysicalType as M;
        match p {
            Profile::RemovableDisk | Profile::NonRemovableDisk => M::Disk,
            Profile::CdRom => M::Cdrom,
            Profile::CdR => M::Cdr,
            Profile::CdRw => M::Cdrw,
            Profile::DvdRom => M::Dvdrom,
            Profile::DvdRam => M::Dvdram,
            Profile::DvdPlusR => M::Dvdplusr,
            Profile::DvdPlusRw => M::Dvdplusrw,
            Profile::DvdPlusRDualLayer => M::DvdplusrDualLayer,
            Profile::DvdPlusRwDualLayer => M::DvdplusrwDualLayer,
            Profile::DvdRSequential => M::Dvddashr,
            Profile::DvdRwRestrictedOverwrite | Profile::DvdRwSequential => M::Dvddashrw,
            Profile::DvdRDualLayerSequential | Profile::DvdRDualLayerJump => M::DvddashrDualLayer,
            Profile::BdRom => M::Bdrom,
            Profile::BdRSrm | Profile::BdRRrm => M::Bdr,
            Profile::BdRe => M::Bdre,
            Profile::HdDvdRom => M::Hddvdrom,
            Profile::HdDvdR => M::Hddvdr,
            Profile::HdDvdRam => M::Hddvdram,
            _ => M::Unknown,
        }
    }
}

/// IWriteSpeedDescriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WriteSpeedDescriptor {
    pub media_type: MediaPhysicalType,
    pub rotation_type_is_pure_cav: bool,
    /// Sectors per second.
    pub write_speed: u32,
}

/// The current profile of the disc in the drive. With none, the drive is asked why (TEST
/// UNIT READY, a disc becoming ready waited for): an empty drive is
/// E_IMAPI_RECORDER_MEDIA_NO_MEDIA, as Windows 7 and later report it; a disc the drive
/// cannot identify stays an unknown medium.
fn present_profile<T: Transport>(rec: &mut Recorder<T>) -> Result<Profile, Error> {
    let profile = rec.current_profile()?;
    if profile == Profile::NoProfile {
        let ready = rec.wait_until_ready(Timeouts::default().becoming_ready, &mut |_, _| {});
        if let Err(e @ Error::NoMedia { .. }) = ready {
            return Err(e);
        }
    }
    Ok(profile)
}

/// NON_EMPTY_SESSION, DAMAGED and ERASE_REQUIRED, from the state of the last session (READ
/// DISC INFORMATION, MMC-6 6.22.3.1.3) and the writable track's Damage bit (READ TRACK
/// INFORMATION, MMC-6 6.27.3.5). An incomplete session holds a recorded or an open track: a
/// write that stopped before closing it. A damaged one cannot be written on; on an erasable
/// disc (CD-RW, DVD-RW) erasing it is the way back, ERASE_REQUIRED.
fn session_flags(s: &DiscSummary) -> u32 {
    use media_state::*;
    if s.last_session == SessionState::Damaged || s.track_damaged {
        DAMAGED | if s.erasable { ERASE_REQUIRED } else { 0 }
    } else if s.last_session == SessionState::Incomplete {
        NON_EMPTY_SESSION
    } else {
        0
    }
}

/// kB/s to sectors/s as Microsoft's sample converts (CD counts 2352-byte frames).
pub(crate) fn sectors_per_second(profile: Profile, kbps: u32) -> u32 {
    let bytes = u64::from(profile.speed_sector_bytes());
    (u64::from(kbps) * 1000 / bytes) as u32
}

/// MODE SENSE (10) of the current MM Capabilities page (2Ah), no block descriptors.
pub(crate) const CAPABILITIES_PAGE: ModeSense10 = ModeSense10 {
    long_lba_accepted: false,
    disable_block_descriptors: true,
    page_control: PageControl::Current,
    page_code: 0x2A,
    subpage_code: 0,
    allocation_length: 512,
};

/// The write speed (kB/s) and pure-CAV rotation the drive selected, from page 2Ah (MMC-3
/// fields), when it reports them.
pub(crate) fn current_write_speed<T: Transport>(
    rec: &mut Recorder<T>,
) -> Result<Option<(u32, bool)>, Error> {
    let params: ModeParameters = rec.query(&CAPABILITIES_PAGE)?;
    Ok(params.capabilities().and_then(|c| {
        c.write_speeds
            .as_ref()
            .map(|w| {
                (
                    u32::from(w.current_write_speed_selected),
                    w.rotation_control_selected == 1,
                )
            })
            .or(c.current_write_speed.map(|s| (u32::from(s), false)))
    }))
}

pub(super) fn configuration<T: Transport>(
    rec: &mut Recorder<T>,
    rt: ConfigurationRequest,
) -> Result<Configuration, Error> {
    let cdb = GetConfiguration {
        requested_type: rt,
        starting_feature: 0,
        allocation_length: 8192,
    };
    rec.query(&cdb)
}

/// Whether the drive lists a feature that records a medium this writer writes (MMC-6 5.3):
/// CD Track at Once, BD Write, Random Writable, DVD-R/-RW Write, Incremental Streaming
/// Writable, or DVD+R / DVD+RW (DL) with their Write bit (a reader lists those to say it
/// reads the media). Current or not: the drive's abilities, whatever disc it holds.
pub(crate) fn records_supported_media<T: Transport>(rec: &mut Recorder<T>) -> Result<bool, Error> {
    let c = configuration(rec, ConfigurationRequest::All)?;
    Ok(c.features.iter().any(|f| match &f.body {
        FeatureBody::DvdPlusR(d) => d.write,
        FeatureBody::DvdPlusRw(d) => d.write,
        FeatureBody::DvdPlusRDualLayer(d) => d.write,
        _ => matches!(
            f.code,
            FeatureCode::CdTrackAtOnce
                | FeatureCode::BdWrite
                | FeatureCode::RandomWritable
                | FeatureCode::DvdRRwWrite
                | FeatureCode::IncrementalStreamingWritable
        ),
    }))
}

/// `s` with its medium class, or E_IMAPI_DF2DATA_INVALID_MEDIA_STATE for a disc this writer
/// does not record.
pub(super) fn writable(s: DiscSummary) -> Result<(DiscSummary, MediumClass), Error> {
    match MediumClass::of(Profile::from_u16(s.profile_code)) {
        Some(class) => Ok((s, class)),
        None => Err(Error::InvalidMediaState {
            detail: format!("{} discs are not written by this writer", s.profile),
        }),
    }
}

/// NextWritableAddress of the disc `s` describes: 0 on overwritable media, -1 when a
/// write-once disc takes no more.
pub(super) fn next_writable_address(s: &DiscSummary, class: MediumClass) -> i64 {
    if class.write_once() {
        s.next_writable_address.map(i64::from).unwrap_or(-1)
    } else {
        0
    }
}

/// The first and last LBA of the last closed session (READ TRACK INFORMATION by session
/// number, MMC-6 6.27.2.2: its first track), (-1, -1) when there is none or the medium has no
/// sessions (overwritable media).
pub(super) fn previous_session<T: Transport>(
    rec: &mut Recorder<T>,
    s: &DiscSummary,
    class: MediumClass,
) -> Result<(i64, i64), Error> {
    if s.sessions == 0 || !class.write_once() {
        return Ok((-1, -1));
    }
    let cdb = ReadTrackInformation {
        open: false,
        address_type: TrackAddressType::SessionNumber,
        address: u32::from(s.sessions),
        allocation_length: 48,
    };
    let t: TrackInformation = rec.query(&cdb)?;
    let last = t
        .last_recorded_address
        .map(i64::from)
        .unwrap_or(i64::from(t.track_start) + i64::from(t.track_size) - 1);
    Ok((i64::from(t.track_start), last))
}

/// The media types this writer records (IDiscFormat2::SupportedMediaTypes), in the order
/// of their IMAPI_MEDIA_PHYSICAL_TYPE values.
pub const SUPPORTED_MEDIA_TYPES: [MediaPhysicalType; 11] = [
    MediaPhysicalType::Cdr,
    MediaPhysicalType::Cdrw,
    MediaPhysicalType::Dvdram,
    MediaPhysicalType::Dvdplusr,
    MediaPhysicalType::Dvdplusrw,
    MediaPhysicalType::DvdplusrDualLayer,
    MediaPhysicalType::Dvddashr,
    MediaPhysicalType::Dvddashrw,
    MediaPhysicalType::DvddashrDualLayer,
    MediaPhysicalType::Bdr,
    MediaPhysicalType::Bdre,
];

/// The current features a write on `profile` depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct WriteFeatures {
    /// DVD-R, sequential DVD-RW: 0021h Incremental Streaming Writable is current (`None`:
    /// not asked).
    pub(crate) incremental_streaming: Option<bool>,
    /// BD-R: 0038h BD-R Pseudo-Overwrite is current.
    pub(crate) pseudo_overwrite: bool,
    /// 0107h Real Time Streaming is current with SW, the Streaming bit of WRITE (12)
    /// (`None`: not asked).
    pub(crate) stream_writing: Option<bool>,
}

/// The current features that shape a write on `profile` (GET CONFIGURATION, current
/// features only, MMC-5 5.3): asked on DVD-R, sequential DVD-RW and BD-R, the media where
/// they decide something, and for a write without defect management (`streaming`) on a
/// medium with it, whether the drive records WRITE (12) Streaming.
pub(crate) fn current_write_features<T: Transport>(
    rec: &mut Recorder<T>,
    profile: Profile,
    streaming: bool,
) -> Result<WriteFeatures, Error> {
    let dvd_dash = matches!(profile, Profile::DvdRSequential | Profile::DvdRwSequential);
    let ask_streaming = streaming && has_defect_management(profile);
    if !dvd_dash && profile != Profile::BdRSrm && !ask_streaming {
        return Ok(WriteFeatures::default());
    }
    let config = configuration(rec, ConfigurationRequest::Current)?;
    let current = |code: FeatureCode| config.features.iter().any(|f| f.current && f.code == code);
    Ok(WriteFeatures {
        incremental_streaming: dvd_dash.then(|| current(FeatureCode::IncrementalStreamingWritable)),
        pseudo_overwrite: profile == Profile::BdRSrm && current(FeatureCode::BdRPow),
        stream_writing: ask_streaming.then(|| {
            config
                .features
                .iter()
                .any(|f| f.current && matches!(&f.body, FeatureBody::RealTimeStreaming(r) if r.sw))
        }),
    })
}

impl<T: Transport + Send> DataWriter<T> {
    pub(super) fn with_recorder<R>(
        &self,
        f: impl FnOnce(&mut Recorder<T>) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.idle(|s| {
            f(s.recorder
                .as_mut()
                .ok_or(Error::Api(ApiMisuse::RecorderRequired))?)
        })
    }

    fn summary(&self) -> Result<DiscSummary, Error> {
        self.with_recorder(|r| r.disc_summary())
    }

    /// The summary of a disc this writer records, for the getters of its sectors and
    /// addresses; on any other disc (a DVD-ROM, a CD-ROM) they are
    /// E_IMAPI_DF2DATA_INVALID_MEDIA_STATE, which Microsoft's pages give them for media the
    /// writer does not support. The getters that describe the disc (CurrentMediaStatus,
    /// WriteProtectStatus, CurrentPhysicalMediaType, the blank checks, IsCurrentMediaSupported)
    /// answer on any disc.
    fn writable_summary(&self) -> Result<(DiscSummary, MediumClass), Error> {
        let s = self.summary()?;
        writable(s)
    }

    /// SupportedMediaTypes.
    pub fn supported_media_types(&self) -> &'static [MediaPhysicalType] {
        &SUPPORTED_MEDIA_TYPES
    }

    /// CurrentMediaStatus: IMAPI_FORMAT2_DATA_MEDIA_STATE flags.
    pub fn current_media_status(&self) -> Result<u32, Error> {
        use media_state::*;
        let s = self.summary()?;
        let profile = Profile::from_u16(s.profile_code);
        let mut flags = match MediumClass::of(profile) {
            None => UNSUPPORTED_MEDIA,
            Some(_) if profile.is_rewritable_random() => {
                OVERWRITE_ONLY
                    | if s.status == DiscState::Blank {
                        BLANK
                    } else {
                        0
                    }
            }
            Some(_) => match s.status {
                DiscState::Blank => BLANK | APPENDABLE,
                DiscState::Appendable => APPENDABLE,
                DiscState::Complete => FINALIZED,
                DiscState::Other => UNKNOWN,
            },
        };
        let session = session_flags(&s);
        if session & DAMAGED != 0 {
            flags &= !(BLANK | APPENDABLE);
        }
        flags |= session;
        if s.write_protected {
            flags |= WRITE_PROTECTED;
        }
        // Only one more session fits when the next write closes the disc under the same
        // 2 % rule a write applies (the room a further session would need left out).
        let postgap_in_image = self.options()?.postgap_already_in_image;
        if flags & APPENDABLE != 0 && super::plan::next_session_is_final(&s, postgap_in_image) {
            flags |= FINAL_SESSION;
        }
        Ok(flags)
    }

    /// WriteProtectStatus: IMAPI_MEDIA_WRITE_PROTECT_STATE flags, one per cause the drive
    /// reports ([`Recorder::write_protection`]).
    pub fn write_protect_status(&self) -> Result<u32, Error> {
        Ok(self.with_recorder(|r| r.write_protection())?.flags())
    }

    /// TotalSectorsOnMedia.
    pub fn total_sectors_on_media(&self) -> Result<u32, Error> {
        Ok(self.writable_summary()?.0.total_sectors)
    }

    /// FreeSectorsOnMedia: the sectors a stream may hold with the current options (on CD-R
    /// without the post-gap the writer appends; on rewritable media the whole disc).
    pub fn free_sectors_on_media(&self) -> Result<u32, Error> {
        let (s, _) = self.writable_summary()?;
        let postgap_in_image = self.options()?.postgap_already_in_image;
        Ok(super::free_sectors_for_stream(&s, postgap_in_image))
    }

    /// NextWritableAddress: 0 on blank and rewritable media.
    pub fn next_writable_address(&self) -> Result<i64, Error> {
        let (s, class) = self.writable_summary()?;
        Ok(next_writable_address(&s, class))
    }

    /// StartAddressOfPreviousSession and LastWrittenAddressOfPreviousSession: -1 when the
    /// disc is blank or records no sessions.
    pub fn previous_session(&self) -> Result<(i64, i64), Error> {
        self.with_recorder(|rec| {
            let (s, class) = writable(rec.disc_summary()?)?;
            previous_session(rec, &s, class)
        })
    }

    /// CurrentPhysicalMediaType (E_IMAPI_RECORDER_MEDIA_NO_MEDIA with no disc).
    pub fn current_physical_media_type(&self) -> Result<MediaPhysicalType, Error> {
        self.with_recorder(present_profile)
            .map(MediaPhysicalType::from_profile)
    }

    /// IsRecorderSupported: the drive has a write feature for a profile this writer records.
    pub fn is_recorder_supported(&self) -> Result<bool, Error> {
        self.with_recorder(records_supported_media)
    }

    /// IsCurrentMediaSupported (E_IMAPI_RECORDER_MEDIA_NO_MEDIA with no disc).
    pub fn is_current_media_supported(&self) -> Result<bool, Error> {
        let p = self.with_recorder(present_profile)?;
        Ok(MediumClass::of(p).is_some())
    }

    /// MediaPhysicallyBlank: READ DISC INFORMATION says blank (ROM discs never are).
    pub fn media_physically_blank(&self) -> Result<bool, Error> {
        let s = self.summary()?;
        let p = Profile::from_u16(s.profile_code);
        Ok(!p.is_read_only() && s.status == DiscState::Blank)
    }

    /// MediaHeuristicallyBlank: physically blank, or for overwritable media (DVD+RW, BD-RE)
    /// the first and the last 2 MB of the formatted area read as zeros, with no file-system
    /// descriptor there: the check a Write without ForceOverwrite makes.
    pub fn media_heuristically_blank(&self) -> Result<bool, Error> {
        let s = self.summary()?;
        let p = Profile::from_u16(s.profile_code);
        if s.status == DiscState::Blank && !p.is_read_only() {
            return Ok(true);
        }
        if !p.is_rewritable_random() {
            return Ok(false);
        }
        let timeouts = self.options()?.timeouts;
        self.with_recorder(|r| {
            let chunk = u64::from(r.transfer_sectors(super::plan::ecc_block(p)));
            Ok(super::blank::contents(r, chunk, &timeouts)? == super::blank::Contents::Blank)
        })
    }

    /// SupportedWriteSpeedDescriptors: GET PERFORMANCE type 03h, in sectors per second.
    pub fn supported_write_speed_descriptors(&self) -> Result<Vec<WriteSpeedDescriptor>, Error> {
        self.with_recorder(|rec| {
            let profile = rec.current_profile()?;
            let cdb = GetPerformance {
                data_type: 0,
                start_lba: 0,
                max_descriptors: 64,
                performance_type: PerformanceType::WriteSpeed,
            };
            let speeds: WriteSpeeds = rec.query(&cdb)?;
            Ok(speeds
                .descriptors
                .iter()
                .map(|d| WriteSpeedDescriptor {
                    media_type: MediaPhysicalType::from_profile(profile),
                    rotation_type_is_pure_cav: d.wrc == 1,
                    write_speed: sectors_per_second(profile, d.write_speed),
                })
                .collect())
        })
    }

    /// SupportedWriteSpeeds, in sectors per second.
    pub fn supported_write_speeds(&self) -> Result<Vec<u32>, Error> {
        Ok(self
            .supported_write_speed_descriptors()?
            .into_iter()
            .map(|d| d.write_speed)
            .collect())
    }

    /// CurrentWriteSpeed (sectors/s) and CurrentRotationTypeIsPureCAV.
    pub fn current_write_speed(&self) -> Result<(u32, bool), Error> {
        self.with_recorder(|rec| {
            let profile = rec.current_profile()?;
            let (kbps, cav) = current_write_speed(rec)?.unwrap_or((0, false));
            Ok((sectors_per_second(profile, kbps), cav))
        })
    }
}
