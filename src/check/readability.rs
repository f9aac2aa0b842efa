//! Reading level: the Flesch-Kincaid grade of a page's prose.
//!
//! `grade = 0.39 × words/sentences + 11.8 × syllables/words − 15.59`, the US
//! school grade a reader needs; patient material should be at grade 8 or
//! below (the usual advice, and `reading_grade` in site.yaml).
//!
//! The prose is what the parse stage recorded ([`Prose`]).
//! What counts as prose: the text of paragraphs, list items and block quotes,
//! link text included. Left out: headings (short labels, not sentences),
//! code and inline code, tables (cells are data, not sentences), raw HTML,
//! image alt text and footnotes (references). Each paragraph or list item
//! ends a sentence even without a full stop, since list items often have
//! none; inside one, a sentence ends at `.`, `!` or `?` before a space and a
//! word that does not start in lower case, unless the word before is a
//! title (`Dr.`) or an initial. Pages with fewer than [`MIN_WORDS`] words of
//! prose are not graded: the formula means little on a few lines.
//!
//! Syllables are counted with an English heuristic ([`syllables`]): vowel
//! groups, less silent endings, plus vowel pairs spoken as two syllables,
//! and a short list of exceptions. It is within one syllable on almost every
//! word, which moves a page's grade by a few tenths at most; unit tests pin
//! it on known words and sentences.

use crate::markdown::{Prose, ProseBlock};

/// Fewer words of prose than this, and the page is not graded.
pub(crate) const MIN_WORDS: usize = 50;

/// A page's reading level.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Readability {
    pub(crate) words: usize,
    pub(crate) sentences: usize,
    pub(crate) syllables: usize,
    /// The Flesch-Kincaid grade of all the prose.
    pub(crate) grade: f64,
    /// The sentence with the highest grade of its own: its byte offset in the
    /// page's text, and that grade.
    pub(crate) hardest: Option<(usize, f64)>,
}

/// The Flesch-Kincaid grade level.
pub(crate) fn grade(words: usize, sentences: usize, syllables: usize) -> f64 {
    if words == 0 || sentences == 0 {
        return 0.0;
    }
    let (w, s, y) = (words as f64, sentences as f64, syllables as f64);
    0.39 * (w / s) + 11.8 * (y / w) - 15.59
}

/// The reading level of the prose the parse stage recorded for a page
/// (`text` being the page's whole text, so offsets point into it).
pub(crate) fn readability(text: &str, prose: &Prose) -> Readability {
    let (mut words, mut sentences, mut syllables) = (0, 0, 0);
    let mut hardest: Option<(usize, f64)> = None;
    for ProseBlock { text: block_text, pieces } in prose.blocks(text) {
        for (start, sentence) in split_sentences(&block_text) {
            let (w, y) = count_words(sentence);
            if w == 0 {
                continue;
            }
            words += w;
            syllables += y;
            sentences += 1;
            let g = grade(w, 1, y);
            if hardest.is_none_or(|(_, h)| g > h) {
                hardest = Some((source_offset(&pieces, start), g));
            }
        }
    }
    Readability { words, sentences, syllables, grade: grade(words, sentences, syllables), hardest }
}

/// Where in the file the block's text at `at` came from, given its pieces:
/// (offset in the text, offset in the file, whether the piece is the file's
/// text verbatim).
pub(crate) fn source_offset(pieces: &[(usize, usize, bool)], at: usize) -> usize {
    match pieces.iter().rev().find(|(start, _, _)| *start <= at) {
        Some(&(start, source, true)) => source + (at - start),
        Some(&(_, source, false)) => source,
        None => pieces.first().map_or(0, |p| p.1),
    }
}

/// Words that end in `.` without ending a sentence.
const TITLES: &[&str] = &["dr", "mr", "mrs", "ms", "prof", "st", "e.g", "i.e", "vs", "approx", "fig"];

/// Splits a paragraph into sentences: (byte offset, sentence).
pub(crate) fn split_sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        // Skip closing quotes and brackets, then require a space and a next
        // word that does not start in lower case ("e.g. this" goes on).
        let mut j = k + 1;
        while j < chars.len() && matches!(chars[j].1, '"' | '\'' | '’' | '”' | ')' | ']') {
            j += 1;
        }
        let ends = match chars.get(j) {
            None => true,
            Some(&(_, next)) if next.is_whitespace() => {
                let word = chars[j..].iter().map(|&(_, c)| c).find(|c| !c.is_whitespace());
                word.is_none_or(|w| !w.is_lowercase())
            }
            Some(_) => false,
        };
        if !ends || (c == '.' && is_abbreviation(&text[start..i])) {
            continue;
        }
        let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
        push_sentence(&mut out, text, start, end);
        start = end;
    }
    push_sentence(&mut out, text, start, text.len());
    out
}

fn push_sentence<'a>(out: &mut Vec<(usize, &'a str)>, text: &'a str, start: usize, end: usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    if !s.trim().is_empty() {
        out.push((start + lead, s.trim()));
    }
}

/// Whether `before` (the text up to a `.`) ends with a title or an initial.
fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or_default();
    let lower = word.to_lowercase();
    TITLES.contains(&lower.as_str()) || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
}

/// Words and syllables in `sentence`. A word is a run without spaces or
/// dashes holding a letter or digit (not an address or citation key); a
/// number counts one syllable.
pub(crate) fn count_words(sentence: &str) -> (usize, usize) {
    let mut words = 0;
    let mut syll = 0;
    for token in sentence.split(|c: char| c.is_whitespace() || c == '—' || c == '–') {
        // Citations (`[@key]`), email addresses and URLs are not read as words.
        if !token.chars().any(char::is_alphanumeric) || token.contains('@') || token.contains("://") {
            continue;
        }
        words += 1;
        // Hyphenated and slashed words are counted part by part.
        syll += token
            .split(['-', '/'])
            .filter(|p| p.chars().any(char::is_alphanumeric))
            .map(syllables)
            .sum::<usize>()
            .max(1);
    }
    (words, syll)
}

/// Whole words the rules below get wrong, with their syllables.
const EXCEPTIONS: &[(&str, usize)] = &[
    ("acne", 2),
    ("business", 2),
    ("diabetes", 4),
    ("element", 3),
    ("elements", 3),
    ("every", 2),
    ("lion", 2),
    ("maybe", 2),
    ("people", 2),
    ("recipe", 3),
    ("science", 2),
    ("sciences", 3),
    ("theatre", 3),
];

/// Beginnings of words where a vowel pair is two syllables (`cre-ate`,
/// `re-al-is-tic`), or one fewer than counted (`ev-ery-thing`).
const PREFIXES: &[(&str, isize)] =
    &[("crea", 1), ("reac", 1), ("reali", 1), ("reapp", 1), ("reass", 1), ("ideal", 1), ("every", -1)];

/// Syllables in an English word, by rule: see the module comment.
pub(crate) fn syllables(word: &str) -> usize {
    let w: Vec<u8> = word
        .chars()
        .filter_map(|c| match c.to_ascii_lowercase() {
            c @ 'a'..='z' => Some(c as u8),
            'à' | 'á' | 'â' | 'ä' => Some(b'a'),
            'è' | 'é' | 'ê' | 'ë' => Some(b'e'),
            'ì' | 'í' | 'î' | 'ï' => Some(b'i'),
            'ò' | 'ó' | 'ô' | 'ö' => Some(b'o'),
            'ù' | 'ú' | 'û' | 'ü' => Some(b'u'),
            _ => None,
        })
        .collect();
    if w.is_empty() {
        // A number, or a word in another script: one unit.
        return 1;
    }
    let s = String::from_utf8_lossy(&w).into_owned();
    if let Some(&(_, n)) = EXCEPTIONS.iter().find(|(e, _)| *e == s) {
        return n;
    }
    let n = w.len();
    let plain = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    // `y` is a vowel except first, or between vowels (`yes`, `beyond`).
    let vowel: Vec<bool> = (0..n)
        .map(|i| {
            plain(w[i])
                || (w[i] == b'y' && i > 0 && !(plain(w[i - 1]) && w.get(i + 1).is_some_and(|&c| plain(c))))
        })
        .collect();
    let consonant = |i: usize| !vowel[i];
    let mut count: isize = (0..n).filter(|&i| vowel[i] && (i == 0 || !vowel[i - 1])).count() as isize;
    let at = |i: usize, pat: &str| s.get(i..).is_some_and(|r| r.starts_with(pat));
    let before = |i: usize, set: &[u8]| i > 0 && set.contains(&w[i - 1]);

    for i in 0..n.saturating_sub(1) {
        // Vowel pairs spoken as two syllables.
        let two = (at(i, "ia") && !before(i, b"ctsg"))
            || (at(i, "io") && !before(i, b"ctsxg") && w.get(i + 2) != Some(&b'n'))
            || (at(i, "eo") && !at(i, "eop") && !(before(i, b"g") && w.get(i + 2) == Some(&b'n')))
            || ((at(i, "ua") || at(i, "uo")) && !before(i, b"gq"))
            || (at(i, "ie") && (at(i, "iet") || (at(i, "ien") && before(i, b"rdl"))))
            || (at(i, "ier") && i + 3 == n)
            || (at(i, "iest") && i + 4 == n)
            || at(i, "yi")
            // `area`, `idea`, but not `tea` or `flea`.
            || (at(i, "ea") && i + 2 == n && vowel[..i].contains(&true));
        if two {
            count += 1;
        }
    }
    // `going`, `being`: the vowel before `-ing` is a syllable of its own.
    if s.ends_with("ing") && n > 4 && plain(w[n - 4]) {
        count += 1;
    }
    // `autism`, `spasm`.
    if s.ends_with("sm") {
        count += 1;
    }
    // A silent e: a final `e`, `es` or `ed` after a consonant.
    let e = if word.ends_with('é') {
        None
    } else if s.ends_with('e') {
        Some(n - 1)
    } else if (s.ends_with("es") || s.ends_with("ed")) && n > 3 {
        Some(n - 2)
    } else {
        None
    };
    if let Some(e) = e.filter(|&e| e > 0 && consonant(e - 1)) {
        let c = w[e - 1];
        let cluster = e > 1 && consonant(e - 2);
        let spoken = match (&s[e..], c) {
            // `table`, `centre`: a syllable of its own after another consonant.
            (_, b'l' | b'r') if cluster && w[e - 2] != c => true,
            ("es", b's' | b'x' | b'z' | b'c' | b'g') => true,
            ("es", b'h') => e > 1 && matches!(w[e - 2], b'c' | b's'),
            ("ed", b't' | b'd') => true,
            _ => false,
        };
        if !spoken {
            count -= 1;
        }
    }
    // A silent e before a suffix: `safely`, `movement`, `careful`.
    for suffix in ["ly", "ment", "ments", "ful", "ness", "less"] {
        if let Some(stem) = s.strip_suffix(suffix)
            && stem.len() > 2
            && stem.ends_with('e')
            && consonant(stem.len() - 2)
            && !(matches!(w[stem.len() - 2], b'l' | b'r') && consonant(stem.len() - 3))
        {
            count -= 1;
        }
    }
    for (prefix, delta) in PREFIXES {
        if s.starts_with(prefix) {
            count += delta;
        }
    }
    count.max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_syllables_of_known_words() {
        let known = [
            ("the", 1),
            ("cat", 1),
            ("scalp", 1),
            ("yes", 1),
            ("day", 1),
            ("hope", 1),
            ("makes", 1),
            ("used", 1),
            ("hour", 1),
            ("table", 2),
            ("places", 2),
            ("wishes", 2),
            ("treated", 2),
            ("needed", 2),
            ("beyond", 2),
            ("going", 2),
            ("dying", 2),
            ("quiet", 2),
            ("patient", 2),
            ("safely", 2),
            ("careful", 2),
            ("movement", 2),
            ("million", 2),
            ("region", 2),
            ("surgeon", 2),
            ("language", 2),
            ("create", 2),
            ("centre", 2),
            ("lotions", 2),
            ("people", 2),
            ("consultation", 4),
            ("area", 3),
            ("idea", 3),
            ("media", 3),
            ("period", 3),
            ("serious", 3),
            ("usual", 3),
            ("video", 3),
            ("easier", 3),
            ("anxiety", 4),
            ("procedure", 3),
            ("completely", 3),
            ("realistic", 4),
            ("infection", 3),
            ("experience", 4),
            ("everything", 3),
            ("antibiotic", 5),
            ("pigmentation", 4),
            ("micropigmentation", 6),
        ];
        let wrong: Vec<String> = known
            .iter()
            .filter(|(w, n)| syllables(w) != *n)
            .map(|(w, n)| format!("{w}: {} (want {n})", syllables(w)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert_eq!(syllables("Don't"), 1);
        assert_eq!(syllables("2013"), 1);
        assert_eq!(syllables("café"), 2);
    }

    #[test]
    fn grades_known_sentences() {
        // 6 words, 6 syllables, 1 sentence: 0.39 × 6 + 11.8 × 1 − 15.59.
        let (w, y) = count_words("The cat sat on the mat.");
        assert_eq!((w, y), (6, 6));
        assert!((grade(w, 1, y) - -1.45).abs() < 1e-9);
        // 9 words, 18 syllables (mi-cro-pig-men-ta-tion, non-sur-gi-cal, treat-ment).
        let (w, y) = count_words("Scalp micropigmentation is a non-surgical treatment for hair loss.");
        assert_eq!((w, y), (9, 18));
        assert!((grade(w, 1, y) - 11.52).abs() < 1e-9);
        // Citations, addresses and URLs are left out.
        assert_eq!(
            count_words("It fades [@rassman2013]. Write to hello@example.org or https://example.org."),
            (5, 5)
        );
    }

    #[test]
    fn splits_sentences_but_not_titles_initials_or_decimals() {
        let text =
            "See Dr. Smith today. It took 2.5 hours! Rassman W. Pak J. wrote it (e.g. this one). Why? Done";
        let sentences: Vec<&str> = split_sentences(text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            sentences,
            [
                "See Dr. Smith today.",
                "It took 2.5 hours!",
                "Rassman W. Pak J. wrote it (e.g. this one).",
                "Why?",
                "Done"
            ]
        );
    }

    #[test]
    fn counts_paragraphs_and_list_items_but_not_headings_code_or_tables() {
        let text = "---\ntitle: x\n---\n# A very complicated heading indeed\n\nExtraordinary complications necessitate consultation. And here.\n\n- one item\n- two item\n\n```\nlet complicated_identifier = 1;\n```\n\n| Tabulated | Information |\n|---|---|\n| Extraordinarily | Complicated |\n";
        let facts = crate::markdown::tests::facts_of(text, 17);
        let r = readability(text, &facts.prose);
        assert_eq!((r.words, r.sentences), (10, 4), "{r:?}");
        let (at, _) = r.hardest.unwrap();
        assert!(text[at..].starts_with("Extraordinary complications"), "{}", &text[at..]);
    }
}
