//! `ghl-mcp describe TOOL`: a tool's reference in a terminal (or as JSON).

use std::fmt::Write as _;

use ghl_runtime::{Place, ToolDef};
use serde_json::{Value, json};

/// The tool as JSON: what `describe_tool` returns to an agent.
pub(crate) fn as_json(tool: &ToolDef) -> Value {
    let schema: Value = serde_json::from_str(tool.input_schema).unwrap_or(Value::Null);
    let a = tool.annotations;
    json!({
        "name": tool.name,
        "app": tool.app,
        "summary": tool.summary,
        "description": tool.description,
        "method": tool.method.as_str(),
        "path": tool.path,
        "version": tool.version,
        "scopes": tool.scopes,
        "deprecated": tool.deprecated,
        "annotations": { "read_only": a.read_only, "destructive": a.destructive, "idempotent": a.idempotent },
        "input_schema": schema,
    })
}

/// The tool for a person: what it does, its request, and its parameters as a table.
pub(crate) fn as_text(tool: &ToolDef) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})\n  {}", tool.name, tool.app, tool.summary);
    if !tool.description.is_empty() && tool.description != tool.summary {
        let _ = writeln!(out, "\n  {}", tool.description.replace('\n', "\n  "));
    }
    if tool.deprecated {
        out.push_str("\n  Deprecated by GHL.\n");
    }
    let a = tool.annotations;
    let _ = writeln!(
        out,
        "\n  request      {} {}",
        tool.method.as_str(),
        tool.path
    );
    let _ = writeln!(out, "  version      {}", tool.version);
    if !tool.scopes.is_empty() {
        let _ = writeln!(out, "  scopes       {}", tool.scopes.join(", "));
    }
    let _ = writeln!(
        out,
        "  behaviour    {}{}{}",
        if a.read_only { "read-only" } else { "writes" },
        if a.destructive { ", destructive" } else { "" },
        if a.idempotent {
            ", idempotent (retried after server errors)"
        } else {
            ", not idempotent (never sent twice)"
        },
    );
    let schema: Value = serde_json::from_str(tool.input_schema).unwrap_or(Value::Null);
    let mut rows = Vec::new();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for arg in tool.args {
        let place = match arg.place {
            Place::Path => "path",
            Place::Query => "query",
            Place::Body => "body",
        };
        let needed = if required.contains(&arg.name) {
            "yes"
        } else {
            "no"
        };
        collect_rows(
            &mut rows,
            arg.name,
            place,
            needed,
            &schema["properties"][arg.name],
        );
    }
    if rows.is_empty() {
        out.push_str("\n  No arguments.\n");
        return out;
    }
    let widths = [0, 1, 2, 3].map(|i| {
        rows.iter()
            .map(|r: &[String; 5]| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(HEADER[i].len())
    });
    out.push('\n');
    let mut line = |cells: [&str; 5]| {
        let _ = writeln!(
            out,
            "  {:w0$}  {:w1$}  {:w2$}  {:w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    };
    line(HEADER);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]]);
    }
    out
}

const HEADER: [&str; 5] = ["parameter", "in", "type", "required", "description"];

/// One row per field, nested fields by dotted path (`[]` for array items).
fn collect_rows(
    rows: &mut Vec<[String; 5]>,
    path: &str,
    place: &str,
    required: &str,
    schema: &Value,
) {
    let ty = match (&schema["type"], &schema["items"]["type"]) {
        (Value::String(t), Value::String(item)) if t == "array" => format!("array of {item}"),
        (Value::String(t), _) => t.clone(),
        (Value::Array(types), _) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    };
    let mut description = schema["description"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect();
        let _ = write!(
            description,
            "{}one of: {}",
            if description.is_empty() { "" } else { " — " },
            values.join(", ")
        );
    }
    rows.push([
        path.to_string(),
        place.to_string(),
        ty,
        required.to_string(),
        description,
    ]);
    let (holder, prefix) = if schema["properties"].is_object() {
        (schema, path.to_string())
    } else if schema["items"]["properties"].is_object() {
        (&schema["items"], format!("{path}[]"))
    } else {
        return;
    };
    let nested_required: Vec<&str> = holder["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (key, child) in holder["properties"].as_object().into_iter().flatten() {
        let needed = if nested_required.contains(&key.as_str()) {
            "yes"
        } else {
            "no"
        };
        collect_rows(rows, &format!("{prefix}.{key}"), place, needed, child);
    }
}
