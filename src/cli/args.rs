//! The command line, declared once: every subcommand, option and help text of `discwriter`.
//! The man page and the shell completions are generated from these definitions, and the
//! option matrix test walks them.

use std::path::PathBuf;

use clap::{Args as ClapArgs, CommandFactory, Parser, Subcommand, ValueEnum};
use discwriter::writer::{DefectManagement, SpareAreas};

/// Write data to optical discs (CD-R, DVD-R, DVD+R, BD-R, their multi-layer kinds, CD-RW,
/// DVD-RW, DVD-RAM, DVD+RW, BD-RE) with the behaviour of IMAPI2's IDiscFormat2Data::Write,
/// erase CD-RW and DVD-RW, read discs back, and decode what drives say. Without
/// --drive, every command uses an embedded virtual BD-RE drive kept in the user's data
/// directory, so it works on a machine without a drive.
#[derive(Debug, Parser)]
#[command(name = "discwriter", version, about, long_about = None)]
pub struct Args {
    /// More diagnostics on stderr: -v the phases of a write, -vv every command sent to the
    /// drive (CDB, status, sense). RUST_LOG (tracing's filter syntax) overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// `--drive`, shared by every command that talks to a drive. Its help text names the media
/// the emulator has (filled in by [`command`]).
#[derive(Debug, Clone, ClapArgs)]
pub struct DriveArg {
    /// (filled in from the emulator's list of media by `command()`)
    #[arg(long, value_name = "DRIVE")]
    pub drive: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an image (a whole number of 2048-byte sectors) to the disc: a new session on
    /// write-once media (CD-R, DVD-R, DVD+R, DVD+R DL, BD-R, BD-R DL, BD-R XL; a DVD-R DL
    /// takes one, Disc-at-Once) and on CD-RW and sequential DVD-RW, from sector 0 on
    /// rewritable media (DVD+RW, BD-RE, formatted first when new; DVD-RW in restricted
    /// overwrite, DVD-RAM).
    Write(WriteArgs),
    /// Read back what was written last, exactly (so `cmp IMAGE OUT` holds), or a session,
    /// a range, or the whole recorded area.
    Read(ReadArgs),
    /// Read every sector of the last session (or --session N, or --all) with bounded
    /// retries, map the good, slow and unreadable ranges, and compare with an image or a
    /// manifest (`write --manifest`): the first differing sector, the 16 MiB chunks that
    /// differ. Exit status 0 only when every sector was read and matched.
    Check(CheckArgs),
    /// Format a DVD+RW or BD-RE, format a DVD-RW to restricted overwrite (erase brings it
    /// back to sequential recording), or give a blank BD-R spare areas (creates a virtual
    /// disc file when missing).
    Format {
        #[command(flatten)]
        drive: DriveArg,
        /// Quick format: stop a DVD+RW's background format at once (the disc is usable
        /// immediately), a BD-RE's quick reformat instead of a full certification, a DVD-RW's
        /// quick format (FORMAT UNIT 15h) instead of formatting the whole disc (10h), a
        /// DVD-RAM's format without certification.
        #[arg(long)]
        quick: bool,
        /// The spare areas of a BD-RE, BD-R or DVD-RAM (defect management): `default` (the
        /// drive's first format with spare areas), a size one of the drive's formats has, in
        /// sectors (393216) or bytes (768MiB), or `none` (BD-RE: no spare areas, no defect
        /// management, the whole disc for data; DVD-RAM: no supplementary spare area, the
        /// primary one stays). On DVD-RAM the size is the supplementary spare area, and one
        /// larger than now grows it keeping the data. `discwriter info` lists the capacities.
        #[arg(long, value_name = "SIZE|default|none", value_parser = parse_spares)]
        spares: Option<DefectManagement>,
    },
    /// Erase a CD-RW or DVD-RW (IMAPI's IDiscFormat2Erase): quick by default (the disc reads
    /// as blank afterwards), the whole disc with --full. Other discs are refused: write-once
    /// ones cannot be erased, and DVD+RW, DVD-RAM and BD-RE are written over (write
    /// --overwrite) or formatted instead.
    Erase {
        #[command(flatten)]
        drive: DriveArg,
        /// Blank the whole disc (IMAPI's FullErase; BLANK type 00h) instead of only what
        /// makes it read as blank (01h, minimal): minutes instead of about one.
        #[arg(long)]
        full: bool,
        /// Print progress events and the result as JSON lines on standard output.
        #[arg(long)]
        json: bool,
    },
    /// Open the drive's tray.
    Eject {
        #[command(flatten)]
        drive: DriveArg,
    },
    /// List the drives: the virtual ones, and real ones in a build with the sgio feature.
    Drives {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show the drive, its current profile and the disc's status, sessions, next writable
    /// address, space and write protection.
    Info {
        #[command(flatten)]
        drive: DriveArg,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode sense data (fixed or descriptor format), like sg_decode_sense.
    Sense {
        /// The sense bytes as hex words: `70 00 02 ...`, `0x70,0x00`, or `700002...`.
        #[arg(required = true, num_args = 1.., value_name = "HEX")]
        hex: Vec<String>,
        /// The opcode of the command that received the sense (hex), for the conditions that
        /// depend on it; without it the sense is classified as for any other command.
        #[arg(long, value_parser = parse_opcode, value_name = "OPCODE")]
        opcode: Option<u8>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Decode a command descriptor block (CDB).
    Cdb {
        /// The CDB bytes as hex words.
        #[arg(required = true, num_args = 1.., value_name = "HEX")]
        hex: Vec<String>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write discwriter.1 and discwriter-COMMAND.1 into this directory instead.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print a completion script for a shell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, ClapArgs)]
pub struct WriteArgs {
    /// The image: a file, a named pipe, or `-` for standard input.
    #[arg(value_name = "IMAGE")]
    pub image: PathBuf,
    /// The image's size in bytes, for a pipe or standard input (checked against the free
    /// space before anything is written). Without it, a stream that starts with an ISO 9660
    /// volume is as long as the volume says, and any other is written as it comes.
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub size: Option<u64>,
    /// (filled in from the emulator's list of media by `command()`)
    #[arg(long, value_name = "DRIVE")]
    pub drive: Vec<String>,
    /// Close the disc (IMAPI's ForceMediaToBeClosed): no further session can be added.
    #[arg(long)]
    pub close: bool,
    /// Skip the consumer DVD compatibility steps (IMAPI's
    /// DisableConsumerDvdCompatibilityMode): a DVD+R (DL) write then closes only its session,
    /// keeping the disc appendable (unless --close, or at most 2 % would remain), where by
    /// default it closes the disc in DVD-ROM compatible mode; a DVD+RW's background format
    /// is stopped quickly instead of compatibly. No effect on CD or BD.
    #[arg(long)]
    pub disable_dvd_compatibility: bool,
    /// Write speed: a multiple of the medium's 1x (4x, 2.4x, 16) or max.
    #[arg(long, value_parser = parse_speed, value_name = "X|max")]
    pub speed: Option<Speed>,
    /// Read back and compare after writing: none, quick (a sample of the sectors) or full
    /// (every sector). Default: quick; none on a hash-only virtual disc (+hash), which keeps
    /// no data to read back.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub verify: Option<Verify>,
    /// Eject the disc and load it again before the verification reads it back (quick, the
    /// default, or full), so the comparison reads the medium and not the drive's buffer;
    /// refused with --verify none. A drive that cannot load a disc itself (a caddy or a slot
    /// without a load mechanism) is refused before writing.
    #[arg(long)]
    pub reload: bool,
    /// Apply a virtdrive fault plan (JSON) to the virtual drive. With several --drive: once
    /// for every drive, or once per drive in the order of the --drive options (`none` for a
    /// drive without one).
    #[arg(long, value_name = "FILE|none")]
    pub fault_plan: Vec<PathBuf>,
    /// Write over a rewritable disc that already holds data (IMAPI's ForceOverwrite). On a
    /// BD-R formatted for Pseudo-OverWrite, write the image from LBA 0 over what the disc
    /// holds instead of adding a session.
    #[arg(long)]
    pub overwrite: bool,
    /// Defect management on a medium that has it (BD-RE, a formatted BD-R, DVD-RAM): on (the
    /// default), the drive verifies what it writes and replaces defective clusters from the
    /// spare areas, at about half speed; off, WRITE (12) with the Streaming bit, at full
    /// speed, without verification. No effect on other media.
    #[arg(long, value_enum, value_name = "on|off")]
    pub defect_management: Option<OnOff>,
    /// The same as --defect-management off.
    #[arg(long, conflicts_with = "defect_management")]
    pub streaming: bool,
    /// Print progress events and the result as JSON lines on standard output.
    #[arg(long)]
    pub json: bool,
    /// After a successful write, record what was written in this file (JSON): medium,
    /// drive, session, start LBA, sectors, the BLAKE3 of the data and of each 16 MiB chunk,
    /// times and speed; `check --manifest` compares a disc with it. Not written when the
    /// write fails. With several --drive or --copies, one manifest per copy written, named
    /// with the copy number before the extension (burn.json: burn-1.json, burn-2.json ...).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// With several --drive: how long the image's reader waits for a drive that takes no
    /// data before leaving it behind (its write then fails with E_FAIL and the others go
    /// on), in seconds. Default 120.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub stall_timeout: Option<u64>,
    /// Make N copies (at least one per --drive, at most 100000; default: one per drive), as a publishing
    /// station does: when a drive finishes a copy it takes the next, on a new blank disc. A
    /// virtual drive kept in a file gets a new disc file per copy beside it, named with the
    /// copy number (a.disc: a-3.disc for copy 3; refused before anything is written when
    /// one exists already); a real drive ejects its disc and waits up to ten minutes for
    /// the next. The image is read once (a stream given with --size is kept in a temporary
    /// file for the copies after the first round).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(discwriter::publish::MAX_COPIES)))]
    pub copies: Option<u32>,
    /// Refuse a disc that is not blank (an appendable write-once disc, a rewritable disc
    /// holding data) before anything is written, instead of adding a session or writing
    /// over it; with several drives or copies, every disc, and each new one.
    #[arg(long)]
    pub reject_if_not_blank: bool,
}

impl WriteArgs {
    /// The defect management asked for: --defect-management, or off with --streaming.
    pub fn defect_management(&self) -> DefectManagement {
        match (self.defect_management, self.streaming) {
            (Some(OnOff::Off), _) | (None, true) => DefectManagement::Off,
            _ => DefectManagement::default(),
        }
    }

    /// The verification asked for, or the default: quick, as IMAPI's; none on a hash-only
    /// virtual disc, which keeps no data a verification could read back.
    pub fn verification(&self, hash_only: bool) -> Verify {
        self.verify.unwrap_or(if hash_only {
            Verify::None
        } else {
            Verify::Quick
        })
    }
}

#[derive(Debug, Clone, ClapArgs)]
pub struct ReadArgs {
    /// Where to put the data (`-` for standard output). It appears only once the read has
    /// succeeded: the data goes to a temporary file beside it, renamed at the end.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    #[command(flatten)]
    pub drive: DriveArg,
    /// Read session N (1 is the first) instead of what was written last.
    #[arg(long, value_name = "N", conflicts_with_all = ["all", "start"])]
    pub session: Option<u16>,
    /// Read everything from LBA 0 to the end of the recorded area; sectors that cannot be
    /// read are written as zeros and reported.
    #[arg(long, conflicts_with_all = ["session", "start", "sectors"])]
    pub all: bool,
    /// Read from this LBA (needs --sectors).
    #[arg(long, value_name = "LBA", requires = "sectors")]
    pub start: Option<u32>,
    /// Read this many sectors: from --start, or from the start of the session (the last one,
    /// or --session N).
    #[arg(long, value_name = "N")]
    pub sectors: Option<u32>,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct CheckArgs {
    #[command(flatten)]
    pub drive: DriveArg,
    /// Check session N (1 is the first) instead of the last one.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub session: Option<u16>,
    /// Check everything from LBA 0 to the end of the recorded area (the gaps between
    /// sessions are not read).
    #[arg(long)]
    pub all: bool,
    /// Compare with this image: its first byte is the area's first sector (the area is as
    /// long as the image).
    #[arg(long, value_name = "FILE", conflicts_with = "manifest")]
    pub image: Option<PathBuf>,
    /// Compare with this manifest (`write --manifest`): the sectors it names, by default,
    /// and its 16 MiB chunks' BLAKE3.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// A READ slower than this (kB/s, 1000 bytes) is slow. Default: a quarter of the
    /// check's median speed.
    #[arg(long, value_name = "KBPS")]
    pub slow_below: Option<f64>,
    /// Apply a virtdrive fault plan (JSON) to the virtual drive.
    #[arg(long, value_name = "FILE")]
    pub fault_plan: Option<std::path::PathBuf>,
    /// Draw the read speed along the area, with the unreadable and slow ranges marked, into
    /// FILE: an SVG or a PNG, as its extension (.svg, .png) says.
    #[arg(long, value_name = "FILE", value_parser = plot_file)]
    pub plot: Option<PathBuf>,
    /// Eject the disc and load it again before reading, so the check reads the medium and
    /// not the drive's buffer (which may still hold what was just written). A drive that
    /// cannot load a disc itself is refused before it ejects anything.
    #[arg(long)]
    pub reload: bool,
    /// Print one JSON object instead of the map and the summary.
    #[arg(long)]
    pub json: bool,
}

/// `--verify`: IMAPI_BURN_VERIFICATION_LEVEL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Verify {
    /// No verification.
    None,
    /// Disc and track information read back and a sample of sectors compared.
    Quick,
    /// Every sector read back and compared.
    Full,
}

impl From<Verify> for discwriter::VerificationLevel {
    fn from(v: Verify) -> Self {
        match v {
            Verify::None => discwriter::VerificationLevel::None,
            Verify::Quick => discwriter::VerificationLevel::Quick,
            Verify::Full => discwriter::VerificationLevel::Full,
        }
    }
}

/// `--defect-management`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// `--spares`: `none`, `default`, or a size in sectors (digits alone) or bytes (with a unit,
/// a whole number of 2048-byte sectors).
pub fn parse_spares(s: &str) -> Result<DefectManagement, String> {
    match s.trim() {
        "none" => return Ok(DefectManagement::Off),
        "default" => return Ok(DefectManagement::On(SpareAreas::Default)),
        _ => {}
    }
    let t = s.trim();
    let sectors = if t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse::<u64>().ok()
    } else {
        parse_size(t)
            .ok()
            .filter(|b| b % 2048 == 0)
            .map(|b| b / 2048)
    };
    sectors
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n > 0)
        .map(|n| DefectManagement::On(SpareAreas::Sectors(n)))
        .ok_or_else(|| {
            format!(
                "{s:?} is not a spare-area size: use none, default, a number of sectors \
                 (393216) or bytes in whole 2048-byte sectors (768MiB)"
            )
        })
}

/// `--speed`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// The drive's fastest.
    Max,
    /// A multiple of the medium's 1x.
    Times(f64),
}

/// Accepts `4`, `4x`, `2.4x` or `max`.
pub fn parse_speed(s: &str) -> Result<Speed, String> {
    if s.eq_ignore_ascii_case("max") {
        return Ok(Speed::Max);
    }
    let t = s.strip_suffix(['x', 'X']).unwrap_or(s);
    match t.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1000.0 => Ok(Speed::Times(v)),
        _ => Err(format!(
            "{s:?} is not a speed: use a multiple of 1x such as 4x (at most 1000x), or max"
        )),
    }
}

/// A byte count: digits, optionally with a suffix k, M, G (powers of 1000) or KiB, MiB, GiB.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let bad = || format!("{s:?} is not a size in bytes (such as 734003200, 700M or 350MiB)");
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let factor: u64 = match unit {
        "" => 1,
        "k" | "K" | "kB" => 1000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

fn parse_opcode(s: &str) -> Result<u8, String> {
    let t = s.trim_start_matches("0x").trim_start_matches("0X");
    let t = t.strip_suffix(['h', 'H']).unwrap_or(t);
    u8::from_str_radix(t, 16).map_err(|_| format!("{s:?} is not a one-byte hex opcode"))
}

/// The help text of `--drive`, naming every medium the emulator has.
fn drive_help() -> String {
    let media: Vec<&str> = virtdrive::medium::MediumKind::ALL
        .iter()
        .map(|k| k.name())
        .collect();
    format!(
        "The drive: a device path such as /dev/sr0 (builds with the sgio feature), or a \
         virtual drive virt:MEDIA[@FILE|+hash], MEDIA one of {}; FILE keeps the virtual disc \
         (only write and format create it). +hash keeps the disc in memory as a CRC-32 per \
         sector instead of its data (a whole 100 GB BD-R XL in a few tens of MiB): nothing \
         can be read back, so a write is not verified. Default: the embedded virtual BD-RE \
         in the user's data directory.",
        media.join(", ")
    )
}

/// The whole command line, with the generated help texts filled in.
pub fn command() -> clap::Command {
    let help = drive_help();
    let mut cmd = Args::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| s.get_arguments().any(|a| a.get_id() == "drive"))
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        let help = help.clone();
        cmd = cmd.mut_subcommand(name, |s| s.mut_arg("drive", |a| a.help(help)));
    }
    let several = format!(
        "{help} Repeated (--drive A --drive B ...), the image is read once and written to \
         every drive at once, each with its own progress, verification and result; every \
         disc is checked before any drive starts."
    );
    cmd.mut_subcommand("write", |s| s.mut_arg("drive", |a| a.help(several)))
}

/// `--plot FILE`: a name ending in .svg or .png.
fn plot_file(s: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(s);
    discwriter::check::plot::PlotFormat::of_path(&path)
        .map(|_| path)
        .map_err(|e| e.to_string())
}
