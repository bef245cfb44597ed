//! What can go wrong with a call, in words a model (or a person) can act on.

use crate::args::ArgumentError;
use crate::config::ConfigError;
use crate::limiter::RateLimitError;

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
    #[error("GHL answered {status}{}: {message}{}{}", status_text(*.status), trace_suffix(.trace_id), hint_suffix(.message, .trace_id, .hint))]
    Http {
        /// HTTP status code.
        status: u16,
        /// GHL's message (its `message`, `error` or `msg`), or the start of the body.
        message: String,
        /// GHL's `traceId`, for support requests.
        trace_id: Option<String>,
        /// What to do about it, when ghl-mcp knows (the scopes a refused token needs, say).
        hint: Option<String>,
    },
    /// GHL answered with a success status but a body it should not send (an HTML page, or JSON
    /// that does not parse).
    #[error(
        "GHL answered {status}{} with {reason}; the request reached GHL, so if it was a write, \
         check whether it took effect before repeating it",
        status_text(*.status)
    )]
    BadResponse {
        /// HTTP status code.
        status: u16,
        /// What was wrong with the body.
        reason: String,
    },
    /// GHL's answer was larger than the client reads; it was dropped unread.
    #[error(
        "GHL's answer ({} {}) is larger than {} MiB and was not read to the end: ask for less \
         (a smaller page or limit, or filters)",
        .status.as_u16(), .status.canonical_reason().unwrap_or(""), .limit / (1024 * 1024)
    )]
    TooLarge {
        /// The status GHL answered with.
        status: reqwest::StatusCode,
        /// The most bytes read.
        limit: usize,
    },
    /// The rate limiter refused the call (the location's daily budget is gone).
    #[error(transparent)]
    RateLimit(#[from] RateLimitError),
    /// The call was cancelled before its request was sent.
    #[error("cancelled before it was sent{}", .after.as_ref().map(|e| format!(" again (the previous attempt: {e})")).unwrap_or_default())]
    Cancelled {
        /// The error of the previous attempt, when it was waiting to retry.
        after: Option<String>,
    },
    /// A failure inside ghl-mcp itself (a bug), reported rather than lost.
    #[error("internal error: {0}")]
    Internal(String),
    /// No answer: the connection failed or the request timed out.
    #[error("{}", network_text(.message, *.maybe_sent))]
    Network {
        /// What failed.
        message: String,
        /// Whether the request may have reached GHL (false when the connection never opened).
        maybe_sent: bool,
    },
}

fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default()
}

fn network_text(message: &str, maybe_sent: bool) -> String {
    if maybe_sent {
        format!(
            "no complete answer from GHL: {message}; the request may have reached GHL, so if it \
             was a write, check whether it took effect before repeating it"
        )
    } else {
        format!("could not reach GHL (nothing was sent): {message}")
    }
}

/// The hint as a new sentence, without doubling the stop GHL's message may end with.
fn hint_suffix(message: &str, trace_id: &Option<String>, hint: &Option<String>) -> String {
    let stop = if trace_id.is_none() && message.ends_with('.') {
        " "
    } else {
        ". "
    };
    hint.as_ref()
        .map(|h| format!("{stop}{h}"))
        .unwrap_or_default()
}

fn trace_suffix(trace_id: &Option<String>) -> String {
    trace_id
        .as_ref()
        .map(|t| format!(" (traceId {t})"))
        .unwrap_or_default()
}

impl CallError {
    /// Whether another attempt may succeed and is safe: a 429 and a connection that never
    /// opened always are; a 5xx or an answer that never came only for an idempotent tool.
    pub fn is_retryable(&self, idempotent: bool) -> bool {
        match self {
            CallError::Http { status: 429, .. }
            | CallError::Network {
                maybe_sent: false, ..
            } => true,
            CallError::Http { status, .. } if *status >= 500 => idempotent,
            CallError::BadResponse { .. } => idempotent,
            CallError::Network {
                maybe_sent: true, ..
            } => idempotent,
            _ => false,
        }
    }

    /// The HTTP status, when GHL answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            CallError::Http { status, .. } | CallError::BadResponse { status, .. } => Some(*status),
            CallError::TooLarge { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> CallError {
        CallError::Http {
            status,
            message: String::new(),
            trace_id: None,
            hint: None,
        }
    }

    #[test]
    fn only_safe_failures_are_retried() {
        let never_sent = CallError::Network {
            message: String::new(),
            maybe_sent: false,
        };
        let maybe_sent = CallError::Network {
            message: String::new(),
            maybe_sent: true,
        };
        for idempotent in [true, false] {
            assert!(
                http(429).is_retryable(idempotent),
                "a 429 is always retried"
            );
            assert!(
                never_sent.is_retryable(idempotent),
                "a request never sent is always retried"
            );
            assert!(!http(400).is_retryable(idempotent) && !http(404).is_retryable(idempotent));
        }
        assert!(http(500).is_retryable(true) && http(503).is_retryable(true));
        assert!(
            !http(500).is_retryable(false),
            "a write that may have happened is not repeated"
        );
        assert!(maybe_sent.is_retryable(true) && !maybe_sent.is_retryable(false));
    }

    #[test]
    fn a_hint_starts_a_new_sentence_once() {
        let error = |message: &str, trace: Option<&str>| CallError::Http {
            status: 403,
            message: message.into(),
            trace_id: trace.map(str::to_string),
            hint: Some("Check the scopes".into()),
        };
        assert_eq!(
            error("Not allowed.", None).to_string(),
            "GHL answered 403 Forbidden: Not allowed. Check the scopes"
        );
        assert_eq!(
            error("Not allowed", Some("t")).to_string(),
            "GHL answered 403 Forbidden: Not allowed (traceId t). Check the scopes"
        );
    }
}
