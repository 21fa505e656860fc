//! The MM Capabilities and Mechanical Status mode page, 2Ah (MMC-3 6.3.11; legacy in
//! MMC-5/6 but still what IMAPI and libburn read for buffer size and write speeds).
//!
//! MMC-1 drives send 20 bytes of page data or fewer; MMC-2 adds the current write speed and
//! copy management revision; MMC-3 adds the selected rotation control, the selected write
//! speed and the write speed descriptors. Fields a drive did not send are `None`.

use serde::{Deserialize, Serialize};

use super::{bits, put_bits};
use crate::layout::fixed_layout;
use crate::params::mode::ModePageData;
use crate::wire::{be16_at, byte_at, ParseError, Writer};

/// Page data bytes every drive sends (bytes 2-19: through the maximum write speed). qemu's
/// emulated drive sends exactly this much.
pub const CAPABILITIES_MIN_DATA_LEN: usize = 18;

/// One write speed descriptor of page 2Ah (bytes 32.., 4 bytes each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WriteSpeedDescriptor2A {
    /// Byte 1 bits 2-0: 000b CLV (or non-pure CAV), 001b pure CAV.
    pub rotation_control: u8,
    /// Bytes 2-3, kB/s (k = 1000).
    pub write_speed: u16,
}

/// The MMC-3 part of the page: the selected write speed and the speeds available.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WriteSpeedReport {
    /// Byte 27 bits 1-0.
    pub rotation_control_selected: u8,
    /// Bytes 28-29, kB/s.
    pub current_write_speed_selected: u16,
    /// From byte 32; byte 30-31 is their number.
    pub descriptors: Vec<WriteSpeedDescriptor2A>,
}

fixed_layout! {
    /// Page 2Ah. Byte numbers are the page's (its data starts at byte 2).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub struct CapabilitiesPage, base 2 {
        pub ps: bool,
        // Byte 2: read capabilities.
        pub dvd_ram_read: bool = flag(2, 5),
        pub dvd_r_read: bool = flag(2, 4),
        pub dvd_rom_read: bool = flag(2, 3),
        /// Method 2: reads fixed-packet CD-R written with method 2 addressing.
        pub method2: bool = flag(2, 2),
        pub cd_rw_read: bool = flag(2, 1),
        pub cd_r_read: bool = flag(2, 0),
        // Byte 3: write capabilities.
        pub dvd_ram_write: bool = flag(3, 5),
        pub dvd_r_write: bool = flag(3, 4),
        pub test_write: bool = flag(3, 2),
        pub cd_rw_write: bool = flag(3, 1),
        pub cd_r_write: bool = flag(3, 0),
        // Byte 4.
        /// BUF: buffer under-run free recording.
        pub buf: bool = flag(4, 7),
        pub multi_session: bool = flag(4, 6),
        pub mode2_form2: bool = flag(4, 5),
        pub mode2_form1: bool = flag(4, 4),
        pub digital_port2: bool = flag(4, 3),
        pub digital_port1: bool = flag(4, 2),
        pub composite: bool = flag(4, 1),
        pub audio_play: bool = flag(4, 0),
        // Byte 5.
        pub read_bar_code: bool = flag(5, 7),
        pub upc: bool = flag(5, 6),
        pub isrc: bool = flag(5, 5),
        pub c2_pointers: bool = flag(5, 4),
        pub rw_deinterleaved_corrected: bool = flag(5, 3),
        pub rw_supported: bool = flag(5, 2),
        pub cdda_stream_accurate: bool = flag(5, 1),
        pub cdda_commands: bool = flag(5, 0),
        // Byte 6.
        /// Bits 7-5: 000b caddy, 001b tray, 010b pop-up, 100b/101b changer.
        pub loading_mechanism: u8 = uint(6, 5, 3),
        pub eject: bool = flag(6, 3),
        pub prevent_jumper: bool = flag(6, 2),
        pub lock_state: bool = flag(6, 1),
        pub lock: bool = flag(6, 0),
        // Byte 7.
        pub rw_in_lead_in: bool = flag(7, 5),
        pub side_change_capable: bool = flag(7, 4),
        /// S/W Slot Selection.
        pub software_slot_selection: bool = flag(7, 3),
        /// SDP: the changer reports disc presence.
        pub changer_disc_present: bool = flag(7, 2),
        pub separate_channel_mute: bool = flag(7, 1),
        pub separate_volume_levels: bool = flag(7, 0),
        /// Bytes 8-9, kB/s (obsolete in MMC-3).
        pub max_read_speed: u16 = be(8),
        /// Bytes 10-11.
        pub volume_levels: u16 = be(10),
        /// Bytes 12-13, in KiB.
        pub buffer_size: u16 = be(12),
        /// Bytes 14-15, kB/s (obsolete).
        pub current_read_speed: u16 = be(14),
        /// Byte 17: the digital output format (Length, LSBF, RCK, BCKF bits).
        pub digital_output_format: u8 = be(17),
        /// Bytes 18-19, kB/s (obsolete).
        pub max_write_speed: u16 = be(18),
        /// Bytes 20-21, kB/s (MMC-2; obsolete in MMC-3).
        pub current_write_speed: Option<u16>,
        /// Bytes 22-23 (MMC-2).
        pub copy_management_revision: Option<u16>,
        /// Bytes 27-31 and the descriptors (MMC-3).
        pub write_speeds: Option<WriteSpeedReport>,
    }
}

impl ModePageData for CapabilitiesPage {
    const PAGE_CODE: u8 = 0x2A;

    fn parse_data(ps: bool, data: &[u8]) -> Result<Self, ParseError> {
        let what = "MM Capabilities mode page";
        if data.len() < CAPABILITIES_MIN_DATA_LEN {
            return Err(ParseError::BadLength {
                what,
                field: "page length",
                value: data.len(),
            });
        }
        // Offsets are page byte numbers; the page header is bytes 0-1.
        let at = |off: usize| byte_at(data, off - 2);
        let w16 = |off: usize| be16_at(data, off - 2).unwrap_or(0);
        let opt16 = |off: usize| be16_at(data, off - 2);
        let write_speeds = if data.len() >= 30 {
            let n = w16(30) as usize;
            let list = data.get(30..).unwrap_or(&[]);
            // libburn rejects a count that runs past the page; keep the descriptors present.
            let descriptors = list
                .chunks_exact(4)
                .take(n)
                .map(|c| WriteSpeedDescriptor2A {
                    rotation_control: bits(byte_at(c, 1), 0, 3),
                    write_speed: be16_at(c, 2).unwrap_or(0),
                })
                .collect();
            Some(WriteSpeedReport {
                rotation_control_selected: bits(at(27), 0, 2),
                current_write_speed_selected: w16(28),
                descriptors,
            })
        } else {
            None
        };
        Ok(CapabilitiesPage {
            ps,
            current_write_speed: opt16(20),
            copy_management_revision: opt16(22),
            write_speeds,
            ..Self::read_fields(data)
        })
    }

    fn ps(&self) -> bool {
        self.ps
    }

    /// 18 bytes (MMC-1), 20 or 22 (MMC-2), or 30 + 4 per descriptor (MMC-3).
    fn data_len(&self) -> usize {
        if let Some(ws) = &self.write_speeds {
            30 + 4 * ws.descriptors.len().min(56)
        } else if self.copy_management_revision.is_some() {
            22
        } else if self.current_write_speed.is_some() {
            20
        } else {
            CAPABILITIES_MIN_DATA_LEN
        }
    }

    fn write_data(&self, w: &mut Writer<'_>) {
        let n = self.data_len();
        let mut fixed = [0u8; CAPABILITIES_MIN_DATA_LEN];
        self.write_fields(&mut fixed);
        w.put(&fixed);
        if n >= 20 {
            w.u16(self.current_write_speed.unwrap_or(0));
        }
        if n >= 22 {
            w.u16(self.copy_management_revision.unwrap_or(0));
        }
        if let Some(ws) = &self.write_speeds {
            w.zeros(3);
            w.u8(put_bits(ws.rotation_control_selected, 0, 2));
            w.u16(ws.current_write_speed_selected);
            let count = ws.descriptors.len().min(56);
            w.u16(count as u16);
            for d in ws.descriptors.iter().take(count) {
                w.u8(0)
                    .u8(put_bits(d.rotation_control, 0, 3))
                    .u16(d.write_speed);
            }
        }
    }
}
