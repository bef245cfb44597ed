//! The committed reference in docs/ is exactly what the specs render to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn docs_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = ghl_codegen::docs::render_dir(&root.join("specs")).expect("the specs are valid");
    let mut stale = Vec::new();
    for file in &files {
        let committed =
            std::fs::read_to_string(root.join("docs").join(&file.path)).unwrap_or_default();
        if committed != file.text {
            stale.push(file.path.clone());
        }
    }
    for entry in std::fs::read_dir(root.join("docs"))
        .expect("docs/ exists")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !files.iter().any(|f| f.path == name) {
            stale.push(format!("{name} (no longer generated)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/ is stale: {}\nregenerate it with: cargo run -- docs --out docs",
        stale.join(", ")
    );
}

#[test]
fn every_tool_has_a_section_and_tools_json_lists_them_all() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = ghl_codegen::docs::render_dir(&root.join("specs")).unwrap();
    let tools: serde_json::Value =
        serde_json::from_str(&files.iter().find(|f| f.path == "tools.json").unwrap().text).unwrap();
    let tools = tools.as_array().unwrap();
    let pages: String = files
        .iter()
        .filter(|f| f.path.ends_with(".md"))
        .map(|f| f.text.as_str())
        .collect();
    assert!(!tools.is_empty());
    for tool in tools {
        let name = tool["name"].as_str().unwrap();
        assert!(
            pages.contains(&format!("\n## {name}\n")),
            "{name} has a section"
        );
        assert!(
            pages.contains(&format!("ghl-mcp call {name} --args")),
            "{name} has a command line"
        );
        assert_eq!(tool["inputSchema"]["type"], "object");
        assert!(tool["annotations"]["readOnlyHint"].is_boolean());
    }
}
