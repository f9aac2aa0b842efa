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
    serde_yaml::from_str(text).map_err(|err| yaml_diagnostic(file, source, first_line, what, &err))
}

fn yaml_diagnostic(
    file: &Path,
    source: &str,
    first_line: usize,
    what: &str,
    err: &serde_yaml::Error,
) -> Diagnostic {
    let raw = err.to_string();
    // The message carries its own " at line L column C"; we show the location
    // our way, counted from the top of the file.
    let message = raw.find(" at line ").map_or(raw.as_str(), |i| &raw[..i]);
    // Errors inside a mapping start with the key path: "clinic: unknown field ...".
    let (path, message) = split_key_path(message);
    let mut location =
        err.location().map(|l| Location { line: l.line() + first_line - 1, column: l.column() });
    // Serde reports type errors at the start of the mapping, not at the key;
    // find the key itself so the caret lands on the offending line.
    let key = unknown_field(message).or_else(|| path.and_then(|p| p.rsplit('.').next()));
    if let Some(loc) = location {
        let quoted = message.split('`').nth(1).filter(|q| !q.is_empty());
        let found = key
            .and_then(|k| find_key(source, loc, k))
            .or_else(|| quoted.and_then(|q| find_text(source, loc, q)));
        location = Some(found.unwrap_or(loc));
    }
    let (mut message, help) = reword(message, what);
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        message.push_str(&format!(" (under `{path}`)"));
    }
    let mut d = Diagnostic::error(file, message);
    if let Some(loc) = location {
        d = d.at(source, loc);
    }
    if let Some(help) = help {
        d = d.with_help(help);
    }
    d
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
    fn wrong_type_names_the_line() {
        let d = err("title: a\nweight: heavy\n", 2);
        assert!(d.message.contains("wrong kind of value"), "{}", d.message);
        assert!(d.message.contains("heavy"), "{}", d.message);
        assert_eq!(d.location.map(|l| l.line), Some(3));
    }

    #[test]
    fn syntax_error_line_counts_from_the_file_top() {
        let d = err("title: a\nweight: [1\n", 2);
        assert!(d.location.map(|l| l.line).unwrap_or(0) >= 3, "{d:?}");
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
