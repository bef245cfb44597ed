//! Importing GHL's official OpenAPI v2 files into spec files.
//!
//! [`import_file`] reads one `apps/<app>.json` (and every file its `$ref`s name, such as
//! `../common/common-schemas.json`), converts each operation into a tool, and returns the spec
//! as YAML text together with what it converted, what it could not ([`Skipped`], with the
//! reason) and what is worth a look ([`Note`]). The YAML is checked with
//! [`load::parse`](crate::load::parse) and [`validate`](crate::validate::validate) before it is
//! returned: the importer never hands back a spec that would fail the build.
//!
//! The conversion, in brief:
//!
//! - `$ref`s are resolved (local and in other files), `allOf` members merged, `oneOf`/`anyOf`
//!   become `type: any` with the alternatives named in the description, and recursion or
//!   nesting deeper than 6 levels becomes `type: any`.
//! - Path parameters are the `{…}` placeholders of the template (declared or not); a declared
//!   path parameter that is not in the template is dropped. The `Version` header parameter
//!   becomes `version` (the file's is the most common one), `Authorization` is dropped, and
//!   other header or cookie parameters are dropped with a note.
//! - Every string `locationId` parameter or top-level body property gets `from: location`.
//! - Summaries and descriptions are reduced from HTML to plain text; enums (on strings),
//!   nullables, formats, valid defaults, nested objects and arrays are carried over.
//! - Tool names come from `operationId`s in snake_case, unique across apps
//!   ([`ImportOptions::taken_names`]) and at most 64 characters.
//! - Bodies that are not JSON objects (multipart uploads, form-encoded, arrays) are skipped,
//!   with the reason.
//!
//! [`compare`] lists how a curated spec and a (re-)import of the same file differ.

mod compare;
mod convert;
mod names;
mod resolve;
mod text;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::SpecErrors;
use crate::load::{LoadedSpec, parse};
use crate::spec::Method;
use crate::validate::validate;

pub use compare::{Difference, DifferenceKind, compare};
pub use text::{plain, snake};

use convert::{Converter, OutTool};
use names::Namer;
use resolve::{Docs, Reader};

/// The `Version` header used when an operation declares none.
pub const DEFAULT_VERSION: &str = "2021-07-28";

/// The end of every imported spec's first line, `# Imported from <file name> ` + this.
pub const HEADER_COMMENT: &str =
    "by ghl-mcp import-openapi; curate freely, re-imports write beside this file.";

/// The reason given for operations whose body is `multipart/form-data`.
pub const MULTIPART_REASON: &str =
    "multipart upload: ghl-mcp tools take JSON; upload files through GHL's UI or a direct API call";

/// How to import a file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The app name; by default the file name in snake_case (`ad-manager.json` → `ad_manager`).
    pub app: Option<String>,
    /// Tool names already used by other apps' tools; an imported tool never takes one.
    pub taken_names: BTreeSet<String>,
}

/// The result of importing one OpenAPI file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The app name.
    pub app: String,
    /// The spec file's text; it passes `load::parse` and `validate::validate`.
    pub yaml: String,
    /// The tools of the spec, sorted by name.
    pub tools: Vec<ImportedTool>,
    /// The operations that could not be converted, by path (then method), with the reason.
    pub skipped: Vec<Skipped>,
    /// Conversions worth a look, by tool name.
    pub notes: Vec<Note>,
}

/// One tool of an imported spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTool {
    /// The tool name.
    pub name: String,
    /// The operation's method.
    pub method: Method,
    /// The operation's path template.
    pub path: String,
    /// The official `operationId`, when there is one.
    pub operation_id: Option<String>,
}

/// An operation the importer could not convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The method, in upper case (it may be one the spec format does not have, such as `HEAD`).
    pub method: String,
    /// The operation's path template.
    pub path: String,
    /// The official `operationId`, when there is one.
    pub operation_id: Option<String>,
    /// Why it was not converted, in a sentence.
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.method, self.path, self.reason)
    }
}

/// A conversion worth a look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The tool it is about.
    pub tool: String,
    /// What kind of conversion it is.
    pub kind: NoteKind,
    /// What was done, in a sentence.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.tool, self.message)
    }
}

/// The kinds of [`Note`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteKind {
    /// The operation has no `operationId`; the tool is named from its method and path.
    NoOperationId,
    /// The name the `operationId` gives was taken; the tool got a prefixed or numbered one.
    NameCollision,
    /// The operation declares no `Version` header; the default version is used.
    NoVersion,
    /// A `{placeholder}` of the path is not declared; it is declared as a string.
    UndeclaredPathParam,
    /// A `{placeholder}` of the path is declared as a query parameter; it is made a path one.
    PathParamDeclaredInQuery,
    /// A declared path parameter is not in the template; it is dropped.
    DroppedPathParam,
    /// A path parameter is not a string, integer or number; it is made a string.
    PathParamType,
    /// A header or cookie parameter other than `Version` and `Authorization` is dropped.
    DroppedHeader,
    /// A parameter is declared twice; the first one is kept.
    DuplicateParam,
    /// A query parameter is not a scalar or an array of scalars; it is made a string.
    QueryNotScalar,
    /// A query array is sent comma-separated (`explode: false`); it is made a string.
    QueryNotExploded,
    /// A body property has the name of a parameter; the body property is dropped.
    BodyParamClash,
    /// The JSON body declares no properties; the tool sends `{}`.
    EmptyBody,
    /// A `GET` operation declares a body; it is dropped.
    GetBody,
    /// A field's `oneOf`/`anyOf` is typed `any`, the alternatives named in its description.
    Alternatives,
    /// A schema refers back to one that encloses it; the field is typed `any`.
    Recursive,
    /// A field is nested deeper than 6 levels; it is typed `any`.
    DepthCapped,
    /// A field's `type` is not one OpenAPI has; it is typed `any`.
    UnknownType,
    /// An enum on a type other than string is written in the description instead.
    EnumInDescription,
    /// Enum values that are lists or objects are dropped.
    DroppedEnum,
    /// A default that is not of the field's type (or not one of its enum values) is dropped.
    DroppedDefault,
    /// `required` names a property the object does not have.
    RequiredNotAProperty,
}

impl NoteKind {
    /// A short name for the kind, for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::NoOperationId => "no operationId",
            NoteKind::NameCollision => "name collision",
            NoteKind::NoVersion => "no Version header",
            NoteKind::UndeclaredPathParam => "undeclared path parameter",
            NoteKind::PathParamDeclaredInQuery => "path parameter declared in query",
            NoteKind::DroppedPathParam => "declared path parameter not in the path",
            NoteKind::PathParamType => "path parameter type",
            NoteKind::DroppedHeader => "header or cookie parameter dropped",
            NoteKind::DuplicateParam => "parameter declared twice",
            NoteKind::QueryNotScalar => "query parameter made a string",
            NoteKind::QueryNotExploded => "comma-separated query array",
            NoteKind::BodyParamClash => "body property named like a parameter",
            NoteKind::EmptyBody => "JSON body without properties",
            NoteKind::GetBody => "body on GET dropped",
            NoteKind::Alternatives => "oneOf/anyOf typed any",
            NoteKind::Recursive => "recursive schema typed any",
            NoteKind::DepthCapped => "nested deeper than 6 levels",
            NoteKind::UnknownType => "unknown type",
            NoteKind::EnumInDescription => "non-string enum in the description",
            NoteKind::DroppedEnum => "enum of lists or objects dropped",
            NoteKind::DroppedDefault => "default dropped",
            NoteKind::RequiredNotAProperty => "required names no property",
        }
    }
}

impl fmt::Display for NoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file could not be imported at all. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The OpenAPI file cannot be read.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file a `$ref` names cannot be read.
    #[error("{}: cannot read {}, which a $ref names: {source}", file.display(), target.display())]
    ReadRef {
        /// The file holding the `$ref`.
        file: PathBuf,
        /// The file it names.
        target: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file is not valid JSON.
    #[error("{}: not valid JSON: {source}", file.display())]
    Json {
        /// The file.
        file: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The file is JSON but not an OpenAPI 3 document.
    #[error("{}: not an OpenAPI 3 document: {reason}", file.display())]
    NotOpenApi {
        /// The file.
        file: PathBuf,
        /// What is missing or wrong.
        reason: String,
    },
    /// The app name (given, or derived from the file name) is not a valid app name.
    #[error("{}: app name `{app}` must match ^[a-z0-9_]{{1,64}}$", file.display())]
    AppName {
        /// The file.
        file: PathBuf,
        /// The name.
        app: String,
    },
    /// No operation could be converted, so there is no spec to write.
    #[error("{}: no operation could be converted: {}", file.display(), list(skipped))]
    NoTools {
        /// The file.
        file: PathBuf,
        /// Every operation, with why it was skipped.
        skipped: Vec<Skipped>,
    },
    /// The spec the importer wrote does not pass the spec checks (a bug in the importer).
    #[error("{}: the imported spec fails the spec checks (an importer bug):\n{errors}", file.display())]
    InvalidOutput {
        /// The file.
        file: PathBuf,
        /// What the checks said.
        errors: SpecErrors,
        /// The spec text that failed.
        yaml: String,
    },
}

fn list(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        return "the file has no operations".to_string();
    }
    skipped
        .iter()
        .map(Skipped::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Imports one OpenAPI file, reading it and the files its `$ref`s name from disk.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    import_with(path, options, &mut |file: &Path| {
        std::fs::read_to_string(file)
    })
}

/// Imports one OpenAPI file, reading it and the files its `$ref`s name with `read` (which gets
/// `path` and paths relative to it, normalized without touching the file system).
pub fn import_with(
    path: &Path,
    options: &ImportOptions,
    read: &mut dyn FnMut(&Path) -> io::Result<String>,
) -> Result<Imported, ImportError> {
    let reader: &mut Reader<'_> = read;
    let docs = Docs::load(path, reader)?;
    let not_openapi = |reason: &str| ImportError::NotOpenApi {
        file: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let (root_file, root) = docs
        .root(path)
        .ok_or_else(|| not_openapi("the file was not read"))?;
    let version = root.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with('3') {
        return Err(not_openapi("no `openapi: 3.x` key"));
    }
    let paths = root
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| not_openapi("no `paths` object"))?;

    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let app = match &options.app {
        Some(app) => app.clone(),
        None => {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            snake(&stem.unwrap_or_default())
        }
    };
    if !names::is_name(&app) {
        return Err(ImportError::AppName {
            file: path.to_path_buf(),
            app,
        });
    }

    let mut converter = Converter::new(&docs, root_file, root);
    let mut converted: Vec<OutTool> = Vec::new();
    let mut skipped = Vec::new();
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (key, op) in item {
            let Some(op) = op.as_object() else {
                continue;
            };
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string);
            let method = match key.as_str() {
                "get" => Method::Get,
                "post" => Method::Post,
                "put" => Method::Put,
                "patch" => Method::Patch,
                "delete" => Method::Delete,
                "head" | "options" | "trace" => {
                    skipped.push(Skipped {
                        method: key.to_uppercase(),
                        path: template.clone(),
                        operation_id,
                        reason: format!(
                            "method {} is not one a tool can use (GET, POST, PUT, PATCH, DELETE)",
                            key.to_uppercase()
                        ),
                    });
                    continue;
                }
                _ => continue,
            };
            match converter.operation(template, method, op, item) {
                Ok(tool) => converted.push(tool),
                Err(reason) => skipped.push(Skipped {
                    method: method.as_str().to_string(),
                    path: template.clone(),
                    operation_id,
                    reason,
                }),
            }
        }
    }
    if converted.is_empty() {
        return Err(ImportError::NoTools {
            file: path.to_path_buf(),
            skipped,
        });
    }

    // Names, in the file's order: the first operation to want a name gets it.
    let mut namer = Namer::new(&app, &options.taken_names);
    let mut notes = Vec::new();
    let mut named: BTreeMap<String, OutTool> = BTreeMap::new();
    for tool in converted {
        let (name, name_notes) = namer.claim(tool.operation_id.as_deref(), tool.method, &tool.path);
        notes.extend(
            name_notes
                .iter()
                .chain(&tool.notes)
                .map(|(kind, message)| Note {
                    tool: name.clone(),
                    kind: *kind,
                    message: message.clone(),
                }),
        );
        named.insert(name, tool);
    }

    let file_version = most_common_version(named.values());
    let description = app_description(root, &app);
    let yaml = yaml::render(&file_name, &app, &description, &file_version, &named);

    let spec_file = PathBuf::from(format!("{app}.yaml"));
    let invalid = |errors: SpecErrors| ImportError::InvalidOutput {
        file: path.to_path_buf(),
        errors,
        yaml: yaml.clone(),
    };
    let spec = parse(&spec_file, &yaml).map_err(|e| invalid(SpecErrors(vec![e])))?;
    validate(&[LoadedSpec {
        file: spec_file.clone(),
        spec,
    }])
    .map_err(invalid)?;

    let tools = named
        .iter()
        .map(|(name, tool)| ImportedTool {
            name: name.clone(),
            method: tool.method,
            path: tool.path.clone(),
            operation_id: tool.operation_id.clone(),
        })
        .collect();
    Ok(Imported {
        app,
        yaml,
        tools,
        skipped,
        notes,
    })
}

/// The version most tools use; a tie goes to the one seen first.
fn most_common_version<'a>(tools: impl Iterator<Item = &'a OutTool>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for tool in tools {
        match counts.iter_mut().find(|(v, _)| *v == tool.version) {
            Some((_, n)) => *n += 1,
            None => counts.push((&tool.version, 1)),
        }
    }
    let mut best: Option<(&str, usize)> = None;
    for (version, n) in counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((version, n));
        }
    }
    best.map_or(DEFAULT_VERSION, |(v, _)| v).to_string()
}

/// One or two sentences from `info.title` and `info.description`.
fn app_description(root: &Value, app: &str) -> String {
    let info = root.get("info");
    let field = |key: &str| {
        info.and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .map(plain)
            .unwrap_or_default()
    };
    let title = field("title");
    let title = if title.is_empty() {
        app.to_string()
    } else {
        title
    };
    let description = field("description");
    let boilerplate = description.is_empty()
        || description.to_lowercase().starts_with("documentation for")
        || text::same_text(&description, &title);
    if boilerplate {
        format!("GoHighLevel {title}, imported from the official OpenAPI file.")
    } else {
        let description = text::cap_at_sentence(&description, 240);
        let end = if description.ends_with(['.', '!', '?', '…']) {
            ""
        } else {
            "."
        };
        format!("GoHighLevel {title}: {description}{end}")
    }
}
