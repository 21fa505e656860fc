//! The write engine against a hostile drive: every command goes to an emulated drive or gets
//! an answer the input chooses (any status, sense well-formed or not, any data-in, a transport
//! error), or the emulator's answer with its data-in bytes overwritten. `Recorder::open` and
//! `DataWriter::write` of a small image, with options from the input, must return: never a
//! panic, never a loop (the command count is bounded, and every poll advances the drive's
//! virtual clock), and every failure is an [`discwriter::Error`] with an IMAPI code.
#![no_main]

use std::io::Cursor;
use std::time::Duration;

use discwriter::{DataWriter, Recorder, VerificationLevel, WriteOptions};
use libfuzzer_sys::fuzz_target;
use mmc_core::{Completion, DataPhase, ScsiStatus, SenseBytes, Transport, TransportError};
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// More commands than any write of the image takes: an engine still sending after this
/// many loops on the answers it gets.
const MAX_COMMANDS: u64 = 200_000;

struct Hostile {
    drive: EmulatedDrive,
    input: Vec<u8>,
    at: usize,
    commands: u64,
}

impl Hostile {
    fn byte(&mut self) -> Option<u8> {
        let b = self.input.get(self.at).copied();
        self.at += 1;
        b
    }
    fn fill(&mut self, out: &mut [u8]) -> usize {
        let src = self.input.get(self.at..).unwrap_or(&[]);
        let n = src.len().min(out.len());
        out[..n].copy_from_slice(&src[..n]);
        self.at += n;
        n
    }
}

impl Transport for Hostile {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        timeout: Duration,
    ) -> Result<Completion, TransportError> {
        self.commands += 1;
        assert!(
            self.commands < MAX_COMMANDS,
            "the engine sent {} commands (the last {cdb:02X?}): it loops",
            self.commands
        );
        // Once the input is spent the drive answers for itself.
        let Some(choice) = self.byte() else {
            return self.drive.execute(cdb, data, timeout);
        };
        match choice % 8 {
            0..=3 => self.drive.execute(cdb, data, timeout),
            4 => {
                // The drive's answer, its data-in overwritten from the input (from an offset).
                let DataPhase::In(buf) = data else {
                    return self.drive.execute(cdb, data, timeout);
                };
                let done = self.drive.execute(cdb, DataPhase::In(&mut *buf), timeout)?;
                let from = usize::from(self.byte().unwrap_or(0)).min(buf.len());
                let n = usize::from(self.byte().unwrap_or(0));
                let end = (from + n).min(buf.len());
                self.fill(&mut buf[from..end]);
                Ok(done)
            }
            5 => Err(match self.byte().unwrap_or(0) % 4 {
                0 => TransportError::Timeout,
                1 => TransportError::DeviceGone,
                2 => TransportError::Other("fuzz".into()),
                _ => TransportError::Rejected("fuzz".into()),
            }),
            _ => {
                // An answer of the input's own: status, sense, data-in and residual.
                let status = ScsiStatus::from_u8(self.byte().unwrap_or(2));
                let shape = self.byte().unwrap_or(0);
                let mut sense = [0u8; 252];
                let sense_len = if shape & 0x80 != 0 {
                    // Fixed-format sense with the input's key, ASC, ASCQ and sense-key
                    // specific bytes.
                    sense[0] = 0x70;
                    sense[7] = 10;
                    sense[2] = self.byte().unwrap_or(0) & 0x0F;
                    sense[12] = self.byte().unwrap_or(0);
                    sense[13] = self.byte().unwrap_or(0);
                    self.fill(&mut sense[15..18]);
                    18
                } else {
                    let n = usize::from(shape & 0x3F);
                    self.fill(&mut sense[..n])
                };
                let len = data.len();
                let transferred = match data {
                    DataPhase::In(buf) => {
                        let n = usize::from(self.byte().unwrap_or(0)) * 8;
                        let end = n.min(buf.len());
                        self.fill(&mut buf[..end])
                    }
                    _ => len,
                };
                let residual = match self.byte().unwrap_or(0) {
                    0xFF => usize::MAX,
                    0xFE => len + 1,
                    _ => len - transferred,
                };
                Ok(Completion {
                    status,
                    sense: SenseBytes::from_slice(&sense[..sense_len]),
                    residual,
                })
            }
        }
    }

    fn pause(&mut self, d: Duration) {
        self.drive.pause(d);
    }

    fn device_time(&self) -> Option<Duration> {
        self.drive.device_time()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&setup, answers)) = data.split_first() else {
        return;
    };
    let kind = MediumKind::ALL[usize::from(setup) % MediumKind::ALL.len()];
    let drive = EmulatedDrive::with_medium(
        DriveConfig::default(),
        medium::blank(kind, Box::new(MemoryStore::new())),
    );
    let hostile = Hostile {
        drive,
        input: answers.to_vec(),
        at: 0,
        commands: 0,
    };
    let writer = DataWriter::new();
    // Opening the recorder identifies the drive; handing it to the writer reads its features.
    let opened = Recorder::open(hostile).and_then(|r| writer.set_recorder(r));
    if let Err(e) = opened {
        typed(&e);
        return;
    }
    writer.set_client_name("fuzz").expect("a valid client name");
    let options = WriteOptions {
        verification: [
            VerificationLevel::None,
            VerificationLevel::Quick,
            VerificationLevel::Full,
        ][usize::from(setup >> 3) % 3],
        force_media_to_be_closed: setup & 0x20 != 0,
        postgap_already_in_image: setup & 0x40 != 0,
        force_overwrite: setup & 0x80 != 0,
        // Two chunks: the image is small, and a 4 MiB fifo per input would be most of the time.
        fifo_bytes: 128 * 1024,
        ..WriteOptions::default()
    };
    writer.set_options(options).expect("valid options");
    let image = vec![0x5Au8; 16 * 2048];
    let result = writer.write(
        &mut Cursor::new(image.clone()),
        image.len() as u64,
        None,
        &mut |_, _| {},
    );
    match result {
        Ok(outcome) => {
            let _ = outcome.code.hresult();
        }
        Err(e) => typed(&e),
    }
});

/// A failure carries an IMAPI code (a failure HRESULT) and a name for it.
fn typed(e: &discwriter::Error) {
    assert!(
        e.hresult() & 0x8000_0000 != 0,
        "a failure without a failure code: {e:?}"
    );
    assert!(!e.imapi_name().is_empty(), "{e:?}");
    let _ = (e.to_string(), e.cause());
}
