//! `dotwork serve`: build in memory, serve, rebuild on every edit, reload the
//! browser. The machinery is in `src/serve/`.

use crate::error::Error;
use crate::serve::{Server, open_in_browser};
use crate::settings::Settings;

/// Builds and serves the site until the process is stopped; calls `ready`
/// with the address to open once it is being served.
pub fn serve(settings: &Settings, ready: impl FnOnce(&str)) -> Result<(), Error> {
    let server = Server::start(settings)?;
    ready(server.url());
    if settings.listen.open {
        open_in_browser(server.url());
    }
    server.run()
}
