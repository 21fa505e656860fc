//! Disc files saved by earlier builds still open: each fixture under
//! `fixtures/saved-discs/` is the state file a drive wrote for a disc recorded with the CDBs
//! below, and the replies that drive gave for it. The data file is rebuilt from the same
//! writes (it is large and sparse); the disc must open, answer as it did, and read back.
//!
//! `VIRTDRIVE_SAVE_DISC_FIXTURES=1 cargo test -p virtdrive --test persist_saved_discs`
//! records the fixtures anew (only when the saved format changes on purpose).

use std::fs;
use std::path::Path;
use std::time::Duration;

use mmc_core::{DataPhase, Transport};
use serde_json::Value;
use testkit::{
    blocks, cd_write_parameters, command_in, command_ok, command_out, fixture, mode_select, read10,
    read_toc, read_track_information, write10, BLOCK, CLOSE_SESSION, CLOSE_TRACK,
    NEXT_SESSION_ALLOWED, READ_CAPACITY, READ_DISC_INFORMATION, READ_FORMAT_CAPACITIES,
    READ_TRACK_INFORMATION_FF, SYNCHRONIZE_CACHE, TAO,
};
use virtdrive::medium::MediumKind;
use virtdrive::{DiscFileDrive, DriveConfig};

/// One recording step of a fixture.
enum Step {
    /// WRITE (10) of `n` blocks of [`blocks(seed, n)`](blocks) at `lba`.
    Write { lba: u32, n: u16, seed: u8 },
    /// A command without data.
    Command(&'static [u8]),
}

use Step::{Command, Write};

/// A CD-R with two sessions, both closed with Multi-session 11b (the disc is appendable):
/// session 1 holds tracks 1 and 2 (TAO, track 1 padded to 300 blocks), session 2 track 3.
const CD_R_TWO_SESSIONS: &[Step] = &[
    Write {
        lba: 0,
        n: 40,
        seed: 1,
    },
    Command(&SYNCHRONIZE_CACHE),
    // Track 2: after track 1's 300 blocks, its 2 run-out blocks and a 150-block pre-gap.
    Write {
        lba: 452,
        n: 32,
        seed: 2,
    },
    Write {
        lba: 484,
        n: 300,
        seed: 3,
    },
    Command(&CLOSE_TRACK),
    Command(&CLOSE_SESSION),
    // Session 2: the lead-out of session 1 (6,750), a lead-in (4,500) and a pre-gap (150).
    Write {
        lba: 12_186,
        n: 320,
        seed: 4,
    },
    Command(&CLOSE_TRACK),
    Command(&CLOSE_SESSION),
];

/// A DVD+R with one closed session (tracks 1 and 2) and a second session open, holding
/// track 3 (flushed, so padded to whole ECC blocks, and not closed).
const DVD_PLUS_R_SESSIONS: &[Step] = &[
    Write {
        lba: 0,
        n: 40,
        seed: 1,
    },
    Command(&CLOSE_TRACK),
    Write {
        lba: 48,
        n: 64,
        seed: 2,
    },
    Command(&CLOSE_TRACK),
    Command(&CLOSE_SESSION),
    // The Closure and the next Intro: 2,048 sectors.
    Write {
        lba: 2_160,
        n: 20,
        seed: 3,
    },
    Command(&SYNCHRONIZE_CACHE),
];

/// A BD-R with one closed session and an open second one.
const BD_R_SESSIONS: &[Step] = &[
    Write {
        lba: 0,
        n: 40,
        seed: 1,
    },
    Command(&CLOSE_TRACK),
    Command(&CLOSE_SESSION),
    Write {
        lba: 64,
        n: 70,
        seed: 2,
    },
    Command(&SYNCHRONIZE_CACHE),
];

const TIMEOUT: Duration = Duration::from_secs(3600);

fn run(d: &mut DiscFileDrive, steps: &[Step]) {
    for step in steps {
        match *step {
            Write { lba, n, seed } => command_out(d, &write10(lba, n), &blocks(seed, n.into())),
            Command(cdb) => {
                let c = d.execute(cdb, DataPhase::None, TIMEOUT).expect("answers");
                assert!(c.is_good(), "{cdb:02X?}: {c:?}");
            }
        }
    }
}

/// The replies that describe the disc, by name, as hex.
fn replies(d: &mut DiscFileDrive) -> Value {
    let mut cdbs: Vec<(String, Vec<u8>, usize)> = vec![
        (
            "disc information".into(),
            READ_DISC_INFORMATION.to_vec(),
            34,
        ),
        ("capacity".into(), READ_CAPACITY.to_vec(), 8),
        (
            "format capacities".into(),
            READ_FORMAT_CAPACITIES.to_vec(),
            12,
        ),
        ("track FF".into(), READ_TRACK_INFORMATION_FF.to_vec(), 48),
        ("toc".into(), read_toc(0, false, 0).to_vec(), 804),
        ("session info".into(), read_toc(1, false, 0).to_vec(), 804),
        ("full toc".into(), read_toc(2, false, 1).to_vec(), 804),
        ("toc msf".into(), read_toc(0, true, 0).to_vec(), 804),
    ];
    for n in 1..=3u8 {
        cdbs.push((format!("track {n}"), read_track_information(n).to_vec(), 48));
    }
    let mut out = serde_json::Map::new();
    for (name, cdb, len) in cdbs {
        let mut buf = vec![0u8; len];
        let c = d
            .execute(&cdb, DataPhase::In(&mut buf), TIMEOUT)
            .expect("answers");
        let value = if c.is_good() {
            buf.truncate(len - c.residual as usize);
            Value::String(buf.iter().map(|b| format!("{b:02x}")).collect())
        } else {
            Value::String(format!("sense {}", c.sense_triple().expect("sense")))
        };
        out.insert(name, value);
    }
    Value::Object(out)
}

/// Rebuilds the data file of a fixture: `data_sectors` sectors, the steps' writes in place.
fn rebuild_data_file(path: &Path, state: &Value, steps: &[Step]) {
    use std::io::{Seek, SeekFrom, Write as _};
    let sectors = state["data_sectors"].as_u64().expect("data_sectors");
    let mut file = fs::File::create(path).unwrap();
    file.set_len(sectors * BLOCK as u64).unwrap();
    for step in steps {
        if let Write { lba, n, seed } = *step {
            file.seek(SeekFrom::Start(u64::from(lba) * BLOCK as u64))
                .unwrap();
            file.write_all(&blocks(seed, n.into())).unwrap();
        }
    }
}

fn check_fixture(name: &str, kind: MediumKind, steps: &[Step]) {
    let state_fixture = fixture(&format!("saved-discs/{name}.state.json"));
    let replies_fixture = fixture(&format!("saved-discs/{name}.replies.json"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let state_path = dir.path().join(format!("{name}.state.json"));
    if std::env::var_os("VIRTDRIVE_SAVE_DISC_FIXTURES").is_some() {
        let mut d = DiscFileDrive::open(kind, &path, DriveConfig::default()).unwrap();
        if kind.name().starts_with("cd") {
            let list = cd_write_parameters(TAO, NEXT_SESSION_ALLOWED, true);
            command_out(&mut d, &mode_select(&list), &list);
        }
        run(&mut d, steps);
        drop(d);
        fs::create_dir_all(state_fixture.parent().unwrap()).unwrap();
        fs::copy(&state_path, &state_fixture).unwrap();
        let mut d = DiscFileDrive::open_existing(kind, &path, DriveConfig::default()).unwrap();
        let text = serde_json::to_string_pretty(&replies(&mut d)).unwrap();
        fs::write(&replies_fixture, text + "\n").unwrap();
    }
    let state: Value = serde_json::from_slice(&fs::read(&state_fixture).unwrap()).unwrap();
    fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    rebuild_data_file(&path, &state, steps);
    let mut d = DiscFileDrive::open_existing(kind, &path, DriveConfig::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected: Value = serde_json::from_slice(&fs::read(&replies_fixture).unwrap()).unwrap();
    assert_eq!(replies(&mut d), expected, "{name}: the replies");
    for step in steps {
        if let Write { lba, n, seed } = *step {
            let data = command_in(&mut d, &read10(lba, n), usize::from(n) * BLOCK);
            assert_eq!(data, blocks(seed, n.into()), "{name}: {n} blocks at {lba}");
        }
    }
    // The disc stays usable: the saved state is a state the drive goes on from.
    command_ok(&mut d, &SYNCHRONIZE_CACHE);
}

#[test]
fn a_cd_r_with_two_sessions_saved_by_an_earlier_build_loads_and_reads_back() {
    check_fixture("cd-r-two-sessions", MediumKind::CdR80, CD_R_TWO_SESSIONS);
}

#[test]
fn a_dvd_plus_r_with_a_closed_and_an_open_session_saved_earlier_loads_and_reads_back() {
    check_fixture("dvd+r-sessions", MediumKind::DvdPlusR, DVD_PLUS_R_SESSIONS);
}

#[test]
fn a_bd_r_with_a_closed_and_an_open_session_saved_earlier_loads_and_reads_back() {
    check_fixture("bd-r-sessions", MediumKind::BdR, BD_R_SESSIONS);
}
