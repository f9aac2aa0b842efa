//! The bibliography (`content/references.yaml` in hayagriva's YAML, or
//! `content/references.bib` in BibTeX): arbitrary text must give a library or
//! a diagnostic, never a panic; a library must format in every style.
//!
//! Input layout: the first byte picks the format (bit 0: BibTeX) and the
//! citation style (bits 1-2); the rest (UTF-8 only) is the site's `language`
//! (which picks the citation locales) up to the first newline, then the
//! file's text.
#![no_main]

use std::collections::HashSet;
use std::path::PathBuf;

use dotwork::citations::{find_citations, parse_bibliography};
use dotwork::config::CitationStyle;
use dotwork::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(rest) = std::str::from_utf8(rest) else { return };
    let (language, text) = rest.split_once('\n').unwrap_or(("en", rest));
    let path = if flags & 1 != 0 { "content/references.bib" } else { "content/references.yaml" };
    let style = match (flags >> 1) & 3 {
        1 => CitationStyle::Apa,
        2 => CitationStyle::Vancouver,
        _ => CitationStyle::Ama,
    };
    // The citation finder runs on every page's text; this text will do.
    std::hint::black_box(find_citations(text));
    let file = SourceFile { path: PathBuf::from(path), text: text.to_string() };
    let bib = match parse_bibliography(Some(file), style, language) {
        Ok(Some(bib)) => bib,
        Ok(None) => unreachable!("a file was given"),
        Err(d) => {
            std::hint::black_box((d.render(false), d.to_string()));
            return;
        }
    };
    let keys: Vec<String> = bib.keys().map(str::to_string).collect();
    for key in &keys {
        std::hint::black_box((bib.contains(key), bib.json_ld(key)));
    }
    // Every entry uncited: each warning points at the entry's line.
    for d in bib.never_cited(&HashSet::new()) {
        std::hint::black_box(d.render(false));
    }
    std::hint::black_box(bib.format_all());
    // One citation of each key, then all of them in one group, cited twice.
    let mut groups: Vec<Vec<String>> = keys.iter().map(|k| vec![k.clone()]).collect();
    groups.push(keys.clone());
    groups.push(keys);
    std::hint::black_box(bib.format_page(&groups));
});
