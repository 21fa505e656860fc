//! Typed feature data (MMC-6 5.3): the bytes after each feature descriptor's 4-byte header.
//!
//! [`FeatureBody::parse`] turns a feature code and its data into the typed struct for that
//! feature; codes this crate does not decode are kept raw ([`FeatureBody::Raw`]).

use serde::{Deserialize, Serialize};

use crate::response::configuration::FeatureCode;
use crate::wire::{ParseError, Writer};

mod fixed;
mod variable;

pub use fixed::*;
pub(crate) use variable::padded4;
pub use variable::{
    DiscControlBlocks, DriveSerialNumber, FirmwareInformation, IncrementalStreamingWritable,
    LayerJumpRecording, ProfileDescriptor, ProfileDescriptors, ProfileList,
};

/// The data of one feature, typed.
pub trait FeatureData: Sized {
    /// The feature code this data belongs to.
    const CODE: FeatureCode;

    /// Parses the feature data (the bytes after the 4-byte feature header).
    fn parse_data(data: &[u8]) -> Result<Self, ParseError>;

    /// Bytes of data emitted (a multiple of 4, at most 252).
    fn data_len(&self) -> usize;

    /// Writes exactly `data_len()` bytes.
    fn write_data(&self, w: &mut Writer<'_>);
}

macro_rules! feature_bodies {
    ($( $(#[$doc:meta])* $variant:ident, )*) => {
        /// The data of one feature: typed for every feature this crate decodes, raw otherwise.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum FeatureBody {
            $( $(#[$doc])* $variant($variant), )*
            /// Data of a feature this crate does not decode (or that did not fit the layout of
            /// its code), as received.
            Raw(Vec<u8>),
        }

        impl FeatureBody {
            /// Decodes the data of feature `code`; unknown codes are kept raw.
            pub fn parse(code: FeatureCode, data: &[u8]) -> Result<Self, ParseError> {
                Ok(match code {
                    $( FeatureCode::$variant => FeatureBody::$variant($variant::parse_data(data)?), )*
                    _ => FeatureBody::Raw(data.to_vec()),
                })
            }

            /// The feature code of typed data; `None` for raw data.
            pub fn code(&self) -> Option<FeatureCode> {
                match self {
                    $( FeatureBody::$variant(_) => Some(FeatureCode::$variant), )*
                    FeatureBody::Raw(_) => None,
                }
            }

            /// Bytes of data emitted: a multiple of 4, at most 252.
            pub fn data_len(&self) -> usize {
                match self {
                    $( FeatureBody::$variant(d) => d.data_len(), )*
                    FeatureBody::Raw(d) => padded4(d.len()).min(252),
                }
            }

            /// Writes exactly `data_len()` bytes.
            pub fn write_data(&self, w: &mut Writer<'_>) {
                match self {
                    $( FeatureBody::$variant(d) => d.write_data(w), )*
                    FeatureBody::Raw(d) => {
                        let n = self.data_len();
                        let take = d.len().min(n);
                        w.put(d.get(..take).unwrap_or(&[]));
                        w.zeros(n - take);
                    }
                }
            }
        }

        $(
            impl From<$variant> for FeatureBody {
                fn from(d: $variant) -> Self {
                    FeatureBody::$variant(d)
                }
            }
        )*
    };
}

feature_bodies! {
    ProfileList,
    Core,
    Morphing,
    RemovableMedium,
    WriteProtect,
    RandomReadable,
    MultiRead,
    CdRead,
    DvdRead,
    RandomWritable,
    IncrementalStreamingWritable,
    SectorErasable,
    Formattable,
    HardwareDefectManagement,
    WriteOnce,
    RestrictedOverwrite,
    CdRwCavWrite,
    Mrw,
    EnhancedDefectReporting,
    DvdPlusRw,
    DvdPlusR,
    RigidRestrictedOverwrite,
    CdTrackAtOnce,
    CdMastering,
    DvdRRwWrite,
    LayerJumpRecording,
    CdRwMediaWriteSupport,
    BdRPow,
    DvdPlusRwDualLayer,
    DvdPlusRDualLayer,
    BdRead,
    BdWrite,
    HdDvdRead,
    HdDvdWrite,
    PowerManagement,
    Smart,
    EmbeddedChanger,
    CdAudioExternalPlay,
    MicrocodeUpgrade,
    Timeout,
    DvdCss,
    RealTimeStreaming,
    DriveSerialNumber,
    DiscControlBlocks,
    DvdCprm,
    FirmwareInformation,
    Aacs,
    Vcps,
}
