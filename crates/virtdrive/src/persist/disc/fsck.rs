//! Checking a disc file without changing it (`virtdrive fsck`), and rolling a disc whose last
//! generation is damaged back to the one before (`--repair`).

use super::*;

/// What a check of an intact disc file found, one finding per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// The generation the disc opens at.
    pub generation: u64,
    /// What was checked, and found as it should be.
    pub findings: Vec<String>,
}

/// What a repair did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// The disc was intact: nothing was changed.
    Intact(CheckReport),
    /// The damaged generation was dropped; the disc is at the one before.
    RolledBack {
        /// The generation that was lost.
        lost: u64,
        /// The generation the disc is at now.
        now: u64,
        /// What was lost, in words.
        what_is_lost: String,
    },
}

/// Checks the disc at `path` without changing it, under a shared lock: the state file's
/// check, the data file's length, and, when the state names a journal,
/// its journal's header, commit record and every slot against its digest. An `Err` is what
/// opening the disc would say.
pub fn check(path: &Path) -> Result<CheckReport, PersistError> {
    let (disc, _, _) = OpenDisc::open(path, Access::ReadOnly)?;
    let state = &disc.committed;
    let mut findings = vec![format!(
        "state {}: format version {}, {}, generation {}, {} sectors{}",
        disc.state_path.display(),
        state.version,
        state.medium.name(),
        state.generation,
        state.data_sectors,
        if state.version >= state::VERSION_2 {
            "; its check matches"
        } else {
            " (a version without a check)"
        }
    )];
    let length = disc.data.metadata().map_err(io_at(&disc.data_path))?.len();
    findings.push(format!(
        "data {}: {length} bytes, {} sectors committed",
        disc.data_path.display(),
        state.data_sectors
    ));
    findings.push(match disc.committed_journal(true)? {
        Some((_, record)) if state.journal_is_home() => format!(
            "journal {}: holds {} sectors of the disc in {} groups, every digest matches",
            disc.journal_path.display(),
            record.sectors(),
            record.entries.len(),
        ),
        Some((_, record)) => format!(
            "journal {}: generation {}'s commit, not yet in the data file: {} sectors in {} \
             groups, {}; opening for writing applies it",
            disc.journal_path.display(),
            state.generation,
            record.sectors(),
            record.entries.len(),
            if record.digests.is_some() {
                "every digest matches"
            } else {
                "a record version without digests"
            }
        ),
        None => "journal: none, every committed sector is in the data file".to_owned(),
    });
    match &state.previous {
        Some(p) => findings.push(format!(
            "previous generation {} kept ({} sectors)",
            p.generation, p.data_sectors
        )),
        None => findings.push("no previous generation kept".to_owned()),
    }
    Ok(CheckReport {
        generation: state.generation,
        findings,
    })
}

/// Repairs the disc at `path`, under the exclusive lock: when its last generation is damaged
/// ([`PersistError::Damaged`]) and the state keeps the one before, the disc is rolled back to
/// it, dropping the damaged journal and cutting the data file to the older length. Any other
/// fault (a damaged state file, a data file cut short) has no earlier generation to go back
/// to and is returned as the error.
pub fn repair(path: &Path) -> Result<Repair, PersistError> {
    match check(path) {
        Ok(report) => return Ok(Repair::Intact(report)),
        Err(PersistError::Damaged { .. }) => {}
        Err(e) => return Err(e),
    }
    let data_path = path.to_path_buf();
    let state_path = state::with_suffix(path, ".state.json");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&data_path)
        .map_err(io_at(&data_path))?;
    let data = lock(file, &data_path, Access::ReadWrite)?;
    let committed = state::read(&state_path)?.ok_or_else(|| PersistError::NotADiscFile {
        path: data_path.clone(),
        reason: format!("there is no {} beside it", state_path.display()),
    })?;
    let disc = OpenDisc::assemble(data_path, state_path, data, committed, false);
    // Checked again under the exclusive lock: another process may have changed it.
    let damage = match disc.committed_journal(true) {
        Ok(_) => return check(path).map(Repair::Intact),
        Err(e @ PersistError::Damaged { .. }) => e,
        Err(e) => return Err(e),
    };
    let Some(previous) = disc.restorable_previous().cloned() else {
        return Err(damage);
    };
    // Version 3: the sectors of the previous generation kept in the journal must be intact.
    let journal = match &previous.journal {
        None => None,
        Some(named) => match disc.intact_record(named) {
            Ok(()) => Some(JournalRef {
                checked: false,
                ..named.clone()
            }),
            Err(_) => return Err(damage),
        },
    };
    let lost = disc.committed.generation;
    let rolled_back = StateFile {
        format: state::FORMAT.to_owned(),
        version: state::VERSION,
        generation: previous.generation,
        medium: disc.committed.medium,
        data_sectors: previous.data_sectors,
        journal: journal.clone(),
        state: previous.state.clone(),
        previous: None,
    };
    let keep = previous
        .data_sectors
        .checked_mul(SECTOR as u64)
        .ok_or_else(|| PersistError::CorruptState {
            path: disc.state_path.clone(),
            detail: format!("data_sectors {} is beyond any disc", previous.data_sectors),
        })?;
    let length = disc.data.metadata().map_err(io_at(&disc.data_path))?.len();
    if length < keep {
        return Err(PersistError::DataTruncated {
            path: disc.data_path.clone(),
            expected: keep,
            actual: length,
        });
    }
    // The state first: once it names no journal, the journal and the cut tail are what any
    // open drops anyway.
    state::replace(&disc.state_path, &rolled_back).map_err(|(_, e)| e)?;
    disc.data.set_len(keep).map_err(io_at(&disc.data_path))?;
    disc.data.sync_all().map_err(io_at(&disc.data_path))?;
    // A journal kept for the previous generation is cut back to its record when next opened.
    if journal.is_none() {
        remove_if_present(&disc.journal_path)?;
        state::sync_directory_of(&disc.journal_path)?;
    }
    let dropped = disc
        .committed
        .data_sectors
        .saturating_sub(previous.data_sectors);
    Ok(Repair::RolledBack {
        lost,
        now: previous.generation,
        what_is_lost: format!(
            "everything generation {lost} wrote: its state, the sectors its journal held, and \
             {dropped} sectors past the end of generation {}; sectors it rewrote hold \
             generation {}'s data unless its copy into the data file had begun when it \
             stopped",
            previous.generation, previous.generation
        ),
    })
}
