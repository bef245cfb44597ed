//! Turning a tool's JSON arguments into an HTTP request, through its typed parameters.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use crate::args::{ArgumentError, check_enums, type_name};
use crate::tool::{Method, Place, ToolDef};

/// Everything but RFC 3986's unreserved characters is encoded, so a value is exactly one
/// path segment: `/`, `?`, `#`, `%`, spaces and non-ASCII never reach the URL raw.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The environment variable that provides the default location.
pub(crate) const LOCATION_VAR: &str = "GHL_LOCATION_ID";

/// A request ready to send: built and checked, nothing sent yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The tool it comes from.
    pub tool: &'static str,
    /// HTTP method.
    pub method: Method,
    /// The path with every parameter percent-encoded, such as `/contacts/a%2Fb`.
    pub path: String,
    /// Query pairs, in order; arrays repeat their key.
    pub query: Vec<(String, String)>,
    /// The JSON body, when the tool sends one.
    pub body: Option<Value>,
    /// The GHL `Version` header.
    pub version: &'static str,
    /// The rate-limit key: the location the request is for.
    pub rate_key: String,
    /// Sending it twice has the same effect as once.
    pub idempotent: bool,
    /// The OAuth scopes the tool needs, named when GHL refuses the token.
    pub scopes: &'static [&'static str],
}

impl ToolDef {
    /// Builds the request for `args`: fills `from: location` arguments from
    /// `default_location`, validates through the typed parameters and the enum table,
    /// then places each argument in the path, query or body.
    pub fn build_request(
        &self,
        args: Value,
        default_location: Option<&str>,
    ) -> Result<Request, ArgumentError> {
        let mut args = match args {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => return Err(ArgumentError::NotAnObject(type_name(&other))),
        };
        for arg in self.args.iter().filter(|a| a.from_location) {
            if args.get(arg.name).is_none_or(Value::is_null) {
                match default_location {
                    Some(location) => {
                        args.insert(arg.name.to_string(), Value::from(location));
                    }
                    None if arg.required => {
                        return Err(ArgumentError::MissingLocation {
                            field: arg.name,
                            var: LOCATION_VAR,
                        });
                    }
                    None => {}
                }
            }
        }
        let args = Value::Object(args);
        (self.validate)(&args)?;
        check_enums(&args, self.enums)?;
        let Value::Object(mut args) = args else {
            unreachable!("built as an object above")
        };

        let rate_key = args
            .get("locationId")
            .and_then(Value::as_str)
            .or(default_location)
            .unwrap_or("-")
            .to_string();
        let mut path_values = Vec::new();
        let mut query = Vec::new();
        let mut body = Map::new();
        for arg in self.args {
            let Some(value) = args.remove(arg.name) else {
                // The typed parameters refuse this already; a path parameter is checked here too,
                // so no request ever leaves with a `{placeholder}` in its path.
                if arg.place == Place::Path {
                    return Err(ArgumentError::Missing {
                        path: arg.name.to_string(),
                    });
                }
                continue;
            };
            match arg.place {
                Place::Path => path_values.push((arg.name, segment(arg.name, &value)?)),
                Place::Query => push_query(&mut query, arg.name, &value),
                Place::Body => {
                    body.insert(arg.name.to_string(), value);
                }
            }
        }
        for (key, value) in self.fixed_query {
            query.push(((*key).to_string(), (*value).to_string()));
        }
        // Fixed values are JSON the generator wrote; they win over nothing, since a fixed key is
        // never also an argument.
        if let Ok(Value::Object(fixed)) = serde_json::from_str::<Value>(self.fixed_body) {
            body.extend(fixed);
        }
        // POST, PUT and PATCH always carry a JSON object (GHL declares bodies even where they
        // are empty); a DELETE only when it has something to say; a GET never.
        let body = match self.method {
            Method::Get => None,
            Method::Delete if body.is_empty() => None,
            _ => Some(Value::Object(body)),
        };
        Ok(Request {
            tool: self.name,
            method: self.method,
            path: fill_template(self.path, &path_values),
            query,
            body,
            version: self.version,
            rate_key,
            idempotent: self.annotations.idempotent,
            scopes: self.scopes,
        })
    }
}

/// One path segment from a value: percent-encoded, never empty, `.` or `..`.
fn segment(name: &'static str, value: &Value) -> Result<String, ArgumentError> {
    let raw = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(ArgumentError::BadPathSegment {
                name,
                problem: "anything but a string or a number",
            });
        }
    };
    match raw.as_str() {
        "" => Err(ArgumentError::BadPathSegment {
            name,
            problem: "empty",
        }),
        "." | ".." => Err(ArgumentError::BadPathSegment {
            name,
            problem: "`.` or `..`",
        }),
        _ => Ok(utf8_percent_encode(&raw, SEGMENT).to_string()),
    }
}

fn fill_template(template: &str, values: &[(&str, String)]) -> String {
    let mut path = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        let name = &after[..close];
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, encoded)) => path.push_str(encoded),
            None => {
                path.push('{');
                path.push_str(name);
                path.push('}');
            }
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    path.push_str(rest);
    path
}

fn push_query(query: &mut Vec<(String, String)>, key: &str, value: &Value) {
    match value {
        Value::Null => {}
        Value::Array(items) => items.iter().for_each(|item| push_query(query, key, item)),
        Value::String(s) => query.push((key.to_string(), s.clone())),
        other => query.push((key.to_string(), other.to_string())),
    }
}
