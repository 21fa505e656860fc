//! The Write Parameters mode page, 05h (MMC-6 7.5): how the next WRITE records on CD and
//! DVD-R (write type, multi-session, track mode, data block type...). Not used for DVD+R/+RW,
//! DVD-RAM or BD.

use serde::{Deserialize, Serialize};

use super::mode::ModePageData;
use crate::response::disc_info::DiscType;
use crate::wire::{bit, bits, flag, put_bits, wire_enum};
use crate::wire::{ParseError, Reader, Writer};

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

/// The Write Parameters page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteParameters {
    /// PS: the page can be saved.
    pub ps: bool,
    /// BUFE: buffer under-run free recording enabled.
    pub bufe: bool,
    /// LS_V: the link size field is valid.
    pub link_size_valid: bool,
    /// Test Write: simulate (the laser stays at read power).
    pub test_write: bool,
    pub write_type: WriteType,
    pub multi_session: MultiSession,
    /// FP: fixed packets.
    pub fixed_packet: bool,
    pub copy: bool,
    /// Byte 3 bits 3-0: the CONTROL nibble of the track (4 data, 0 audio; 5 for DVD-R
    /// incremental).
    pub track_mode: u8,
    pub data_block_type: DataBlockType,
    /// Byte 5.
    pub link_size: u8,
    /// Byte 7 bits 5-0.
    pub host_application_code: u8,
    /// Byte 8.
    pub session_format: DiscType,
    /// Bytes 10-13 (16 for DVD-R incremental).
    pub packet_size: u32,
    /// Bytes 14-15 (150 frames by default).
    pub audio_pause_length: u16,
    /// Bytes 16-31: MCVAL (byte 16 bit 7) and the Media Catalog Number digits.
    pub media_catalog_number: [u8; 16],
    /// Bytes 32-47: TCVAL (byte 32 bit 7) and the ISRC.
    pub isrc: [u8; 16],
    /// Bytes 48-51: Mode 2 sub-header bytes 0-3.
    pub subheader: [u8; 4],
    /// Bytes 52-55, present when the page length is 36h.
    pub vendor_specific: Option<[u8; 4]>,
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
        let mut r = Reader::new(data, what);
        let b2 = r.u8("write type")?;
        let b3 = r.u8("track mode")?;
        let b4 = r.u8("data block type")?;
        let link_size = r.u8("link size")?;
        r.skip(1, "reserved")?;
        let b7 = r.u8("host application code")?;
        let session_format = DiscType::from_u8(r.u8("session format")?);
        r.skip(1, "reserved")?;
        let packet_size = r.u32("packet size")?;
        let audio_pause_length = r.u16("audio pause length")?;
        let media_catalog_number = r.array("media catalog number")?;
        let isrc = r.array("ISRC")?;
        let subheader = r.array("subheader")?;
        let vendor_specific = if data.len() >= WRITE_PARAMETERS_PAGE_LEN_VENDOR as usize {
            Some(r.array("vendor specific")?)
        } else {
            None
        };
        Ok(WriteParameters {
            ps,
            bufe: bit(b2, 6),
            link_size_valid: bit(b2, 5),
            test_write: bit(b2, 4),
            write_type: WriteType::from_u8(bits(b2, 0, 4)),
            multi_session: MultiSession::from_u8(bits(b3, 6, 2)),
            fixed_packet: bit(b3, 5),
            copy: bit(b3, 4),
            track_mode: bits(b3, 0, 4),
            data_block_type: DataBlockType::from_u8(bits(b4, 0, 4)),
            link_size,
            host_application_code: bits(b7, 0, 6),
            session_format,
            packet_size,
            audio_pause_length,
            media_catalog_number,
            isrc,
            subheader,
            vendor_specific,
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
        w.u8(flag(self.bufe, 6)
            | flag(self.link_size_valid, 5)
            | flag(self.test_write, 4)
            | put_bits(self.write_type.to_u8(), 0, 4));
        w.u8(put_bits(self.multi_session.to_u8(), 6, 2)
            | flag(self.fixed_packet, 5)
            | flag(self.copy, 4)
            | put_bits(self.track_mode, 0, 4));
        w.u8(put_bits(self.data_block_type.to_u8(), 0, 4));
        w.u8(self.link_size).u8(0);
        w.u8(put_bits(self.host_application_code, 0, 6));
        w.u8(self.session_format.to_u8()).u8(0);
        w.u32(self.packet_size);
        w.u16(self.audio_pause_length);
        w.put(&self.media_catalog_number);
        w.put(&self.isrc);
        w.put(&self.subheader);
        if let Some(v) = &self.vendor_specific {
            w.put(v);
        }
    }
}
