//! Identification and status: INQUIRY, REQUEST SENSE, GET EVENT STATUS NOTIFICATION,
//! MECHANISM STATUS, START STOP UNIT.

use mmc_core::cdb::{
    GetEventStatusNotification, Inquiry, MediumAction, RequestSense, StartStopUnit,
};
use mmc_core::response::event_status::{
    EventDescriptor, EventStatus, MediaEvent, MediaEventCode, NotificationClass,
};
use mmc_core::response::mechanism::{ChangerState, MechanismState};
use mmc_core::response::{MechanismStatus, ResponseFormat, StandardInquiry};
use mmc_core::sense::{triples, SenseBuilder, SenseFormat};

use super::{EmulatedDrive, Failure, Reply};

/// Bit 4 of the notification class request: the media class (MMC-6 6.7).
const MEDIA_CLASS: u8 = 1 << 4;

impl EmulatedDrive {
    pub(super) fn inquiry(&self, cdb: Inquiry) -> Result<Reply, Failure> {
        if cdb.vpd_page.is_some() {
            // No vital product data pages: the page code is an invalid field.
            return Err(Failure::invalid_cdb_field(2, None));
        }
        let id = &self.config.identity;
        let mut bytes =
            StandardInquiry::mmc_drive(&id.vendor, &id.product, &id.revision).to_bytes();
        bytes.truncate(usize::from(cdb.allocation_length));
        Ok(Reply::Data(bytes))
    }

    /// SPC-4 6.39: a pending unit attention is reported (and cleared); otherwise, with the
    /// sense already delivered by autosense, the drive's current condition: why it is not
    /// ready (with progress), or NO SENSE. Hosts poll this for progress.
    pub(super) fn request_sense(&mut self, cdb: RequestSense) -> Reply {
        let failure = match self.unit_attention.take() {
            Some(ua) => Some(Failure::sense(ua)),
            None => self.readiness_sense(),
        };
        let mut b = SenseBuilder::new(failure.map_or(triples::NO_SENSE, |f| f.triple));
        if let Some(sks) = failure.and_then(|f| f.sks) {
            b = b.sense_key_specific(sks);
        }
        let format = if cdb.descriptor_format {
            SenseFormat::Descriptor
        } else {
            SenseFormat::Fixed
        };
        let mut bytes = b.build(format).to_vec();
        bytes.truncate(usize::from(cdb.allocation_length));
        Reply::Data(bytes)
    }

    /// MMC-6 6.7: only polled operation is supported (Polled = 0 is 05/24/00 on byte 1 bit 0);
    /// the media class reports one pending event, then "no change".
    pub(super) fn event_status(
        &mut self,
        cdb: GetEventStatusNotification,
    ) -> Result<Reply, Failure> {
        if !cdb.polled {
            return Err(Failure::invalid_cdb_field(1, Some(0)));
        }
        let supported = MEDIA_CLASS;
        let status = if cdb.class_request & MEDIA_CLASS == 0 {
            EventStatus {
                no_event_available: true,
                notification_class: NotificationClass::NoRequestedClass,
                supported_event_classes: supported,
                descriptor: None,
                cut_bytes: 0,
            }
        } else {
            let event = self.media_event.take().unwrap_or(MediaEventCode::NoChange);
            EventStatus {
                no_event_available: false,
                notification_class: NotificationClass::Media,
                supported_event_classes: supported,
                descriptor: Some(EventDescriptor::Media(MediaEvent {
                    event,
                    media_present: self.disc.is_some() && !self.tray_open,
                    tray_open: self.tray_open,
                    start_slot: 0,
                    end_slot: 0,
                })),
                cut_bytes: 0,
            }
        };
        let mut bytes = status.to_bytes();
        bytes.truncate(usize::from(cdb.allocation_length));
        Ok(Reply::Data(bytes))
    }

    pub(super) fn mechanism_status(&self) -> Reply {
        let busy = self.long_operation.is_some();
        let status = MechanismStatus {
            fault: false,
            changer_state: ChangerState::Ready,
            current_slot: 0,
            mechanism_state: if busy {
                MechanismState::HostActive
            } else {
                MechanismState::Idle
            },
            door_open: self.tray_open,
            current_lba: 0,
            number_of_slots: 0,
            slots: Vec::new(),
            cut_bytes: 0,
        };
        Reply::Data(status.to_bytes())
    }

    /// Load and eject move the tray; eject is refused while removal is prevented (SPC-4:
    /// 05/53/02 MEDIUM REMOVAL PREVENTED).
    pub(super) fn start_stop_unit(&mut self, cdb: StartStopUnit) -> Result<Reply, Failure> {
        match cdb.action() {
            Some(MediumAction::Eject) => {
                if self.prevent_removal {
                    return Err(Failure::sense(triples::MEDIUM_REMOVAL_PREVENTED));
                }
                if let Some(op) = self.long_operation {
                    return Err(Failure::progress(op.sense, op.progress(self.now)));
                }
                self.tray_open = true;
                // MMC-6 6.40: LoEj; the disc leaves the spindle, and the buffer's copy of it
                // is not trusted again.
                self.read_cache.drop_all();
                if self.disc.is_some() {
                    self.media_event = Some(MediaEventCode::MediaRemoval);
                }
                Ok(Reply::Done)
            }
            Some(MediumAction::Load) => {
                // A load reads the disc afresh (MMC-6 6.40), even with the tray closed.
                self.read_cache.drop_all();
                self.close_tray();
                if self.disc.is_some() {
                    self.media_event = Some(MediaEventCode::NewMedia);
                }
                Ok(Reply::Done)
            }
            // Spinning up or down has no visible effect on the model; a stop with the tray
            // open, or a start without a disc, is what TEST UNIT READY will report.
            Some(MediumAction::Start) | Some(MediumAction::Stop) | None => Ok(Reply::Done),
        }
    }
}
