//! Spec errors: each names the file, line, column, tool and what is wrong.

use std::fmt;
use std::path::PathBuf;

/// One problem found in one spec file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    /// The spec file, as it was given to the loader.
    pub file: PathBuf,
    /// 1-based line, 0 when the problem is the file as a whole.
    pub line: u64,
    /// 1-based column, 0 when unknown.
    pub column: u64,
    /// The tool the problem is in, when it is in one.
    pub tool: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if let Some(tool) = &self.tool {
            write!(f, "tool `{tool}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in the specs, in file and line order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// The errors, sorted by file, line and column.
    pub fn sorted(mut self) -> Self {
        self.0
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        self
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in &self.0 {
            writeln!(f, "{error}")?;
        }
        let n = self.0.len();
        write!(f, "{n} error{} in the specs", if n == 1 { "" } else { "s" })
    }
}
