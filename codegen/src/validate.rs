//! Checks a loaded spec set and reports every problem with its file, line, column and tool.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_saphyr::{Location, Spanned};

use crate::error::{SpecError, SpecErrors};
use crate::load::LoadedSpec;
use crate::spec::{Field, FieldType, Method, ParamIn, ToolSpec};

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
        if !is_name(&app.value, 64) {
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
        for (name, tool) in &spec.tools {
            let mut report = Reporter {
                file: &loaded.file,
                tool: Some(name),
                errors: report.errors,
            };
            if !is_name(name, 64) {
                report.at(
                    &tool.referenced,
                    "tool names must match ^[a-z0-9_]{1,64}$".to_string(),
                );
            }
            if let Some(other) = tools_seen.insert(name, &loaded.file) {
                report.at(
                    &tool.referenced,
                    format!("tool name is already used in {}", other.display()),
                );
            }
            check_tool(&mut report, &tool.referenced, &tool.value);
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

fn is_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
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
    if !shape_ok {
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
    match template_params(&path.value) {
        Err(message) => report.at(&path.referenced, message),
        Ok(placeholders) => {
            let placeholders: BTreeSet<&str> = placeholders.into_iter().collect();
            for name in &placeholders {
                match tool.params.get(*name) {
                    None => report.at(&path.referenced, format!("path parameter `{{{name}}}` is not declared in params (add `{name}: {{ in: path, type: string }}`)")),
                    Some(p) if p.value.location != Some(ParamIn::Path) => report.at(&p.referenced, format!("`{name}` is in the path template, so it needs `in: path`")),
                    Some(_) => {}
                }
            }
            for (name, param) in &tool.params {
                if param.value.location == Some(ParamIn::Path)
                    && !placeholders.contains(name.as_str())
                {
                    report.at(
                        &param.referenced,
                        format!(
                            "path parameter `{name}` does not appear in the path `{}`",
                            path.value
                        ),
                    );
                }
            }
        }
    }
    for (name, param) in &tool.params {
        let field = &param.value;
        match field.location {
            None => report.at(
                &param.referenced,
                format!("parameter `{name}` needs `in: path` or `in: query`"),
            ),
            Some(ParamIn::Path) => {
                if !matches!(
                    field.ty,
                    FieldType::String | FieldType::Integer | FieldType::Number
                ) {
                    report.at(
                        &param.referenced,
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
                        && field.items.as_ref().is_some_and(|i| scalar(i.value.ty)));
                if !ok {
                    report.at(
                        &param.referenced,
                        format!("query parameter `{name}` must be a scalar or an array of scalars"),
                    );
                }
            }
        }
        check_field(report, name, param, true);
    }
    if tool.method == Method::Get && (!tool.body.is_empty() || !tool.fixed.body.is_empty()) {
        report.at(at, "a GET tool cannot have a body".to_string());
    }
    for (name, field) in &tool.body {
        if tool.params.contains_key(name) {
            report.at(&field.referenced, format!("`{name}` is both a parameter and a body property; a tool's argument names must be unique"));
        }
        if field.value.location.is_some() {
            report.at(
                &field.referenced,
                format!("body property `{name}` cannot have `in` (only params can)"),
            );
        }
        check_field(report, name, field, true);
    }
    for name in tool.fixed.query.keys() {
        if tool.params.contains_key(name) {
            report.at(
                at,
                format!("fixed query value `{name}` is also a parameter; drop one of them"),
            );
        }
    }
    for name in tool.fixed.body.keys() {
        if tool.body.contains_key(name) {
            report.at(
                at,
                format!("fixed body value `{name}` is also a body property; drop one of them"),
            );
        }
    }
    for (name, value) in &tool.fixed.query {
        if value.is_object() || value.is_null() {
            report.at(
                at,
                format!("fixed query value `{name}` must be a scalar or an array"),
            );
        }
    }
}

fn check_field(report: &mut Reporter<'_>, name: &str, field: &Spanned<Field>, top_level: bool) {
    let (at, f) = (&field.referenced, &field.value);
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
        (FieldType::Array, None) => report.at(
            at,
            format!("`{name}`: an array needs `items` (use `items: {{ type: any }}` when unknown)"),
        ),
        (FieldType::Array, Some(items)) => check_field(report, &format!("{name}[]"), items, false),
        (_, Some(_)) => report.at(at, format!("`{name}`: only arrays have `items`")),
        (_, None) => {}
    }
    match (f.ty, &f.properties) {
        (FieldType::Object, Some(props)) => {
            for (prop, field) in props {
                if field.value.location.is_some() {
                    report.at(
                        &field.referenced,
                        format!("`{name}.{prop}` cannot have `in` (only params can)"),
                    );
                }
                check_field(report, &format!("{name}.{prop}"), field, false);
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
        let fits = match f.ty {
            FieldType::String => default.is_string(),
            FieldType::Integer => default.is_i64() || default.is_u64(),
            FieldType::Number => default.is_number(),
            FieldType::Boolean => default.is_boolean(),
            FieldType::Array => default.is_array(),
            FieldType::Object => default.is_object(),
            FieldType::Any => true,
        };
        if !fits {
            report.at(
                at,
                format!("`{name}`: default {default} is not a {}", f.ty.as_str()),
            );
        }
    }
}
