//! What a rule does to the command it matches ([`FaultAction`]), and the fault a plan decides
//! on for one command ([`Fault`]).

use core::fmt;
use core::time::Duration;

use mmc_core::sense::{SenseBuilder, SenseFormat, SenseKey, SenseKeySpecific, SenseTriple};
use mmc_core::SenseBytes;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::condition::DriveCondition;
use super::fields;

/// Most bits one `corrupt_data_in` may flip.
pub const MAX_CORRUPT_BITS: u32 = 64;

/// The answer a rule puts in place of the drive's.
///
/// JSON, externally tagged: `{"sense": {...}}`, `"timeout_before"`, `"timeout_after"`,
/// `"device_gone"`, `{"delay": {"ms": 500}}`, `{"short_transfer": {"bytes": 2048}}`,
/// `{"corrupt_data_in": {"bits": 1}}`, `"drop_write"`, `"power_loss"`,
/// `{"drive_condition": "write_protect"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// CHECK CONDITION with this sense. The command is not executed unless `executed` is set.
    Sense(SenseAction),
    /// The command never completes: the host's timeout expires (`TransportError::Timeout`) and
    /// the command had no effect.
    TimeoutBefore,
    /// The command is executed, but its completion is lost: the host sees
    /// `TransportError::Timeout`, yet the drive's state (data written, disc closed) changed.
    TimeoutAfter,
    /// The device vanishes: this command and every later one fail with
    /// `TransportError::DeviceGone`.
    DeviceGone,
    /// The command is executed normally, after this much extra virtual time.
    Delay(#[serde(with = "fields::duration")] Duration),
    /// The command is executed but only the first `bytes` of the data phase move: GOOD with a
    /// residual of the rest. Data-in beyond `bytes` is left as the host's buffer held it.
    ShortTransfer { bytes: u64 },
    /// The command is executed and `bits` bits of the data-in it transferred are flipped, at
    /// positions drawn from the plan's generator (see [`Fault::corrupt`]).
    CorruptDataIn {
        #[serde(default = "one_bit")]
        bits: u32,
    },
    /// GOOD without executing the command: a WRITE reported done but never stored (the false
    /// success of Psysonic#1538). On a data-in command nothing is transferred.
    DropWrite,
    /// Power fails during the command: it gets no answer (the host's timeout expires), has no
    /// effect, the disc reverts to its last synchronized state, and the next command gets
    /// 06/29/00 POWER ON RESET. Emulator only.
    PowerLoss,
    /// The drive enters a [`DriveCondition`]. Emulator only.
    DriveCondition(DriveCondition),
}

fn one_bit() -> u32 {
    1
}

impl FaultAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            FaultAction::Sense(_) => ActionKind::Sense,
            FaultAction::TimeoutBefore => ActionKind::TimeoutBefore,
            FaultAction::TimeoutAfter => ActionKind::TimeoutAfter,
            FaultAction::DeviceGone => ActionKind::DeviceGone,
            FaultAction::Delay(_) => ActionKind::Delay,
            FaultAction::ShortTransfer { .. } => ActionKind::ShortTransfer,
            FaultAction::CorruptDataIn { .. } => ActionKind::CorruptDataIn,
            FaultAction::DropWrite => ActionKind::DropWrite,
            FaultAction::PowerLoss => ActionKind::PowerLoss,
            FaultAction::DriveCondition(_) => ActionKind::DriveCondition,
        }
    }

    /// The sense this action answers with, for a `sense` action.
    pub fn sense(&self) -> Option<&SenseAction> {
        match self {
            FaultAction::Sense(s) => Some(s),
            _ => None,
        }
    }
}

/// The kinds of [`FaultAction`], by their JSON names: for choosing what a random plan may use
/// and for saying which ones need the emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Sense,
    TimeoutBefore,
    TimeoutAfter,
    DeviceGone,
    Delay,
    ShortTransfer,
    CorruptDataIn,
    DropWrite,
    PowerLoss,
    DriveCondition,
}

impl ActionKind {
    pub const ALL: [ActionKind; 10] = [
        ActionKind::Sense,
        ActionKind::TimeoutBefore,
        ActionKind::TimeoutAfter,
        ActionKind::DeviceGone,
        ActionKind::Delay,
        ActionKind::ShortTransfer,
        ActionKind::CorruptDataIn,
        ActionKind::DropWrite,
        ActionKind::PowerLoss,
        ActionKind::DriveCondition,
    ];

    /// The kinds any transport can suffer, which [`super::Faulty`] applies.
    pub const TRANSPORT: [ActionKind; 7] = [
        ActionKind::Sense,
        ActionKind::TimeoutBefore,
        ActionKind::TimeoutAfter,
        ActionKind::DeviceGone,
        ActionKind::ShortTransfer,
        ActionKind::CorruptDataIn,
        ActionKind::DropWrite,
    ];

    /// True for the kinds that change the drive's clock, disc or state, which only the
    /// emulator can apply: `delay`, `power_loss`, `drive_condition`.
    pub const fn needs_drive(self) -> bool {
        matches!(
            self,
            ActionKind::Delay | ActionKind::PowerLoss | ActionKind::DriveCondition
        )
    }

    pub const fn name(self) -> &'static str {
        match self {
            ActionKind::Sense => "sense",
            ActionKind::TimeoutBefore => "timeout_before",
            ActionKind::TimeoutAfter => "timeout_after",
            ActionKind::DeviceGone => "device_gone",
            ActionKind::Delay => "delay",
            ActionKind::ShortTransfer => "short_transfer",
            ActionKind::CorruptDataIn => "corrupt_data_in",
            ActionKind::DropWrite => "drop_write",
            ActionKind::PowerLoss => "power_loss",
            ActionKind::DriveCondition => "drive_condition",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Sense data to answer with: any key, ASC and ASCQ, with the optional fields of SPC-4 4.5.
///
/// JSON: `{"key": "medium_error", "asc": "0x0C", "ascq": 9, "information": 1024,
/// "sks": {"retry_count": 3}, "format": "descriptor"}`. `key` is a number 0-15 or a name;
/// `asc` and `ascq` are numbers or hex text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenseAction {
    #[serde(with = "fields::sense_key")]
    pub key: SenseKey,
    #[serde(with = "fields::byte")]
    pub asc: u8,
    #[serde(with = "fields::byte")]
    pub ascq: u8,
    /// The INFORMATION field (for example the LBA that failed). Fixed format holds 32 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<u64>,
    /// COMMAND-SPECIFIC INFORMATION. Fixed format holds 32 bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_specific: Option<u64>,
    /// The sense-key-specific field, in mmc-core's JSON: `{"field_pointer": {"in_cdb": true,
    /// "bit": null, "byte": 2}}`, `{"progress": 32768}`, `{"retry_count": 3}`,
    /// `{"raw": [0, 0, 0]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sks: Option<SenseKeySpecific>,
    /// `fixed` (70h, the default) or `descriptor` (72h).
    #[serde(default = "fixed_format")]
    pub format: SenseFormat,
    /// Reports an error of an earlier command (71h/73h).
    #[serde(default, skip_serializing_if = "is_false")]
    pub deferred: bool,
    /// The command is executed before the sense is returned (a RECOVERED ERROR, or a write
    /// whose data did reach the disc although the drive complains).
    #[serde(default, skip_serializing_if = "is_false")]
    pub executed: bool,
}

fn fixed_format() -> SenseFormat {
    SenseFormat::Fixed
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl SenseAction {
    /// Key, ASC and ASCQ only, fixed format, not executed.
    pub const fn new(triple: SenseTriple) -> Self {
        SenseAction {
            key: triple.key,
            asc: triple.asc,
            ascq: triple.ascq,
            information: None,
            command_specific: None,
            sks: None,
            format: SenseFormat::Fixed,
            deferred: false,
            executed: false,
        }
    }

    pub const fn triple(&self) -> SenseTriple {
        SenseTriple {
            key: self.key,
            asc: self.asc,
            ascq: self.ascq,
        }
    }

    /// The sense as a builder, for a drive that adds fields of its own.
    pub fn builder(&self) -> SenseBuilder {
        let mut b = SenseBuilder::new(self.triple());
        b.information = self.information;
        b.command_specific = self.command_specific;
        b.sense_key_specific = self.sks;
        b.deferred = self.deferred;
        b
    }

    /// The sense bytes in the chosen format.
    pub fn to_bytes(&self) -> SenseBytes {
        self.builder().build(self.format)
    }
}

/// The fault a plan decided on for one command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    /// Index of the rule that fired, in the plan's `rules` (0 for the first).
    pub rule: usize,
    pub action: FaultAction,
    /// The occurrence number the rule counted for this command (see
    /// [`super::Occurrence`]).
    pub occurrence: u64,
    /// A number drawn from the plan's generator when the rule fired, from which random
    /// details of the action (the bits `corrupt_data_in` flips) are derived; 0 for actions
    /// that need none.
    pub entropy: u64,
}

impl Fault {
    /// For a `corrupt_data_in` fault, flips its bits in `data_in` (the bytes the command
    /// actually transferred); does nothing for other actions or an empty buffer. The positions
    /// are distinct and depend only on [`Fault::entropy`] and the length, so a replay flips
    /// the same bits.
    pub fn corrupt(&self, data_in: &mut [u8]) {
        let FaultAction::CorruptDataIn { bits } = self.action else {
            return;
        };
        let total_bits = (data_in.len() as u64).saturating_mul(8);
        if total_bits == 0 {
            return;
        }
        let wanted = u64::from(bits.min(MAX_CORRUPT_BITS)).min(total_bits);
        let mut rng = chacha_from_u64(self.entropy);
        let mut flipped: Vec<u64> = Vec::new();
        // Distinct positions: flipping a bit twice would undo it. With at most 64 bits
        // wanted, a collision is rare; the cap bounds the loop on tiny buffers.
        let mut draws = 0u32;
        while (flipped.len() as u64) < wanted && draws < 64 * MAX_CORRUPT_BITS {
            draws += 1;
            let position = rng.next_u64() % total_bits;
            if flipped.contains(&position) {
                continue;
            }
            flipped.push(position);
            let byte = usize::try_from(position / 8).unwrap_or(usize::MAX);
            if let Some(b) = data_in.get_mut(byte) {
                *b ^= 1 << (position % 8);
            }
        }
    }
}

/// ChaCha8 keyed with `seed` in its first eight bytes (little-endian). Spelled out instead of
/// `SeedableRng::seed_from_u64`, whose expansion of the number rand_core does not promise to
/// keep, so that saved plans replay the same way with any version.
pub(crate) fn chacha_from_u64(seed: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    for (k, s) in key.iter_mut().zip(seed.to_le_bytes()) {
        *k = s;
    }
    ChaCha8Rng::from_seed(key)
}
