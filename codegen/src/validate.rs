//! Checks a loaded spec set and reports every problem with its file, line, column and tool.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_saphyr::{Location, Spanned};

use crate::error::{SpecError, SpecErrors};
use crate::load::LoadedSpec;
use crate::model::resolve_annotations;
use crate::spec::{Entry, Field, FieldType, Method, ParamIn, ToolSpec};

/// Checks every spec; `Ok` when nothing is wrong, otherwise every error found.
pub fn validate(specs: &[LoadedSpec]) -> Result<(), SpecErrors> {
    let mut errors = Vec::new();
    let mut tools_seen: BTreeMap<&str, &Path> = BTreeMap::new();
    let mut apps_seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for loaded in specs {
        let mut report = Reporter {
            file: &loaded.file,
            tool: None,
            errors: &mut errors,
        };
        let spec = &loaded.spec;
        let app = &spec.app;
        if !is_name(&app.value) {
            report.at(
                &app.referenced,
                format!("app name `{}` must match ^[a-z0-9_]{{1,64}}$", app.value),
            );
        }
        if let Some(other) = apps_seen.insert(&app.value, &loaded.file) {
            report.at(
                &app.referenced,
                format!(
                    "app `{}` is already defined in {}",
                    app.value,
                    other.display()
                ),
            );
        }
        check_version(&mut report, &spec.version);
        if spec.tools.is_empty() {
            report.at(&app.referenced, "the file declares no tools".to_string());
        }
        for Entry { name, value: tool } in &spec.tools {
            let mut report = Reporter {
                file: &loaded.file,
                tool: Some(&name.value),
                errors: report.errors,
            };
            if !is_name(&name.value) {
                report.at(
                    &name.referenced,
                    "tool names must match ^[a-z0-9_]{1,64}$".to_string(),
                );
            }
            if let Some(other) = tools_seen.insert(&name.value, &loaded.file) {
                report.at(
                    &name.referenced,
                    format!("tool name is already used in {}", other.display()),
                );
            }
            check_tool(&mut report, &name.referenced, tool);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(SpecErrors(errors).sorted())
    }
}

struct Reporter<'a> {
    file: &'a Path,
    tool: Option<&'a str>,
    errors: &'a mut Vec<SpecError>,
}

impl Reporter<'_> {
    fn at(&mut self, location: &Location, message: String) {
        self.errors.push(SpecError {
            file: self.file.to_path_buf(),
            line: location.line(),
            column: location.column(),
            tool: self.tool.map(str::to_string),
            message,
        });
    }
}

/// App and tool names: `^[a-z0-9_]{1,64}$`.
fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_version(report: &mut Reporter<'_>, version: &Spanned<String>) {
    let v = version.value.as_bytes();
    let shape_ok = v.len() == 10
        && v.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let number = |range: std::ops::Range<usize>| {
        version.value.get(range).and_then(|s| s.parse::<u32>().ok())
    };
    let date_ok = shape_ok
        && number(5..7).is_some_and(|m| (1..=12).contains(&m))
        && number(8..10).is_some_and(|d| (1..=31).contains(&d));
    if !date_ok {
        report.at(
            &version.referenced,
            format!(
                "version `{}` must be a date such as \"2021-07-28\"",
                version.value
            ),
        );
    }
}

/// The `{name}` placeholders of a path template, in order.
pub(crate) fn template_params(path: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("path `{path}` has an unclosed `{{`"))?;
        let name = &after[..close];
        if name.is_empty() || name.contains(['{', '/']) {
            return Err(format!(
                "path `{path}` has a malformed placeholder `{{{name}}}`"
            ));
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("path `{path}` has an unmatched `}}`"));
    }
    Ok(names)
}

fn check_tool(report: &mut Reporter<'_>, at: &Location, tool: &ToolSpec) {
    if tool.summary.trim().is_empty() {
        report.at(at, "summary is empty".to_string());
    }
    if let Some(version) = &tool.version {
        check_version(report, version);
    }
    check_path(report, tool);
    let resolved = resolve_annotations(tool);
    if resolved.read_only && resolved.destructive {
        report.at(
            at,
            "annotations make the tool both read-only and destructive; a tool that only reads destroys nothing".to_string(),
        );
    }
    for Entry { name, value: field } in &tool.params {
        let (at, name) = (&name.referenced, name.value.as_str());
        match field.location {
            None => report.at(
                at,
                format!("parameter `{name}` needs `in: path` or `in: query`"),
            ),
            Some(ParamIn::Path) => {
                if !matches!(
                    field.ty,
                    FieldType::String | FieldType::Integer | FieldType::Number
                ) {
                    report.at(
                        at,
                        format!(
                            "path parameter `{name}` must be a string, integer or number, not {}",
                            field.ty.as_str()
                        ),
                    );
                }
            }
            Some(ParamIn::Query) => {
                let scalar = |t: FieldType| {
                    matches!(
                        t,
                        FieldType::String
                            | FieldType::Integer
                            | FieldType::Number
                            | FieldType::Boolean
                    )
                };
                let ok = scalar(field.ty)
                    || (field.ty == FieldType::Array
                        && field.items.as_ref().is_some_and(|i| scalar(i.ty)));
                if !ok {
                    report.at(
                        at,
                        format!("query parameter `{name}` must be a scalar or an array of scalars"),
                    );
                }
            }
        }
        check_step_name(report, at, name, name);
        check_field(report, at, name, field, true);
    }
    if tool.method == Method::Get && (!tool.body.is_empty() || !tool.fixed.body.is_empty()) {
        report.at(at, "a GET tool cannot have a body".to_string());
    }
    for Entry { name, value: field } in &tool.body {
        let (at, name) = (&name.referenced, name.value.as_str());
        if tool.params.contains_key(name) {
            report.at(at, format!("`{name}` is both a parameter and a body property; a tool's argument names must be unique"));
        }
        if field.location.is_some() {
            report.at(
                at,
                format!("body property `{name}` cannot have `in` (only params can)"),
            );
        }
        check_step_name(report, at, name, name);
        check_field(report, at, name, field, true);
    }
    for Entry { name, value } in &tool.fixed.query {
        if tool.params.contains_key(&name.value) {
            report.at(
                &name.referenced,
                format!(
                    "fixed query value `{}` is also a parameter; drop one of them",
                    name.value
                ),
            );
        }
        let scalar = |v: &serde_json::Value| !(v.is_object() || v.is_null() || v.is_array());
        let ok = match value {
            serde_json::Value::Array(items) => items.iter().all(scalar),
            other => scalar(other),
        };
        if !ok {
            report.at(
                &name.referenced,
                format!(
                    "fixed query value `{}` must be a scalar or an array of scalars",
                    name.value
                ),
            );
        }
    }
    for Entry { name, .. } in &tool.fixed.body {
        if tool.body.contains_key(&name.value) {
            report.at(
                &name.referenced,
                format!(
                    "fixed body value `{}` is also a body property; drop one of them",
                    name.value
                ),
            );
        }
    }
}

fn check_path(report: &mut Reporter<'_>, tool: &ToolSpec) {
    let path = &tool.path;
    if !path.value.starts_with('/') || path.value.contains(['?', '#', ' ']) {
        report.at(
            &path.referenced,
            format!(
                "path `{}` must start with `/` and hold no query, fragment or space",
                path.value
            ),
        );
    }
    // Found by fuzzing: the client builds the URL with `Url::set_path`, which percent-encodes
    // some characters (`"`, `<`, control characters, non-ASCII), reads `\` as `/` and drops
    // `.` and `..` segments, so such a template would send the request to a path other than
    // the one the spec and the docs show. Only what a URL path keeps as written may appear
    // (`?`, `#` and space are reported above).
    let kept = |c: char| c.is_ascii_alphanumeric() || "/{}-._~!$&'()*+,;=:@?# ".contains(c);
    if let Some(c) = path.value.chars().find(|c| !kept(*c)) {
        report.at(
            &path.referenced,
            format!(
                "path `{}` holds {c:?}; a path may only hold letters, digits, `/`, `{{placeholders}}` and - . _ ~ ! $ & ' ( ) * + , ; = : @",
                path.value.escape_debug()
            ),
        );
    }
    if path.value.split('/').any(|s| s == "." || s == "..") {
        report.at(
            &path.referenced,
            format!("path `{}` has a `.` or `..` segment", path.value),
        );
    }
    let placeholders: BTreeSet<&str> = match template_params(&path.value) {
        Ok(placeholders) => placeholders.into_iter().collect(),
        Err(message) => return report.at(&path.referenced, message),
    };
    for name in &placeholders {
        match tool.params.get(name) {
            None => report.at(
                &path.referenced,
                format!("path parameter `{{{name}}}` is not declared in params (add `{name}: {{ in: path, type: string }}`)"),
            ),
            Some(p) if p.value.location != Some(ParamIn::Path) => {
                report.at(&p.name.referenced, format!("`{name}` is in the path template, so it needs `in: path`"));
            }
            Some(_) => {}
        }
    }
    for Entry { name, value } in &tool.params {
        if value.location == Some(ParamIn::Path) && !placeholders.contains(name.value.as_str()) {
            report.at(
                &name.referenced,
                format!(
                    "path parameter `{}` does not appear in the path `{}`",
                    name.value, path.value
                ),
            );
        }
    }
}

/// A parameter, body property or nested property name holds no `.`, `[` or `]`: those
/// separate the steps of the paths that the enum table and the docs use (`items[].kind`).
/// Found while writing the fuzz oracle: with a property `a.b`, the runtime looked for the
/// enum at `a` → `b`, found nothing there, and so never checked the value.
fn check_step_name(report: &mut Reporter<'_>, at: &Location, path: &str, name: &str) {
    if name.contains(['.', '[', ']']) {
        report.at(
            at,
            format!("`{path}`: a name cannot hold `.`, `[` or `]` (they separate the steps of paths such as `items[].kind`)"),
        );
    }
}

/// Checks one field and everything under it; `at` is where its name was written (array items
/// have no name of their own and report at their array's).
fn check_field(report: &mut Reporter<'_>, at: &Location, name: &str, f: &Field, top_level: bool) {
    if let Some(values) = &f.allowed {
        if f.ty != FieldType::String {
            report.at(
                at,
                format!(
                    "`{name}`: enum is only allowed on strings, not {}",
                    f.ty.as_str()
                ),
            );
        } else if values.is_empty() {
            report.at(at, format!("`{name}`: enum lists no values"));
        }
    }
    match (f.ty, &f.items) {
        (FieldType::Array, None) => {
            report.at(
                at,
                format!(
                    "`{name}`: an array needs `items` (use `items: {{ type: any }}` when unknown)"
                ),
            );
        }
        (FieldType::Array, Some(items)) => {
            if items.location.is_some() {
                report.at(
                    at,
                    format!("`{name}[]`: array items cannot have `in` (only params can)"),
                );
            }
            check_field(report, at, &format!("{name}[]"), items, false);
        }
        (_, Some(_)) => report.at(at, format!("`{name}`: only arrays have `items`")),
        (_, None) => {}
    }
    match (f.ty, &f.properties) {
        (FieldType::Object, Some(props)) => {
            for Entry { name: prop, value } in props {
                let (at, prop) = (&prop.referenced, prop.value.as_str());
                if value.location.is_some() {
                    report.at(
                        at,
                        format!("`{name}.{prop}` cannot have `in` (only params can)"),
                    );
                }
                let path = format!("{name}.{prop}");
                check_step_name(report, at, &path, prop);
                check_field(report, at, &path, value, false);
            }
        }
        (_, Some(_)) => report.at(at, format!("`{name}`: only objects have `properties`")),
        _ => {}
    }
    if f.from.is_some() {
        if !top_level {
            report.at(
                at,
                format!(
                    "`{name}`: `from` is only allowed on top-level parameters and body properties"
                ),
            );
        } else if f.ty != FieldType::String {
            report.at(at, format!("`{name}`: `from: location` needs type string"));
        }
    }
    if let Some(default) = &f.default {
        let fits = f.ty.admits(default);
        if !fits {
            report.at(
                at,
                format!("`{name}`: default {default} is not {}", f.ty.with_article()),
            );
        } else if let (Some(values), Some(default)) = (&f.allowed, default.as_str())
            && !values.iter().any(|v| v == default)
        {
            report.at(
                at,
                format!("`{name}`: default {default:?} is not one of its enum values"),
            );
        }
    }
}
