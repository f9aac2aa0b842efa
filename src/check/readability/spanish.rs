//! Syllables in Spanish words, for the Fernández-Huerta reading ease.
//!
//! Spanish spelling follows its sound closely, so the count is by rule:
//! each run of vowels is one syllable (a diphthong or triphthong), plus one
//! for each hiatus inside it, where two "strong" vowels meet. The strong
//! vowels are `a`, `e`, `o` and any vowel with an accent: an accent on `i`
//! or `u` breaks the diphthong (`dí-a`, `pa-ís`, `o-í-do`), while plain `i`,
//! `u` and `ü` join the vowel beside them (`cui-da-do`, `tra-ta-mien-to`,
//! `pin-güi-no`). The `u` of `que`, `qui`, `gue`, `gui` is not spoken
//! (`gue-rra`), and `y` is a vowel only at the end of a word after a vowel
//! (`hoy`, `muy`) or alone (the word `y`). `h` counts as a consonant, so
//! `pro-hi-bir` is three, as it is spelt and hyphenated.

/// Syllables in a Spanish word (at least one; a number is one).
pub(crate) fn syllables(word: &str) -> usize {
    let w: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    let n = w.len();
    // Per letter: None for a consonant (or a silent `u`), else whether the
    // vowel is strong.
    let kind: Vec<Option<bool>> = (0..n)
        .map(|i| match w[i] {
            'u' if i > 0
                && matches!(w[i - 1], 'q' | 'g')
                && matches!(w.get(i + 1), Some('e' | 'i' | 'é' | 'í')) =>
            {
                None
            }
            'y' if n == 1 || (i + 1 == n && kind_of(w[i - 1]).is_some()) => Some(false),
            c => kind_of(c),
        })
        .collect();
    let mut count = 0;
    for i in 0..n {
        match (i.checked_sub(1).and_then(|p| kind[p]), kind[i]) {
            // A vowel after a consonant (or first) opens a syllable.
            (None, Some(_)) => count += 1,
            // Two strong vowels together: a hiatus.
            (Some(true), Some(true)) => count += 1,
            _ => {}
        }
    }
    count.max(1)
}

/// Whether `c` is a vowel letter, and if so whether strong.
fn kind_of(c: char) -> Option<bool> {
    match c {
        'a' | 'e' | 'o' | 'á' | 'é' | 'ó' | 'í' | 'ú' => Some(true),
        'i' | 'u' | 'ü' => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Formula, count_words_in, readability, split_sentences_in};
    use super::*;

    const FORMULA: Formula = Formula::FernandezHuerta;

    fn sentences(text: &str) -> Vec<&str> {
        split_sentences_in(text, FORMULA).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn counts_syllables_of_known_words() {
        let known = [
            ("médico", 3),
            ("tratamiento", 4),
            ("día", 2),
            ("cuidado", 3),
            ("piel", 1),
            ("que", 1),
            ("guerra", 2),
            ("agua", 2),
            ("pingüino", 3),
            ("ciudad", 2),
            ("país", 2),
            ("oído", 3),
            ("leer", 2),
            ("área", 3),
            ("hoy", 1),
            ("muy", 1),
            ("y", 1),
            ("ayuda", 3),
            ("Uruguay", 3),
            ("paciente", 3),
            ("infección", 3),
            ("cirugía", 4),
            ("también", 2),
            ("cicatriz", 3),
            ("micropigmentación", 6),
            ("cuero", 2),
            ("¿Qué", 1),
            ("después", 2),
        ];
        crate::check::readability::assert_syllables(syllables, &known);
        assert_eq!(syllables("2024"), 1);
    }

    #[test]
    fn scores_a_sentence_by_hand() {
        // Los (1) pa-cien-tes (3) de-ben (2) cui-dar (2) la (1) piel (1):
        // 6 words, 10 syllables, 1 sentence.
        let (w, y) = count_words_in("Los pacientes deben cuidar la piel.", Formula::FernandezHuerta);
        assert_eq!((w, y), (6, 10));
        // 206.84 − 60 × 10/6 − 1.02 × 6 = 206.84 − 100 − 6.12
        let ease = Formula::FernandezHuerta.score(w, 1, y);
        assert!((ease - 100.72).abs() < 1e-9, "{ease}");
    }

    #[test]
    fn scores_patient_prose_in_a_plausible_band() {
        // Plain patient information: a reader of Fernández-Huerta expects
        // 60 to 80 ("normal" to "algo fácil").
        let text = "La micropigmentación capilar es un tratamiento sin cirugía. \
            Se depositan pequeños puntos de pigmento en la piel del cuero cabelludo. \
            Así se imita el aspecto del pelo corto. \
            Cada sesión dura entre dos y cuatro horas. \
            La mayoría de los pacientes necesita dos o tres sesiones. \
            Después de cada sesión, la piel puede estar roja durante uno o dos días. \
            No se lave la cabeza durante cuatro días. \
            Evite el sol, la piscina y el ejercicio intenso durante una semana. \
            Si tiene dudas, llámenos.\n";
        let facts = crate::markdown::tests::facts_of(text, 0);
        let r = readability(text, &facts.prose, Formula::FernandezHuerta);
        assert_eq!(r.sentences, 9, "{r:?}");
        assert!((60.0..85.0).contains(&r.score), "{r:?}");
        // Harder prose scores lower.
        let hard = "La micropigmentación capilar constituye un procedimiento dermopigmentario \
            mínimamente invasivo, indicado fundamentalmente en alopecias androgenéticas \
            avanzadas, cicatrices quirúrgicas y situaciones de densidad capilar insuficiente.\n";
        let facts = crate::markdown::tests::facts_of(hard, 0);
        let h = readability(hard, &facts.prose, Formula::FernandezHuerta);
        assert!(h.score < 30.0, "{h:?}");
    }

    #[test]
    fn splits_spanish_sentences_at_inverted_marks_but_not_titles() {
        let text = "¿Le duele? ¡No mucho! La Dra. García y el Sr. Pérez la ven, p. ej. Martes o jueves. «Vuelva en 2 días.» Gracias";
        assert_eq!(
            sentences(text),
            [
                "¿Le duele?",
                "¡No mucho!",
                "La Dra. García y el Sr. Pérez la ven, p. ej. Martes o jueves.",
                "«Vuelva en 2 días.»",
                "Gracias"
            ]
        );
    }
}
