//! The command line, run as a real process against a fake GHL on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use ghl_testkit::{FakeGhl, Reply};
use serde_json::{Value, json};
use tokio::process::Command;

const TOKEN: &str = "pit-cli-secret-token-42";

async fn ghl_mcp(fake: &FakeGhl, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .args(args)
        .env("GHL_BASE_URL", fake.base_url())
        .env("GHL_API_KEY", TOKEN)
        .env("GHL_LOCATION_ID", "loc-9")
        .env_remove("GHL_RATE_LIMIT")
        .output()
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[tokio::test]
async fn tools_lists_every_tool_with_method_and_path() {
    let fake = FakeGhl::start().await;
    let output = ghl_mcp(&fake, &["tools"]).await;
    assert!(output.status.success());
    let text = stdout(&output);
    assert_eq!(
        text.lines().count(),
        570,
        "one line per tool: 568 operations and send_sms, send_email"
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("get_contact "))
        .unwrap();
    assert!(
        line.contains("GET")
            && line.contains("/contacts/{contactId}")
            && line.contains("Get Contact"),
        "{line}"
    );
}

#[tokio::test]
async fn dry_run_prints_the_request_without_the_token_and_sends_nothing() {
    let fake = FakeGhl::start().await;
    let args = r#"{"contactId": "a b/c", "tags": ["vip"]}"#;
    let output = ghl_mcp(
        &fake,
        &["call", "remove_contact_tags", "--args", args, "--dry-run"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let expected_url = format!("DELETE {}/contacts/a%20b%2Fc/tags", fake.base_url());
    assert!(text.starts_with(&expected_url), "{text}");
    assert!(text.contains("Authorization: Bearer [redacted]"), "{text}");
    assert!(text.contains("Version: 2021-07-28"), "{text}");
    let body: Value = serde_json::from_str(text.split("\n\n").nth(1).unwrap()).unwrap();
    assert_eq!(
        body,
        json!({ "tags": ["vip"] }),
        "a DELETE carries its JSON body"
    );
    assert!(!text.contains(TOKEN) && !stderr(&output).contains(TOKEN));
    assert!(fake.requests().is_empty(), "a dry run sends nothing");
}

#[tokio::test]
async fn call_prints_ghls_json_and_exit_codes_tell_failures_apart() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        200,
        json!({ "contact": { "id": "c1", "firstName": "Ada" } }),
    ));
    let ok = ghl_mcp(
        &fake,
        &["call", "get_contact", "--args", r#"{"contactId":"c1"}"#],
    )
    .await;
    assert!(ok.status.success(), "{}", stderr(&ok));
    let printed: Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(printed["contact"]["firstName"], "Ada");

    fake.push_reply(Reply::json(
        404,
        json!({ "statusCode": 404, "message": "Contact not found", "traceId": "t-9" }),
    ));
    let not_found = ghl_mcp(
        &fake,
        &["call", "get_contact", "--args", r#"{"contactId":"nope"}"#],
    )
    .await;
    assert_eq!(not_found.status.code(), Some(4));
    let message = stderr(&not_found);
    assert!(
        message.contains("404") && message.contains("Contact not found") && message.contains("t-9"),
        "{message}"
    );

    let invalid = ghl_mcp(
        &fake,
        &["call", "get_contact", "--args", r#"{"contactId": 7}"#],
    )
    .await;
    assert_eq!(invalid.status.code(), Some(3));
    assert!(
        stderr(&invalid).contains("`contactId` must be a string"),
        "{}",
        stderr(&invalid)
    );

    let not_json = ghl_mcp(&fake, &["call", "get_contact", "--args", "{contactId:"]).await;
    assert_eq!(not_json.status.code(), Some(3));
    assert!(
        stderr(&not_json).contains("--args is not valid JSON"),
        "{}",
        stderr(&not_json)
    );

    let unknown = ghl_mcp(&fake, &["call", "get_contcat"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean `get_contact`"),
        "{}",
        stderr(&unknown)
    );

    assert_eq!(
        fake.requests().len(),
        2,
        "only the two valid calls reached GHL"
    );
    for output in [&ok, &not_found, &invalid, &not_json, &unknown] {
        assert!(!stdout(output).contains(TOKEN) && !stderr(output).contains(TOKEN));
    }
}

#[tokio::test]
async fn an_unreachable_ghl_is_a_network_error() {
    // A port that was free a moment ago and has no listener now: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .args(["call", "get_contact", "--args", r#"{"contactId":"c"}"#])
        .env("GHL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("GHL_API_KEY", TOKEN)
        .output()
        .await
        .unwrap();
    assert_eq!(
        unreachable.status.code(),
        Some(5),
        "{}",
        stderr(&unreachable)
    );
    assert!(
        stderr(&unreachable).contains("could not reach GHL"),
        "{}",
        stderr(&unreachable)
    );
    assert!(!stderr(&unreachable).contains(TOKEN));
}

#[tokio::test]
async fn without_ca_certificates_a_call_is_a_clear_configuration_error() {
    let fake = FakeGhl::start().await;
    let output = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .args(["call", "get_contact", "--args", r#"{"contactId":"c"}"#])
        .env("GHL_BASE_URL", fake.base_url())
        .env("GHL_API_KEY", TOKEN)
        .env("SSL_CERT_FILE", "/nonexistent/ghl-mcp-test/ca.pem")
        .env("SSL_CERT_DIR", "/nonexistent/ghl-mcp-test/certs")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the HTTP client could not be set up")
            && stderr(&output).contains("SSL_CERT_FILE"),
        "{}",
        stderr(&output)
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_missing_token_is_a_clear_configuration_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .args(["call", "get_contact", "--args", r#"{"contactId":"c"}"#])
        .env_remove("GHL_API_KEY")
        .env("GHL_BASE_URL", "http://127.0.0.1:9")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr(&output).contains("GHL_API_KEY is not set"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn batch_runs_a_jsonl_file_and_reports_in_json() {
    let fake = FakeGhl::start().await;
    fake.push_reply_for(
        "/contacts/c1/tags",
        Reply::json(400, json!({ "message": "no such tag" })),
    );
    let dir = std::env::temp_dir().join(format!("ghl-mcp-cli-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let items = dir.join("items.jsonl");
    std::fs::write(&items, "{\"contactId\":\"c0\",\"tags\":[\"a\"]}\n\n{\"contactId\":\"c1\",\"tags\":[\"b\"]}\n{\"contactId\":\"c2\",\"tags\":[\"c\"]}\n").unwrap();
    let items_arg = items.to_str().unwrap();

    let output = ghl_mcp(
        &fake,
        &[
            "batch",
            "add_contact_tags",
            "--items",
            items_arg,
            "--detail",
            "--select",
            "ok",
        ],
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(6),
        "some items failed: {}",
        stderr(&output)
    );
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        (
            report["total"].as_u64(),
            report["succeeded"].as_u64(),
            report["failed"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(report["errors"][0]["index"], 1);
    assert_eq!(
        report["results"],
        json!([{ "ok": true }, null, { "ok": true }])
    );
    assert_eq!(fake.requests().len(), 3);

    std::fs::write(&items, "{\"contactId\":\"c0\",\"tags\":[\"a\"]}\n").unwrap();
    let ok = ghl_mcp(&fake, &["batch", "add_contact_tags", "--items", items_arg]).await;
    assert!(ok.status.success(), "{}", stderr(&ok));
    let summary: Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert!(summary.get("results").is_none() && summary["succeeded"] == 1);

    let too_many = ghl_mcp(
        &fake,
        &[
            "batch",
            "add_contact_tags",
            "--items",
            items_arg,
            "--concurrency",
            "11",
        ],
    )
    .await;
    assert_eq!(too_many.status.code(), Some(2));
    assert!(
        stderr(&too_many).contains("concurrency must be from 1 to 10"),
        "{}",
        stderr(&too_many)
    );

    std::fs::write(
        &items,
        "{\"contactId\":\"c0\",\"tags\":[\"a\"]}\n{\"contactId\": 5}\n",
    )
    .unwrap();
    let refused = ghl_mcp(
        &fake,
        &[
            "batch",
            "add_contact_tags",
            "--items",
            items_arg,
            "--on-error",
            "stop",
        ],
    )
    .await;
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("item 1: `contactId` must be a string"),
        "{}",
        stderr(&refused)
    );

    std::fs::write(&items, "{\"contactId\":\"c0\"\n").unwrap();
    let broken = ghl_mcp(&fake, &["batch", "add_contact_tags", "--items", items_arg]).await;
    assert_eq!(broken.status.code(), Some(3));
    assert!(
        stderr(&broken).contains("line 1: not JSON"),
        "{}",
        stderr(&broken)
    );
    assert_eq!(fake.requests().len(), 4, "refused batches sent nothing");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn tools_filters_by_app_and_speaks_json() {
    let fake = FakeGhl::start().await;
    let users = ghl_mcp(&fake, &["tools", "--app", "users"]).await;
    assert!(users.status.success());
    assert!(
        stdout(&users).lines().all(|l| l.contains("/users")),
        "{}",
        stdout(&users)
    );
    assert!(stdout(&users).contains("get_user "));
    let json = ghl_mcp(&fake, &["tools", "--app", "contacts", "--json"]).await;
    let list: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 32);
    let get = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "get_contact")
        .unwrap();
    assert_eq!(
        (get["method"].as_str(), get["writes"].as_bool()),
        (Some("GET"), Some(false))
    );
    let unknown = ghl_mcp(&fake, &["tools", "--app", "contactz"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown app `contactz`"));
}

#[tokio::test]
async fn describe_shows_the_parameters_as_a_table_or_json() {
    let fake = FakeGhl::start().await;
    let text = ghl_mcp(&fake, &["describe", "update_contact"]).await;
    assert!(text.status.success());
    let text = stdout(&text);
    assert!(
        text.contains("request      PUT /contacts/{contactId}"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("customFields[].id"))
        .expect("nested rows by dotted path");
    assert!(
        row.contains("body") && row.contains("string") && row.contains("yes"),
        "{row}"
    );
    let json = ghl_mcp(&fake, &["describe", "get_contact", "--json"]).await;
    let described: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(described["input_schema"]["required"], json!(["contactId"]));
    assert_eq!(
        ghl_mcp(&fake, &["describe", "nope"]).await.status.code(),
        Some(2)
    );
}

#[tokio::test]
async fn call_takes_arguments_as_pairs_or_from_stdin_and_selects_fields() {
    use tokio::io::AsyncWriteExt;
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        200,
        json!({ "contact": { "id": "c1", "email": "a@b.c", "tags": ["x"] }, "traceId": "t" }),
    ));
    let pairs = ghl_mcp(
        &fake,
        &[
            "call",
            "update_contact",
            "--arg",
            "contactId=c1",
            "--arg",
            "tags=[\"vip\"]",
            "--arg",
            "dndSettings.SMS.status=active",
            "--select",
            "contact.email",
        ],
    )
    .await;
    assert!(pairs.status.success(), "{}", stderr(&pairs));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&pairs)).unwrap(),
        json!({ "contact": { "email": "a@b.c" } })
    );
    let sent = &fake.requests()[0];
    assert_eq!(sent.path, "/contacts/c1");
    assert_eq!(
        sent.json(),
        json!({ "tags": ["vip"], "dndSettings": { "SMS": { "status": "active" } } })
    );
    // A value that parses as JSON is taken as JSON: `42` is a number, and the field wants text.
    let refused = ghl_mcp(
        &fake,
        &[
            "call",
            "update_contact",
            "--arg",
            "contactId=c1",
            "--arg",
            "firstName=42",
        ],
    )
    .await;
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("`firstName` must be a string, not a number (42)"),
        "{}",
        stderr(&refused)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .args(["call", "get_contact", "--dry-run"])
        .env("GHL_BASE_URL", fake.base_url())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(br#"{"contactId": "from-stdin"}"#)
        .await
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("/contacts/from-stdin")
    );
}

#[tokio::test]
async fn completions_for_every_shell() {
    let fake = FakeGhl::start().await;
    for shell in ["bash", "zsh", "fish"] {
        let output = ghl_mcp(&fake, &["completions", shell]).await;
        assert!(output.status.success(), "{shell}");
        assert!(
            stdout(&output).contains("import-openapi"),
            "{shell} completes the subcommands"
        );
    }
}

#[tokio::test]
async fn a_reader_that_goes_away_is_not_a_crash() {
    for args in [
        &["describe", "update_contact", "--json"][..],
        &["tools", "--json"][..],
        &["docs", "--help"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close our end of stdout at once, like `| head -0`.
        drop(child.stdout.take());
        let output = child.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
