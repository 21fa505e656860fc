//! The seed corpora committed under fuzz/seeds/ are the valid encodings the byte-vector tests
//! check, and are current: regenerate them with
//! `cargo run -p mmc-core --example write_fuzz_seeds` after changing an encoder.

use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn committed_fuzz_seeds_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let mut on_disk = BTreeMap::new();
    for target in ["cdb", "sense", "responses", "transcript"] {
        let dir = root.join(target);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            on_disk.insert(
                (target.to_string(), name),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    let generated: BTreeMap<_, _> = mmc_core::fuzz_seeds::all()
        .into_iter()
        .map(|s| ((s.target.to_string(), s.name), s.bytes))
        .collect();
    assert_eq!(
        on_disk.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "seed files differ; run the write_fuzz_seeds example"
    );
    for (key, bytes) in &generated {
        assert_eq!(
            &on_disk[key], bytes,
            "seed {key:?} is stale; run the write_fuzz_seeds example"
        );
    }
    // every target has seeds, and every CDB seed is a command the decoder accepts
    for target in ["cdb", "sense", "responses", "transcript"] {
        assert!(
            generated.keys().any(|(t, _)| t == target),
            "no seeds for {target}"
        );
    }
    for ((target, name), bytes) in &generated {
        if target == "cdb" {
            assert!(mmc_core::Command::decode(bytes).is_ok(), "{name}");
        }
        if target == "sense" {
            assert!(mmc_core::sense::Sense::parse(bytes).is_ok(), "{name}");
        }
        if target == "responses" {
            let parsers = mmc_core::response::parsers();
            let (parser_name, parse) = parsers[usize::from(bytes[0]) % parsers.len()];
            assert_eq!(parse(&bytes[1..]), Ok(()), "{name} through {parser_name}");
        }
    }
}
