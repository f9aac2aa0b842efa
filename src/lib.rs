//! dotwork: a static site generator for clinics' informational websites.
//!
//! A site is a folder with `site.yaml` and markdown pages under `content/`.
//! One pipeline ([`pipeline`]) serves `build`, `check` and `serve`; its
//! stages are functions from data to data, and only the first and the last
//! touch the disk:
//!
//! 1. load ([`pipeline::load`], on [`source::load_site`]): read settings,
//!    pages, templates, the theme's words in the site's language, static
//!    files, and inspect images ([`image`]); a build leaves unread the pages
//!    its cache knows by their files' stamps ([`source::load_site_knowing`]);
//! 2. parse ([`site::parse_site`]): front matter and markdown into a
//!    [`site::Site`], with its sections ([`section`]: each `_index.md`, its
//!    pages in order, its listing pages from [`paginate`]), categories, the
//!    people's profile pages, and where each building block sits in a
//!    page's HTML ([`blocks`]);
//! 3. units ([`render::list_units`]): everything that makes output (a page,
//!    a listing page, a feed, a category's page, the 404 page, a redirect,
//!    the sitemap, robots.txt, a static file, an image's resized variants
//!    from [`image`], made in or taken from its cache outside the site's
//!    folders, the host files `_headers` and `_redirects` from [`host`]) as a
//!    [`render::Unit`] that names its files and declares what it reads;
//!    two units writing one path are an error here;
//! 4. render ([`pipeline::Pipeline::render`]): each unit, in parallel, into
//!    [`render::OutputFile`]s handed to a [`pipeline::Sink`] as they are made
//!    (a page's building blocks are checked against, and rendered by, the
//!    theme's components once the templates are loaded), each in the folder
//!    of its domain when a language has its own ([`domains`]);
//! 5. the sink: `build` writes each file into a new folder and swaps it into
//!    place whole ([`output::replace_output`]) unless the site has errors
//!    `check` would report ([`check::PublishCheck`]: the sink checks each
//!    page as it is rendered, in the pass over its tags that reads its ids,
//!    keeps each file's name and each page's ids, and reads back from the
//!    new folder only a page that has a problem, to say where); a unit whose inputs'
//!    fingerprints match the record of the last build ([`cache`], in
//!    `.dotwork/cache/build`) is not rendered: its files, checked to be the
//!    ones dotwork wrote, are linked from the old output into the new
//!    folder; `check` collects the files
//!    in memory ([`pipeline::Collector`]) and inspects them; `serve` keeps
//!    them in the snapshot it answers from and, after an edit, renders only
//!    the units whose inputs' fingerprints changed ([`render::Fingerprints`]).
//!
//! The [`settings::Settings`] of a run are one value, made in `main.rs`; the
//! commands in [`commands`] are the glue. `init` and `new` do not build: they
//! write a starter site or page from [`scaffold`], whose placeholders
//! `check` reports until they are filled in ([`check::PLACEHOLDER`]).

pub mod blocks;
pub mod cache;
pub mod category;
pub mod check;
pub mod citations;
pub mod cli;
pub mod collections;
pub mod commands;
pub mod config;
pub mod content;
pub mod date;
pub mod domains;
pub mod error;
pub mod feed;
pub mod front_matter;
pub mod gallery;
pub mod host;
pub(crate) mod html;
pub mod image;
pub mod language;
pub(crate) mod look;
pub(crate) mod markdown;
pub mod output;
pub mod paginate;
pub(crate) mod people;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub(crate) mod scratch;
pub mod section;
pub(crate) mod serve;
#[doc(hidden)]
pub use serve::fuzz_request_reader;
pub mod settings;
pub mod site;
pub mod source;
pub(crate) mod structured_data;
pub(crate) mod theme;
pub mod url;
pub(crate) mod walk;
pub(crate) mod yaml;

pub use commands::build::{BuildSummary, build};
pub use error::{Diagnostic, Error, Location, Severity};
