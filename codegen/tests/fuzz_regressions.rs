//! What fuzzing the spec loader found (fuzz/README.md, target `spec_load`), kept as tests, and
//! the nastiest inputs tried on the way, with the exact outcome each must keep giving.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ghl_codegen::load::{LoadedSpec, parse};
use ghl_codegen::{SpecError, generate_specs};

const FILE: &str = "fuzz.yaml";

/// A one-tool spec; `tool` is the tool's keys, indented by four spaces. The tool's first key
/// is on line 6.
fn spec(tool: &str) -> String {
    format!("app: a\ndescription: d\nversion: \"2021-07-28\"\ntools:\n  t:\n{tool}")
}

/// The single error a text gives, from the parser or the validator.
#[track_caller]
fn the_error(text: &str) -> SpecError {
    let mut errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.remove(0)
}

fn errors(text: &str) -> Vec<SpecError> {
    match parse(Path::new(FILE), text) {
        Err(e) => vec![e],
        Ok(spec) => {
            let specs = [LoadedSpec {
                file: FILE.into(),
                spec,
            }];
            match generate_specs(&specs) {
                Ok(_) => vec![],
                Err(errors) => errors.0,
            }
        }
    }
}

#[track_caller]
fn assert_error(e: &SpecError, line: u64, column: u64, message: &str) {
    assert_eq!(
        (e.line, e.column, e.tool.as_deref(), e.message.as_str()),
        (line, column, Some("t"), message),
        "{e}"
    );
}

/// Generates a valid spec and checks that every file is Rust that parses.
#[track_caller]
fn generates(text: &str) {
    let spec = parse(Path::new(FILE), text).unwrap_or_else(|e| panic!("{e}"));
    let specs = [LoadedSpec {
        file: FILE.into(),
        spec,
    }];
    let files = generate_specs(&specs).unwrap_or_else(|e| panic!("{e}"));
    for file in files {
        let syntax: syn::File = syn::parse2(file.tokens).expect("valid Rust");
        syn::parse_file(&prettyplease::unparse(&syntax)).expect("valid once pretty-printed");
    }
}

// ---------------------------------------------------------------------------------------
// Findings.

/// Found by `spec_load` (a mutation of companies.yaml): `"` in a path passed validation, and
/// the URL parser sent the request to `/copm%22anies/…` instead.
#[test]
fn a_path_the_url_would_rewrite_is_refused() {
    let text = spec(
        "    summary: s\n    method: GET\n    path: /copm\"anies/{companyId}\"\n    params:\n      companyId: { in: path, type: string }\n",
    );
    assert_error(
        &the_error(&text),
        8,
        11,
        "path `/copm\\\"anies/{companyId}\\\"` holds '\"'; a path may only hold letters, digits, `/`, `{placeholders}` and - . _ ~ ! $ & ' ( ) * + , ; = : @",
    );
}

/// The other rewrites the same check stops: a backslash is read as `/`, non-ASCII and
/// control characters are percent-encoded, `%` could spell a dot segment, and `.`/`..`
/// segments are dropped.
#[test]
fn backslashes_dots_and_encodings_in_paths_are_refused() {
    let path_error = |path: &str| {
        let text = spec(&format!(
            "    summary: s\n    method: GET\n    path: \"{path}\"\n"
        ));
        let e = the_error(&text);
        assert_eq!((e.line, e.column), (8, 11), "{e}");
        e.message
    };
    let holds = |shown: &str, c: &str| {
        format!(
            "path `{shown}` holds {c}; a path may only hold letters, digits, `/`, `{{placeholders}}` and - . _ ~ ! $ & ' ( ) * + , ; = : @"
        )
    };
    assert_eq!(path_error("/a\\\\b"), holds("/a\\\\b", "'\\\\'"));
    assert_eq!(path_error("/caf\u{e9}"), holds("/caf\u{e9}", "'\u{e9}'"));
    assert_eq!(path_error("/a\\tb"), holds("/a\\tb", "'\\t'"));
    assert_eq!(path_error("/a%2e%2e/b"), holds("/a%2e%2e/b", "'%'"));
    assert_eq!(
        path_error("/a/../b"),
        "path `/a/../b` has a `.` or `..` segment"
    );
    assert_eq!(path_error("/a/."), "path `/a/.` has a `.` or `..` segment");
    // What real GHL paths use still passes, `,` and `:` included.
    generates(&spec(
        "    summary: s\n    method: GET\n    path: \"/a-b/c_d/{id}:e,f.json\"\n    params:\n      id: { in: path, type: string }\n",
    ));
}

/// Found while writing the `build_request` oracle: enum rules and docs address nested values
/// by paths such as `items[].kind`, so a property named `a.b` put its enum at `o` → `a` → `b`,
/// where the runtime found no value and so never checked it.
#[test]
fn names_that_would_split_an_argument_path_are_refused() {
    let text = spec(
        "    summary: s\n    method: POST\n    path: /x\n    body:\n      o:\n        type: object\n        properties:\n          \"a.b\": { type: string, enum: [x] }\n",
    );
    assert_error(
        &the_error(&text),
        13,
        11,
        "`o.a.b`: a name cannot hold `.`, `[` or `]` (they separate the steps of paths such as `items[].kind`)",
    );
    let text = spec(
        "    summary: s\n    method: GET\n    path: /x\n    params:\n      \"tags[]\": { in: query, type: string }\n",
    );
    assert_error(
        &the_error(&text),
        10,
        7,
        "`tags[]`: a name cannot hold `.`, `[` or `]` (they separate the steps of paths such as `items[].kind`)",
    );
}

/// Found with an alias bomb in `fixed.body`: an error at an alias carries three positions, and
/// only the last was cut, leaving `… (defined at line 5, column 289) (used`.
#[test]
fn an_alias_bomb_is_a_bounded_error_with_a_whole_message() {
    let mut body = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]");
    for i in 1..10 {
        let p = i - 1;
        body.push_str(&format!(
            ", a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]"
        ));
    }
    let text = spec(&format!(
        "    {{ summary: s, method: POST, path: /x, fixed: {{ body: {{ {body} }} }} }}\n"
    ));
    let e = the_error(&text);
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (6, 354, "budget breached: Nodes { nodes: 250001 }"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------
// Nasty inputs that were already handled.

/// Nesting deeper than the parser's budget is an error, not a stack overflow in validation or
/// generation; nesting just under it generates.
#[test]
fn deep_nesting_is_an_error_and_shallower_nesting_generates() {
    let nested = |depth: usize| {
        let field =
            "{ type: array, items: ".repeat(depth) + "{ type: string }" + &" }".repeat(depth);
        spec(&format!(
            "    summary: s\n    method: POST\n    path: /x\n    body:\n      b: {field}\n"
        ))
    };
    let e = the_error(&nested(5000));
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (10, 1330, "budget breached: Depth { depth: 65 }"),
        "{e}"
    );
    generates(&nested(30));
}

/// A lone `\r` breaks lines in YAML; errors count it.
#[test]
fn carriage_returns_alone_break_lines() {
    let valid = spec("    summary: s\n    method: GET\n    path: /x\n");
    generates(&valid.replace('\n', "\r"));
    let e = the_error(
        &valid
            .replace("method: GET", "method: GOT")
            .replace('\n', "\r"),
    );
    assert_eq!((e.line, e.column), (7, 13), "{e}");
}

/// Numbers a JSON value cannot hold, as defaults.
#[test]
fn huge_and_non_finite_defaults() {
    let with_default = |ty: &str, default: &str| {
        spec(&format!(
            "    summary: s\n    method: POST\n    path: /x\n    body:\n      n: {{ type: {ty}, default: {default} }}\n"
        ))
    };
    let e = the_error(&with_default("number", "1e999"));
    assert_error(
        &e,
        10,
        35,
        "non-finite float `1e999` rejected by the configured policy",
    );
    let e = the_error(&with_default("number", ".nan"));
    assert_error(
        &e,
        10,
        35,
        "non-finite float `.nan` rejected by the configured policy",
    );
    // One past u64::MAX is read as a float, and refused for an integer.
    let e = the_error(&with_default("integer", "18446744073709551616"));
    assert_error(
        &e,
        10,
        7,
        "`n`: default 1.8446744073709552e+19 is not an integer",
    );
    let e = the_error(&with_default("integer", "0x7fffffffffffffffff"));
    assert_error(
        &e,
        10,
        7,
        "`n`: default \"0x7fffffffffffffffff\" is not an integer",
    );
}

/// Names that are no Rust identifier, keywords, and names that collide once made identifiers
/// (`a-b` and `a_b`, `params` and the `Params` struct, `Self` inside `Self`) all generate.
#[test]
fn awkward_names_generate_valid_rust() {
    generates(&spec(
        "    summary: s\n    method: POST\n    path: /x\n    body:\n      \"\": { type: string }\n      \"$\": { type: string }\n      \"1\": { type: string }\n      type: { type: string }\n      self: { type: string }\n      Self: { type: object, properties: { Self: { type: object, properties: { a: { type: string } } } } }\n      a-b: { type: string }\n      a_b: { type: string }\n      params: { type: object, properties: { x: { type: string } } }\n      Params: { type: object, properties: { x: { type: string } } }\n      \"\u{e9}\u{202e}\": { type: string }\n",
    ));
}

/// Found while writing this test (the `spec_load` target checks the same after pretty-printing
/// too): a `\r` in a summary or description, written as a YAML escape, went into a doc
/// attribute that prettyplease printed as `///a\rb`, which does not parse (a bare `\r` is not
/// allowed in a doc comment), so `build.rs` wrote code that did not compile.
#[test]
fn carriage_returns_in_descriptions_generate_valid_rust() {
    for text in ["a\\rb", "a\\nb\\rc", "a\\r\\nb"] {
        generates(&spec(&format!(
            "    summary: \"{text}\"\n    method: POST\n    path: /x\n    body:\n      b: {{ type: string, description: \"{text}\" }}\n"
        )));
    }
    // Other control characters and comment markers were always fine.
    generates(&spec(
        "    summary: \"*/ \\t \\u0000 /* \\u000b \\u2028\"\n    description: \"/** x */\"\n    method: POST\n    path: /x\n",
    ));
}
