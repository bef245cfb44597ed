//! `ghl-mcp doctor`, run as a real process against a fake GHL on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;
use std::time::Duration;

use ghl_testkit::{FakeGhl, Reply};
use serde_json::json;
use tokio::process::Command;

const TOKEN: &str = "pit-doctor-secret-token-77";

/// Every variable doctor reads, removed first so the developer's environment never leaks in.
const VARS: &[&str] = &[
    "GHL_API_KEY",
    "GHL_BASE_URL",
    "GHL_LOCATION_ID",
    "GHL_RATE_LIMIT",
    "GHL_TIMEOUT_SECS",
    "GHL_MAX_RETRIES",
    "GHL_LOG",
];

/// Runs `ghl-mcp doctor` with exactly these variables set.
async fn doctor(env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"));
    command.arg("doctor");
    for var in VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    command.output().await.unwrap()
}

/// The usual configuration against `fake`, with `overrides` on top (an empty value unsets).
async fn doctor_against(fake: &FakeGhl, overrides: &[(&str, &str)]) -> Output {
    let base_url = fake.base_url();
    let mut env = vec![
        ("GHL_API_KEY", TOKEN),
        ("GHL_BASE_URL", base_url.as_str()),
        ("GHL_LOCATION_ID", "loc-9"),
    ];
    for (var, value) in overrides {
        env.retain(|(v, _)| v != var);
        if !value.is_empty() {
            env.push((var, value));
        }
    }
    doctor(&env).await
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Every line is one check, starting with `ok`, `warn` or `fail`; the token is never shown.
fn checklist(output: &Output) -> String {
    let text = stdout(output);
    for line in text.lines() {
        assert!(
            ["ok ", "warn ", "fail "]
                .iter()
                .any(|tag| line.starts_with(tag)),
            "not a checklist line: {line:?}\n{text}"
        );
    }
    assert!(
        !text.contains(TOKEN) && !stderr(output).contains(TOKEN),
        "the token was printed"
    );
    text
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line mentions {needle:?}:\n{text}"))
}

#[tokio::test]
async fn a_healthy_setup_reports_status_and_the_budget_ghl_announced() {
    let fake = FakeGhl::start().await;
    fake.enforce_quota(100, Duration::from_secs(10));
    fake.set_daily_remaining(Some(199_990));
    let mut reply = Reply::json(
        200,
        json!({ "location": { "id": "loc-9", "name": "Ada's" } }),
    );
    reply
        .headers
        .push(("x-ratelimit-limit-daily".into(), "200000".into()));
    fake.push_reply_for("/locations/", reply);

    let output = doctor_against(&fake, &[]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));

    assert!(line_with(&text, "GHL_API_KEY").starts_with("ok "), "{text}");
    assert!(
        line_with(&text, "base URL").starts_with("warn "),
        "a test server is not GHL's host: {text}"
    );
    assert!(line_with(&text, "GHL_LOCATION_ID is loc-9").starts_with("ok "));
    assert!(line_with(&text, "100 requests per 10 s per location").starts_with("ok "));
    assert!(line_with(&text, "timeout: 30 s").starts_with("ok "));
    let answer = line_with(&text, "GHL answered");
    assert!(
        answer.starts_with("ok ") && answer.contains("200 OK") && answer.contains(" ms"),
        "{answer}"
    );
    let budget = line_with(&text, "rate limits from GHL");
    assert!(budget.starts_with("ok "), "{budget}");
    assert!(
        budget.contains(
            "100 requests per 10 s, 99 left in this window; 200000 a day, 199990 left today"
        ),
        "{budget}"
    );
    assert!(
        text.lines().last().unwrap().starts_with("ok   ready"),
        "{text}"
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 1, "one cheap read");
    let sent = &requests[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/locations/loc-9")
    );
    assert_eq!(sent.header("version"), Some("2021-07-28"));
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn a_stricter_quota_from_ghl_is_a_warning_not_a_failure() {
    let fake = FakeGhl::start().await;
    fake.enforce_quota(10, Duration::from_secs(10));
    let output = doctor_against(&fake, &[]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let budget = line_with(&text, "rate limits from GHL");
    assert!(
        budget.starts_with("warn ")
            && budget.contains("10 requests per 10 s, 9 left in this window")
            && budget.contains("stricter than GHL_RATE_LIMIT=100/10s"),
        "{budget}"
    );
    assert!(
        !budget.contains("a day"),
        "only what the headers said: {budget}"
    );
}

#[tokio::test]
async fn a_refused_token_says_so_and_exits_4() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        401,
        json!({ "statusCode": 401, "message": "Invalid JWT" }),
    ));
    let output = doctor_against(&fake, &[]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    let line = line_with(&text, "refused");
    assert!(
        line.starts_with("fail ")
            && line.contains("the token was refused (401)")
            && line.contains("Invalid JWT")
            && line.contains("check GHL_API_KEY"),
        "{line}"
    );
    assert_eq!(fake.requests().len(), 1, "never retried");
}

#[tokio::test]
async fn a_missing_scope_names_the_scope_the_call_needs() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        403,
        json!({ "message": "The token is not authorized for this scope.", "traceId": "t-403" }),
    ));
    let output = doctor_against(&fake, &[]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    let line = line_with(&text, "scope");
    assert!(
        line.starts_with("fail ")
            && line.contains("(403)")
            && line.contains("not authorized for this scope")
            && line.contains("get_location needs locations.readonly")
            && line.contains("t-403"),
        "{line}"
    );
}

#[tokio::test]
async fn an_unknown_location_is_reported_with_its_encoded_id() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(404, json!({ "message": "Location not found" })));
    let output = doctor_against(&fake, &[("GHL_LOCATION_ID", "no such/loc")]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    let line = line_with(&text, "not found");
    assert!(
        line.starts_with("fail ") && line.contains("no such/loc") && line.contains("(404)"),
        "{line}"
    );
    assert_eq!(fake.requests()[0].path, "/locations/no%20such%2Floc");
}

#[tokio::test]
async fn no_token_is_a_configuration_failure_and_sends_nothing() {
    let fake = FakeGhl::start().await;
    let output = doctor_against(&fake, &[("GHL_API_KEY", "")]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(5), "{text}");
    assert!(
        line_with(&text, "GHL_API_KEY is not set").starts_with("fail "),
        "{text}"
    );
    assert!(
        fake.requests().is_empty(),
        "nothing is sent without a token"
    );
}

#[tokio::test]
async fn no_location_means_nothing_can_be_checked() {
    let fake = FakeGhl::start().await;
    let output = doctor_against(&fake, &[("GHL_LOCATION_ID", "")]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(5), "{text}");
    let line = line_with(&text, "GHL_LOCATION_ID is not set");
    assert!(
        line.starts_with("fail ") && line.contains("cannot check"),
        "{line}"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn every_invalid_variable_is_named_at_once() {
    let fake = FakeGhl::start().await;
    let output = doctor_against(
        &fake,
        &[("GHL_RATE_LIMIT", "lots"), ("GHL_TIMEOUT_SECS", "-1")],
    )
    .await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(5), "{text}");
    assert!(line_with(&text, "GHL_RATE_LIMIT=\"lots\"").starts_with("fail "));
    assert!(line_with(&text, "GHL_TIMEOUT_SECS=\"-1\"").starts_with("fail "));
    assert!(
        line_with(&text, "GHL_API_KEY").starts_with("ok "),
        "the other checks still run: {text}"
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_base_url_says_where_and_why() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let output = doctor(&[
        ("GHL_API_KEY", TOKEN),
        ("GHL_BASE_URL", &base_url),
        ("GHL_LOCATION_ID", "loc-9"),
        ("GHL_TIMEOUT_SECS", "5"),
    ])
    .await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(5), "{text}");
    let line = line_with(&text, "cannot reach");
    assert!(
        line.starts_with("fail ") && line.contains(&base_url) && line.contains("onnect"),
        "{line}"
    );
}

#[tokio::test]
async fn a_timeout_names_the_setting_that_bounds_it() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(200, json!({})).after(Duration::from_secs(3)));
    let output = doctor_against(&fake, &[("GHL_TIMEOUT_SECS", "0.3")]).await;
    let text = checklist(&output);
    assert_eq!(output.status.code(), Some(5), "{text}");
    let line = line_with(&text, "cannot reach");
    assert!(
        line.contains("timed out") && line.contains("after 300 ms (GHL_TIMEOUT_SECS)"),
        "{line}"
    );
    assert_eq!(fake.requests().len(), 1, "a probe is never retried");
}
