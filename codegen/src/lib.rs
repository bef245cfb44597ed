//! `ghl-codegen`: turns `specs/*.yaml` into Rust parameter types, JSON Schemas and a tool
//! registry for ghl-mcp.
//!
//! A pure library: it reads spec files and returns tokens; the caller (the root `build.rs`)
//! formats and writes them. It never depends on the runtime or the binary.
//!
//! ```text
//! load (serde-saphyr, spans) → validate (every error, file:line:col) → resolve → generate
//! ```

pub mod conformance;
pub mod docs;
pub mod error;
pub mod examples;
pub mod load;
pub mod model;
pub mod naming;
pub mod openapi;
pub mod rust;
pub mod schema;
pub mod spec;
pub mod validate;

use std::path::{Path, PathBuf};

pub use error::{SpecError, SpecErrors};
pub use rust::GeneratedFile;

/// What `generate` produced.
#[derive(Debug)]
pub struct Generated {
    /// The spec files read, for `cargo:rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
    /// The files to write: one per app and `registry.rs`.
    pub files: Vec<GeneratedFile>,
}

/// Loads, validates and generates every spec in `dir`.
pub fn generate(dir: &Path) -> Result<Generated, SpecErrors> {
    let specs = load::load_dir(dir)?;
    validate::validate(&specs)?;
    let apps = model::resolve(&specs);
    Ok(Generated {
        inputs: specs.iter().map(|s| s.file.clone()).collect(),
        files: rust::generate_files(&apps),
    })
}
