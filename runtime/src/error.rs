//! What can go wrong with a call, in words a model (or a person) can act on.

use crate::args::ArgumentError;
use crate::config::ConfigError;

/// Why a tool call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The arguments were refused before anything was sent.
    #[error(transparent)]
    Arguments(#[from] ArgumentError),
    /// The configuration does not allow the call (no token, say).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// GHL answered with an error status.
    #[error("GHL answered {status}{}: {message}{}", reason(*.status), trace_suffix(.trace_id))]
    Http {
        /// HTTP status code.
        status: u16,
        /// GHL's message (its `message`, `error` or `msg`), or the start of the body.
        message: String,
        /// GHL's `traceId`, for support requests.
        trace_id: Option<String>,
    },
    /// No answer: the connection failed or the request timed out.
    #[error("could not reach GHL: {message}")]
    Network {
        /// What failed.
        message: String,
        /// Whether the request may have reached GHL (false when the connection never opened).
        maybe_sent: bool,
    },
}

fn reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

fn trace_suffix(trace_id: &Option<String>) -> String {
    trace_id
        .as_ref()
        .map(|t| format!(" (traceId {t})"))
        .unwrap_or_default()
}

impl CallError {
    /// The HTTP status, when GHL answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}
