//! READ DISC INFORMATION, standard disc information (data type 000b; MMC-6 6.22.3.1).

use serde::{Deserialize, Serialize};

use super::msf::Msf;
use super::{bits, fixed, frame_be16, len_u16, whole_entries, wire_enum, ResponseFormat};
use crate::layout::{fixed_layout, or_byte, BeField};
use crate::wire::{byte_at, ParseError, Writer};

wire_enum! {
    /// Disc Status (byte 2 bits 1-0).
    pub enum DiscStatus: u8 as from_u8 / to_u8 {
        /// 00b: blank (never recorded, or erased).
        Empty = 0 => "empty",
        /// 01b: appendable.
        Incomplete = 1 => "incomplete",
        /// 10b: finalized, nothing more can be recorded.
        Complete = 2 => "complete",
        /// 11b: random-access media (DVD-RAM and other overwritable media on some drives).
        Others = 3 => "others",
    }
}

wire_enum! {
    /// State of Last Session (byte 2 bits 3-2).
    pub enum LastSessionState: u8 as from_u8 / to_u8 {
        Empty = 0 => "empty",
        Incomplete = 1 => "incomplete",
        /// 10b: reserved (or damaged).
        Damaged = 2 => "reserved/damaged",
        Complete = 3 => "complete",
    }
}

wire_enum! {
    /// BG Format Status (byte 7 bits 1-0): background formatting of DVD+RW / BD-RE.
    pub enum BgFormatStatus: u8 as from_u8 / to_u8 {
        /// The medium is not formatted (or is not background-formattable).
        NotFormatted = 0 => "not formatted",
        /// Formatting was started and stopped before completion.
        Partial = 1 => "started, not completed",
        InProgress = 2 => "in progress",
        Complete = 3 => "complete",
    }
}

wire_enum! {
    /// Disc Type (byte 8), also the Session Format of the Write Parameters page.
    pub enum DiscType: u8 as from_u8 / to_u8 {
        CdDaOrCdRom = 0x00 => "CD-DA or CD-ROM",
        CdI = 0x10 => "CD-I",
        CdRomXa = 0x20 => "CD-ROM XA",
        Undefined = 0xFF => "undefined",
    }
}

/// One OPC table entry (8 bytes): the optimum power calibration values for a speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpcTableEntry {
    /// Speed in kB/s.
    pub speed: u16,
    pub opc_values: [u8; 6],
}

/// Size of the fixed part of standard disc information.
pub const DISC_INFORMATION_LEN: usize = 34;
const OPC_ENTRY_LEN: usize = 8;

fixed_layout! {
    /// Standard disc information.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DiscInformation {
        /// Byte 2 bit 4: the medium is erasable (CD-RW, DVD-RW...).
        pub erasable: bool = flag(2, 4),
        /// Byte 2 bits 3-2.
        pub last_session_state: LastSessionState = code(2, 2, 2),
        /// Byte 2 bits 1-0.
        pub disc_status: DiscStatus = code(2, 0, 2),
        /// Byte 3: number of the first track on the disc.
        pub first_track: u8 = be(3),
        /// Bytes 4 (LSB) and 9 (MSB).
        pub sessions: u16 = split16(4, 9),
        /// Bytes 5 and 10: first track number in the last session.
        pub first_track_in_last_session: u16 = split16(5, 10),
        /// Bytes 6 and 11: last track number in the last session (the invisible track on an
        /// appendable disc).
        pub last_track_in_last_session: u16 = split16(6, 11),
        /// DID_V: the disc identification is valid.
        pub disc_id_valid: bool = flag(7, 7),
        /// DBC_V: the disc bar code is valid.
        pub disc_bar_code_valid: bool = flag(7, 6),
        /// URU: unrestricted use.
        pub unrestricted_use: bool = flag(7, 5),
        /// DAC_V: the disc application code is valid.
        pub disc_application_code_valid: bool = flag(7, 4),
        /// Dbit: the MRW/DVD+RW dirty bit.
        pub dirty: bool = flag(7, 2),
        /// Byte 7 bits 1-0.
        pub bg_format_status: BgFormatStatus = code(7, 0, 2),
        /// Byte 8.
        pub disc_type: DiscType = code(8, 0, 8),
        /// Bytes 12-15.
        pub disc_identification: u32 = be(12),
        /// Bytes 16-19: start of the last session's lead-in; on CD `00 M S F` (see
        /// [`DiscInformation::last_session_lead_in_msf`]); FFFFFFFFh when none.
        pub last_session_lead_in_start: u32 = be(16),
        /// Bytes 20-23: last possible start of the lead-out (the capacity limit); on CD
        /// `00 M S F`.
        pub last_possible_lead_out_start: u32 = be(20),
        /// Bytes 24-31.
        pub disc_bar_code: u64 = be(24),
        /// Byte 32.
        pub disc_application_code: u8 = be(32),
        /// The OPC table entries received (byte 33 is their number when emitted).
        pub opc_tables: Vec<OpcTableEntry>,
        /// Bytes announced (by the length field or the OPC count) that did not arrive.
        pub cut_bytes: usize,
    }
}

impl DiscInformation {
    /// The lead-in start of the last session as MSF (CD media).
    pub const fn last_session_lead_in_msf(&self) -> Msf {
        Msf::from_address_field(self.last_session_lead_in_start)
    }

    /// The last possible lead-out start as MSF (CD media).
    pub const fn last_possible_lead_out_msf(&self) -> Msf {
        Msf::from_address_field(self.last_possible_lead_out_start)
    }

    /// A blank disc as drives report it: one empty session whose (invisible) track 1 is the
    /// first and last track; the lead-in and lead-out fields still to be filled in.
    pub fn blank(erasable: bool) -> Self {
        DiscInformation {
            erasable,
            last_session_state: LastSessionState::Empty,
            disc_status: DiscStatus::Empty,
            first_track: 1,
            sessions: 1,
            first_track_in_last_session: 1,
            last_track_in_last_session: 1,
            disc_id_valid: false,
            disc_bar_code_valid: false,
            unrestricted_use: true,
            disc_application_code_valid: false,
            dirty: false,
            bg_format_status: BgFormatStatus::NotFormatted,
            disc_type: DiscType::CdDaOrCdRom,
            disc_identification: 0,
            last_session_lead_in_start: 0xFFFF_FFFF,
            last_possible_lead_out_start: 0xFFFF_FFFF,
            disc_bar_code: 0,
            disc_application_code: 0,
            opc_tables: Vec::new(),
            cut_bytes: 0,
        }
    }
}

impl ResponseFormat for DiscInformation {
    const NAME: &'static str = "READ DISC INFORMATION data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let (f, len) = frame_be16(bytes, what, "disc information length", DISC_INFORMATION_LEN)?;
        whole_entries(
            what,
            "disc information length",
            len,
            len + 2 - DISC_INFORMATION_LEN,
            OPC_ENTRY_LEN,
        )?;
        let b: [u8; DISC_INFORMATION_LEN] = fixed(f.bytes, what, "number of OPC tables")?;
        let opc_count = byte_at(&b, 33);
        // MMC-6 6.22.3.1: data type 000b is standard disc information; other types
        // (track resources, POW resources) have different layouts.
        let data_type = bits(byte_at(&b, 2), 5, 3);
        if data_type != 0 {
            return Err(ParseError::InvalidValue {
                what,
                field: "disc information data type",
                value: data_type.into(),
            });
        }
        // The OPC entries the count announces, bounded by what the length field and the
        // transfer hold.
        let opc_bytes = f.bytes.get(DISC_INFORMATION_LEN..).unwrap_or(&[]);
        let opc_tables: Vec<OpcTableEntry> = opc_bytes
            .chunks_exact(OPC_ENTRY_LEN)
            .take(opc_count as usize)
            .map(|c| {
                let mut e = [0u8; OPC_ENTRY_LEN];
                e.copy_from_slice(c);
                let [s0, s1, v0, v1, v2, v3, v4, v5] = e;
                OpcTableEntry {
                    speed: u16::from_be_bytes([s0, s1]),
                    opc_values: [v0, v1, v2, v3, v4, v5],
                }
            })
            .collect();
        let announced = DISC_INFORMATION_LEN + OPC_ENTRY_LEN * opc_count as usize;
        let cut_by_count =
            announced.saturating_sub(DISC_INFORMATION_LEN + OPC_ENTRY_LEN * opc_tables.len());
        Ok(DiscInformation {
            opc_tables,
            cut_bytes: f.cut.max(cut_by_count),
            ..DiscInformation::read_fields(&b)
        })
    }

    fn buffer_len(&self) -> usize {
        DISC_INFORMATION_LEN + OPC_ENTRY_LEN * self.opc_tables.len().min(255)
    }

    fn write(&self, w: &mut Writer<'_>) {
        let mut fixed = [0u8; DISC_INFORMATION_LEN];
        BeField::write(len_u16(self.buffer_len() - 2), &mut fixed, 0);
        self.write_fields(&mut fixed);
        let n = self.opc_tables.len().min(255);
        or_byte(&mut fixed, 33, n as u8);
        w.put(&fixed);
        for e in self.opc_tables.iter().take(n) {
            w.u16(e.speed).put(&e.opc_values);
        }
    }
}
