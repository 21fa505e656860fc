//! GET EVENT STATUS NOTIFICATION data (MMC-6 6.7.2): a 4-byte header and at most one event
//! descriptor. The media class is decoded; other classes are kept raw.

use serde::{Deserialize, Serialize};

use super::{bit, fixed, flag, frame, len_u16, put_bits, put_fixed, wire_enum, ResponseFormat};
use crate::layout::fixed_layout;
use crate::wire::{ParseError, Writer};

wire_enum! {
    /// Notification class (header byte 2 bits 2-0).
    pub enum NotificationClass: u8 as from_u8 / to_u8 {
        /// 000b: none of the requested classes is supported (or no event).
        NoRequestedClass = 0 => "no requested class",
        OperationalChange = 1 => "operational change",
        PowerManagement = 2 => "power management",
        ExternalRequest = 3 => "external request",
        Media = 4 => "media",
        MultiHost = 5 => "multi-host",
        DeviceBusy = 6 => "device busy",
    }
}

wire_enum! {
    /// Media event code (media descriptor byte 4 bits 3-0).
    pub enum MediaEventCode: u8 as from_u8 / to_u8 {
        NoChange = 0 => "no change",
        /// The user pressed the eject button (the host decides).
        EjectRequest = 1 => "eject request",
        NewMedia = 2 => "new media",
        MediaRemoval = 3 => "media removal",
        /// The medium was changed by the user.
        MediaChanged = 4 => "media changed",
        BgFormatCompleted = 5 => "background format completed",
        BgFormatRestarted = 6 => "background format restarted",
    }
}

fixed_layout! {
    /// The media class event descriptor (4 bytes; byte numbers are the response's, the
    /// descriptor starts at byte 4).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub struct MediaEvent, base 4 {
        /// Byte 4 bits 3-0.
        pub event: MediaEventCode = code(4, 0, 4),
        /// Byte 5 bit 1.
        pub media_present: bool = flag(5, 1),
        /// Byte 5 bit 0: the tray (door) is open.
        pub tray_open: bool = flag(5, 0),
        /// Byte 6.
        pub start_slot: u8 = be(6),
        /// Byte 7.
        pub end_slot: u8 = be(7),
    }
}

/// The event descriptor following the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventDescriptor {
    Media(MediaEvent),
    /// Another class, kept raw.
    Other(Vec<u8>),
}

/// GET EVENT STATUS NOTIFICATION data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStatus {
    /// NEA: no event available (of the requested classes); no descriptor follows.
    pub no_event_available: bool,
    pub notification_class: NotificationClass,
    /// Byte 3: bit n set when class n is supported.
    pub supported_event_classes: u8,
    pub descriptor: Option<EventDescriptor>,
    pub cut_bytes: usize,
}

const HEADER_LEN: usize = 4;
const MEDIA_DESCRIPTOR_LEN: usize = 4;

impl ResponseFormat for EventStatus {
    const NAME: &'static str = "GET EVENT STATUS NOTIFICATION data";

    fn parse(bytes: &[u8]) -> Result<Self, ParseError> {
        let what = Self::NAME;
        let [l0, l1, b2, b3] = fixed(bytes, what, "event header")?;
        let len = u16::from_be_bytes([l0, l1]) as usize;
        let nea = bit(b2, 7);
        let class = NotificationClass::from_u8(b2 & 0x07);
        let is_media = !nea && class == NotificationClass::Media;
        let fixed_len = HEADER_LEN + if is_media { MEDIA_DESCRIPTOR_LEN } else { 0 };
        let f = frame(
            bytes,
            what,
            "event descriptor length",
            len,
            len + 2,
            fixed_len,
        )?;
        let body = f.bytes.get(HEADER_LEN..).unwrap_or(&[]);
        let descriptor = if nea {
            None
        } else if is_media {
            let d: [u8; MEDIA_DESCRIPTOR_LEN] = fixed(body, what, "media event descriptor")?;
            Some(EventDescriptor::Media(MediaEvent::read_fields(&d)))
        } else if body.is_empty() {
            None
        } else {
            Some(EventDescriptor::Other(body.to_vec()))
        };
        Ok(EventStatus {
            no_event_available: nea,
            notification_class: class,
            supported_event_classes: b3,
            descriptor,
            cut_bytes: f.cut,
        })
    }

    fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match &self.descriptor {
                None => 0,
                Some(EventDescriptor::Media(_)) => MEDIA_DESCRIPTOR_LEN,
                Some(EventDescriptor::Other(d)) => d.len().min(0xFFFF - 2),
            }
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u16(len_u16(self.buffer_len() - 2));
        w.u8(flag(self.no_event_available, 7) | put_bits(self.notification_class.to_u8(), 0, 3));
        w.u8(self.supported_event_classes);
        match &self.descriptor {
            None => {}
            Some(EventDescriptor::Media(m)) => {
                put_fixed::<MEDIA_DESCRIPTOR_LEN>(w, |d| m.write_fields(d));
            }
            Some(EventDescriptor::Other(d)) => {
                w.put(d.get(..self.buffer_len() - HEADER_LEN).unwrap_or(&[]));
            }
        }
    }
}
