//! The open-file rule of the two device nodes, so a second program's O_EXCL open gets EBUSY
//! as it would from Linux:
//!
//! - `/dev/srN` (block): an O_EXCL open is refused while another O_EXCL open of the drive
//!   exists; plain opens are always allowed (the block layer's exclusive claim).
//! - `/dev/sgN` (char): an O_EXCL open is refused while any other open of the node exists,
//!   and any open is refused while an O_EXCL open exists (the sg driver, with O_NONBLOCK; a
//!   blocking open would wait, here it is refused too).
//!
//! An open outlives the connection that made it while a forked child still shares it
//! (ATTACH): it ends when its last connection closes.

use std::collections::HashMap;

use super::protocol::{Node, OpenMode};

/// One open file description of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OpenFile {
    node: Node,
    exclusive: bool,
    /// Connections sharing it (the opener and the forked children that attached).
    connections: u32,
}

/// Every open of the drive's nodes.
#[derive(Debug, Default)]
pub struct OpenTable {
    opens: HashMap<u64, OpenFile>,
    next_id: u64,
}

/// Why an open was refused (EBUSY).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl OpenTable {
    /// Opens `node` with `mode`; the id names the open for ATTACH and CLOSE.
    pub fn open(&mut self, node: Node, mode: OpenMode) -> Result<u64, Busy> {
        let mut same_node = self.opens.values().filter(|o| o.node == node);
        let refused = match node {
            Node::Block => mode.exclusive && same_node.any(|o| o.exclusive),
            Node::Char => {
                if mode.exclusive {
                    same_node.next().is_some()
                } else {
                    same_node.any(|o| o.exclusive)
                }
            }
        };
        if refused {
            return Err(Busy);
        }
        self.next_id = self.next_id.wrapping_add(1);
        self.opens.insert(
            self.next_id,
            OpenFile {
                node,
                exclusive: mode.exclusive,
                connections: 1,
            },
        );
        Ok(self.next_id)
    }

    /// A forked child's connection joins open `id`; false when there is no such open.
    pub fn attach(&mut self, id: u64) -> bool {
        match self.opens.get_mut(&id) {
            Some(o) => {
                o.connections = o.connections.saturating_add(1);
                true
            }
            None => false,
        }
    }

    /// A connection of open `id` is gone; the open ends with its last connection.
    pub fn release(&mut self, id: u64) {
        if let Some(o) = self.opens.get_mut(&id) {
            o.connections = o.connections.saturating_sub(1);
            if o.connections == 0 {
                self.opens.remove(&id);
            }
        }
    }

    /// Opens still alive.
    pub fn len(&self) -> usize {
        self.opens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.opens.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXCL: OpenMode = OpenMode {
        write: true,
        exclusive: true,
        nonblocking: true,
    };
    const SHARED: OpenMode = OpenMode {
        write: false,
        exclusive: false,
        nonblocking: true,
    };

    #[test]
    fn block_node_refuses_a_second_exclusive_open_only() {
        let mut t = OpenTable::default();
        let a = t.open(Node::Block, EXCL).unwrap();
        assert_eq!(t.open(Node::Block, EXCL), Err(Busy));
        assert!(t.open(Node::Block, SHARED).is_ok());
        // The char node is another driver: its opens do not see the block claim.
        assert!(t.open(Node::Char, EXCL).is_ok());
        t.release(a);
        assert!(t.open(Node::Block, EXCL).is_ok());
    }

    #[test]
    fn char_node_exclusive_excludes_every_other_open() {
        let mut t = OpenTable::default();
        let shared = t.open(Node::Char, SHARED).unwrap();
        assert_eq!(t.open(Node::Char, EXCL), Err(Busy));
        t.release(shared);
        let excl = t.open(Node::Char, EXCL).unwrap();
        assert_eq!(t.open(Node::Char, SHARED), Err(Busy));
        t.release(excl);
        assert!(t.is_empty());
    }

    #[test]
    fn an_open_shared_with_a_forked_child_ends_with_its_last_connection() {
        let mut t = OpenTable::default();
        let id = t.open(Node::Block, EXCL).unwrap();
        assert!(t.attach(id));
        t.release(id);
        assert_eq!(t.open(Node::Block, EXCL), Err(Busy));
        t.release(id);
        assert!(t.open(Node::Block, EXCL).is_ok());
        assert!(!t.attach(999));
    }
}
