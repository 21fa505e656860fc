//! `discwriter format`, `eject` and `drives`.

use discwriter::writer::Timeouts;
use discwriter::Recorder;
use serde_json::json;
use virtdrive::medium::MediumKind;

use super::drive_spec::{DriveSpec, OpenDrive};
use super::CliError;

fn with_recorder(
    drive: Option<&str>,
    f: impl FnOnce(&mut Recorder<&mut virtdrive::VirtualDrive>) -> Result<(), discwriter::Error>,
) -> Result<(), CliError> {
    let spec = DriveSpec::parse(drive)?;
    let mut open = spec.open()?;
    let result = match &mut open {
        OpenDrive::Virtual(v) => Recorder::open(v).and_then(|mut r| f(&mut r)),
    };
    open.finish()?;
    result.map_err(CliError::Drive)
}

/// Formats a DVD+RW or BD-RE.
pub fn format(drive: Option<&str>, quick: bool) -> Result<(), CliError> {
    with_recorder(drive, |r| r.format_medium(quick, &Timeouts::default()))?;
    eprintln!("Formatted.");
    Ok(())
}

/// Opens the tray.
pub fn eject(drive: Option<&str>) -> Result<(), CliError> {
    with_recorder(drive, |r| r.eject())
}

/// Lists the drives this build can use.
pub fn drives(as_json: bool) -> Result<(), CliError> {
    let default = DriveSpec::parse(None)?;
    let virtual_drives: Vec<String> = MediumKind::ALL
        .iter()
        .map(|k| format!("virt:{}", k.name()))
        .collect();
    if as_json {
        println!(
            "{}",
            json!({
                "default": default.describe(),
                "virtual": virtual_drives,
                "devices": [],
                "sgio": false,
            })
        );
        return Ok(());
    }
    println!(
        "Default drive: {} (the embedded virtual BD-RE)",
        default.describe()
    );
    println!("Virtual drives (add @FILE to keep the disc in a file):");
    for v in &virtual_drives {
        println!("  {v}");
    }
    println!("Real drives: this build has no SG_IO support (build with --features sgio).");
    Ok(())
}
