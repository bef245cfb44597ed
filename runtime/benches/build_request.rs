//! The in-process cost of one tool call before anything is sent: the arguments checked through
//! the tool's generated typed parameters and enum table, the configured location filled in,
//! and the request built (percent-encoded path, query pairs, JSON body).
//!
//!     cargo bench -p ghl-runtime --bench build_request
//!
//! The tools are the generator's fixture snapshot (codegen/tests/snapshots/widgets.rs): a GET
//! with a path and query parameters, and a PUT whose body has nested objects, arrays and enums.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ghl_runtime::ToolDef;
use serde_json::json;

include!("../../codegen/tests/snapshots/widgets.rs");

fn tool(name: &str) -> &'static ToolDef {
    widgets::TOOLS
        .iter()
        .find(|t| t.name == name)
        .expect("tool in the fixture")
}

fn build_request(c: &mut Criterion) {
    let get = tool("get_widget");
    let get_args = json!({ "widgetId": "w-123/4", "fields": ["name", "size"], "limit": 20 });
    // The arguments arrive as a JSON value that the call consumes, so each iteration clones it;
    // the clone is measured on its own below to subtract it.
    c.bench_function("get_widget: clone arguments only", |b| {
        b.iter(|| black_box(get_args.clone()))
    });
    c.bench_function("get_widget: validate + build request", |b| {
        b.iter(|| {
            get.build_request(black_box(get_args.clone()), Some("loc-1"))
                .unwrap()
        })
    });

    let update = tool("update_widget");
    let update_args = json!({
        "widgetId": "w-123",
        "name": "Gizmo",
        "type": "small",
        "price": 9.5,
        "active": true,
        "meta": { "color": "red", "tags": ["a", "b"] },
        "extra": [1, "two", null],
        "dimensions": { "width": 3, "unit": "cm" },
        "parts": [
            { "id": "p1", "kind": "bolt" },
            { "id": "p2", "kind": "nut" },
            { "id": "p3" }
        ]
    });
    c.bench_function("update_widget: clone arguments only", |b| {
        b.iter(|| black_box(update_args.clone()))
    });
    c.bench_function("update_widget: validate + build request", |b| {
        b.iter(|| {
            update
                .build_request(black_box(update_args.clone()), Some("loc-1"))
                .unwrap()
        })
    });
    c.bench_function("update_widget: refuse a bad enum", |b| {
        let mut bad = update_args.clone();
        bad["parts"][2]["kind"] = json!("screw");
        b.iter(|| {
            update
                .build_request(black_box(bad.clone()), Some("loc-1"))
                .unwrap_err()
        })
    });
}

criterion_group! {
    name = benches;
    // Short runs: the whole benchmark suite (scripts/bench.sh) stays within minutes.
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = build_request
}
criterion_main!(benches);
