//! Command descriptor blocks: one typed struct per MMC/SPC command a writer sends.
//!
//! Each struct implements [`CdbRepr`], in smoltcp's `Repr` style: `decode(&[u8])` checks the
//! bytes once (opcode, length (zero padding up to 16 bytes allowed), every bit outside the command's [`CdbRepr::USAGE`] mask)
//! and never panics; `encode()` returns the exact bytes with a zero Control byte. Neither
//! allocates. Each command is declared once, as a field table from which the struct, the
//! usage mask, `decode`, `encode` and the expected transfer all come.
//! [`Command`] decodes any CDB by its opcode, and a [`CdbError`] carries the sense a drive
//! answers a malformed CDB with.
//!
//! Conventions:
//! - Logical block addresses of READ/WRITE/VERIFY/SYNCHRONIZE CACHE, GET PERFORMANCE, SET
//!   STREAMING and RESERVE TRACK are `i32`: MMC uses negative CD addresses (SAO starts at
//!   -150, `FF FF FF 6A`). Fields that hold an LBA *or* a track/session number (READ TRACK
//!   INFORMATION, BLANK, READ DISC STRUCTURE) are `u32`, the bits as sent.
//! - Coded fields are enums with an `Unknown(u8)` variant for values the standard reserves,
//!   so every accepted CDB round-trips. Encoding drops bits of a field beyond its width.
//! - The Control byte's vendor bits 7-6 are accepted and ignored; NACA and LINK are
//!   rejected. READ TOC/PMA/ATIP also reads the old cdrecord format from bits 7-6.
//!
//! What `Command::decode` followed by `encode` guarantees: for every CDB `decode` accepts,
//! `encode` gives the same bytes, except that the Control byte's vendor bits 7-6 are cleared
//! and, for READ TOC/PMA/ATIP with format 0 in byte 2 and a non-zero old-style format in
//! Control bits 7-6, that format is moved into byte 2.

mod basic;
mod cd;
mod disc;
mod error;
mod format;
mod layout;
mod mode;
mod opcode;
mod read_write;
pub(crate) mod repr;
mod send_disc_structure;
mod speed;
mod status;
mod track;

use serde::{Deserialize, Serialize};

pub use basic::{
    Inquiry, MediumAction, PowerCondition, PreventAllowMediumRemoval, RequestSense, StartStopUnit,
    TestUnitReady,
};
pub use cd::{ReadCd, ReadSubchannel, SectorType, SubChannelFormat};
pub use disc::{
    DiscInformationType, DiscStructureMedia, ReadCapacity, ReadDiscInformation, ReadDiscStructure,
    ReadTocPmaAtip, ReadTrackInformation, TocFormat, TrackAddressType,
};
pub use error::CdbError;
pub use format::{FormatType, FormatUnit, ReadFormatCapacities};
pub use mode::{ModeSelect10, ModeSense10, PageControl};
pub use opcode::{group_cdb_len, Opcode};
pub use read_write::{Read10, Read12, Verify10, Write10, Write12};
pub use repr::{
    blocks_to_bytes, CdbRepr, Transfer, BLOCK_LEN, CONTROL_LINK, CONTROL_NACA, CONTROL_VENDOR_BITS,
};
pub use send_disc_structure::{LayerBoundary, SendDiscStructure};
pub use speed::{
    CdRotationalControl, GetPerformance, PerformanceType, SetCdSpeed, SetStreaming, StreamingType,
};
pub use status::{
    ConfigurationRequest, GetConfiguration, GetEventStatusNotification, MechanismStatus,
    ReadBufferCapacity, SynchronizeCache,
};
pub use track::{
    Blank, BlankingType, CloseFunction, CloseTrackSession, Reservation, ReserveTrack, SendCueSheet,
    SendOpcInformation,
};

use crate::wire::CdbBytes;

/// Declares [`Command`] with one variant per command struct; each struct and its
/// [`Opcode`] variant share the name.
macro_rules! commands {
    ($($name:ident),* $(,)?) => {
        /// Any command this crate decodes. Serialized with its name under `"command"` and
        /// every field by name: `{"command":"write10","dpo":false,"fua":false,...}`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(tag = "command", rename_all = "snake_case")]
        pub enum Command {
            $( $name($name), )*
        }

        impl Command {
            /// Decodes a CDB by its operation code. Fails on an empty CDB, an opcode this
            /// crate does not decode, a length other than the command's (zero padding excepted), or a bit outside
            /// the command's layout; never panics.
            #[inline]
            pub fn decode(cdb: &[u8]) -> Result<Self, CdbError> {
                let Some(&opcode) = cdb.first() else {
                    return Err(CdbError::Empty);
                };
                // Matching the byte against constants lets the compiler build one jump table.
                #[allow(non_upper_case_globals)]
                mod byte {
                    use super::Opcode;
                    $( pub const $name: u8 = Opcode::$name.to_u8(); )*
                }
                match opcode {
                    $( byte::$name => $name::decode(cdb).map(Command::$name), )*
                    _ => Err(CdbError::UnknownOpcode { opcode }),
                }
            }

            /// The exact CDB bytes, Control byte 0.
            #[inline]
            pub fn encode(&self) -> CdbBytes {
                match self {
                    $( Command::$name(c) => c.encode(), )*
                }
            }

            /// Byte 0.
            pub const fn opcode(&self) -> Opcode {
                match self {
                    $( Command::$name(_) => Opcode::$name, )*
                }
            }

            /// The data phase the CDB asks for (see [`Transfer`]).
            pub fn expected_transfer(&self) -> Transfer {
                match self {
                    $( Command::$name(c) => c.expected_transfer(), )*
                }
            }
        }

        $(
            impl From<$name> for Command {
                fn from(c: $name) -> Self {
                    Command::$name(c)
                }
            }
        )*
    };
}

commands!(
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
    ReadSubchannel,
    ReadCd,
    SendDiscStructure,
);

impl Command {
    /// The command's name ("WRITE (10)").
    pub const fn name(&self) -> &'static str {
        self.opcode().name()
    }
}

/// One typical command of every kind, as a writer sends it (fuzz seeds, tests).
#[doc(hidden)]
pub fn sample_commands() -> Vec<Command> {
    vec![
        TestUnitReady.into(),
        RequestSense {
            descriptor_format: false,
            allocation_length: 18,
        }
        .into(),
        FormatUnit::with_parameters().into(),
        Inquiry {
            vpd_page: None,
            allocation_length: 36,
        }
        .into(),
        StartStopUnit::load().into(),
        PreventAllowMediumRemoval {
            persistent: false,
            prevent: true,
        }
        .into(),
        ReadFormatCapacities {
            allocation_length: 252,
        }
        .into(),
        ReadCapacity::default().into(),
        Read10 {
            lba: 16,
            blocks: 16,
            ..Read10::default()
        }
        .into(),
        Write10 {
            lba: -150,
            blocks: 27,
            ..Write10::default()
        }
        .into(),
        Verify10 {
            lba: 0,
            blocks: 32,
            ..Verify10::default()
        }
        .into(),
        SynchronizeCache::immediate().into(),
        ReadTocPmaAtip::full_toc(4096).into(),
        GetConfiguration {
            requested_type: ConfigurationRequest::All,
            starting_feature: 0,
            allocation_length: 65530,
        }
        .into(),
        GetEventStatusNotification {
            polled: true,
            class_request: GetEventStatusNotification::ALL_CLASSES,
            allocation_length: 8,
        }
        .into(),
        ReadDiscInformation {
            data_type: DiscInformationType::Standard,
            allocation_length: 34,
        }
        .into(),
        ReadTrackInformation::track(ReadTrackInformation::INVISIBLE_TRACK, 48).into(),
        ReserveTrack {
            rmz: false,
            reservation: Reservation::Size(2_295_104),
        }
        .into(),
        SendOpcInformation {
            do_opc: true,
            ..SendOpcInformation::default()
        }
        .into(),
        ModeSelect10 {
            page_format: true,
            save_pages: false,
            parameter_list_length: 60,
        }
        .into(),
        ModeSense10::current(0x2A, 256).into(),
        CloseTrackSession {
            immed: true,
            function: CloseFunction::CloseSession,
            track_number: 0,
        }
        .into(),
        ReadBufferCapacity {
            block: false,
            allocation_length: 12,
        }
        .into(),
        SendCueSheet { cue_sheet_size: 32 }.into(),
        Blank {
            immed: true,
            blanking_type: BlankingType::Minimal,
            start_address: 0,
        }
        .into(),
        Read12 {
            lba: 0,
            blocks: 32,
            ..Read12::default()
        }
        .into(),
        Write12 {
            lba: 0,
            blocks: 32,
            streaming: true,
            ..Write12::default()
        }
        .into(),
        GetPerformance::write_speeds(16).into(),
        ReadDiscStructure {
            allocation_length: 2052,
            ..ReadDiscStructure::default()
        }
        .into(),
        SetStreaming::performance().into(),
        SetCdSpeed {
            rotational_control: CdRotationalControl::ClvOrNonPureCav,
            read_speed: SetCdSpeed::MAX_SPEED,
            write_speed: 1764,
        }
        .into(),
        MechanismStatus {
            allocation_length: 8,
        }
        .into(),
        ReadSubchannel::media_catalog_number().into(),
        ReadCd {
            lba: 0,
            blocks: 1,
            sync: true,
            header_codes: ReadCd::HEADER,
            user_data: true,
            edc_ecc: true,
            ..ReadCd::default()
        }
        .into(),
        SendDiscStructure::layer_boundary().into(),
    ]
}

/// One valid encoded CDB of every command [`Command`] decodes, used as fuzz seeds.
#[doc(hidden)]
pub fn sample_cdbs() -> Vec<Vec<u8>> {
    sample_commands()
        .iter()
        .map(|c| c.encode().as_slice().to_vec())
        .collect()
}
