//! The resolved view of a tool that generators read: defaults applied, arguments in one list.

use std::path::PathBuf;

use crate::load::LoadedSpec;
use crate::spec::{Field, Method, ParamIn, Source, ToolSpec};

/// One app: a spec file's tools, resolved.
#[derive(Debug)]
pub struct App<'a> {
    /// The app's name.
    pub name: &'a str,
    /// What the app covers.
    pub description: &'a str,
    /// The spec file it came from.
    pub file: &'a PathBuf,
    /// Its tools, sorted by name.
    pub tools: Vec<Tool<'a>>,
}

/// One tool with every default resolved.
#[derive(Debug)]
pub struct Tool<'a> {
    /// Tool name.
    pub name: &'a str,
    /// App name.
    pub app: &'a str,
    /// The spec as written.
    pub spec: &'a ToolSpec,
    /// The `Version` header it sends.
    pub version: &'a str,
    /// Annotations after overrides.
    pub annotations: Annotations,
    /// Every argument the caller may give: path, query, then body, each sorted by name.
    pub args: Vec<Arg<'a>>,
}

/// Hints for clients, and for the runtime's retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    /// Only reads.
    pub read_only: bool,
    /// May destroy or overwrite data.
    pub destructive: bool,
    /// Repeating it has no further effect.
    pub idempotent: bool,
}

impl Annotations {
    /// What a method implies: GET reads; PUT and DELETE are idempotent; PUT, PATCH and DELETE
    /// overwrite or remove.
    pub fn from_method(method: Method) -> Self {
        let (read_only, destructive, idempotent) = match method {
            Method::Get => (true, false, true),
            Method::Post => (false, false, false),
            Method::Put => (false, true, true),
            Method::Patch => (false, true, false),
            Method::Delete => (false, true, true),
        };
        Annotations {
            read_only,
            destructive,
            idempotent,
        }
    }
}

/// Where an argument goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A top-level property of the JSON body.
    Body,
}

/// One top-level argument of a tool.
#[derive(Debug)]
pub struct Arg<'a> {
    /// Its JSON name.
    pub name: &'a str,
    /// Where it goes.
    pub place: Place,
    /// Its field spec.
    pub field: &'a Field,
}

impl Arg<'_> {
    /// Filled from the configured location when omitted.
    pub fn from_location(&self) -> bool {
        self.field.from == Some(Source::Location)
    }

    /// The caller must give it: path parameters and required fields, unless filled from the
    /// configured location.
    pub fn required_of_caller(&self) -> bool {
        (self.place == Place::Path || self.field.required) && !self.from_location()
    }
}

/// Resolves validated specs into apps, sorted by app name.
pub fn resolve(specs: &[LoadedSpec]) -> Vec<App<'_>> {
    let mut apps: Vec<App<'_>> = specs
        .iter()
        .map(|loaded| {
            let spec = &loaded.spec;
            let tools = spec
                .tools
                .iter()
                .map(|entry| {
                    let (name, tool) = (&entry.name.value, &entry.value);
                    resolve_tool(&spec.app.value, &spec.version.value, name, tool)
                })
                .collect();
            App {
                name: &spec.app.value,
                description: &spec.description,
                file: &loaded.file,
                tools,
            }
        })
        .collect();
    apps.sort_by(|a, b| a.name.cmp(b.name));
    apps
}

/// A tool's annotations: the method's defaults, then the spec's overrides. Saying `read_only`
/// also clears `destructive` and implies `idempotent` unless those are given.
pub fn resolve_annotations(spec: &ToolSpec) -> Annotations {
    let mut annotations = Annotations::from_method(spec.method);
    let o = &spec.annotations;
    if let Some(read_only) = o.read_only {
        annotations.read_only = read_only;
        if read_only {
            annotations.destructive = false;
        }
    }
    annotations.destructive = o.destructive.unwrap_or(annotations.destructive);
    annotations.idempotent = o
        .idempotent
        .unwrap_or(annotations.idempotent || annotations.read_only);
    annotations
}

fn resolve_tool<'a>(app: &'a str, version: &'a str, name: &'a str, spec: &'a ToolSpec) -> Tool<'a> {
    let annotations = resolve_annotations(spec);
    let mut args: Vec<Arg<'a>> = spec
        .params
        .iter()
        .map(|entry| {
            let place = match entry.value.location {
                Some(ParamIn::Path) => Place::Path,
                _ => Place::Query,
            };
            Arg {
                name: &entry.name.value,
                place,
                field: &entry.value,
            }
        })
        .chain(spec.body.iter().map(|entry| Arg {
            name: &entry.name.value,
            place: Place::Body,
            field: &entry.value,
        }))
        .collect();
    args.sort_by(|a, b| (a.place, a.name).cmp(&(b.place, b.name)));
    Tool {
        name,
        app,
        spec,
        version: spec.version.as_ref().map_or(version, |v| &v.value),
        annotations,
        args,
    }
}
