//! `dotwork check`: load, parse and render in memory, then check the result.
//! Writes nothing; returns a [`CheckReport`] for `main` to print.

use crate::check::{CheckReport, check_site};
use crate::commands::build::{BuildOptions, load_and_parse};
use crate::date::Date;
use crate::error::{Error, sort_diagnostics};
use crate::render::render_site;

/// Checks the site described by `options` (its `output` is not used).
///
/// A site that does not build is a report of its build errors, like any
/// other problem; only a failure of the machine (an unreadable disk) is an
/// `Err`.
pub fn check(options: &BuildOptions) -> Result<CheckReport, Error> {
    let site = match load_and_parse(options) {
        Ok(site) => site,
        Err(Error::Site(diagnostics)) => return Ok(CheckReport::new(diagnostics, 0)),
        Err(e) => return Err(e),
    };
    let started = std::time::Instant::now();
    let outputs = match render_site(&site) {
        Ok(outputs) => outputs,
        Err(Error::Site(mut diagnostics)) => {
            diagnostics.extend(site.warnings.iter().cloned());
            return Ok(CheckReport::new(diagnostics, site.pages.len()));
        }
        Err(e) => return Err(e),
    };
    log::debug!("render: {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let mut diagnostics = check_site(&site, &outputs, Date::today());
    log::debug!("check: {:?}", started.elapsed());
    diagnostics.extend(site.warnings.iter().cloned());
    sort_diagnostics(&mut diagnostics);
    Ok(CheckReport::new(diagnostics, site.pages.len()))
}
