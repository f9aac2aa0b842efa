//! Placeholders: text the clinic must still supply, left by `dotwork init`
//! and `dotwork new` as `[[REPLACE: what goes here]]`.
//!
//! The marker is plain text so that it shows as it is in the preview (in
//! the address, on a page), is found by any editor's search for
//! `REPLACE`, and means the same in markdown and in YAML (inside quotes).
//! A setting whose value must stay valid (the site's address, a review
//! date) cannot hold the marker, so a note line above it does:
//! `# [[REPLACE: the site's address]]`.
//!
//! `check` reports each one as an error at its file and line (a site with
//! one is not ready to publish); `build` shows them as warnings, since a
//! build is also the preview the owner fills them in with. The files
//! looked at are site.yaml and the pages and sections being built (a draft
//! only with `--drafts`: it is not published).

use std::path::Path;

use crate::error::{Diagnostic, Location, Severity};
use crate::site::Site;

/// How every placeholder starts; the text after it says what to write,
/// and `]]` ends it.
pub const PLACEHOLDER: &str = "[[REPLACE: ";

/// What the search looks for: the start of [`PLACEHOLDER`] without the
/// colon and space, so that one edited by hand is still found.
const MARK: &str = "[[REPLACE";

/// Every placeholder left in the site, as errors.
pub fn site_placeholders(site: &Site) -> Vec<Diagnostic> {
    let mut found = find_placeholders(Path::new(crate::config::CONFIG_FILE), &site.config.text, true);
    for page in &site.pages {
        found.extend(page.placeholders.iter().cloned());
    }
    for section in &site.sections {
        found.extend(find_placeholders(&section.source.source, &section.source.text, false));
    }
    found
}

/// [`site_placeholders`] as warnings, for `build`.
pub fn placeholder_warnings(site: &Site) -> Vec<Diagnostic> {
    site_placeholders(site).into_iter().map(|d| Diagnostic { severity: Severity::Warning, ..d }).collect()
}

/// The placeholders in `text`, the file `file`: all YAML when `yaml`
/// (site.yaml), else a page whose front matter is YAML and whose body is
/// markdown.
pub(crate) fn find_placeholders(file: &Path, text: &str, yaml: bool) -> Vec<Diagnostic> {
    if !text.contains(MARK) {
        return Vec::new();
    }
    let front_matter_end = if yaml { usize::MAX } else { front_matter_end(text) };
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let is_note = i < front_matter_end && line.trim_start().starts_with('#');
        let mut from = 0;
        while let Some(at) = line[from..].find(MARK).map(|at| at + from) {
            let rest = &line[at + MARK.len()..];
            let location = Location { line: i + 1, column: line[..at].chars().count() + 1 };
            let (d, next) = match rest.find("]]") {
                Some(end) => {
                    let what = rest[..end].trim_start_matches(':').trim();
                    let d = if is_note {
                        Diagnostic::error(file, format!("setting to confirm: {what}"))
                            .with_help("check or fill in the setting below this note, then delete the note's line")
                    } else {
                        Diagnostic::error(file, format!("placeholder to replace: {what}"))
                            .with_help("write your own text in place of the whole [[REPLACE: ...]], brackets included")
                    };
                    (d, at + MARK.len() + end + 2)
                }
                None => (
                    Diagnostic::error(file, "a placeholder [[REPLACE: ...]] with no ]] at its end")
                        .with_help("write your own text in place of the whole placeholder, up to the end of the line"),
                    line.len(),
                ),
            };
            found.push(d.at(text, location));
            from = next;
        }
    }
    found
}

/// The line number (0-based) of the line that closes a page's front
/// matter, or 0 when it has none.
fn front_matter_end(text: &str) -> usize {
    let mut lines = text.lines();
    if lines.next().map(|l| l.trim_start_matches('\u{feff}').trim_end()) != Some("---") {
        return 0;
    }
    lines.position(|l| l.trim_end() == "---").map_or(0, |p| p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, yaml: bool) -> Vec<(usize, usize, String, String)> {
        find_placeholders(Path::new("f"), text, yaml)
            .into_iter()
            .map(|d| {
                let l = d.location.unwrap();
                (l.line, l.column, d.message, d.help.unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn a_placeholder_in_text_names_what_goes_there() {
        let text =
            "---\ntitle: T\n---\n\n## About us\n\nWe are [[REPLACE: who you are]] and [[REPLACE:where]].\n";
        let got = found(text, false);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (7, 8));
        assert_eq!(got[0].2, "placeholder to replace: who you are");
        assert_eq!(got[0].3, "write your own text in place of the whole [[REPLACE: ...]], brackets included");
        assert_eq!(got[1].2, "placeholder to replace: where");
    }

    #[test]
    fn a_note_above_a_setting_asks_to_confirm_it() {
        let page = "---\n# [[REPLACE: the date of the review]]\nreviewed: 2026-01-01\n---\n# [[REPLACE: a heading]]\n";
        let got = found(page, false);
        assert_eq!(got[0].0, 2);
        assert_eq!(got[0].2, "setting to confirm: the date of the review");
        // In the body, a line starting with # is a heading: its placeholder is text.
        assert_eq!((got[1].0, got[1].2.as_str()), (5, "placeholder to replace: a heading"));
        let yaml =
            "clinic:\n  # [[REPLACE: the phone number]]\n  phone: \"\"\n  street: \"[[REPLACE: street]]\"\n";
        let got = found(yaml, true);
        assert_eq!((got[0].0, got[0].1, got[0].2.as_str()), (2, 5, "setting to confirm: the phone number"));
        assert_eq!((got[1].0, got[1].2.as_str()), (4, "placeholder to replace: street"));
    }

    #[test]
    fn a_placeholder_without_its_end_is_still_found() {
        let got = found("Call [[REPLACE: phone\n", false);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].2, "a placeholder [[REPLACE: ...]] with no ]] at its end");
    }

    #[test]
    fn other_brackets_and_words_are_not_placeholders() {
        assert!(found("[[x]] REPLACE [REPLACE: x] [[replace: x]]\n", false).is_empty());
    }
}
