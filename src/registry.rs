//! The tools generated from `specs/*.yaml` at build time.
include!(concat!(env!("OUT_DIR"), "/registry.rs"));
