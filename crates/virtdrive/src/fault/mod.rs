//! Fault plans: JSON rules that make any command answer anything.
//!
//! A [`FaultPlan`] is a list of rules, each a MATCH (opcode, occurrence, LBA range, virtual
//! time window, medium, probability) and an ACTION (any sense, a timeout before or after the
//! command took effect, a vanished device, a delay, a short transfer, corrupted data-in, a
//! write reported GOOD but dropped, power loss, or a [`DriveCondition`]), with how many times
//! it may fire. The schema is in [`plan`]; the README's "Fault plans" section describes it
//! with the examples in `fixtures/fault-plans/`.
//!
//! Who applies a plan: [`Faulty`], a decorator over any [`mmc_core::Transport`], calls
//! [`FaultPlan::evaluate`] once for every command it passes on, before the command runs. Over
//! the emulator ([`Faulty::for_drive`] with a drive implementing [`DriveHooks`]) it applies
//! every kind of action; over any other transport ([`Faulty::new`]) the actions a transport
//! can suffer ([`ActionKind::TRANSPORT`]), and it refuses plans that need the drive.
//!
//! How each [`Fault`] is applied:
//! - `sense`: answer CHECK CONDITION with [`SenseAction::to_bytes`], the whole data phase as
//!   residual; with `executed`, run the command first and keep its residual.
//! - `timeout_before`: do not run the command; the drive's clock advances by the host's
//!   timeout and the host gets `TransportError::Timeout`. `timeout_after`: run it, then the
//!   same.
//! - `device_gone`: `TransportError::DeviceGone`, for this command and every later one.
//! - `delay`: advance the drive's clock by the delay, then run the command as usual.
//! - `short_transfer`: run the command, moving only the first bytes (data-out: the drive sees
//!   only those); GOOD with the rest as residual.
//! - `corrupt_data_in`: run it, then [`Fault::corrupt`] the bytes actually transferred.
//! - `drop_write`: GOOD without running it.
//! - `power_loss`: do not run it; the disc reverts to its last synchronized state, a 06/29/00
//!   is pending, and the host gets `TransportError::Timeout` for this command.
//! - `drive_condition`: enter the [`DriveCondition`], then answer the command from that state.
//!
//! Precedence: for each command the rules are tried in file order and the first one that
//! matches, still has fires left and wins its probability draw fires; later rules are not
//! looked at (they neither fire nor draw). One command gets at most one fault.
//!
//! Determinism: the plan's only randomness is a ChaCha8 generator keyed with the plan's seed,
//! drawn in a fixed order (one draw per probability rule that otherwise matches, one per
//! `corrupt_data_in` that fires). The same plan fed the same commands decides the same faults.

mod action;
mod condition;
mod drive_hooks;
mod error;
mod faulty;
mod fields;
mod matcher;
pub mod plan;
mod random;

use std::collections::BTreeMap;
use std::path::Path;

use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha8Rng;

pub use action::{ActionKind, Fault, FaultAction, SenseAction, MAX_CORRUPT_BITS};
pub use condition::DriveCondition;
pub use drive_hooks::{Arrival, DriveHooks};
pub use error::FaultPlanError;
pub use faulty::{Faulty, FiredFault};
pub use fields::opcode_from_name;
pub use matcher::{block_range, CommandContext, LbaRange, Occurrence, RuleMatch, TimeWindow};
pub use plan::{FaultPlanSpec, FaultRule, Times};
pub use random::{RandomPlanOptions, MAX_SCRIPTED_RULES};

/// A fault plan ready to decide: its rules and the counters and generator it keeps while
/// commands pass.
///
/// ```
/// use std::time::Duration;
/// use mmc_core::sense::{Sense, SenseKey};
/// use mmc_core::{DataPhase, Transport};
/// use virtdrive::fault::{FaultPlan, Faulty};
/// use virtdrive::{medium::MediumKind, DriveConfig, DiscFileDrive};
///
/// // The second TEST UNIT READY answers 02/04/01 (becoming ready), once.
/// let plan = FaultPlan::from_json_str(r#"{
///     "rules": [ { "match": { "opcode": "TEST UNIT READY", "nth": 2 },
///                  "action": { "sense": { "key": "not_ready", "asc": "0x04", "ascq": 1 } },
///                  "times": "once" } ]
/// }"#)?;
/// let drive = DiscFileDrive::in_memory(MediumKind::BdRe, DriveConfig::default());
/// let mut drive = Faulty::for_drive(drive, plan);
/// let tur = [0u8; 6];
/// let t = Duration::from_secs(5);
/// assert!(drive.execute(&tur, DataPhase::None, t)?.is_good());
/// let second = drive.execute(&tur, DataPhase::None, t)?;
/// let sense = Sense::parse(&second.sense)?;
/// assert_eq!((sense.key, sense.asc, sense.ascq), (SenseKey::NotReady, Some(0x04), Some(0x01)));
/// assert!(drive.execute(&tur, DataPhase::None, t)?.is_good());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FaultPlan {
    spec: FaultPlanSpec,
    state: Counters,
}

/// What a plan remembers between commands.
#[derive(Debug, Clone)]
struct Counters {
    rng: ChaCha8Rng,
    /// Commands seen, per opcode byte.
    per_opcode: BTreeMap<u8, u64>,
    /// Commands seen in all.
    commands: u64,
    /// Times each rule fired, by rule index.
    fired: Vec<u64>,
    /// The rule whose `device_gone` fired: every later command gets it too.
    gone: Option<usize>,
}

impl Counters {
    fn new(spec: &FaultPlanSpec) -> Self {
        Counters {
            rng: action::chacha_from_u64(spec.seed),
            per_opcode: BTreeMap::new(),
            commands: 0,
            fired: vec![0; spec.rules.len()],
            gone: None,
        }
    }
}

impl FaultPlan {
    /// A plan from its rules; checks them as loading from JSON does.
    pub fn new(spec: FaultPlanSpec) -> Result<Self, FaultPlanError> {
        error::check_spec(&spec, "<plan>")?;
        Ok(Self::from_checked(spec))
    }

    fn from_checked(spec: FaultPlanSpec) -> Self {
        let state = Counters::new(&spec);
        FaultPlan { spec, state }
    }

    /// A plan that never fires.
    pub fn empty() -> Self {
        Self::from_checked(FaultPlanSpec::default())
    }

    /// Reads a plan from JSON text; errors name `<string>` as its origin.
    pub fn from_json_str(text: &str) -> Result<Self, FaultPlanError> {
        error::parse_spec(text, "<string>").map(Self::from_checked)
    }

    /// Reads a plan from a JSON file; errors name the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, FaultPlanError> {
        error::read_spec(path.as_ref()).map(Self::from_checked)
    }

    /// A concrete plan drawn from `seed`: the same seed and options always give the same
    /// rules, which can be saved with [`FaultPlan::to_json_pretty`] and replayed.
    pub fn random(seed: u64, options: &RandomPlanOptions) -> Self {
        Self::from_checked(random::generate(seed, options))
    }

    /// The plan as JSON, as [`FaultPlan::from_json_str`] reads it (without the counters).
    pub fn to_json_pretty(&self) -> String {
        // A FaultPlanSpec always serializes: every key is a string and every number finite
        // (probabilities are checked on construction).
        serde_json::to_string_pretty(&self.spec).unwrap_or_default()
    }

    pub fn spec(&self) -> &FaultPlanSpec {
        &self.spec
    }

    pub fn rules(&self) -> &[FaultRule] {
        &self.spec.rules
    }

    pub fn seed(&self) -> u64 {
        self.spec.seed
    }

    /// Times rule `rule` has fired (0 for a rule that does not exist).
    pub fn fire_count(&self, rule: usize) -> u64 {
        self.state.fired.get(rule).copied().unwrap_or(0)
    }

    /// Commands the plan has been asked about.
    pub fn commands_seen(&self) -> u64 {
        self.state.commands
    }

    /// True once a `device_gone` fired.
    pub fn device_gone(&self) -> bool {
        self.state.gone.is_some()
    }

    /// Forgets every command seen and restarts the generator: the plan decides again as when
    /// it was loaded.
    pub fn reset(&mut self) {
        self.state = Counters::new(&self.spec);
    }

    /// The first rule that makes a fault of `ctx`, per the precedence in the module
    /// documentation. Call it once for every command, including those that get no fault, in
    /// the order they arrive: occurrences count every call.
    pub fn evaluate(&mut self, ctx: &CommandContext) -> Option<Fault> {
        let Counters {
            rng,
            per_opcode,
            commands,
            fired,
            gone,
        } = &mut self.state;
        *commands = commands.saturating_add(1);
        let of_opcode = per_opcode.entry(ctx.opcode.to_u8()).or_insert(0);
        *of_opcode = of_opcode.saturating_add(1);
        let of_opcode = *of_opcode;

        if let Some(rule) = *gone {
            return Some(Fault {
                rule,
                action: FaultAction::DeviceGone,
                occurrence: of_opcode,
                entropy: 0,
            });
        }

        for (index, (rule, count)) in self.spec.rules.iter().zip(fired.iter_mut()).enumerate() {
            if !rule.times.allows(*count) {
                continue;
            }
            let occurrence = if rule.matcher.opcode.is_some() {
                of_opcode
            } else {
                *commands
            };
            if !rule.matcher.matches(ctx, occurrence) {
                continue;
            }
            if let Some(p) = rule.matcher.probability {
                if !draw(rng, p) {
                    continue;
                }
            }
            *count = count.saturating_add(1);
            let entropy = match rule.action {
                FaultAction::CorruptDataIn { .. } => rng.next_u64(),
                _ => 0,
            };
            if rule.action == FaultAction::DeviceGone {
                *gone = Some(index);
            }
            return Some(Fault {
                rule: index,
                action: rule.action.clone(),
                occurrence,
                entropy,
            });
        }
        None
    }
}

impl Default for FaultPlan {
    fn default() -> Self {
        Self::empty()
    }
}

/// True with probability `p`. Certain outcomes (0 and 1) take no draw, so adding such a rule
/// does not shift the draws of the others.
fn draw(rng: &mut ChaCha8Rng, p: f64) -> bool {
    if p >= 1.0 {
        return true;
    }
    if p <= 0.0 || p.is_nan() {
        return false;
    }
    // The top 53 bits as a uniform number in [0, 1).
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    unit < p
}
