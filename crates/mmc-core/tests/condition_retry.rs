//! Retry classes: which sense makes the engine go on, retry after a delay, wait for a long
//! operation, or fail (libburn's and Windows classpnp's behaviour).

use std::time::Duration;

use mmc_core::condition::{
    retry_class, retry_class_for, RetryClass, ABORTED_COMMAND_DELAY, BECOMING_READY_DELAY,
    UNIT_ATTENTION_DELAY,
};
use mmc_core::sense::{triples, Sense, SenseBuilder, SenseKeySpecific, SenseTriple};

fn class(key: u8, asc: u8, ascq: u8) -> RetryClass {
    retry_class_for(SenseTriple::new(key, asc, ascq), None)
}

fn class_of_bytes(bytes: &[u8]) -> RetryClass {
    retry_class(&Sense::parse(bytes).unwrap())
}

#[test]
fn recovered_errors_and_no_sense_proceed() {
    assert_eq!(class(0x1, 0x17, 0x01), RetryClass::Proceed);
    assert_eq!(class(0x1, 0x5D, 0x00), RetryClass::Proceed);
    assert_eq!(class(0x0, 0x00, 0x00), RetryClass::Proceed);
    // a recovered deferred error still means the data made it
    let deferred = SenseBuilder::new(SenseTriple::new(0x1, 0x18, 0x00))
        .deferred()
        .fixed();
    assert_eq!(class_of_bytes(&deferred), RetryClass::Proceed);
    // NO SENSE cut before its ASC: nothing was reported wrong
    assert_eq!(class_of_bytes(&[0x70, 0x00, 0x00]), RetryClass::Proceed);
}

#[test]
fn becoming_ready_and_cause_not_reportable_retry_after_a_delay() {
    let retry = RetryClass::RetryAfter {
        delay: BECOMING_READY_DELAY,
    };
    assert_eq!(class(0x2, 0x04, 0x01), retry);
    assert_eq!(class(0x2, 0x04, 0x00), retry);
    assert_eq!(BECOMING_READY_DELAY, Duration::from_millis(500));
}

#[test]
fn unit_attentions_for_medium_change_and_reset_retry_at_once() {
    let retry = RetryClass::RetryAfter {
        delay: UNIT_ATTENTION_DELAY,
    };
    assert_eq!(class(0x6, 0x28, 0x00), retry);
    assert_eq!(class(0x6, 0x29, 0x00), retry);
    assert_eq!(class(0x6, 0x29, 0x07), retry);
    // other unit attentions are reported, not hidden
    assert_eq!(class(0x6, 0x2A, 0x01), RetryClass::Fail);
    assert_eq!(class(0x6, 0x28, 0x01), RetryClass::Fail);
}

#[test]
fn aborted_command_retries_whatever_the_asc() {
    let retry = RetryClass::RetryAfter {
        delay: ABORTED_COMMAND_DELAY,
    };
    assert_eq!(class(0xB, 0x00, 0x00), retry);
    assert_eq!(class(0xB, 0x47, 0x00), retry);
    assert_eq!(class(0xB, 0x4E, 0x00), retry);
    assert_eq!(class_of_bytes(&[0x70, 0x00, 0x0B]), retry);
}

#[test]
fn long_operations_wait_with_their_progress() {
    for ascq in [0x04, 0x07, 0x08] {
        assert_eq!(
            class(0x2, 0x04, ascq),
            RetryClass::WaitInProgress { progress: None }
        );
        assert_eq!(
            retry_class_for(
                SenseTriple::new(0x2, 0x04, ascq),
                Some(SenseKeySpecific::Progress(0x8000))
            ),
            RetryClass::WaitInProgress {
                progress: Some(0.5)
            }
        );
    }
    // from parsed sense, in both formats
    let builder = SenseBuilder::new(triples::FORMAT_IN_PROGRESS).progress(0x4000);
    assert_eq!(
        class_of_bytes(&builder.fixed()),
        RetryClass::WaitInProgress {
            progress: Some(0.25)
        }
    );
    assert_eq!(
        class_of_bytes(&builder.descriptor()),
        RetryClass::WaitInProgress {
            progress: Some(0.25)
        }
    );
    // SKSV clear: no progress
    let no_sksv = SenseBuilder::new(triples::LONG_WRITE_IN_PROGRESS).fixed();
    assert_eq!(
        class_of_bytes(&no_sksv),
        RetryClass::WaitInProgress { progress: None }
    );
}

#[test]
fn no_medium_and_errors_needing_a_person_fail() {
    for (k, a, q) in [
        (0x2, 0x3A, 0x00), // medium not present
        (0x2, 0x3A, 0x01),
        (0x2, 0x3A, 0x02),
        (0x2, 0x04, 0x02), // initializing command required
        (0x2, 0x04, 0x03), // manual intervention required
        (0x2, 0x06, 0x00), // no reference position found (upside down)
        (0x2, 0x30, 0x00), // incompatible medium
        (0x3, 0x0C, 0x09), // loss of streaming
        (0x3, 0x0C, 0x00), // write error
        (0x5, 0x21, 0x02), // invalid address for write
        (0x5, 0x24, 0x00), // invalid field in CDB
        (0x7, 0x27, 0x00), // write protected
        (0x4, 0x02, 0x00), // no seek complete: libburn retries, we report
        (0x4, 0x08, 0x00), // communication failure: likewise
        (0x8, 0x00, 0x00), // blank check
        (0x0, 0x00, 0x16), // NO SENSE, operation in progress: only 00/00/00 proceeds
    ] {
        assert_eq!(class(k, a, q), RetryClass::Fail, "{k:X}/{a:02X}/{q:02X}");
    }
}

#[test]
fn deferred_errors_fail_since_retrying_cannot_fix_an_earlier_command() {
    let deferred = SenseBuilder::new(triples::BECOMING_READY)
        .deferred()
        .fixed();
    assert_eq!(class_of_bytes(&deferred), RetryClass::Fail);
    let current = SenseBuilder::new(triples::BECOMING_READY).fixed();
    assert_ne!(class_of_bytes(&current), RetryClass::Fail);
}
