//! How long each kind of command may take.

use core::time::Duration;

/// IMAPI2_DEFAULT_COMMAND_TIMEOUT: 10 seconds for ordinary commands.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long each kind of command may take, and how long the engine waits for a drive that
/// is spinning up or finishing a long operation (libburn's and IMAPI's figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Ordinary commands (IMAPI2_DEFAULT_COMMAND_TIMEOUT).
    pub default: Duration,
    /// WRITE and READ, and READ BUFFER CAPACITY while a write runs.
    pub transfer: Duration,
    /// SYNCHRONIZE CACHE, CLOSE, FORMAT and SEND OPC sent with Immed (the engine always sets
    /// Immed and polls TEST UNIT READY after them).
    pub immediate: Duration,
    /// How long a drive may stay "becoming ready" before the write gives up.
    pub becoming_ready: Duration,
    /// How long a long operation (closing, flushing, formatting) may go without its reported
    /// progress moving; one whose progress moves is waited for as long as it moves.
    pub long_operation: Duration,
}

impl Default for Timeouts {
    /// libburn's (spc.h) where they are longer than IMAPI's: a command that times out has the
    /// kernel reset the drive, which mid-track costs the disc.
    fn default() -> Self {
        Timeouts {
            default: DEFAULT_TIMEOUT,
            transfer: Duration::from_secs(200),
            immediate: Duration::from_secs(200),
            becoming_ready: Duration::from_secs(60),
            long_operation: Duration::from_secs(3600),
        }
    }
}
