//! dotwork: a static site generator for clinics' informational websites.
//!
//! A site is a folder with `site.yaml` and markdown pages under `content/`.
//! The pipeline is four stages, each a function from data to data; only the
//! first and the last touch the disk:
//!
//! 1. load ([`source::load_site`]): read settings, pages, templates;
//! 2. parse ([`site::parse_site`]): front matter and markdown into a [`site::Site`];
//! 3. render ([`render::render_site`]): templates into [`render::OutputFile`]s;
//! 4. write ([`output::write_output`]): swap the new site into place.
//!
//! The commands in [`commands`] compose them.

pub mod category;
pub mod check;
pub mod citations;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod date;
pub mod error;
pub mod feed;
pub mod front_matter;
pub(crate) mod markdown;
pub mod output;
pub mod paginate;
pub mod render;
pub mod section;
pub(crate) mod serve;
#[doc(hidden)]
pub use serve::fuzz_request_reader;
pub mod site;
pub mod source;
pub(crate) mod structured_data;
pub(crate) mod theme;
pub mod url;
pub(crate) mod yaml;

pub use commands::build::{BuildOptions, BuildSummary, build};
pub use error::{Diagnostic, Error, Location, Severity};
