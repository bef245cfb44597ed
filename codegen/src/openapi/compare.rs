//! How an existing (curated) spec and an import of the same official file differ, operation by
//! operation.

use std::collections::BTreeMap;
use std::fmt;

use crate::spec::{AppSpec, Entries, Field, Method, ParamIn, ToolSpec};

/// What kind of difference a [`Difference`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DifferenceKind {
    /// The operation has a tool in the existing spec only.
    OnlyInExisting,
    /// The operation has a tool in the import only.
    OnlyInImported,
    /// The same operation's tool has another name.
    Name,
    /// The same operation's tool sends another `Version`.
    Version,
    /// The same operation's tool lists other scopes.
    Scopes,
    /// One side marks the tool deprecated and the other does not.
    Deprecated,
    /// A parameter is only on one side, or differs in place, type or `required`.
    Param,
    /// A top-level body property is only on one side, or differs in type or `required`.
    Body,
}

/// One difference between an existing spec and an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What kind of difference it is.
    pub kind: DifferenceKind,
    /// The operation's method.
    pub method: Method,
    /// The operation's path template.
    pub path: String,
    /// The tool's name in the existing spec, when it has one there.
    pub existing: Option<String>,
    /// The tool's name in the import, when it has one there.
    pub imported: Option<String>,
    /// The difference in one line, for people.
    pub description: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

type Key<'a> = (&'a str, &'a str);

/// A tool of a spec with its name.
type Named<'a> = (&'a str, &'a ToolSpec);

fn by_operation(spec: &AppSpec) -> BTreeMap<Key<'_>, Vec<Named<'_>>> {
    let mut map: BTreeMap<Key<'_>, Vec<Named<'_>>> = BTreeMap::new();
    for entry in &spec.tools {
        let tool = &entry.value;
        map.entry((tool.path.value.as_str(), tool.method.as_str()))
            .or_default()
            .push((entry.name.value.as_str(), tool));
    }
    map
}

/// Every difference between `existing` and `imported`, matched by (method, path), sorted by
/// path and method. Tools that match in name, version, scopes, deprecation and in the names,
/// places, types and `required` flags of their parameters and top-level body properties give
/// none. Parameters and body properties the existing tool sends as `fixed` values are not
/// reported missing.
pub fn compare(existing: &AppSpec, imported: &AppSpec) -> Vec<Difference> {
    let left = by_operation(existing);
    let right = by_operation(imported);
    let mut keys: Vec<Key<'_>> = left.keys().chain(right.keys()).copied().collect();
    keys.sort_unstable();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let ours = left.get(&key).map_or(&[][..], Vec::as_slice);
        let theirs = right.get(&key).map_or(&[][..], Vec::as_slice);
        let Some(method) = ours.first().or(theirs.first()).map(|(_, tool)| tool.method) else {
            continue;
        };
        let mut report = Report {
            out: &mut out,
            method,
            path: key.0,
        };
        for (ours, theirs) in pair(ours, theirs) {
            match (ours, theirs) {
                (Some((name, _)), None) => report.push(
                    DifferenceKind::OnlyInExisting,
                    Some(name),
                    None,
                    format!("only in the existing spec, as `{name}`"),
                ),
                (None, Some((name, _))) => report.push(
                    DifferenceKind::OnlyInImported,
                    None,
                    Some(name),
                    format!("only in the import, as `{name}`"),
                ),
                (Some(a), Some(b)) => compare_tools(&mut report, existing, a, imported, b),
                (None, None) => {}
            }
        }
    }
    out
}

/// Pairs the tools of one operation: same names first, then in order. When one side has a
/// single tool, every tool of the other side is compared with it (a curated spec may split an
/// operation into tools with different `fixed` values).
fn pair<'a>(
    ours: &[Named<'a>],
    theirs: &[Named<'a>],
) -> Vec<(Option<Named<'a>>, Option<Named<'a>>)> {
    match (ours, theirs) {
        (_, [one]) if !ours.is_empty() => ours.iter().map(|o| (Some(*o), Some(*one))).collect(),
        ([one], _) if !theirs.is_empty() => theirs.iter().map(|t| (Some(*one), Some(*t))).collect(),
        _ => {
            let mut pairs = Vec::new();
            let mut rest_theirs: Vec<_> = theirs.to_vec();
            let mut rest_ours = Vec::new();
            for o in ours {
                match rest_theirs.iter().position(|t| t.0 == o.0) {
                    Some(at) => pairs.push((Some(*o), Some(rest_theirs.remove(at)))),
                    None => rest_ours.push(*o),
                }
            }
            let mut rest_theirs = rest_theirs.into_iter();
            for o in rest_ours {
                pairs.push((Some(o), rest_theirs.next()));
            }
            pairs.extend(rest_theirs.map(|t| (None, Some(t))));
            pairs
        }
    }
}

struct Report<'o, 'k> {
    out: &'o mut Vec<Difference>,
    method: Method,
    path: &'k str,
}

impl Report<'_, '_> {
    fn push(
        &mut self,
        kind: DifferenceKind,
        existing: Option<&str>,
        imported: Option<&str>,
        what: String,
    ) {
        let tool = match (existing, imported) {
            (Some(a), Some(b)) if a == b => format!(" (`{a}`)"),
            (Some(a), Some(b)) => format!(" (`{a}` / `{b}`)"),
            _ => String::new(),
        };
        self.out.push(Difference {
            kind,
            method: self.method,
            path: self.path.to_string(),
            existing: existing.map(str::to_string),
            imported: imported.map(str::to_string),
            description: format!("{} {}{tool}: {what}", self.method.as_str(), self.path),
        });
    }
}

fn compare_tools(
    report: &mut Report<'_, '_>,
    existing: &AppSpec,
    (a_name, a): Named<'_>,
    imported: &AppSpec,
    (b_name, b): Named<'_>,
) {
    let names = (Some(a_name), Some(b_name));
    if a_name != b_name {
        report.push(
            DifferenceKind::Name,
            names.0,
            names.1,
            format!("named `{a_name}` in the existing spec, `{b_name}` in the import"),
        );
    }
    let version = |spec: &AppSpec, tool: &ToolSpec| {
        tool.version
            .as_ref()
            .map_or_else(|| spec.version.value.clone(), |v| v.value.clone())
    };
    let (va, vb) = (version(existing, a), version(imported, b));
    if va != vb {
        report.push(
            DifferenceKind::Version,
            names.0,
            names.1,
            format!("version {va} in the existing spec, {vb} in the import"),
        );
    }
    if a.scopes != b.scopes {
        report.push(
            DifferenceKind::Scopes,
            names.0,
            names.1,
            format!(
                "scopes [{}] in the existing spec, [{}] in the import",
                a.scopes.join(", "),
                b.scopes.join(", ")
            ),
        );
    }
    if a.deprecated != b.deprecated {
        let side = if a.deprecated {
            "the existing spec"
        } else {
            "the import"
        };
        report.push(
            DifferenceKind::Deprecated,
            names.0,
            names.1,
            format!("deprecated only in {side}"),
        );
    }
    let fixed_query = |name: &str| a.fixed.query.contains_key(name);
    let fixed_body = |name: &str| a.fixed.body.contains_key(name);
    compare_fields(
        report,
        names,
        DifferenceKind::Param,
        "parameter",
        &a.params,
        &b.params,
        &fixed_query,
    );
    compare_fields(
        report,
        names,
        DifferenceKind::Body,
        "body property",
        &a.body,
        &b.body,
        &fixed_body,
    );
}

fn compare_fields(
    report: &mut Report<'_, '_>,
    names: (Option<&str>, Option<&str>),
    kind: DifferenceKind,
    what: &str,
    ours: &Entries<Field>,
    theirs: &Entries<Field>,
    fixed: &dyn Fn(&str) -> bool,
) {
    let mut push = |message: String| report.push(kind, names.0, names.1, message);
    for entry in ours {
        let name = entry.name.value.as_str();
        let a = &entry.value;
        let Some(b) = theirs.get(name).map(|e| &e.value) else {
            push(format!("{what} `{name}` only in the existing spec"));
            continue;
        };
        if a.location != b.location {
            push(format!(
                "{what} `{name}` is {} in the existing spec, {} in the import",
                place(a.location),
                place(b.location)
            ));
        }
        if a.ty != b.ty {
            push(format!(
                "{what} `{name}` is {} in the existing spec, {} in the import",
                a.ty.with_article(),
                b.ty.with_article()
            ));
        }
        let required = |f: &Field| f.required || f.location == Some(ParamIn::Path);
        if required(a) != required(b) {
            let (x, y) = if required(a) {
                ("required", "optional")
            } else {
                ("optional", "required")
            };
            push(format!(
                "{what} `{name}` is {x} in the existing spec, {y} in the import"
            ));
        }
    }
    for entry in theirs {
        let name = entry.name.value.as_str();
        if !ours.contains_key(name) && !fixed(name) {
            push(format!("{what} `{name}` only in the import"));
        }
    }
}

fn place(location: Option<ParamIn>) -> &'static str {
    match location {
        Some(ParamIn::Path) => "in the path",
        Some(ParamIn::Query) => "in the query",
        None => "in no place",
    }
}
