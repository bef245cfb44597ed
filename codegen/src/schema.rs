//! Each tool's JSON Schema, built at generation time and emitted as text.
//!
//! Schemas are inline (no `$ref`), their root is an object, every array has `items`, and
//! objects with declared properties refuse others, like the typed structs do.

use serde_json::{Map, Value, json};

use crate::model::{Arg, Tool};
use crate::spec::{Field, FieldType};

/// The environment variable `from: location` reads.
pub const LOCATION_VAR: &str = "GHL_LOCATION_ID";

/// The input schema of a tool's arguments.
pub fn input_schema(tool: &Tool<'_>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for arg in &tool.args {
        properties.insert(arg.name.to_string(), arg_schema(arg));
        if arg.required_of_caller() {
            required.push(Value::from(arg.name));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    Value::Object(schema)
}

fn arg_schema(arg: &Arg<'_>) -> Value {
    let mut schema = field_schema(arg.field);
    if arg.from_location() {
        let note = format!("Defaults to the configured location ({LOCATION_VAR}).");
        let description = match schema.get("description").and_then(Value::as_str) {
            Some(d) => format!("{d} {note}"),
            None => note,
        };
        schema.insert("description".into(), description.into());
    }
    Value::Object(schema)
}

/// The schema of one field, recursively.
pub fn field_schema(field: &Field) -> Map<String, Value> {
    let mut schema = Map::new();
    match (field.ty, field.nullable) {
        (FieldType::Any, _) => {}
        (ty, false) => {
            schema.insert("type".into(), ty.as_str().into());
        }
        (ty, true) => {
            schema.insert("type".into(), json!([ty.as_str(), "null"]));
        }
    }
    if let Some(description) = &field.description {
        schema.insert("description".into(), description.trim().into());
    }
    if let Some(format) = &field.format {
        schema.insert("format".into(), format.as_str().into());
    }
    if let Some(values) = &field.allowed {
        schema.insert("enum".into(), json!(values));
    }
    if let Some(default) = &field.default {
        schema.insert("default".into(), default.clone());
    }
    if let Some(items) = &field.items {
        schema.insert("items".into(), Value::Object(field_schema(items)));
    }
    if let Some(props) = &field.properties {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for entry in props {
            let name = entry.name.value.as_str();
            properties.insert(name.to_string(), Value::Object(field_schema(&entry.value)));
            if entry.value.required {
                required.push(Value::from(name));
            }
        }
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required));
        }
        schema.insert("additionalProperties".into(), false.into());
    }
    schema
}
