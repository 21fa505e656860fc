//! SIGINT, SIGTERM and SIGHUP while a command works: the first one asks the work to stop
//! cleanly (a write stops at the next transfer and closes what it wrote, so the disc stays
//! readable and a write-once disc appendable; a read stops and removes its partial output);
//! each further one says that closing is in progress and how long it may take. Only SIGKILL
//! ends the process at once.
//!
//! The signals are blocked in the calling thread before any other thread exists, so every
//! thread the command starts inherits the mask, and one thread takes them with sigwait(2):
//! the handling is ordinary code, not a signal handler.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// What the first signal does, and what a later one says.
pub struct Watch {
    received: Arc<AtomicI32>,
}

impl Watch {
    /// Starts watching. `on_first` runs (on the watching thread) for the first signal;
    /// `later` is printed on stderr for each one after it.
    pub fn start(on_first: impl Fn(i32) + Send + 'static, later: String) -> Self {
        let received = Arc::new(AtomicI32::new(0));
        imp::start(received.clone(), Box::new(on_first), later);
        Watch { received }
    }

    /// The first signal received, if any.
    pub fn signal(&self) -> Option<i32> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::Arc;

    use nix::sys::signal::{SigSet, SigmaskHow, Signal};

    pub(super) fn start(
        received: Arc<AtomicI32>,
        on_first: Box<dyn Fn(i32) + Send>,
        later: String,
    ) {
        let mut set = SigSet::empty();
        for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            set.add(s);
        }
        if nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&set), None).is_err() {
            // Without the mask the default actions stay: a signal ends the command as before.
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || loop {
                let Ok(signal) = set.wait() else { return };
                let n = signal as i32;
                if received
                    .compare_exchange(0, n, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    on_first(n);
                } else {
                    errln!("\ndiscwriter: {later}");
                }
            });
        if spawned.is_err() {
            let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::sync::atomic::AtomicI32;
    use std::sync::Arc;

    pub(super) fn start(_: Arc<AtomicI32>, _: Box<dyn Fn(i32) + Send>, _: String) {}
}

/// A signal's name, for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
