//! `ghl-runtime`: what every ghl-mcp tool runs through.
//!
//! It knows nothing of the specs: generated code describes each tool as a [`ToolDef`], and
//! this crate turns a tool's JSON arguments into a [`Request`] (typed validation, enum checks,
//! the configured location, percent-encoded path segments) and sends it with a [`Client`]
//! (reqwest over rustls, one process-wide [`RateLimiter`] keyed by location, structured GHL
//! errors).

pub mod args;
pub mod batch;
mod client;
mod config;
mod error;
mod limiter;
mod probe;
pub mod projection;
mod request;
mod response;
pub mod result_cap;
mod tool;

pub use args::{ArgumentError, At, FromArgs, check_args};
pub use batch::{BatchError, BatchOptions, BatchProgress, BatchReport, OnError, execute_batch};
pub use client::Client;
pub use config::{Config, ConfigError, DEFAULT_BASE_URL, MAX_RETRIES, Secret};
pub use error::CallError;
pub use limiter::{RateLimitError, RateLimiter, RateQuota, RateSignal};
pub use probe::Probe;
pub use request::Request;
pub use response::DEFAULT_MAX_RESPONSE_BYTES;
pub use tool::{Annotations, AppDef, ArgDef, EnumRule, Method, Place, ToolDef};
