//! Exclusive access: one owner at a time, by client name; others get the lock condition
//! until it is released.

use mmc_core::{DataPhase, Transport, TransportError};
use testkit::{command_in, INQUIRY, TIMEOUT};
use virtdrive::{EmulatedDrive, LockError, SharedDrive};

#[test]
fn other_clients_are_locked_out_until_the_owner_releases() {
    let shared = SharedDrive::new(EmulatedDrive::default());
    let mut burner = shared.client("BURNER");
    let mut other = shared.client("OTHER");

    burner.acquire_exclusive().unwrap();
    // the owner's commands run
    assert_eq!(command_in(&mut burner, &INQUIRY, 36)[0], 0x05);
    // anyone else's fail at the transport, naming the owner
    let mut buf = [0u8; 36];
    let err = other
        .execute(&INQUIRY, DataPhase::In(&mut buf), TIMEOUT)
        .unwrap_err();
    assert_eq!(
        err,
        TransportError::Locked {
            owner: Some("BURNER".into())
        }
    );
    assert_eq!(
        other.acquire_exclusive(),
        Err(LockError::HeldByAnother {
            owner: "BURNER".into()
        })
    );

    burner.release_exclusive().unwrap();
    assert_eq!(command_in(&mut other, &INQUIRY, 36)[0], 0x05);
}

#[test]
fn the_lock_counts_acquisitions() {
    let shared = SharedDrive::new(EmulatedDrive::default());
    let a = shared.client("A");
    a.acquire_exclusive().unwrap();
    a.acquire_exclusive().unwrap();
    a.release_exclusive().unwrap();
    assert_eq!(
        shared.lock().exclusive_owner(),
        Some("A"),
        "still held once"
    );
    a.release_exclusive().unwrap();
    assert_eq!(shared.lock().exclusive_owner(), None);
    assert_eq!(
        a.release_exclusive(),
        Err(LockError::NotHeld { client: "A".into() })
    );
}

#[test]
fn an_anonymous_transport_is_locked_out_too() {
    let mut drive = EmulatedDrive::default();
    drive.acquire_exclusive("IMAPIv2 TEST").unwrap();
    let mut buf = [0u8; 36];
    let err = drive
        .execute(&INQUIRY, DataPhase::In(&mut buf), TIMEOUT)
        .unwrap_err();
    assert!(matches!(err, TransportError::Locked { .. }));
}
