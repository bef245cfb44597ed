//! Argument validation: the generated typed structs, then the enum table.

use std::fmt;

pub use serde_json::{Map, Value};

use crate::tool::EnumRule;

/// Why a tool's arguments were refused. Nothing is sent when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentError {
    /// The arguments are not a JSON object.
    #[error("arguments must be a JSON object, not {0}")]
    NotAnObject(&'static str),
    /// A required value is missing.
    #[error("`{path}` is required")]
    Missing {
        /// Where, as `a.b[0].c`.
        path: String,
    },
    /// A value has the wrong type.
    #[error("`{path}` must be {expected}, not {found}")]
    WrongType {
        /// Where, as `a.b[0].c`.
        path: String,
        /// The type wanted, with its article.
        expected: &'static str,
        /// What was given.
        found: String,
    },
    /// A key the tool does not know.
    #[error("{}", unknown_message(.path, *.nested, .expected))]
    Unknown {
        /// Where, as `a.b[0].c`.
        path: String,
        /// Whether it is inside an argument rather than an argument itself.
        nested: bool,
        /// The known keys, comma separated.
        expected: String,
    },
    /// A string is not one of its allowed values.
    #[error("`{path}` must be one of {allowed}, not {got:?}")]
    NotAllowed {
        /// Where, as `a.b[0].c`.
        path: String,
        /// The value given.
        got: String,
        /// The allowed values, comma separated.
        allowed: String,
    },
    /// A location field was omitted and no default location is configured.
    #[error("`{field}` is required: pass it, or set {var} to use a default location")]
    MissingLocation {
        /// The argument's name.
        field: &'static str,
        /// The environment variable that provides the default.
        var: &'static str,
    },
    /// A path parameter would not be exactly one non-empty segment.
    #[error("path parameter `{name}` cannot be {problem}")]
    BadPathSegment {
        /// The argument's name.
        name: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}

fn unknown_message(path: &str, nested: bool, expected: &str) -> String {
    match (nested, expected.is_empty()) {
        (false, true) => format!("`{path}` is not an argument: this tool takes none"),
        (false, false) => {
            format!("`{path}` is not an argument of this tool; expected one of: {expected}")
        }
        (true, true) => format!("`{path}` is not a known field: this object has none"),
        (true, false) => format!("`{path}` is not a known field; expected one of: {expected}"),
    }
}

/// Where a value sits in the arguments: a chain of keys and indexes on the stack, written out
/// (`customFields[0].id`) only when there is an error to report.
#[derive(Debug, Clone, Copy)]
pub enum At<'a> {
    /// The arguments object itself.
    Root,
    /// A key of an object.
    Key(&'a At<'a>, &'a str),
    /// An item of an array.
    Index(&'a At<'a>, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root => Ok(()),
            At::Key(parent, key) => match parent {
                At::Root => f.write_str(key),
                _ => write!(f, "{parent}.{key}"),
            },
            At::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A value that can be read from tool arguments, with errors that say where and why.
///
/// Generated parameter structs implement it field by field (see `ghl-codegen`); it is a
/// deliberately small alternative to `serde::Deserialize`, whose derive costs too much build
/// time across hundreds of tools.
pub trait FromArgs: Sized {
    /// Reads `value`, found at `at`.
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError>;
}

fn wrong_type(at: At<'_>, expected: &'static str, found: &Value) -> ArgumentError {
    let shown = match found {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
            let text = found.to_string();
            if text.chars().count() > 40 {
                format!(
                    "{} ({}…)",
                    type_name(found),
                    text.chars().take(40).collect::<String>()
                )
            } else {
                format!("{} ({text})", type_name(found))
            }
        }
        _ => type_name(found).to_string(),
    };
    ArgumentError::WrongType {
        path: at.to_string(),
        expected,
        found: shown,
    }
}

impl FromArgs for String {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        value
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| wrong_type(at, "a string", value))
    }
}

impl FromArgs for i64 {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        value
            .as_i64()
            .ok_or_else(|| wrong_type(at, "an integer", value))
    }
}

impl FromArgs for f64 {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        value
            .as_f64()
            .ok_or_else(|| wrong_type(at, "a number", value))
    }
}

impl FromArgs for bool {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        value
            .as_bool()
            .ok_or_else(|| wrong_type(at, "a boolean", value))
    }
}

impl FromArgs for Value {
    fn from_args(value: &Value, _at: At<'_>) -> Result<Self, ArgumentError> {
        Ok(value.clone())
    }
}

impl FromArgs for Map<String, Value> {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        value
            .as_object()
            .cloned()
            .ok_or_else(|| wrong_type(at, "an object", value))
    }
}

impl<T: FromArgs> FromArgs for Vec<T> {
    fn from_args(value: &Value, at: At<'_>) -> Result<Self, ArgumentError> {
        let items = value
            .as_array()
            .ok_or_else(|| wrong_type(at, "an array", value))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_args(item, At::Index(&at, i)))
            .collect()
    }
}

/// The object at `at`, refusing keys outside `known`.
pub fn object<'v>(
    value: &'v Value,
    at: At<'_>,
    known: &[&str],
) -> Result<&'v Map<String, Value>, ArgumentError> {
    let object = value
        .as_object()
        .ok_or_else(|| wrong_type(at, "an object", value))?;
    if let Some(unknown) = object.keys().find(|key| !known.contains(&key.as_str())) {
        return Err(ArgumentError::Unknown {
            path: At::Key(&at, unknown).to_string(),
            nested: !matches!(at, At::Root),
            expected: known.join(", "),
        });
    }
    Ok(object)
}

/// A key the object must have.
pub fn required<T: FromArgs>(
    object: &Map<String, Value>,
    key: &str,
    at: At<'_>,
) -> Result<T, ArgumentError> {
    let at = At::Key(&at, key);
    match object.get(key) {
        None => Err(ArgumentError::Missing {
            path: at.to_string(),
        }),
        Some(value) => T::from_args(value, at),
    }
}

/// A key the object must have, whose value may be `null` (`None`).
pub fn required_nullable<T: FromArgs>(
    object: &Map<String, Value>,
    key: &str,
    at: At<'_>,
) -> Result<Option<T>, ArgumentError> {
    let at = At::Key(&at, key);
    match object.get(key) {
        None => Err(ArgumentError::Missing {
            path: at.to_string(),
        }),
        Some(Value::Null) => Ok(None),
        Some(value) => T::from_args(value, at).map(Some),
    }
}

/// A key the object may have; absent and `null` are both `None`.
pub fn optional<T: FromArgs>(
    object: &Map<String, Value>,
    key: &str,
    at: At<'_>,
) -> Result<Option<T>, ArgumentError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::from_args(value, At::Key(&at, key)).map(Some),
    }
}

/// Reads the arguments into the tool's typed parameter struct `T`.
pub fn check_args<T: FromArgs>(args: &Value) -> Result<(), ArgumentError> {
    T::from_args(args, At::Root).map(drop)
}

/// Checks every enum rule against the arguments.
pub(crate) fn check_enums(args: &Value, rules: &[EnumRule]) -> Result<(), ArgumentError> {
    for rule in rules {
        let steps: Vec<&str> = rule.path.split('.').collect();
        check_rule(args, &steps, String::new(), rule)?;
    }
    Ok(())
}

fn check_rule(
    value: &Value,
    steps: &[&str],
    at: String,
    rule: &EnumRule,
) -> Result<(), ArgumentError> {
    let Some((step, rest)) = steps.split_first() else {
        return match value {
            Value::String(s) if !rule.values.contains(&s.as_str()) => {
                Err(ArgumentError::NotAllowed {
                    path: at,
                    got: s.clone(),
                    allowed: rule.values.join(", "),
                })
            }
            _ => Ok(()),
        };
    };
    let (key, into_items) = match step.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (*step, false),
    };
    let at = if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    };
    let Some(child) = value.get(key) else {
        return Ok(());
    };
    if into_items {
        for (i, item) in child.as_array().into_iter().flatten().enumerate() {
            check_rule(item, rest, format!("{at}[{i}]"), rule)?;
        }
        Ok(())
    } else {
        check_rule(child, rest, at, rule)
    }
}

/// The JSON type of a value, for messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const RULES: &[EnumRule] = &[
        EnumRule {
            path: "status",
            values: &["open", "won"],
        },
        EnumRule {
            path: "items[].kind",
            values: &["a", "b"],
        },
        EnumRule {
            path: "tags[]",
            values: &["x"],
        },
    ];

    #[test]
    fn enum_errors_name_the_path_and_list_the_values() {
        let err = check_enums(&json!({"status": "lost"}), RULES).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`status` must be one of open, won, not \"lost\""
        );
        let err =
            check_enums(&json!({"items": [{"kind": "a"}, {"kind": "c"}]}), RULES).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`items[1].kind` must be one of a, b, not \"c\""
        );
        let err = check_enums(&json!({"tags": ["x", "y"]}), RULES).unwrap_err();
        assert_eq!(err.to_string(), "`tags[1]` must be one of x, not \"y\"");
    }

    #[test]
    fn allowed_and_absent_values_pass() {
        check_enums(
            &json!({"status": "won", "items": [{"kind": "b"}, {}], "tags": ["x"]}),
            RULES,
        )
        .unwrap();
        check_enums(&json!({}), RULES).unwrap();
    }
}
