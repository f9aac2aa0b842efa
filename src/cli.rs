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
}
