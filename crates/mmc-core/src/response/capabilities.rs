//! The MM Capabilities and Mechanical Status mode page, 2Ah (MMC-3 6.3.11; legacy in
//! MMC-5/6 but still what IMAPI and libburn read for buffer size and write speeds).
//!
//! MMC-1 drives send 20 bytes of page data or fewer; MMC-2 adds the current write speed and
//! copy management revision; MMC-3 adds the selected rotation control, the selected write
//! speed and the write speed descriptors. Fields a drive did not send are `None`.

use serde::{Deserialize, Serialize};

use super::{bit, bits, flag, put_bits};
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

/// Page 2Ah.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CapabilitiesPage {
    pub ps: bool,
    // Byte 2: read capabilities.
    pub dvd_ram_read: bool,
    pub dvd_r_read: bool,
    pub dvd_rom_read: bool,
    /// Method 2: reads fixed-packet CD-R written with method 2 addressing.
    pub method2: bool,
    pub cd_rw_read: bool,
    pub cd_r_read: bool,
    // Byte 3: write capabilities.
    pub dvd_ram_write: bool,
    pub dvd_r_write: bool,
    pub test_write: bool,
    pub cd_rw_write: bool,
    pub cd_r_write: bool,
    // Byte 4.
    /// BUF: buffer under-run free recording.
    pub buf: bool,
    pub multi_session: bool,
    pub mode2_form2: bool,
    pub mode2_form1: bool,
    pub digital_port2: bool,
    pub digital_port1: bool,
    pub composite: bool,
    pub audio_play: bool,
    // Byte 5.
    pub read_bar_code: bool,
    pub upc: bool,
    pub isrc: bool,
    pub c2_pointers: bool,
    pub rw_deinterleaved_corrected: bool,
    pub rw_supported: bool,
    pub cdda_stream_accurate: bool,
    pub cdda_commands: bool,
    // Byte 6.
    /// Bits 7-5: 000b caddy, 001b tray, 010b pop-up, 100b/101b changer.
    pub loading_mechanism: u8,
    pub eject: bool,
    pub prevent_jumper: bool,
    pub lock_state: bool,
    pub lock: bool,
    // Byte 7.
    pub rw_in_lead_in: bool,
    pub side_change_capable: bool,
    /// S/W Slot Selection.
    pub software_slot_selection: bool,
    /// SDP: the changer reports disc presence.
    pub changer_disc_present: bool,
    pub separate_channel_mute: bool,
    pub separate_volume_levels: bool,
    /// Bytes 8-9, kB/s (obsolete in MMC-3).
    pub max_read_speed: u16,
    /// Bytes 10-11.
    pub volume_levels: u16,
    /// Bytes 12-13, in KiB.
    pub buffer_size: u16,
    /// Bytes 14-15, kB/s (obsolete).
    pub current_read_speed: u16,
    /// Byte 17: the digital output format (Length, LSBF, RCK, BCKF bits).
    pub digital_output_format: u8,
    /// Bytes 18-19, kB/s (obsolete).
    pub max_write_speed: u16,
    /// Bytes 20-21, kB/s (MMC-2; obsolete in MMC-3).
    pub current_write_speed: Option<u16>,
    /// Bytes 22-23 (MMC-2).
    pub copy_management_revision: Option<u16>,
    /// Bytes 27-31 and the descriptors (MMC-3).
    pub write_speeds: Option<WriteSpeedReport>,
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
        let (b2, b3, b4, b5, b6, b7) = (at(2), at(3), at(4), at(5), at(6), at(7));
        Ok(CapabilitiesPage {
            ps,
            dvd_ram_read: bit(b2, 5),
            dvd_r_read: bit(b2, 4),
            dvd_rom_read: bit(b2, 3),
            method2: bit(b2, 2),
            cd_rw_read: bit(b2, 1),
            cd_r_read: bit(b2, 0),
            dvd_ram_write: bit(b3, 5),
            dvd_r_write: bit(b3, 4),
            test_write: bit(b3, 2),
            cd_rw_write: bit(b3, 1),
            cd_r_write: bit(b3, 0),
            buf: bit(b4, 7),
            multi_session: bit(b4, 6),
            mode2_form2: bit(b4, 5),
            mode2_form1: bit(b4, 4),
            digital_port2: bit(b4, 3),
            digital_port1: bit(b4, 2),
            composite: bit(b4, 1),
            audio_play: bit(b4, 0),
            read_bar_code: bit(b5, 7),
            upc: bit(b5, 6),
            isrc: bit(b5, 5),
            c2_pointers: bit(b5, 4),
            rw_deinterleaved_corrected: bit(b5, 3),
            rw_supported: bit(b5, 2),
            cdda_stream_accurate: bit(b5, 1),
            cdda_commands: bit(b5, 0),
            loading_mechanism: bits(b6, 5, 3),
            eject: bit(b6, 3),
            prevent_jumper: bit(b6, 2),
            lock_state: bit(b6, 1),
            lock: bit(b6, 0),
            rw_in_lead_in: bit(b7, 5),
            side_change_capable: bit(b7, 4),
            software_slot_selection: bit(b7, 3),
            changer_disc_present: bit(b7, 2),
            separate_channel_mute: bit(b7, 1),
            separate_volume_levels: bit(b7, 0),
            max_read_speed: w16(8),
            volume_levels: w16(10),
            buffer_size: w16(12),
            current_read_speed: w16(14),
            digital_output_format: at(17),
            max_write_speed: w16(18),
            current_write_speed: opt16(20),
            copy_management_revision: opt16(22),
            write_speeds,
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
        w.u8(flag(self.dvd_ram_read, 5)
            | flag(self.dvd_r_read, 4)
            | flag(self.dvd_rom_read, 3)
            | flag(self.method2, 2)
            | flag(self.cd_rw_read, 1)
            | flag(self.cd_r_read, 0));
        w.u8(flag(self.dvd_ram_write, 5)
            | flag(self.dvd_r_write, 4)
            | flag(self.test_write, 2)
            | flag(self.cd_rw_write, 1)
            | flag(self.cd_r_write, 0));
        w.u8(flag(self.buf, 7)
            | flag(self.multi_session, 6)
            | flag(self.mode2_form2, 5)
            | flag(self.mode2_form1, 4)
            | flag(self.digital_port2, 3)
            | flag(self.digital_port1, 2)
            | flag(self.composite, 1)
            | flag(self.audio_play, 0));
        w.u8(flag(self.read_bar_code, 7)
            | flag(self.upc, 6)
            | flag(self.isrc, 5)
            | flag(self.c2_pointers, 4)
            | flag(self.rw_deinterleaved_corrected, 3)
            | flag(self.rw_supported, 2)
            | flag(self.cdda_stream_accurate, 1)
            | flag(self.cdda_commands, 0));
        w.u8(put_bits(self.loading_mechanism, 5, 3)
            | flag(self.eject, 3)
            | flag(self.prevent_jumper, 2)
            | flag(self.lock_state, 1)
            | flag(self.lock, 0));
        w.u8(flag(self.rw_in_lead_in, 5)
            | flag(self.side_change_capable, 4)
            | flag(self.software_slot_selection, 3)
            | flag(self.changer_disc_present, 2)
            | flag(self.separate_channel_mute, 1)
            | flag(self.separate_volume_levels, 0));
        w.u16(self.max_read_speed);
        w.u16(self.volume_levels);
        w.u16(self.buffer_size);
        w.u16(self.current_read_speed);
        w.u8(0);
        w.u8(self.digital_output_format);
        w.u16(self.max_write_speed);
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
