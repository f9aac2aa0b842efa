//! The site's languages (issue 15): one home for what a language is to
//! dotwork. site.yaml lists them (`languages: [en-GB, es]`); the first is
//! the default, whose pages live at the site's top, and each other's live
//! under its own folder (`/es/`). A page's translation sits beside it with
//! the language's code before `.md` (`risks.md`, `risks.es.md`;
//! `news/_index.es.md`), so the language of every file is known from its
//! name ([`file_language`]), and the page a translation translates is the
//! file without the code ([`FileLanguage::original`]).

use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One language of the site, as site.yaml lists it: its code, and the
/// settings with words in them, in that language (each falls back to the
/// site's own).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Language {
    /// Its BCP 47 tag (`es`, `en-GB`), as written.
    pub code: String,
    /// The site's title in this language.
    pub title: Option<String>,
    /// The site's description in this language.
    pub description: Option<String>,
    /// The medical disclaimer in this language.
    pub disclaimer: Option<String>,
    /// What the site's `image` shows, in this language.
    pub image_alt: Option<String>,
    /// The address of its own domain (`https://clinica.example/`), where
    /// its pages live at the top instead of under `/<code>/` ([`crate::domains`]).
    pub base_url: Option<String>,
}

/// The keys of a language written as a map (`- code: es` with `title:` ...).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageFields {
    code: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    disclaimer: Option<String>,
    #[serde(default)]
    image_alt: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Language, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = Language;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a language code (es) or a map with `code:` and the settings in that language")
            }
            fn visit_str<E: de::Error>(self, code: &str) -> Result<Language, E> {
                Ok(Language { code: code.to_string(), ..Language::default() })
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Language, M::Error> {
                let f = LanguageFields::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Language {
                    code: f.code,
                    title: f.title,
                    description: f.description,
                    disclaimer: f.disclaimer,
                    image_alt: f.image_alt,
                    base_url: f.base_url,
                })
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl Language {
    /// The folder its pages live in, from the site's top: `es` for `es`,
    /// `pt-br` for `pt-BR` (addresses are lower case).
    pub fn folder(&self) -> String {
        self.code.to_ascii_lowercase()
    }

    /// Its primary language subtag, lower case: `en` for `en-GB`.
    pub fn primary(&self) -> String {
        primary(&self.code)
    }
}

/// The primary subtag of the BCP 47 tag `code`, lower case: `en` for `en-GB`.
pub fn primary(code: &str) -> String {
    code.split('-').next().unwrap_or(code).to_ascii_lowercase()
}

/// What a content file's name says of its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLanguage {
    /// The language, by number in the site's languages (0: the default).
    pub lang: usize,
    /// The file it translates, or itself for the default language
    /// (`content/risks.md` for `content/risks.es.md`).
    pub original: PathBuf,
}

/// The language of the content file at `path` (`content/risks.es.md`): the
/// code before `.md` when it is one of `languages` other than the first
/// (compared without regard to case), else the default language.
pub fn file_language(path: &Path, languages: &[Language]) -> FileLanguage {
    let default = || FileLanguage { lang: 0, original: path.to_path_buf() };
    let Some(name) = crate::url::file_name(path).and_then(|n| n.to_str()) else { return default() };
    let Some(stem) = name.strip_suffix(".md") else { return default() };
    let Some((base, code)) = stem.rsplit_once('.') else { return default() };
    match languages.iter().skip(1).position(|l| l.code.eq_ignore_ascii_case(code)) {
        Some(k) if !base.is_empty() => {
            FileLanguage { lang: k + 1, original: path.with_file_name(format!("{base}.md")) }
        }
        _ => default(),
    }
}

/// The code a file name carries before `.md`, if its part before that looks
/// like a language tag (`_index.fr.md`: `fr`), whether or not the site has
/// that language: for telling an owner that `fr` is missing from site.yaml.
pub fn written_code(path: &Path) -> Option<&str> {
    let stem = path.file_name()?.to_str()?.strip_suffix(".md")?;
    let (_, code) = stem.rsplit_once('.')?;
    crate::config::is_language_tag(code).then_some(code)
}

/// The file of `original`'s translation into `code`, as a person writes
/// it: `content/risks.es.md` for `content/risks.md`.
pub fn translation_file(original: &Path, code: &str) -> String {
    let shown = original.display().to_string();
    match shown.strip_suffix(".md") {
        Some(stem) => format!("{stem}.{code}.md"),
        None => shown,
    }
}

/// `path` (a site-absolute address of the default language, `/risks/`) as
/// the address of language `lang`: `/es/risks/`.
pub fn localize(path: &str, lang: usize, languages: &[Language]) -> String {
    match languages.get(lang) {
        Some(l) if lang > 0 => format!("/{}{path}", l.folder()),
        _ => path.to_string(),
    }
}

/// The address of language `lang`'s home page: `/`, `/es/`.
pub fn home(lang: usize, languages: &[Language]) -> String {
    localize("/", lang, languages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(codes: &[&str]) -> Vec<Language> {
        codes.iter().map(|c| Language { code: c.to_string(), ..Language::default() }).collect()
    }

    #[test]
    fn a_file_names_its_language_before_md() {
        let l = langs(&["en-GB", "es", "pt-BR"]);
        let of = |p: &str| file_language(Path::new(p), &l);
        assert_eq!(of("content/risks.md"), FileLanguage { lang: 0, original: "content/risks.md".into() });
        assert_eq!(of("content/risks.es.md"), FileLanguage { lang: 1, original: "content/risks.md".into() });
        assert_eq!(of("content/news/_index.ES.md").lang, 1);
        assert_eq!(of("content/news/_index.ES.md").original, PathBuf::from("content/news/_index.md"));
        assert_eq!(of("content/a.pt-br.md").lang, 2);
        // Not a language of the site, or the default's own code: part of the name.
        assert_eq!(of("content/v1.2.md").lang, 0);
        assert_eq!(of("content/risks.fr.md").lang, 0);
        assert_eq!(of("content/risks.en-GB.md").lang, 0);
        assert_eq!(of("content/.es.md").lang, 0);
        assert_eq!(written_code(Path::new("content/_index.fr.md")), Some("fr"));
        assert_eq!(written_code(Path::new("content/v1.2.md")), None);
        assert_eq!(translation_file(Path::new("content/index.md"), "es"), "content/index.es.md");
    }

    #[test]
    fn other_languages_live_in_their_folder() {
        let l = langs(&["en-GB", "pt-BR"]);
        assert_eq!(localize("/care/", 0, &l), "/care/");
        assert_eq!(localize("/care/", 1, &l), "/pt-br/care/");
        assert_eq!(home(1, &l), "/pt-br/");
        assert_eq!(primary("en-GB"), "en");
    }

    #[test]
    fn a_language_is_a_code_or_a_map() {
        let parsed: Vec<Language> =
            serde_yaml::from_str("- en-GB\n- code: es\n  title: Clínica\n").expect("parses");
        assert_eq!(parsed[0].code, "en-GB");
        assert_eq!(parsed[1].code, "es");
        assert_eq!(parsed[1].title.as_deref(), Some("Clínica"));
        assert!(serde_yaml::from_str::<Vec<Language>>("- code: es\n  titel: x\n").is_err());
    }
}
