//! Features whose data has a fixed layout (MMC-6 5.3): flags and numbers at known offsets.
//!
//! Offsets below are descriptor byte numbers as in the standard's tables (the feature header
//! is bytes 0-3, so data starts at byte 4). Bytes a feature's older versions did not have are
//! optional: when the descriptor is shorter, those fields read as zero. Every feature is
//! emitted in its full MMC-6 length.

use serde::{Deserialize, Serialize};

use super::FeatureData;
use crate::response::configuration::FeatureCode;
use crate::wire::{ParseError, Writer};

/// `Truncated` when the data is shorter than the oldest version of the feature had.
fn require(data: &[u8], min: usize, code: FeatureCode) -> Result<(), ParseError> {
    if data.len() < min {
        Err(ParseError::Truncated {
            what: code.name(),
            field: "feature data",
            need: min + 4,
            got: data.len() + 4,
        })
    } else {
        Ok(())
    }
}

macro_rules! fixed_feature {
    (@ty flag) => { bool };
    (@ty field) => { u8 };
    (@ty u8) => { u8 };
    (@ty u16) => { u16 };
    (@ty u24) => { u32 };
    (@ty u32) => { u32 };
    (@ty u16x4) => { [u16; 4] };

    // Fields read and written as `crate::layout` kinds, at descriptor byte numbers (the
    // data starts at byte 4).
    (@read $d:ident, flag, $b:literal, $bit:literal) => {
        $crate::layout::field!(@read $d, 4, bool, flag($b, $bit))
    };
    (@read $d:ident, field, $b:literal, $shift:literal, $width:literal) => {
        $crate::layout::field!(@read $d, 4, u8, uint($b, $shift, $width))
    };
    (@read $d:ident, u24, $b:literal) => { $crate::layout::field!(@read $d, 4, u32, be24($b)) };
    (@read $d:ident, $kind:ident, $b:literal) => {
        $crate::layout::field!(@read $d, 4, fixed_feature!(@ty $kind), be($b))
    };

    (@write $o:ident, $v:expr, flag, $b:literal, $bit:literal) => {
        $crate::layout::field!(@write $o, 4, $v, bool, flag($b, $bit))
    };
    (@write $o:ident, $v:expr, field, $b:literal, $shift:literal, $width:literal) => {
        $crate::layout::field!(@write $o, 4, $v, u8, uint($b, $shift, $width))
    };
    (@write $o:ident, $v:expr, u24, $b:literal) => {
        $crate::layout::field!(@write $o, 4, $v, u32, be24($b))
    };
    (@write $o:ident, $v:expr, $kind:ident, $b:literal) => {
        $crate::layout::field!(@write $o, 4, $v, fixed_feature!(@ty $kind), be($b))
    };

    (
        $(#[$doc:meta])*
        $name:ident, data $len:literal, requires $min:literal {
            $( $(#[$fdoc:meta])* $field:ident: $kind:ident @ $byte:literal $(, $arg:literal)*; )*
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
        pub struct $name {
            $( $(#[$fdoc])* pub $field: fixed_feature!(@ty $kind), )*
        }

        impl FeatureData for $name {
            const CODE: FeatureCode = FeatureCode::$name;

            #[allow(unused_variables)]
            fn parse_data(data: &[u8]) -> Result<Self, ParseError> {
                require(data, $min, Self::CODE)?;
                Ok($name {
                    $( $field: fixed_feature!(@read data, $kind, $byte $(, $arg)*), )*
                })
            }

            fn data_len(&self) -> usize {
                $len
            }

            fn write_data(&self, w: &mut Writer<'_>) {
                #[allow(unused_mut)]
                let mut out = [0u8; $len];
                #[allow(unused_variables)]
                let o: &mut [u8] = &mut out;
                $( fixed_feature!(@write o, self.$field, $kind, $byte $(, $arg)*); )*
                w.put(&out);
            }
        }
    };
}

fixed_feature! {
    /// 0001h Core: the interface and basic command support every drive has.
    Core, data 8, requires 4 {
        /// Bytes 4-7: 1 SCSI, 2 ATAPI, 3/4/6 IEEE 1394, 5 Fibre Channel, 7 Serial ATAPI,
        /// 8 USB, FFFFh vendor unique.
        physical_interface: u32 @ 4;
        /// INQ2: INQUIRY supports EVPD, page code and 16-bit allocation length.
        inq2: flag @ 8, 1;
        /// DBE: the Device Busy event class is supported.
        device_busy_event: flag @ 8, 0;
    }
}

impl Core {
    /// The name of the physical interface standard (MMC-6 table 94).
    pub const fn physical_interface_name(&self) -> &'static str {
        match self.physical_interface {
            0 => "unspecified",
            1 => "SCSI",
            2 => "ATAPI",
            3 => "IEEE 1394-1995",
            4 => "IEEE 1394A",
            5 => "Fibre Channel",
            6 => "IEEE 1394B",
            7 => "Serial ATAPI",
            8 => "USB",
            0xFFFF => "vendor unique",
            _ => "reserved",
        }
    }
}

fixed_feature! {
    /// 0002h Morphing: the drive reports operational changes.
    Morphing, data 4, requires 4 {
        /// OCEvent: Operational Change request/notification events.
        oc_event: flag @ 4, 1;
        /// Async: asynchronous GET EVENT STATUS NOTIFICATION.
        asynchronous: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0003h Removable Medium.
    RemovableMedium, data 4, requires 4 {
        /// Bits 7-5: 000b caddy/slot, 001b tray, 010b pop-up, 100b changer (individual
        /// discs), 101b changer (magazine).
        loading_mechanism: field @ 4, 5, 3;
        /// Load: the drive can load the medium (close the tray).
        load: flag @ 4, 4;
        eject: flag @ 4, 3;
        /// Pvnt Jmpr: the prevent jumper is absent (the drive powers up unlocked).
        prevent_jumper: flag @ 4, 2;
        /// DBML: Device Busy events during medium load/unload.
        dbml: flag @ 4, 1;
        /// Lock: PREVENT ALLOW MEDIUM REMOVAL can lock the medium.
        lock: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0004h Write Protect: the kinds of write protection the drive can report and set.
    WriteProtect, data 4, requires 4 {
        /// DWP: reads and writes the Disc Write Protect PAC on BD media.
        dwp: flag @ 4, 3;
        /// WDCB: reads and writes the Write Inhibit DCB on DVD+RW media.
        wdcb: flag @ 4, 2;
        /// SPWP: persistent write protection (Write Protection Status structure).
        spwp: flag @ 4, 1;
        /// SSWPP: the SWPP bit of the Timeout and Protect mode page.
        sswpp: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0010h Random Readable.
    RandomReadable, data 8, requires 8 {
        /// Bytes per logical block (2048).
        logical_block_size: u32 @ 4;
        /// Logical blocks per readable unit (16 for DVD, 32 for BD).
        blocking: u16 @ 8;
        /// PP: the Read/Write Error Recovery mode page is present.
        page_present: flag @ 10, 0;
    }
}

fixed_feature! {
    /// 001Dh Multi-Read: reads all CD media types of the OSTA Multi-Read specification.
    MultiRead, data 0, requires 0 {}
}

fixed_feature! {
    /// 001Eh CD Read.
    CdRead, data 4, requires 0 {
        /// DAP: the DAP bit of READ CD / READ CD MSF.
        dap: flag @ 4, 7;
        /// C2 Flags: C2 error pointers.
        c2_flags: flag @ 4, 1;
        /// CD-Text: reads CD-Text with READ TOC/PMA/ATIP format 5.
        cd_text: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 001Fh DVD Read.
    DvdRead, data 4, requires 0 {
        /// MULTI110: DVD Multi Drive read-only specification 1.1.
        multi110: flag @ 4, 0;
        /// Dual-RW: reads DVD-RW DL.
        dual_rw: flag @ 6, 1;
        /// Dual-R: reads DVD-R DL (including remapping).
        dual_r: flag @ 6, 0;
    }
}

fixed_feature! {
    /// 0020h Random Writable: writes any logical block (DVD+RW, DVD-RAM, BD-RE...).
    RandomWritable, data 12, requires 12 {
        /// The last logical block address of the current medium.
        last_lba: u32 @ 4;
        logical_block_size: u32 @ 8;
        /// Logical blocks per writable unit (16 for DVD, 32 for BD).
        blocking: u16 @ 12;
        page_present: flag @ 14, 0;
    }
}

fixed_feature! {
    /// 0022h Sector Erasable: the medium must be erased before it is rewritten.
    SectorErasable, data 0, requires 0 {}
}

fixed_feature! {
    /// 0023h Formattable: FORMAT UNIT and the format types it supports.
    Formattable, data 8, requires 0 {
        /// FRF: format type 18h (DVD-RW quick) supported.
        frf: flag @ 4, 7;
        /// RENoSA: BD-RE format without spare areas (type 31h).
        renosa: flag @ 4, 3;
        /// Expand: BD-RE spare area expansion (type 01h).
        expand: flag @ 4, 2;
        /// QCert: BD-RE quick certification (type 30h sub-type 11b).
        qcert: flag @ 4, 1;
        /// Cert: BD-RE full certification (type 30h sub-type 10b).
        cert: flag @ 4, 0;
        /// RRM: BD-R Random Recording Mode formatting (type 32h sub-type 10b).
        rrm: flag @ 8, 0;
    }
}

fixed_feature! {
    /// 0024h Hardware Defect Management: the drive provides defect-free space.
    HardwareDefectManagement, data 4, requires 0 {
        /// SSA: READ DISC STRUCTURE format 0Ah (spare area information).
        ssa: flag @ 4, 7;
    }
}

fixed_feature! {
    /// 0025h Write Once: write-once media written in random order (BD-R RRM, DVD-R...).
    WriteOnce, data 8, requires 8 {
        logical_block_size: u32 @ 4;
        blocking: u16 @ 8;
        page_present: flag @ 10, 0;
    }
}

fixed_feature! {
    /// 0026h Restricted Overwrite: overwrite in units of the blocking (DVD-RW RO).
    RestrictedOverwrite, data 0, requires 0 {}
}

fixed_feature! {
    /// 0027h CD-RW CAV Write: writes high-speed CD-RW in CAV.
    CdRwCavWrite, data 4, requires 0 {}
}

fixed_feature! {
    /// 0028h MRW: Mount Rainier rewritable.
    Mrw, data 4, requires 4 {
        /// DVD+Write: formats and writes DVD+MRW.
        dvd_plus_write: flag @ 4, 2;
        /// DVD+Read: reads DVD+MRW.
        dvd_plus_read: flag @ 4, 1;
        /// Write: formats and writes CD-MRW.
        cd_write: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0029h Enhanced Defect Reporting.
    EnhancedDefectReporting, data 4, requires 4 {
        /// DRT-DM: defect reporting through DRT-DM.
        drt_dm: flag @ 4, 0;
        /// Number of DBI cache zones.
        dbi_cache_zones: u8 @ 5;
        /// Number of entries (DBI worst case).
        number_of_entries: u16 @ 6;
    }
}

fixed_feature! {
    /// 002Ah DVD+RW.
    DvdPlusRw, data 4, requires 4 {
        /// Write: the drive writes (and formats) DVD+RW.
        write: flag @ 4, 0;
        /// Quick Start: FORMAT UNIT supports quick start formatting.
        quick_start: flag @ 5, 1;
        /// Close Only: only the read-compatibility stop is supported when closing.
        close_only: flag @ 5, 0;
    }
}

fixed_feature! {
    /// 002Bh DVD+R.
    DvdPlusR, data 4, requires 4 {
        /// Write: the drive writes DVD+R.
        write: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 002Ch Rigid Restricted Overwrite (DVD-RW restricted overwrite).
    RigidRestrictedOverwrite, data 4, requires 4 {
        /// DSDG: generates Defect Status Data while formatting.
        dsdg: flag @ 4, 3;
        /// DSDR: reads Defect Status Data recorded on the medium.
        dsdr: flag @ 4, 2;
        /// Intermediate: writing on an intermediate-state session and quick formatting.
        intermediate: flag @ 4, 1;
        /// Blank: BLANK types 00h and 01h.
        blank: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 002Dh CD Track at Once.
    CdTrackAtOnce, data 4, requires 4 {
        /// BUF: buffer under-run free recording.
        buf: flag @ 4, 6;
        /// R-W Raw: R-W subcode in raw mode.
        rw_raw: flag @ 4, 4;
        /// R-W Pack: R-W subcode in packed mode.
        rw_pack: flag @ 4, 3;
        /// Test Write: simulated writing.
        test_write: flag @ 4, 2;
        /// CD-RW: overwriting a TAO track.
        cd_rw: flag @ 4, 1;
        /// R-W Sub-code: writing R-W subcode with user data.
        rw_subcode: flag @ 4, 0;
        /// Bytes 6-7: a bit per supported Data Block Type (bit n = type n).
        data_types_supported: u16 @ 6;
    }
}

fixed_feature! {
    /// 002Eh CD Mastering (Session at Once and raw).
    CdMastering, data 4, requires 4 {
        buf: flag @ 4, 6;
        /// SAO: Session at Once.
        sao: flag @ 4, 5;
        /// Raw MS: multi-session raw writing.
        raw_ms: flag @ 4, 4;
        /// Raw: raw writing.
        raw: flag @ 4, 3;
        test_write: flag @ 4, 2;
        cd_rw: flag @ 4, 1;
        /// R-W: R-W subcode.
        rw: flag @ 4, 0;
        /// Maximum cue sheet length for SEND CUE SHEET.
        max_cue_sheet_length: u24 @ 5;
    }
}

fixed_feature! {
    /// 002Fh DVD-R/-RW Write.
    DvdRRwWrite, data 4, requires 4 {
        buf: flag @ 4, 6;
        /// RDL: writes DVD-R DL.
        rdl: flag @ 4, 3;
        test_write: flag @ 4, 2;
        /// DVD-RW SL: writes and erases DVD-RW.
        dvd_rw: flag @ 4, 1;
    }
}

fixed_feature! {
    /// 0037h CD-RW Media Write Support.
    CdRwMediaWriteSupport, data 4, requires 4 {
        /// Byte 5: a bit per CD-RW media sub-type the drive writes (bit n = sub-type n).
        subtypes: u8 @ 5;
    }
}

fixed_feature! {
    /// 0038h BD-R Pseudo-Overwrite.
    BdRPow, data 4, requires 0 {}
}

fixed_feature! {
    /// 003Ah DVD+RW Dual Layer.
    DvdPlusRwDualLayer, data 4, requires 4 {
        write: flag @ 4, 0;
        quick_start: flag @ 5, 1;
        close_only: flag @ 5, 0;
    }
}

fixed_feature! {
    /// 003Bh DVD+R Dual Layer.
    DvdPlusRDualLayer, data 4, requires 4 {
        /// Write: the drive writes DVD+R DL.
        write: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0040h BD Read. Each class is a bitmap of the format versions read (bit n = version n).
    BdRead, data 28, requires 28 {
        /// BCA: reads the Burst Cutting Area.
        bca: flag @ 4, 0;
        /// Bytes 8-15: BD-RE read support, classes 0 to 3.
        bd_re: u16x4 @ 8;
        /// Bytes 16-23: BD-R read support, classes 0 to 3.
        bd_r: u16x4 @ 16;
        /// Bytes 24-31: BD-ROM read support, classes 0 to 3.
        bd_rom: u16x4 @ 24;
    }
}

fixed_feature! {
    /// 0041h BD Write. Each class is a bitmap of the format versions written.
    BdWrite, data 20, requires 20 {
        /// SVNR: supports Verify Not Required in WRITE.
        svnr: flag @ 4, 0;
        /// Bytes 8-15: BD-RE write support, classes 0 to 3.
        bd_re: u16x4 @ 8;
        /// Bytes 16-23: BD-R write support, classes 0 to 3.
        bd_r: u16x4 @ 16;
    }
}

fixed_feature! {
    /// 0050h HD DVD Read.
    HdDvdRead, data 4, requires 4 {
        hd_dvd_r: flag @ 4, 0;
        hd_dvd_ram: flag @ 6, 0;
    }
}

fixed_feature! {
    /// 0051h HD DVD Write.
    HdDvdWrite, data 4, requires 4 {
        hd_dvd_r: flag @ 4, 0;
        hd_dvd_ram: flag @ 6, 0;
    }
}

fixed_feature! {
    /// 0100h Power Management.
    PowerManagement, data 0, requires 0 {}
}

fixed_feature! {
    /// 0101h S.M.A.R.T.
    Smart, data 4, requires 4 {
        /// PP: the Informational Exceptions mode page (1Ch) is present.
        page_present: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0102h Embedded Changer.
    EmbeddedChanger, data 4, requires 4 {
        /// SCC: side change capable.
        scc: flag @ 4, 4;
        /// SDP: supports disc present.
        sdp: flag @ 4, 2;
        /// Highest slot number (number of slots minus one).
        highest_slot_number: field @ 7, 0, 5;
    }
}

fixed_feature! {
    /// 0103h CD Audio External Play.
    CdAudioExternalPlay, data 4, requires 4 {
        /// Scan: the SCAN command.
        scan: flag @ 4, 2;
        /// SCM: separate channel mute.
        scm: flag @ 4, 1;
        /// SV: separate volume levels.
        sv: flag @ 4, 0;
        volume_levels: u16 @ 6;
    }
}

fixed_feature! {
    /// 0104h Microcode Upgrade.
    MicrocodeUpgrade, data 4, requires 0 {
        /// M5: validates the 5-bit mode field of READ/WRITE BUFFER.
        m5: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 0105h Timeout.
    Timeout, data 4, requires 0 {
        /// Group3: the Group 3 timeout of the Timeout and Protect mode page.
        group3: flag @ 4, 0;
        /// Unit length (blocks per Group 3 time unit).
        unit_length: u16 @ 6;
    }
}

fixed_feature! {
    /// 0106h DVD CSS.
    DvdCss, data 4, requires 4 {
        css_version: u8 @ 7;
    }
}

fixed_feature! {
    /// 0107h Real Time Streaming: speed control and stream recording.
    RealTimeStreaming, data 4, requires 0 {
        /// SMP: the Set Minimum Performance bit of SET STREAMING.
        smp: flag @ 4, 5;
        /// RBCB: READ BUFFER CAPACITY with Block=1.
        rbcb: flag @ 4, 4;
        /// SCS: SET CD SPEED.
        scs: flag @ 4, 3;
        /// MP2A: write speed descriptors in mode page 2Ah.
        mp2a: flag @ 4, 2;
        /// WSPD: GET PERFORMANCE type 03h (write speed).
        wspd: flag @ 4, 1;
        /// SW: stream writing (the Streaming bit of WRITE(12)).
        sw: flag @ 4, 0;
    }
}

fixed_feature! {
    /// 010Bh DVD CPRM.
    DvdCprm, data 4, requires 4 {
        cprm_version: u8 @ 7;
    }
}

fixed_feature! {
    /// 010Dh AACS.
    Aacs, data 4, requires 4 {
        /// RDC: reads the drive certificate.
        rdc: flag @ 4, 4;
        /// RMC: reads the media key block of CPRM.
        rmc: flag @ 4, 3;
        /// WBE: writes bus-encrypted blocks.
        wbe: flag @ 4, 2;
        /// BEC: bus encryption capable.
        bec: flag @ 4, 1;
        /// BNG: generates the binding nonce.
        bng: flag @ 4, 0;
        /// Blocks needed to store the binding nonce.
        binding_nonce_blocks: u8 @ 5;
        /// Number of AGIDs (bits 3-0).
        agids: field @ 6, 0, 4;
        aacs_version: u8 @ 7;
    }
}

fixed_feature! {
    /// 0110h VCPS.
    Vcps, data 4, requires 0 {}
}
