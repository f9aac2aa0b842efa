//! Front matter in the plain part of YAML, read without the full parser
//! (issue 16: yaml_serde took about 74,000 instructions for a page's ten
//! lines of front matter, 6% of a cold build's).
//!
//! The part read here is what nearly every page writes: `key: value` lines,
//! maps and lists nested below a key by indentation, lists on one line
//! (`[a, b]`), values on one line, plain or in quotes without escapes.
//! Anything else (maps on one line, anchors, tags, block scalars, escapes,
//! comments after a value, a value over several lines, a tab) gives
//! `None`, and so does any value the target type does not take as the full
//! parser would take it. The caller then has the full parser read the
//! block, so every page reads as it did, and every error message is the
//! full parser's.
//!
//! Scalars resolve as yaml_serde resolves them ([`Node::untyped`]): where a
//! plain scalar could be read two ways (a number with a sign or a leading
//! zero, a float), this reader does not guess but gives up.

use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};

/// A value of the plain subset.
#[derive(Debug)]
enum Node<'a> {
    /// One line's value: `plain` when written without quotes.
    Scalar {
        text: &'a str,
        plain: bool,
    },
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// `text` read as `T`, if it is in the plain subset and `T` takes it.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let lines = lines(text)?;
    let mut at = 0;
    let root = map(&lines, &mut at, 0)?;
    match &root {
        Node::Map(entries) if !entries.is_empty() && at == lines.len() => T::deserialize(&root).ok(),
        _ => None,
    }
}

/// The lines that hold something, as (indentation, the rest); `None` if
/// any character is one YAML does not allow as written, or a tab or
/// carriage return, whose reading this subset leaves to the full parser.
fn lines(text: &str) -> Option<Vec<(usize, &str)>> {
    let refused = |c: char| {
        (c < ' ' && c != '\n')
            || ('\u{7f}'..='\u{9f}').contains(&c)
            // Line and paragraph separators end a line to the full parser.
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
    };
    let (mut controls, mut wide) = (false, false);
    for &b in text.as_bytes() {
        controls |= (b < b' ' && b != b'\n') || b == 0x7f;
        wide |= b >= 0x80;
    }
    if controls || (wide && text.chars().any(refused)) {
        return None;
    }
    Some(
        text.split('\n')
            .filter_map(|line| {
                let rest = line.trim_start_matches(' ');
                // Blank lines and whole-line comments say nothing.
                (!rest.is_empty() && !rest.starts_with('#')).then(|| (line.len() - rest.len(), rest))
            })
            .collect(),
    )
}

/// The map whose keys are at `indent`, from line `at` on.
fn map<'a>(lines: &[(usize, &'a str)], at: &mut usize, indent: usize) -> Option<Node<'a>> {
    let mut entries: Vec<(&str, Node<'_>)> = Vec::new();
    while let Some(&(here, line)) = lines.get(*at) {
        if here < indent {
            break;
        }
        if here > indent {
            return None;
        }
        let (key, rest) = key_value(line)?;
        if entries.iter().any(|(k, _)| *k == key) {
            return None;
        }
        *at += 1;
        let below = lines.get(*at).copied();
        let value = if rest.is_empty() {
            match below {
                Some((next, line)) if next > indent => {
                    if line.starts_with('-') {
                        seq(lines, at, next)?
                    } else {
                        map(lines, at, next)?
                    }
                }
                // A list at the key's own indentation: the full parser's.
                Some((next, line)) if next == indent && line.starts_with('-') => return None,
                _ => Node::Scalar { text: "", plain: true },
            }
        } else {
            // A deeper line after a value would go on with it.
            if below.is_some_and(|(next, _)| next > indent) {
                return None;
            }
            match rest.strip_prefix('[') {
                Some(flow) => flow_seq(flow)?,
                None => scalar(rest)?,
            }
        };
        entries.push((key, value));
    }
    Some(Node::Map(entries))
}

/// The list whose `- ` items are at `indent`, from line `at` on: scalars.
fn seq<'a>(lines: &[(usize, &'a str)], at: &mut usize, indent: usize) -> Option<Node<'a>> {
    let mut items = Vec::new();
    while let Some(&(here, line)) = lines.get(*at) {
        if here < indent {
            break;
        }
        if here > indent {
            return None;
        }
        let item = line.strip_prefix("- ")?;
        *at += 1;
        if lines.get(*at).is_some_and(|&(next, _)| next > indent) {
            return None;
        }
        items.push(scalar(item)?);
    }
    Some(Node::Seq(items))
}

/// A list written on one line, `[a, "b c"]` (`flow`, after its `[`): its
/// items scalars, none holding a comma, a colon, brackets or braces (a
/// quoted item with a comma inside, split there, starts with a quote and
/// does not end with one, and is refused).
fn flow_seq(flow: &str) -> Option<Node<'_>> {
    let inner = flow.strip_suffix(']')?.trim_matches(' ');
    if inner.is_empty() {
        return Some(Node::Seq(Vec::new()));
    }
    let items = inner.split(',').map(|item| {
        let item = item.trim_matches(' ');
        let quoted = item.starts_with(['"', '\'']);
        if !quoted && item.contains([':', '[', ']', '{', '}']) {
            return None;
        }
        scalar(item)
    });
    items.collect::<Option<Vec<_>>>().map(Node::Seq)
}

/// A `key:` line: the key (letters, digits, `_`, `-`, not starting with a
/// digit or `-`) and what follows the colon, trimmed.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let (key, rest) = (&line[..colon], &line[colon + 1..]);
    let mut bytes = key.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if !first_ok || !bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return None;
    }
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some((key, rest.trim_matches(' ')))
}

/// A value on one line: in quotes without escapes or the quote inside, or
/// plain, starting with no indicator and holding no comment or `: `.
fn scalar(value: &str) -> Option<Node<'_>> {
    let value = value.trim_matches(' ');
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote) {
            let inner = inner.strip_suffix(quote)?;
            return (!inner.contains(quote) && !inner.contains('\\'))
                .then_some(Node::Scalar { text: inner, plain: false });
        }
    }
    let bytes = value.as_bytes();
    let indicator = b"-?:,[]{}#&*!|>'\"%@`".contains(bytes.first()?);
    // `: ` would start a map, ` #` a comment; a colon at the end, a map.
    let marks = bytes.windows(2).any(|pair| pair == b": " || pair == b" #");
    let plain_ok = !indicator && !marks && !value.ends_with(':');
    plain_ok.then_some(Node::Scalar { text: value, plain: true })
}

/// A plain scalar that YAML reads as null.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A plain scalar that YAML reads as a boolean.
fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A plain scalar of decimal digits without a sign or a leading zero, the
/// one form of number read here.
fn decimal<N: std::str::FromStr>(text: &str) -> Result<N, Refused> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if digits && (text == "0" || !text.starts_with('0')) {
        text.parse().map_err(|_| Refused)
    } else {
        Err(Refused)
    }
}

/// Not read here: the full parser reads the block.
#[derive(Debug)]
struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not in the plain subset")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Refused
    }
}

impl Node<'_> {
    /// A plain scalar's text.
    fn plain(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, plain: true } => Some(text),
            _ => None,
        }
    }

    /// What a value is when the type does not say: as yaml_serde resolves
    /// a scalar without a tag (null, boolean, integer, float, string), but
    /// refusing any scalar that might be a number other than decimal
    /// digits.
    fn untyped<'de, V: Visitor<'de>>(&self, visitor: V) -> Result<V::Value, Refused> {
        match self {
            Node::Scalar { text, plain: false } => visitor.visit_str(text),
            Node::Scalar { text, plain: true } => {
                if is_null(text) {
                    return visitor.visit_unit();
                }
                if let Some(b) = boolean(text) {
                    return visitor.visit_bool(b);
                }
                // A scalar that starts with a letter is no number (`inf`
                // and `nan` are one only after a `.`).
                if text.starts_with(|c: char| c.is_alphabetic()) {
                    return visitor.visit_str(text);
                }
                visitor.visit_u64(decimal(text)?)
            }
            Node::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Node::Map(entries) => visitor.visit_map(Entries { entries: entries.iter(), value: None }),
        }
    }
}

struct Items<'n, 'a>(std::slice::Iter<'n, Node<'a>>);

impl<'de> de::SeqAccess<'de> for Items<'_, '_> {
    type Error = Refused;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, Refused> {
        self.0.next().map(|node| seed.deserialize(node)).transpose()
    }
}

struct Entries<'n, 'a> {
    entries: std::slice::Iter<'n, (&'a str, Node<'a>)>,
    value: Option<&'n Node<'a>>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = Refused;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Refused> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        // Keys are letters, digits, `_` and `-`: strings to any reader.
        seed.deserialize(de::value::StrDeserializer::<Refused>::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Refused> {
        seed.deserialize(self.value.take().ok_or(Refused)?)
    }
}

/// Everything a type may ask of a value that this reader does not answer
/// as the full parser would, each method with the arguments it takes
/// before the visitor: refused.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*))*) => {
        $(fn $method<V: Visitor<'de>>(self, $(_: $arg,)* _: V) -> Result<V::Value, Refused> {
            Err(Refused)
        })*
    };
}

impl<'de> de::Deserializer<'de> for &Node<'_> {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.untyped(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_bool(self.plain().and_then(boolean).ok_or(Refused)?)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_i64(decimal(self.plain().ok_or(Refused)?)?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        visitor.visit_u64(decimal(self.plain().ok_or(Refused)?)?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self {
            Node::Scalar { text, .. } => visitor.visit_str(text),
            _ => Err(Refused),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.plain() {
            Some(text) if is_null(text) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self.plain() {
            Some(text) if is_null(text) => visitor.visit_unit(),
            _ => Err(Refused),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self {
            Node::Seq(_) => self.untyped(visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Refused> {
        match self {
            Node::Map(_) => self.untyped(visitor),
            _ => Err(Refused),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Refused> {
        self.deserialize_map(visitor)
    }

    refuse! {
        deserialize_i8() deserialize_i16() deserialize_i128() deserialize_u8() deserialize_u16()
        deserialize_u128() deserialize_f32() deserialize_f64() deserialize_char() deserialize_bytes()
        deserialize_byte_buf() deserialize_ignored_any()
        deserialize_unit_struct(&'static str)
        deserialize_newtype_struct(&'static str)
        deserialize_tuple(usize)
        deserialize_tuple_struct(&'static str, usize)
        deserialize_enum(&'static str, &'static [&'static str])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front_matter::FrontMatter;
    use crate::section::SectionFrontMatter;

    /// Whether the plain reader reads `yaml` as a `T`; when it does, it
    /// must read it as the full parser does.
    fn same_as<T: DeserializeOwned + fmt::Debug>(yaml: &str) -> bool {
        let Some(plain) = from_str::<T>(yaml) else { return false };
        let full = serde_yaml::from_str::<T>(yaml).map(|f| format!("{f:?}")).map_err(|e| e.to_string());
        assert_eq!(Ok(format!("{plain:?}")), full, "{yaml}");
        true
    }

    fn same(yaml: &str) -> bool {
        same_as::<FrontMatter>(yaml)
    }

    #[test]
    fn reads_the_front_matter_pages_write_as_the_full_parser_does() {
        for yaml in [
            "title: Aftercare\n",
            "title: \"List Stage Reference\"\ndescription: \"String filter.\"\ndate: 2023-10-18\nweight: 1\n\
             extra:\n  tags:\n    - concurrency\n    - security\ndraft: false\n",
            "title: 'Risks, and what to do'\nmenu: true\nweight: 20\naliases:\n  - /old/\n  - /older/\n",
            "# a comment\ntitle: Café: no\n\nreviewed: 2026-03-01\nreviewed_by: Dr A. Example\n",
            "title: T\nextra:\n  n: 7\n  yes: true\n  no: null\n  empty:\n  word: inf\n  nested:\n    deeper: x\n",
            "title: T\ncategories:\n  - News\n  - Clinic news\nsummary_note: x\n",
            "title: T\ndescription: ~\nimage: /images/room.jpg\nimage_alt: The treatment room, with a chair\n",
            "title: Risks & \"side effects\" <b>\naliases: [\"/old-risks/\", /legacy/risks.html]\ncategories: []\n",
        ] {
            // The fourth has a colon and a space inside a plain value and
            // the sixth a key pages do not have: the full parser's to read
            // (and refuse); the others are read here.
            let read = same(yaml);
            assert_eq!(read, !yaml.contains("Café: no") && !yaml.contains("summary_note"), "{yaml}");
        }
    }

    #[test]
    fn leaves_to_the_full_parser_what_it_does_not_read_as_it_does() {
        for yaml in [
            "title: \"escaped \\\" quote\"\n",
            "title: [a, b]\n",
            "title: &a T\ndescription: *a\n",
            "title: !!str T\n",
            "title: |\n  two\n  lines\n",
            "title: one\n  more line\n",
            "title: T # comment\n",
            "title: T\nweight: -3\n",
            "title: T\nweight: 010\n",
            "title: T\nweight: 1.5\n",
            "title: T\nweight: +4\n",
            "title: T\nextra:\n  f: 1.5\n",
            "title: T\n\tweight: 1\n",
            "title: T\r\n",
            "title: T\u{2028}U\n",
            "title: T\u{85}U\n",
            "title: T\naliases:\n- /old/\n",
            "title: T\ngallery:\n  - before: a.jpg\n",
            "title: T\ntitle: U\n",
            "title: T\naliases: [\"/a, b/\"]\n",
            "title: T\naliases: [/a/,]\n",
            "title: T\naliases: [a: b]\n",
            "title: T\naliases: [/a/] # old\n",
            "title: T\naliases: [[/a/]]\n",
            "\"title\": T\n",
            "title: T\nunknown: x\n",
            "title: T\nmenu: yes\n",
            "",
            "title: T\n  weight: 1\n",
        ] {
            assert!(!same(yaml), "read here: {yaml:?}");
        }
    }

    #[test]
    fn generated_front_matter_reads_as_the_full_parser_reads_it_or_goes_to_it() {
        // Values and keys that sit on the edges of the subset: numbers in
        // every form, nulls, booleans in and out of YAML's list, quotes,
        // comments, colons, indicators, flow lists, dates, non-ASCII.
        let values = [
            "",
            "~",
            "null",
            "Null",
            "true",
            "FALSE",
            "yes",
            "on",
            "0",
            "7",
            "007",
            "-1",
            "+2",
            "1.5",
            "1e3",
            ".inf",
            "inf",
            "nan",
            "a: b",
            "a #b",
            "a#b",
            "'q'",
            "\"q\"",
            "\"a\\\"b\"",
            "'it''s'",
            "[a, b]",
            "[\"x, y\"]",
            "[]",
            "[ a ,b ]",
            "[a,]",
            "{a: 1}",
            "&x a",
            "*x",
            "!t a",
            "|",
            ">",
            "2024-05-01",
            "2024-13-01",
            "Café",
            "%a",
            "@a",
            "`a`",
            "a:",
            "a :b",
            "- a",
            "?a",
            "C#",
            "x, y",
            "https://example.org/a",
            "a  b  ",
            "\"\"",
            "''",
            "'a\"b'",
            "\"a'b\"",
            "18446744073709551616",
            "9223372036854775808",
            "a\u{2028}b",
            "a\u{85}b",
            "a\u{a0}b",
        ];
        let keys = [
            "title",
            "description",
            "weight",
            "menu",
            "draft",
            "date",
            "aliases",
            "categories",
            "extra",
            "slug",
            "nope",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut read, mut all) = (0, 0);
        for _ in 0..4000 {
            let mut yaml = String::from("title: T\n");
            for _ in 0..next(5) {
                let key = keys[next(keys.len())];
                let indent = " ".repeat(1 + next(3));
                match next(6) {
                    0 => {
                        yaml += &format!("{key}:\n");
                        for _ in 0..1 + next(3) {
                            yaml += &format!("{indent}- {}\n", values[next(values.len())]);
                        }
                    }
                    1 => {
                        yaml += &format!("{key}:\n{indent}k: {}\n{indent}j:\n", values[next(values.len())]);
                        yaml += &format!("{indent}{indent}- {}\n", values[next(values.len())]);
                    }
                    2 => yaml += &format!("# note\n\n{key}: {}\n", values[next(values.len())]),
                    _ => yaml += &format!("{key}: {}\n", values[next(values.len())]),
                }
            }
            all += 1;
            read += usize::from(same(&yaml));
        }
        // Enough of them are read here for the comparison to mean something.
        assert!(read * 10 > all, "{read} of {all} read here");
    }

    #[test]
    fn every_front_matter_of_the_site_and_the_fixtures_reads_as_the_full_parser_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut read, mut all) = (0, 0);
        for entry in walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .chain(walkdir::WalkDir::new(root.join("tests")))
        {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|e| e != "md") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            // The block as the build hands it to the readers.
            let Ok(split) = crate::front_matter::split_front_matter(entry.path(), &text) else { continue };
            let yaml = split.yaml;
            if yaml.trim().is_empty() {
                continue;
            }
            all += 1;
            let section = entry.file_name().to_string_lossy().starts_with("_index");
            let read_here = if section { same_as::<SectionFrontMatter>(yaml) } else { same(yaml) };
            read += usize::from(read_here);
        }
        // Most are in the plain subset; the others were compared by the full
        // parser alone.
        assert!(all > 100 && read * 10 > all * 8, "{read} of {all} read here");
    }
}
