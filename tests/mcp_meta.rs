//! Meta-tools, exposure flags, batches, progress and cancellation, through the real binary over
//! stdio with rmcp's client, against a fake GHL on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ghl_testkit::{FakeGhl, Reply};
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, ClientRequest,
    ProgressNotificationParam, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::process::Command;

/// A client that records the progress notifications it receives.
#[derive(Clone, Default)]
struct Recorder {
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }
}

async fn start(fake: &FakeGhl, args: &[&str]) -> (RunningService<RoleClient, Recorder>, Recorder) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"));
    command
        .arg("serve")
        .args(args)
        .env("GHL_BASE_URL", fake.base_url())
        .env("GHL_API_KEY", "token")
        .env("GHL_LOCATION_ID", "loc-1")
        .env("GHL_LOG", "warn");
    let transport = TokioChildProcess::new(command).unwrap();
    let recorder = Recorder::default();
    let client = recorder.clone().serve(transport).await.unwrap();
    (client, recorder)
}

async fn call(
    client: &RunningService<RoleClient, Recorder>,
    name: &str,
    args: Value,
) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("object")
    };
    client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args))
        .await
        .unwrap()
}

fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect()
}

fn json_of(result: &CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "{}", text(result));
    serde_json::from_str(&text(result)).unwrap()
}

#[tokio::test]
async fn meta_mode_lists_four_tools_in_under_8_kb() {
    let fake = FakeGhl::start().await;
    let (client, _) = start(&fake, &[]).await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "search_tools",
            "describe_tool",
            "execute_tool",
            "execute_batch"
        ]
    );
    let size = serde_json::to_string(&json!({ "tools": tools }))
        .unwrap()
        .len();
    assert!(size < 8 * 1024, "tools/list is {size} bytes");
    for tool in &tools {
        let schema = serde_json::to_string(&tool.input_schema).unwrap();
        assert!(
            !schema.contains("$ref") && !schema.contains("$defs"),
            "{} schema is inline: {schema}",
            tool.name
        );
    }
}

#[tokio::test]
async fn search_describe_execute() {
    let fake = FakeGhl::start().await;
    fake.push_reply(Reply::json(
        200,
        json!({ "contact": { "id": "c1", "firstName": "Ada", "tags": ["a"] }, "traceId": "t" }),
    ));
    let (client, _) = start(&fake, &[]).await;
    let found = json_of(
        &call(
            &client,
            "search_tools",
            json!({ "query": "add tags to a contact", "limit": 3 }),
        )
        .await,
    );
    assert_eq!(found["tools"][0]["name"], "add_contact_tags", "{found}");
    assert_eq!(found["tools"][0]["writes"], true);
    assert_eq!(found["tools"].as_array().unwrap().len(), 3);

    let described =
        json_of(&call(&client, "describe_tool", json!({ "name": "get_contact" })).await);
    assert_eq!(described["method"], "GET");
    assert_eq!(described["path"], "/contacts/{contactId}");
    assert_eq!(described["annotations"]["read_only"], true);
    assert_eq!(described["input_schema"]["required"], json!(["contactId"]));

    let args = json!({ "name": "get_contact", "arguments": { "contactId": "c1" }, "select_fields": ["contact.firstName"] });
    let result = json_of(&call(&client, "execute_tool", args).await);
    assert_eq!(result, json!({ "contact": { "firstName": "Ada" } }));
    assert_eq!(fake.requests()[0].path, "/contacts/c1");

    let bad = call(
        &client,
        "execute_tool",
        json!({ "name": "get_contact", "arguments": {} }),
    )
    .await;
    assert_eq!(bad.is_error, Some(true));
    assert_eq!(text(&bad), "get_contact: `contactId` is required");
    let unknown = call(&client, "describe_tool", json!({ "name": "get_contcat" })).await;
    assert!(
        text(&unknown).contains("did you mean `get_contact`"),
        "{}",
        text(&unknown)
    );
}

#[tokio::test]
async fn all_and_named_modes_list_tools_plus_execute_batch() {
    let fake = FakeGhl::start().await;
    let (client, _) = start(&fake, &["--tools", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 571, "570 tools and execute_batch");
    client.cancel().await.unwrap();

    let (client, _) = start(&fake, &["--tools", "all", "--apps", "contacts"]).await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 33);
    assert!(tools.iter().any(|t| t.name == "execute_batch"));
    client.cancel().await.unwrap();

    let (client, _) = start(&fake, &["--tools", "get_contact,update_contact"]).await;
    let names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(names, ["get_contact", "update_contact", "execute_batch"]);
    let refused = call(&client, "delete_contact", json!({ "contactId": "c" })).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        text(&refused).contains("not among the tools this server serves"),
        "{}",
        text(&refused)
    );
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn read_only_is_enforced_by_every_route() {
    let fake = FakeGhl::start().await;
    let (client, _) = start(&fake, &["--tools", "all", "--read-only"]).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().all(|t| t.name == "execute_batch"
        || t.annotations.as_ref().unwrap().read_only_hint == Some(true)));
    assert!(!tools.iter().any(|t| t.name == "update_contact"));
    let direct = call(
        &client,
        "update_contact",
        json!({ "contactId": "c", "firstName": "x" }),
    )
    .await;
    let via_execute = call(
        &client,
        "execute_tool",
        json!({ "name": "update_contact", "arguments": { "contactId": "c" } }),
    )
    .await;
    let via_batch = call(
        &client,
        "execute_batch",
        json!({ "tool_name": "delete_contact", "items": [{ "contactId": "c" }] }),
    )
    .await;
    for refused in [&direct, &via_execute, &via_batch] {
        assert_eq!(refused.is_error, Some(true));
        assert!(text(refused).contains("--read-only"), "{}", text(refused));
    }
    let search = json_of(
        &call(
            &client,
            "search_tools",
            json!({ "query": "contact", "limit": 50 }),
        )
        .await,
    );
    assert!(
        search["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["writes"] == false)
    );
    let read = call(&client, "search_contacts", json!({ "pageLimit": 10 })).await;
    assert_ne!(
        read.is_error,
        Some(true),
        "a read-only POST still runs: {}",
        text(&read)
    );
    assert_eq!(fake.requests().len(), 1, "only the read reached GHL");
}

#[tokio::test]
async fn execute_batch_reports_a_summary_and_progress() {
    let fake = FakeGhl::start().await;
    fake.push_reply_for(
        "/contacts/c2/tags",
        Reply::json(400, json!({ "message": "tag too long" })),
    );
    let (client, recorder) = start(&fake, &[]).await;
    let items: Vec<Value> = (0..5)
        .map(|i| json!({ "contactId": format!("c{i}"), "tags": ["vip"] }))
        .collect();
    let args = json!({ "tool_name": "add_contact_tags", "items": items, "options": { "result_mode": "detail", "select_fields": ["ok"] } });
    let Value::Object(args) = args else {
        unreachable!()
    };
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(
        CallToolRequestParams::new("execute_batch").with_arguments(args),
    ));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    let ServerResult::CallToolResult(result) = handle.await_response().await.unwrap() else {
        panic!("a tool result")
    };
    let summary = json_of(&result);
    assert_eq!(
        (
            summary["total"].as_u64(),
            summary["succeeded"].as_u64(),
            summary["failed"].as_u64()
        ),
        (Some(5), Some(4), Some(1))
    );
    assert_eq!(summary["errors"][0]["index"], 2);
    assert_eq!(summary["errors"][0]["status"], 400);
    assert_eq!(
        summary["results"],
        json!([{ "ok": true }, { "ok": true }, null, { "ok": true }, { "ok": true }])
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let progress = recorder.progress.lock().unwrap().clone();
    assert!(!progress.is_empty(), "progress notifications arrived");
    assert_eq!(progress.last().unwrap().progress, 5.0);
    assert_eq!(progress.last().unwrap().total, Some(5.0));
}

#[tokio::test]
async fn cancelling_a_batch_stops_new_requests() {
    let fake = FakeGhl::start().await;
    fake.set_fallback(Reply::json(200, json!({})).after(Duration::from_millis(200)));
    let (client, recorder) = start(&fake, &[]).await;
    let items: Vec<Value> = (0..30)
        .map(|i| json!({ "contactId": format!("c{i}") }))
        .collect();
    let args =
        json!({ "tool_name": "get_contact", "items": items, "options": { "concurrency": 1 } });
    let Value::Object(args) = args else {
        unreachable!()
    };
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(
        CallToolRequestParams::new("execute_batch").with_arguments(args),
    ));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    // Wait for the batch to be under way, then cancel it.
    for _ in 0..100 {
        if !recorder.progress.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !recorder.progress.lock().unwrap().is_empty(),
        "the batch started"
    );
    handle.cancel(Some("enough".into())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_cancel = fake.requests().len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        fake.requests().len(),
        after_cancel,
        "no request after the cancellation settled"
    );
    assert!(
        after_cancel < 10,
        "the batch stopped early: {after_cancel} of 30 sent"
    );
    // The server keeps serving.
    let found = json_of(&call(&client, "search_tools", json!({ "query": "contact" })).await);
    assert!(!found["tools"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_result_over_the_cap_keeps_valid_json_and_says_how_to_ask_for_less() {
    let fake = FakeGhl::start().await;
    let contacts: Vec<Value> = (0..200)
        .map(|i| json!({ "id": format!("c{i:03}"), "email": format!("p{i}@example.com") }))
        .collect();
    fake.set_fallback(Reply::json(
        200,
        json!({ "contacts": contacts, "total": 200 }),
    ));
    let (client, _) = start(&fake, &["--max-result-bytes", "3000"]).await;
    let result = call(
        &client,
        "execute_tool",
        json!({ "name": "list_contacts", "arguments": {} }),
    )
    .await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    assert_eq!(result.content.len(), 2, "the JSON, then the notice");
    let json_text = &result.content[0].as_text().unwrap().text;
    assert!(json_text.len() <= 3000, "{} bytes", json_text.len());
    let kept: Value = serde_json::from_str(json_text).unwrap();
    let n = kept["contacts"].as_array().unwrap().len();
    assert!(n > 10 && n < 200, "{n}");
    assert_eq!(kept["total"], 200);
    let notice = &result.content[1].as_text().unwrap().text;
    assert!(
        notice.contains(&format!("`contacts` keeps its first {n} of 200 items"))
            && notice.contains("select_fields")
            && notice.contains("limit"),
        "{notice}"
    );
    // Asking for less fits whole, and says nothing more.
    let narrow = call(
        &client,
        "execute_tool",
        json!({ "name": "list_contacts", "arguments": {}, "select_fields": ["contacts.id"] }),
    )
    .await;
    assert_eq!(narrow.content.len(), 1, "{}", text(&narrow));
    assert_eq!(json_of(&narrow)["contacts"].as_array().unwrap().len(), 200);

    // The environment variable sets the cap too; values under 1000 are refused.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_ghl-mcp"))
        .args(["serve"])
        .env("GHL_MAX_RESULT_BYTES", "10")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--max-result-bytes"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
