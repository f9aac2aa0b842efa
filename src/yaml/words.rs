//! Serde's type errors ("invalid type: string \"yes\", expected a boolean")
//! in words a clinic owner can act on: what the key needs, what was written,
//! and an example line to copy.

/// The message and help for a value of the wrong kind under `key`, if
/// `message` is a serde type error this knows.
pub(super) fn wrong_value(message: &str, key: &str) -> Option<(String, String)> {
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (found, expected) = rest.split_once("`, expected ")?;
        let choices: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let list = choices.join(", ");
        let example = choices.first().map_or_else(String::new, |c| format!(": {key}: {c}"));
        return Some((
            format!("`{key}` must be one of {list}, not `{found}`"),
            format!("write one of the names exactly as listed{example}"),
        ));
    }
    let rest = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let found = found_in_words(found);
    let (kind, help) = expected_in_words(expected, key)?;
    Some((format!("`{key}` must be {kind}, not {found}"), help))
}

/// A message of the value's own type under `key` (a date that does not
/// exist: "`2024-13-01` is not a real date: month 13 does not exist"), with
/// the key in front and its "write it as ..." advice as the help.
pub(super) fn own_message(message: &str, key: &str) -> Option<(String, Option<String>)> {
    const SERDE: [&str; 6] = [
        "unknown field",
        "missing field",
        "invalid type",
        "invalid value",
        "invalid length",
        "unknown variant",
    ];
    if SERDE.iter().any(|p| message.starts_with(p)) || message.contains("limit exceeded") {
        return None;
    }
    Some(match message.split_once(": write ") {
        Some((what, advice)) => (format!("`{key}`: {what}"), Some(format!("write {advice}"))),
        None => (format!("`{key}`: {message}"), None),
    })
}

/// `string "yes"` -> `` `yes` ``; `sequence` -> `a list`.
fn found_in_words(found: &str) -> String {
    if let Some(s) = found.strip_prefix("string ") {
        return format!("`{}`", s.trim_matches('"'));
    }
    for prefix in ["integer ", "floating point ", "boolean "] {
        if let Some(v) = found.strip_prefix(prefix) {
            let v = v.split(" as ").next().unwrap_or(v).trim_matches('`');
            return format!("`{v}`");
        }
    }
    match found {
        "sequence" => "a list".to_string(),
        "map" => "a group of settings".to_string(),
        "unit value" => "nothing".to_string(),
        other => other.to_string(),
    }
}

/// What serde expected, in words, and a help line with an example.
fn expected_in_words(expected: &str, key: &str) -> Option<(&'static str, String)> {
    let whole = |n: &str| n.starts_with('i') && n[1..].parse::<u8>().is_ok() || n == "isize";
    let counting = |n: &str| n.starts_with('u') && n[1..].parse::<u8>().is_ok() || n == "usize";
    Some(match expected {
        "a boolean" => {
            ("`true` or `false`", format!("write `{key}: true` or `{key}: false` (not yes/no or on/off)"))
        }
        n if whole(n) => {
            ("a whole number", format!("write a whole number without quotes or units, such as `{key}: 3`"))
        }
        n if counting(n) => (
            "a whole number of 0 or more",
            format!("write a whole number of 0 or more, without quotes or units, such as `{key}: 12`"),
        ),
        "f32" | "f64" => {
            ("a number", format!("write a number such as `{key}: 8` or `{key}: 7.5`, without quotes"))
        }
        "a string" | "a borrowed string" | "a character" => (
            "text",
            format!(
                "write the text after the colon; if it starts with `[`, `{{` or `-`, put it in quotes: {key}: \"...\""
            ),
        ),
        "a sequence" => (
            "a list",
            format!(
                "write the items in brackets, `{key}: [\"first\", \"second\"]`, or one per line below `{key}:`, each starting with `- `"
            ),
        ),
        e if e == "a map" || e.starts_with("struct ") => (
            "a group of settings",
            format!("write the settings it holds on the lines below `{key}:`, each indented by two spaces"),
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_said_in_words() {
        let cases = [
            (
                "invalid type: string \"yes\", expected a boolean",
                "menu",
                "`menu` must be `true` or `false`, not `yes`",
            ),
            (
                "invalid type: string \"first\", expected i64",
                "weight",
                "`weight` must be a whole number, not `first`",
            ),
            (
                "invalid type: floating point `1.5`, expected i64",
                "weight",
                "`weight` must be a whole number, not `1.5`",
            ),
            (
                "invalid type: integer `99` as u128, expected i64",
                "weight",
                "`weight` must be a whole number, not `99`",
            ),
            (
                "invalid value: integer `-1`, expected u32",
                "months",
                "`months` must be a whole number of 0 or more, not `-1`",
            ),
            ("invalid type: string \"hard\", expected f64", "grade", "`grade` must be a number, not `hard`"),
            ("invalid type: sequence, expected a string", "title", "`title` must be text, not a list"),
            (
                "invalid type: string \"/old/\", expected a sequence",
                "aliases",
                "`aliases` must be a list, not `/old/`",
            ),
            (
                "invalid type: integer `3`, expected a map",
                "extra",
                "`extra` must be a group of settings, not `3`",
            ),
            (
                "invalid type: integer `3`, expected struct Procedure",
                "procedure",
                "`procedure` must be a group of settings, not `3`",
            ),
            (
                "invalid type: unit value, expected i64",
                "weight",
                "`weight` must be a whole number, not nothing",
            ),
            (
                "unknown variant `mla`, expected one of `ama`, `apa`, `vancouver`",
                "citation_style",
                "`citation_style` must be one of ama, apa, vancouver, not `mla`",
            ),
        ];
        for (serde, key, ours) in cases {
            let (message, help) = wrong_value(serde, key).unwrap_or_else(|| panic!("{serde}"));
            assert_eq!(message, ours);
            assert!(help.contains(key) || help.contains("write"), "{help}");
            assert!(!message.contains("i64") && !message.contains("expected"), "{message}");
        }
        assert!(wrong_value("something else", "x").is_none());
        assert_eq!(
            own_message("`soon` is not a date: write it as YYYY-MM-DD", "date"),
            Some(("`date`: `soon` is not a date".to_string(), Some("write it as YYYY-MM-DD".to_string())))
        );
        assert!(own_message("unknown field `x`, expected `y`", "x").is_none());
    }
}
