//! One error type for everything the engine can return, with the IMAPI2 code
//! ([`mmc_core::ImapiCode`]) IMAPI2 documents for the same condition.
//!
//! As in rustls, a caller's misuse of the API ([`ApiMisuse`]: a bad argument, a call in the
//! wrong state, no recorder) is its own variant, [`Error::Api`], apart from what a drive, a
//! medium or the data reported.

use mmc_core::sense::SenseTriple;
use mmc_core::{ImapiCode, Opcode, TransportError};

/// Where in a conversation a sense arrived: IMAPI reports an unmapped sense as E_FAIL in
/// general, but as E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE while writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Writing,
    Other,
}

/// What caused an error at the drive: the command's opcode and the sense it answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceCause {
    pub opcode: Opcode,
    pub sense: Option<SenseTriple>,
}

impl core::fmt::Display for DeviceCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = self.opcode.name();
        match self.sense {
            Some(s) => write!(f, "{name} answered {s}"),
            None => write!(f, "{name}"),
        }
    }
}

/// Every failure of the engine, one variant per IMAPI code ([`Error::code`]); success codes
/// with a note (speed adjusted) are [`crate::WriteOutcome`]'s. What the caller did wrong is
/// grouped under [`Error::Api`]; every other variant is what a drive, a medium or the data
/// reported, or the host running out of something.
///
/// E_POINTER ([`ImapiCode::Pointer`]) has no variant: it is COM's answer to a NULL pointer
/// argument, which Rust's references rule out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller used the API wrongly; nothing was sent to the drive for it.
    #[error(transparent)]
    Api(#[from] ApiMisuse),
    #[error(
        "the drive did not finish {cause} in time; check the drive and the disc, then try again"
    )]
    CommandTimeout { cause: DeviceCause },
    #[error("the drive answered {cause} with data that makes no sense ({detail}); the drive or its firmware may be faulty")]
    InvalidResponseFromDevice { cause: DeviceCause, detail: String },
    #[error("the disc is upside down (label side down); turn it over ({cause})")]
    MediaUpsideDown { cause: DeviceCause },
    #[error("the drive is still getting the disc ready; wait a moment and try again ({cause})")]
    MediaBecomingReady { cause: DeviceCause },
    #[error("there is no disc in the drive; insert one ({cause})")]
    NoMedia { cause: DeviceCause },
    #[error("the disc is being formatted; wait until formatting ends ({cause})")]
    MediaFormatInProgress { cause: DeviceCause },
    #[error("the drive is busy finishing an earlier operation; wait and try again ({cause})")]
    MediaBusy { cause: DeviceCause },
    #[error("the drive ran out of data while writing (buffer underrun) and the disc may be unusable; write at a lower speed or keep buffer-underrun protection on ({cause})")]
    LossOfStreaming { cause: DeviceCause },
    #[error("the disc's format is unknown to this drive or cannot be written by it; use another disc ({cause})")]
    MediaIncompatible { cause: DeviceCause },
    #[error("the disc has no such DVD/BD structure (is it a CD?) ({cause})")]
    DvdStructureNotPresent { cause: DeviceCause },
    #[error("the drive does not have the requested mode page ({cause})")]
    NoSuchModePage { cause: DeviceCause },
    #[error("the drive rejected the write parameters ({cause})")]
    InvalidModeParameters { cause: DeviceCause },
    #[error("the disc is write-protected; use a writable disc or remove the protection ({cause})")]
    MediaWriteProtected { cause: DeviceCause },
    #[error("the disc's speed is outside what this drive supports (power calibration failed); try another disc or speed ({cause})")]
    MediaSpeedMismatch { cause: DeviceCause },
    #[error("the drive handle is not valid (closed or never opened)")]
    InvalidHandle,
    #[error("the drive has gone away (unplugged or switched off)")]
    DeviceNotExist,
    #[error("another program has exclusive access to the drive{}; close it and try again", owner.as_deref().map(|o| format!(" ({o})")).unwrap_or_default())]
    RecorderLocked { owner: Option<String> },
    /// `lba`: the sector the drive named in the sense's Information field (SPC-5 4.4.2.1:
    /// for a WRITE, the first LBA it could not record), when it named one.
    #[error("the drive reported an error it could not recover from while writing{} ({cause}); the disc may be damaged", match lba { Some(l) => format!(" at LBA {l}"), None => String::new() })]
    UnexpectedResponseFromDevice {
        cause: DeviceCause,
        lba: Option<u64>,
    },
    #[error("the drive cannot write any disc type this writer supports: {detail}")]
    RecorderNotSupported { detail: String },
    #[error("the write was cancelled{}", match last_written_lba { Some(l) => format!("; sectors up to LBA {l} were written and stay readable"), None => "; nothing was written".into() })]
    RequestCancelled { last_written_lba: Option<i64> },
    #[error("{} but the disc has {free} free", match needed { Some(n) => format!("the data needs {n} sectors"), None => "the stream went on past the free space".into() })]
    StreamTooLargeForCurrentMedia {
        /// Sectors of the data; `None` for a stream of unknown length that went on past the
        /// free space.
        needed: Option<u64>,
        /// Sectors a stream may have, FreeSectorsOnMedia (on CD-R without the post-gap the
        /// writer appends), the figure `info` shows.
        free: u64,
    },
    #[error("this kind of disc cannot be written by this writer: {detail}")]
    MediaIsNotSupported { detail: String },
    #[error("the disc is in a state that does not allow this: {detail}")]
    InvalidMediaState { detail: String },
    #[error("the disc is not blank: {found}; allow overwriting (ForceOverwrite; discwriter write --overwrite) to write over it")]
    MediaNotBlank {
        /// What the check of the disc's first and last 2 MB found.
        found: String,
    },
    #[error("the drive does not have feature {feature:#06x}")]
    NoSuchFeature { feature: u16 },
    #[error("the drive's feature {feature:#06x} is not current for this disc")]
    FeatureIsNotCurrent { feature: u16 },
    #[error("the drive does not support GET CONFIGURATION; it is too old for this writer")]
    GetConfigurationNotSupported,
    #[error("reading back the disc found a difference at sector {lba}; the written data is not reliable")]
    BurnVerificationFailed { lba: i64 },
    #[error("the operation failed: {detail}")]
    Fail {
        detail: String,
        cause: Option<DeviceCause>,
    },
    #[error("not enough memory for {0}")]
    OutOfMemory(&'static str),
    #[error("the drive or disc does not implement this: {detail}")]
    NotImplemented {
        detail: String,
        cause: Option<DeviceCause>,
    },
    /// IDiscFormat2Erase: the disc is not erasable (a write-once or pressed disc, or READ
    /// DISC INFORMATION's Erasable bit clear).
    #[error("the disc cannot be erased: {detail}")]
    EraseMediaIsNotErasable { detail: String },
    /// The drive refused or failed BLANK.
    #[error("the drive failed to erase the disc ({cause}); the disc may need a full erase, or may be worn out")]
    EraseDriveFailedEraseCommand { cause: DeviceCause },
    /// The drive still reported the erase in progress after an hour.
    #[error("the erase did not end within an hour ({elapsed_seconds} s); the drive may be stuck, check it and the disc")]
    EraseTookLongerThanOneHour { elapsed_seconds: u64 },
    /// While the erase ran the drive answered what no erasing drive answers.
    #[error("the drive answered unexpectedly while erasing ({cause}); the disc may be partly erased, erase it again")]
    EraseUnexpectedDriveResponse { cause: DeviceCause },
    /// START STOP UNIT (spin up) failed before the erase.
    #[error("the drive could not spin the disc up before erasing ({cause})")]
    EraseDriveFailedSpinup { cause: DeviceCause },
    /// The disc is rewritable but not erased with BLANK (DVD+RW, DVD-RAM, BD-RE are
    /// formatted or written over instead).
    #[error("this kind of disc is not erased (only CD-RW and DVD-RW are): {detail}")]
    EraseMediaIsNotSupported { detail: String },
    #[error("the drive cannot erase discs: {detail}")]
    EraseRecorderNotSupported { detail: String },
    /// Another client holds the drive.
    #[error("the drive is in use by another program{}; close it and try again", owner.as_deref().map(|o| format!(" ({o})")).unwrap_or_default())]
    EraseRecorderInUse { owner: Option<String> },
    /// READ DISC INFORMATION moved fewer bytes than its 34-byte standard data.
    #[error(
        "the drive returned {bytes} bytes of disc information, fewer than the 34 the erase needs"
    )]
    EraseDiscInformationTooSmall { bytes: usize },
    /// MODE SENSE returned too little of page 2Ah to tell whether the drive writes CD-RW.
    #[error("the drive returned {bytes} bytes of its capabilities page (2Ah), too few to tell whether it erases discs")]
    EraseModePage2ATooSmall { bytes: usize },
}

/// A call the API does not allow: the caller's mistake, not the drive's or the medium's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiMisuse {
    #[error("invalid argument: {0}")]
    InvalidArg(String),
    #[error("no drive was chosen")]
    RecorderRequired,
    #[error("a write is already running on this writer")]
    WriteInProgress,
    #[error("no write is running")]
    WriteNotInProgress,
    #[error("the client name {name:?} is not valid: {reason}")]
    ClientNameIsNotValid { name: String, reason: &'static str },
    #[error("the data is {bytes} bytes, which is not a whole number of 2048-byte sectors")]
    StreamNotSupported { bytes: u64 },
    /// The write needs the stream's length before it starts (E_INVALIDARG): `needs` says
    /// what for.
    #[error("invalid argument: {needs}: the stream's length must be known")]
    StreamLengthRequired { needs: &'static str },
    /// IDiscFormat2Erase's ClientName.
    #[error("the client name {name:?} is not valid: {reason}")]
    EraseClientNameIsNotValid { name: String, reason: &'static str },
}

impl ApiMisuse {
    /// The IMAPI2 code of the misuse.
    pub const fn code(&self) -> ImapiCode {
        match self {
            ApiMisuse::InvalidArg(_) | ApiMisuse::StreamLengthRequired { .. } => {
                ImapiCode::InvalidArg
            }
            ApiMisuse::RecorderRequired => ImapiCode::RecorderRequired,
            ApiMisuse::WriteInProgress => ImapiCode::Df2DataWriteInProgress,
            ApiMisuse::WriteNotInProgress => ImapiCode::Df2DataWriteNotInProgress,
            ApiMisuse::ClientNameIsNotValid { .. } => ImapiCode::Df2DataClientNameIsNotValid,
            ApiMisuse::StreamNotSupported { .. } => ImapiCode::Df2DataStreamNotSupported,
            ApiMisuse::EraseClientNameIsNotValid { .. } => ImapiCode::EraseClientNameIsNotValid,
        }
    }
}

impl Error {
    /// The IMAPI2 code IMAPI2 returns for this condition.
    pub fn code(&self) -> ImapiCode {
        match self {
            Error::Api(misuse) => misuse.code(),
            Error::CommandTimeout { .. } => ImapiCode::RecorderCommandTimeout,
            Error::InvalidResponseFromDevice { .. } => ImapiCode::RecorderInvalidResponseFromDevice,
            Error::MediaUpsideDown { .. } => ImapiCode::RecorderMediaUpsideDown,
            Error::MediaBecomingReady { .. } => ImapiCode::RecorderMediaBecomingReady,
            Error::NoMedia { .. } => ImapiCode::RecorderMediaNoMedia,
            Error::MediaFormatInProgress { .. } => ImapiCode::RecorderMediaFormatInProgress,
            Error::MediaBusy { .. } => ImapiCode::RecorderMediaBusy,
            Error::LossOfStreaming { .. } => ImapiCode::LossOfStreaming,
            Error::MediaIncompatible { .. } => ImapiCode::RecorderMediaIncompatible,
            Error::DvdStructureNotPresent { .. } => ImapiCode::RecorderDvdStructureNotPresent,
            Error::NoSuchModePage { .. } => ImapiCode::RecorderNoSuchModePage,
            Error::InvalidModeParameters { .. } => ImapiCode::RecorderInvalidModeParameters,
            Error::MediaWriteProtected { .. } => ImapiCode::RecorderMediaWriteProtected,
            Error::MediaSpeedMismatch { .. } => ImapiCode::RecorderMediaSpeedMismatch,
            Error::InvalidHandle => ImapiCode::Win32InvalidHandle,
            Error::DeviceNotExist => ImapiCode::Win32DevNotExist,
            Error::RecorderLocked { .. } => ImapiCode::RecorderLocked,
            Error::UnexpectedResponseFromDevice { .. } => ImapiCode::UnexpectedResponseFromDevice,
            Error::RecorderNotSupported { .. } => ImapiCode::Df2DataRecorderNotSupported,
            Error::RequestCancelled { .. } => ImapiCode::RequestCancelled,
            Error::StreamTooLargeForCurrentMedia { .. } => {
                ImapiCode::Df2DataStreamTooLargeForCurrentMedia
            }
            Error::MediaIsNotSupported { .. } => ImapiCode::Df2DataMediaIsNotSupported,
            Error::InvalidMediaState { .. } => ImapiCode::Df2DataInvalidMediaState,
            Error::MediaNotBlank { .. } => ImapiCode::Df2DataMediaNotBlank,
            Error::NoSuchFeature { .. } => ImapiCode::RecorderNoSuchFeature,
            Error::FeatureIsNotCurrent { .. } => ImapiCode::RecorderFeatureIsNotCurrent,
            Error::GetConfigurationNotSupported => ImapiCode::RecorderGetConfigurationNotSupported,
            Error::BurnVerificationFailed { .. } => ImapiCode::BurnVerificationFailed,
            Error::Fail { .. } => ImapiCode::Fail,
            Error::OutOfMemory(_) => ImapiCode::OutOfMemory,
            Error::NotImplemented { .. } => ImapiCode::NotImplemented,
            Error::EraseMediaIsNotErasable { .. } => ImapiCode::EraseMediaIsNotErasable,
            Error::EraseDriveFailedEraseCommand { .. } => ImapiCode::EraseDriveFailedEraseCommand,
            Error::EraseTookLongerThanOneHour { .. } => ImapiCode::EraseTookLongerThanOneHour,
            Error::EraseUnexpectedDriveResponse { .. } => {
                ImapiCode::EraseUnexpectedDriveResponseDuringErase
            }
            Error::EraseDriveFailedSpinup { .. } => ImapiCode::EraseDriveFailedSpinupCommand,
            Error::EraseMediaIsNotSupported { .. } => ImapiCode::EraseMediaIsNotSupported,
            Error::EraseRecorderNotSupported { .. } => ImapiCode::EraseRecorderNotSupported,
            Error::EraseRecorderInUse { .. } => ImapiCode::EraseRecorderInUse,
            Error::EraseDiscInformationTooSmall { .. } => ImapiCode::EraseDiscInformationTooSmall,
            Error::EraseModePage2ATooSmall { .. } => ImapiCode::EraseModePage2ATooSmall,
        }
    }

    /// The HRESULT IMAPI2 returns for this condition.
    pub fn hresult(&self) -> u32 {
        self.code().hresult()
    }

    /// IMAPI's name for the code (`"E_IMAPI_RECORDER_MEDIA_NO_MEDIA"`).
    pub fn imapi_name(&self) -> &'static str {
        self.code().name()
    }

    /// The command and sense that caused the error, when a drive answer did.
    pub fn cause(&self) -> Option<DeviceCause> {
        match self {
            Error::CommandTimeout { cause }
            | Error::InvalidResponseFromDevice { cause, .. }
            | Error::MediaUpsideDown { cause }
            | Error::MediaBecomingReady { cause }
            | Error::NoMedia { cause }
            | Error::MediaFormatInProgress { cause }
            | Error::MediaBusy { cause }
            | Error::LossOfStreaming { cause }
            | Error::MediaIncompatible { cause }
            | Error::DvdStructureNotPresent { cause }
            | Error::NoSuchModePage { cause }
            | Error::InvalidModeParameters { cause }
            | Error::MediaWriteProtected { cause }
            | Error::MediaSpeedMismatch { cause }
            | Error::UnexpectedResponseFromDevice { cause, .. }
            | Error::EraseDriveFailedEraseCommand { cause }
            | Error::EraseUnexpectedDriveResponse { cause }
            | Error::EraseDriveFailedSpinup { cause } => Some(*cause),
            Error::Fail { cause, .. } | Error::NotImplemented { cause, .. } => *cause,
            _ => None,
        }
    }

    /// The error a CHECK CONDITION with `triple` on `opcode` becomes (Microsoft's table, first
    /// match wins); `None` when the table calls it success (for example loss of streaming
    /// reported by SYNCHRONIZE CACHE).
    pub fn from_sense(
        triple: SenseTriple,
        opcode: impl Into<Opcode>,
        phase: Phase,
    ) -> Option<Self> {
        let opcode = opcode.into();
        Self::classified(triple, opcode, opcode, phase)
    }

    /// A deferred error (response code 71h/73h) heard by command `opcode`: it reports data
    /// of an earlier WRITE that the drive could not record, so it is classified as that
    /// WRITE's error (a deferred 03/0C/09 on SYNCHRONIZE CACHE is a loss of streaming, not
    /// the success IMAPI's table gives a current one there), never as success.
    pub fn from_deferred_sense(triple: SenseTriple, opcode: impl Into<Opcode>) -> Self {
        let opcode = opcode.into();
        Self::classified(triple, Opcode::Write10, opcode, Phase::Writing).unwrap_or(
            Error::UnexpectedResponseFromDevice {
                cause: DeviceCause {
                    opcode,
                    sense: Some(triple),
                },
                lba: None,
            },
        )
    }

    /// Classifies as for command `classify_as`, naming `opcode` as the command that heard it.
    fn classified(
        triple: SenseTriple,
        classify_as: Opcode,
        opcode: Opcode,
        phase: Phase,
    ) -> Option<Self> {
        use mmc_core::condition::{classify, Condition};
        let cause = DeviceCause {
            opcode,
            sense: Some(triple),
        };
        Some(match classify(triple, classify_as.to_u8()) {
            Condition::Success => return None,
            Condition::MediaUpsideDown => Error::MediaUpsideDown { cause },
            Condition::MediaBecomingReady => Error::MediaBecomingReady { cause },
            Condition::NoMedia => Error::NoMedia { cause },
            Condition::FormatInProgress => Error::MediaFormatInProgress { cause },
            Condition::MediaBusy => Error::MediaBusy { cause },
            Condition::DvdStructureNotPresent => Error::DvdStructureNotPresent { cause },
            Condition::LossOfStreaming => Error::LossOfStreaming { cause },
            Condition::MediaIncompatible => Error::MediaIncompatible { cause },
            Condition::NoSuchModePage => Error::NoSuchModePage { cause },
            Condition::InvalidModeParameters => Error::InvalidModeParameters { cause },
            Condition::WriteProtected => Error::MediaWriteProtected { cause },
            Condition::MediaSpeedMismatch => Error::MediaSpeedMismatch { cause },
            _ if phase == Phase::Writing => {
                Error::UnexpectedResponseFromDevice { cause, lba: None }
            }
            _ => Error::Fail {
                detail: format!(
                    "the drive reported {}",
                    mmc_core::sense::asc_description(triple.asc, triple.ascq)
                ),
                cause: Some(cause),
            },
        })
    }

    /// GOOD status with data that does not parse: E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE
    /// naming the command and what was wrong.
    pub fn invalid_response(opcode: impl Into<Opcode>, detail: impl core::fmt::Display) -> Self {
        Error::InvalidResponseFromDevice {
            cause: DeviceCause {
                opcode: opcode.into(),
                sense: None,
            },
            detail: detail.to_string(),
        }
    }

    /// The error for a transport failure of the command `opcode`.
    pub fn from_transport(e: TransportError, opcode: impl Into<Opcode>) -> Self {
        let cause = DeviceCause {
            opcode: opcode.into(),
            sense: None,
        };
        match e {
            TransportError::Timeout => Error::CommandTimeout { cause },
            TransportError::DeviceGone => Error::DeviceNotExist,
            TransportError::InvalidHandle => Error::InvalidHandle,
            TransportError::Locked { owner } => Error::RecorderLocked { owner },
            TransportError::Rejected(detail) | TransportError::Other(detail) => Error::Fail {
                detail,
                cause: Some(cause),
            },
        }
    }
}

#[cfg(test)]
mod tests;
