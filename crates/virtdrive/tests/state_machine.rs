//! Random command sequences, sent as raw CDBs through `Transport`, against small reference
//! models of the disc: what was written where, tracks, sessions and the next writable address.
//! No sequence may make the drive and its model disagree, and a read always returns the last
//! data written (or, after a power loss, the last data synchronized).
//!
//! 2,000 sequences of 10-40 commands on each medium: CD-R, DVD+R, BD-R, DVD+RW and BD-RE;
//! proptest shrinks a failing one to a short list of operations.

#[path = "state_machine/cd_r.rs"]
mod cd_r;
#[path = "state_machine/host.rs"]
mod host;
#[path = "state_machine/overwritable.rs"]
mod overwritable;
#[path = "state_machine/sequential.rs"]
mod sequential;

use proptest::prelude::*;
use virtdrive::medium::MediumKind;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn dvd_plus_rw_reads_back_the_last_data_written(
        prep in overwritable::dvd_preparation(),
        ops in overwritable::ops(),
    ) {
        overwritable::run(prep, &ops, host::Backing::Memory);
    }

    #[test]
    fn restricted_overwrite_dvd_rw_reads_back_the_last_data_written(
        ops in overwritable::ops(),
    ) {
        overwritable::run(overwritable::Preparation::DvdRwFormatted, &ops, host::Backing::Memory);
    }

    #[test]
    fn bd_re_reads_back_the_last_data_written(
        prep in overwritable::bd_preparation(),
        ops in overwritable::ops(),
    ) {
        overwritable::run(prep, &ops, host::Backing::Memory);
    }

    #[test]
    fn dvd_ram_reads_back_the_last_data_written(
        prep in overwritable::ram_preparation(),
        ops in overwritable::ops(),
    ) {
        overwritable::run(prep, &ops, host::Backing::Memory);
    }

    #[test]
    fn cd_r_tracks_sessions_and_next_writable_address_follow_the_model(
        kind in cd_r::kind(),
        ops in cd_r::ops(),
    ) {
        cd_r::run(kind, &ops, host::Backing::Memory);
    }

    #[test]
    fn dvd_plus_r_tracks_sessions_and_next_writable_address_follow_the_model(
        ops in sequential::ops(),
    ) {
        sequential::run(MediumKind::DvdPlusR, &ops, host::Backing::Memory);
    }

    #[test]
    fn bd_r_tracks_sessions_and_next_writable_address_follow_the_model(
        ops in sequential::ops(),
    ) {
        sequential::run(MediumKind::BdR, &ops, host::Backing::Memory);
    }

    #[test]
    fn multi_layer_discs_track_sessions_and_next_writable_address_as_the_model(
        kind in sequential::layered_kind(),
        ops in sequential::ops(),
    ) {
        sequential::run(kind, &ops, host::Backing::Memory);
    }

    #[test]
    fn dvd_r_tracks_sessions_and_next_writable_address_follow_the_model(
        ops in sequential::ops(),
    ) {
        sequential::run(MediumKind::DvdR, &ops, host::Backing::Memory);
    }

    #[test]
    fn sequential_dvd_rw_tracks_sessions_and_next_writable_address_follow_the_model(
        ops in sequential::ops(),
    ) {
        sequential::run(MediumKind::DvdRw, &ops, host::Backing::Memory);
    }
}

// Every model with the disc in a disc file: every power loss (the random ones and one at
// the end of each sequence) drops the drive without saving anything, as a killed process
// would, and opens the disc file again; it must open and hold exactly what was synchronized.
// Fewer sequences, as each synchronize commits the file with fsync.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn disc_files_of_cd_r_hold_what_was_synchronized(
        kind in cd_r::kind(),
        ops in cd_r::ops(),
    ) {
        cd_r::run(kind, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_dvd_plus_r_hold_what_was_synchronized(ops in sequential::ops()) {
        sequential::run(MediumKind::DvdPlusR, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_bd_r_hold_what_was_synchronized(ops in sequential::ops()) {
        sequential::run(MediumKind::BdR, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_multi_layer_discs_hold_what_was_synchronized(
        kind in sequential::layered_kind(),
        ops in sequential::ops(),
    ) {
        sequential::run(kind, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_dvd_r_hold_what_was_synchronized(ops in sequential::ops()) {
        sequential::run(MediumKind::DvdR, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_sequential_dvd_rw_hold_what_was_synchronized(ops in sequential::ops()) {
        sequential::run(MediumKind::DvdRw, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_bd_re_hold_what_was_synchronized(
        prep in overwritable::bd_preparation(),
        ops in overwritable::ops(),
    ) {
        overwritable::run(prep, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_restricted_overwrite_dvd_rw_hold_what_was_synchronized(
        ops in overwritable::ops(),
    ) {
        overwritable::run(overwritable::Preparation::DvdRwFormatted, &ops, host::Backing::File);
    }

    #[test]
    fn disc_files_of_dvd_plus_rw_hold_what_was_synchronized(
        prep in overwritable::dvd_preparation(),
        ops in overwritable::ops(),
    ) {
        overwritable::run(prep, &ops, host::Backing::File);
    }
}
