//! The command line: what `dotwork` accepts, declared with clap.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A static site generator for clinics' websites.
#[derive(Debug, Parser)]
#[command(name = "dotwork", version, about, propagate_version = true)]
pub struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what happens (-vv for timings of every stage).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into a folder ready to upload (public/ by default).
    Build(BuildArgs),
    /// Check the site without writing anything: broken links, missing alt
    /// text, headings, titles, review dates, reading level, orphan pages.
    Check(CheckArgs),
    /// Preview the site in a browser; pages reload as you edit and save.
    Serve(ServeArgs),
    /// Start a new clinic website in a folder: its settings, the pages a
    /// clinic needs and the file that publishes it. Asks a few questions
    /// when run in a terminal.
    Init(InitArgs),
    /// Add a page or a news article, with its settings filled in.
    New(NewArgs),
}

/// Arguments of `dotwork init`. Each answer given here is not asked.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  dotwork init my-clinic\n  dotwork init my-clinic --yes --name \"Smith Scalp Clinic\" --host netlify"
)]
pub struct InitArgs {
    /// The folder for the new site: a new or empty one [default: this folder].
    #[arg(value_name = "DIR", default_value = ".", hide_default_value = true)]
    pub dir: PathBuf,
    /// Ask nothing: take the answers given here and defaults for the rest;
    /// what has no default is marked [[REPLACE: ...]] for you to fill in.
    #[arg(short, long)]
    pub yes: bool,
    /// The clinic's name, shown at the top of every page.
    #[arg(long, value_name = "TEXT", value_parser = crate::scaffold::ask::check_text)]
    pub name: Option<String>,
    /// The clinic's phone number, with the country code (+44 20 7946 0000).
    #[arg(long, value_name = "NUMBER", value_parser = crate::scaffold::ask::check_phone)]
    pub phone: Option<String>,
    /// Address: house number and street.
    #[arg(long, value_name = "TEXT", value_parser = crate::scaffold::ask::check_text)]
    pub street: Option<String>,
    /// Address: town or city.
    #[arg(long, value_name = "TEXT", value_parser = crate::scaffold::ask::check_text)]
    pub town: Option<String>,
    /// Address: postcode.
    #[arg(long, value_name = "TEXT", value_parser = crate::scaffold::ask::check_text)]
    pub postcode: Option<String>,
    /// Address: country [default: from the language, such as United Kingdom for en-GB].
    #[arg(long, value_name = "TEXT", value_parser = crate::scaffold::ask::check_text)]
    pub country: Option<String>,
    /// The whole address of the clinic's online booking page.
    #[arg(long, value_name = "URL", value_parser = crate::scaffold::ask::check_web_address)]
    pub booking_url: Option<String>,
    /// The language of the site, as a code such as en-GB, en-US or de [default: en-GB].
    #[arg(long, value_name = "CODE", value_parser = crate::scaffold::ask::check_language)]
    pub language: Option<String>,
    /// Where the site will be published: github-pages, netlify,
    /// cloudflare-pages or other [default: github-pages].
    #[arg(long, value_name = "HOST", value_parser = crate::scaffold::ask::check_host)]
    pub host: Option<crate::config::Host>,
    /// The site's address once published.
    #[arg(
        long,
        value_name = "URL",
        value_parser = crate::scaffold::ask::check_base_url,
        help = "The site's address once published, such as https://www.yourclinic.com/"
    )]
    pub base_url: Option<String>,
}

/// Arguments of `dotwork new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The site's folder (the one with site.yaml).
    #[arg(long, value_name = "DIR", default_value = ".", global = true)]
    pub root: PathBuf,
    /// What to add.
    #[command(subcommand)]
    pub what: NewCommand,
}

/// What `dotwork new` adds.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A page: `dotwork new page "Hair loss FAQ"` writes content/hair-loss-faq.md.
    Page {
        /// The page's name, which is also its title; folders go before it
        /// with /, as in care/washing.
        #[arg(value_name = "NAME", value_parser = crate::scaffold::page::check_page_name)]
        name: String,
        /// A page with medical information: it names its author and
        /// medical reviewer and has a review date.
        #[arg(long)]
        medical: bool,
    },
    /// A news article, dated today, in content/news/.
    Article {
        /// The article's title; its file name is made from it.
        #[arg(value_name = "TITLE", value_parser = crate::scaffold::page::check_article_name)]
        name: String,
    },
}

/// Arguments of `dotwork build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site's folder (the one with site.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: ROOT/public].
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Also build pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Use this address instead of site.yaml's base_url.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Build even into a folder holding files dotwork did not write, and
    /// delete them: all in the output folder but .git and CNAME.
    #[arg(long)]
    pub force: bool,
    /// Broken links (to a missing page, file or #anchor) are errors or only
    /// warnings [default: site.yaml's broken_links, else error].
    #[arg(long, value_name = "WHAT")]
    pub broken_links: Option<crate::config::BrokenLinks>,
    /// Render every page, as a first build does: take nothing from the
    /// previous build, and keep no record of this one (.dotwork/cache/build).
    #[arg(long)]
    pub no_cache: bool,
}

/// Arguments of `dotwork serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site's folder (the one with site.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The port to listen on (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = crate::serve::DEFAULT_PORT)]
    pub port: u16,
    /// The address to listen on; another than 127.0.0.1 shows the site to your network.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Also show pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in your web browser.
    #[arg(long)]
    pub open: bool,
    /// Broken links (to a missing page, file or #anchor) are errors or only
    /// warnings [default: site.yaml's broken_links, else error].
    #[arg(long, value_name = "WHAT")]
    pub broken_links: Option<crate::config::BrokenLinks>,
}

/// Arguments of `dotwork check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site's folder (the one with site.yaml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Fail on warnings too, not only on errors.
    #[arg(long)]
    pub strict: bool,
    /// Also check pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Broken links (to a missing page, file or #anchor) are errors or only
    /// warnings [default: site.yaml's broken_links, else error].
    #[arg(long, value_name = "WHAT")]
    pub broken_links: Option<crate::config::BrokenLinks>,
}
