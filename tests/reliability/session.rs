//! Starting the real binary: through rmcp's client, or as raw JSON-RPC lines.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// The token every scenario uses; no output may ever contain it.
pub const TOKEN: &str = "pit-reliability-0123456789-secret";

fn command(base_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-mcp"));
    command
        .args(["serve", "--tools", "all", "--apps", "contacts"])
        .env("GHL_BASE_URL", base_url)
        .env("GHL_API_KEY", TOKEN)
        .env("GHL_LOCATION_ID", "loc-1")
        .env("GHL_TIMEOUT_SECS", "1")
        .env("GHL_MAX_RETRIES", "2")
        .env("GHL_RATE_LIMIT", "50/500ms")
        .env("GHL_LOG", "debug")
        .kill_on_drop(true);
    command
}

fn collect(mut stream: impl AsyncReadExt + Unpin + Send + 'static) -> Arc<Mutex<String>> {
    let collected = Arc::new(Mutex::new(String::new()));
    let sink = collected.clone();
    tokio::spawn(async move {
        let mut buf = vec![0; 8192];
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    collected
}

/// A server driven by rmcp's client.
pub struct Session {
    pub client: RunningService<RoleClient, ()>,
    pub stderr: Arc<Mutex<String>>,
}

impl Session {
    pub async fn start(base_url: &str) -> Session {
        let (transport, stderr) = TokioChildProcess::builder(command(base_url))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = stderr.map(collect).unwrap_or_default();
        let client = ().serve(transport).await.expect("the server initializes");
        Session { client, stderr }
    }

    /// Calls a tool; a protocol error comes back as its message.
    pub async fn call(&self, name: &str, args: Value) -> Result<CallToolResult, String> {
        let Value::Object(args) = args else {
            panic!("arguments must be an object")
        };
        self.client
            .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args))
            .await
            .map_err(|e| e.to_string())
    }

    /// Whether a plain read is still answered.
    pub async fn serves(&self) -> bool {
        let probe = self.call("get_contact", json!({ "contactId": "still-there" }));
        matches!(
            tokio::time::timeout(Duration::from_secs(10), probe).await,
            Ok(Ok(result)) if result.is_error != Some(true)
        )
    }

    /// Closes the session and returns everything the server logged.
    pub async fn finish(self) -> String {
        let _ = self.client.cancel().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.stderr.lock().unwrap().clone()
    }
}

/// The text of a result's content.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A server driven line by line, for input no real client would send.
pub struct Raw {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<Value>,
    pub stderr: Arc<Mutex<String>>,
}

impl Raw {
    /// Starts the server and completes the MCP handshake.
    pub async fn start(base_url: &str) -> Raw {
        let mut child = command(base_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr = collect(child.stderr.take().unwrap());
        let (sender, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| json!({ "unparsable stdout line": line }));
                if sender.send(value).is_err() {
                    break;
                }
            }
        });
        let mut raw = Raw {
            child,
            stdin,
            lines,
            stderr,
        };
        raw.send(
            &json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": { "name": "reliability", "version": "0" } } }),
        )
        .await;
        raw.response(0, Duration::from_secs(10))
            .await
            .expect("initialize is answered");
        raw.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }))
            .await;
        raw
    }

    /// Writes bytes as they are (the caller adds the newline).
    pub async fn write(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Writes one message as one line.
    pub async fn send(&mut self, message: &Value) {
        let mut line = message.to_string().into_bytes();
        line.push(b'\n');
        self.write(&line).await;
    }

    /// The next message the server writes, if one comes within `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        tokio::time::timeout(wait, self.lines.recv())
            .await
            .ok()
            .flatten()
    }

    /// The response with this id, skipping notifications and other responses.
    pub async fn response(&mut self, id: u64, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.next(left).await?;
            if message.get("id") == Some(&json!(id)) {
                return Some(message);
            }
        }
    }

    /// Whether tools/list is still answered.
    pub async fn serves(&mut self, id: u64) -> bool {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": "tools/list" }))
            .await;
        self.response(id, Duration::from_secs(10))
            .await
            .is_some_and(|r| r["result"]["tools"].is_array())
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}
