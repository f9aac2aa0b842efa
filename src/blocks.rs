//! Building blocks (issue 13): named blocks a clinic owner writes in
//! markdown, rendered by the theme's Tera components (`templates/blocks.html`).
//!
//! The syntax is remark-directive's and Docusaurus's, at column 0 only:
//! - a container `:::faq` or `:::booking{label="Book"}` ... closed by a line
//!   that is `:::` alone (as many colons as the opening one, so an outer
//!   block with more colons can hold another);
//! - a leaf `::hours` or `::price{name="Consultation" amount=80}` alone on
//!   its line.
//!
//! The parse stage (`scan`, called from the one markdown parse) finds the
//! fence lines outside fenced code, checks their syntax and pairing, and the
//! renderer blanks them and marks where each block's body HTML starts and
//! ends ([`BlockUse`]). The render stage, once the templates are loaded,
//! checks each block against its component's typed arguments (`check`) and
//! puts the rendered components in place of the bodies (`apply`). A body
//! is never a template: `{{` in it stays text.

use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use crate::error::{Diagnostic, did_you_mean};

/// An argument's value as written: `"text"`, `12`, `12.50`, `true`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ArgValue {
    /// A quoted string.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number with a fraction.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
}

impl ArgValue {
    /// The kind of value, as an author would say it.
    fn kind(&self) -> &'static str {
        match self {
            ArgValue::Text(_) => "text",
            ArgValue::Integer(_) => "a whole number",
            ArgValue::Float(_) => "a number",
            ArgValue::Bool(_) => "true or false",
        }
    }
}

/// An argument of a block, with the offset of its name in the page's file.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockArg {
    /// Its name.
    pub key: String,
    /// Its value.
    pub value: ArgValue,
    /// Where its name is written (byte offset in the file).
    pub offset: usize,
}

/// A block placed in a page, as the parse stage found it.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockUse {
    /// The block's (and its component's) name.
    pub name: String,
    /// Its arguments, in order.
    pub args: Vec<BlockArg>,
    /// Where its opening line starts in the file (byte offset).
    pub offset: usize,
    /// Its body's place in the file: from after the opening line to the
    /// start of the closing one (empty for a leaf).
    pub source: Range<usize>,
    /// Its body's HTML in the page's HTML (an empty range where a leaf goes).
    pub html: Range<usize>,
    /// A container (with a body), not a leaf.
    pub container: bool,
}

impl BlockUse {
    /// The value of argument `key`, if given.
    pub fn arg(&self, key: &str) -> Option<&ArgValue> {
        self.args.iter().find(|a| a.key == key).map(|a| &a.value)
    }
}

/// A fence line found by [`scan`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fence {
    /// `:::name{args}` (`colons` >= 3) or `::name{args}` (a leaf).
    Open { name: String, args: Vec<BlockArg>, colons: usize },
    /// `:::` alone.
    Close { colons: usize },
}

/// A fence line, at `line` of the body (body offsets, without the newline).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FenceLine {
    pub(crate) fence: Fence,
    pub(crate) line: Range<usize>,
}

/// Whether `body` may hold a block at all: the fast path of pages without.
pub(crate) fn may_hold_blocks(body: &str) -> bool {
    body.starts_with("::") || body.contains("\n::")
}

/// The fence lines of `body` (which starts at `body_offset` of `text`, the
/// page's file), outside fenced code, and the problems of their syntax.
pub(crate) fn scan(
    file: &Path,
    text: &str,
    body: &str,
    body_offset: usize,
) -> (Vec<FenceLine>, Vec<Diagnostic>) {
    let mut fences = Vec::new();
    let mut problems = Vec::new();
    // The open code fence: its character and length.
    let mut code: Option<(u8, usize)> = None;
    let mut start = 0;
    for raw in body.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let at = start;
        start += raw.len();
        let trimmed = line.trim_start_matches(' ');
        if line.len() - trimmed.len() <= 3 {
            let fence_char = trimmed.bytes().next().filter(|b| *b == b'`' || *b == b'~');
            if let Some(c) = fence_char {
                let run = trimmed.bytes().take_while(|b| *b == c).count();
                if run >= 3 {
                    match code {
                        None => code = Some((c, run)),
                        Some((open, len)) if open == c && run >= len && trimmed[run..].trim().is_empty() => {
                            code = None;
                        }
                        Some(_) => {}
                    }
                    continue;
                }
            }
        }
        if code.is_some() || !line.starts_with("::") {
            continue;
        }
        match parse_fence(line, body_offset + at) {
            Ok(Some(fence)) => fences.push(FenceLine { fence, line: at..at + line.len() }),
            Ok(None) => {}
            Err((column, message, help)) => problems.push(
                Diagnostic::error(file, message).at_offset(text, body_offset + at + column).with_help(help),
            ),
        }
    }
    (fences, problems)
}

/// A fence line's meaning, `None` if it is no fence (`:: text`), or where
/// (column, from 0) and why it is wrong. `offset` is the line's in the file.
fn parse_fence(line: &str, offset: usize) -> Result<Option<Fence>, (usize, String, &'static str)> {
    let colons = line.bytes().take_while(|b| *b == b':').count();
    let rest = &line[colons..];
    if rest.trim().is_empty() {
        return Ok((colons >= 3).then_some(Fence::Close { colons }));
    }
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Ok(None);
    }
    let name_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-').count();
    let name = rest[..name_len].to_string();
    let after = &rest[name_len..];
    let (args, tail) = if let Some(inner) = after.strip_prefix('{') {
        let args_at = colons + name_len + 1;
        let (args, used) =
            parse_args(inner, offset + args_at).map_err(|(c, m)| (args_at + c, m, ARGS_HELP))?;
        (args, &inner[used..])
    } else {
        (Vec::new(), after)
    };
    if !tail.trim().is_empty() {
        let column = line.len() - tail.trim_start().len();
        return Err((
            column,
            format!("unexpected `{}` after block `{name}`", tail.trim()),
            "write a block alone on its line, its arguments in braces: :::name{key=\"value\"}",
        ));
    }
    Ok(Some(Fence::Open { name, args, colons }))
}

const ARGS_HELP: &str =
    "write arguments as key=\"text\", count=3, amount=12.50 or flag=true, separated by spaces";

/// The arguments in `s` (after the `{`) up to its closing `}`, and how many
/// bytes that took (with the `}`); or where (column in `s`) and why not.
/// `offset` is where `s` starts in the file.
fn parse_args(s: &str, offset: usize) -> Result<(Vec<BlockArg>, usize), (usize, String)> {
    let bytes = s.as_bytes();
    let mut args: Vec<BlockArg> = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        match bytes.get(i) {
            None => return Err((i, "the block's arguments have no closing `}`".into())),
            Some(b'}') => return Ok((args, i + 1)),
            _ => {}
        }
        let key_at = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-') {
            i += 1;
        }
        let key = &s[key_at..i];
        if key.is_empty() || !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err((key_at, "expected an argument's name".into()));
        }
        if bytes.get(i) != Some(&b'=') {
            return Err((i, format!("argument `{key}` has no value")));
        }
        i += 1;
        let value = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let mut text = String::new();
                let mut j = i + 1;
                loop {
                    match s[j..].chars().next() {
                        None => return Err((i, format!("the value of `{key}` has no closing quote"))),
                        Some('\\') if s[j + 1..].starts_with(quote as char) => {
                            text.push(quote as char);
                            j += 2;
                        }
                        Some(c) if c == quote as char => break,
                        Some(c) => {
                            text.push(c);
                            j += c.len_utf8();
                        }
                    }
                }
                i = j + 1;
                ArgValue::Text(text)
            }
            _ => {
                let from = i;
                while i < bytes.len() && !matches!(bytes[i], b' ' | b'}') {
                    i += 1;
                }
                let word = &s[from..i];
                match word {
                    "true" => ArgValue::Bool(true),
                    "false" => ArgValue::Bool(false),
                    _ => match (word.parse::<i64>(), word.parse::<f64>()) {
                        (Ok(n), _) => ArgValue::Integer(n),
                        (_, Ok(x))
                            if x.is_finite()
                                && word.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') =>
                        {
                            ArgValue::Float(x)
                        }
                        _ => {
                            return Err((
                                from,
                                format!("`{word}` is no value: quote text, e.g. {key}=\"{word}\""),
                            ));
                        }
                    },
                }
            }
        };
        if args.iter().any(|a| a.key == key) {
            return Err((key_at, format!("argument `{key}` is given twice")));
        }
        args.push(BlockArg { key: key.to_string(), value, offset: offset + key_at });
        if !matches!(bytes.get(i), Some(b' ' | b'}')) {
            return Err((i, "expected a space or `}` after an argument".into()));
        }
    }
}

/// Pairs the fence lines into blocks: for each fence line, the number of the
/// block it opens or closes, and the blocks (their `html` still empty).
/// Stray closing fences and unclosed containers are problems.
pub(crate) fn pair(
    file: &Path,
    text: &str,
    body_offset: usize,
    fences: &[FenceLine],
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Option<usize>>, Vec<BlockUse>) {
    let mut blocks: Vec<BlockUse> = Vec::new();
    let mut of_line = Vec::with_capacity(fences.len());
    let mut open: Vec<(usize, usize)> = Vec::new();
    for f in fences {
        match &f.fence {
            Fence::Open { name, args, colons } => {
                let container = *colons >= 3;
                let after = body_offset + (f.line.end + 1).min(text.len() - body_offset);
                blocks.push(BlockUse {
                    name: name.clone(),
                    args: args.clone(),
                    offset: body_offset + f.line.start,
                    source: after..after,
                    html: 0..0,
                    container,
                });
                if container {
                    open.push((blocks.len() - 1, *colons));
                }
                of_line.push(Some(blocks.len() - 1));
            }
            Fence::Close { colons } => {
                match open.last() {
                    Some(&(b, c)) if c == *colons => {
                        open.pop();
                        blocks[b].source.end = body_offset + f.line.start;
                        of_line.push(Some(b));
                    }
                    last => {
                        let help = match last {
                        Some(&(b, c)) => format!(
                            "block `{}` is closed by {}; this line closes nothing",
                            blocks[b].name,
                            ":".repeat(c)
                        ),
                        None => "no block is open here: remove the line, or open a block above it with :::name".into(),
                    };
                        problems.push(
                            Diagnostic::error(file, "closing fence without an open block")
                                .at_offset(text, body_offset + f.line.start)
                                .with_help(help),
                        );
                        of_line.push(None);
                    }
                }
            }
        }
    }
    for (b, colons) in open {
        problems.push(
            Diagnostic::error(file, format!("block `{}` is never closed", blocks[b].name))
                .at_offset(text, blocks[b].offset)
                .with_help(format!("end it with a line that is `{}` alone", ":".repeat(colons))),
        );
    }
    (of_line, blocks)
}

/// Checks every block of a page (in `file`, whose text is `text`, its body
/// HTML `html`) against
/// its component in `tera`: the block exists, its arguments are known, of
/// the declared type, and the required ones are given; then what the
/// blocks need of site.yaml.
pub(crate) fn check(
    tera: &tera::Tera,
    config: &crate::config::SiteConfig,
    file: &Path,
    text: &str,
    html: &str,
    blocks: &[BlockUse],
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let names: Vec<&str> = {
        let mut n: Vec<&str> = tera.get_component_names().collect();
        n.sort_unstable();
        n
    };
    for block in blocks {
        let at = |d: Diagnostic| d.at_offset(text, block.offset);
        let Some(info) = tera.get_component_definition(&block.name) else {
            let d = at(Diagnostic::error(file, format!("unknown block `{}`", block.name)));
            problems.push(match did_you_mean(&block.name, &names) {
                Some(near) => d.with_help(format!("did you mean `{near}`?")),
                None => d.with_help(format!("the theme's blocks are: {}", names.join(", "))),
            });
            continue;
        };
        let declared: Vec<&str> = info.args().iter().filter(|a| !a.is_implicit()).map(|a| a.name()).collect();
        for arg in &block.args {
            let Some(spec) = info.args().iter().find(|a| a.name() == arg.key && !a.is_implicit()) else {
                if info.rest_param().is_some() {
                    continue;
                }
                let d =
                    Diagnostic::error(file, format!("block `{}` has no argument `{}`", block.name, arg.key))
                        .at_offset(text, arg.offset);
                problems.push(match did_you_mean(&arg.key, &declared) {
                    Some(near) => d.with_help(format!("did you mean `{near}`?")),
                    None if declared.is_empty() => {
                        d.with_help(format!("`{}` takes no arguments", block.name))
                    }
                    None => d.with_help(format!("its arguments are: {}", declared.join(", "))),
                });
                continue;
            };
            if let Some(wanted) = spec.arg_type()
                && !fits(&arg.value, wanted)
            {
                problems.push(
                    Diagnostic::error(
                        file,
                        format!(
                            "argument `{}` of block `{}` must be {}, not {}",
                            arg.key,
                            block.name,
                            type_words(wanted),
                            arg.value.kind()
                        ),
                    )
                    .at_offset(text, arg.offset)
                    .with_help(type_help(&arg.key, wanted)),
                );
            }
        }
        for spec in info.args().iter().filter(|a| a.is_required() && a.name() != "body") {
            if block.arg(spec.name()).is_none() {
                problems.push(
                    at(Diagnostic::error(
                        file,
                        format!("block `{}` needs the argument `{}`", block.name, spec.name()),
                    ))
                    .with_help(format!(
                        "add it in braces: {}{{{}=...}}",
                        fence_of(block),
                        spec.name()
                    )),
                );
            }
        }
        let in_prices = || blocks.iter().any(|p| p.name == "prices" && p.source.contains(&block.offset));
        if block.name == "price" && !in_prices() {
            problems.push(
                at(Diagnostic::error(file, "block `price` is outside a price list"))
                    .with_help("put the ::price lines between :::prices and :::"),
            );
        }
        if let Some(d) = needs(block, html, config) {
            problems.push(at(Diagnostic::error(file, d.0)).with_help(d.1));
        }
    }
    problems
}

/// `:::name` or `::name`, as the block was opened.
fn fence_of(block: &BlockUse) -> String {
    format!("{}{}", if block.container { ":::" } else { "::" }, block.name)
}

/// What a shipped block needs that it lacks (site.yaml settings, its own
/// content), as a message and a help: the theme cannot say it in a type.
fn needs(block: &BlockUse, html: &str, config: &crate::config::SiteConfig) -> Option<(String, String)> {
    let clinic = &config.clinic;
    match block.name.as_str() {
        "faq" if faq_entries(&html[block.html.clone()]).is_empty() => Some((
            "block `faq` holds no question".into(),
            "write each question as a heading inside it (### How long does it take?), its answer below".into(),
        )),
        "booking" if clinic.booking_url.is_empty() && clinic.phone.is_empty() => Some((
            "block `booking` has nowhere to send patients: site.yaml sets neither `clinic.booking_url` nor `clinic.phone`".into(),
            "add clinic.booking_url (the booking page's address) or clinic.phone to site.yaml".into(),
        )),
        "hours" if clinic.opening_hours.is_empty() => Some((
            "block `hours` has no opening hours to show: site.yaml has no `clinic.opening_hours`".into(),
            "add clinic.opening_hours to site.yaml, e.g. - days: Monday to Friday, opens: \"09:00\", closes: \"17:30\"".into(),
        )),
        "location" if clinic.address.street.is_empty() && clinic.address.locality.is_empty() => Some((
            "block `location` has no address to show: site.yaml has no `clinic.address`".into(),
            "add clinic.address (street, locality, postal_code, country) to site.yaml".into(),
        )),
        "price" if config.currency.is_empty() => Some((
            "block `price` has no currency: site.yaml has no `currency`".into(),
            "add the currency's ISO 4217 code to site.yaml, e.g. currency: GBP".into(),
        )),
        "practitioner" => {
            let Some(ArgValue::Text(id)) = block.arg("person") else { return None };
            if config.people.contains_key(id) {
                return None;
            }
            let known: Vec<&str> = config.people.keys().map(String::as_str).collect();
            Some((
                format!("block `practitioner` names `{id}`, who is not in site.yaml's `people`"),
                match did_you_mean(id, &known) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "add them under `people:` in site.yaml, or name one who is there".into(),
                },
            ))
        }
        _ => None,
    }
}

/// The questions (headings) of an FAQ's body HTML, each with its answer
/// (the text up to the next heading), as plain text.
pub(crate) fn faq_entries(body: &str) -> Vec<(String, String)> {
    use crate::html::{Node, scan, text_between, until_end};
    // A citation's or footnote's number is no part of an answer's words.
    let body = &without_markers(body);
    let nodes = scan(body);
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut answer_from = None;
    let mut i = 0;
    while i < nodes.len() {
        if let Node::Start(tag) = &nodes[i]
            && tag.heading_level().is_some()
        {
            if let (Some(from), Some(last)) = (answer_from, entries.last_mut()) {
                last.1 = text_between(body, &nodes[from..i]);
            }
            let inner = until_end(&nodes, i, &tag.name);
            // Without the theme's `#` anchor link.
            let anchor =
                inner.iter().position(|n| matches!(n, Node::Start(t) if t.attr("class") == Some("anchor")));
            entries.push((text_between(body, &inner[..anchor.unwrap_or(inner.len())]), String::new()));
            i += inner.len() + 2;
            answer_from = Some(i.min(nodes.len()));
            continue;
        }
        i += 1;
    }
    if let (Some(from), Some(last)) = (answer_from, entries.last_mut()) {
        last.1 = text_between(body, &nodes[from..]);
    }
    entries
}

/// `html` without the citation links (`<a class="citation" ...>1</a>`) and
/// footnote references (`<sup class="footnote-reference">...</sup>`) the
/// parse stage writes: their numbers are not text.
fn without_markers(html: &str) -> std::borrow::Cow<'_, str> {
    const MARKERS: [(&str, &str); 2] =
        [("<a class=\"citation\"", "</a>"), ("<sup class=\"footnote-reference\"", "</sup>")];
    if !MARKERS.iter().any(|(open, _)| html.contains(open)) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = html.to_string();
    for (open, close) in MARKERS {
        while let Some(start) = out.find(open) {
            let end = out[start..].find(close).map_or(out.len(), |e| start + e + close.len());
            out.replace_range(start..end, "");
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `value` may be passed where `wanted` is declared.
fn fits(value: &ArgValue, wanted: tera::ComponentArgType) -> bool {
    use tera::ComponentArgType as T;
    matches!(
        (value, wanted),
        (ArgValue::Text(_), T::String)
            | (ArgValue::Bool(_), T::Bool)
            | (ArgValue::Integer(_), T::Integer | T::Number)
            | (ArgValue::Float(_), T::Float | T::Number)
    )
}

fn type_words(t: tera::ComponentArgType) -> &'static str {
    use tera::ComponentArgType as T;
    match t {
        T::String => "text",
        T::Bool => "true or false",
        T::Integer => "a whole number",
        T::Float | T::Number => "a number",
        T::Array => "a list",
        T::Map => "a map",
        T::Bytes => "bytes",
        _ => "another kind of value",
    }
}

fn type_help(key: &str, t: tera::ComponentArgType) -> String {
    use tera::ComponentArgType as T;
    match t {
        T::String => format!("quote it: {key}=\"...\""),
        T::Bool => format!("write {key}=true or {key}=false, without quotes"),
        T::Integer => format!("write digits without quotes, e.g. {key}=3"),
        _ => format!("write a number without quotes, e.g. {key}=12.50"),
    }
}

/// `html` with each of `blocks` (which [`check`] accepted) rendered by its
/// component in place of its body. Blocks inside a container are rendered
/// first and passed in its `body`.
/// `implicits` holds what components may declare as implicit arguments
/// (`@site`): Tera's global context does not reach components.
pub(crate) fn apply(
    tera: &tera::Tera,
    implicits: &tera::Context,
    html: &str,
    blocks: &[BlockUse],
) -> Result<String, tera::Error> {
    if blocks.is_empty() {
        return Ok(html.to_string());
    }
    let mut out = String::with_capacity(html.len() + blocks.len() * 256);
    render_range((tera, implicits), html, 0..html.len(), blocks, &mut out)?;
    Ok(out)
}

/// Writes `html[range]` to `out` with the blocks in it rendered; `blocks`
/// are those that start in `range`, in order.
fn render_range(
    (tera, implicits): (&tera::Tera, &tera::Context),
    html: &str,
    range: Range<usize>,
    blocks: &[BlockUse],
    out: &mut String,
) -> Result<(), tera::Error> {
    let mut last = range.start;
    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        // Those inside it follow it.
        let inner =
            blocks[i + 1..].iter().take_while(|b| block.container && b.offset < block.source.end).count();
        out.push_str(&html[last..block.html.start]);
        let body = if block.container {
            let mut body = String::with_capacity(block.html.len());
            render_range(
                (tera, implicits),
                html,
                block.html.clone(),
                &blocks[i + 1..i + 1 + inner],
                &mut body,
            )?;
            Some(body)
        } else {
            None
        };
        let mut args = tera::Context::new();
        for arg in &block.args {
            args.insert(arg.key.clone(), &arg.value);
        }
        out.push_str(&tera.render_component_with_implicits(
            &block.name,
            &args,
            implicits,
            body.as_deref(),
            true,
        )?);
        last = block.html.end;
        i += 1 + inner;
    }
    out.push_str(&html[last..range.end]);
    Ok(())
}

/// The Tera filter `amount`: a price as written on a price list, with
/// thousands grouped and pence or cents shown when there are any
/// (`1200` -> `1,200`, `12.5` -> `12.50`).
pub(crate) fn amount(value: f64, _: tera::Kwargs, _: &tera::State) -> String {
    let cents = (value * 100.0).round() as i64;
    let (whole, part) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    if part == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped}.{part:02}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faq_answers_leave_out_citation_and_footnote_numbers() {
        let body = "<h3 id=\"q\">Does it hurt?</h3>\n<p>Most people feel some discomfort<a class=\"citation\" href=\"#ref-x\"><sup>1</sup></a>.<sup class=\"footnote-reference\"><a href=\"#a\">2</a></sup></p>\n";
        assert_eq!(
            faq_entries(body),
            [("Does it hurt?".to_string(), "Most people feel some discomfort.".to_string())]
        );
    }
}
