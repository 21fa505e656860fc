//! Seeded random plans for fault campaigns. [`generate`] turns a seed and
//! [`RandomPlanOptions`] into a concrete [`FaultPlanSpec`]: ordinary rules that can be printed,
//! saved, edited and replayed, so a failing campaign run is reproduced from its plan file alone.
//!
//! Two kinds of rule come out:
//! - scripted rules, each firing once at a chosen occurrence of a chosen command;
//! - with `probability` above zero, one probability rule per command, firing on any
//!   occurrence with that chance, drawn from the plan's generator as commands pass.

use core::time::Duration;

use mmc_core::sense::{triples, SenseFormat, SenseTriple};
use mmc_core::Opcode;
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::action::{chacha_from_u64, ActionKind, FaultAction, SenseAction};
use super::condition::DriveCondition;
use super::fields;
use super::matcher::{Occurrence, RuleMatch};
use super::plan::{FaultPlanSpec, FaultRule, Times};

/// Most scripted rules one plan gets, whatever the density asks: a plan is meant to be read.
pub const MAX_SCRIPTED_RULES: usize = 10_000;

/// What a random plan may contain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomPlanOptions {
    /// Scripted faults per command occurrence: the plan gets about
    /// `density × horizon × opcodes.len()` scripted rules (at most [`MAX_SCRIPTED_RULES`]).
    pub density: f64,
    /// Scripted rules pick their occurrence in `1..=horizon` of their command.
    pub horizon: u64,
    /// When above zero, each command also gets a rule firing with this chance on every
    /// occurrence.
    pub probability: f64,
    /// The actions rules may take; an empty list means [`ActionKind::TRANSPORT`] less
    /// `device_gone` (which ends a campaign at its first firing).
    pub actions: Vec<ActionKind>,
    /// The commands rules target; an empty list means [`RandomPlanOptions::WRITER_COMMANDS`].
    #[serde(with = "fields::opcode_list")]
    pub opcodes: Vec<Opcode>,
}

impl Default for RandomPlanOptions {
    fn default() -> Self {
        RandomPlanOptions {
            density: 0.01,
            horizon: 1000,
            probability: 0.0,
            actions: Vec::new(),
            opcodes: Vec::new(),
        }
    }
}

impl RandomPlanOptions {
    /// The commands a writing engine sends in a burn, from identification to closing.
    pub const WRITER_COMMANDS: [Opcode; 16] = [
        Opcode::TestUnitReady,
        Opcode::Inquiry,
        Opcode::GetConfiguration,
        Opcode::ReadDiscInformation,
        Opcode::ReadTrackInformation,
        Opcode::ReadCapacity,
        Opcode::ModeSense10,
        Opcode::ModeSelect10,
        Opcode::SetStreaming,
        Opcode::Write10,
        Opcode::Write12,
        Opcode::Read10,
        Opcode::Verify10,
        Opcode::SynchronizeCache,
        Opcode::CloseTrackSession,
        Opcode::FormatUnit,
    ];

    fn actions(&self) -> Vec<ActionKind> {
        if self.actions.is_empty() {
            ActionKind::TRANSPORT
                .into_iter()
                .filter(|k| *k != ActionKind::DeviceGone)
                .collect()
        } else {
            self.actions.clone()
        }
    }

    fn opcodes(&self) -> Vec<Opcode> {
        if self.opcodes.is_empty() {
            Self::WRITER_COMMANDS.to_vec()
        } else {
            self.opcodes.clone()
        }
    }
}

/// A uniform number in `0..n` (0 when `n` is 0). The modulo bias is below 2^-40 for the small
/// ranges used here, and the result depends only on the generator's stream.
fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    if n == 0 {
        0
    } else {
        rng.next_u64() % n
    }
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> Option<T> {
    let i = usize::try_from(below(rng, items.len() as u64)).ok()?;
    items.get(i).copied()
}

/// The plan for `seed`. The rules come from stream 1 of ChaCha8 keyed with the seed; the plan
/// itself draws from stream 0 as commands pass, so the two never share numbers.
pub(crate) fn generate(seed: u64, options: &RandomPlanOptions) -> FaultPlanSpec {
    let mut rng = chacha_from_u64(seed);
    rng.set_stream(1);
    let actions = options.actions();
    let opcodes = options.opcodes();
    let horizon = options.horizon.max(1);

    let wanted = if options.density.is_finite() && options.density > 0.0 {
        let expected = options.density * horizon as f64 * opcodes.len() as f64;
        (expected.round().min(MAX_SCRIPTED_RULES as f64)) as usize
    } else {
        0
    };
    // Distinct (opcode, occurrence) pairs, so no scripted rule hides another; the sort keeps
    // the printed plan readable.
    let mut targets: Vec<(u8, u64)> = Vec::with_capacity(wanted);
    let mut attempts = 0usize;
    while targets.len() < wanted && attempts < wanted.saturating_mul(8) {
        attempts += 1;
        let Some(opcode) = pick(&mut rng, &opcodes) else {
            break;
        };
        let target = (opcode.to_u8(), 1 + below(&mut rng, horizon));
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    targets.sort_unstable();

    let mut rules = Vec::new();
    for (opcode, nth) in targets {
        let opcode = Opcode::from_u8(opcode);
        let Some(kind) = pick(&mut rng, &actions) else {
            break;
        };
        let matcher = RuleMatch {
            opcode: Some(opcode),
            nth: Some(Occurrence::Nth(nth)),
            ..RuleMatch::default()
        };
        rules.push(FaultRule::new(matcher, action(&mut rng, kind, opcode)).times(Times::ONCE));
    }

    let p = options.probability;
    if p.is_finite() && p > 0.0 {
        for opcode in &opcodes {
            let Some(kind) = pick(&mut rng, &actions) else {
                break;
            };
            let matcher = RuleMatch {
                opcode: Some(*opcode),
                probability: Some(p.min(1.0)),
                ..RuleMatch::default()
            };
            rules.push(FaultRule::new(matcher, action(&mut rng, kind, *opcode)));
        }
    }

    FaultPlanSpec {
        description: Some(format!(
            "random plan, seed {seed}: {} rules over {} commands",
            rules.len(),
            opcodes.len()
        )),
        seed,
        rules,
    }
}

/// Sense a drive really returns to each kind of command (MMC-6 clause 6 gives the errors of
/// each command).
fn plausible_sense(opcode: Opcode) -> &'static [SenseTriple] {
    const WRITE: &[SenseTriple] = &[
        triples::WRITE_ERROR,
        triples::LOSS_OF_STREAMING,
        triples::INVALID_ADDRESS_FOR_WRITE,
        triples::LONG_WRITE_IN_PROGRESS,
        triples::WRITE_PROTECTED,
        triples::POWER_ON_RESET,
        triples::ABORTED_COMMAND,
    ];
    const READ: &[SenseTriple] = &[
        triples::UNRECOVERED_READ_ERROR,
        triples::ILLEGAL_MODE_FOR_THIS_TRACK, // run-out blocks
        triples::LBA_OUT_OF_RANGE,
        triples::MEDIUM_MAY_HAVE_CHANGED,
        triples::ABORTED_COMMAND,
    ];
    const FINISH: &[SenseTriple] = &[
        triples::WRITE_ERROR,
        triples::LOSS_OF_STREAMING,
        triples::SESSION_FIXATION_ERROR,
        triples::LONG_WRITE_IN_PROGRESS,
        triples::FORMAT_IN_PROGRESS,
        triples::POWER_ON_RESET,
    ];
    const OTHER: &[SenseTriple] = &[
        triples::BECOMING_READY,
        triples::MEDIUM_NOT_PRESENT_TRAY_CLOSED,
        triples::MEDIUM_MAY_HAVE_CHANGED,
        triples::POWER_ON_RESET,
        triples::INVALID_FIELD_IN_CDB,
        triples::ABORTED_COMMAND,
    ];
    match opcode {
        Opcode::Write10 | Opcode::Write12 => WRITE,
        Opcode::Read10 | Opcode::Read12 | Opcode::Verify10 => READ,
        Opcode::SynchronizeCache | Opcode::CloseTrackSession | Opcode::FormatUnit => FINISH,
        _ => OTHER,
    }
}

/// A concrete action of `kind` for `opcode`, its details drawn from `rng`.
fn action(rng: &mut ChaCha8Rng, kind: ActionKind, opcode: Opcode) -> FaultAction {
    match kind {
        ActionKind::Sense => {
            let triple = pick(rng, plausible_sense(opcode)).unwrap_or(triples::WRITE_ERROR);
            let mut sense = SenseAction::new(triple);
            if below(rng, 4) == 0 {
                sense.format = SenseFormat::Descriptor;
            }
            FaultAction::Sense(sense)
        }
        ActionKind::TimeoutBefore => FaultAction::TimeoutBefore,
        ActionKind::TimeoutAfter => FaultAction::TimeoutAfter,
        ActionKind::DeviceGone => FaultAction::DeviceGone,
        // 1 ms to 30 s: from a hiccup to a drive that recalibrates.
        ActionKind::Delay => FaultAction::Delay(Duration::from_millis(1 + below(rng, 30_000))),
        ActionKind::ShortTransfer => {
            // Either a reply cut inside its header, or a data transfer cut at a sector
            // boundary of a 32-sector WRITE or READ.
            let bytes = if below(rng, 2) == 0 {
                below(rng, 33)
            } else {
                2048 * below(rng, 32)
            };
            FaultAction::ShortTransfer { bytes }
        }
        ActionKind::CorruptDataIn => FaultAction::CorruptDataIn {
            bits: 1 + below(rng, 3) as u32,
        },
        ActionKind::DropWrite => FaultAction::DropWrite,
        ActionKind::PowerLoss => FaultAction::PowerLoss,
        ActionKind::DriveCondition => {
            let condition = match below(rng, 6) {
                0 => DriveCondition::WriteProtect,
                1 => DriveCondition::Eject,
                2 => DriveCondition::NoMedium,
                3 => DriveCondition::UpsideDown,
                4 => DriveCondition::PowerOnReset,
                _ => DriveCondition::BecomingReady {
                    duration: Duration::from_secs(1 + below(rng, 10)),
                },
            };
            FaultAction::DriveCondition(condition)
        }
    }
}
