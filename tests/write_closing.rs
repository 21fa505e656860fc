//! Whether a write closes the disc, as IMAPI documents it, read back from the drive: on
//! DVD+R Microsoft's DisableConsumerDvdCompatibilityMode table (the compatible close 101b by
//! default, the normal close 110b, or the session alone), on BD-R ForceMediaToBeClosed and
//! the 2 % rule only, on CD-R the 2 % rule over the space a further session could use, and
//! FINAL_SESSION by the same rule. Every case checks `disc_closed` against READ DISC
//! INFORMATION after the write.

mod common;

use common::*;
use discwriter::writer::media_state;
use discwriter::{DataWriter, DiscState, Recorder, WriteOptions};
use mmc_core::Transport;
use virtdrive::medium::{self, MediumKind};
use virtdrive::store::MemoryStore;
use virtdrive::{DriveConfig, EmulatedDrive};

/// What the drive says after a write: READ DISC INFORMATION's disc status and READ
/// CAPACITY's last LBA (0 while no session is closed).
fn read_back_state<T: Transport>(d: &mut T) -> (DiscState, u32) {
    let mut rec = Recorder::open(d).unwrap();
    let status = rec.disc_summary().unwrap().status;
    let capacity: mmc_core::response::CapacityData =
        rec.query(&mmc_core::cdb::ReadCapacity::default()).unwrap();
    (status, capacity.last_lba)
}

/// Writes `sectors` onto `d` with the two options; the outcome's `disc_closed`, the CLOSE
/// functions sent and the drive afterwards.
fn write_with(
    d: EmulatedDrive,
    sectors: u64,
    disable_compatibility: bool,
    force: bool,
) -> (bool, Vec<u8>, EmulatedDrive) {
    let options = WriteOptions {
        disable_consumer_dvd_compatibility_mode: disable_compatibility,
        force_media_to_be_closed: force,
        ..WriteOptions::default()
    };
    let (r, records, d) = traced_write(d, &image(sectors, 1), options);
    let out = r.unwrap_or_else(|e| panic!("{e}"));
    let functions = closes(&records).into_iter().map(|(f, _)| f).collect();
    (out.disc_closed, functions, d)
}

/// The first LBA at the emulated DVD+R's minimal radius (virtdrive's `dvd_plus_r` notes).
const MINIMAL_RADIUS_END: u32 = 266_720;

/// Microsoft's table: DisableConsumerDvdCompatibilityMode false closes a DVD+R in
/// compatible mode whatever ForceMediaToBeClosed says (101b: the data zone padded to the
/// minimal radius, so READ CAPACITY reaches it); true with ForceMediaToBeClosed closes it
/// normally (110b: the data zone ends with the data); true without closes only the session.
/// BD-R (the page is silent) ignores the option: ForceMediaToBeClosed alone closes it.
#[test]
fn the_disc_closes_as_microsoft_s_table_says() {
    // 100 sectors: DVD+R pads them to 112 (16-sector blocks), BD-R to 128 (32).
    // (medium, DisableConsumerDvdCompatibilityMode, ForceMediaToBeClosed, CLOSE functions,
    // disc state, READ CAPACITY's last LBA)
    let rows: [(MediumKind, bool, bool, [u8; 2], DiscState, u32); 8] = [
        (
            MediumKind::DvdPlusR,
            false,
            false,
            [0b001, 0b101],
            DiscState::Complete,
            MINIMAL_RADIUS_END - 1,
        ),
        (
            MediumKind::DvdPlusR,
            false,
            true,
            [0b001, 0b101],
            DiscState::Complete,
            MINIMAL_RADIUS_END - 1,
        ),
        (
            MediumKind::DvdPlusR,
            true,
            true,
            [0b001, 0b110],
            DiscState::Complete,
            111,
        ),
        (
            MediumKind::DvdPlusR,
            true,
            false,
            [0b001, 0b010],
            DiscState::Appendable,
            111,
        ),
        (
            MediumKind::BdR,
            false,
            false,
            [0b001, 0b010],
            DiscState::Appendable,
            127,
        ),
        (
            MediumKind::BdR,
            true,
            false,
            [0b001, 0b010],
            DiscState::Appendable,
            127,
        ),
        (
            MediumKind::BdR,
            false,
            true,
            [0b001, 0b110],
            DiscState::Complete,
            127,
        ),
        (
            MediumKind::BdR,
            true,
            true,
            [0b001, 0b110],
            DiscState::Complete,
            127,
        ),
    ];
    for (kind, disable, force, functions, state, last_lba) in rows {
        let what = format!("{} disable={disable} force={force}", kind.name());
        let (closed, sent, mut d) = write_with(drive(kind), 100, disable, force);
        assert_eq!(sent, functions, "{what}: CLOSE TRACK, then the close");
        assert_eq!(read_back_state(&mut d), (state, last_lba), "{what}");
        assert_eq!(closed, state == DiscState::Complete, "{what}: disc_closed");
    }
}

/// A CD-R 74 whose first session, closed and appendable, leaves `free` blocks for the next
/// track: the second session starts 11,400 blocks after the first track's run-out (lead-out
/// 6,750, lead-in 4,500, pre-gap 150), and a track's free blocks end 2 run-out blocks
/// before the lead-out limit 333,000 (the drive's whole disc is the 332,998 a first track
/// could hold).
fn cd_r74_with_free(free: u32) -> EmulatedDrive {
    let recorded = 333_000 - 2 - free - 11_400 - 2;
    let state = serde_json::json!({
        "format": "virtdrive/cd-r",
        "version": 1,
        "size": "74min",
        "sessions": [{
            "tracks": [{ "number": 1, "start": 0, "recorded": recorded, "run_out": 2,
                         "data_mode": 1, "control": 4 }],
            "closing": "next-session-allowed",
            "disc_type": 0
        }]
    });
    let m = medium::load(MediumKind::CdR74, &state, Box::new(MemoryStore::new())).unwrap();
    let mut d = EmulatedDrive::with_medium(DriveConfig::default(), m);
    let summary = Recorder::open(&mut d).unwrap().disc_summary().unwrap();
    assert_eq!(
        (summary.free_sectors, summary.total_sectors),
        (free, 332_998),
        "the disc as the drive reports it"
    );
    d
}

/// IMAPI closes a write-once disc when at most 2 % (6,659 of 332,998 blocks) would remain:
/// on CD-R counted after what a further session costs (this track's run-out 2, this
/// session's lead-out 2,250 after a first session, the next lead-in 4,500 and pre-gap
/// 150: 6,902). The write's own post-gap is 150. `left` is what the drive's free blocks
/// would be after the write; `disc_closed` must be what READ DISC INFORMATION then says.
#[test]
fn the_cd_2_percent_rule_counts_what_a_further_session_costs() {
    let free = 21_596;
    // (blocks left after the write, disc closed)
    let rows = [
        // 198 usable: less than a track (300); the drive completes the disc whatever
        // page 05h asked.
        (7_100, true),
        // 2,098 usable, under 2 %: IMAPI closes the disc.
        (9_000, true),
        // 6,659 usable: within 2 %.
        (6_659 + 6_902, true),
        // 6,660 usable: over 2 %; the disc stays appendable.
        (6_660 + 6_902, false),
        (14_000, false),
    ];
    for (left, closed) in rows {
        let sectors = u64::from(free - 150 - left);
        let (disc_closed, _, mut d) = write_with(cd_r74_with_free(free), sectors, false, false);
        let (state, _) = read_back_state(&mut d);
        assert_eq!(
            (disc_closed, state),
            (
                closed,
                if closed {
                    DiscState::Complete
                } else {
                    DiscState::Appendable
                }
            ),
            "{left} blocks left"
        );
    }
}

/// FINAL_SESSION is set when the next write, however small, closes the disc under the same
/// rule: on CD-R when the free blocks less a post-gap and the 6,902 a further session costs
/// are at most 2 % of the disc.
#[test]
fn final_session_says_the_next_write_closes_the_disc() {
    // (free blocks, FINAL_SESSION)
    let rows = [
        (150 + 6_902 + 6_659, true),
        (150 + 6_902 + 6_660, false),
        (9_000, true),
        (30_000, false),
    ];
    for (free, last) in rows {
        let w: DataWriter<EmulatedDrive> = writer(cd_r74_with_free(free), WriteOptions::default());
        let flags = w.current_media_status().unwrap();
        assert_ne!(flags & media_state::APPENDABLE, 0, "{free}");
        assert_eq!(
            flags & media_state::FINAL_SESSION != 0,
            last,
            "{free} free: {flags:#x}"
        );
        // A final session is the last: the next write closes the disc.
        let (r, _) = write_collecting(&w, &image(16, 2));
        if last {
            assert!(r.unwrap().disc_closed, "{free} free");
        }
    }
}
