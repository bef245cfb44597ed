//! The generated code of the fixture specs, compared with the snapshots beside them.
//! Accept a deliberate change with `EXPECTORATE=overwrite cargo test -p ghl-codegen`.
//! The root package's `tests/generated_fixtures.rs` compiles and runs these snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn widgets_generate_the_snapshotted_code() {
    let generated =
        ghl_codegen::generate(Path::new("tests/fixtures/widgets")).expect("the fixture is valid");
    let names: Vec<&str> = generated.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["apps/widgets.rs", "registry.rs"]);
    for file in generated.files {
        let syntax = syn::parse2(file.tokens).expect("generated code parses");
        let text = format!("{}{}", file.header, prettyplease::unparse(&syntax));
        let snapshot = file.name.trim_start_matches("apps/");
        expectorate::assert_contents(format!("tests/snapshots/{snapshot}"), &text);
    }
}
