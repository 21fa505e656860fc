//! Operation codes (SPC-4, MMC-6) and the CDB length each one implies.

use crate::wire::wire_enum;

wire_enum! {
    /// The first byte of a CDB, with the command's name as SPC and MMC print it ("WRITE (10)").
    ///
    /// Every command this module decodes has a variant; a few more that writers and rippers send
    /// are named so that transcripts and error messages read well, but [`crate::cdb::Command`]
    /// does not decode them. Any other value is kept as [`Opcode::Unknown`] (named "unknown
    /// command", shown as `operation code C5h`), so every byte round-trips through
    /// [`Opcode::from_u8`] and [`Opcode::to_u8`].
    #[serde(rename_all = "snake_case")]
    pub enum Opcode: u8 as from_u8 / to_u8, unknown "unknown command" / "operation code {:02X}h" {
        TestUnitReady = 0x00 => "TEST UNIT READY",
        RequestSense = 0x03 => "REQUEST SENSE",
        FormatUnit = 0x04 => "FORMAT UNIT",
        Inquiry = 0x12 => "INQUIRY",
        StartStopUnit = 0x1B => "START STOP UNIT",
        PreventAllowMediumRemoval = 0x1E => "PREVENT ALLOW MEDIUM REMOVAL",
        ReadFormatCapacities = 0x23 => "READ FORMAT CAPACITIES",
        ReadCapacity = 0x25 => "READ CAPACITY",
        Read10 = 0x28 => "READ (10)",
        Write10 = 0x2A => "WRITE (10)",
        Verify10 = 0x2F => "VERIFY (10)",
        SynchronizeCache = 0x35 => "SYNCHRONIZE CACHE",
        ReadTocPmaAtip = 0x43 => "READ TOC/PMA/ATIP",
        GetConfiguration = 0x46 => "GET CONFIGURATION",
        GetEventStatusNotification = 0x4A => "GET EVENT STATUS NOTIFICATION",
        ReadDiscInformation = 0x51 => "READ DISC INFORMATION",
        ReadTrackInformation = 0x52 => "READ TRACK INFORMATION",
        ReserveTrack = 0x53 => "RESERVE TRACK",
        SendOpcInformation = 0x54 => "SEND OPC INFORMATION",
        ModeSelect10 = 0x55 => "MODE SELECT (10)",
        ModeSense10 = 0x5A => "MODE SENSE (10)",
        CloseTrackSession = 0x5B => "CLOSE TRACK/SESSION",
        ReadBufferCapacity = 0x5C => "READ BUFFER CAPACITY",
        SendCueSheet = 0x5D => "SEND CUE SHEET",
        Blank = 0xA1 => "BLANK",
        Read12 = 0xA8 => "READ (12)",
        Write12 = 0xAA => "WRITE (12)",
        GetPerformance = 0xAC => "GET PERFORMANCE",
        ReadDiscStructure = 0xAD => "READ DISC STRUCTURE",
        SetStreaming = 0xB6 => "SET STREAMING",
        SetCdSpeed = 0xBB => "SET CD SPEED",
        MechanismStatus = 0xBD => "MECHANISM STATUS",
        ReadSubchannel = 0x42 => "READ SUB-CHANNEL",
        ReadCd = 0xBE => "READ CD",
        // Named but not decoded by `Command`.
        ModeSelect6 = 0x15 => "MODE SELECT (6)",
        ModeSense6 = 0x1A => "MODE SENSE (6)",
        Seek10 = 0x2B => "SEEK (10)",
        WriteAndVerify10 = 0x2E => "WRITE AND VERIFY (10)",
        WriteBuffer = 0x3B => "WRITE BUFFER",
        ReadBuffer = 0x3C => "READ BUFFER",
        ReportLuns = 0xA0 => "REPORT LUNS",
        SendKey = 0xA3 => "SEND KEY",
        ReportKey = 0xA4 => "REPORT KEY",
        LoadUnloadMedium = 0xA6 => "LOAD/UNLOAD MEDIUM",
        ReadCdMsf = 0xB9 => "READ CD MSF",
        SendDiscStructure = 0xBF => "SEND DISC STRUCTURE",
    }
}

impl Opcode {
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
                | Opcode::ReportLuns
                | Opcode::SendKey
                | Opcode::ReportKey
                | Opcode::LoadUnloadMedium
                | Opcode::ReadCdMsf
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
        // 46 named opcodes: 35 decoded and 11 named only.
        let named = (0..=255u8)
            .filter(|&v| !matches!(Opcode::from_u8(v), Opcode::Unknown(_)))
            .count();
        assert_eq!(named, 46);
        let decoded = (0..=255u8)
            .filter(|&v| Opcode::from_u8(v).is_decoded())
            .count();
        assert_eq!(decoded, 35);
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
