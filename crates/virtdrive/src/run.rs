//! `virtdrive run -- PROGRAM ARGS...`: serves a virtual drive on a private socket, runs
//! PROGRAM with the preload shim so that `/dev/sr9` and `/dev/sg9` are that drive, then stops
//! the server and commits the disc. PROGRAM's exit status is the result.
//!
//! What the shim reads from the environment (set here, or by hand with `virtdrive serve`):
//!
//! | variable                 | meaning                                          | default    |
//! |--------------------------|--------------------------------------------------|------------|
//! | `LD_PRELOAD`             | the shim (`virtdrive shim-path`, see [`shim`])   |            |
//! | `VIRTDRIVE_SOCKET`       | the server's socket                              | (required) |
//! | `VIRTDRIVE_SR`           | the block node, major 11, minor from its digits  | `/dev/sr9` |
//! | `VIRTDRIVE_SG`           | the char node, major 21, minor from its digits   | `/dev/sg9` |
//! | `VIRTDRIVE_SCSI_ADDRESS` | host:channel:target:lun of both nodes            | `9:0:0:0`  |
//! | `VIRTDRIVE_SYSFS`        | the drive's sysfs entries, shown at `/sys` where the real sysfs has nothing (see `sysfs.rs`) | unset |
//! | `VIRTDRIVE_SHIM_TRACE`   | set: the shim logs each faked call on stderr      | unset      |
//! | `VIRTDRIVE_SHIM_MAX_TRANSFER` | the most bytes one SG_IO data phase may carry, as a host adapter's limit (see below) | 16777216 |
//! | `VIRTDRIVE_SHIM_FAIL`    | SG_IO calls to fail, for error paths (see below)  | unset      |
//! | `VIRTDRIVE_SHIM_SLEEP_DIVISOR` | 1 to 1000: the program's sleeps of 1 ms or more last 1/N as long, at least 1 ms (see below) | 1; `run` sets 10 unless `--paced` |
//!
//! `VIRTDRIVE_SHIM_MAX_TRANSFER=BYTES` (512 to 16777216, decimal or 0x hex): BLKSECTGET
//! answers it (an unsigned short of 512-byte sectors on the block node, an int of bytes on the
//! sg node, as Linux does), SG_SET_RESERVED_SIZE grants at most it, a new open's reserved
//! buffer is 32768 bytes or it if smaller, and an SG_IO whose `dxfer_len` is larger fails as
//! Linux fails it: EIO on the block node (the block layer's max_hw_sectors check), EINVAL on
//! the sg node.
//!
//! `VIRTDRIVE_SHIM_SLEEP_DIVISOR=N`: under the accelerated clock the drive's time moves with
//! the commands the program sends, not with the wall clock, so the program's waits for the
//! drive (libburn's half-second sleeps before it polls, its 50 ms FIFO polls, wodim's
//! countdown) are wall time spent for nothing: a program that sleeps a tenth as long sends
//! the same commands and sees the same answers. `virtdrive run` sets 10 unless `--paced` or
//! the variable is already set (`VIRTDRIVE_SHIM_SLEEP_DIVISOR=1` keeps every sleep whole).
//! Relative `sleep`, `usleep`, `nanosleep` and `clock_nanosleep` calls are shortened; sleeps
//! until an absolute time and those under 1 ms are not, and the clocks the program reads are
//! never changed.
//!
//! `VIRTDRIVE_SHIM_FAIL=RULE[,RULE...]` (at most 16 rules), `RULE` = `[OP@]N:ACTION[*COUNT]`:
//! the Nth SG_IO (1-based) of the process, or with `OP` (two hex digits, `2a@1`) the Nth with
//! that opcode, and the `COUNT - 1` matching ones after it (default 1), fail with `ACTION`:
//! an errno (`EIO`, `EINVAL`, `ENOMEM`, `EINTR`, `ENXIO`, `ENODEV`, `EBUSY`, `EACCES`,
//! `EPERM`, `EFAULT`, `EAGAIN`, `EBADF`, `ETIMEDOUT`, `EDOM`, `ENOSYS`, `ENOTTY`, or a
//! number): the ioctl fails and the command never reaches the drive, except with `EINTR`,
//! where the drive runs it and its result is lost (as an interrupted wait in the sg driver
//! loses it); `host=CODE` or `driver=CODE` (decimal or 0x hex): the command does not reach the
//! drive and completes with that `host_status` or `driver_status`, no SCSI status, no sense,
//! nothing transferred and SG_INFO_CHECK. Counting is per process (a forked child goes on
//! from its parent's count, a new program image starts again), so a program's own command
//! sequence makes it deterministic; an SG_IO refused before (a malformed header, a data phase
//! over the limit) is not counted. A malformed rule or limit is reported on stderr and
//! ignored. Example: `VIRTDRIVE_SHIM_FAIL=12@1:EIO,2a@1:host=0x0b*2`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crate::serve::{open_drive, DriveOptions, ServeError, Server, StopHandle};

/// The shim's setting for how much shorter the program's sleeps are.
const SLEEP_DIVISOR_VAR: &str = "VIRTDRIVE_SHIM_SLEEP_DIVISOR";

/// The divisor `run` gives the program's sleeps under the accelerated clock: libburn's fixed
/// half-second waits around START STOP UNIT, SYNCHRONIZE CACHE and CLOSE TRACK/SESSION (3 s
/// of a burn's wall time) take 0.3 s.
pub const ACCELERATED_SLEEP_DIVISOR: u32 = 10;

/// Where `virtdrive run` puts the drive, and the shim that puts it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devices {
    pub sr: PathBuf,
    pub sg: PathBuf,
    /// host, channel, target, lun.
    pub scsi_address: [u32; 4],
}

impl Default for Devices {
    fn default() -> Self {
        Devices {
            sr: PathBuf::from("/dev/sr9"),
            sg: PathBuf::from("/dev/sg9"),
            scsi_address: [9, 0, 0, 0],
        }
    }
}

pub mod shim;
mod sysfs;

pub use shim::{shim_path, ShimError};

/// What to run against which drive.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub drive: DriveOptions,
    pub devices: Devices,
    pub program: OsString,
    pub args: Vec<OsString>,
    /// Log every connection in the server.
    pub verbose: bool,
    /// A program that runs `PROGRAM ARGS` as `LAUNCHER -- PROGRAM ARGS` (the `virtdrive`
    /// command passes itself, to give the program back the signals it blocks for its own
    /// signal thread: a blocked signal mask survives exec).
    pub launcher: Option<Vec<OsString>>,
}

/// Why `run` could not run the program, or could not save after it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{0}")]
    Drive(String),
    #[error(transparent)]
    Shim(#[from] ShimError),
    #[error("cannot make the socket's folder {}: {source}", path.display())]
    SocketDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error("{program}: command not found")]
    ProgramNotFound { program: String },
    #[error("{program}: not an executable file")]
    NotExecutable { program: String },
    #[error("{program}: {source}")]
    Program {
        program: String,
        source: std::io::Error,
    },
    #[error("the server thread ended abnormally")]
    ServerPanicked,
}

/// The program running against the drive.
#[derive(Debug)]
pub struct Running {
    child: Child,
    server: Option<JoinHandle<Result<(), ServeError>>>,
    stop: StopHandle,
    socket_dir: PathBuf,
}

/// Starts the server on a private socket and the program with the shim preloaded.
pub fn start(options: &RunOptions) -> Result<Running, RunError> {
    if find_program(&options.program).is_none() {
        let program = options.program.to_string_lossy().into_owned();
        // A path to something that is there but cannot be run is not "not found" (shells
        // report 126 for it, and 127 for a missing program).
        let named = Path::new(&options.program);
        return Err(if program.contains('/') && named.exists() {
            RunError::NotExecutable { program }
        } else {
            RunError::ProgramNotFound { program }
        });
    }
    let shim = shim_path()?;
    let drive = open_drive(&options.drive).map_err(RunError::Drive)?;
    let socket_dir = private_dir()?;
    let socket = socket_dir.join("drive.sock");
    // The drive `run` serves has the default configuration, so the default identity.
    let sysfs = socket_dir.join("sysfs");
    if let Err(source) = std::fs::create_dir(&sysfs)
        .and_then(|()| sysfs::write(&sysfs, &options.devices, &crate::DriveIdentity::default()))
    {
        let _ = std::fs::remove_dir_all(&socket_dir);
        return Err(RunError::SocketDir {
            path: sysfs,
            source,
        });
    }
    let server = match Server::bind(&socket, drive) {
        Ok(s) => s.verbose(options.verbose),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&socket_dir);
            return Err(e.into());
        }
    };
    let stop = server.stop_handle();
    let thread = std::thread::Builder::new()
        .name("virtdrive-server".into())
        .spawn(move || server.serve())
        .map_err(|source| RunError::SocketDir {
            path: socket_dir.clone(),
            source,
        })?;
    let mut command = match options.launcher.as_deref() {
        Some([launcher, launcher_args @ ..]) => {
            let mut c = Command::new(launcher);
            c.args(launcher_args).arg("--").arg(&options.program);
            c
        }
        _ => Command::new(&options.program),
    };
    command
        .args(&options.args)
        .env("LD_PRELOAD", preload_value(&shim))
        .env("VIRTDRIVE_SOCKET", &socket)
        .env("VIRTDRIVE_SR", &options.devices.sr)
        .env("VIRTDRIVE_SG", &options.devices.sg)
        .env("VIRTDRIVE_SYSFS", &sysfs)
        .env(
            "VIRTDRIVE_SCSI_ADDRESS",
            address(&options.devices.scsi_address),
        );
    // Under the accelerated clock the program's own waits are drive time it need not spend
    // (shim_sleep.c); a value the caller set, or --paced, keeps them as they are.
    if !options.drive.paced && std::env::var_os(SLEEP_DIVISOR_VAR).is_none() {
        command.env(SLEEP_DIVISOR_VAR, ACCELERATED_SLEEP_DIVISOR.to_string());
    }
    let program = options.program.to_string_lossy().into_owned();
    let child = match command.spawn() {
        Ok(c) => c,
        Err(source) => {
            stop.stop();
            let _ = thread.join();
            let _ = std::fs::remove_dir_all(&socket_dir);
            return Err(match source.kind() {
                std::io::ErrorKind::NotFound => RunError::ProgramNotFound { program },
                _ => RunError::Program { program, source },
            });
        }
    };
    Ok(Running {
        child,
        server: Some(thread),
        stop,
        socket_dir,
    })
}

impl Running {
    /// The program's process id (to forward signals to it).
    pub fn program_id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the program, then stops the server and commits the disc.
    pub fn wait(mut self) -> Result<ExitStatus, RunError> {
        let status = self.child.wait();
        let served = self.finish();
        let status = status.map_err(|source| RunError::Program {
            program: "waiting for the program".into(),
            source,
        })?;
        served?;
        Ok(status)
    }

    fn finish(&mut self) -> Result<(), RunError> {
        self.stop.stop();
        let result = match self.server.take().map(JoinHandle::join) {
            Some(Ok(served)) => served.map_err(RunError::from),
            Some(Err(_)) => Err(RunError::ServerPanicked),
            None => Ok(()),
        };
        let _ = std::fs::remove_dir_all(&self.socket_dir);
        result
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.server.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let _ = self.finish();
        }
    }
}

/// Runs the program to its end: [`start`] then [`Running::wait`].
pub fn run(options: &RunOptions) -> Result<ExitStatus, RunError> {
    start(options)?.wait()
}

/// The exit code a shell would report for `status` (128 + the signal for a killed program).
pub fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

/// Where `program` is: itself when it names a path, else the first match in PATH.
pub fn find_program(program: &std::ffi::OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let runnable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let path = Path::new(program);
    if program.is_empty() {
        return None;
    }
    if path.components().count() > 1 || program.to_string_lossy().contains('/') {
        return runnable(path).then(|| path.to_path_buf());
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .map(|d| d.join(program))
        .find(|p| runnable(p))
}

/// LD_PRELOAD with the shim first, keeping what the caller preloads.
fn preload_value(shim: &Path) -> OsString {
    let mut v = shim.as_os_str().to_os_string();
    if let Some(old) = std::env::var_os("LD_PRELOAD").filter(|o| !o.is_empty()) {
        v.push(" ");
        v.push(old);
    }
    v
}

fn address(&[host, channel, target, lun]: &[u32; 4]) -> String {
    format!("{host}:{channel}:{target}:{lun}")
}

/// A folder only this user can enter, for the socket.
fn private_dir() -> Result<PathBuf, RunError> {
    use std::os::unix::fs::DirBuilderExt;
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    let mut last = None;
    for _ in 0..100 {
        let n = COUNT.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = base.join(format!("virtdrive-{}-{n}-{nanos}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(source) => return Err(RunError::SocketDir { path, source }),
        }
    }
    Err(RunError::SocketDir {
        path: base,
        source: last.unwrap_or_else(|| std::io::Error::other("no free name")),
    })
}
