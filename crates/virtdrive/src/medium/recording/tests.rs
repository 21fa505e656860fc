//! The shared layout against each medium's geometry row: where tracks and sessions go, what
//! closing records, when the disc is complete.

use super::{DiscState, Layout, RecordingGeometry};
use crate::medium::cd_r::CdRSize;
use crate::medium::sequential::{BD_R, DVD_PLUS_R};

type Plain = Layout<(), ()>;

fn cd() -> &'static RecordingGeometry {
    CdRSize::Minutes80.geometry()
}

/// Writes `blocks` at the next writable address and closes the track.
fn track(disc: &mut Plain, g: &RecordingGeometry, blocks: u32) {
    let next = disc
        .write_target(g, nwa(disc, g), blocks)
        .expect("writable");
    disc.record(&next, blocks, ());
    if let Some((_, pad)) = disc.padding(g, true) {
        disc.pad(pad);
    }
    disc.close_track(g).expect("a track was open");
}

fn nwa(disc: &Plain, g: &RecordingGeometry) -> i64 {
    disc.writable_track(g)
        .expect("writable")
        .next_writable_address()
}

fn close_session(disc: &mut Plain, g: &RecordingGeometry) -> u32 {
    let finalize = !disc.room_after_closing(g);
    disc.close_session(g, (), finalize)
        .expect("an open session")
}

#[test]
fn tracks_and_sessions_go_where_each_medium_puts_them() {
    // (geometry, second track's NWA after 40 blocks, first track of session 2, close cost)
    let rows: [(&RecordingGeometry, i64, i64, u32); 3] = [
        // CD: 40 blocks padded to 300, 2 run-out, 150 pre-gap; then lead-out 6,750, lead-in
        // 4,500 and pre-gap 150; the close records the lead-in and the lead-out.
        (cd(), 452, 452 + 300 + 2 + 11_400, 4_500 + 6_750),
        // DVD+R: 40 sectors padded to 48; Closure and Intro of 1,024 each; the Closure.
        (&DVD_PLUS_R.recording, 48, 96 + 2_048, 1_024),
        // BD-R: 40 sectors padded to 64; sessions cost no room.
        (&BD_R.recording, 64, 128, 0),
    ];
    for (g, second, next_session, cost) in rows {
        let mut disc = Plain::blank();
        assert_eq!(disc.state(), DiscState::Blank);
        assert_eq!(nwa(&disc, g), 0, "{g:?}");
        track(&mut disc, g, 40);
        assert_eq!(nwa(&disc, g), second, "{g:?}");
        track(&mut disc, g, 40);
        assert_eq!(disc.state(), DiscState::OpenSession);
        assert_eq!(close_session(&mut disc, g), cost, "{g:?}");
        assert_eq!(disc.state(), DiscState::Appendable);
        let next = disc.writable_track(g).expect("appendable");
        assert_eq!((next.number, next.session), (3, 2), "{g:?}");
        assert_eq!(next.start, next_session, "{g:?}");
        assert_eq!(
            disc.lead_in_start(g, 1) + i64::from(g.lead_in) + i64::from(g.track_gap),
            next_session,
            "{g:?}: session 2's lead-in, then the gap, then its first track"
        );
    }
}

#[test]
fn a_close_that_leaves_no_room_for_another_session_completes_the_disc() {
    for g in [cd(), &DVD_PLUS_R.recording, &BD_R.recording] {
        let mut disc = Plain::blank();
        // One track leaving the next session one block less than it needs: the track, its
        // run-out, the lead-out, lead-in and gap, and the run-out kept free at the end.
        let overhead = g.lead_out(0) + g.lead_in + g.track_gap + 2 * g.run_out;
        let blocks = g.capacity - overhead - g.min_next_session + 1;
        let mut roomier = Plain::blank();
        track(&mut roomier, g, g.round_up(blocks) - g.ecc_block);
        assert!(
            roomier.room_after_closing(g),
            "{g:?}: one block more is enough"
        );
        track(&mut disc, g, g.round_up(blocks));
        assert!(!disc.room_after_closing(g), "{g:?}");
        close_session(&mut disc, g);
        assert_eq!(disc.state(), DiscState::Complete, "{g:?}");
        assert_eq!(disc.writable_track(g), None, "{g:?}");
        assert_eq!(disc.invisible_track(g), None, "{g:?}");
    }
}

#[test]
fn a_write_away_from_the_next_writable_address_or_past_the_room_is_refused() {
    use mmc_core::sense::triples;
    for g in [cd(), &DVD_PLUS_R.recording, &BD_R.recording] {
        let disc = Plain::blank();
        let wrong = disc.write_target(g, 1, 1).expect_err("not the NWA");
        assert_eq!(wrong.triple, triples::INVALID_ADDRESS_FOR_WRITE);
        assert_eq!(wrong.information, Some(1));
        let free = disc.writable_track(g).expect("blank").free;
        let past = disc.write_target(g, 0, free + 1).expect_err("past the end");
        assert_eq!(past.triple, triples::END_OF_USER_AREA);
        assert!(disc.write_target(g, 0, free).is_ok());
    }
}

#[test]
fn the_first_unreadable_block_is_the_first_outside_every_tracks_data() {
    let g = cd();
    let mut disc = Plain::blank();
    track(&mut disc, g, 300);
    assert_eq!(disc.first_unreadable(0, 300), None);
    // The run-out of track 1.
    assert_eq!(disc.first_unreadable(290, 20), Some(300));
    assert_eq!(disc.first_unreadable(-1, 2), Some(-1));
}
