//! DVD+RW, BD-RE (one and two layers), DVD-RAM and DVD-RW in Restricted Overwrite against a
//! reference model: one overwritable track of a known capacity, written anywhere in 2 KiB
//! sectors (on DVD-RW in whole 16-sector blocks only, feature 002Ch); what was written last
//! reads back; a power loss returns to what was last synchronized (SYNCHRONIZE CACHE, CLOSE
//! TRACK/SESSION).

use std::collections::BTreeMap;
use std::time::Duration;

use mmc_core::sense::triples;
use mmc_core::DataPhase;
use proptest::prelude::*;
use virtdrive::medium::MediumKind;

use super::host::*;

/// User sectors of a formatted single-layer DVD+RW (MMC-6 profile 1Ah; 4.7 GB discs).
const DVD_PLUS_RW_SECTORS: i64 = 2_295_104;
/// BD-RE single layer formatted without spare areas (type 31h).
const BD_RE_NO_SPARE_SECTORS: i64 = 12_219_392;
/// DVD-RW formatted whole (FORMAT UNIT 10h).
const DVD_RW_SECTORS: i64 = 2_298_496;
/// BD-RE with the default spare areas (type 00h): 12,288 spare clusters of 32 sectors.
const BD_RE_DEFAULT_SPARE_SECTORS: i64 = 12_219_392 - 12_288 * 32;
/// BD-RE DL with the default spare areas: 12,288 spare clusters on each layer.
const BD_RE_DL_DEFAULT_SPARE_SECTORS: i64 = 24_438_784 - 2 * 12_288 * 32;
/// DVD-RAM as sold: formatted with the default spare areas.
const DVD_RAM_SECTORS: i64 = 2_236_704;

/// How the disc under test was prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preparation {
    /// DVD+RW, FORMAT UNIT 26h, and the background format left to finish.
    DvdFormatted,
    /// DVD+RW, FORMAT UNIT 26h, written at once while the background format runs.
    DvdFormatting,
    /// BD-RE, FORMAT UNIT 31h (no spare areas) with the given certification sub-type.
    BdNoSpare { subtype: u8 },
    /// BD-RE, FORMAT UNIT 00h (default spare areas, defect management).
    BdDefaultSpare,
    /// DVD-RW, FORMAT UNIT 10h of the whole disc: Restricted Overwrite.
    DvdRwFormatted,
    /// BD-RE DL, FORMAT UNIT 00h.
    BdDlDefaultSpare,
    /// DVD-RAM as sold (formatted, defect management).
    RamAsSold,
}

impl Preparation {
    fn capacity(self) -> i64 {
        match self {
            Preparation::DvdFormatted | Preparation::DvdFormatting => DVD_PLUS_RW_SECTORS,
            Preparation::BdNoSpare { .. } => BD_RE_NO_SPARE_SECTORS,
            Preparation::BdDefaultSpare => BD_RE_DEFAULT_SPARE_SECTORS,
            Preparation::DvdRwFormatted => DVD_RW_SECTORS,
            Preparation::BdDlDefaultSpare => BD_RE_DL_DEFAULT_SPARE_SECTORS,
            Preparation::RamAsSold => DVD_RAM_SECTORS,
        }
    }

    /// The ECC block a write must fill whole (Restricted Overwrite), if any.
    fn write_unit(self) -> Option<i64> {
        (self == Preparation::DvdRwFormatted).then_some(16)
    }

    /// Power loss during a DVD+RW background format stops the format where it got to; what
    /// the unformatted rest then reads as is outside this model, so that case gets no power
    /// loss and no CLOSE (which stops the format too).
    fn allows_interruptions(self) -> bool {
        self != Preparation::DvdFormatting
    }
}

/// Where an operation goes: near the start (so writes overlap and share ECC blocks), or
/// around the end of the user area (so some cross it).
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Start(u32),
    End(u32),
}

impl Place {
    fn lba(self, capacity: i64) -> i64 {
        match self {
            Place::Start(k) => i64::from(k),
            Place::End(k) => capacity - 48 + i64::from(k),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Op {
    Write {
        at: Place,
        blocks: u32,
        twelve: bool,
        streaming: bool,
        tag: u64,
    },
    Read {
        at: Place,
        blocks: u32,
        twelve: bool,
    },
    Synchronize {
        immed: bool,
    },
    Close {
        session: bool,
    },
    PowerLoss,
    Wait {
        ms: u32,
    },
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        6 => (0u32..640).prop_map(Place::Start),
        1 => (0u32..64).prop_map(Place::End),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (place(), 1u32..=40, any::<bool>(), any::<bool>(), any::<u64>()).prop_map(
            |(at, blocks, twelve, streaming, tag)| Op::Write { at, blocks, twelve, streaming, tag }
        ),
        6 => (place(), 1u32..=40, any::<bool>())
            .prop_map(|(at, blocks, twelve)| Op::Read { at, blocks, twelve }),
        2 => any::<bool>().prop_map(|immed| Op::Synchronize { immed }),
        1 => any::<bool>().prop_map(|session| Op::Close { session }),
        1 => Just(Op::PowerLoss),
        1 => (0u32..3000).prop_map(|ms| Op::Wait { ms }),
    ]
}

pub fn dvd_preparation() -> impl Strategy<Value = Preparation> {
    prop_oneof![
        Just(Preparation::DvdFormatted),
        Just(Preparation::DvdFormatting),
    ]
}

pub fn bd_preparation() -> impl Strategy<Value = Preparation> {
    prop_oneof![
        (0u8..2).prop_map(|subtype| Preparation::BdNoSpare { subtype }),
        Just(Preparation::BdDefaultSpare),
        Just(Preparation::BdDlDefaultSpare),
    ]
}

pub fn ram_preparation() -> impl Strategy<Value = Preparation> {
    Just(Preparation::RamAsSold)
}

pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 10..40)
}

/// The disc as the host should see it: the pattern tag of every written sector.
#[derive(Debug, Default)]
struct Model {
    capacity: i64,
    current: BTreeMap<i64, u64>,
    synchronized: BTreeMap<i64, u64>,
}

impl Model {
    fn in_range(&self, lba: i64, blocks: u32) -> bool {
        lba >= 0 && lba + i64::from(blocks) <= self.capacity
    }

    fn tags(&self, lba: i64, blocks: u32) -> Vec<Option<u64>> {
        (lba..lba + i64::from(blocks))
            .map(|l| self.current.get(&l).copied())
            .collect()
    }
}

/// A drive holding the disc, formatted as `prep` says, through CDBs.
fn prepared_drive(prep: Preparation, backing: Backing) -> TestDrive {
    let kind = match prep {
        Preparation::DvdFormatted | Preparation::DvdFormatting => MediumKind::DvdPlusRw,
        Preparation::DvdRwFormatted => MediumKind::DvdRw,
        Preparation::BdDlDefaultSpare => MediumKind::BdReDl,
        Preparation::RamAsSold => MediumKind::DvdRam,
        _ => MediumKind::BdRe,
    };
    let mut drive = TestDrive::blank(kind, backing);
    let list = match prep {
        // 26h: DVD+RW basic format, as much as the disc holds.
        Preparation::DvdFormatted | Preparation::DvdFormatting => format_list(u32::MAX, 0x26, 0, 0),
        // 31h with block length 800h in the type dependent field.
        Preparation::BdNoSpare { subtype } => {
            format_list(BD_RE_NO_SPARE_SECTORS as u32, 0x31, subtype, 0x800)
        }
        // 00h: full format, the default spare areas.
        Preparation::BdDefaultSpare => {
            format_list(BD_RE_DEFAULT_SPARE_SECTORS as u32, 0x00, 0, 0x3000)
        }
        // 10h: DVD-RW full format, the ECC block size in the type dependent field.
        Preparation::DvdRwFormatted => format_list(DVD_RW_SECTORS as u32, 0x10, 0, 16),
        Preparation::BdDlDefaultSpare => {
            format_list(BD_RE_DL_DEFAULT_SPARE_SECTORS as u32, 0x00, 0, 0x6000)
        }
        // Sold formatted: nothing to do.
        Preparation::RamAsSold => return drive,
    };
    send(&mut drive, &FORMAT_UNIT, DataPhase::Out(&list)).good("FORMAT UNIT");
    // BD-RE and DVD-RW block access until the format ends (02/04/04); a DVD+RW is ready at
    // once.
    // A DVD-RW full format takes half an hour: polled once a minute.
    let poll = if prep == Preparation::DvdRwFormatted {
        60
    } else {
        1
    };
    wait_while(
        &mut drive,
        triples::FORMAT_IN_PROGRESS,
        Duration::from_secs(poll),
    );
    if prep == Preparation::DvdFormatted {
        // De-icing 4.7 GB at 2.4x takes under half an hour.
        drive.advance(Duration::from_secs(3600));
    }
    drive
}

/// Runs `ops` against a fresh disc and the model; panics at the first divergence.
pub fn run(prep: Preparation, ops: &[Op], backing: Backing) {
    let mut drive = prepared_drive(prep, backing);
    let mut model = Model {
        capacity: prep.capacity(),
        ..Model::default()
    };
    for (step, op) in ops.iter().enumerate() {
        let ctx = format!("{prep:?}, step {step}: {op:?}");
        match *op {
            Op::Write {
                at,
                blocks,
                twelve,
                streaming,
                tag,
            } => {
                let mut lba = at.lba(model.capacity);
                let mut blocks = blocks;
                // Most writes on a Restricted Overwrite disc fill whole blocks, as hosts
                // write there; the others show the refusal.
                let unit = prep.write_unit();
                if let Some(u) = unit.filter(|_| tag % 4 != 0) {
                    lba = lba / u * u;
                    blocks = u32::try_from((i64::from(blocks) + u - 1) / u * u).unwrap();
                }
                let data = pattern(tag, lba, blocks);
                let cdb = write_cdb(lba, blocks, twelve, twelve && streaming);
                let got = send(&mut drive, &cdb, DataPhase::Out(&data));
                if unit.is_some_and(|u| lba % u != 0) {
                    assert_eq!(
                        got,
                        Answer::Check(triples::INVALID_ADDRESS_FOR_WRITE),
                        "{ctx}"
                    );
                } else if unit.is_some_and(|u| i64::from(blocks) % u != 0) {
                    assert_eq!(got, Answer::Check(triples::INVALID_FIELD_IN_CDB), "{ctx}");
                } else if model.in_range(lba, blocks) {
                    assert_eq!(got, Answer::Good(Vec::new()), "{ctx}");
                    for l in lba..lba + i64::from(blocks) {
                        model.current.insert(l, tag);
                    }
                } else {
                    assert_eq!(got, Answer::Check(triples::LBA_OUT_OF_RANGE), "{ctx}");
                }
            }
            Op::Read { at, blocks, twelve } => {
                let lba = at.lba(model.capacity);
                let got = send_in(
                    &mut drive,
                    &read_cdb(lba, blocks, twelve),
                    blocks as usize * SECTOR,
                );
                if model.in_range(lba, blocks) {
                    let got = got.data(&ctx);
                    let want = expected(lba, &model.tags(lba, blocks));
                    if let Some(bad) = first_difference(lba, &got, &want) {
                        panic!("{ctx}: sector {bad} is not the last data written there");
                    }
                } else {
                    assert_eq!(got, Answer::Check(triples::LBA_OUT_OF_RANGE), "{ctx}");
                }
            }
            Op::Synchronize { immed } => {
                send_none(&mut drive, &synchronize_cache_cdb(immed)).good(&ctx);
                if immed {
                    wait_while(
                        &mut drive,
                        triples::LONG_WRITE_IN_PROGRESS,
                        Duration::from_millis(100),
                    );
                }
                model.synchronized = model.current.clone();
            }
            Op::Close { session } if prep.allows_interruptions() => {
                send_none(&mut drive, &close_cdb(session, false)).good(&ctx);
                model.synchronized = model.current.clone();
            }
            Op::PowerLoss if prep.allows_interruptions() => {
                drive.power_loss();
                model.current = model.synchronized.clone();
            }
            Op::Close { .. } | Op::PowerLoss => {}
            Op::Wait { ms } => drive.advance(Duration::from_millis(u64::from(ms))),
        }
    }
    // At the end, the whole region the operations touched reads back as the model says; then
    // after a last power loss, as it was last synchronized.
    check_touched(&mut drive, &model, &format!("{prep:?}: at the end"));
    if prep.allows_interruptions() {
        drive.power_loss();
        model.current = model.synchronized.clone();
        check_touched(
            &mut drive,
            &model,
            &format!("{prep:?}: after a last power loss"),
        );
    }
}

fn check_touched(drive: &mut TestDrive, model: &Model, ctx: &str) {
    let end = model.capacity;
    for (from, to) in [(0, 680), (end - 48, end)] {
        let tags: Vec<Option<u64>> = (from..to).map(|l| model.current.get(&l).copied()).collect();
        check_blocks(drive, from, &tags, ctx);
    }
}
