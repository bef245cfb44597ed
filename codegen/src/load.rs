//! Reading spec files from disk and parsing them into the model.

use std::path::{Path, PathBuf};

use serde_saphyr::{DuplicateKeyPolicy, Options};

use crate::error::{SpecError, SpecErrors};
use crate::spec::AppSpec;

/// A parsed spec file with the path it came from.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file, as found in the specs directory.
    pub file: PathBuf,
    /// Its parsed content.
    pub spec: AppSpec,
}

/// The `*.yaml` files of a specs directory, sorted by name.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, SpecErrors> {
    let unreadable = |e| SpecErrors(vec![whole_file_error(dir, e)]);
    let entries = std::fs::read_dir(dir).map_err(unreadable)?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(unreadable)?.path();
        if path.extension().is_some_and(|ext| ext == "yaml") {
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
            message: e.without_snippet().to_string(),
        }
    })
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
    let tools_at = lines.iter().position(|l| l.trim_end() == "tools:")?;
    let line = usize::try_from(line).ok()?;
    if line <= tools_at + 1 {
        return None;
    }
    let indent = lines[tools_at + 1..]
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.len() - l.trim_start().len())?;
    lines[tools_at + 1..line.min(lines.len())]
        .iter()
        .rev()
        .find_map(|l| {
            let key = l.strip_prefix(&" ".repeat(indent))?;
            if key.starts_with([' ', '#']) {
                return None;
            }
            Some(key.split(':').next()?.trim().to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::tool_at_line;

    #[test]
    fn names_the_tool_around_a_line() {
        let text = "app: a\ntools:\n  one:\n    summary: x\n  two:\n    summary: y\n";
        assert_eq!(tool_at_line(text, 4).as_deref(), Some("one"));
        assert_eq!(tool_at_line(text, 6).as_deref(), Some("two"));
        assert_eq!(tool_at_line(text, 1), None);
    }
}
