//! Tracks and sessions on write-once and CD-RW/DVD-RW media: RESERVE TRACK, CLOSE
//! TRACK/SESSION (MMC-5 6.3), SEND OPC INFORMATION, SEND CUE SHEET and BLANK.

use serde::{Deserialize, Serialize};

use super::error::CdbError;
use super::layout::{cdb, CdbField};
use super::opcode::Opcode;
use super::repr::{reserved_if_set, Transfer};
use crate::layout::{or_byte, BeField};
use crate::wire::{bit, byte_at, wire_enum};

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

cdb! {
    /// RESERVE TRACK (53h): reserve space for a track (DVD-R DAO, DVD+R, BD-R; sizes are
    /// rounded up to the medium's ECC block). Not used for CD TAO.
    pub struct ReserveTrack = ReserveTrack, 10 {
        /// Byte 1 bit 1 RMZ: reserve an RMZ (HD DVD-R).
        pub rmz: bool = flag(1, 1),
        /// Byte 1 bit 0 ARSV and bytes 2-8.
        pub reservation: Reservation = with(ReservationField),
    }
    transfer(c) => Transfer::None;
}

/// RESERVE TRACK byte 1 bit 0 ARSV and bytes 2-8: each value of ARSV leaves three of the
/// bytes reserved.
struct ReservationField;

impl CdbField for ReservationField {
    type Value = Reservation;
    const MARKS: &'static [(usize, u8, usize)] = &[(1, 0x01, 1), (2, 0xFF, 7)];

    fn read(cdb: &[u8]) -> Result<Reservation, CdbError> {
        let op = Opcode::ReserveTrack;
        let reserved = |bytes: [u8; 3]| -> Result<(), CdbError> {
            bytes
                .into_iter()
                .try_for_each(|byte| reserved_if_set(op, byte, byte_at(cdb, usize::from(byte))))
        };
        if bit(byte_at(cdb, 1), 0) {
            reserved([6, 7, 8])?;
            Ok(Reservation::Lba(i32::read(cdb, 2)))
        } else {
            reserved([2, 3, 4])?;
            Ok(Reservation::Size(u32::read(cdb, 5)))
        }
    }

    fn write(value: Reservation, cdb: &mut [u8]) {
        match value {
            Reservation::Size(blocks) => blocks.write(cdb, 5),
            Reservation::Lba(lba) => {
                or_byte(cdb, 1, 0x01);
                lba.write(cdb, 2);
            }
        }
    }
}

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

cdb! {
    /// CLOSE TRACK/SESSION (5Bh). libburn closes a session with `5B 01 02 00 00 00 00 00 00 00`
    /// (Immed, function 010b) and then polls TEST UNIT READY.
    pub struct CloseTrackSession = CloseTrackSession, 10 {
        /// Byte 1 bit 0.
        pub immed: bool = flag(1, 0),
        /// Byte 2 bits 2-0.
        pub function: CloseFunction = code(2, 0, 3),
        /// Bytes 4-5: the logical track to close (FFh: the incomplete track); 0 for sessions.
        pub track_number: u16 = be(4),
    }
    transfer(c) => Transfer::None;
}

cdb! {
    /// SEND OPC INFORMATION (54h): run optimum power calibration now (DoOpc), or send OPC
    /// values in a parameter list.
    pub struct SendOpcInformation = SendOpcInformation, 10 {
        /// Byte 1 bit 0 DoOpc: perform OPC for the current speed.
        pub do_opc: bool = flag(1, 0),
        /// Byte 2 bit 0 Exclude0: do not use the OPC table's layer 0 entries (MMC-5).
        pub exclude0: bool = flag(2, 0),
        /// Byte 2 bit 1 Exclude1: same for layer 1.
        pub exclude1: bool = flag(2, 1),
        /// Bytes 7-8: bytes of OPC table entries sent (0 with DoOpc).
        pub parameter_list_length: u16 = be(7),
    }
    transfer(c) => Transfer::data_out(u32::from(c.parameter_list_length));
}

cdb! {
    /// SEND CUE SHEET (5Dh): the layout of a whole CD session for SAO writing, 8 bytes per
    /// cue sheet entry.
    pub struct SendCueSheet = SendCueSheet, 10 {
        /// Bytes 6-8, 24 bits: bytes of cue sheet sent.
        pub cue_sheet_size: u32 = be24(6),
    }
    transfer(c) => Transfer::data_out(c.cue_sheet_size & 0x00FF_FFFF);
}

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

cdb! {
    /// BLANK (A1h): erase all or part of a CD-RW or DVD-RW. With Immed the drive answers at
    /// once and reports progress through TEST UNIT READY / REQUEST SENSE.
    pub struct Blank = Blank, 12 {
        /// Byte 1 bit 4.
        pub immed: bool = flag(1, 4),
        /// Byte 1 bits 2-0.
        pub blanking_type: BlankingType = code(1, 0, 3),
        /// Bytes 2-5: start address (track tail) or track number (track), else 0.
        pub start_address: u32 = be(2),
    }
    transfer(c) => Transfer::None;
}
