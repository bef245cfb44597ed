//! The conformance test: every generated tool against GHL's official OpenAPI operations
//! (`openapi/ghl-v2/`), and every official operation against the tools and
//! `specs/_excluded.yaml`.
//!
//! For each tool, example arguments (every property; path parameters get an id that must be
//! percent-encoded) go through `build_request`, and the request is checked against the
//! operation with the same method and path: path encoding, `Version`, required query
//! parameters and required body properties (`ghl_codegen::conformance::check`).
//!
//! `cargo test conformance -- --nocapture` prints the coverage summary.

use std::collections::BTreeMap;
use std::path::Path;

use ghl_codegen::conformance::{self, Operation, RequestShape};
use ghl_codegen::examples;
use ghl_runtime::ToolDef;
use serde_json::Value;

use crate::catalog;

const OPENAPI_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/ghl-v2");
const SPECS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");

/// The default location the requests are built with (every example sets `locationId` itself).
const LOCATION: &str = "loc-example";

fn official() -> Vec<Operation> {
    conformance::load_official(Path::new(OPENAPI_DIR))
        .unwrap_or_else(|e| panic!("cannot load the official OpenAPI files: {e}"))
}

#[test]
fn every_tool_builds_the_request_its_official_operation_expects() {
    let ops = official();
    let mut problems = Vec::new();
    for tool in catalog::all() {
        problems.extend(check_tool(tool, &ops));
    }
    assert!(
        problems.is_empty(),
        "{} conformance problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The problems of one tool: its request cannot be built, it has no official operation, or
/// its request differs from the operation's.
fn check_tool(tool: &ToolDef, ops: &[Operation]) -> Vec<String> {
    let name = tool.name;
    let schema: Value = match serde_json::from_str(tool.input_schema) {
        Ok(schema) => schema,
        Err(e) => return vec![format!("tool `{name}`: input schema is not JSON: {e}")],
    };
    let path_params = conformance::path_params(tool.path);
    let args = examples::example_args(&schema, &path_params);
    let request = match tool.build_request(args.clone(), Some(LOCATION)) {
        Ok(request) => request,
        Err(e) => {
            return vec![format!(
                "tool `{name}`: cannot build a request from the example arguments {args}: {e}"
            )];
        }
    };
    let method = tool.method.as_str();
    let Some(op) = ops
        .iter()
        .find(|op| op.method == method && op.path == tool.path)
    else {
        return vec![format!(
            "tool `{name}`: {method} {} is not an official operation{}",
            tool.path,
            near_miss(method, tool.path, ops)
        )];
    };

    let shape = RequestShape {
        tool: name.to_string(),
        method: request.method.as_str().to_string(),
        path_template: tool.path.to_string(),
        path: request.path.clone(),
        version: request.version.to_string(),
        query_keys: request.query.iter().map(|(key, _)| key.clone()).collect(),
        body_keys: match &request.body {
            Some(Value::Object(body)) => body.keys().cloned().collect(),
            _ => Vec::new(),
        },
    };
    // Each path parameter must be its example value as one encoded segment: the id that needs
    // encoding for ids, the first allowed value for an enum.
    let segment = |param: &str| match args.get(param) {
        Some(Value::String(s)) => conformance::encode_segment(s),
        Some(other) => conformance::encode_segment(&other.to_string()),
        None => format!("<no argument `{param}`>"),
    };
    conformance::check_with(&shape, op, &segment)
}

/// A hint for a tool whose method and path match no operation: the operations whose path
/// differs only in parameter names or a trailing slash, or whose method differs.
fn near_miss(method: &str, path: &str, ops: &[Operation]) -> String {
    let loose = |p: &str| {
        let mut shape = String::new();
        let mut in_param = false;
        for c in p.trim_end_matches('/').chars() {
            match c {
                '{' => {
                    in_param = true;
                    shape.push_str("{}");
                }
                '}' => in_param = false,
                c if !in_param => shape.push(c),
                _ => {}
            }
        }
        shape
    };
    let near: Vec<String> = ops
        .iter()
        .filter(|op| {
            (op.path == path && op.method != method)
                || (op.method == method && op.path != path && loose(&op.path) == loose(path))
        })
        .map(ToString::to_string)
        .collect();
    if near.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", near.join(" or "))
    }
}

#[test]
fn every_official_operation_of_a_specified_app_is_covered_or_excluded() {
    let ops = official();
    let exclusions = ghl_codegen::load::load_exclusions(Path::new(SPECS_DIR))
        .unwrap_or_else(|e| panic!("cannot load the exclusions: {e}"));
    let tools: Vec<(&str, &str)> = catalog::all()
        .map(|tool| (tool.method.as_str(), tool.path))
        .collect();
    let excluded: Vec<(&str, &str)> = exclusions
        .excluded
        .iter()
        .map(|e| (e.method.as_str(), e.path.as_str()))
        .collect();
    let coverage = conformance::coverage(&ops, &tools, &excluded);
    let apps = coverage.by_app();

    println!("covered {}/{}", coverage.covered.len(), ops.len());
    println!("excluded {}", coverage.excluded.len());
    let mut not_specified = Vec::new();
    for app in &apps {
        if app.covered == 0 && !app.uncovered.is_empty() {
            not_specified.push(format!("{} ({})", app.app, app.uncovered.len()));
        } else {
            println!(
                "{}: covered {}/{}, excluded {}, uncovered {}",
                app.app,
                app.covered,
                app.total,
                app.excluded,
                app.uncovered.len()
            );
        }
    }
    println!(
        "not yet specified, {} apps (uncovered operations): {}",
        not_specified.len(),
        not_specified.join(", ")
    );

    let mut problems = Vec::new();
    // Until every app has a spec, only apps with at least one tool must be complete.
    for app in apps.iter().filter(|app| app.covered > 0) {
        for op in &app.uncovered {
            problems.push(format!(
                "{op} has no tool and is not in specs/_excluded.yaml (app `{}` has tools)",
                app.app
            ));
        }
    }
    for (method, path) in &coverage.unknown_exclusions {
        problems.push(format!(
            "specs/_excluded.yaml: {method} {path} is not an official operation"
        ));
    }
    for op in &coverage.excluded_but_covered {
        problems.push(format!(
            "specs/_excluded.yaml: {op} is excluded, but a tool covers it"
        ));
    }
    let apps_of: BTreeMap<(&str, &str), &str> = ops
        .iter()
        .map(|op| ((op.method.as_str(), op.path.as_str()), op.app.as_str()))
        .collect();
    for exclusion in &exclusions.excluded {
        let key = (exclusion.method.as_str(), exclusion.path.as_str());
        if let Some(app) = apps_of.get(&key).filter(|app| **app != exclusion.app) {
            problems.push(format!(
                "specs/_excluded.yaml: {} {} is in app `{app}`, not `{}`",
                key.0, key.1, exclusion.app
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} coverage problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
