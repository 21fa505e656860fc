//! The state file (`FILE.state.json`): reading it with precise errors, and replacing it
//! atomically (temp file, fsync, rename, directory fsync).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{io_at, PersistError};
use crate::medium::MediumKind;

/// The `format` field: what tells a disc state from any other JSON.
pub(crate) const FORMAT: &str = "virtdrive disc";
/// The format version this build writes: the journal a state names is where the sectors its
/// record maps live (it is not copied into the data file), checked against its digests by
/// the first open after a commit that did not finish.
pub(crate) const VERSION: u64 = 3;
/// The second version, still read: the state carries a check, commit records a digest per
/// group of slots, and a named journal is a commit still to be copied into the data file.
pub(crate) const VERSION_2: u64 = 2;
/// The first version, still read: no check, and a named journal that is gone was applied.
pub(crate) const VERSION_1: u64 = 1;
/// What precedes the check, the state file's last member: the check is BLAKE3 of every byte
/// before this.
const CHECK_KEY: &[u8] = b",\n  \"check\": \"";

/// The contents of the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StateFile {
    pub format: String,
    pub version: u64,
    /// Commits since creation.
    pub generation: u64,
    /// The kind of disc, by its `virt:MEDIA` name (`cd-r`, `dvd+rw`, `bd-re`, ...).
    #[serde(with = "medium_name")]
    pub medium: MediumKind,
    /// The data file's length in sectors.
    pub data_sectors: u64,
    /// The journal this generation's commit wrote, if it carried sectors.
    pub journal: Option<JournalRef>,
    /// The caller's state.
    pub state: serde_json::Value,
    /// The generation before this one, kept so that a disc whose journal is damaged can be
    /// rolled back to it on request (`virtdrive fsck --repair`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Previous>,
}

/// The previous generation of a disc, as its state file said once its journal was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Previous {
    pub generation: u64,
    pub data_sectors: u64,
    pub state: serde_json::Value,
    /// Version 3: the journal record that maps its sectors kept there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<JournalRef>,
}

impl StateFile {
    /// Whether a journal the state names must be there until its commit is applied (version
    /// 2 and later), or may be gone because it was applied (version 1 never said).
    pub fn journal_must_exist(&self) -> bool {
        self.version >= VERSION_2
    }

    /// Whether the journal the state names holds sectors where they live (version 3), rather
    /// than a commit to copy into the data file.
    pub fn journal_is_home(&self) -> bool {
        self.version >= VERSION
    }

    /// This generation as the previous of the next one.
    pub fn as_previous(&self) -> Previous {
        Previous {
            generation: self.generation,
            data_sectors: self.data_sectors,
            state: self.state.clone(),
            journal: self.journal.clone(),
        }
    }
}

/// Where a commit's record is in the journal, and its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JournalRef {
    pub generation: u64,
    pub record_offset: u64,
    pub record_length: u64,
    /// BLAKE3 of the record, 64 lowercase hex digits.
    pub record_blake3: String,
    /// Version 3: the generation in the journal's header (the one that created it, which
    /// later commits keep appending to); before, the header names `generation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_generation: Option<u64>,
    /// Version 3: every slot the record maps was checked against its digest after the
    /// commit (by the commit itself, or the first open after it), so opening need not read
    /// them all again.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub checked: bool,
}

impl JournalRef {
    /// The generation the journal's header must name.
    pub fn header_generation(&self) -> u64 {
        self.header_generation.unwrap_or(self.generation)
    }
}

/// Reads and checks the state file; `Ok(None)` when it does not exist.
pub(crate) fn read(path: &Path) -> Result<Option<StateFile>, PersistError> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(path)(e)),
    };
    let corrupt = |detail: String| PersistError::CorruptState {
        path: path.to_path_buf(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| corrupt(format!("not JSON ({e})")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(PersistError::NotADiscFile {
            path: path.to_path_buf(),
            reason: format!("its JSON has no \"format\": \"{FORMAT}\""),
        });
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(VERSION | VERSION_2) => verify_check(&text).map_err(corrupt)?,
        Some(VERSION_1) => {}
        Some(found) => {
            return Err(PersistError::UnsupportedVersion {
                path: path.to_path_buf(),
                found,
                supported: VERSION,
            })
        }
        None => return Err(corrupt("no \"version\" number".to_owned())),
    }
    let state: StateFile = serde_json::from_value(value).map_err(|e| corrupt(e.to_string()))?;
    if let Some(journal) = &state.journal {
        if journal.generation != state.generation {
            return Err(corrupt(format!(
                "the journal of generation {} is named by generation {}",
                journal.generation, state.generation
            )));
        }
    }
    Ok(Some(state))
}

/// Checks the `check` member against the bytes before it.
fn verify_check(text: &[u8]) -> Result<(), String> {
    let at = text
        .windows(CHECK_KEY.len())
        .rposition(|w| w == CHECK_KEY)
        .ok_or("no \"check\" of its contents")?;
    let hex = text
        .get(at + CHECK_KEY.len()..)
        .and_then(|rest| rest.get(..64))
        .ok_or("its \"check\" is cut short")?;
    let body = text.get(..at).unwrap_or_default();
    if hex != blake3::hash(body).to_hex().as_bytes() {
        return Err(
            "its contents do not match their \"check\" (the file was damaged or edited)".into(),
        );
    }
    Ok(())
}

/// The state file's bytes: the state as pretty JSON with a last member `check`, BLAKE3 of the
/// bytes before it.
fn encode(path: &Path, state: &StateFile) -> Result<Vec<u8>, PersistError> {
    let json = serde_json::to_vec_pretty(state).map_err(|e| PersistError::CorruptState {
        path: path.to_path_buf(),
        detail: format!("cannot be written: {e}"),
    })?;
    // Pretty JSON of a struct ends with its closing brace on a line of its own.
    let mut text = json.strip_suffix(b"\n}").unwrap_or(&json).to_vec();
    let check = blake3::hash(&text).to_hex();
    text.extend_from_slice(CHECK_KEY);
    text.extend_from_slice(check.as_bytes());
    text.extend_from_slice(b"\"\n}\n");
    Ok(text)
}

/// Replaces the state file atomically: after a kill at any point, the file is the old state
/// or the new one, never a mix. On failure no temp file is left; the caller learns with
/// [`Replaced`] whether the rename happened (the commit point of a disc commit).
pub(crate) fn replace(path: &Path, state: &StateFile) -> Result<(), (Replaced, PersistError)> {
    write_and_rename(path, state).map_err(|e| (Replaced::No, e))?;
    sync_directory_of(path).map_err(|e| (Replaced::Yes, e))
}

/// Whether a failed [`replace`] got as far as renaming the new state over the old.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replaced {
    /// The old state is in place; the temp file is gone.
    No,
    /// The new state is in place, but its directory entry may not be durable yet.
    Yes,
}

/// Writes the state to the temp file, fsyncs it and renames it over `path`; the temp file is
/// removed when any of it fails.
fn write_and_rename(path: &Path, state: &StateFile) -> Result<(), PersistError> {
    let json = encode(path, state)?;
    let temp = temp_path(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp)
        .map_err(io_at(&temp))?;
    let written = file
        .write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(io_at(&temp));
    drop(file);
    // The commit point: rename(2) replaces the name atomically.
    let renamed = written.and_then(|()| fs::rename(&temp, path).map_err(io_at(path)));
    if renamed.is_err() {
        // Removal fails only where the temp file could not be made or has gone (a file
        // system turned read-only meanwhile); opening the disc removes it then.
        let _ = fs::remove_file(&temp);
    }
    renamed
}

/// The temp file a state is written to before the rename.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    with_suffix(path, ".tmp")
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes a rename or an unlink in the file's directory durable.
pub(crate) fn sync_directory_of(path: &Path) -> Result<(), PersistError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

/// The medium as its command-line name, so the state file reads like `virt:MEDIA@FILE`.
mod medium_name {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    use crate::medium::MediumKind;

    pub fn serialize<S: Serializer>(kind: &MediumKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MediumKind, D::Error> {
        let name = String::deserialize(d)?;
        MediumKind::from_name(&name)
            .ok_or_else(|| D::Error::custom(format!("unknown medium \"{name}\"")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StateFile {
        StateFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            generation: 3,
            medium: MediumKind::BdRe,
            data_sectors: 16,
            journal: None,
            // A caller's own "check" member, nested, is just data.
            state: serde_json::json!({ "check": "mine", "text": "a,\n  \"check\": \"" }),
            previous: None,
        }
    }

    #[test]
    fn the_check_covers_every_byte_before_it() {
        let text = encode(Path::new("s"), &sample()).unwrap();
        assert_eq!(verify_check(&text), Ok(()));
        let parsed: serde_json::Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(parsed["state"]["check"], "mine");
        assert_eq!(parsed["check"].as_str().map(str::len), Some(64));
        for at in [0, 20, text.len() / 2, text.len() - 80] {
            let mut damaged = text.clone();
            damaged[at] ^= 0x01;
            assert!(verify_check(&damaged).is_err(), "a flip at byte {at}");
        }
        assert!(verify_check(&text[..text.len() - 40]).is_err(), "cut short");
        assert!(verify_check(b"{}").is_err(), "no check");
    }
}
