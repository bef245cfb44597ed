//! One OpenAPI operation → one tool (or the reason it cannot be one).

use std::path::Path;

use serde_json::{Map, Value};

use super::resolve::{Docs, Flat, Problem, Schema};
use super::text::{
    FIELD_DESCRIPTION_CAP, TOOL_DESCRIPTION_CAP, cap_at_sentence, plain, same_text, summary,
};
use super::{DEFAULT_VERSION, MULTIPART_REASON, NoteKind};
use crate::spec::{FieldType, Method, ParamIn};
use crate::validate::template_params;

/// Deepest level of properties a field is typed at (parameters and top-level body properties
/// are level 1, array items add none); below it, `any`.
pub(crate) const MAX_DEPTH: usize = 6;

/// A tool before it is named.
#[derive(Debug)]
pub(crate) struct OutTool {
    pub summary: String,
    pub description: Option<String>,
    pub method: Method,
    pub path: String,
    pub version: String,
    pub scopes: Vec<String>,
    pub deprecated: bool,
    /// A POST search: `annotations: { read_only: true }`.
    pub read_only: bool,
    /// Path parameters in template order, then query parameters in the file's order.
    pub params: Vec<(String, OutField)>,
    pub body: Vec<(String, OutField)>,
    pub operation_id: Option<String>,
    pub notes: Vec<(NoteKind, String)>,
}

/// A field as it will be written.
#[derive(Debug, Clone)]
pub(crate) struct OutField {
    pub ty: FieldType,
    pub location: Option<ParamIn>,
    pub required: bool,
    pub nullable: bool,
    pub format: Option<String>,
    pub default: Option<Value>,
    pub allowed: Option<Vec<String>>,
    pub from_location: bool,
    pub description: Option<String>,
    pub items: Option<Box<OutField>>,
    pub properties: Option<Vec<(String, OutField)>>,
}

impl OutField {
    pub(crate) fn new(ty: FieldType) -> Self {
        OutField {
            ty,
            location: None,
            required: false,
            nullable: false,
            format: None,
            default: None,
            allowed: None,
            from_location: false,
            description: None,
            items: None,
            properties: None,
        }
    }

    /// The same field as a plain string (for query and path parameters the official file types
    /// in a way a parameter cannot be), keeping its description.
    fn into_string(self, extra: Option<String>) -> OutField {
        let mut field = OutField::new(FieldType::String);
        field.description = join_sentences(self.description, extra);
        field
    }
}

fn is_scalar(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::String | FieldType::Integer | FieldType::Number | FieldType::Boolean
    )
}

/// What a parameter says about its schema from outside it.
#[derive(Default)]
struct Outer<'a> {
    description: Option<&'a str>,
    example: Option<&'a Value>,
    deprecated: bool,
}

impl<'a> Outer<'a> {
    fn of_param(param: &'a Map<String, Value>) -> Self {
        Outer {
            description: param
                .get("description")
                .and_then(Value::as_str)
                .filter(|d| !d.trim().is_empty()),
            example: param.get("example"),
            deprecated: param.get("deprecated") == Some(&Value::Bool(true)),
        }
    }
}

/// Converts the operations of one document.
pub(crate) struct Converter<'a> {
    docs: &'a Docs,
    file: &'a Path,
    root: &'a Value,
    notes: Vec<(NoteKind, String)>,
}

type Param<'a> = (&'a Map<String, Value>, &'a Path);

impl<'a> Converter<'a> {
    pub(crate) fn new(docs: &'a Docs, file: &'a Path, root: &'a Value) -> Self {
        Converter {
            docs,
            file,
            root,
            notes: Vec::new(),
        }
    }

    fn note(&mut self, kind: NoteKind, message: String) {
        self.notes.push((kind, message));
    }

    /// Converts one operation, or says why it cannot.
    pub(crate) fn operation(
        &mut self,
        path: &str,
        method: Method,
        op: &'a Map<String, Value>,
        item: &'a Map<String, Value>,
    ) -> Result<OutTool, String> {
        self.notes.clear();
        if !path.starts_with('/') || path.contains(['?', '#', ' ']) {
            return Err(format!(
                "path `{path}` must start with `/` and hold no query, fragment or space"
            ));
        }
        let mut placeholders: Vec<&str> = Vec::new();
        for name in template_params(path)? {
            if !placeholders.contains(&name) {
                placeholders.push(name);
            }
        }

        let declared = self.declared_params(op, item)?;
        let version = self.version(&declared);

        let mut params: Vec<(String, OutField)> = Vec::new();
        for name in &placeholders {
            let field = self.path_param(name, &declared)?;
            params.push((name.to_string(), field));
        }
        let declared_in_path = |name: &str| {
            declared.iter().any(|(p, _)| {
                param_name(p) == name && p.get("in").and_then(Value::as_str) == Some("path")
            })
        };
        for (param, file) in &declared {
            let name = param_name(param);
            match param.get("in").and_then(Value::as_str) {
                Some("path") if !placeholders.contains(&name) => self.note(
                    NoteKind::DroppedPathParam,
                    format!("path parameter `{name}` is declared but not in the path; dropped"),
                ),
                Some("query") if placeholders.contains(&name) && declared_in_path(name) => self
                    .note(
                        NoteKind::DuplicateParam,
                        format!("`{name}` is declared both in the path and in the query; the path parameter is kept"),
                    ),
                // Made the path parameter (and noted) above.
                Some("query") if placeholders.contains(&name) => {}
                Some("query") => {
                    let field = self.query_param(name, param, file)?;
                    params.push((name.to_string(), field));
                }
                Some("header") => {
                    let lower = name.to_ascii_lowercase();
                    if lower != "version" && lower != "authorization" {
                        self.note(
                            NoteKind::DroppedHeader,
                            format!("header parameter `{name}` dropped: tools send only GHL's standard headers"),
                        );
                    }
                }
                Some("cookie") => self.note(
                    NoteKind::DroppedHeader,
                    format!("cookie parameter `{name}` dropped: tools send no cookies"),
                ),
                _ => {}
            }
        }

        let body = self.body(method, op, &params)?;

        let operation_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let written = |key: &str| op.get(key).and_then(Value::as_str).unwrap_or("");
        let mut summary_text = summary(written("summary"));
        if summary_text.is_empty() {
            summary_text = operation_id
                .clone()
                .unwrap_or_else(|| format!("{} {path}", method.as_str()));
        }
        let description = cap_at_sentence(&plain(written("description")), TOOL_DESCRIPTION_CAP);
        let description = (!description.is_empty() && !same_text(&description, &summary_text))
            .then_some(description);

        Ok(OutTool {
            summary: summary_text,
            description,
            method,
            path: path.to_string(),
            version,
            scopes: self.scopes(op),
            deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
            read_only: method == Method::Post && path.contains("/search"),
            params,
            body,
            operation_id,
            notes: std::mem::take(&mut self.notes),
        })
    }

    /// The path item's parameters overridden by the operation's (same name and `in`), `$ref`s
    /// followed. A parameter declared twice at one level is kept once, with a note.
    fn declared_params(
        &mut self,
        op: &'a Map<String, Value>,
        item: &'a Map<String, Value>,
    ) -> Result<Vec<Param<'a>>, String> {
        let mut out: Vec<Param<'a>> = Vec::new();
        let mut item_level = 0;
        for (level, source) in [item.get("parameters"), op.get("parameters")]
            .into_iter()
            .enumerate()
        {
            if level == 1 {
                item_level = out.len();
            }
            let Some(Value::Array(list)) = source else {
                continue;
            };
            for raw in list {
                let (value, file) = self.docs.follow(raw, self.file)?;
                let Some(param) = value.as_object() else {
                    continue;
                };
                let place = param.get("in").and_then(Value::as_str);
                let name = param_name(param);
                let earlier = out.iter().position(|(p, _)| {
                    param_name(p) == name && p.get("in").and_then(Value::as_str) == place
                });
                match earlier {
                    None => out.push((param, file)),
                    Some(at) if level == 1 && at < item_level => out[at] = (param, file),
                    Some(_) => self.note(
                        NoteKind::DuplicateParam,
                        format!(
                            "{} parameter `{name}` is declared twice; the first is kept",
                            place.unwrap_or("a")
                        ),
                    ),
                }
            }
        }
        Ok(out)
    }

    /// The `Version` header's value: its schema's `enum[0]`, `default` or `example`, or the
    /// parameter's `example`; the default version when there is none.
    fn version(&mut self, declared: &[Param<'a>]) -> String {
        let header = declared.iter().find(|(p, _)| {
            p.get("in").and_then(Value::as_str) == Some("header")
                && param_name(p).eq_ignore_ascii_case("version")
        });
        let Some((param, _)) = header else {
            self.note(
                NoteKind::NoVersion,
                format!("the operation declares no Version header; {DEFAULT_VERSION} is used"),
            );
            return DEFAULT_VERSION.to_string();
        };
        let schema = param.get("schema");
        let candidates = [
            schema.and_then(|s| s.get("enum")).and_then(|e| e.get(0)),
            schema.and_then(|s| s.get("default")),
            schema.and_then(|s| s.get("example")),
            param.get("example"),
        ];
        match candidates
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find(|v| is_date(v))
        {
            Some(version) => version.to_string(),
            None => {
                self.note(
                    NoteKind::NoVersion,
                    format!("the Version header gives no date; {DEFAULT_VERSION} is used"),
                );
                DEFAULT_VERSION.to_string()
            }
        }
    }

    fn scopes(&self, op: &'a Map<String, Value>) -> Vec<String> {
        let requirements = op.get("security").or_else(|| self.root.get("security"));
        let mut scopes: Vec<String> = Vec::new();
        for requirement in requirements.and_then(Value::as_array).into_iter().flatten() {
            for list in requirement.as_object().into_iter().flat_map(|m| m.values()) {
                for scope in list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !scopes.iter().any(|s| s == scope) {
                        scopes.push(scope.to_string());
                    }
                }
            }
        }
        scopes
    }

    /// A `{placeholder}`: the declared path parameter, a query parameter of the same name, or,
    /// undeclared, a string.
    fn path_param(&mut self, name: &str, declared: &[Param<'a>]) -> Result<OutField, String> {
        let find = |place: &str| {
            declared.iter().find(|(p, _)| {
                param_name(p) == name && p.get("in").and_then(Value::as_str) == Some(place)
            })
        };
        let source = match (find("path"), find("query")) {
            (Some(found), _) => Some(found),
            (None, Some(found)) => {
                self.note(
                    NoteKind::PathParamDeclaredInQuery,
                    format!("`{name}` is declared as a query parameter but is in the path template; made a path parameter"),
                );
                Some(found)
            }
            (None, None) => None,
        };
        let mut field = match source {
            None => {
                self.note(
                    NoteKind::UndeclaredPathParam,
                    format!("path parameter `{{{name}}}` is in the template but not declared; declared as a string"),
                );
                OutField::new(FieldType::String)
            }
            Some((param, file)) => {
                let outer = Outer::of_param(param);
                let field = match param.get("schema") {
                    Some(schema) => self.field(&Schema::top(schema, file), name, 1, &outer)?,
                    None => {
                        let mut f = OutField::new(FieldType::String);
                        f.description =
                            describe(outer.description, outer.example, None, outer.deprecated);
                        f
                    }
                };
                if matches!(
                    field.ty,
                    FieldType::String | FieldType::Integer | FieldType::Number
                ) {
                    field
                } else {
                    self.note(
                        NoteKind::PathParamType,
                        format!(
                            "path parameter `{name}` is {} in the official file; made a string",
                            field.ty.with_article()
                        ),
                    );
                    field.into_string(None)
                }
            }
        };
        field.location = Some(ParamIn::Path);
        field.nullable = false;
        field.from_location = name == "locationId" && field.ty == FieldType::String;
        Ok(field)
    }

    /// A query parameter: scalars as they are, arrays of scalars as arrays, anything else a
    /// string.
    fn query_param(
        &mut self,
        name: &str,
        param: &'a Map<String, Value>,
        file: &'a Path,
    ) -> Result<OutField, String> {
        let outer = Outer::of_param(param);
        let alternatives = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| param.get(*k).and_then(Value::as_array))
            .flatten()
            .map(|value| Schema::top(value, file))
            .collect::<Vec<_>>();
        let mut field = match param.get("schema") {
            Some(schema) => self.field(&Schema::top(schema, file), name, 1, &outer)?,
            None => OutField::new(FieldType::Any),
        };
        let alternatives =
            (!alternatives.is_empty()).then(|| self.alternatives_text(&alternatives));
        let items_ty = field.items.as_ref().map(|i| i.ty);
        field = match field.ty {
            FieldType::Array if param.get("explode") == Some(&Value::Bool(false)) => {
                self.note(
                    NoteKind::QueryNotExploded,
                    format!("query parameter `{name}` is sent comma-separated (explode: false); made a string"),
                );
                let allowed = field.items.as_ref().and_then(|i| i.allowed.clone());
                let extra = match allowed {
                    Some(values) => format!("Comma-separated, each one of: {}.", values.join(", ")),
                    None => "Comma-separated.".to_string(),
                };
                field.into_string(Some(extra))
            }
            FieldType::Array if items_ty.is_some_and(is_scalar) => field,
            FieldType::Array if items_ty == Some(FieldType::Any) => {
                self.note(
                    NoteKind::QueryNotScalar,
                    format!("query parameter `{name}` is an array of unknown items; made an array of strings"),
                );
                field.items = Some(Box::new(OutField::new(FieldType::String)));
                field
            }
            ty if is_scalar(ty) => field,
            ty => {
                let shape = match (ty, items_ty) {
                    (FieldType::Array, Some(items)) => format!("an array of {}s", items.as_str()),
                    (FieldType::Any, _) => "any value".to_string(),
                    _ => ty.with_article(),
                };
                let shape = match &alternatives {
                    Some(alternatives) => format!("{shape} (one of: {alternatives})"),
                    None => shape,
                };
                self.note(
                    NoteKind::QueryNotScalar,
                    format!(
                        "query parameter `{name}` is {shape} in the official file; made a string"
                    ),
                );
                let extra = alternatives.map(|a| format!("One of: {a}."));
                field.into_string(extra)
            }
        };
        field.location = Some(ParamIn::Query);
        field.required = param.get("required") == Some(&Value::Bool(true));
        field.nullable = false;
        field.from_location = name == "locationId" && field.ty == FieldType::String;
        Ok(field)
    }

    /// The top-level body properties, or why the body cannot be expressed.
    fn body(
        &mut self,
        method: Method,
        op: &'a Map<String, Value>,
        params: &[(String, OutField)],
    ) -> Result<Vec<(String, OutField)>, String> {
        let Some(raw) = op.get("requestBody") else {
            return Ok(Vec::new());
        };
        let (request, file) = self.docs.follow(raw, self.file)?;
        let content = request.get("content").and_then(Value::as_object);
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            return Ok(Vec::new());
        };
        if method == Method::Get {
            self.note(
                NoteKind::GetBody,
                "the official file gives this GET a body; a GET tool sends none, so it is dropped"
                    .to_string(),
            );
            return Ok(Vec::new());
        }
        let json = content.iter().find(|(ty, _)| {
            let ty = ty.to_ascii_lowercase();
            ty.starts_with("application/json") || ty.ends_with("+json") || ty == "*/*"
        });
        let Some((_, media)) = json else {
            let types: Vec<&str> = content.keys().map(String::as_str).collect();
            let lower = types.join(", ").to_ascii_lowercase();
            return Err(if lower.contains("multipart/form-data") {
                MULTIPART_REASON.to_string()
            } else if lower.contains("application/x-www-form-urlencoded") {
                "form-urlencoded body (application/x-www-form-urlencoded): ghl-mcp tools send JSON bodies only".to_string()
            } else {
                format!(
                    "body of type {}: ghl-mcp tools send JSON bodies only",
                    types.join(", ")
                )
            });
        };
        let Some(schema) = media.get("schema") else {
            self.note(
                NoteKind::EmptyBody,
                "the JSON body has no schema; the tool sends an empty object".to_string(),
            );
            return Ok(Vec::new());
        };
        let schema = Schema::top(schema, file);
        let flat = match self.docs.flatten(&schema) {
            Ok(flat) => flat,
            Err(Problem::Unresolved(reason)) => return Err(reason),
            Err(Problem::Recursive(name)) => {
                return Err(format!("the JSON body's schema refers to itself ({name})"));
            }
        };
        if !flat.alternatives.is_empty() {
            let alternatives = self.alternatives_text(&flat.alternatives);
            return Err(format!(
                "the JSON body is one of several shapes ({alternatives}); the spec format describes one object body"
            ));
        }
        match type_of(&flat) {
            Ok(FieldType::Object) if !flat.properties.is_empty() => {}
            Ok(FieldType::Object | FieldType::Any) => {
                self.note(
                    NoteKind::EmptyBody,
                    "the JSON body is an object without declared properties; the tool sends an empty object (add the body fields by hand)".to_string(),
                );
                return Ok(Vec::new());
            }
            Ok(FieldType::Array) => {
                let of = self.items_text(&flat);
                return Err(format!(
                    "the JSON body is an array{of}; the spec format describes only object bodies"
                ));
            }
            Ok(ty) => {
                return Err(format!(
                    "the JSON body is {}; the spec format describes only object bodies",
                    ty.with_article()
                ));
            }
            Err(ty) => {
                return Err(format!(
                    "the JSON body has type `{ty}`; the spec format describes only object bodies"
                ));
            }
        }
        let mut body = Vec::new();
        for (name, schema) in sorted(&flat.properties) {
            if params.iter().any(|(p, _)| p == name) {
                self.note(
                    NoteKind::BodyParamClash,
                    format!("body property `{name}` has the name of a parameter; the parameter is kept and the body property dropped"),
                );
                continue;
            }
            let mut field = self.field(schema, name, 1, &Outer::default())?;
            field.required = flat.required.contains(name);
            field.from_location = *name == "locationId" && field.ty == FieldType::String;
            body.push((name.to_string(), field));
        }
        self.check_required(&flat, "the body");
        Ok(body)
    }

    fn check_required(&mut self, flat: &Flat<'a>, what: &str) {
        for name in &flat.required {
            if !flat.properties.iter().any(|(n, _)| n == name) {
                self.note(
                    NoteKind::RequiredNotAProperty,
                    format!("{what} lists `{name}` as required but has no such property; ignored"),
                );
            }
        }
    }

    /// One field and everything under it. `at` names it in notes (`dndSettings.Call`,
    /// `tags[]`); `depth` is 1 for parameters and top-level body properties.
    fn field(
        &mut self,
        schema: &Schema<'a>,
        at: &str,
        depth: usize,
        outer: &Outer<'a>,
    ) -> Result<OutField, String> {
        let flat = match self.docs.flatten(schema) {
            Ok(flat) => flat,
            Err(Problem::Unresolved(reason)) => return Err(reason),
            Err(Problem::Recursive(name)) => {
                self.note(
                    NoteKind::Recursive,
                    format!(
                        "`{at}` is a {name}, which encloses it (a recursive schema); typed any"
                    ),
                );
                let mut field = OutField::new(FieldType::Any);
                field.description = describe(
                    outer.description,
                    outer.example,
                    Some(format!("A {name} object.")),
                    outer.deprecated,
                );
                return Ok(field);
            }
        };
        let description = outer.description.or(flat.description);
        let example = outer.example.or(flat.example);
        let deprecated = outer.deprecated || flat.deprecated;

        if depth > MAX_DEPTH {
            self.note(
                NoteKind::DepthCapped,
                format!("`{at}` is nested deeper than {MAX_DEPTH} levels; typed any"),
            );
            let mut field = OutField::new(FieldType::Any);
            field.nullable = flat.nullable;
            field.description = describe(description, example, None, deprecated);
            return Ok(field);
        }
        if !flat.alternatives.is_empty() {
            let alternatives = self.alternatives_text(&flat.alternatives);
            self.note(
                NoteKind::Alternatives,
                format!("`{at}` is one of several shapes ({alternatives}); typed any"),
            );
            let mut field = OutField::new(FieldType::Any);
            field.nullable = flat.nullable;
            field.description = describe(
                description,
                example,
                Some(format!("One of: {alternatives}.")),
                deprecated,
            );
            return Ok(field);
        }
        let ty = match type_of(&flat) {
            Ok(ty) => ty,
            Err(written) => {
                self.note(
                    NoteKind::UnknownType,
                    format!("`{at}` has type `{written}`, which OpenAPI does not have; typed any"),
                );
                FieldType::Any
            }
        };
        let mut field = OutField::new(ty);
        field.nullable = flat.nullable;
        let mut extra = None;

        if let Some(values) = flat.enumeration {
            let mut scalars: Vec<String> = Vec::new();
            let mut others = 0;
            for value in values {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => {
                        field.nullable = true;
                        continue;
                    }
                    Value::Array(_) | Value::Object(_) => {
                        others += 1;
                        continue;
                    }
                };
                if !scalars.contains(&text) {
                    scalars.push(text);
                }
            }
            if others > 0 {
                self.note(
                    NoteKind::DroppedEnum,
                    format!("`{at}`: enum holds lists or objects, not values; dropped"),
                );
            }
            if !scalars.is_empty() {
                if ty == FieldType::String {
                    field.allowed = Some(scalars);
                } else if others == 0 {
                    self.note(
                        NoteKind::EnumInDescription,
                        format!(
                            "`{at}`: enum on {} (only strings have enums); its values are in the description",
                            ty.with_article()
                        ),
                    );
                    extra = Some(format!("One of: {}.", scalars.join(", ")));
                }
            }
        }
        if is_scalar(ty) {
            field.format = flat
                .format
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string);
        }
        if let Some(default) = flat.default.filter(|d| !d.is_null()) {
            let fits = ty.admits(default);
            let in_enum = match (&field.allowed, default.as_str()) {
                (Some(values), Some(default)) => values.iter().any(|v| v == default),
                _ => true,
            };
            if fits && in_enum {
                field.default = Some(default.clone());
            } else {
                let why = if fits {
                    "is not one of its enum values".to_string()
                } else {
                    format!("is not {}", ty.with_article())
                };
                self.note(
                    NoteKind::DroppedDefault,
                    format!("`{at}`: default {default} {why}; dropped"),
                );
            }
        }
        match ty {
            FieldType::Array => {
                let items = match &flat.items {
                    Some(items) if !is_empty_schema(items.value) => {
                        // An array's items are not a level of their own: `a[].b` is as deep
                        // as `a.b`.
                        self.field(items, &format!("{at}[]"), depth, &Outer::default())?
                    }
                    _ => OutField::new(FieldType::Any),
                };
                field.items = Some(Box::new(items));
            }
            FieldType::Object if !flat.properties.is_empty() => {
                let mut properties = Vec::new();
                for (name, schema) in sorted(&flat.properties) {
                    let mut property = self.field(
                        schema,
                        &format!("{at}.{name}"),
                        depth + 1,
                        &Outer::default(),
                    )?;
                    property.required = flat.required.contains(name);
                    properties.push((name.to_string(), property));
                }
                self.check_required(&flat, &format!("`{at}`"));
                field.properties = Some(properties);
            }
            _ => {}
        }
        // An example of a boolean says nothing its type does not; a number's must be one.
        let example = example.filter(|e| match ty {
            FieldType::Boolean => false,
            FieldType::Integer | FieldType::Number => {
                e.is_number() || e.as_str().is_some_and(|s| s.trim().parse::<f64>().is_ok())
            }
            _ => true,
        });
        field.description = describe(description, example, extra, deprecated);
        Ok(field)
    }

    /// `TextField, LargeTextField, string` for `oneOf`/`anyOf` members: the names of the
    /// schemas they refer to, or their types.
    fn alternatives_text(&self, alternatives: &[Schema<'a>]) -> String {
        const SHOWN: usize = 10;
        let mut names: Vec<String> = Vec::new();
        for alternative in alternatives {
            let name = match alternative.ref_name() {
                Some(name) => name.to_string(),
                None => match self.docs.flatten(alternative) {
                    Ok(flat) => match type_of(&flat) {
                        Ok(FieldType::Array) => format!("array{}", self.items_text(&flat)),
                        Ok(FieldType::Any) => "any value".to_string(),
                        Ok(ty) => ty.as_str().to_string(),
                        Err(ty) => ty.to_string(),
                    },
                    Err(_) => "a recursive schema".to_string(),
                },
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.len() > SHOWN {
            let more = names.len() - SHOWN;
            names.truncate(SHOWN);
            names.push(format!("{more} more"));
        }
        names.join(", ")
    }

    /// ` of ItemDto` / ` of strings` for an array, or nothing when its items say nothing.
    fn items_text(&self, flat: &Flat<'a>) -> String {
        let Some(items) = &flat.items else {
            return String::new();
        };
        if let Some(name) = items.ref_name() {
            return format!(" of {name}");
        }
        match self.docs.flatten(items).ok().map(|f| type_of(&f)) {
            Some(Ok(FieldType::Any)) | None => String::new(),
            Some(Ok(ty)) => format!(" of {}s", ty.as_str()),
            Some(Err(ty)) => format!(" of {ty}"),
        }
    }
}

/// Properties by name (each schema's are already; merged `allOf` members are not).
fn sorted<'s, 'a>(properties: &'s [(&'a str, Schema<'a>)]) -> Vec<&'s (&'a str, Schema<'a>)> {
    let mut sorted: Vec<_> = properties.iter().collect();
    sorted.sort_by_key(|(name, _)| *name);
    sorted
}

fn param_name(param: &Map<String, Value>) -> &str {
    param.get("name").and_then(Value::as_str).unwrap_or("")
}

/// The spec type of a flattened schema, or the unknown `type` it was written with.
fn type_of<'a>(flat: &Flat<'a>) -> Result<FieldType, &'a str> {
    Ok(match flat.ty {
        Some("string") => FieldType::String,
        Some("integer") => FieldType::Integer,
        Some("number") => FieldType::Number,
        Some("boolean") => FieldType::Boolean,
        Some("array") => FieldType::Array,
        Some("object") => FieldType::Object,
        Some("any") => FieldType::Any,
        Some(other) => return Err(other),
        None if !flat.properties.is_empty() => FieldType::Object,
        None if flat.items.is_some() => FieldType::Array,
        None => FieldType::Any,
    })
}

fn is_empty_schema(value: &Value) -> bool {
    value.as_object().is_none_or(Map::is_empty)
}

/// `YYYY-MM-DD` with a plausible month and day, as `validate` wants versions.
fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    let number = |r: std::ops::Range<usize>| v.get(r).and_then(|s| s.parse::<u32>().ok());
    shape
        && number(5..7).is_some_and(|m| (1..=12).contains(&m))
        && number(8..10).is_some_and(|d| (1..=31).contains(&d))
}

/// A field's description: the official one made plain and capped, then an example
/// (`, e.g. X.`), then `extra` (enum values, alternatives), then `Deprecated.`.
fn describe(
    description: Option<&str>,
    example: Option<&Value>,
    extra: Option<String>,
    deprecated: bool,
) -> Option<String> {
    let mut text = description
        .map(|d| cap_at_sentence(&plain(d), FIELD_DESCRIPTION_CAP))
        .unwrap_or_default();
    if let Some(example) = example.and_then(example_text)
        && !text.contains(&example)
    {
        if text.is_empty() {
            text = format!("E.g. {example}.");
        } else {
            let head = text.trim_end_matches('.');
            text = format!("{head}, e.g. {example}.");
        }
    }
    let mut text = join_sentences(Some(text), extra).unwrap_or_default();
    if deprecated {
        text = join_sentences(Some(text), Some("Deprecated.".to_string())).unwrap_or_default();
    }
    (!text.is_empty()).then_some(text)
}

/// `a` and `b` as one text, with a period between when `a` does not end a sentence.
fn join_sentences(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a.filter(|a| !a.is_empty()), b.filter(|b| !b.is_empty())) {
        (Some(a), Some(b)) => {
            let stop = if a.ends_with(['.', '!', '?', '…', ':']) {
                ""
            } else {
                "."
            };
            Some(format!("{a}{stop} {b}"))
        }
        (a, b) => a.or(b),
    }
}

/// A short string or a number, as an example worth showing.
fn example_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            let ok = !s.is_empty()
                && s.chars().count() <= 60
                && !s.chars().any(char::is_control)
                && !s.contains("  ");
            ok.then(|| s.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn descriptions_take_an_example_and_extras() {
        let ex = json!("abc123");
        assert_eq!(
            describe(Some("Contact <b>Id</b>."), Some(&ex), None, false).as_deref(),
            Some("Contact Id, e.g. abc123.")
        );
        assert_eq!(
            describe(None, Some(&ex), None, true).as_deref(),
            Some("E.g. abc123. Deprecated.")
        );
        assert_eq!(
            describe(
                Some("Priority"),
                Some(&json!(0.5)),
                Some("One of: 0, 0.5, 1.".into()),
                false
            )
            .as_deref(),
            Some("Priority, e.g. 0.5. One of: 0, 0.5, 1.")
        );
        assert_eq!(
            describe(Some("Has abc123 in it"), Some(&ex), None, false).as_deref(),
            Some("Has abc123 in it")
        );
        assert_eq!(describe(None, Some(&json!(true)), None, false), None);
        assert_eq!(describe(None, Some(&json!({"a": 1})), None, false), None);
    }

    #[test]
    fn versions_are_dates() {
        assert!(is_date("2021-07-28"));
        assert!(!is_date("2021-13-28"));
        assert!(!is_date("v1"));
    }
}
