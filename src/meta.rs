//! The meta-tools: `search_tools`, `describe_tool`, `execute_tool`, `execute_batch`. With them
//! an agent finds the one tool it needs among hundreds, reads its schema, and runs it (once or
//! for up to 100 items), while tools/list stays a few kilobytes.

use std::sync::Arc;

use ghl_runtime::{
    BatchOptions, BatchProgress, Client, OnError, ToolDef, execute_batch, projection,
};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use rmcp::schemars::{self, JsonSchema};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::exposure::Exposure;
use crate::search;

/// `search_tools` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchArgs {
    /// Words describing what you want to do, e.g. "add tags to a contact".
    query: String,
    /// Only tools of this app (e.g. "contacts").
    #[serde(default)]
    app: Option<String>,
    /// At most this many results (default 10, at most 50).
    #[serde(default)]
    limit: Option<usize>,
}

/// `describe_tool` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DescribeArgs {
    /// The tool's name, as search_tools returned it.
    name: String,
}

/// `execute_tool` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExecuteArgs {
    /// The tool's name.
    name: String,
    /// The tool's arguments, as its input schema (describe_tool) says.
    #[serde(default)]
    arguments: Option<JsonObject>,
    /// Keep only these fields of the result: dotted paths such as "contact.id", through arrays.
    #[serde(default)]
    select_fields: Option<Vec<String>>,
}

/// What to do after an item fails.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OnErrorArg {
    /// Run the other items anyway.
    Continue,
    /// Start no new item; invalid items refuse the whole batch.
    Stop,
}

/// How much the result says.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ResultMode {
    /// Counts and errors only.
    #[default]
    Summary,
    /// Also every item's result, in item order.
    Detail,
}

/// `execute_batch` options.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchOptionsArgs {
    /// Requests in flight at once, 1 to 10 (default 5).
    #[serde(default)]
    concurrency: Option<usize>,
    /// "continue" (default) or "stop" after the first failure.
    #[serde(default)]
    on_error: Option<OnErrorArg>,
    /// "summary" (default) or "detail".
    #[serde(default)]
    result_mode: Option<ResultMode>,
    /// With detail: keep only these fields of each result (dotted paths, through arrays).
    #[serde(default)]
    select_fields: Option<Vec<String>>,
    /// Retries per item, 0 to 10 (default 2). Writes are retried only when safe.
    #[serde(default)]
    max_retries: Option<u32>,
}

/// `execute_batch` arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BatchArgs {
    /// The tool to run for every item.
    tool_name: String,
    /// One arguments object per call, at most 100.
    items: Vec<JsonObject>,
    /// How the batch runs.
    #[serde(default)]
    options: Option<BatchOptionsArgs>,
}

fn schema_of<T: JsonSchema>() -> Arc<JsonObject> {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
        .into_root_schema_for::<T>();
    let mut object = match schema.to_value() {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    object.remove("title");
    Arc::new(object)
}

/// The meta-tools as MCP lists them.
pub(crate) fn tools(with_discovery: bool) -> Vec<Tool> {
    let read = ToolAnnotations::new().read_only(true).open_world(false);
    let mut tools = Vec::new();
    if with_discovery {
        tools.push(
            Tool::new(
                "search_tools",
                "Find GoHighLevel tools by what they do. Returns name, app, summary and whether \
                 each writes. Then describe_tool for its arguments, and execute_tool to run it.",
                schema_of::<SearchArgs>(),
            )
            .with_annotations(read.clone()),
        );
        tools.push(
            Tool::new(
                "describe_tool",
                "A GoHighLevel tool's description, method, path, annotations and full input schema.",
                schema_of::<DescribeArgs>(),
            )
            .with_annotations(read),
        );
        tools.push(
            Tool::new(
                "execute_tool",
                "Run one GoHighLevel tool with its arguments; returns GHL's JSON, optionally only \
                 select_fields.",
                schema_of::<ExecuteArgs>(),
            )
            .with_annotations(ToolAnnotations::new().open_world(true)),
        );
    }
    tools.push(
        Tool::new(
            "execute_batch",
            "Run one GoHighLevel tool for up to 100 argument sets, validated first, within GHL's \
             rate limit, never sending a write twice. Returns {total, succeeded, failed, skipped, \
             duration_ms, errors[]} and, in detail mode, results[] in item order.",
            schema_of::<BatchArgs>(),
        )
        .with_annotations(ToolAnnotations::new().open_world(true)),
    );
    tools
}

fn parse<T: for<'de> Deserialize<'de>>(args: Value) -> Result<T, String> {
    let args = if args.is_null() {
        Value::Object(JsonObject::new())
    } else {
        args
    };
    serde_json::from_value(args).map_err(|e| format!("invalid arguments: {e}"))
}

/// A tool that may run here, or why not.
pub(crate) fn runnable(exposure: &Exposure, name: &str) -> Result<&'static ToolDef, String> {
    let tool = crate::catalog::find(name).ok_or_else(|| {
        format!(
            "{} (search_tools finds tools)",
            crate::catalog::unknown_tool(name)
        )
    })?;
    match exposure.refusal(tool) {
        Some(reason) => Err(reason),
        None => Ok(tool),
    }
}

/// `search_tools`.
pub(crate) fn search_tools(exposure: &Exposure, args: Value) -> Result<Value, String> {
    let args: SearchArgs = parse(args)?;
    let limit = args.limit.unwrap_or(10).clamp(1, 50);
    let candidates = exposure
        .allowed()
        .filter(|t| args.app.as_ref().is_none_or(|app| t.app == app));
    let found: Vec<Value> = search::search(&args.query, candidates, limit)
        .into_iter()
        .map(|t| json!({ "name": t.name, "app": t.app, "summary": t.summary, "writes": !t.annotations.read_only }))
        .collect();
    Ok(json!({ "tools": found }))
}

/// `describe_tool`.
pub(crate) fn describe_tool(exposure: &Exposure, args: Value) -> Result<Value, String> {
    let args: DescribeArgs = parse(args)?;
    Ok(crate::describe::as_json(runnable(exposure, &args.name)?))
}

/// `execute_tool`.
pub(crate) async fn execute_tool(
    client: &Client,
    exposure: &Exposure,
    args: Value,
) -> Result<Value, String> {
    let args: ExecuteArgs = parse(args)?;
    let tool = runnable(exposure, &args.name)?;
    let arguments = args.arguments.map_or(Value::Null, Value::Object);
    let value = client
        .call(tool, arguments)
        .await
        .map_err(|e| format!("{}: {e}", tool.name))?;
    Ok(projection::project(
        &value,
        args.select_fields.as_deref().unwrap_or(&[]),
    ))
}

/// `execute_batch`.
pub(crate) async fn execute_batch_tool(
    client: &Client,
    exposure: &Exposure,
    args: Value,
    cancel: &CancellationToken,
    progress: &(dyn Fn(BatchProgress) + Send + Sync),
) -> Result<Value, String> {
    let args: BatchArgs = parse(args)?;
    let tool = runnable(exposure, &args.tool_name)?;
    let options = args.options.unwrap_or_default();
    let defaults = BatchOptions::default();
    let batch_options = BatchOptions {
        concurrency: options.concurrency.unwrap_or(defaults.concurrency),
        on_error: match options.on_error {
            Some(OnErrorArg::Stop) => OnError::Stop,
            Some(OnErrorArg::Continue) | None => OnError::Continue,
        },
        max_retries: options.max_retries.unwrap_or(defaults.max_retries),
    };
    let items = args.items.into_iter().map(Value::Object).collect();
    let report = execute_batch(client, tool, items, &batch_options, cancel, progress)
        .await
        .map_err(|e| format!("execute_batch: {e}"))?;
    Ok(match options.result_mode.unwrap_or_default() {
        ResultMode::Summary => report.summary(),
        ResultMode::Detail => report.detail(options.select_fields.as_deref().unwrap_or(&[])),
    })
}
