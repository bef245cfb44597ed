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
pub use load::LoadedSpec;
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
    Ok(Generated {
        files: generate_specs(&specs)?,
        inputs: specs.into_iter().map(|s| s.file).collect(),
    })
}

/// Validates and generates specs already in memory (see [`load::parse`]): what [`generate`]
/// does after reading the directory, for tests and the fuzz targets that have no files.
pub fn generate_specs(specs: &[LoadedSpec]) -> Result<Vec<GeneratedFile>, SpecErrors> {
    validate::validate(specs)?;
    Ok(rust::generate_files(&model::resolve(specs)))
}
