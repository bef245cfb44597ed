//! The token never shows: one known token goes through everything ghl-mcp can do (MCP calls
//! that succeed, GHL errors, a GHL that echoes the token back, timeouts, an unreachable GHL,
//! batches, a tool call that panics, the CLI's calls, dry runs and doctor) with every log on
//! at `trace`, and every byte of stdout, stderr and every result is scanned for it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ghl_runtime::{CallError, Client, Config};
use ghl_testkit::{FakeGhl, Reply};
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use rmcp::{ServiceExt, model::CallToolResult};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

const TOKEN: &str = "pit-7f3c9a1e-secret-token-under-test";

/// Fragments that would show a partial leak too.
const FRAGMENTS: [&str; 3] = [TOKEN, "7f3c9a1e", "secret-token-under-test"];

fn assert_clean(what: &str, text: &str) {
    for fragment in FRAGMENTS {
        assert!(
            !text.contains(fragment),
            "the token leaked into {what}: {text}"
        );
    }
}

fn text(result: &CallToolResult) -> String {
    serde_json::to_string(result).unwrap()
}

fn server(base_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"));
    command
        .args(["serve", "--tools", "all"])
        .env("GHL_BASE_URL", base_url)
        .env("GHL_API_KEY", TOKEN)
        .env("GHL_LOCATION_ID", "loc-1")
        .env("GHL_TIMEOUT_SECS", "0.5")
        .env("GHL_MAX_RETRIES", "1")
        .env("GHL_LOG", "trace");
    command
}

/// Runs a session of calls and returns every result's JSON and the server's stderr.
async fn mcp_session(base_url: &str, calls: &[(&str, Value)]) -> (Vec<String>, String) {
    mcp_session_of(server(base_url), calls).await
}

/// [`mcp_session`] with a server command of the caller's.
async fn mcp_session_of(server: Command, calls: &[(&str, Value)]) -> (Vec<String>, String) {
    let (transport, stderr) = TokioChildProcess::builder(server)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    if let Some(mut stderr) = stderr {
        let log = log.clone();
        tokio::spawn(async move {
            let mut buf = vec![0; 8192];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                log.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    let client = ().serve(transport).await.unwrap();
    let mut results = vec![format!("{:?}", client.list_all_tools().await.unwrap())];
    for (name, args) in calls {
        let Value::Object(args) = args.clone() else {
            panic!("arguments must be an object")
        };
        let result = client
            .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args))
            .await;
        results.push(match result {
            Ok(result) => text(&result),
            Err(e) => e.to_string(),
        });
    }
    client.cancel().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let log = log.lock().unwrap().clone();
    (results, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_mcp_result_or_log_line_shows_the_token() {
    let fake = FakeGhl::start().await;
    let echo = format!("Invalid token: Bearer {TOKEN}");
    fake.push_reply_for(
        "/contacts/ok",
        Reply::json(200, json!({ "contact": { "id": "ok" } })),
    );
    fake.push_reply_for(
        "/contacts/echo-success",
        Reply::json(
            200,
            json!({ "contact": { "id": "e", "note": format!("you sent {TOKEN}") } }),
        ),
    );
    fake.push_reply_for(
        "/contacts/echo-error",
        Reply::json(401, json!({ "message": echo })),
    );
    fake.push_reply_for(
        "/contacts/html",
        Reply::text(500, "text/html", &format!("<html><p>{echo}</p></html>")),
    );
    for _ in 0..2 {
        // The GET is retried once after its timeout.
        fake.push_reply_for(
            "/contacts/slow",
            Reply::json(200, json!({})).after(Duration::from_secs(2)),
        );
    }
    for _ in 0..3 {
        fake.push_reply_for(
            "/contacts/b-1/",
            Reply::json(422, json!({ "message": [echo.clone()] })),
        );
    }
    let calls = [
        ("get_contact", json!({ "contactId": "ok" })),
        ("get_contact", json!({ "contactId": "echo-success" })),
        ("get_contact", json!({ "contactId": "echo-error" })),
        ("delete_contact", json!({ "contactId": "html" })),
        ("get_contact", json!({ "contactId": "slow" })),
        ("get_contact", json!({ "contactId": 5 })),
        ("get_contactz", json!({})),
        (
            "execute_batch",
            json!({ "tool_name": "create_contact_note", "options": { "result_mode": "detail" },
                    "items": [{ "contactId": "b-0", "body": "x" }, { "contactId": "b-1", "body": "y" }] }),
        ),
    ];
    let (results, log) = mcp_session(&fake.base_url(), &calls).await;
    assert_eq!(results.len(), calls.len() + 1);
    assert!(
        results[2].contains("you sent [redacted]"),
        "an echoed token is scrubbed from a result: {}",
        results[2]
    );
    assert!(
        results[3].contains("Invalid token: Bearer [redacted]"),
        "and from an error: {}",
        results[3]
    );
    assert!(results[5].contains("timed out"), "{}", results[5]);
    assert!(
        log.contains("GHL answered") && log.contains("TRACE"),
        "trace logging was on"
    );
    for (i, result) in results.iter().enumerate() {
        assert_clean(&format!("result {i}"), result);
    }
    assert_clean("the server's log", &log);

    // GHL unreachable: connection errors name the URL, never the token.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (results, log) = mcp_session(
        &format!("http://127.0.0.1:{port}"),
        &[("get_contact", json!({ "contactId": "x" }))],
    )
    .await;
    assert!(results[1].contains("could not reach GHL"), "{}", results[1]);
    assert_clean("an unreachable GHL's result", &results[1]);
    assert_clean("an unreachable GHL's log", &log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_call_that_panics_answers_scrubbed_and_the_server_goes_on() {
    let fake = FakeGhl::start().await;
    fake.push_reply_for(
        "/contacts/after",
        Reply::json(200, json!({ "contact": { "id": "after" } })),
    );
    // A debug build's fault hook: every delete_contact call panics with this message.
    let mut command = server(&fake.base_url());
    command.env(
        "GHL_MCP_TEST_PANIC",
        format!("delete_contact:state near {TOKEN} went wrong"),
    );
    let calls = [
        ("delete_contact", json!({ "contactId": "p-1" })),
        ("get_contact", json!({ "contactId": "after" })),
        ("delete_contact", json!({ "contactId": "p-2" })),
    ];
    let (results, log) = mcp_session_of(command, &calls).await;
    for panicked in [&results[1], &results[3]] {
        let result: Value = serde_json::from_str(panicked).unwrap();
        assert_eq!(result["isError"], true, "{panicked}");
        assert!(
            panicked.contains(
                "delete_contact: internal error in ghl-mcp (a bug; please report it): \
                 state near [redacted] went wrong"
            ),
            "the panic is the call's error, its message scrubbed: {panicked}"
        );
    }
    assert!(
        results[2].contains(r#"\"id\":\"after\""#),
        "the server answered the next call: {}",
        results[2]
    );
    let guard_lines: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("tool call panicked"))
        .collect();
    assert_eq!(
        guard_lines.len(),
        2,
        "the guard logs each panic: {guard_lines:?}"
    );
    for line in guard_lines {
        assert!(
            line.contains("ERROR") && line.contains("state near [redacted] went wrong"),
            "{line}"
        );
    }
    // The panic hook's report: "ghl-mcp panicked at FILE:LINE:COLUMN:", then the message.
    let hook_reports: Vec<&str> = log.split("ghl-mcp panicked at ").skip(1).collect();
    assert_eq!(hook_reports.len(), 2, "the panic hook reports each panic");
    for report in hook_reports {
        let message = report.lines().nth(1).unwrap_or_default();
        assert!(
            message.starts_with("state near [redacted] went wrong"),
            "{message}"
        );
    }
    for (i, result) in results.iter().enumerate() {
        assert_clean(&format!("result {i}"), result);
    }
    assert_clean("the server's log", &log);
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/contacts/after"],
        "a call that panicked before sending sent nothing"
    );
}

#[tokio::test]
async fn no_cli_output_shows_the_token() {
    let fake = FakeGhl::start().await;
    fake.set_fallback(Reply::json(
        403,
        json!({ "message": format!("token {TOKEN} lacks a scope") }),
    ));
    let runs: [&[&str]; 5] = [
        &["call", "get_contact", "--arg", "contactId=c1", "--dry-run"],
        &["call", "get_contact", "--arg", "contactId=c1"],
        &["call", "get_contact", "--args", "{\"contactId\": 5}"],
        &["doctor"],
        &["describe", "get_contact"],
    ];
    for args in runs {
        let output = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
            .args(args)
            .env("GHL_BASE_URL", fake.base_url())
            .env("GHL_API_KEY", TOKEN)
            .env("GHL_LOCATION_ID", "loc-1")
            .env("GHL_LOG", "trace")
            .output()
            .await
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.trim().is_empty(), "{args:?} printed something");
        assert_clean(&format!("`ghl-mcp {}`", args.join(" ")), &all);
    }
}

#[tokio::test]
async fn debug_output_of_config_client_and_errors_hides_the_token() {
    let fake = FakeGhl::start().await;
    fake.set_fallback(Reply::json(
        401,
        json!({ "message": format!("bad token {TOKEN}") }),
    ));
    let config = Config::from_lookup(|var| match var {
        "GHL_API_KEY" => Some(TOKEN.to_string()),
        "GHL_BASE_URL" => Some(fake.base_url()),
        _ => None,
    })
    .unwrap();
    assert_clean("Config's Debug", &format!("{config:?}"));
    let client = Client::new(config);
    assert_clean("Client's Debug", &format!("{client:?}"));
    let request = ghl_runtime::Request {
        tool: "t",
        method: ghl_runtime::Method::Get,
        path: "/x".into(),
        query: Vec::new(),
        body: None,
        version: "2021-07-28",
        rate_key: "loc".into(),
        idempotent: true,
        scopes: &["contacts.readonly"],
    };
    let error: CallError = client.send(&request).await.unwrap_err();
    assert!(
        error.to_string().contains("bad token [redacted]"),
        "{error}"
    );
    assert_clean("an error's Display", &error.to_string());
    assert_clean("an error's Debug", &format!("{error:?}"));
}
