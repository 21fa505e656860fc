//! Features whose data is a list or text (MMC-6 5.3): the Profile List, link sizes, DCBs,
//! the drive serial number and the firmware date.

use serde::{Deserialize, Serialize};

use super::FeatureData;
use crate::profile::Profile;
use crate::response::configuration::FeatureCode;
use crate::response::inquiry::ascii_field;
use crate::response::{bit, whole_entries};
use crate::wire::{byte_at, ParseError, Reader, Writer};

/// Pads a data length to the 4-byte multiple MMC-6 5.3.1 requires of Additional Length.
pub(crate) const fn padded4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

/// One entry of the Profile List: a profile the drive supports, and whether it is the
/// profile of the medium now loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDescriptor {
    pub profile: Profile,
    /// CurrentP.
    pub current: bool,
}

/// The profile descriptors in Profile List data, lazily, as received.
#[derive(Debug, Clone)]
pub struct ProfileDescriptors<'a> {
    chunks: core::slice::ChunksExact<'a, u8>,
}

impl<'a> ProfileDescriptors<'a> {
    /// Iterates over the 4-byte profile descriptors of the feature data; a length that is not
    /// a multiple of 4 is `BadLength`.
    pub fn new(data: &'a [u8]) -> Result<Self, ParseError> {
        whole_entries(
            FeatureCode::ProfileList.name(),
            "additional length",
            data.len(),
            data.len(),
            4,
        )?;
        Ok(ProfileDescriptors {
            chunks: data.chunks_exact(4),
        })
    }
}

impl Iterator for ProfileDescriptors<'_> {
    type Item = Result<ProfileDescriptor, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let c = self.chunks.next()?;
        Some(Ok(ProfileDescriptor {
            profile: Profile::from_u16(u16::from_be_bytes([byte_at(c, 0), byte_at(c, 1)])),
            current: bit(byte_at(c, 2), 0),
        }))
    }
}

/// 0000h Profile List: every profile the drive supports, in the drive's order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProfileList {
    pub profiles: Vec<ProfileDescriptor>,
}

impl ProfileList {
    /// The profile marked current, if any.
    pub fn current(&self) -> Option<Profile> {
        self.profiles.iter().find(|p| p.current).map(|p| p.profile)
    }

    /// True when `profile` is listed.
    pub fn supports(&self, profile: Profile) -> bool {
        self.profiles.iter().any(|p| p.profile == profile)
    }
}

impl FeatureData for ProfileList {
    const CODE: FeatureCode = FeatureCode::ProfileList;

    fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
        Ok(ProfileList {
            profiles: ProfileDescriptors::new(data)?.collect::<Result<_, _>>()?,
        })
    }

    fn data_len(&self) -> usize {
        4 * self.profiles.len()
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        for p in &self.profiles {
            w.u16(p.profile.to_u16()).u8(u8::from(p.current)).u8(0);
        }
    }
}

/// Reads "number of link sizes" at data offset 3 and the sizes after it, bounded by the data.
fn link_sizes(data: &[u8], what: &'static str) -> Result<Vec<u8>, ParseError> {
    let mut r = Reader::new(data, what);
    r.skip(3, "reserved")?;
    let n = r.u8("number of link sizes")?;
    Ok(r.bytes(n as usize, "link sizes")?.to_vec())
}

fn write_link_sizes(w: &mut Writer<'_>, sizes: &[u8]) {
    // At most 255 sizes fit the count byte; a longer list is cut (the emitted count matches).
    let n = sizes.len().min(255);
    w.u8(n as u8);
    w.put(sizes.get(..n).unwrap_or(&[]));
    w.zeros(padded4(n) - n);
}

/// 0021h Incremental Streaming Writable: sequential writing in packets or tracks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IncrementalStreamingWritable {
    /// Bytes 4-5: a bit per supported Data Block Type (bit n = type n).
    pub data_block_types_supported: u16,
    /// TRIO: READ DISC INFORMATION reports track resources.
    pub trio: bool,
    /// ARSV: RESERVE TRACK with ARSV=1 (address mode).
    pub arsv: bool,
    /// BUF: buffer under-run free recording.
    pub buf: bool,
    /// Link sizes in blocks (DVD-R: 16; CD: 7).
    pub link_sizes: Vec<u8>,
}

impl FeatureData for IncrementalStreamingWritable {
    const CODE: FeatureCode = FeatureCode::IncrementalStreamingWritable;

    fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
        let what = Self::CODE.name();
        let mut r = Reader::new(data, what);
        let data_block_types_supported = r.u16("data block types supported")?;
        let flags = r.u8("flags")?;
        Ok(IncrementalStreamingWritable {
            data_block_types_supported,
            trio: bit(flags, 2),
            arsv: bit(flags, 1),
            buf: bit(flags, 0),
            link_sizes: link_sizes(data, what)?,
        })
    }

    fn data_len(&self) -> usize {
        4 + padded4(self.link_sizes.len().min(255))
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        w.u16(self.data_block_types_supported);
        w.u8(u8::from(self.trio) << 2 | u8::from(self.arsv) << 1 | u8::from(self.buf));
        write_link_sizes(w, &self.link_sizes);
    }
}

/// 0033h Layer Jump Recording (DVD-R DL).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LayerJumpRecording {
    pub link_sizes: Vec<u8>,
}

impl FeatureData for LayerJumpRecording {
    const CODE: FeatureCode = FeatureCode::LayerJumpRecording;

    fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
        Ok(LayerJumpRecording {
            link_sizes: link_sizes(data, Self::CODE.name())?,
        })
    }

    fn data_len(&self) -> usize {
        4 + padded4(self.link_sizes.len().min(255))
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        w.zeros(3);
        write_link_sizes(w, &self.link_sizes);
    }
}

/// 0108h Drive Serial Number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DriveSerialNumber {
    /// ASCII, trimmed (non-printable bytes shown as `?`).
    pub serial_number: String,
}

impl FeatureData for DriveSerialNumber {
    const CODE: FeatureCode = FeatureCode::DriveSerialNumber;

    fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
        Ok(DriveSerialNumber {
            serial_number: ascii_field(data),
        })
    }

    fn data_len(&self) -> usize {
        // The additional length is one byte: at most 252 bytes of serial number.
        padded4(self.serial_number.chars().count()).min(252)
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        crate::response::inquiry::put_ascii_field(w, &self.serial_number, self.data_len());
    }
}

/// 010Ah Disc Control Blocks: the DCB identifiers the drive can read and write.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DiscControlBlocks {
    pub supported_dcb_entries: Vec<u32>,
}

impl FeatureData for DiscControlBlocks {
    const CODE: FeatureCode = FeatureCode::DiscControlBlocks;

    fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
        let what = Self::CODE.name();
        whole_entries(what, "additional length", data.len(), data.len(), 4)?;
        Ok(DiscControlBlocks {
            supported_dcb_entries: data
                .chunks_exact(4)
                .map(|c| {
                    u32::from_be_bytes([byte_at(c, 0), byte_at(c, 1), byte_at(c, 2), byte_at(c, 3)])
                })
                .collect(),
        })
    }

    fn data_len(&self) -> usize {
        4 * self.supported_dcb_entries.len().min(63)
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        for e in self.supported_dcb_entries.iter().take(63) {
            w.u32(*e);
        }
    }
}

/// 010Ch Firmware Information: the firmware creation date as ASCII digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FirmwareInformation {
    /// Bytes 4-17: century, year, month, day, hour, minute, second, two ASCII digits each.
    pub creation: [u8; 14],
}

impl FirmwareInformation {
    /// The date as `CCYY-MM-DD hh:mm:ss` when every byte is an ASCII digit.
    pub fn timestamp(&self) -> Option<String> {
        if !self.creation.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let d = |i: usize| -> String {
            self.creation
                .get(i..i + 2)
                .map(|p| p.iter().map(|&c| char::from(c)).collect())
                .unwrap_or_default()
        };
        Some(format!(
            "{}{}-{}-{} {}:{}:{}",
            d(0),
            d(2),
            d(4),
            d(6),
            d(8),
            d(10),
            d(12)
        ))
    }
}

impl FeatureData for FirmwareInformation {
    const CODE: FeatureCode = FeatureCode::FirmwareInformation;

    fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(data, Self::CODE.name());
        Ok(FirmwareInformation {
            creation: r.array("creation date")?,
        })
    }

    fn data_len(&self) -> usize {
        16
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        w.put(&self.creation).zeros(2);
    }
}
