//! Syllables in French words, for the Kandel-Moles reading ease.
//!
//! Spoken syllables, as Flesch counted them: each run of vowel letters is
//! one (`eau`, `oi`, `ou`, `ai`, `ien`, `tion` are one sound or glide), with
//! these rules:
//! - a hiatus adds one: before `ï`, `ë`, `ü` (`na-ïf`, `No-ël`); after `é`
//!   before another vowel (`ré-ac-tion`, `ré-u-nion`), unless that vowel is
//!   the mute end `e`, `es`, `ent` (`i-dée`); and before `é`, `è`, `ê` after
//!   `a`, `e`, `o` or `é` (`po-é-sie`); a `y` between vowels adds one
//!   (`cra-yon`, `mo-yen`).
//! - the `u` of `qu`, and of `gu` before `e`, `i` or `y`, is not a vowel
//!   (`ques-tion`, `gué-rir`, `der-ma-to-logue`); a `y` before a vowel at the
//!   start is a consonant (`yeux`).
//! - silent endings, in words of more than one syllable: a final `e` or
//!   `es` after a consonant (`crème` and `tables` are one); a final `ent`
//!   after a consonant, the verb ending (`ils parlent` is one), except in
//!   `-ment` and the common nouns and adjectives of [`SPOKEN_ENT`]
//!   (`sou-vent`, `dif-fé-rent`).
//! - the mute `e` of `-ement(s)` after a single consonant
//!   (`trai-te-ment` is spoken `trait-ment`, two; `jus-te-ment` keeps three).
//!
//! Elided words (`l'`, `d'`, `qu'`) are counted with the word they lean on:
//! `qu'il` is one, `au-jour-d'hui` three. A word is rarely off by more than
//! one; the usual misses are verbs in `-ent` that look like nouns and the
//! `e` dropped inside words (`mé-de-cin`, counted three, is often spoken two).
//!
//! Spoken rather than written syllables is a choice: the sources at hand
//! give Kandel and Moles' coefficients, not their counting rule, and Flesch
//! counted syllables as spoken. Counting the mute `e` as hyphenation does
//! (`ta-ble`, `trai-te-ment`) would lower every French page's ease.

/// Words ending in a consonant and `ent` where the `ent` is spoken.
const SPOKEN_ENT: &[&str] = &[
    "absent",
    "accident",
    "adolescent",
    "agent",
    "apparent",
    "argent",
    "différent",
    "évident",
    "excellent",
    "fréquent",
    "incident",
    "innocent",
    "intelligent",
    "parent",
    "permanent",
    "présent",
    "prudent",
    "récent",
    "souvent",
    "talent",
    "transparent",
    "urgent",
    "violent",
];

/// Syllables in a French word (at least one; a number is one).
pub(crate) fn syllables(word: &str) -> usize {
    word.split(['\'', '’']).map(part).sum::<usize>().max(1)
}

/// Syllables in a word without apostrophes (0 for `l` or `qu`).
fn part(word: &str) -> usize {
    let w: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    let n = w.len();
    let vowel: Vec<bool> = (0..n)
        .map(|i| match w[i] {
            'u' if i > 0 && w[i - 1] == 'q' => false,
            'u' if i > 0 && w[i - 1] == 'g' && w.get(i + 1).is_some_and(|&c| softens(c)) => false,
            'y' => !(i == 0 && w.get(1).is_some_and(|&c| is_vowel(c))),
            c => is_vowel(c),
        })
        .collect();
    let s: String = w.iter().collect();
    let rest = |i: usize| -> String { w[i..].iter().collect() };
    let mut count: usize = 0;
    for i in 0..n {
        if !vowel[i] {
            continue;
        }
        if i == 0 || !vowel[i - 1] {
            count += 1;
            continue;
        }
        let (prev, c) = (w[i - 1], w[i]);
        let mute_end = matches!(rest(i).as_str(), "e" | "es" | "ent");
        let hiatus = matches!(c, 'ï' | 'ë' | 'ü')
            || (prev == 'é' && !mute_end)
            || (matches!(prev, 'a' | 'e' | 'o' | 'é') && matches!(c, 'é' | 'è' | 'ê'))
            || (prev == 'y' && i >= 2 && vowel[i - 2]);
        if hiatus {
            count += 1;
        }
    }
    if count > 1 {
        let consonant_before = |k: usize| k > 0 && !vowel[k - 1];
        let silent = (s.ends_with('e') && consonant_before(n - 1))
            || (s.ends_with("es") && consonant_before(n - 2))
            || (s.ends_with("ent")
                && consonant_before(n - 3)
                && !s.ends_with("ment")
                && !SPOKEN_ENT.contains(&s.as_str()));
        if silent {
            count -= 1;
        }
        let ement = if s.ends_with("ements") {
            n.checked_sub(6)
        } else if s.ends_with("ement") {
            n.checked_sub(5)
        } else {
            None
        };
        if let Some(e) = ement
            && count > 1
            && e >= 2
            && !vowel[e - 1]
            && vowel[e - 2]
        {
            count -= 1;
        }
    }
    count
}

/// Letters after `g` that make its `u` silent (`gue`, `gui`, `guy`).
fn softens(c: char) -> bool {
    matches!(c, 'e' | 'i' | 'y' | 'é' | 'è' | 'ê' | 'î')
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'e'
            | 'i'
            | 'o'
            | 'u'
            | 'y'
            | 'à'
            | 'â'
            | 'ä'
            | 'é'
            | 'è'
            | 'ê'
            | 'ë'
            | 'î'
            | 'ï'
            | 'ô'
            | 'ö'
            | 'ù'
            | 'û'
            | 'ü'
            | 'æ'
            | 'œ'
    )
}

#[cfg(test)]
mod tests {
    use super::super::{Formula, count_words_in, readability, split_sentences_in};
    use super::*;

    const FORMULA: Formula = Formula::KandelMoles;

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences_in(text, FORMULA).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn counts_syllables_of_known_words() {
        let known = [
            // `trai-te-ment` is written three, spoken two: the rule counts speech.
            ("traitement", 2),
            ("traitements", 2),
            ("seulement", 2),
            ("justement", 3),
            ("également", 3),
            ("médicament", 4),
            ("patient", 2),
            ("patiente", 2),
            ("cheveux", 2),
            ("peau", 1),
            ("crème", 1),
            ("soins", 1),
            ("hôpital", 3),
            ("été", 2),
            ("idée", 2),
            ("créée", 2),
            ("réel", 2),
            ("réaction", 3),
            ("réunion", 3),
            ("poésie", 3),
            ("pitié", 2),
            ("naïf", 2),
            ("Noël", 2),
            ("héroïne", 3),
            ("crayon", 2),
            ("voyage", 2),
            ("yeux", 1),
            ("aujourd'hui", 3),
            ("qu'il", 1),
            ("l’hôpital", 3),
            ("question", 2),
            ("guérir", 2),
            ("dermatologue", 4),
            ("pigmentation", 4),
            ("cicatrisation", 5),
            ("différent", 3),
            ("différente", 3),
            ("souvent", 2),
            ("parlent", 1),
            ("jouent", 1),
            ("table", 1),
            ("une", 1),
            ("le", 1),
            ("les", 1),
            ("dent", 1),
        ];
        crate::check::readability::assert_syllables(syllables, &known);
        assert_eq!(syllables("2024"), 1);
    }

    #[test]
    fn scores_a_sentence_by_hand() {
        // Le (1) trai-te-ment (2) du-re (1: mute e) deux (1) heures (1):
        // 5 words, 6 syllables, 1 sentence.
        let (w, y) = count_words_in("Le traitement dure deux heures.", Formula::KandelMoles);
        assert_eq!((w, y), (5, 6));
        // 207 − 1.015 × 5 − 73.6 × 6/5 = 207 − 5.075 − 88.32
        let ease = Formula::KandelMoles.score(w, 1, y);
        assert!((ease - 113.605).abs() < 1e-9, "{ease}");
    }

    #[test]
    fn scores_patient_prose_in_a_plausible_band() {
        // Plain patient information scores 60 to 90 on Flesch's scale, which
        // Kandel and Moles kept.
        let text = "La micropigmentation du cuir chevelu est un traitement sans chirurgie. \
            On dépose de petits points de pigment dans la peau. \
            Ils imitent l'aspect de cheveux rasés très court. \
            Une séance dure de deux à quatre heures. \
            La plupart des patients ont besoin de deux ou trois séances. \
            Après chaque séance, la peau peut rester rouge un ou deux jours. \
            Ne lavez pas votre tête pendant quatre jours. \
            Évitez le soleil, la piscine et le sport pendant une semaine. \
            Si vous avez des questions, appelez-nous.\n";
        let facts = crate::markdown::tests::facts_of(text, 0);
        let r = readability(text, &facts.prose, Formula::KandelMoles);
        assert_eq!(r.sentences, 9, "{r:?}");
        assert!((60.0..95.0).contains(&r.score), "{r:?}");
        let hard = "La micropigmentation capillaire constitue une intervention dermatologique \
            minimalement invasive, particulièrement indiquée dans les alopécies androgénétiques \
            évoluées ainsi que dans la dissimulation de cicatrices consécutives à une intervention chirurgicale.\n";
        let facts = crate::markdown::tests::facts_of(hard, 0);
        let h = readability(hard, &facts.prose, Formula::KandelMoles);
        assert!(h.score < 30.0, "{h:?}");
    }

    #[test]
    fn splits_french_sentences_but_not_titles() {
        let text = "M. Durand vous rappelle. Par ex. Mme Martin ! Le rendez-vous est à 10 h. Venez avec le Dr. Roux.";
        assert_eq!(
            sentences(text),
            [
                "M. Durand vous rappelle.",
                "Par ex. Mme Martin !",
                "Le rendez-vous est à 10 h.",
                "Venez avec le Dr. Roux."
            ]
        );
    }
}
