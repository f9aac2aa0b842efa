//! A whole in-memory site whose pages' bodies the fuzzer writes: parse and
//! render must give output or diagnostics, never a panic, and every
//! diagnostic must render.
//!
//! Input layout: the first byte is a set of flags (below); the rest is text
//! (lossy UTF-8), split at the first NUL into the body of `a.md` and, if there
//! is a NUL, the body of a second page `b.md`.
#![no_main]

use std::cell::RefCell;
use std::path::PathBuf;

use dotwork::check::check_site;
use dotwork::config::parse_config;
use dotwork::date::Date;
use dotwork::pipeline::render_site;
use dotwork::render::OutputContent;
use dotwork::site::{ParseCache, ParseOptions, parse_site, parse_site_cached};
use dotwork::source::{SourceFile, Sources, TemplateFile};
use dotwork::{Diagnostic, Error};
use libfuzzer_sys::fuzz_target;

/// Add `content/index.md`, which links into `a.md` (with and without anchors).
const LINKER: u8 = 1;
/// Build with `--drafts`.
const DRAFTS: u8 = 1 << 1;
/// Put the fuzzed pages under `content/care/` instead of `content/`.
const NESTED: u8 = 1 << 2;
/// Add a draft page `content/d.md` (links to it are errors without `--drafts`).
const DRAFT_PAGE: u8 = 1 << 3;
/// The fuzzed text is the whole file, front matter included.
const RAW: u8 = 1 << 4;
/// Give the site a `404.html` template and a table of contents in `page.html`.
const RICH_TEMPLATES: u8 = 1 << 5;
/// Give the site a bibliography (`[@a]`, `[@a; @b2]` cite it); the citation
/// style is picked by the `DRAFTS` and `NESTED` bits. Reading the
/// bibliography (its style and locales) costs several times a whole small
/// site's parse, so these inputs are parsed with one [`ParseCache`] per style
/// kept across inputs, as `serve` keeps one across rebuilds: the
/// bibliography is read once per style, and the cache is fuzzed too.
const BIBLIOGRAPHY: u8 = 1 << 6;
/// Run `check` (the HTML, link, readability and review checks) on the output.
const CHECK: u8 = 1 << 7;

/// The site's settings; raw pages may name the people as `author: ed`,
/// `reviewed_by: rev`.
const CONFIG: &str = "title: T\nbase_url: https://example.org/\n\
people:\n  ed:\n    name: Ed Itor\n  rev:\n    name: Dr Ré View\n    credentials: MD\n    job_title: Dermatologist\n";

const BIBLIOGRAPHY_TEXT: &str = "a:\n  type: article\n  title: \"Scalp: a study\"\n  author: [\"Rassman, W.\", \"Pak, J.\"]\n  date: 2013-08\n  page-range: 497-503\n  parent:\n    type: periodical\n    title: Clinics\n    volume: 21\nb2:\n  type: book\n  title: Ünïcode café\n  author: Ø, Å\n  date: 2020\n  url: https://example.org/b\n";

/// Links into `a.md` from the home page (`{a}` is its path from there): a
/// missing `#y` is an error here, found by the anchor check against `a.md`.
fn linker_text(a: &str) -> String {
    format!(
        "---\ntitle: Home\nmenu: true\n---\n# Home\n\n[x]({a}#y) [plain]({a}) [abs](/{a}) \
         [self](#home) [^n] ![img](/images/é.png)\n\n[^n]: a footnote [back](./{a})\n"
    )
}

const DRAFT_TEXT: &str = "---\ntitle: Draft\ndraft: true\n---\n## Soon\n[home](index.md)\n";

thread_local! {
    static CACHES: RefCell<[ParseCache; 3]> = RefCell::default();
}

/// `FUZZ_DEBUG=1` prints what each input came to: the diagnostics, and the
/// rendered files (for checking that seeds reach rendering and `check`).
fn debug() -> bool {
    static DEBUG: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}

fn show(d: &Diagnostic) {
    if debug() {
        eprintln!("{}", d.render(false));
    }
    std::hint::black_box(d.render(false));
    std::hint::black_box(d.render(true));
    std::hint::black_box(d.to_string());
}

fn show_error(e: &Error) {
    std::hint::black_box(e.to_string());
    if let Error::Site(ds) = e {
        ds.iter().for_each(show);
    }
}

fn page(path: &str, text: String) -> SourceFile {
    SourceFile { path: PathBuf::from(path), text }
}

fn template(name: &str, text: &str) -> TemplateFile {
    TemplateFile {
        name: name.to_string(),
        path: PathBuf::from(format!("templates/{name}")),
        text: text.to_string(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let (first, second) = match text.split_once('\0') {
        Some((a, b)) => (a, Some(b)),
        None => (text.as_ref(), None),
    };
    let dir = if flags & NESTED != 0 { "content/care" } else { "content" };
    let whole = |title: &str, body: &str| {
        if flags & RAW != 0 { body.to_string() } else { format!("---\ntitle: {title}\n---\n{body}") }
    };

    let mut pages = vec![page(&format!("{dir}/a.md"), whole("A", first))];
    if let Some(body) = second {
        pages.push(page(&format!("{dir}/b.md"), whole("B", body)));
    }
    if flags & LINKER != 0 {
        let a = if flags & NESTED != 0 { "care/a.md" } else { "a.md" };
        pages.push(page("content/index.md", linker_text(a)));
    }
    if flags & DRAFT_PAGE != 0 {
        pages.push(page("content/d.md", DRAFT_TEXT.to_string()));
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));

    let mut templates = vec![
        template("page.html", "{{ page.content | safe }}"),
        template("index.html", "<h1>{{ page.title }}</h1>{{ page.content | safe }}"),
    ];
    if flags & RICH_TEMPLATES != 0 {
        templates[0] = template(
            "page.html",
            "{% for m in menu %}<a href=\"{{ m.url }}\">{{ m.title }}</a>{% endfor %}\
             {% for h in page.toc %}<a href=\"#{{ h.id }}\">{{ h.title }}</a>\
             {% for c in h.children %}{{ c.title }}{% endfor %}{% endfor %}\
             {{ page.content | safe }}{{ page.permalink }}",
        );
        templates.push(template("404.html", "<a href=\"{{ root }}\">{{ page.title }}</a>"));
    }

    let mut config_text = CONFIG.to_string();
    let mut bibliography = None;
    let style = usize::from((flags >> 1) & 3) % 3;
    if flags & BIBLIOGRAPHY != 0 {
        config_text.push_str(&format!("citation_style: {}\n", ["ama", "apa", "vancouver"][style]));
        bibliography = Some(page("content/references.yaml", BIBLIOGRAPHY_TEXT.to_string()));
    }
    let config = parse_config(&config_text).expect("the fixed site.yaml is valid");
    let sources = Sources { config, pages, templates, assets: Vec::new(), bibliography };
    let options = ParseOptions { drafts: flags & DRAFTS != 0, ..ParseOptions::default() };
    let parsed = if flags & BIBLIOGRAPHY != 0 {
        CACHES.with_borrow_mut(|caches| parse_site_cached(sources, &options, &mut caches[style]))
    } else {
        parse_site(sources, &options)
    };
    let site = match parsed {
        Ok(site) => site,
        Err(e) => return show_error(&e),
    };
    site.warnings.iter().for_each(show);
    let outputs = match render_site(&site) {
        Ok(outputs) => outputs,
        Err(e) => return show_error(&e),
    };
    if debug() {
        eprintln!("rendered {} files", outputs.len());
        for o in &outputs {
            if let OutputContent::Bytes(b) = &o.content {
                eprintln!("--- {}\n{}", o.path.display(), String::from_utf8_lossy(b));
            }
        }
    }
    if flags & CHECK != 0 {
        let today = Date::new(2026, 11, 24).expect("a real date");
        check_site(&site, &outputs, today).iter().for_each(show);
    }
});
