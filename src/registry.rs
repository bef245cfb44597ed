//! The tools generated from `specs/*.yaml` at build time (see `build.rs` and `codegen/`).
include!(concat!(env!("OUT_DIR"), "/registry.rs"));
