//! One client connection: one `open()` of a drive path in the client program (or a forked
//! child's share of one), then its SG_IO commands, until CLOSE or the connection ends.
//!
//! A malformed request gets an ERROR reply and ends this connection only; a client gone in
//! the middle of a request or before its reply just ends it. Either way the open is released,
//! so the drive is free for the next program.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use mmc_core::{DataPhase, Transport};

use super::protocol::{
    errno, read_frame, write_frame, Direction, ExecuteRequest, ProtocolError, Reply, Request,
    SgReply,
};
use super::server::Shared;
use super::sg_reply::sg_reply;

/// What a command's timeout of 0 means (the block layer's default for SG_IO).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Serves `stream` until it ends.
pub(super) fn run(shared: &Shared, id: u64, mut stream: UnixStream) {
    let mut session = Session { open: None };
    loop {
        let body = match read_frame(&mut stream) {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(ProtocolError::Truncated) => {
                shared.log(id, "the client went away in the middle of a request");
                break;
            }
            Err(ProtocolError::Io(e)) => {
                if !shared.stopping() {
                    shared.log(id, &format!("reading a request: {e}"));
                }
                break;
            }
            Err(e) => {
                refuse(shared, id, &mut stream, &e.to_string());
                break;
            }
        };
        let request = match Request::parse(&body) {
            Ok(r) => r,
            Err(e) => {
                refuse(shared, id, &mut stream, &format!("malformed request: {e}"));
                break;
            }
        };
        let closing = request == Request::Close;
        let reply = match session.handle(shared, request) {
            Ok(reply) => reply,
            Err(message) => {
                refuse(shared, id, &mut stream, &message);
                break;
            }
        };
        if let Err(e) = write_frame(&mut stream, &reply.to_bytes()) {
            if !shared.stopping() {
                shared.log(id, &format!("the client went away before its reply: {e}"));
            }
            break;
        }
        if closing {
            break;
        }
    }
    if let Some(open) = session.open {
        shared.opens().release(open);
    }
}

/// Answers ERROR (best effort: the client may be gone) and says why in the server's log.
fn refuse(shared: &Shared, id: u64, stream: &mut UnixStream, message: &str) {
    shared.log(id, message);
    let _ = write_frame(stream, &Reply::Error(message.to_string()).to_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

struct Session {
    /// The open this connection belongs to, once OPEN or ATTACH succeeded.
    open: Option<u64>,
}

impl Session {
    /// The reply to `request`, or why the connection must end.
    fn handle(&mut self, shared: &Shared, request: Request) -> Result<Reply, String> {
        match request {
            Request::Open { node, mode, .. } => {
                if self.open.is_some() {
                    return Err("OPEN on a connection that already has an open".into());
                }
                Ok(match shared.opens().open(node, mode) {
                    Ok(id) => {
                        self.open = Some(id);
                        Reply::Opened {
                            errno: 0,
                            open_id: id,
                        }
                    }
                    Err(_) => Reply::Opened {
                        errno: errno::EBUSY,
                        open_id: 0,
                    },
                })
            }
            Request::Attach { open_id, .. } => {
                if self.open.is_some() {
                    return Err("ATTACH on a connection that already has an open".into());
                }
                Ok(if shared.opens().attach(open_id) {
                    self.open = Some(open_id);
                    Reply::Attached { errno: 0 }
                } else {
                    Reply::Attached {
                        errno: errno::EBADF,
                    }
                })
            }
            Request::Execute(command) => {
                if self.open.is_none() {
                    return Err("EXECUTE before OPEN".into());
                }
                Ok(Reply::Completed(execute(shared, command)))
            }
            Request::Close => {
                if let Some(open) = self.open.take() {
                    shared.opens().release(open);
                }
                Ok(Reply::Closed)
            }
        }
    }
}

/// Runs one SG_IO command on the drive.
fn execute(shared: &Shared, command: ExecuteRequest) -> SgReply {
    let timeout = match command.timeout_ms {
        0 => DEFAULT_TIMEOUT,
        ms => Duration::from_millis(u64::from(ms)),
    };
    let len = usize::try_from(command.dxfer_len).unwrap_or(0);
    let mut data_in = Vec::new();
    // A zero-length transfer is no data phase, as for the kernel.
    let phase = match command.direction {
        Direction::In if len > 0 => {
            data_in = vec![0u8; len];
            DataPhase::In(&mut data_in)
        }
        Direction::Out if len > 0 => DataPhase::Out(&command.data_out),
        _ => DataPhase::None,
    };
    let transferable = phase.len();
    let (outcome, took, host_error) = {
        let mut drive = shared.drive();
        let before = drive.device_time().unwrap_or_default();
        let outcome = drive.execute(&command.cdb, phase, timeout);
        let after = drive.device_time().unwrap_or_default();
        let host_error = drive.drive_mut().take_host_io_error();
        (outcome, after.saturating_sub(before), host_error)
    };
    // The client sees a drive's write or read error; the user learns the cause here.
    if let Some(cause) = host_error {
        eprintln!("virtdrive serve: {cause}");
    }
    let ms = u32::try_from(took.as_millis()).unwrap_or(u32::MAX);
    sg_reply(outcome, transferable, &data_in, ms)
}
