//! Heading ids, and the other ids a page's markdown defines.
//!
//! Authors link to a heading by the id the platform they wrote for gives it
//! (issue 14): `heading_ids:` in site.yaml names that platform's rule
//! ([`HeadingRule`]), GitHub's by default since it is what authors preview
//! with. Each rule was checked against its implementation:
//!
//! - `github`: github-slugger (`index.js`: `value.toLowerCase()
//!   .replace(regex, '').replace(/ /g, '-')`, where `regex` matches every
//!   character but letters, marks, numbers, connector punctuation such as
//!   `_`, `-` and the space). Each space becomes a `-`, runs are not
//!   collapsed, `.` is removed; a repeat gets `-1`, `-2`. Jekyll's default
//!   (kramdown with GFM input, `generate_gfm_header_id`) and rehype-slug give
//!   the same.
//! - `gitlab`: `Gitlab::Utils::Markdown#string_to_anchor`: strip, lower
//!   case, remove `[^\p{Word}\- ]`, spaces to `-`, runs of `-` squeezed to
//!   one, an id of digits only prefixed `anchor-`; repeats `-1`, `-2`.
//! - `pandoc`: `auto_identifiers` (`inlineListToIdentifier`): lower case;
//!   keep letters, digits, `_`, `-`, `.` and spaces; each run of spaces one
//!   `-`; drop everything before the first letter; repeats `-1`, `-2`.
//! - `python-markdown` (also MkDocs): `markdown.extensions.toc.slugify`:
//!   NFKD then ASCII only (`é` -> `e`, other scripts dropped), remove
//!   `[^\w\s-]`, strip, lower case, each run of `-` and spaces one `-`;
//!   repeats `_1`, `_2`.
//! - `kramdown` (kramdown's own input, not GFM): drop everything before the
//!   first ASCII letter, keep only `a-zA-Z0-9`, space and `-`, spaces to
//!   `-`, lower case; repeats `-1`, `-2`.
//! - `mediawiki`: the case is kept: runs of spaces and `_` become one `_`
//!   (`normalizeSectionNameWhitespace`, then `escapeIdForAttribute` in its
//!   `html5` mode); everything else is kept; repeats `_2`, `_3`.
//! - `dotwork`: dotwork's rule before issue 14 ([`crate::url::slugify`]),
//!   for links written against sites it built.
//!
//! What the rules cannot match exactly, without a Unicode data crate: which
//! characters are marks (GitHub and GitLab keep them) is known for the
//! combining blocks and for marks that are alphabetic, not for every mark;
//! Python-Markdown's NFKD is done for Latin-1 and Latin Extended-A letters,
//! so other accented letters are dropped rather than stripped of their
//! accent. A heading that leaves nothing (`## 🎉`) gets `section`, where some
//! platforms give an empty id, which HTML does not allow. Every rule steps
//! over the ids the themes use ([`RESERVED_IDS`]), and a `{#id}` attribute
//! always wins.

use crate::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Ids the themes use for their own elements; headings never take them.
pub(crate) const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "content",
    "toc",
    "menu",
    "nav",
    "header",
    "footer",
    "page-references",
    "all-references",
];

/// How a heading's text becomes its id: `heading_ids:` in site.yaml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadingRule {
    /// GitHub's (github-slugger): lower case, punctuation removed but `-`
    /// and `_`, each space a `-`.
    #[default]
    Github,
    /// GitLab's: as GitHub's, but runs of `-` become one.
    Gitlab,
    /// Pandoc's `auto_identifiers`: keeps `.` and `_`, starts at the first letter.
    Pandoc,
    /// Python-Markdown's and MkDocs': ASCII only, accents dropped; repeats `_1`.
    PythonMarkdown,
    /// kramdown's own: ASCII letters, digits and `-` only.
    Kramdown,
    /// MediaWiki's: the case kept, spaces become `_`; repeats `_2`.
    Mediawiki,
    /// dotwork's before issue 14: lower case letters and digits, other runs one `-`.
    Dotwork,
}

impl HeadingRule {
    /// The id `text` (a heading's words, without markup) gets before it is
    /// made unique; may be empty.
    ///
    /// The text is taken as the author wrote it: the typographic quotes and
    /// dashes smart punctuation made (`’`, `–`) are turned back into what
    /// they were typed as (`'`, `--`), which is what the other platforms see.
    pub(crate) fn slug(self, text: &str) -> String {
        let typed = if self == HeadingRule::Dotwork { None } else { as_typed(text) };
        let text = typed.as_deref().unwrap_or(text);
        match self {
            HeadingRule::Github => github(text),
            HeadingRule::Gitlab => gitlab(text),
            HeadingRule::Pandoc => pandoc(text),
            HeadingRule::PythonMarkdown => python_markdown(text),
            HeadingRule::Kramdown => kramdown(text),
            HeadingRule::Mediawiki => mediawiki(text),
            HeadingRule::Dotwork => crate::url::slugify(text),
        }
    }

    /// How a repeated id is told apart: the separator and the first number.
    fn suffix(self) -> (char, usize) {
        match self {
            HeadingRule::PythonMarkdown => ('_', 1),
            HeadingRule::Mediawiki => ('_', 2),
            _ => ('-', 1),
        }
    }
}

/// `text` with smart punctuation undone, when it has any.
fn as_typed(text: &str) -> Option<String> {
    let smart = |c: char| matches!(c, '‘' | '’' | '“' | '”' | '–' | '—' | '…');
    text.contains(smart).then(|| {
        let mut out = String::with_capacity(text.len() + 8);
        for c in text.chars() {
            match c {
                '‘' | '’' => out.push('\''),
                '“' | '”' => out.push('"'),
                '–' => out.push_str("--"),
                '—' => out.push_str("---"),
                '…' => out.push_str("..."),
                c => out.push(c),
            }
        }
        out
    })
}

/// Whether GitHub's and GitLab's rules keep `c` (besides `-` and the
/// space): a letter, mark, number or connector punctuation (`_`, `‿`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_connector(c) || is_combining_mark(c)
}

/// Unicode's connector punctuation (category Pc).
fn is_connector(c: char) -> bool {
    matches!(
        c,
        '_' | '\u{203F}' | '\u{2040}' | '\u{2054}' | '\u{FE33}' | '\u{FE34}' | '\u{FE4D}'
            ..='\u{FE4F}' | '\u{FF3F}'
    )
}

/// Marks that are not alphabetic (those are kept as letters already): the
/// combining blocks, variation selectors, Hebrew points, kana voicing.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{3099}'..='\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}')
}

fn github(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' => Some('-'),
            c if is_word(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn gitlab(text: &str) -> String {
    let kept: String = text
        .trim_matches(|c: char| c.is_ascii_whitespace() || c == '\0')
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' | '-' => Some('-'),
            c if is_word(c) => Some(c),
            _ => None,
        })
        .collect();
    let squeezed = squeeze(&kept, '-');
    if !squeezed.is_empty() && squeezed.bytes().all(|b| b.is_ascii_digit()) {
        format!("anchor-{squeezed}")
    } else {
        squeezed
    }
}

/// `s` with each run of `c` made one.
fn squeeze(s: &str, c: char) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if ch != c || !out.ends_with(c) {
            out.push(ch);
        }
    }
    out
}

fn pandoc(text: &str) -> String {
    let kept: String = text
        .to_lowercase()
        .chars()
        .filter(|&c| c.is_whitespace() || c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    let joined = kept.split_whitespace().collect::<Vec<_>>().join("-");
    joined.trim_start_matches(|c: char| !c.is_alphabetic()).to_string()
}

fn python_markdown(text: &str) -> String {
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else if let Some(base) = latin_base(c) {
            ascii.push_str(base);
        }
    }
    let kept: String = ascii
        .chars()
        .filter(|&c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-') || is_py_space(c))
        .collect();
    let lower = kept.trim_matches(is_py_space).to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut run = false;
    for c in lower.chars() {
        if c == '-' || is_py_space(c) {
            run = true;
        } else {
            if run {
                out.push('-');
            }
            run = false;
            out.push(c);
        }
    }
    if run {
        out.push('-');
    }
    out
}

/// Python's `\s` on ASCII text.
fn is_py_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// What NFKD and dropping what is not ASCII leave of a Latin-1 or Latin
/// Extended-A letter (`é` -> `e`, `ĳ` -> `ij`; `ø`, `ß`, `æ` leave nothing).
fn latin_base(c: char) -> Option<&'static str> {
    /// U+00C0 to U+017F in order; `*` for a letter NFKD does not decompose.
    const BASES: &str = concat!(
        "AAAAAA*CEEEEIIII*NOOOOO**UUUUY**", // U+00C0..U+00DF
        "aaaaaa*ceeeeiiii*nooooo**uuuuy*y", // U+00E0..U+00FF
        "AaAaAaCcCcCcCcDd**EeEeEeEeEeGgGg", // U+0100..U+011F
        "GgGgHh**IiIiIiIiI*%%JjKk*LlLlLlL", // U+0120..U+013F
        "l**NnNnNnn**OoOoOo**RrRrRrSsSsSs", // U+0140..U+015F
        "SsTtTt**UuUuUuUuUuUuWwYyYZzZzZzs", // U+0160..U+017F
    );
    let n = (c as u32).checked_sub(0xC0)? as usize;
    match c {
        'Ĳ' => return Some("IJ"),
        'ĳ' => return Some("ij"),
        _ => {}
    }
    let base = BASES.get(n..n + 1)?;
    (base != "*").then_some(base)
}

fn kramdown(text: &str) -> String {
    let from_letter = text.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    from_letter
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_ascii_alphanumeric() || c == '-' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn mediawiki(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split([' ', '_', '\t', '\n', '\r', '\x0c']).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(word);
    }
    out
}

/// The ids a page or section defines (its headings', its footnotes', those
/// its raw HTML sets), sorted and each once: what links to its anchors are
/// checked against. A sorted list rather than a set: the build cache keeps
/// them sorted, and a rebuild takes every page's as they are (making a
/// set for each of 10,000 pages was about half of taking their bodies
/// from the cache, issue 16). The ids are one string, with where each
/// ends: a string each was 1.9 MB of a 10,000-page build's heap, held to
/// its end (issue 16).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    /// The ids, one after the other.
    text: Box<str>,
    /// Where each ends in `text`.
    ends: Box<[u32]>,
}

impl Ids {
    /// Whether `id` is one of these.
    pub fn contains(&self, id: &str) -> bool {
        // A binary search of the sorted ids.
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let middle = low + (high - low) / 2;
            match self.get(middle).cmp(id) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Each id, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|k| self.get(k))
    }

    /// The ids one after the other, and where each ends: as the build
    /// cache keeps them ([`Self::from_parts`]).
    pub(crate) fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    /// The ids in `text`, each ending where `ends` says, as [`Self::parts`]
    /// gave them; `None` if an end is not within `text`, at a character's
    /// edge, or before the one before it, or if the last does not end
    /// `text`. Sorted and kept once if they are not already.
    pub(crate) fn from_parts(text: &str, ends: Vec<u32>) -> Option<Ids> {
        let (mut start, mut before) = (0, None);
        let mut in_order = true;
        for &end in &ends {
            let id = text.get(start..end as usize)?;
            in_order &= before.is_none_or(|before| before < id);
            (start, before) = (end as usize, Some(id));
        }
        if start != text.len() {
            return None;
        }
        let ids = Ids { text: text.into(), ends: ends.into_boxed_slice() };
        Some(if in_order { ids } else { ids.iter().map(str::to_string).collect() })
    }

    /// Id number `k`.
    fn get(&self, k: usize) -> &str {
        let start = k.checked_sub(1).map_or(0, |before| self.ends[before] as usize);
        &self.text[start..self.ends[k] as usize]
    }
}

/// Sorted unless they are (as the build cache keeps them), each once.
impl From<Vec<String>> for Ids {
    fn from(mut ids: Vec<String>) -> Ids {
        if !ids.is_sorted() {
            ids.sort_unstable();
        }
        ids.dedup();
        let mut ends = Vec::with_capacity(ids.len());
        let mut text = String::with_capacity(ids.iter().map(String::len).sum());
        for id in &ids {
            text.push_str(id);
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        Ids { text: text.into_boxed_str(), ends: ends.into_boxed_slice() }
    }
}

/// As the list of the ids.
impl Serialize for Ids {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Ids {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Ids, D::Error> {
        Vec::<String>::deserialize(deserializer).map(Ids::from)
    }
}

impl FromIterator<String> for Ids {
    fn from_iter<I: IntoIterator<Item = String>>(ids: I) -> Ids {
        Ids::from(ids.into_iter().collect::<Vec<_>>())
    }
}

/// The ids given so far on one page, handing out a new one per heading.
///
/// Linear in the number of headings (issue 9: 10,000 identical headings took
/// 8.9 s when every repeat probed `-1`, `-2`, ... from the start): each base
/// keeps the next suffix to try, so a suffixed id is probed at most once as a
/// candidate over the whole page, however the headings collide.
#[derive(Debug)]
pub(crate) struct HeadingIds {
    pub(crate) used: HashSet<String>,
    /// For each base that has been taken, the next number to try.
    next_suffix: HashMap<String, usize>,
    /// What goes between a repeated base and its number, and the first number.
    separator: char,
    first: usize,
    /// Candidates tried, for tests that pin the work done.
    pub(crate) probes: usize,
}

impl Default for HeadingIds {
    fn default() -> HeadingIds {
        HeadingIds::new(HeadingRule::default())
    }
}

impl HeadingIds {
    /// No ids given yet; repeats numbered as `rule` numbers them.
    pub(crate) fn new(rule: HeadingRule) -> HeadingIds {
        let (separator, first) = rule.suffix();
        HeadingIds { used: HashSet::default(), next_suffix: HashMap::default(), separator, first, probes: 0 }
    }

    /// `base` if it is free, else `base-n` with the smallest free `n` not tried before.
    pub(crate) fn unique_id(&mut self, base: String) -> String {
        self.probes += 1;
        if self.take(&base) {
            return base;
        }
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(self.first);
        let id = loop {
            self.probes += 1;
            let candidate = format!("{base}{}{n}", self.separator);
            n += 1;
            if !RESERVED_IDS.contains(&candidate.as_str()) && !self.used.contains(&candidate) {
                break candidate;
            }
        };
        self.next_suffix.insert(base, n);
        self.used.insert(id.clone());
        id
    }

    fn take(&mut self, id: &str) -> bool {
        !RESERVED_IDS.contains(&id) && !self.used.contains(id) && self.used.insert(id.to_string())
    }
}

/// The ids raw HTML in a page's markdown defines (`<h3 id="x">`, `<div
/// id=x>`, `<a name="y">`), which links may name as a heading's.
pub(crate) fn raw_html_ids<'a>(pieces: impl Iterator<Item = &'a str>) -> Vec<String> {
    let html: String = pieces.collect();
    crate::html::start_tags(&html)
        .filter_map(|t| {
            t.attr("id").or(if t.name == "a" { t.attr("name") } else { None }).map(str::to_string)
        })
        .filter(|id| !id.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids `rule` gives `headings`, in order, on one page.
    fn ids(rule: HeadingRule, headings: &[&str]) -> Vec<String> {
        let mut ids = HeadingIds::new(rule);
        headings
            .iter()
            .map(|h| {
                let base = rule.slug(h);
                ids.unique_id(if base.is_empty() { "section".into() } else { base })
            })
            .collect()
    }

    /// Headings that tell the rules apart, as the renderer gives their text
    /// (a code span's text without its backticks: `The foo_bar option`).
    const TRICKY: [&str; 12] = [
        "Fish & Chips",
        "The foo_bar option",
        "v1.2 release notes",
        "Café au lait",
        "Über uns",
        "😄 emoji",
        "Привет non-latin 你好",
        "What's new?",
        "A -- B",
        "  spaced  out  ",
        "2024",
        "Fish & Chips",
    ];

    #[test]
    fn github_follows_github_slugger() {
        assert_eq!(
            ids(HeadingRule::Github, &TRICKY),
            [
                "fish--chips",
                "the-foo_bar-option",
                "v12-release-notes",
                "café-au-lait",
                "über-uns",
                "-emoji",
                "привет-non-latin-你好",
                "whats-new",
                "a----b",
                "--spaced--out--",
                "2024",
                "fish--chips-1",
            ]
        );
        // A variation selector is a mark and stays, as github-slugger keeps it.
        assert_eq!(HeadingRule::Github.slug("⚠️ Warning"), "\u{fe0f}-warning");
        assert_eq!(HeadingRule::Github.slug("e\u{301}te\u{301}"), "e\u{301}te\u{301}");
        assert_eq!(HeadingRule::Github.slug("Foo\u{a0}bar\tbaz"), "foobarbaz");
    }

    #[test]
    fn gitlab_squeezes_dashes_and_prefixes_numbers() {
        assert_eq!(
            ids(HeadingRule::Gitlab, &TRICKY),
            [
                "fish-chips",
                "the-foo_bar-option",
                "v12-release-notes",
                "café-au-lait",
                "über-uns",
                "-emoji",
                "привет-non-latin-你好",
                "whats-new",
                "a-b",
                "spaced-out",
                "anchor-2024",
                "fish-chips-1",
            ]
        );
    }

    #[test]
    fn pandoc_keeps_dots_and_starts_at_a_letter() {
        assert_eq!(
            ids(HeadingRule::Pandoc, &TRICKY),
            [
                "fish-chips",
                "the-foo_bar-option",
                "v1.2-release-notes",
                "café-au-lait",
                "über-uns",
                "emoji",
                "привет-non-latin-你好",
                "whats-new",
                "a----b",
                "spaced-out",
                "section",
                "fish-chips-1",
            ]
        );
        assert_eq!(HeadingRule::Pandoc.slug("1. Introduction"), "introduction");
        assert_eq!(HeadingRule::Pandoc.slug("Section 2.1: Setup"), "section-2.1-setup");
    }

    #[test]
    fn python_markdown_is_ascii_and_numbers_repeats_with_underscores() {
        assert_eq!(
            ids(HeadingRule::PythonMarkdown, &TRICKY),
            [
                "fish-chips",
                "the-foo_bar-option",
                "v12-release-notes",
                "cafe-au-lait",
                "uber-uns",
                "emoji",
                "non-latin",
                "whats-new",
                "a-b",
                "spaced-out",
                "2024",
                "fish-chips_1",
            ]
        );
        assert_eq!(HeadingRule::PythonMarkdown.slug("Ĳssel, Łódź and Straße"), "ijssel-odz-and-strae");
        assert_eq!(HeadingRule::PythonMarkdown.slug("-lead"), "-lead");
    }

    #[test]
    fn kramdown_keeps_ascii_from_the_first_letter() {
        assert_eq!(
            ids(HeadingRule::Kramdown, &TRICKY),
            [
                "fish--chips",
                "the-foobar-option",
                "v12-release-notes",
                "caf-au-lait",
                "ber-uns",
                "emoji",
                "non-latin-",
                "whats-new",
                "a----b",
                "spaced--out--",
                "section",
                "fish--chips-1",
            ]
        );
    }

    #[test]
    fn mediawiki_keeps_case_and_joins_words_with_underscores() {
        assert_eq!(
            ids(HeadingRule::Mediawiki, &TRICKY),
            [
                "Fish_&_Chips",
                "The_foo_bar_option",
                "v1.2_release_notes",
                "Café_au_lait",
                "Über_uns",
                "😄_emoji",
                "Привет_non-latin_你好",
                "What's_new?",
                "A_--_B",
                "spaced_out",
                "2024",
                "Fish_&_Chips_2",
            ]
        );
        assert_eq!(HeadingRule::Mediawiki.slug("a__b _ c"), "a_b_c");
        // Smart punctuation is undone: the author typed `What's new -- now`.
        assert_eq!(HeadingRule::Mediawiki.slug("What’s new – now"), "What's_new_--_now");
        assert_eq!(HeadingRule::Github.slug("What’s new – now"), "whats-new----now");
    }

    #[test]
    fn dotwork_is_the_rule_before_issue_14() {
        assert_eq!(
            ids(HeadingRule::Dotwork, &TRICKY[..4]),
            ["fish-chips", "the-foo-bar-option", "v1-2-release-notes", "café-au-lait"]
        );
    }

    #[test]
    fn every_rule_steps_over_reserved_ids_and_repeats() {
        for rule in [HeadingRule::Github, HeadingRule::Gitlab, HeadingRule::Pandoc, HeadingRule::Kramdown] {
            assert_eq!(ids(rule, &["Main", "Main", "Top"]), ["main-1", "main-2", "top-1"], "{rule:?}");
        }
        assert_eq!(ids(HeadingRule::PythonMarkdown, &["Main", "Main"]), ["main_1", "main_2"]);
        assert_eq!(ids(HeadingRule::Mediawiki, &["main", "Main", "Main"]), ["main_2", "Main", "Main_2"]);
    }

    #[test]
    fn ids_in_raw_html_are_found() {
        let pieces =
            ["<h3 id=\"x\">X</h3>\n", "<div\n", " id=y class=z>", "<a name=\"old\"></a>", "<p name=\"no\">"];
        assert_eq!(raw_html_ids(pieces.into_iter()), ["x", "y", "old"]);
    }

    #[test]
    fn ids_are_found_whatever_order_they_came_in_and_kept_once() {
        let ids: Ids = ["washing", "aftercare", "washing", "dose-1"].map(String::from).into_iter().collect();
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["aftercare", "dose-1", "washing"]);
        assert!(ids.contains("washing") && ids.contains("aftercare") && ids.contains("dose-1"));
        assert!(!ids.contains("wash") && !ids.contains("") && !ids.contains("a") && !ids.contains("zz"));
        assert!(!Ids::default().contains("") && Ids::default().iter().next().is_none());
        // As the build cache keeps them, and as a damaged cache might.
        let kept: Ids = serde_json::from_str(r#"["z", "a", "m"]"#).unwrap();
        assert!(kept.contains("a") && kept.contains("m") && kept.contains("z"));
        assert_eq!(serde_json::to_string(&kept).unwrap(), r#"["a","m","z"]"#);
    }

    #[test]
    fn ids_made_again_from_their_parts_are_the_same_and_parts_that_do_not_fit_are_refused() {
        for ids in [&[][..], &["only"], &["", "a"], &["a", "ab", "b", "é-accent", "zz"]] {
            let ids: Ids = ids.iter().map(|id| id.to_string()).collect();
            let (text, ends) = ids.parts();
            assert_eq!(Ids::from_parts(text, ends.to_vec()), Some(ids.clone()));
        }
        // Out of order or repeated: sorted and kept once.
        let sorted = Ids::from_parts("zama", vec![1, 2, 3, 4]).unwrap();
        assert_eq!(sorted.iter().collect::<Vec<_>>(), ["a", "m", "z"]);
        // An end past the text, inside a character, before the one before, or short of the end.
        for ends in [vec![9], vec![1], vec![2, 1, 3], vec![2]] {
            assert_eq!(Ids::from_parts("éa", ends.clone()), None, "{ends:?}");
        }
    }
}
