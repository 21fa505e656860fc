//! Tracks and sessions on write-once and CD-RW/DVD-RW media: RESERVE TRACK, CLOSE
//! TRACK/SESSION (MMC-5 6.3), SEND OPC INFORMATION, SEND CUE SHEET and BLANK.

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::opcode::Opcode;
use super::repr::{cdb_repr, check, reserved_if_set, Transfer};
use crate::wire::{bit, flag, wire_enum, CdbBytes};

/// How RESERVE TRACK sizes the reservation, chosen by the ARSV bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reservation {
    /// ARSV = 0: bytes 5-8 hold the size in blocks (bytes 2-4 reserved).
    Size(u32),
    /// ARSV = 1: bytes 2-5 hold the first LBA after the reservation (bytes 6-8 reserved).
    Lba(i32),
}

impl Default for Reservation {
    fn default() -> Self {
        Reservation::Size(0)
    }
}

/// RESERVE TRACK (53h): reserve space for a track (DVD-R DAO, DVD+R, BD-R; sizes are
/// rounded up to the medium's ECC block). Not used for CD TAO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ReserveTrack {
    /// Byte 1 bit 1 RMZ: reserve an RMZ (HD DVD-R).
    pub rmz: bool,
    /// Byte 1 bit 0 ARSV and bytes 2-8.
    pub reservation: Reservation,
}

const RESERVE_TRACK_USAGE: [u8; 10] = [0xFF, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00];

impl ReserveTrack {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let op = Opcode::ReserveTrack;
        let [_, b1, b2, b3, b4, b5, b6, b7, b8, _] = check(cdb, op, &RESERVE_TRACK_USAGE)?;
        let reservation = if bit(b1, 0) {
            reserved_if_set(op, 6, b6)?;
            reserved_if_set(op, 7, b7)?;
            reserved_if_set(op, 8, b8)?;
            Reservation::Lba(i32::from_be_bytes([b2, b3, b4, b5]))
        } else {
            reserved_if_set(op, 2, b2)?;
            reserved_if_set(op, 3, b3)?;
            reserved_if_set(op, 4, b4)?;
            Reservation::Size(u32::from_be_bytes([b5, b6, b7, b8]))
        };
        Ok(ReserveTrack {
            rmz: bit(b1, 1),
            reservation,
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let rmz = flag(self.rmz, 1);
        match self.reservation {
            Reservation::Size(blocks) => {
                let [s0, s1, s2, s3] = blocks.to_be_bytes();
                CdbBytes::from_slice(&[0x53, rmz, 0, 0, 0, s0, s1, s2, s3, 0])
            }
            Reservation::Lba(lba) => {
                let [a0, a1, a2, a3] = lba.to_be_bytes();
                CdbBytes::from_slice(&[0x53, rmz | 0x01, a0, a1, a2, a3, 0, 0, 0, 0])
            }
        }
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(ReserveTrack, Opcode::ReserveTrack, RESERVE_TRACK_USAGE);

wire_enum! {
    /// CLOSE TRACK/SESSION close function (byte 2 bits 2-0). What 010b does depends on the
    /// medium: on CD the write parameters page's multi-session field decides whether the
    /// disc is finalized; on DVD+RW it stops background formatting compatibly.
    #[serde(rename_all = "snake_case")]
    pub enum CloseFunction: u8 as from_u8 / to_u8 {
        /// 000b: DVD+RW quick stop of background formatting.
        QuickStopBackgroundFormat = 0b000 => "Quick Stop of Background Format",
        /// 001b: close the logical track (CD TAO track, DVD+R fragment, BD-R track).
        CloseTrack = 0b001 => "Close Logical Track",
        /// 010b: close the session (or stop DVD+RW background formatting compatibly).
        CloseSession = 0b010 => "Close Session",
        /// 101b: DVD+R: close the session and finalize with minimal radius.
        FinalizeMinimalRadius = 0b101 => "Close Session and Finalize with Minimal Radius",
        /// 110b: finalize the disc (BD-R, DVD+R DL).
        FinalizeDisc = 0b110 => "Finalize the Disc",
    }
}

/// CLOSE TRACK/SESSION (5Bh). libburn closes a session with `5B 01 02 00 00 00 00 00 00 00`
/// (Immed, function 010b) and then polls TEST UNIT READY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CloseTrackSession {
    /// Byte 1 bit 0.
    pub immed: bool,
    /// Byte 2 bits 2-0.
    pub function: CloseFunction,
    /// Bytes 4-5: the logical track to close (FFh: the incomplete track); 0 for sessions.
    pub track_number: u16,
}

const CLOSE_TRACK_SESSION_USAGE: [u8; 10] = [0xFF, 0x01, 0x07, 0, 0xFF, 0xFF, 0, 0, 0, 0x00];

impl CloseTrackSession {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, b2, _, t0, t1, _, _, _, _] =
            check(cdb, Opcode::CloseTrackSession, &CLOSE_TRACK_SESSION_USAGE)?;
        Ok(CloseTrackSession {
            immed: bit(b1, 0),
            function: CloseFunction::from_u8(b2 & 0x07),
            track_number: u16::from_be_bytes([t0, t1]),
        })
    }

    /// Bits of an `Unknown` function beyond its 3-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [t0, t1] = self.track_number.to_be_bytes();
        CdbBytes::from_slice(&[
            0x5B,
            flag(self.immed, 0),
            self.function.to_u8() & 0x07,
            0,
            t0,
            t1,
            0,
            0,
            0,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(
    CloseTrackSession,
    Opcode::CloseTrackSession,
    CLOSE_TRACK_SESSION_USAGE
);

/// SEND OPC INFORMATION (54h): run optimum power calibration now (DoOpc), or send OPC
/// values in a parameter list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SendOpcInformation {
    /// Byte 1 bit 0 DoOpc: perform OPC for the current speed.
    pub do_opc: bool,
    /// Byte 2 bit 0 Exclude0: do not use the OPC table's layer 0 entries (MMC-5).
    pub exclude0: bool,
    /// Byte 2 bit 1 Exclude1: same for layer 1.
    pub exclude1: bool,
    /// Bytes 7-8: bytes of OPC table entries sent (0 with DoOpc).
    pub parameter_list_length: u16,
}

const SEND_OPC_USAGE: [u8; 10] = [0xFF, 0x01, 0x03, 0, 0, 0, 0, 0xFF, 0xFF, 0x00];

impl SendOpcInformation {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, b2, _, _, _, _, l0, l1, _] =
            check(cdb, Opcode::SendOpcInformation, &SEND_OPC_USAGE)?;
        Ok(SendOpcInformation {
            do_opc: bit(b1, 0),
            exclude0: bit(b2, 0),
            exclude1: bit(b2, 1),
            parameter_list_length: u16::from_be_bytes([l0, l1]),
        })
    }

    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [l0, l1] = self.parameter_list_length.to_be_bytes();
        CdbBytes::from_slice(&[
            0x54,
            flag(self.do_opc, 0),
            flag(self.exclude1, 1) | flag(self.exclude0, 0),
            0,
            0,
            0,
            0,
            l0,
            l1,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_out(u32::from(self.parameter_list_length))
    }
}
cdb_repr!(
    SendOpcInformation,
    Opcode::SendOpcInformation,
    SEND_OPC_USAGE
);

/// SEND CUE SHEET (5Dh): the layout of a whole CD session for SAO writing, 8 bytes per
/// cue sheet entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SendCueSheet {
    /// Bytes 6-8, 24 bits: bytes of cue sheet sent.
    pub cue_sheet_size: u32,
}

const SEND_CUE_SHEET_USAGE: [u8; 10] = [0xFF, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x00];

impl SendCueSheet {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, _, _, _, _, _, s0, s1, s2, _] =
            check(cdb, Opcode::SendCueSheet, &SEND_CUE_SHEET_USAGE)?;
        Ok(SendCueSheet {
            cue_sheet_size: u32::from_be_bytes([0, s0, s1, s2]),
        })
    }

    /// Bits of `cue_sheet_size` above its 24-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [_, s0, s1, s2] = self.cue_sheet_size.to_be_bytes();
        CdbBytes::from_slice(&[0x5D, 0, 0, 0, 0, 0, s0, s1, s2, 0])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::data_out(self.cue_sheet_size & 0x00FF_FFFF)
    }
}
cdb_repr!(SendCueSheet, Opcode::SendCueSheet, SEND_CUE_SHEET_USAGE);

wire_enum! {
    /// BLANK blanking type (byte 1 bits 2-0), for CD-RW and DVD-RW.
    #[serde(rename_all = "snake_case")]
    pub enum BlankingType: u8 as from_u8 / to_u8 {
        /// 000b: blank the whole disc.
        FullDisc = 0b000 => "Blank the disc",
        /// 001b: minimal blank (PMA, TOC and the first track's pre-gap).
        Minimal = 0b001 => "Minimally blank the disc",
        /// 010b: blank the track named by the start address.
        Track = 0b010 => "Blank a track",
        /// 011b: unreserve the last (reserved or incomplete) track.
        UnreserveTrack = 0b011 => "Un-reserve a track",
        /// 100b: blank the tail of the track from the start address.
        TrackTail = 0b100 => "Blank a track tail",
        /// 101b: unclose the last complete session.
        UncloseLastSession = 0b101 => "Unclose the last session",
        /// 110b: blank the last session.
        Session = 0b110 => "Blank the last session",
    }
}

/// BLANK (A1h): erase all or part of a CD-RW or DVD-RW. With Immed the drive answers at
/// once and reports progress through TEST UNIT READY / REQUEST SENSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Blank {
    /// Byte 1 bit 4.
    pub immed: bool,
    /// Byte 1 bits 2-0.
    pub blanking_type: BlankingType,
    /// Bytes 2-5: start address (track tail) or track number (track), else 0.
    pub start_address: u32,
}

const BLANK_USAGE: [u8; 12] = [0xFF, 0x17, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0x00];

impl Blank {
    #[inline]
    pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
        let [_, b1, a0, a1, a2, a3, _, _, _, _, _, _] = check(cdb, Opcode::Blank, &BLANK_USAGE)?;
        Ok(Blank {
            immed: bit(b1, 4),
            blanking_type: BlankingType::from_u8(b1 & 0x07),
            start_address: u32::from_be_bytes([a0, a1, a2, a3]),
        })
    }

    /// Bits of an `Unknown` blanking type beyond its 3-bit field are dropped.
    #[inline]
    pub fn encode(&self) -> CdbBytes {
        let [a0, a1, a2, a3] = self.start_address.to_be_bytes();
        CdbBytes::from_slice(&[
            0xA1,
            flag(self.immed, 4) | (self.blanking_type.to_u8() & 0x07),
            a0,
            a1,
            a2,
            a3,
            0,
            0,
            0,
            0,
            0,
            0,
        ])
    }

    pub fn expected_transfer(&self) -> Transfer {
        Transfer::None
    }
}
cdb_repr!(Blank, Opcode::Blank, BLANK_USAGE);
