//! Reading spec files from disk and parsing them into the model.

use std::path::{Path, PathBuf};

use serde_saphyr::{DuplicateKeyPolicy, Options};

use crate::error::{SpecError, SpecErrors};
use crate::spec::{AppSpec, Exclusions};

/// A parsed spec file with the path it came from.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file, as found in the specs directory.
    pub file: PathBuf,
    /// Its parsed content.
    pub spec: AppSpec,
}

/// The `*.yaml` and `*.yml` app files of a specs directory, sorted by name. Files whose name
/// starts with `_` are not apps (`_excluded.yaml`).
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, SpecErrors> {
    let unreadable = |e| SpecErrors(vec![whole_file_error(dir, e)]);
    let entries = std::fs::read_dir(dir).map_err(unreadable)?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(unreadable)?.path();
        let yaml = path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        let not_an_app = path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('_'));
        if yaml && !not_an_app && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and parses every spec file in `dir`. Reports every file that fails, not only the first.
pub fn load_dir(dir: &Path) -> Result<Vec<LoadedSpec>, SpecErrors> {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for file in spec_files(dir)? {
        match std::fs::read_to_string(&file) {
            Ok(text) => match parse(&file, &text) {
                Ok(spec) => specs.push(LoadedSpec { file, spec }),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(whole_file_error(&file, e)),
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(SpecErrors(errors))
    }
}

/// The file listing the official operations no tool covers.
pub const EXCLUSIONS_FILE: &str = "_excluded.yaml";

/// Reads `dir/_excluded.yaml`; no file means no exclusions.
pub fn load_exclusions(dir: &Path) -> Result<Exclusions, SpecErrors> {
    let file = dir.join(EXCLUSIONS_FILE);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Exclusions::default()),
        Err(e) => return Err(SpecErrors(vec![whole_file_error(&file, e)])),
    };
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    serde_saphyr::from_str_with_options(&text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |loc| (loc.line(), loc.column()));
        SpecErrors(vec![SpecError {
            file,
            line,
            column,
            tool: None,
            message: plain_message(&e.without_snippet().to_string()),
        }])
    })
}

/// Parses one spec file's text. `file` is only used to name the file in errors.
pub fn parse(file: &Path, text: &str) -> Result<AppSpec, SpecError> {
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |loc| (loc.line(), loc.column()));
        SpecError {
            file: file.to_path_buf(),
            line,
            column,
            tool: tool_at_line(text, line),
            message: plain_message(&e.without_snippet().to_string()),
        }
    })
}

/// The parser's message without the position it appends (the error already starts with it),
/// and without advice meant for programmers rather than spec authors.
fn plain_message(message: &str) -> String {
    // An error at an alias ends with three positions, not one: `… at line 1, column 15 (defined
    // at line 1, column 231) (used at line 1, column 297)`. Cutting only at the last ` at line `
    // left a dangling `(used` (found while fuzzing: an alias bomb in `fixed.body`).
    let mut message = message;
    for group in [" (used at line ", " (defined at line "] {
        if let Some(at) = message.rfind(group)
            && is_position(&message[at + group.len()..], ")")
        {
            message = &message[..at];
        }
    }
    let message = match message.rfind(" at line ") {
        Some(at) if is_position(&message[at + " at line ".len()..], "") => &message[..at],
        _ => message,
    };
    let message = message
        .split_once(", set DuplicateKeyPolicy")
        .map_or(message, |(head, _)| head);
    message
        .split_once("; use Option<")
        .map_or(message, |(head, _)| head)
        .to_string()
}

/// Whether `text` is exactly `<line>, column <column>` followed by `end`.
fn is_position(text: &str, end: &str) -> bool {
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    text.strip_suffix(end)
        .and_then(|text| text.split_once(", column "))
        .is_some_and(|(line, column)| number(line) && number(column))
}

fn whole_file_error(file: &Path, e: std::io::Error) -> SpecError {
    SpecError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        tool: None,
        message: format!("cannot read: {e}"),
    }
}

/// The tool whose block holds `line` (1-based), found from the text's indentation.
///
/// Parse errors carry a line but not the tool; this names it for the reader.
fn tool_at_line(text: &str, line: u64) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let is_tools_key = |l: &&str| {
        let code = l.split(" #").next().unwrap_or("").trim_end();
        code == "tools:"
    };
    let tools_at = lines.iter().position(is_tools_key)?;
    let line = usize::try_from(line).ok()?;
    if line <= tools_at + 1 {
        return None;
    }
    let content = |l: &&&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let indent = lines[tools_at + 1..]
        .iter()
        .find(content)
        .map(|l| indent_of(l))?;
    for l in lines[tools_at + 1..line.min(lines.len())]
        .iter()
        .rev()
        .filter(content)
    {
        match indent_of(l) {
            // A top-level key after the tools: the line is in no tool.
            i if i < indent => return None,
            i if i == indent => return l.trim().split(':').next().map(|k| k.trim().to_string()),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{plain_message, tool_at_line};

    #[test]
    fn names_the_tool_around_a_line() {
        let text = "app: a\ntools:\n  one:\n    summary: x\n  two:\n    summary: y\n";
        assert_eq!(tool_at_line(text, 4).as_deref(), Some("one"));
        assert_eq!(tool_at_line(text, 6).as_deref(), Some("two"));
        assert_eq!(tool_at_line(text, 1), None);
        let text = "app: a\ntools: # one per operation\n  one:\n    summary: x\nextra: 1\n";
        assert_eq!(tool_at_line(text, 4).as_deref(), Some("one"));
        assert_eq!(
            tool_at_line(text, 5),
            None,
            "a top-level key after the tools"
        );
    }

    #[test]
    fn only_app_files_are_specs() {
        let dir =
            std::env::temp_dir().join(format!("ghl-codegen-spec-files-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("folder.yaml")).unwrap();
        for name in [
            "b.yaml",
            "a.yml",
            "_excluded.yaml",
            "notes.txt",
            "c.yaml.imported",
        ] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let files = super::spec_files(&dir).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parse_messages_lose_the_repeated_position_and_programmer_advice() {
        assert_eq!(
            plain_message(
                "duplicate mapping key: a, set DuplicateKeyPolicy in Options if acceptable at line 3, column 3"
            ),
            "duplicate mapping key: a"
        );
        assert_eq!(
            plain_message("missing field `a` at line 3, column 5"),
            "missing field `a`"
        );
        assert_eq!(plain_message("no position here"), "no position here");
        assert_eq!(
            plain_message(
                "cannot deserialize null into string; use Option<String> at line 4, column 9"
            ),
            "cannot deserialize null into string"
        );
    }
}
