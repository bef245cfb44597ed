//! One request sent to learn about GHL rather than to get its data: what `ghl-mcp doctor` runs.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::client::{Client, network_error, rate_signal};
use crate::error::CallError;
use crate::request::Request;
use crate::response;

/// What one answer said: its status, how long it took, the budget GHL announced in its
/// `X-RateLimit-*` headers (each only when the header was there), and GHL's message on an
/// error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The HTTP status.
    pub status: u16,
    /// From sending the request (after the limiter's turn) to the whole answer read.
    pub elapsed: Duration,
    /// `X-RateLimit-Max`: requests allowed per interval.
    pub max: Option<u32>,
    /// `X-RateLimit-Remaining`: requests left in the current interval.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Interval-Milliseconds`: the interval's length.
    pub interval: Option<Duration>,
    /// `X-RateLimit-Limit-Daily`: requests allowed per day.
    pub daily_limit: Option<u64>,
    /// `X-RateLimit-Daily-Remaining`: requests left today.
    pub daily_remaining: Option<u64>,
    /// `Retry-After`, on a 429.
    pub retry_after: Option<Duration>,
    /// GHL's message, on an error status.
    pub message: Option<String>,
    /// GHL's `traceId`, on an error status that carried one.
    pub trace_id: Option<String>,
}

impl Probe {
    /// Whether the status is a 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The status's reason phrase, such as `OK` or `Forbidden`.
    pub fn reason(&self) -> Option<&'static str> {
        StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
    }

    /// Whether any rate-limit header came with the answer.
    pub fn has_rate_headers(&self) -> bool {
        self.max.is_some()
            || self.remaining.is_some()
            || self.interval.is_some()
            || self.daily_limit.is_some()
            || self.daily_remaining.is_some()
    }
}

impl Client {
    /// Sends `request` once, through the limiter and never retried, and reports what the
    /// answer said ([`Probe`]) whatever its status: an error status is a finding, not an
    /// `Err`. `Err` means no answer: no token, a daily budget GHL said was spent, or the
    /// network. The limiter learns from the answer as from any other.
    pub async fn probe(&self, request: &Request) -> Result<Probe, CallError> {
        let builder = self.prepare(request)?;
        self.limiter().acquire(&request.rate_key).await?;
        let started = Instant::now();
        let response = builder.send().await.map_err(network_error)?;
        let status = response.status();
        let signal = rate_signal(status, response.headers());
        let daily_limit = number(response.headers(), "x-ratelimit-limit-daily");
        self.limiter().observe(&request.rate_key, &signal);
        let answer =
            response::read(response, self.config().max_response_bytes, self.token()).await?;
        let elapsed = started.elapsed();
        let (message, trace_id) = if status.is_success() {
            (None, None)
        } else {
            match response::http_error(status, answer.content_type.as_deref(), &answer.text) {
                CallError::Http {
                    message, trace_id, ..
                } => (Some(message), trace_id),
                other => (Some(other.to_string()), None),
            }
        };
        tracing::debug!(
            tool = request.tool,
            path = %request.path,
            status = status.as_u16(),
            elapsed_ms = elapsed.as_millis() as u64,
            "probe answered"
        );
        Ok(Probe {
            status: status.as_u16(),
            elapsed,
            max: signal.max,
            remaining: signal.remaining,
            interval: signal.interval,
            daily_limit,
            daily_remaining: signal.daily_remaining,
            retry_after: signal.retry_after,
            message,
            trace_id,
        })
    }
}

fn number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::config::Config;
    use crate::tool::Method;
    use ghl_testkit::{FakeGhl, Reply};
    use serde_json::json;

    fn client(base_url: &str, token: Option<&str>) -> Client {
        let base_url = base_url.to_string();
        let token = token.map(str::to_string);
        let config = Config::from_lookup(|var| match var {
            "GHL_BASE_URL" => Some(base_url.clone()),
            "GHL_API_KEY" => token.clone(),
            _ => None,
        })
        .unwrap();
        Client::new(config)
    }

    fn request() -> Request {
        Request {
            tool: "get_location",
            method: Method::Get,
            path: "/locations/loc-1".into(),
            query: Vec::new(),
            body: None,
            version: "2021-07-28",
            rate_key: "loc-1".into(),
            idempotent: true,
            scopes: &[],
        }
    }

    #[tokio::test]
    async fn reports_status_and_every_rate_header() {
        let fake = FakeGhl::start().await;
        fake.enforce_quota(100, Duration::from_secs(10));
        fake.set_daily_remaining(Some(199_990));
        let mut reply = Reply::json(200, json!({ "location": { "id": "loc-1" } }));
        reply
            .headers
            .push(("x-ratelimit-limit-daily".into(), "200000".into()));
        fake.push_reply(reply);
        let probe = client(&fake.base_url(), Some("t"))
            .probe(&request())
            .await
            .unwrap();
        assert!(probe.is_success() && probe.reason() == Some("OK"));
        assert_eq!(
            (probe.max, probe.remaining, probe.interval),
            (Some(100), Some(99), Some(Duration::from_secs(10)))
        );
        assert_eq!(
            (probe.daily_limit, probe.daily_remaining),
            (Some(200_000), Some(199_990))
        );
        assert_eq!((probe.message, probe.trace_id), (None, None));
        let sent = &fake.requests()[0];
        assert_eq!(sent.path, "/locations/loc-1");
        assert_eq!(sent.header("version"), Some("2021-07-28"));
    }

    #[tokio::test]
    async fn an_error_status_is_a_finding_sent_once() {
        let fake = FakeGhl::start().await;
        fake.set_fallback(Reply::json(
            503,
            json!({ "message": "down for maintenance", "traceId": "t-1" }),
        ));
        let probe = client(&fake.base_url(), Some("t"))
            .probe(&request())
            .await
            .unwrap();
        assert_eq!(probe.status, 503);
        assert_eq!(probe.message.as_deref(), Some("down for maintenance"));
        assert_eq!(probe.trace_id.as_deref(), Some("t-1"));
        assert!(!probe.has_rate_headers());
        assert_eq!(fake.requests().len(), 1, "a probe is never retried");
    }

    #[tokio::test]
    async fn no_token_sends_nothing() {
        let fake = FakeGhl::start().await;
        let error = client(&fake.base_url(), None)
            .probe(&request())
            .await
            .unwrap_err();
        assert!(matches!(error, CallError::Config(_)), "{error}");
        assert!(fake.requests().is_empty());
    }
}
