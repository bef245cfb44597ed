//! Configuration from the environment: token, base URL, default location, quota, timeout.

use std::fmt;
use std::time::Duration;

use reqwest::Url;

use crate::limiter::RateQuota;

/// GHL's API host.
pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";

/// The most retries a call may ask for.
pub const MAX_RETRIES: u32 = 10;

/// A secret string: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret replaced by `[redacted]`. A secret shorter
    /// than [`Secret::MIN_SCRUBBED_LEN`] is left alone: no real token is that short, and
    /// replacing a short string would garble ordinary text.
    pub fn scrub(&self, text: String) -> String {
        if self.0.len() >= Secret::MIN_SCRUBBED_LEN && text.contains(&self.0) {
            text.replace(&self.0, "[redacted]")
        } else {
            text
        }
    }

    /// The shortest secret [`Secret::scrub`] replaces.
    pub const MIN_SCRUBBED_LEN: usize = 8;
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No token: nothing can be sent to GHL.
    #[error(
        "GHL_API_KEY is not set: set it to a Private Integration Token or an OAuth access token"
    )]
    MissingApiKey,
    /// A variable's value does not parse.
    #[error("{var}={value:?} is not valid: {reason}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// Its value (never the token).
        value: String,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be set up (no CA certificates on the machine, say).
    #[error(
        "the HTTP client could not be set up: {reason}. ghl-mcp trusts the system's CA \
         certificates: install them (the ca-certificates package on most Linux systems), or \
         point SSL_CERT_FILE at a PEM file of them"
    )]
    HttpClient {
        /// Why, from reqwest.
        reason: String,
    },
}

/// Everything the runtime reads from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `GHL_API_KEY`: sent as `Authorization: Bearer …`.
    pub api_key: Option<Secret>,
    /// `GHL_BASE_URL`, default [`DEFAULT_BASE_URL`].
    pub base_url: Url,
    /// `GHL_LOCATION_ID`: fills `from: location` arguments the caller leaves out.
    pub location_id: Option<String>,
    /// `GHL_RATE_LIMIT` such as `100/10s`, default GHL's 100 requests per 10 s.
    pub rate_limit: RateQuota,
    /// `GHL_TIMEOUT_SECS`: the whole request's timeout, default 30.
    pub timeout: Duration,
    /// `GHL_MAX_RETRIES`: retries of a failed single call (batches set their own), default 2.
    pub max_retries: u32,
    /// The largest answer read, in bytes; a longer one fails the call (not set from the
    /// environment; default [`crate::DEFAULT_MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|var| std::env::var(var).ok())
    }

    /// Reads variables through `lookup`; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |var: &str| {
            lookup(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let invalid = |var: &'static str, value: &str, reason: String| ConfigError::Invalid {
            var,
            value: value.to_string(),
            reason,
        };
        let base_url = match get("GHL_BASE_URL") {
            None => Url::parse(DEFAULT_BASE_URL)
                .map_err(|e| invalid("GHL_BASE_URL", DEFAULT_BASE_URL, e.to_string()))?,
            Some(value) => {
                let url = Url::parse(&value)
                    .map_err(|e| invalid("GHL_BASE_URL", &value, e.to_string()))?;
                if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
                    return Err(invalid(
                        "GHL_BASE_URL",
                        &value,
                        "it must be an http(s) URL".into(),
                    ));
                }
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(invalid(
                        "GHL_BASE_URL",
                        &value,
                        "it must not have a query or fragment".into(),
                    ));
                }
                url
            }
        };
        let rate_limit = match get("GHL_RATE_LIMIT") {
            None => RateQuota::default(),
            Some(value) => value
                .parse()
                .map_err(|reason| invalid("GHL_RATE_LIMIT", &value, reason))?,
        };
        let timeout = match get("GHL_TIMEOUT_SECS") {
            None => Duration::from_secs(30),
            Some(value) => match value.parse::<f64>() {
                Ok(secs) if secs > 0.0 && secs.is_finite() => Duration::from_secs_f64(secs),
                _ => {
                    return Err(invalid(
                        "GHL_TIMEOUT_SECS",
                        &value,
                        "it must be a positive number of seconds".into(),
                    ));
                }
            },
        };
        let max_retries = match get("GHL_MAX_RETRIES") {
            None => 2,
            Some(value) => match value.parse::<u32>() {
                Ok(n) if n <= MAX_RETRIES => n,
                _ => {
                    return Err(invalid(
                        "GHL_MAX_RETRIES",
                        &value,
                        format!("it must be a whole number from 0 to {MAX_RETRIES}"),
                    ));
                }
            },
        };
        Ok(Config {
            max_retries,
            api_key: get("GHL_API_KEY").map(Secret::new),
            base_url,
            location_id: get("GHL_LOCATION_ID"),
            rate_limit,
            timeout,
            max_response_bytes: crate::DEFAULT_MAX_RESPONSE_BYTES,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_the_secret_everywhere_and_leaves_short_ones_alone() {
        let secret = Secret::new("pit-12345678");
        assert_eq!(
            secret.scrub("a pit-12345678 b pit-12345678".into()),
            "a [redacted] b [redacted]"
        );
        assert_eq!(secret.scrub("pit-1234567".into()), "pit-1234567");
        // A secret too short to be a token would garble ordinary text: left alone.
        assert_eq!(Secret::new("a").scrub("a cat".into()), "a cat");
    }

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |var| {
            pairs
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_are_ghls() {
        let config = Config::from_lookup(env(&[])).unwrap();
        assert_eq!(
            config.base_url.as_str(),
            "https://services.leadconnectorhq.com/"
        );
        assert_eq!(config.rate_limit.to_string(), "100/10s");
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert!(config.api_key.is_none() && config.location_id.is_none());
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let config = Config::from_lookup(env(&[("GHL_API_KEY", "pit-very-secret")])).unwrap();
        assert!(!format!("{config:?}").contains("very-secret"));
        assert_eq!(config.api_key.unwrap().expose(), "pit-very-secret");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Config::from_lookup(env(&[("GHL_RATE_LIMIT", "lots")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("GHL_RATE_LIMIT=\"lots\" is not valid"),
            "{err}"
        );
        let err = Config::from_lookup(env(&[("GHL_BASE_URL", "ftp://x")])).unwrap_err();
        assert!(err.to_string().contains("http(s)"), "{err}");
        let err = Config::from_lookup(env(&[("GHL_TIMEOUT_SECS", "-1")])).unwrap_err();
        assert!(err.to_string().contains("GHL_TIMEOUT_SECS"), "{err}");
    }
}
