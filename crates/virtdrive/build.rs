//! Builds the preload shim (`shim/*.c`) into `libvirtdrive_shim.so` in OUT_DIR on Linux
//! targets. `virtdrive::run::shim` embeds that file in the crate (`include_bytes!`), so an
//! installed `virtdrive` carries its shim and needs no build directory. Elsewhere, or without a
//! working C compiler, the file is written empty: the crate builds and works the same, and
//! `virtdrive run` says that this build has no preload shim.

use std::path::{Path, PathBuf};

/// The file the crate embeds; empty means "no shim in this build".
const SHIM: &str = "libvirtdrive_shim.so";

fn main() {
    println!("cargo:rerun-if-changed=shim");
    println!("cargo:rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        // Cargo always sets OUT_DIR for a build script; the crate's include_bytes! needs it.
        println!("cargo:warning=OUT_DIR is not set: the preload shim is not built");
        return;
    };
    let object = out_dir.join(SHIM);
    let built = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") && build(&object);
    if !built {
        // The crate embeds the file whatever happened: an empty one says there is no shim.
        if let Err(e) = std::fs::write(&object, b"") {
            println!("cargo:warning=cannot write {}: {e}", object.display());
        }
    }
}

/// Compiles and links the shim into `object`; false (with a warning) when that fails.
fn build(object: &Path) -> bool {
    let sources = [
        "shim/virtdrive_shim.c",
        "shim/shim_files.c",
        "shim/shim_block.c",
        "shim/shim_ioctl.c",
        "shim/shim_cdrom.c",
        "shim/shim_wire.c",
        "shim/shim_sysfs.c",
        "shim/shim_sleep.c",
    ];
    // cc knows the target's C compiler and its flags; it builds static archives only, so the
    // shared object is linked here with the same compiler.
    let compiler = match cc::Build::new()
        .cargo_metadata(false)
        .pic(true)
        .try_get_compiler()
    {
        Ok(c) => c,
        Err(e) => {
            println!("cargo:warning=no C compiler for the preload shim ({e}): virtdrive run will not work");
            return false;
        }
    };
    let mut command = compiler.to_command();
    command
        .args([
            "-shared",
            "-fPIC",
            "-std=gnu11",
            "-Wall",
            "-Wextra",
            "-U_FORTIFY_SOURCE",
            "-fvisibility=hidden",
            "-o",
        ])
        .arg(object)
        .args(sources)
        .args(["-ldl", "-lpthread"]);
    match command.status() {
        Ok(s) if s.success() => true,
        Ok(s) => {
            println!(
                "cargo:warning=building the preload shim failed ({s}): virtdrive run will not work"
            );
            false
        }
        Err(e) => {
            println!("cargo:warning=cannot run the C compiler for the preload shim ({e}): virtdrive run will not work");
            false
        }
    }
}
