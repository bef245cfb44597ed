//! The client against a fake GHL: what comes back for each kind of answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ghl_runtime::{CallError, Client, Config, Method, Request};
use ghl_testkit::{FakeGhl, Reply};
use serde_json::{Value, json};

fn client(fake: &FakeGhl, extra: &[(&str, &str)]) -> Client {
    let mut env = vec![
        ("GHL_BASE_URL", fake.base_url()),
        ("GHL_API_KEY", "token-xyz".to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    // Later entries override earlier ones.
    let lookup = |var: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| *k == var)
            .map(|(_, v)| v.clone())
    };
    Client::new(Config::from_lookup(lookup).unwrap())
}

fn request(method: Method, path: &str, body: Option<Value>) -> Request {
    Request {
        tool: "test",
        method,
        path: path.into(),
        query: vec![("tags".into(), "a b".into()), ("tags".into(), "c&d".into())],
        body,
        version: "2021-04-15",
        rate_key: "loc".into(),
        idempotent: false,
        scopes: &[],
    }
}

#[tokio::test]
async fn sends_method_path_query_headers_and_body() {
    let fake = FakeGhl::start().await;
    let body = json!({ "tags": ["x"] });
    let value = client(&fake, &[])
        .send(&request(
            Method::Delete,
            "/contacts/c%2F1/tags",
            Some(body.clone()),
        ))
        .await
        .unwrap();
    assert_eq!(value["ok"], true);
    let r = &fake.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", "/contacts/c%2F1/tags")
    );
    assert_eq!(r.query.as_deref(), Some("tags=a+b&tags=c%26d"));
    assert_eq!(r.header("version"), Some("2021-04-15"));
    assert_eq!(r.header("authorization"), Some("Bearer token-xyz"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(r.json(), body);
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    let fake = FakeGhl::start().await;
    let client = client(
        &fake,
        &[("GHL_BASE_URL", &format!("{}/proxy/", fake.base_url()))],
    );
    client
        .send(&request(Method::Get, "/contacts/x", None))
        .await
        .unwrap();
    assert_eq!(fake.requests()[0].path, "/proxy/contacts/x");
}

#[tokio::test]
async fn empty_and_non_json_successes() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::text(204, "application/json", ""));
    fake.push_reply(Reply::text(200, "text/plain", "OK"));
    let client = client(&fake, &[]);
    assert_eq!(
        client
            .send(&request(Method::Get, "/a", None))
            .await
            .unwrap(),
        Value::Null
    );
    assert_eq!(
        client
            .send(&request(Method::Get, "/a", None))
            .await
            .unwrap(),
        json!("OK")
    );
}

#[tokio::test]
async fn ghl_error_bodies_of_every_shape_become_structured_errors() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        400,
        json!({ "statusCode": 400, "message": ["a must be set", "b must be a number"] }),
    ));
    fake.push_reply(Reply::json(
        401,
        json!({ "msg": "Invalid token", "traceId": "tr-1" }),
    ));
    fake.push_reply(Reply::json(
        403,
        json!({ "error": "The token is not authorized for this scope." }),
    ));
    fake.push_reply(Reply::text(
        502,
        "text/html",
        &format!("<html>{}</html>", "x".repeat(2000)),
    ));
    fake.push_reply(Reply::text(500, "application/json", ""));
    let client = client(&fake, &[]);
    let mut errors = Vec::new();
    for _ in 0..5 {
        errors.push(
            client
                .send(&request(Method::Post, "/b", Some(json!({}))))
                .await
                .unwrap_err(),
        );
    }
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts[0],
        "GHL answered 400 Bad Request: a must be set; b must be a number"
    );
    assert_eq!(
        texts[1],
        "GHL answered 401 Unauthorized: Invalid token (traceId tr-1). Check GHL_API_KEY: the \
         token may be wrong, expired or revoked"
    );
    assert_eq!(
        texts[2],
        "GHL answered 403 Forbidden: The token is not authorized for this scope."
    );
    assert!(
        texts[3].starts_with("GHL answered 502 Bad Gateway: an HTML page (saying \"xxx"),
        "{}",
        texts[3]
    );
    assert!(
        texts[3].len() < 600,
        "a long non-JSON body is cut: {} chars",
        texts[3].len()
    );
    assert_eq!(
        texts[4],
        "GHL answered 500 Internal Server Error: Internal Server Error"
    );
    assert!(
        matches!(errors[1], CallError::Http { status: 401, ref trace_id, .. } if trace_id.as_deref() == Some("tr-1"))
    );
    assert_eq!(errors[0].status(), Some(400));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_and_a_refused_connection_was_never_sent() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(200, json!({})).after(Duration::from_secs(3)));
    let slow = client(&fake, &[("GHL_TIMEOUT_SECS", "0.3")])
        .send(&request(Method::Get, "/slow", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            slow,
            CallError::Network {
                maybe_sent: true,
                ..
            }
        ),
        "{slow:?}"
    );
    assert!(slow.to_string().contains("timed out"), "{slow}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = client(
        &fake,
        &[("GHL_BASE_URL", &format!("http://127.0.0.1:{port}"))],
    );
    let refused = closed
        .send(&request(Method::Post, "/x", Some(json!({}))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            CallError::Network {
                maybe_sent: false,
                ..
            }
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn without_a_token_nothing_is_sent() {
    let fake = FakeGhl::start().await;
    let env = [("GHL_BASE_URL", fake.base_url())];
    let config =
        Config::from_lookup(|var| env.iter().find(|(k, _)| *k == var).map(|(_, v)| v.clone()))
            .unwrap();
    let err = Client::new(config)
        .send(&request(Method::Get, "/a", None))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GHL_API_KEY is not set: set it to a Private Integration Token or an OAuth access token"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn an_answer_past_the_size_limit_is_dropped_with_a_clear_error() {
    let fake = FakeGhl::start().await;
    // A body that never ends, arriving as fast as the socket takes it.
    fake.push_reply(Reply::text(200, "application/json", "[").with_fault(
        ghl_testkit::BodyFault::Endless {
            chunk: 64 * 1024,
            every: Duration::from_millis(1),
        },
    ));
    let mut config = Config::from_lookup(|var| match var {
        "GHL_BASE_URL" => Some(fake.base_url()),
        "GHL_API_KEY" => Some("token-xyz".into()),
        _ => None,
    })
    .unwrap();
    config.max_response_bytes = 2 * 1024 * 1024;
    let error = Client::new(config)
        .send(&request(Method::Post, "/flood", Some(json!({}))))
        .await
        .unwrap_err();
    assert!(
        matches!(error, CallError::TooLarge { limit, .. } if limit == 2 * 1024 * 1024),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "GHL's answer (200 OK) is larger than 2 MiB and was not read to the end: ask for less \
         (a smaller page or limit, or filters)"
    );
    assert_eq!(fake.requests().len(), 1, "not retried");
}
