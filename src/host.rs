//! Host files: what a static host needs besides the pages (issue 12).
//!
//! `hosts:` in site.yaml says where the site is published. Netlify and
//! Cloudflare Pages read two files from the output folder, which `build`
//! writes as render units: `_headers` ([`render_headers`]: the
//! Content-Security-Policy computed from the built pages, HSTS and the other
//! security headers, and year-long caching for fingerprinted files) and
//! `_redirects` ([`render_redirects`]: every alias as an explicit `301`,
//! since Cloudflare's default is `302`). GitHub Pages and other hosts
//! cannot send headers, so each page carries its own policy in a
//! `<meta http-equiv>` instead ([`csp::MetaTags`]), and aliases stay
//! small pages that forward visitors.
//!
//! With no `hosts:` the host is not known, so the build is one that is
//! right on all of them: both files, the policy in each page too (a page
//! then has two policies, both satisfied, since the header's allows every
//! page's hashes and the meta's allows the page's own), and the alias pages.
//!
//! Stylesheets and scripts are published under names that hold a hash of
//! their contents as well ([`assets`]), so `_headers` can let browsers keep
//! them for a year: a changed file gets a new name.
//!
//! Rendering the `_headers` unit needs what the other units wrote (their
//! inline code), so the pipeline renders it after them ([`crate::render::Unit::after_others`]).

pub mod assets;
pub mod csp;
mod sha256;

use std::path::Path;

use crate::config::{Host, SiteConfig};
use crate::site::Site;
use crate::url::base_path;
use csp::{Delivery, Inline, Policy};

/// The file of header rules Netlify and Cloudflare Pages read.
pub const HEADERS: &str = "_headers";
/// The file of redirect rules Netlify and Cloudflare Pages read.
pub const REDIRECTS: &str = "_redirects";

/// `Cache-Control` of files whose name changes with their contents.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// What the site's hosts need from a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostFiles {
    /// `_headers` and `_redirects` (Netlify, Cloudflare Pages).
    pub rule_files: bool,
    /// The policy in each page's `<meta http-equiv>` (hosts without headers).
    pub meta_policy: bool,
    /// Alias pages that forward visitors (hosts without redirect rules).
    /// Left out when every host reads `_redirects`: Netlify does not apply a
    /// redirect whose address has a file ("shadowing"), so the page would
    /// answer instead of the `301`.
    pub alias_pages: bool,
}

impl HostFiles {
    /// What the hosts of `config` need; every kind of file when it names none.
    pub fn of(config: &SiteConfig) -> HostFiles {
        let hosts = &config.hosts;
        let rules = |h: &Host| matches!(h, Host::Netlify | Host::CloudflarePages);
        let without_rules = hosts.is_empty() || hosts.iter().any(|h| !rules(h));
        HostFiles {
            rule_files: hosts.is_empty() || hosts.iter().any(rules),
            meta_policy: without_rules,
            alias_pages: without_rules,
        }
    }
}

/// The site's `_headers`: the security headers for every address, with the
/// Content-Security-Policy allowing `inline`, the inline code of every
/// page; year-long caching for every fingerprinted file and image variant.
///
/// HTML gets no `Cache-Control` rule: both hosts join the values of rules
/// that match one address, so a `no-cache` for every address would reach
/// the fingerprinted files too, and both already send HTML with
/// `max-age=0, must-revalidate` (checked again on every visit).
/// A language on its own domain (`domain` > 0) has its own, from its top.
pub fn render_headers(site: &Site, inline: &Inline, domain: usize) -> String {
    let base = base_path(&site.domains.all()[domain].base_url);
    let policy = Policy::new(&site.config, inline).text(Delivery::Header);
    let mut out = format!(
        "# HTTP headers for Netlify and Cloudflare Pages, written by `dotwork build`.\n\
         # The Content-Security-Policy is computed from the built pages: it allows\n\
         # their inline code by hash and the origins in allow_origins (site.yaml).\n\
         {base}*\n"
    );
    for (name, value) in security_headers(&policy) {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push_str("\n# Files whose names change with their contents: kept for a year.\n");
    let mut fingerprinted: Vec<&str> = site.asset_names.fingerprinted().collect();
    fingerprinted.sort_unstable();
    for name in fingerprinted {
        out.push_str(&format!("{base}{name}\n  Cache-Control: {IMMUTABLE}\n"));
    }
    out.push_str(&format!("{base}{}/*\n  Cache-Control: {IMMUTABLE}\n", crate::image::VARIANT_FOLDER));
    out
}

/// The headers every address gets, with the policy `policy`.
fn security_headers(policy: &str) -> [(&'static str, String); 6] {
    [
        ("Content-Security-Policy", policy.to_string()),
        // One year (Mozilla's Observatory asks for at least six months).
        // Not includeSubDomains: the clinic's other addresses may not all have HTTPS.
        ("Strict-Transport-Security", "max-age=31536000".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        // For browsers that predate `frame-ancestors`.
        ("X-Frame-Options", "DENY".to_string()),
        ("Referrer-Policy", "strict-origin-when-cross-origin".to_string()),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()".to_string()),
    ]
}

/// The site's `_redirects`: each alias, and each paginated section's
/// `page/1/`, as a permanent redirect to its page, the `301` written out
/// (Cloudflare Pages would answer `302` without it). An address that ends
/// in `/` is written without it too, since hosts may not match one with the other.
///
/// Each domain has its own (`domain`, see `domains.rs`): the old addresses
/// on it, each to its page there or, on another domain, its absolute URL.
pub fn render_redirects(site: &Site, domain: usize) -> String {
    let domains = &site.domains;
    let base = base_path(&domains.all()[domain].base_url);
    let target = |to: &str| domains.from_base(domains.all()[domain].lang, to);
    let here = |out: &str| domains.of(&format!("/{out}")) == domain;
    let mut out = String::from(
        "# Permanent redirects for Netlify and Cloudflare Pages, written by `dotwork build`:\n\
         # each page's aliases (front matter `aliases:`).\n",
    );
    let aliases = site
        .aliases
        .iter()
        .map(|(out, page)| (out.as_path(), site.pages[*page].path.as_str()))
        .filter(|(out, _)| here(&out.to_string_lossy()));
    let listings = site
        .sections
        .iter()
        .filter(|s| !s.pagers[0].redirect_from.is_empty())
        .map(|s| (s.pagers[0].redirect_from[0].as_str(), s.pagers[0].path.as_str()))
        .filter(|(from, _)| here(from.trim_start_matches('/')));
    let mut rules: Vec<(String, String)> = Vec::new();
    for (from, to) in aliases {
        let to = target(to);
        let from = output_address(from);
        let from = domains.local(&format!("/{from}"))[1..].to_string();
        if let Some(bare) = from.strip_suffix('/').filter(|b| !b.is_empty()) {
            rules.push((format!("{base}{bare}"), to.clone()));
        }
        rules.push((format!("{base}{from}"), to));
    }
    for (from, to) in listings {
        let from = &domains.local(from)[1..];
        rules.push((format!("{base}{}", from.trim_end_matches('/')), target(to)));
        rules.push((format!("{base}{from}"), target(to)));
    }
    rules.sort();
    rules.dedup();
    for (from, to) in rules {
        out.push_str(&format!("{from} {to} 301\n"));
    }
    out
}

/// The address of an output file, from the site's top without its `/`:
/// `old/index.html` -> `old/`, `old.html` -> `old.html`.
fn output_address(out: &Path) -> String {
    let out = crate::url::slash_path(out);
    match out.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir.to_string(),
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(list: &str) -> HostFiles {
        let text = format!("title: T\nbase_url: https://example.org/\nhosts: [{list}]\n");
        HostFiles::of(&crate::config::parse_config(&text).unwrap())
    }

    #[test]
    fn each_host_gets_the_files_it_reads_and_no_host_gets_them_all() {
        let all = HostFiles { rule_files: true, meta_policy: true, alias_pages: true };
        assert_eq!(hosts(""), all);
        assert_eq!(
            hosts("netlify, cloudflare-pages"),
            HostFiles { rule_files: true, meta_policy: false, alias_pages: false }
        );
        assert_eq!(
            hosts("github-pages"),
            HostFiles { rule_files: false, meta_policy: true, alias_pages: true }
        );
        assert_eq!(hosts("other"), HostFiles { rule_files: false, meta_policy: true, alias_pages: true });
        assert_eq!(hosts("netlify, github-pages"), all);
    }

    #[test]
    fn an_output_file_has_the_address_hosts_answer_at() {
        assert_eq!(output_address(Path::new("old/index.html")), "old/");
        assert_eq!(output_address(Path::new("index.html")), "");
        assert_eq!(output_address(Path::new("old.html")), "old.html");
        assert_eq!(output_address(Path::new("myindex.html")), "myindex.html");
    }
}
