//! The spec model: what a `specs/*.yaml` file may say, key by key.
//!
//! Every struct denies unknown keys, so a typo in a spec is a build error with its line.
//! `specs/README.md` documents the same format for people.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// One spec file: the tools of one GHL app.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// App name (`contacts`), used to group tools and name generated files.
    pub app: Spanned<String>,
    /// What the app covers, in a sentence or two.
    pub description: String,
    /// The GHL `Version` header sent by every tool unless it overrides it.
    pub version: Spanned<String>,
    /// Tools by name.
    pub tools: Entries<ToolSpec>,
}

/// One tool: one GHL operation as an agent sees it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// One line saying what the tool does.
    pub summary: String,
    /// Longer description, plain text.
    #[serde(default)]
    pub description: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Path template such as `/contacts/{contactId}`.
    pub path: Spanned<String>,
    /// Overrides the file's `Version` header for this tool.
    #[serde(default)]
    pub version: Option<Spanned<String>>,
    /// OAuth scopes GHL requires.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Marks a tool GHL has deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// Overrides of the annotations the method implies.
    #[serde(default)]
    pub annotations: AnnotationOverrides,
    /// Path and query parameters.
    #[serde(default)]
    pub params: Entries<Field>,
    /// Top-level properties of the JSON body.
    #[serde(default)]
    pub body: Entries<Field>,
    /// Values always sent and never asked of the caller.
    #[serde(default)]
    pub fixed: Fixed,
}

/// HTTP methods a tool may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Annotation overrides; anything left out comes from the method.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotationOverrides {
    /// The tool only reads.
    #[serde(default)]
    pub read_only: Option<bool>,
    /// The tool may destroy or overwrite data.
    #[serde(default)]
    pub destructive: Option<bool>,
    /// Sending it twice has the same effect as once (decides what may be retried).
    #[serde(default)]
    pub idempotent: Option<bool>,
}

/// Values always sent with the request.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixed {
    /// Query parameters always sent.
    #[serde(default)]
    pub query: Entries<serde_json::Value>,
    /// Body properties always sent.
    #[serde(default)]
    pub body: Entries<serde_json::Value>,
}

/// A parameter, a body property, or a nested property or array item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The value's type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// What the value means.
    #[serde(default)]
    pub description: Option<String>,
    /// The caller must give it (path parameters always are).
    #[serde(default)]
    pub required: bool,
    /// `null` is a meaningful value here (it clears the field at GHL) and is sent as given.
    #[serde(default)]
    pub nullable: bool,
    /// A JSON Schema format (`email`, `date-time`…), documentation only.
    #[serde(default)]
    pub format: Option<String>,
    /// GHL's default, documentation only.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// The allowed values of a string.
    #[serde(default, rename = "enum")]
    pub allowed: Option<Vec<String>>,
    /// The element of an array.
    #[serde(default)]
    pub items: Option<Box<Field>>,
    /// The properties of an object; without them the object is free-form.
    #[serde(default)]
    pub properties: Option<Entries<Field>>,
    /// Where a parameter goes (only under `params`).
    #[serde(default, rename = "in")]
    pub location: Option<ParamIn>,
    /// Where a missing value is taken from.
    #[serde(default)]
    pub from: Option<Source>,
}

/// The types a field may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// true or false.
    Boolean,
    /// A list; `items` says of what.
    Array,
    /// An object; `properties` says of what, or free-form without them.
    Object,
    /// Any JSON value.
    Any,
}

impl FieldType {
    /// Whether a JSON value has this type (`any` admits everything).
    pub fn admits(self, value: &serde_json::Value) -> bool {
        match self {
            FieldType::String => value.is_string(),
            FieldType::Integer => value.is_i64() || value.is_u64(),
            FieldType::Number => value.is_number(),
            FieldType::Boolean => value.is_boolean(),
            FieldType::Array => value.is_array(),
            FieldType::Object => value.is_object(),
            FieldType::Any => true,
        }
    }

    /// The type's name with its article, for messages: "an integer", "a string".
    pub fn with_article(self) -> String {
        match self {
            FieldType::Integer | FieldType::Array | FieldType::Object | FieldType::Any => {
                format!("an {}", self.as_str())
            }
            _ => format!("a {}", self.as_str()),
        }
    }

    /// The type's name in the spec format.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Array => "array",
            FieldType::Object => "object",
            FieldType::Any => "any",
        }
    }
}

/// Where a parameter goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamIn {
    /// One segment of the path, percent-encoded.
    Path,
    /// The query string.
    Query,
}

/// Where an omitted value is filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The configured location (`GHL_LOCATION_ID`).
    Location,
}

/// `specs/_excluded.yaml`: official operations no tool covers, each with its reason.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    /// The operations.
    #[serde(default)]
    pub excluded: Vec<Exclusion>,
}

/// One official operation no tool covers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The official app file's name (`oauth`).
    pub app: String,
    /// HTTP method.
    pub method: Method,
    /// The official path template.
    pub path: String,
    /// Why no tool covers it.
    pub reason: String,
}

/// A YAML mapping whose keys keep their position, sorted by key; errors about an entry point
/// at its name.
#[derive(Debug)]
pub struct Entries<T>(Vec<Entry<T>>);

/// One entry of [`Entries`].
#[derive(Debug)]
pub struct Entry<T> {
    /// The key, with where it was written.
    pub name: Spanned<String>,
    /// The value.
    pub value: T,
}

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<T> Entries<T> {
    /// The entries, sorted by name.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry<T>> {
        self.0.iter()
    }

    /// The entry with this name.
    pub fn get(&self, name: &str) -> Option<&Entry<T>> {
        self.0.iter().find(|e| e.name.value == name)
    }

    /// Whether an entry has this name.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a, T> IntoIterator for &'a Entries<T> {
    type Item = &'a Entry<T>;
    type IntoIter = std::slice::Iter<'a, Entry<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Duplicate keys are refused by the parser (DuplicateKeyPolicy::Error) before this.
        let map = HashMap::<Spanned<String>, T>::deserialize(deserializer)?;
        let mut entries: Vec<Entry<T>> = map
            .into_iter()
            .map(|(name, value)| Entry { name, value })
            .collect();
        entries.sort_by(|a, b| a.name.value.cmp(&b.name.value));
        Ok(Entries(entries))
    }
}
