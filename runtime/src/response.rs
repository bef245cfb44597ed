//! Reading GHL's answer: a bounded body, the token scrubbed from it, and what it means (JSON, a
//! structured error, or a clear complaint when GHL sends something it should not).

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

use crate::client::network_error;
use crate::config::Secret;
use crate::error::CallError;

/// How much of a body that is not what it should be is quoted in a message.
const MAX_EXCERPT_CHARS: usize = 300;

/// The largest answer read by default: 32 MiB. GHL's pages are far smaller; a body past this
/// is a fault (or a response that never ends), and reading on would only eat memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// An answer as read: its status, content type and body text, the token already scrubbed.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<String>,
    pub(crate) text: String,
}

/// Reads a response's body, at most `limit` bytes, then replaces every occurrence of `token`
/// (a hostile or buggy server may echo it back) with `[redacted]`.
pub(crate) async fn read(
    mut response: reqwest::Response,
    limit: usize,
    token: Option<&Secret>,
) -> Result<Answer, CallError> {
    let status = response.status();
    let content_type = content_type(response.headers());
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(network_error)? {
        if body.len() + chunk.len() > limit {
            return Err(CallError::TooLarge { status, limit });
        }
        body.extend_from_slice(&chunk);
    }
    let mut text = match String::from_utf8(body) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if let Some(token) = token {
        text = token.scrub(text);
    }
    Ok(Answer {
        status,
        content_type,
        text,
    })
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)?
        .to_str()
        .ok()
        .map(|v| v.trim().to_ascii_lowercase())
}

/// What a successful answer holds: its JSON (`null` for no body), or its text when GHL says it
/// is text. A body that claims to be JSON and is not, and an HTML page, are errors: the request
/// reached GHL, so the error says it may have taken effect.
pub(crate) fn success_value(answer: Answer) -> Result<Value, CallError> {
    let Answer {
        status,
        content_type,
        text,
    } = answer;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let kind = content_type.as_deref().unwrap_or("");
    let json_expected = kind.is_empty() || kind.contains("json");
    match serde_json::from_str(&text) {
        Ok(value) => Ok(value),
        Err(_) if is_html(kind, &text) => Err(CallError::BadResponse {
            status: status.as_u16(),
            reason: format!("an HTML page ({}) instead of JSON", html_gist(&text)),
        }),
        Err(error) if json_expected => Err(CallError::BadResponse {
            status: status.as_u16(),
            reason: format!(
                "a body that is not valid JSON ({error}): {}",
                excerpt(&text)
            ),
        }),
        Err(_) => Ok(Value::String(text)),
    }
}

/// GHL's error bodies vary: `{"message": "…"}`, `{"message": ["…", "…"]}`, `{"error": "…"}`,
/// `{"msg": "…"}`, sometimes with `traceId`; or not JSON at all (a proxy's HTML page, say).
pub(crate) fn http_error(status: StatusCode, content_type: Option<&str>, text: &str) -> CallError {
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
            if text.trim().is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no message")
                    .to_string()
            } else if json.is_none() && is_html(content_type.unwrap_or(""), text) {
                format!("an HTML page ({})", html_gist(text))
            } else {
                excerpt(text)
            }
        });
    let trace_id = field("traceId").and_then(Value::as_str).map(str::to_string);
    CallError::Http {
        status: status.as_u16(),
        message,
        trace_id,
        hint: None,
    }
}

fn is_html(content_type: &str, text: &str) -> bool {
    let start = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    content_type.contains("html")
        || start.starts_with("<!doctype html")
        || start.starts_with("<html")
}

/// An HTML page in a few words: its `<title>`, else its first text, tags stripped.
fn html_gist(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    if let (Some(open), Some(close)) = (lower.find("<title>"), lower.find("</title>")) {
        let title = html[open + "<title>".len()..close.max(open + "<title>".len())].trim();
        if !title.is_empty() {
            return format!("titled \"{}\"", excerpt(title));
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("saying \"{}\"", excerpt(&words))
}

/// The start of a text, on one line, with an ellipsis when cut.
fn excerpt(text: &str) -> String {
    let flat: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_EXCERPT_CHARS + 1)
        .collect();
    if flat.chars().count() > MAX_EXCERPT_CHARS {
        let cut: String = flat.chars().take(MAX_EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: Option<&str>, text: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            content_type: content_type.map(str::to_string),
            text: text.into(),
        }
    }

    #[test]
    fn success_bodies_are_json_null_or_declared_text() {
        let json = success_value(answer(Some("application/json"), r#"{"a":1}"#)).unwrap();
        assert_eq!(json["a"], 1);
        assert_eq!(
            success_value(answer(None, "  \n")).unwrap(),
            Value::Null,
            "no body is null"
        );
        assert_eq!(
            success_value(answer(Some("text/csv"), "a,b\n1,2")).unwrap(),
            Value::String("a,b\n1,2".into()),
            "text GHL calls text is kept as text"
        );
    }

    #[test]
    fn json_that_is_not_json_and_html_pages_are_errors() {
        let err =
            success_value(answer(Some("application/json"), r#"{"contact": {"id": "#)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("not valid JSON") && text.contains(r#"{"contact": {"id":"#),
            "{text}"
        );
        assert!(text.contains("check whether it took effect"), "{text}");
        let err = success_value(answer(
            Some("text/html; charset=utf-8"),
            "<html><head><title>Sign in</title></head><body>…</body></html>",
        ))
        .unwrap_err();
        assert!(
            err.to_string().contains(r#"HTML page (titled "Sign in")"#),
            "{err}"
        );
    }

    #[test]
    fn error_pages_are_summarised_not_dumped() {
        let page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><hr><center>cloudflare</center></body></html>";
        let err = http_error(StatusCode::BAD_GATEWAY, Some("text/html"), page);
        assert_eq!(
            err.to_string(),
            r#"GHL answered 502 Bad Gateway: an HTML page (saying "502 Bad Gateway cloudflare")"#
        );
        let long = "x".repeat(5000);
        let err = http_error(StatusCode::BAD_REQUEST, Some("text/plain"), &long);
        assert!(err.to_string().ends_with('…') && err.to_string().len() < 400);
        let err = http_error(
            StatusCode::BAD_REQUEST,
            None,
            r#"{"message":["a","b"],"traceId":"t"}"#,
        );
        assert_eq!(
            err.to_string(),
            "GHL answered 400 Bad Request: a; b (traceId t)"
        );
    }
}
