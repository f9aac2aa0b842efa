//! `dotwork serve`: build in memory, serve, rebuild on every edit, reload the
//! browser. The machinery is in `src/serve/`.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::error::Error;
use crate::serve::{Server, open_in_browser};

/// Settings of `dotwork serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site's folder.
    pub root: PathBuf,
    /// Include drafts.
    pub drafts: bool,
    /// The address to listen on (`127.0.0.1` unless asked).
    pub bind: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
}

/// Builds and serves the site until the process is stopped; calls `ready`
/// with the address to open once it is being served.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(&str)) -> Result<(), Error> {
    let server = Server::start(&options.root, options.drafts, options.bind, options.port)?;
    ready(server.url());
    if options.open {
        open_in_browser(server.url());
    }
    server.run()
}
