//! `dotwork check`: the pipeline into a collector in memory, then the checks
//! on the result. Writes nothing; returns a [`CheckReport`] for `main` to print.

use crate::check::{CheckReport, check_site};
use crate::date::Date;
use crate::error::{Error, sort_and_dedup};
use crate::pipeline::{Collector, Pipeline, load_and_parse};
use crate::settings::Settings;

/// Checks the site described by `settings` (its `output` is not used).
///
/// A site that does not build is a report of its build errors, like any
/// other problem; only a failure of the machine (an unreadable disk) is an
/// `Err`.
pub fn check(settings: &Settings) -> Result<CheckReport, Error> {
    let site = match load_and_parse(settings) {
        Ok(site) => site,
        Err(Error::Site(diagnostics)) => return Ok(CheckReport::new(diagnostics, 0)),
        Err(e) => return Err(e),
    };
    let collector = Collector::default();
    match Pipeline::new(&site).and_then(|pipeline| pipeline.render(&|_| true, &collector)) {
        Ok(_) => {}
        Err(Error::Site(mut diagnostics)) => {
            diagnostics.extend(site.warnings.iter().cloned());
            return Ok(CheckReport::new(diagnostics, site.pages.len()));
        }
        Err(e) => return Err(e),
    }
    let outputs = collector.into_files();
    let started = std::time::Instant::now();
    let mut diagnostics = check_site(&site, &outputs, Date::today());
    log::debug!("check: {:?}", started.elapsed());
    diagnostics.extend(site.warnings.iter().cloned());
    sort_and_dedup(&mut diagnostics);
    Ok(CheckReport::new(diagnostics, site.pages.len()))
}
