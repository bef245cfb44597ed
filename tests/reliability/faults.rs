//! GHL misbehaving: each fault answers a single write, a single read, and two items of a batch
//! of writes. The server must answer each clearly, keep serving, give every batch item exactly
//! one outcome, and never send a write twice.

use std::collections::HashMap;
use std::time::Duration;

use ghl_testkit::{BodyFault, FakeGhl, Reply};
use serde_json::{Value, json};

use crate::Run;
use crate::session::{Session, TOKEN, text};

/// Batch size, and the items the fault hits.
const ITEMS: usize = 6;
const FAULTY_ITEMS: [usize; 2] = [1, 4];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    MalformedJson,
    HtmlErrorPage,
    HtmlInsteadOfJson,
    EmptyBody,
    NoContent,
    TenMegabytes,
    EndlessBody,
    ResetMidBody,
    ConnectionRefused,
    SlowPastTimeout,
    StormWithHeaders,
    StormWithoutHeaders,
    Unauthorized,
    Forbidden,
    ServerError,
    Unavailable,
}

/// What the calls hit by a fault must return.
struct Expect {
    /// An `isError` result (else a success).
    error: bool,
    /// Words the text must contain; `{scope}` stands for the tool's scope.
    says: &'static [&'static str],
}

impl Fault {
    pub const ALL: [Fault; 16] = [
        Fault::MalformedJson,
        Fault::HtmlErrorPage,
        Fault::HtmlInsteadOfJson,
        Fault::EmptyBody,
        Fault::NoContent,
        Fault::TenMegabytes,
        Fault::EndlessBody,
        Fault::ResetMidBody,
        Fault::ConnectionRefused,
        Fault::SlowPastTimeout,
        Fault::StormWithHeaders,
        Fault::StormWithoutHeaders,
        Fault::Unauthorized,
        Fault::Forbidden,
        Fault::ServerError,
        Fault::Unavailable,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Fault::MalformedJson => "200 with malformed JSON",
            Fault::HtmlErrorPage => "502 with an HTML error page",
            Fault::HtmlInsteadOfJson => "200 with an HTML page instead of JSON",
            Fault::EmptyBody => "200 with an empty body",
            Fault::NoContent => "204 No Content",
            Fault::TenMegabytes => "a 10 MB response",
            Fault::EndlessBody => "a response that never ends",
            Fault::ResetMidBody => "connection reset in the middle of the body",
            Fault::ConnectionRefused => "connection refused",
            Fault::SlowPastTimeout => "an answer slower than the timeout",
            Fault::StormWithHeaders => "429 storm with rate-limit headers",
            Fault::StormWithoutHeaders => "429 storm without rate-limit headers",
            Fault::Unauthorized => "401 (bad token)",
            Fault::Forbidden => "403 (missing scope)",
            Fault::ServerError => "500",
            Fault::Unavailable => "503",
        }
    }

    fn expect(self) -> Expect {
        let error = |says| Expect { error: true, says };
        match self {
            Fault::MalformedJson => error(&["not valid JSON", "check whether it took effect"]),
            Fault::HtmlErrorPage => error(&["502 Bad Gateway", "HTML page (titled"]),
            Fault::HtmlInsteadOfJson => error(&["200 OK", "HTML page", "Sign in"]),
            Fault::EmptyBody | Fault::NoContent => Expect {
                error: false,
                says: &["null"],
            },
            Fault::TenMegabytes => Expect {
                error: false,
                says: &["Result cut", "bytes", "to fetch less at a time"],
            },
            Fault::EndlessBody | Fault::SlowPastTimeout => {
                error(&["timed out", "may have reached GHL"])
            }
            Fault::ResetMidBody => error(&["no complete answer from GHL", "may have reached GHL"]),
            Fault::ConnectionRefused => error(&["could not reach GHL (nothing was sent)"]),
            Fault::StormWithHeaders | Fault::StormWithoutHeaders => {
                error(&["429 Too Many Requests"])
            }
            Fault::Unauthorized => error(&["401 Unauthorized", "GHL_API_KEY", "{scope}"]),
            Fault::Forbidden => error(&["403 Forbidden", "lack a scope", "{scope}"]),
            Fault::ServerError => error(&["500 Internal Server Error", "boom"]),
            Fault::Unavailable => error(&["503 Service Unavailable", "maintenance"]),
        }
    }

    /// The answer the fake gives, and how many times in a row (enough for every retry).
    fn reply(self) -> Option<(Reply, usize)> {
        let json = |status, body| Reply::json(status, body);
        let persistent = |reply| Some((reply, 6));
        match self {
            Fault::MalformedJson => persistent(Reply::text(
                200,
                "application/json",
                r#"{"contact": {"id": "c1", "name": "#,
            )),
            Fault::HtmlErrorPage => persistent(Reply::text(
                502,
                "text/html",
                "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>\
                 <p>The upstream server is not answering.</p></body></html>",
            )),
            Fault::HtmlInsteadOfJson => persistent(Reply::text(
                200,
                "text/html; charset=utf-8",
                "<!DOCTYPE html><html><head><title>Sign in</title></head><body>…</body></html>",
            )),
            Fault::EmptyBody => Some((Reply::text(200, "application/json", ""), 1)),
            Fault::NoContent => Some((Reply::text(204, "application/json", ""), 1)),
            Fault::TenMegabytes => Some((json(200, ten_megabyte_contacts()), 1)),
            Fault::EndlessBody => persistent(
                Reply::text(200, "application/json", "{\"contacts\": [").with_fault(
                    BodyFault::Endless {
                        chunk: 64,
                        every: Duration::from_millis(20),
                    },
                ),
            ),
            Fault::ResetMidBody => persistent(
                json(
                    200,
                    json!({ "contact": { "id": "c1", "notes": "n".repeat(4000) } }),
                )
                .with_fault(BodyFault::ResetAfter { bytes: 100 }),
            ),
            Fault::ConnectionRefused => None,
            Fault::SlowPastTimeout => {
                persistent(json(200, json!({ "ok": true })).after(Duration::from_secs(3)))
            }
            Fault::StormWithHeaders => persistent(
                json(429, json!({ "message": "Too many requests" }))
                    .with_header("x-ratelimit-max", "100")
                    .with_header("x-ratelimit-remaining", "0")
                    .with_header("x-ratelimit-interval-milliseconds", "100"),
            ),
            Fault::StormWithoutHeaders => {
                persistent(json(429, json!({ "message": "Too many requests" })))
            }
            Fault::Unauthorized => persistent(json(
                401,
                json!({ "statusCode": 401, "message": "Invalid JWT" }),
            )),
            Fault::Forbidden => persistent(json(
                403,
                json!({ "statusCode": 403, "message": "The token is not authorized for this scope." }),
            )),
            Fault::ServerError => persistent(json(500, json!({ "message": "boom" }))),
            Fault::Unavailable => persistent(json(
                503,
                json!({ "message": "down for maintenance", "traceId": "t-503" }),
            )),
        }
    }
}

/// About 10 MB of contacts.
fn ten_megabyte_contacts() -> Value {
    let contacts: Vec<Value> = (0..50_000)
        .map(|i| json!({ "id": format!("c{i:06}"), "name": "n".repeat(170) }))
        .collect();
    json!({ "contacts": contacts, "meta": { "total": 50_000 } })
}

/// Installs the fault for every request whose path contains `part`.
fn install(fake: &FakeGhl, fault: Fault, part: &str) {
    if let Some((reply, times)) = fault.reply() {
        for _ in 0..times {
            fake.push_reply_for(part, reply.clone());
        }
    }
}

/// Checks one answer against the expectation; returns the problem, if any.
fn check(
    fault: Fault,
    scope: &str,
    answer: &Result<rmcp::model::CallToolResult, String>,
) -> Option<String> {
    let expect = fault.expect();
    let result = match answer {
        Ok(result) => result,
        Err(protocol) => return Some(format!("a protocol error instead of a result: {protocol}")),
    };
    let said = text(result);
    if (result.is_error == Some(true)) != expect.error {
        return Some(format!(
            "expected {}, got: {said}",
            if expect.error { "isError" } else { "success" }
        ));
    }
    for word in expect.says {
        let word = word.replace("{scope}", scope);
        if !said.contains(&word) {
            return Some(format!("expected `{word}` in: {said}"));
        }
    }
    if said.contains(TOKEN) {
        return Some("the token appears in the result".into());
    }
    None
}

/// One run: a write, a read, a batch of writes, then a plain read to see the server serves.
pub async fn run(fault: Fault) -> Run {
    let fake = FakeGhl::start().await;
    let base_url = if fault == Fault::ConnectionRefused {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        format!("http://127.0.0.1:{port}")
    } else {
        fake.base_url()
    };
    install(&fake, fault, "/contacts/w-1/");
    install(&fake, fault, "/contacts/r-1");
    for item in FAULTY_ITEMS {
        install(&fake, fault, &format!("/contacts/b-{item}/"));
    }
    let session = Session::start(&base_url).await;
    let mut problems = Vec::new();

    let write = session
        .call(
            "create_contact_note",
            json!({ "contactId": "w-1", "body": "a note" }),
        )
        .await;
    problems.extend(check(fault, "contacts.write", &write).map(|p| format!("write: {p}")));
    let read = session
        .call("get_contact", json!({ "contactId": "r-1" }))
        .await;
    problems.extend(check(fault, "contacts.readonly", &read).map(|p| format!("read: {p}")));

    let items: Vec<Value> = (0..ITEMS)
        .map(|i| json!({ "contactId": format!("b-{i}"), "body": format!("note {i}") }))
        .collect();
    let batch = session
        .call(
            "execute_batch",
            json!({ "tool_name": "create_contact_note", "items": items,
                    "options": { "concurrency": 3, "max_retries": 2 } }),
        )
        .await;
    let (items_lost, batch_problem) = batch_outcomes(fault, &batch);
    problems.extend(batch_problem.map(|p| format!("batch: {p}")));

    let served = if fault == Fault::ConnectionRefused {
        session.client.list_all_tools().await.is_ok()
    } else {
        session.serves().await
    };
    // The report shows the notice of a cut result rather than the start of its JSON.
    let said = match &write {
        Ok(result) => {
            let said = text(result);
            match said.find("[ghl-mcp]") {
                Some(notice) => said[notice..].to_string(),
                None => said,
            }
        }
        Err(e) => e.clone(),
    };
    let log = session.finish().await;
    if log.contains(TOKEN) {
        problems.push("the token appears in the log".into());
    }
    Run {
        expected: problems.is_empty(),
        served,
        items: ITEMS,
        items_lost,
        duplicate_writes: duplicate_writes(&fake),
        said: said.chars().take(400).collect(),
        problem: (!problems.is_empty()).then(|| problems.join("; ")),
    }
}

/// Items without exactly one outcome, and what is wrong with the batch's answer.
fn batch_outcomes(
    fault: Fault,
    batch: &Result<rmcp::model::CallToolResult, String>,
) -> (usize, Option<String>) {
    let result = match batch {
        Ok(result) if result.is_error != Some(true) => result,
        Ok(result) => return (ITEMS, Some(format!("isError: {}", text(result)))),
        Err(e) => return (ITEMS, Some(format!("protocol error: {e}"))),
    };
    let summary: Value = match serde_json::from_str(&text(result)) {
        Ok(summary) => summary,
        Err(e) => return (ITEMS, Some(format!("not a JSON summary ({e})"))),
    };
    let n = |key: &str| summary[key].as_u64().unwrap_or(0) as usize;
    let accounted = n("succeeded") + n("failed") + n("skipped");
    let mut indexes: Vec<u64> = summary["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["index"].as_u64()).collect())
        .unwrap_or_default();
    indexes.sort_unstable();
    let distinct = {
        let mut d = indexes.clone();
        d.dedup();
        d.len()
    };
    let mut lost = ITEMS.saturating_sub(accounted);
    if n("total") != ITEMS || distinct != indexes.len() || indexes.len() != n("failed") {
        lost = lost.max(1);
    }
    // With GHL unreachable every item fails; otherwise exactly the items the fault hits.
    let wanted: Vec<u64> = match (fault, fault.expect().error) {
        (Fault::ConnectionRefused, _) => (0..ITEMS as u64).collect(),
        (_, true) => FAULTY_ITEMS.iter().map(|i| *i as u64).collect(),
        (_, false) => Vec::new(),
    };
    let expected_failed = wanted.len();
    let problem = (n("failed") != expected_failed || indexes != wanted || lost > 0)
        .then(|| format!("expected items {wanted:?} to fail, got {summary}"));
    (lost, problem)
}

/// Writes received more than once: per path, POST receipts answered with anything but 429.
fn duplicate_writes(fake: &FakeGhl) -> usize {
    let mut receipts: HashMap<String, usize> = HashMap::new();
    for request in fake.requests() {
        if request.method == "POST" && request.status != 429 {
            *receipts.entry(request.path).or_default() += 1;
        }
    }
    receipts.values().map(|n| n.saturating_sub(1)).sum()
}

macro_rules! fault_tests {
    ($($name:ident => $fault:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            run(Fault::$fault).await.assert_sound(Fault::$fault.label());
        }
    )*};
}

fault_tests! {
    malformed_json => MalformedJson,
    html_error_page => HtmlErrorPage,
    html_instead_of_json => HtmlInsteadOfJson,
    empty_body => EmptyBody,
    no_content => NoContent,
    ten_megabytes => TenMegabytes,
    endless_body => EndlessBody,
    reset_mid_body => ResetMidBody,
    connection_refused => ConnectionRefused,
    slow_past_timeout => SlowPastTimeout,
    storm_with_headers => StormWithHeaders,
    storm_without_headers => StormWithoutHeaders,
    unauthorized => Unauthorized,
    forbidden => Forbidden,
    server_error => ServerError,
    unavailable => Unavailable,
}
