//! `Faulty` over a small scripted transport: each action a transport can suffer, what the host
//! sees and what the device behind it received.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mmc_core::sense::{Sense, SenseFormat};
use mmc_core::{Completion, DataPhase, ScsiStatus, Transport, TransportError};
use virtdrive::clock::VirtualTime;
use virtdrive::fault::{FaultAction, FaultPlan, FaultPlanError, Faulty};
use virtdrive::medium::MediumKind;
use virtdrive::EmulatedDrive;

/// What the fake device received for one command.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Received {
    cdb: Vec<u8>,
    data_out: Vec<u8>,
}

/// A device that records every command, fills data-in with 0, 1, 2, ... up to `fill` bytes
/// (the rest is its residual) and answers GOOD.
#[derive(Debug, Default)]
struct Scripted {
    received: Vec<Received>,
    /// Bytes of data-in the device has to give; `None`: as many as asked.
    fill: Option<usize>,
}

impl Transport for Scripted {
    fn execute(
        &mut self,
        cdb: &[u8],
        data: DataPhase<'_>,
        _timeout: Duration,
    ) -> Result<Completion, TransportError> {
        let mut data_out = Vec::new();
        let mut residual = 0;
        match data {
            DataPhase::In(buf) => {
                let n = self.fill.unwrap_or(buf.len()).min(buf.len());
                for (i, b) in buf[..n].iter_mut().enumerate() {
                    *b = i as u8;
                }
                residual = buf.len() - n;
            }
            DataPhase::Out(buf) => data_out = buf.to_vec(),
            DataPhase::None => {}
        }
        self.received.push(Received {
            cdb: cdb.to_vec(),
            data_out,
        });
        Ok(Completion::good_with_residual(residual))
    }
}

const TIMEOUT: Duration = Duration::from_secs(30);

const WRITE10_LBA_0_1: [u8; 10] = [
    0x2A, // WRITE (10)
    0x00, // flags
    0x00, 0x00, 0x00, 0x00, // LBA 0
    0x00, // group
    0x00, 0x01, // 1 block
    0x00, // control
];

const READ10_LBA_16_1: [u8; 10] = [
    0x28, // READ (10)
    0x00, // flags
    0x00, 0x00, 0x00, 0x10, // LBA 16
    0x00, // group
    0x00, 0x01, // 1 block
    0x00, // control
];

const TEST_UNIT_READY: [u8; 6] = [0x00, 0, 0, 0, 0, 0];

const READ_DISC_INFORMATION: [u8; 10] = [
    0x51, // READ DISC INFORMATION
    0x00, // data type 000b: standard
    0, 0, 0, 0, 0, // reserved
    0x00, 0x22, // allocation length 34
    0x00, // control
];

fn faulty(plan: &str) -> Faulty<Scripted> {
    let plan = FaultPlan::from_json_str(plan).unwrap_or_else(|e| panic!("{e}"));
    Faulty::new(Scripted::default(), plan).unwrap()
}

fn read(
    f: &mut Faulty<Scripted>,
    cdb: &[u8],
    len: usize,
) -> (Result<Completion, TransportError>, Vec<u8>) {
    let mut buf = vec![0xEE; len];
    let result = f.execute(cdb, DataPhase::In(&mut buf), TIMEOUT);
    (result, buf)
}

fn write(f: &mut Faulty<Scripted>, cdb: &[u8], data: &[u8]) -> Result<Completion, TransportError> {
    f.execute(cdb, DataPhase::Out(data), TIMEOUT)
}

/// 0, 1, 2, ... as the scripted device fills data-in.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| i as u8).collect()
}

#[test]
fn commands_no_rule_takes_pass_unchanged() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "SYNCHRONIZE CACHE" }, "action": "timeout_before" } ] }"#,
    );
    let (result, buf) = read(&mut f, &READ10_LBA_16_1, 2048);
    assert_eq!(result, Ok(Completion::good()));
    assert_eq!(buf, pattern(2048));
    let block = vec![0xA5; 2048];
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &block),
        Ok(Completion::good())
    );
    assert_eq!(f.inner().received[1].data_out, block);
    assert!(f.fired().is_empty());
}

#[test]
fn sense_answers_check_condition_without_reaching_the_device() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)" },
             "action": { "sense": { "key": 3, "asc": "0x0C", "ascq": 9, "information": 5000 } } } ] }"#,
    );
    let done = write(&mut f, &WRITE10_LBA_0_1, &[0; 2048]).unwrap();
    assert_eq!(done.status, ScsiStatus::CheckCondition);
    assert_eq!(
        done.sense.as_slice(),
        [
            0xF0, // VALID, current error in fixed format (70h)
            0x00, // obsolete
            0x03, // MEDIUM ERROR
            0x00, 0x00, 0x13, 0x88, // INFORMATION: 5000
            0x0A, // additional sense length
            0x00, 0x00, 0x00, 0x00, // command-specific information
            0x0C, 0x09, // LOSS OF STREAMING
            0x00, // FRU
            0x00, 0x00, 0x00, // no sense-key-specific data
        ]
    );
    assert_eq!(done.residual, 2048, "nothing was transferred");
    assert!(
        f.inner().received.is_empty(),
        "the device never saw the WRITE"
    );
}

#[test]
fn sense_in_descriptor_format_with_progress() {
    let mut f = faulty(
        r#"{ "rules": [ { "action": { "sense": { "key": "not_ready", "asc": 4, "ascq": 4,
             "sks": { "progress": 16384 }, "format": "descriptor" } } } ] }"#,
    );
    let done = f
        .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
        .unwrap();
    assert_eq!(
        done.sense.as_slice(),
        [
            0x72, // current error, descriptor format
            0x02, // NOT READY
            0x04, 0x04, // FORMAT IN PROGRESS
            0x00, 0x00, 0x00, // reserved
            0x08, // additional sense length: one 8-byte descriptor
            0x02, // sense key specific descriptor
            0x06, // additional length
            0x00, 0x00, // reserved
            0x80, 0x40, 0x00, // SKSV, progress 4000h = 25 %
            0x00, // reserved
        ]
    );
    let sense = Sense::parse(done.sense.as_slice()).unwrap();
    assert_eq!(sense.format, SenseFormat::Descriptor);
}

#[test]
fn executed_sense_reaches_the_device_and_still_fails() {
    let mut f = faulty(
        r#"{ "rules": [ { "action": { "sense": { "key": 1, "asc": "0x17", "ascq": 1, "executed": true } } } ] }"#,
    );
    let (result, buf) = read(&mut f, &READ10_LBA_16_1, 2048);
    let done = result.unwrap();
    assert_eq!(done.status, ScsiStatus::CheckCondition);
    assert_eq!(done.residual, 0, "the data moved");
    assert_eq!(buf, pattern(2048));
    assert_eq!(f.inner().received.len(), 1);
}

#[test]
fn timeout_before_never_reaches_the_device() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)" }, "action": "timeout_before", "times": "once" } ] }"#,
    );
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &[1; 2048]),
        Err(TransportError::Timeout)
    );
    assert!(f.inner().received.is_empty());
    // The host retries: this time the WRITE goes through.
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &[1; 2048]),
        Ok(Completion::good())
    );
    assert_eq!(f.inner().received.len(), 1);
}

#[test]
fn timeout_after_reaches_the_device_but_loses_the_answer() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)" }, "action": "timeout_after" } ] }"#,
    );
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &[7; 2048]),
        Err(TransportError::Timeout)
    );
    assert_eq!(
        f.inner().received,
        [Received {
            cdb: WRITE10_LBA_0_1.to_vec(),
            data_out: vec![7; 2048],
        }],
        "the data did reach the device"
    );
}

#[test]
fn device_gone_fails_this_and_every_later_command() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)", "nth": 2 }, "action": "device_gone", "times": "once" } ] }"#,
    );
    assert!(write(&mut f, &WRITE10_LBA_0_1, &[0; 2048]).is_ok());
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &[0; 2048]),
        Err(TransportError::DeviceGone)
    );
    assert_eq!(
        f.execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT),
        Err(TransportError::DeviceGone)
    );
    assert_eq!(
        read(&mut f, &READ10_LBA_16_1, 2048).0,
        Err(TransportError::DeviceGone)
    );
    assert_eq!(
        f.inner().received.len(),
        1,
        "only the first WRITE reached the device"
    );
}

#[test]
fn short_data_in_moves_only_the_first_bytes() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "READ DISC INFORMATION" }, "action": { "short_transfer": { "bytes": 8 } } } ] }"#,
    );
    let (result, buf) = read(&mut f, &READ_DISC_INFORMATION, 34);
    assert_eq!(result, Ok(Completion::good_with_residual(26)));
    assert_eq!(buf[..8], pattern(8)[..], "the bytes that moved");
    assert_eq!(
        buf[8..],
        [0xEE; 26],
        "the host's buffer past them is untouched"
    );
}

#[test]
fn a_short_transfer_keeps_a_larger_residual_of_the_device() {
    let plan = FaultPlan::from_json_str(
        r#"{ "rules": [ { "action": { "short_transfer": { "bytes": 20 } } } ] }"#,
    )
    .unwrap();
    let device = Scripted {
        fill: Some(10),
        ..Scripted::default()
    };
    let mut f = Faulty::new(device, plan).unwrap();
    let (result, buf) = read(&mut f, &READ_DISC_INFORMATION, 34);
    assert_eq!(
        result,
        Ok(Completion::good_with_residual(24)),
        "the device gave only 10"
    );
    assert_eq!(buf[..10], pattern(10)[..]);
}

#[test]
fn short_data_out_delivers_only_the_first_bytes() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)" }, "action": { "short_transfer": { "bytes": 512 } } } ] }"#,
    );
    let block: Vec<u8> = (0..2048).map(|i| (i % 251) as u8).collect();
    let done = write(&mut f, &WRITE10_LBA_0_1, &block).unwrap();
    assert_eq!(done.residual, 1536);
    assert_eq!(f.inner().received[0].data_out, block[..512]);
}

#[test]
fn a_short_transfer_longer_than_the_buffer_changes_nothing() {
    let mut f =
        faulty(r#"{ "rules": [ { "action": { "short_transfer": { "bytes": 100000 } } } ] }"#);
    let (result, buf) = read(&mut f, &READ10_LBA_16_1, 2048);
    assert_eq!(result, Ok(Completion::good()));
    assert_eq!(buf, pattern(2048));
}

#[test]
fn corrupt_data_in_flips_bits_only_in_what_was_transferred() {
    let plan = FaultPlan::from_json_str(
        r#"{ "seed": 3, "rules": [ { "match": { "opcode": "READ (10)" }, "action": { "corrupt_data_in": { "bits": 5 } } } ] }"#,
    )
    .unwrap();
    let device = Scripted {
        fill: Some(1000),
        ..Scripted::default()
    };
    let mut f = Faulty::new(device, plan).unwrap();
    let (result, buf) = read(&mut f, &READ10_LBA_16_1, 2048);
    assert_eq!(result, Ok(Completion::good_with_residual(1048)));
    let flipped: u32 = buf[..1000]
        .iter()
        .zip(pattern(1000))
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    assert_eq!(flipped, 5);
    assert_eq!(
        buf[1000..],
        [0xEE; 1048],
        "bytes never transferred are not touched"
    );
}

#[test]
fn corrupt_data_in_leaves_data_out_alone() {
    let mut f = faulty(r#"{ "rules": [ { "action": { "corrupt_data_in": { "bits": 8 } } } ] }"#);
    let block = vec![0x11; 2048];
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &block),
        Ok(Completion::good())
    );
    assert_eq!(f.inner().received[0].data_out, block);
}

#[test]
fn drop_write_answers_good_without_forwarding() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "WRITE (10)" }, "action": "drop_write" } ] }"#,
    );
    assert_eq!(
        write(&mut f, &WRITE10_LBA_0_1, &[0x42; 2048]),
        Ok(Completion::good()),
        "the host believes the block is written"
    );
    assert!(f.inner().received.is_empty(), "the device never got it");
    // Reading back goes to the device as usual.
    let (result, _) = read(&mut f, &READ10_LBA_16_1, 2048);
    assert!(result.is_ok());
    assert_eq!(f.inner().received.len(), 1);
    assert_eq!(f.inner().received[0].cdb, READ10_LBA_16_1);
}

#[test]
fn drop_write_on_a_data_in_command_transfers_nothing() {
    let mut f = faulty(r#"{ "rules": [ { "action": "drop_write" } ] }"#);
    let (result, buf) = read(&mut f, &READ_DISC_INFORMATION, 34);
    assert_eq!(result, Ok(Completion::good_with_residual(34)));
    assert_eq!(buf, [0xEE; 34]);
}

#[test]
fn plans_that_need_the_emulator_are_refused_naming_the_rule() {
    for (action, name) in [
        (r#"{ "delay": { "ms": 5 } }"#, "delay"),
        (r#""power_loss""#, "power_loss"),
        (r#"{ "drive_condition": "upside_down" }"#, "drive_condition"),
    ] {
        let text =
            format!(r#"{{ "rules": [ {{ "action": "drop_write" }}, {{ "action": {action} }} ] }}"#);
        let plan = FaultPlan::from_json_str(&text).unwrap();
        let error = Faulty::new(Scripted::default(), plan).unwrap_err();
        assert!(
            matches!(error, FaultPlanError::NeedsDrive { rule: 1, .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.starts_with("rules[1]"), "{message}");
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn time_rules_follow_the_clock_callback() {
    let plan = FaultPlan::from_json_str(
        r#"{ "rules": [ { "match": { "time": { "from": { "s": 10 } } }, "action": "timeout_before" } ] }"#,
    )
    .unwrap();
    let clock = Arc::new(AtomicU64::new(0));
    let now = Arc::clone(&clock);
    let mut f = Faulty::new(Scripted::default(), plan)
        .unwrap()
        .with_clock(move || VirtualTime::from_micros(now.load(Ordering::SeqCst)));
    assert!(f
        .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
        .is_ok());
    clock.store(10_000_000, Ordering::SeqCst);
    assert_eq!(
        f.execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT),
        Err(TransportError::Timeout)
    );
}

#[test]
fn without_a_clock_time_stands_at_zero() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "time": { "from": { "us": 1 } } }, "action": "timeout_before" } ] }"#,
    );
    for _ in 0..3 {
        assert!(f
            .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .is_ok());
    }
}

#[test]
fn medium_rules_match_only_the_named_disc() {
    let text = r#"{ "rules": [ { "match": { "medium": "cd-r" }, "action": "timeout_before" } ] }"#;
    let mut unknown = faulty(text);
    assert!(unknown
        .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
        .is_ok());
    let plan = FaultPlan::from_json_str(text).unwrap();
    let mut cd = Faulty::new(Scripted::default(), plan)
        .unwrap()
        .with_medium(Some(MediumKind::CdR80));
    assert!(cd
        .execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
        .is_err());
}

#[test]
fn lba_rules_read_the_block_range_from_the_cdb() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "lba": { "first": 16, "last": 16 } }, "action": "timeout_before" } ] }"#,
    );
    assert!(
        write(&mut f, &WRITE10_LBA_0_1, &[0; 2048]).is_ok(),
        "LBA 0 only"
    );
    assert_eq!(
        read(&mut f, &READ10_LBA_16_1, 2048).0,
        Err(TransportError::Timeout)
    );
}

#[test]
fn the_faults_applied_are_listed_in_order() {
    let mut f = faulty(
        r#"{ "rules": [ { "match": { "opcode": "TEST UNIT READY", "nth": { "every": 2 } }, "action": "drop_write" } ] }"#,
    );
    for _ in 0..5 {
        f.execute(&TEST_UNIT_READY, DataPhase::None, TIMEOUT)
            .unwrap();
    }
    let fired: Vec<(u64, u64, FaultAction)> = f
        .fired()
        .iter()
        .map(|x| (x.command, x.fault.occurrence, x.fault.action.clone()))
        .collect();
    assert_eq!(
        fired,
        [
            (2, 2, FaultAction::DropWrite),
            (4, 4, FaultAction::DropWrite)
        ]
    );
    assert_eq!(f.inner().received.len(), 3);
}

#[test]
fn an_empty_cdb_goes_to_the_device_untouched() {
    let mut f = faulty(r#"{ "rules": [ { "action": "timeout_before" } ] }"#);
    assert!(f.execute(&[], DataPhase::None, TIMEOUT).is_ok());
    assert_eq!(f.plan().commands_seen(), 0);
}

#[test]
fn the_emulator_can_be_wrapped_too() {
    let plan = FaultPlan::from_json_str(
        r#"{ "rules": [ { "match": { "opcode": "INQUIRY", "nth": 1 },
             "action": { "sense": { "key": 6, "asc": "0x29", "ascq": 0 } }, "times": "once" } ] }"#,
    )
    .unwrap();
    let mut f = Faulty::new(EmulatedDrive::default(), plan).unwrap();
    let inquiry = [
        0x12, // INQUIRY
        0x00, // standard data
        0x00, // page code
        0x00, 0x24, // allocation length 36
        0x00, // control
    ];
    let mut buf = [0u8; 36];
    let first = f
        .execute(&inquiry, DataPhase::In(&mut buf), TIMEOUT)
        .unwrap();
    assert_eq!(
        first.sense_triple(),
        Some(mmc_core::sense::SenseTriple::new(6, 0x29, 0))
    );
    let second = f
        .execute(&inquiry, DataPhase::In(&mut buf), TIMEOUT)
        .unwrap();
    assert!(second.is_good());
    assert_eq!(buf[0], 0x05, "the drive answered: peripheral device type 5");
}
