//! The emulator receiving any sequence of commands: any CDB bytes with any data phase, in any
//! order, on each medium. Decoded from the input: the medium kind, then per command a control
//! byte (bits 0-1: data direction none/in/out, or 3 for a step of the drive's clock or a
//! power cycle; bits 4-7: CDB length - 1), the CDB, the data length (3 bytes, big-endian) and
//! for data-out the first (up to 1024) bytes of the data, the rest being zeros.
//!
//! Invariants checked, besides never panicking:
//! - a command changes no sector outside the LBAs it addressed: only WRITE (10), WRITE (12)
//!   and WRITE AND VERIFY (10) change sectors, and only theirs; BLANK, FORMAT UNIT and CLOSE
//!   TRACK/SESSION (which records run-out and lead-out) may change any (a sample of sectors is
//!   read through the medium before and after every command);
//! - the medium's saved state loads again, and saves the same.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mmc_core::{DataPhase, Transport};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// The most commands one input runs, the largest data phase, and the most data-out bytes
/// taken from the input (parameter lists are short; the rest of a WRITE's data is zeros).
const MAX_COMMANDS: usize = 64;
const MAX_DATA: usize = 64 * 1024;
const MAX_DATA_OUT_FROM_INPUT: usize = 1024;
/// The most sectors compared around each command.
const MAX_SAMPLES: usize = 16;

struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        head
    }
}

fn be(bytes: &[u8]) -> i64 {
    bytes.iter().fold(0, |acc, &b| acc << 8 | i64::from(b))
}

/// The LBAs a WRITE family CDB addresses (MMC-6 6.44 WRITE (10), 6.45 WRITE (12), 6.46 WRITE
/// AND VERIFY (10)).
fn written_range(cdb: &[u8]) -> Option<(i64, i64)> {
    let lba = i64::from(i32::from_be_bytes(cdb.get(2..6)?.try_into().ok()?));
    let count = match cdb.first()? {
        0x2A | 0x2E => be(cdb.get(7..9)?),
        0xAA => be(cdb.get(6..10)?),
        _ => return None,
    };
    Some((lba, lba + count))
}

/// Commands that may change any sector of the disc.
fn changes_whole_disc(opcode: u8) -> bool {
    matches!(
        opcode,
        0xA1 /* BLANK */ | 0x04 /* FORMAT UNIT */ | 0x5B /* CLOSE */
    )
}

/// The sampled sectors' contents (`None`: unreadable), read through the medium into `into`.
fn snapshot(drive: &mut EmulatedDrive, lbas: &[i64], into: &mut Snapshot) {
    into.readable.clear();
    into.bytes.resize(lbas.len() * 2048, 0);
    let Some(m) = drive.medium_mut() else {
        return;
    };
    for (&lba, buf) in lbas.iter().zip(into.bytes.chunks_exact_mut(2048)) {
        let ok = i32::try_from(lba).is_ok_and(|lba| m.read(lba, buf).is_ok());
        into.readable.push(ok);
    }
}

#[derive(Default)]
struct Snapshot {
    readable: Vec<bool>,
    bytes: Vec<u8>,
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let Some(k) = input.byte() else { return };
    let kind = MediumKind::ALL[usize::from(k) % MediumKind::ALL.len()];
    let mut drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(kind, Box::new(MemoryStore::new())),
    );
    // LBAs 0-3, then the edges of the latest WRITEs.
    let mut samples: Vec<i64> = (0..4).collect();
    let (mut before, mut after) = (Snapshot::default(), Snapshot::default());
    for _ in 0..MAX_COMMANDS {
        let Some(control) = input.byte() else { break };
        if control & 3 == 3 {
            // Between commands: the clock steps (up to about 4.5 hours, or an hour), or the
            // power fails.
            match (control >> 2) & 3 {
                0 | 1 => {
                    let quarters = be(input.take(2)) as u64;
                    drive.advance(Duration::from_millis(quarters * 250));
                }
                2 => drive.power_cycle(),
                _ => drive.advance(Duration::from_secs(3600)),
            }
            continue;
        }
        let cdb_len = 1 + usize::from(control >> 4);
        let mut cdb = input.take(cdb_len).to_vec();
        cdb.resize(cdb_len, 0);
        let len = (be(input.take(3)) as usize).min(MAX_DATA);
        snapshot(&mut drive, &samples, &mut before);
        let result = match control & 3 {
            0 => drive.execute(&cdb, DataPhase::None, Duration::from_secs(60)),
            1 => {
                let mut buf = vec![0u8; len];
                let r = drive.execute(&cdb, DataPhase::In(&mut buf), Duration::from_secs(60));
                if let Ok(done) = &r {
                    assert!(done.residual <= len, "residual {} of {len}", done.residual);
                }
                r
            }
            _ => {
                let mut out = input.take(len.min(MAX_DATA_OUT_FROM_INPUT)).to_vec();
                out.resize(len, 0);
                drive.execute(&cdb, DataPhase::Out(&out), Duration::from_secs(60))
            }
        };
        let _ = result;
        snapshot(&mut drive, &samples, &mut after);
        let opcode = cdb[0];
        let range = written_range(&cdb);
        if !changes_whole_disc(opcode) && before.readable.len() == after.readable.len() {
            let sectors = before
                .bytes
                .chunks_exact(2048)
                .zip(after.bytes.chunks_exact(2048));
            for (i, (b, a)) in sectors.enumerate().take(before.readable.len()) {
                let lba = samples[i];
                let inside = range.is_some_and(|(s, e)| (s..e).contains(&lba));
                // A sector that was unreadable may become readable when recording reaches it
                // (a track's run-out); what was readable never changes unasked.
                let changed = after.readable[i] != before.readable[i] || a != b;
                if before.readable[i] && changed && !inside {
                    panic!("{kind:?}: command {cdb:02X?} changed LBA {lba} outside {range:?}");
                }
            }
        }
        if let Some((s, e)) = range {
            for lba in [s - 1, s, e - 1, e] {
                if !samples.contains(&lba) {
                    if samples.len() == MAX_SAMPLES {
                        samples.remove(4);
                    }
                    samples.push(lba);
                }
            }
        }
    }
    // The disc's state saves and loads again.
    if let Some(m) = drive.medium() {
        discwriter_fuzz::assert_state_reloads(kind, &m.save_state());
    }
});
