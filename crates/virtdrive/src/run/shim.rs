//! The preload shim travels inside the crate: `build.rs` compiles `shim/*.c` into
//! `libvirtdrive_shim.so` and the bytes are embedded here, so an installed `virtdrive` needs
//! no build directory. `LD_PRELOAD` takes a file, so the first use writes the bytes to a
//! per-user folder, under a name made of their BLAKE3 hash (two builds never clash), and every
//! later use checks that hash before trusting the file.
//!
//! The folder is the first of these that works:
//!
//! 1. `$XDG_RUNTIME_DIR/virtdrive` (the user's own, emptied at logout, so old shims do not
//!    pile up),
//! 2. `$XDG_CACHE_HOME/virtdrive`, else `$HOME/.cache/virtdrive`,
//! 3. `TMPDIR` (or `/tmp`) `/virtdrive-UID`.
//!
//! A folder is created with mode 0700, and an existing one is used only if this user owns it
//! and nobody else may write in it (a file planted there could be preloaded into every program
//! `virtdrive run` starts). The file is written under a temporary name and renamed into place,
//! so concurrent runs never see half a shim. `VIRTDRIVE_SHIM`, set and not empty, names a shim
//! to use instead (not checked against the embedded one: it is how a developer tries another
//! build).

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The shim `build.rs` made; empty when this build has none (not Linux, or no C compiler).
const EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libvirtdrive_shim.so"));

/// The environment variable that names a shim to use instead of the embedded one.
pub const OVERRIDE_VAR: &str = "VIRTDRIVE_SHIM";

/// Why there is no shim to preload.
#[derive(Debug, thiserror::Error)]
pub enum ShimError {
    #[error(
        "this build of virtdrive has no preload shim (it is built on Linux, with a C compiler); \
         set VIRTDRIVE_SHIM to a libvirtdrive_shim.so"
    )]
    NotBuilt,
    #[error("VIRTDRIVE_SHIM={}: no such file (unset VIRTDRIVE_SHIM to use the shim built into virtdrive)", .0.display())]
    OverrideMissing(PathBuf),
    #[error("{}: LD_PRELOAD cannot name a path holding a space or a colon", .0.display())]
    NotPreloadable(PathBuf),
    #[error("cannot keep the preload shim in {}: {reason}", dir.display())]
    Folder { dir: PathBuf, reason: String },
    #[error("cannot extract the preload shim: {}", list(.0))]
    Nowhere(Vec<ShimError>),
}

fn list(errors: &[ShimError]) -> String {
    if errors.is_empty() {
        return "no folder to put it in (set HOME or TMPDIR)".into();
    }
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    all.join("; ")
}

/// The embedded shim's bytes, or `None` when this build has none.
pub fn embedded() -> Option<&'static [u8]> {
    (!EMBEDDED.is_empty()).then_some(EMBEDDED)
}

/// The file name the embedded shim is kept under: its content hash.
pub fn file_name(shim: &[u8]) -> String {
    let hash = blake3::hash(shim).to_hex();
    // 128 bits of the hash tell builds apart; the file's full hash is checked before each use.
    format!(
        "libvirtdrive_shim-{}.so",
        hash.get(..32).unwrap_or(hash.as_str())
    )
}

/// The shim to preload: `VIRTDRIVE_SHIM` when set and not empty (it must exist), otherwise
/// the embedded shim, extracted to the first usable folder of [`folders`] and checked.
pub fn shim_path() -> Result<PathBuf, ShimError> {
    if let Some(path) = std::env::var_os(OVERRIDE_VAR).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(ShimError::OverrideMissing(path));
        }
        if !preloadable(&path) {
            return Err(ShimError::NotPreloadable(path));
        }
        return Ok(path);
    }
    let shim = embedded().ok_or(ShimError::NotBuilt)?;
    let mut failures = Vec::new();
    for dir in folders() {
        match extract_to(shim, &dir) {
            Ok(path) => return Ok(path),
            Err(e) => failures.push(e),
        }
    }
    Err(ShimError::Nowhere(failures))
}

/// Where the shim may be extracted, best first (see the module notes). Relative values of the
/// XDG variables are ignored, as the XDG Base Directory specification asks. The runtime folder
/// and the home folder are used only if they exist and belong to this user: after `su` or
/// `sudo` they may still name another user's, which is not the place for a file of root's
/// (and a missing home is not created).
pub fn folders() -> Vec<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let uid = nix::unistd::getuid().as_raw();
    let ours = |dir: &PathBuf| std::fs::metadata(dir).is_ok_and(|m| m.is_dir() && m.uid() == uid);
    let mut dirs = Vec::new();
    if let Some(runtime) = absolute("XDG_RUNTIME_DIR").filter(ours) {
        dirs.push(runtime.join("virtdrive"));
    }
    if let Some(cache) = absolute("XDG_CACHE_HOME") {
        dirs.push(cache.join("virtdrive"));
    } else if let Some(home) = absolute("HOME").filter(ours) {
        dirs.push(home.join(".cache").join("virtdrive"));
    }
    dirs.push(std::env::temp_dir().join(format!("virtdrive-{uid}")));
    dirs
}

/// Puts `shim` into `dir` under [`file_name`] (creating `dir` with mode 0700), unless a file
/// with that content is already there, and returns its path.
pub fn extract_to(shim: &[u8], dir: &Path) -> Result<PathBuf, ShimError> {
    let fail = |reason: String| ShimError::Folder {
        dir: dir.to_path_buf(),
        reason,
    };
    let path = dir.join(file_name(shim));
    if !preloadable(&path) {
        return Err(fail(
            "LD_PRELOAD cannot name a path holding a space or a colon".into(),
        ));
    }
    private_folder(dir).map_err(fail)?;
    let expected = blake3::hash(shim);
    if holds(&path, shim.len(), &expected) {
        return Ok(path);
    }
    write_atomically(shim, dir, &path).map_err(fail)?;
    if holds(&path, shim.len(), &expected) {
        Ok(path)
    } else {
        Err(fail(format!(
            "{} does not read back as written",
            path.display()
        )))
    }
}

/// Whether `path` can be one entry of LD_PRELOAD, whose entries are separated by spaces or
/// colons with no way to quote them (ld.so(8)).
fn preloadable(path: &Path) -> bool {
    let text = path.as_os_str().as_encoded_bytes();
    !text.is_empty()
        && !text
            .iter()
            .any(|b| matches!(b, b' ' | b':' | b'\t' | b'\n'))
}

/// Makes `dir` (mode 0700) or checks that an existing one is this user's alone.
fn private_folder(dir: &Path) -> Result<(), String> {
    match DirBuilder::new().recursive(true).mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) => return Err(format!("cannot create it: {e}")),
    }
    let meta = std::fs::metadata(dir).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Err("not a folder".into());
    }
    let uid = nix::unistd::getuid().as_raw();
    if meta.uid() != uid {
        return Err(format!(
            "owned by user {}, not by this user ({uid})",
            meta.uid()
        ));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot make it private (mode 0700): {e}"))?;
    }
    Ok(())
}

/// Whether `path` is a regular file (not a link) of `len` bytes hashing to `expected`.
fn holds(path: &Path, len: usize, expected: &blake3::Hash) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() || u64::try_from(len) != Ok(meta.len()) {
        return false;
    }
    let mut bytes = Vec::with_capacity(len);
    let read = File::open(path).and_then(|f| f.take(len as u64 + 1).read_to_end(&mut bytes));
    read.is_ok() && blake3::hash(&bytes) == *expected
}

/// Writes `shim` to a new temporary file in `dir` and renames it to `path`: a concurrent run
/// sees the old file or the whole new one.
fn write_atomically(shim: &[u8], dir: &Path, path: &Path) -> Result<(), String> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&temporary)?;
        file.write_all(shim)?;
        // The mode asked for at creation went through the umask.
        file.set_permissions(Permissions::from_mode(0o644))?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}: {e}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shim_is_extracted_once_and_a_damaged_copy_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a").join("virtdrive");
        let shim = b"not really a shared object";
        let path = extract_to(shim, &folder).unwrap();
        assert_eq!(path, folder.join(file_name(shim)));
        assert_eq!(std::fs::read(&path).unwrap(), shim);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&path), 0o644);

        let before = std::fs::metadata(&path).unwrap().ino();
        assert_eq!(extract_to(shim, &folder).unwrap(), path);
        assert_eq!(
            std::fs::metadata(&path).unwrap().ino(),
            before,
            "a good copy is used as it is"
        );

        // Same length, other bytes: only the hash tells.
        std::fs::write(&path, b"NOT really a shared object").unwrap();
        assert_eq!(extract_to(shim, &folder).unwrap(), path);
        assert_eq!(std::fs::read(&path).unwrap(), shim);
        std::fs::write(&path, b"").unwrap();
        extract_to(shim, &folder).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), shim);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
    }

    #[test]
    fn different_shims_get_different_names() {
        assert_ne!(file_name(b"one"), file_name(b"two"));
        assert_eq!(file_name(b"one"), file_name(b"one"));
        assert!(file_name(b"one").starts_with("libvirtdrive_shim-"));
    }

    #[test]
    fn a_folder_others_may_write_in_is_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("open");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, Permissions::from_mode(0o777)).unwrap();
        extract_to(b"x", &folder).unwrap();
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn a_folder_that_is_a_file_or_cannot_be_named_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"").unwrap();
        let e = extract_to(b"x", &file).unwrap_err().to_string();
        assert!(e.contains("cannot create it"), "{e}");
        let spaced = dir.path().join("with space");
        let e = extract_to(b"x", &spaced).unwrap_err().to_string();
        assert!(e.contains("space or a colon"), "{e}");
        assert!(
            !spaced.exists(),
            "nothing is created for a path LD_PRELOAD cannot name"
        );
    }

    #[test]
    fn a_link_in_place_of_the_shim_is_replaced_by_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("virtdrive");
        let shim = b"shim bytes";
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, shim).unwrap();
        std::fs::create_dir(&folder).unwrap();
        std::os::unix::fs::symlink(&elsewhere, folder.join(file_name(shim))).unwrap();
        let path = extract_to(shim, &folder).unwrap();
        assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
    }
}
