//! One valid example of every format (fuzz seeds) and a table of every parser, so that one
//! fuzz target can drive them all.

use super::buffer_capacity::BufferCapacity;
use super::capabilities::{CapabilitiesPage, WriteSpeedDescriptor2A, WriteSpeedReport};
use super::capacity::{
    CapacityData, CapacityDescriptorType, CurrentCapacity, FormatCapacities, FormatType,
    FormattableCapacity,
};
use super::configuration::{Configuration, Feature};
use super::disc_info::{DiscInformation, OpcTableEntry};
use super::disc_structure::{BookType, DvdPhysicalFormat, WriteProtectionStatus};
use super::event_status::{
    EventDescriptor, EventStatus, MediaEvent, MediaEventCode, NotificationClass,
};
use super::features::{
    BdWrite, Core, ProfileDescriptor, ProfileList, RandomWritable, RealTimeStreaming,
};
use super::inquiry::StandardInquiry;
use super::mechanism::{ChangerState, MechanismState, MechanismStatus, SlotEntry};
use super::msf::Msf;
use super::performance::{
    NominalPerformance, PerformanceDescriptor, PerformanceList, WriteSpeedDescriptor, WriteSpeeds,
};
use super::toc::{FormattedToc, MultiSessionInfo, RawToc, RawTocEntry, TocPoint, TrackDescriptor};
use super::track_info::TrackInformation;
use super::ResponseFormat;
use crate::params::mode::{ModePage, ModeParameters};
use crate::params::write_parameters::{MultiSession, WriteParameters};
use crate::profile::Profile;
use crate::wire::ParseError;

/// A parser reduced to its verdict.
pub type ParserFn = fn(&[u8]) -> Result<(), ParseError>;

fn run<T: ResponseFormat>(bytes: &[u8]) -> Result<(), ParseError> {
    T::parse(bytes).map(|_| ())
}

fn run_mode_select(bytes: &[u8]) -> Result<(), ParseError> {
    ModeParameters::parse_select(bytes).map(|_| ())
}

const PARSERS: &[(&str, ParserFn)] = &[
    ("inquiry", run::<StandardInquiry>),
    ("configuration", run::<Configuration>),
    ("feature", run::<Feature>),
    ("disc_information", run::<DiscInformation>),
    ("track_information", run::<TrackInformation>),
    ("mode_sense", run::<ModeParameters>),
    ("mode_select", run_mode_select),
    ("read_capacity", run::<CapacityData>),
    ("format_capacities", run::<FormatCapacities>),
    ("performance", run::<NominalPerformance>),
    ("write_speeds", run::<WriteSpeeds>),
    ("event_status", run::<EventStatus>),
    ("toc", run::<FormattedToc>),
    ("multi_session", run::<MultiSessionInfo>),
    ("raw_toc", run::<RawToc>),
    ("buffer_capacity", run::<BufferCapacity>),
    ("mechanism_status", run::<MechanismStatus>),
    ("dvd_physical_format", run::<DvdPhysicalFormat>),
    ("write_protection_status", run::<WriteProtectionStatus>),
];

/// Every parser of this module, by name.
pub fn parsers() -> &'static [(&'static str, ParserFn)] {
    PARSERS
}

/// Runs the parser named `kind` on `bytes`; `None` when no parser has that name.
pub fn parse_any(kind: &str, bytes: &[u8]) -> Option<Result<(), ParseError>> {
    PARSERS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, parse)| parse(bytes))
}

/// One valid encoded example of every format, with the name of its parser in [`parsers`].
#[doc(hidden)]
pub fn sample_responses() -> Vec<(&'static str, Vec<u8>)> {
    let configuration = Configuration {
        current_profile: Profile::BdRe,
        features: vec![
            Feature::new(
                ProfileList {
                    profiles: vec![
                        ProfileDescriptor {
                            profile: Profile::BdRe,
                            current: true,
                        },
                        ProfileDescriptor {
                            profile: Profile::BdRom,
                            current: false,
                        },
                        ProfileDescriptor {
                            profile: Profile::DvdPlusRw,
                            current: false,
                        },
                    ],
                },
                0,
                true,
                true,
            ),
            Feature::new(
                Core {
                    physical_interface: 7,
                    inq2: true,
                    device_busy_event: true,
                },
                2,
                true,
                true,
            ),
            Feature::new(
                RandomWritable {
                    last_lba: 11_826_175,
                    logical_block_size: 2048,
                    blocking: 32,
                    page_present: true,
                },
                1,
                false,
                true,
            ),
            Feature::new(
                BdWrite {
                    svnr: true,
                    bd_re: [0x0006, 0, 0, 0],
                    bd_r: [0x0002, 0, 0, 0],
                },
                2,
                false,
                true,
            ),
            Feature::new(
                RealTimeStreaming {
                    smp: false,
                    rbcb: true,
                    scs: true,
                    mp2a: true,
                    wspd: true,
                    sw: true,
                },
                5,
                false,
                true,
            ),
        ],
        cut_bytes: 0,
    };
    let single_feature = configuration
        .features
        .first()
        .map(ResponseFormat::to_bytes)
        .unwrap_or_default();
    let mut disc_info = DiscInformation::blank(false);
    disc_info.last_possible_lead_out_start = Msf::new(79, 59, 74).to_address_field();
    disc_info.opc_tables.push(OpcTableEntry {
        speed: 7056,
        opc_values: [1, 2, 3, 4, 5, 6],
    });
    let track_info = TrackInformation {
        track_number: 1,
        session_number: 1,
        layer_jump_recording_status: 0,
        damage: false,
        copy: false,
        track_mode: 4,
        reserved_track: false,
        blank: true,
        packet: false,
        fixed_packet: false,
        data_mode: 1,
        track_start: 0,
        next_writable_address: Some(0),
        free_blocks: 359_847,
        fixed_packet_size: 0,
        track_size: 359_847,
        last_recorded_address: None,
        read_compatibility_lba: Some(0),
        next_layer_jump_address: Some(0),
        last_layer_jump_address: Some(0),
        cut_bytes: 0,
    };
    let caps = CapabilitiesPage {
        cd_r_read: true,
        cd_rw_read: true,
        cd_r_write: true,
        cd_rw_write: true,
        test_write: true,
        buf: true,
        multi_session: true,
        loading_mechanism: 1,
        eject: true,
        lock: true,
        buffer_size: 2048,
        max_write_speed: 8467,
        current_write_speed: Some(8467),
        copy_management_revision: Some(1),
        write_speeds: Some(WriteSpeedReport {
            rotation_control_selected: 0,
            current_write_speed_selected: 8467,
            descriptors: vec![
                WriteSpeedDescriptor2A {
                    rotation_control: 1,
                    write_speed: 8467,
                },
                WriteSpeedDescriptor2A {
                    rotation_control: 0,
                    write_speed: 4234,
                },
            ],
        }),
        ..CapabilitiesPage::default()
    };
    let mode_sense = ModeParameters {
        medium_type: 0,
        device_specific: 0,
        long_lba: false,
        block_descriptors: Vec::new(),
        pages: vec![
            ModePage::WriteParameters(WriteParameters::cd_tao_mode1(
                MultiSession::NextSessionAllowed,
            )),
            ModePage::Capabilities(caps),
        ],
        cut_bytes: 0,
    };
    let mode_select = ModeParameters::with_page(ModePage::WriteParameters(
        WriteParameters::cd_tao_mode1(MultiSession::NoNextSession),
    ))
    .select_bytes();
    let format_capacities = FormatCapacities {
        current: CurrentCapacity {
            blocks: 12_219_392,
            descriptor_type: CapacityDescriptorType::Unformatted,
            block_length: 2048,
        },
        formattable: vec![
            FormattableCapacity {
                blocks: 11_826_176,
                format_type: FormatType::FullFormat,
                type_dependent: 0x3000,
            },
            FormattableCapacity {
                blocks: 11_826_176,
                format_type: FormatType::BdReWithSpareAreas,
                type_dependent: 0x3000,
            },
            FormattableCapacity {
                blocks: 12_219_392,
                format_type: FormatType::BdReWithoutSpareAreas,
                type_dependent: 0x800,
            },
        ],
        cut_bytes: 0,
    };
    let performance = NominalPerformance {
        write: true,
        descriptors: PerformanceList::Nominal(vec![PerformanceDescriptor {
            start_lba: 0,
            start_performance: 4495,
            end_lba: 12_219_391,
            end_performance: 8990,
        }]),
        cut_bytes: 0,
    };
    let write_speeds = WriteSpeeds {
        descriptors: vec![WriteSpeedDescriptor {
            wrc: 0,
            rdd: false,
            exact: true,
            mrw: false,
            end_lba: 2_295_103,
            read_speed: 11_080,
            write_speed: 11_080,
        }],
        cut_bytes: 0,
    };
    let event = EventStatus {
        no_event_available: false,
        notification_class: NotificationClass::Media,
        supported_event_classes: 0x5E,
        descriptor: Some(EventDescriptor::Media(MediaEvent {
            event: MediaEventCode::NewMedia,
            media_present: true,
            tray_open: false,
            start_slot: 0,
            end_slot: 0,
        })),
        cut_bytes: 0,
    };
    let data_track = |n: u8, address: u32| TrackDescriptor {
        adr: 1,
        control: 4,
        track_number: n,
        address,
    };
    let toc = FormattedToc {
        first_track: 1,
        last_track: 1,
        tracks: vec![data_track(1, 0), data_track(0xAA, 12_345)],
        cut_bytes: 0,
    };
    let multi = MultiSessionInfo {
        first_complete_session: 1,
        last_complete_session: 1,
        first_track_in_last_session: data_track(1, 0),
        cut_bytes: 0,
    };
    let raw_entry = |point: TocPoint, p_time: Msf| RawTocEntry {
        session: 1,
        adr: 1,
        control: 4,
        tno: 0,
        point,
        time: Msf::new(0, 0, 0),
        zero: 0,
        p_time,
    };
    let raw_toc = RawToc {
        first_complete_session: 1,
        last_complete_session: 1,
        entries: vec![
            raw_entry(TocPoint::FirstTrack, Msf::new(1, 0, 0)),
            raw_entry(TocPoint::LastTrack, Msf::new(1, 0, 0)),
            raw_entry(TocPoint::LeadOut, Msf::new(2, 46, 45)),
            raw_entry(TocPoint::Track(1), Msf::new(0, 2, 0)),
        ],
        cut_bytes: 0,
    };
    let mechanism = MechanismStatus {
        fault: false,
        changer_state: ChangerState::Ready,
        current_slot: 0,
        mechanism_state: MechanismState::Idle,
        door_open: false,
        current_lba: 0,
        number_of_slots: 1,
        slots: vec![SlotEntry {
            disc_present: true,
            change: false,
            cwp_valid: false,
            cartridge_write_protect: false,
        }],
        cut_bytes: 0,
    };
    let dvd = DvdPhysicalFormat {
        book_type: BookType::DvdPlusRw,
        part_version: 2,
        disc_size: 0,
        maximum_rate: 2,
        number_of_layers: 0,
        track_path: false,
        layer_type: 4,
        linear_density: 0,
        track_density: 0,
        data_area_start: 0x30000,
        data_area_end: 0x26053F,
        layer0_end: 0,
        bca: false,
        media_specific: vec![0; 16],
        cut_bytes: 0,
    };
    let wps = WriteProtectionStatus {
        media_specific_write_inhibit: false,
        cartridge_write_protect: false,
        persistent_write_protect: false,
        software_write_protect: true,
        cut_bytes: 0,
    };
    let unknown_feature = Feature::raw(
        super::FeatureCode::Unknown(0x0200),
        0,
        false,
        true,
        vec![1, 2, 3, 4],
    );
    vec![
        (
            "inquiry",
            StandardInquiry::mmc_drive("VIRTDRV", "BD-RE EMULATOR", "1.00").to_bytes(),
        ),
        ("configuration", configuration.to_bytes()),
        ("feature", single_feature),
        ("feature", unknown_feature.to_bytes()),
        ("disc_information", disc_info.to_bytes()),
        ("track_information", track_info.to_bytes()),
        ("mode_sense", mode_sense.to_bytes()),
        ("mode_select", mode_select),
        (
            "read_capacity",
            CapacityData {
                last_lba: 11_826_175,
                block_length: 2048,
            }
            .to_bytes(),
        ),
        ("format_capacities", format_capacities.to_bytes()),
        ("performance", performance.to_bytes()),
        ("write_speeds", write_speeds.to_bytes()),
        ("event_status", event.to_bytes()),
        ("toc", toc.to_bytes()),
        ("multi_session", multi.to_bytes()),
        ("raw_toc", raw_toc.to_bytes()),
        (
            "buffer_capacity",
            BufferCapacity::Bytes {
                buffer_length: 4 << 20,
                blank_length: 3 << 20,
            }
            .to_bytes(),
        ),
        (
            "buffer_capacity",
            BufferCapacity::Blocks {
                available_blocks: 1536,
            }
            .to_bytes(),
        ),
        ("mechanism_status", mechanism.to_bytes()),
        ("dvd_physical_format", dvd.to_bytes()),
        ("write_protection_status", wps.to_bytes()),
    ]
}
