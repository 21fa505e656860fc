//! `discwriter check`: every sector of an area read (see `discwriter::check`), the map of
//! good, slow and unreadable ranges, and the comparison with an image or a manifest.

use std::fs::File;
use std::io::BufReader;

use discwriter::check::plot::{self, PlotOptions};
use discwriter::check::{CheckOptions, CheckReport, Checker, Damage, Reference, SectorState};
use discwriter::manifest::Manifest;
use discwriter::readback::{self, PlanError, ReadPlan, Selection};
use discwriter::Recorder;

use super::args::CheckArgs;
use super::drive_spec::{Access, DriveSpec};
use super::read::last_write_note;
use super::CliError;

pub fn run(args: &CheckArgs) -> Result<(), CliError> {
    let manifest = args.manifest.as_deref().map(read_manifest).transpose()?;
    let image = match &args.image {
        Some(path) => {
            let file = File::open(path)
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
            let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
            let sectors = u32::try_from(bytes.div_ceil(2048)).map_err(|_| {
                CliError::Input(format!("{}: larger than any disc", path.display()))
            })?;
            Some((BufReader::new(file), sectors))
        }
        None => None,
    };
    let spec = DriveSpec::parse(args.drive.drive.as_deref())?;
    if spec.is_hash_only() {
        return Err(CliError::Input(format!(
            "--drive {}: a hash-only disc keeps a CRC-32 per sector, not the data: there is nothing to check",
            spec.describe()
        )));
    }
    let plan = match &args.fault_plan {
        Some(p) if matches!(spec, DriveSpec::Virtual(_)) => Some(
            virtdrive::fault::FaultPlan::from_path(p)
                .map_err(|e| CliError::Input(e.to_string()))?,
        ),
        Some(_) => {
            return Err(CliError::Input(
                "--fault-plan applies to virtual drives (virt:MEDIA[@FILE]) only".into(),
            ))
        }
        None => None,
    };
    let mut open = spec.open(Access::ReadOnly)?;
    if let Some(plan) = plan {
        open = open.with_fault_plan(plan);
    }
    if let Some(path) = &args.plot {
        plot_dir_exists(path)?;
    }
    let last_write = last_write_note(&open);
    let mut rec = Recorder::open(open.transport())?;
    if args.reload {
        Checker::reload(&mut rec)?;
    }
    // The medium, for the plot's title and its speed axis in multiples of 1x.
    let medium = rec.disc_summary().ok().map(|s| {
        let one_x = mmc_core::Profile::from_u16(s.profile_code).one_x_sectors();
        (s.profile, one_x.map(|x| x * 2048.0 / 1000.0))
    });

    // The area: the manifest's sectors, as long as the image, or as `read` finds it.
    let plan = match (&manifest, &image, args.session, args.all) {
        (Some(m), _, None, false) => Ok(given(
            u32::try_from(m.start_lba).unwrap_or(0),
            u32::try_from(m.sectors).unwrap_or(u32::MAX),
        )),
        (_, Some((_, sectors)), session, false) => readback::plan(
            &mut rec,
            Selection::FirstSectors {
                session,
                sectors: *sectors,
            },
            last_write,
        ),
        (_, _, _, true) => readback::plan(&mut rec, Selection::All, last_write),
        (_, _, Some(n), false) => readback::plan(&mut rec, Selection::Session(n), last_write),
        (_, _, None, false) => readback::plan(&mut rec, Selection::Last, last_write),
    }
    .map_err(|e| match e {
        PlanError::Drive(e) => CliError::from(e),
        other => CliError::Input(other.to_string()),
    })?;

    let checker = Checker::new(CheckOptions {
        slow_below_kbps: args.slow_below,
        ..CheckOptions::default()
    });
    let mut image_reader = image.map(|(r, _)| r);
    let reference = match (&manifest, image_reader.as_mut()) {
        (Some(m), _) => Some(Reference::Digest(&m.data)),
        (None, Some(r)) => Some(Reference::Image(r)),
        (None, None) => None,
    };
    let report = checker.run_plan(&mut rec, &plan, reference, &mut |_, _| true)?;
    drop(rec);
    drop(open);
    let one_x_kbps = medium.as_ref().and_then(|(_, x)| *x);
    if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("passed".into(), report.passed().into());
            o.insert("summary".into(), report.summary().into());
        }
        outln!("{v}");
    } else {
        print_map(&report);
        print_files(&report);
        if let Some(speed) = report.speed_summary(one_x_kbps) {
            outln!("{speed}");
        }
        outln!("{}", report.summary());
    }
    // The plot after the report: a plot that cannot be written loses no finding.
    if let Some(path) = &args.plot {
        let area = match (&manifest, args.session, args.all) {
            (Some(_), _, _) => "the manifest's sectors".to_string(),
            (_, _, true) => "the whole disc".to_string(),
            (_, Some(n), _) => format!("session {n}"),
            (_, None, _) => "the last session".to_string(),
        };
        let title = format!(
            "Read speed: {} in {}, {area}",
            medium
                .as_ref()
                .map_or("unknown medium", |(p, _)| p.as_str()),
            spec.describe()
        );
        let options = PlotOptions {
            one_x_kbps,
            ..PlotOptions::new(title)
        };
        plot::write(&report, path, &options).map_err(|e| CliError::Input(e.to_string()))?;
    }
    if report.passed() {
        Ok(())
    } else {
        Err(CliError::Input(
            "the check found sectors that could not be read or that differ".into(),
        ))
    }
}

/// `--plot FILE` refused before the disc is read when FILE's directory does not exist (a
/// whole disc can take an hour to read).
fn plot_dir_exists(path: &std::path::Path) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(CliError::Input(format!(
            "--plot {}: {} is not a directory",
            path.display(),
            dir.display()
        ))),
        Err(e) => Err(CliError::Input(format!(
            "--plot {}: {}: {e}",
            path.display(),
            dir.display()
        ))),
    }
}

fn given(start: u32, sectors: u32) -> ReadPlan {
    ReadPlan {
        start,
        sectors,
        found: readback::Found::Given,
        gaps: Vec::new(),
        tolerate_unreadable: true,
    }
}

fn read_manifest(path: &std::path::Path) -> Result<Manifest, CliError> {
    let bytes =
        std::fs::read(path).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
    Manifest::from_json(&bytes)
        .map_err(|e| CliError::Input(format!("{}: not a manifest: {e}", path.display())))
}

/// One line per range: its state and LBAs.
fn print_map(report: &CheckReport) {
    for r in &report.ranges {
        let state = match r.state {
            SectorState::Good => "good",
            SectorState::Slow => "slow",
            SectorState::Unreadable => "unreadable",
            SectorState::NotRecorded => "not recorded",
        };
        outln!(
            "{state:<12} LBA {}-{} ({} sectors)",
            r.start,
            u64::from(r.start) + u64::from(r.sectors) - 1,
            r.sectors
        );
    }
}

/// One line per file of the ISO 9660 volume that holds a damaged sector, as xorriso's
/// `-check_media report=files` names them.
fn print_files(report: &CheckReport) {
    for f in &report.damaged_files {
        let damage = match f.damage {
            Damage::Unreadable => "unreadable",
            Damage::Differs => "differs",
        };
        outln!("file  {}  ({damage})", f.path);
    }
    for d in &report.unlisted_directories {
        outln!("directory  {d}  (could not be read: its files are not named)");
    }
}
