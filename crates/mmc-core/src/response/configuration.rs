//! GET CONFIGURATION data (MMC-6 6.6.2): an 8-byte header with the current profile, then
//! feature descriptors.

use serde::{Deserialize, Serialize};

use super::features::{FeatureBody, ProfileList};
use super::{frame, len_u32, list_item, wire_enum, ResponseFormat};
use crate::profile::Profile;
use crate::wire::{ParseError, Reader, Writer};

wire_enum! {
    /// A feature code (MMC-6 table 92).
    pub enum FeatureCode: u16 as from_u16 / to_u16 {
        ProfileList = 0x0000 => "Profile List",
        Core = 0x0001 => "Core",
        Morphing = 0x0002 => "Morphing",
        RemovableMedium = 0x0003 => "Removable Medium",
        WriteProtect = 0x0004 => "Write Protect",
        RandomReadable = 0x0010 => "Random Readable",
        MultiRead = 0x001D => "Multi-Read",
        CdRead = 0x001E => "CD Read",
        DvdRead = 0x001F => "DVD Read",
        RandomWritable = 0x0020 => "Random Writable",
        IncrementalStreamingWritable = 0x0021 => "Incremental Streaming Writable",
        SectorErasable = 0x0022 => "Sector Erasable",
        Formattable = 0x0023 => "Formattable",
        HardwareDefectManagement = 0x0024 => "Hardware Defect Management",
        WriteOnce = 0x0025 => "Write Once",
        RestrictedOverwrite = 0x0026 => "Restricted Overwrite",
        CdRwCavWrite = 0x0027 => "CD-RW CAV Write",
        Mrw = 0x0028 => "MRW",
        EnhancedDefectReporting = 0x0029 => "Enhanced Defect Reporting",
        DvdPlusRw = 0x002A => "DVD+RW",
        DvdPlusR = 0x002B => "DVD+R",
        RigidRestrictedOverwrite = 0x002C => "Rigid Restricted Overwrite",
        CdTrackAtOnce = 0x002D => "CD Track at Once",
        CdMastering = 0x002E => "CD Mastering",
        DvdRRwWrite = 0x002F => "DVD-R/-RW Write",
        DdCdRead = 0x0030 => "DDCD Read",
        DdCdRWrite = 0x0031 => "DDCD-R Write",
        DdCdRwWrite = 0x0032 => "DDCD-RW Write",
        LayerJumpRecording = 0x0033 => "Layer Jump Recording",
        LayerJumpRigidRestrictedOverwrite = 0x0034 => "LJ Rigid Restricted Overwrite",
        StopLongOperation = 0x0035 => "Stop Long Operation",
        CdRwMediaWriteSupport = 0x0037 => "CD-RW Media Write Support",
        BdRPow = 0x0038 => "BD-R POW",
        DvdPlusRwDualLayer = 0x003A => "DVD+RW Dual Layer",
        DvdPlusRDualLayer = 0x003B => "DVD+R Dual Layer",
        BdRead = 0x0040 => "BD Read",
        BdWrite = 0x0041 => "BD Write",
        Tsr = 0x0042 => "TSR",
        HdDvdRead = 0x0050 => "HD DVD Read",
        HdDvdWrite = 0x0051 => "HD DVD Write",
        HdDvdRwFragmentRecording = 0x0052 => "HD DVD-RW Fragment Recording",
        HybridDisc = 0x0080 => "Hybrid Disc",
        PowerManagement = 0x0100 => "Power Management",
        Smart = 0x0101 => "S.M.A.R.T.",
        EmbeddedChanger = 0x0102 => "Embedded Changer",
        CdAudioExternalPlay = 0x0103 => "CD Audio External Play",
        MicrocodeUpgrade = 0x0104 => "Microcode Upgrade",
        Timeout = 0x0105 => "Timeout",
        DvdCss = 0x0106 => "DVD CSS",
        RealTimeStreaming = 0x0107 => "Real Time Streaming",
        DriveSerialNumber = 0x0108 => "Drive Serial Number",
        MediaSerialNumber = 0x0109 => "Media Serial Number",
        DiscControlBlocks = 0x010A => "Disc Control Blocks",
        DvdCprm = 0x010B => "DVD CPRM",
        FirmwareInformation = 0x010C => "Firmware Information",
        Aacs = 0x010D => "AACS",
        DvdCssManagedRecording = 0x010E => "DVD CSS Managed Recording",
        Vcps = 0x0110 => "VCPS",
        SecurDisc = 0x0113 => "SecurDisc",
        Ossc = 0x0142 => "OSSC",
    }
}

/// The 8-byte GET CONFIGURATION header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigurationHeader {
    /// Bytes 0-3: the bytes that follow this field, as the drive announced them (the total the
    /// drive had, which may exceed what the allocation length let through).
    pub data_length: u32,
    /// Bytes 6-7: the current profile (0000h with no medium).
    pub current_profile: Profile,
}

/// Size of the GET CONFIGURATION header.
pub const CONFIGURATION_HEADER_LEN: usize = 8;
/// Size of a feature descriptor header.
pub const FEATURE_HEADER_LEN: usize = 4;

/// One feature descriptor as received: header fields and the undecoded data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawFeature<'a> {
    pub code: FeatureCode,
    /// Byte 2 bits 5-2.
    pub version: u8,
    /// Byte 2 bit 1: the feature is always current.
    pub persistent: bool,
    /// Byte 2 bit 0: the feature is active now (with the loaded medium).
    pub current: bool,
    /// The additional data (Additional Length bytes).
    pub data: &'a [u8],
}

impl RawFeature<'_> {
    /// Decodes the data strictly: an error when it does not fit its code's layout.
    pub fn body(&self) -> Result<FeatureBody, ParseError> {
        FeatureBody::parse(self.code, self.data)
    }

    /// Decodes leniently: data that does not fit its code's layout is kept raw.
    pub fn to_feature(&self) -> Feature {
        Feature {
            code: self.code,
            version: self.version,
            persistent: self.persistent,
            current: self.current,
            body: self
                .body()
                .unwrap_or_else(|_| FeatureBody::Raw(self.data.to_vec())),
        }
    }
}

/// The feature descriptors of GET CONFIGURATION data, lazily, as received.
///
/// Yields an error and stops when a descriptor's additional length is not a multiple of 4 or
/// runs past the data its header announced; a descriptor cut by the allocation length ends
/// the iteration silently (see [`FeatureDescriptors::cut`]).
#[derive(Debug, Clone)]
pub struct FeatureDescriptors<'a> {
    r: Reader<'a>,
    /// The response was cut by the allocation length: a short last descriptor is expected.
    response_cut: bool,
    done: bool,
}

impl<'a> FeatureDescriptors<'a> {
    /// Iterates over descriptors in `list` (the bytes after the 8-byte header).
    pub fn new(list: &'a [u8], response_cut: bool) -> Self {
        FeatureDescriptors {
            r: Reader::new(list, "feature descriptor"),
            response_cut,
            done: false,
        }
    }

    /// True when the response was cut by the allocation length.
    pub fn cut(&self) -> bool {
        self.response_cut
    }
}

impl<'a> Iterator for FeatureDescriptors<'a> {
    type Item = Result<RawFeature<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.r.remaining() == 0 {
            return None;
        }
        let start = self.r.clone();
        let item = (|| {
            let code = FeatureCode::from_u16(self.r.u16("feature code")?);
            let flags = self.r.u8("version/persistent/current")?;
            let len = self.r.u8("additional length")?;
            // MMC-6 5.3.1: the additional length is a multiple of 4.
            if len % 4 != 0 {
                return Err(ParseError::BadLength {
                    what: "feature descriptor",
                    field: "additional length",
                    value: len as usize,
                });
            }
            let data = self.r.bytes(len as usize, "feature data")?;
            Ok(RawFeature {
                code,
                version: (flags >> 2) & 0x0F,
                persistent: flags & 0x02 != 0,
                current: flags & 0x01 != 0,
                data,
            })
        })();
        let next = list_item(item, self.response_cut, &mut self.done);
        if next.is_none() {
            // The cut entry stays unread.
            self.r = start;
        }
        next
    }
}

/// One feature, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    pub code: FeatureCode,
    pub version: u8,
    pub persistent: bool,
    pub current: bool,
    pub body: FeatureBody,
}

impl Feature {
    /// A feature with typed data; the code follows from the data.
    pub fn new(body: impl Into<FeatureBody>, version: u8, persistent: bool, current: bool) -> Self {
        let body = body.into();
        Feature {
            code: body.code().unwrap_or(FeatureCode::Unknown(0xFFFF)),
            version,
            persistent,
            current,
            body,
        }
    }

    /// A feature kept raw.
    pub fn raw(
        code: FeatureCode,
        version: u8,
        persistent: bool,
        current: bool,
        data: Vec<u8>,
    ) -> Self {
        Feature {
            code,
            version,
            persistent,
            current,
            body: FeatureBody::Raw(data),
        }
    }
}

impl ResponseFormat for Feature {
    const NAME: &'static str = "feature descriptor";

    /// Parses one descriptor at the start of `bytes` (strict: data must fit its layout).
    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let raw =
            FeatureDescriptors::new(bytes, false)
                .next()
                .unwrap_or(Err(ParseError::Truncated {
                    what: Self::NAME,
                    field: "feature code",
                    need: FEATURE_HEADER_LEN,
                    got: bytes.len(),
                }))?;
        Ok(Feature {
            code: raw.code,
            version: raw.version,
            persistent: raw.persistent,
            current: raw.current,
            body: raw.body()?,
        })
    }

    fn buffer_len(&self) -> usize {
        FEATURE_HEADER_LEN + self.body.data_len()
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(self.code.to_u16());
        w.u8((self.version & 0x0F) << 2 | u8::from(self.persistent) << 1 | u8::from(self.current));
        w.u8(self.body.data_len() as u8);
        self.body.write_data(w);
    }
}

/// GET CONFIGURATION data: the current profile and the features, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    pub current_profile: Profile,
    /// In the order received. Data that does not fit its code's layout is kept raw.
    pub features: Vec<Feature>,
    /// Bytes the data length announced that the allocation length cut off.
    pub cut_bytes: usize,
}

impl Configuration {
    /// Parses the header and returns a lazy iterator over the descriptors.
    pub fn descriptors(
        bytes: &[u8],
    ) -> Result<(ConfigurationHeader, FeatureDescriptors<'_>), ParseError> {
        let what = Self::NAME;
        let mut r = Reader::new(bytes, what);
        let data_length = r.u32("data length")?;
        let f = frame(
            bytes,
            what,
            "data length",
            data_length as usize,
            (data_length as usize).saturating_add(4),
            CONFIGURATION_HEADER_LEN,
        )?;
        let mut r = Reader::new(f.bytes, what);
        r.skip(6, "reserved")?;
        let current_profile = Profile::from_u16(r.u16("current profile")?);
        Ok((
            ConfigurationHeader {
                data_length,
                current_profile,
            },
            FeatureDescriptors::new(r.rest(), f.cut > 0),
        ))
    }

    /// The feature with `code`, if the drive reported it.
    pub fn feature(&self, code: FeatureCode) -> Option<&Feature> {
        self.features.iter().find(|f| f.code == code)
    }

    /// True when the drive reported `code` with its Current bit set.
    pub fn is_current(&self, code: FeatureCode) -> bool {
        self.feature(code).is_some_and(|f| f.current)
    }

    /// The Profile List feature, if present and decoded.
    pub fn profile_list(&self) -> Option<&ProfileList> {
        self.features.iter().find_map(|f| match &f.body {
            FeatureBody::ProfileList(p) => Some(p),
            _ => None,
        })
    }
}

impl ResponseFormat for Configuration {
    const NAME: &'static str = "GET CONFIGURATION data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let (header, descriptors) = Self::descriptors(bytes)?;
        let features = descriptors
            .map(|d| d.map(|raw| raw.to_feature()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Configuration {
            current_profile: header.current_profile,
            features,
            cut_bytes: (header.data_length as usize)
                .saturating_add(4)
                .saturating_sub(bytes.len()),
        })
    }

    fn buffer_len(&self) -> usize {
        CONFIGURATION_HEADER_LEN
            + self
                .features
                .iter()
                .map(ResponseFormat::buffer_len)
                .sum::<usize>()
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u32(len_u32(self.buffer_len() - 4));
        w.zeros(2);
        w.u16(self.current_profile.to_u16());
        for f in &self.features {
            f.write(w);
        }
    }
}
