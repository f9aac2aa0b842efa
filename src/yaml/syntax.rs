//! Reading the raw lines of a YAML block, for what the parser's own errors
//! do not say: a tab used for indentation, a quote that is never closed, a
//! key written at the wrong depth, and a `#` that cut a value short.
//!
//! These scans are approximate on purpose (a few lines of text each, no
//! second parser): each only picks a better message for an error the parser
//! already found, or confirms its guess against the parsed value, so a wrong
//! guess costs a less precise message, never a wrong build.

use crate::collections::HashSet;

/// A line of a YAML block: its number in the block (0-based), indentation
/// in characters, and text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line<'a> {
    pub(super) index: usize,
    pub(super) indent: usize,
    pub(super) text: &'a str,
}

fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    text.lines().enumerate().map(|(index, text)| {
        let text = text.trim_end_matches('\r');
        let indent = text.len() - text.trim_start_matches(' ').len();
        Line { index, indent, text }
    })
}

/// Whether a line holds only a comment or nothing.
fn is_blank(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// The first line (0-based) and column (1-based, in characters) of a tab in
/// the indentation of a line, at or before line `until` (0-based).
pub(super) fn indenting_tab(text: &str, until: usize) -> Option<(usize, usize)> {
    lines(text).take(until.saturating_add(1)).find_map(|l| {
        // The indentation, with the `- ` of list items in it: a tab inside a
        // value is allowed, only these indent.
        let bytes = l.text.as_bytes();
        let mut lead = 0;
        while lead < bytes.len()
            && (matches!(bytes[lead], b' ' | b'\t')
                || bytes[lead] == b'-' && matches!(bytes.get(lead + 1), Some(b' ' | b'\t')))
        {
            lead += 1;
        }
        let tab = l.text[..lead].find('\t')?;
        Some((l.index, l.text[..tab].chars().count() + 1))
    })
}

/// Splits `key: value` (or `key:` at the end of the line) into the key and
/// what follows the colon; `None` when the line is not a key.
pub(super) fn split_key(body: &str) -> Option<(&str, &str)> {
    let body = body.trim_start();
    if body.starts_with(['"', '\'', '#', '-', '[', '{']) && !body.starts_with("- ") {
        return None;
    }
    let colon = body
        .char_indices()
        .find(|&(i, c)| c == ':' && body[i + 1..].chars().next().is_none_or(|n| n == ' ' || n == '\t'))?;
    let key = body[..colon.0].trim_end();
    (!key.is_empty() && !key.contains(['"', '\'', ' '])).then(|| (key, &body[colon.0 + 1..]))
}

/// Where a quoted value that is never closed opens: line (0-based) and
/// column (1-based). Quotes count only where a value starts (after `: `,
/// `- `, `[`, `{`, `,` or at the start of a line), so the apostrophe in
/// `title: Don't` is not one; block scalars (`|`, `>`) are skipped.
pub(super) fn unclosed_quote(text: &str) -> Option<(usize, usize)> {
    let all: Vec<Line<'_>> = lines(text).collect();
    let mut open: Option<(char, usize, usize)> = None;
    // A quote closed lines later, by one that opens the next value: `name:
    // 'Smith` then `phone: '0123'` reads as one value until the quote before 0123.
    let mut swallowed: Option<(usize, usize)> = None;
    let mut block_above: Option<usize> = None;
    for line in &all {
        if let Some(indent) = block_above {
            if is_blank(line.text) || line.indent > indent {
                continue;
            }
            block_above = None;
        }
        if let Some((_, at_line, column)) = open
            && at_line < line.index
            && swallowed.is_none()
            && split_key(line.text).is_some()
        {
            swallowed = Some((at_line, column));
        }
        let chars: Vec<(usize, char)> = line.text.char_indices().collect();
        let mut k = 0;
        while k < chars.len() {
            let (at, c) = chars[k];
            match open {
                Some(('"', ..)) if c == '\\' => k += 1,
                Some(('\'', ..)) if c == '\'' && chars.get(k + 1).is_some_and(|&(_, n)| n == '\'') => k += 1,
                Some((q, ..)) if c == q => open = None,
                Some(_) => {}
                None if c == '#' && (k == 0 || chars[k - 1].1.is_whitespace()) => break,
                None if c == '"' || c == '\'' => {
                    let before = line.text[..at].trim_end();
                    if before.is_empty() || before.ends_with([':', '-', '[', '{', ',', '?']) {
                        open = Some((c, line.index, k + 1));
                    }
                }
                None => {}
            }
            k += 1;
        }
        if open.is_none()
            && let Some((_, value)) = split_key(line.text.trim_start().trim_start_matches("- "))
            && value.trim_start().starts_with(['|', '>'])
        {
            block_above = Some(line.indent);
        }
    }
    open.map(|(_, line, column)| (line, column)).or(swallowed)
}

/// The keys, innermost first, under which line `at` (0-based) could be
/// indented instead: the mapping keys opened above it (`clinic:` with
/// nothing after the colon) that enclose the line just above, at or deeper
/// than `at`'s own indentation. Each comes with the indentation its children
/// use.
pub(super) fn parents_above(text: &str, at: usize) -> Vec<(String, usize)> {
    let all: Vec<Line<'_>> = lines(text).collect();
    let Some(target) = all.get(at) else { return Vec::new() };
    let mut found = Vec::new();
    // The indentation the next parent up must be shallower than.
    let mut limit = usize::MAX;
    for line in all[..at].iter().rev().filter(|l| !is_blank(l.text)) {
        if line.indent >= limit || line.indent < target.indent {
            continue;
        }
        limit = line.indent;
        if let Some((key, value)) = split_key(line.text)
            && is_blank(value)
        {
            let child = all[line.index + 1..at]
                .iter()
                .find(|l| !is_blank(l.text))
                .map_or(line.indent + 2, |l| l.indent.max(line.indent + 2));
            found.push((key.to_string(), child));
        }
        if line.indent == target.indent {
            break;
        }
    }
    found
}

/// `text` with line `at` and the lines indented below it moved to
/// indentation `indent`.
pub(super) fn reindent(text: &str, at: usize, indent: usize) -> String {
    let all: Vec<Line<'_>> = lines(text).collect();
    let Some(first) = all.get(at) else { return text.to_string() };
    let end = all[at + 1..]
        .iter()
        .find(|l| !is_blank(l.text) && l.indent <= first.indent)
        .map_or(all.len(), |l| l.index);
    let mut out = String::with_capacity(text.len() + 64);
    for l in &all {
        if (at..end).contains(&l.index) && !l.text.trim().is_empty() {
            let shifted = (l.indent + indent).saturating_sub(first.indent);
            out.push_str(&" ".repeat(shifted));
            out.push_str(&l.text[l.indent..]);
        } else {
            out.push_str(l.text);
        }
        out.push('\n');
    }
    out
}

/// A plain (unquoted) value cut short by a comment: `title: Prices # 2026`
/// is read as `Prices`.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct CommentCut<'a> {
    /// Line in the block (0-based).
    pub(super) line: usize,
    /// Column of the `#` (1-based, in characters).
    pub(super) column: usize,
    /// The key, when the value belongs to one.
    pub(super) key: Option<&'a str>,
    /// What the value became.
    pub(super) kept: &'a str,
    /// The whole value as written, comment included.
    pub(super) written: &'a str,
}

/// Every unquoted text value in `text` followed by ` #` on its line, checked
/// against the parsed `value`: the text before the `#` must be one of its
/// strings (so a number with a comment, or a `#` inside a block of text, is
/// not reported).
pub(super) fn comment_cuts<'a>(text: &'a str, value: &serde_yaml::Value) -> Vec<CommentCut<'a>> {
    let mut strings = HashSet::default();
    collect_strings(value, &mut strings);
    let mut found = Vec::new();
    for line in lines(text) {
        let mut body = line.text.trim_start();
        let mut item = false;
        while let Some(rest) = body.strip_prefix("- ") {
            body = rest.trim_start();
            item = true;
        }
        let (key, value_part) = match split_key(body) {
            Some((k, v)) => (Some(k), v.trim_start()),
            None if item => (None, body),
            None => continue,
        };
        if value_part.is_empty()
            || value_part.starts_with(['"', '\'', '[', '{', '|', '>', '&', '*', '!', '#'])
        {
            continue;
        }
        let Some(hash) = value_part.find(" #").or_else(|| value_part.find("\t#")) else { continue };
        let kept = value_part[..hash].trim_end();
        if kept.is_empty() || !strings.contains(kept) {
            continue;
        }
        let offset = line.text.len() - value_part.len() + hash + 1;
        found.push(CommentCut {
            line: line.index,
            column: line.text[..offset].chars().count() + 1,
            key,
            kept,
            written: value_part.trim_end(),
        });
    }
    found
}

fn collect_strings<'v>(value: &'v serde_yaml::Value, into: &mut HashSet<&'v str>) {
    match value {
        serde_yaml::Value::String(s) => {
            into.insert(s.as_str());
        }
        serde_yaml::Value::Sequence(items) => items.iter().for_each(|v| collect_strings(v, into)),
        serde_yaml::Value::Mapping(map) => map.values().for_each(|v| collect_strings(v, into)),
        serde_yaml::Value::Tagged(t) => collect_strings(&t.value, into),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tabs_only_in_indentation() {
        assert_eq!(indenting_tab("a: 1\nb:\n\tc: 2\n", 5), Some((2, 1)));
        assert_eq!(indenting_tab("a: 1\nb:\n  \tc: 2\n", 5), Some((2, 3)));
        assert_eq!(indenting_tab("a: x\ty\n", 5), None);
        assert_eq!(indenting_tab("a:\n  -\tone\n", 5), Some((1, 4)));
        assert_eq!(indenting_tab("a:\n  - x\ty\n", 5), None);
        assert_eq!(indenting_tab("a: 1\nb:\n\tc: 2\n", 1), None);
    }

    #[test]
    fn finds_the_quote_that_is_never_closed() {
        assert_eq!(unclosed_quote("title: \"A\nmenu: true\n"), Some((0, 8)));
        assert_eq!(unclosed_quote("title: Don't\nx: 'a'' b'\ny: 'open\n"), Some((2, 4)));
        assert_eq!(unclosed_quote("a: \"x \\\" y\"\nb: 'it''s'\n"), None);
        assert_eq!(unclosed_quote("a: \"two\n  lines\"\nb: x # it's\n"), None);
        assert_eq!(unclosed_quote("a: |\n  \"quoted\n  text\nb: 1\n"), None);
        assert_eq!(unclosed_quote("- 'one\n"), Some((0, 3)));
        assert_eq!(unclosed_quote("name: 'Smith\nphone: '0123'\n"), Some((0, 7)));
    }

    #[test]
    fn lists_the_mappings_a_line_could_belong_to() {
        let text = "title: T\nclinic:\n  name: X\n  address:\n    street: Y\nphone: 1\n";
        assert_eq!(parents_above(text, 5), vec![("address".into(), 4), ("clinic".into(), 2)]);
        assert_eq!(parents_above("a: 1\nb: 2\n", 1), Vec::<(String, usize)>::new());
        assert_eq!(
            reindent(text, 5, 2),
            "title: T\nclinic:\n  name: X\n  address:\n    street: Y\n  phone: 1\n"
        );
        assert_eq!(reindent("a:\nb:\n  c: 1\nd: 2\n", 1, 2), "a:\n  b:\n    c: 1\nd: 2\n");
    }

    #[test]
    fn reports_values_cut_by_a_comment() {
        let text = "title: Prices # 2026\nweight: 3 # order\nnote: |\n  a # b\ntags:\n  - one # two\nok: \"x # y\"\n";
        let value: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        let cuts = comment_cuts(text, &value);
        assert_eq!(
            cuts,
            vec![
                CommentCut {
                    line: 0,
                    column: 15,
                    key: Some("title"),
                    kept: "Prices",
                    written: "Prices # 2026"
                },
                CommentCut { line: 5, column: 9, key: None, kept: "one", written: "one # two" },
            ]
        );
    }
}
