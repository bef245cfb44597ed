//! The nastiest arguments tried while fuzzing request building (fuzz/README.md, target
//! `build_request`), each with the exact request or error it must keep giving.
//!
//! The fuzz target runs against the real generated registry; these tests cannot (the runtime
//! knows nothing of the specs), so they declare two tools by hand, the way generated code
//! does: a `ToolDef` and a `FromArgs` parameter struct.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ghl_runtime::args::{Value, object, optional, required};
use ghl_runtime::{
    Annotations, ArgDef, ArgumentError, At, EnumRule, FromArgs, Method, Place, Request, ToolDef,
    check_args,
};
use serde_json::json;

/// `PUT /contacts/{contactId}/notes/{noteId}?locationId&ids` with a body.
struct Params;

impl FromArgs for Params {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        let known = [
            "contactId",
            "noteId",
            "ids",
            "locationId",
            "body",
            "kind",
            "extra",
        ];
        let object = object(value, at, &known)?;
        let _: String = required(object, "contactId", at)?;
        let _: f64 = required(object, "noteId", at)?;
        let _: Option<Vec<String>> = optional(object, "ids", at)?;
        let _: String = required(object, "locationId", at)?;
        let _: Option<String> = optional(object, "body", at)?;
        let _: Option<String> = optional(object, "kind", at)?;
        let _: Option<Value> = optional(object, "extra", at)?;
        Ok(Params)
    }
}

static NOTE: ToolDef = ToolDef {
    name: "update_note",
    app: "contacts",
    summary: "Update a note",
    description: "",
    method: Method::Put,
    path: "/contacts/{contactId}/notes/{noteId}",
    version: "2021-07-28",
    scopes: &[],
    annotations: Annotations {
        read_only: false,
        destructive: true,
        idempotent: true,
    },
    deprecated: false,
    input_schema: "{}",
    args: &[
        arg("contactId", Place::Path, true, false),
        arg("noteId", Place::Path, true, false),
        arg("ids", Place::Query, false, false),
        arg("locationId", Place::Query, true, true),
        arg("body", Place::Body, false, false),
        arg("extra", Place::Body, false, false),
        arg("kind", Place::Body, false, false),
    ],
    enums: &[EnumRule {
        path: "kind",
        values: &["a", "b"],
    }],
    fixed_query: &[("mode", "x&y=z")],
    fixed_body: "",
    validate: check_args::<Params>,
};

const fn arg(name: &'static str, place: Place, required: bool, from_location: bool) -> ArgDef {
    ArgDef {
        name,
        place,
        required,
        from_location,
    }
}

fn build(args: Value) -> Result<Request, ArgumentError> {
    NOTE.build_request(args, Some("loc"))
}

#[track_caller]
fn path_of(contact: Value, note: Value) -> Result<String, String> {
    build(json!({"contactId": contact, "noteId": note}))
        .map(|r| r.path)
        .map_err(|e| e.to_string())
}

#[test]
fn a_path_parameter_is_exactly_one_encoded_segment() {
    let one = |id: &str| path_of(json!(id), json!(1));
    assert_eq!(
        one("a/b?c=d#e f").unwrap(),
        "/contacts/a%2Fb%3Fc%3Dd%23e%20f/notes/1"
    );
    assert_eq!(
        one("\r\nX-Injected: 1").unwrap(),
        "/contacts/%0D%0AX-Injected%3A%201/notes/1"
    );
    // Encodings are encoded again, so `%2e%2e` stays three literal characters per dot.
    assert_eq!(one("%2e%2e").unwrap(), "/contacts/%252e%252e/notes/1");
    assert_eq!(one("..\\..").unwrap(), "/contacts/..%5C../notes/1");
    assert_eq!(one("...").unwrap(), "/contacts/.../notes/1");
    assert_eq!(one("{noteId}").unwrap(), "/contacts/%7BnoteId%7D/notes/1");
    assert_eq!(
        one("\u{0}\u{7f}é\u{202e}😀").unwrap(),
        "/contacts/%00%7F%C3%A9%E2%80%AE%F0%9F%98%80/notes/1"
    );
    for (id, problem) in [("", "empty"), (".", "`.` or `..`"), ("..", "`.` or `..`")] {
        assert_eq!(
            one(id).unwrap_err(),
            format!("path parameter `contactId` cannot be {problem}")
        );
    }
}

#[test]
fn numbers_in_the_path_are_their_json_text() {
    let note = |n: Value| path_of(json!("c"), n);
    assert_eq!(
        note(json!(u64::MAX)).unwrap(),
        "/contacts/c/notes/18446744073709551615"
    );
    assert_eq!(
        note(json!(i64::MIN)).unwrap(),
        "/contacts/c/notes/-9223372036854775808"
    );
    // serde_json writes `1e+300`; the `+` is encoded like any reserved character.
    assert_eq!(note(json!(1e300)).unwrap(), "/contacts/c/notes/1e%2B300");
    assert_eq!(note(json!(-0.0)).unwrap(), "/contacts/c/notes/-0.0");
    assert_eq!(note(json!(5e-324)).unwrap(), "/contacts/c/notes/5e-324");
    assert_eq!(
        note(json!("1")).unwrap_err(),
        "`noteId` must be a number, not a string (\"1\")"
    );
}

#[test]
fn query_values_stay_one_pair_each() {
    let request = build(json!({
        "contactId": "c",
        "noteId": 1,
        "ids": ["a=b&c=d", "#", "", "+ %"],
        "locationId": "l&locationId=evil",
    }))
    .unwrap();
    let pairs: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("ids", "a=b&c=d"),
            ("ids", "#"),
            ("ids", ""),
            ("ids", "+ %"),
            ("locationId", "l&locationId=evil"),
            ("mode", "x&y=z"),
        ]
    );
    // The rate-limit key is the location as given: a key, never a header or a URL part.
    assert_eq!(request.rate_key, "l&locationId=evil");
    assert_eq!(request.version, "2021-07-28");
}

#[test]
fn null_location_is_the_default_and_null_arguments_are_not_sent_as_values() {
    let request = build(json!({
        "contactId": "c",
        "noteId": 1,
        "locationId": null,
        "ids": null,
        "body": null,
    }))
    .unwrap();
    assert_eq!(
        request.query,
        [
            ("locationId".to_string(), "loc".to_string()),
            ("mode".to_string(), "x&y=z".to_string())
        ]
    );
    // A body argument given as `null` passes as absent but is sent as given.
    assert_eq!(request.body, Some(json!({"body": null})));
    assert_eq!(request.rate_key, "loc");
}

#[test]
fn keys_with_dots_and_brackets_are_unknown_arguments() {
    for key in ["body.x", "ids[]", "kind.", "__proto__", ""] {
        let err = build(json!({"contactId": "c", "noteId": 1, key: "a"})).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{key}` is not an argument of this tool; expected one of: contactId, noteId, ids, locationId, body, kind, extra"
            )
        );
    }
}

#[test]
fn enums_are_checked_on_the_value_given() {
    let err = build(json!({"contactId": "c", "noteId": 1, "kind": "A"})).unwrap_err();
    assert_eq!(err.to_string(), "`kind` must be one of a, b, not \"A\"");
    let err = build(json!({"contactId": "c", "noteId": 1, "kind": "a\u{0}"})).unwrap_err();
    assert_eq!(err.to_string(), "`kind` must be one of a, b, not \"a\\0\"");
}

#[test]
fn deep_and_huge_values_pass_through_the_body_untouched() {
    let mut deep = json!("bottom");
    for _ in 0..100 {
        deep = json!([{ "a.b": deep }]);
    }
    let extra = json!({"deep": deep, "big": u64::MAX, "small": i64::MIN, "tiny": 5e-324});
    let request = build(json!({"contactId": "c", "noteId": 1, "extra": extra.clone()})).unwrap();
    assert_eq!(request.body, Some(json!({ "extra": extra })));
}

#[test]
fn wrong_shapes_name_the_first_bad_value() {
    let cases = [
        (json!([]), "arguments must be a JSON object, not an array"),
        (json!("x"), "arguments must be a JSON object, not a string"),
        (json!({"noteId": 1}), "`contactId` is required"),
        (
            json!({"contactId": "c", "noteId": 1, "ids": ["a", 1]}),
            "`ids[1]` must be a string, not a number (1)",
        ),
        (
            json!({"contactId": "c", "noteId": 1, "ids": "a"}),
            "`ids` must be an array, not a string (\"a\")",
        ),
        (
            json!({"contactId": "x".repeat(100), "noteId": "y".repeat(100)}),
            "`noteId` must be a number, not a string (\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…)",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(build(args).unwrap_err().to_string(), message);
    }
}
