//! The write speed on the drive: SetWriteSpeed and the speed step of a write both send SET
//! CD SPEED (CD, MMC-6 6.37) or SET STREAMING (DVD and BD, MMC-6 6.39), then read back what
//! the drive selected from the capabilities page (2Ah, MMC-3 6.3.11) and say whether it
//! adjusted the request.

use mmc_core::{ImapiCode, Profile, Transport};

use super::plan::{MediumClass, SpeedSetting};
use super::{properties, SpeedRequest};
use crate::error::Error;
use crate::recorder::Recorder;

/// Sends `setting`; returns the write speed (kB/s) and pure-CAV rotation the drive reports
/// having selected, when it reports them.
pub(crate) fn apply<T: Transport>(
    rec: &mut Recorder<T>,
    setting: &SpeedSetting,
) -> Result<Option<(u32, bool)>, Error> {
    rec.set_speed(setting.cd, setting.kbps, setting.pure_cav, setting.end_lba)?;
    properties::current_write_speed(rec)
}

/// SetWriteSpeed's drive side: `request` set on the disc in the drive now, and S_OK or the
/// code that says what the drive adjusted. With no disc, or a disc this writer does not
/// record, nothing is sent and the answer is S_OK: a drive's write speeds are those of the
/// disc it holds (GET PERFORMANCE type 03h, MMC-6 6.8.5), so there is nothing to set them
/// for yet; the write sets the request again on the disc it records.
pub(crate) fn set_on_drive<T: Transport>(
    rec: &mut Recorder<T>,
    request: SpeedRequest,
) -> Result<ImapiCode, Error> {
    let disc = match rec.disc_summary() {
        Ok(disc) => disc,
        Err(Error::NoMedia { .. }) => return Ok(ImapiCode::Ok),
        Err(e) => return Err(e),
    };
    if MediumClass::of(Profile::from_u16(disc.profile_code)).is_none() {
        return Ok(ImapiCode::Ok);
    }
    let setting = SpeedSetting::new(&disc, request);
    let current = apply(rec, &setting)?;
    Ok(setting.outcome_code(current))
}
