//! Moving user data: READ (10), WRITE (10), VERIFY (10), READ (12) and WRITE (12) (MMC-6,
//! SBC-3).
//!
//! Logical block addresses are `i32` throughout this module: MMC lets CD addresses go
//! below zero (an SAO write starts at -150, sent as `FF FF FF 6A`; CD-TEXT lead-in writes
//! start near -11635), so the four address bytes are read as two's complement. Every
//! address from 0 to 2^31 - 1 (4 TiB of 2048-byte blocks) keeps its plain reading.

use super::layout::cdb;
use super::repr::{blocks_to_bytes, Transfer};

cdb! {
    /// READ (10) (28h): read `blocks` 2048-byte blocks from `lba`.
    pub struct Read10 = Read10, 10 {
        /// Byte 1 bit 4 DPO: disable page out (do not keep the data in the cache).
        pub dpo: bool = flag(1, 4),
        /// Byte 1 bit 3 FUA: force unit access (read from the medium, not the cache).
        pub fua: bool = flag(1, 3),
        /// Bytes 2-5, two's complement.
        pub lba: i32 = be(2),
        /// Bytes 7-8: blocks to transfer; 0 transfers nothing.
        pub blocks: u16 = be(7),
    }
    transfer(c) => Transfer::data_in(blocks_to_bytes(u32::from(c.blocks)));
}

cdb! {
    /// WRITE (10) (2Ah): write `blocks` 2048-byte blocks at `lba`. On write-once media `lba`
    /// must be the track's Next Writable Address.
    pub struct Write10 = Write10, 10 {
        /// Byte 1 bit 4 DPO: disable page out.
        pub dpo: bool = flag(1, 4),
        /// Byte 1 bit 3 FUA: force unit access (write through to the medium).
        pub fua: bool = flag(1, 3),
        /// Byte 1 bit 2 TSR: timely safe recording (MMC-5; defect management may be skipped
        /// to keep the stream's timing).
        pub timely_safe_recording: bool = flag(1, 2),
        /// Bytes 2-5, two's complement (CD SAO starts at -150).
        pub lba: i32 = be(2),
        /// Bytes 7-8: blocks to transfer; 0 transfers nothing.
        pub blocks: u16 = be(7),
    }
    transfer(c) => Transfer::data_out(blocks_to_bytes(u32::from(c.blocks)));
}

cdb! {
    /// VERIFY (10) (2Fh): check that `blocks` blocks from `lba` read back, and with BytChk
    /// compare them with data the host sends. With BytChk the transfer is
    /// `Out(blocks × 2048)`, else none.
    pub struct Verify10 = Verify10, 10 {
        /// Byte 1 bit 4 DPO.
        pub dpo: bool = flag(1, 4),
        /// Byte 1 bit 1 BytChk: the host sends the data to compare. With 0 the drive only
        /// checks that the blocks read, and no data moves.
        pub byte_check: bool = flag(1, 1),
        /// Bytes 2-5, two's complement.
        pub lba: i32 = be(2),
        /// Byte 6 bit 7 G3Tout: the command may take a group 3 timeout (MMC).
        pub group3_timeout: bool = flag(6, 7),
        /// Bytes 7-8: verification length in blocks.
        pub blocks: u16 = be(7),
    }
    transfer(c) => if c.byte_check {
        Transfer::data_out(blocks_to_bytes(u32::from(c.blocks)))
    } else {
        Transfer::None
    };
}

cdb! {
    /// READ (12) (A8h): READ (10) with a 32-bit transfer length and the Streaming bit. The
    /// transfer is `In(blocks × 2048)`, saturating at `u32::MAX` bytes.
    pub struct Read12 = Read12, 12 {
        /// Byte 1 bit 4 DPO.
        pub dpo: bool = flag(1, 4),
        /// Byte 1 bit 3 FUA.
        pub fua: bool = flag(1, 3),
        /// Bytes 2-5, two's complement.
        pub lba: i32 = be(2),
        /// Bytes 6-9: blocks to transfer.
        pub blocks: u32 = be(6),
        /// Byte 10 bit 7: stream reading (timeliness over error recovery).
        pub streaming: bool = flag(10, 7),
    }
    transfer(c) => Transfer::data_in(blocks_to_bytes(c.blocks));
}

cdb! {
    /// WRITE (12) (AAh): WRITE (10) with a 32-bit transfer length and the Streaming bit, which
    /// on BD-RE and DVD-RAM skips defect management and verify-after-write (full speed only
    /// with whole 64 KiB clusters). The transfer is `Out(blocks × 2048)`, saturating at
    /// `u32::MAX` bytes.
    pub struct Write12 = Write12, 12 {
        /// Byte 1 bit 4 DPO.
        pub dpo: bool = flag(1, 4),
        /// Byte 1 bit 3 FUA.
        pub fua: bool = flag(1, 3),
        /// Byte 1 bit 2 TSR: timely safe recording.
        pub timely_safe_recording: bool = flag(1, 2),
        /// Bytes 2-5, two's complement.
        pub lba: i32 = be(2),
        /// Bytes 6-9: blocks to transfer.
        pub blocks: u32 = be(6),
        /// Byte 10 bit 7: stream recording.
        pub streaming: bool = flag(10, 7),
    }
    transfer(c) => Transfer::data_out(blocks_to_bytes(c.blocks));
}
