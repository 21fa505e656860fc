//! Builds the preload shim (`shim/*.c`) into `libvirtdrive_shim.so` in OUT_DIR on
//! Linux targets, and tells the crate where it is (`VIRTDRIVE_SHIM`, read by
//! `virtdrive::run::shim_path`). Elsewhere, or without a working C compiler, nothing is
//! built and `virtdrive run` says so; the rest of the crate builds and works the same.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=shim");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        println!("cargo:warning=OUT_DIR is not set: the preload shim is not built");
        return;
    };
    let sources = [
        "shim/virtdrive_shim.c",
        "shim/shim_files.c",
        "shim/shim_block.c",
        "shim/shim_ioctl.c",
        "shim/shim_wire.c",
    ];
    let object = out_dir.join("libvirtdrive_shim.so");
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
            return;
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
        .arg(&object)
        .args(sources)
        .args(["-ldl", "-lpthread"]);
    match command.status() {
        Ok(s) if s.success() => {
            println!("cargo:rustc-env=VIRTDRIVE_SHIM={}", object.display());
        }
        Ok(s) => {
            println!(
                "cargo:warning=building the preload shim failed ({s}): virtdrive run will not work"
            );
        }
        Err(e) => {
            println!("cargo:warning=cannot run the C compiler for the preload shim ({e}): virtdrive run will not work");
        }
    }
}
