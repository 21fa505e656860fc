//! The most data one command may carry on the path to a drive, read when it is opened.
//!
//! SG_IO refuses a data phase the path cannot take in one request: on a block node with EIO
//! when `dxfer_len` exceeds the queue's max_hw_sectors (scsi_ioctl.c, sg_io), on an sg node
//! with EINVAL or ENOMEM when the buffer cannot be mapped or allocated (sg.c, sg_start_req).
//! A USB bridge limited to 32 KiB then fails every 64 KiB WRITE. What is known of the limit:
//!
//! - on a block node, BLKSECTGET: the queue's max_sectors, in 512-byte sectors;
//! - on an sg node, BLKSECTGET (the same limit, in bytes) and the reserved buffer after asking
//!   for [`SG_RESERVED_WANTED`] (SG_SET_RESERVED_SIZE then SG_GET_RESERVED_SIZE: the driver
//!   grants at most max_sectors, and less when memory is short; a transfer within it never
//!   needs a fresh kernel allocation in the middle of a burn);
//! - in sysfs, the queue's `max_sectors_kb` and `max_hw_sectors_kb`.
//!
//! The smallest of them is the limit. Only the node commands go through counts: the sg
//! sibling merely held beside an sr node carries no data, and its reserved buffer (32 KiB
//! unless asked for more) limits nothing.

use std::fs::File;
use std::os::fd::AsFd;
use std::path::Path;

use super::ioctl;
use super::sysfs::{self, NodeId, NodeKind};

/// The reserved buffer asked of the sg driver when commands go through an sg node: 1 MiB,
/// far above the 64 KiB a writer moves per command, so the answer is the driver's own limit.
pub const SG_RESERVED_WANTED: usize = 1 << 20;

/// The smallest known limit of the node `id` open as `file`.
pub(super) fn transfer_limit(file: &File, id: NodeId, sysfs_root: &Path) -> Option<usize> {
    let fd = file.as_fd();
    let mut known = sysfs::queue_limits(sysfs_root, id);
    match id.kind {
        NodeKind::Block => {
            if let Ok(sectors) = ioctl::block_max_sectors(fd) {
                known.push(usize::from(sectors) * 512);
            }
        }
        NodeKind::Char => {
            let wanted = i32::try_from(SG_RESERVED_WANTED).unwrap_or(i32::MAX);
            for answer in [ioctl::sg_reserved_size(fd, wanted), ioctl::sg_max_bytes(fd)] {
                if let Some(bytes) = answer.ok().and_then(|b| usize::try_from(b).ok()) {
                    known.push(bytes);
                }
            }
        }
    }
    smallest_limit(known)
}

/// The smallest of the limits, ignoring zeros (an answer that says nothing).
pub fn smallest_limit(known: impl IntoIterator<Item = usize>) -> Option<usize> {
    known.into_iter().filter(|&l| l > 0).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_non_zero_limit_wins() {
        assert_eq!(smallest_limit([65536, 32768, 1 << 20]), Some(32768));
        assert_eq!(smallest_limit([0, 122880]), Some(122880));
        assert_eq!(smallest_limit([0, 0]), None);
        assert_eq!(smallest_limit([]), None);
    }
}
