//! The batch executor: one tool over many argument sets, validated first, run with bounded
//! concurrency through the same limiter and retry policy as single calls.
//!
//! Every item ends with exactly one outcome: succeeded, failed (with its index, kind, status
//! and message), or skipped (never attempted, after a failure with `on_error: stop` or once
//! the batch is cancelled).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::args::ArgumentError;
use crate::client::Client;
use crate::config::{ConfigError, MAX_RETRIES};
use crate::error::CallError;
use crate::projection::project;
use crate::request::Request;
use crate::tool::ToolDef;

/// The most items one batch may hold.
pub const MAX_ITEMS: usize = 100;
/// The most requests one batch may have in flight.
pub const MAX_CONCURRENCY: usize = 10;

/// What to do after an item fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Run every other item anyway.
    #[default]
    Continue,
    /// Start no new item; those in flight finish; the rest are skipped. Any invalid item
    /// refuses the whole batch before anything is sent.
    Stop,
}

/// How a batch runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// Requests in flight at once, 1 to [`MAX_CONCURRENCY`] (default 5).
    pub concurrency: usize,
    /// What to do after an item fails.
    pub on_error: OnError,
    /// Retries per item, 0 to [`MAX_RETRIES`] (default 2).
    pub max_retries: u32,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            concurrency: 5,
            on_error: OnError::Continue,
            max_retries: 2,
        }
    }
}

/// A batch refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// Too many items.
    #[error("a batch holds at most {MAX_ITEMS} items; this one has {0}")]
    TooManyItems(usize),
    /// Concurrency out of range.
    #[error("concurrency must be from 1 to {MAX_CONCURRENCY}, not {0}")]
    Concurrency(usize),
    /// Retries out of range.
    #[error("max_retries must be from 0 to {MAX_RETRIES}, not {0}")]
    MaxRetries(u32),
    /// With `on_error: stop`, some items are invalid.
    #[error(
        "{} of {total} items are invalid and on_error is stop, so nothing was sent: {}",
        .invalid.len(),
        .invalid.iter().map(|e| format!("item {}: {}", e.index, e.message)).collect::<Vec<_>>().join("; ")
    )]
    InvalidItems {
        /// The batch's size.
        total: usize,
        /// Every invalid item.
        invalid: Vec<ItemError>,
    },
    /// The configuration allows no call (no token).
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Why an item failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Its arguments were refused; it was never sent.
    Validation,
    /// GHL answered with an error status (other than 429).
    Http,
    /// GHL's rate limit: a 429 after every retry, or the daily budget gone.
    RateLimit,
    /// No answer: connection failure or timeout.
    Network,
    /// Cancelled while waiting for its turn or for a retry; not sent (again).
    Cancelled,
    /// The configuration refused it.
    Config,
    /// The item's task failed inside ghl-mcp (a bug); whether it was sent is unknown.
    Internal,
}

impl ErrorKind {
    /// The kind's name in results.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Http => "http",
            ErrorKind::RateLimit => "rate_limit",
            ErrorKind::Network => "network",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Config => "config",
            ErrorKind::Internal => "internal",
        }
    }
}

/// One failed item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// Its 0-based position in the items.
    pub index: usize,
    /// Why it failed.
    pub kind: ErrorKind,
    /// The HTTP status, when GHL answered.
    pub status: Option<u16>,
    /// What went wrong (the field path and reason, or GHL's message).
    pub message: String,
}

impl ItemError {
    fn invalid(index: usize, error: &ArgumentError) -> ItemError {
        ItemError {
            index,
            kind: ErrorKind::Validation,
            status: None,
            message: error.to_string(),
        }
    }

    fn from_call(index: usize, error: &CallError) -> ItemError {
        let kind = match error {
            CallError::Arguments(_) => ErrorKind::Validation,
            CallError::Http { status: 429, .. } | CallError::RateLimit(_) => ErrorKind::RateLimit,
            CallError::Http { .. } | CallError::BadResponse { .. } | CallError::TooLarge { .. } => {
                ErrorKind::Http
            }
            CallError::Network { .. } => ErrorKind::Network,
            CallError::Cancelled { .. } => ErrorKind::Cancelled,
            CallError::Config(_) => ErrorKind::Config,
            CallError::Internal(_) => ErrorKind::Internal,
        };
        ItemError {
            index,
            kind,
            status: error.status(),
            message: error.to_string(),
        }
    }

    fn to_json(&self) -> Value {
        let mut error =
            json!({ "index": self.index, "kind": self.kind.as_str(), "message": self.message });
        if let Some(status) = self.status {
            error["status"] = json!(status);
        }
        error
    }
}

/// Why an item was never attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// An earlier item failed and `on_error` is stop.
    AfterFailure,
    /// The batch was cancelled.
    Cancelled,
}

/// How one item ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome {
    /// GHL's answer.
    Succeeded(Value),
    /// Why it failed.
    Failed(ItemError),
    /// It was never attempted.
    Skipped(SkipReason),
}

/// Progress while a batch runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchProgress {
    /// Items finished (succeeded or failed).
    pub done: usize,
    /// Items in the batch.
    pub total: usize,
    /// Items failed so far.
    pub failed: usize,
}

/// Every item's outcome, in item order.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReport {
    /// The tool run.
    pub tool: &'static str,
    /// One outcome per item, in item order.
    pub outcomes: Vec<ItemOutcome>,
    /// Wall time of the whole batch.
    pub duration: Duration,
}

impl BatchReport {
    /// Items that succeeded.
    pub fn succeeded(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, ItemOutcome::Succeeded(_)))
            .count()
    }

    /// Items that failed.
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, ItemOutcome::Failed(_)))
            .count()
    }

    /// Items never attempted.
    pub fn skipped(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, ItemOutcome::Skipped(_)))
            .count()
    }

    /// `{tool, total, succeeded, failed, skipped, duration_ms, errors[]}`, and why items were
    /// skipped when some were.
    pub fn summary(&self) -> Value {
        let errors: Vec<Value> = self
            .outcomes
            .iter()
            .filter_map(|o| match o {
                ItemOutcome::Failed(error) => Some(error.to_json()),
                _ => None,
            })
            .collect();
        let mut summary = json!({
            "tool": self.tool,
            "total": self.outcomes.len(),
            "succeeded": self.succeeded(),
            "failed": self.failed(),
            "skipped": self.skipped(),
            "duration_ms": u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            "errors": errors,
        });
        let reason = self.outcomes.iter().find_map(|o| match o {
            ItemOutcome::Skipped(SkipReason::AfterFailure) => {
                Some("not attempted: an item failed and on_error is stop")
            }
            ItemOutcome::Skipped(SkipReason::Cancelled) => {
                Some("not attempted: the batch was cancelled")
            }
            _ => None,
        });
        if let Some(reason) = reason {
            summary["skipped_reason"] = json!(reason);
        }
        summary
    }

    /// The summary plus `results[]` in item order: each success projected to `select`
    /// (dotted paths, through arrays), `null` for an item that failed or was skipped.
    pub fn detail(&self, select: &[String]) -> Value {
        let mut detail = self.summary();
        let results: Vec<Value> = self
            .outcomes
            .iter()
            .map(|o| match o {
                ItemOutcome::Succeeded(value) => project(value, select),
                _ => Value::Null,
            })
            .collect();
        detail["results"] = Value::Array(results);
        detail
    }
}

impl BatchOptions {
    /// Refuses options out of range.
    pub fn check(&self) -> Result<(), BatchError> {
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return Err(BatchError::Concurrency(self.concurrency));
        }
        if self.max_retries > MAX_RETRIES {
            return Err(BatchError::MaxRetries(self.max_retries));
        }
        Ok(())
    }
}

/// Runs `tool` once per item. Every item is validated before the first request; options,
/// size and configuration are checked before anything is sent. `progress` is called after
/// each item finishes; `cancel` stops dispatching at once (requests already sent finish).
pub async fn execute_batch(
    client: &Client,
    tool: &'static ToolDef,
    items: Vec<Value>,
    options: &BatchOptions,
    cancel: &CancellationToken,
    progress: &(dyn Fn(BatchProgress) + Send + Sync),
) -> Result<BatchReport, BatchError> {
    let started = Instant::now();
    if items.len() > MAX_ITEMS {
        return Err(BatchError::TooManyItems(items.len()));
    }
    options.check()?;
    if client.config().api_key.is_none() {
        return Err(ConfigError::MissingApiKey.into());
    }
    let total = items.len();
    let location = client.config().location_id.clone();
    let requests: Vec<Result<Request, ItemError>> = items
        .into_iter()
        .enumerate()
        .map(|(index, args)| {
            tool.build_request(args, location.as_deref())
                .map_err(|e| ItemError::invalid(index, &e))
        })
        .collect();
    let invalid: Vec<ItemError> = requests
        .iter()
        .filter_map(|r| r.as_ref().err().cloned())
        .collect();
    if options.on_error == OnError::Stop && !invalid.is_empty() {
        return Err(BatchError::InvalidItems { total, invalid });
    }

    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; total];
    let mut failed = invalid.len();
    let mut done = invalid.len();
    for error in invalid {
        let index = error.index;
        outcomes[index] = Some(ItemOutcome::Failed(error));
    }
    if done > 0 {
        progress(BatchProgress {
            done,
            total,
            failed,
        });
    }

    let stop = Arc::new(AtomicBool::new(false));
    let slots = Arc::new(Semaphore::new(options.concurrency));
    let mut running = JoinSet::new();
    // Which item each task runs, so even a task that panicked ends with an outcome.
    let mut task_items = std::collections::HashMap::new();
    let pending: Vec<(usize, Request)> = requests
        .into_iter()
        .enumerate()
        .filter_map(|(index, request)| request.ok().map(|r| (index, r)))
        .collect();
    let mut finish = |index: usize,
                      result: Result<Value, CallError>,
                      outcomes: &mut Vec<Option<ItemOutcome>>| {
        let Some(slot) = outcomes.get_mut(index) else {
            return;
        };
        done += 1;
        *slot = Some(match result {
            Ok(value) => ItemOutcome::Succeeded(value),
            Err(error) => {
                failed += 1;
                if options.on_error == OnError::Stop {
                    stop.store(true, Ordering::SeqCst);
                }
                ItemOutcome::Failed(ItemError::from_call(index, &error))
            }
        });
        progress(BatchProgress {
            done,
            total,
            failed,
        });
    };
    for (index, request) in pending {
        // Wait for a free slot, collecting finished items meanwhile; stop at once on cancel.
        let permit = loop {
            if cancel.is_cancelled() || stop.load(Ordering::SeqCst) {
                break None;
            }
            tokio::select! {
                biased;
                () = cancel.cancelled() => break None,
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    let (index, result) = joined_outcome(joined, &task_items, client);
                    finish(index, result, &mut outcomes);
                }
                permit = slots.clone().acquire_owned() => break permit.ok(),
            }
        };
        let Some(permit) = permit else { break };
        let client = client.clone();
        let cancel = cancel.clone();
        let max_retries = options.max_retries;
        let task = running.spawn(async move {
            let result = client
                .send_cancellable(&request, max_retries, &cancel)
                .await;
            drop(permit);
            (index, result)
        });
        task_items.insert(task.id(), index);
    }
    while let Some(joined) = running.join_next().await {
        let (index, result) = joined_outcome(joined, &task_items, client);
        finish(index, result, &mut outcomes);
    }
    let reason = if cancel.is_cancelled() {
        SkipReason::Cancelled
    } else {
        SkipReason::AfterFailure
    };
    let outcomes = outcomes
        .into_iter()
        .map(|o| o.unwrap_or(ItemOutcome::Skipped(reason)))
        .collect();
    Ok(BatchReport {
        tool: tool.name,
        outcomes,
        duration: started.elapsed(),
    })
}

type Joined = Result<(usize, Result<Value, CallError>), tokio::task::JoinError>;

/// The item a finished task ran and its result; a task that panicked is a failure of its item
/// (the panic's message, the token scrubbed from it).
fn joined_outcome(
    joined: Joined,
    task_items: &std::collections::HashMap<tokio::task::Id, usize>,
    client: &Client,
) -> (usize, Result<Value, CallError>) {
    match joined {
        Ok(outcome) => outcome,
        Err(error) => {
            let index = task_items.get(&error.id()).copied().unwrap_or(usize::MAX);
            let message = client.scrub(format!("the item's task failed: {error}"));
            (index, Err(CallError::Internal(message)))
        }
    }
}
