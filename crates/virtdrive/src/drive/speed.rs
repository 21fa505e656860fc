//! Speeds and the drive buffer: GET PERFORMANCE, SET STREAMING, SET CD SPEED, READ BUFFER
//! CAPACITY, SEND OPC INFORMATION, and the model that turns writes into virtual time.
//!
//! The drive records from its buffer at the selected write speed. A WRITE completes as soon
//! as its data fits in the buffer (the clock advances while the buffer drains to make room);
//! SYNCHRONIZE CACHE completes when the buffer is empty. A host that leaves the buffer empty
//! mid-track causes a buffer underrun: harmless with buffer-underrun-free recording (BUFE),
//! 03/0C/09 LOSS OF STREAMING on a CD without it.

use core::time::Duration;

use mmc_core::cdb::TrackAddressType;
use mmc_core::cdb::{
    CdRotationalControl, GetPerformance, PerformanceType, ReadBufferCapacity, SendOpcInformation,
    SetCdSpeed, SetStreaming, StreamingType,
};
use mmc_core::params::{PerformanceDescriptor, RotationControl};
use mmc_core::response::capacity::CapacityDescriptorType;
use mmc_core::response::performance::{
    NominalPerformance, PerformanceDescriptor as NominalDescriptor, PerformanceList,
    WriteSpeedDescriptor, WriteSpeeds,
};
use mmc_core::response::{BufferCapacity, ResponseFormat};
use mmc_core::sense::triples;
use mmc_core::DataPhase;

use super::mode::data_out;
use super::{EmulatedDrive, Failure, Reply};
use crate::clock::VirtualTime;
use crate::medium::Medium;

/// The speeds in use, in kB/s (k = 1000, as MMC counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpeedSetting {
    pub write_kbps: u32,
    pub read_kbps: u32,
    /// Pure CAV rotation was selected (SET CD SPEED rotational control 01b, or SET STREAMING
    /// with WRC = CAV).
    pub pure_cav: bool,
}

pub(crate) type SpeedState = SpeedSetting;

impl SpeedSetting {
    /// The fastest speeds the medium supports (what a drive selects after a disc change).
    pub(crate) fn select_fastest(&mut self, medium: Option<&dyn Medium>) {
        if let Some(m) = medium {
            self.write_kbps = m.write_speeds().first().copied().unwrap_or(0);
            self.read_kbps = m.read_speed();
        }
    }

    /// The fastest supported speed not above `requested` (the slowest when all are faster):
    /// drives round a request down to a speed the disc supports.
    fn nearest(requested: u32, supported: &[u32]) -> Option<u32> {
        supported
            .iter()
            .copied()
            .filter(|&s| s <= requested)
            .max()
            .or_else(|| supported.iter().copied().min())
    }
}

/// The drive's write buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BufferModel {
    capacity: u64,
    fill: u64,
    last: VirtualTime,
    /// A track is being streamed: from its first WRITE to SYNCHRONIZE CACHE.
    streaming: bool,
    /// The buffer ran empty while streaming.
    ran_dry: bool,
    /// What the buffer holds is recorded with verify-after-write (defect management without
    /// the Streaming bit): at half the write speed, while draining as while waiting for room.
    pub(crate) verifying: bool,
    /// The last WRITE had the Streaming bit (WRITE(12)): the host streams past defect
    /// management until a WRITE without it.
    pub(crate) streamed: bool,
}

impl BufferModel {
    pub(crate) fn new(capacity: u32) -> Self {
        BufferModel {
            capacity: u64::from(capacity.max(64 * 1024)),
            fill: 0,
            last: VirtualTime::ZERO,
            streaming: false,
            ran_dry: false,
            verifying: false,
            streamed: false,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.fill = 0;
        self.streaming = false;
        self.ran_dry = false;
        self.verifying = false;
        self.streamed = false;
    }

    pub(crate) fn is_streaming(&self) -> bool {
        self.streaming
    }

    pub(crate) fn fill(&self) -> u64 {
        self.fill
    }

    pub(crate) fn capacity(&self) -> u64 {
        self.capacity
    }

    fn bytes_in(d: Duration, kbps: u32) -> u64 {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        us.saturating_mul(u64::from(kbps)) / 1000
    }

    fn time_for(bytes: u64, kbps: u32) -> Duration {
        if kbps == 0 {
            return Duration::ZERO;
        }
        Duration::from_micros(bytes.saturating_mul(1000) / u64::from(kbps))
    }

    /// Records from the buffer up to `now`.
    pub(crate) fn drain_until(&mut self, now: VirtualTime, kbps: u32) {
        if now <= self.last {
            return;
        }
        let drained = Self::bytes_in(now.since(self.last), kbps);
        if self.streaming && drained > self.fill {
            self.ran_dry = true;
        }
        self.fill = self.fill.saturating_sub(drained);
        self.last = now;
    }

    /// Takes and clears the underrun flag.
    pub(crate) fn take_underrun(&mut self) -> bool {
        std::mem::replace(&mut self.ran_dry, false)
    }

    /// Accepts `bytes` of a WRITE; returns how long the host waits for room.
    pub(crate) fn accept(&mut self, bytes: u64, kbps: u32) -> Duration {
        self.streaming = true;
        self.fill = self.fill.saturating_add(bytes);
        let excess = self.fill.saturating_sub(self.capacity);
        let wait = Self::time_for(excess, kbps);
        self.fill = self.fill.min(self.capacity);
        self.last = self.last.after(wait);
        wait
    }

    /// SYNCHRONIZE CACHE: the time until the buffer is empty; the stream ends.
    pub(crate) fn flush(&mut self, kbps: u32) -> Duration {
        let t = Self::time_for(self.fill, kbps);
        self.streaming = false;
        self.ran_dry = false;
        t
    }

    /// The time to record half of what the buffer holds at `kbps`.
    fn half_time(&self, kbps: u32) -> Duration {
        Self::time_for(self.fill / 2, kbps)
    }

    /// The buffer is empty after a flush that took `t` (the drive recorded it all).
    pub(crate) fn flushed_at(&mut self, at: VirtualTime) {
        self.fill = 0;
        self.last = self.last.max(at);
    }
}

impl EmulatedDrive {
    /// Bytes of user data a second, in thousands, that the drive moves at `kbps`. CD speeds
    /// count whole 2,352-byte frames (1x = 176.4 kB/s = 75 frames a second),
    /// each of which carries one 2,048-byte sector; DVD and BD speeds count user data.
    /// Without this a CD at 4x would record 345 sectors a second instead of 300.
    pub(crate) fn user_data_kbps(&self, kbps: u32) -> u32 {
        match self.disc.as_ref() {
            Some(d) if d.medium.profile().is_cd() => {
                u32::try_from(u64::from(kbps) * 2048 / 2352).unwrap_or(u32::MAX)
            }
            _ => kbps,
        }
    }

    /// The rate the buffer is recorded at, in kB/s of user data: the write speed, halved
    /// while the drive verifies after writing (BD-RE with spare areas).
    pub(crate) fn recording_kbps(&self) -> u32 {
        let kbps = self.user_data_kbps(self.speed.write_kbps);
        if self.buffer.verifying {
            kbps / 2
        } else {
            kbps
        }
    }

    /// The write speed the drive delivers, in kB/s as it reports speeds (MODE SENSE page
    /// 2Ah's current write speed, GET PERFORMANCE's write performance): the selected speed,
    /// halved while the disc is under defect management and the host does not stream
    /// (verify-after-write; libburn's cookbook, "DVD-RAM and BD-RE tuning"). The write speeds
    /// the disc supports (GET PERFORMANCE type 03h, page 2Ah's descriptors) stay as they are:
    /// they are what the host can select.
    pub(crate) fn delivered_write_kbps(&self) -> u32 {
        let managed = self
            .disc
            .as_ref()
            .is_some_and(|d| d.medium.defect_management_active());
        if managed && !self.buffer.streamed {
            self.speed.write_kbps / 2
        } else {
            self.speed.write_kbps
        }
    }

    /// The time the drive takes to record half of what its buffer holds (zero when it is
    /// empty): a served drive's accelerated clock lets it pass after each READ BUFFER
    /// CAPACITY, the poll of a host waiting for room. Half, never all: a buffer that ran empty
    /// mid-track would be an underrun.
    pub fn half_buffer_time(&self) -> Duration {
        self.buffer.half_time(self.recording_kbps())
    }

    /// The speeds selected now.
    pub fn speed_setting(&self) -> SpeedSetting {
        self.speed
    }

    fn supported_write_speeds(&self) -> Vec<u32> {
        self.disc
            .as_ref()
            .map(|d| d.medium.write_speeds())
            .unwrap_or_default()
    }

    /// The last LBA of the disc for the End LBA of the performance descriptors: what the disc
    /// can hold (End LBA = capacity - 1, MMC-6 GET PERFORMANCE), not what is recorded so far, which on a
    /// blank disc READ CAPACITY gives as 0. The furthest of the recorded area, the end of the
    /// writable area behind the next writable address (track FFh), and the current or
    /// maximum formattable capacity.
    fn capacity_last_lba(&self) -> u32 {
        let Some(m) = self.disc.as_ref().map(|d| d.medium.as_ref()) else {
            return 0;
        };
        let recorded = m.read_capacity().map(|c| u64::from(c.last_lba)).ok();
        let writable = m
            .track_information(TrackAddressType::TrackNumber, 0xFF)
            .ok()
            .and_then(|t| t.next_writable_address.zip(Some(t.free_blocks)))
            .filter(|&(_, free)| free > 0)
            .map(|(nwa, free)| u64::from(nwa) + u64::from(free) - 1);
        let current = m.format_capacities().current;
        let formattable = (current.descriptor_type != CapacityDescriptorType::NoMedia)
            .then(|| u64::from(current.blocks).checked_sub(1))
            .flatten();
        [recorded, writable, formattable]
            .into_iter()
            .flatten()
            .max()
            .and_then(|l| u32::try_from(l).ok())
            .unwrap_or(0)
    }

    /// GET PERFORMANCE (MMC-6 6.8). The Performance Data Length gives every descriptor the
    /// drive has (6.8.2.1: the data available), however many the host asked for; only the
    /// transfer stops after the Maximum Number of Descriptors. Hosts size their buffer from
    /// it: libburn asks with 0 first, growisofs and dvd+rw-mediainfo with 1.
    ///
    /// - Type 03h: one Write Speed descriptor per write speed of the disc, fastest first, each
    ///   with the End LBA of the disc and its read speed.
    /// - Type 00h, Except 00b: the nominal performance of the whole disc at the speed in
    ///   effect, read or write as the Write bit asks (one descriptor: the drive records and
    ///   reads CLV; writing under defect management at half the speed,
    ///   [`Self::delivered_write_kbps`]); other Except values: no exception areas.
    pub(super) fn get_performance(&self, cdb: GetPerformance) -> Result<Reply, Failure> {
        const HEADER: usize = 8;
        const DESCRIPTOR: usize = 16;
        let end_lba = self.capacity_last_lba();
        let mut bytes = match cdb.performance_type {
            PerformanceType::WriteSpeed => {
                let read_speed = self
                    .disc
                    .as_ref()
                    .map_or(self.speed.read_kbps, |d| d.medium.read_speed());
                WriteSpeeds {
                    descriptors: self
                        .supported_write_speeds()
                        .iter()
                        .map(|&w| WriteSpeedDescriptor {
                            wrc: 0,
                            rdd: false,
                            exact: false,
                            mrw: false,
                            end_lba,
                            read_speed,
                            write_speed: w,
                        })
                        .collect(),
                    cut_bytes: 0,
                }
                .to_bytes()
            }
            PerformanceType::Performance => {
                let write = cdb.data_type & 0x04 != 0;
                let except = cdb.data_type & 0x03;
                let speed = if write {
                    self.delivered_write_kbps()
                } else {
                    self.speed.read_kbps
                };
                let descriptors = if except == 0 {
                    PerformanceList::Nominal(vec![NominalDescriptor {
                        start_lba: 0,
                        start_performance: speed,
                        end_lba,
                        end_performance: speed,
                    }])
                } else {
                    // No exception areas on an emulated disc.
                    PerformanceList::Exceptions(Vec::new())
                };
                NominalPerformance {
                    write,
                    descriptors,
                    cut_bytes: 0,
                }
                .to_bytes()
            }
            _ => return Err(Failure::invalid_cdb_field(10, None)),
        };
        bytes.truncate(HEADER + usize::from(cdb.max_descriptors) * DESCRIPTOR);
        Ok(Reply::Data(bytes))
    }

    fn select_write_speed(&mut self, requested: u32, pure_cav: bool) {
        let supported = self.supported_write_speeds();
        if let Some(s) = SpeedSetting::nearest(requested, &supported) {
            self.speed.write_kbps = s;
        }
        // The emulated drive records CLV (or zoned CLV) only: pure CAV is not granted, which
        // hosts see as "rotation adjusted".
        let _ = pure_cav;
        self.speed.pure_cav = false;
    }

    pub(super) fn set_streaming(
        &mut self,
        cdb: SetStreaming,
        data: &DataPhase<'_>,
    ) -> Result<Reply, Failure> {
        if cdb.streaming_type != StreamingType::Performance {
            return Err(Failure::invalid_cdb_field(8, None));
        }
        let list = data_out(data, usize::from(cdb.parameter_list_length))?;
        let descriptor = PerformanceDescriptor::parse(list).map_err(|e| {
            let (triple, sks) = e.sense();
            Failure {
                triple,
                sks,
                information: None,
            }
        })?;
        if descriptor.restore_defaults {
            self.speed
                .select_fastest(self.disc.as_ref().map(|d| d.medium.as_ref()));
            return Ok(Reply::Done);
        }
        if let Some(w) = descriptor.write_kbps() {
            let w = u32::try_from(w).unwrap_or(u32::MAX);
            self.select_write_speed(w, descriptor.rotation_control == RotationControl::Cav);
        }
        Ok(Reply::Done)
    }

    pub(super) fn set_cd_speed(&mut self, cdb: SetCdSpeed) -> Result<Reply, Failure> {
        let requested = if cdb.write_speed == u16::MAX {
            u32::MAX
        } else {
            u32::from(cdb.write_speed)
        };
        self.select_write_speed(
            requested,
            cdb.rotational_control == CdRotationalControl::PureCav,
        );
        if cdb.read_speed != 0 {
            if let Some(d) = self.disc.as_ref() {
                let max = d.medium.read_speed();
                self.speed.read_kbps = u32::from(cdb.read_speed).min(max);
            }
        }
        Ok(Reply::Done)
    }

    pub(super) fn read_buffer_capacity(&self, cdb: ReadBufferCapacity) -> Reply {
        let free = self.buffer.capacity().saturating_sub(self.buffer.fill());
        let data = if cdb.block {
            BufferCapacity::Blocks {
                available_blocks: u32::try_from(free / 2048).unwrap_or(u32::MAX),
            }
        } else {
            BufferCapacity::Bytes {
                buffer_length: u32::try_from(self.buffer.capacity()).unwrap_or(u32::MAX),
                blank_length: u32::try_from(free).unwrap_or(u32::MAX),
            }
        };
        let mut bytes = data.to_bytes();
        bytes.truncate(usize::from(cdb.allocation_length));
        Reply::Data(bytes)
    }

    /// Power calibration fails when the selected speed is faster than the disc allows.
    pub(crate) fn calibration_ok(&self) -> Result<(), Failure> {
        match self.disc.as_ref().and_then(|d| d.max_calibrated_speed) {
            Some(max) if self.speed.write_kbps > max => {
                Err(Failure::sense(triples::POWER_CALIBRATION_AREA_ERROR))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn send_opc_information(
        &mut self,
        cdb: SendOpcInformation,
    ) -> Result<Reply, Failure> {
        if cdb.do_opc {
            // Calibration takes a moment on the disc's power calibration area.
            self.now = self.now.after(Duration::from_millis(500));
            self.calibration_ok()?;
        }
        Ok(Reply::Done)
    }
}
