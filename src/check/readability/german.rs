//! Syllables in German words, for Amstad's reading ease.
//!
//! Each vowel (`a e i o u ä ö ü y`) is a syllable, except that a diphthong
//! or long vowel spelt with two letters is one: `ei ey ai ay au eu äu ie ee
//! aa oo ou`, and `eau` (`Ni-veau`). Other vowel pairs are two (`Re-gi-on`,
//! `ak-tu-ell`, `Feu-er`). German has no silent final `e`, so nothing is
//! taken off at the end. Three corrections: the `u` of `qu` is a consonant
//! (`Quel-le`); `ie` before `nt` or `ll` is two, as in the loanwords
//! `Pa-ti-ent` and `spe-zi-ell`; and a final `-ilie(n)` or `-inie(n)` is
//! `-i-e(n)` (`Fa-mi-li-e`, `Li-ni-e`), where the ordinary `-ie` of
//! `The-ra-pie` is one. A `y` before a vowel at the start is a consonant
//! (`Yo-ga`).

/// Vowel letters spelt together as one syllable, longest first.
const ONE_SYLLABLE: &[&str] =
    &["eau", "ei", "ey", "ai", "ay", "au", "eu", "äu", "ie", "ee", "aa", "oo", "ou"];

/// Syllables in a German word (at least one; a number is one).
pub(crate) fn syllables(word: &str) -> usize {
    let w: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    let n = w.len();
    let vowel: Vec<bool> = (0..n)
        .map(|i| match w[i] {
            'u' => i == 0 || w[i - 1] != 'q',
            'y' => !(i == 0 && w.get(1).is_some_and(|&c| is_vowel(c))),
            c => is_vowel(c),
        })
        .collect();
    let s: String = w.iter().collect();
    let at = |i: usize, pat: &str| s.get(byte(&w, i)..).is_some_and(|r| r.starts_with(pat));
    let mut count = 0;
    let mut i = 0;
    while i < n {
        if !vowel[i] {
            i += 1;
            continue;
        }
        count += 1;
        let split_ie = at(i, "ient") || at(i, "iell");
        i += match ONE_SYLLABLE.iter().find(|p| at(i, p)) {
            Some(_) if split_ie => 1,
            Some(p) => p.chars().count(),
            None => 1,
        };
    }
    if ["ilie", "ilien", "inie", "inien"].iter().any(|e| s.ends_with(e)) {
        count += 1;
    }
    count.max(1)
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'ä' | 'ö' | 'ü' | 'y' | 'é' | 'è' | 'à')
}

/// The byte offset of the `i`th character of `w`.
fn byte(w: &[char], i: usize) -> usize {
    w[..i].iter().map(|c| c.len_utf8()).sum()
}

#[cfg(test)]
mod tests {
    use super::super::{Formula, count_words_in, readability, split_sentences_in};
    use super::*;

    const FORMULA: Formula = Formula::Amstad;

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences_in(text, FORMULA).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn counts_syllables_of_known_words() {
        let known = [
            ("Behandlung", 3),
            ("Kopfhaut", 2),
            ("Feuer", 2),
            ("häufig", 2),
            ("Infektion", 4),
            ("Therapie", 3),
            ("Haare", 2),
            ("Familie", 4),
            ("Familien", 4),
            ("Quelle", 2),
            ("Region", 3),
            ("aktuell", 3),
            ("Arzt", 1),
            ("Ärztin", 2),
            ("Kopfhautpigmentierung", 6),
            ("Patienten", 4),
            ("speziell", 3),
            ("Idee", 2),
            ("Niveau", 2),
            ("Yoga", 2),
            ("Typ", 1),
            ("Eier", 2),
            ("Schmerzen", 2),
            ("Sonne", 2),
            ("Woche", 2),
            ("übermäßig", 4),
            ("Bayern", 2),
        ];
        crate::check::readability::assert_syllables(syllables, &known);
        assert_eq!(syllables("2024"), 1);
    }

    #[test]
    fn scores_a_sentence_by_hand() {
        // Die (1) Be-hand-lung (3) dau-ert (2) zwei (1) Stun-den (2):
        // 5 words, 9 syllables, 1 sentence.
        let (w, y) = count_words_in("Die Behandlung dauert zwei Stunden.", Formula::Amstad);
        assert_eq!((w, y), (5, 9));
        // 180 − 5 − 58.5 × 9/5 = 180 − 5 − 105.3
        let ease = Formula::Amstad.score(w, 1, y);
        assert!((ease - 69.7).abs() < 1e-9, "{ease}");
    }

    #[test]
    fn scores_patient_prose_in_a_plausible_band() {
        // Plain patient information: Amstad's scale reads 60 to 80 as
        // "mittel" to "mittelleicht".
        let text = "Die Kopfhautpigmentierung ist eine Behandlung ohne Operation. \
            Dabei setzen wir feine Farbpunkte in die Haut. \
            So sieht der Kopf aus wie mit kurz rasierten Haaren. \
            Eine Sitzung dauert zwei bis vier Stunden. \
            Die meisten Patienten brauchen zwei oder drei Sitzungen. \
            Danach ist die Haut oft ein bis zwei Tage rot. \
            Waschen Sie den Kopf vier Tage lang nicht. \
            Meiden Sie eine Woche lang Sonne, Sauna und Sport. \
            Bei Fragen rufen Sie uns an.\n";
        let facts = crate::markdown::tests::facts_of(text, 0);
        let r = readability(text, &facts.prose, Formula::Amstad);
        assert_eq!(r.sentences, 9, "{r:?}");
        assert!((55.0..85.0).contains(&r.score), "{r:?}");
        let hard = "Die Kopfhautpigmentierung stellt ein minimalinvasives dermatologisches \
            Verfahren dar, welches insbesondere bei fortgeschrittener androgenetischer \
            Alopezie sowie bei Narbenbildung nach operativen Eingriffen Anwendung findet.\n";
        let facts = crate::markdown::tests::facts_of(hard, 0);
        let h = readability(hard, &facts.prose, Formula::Amstad);
        assert!(h.score < 30.0, "{h:?}");
    }

    #[test]
    fn splits_german_sentences_but_not_abbreviations_or_ordinals() {
        let text = "Die Haut heilt z. B. in zwei Wochen. Am 3. Mai sehen wir Sie, d. h. Dr. Weber. Fragen? Rufen Sie an.";
        assert_eq!(
            sentences(text),
            [
                "Die Haut heilt z. B. in zwei Wochen.",
                "Am 3. Mai sehen wir Sie, d. h. Dr. Weber.",
                "Fragen?",
                "Rufen Sie an."
            ]
        );
        // In English a number before a full stop ends the sentence.
        assert_eq!(
            split_sentences_in("It took 3. Then", Formula::FleschKincaid)
                .into_iter()
                .map(|(_, s)| s)
                .collect::<Vec<_>>(),
            ["It took 3.", "Then"]
        );
    }
}
