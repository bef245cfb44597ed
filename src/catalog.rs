//! The generated tools, looked up by name and shown as MCP tools.

use std::sync::Arc;

use ghl_runtime::ToolDef;
use rmcp::model::{JsonObject, Tool, ToolAnnotations};

use crate::registry::APPS;

/// Every tool, sorted by app then name.
pub(crate) fn all() -> impl Iterator<Item = &'static ToolDef> {
    APPS.iter().flat_map(|app| app.tools.iter())
}

/// The tool with this name.
pub(crate) fn find(name: &str) -> Option<&'static ToolDef> {
    all().find(|tool| tool.name == name)
}

/// The closest tool name, to suggest when a name is unknown.
pub(crate) fn closest(name: &str) -> Option<&'static str> {
    all()
        .map(|tool| (edit_distance(name, tool.name), tool.name))
        .filter(|(distance, candidate)| *distance <= candidate.len() / 3 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

/// "unknown tool `x`", with the closest name when one is close.
pub(crate) fn unknown_tool(name: &str) -> String {
    match closest(name) {
        Some(close) => format!("unknown tool `{name}`; did you mean `{close}`?"),
        None => format!("unknown tool `{name}`"),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The tool as MCP lists it: name, description, input schema and annotations.
pub(crate) fn mcp_tool(tool: &ToolDef) -> Tool {
    let schema: JsonObject = serde_json::from_str(tool.input_schema).unwrap_or_else(|_| {
        // The generator emits every schema from serde_json; this cannot fail, but a tool with
        // an empty object schema is better than a server that will not start.
        JsonObject::new()
    });
    let a = tool.annotations;
    let annotations = ToolAnnotations::with_title(tool.summary)
        .read_only(a.read_only)
        .destructive(a.destructive)
        .idempotent(a.idempotent)
        .open_world(true);
    Tool::new(tool.name, tool.full_description(), Arc::new(schema)).with_annotations(annotations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_parses_as_an_object() {
        for tool in all() {
            let schema: serde_json::Value = serde_json::from_str(tool.input_schema).unwrap();
            assert_eq!(schema["type"], "object", "{}", tool.name);
        }
    }

    #[test]
    fn suggests_a_close_name() {
        assert_eq!(closest("get_contcat"), Some("get_contact"));
        assert_eq!(closest("zzzzzzzzzzzzzzzz"), None);
    }
}
