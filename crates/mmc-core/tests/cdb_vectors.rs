//! Static CDB vectors for the general commands, written from the SPC-4 / MMC-6 layouts and
//! from CDBs real burning programs send, checked in both directions.

mod cdb_support;

use cdb_support::both_ways;
use mmc_core::cdb::*;
use mmc_core::sense::{SenseKeySpecific, SenseTriple};

// ---- basic -------------------------------------------------------------------------------

#[test]
fn test_unit_ready() {
    let bytes = [
        0x00, // TEST UNIT READY
        0, 0, 0, 0, // reserved
        0, // control
    ];
    both_ways(&bytes, TestUnitReady);
    assert_eq!(TestUnitReady.expected_transfer(), Transfer::None);
}

#[test]
fn request_sense_fixed_18() {
    let bytes = [
        0x03, // REQUEST SENSE
        0x00, // DESC = 0: fixed format
        0, 0,  // reserved
        18, // allocation length
        0,  // control
    ];
    let repr = RequestSense {
        descriptor_format: false,
        allocation_length: 18,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(18));
    both_ways(
        &[0x03, 0x01, 0, 0, 252, 0],
        RequestSense {
            descriptor_format: true,
            allocation_length: 252,
        },
    );
}

#[test]
fn inquiry_standard_and_vpd() {
    let bytes = [
        0x12, // INQUIRY
        0x00, // EVPD = 0
        0x00, // page code
        0x00, 0x24, // allocation length 36 (libburn)
        0x00, // control
    ];
    let repr = Inquiry {
        vpd_page: None,
        allocation_length: 36,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(36));
    let vpd = [
        0x12, // INQUIRY
        0x01, // EVPD
        0x80, // unit serial number page
        0x01, 0x00, // 256
        0x00,
    ];
    both_ways(
        &vpd,
        Inquiry {
            vpd_page: Some(0x80),
            allocation_length: 256,
        },
    );
}

#[test]
fn inquiry_page_code_without_evpd_is_an_invalid_field() {
    let err = Command::decode(&[0x12, 0x00, 0x80, 0x00, 0x24, 0x00]).unwrap_err();
    assert_eq!(
        err.sense(),
        (
            SenseTriple::new(0x05, 0x24, 0x00),
            Some(SenseKeySpecific::FieldPointer {
                in_cdb: true,
                bit: Some(7),
                byte: 2
            })
        )
    );
}

#[test]
fn start_stop_unit_libburn_load_and_eject() {
    let load = [
        0x1B, // START STOP UNIT
        0x00, // Immed = 0
        0x00, // reserved
        0x00, // format layer number
        0x03, // LoEj, Start
        0x00,
    ];
    both_ways(&load, StartStopUnit::load());
    assert_eq!(StartStopUnit::load().action(), Some(MediumAction::Load));
    let eject = [
        0x1B, // START STOP UNIT
        0x00, 0x00, 0x00, //
        0x02, // LoEj
        0x00,
    ];
    both_ways(&eject, StartStopUnit::eject());
    assert_eq!(StartStopUnit::eject().action(), Some(MediumAction::Eject));
    assert_eq!(StartStopUnit::eject().expected_transfer(), Transfer::None);
}

#[test]
fn start_stop_unit_every_field() {
    let bytes = [
        0x1B, // START STOP UNIT
        0x01, // Immed
        0x00, //
        0x01, // format layer number 1
        0x35, // power condition 3h (standby), FL, Start
        0x00,
    ];
    let repr = StartStopUnit {
        immed: true,
        format_layer_number: 1,
        power_condition: PowerCondition::Standby,
        format_layer: true,
        load_eject: false,
        start: true,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.action(), None);
    // A reserved power condition round-trips.
    let odd = [0x1B, 0, 0, 0, 0x90, 0];
    let decoded = StartStopUnit::decode(&odd).unwrap();
    assert_eq!(decoded.power_condition, PowerCondition::Unknown(9));
    assert_eq!(decoded.encode().as_slice(), odd);
}

#[test]
fn prevent_allow_medium_removal() {
    let prevent = [
        0x1E, // PREVENT ALLOW MEDIUM REMOVAL
        0, 0, 0,    //
        0x01, // Prevent
        0x00,
    ];
    both_ways(
        &prevent,
        PreventAllowMediumRemoval {
            persistent: false,
            prevent: true,
        },
    );
    both_ways(
        &[0x1E, 0, 0, 0, 0x00, 0],
        PreventAllowMediumRemoval::default(),
    );
    both_ways(
        &[0x1E, 0, 0, 0, 0x03, 0],
        PreventAllowMediumRemoval {
            persistent: true,
            prevent: true,
        },
    );
}

// ---- mode --------------------------------------------------------------------------------

#[test]
fn mode_select_libburn() {
    let bytes = [
        0x55, // MODE SELECT (10)
        0x10, // PF
        0, 0, 0, 0, 0, // reserved
        0x00, 0x3C, // parameter list length: 8 header + 52 page 05h
        0x00,
    ];
    let repr = ModeSelect10 {
        page_format: true,
        save_pages: false,
        parameter_list_length: 60,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::Out(60));
}

#[test]
fn mode_sense_capabilities_page() {
    let bytes = [
        0x5A, // MODE SENSE (10)
        0x08, // DBD
        0x2A, // PC current, page 2Ah
        0x00, // subpage
        0, 0, 0, // reserved
        0x01, 0x00, // allocation length 256
        0x00,
    ];
    let repr = ModeSense10::current(0x2A, 256);
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(256));
    let changeable = [0x5A, 0x00, 0x45, 0x00, 0, 0, 0, 0x00, 0x3C, 0x00];
    both_ways(
        &changeable,
        ModeSense10 {
            long_lba_accepted: false,
            disable_block_descriptors: false,
            page_control: PageControl::Changeable,
            page_code: 0x05,
            subpage_code: 0,
            allocation_length: 60,
        },
    );
}

// ---- read / write ------------------------------------------------------------------------

#[test]
fn read10() {
    let bytes = [
        0x28, // READ (10)
        0x08, // FUA
        0x00, 0x00, 0x10, 0x00, // LBA 4096
        0x00, //
        0x00, 0x20, // 32 blocks
        0x00,
    ];
    let repr = Read10 {
        dpo: false,
        fua: true,
        lba: 4096,
        blocks: 32,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(65536));
}

#[test]
fn write10_sao_start_at_minus_150() {
    let bytes = [
        0x2A, // WRITE (10)
        0x00, //
        0xFF, 0xFF, 0xFF, 0x6A, // LBA -150
        0x00, //
        0x00, 0x1B, // 27 blocks
        0x00,
    ];
    let repr = Write10 {
        lba: -150,
        blocks: 27,
        ..Write10::default()
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::Out(27 * 2048));
    let fua_tsr = [0x2A, 0x1C, 0x00, 0x23, 0x12, 0x60, 0x00, 0x00, 0x10, 0x00];
    both_ways(
        &fua_tsr,
        Write10 {
            dpo: true,
            fua: true,
            timely_safe_recording: true,
            lba: 0x0023_1260,
            blocks: 16,
        },
    );
    assert_eq!(Write10::default().expected_transfer(), Transfer::None);
}

#[test]
fn verify10_with_and_without_byte_check() {
    let bytes = [
        0x2F, // VERIFY (10)
        0x02, // BytChk
        0x00, 0x00, 0x00, 0x20, // LBA 32
        0x80, // G3Tout
        0x00, 0x10, // 16 blocks
        0x00,
    ];
    let repr = Verify10 {
        dpo: false,
        byte_check: true,
        lba: 32,
        group3_timeout: true,
        blocks: 16,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::Out(32768));
    let no_data = Verify10 {
        byte_check: false,
        ..repr
    };
    assert_eq!(no_data.expected_transfer(), Transfer::None);
}

#[test]
fn read12_and_write12_streaming() {
    let write = [
        0xAA, // WRITE (12)
        0x00, //
        0x00, 0x00, 0x00, 0x20, // LBA 32
        0x00, 0x00, 0x00, 0x20, // 32 blocks: one 64 KiB BD cluster
        0x80, // Streaming
        0x00,
    ];
    let repr = Write12 {
        lba: 32,
        blocks: 32,
        streaming: true,
        ..Write12::default()
    };
    both_ways(&write, repr);
    assert_eq!(repr.expected_transfer(), Transfer::Out(65536));
    let read = [
        0xA8, // READ (12)
        0x10, // DPO
        0xFF, 0xFF, 0xFF, 0xFF, // LBA -1
        0x00, 0x01, 0x00, 0x00, // 65536 blocks
        0x00, 0x00,
    ];
    let repr = Read12 {
        dpo: true,
        fua: false,
        lba: -1,
        blocks: 65536,
        streaming: false,
    };
    both_ways(&read, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(128 << 20));
    // A byte count that does not fit 32 bits saturates.
    let huge = Read12 {
        blocks: u32::MAX,
        ..repr
    };
    assert_eq!(huge.expected_transfer(), Transfer::In(u32::MAX));
}

// ---- status ------------------------------------------------------------------------------

#[test]
fn synchronize_cache_immed() {
    let bytes = [
        0x35, // SYNCHRONIZE CACHE
        0x02, // Immed
        0, 0, 0, 0,    // LBA
        0x00, //
        0, 0, // all blocks
        0x00,
    ];
    both_ways(&bytes, SynchronizeCache::immediate());
    assert_eq!(
        SynchronizeCache::immediate().expected_transfer(),
        Transfer::None
    );
}

#[test]
fn get_configuration() {
    let bytes = [
        0x46, // GET CONFIGURATION
        0x02, // RT 10b: one feature
        0x00, 0x2D, // feature 002Dh (CD Track at Once)
        0, 0, 0, //
        0x00, 0x10, // allocation length 16
        0x00,
    ];
    let repr = GetConfiguration {
        requested_type: ConfigurationRequest::One,
        starting_feature: 0x002D,
        allocation_length: 16,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(16));
    let reserved_rt = [0x46, 0x03, 0, 0, 0, 0, 0, 0, 8, 0];
    assert_eq!(
        GetConfiguration::decode(&reserved_rt)
            .unwrap()
            .requested_type,
        ConfigurationRequest::Unknown(3)
    );
}

#[test]
fn get_event_status_notification_libburn() {
    let bytes = [
        0x4A, // GET EVENT STATUS NOTIFICATION
        0x01, // Polled
        0x00, 0x00, //
        0x7E, // every notification class
        0x00, 0x00, //
        0x00, 0x08, // allocation length 8
        0x00,
    ];
    let repr = GetEventStatusNotification {
        polled: true,
        class_request: 0x7E,
        allocation_length: 8,
    };
    both_ways(&bytes, repr);
    assert!(repr.requests(GetEventStatusNotification::CLASS_MEDIA));
    assert_eq!(repr.expected_transfer(), Transfer::In(8));
}

#[test]
fn mechanism_status() {
    let bytes = [
        0xBD, // MECHANISM STATUS
        0, 0, 0, 0, 0, 0, 0, //
        0x00, 0x08, // allocation length 8
        0x00, 0x00,
    ];
    both_ways(
        &bytes,
        MechanismStatus {
            allocation_length: 8,
        },
    );
}

#[test]
fn read_buffer_capacity() {
    let bytes = [
        0x5C, // READ BUFFER CAPACITY
        0x01, // Block
        0, 0, 0, 0, 0, //
        0x00, 0x0C, // allocation length 12
        0x00,
    ];
    let repr = ReadBufferCapacity {
        block: true,
        allocation_length: 12,
    };
    both_ways(&bytes, repr);
    assert_eq!(repr.expected_transfer(), Transfer::In(12));
}

// ---- Command -----------------------------------------------------------------------------

#[test]
fn command_names_and_json() {
    let command = Command::decode(&[0x2A, 0x08, 0xFF, 0xFF, 0xFF, 0x6A, 0, 0, 0x1B, 0]).unwrap();
    assert_eq!(command.name(), "WRITE (10)");
    assert_eq!(command.opcode(), Opcode::Write10);
    let json = serde_json::to_value(command).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "command": "write10",
            "dpo": false,
            "fua": true,
            "timely_safe_recording": false,
            "lba": -150,
            "blocks": 27
        })
    );
    let back: Command = serde_json::from_value(json).unwrap();
    assert_eq!(back, command);

    let tur = serde_json::to_value(Command::TestUnitReady(TestUnitReady)).unwrap();
    assert_eq!(tur, serde_json::json!({"command": "test_unit_ready"}));

    let close =
        serde_json::to_value(Command::decode(&[0x5B, 1, 2, 0, 0, 0, 0, 0, 0, 0]).unwrap()).unwrap();
    assert_eq!(
        close,
        serde_json::json!({
            "command": "close_track_session",
            "immed": true,
            "function": "close_session",
            "track_number": 0
        })
    );
    let odd =
        serde_json::to_value(Command::decode(&[0x5B, 0, 7, 0, 0, 0, 0, 0, 0, 0]).unwrap()).unwrap();
    assert_eq!(odd["function"], serde_json::json!({"unknown": 7}));
}

#[test]
fn every_sample_decodes_and_json_round_trips() {
    let commands = sample_commands();
    assert_eq!(commands.len(), 35);
    for (command, bytes) in commands.iter().zip(sample_cdbs()) {
        assert_eq!(Command::decode(&bytes), Ok(*command));
        assert_eq!(bytes.len(), command.opcode().cdb_len().unwrap());
        assert_eq!(
            *bytes.last().unwrap(),
            0,
            "Control byte of {}",
            command.name()
        );
        let json = serde_json::to_string(command).unwrap();
        assert!(json.starts_with("{\"command\":"), "{json}");
        let back: Command = serde_json::from_str(&json).unwrap();
        assert_eq!(back, *command);
    }
}
