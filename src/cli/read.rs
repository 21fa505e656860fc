//! `discwriter read OUT [--session N]`: the data of the whole disc or of one session, read
//! back through the drive.
//!
//! How much to read: an ISO 9660 image says its own size (the volume space size in the
//! primary volume descriptor at sector 16 of the session), which excludes the post-gap a CD
//! track carries; without one, the whole recorded extent (READ CAPACITY for the disc, the
//! session's recorded sectors for a session).

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use discwriter::Recorder;
use mmc_core::cdb::{Read10, ReadCapacity, ReadTrackInformation, TrackAddressType};
use mmc_core::response::{ReadCapacity as Capacity, ResponseFormat, TrackInformation};
use mmc_core::Transport;

use super::drive_spec::DriveSpec;
use super::CliError;

const TIMEOUT: Duration = Duration::from_secs(60);
const CHUNK: u32 = 32;

pub fn run(out: &Path, drive: Option<&str>, session: Option<u16>) -> Result<(), CliError> {
    let spec = DriveSpec::parse(drive)?;
    let mut open = spec.open()?;
    let result = read_from(open.transport(), out, session);
    open.finish()?;
    let (start, sectors) = result?;
    eprintln!(
        "Read {sectors} sectors ({:.1} MB) from LBA {start} into {}",
        sectors as f64 * 2048.0 / 1e6,
        out.display()
    );
    Ok(())
}

fn drive_err(e: discwriter::Error) -> CliError {
    CliError::Drive(e)
}

fn read_blocks<T: Transport>(
    rec: &mut Recorder<T>,
    lba: u32,
    buf: &mut [u8],
) -> Result<(), CliError> {
    let blocks = u16::try_from(buf.len() / 2048).unwrap_or(u16::MAX);
    let cdb = Read10 {
        dpo: false,
        fua: false,
        lba: i32::try_from(lba).unwrap_or(i32::MAX),
        blocks,
    }
    .encode();
    rec.execute_in(&cdb, buf, TIMEOUT).map_err(drive_err)?;
    Ok(())
}

/// The ISO 9660 volume size in sectors, when sector `start + 16` is a primary volume
/// descriptor (ECMA-119 8.4: type 1, "CD001", volume space size both-endian at 80).
fn iso_volume_sectors<T: Transport>(rec: &mut Recorder<T>, start: u32) -> Option<u32> {
    let mut pvd = [0u8; 2048];
    read_blocks(rec, start + 16, &mut pvd).ok()?;
    if pvd.first() != Some(&1) || pvd.get(1..6) != Some(b"CD001".as_slice()) {
        return None;
    }
    let le = pvd.get(80..84)?;
    Some(u32::from_le_bytes([le[0], le[1], le[2], le[3]]))
}

fn read_from<T: Transport>(
    transport: T,
    out: &Path,
    session: Option<u16>,
) -> Result<(u32, u32), CliError> {
    let mut rec = Recorder::open(transport).map_err(drive_err)?;
    let summary = rec.disc_summary().map_err(drive_err)?;
    let (start, recorded) = match session {
        Some(n) => {
            if n == 0 || n > summary.sessions {
                return Err(CliError::Input(format!(
                    "--session {n}: the disc has {} closed session(s)",
                    summary.sessions
                )));
            }
            let cdb = ReadTrackInformation {
                open: false,
                address_type: TrackAddressType::SessionNumber,
                address: u32::from(n),
                allocation_length: 48,
            }
            .encode();
            let mut buf = [0u8; 48];
            let got = rec.execute_in(&cdb, &mut buf, TIMEOUT).map_err(drive_err)?;
            let t = TrackInformation::parse(buf.get(..got).unwrap_or(&[]))
                .map_err(|e| CliError::Input(format!("the drive's track information: {e}")))?;
            let last = t
                .last_recorded_address
                .unwrap_or(t.track_start + t.track_size.saturating_sub(1));
            (t.track_start, last.saturating_sub(t.track_start) + 1)
        }
        None => {
            let mut buf = [0u8; 8];
            let got = rec
                .execute_in(&ReadCapacity::default().encode(), &mut buf, TIMEOUT)
                .map_err(drive_err)?;
            let c = Capacity::parse(buf.get(..got).unwrap_or(&[]))
                .map_err(|e| CliError::Input(format!("the drive's capacity: {e}")))?;
            (0, c.last_lba.saturating_add(1))
        }
    };
    let sectors = iso_volume_sectors(&mut rec, start)
        .filter(|&v| v > 0 && v <= recorded)
        .unwrap_or(recorded);
    let mut file =
        File::create(out).map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
    let mut buf = vec![0u8; CHUNK as usize * 2048];
    let mut done = 0u32;
    while done < sectors {
        let n = CHUNK.min(sectors - done);
        let part = buf.get_mut(..n as usize * 2048).unwrap_or(&mut []);
        read_blocks(&mut rec, start + done, part)?;
        file.write_all(part)
            .map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
        done += n;
    }
    file.sync_all()
        .map_err(|e| CliError::Input(format!("{}: {e}", out.display())))?;
    Ok((start, sectors))
}
