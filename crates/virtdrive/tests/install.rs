//! An installed `virtdrive` is self-contained: the binary, copied alone into an empty folder
//! and run with a fresh home, extracts the preload shim it carries into the user's runtime or
//! cache folder, checks it before each use (a damaged copy is rewritten), and `virtdrive run`
//! works from it. `VIRTDRIVE_SHIM` still names another shim, and a missing one is an error.
#![cfg(target_os = "linux")]

mod real_clients;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use real_clients::{tool, VENDOR};
use virtdrive::run::shim;

/// A copy of the virtdrive binary alone in a folder, and a fresh home for it.
struct Installed {
    _root: tempfile::TempDir,
    binary: PathBuf,
    home: PathBuf,
    cache: PathBuf,
    runtime: PathBuf,
    tmp: PathBuf,
}

impl Installed {
    fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        let home = root.path().join("home");
        let runtime = root.path().join("run-user");
        let tmp = root.path().join("tmp");
        for dir in [&bin, &home, &runtime, &tmp] {
            std::fs::create_dir(dir).unwrap();
        }
        // As logind makes it: the user's alone.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        let binary = bin.join("virtdrive");
        std::fs::copy(env!("CARGO_BIN_EXE_virtdrive"), &binary).unwrap();
        Installed {
            cache: root.path().join("cache"),
            _root: root,
            binary,
            home,
            runtime,
            tmp,
        }
    }

    /// `virtdrive ARGS` from the binary's folder, with this home and no `VIRTDRIVE_SHIM`.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.binary);
        c.args(args)
            .current_dir(self.binary.parent().unwrap())
            .env_remove("VIRTDRIVE_SHIM")
            .env("HOME", &self.home)
            .env("XDG_CACHE_HOME", &self.cache)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("TMPDIR", &self.tmp);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output_retrying()
    }

    /// `shim-path`, which must succeed; the path it prints.
    fn shim_path(&self) -> PathBuf {
        let out = self.run(&["shim-path"]);
        assert!(out.status.success(), "{}", text(&out));
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        PathBuf::from(stdout.trim_end())
    }
}

/// Starting a binary just copied can fail with ETXTBSY while another test thread's child,
/// forked during the copy, still holds the copy's descriptor until its exec closes it: that
/// start is tried again.
trait Retrying {
    fn output_retrying(&mut self) -> Output;
    fn spawn_retrying(&mut self) -> std::process::Child;
}

impl Retrying for Command {
    fn output_retrying(&mut self) -> Output {
        retry(|| self.output())
    }
    fn spawn_retrying(&mut self) -> std::process::Child {
        retry(|| self.spawn())
    }
}

fn retry<T>(mut start: impl FnMut() -> std::io::Result<T>) -> T {
    for _ in 0..100 {
        match start() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
    panic!("the copied binary stays busy (ETXTBSY)")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn no_panic(out: &Output) {
    assert_ne!(out.status.code(), Some(101), "{}", text(out));
    assert!(!text(out).contains("panicked"), "{}", text(out));
}

/// The shim this build embeds; `None` (after checking that the binary says so) when the
/// build has none, which only happens without a C compiler.
fn embedded_or_refused(installed: &Installed) -> Option<&'static [u8]> {
    let shim = shim::embedded();
    if shim.is_none() {
        let out = installed.run(&["shim-path"]);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(125), "{}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no preload shim"),
            "{}",
            text(&out)
        );
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set, so this build must have its preload shim (install a C compiler)"
        );
        eprintln!("NOTICE: this build has no preload shim (no C compiler); test skipped");
    }
    shim
}

/// `virtdrive run --drive virt:bd-re -- sg_inq /dev/sr9` from the installed binary.
fn sg_inq_names_the_emulator(installed: &Installed, sg_inq: &Path) {
    let out = installed
        .command(&["run", "--drive", "virt:bd-re", "--"])
        .arg(sg_inq)
        .arg("/dev/sr9")
        .output_retrying();
    no_panic(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(VENDOR),
        "{}",
        text(&out)
    );
}

#[test]
fn a_copied_binary_extracts_its_shim_into_a_fresh_home_and_runs_sg_inq() {
    let installed = Installed::new();
    let Some(embedded) = embedded_or_refused(&installed) else {
        return;
    };
    let path = installed.shim_path();
    assert!(path.is_file(), "{} exists", path.display());
    assert!(
        path.starts_with(&installed.runtime),
        "{} is in the runtime folder",
        path.display()
    );
    assert_eq!(
        path.file_name().unwrap().to_string_lossy(),
        shim::file_name(embedded)
    );
    assert_eq!(std::fs::read(&path).unwrap(), embedded);
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(&path), 0o644);
    // Asking again gives the same file.
    assert_eq!(installed.shim_path(), path);

    if let Some(sg_inq) = tool("sg_inq", "sg3-utils") {
        sg_inq_names_the_emulator(&installed, &sg_inq);
    }
}

#[test]
fn without_a_runtime_folder_the_shim_goes_to_the_cache_folder_then_to_the_temporary_one() {
    let installed = Installed::new();
    if embedded_or_refused(&installed).is_none() {
        return;
    }
    let out = installed
        .command(&["shim-path"])
        .env_remove("XDG_RUNTIME_DIR")
        .output_retrying();
    assert!(out.status.success(), "{}", text(&out));
    let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end());
    assert!(path.is_file());
    assert_eq!(path.parent().unwrap(), installed.cache.join("virtdrive"));

    // HOME is a file and there is no XDG folder: the temporary folder, with the user's id.
    let home_file = installed.home.join("not-a-folder");
    std::fs::write(&home_file, b"").unwrap();
    let out = installed
        .command(&["shim-path"])
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", &home_file)
        .output_retrying();
    assert!(out.status.success(), "{}", text(&out));
    let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end());
    assert!(path.is_file());
    let uid = nix::unistd::getuid();
    assert_eq!(
        path.parent().unwrap(),
        installed.tmp.join(format!("virtdrive-{uid}"))
    );
}

#[test]
fn a_damaged_extracted_shim_is_detected_and_rewritten() {
    let installed = Installed::new();
    let Some(embedded) = embedded_or_refused(&installed) else {
        return;
    };
    let path = installed.shim_path();
    // The same length with other bytes, then a truncated copy.
    let mut damaged = embedded.to_vec();
    damaged[embedded.len() / 2] ^= 0xFF;
    std::fs::write(&path, &damaged).unwrap();
    assert_eq!(installed.shim_path(), path);
    assert_eq!(std::fs::read(&path).unwrap(), embedded);

    std::fs::write(&path, &embedded[..100]).unwrap();
    assert_eq!(installed.shim_path(), path);
    assert_eq!(std::fs::read(&path).unwrap(), embedded);
    // No temporary file is left in the folder.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [path.file_name().unwrap()]);

    if let Some(sg_inq) = tool("sg_inq", "sg3-utils") {
        std::fs::write(&path, b"garbage").unwrap();
        // `run` checks the shim as `shim-path` does.
        sg_inq_names_the_emulator(&installed, &sg_inq);
        assert_eq!(std::fs::read(&path).unwrap(), embedded);
    }
}

#[test]
fn concurrent_runs_extract_one_good_shim() {
    let installed = Installed::new();
    let Some(embedded) = embedded_or_refused(&installed) else {
        return;
    };
    let children: Vec<_> = (0..8)
        .map(|_| {
            installed
                .command(&["shim-path"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn_retrying()
        })
        .collect();
    let paths: Vec<PathBuf> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", text(&out));
            PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end())
        })
        .collect();
    assert!(paths.iter().all(|p| p == &paths[0]), "{paths:?}");
    assert_eq!(std::fs::read(&paths[0]).unwrap(), embedded);
    assert_eq!(
        std::fs::read_dir(paths[0].parent().unwrap())
            .unwrap()
            .count(),
        1,
        "no temporary file is left"
    );
}

#[test]
fn a_runtime_folder_of_another_user_is_not_used() {
    let installed = Installed::new();
    if embedded_or_refused(&installed).is_none() {
        return;
    }
    let theirs = installed.runtime.join("virtdrive");
    std::fs::create_dir(&theirs).unwrap();
    if nix::unistd::getuid().is_root() {
        // Only root can give a folder away; user 65534 is `nobody`.
        std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
        let path = installed.shim_path();
        assert!(
            path.starts_with(installed.cache.join("virtdrive")),
            "{}: the next folder is used",
            path.display()
        );
        assert_eq!(
            std::fs::read_dir(&theirs).unwrap().count(),
            0,
            "nothing is written into the other user's folder"
        );
    } else {
        // A folder that is a file: the next one is used, and the error of each is reported
        // when none works (below).
        std::fs::remove_dir(&theirs).unwrap();
        std::fs::write(&theirs, b"").unwrap();
        let path = installed.shim_path();
        assert!(path.starts_with(installed.cache.join("virtdrive")));
    }
}

#[test]
fn a_missing_home_is_not_created_and_a_missing_runtime_folder_is_skipped() {
    let installed = Installed::new();
    if embedded_or_refused(&installed).is_none() {
        return;
    }
    let gone = installed.home.join("gone");
    let out = installed
        .command(&["shim-path"])
        .env("XDG_RUNTIME_DIR", gone.join("run"))
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", &gone)
        .output_retrying();
    assert!(out.status.success(), "{}", text(&out));
    let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end());
    let uid = nix::unistd::getuid();
    assert_eq!(
        path.parent().unwrap(),
        installed.tmp.join(format!("virtdrive-{uid}"))
    );
    assert!(!gone.exists(), "no home is made");
}

#[test]
fn when_no_folder_can_hold_the_shim_each_reason_is_reported() {
    let installed = Installed::new();
    if embedded_or_refused(&installed).is_none() {
        return;
    }
    // The runtime folder is a file, so it is not a candidate; the cache folder and the
    // temporary one are files, so no folder can be made there.
    let file = installed.home.join("file");
    std::fs::write(&file, b"").unwrap();
    let out = installed
        .command(&["shim-path"])
        .env("XDG_RUNTIME_DIR", &file)
        .env("XDG_CACHE_HOME", &file)
        .env("TMPDIR", &file)
        .output_retrying();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(125), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("virtdrive: cannot extract the preload shim: "),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("cannot keep the preload shim in").count(),
        2,
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}/virtdrive: cannot create it", file.display())),
        "{stderr}"
    );
    let uid = nix::unistd::getuid();
    assert!(
        stderr.contains(&format!(
            "{}/virtdrive-{uid}: cannot create it",
            file.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn virtdrive_shim_names_another_shim_and_a_missing_one_is_an_error() {
    let installed = Installed::new();
    let missing = installed.home.join("no-such-shim.so");
    for args in [&["shim-path"][..], &["run", "--", "true"]] {
        let out = installed
            .command(args)
            .env("VIRTDRIVE_SHIM", &missing)
            .output_retrying();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(125), "{args:?}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "VIRTDRIVE_SHIM={}: no such file",
                missing.display()
            )),
            "{args:?}: {stderr}"
        );
    }
    assert!(!missing.exists());
    assert!(
        !installed.runtime.join("virtdrive").exists(),
        "nothing is extracted when VIRTDRIVE_SHIM is set"
    );

    // An existing file is used as it is (it is the developer's to check).
    let other = installed.home.join("other-shim.so");
    std::fs::write(&other, b"any bytes").unwrap();
    let out = installed
        .command(&["shim-path"])
        .env("VIRTDRIVE_SHIM", &other)
        .output_retrying();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n", other.display())
    );

    // Empty is unset.
    if embedded_or_refused(&installed).is_some() {
        let out = installed
            .command(&["shim-path"])
            .env("VIRTDRIVE_SHIM", "")
            .output_retrying();
        assert!(out.status.success(), "{}", text(&out));
        assert!(String::from_utf8(out.stdout)
            .unwrap()
            .starts_with(&installed.runtime.display().to_string()));
    }
}
