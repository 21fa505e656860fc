//! Writes the seed corpora of the cargo-fuzz targets to `fuzz/seeds/<target>/`.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let seeds = mmc_core::fuzz_seeds::all();
    for target in ["cdb", "sense", "responses", "transcript"] {
        let dir = root.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
    }
    for s in &seeds {
        std::fs::write(root.join(s.target).join(&s.name), &s.bytes)?;
    }
    println!("wrote {} seeds under {}", seeds.len(), root.display());
    Ok(())
}
