//! `init`'s questions, and the checks its answers and flags share.
//!
//! Each answer is checked by the function that checks the same setting in
//! site.yaml ([`crate::config`]), so an answer `init` takes is one the
//! site loads. A question shows its default in brackets; an empty answer
//! takes it. A wrong answer is asked again, with the reason.
//! The questions read and write through the given reader and writer (the
//! library never prints): `main` passes the terminal.

use std::io::{self, BufRead, Write};

use crate::config::Host;
use crate::scaffold::{Answers, DEFAULT_HOST, DEFAULT_LANGUAGE, country_of, default_name};

/// Text shown on the site: not empty, no control characters.
pub fn check_text(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("it is empty".to_string());
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(format!("it contains an invisible character ({})", c.escape_unicode()));
    }
    Ok(text.to_string())
}

/// A phone number that makes a working `tel:` link.
pub fn check_phone(phone: &str) -> Result<String, String> {
    let phone = check_text(phone)?;
    crate::config::phone_href(&phone).map(|_| phone).map_err(|problem| {
        format!("{problem}; write digits and spaces with a leading +, such as +44 20 7946 0000")
    })
}

/// The address of a web page (the booking page).
pub fn check_web_address(url: &str) -> Result<String, String> {
    let url = url.trim();
    match crate::config::web_address_problem(url) {
        _ if url.is_empty() => Err("it is empty".to_string()),
        Some(problem) => {
            Err(format!("it {problem}; write the whole address, such as https://book.example.com/"))
        }
        None => Ok(url.to_string()),
    }
}

/// The site's own address, as site.yaml's `base_url` takes it.
pub fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    match crate::config::base_url_problem(url) {
        Some(problem) => {
            Err(format!("{problem}; write the whole address, such as https://www.yourclinic.com/"))
        }
        None => Ok(url.to_string()),
    }
}

/// A language code (BCP 47), as `<html lang>` takes it.
pub fn check_language(tag: &str) -> Result<String, String> {
    let tag = tag.trim();
    if crate::config::is_language_tag(tag) {
        Ok(tag.to_string())
    } else {
        Err(format!("`{tag}` is not a language code; write one such as en-GB, en-US or de"))
    }
}

/// A host by its name (`netlify`) or, in the questions, its number.
pub fn check_host(name: &str) -> Result<Host, String> {
    let name = name.trim();
    let by_number =
        name.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| Host::ALL.get(i).copied());
    by_number.or_else(|| Host::from_name(name)).ok_or_else(|| {
        let names: Vec<&str> = Host::ALL.iter().map(|h| h.name()).collect();
        format!("`{name}` is not one of the hosts; choose one of {}", names.join(", "))
    })
}

/// A question's answer when it is left empty.
enum Default {
    /// This value.
    Value(String),
    /// Nothing: the site gets a placeholder to fill in later.
    Later,
}

/// Asks for each answer `answers` does not have yet, in the order a
/// clinic would give them; `folder_name` gives the default clinic name.
/// Stops with [`io::ErrorKind::UnexpectedEof`] when the input ends before
/// the last answer.
pub fn ask_missing(
    answers: &mut Answers,
    folder_name: &str,
    input: &mut impl BufRead,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut q = Questions { input, out };
    writeln!(q.out, "A few questions about the clinic. Press Enter to take the answer in [brackets].")?;
    writeln!(q.out, "You can change every answer later in site.yaml.\n")?;
    if answers.name.is_none() {
        answers.name = q.ask("Clinic name", Default::Value(default_name(folder_name)), check_text)?;
    }
    if answers.language.is_none() {
        let default = Default::Value(DEFAULT_LANGUAGE.to_string());
        answers.language =
            q.ask("Language of the site (a code such as en-GB or de)", default, check_language)?;
    }
    if answers.phone.is_none() {
        answers.phone =
            q.ask("Phone number (with the country code, such as +44)", Default::Later, check_phone)?;
    }
    if answers.street.is_none() {
        answers.street = q.ask("Address: house number and street", Default::Later, check_text)?;
    }
    if answers.town.is_none() {
        answers.town = q.ask("Address: town or city", Default::Later, check_text)?;
    }
    if answers.postcode.is_none() {
        answers.postcode = q.ask("Address: postcode", Default::Later, check_text)?;
    }
    if answers.country.is_none() {
        let language = answers.language.as_deref().unwrap_or(DEFAULT_LANGUAGE);
        let default = country_of(language).map_or(Default::Later, |c| Default::Value(c.to_string()));
        answers.country = q.ask("Address: country", default, check_text)?;
    }
    if answers.booking_url.is_none() {
        answers.booking_url =
            q.ask("Online booking page (its whole address, https://...)", Default::Later, check_web_address)?;
    }
    if answers.host.is_none() {
        writeln!(q.out, "Where will the site be published?")?;
        for (i, host) in Host::ALL.iter().enumerate() {
            writeln!(q.out, "  {}. {} ({})", i + 1, host.title(), host.name())?;
        }
        let default = Default::Value(DEFAULT_HOST.name().to_string());
        let host = q.ask("Host (a number or a name)", default, check_host)?;
        answers.host = host.or(Some(DEFAULT_HOST));
    }
    writeln!(q.out)?;
    Ok(())
}

struct Questions<'a, R, W> {
    input: &'a mut R,
    out: &'a mut W,
}

impl<R: BufRead, W: Write> Questions<'_, R, W> {
    /// Asks until the answer passes `check`; `None` when it is left empty
    /// and the default is to fill it in later.
    fn ask<T>(
        &mut self,
        question: &str,
        default: Default,
        check: fn(&str) -> Result<T, String>,
    ) -> io::Result<Option<T>> {
        let shown = match &default {
            Default::Value(v) => v.clone(),
            Default::Later => "leave empty to fill in later".to_string(),
        };
        loop {
            write!(self.out, "{question} [{shown}]: ")?;
            self.out.flush()?;
            let mut line = String::new();
            if self.input.read_line(&mut line)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("no answer to \"{question}\""),
                ));
            }
            let answer = line.trim();
            let answer = match (answer.is_empty(), &default) {
                (true, Default::Later) => return Ok(None),
                (true, Default::Value(v)) => v.as_str(),
                (false, _) => answer,
            };
            match check(answer) {
                Ok(value) => return Ok(Some(value)),
                Err(reason) => writeln!(self.out, "  That cannot be used: {reason}. Please try again.")?,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(input: &str, answers: &mut Answers) -> (io::Result<()>, String) {
        let mut out = Vec::new();
        let result = ask_missing(answers, "smith-clinic", &mut input.as_bytes(), &mut out);
        (result, String::from_utf8(out).unwrap())
    }

    #[test]
    fn empty_answers_take_the_defaults() {
        let mut answers = Answers::default();
        let (result, out) = ask("\n\n\n\n\n\n\n\n\n", &mut answers);
        result.unwrap();
        assert_eq!(answers.name.as_deref(), Some("Smith Clinic"));
        assert_eq!(answers.language.as_deref(), Some("en-GB"));
        assert_eq!(answers.country.as_deref(), Some("United Kingdom"));
        assert_eq!((answers.phone, answers.street, answers.booking_url), (None, None, None));
        assert_eq!(answers.host, Some(Host::GithubPages));
        assert!(out.contains("Clinic name [Smith Clinic]: "), "{out}");
    }

    #[test]
    fn a_wrong_answer_is_asked_again_with_the_reason() {
        let mut answers =
            Answers { name: Some("A".into()), language: Some("de".into()), ..Answers::default() };
        let input = "0800 FLOWERS\n+49 30 1234567\nHauptstr. 1\nBerlin\n10115\n\nbook.example.com\nhttps://book.example.com/\n9\n2\n";
        let (result, out) = ask(input, &mut answers);
        result.unwrap();
        assert_eq!(answers.phone.as_deref(), Some("+49 30 1234567"));
        assert_eq!(answers.country, None, "no default country for `de`");
        assert_eq!(answers.booking_url.as_deref(), Some("https://book.example.com/"));
        assert_eq!(answers.host, Some(Host::Netlify));
        assert!(!out.contains("Clinic name"), "{out}");
        assert_eq!(out.matches("That cannot be used").count(), 3, "{out}");
        assert!(out.contains("cannot be dialled from a link"), "{out}");
        assert!(out.contains("is not one of the hosts"), "{out}");
    }

    #[test]
    fn input_that_ends_early_stops() {
        let (result, _) = ask("Smith\n", &mut Answers::default());
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn checks_say_why() {
        assert!(check_text(" \t").is_err());
        assert!(check_text("a\u{7}b").unwrap_err().contains("invisible"));
        assert_eq!(check_language("en-GB").unwrap(), "en-GB");
        assert!(check_language("en_GB").is_err());
        assert!(check_base_url("example.org").is_err());
        assert_eq!(check_host("3"), Ok(Host::CloudflarePages));
        assert!(check_host("0").is_err());
    }
}
