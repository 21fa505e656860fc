//! The wire format between the preload shim (`shim/virtdrive_shim.c`) and `virtdrive serve`.
//!
//! One Unix stream connection per `open()` of a drive path in the client program. Every
//! message is a frame: a little-endian `u32` body length (1 to [`MAX_BODY`]), then the body,
//! whose first byte is its kind. The client sends a request and reads exactly one reply before
//! it sends the next; the server never speaks first. All integers are little-endian; errno
//! values are Linux's numbers (both ends run on the same machine).
//!
//! | kind | message    | body after the kind byte (offsets from the start of the body)                   |
//! |------|------------|---------------------------------------------------------------------------------|
//! | 0x01 | OPEN       | 1 node (0 `/dev/srN` block, 1 `/dev/sgN` char), 2 mode (bit 0 write access, bit 1 O_EXCL, bit 2 O_NONBLOCK), 3 reserved, 4 pid u32 |
//! | 0x81 | OPENED     | 1..4 reserved, 4 errno i32 (0: opened), 8 open id u64                            |
//! | 0x02 | ATTACH     | 1..4 reserved, 4 pid u32, 8 open id u64: share an open inherited across fork()   |
//! | 0x82 | ATTACHED   | 1..4 reserved, 4 errno i32                                                      |
//! | 0x03 | EXECUTE    | 1 direction (0 none, 1 data-in, 2 data-out), 2 CDB length (1-16), 3 reserved, 4 timeout ms u32 (0: 60 s), 8 dxfer_len u32, 12 the CDB, then the data-out bytes (exactly dxfer_len of them for data-out, none otherwise) |
//! | 0x83 | COMPLETED  | 1 status, 2 masked_status, 3 sense length, 4 errno i32 (non-zero: the SG_IO ioctl fails with it and the rest is zero), 8 host_status u16, 10 driver_status u16, 12 info u32, 16 resid i32, 20 duration ms u32, 24 data-in length u32, 28 the sense bytes, then the data-in bytes |
//! | 0x04 | CLOSE      | 1..4 reserved: the client closed its last descriptor of this open               |
//! | 0x84 | CLOSED     | 1..4 reserved                                                                   |
//! | 0xFF | ERROR      | 1..4 reserved, 4 a UTF-8 message: the request was malformed; the server closes the connection |
//!
//! The COMPLETED fields are those of `struct sg_io_hdr` after SG_IO, computed by the server
//! (see [`super::sg_reply`]): the shim copies them into the caller's header, the sense into
//! `sbp` (at most `mx_sb_len` bytes) and the data-in into `dxferp` (at most `dxfer_len`).

use std::io::{self, Read, Write};

/// The most data one command may carry (the shim refuses larger SG_IO transfers with ENOMEM,
/// as the sg driver does beyond its limits).
pub const MAX_DATA: usize = 16 * 1024 * 1024;
/// The longest CDB (SG_IO's MAX_COMMAND_SIZE).
pub const MAX_CDB: usize = 16;
/// The longest body: a COMPLETED header, a full sense buffer and the largest data phase.
pub const MAX_BODY: usize = 28 + 255 + MAX_DATA;

/// Linux errno values the server answers with.
pub mod errno {
    pub const EIO: i32 = 5;
    pub const EBADF: i32 = 9;
    pub const EBUSY: i32 = 16;
    pub const ENODEV: i32 = 19;
    pub const EINVAL: i32 = 22;
}

mod kind {
    pub const OPEN: u8 = 0x01;
    pub const ATTACH: u8 = 0x02;
    pub const EXECUTE: u8 = 0x03;
    pub const CLOSE: u8 = 0x04;
    pub const OPENED: u8 = 0x81;
    pub const ATTACHED: u8 = 0x82;
    pub const COMPLETED: u8 = 0x83;
    pub const CLOSED: u8 = 0x84;
    pub const ERROR: u8 = 0xFF;
}

/// Which device node the client opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// `/dev/srN`, block major 11: O_EXCL conflicts only with another O_EXCL open.
    Block,
    /// `/dev/sgN`, char major 21: O_EXCL conflicts with any other open, and any open with an
    /// O_EXCL one.
    Char,
}

/// Which way the data phase goes (`dxfer_direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    None,
    /// From the device (SG_DXFER_FROM_DEV).
    In,
    /// To the device (SG_DXFER_TO_DEV).
    Out,
}

/// How the client opened the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenMode {
    pub write: bool,
    pub exclusive: bool,
    pub nonblocking: bool,
}

/// What a client asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Open {
        node: Node,
        mode: OpenMode,
        pid: u32,
    },
    Attach {
        open_id: u64,
        pid: u32,
    },
    Execute(ExecuteRequest),
    Close,
}

/// One SG_IO command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteRequest {
    pub direction: Direction,
    pub cdb: Vec<u8>,
    pub timeout_ms: u32,
    /// Bytes of the host's buffer (data-in: the most the device may return).
    pub dxfer_len: u32,
    /// The data-out bytes (empty unless `direction` is `Out`).
    pub data_out: Vec<u8>,
}

/// The sg_io_hdr output fields of one command (or the errno its ioctl fails with).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SgReply {
    pub errno: i32,
    pub status: u8,
    pub masked_status: u8,
    pub host_status: u16,
    pub driver_status: u16,
    pub info: u32,
    pub resid: i32,
    pub duration_ms: u32,
    pub sense: Vec<u8>,
    pub data_in: Vec<u8>,
}

/// What the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Opened { errno: i32, open_id: u64 },
    Attached { errno: i32 },
    Completed(SgReply),
    Closed,
    Error(String),
}

/// Why a request could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("a frame of {0} bytes (1 to {MAX_BODY} allowed)")]
    FrameLength(u64),
    #[error("the connection closed in the middle of a request")]
    Truncated,
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("unknown message kind {0:#04x}")]
    UnknownKind(u8),
    #[error("{what}: the body is {got} bytes, {want}")]
    Length {
        what: &'static str,
        got: usize,
        want: String,
    },
    #[error("{0}")]
    Field(String),
}

/// Reads one frame's body; `Ok(None)` when the peer closed the connection between frames.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Vec<u8>>, ProtocolError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        let slot = len.get_mut(got..).unwrap_or(&mut []);
        match r.read(slot) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(ProtocolError::Truncated),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let n = u32::from_le_bytes(len);
    let size = usize::try_from(n).unwrap_or(usize::MAX);
    if size == 0 || size > MAX_BODY {
        return Err(ProtocolError::FrameLength(u64::from(n)));
    }
    let mut body = vec![0u8; size];
    r.read_exact(&mut body).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => ProtocolError::Truncated,
        _ => ProtocolError::Io(e),
    })?;
    Ok(Some(body))
}

/// Writes `body` as one frame.
pub fn write_frame(w: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let n = u32::try_from(body.len())
        .ok()
        .filter(|_| !body.is_empty() && body.len() <= MAX_BODY)
        .ok_or_else(|| io::Error::other(format!("a frame of {} bytes", body.len())))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&n.to_le_bytes());
    frame.extend_from_slice(body);
    w.write_all(&frame)?;
    w.flush()
}

/// A cursor over a body whose reads never panic.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.rest.split_at_checked(n)?;
        self.rest = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

fn exact(what: &'static str, body: &[u8], want: usize) -> Result<(), ProtocolError> {
    if body.len() == want {
        Ok(())
    } else {
        Err(ProtocolError::Length {
            what,
            got: body.len(),
            want: format!("{want} expected"),
        })
    }
}

impl Request {
    /// Reads a request body (never panics; every inconsistency is an error).
    pub fn parse(body: &[u8]) -> Result<Self, ProtocolError> {
        let mut c = Cursor { rest: body };
        let short = |what| ProtocolError::Length {
            what,
            got: body.len(),
            want: "too short".into(),
        };
        match c.u8() {
            Some(kind::OPEN) => {
                exact("OPEN", body, 8)?;
                let node = match c.u8().ok_or(short("OPEN"))? {
                    0 => Node::Block,
                    1 => Node::Char,
                    n => return Err(ProtocolError::Field(format!("OPEN: unknown node {n}"))),
                };
                let bits = c.u8().ok_or(short("OPEN"))?;
                if bits & !0x07 != 0 {
                    return Err(ProtocolError::Field(format!(
                        "OPEN: unknown mode bits {bits:#04x}"
                    )));
                }
                c.u8();
                let pid = c.u32().ok_or(short("OPEN"))?;
                Ok(Request::Open {
                    node,
                    mode: OpenMode {
                        write: bits & 1 != 0,
                        exclusive: bits & 2 != 0,
                        nonblocking: bits & 4 != 0,
                    },
                    pid,
                })
            }
            Some(kind::ATTACH) => {
                exact("ATTACH", body, 16)?;
                c.take(3);
                let pid = c.u32().ok_or(short("ATTACH"))?;
                let open_id = c.u64().ok_or(short("ATTACH"))?;
                Ok(Request::Attach { open_id, pid })
            }
            Some(kind::EXECUTE) => Self::parse_execute(body, &mut c),
            Some(kind::CLOSE) => {
                exact("CLOSE", body, 4)?;
                Ok(Request::Close)
            }
            Some(other) => Err(ProtocolError::UnknownKind(other)),
            None => Err(short("a request")),
        }
    }

    fn parse_execute(body: &[u8], c: &mut Cursor<'_>) -> Result<Self, ProtocolError> {
        let short = || ProtocolError::Length {
            what: "EXECUTE",
            got: body.len(),
            want: "at least 13 expected".into(),
        };
        let direction = match c.u8().ok_or_else(short)? {
            0 => Direction::None,
            1 => Direction::In,
            2 => Direction::Out,
            d => {
                return Err(ProtocolError::Field(format!(
                    "EXECUTE: unknown direction {d}"
                )))
            }
        };
        let cdb_len = usize::from(c.u8().ok_or_else(short)?);
        if !(1..=MAX_CDB).contains(&cdb_len) {
            return Err(ProtocolError::Field(format!(
                "EXECUTE: a CDB of {cdb_len} bytes (1 to {MAX_CDB})"
            )));
        }
        c.u8();
        let timeout_ms = c.u32().ok_or_else(short)?;
        let dxfer_len = c.u32().ok_or_else(short)?;
        let len = usize::try_from(dxfer_len).unwrap_or(usize::MAX);
        if len > MAX_DATA {
            return Err(ProtocolError::Field(format!(
                "EXECUTE: a data phase of {dxfer_len} bytes (at most {MAX_DATA})"
            )));
        }
        let cdb = c.take(cdb_len).ok_or_else(short)?.to_vec();
        let data_bytes = match direction {
            Direction::Out => len,
            _ => 0,
        };
        if c.rest.len() != data_bytes {
            return Err(ProtocolError::Length {
                what: "EXECUTE",
                got: body.len(),
                want: format!(
                    "{} expected for a {cdb_len}-byte CDB and {data_bytes} data-out bytes",
                    12 + cdb_len + data_bytes
                ),
            });
        }
        Ok(Request::Execute(ExecuteRequest {
            direction,
            cdb,
            timeout_ms,
            dxfer_len,
            data_out: c.rest.to_vec(),
        }))
    }

    /// The body of this request.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        match self {
            Request::Open { node, mode, pid } => {
                b.push(kind::OPEN);
                b.push(match node {
                    Node::Block => 0,
                    Node::Char => 1,
                });
                b.push(
                    u8::from(mode.write)
                        | u8::from(mode.exclusive) << 1
                        | u8::from(mode.nonblocking) << 2,
                );
                b.push(0);
                b.extend_from_slice(&pid.to_le_bytes());
            }
            Request::Attach { open_id, pid } => {
                b.extend_from_slice(&[kind::ATTACH, 0, 0, 0]);
                b.extend_from_slice(&pid.to_le_bytes());
                b.extend_from_slice(&open_id.to_le_bytes());
            }
            Request::Execute(e) => {
                b.push(kind::EXECUTE);
                b.push(match e.direction {
                    Direction::None => 0,
                    Direction::In => 1,
                    Direction::Out => 2,
                });
                b.push(u8::try_from(e.cdb.len()).unwrap_or(u8::MAX));
                b.push(0);
                b.extend_from_slice(&e.timeout_ms.to_le_bytes());
                b.extend_from_slice(&e.dxfer_len.to_le_bytes());
                b.extend_from_slice(&e.cdb);
                b.extend_from_slice(&e.data_out);
            }
            Request::Close => b.extend_from_slice(&[kind::CLOSE, 0, 0, 0]),
        }
        b
    }
}

impl Reply {
    /// The body of this reply.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        match self {
            Reply::Opened { errno, open_id } => {
                b.extend_from_slice(&[kind::OPENED, 0, 0, 0]);
                b.extend_from_slice(&errno.to_le_bytes());
                b.extend_from_slice(&open_id.to_le_bytes());
            }
            Reply::Attached { errno } => {
                b.extend_from_slice(&[kind::ATTACHED, 0, 0, 0]);
                b.extend_from_slice(&errno.to_le_bytes());
            }
            Reply::Completed(r) => {
                // The sense a device returns is at most 252 bytes (SPC); `mx_sb_len` is a u8.
                let sense = r.sense.get(..r.sense.len().min(255)).unwrap_or(&[]);
                let data = r
                    .data_in
                    .get(..r.data_in.len().min(MAX_DATA))
                    .unwrap_or(&[]);
                b.push(kind::COMPLETED);
                b.push(r.status);
                b.push(r.masked_status);
                b.push(u8::try_from(sense.len()).unwrap_or(u8::MAX));
                b.extend_from_slice(&r.errno.to_le_bytes());
                b.extend_from_slice(&r.host_status.to_le_bytes());
                b.extend_from_slice(&r.driver_status.to_le_bytes());
                b.extend_from_slice(&r.info.to_le_bytes());
                b.extend_from_slice(&r.resid.to_le_bytes());
                b.extend_from_slice(&r.duration_ms.to_le_bytes());
                b.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_le_bytes());
                b.extend_from_slice(sense);
                b.extend_from_slice(data);
            }
            Reply::Closed => b.extend_from_slice(&[kind::CLOSED, 0, 0, 0]),
            Reply::Error(msg) => {
                b.extend_from_slice(&[kind::ERROR, 0, 0, 0]);
                b.extend_from_slice(msg.as_bytes());
            }
        }
        b
    }

    /// Reads a reply body (the client's side; the shim does the same in C).
    pub fn parse(body: &[u8]) -> Result<Self, ProtocolError> {
        let mut c = Cursor { rest: body };
        let short = |what| ProtocolError::Length {
            what,
            got: body.len(),
            want: "too short".into(),
        };
        match c.u8() {
            Some(kind::OPENED) => {
                exact("OPENED", body, 16)?;
                c.take(3);
                let errno = c.i32().ok_or(short("OPENED"))?;
                let open_id = c.u64().ok_or(short("OPENED"))?;
                Ok(Reply::Opened { errno, open_id })
            }
            Some(kind::ATTACHED) => {
                exact("ATTACHED", body, 8)?;
                c.take(3);
                Ok(Reply::Attached {
                    errno: c.i32().ok_or(short("ATTACHED"))?,
                })
            }
            Some(kind::COMPLETED) => {
                let s = || short("COMPLETED");
                let status = c.u8().ok_or_else(s)?;
                let masked_status = c.u8().ok_or_else(s)?;
                let sense_len = usize::from(c.u8().ok_or_else(s)?);
                let errno = c.i32().ok_or_else(s)?;
                let host_status = c.u16().ok_or_else(s)?;
                let driver_status = c.u16().ok_or_else(s)?;
                let info = c.u32().ok_or_else(s)?;
                let resid = c.i32().ok_or_else(s)?;
                let duration_ms = c.u32().ok_or_else(s)?;
                let data_len = usize::try_from(c.u32().ok_or_else(s)?).unwrap_or(usize::MAX);
                let sense = c.take(sense_len).ok_or_else(s)?.to_vec();
                if c.rest.len() != data_len {
                    return Err(ProtocolError::Length {
                        what: "COMPLETED",
                        got: body.len(),
                        want: format!("{data_len} data-in bytes announced"),
                    });
                }
                Ok(Reply::Completed(SgReply {
                    errno,
                    status,
                    masked_status,
                    host_status,
                    driver_status,
                    info,
                    resid,
                    duration_ms,
                    sense,
                    data_in: c.rest.to_vec(),
                }))
            }
            Some(kind::CLOSED) => {
                exact("CLOSED", body, 4)?;
                Ok(Reply::Closed)
            }
            Some(kind::ERROR) => Ok(Reply::Error(
                String::from_utf8_lossy(body.get(4..).unwrap_or(&[])).into_owned(),
            )),
            Some(other) => Err(ProtocolError::UnknownKind(other)),
            None => Err(short("a reply")),
        }
    }
}

#[cfg(test)]
mod tests;
