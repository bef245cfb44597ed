//! One test per kind of spec error: each feeds a small spec with one deliberate defect through
//! `parse` + `validate` (or `load_dir` / `generate` for multi-file cases) and checks the file,
//! line, column, tool and message of what is reported.
//!
//! Every fixture is a raw string whose first line is `app: ...`, so the line numbers in the
//! assertions can be read off the text (1-based). Columns are 1-based too.
//!
//! Where errors point:
//! - errors about a whole tool point at the tool's name (`  get_thing:`, column 3);
//! - errors about a parameter, body property or nested property point at its name, whether it is
//!   written in flow style (`name: { ... }`) or block style;
//! - array items have no name, so errors about them point at their array's name;
//! - errors about `fixed` values point at the fixed key's name (`fixed: { query: { kind: ... } }`);
//! - errors about `app`, `version` and `path` point at their value;
//! - parse errors point where the parser stopped: an unknown key at that key, a bad value at the
//!   value, and "missing field" at the last key of the mapping that lacks the field (coarser than
//!   one would like: not at the mapping's own name).
//!
//! Parse messages carry no position of their own (the error's line and column hold it) and no
//! advice meant for programmers (`DuplicateKeyPolicy`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ghl_codegen::load::{LoadedSpec, load_dir, parse};
use ghl_codegen::validate::validate;
use ghl_codegen::{SpecError, SpecErrors, generate};

/// The name fixtures are parsed under.
const FILE: &str = "demo.yaml";

/// Parses `text`, expecting a parse error.
#[track_caller]
fn parse_error(text: &str) -> SpecError {
    match parse(Path::new(FILE), text) {
        Ok(spec) => panic!("expected a parse error, got {spec:#?}"),
        Err(e) => {
            assert_plain_message(&e);
            e
        }
    }
}

/// A parse message holds neither the position the parser appends (the error's line and column
/// already say it) nor advice meant for programmers.
#[track_caller]
fn assert_plain_message(e: &SpecError) {
    assert!(!e.message.contains(" at line "), "position in message: {e}");
    assert!(!e.message.contains(", column "), "position in message: {e}");
    assert!(
        !e.message.contains("DuplicateKeyPolicy"),
        "advice in message: {e}"
    );
}

/// Parses `text` (which must parse) and returns every validation error, in reported order.
#[track_caller]
fn validation_errors(text: &str) -> Vec<SpecError> {
    let spec = parse(Path::new(FILE), text).unwrap_or_else(|e| panic!("fixture must parse: {e}"));
    match validate(&[LoadedSpec {
        file: PathBuf::from(FILE),
        spec,
    }]) {
        Ok(()) => Vec::new(),
        Err(errors) => errors.0,
    }
}

/// Parses and validates `text`, expecting exactly one validation error.
#[track_caller]
fn validation_error(text: &str) -> SpecError {
    let errors = validation_errors(text);
    assert_eq!(
        errors.len(),
        1,
        "expected exactly one error, got:\n{}",
        SpecErrors(errors.clone())
    );
    errors.into_iter().next().expect("one error")
}

/// Checks one error's file, line, column, tool and that its message contains `message`.
#[track_caller]
fn assert_error(
    error: &SpecError,
    file: &Path,
    line: u64,
    column: u64,
    tool: Option<&str>,
    message: &str,
) {
    assert_eq!(error.file, file, "file of {error}");
    assert_eq!(
        (error.line, error.column),
        (line, column),
        "line:column of {error}"
    );
    assert_eq!(error.tool.as_deref(), tool, "tool of {error}");
    assert!(
        error.message.contains(message),
        "message of {error}\n  does not contain: {message}"
    );
}

/// `assert_error` for errors in the single in-memory file `FILE`.
#[track_caller]
fn assert_at(error: &SpecError, line: u64, column: u64, tool: Option<&str>, message: &str) {
    assert_error(error, Path::new(FILE), line, column, tool, message);
}

/// A scratch directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "ghl-codegen-spec-errors-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write fixture");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// Parse errors: serde-saphyr stops at the first one; the tool is found from the line.

#[test]
fn parse_unknown_key_in_tool() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
  get_thing:
    sumary: Get a thing
    method: GET
    path: /things/{thingId}
    params:
      thingId: { in: path, type: string }
"#,
    );
    assert_at(&e, 10, 5, Some("get_thing"), "unknown field `sumary`");
    assert!(e.message.contains("expected one of summary,"), "{e}");
}

#[test]
fn parse_unknown_key_in_field() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  search_things:
    summary: Search things
    method: GET
    path: /things/search
    params:
      query:
        type: string
        in: query
        requird: true
"#,
    );
    assert_at(&e, 13, 9, Some("search_things"), "unknown field `requird`");
    assert!(e.message.contains("expected one of type,"), "{e}");
}

#[test]
fn parse_unknown_key_in_annotations() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    annotations:
      readonly: true
"#,
    );
    assert_at(&e, 10, 7, Some("list_things"), "unknown field `readonly`");
    assert!(e.message.contains("expected one of read_only,"), "{e}");
}

#[test]
fn parse_unknown_key_at_top_level() {
    let e = parse_error(
        r#"app: demo
descripton: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
"#,
    );
    assert_at(&e, 2, 1, None, "unknown field `descripton`");
    assert!(e.message.contains("expected one of app,"), "{e}");
}

#[test]
fn parse_unknown_key_at_top_level_after_tools_names_no_tool() {
    // Walking back from the error line, a line indented less than the tool names is a top-level
    // key: the error is in no tool, not in the last tool before it.
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
extra: true
"#,
    );
    assert_at(&e, 9, 1, None, "unknown field `extra`");
}

#[test]
fn parse_error_names_the_tool_when_tools_line_has_a_comment() {
    // A comment after `tools:` does not hide the tools map from the tool lookup.
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:  # one per operation
  list_things:
    sumary: List things
    method: GET
    path: /things
"#,
    );
    assert_at(&e, 6, 5, Some("list_things"), "unknown field `sumary`");
}

#[test]
fn parse_missing_required_key_in_tool() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    path: /things/{thingId}
    params:
      thingId: { in: path, type: string }
"#,
    );
    // Imprecise: points at the tool's last key (`params:`, line 8), not at `get_thing:` (line 5).
    assert_at(&e, 8, 5, Some("get_thing"), "missing field `method`");
}

#[test]
fn parse_missing_required_key_at_top_level() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
"#,
    );
    // Imprecise: points at the last top-level key (`tools:`, line 3).
    assert_at(&e, 3, 1, None, "missing field `version`");
}

#[test]
fn parse_unknown_type() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{thingId}
    params:
      thingId: { in: path, type: strin }
"#,
    );
    assert_at(&e, 10, 34, Some("get_thing"), "unknown variant `strin`");
    assert!(e.message.contains("expected one of string,"), "{e}");
}

#[test]
fn parse_unknown_method() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: FETCH
    path: /things
"#,
    );
    assert_at(&e, 7, 13, Some("list_things"), "unknown variant `FETCH`");
    assert!(e.message.contains("expected one of GET,"), "{e}");
}

#[test]
fn parse_wrong_scalar_type() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    deprecated: sometimes
"#,
    );
    assert_at(&e, 9, 17, Some("list_things"), "invalid boolean");
}

#[test]
fn parse_duplicate_tool_name_in_one_file() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{thingId}
    params:
      thingId: { in: path, type: string }
  list_things:
    summary: List things
    method: GET
    path: /things
  get_thing:
    summary: Get a thing again
    method: GET
    path: /things
"#,
    );
    // The duplicate's own line names it, not the tool before it (`list_things`).
    assert_at(
        &e,
        15,
        3,
        Some("get_thing"),
        "duplicate mapping key: get_thing",
    );
    // Only what is wrong: no position, no advice to set `DuplicateKeyPolicy`.
    assert_eq!(e.message, "duplicate mapping key: get_thing");
    assert!(!e.message.contains("DuplicateKeyPolicy"), "{e}");
    assert!(!e.message.contains(" at line "), "{e}");
}

#[test]
fn parse_duplicate_key_in_a_tool() {
    let e = parse_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    summary: List the things
"#,
    );
    assert_eq!((e.line, e.tool.as_deref()), (9, Some("list_things")), "{e}");
    assert!(e.message.contains("duplicate"), "{e}");
    assert!(e.message.contains("summary"), "{e}");
    assert!(!e.message.contains("DuplicateKeyPolicy"), "{e}");
    assert!(!e.message.contains(" at line "), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Names.

#[test]
fn tool_name_with_uppercase() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  Get_Thing:
    summary: Get a thing
    method: GET
    path: /things
"#,
    );
    // At the tool's name.
    assert_at(
        &e,
        5,
        3,
        Some("Get_Thing"),
        "tool names must match ^[a-z0-9_]{1,64}$",
    );
}

#[test]
fn tool_name_too_long() {
    let spec = |name: &str| {
        format!(
            r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  {name}:
    summary: List things
    method: GET
    path: /things
"#
        )
    };
    let long = "t".repeat(65);
    let e = validation_error(&spec(&long));
    assert_at(
        &e,
        5,
        3,
        Some(long.as_str()),
        "tool names must match ^[a-z0-9_]{1,64}$",
    );
    // 64 characters is still fine.
    assert_eq!(validation_errors(&spec(&"t".repeat(64))), []);
}

#[test]
fn app_name_with_uppercase() {
    let e = validation_error(
        r#"app: Demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
"#,
    );
    assert_at(
        &e,
        1,
        6,
        None,
        "app name `Demo` must match ^[a-z0-9_]{1,64}$",
    );
}

#[test]
fn duplicate_tool_name_across_files() {
    let dir = TempDir::new("dup-tool");
    let first = dir.write(
        "alpha.yaml",
        r#"app: alpha
description: Alpha app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things
"#,
    );
    let second = dir.write(
        "beta.yaml",
        r#"app: beta
description: Beta app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
  get_thing:
    summary: Get another thing
    method: GET
    path: /other-things
"#,
    );
    // Not a spec: ignored by the loader.
    dir.write("README.md", "not a spec\n");
    let specs = load_dir(dir.path()).expect("both files parse");
    assert_eq!(specs.len(), 2);
    let errors = validate(&specs).expect_err("duplicate tool").0;
    assert_eq!(errors.len(), 1, "{}", SpecErrors(errors.clone()));
    let expected = format!("tool name is already used in {}", first.display());
    // Reported in the later file, at its tool's name (line 9), naming the earlier file.
    assert_error(&errors[0], &second, 9, 3, Some("get_thing"), &expected);
}

#[test]
fn duplicate_app_across_files() {
    let dir = TempDir::new("dup-app");
    let first = dir.write(
        "a.yaml",
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
"#,
    );
    let second = dir.write(
        "b.yaml",
        r#"app: demo
description: Demo app, again.
version: "2021-07-28"
tools:
  list_widgets:
    summary: List widgets
    method: GET
    path: /widgets
"#,
    );
    let errors = generate(dir.path()).expect_err("duplicate app").0;
    assert_eq!(errors.len(), 1, "{}", SpecErrors(errors.clone()));
    let expected = format!("app `demo` is already defined in {}", first.display());
    assert_error(&errors[0], &second, 1, 6, None, &expected);
}

// ---------------------------------------------------------------------------------------------
// Paths and parameters.

#[test]
fn path_placeholder_not_declared() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{thingId}
"#,
    );
    assert_at(
        &e,
        8,
        11,
        Some("get_thing"),
        "path parameter `{thingId}` is not declared in params (add `thingId: { in: path, type: string }`)",
    );
}

#[test]
fn path_placeholder_declared_in_query() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{thingId}
    params:
      thingId: { in: query, type: string }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("get_thing"),
        "`thingId` is in the path template, so it needs `in: path`",
    );
}

#[test]
fn path_param_absent_from_template() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things
    params:
      thingId: { in: path, type: string }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("get_thing"),
        "path parameter `thingId` does not appear in the path `/things`",
    );
}

#[test]
fn param_without_in() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      limit: { type: integer }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("list_things"),
        "parameter `limit` needs `in: path` or `in: query`",
    );
}

#[test]
fn body_property_with_in() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      name: { type: string, in: query }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("create_thing"),
        "body property `name` cannot have `in` (only params can)",
    );
}

#[test]
fn nested_property_with_in() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      owner:
        type: object
        properties:
          id: { type: string, in: path }
"#,
    );
    assert_at(
        &e,
        13,
        11,
        Some("create_thing"),
        "`owner.id` cannot have `in` (only params can)",
    );
}

#[test]
fn array_item_with_in() {
    // `in` belongs to params only, never to an array's items, in the body or in params. Array
    // items have no name, so the error is at the array's name.
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    params:
      ids: { in: query, type: array, items: { type: string, in: query } }
    body:
      tags:
        type: array
        items: { type: string, in: query }
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        10,
        7,
        Some("create_thing"),
        "`ids[]`: array items cannot have `in` (only params can)",
    );
    assert_at(
        &errors[1],
        12,
        7,
        Some("create_thing"),
        "`tags[]`: array items cannot have `in` (only params can)",
    );
}

#[test]
fn path_param_with_non_scalar_type() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{filter}
    params:
      filter: { in: path, type: object }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("get_thing"),
        "path parameter `filter` must be a string, integer or number, not object",
    );
}

#[test]
fn query_param_object_or_array_of_objects() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      filter: { in: query, type: object }
      ids: { in: query, type: array, items: { type: object } }
      tags: { in: query, type: array, items: { type: string } }
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        10,
        7,
        Some("list_things"),
        "query parameter `filter` must be a scalar or an array of scalars",
    );
    assert_at(
        &errors[1],
        11,
        7,
        Some("list_things"),
        "query parameter `ids` must be a scalar or an array of scalars",
    );
}

#[test]
fn get_with_body() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    body:
      name: { type: string }
"#,
    );
    // At the tool's name.
    assert_at(
        &e,
        5,
        3,
        Some("list_things"),
        "a GET tool cannot have a body",
    );
}

#[test]
fn get_with_fixed_body() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    fixed:
      body: { kind: widget }
"#,
    );
    assert_at(
        &e,
        5,
        3,
        Some("list_things"),
        "a GET tool cannot have a body",
    );
}

#[test]
fn annotations_read_only_and_destructive() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  delete_thing:
    summary: Delete a thing
    method: DELETE
    path: /things
    annotations: { read_only: true, destructive: true }
"#,
    );
    // At the tool's name.
    assert_at(
        &e,
        5,
        3,
        Some("delete_thing"),
        "annotations make the tool both read-only and destructive; a tool that only reads destroys nothing",
    );
}

#[test]
fn a_get_marked_destructive_is_read_only_and_destructive() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    annotations: { destructive: true }
"#,
    );
    assert_at(
        &e,
        5,
        3,
        Some("list_things"),
        "annotations make the tool both read-only and destructive; a tool that only reads destroys nothing",
    );
}

#[test]
fn argument_in_params_and_body() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  update_thing:
    summary: Update a thing
    method: PUT
    path: /things/{thingId}
    params:
      thingId: { in: path, type: string }
    body:
      thingId: { type: string }
"#,
    );
    assert_at(
        &e,
        12,
        7,
        Some("update_thing"),
        "`thingId` is both a parameter and a body property; a tool's argument names must be unique",
    );
}

// ---------------------------------------------------------------------------------------------
// Fixed values: reported at the fixed key's name.

#[test]
fn fixed_body_key_also_in_body() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      kind: { type: string }
    fixed:
      body: { kind: widget }
"#,
    );
    assert_at(
        &e,
        12,
        15,
        Some("create_thing"),
        "fixed body value `kind` is also a body property; drop one of them",
    );
}

#[test]
fn fixed_query_key_also_a_param() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      kind: { in: query, type: string }
    fixed:
      query: { kind: widget }
"#,
    );
    assert_at(
        &e,
        12,
        16,
        Some("list_things"),
        "fixed query value `kind` is also a parameter; drop one of them",
    );
}

#[test]
fn fixed_query_value_object_or_null() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    fixed:
      query: { empty: null, filter: { a: 1 }, ids: [1, 2], limit: 10 }
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        10,
        16,
        Some("list_things"),
        "fixed query value `empty` must be a scalar or an array of scalars",
    );
    assert_at(
        &errors[1],
        10,
        29,
        Some("list_things"),
        "fixed query value `filter` must be a scalar or an array of scalars",
    );
}

#[test]
fn fixed_query_array_of_non_scalars() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    fixed:
      query: { channel: [a, {x: 1}], nested: [[1, 2]], ok: [a, 1, true] }
"#,
    );
    // An array is sent as one `key=value` pair per element, so every element must be a scalar.
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        10,
        16,
        Some("list_things"),
        "fixed query value `channel` must be a scalar or an array of scalars",
    );
    assert_at(
        &errors[1],
        10,
        38,
        Some("list_things"),
        "fixed query value `nested` must be a scalar or an array of scalars",
    );
}

// ---------------------------------------------------------------------------------------------
// Field shapes.

#[test]
fn enum_on_a_non_string() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      limit: { in: query, type: integer, enum: [ten, twenty] }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("list_things"),
        "`limit`: enum is only allowed on strings, not integer",
    );
}

#[test]
fn empty_enum() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      status: { in: query, type: string, enum: [] }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("list_things"),
        "`status`: enum lists no values",
    );
}

#[test]
fn array_without_items() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      tags: { type: array }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("create_thing"),
        "`tags`: an array needs `items` (use `items: { type: any }` when unknown)",
    );
}

#[test]
fn nested_array_without_items() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      owner:
        type: object
        properties:
          aliases: { type: array }
"#,
    );
    assert_at(
        &e,
        13,
        11,
        Some("create_thing"),
        "`owner.aliases`: an array needs `items`",
    );
}

#[test]
fn items_on_a_non_array() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      name: { type: string, items: { type: string } }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("create_thing"),
        "`name`: only arrays have `items`",
    );
}

#[test]
fn properties_on_a_non_object() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      name:
        type: string
        properties:
          first: { type: string }
"#,
    );
    // A block-style field's errors point at its name too (line 10), not at its first key.
    assert_at(
        &e,
        10,
        7,
        Some("create_thing"),
        "`name`: only objects have `properties`",
    );
}

#[test]
fn from_location_on_a_nested_field() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      owner:
        type: object
        properties:
          locationId: { type: string, from: location }
      ids: { type: array, items: { type: string, from: location } }
"#,
    );
    // Entries are checked in name order (`ids` before `owner`); errors come out sorted by line.
    // The nested property's error is at its name; the array item's at its array's name.
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        13,
        11,
        Some("create_thing"),
        "`owner.locationId`: `from` is only allowed on top-level parameters and body properties",
    );
    assert_at(
        &errors[1],
        14,
        7,
        Some("create_thing"),
        "`ids[]`: `from` is only allowed on top-level parameters and body properties",
    );
}

#[test]
fn from_location_on_a_non_string() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      locationId: { in: query, type: integer, from: location }
"#,
    );
    assert_at(
        &e,
        10,
        7,
        Some("list_things"),
        "`locationId`: `from: location` needs type string",
    );
}

#[test]
fn default_of_the_wrong_type() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      a_int: { in: query, type: integer, default: 1.5 }
      b_str: { in: query, type: string, default: 3 }
      c_bool: { in: query, type: boolean, default: "true" }
      d_num: { in: query, type: number, default: 2 }
      e_list: { in: query, type: array, items: { type: string }, default: x }
"#,
    );
    // `d_num` is fine: a whole number is a number.
    assert_eq!(errors.len(), 4, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        10,
        7,
        Some("list_things"),
        "`a_int`: default 1.5 is not an integer",
    );
    assert_at(
        &errors[1],
        11,
        7,
        Some("list_things"),
        "`b_str`: default 3 is not a string",
    );
    assert_at(
        &errors[2],
        12,
        7,
        Some("list_things"),
        "`c_bool`: default \"true\" is not a boolean",
    );
    assert_at(
        &errors[3],
        14,
        7,
        Some("list_things"),
        "`e_list`: default \"x\" is not an array",
    );
}

#[test]
fn string_default_not_among_enum_values() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    params:
      status: { in: query, type: string, enum: [open, closed], default: pending }
      sort: { in: query, type: string, enum: [asc, desc], default: asc }
      tags:
        in: query
        type: array
        items: { type: string, enum: [red, blue], default: green }
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        10,
        7,
        Some("list_things"),
        "`status`: default \"pending\" is not one of its enum values",
    );
    // An item's default is checked too, and reported at its array's name.
    assert_at(
        &errors[1],
        12,
        7,
        Some("list_things"),
        "`tags[]`: default \"green\" is not one of its enum values",
    );
}

// ---------------------------------------------------------------------------------------------
// Versions, paths, file shape, summary.

#[test]
fn bad_version_at_file_level() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-7-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
"#,
    );
    assert_at(
        &e,
        3,
        10,
        None,
        r#"version `2021-7-28` must be a date such as "2021-07-28""#,
    );
}

#[test]
fn bad_version_at_tool_level() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    version: 2021/07/28
"#,
    );
    assert_at(
        &e,
        9,
        14,
        Some("list_things"),
        r#"version `2021/07/28` must be a date such as "2021-07-28""#,
    );
}

#[test]
fn version_with_month_13_or_day_00() {
    // Shaped like a date, but not one: month 13 for the file, day 00 for a tool.
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-13-01"
tools:
  list_things:
    summary: List things
    method: GET
    path: /things
    version: "2021-07-00"
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        3,
        10,
        None,
        r#"version `2021-13-01` must be a date such as "2021-07-28""#,
    );
    assert_at(
        &errors[1],
        9,
        14,
        Some("list_things"),
        r#"version `2021-07-00` must be a date such as "2021-07-28""#,
    );
}

#[test]
fn path_with_unclosed_placeholder() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{thingId
    params:
      thingId: { in: path, type: string }
"#,
    );
    assert_at(
        &e,
        8,
        11,
        Some("get_thing"),
        "path `/things/{thingId` has an unclosed `{`",
    );
}

#[test]
fn path_with_empty_placeholder_or_unmatched_brace() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_a:
    summary: Get an a
    method: GET
    path: /a/{}
  get_b:
    summary: Get a b
    method: GET
    path: /b/c}
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        8,
        11,
        Some("get_a"),
        "path `/a/{}` has a malformed placeholder `{}`",
    );
    assert_at(
        &errors[1],
        12,
        11,
        Some("get_b"),
        "path `/b/c}` has an unmatched `}`",
    );
}

#[test]
fn path_not_starting_with_slash_or_holding_a_query() {
    let errors = validation_errors(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_a:
    summary: List a
    method: GET
    path: things
  list_b:
    summary: List b
    method: GET
    path: /things?limit=1
"#,
    );
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_at(
        &errors[0],
        8,
        11,
        Some("list_a"),
        "path `things` must start with `/` and hold no query, fragment or space",
    );
    assert_at(
        &errors[1],
        12,
        11,
        Some("list_b"),
        "path `/things?limit=1` must start with `/` and hold no query, fragment or space",
    );
}

#[test]
fn empty_tools_map() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools: {}
"#,
    );
    // At the app name.
    assert_at(&e, 1, 6, None, "the file declares no tools");
}

#[test]
fn empty_summary() {
    let e = validation_error(
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  list_things:
    summary: "  "
    method: GET
    path: /things
"#,
    );
    // At the tool's name.
    assert_at(&e, 5, 3, Some("list_things"), "summary is empty");
}

// ---------------------------------------------------------------------------------------------
// Every error, not just the first.

const THREE_DEFECTS: &str = r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  get_thing:
    summary: Get a thing
    method: GET
    path: /things/{thingId}
    params:
      limit: { in: query, type: integer, enum: [ten] }
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      tags: { type: array }
"#;

#[test]
fn every_error_is_reported_sorted_by_line() {
    // Tools are visited in name order (`create_thing` first), so the sort is what puts
    // `get_thing`'s errors first.
    let errors = validation_errors(THREE_DEFECTS);
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.column, e.tool.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (8, 11, Some("get_thing")),
            (10, 7, Some("get_thing")),
            (16, 7, Some("create_thing")),
        ]
    );
    assert_eq!(
        SpecErrors(errors).to_string(),
        "demo.yaml:8:11: tool `get_thing`: path parameter `{thingId}` is not declared in params (add `thingId: { in: path, type: string }`)\n\
         demo.yaml:10:7: tool `get_thing`: `limit`: enum is only allowed on strings, not integer\n\
         demo.yaml:16:7: tool `create_thing`: `tags`: an array needs `items` (use `items: { type: any }` when unknown)\n\
         3 errors in the specs"
    );
}

#[test]
fn generate_reports_every_error_of_every_file() {
    let dir = TempDir::new("every-error");
    let defects = dir.write("demo.yaml", THREE_DEFECTS);
    let empty = dir.write(
        "empty.yaml",
        r#"app: empty
description: Nothing yet.
version: "2021-07-28"
tools: {}
"#,
    );
    let errors = generate(dir.path()).expect_err("defects").0;
    let got: Vec<_> = errors.iter().map(|e| (e.file.clone(), e.line)).collect();
    assert_eq!(
        got,
        [
            (defects.clone(), 8),
            (defects.clone(), 10),
            (defects, 16),
            (empty, 1)
        ]
    );
    assert!(
        SpecErrors(errors)
            .to_string()
            .ends_with("\n4 errors in the specs")
    );
}

#[test]
fn load_dir_reports_every_file_that_fails() {
    let dir = TempDir::new("load-errors");
    let a = dir.write(
        "a.yaml",
        r#"app: a
description: A.
version: "2021-07-28"
tools:
  list_a:
    summary: List a
    method: FETCH
    path: /a
"#,
    );
    let b = dir.write(
        "b.yaml",
        r#"app: b
description: B.
version: "2021-07-28"
tools:
  list_b:
    summary: List b
    method: GET
    path: /b
    params:
      q: { in: query, type: strin }
"#,
    );
    // A directory named like a spec is not a spec: it is not read at all.
    std::fs::create_dir(dir.path().join("c.yaml")).expect("create c.yaml dir");
    let errors = load_dir(dir.path()).expect_err("two failures").0;
    assert_eq!(errors.len(), 2, "{}", SpecErrors(errors.clone()));
    assert_error(
        &errors[0],
        &a,
        7,
        13,
        Some("list_a"),
        "unknown variant `FETCH`",
    );
    assert_error(
        &errors[1],
        &b,
        10,
        29,
        Some("list_b"),
        "unknown variant `strin`",
    );
}

#[test]
fn load_dir_loads_yml_files_like_yaml_ones() {
    let dir = TempDir::new("yml");
    let spec = |app: &str| {
        format!(
            r#"app: {app}
description: The {app} app.
version: "2021-07-28"
tools:
  list_{app}:
    summary: List {app}
    method: GET
    path: /{app}
"#
        )
    };
    let b = dir.write("b.yml", &spec("beta"));
    let a = dir.write("a.yaml", &spec("alpha"));
    // Neither is a spec.
    dir.write("c.json", &spec("gamma"));
    dir.write("d.yml.bak", &spec("delta"));
    let specs = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<_> = specs
        .iter()
        .map(|s| (s.file.clone(), s.spec.app.value.as_str()))
        .collect();
    assert_eq!(got, [(a, "alpha"), (b, "beta")]);
    assert_eq!(validate(&specs), Ok(()));
}

#[test]
fn load_dir_on_a_missing_directory() {
    let dir = TempDir::new("missing");
    let missing = dir.path().join("no-such-dir");
    let errors = load_dir(&missing).expect_err("missing dir").0;
    assert_eq!(errors.len(), 1);
    assert_error(&errors[0], &missing, 0, 0, None, "cannot read: ");
    assert_eq!(
        SpecErrors(errors).to_string().lines().last(),
        Some("1 error in the specs")
    );
}

#[test]
fn display_names_file_line_column_and_tool() {
    let with_tool = SpecError {
        file: PathBuf::from("specs/demo.yaml"),
        line: 6,
        column: 5,
        tool: Some("list_things".into()),
        message: "summary is empty".into(),
    };
    assert_eq!(
        with_tool.to_string(),
        "specs/demo.yaml:6:5: tool `list_things`: summary is empty"
    );
    let without_tool = SpecError {
        tool: None,
        ..with_tool.clone()
    };
    assert_eq!(
        without_tool.to_string(),
        "specs/demo.yaml:6:5: summary is empty"
    );
    assert_eq!(
        SpecErrors(vec![with_tool]).to_string(),
        "specs/demo.yaml:6:5: tool `list_things`: summary is empty\n1 error in the specs"
    );
}

// ---------------------------------------------------------------------------------------------
// A valid spec.

const VALID: &str = r#"app: widgets
description: Widgets of a location.
version: "2021-07-28"
tools:
  get_widget:
    summary: Get a widget
    description: Returns one widget by id.
    method: GET
    path: /widgets/{widgetId}
    version: "2021-04-15"
    scopes: [widgets.readonly]
    params:
      widgetId: { in: path, type: string, description: "Widget id." }
      include: { in: query, type: array, items: { type: string, enum: [parts, owner] } }
      locationId: { in: query, type: string, required: true, from: location }
      limit: { in: query, type: integer, default: 20 }
    fixed:
      query: { expand: true, fields: [a, b] }
  create_widget:
    summary: Create a widget
    method: POST
    path: /widgets
    scopes: [widgets.write]
    annotations: { idempotent: true }
    body:
      name: { type: string, required: true, format: email }
      kind: { type: string, enum: [small, large], default: small }
      locationId: { type: string, from: location }
      dimensions:
        type: object
        description: Size of the widget.
        properties:
          width: { type: number }
          height: { type: number, default: 1.5 }
          unit: { type: string, enum: [cm, in] }
      parts:
        type: array
        items:
          type: object
          properties:
            sku: { type: string, required: true }
            count: { type: integer, default: 1 }
            tags: { type: array, items: { type: any } }
      meta: { type: object }
      extra: { type: any, default: { x: 1 } }
    fixed:
      body: { source: api }
  delete_widget:
    summary: Delete a widget
    method: DELETE
    path: /widgets/{widgetId}/parts/{partId}
    deprecated: true
    annotations: { destructive: true, read_only: false }
    params:
      widgetId: { in: path, type: string }
      partId: { in: path, type: integer }
"#;

#[test]
fn valid_spec_has_no_errors() {
    assert_eq!(validation_errors(VALID), []);
}

#[test]
fn generate_on_a_valid_spec_returns_app_and_registry_files() {
    let dir = TempDir::new("valid");
    let input = dir.write("widgets.yaml", VALID);
    let generated = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(generated.inputs, [input]);
    let names: Vec<_> = generated.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["apps/widgets.rs", "registry.rs"]);
    assert!(generated.files.iter().all(|f| !f.tokens.is_empty()));
}

#[test]
fn generate_mangles_keyword_and_digit_tool_names_and_an_app_named_registry() {
    let dir = TempDir::new("keywords");
    dir.write(
        "registry.yaml",
        r#"app: registry
description: An app whose name is that of the registry file.
version: "2021-07-28"
tools:
  move:
    summary: Move a thing
    method: POST
    path: /things/move
    body:
      type: { type: string }
      self: { type: string }
      move: { type: object, properties: { 1st: { type: integer } } }
  type:
    summary: List types
    method: GET
    path: /types
  self:
    summary: Get oneself
    method: GET
    path: /self
  1st_tool:
    summary: The first tool
    method: GET
    path: /first
  move_:
    summary: A tool already named like a mangled one
    method: GET
    path: /move
"#,
    );
    dir.write(
        "type.yaml",
        r#"app: type
description: An app whose name is a keyword.
version: "2021-07-28"
tools:
  list_kinds:
    summary: List kinds
    method: GET
    path: /kinds
"#,
    );
    let generated = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<_> = generated.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["apps/registry.rs", "apps/type.rs", "registry.rs"],
        "an app named `registry` does not collide with `registry.rs`"
    );
    let mut text = std::collections::BTreeMap::new();
    for file in &generated.files {
        let syntax = syn::parse2::<syn::File>(file.tokens.clone())
            .unwrap_or_else(|e| panic!("{} does not parse: {e}\n{}", file.name, file.tokens));
        text.insert(file.name.as_str(), prettyplease::unparse(&syntax));
    }
    let app = &text["apps/registry.rs"];
    // A name that needs no change keeps its module; the others are mangled, and a mangled name
    // that collides with an existing one is numbered.
    for module in [
        "pub mod registry {",
        "pub mod move_ {",
        "pub mod type_ {",
        "pub mod self_ {",
        "pub mod _1st_tool {",
        "pub mod move_2 {",
    ] {
        assert!(app.contains(module), "no `{module}` in:\n{app}");
    }
    // Tools keep their spec names.
    for name in ["move", "type", "self", "1st_tool", "move_"] {
        assert!(
            app.contains(&format!("name: \"{name}\",")),
            "no tool `{name}` in:\n{app}"
        );
    }
    assert!(
        text["apps/type.rs"].contains("pub mod type_ {"),
        "{}",
        text["apps/type.rs"]
    );
    let registry = &text["registry.rs"];
    assert!(registry.contains(r#""/apps/registry.rs""#), "{registry}");
    assert!(registry.contains("tools: registry::TOOLS"), "{registry}");
    assert!(registry.contains("tools: type_::TOOLS"), "{registry}");
}

#[test]
fn generate_object_property_named_self() {
    // `naming::type_ident("self")` is `Self`, and nested structs are named from it unchanged, so
    // the generated `pub struct Self { ... }` does not parse ("expected identifier, found keyword
    // `Self`"). Field names are mangled (`self_`); the struct name should be too.
    let dir = TempDir::new("self-struct");
    dir.write(
        "demo.yaml",
        r#"app: demo
description: Demo app.
version: "2021-07-28"
tools:
  create_thing:
    summary: Create a thing
    method: POST
    path: /things
    body:
      self: { type: object, properties: { id: { type: string } } }
"#,
    );
    let generated = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    for file in &generated.files {
        if let Err(e) = syn::parse2::<syn::File>(file.tokens.clone()) {
            panic!("{} does not parse: {e}\n{}", file.name, file.tokens);
        }
    }
}
