//! What `dotwork check` shows: its diagnostics grouped by file (a header line
//! for each), errors before warnings within a file, then one summary line.
//! Built as a value; `main` prints it.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Diagnostic, Severity};

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Everything found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// How many pages were checked (0 when the site did not build).
    pub pages: usize,
}

impl CheckReport {
    /// A report of `diagnostics` found in `pages` pages.
    pub fn new(diagnostics: Vec<Diagnostic>, pages: usize) -> CheckReport {
        CheckReport { diagnostics, pages }
    }

    /// How many errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// How many warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// How many notes (which never fail a check).
    pub fn notes(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Note).count()
    }

    /// Whether the site passes: no errors, and with `strict` no warnings either.
    pub fn passed(&self, strict: bool) -> bool {
        self.errors() == 0 && (!strict || self.warnings() == 0)
    }

    /// The last line: `check: 2 errors, 5 warnings in 3 files`, or
    /// `check: no problems in 7 pages`.
    pub fn summary(&self) -> String {
        if self.diagnostics.is_empty() {
            return format!("check: no problems in {}", count(self.pages, "page"));
        }
        let files = self.by_file().len();
        let notes = match self.notes() {
            0 => String::new(),
            n => format!(", {}", count(n, "note")),
        };
        format!(
            "check: {}, {}{notes} in {}",
            count(self.errors(), "error"),
            count(self.warnings(), "warning"),
            count(files, "file")
        )
    }

    /// The whole report as text, with colour codes when `color`.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for (file, mut diagnostics) in self.by_file() {
            diagnostics.sort_by_key(|d| (d.severity, d.location));
            let counted = |severity: Severity| diagnostics.iter().filter(|d| d.severity == severity).count();
            let counts: Vec<String> =
                [(Severity::Error, "error"), (Severity::Warning, "warning"), (Severity::Note, "note")]
                    .into_iter()
                    .map(|(severity, noun)| (counted(severity), noun))
                    .filter(|&(n, _)| n > 0)
                    .map(|(n, noun)| count(n, noun))
                    .collect();
            let counts = counts.join(", ");
            let header = format!("{} ({counts})", file.display());
            if color {
                out.push_str(&format!("\x1b[1;4m{header}\x1b[0m\n"));
            } else {
                out.push_str(&format!("{header}\n"));
            }
            for d in diagnostics {
                out.push_str(d.render(color).trim_end());
                out.push('\n');
            }
            out.push('\n');
        }
        let summary = self.summary();
        if color {
            let style = if self.errors() > 0 {
                "\x1b[1;31m"
            } else if self.warnings() > 0 {
                "\x1b[1;33m"
            } else {
                "\x1b[1;32m"
            };
            out.push_str(&format!("{style}{summary}\x1b[0m\n"));
        } else {
            out.push_str(&summary);
            out.push('\n');
        }
        out
    }

    fn by_file(&self) -> BTreeMap<&Path, Vec<&Diagnostic>> {
        let mut groups: BTreeMap<&Path, Vec<&Diagnostic>> = BTreeMap::new();
        for d in &self.diagnostics {
            groups.entry(d.file.as_path()).or_default().push(d);
        }
        groups
    }
}

/// `1 error`, `2 errors`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    #[test]
    fn groups_by_file_with_errors_first_and_sums_up() {
        let text = "---\ntitle: A\n---\nline four\n";
        let report = CheckReport::new(
            vec![
                Diagnostic::warning("content/b.md", "a warning").at(text, Location { line: 2, column: 1 }),
                Diagnostic::error("content/b.md", "an error").at(text, Location { line: 4, column: 1 }),
                Diagnostic::warning("content/a.md", "another warning"),
            ],
            3,
        );
        let out = report.render(false);
        let a = out.find("content/a.md (1 warning)\n").unwrap();
        let b = out.find("content/b.md (1 error, 1 warning)\n").unwrap();
        assert!(a < b, "{out}");
        assert!(out.find("error: an error").unwrap() < out.find("warning: a warning").unwrap(), "{out}");
        assert!(out.ends_with("\ncheck: 1 error, 2 warnings in 2 files\n"), "{out}");
        assert!(!report.passed(false));

        let clean = CheckReport::new(Vec::new(), 7);
        assert_eq!(clean.render(false), "check: no problems in 7 pages\n");
        assert!(clean.passed(true));
        let warned = CheckReport::new(vec![Diagnostic::warning("a", "w")], 1);
        assert!(warned.passed(false) && !warned.passed(true));
    }
}
