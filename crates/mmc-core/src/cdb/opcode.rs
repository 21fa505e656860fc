//! Operation codes (SPC-4, MMC-6) and the CDB length each one implies.

use core::fmt;

use serde::{Deserialize, Serialize};

/// The first byte of a CDB.
///
/// Every command this module decodes has a variant; a few more that writers and rippers send
/// are named so that transcripts and error messages read well, but [`crate::cdb::Command`]
/// does not decode them. Any other value is kept as [`Opcode::Unknown`], so every byte
/// round-trips through [`Opcode::from_u8`] and [`Opcode::to_u8`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opcode {
    TestUnitReady,
    RequestSense,
    FormatUnit,
    Inquiry,
    StartStopUnit,
    PreventAllowMediumRemoval,
    ReadFormatCapacities,
    ReadCapacity,
    Read10,
    Write10,
    Verify10,
    SynchronizeCache,
    ReadTocPmaAtip,
    GetConfiguration,
    GetEventStatusNotification,
    ReadDiscInformation,
    ReadTrackInformation,
    ReserveTrack,
    SendOpcInformation,
    ModeSelect10,
    ModeSense10,
    CloseTrackSession,
    ReadBufferCapacity,
    SendCueSheet,
    Blank,
    Read12,
    Write12,
    GetPerformance,
    ReadDiscStructure,
    SetStreaming,
    SetCdSpeed,
    MechanismStatus,
    // Named but not decoded by `Command`.
    ModeSelect6,
    ModeSense6,
    Seek10,
    WriteAndVerify10,
    WriteBuffer,
    ReadBuffer,
    ReadSubchannel,
    ReportLuns,
    SendKey,
    ReportKey,
    LoadUnloadMedium,
    ReadCdMsf,
    ReadCd,
    SendDiscStructure,
    /// Any other operation code.
    Unknown(u8),
}

impl Opcode {
    /// The opcode of byte 0 of a CDB.
    #[inline]
    pub const fn from_u8(v: u8) -> Self {
        match v {
            0x00 => Opcode::TestUnitReady,
            0x03 => Opcode::RequestSense,
            0x04 => Opcode::FormatUnit,
            0x12 => Opcode::Inquiry,
            0x1B => Opcode::StartStopUnit,
            0x1E => Opcode::PreventAllowMediumRemoval,
            0x23 => Opcode::ReadFormatCapacities,
            0x25 => Opcode::ReadCapacity,
            0x28 => Opcode::Read10,
            0x2A => Opcode::Write10,
            0x2F => Opcode::Verify10,
            0x35 => Opcode::SynchronizeCache,
            0x43 => Opcode::ReadTocPmaAtip,
            0x46 => Opcode::GetConfiguration,
            0x4A => Opcode::GetEventStatusNotification,
            0x51 => Opcode::ReadDiscInformation,
            0x52 => Opcode::ReadTrackInformation,
            0x53 => Opcode::ReserveTrack,
            0x54 => Opcode::SendOpcInformation,
            0x55 => Opcode::ModeSelect10,
            0x5A => Opcode::ModeSense10,
            0x5B => Opcode::CloseTrackSession,
            0x5C => Opcode::ReadBufferCapacity,
            0x5D => Opcode::SendCueSheet,
            0xA1 => Opcode::Blank,
            0xA8 => Opcode::Read12,
            0xAA => Opcode::Write12,
            0xAC => Opcode::GetPerformance,
            0xAD => Opcode::ReadDiscStructure,
            0xB6 => Opcode::SetStreaming,
            0xBB => Opcode::SetCdSpeed,
            0xBD => Opcode::MechanismStatus,
            0x15 => Opcode::ModeSelect6,
            0x1A => Opcode::ModeSense6,
            0x2B => Opcode::Seek10,
            0x2E => Opcode::WriteAndVerify10,
            0x3B => Opcode::WriteBuffer,
            0x3C => Opcode::ReadBuffer,
            0x42 => Opcode::ReadSubchannel,
            0xA0 => Opcode::ReportLuns,
            0xA3 => Opcode::SendKey,
            0xA4 => Opcode::ReportKey,
            0xA6 => Opcode::LoadUnloadMedium,
            0xB9 => Opcode::ReadCdMsf,
            0xBE => Opcode::ReadCd,
            0xBF => Opcode::SendDiscStructure,
            other => Opcode::Unknown(other),
        }
    }

    /// The byte on the wire.
    #[inline]
    pub const fn to_u8(self) -> u8 {
        match self {
            Opcode::TestUnitReady => 0x00,
            Opcode::RequestSense => 0x03,
            Opcode::FormatUnit => 0x04,
            Opcode::Inquiry => 0x12,
            Opcode::StartStopUnit => 0x1B,
            Opcode::PreventAllowMediumRemoval => 0x1E,
            Opcode::ReadFormatCapacities => 0x23,
            Opcode::ReadCapacity => 0x25,
            Opcode::Read10 => 0x28,
            Opcode::Write10 => 0x2A,
            Opcode::Verify10 => 0x2F,
            Opcode::SynchronizeCache => 0x35,
            Opcode::ReadTocPmaAtip => 0x43,
            Opcode::GetConfiguration => 0x46,
            Opcode::GetEventStatusNotification => 0x4A,
            Opcode::ReadDiscInformation => 0x51,
            Opcode::ReadTrackInformation => 0x52,
            Opcode::ReserveTrack => 0x53,
            Opcode::SendOpcInformation => 0x54,
            Opcode::ModeSelect10 => 0x55,
            Opcode::ModeSense10 => 0x5A,
            Opcode::CloseTrackSession => 0x5B,
            Opcode::ReadBufferCapacity => 0x5C,
            Opcode::SendCueSheet => 0x5D,
            Opcode::Blank => 0xA1,
            Opcode::Read12 => 0xA8,
            Opcode::Write12 => 0xAA,
            Opcode::GetPerformance => 0xAC,
            Opcode::ReadDiscStructure => 0xAD,
            Opcode::SetStreaming => 0xB6,
            Opcode::SetCdSpeed => 0xBB,
            Opcode::MechanismStatus => 0xBD,
            Opcode::ModeSelect6 => 0x15,
            Opcode::ModeSense6 => 0x1A,
            Opcode::Seek10 => 0x2B,
            Opcode::WriteAndVerify10 => 0x2E,
            Opcode::WriteBuffer => 0x3B,
            Opcode::ReadBuffer => 0x3C,
            Opcode::ReadSubchannel => 0x42,
            Opcode::ReportLuns => 0xA0,
            Opcode::SendKey => 0xA3,
            Opcode::ReportKey => 0xA4,
            Opcode::LoadUnloadMedium => 0xA6,
            Opcode::ReadCdMsf => 0xB9,
            Opcode::ReadCd => 0xBE,
            Opcode::SendDiscStructure => 0xBF,
            Opcode::Unknown(v) => v,
        }
    }

    /// The command's name as SPC and MMC print it ("WRITE (10)"); `None` for
    /// [`Opcode::Unknown`].
    pub const fn known_name(self) -> Option<&'static str> {
        Some(match self {
            Opcode::TestUnitReady => "TEST UNIT READY",
            Opcode::RequestSense => "REQUEST SENSE",
            Opcode::FormatUnit => "FORMAT UNIT",
            Opcode::Inquiry => "INQUIRY",
            Opcode::StartStopUnit => "START STOP UNIT",
            Opcode::PreventAllowMediumRemoval => "PREVENT ALLOW MEDIUM REMOVAL",
            Opcode::ReadFormatCapacities => "READ FORMAT CAPACITIES",
            Opcode::ReadCapacity => "READ CAPACITY",
            Opcode::Read10 => "READ (10)",
            Opcode::Write10 => "WRITE (10)",
            Opcode::Verify10 => "VERIFY (10)",
            Opcode::SynchronizeCache => "SYNCHRONIZE CACHE",
            Opcode::ReadTocPmaAtip => "READ TOC/PMA/ATIP",
            Opcode::GetConfiguration => "GET CONFIGURATION",
            Opcode::GetEventStatusNotification => "GET EVENT STATUS NOTIFICATION",
            Opcode::ReadDiscInformation => "READ DISC INFORMATION",
            Opcode::ReadTrackInformation => "READ TRACK INFORMATION",
            Opcode::ReserveTrack => "RESERVE TRACK",
            Opcode::SendOpcInformation => "SEND OPC INFORMATION",
            Opcode::ModeSelect10 => "MODE SELECT (10)",
            Opcode::ModeSense10 => "MODE SENSE (10)",
            Opcode::CloseTrackSession => "CLOSE TRACK/SESSION",
            Opcode::ReadBufferCapacity => "READ BUFFER CAPACITY",
            Opcode::SendCueSheet => "SEND CUE SHEET",
            Opcode::Blank => "BLANK",
            Opcode::Read12 => "READ (12)",
            Opcode::Write12 => "WRITE (12)",
            Opcode::GetPerformance => "GET PERFORMANCE",
            Opcode::ReadDiscStructure => "READ DISC STRUCTURE",
            Opcode::SetStreaming => "SET STREAMING",
            Opcode::SetCdSpeed => "SET CD SPEED",
            Opcode::MechanismStatus => "MECHANISM STATUS",
            Opcode::ModeSelect6 => "MODE SELECT (6)",
            Opcode::ModeSense6 => "MODE SENSE (6)",
            Opcode::Seek10 => "SEEK (10)",
            Opcode::WriteAndVerify10 => "WRITE AND VERIFY (10)",
            Opcode::WriteBuffer => "WRITE BUFFER",
            Opcode::ReadBuffer => "READ BUFFER",
            Opcode::ReadSubchannel => "READ SUB-CHANNEL",
            Opcode::ReportLuns => "REPORT LUNS",
            Opcode::SendKey => "SEND KEY",
            Opcode::ReportKey => "REPORT KEY",
            Opcode::LoadUnloadMedium => "LOAD/UNLOAD MEDIUM",
            Opcode::ReadCdMsf => "READ CD MSF",
            Opcode::ReadCd => "READ CD",
            Opcode::SendDiscStructure => "SEND DISC STRUCTURE",
            Opcode::Unknown(_) => return None,
        })
    }

    /// The command's name ("WRITE (10)"), or "unknown command" for [`Opcode::Unknown`]
    /// (whose [`Display`](fmt::Display) shows the byte).
    pub const fn name(self) -> &'static str {
        match self.known_name() {
            Some(name) => name,
            None => "unknown command",
        }
    }

    /// The CDB length of this command. For named opcodes it is the standard's length; for
    /// unknown ones it follows the opcode group ([`group_cdb_len`]), `None` when the group
    /// does not fix a length.
    #[inline]
    pub const fn cdb_len(self) -> Option<usize> {
        // Every command named here has the length of its group; the group rule is therefore
        // the table (MMC-6's command list agrees for all of them).
        group_cdb_len(self.to_u8())
    }

    /// True for the commands [`crate::cdb::Command`] decodes.
    pub const fn is_decoded(self) -> bool {
        !matches!(
            self,
            Opcode::ModeSelect6
                | Opcode::ModeSense6
                | Opcode::Seek10
                | Opcode::WriteAndVerify10
                | Opcode::WriteBuffer
                | Opcode::ReadBuffer
                | Opcode::ReadSubchannel
                | Opcode::ReportLuns
                | Opcode::SendKey
                | Opcode::ReportKey
                | Opcode::LoadUnloadMedium
                | Opcode::ReadCdMsf
                | Opcode::ReadCd
                | Opcode::SendDiscStructure
                | Opcode::Unknown(_)
        )
    }
}

/// The CDB length the group code (bits 7-5 of the opcode) implies (SPC-4):
/// group 0 = 6 bytes, groups 1 and 2 = 10, group 4 = 16, group 5 = 12. Group 3 (reserved;
/// 7Fh is the variable-length CDB) and the vendor-specific groups 6 and 7 give `None`.
#[inline]
pub const fn group_cdb_len(opcode: u8) -> Option<usize> {
    match opcode >> 5 {
        0 => Some(6),
        1 | 2 => Some(10),
        4 => Some(16),
        5 => Some(12),
        _ => None,
    }
}

impl From<u8> for Opcode {
    fn from(v: u8) -> Self {
        Opcode::from_u8(v)
    }
}

impl From<Opcode> for u8 {
    fn from(op: Opcode) -> u8 {
        op.to_u8()
    }
}

impl fmt::Display for Opcode {
    /// The name, or `operation code C5h` for an unknown one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "operation code {:02X}h", self.to_u8()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(Opcode::from_u8(v).to_u8(), v);
        }
    }

    #[test]
    fn named_opcodes_are_not_unknown() {
        // 46 named opcodes: 32 decoded and 14 named only.
        let named = (0..=255u8)
            .filter(|&v| !matches!(Opcode::from_u8(v), Opcode::Unknown(_)))
            .count();
        assert_eq!(named, 46);
        let decoded = (0..=255u8)
            .filter(|&v| Opcode::from_u8(v).is_decoded())
            .count();
        assert_eq!(decoded, 32);
    }

    #[test]
    fn group_lengths_follow_spc() {
        assert_eq!(group_cdb_len(0x00), Some(6));
        assert_eq!(group_cdb_len(0x1F), Some(6));
        assert_eq!(group_cdb_len(0x2A), Some(10));
        assert_eq!(group_cdb_len(0x5D), Some(10));
        assert_eq!(group_cdb_len(0x7F), None);
        assert_eq!(group_cdb_len(0x8A), Some(16));
        assert_eq!(group_cdb_len(0xAA), Some(12));
        assert_eq!(group_cdb_len(0xC0), None);
        assert_eq!(group_cdb_len(0xFF), None);
    }

    #[test]
    fn names_are_the_standard_spelling() {
        assert_eq!(Opcode::Write10.name(), "WRITE (10)");
        assert_eq!(Opcode::ReadTocPmaAtip.to_string(), "READ TOC/PMA/ATIP");
        assert_eq!(Opcode::Unknown(0xC5).to_string(), "operation code C5h");
    }
}
