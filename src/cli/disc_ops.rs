//! `discwriter format`, `eject` and `drives`.

use discwriter::writer::{DefectManagement, Timeouts};
use discwriter::Recorder;
use mmc_core::Transport;
use serde_json::json;
use virtdrive::medium::MediumKind;

use super::drive_spec::{Access, DriveSpec};
use super::progress::clock;
use super::CliError;

fn with_recorder(
    drive: Option<&str>,
    access: Access,
    f: impl FnOnce(&mut Recorder<&mut (dyn Transport + Send)>) -> Result<(), discwriter::Error>,
) -> Result<(), CliError> {
    let spec = DriveSpec::parse(drive)?;
    let mut open = spec.open(access)?;
    // Recorder::open is the first thing sent: it refuses any device that is not an MMC drive.
    let result = Recorder::open(open.transport()).and_then(|mut r| f(&mut r));
    let cause = result.as_ref().err().and_then(|_| open.host_cause());
    if access == Access::Create {
        open.finish()?;
    }
    result.map_err(|error| CliError::Drive { error, cause })
}

/// Formats a DVD+RW, DVD-RW, DVD-RAM or BD-RE (a BD-R with `spares`), showing the drive's
/// progress.
pub fn format(
    drive: Option<&str>,
    quick: bool,
    spares: Option<DefectManagement>,
    verbose: bool,
) -> Result<(), CliError> {
    let started = std::time::Instant::now();
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr()) && !verbose;
    let mut last_line = started;
    // How long the format took the drive (an emulated drive's virtual clock).
    let mut on_drive = None;
    with_recorder(drive, Access::Create, |r| {
        let drive_start = r.device_time();
        let result = r.format_medium_with(quick, spares, &Timeouts::default(), &mut |p| {
            let now = std::time::Instant::now();
            let done = p
                .map(|p| format!("{:.0}%, ", p * 100.0))
                .unwrap_or_default();
            if terminal {
                errtext!(
                    "\rformatting: {done}{} elapsed   ",
                    clock(started.elapsed())
                );
            } else if now.duration_since(last_line).as_secs() >= 5 {
                last_line = now;
                errln!("formatting: {done}{} elapsed", clock(started.elapsed()));
            }
        });
        on_drive = drive_start
            .zip(r.device_time())
            .map(|(t0, t)| t.saturating_sub(t0));
        result
    })?;
    if terminal {
        errtext!("\r\x1b[K");
    }
    let on_drive = on_drive
        .map(|d| format!(" ({} on the drive's clock)", clock(d)))
        .unwrap_or_default();
    outln!("Formatted in {}{on_drive}.", clock(started.elapsed()));
    Ok(())
}

/// Opens the tray.
pub fn eject(drive: Option<&str>) -> Result<(), CliError> {
    with_recorder(drive, Access::Existing, |r| r.eject())?;
    outln!("The tray is open.");
    Ok(())
}

/// Lists the drives this build can use.
pub fn drives(as_json: bool) -> Result<(), CliError> {
    let default = DriveSpec::parse(None)?;
    let virtual_drives: Vec<String> = MediumKind::ALL
        .iter()
        .map(|k| format!("virt:{}", k.name()))
        .collect();
    if as_json {
        outln!(
            "{}",
            json!({
                "default": default.describe(),
                "virtual": virtual_drives,
                "devices": real_drives_json(),
                "sgio": cfg!(all(feature = "sgio", target_os = "linux")),
            })
        );
        return Ok(());
    }
    outln!(
        "Default drive: {} (the embedded virtual BD-RE)",
        default.describe()
    );
    outln!("Virtual drives (add @FILE to keep the disc in a file):");
    for v in &virtual_drives {
        outln!("  {v}");
    }
    print_real_drives();
    Ok(())
}

#[cfg(not(all(feature = "sgio", target_os = "linux")))]
fn real_drives_json() -> serde_json::Value {
    json!([])
}

#[cfg(not(all(feature = "sgio", target_os = "linux")))]
fn print_real_drives() {
    outln!("Real drives: this build has no SG_IO support (build with --features sgio).");
}

/// Every /dev/srN and /dev/sgN, probed read-only: MMC drives with their current profile,
/// other SCSI devices listed as not optical (never used), nodes that did not answer with
/// the reason.
#[cfg(all(feature = "sgio", target_os = "linux"))]
fn real_drives_json() -> serde_json::Value {
    use discwriter::sgio::scan::Probe;
    let found = discwriter::sgio::scan::scan();
    found
        .iter()
        .map(|f| match &f.probe {
            Probe::Drive {
                vendor,
                product,
                revision,
                profile,
            } => json!({
                "path": f.path.display().to_string(),
                "kind": "drive",
                "vendor": vendor,
                "product": product,
                "revision": revision,
                "profile": profile.map(|p| p.name()),
                "profile_code": profile.map(|p| format!("0x{:04X}", p.to_u16())),
            }),
            Probe::NotMmc {
                vendor,
                product,
                peripheral_device_type,
            } => json!({
                "path": f.path.display().to_string(),
                "kind": "not_mmc",
                "vendor": vendor,
                "product": product,
                "peripheral_device_type": peripheral_device_type,
            }),
            Probe::Unusable { reason } => json!({
                "path": f.path.display().to_string(),
                "kind": "unusable",
                "reason": reason,
            }),
        })
        .collect()
}

#[cfg(all(feature = "sgio", target_os = "linux"))]
fn print_real_drives() {
    use discwriter::sgio::scan::Probe;
    let found = discwriter::sgio::scan::scan();
    if found.is_empty() {
        outln!("Real drives: none (no /dev/srN or /dev/sgN).");
        return;
    }
    outln!("Real drives (give the path to --drive):");
    for f in &found {
        let path = f.path.display();
        match &f.probe {
            Probe::Drive {
                vendor,
                product,
                revision,
                profile,
            } => {
                let profile = profile.map_or("current profile unknown".to_string(), |p| {
                    format!("{} ({:04X}h)", p.name(), p.to_u16())
                });
                outln!("  {path}  {vendor} {product} {revision}: {profile}")
            }
            Probe::NotMmc {
                vendor,
                product,
                peripheral_device_type: t,
            } => outln!(
                "  {path}  {vendor} {product}: not an optical drive (device type {t:02X}h), never used"
            ),
            Probe::Unusable { reason } => outln!("  {path}  unusable: {reason}"),
        }
    }
}
