//! Generates the real tool registry from `../specs`, as the root `build.rs` does, so the
//! `build_request` target fuzzes the ~570 tools the binary ships. The tokens are written
//! unformatted: `include!` does not care, and no one reads these files.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let specs = manifest.join("../specs");
    println!("cargo:rerun-if-changed={}", specs.display());
    let generated = ghl_codegen::generate(&specs).unwrap_or_else(|errors| panic!("{errors}"));
    for input in &generated.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    for file in generated.files {
        let path = out_dir.join(&file.name);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("OUT_DIR");
        std::fs::write(&path, file.tokens.to_string()).expect("OUT_DIR is writable");
    }
}
