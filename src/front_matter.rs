//! Parse, part one: split a page's YAML front matter from its markdown body
//! and read it into a typed [`FrontMatter`].
//!
//! The split keeps line numbers: the YAML starts on line 2 of the file and the
//! body on the line after the closing `---`, so every later error can be
//! reported against the file as the owner sees it in their editor.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Diagnostic, Location};
use crate::yaml::parse_front_matter_yaml;

/// The keys a page may set, as written in its front matter. The build
/// cache keeps it as the list of its fields in order, without their names
/// (`cache/bodies.rs`): every field is written, empty or not, or the ones
/// after a missing field would be read in the wrong places.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// The page's title: required, unless the page's text starts with its
    /// title as a level-1 heading (`# Aftercare`), which then fills it in.
    #[serde(default)]
    pub title: Option<Box<str>>,
    /// Meta description for search results and link previews.
    #[serde(default)]
    pub description: Option<Box<str>>,
    /// Replaces the last part of the URL that the file name gives.
    #[serde(default)]
    pub slug: Option<Box<str>>,
    /// Position in the menu, smaller first.
    #[serde(default)]
    pub weight: i64,
    /// Whether the page is in the main navigation.
    #[serde(default)]
    pub menu: bool,
    /// A shorter name for the menu than the title (`Aftercare`).
    #[serde(default)]
    pub menu_title: Option<Box<str>>,
    /// The page of the menu this one is listed under, as a link to its
    /// markdown file (`about.md`): it puts the page in the menu, one level
    /// down. The parent must be in the menu itself, not under another page.
    #[serde(default)]
    pub menu_parent: Option<Box<str>>,
    /// Drafts are built only with `--drafts`.
    #[serde(default)]
    pub draft: bool,
    /// Template to render with, instead of `page.html` / `index.html`.
    #[serde(default)]
    pub template: Option<Box<str>>,
    /// When the page was first published.
    #[serde(default)]
    pub date: Option<Date>,
    /// When the page last changed.
    #[serde(default)]
    pub updated: Option<Date>,
    /// On a translated page (`aftercare.es.md`): the date of the version of
    /// the original it translates, the original's newest `updated`,
    /// `reviewed` or `date` when it was translated. `check` warns when the
    /// original has changed since (issue 15); never set on a page in the
    /// site's default language.
    #[serde(default)]
    pub translated_from: Option<Date>,
    /// Old URLs that redirect here.
    #[serde(default)]
    pub aliases: Box<[String]>,
    /// Who wrote the page: an id from `people` in site.yaml.
    #[serde(default)]
    pub author: Option<Box<str>>,
    /// Who medically reviewed it: an id from `people` in site.yaml.
    #[serde(default)]
    pub reviewed_by: Option<Box<str>>,
    /// Makes the page the profile of someone in site.yaml's `people` (an
    /// id, `person: reviewer`), rendered with `person.html`.
    #[serde(default)]
    pub person: Option<Box<str>>,
    /// When it was last medically reviewed.
    #[serde(default)]
    pub reviewed: Option<Date>,
    /// Categories from `categories` in site.yaml.
    #[serde(default)]
    pub categories: Box<[String]>,
    /// For a page about a procedure: what structured data says about it.
    /// Boxed: few pages describe one, and inline it was 168 of every
    /// page's bytes (issue 16).
    #[serde(default)]
    pub procedure: Option<Box<Procedure>>,
    /// The page's picture: the home page's hero image, and the picture a
    /// link preview shows (Open Graph, Twitter). A path relative to the page.
    #[serde(default)]
    pub image: Option<Box<str>>,
    /// What `image` shows, for visitors who cannot see it (required with it).
    #[serde(default)]
    pub image_alt: Option<Box<str>>,
    /// Before-and-after photos, each pair shown only with consent
    /// ([`crate::gallery`]).
    #[serde(default)]
    pub gallery: Box<[crate::gallery::Pair]>,
    /// Free-form values for templates.
    #[serde(default)]
    pub extra: Extra,
}

/// A page's or section's free-form values for templates (`extra:`), by
/// key in key order, as a map of them reads and is written. A page sets a
/// key or two; a map's first node takes 630 bytes however few it holds,
/// which was a twentieth of a build's memory (issue 16).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extra(Box<[(String, serde_json::Value)]>);

impl Extra {
    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `key`, if it is set.
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok().map(|i| &self.0[i].1)
    }
}

impl std::ops::Index<&str> for Extra {
    type Output = serde_json::Value;

    fn index(&self, key: &str) -> &serde_json::Value {
        self.get(key).unwrap_or(&serde_json::Value::Null)
    }
}

impl Serialize for Extra {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Read pair by pair into the sorted list, without a map between (a
/// rebuild reads 10,000 pages' `extra` back from the build cache); a key
/// written twice keeps its last value, as a map would.
impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Extra, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = Extra;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // As a map says it: `yaml/words.rs` puts it in words.
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Extra, A::Error> {
                let mut pairs: Vec<(String, serde_json::Value)> =
                    Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                // Stable: of one key's values, the last written stays last,
                // and is moved into the first's place as the rest go.
                pairs.sort_by(|(a, _), (b, _)| a.cmp(b));
                pairs.dedup_by(|(key, later), (first, kept)| {
                    let same = key == first;
                    if same {
                        std::mem::swap(later, kept);
                    }
                    same
                });
                Ok(Extra(pairs.into_boxed_slice()))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// A medical procedure described by a page (schema.org `MedicalProcedure`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Procedure {
    /// The procedure's name; the page title when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// Other names it goes by.
    #[serde(default)]
    pub alternate_names: Vec<String>,
    /// How it is performed, in a sentence or two.
    pub how_performed: String,
    /// What the patient does beforehand.
    #[serde(default)]
    pub preparation: Option<String>,
    /// What follows: aftercare, as text.
    #[serde(default)]
    pub followup: Option<String>,
    /// The page with the aftercare advice, as a link to its markdown file.
    #[serde(default)]
    pub followup_page: Option<String>,
    /// The body part treated (`Scalp`).
    #[serde(default)]
    pub body_location: Option<String>,
}

/// A page's text cut in two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines (empty when there is none).
    pub yaml: &'a str,
    /// Line of the file on which `yaml` starts.
    pub yaml_line: usize,
    /// Byte offset of `yaml` in the file.
    pub yaml_offset: usize,
    /// The markdown after the closing `---`.
    pub body: &'a str,
    /// Byte offset of `body` in the file.
    pub body_offset: usize,
}

/// Where a page's front matter is, kept by the parse stage so that later
/// warnings can point at a key without splitting the page again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontFacts {
    /// Where the YAML between the `---` lines is in the file (empty when none).
    yaml: std::ops::Range<usize>,
    /// Line of the file on which the YAML starts.
    yaml_line: usize,
    /// Byte offset of the markdown body in the file.
    pub body_offset: usize,
}

impl FrontFacts {
    /// The facts of `split`, a split of `text`.
    fn of(split: &Split<'_>) -> FrontFacts {
        let start = split.yaml_offset;
        FrontFacts {
            yaml: start..start + split.yaml.len(),
            yaml_line: split.yaml_line,
            body_offset: split.body_offset,
        }
    }

    /// Where `key:` is written in the front matter of `text` (the page's
    /// whole text), for errors about its value.
    pub(crate) fn key_location(&self, text: &str, key: &str) -> Option<Location> {
        key_location(text.get(self.yaml.clone())?, self.yaml_line, key)
    }

    /// The lines of `text` (the page's whole text) on which each item of the
    /// block list under the top-level `key:` is written, first line first
    /// (empty when the list is written another way, `key: [...]`).
    pub(crate) fn list_items(&self, text: &str, key: &str) -> Vec<std::ops::Range<usize>> {
        match text.get(self.yaml.clone()) {
            Some(yaml) => list_items(yaml, self.yaml_line, key),
            None => Vec::new(),
        }
    }

    /// The byte offset in `text` at which `key:` is written in the front matter.
    pub(crate) fn key_offset(&self, text: &str, key: &str) -> Option<usize> {
        let location = self.key_location(text, key)?;
        let line_start = text.split_inclusive('\n').take(location.line - 1).map(str::len).sum::<usize>();
        Some(line_start + location.column - 1)
    }

    /// `d` pointed at the line of the front matter of `text` where `key:` is
    /// written, when it can be found.
    pub(crate) fn at_key(&self, d: Diagnostic, text: &str, key: &str) -> Diagnostic {
        match self.key_location(text, key) {
            Some(loc) => d.at(text, loc),
            None => d,
        }
    }

    /// Warnings about the front matter of `file` (whose whole text is
    /// `text`) that do not stop a build: values cut short by a ` #`
    /// (`title: Prices # 2026` is read as `Prices`).
    pub fn warnings(&self, file: &Path, text: &str) -> Vec<Diagnostic> {
        match text.get(self.yaml.clone()) {
            Some(yaml) => crate::yaml::comment_warnings(file, text, yaml, self.yaml_line),
            None => Vec::new(),
        }
    }
}

/// Splits front matter from the body. A file that does not start with `---`
/// has no front matter; one that opens it and never closes it is an error.
pub fn split_front_matter<'a>(file: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let Some(first_end) = opening_fence(text) else {
        return Ok(Split { yaml: "", yaml_line: 1, yaml_offset: 0, body: text, body_offset: 0 });
    };
    let mut offset = first_end;
    for line in text[first_end..].split_inclusive('\n') {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            let body_offset = offset + line.len();
            return Ok(Split {
                yaml: &text[first_end..offset],
                yaml_line: 2,
                yaml_offset: first_end,
                body: &text[body_offset..],
                body_offset,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, "the front matter that starts here is never closed")
        .at(text, Location { line: 1, column: 1 })
        .with_help("add a line with just `---` after the last front matter line"))
}

/// End of the opening `---` line, if the file starts with one.
fn opening_fence(text: &str) -> Option<usize> {
    let line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    (text[..line_end].trim_end() == "---").then_some(line_end)
}

/// Splits and reads a page's front matter; the string twin of reading a
/// page. The one place a page is split (issue 10): what later stages need of
/// the split is in the [`FrontFacts`].
pub fn parse_front_matter(file: &Path, text: &str) -> Result<(FrontMatter, FrontFacts), Diagnostic> {
    let split = split_front_matter(file, text)?;
    let front: FrontMatter = if split.yaml.trim().is_empty() {
        FrontMatter::default()
    } else {
        parse_front_matter_yaml(file, text, split.yaml, split.yaml_line)?
    };
    let mut front = front;
    if front.title.as_ref().is_none_or(|t| t.trim().is_empty()) {
        // Content written for other generators names its page by its first
        // heading (`markdown/title.rs`).
        front.title = crate::markdown::leading_title(split.body).map(String::into_boxed_str);
    }
    match &front.title {
        Some(_) => Ok((front, FrontFacts::of(&split))),
        None => Err(Diagnostic::error(file, "this page has no title")
            .at(text, Location { line: 1, column: 1 })
            .with_help(if split.yaml_line == 1 && split.yaml.is_empty() && !text.starts_with("---") {
                "start the page with its title as a heading, `# The page title`, or with front matter:\n---\ntitle: The page title\n---"
            } else {
                "add a line `title: The page title` to the front matter, or start the page's text with its title as a heading: `# The page title`"
            })),
    }
}

/// Where `key:` is written in a front matter block `yaml` that starts at
/// line `yaml_line` of its file, for errors about its value.
pub(crate) fn key_location(yaml: &str, yaml_line: usize, key: &str) -> Option<Location> {
    yaml.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        let rest = trimmed.strip_prefix(key)?;
        rest.trim_start()
            .starts_with(':')
            .then(|| Location { line: yaml_line + i, column: line.len() - trimmed.len() + 1 })
    })
}

/// The lines (of the file) of each item of the block list under the
/// top-level `key:` of a front matter block `yaml` that starts at line
/// `yaml_line`: from the item's `- ` to the line before the next item or the
/// end of the list. Blank and comment lines after an item belong to it.
fn list_items(yaml: &str, yaml_line: usize, key: &str) -> Vec<std::ops::Range<usize>> {
    let lines: Vec<&str> = yaml.lines().collect();
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let is_blank = |line: &str| line.trim().is_empty() || line.trim_start().starts_with('#');
    let is_item = |line: &str| {
        let t = line.trim_start();
        t == "-" || t.starts_with("- ")
    };
    let Some(start) = lines.iter().position(|line| {
        let value = line.strip_prefix(key).and_then(|rest| rest.trim_start().strip_prefix(':'));
        value.is_some_and(|v| v.trim().is_empty() || v.trim_start().starts_with('#'))
    }) else {
        return Vec::new();
    };
    let mut items: Vec<std::ops::Range<usize>> = Vec::new();
    let mut item_indent = None;
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if is_blank(line) {
            continue;
        }
        let indent = indent_of(line);
        let at = yaml_line + i;
        match item_indent {
            None if is_item(line) => item_indent = Some(indent),
            None => break,
            Some(n) if indent < n || (indent == n && !is_item(line)) => break,
            Some(_) => {}
        }
        if Some(indent) == item_indent && is_item(line) {
            if let Some(last) = items.last_mut() {
                last.end = at;
            }
            items.push(at..at + 1);
        } else if let Some(last) = items.last_mut() {
            last.end = at + 1;
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<(FrontMatter, Split<'_>), Diagnostic> {
        let file = Path::new("content/a.md");
        parse_front_matter(file, text).and_then(|(front, _)| Ok((front, split_front_matter(file, text)?)))
    }

    /// The build cache keeps a page's front matter as MessagePack without
    /// field names (`cache/bodies.rs`) and a rebuild takes it instead of
    /// the YAML: it must read back as the same, whatever the page holds,
    /// and a front matter with every key left out too (a field not written
    /// would shift the ones after it).
    #[test]
    fn a_kept_front_matter_reads_back_the_same() {
        let text = "---\ntitle: \"Über: a 'page'\"\ndescription: >\n  Folded\n  text.\nslug: s\nweight: -3\n\
            menu: true\nmenu_title: M\nmenu_parent: P\ndraft: false\ntemplate: t.html\ndate: 2024-02-29T10:00:00Z\n\
            updated: 2024-3-1\ntranslated_from: 2024-03-02\naliases: [/a/, /b/]\nauthor: A\nreviewed_by: R\n\
            person: p\nreviewed: 2024-03-03\ncategories: [x, y]\nimage: i.jpg\nimage_alt: An image\n\
            procedure:\n  how_performed: By hand.\n  alternate_names: [SMP]\n  body_location: Scalp\n\
            gallery:\n  - before: b.jpg\n    before_alt: B\n    after: a.jpg\n    sessions: 3\n    consent_ref: C-1\n\
            extra:\n  n: 1.5\n  big: 18446744073709551615\n  neg: -7\n  no: null\n  yes: true\n  nan: .nan\n\
            \x20 list: [1, two, {three: 3}]\n  when: 2024-01-01\n  nested: {a: {b: [c]}}\n---\n\nBody.\n";
        let full = parse_front_matter(Path::new("content/a.md"), text).unwrap();
        let bare = parse_front_matter(Path::new("content/b.md"), "# A heading\n\nBody only.\n").unwrap();
        let [back, _] = [&full, &bare].map(|(meta, facts)| {
            let bytes = rmp_serde::to_vec(&(meta, facts)).unwrap();
            let (back, back_facts): (FrontMatter, FrontFacts) = rmp_serde::from_slice(&bytes).unwrap();
            assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(meta).unwrap());
            assert_eq!(&back_facts, facts);
            back
        });
        assert_eq!(back.extra["big"], serde_json::json!(u64::MAX));
        assert_eq!(back.date.unwrap().to_string(), "2024-02-29");
    }

    /// `extra` is written as a map in key order (as templates and the build
    /// cache's keys saw it when it was one), whatever order the page gives.
    #[test]
    fn extra_reads_as_a_map_and_is_written_in_key_order() {
        let text = "---\ntitle: T\nextra:\n  zeta: 1\n  alpha: [a, b]\n  mid: {k: v}\n---\nBody.\n";
        let (meta, _) = parse_front_matter(Path::new("content/a.md"), text).unwrap();
        let json = serde_json::to_string(&meta.extra).unwrap();
        assert_eq!(json, r#"{"alpha":["a","b"],"mid":{"k":"v"},"zeta":1}"#);
        assert_eq!(meta.extra["zeta"], serde_json::json!(1));
        assert_eq!(meta.extra.get("none"), None);
        assert!(FrontMatter::default().extra.is_empty());
        let err =
            parse_front_matter(Path::new("content/a.md"), "---\ntitle: T\nextra: 5\n---\n").unwrap_err();
        assert!(err.message.contains("must be a group of settings"), "{}", err.message);
        // A key given twice (JSON allows it) keeps its last value, once.
        let twice: Extra = serde_json::from_str(r#"{"b": 1, "a": 2, "b": 3}"#).unwrap();
        assert_eq!(serde_json::to_string(&twice).unwrap(), r#"{"a":2,"b":3}"#);
    }

    #[test]
    fn splits_and_keeps_offsets() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let (fm, split) = p(text).unwrap();
        assert_eq!(fm.title.as_deref(), Some("A"));
        assert_eq!(split.body, "# Body\n");
        assert_eq!(&text[split.body_offset..], "# Body\n");
    }

    #[test]
    fn closing_fence_may_be_dots_or_have_trailing_spaces() {
        assert_eq!(p("---\ntitle: A\n...\nx").unwrap().1.body, "x");
        assert_eq!(p("---  \ntitle: A\n---  \nx").unwrap().1.body, "x");
        assert_eq!(p("---\ntitle: A\n---").unwrap().1.body, "");
    }

    #[test]
    fn never_closed_is_an_error_on_line_one() {
        let d = p("---\ntitle: A\n\nbody").unwrap_err();
        assert!(d.message.contains("never closed"));
        assert_eq!(d.location, Some(Location { line: 1, column: 1 }));
    }

    #[test]
    fn missing_or_empty_title_is_an_error() {
        let d = p("no front matter\n\n# Late").unwrap_err();
        assert_eq!(d.message, "this page has no title");
        assert!(d.help.as_deref().unwrap().starts_with("start the page with its title as a heading"));
        assert!(p("---\n---\nx").unwrap_err().message.contains("no title"));
        let d = p("---\ntitle: ''\n---\nx").unwrap_err();
        assert!(d.help.as_deref().unwrap().contains("`# The page title`"), "{:?}", d.help);
    }

    #[test]
    fn a_leading_heading_is_the_title_when_front_matter_has_none() {
        assert_eq!(p("# Aftercare\n\ntext").unwrap().0.title.as_deref(), Some("Aftercare"));
        assert_eq!(
            p("---\ndescription: D\n---\n\n# Aftercare\n").unwrap().0.title.as_deref(),
            Some("Aftercare")
        );
        assert_eq!(p("---\ntitle: Kept\n---\n# Aftercare\n").unwrap().0.title.as_deref(), Some("Kept"));
    }

    #[test]
    fn yaml_errors_count_lines_from_the_top_of_the_file() {
        let d = p("---\ntitle: A\ndate: 2024-13-45\n---\n").unwrap_err();
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert!(d.message.contains("month 13 does not exist"), "{}", d.message);
        let d = p("---\ntitle: A\ntitel: B\n---\n").unwrap_err();
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn translated_from_is_a_date_like_updated() {
        let (fm, _) = p("---\ntitle: A\ntranslated_from: 2026-03-01\n---\n").unwrap();
        assert_eq!(fm.translated_from, Some(Date::parse("2026-03-01").unwrap()));
        let d = p("---\ntitle: A\ntranslated_from: 2026-02-30\n---\n").unwrap_err();
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert!(d.message.contains("day 30 does not exist in month 2 of 2026"), "{}", d.message);
        let d = p("---\ntitle: A\ntranslated: 2026-03-01\n---\n").unwrap_err();
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert_eq!(d.help.as_deref(), Some("did you mean `translated_from`?"));
    }

    #[test]
    fn finds_the_lines_of_list_items() {
        let yaml =
            "title: A\ngallery:\n  - before: a\n    after: b\n\n  - before: c\n    after: d\nslug: x\n";
        assert_eq!(list_items(yaml, 2, "gallery"), vec![4..7, 7..9]);
        let flush = "gallery:\n- before: a\n  after: b\n# note\n-\n  before: c\ntitle: A\n";
        assert_eq!(list_items(flush, 2, "gallery"), vec![3..6, 6..8]);
        assert!(list_items(flush, 2, "aliases").is_empty());
        assert!(list_items("gallery: []\n", 2, "gallery").is_empty());
        assert!(list_items("gallery:\ntitle: A\n", 2, "gallery").is_empty());
    }

    #[test]
    fn finds_keys_for_pointing_at_values() {
        let text = "---\ntitle: A\nprocedure:\n  how_performed: x\n---\n";
        let (_, facts) = parse_front_matter(Path::new("a"), text).unwrap();
        assert_eq!(facts.key_location(text, "how_performed"), Some(Location { line: 4, column: 3 }));
        assert_eq!(facts.key_location(text, "slug"), None);
        assert_eq!(facts.body_offset, text.len());
    }
}
