//! Parse, part three: citations. A bibliography in the site
//! (`content/references.yaml` in hayagriva's YAML format, or
//! `content/references.bib` in BibTeX) and `[@key]` / `[@a; @b]` in markdown.
//!
//! Formatting is hayagriva's CSL processor with the style chosen in
//! site.yaml (AMA by default, APA or Vancouver), in the CSL locale of the
//! page's language (issue 15: "et al.", "Accessed", month names). Each
//! citing page gets its own numbering, in the order the page cites, and its
//! own reference list.
//! The HTML is written from hayagriva's structured output, escaped
//! (`html.rs`); the markdown stage records where each citation goes and the
//! site stage places them in one pass.
//!
//! hayagriva's work grows with a page's different citations times the works
//! it cites, and with the square of the bibliography's size (the References
//! page), so each different citation is formatted once and a page may cite at
//! most 1,000 works in 5,000 different citations, a bibliography hold at most
//! 5,000 works (issue 9; figures in bench/pathological/results.md).

use crate::collections::{HashMap, HashSet};
use std::path::Path;

use hayagriva::archive::{ArchivedStyle, LOCALES};
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry, Library};
use serde_json::{Value, json};

use crate::config::CitationStyle;
use crate::error::{Diagnostic, Location};
use crate::markdown::escape_html;
use crate::source::SourceFile;

mod html;

use html::{is_superscript, write_children};

/// The site's bibliography with the style to format it in, for each of the
/// site's languages.
#[derive(Clone)]
pub struct Bibliography {
    library: Library,
    style: IndependentStyle,
    /// The CSL locale of each of the site's languages, the default first:
    /// the `lang` of [`Bibliography::format_page`] is a position in it.
    languages: Vec<LocaleCode>,
    /// The locale files they need, and `en-US`, CSL's fallback for terms a
    /// locale lacks.
    locales: Vec<Locale>,
    /// Where it was read from, for diagnostics.
    pub file: SourceFile,
}

impl std::fmt::Debug for Bibliography {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bibliography")
            .field("file", &self.file.path)
            .field("entries", &self.library.len())
            .finish()
    }
}

/// One in-text citation, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InText {
    /// Its HTML: a link to the first cited work in the page's list.
    pub html: String,
    /// Whether it is a superscript number, which goes right after the word
    /// before it ("skin¹", not "skin ¹").
    pub superscript: bool,
}

/// One page's formatted citations.
#[derive(Debug, Default)]
pub struct PageCitations {
    /// The in-text citation for each `[@...]` group, in order.
    pub in_text: Vec<InText>,
    /// The page's reference list as HTML (`<ol>`/`<ul>` of entries).
    pub list: String,
    /// The cited keys, in order of first citation.
    pub keys: Vec<String>,
}

/// The most works a bibliography may hold: the References page formats them
/// all, and hayagriva's work for that grows with the square of their number
/// (2,500 works took 0.5 s, 10,000 took 5.5 s).
pub const MAX_WORKS: usize = 5000;

/// Reads the bibliography file, if the site has one, to be formatted in
/// `style` for a site in `languages` (BCP 47 codes as site.yaml writes them,
/// the default language first; `en-GB`, or a bare `es` for CSL's `es-ES`).
/// [`Bibliography::format_page`] and [`Bibliography::format_all`] take a
/// position in `languages`.
pub fn parse_bibliography<S: AsRef<str>>(
    file: Option<SourceFile>,
    style: CitationStyle,
    languages: &[S],
) -> Result<Option<Bibliography>, Diagnostic> {
    let Some(file) = file else { return Ok(None) };
    let library = if file.path.extension().is_some_and(|e| e == "bib") {
        hayagriva::io::from_biblatex_str(&file.text).map_err(|errors| {
            let detail = errors.first().map(|e| format!("{e:?}")).unwrap_or_default();
            Diagnostic::error(&file.path, format!("this BibTeX file cannot be read: {detail}"))
        })?
    } else {
        hayagriva::io::from_yaml_str(&file.text).map_err(|e| {
            let message = e.to_string();
            let message = message.find(" at line ").map_or(message.as_str(), |i| &message[..i]).to_string();
            let d = Diagnostic::error(&file.path, format!("bibliography: {message}"))
                .with_help("each entry needs a key, a `type` and a `title`; see hayagriva's YAML format");
            match e.location() {
                Some(l) => d.at(&file.text, Location { line: l.line(), column: l.column() }),
                None => d,
            }
        })?
    };
    if library.len() > MAX_WORKS {
        return Err(Diagnostic::error(
            &file.path,
            format!(
                "the bibliography holds {} works, more than the {MAX_WORKS} dotwork formats",
                library.len()
            ),
        )
        .with_help("keep only the works your pages cite (a whole reference library is too many)"));
    }
    let style = load_style(style).ok_or_else(|| {
        Diagnostic::error(crate::config::CONFIG_FILE, "this citation style cannot be loaded")
    })?;
    let codes: Vec<&str> = std::iter::once("en-US").chain(languages.iter().map(AsRef::as_ref)).collect();
    let locales = locales_for(&codes);
    let languages = languages.iter().map(|l| locale_code(l.as_ref())).collect();
    Ok(Some(Bibliography { library, style, languages, locales, file }))
}

/// The CSL locale code of a BCP 47 language code: the case CSL's locale
/// files are named in (`en-gb` is `en-GB`, `zh-hant-tw` is `zh-Hant-TW`),
/// since hayagriva compares codes as written. A code without a locale file
/// of its own (`es`, `es-419`) is looked up by hayagriva as its language's
/// main locale (`es-ES`), then `en-US`.
fn locale_code(language: &str) -> LocaleCode {
    let parts: Vec<String> = language
        .split('-')
        .enumerate()
        .map(|(i, part)| match (i, part.len()) {
            (0, _) => part.to_ascii_lowercase(),
            (_, 2) => part.to_ascii_uppercase(),
            (_, 4) => {
                let lower = part.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            _ => part.to_ascii_lowercase(),
        })
        .collect();
    LocaleCode(parts.join("-"))
}

/// The CSL locales for `languages` (`en-GB`, or a bare `de` for any `de-..`).
/// Decoding all 64 archived locales took 80 ms, most of a small site's
/// build. A locale's code is stored near the start of its data as a CBOR
/// text string, so only the locales whose first bytes hold that string are
/// decoded.
fn locales_for(languages: &[&str]) -> Vec<Locale> {
    let patterns: Vec<Vec<u8>> = languages
        .iter()
        .filter(|l| l.len() < 24)
        .map(|l| {
            // CBOR text string header: major type 3 (0x60) plus the length.
            let (len, text) =
                if l.contains('-') { (l.len(), l.to_string()) } else { (l.len() + 3, format!("{l}-")) };
            let mut p = vec![0x60 + len as u8];
            p.extend_from_slice(text.as_bytes());
            p
        })
        .collect();
    LOCALES
        .iter()
        .filter(|bytes| {
            let head = &bytes[..bytes.len().min(64)];
            patterns.iter().any(|p| head.windows(p.len()).any(|w| w.eq_ignore_ascii_case(p)))
        })
        .filter_map(|bytes| ciborium::from_reader::<Locale, _>(&bytes[..]).ok())
        .collect()
}

fn load_style(style: CitationStyle) -> Option<IndependentStyle> {
    let archived = match style {
        CitationStyle::Ama => ArchivedStyle::AmericanMedicalAssociation,
        CitationStyle::Apa => ArchivedStyle::AmericanPsychologicalAssociation,
        CitationStyle::Vancouver => ArchivedStyle::NlmCitationSequence,
    };
    // The three archived styles above are independent styles (checked by a test).
    match archived.get() {
        Style::Independent(s) => Some(s),
        Style::Dependent(_) => None,
    }
}

impl Bibliography {
    /// Whether `key` is an entry.
    pub fn contains(&self, key: &str) -> bool {
        self.library.get(key).is_some()
    }

    /// The CSL locale of the site's language at `lang` (a position in the
    /// languages the bibliography was read for; the default language's
    /// past their end), or none for a bibliography read for no language
    /// (the style's own default locale, else `en-US`).
    fn locale(&self, lang: usize) -> Option<LocaleCode> {
        self.languages.get(lang).or(self.languages.first()).cloned()
    }

    /// Every key, in the file's order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.library.keys()
    }

    /// Where each key is defined in the bibliography file (its first
    /// `key:` line, or `@type{key,` in BibTeX) and that line, found in one
    /// pass over the file: a search per key was quadratic in a large
    /// bibliography.
    fn key_lines(&self) -> HashMap<&str, (Location, &str)> {
        let mut found = HashMap::default();
        for (i, line) in self.file.text.lines().enumerate() {
            let l = line.trim_start();
            let key = match l.strip_prefix('@') {
                Some(r) => r.split_once('{').map(|(_, r)| r.split(',').next().unwrap_or(r).trim()),
                None => l.split_once(':').map(|(k, _)| k.trim_end()),
            };
            if let Some(key) = key.filter(|k| self.contains(k)) {
                let at = Location { line: i + 1, column: line.len() - l.len() + 1 };
                found.entry(key).or_insert((at, line.trim_end_matches('\r')));
            }
        }
        found
    }

    /// Warnings for the entries no page cites, in the file's order.
    pub fn never_cited(&self, cited: &HashSet<&str>) -> Vec<Diagnostic> {
        let lines = self.key_lines();
        self.keys()
            .filter(|k| !cited.contains(k))
            .map(|k| {
                let mut d = Diagnostic::warning(&self.file.path, format!("`{k}` is never cited"))
                    .with_help(format!("cite it as [@{k}] where it supports the text, or remove it"));
                // Set directly: `Diagnostic::at` finds the line by reading
                // the file from the top, once per warning.
                if let Some(&(at, line)) = lines.get(k) {
                    d.location = Some(at);
                    d.line_text = Some(line.to_string());
                }
                d
            })
            .collect()
    }

    /// Formats a page's citation groups (keys must exist; at most
    /// [`MAX_WORKS_PER_PAGE`] different ones, see [`citation_limit`]) in the
    /// page's language: `lang` is its position in the languages given to
    /// [`parse_bibliography`] (0 for the default language).
    ///
    /// Each different group is formatted once: hayagriva's work grows with
    /// the number of citations times the number of works cited (it looks up
    /// each citation's number in a list), and a group renders the same
    /// wherever it appears in the shipped styles, which number works in order
    /// of first citation and never write "ibid." (pinned by a test).
    pub fn format_page(&self, groups: &[Vec<String>], lang: usize) -> PageCitations {
        let mut distinct: HashMap<&[String], usize> = HashMap::default();
        let mut unique: Vec<&[String]> = Vec::new();
        let which: Vec<usize> = groups
            .iter()
            .map(|g| {
                *distinct.entry(g.as_slice()).or_insert_with(|| {
                    unique.push(g);
                    unique.len() - 1
                })
            })
            .collect();
        let formatted = self.format_groups(&unique, lang);
        let in_text = which.iter().map(|&i| formatted.in_text[i].clone()).collect();
        PageCitations { in_text, ..formatted }
    }

    fn format_groups(&self, groups: &[&[String]], lang: usize) -> PageCitations {
        let locale = self.locale(lang);
        let mut driver = BibliographyDriver::new();
        let mut keys: Vec<String> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::default();
        for group in groups {
            let items: Vec<CitationItem<'_, Entry>> =
                group.iter().filter_map(|k| self.library.get(k)).map(CitationItem::with_entry).collect();
            for k in group.iter() {
                if seen.insert(k) {
                    keys.push(k.clone());
                }
            }
            driver.citation(CitationRequest::new(items, &self.style, locale.clone(), &self.locales, None));
        }
        let rendered = driver.finish(BibliographyRequest::new(&self.style, locale, &self.locales));
        let in_text = rendered
            .citations
            .iter()
            .zip(groups)
            .map(|(c, group)| {
                let first = group.first().map(String::as_str).unwrap_or_default();
                let mut html = format!("<a class=\"citation\" href=\"#ref-{}\">", escape_html(first));
                write_children(&mut html, &c.citation);
                html.push_str("</a>");
                InText { html, superscript: is_superscript(&c.citation) }
            })
            .collect();
        PageCitations { in_text, list: self.list_html(rendered.bibliography), keys }
    }

    /// Every entry, formatted, for the References page in the language at
    /// `lang` (a position as for [`Bibliography::format_page`]).
    pub fn format_all(&self, lang: usize) -> String {
        let locale = self.locale(lang);
        let mut driver = BibliographyDriver::new();
        for entry in self.library.iter() {
            driver.citation(CitationRequest::new(
                vec![CitationItem::with_entry(entry)],
                &self.style,
                locale.clone(),
                &self.locales,
                None,
            ));
        }
        self.list_html(
            driver.finish(BibliographyRequest::new(&self.style, locale, &self.locales)).bibliography,
        )
    }

    fn list_html(&self, bibliography: Option<hayagriva::RenderedBibliography>) -> String {
        let Some(bib) = bibliography else { return String::new() };
        // Numeric styles number the list; an <ol> says so to every reader.
        let numbered = bib.items.iter().any(|i| i.first_field.is_some());
        let tag = if numbered { "ol" } else { "ul" };
        let mut html = format!("<{tag} class=\"references\">\n");
        for item in &bib.items {
            let mut text = String::new();
            write_children(&mut text, &item.content);
            html.push_str(&format!("<li id=\"ref-{}\">{}</li>\n", escape_html(&item.key), text.trim()));
        }
        html.push_str(&format!("</{tag}>\n"));
        html
    }

    /// A cited work as schema.org `ScholarlyArticle` (or `CreativeWork`).
    pub fn json_ld(&self, key: &str) -> Option<Value> {
        let entry = self.library.get(key)?;
        let mut work = json!({
            "@type": match entry.entry_type() {
                hayagriva::types::EntryType::Article => "ScholarlyArticle",
                hayagriva::types::EntryType::Book => "Book",
                _ => "CreativeWork",
            },
        });
        if let Some(title) = entry.title() {
            work["headline"] = json!(title.to_string());
            work["name"] = json!(title.to_string());
        }
        if let Some(authors) = entry.authors() {
            let people: Vec<Value> =
                authors.iter().map(|p| json!({"@type": "Person", "name": p.given_first(false)})).collect();
            work["author"] = json!(people);
        }
        if let Some(date) = entry.date() {
            work["datePublished"] = json!(date.to_string());
        }
        if let Some(pages) = entry.page_range() {
            work["pagination"] = json!(pages.to_string());
        }
        if let Some(doi) = entry.keyed_serial_number("doi") {
            work["sameAs"] = json!(format!("https://doi.org/{doi}"));
        }
        if let Some(parent) = entry.parents().first() {
            let mut part = json!({"@type": "Periodical"});
            if let Some(title) = parent.title() {
                part["name"] = json!(title.to_string());
            }
            let volume = parent.volume().or(entry.volume()).map(|v| v.to_string());
            let issue = parent.issue().or(entry.issue()).map(|v| v.to_string());
            if let Some(v) = volume {
                part = json!({"@type": "PublicationVolume", "volumeNumber": v, "isPartOf": part});
            }
            if let Some(i) = issue {
                part = json!({"@type": "PublicationIssue", "issueNumber": i, "isPartOf": part});
            }
            work["isPartOf"] = part;
        }
        Some(work)
    }
}

/// Finds `[@key]` and `[@a; @b]` in `text`: (byte range, keys) for each.
pub fn find_citations(text: &str) -> Vec<(std::ops::Range<usize>, Vec<String>)> {
    let mut found = Vec::new();
    // Nearly all text has no citation; a byte search rules it out cheaply.
    if !text.contains('@') {
        return found;
    }
    let mut from = 0;
    while let Some(start) = text[from..].find("[@").map(|i| i + from) {
        // A group ends at the next `]`, and holds no `[`: stopping at either
        // keeps the scan linear (searching on to the next `]` for every
        // `[@` of "[@a [@a [@a ... ]" was quadratic).
        let Some(len) = text[start + 1..].find(['[', ']']).map(|i| i + 1) else { break };
        if text.as_bytes()[start + len] == b'[' {
            from = start + len;
            continue;
        }
        let inner = &text[start + 1..start + len];
        let keys: Option<Vec<String>> = inner
            .split(';')
            .map(|part| {
                let key = part.trim().strip_prefix('@')?;
                (!key.is_empty() && key.chars().all(is_key_char)).then(|| key.to_string())
            })
            .collect();
        match keys {
            Some(keys) => {
                found.push((start..start + len + 1, keys));
                from = start + len + 1;
            }
            None => from = start + 2,
        }
    }
    found
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || "_-:.+/".contains(c)
}

/// The most different works one page may cite. hayagriva's work grows with
/// the number of different citations times the number of works (see
/// [`Bibliography::format_page`]); a review article cites a few hundred.
pub const MAX_WORKS_PER_PAGE: usize = 1000;

/// The most different citations (`[@a]`, `[@a; @b]`, ...) one page may
/// hold; repeats of the same citation are free. With at most 1,000 works
/// this bounds a page's formatting to well under a second.
pub const MAX_CITATIONS_PER_PAGE: usize = 5000;

/// An error if a page cites more than [`MAX_WORKS_PER_PAGE`] different works
/// or has more than [`MAX_CITATIONS_PER_PAGE`] different citations (such a
/// page is not formatted).
pub fn citation_limit(file: &Path, text: &str, groups: &[Vec<String>]) -> Option<Diagnostic> {
    let works: HashSet<&str> = groups.iter().flatten().map(String::as_str).collect();
    let message = if works.len() > MAX_WORKS_PER_PAGE {
        format!(
            "this page cites {} different works, more than the {MAX_WORKS_PER_PAGE} a page may cite",
            works.len()
        )
    } else {
        let citations: HashSet<&[String]> = groups.iter().map(Vec::as_slice).collect();
        if citations.len() <= MAX_CITATIONS_PER_PAGE {
            return None;
        }
        format!(
            "this page has {} different citations, more than the {MAX_CITATIONS_PER_PAGE} a page may have",
            citations.len()
        )
    };
    let d = Diagnostic::error(file, message)
        .with_help("split the page into several pages, each citing the works it discusses");
    Some(match text.find("[@") {
        Some(offset) => d.at_offset(text, offset),
        None => d,
    })
}

/// Diagnostics for keys a page cites that the bibliography lacks.
pub fn unknown_keys(
    bibliography: Option<&Bibliography>,
    file: &Path,
    text: &str,
    groups: &[Vec<String>],
) -> Vec<Diagnostic> {
    let mut seen = HashSet::default();
    let unknown: Vec<&str> = groups
        .iter()
        .flatten()
        .map(String::as_str)
        .filter(|key| !bibliography.is_some_and(|b| b.contains(key)) && seen.insert(*key))
        .collect();
    if unknown.is_empty() {
        return Vec::new();
    }
    let offsets = first_offsets(text, &seen);
    let known: Vec<&str> = bibliography.map(|b| b.keys().collect()).unwrap_or_default();
    unknown
        .into_iter()
        .map(|key| {
            let mut d = match bibliography {
                Some(b) => {
                    let d = Diagnostic::error(
                        file,
                        format!("citation `@{key}` is not in {}", b.file.path.display()),
                    );
                    match crate::error::did_you_mean(key, &known) {
                        Some(best) => d.with_help(format!("did you mean `@{best}`?")),
                        None => d.with_help(format!("add an entry `{key}:` to {}", b.file.path.display())),
                    }
                }
                None => {
                    Diagnostic::error(file, format!("citation `@{key}`, but the site has no bibliography"))
                        .with_help("add the works you cite to content/references.yaml")
                }
            };
            if let Some(&offset) = offsets.get(key) {
                d = d.at_offset(text, offset);
            }
            d
        })
        .collect()
}

/// Where each of `keys` is first written as `@key` in `text`, in one pass
/// (searching the text once per key was quadratic in a page citing many
/// unknown keys).
fn first_offsets<'k>(text: &str, keys: &HashSet<&'k str>) -> HashMap<&'k str, usize> {
    let mut found = HashMap::default();
    for (at, _) in text.match_indices('@') {
        let rest = &text[at + 1..];
        let len = rest.find(|c: char| !is_key_char(c)).unwrap_or(rest.len());
        // Keys may end in `.` or `:` that are punctuation after the key.
        let mut key = &rest[..len];
        loop {
            if let Some(&k) = keys.get(key) {
                found.entry(k).or_insert(at);
                break;
            }
            match key.char_indices().next_back() {
                Some((i, c)) if ".:/-+".contains(c) && i > 0 => key = &key[..i],
                _ => break,
            }
        }
        if found.len() == keys.len() {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    pub(crate) const RASSMAN: &str = "rassman2013:\n  type: article\n  title: \"Scalp micropigmentation: a useful treatment for hair loss\"\n  author: [\"Rassman, W.\", \"Pak, J.\", \"Kim, J.\"]\n  date: 2013-08\n  page-range: 497-503\n  parent:\n    type: periodical\n    title: Facial Plastic Surgery Clinics\n    volume: 21\n    issue: 3\n";

    fn bib(style: CitationStyle) -> Bibliography {
        let file = SourceFile::new(PathBuf::from("content/references.yaml"), RASSMAN.to_string());
        parse_bibliography(Some(file), style, &["en-GB"]).unwrap().unwrap()
    }

    #[test]
    fn finds_citation_groups() {
        let found = find_citations("As shown [@a; @b:c] and [@d]. Not [this] or [@bad key] or [@].");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1, vec!["a", "b:c"]);
        assert_eq!(found[1].1, vec!["d"]);
    }

    #[test]
    fn bibliography_text_cannot_inject_markup_or_script_links() {
        let yaml = "evil:\n  type: web\n  title: \"<script>alert(1)</script> & \\\"quoted\\\"\"\n  author: [\"O'Brien, <b>\"]\n  url: javascript:alert(1)\n  date: 2020\n";
        let file = SourceFile::new(PathBuf::from("content/references.yaml"), yaml.to_string());
        for style in [CitationStyle::Ama, CitationStyle::Apa, CitationStyle::Vancouver] {
            let b = parse_bibliography(Some(file.clone()), style, &["en-GB"]).unwrap().unwrap();
            let page = b.format_page(&[vec!["evil".into()]], 0);
            for html in [page.list, page.in_text[0].html.clone(), b.format_all(0)] {
                assert!(!html.contains("<script"), "{style:?}: {html}");
                assert!(!html.contains("<b>"), "{style:?}: {html}");
                assert!(!html.contains("href=\"javascript"), "{style:?}: {html}");
                assert!(!html.contains(" & "), "{style:?}: {html}");
            }
        }
        let b = parse_bibliography(Some(file), CitationStyle::Ama, &["en-GB"]).unwrap().unwrap();
        assert!(
            b.format_all(0).contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
            "{}",
            b.format_all(0)
        );
    }

    #[test]
    fn repeated_groups_render_as_if_formatted_one_by_one() {
        let text = format!(
            "{RASSMAN}smith1:\n  type: article\n  title: One\n  author: [\"Smith, A.\"]\n  date: 2020\nsmith2:\n  type: article\n  title: Two\n  author: [\"Smith, A.\"]\n  date: 2020\n"
        );
        let file = SourceFile::new(PathBuf::from("content/references.yaml"), text);
        let g = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<String>>();
        let groups = [
            g(&["smith1"]),
            g(&["rassman2013", "smith2"]),
            g(&["smith1"]),
            g(&["smith1"]),
            g(&["smith2"]),
            g(&["rassman2013", "smith2"]),
        ];
        for style in [CitationStyle::Ama, CitationStyle::Apa, CitationStyle::Vancouver] {
            let b = parse_bibliography(Some(file.clone()), style, &["en-GB"]).unwrap().unwrap();
            let all: Vec<&[String]> = groups.iter().map(Vec::as_slice).collect();
            let one_by_one = b.format_groups(&all, 0);
            let page = b.format_page(&groups, 0);
            assert_eq!(page.in_text, one_by_one.in_text, "{style:?}");
            assert_eq!(page.list, one_by_one.list, "{style:?}");
            assert_eq!(page.keys, ["smith1", "rassman2013", "smith2"]);
        }
    }

    #[test]
    fn a_page_may_cite_a_thousand_works() {
        let groups: Vec<Vec<String>> = (0..=MAX_WORKS_PER_PAGE).map(|i| vec![format!("k{i}")]).collect();
        let text = "Intro\n\nSee [@k0].\n";
        assert!(citation_limit(Path::new("content/a.md"), text, &groups[1..]).is_none());
        let d = citation_limit(Path::new("content/a.md"), text, &groups).unwrap();
        assert_eq!(d.message, "this page cites 1001 different works, more than the 1000 a page may cite");
        assert_eq!(d.location.map(|l| (l.line, l.column)), Some((3, 5)));

        // 5,001 different pairs of 100 works; repeating one citation is free.
        let pair = |i: usize| vec![format!("k{}", i % 100), format!("k{}", i / 100)];
        let mut groups: Vec<Vec<String>> = (0..MAX_CITATIONS_PER_PAGE).map(pair).collect();
        groups.extend(std::iter::repeat_n(pair(0), 10_000));
        assert!(citation_limit(Path::new("content/a.md"), text, &groups).is_none());
        groups.push(pair(MAX_CITATIONS_PER_PAGE));
        let d = citation_limit(Path::new("content/a.md"), text, &groups).unwrap();
        assert_eq!(d.message, "this page has 5001 different citations, more than the 5000 a page may have");
    }

    #[test]
    fn a_bibliography_may_hold_5000_works() {
        let entries =
            |n: usize| -> String { (0..n).map(|i| format!("k{i}:\n  type: book\n  title: T\n")).collect() };
        let file = |text: String| Some(SourceFile::new(PathBuf::from("content/references.yaml"), text));
        assert!(parse_bibliography(file(entries(MAX_WORKS)), CitationStyle::Ama, &["en"]).is_ok());
        let d = parse_bibliography(file(entries(MAX_WORKS + 1)), CitationStyle::Ama, &["en"]).unwrap_err();
        assert_eq!(d.message, "the bibliography holds 5001 works, more than the 5000 dotwork formats");
    }

    #[test]
    fn warns_about_works_never_cited_at_their_line() {
        let b = bib(CitationStyle::Ama);
        let ds = b.never_cited(&HashSet::default());
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].message, "`rassman2013` is never cited");
        assert_eq!(ds[0].location, Some(Location { line: 1, column: 1 }));
        assert_eq!(ds[0].line_text.as_deref(), Some("rassman2013:"));
        assert!(b.never_cited(&HashSet::from_iter(["rassman2013"])).is_empty());
    }

    #[test]
    fn unclosed_groups_are_not_citations() {
        let text = format!("{}]", "[@a b ".repeat(1000));
        assert!(find_citations(&text).is_empty());
        let found = find_citations("[@a [@b] [@c; [@d]");
        let keys: Vec<&str> = found.iter().map(|(_, k)| k[0].as_str()).collect();
        assert_eq!(keys, ["b", "d"]);
        assert_eq!(found[0].0, 4..8);
    }

    #[test]
    fn unknown_keys_point_at_their_first_use() {
        let text = "Intro [@known].\n\nSee [@nope] and [@nope2; @x.y].\n";
        let groups = find_citations(text).into_iter().map(|(_, k)| k).collect::<Vec<_>>();
        let ds = unknown_keys(Some(&bib(CitationStyle::Ama)), Path::new("content/a.md"), text, &groups);
        let at: Vec<(String, usize, usize)> = ds
            .iter()
            .map(|d| {
                let l = d.location.unwrap();
                (d.message.clone(), l.line, l.column)
            })
            .collect();
        assert_eq!(
            at,
            [
                ("citation `@known` is not in content/references.yaml".to_string(), 1, 8),
                ("citation `@nope` is not in content/references.yaml".to_string(), 3, 6),
                ("citation `@nope2` is not in content/references.yaml".to_string(), 3, 18),
                ("citation `@x.y` is not in content/references.yaml".to_string(), 3, 26),
            ]
        );
    }

    #[test]
    fn loads_only_the_locales_asked_for() {
        let codes = |langs: &[&str]| -> Vec<String> {
            locales_for(langs).iter().filter_map(|l| l.lang.as_ref().map(|c| c.to_string())).collect()
        };
        assert_eq!(codes(&["en-US", "en-GB"]), vec!["en-GB", "en-US"]);
        assert_eq!(codes(&["en-US", "de"]), vec!["de-AT", "de-CH", "de-DE", "en-US"]);
    }

    #[test]
    fn each_language_is_formatted_with_its_csl_locale() {
        let web = "web1:\n  type: web\n  title: Hair loss\n  author: [\"Smith, A.\", \"Jones, B.\", \"Brown, C.\", \"Lee, D.\", \"Khan, E.\", \"Wu, F.\", \"Park, G.\"]\n  date: 2024-03-05\n  url:\n    value: https://example.org/hair\n    date: 2026-11-20\n";
        let file = SourceFile::new(PathBuf::from("content/references.yaml"), format!("{RASSMAN}{web}"));
        let cite = [vec!["rassman2013".to_string()], vec!["web1".to_string()]];
        let formatted = |style, languages: &[&str], lang| {
            let b = parse_bibliography(Some(file.clone()), style, languages).unwrap().unwrap();
            (b.format_page(&cite, lang), b.format_all(lang))
        };
        let item = |list: &str, key: &str| {
            let start = list.find(&format!("<li id=\"ref-{key}\">")).unwrap();
            list[start..].lines().next().unwrap().to_string()
        };
        let link = "<a href=\"https://example.org/hair\">https://example.org/hair</a></li>";

        // AMA: dates, "Accessed" and "et al." (es-ES: a no-break space) follow the locale.
        let (en, _) = formatted(CitationStyle::Ama, &["en-GB", "es"], 0);
        let (es, all_es) = formatted(CitationStyle::Ama, &["en-GB", "es"], 1);
        assert_eq!(
            item(&en.list, "web1"),
            format!(
                "<li id=\"ref-web1\">Smith A, Jones B, Brown C, et al. Hair loss. 5 March 2024. Accessed 20 November 2026. {link}"
            )
        );
        assert_eq!(
            item(&es.list, "web1"),
            format!(
                "<li id=\"ref-web1\">Smith A, Jones B, Brown C, et\u{a0}al. Hair loss. 5 de marzo de 2024. Accedido 20 de noviembre de 2026. {link}"
            )
        );
        assert_eq!(item(&all_es, "web1"), item(&es.list, "web1"), "the References page too");
        // German's "et al." is "u. a.".
        let (de, _) = formatted(CitationStyle::Ama, &["en-GB", "de"], 1);
        assert!(
            item(&de.list, "web1")
                .contains("Brown C, u.\u{a0}a. Hair loss. 5. März 2024. Zugegriffen 20. November 2026."),
            "{:?}",
            de.list
        );

        // Vancouver: "cited" and "Available from", month names.
        let (en, _) = formatted(CitationStyle::Vancouver, &["en-GB", "es"], 0);
        let (es, _) = formatted(CitationStyle::Vancouver, &["en-GB", "es"], 1);
        assert_eq!(
            item(&en.list, "web1"),
            format!(
                "<li id=\"ref-web1\">Hair loss [Internet]. 2024 [cited 2026 Nov 20]. Available from: {link}"
            )
        );
        assert_eq!(
            item(&es.list, "web1"),
            format!(
                "<li id=\"ref-web1\">Hair loss [Internet]. 2024 [citado 20 de noviembre de 2026]. Disponible en: {link}"
            )
        );
        assert!(item(&es.list, "rassman2013").contains("Clinics. agosto de 2013;21(3)"), "{}", es.list);

        // APA's in-text "et al." too, and its dates.
        let (en, _) = formatted(CitationStyle::Apa, &["en-GB", "es"], 0);
        let (es, _) = formatted(CitationStyle::Apa, &["en-GB", "es"], 1);
        assert!(en.in_text[1].html.contains(">(Smith et al., 2024)<"), "{}", en.in_text[1].html);
        assert!(es.in_text[1].html.contains(">(Smith et\u{a0}al., 2024)<"), "{}", es.in_text[1].html);
        assert!(item(&es.list, "web1").contains("(2024, marzo 5)"), "{}", es.list);

        // The language's code as site.yaml writes it; past the languages
        // given, the default.
        let (upper, _) = formatted(CitationStyle::Apa, &["EN-gb", "ES"], 1);
        assert_eq!(upper.list, es.list);
        let (past, _) = formatted(CitationStyle::Apa, &["es", "en-GB"], 5);
        assert_eq!(past.list, es.list);
    }

    #[test]
    fn language_codes_are_written_as_csl_names_its_locales() {
        let code = |l: &str| locale_code(l).0;
        assert_eq!(code("en-gb"), "en-GB");
        assert_eq!(code("ES"), "es");
        assert_eq!(code("zh-hant-tw"), "zh-Hant-TW");
        assert_eq!(code("es-419"), "es-419");
    }

    #[test]
    fn shipped_styles_are_independent() {
        for style in [CitationStyle::Ama, CitationStyle::Apa, CitationStyle::Vancouver] {
            assert!(matches!(
                match style {
                    CitationStyle::Ama => ArchivedStyle::AmericanMedicalAssociation,
                    CitationStyle::Apa => ArchivedStyle::AmericanPsychologicalAssociation,
                    CitationStyle::Vancouver => ArchivedStyle::NlmCitationSequence,
                }
                .get(),
                Style::Independent(_)
            ));
        }
    }

    #[test]
    fn formats_ama_reference_exactly() {
        let page = bib(CitationStyle::Ama).format_page(&[vec!["rassman2013".into()]], 0);
        assert_eq!(
            page.in_text,
            vec![InText {
                html: "<a class=\"citation\" href=\"#ref-rassman2013\"><sup>1</sup></a>".into(),
                superscript: true
            }]
        );
        assert_eq!(
            page.list,
            "<ol class=\"references\">\n<li id=\"ref-rassman2013\">Rassman W, Pak J, Kim J. Scalp micropigmentation: a useful treatment for hair loss. <i>Facial Plastic Surgery Clinics</i>. 2013;21(3):497-503.</li>\n</ol>\n"
        );
    }

    #[test]
    fn formats_apa_author_date() {
        let page = bib(CitationStyle::Apa).format_page(&[vec!["rassman2013".into()]], 0);
        assert!(page.in_text[0].html.contains("Rassman et al., 2013"), "{}", page.in_text[0].html);
        assert!(!page.in_text[0].superscript);
        assert!(page.list.starts_with("<ul"), "{}", page.list);
    }

    #[test]
    fn json_ld_of_the_paper() {
        let v = bib(CitationStyle::Ama).json_ld("rassman2013").unwrap();
        assert_eq!(v["@type"], "ScholarlyArticle");
        assert_eq!(v["isPartOf"]["@type"], "PublicationIssue");
        assert_eq!(v["isPartOf"]["issueNumber"], "3");
        assert_eq!(v["isPartOf"]["isPartOf"]["volumeNumber"], "21");
        assert_eq!(v["isPartOf"]["isPartOf"]["isPartOf"]["name"], "Facial Plastic Surgery Clinics");
        assert_eq!(v["pagination"], "497-503");
        assert_eq!(v["author"][0]["name"], "W. Rassman");
    }
}
