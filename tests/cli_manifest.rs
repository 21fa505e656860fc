//! `discwriter write --manifest FILE`: what a successful write recorded, with the BLAKE3 of
//! the data and of each 16 MiB chunk; no manifest when the write fails.

mod common;

use common::discwriter;

const FAULT_PLANS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/fault-plans");

#[test]
fn the_manifest_holds_the_blake3_of_the_image_and_of_each_16_mib_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let w = common::write_with_manifest(dir.path(), "bd-r", 5);
    let (manifest, data) = (w.manifest, w.data);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m["data"]["blake3"], blake3::hash(&data).to_hex().as_str());
    assert_eq!(m["data"]["bytes"], data.len() as u64);
    assert_eq!(m["chunk_bytes"], 16u64 << 20);
    let chunks = m["data"]["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0], blake3::hash(&data[..16 << 20]).to_hex().as_str());
    assert_eq!(chunks[1], blake3::hash(&data[16 << 20..]).to_hex().as_str());
    assert_eq!(m["sectors"], 8192 + 5);
    assert_eq!(m["start_lba"], 0);
    assert_eq!(m["session"], 1);
    assert_eq!(m["medium"]["profile"], 0x41);
    assert_eq!(m["medium"]["imapi_media_type"], "IMAPI_MEDIA_TYPE_BDR");
    assert_eq!(m["drive"]["vendor"], "VIRTDRV");
    assert!(m["ended_unix"].as_u64() >= m["started_unix"].as_u64());
}

#[test]
fn a_failed_write_leaves_no_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.bin");
    std::fs::write(&path, vec![0u8; 64 * 2048]).unwrap();
    let drive = format!("virt:dvd+r@{}", dir.path().join("disc").display());
    let manifest = dir.path().join("m.json");
    let plan = format!("{FAULT_PLANS}/write-protect-on-write.json");
    let o = discwriter(
        &[
            "write",
            path.to_str().unwrap(),
            "--drive",
            &drive,
            "--fault-plan",
            &plan,
            "--manifest",
            manifest.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E_IMAPI_RECORDER_MEDIA_WRITE_PROTECTED"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!manifest.exists());
}
