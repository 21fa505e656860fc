//! `discwriter info`: the drive, its profile and the disc's status, sessions and space.

use discwriter::recorder::DefectManagementState;
use discwriter::writer::MediaPhysicalType;
use discwriter::{DataWriter, DiscState, Error, Recorder};
use serde_json::json;

use super::drive_spec::{Access, DriveSpec};
use super::CliError;

pub fn run(drive: Option<&str>, as_json: bool) -> Result<(), CliError> {
    let spec = DriveSpec::parse(drive)?;
    // Looking changes nothing: the disc file is not written.
    let mut open = spec.open(Access::ReadOnly)?;
    let (info, summary, protection, multisession, defect) = {
        let mut recorder = Recorder::open(open.transport())?;
        let info = recorder.info().clone();
        let summary = recorder.disc_summary()?;
        // Why the disc cannot be written, asked only when it cannot.
        let protection = if summary.write_protected {
            recorder.write_protection()?.names()
        } else {
            Vec::new()
        };
        let defect = recorder.defect_management()?;
        let multisession = if as_json {
            multisession(recorder)?
        } else {
            None
        };
        (info, summary, protection, multisession, defect)
    };
    drop(open);
    let free = free_for_image(&summary);
    let media_type =
        MediaPhysicalType::from_profile(mmc_core::Profile::from_u16(summary.profile_code));
    if as_json {
        let v = json!({
            "drive": spec.describe(),
            "vendor": info.vendor,
            "product": info.product,
            "revision": info.revision,
            "profile": summary.profile,
            "profile_code": format!("0x{:04X}", summary.profile_code),
            "media_type": media_type,
            "status": summary.status,
            "sessions": summary.sessions,
            "next_writable_address": summary.next_writable_address,
            "free_sectors": free,
            "total_sectors": summary.total_sectors,
            "write_protected": summary.write_protected,
            "write_protection": protection,
            "erasable": summary.erasable,
            "multisession": multisession,
            "defect_management": defect,
        });
        outln!("{v}");
        return Ok(());
    }
    let rewritable = mmc_core::Profile::from_u16(summary.profile_code).is_rewritable_random();
    let status = match summary.status {
        _ if rewritable && summary.needs_formatting => "blank, not formatted".to_string(),
        // A formatted DVD+RW or BD-RE reports itself complete (MMC-6 6.22.3.1.4), yet is
        // written over in place.
        _ if rewritable => "formatted, written in place from sector 0".to_string(),
        DiscState::Blank => "blank".to_string(),
        DiscState::Appendable => format!("appendable, {} session(s)", summary.sessions),
        DiscState::Complete => format!("closed, {} session(s)", summary.sessions),
        DiscState::Other => "random access".to_string(),
    };
    outln!(
        "Drive:       {} {} {} ({})",
        info.vendor,
        info.product,
        info.revision,
        spec.describe()
    );
    outln!(
        "Profile:     {} ({:04X}h)",
        summary.profile,
        summary.profile_code
    );
    outln!("Media type:  {}", media_type.imapi_name());
    outln!("Status:      {status}");
    outln!(
        "Write protection: {}",
        if summary.write_protected {
            format!("on ({})", protection.join(", "))
        } else {
            "off".to_string()
        }
    );
    match summary.next_writable_address {
        Some(_) if rewritable => {}
        Some(nwa) => outln!("Next writable address: {nwa}"),
        None if summary.erasable && summary.status == DiscState::Blank => {
            outln!("Next writable address: none until the disc is formatted")
        }
        None => outln!("Next writable address: none (the disc cannot be written)"),
    }
    outln!(
        "Space:       {} of {} sectors free ({:.1} of {:.1} MB)",
        free,
        summary.total_sectors,
        f64::from(free) * 2048.0 / 1e6,
        f64::from(summary.total_sectors) * 2048.0 / 1e6
    );
    if defect.available {
        let profile = mmc_core::Profile::from_u16(summary.profile_code);
        outln!("Defect management: {}", defect_line(&defect, profile));
    }
    Ok(())
}

/// `on (...)` / `off (...)`: the state, the capacities each way and the write speed it
/// implies.
fn defect_line(d: &DefectManagementState, profile: mmc_core::Profile) -> String {
    let state = match d.on {
        Some(true) => "on",
        Some(false) => "off",
        None => "on once formatted",
    };
    let mut parts = Vec::new();
    if let Some(c) = d.capacity_with_spares {
        parts.push(format!("{c} sectors with spare areas"));
    }
    if let Some(c) = d.capacity_without_spares {
        parts.push(format!("{c} without"));
    }
    let speed = |kbps: u32| match profile.one_x() {
        Some(one_x) => format!("{:.1}x ({kbps} kB/s)", f64::from(kbps) / one_x),
        None => format!("{kbps} kB/s"),
    };
    match (d.write_kbps, d.streaming_write_kbps) {
        (Some(w), Some(s)) if d.on != Some(false) => parts.push(format!(
            "writes at about {}, {} with --defect-management off",
            speed(w),
            speed(s)
        )),
        (_, Some(s)) => parts.push(format!("writes at {}", speed(s))),
        _ => {}
    }
    format!("{state} ({})", parts.join("; "))
}

/// IMAPI's MultisessionInterfaces for the disc: `None` on a disc the writer does not record.
fn multisession<T: mmc_core::Transport + Send>(
    recorder: Recorder<T>,
) -> Result<Option<discwriter::writer::Multisession>, CliError> {
    let writer = DataWriter::new();
    writer.set_recorder(recorder)?;
    match writer.multisession_interfaces() {
        Ok(all) => Ok(all.into_iter().next()),
        // A reader drive has no writer, and a disc this writer cannot write no interface.
        Err(Error::InvalidMediaState { .. } | Error::RecorderNotSupported { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The free sectors `info` and the result line show: what an image may hold, IMAPI's
/// FreeSectorsOnMedia with the command's options (the writer appends the CD post-gap, and
/// formats a blank BD-RE with spare areas first).
pub fn free_for_image(summary: &discwriter::DiscSummary) -> u32 {
    discwriter::writer::free_sectors_for_stream(summary, false)
}
