//! The IMAPI2 result codes: every HRESULT value and IMAPI name the workspace reports comes
//! from [`ImapiCode`].
//!
//! Values and names are those of imapi2error.h (the `E_IMAPI_*` and `S_IMAPI_*` codes,
//! facility 0xAA) and winerror.h (the generic COM codes and `HRESULT_FROM_WIN32`). A
//! condition of the drive ([`crate::condition::Condition`]) maps to one of them with
//! [`Condition::code`](crate::condition::Condition::code); the engine's errors and success
//! notes do the same.

use crate::wire::wire_enum;

wire_enum! {
    /// An IMAPI2 result code: the HRESULT (`to_u32`) and its name in imapi2error.h or
    /// winerror.h (`name`). Any other HRESULT is kept as `Unknown`.
    ///
    /// Success codes have bit 31 clear ([`ImapiCode::is_success`]): `S_OK` and the three
    /// `S_IMAPI_*ADJUSTED` notes, which say that the write succeeded with another speed or
    /// rotation control than the one asked for.
    ///
    /// One code is listed for completeness but cannot be raised from Rust:
    /// [`ImapiCode::Pointer`] (E_POINTER) is what a COM method returns for a NULL
    /// out-pointer or interface argument; references and `Option` make that state
    /// unrepresentable here, so nothing in this workspace returns it.
    pub enum ImapiCode: u32 as from_u32 / to_u32,
        unknown "unknown HRESULT" / "HRESULT 0x{:08X}"
    {
        /// The operation succeeded.
        Ok = 0x0000_0000 => "S_OK",
        /// Success; the drive used another write speed than the one requested.
        SpeedAdjusted = 0x00AA_0004 => "S_IMAPI_SPEEDADJUSTED",
        /// Success; the drive used another rotation control (CAV/CLV) than requested.
        RotationAdjusted = 0x00AA_0005 => "S_IMAPI_ROTATIONADJUSTED",
        /// Success; both speed and rotation control were adjusted.
        BothAdjusted = 0x00AA_0006 => "S_IMAPI_BOTHADJUSTED",
        RequestCancelled = 0xC0AA_0002 => "E_IMAPI_REQUEST_CANCELLED",
        RecorderRequired = 0xC0AA_0003 => "E_IMAPI_RECORDER_REQUIRED",
        BurnVerificationFailed = 0xC0AA_0007 => "E_IMAPI_BURN_VERIFICATION_FAILED",
        RecorderNoSuchModePage = 0xC0AA_0201 => "E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE",
        RecorderMediaNoMedia = 0xC0AA_0202 => "E_IMAPI_RECORDER_MEDIA_NO_MEDIA",
        RecorderMediaIncompatible = 0xC0AA_0203 => "E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE",
        RecorderMediaUpsideDown = 0xC0AA_0204 => "E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN",
        RecorderMediaBecomingReady = 0xC0AA_0205 => "E_IMAPI_RECORDER_MEDIA_BECOMING_READY",
        RecorderMediaFormatInProgress =
            0xC0AA_0206 => "E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS",
        RecorderMediaBusy = 0xC0AA_0207 => "E_IMAPI_RECORDER_MEDIA_BUSY",
        RecorderInvalidModeParameters =
            0xC0AA_0208 => "E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS",
        RecorderMediaWriteProtected = 0xC0AA_0209 => "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
        RecorderNoSuchFeature = 0xC0AA_020A => "E_IMAPI_RECORDER_NO_SUCH_FEATURE",
        RecorderFeatureIsNotCurrent = 0xC0AA_020B => "E_IMAPI_RECORDER_FEATURE_IS_NOT_CURRENT",
        RecorderGetConfigurationNotSupported =
            0xC0AA_020C => "E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED",
        RecorderCommandTimeout = 0xC0AA_020D => "E_IMAPI_RECORDER_COMMAND_TIMEOUT",
        RecorderDvdStructureNotPresent =
            0xC0AA_020E => "E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT",
        RecorderMediaSpeedMismatch = 0xC0AA_020F => "E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH",
        RecorderLocked = 0xC0AA_0210 => "E_IMAPI_RECORDER_LOCKED",
        RecorderInvalidResponseFromDevice =
            0xC0AA_02FF => "E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE",
        LossOfStreaming = 0xC0AA_0300 => "E_IMAPI_LOSS_OF_STREAMING",
        UnexpectedResponseFromDevice = 0xC0AA_0301 => "E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE",
        Df2DataWriteInProgress = 0xC0AA_0400 => "E_IMAPI_DF2DATA_WRITE_IN_PROGRESS",
        Df2DataWriteNotInProgress = 0xC0AA_0401 => "E_IMAPI_DF2DATA_WRITE_NOT_IN_PROGRESS",
        Df2DataInvalidMediaState = 0xC0AA_0402 => "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE",
        Df2DataStreamNotSupported = 0xC0AA_0403 => "E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED",
        Df2DataStreamTooLargeForCurrentMedia =
            0xC0AA_0404 => "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA",
        Df2DataMediaNotBlank = 0xC0AA_0405 => "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK",
        Df2DataMediaIsNotSupported = 0xC0AA_0406 => "E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED",
        Df2DataRecorderNotSupported = 0xC0AA_0407 => "E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED",
        Df2DataClientNameIsNotValid =
            0xC0AA_0408 => "E_IMAPI_DF2DATA_CLIENT_NAME_IS_NOT_VALID",
        EraseRecorderInUse = 0x80AA_0900 => "E_IMAPI_ERASE_RECORDER_IN_USE",
        /// IDiscFormat2Erase takes one recorder; listed for its value.
        EraseOnlyOneRecorderSupported =
            0x80AA_0901 => "E_IMAPI_ERASE_ONLY_ONE_RECORDER_SUPPORTED",
        EraseDiscInformationTooSmall =
            0x80AA_0902 => "E_IMAPI_ERASE_DISC_INFORMATION_TOO_SMALL",
        EraseModePage2ATooSmall = 0x80AA_0903 => "E_IMAPI_ERASE_MODE_PAGE_2A_TOO_SMALL",
        EraseMediaIsNotErasable = 0x80AA_0904 => "E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE",
        EraseDriveFailedEraseCommand =
            0x80AA_0905 => "E_IMAPI_ERASE_DRIVE_FAILED_ERASE_COMMAND",
        EraseTookLongerThanOneHour = 0x80AA_0906 => "E_IMAPI_ERASE_TOOK_LONGER_THAN_ONE_HOUR",
        EraseUnexpectedDriveResponseDuringErase =
            0x80AA_0907 => "E_IMAPI_ERASE_UNEXPECTED_DRIVE_RESPONSE_DURING_ERASE",
        EraseDriveFailedSpinupCommand =
            0x80AA_0908 => "E_IMAPI_ERASE_DRIVE_FAILED_SPINUP_COMMAND",
        EraseMediaIsNotSupported = 0xC0AA_0909 => "E_IMAPI_ERASE_MEDIA_IS_NOT_SUPPORTED",
        EraseRecorderNotSupported = 0xC0AA_090A => "E_IMAPI_ERASE_RECORDER_NOT_SUPPORTED",
        EraseClientNameIsNotValid = 0xC0AA_090B => "E_IMAPI_ERASE_CLIENT_NAME_IS_NOT_VALID",
        /// HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE = 6).
        Win32InvalidHandle = 0x8007_0006 => "HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)",
        /// HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST = 55).
        Win32DevNotExist = 0x8007_0037 => "HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)",
        InvalidArg = 0x8007_0057 => "E_INVALIDARG",
        /// COM only: a NULL pointer argument. Listed for its value; never raised here (see
        /// the type's documentation).
        Pointer = 0x8000_4003 => "E_POINTER",
        Fail = 0x8000_4005 => "E_FAIL",
        OutOfMemory = 0x8007_000E => "E_OUTOFMEMORY",
        NotImplemented = 0x8000_4001 => "E_NOTIMPL",
    }
}

impl ImapiCode {
    /// The HRESULT value.
    #[inline]
    pub const fn hresult(self) -> u32 {
        self.to_u32()
    }

    /// A success code (severity bit 31 clear): S_OK or an `S_IMAPI_*` note.
    #[inline]
    pub const fn is_success(self) -> bool {
        self.to_u32() & 0x8000_0000 == 0
    }

    /// The success code for what a drive adjusted: S_OK when nothing was.
    pub const fn adjusted(speed: bool, rotation: bool) -> Self {
        match (speed, rotation) {
            (true, true) => ImapiCode::BothAdjusted,
            (true, false) => ImapiCode::SpeedAdjusted,
            (false, true) => ImapiCode::RotationAdjusted,
            (false, false) => ImapiCode::Ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_only_s_codes_succeed() {
        for &c in ImapiCode::ALL {
            assert_eq!(ImapiCode::from_u32(c.hresult()), c);
            assert_eq!(c.is_success(), c.name().starts_with("S_"), "{c}");
        }
        assert_eq!(ImapiCode::default(), ImapiCode::Ok);
        assert_eq!(
            ImapiCode::from_u32(0x8000_FFFF).to_string(),
            "HRESULT 0x8000FFFF"
        );
    }

    #[test]
    fn adjusted_notes_name_what_changed() {
        assert_eq!(ImapiCode::adjusted(false, false), ImapiCode::Ok);
        assert_eq!(ImapiCode::adjusted(true, true).hresult(), 0x00AA_0006);
        assert_eq!(
            ImapiCode::adjusted(true, false).name(),
            "S_IMAPI_SPEEDADJUSTED"
        );
        assert_eq!(
            ImapiCode::adjusted(false, true).name(),
            "S_IMAPI_ROTATIONADJUSTED"
        );
    }

    /// E_POINTER is listed with its winerror.h value although nothing raises it.
    #[test]
    fn com_only_code_keeps_its_value() {
        assert_eq!(ImapiCode::Pointer.hresult(), 0x8000_4003);
        assert_eq!(ImapiCode::Pointer.name(), "E_POINTER");
    }
}
