//! Argument validation: the generated typed structs, then the enum table.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::tool::EnumRule;

/// Why a tool's arguments were refused. Nothing is sent when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentError {
    /// The arguments are not a JSON object.
    #[error("arguments must be a JSON object, not {0}")]
    NotAnObject(&'static str),
    /// A value has the wrong type, is missing, or is not a known field.
    #[error("{}", invalid_message(.path, .reason))]
    Invalid {
        /// Where, as `a.b[0].c`; `.` for the arguments as a whole.
        path: String,
        /// What is wrong.
        reason: String,
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

fn invalid_message(path: &str, reason: &str) -> String {
    if path == "." || path.is_empty() {
        format!("invalid arguments: {reason}")
    } else {
        format!("invalid argument `{path}`: {reason}")
    }
}

/// Deserializes the arguments into the tool's typed parameter struct `T`, reporting the path
/// of the first value that does not fit.
pub fn check_args<T: DeserializeOwned>(args: &Value) -> Result<(), ArgumentError> {
    serde_path_to_error::deserialize::<_, T>(args)
        .map(drop)
        .map_err(|e| ArgumentError::Invalid {
            path: e.path().to_string(),
            reason: e.inner().to_string(),
        })
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
