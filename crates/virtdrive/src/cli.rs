//! The `virtdrive` command line: its clap definitions, and the man pages and shell completions
//! generated from them. The command itself (`src/bin/virtdrive.rs`) runs what they parse;
//! keeping the definitions here lets tests walk every subcommand and option
//! (`clap::CommandFactory`).

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand};

use crate::medium::{MediaIdentity, MediumKind};

/// An emulated MMC optical-disc writer for unmodified burning programs.
#[derive(Debug, Parser)]
#[command(name = "virtdrive", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// The options that make the drive, shared by `serve` and `run`.
#[derive(Debug, clap::Args)]
pub struct DriveArgs {
    // The help names every medium from `MediumKind::ALL`, so it cannot fall behind.
    #[arg(long, value_name = "virt:MEDIA[/ID][@FILE|+hash]", default_value = "virt:bd-re", help = drive_help())]
    pub drive: String,
    /// Apply a fault plan (JSON) to the drive.
    #[arg(long, value_name = "FILE")]
    pub fault_plan: Option<PathBuf>,
    /// Record every command as a JSON-lines transcript (mmc-core's `Tracing` format); the
    /// file's folder must exist.
    #[arg(long, value_name = "FILE")]
    pub transcript: Option<PathBuf>,
    /// Take real time: the drive sleeps as its clock advances (a 1x write takes as long as on
    /// a real drive) and waits --poll-wait after each "busy" answer. Without it the clock is
    /// accelerated: it moves only with the commands, each poll of a busy drive (format,
    /// certification, closing, long write, becoming ready: 02/04/01, 04, 07, 08) waits a
    /// third longer than the one before, so any long operation ends within about 30 polls,
    /// and each READ BUFFER CAPACITY lets the drive record half its buffer. The same commands
    /// give the same answers, so a transcript replays. `run` then also shortens the program's
    /// own sleeps tenfold (VIRTDRIVE_SHIM_SLEEP_DIVISOR=1 keeps them whole); --paced does not.
    #[arg(long)]
    pub paced: bool,
    /// Seconds of drive time that pass after the first "busy, ask again" answer of a run of
    /// them (the host's wait between polls, as the drive sees it; each further one waits a
    /// third longer, at most 30 minutes, unless --paced); 0 or more.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = "5",
        value_parser = parse_seconds,
        allow_negative_numbers = true
    )]
    pub poll_wait: Duration,
    /// Who made the disc, as READ DISC STRUCTURE reports it (the DVD+R/DVD+RW ADIP, the BD
    /// Disc Information): MANUFACTURER/TYPE/REVISION, up to 8 and 3 printable ASCII
    /// characters (a BD keeps the first 6 of the manufacturer). Default: per medium,
    /// RICOHJPN/R03/2 (DVD+R), RICOHJPN/W11/1 (DVD+RW), VERBAT/IMe/1 (BD-R), VERBAT/IM0/1
    /// (BD-RE).
    #[arg(long, value_name = "ID", value_parser = MediaIdentity::parse)]
    pub media_id: Option<MediaIdentity>,
    /// A disc changer, as in a publishing robot: N discs in all, the drive's and a stack of
    /// N-1 behind it. When the host ejects the disc (START STOP UNIT LoEj) and waits, it is
    /// saved and the next loaded, and the drive becomes ready with it (an eject followed by
    /// a load gives the disc back). Disc K is kept beside the drive's file with K before the
    /// extension (a.disc: a-2.disc, a-3.disc), created blank (made by --media-id's maker)
    /// when missing and loaded as it is when it exists. Needs virt:MEDIA@FILE; 1 to 1000.
    #[arg(
        long,
        value_name = "N",
        default_value = "1",
        value_parser = parse_discs,
        allow_negative_numbers = true
    )]
    pub changer: u32,
    /// Log each client connection on stderr.
    #[arg(long)]
    pub verbose: bool,
}

/// What `virtdrive` does.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the drive on a Unix socket until SIGINT or SIGTERM; programs reach it with the
    /// preload shim (see `virtdrive shim-path`).
    Serve {
        #[command(flatten)]
        drive: DriveArgs,
        /// The socket to listen on (its folder must exist).
        #[arg(long, value_name = "PATH")]
        socket: PathBuf,
    },
    /// Run PROGRAM with /dev/sr9 and /dev/sg9 being the virtual drive; the disc is saved when
    /// it ends, and its exit status is returned.
    Run {
        #[command(flatten)]
        drive: DriveArgs,
        /// The block device path the drive appears at (absolute; its trailing digits are the
        /// minor number).
        #[arg(long, value_name = "PATH", default_value = "/dev/sr9", value_parser = parse_node)]
        sr: PathBuf,
        /// The SCSI generic path the drive appears at (absolute; its trailing digits are the
        /// minor number).
        #[arg(long, value_name = "PATH", default_value = "/dev/sg9", value_parser = parse_node)]
        sg: PathBuf,
        /// PROGRAM and its arguments, after `--`.
        #[arg(last = true, value_name = "PROGRAM ARGS")]
        command: Vec<OsString>,
    },
    /// Check a disc file (FILE of virt:MEDIA@FILE) without changing it: its state, its data
    /// file's length, and a commit not yet in the data file, slot by slot. Exit status 0 when
    /// intact, 1 when damaged, 2 when --repair rolled it back, 125 when it cannot be checked
    /// (missing, not a disc file, in use).
    Fsck {
        /// The disc's data file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Roll a disc whose last generation is damaged back to the generation before,
        /// saying what is lost (nothing is changed without it).
        #[arg(long)]
        repair: bool,
    },
    /// Print the path of the preload shim (for LD_PRELOAD with `virtdrive serve`), extracting
    /// it first when needed.
    ShimPath,
    /// Print the manual page (roff) on stdout, or write one page per command into a folder.
    Man {
        /// Write virtdrive.1 and virtdrive-SUBCOMMAND.1 into this folder (which must exist)
        /// instead, and print their paths.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print a completion script for SHELL on stdout.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// (internal) Unblock SIGINT and SIGTERM, then execute PROGRAM: how `run` starts it.
    #[command(hide = true)]
    Launch {
        /// PROGRAM and its arguments, after `--`.
        #[arg(last = true, required = true, value_name = "PROGRAM ARGS")]
        command: Vec<OsString>,
    },
}

/// The help of `--drive`, naming every emulated medium.
fn drive_help() -> String {
    let names: Vec<&str> = MediumKind::ALL.iter().map(|k| k.name()).collect();
    format!(
        "The virtual drive: virt:MEDIA[/ID][@FILE|+hash], MEDIA one of {}. FILE keeps the disc \
         (created blank when missing, in a folder that must exist); without it the disc lives \
         in memory. +hash keeps the disc in memory as a CRC-32 per sector, not its data: a \
         whole 100 GB disc in a few tens of MiB, but only sectors of one repeated byte read \
         back (others give 03/11/00). ID names the disc's maker as --media-id does; a disc \
         file keeps the identity it was made with.",
        names.join(", ")
    )
}

/// `--changer N`: 1 to 1000 discs.
fn parse_discs(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n @ 1..=1000) => Ok(n),
        _ => Err(format!(
            "{text:?} is not a number of discs from 1 to 1000 (1: no changer)"
        )),
    }
}

/// `--poll-wait`: a number of seconds, 0 or more (fractions allowed).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| "not a number of seconds".to_string())?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| "give a number of seconds, 0 or more (and not too large)".to_string())
}

/// The longest node path the shim keeps (`struct vd_node`'s `path[256]`, with its NUL).
const NODE_PATH_MAX: usize = 255;

/// `--sr`/`--sg`: an absolute path the shim can hold.
fn parse_node(text: &str) -> Result<PathBuf, String> {
    if !text.starts_with('/') {
        return Err("give an absolute path, such as /dev/sr9 or /dev/sg9".into());
    }
    if text.len() > NODE_PATH_MAX {
        return Err(format!(
            "the path is {} bytes long; the preload shim takes at most {NODE_PATH_MAX}",
            text.len()
        ));
    }
    Ok(PathBuf::from(text))
}

impl Args {
    /// The command-line definition, as clap builds it.
    pub fn definition() -> clap::Command {
        Args::command()
    }
}

#[cfg(unix)]
impl DriveArgs {
    /// The served drive's options; the error is one line (an unknown medium, for one).
    pub fn options(&self) -> Result<crate::serve::DriveOptions, String> {
        Ok(crate::serve::DriveOptions {
            drive: crate::serve::VirtSpec::parse(&self.drive)?,
            fault_plan: self.fault_plan.clone(),
            transcript: self.transcript.clone(),
            paced: self.paced,
            poll_wait: self.poll_wait,
            media_identity: self.media_id.clone(),
            changer: self.changer,
        })
    }
}

/// The definition as the manual pages show it: built (so that subcommands know their full
/// names, `virtdrive serve`), without the `help` subcommand, which has no page of its own.
fn built() -> clap::Command {
    let mut command = Args::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Writes the manual page: virtdrive's own sections, then for each subcommand its synopsis,
/// description and options under a heading of its own, so that one page documents every
/// option.
pub fn write_man_page(out: &mut dyn Write) -> io::Result<()> {
    let command = built();
    clap_mangen::Man::new(command.clone()).render(out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        let page = clap_mangen::Man::new(sub.clone());
        let mut sections = Vec::new();
        page.render_synopsis_section(&mut sections)?;
        page.render_description_section(&mut sections)?;
        if sub.get_arguments().any(|a| !a.is_hide_set()) {
            page.render_options_section(&mut sections)?;
        }
        // Inside the subcommand's section, its own sections are subsections; the string
        // definition each rendering starts with (`.ds Aq`) is already in the page.
        let text = String::from_utf8_lossy(&sections);
        for line in text.lines() {
            if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
                continue;
            }
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(out, ".SS {heading}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(())
}

/// Writes `virtdrive.1` and one page per visible subcommand (`virtdrive-serve.1`, ...) into
/// `dir`, which must exist; returns the files written.
pub fn write_man_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "{}: no such folder (virtdrive creates files, not folders)",
                dir.display()
            ),
        ));
    }
    let command = built();
    let source = format!("virtdrive {}", env!("CARGO_PKG_VERSION"));
    let mut written = Vec::new();
    let mut pages = vec![clap_mangen::Man::new(command.clone())];
    pages.extend(
        command
            .get_subcommands()
            .filter(|s| !s.is_hide_set())
            // Each page's footer names the program and its version, as virtdrive.1's does.
            .map(|s| clap_mangen::Man::new(s.clone()).source(source.clone())),
    );
    for page in pages {
        let path = page
            .generate_to(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes the completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) {
    let mut command = Args::command();
    clap_complete::generate(shell, &mut command, "virtdrive", out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn the_drive_help_names_every_medium() {
        let help = drive_help();
        for kind in MediumKind::ALL {
            assert!(help.contains(kind.name()), "{} in {help}", kind.name());
        }
    }

    #[test]
    fn poll_waits_are_seconds_zero_or_more() {
        assert_eq!(parse_seconds("0"), Ok(Duration::ZERO));
        assert_eq!(parse_seconds("2.5"), Ok(Duration::from_millis(2500)));
        for bad in ["-1", "abc", "", "NaN", "inf", "1e300"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn node_paths_are_absolute_and_fit_the_shim() {
        assert!(parse_node("/dev/sr3").is_ok());
        assert!(parse_node("sr3").is_err());
        assert!(parse_node("").is_err());
        assert!(parse_node(&format!("/{}", "a".repeat(254))).is_ok());
        assert!(parse_node(&format!("/{}", "a".repeat(255))).is_err());
    }
}
