//! Input no well-behaved MCP client sends, written as raw lines to the server's stdin. Each must
//! be answered or refused (a JSON-RPC error, an `isError` result, or, where the line is not JSON
//! at all and so has no id to answer, ignored as the MCP SDKs do), and the server must go on
//! serving.

use std::time::Duration;

use ghl_testkit::{FakeGhl, Reply};
use serde_json::{Value, json};

use crate::Run;
use crate::session::{Raw, TOKEN};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hostile {
    TruncatedJson,
    NotJson,
    InvalidUtf8,
    ParamsWrongType,
    ToolNameWrongType,
    ArgumentsWrongTypes,
    UnknownMethod,
    UnknownTool,
    TenMegabyteArgument,
    NestedHundredDeep,
    NestedTooDeep,
    OversizedLine,
    JsonRpcBatch,
    ManyConcurrentCalls,
    CancelFinished,
    CancelInFlight,
}

impl Hostile {
    pub const ALL: [Hostile; 16] = [
        Hostile::TruncatedJson,
        Hostile::NotJson,
        Hostile::InvalidUtf8,
        Hostile::ParamsWrongType,
        Hostile::ToolNameWrongType,
        Hostile::ArgumentsWrongTypes,
        Hostile::UnknownMethod,
        Hostile::UnknownTool,
        Hostile::TenMegabyteArgument,
        Hostile::NestedHundredDeep,
        Hostile::NestedTooDeep,
        Hostile::OversizedLine,
        Hostile::JsonRpcBatch,
        Hostile::ManyConcurrentCalls,
        Hostile::CancelFinished,
        Hostile::CancelInFlight,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Hostile::TruncatedJson => "a JSON-RPC line cut short",
            Hostile::NotJson => "a line that is not JSON",
            Hostile::InvalidUtf8 => "a line of invalid UTF-8",
            Hostile::ParamsWrongType => "tools/call with params a string",
            Hostile::ToolNameWrongType => "tools/call with a number for the tool name",
            Hostile::ArgumentsWrongTypes => "arguments of the wrong types",
            Hostile::UnknownMethod => "an unknown method",
            Hostile::UnknownTool => "an unknown tool",
            Hostile::TenMegabyteArgument => "a 10 MB argument",
            Hostile::NestedHundredDeep => "arguments nested 100 deep",
            Hostile::NestedTooDeep => "arguments nested 100,000 deep",
            Hostile::OversizedLine => "a 17 MiB line (over the 16 MiB line limit)",
            Hostile::JsonRpcBatch => "a JSON-RPC batch (an array)",
            Hostile::ManyConcurrentCalls => "200 concurrent tools/call on one connection",
            Hostile::CancelFinished => "cancelling a request that already finished",
            Hostile::CancelInFlight => "cancelling a request in flight",
        }
    }
}

fn call(id: u64, name: &str, arguments: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": { "name": name, "arguments": arguments } })
}

fn nested(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

/// The error message of a JSON-RPC error response, or the text of an `isError` result.
fn refusal(response: &Value) -> Option<String> {
    if let Some(message) = response["error"]["message"].as_str() {
        return Some(format!(
            "JSON-RPC error {}: {message}",
            response["error"]["code"]
        ));
    }
    (response["result"]["isError"] == json!(true)).then(|| {
        format!(
            "isError: {}",
            response["result"]["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
        )
    })
}

const QUIET: Duration = Duration::from_millis(400);
const WAIT: Duration = Duration::from_secs(10);

pub async fn run(input: Hostile) -> Run {
    let fake = FakeGhl::start().await;
    let mut raw = Raw::start(&fake.base_url()).await;
    let (expected, said) = match input {
        Hostile::TruncatedJson | Hostile::NotJson | Hostile::InvalidUtf8 => {
            let line: &[u8] = match input {
                Hostile::TruncatedJson => br#"{"jsonrpc":"2.0","id":7,"method":"tools/li"#,
                Hostile::NotJson => b"hello, server",
                _ => b"\xff\xfe{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}\xc3\x28",
            };
            raw.write(&[line, b"\n"].concat()).await;
            let answer = raw.next(QUIET).await;
            (
                answer.is_none(),
                "ignored (no id can be read from it), logged at debug level".to_string(),
            )
        }
        Hostile::ParamsWrongType | Hostile::ToolNameWrongType => {
            let params = if input == Hostile::ParamsWrongType {
                json!("get_contact")
            } else {
                json!({ "name": 5, "arguments": {} })
            };
            raw.send(
                &json!({ "jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": params }),
            )
            .await;
            next_refusal(&mut raw).await
        }
        Hostile::ArgumentsWrongTypes => {
            raw.send(&call(
                9,
                "create_contact_note",
                json!({ "contactId": ["x"], "body": 5, "pinned": "yes" }),
            ))
            .await;
            answered(&mut raw, 9, |r| {
                r.contains("`contactId` must be a string, not an array")
            })
            .await
        }
        Hostile::UnknownMethod => {
            raw.send(&json!({ "jsonrpc": "2.0", "id": 10, "method": "tools/destroy_everything", "params": {} }))
                .await;
            answered(&mut raw, 10, |r| {
                r.contains("-32601") || r.contains("not found")
            })
            .await
        }
        Hostile::UnknownTool => {
            raw.send(&call(11, "get_contactz", json!({}))).await;
            answered(&mut raw, 11, |r| r.contains("get_contact")).await
        }
        Hostile::TenMegabyteArgument => {
            raw.send(&call(
                12,
                "create_contact_note",
                json!({ "contactId": "c1", "body": "x".repeat(10 * 1024 * 1024) }),
            ))
            .await;
            let answer = raw.response(12, Duration::from_secs(30)).await;
            let received = fake.requests().first().map_or(0, |r| r.body.len());
            let ok = answer
                .as_ref()
                .is_some_and(|a| a["result"]["isError"] != json!(true))
                && received > 10 * 1024 * 1024;
            (
                ok,
                format!("sent to GHL as a {received}-byte body; GHL's answer returned"),
            )
        }
        Hostile::NestedHundredDeep => {
            let line = format!(
                r#"{{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{{"name":"get_contact","arguments":{{"contactId":"c1","extra":{}}}}}}}"#,
                nested(100)
            );
            raw.write(format!("{line}\n").as_bytes()).await;
            answered(&mut raw, 13, |r| r.contains("extra")).await
        }
        Hostile::NestedTooDeep => {
            let line = format!(
                r#"{{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{{"name":"get_contact","arguments":{{"contactId":"c1","extra":{}}}}}}}"#,
                nested(100_000)
            );
            raw.write(format!("{line}\n").as_bytes()).await;
            let answer = raw.next(QUIET).await;
            (
                answer.is_none() && raw.alive(),
                "ignored: past the JSON parser's depth limit of 128 there is no id to answer; no stack overflow".into(),
            )
        }
        Hostile::OversizedLine => {
            let line = call(
                15,
                "create_contact_note",
                json!({ "contactId": "c1", "body": "y".repeat(17 * 1024 * 1024) }),
            );
            raw.send(&line).await;
            let answer = raw.next(QUIET).await;
            (
                answer.is_none() && fake.requests().is_empty(),
                "dropped unread and logged (rmcp's 16 MiB line limit); nothing sent to GHL".into(),
            )
        }
        Hostile::JsonRpcBatch => {
            raw.write(
                format!(
                    "[{},{}]\n",
                    json!({ "jsonrpc": "2.0", "id": 16, "method": "tools/list" }),
                    json!({ "jsonrpc": "2.0", "id": 17, "method": "tools/list" })
                )
                .as_bytes(),
            )
            .await;
            next_refusal(&mut raw).await
        }
        Hostile::ManyConcurrentCalls => {
            let mut lines = Vec::new();
            for id in 100..300u64 {
                lines.extend(
                    call(id, "get_contact", json!({ "contactId": format!("c{id}") }))
                        .to_string()
                        .into_bytes(),
                );
                lines.push(b'\n');
            }
            raw.write(&lines).await;
            let mut seen = std::collections::BTreeSet::new();
            while seen.len() < 200 {
                match raw.next(Duration::from_secs(30)).await {
                    Some(answer) => {
                        if let Some(id) = answer["id"].as_u64()
                            && answer["result"]["isError"] != json!(true)
                        {
                            seen.insert(id);
                        }
                    }
                    None => break,
                }
            }
            let ok = seen.len() == 200 && seen.first() == Some(&100) && seen.last() == Some(&299);
            (
                ok,
                format!(
                    "{} of 200 answered, each under its own id; the fake received {}",
                    seen.len(),
                    fake.requests().len()
                ),
            )
        }
        Hostile::CancelFinished => {
            raw.send(&call(18, "get_contact", json!({ "contactId": "c1" })))
                .await;
            let first = raw.response(18, WAIT).await;
            raw.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 18, "reason": "late" } })).await;
            raw.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 999, "reason": "never sent" } })).await;
            let extra = raw.next(QUIET).await;
            (
                first.is_some() && extra.is_none(),
                "ignored; the earlier answer stands and nothing more is sent".into(),
            )
        }
        Hostile::CancelInFlight => {
            fake.push_reply_for(
                "/contacts/slow",
                Reply::json(200, json!({ "ok": true })).after(Duration::from_millis(600)),
            );
            raw.send(&call(19, "get_contact", json!({ "contactId": "slow" })))
                .await;
            tokio::time::sleep(Duration::from_millis(150)).await;
            raw.send(&json!({ "jsonrpc": "2.0", "method": "notifications/cancelled", "params": { "requestId": 19, "reason": "changed my mind" } })).await;
            let answer = raw.response(19, Duration::from_secs(2)).await;
            (
                answer.is_none() && fake.requests().len() == 1,
                format!(
                    "no answer for the cancelled request (as MCP requires); the fake received {} request",
                    fake.requests().len()
                ),
            )
        }
    };
    let served = raw.alive() && raw.serves(1_000).await;
    let log = raw.stderr.lock().unwrap().clone();
    let leaked = log.contains(TOKEN) || said.contains(TOKEN);
    Run {
        expected: expected && !leaked,
        served,
        said,
        problem: (!expected || leaked).then(|| format!("unexpected outcome; leaked: {leaked}")),
        ..Run::default()
    }
}

/// Waits for the next message; expected when it is a refusal of any kind.
async fn next_refusal(raw: &mut Raw) -> (bool, String) {
    match raw.next(WAIT).await {
        Some(answer) => match refusal(&answer) {
            Some(text) => (true, text),
            None => (false, format!("not refused: {answer}")),
        },
        None => (false, "no answer".into()),
    }
}

/// Waits for the response to `id`; expected when it is a refusal whose text satisfies `names`.
async fn answered(raw: &mut Raw, id: u64, names: impl Fn(&str) -> bool) -> (bool, String) {
    match raw.response(id, WAIT).await {
        Some(answer) => match refusal(&answer) {
            Some(text) => (names(&text), text),
            None => (false, format!("not refused: {answer}")),
        },
        None => (false, "no answer".into()),
    }
}

macro_rules! hostile_tests {
    ($($name:ident => $input:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            run(Hostile::$input).await.assert_sound(Hostile::$input.label());
        }
    )*};
}

hostile_tests! {
    truncated_json => TruncatedJson,
    not_json => NotJson,
    invalid_utf8 => InvalidUtf8,
    params_wrong_type => ParamsWrongType,
    tool_name_wrong_type => ToolNameWrongType,
    arguments_wrong_types => ArgumentsWrongTypes,
    unknown_method => UnknownMethod,
    unknown_tool => UnknownTool,
    ten_megabyte_argument => TenMegabyteArgument,
    nested_hundred_deep => NestedHundredDeep,
    nested_too_deep => NestedTooDeep,
    oversized_line => OversizedLine,
    json_rpc_batch => JsonRpcBatch,
    many_concurrent_calls => ManyConcurrentCalls,
    cancel_finished => CancelFinished,
    cancel_in_flight => CancelInFlight,
}
