//! The HTTP client: rate limit, send, and turn GHL's answer into JSON or a structured error.

use std::sync::Arc;
use std::time::Instant;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::config::{Config, ConfigError};
use crate::error::CallError;
use crate::limiter::RateLimiter;
use crate::request::Request;
use crate::tool::{Method, ToolDef};

/// How much of a non-JSON error body is kept in a message.
const MAX_MESSAGE_CHARS: usize = 500;

/// Sends requests to GHL. Cheap to clone: clones share one connection pool and one limiter.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<Config>,
    limiter: Arc<RateLimiter>,
}

impl Client {
    /// A client for `config`, with its own limiter for `config.rate_limit`.
    pub fn new(config: Config) -> Result<Client, ConfigError> {
        let limiter = Arc::new(RateLimiter::new(config.rate_limit));
        Client::with_limiter(config, limiter)
    }

    /// A client sharing `limiter` with others.
    pub fn with_limiter(config: Config, limiter: Arc<RateLimiter>) -> Result<Client, ConfigError> {
        // reqwest is built without a bundled crypto provider; ring is ours. Installing twice
        // (a second client) is harmless, so the result is ignored.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(std::time::Duration::from_secs(10)))
            .user_agent(concat!("ghl-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Invalid {
                var: "GHL_BASE_URL",
                value: config.base_url.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Client {
            http,
            config: Arc::new(config),
            limiter,
        })
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

    /// Waits for the location's turn, sends the request once, and returns GHL's JSON
    /// (`null` for an empty body).
    pub async fn send(&self, request: &Request) -> Result<Value, CallError> {
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
            .request(method, url)
            .header(AUTHORIZATION, auth)
            .header("Version", request.version)
            .header(ACCEPT, "application/json");
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }

        self.limiter.acquire(&request.rate_key).await;
        let started = Instant::now();
        let response = builder.send().await.map_err(network_error)?;
        let status = response.status();
        let text = response.text().await.map_err(network_error)?;
        tracing::debug!(
            tool = request.tool,
            method = request.method.as_str(),
            path = %request.path,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "GHL answered"
        );
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)));
        }
        Err(http_error(status, &text))
    }
}

fn network_error(error: reqwest::Error) -> CallError {
    let maybe_sent = !error.is_connect();
    let mut message = if error.is_timeout() {
        "the request timed out".to_string()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    CallError::Network {
        message,
        maybe_sent,
    }
}

/// GHL's error bodies vary: `{"message": "…"}`, `{"message": ["…", "…"]}`, `{"error": "…"}`,
/// `{"msg": "…"}`, sometimes with `traceId`; or not JSON at all.
fn http_error(status: StatusCode, text: &str) -> CallError {
    let json: Option<Value> = serde_json::from_str(text).ok();
    let field = |key: &str| json.as_ref().and_then(|j| j.get(key));
    let as_text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let message = ["message", "msg", "error_description", "error"]
        .iter()
        .find_map(|key| field(key).and_then(as_text))
        .unwrap_or_else(|| {
            let body: String = text.trim().chars().take(MAX_MESSAGE_CHARS).collect();
            if body.is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_string()
            } else {
                body
            }
        });
    let trace_id = field("traceId").and_then(Value::as_str).map(str::to_string);
    CallError::Http {
        status: status.as_u16(),
        message,
        trace_id,
    }
}
