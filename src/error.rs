//! Errors and how they are shown.
//!
//! Input mistakes (a bad front matter key, a link to a missing page) are
//! [`Diagnostic`]s: they name the file relative to the site root, the line and
//! column when the input gives one, and carry the offending source line so
//! they can be shown the way compilers show them. A build collects every
//! diagnostic it finds and fails once, with all of them ([`Error::Site`]).
//! Failures of the machine rather than the input (a disk that will not take a
//! write) are [`Error::Io`].

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A position in a file, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// Line, counted from the top of the file.
    pub line: usize,
    /// Column in characters.
    pub column: usize,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The site cannot be built (or fails `check`).
    Error,
    /// Worth fixing; fails `check --strict` only.
    Warning,
    /// Worth knowing, and not to be fixed by force: never fails `check`
    /// (a link that leads to a page not yet translated, a language whose
    /// reading level dotwork cannot score; issue 15).
    Note,
}

/// One mistake in the site's input, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// The file, relative to the site root (`content/about.md`).
    pub file: PathBuf,
    /// Where in the file, when known.
    pub location: Option<Location>,
    /// What is wrong, lower-case, no trailing period.
    pub message: String,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
    /// The text of the line at `location`, to quote under the message.
    pub line_text: Option<String>,
}

impl Diagnostic {
    /// An error about a whole file.
    pub fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            location: None,
            message: message.into(),
            help: None,
            line_text: None,
        }
    }

    /// A diagnostic of `severity` about a whole file.
    pub fn new(severity: Severity, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity, ..Diagnostic::error(file, message) }
    }

    /// A note about a whole file.
    pub fn note(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Note, ..Diagnostic::error(file, message) }
    }

    /// A warning about a whole file.
    pub fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, message) }
    }

    /// Points the diagnostic at `line:column` of `source` (the whole file's
    /// text), quoting that line.
    pub fn at(mut self, source: &str, location: Location) -> Self {
        self.line_text =
            source.lines().nth(location.line.saturating_sub(1)).map(|l| l.trim_end_matches('\r').to_string());
        self.location = Some(location);
        self
    }

    /// Points the diagnostic at the byte `offset` of `source`.
    pub fn at_offset(self, source: &str, offset: usize) -> Self {
        let location = location_of(source, offset);
        self.at(source, location)
    }

    /// The same diagnostic as an error or a warning (a broken link is
    /// either, as `broken_links:` says).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a hint on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic as a compiler would: a title line, the
    /// `--> file:line:column` pointer, the quoted line with a caret, the help.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let path = self.file.display().to_string();
        let title = level.primary_title(self.message.as_str());
        let group = match (&self.location, &self.line_text) {
            (Some(loc), Some(text)) => {
                let start = char_byte_index(text, loc.column.saturating_sub(1));
                let end = word_end(text, start);
                Group::with_title(title).element(
                    Snippet::source(text.as_str())
                        .line_start(loc.line)
                        .path(path.as_str())
                        .annotation(AnnotationKind::Primary.span(start..end)),
                )
            }
            // The column as written: the renderer shows it as given, 1-based.
            (Some(loc), None) => Group::with_title(title).element(
                annotate_snippets::Origin::path(path.as_str()).line(loc.line).char_column(loc.column),
            ),
            (None, _) => Group::with_title(title).element(annotate_snippets::Origin::path(path.as_str())),
        };
        let group = match &self.help {
            Some(help) => group.element(Level::HELP.message(help.as_str())),
            None => group,
        };
        renderer.render(&[group])
    }
}

impl fmt::Display for Diagnostic {
    /// The one-line form, `file:line:column: message`, as grep and compilers print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(loc) = self.location {
            write!(f, ":{}:{}", loc.line, loc.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Mistakes in the site's input; all that were found, sorted by file.
    #[error("{} in the site", count_errors(.0))]
    Site(Vec<Diagnostic>),
    /// The machine refused an operation on a file or folder.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What we were doing (`write`, `create folder`, `read`).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// The dev server could not start or keep going.
    #[error("{0}")]
    Serve(String),
}

impl Error {
    /// Wraps an I/O error with the action and path it concerned.
    pub fn io(action: &'static str, path: impl AsRef<Path>) -> impl FnOnce(io::Error) -> Error {
        let path = path.as_ref().to_path_buf();
        move |source| Error::Io { action, path, source }
    }

    /// Collects diagnostics into an error when any of them is an error.
    pub fn from_diagnostics(mut diagnostics: Vec<Diagnostic>) -> Result<(), Error> {
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            sort_diagnostics(&mut diagnostics);
            Err(Error::Site(diagnostics))
        } else {
            Ok(())
        }
    }
}

/// How many broken links one file may report. Each report quotes its line
/// and looks for the nearest correct name, which costs time in the size of
/// the file and of the site; a page of thousands of broken links would take
/// minutes to report (issue 9), and nobody reads past the first screen.
pub(crate) const MAX_REPORTED_PER_FILE: usize = 25;

/// Counts the broken links of each file and says when one more may be
/// reported in full; the rest are only counted, and [`PerFile::summaries`]
/// says how many there were.
#[derive(Debug, Default)]
pub(crate) struct PerFile {
    counts: crate::collections::PathMap<usize>,
}

impl PerFile {
    /// Counts one more problem of `file`; true while it is to be reported.
    pub(crate) fn admit(&mut self, file: &Path) -> bool {
        self.count(file, 1);
        self.counts[file.as_os_str()] <= MAX_REPORTED_PER_FILE
    }

    /// Counts `n` problems of `file` that were already dealt with: the ones
    /// reported, and the ones only counted, by an earlier stage.
    pub(crate) fn count(&mut self, file: &Path, n: usize) {
        match self.counts.get_mut(file.as_os_str()) {
            Some(count) => *count += n,
            // Most pages have none: they are not noted.
            None if n == 0 => {}
            None => {
                self.counts.insert(file.as_os_str().to_owned(), n);
            }
        }
    }

    /// One diagnostic per file that had more problems than were reported,
    /// with how many it had: an error or a warning as the links were.
    pub(crate) fn summaries(&self, severity: Severity) -> impl Iterator<Item = Diagnostic> + '_ {
        self.counts.iter().filter(|&(_, &n)| n > MAX_REPORTED_PER_FILE).map(move |(file, n)| {
            Diagnostic::new(
                severity,
                Path::new(file),
                format!(
                    "{} more broken links in this file are not shown, {n} in all",
                    n - MAX_REPORTED_PER_FILE
                ),
            )
            .with_help(format!("fix the first {MAX_REPORTED_PER_FILE} and build again to see the rest"))
        })
    }
}

fn count_errors(diagnostics: &[Diagnostic]) -> String {
    let n = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    if n == 1 { "1 error".to_string() } else { format!("{n} errors") }
}

/// Orders diagnostics by file, then position, errors before warnings on a tie.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.location, a.severity, &a.message).cmp(&(&b.file, b.location, b.severity, &b.message))
    });
}

/// Sorts diagnostics ([`sort_diagnostics`]) and drops repeats: the same
/// message at the same place, found by two stages (a broken link the parse
/// stage reports as a warning with `broken_links: warn`, and `check` again).
/// The one kept has a help line if either had.
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    sort_diagnostics(diagnostics);
    diagnostics.dedup_by(|later, kept| {
        let same = (&later.file, later.location, later.severity, &later.message)
            == (&kept.file, kept.location, kept.severity, &kept.message);
        if same && kept.help.is_none() {
            kept.help = later.help.take();
        }
        same
    });
}

/// The 1-based line and column of byte `offset` in `source`.
pub fn location_of(source: &str, offset: usize) -> Location {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Location { line, column }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte index of the `n`th character of `text` (clamped to its end).
fn char_byte_index(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// End of the word starting at `start`, so the caret underlines a token; at
/// least one character, at most the line.
fn word_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let len = rest
        .char_indices()
        .find(|&(i, c)| c.is_whitespace() || (i > 0 && ":,)]\"'".contains(c)))
        .map_or(rest.len(), |(i, _)| i);
    if len == 0 { start + rest.chars().next().map_or(0, char::len_utf8) } else { start + len }
}

/// The known name closest to `unknown`, if it is close enough to be a typo;
/// of names as close, the first in alphabetical order, so that the answer
/// does not depend on the order they come in. For a few names (a file's
/// keys, the theme's blocks); many (a site's pages) are searched with
/// `NearNames`.
pub fn did_you_mean<'a>(unknown: &str, known: &[&'a str]) -> Option<&'a str> {
    let mut near = Near::new(unknown);
    known.iter().filter_map(|k| near.distance(k).map(|d| (d, *k))).min().map(|(_, k)| k)
}

/// Many names (every page of a site, every file of the built site), indexed
/// so that finding the one a mistyped name meant costs a bounded number of
/// comparisons, whatever the number of names (issue 14: `check` spent 61 s
/// and 1.4 GiB comparing thousands of broken links with each of 14,600
/// pages), and gives the same answer on every run.
///
/// Compared with the typed name: the names in its folder (`care/` of
/// `care/aftercare.md`), the names with its last part in other folders (a
/// page that moved), and up to [`NEIGHBOURS`] on each side of where it
/// would sort (names that share the longest beginning with it). The nearest
/// by edit distance wins, the first alphabetically on a tie. Each distinct
/// typed name is looked up once: a broken link in a template is on every page.
#[derive(Debug, Default)]
pub(crate) struct NearNames {
    /// Sorted, without repeats.
    names: Vec<String>,
    /// Folder (up to and with the last `/`) -> numbers in `names`.
    by_folder: crate::collections::HashMap<String, Vec<u32>>,
    /// Last part -> numbers in `names`.
    by_last: crate::collections::HashMap<String, Vec<u32>>,
    /// Answers given, by typed name.
    cache: std::sync::Mutex<crate::collections::HashMap<String, Option<u32>>>,
}

/// How many names on each side of a typed name's place in sorted order
/// [`NearNames`] compares it with.
pub(crate) const NEIGHBOURS: usize = 200;

/// A name's folder, up to and with its last `/` (empty when none), and its
/// last part; a trailing `/` belongs to the last part (`care/` of `/care/`).
fn folder_and_last(name: &str) -> (&str, &str) {
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    match trimmed.rfind('/') {
        Some(i) => name.split_at(i + 1),
        None => ("", name),
    }
}

impl NearNames {
    /// Indexes `names` (in any order: the index is the same).
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> NearNames {
        let mut sorted: Vec<String> = names.into_iter().map(str::to_string).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut by_folder: crate::collections::HashMap<String, Vec<u32>> = Default::default();
        let mut by_last: crate::collections::HashMap<String, Vec<u32>> = Default::default();
        for (i, name) in sorted.iter().enumerate() {
            let (folder, last) = folder_and_last(name);
            by_folder.entry(folder.to_string()).or_default().push(i as u32);
            by_last.entry(last.to_string()).or_default().push(i as u32);
        }
        NearNames { names: sorted, by_folder, by_last, cache: Default::default() }
    }

    /// The indexed name closest to `typed`, if one is close enough to be a typo.
    pub(crate) fn best(&self, typed: &str) -> Option<&str> {
        // A poisoned lock only means another thread panicked; the cache is still sound.
        if let Some(found) = self.cache.lock().ok().and_then(|c| c.get(typed).copied()) {
            return found.map(|i| self.names[i as usize].as_str());
        }
        let found = self.search(typed);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(typed.to_string(), found);
        }
        found.map(|i| self.names[i as usize].as_str())
    }

    fn search(&self, typed: &str) -> Option<u32> {
        let (folder, last) = folder_and_last(typed);
        let at = self.names.partition_point(|n| n.as_str() < typed);
        let around = at.saturating_sub(NEIGHBOURS)..(at + NEIGHBOURS).min(self.names.len());
        // A folder of more names than that is searched around the typed name's place.
        fn bounded(list: Option<&Vec<u32>>) -> &[u32] {
            list.map(Vec::as_slice).filter(|l| l.len() <= 4 * NEIGHBOURS).unwrap_or(&[])
        }
        let candidates = bounded(self.by_folder.get(folder))
            .iter()
            .chain(bounded(self.by_last.get(last)))
            .copied()
            .chain(around.map(|i| i as u32));
        let mut near = Near::new(typed);
        let mut best: Option<(usize, u32)> = None;
        for i in candidates {
            let name = &self.names[i as usize];
            if let Some(d) = near.distance(name)
                && best.is_none_or(|(bd, bi)| (d, i) < (bd, bi))
            {
                best = Some((d, i));
            }
        }
        // Numbers follow the sorted order: the smallest is the first alphabetically.
        best.map(|(_, i)| i)
    }
}

/// Edit distances from one typed name to many known ones, reusing its
/// tables, so that comparing with every heading of a long page costs no
/// allocation per name.
pub(crate) struct Near {
    typed: Vec<char>,
    len: usize,
    known: Vec<char>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl Near {
    /// Distances from `typed`.
    pub(crate) fn new(typed: &str) -> Near {
        Near {
            typed: typed.chars().collect(),
            len: typed.len(),
            known: Vec::new(),
            prev: Vec::new(),
            cur: Vec::new(),
        }
    }

    /// The Levenshtein distance (over characters) from the typed name to
    /// `known`, if it is close enough to be a typo: at most a third of the
    /// longer name, plus one.
    pub(crate) fn distance(&mut self, known: &str) -> Option<usize> {
        let limit = (known.len().max(self.len) / 3).max(1) + 1;
        self.known.clear();
        self.known.extend(known.chars());
        // The distance is at least the difference in length.
        if self.known.len().abs_diff(self.typed.len()) > limit {
            return None;
        }
        let n = self.known.len();
        self.prev.clear();
        self.prev.extend(0..=n);
        for (i, &ca) in self.typed.iter().enumerate() {
            self.cur.clear();
            self.cur.push(i + 1);
            let mut row_min = i + 1;
            for (j, &cb) in self.known.iter().enumerate() {
                let cost = usize::from(ca != cb);
                let d = (self.prev[j] + cost).min(self.prev[j + 1] + 1).min(self.cur[j] + 1);
                row_min = row_min.min(d);
                self.cur.push(d);
            }
            // The distance never falls below a row's smallest value.
            if row_min > limit {
                return None;
            }
            std::mem::swap(&mut self.prev, &mut self.cur);
        }
        Some(self.prev[n]).filter(|&d| d <= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let known = ["title", "description", "weight", "menu"];
        assert_eq!(did_you_mean("titel", &known), Some("title"));
        assert_eq!(did_you_mean("weigth", &known), Some("weight"));
        assert_eq!(did_you_mean("descripton", &known), Some("description"));
        assert_eq!(did_you_mean("colour", &known), None);
    }

    #[test]
    fn suggestions_do_not_depend_on_the_order_names_come_in() {
        // Equally near `risk.md`: `disk.md`, `rink.md`, `risk.mdx`, `risks.md`.
        let names = ["risks.md", "rink.md", "disk.md", "care/risk.md", "risk.mdx", "about.md"];
        let mut reversed = names;
        reversed.reverse();
        let (a, b) = (NearNames::new(names), NearNames::new(reversed));
        assert_eq!(a.best("risk.md"), Some("disk.md"));
        assert_eq!(b.best("risk.md"), Some("disk.md"));
        assert_eq!(did_you_mean("risk.md", &names), Some("disk.md"));
        assert_eq!(did_you_mean("risk.md", &reversed), Some("disk.md"));
        // Asked again, the cached answer is the same.
        assert_eq!(a.best("risk.md"), Some("disk.md"));
        assert_eq!(a.best("zzzzzzzz.md"), None);
    }

    #[test]
    fn many_names_are_searched_in_the_folder_and_around_the_typed_name() {
        let mut names: Vec<String> =
            (0..20_000).map(|i| format!("docs/section-{}/page-{i}.md", i % 50)).collect();
        names.push("moved/deep/aftercare.md".into());
        let index = NearNames::new(names.iter().map(String::as_str));
        assert_eq!(index.best("docs/section-7/page-1007.mdd"), Some("docs/section-7/page-1007.md"));
        // The same last part in another folder: a page that moved.
        assert_eq!(index.best("a/deep/aftercare.md"), Some("moved/deep/aftercare.md"));
        assert_eq!(index.best("docs/section-3/pgae-503.md"), Some("docs/section-3/page-503.md"));
    }

    #[test]
    fn locates_offsets_in_lines_and_characters() {
        let s = "ab\ncdé\nf";
        assert_eq!(location_of(s, 0), Location { line: 1, column: 1 });
        assert_eq!(location_of(s, 3), Location { line: 2, column: 1 });
        assert_eq!(location_of(s, 7), Location { line: 2, column: 4 });
        assert_eq!(location_of(s, 8), Location { line: 3, column: 1 });
    }

    #[test]
    fn renders_file_line_and_caret() {
        let d = Diagnostic::error("content/a.md", "unknown key `titel`")
            .at("---\ntitel: x\n---\n", Location { line: 2, column: 1 })
            .with_help("did you mean `title`?");
        let out = d.render(false);
        assert!(out.contains("error: unknown key `titel`"), "{out}");
        assert!(out.contains("content/a.md:2:1"), "{out}");
        assert!(out.contains("2 | titel: x"), "{out}");
        assert!(out.contains("^^^^^"), "{out}");
        assert!(out.contains("help: did you mean `title`?"), "{out}");
        assert_eq!(d.to_string(), "content/a.md:2:1: unknown key `titel` (did you mean `title`?)");
    }

    #[test]
    fn a_place_without_a_line_to_quote_shows_the_same_column() {
        // An empty page has no first line to quote; its place is still 1:1.
        let d = Diagnostic::error("content/a.md", "this page has no title").at_offset("", 0);
        let out = d.render(false);
        assert!(out.contains("--> content/a.md:1:1"), "{out}");
        assert_eq!(d.to_string(), "content/a.md:1:1: this page has no title");
        let d = Diagnostic::error("content/a.md", "x").at("a\nb\n", Location { line: 9, column: 4 });
        assert!(d.render(false).contains("--> content/a.md:9:4"), "{}", d.render(false));
    }
}
