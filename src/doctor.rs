//! `ghl-mcp doctor`: checks the configuration, sends one cheap read to GHL and says in plain
//! words what it learned. Every line of its output starts with `ok`, `warn` or `fail`.
//!
//! Exit codes: 0 when nothing failed (warnings allowed), 4 when GHL answered with an error,
//! 5 when the configuration is unusable or GHL cannot be reached.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use ghl_runtime::{
    CallError, Client, Config, ConfigError, DEFAULT_BASE_URL, Probe, RateQuota, ToolDef,
};
use serde_json::json;

use crate::{catalog, exit};

/// The cheap read: one location, by id.
const PROBE_TOOL: &str = "get_location";

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Fail,
}

/// The checklist so far, printed as it grows.
#[derive(Debug, Default)]
struct Checklist {
    warnings: usize,
    failures: usize,
}

impl Checklist {
    fn line(&mut self, level: Level, text: impl AsRef<str>) {
        let tag = match level {
            Level::Ok => "ok  ",
            Level::Warn => {
                self.warnings += 1;
                "warn"
            }
            Level::Fail => {
                self.failures += 1;
                "fail"
            }
        };
        println!("{tag} {}", text.as_ref());
    }

    fn ok(&mut self, text: impl AsRef<str>) {
        self.line(Level::Ok, text);
    }

    fn warn(&mut self, text: impl AsRef<str>) {
        self.line(Level::Warn, text);
    }

    fn fail(&mut self, text: impl AsRef<str>) {
        self.line(Level::Fail, text);
    }
}

/// Checks the configuration and GHL, prints the checklist, and returns the exit code.
pub(crate) async fn run() -> ExitCode {
    let mut list = Checklist::default();
    let (config, invalid) = read_config();
    let Some(config) = config else {
        for error in &invalid {
            list.fail(error.to_string());
        }
        list.fail("nothing was sent to GHL: fix the configuration above, then run doctor again");
        return ExitCode::from(exit::NETWORK_OR_CONFIG);
    };
    let invalid_var = |var: &str| {
        invalid
            .iter()
            .find(|e| matches!(e, ConfigError::Invalid { var: v, .. } if *v == var))
    };

    match &config.api_key {
        Some(_) => list.ok("GHL_API_KEY is set (it is never shown)"),
        None => list.fail(ConfigError::MissingApiKey.to_string()),
    }
    match invalid_var("GHL_BASE_URL") {
        Some(e) => list.fail(e.to_string()),
        None => check_base_url(&mut list, &config),
    }
    let location = config.location_id.clone();
    match &location {
        Some(id) => list.ok(format!("GHL_LOCATION_ID is {id}")),
        None => list.fail(
            "GHL_LOCATION_ID is not set: doctor cannot check GHL without a location to read \
             (and tools then need `locationId` in their arguments)",
        ),
    }
    match invalid_var("GHL_RATE_LIMIT") {
        Some(e) => list.fail(e.to_string()),
        None => {
            let default = if config.rate_limit == RateQuota::default() {
                ", GHL's documented limit"
            } else {
                ""
            };
            list.ok(format!(
                "rate limit: at most {} per location (GHL_RATE_LIMIT={}{default})",
                quota_words(config.rate_limit.requests.get(), config.rate_limit.window),
                config.rate_limit
            ));
        }
    }
    match invalid_var("GHL_TIMEOUT_SECS") {
        Some(e) => list.fail(e.to_string()),
        None => list.ok(format!(
            "timeout: {} per request (GHL_TIMEOUT_SECS)",
            duration_words(config.timeout)
        )),
    }
    match invalid_var("GHL_MAX_RETRIES") {
        Some(e) => list.fail(e.to_string()),
        None => list.ok(format!(
            "retries: up to {} for a single call (GHL_MAX_RETRIES)",
            config.max_retries
        )),
    }

    let Some(location) = location.filter(|_| list.failures == 0) else {
        list.fail("nothing was sent to GHL: fix the configuration above, then run doctor again");
        return ExitCode::from(exit::NETWORK_OR_CONFIG);
    };
    let Some(tool) = catalog::find(PROBE_TOOL) else {
        list.fail(format!(
            "internal error: the `{PROBE_TOOL}` tool is missing"
        ));
        return ExitCode::from(exit::INTERNAL);
    };
    let request = match tool.build_request(json!({}), Some(&location)) {
        Ok(request) => request,
        Err(e) => {
            list.fail(format!(
                "GHL_LOCATION_ID={location:?} cannot be used as a location id: {e}"
            ));
            return ExitCode::from(exit::NETWORK_OR_CONFIG);
        }
    };
    let base_url = shown_base_url(&config);
    let configured_quota = config.rate_limit;
    let timeout = config.timeout;
    let client = Client::new(config);
    let what = format!(
        "{} {} ({PROBE_TOOL})",
        request.method.as_str(),
        request.path
    );

    let probe = match client.probe(&request).await {
        Ok(probe) => probe,
        Err(CallError::Network { message, .. }) => {
            let hint = if message.starts_with("the request timed out") {
                format!(" after {} (GHL_TIMEOUT_SECS)", duration_words(timeout))
            } else {
                String::new()
            };
            list.fail(format!(
                "cannot reach {base_url}: {message}{hint}; check GHL_BASE_URL and the network"
            ));
            return ExitCode::from(exit::NETWORK_OR_CONFIG);
        }
        Err(e @ CallError::Config(_)) => {
            list.fail(e.to_string());
            return ExitCode::from(exit::NETWORK_OR_CONFIG);
        }
        Err(e @ CallError::RateLimit(_)) => {
            list.fail(e.to_string());
            return ExitCode::from(exit::GHL_ERROR);
        }
        Err(e) => {
            list.fail(format!("{what} failed: {e}"));
            return ExitCode::from(exit::INTERNAL);
        }
    };

    report_answer(&mut list, &probe, tool, &location, &what);
    report_rate_limits(&mut list, &probe, configured_quota);

    if !probe.is_success() {
        return ExitCode::from(exit::GHL_ERROR);
    }
    match list.warnings {
        0 => list.ok(format!(
            "ready: ghl-mcp can call GHL for location {location}"
        )),
        n => list.ok(format!(
            "ready: ghl-mcp can call GHL for location {location} ({n} warning{} above)",
            if n == 1 { "" } else { "s" }
        )),
    }
    ExitCode::SUCCESS
}

/// The configuration, and every variable that did not parse. A variable that does not parse
/// is read as unset, so the others are still checked; `None` only if that does not help.
fn read_config() -> (Option<Config>, Vec<ConfigError>) {
    let mut invalid: Vec<ConfigError> = Vec::new();
    let mut masked: Vec<&'static str> = Vec::new();
    loop {
        let lookup = |var: &str| {
            if masked.contains(&var) {
                None
            } else {
                std::env::var(var).ok()
            }
        };
        match Config::from_lookup(lookup) {
            Ok(config) => return (Some(config), invalid),
            Err(error) => match error {
                // Each round masks one more variable, so this ends.
                ConfigError::Invalid { var, .. } if !masked.contains(&var) => {
                    masked.push(var);
                    invalid.push(error);
                }
                _ => {
                    invalid.push(error);
                    return (None, invalid);
                }
            },
        }
    }
}

fn check_base_url(list: &mut Checklist, config: &Config) {
    let url = &config.base_url;
    let shown = shown_base_url(config);
    if url.as_str().trim_end_matches('/') == DEFAULT_BASE_URL {
        list.ok(format!("base URL is {shown}, GHL's API host"));
        return;
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let plain = if url.scheme() == "http" && !loopback {
        "; it is plain http, so the token would travel unencrypted"
    } else {
        ""
    };
    list.warn(format!(
        "base URL is {shown} (GHL_BASE_URL), not GHL's API host {DEFAULT_BASE_URL}: \
         fine for a proxy or a test server{plain}"
    ));
}

/// The base URL as it may be printed: a password in it is hidden.
fn shown_base_url(config: &Config) -> String {
    let mut shown = config.base_url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("redacted"));
    }
    shown.to_string()
}

/// What GHL's status means, in one line.
fn report_answer(list: &mut Checklist, probe: &Probe, tool: &ToolDef, location: &str, what: &str) {
    let status = probe.status;
    let took = duration_words(probe.elapsed);
    if probe.is_success() {
        list.ok(format!(
            "GHL answered {status} {} in {took} to {what}",
            probe.reason().unwrap_or("")
        ));
        return;
    }
    let says = match &probe.message {
        Some(message) => format!(": GHL says \"{message}\""),
        None => String::new(),
    };
    let trace = match &probe.trace_id {
        Some(id) => format!(" (traceId {id})"),
        None => String::new(),
    };
    let scopes = if tool.scopes.is_empty() {
        "check the token's scopes".to_string()
    } else {
        format!("{} needs {}", tool.name, tool.scopes.join(", "))
    };
    let about_scope = probe
        .message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("scope"));
    let text = match status {
        401 if about_scope => {
            format!("the token lacks a scope for this call ({status}){says}; {scopes}{trace}")
        }
        401 => format!("the token was refused ({status}){says}; check GHL_API_KEY{trace}"),
        403 => format!("the token lacks a scope for this call ({status}){says}; {scopes}{trace}"),
        404 => format!(
            "location {location} was not found ({status}){says}; check GHL_LOCATION_ID, \
             and that the token belongs to that location{trace}"
        ),
        429 => {
            let wait = probe
                .retry_after
                .or(probe.interval)
                .map(|d| format!("wait {} and ", duration_words(d)))
                .unwrap_or_default();
            format!(
                "GHL refused the request: too many requests ({status}){says}; \
                 {wait}try again{trace}"
            )
        }
        _ => format!(
            "GHL answered {status} {} in {took} to {what}{says}{trace}",
            probe.reason().unwrap_or("")
        ),
    };
    list.fail(text);
}

/// The budget GHL announced, only what its headers said.
fn report_rate_limits(list: &mut Checklist, probe: &Probe, configured: RateQuota) {
    if !probe.has_rate_headers() {
        if probe.is_success() {
            list.warn(format!(
                "GHL's answer carried no rate-limit headers (X-RateLimit-*); the limiter keeps \
                 to GHL_RATE_LIMIT={configured} alone"
            ));
        }
        return;
    }
    let mut window = Vec::new();
    match (probe.max, probe.interval) {
        (Some(max), Some(interval)) => window.push(quota_words(max, interval)),
        (Some(max), None) => window.push(format!("{max} requests per window")),
        (None, Some(interval)) => {
            window.push(format!("a window of {}", duration_words(interval)));
        }
        (None, None) => {}
    }
    if let Some(remaining) = probe.remaining {
        window.push(format!("{remaining} left in this window"));
    }
    let mut day = Vec::new();
    if let Some(limit) = probe.daily_limit {
        day.push(format!("{limit} a day"));
    }
    if let Some(remaining) = probe.daily_remaining {
        day.push(format!("{remaining} left today"));
    }
    let mut text = String::from("rate limits from GHL: ");
    text.push_str(
        &[window.join(", "), day.join(", ")]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    );

    let mut notes = Vec::new();
    if let (Some(max), Some(interval)) = (probe.max, probe.interval)
        && let Some(requests) = std::num::NonZeroU32::new(max)
        && !interval.is_zero()
    {
        let announced = RateQuota {
            requests,
            window: interval,
        };
        if announced.spacing() > configured.spacing() {
            notes.push(format!(
                "that is stricter than GHL_RATE_LIMIT={configured}, so the limiter follows GHL's"
            ));
        }
    }
    if probe.remaining == Some(0) {
        notes.push("none left in this window: calls wait for the next one".to_string());
    }
    if probe.daily_remaining == Some(0) {
        notes.push(
            "none left today: calls for this location fail until GHL's day turns".to_string(),
        );
    }
    if notes.is_empty() {
        list.ok(text);
    } else {
        let _ = write!(text, " ({})", notes.join("; "));
        list.warn(text);
    }
}

/// "100 requests per 10 s".
fn quota_words(requests: u32, window: Duration) -> String {
    let noun = if requests == 1 { "request" } else { "requests" };
    format!("{requests} {noun} per {}", duration_words(window))
}

/// "250 ms", "10 s", "1.5 s", "2 min".
fn duration_words(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(60_000) {
        format!("{} min", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn durations_read_plainly() {
        assert_eq!(duration_words(Duration::from_millis(123)), "123 ms");
        assert_eq!(duration_words(Duration::from_secs(10)), "10 s");
        assert_eq!(duration_words(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(duration_words(Duration::from_secs(120)), "2 min");
        assert_eq!(
            quota_words(100, Duration::from_secs(10)),
            "100 requests per 10 s"
        );
        assert_eq!(quota_words(1, Duration::from_secs(1)), "1 request per 1 s");
    }

    #[test]
    fn a_password_in_the_base_url_is_hidden() {
        let config = Config::from_lookup(|var| {
            (var == "GHL_BASE_URL").then(|| "https://user:hunter2@proxy.example/ghl".to_string())
        });
        let shown = shown_base_url(&config.unwrap());
        assert!(
            !shown.contains("hunter2") && shown.contains("redacted"),
            "{shown}"
        );
    }
}
