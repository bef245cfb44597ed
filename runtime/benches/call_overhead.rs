//! What the MCP server adds to a GHL call, what memory it holds, and how much of GHL's rate
//! budget a long batch uses. It drives the release binary over stdio with plain JSON-RPC lines
//! (no MCP client library in the measured path) against a fake GHL on 127.0.0.1 that answers
//! at once.
//!
//!     cargo build --release
//!     cargo bench -p ghl-runtime --bench call_overhead -- [--binary PATH] [--calls N]
//!         [--only overhead|throughput] [--quota N/WINDOW] [--batches B]
//!
//! - overhead: for `--tools meta` (through `execute_tool`) and `--tools all` (the tool
//!   itself), N `get_contact` calls through the server, each paired with the same GET sent
//!   directly with reqwest to the same fake, alternating; prints both round trips and the
//!   difference (median, p99). Peak RSS (VmHWM) is read from /proc after tools/list and again
//!   after the N calls.
//! - throughput: `execute_batch` calls of 100 items each, back to back, against a fake that
//!   enforces the quota the server is configured with; prints the rate reached as a share of
//!   the quota, the 429s the fake sent, and the pauses the limiter took.
//!
//! The binary defaults to target/release/ghl-mcp (or $CARGO_TARGET_DIR/release/ghl-mcp).
//! Timing is printed, never asserted.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use ghl_testkit::FakeGhl;
use serde_json::{Value, json};

const TOKEN: &str = "pit-bench-token";
const LOCATION: &str = "loc-bench";

struct Options {
    binary: PathBuf,
    calls: usize,
    only: Option<String>,
    quota: (u32, Duration),
    batches: usize,
}

fn options() -> Options {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")),
        PathBuf::from,
    );
    let mut options = Options {
        binary: target.join("release/ghl-mcp"),
        calls: 1000,
        only: None,
        quota: (100, Duration::from_secs(10)),
        batches: 10,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--binary" => options.binary = PathBuf::from(value()),
            "--calls" => options.calls = value().parse().expect("--calls N"),
            "--only" => options.only = Some(value()),
            "--quota" => {
                let q: ghl_runtime::RateQuota = value().parse().expect("--quota N/WINDOW");
                options.quota = (q.requests.get(), q.window);
            }
            "--batches" => options.batches = value().parse().expect("--batches B"),
            // What `cargo bench` passes to every bench target.
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(
        options.binary.exists(),
        "{} not found: run `cargo build --release` first, or pass --binary",
        options.binary.display()
    );
    assert!(
        options.calls > 0 && options.batches > 0,
        "--calls and --batches must be at least 1 (to skip a part, use --only overhead|throughput)"
    );
    options
}

/// `ghl-mcp serve` spoken to with JSON-RPC lines.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    line: String,
}

impl Server {
    fn spawn(options: &Options, mode: &str, fake: &FakeGhl, rate: &str, log: &str) -> Server {
        let mut child = Command::new(&options.binary)
            .args(["serve", "--tools", mode])
            .env("GHL_API_KEY", TOKEN)
            .env("GHL_BASE_URL", fake.base_url())
            .env("GHL_LOCATION_ID", LOCATION)
            .env("GHL_RATE_LIMIT", rate)
            .env("GHL_LOG", log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ghl-mcp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut server = Server {
            child,
            stdin,
            stdout,
            next_id: 0,
            line: String::new(),
        };
        server.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "bench", "version": "0" }
            }),
        );
        server.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        server
    }

    /// The server's stderr lines, once it exits.
    fn stderr_lines(&mut self) -> std::thread::JoinHandle<Vec<String>> {
        let mut stderr = self.child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text.lines().map(str::to_string).collect()
        })
    }

    fn send(&mut self, message: &Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and returns its result, skipping notifications.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            self.line.clear();
            let n = self.stdout.read_line(&mut self.line).unwrap();
            assert!(n > 0, "the server closed stdout");
            let mut message: Value = serde_json::from_str(&self.line).unwrap();
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].take();
            }
        }
    }

    /// A field of /proc/PID/status, in KiB (VmHWM: peak RSS; VmRSS: RSS now).
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} not in /proc status"))
    }

    fn close(mut self) {
        drop(self.stdin);
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        let _ = self.child.wait();
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Sorted copy; percentile by nearest rank.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn describe(label: &str, values: &[f64]) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    println!(
        "  {label:<34} median {:>7.3} ms  p10 {:>7.3}  p90 {:>7.3}  p99 {:>7.3}  max {:>7.3}",
        percentile(&sorted, 50.0),
        percentile(&sorted, 10.0),
        percentile(&sorted, 90.0),
        percentile(&sorted, 99.0),
        sorted[sorted.len() - 1],
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn overhead(options: &Options, runtime: &tokio::runtime::Runtime, fake: &FakeGhl) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().build().unwrap();
    let direct = |id: &str| {
        let url = format!("{}/contacts/{id}", fake.base_url());
        let request = http
            .get(url)
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Version", "2021-07-28")
            .header("Accept", "application/json");
        runtime.block_on(async move {
            let text = request.send().await.unwrap().text().await.unwrap();
            serde_json::from_str::<Value>(&text).unwrap()
        })
    };

    for mode in ["meta", "all"] {
        // Pacing far above what the loop reaches: the limiter is on the path but never waits.
        let mut server = Server::spawn(options, mode, fake, "1000000/1s", "error");
        let listed = server.request("tools/list", json!({}));
        let tools = listed["tools"].as_array().map_or(0, Vec::len);
        let hwm_listed = server.status_kib("VmHWM");
        let call = |server: &mut Server, id: &str| {
            let (name, arguments) = if mode == "meta" {
                (
                    "execute_tool",
                    json!({ "name": "get_contact", "arguments": { "contactId": id } }),
                )
            } else {
                ("get_contact", json!({ "contactId": id }))
            };
            let result = server.request(
                "tools/call",
                json!({ "name": name, "arguments": arguments }),
            );
            assert_ne!(result["isError"], true, "{result}");
            result
        };
        // Warm both paths: connections open, allocator and caches settled.
        for i in 0..50 {
            call(&mut server, &format!("warm-{i}"));
            direct(&format!("warm-{i}"));
        }
        let before = fake.requests().len();
        let (mut through, mut straight, mut added) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..options.calls {
            let id = format!("c{i}");
            let start = Instant::now();
            direct(&id);
            let direct_ms = ms(start.elapsed());
            let start = Instant::now();
            call(&mut server, &id);
            let mcp_ms = ms(start.elapsed());
            straight.push(direct_ms);
            through.push(mcp_ms);
            added.push(mcp_ms - direct_ms);
        }
        let requests = fake.requests();
        let sent = &requests[before..];
        assert_eq!(sent.len(), 2 * options.calls, "every call reached the fake");
        assert!(
            sent.chunks(2).all(|pair| pair[0].path == pair[1].path
                && pair[0].header("version") == pair[1].header("version")),
            "both routes sent the same request"
        );
        let hwm_calls = server.status_kib("VmHWM");
        let rss_now = server.status_kib("VmRSS");
        println!(
            "--tools {mode}: {tools} tools listed; {} get_contact calls{}",
            options.calls,
            if mode == "meta" {
                " through execute_tool"
            } else {
                ""
            }
        );
        describe("direct reqwest round trip", &straight);
        describe("through ghl-mcp (stdio) round trip", &through);
        describe("added by ghl-mcp (paired difference)", &added);
        let median = |v: &[f64]| {
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            (percentile(&s, 50.0), percentile(&s, 99.0))
        };
        let (d50, d99) = median(&straight);
        let (m50, m99) = median(&through);
        println!(
            "  overhead: median {:.3} ms (median minus median), p99 {:.3} ms (p99 minus p99)",
            m50 - d50,
            m99 - d99
        );
        println!(
            "  peak RSS (VmHWM): after tools/list {}, after {} calls {} (RSS now {})",
            mib(hwm_listed),
            options.calls,
            mib(hwm_calls),
            mib(rss_now)
        );
        server.close();
    }
}

fn throughput(options: &Options, runtime: &tokio::runtime::Runtime) {
    let (max, window) = options.quota;
    let fake = runtime.block_on(FakeGhl::start());
    fake.enforce_quota(max, window);
    let quota = format!("{max}/{}ms", window.as_millis());
    let mut server = Server::spawn(options, "meta", &fake, &quota, "info");
    let log = server.stderr_lines();
    let started = Instant::now();
    let mut failed = 0;
    for batch in 0..options.batches {
        let items: Vec<Value> = (0..100)
            .map(|i| json!({ "contactId": format!("b{batch}-{i}") }))
            .collect();
        let result = server.request(
            "tools/call",
            json!({
                "name": "execute_batch",
                "arguments": { "tool_name": "get_contact", "items": items }
            }),
        );
        let text = result["content"][0]["text"].as_str().unwrap_or("{}");
        let summary: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        failed += summary["failed"].as_u64().unwrap_or(0);
    }
    let wall = started.elapsed();
    server.close();
    let requests = fake.requests();
    let accepted: Vec<Instant> = requests
        .iter()
        .filter(|r| r.status == 200)
        .map(|r| r.at)
        .collect();
    let span = *accepted.last().unwrap() - accepted[0];
    let rate = (accepted.len() - 1) as f64 / span.as_secs_f64();
    let quota_rate = f64::from(max) / window.as_secs_f64();
    // The limiter spaces requests window/(N−1) apart so that no window ever holds more than
    // N: its ceiling is (N−1)/N of the quota.
    let ceiling = f64::from(max - 1) / f64::from(max);
    let pauses = log
        .join()
        .unwrap()
        .iter()
        .filter(|l| l.contains("pausing this location"))
        .count();
    println!(
        "throughput: {} items ({} execute_batch calls of 100 get_contact) against a fake GHL \
         allowing {max} requests per {window:?}; the server configured with the same quota",
        options.batches * 100,
        options.batches,
    );
    println!(
        "  accepted {} requests in {:.1} s (first to last; {:.1} s wall): {:.3}/s = {:.1}% of the \
         quota's {:.3}/s (the pacing's ceiling: {:.1}%)",
        accepted.len(),
        span.as_secs_f64(),
        wall.as_secs_f64(),
        rate,
        100.0 * rate / quota_rate,
        quota_rate,
        100.0 * ceiling,
    );
    println!(
        "  429s: {}; items failed: {failed}; limiter pauses (after X-RateLimit-Remaining: 0 or a 429): {pauses}",
        fake.too_many_count()
    );
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    println!("binary: {}", options.binary.display());
    if options.only.as_deref().is_none_or(|o| o == "overhead") {
        let fake = runtime.block_on(FakeGhl::start());
        overhead(&options, &runtime, &fake);
    }
    if options.only.as_deref().is_none_or(|o| o == "throughput") {
        throughput(&options, &runtime);
    }
}
