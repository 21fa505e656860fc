//! The Write Parameters mode page, 05h (MMC-6 7.5): how the next WRITE records on CD and
//! DVD-R (write type, multi-session, track mode, data block type...). Not used for DVD+R/+RW,
//! DVD-RAM or BD.

use serde::{Deserialize, Serialize};

use super::mode::ModePageData;
use crate::layout::{fixed_layout, BeField};
use crate::response::disc_info::DiscType;
use crate::wire::{bit, wire_enum, ParseError, Writer};

wire_enum! {
    /// Write Type (byte 2 bits 3-0).
    pub enum WriteType: u8 as from_u8 / to_u8 {
        /// Packet/Incremental.
        Packet = 0 => "Packet/Incremental",
        TrackAtOnce = 1 => "Track At Once",
        /// Session At Once (DAO on DVD-R).
        SessionAtOnce = 2 => "Session At Once",
        Raw = 3 => "Raw",
        LayerJump = 4 => "Layer Jump",
    }
}

wire_enum! {
    /// Multi-session (byte 3 bits 7-6): what closing the session leaves behind.
    pub enum MultiSession: u8 as from_u8 / to_u8 {
        /// 00b: no B0 pointer; no next session (the disc is finalized).
        NoNextSession = 0 => "no next session",
        /// 01b: B0 pointer FF:FF:FF; no next session.
        NoNextSessionB0 = 1 => "no next session (B0 = FF:FF:FF)",
        /// 11b: next session allowed; B0 points to the next program area.
        NextSessionAllowed = 3 => "next session allowed",
    }
}

wire_enum! {
    /// Data Block Type (byte 4 bits 3-0, MMC-6 table 649).
    pub enum DataBlockType: u8 as from_u8 / to_u8 {
        /// 2352 bytes of raw data.
        Raw2352 = 0 => "raw 2352",
        RawPq = 1 => "raw 2352 + P-Q sub-channel",
        RawPwPacked = 2 => "raw 2352 + P-W packed",
        RawPwRaw = 3 => "raw 2352 + P-W raw",
        /// Mode 1, 2048 bytes of user data.
        Mode1 = 8 => "Mode 1 (2048)",
        /// Mode 2, 2336 bytes.
        Mode2 = 9 => "Mode 2 (2336)",
        /// Mode 2 Form 1 (CD-ROM XA), 2048 bytes.
        Mode2Form1 = 10 => "Mode 2 Form 1 (2048)",
        Mode2Form1Subheader = 11 => "Mode 2 Form 1 with subheader (2056)",
        Mode2Form2 = 12 => "Mode 2 Form 2 (2324)",
        Mode2Mixed = 13 => "Mode 2 mixed form (2332)",
    }
}

/// Page length of the MMC-3 layout (bytes 2-51).
pub const WRITE_PARAMETERS_PAGE_LEN: u8 = 0x32;
/// Page length with the 4 vendor-specific bytes 52-55.
pub const WRITE_PARAMETERS_PAGE_LEN_VENDOR: u8 = 0x36;

fixed_layout! {
    /// The Write Parameters page. Byte numbers are the page's (its data starts at byte 2).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct WriteParameters, base 2 {
        /// PS: the page can be saved (byte 0 bit 7, in the page header).
        pub ps: bool,
        /// BUFE: buffer under-run free recording enabled.
        pub bufe: bool = flag(2, 6),
        /// LS_V: the link size field is valid.
        pub link_size_valid: bool = flag(2, 5),
        /// Test Write: simulate (the laser stays at read power).
        pub test_write: bool = flag(2, 4),
        /// Byte 2 bits 3-0.
        pub write_type: WriteType = code(2, 0, 4),
        /// Byte 3 bits 7-6.
        pub multi_session: MultiSession = code(3, 6, 2),
        /// FP: fixed packets.
        pub fixed_packet: bool = flag(3, 5),
        pub copy: bool = flag(3, 4),
        /// Byte 3 bits 3-0: the CONTROL nibble of the track (4 data, 0 audio; 5 for DVD-R
        /// incremental).
        pub track_mode: u8 = uint(3, 0, 4),
        /// Byte 4 bits 3-0.
        pub data_block_type: DataBlockType = code(4, 0, 4),
        /// Byte 5.
        pub link_size: u8 = be(5),
        /// Byte 7 bits 5-0.
        pub host_application_code: u8 = uint(7, 0, 6),
        /// Byte 8.
        pub session_format: DiscType = code(8, 0, 8),
        /// Bytes 10-13 (16 for DVD-R incremental).
        pub packet_size: u32 = be(10),
        /// Bytes 14-15 (150 frames by default).
        pub audio_pause_length: u16 = be(14),
        /// Bytes 16-31: MCVAL (byte 16 bit 7) and the Media Catalog Number digits.
        pub media_catalog_number: [u8; 16] = be(16),
        /// Bytes 32-47: TCVAL (byte 32 bit 7) and the ISRC.
        pub isrc: [u8; 16] = be(32),
        /// Bytes 48-51: Mode 2 sub-header bytes 0-3.
        pub subheader: [u8; 4] = be(48),
        /// Bytes 52-55, present when the page length is 36h.
        pub vendor_specific: Option<[u8; 4]>,
    }
}

impl WriteParameters {
    /// CD data written Track At Once in Mode 1 (what IMAPI2 and libburn use for data CDs),
    /// with buffer under-run protection and the given multi-session setting.
    pub fn cd_tao_mode1(multi_session: MultiSession) -> Self {
        WriteParameters {
            ps: false,
            bufe: true,
            link_size_valid: false,
            test_write: false,
            write_type: WriteType::TrackAtOnce,
            multi_session,
            fixed_packet: false,
            copy: false,
            track_mode: 4,
            data_block_type: DataBlockType::Mode1,
            link_size: 0,
            host_application_code: 0,
            session_format: DiscType::CdDaOrCdRom,
            packet_size: 0,
            audio_pause_length: 150,
            media_catalog_number: [0; 16],
            isrc: [0; 16],
            subheader: [0; 4],
            vendor_specific: None,
        }
    }

    /// MCVAL: the media catalog number is valid.
    pub fn mcn_valid(&self) -> bool {
        let [mcval, ..] = self.media_catalog_number;
        bit(mcval, 7)
    }

    /// TCVAL: the ISRC is valid.
    pub fn isrc_valid(&self) -> bool {
        let [tcval, ..] = self.isrc;
        bit(tcval, 7)
    }
}

impl ModePageData for WriteParameters {
    const PAGE_CODE: u8 = 0x05;

    fn parse_data(ps: bool, data: &[u8]) -> Result<Self, ParseError> {
        let what = "Write Parameters mode page";
        if data.len() < WRITE_PARAMETERS_PAGE_LEN as usize {
            return Err(ParseError::BadLength {
                what,
                field: "page length",
                value: data.len(),
            });
        }
        let page_len = usize::from(WRITE_PARAMETERS_PAGE_LEN);
        let vendor_specific = data
            .get(page_len..usize::from(WRITE_PARAMETERS_PAGE_LEN_VENDOR))
            .map(|v| BeField::read(v, 0));
        Ok(WriteParameters {
            ps,
            vendor_specific,
            ..Self::read_fields(data)
        })
    }

    fn ps(&self) -> bool {
        self.ps
    }

    fn data_len(&self) -> usize {
        if self.vendor_specific.is_some() {
            WRITE_PARAMETERS_PAGE_LEN_VENDOR as usize
        } else {
            WRITE_PARAMETERS_PAGE_LEN as usize
        }
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        let mut data = [0u8; WRITE_PARAMETERS_PAGE_LEN as usize];
        self.write_fields(&mut data);
        w.put(&data);
        if let Some(v) = &self.vendor_specific {
            w.put(v);
        }
    }
}
