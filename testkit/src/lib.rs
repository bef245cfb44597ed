//! A fake GoHighLevel on 127.0.0.1 for tests: it records every request it receives, with the
//! instant it arrived and the status it got, and answers from canned replies (by default
//! `200 {"ok": true}`). It can enforce a sliding-window quota the way GHL does (429 and
//! `X-RateLimit-*` headers) and inject faults for chosen paths.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// HTTP method.
    pub method: String,
    /// The path exactly as sent, still percent-encoded.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Headers, names lowercase.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// When the request arrived, on the fake's clock.
    pub at: Instant,
    /// The status it was answered with.
    pub status: u16,
}

impl Recorded {
    /// The first header with this (lowercase) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A canned reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
    /// How long to wait before answering.
    pub delay: Option<Duration>,
    /// How the body misbehaves, if it does.
    pub fault: Option<BodyFault>,
}

/// A body that does not arrive the way HTTP promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFault {
    /// Announce the whole body's length, send only its first `bytes`, then drop the connection.
    ResetAfter {
        /// Bytes sent before the connection drops.
        bytes: usize,
    },
    /// After the body text, send `chunk` more bytes of spaces every `every`, forever.
    Endless {
        /// Bytes per chunk.
        chunk: usize,
        /// Pause between chunks.
        every: Duration,
    },
}

impl Reply {
    /// A JSON reply with this status.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: None,
            fault: None,
        }
    }

    /// A reply with any body text and content type.
    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: None,
            fault: None,
        }
    }

    /// The same reply, sent after `delay`.
    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }

    /// The same reply with a misbehaving body.
    pub fn with_fault(mut self, fault: BodyFault) -> Reply {
        self.fault = Some(fault);
        self
    }

    /// The same reply with an extra header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    /// Replies for the next requests whose path contains the key, first in first out.
    targeted: Vec<(String, VecDeque<Reply>)>,
    /// Replies for the next requests, first in first out.
    queued: VecDeque<Reply>,
    /// The reply when nothing is queued.
    fallback: Option<Reply>,
    /// A sliding-window quota: at most `max` accepted requests in any `window`.
    quota: Option<(u32, Duration)>,
    /// Arrival times of the requests the quota accepted.
    accepted: VecDeque<Instant>,
    /// `X-RateLimit-Daily-Remaining` to announce, when set.
    daily_remaining: Option<u64>,
}

/// The fake server; it stops when dropped with its runtime.
#[derive(Clone)]
pub struct FakeGhl {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FakeGhl {
    /// Starts a fake on an ephemeral port of 127.0.0.1, on the current tokio runtime.
    pub async fn start() -> FakeGhl {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakeGhl { addr, state }
    }

    /// The base URL to give the client: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// Answers the next request with `reply` (replies queue up in order).
    pub fn push_reply(&self, reply: Reply) {
        self.lock().queued.push_back(reply);
    }

    /// Answers every request with `reply` once the queue is empty.
    pub fn set_fallback(&self, reply: Reply) {
        self.lock().fallback = Some(reply);
    }

    /// Answers the next request whose path contains `path_part` with `reply`, before any
    /// other queued reply (replies for one part queue up in order).
    pub fn push_reply_for(&self, path_part: &str, reply: Reply) {
        let mut state = self.lock();
        match state
            .targeted
            .iter_mut()
            .find(|(part, _)| part == path_part)
        {
            Some((_, queue)) => queue.push_back(reply),
            None => state
                .targeted
                .push((path_part.to_string(), VecDeque::from([reply]))),
        }
    }

    /// Enforces GHL's kind of quota: at most `max` requests in any sliding `window`; the rest
    /// get a 429. Every answer then carries `X-RateLimit-Max`, `X-RateLimit-Remaining` and
    /// `X-RateLimit-Interval-Milliseconds`.
    pub fn enforce_quota(&self, max: u32, window: Duration) {
        self.lock().quota = Some((max, window));
    }

    /// Announces `X-RateLimit-Daily-Remaining` on every answer.
    pub fn set_daily_remaining(&self, remaining: Option<u64>) {
        self.lock().daily_remaining = remaining;
    }

    /// How many requests were answered 429.
    pub fn too_many_count(&self) -> usize {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.status == 429)
            .count()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: Request<Incoming>,
) -> Result<Response<FaultyBody>, Infallible> {
    let at = Instant::now();
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
        at,
        status: 0,
    };
    let mut recorded = recorded;
    let reply = {
        let mut state = state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut rate_headers = Vec::new();
        let mut over_quota = false;
        if let Some((max, window)) = state.quota {
            while state
                .accepted
                .front()
                .is_some_and(|t| at.duration_since(*t) >= window)
            {
                state.accepted.pop_front();
            }
            over_quota = state.accepted.len() >= max as usize;
            if !over_quota {
                state.accepted.push_back(at);
            }
            let remaining = (max as usize).saturating_sub(state.accepted.len());
            rate_headers.push(("x-ratelimit-max".to_string(), max.to_string()));
            rate_headers.push(("x-ratelimit-remaining".to_string(), remaining.to_string()));
            rate_headers.push((
                "x-ratelimit-interval-milliseconds".to_string(),
                window.as_millis().to_string(),
            ));
        }
        if let Some(daily) = state.daily_remaining {
            rate_headers.push(("x-ratelimit-daily-remaining".to_string(), daily.to_string()));
        }
        let echo =
            serde_json::json!({ "ok": true, "method": recorded.method, "path": recorded.path });
        let mut reply = if over_quota {
            Reply::json(
                429,
                serde_json::json!({ "statusCode": 429, "message": "Too many requests" }),
            )
        } else {
            let path = recorded.path.clone();
            let targeted = state
                .targeted
                .iter_mut()
                .find(|(part, queue)| path.contains(part.as_str()) && !queue.is_empty())
                .and_then(|(_, queue)| queue.pop_front());
            targeted
                .or_else(|| state.queued.pop_front())
                .or_else(|| state.fallback.clone())
                .unwrap_or_else(|| Reply::json(200, echo))
        };
        reply.headers.extend(rate_headers);
        recorded.status = reply.status;
        state.requests.push(recorded);
        reply
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::new(FaultyBody::new(reply.body, reply.fault));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    Ok(response)
}

/// A response body that is whole, cut short, or endless.
pub struct FaultyBody {
    data: Option<Bytes>,
    /// The length announced in `Content-Length`, when it differs from what is sent.
    announced: Option<u64>,
    endless: Option<(Bytes, Duration, Pin<Box<tokio::time::Sleep>>)>,
    reset: bool,
}

impl FaultyBody {
    fn new(body: String, fault: Option<BodyFault>) -> FaultyBody {
        let full = Bytes::from(body);
        match fault {
            None => FaultyBody {
                data: Some(full),
                announced: None,
                endless: None,
                reset: false,
            },
            Some(BodyFault::ResetAfter { bytes }) => FaultyBody {
                announced: Some(full.len() as u64),
                data: Some(full.slice(..bytes.min(full.len()))),
                endless: None,
                reset: true,
            },
            Some(BodyFault::Endless { chunk, every }) => FaultyBody {
                data: Some(full),
                announced: None,
                endless: Some((
                    Bytes::from(vec![b' '; chunk.max(1)]),
                    every,
                    Box::pin(tokio::time::sleep(every)),
                )),
                reset: false,
            },
        }
    }
}

impl hyper::body::Body for FaultyBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        let this = &mut *self;
        if let Some(data) = this.data.take().filter(|d| !d.is_empty()) {
            return Poll::Ready(Some(Ok(hyper::body::Frame::data(data))));
        }
        if this.reset {
            this.reset = false;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "the fake drops the connection mid-body",
            ))));
        }
        match &mut this.endless {
            Some((chunk, every, sleep)) => {
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                let next = tokio::time::Instant::now() + *every;
                sleep.as_mut().reset(next);
                Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk.clone()))))
            }
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.as_ref().is_none_or(Bytes::is_empty) && !self.reset && self.endless.is_none()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match (self.announced, &self.endless, &self.data) {
            (Some(len), _, _) => hyper::body::SizeHint::with_exact(len),
            (None, None, Some(data)) => hyper::body::SizeHint::with_exact(data.len() as u64),
            (None, None, None) => hyper::body::SizeHint::with_exact(0),
            (None, Some(_), _) => hyper::body::SizeHint::default(),
        }
    }
}
