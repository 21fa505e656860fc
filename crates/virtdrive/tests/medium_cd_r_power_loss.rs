//! Power loss returns a CD-R to its last synchronized state; the saved state reloads the
//! same disc, and a corrupt state is refused with a message naming what is wrong.

mod medium_cd_r_support;

use medium_cd_r_support::*;
use mmc_core::params::MultiSession;
use mmc_core::sense::triples;
use serde_json::json;
use virtdrive::medium::cd_r::{CdR, CdRSize, CdRStateError};
use virtdrive::medium::{Medium, MediumKind};

const READ_DISC_INFORMATION: [u8; 10] = [0x51, 0, 0, 0, 0, 0, 0, 0, 0x22, 0];

#[test]
fn unsynchronized_writes_are_lost_with_power() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write10(&mut cd, &write10_cdb(0, 400), &blocks_of(0x11, 400)).unwrap();
    cd.synchronize().unwrap(); // closes track 1: 0..402
    write10(&mut cd, &write10_cdb(552, 300), &blocks_of(0x22, 300)).unwrap();
    assert_eq!(nwa_of(&invisible_track(&cd)), 852);

    cd.power_loss();

    // Track 2 was never synchronized: the invisible track is track 2 at 552 again.
    let t = invisible_track(&cd);
    assert_eq!(t[2], 2);
    assert_eq!(t[6] & 0x40, 0x40, "blank again");
    assert_eq!(nwa_of(&t), 552);
    expect_sense(
        read10(&mut cd, &read10_cdb(552, 1)),
        triples::ILLEGAL_MODE_FOR_THIS_TRACK,
    );
    assert_eq!(
        read10(&mut cd, &read10_cdb(399, 1)).unwrap(),
        blocks_of(0x11, 1)
    );
    // The write parameters were reset with the drive: MODE SENSE shows the default page.
    assert_eq!(cd.write_parameters(), Some(CdR::default_write_parameters()));
    // Writing track 2 again stores the new data, not the lost one.
    write10(&mut cd, &write10_cdb(552, 300), &blocks_of(0x33, 300)).unwrap();
    assert_eq!(
        read10(&mut cd, &read10_cdb(600, 1)).unwrap(),
        blocks_of(0x33, 1)
    );
}

#[test]
fn a_closed_session_survives_power_loss() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write10(&mut cd, &write10_cdb(0, 300), &blocks_of(0x44, 300)).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let before = disc_info(&cd, &READ_DISC_INFORMATION);
    // Appendable, session 2 to come at 302 + 11,400.
    assert_eq!(before[2], 0x01);
    write10(&mut cd, &write10_cdb(11_702, 32), &blocks_of(0x55, 32)).unwrap();
    cd.power_loss();
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION), before);
    assert_eq!(nwa_of(&invisible_track(&cd)), 11_702);
    assert_eq!(
        read10(&mut cd, &read10_cdb(0, 1)).unwrap(),
        blocks_of(0x44, 1)
    );
}

#[test]
fn padding_after_power_loss_reads_as_zeros_not_stale_data() {
    let mut cd = blank_80();
    // An SAO recording synchronized half-way commits its data, but a power loss before the
    // session closes returns the disc to blank (the recording is not a state to return to).
    let mut sao = cd_write_parameters(0x02, 0b00, true);
    sao[12] = 0x00; // data block type: ignored in SAO
    mode_select(&mut cd, &sao).unwrap();
    cd.send_cue_sheet(&[
        0x41, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, // lead-in
        0x41, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, // track 1 pre-gap 00:00:00
        0x41, 0x01, 0x01, 0x10, 0x00, 0x00, 0x02, 0x00, // track 1 00:02:00
        0x41, 0xAA, 0x01, 0x14, 0x00, 0x00, 0x0A, 0x00, // lead-out 00:10:00 = LBA 600
    ])
    .unwrap();
    write10(&mut cd, &write10_cdb(-150, 450), &blocks_of(0x66, 450)).unwrap();
    cd.synchronize().unwrap();
    cd.power_loss();
    assert_eq!(disc_info(&cd, &READ_DISC_INFORMATION)[2], 0x00, "blank");
    // A short TAO track over the same blocks is padded with zeros, not with the old data.
    write10(&mut cd, &write10_cdb(0, 10), &blocks_of(0x77, 10)).unwrap();
    cd.synchronize().unwrap();
    assert_eq!(
        read10(&mut cd, &read10_cdb(9, 1)).unwrap(),
        blocks_of(0x77, 1)
    );
    assert_eq!(
        read10(&mut cd, &read10_cdb(10, 290)).unwrap(),
        blocks_of(0, 290)
    );
}

#[test]
fn the_saved_state_describes_the_last_synchronize() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write10(&mut cd, &write10_cdb(0, 1000), &blocks_of(1, 1000)).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    write10(&mut cd, &write10_cdb(12_402, 300), &blocks_of(2, 300)).unwrap();
    cd.synchronize().unwrap();
    // Not synchronized: not in the saved state.
    write10(&mut cd, &write10_cdb(12_854, 10), &blocks_of(3, 10)).unwrap();
    assert_eq!(
        cd.save_state(),
        json!({
            "format": "virtdrive/cd-r",
            "version": 1,
            "size": "80min",
            "sessions": [
                {
                    "tracks": [{ "number": 1, "start": 0, "recorded": 1000, "run_out": 2,
                                 "data_mode": 1, "control": 4 }],
                    "closing": "next-session-allowed",
                    "disc_type": 0
                },
                {
                    // 1002 + 11,400; open (not closed yet).
                    "tracks": [{ "number": 2, "start": 12402, "recorded": 300, "run_out": 2,
                                 "data_mode": 1, "control": 4 }],
                    "closing": null,
                    "disc_type": 0
                }
            ]
        })
    );
}

#[test]
fn a_saved_disc_loads_with_the_same_answers() {
    let mut cd = blank_80();
    tao_multisession(&mut cd);
    write10(&mut cd, &write10_cdb(0, 300), &blocks_of(9, 300)).unwrap();
    close(&mut cd, &CLOSE_SESSION).unwrap();
    let state = cd.save_state();
    let store = MemStore::new().boxed();
    let loaded = CdR::load_state(&state, store).unwrap();
    assert_eq!(loaded.kind(), MediumKind::CdR80);
    assert_eq!(
        disc_info(&loaded, &READ_DISC_INFORMATION),
        disc_info(&cd, &READ_DISC_INFORMATION)
    );
    assert_eq!(invisible_track(&loaded), invisible_track(&cd));
    let toc = [0x43, 0x02, 0x02, 0, 0, 0, 1, 0x03, 0x24, 0];
    assert_eq!(
        read_toc(&loaded, &toc).unwrap(),
        read_toc(&cd, &toc).unwrap()
    );
    assert_eq!(loaded.save_state(), state);
    // The write parameters are the drive's, not the disc's: back to the default.
    assert_eq!(
        loaded.write_parameters().unwrap().multi_session,
        MultiSession::NoNextSession
    );
}

fn load_err(state: serde_json::Value) -> String {
    let e = CdR::load_state(&state, MemStore::new().boxed()).unwrap_err();
    let message = e.to_string();
    if message.contains("session") {
        assert!(matches!(e, CdRStateError::Inconsistent(_)), "{e:?}");
    }
    message
}

fn one_session(track: serde_json::Value, closing: &str) -> serde_json::Value {
    json!({
        "format": "virtdrive/cd-r", "version": 1, "size": "74min",
        "sessions": [{ "tracks": [track], "closing": closing, "disc_type": 0 }]
    })
}

#[test]
fn corrupt_states_are_refused_naming_the_problem() {
    let good_track = json!({ "number": 1, "start": 0, "recorded": 300, "run_out": 2,
                             "data_mode": 1, "control": 4 });
    let loaded = CdR::load_state(
        &one_session(good_track.clone(), "finalized"),
        MemStore::new().boxed(),
    )
    .unwrap();
    assert_eq!(loaded.size(), CdRSize::Minutes74);

    let mut wrong_format = one_session(good_track.clone(), "finalized");
    wrong_format["format"] = json!("virtdrive/bd-re");
    assert_eq!(
        load_err(wrong_format),
        r#"CD-R state: format is "virtdrive/bd-re", expected "virtdrive/cd-r""#
    );
    let mut future = one_session(good_track.clone(), "finalized");
    future["version"] = json!(2);
    assert_eq!(
        load_err(future),
        "CD-R state: version 2 is not supported (this build reads version 1)"
    );
    let mut no_size = one_session(good_track.clone(), "finalized");
    no_size.as_object_mut().unwrap().remove("size");
    let message = load_err(no_size);
    assert!(message.contains("missing field `size`"), "{message}");

    let cases = [
        (
            json!({ "number": 2, "start": 0, "recorded": 300, "run_out": 2, "data_mode": 1,
                 "control": 4 }),
            "session 1, track 2: expected track number 1",
        ),
        (
            json!({ "number": 1, "start": 5, "recorded": 300, "run_out": 2, "data_mode": 1,
                 "control": 4 }),
            "session 1, track 1: starts at 5, expected 0",
        ),
        (
            json!({ "number": 1, "start": 0, "recorded": 299, "run_out": 2, "data_mode": 1,
                 "control": 4 }),
            "session 1, track 1: 299 blocks recorded, fewer than the minimum 300",
        ),
        (
            json!({ "number": 1, "start": 0, "recorded": 333000, "run_out": 2, "data_mode": 1,
                 "control": 4 }),
            "session 1, track 1: ends at 333002, past the lead-out limit 333000",
        ),
        (
            json!({ "number": 1, "start": 0, "recorded": 300, "run_out": 2, "data_mode": 3,
                 "control": 4 }),
            "session 1, track 1: data_mode 3 is not 1 or 2",
        ),
    ];
    for (track, expected) in cases {
        assert_eq!(
            load_err(one_session(track, "finalized")),
            format!("CD-R state: {expected}")
        );
    }

    // A second session that does not start at lead-out + 11,400 (302 + 11,400 = 11,702).
    let two = json!({
        "format": "virtdrive/cd-r", "version": 1, "size": "80min",
        "sessions": [
            { "tracks": [good_track], "closing": "next-session-allowed", "disc_type": 0 },
            { "tracks": [{ "number": 2, "start": 11552, "recorded": 300, "run_out": 2,
                           "data_mode": 1, "control": 4 }],
              "closing": null, "disc_type": 0 }
        ]
    });
    assert_eq!(
        load_err(two),
        "CD-R state: session 2, track 2: starts at 11552, expected 11702"
    );
}
