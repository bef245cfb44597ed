//! Generates the tool registry from `specs/*.yaml` (see `codegen/`). Thin on purpose: the
//! generator is a library; this only formats its tokens and writes them to `OUT_DIR`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let specs = Path::new("specs");
    println!("cargo:rerun-if-changed={}", specs.display());
    let generated = match ghl_codegen::generate(specs) {
        Ok(generated) => generated,
        Err(errors) => {
            for line in errors.to_string().lines() {
                println!("cargo::error={line}");
            }
            return ExitCode::FAILURE;
        }
    };
    for input in &generated.inputs {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for file in generated.files {
        let syntax = syn::parse2(file.tokens).expect("ghl-codegen emits valid Rust");
        let text = format!("{}{}", file.header, prettyplease::unparse(&syntax));
        let path = out_dir.join(&file.name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("OUT_DIR is writable");
        }
        // Rewriting an unchanged file would make cargo rebuild everything that includes it.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).expect("OUT_DIR is writable");
        }
    }
    ExitCode::SUCCESS
}
