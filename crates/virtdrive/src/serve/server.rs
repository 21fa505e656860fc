//! The listening socket: one thread per connection, a stop handle, and the disc committed
//! once every connection has ended.

use std::collections::HashMap;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::drive::ServedDrive;
use super::opens::OpenTable;
use super::session;
use crate::DiscFileDriveError;

/// Why the server could not start or end cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {}: {source}", path.display())]
    Bind { path: PathBuf, source: io::Error },
    #[error("{}: another virtdrive server is listening there", .0.display())]
    InUse(PathBuf),
    #[error("{}: exists and is not a socket; give another --socket path", .0.display())]
    NotASocket(PathBuf),
    #[error("saving the disc: {0}")]
    Commit(#[from] DiscFileDriveError),
}

/// What the connection threads share.
#[derive(Debug)]
pub(super) struct Shared {
    drive: Mutex<ServedDrive>,
    opens: Mutex<OpenTable>,
    stopping: Arc<AtomicBool>,
    /// A handle on each live connection, to end them at shutdown.
    live: Mutex<HashMap<u64, UnixStream>>,
    verbose: bool,
}

/// One line on stderr. A stderr that cannot be written (a full disk) loses the line instead of
/// stopping the server, as `eprintln!` would by panicking.
fn note(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(io::stderr(), "virtdrive serve: {message}");
}

/// Locks `m`; a thread that panicked while holding it left the state between two commands,
/// which is still consistent, so its poison is ignored.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(super) fn drive(&self) -> MutexGuard<'_, ServedDrive> {
        lock(&self.drive)
    }
    pub(super) fn opens(&self) -> MutexGuard<'_, OpenTable> {
        lock(&self.opens)
    }
    pub(super) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
    /// One line on stderr about connection `id`.
    pub(super) fn log(&self, id: u64, message: &str) {
        note(format_args!("connection {id}: {message}"));
    }
}

/// A server for one virtual drive on a Unix socket.
#[derive(Debug)]
pub struct Server {
    listener: UnixListener,
    path: PathBuf,
    shared: Arc<Shared>,
}

/// Stops a running [`Server::serve`] from another thread.
#[derive(Debug, Clone)]
pub struct StopHandle {
    stopping: Arc<AtomicBool>,
    path: PathBuf,
}

impl StopHandle {
    /// Asks the server to stop: no new connection is taken, the live ones are ended after
    /// their current command, and the disc is committed.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop; it sees the flag and drops this connection.
        let _ = UnixStream::connect(&self.path);
    }
}

impl Server {
    /// Listens on `path`. A socket file left by a server that is gone is replaced; a live one
    /// or any other file is refused.
    pub fn bind(path: &Path, drive: ServedDrive) -> Result<Server, ServeError> {
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(ServeError::NotASocket(path.to_path_buf()));
            }
            if UnixStream::connect(path).is_ok() {
                return Err(ServeError::InUse(path.to_path_buf()));
            }
            let _ = std::fs::remove_file(path);
        }
        let listener = UnixListener::bind(path).map_err(|source| ServeError::Bind {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Server {
            listener,
            path: path.to_path_buf(),
            shared: Arc::new(Shared {
                drive: Mutex::new(drive),
                opens: Mutex::new(OpenTable::default()),
                stopping: Arc::new(AtomicBool::new(false)),
                live: Mutex::new(HashMap::new()),
                verbose: false,
            }),
        })
    }

    /// Logs every connection's start and end too (errors are always logged).
    pub fn verbose(mut self, on: bool) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.verbose = on;
        }
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            stopping: Arc::clone(&self.shared.stopping),
            path: self.path.clone(),
        }
    }

    /// Serves until stopped, then ends every connection, removes the socket file and commits
    /// the disc.
    pub fn serve(self) -> Result<(), ServeError> {
        let next_id = AtomicU64::new(0);
        let mut threads: Vec<JoinHandle<()>> = Vec::new();
        for stream in self.listener.incoming() {
            if self.shared.stopping() {
                break;
            }
            threads.retain(|t| !t.is_finished());
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    note(format_args!("accepting a connection: {e}"));
                    // EMFILE and the like pass; do not spin on them.
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    continue;
                }
            };
            let id = next_id.fetch_add(1, Ordering::SeqCst) + 1;
            if let Ok(handle) = stream.try_clone() {
                lock(&self.shared.live).insert(id, handle);
            }
            let shared = Arc::clone(&self.shared);
            let spawned = std::thread::Builder::new()
                .name(format!("virtdrive-conn-{id}"))
                .spawn(move || {
                    if shared.verbose {
                        shared.log(id, "connected");
                    }
                    session::run(&shared, id, stream);
                    lock(&shared.live).remove(&id);
                    if shared.verbose {
                        shared.log(id, "closed");
                    }
                });
            match spawned {
                Ok(t) => threads.push(t),
                Err(e) => {
                    note(format_args!(
                        "cannot start a thread for connection {id}: {e}"
                    ));
                    if let Some(s) = lock(&self.shared.live).remove(&id) {
                        let _ = s.shutdown(std::net::Shutdown::Both);
                    }
                }
            }
        }
        for stream in lock(&self.shared.live).values() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        for t in threads {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
        remove_node_lock_files(&self.path);
        // Every connection thread has ended: the commit sees the last command's state.
        let mut drive = self.shared.drive();
        drive.commit()?;
        if let Some(e) = drive.transcript_error() {
            note(format_args!("writing the transcript: {e}"));
        }
        Ok(())
    }
}

/// Removes the files the preload shim opens for a drive node (`SOCKET.NAME.lock`, see
/// `vd_real_open_node_file` in shim/virtdrive_shim.c: the programs' fcntl locks live on them).
fn remove_node_lock_files(socket: &Path) {
    let (Some(dir), Some(name)) = (socket.parent(), socket.file_name()) else {
        return;
    };
    let prefix = format!("{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".lock") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
