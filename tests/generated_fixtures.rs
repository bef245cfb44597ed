//! The generator's snapshot (codegen/tests/snapshots/widgets.rs) compiles against the real
//! runtime, and its typed parameters turn JSON arguments into requests, or clear refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ghl_runtime::{ArgumentError, Method, ToolDef};
use serde_json::{Value, json};

include!("../codegen/tests/snapshots/widgets.rs");

fn tool(name: &str) -> &'static ToolDef {
    widgets::TOOLS
        .iter()
        .find(|t| t.name == name)
        .expect("tool in the fixture")
}

fn refusal(name: &str, args: Value) -> String {
    tool(name)
        .build_request(args, None)
        .unwrap_err()
        .to_string()
}

#[test]
fn path_query_and_body_go_where_the_spec_says() {
    let args = json!({
        "widgetId": "a/b ?#%é",
        "name": "Gizmo",
        "type": "small",
        "dimensions": { "width": 3, "unit": "cm" },
        "parts": [{ "id": "p1", "kind": "bolt" }],
        "meta": { "anything": [1, 2] },
        "extra": null
    });
    let request = tool("update_widget")
        .build_request(args, Some("loc-1"))
        .unwrap();
    assert_eq!(request.method, Method::Put);
    assert_eq!(request.path, "/widgets/a%2Fb%20%3F%23%25%C3%A9");
    assert_eq!(
        request.version, "2021-04-15",
        "the tool's version overrides the file's"
    );
    assert!(request.query.is_empty());
    assert_eq!(request.rate_key, "loc-1");
    assert_eq!(
        request.body.unwrap(),
        json!({
            "locationId": "loc-1",
            "name": "Gizmo",
            "type": "small",
            "dimensions": { "width": 3, "unit": "cm" },
            "parts": [{ "id": "p1", "kind": "bolt" }],
            "meta": { "anything": [1, 2] },
            "extra": null
        })
    );
}

#[test]
fn query_arrays_repeat_their_key_and_get_has_no_body() {
    let request = tool("get_widget")
        .build_request(
            json!({ "widgetId": "w1", "fields": ["name", "size"], "limit": 5 }),
            None,
        )
        .unwrap();
    assert_eq!(request.path, "/widgets/w1");
    let query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        query,
        [("fields", "name"), ("fields", "size"), ("limit", "5")]
    );
    assert_eq!(request.body, None);
    assert_eq!(request.rate_key, "-", "no location anywhere");
}

#[test]
fn fixed_values_are_always_sent() {
    let request = tool("send_widget")
        .build_request(json!({ "contactId": "c1" }), None)
        .unwrap();
    assert_eq!(
        request.body.unwrap(),
        json!({ "contactId": "c1", "type": "WIDGET" })
    );
    assert_eq!(
        request.query,
        [
            ("channel".to_string(), "email".to_string()),
            ("channel".into(), "sms".into())
        ]
    );
    assert!(request.idempotent, "the spec overrides POST's default");
    let err = refusal("send_widget", json!({ "contactId": "c1", "type": "OTHER" }));
    assert_eq!(
        err,
        "`type` is not an argument of this tool; expected one of: contactId"
    );
}

#[test]
fn wrong_types_missing_fields_and_unknown_fields_name_the_path() {
    let base = || json!({ "widgetId": "w", "locationId": "l", "name": "n" });
    let with = |key: &str, value: Value| {
        let mut args = base();
        args[key] = value;
        args
    };
    let err = refusal("update_widget", with("price", json!("cheap")));
    assert_eq!(err, "`price` must be a number, not a string (\"cheap\")");
    let err = refusal(
        "update_widget",
        with("dimensions", json!({ "width": 1, "height": 2 })),
    );
    assert_eq!(
        err,
        "`dimensions.height` is not a known field; expected one of: unit, width"
    );
    let err = refusal("update_widget", with("dimensions", json!({ "width": 1.5 })));
    assert_eq!(
        err,
        "`dimensions.width` must be an integer, not a number (1.5)"
    );
    let err = refusal(
        "update_widget",
        with("parts", json!([{ "id": "p" }, { "kind": "nut" }])),
    );
    assert_eq!(err, "`parts[1].id` is required");
    let err = refusal("update_widget", with("parts", json!({ "id": "p" })));
    assert_eq!(err, "`parts` must be an array, not an object");
    let err = refusal("update_widget", with("name", json!(null)));
    assert_eq!(err, "`name` must be a string, not null");
    let err = refusal(
        "update_widget",
        json!({ "widgetId": "w", "locationId": "l" }),
    );
    assert_eq!(err, "`name` is required");
    let err = refusal("update_widget", with("nmae", json!("typo")));
    assert!(
        err.starts_with(
            "`nmae` is not an argument of this tool; expected one of: widgetId, active,"
        ),
        "{err}"
    );
    let err = refusal("update_widget", json!([1]));
    assert_eq!(err, "arguments must be a JSON object, not an array");
    // Optional values may be null: they count as absent.
    tool("update_widget")
        .build_request(with("price", json!(null)), None)
        .unwrap();
}

#[test]
fn enum_values_are_checked_with_the_allowed_list() {
    let args = json!({ "widgetId": "w", "locationId": "l", "name": "n", "parts": [{ "id": "a", "kind": "bolt" }, { "id": "b", "kind": "rivet" }] });
    assert_eq!(
        refusal("update_widget", args),
        "`parts[1].kind` must be one of bolt, nut, not \"rivet\""
    );
    let args = json!({ "widgetId": "w", "fields": ["colour"] });
    assert_eq!(
        refusal("get_widget", args),
        "`fields[0]` must be one of name, size, not \"colour\""
    );
}

#[test]
fn a_missing_location_names_the_field_and_the_variable() {
    let err = tool("update_widget")
        .build_request(json!({ "widgetId": "w", "name": "n" }), None)
        .unwrap_err();
    assert_eq!(
        err,
        ArgumentError::MissingLocation {
            field: "locationId",
            var: "GHL_LOCATION_ID"
        }
    );
    assert!(err.to_string().contains("GHL_LOCATION_ID"));
    // A location given by the caller wins over the configured one.
    let request = tool("update_widget")
        .build_request(
            json!({ "widgetId": "w", "name": "n", "locationId": "mine" }),
            Some("default"),
        )
        .unwrap();
    assert_eq!(request.body.unwrap()["locationId"], "mine");
    assert_eq!(request.rate_key, "mine");
}

#[test]
fn a_path_parameter_is_exactly_one_non_empty_segment() {
    for bad in ["", ".", ".."] {
        let err = refusal("get_widget", json!({ "widgetId": bad }));
        assert!(
            err.starts_with("path parameter `widgetId` cannot be"),
            "{bad:?}: {err}"
        );
    }
    let request = tool("get_widget")
        .build_request(json!({ "widgetId": "../admin" }), None)
        .unwrap();
    assert_eq!(request.path, "/widgets/..%2Fadmin");
    let request = tool("get_widget")
        .build_request(json!({ "widgetId": "x\r\nHost: evil" }), None)
        .unwrap();
    assert_eq!(request.path, "/widgets/x%0D%0AHost%3A%20evil");
}

#[test]
fn annotations_follow_the_method_unless_overridden() {
    let a = tool("search_widgets").annotations;
    assert!(a.read_only && a.idempotent && !a.destructive);
    let a = tool("update_widget").annotations;
    assert!(!a.read_only && a.idempotent && a.destructive);
    assert!(tool("send_widget").deprecated);
    assert!(
        tool("send_widget")
            .full_description()
            .contains("Deprecated")
    );
}

#[test]
fn schemas_are_inline_objects_and_every_array_has_items() {
    fn walk(schema: &Value, at: &str) {
        assert!(
            schema.get("$ref").is_none() && schema.get("$defs").is_none(),
            "{at}"
        );
        if schema["type"] == "array" {
            assert!(schema.get("items").is_some(), "{at} has no items");
        }
        for (key, child) in schema["properties"].as_object().into_iter().flatten() {
            walk(child, &format!("{at}.{key}"));
        }
        if let Some(items) = schema.get("items") {
            walk(items, &format!("{at}[]"));
        }
    }
    for tool in widgets::TOOLS {
        let schema: Value = serde_json::from_str(tool.input_schema).unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        walk(&schema, tool.name);
    }
    let schema: Value = serde_json::from_str(tool("update_widget").input_schema).unwrap();
    assert_eq!(
        schema["required"],
        json!(["widgetId", "name"]),
        "a location filled from config is not required"
    );
    assert!(
        schema["properties"]["locationId"]["description"]
            .as_str()
            .unwrap()
            .contains("GHL_LOCATION_ID")
    );
}

#[test]
fn a_tool_without_arguments_takes_nothing_or_an_empty_object() {
    let ping = tool("ping_widgets");
    assert_eq!(
        ping.build_request(json!({}), None).unwrap().path,
        "/widgets/ping"
    );
    assert_eq!(ping.build_request(Value::Null, None).unwrap().body, None);
    let err = ping
        .build_request(json!({ "x": 1 }), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "`x` is not an argument: this tool takes none");
}

#[test]
fn a_nullable_field_must_be_given_but_may_be_null() {
    let assign = tool("assign_widget");
    let request = assign
        .build_request(json!({ "widgetId": "w", "ownerId": null }), None)
        .unwrap();
    assert_eq!(
        request.body.unwrap(),
        json!({ "ownerId": null }),
        "null is sent: it removes the owner"
    );
    let request = assign
        .build_request(json!({ "widgetId": "w", "ownerId": "u1" }), None)
        .unwrap();
    assert_eq!(request.body.unwrap(), json!({ "ownerId": "u1" }));
    let err = assign
        .build_request(json!({ "widgetId": "w" }), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "`ownerId` is required");
    let err = assign
        .build_request(json!({ "widgetId": "w", "ownerId": 3 }), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "`ownerId` must be a string, not a number (3)");
    let schema: Value = serde_json::from_str(assign.input_schema).unwrap();
    assert_eq!(
        schema["properties"]["ownerId"]["type"],
        json!(["string", "null"])
    );
}
