//! The kill test (issue 3, "Persistence"): a child process writes a disc file in a loop,
//! committing after every round of writes, and is killed with SIGKILL at seeded moments; the
//! disc reopened is exactly the state of the last commit the child reported, or of the one
//! after it (killed between the commit point and the report), never a mix.
//!
//! Every sector written in round `r` encodes `r` and its own index, so the reopened disc can
//! be compared sector by sector with a model of what commit `m` holds. Each child continues
//! from the disc its killed predecessor left, so recovery is exercised by successive
//! processes, as `virt:MEDIA@FILE` is used.
//!
//! The test binary is its own child: run with `VIRTDRIVE_KILL_TEST_DISC` set, it is the
//! writer. Hence `harness = false` and this `main`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use virtdrive::medium::MediumKind;
use virtdrive::persist::{DiscFile, PersistError};
use virtdrive::store::{SectorStore, SECTOR};

const CHILD_ENV: &str = "VIRTDRIVE_KILL_TEST_DISC";
const TEST_NAME: &str = "child_killed_at_seeded_moments_leaves_the_last_commit_or_the_next";
/// Children killed, each at a seeded moment.
const KILLS: usize = 40;
/// Sectors the rounds write into.
const AREA: u64 = 4096;
/// A child stops by itself after this many rounds, should its parent be gone.
const MAX_ROUNDS: u64 = 100_000;

fn main() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        child(Path::new(&path));
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("{TEST_NAME}: test");
        return;
    }
    // A name filter given to `cargo test` that does not match this test skips it.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| TEST_NAME.contains(f.as_str())) {
        println!("0 passed, 0 failed");
        return;
    }
    println!("running 1 test");
    parent();
    println!("test {TEST_NAME} ... ok");
    println!("1 passed, 0 failed");
}

/// Sectors each round appends past the area, into the data file's tail.
const APPEND: u64 = 24;

/// The sectors round `r` writes, as runs `(first sector, count)`: four hot sectors rewritten
/// every round (a torn commit would mix rounds there), a window that moves and changes size,
/// three scattered single sectors (these go through the journal), and a run appended past
/// everything written before (straight into the data file's tail), as a new session is.
fn round_runs(r: u64) -> Vec<(u64, u64)> {
    let mut runs = vec![(0, 4)];
    runs.push((8 + (r * 97) % (AREA - 64), 1 + (r * 7) % 40));
    for k in 0..3 {
        runs.push(((r * 1009 + k * 331) % AREA, 1));
    }
    runs.push((AREA + (r - 1) * APPEND, APPEND));
    runs
}

/// Sector `s` as round `r` writes it.
fn pattern(r: u64, s: u64) -> Vec<u8> {
    let mut sector = vec![0u8; SECTOR];
    sector[..8].copy_from_slice(&r.to_le_bytes());
    sector[8..16].copy_from_slice(&s.to_le_bytes());
    for (i, b) in sector.iter_mut().enumerate().skip(16) {
        *b = ((r * 131 + s * 7 + i as u64) % 251) as u8;
    }
    sector
}

fn run_bytes(r: u64, (first, count): (u64, u64)) -> Vec<u8> {
    (first..first + count).flat_map(|s| pattern(r, s)).collect()
}

/// The child: rounds of writes, each synchronized and committed with the round number in
/// the state, reported on stdout once the commit returned.
fn child(path: &Path) {
    let mut disc = DiscFile::open(path).expect("the child opens the disc");
    let mut round = disc.state["round"].as_u64().expect("a round in the state");
    let mut stdout = std::io::stdout();
    while round < MAX_ROUNDS {
        round += 1;
        for run in round_runs(round) {
            disc.store.write(run.0, &run_bytes(round, run)).unwrap();
        }
        disc.store.commit().unwrap();
        // The start of the next round, written before this commit: pending while it runs,
        // it must never appear in this commit. One sector in the journal, and the next
        // round's appended run in the tail.
        let next = round_runs(round + 1);
        let early = next[1];
        disc.store
            .write(early.0, &run_bytes(round + 1, (early.0, 1)))
            .unwrap();
        let appended = *next.last().unwrap();
        disc.store
            .write(appended.0, &run_bytes(round + 1, appended))
            .unwrap();
        // A parent that went away makes these fail, and the child end.
        if say(&mut stdout, &format!("committing {round}")).is_err() {
            return;
        }
        disc.file.commit(&json!({ "round": round })).unwrap();
        if say(&mut stdout, &format!("committed {round}")).is_err() {
            return;
        }
    }
}

fn say(out: &mut std::io::Stdout, line: &str) -> std::io::Result<()> {
    writeln!(out, "{line}")?;
    out.flush()
}

/// splitmix64: the seeded sequence of kill moments.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// What every sector of the area holds after commit `m`: the last round up to `m` that
/// wrote it.
fn model(m: u64) -> HashMap<u64, u64> {
    let mut last = HashMap::new();
    for r in 1..=m {
        for (first, count) in round_runs(r) {
            for s in first..first + count {
                last.insert(s, r);
            }
        }
    }
    last
}

/// What a line of the child says: `(round, true)` once the commit of `round` returned,
/// `(round, false)` as it starts.
fn progress(line: &str) -> (u64, bool) {
    let parse = |n: &str| n.trim().parse().ok();
    match (
        line.strip_prefix("committed ").and_then(parse),
        line.strip_prefix("committing ").and_then(parse),
    ) {
        (Some(r), _) => (r, true),
        (None, Some(r)) => (r, false),
        _ => panic!("unexpected child output {line:?}"),
    }
}

fn parent() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disc.bdre");
    drop(DiscFile::create(&path, MediumKind::BdRe, &json!({ "round": 0 })).unwrap());
    let exe = std::env::current_exe().unwrap();
    let mut seeded = Seeded(0x5EED_D15C);
    let mut committed = 0u64;
    let mut killed_after_commit_point = 0;
    let mut killed_before_commit_point = 0;

    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill once the child has started its 1st to 6th commit, after a delay of 0 to 8 ms:
        // a commit takes about 5 ms on the project machine (its fsyncs), so kills land in each
        // of its steps, and some in the next round's writes.
        let wait_for = 1 + seeded.next() % 6;
        let delay = Duration::from_micros(seeded.next() % 8000);
        let mut last_reported = committed;
        let mut last_started = committed;
        let mut started_commits = 0;
        while started_commits < wait_for {
            let line = lines.next().expect("the child reports").unwrap();
            match progress(&line) {
                (r, true) => last_reported = r,
                (r, false) => {
                    last_started = r;
                    started_commits += 1;
                }
            }
        }
        if kill == 0 {
            // While the child holds the disc, nobody else may open it.
            let err = DiscFile::open(&path).unwrap_err();
            assert!(matches!(err, PersistError::Locked { .. }), "{err}");
        }
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "the child was killed, not finished");
        for line in lines {
            match progress(&line.unwrap()) {
                (r, true) => last_reported = r,
                (r, false) => last_started = r,
            }
        }

        let disc = DiscFile::open(&path).unwrap_or_else(|e| panic!("after kill {kill}: {e}"));
        let m = disc.state["round"].as_u64().unwrap();
        assert!(
            m == last_reported || m == last_reported + 1,
            "kill {kill}: the disc is at round {m}, the child last reported {last_reported}"
        );
        if m == last_reported + 1 {
            killed_after_commit_point += 1;
        } else if last_started > last_reported {
            killed_before_commit_point += 1;
        }
        assert_eq!(disc.file.generation(), m, "one commit per round");
        let expected = model(m);
        let mut out = vec![0u8; SECTOR];
        for s in 0..AREA + (m + 3) * APPEND {
            disc.store.read(s, &mut out).unwrap();
            match expected.get(&s) {
                Some(&r) => assert!(
                    out == pattern(r, s),
                    "kill {kill}, round {m}: sector {s} should be round {r}'s, holds round {}",
                    u64::from_le_bytes(out[..8].try_into().unwrap())
                ),
                None => assert!(
                    out.iter().all(|&b| b == 0),
                    "kill {kill}, round {m}: sector {s} was never committed yet holds data"
                ),
            }
        }
        // A journal left is the one the state names (it holds sectors of the disc); one of
        // a commit that never reached its commit point was dropped.
        let state: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("disc.bdre.state.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            dir.path().join("disc.bdre.journal").exists(),
            !state["journal"].is_null(),
            "kill {kill}: opening dropped any journal the state does not name"
        );
        committed = m;
    }
    assert!(
        committed >= KILLS as u64,
        "every child committed at least once"
    );
    eprintln!(
        "{KILLS} kills, {committed} rounds committed; kills during a commit: \
         {killed_before_commit_point} before its commit point, {killed_after_commit_point} after \
         it; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
