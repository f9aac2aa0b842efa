//! The `dotwork` binary: parse arguments, run a command, show errors, exit.
//!
//! Exit codes: 0 success, 1 a problem in the site (or the disk), 2 bad usage.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use dotwork::Error;
use dotwork::cli::{Cli, Command};
use dotwork::commands::serve::serve;
use dotwork::settings::{Listen, Settings};

/// mimalloc instead of the system's allocator: a build makes and drops
/// millions of small strings on every core, and glibc's malloc took a sixth
/// of its CPU time (perf, 1,000 pages in sections).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // -q: errors only; default: warnings and a summary line; -v: what each
    // stage did and took; -vv: every page and file as well.
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => log::LevelFilter::Error,
        (false, 0) => log::LevelFilter::Info,
        (false, 1) => log::LevelFilter::Debug,
        (false, _) => log::LevelFilter::Trace,
    };
    env_logger::Builder::new()
        // Other crates' logs only from -vv on, and then no more than their debug.
        .filter_level(if level == log::LevelFilter::Trace {
            log::LevelFilter::Debug
        } else {
            log::LevelFilter::Warn
        })
        .filter_module("dotwork", level)
        .format_timestamp(None)
        .format_target(false)
        .parse_env("DOTWORK_LOG")
        .init();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    match run(cli.command, color, cli.quiet) {
        Ok(code) => code,
        Err(e) => {
            report(&e, color);
            ExitCode::from(1)
        }
    }
}

fn run(command: Command, color: bool, quiet: bool) -> Result<ExitCode, Error> {
    let settings = settings_of(&command);
    match command {
        Command::Build(_) => {
            let summary = dotwork::build(&settings)?;
            if !quiet {
                for w in &summary.warnings {
                    eprintln!("{}", w.render(color));
                }
            }
            log::info!(
                "built {} pages ({} files) into {} in {} ms",
                summary.pages,
                summary.files,
                settings.output.display(),
                summary.elapsed.as_millis()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => check(&settings, args.strict, color, quiet),
        Command::Serve(_) => {
            serve(&settings, |url| println!("Serving the site at {url}\nPress Ctrl-C to stop."))
                .map(|()| ExitCode::SUCCESS)
        }
    }
}

/// The settings of this run, from the command line.
fn settings_of(command: &Command) -> Settings {
    match command {
        Command::Build(args) => Settings {
            output: args.output.clone().unwrap_or_else(|| args.root.join("public")),
            drafts: args.drafts,
            base_url: args.base_url.clone(),
            force: args.force,
            ..Settings::new(&args.root)
        },
        Command::Check(args) => Settings { drafts: args.drafts, ..Settings::new(&args.root) },
        Command::Serve(args) => Settings {
            drafts: args.drafts,
            listen: Listen { bind: args.bind, port: args.port, open: args.open },
            ..Settings::new(&args.root)
        },
    }
}

/// `dotwork check`: prints the report to stderr; exit 1 on errors (and on
/// warnings with `--strict`). With `-q`, only what fails the check is
/// printed: the errors (and with `--strict` the warnings), no summary.
fn check(settings: &Settings, strict: bool, color: bool, quiet: bool) -> Result<ExitCode, Error> {
    let report = dotwork::commands::check::check(settings)?;
    if quiet {
        let fails = |d: &&dotwork::Diagnostic| strict || d.severity == dotwork::Severity::Error;
        for d in report.diagnostics.iter().filter(fails) {
            eprintln!("{}", d.render(color));
        }
    } else {
        eprint!("{}", report.render(color));
    }
    Ok(if report.passed(strict) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Prints an error to stderr: each diagnostic as a compiler would, then one
/// line that says the build failed.
fn report(e: &Error, color: bool) {
    if let Error::Site(diagnostics) = e {
        for d in diagnostics {
            eprintln!("{}", d.render(color));
        }
    }
    let mut message = format!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    eprintln!("{message}");
}
