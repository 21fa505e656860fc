//! Seed inputs for the cargo-fuzz targets in `fuzz/`, taken from the same valid encodings the
//! byte-vector tests check. `cargo run -p mmc-core --example write_fuzz_seeds` writes them to
//! `fuzz/seeds/`; a test checks the committed files are current.

use crate::cdb::sample_cdbs;
use crate::response::{parsers, sample_responses};
use crate::sense::{triples, SenseBuilder, SenseFormat, SenseKeySpecific, SenseTriple};

/// One seed: the fuzz target, a file name, the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    pub target: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every seed of every target.
pub fn all() -> Vec<Seed> {
    let mut seeds = Vec::new();
    for (i, cdb) in sample_cdbs().into_iter().enumerate() {
        let name = format!(
            "seed-{i:02}-{:02x}",
            cdb.first().copied().unwrap_or_default()
        );
        seeds.push(Seed {
            target: "cdb",
            name,
            bytes: cdb,
        });
    }
    let sense_cases: [(SenseTriple, Option<SenseKeySpecific>); 6] = [
        (triples::MEDIUM_NOT_PRESENT_TRAY_OPEN, None),
        (
            triples::FORMAT_IN_PROGRESS,
            Some(SenseKeySpecific::Progress(0x1234)),
        ),
        (
            triples::INVALID_FIELD_IN_CDB,
            Some(SenseKeySpecific::FieldPointer {
                in_cdb: true,
                bit: Some(5),
                byte: 1,
            }),
        ),
        (
            triples::LOSS_OF_STREAMING,
            Some(SenseKeySpecific::RetryCount(3)),
        ),
        (triples::WRITE_PROTECTED, None),
        (triples::POWER_CALIBRATION_AREA_ERROR, None),
    ];
    for (i, (triple, sks)) in sense_cases.into_iter().enumerate() {
        for format in [SenseFormat::Fixed, SenseFormat::Descriptor] {
            let mut b = SenseBuilder::new(triple).information(0x1000 + i as u64);
            if let Some(sks) = sks {
                b = b.sense_key_specific(sks);
            }
            let bytes = b.build(format);
            let tag = match format {
                SenseFormat::Fixed => "fixed",
                SenseFormat::Descriptor => "descriptor",
            };
            seeds.push(Seed {
                target: "sense",
                name: format!("seed-{i:02}-{tag}"),
                bytes: bytes.to_vec(),
            });
        }
    }
    // The responses target takes the parser's index in its first byte.
    let names: Vec<&str> = parsers().iter().map(|(name, _)| *name).collect();
    for (i, (name, bytes)) in sample_responses().into_iter().enumerate() {
        let Some(index) = names.iter().position(|n| *n == name) else {
            continue;
        };
        // The target takes the index modulo the number of parsers.
        let mut input = vec![u8::try_from(index).unwrap_or(0)];
        input.extend_from_slice(&bytes);
        seeds.push(Seed {
            target: "responses",
            name: format!("seed-{i:02}-{}", slug(name)),
            bytes: input,
        });
    }
    seeds.push(Seed {
        target: "transcript",
        name: "seed-00-inquiry".into(),
        bytes: br#"{"seq":1,"command":"INQUIRY","cdb":"12 00 00 00 24 00","direction":"in","length":36,"timeout_ms":10000,"outcome":{"completed":{"status":0,"sense":"","residual":31,"data_in":"05 80 00 32 1F","data_in_blake3":"00"}}}"#
            .to_vec(),
    });
    seeds.push(Seed {
        target: "transcript",
        name: "seed-01-timeout".into(),
        bytes: br#"{"seq":1,"command":"TEST UNIT READY","cdb":"00 00 00 00 00 00","direction":"none","length":0,"timeout_ms":10000,"outcome":{"failed":{"kind":"timeout"}}}"#
            .to_vec(),
    });
    seeds
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
