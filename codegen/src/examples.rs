//! Example arguments built from a tool's input schema.
//!
//! The conformance test builds a request from them for every tool, so they include every
//! property, required or optional, and give each path parameter an id that only survives as
//! one path segment if it is percent-encoded ([`EXAMPLE_ID`]). The docs generator shows them
//! to people, so the values are plain and readable: `"example"`, `1`, `true`, a real-looking
//! email or date.
//!
//! The schemas are the generator's own (`crate::schema`): inline, no `$ref`; `type` is a name
//! or a list such as `["string", "null"]`; no `type` means any value.

use serde_json::{Map, Value, json};

/// The id every string path parameter gets: it holds `/`, `?`, `#`, `%`, spaces and a
/// non-ASCII letter, so it is exactly one path segment only once percent-encoded.
pub const EXAMPLE_ID: &str = "id/with ?#% é";

/// [`EXAMPLE_ID`] percent-encoded as one path segment (everything but RFC 3986's unreserved
/// characters encoded).
pub const EXAMPLE_ID_ENCODED: &str = "id%2Fwith%20%3F%23%25%20%C3%A9";

/// Example arguments for a tool whose input schema is `schema`.
///
/// Every property is included. A top-level string property named in `path_params` gets
/// [`EXAMPLE_ID`] (unless it has an `enum`: then its first value, which the tool accepts).
/// Otherwise: an enum gives its first value; a string gives `"example"`, or a value that fits
/// its `format` (`email`, `date-time`, `date`, `uri`/`url`); an integer `1`; a number `1.5`; a
/// boolean `true`; an array one example item; an object with properties recurses; a free-form
/// object `{"key": "value"}`; a value of any type `"example"`. The same schema always gives
/// the same arguments.
pub fn example_args(schema: &Value, path_params: &[&str]) -> Value {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return example_value(schema);
    };
    let args: Map<String, Value> = properties
        .iter()
        .map(|(name, property)| {
            let value = if path_params.contains(&name.as_str()) && takes_an_id(property) {
                Value::from(EXAMPLE_ID)
            } else {
                example_value(property)
            };
            (name.clone(), value)
        })
        .collect();
    Value::Object(args)
}

/// A path parameter takes [`EXAMPLE_ID`] when it is a string (or any value) without an enum.
fn takes_an_id(schema: &Value) -> bool {
    schema.get("enum").is_none() && matches!(main_type(schema), Some("string") | None)
}

/// An example value for one schema.
fn example_value(schema: &Value) -> Value {
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        // The first value; a nullable enum's `null` only when nothing else is allowed.
        if let Some(value) = values
            .iter()
            .find(|v| !v.is_null())
            .or_else(|| values.first())
        {
            return value.clone();
        }
    }
    match main_type(schema) {
        Some("string") => string_example(schema),
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => array_example(schema),
        Some("object") => object_example(schema),
        Some("null") => Value::Null,
        // No type: infer it from the keywords an object or array has, else any value.
        _ if schema.get("properties").is_some() => object_example(schema),
        _ if schema.get("items").is_some() => array_example(schema),
        _ => json!("example"),
    }
}

/// The schema's type: its `type` name, or the first non-`null` name of a `type` list (`null`
/// when it is the only one). `None` when there is no `type`.
fn main_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(name) => Some(name),
        Value::Array(names) => {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            names
                .iter()
                .find(|name| **name != "null")
                .or_else(|| names.first())
                .copied()
        }
        _ => None,
    }
}

fn string_example(schema: &Value) -> Value {
    let example = match schema.get("format").and_then(Value::as_str) {
        Some("email") => "a+b@example.com",
        Some("date-time") => "2026-01-02T03:04:05Z",
        Some("date") => "2026-01-02",
        Some("uri" | "url") => "https://example.com/x",
        _ => "example",
    };
    Value::from(example)
}

fn array_example(schema: &Value) -> Value {
    let item = match schema.get("items") {
        Some(items) => example_value(items),
        None => json!("example"),
    };
    Value::Array(vec![item])
}

fn object_example(schema: &Value) -> Value {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let object: Map<String, Value> = properties
            .iter()
            .map(|(name, property)| (name.clone(), example_value(property)))
            .collect();
        return Value::Object(object);
    }
    let value = match schema.get("additionalProperties") {
        Some(values @ Value::Object(_)) => example_value(values),
        _ => json!("value"),
    };
    json!({ "key": value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_gets_a_value_by_type() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": { "type": "string" },
                "count": { "type": "integer" },
                "ratio": { "type": "number" },
                "active": { "type": "boolean" },
                "anything": { "description": "any value" },
                "nothing": { "type": "null" }
            },
            "required": ["name"],
            "additionalProperties": false
        });
        assert_eq!(
            example_args(&schema, &[]),
            json!({
                "name": "example",
                "count": 1,
                "ratio": 1.5,
                "active": true,
                "anything": "example",
                "nothing": null
            })
        );
    }

    #[test]
    fn string_formats_get_values_that_fit() {
        let schema = json!({
            "type": "object",
            "properties": {
                "email": { "type": "string", "format": "email" },
                "at": { "type": "string", "format": "date-time" },
                "day": { "type": "string", "format": "date" },
                "link": { "type": "string", "format": "uri" },
                "website": { "type": "string", "format": "url" },
                "other": { "type": "string", "format": "phone" }
            }
        });
        assert_eq!(
            example_args(&schema, &[]),
            json!({
                "email": "a+b@example.com",
                "at": "2026-01-02T03:04:05Z",
                "day": "2026-01-02",
                "link": "https://example.com/x",
                "website": "https://example.com/x",
                "other": "example"
            })
        );
    }

    #[test]
    fn nullable_types_use_the_non_null_type() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": { "type": ["string", "null"] },
                "count": { "type": ["null", "integer"] },
                "email": { "type": ["string", "null"], "format": "email" },
                "items": { "type": ["array", "null"], "items": { "type": "boolean" } },
                "state": { "type": ["string", "null"], "enum": [null, "open", "closed"] }
            }
        });
        assert_eq!(
            example_args(&schema, &[]),
            json!({
                "name": "example",
                "count": 1,
                "email": "a+b@example.com",
                "items": [true],
                "state": "open"
            })
        );
    }

    #[test]
    fn enums_give_their_first_value() {
        let schema = json!({
            "type": "object",
            "properties": {
                "status": { "type": "string", "enum": ["open", "won", "lost"] },
                "size": { "type": "integer", "enum": [10, 20] },
                "fixed": { "const": "always" }
            }
        });
        assert_eq!(
            example_args(&schema, &[]),
            json!({ "status": "open", "size": 10, "fixed": "always" })
        );
    }

    #[test]
    fn path_parameters_get_an_id_that_needs_encoding() {
        let schema = json!({
            "type": "object",
            "properties": {
                "contactId": { "type": "string" },
                "noteId": { "description": "untyped" },
                "type": { "type": "string", "enum": ["add", "remove"] },
                "page": { "type": "integer" },
                "query": { "type": "string" }
            },
            "required": ["contactId", "noteId", "type"]
        });
        let args = example_args(&schema, &["contactId", "noteId", "type", "page"]);
        assert_eq!(
            args,
            json!({
                "contactId": EXAMPLE_ID,
                "noteId": EXAMPLE_ID,
                // An enum keeps a value the tool accepts; an integer stays an integer.
                "type": "add",
                "page": 1,
                "query": "example"
            })
        );
    }

    #[test]
    fn the_encoded_id_is_one_segment() {
        let encoded = EXAMPLE_ID_ENCODED;
        assert!(!encoded.contains(['/', '?', '#', ' ']));
        assert!(encoded.is_ascii());
        // Decoding gives the id back.
        let mut bytes = Vec::new();
        let mut rest = encoded.as_bytes();
        while let Some((&first, tail)) = rest.split_first() {
            if first == b'%' {
                let hex = std::str::from_utf8(&tail[..2]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[2..];
            } else {
                bytes.push(first);
                rest = tail;
            }
        }
        assert_eq!(String::from_utf8(bytes).unwrap(), EXAMPLE_ID);
    }

    #[test]
    fn nested_properties_are_not_path_parameters() {
        let schema = json!({
            "type": "object",
            "properties": {
                "contactId": { "type": "string" },
                "filter": {
                    "type": "object",
                    "properties": { "contactId": { "type": "string" } }
                }
            }
        });
        assert_eq!(
            example_args(&schema, &["contactId"]),
            json!({ "contactId": EXAMPLE_ID, "filter": { "contactId": "example" } })
        );
    }

    #[test]
    fn arrays_and_objects_recurse() {
        let schema = json!({
            "type": "object",
            "properties": {
                "tags": { "type": "array", "items": { "type": "string" } },
                "untypedItems": { "type": "array" },
                "customFields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": { "type": "string" },
                            "value": {}
                        },
                        "required": ["id"],
                        "additionalProperties": false
                    }
                },
                "address": {
                    "type": "object",
                    "properties": {
                        "city": { "type": "string" },
                        "geo": {
                            "type": "object",
                            "properties": { "lat": { "type": "number" } }
                        }
                    }
                },
                "metadata": { "type": "object" },
                "counts": { "type": "object", "additionalProperties": { "type": "integer" } },
                "implicitObject": { "properties": { "a": { "type": "boolean" } } },
                "implicitArray": { "items": { "type": "integer" } }
            }
        });
        assert_eq!(
            example_args(&schema, &[]),
            json!({
                "tags": ["example"],
                "untypedItems": ["example"],
                "customFields": [{ "id": "example", "value": "example" }],
                "address": { "city": "example", "geo": { "lat": 1.5 } },
                "metadata": { "key": "value" },
                "counts": { "key": 1 },
                "implicitObject": { "a": true },
                "implicitArray": [1]
            })
        );
    }

    #[test]
    fn a_schema_without_properties_gives_an_empty_or_plain_value() {
        let empty = json!({ "type": "object", "properties": {}, "additionalProperties": false });
        assert_eq!(example_args(&empty, &[]), json!({}));
        assert_eq!(example_args(&json!({}), &[]), json!("example"));
    }

    #[test]
    fn the_output_is_deterministic_and_keeps_property_names() {
        let schema = json!({
            "type": "object",
            "properties": {
                "zeta": { "type": "string" },
                "alpha": { "type": "array", "items": { "type": "object" } },
                "mid": { "type": "string", "format": "date" }
            }
        });
        let first = example_args(&schema, &["zeta"]);
        for _ in 0..3 {
            assert_eq!(example_args(&schema, &["zeta"]), first);
        }
        assert_eq!(
            first,
            json!({ "zeta": EXAMPLE_ID, "alpha": [{ "key": "value" }], "mid": "2026-01-02" })
        );
    }
}
