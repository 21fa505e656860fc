//! `discwriter read OUT`: the data back from the disc, by default exactly what was written
//! last (see `discwriter::readback` for how its length is found). OUT appears only when the
//! read succeeded: the data goes into a temporary file beside it, renamed at the end.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use discwriter::readback::{self, Found, LastWrite, PlanError, ReadPlan, Selection};
use discwriter::{Error, Recorder};

use super::args::ReadArgs;
use super::drive_spec::{Access, DriveSpec, OpenDrive};
use super::progress::{mb, Board};
use super::signals::{self, Watch};
use super::CliError;

pub fn run(args: &ReadArgs, verbose: bool) -> Result<(), CliError> {
    let selection = match (args.session, args.all, args.start, args.sectors) {
        (_, true, _, _) => Selection::All,
        (_, false, Some(start), Some(sectors)) => Selection::Range { start, sectors },
        (session, false, None, Some(sectors)) => Selection::FirstSectors { session, sectors },
        (Some(n), false, _, None) => Selection::Session(n),
        (None, false, _, None) => Selection::Last,
    };
    let to_stdout = args.out.as_os_str() == "-";
    // OUT's folder must exist before the drive is asked anything.
    let dir = match args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => std::path::PathBuf::from("."),
    };
    if !to_stdout {
        if args.out.is_dir() {
            return Err(CliError::Input(format!(
                "{}: is a directory; give the file to write the data into",
                args.out.display()
            )));
        }
        if !dir.is_dir() {
            return Err(CliError::Input(format!(
                "{}: the folder {} does not exist",
                args.out.display(),
                dir.display()
            )));
        }
    }
    let spec = DriveSpec::parse(args.drive.drive.as_deref())?;
    if spec.is_hash_only() {
        return Err(CliError::Input(format!(
            "--drive {}: a hash-only disc keeps a CRC-32 per sector, not the data, and lives for one command: there is nothing to read",
            spec.describe()
        )));
    }
    let mut open = spec.open(Access::ReadOnly)?;
    let last_write = last_write_note(&open);

    let stop = Arc::new(AtomicBool::new(false));
    let watch = Watch::start(
        {
            let stop = stop.clone();
            move |_| stop.store(true, Ordering::SeqCst)
        },
        "stopping the read".into(),
    );
    let (plan, report) = {
        let mut rec = Recorder::open(open.transport())?;
        let plan = readback::plan(&mut rec, selection, last_write).map_err(|e| match e {
            PlanError::Drive(e) => CliError::from(e),
            other => CliError::Input(other.to_string()),
        })?;
        // Standard output is the data: no bar then.
        let board = (!to_stdout)
            .then(|| Board::single(verbose, "reading [{bar:30}] {msg}"))
            .flatten();
        let bar = board.as_ref().map(|(_, bar)| {
            bar.set_length(u64::from(plan.sectors) * 2048);
            bar
        });
        let reached = std::cell::Cell::new(0u64);
        let mut progress = |done: u64, total: u64| {
            reached.set(done);
            if let Some(bar) = &bar {
                bar.set_position(done * 2048);
                bar.set_message(format!("{} of {}", mb(done * 2048), mb(total * 2048)));
            }
            !stop.load(Ordering::SeqCst)
        };
        let read = if to_stdout {
            let mut out = std::io::stdout().lock();
            readback::read(&mut rec, &plan, &mut out, &mut progress)
                .and_then(|r| out.flush().map(|()| r).map_err(output_error))
        } else {
            read_into_file(&mut rec, &plan, &args.out, &dir, &mut progress)
        };
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        match (read, watch.signal()) {
            (Err(Error::RequestCancelled { .. }), Some(signal)) => {
                return Err(CliError::Interrupted {
                    message: format!(
                        "{}: the read was stopped{}",
                        signals::name(signal),
                        if to_stdout {
                            String::new()
                        } else {
                            format!("; {} was not written", args.out.display())
                        }
                    ),
                    signal,
                })
            }
            (Err(e @ Error::Fail { .. }), _) if e.cause().is_none() => return Err(e.into()),
            (Err(e), _) => {
                let at = u64::from(plan.start) + reached.get();
                return Err(CliError::Input(format!(
                    "the drive could not read the sectors from LBA {at} (of LBA {}-{}): {e} ({}, 0x{:08X}){}",
                    plan.start,
                    u64::from(plan.start) + u64::from(plan.sectors) - 1,
                    e.imapi_name(),
                    e.hresult(),
                    if to_stdout {
                        String::new()
                    } else {
                        format!("; {} was not written", args.out.display())
                    }
                )));
            }
            (Ok(r), _) => (plan, r),
        }
    };
    drop(open);
    let summary = format!(
        "Read {} ({} sectors, LBA {}-{}) {}{}",
        mb(report.sectors * 2048),
        report.sectors,
        plan.start,
        u64::from(plan.start) + report.sectors.saturating_sub(1),
        if to_stdout {
            "to standard output".to_string()
        } else {
            format!("into {}", args.out.display())
        },
        match plan.found {
            Found::Volume { volume } => format!(": the {} volume", volume.name()),
            Found::LastWrite => ": the data of the last write".into(),
            Found::DataTrack { trimmed: 0 } => ": the session's data track".into(),
            Found::DataTrack { trimmed } =>
                format!(": the session's data track without the {trimmed}-sector post-gap"),
            Found::Given => String::new(),
            Found::Everything => ": the whole recorded area".into(),
        }
    );
    if to_stdout {
        errln!("{summary}");
    } else {
        outln!("{summary}");
    }
    for u in &report.unreadable {
        errln!(
            "discwriter: LBA {}-{} ({} sectors) not read: {}; written as zeros",
            u.start,
            u64::from(u.start) + u64::from(u.sectors) - 1,
            u.sectors,
            u.reason
        );
    }
    Ok(())
}

/// The note the command keeps with a virtual disc: the extent of its last write, which
/// `read` gives back when the data holds no file system that says its own size.
const NOTE: &str = "discwriter";

/// Keeps with a virtual disc where the write just made starts and how many sectors it has,
/// for [`last_write_note`] (a real drive keeps nothing).
// Without the sgio feature every drive is virtual.
#[allow(irrefutable_let_patterns)]
pub(super) fn keep_last_write(open: &mut OpenDrive, start_lba: i64, sectors: u64) {
    if let OpenDrive::Virtual(v) = open {
        v.inner_mut().set_note(
            NOTE,
            serde_json::json!({ "last_write": { "start_lba": start_lba, "sectors": sectors } }),
        );
    }
}

/// The extent of the last write the command kept with a virtual disc.
pub(super) fn last_write_note(open: &OpenDrive) -> Option<LastWrite> {
    match open {
        OpenDrive::Virtual(v) => v
            .inner()
            .note(NOTE)
            .and_then(|n| n.get("last_write"))
            .and_then(|w| serde_json::from_value(w.clone()).ok()),
        #[cfg(all(feature = "sgio", target_os = "linux"))]
        OpenDrive::Device(_) => None,
    }
}

fn output_error(e: std::io::Error) -> Error {
    Error::Fail {
        detail: format!("writing the output: {e}"),
        cause: None,
    }
}

/// Reads into a temporary file in `dir`, synced and renamed to `out` when complete; removed
/// otherwise.
fn read_into_file<T: mmc_core::Transport>(
    rec: &mut Recorder<T>,
    plan: &ReadPlan,
    out: &Path,
    dir: &Path,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<readback::ReadReport, Error> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    // As File::create makes it (0666 less the umask), not the temporary file's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder.tempfile_in(dir).map_err(|e| Error::Fail {
        detail: format!("creating a file in {}: {e}", dir.display()),
        cause: None,
    })?;
    let report = {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, temp.as_file_mut());
        let report = readback::read(rec, plan, &mut w, progress)?;
        w.flush().map_err(output_error)?;
        report
    };
    temp.as_file().sync_all().map_err(output_error)?;
    temp.persist(out).map_err(|e| Error::Fail {
        detail: format!("{}: {}", out.display(), e.error),
        cause: None,
    })?;
    Ok(report)
}
