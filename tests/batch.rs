//! The batch executor and the adaptive limiter, as a library, against a fake GHL that enforces
//! a sliding-window quota and injects faults. Tools come from the generator's fixture snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use ghl_runtime::{
    BatchError, BatchOptions, BatchReport, Client, Config, OnError, ToolDef, execute_batch,
};
use ghl_testkit::{FakeGhl, Reply};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

include!("../codegen/tests/snapshots/widgets.rs");

fn tool(name: &str) -> &'static ToolDef {
    widgets::TOOLS.iter().find(|t| t.name == name).unwrap()
}

fn client(fake: &FakeGhl, extra: &[(&str, &str)]) -> Client {
    let mut env = vec![
        ("GHL_BASE_URL", fake.base_url()),
        ("GHL_API_KEY", "token".to_string()),
        ("GHL_LOCATION_ID", "loc-1".to_string()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let lookup = |var: &str| {
        env.iter()
            .rev()
            .find(|(k, _)| *k == var)
            .map(|(_, v)| v.clone())
    };
    Client::new(Config::from_lookup(lookup).unwrap())
}

async fn run(
    client: &Client,
    tool_name: &str,
    items: Vec<Value>,
    options: BatchOptions,
) -> Result<BatchReport, BatchError> {
    execute_batch(
        client,
        tool(tool_name),
        items,
        &options,
        &CancellationToken::new(),
        &|_| {},
    )
    .await
}

/// Checks the summary's arithmetic and returns it.
fn summary(report: &BatchReport) -> Value {
    let s = report.summary();
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(
        n("total"),
        n("succeeded") + n("failed") + n("skipped"),
        "{s}"
    );
    assert_eq!(
        n("failed") as usize,
        s["errors"].as_array().unwrap().len(),
        "{s}"
    );
    s
}

/// How many times the fake received each path.
fn receptions(fake: &FakeGhl) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in fake.requests() {
        *counts.entry(r.path).or_default() += 1;
    }
    counts
}

fn get_items(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| json!({ "widgetId": format!("{prefix}{i}") }))
        .collect()
}

#[tokio::test]
async fn equal_quotas_run_100_items_without_a_single_429() {
    let fake = FakeGhl::start().await;
    fake.enforce_quota(40, Duration::from_secs(2));
    let client = client(&fake, &[("GHL_RATE_LIMIT", "40/2s")]);
    let options = BatchOptions {
        concurrency: 10,
        ..BatchOptions::default()
    };
    let report = run(&client, "get_widget", get_items("w", 100), options)
        .await
        .unwrap();
    let s = summary(&report);
    assert_eq!(
        (s["succeeded"].as_u64(), s["failed"].as_u64()),
        (Some(100), Some(0)),
        "{s}"
    );
    assert_eq!(fake.too_many_count(), 0, "no 429 when the quotas agree");
    let counts = receptions(&fake);
    assert_eq!(counts.len(), 100);
    assert!(counts.values().all(|n| *n == 1), "every item sent once");
}

#[tokio::test]
async fn half_the_configured_quota_still_gets_every_item_through() {
    let fake = FakeGhl::start().await;
    fake.enforce_quota(10, Duration::from_secs(1));
    let client = client(&fake, &[("GHL_RATE_LIMIT", "20/1s")]);
    let items: Vec<Value> = (0..40)
        .map(|i| json!({ "widgetId": format!("n{i}"), "body": "hello" }))
        .collect();
    let options = BatchOptions {
        concurrency: 10,
        ..BatchOptions::default()
    };
    let report = run(&client, "create_widget_note", items, options)
        .await
        .unwrap();
    let s = summary(&report);
    assert_eq!(s["succeeded"], 40, "{s}");
    // The limiter followed the quota GHL announced.
    assert_eq!(client.limiter().quota_for("loc-1").to_string(), "10/1s");
    // A note was created once per item: only 429s were ever repeated.
    let mut accepted: HashMap<String, usize> = HashMap::new();
    for r in fake.requests().iter().filter(|r| r.status != 429) {
        *accepted.entry(r.path.clone()).or_default() += 1;
    }
    assert_eq!(accepted.len(), 40);
    assert!(accepted.values().all(|n| *n == 1), "{accepted:?}");
    assert!(
        receptions(&fake).values().all(|n| *n <= 3),
        "never more than 1 + max_retries sends"
    );
}

#[tokio::test]
async fn a_write_is_never_sent_twice_and_a_read_is_retried() {
    let fake = FakeGhl::start().await;
    fake.push_reply_for(
        "/widgets/n2/",
        Reply::json(500, json!({ "message": "boom" })),
    );
    fake.push_reply_for(
        "/widgets/n4/",
        Reply::json(200, json!({})).after(Duration::from_secs(2)),
    );
    fake.push_reply_for(
        "/widgets/r1",
        Reply::json(503, json!({ "message": "busy" })),
    );
    fake.push_reply_for(
        "/widgets/r3",
        Reply::json(200, json!({})).after(Duration::from_secs(2)),
    );
    let client = client(&fake, &[("GHL_TIMEOUT_SECS", "0.5")]);

    let notes: Vec<Value> = (0..6)
        .map(|i| json!({ "widgetId": format!("n{i}"), "body": "x" }))
        .collect();
    let report = run(
        &client,
        "create_widget_note",
        notes,
        BatchOptions::default(),
    )
    .await
    .unwrap();
    let s = summary(&report);
    assert_eq!(s["succeeded"], 4, "{s}");
    let errors = s["errors"].as_array().unwrap();
    assert_eq!(errors[0]["index"], 2);
    assert_eq!(
        (errors[0]["kind"].as_str(), errors[0]["status"].as_u64()),
        (Some("http"), Some(500))
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("boom"));
    assert_eq!(
        (errors[1]["index"].as_u64(), errors[1]["kind"].as_str()),
        (Some(4), Some("network"))
    );
    let counts = receptions(&fake);
    assert_eq!(
        counts["/widgets/n2/notes"], 1,
        "a 500 on a write is not retried"
    );
    assert_eq!(
        counts["/widgets/n4/notes"], 1,
        "a timeout on a write is not retried"
    );

    let report = run(
        &client,
        "get_widget",
        get_items("r", 4),
        BatchOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(summary(&report)["succeeded"], 4);
    let counts = receptions(&fake);
    assert_eq!(counts["/widgets/r1"], 2, "a 503 on a read is retried");
    assert_eq!(counts["/widgets/r3"], 2, "a timeout on a read is retried");
    assert_eq!(counts["/widgets/r0"], 1);
}

#[tokio::test]
async fn stop_mode_skips_what_was_not_started() {
    let fake = FakeGhl::start().await;
    fake.push_reply_for(
        "/widgets/n3/",
        Reply::json(422, json!({ "message": "bad note" })),
    );
    let client = client(&fake, &[]);
    let notes: Vec<Value> = (0..10)
        .map(|i| json!({ "widgetId": format!("n{i}"), "body": "x" }))
        .collect();
    let options = BatchOptions {
        concurrency: 1,
        on_error: OnError::Stop,
        ..BatchOptions::default()
    };
    let report = run(&client, "create_widget_note", notes, options)
        .await
        .unwrap();
    let s = summary(&report);
    assert_eq!(
        (
            s["succeeded"].as_u64(),
            s["failed"].as_u64(),
            s["skipped"].as_u64()
        ),
        (Some(3), Some(1), Some(6)),
        "{s}"
    );
    assert!(
        s["skipped_reason"]
            .as_str()
            .unwrap()
            .contains("on_error is stop")
    );
    assert_eq!(
        fake.requests().len(),
        4,
        "nothing after the failure was sent"
    );
}

#[tokio::test]
async fn invalid_items_fail_alone_or_refuse_the_batch() {
    let fake = FakeGhl::start().await;
    let client = client(&fake, &[]);
    let items = vec![
        json!({ "widgetId": "ok1", "body": "x" }),
        json!({ "widgetId": "ok2" }),
        json!({ "widgetId": "", "body": "x" }),
        json!({ "widgetId": "ok3", "body": 5 }),
    ];
    let report = run(
        &client,
        "create_widget_note",
        items.clone(),
        BatchOptions::default(),
    )
    .await
    .unwrap();
    let s = summary(&report);
    assert_eq!(
        (s["succeeded"].as_u64(), s["failed"].as_u64()),
        (Some(1), Some(3)),
        "{s}"
    );
    let errors = s["errors"].as_array().unwrap();
    let by_index: Vec<(u64, &str, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["index"].as_u64().unwrap(),
                e["kind"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_index[0], (1, "validation", "`body` is required"));
    assert_eq!(
        by_index[1],
        (2, "validation", "path parameter `widgetId` cannot be empty")
    );
    assert_eq!(
        by_index[2],
        (3, "validation", "`body` must be a string, not a number (5)")
    );
    assert_eq!(fake.requests().len(), 1);

    let options = BatchOptions {
        on_error: OnError::Stop,
        ..BatchOptions::default()
    };
    let err = run(&client, "create_widget_note", items, options)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("3 of 4 items are invalid and on_error is stop, so nothing was sent"),
        "{message}"
    );
    assert!(message.contains("item 1: `body` is required"), "{message}");
    assert_eq!(fake.requests().len(), 1, "the refused batch sent nothing");
}

#[tokio::test]
async fn limits_are_checked_before_anything_is_sent() {
    let fake = FakeGhl::start().await;
    let client = client(&fake, &[]);
    let err = run(
        &client,
        "get_widget",
        get_items("x", 101),
        BatchOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a batch holds at most 100 items; this one has 101"
    );
    for concurrency in [0, 11] {
        let options = BatchOptions {
            concurrency,
            ..BatchOptions::default()
        };
        let err = run(&client, "get_widget", get_items("x", 2), options)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("concurrency must be from 1 to 10, not {concurrency}")
        );
    }
    let options = BatchOptions {
        max_retries: 11,
        ..BatchOptions::default()
    };
    let err = run(&client, "get_widget", get_items("x", 2), options)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "max_retries must be from 0 to 10, not 11");
    assert!(fake.requests().is_empty());
    let empty = run(&client, "get_widget", Vec::new(), BatchOptions::default())
        .await
        .unwrap();
    assert_eq!(summary(&empty)["total"], 0);
}

#[tokio::test]
async fn detail_results_are_in_item_order_and_projected() {
    let fake = FakeGhl::start().await;
    for i in 0..3 {
        fake.push_reply_for(
            &format!("/widgets/d{i}"),
            Reply::json(200, json!({ "widget": { "id": format!("d{i}"), "name": "n", "parts": [{ "id": "p", "kind": "bolt" }] }, "traceId": "t" }))
                .after(Duration::from_millis(100 * (3 - i))),
        );
    }
    fake.push_reply_for(
        "/widgets/d3",
        Reply::json(404, json!({ "message": "no such widget" })),
    );
    let client = client(&fake, &[]);
    let report = run(
        &client,
        "get_widget",
        get_items("d", 4),
        BatchOptions::default(),
    )
    .await
    .unwrap();
    let select = vec!["widget.id".to_string(), "widget.parts.kind".to_string()];
    let detail = report.detail(&select);
    assert_eq!(
        detail["results"],
        json!([
            { "widget": { "id": "d0", "parts": [{ "kind": "bolt" }] } },
            { "widget": { "id": "d1", "parts": [{ "kind": "bolt" }] } },
            { "widget": { "id": "d2", "parts": [{ "kind": "bolt" }] } },
            null
        ])
    );
    assert_eq!(detail["errors"][0]["status"], 404);
    assert!(
        report.summary().get("results").is_none(),
        "summary mode has no results"
    );
}

#[tokio::test]
async fn two_batches_share_one_budget() {
    let fake = FakeGhl::start().await;
    fake.enforce_quota(10, Duration::from_secs(1));
    let client = client(&fake, &[("GHL_RATE_LIMIT", "10/1s")]);
    let (a, b) = tokio::join!(
        run(
            &client,
            "get_widget",
            get_items("a", 15),
            BatchOptions::default()
        ),
        run(
            &client,
            "get_widget",
            get_items("b", 15),
            BatchOptions::default()
        ),
    );
    assert_eq!(summary(&a.unwrap())["succeeded"], 15);
    assert_eq!(summary(&b.unwrap())["succeeded"], 15);
    assert_eq!(
        fake.too_many_count(),
        0,
        "the two batches never exceeded the shared quota"
    );
}

#[tokio::test]
async fn a_spent_daily_budget_fails_calls_at_once() {
    let fake = FakeGhl::start().await;
    fake.set_daily_remaining(Some(0));
    let client = client(&fake, &[]);
    let report = run(
        &client,
        "get_widget",
        get_items("x", 3),
        BatchOptions {
            concurrency: 1,
            ..BatchOptions::default()
        },
    )
    .await
    .unwrap();
    let s = summary(&report);
    assert_eq!(
        (s["succeeded"].as_u64(), s["failed"].as_u64()),
        (Some(1), Some(2)),
        "{s}"
    );
    assert_eq!(s["errors"][0]["kind"], "rate_limit");
    assert!(
        s["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("daily request budget"),
        "{s}"
    );
    assert_eq!(
        fake.requests().len(),
        1,
        "after GHL said the day is spent, nothing more was sent"
    );
}

#[tokio::test]
async fn cancelling_stops_dispatch_and_lets_sent_requests_finish() {
    let fake = FakeGhl::start().await;
    fake.set_fallback(Reply::json(200, json!({})).after(Duration::from_millis(300)));
    let client = client(&fake, &[]);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let progress = move |p: ghl_runtime::BatchProgress| {
        if p.done == 2 {
            trigger.cancel();
        }
    };
    let options = BatchOptions {
        concurrency: 2,
        ..BatchOptions::default()
    };
    let report = execute_batch(
        &client,
        tool("get_widget"),
        get_items("c", 20),
        &options,
        &cancel,
        &progress,
    )
    .await
    .unwrap();
    let s = summary(&report);
    let sent = fake.requests().len();
    assert!(
        sent <= 4,
        "at most the two in flight when cancelled were added: {sent}"
    );
    assert_eq!(
        s["succeeded"].as_u64().unwrap() as usize,
        sent,
        "requests already sent finished: {s}"
    );
    assert_eq!(s["skipped"].as_u64().unwrap() as usize, 20 - sent, "{s}");
    assert!(s["skipped_reason"].as_str().unwrap().contains("cancelled"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        fake.requests().len(),
        sent,
        "nothing was sent after the batch returned"
    );
}
