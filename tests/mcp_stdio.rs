//! The real binary over stdio with rmcp's client, against a fake GHL on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use ghl_testkit::{FakeGhl, Reply};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

const TOKEN: &str = "pit-0123456789-very-secret-token";

struct Session {
    client: RunningService<RoleClient, ()>,
    stderr: Arc<Mutex<String>>,
}

async fn start(fake: &FakeGhl) -> Session {
    start_with(fake, &[]).await
}

/// A session whose server also has the variables `env`.
async fn start_with(fake: &FakeGhl, env: &[(&str, &str)]) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"));
    command
        .args(["serve", "--tools", "all", "--apps", "contacts"])
        .env("GHL_BASE_URL", fake.base_url())
        .env("GHL_API_KEY", TOKEN)
        .env("GHL_LOCATION_ID", "loc-default")
        .env("GHL_LOG", "debug")
        .envs(env.iter().copied());
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let collected = Arc::new(Mutex::new(String::new()));
    if let Some(mut stderr) = stderr {
        let collected = collected.clone();
        tokio::spawn(async move {
            let mut buf = vec![0; 4096];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    let client = ().serve(transport).await.expect("the server initializes");
    Session {
        client,
        stderr: collected,
    }
}

impl Session {
    async fn call(&self, name: &str, args: Value) -> CallToolResult {
        let Value::Object(args) = args else {
            panic!("arguments must be an object")
        };
        self.client
            .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args))
            .await
            .expect("tools/call answers")
    }
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

#[tokio::test]
async fn tools_list_shows_the_32_contacts_tools_with_inline_schemas() {
    let fake = FakeGhl::start().await;
    let session = start(&fake).await;
    let tools = session.client.list_all_tools().await.unwrap();
    // `--tools all --apps contacts`: every contacts tool, and execute_batch last.
    assert_eq!(tools.last().map(|t| t.name.as_ref()), Some("execute_batch"));
    let tools: Vec<_> = tools
        .into_iter()
        .filter(|t| t.name != "execute_batch")
        .collect();
    assert_eq!(
        tools.len(),
        32,
        "{:?}",
        tools.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    for expected in [
        "get_contact",
        "update_contact",
        "search_contacts",
        "add_contact_tags",
        "create_contact",
    ] {
        assert!(
            tools.iter().any(|t| t.name == expected),
            "{expected} is listed"
        );
    }
    fn walk(schema: &Value, at: &str) {
        assert!(
            schema.get("$ref").is_none() && schema.get("$defs").is_none(),
            "{at} is inline"
        );
        if schema["type"] == "array" {
            assert!(schema["items"].is_object(), "{at} has items");
        }
        for (key, child) in schema["properties"].as_object().into_iter().flatten() {
            walk(child, &format!("{at}.{key}"));
        }
        if let Some(items) = schema.get("items") {
            walk(items, &format!("{at}[]"));
        }
    }
    for tool in &tools {
        let schema = Value::Object(tool.input_schema.as_ref().clone());
        assert_eq!(schema["type"], "object", "{}", tool.name);
        walk(&schema, &tool.name);
        assert!(tool.annotations.is_some(), "{} has annotations", tool.name);
    }
    let get = tools.iter().find(|t| t.name == "get_contact").unwrap();
    assert_eq!(get.annotations.as_ref().unwrap().read_only_hint, Some(true));
    let search = tools.iter().find(|t| t.name == "search_contacts").unwrap();
    assert_eq!(
        search.annotations.as_ref().unwrap().read_only_hint,
        Some(true),
        "POST search is read-only"
    );
    let delete = tools.iter().find(|t| t.name == "delete_contact").unwrap();
    assert_eq!(
        delete.annotations.as_ref().unwrap().destructive_hint,
        Some(true)
    );
    assert!(fake.requests().is_empty(), "listing sends nothing to GHL");
}

#[tokio::test]
async fn an_id_with_reserved_characters_arrives_as_one_encoded_segment() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        200,
        json!({ "contact": { "id": "a/b?c#d%e f" } }),
    ));
    let session = start(&fake).await;
    let result = session
        .call("get_contact", json!({ "contactId": "a/b?c#d%e f" }))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(
        serde_json::from_str::<Value>(&text(&result)).unwrap(),
        json!({ "contact": { "id": "a/b?c#d%e f" } })
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/contacts/a%2Fb%3Fc%23d%25e%20f");
    assert_eq!(requests[0].query, None);
}

#[tokio::test]
async fn update_contact_sends_its_body_version_and_token() {
    let fake = FakeGhl::start().await;
    let session = start(&fake).await;
    let args = json!({
        "contactId": "c-1",
        "firstName": "Ada",
        "email": "ada@example.com",
        "tags": ["vip", "2026"],
        "customFields": [{ "id": "cf1", "field_value": { "nested": true } }]
    });
    let result = session.call("update_contact", args).await;
    assert!(!is_error(&result), "{}", text(&result));
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("PUT", "/contacts/c-1")
    );
    assert_eq!(request.header("version"), Some("2021-07-28"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({
            "firstName": "Ada",
            "email": "ada@example.com",
            "tags": ["vip", "2026"],
            "customFields": [{ "id": "cf1", "field_value": { "nested": true } }]
        })
    );
}

#[tokio::test]
async fn the_configured_location_fills_a_missing_location_id() {
    let fake = FakeGhl::start().await;
    let session = start(&fake).await;
    let result = session
        .call(
            "find_duplicate_contact",
            json!({ "email": "a+b@example.com" }),
        )
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    let requests = fake.requests();
    let query = requests[0].query.as_deref().unwrap();
    assert!(query.contains("locationId=loc-default"), "{query}");
    assert!(query.contains("email=a%2Bb%40example.com"), "{query}");
}

#[tokio::test]
async fn bad_arguments_are_is_error_results_naming_the_field_and_nothing_is_sent() {
    let fake = FakeGhl::start().await;
    let session = start(&fake).await;
    let missing = session.call("get_contact", json!({})).await;
    assert!(is_error(&missing));
    assert_eq!(text(&missing), "get_contact: `contactId` is required");
    let wrong_type = session
        .call("update_contact", json!({ "contactId": "x", "email": 5 }))
        .await;
    assert!(is_error(&wrong_type));
    assert_eq!(
        text(&wrong_type),
        "update_contact: `email` must be a string, not a number (5)"
    );
    let unknown = session
        .call(
            "update_contact",
            json!({ "contactId": "x", "emial": "a@b.c" }),
        )
        .await;
    assert!(is_error(&unknown));
    let message = text(&unknown);
    assert!(
        message.starts_with(
            "update_contact: `emial` is not an argument of this tool; expected one of:"
        ),
        "{message}"
    );
    let bad_enum = session
        .call(
            "bulk_update_contact_tags",
            json!({ "type": "toggle", "contacts": ["c"], "tags": ["t"] }),
        )
        .await;
    assert!(is_error(&bad_enum));
    assert!(
        text(&bad_enum).contains("must be one of add, remove"),
        "{}",
        text(&bad_enum)
    );
    assert!(
        fake.requests().is_empty(),
        "nothing reaches GHL: {:?}",
        fake.requests()
    );
}

#[tokio::test]
async fn an_unknown_tool_is_an_error_and_the_server_keeps_answering() {
    let fake = FakeGhl::start().await;
    let session = start(&fake).await;
    let err = session
        .client
        .call_tool(CallToolRequestParams::new("get_contcat"))
        .await
        .expect_err("an unknown tool is refused");
    let message = err.to_string();
    assert!(message.contains("unknown tool `get_contcat`"), "{message}");
    assert!(
        message.contains("get_contact"),
        "suggests the close name: {message}"
    );
    let result = session
        .call("get_contact", json!({ "contactId": "still-here" }))
        .await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_ghl_422_comes_back_with_ghls_message_and_trace_id() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        422,
        json!({ "statusCode": 422, "message": ["email must be an email"], "error": "Unprocessable Entity", "traceId": "trace-42" }),
    ));
    let session = start(&fake).await;
    let result = session
        .call(
            "update_contact",
            json!({ "contactId": "c", "email": "nope" }),
        )
        .await;
    assert!(is_error(&result));
    let message = text(&result);
    assert!(message.contains("422"), "{message}");
    assert!(message.contains("email must be an email"), "{message}");
    assert!(message.contains("trace-42"), "{message}");
    assert_eq!(fake.requests().len(), 1, "a 422 is not retried");
}

#[tokio::test]
async fn the_token_appears_in_no_result_and_no_log_line() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(200, json!({ "contact": { "id": "c" } })));
    fake.push_reply(Reply::json(
        401,
        json!({ "message": "Invalid JWT", "statusCode": 401 }),
    ));
    fake.push_reply(Reply::json(500, json!({ "message": "boom" })));
    let session = start(&fake).await;
    let mut texts = Vec::new();
    texts.push(text(
        &session
            .call("get_contact", json!({ "contactId": "c" }))
            .await,
    ));
    texts.push(text(
        &session
            .call("get_contact", json!({ "contactId": "c" }))
            .await,
    ));
    texts.push(text(
        &session
            .call("delete_contact", json!({ "contactId": "c" }))
            .await,
    ));
    texts.push(text(&session.call("get_contact", json!({})).await));
    texts.push(format!(
        "{:?}",
        session.client.list_all_tools().await.unwrap()
    ));
    // The DELETE's 500 was retried once (DELETE is idempotent) and then succeeded.
    assert_eq!(fake.requests().len(), 4);
    assert!(
        texts[1].contains("401") && texts[1].contains("Invalid JWT"),
        "{}",
        texts[1]
    );
    for text in &texts {
        assert!(
            !text.contains(TOKEN) && !text.contains("very-secret"),
            "token leaked into a result: {text}"
        );
    }
    session.client.cancel().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let stderr = session.stderr.lock().unwrap().clone();
    assert!(
        stderr.contains("GHL answered"),
        "debug logging was on: {stderr}"
    );
    assert!(
        !stderr.contains("very-secret"),
        "token leaked into the log: {stderr}"
    );
}

#[tokio::test]
async fn the_server_exits_cleanly_when_stdin_closes() {
    use tokio::io::AsyncWriteExt;
    let fake = FakeGhl::start().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .arg("serve")
        .env("GHL_BASE_URL", fake.base_url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "t", "version": "0" } }
    });
    stdin
        .write_all(format!("{init}\n").as_bytes())
        .await
        .unwrap();
    stdin.flush().await.unwrap();
    drop(stdin);
    let output = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait_with_output())
        .await
        .expect("the server exits after stdin closes")
        .unwrap();
    assert!(
        output.status.success(),
        "exit status {:?}; stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let first: Value =
        serde_json::from_str(stdout.lines().next().expect("an initialize answer")).unwrap();
    assert_eq!(first["id"], 1);
    assert_eq!(first["result"]["serverInfo"]["name"], "ghl-mcp");
    for line in stdout.lines() {
        serde_json::from_str::<Value>(line).expect("stdout carries only protocol messages");
    }
}

#[tokio::test]
async fn without_ca_certificates_the_server_still_lists_and_each_call_says_why_it_failed() {
    let fake = FakeGhl::start().await;
    // Certificates only from these paths, which do not exist: none can be loaded.
    let nowhere = [
        ("SSL_CERT_FILE", "/nonexistent/ghl-mcp-test/ca.pem"),
        ("SSL_CERT_DIR", "/nonexistent/ghl-mcp-test/certs"),
    ];
    let session = start_with(&fake, &nowhere).await;
    let tools = session.client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 33, "32 contacts tools and execute_batch");
    for _ in 0..2 {
        let result = session
            .call("get_contact", json!({"contactId": "c1"}))
            .await;
        assert!(is_error(&result), "{result:?}");
        let message = text(&result);
        assert!(
            message.starts_with("get_contact: the HTTP client could not be set up: ")
                && message.contains("No CA certificates were loaded from the system")
                && message.contains("install them"),
            "{message}"
        );
    }
    assert!(
        fake.requests().is_empty(),
        "nothing can be sent without TLS set up"
    );
    session.client.cancel().await.unwrap();
}
