//! Arbitrary bytes as one spec file → load, validate, and for a valid spec everything the
//! build and `ghl-mcp docs` make of it: the resolved model, every input schema, the Rust
//! files and the reference docs.
//!
//! Beyond "never panics" it checks:
//! - every error names the file, has a message, and points inside the text;
//! - a valid spec's generated Rust parses, pretty-prints (as `build.rs` does) and parses back,
//!   and names no two items of a module, nor two fields of a struct, alike (what would parse
//!   but not compile);
//! - every input schema is an object schema whose `required` names are properties, and
//!   `tools.json` is JSON with one entry per tool;
//! - each tool's path template is left as written by the URL parser the client uses (with its
//!   placeholders filled), so a valid spec cannot send a request to another path than it says.
#![no_main]

use std::path::Path;

use ghl_codegen::load::{LoadedSpec, parse};
use ghl_codegen::spec::Exclusions;
use ghl_codegen::{SpecError, docs, model, schema, validate};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const FILE: &str = "fuzz.yaml";

fuzz_target!(|data: &[u8]| {
    // The loader reads files as UTF-8 and reports anything else as unreadable.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new(FILE);
    let spec = match parse(file, text) {
        Ok(spec) => spec,
        Err(error) => return check_error(&error, text),
    };
    let specs = [LoadedSpec {
        file: file.to_path_buf(),
        spec,
    }];
    if let Err(errors) = validate::validate(&specs) {
        assert!(!errors.0.is_empty(), "an Err without errors");
        for error in &errors.0 {
            check_error(error, text);
        }
        return;
    }

    let apps = model::resolve(&specs);
    let mut tools = 0;
    for tool in apps.iter().flat_map(|app| &app.tools) {
        tools += 1;
        check_schema(&schema::input_schema(tool), tool.name);
        check_path_survives_the_url(&tool.spec.path.value);
    }

    let files = ghl_codegen::generate_specs(&specs).expect("validated above");
    for file in files {
        let syntax: syn::File = syn::parse2(file.tokens)
            .unwrap_or_else(|e| panic!("{} is not valid Rust: {e}", file.name));
        check_unique_names(&syntax.items, &file.name);
        let pretty = prettyplease::unparse(&syntax);
        if let Err(e) = syn::parse_file(&pretty) {
            panic!(
                "{} does not parse once pretty-printed: {e}\n{pretty}",
                file.name
            );
        }
    }

    for doc in docs::render(&apps, &Exclusions::default()) {
        if doc.path == "tools.json" {
            let json: Value = serde_json::from_str(&doc.text).expect("tools.json is JSON");
            let listed = json.as_array().map_or(0, Vec::len);
            assert_eq!(listed, tools, "tools.json lists every tool once");
        }
    }
});

fn check_error(error: &SpecError, text: &str) {
    assert_eq!(error.file, Path::new(FILE));
    assert!(
        !error.message.trim().is_empty(),
        "an error without a message"
    );
    // Lines are 1-based; 0 means the file as a whole. One past the last line is where an
    // unexpected end of the text is reported. YAML breaks lines at `\r\n`, `\n` and a lone `\r`.
    let lines = text.replace("\r\n", "\n").matches(['\n', '\r']).count() as u64 + 2;
    assert!(
        error.line <= lines,
        "line {} of a {lines}-line text: {error}",
        error.line
    );
    let _ = error.to_string();
}

fn check_schema(schema: &Value, tool: &str) {
    assert_eq!(schema["type"], "object", "{tool}: {schema}");
    let properties = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{tool}: no properties: {schema}"));
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().expect("required names are strings");
        assert!(
            properties.contains_key(name),
            "{tool}: `{name}` required but not a property"
        );
    }
}

/// The client builds the URL with `Url::set_path(base + path)`; a template the URL parser
/// rewrites (a `..` segment, a backslash, a control character) would send the request to a
/// path other than the one the spec declares and the docs show.
fn check_path_survives_the_url(template: &str) {
    let filled = fill(template);
    let mut url = url::Url::parse(ghl_runtime::DEFAULT_BASE_URL).expect("the default base URL");
    url.set_path(&filled);
    assert_eq!(
        url.path(),
        filled,
        "path template {template:?} is rewritten by the URL"
    );
    assert_eq!(url.query(), None, "path template {template:?}");
    assert_eq!(url.fragment(), None, "path template {template:?}");
}

/// The template with each `{placeholder}` replaced by a plain segment.
fn fill(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push('x');
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// No two items of one module, and no two fields of one struct, share a name.
fn check_unique_names(items: &[syn::Item], file: &str) {
    let mut names = std::collections::BTreeSet::new();
    for item in items {
        let name = match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &module.content {
                    check_unique_names(inner, file);
                }
                Some(module.ident.to_string())
            }
            syn::Item::Struct(item) => {
                let mut fields = std::collections::BTreeSet::new();
                for field in &item.fields {
                    if let Some(ident) = &field.ident {
                        assert!(
                            fields.insert(ident.to_string()),
                            "{file}: field {ident} twice in {}",
                            item.ident
                        );
                    }
                }
                Some(item.ident.to_string())
            }
            syn::Item::Static(item) => Some(item.ident.to_string()),
            syn::Item::Const(item) => Some(item.ident.to_string()),
            syn::Item::Fn(item) => Some(item.sig.ident.to_string()),
            syn::Item::Enum(item) => Some(item.ident.to_string()),
            _ => None,
        };
        if let Some(name) = name {
            assert!(names.insert(name.clone()), "{file}: two items named {name}");
        }
    }
}
