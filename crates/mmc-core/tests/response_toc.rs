//! READ TOC/PMA/ATIP formats 0, 1 and 2, and MSF addresses, both directions.

use mmc_core::response::msf::Msf;
use mmc_core::response::toc::*;
use mmc_core::response::ResponseFormat;
use mmc_core::ParseError;
use proptest::prelude::*;

/// Format 0 of a two-session data CD (LBA addressing): tracks 1 and 2, then the lead-out.
const TWO_TRACK_TOC: [u8; 28] = [
    0x00, 0x1A, // TOC data length: 26
    0x01, // first track
    0x02, // last track
    0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, // ADR 1, CONTROL 4 (data), track 1 at LBA 0
    0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x3A, 0x98, // track 2 at LBA 15,000
    0x00, 0x16, 0xAA, 0x00, 0x00, 0x00, 0x4E,
    0x20, // lead-out (CONTROL 6: data, copy permitted) at 20,000
];

#[test]
fn formatted_toc_parses_and_builds() {
    let t = FormattedToc::parse(&TWO_TRACK_TOC).unwrap();
    assert_eq!((t.first_track, t.last_track), (1, 2));
    assert_eq!(
        t.tracks,
        vec![
            TrackDescriptor {
                adr: 1,
                control: 4,
                track_number: 1,
                address: 0
            },
            TrackDescriptor {
                adr: 1,
                control: 4,
                track_number: 2,
                address: 15_000
            },
            TrackDescriptor {
                adr: 1,
                control: 6,
                track_number: LEAD_OUT_TRACK,
                address: 20_000
            },
        ]
    );
    assert!(t.tracks[0].is_data());
    assert_eq!(t.lead_out().map(|d| d.lba(false)), Some(20_000));
    assert_eq!(t.to_bytes(), TWO_TRACK_TOC);
}

#[test]
fn msf_addresses_decode_to_lbas() {
    // The same lead-out with MSF=1: 04:28:50 = (4*60+28)*75+50-150 = 20,000.
    let d = TrackDescriptor {
        adr: 1,
        control: 4,
        track_number: 0xAA,
        address: 0x0004_1C32,
    };
    assert_eq!(d.lba(true), 20_000);
    assert_eq!(Msf::from_lba(20_000), Some(Msf::new(4, 28, 50)));
}

#[test]
fn formatted_toc_malformed() {
    let t = FormattedToc::parse(&TWO_TRACK_TOC[..16]).unwrap();
    assert_eq!(t.tracks.len(), 1);
    assert_eq!(t.cut_bytes, 12);
    let mut b = TWO_TRACK_TOC;
    b[1] = 0x19; // 25: not 2 + a multiple of 8
    assert_eq!(
        FormattedToc::parse(&b),
        Err(ParseError::BadLength {
            what: "READ TOC format 0 data",
            field: "TOC data length",
            value: 0x19
        })
    );
    b[1] = 0x01;
    assert!(matches!(
        FormattedToc::parse(&b),
        Err(ParseError::BadLength { value: 1, .. })
    ));
    assert!(matches!(
        FormattedToc::parse(&TWO_TRACK_TOC[..3]),
        Err(ParseError::Truncated { .. })
    ));
    // A shorter length than the bytes sent bounds the list.
    let mut b = TWO_TRACK_TOC;
    b[1] = 0x0A;
    assert_eq!(FormattedToc::parse(&b).unwrap().tracks.len(), 1);
}

/// Format 1 after the second session: it starts with track 2 at LBA 15,000.
const MULTI_SESSION: [u8; 12] = [
    0x00, 0x0A, // TOC data length: 10
    0x01, // first complete session
    0x02, // last complete session
    0x00, 0x14, 0x02, 0x00, 0x00, 0x00, 0x3A, 0x98, // first track of the last session
];

#[test]
fn multi_session_information_parses_and_builds() {
    let m = MultiSessionInfo::parse(&MULTI_SESSION).unwrap();
    assert_eq!(m.first_complete_session, 1);
    assert_eq!(m.last_complete_session, 2);
    assert_eq!(m.first_track_in_last_session.track_number, 2);
    assert_eq!(m.first_track_in_last_session.lba(false), 15_000);
    assert_eq!(m.to_bytes(), MULTI_SESSION);
    assert!(matches!(
        MultiSessionInfo::parse(&MULTI_SESSION[..11]),
        Err(ParseError::Truncated { .. })
    ));
    let mut b = MULTI_SESSION;
    b[1] = 0x02; // no descriptor announced
    assert!(matches!(
        MultiSessionInfo::parse(&b),
        Err(ParseError::BadLength { value: 2, .. })
    ));
}

/// Format 2 of a closed one-session CD with one data track.
const RAW_TOC: [u8; 48] = [
    0x00, 0x2E, // TOC data length: 46 (4 entries)
    0x01, 0x01, // first and last complete session
    0x01, 0x14, 0x00, 0xA0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, // A0: first track 1, disc type 00h
    0x01, 0x14, 0x00, 0xA1, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // A1: last track 1
    0x01, 0x14, 0x00, 0xA2, 0x00, 0x00, 0x00, 0x00, 0x04, 0x1C, 0x32, // A2: lead-out 04:28:50
    0x01, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, // track 1 at 00:02:00
];

#[test]
fn raw_toc_parses_and_builds() {
    let t = RawToc::parse(&RAW_TOC).unwrap();
    assert_eq!(t.entries.len(), 4);
    let points: Vec<_> = t.entries.iter().map(|e| e.point).collect();
    assert_eq!(
        points,
        [
            TocPoint::FirstTrack,
            TocPoint::LastTrack,
            TocPoint::LeadOut,
            TocPoint::Track(1)
        ]
    );
    assert_eq!(t.entries[0].p_time.minute, 1);
    assert_eq!(t.entries[3].p_time.to_lba(), 0);
    assert_eq!(t.lead_out_lba(1), Some(20_000));
    assert_eq!(t.lead_out_lba(2), None);
    assert_eq!(
        t.entries[2],
        RawTocEntry {
            session: 1,
            adr: 1,
            control: 4,
            tno: 0,
            point: TocPoint::LeadOut,
            time: Msf::new(0, 0, 0),
            zero: 0,
            p_time: Msf::new(4, 28, 50),
        }
    );
    assert_eq!(t.to_bytes(), RAW_TOC);
}

#[test]
fn raw_toc_points_cover_the_lead_in_pointers() {
    assert_eq!(TocPoint::from_u8(0xB0), TocPoint::NextProgramArea);
    assert_eq!(TocPoint::from_u8(0xC0), TocPoint::FirstLeadIn);
    assert_eq!(TocPoint::from_u8(0x63), TocPoint::Track(99));
    assert_eq!(TocPoint::from_u8(0x64), TocPoint::Other(0x64));
    assert_eq!(TocPoint::from_u8(0xB1), TocPoint::Other(0xB1));
    for v in 0..=255u8 {
        assert_eq!(TocPoint::from_u8(v).to_u8(), v);
    }
}

#[test]
fn raw_toc_malformed() {
    let mut b = RAW_TOC;
    b[1] = 0x2D; // 45: not 2 + a multiple of 11
    assert_eq!(
        RawToc::parse(&b),
        Err(ParseError::BadLength {
            what: "READ TOC format 2 data",
            field: "TOC data length",
            value: 0x2D
        })
    );
    let t = RawToc::parse(&RAW_TOC[..30]).unwrap();
    assert_eq!(t.entries.len(), 2);
    assert_eq!(t.cut_bytes, 18);
    let (_, _, lazy, _) = RawToc::entries_of(&RAW_TOC).unwrap();
    assert_eq!(lazy.count(), 4);
}

fn track_descriptor() -> impl Strategy<Value = TrackDescriptor> {
    (0u8..16, 0u8..16, any::<u8>(), any::<u32>()).prop_map(
        |(adr, control, track_number, address)| TrackDescriptor {
            adr,
            control,
            track_number,
            address,
        },
    )
}

fn msf() -> impl Strategy<Value = Msf> {
    any::<[u8; 3]>().prop_map(Msf::from_bytes)
}

fn raw_entry() -> impl Strategy<Value = RawTocEntry> {
    (
        any::<u8>(),
        0u8..16,
        0u8..16,
        any::<u8>(),
        any::<u8>(),
        msf(),
        any::<u8>(),
        msf(),
    )
        .prop_map(
            |(session, adr, control, tno, point, time, zero, p_time)| RawTocEntry {
                session,
                adr,
                control,
                tno,
                point: TocPoint::from_u8(point),
                time,
                zero,
                p_time,
            },
        )
}

proptest! {
    #[test]
    fn formatted_toc_round_trips(first: u8, last: u8, tracks in proptest::collection::vec(track_descriptor(), 0..100)) {
        let t = FormattedToc { first_track: first, last_track: last, tracks, cut_bytes: 0 };
        prop_assert_eq!(FormattedToc::parse(&t.to_bytes()), Ok(t));
    }

    #[test]
    fn multi_session_round_trips(first: u8, last: u8, d in track_descriptor()) {
        let m = MultiSessionInfo { first_complete_session: first, last_complete_session: last, first_track_in_last_session: d, cut_bytes: 0 };
        prop_assert_eq!(MultiSessionInfo::parse(&m.to_bytes()), Ok(m));
    }

    #[test]
    fn raw_toc_round_trips(first: u8, last: u8, entries in proptest::collection::vec(raw_entry(), 0..60)) {
        let t = RawToc { first_complete_session: first, last_complete_session: last, entries, cut_bytes: 0 };
        prop_assert_eq!(RawToc::parse(&t.to_bytes()), Ok(t));
    }

    #[test]
    fn msf_and_lba_convert_both_ways(lba in -45_150i32..=404_849) {
        let m = Msf::from_lba(lba).unwrap();
        prop_assert!(m.is_valid());
        prop_assert_eq!(m.to_lba(), lba);
        prop_assert_eq!(m.minute >= 90, lba < -150);
    }

    #[test]
    fn lbas_outside_the_msf_range_have_no_msf(lba: i32) {
        prop_assume!(!(-45_150..=404_849).contains(&lba));
        prop_assert_eq!(Msf::from_lba(lba), None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_toc_parsers(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(t) = FormattedToc::parse(&b) {
            prop_assert!(4 + 8 * t.tracks.len() <= b.len());
        }
        let _ = MultiSessionInfo::parse(&b);
        if let Ok(t) = RawToc::parse(&b) {
            prop_assert!(4 + 11 * t.entries.len() <= b.len());
        }
    }
}
