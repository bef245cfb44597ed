//! The HTTP client: rate limit, send, and turn GHL's answer into JSON or a structured error.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, ConfigError, Secret};
use crate::error::CallError;
use crate::limiter::{RateLimiter, RateSignal};
use crate::request::Request;
use crate::response;
use crate::tool::{Method, ToolDef};

/// Sends requests to GHL. Cheap to clone: clones share one connection pool and one limiter.
#[derive(Debug, Clone)]
pub struct Client {
    http: Arc<Http>,
    config: Arc<Config>,
    limiter: Arc<RateLimiter>,
}

impl Client {
    /// A client for `config`, with its own limiter for `config.rate_limit`.
    pub fn new(config: Config) -> Client {
        let limiter = Arc::new(RateLimiter::new(config.rate_limit));
        Client::with_limiter(config, limiter)
    }

    /// A client sharing `limiter` with others.
    ///
    /// The HTTP client behind it is built by [`Client::set_up_http`] or else by the first
    /// request: building it loads the system's CA certificates (a few milliseconds), and a
    /// failure to (no certificates on the machine, say) is the error of each call rather than
    /// a server that will not start.
    pub fn with_limiter(config: Config, limiter: Arc<RateLimiter>) -> Client {
        Client {
            http: Arc::new(Http {
                built: OnceLock::new(),
                timeout: config.timeout,
            }),
            config: Arc::new(config),
            limiter,
        }
    }

    /// Builds the HTTP client now rather than at the first call, and returns the error every
    /// call will return if it cannot be built. Done first thing, the memory its certificates
    /// took while loading is reused by what comes after; loaded at the first call, it is not.
    pub fn set_up_http(&self) -> Result<(), ConfigError> {
        self.http.client().map(|_| ())
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The limiter every request waits on.
    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.limiter
    }

    /// The full URL a request goes to.
    pub fn url(&self, request: &Request) -> Url {
        let mut url = self.config.base_url.clone();
        let base = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{base}{}", request.path));
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        url
    }

    /// The headers sent with a request, the token shown as `Bearer [redacted]`.
    pub fn redacted_headers(&self, request: &Request) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("Authorization", "Bearer [redacted]".to_string()),
            ("Version", request.version.to_string()),
            ("Accept", "application/json".to_string()),
        ];
        if request.body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        headers
    }

    /// Builds the request for a tool's arguments (filling the configured location) and sends it.
    pub async fn call(&self, tool: &ToolDef, args: Value) -> Result<Value, CallError> {
        let request = tool.build_request(args, self.config.location_id.as_deref())?;
        self.send(&request).await
    }

    /// Sends a request under the whole policy, with the configured number of retries
    /// (`GHL_MAX_RETRIES`, default 2). See [`Client::send_with_retries`].
    pub async fn send(&self, request: &Request) -> Result<Value, CallError> {
        self.send_with_retries(request, self.config.max_retries)
            .await
    }

    /// Sends a request at most `1 + max_retries` times and returns GHL's JSON (`null` for an
    /// empty body). Every attempt waits for its location's turn. A 429, and a connection that
    /// never opened, are retried for any tool; a 5xx or a timeout only for an idempotent one,
    /// so a write is never sent twice. Retries wait with exponential backoff and full jitter.
    pub async fn send_with_retries(
        &self,
        request: &Request,
        max_retries: u32,
    ) -> Result<Value, CallError> {
        self.send_cancellable(request, max_retries, &CancellationToken::new())
            .await
    }

    /// [`Client::send_with_retries`], stopping when `cancel` fires: a request still waiting for
    /// its turn, or for a retry, is abandoned unsent ([`CallError::Cancelled`]); a request
    /// already sent is never cut off, its answer is awaited.
    pub async fn send_cancellable(
        &self,
        request: &Request,
        max_retries: u32,
        cancel: &CancellationToken,
    ) -> Result<Value, CallError> {
        let mut retries = 0;
        loop {
            match self.attempt(request, cancel).await {
                Err(error) if retries < max_retries && error.is_retryable(request.idempotent) => {
                    retries += 1;
                    let wait = backoff(retries);
                    tracing::info!(
                        tool = request.tool,
                        retry = retries,
                        wait_ms = wait.as_millis() as u64,
                        %error,
                        "retrying"
                    );
                    tokio::select! {
                        () = cancel.cancelled() => {
                            return Err(CallError::Cancelled { after: Some(error.to_string()) });
                        }
                        () = tokio::time::sleep(wait) => {}
                    }
                }
                outcome => return outcome,
            }
        }
    }

    /// The request ready to go: token, `Version` and `Accept` headers, and the JSON body.
    pub(crate) fn prepare(&self, request: &Request) -> Result<reqwest::RequestBuilder, CallError> {
        let token = self
            .config
            .api_key
            .as_ref()
            .ok_or(ConfigError::MissingApiKey)?;
        let mut auth =
            HeaderValue::try_from(format!("Bearer {}", token.expose())).map_err(|_| {
                ConfigError::Invalid {
                    var: "GHL_API_KEY",
                    value: "[redacted]".into(),
                    reason: "it holds characters a header cannot carry".into(),
                }
            })?;
        auth.set_sensitive(true);
        let url = self.url(request);
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self
            .http
            .client()?
            .request(method, url)
            .header(AUTHORIZATION, auth)
            .header("Version", request.version)
            .header(ACCEPT, "application/json");
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        Ok(builder)
    }

    /// One attempt: the location's turn, the request, and what the answer says about the budget.
    async fn attempt(
        &self,
        request: &Request,
        cancel: &CancellationToken,
    ) -> Result<Value, CallError> {
        let builder = self.prepare(request)?;
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(CallError::Cancelled { after: None }),
            turn = self.limiter.acquire(&request.rate_key) => turn?,
        }
        // From here on the request goes out and its answer is awaited, cancelled or not.
        let started = Instant::now();
        let response = builder.send().await.map_err(network_error)?;
        let status = response.status();
        self.limiter
            .observe(&request.rate_key, &rate_signal(status, response.headers()));
        let answer = response::read(response, self.config.max_response_bytes, self.token()).await;
        tracing::debug!(
            tool = request.tool,
            method = request.method.as_str(),
            path = %request.path,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "GHL answered"
        );
        let answer = answer?;
        if status.is_success() {
            return response::success_value(answer);
        }
        let mut error = response::http_error(status, answer.content_type.as_deref(), &answer.text);
        if let CallError::Http { hint, .. } = &mut error {
            *hint = scope_hint(status, request.scopes);
        }
        Err(error)
    }

    /// The token, if there is one (without it nothing is sent).
    pub(crate) fn token(&self) -> Option<&Secret> {
        self.config.api_key.as_ref()
    }

    /// `text` with the token replaced by `[redacted]` wherever it appears: for text that did
    /// not come from ghl-mcp's own messages (a panic's, say), which never hold it.
    pub fn scrub(&self, text: String) -> String {
        match self.token() {
            Some(token) => token.scrub(text),
            None => text,
        }
    }
}

/// The reqwest client, built once: by [`Client::set_up_http`], or else by the first request.
#[derive(Debug)]
struct Http {
    built: OnceLock<Result<reqwest::Client, String>>,
    timeout: Duration,
}

impl Http {
    /// The client, built now if it is not yet (a few milliseconds, once per process; a caller
    /// on another thread meanwhile waits for it).
    fn client(&self) -> Result<&reqwest::Client, ConfigError> {
        self.built
            .get_or_init(|| self.build())
            .as_ref()
            .map_err(|reason| ConfigError::HttpClient {
                reason: reason.clone(),
            })
    }

    fn build(&self) -> Result<reqwest::Client, String> {
        // reqwest is built without a bundled crypto provider; ring is ours. Installing twice
        // (a second client) is harmless, so the result is ignored.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("ghl-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| with_causes(e.to_string(), &e))
    }
}

/// What to check when GHL refuses the token: it is wrong or expired (401), or lacks a scope the
/// tool lists (401 or 403: GHL uses both for a missing scope).
fn scope_hint(status: StatusCode, scopes: &[&str]) -> Option<String> {
    let needs = match scopes {
        [] => String::new(),
        [one] => format!("this tool needs the scope {one}"),
        many => format!("this tool needs the scopes {}", many.join(", ")),
    };
    match (status.as_u16(), needs.is_empty()) {
        (401, true) => Some("Check GHL_API_KEY: the token may be wrong, expired or revoked".into()),
        (401, false) => Some(format!(
            "Check GHL_API_KEY: the token may be wrong, expired or revoked, or lack a scope: {needs}"
        )),
        (403, false) => Some(format!(
            "The token may lack a scope or access to this location: {needs}"
        )),
        _ => None,
    }
}

/// The wait before retry number `retry` (1-based): uniform in [0, min(cap, base · 2^(retry−1))].
fn backoff(retry: u32) -> Duration {
    const BASE: Duration = Duration::from_millis(250);
    const CAP: Duration = Duration::from_secs(8);
    let ceiling = BASE
        .saturating_mul(1 << retry.saturating_sub(1).min(16))
        .min(CAP);
    ceiling.mul_f64(fastrand::f64())
}

pub(crate) fn rate_signal(status: StatusCode, headers: &HeaderMap) -> RateSignal {
    fn number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
        headers.get(name)?.to_str().ok()?.trim().parse().ok()
    }
    RateSignal {
        too_many: status == StatusCode::TOO_MANY_REQUESTS,
        max: number(headers, "x-ratelimit-max"),
        remaining: number(headers, "x-ratelimit-remaining"),
        interval: number::<u64>(headers, "x-ratelimit-interval-milliseconds")
            .map(Duration::from_millis),
        daily_remaining: number(headers, "x-ratelimit-daily-remaining"),
        retry_after: number::<u64>(headers, "retry-after").map(Duration::from_secs),
    }
}

pub(crate) fn network_error(error: reqwest::Error) -> CallError {
    let maybe_sent = !error.is_connect();
    let first = if error.is_timeout() {
        "the request timed out".to_string()
    } else {
        error.to_string()
    };
    CallError::Network {
        message: with_causes(first, &error),
        maybe_sent,
    }
}

/// `first`, then each cause of `error` after a colon: reqwest's own message rarely says why.
fn with_causes(mut first: String, error: &dyn std::error::Error) -> String {
    let mut source = error.source();
    while let Some(cause) = source {
        first.push_str(": ");
        first.push_str(&cause.to_string());
        source = cause.source();
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_full_jitter_under_a_cap() {
        for retry in 1..=20 {
            let ceiling = Duration::from_millis(250)
                .saturating_mul(1 << (retry - 1).min(16))
                .min(Duration::from_secs(8));
            let waits: Vec<Duration> = (0..200).map(|_| backoff(retry)).collect();
            assert!(waits.iter().all(|w| *w <= ceiling), "retry {retry}");
            // Full jitter: waits spread over the range instead of clustering at the ceiling.
            assert!(waits.iter().any(|w| *w < ceiling / 2), "retry {retry}");
        }
    }
}
