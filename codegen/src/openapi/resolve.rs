//! The OpenAPI documents an import reads, and `$ref` resolution over them.
//!
//! Every file a `$ref` names (`../common/common-schemas.json#/components/schemas/X`) is read
//! once, up front, so that conversion works on borrowed, immutable documents. Schemas are then
//! "flattened": `$ref` chains followed (keywords written beside a `$ref` win over the target's),
//! `allOf` members merged (properties and `required` unioned, the first member to say a keyword
//! wins; a `oneOf`/`anyOf` of one member is merged the same way), and recursion reported instead
//! of followed.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::ImportError;

/// The documents of one import, by normalized path.
#[derive(Debug)]
pub(crate) struct Docs {
    files: BTreeMap<PathBuf, Value>,
}

/// Reads a file's text; the real one is `std::fs::read_to_string`.
pub(crate) type Reader<'r> = dyn FnMut(&Path) -> io::Result<String> + 'r;

impl Docs {
    /// Reads `root` and, transitively, every file its `$ref`s name.
    pub(crate) fn load(root: &Path, read: &mut Reader<'_>) -> Result<Docs, ImportError> {
        let root = normalize(root);
        let mut files = BTreeMap::new();
        let mut queue = vec![(root.clone(), None::<PathBuf>)];
        while let Some((file, referrer)) = queue.pop() {
            if files.contains_key(&file) {
                continue;
            }
            let text = read(&file).map_err(|source| match &referrer {
                None => ImportError::Read {
                    file: file.clone(),
                    source,
                },
                Some(referrer) => ImportError::ReadRef {
                    file: referrer.clone(),
                    target: file.clone(),
                    source,
                },
            })?;
            let value: Value = serde_json::from_str(&text).map_err(|source| ImportError::Json {
                file: file.clone(),
                source,
            })?;
            let mut refs = Vec::new();
            collect_refs(&value, &mut refs);
            for reference in refs {
                let (file_part, _) = reference.split_once('#').unwrap_or((reference, ""));
                if file_part.is_empty() || file_part.contains("://") {
                    continue;
                }
                let target = relative_to(&file, file_part);
                if !files.contains_key(&target) {
                    queue.push((target, Some(file.clone())));
                }
            }
            files.insert(file, value);
        }
        Ok(Docs { files })
    }

    /// The root document and its normalized path.
    pub(crate) fn root<'a>(&'a self, root: &Path) -> Option<(&'a Path, &'a Value)> {
        self.files
            .get_key_value(&normalize(root))
            .map(|(path, value)| (path.as_path(), value))
    }

    /// The value a `$ref` written in `base` points at, the file it is in, and the reference in
    /// canonical form (`<file>#<pointer>`).
    pub(crate) fn resolve<'a>(
        &'a self,
        reference: &str,
        base: &'a Path,
    ) -> Result<(&'a Value, &'a Path, String), String> {
        let (file_part, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let target = if file_part.is_empty() {
            base.to_path_buf()
        } else {
            relative_to(base, file_part)
        };
        let (file, doc) = self
            .files
            .get_key_value(&target)
            .ok_or_else(|| format!("$ref `{reference}` names a file that was not read"))?;
        let value = if pointer.is_empty() {
            Some(doc)
        } else {
            doc.pointer(pointer)
        };
        let value = value
            .ok_or_else(|| format!("$ref `{reference}` points at nothing in {}", file.display()))?;
        Ok((
            value,
            file.as_path(),
            format!("{}#{pointer}", file.display()),
        ))
    }

    /// A `{"$ref": …}` wrapper (a parameter or request body) followed to its target.
    pub(crate) fn follow<'a>(
        &'a self,
        mut value: &'a Value,
        mut file: &'a Path,
    ) -> Result<(&'a Value, &'a Path), String> {
        let mut seen = Vec::new();
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let (target, target_file, canonical) = self.resolve(reference, file)?;
            if seen.contains(&canonical) {
                return Err(format!("$ref `{reference}` refers to itself"));
            }
            seen.push(canonical);
            value = target;
            file = target_file;
        }
        Ok((value, file))
    }
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => out.push(reference),
                    // Examples are data, not schemas: a `$ref` key there is not a reference.
                    ("example" | "examples", _) => {}
                    _ => collect_refs(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// `relative` read from the directory of `base`, normalized.
fn relative_to(base: &Path, relative: &str) -> PathBuf {
    normalize(&base.parent().unwrap_or(Path::new("")).join(relative))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_name =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_name {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A schema where it was found: the value, the file its `$ref`s are relative to, and the
/// references followed to reach it (to notice recursion).
#[derive(Debug, Clone)]
pub(crate) struct Schema<'a> {
    pub value: &'a Value,
    pub file: &'a Path,
    pub stack: Vec<String>,
}

impl<'a> Schema<'a> {
    /// A schema at the top of a document (a parameter's or a body's).
    pub(crate) fn top(value: &'a Value, file: &'a Path) -> Self {
        Schema {
            value,
            file,
            stack: Vec::new(),
        }
    }

    /// The name of the schema a `$ref` here points at (`TextField`), if it is one.
    pub(crate) fn ref_name(&self) -> Option<&'a str> {
        let reference = self.value.get("$ref")?.as_str()?;
        reference.rsplit('/').next().filter(|name| !name.is_empty())
    }
}

/// Why a schema could not be flattened.
#[derive(Debug)]
pub(crate) enum Problem {
    /// A `$ref` leads back to a schema that encloses it.
    Recursive(String),
    /// A `$ref` that resolves to nothing.
    Unresolved(String),
}

/// A schema with its `$ref`s followed and its `allOf` merged.
#[derive(Debug, Default)]
pub(crate) struct Flat<'a> {
    /// `type` as written (the first non-`null` one of a list).
    pub ty: Option<&'a str>,
    /// `nullable: true`, or `null` in a `type` list.
    pub nullable: bool,
    pub description: Option<&'a str>,
    pub format: Option<&'a str>,
    pub default: Option<&'a Value>,
    pub enumeration: Option<&'a [Value]>,
    pub example: Option<&'a Value>,
    pub deprecated: bool,
    pub items: Option<Schema<'a>>,
    pub properties: Vec<(&'a str, Schema<'a>)>,
    pub required: Vec<&'a str>,
    /// `oneOf` / `anyOf` members, when there are several (a single one is merged).
    pub alternatives: Vec<Schema<'a>>,
}

impl Docs {
    /// Follows `$ref`s and merges `allOf` members.
    pub(crate) fn flatten<'a>(&'a self, schema: &Schema<'a>) -> Result<Flat<'a>, Problem> {
        let mut flat = Flat::default();
        self.flatten_into(schema.clone(), &mut flat)?;
        Ok(flat)
    }

    fn flatten_into<'a>(&'a self, schema: Schema<'a>, flat: &mut Flat<'a>) -> Result<(), Problem> {
        let Schema {
            mut value,
            mut file,
            mut stack,
        } = schema;
        loop {
            let Some(map) = value.as_object() else {
                return Ok(());
            };
            absorb(flat, map, file, &stack);
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let (target, target_file, canonical) =
                    self.resolve(reference, file).map_err(Problem::Unresolved)?;
                if stack.contains(&canonical) {
                    return Err(Problem::Recursive(
                        reference
                            .rsplit('/')
                            .next()
                            .unwrap_or(reference)
                            .to_string(),
                    ));
                }
                stack.push(canonical);
                value = target;
                file = target_file;
                continue;
            }
            // `allOf` members are merged, and so is a `oneOf`/`anyOf` of a single member.
            let single = |key: &str| {
                let members = distinct(map.get(key));
                (members.len() == 1).then_some(members)
            };
            let all_of: Vec<&Value> = map
                .get("allOf")
                .and_then(Value::as_array)
                .map(|members| members.iter().collect())
                .unwrap_or_default();
            let merged = [Some(all_of), single("oneOf"), single("anyOf")];
            for members in merged.into_iter().flatten() {
                for member in members {
                    self.flatten_into(
                        Schema {
                            value: member,
                            file,
                            stack: stack.clone(),
                        },
                        flat,
                    )?;
                }
            }
            return Ok(());
        }
    }
}

/// Takes the keywords of one schema object that `flat` does not have yet.
fn absorb<'a>(flat: &mut Flat<'a>, map: &'a Map<String, Value>, file: &'a Path, stack: &[String]) {
    let here = |value: &'a Value| Schema {
        value,
        file,
        stack: stack.to_vec(),
    };
    match map.get("type") {
        Some(Value::String(ty)) => {
            flat.ty.get_or_insert(ty);
        }
        Some(Value::Array(types)) => {
            if types.iter().any(|t| t.as_str() == Some("null")) {
                flat.nullable = true;
            }
            if let Some(ty) = types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
            {
                flat.ty.get_or_insert(ty);
            }
        }
        _ => {}
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        flat.nullable = true;
    }
    if map.get("deprecated") == Some(&Value::Bool(true)) {
        flat.deprecated = true;
    }
    if let Some(text) = map.get("description").and_then(Value::as_str)
        && !text.trim().is_empty()
    {
        flat.description.get_or_insert(text);
    }
    if let Some(format) = map.get("format").and_then(Value::as_str) {
        flat.format.get_or_insert(format);
    }
    if let Some(default) = map.get("default") {
        flat.default.get_or_insert(default);
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        flat.enumeration.get_or_insert(values);
    }
    if let Some(example) = map.get("example") {
        flat.example.get_or_insert(example);
    }
    if flat.items.is_none()
        && let Some(items) = map.get("items")
    {
        flat.items = Some(here(items));
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        for (name, value) in properties {
            if !flat.properties.iter().any(|(n, _)| *n == name.as_str()) {
                flat.properties.push((name, here(value)));
            }
        }
    }
    if let Some(Value::Array(required)) = map.get("required") {
        for name in required.iter().filter_map(Value::as_str) {
            if !flat.required.contains(&name) {
                flat.required.push(name);
            }
        }
    }
    if flat.alternatives.is_empty() {
        for key in ["oneOf", "anyOf"] {
            let members = distinct(map.get(key));
            if members.len() > 1 {
                flat.alternatives.extend(members.into_iter().map(here));
            }
        }
    }
}

/// The members of a `oneOf`/`anyOf`, each once (GHL's files sometimes list one twice).
fn distinct(members: Option<&Value>) -> Vec<&Value> {
    let mut out: Vec<&Value> = Vec::new();
    for member in members.and_then(Value::as_array).into_iter().flatten() {
        if !out.contains(&member) {
            out.push(member);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::{Path, PathBuf};

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("a/apps/../common/./c.json")),
            PathBuf::from("a/common/c.json")
        );
        assert_eq!(normalize(Path::new("../x/../y")), PathBuf::from("../y"));
        assert_eq!(
            normalize(Path::new("/r/apps/../common/c.json")),
            PathBuf::from("/r/common/c.json")
        );
    }
}
