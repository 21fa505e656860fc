//! Opening a drive for writing so that nothing else reaches it while the [`super::SgDevice`]
//! lives: both of its nodes, `/dev/srN` and `/dev/sgN`, opened with O_EXCL and write-locked.
//!
//! - A drive has two nodes with one SCSI address: the sr block node and the sg char node.
//!   O_EXCL on one says nothing to the other driver, so udev's cdrom_id, automounters and other
//!   burners could reach the drive through the node left open. Both are held, as libburn
//!   holds every "sibling" of the drive it grabs (sg-linux.c, sg_open_scsi_siblings).
//! - The sibling is found in sysfs (`/sys/dev/{block,char}/MAJ:MIN/device/{scsi_generic,block}`)
//!   and, without sysfs, by comparing the SCSI address (SCSI_IOCTL_GET_IDLUN) of every
//!   `srN`/`sgN` (0-31, and any listed) of the other kind, as libburn does.
//! - O_EXCL: on an sr node the block layer refuses a second exclusive open and any exclusive
//!   open of a mounted device; on an sg node the sg driver refuses (with O_NONBLOCK; it would
//!   wait without) every other open while one is exclusive (sg.c, sg_open).
//! - Locks: a whole-file write lock on each node (fcntl), the convention of libburn and
//!   cdrskin (F_SETLK), which also takes O_EXCL on both. Open-file-description locks
//!   (F_OFD_SETLK) conflict with theirs the same way, and cannot be dropped behind this
//!   device's back when another part of the process opens and closes the same node (closing
//!   any descriptor of a file drops the process's classic F_SETLK locks on it); kernels before
//!   3.15 answer EINVAL, and F_SETLK is used there.
//! - A busy node (EBUSY on open, a conflicting lock) is tried again a few times: udev runs
//!   cdrom_id after every disc change, and cdrom_id opens the drive with O_EXCL while it asks it
//!   what the disc is. See [`BUSY_RETRY_WAITS`].

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg};
use nix::libc;

use super::hdr::SG_MIN_VERSION;
use super::sysfs::{self, NodeId, NodeKind};
use super::{ioctl, open_error, OpenError};

/// How long to wait before each new attempt when a node is busy: 5 attempts over 2.5 s.
///
/// udev runs cdrom_id on every media change, and it opens the drive with O_EXCL for as long as
/// a few commands take (well under a second, a little more while a disc spins up); an
/// automounter probing the new disc is as brief. 2.5 s covers them without making a user who
/// runs two burns at once wait long for the answer that the drive is taken; libburn waits
/// longer (3 tries 2 s apart) because it also waits for its own scan's opens to settle.
pub const BUSY_RETRY_WAITS: [Duration; 4] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_millis(750),
    Duration::from_millis(1000),
];

/// How numbers of `srN` and `sgN` nodes are probed without sysfs, as libburn does.
const PROBED_NUMBERS: u32 = 32;

/// One node held open.
#[derive(Debug)]
pub(super) struct Held {
    pub file: File,
    pub path: PathBuf,
    pub id: NodeId,
}

/// The nodes of one drive, opened and locked.
#[derive(Debug)]
pub(super) struct Opened {
    /// The node commands are sent through: the sr node when one is known.
    pub command: Held,
    /// The other node of the drive, held so no one else opens it.
    pub sibling: Option<Held>,
    /// The SG driver's version, read on the command node.
    pub version: i32,
}

/// Calls `attempt` until it is not [`OpenError::Busy`], waiting `waits[i]` before attempt
/// `i + 2`; the last busy answer is returned when the waits run out.
pub(super) fn retry_while_busy<T>(
    waits: &[Duration],
    mut attempt: impl FnMut() -> Result<T, OpenError>,
    mut wait: impl FnMut(Duration),
) -> Result<T, OpenError> {
    let mut waits = waits.iter();
    loop {
        let result = attempt();
        match (&result, waits.next()) {
            (Err(OpenError::Busy { .. }), Some(w)) => wait(*w),
            _ => return result,
        }
    }
}

/// One attempt: finds the sibling, opens and locks the command node, then the sibling.
pub(super) fn open_once(given: &Path, given_id: NodeId, sysfs: &Path) -> Result<Opened, OpenError> {
    let sibling = find_sibling(given, given_id, sysfs)?;
    // Commands go through the sr node: it is the node mount, udev and the other burners
    // respect, and its SG_IO waits uninterruptibly (see status::errno_error on EINTR).
    let (command, other) = match sibling {
        Some((path, id)) if given_id.kind == NodeKind::Char && id.kind == NodeKind::Block => {
            ((path, id), Some((given.to_path_buf(), given_id)))
        }
        sibling => ((given.to_path_buf(), given_id), sibling),
    };
    let command = open_exclusive(&command.0, command.1)?;
    // Before anything is locked: a node that is not an SG device is refused here.
    let version = ioctl::version_num(std::os::fd::AsFd::as_fd(&command.file)).map_err(|errno| {
        OpenError::NotSg {
            path: command.path.clone(),
            errno,
        }
    })?;
    if version < SG_MIN_VERSION {
        return Err(OpenError::OldDriver {
            path: command.path,
            version,
        });
    }
    lock(&command)?;
    let sibling = match other {
        Some((path, id)) => hold_sibling(&path, id)?,
        None => None,
    };
    Ok(Opened {
        command,
        sibling,
        version,
    })
}

/// The sibling, held; `None` when it cannot be opened for a reason other than being busy (no
/// permission on it: the drive is then held through the other node only, which is said).
fn hold_sibling(path: &Path, id: NodeId) -> Result<Option<Held>, OpenError> {
    match open_exclusive(path, id) {
        Ok(held) => {
            lock(&held)?;
            Ok(Some(held))
        }
        Err(e @ OpenError::Busy { .. }) => Err(e),
        Err(e) => {
            tracing::warn!(
                "{e}: the drive's other node is not held, so other programs can still reach the drive through it"
            );
            Ok(None)
        }
    }
}

/// Opens `path` read-write, exclusively and without waiting for a medium, and checks it is
/// still the node `id`.
fn open_exclusive(path: &Path, id: NodeId) -> Result<Held, OpenError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_EXCL)
        .open(path)
        .map_err(|e| open_error(path, e))?;
    let meta = file.metadata().map_err(|e| open_error(path, e))?;
    match NodeId::of(&meta) {
        Some(now) if now == id => Ok(Held {
            file,
            path: path.to_path_buf(),
            id,
        }),
        Some(_) => Err(OpenError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("the node was replaced while it was being opened"),
        }),
        None => Err(OpenError::NotADevice {
            path: path.to_path_buf(),
            what: super::not_a_device(&meta.file_type()).unwrap_or("not a device"),
        }),
    }
}

/// A whole-file write lock on the node; a conflicting lock is [`OpenError::Busy`].
fn lock(held: &Held) -> Result<(), OpenError> {
    whole_file_lock(&held.file, &held.path, libc::F_WRLCK)
}

/// A whole-file lock of `kind` (F_WRLCK, F_RDLCK) on the open node `file`: an
/// open-file-description lock, or a classic one where the kernel has none. A conflicting lock
/// is [`OpenError::Busy`]; any other failure (ENOLCK...) is logged and ignored: the lock is a
/// convention between programs, O_EXCL the exclusion the kernel enforces.
pub(super) fn whole_file_lock(
    file: &File,
    path: &Path,
    kind: libc::c_int,
) -> Result<(), OpenError> {
    let whole_file = libc::flock {
        l_type: kind as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    };
    let fd = file.as_raw_fd();
    let locked = match fcntl(fd, FcntlArg::F_OFD_SETLK(&whole_file)) {
        Err(Errno::EINVAL) => fcntl(fd, FcntlArg::F_SETLK(&whole_file)),
        other => other,
    };
    match locked {
        Ok(_) => Ok(()),
        Err(Errno::EAGAIN | Errno::EACCES) => Err(OpenError::Busy {
            path: path.to_path_buf(),
        }),
        Err(errno) => {
            tracing::warn!(
                "{}: cannot lock ({errno}); going on without",
                path.display()
            );
            Ok(())
        }
    }
}

/// The other node of the drive at `given`: from sysfs when it knows the device, else by
/// SCSI address. A node of the other kind that is busy and cannot be asked its address, when
/// no sibling was found, may be the sibling held by another program: that is
/// [`OpenError::Busy`].
fn find_sibling(
    given: &Path,
    given_id: NodeId,
    sysfs_root: &Path,
) -> Result<Option<(PathBuf, NodeId)>, OpenError> {
    let dirs = search_dirs(given);
    if let Some((name, id)) = sysfs::sibling(sysfs_root, given_id) {
        let named = dirs.iter().map(|d| d.join(&name));
        let found = named
            .chain(candidates(&dirs, id.kind).into_iter().map(|(p, _)| p))
            .find(|p| node_id(p) == Some(id));
        return Ok(found.map(|p| (p, id)));
    }
    if sysfs::scsi_type(sysfs_root, given_id).is_some() {
        // sysfs knows the device and lists no other node for it.
        return Ok(None);
    }
    let Some(address) = scsi_address(given)? else {
        return Ok(None);
    };
    let mut busy = None;
    for (path, id) in candidates(&dirs, given_id.kind.other()) {
        match scsi_address(&path) {
            Ok(Some(a)) if a == address => return Ok(Some((path, id))),
            Err(OpenError::Busy { path }) => {
                busy.get_or_insert(path);
            }
            _ => {}
        }
    }
    match busy {
        Some(path) => Err(OpenError::Busy { path }),
        None => Ok(None),
    }
}

/// The folders searched for the sibling: the given node's own, then `/dev`.
fn search_dirs(given: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(parent) = given.parent().filter(|p| !p.as_os_str().is_empty()) {
        dirs.push(parent.to_path_buf());
    }
    let dev = PathBuf::from("/dev");
    if !dirs.contains(&dev) {
        dirs.push(dev);
    }
    dirs
}

/// Every node of `kind` named `srN` (block) or `sgN` (char) in `dirs`: N from 0 to 31 by
/// name (a node can exist without being listed), and any other N listed. Each once.
fn candidates(dirs: &[PathBuf], kind: NodeKind) -> Vec<(PathBuf, NodeId)> {
    let prefix = match kind {
        NodeKind::Block => "sr",
        NodeKind::Char => "sg",
    };
    let mut found: Vec<(NodeId, PathBuf)> = Vec::new();
    for dir in dirs {
        let listed = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| {
                name.strip_prefix(prefix)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
        let by_number = (0..PROBED_NUMBERS).map(|n| format!("{prefix}{n}"));
        for name in by_number.chain(listed) {
            let path = dir.join(name);
            if let Some(id) = node_id(&path).filter(|id| id.kind == kind) {
                if !found.iter().any(|(known, _)| *known == id) {
                    found.push((id, path));
                }
            }
        }
    }
    found.into_iter().map(|(id, path)| (path, id)).collect()
}

fn node_id(path: &Path) -> Option<NodeId> {
    NodeId::of(&std::fs::metadata(path).ok()?)
}

/// The SCSI address of the device at `path`, opened read-only and shared just to ask;
/// `Ok(None)` when it cannot be opened or asked, [`OpenError::Busy`] when another program
/// holds it exclusively.
fn scsi_address(path: &Path) -> Result<Option<[u8; 4]>, OpenError> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
            return Err(OpenError::Busy {
                path: path.to_path_buf(),
            })
        }
        Err(_) => return Ok(None),
    };
    Ok(ioctl::scsi_address(std::os::fd::AsFd::as_fd(&file)).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn busy() -> OpenError {
        OpenError::Busy {
            path: "/dev/sr0".into(),
        }
    }

    #[test]
    fn a_busy_drive_is_tried_five_times_with_growing_waits_then_reported_busy() {
        let attempts = Cell::new(0);
        let mut waited = Vec::new();
        let r: Result<(), _> = retry_while_busy(
            &BUSY_RETRY_WAITS,
            || {
                attempts.set(attempts.get() + 1);
                Err(busy())
            },
            |d| waited.push(d),
        );
        assert!(matches!(r, Err(OpenError::Busy { .. })), "{r:?}");
        assert_eq!(attempts.get(), 5);
        assert_eq!(waited, BUSY_RETRY_WAITS);
        let total: Duration = waited.iter().sum();
        assert_eq!(total, Duration::from_millis(2500));
    }

    #[test]
    fn a_drive_freed_during_the_waits_is_opened() {
        let attempts = Cell::new(0);
        let mut waited = Vec::new();
        let r = retry_while_busy(
            &BUSY_RETRY_WAITS,
            || {
                attempts.set(attempts.get() + 1);
                if attempts.get() < 3 {
                    Err(busy())
                } else {
                    Ok("opened")
                }
            },
            |d| waited.push(d),
        );
        assert_eq!(r.unwrap(), "opened");
        assert_eq!(waited, BUSY_RETRY_WAITS[..2]);
    }

    #[test]
    fn other_refusals_are_not_retried() {
        let attempts = Cell::new(0);
        let r: Result<(), _> = retry_while_busy(
            &BUSY_RETRY_WAITS,
            || {
                attempts.set(attempts.get() + 1);
                Err(OpenError::NotADevice {
                    path: "/tmp/x".into(),
                    what: "a regular file",
                })
            },
            |_| panic!("no wait for a refusal that is not EBUSY"),
        );
        assert!(matches!(r, Err(OpenError::NotADevice { .. })));
        assert_eq!(attempts.get(), 1);
    }

    #[test]
    fn the_sibling_search_looks_beside_the_node_then_in_dev() {
        assert_eq!(
            search_dirs(Path::new("/run/x/sg9")),
            [PathBuf::from("/run/x"), PathBuf::from("/dev")]
        );
        assert_eq!(search_dirs(Path::new("/dev/sr0")), [PathBuf::from("/dev")]);
        assert_eq!(search_dirs(Path::new("sr0")), [PathBuf::from("/dev")]);
    }
}
