//! pulldown-floor SRC OUT: render SRC/**/*.md to OUT/<path-without-.md>/index.html.
//!
//! Front matter between a leading `---` line and the next `---` line is skipped.
//! Work is spread over all available cores with an atomic work counter.
//! Markdown options are the ones dotwork's src/markdown.rs enables.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use pulldown_cmark::{html, Options, Parser};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

fn body(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            return &rest[end + 5..];
        }
    }
    text
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: pulldown-floor SRC OUT");
        std::process::exit(2);
    }
    let src = PathBuf::from(&args[1]);
    let out = PathBuf::from(&args[2]);
    let mut files = Vec::new();
    if let Err(e) = collect(&src, &mut files) {
        eprintln!("pulldown-floor: reading {}: {e}", src.display());
        std::process::exit(1);
    }
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_SMART_PUNCTUATION);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let failed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut buf = String::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    let rel = path.strip_prefix(&src).unwrap_or(path).with_extension("");
                    let dest = if rel.as_os_str() == "index" { out.clone() } else { out.join(rel) };
                    let res = fs::read_to_string(path).and_then(|text| {
                        buf.clear();
                        html::push_html(&mut buf, Parser::new_ext(body(&text), opts));
                        fs::create_dir_all(&dest)?;
                        fs::write(dest.join("index.html"), buf.as_bytes())
                    });
                    if let Err(e) = res {
                        eprintln!("pulldown-floor: {}: {e}", path.display());
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    if failed.load(Ordering::Relaxed) > 0 {
        std::process::exit(1);
    }
}
