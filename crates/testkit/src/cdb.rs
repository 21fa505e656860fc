//! The CDBs the tests send, and the parameter lists they carry.
//!
//! Fixed CDBs are annotated byte arrays, the way a reader checks them against the standard;
//! the unit tests below decode each through `mmc_core` to the command it must be. Builders
//! with parameters encode mmc-core's CDB structures, so a test's WRITE (10) is the bytes the
//! engine sends.

use mmc_core::cdb::{
    CdRotationalControl, CdbRepr, CloseFunction, CloseTrackSession, FormatType, ModeSelect10,
    Read10, Read12, ReadTocPmaAtip, ReadTrackInformation, SetCdSpeed, SynchronizeCache, TocFormat,
    TrackAddressType, Write10, Write12,
};
use mmc_core::params::{FormatDescriptor, FormatUnitParameters};
use mmc_core::CdbBytes;

pub const TEST_UNIT_READY: [u8; 6] = [
    0x00, // TEST UNIT READY
    0, 0, 0, 0,    //
    0x00, // control
];

pub const INQUIRY: [u8; 6] = [
    0x12, // INQUIRY
    0x00, // EVPD = 0: standard data
    0x00, //
    0x00, 0x24, // allocation length 36
    0x00,
];

pub const REQUEST_SENSE: [u8; 6] = [
    0x03, // REQUEST SENSE
    0x00, // DESC = 0: fixed format
    0, 0,    //
    0x12, // allocation length 18
    0x00,
];

pub const READ_CAPACITY: [u8; 10] = [
    0x25, // READ CAPACITY
    0, 0, 0, 0, 0, 0, 0,    //
    0x00, // PMI = 0
    0x00,
];

pub const READ_DISC_INFORMATION: [u8; 10] = [
    0x51, // READ DISC INFORMATION
    0x00, // data type 000b: standard disc information
    0, 0, 0, 0, 0, //
    0x00, 0x22, // allocation length 34
    0x00,
];

pub const READ_FORMAT_CAPACITIES: [u8; 10] = [
    0x23, // READ FORMAT CAPACITIES
    0, 0, 0, 0, 0, 0, //
    0x00, 0xFC, // allocation length 252
    0x00,
];

/// READ TRACK INFORMATION of track FFh: the invisible (or incomplete) track, 48 bytes.
pub const READ_TRACK_INFORMATION_FF: [u8; 10] = [
    0x52, // READ TRACK INFORMATION
    0x01, // address/number type 01b: track number
    0x00, 0x00, 0x00, 0xFF, // track FFh
    0x00, //
    0x00, 0x30, // allocation length 48
    0x00,
];

pub const SYNCHRONIZE_CACHE: [u8; 10] = [
    0x35, // SYNCHRONIZE CACHE (10)
    0x00, // Immed = 0: return when the cache is on the disc
    0, 0, 0, 0, // LBA 0
    0, //
    0x00, 0x00, // blocks 0: everything
    0x00,
];

pub const SYNCHRONIZE_CACHE_IMMED: [u8; 10] = [
    0x35, // SYNCHRONIZE CACHE (10)
    0x02, // Immed = 1: return at once, poll TEST UNIT READY
    0, 0, 0, 0, 0, 0, 0, 0x00,
];

pub const READ_BUFFER_CAPACITY: [u8; 10] = [
    0x5C, // READ BUFFER CAPACITY
    0x00, // Block = 0: in bytes
    0, 0, 0, 0, 0, //
    0x00, 0x0C, // allocation length 12
    0x00,
];

/// START STOP UNIT with LoEj = 1, Start = 0: eject the disc, or open the tray.
pub const EJECT: [u8; 6] = [
    0x1B, // START STOP UNIT
    0x00, // Immed = 0
    0, 0,    //
    0x02, // LoEj = 1, Start = 0
    0x00,
];

/// START STOP UNIT with LoEj = 1, Start = 1: close the tray and load the disc.
pub const LOAD: [u8; 6] = [
    0x1B, // START STOP UNIT
    0x00, // Immed = 0
    0, 0,    //
    0x03, // LoEj = 1, Start = 1
    0x00,
];

/// PREVENT ALLOW MEDIUM REMOVAL with Prevent = 1.
pub const PREVENT: [u8; 6] = [
    0x1E, // PREVENT ALLOW MEDIUM REMOVAL
    0, 0, 0,    //
    0x01, // Prevent = 1
    0x00,
];

/// PREVENT ALLOW MEDIUM REMOVAL with Prevent = 0.
pub const ALLOW: [u8; 6] = [
    0x1E, // PREVENT ALLOW MEDIUM REMOVAL
    0, 0, 0,    //
    0x00, // Prevent = 0
    0x00,
];

/// FORMAT UNIT with a parameter list (FmtData = 1, format code 001b); the Immed bit is in the
/// list's header, so the host polls TEST UNIT READY as libburn and growisofs do.
pub const FORMAT_UNIT: [u8; 6] = [
    0x04, // FORMAT UNIT
    0x11, // FmtData = 1, CmpList = 0, format code 001b
    0, 0, 0, 0,
];

/// CLOSE TRACK/SESSION without Immed, function 001b: close the incomplete track (FFh).
pub const CLOSE_TRACK: [u8; 10] = [
    0x5B, // CLOSE TRACK/SESSION
    0x00, // Immed = 0
    0x01, // close function 001b: close track
    0x00, 0x00, 0xFF, // logical track number FFh: the incomplete track
    0x00, 0x00, 0x00, 0x00,
];

/// CLOSE TRACK/SESSION without Immed, function 010b: close the session.
pub const CLOSE_SESSION: [u8; 10] = [
    0x5B, // CLOSE TRACK/SESSION
    0x00, // Immed = 0
    0x02, // close function 010b: close session
    0x00, 0x00, 0x00, // track number 0
    0x00, 0x00, 0x00, 0x00,
];

/// The close functions of CLOSE TRACK/SESSION (byte 2, bits 2-0; MMC-6 6.3), for [`close`].
pub mod close_function {
    pub const CLOSE_TRACK: u8 = 0b001;
    pub const CLOSE_SESSION: u8 = 0b010;
    pub const FINALIZE_MINIMAL_RADIUS: u8 = 0b101;
    pub const FINALIZE_DISC: u8 = 0b110;
}

/// CLOSE TRACK/SESSION without Immed of close `function` (see [`close_function`]) and
/// logical track `track`.
pub fn close(function: u8, track: u8) -> CdbBytes {
    close_track_session(function, track, false)
}

/// CLOSE TRACK/SESSION of close `function` and logical track `track`, with or without Immed.
pub fn close_track_session(function: u8, track: u8, immed: bool) -> CdbBytes {
    CloseTrackSession {
        immed,
        function: CloseFunction::from_u8(function),
        track_number: track.into(),
    }
    .encode()
}

/// An LBA as the 32-bit two's complement field of READ and WRITE (10) and (12).
#[track_caller]
fn lba32(lba: impl Into<i64>) -> i32 {
    let lba = lba.into();
    i32::try_from(lba).unwrap_or_else(|_| panic!("LBA {lba} does not fit a CDB"))
}

/// WRITE (10) of `blocks` blocks at `lba` (DPO, FUA and TSR clear).
pub fn write10(lba: impl Into<i64>, blocks: u16) -> CdbBytes {
    Write10 {
        lba: lba32(lba),
        blocks,
        ..Write10::default()
    }
    .encode()
}

/// READ (10) of `blocks` blocks at `lba` (DPO and FUA clear).
pub fn read10(lba: impl Into<i64>, blocks: u16) -> CdbBytes {
    Read10 {
        dpo: false,
        fua: false,
        lba: lba32(lba),
        blocks,
    }
    .encode()
}

/// WRITE (12) of `blocks` blocks at `lba`, with or without the Streaming bit.
pub fn write12(lba: impl Into<i64>, blocks: u32, streaming: bool) -> CdbBytes {
    Write12 {
        lba: lba32(lba),
        blocks,
        streaming,
        ..Write12::default()
    }
    .encode()
}

/// READ (12) of `blocks` blocks at `lba` (Streaming clear).
pub fn read12(lba: impl Into<i64>, blocks: u32) -> CdbBytes {
    Read12 {
        lba: lba32(lba),
        blocks,
        ..Read12::default()
    }
    .encode()
}

/// SYNCHRONIZE CACHE (10) of the whole cache, with or without Immed.
pub fn synchronize_cache(immed: bool) -> CdbBytes {
    SynchronizeCache {
        immed,
        ..SynchronizeCache::default()
    }
    .encode()
}

/// READ TRACK INFORMATION of track `n` (FFh: the invisible track), 48 bytes.
pub fn read_track_information(n: u8) -> CdbBytes {
    ReadTrackInformation {
        open: false,
        address_type: TrackAddressType::TrackNumber,
        address: n.into(),
        allocation_length: 48,
    }
    .encode()
}

/// READ TOC/PMA/ATIP of `format` (0 TOC, 1 session information, 2 full TOC, 4 ATIP) from
/// track or session `first`, in MSF or LBA form, 804 bytes.
pub fn read_toc(format: u8, msf: bool, first: u8) -> CdbBytes {
    ReadTocPmaAtip {
        msf,
        format: TocFormat::from_u8(format),
        track_session_number: first,
        allocation_length: 804,
    }
    .encode()
}

/// SET CD SPEED: CLV, the fastest read speed (FFFFh), and a write speed of `kbps` kB/s.
pub fn set_cd_speed(kbps: u16) -> CdbBytes {
    SetCdSpeed {
        rotational_control: CdRotationalControl::ClvOrNonPureCav,
        read_speed: 0xFFFF,
        write_speed: kbps,
    }
    .encode()
}

/// MODE SELECT (10) with PF = 1 of a parameter list of `list` bytes.
pub fn mode_select(list: &[u8]) -> CdbBytes {
    ModeSelect10 {
        page_format: true,
        save_pages: false,
        parameter_list_length: u16::try_from(list.len()).expect("a parameter list under 64 KiB"),
    }
    .encode()
}

/// RESERVE TRACK of `size` sectors (RMZ = 0, ARSV = 0: bytes 5-8 hold the size).
pub fn reserve_track(size: u32) -> [u8; 10] {
    let [s0, s1, s2, s3] = size.to_be_bytes();
    [
        0x53, // RESERVE TRACK
        0x00, // RMZ = 0, ARSV = 0
        0, 0, 0, //
        s0, s1, s2, s3, // reservation size
        0x00,
    ]
}

/// A READ FORMAT CAPACITIES descriptor (8 bytes): `blocks`, the byte holding the format type
/// (bits 7-2) or descriptor type (bits 1-0), and the 24-bit type dependent parameter.
pub fn capacity_descriptor(blocks: u32, type_byte: u8, type_dependent: u32) -> Vec<u8> {
    let mut v = blocks.to_be_bytes().to_vec();
    v.push(type_byte);
    v.extend_from_slice(&type_dependent.to_be_bytes()[1..]);
    v
}

/// A FORMAT UNIT parameter list as libburn and growisofs send it (FOV and Immed set) with
/// one descriptor: `blocks`, format type and sub-type, and the type dependent parameter.
pub fn format_list(blocks: u32, format_type: u8, subtype: u8, type_dependent: u32) -> [u8; 12] {
    FormatUnitParameters::immediate(FormatDescriptor {
        number_of_blocks: blocks,
        format_type: FormatType::from_u8(format_type),
        format_subtype: subtype,
        type_dependent,
    })
    .to_bytes()
}

/// The FORMAT UNIT parameter list libburn sends for a quick BD-RE format without spare
/// areas: format type 31h, the disc's 12,219,392 blocks, block length 800h.
pub const FORMAT_BD_RE_31H: [u8; 12] = [
    0x00, // reserved
    0x82, // FOV = 1, Immed = 1
    0x00,
    0x08, // format descriptor length 8
    0x00,
    0xBA,
    0x74,
    0x00,      // number of blocks: 12,219,392
    0x31 << 2, // format type 31h, sub-type 00b
    0x00,
    0x08,
    0x00, // type dependent parameter: block length 2048
];

/// The FORMAT UNIT parameter list of a DVD+RW basic format (26h) of the whole disc, FOV and
/// Immed set; `restart` resumes a stopped background format.
pub fn dvd_plus_rw_basic_format(restart: bool) -> [u8; 12] {
    FormatUnitParameters::immediate(FormatDescriptor::dvd_plus_rw_basic(restart)).to_bytes()
}

/// One data track of 300 blocks (MMC-6 6.33 cue sheet entries, as libburn composes them).
pub const ONE_TRACK_CUE_SHEET: [u8; 32] = [
    0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, // lead-in: data, TNO 0
    0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, // track 1 index 0 (pre-gap) at 00:00:00
    0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, // track 1 index 1 at 00:02:00 (LBA 0)
    0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x06, 0x00, // lead-out at 00:06:00 (LBA 300)
];

/// SEND CUE SHEET of [`ONE_TRACK_CUE_SHEET`].
pub const SEND_CUE_SHEET: [u8; 10] = [
    0x5D, // SEND CUE SHEET
    0, 0, 0, 0, 0, //
    0x00, 0x00, 0x20, // cue sheet size 32
    0x00,
];

/// Page 05h Write Type values (MMC-6 7.5.4).
pub const TAO: u8 = 0x01;
pub const SAO: u8 = 0x02;
/// Page 05h Multi-session values.
pub const FINALIZE: u8 = 0b00;
pub const NO_NEXT_SESSION: u8 = 0b01;
pub const NEXT_SESSION_ALLOWED: u8 = 0b11;

/// The MODE SELECT (10) parameter list for a CD data recording: the 8-byte mode parameter
/// header and the Write Parameters page (05h, MMC-6 7.5.4) with Track Mode 4 and Data Block
/// Type 8.
pub fn cd_write_parameters(write_type: u8, multi_session: u8, bufe: bool) -> Vec<u8> {
    let mut list = vec![
        0x00,
        0x00, // mode data length (reserved in MODE SELECT)
        0x00,
        0x00,
        0x00,
        0x00, //
        0x00,
        0x00,                               // block descriptor length 0
        0x05,                               // PS = 0, page code 05h
        0x32,                               // page length
        (u8::from(bufe) << 6) | write_type, // BUFE, LS_V = 0, Test Write = 0, Write Type
        (multi_session << 6) | 0x04,        // Multi-session, FP = 0, Copy = 0, Track Mode 4: data
        0x08,                               // Data Block Type 8: Mode 1, 2048 bytes
        0x00,                               // link size
        0x00,                               //
        0x00,                               // host application code
        0x00,                               // session format 00h: CD-DA or CD-ROM
        0x00,                               //
        0x00,
        0x00,
        0x00,
        0x00, // packet size
        0x00,
        0x96, // audio pause length 150
    ];
    // Media catalog number, ISRC and sub-header: zeros.
    list.resize(8 + 2 + 0x32, 0x00);
    list
}

/// Page 05h Write Type 00h: Packet/Incremental (MMC-6 7.5.4), what growisofs sets on DVD+R.
pub const INCREMENTAL: u8 = 0x00;

/// MODE SENSE (10) of page 05h, DBD set, current values, `alloc` bytes: what growisofs sends,
/// first with 12 bytes for the header, then with the length that header gives.
pub fn mode_sense_page_05h(alloc: u16) -> CdbBytes {
    let [a0, a1] = alloc.to_be_bytes();
    CdbBytes::from_slice(&[
        0x5A, // MODE SENSE (10)
        0x08, // DBD = 1
        0x05, // PC = 00b current values, page 05h
        0, 0, 0, 0, //
        a0, a1, // allocation length
        0x00,
    ])
}

/// The MODE SELECT (10) parameter list growisofs builds from the MODE SENSE data of page 05h
/// (`sensed`, header included) before writing DVD+R or DVD-R: the header zeroed, PS cleared,
/// BUFE set with `write_type` and no Test Write, no link size, Track Mode `track_mode` (the
/// track's, from READ TRACK INFORMATION byte 5), `multi_session`, variable packets, Data Block
/// Type 8, packet size 0, session format 0.
pub fn growisofs_write_parameters(
    sensed: &[u8],
    write_type: u8,
    multi_session: u8,
    track_mode: u8,
) -> Vec<u8> {
    let mut list = sensed.to_vec();
    list[..8].fill(0);
    let p = &mut list[8..];
    p[0] &= 0x7F;
    p[2] = 0x40 | (write_type & 0x1F);
    p[3] = (multi_session << 6) | (track_mode & 0x0F);
    p[4] = 0x08;
    p[5] = 0;
    p[8] = 0;
    p[10..14].fill(0);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use mmc_core::cdb::{
        Command, DiscInformationType, FormatUnit, Inquiry, PreventAllowMediumRemoval,
        ReadBufferCapacity, ReadCapacity, ReadDiscInformation, ReadFormatCapacities, RequestSense,
        StartStopUnit, TestUnitReady,
    };

    fn track_ff() -> ReadTrackInformation {
        ReadTrackInformation {
            open: false,
            address_type: TrackAddressType::TrackNumber,
            address: 0xFF,
            allocation_length: 48,
        }
    }

    fn start_stop(start: bool) -> StartStopUnit {
        StartStopUnit {
            load_eject: true,
            start,
            ..StartStopUnit::default()
        }
    }

    fn closing(function: CloseFunction, track_number: u16) -> CloseTrackSession {
        CloseTrackSession {
            immed: false,
            function,
            track_number,
        }
    }

    #[test]
    fn the_fixed_cdbs_are_the_commands_they_are_named_after() {
        let cases: [(&[u8], Command); 17] = [
            (&TEST_UNIT_READY, TestUnitReady.into()),
            (
                &INQUIRY,
                Inquiry {
                    vpd_page: None,
                    allocation_length: 36,
                }
                .into(),
            ),
            (
                &REQUEST_SENSE,
                RequestSense {
                    descriptor_format: false,
                    allocation_length: 18,
                }
                .into(),
            ),
            (&READ_CAPACITY, ReadCapacity::default().into()),
            (
                &READ_DISC_INFORMATION,
                ReadDiscInformation {
                    data_type: DiscInformationType::Standard,
                    allocation_length: 34,
                }
                .into(),
            ),
            (
                &READ_FORMAT_CAPACITIES,
                ReadFormatCapacities {
                    allocation_length: 252,
                }
                .into(),
            ),
            (&READ_TRACK_INFORMATION_FF, track_ff().into()),
            (&SYNCHRONIZE_CACHE, SynchronizeCache::default().into()),
            (
                &SYNCHRONIZE_CACHE_IMMED,
                SynchronizeCache {
                    immed: true,
                    ..SynchronizeCache::default()
                }
                .into(),
            ),
            (
                &READ_BUFFER_CAPACITY,
                ReadBufferCapacity {
                    block: false,
                    allocation_length: 12,
                }
                .into(),
            ),
            (
                &FORMAT_UNIT,
                FormatUnit {
                    fmt_data: true,
                    cmp_list: false,
                    format_code: 1,
                }
                .into(),
            ),
            (&EJECT, start_stop(false).into()),
            (&LOAD, start_stop(true).into()),
            (
                &PREVENT,
                PreventAllowMediumRemoval {
                    persistent: false,
                    prevent: true,
                }
                .into(),
            ),
            (&ALLOW, PreventAllowMediumRemoval::default().into()),
            (
                &CLOSE_TRACK,
                closing(CloseFunction::CloseTrack, 0xFF).into(),
            ),
            (
                &CLOSE_SESSION,
                closing(CloseFunction::CloseSession, 0).into(),
            ),
        ];
        for (bytes, command) in cases {
            assert_eq!(Command::decode(bytes), Ok(command), "{bytes:02X?}");
            assert_eq!(command.encode().as_slice(), bytes, "{command:?}");
        }
    }

    #[test]
    fn the_builders_give_the_annotated_bytes() {
        assert_eq!(
            read_track_information(0xFF).as_slice(),
            READ_TRACK_INFORMATION_FF
        );
        assert_eq!(synchronize_cache(false).as_slice(), SYNCHRONIZE_CACHE);
        assert_eq!(synchronize_cache(true).as_slice(), SYNCHRONIZE_CACHE_IMMED);
        assert_eq!(
            close(close_function::CLOSE_TRACK, 0xFF).as_slice(),
            CLOSE_TRACK
        );
        assert_eq!(
            close(close_function::CLOSE_SESSION, 0).as_slice(),
            CLOSE_SESSION
        );
        assert_eq!(
            write10(0x0102_0304, 0x0506).as_slice(),
            [0x2A, 0, 1, 2, 3, 4, 0, 5, 6, 0]
        );
        assert_eq!(
            read10(-150, 32).as_slice(),
            [0x28, 0, 0xFF, 0xFF, 0xFF, 0x6A, 0, 0, 32, 0]
        );
        assert_eq!(
            write12(16, 32, true).as_slice(),
            [0xAA, 0, 0, 0, 0, 16, 0, 0, 0, 32, 0x80, 0]
        );
        assert_eq!(
            read12(16, 32).as_slice(),
            [0xA8, 0, 0, 0, 0, 16, 0, 0, 0, 32, 0, 0]
        );
        assert_eq!(
            mode_select(&cd_write_parameters(TAO, FINALIZE, true)).as_slice(),
            [0x55, 0x10, 0, 0, 0, 0, 0, 0, 0x3C, 0]
        );
        assert_eq!(format_list(12_219_392, 0x31, 0, 0x800), FORMAT_BD_RE_31H);
        assert_eq!(
            read_toc(2, true, 1).as_slice(),
            [0x43, 0x02, 2, 0, 0, 0, 1, 0x03, 0x24, 0]
        );
        assert_eq!(
            set_cd_speed(1764).as_slice(),
            [0xBB, 0, 0xFF, 0xFF, 0x06, 0xE4, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            dvd_plus_rw_basic_format(true),
            [0, 0x82, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0x26 << 2, 0, 0, 1]
        );
    }
}
