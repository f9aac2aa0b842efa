//! dotwork's integration tests, in one binary to save link time.

// Test code may panic on a broken fixture: that is a failed test.
#![allow(clippy::unwrap_used)]

mod blocks;
mod build;
mod check;
mod cli;
mod crawl;
mod errors;
mod gallery;
mod hosts;
mod images;
mod init;
mod languages;
mod limits;
mod medical;
mod messages;
mod migrate_ids;
mod migrate_links;
mod migrate_pages;
mod output;
mod rebuilds;
mod sections;
mod serve;
mod sources;
mod support;
mod team;
mod theme;
