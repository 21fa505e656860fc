//! MECHANISM STATUS data (MMC-6 6.9): an 8-byte header and one 4-byte slot table entry per
//! changer slot.

use serde::{Deserialize, Serialize};

use super::{
    bit, bits, fixed, flag, frame, len_u16, put_bits, put_fixed, whole_entries, wire_enum,
    ResponseFormat,
};
use crate::layout::fixed_layout;
use crate::wire::{ParseError, Writer};

wire_enum! {
    /// Changer State (byte 0 bits 6-5).
    pub enum ChangerState: u8 as from_u8 / to_u8 {
        Ready = 0 => "ready",
        LoadInProgress = 1 => "load in progress",
        UnloadInProgress = 2 => "unload in progress",
        Initializing = 3 => "initializing",
    }
}

wire_enum! {
    /// Mechanism State (byte 1 bits 7-5).
    pub enum MechanismState: u8 as from_u8 / to_u8 {
        Idle = 0 => "idle",
        /// Playing audio (or video).
        Playing = 1 => "playing",
        Scanning = 2 => "scanning",
        /// Active with the host (or composite).
        HostActive = 3 => "active with host",
        NoStateInformation = 7 => "no state information",
    }
}

fixed_layout! {
    /// One slot table entry (4 bytes).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SlotEntry {
        /// Byte 0 bit 7.
        pub disc_present: bool = flag(0, 7),
        /// Byte 0 bit 0: the disc in this slot changed since the last report.
        pub change: bool = flag(0, 0),
        /// CWP_V (byte 1 bit 1): `cartridge_write_protect` is valid.
        pub cwp_valid: bool = flag(1, 1),
        /// CWP (byte 1 bit 0).
        pub cartridge_write_protect: bool = flag(1, 0),
    }
}

/// MECHANISM STATUS data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MechanismStatus {
    pub fault: bool,
    pub changer_state: ChangerState,
    /// Byte 0 bits 4-0 (low) and byte 1 bits 2-0 (high).
    pub current_slot: u8,
    pub mechanism_state: MechanismState,
    /// Byte 1 bit 4.
    pub door_open: bool,
    /// Bytes 2-4.
    pub current_lba: u32,
    /// Byte 5.
    pub number_of_slots: u8,
    pub slots: Vec<SlotEntry>,
    /// Bytes the slot table length announced that did not arrive.
    pub cut_bytes: usize,
}

const HEADER_LEN: usize = 8;
const SLOT_LEN: usize = 4;

impl ResponseFormat for MechanismStatus {
    const NAME: &'static str = "MECHANISM STATUS data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let [b0, b1, l0, l1, l2, slots, t0, t1] = fixed(bytes, what, "slot table length")?;
        let table_len = u16::from_be_bytes([t0, t1]) as usize;
        whole_entries(what, "slot table length", table_len, table_len, SLOT_LEN)?;
        let f = frame(
            bytes,
            what,
            "slot table length",
            table_len,
            HEADER_LEN + table_len,
            HEADER_LEN,
        )?;
        let table = f.bytes.get(HEADER_LEN..).unwrap_or(&[]);
        Ok(MechanismStatus {
            fault: bit(b0, 7),
            changer_state: ChangerState::from_u8(bits(b0, 5, 2)),
            current_slot: bits(b1, 0, 3) << 5 | bits(b0, 0, 5),
            mechanism_state: MechanismState::from_u8(bits(b1, 5, 3)),
            door_open: bit(b1, 4),
            current_lba: u32::from_be_bytes([0, l0, l1, l2]),
            number_of_slots: slots,
            slots: table
                .chunks_exact(SLOT_LEN)
                .map(SlotEntry::read_fields)
                .collect(),
            cut_bytes: f.cut,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN + SLOT_LEN * self.slots.len().min(0xFFFF / SLOT_LEN)
    }

    fn write(&self, w: &mut Writer<'_>) {
        let n = self.slots.len().min(0xFFFF / SLOT_LEN);
        w.u8(flag(self.fault, 7)
            | put_bits(self.changer_state.to_u8(), 5, 2)
            | put_bits(self.current_slot, 0, 5));
        w.u8(put_bits(self.mechanism_state.to_u8(), 5, 3)
            | flag(self.door_open, 4)
            | put_bits(self.current_slot >> 5, 0, 3));
        w.u24(self.current_lba);
        w.u8(self.number_of_slots);
        w.u16(len_u16(SLOT_LEN * n));
        for s in self.slots.iter().take(n) {
            put_fixed::<SLOT_LEN>(w, |b| s.write_fields(b));
        }
    }
}
