//! The theme's own words (buttons, labels, headings, month names) in the
//! site's language, from the theme's translation files: `i18n/en.yaml`,
//! `i18n/de.yaml`, … beside its `templates/`, picked by site.yaml's
//! `language` (`de-DE` reads `de-DE.yaml` if the theme has it, else
//! `de.yaml`).
//!
//! Templates ask for a word with `t(key="book")`; `{name}` in a word is
//! filled from the call's other arguments (`t(key="call", phone=…)`), and
//! `long_date` writes dates with the file's month names and `date.long`
//! pattern. A word the language's file lacks falls back to English, and
//! `check` warns naming the word, the language, the template and its line
//! ([`missing_words`]); a word English lacks too is an error there, and the
//! template cannot render. Nested keys in a file are joined with dots
//! (`date.long`); the words of the building blocks' components go under
//! `blocks.`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::date::Date;
use crate::error::{Diagnostic, Location};

/// The language whose words every other falls back to.
pub const FALLBACK: &str = "en";

/// The theme's folder of translation files.
pub const I18N_DIR: &str = "i18n";

/// One translation file, read: its words by dotted key.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WordFile {
    /// Where it is, for messages (`themes/clinic/i18n/de.yaml`).
    pub(crate) path: PathBuf,
    words: BTreeMap<String, String>,
    months: Option<Vec<String>>,
}

/// The theme's words for a site: its language's, and English's to fall
/// back on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Words {
    /// The language of site.yaml (`de-DE`).
    pub(crate) language: String,
    /// The file for the language, when the theme has one (and the language
    /// is not English).
    pub(crate) chosen: Option<WordFile>,
    /// The site's default language and its file, for a language that is
    /// not the default: a word this language lacks is taken from it first.
    pub(crate) default: Option<(String, WordFile)>,
    /// The English file; empty when the theme has none.
    pub(crate) english: WordFile,
}

/// The files of a language to look for, best first: `de-DE.yaml`, `de.yaml`.
pub(crate) fn candidates(language: &str) -> Vec<String> {
    let primary = language.split('-').next().unwrap_or(language).to_ascii_lowercase();
    let mut names = Vec::new();
    if language.contains('-') {
        names.push(format!("{language}.yaml"));
    }
    names.push(format!("{primary}.yaml"));
    names
}

/// Reads one translation file (the string twin of loading it).
pub(crate) fn parse_word_file(path: &Path, text: &str) -> Result<WordFile, Diagnostic> {
    let what = crate::url::slash_path(path);
    let value: serde_json::Value =
        if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            serde_json::Value::Object(serde_json::Map::new())
        } else {
            crate::yaml::parse_yaml(path, text, text, 1, &what)?
        };
    let mut file = WordFile { path: path.to_path_buf(), ..WordFile::default() };
    let mut todo = vec![(String::new(), &value)];
    while let Some((prefix, value)) = todo.pop() {
        let at = |message: String| {
            let d = Diagnostic::error(path, message);
            let leaf = prefix.rsplit('.').next().unwrap_or(&prefix);
            match crate::config::key_line(text, &format!("{leaf}:")) {
                Some(loc) => d.at(text, Location { column: loc.column, ..loc }),
                None => d,
            }
        };
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    todo.push((key, v));
                }
            }
            serde_json::Value::String(s) => {
                file.words.insert(prefix, s.clone());
            }
            serde_json::Value::Array(items) if prefix == "date.months" => {
                let months: Vec<String> =
                    items.iter().filter_map(|m| m.as_str().map(str::to_string)).collect();
                if months.len() != 12 || months.len() != items.len() {
                    return Err(at(
                        "`date.months` must list the twelve months' names, January first".to_string()
                    ));
                }
                file.months = Some(months);
            }
            _ => return Err(at(format!("`{prefix}` is not text: write the words in quotes"))),
        }
    }
    Ok(file)
}

impl Words {
    /// The words for `language` from the theme's English file and, if
    /// there is one, the language's.
    pub(crate) fn new(language: &str, english: WordFile, chosen: Option<WordFile>) -> Words {
        Words { language: language.to_string(), chosen, default: None, english }
    }

    /// These words, taking a word they lack from `default` (the site's
    /// default language and its file) before English.
    pub(crate) fn falling_back_to(mut self, default: Option<(String, WordFile)>) -> Words {
        self.default = default;
        self
    }

    /// The word `key` in the language, else in the site's default
    /// language, else in English.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.chosen
            .as_ref()
            .and_then(|c| c.words.get(key))
            .or_else(|| self.default.as_ref().and_then(|(_, d)| d.words.get(key)))
            .or_else(|| self.english.words.get(key))
            .map(String::as_str)
    }

    /// The language a word the language lacks is shown in: the site's
    /// default language, or English.
    fn fallback_language(&self) -> String {
        self.default.as_ref().map_or("English".to_string(), |(code, _)| format!("the `{code}` word"))
    }

    /// Whether the language (not English) has a file, and the file has `key`.
    fn chosen_has(&self, key: &str) -> bool {
        self.chosen.as_ref().is_some_and(|c| c.words.contains_key(key))
    }

    /// Whether the site's language is English (whose file is the fallback).
    fn is_english(&self) -> bool {
        self.language.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case(FALLBACK))
    }

    /// Every key the language has a word for (its own, its fallbacks'),
    /// with that word ([`Self::get`]).
    pub(crate) fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        let files = [self.chosen.as_ref(), self.default.as_ref().map(|(_, d)| d), Some(&self.english)];
        let keys: std::collections::BTreeSet<&str> =
            files.into_iter().flatten().flat_map(|f| f.words.keys().map(String::as_str)).collect();
        keys.into_iter().filter_map(|key| Some((key, self.get(key)?)))
    }

    /// The word `key` with each `{name}` replaced by `args`' value.
    pub(crate) fn fill(&self, key: &str, args: &[(&str, String)]) -> Option<String> {
        let mut word = self.get(key)?.to_string();
        for (name, value) in args {
            word = word.replace(&format!("{{{name}}}"), value);
        }
        Some(word)
    }

    /// `date` as the language writes it: `date.long` of its file with
    /// `{day}`, `{month}` and `{year}` (`24. November 2026`); `date.first_day`,
    /// if the file has it, is the first day's number (French `1er`).
    pub(crate) fn long_date(&self, date: Date) -> String {
        let (year, month, day) = date.parts();
        let months = self
            .chosen
            .as_ref()
            .and_then(|c| c.months.as_ref())
            .or(self.default.as_ref().and_then(|(_, d)| d.months.as_ref()))
            .or(self.english.months.as_ref());
        let (Some(months), Some(pattern)) = (months, self.get("date.long")) else { return date.long() };
        let day = match self.chosen.as_ref().and_then(|c| c.words.get("date.first_day")) {
            Some(first) if day == 1 => first.clone(),
            _ => day.to_string(),
        };
        pattern
            .replace("{day}", &day)
            .replace("{month}", &months[usize::from(month - 1)])
            .replace("{year}", &year.to_string())
    }
}

/// Each `t(key="…")` in `text`: the key and its byte offset.
pub(crate) fn keys_used(text: &str) -> Vec<(&str, usize)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("t(key=").map(|i| i + from) {
        from = at + 6;
        // `t(` itself, not the end of another name (`get(key=`).
        if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[from..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        if let Some(end) = rest[1..].find(quote) {
            found.push((&rest[1..=end], at));
        }
    }
    found
}

/// The words templates ask for that the theme lacks: an error for each
/// missing in English, a warning for each missing only in the site's
/// language; a warning when the theme has no file for the language at all.
/// The errors come only for the site's default language (`default`), so
/// that each is reported once. Returns (errors, warnings).
pub(crate) fn missing_words(
    words: &Words,
    templates: &[crate::source::TemplateFile],
    config_text: &str,
    default: bool,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    let uses_words = templates.iter().any(|t| !keys_used(&t.text).is_empty());
    if uses_words && !words.is_english() && words.chosen.is_none() {
        let d = Diagnostic::warning(
            crate::config::CONFIG_FILE,
            format!("the theme has no words in `{}`: its buttons and labels are in English", words.language),
        )
        .with_help(format!(
            "add {I18N_DIR}/{} to the theme, translated from {I18N_DIR}/en.yaml",
            candidates(&words.language).pop().unwrap_or_default()
        ));
        let line = if default { crate::config::setting_line(config_text, &["language"]) } else { None };
        warnings.push(match line.or_else(|| crate::config::key_line(config_text, &words.language)) {
            Some(loc) => d.at(config_text, loc),
            None => d,
        });
    }
    for template in templates {
        for (key, offset) in keys_used(&template.text) {
            let at = |d: Diagnostic| d.at(&template.text, location(&template.text, offset));
            if !words.english.words.contains_key(key) {
                if !default {
                    continue;
                }
                errors.push(
                    at(Diagnostic::error(
                        &template.path,
                        format!("the theme has no words for `{key}`, not even in English"),
                    ))
                    .with_help(format!("add `{key}:` to the theme's {I18N_DIR}/en.yaml, or correct the key")),
                );
            } else if let Some(chosen) = words.chosen.as_ref().filter(|_| !words.chosen_has(key)) {
                warnings.push(
                    at(Diagnostic::warning(
                        &template.path,
                        format!(
                            "the word `{key}` has no translation in `{}`: {} is shown",
                            words.language,
                            words.fallback_language()
                        ),
                    ))
                    .with_help(format!("add `{key}:` to {}", chosen.path.display())),
                );
            }
        }
    }
    (errors, warnings)
}

/// The line and column of byte `offset` in `text`.
fn location(text: &str, offset: usize) -> Location {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::TemplateFile;

    fn file(name: &str, text: &str) -> WordFile {
        parse_word_file(Path::new(name), text).unwrap()
    }

    fn english() -> WordFile {
        file(
            "i18n/en.yaml",
            "book: Book a consultation\ncall: \"Call {phone}\"\ndate:\n  long: \"{day} {month} {year}\"\n  months: [January, February, March, April, May, June, July, August, September, October, November, December]\n",
        )
    }

    #[test]
    fn picks_the_language_file_and_falls_back_to_english() {
        assert_eq!(candidates("de-DE"), ["de-DE.yaml", "de.yaml"]);
        assert_eq!(candidates("fr"), ["fr.yaml"]);
        let de = file("i18n/de.yaml", "book: Beratungstermin buchen\n");
        let words = Words::new("de-DE", english(), Some(de));
        assert_eq!(words.get("book"), Some("Beratungstermin buchen"));
        assert_eq!(words.fill("call", &[("phone", "+44 1".to_string())]).as_deref(), Some("Call +44 1"));
        assert_eq!(words.get("nothing"), None);
    }

    #[test]
    fn dates_use_the_language_s_months_and_pattern() {
        let date = Date::parse("2026-03-01").unwrap();
        assert_eq!(Words::new("en", english(), None).long_date(date), "1 March 2026");
        let de = file(
            "de.yaml",
            "date:\n  long: \"{day}. {month} {year}\"\n  months: [Januar, Februar, März, April, Mai, Juni, Juli, August, September, Oktober, November, Dezember]\n",
        );
        assert_eq!(Words::new("de", english(), Some(de)).long_date(date), "1. März 2026");
        let fr = file(
            "fr.yaml",
            "date:\n  long: \"{day} {month} {year}\"\n  first_day: 1er\n  months: [janvier, février, mars, avril, mai, juin, juillet, août, septembre, octobre, novembre, décembre]\n",
        );
        assert_eq!(Words::new("fr", english(), Some(fr)).long_date(date), "1er mars 2026");
        // A theme without words writes dates in English.
        assert_eq!(Words::default().long_date(date), "1 March 2026");
    }

    #[test]
    fn a_file_s_values_must_be_text() {
        let d = parse_word_file(Path::new("i18n/de.yaml"), "book:\n  - a\n").unwrap_err();
        assert_eq!(d.message, "`book` is not text: write the words in quotes");
        assert_eq!(d.location.map(|l| l.line), Some(1));
        let d = parse_word_file(Path::new("x.yaml"), "date:\n  months: [a, b]\n").unwrap_err();
        assert!(d.message.contains("twelve months"), "{d:?}");
    }

    #[test]
    fn finds_keys_templates_use() {
        let text =
            "{{ t(key=\"book\") }}\n<a>{{ t(key='call', phone=site.clinic.phone) }}</a>{{ get(key=\"x\") }}";
        assert_eq!(keys_used(text), [("book", 3), ("call", 26)]);
    }

    #[test]
    fn a_missing_word_warns_in_the_language_and_is_an_error_in_english() {
        let templates = vec![TemplateFile {
            name: "base.html".into(),
            path: "themes/t/templates/base.html".into(),
            text: "<p>\n{{ t(key=\"book\") }} {{ t(key=\"call\") }} {{ t(key=\"gone\") }}</p>".into(),
        }];
        let de = file("themes/t/i18n/de.yaml", "book: Beratungstermin buchen\n");
        let (errors, warnings) =
            missing_words(&Words::new("de-DE", english(), Some(de)), &templates, "", true);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].message, "the word `call` has no translation in `de-DE`: English is shown");
        assert_eq!(warnings[0].location, Some(Location { line: 2, column: 24 }));
        assert_eq!(warnings[0].help.as_deref(), Some("add `call:` to themes/t/i18n/de.yaml"));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "the theme has no words for `gone`, not even in English");
        let (_, warnings) =
            missing_words(&Words::new("it", english(), None), &templates, "language: it\n", true);
        assert_eq!(
            warnings[0].message,
            "the theme has no words in `it`: its buttons and labels are in English"
        );
        assert_eq!(warnings[0].location.map(|l| l.line), Some(1));
    }
}
