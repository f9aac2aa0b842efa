//! YAML to typed values, with errors that point into the file.
//!
//! Front matter is a block inside a larger file, so the parser's line numbers
//! are shifted by `first_line` to count from the top of the file. Serde's
//! messages are reworded for someone who has never seen Rust: "unknown field"
//! becomes "unknown key" with the nearest known key suggested.
//!
//! Hostile input: `serde_yaml` (yaml_serde) already bounds alias expansion
//! (repetition limit) and nesting (recursion limit 128); we add a size cap so
//! a huge scalar fails before it is parsed.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Diagnostic, Location, did_you_mean};

mod plain;
mod syntax;
mod words;

/// Largest YAML block we parse: far above any real settings file or front matter.
pub(crate) const MAX_YAML_BYTES: usize = 1 << 20;

/// Parses the YAML `text`, which starts on line `first_line` of `file`, whose
/// whole contents are `source` (for quoting the offending line).
pub(crate) fn parse_yaml<T: DeserializeOwned>(
    file: &Path,
    source: &str,
    text: &str,
    first_line: usize,
    what: &str,
) -> Result<T, Diagnostic> {
    if text.len() > MAX_YAML_BYTES {
        return Err(Diagnostic::error(
            file,
            format!("{what} is {} KiB, more than the 1024 KiB allowed", text.len() / 1024),
        )
        .at(source, Location { line: first_line, column: 1 }));
    }
    serde_yaml::from_str(text).map_err(|err| {
        let block = Block { file, source, text, first_line, what };
        // On the error path only: parse edited copies to test a guess at the mistake.
        let reparse = |edited: &str| serde_yaml::from_str::<T>(edited).err().map(|e| e.to_string());
        yaml_diagnostic(&block, &err, &reparse)
    })
}

/// [`parse_yaml`] for front matter, which is nearly always written in the
/// plain part of YAML: read by [`plain`] when it is (the same values in a
/// fraction of the instructions), by the full parser when it is not.
pub(crate) fn parse_front_matter_yaml<T: DeserializeOwned>(
    file: &Path,
    source: &str,
    text: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    // Past the size allowed, the full parser gives its error.
    if text.len() <= MAX_YAML_BYTES
        && let Some(value) = plain::from_str(text)
    {
        return Ok(value);
    }
    parse_yaml(file, source, text, first_line, "front matter")
}

/// A YAML block and where it is.
struct Block<'a> {
    file: &'a Path,
    /// The whole file.
    source: &'a str,
    /// The YAML, which starts on line `first_line` of `source`.
    text: &'a str,
    first_line: usize,
    /// `front matter` or `site.yaml`, for messages.
    what: &'a str,
}

impl Block<'_> {
    /// A location in the file from a line of the block (0-based) and a column.
    fn at(&self, line: usize, column: usize) -> Location {
        Location { line: self.first_line + line, column }
    }
}

/// Warnings for unquoted values that a ` #` cut short (`title: Prices # 2026`
/// becomes `Prices`: YAML reads the rest as a comment). The block must have
/// parsed already; this reads it again only when a line has ` #` after a value.
pub(crate) fn comment_warnings(file: &Path, source: &str, text: &str, first_line: usize) -> Vec<Diagnostic> {
    if !text.contains(" #") && !text.contains("\t#") {
        return Vec::new();
    }
    let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) else { return Vec::new() };
    syntax::comment_cuts(text, &value)
        .into_iter()
        .map(|cut| {
            let what = cut.key.map_or_else(|| "a list item".to_string(), |k| format!("`{k}`"));
            let fixed = match cut.key {
                Some(k) => format!("{k}: \"{}\"", cut.written.replace('"', "\\\"")),
                None => format!("- \"{}\"", cut.written.replace('"', "\\\"")),
            };
            Diagnostic::warning(file, format!("the value of {what} stops at ` #`: it is `{}`, and the rest of the line is read as a comment", cut.kept))
                .at(source, Location { line: first_line + cut.line, column: cut.column })
                .with_help(format!(
                    "if the `#` is part of the value, put it in quotes: {fixed}; if it is a note, put it on a line of its own"
                ))
        })
        .collect()
}

/// Where the key at `path` (`clinic.booking_url`, as templates read it
/// after `site.`) is written in the YAML `text`: each part is looked for
/// below the one before, indented deeper.
pub(crate) fn key_path_location(text: &str, path: &str) -> Option<Location> {
    let lines: Vec<&str> = text.lines().collect();
    let indent_of = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let is_blank = |line: &str| line.trim().is_empty() || line.trim_start().starts_with('#');
    // The lines to search, and the indentation a key there must have more of.
    let (mut from, mut parent): (usize, Option<usize>) = (0, None);
    let mut found = None;
    for part in path.split('.') {
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().skip(from) {
            if is_blank(line) {
                continue;
            }
            let indent = indent_of(line);
            match parent {
                Some(p) if indent <= p => break,
                None if indent > 0 => continue,
                _ => {}
            }
            if syntax::split_key(line.trim_start().trim_start_matches("- ")).is_some_and(|(k, _)| k == part) {
                hit = Some((i, indent));
                break;
            }
        }
        let (line, indent) = hit?;
        found = Some(Location { line: line + 1, column: indent + 1 });
        (from, parent) = (line + 1, Some(indent));
    }
    found
}

fn yaml_diagnostic(
    block: &Block<'_>,
    err: &serde_yaml::Error,
    reparse: &dyn Fn(&str) -> Option<String>,
) -> Diagnostic {
    let raw = err.to_string();
    // The message carries its own " at line L column C"; we show the location
    // our way, counted from the top of the file.
    let message = raw.find(" at line ").map_or(raw.as_str(), |i| &raw[..i]);
    let error_line = err.location().map(|l| l.line().saturating_sub(1));
    // A mistake in the YAML itself (not in a value's kind) fails any parse.
    let syntax_error = serde_yaml::from_str::<serde_yaml::Value>(block.text).is_err();
    if syntax_error && let Some(d) = syntax_diagnostic(block, error_line) {
        return d;
    }
    // Errors inside a mapping start with the key path: "clinic: unknown field ...".
    let (path, message) = split_key_path(message);
    let mut location = err.location().map(|l| block.at(l.line().saturating_sub(1), l.column()));
    // Serde reports type errors at the start of the mapping, not at the key;
    // find the key itself so the caret lands on the offending line.
    let key = unknown_field(message).or_else(|| path.and_then(|p| p.rsplit('.').next()));
    if let Some(loc) = location {
        let quoted = message.split('`').nth(1).filter(|q| !q.is_empty());
        let found = key
            .and_then(|k| find_key(block.source, loc, k))
            .or_else(|| quoted.and_then(|q| find_text(block.source, loc, q)));
        location = Some(found.unwrap_or(loc));
    }
    // A known key at the wrong depth: its fix is the indentation, not its name.
    let named = unknown_field(message).or_else(|| missing_field(message));
    if let (Some(name), Some(loc)) = (named, location)
        && let Some(d) = misplaced_key(block, name, loc, &raw, reparse)
    {
        return d;
    }
    let leaf = key.map(|k| k.split('[').next().unwrap_or(k));
    // A value's own message ("not a date") names no key: take it from the line.
    let line_key = location
        .and_then(|loc| block.source.lines().nth(loc.line - 1))
        .and_then(|l| syntax::split_key(l.trim_start().trim_start_matches("- ")))
        .map(|(k, _)| k);
    let in_words = leaf
        .and_then(|k| words::wrong_value(message, k))
        .map(|(m, help)| (m, Some(help)))
        .or_else(|| leaf.or(line_key).filter(|_| !syntax_error).and_then(|k| words::own_message(message, k)));
    let (mut message, help, value_at) = match in_words {
        Some((message, help)) => (message, help, true),
        None => {
            let (message, help) = reword(message, block.what);
            (message, help, false)
        }
    };
    // A type error's path ends with the key itself, which the message names.
    let parent = if value_at { path.and_then(|p| p.rsplit_once('.')).map(|(p, _)| p) } else { path };
    if let Some(parent) = parent.filter(|p| !p.is_empty()) {
        message.push_str(&format!(" (under `{parent}`)"));
    }
    let mut d = Diagnostic::error(block.file, message);
    if let Some(mut loc) = location {
        if value_at {
            loc = value_location(block.source, loc);
        }
        d = d.at(block.source, loc);
    }
    if let Some(help) = help {
        d = d.with_help(help);
    }
    d
}

/// A better message for a syntax error: a tab used for indentation, or a
/// quote that is never closed (the parser reports those at the end of the
/// block, far from the mistake).
fn syntax_diagnostic(block: &Block<'_>, error_line: Option<usize>) -> Option<Diagnostic> {
    let until = error_line.unwrap_or(usize::MAX).saturating_add(1);
    if let Some((line, column)) = syntax::indenting_tab(block.text, until) {
        let mut d = Diagnostic::error(block.file, "a tab is used for indentation; YAML needs spaces")
            .at(block.source, block.at(line, column))
            .with_help("replace the tab (shown as →) with spaces: two for each level");
        // Shown as spaces, a tab is invisible; show where it is.
        d.line_text = d.line_text.map(|t| t.replace('\t', "→"));
        return Some(d);
    }
    let (line, column) = syntax::unclosed_quote(block.text)?;
    let line_text = block.text.lines().nth(line).unwrap_or_default();
    let quote = line_text.chars().nth(column - 1).unwrap_or('"');
    Some(
        Diagnostic::error(block.file, format!("the quote `{quote}` that opens here is never closed"))
            .at(block.source, block.at(line, column))
            .with_help(format!("close the quote: add a `{quote}` at the end of the value")),
    )
}

/// When `name` (unknown where it is, or missing where it should be) is a key
/// of a mapping above it and only its indentation is wrong: a diagnostic
/// that says where it belongs. Found by parsing again with the line moved
/// under each mapping above it in turn.
fn misplaced_key(
    block: &Block<'_>,
    name: &str,
    at: Location,
    raw: &str,
    reparse: &dyn Fn(&str) -> Option<String>,
) -> Option<Diagnostic> {
    let line = at.line.checked_sub(block.first_line)?;
    let written = block.text.lines().nth(line)?;
    if syntax::split_key(written.trim_start_matches([' ', '-']))?.0 != name {
        return None;
    }
    // Fixed if the parse succeeds, or fails for a reason that is not this key.
    let fixed =
        |text: &str, key: &str| reparse(text).is_none_or(|again| !again.contains(key) && again != raw);
    const PROBE: &str = "zz_not_a_dotwork_key";
    let renamed: String = block
        .text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == line { l.replacen(name, PROBE, 1) + "\n" } else { format!("{l}\n") })
        .collect();
    for (parent, indent) in syntax::parents_above(block.text, line) {
        let moved = syntax::reindent(block.text, line, indent);
        // A mapping that takes any key (`extra:`) would take a typo too: it
        // proves nothing, so the key must fit where a made-up one does not.
        let probe = syntax::reindent(&renamed, line, indent);
        if fixed(&moved, name) && !fixed(&probe, PROBE) {
            return Some(
                Diagnostic::error(block.file, format!("`{name}` belongs under `{parent}:`; indent it"))
                    .at(block.source, at)
                    .with_help(format!(
                        "start the line with {indent} spaces, like the other settings under `{parent}:`"
                    )),
            );
        }
    }
    None
}

/// The start of the value after `key:` on the line of `at` (the key when
/// the value is on other lines).
fn value_location(source: &str, at: Location) -> Location {
    let Some(line) = source.lines().nth(at.line - 1) else { return at };
    let from = line.char_indices().nth(at.column - 1).map_or(line.len(), |(i, _)| i);
    let Some(colon) = line[from..].find(':') else { return at };
    let after = &line[from + colon + 1..];
    let value = after.trim_start();
    if value.is_empty() || value.starts_with('#') {
        return at;
    }
    let offset = line.len() - value.len();
    Location { line: at.line, column: line[..offset].chars().count() + 1 }
}

/// Splits "clinic.address: unknown field ..." into the path and the message.
fn split_key_path(message: &str) -> (Option<&str>, &str) {
    match message.split_once(": ") {
        Some((path, rest))
            if !path.is_empty()
                && path.chars().all(|c| c.is_alphanumeric() || "_-.[]".contains(c))
                && !matches!(path, "invalid type" | "invalid value" | "invalid length") =>
        {
            (Some(path), rest)
        }
        _ => (None, message),
    }
}

fn unknown_field(message: &str) -> Option<&str> {
    message.strip_prefix("unknown field `")?.split('`').next()
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// The first place at or after line `from` where `text` is written.
fn find_text(source: &str, from: Location, text: &str) -> Option<Location> {
    source.lines().enumerate().skip(from.line - 1).find_map(|(i, line)| {
        let col = line.find(text)?;
        Some(Location { line: i + 1, column: line[..col].chars().count() + 1 })
    })
}

/// The first line at or after `from` where `key:` is written.
fn find_key(source: &str, from: Location, key: &str) -> Option<Location> {
    let key = key.split('[').next().unwrap_or(key);
    source.lines().enumerate().skip(from.line - 1).find_map(|(i, line)| {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let rest = trimmed.strip_prefix(key)?;
        rest.trim_start()
            .starts_with(':')
            .then(|| Location { line: i + 1, column: line[..line.len() - trimmed.len()].chars().count() + 1 })
    })
}

/// Turns serde's wording into plain words, with a hint where one helps.
fn reword(message: &str, what: &str) -> (String, Option<String>) {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let known = expected_names(rest);
        let help = match did_you_mean(name, &known) {
            Some(best) => format!("did you mean `{best}`?"),
            None if known.is_empty() => "remove it".to_string(),
            None => format!("the keys allowed here are: {}", known.join(", ")),
        };
        return (format!("unknown key `{name}` in {what}"), Some(help));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return (format!("{what} has no `{name}`"), Some(format!("add a line `{name}: ...`")));
    }
    if message.contains("repetition limit exceeded") || message.contains("recursion limit exceeded") {
        return (
            format!("{what} is too deeply nested or repeats aliases too often ({message})"),
            Some("write the values out plainly, without `&anchors` and `*aliases`".to_string()),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return (format!("wrong kind of value in {what}: {rest}"), None);
    }
    (format!("{what}: {message}"), yaml_syntax_help(message))
}

fn yaml_syntax_help(message: &str) -> Option<String> {
    if message.contains("mapping values are not allowed") {
        Some(
            "a value containing `: ` must be put in quotes, for example title: \"Risks: what to know\""
                .into(),
        )
    } else if message.contains("found character that cannot start any token") {
        Some("values starting with `@`, `` ` `` or `%` must be put in quotes".into())
    } else if message.contains("did not find expected key") || message.contains("did not find expected") {
        Some("check the indentation and the quotes on this line and the one above".into())
    } else {
        None
    }
}

/// The names serde lists after "expected one of `a`, `b`" or "expected `a`".
fn expected_names(rest: &str) -> Vec<&str> {
    let Some(i) = rest.find("expected") else { return Vec::new() };
    rest[i..].split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        #[serde(default)]
        weight: i64,
    }

    fn err(text: &str, first_line: usize) -> Diagnostic {
        let source = format!("{}{text}", "\n".repeat(first_line - 1));
        parse_yaml::<T>(Path::new("content/a.md"), &source, text, first_line, "front matter").unwrap_err()
    }

    #[test]
    fn unknown_key_points_at_file_line_and_suggests() {
        let d = err("title: a\ntitel: b\n", 2);
        assert_eq!(d.message, "unknown key `titel` in front matter");
        assert_eq!(d.location.map(|l| l.column), Some(1));
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert_eq!(d.line_text.as_deref(), Some("titel: b"));
    }

    #[test]
    fn wrong_type_says_what_to_write_at_the_value() {
        let d = err("title: a\nweight: heavy\n", 2);
        assert_eq!(d.message, "`weight` must be a whole number, not `heavy`");
        assert_eq!(d.location, Some(Location { line: 3, column: 9 }));
        assert!(d.help.as_deref().unwrap_or_default().contains("weight: 3"), "{:?}", d.help);
    }

    #[test]
    fn tabs_quotes_and_indentation_are_named() {
        let d = err("title: a\n\tweight: 1\n", 2);
        assert_eq!(d.message, "a tab is used for indentation; YAML needs spaces");
        assert_eq!(d.line_text.as_deref(), Some("→weight: 1"));
        let d = err("title: \"a\nweight: 1\n", 2);
        assert_eq!(d.location, Some(Location { line: 2, column: 8 }));
        assert_eq!(d.help.as_deref(), Some("close the quote: add a `\"` at the end of the value"));
    }

    #[test]
    fn a_key_at_the_wrong_depth_is_told_to_move() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            title: String,
            people: Option<String>,
            clinic: Inner,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            name: String,
            #[serde(default)]
            phone: String,
        }
        let text = "title: T\nclinic:\n  name: X\nphone: 1\n";
        let d = parse_yaml::<Outer>(Path::new("site.yaml"), text, text, 1, "site.yaml").unwrap_err();
        assert_eq!(d.message, "`phone` belongs under `clinic:`; indent it");
        assert_eq!(d.location, Some(Location { line: 4, column: 1 }));
        // A real typo still gets its suggestion.
        let text = "title: T\nclinic:\n  name: X\npeple: 1\n";
        let d = parse_yaml::<Outer>(Path::new("site.yaml"), text, text, 1, "site.yaml").unwrap_err();
        assert_eq!(d.help.as_deref(), Some("did you mean `people`?"));
        // Also after a mapping that takes any key.
        let text = "---\ntitle: T\nextra:\n  tagline: x\ntitel: y\n---\n";
        let d = crate::front_matter::parse_front_matter(Path::new("a.md"), text).unwrap_err();
        assert_eq!(d.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn values_cut_by_a_comment_are_warned_about() {
        let text = "title: Prices # 2026\nweight: 3 # first\n";
        let w = comment_warnings(Path::new("content/a.md"), text, text, 1);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].severity, crate::error::Severity::Warning);
        assert_eq!(w[0].location, Some(Location { line: 1, column: 15 }));
        assert_eq!(
            w[0].help.as_deref(),
            Some(
                "if the `#` is part of the value, put it in quotes: title: \"Prices # 2026\"; if it is a note, put it on a line of its own"
            )
        );
    }

    #[test]
    fn syntax_error_line_counts_from_the_file_top() {
        let d = err("title: a\nweight: [1\n", 2);
        assert!(d.location.map(|l| l.line).unwrap_or(0) >= 3, "{d:?}");
    }

    #[test]
    fn finds_nested_keys_by_path() {
        let text = "title: T\npeople:\n  phone: x\nclinic:\n  name: N\n  phone: 1\nphone: top\n";
        assert_eq!(key_path_location(text, "clinic.phone"), Some(Location { line: 6, column: 3 }));
        assert_eq!(key_path_location(text, "phone"), Some(Location { line: 7, column: 1 }));
        assert_eq!(key_path_location(text, "clinic.email"), None);
    }

    #[test]
    fn alias_bombs_fail_fast() {
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..12 {
            bomb.push_str(&format!(
                "{}: &{} [*{},*{},*{},*{},*{},*{},*{},*{},*{},*{}]\n",
                (b'a' + i) as char,
                (b'a' + i) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char,
                (b'a' + i - 1) as char
            ));
        }
        let r: Result<serde_json::Value, _> =
            parse_yaml(Path::new("site.yaml"), &bomb, &bomb, 1, "site.yaml");
        assert!(r.is_err());
    }

    #[test]
    fn deep_nesting_fails_fast() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let r: Result<serde_json::Value, _> =
            parse_yaml(Path::new("site.yaml"), &deep, &deep, 1, "site.yaml");
        assert!(r.unwrap_err().message.contains("nested"));
    }
}
