//! Writes an imported spec as YAML in the style of `specs/contacts.yaml`: block style for
//! tools and nested fields, flow style for simple fields, every string from the official file
//! double-quoted with JSON-style escapes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::HEADER_COMMENT;
use super::convert::{OutField, OutTool};
use crate::spec::ParamIn;

/// The whole spec file.
pub(crate) fn render(
    file_name: &str,
    app: &str,
    description: &str,
    version: &str,
    tools: &BTreeMap<String, OutTool>,
) -> String {
    let mut out = String::new();
    let comment = format!("Imported from {file_name} {HEADER_COMMENT}");
    let _ = writeln!(out, "# {}", comment.replace(['\n', '\r'], " "));
    let _ = writeln!(out, "app: {}", quote(app));
    let _ = writeln!(out, "description: {}", quote(description));
    let _ = writeln!(out, "version: {}", quote(version));
    out.push_str("tools:\n");
    for (name, tool) in tools {
        out.push('\n');
        tool_block(&mut out, name, tool, version);
    }
    out
}

fn tool_block(out: &mut String, name: &str, tool: &OutTool, file_version: &str) {
    let _ = writeln!(out, "  {}:", key(name));
    let _ = writeln!(out, "    summary: {}", quote(&tool.summary));
    if let Some(description) = &tool.description {
        let _ = writeln!(out, "    description: {}", quote(description));
    }
    let _ = writeln!(out, "    method: {}", tool.method.as_str());
    let _ = writeln!(out, "    path: {}", quote(&tool.path));
    if tool.version != file_version {
        let _ = writeln!(out, "    version: {}", quote(&tool.version));
    }
    if !tool.scopes.is_empty() {
        let scopes: Vec<String> = tool.scopes.iter().map(|s| quote(s)).collect();
        let _ = writeln!(out, "    scopes: [{}]", scopes.join(", "));
    }
    if tool.deprecated {
        out.push_str("    deprecated: true\n");
    }
    if tool.read_only {
        out.push_str("    annotations: { read_only: true }\n");
    }
    for (section, fields) in [("params", &tool.params), ("body", &tool.body)] {
        if fields.is_empty() {
            continue;
        }
        let _ = writeln!(out, "    {section}:");
        for (name, field) in fields {
            field_entry(out, 6, name, field);
        }
    }
}

/// A field without nested properties (an array's items may be simple too) fits on one line.
fn is_simple(field: &OutField) -> bool {
    field.properties.is_none()
        && field
            .items
            .as_deref()
            .is_none_or(|i| i.properties.is_none() && i.items.is_none())
}

fn field_entry(out: &mut String, indent: usize, name: &str, field: &OutField) {
    let pad = " ".repeat(indent);
    if is_simple(field) {
        let _ = writeln!(out, "{pad}{}: {}", key(name), flow(field));
        return;
    }
    let _ = writeln!(out, "{pad}{}:", key(name));
    block(out, indent + 2, field);
}

/// The keys of a field, in the order the curated specs write them.
fn scalar_keys(field: &OutField) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    if let Some(location) = field.location {
        let place = match location {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
        };
        keys.push(("in", place.to_string()));
    }
    keys.push(("type", field.ty.as_str().to_string()));
    // Path parameters are always required; the curated specs leave it unsaid.
    if field.required && field.location != Some(ParamIn::Path) {
        keys.push(("required", "true".to_string()));
    }
    if field.nullable {
        keys.push(("nullable", "true".to_string()));
    }
    if let Some(format) = &field.format {
        keys.push(("format", quote(format)));
    }
    if let Some(default) = &field.default {
        keys.push(("default", flow_value(default)));
    }
    if let Some(values) = &field.allowed {
        let values: Vec<String> = values.iter().map(|v| quote(v)).collect();
        keys.push(("enum", format!("[{}]", values.join(", "))));
    }
    if field.from_location {
        keys.push(("from", "location".to_string()));
    }
    keys
}

fn flow(field: &OutField) -> String {
    let mut parts: Vec<String> = scalar_keys(field)
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if let Some(items) = &field.items {
        parts.push(format!("items: {}", flow(items)));
    }
    if let Some(description) = &field.description {
        parts.push(format!("description: {}", quote(description)));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn block(out: &mut String, indent: usize, field: &OutField) {
    let pad = " ".repeat(indent);
    for (k, v) in scalar_keys(field) {
        let _ = writeln!(out, "{pad}{k}: {v}");
    }
    if let Some(description) = &field.description {
        let _ = writeln!(out, "{pad}description: {}", quote(description));
    }
    if let Some(items) = &field.items {
        if is_simple(items) {
            let _ = writeln!(out, "{pad}items: {}", flow(items));
        } else {
            let _ = writeln!(out, "{pad}items:");
            block(out, indent + 2, items);
        }
    }
    if let Some(properties) = &field.properties {
        let _ = writeln!(out, "{pad}properties:");
        for (name, property) in properties {
            field_entry(out, indent + 2, name, property);
        }
    }
}

/// A JSON value in YAML flow style (JSON with our string quoting).
fn flow_value(value: &Value) -> String {
    match value {
        Value::String(s) => quote(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow_value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", quote(k), flow_value(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        other => other.to_string(),
    }
}

/// A double-quoted YAML scalar: JSON escapes, plus `\u` escapes for the characters YAML does
/// not allow unescaped.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || (0x7f..=0x9f).contains(&(c as u32))
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A mapping key: plain when it is an identifier YAML reads as a string, quoted otherwise.
pub(crate) fn key(name: &str) -> String {
    let identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let special = matches!(
        name.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    );
    if identifier && !special {
        name.to_string()
    } else {
        quote(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_keys_only_when_needed() {
        assert_eq!(
            quote("a \"b\" \\ c\n\u{85}é"),
            "\"a \\\"b\\\" \\\\ c\\n\\u0085é\""
        );
        assert_eq!(key("contactId"), "contactId");
        assert_eq!(key("_id"), "_id");
        assert_eq!(key("x-api"), "\"x-api\"");
        assert_eq!(key("1abc"), "\"1abc\"");
        assert_eq!(key("null"), "\"null\"");
        assert_eq!(key("Yes"), "\"Yes\"");
        assert_eq!(key(""), "\"\"");
    }
}
