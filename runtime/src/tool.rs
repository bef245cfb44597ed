//! The description of one tool, as generated code declares it.

use serde_json::Value;

use crate::args::ArgumentError;

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The method as sent on the wire.
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

/// Behaviour hints; `idempotent` also decides what may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    /// The tool only reads.
    pub read_only: bool,
    /// The tool may destroy or overwrite data.
    pub destructive: bool,
    /// Sending it twice has the same effect as once.
    pub idempotent: bool,
}

/// Where an argument goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// One percent-encoded path segment.
    Path,
    /// The query string (arrays repeat the key).
    Query,
    /// A top-level property of the JSON body.
    Body,
}

/// One top-level argument.
#[derive(Debug, Clone, Copy)]
pub struct ArgDef {
    /// Its JSON name.
    pub name: &'static str,
    /// Where it goes.
    pub place: Place,
    /// GHL requires it (path parameters always).
    pub required: bool,
    /// Filled from the configured location when omitted.
    pub from_location: bool,
}

/// The allowed values of a string somewhere in the arguments.
#[derive(Debug, Clone, Copy)]
pub struct EnumRule {
    /// Dotted path to the value; `[]` steps into every item of an array (`tags[]`, `a[].b`).
    pub path: &'static str,
    /// The values allowed there.
    pub values: &'static [&'static str],
}

/// One tool: one GHL operation, declared by generated code.
#[derive(Debug, Clone, Copy)]
pub struct ToolDef {
    /// Unique tool name.
    pub name: &'static str,
    /// The app it belongs to.
    pub app: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Longer description, may be empty.
    pub description: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template such as `/contacts/{contactId}`.
    pub path: &'static str,
    /// The GHL `Version` header.
    pub version: &'static str,
    /// OAuth scopes GHL requires.
    pub scopes: &'static [&'static str],
    /// Behaviour hints.
    pub annotations: Annotations,
    /// GHL has deprecated it.
    pub deprecated: bool,
    /// The JSON Schema of the arguments, as JSON text.
    pub input_schema: &'static str,
    /// Every argument, with where it goes.
    pub args: &'static [ArgDef],
    /// Enum constraints, checked after the typed validation.
    pub enums: &'static [EnumRule],
    /// Query pairs always sent.
    pub fixed_query: &'static [(&'static str, &'static str)],
    /// A JSON object always merged into the body, or empty.
    pub fixed_body: &'static str,
    /// Reads the arguments into the tool's typed parameter struct (its generated `FromArgs`).
    pub validate: fn(&Value) -> Result<(), ArgumentError>,
}

/// One app and its tools.
#[derive(Debug, Clone, Copy)]
pub struct AppDef {
    /// App name.
    pub name: &'static str,
    /// What it covers.
    pub description: &'static str,
    /// Its tools, sorted by name.
    pub tools: &'static [ToolDef],
}

impl ToolDef {
    /// The full description an agent reads: summary, then the details.
    pub fn full_description(&self) -> String {
        let mut text = self.summary.to_string();
        if !self.description.is_empty() && self.description != self.summary {
            text.push_str("\n\n");
            text.push_str(self.description);
        }
        if self.deprecated {
            text.push_str("\n\nDeprecated by GHL.");
        }
        text
    }
}
