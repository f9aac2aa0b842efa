//! Checks for health advertising (issue 13): what a regulator would object
//! to on a clinic's page, as warnings at the place it is written.
//!
//! - absolute claims ("guaranteed", "painless", "risk-free", "the best
//!   clinic"), unless a negation just before turns them round ("no treatment
//!   is risk-free"), with the sentence quoted;
//! - with `region: uk` in site.yaml, prescription-only medicines named to the
//!   public (Botox), which the UK's advertising code forbids;
//! - patients' before-and-after photos placed in a page's text instead of its
//!   `gallery`, which is where their consent is recorded. (A testimonial is
//!   written as a `testimonial` block, whose consent reference is required.)
//!
//! The word lists are data files beside this one (`advertising/*.yaml`),
//! compiled in and read once.

use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;

use super::page::{PageFile, warn_at_key};
use super::readability::{source_offset, split_sentences};
use crate::error::Diagnostic;

/// A kind of absolute claim: its phrases and why it misleads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimRule {
    why: String,
    phrases: Vec<String>,
}

/// A prescription-only medicine and the names it goes by.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Medicine {
    medicine: String,
    names: Vec<String>,
}

/// A phrase to find: its words, and what to say when it is found.
struct Phrase {
    words: Vec<String>,
    /// As written in the data file, to quote.
    written: String,
    /// The rule it belongs to (index into the rule list).
    rule: usize,
}

/// The word lists, parsed.
struct Lists {
    claims: Vec<ClaimRule>,
    claim_phrases: Vec<Phrase>,
    negations: Vec<String>,
    medicines: Vec<Medicine>,
    medicine_names: Vec<Phrase>,
    before_after: Vec<(String, String)>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        // The files are part of the program and tested: they parse.
        fn read<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
            serde_yaml::from_str(text).unwrap_or_else(|e| panic!("advertising/{name}: {e}"))
        }
        let claims: Vec<ClaimRule> = read("claims.yaml", include_str!("advertising/claims.yaml"));
        let medicines: Vec<Medicine> =
            read("uk-prescription-only.yaml", include_str!("advertising/uk-prescription-only.yaml"));
        let negations: Vec<String> = read("negations.yaml", include_str!("advertising/negations.yaml"));
        let pairs: Vec<[String; 2]> =
            read("before-after.yaml", include_str!("advertising/before-after.yaml"));
        let phrases = |lists: Vec<(usize, &Vec<String>)>| {
            let mut out: Vec<Phrase> = lists
                .into_iter()
                .flat_map(|(rule, phrases)| {
                    phrases.iter().map(move |p| Phrase {
                        words: words(p).map(|(_, w)| w).collect(),
                        written: p.clone(),
                        rule,
                    })
                })
                .collect();
            // The longest phrase first, so "the best clinic" is reported, not "best clinic" too.
            out.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
            out
        };
        Lists {
            claim_phrases: phrases(claims.iter().enumerate().map(|(i, r)| (i, &r.phrases)).collect()),
            medicine_names: phrases(medicines.iter().enumerate().map(|(i, m)| (i, &m.names)).collect()),
            claims,
            negations,
            medicines,
            before_after: pairs.into_iter().map(|[b, a]| (b, a)).collect(),
        }
    })
}

/// The words of `text`, lower case, with their byte offsets: split at
/// white space and at punctuation around a word (a hyphen, apostrophe or
/// `%` inside one stays: `pain-free`, `can't`, `100%`).
fn words(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    let is_part = |c: char| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’' | '%');
    text.split_inclusive(|c: char| c.is_whitespace() || matches!(c, '/' | '—' | '–'))
        .scan(0, |at, piece| {
            let start = *at;
            *at += piece.len();
            Some((start, piece))
        })
        .filter_map(move |(start, piece)| {
            let trimmed = piece.trim_start_matches(|c: char| !c.is_alphanumeric());
            let lead = piece.len() - trimmed.len();
            let word = trimmed.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '%');
            let word: String = word.chars().filter(|&c| is_part(c)).collect();
            (!word.is_empty()).then(|| (start + lead, word.to_lowercase().replace('’', "'")))
        })
}

/// A phrase found in a sentence: which, and where it starts in the sentence.
struct Found<'l> {
    phrase: &'l Phrase,
    at: usize,
}

/// The phrases of `phrases` in `sentence`, each place once; with
/// `negations`, a phrase with one of them in the four words before it is
/// passed over.
fn find<'l>(sentence: &str, phrases: &'l [Phrase], negations: Option<&[String]>) -> Vec<Found<'l>> {
    let tokens: Vec<(usize, String)> = words(sentence).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let matched = phrases.iter().find(|p| {
            p.words.len() <= tokens.len() - i && p.words.iter().zip(&tokens[i..]).all(|(w, (_, t))| w == t)
        });
        match matched {
            Some(phrase) => {
                let negated = negations.is_some_and(|neg| {
                    tokens[i.saturating_sub(4)..i].iter().any(|(_, t)| neg.iter().any(|n| n == t))
                });
                if !negated {
                    out.push(Found { phrase, at: tokens[i].0 });
                }
                i += phrase.words.len();
            }
            None => i += 1,
        }
    }
    out
}

/// A sentence, for a message: trimmed, and cut short when long.
fn quoted(sentence: &str) -> String {
    let s = sentence.trim();
    match s.char_indices().nth(160) {
        Some((cut, _)) => format!("\u{201c}{}…\u{201d}", s[..cut].trim_end()),
        None => format!("\u{201c}{s}\u{201d}"),
    }
}

/// Where a sentence of the page is, to point at it.
enum Place {
    /// A front matter key's value.
    Key(&'static str),
    /// A heading, at this byte offset of the page's text.
    Heading(usize),
    /// In a block of prose, at this offset of the block's text (with the
    /// block's pieces, to find the offset in the page's text).
    Prose(usize, std::rc::Rc<Vec<(usize, usize, bool)>>),
}

/// The page's words to read, sentence by sentence, each with its place:
/// front matter title and description, headings, prose.
fn sentences(page: PageFile<'_>) -> Vec<(String, Place)> {
    let mut out = Vec::new();
    for (key, value) in [("title", &page.meta.title), ("description", &page.meta.description)] {
        if let Some(v) = value {
            out.push((v.to_string(), Place::Key(key)));
        }
    }
    for h in &page.body().headings {
        out.push((h.text().to_string(), Place::Heading(h.offset())));
    }
    for block in page.body().prose.blocks(&page.text()) {
        let pieces = std::rc::Rc::new(block.pieces);
        for (start, sentence) in split_sentences(&block.text) {
            out.push((sentence.to_string(), Place::Prose(start, pieces.clone())));
        }
    }
    out
}

/// Warns about absolute claims and (with `region: uk`) prescription-only
/// medicines in a page's words.
pub(crate) fn check_words(page: PageFile<'_>, region: Option<&str>) -> Vec<Diagnostic> {
    let lists = lists();
    let uk = matches!(region, Some("uk" | "gb"));
    let mut out = Vec::new();
    for (sentence, place) in sentences(page) {
        let claims = find(&sentence, &lists.claim_phrases, Some(&lists.negations));
        let medicines = if uk { find(&sentence, &lists.medicine_names, None) } else { Vec::new() };
        for (found, claim) in claims.iter().map(|f| (f, true)).chain(medicines.iter().map(|f| (f, false))) {
            let (message, help) = if claim {
                let rule = &lists.claims[found.phrase.rule];
                (
                    format!("absolute claim \u{201c}{}\u{201d}: {}", found.phrase.written, rule.why),
                    format!("in {}", quoted(&sentence)),
                )
            } else {
                let medicine = &lists.medicines[found.phrase.rule];
                (
                    format!(
                        "\u{201c}{}\u{201d} names a prescription-only medicine ({}), which the UK advertising code (CAP Code rule 12.12) forbids advertising to the public",
                        found.phrase.written, medicine.medicine
                    ),
                    format!(
                        "in {}; describe the treatment or the consultation without naming the medicine",
                        quoted(&sentence)
                    ),
                )
            };
            let d = match &place {
                Place::Key(key) => warn_at_key(page, key, message),
                Place::Heading(at) => Diagnostic::warning(page.source, message).at_offset(&page.text(), *at),
                Place::Prose(start, pieces) => Diagnostic::warning(page.source, message)
                    .at_offset(&page.text(), source_offset(pieces, start + found.at)),
            };
            out.push(d.with_help(help));
        }
    }
    out
}

/// Warns about patients' before-and-after photos in a page's text: their
/// consent is recorded only for the pairs of a page's `gallery`.
pub(crate) fn check_photos(file: &Path, text: &str, facts: &crate::markdown::BodyFacts) -> Vec<Diagnostic> {
    let lists = lists();
    facts
        .links
        .iter()
        .filter(|l| l.image)
        .filter(|l| {
            let href = l.href(text);
            let name = href.rsplit('/').next().unwrap_or(href);
            let name_words: Vec<String> = words(&name.replace(['_', '.', '-'], " ")).map(|(_, w)| w).collect();
            let alt: Vec<String> = words(l.text(text)).map(|(_, w)| w).collect();
            lists.before_after.iter().any(|(before, after)| {
                name_words.iter().any(|w| w == before || w == after)
                    || (alt.contains(before) && alt.contains(after))
            })
        })
        .map(|l| {
            Diagnostic::warning(file, "a before-and-after photo in the page's text, where no consent is recorded")
                .at_offset(text, l.range().start)
                .with_help(
                    "publish patients' photos through the page's `gallery` in its front matter, with the `consent_ref` of the patient's signed consent",
                )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims_in(sentence: &str) -> Vec<String> {
        let l = lists();
        find(sentence, &l.claim_phrases, Some(&l.negations))
            .iter()
            .map(|f| f.phrase.written.clone())
            .collect()
    }

    #[test]
    fn the_data_files_parse() {
        let l = lists();
        assert!(l.claims.len() >= 5);
        assert!(l.medicine_names.iter().any(|p| p.written == "botox"));
        assert!(l.negations.iter().any(|n| n == "not"));
        assert_eq!(l.before_after[0], ("before".to_string(), "after".to_string()));
        // Phrases are written in lower case, or they could never match.
        for p in l.claim_phrases.iter().chain(&l.medicine_names) {
            assert_eq!(p.written, p.written.to_lowercase(), "{}", p.written);
        }
    }

    #[test]
    fn finds_absolute_claims_as_whole_words() {
        assert_eq!(claims_in("Treatment is painless and quick."), ["painless"]);
        assert_eq!(claims_in("Results are GUARANTEED!"), ["guaranteed"]);
        assert_eq!(claims_in("We are the best clinic in town."), ["the best clinic"]);
        assert_eq!(claims_in("A pain-free, risk free session."), ["pain-free", "risk free"]);
        assert_eq!(claims_in("It is 100% safe."), ["100% safe"]);
    }

    #[test]
    fn passes_honest_sentences() {
        assert!(claims_in("No treatment is risk-free.").is_empty());
        assert!(claims_in("We cannot guarantee how your scalp will look.").is_empty());
        assert!(claims_in("The result is not permanent: it fades over the years.").is_empty());
        // A word inside another is not the word.
        assert!(claims_in("Scalp micropigmentation is semi-permanent.").is_empty());
        assert!(claims_in("Allergic reactions to permanent pigments are rare.").is_empty());
        assert!(claims_in("It is best to rest for a day.").is_empty());
    }

    #[test]
    fn words_keep_their_offsets() {
        let w: Vec<(usize, String)> = words("“Pain-free,” she said — can’t be.").collect();
        let list: Vec<&str> = w.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(list, ["pain-free", "she", "said", "can't", "be"]);
        assert_eq!(w[0].0, "“".len());
    }

    #[test]
    fn finds_medicines_by_brand_and_name() {
        let l = lists();
        let names = |s: &str| -> Vec<String> {
            find(s, &l.medicine_names, None).iter().map(|f| f.phrase.written.clone()).collect()
        };
        assert_eq!(names("Ask about Botox® at your consultation."), ["botox"]);
        assert_eq!(names("Oral minoxidil may help."), ["oral minoxidil"]);
        assert!(names("Do not use minoxidil lotion for a week.").is_empty());
    }
}
