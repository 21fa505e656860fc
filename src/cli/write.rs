//! `discwriter write IMAGE`: the engine's Write with a progress bar, or JSON event lines.

use std::fs::File;
use std::time::Duration;

use discwriter::writer::MediaPhysicalType;
use discwriter::{
    CancelHandle, DataWriter, ProgressEvent, Recorder, VerificationLevel, WriteAction, WriteOptions,
};
use indicatif::{ProgressBar, ProgressStyle};
use mmc_core::Transport;
use serde_json::json;

use super::drive_spec::{DriveSpec, OpenDrive};
use super::CliError;

/// What `write` was asked to do.
#[derive(Debug, Clone)]
pub struct WriteArgs {
    pub image: std::path::PathBuf,
    pub drive: Option<String>,
    pub close: bool,
    /// Multiple of the medium's 1x; `None`: the fastest.
    pub speed: Option<f64>,
    pub verify: VerificationLevel,
    pub fault_plan: Option<std::path::PathBuf>,
    pub overwrite: bool,
    pub json: bool,
}

/// Sectors per second at 1x (IMAPI_SECTORS_PER_SECOND_AT_1X_*).
fn one_x_sectors(media: MediaPhysicalType) -> f64 {
    use MediaPhysicalType as M;
    match media {
        M::Cdr | M::Cdrw | M::Cdrom => 75.0,
        M::Bdr | M::Bdre | M::Bdrom => 2195.0,
        _ => 680.0,
    }
}

pub fn run(args: WriteArgs) -> Result<(), CliError> {
    let mut image = File::open(&args.image)
        .map_err(|e| CliError::Input(format!("{}: {e}", args.image.display())))?;
    let length = image
        .metadata()
        .map_err(|e| CliError::Input(format!("{}: {e}", args.image.display())))?
        .len();
    let plan = match &args.fault_plan {
        Some(p) => Some(
            virtdrive::fault::FaultPlan::from_path(p)
                .map_err(|e| CliError::Input(e.to_string()))?,
        ),
        None => None,
    };
    let spec = DriveSpec::parse(args.drive.as_deref())?;
    let mut open = spec.open()?;
    let result = match (&mut open, plan) {
        (OpenDrive::Virtual(v), Some(plan)) => {
            v.drive_mut().set_fault_plan(plan);
            write_to(open.transport(), &mut image, length, &args)
        }
        #[cfg(all(feature = "sgio", target_os = "linux"))]
        (OpenDrive::Device(_), Some(_)) => Err(CliError::Input(
            "--fault-plan applies to virtual drives only".into(),
        )),
        (_, None) => write_to(open.transport(), &mut image, length, &args),
    };
    // The disc file keeps what was made durable, whatever the outcome.
    let saved = open.finish();
    let outcome = result?;
    saved?;
    report(&args, Ok(outcome));
    Ok(())
}

fn write_to<T: Transport + Send>(
    transport: T,
    image: &mut File,
    length: u64,
    args: &WriteArgs,
) -> Result<discwriter::WriteOutcome, CliError> {
    let fail = |e: discwriter::Error| {
        report(args, Err(&e));
        CliError::Drive(e)
    };
    let recorder = Recorder::open(transport).map_err(fail)?;
    let writer = DataWriter::new();
    writer.set_recorder(recorder).map_err(fail)?;
    writer.set_client_name("discwriter").map_err(fail)?;
    writer
        .set_options(WriteOptions {
            force_media_to_be_closed: args.close,
            force_overwrite: args.overwrite,
            verification: args.verify,
            ..WriteOptions::default()
        })
        .map_err(fail)?;
    if let Some(x) = args.speed {
        let media = writer.current_physical_media_type().map_err(fail)?;
        let sps = (x * one_x_sectors(media))
            .round()
            .clamp(1.0, f64::from(i32::MAX)) as i32;
        writer.set_write_speed(sps, false).map_err(fail)?;
    }
    // Ctrl-C cancels: the engine stops at the next transfer and closes what it wrote, so the
    // disc stays readable (and a CD-R appendable).
    let cancel = writer.cancel_handle();
    let _ = ctrlc::set_handler(move || cancel.cancel());
    let bar = (!args.json).then(|| {
        let bar = ProgressBar::new(length);
        bar.set_style(
            ProgressStyle::with_template("{msg:<22} [{bar:30}] {bytes}/{total_bytes} {prefix}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    let json = args.json;
    let mut on_event = |e: &ProgressEvent, _: &CancelHandle| {
        if json {
            println!("{}", json!({ "event": e }));
            return;
        }
        if let Some(bar) = &bar {
            bar.set_message(e.action.describe());
            let written = ((e.last_written_lba + 1 - e.start_lba).max(0) as u64) * 2048;
            if e.action == WriteAction::WritingData || e.action == WriteAction::Completed {
                bar.set_position(written.min(length));
            }
            let speed = e.speed_x.map(|x| format!("{x:.1}x")).unwrap_or_default();
            let fill = if e.total_system_buffer > 0 {
                format!(
                    " fifo {:.0}%",
                    e.used_system_buffer as f64 * 100.0 / e.total_system_buffer as f64
                )
            } else {
                String::new()
            };
            let drive = e
                .drive_buffer_fill
                .map(|f| format!(" drive {:.0}%", f * 100.0))
                .unwrap_or_default();
            bar.set_prefix(format!(
                "{speed}{drive}{fill} {} left",
                humantime(Duration::from_secs_f64(e.remaining_time.max(0.0)))
            ));
        }
    };
    let result = writer.write(image, length, None, &mut on_event);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.map_err(fail)
}

fn humantime(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// The final line: JSON with `result`, or a sentence.
fn report(args: &WriteArgs, outcome: Result<discwriter::WriteOutcome, &discwriter::Error>) {
    match (args.json, outcome) {
        (true, Ok(o)) => println!(
            "{}",
            json!({ "result": {
                "hresult": format!("0x{:08X}", o.hresult),
                "code": o.code,
                "error": null,
                "start_lba": o.start_lba,
                "sectors": o.sectors,
                "disc_closed": o.disc_closed,
                "elapsed_time": o.elapsed_time,
            }})
        ),
        (true, Err(e)) => println!(
            "{}",
            json!({ "result": {
                "hresult": format!("0x{:08X}", e.hresult()),
                "error": e.imapi_name(),
                "message": e.to_string(),
            }})
        ),
        (false, Ok(o)) => println!(
            "Wrote {} sectors ({:.1} MB) at LBA {} in {:.1} s{}{}",
            o.sectors,
            o.sectors as f64 * 2048.0 / 1e6,
            o.start_lba,
            o.elapsed_time,
            if o.disc_closed {
                "; the disc is closed"
            } else {
                ""
            },
            if o.code == "S_OK" {
                String::new()
            } else {
                format!(" ({})", o.code)
            }
        ),
        (false, Err(_)) => {}
    }
}

/// Accepts `4`, `4x`, `2.4x` or `max`.
pub fn parse_speed(s: &str) -> Result<Option<f64>, String> {
    if s.eq_ignore_ascii_case("max") {
        return Ok(None);
    }
    let t = s.strip_suffix(['x', 'X']).unwrap_or(s);
    match t.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(Some(v)),
        _ => Err(format!(
            "{s:?} is not a speed: use a multiple of 1x such as 4x, or max"
        )),
    }
}

/// Accepts `none`, `quick`, `full`.
pub fn parse_verify(s: &str) -> Result<VerificationLevel, String> {
    match s {
        "none" => Ok(VerificationLevel::None),
        "quick" => Ok(VerificationLevel::Quick),
        "full" => Ok(VerificationLevel::Full),
        _ => Err(format!("{s:?}: use none, quick or full")),
    }
}
