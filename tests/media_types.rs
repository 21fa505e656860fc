//! IMAPI_MEDIA_PHYSICAL_TYPE: SupportedMediaTypes names every medium the writer records, by
//! the values Microsoft's imapi2.h gives them, and CurrentPhysicalMediaType names the disc
//! in the drive by its current profile.

mod common;

use common::*;
use discwriter::writer::MediaPhysicalType as M;
use mmc_core::Profile;
use virtdrive::medium::MediumKind;

#[test]
fn supported_media_types_are_imapis_values_for_every_medium_written() {
    let w = writer(drive(BD_RE), discwriter::WriteOptions::default());
    let types: Vec<(u32, &str)> = w
        .supported_media_types()
        .iter()
        .map(|t| (*t as u32, t.imapi_name()))
        .collect();
    // imapi2.h: CDR 2, CDRW 3, DVDRAM 5, DVDPLUSR 6, DVDPLUSRW 7, DVDPLUSR_DUALLAYER 8,
    // DVDDASHR 9, DVDDASHRW 10, DVDDASHR_DUALLAYER 11, BDR 18, BDRE 19.
    assert_eq!(
        types,
        [
            (2, "IMAPI_MEDIA_TYPE_CDR"),
            (3, "IMAPI_MEDIA_TYPE_CDRW"),
            (5, "IMAPI_MEDIA_TYPE_DVDRAM"),
            (6, "IMAPI_MEDIA_TYPE_DVDPLUSR"),
            (7, "IMAPI_MEDIA_TYPE_DVDPLUSRW"),
            (8, "IMAPI_MEDIA_TYPE_DVDPLUSR_DUALLAYER"),
            (9, "IMAPI_MEDIA_TYPE_DVDDASHR"),
            (10, "IMAPI_MEDIA_TYPE_DVDDASHRW"),
            (11, "IMAPI_MEDIA_TYPE_DVDDASHR_DUALLAYER"),
            (18, "IMAPI_MEDIA_TYPE_BDR"),
            (19, "IMAPI_MEDIA_TYPE_BDRE"),
        ]
    );
}

#[test]
fn the_current_profile_names_the_physical_type_as_imapi_does() {
    let rows = [
        (Profile::DvdRSequential, M::Dvddashr),
        (Profile::DvdRDualLayerSequential, M::DvddashrDualLayer),
        (Profile::DvdRDualLayerJump, M::DvddashrDualLayer),
        (Profile::DvdPlusRDualLayer, M::DvdplusrDualLayer),
        (Profile::BdRSrm, M::Bdr),
        (Profile::BdRRrm, M::Bdr),
    ];
    for (profile, want) in rows {
        assert_eq!(M::from_profile(profile), want, "{}", profile.name());
    }
    // In JSON the names are imapi2.h's without the prefix.
    let json =
        serde_json::to_string(&[M::DvdplusrDualLayer, M::DvddashrDualLayer, M::Dvddashr]).unwrap();
    assert_eq!(
        json,
        r#"["DVDPLUSR_DUALLAYER","DVDDASHR_DUALLAYER","DVDDASHR"]"#
    );
}

#[test]
fn a_bd_r_is_bdr_and_the_writer_supports_it() {
    let w = writer(drive(MediumKind::BdR), discwriter::WriteOptions::default());
    assert_eq!(w.current_physical_media_type().unwrap(), M::Bdr);
    assert!(w.is_current_media_supported().unwrap());
}
