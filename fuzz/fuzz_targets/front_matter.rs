//! Front matter and `site.yaml` parsing: arbitrary text must give a value or
//! diagnostics, never a panic, and every diagnostic must render.
#![no_main]

use std::path::Path;

use dotwork::Diagnostic;
use dotwork::config::parse_config;
use dotwork::front_matter::{parse_front_matter, split_front_matter};
use libfuzzer_sys::fuzz_target;

fn show(d: &Diagnostic) {
    std::hint::black_box(d.render(false));
    std::hint::black_box(d.render(true));
    std::hint::black_box(d.to_string());
}

fn check(text: &str) {
    let file = Path::new("content/a.md");
    match split_front_matter(file, text) {
        Ok(split) => {
            // The split's parts are slices of `text` at the offsets it claims.
            assert_eq!(&text[split.body_offset..], split.body);
        }
        Err(d) => show(&d),
    }
    if let Err(d) = parse_front_matter(file, text) {
        show(&d);
    }
    if let Err(ds) = parse_config(text) {
        ds.iter().for_each(show);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    check(text);
    // Also as the YAML of a front matter block, so the fuzzer need not find
    // the fences to reach the YAML parser and its error positions.
    if !text.contains("\n---") && !text.contains("\n...") {
        check(&format!("---\n{text}\n---\nbody\n"));
    }
});
