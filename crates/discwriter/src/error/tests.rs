//! Every error's IMAPI code and value, and the messages.

use super::*;

fn cause() -> DeviceCause {
    DeviceCause {
        opcode: Opcode::Write10,
        sense: Some(SenseTriple::new(3, 0x0C, 0x09)),
    }
}

/// The values of imapi2error.h and winerror.h, typed in again (not from the code).
#[test]
fn every_code_has_the_documented_value() {
    let c = cause();
    let table: Vec<(Error, u32, &str)> = vec![
        (
            Error::CommandTimeout { cause: c },
            0xC0AA020D,
            "E_IMAPI_RECORDER_COMMAND_TIMEOUT",
        ),
        (
            Error::InvalidResponseFromDevice {
                cause: c,
                detail: String::new(),
            },
            0xC0AA02FF,
            "E_IMAPI_RECORDER_INVALID_RESPONSE_FROM_DEVICE",
        ),
        (
            Error::MediaUpsideDown { cause: c },
            0xC0AA0204,
            "E_IMAPI_RECORDER_MEDIA_UPSIDE_DOWN",
        ),
        (
            Error::MediaBecomingReady { cause: c },
            0xC0AA0205,
            "E_IMAPI_RECORDER_MEDIA_BECOMING_READY",
        ),
        (
            Error::NoMedia { cause: c },
            0xC0AA0202,
            "E_IMAPI_RECORDER_MEDIA_NO_MEDIA",
        ),
        (
            Error::MediaFormatInProgress { cause: c },
            0xC0AA0206,
            "E_IMAPI_RECORDER_MEDIA_FORMAT_IN_PROGRESS",
        ),
        (
            Error::MediaBusy { cause: c },
            0xC0AA0207,
            "E_IMAPI_RECORDER_MEDIA_BUSY",
        ),
        (
            Error::LossOfStreaming { cause: c },
            0xC0AA0300,
            "E_IMAPI_LOSS_OF_STREAMING",
        ),
        (
            Error::MediaIncompatible { cause: c },
            0xC0AA0203,
            "E_IMAPI_RECORDER_MEDIA_INCOMPATIBLE",
        ),
        (
            Error::DvdStructureNotPresent { cause: c },
            0xC0AA020E,
            "E_IMAPI_RECORDER_DVD_STRUCTURE_NOT_PRESENT",
        ),
        (
            Error::NoSuchModePage { cause: c },
            0xC0AA0201,
            "E_IMAPI_RECORDER_NO_SUCH_MODE_PAGE",
        ),
        (
            Error::InvalidModeParameters { cause: c },
            0xC0AA0208,
            "E_IMAPI_RECORDER_INVALID_MODE_PARAMETERS",
        ),
        (
            Error::MediaWriteProtected { cause: c },
            0xC0AA0209,
            "E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED",
        ),
        (
            Error::MediaSpeedMismatch { cause: c },
            0xC0AA020F,
            "E_IMAPI_RECORDER_MEDIA_SPEED_MISMATCH",
        ),
        (
            Error::InvalidHandle,
            0x80070006,
            "HRESULT_FROM_WIN32(ERROR_INVALID_HANDLE)",
        ),
        (
            Error::DeviceNotExist,
            0x80070037,
            "HRESULT_FROM_WIN32(ERROR_DEV_NOT_EXIST)",
        ),
        (
            Error::RecorderLocked { owner: None },
            0xC0AA0210,
            "E_IMAPI_RECORDER_LOCKED",
        ),
        (
            Error::UnexpectedResponseFromDevice {
                cause: c,
                lba: None,
            },
            0xC0AA0301,
            "E_IMAPI_UNEXPECTED_RESPONSE_FROM_DEVICE",
        ),
        (
            Error::Api(ApiMisuse::RecorderRequired),
            0xC0AA0003,
            "E_IMAPI_RECORDER_REQUIRED",
        ),
        (
            Error::RecorderNotSupported {
                detail: String::new(),
            },
            0xC0AA0407,
            "E_IMAPI_DF2DATA_RECORDER_NOT_SUPPORTED",
        ),
        (
            Error::RequestCancelled {
                last_written_lba: None,
            },
            0xC0AA0002,
            "E_IMAPI_REQUEST_CANCELLED",
        ),
        (
            Error::Api(ApiMisuse::WriteInProgress),
            0xC0AA0400,
            "E_IMAPI_DF2DATA_WRITE_IN_PROGRESS",
        ),
        (
            Error::Api(ApiMisuse::WriteNotInProgress),
            0xC0AA0401,
            "E_IMAPI_DF2DATA_WRITE_NOT_IN_PROGRESS",
        ),
        (
            Error::Api(ApiMisuse::StreamNotSupported { bytes: 1 }),
            0xC0AA0403,
            "E_IMAPI_DF2DATA_STREAM_NOT_SUPPORTED",
        ),
        (
            Error::StreamTooLargeForCurrentMedia {
                needed: Some(2),
                free: 1,
            },
            0xC0AA0404,
            "E_IMAPI_DF2DATA_STREAM_TOO_LARGE_FOR_CURRENT_MEDIA",
        ),
        (
            Error::MediaIsNotSupported {
                detail: String::new(),
            },
            0xC0AA0406,
            "E_IMAPI_DF2DATA_MEDIA_IS_NOT_SUPPORTED",
        ),
        (
            Error::InvalidMediaState {
                detail: String::new(),
            },
            0xC0AA0402,
            "E_IMAPI_DF2DATA_INVALID_MEDIA_STATE",
        ),
        (
            Error::MediaNotBlank {
                found: String::new(),
            },
            0xC0AA0405,
            "E_IMAPI_DF2DATA_MEDIA_NOT_BLANK",
        ),
        (
            Error::Api(ApiMisuse::ClientNameIsNotValid {
                name: String::new(),
                reason: "empty",
            }),
            0xC0AA0408,
            "E_IMAPI_DF2DATA_CLIENT_NAME_IS_NOT_VALID",
        ),
        (
            Error::NoSuchFeature { feature: 0x2D },
            0xC0AA020A,
            "E_IMAPI_RECORDER_NO_SUCH_FEATURE",
        ),
        (
            Error::FeatureIsNotCurrent { feature: 0x2D },
            0xC0AA020B,
            "E_IMAPI_RECORDER_FEATURE_IS_NOT_CURRENT",
        ),
        (
            Error::GetConfigurationNotSupported,
            0xC0AA020C,
            "E_IMAPI_RECORDER_GET_CONFIGURATION_NOT_SUPPORTED",
        ),
        (
            Error::BurnVerificationFailed { lba: 7 },
            0xC0AA0007,
            "E_IMAPI_BURN_VERIFICATION_FAILED",
        ),
        (
            Error::Api(ApiMisuse::InvalidArg(String::new())),
            0x80070057,
            "E_INVALIDARG",
        ),
        (
            Error::Fail {
                detail: String::new(),
                cause: None,
            },
            0x80004005,
            "E_FAIL",
        ),
        (Error::OutOfMemory("fifo"), 0x8007000E, "E_OUTOFMEMORY"),
        (
            Error::NotImplemented {
                detail: String::new(),
                cause: None,
            },
            0x80004001,
            "E_NOTIMPL",
        ),
        (
            Error::EraseRecorderInUse { owner: None },
            0x80AA0900,
            "E_IMAPI_ERASE_RECORDER_IN_USE",
        ),
        (
            Error::EraseDiscInformationTooSmall { bytes: 8 },
            0x80AA0902,
            "E_IMAPI_ERASE_DISC_INFORMATION_TOO_SMALL",
        ),
        (
            Error::EraseModePage2ATooSmall { bytes: 2 },
            0x80AA0903,
            "E_IMAPI_ERASE_MODE_PAGE_2A_TOO_SMALL",
        ),
        (
            Error::EraseMediaIsNotErasable {
                detail: String::new(),
            },
            0x80AA0904,
            "E_IMAPI_ERASE_MEDIA_IS_NOT_ERASABLE",
        ),
        (
            Error::EraseDriveFailedEraseCommand { cause: c },
            0x80AA0905,
            "E_IMAPI_ERASE_DRIVE_FAILED_ERASE_COMMAND",
        ),
        (
            Error::EraseTookLongerThanOneHour {
                elapsed_seconds: 3601,
            },
            0x80AA0906,
            "E_IMAPI_ERASE_TOOK_LONGER_THAN_ONE_HOUR",
        ),
        (
            Error::EraseUnexpectedDriveResponse { cause: c },
            0x80AA0907,
            "E_IMAPI_ERASE_UNEXPECTED_DRIVE_RESPONSE_DURING_ERASE",
        ),
        (
            Error::EraseDriveFailedSpinup { cause: c },
            0x80AA0908,
            "E_IMAPI_ERASE_DRIVE_FAILED_SPINUP_COMMAND",
        ),
        (
            Error::EraseMediaIsNotSupported {
                detail: String::new(),
            },
            0xC0AA0909,
            "E_IMAPI_ERASE_MEDIA_IS_NOT_SUPPORTED",
        ),
        (
            Error::EraseRecorderNotSupported {
                detail: String::new(),
            },
            0xC0AA090A,
            "E_IMAPI_ERASE_RECORDER_NOT_SUPPORTED",
        ),
        (
            Error::Api(ApiMisuse::EraseClientNameIsNotValid {
                name: String::new(),
                reason: "empty",
            }),
            0xC0AA090B,
            "E_IMAPI_ERASE_CLIENT_NAME_IS_NOT_VALID",
        ),
    ];
    for (e, value, name) in table {
        assert_eq!(e.hresult(), value, "{name}");
        assert_eq!(e.imapi_name(), name);
    }
    // E_POINTER has no variant (COM only); its value is still the documented one.
    assert_eq!(
        (ImapiCode::Pointer.hresult(), ImapiCode::Pointer.name()),
        (0x80004003, "E_POINTER")
    );
}

#[test]
fn transport_failures_map_to_their_codes() {
    assert_eq!(
        Error::from_transport(TransportError::Timeout, 0x2A).hresult(),
        0xC0AA020D
    );
    assert_eq!(
        Error::from_transport(TransportError::DeviceGone, 0x2A).hresult(),
        0x80070037
    );
    assert_eq!(
        Error::from_transport(
            TransportError::Locked {
                owner: Some("x".into())
            },
            0x12
        )
        .hresult(),
        0xC0AA0210
    );
}

#[test]
fn messages_name_the_command_and_sense() {
    let e = Error::LossOfStreaming { cause: cause() };
    let text = e.to_string();
    assert!(text.contains("WRITE (10) answered 03/0C/09"), "{text}");
    assert!(text.contains("buffer underrun"), "{text}");
}
