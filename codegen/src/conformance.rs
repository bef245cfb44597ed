//! Checking tools against GHL's official OpenAPI operations.
//!
//! [`load_official`] reads the vendored v2 files (`openapi/ghl-v2/`) into one [`Operation`] per
//! method and path: what a request must look like. [`check`] compares the shape of a request a
//! tool built ([`RequestShape`]) with its operation, and [`coverage`] says which operations no
//! tool covers. The conformance test in the binary crate ties them to the generated tools.
//!
//! Everything here is pure but [`load_official`], which reads the files under the directory it
//! is given.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

/// The `Version` header an operation that declares none gets.
pub const DEFAULT_VERSION: &str = "2021-07-28";

/// The HTTP methods an OpenAPI path item may hold, in the order operations are listed.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many `$ref` hops or nested `allOf`s are followed before giving up (a cycle).
const MAX_DEPTH: usize = 32;

/// One official operation: what a request for it must look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The app: the name of the file it is in, without `.json` (`contacts`).
    pub app: String,
    /// HTTP method, upper case (`GET`).
    pub method: String,
    /// The path template, as the file spells it (`/contacts/{contactId}`).
    pub path: String,
    /// The `Version` header it requires: its `Version` header parameter's first enum value,
    /// default or example; [`DEFAULT_VERSION`] when it declares none.
    pub version: String,
    /// The names of its required query parameters.
    pub required_query: Vec<String>,
    /// The names of the required top-level properties of its JSON body (`$ref`s resolved,
    /// `allOf`s merged). Empty when the body is not JSON.
    pub required_body: Vec<String>,
    /// It declares an `application/json` request body.
    pub json_body: bool,
    /// It declares a `multipart/form-data` request body (a file upload), which no JSON request
    /// can send.
    pub multipart: bool,
    /// Its `operationId`, empty when it has none.
    pub operation_id: String,
}

impl Operation {
    /// The `{…}` parameter names of its path template, in order.
    pub fn path_params(&self) -> Vec<&str> {
        path_params(&self.path)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.app, self.method, self.path)?;
        if !self.operation_id.is_empty() {
            write!(f, " ({})", self.operation_id)?;
        }
        Ok(())
    }
}

/// Why the official files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{} is not valid JSON: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A file is JSON but not the OpenAPI this module understands, or a `$ref` does not
    /// resolve.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Every operation of the official v2 files in `dir` (the files are `dir/apps/*.json`; `$ref`s
/// to other files resolve relative to the file they are in), sorted by app, path and method.
pub fn load_official(dir: &Path) -> Result<Vec<Operation>, ConformanceError> {
    let apps_dir = dir.join("apps");
    let read_error = |source| ConformanceError::Read {
        path: apps_dir.clone(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&apps_dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    files.sort();

    let mut docs = Documents::default();
    let mut operations = Vec::new();
    for file in &files {
        let file = normalize(file);
        let app = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_string();
        let doc = docs.get(&file)?.clone();
        operations.extend(file_operations(&mut docs, &file, &app, &doc)?);
    }
    operations.sort_by(|a, b| {
        (&a.app, &a.path, method_rank(&a.method)).cmp(&(&b.app, &b.path, method_rank(&b.method)))
    });
    Ok(operations)
}

fn method_rank(method: &str) -> usize {
    METHODS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or(METHODS.len())
}

/// The operations of one app file.
fn file_operations(
    docs: &mut Documents,
    file: &Path,
    app: &str,
    doc: &Value,
) -> Result<Vec<Operation>, ConformanceError> {
    let invalid = |message: String| ConformanceError::Invalid {
        path: file.to_path_buf(),
        message,
    };
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("no `paths` object".into()))?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        let (item_file, item) = docs.deref(file, item)?;
        let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let mut operation = Operation {
                app: app.to_string(),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                version: String::new(),
                required_query: Vec::new(),
                required_body: Vec::new(),
                json_body: false,
                multipart: false,
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            };
            read_parameters(docs, &item_file, &shared, op, &mut operation)?;
            if let Some(body) = op.get("requestBody") {
                read_body(docs, &item_file, body, &mut operation)?;
            }
            operations.push(operation);
        }
    }
    Ok(operations)
}

/// Fills the version and required query parameters from the path item's and the operation's
/// parameters (the operation's win, by name and place).
fn read_parameters(
    docs: &mut Documents,
    file: &Path,
    shared: &Value,
    op: &Value,
    operation: &mut Operation,
) -> Result<(), ConformanceError> {
    let mut parameters: Vec<Value> = Vec::new();
    let listed = [shared, op.get("parameters").unwrap_or(&Value::Null)];
    for list in listed.into_iter().filter_map(Value::as_array) {
        for parameter in list {
            let (_, parameter) = docs.deref(file, parameter)?;
            let key = |p: &Value| (p.get("in").cloned(), p.get("name").cloned());
            parameters.retain(|p| key(p) != key(&parameter));
            parameters.push(parameter);
        }
    }
    let mut version = None;
    for parameter in &parameters {
        let place = parameter.get("in").and_then(Value::as_str).unwrap_or("");
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
        let required = parameter.get("required").and_then(Value::as_bool) == Some(true);
        match place {
            "query" if required && !operation.required_query.iter().any(|q| q == name) => {
                operation.required_query.push(name.to_string());
            }
            "header" if name.eq_ignore_ascii_case("Version") => {
                let schema = parameter.get("schema").unwrap_or(&Value::Null);
                version = schema
                    .get("enum")
                    .and_then(|values| values.get(0))
                    .or_else(|| schema.get("default"))
                    .or_else(|| schema.get("example"))
                    .or_else(|| parameter.get("example"))
                    .map(|value| match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
            }
            _ => {}
        }
    }
    operation.version = version.unwrap_or_else(|| DEFAULT_VERSION.to_string());
    Ok(())
}

/// Fills the body fields from a `requestBody`.
fn read_body(
    docs: &mut Documents,
    file: &Path,
    body: &Value,
    operation: &mut Operation,
) -> Result<(), ConformanceError> {
    let (file, body) = docs.deref(file, body)?;
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return Ok(());
    };
    for (media_type, media) in content {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence == "multipart/form-data" {
            operation.multipart = true;
        } else if essence == "application/json" || essence.ends_with("+json") {
            operation.json_body = true;
            if let Some(schema) = media.get("schema") {
                for name in docs.required_properties(&file, schema, 0)? {
                    if !operation.required_body.contains(&name) {
                        operation.required_body.push(name);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The parsed files, by normalized path, read once each.
#[derive(Default)]
struct Documents {
    files: HashMap<PathBuf, Value>,
}

impl Documents {
    fn get(&mut self, file: &Path) -> Result<&Value, ConformanceError> {
        if !self.files.contains_key(file) {
            let text = std::fs::read_to_string(file).map_err(|source| ConformanceError::Read {
                path: file.to_path_buf(),
                source,
            })?;
            let doc = serde_json::from_str(&text).map_err(|source| ConformanceError::Json {
                path: file.to_path_buf(),
                source,
            })?;
            self.files.insert(file.to_path_buf(), doc);
        }
        Ok(&self.files[file])
    }

    /// `value` with its `$ref`s followed (`#/local/pointer` or `other.json#/pointer`, relative
    /// to `file`), and the file the result is in.
    fn deref(&mut self, file: &Path, value: &Value) -> Result<(PathBuf, Value), ConformanceError> {
        let mut file = file.to_path_buf();
        let mut value = value.clone();
        for _ in 0..MAX_DEPTH {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Ok((file, value));
            };
            let (target, pointer) = reference.split_once('#').unwrap_or((reference, ""));
            if !target.is_empty() {
                let base = file.parent().unwrap_or(Path::new(""));
                file = normalize(&base.join(target));
            }
            let doc = self.get(&file)?;
            let found = doc
                .pointer(pointer)
                .cloned()
                .ok_or_else(|| ConformanceError::Invalid {
                    path: file.clone(),
                    message: format!("`$ref` {reference} does not resolve"),
                })?;
            value = found;
        }
        Err(ConformanceError::Invalid {
            path: file,
            message: format!("`$ref`s nest more than {MAX_DEPTH} deep (a cycle?)"),
        })
    }

    /// The required top-level property names of a schema: its own `required` and those of
    /// every `allOf` part.
    fn required_properties(
        &mut self,
        file: &Path,
        schema: &Value,
        depth: usize,
    ) -> Result<Vec<String>, ConformanceError> {
        if depth > MAX_DEPTH {
            return Err(ConformanceError::Invalid {
                path: file.to_path_buf(),
                message: format!("`allOf`s nest more than {MAX_DEPTH} deep (a cycle?)"),
            });
        }
        let (file, schema) = self.deref(file, schema)?;
        let mut names: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for name in self.required_properties(&file, part, depth + 1)? {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        Ok(names)
    }
}

/// The path with `.` and `..` components removed lexically, so each file has one key.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The `{…}` parameter names of a path template, in order.
pub fn path_params(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names
}

/// A value percent-encoded as one path segment: everything but RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) is encoded, as UTF-8 bytes.
pub fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() * 3);
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What a request a tool built looks like, as the conformance checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestShape {
    /// The tool's name.
    pub tool: String,
    /// HTTP method, upper case.
    pub method: String,
    /// The tool's path template (`/contacts/{contactId}`).
    pub path_template: String,
    /// The path the tool built, percent-encoded.
    pub path: String,
    /// The `Version` header it sends.
    pub version: String,
    /// The keys of its query pairs (repeated keys are fine).
    pub query_keys: Vec<String>,
    /// The top-level keys of its JSON body.
    pub body_keys: Vec<String>,
}

/// The mismatches between a request and its official operation, each a sentence naming the
/// tool; empty when they agree. Every path parameter is expected to be the one segment
/// `encoded_id` (the example arguments' id, percent-encoded). Extra query or body keys are
/// fine: tools may send fixed values and optional arguments.
pub fn check(shape: &RequestShape, op: &Operation, encoded_id: &str) -> Vec<String> {
    check_with(shape, op, &|_| encoded_id.to_string())
}

/// [`check`], with the segment each path parameter is expected to be given by name: a
/// parameter with an enum is an allowed value, not an id.
pub fn check_with(
    shape: &RequestShape,
    op: &Operation,
    segment: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let tool = &shape.tool;
    let mut problems = Vec::new();
    if !shape.method.eq_ignore_ascii_case(&op.method) {
        problems.push(format!(
            "tool `{tool}`: method is {}, but the official operation {op} is {}",
            shape.method, op.method
        ));
    }
    if shape.path_template != op.path {
        problems.push(format!(
            "tool `{tool}`: path template is `{}`, but the official operation {op} has `{}`",
            shape.path_template, op.path
        ));
    }
    let expected = fill(&op.path, segment);
    if shape.path != expected {
        problems.push(format!(
            "tool `{tool}`: built path `{}` is not the official template `{}` with each \
             parameter as one encoded segment (expected `{expected}`)",
            shape.path, op.path
        ));
    }
    if shape.version != op.version {
        problems.push(format!(
            "tool `{tool}`: sends Version `{}`, but the official operation {op} requires `{}`",
            shape.version, op.version
        ));
    }
    for name in &op.required_query {
        if !shape.query_keys.contains(name) {
            problems.push(format!(
                "tool `{tool}`: does not send the query parameter `{name}` that the official \
                 operation {op} requires"
            ));
        }
    }
    for name in &op.required_body {
        if !shape.body_keys.contains(name) {
            problems.push(format!(
                "tool `{tool}`: does not send the body property `{name}` that the official \
                 operation {op} requires"
            ));
        }
    }
    problems
}

/// The template with each `{name}` replaced by `segment(name)`.
fn fill(template: &str, segment: &dyn Fn(&str) -> String) -> String {
    let mut path = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            break;
        };
        path.push_str(&rest[..open]);
        path.push_str(&segment(&after[..close]));
        rest = &after[close + 1..];
    }
    path.push_str(rest);
    path
}

/// Which official operations tools cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Operations at least one tool covers.
    pub covered: Vec<Operation>,
    /// Operations no tool covers, listed as excluded.
    pub excluded: Vec<Operation>,
    /// Operations neither covered nor excluded.
    pub uncovered: Vec<Operation>,
    /// Operations a tool covers that are also listed as excluded (an error: the exclusion is
    /// stale). They are in `covered` too.
    pub excluded_but_covered: Vec<Operation>,
    /// Exclusions (method, path) that name no official operation.
    pub unknown_exclusions: Vec<(String, String)>,
    /// Tools' (method, path) that are no official operation.
    pub unknown_tools: Vec<(String, String)>,
}

/// One app's share of a [`Coverage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCoverage {
    /// The app.
    pub app: String,
    /// Its official operations.
    pub total: usize,
    /// How many a tool covers.
    pub covered: usize,
    /// How many are excluded.
    pub excluded: usize,
    /// Those neither covered nor excluded.
    pub uncovered: Vec<Operation>,
}

impl Coverage {
    /// Per app, sorted by name: every app with an official operation.
    pub fn by_app(&self) -> Vec<AppCoverage> {
        let mut apps: BTreeMap<&str, AppCoverage> = BTreeMap::new();
        let lists = [
            (Part::Covered, &self.covered),
            (Part::Excluded, &self.excluded),
            (Part::Uncovered, &self.uncovered),
        ];
        for (part, ops) in lists {
            for op in ops {
                let app = apps.entry(op.app.as_str()).or_insert_with(|| AppCoverage {
                    app: op.app.clone(),
                    total: 0,
                    covered: 0,
                    excluded: 0,
                    uncovered: Vec::new(),
                });
                app.total += 1;
                match part {
                    Part::Covered => app.covered += 1,
                    Part::Excluded => app.excluded += 1,
                    Part::Uncovered => app.uncovered.push(op.clone()),
                }
            }
        }
        apps.into_values().collect()
    }
}

#[derive(Clone, Copy)]
enum Part {
    Covered,
    Excluded,
    Uncovered,
}

/// Sorts `ops` into covered (a tool has its method and path), excluded and uncovered, and
/// finds exclusions and tools that name no official operation. Methods compare without case;
/// paths exactly.
pub fn coverage(
    ops: &[Operation],
    tools: &[(&str, &str)],
    exclusions: &[(&str, &str)],
) -> Coverage {
    let key = |method: &str, path: &str| (method.to_ascii_uppercase(), path.to_string());
    let tool_keys: BTreeSet<_> = tools.iter().map(|(m, p)| key(m, p)).collect();
    let excluded_keys: BTreeSet<_> = exclusions.iter().map(|(m, p)| key(m, p)).collect();
    let official: BTreeSet<_> = ops.iter().map(|op| key(&op.method, &op.path)).collect();

    let mut result = Coverage::default();
    for op in ops {
        let op_key = key(&op.method, &op.path);
        let is_covered = tool_keys.contains(&op_key);
        let is_excluded = excluded_keys.contains(&op_key);
        match (is_covered, is_excluded) {
            (true, true) => {
                result.covered.push(op.clone());
                result.excluded_but_covered.push(op.clone());
            }
            (true, false) => result.covered.push(op.clone()),
            (false, true) => result.excluded.push(op.clone()),
            (false, false) => result.uncovered.push(op.clone()),
        }
    }
    result.unknown_exclusions = excluded_keys.difference(&official).cloned().collect();
    result.unknown_tools = tool_keys.difference(&official).cloned().collect();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::{EXAMPLE_ID, EXAMPLE_ID_ENCODED};

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance")
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_string()).collect()
    }

    fn op(method: &str, path: &str) -> Operation {
        Operation {
            app: "widgets".into(),
            method: method.into(),
            path: path.into(),
            version: DEFAULT_VERSION.into(),
            required_query: Vec::new(),
            required_body: Vec::new(),
            json_body: false,
            multipart: false,
            operation_id: String::new(),
        }
    }

    fn find<'a>(ops: &'a [Operation], method: &str, path: &str) -> &'a Operation {
        ops.iter()
            .find(|op| op.method == method && op.path == path)
            .unwrap_or_else(|| panic!("no {method} {path}"))
    }

    #[test]
    fn loads_every_operation_of_the_v2_apps_sorted() {
        let ops = load_official(&fixtures()).unwrap();
        let listed: Vec<String> = ops
            .iter()
            .map(|op| format!("{} {} {}", op.app, op.method, op.path))
            .collect();
        assert_eq!(
            listed,
            [
                "gadgets GET /gadgets",
                "widgets GET /widgets/",
                "widgets POST /widgets/",
                "widgets PUT /widgets/{widgetId}",
                "widgets DELETE /widgets/{widgetId}",
                "widgets GET /widgets/{widgetId}/parts/{partId}",
                "widgets POST /widgets/{widgetId}/upload",
            ]
        );
    }

    #[test]
    fn reads_version_query_and_body_requirements() {
        let ops = load_official(&fixtures()).unwrap();

        let list = find(&ops, "GET", "/widgets/");
        assert_eq!(list.operation_id, "list-widgets");
        assert_eq!(list.version, "2021-07-28");
        assert_eq!(list.required_query, strings(&["locationId"]));
        assert!(list.required_body.is_empty() && !list.json_body && !list.multipart);

        // Version from the enum; required properties through a local `$ref`, not the nested
        // `allOf` of a property.
        let create = find(&ops, "POST", "/widgets/");
        assert_eq!(create.version, "2021-04-15");
        assert_eq!(create.required_body, strings(&["name", "locationId"]));
        assert!(create.json_body);

        // No Version header: the default. `allOf` parts merged, each name once.
        let update = find(&ops, "PUT", "/widgets/{widgetId}");
        assert_eq!(update.version, DEFAULT_VERSION);
        assert_eq!(update.required_body, strings(&["name", "color"]));
        assert_eq!(update.path_params(), ["widgetId"]);

        // Version from the default; a `$ref` into ../common whose `allOf` refers to its own
        // file's components.
        let delete = find(&ops, "DELETE", "/widgets/{widgetId}");
        assert_eq!(delete.version, "2021-04-15");
        assert_eq!(delete.required_body, strings(&["reason", "ids"]));

        // Version from the parameter's example; a multipart body is recorded, not read.
        let upload = find(&ops, "POST", "/widgets/{widgetId}/upload");
        assert_eq!(upload.version, "2021-04-15");
        assert!(upload.multipart && !upload.json_body);
        assert!(upload.required_body.is_empty());

        // Path-level parameters apply; the operation's own override them by name and place.
        let part = find(&ops, "GET", "/widgets/{widgetId}/parts/{partId}");
        assert_eq!(part.version, "2021-07-28");
        assert_eq!(part.required_query, strings(&["depth"]));
        assert_eq!(part.path_params(), ["widgetId", "partId"]);
        assert_eq!(
            part.to_string(),
            "widgets GET /widgets/{widgetId}/parts/{partId} (get-widget-part)"
        );
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghl-conformance-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("apps")).unwrap();
        dir
    }

    #[test]
    fn reports_unreadable_and_broken_files() {
        let missing = load_official(&fixtures().join("nowhere")).unwrap_err();
        assert!(
            matches!(missing, ConformanceError::Read { .. }),
            "{missing}"
        );

        let dir = scratch_dir("broken");
        std::fs::write(dir.join("apps/bad.json"), "{ not json").unwrap();
        let error = load_official(&dir).unwrap_err();
        assert!(matches!(error, ConformanceError::Json { .. }), "{error}");

        std::fs::write(
            dir.join("apps/bad.json"),
            r##"{ "paths": { "/x": { "post": { "requestBody": { "content": {
                "application/json": { "schema": { "$ref": "#/components/schemas/Gone" } } } } } } } }"##,
        )
        .unwrap();
        let error = load_official(&dir).unwrap_err().to_string();
        assert!(
            error.ends_with("bad.json: `$ref` #/components/schemas/Gone does not resolve"),
            "{error}"
        );

        std::fs::write(
            dir.join("apps/bad.json"),
            r##"{ "paths": { "/x": { "post": { "requestBody": { "content": {
                "application/json": { "schema": { "$ref": "#/components/schemas/A" } } } } } } },
                "components": { "schemas": { "A": { "$ref": "#/components/schemas/A" } } } }"##,
        )
        .unwrap();
        let error = load_official(&dir).unwrap_err().to_string();
        assert!(error.contains("a cycle?"), "{error}");

        std::fs::write(dir.join("apps/bad.json"), r#"{ "openapi": "3.0.0" }"#).unwrap();
        let error = load_official(&dir).unwrap_err().to_string();
        assert!(error.ends_with("bad.json: no `paths` object"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encodes_a_value_as_one_segment() {
        assert_eq!(encode_segment(EXAMPLE_ID), EXAMPLE_ID_ENCODED);
        assert_eq!(encode_segment("aZ09-._~"), "aZ09-._~");
        assert_eq!(encode_segment("a/b"), "a%2Fb");
    }

    #[test]
    fn normalizes_parent_components() {
        assert_eq!(
            normalize(Path::new("x/apps/../common/./c.json")),
            Path::new("x/common/c.json")
        );
        assert_eq!(normalize(Path::new("../a/../b")), Path::new("../b"));
    }

    #[test]
    fn finds_path_parameters() {
        assert_eq!(path_params("/a/{b}/c/{d}"), ["b", "d"]);
        assert!(path_params("/a/").is_empty());
        assert_eq!(path_params("/a/{b"), Vec::<&str>::new());
    }

    fn official() -> Operation {
        Operation {
            version: "2021-04-15".into(),
            required_query: strings(&["locationId"]),
            required_body: strings(&["name", "tags"]),
            json_body: true,
            operation_id: "update-widget-part".into(),
            ..op("PUT", "/widgets/{widgetId}/parts/{partId}")
        }
    }

    fn good_shape() -> RequestShape {
        RequestShape {
            tool: "update_widget_part".into(),
            method: "PUT".into(),
            path_template: "/widgets/{widgetId}/parts/{partId}".into(),
            path: format!("/widgets/{EXAMPLE_ID_ENCODED}/parts/{EXAMPLE_ID_ENCODED}"),
            version: "2021-04-15".into(),
            // Extra and repeated keys are fine.
            query_keys: strings(&["locationId", "extra", "extra"]),
            body_keys: strings(&["tags", "name", "fixedValue"]),
        }
    }

    #[test]
    fn a_request_that_agrees_has_no_mismatch() {
        assert_eq!(
            check(&good_shape(), &official(), EXAMPLE_ID_ENCODED),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_mismatch_is_a_sentence_naming_the_tool() {
        let shape = RequestShape {
            method: "POST".into(),
            path_template: "/widgets/{id}/parts/{partId}".into(),
            version: "2021-07-28".into(),
            query_keys: Vec::new(),
            body_keys: strings(&["name"]),
            ..good_shape()
        };
        let op = "widgets PUT /widgets/{widgetId}/parts/{partId} (update-widget-part)";
        assert_eq!(
            check(&shape, &official(), EXAMPLE_ID_ENCODED),
            [
                format!(
                    "tool `update_widget_part`: method is POST, but the official operation {op} is PUT"
                ),
                format!(
                    "tool `update_widget_part`: path template is `/widgets/{{id}}/parts/{{partId}}`, but the official operation {op} has `/widgets/{{widgetId}}/parts/{{partId}}`"
                ),
                format!(
                    "tool `update_widget_part`: sends Version `2021-07-28`, but the official operation {op} requires `2021-04-15`"
                ),
                format!(
                    "tool `update_widget_part`: does not send the query parameter `locationId` that the official operation {op} requires"
                ),
                format!(
                    "tool `update_widget_part`: does not send the body property `tags` that the official operation {op} requires"
                ),
            ]
        );
    }

    #[test]
    fn a_path_must_be_the_template_with_one_encoded_segment_per_parameter() {
        let bad_paths = [
            // Not encoded: the id spans several segments and carries a query.
            format!("/widgets/{EXAMPLE_ID}/parts/{EXAMPLE_ID_ENCODED}"),
            // A placeholder left in.
            format!("/widgets/{{widgetId}}/parts/{EXAMPLE_ID_ENCODED}"),
            // A literal part differs.
            format!("/widgets/{EXAMPLE_ID_ENCODED}/part/{EXAMPLE_ID_ENCODED}"),
            // An extra segment.
            format!("/widgets/{EXAMPLE_ID_ENCODED}/x/parts/{EXAMPLE_ID_ENCODED}"),
            // A trailing slash.
            format!("/widgets/{EXAMPLE_ID_ENCODED}/parts/{EXAMPLE_ID_ENCODED}/"),
            // Parameters swapped for another value.
            format!("/widgets/{EXAMPLE_ID_ENCODED}/parts/other"),
        ];
        for path in bad_paths {
            let shape = RequestShape {
                path: path.clone(),
                ..good_shape()
            };
            let problems = check(&shape, &official(), EXAMPLE_ID_ENCODED);
            assert_eq!(problems.len(), 1, "{path}: {problems:?}");
            assert!(
                problems[0].starts_with(&format!(
                    "tool `update_widget_part`: built path `{path}` is not the official template"
                )),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn check_with_takes_each_parameter_s_segment_by_name() {
        let op = op("POST", "/contacts/bulk/tags/update/{type}");
        let shape = RequestShape {
            tool: "bulk_update_contact_tags".into(),
            method: "POST".into(),
            path_template: op.path.clone(),
            path: "/contacts/bulk/tags/update/add".into(),
            version: DEFAULT_VERSION.into(),
            query_keys: Vec::new(),
            body_keys: Vec::new(),
        };
        let segment = |name: &str| match name {
            "type" => "add".to_string(),
            _ => EXAMPLE_ID_ENCODED.to_string(),
        };
        assert!(check_with(&shape, &op, &segment).is_empty());
        assert_eq!(check(&shape, &op, EXAMPLE_ID_ENCODED).len(), 1);
    }

    #[test]
    fn coverage_sorts_operations_and_finds_stale_names() {
        let ops = [
            op("GET", "/widgets/"),
            op("POST", "/widgets/"),
            op("DELETE", "/widgets/{widgetId}"),
            Operation {
                app: "gadgets".into(),
                ..op("GET", "/gadgets")
            },
            Operation {
                app: "gadgets".into(),
                ..op("POST", "/gadgets")
            },
        ];
        let tools = [
            ("get", "/widgets/"),
            ("GET", "/widgets/"),
            ("DELETE", "/widgets/{widgetId}"),
            ("GET", "/widgets"),
        ];
        let exclusions = [
            ("POST", "/widgets/"),
            ("DELETE", "/widgets/{widgetId}"),
            ("PUT", "/nowhere"),
        ];
        let result = coverage(&ops, &tools, &exclusions);
        let names = |ops: &[Operation]| -> Vec<String> {
            ops.iter()
                .map(|o| format!("{} {}", o.method, o.path))
                .collect()
        };
        assert_eq!(
            names(&result.covered),
            ["GET /widgets/", "DELETE /widgets/{widgetId}"]
        );
        assert_eq!(names(&result.excluded), ["POST /widgets/"]);
        assert_eq!(names(&result.uncovered), ["GET /gadgets", "POST /gadgets"]);
        assert_eq!(
            names(&result.excluded_but_covered),
            ["DELETE /widgets/{widgetId}"]
        );
        assert_eq!(
            result.unknown_exclusions,
            [("PUT".to_string(), "/nowhere".to_string())]
        );
        assert_eq!(
            result.unknown_tools,
            [("GET".to_string(), "/widgets".to_string())]
        );

        let apps = result.by_app();
        let summary: Vec<_> = apps
            .iter()
            .map(|a| {
                (
                    a.app.as_str(),
                    a.total,
                    a.covered,
                    a.excluded,
                    a.uncovered.len(),
                )
            })
            .collect();
        assert_eq!(summary, [("gadgets", 2, 0, 0, 2), ("widgets", 3, 2, 1, 0)]);
    }

    /// The vendored files themselves: the numbers DESIGN.md and openapi/ghl-v2/README.md state.
    #[test]
    fn the_vendored_files_hold_576_operations_in_41_apps() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/ghl-v2");
        let ops = load_official(&dir).unwrap();
        assert_eq!(ops.len(), 576);
        let apps: BTreeSet<&str> = ops.iter().map(|op| op.app.as_str()).collect();
        assert_eq!(apps.len(), 41);
        let count = |version: &str| ops.iter().filter(|op| op.version == version).count();
        assert_eq!(count("2021-07-28"), 408 + 29);
        assert_eq!(count("2021-04-15"), 139);
        assert_eq!(ops.iter().filter(|op| op.multipart).count(), 5);

        let task = find(&ops, "POST", "/contacts/{contactId}/tasks");
        assert_eq!(task.operation_id, "create-task");
        assert_eq!(
            task.required_body,
            strings(&["title", "dueDate", "completed"])
        );
        let duplicate = find(&ops, "GET", "/contacts/search/duplicate");
        assert_eq!(duplicate.required_query, strings(&["locationId"]));
    }
}
