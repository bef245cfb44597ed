//! The OpenAPI importer (`ghl_codegen::openapi`): small fixtures exercising each conversion,
//! snapshotted as YAML (accept a deliberate change with
//! `EXPECTORATE=overwrite cargo test -p ghl-codegen --test import`), the whole official set
//! vendored in `openapi/ghl-v2/`, and `compare`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ghl_codegen::load::{LoadedSpec, parse};
use ghl_codegen::openapi::{
    DifferenceKind, ImportError, ImportOptions, Imported, NoteKind, compare, import_file,
};
use ghl_codegen::spec::Method;
use ghl_codegen::validate::validate;

const OFFICIAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/ghl-v2");
const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// The YAML parses and validates as a spec file.
fn check_valid(imported: &Imported) {
    let file = PathBuf::from(format!("{}.yaml", imported.app));
    let spec = parse(&file, &imported.yaml).unwrap_or_else(|e| panic!("{e}\n{}", imported.yaml));
    validate(&[LoadedSpec { file, spec }]).unwrap_or_else(|e| panic!("{e}\n{}", imported.yaml));
}

fn operation_count(file: &Path) -> usize {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| METHODS.contains(&k.as_str()))
                .count()
        })
        .sum()
}

fn import_widgets() -> Imported {
    let options = ImportOptions {
        app: None,
        taken_names: ["delete_thing".to_string()].into(),
    };
    import_file(Path::new("tests/fixtures/openapi/widgets.json"), &options)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The notes of one tool, as `kind: message` lines.
fn notes_of(imported: &Imported, tool: &str) -> Vec<(NoteKind, String)> {
    imported
        .notes
        .iter()
        .filter(|n| n.tool == tool)
        .map(|n| (n.kind, n.message.clone()))
        .collect()
}

fn has_note(imported: &Imported, tool: &str, kind: NoteKind, fragment: &str) -> bool {
    notes_of(imported, tool)
        .iter()
        .any(|(k, m)| *k == kind && m.contains(fragment))
}

#[test]
fn widgets_import_to_the_snapshotted_spec() {
    let imported = import_widgets();
    check_valid(&imported);
    expectorate::assert_contents("tests/snapshots/import/widgets.yaml", &imported.yaml);
    let names: Vec<&str> = imported.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "add_part",
            "create_widget",
            "get_report",
            "get_widget",
            "get_widgets_widget_id_history",
            "list_location_widgets",
            "list_widgets",
            "put_widget_tree",
            "search_widgets",
            "update_widget",
            "widgets_delete_thing",
            "widgets_list_widgets",
        ]
    );
    let get = imported
        .tools
        .iter()
        .find(|t| t.name == "get_widget")
        .unwrap();
    assert_eq!(get.operation_id.as_deref(), Some("get-widget"));
    assert_eq!(get.path, "/widgets/{widgetId}");
}

#[test]
fn widgets_skip_what_the_format_cannot_express() {
    let imported = import_widgets();
    let skipped: Vec<(&str, &str, &str)> = imported
        .skipped
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "HEAD",
                "/widgets",
                "method HEAD is not one a tool can use (GET, POST, PUT, PATCH, DELETE)"
            ),
            (
                "POST",
                "/widgets/bulk",
                "the JSON body is an array of CreateWidgetDto; the spec format describes only object bodies"
            ),
            (
                "POST",
                "/widgets/upload",
                "multipart upload: ghl-mcp tools take JSON; upload files through GHL's UI or a direct API call"
            ),
        ]
    );
    assert_eq!(
        imported.skipped[1].operation_id.as_deref(),
        Some("bulkCreateWidgets")
    );
}

#[test]
fn widgets_note_every_lossy_conversion() {
    let imported = import_widgets();
    let cases: &[(&str, NoteKind, &str)] = &[
        ("get_widget", NoteKind::DroppedHeader, "`X-Trace`"),
        ("get_widget", NoteKind::QueryNotExploded, "`columns`"),
        (
            "get_widget",
            NoteKind::QueryNotScalar,
            "`filter` is an object",
        ),
        ("get_widget", NoteKind::EnumInDescription, "`order`"),
        (
            "get_widget",
            NoteKind::DuplicateParam,
            "`limit` is declared twice",
        ),
        ("update_widget", NoteKind::BodyParamClash, "`widgetId`"),
        ("update_widget", NoteKind::EnumInDescription, "`priority`"),
        ("update_widget", NoteKind::DroppedEnum, "`countries`"),
        (
            "update_widget",
            NoteKind::DroppedDefault,
            "`active`: default false is not a string",
        ),
        (
            "update_widget",
            NoteKind::DroppedDefault,
            "`dimensions.unit`: default \"mm\" is not one of its enum values",
        ),
        (
            "update_widget",
            NoteKind::UnknownType,
            "`weird` has type `forever`",
        ),
        (
            "search_widgets",
            NoteKind::Alternatives,
            "`filter.value` is one of several shapes (string, array of numbers, Dimensions)",
        ),
        ("search_widgets", NoteKind::RequiredNotAProperty, "`query`"),
        ("add_part", NoteKind::UndeclaredPathParam, "`{partId}`"),
        ("add_part", NoteKind::DroppedPathParam, "`legacyId`"),
        (
            "add_part",
            NoteKind::EmptyBody,
            "without declared properties",
        ),
        (
            "get_widgets_widget_id_history",
            NoteKind::NoOperationId,
            "named `get_widgets_widget_id_history`",
        ),
        (
            "get_widgets_widget_id_history",
            NoteKind::NoVersion,
            "2021-07-28 is used",
        ),
        (
            "put_widget_tree",
            NoteKind::Recursive,
            "`root.children[]` is a TreeNode",
        ),
        (
            "create_widget",
            NoteKind::DepthCapped,
            "`deep.l2.l3[].l4.l5.l6.l7`",
        ),
        (
            "widgets_delete_thing",
            NoteKind::NameCollision,
            "another app's tool",
        ),
        (
            "widgets_list_widgets",
            NoteKind::NameCollision,
            "an earlier operation of this file",
        ),
        (
            "get_report",
            NoteKind::PathParamDeclaredInQuery,
            "`reportId`",
        ),
        (
            "list_location_widgets",
            NoteKind::DuplicateParam,
            "`kind` is declared both in the path and in the query",
        ),
        (
            "list_location_widgets",
            NoteKind::QueryNotScalar,
            "`startAfter` is any value (one of: Dimensions, number)",
        ),
    ];
    for (tool, kind, fragment) in cases {
        assert!(
            has_note(&imported, tool, *kind, fragment),
            "{tool}: expected a {kind} note with {fragment:?}; got {:#?}",
            notes_of(&imported, tool)
        );
    }
    let expected: usize = cases.len();
    assert_eq!(
        imported.notes.len(),
        expected,
        "no note beyond the expected ones: {:#?}",
        imported.notes
    );
}

#[test]
fn import_errors_name_the_file_and_the_reason() {
    let options = ImportOptions::default();
    let err = import_file(Path::new("tests/fixtures/openapi/missing.json"), &options).unwrap_err();
    assert!(matches!(err, ImportError::Read { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("tests/fixtures/openapi/missing.json: cannot read:"),
        "{err}"
    );

    let files: BTreeMap<&str, &str> = [
        ("dir/apps/not.json", r#"{"swagger": "2.0", "paths": {}}"#),
        ("dir/apps/bad.json", r#"{"openapi": "3.0.0", "paths": {"#),
        (
            "dir/apps/dangling.json",
            r##"{"openapi": "3.0.0", "paths": {}, "x": {"$ref": "../common/nope.json#/a"}}"##,
        ),
        (
            "dir/apps/uploads.json",
            r#"{"openapi": "3.0.0", "paths": {"/up": {"post": {"summary": "Up",
              "requestBody": {"content": {"multipart/form-data": {"schema": {}}}}}}}}"#,
        ),
        (
            "dir/apps/broken-ref.json",
            r##"{"openapi": "3.0.0", "paths": {
              "/a": {"get": {"operationId": "a", "summary": "A", "parameters": [{"$ref": "#/nowhere"}]}},
              "/b": {"get": {"operationId": "b", "summary": "B"}}}}"##,
        ),
    ]
    .into();
    let mut read = |path: &Path| {
        files
            .get(path.to_str().unwrap())
            .map(|s| s.to_string())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    };
    let import = |name: &str, read: &mut dyn FnMut(&Path) -> std::io::Result<String>| {
        ghl_codegen::openapi::import_with(Path::new(name), &ImportOptions::default(), read)
    };

    let err = import("dir/apps/not.json", &mut read).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dir/apps/not.json: not an OpenAPI 3 document: no `openapi: 3.x` key"
    );
    let err = import("dir/apps/bad.json", &mut read).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("dir/apps/bad.json: not valid JSON: "),
        "{err}"
    );
    let err = import("dir/apps/dangling.json", &mut read).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dir/apps/dangling.json: cannot read dir/common/nope.json, which a $ref names: no such file"
    );
    let err = import("dir/apps/uploads.json", &mut read).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dir/apps/uploads.json: no operation could be converted: POST /up: multipart upload: ghl-mcp \
         tools take JSON; upload files through GHL's UI or a direct API call"
    );
    let err = ghl_codegen::openapi::import_with(
        Path::new("dir/apps/broken-ref.json"),
        &ImportOptions {
            app: Some("Bad-Name".to_string()),
            taken_names: BTreeSet::new(),
        },
        &mut read,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dir/apps/broken-ref.json: app name `Bad-Name` must match ^[a-z0-9_]{1,64}$"
    );

    // A $ref that points at nothing skips its operation, not the file.
    let imported = import("dir/apps/broken-ref.json", &mut read).unwrap();
    assert_eq!(imported.app, "broken_ref");
    assert_eq!(imported.tools.len(), 1);
    assert_eq!(
        imported.skipped[0].to_string(),
        "GET /a: $ref `#/nowhere` points at nothing in dir/apps/broken-ref.json"
    );
    check_valid(&imported);
}

#[test]
fn compare_reports_renames_and_changed_fields() {
    let imported = import_widgets();
    let file = Path::new("widgets.yaml");
    let fresh = parse(file, &imported.yaml).unwrap();
    let again = parse(file, &imported.yaml).unwrap();
    assert_eq!(compare(&fresh, &again), [], "an import matches itself");

    let curated_text =
        std::fs::read_to_string("tests/fixtures/openapi/curated/widgets.yaml").unwrap();
    let curated = parse(Path::new("curated/widgets.yaml"), &curated_text).unwrap();
    let differences: Vec<String> = compare(&curated, &fresh)
        .iter()
        .map(|d| d.to_string())
        .collect();
    expectorate::assert_contents(
        "tests/snapshots/import/widgets.compare.txt",
        &(differences.join("\n") + "\n"),
    );
    let kinds: BTreeSet<DifferenceKind> =
        compare(&curated, &fresh).iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DifferenceKind::OnlyInExisting,
            DifferenceKind::OnlyInImported,
            DifferenceKind::Name,
            DifferenceKind::Version,
            DifferenceKind::Scopes,
            DifferenceKind::Deprecated,
            DifferenceKind::Param,
            DifferenceKind::Body,
        ]
        .into()
    );
    let renamed = compare(&curated, &fresh)
        .into_iter()
        .find(|d| {
            d.kind == DifferenceKind::Name
                && d.path == "/widgets/{widgetId}"
                && d.method == Method::Get
        })
        .unwrap();
    assert_eq!(renamed.existing.as_deref(), Some("fetch_widget"));
    assert_eq!(renamed.imported.as_deref(), Some("get_widget"));
    // Tools that agree give nothing: `list_widgets` is the same on both sides.
    assert!(
        !differences.iter().any(|d| d.contains("`list_widgets`")),
        "{differences:#?}"
    );
}

#[test]
fn imports_every_official_file() {
    let apps = Path::new(OFFICIAL).join("apps");
    assert!(
        apps.is_dir(),
        "the vendored official OpenAPI files are missing: expected {} (apps/*.json and common/), \
         copied from GHL's published v2 OpenAPI files",
        apps.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&apps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 41, "41 official app files");

    let mut taken = BTreeSet::new();
    let (mut operations, mut tools, mut skipped) = (0, 0, 0);
    let mut kinds: BTreeMap<NoteKind, usize> = BTreeMap::new();
    println!("{:<24} {:>5} {:>7}", "app", "tools", "skipped");
    for file in &files {
        let options = ImportOptions {
            app: None,
            taken_names: taken.clone(),
        };
        let imported = import_file(file, &options).unwrap_or_else(|e| panic!("{e}"));
        check_valid(&imported);
        let count = operation_count(file);
        assert_eq!(
            imported.tools.len() + imported.skipped.len(),
            count,
            "{}: every operation is a tool or skipped",
            file.display()
        );
        for tool in &imported.tools {
            assert!(taken.insert(tool.name.clone()), "{} is unique", tool.name);
        }
        println!(
            "{:<24} {:>5} {:>7}",
            imported.app,
            imported.tools.len(),
            imported.skipped.len()
        );
        for s in &imported.skipped {
            println!("    skipped {s}");
        }
        for note in &imported.notes {
            *kinds.entry(note.kind).or_default() += 1;
            println!("    note [{}] {note}", note.kind);
        }
        operations += count;
        tools += imported.tools.len();
        skipped += imported.skipped.len();
    }
    println!("{:<24} {tools:>5} {skipped:>7}", "total");
    println!("notes by kind:");
    for (kind, n) in &kinds {
        println!("    {n:>4} {kind}");
    }
    assert_eq!(operations, 576, "the official set has 576 operations");
    assert_eq!(tools + skipped, 576);
}
