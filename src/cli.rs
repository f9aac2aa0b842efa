//! The command line: what `dotwork` accepts, declared with clap.

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
}
