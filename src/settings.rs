//! The settings of one run, in one value: built once in `main.rs` from the
//! command line and passed to the command, which hands each stage the part
//! it needs (the parse stage only sees whether drafts are in).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use crate::site::ParseOptions;

/// Settings of a `build`, `check` or `serve` run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The site's folder.
    pub root: PathBuf,
    /// Where `build` puts the built site (`ROOT/public` unless asked).
    pub output: PathBuf,
    /// Include pages marked `draft: true`.
    pub drafts: bool,
    /// Replaces `base_url` from site.yaml (`serve` sets it to its own address).
    pub base_url: Option<String>,
    /// `build`: replace an output folder that holds files dotwork did not
    /// write (all but `.git` and `CNAME` are deleted).
    pub force: bool,
    /// Where `serve` listens.
    pub listen: Listen,
    /// Replaces `broken_links` from site.yaml (`--broken-links`).
    pub broken_links: Option<crate::config::BrokenLinks>,
    /// Every language on the one address of `base_url`, a language with
    /// its own domain under its folder as the others (`serve`: a preview
    /// has one address).
    pub one_domain: bool,
    /// `build`: render every unit, neither reading nor keeping the build
    /// cache (`--no-cache`, `cache.rs`).
    pub no_cache: bool,
}

/// Where and how `serve` shows the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// The address to listen on (`127.0.0.1` unless asked).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

impl Default for Listen {
    fn default() -> Listen {
        Listen { bind: IpAddr::V4(Ipv4Addr::LOCALHOST), port: crate::serve::DEFAULT_PORT, open: false }
    }
}

impl Settings {
    /// Settings for the site at `root`: output in `ROOT/public`, no drafts,
    /// site.yaml's `base_url`, no force, serve on `127.0.0.1`.
    pub fn new(root: impl Into<PathBuf>) -> Settings {
        let root = root.into();
        Settings {
            output: root.join("public"),
            root,
            drafts: false,
            base_url: None,
            force: false,
            listen: Listen::default(),
            broken_links: None,
            one_domain: false,
            no_cache: false,
        }
    }

    /// What the parse stage takes from these settings, for `build` and
    /// `serve`, which give no advice ([`ParseOptions::advice`]).
    pub(crate) fn parse_options(&self) -> ParseOptions {
        ParseOptions { drafts: self.drafts, today: crate::date::Date::today(), advice: false }
    }
}
