//! The `dotwork` binary: parse arguments, run a command, show errors, exit.
//!
//! Exit codes: 0 success, 1 a problem in the site (or the disk), 2 bad usage.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use dotwork::Error;
use dotwork::cli::{Cli, Command, InitArgs, NewArgs, NewCommand};
use dotwork::commands::serve::serve;
use dotwork::settings::{Listen, Settings};

/// mimalloc instead of the system's allocator: a build makes and drops
/// millions of small strings on every core, and glibc's malloc took a sixth
/// of its CPU time (perf, 1,000 pages in sections).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_huge_pages();
    // Freed memory is given back after 1 ms instead of mimalloc's 10: at
    // 10,000 pages a build peaks at about 77 instead of 81-83 MiB (medians
    // of builds in turns), in the same time; given back at once, it peaked
    // at 69-70 MiB but took 7% longer (issue 16, docs/performance.md).
    dotwork_allocator::give_back_freed_memory_after(1);
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
            let mut summary = dotwork::build(&settings)?;
            summary.leave_held();
            if !quiet {
                for w in &summary.warnings {
                    eprintln!("{}", w.render(color));
                }
            }
            let (pages, files, output) = (summary.pages, summary.files, settings.output.display());
            let ms = summary.elapsed.as_millis();
            if summary.unchanged {
                log::info!(
                    "nothing changed since the last build: {output} is up to date ({pages} pages, {files} files; {ms} ms)"
                );
            } else {
                log::info!("built {pages} pages ({files} files) into {output} in {ms} ms");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => check(&settings, args.strict, color, quiet),
        Command::Serve(_) => {
            serve(&settings, |url| println!("Serving the site at {url}\nPress Ctrl-C to stop."))
                .map(|()| ExitCode::SUCCESS)
        }
        Command::Init(args) => init(args, quiet),
        Command::New(args) => new(&args, quiet),
    }
}

/// `dotwork init`: checks the folder, asks what the flags did not answer
/// (only on a terminal, and not with `--yes`), writes the site, says what next.
fn init(args: InitArgs, quiet: bool) -> Result<ExitCode, Error> {
    use dotwork::commands::init::{check_folder, folder_name};
    use dotwork::scaffold::{Answers, deploy};
    check_folder(&args.dir)?;
    let mut answers = Answers {
        name: args.name,
        phone: args.phone,
        street: args.street,
        town: args.town,
        postcode: args.postcode,
        country: args.country,
        booking_url: args.booking_url,
        language: args.language,
        host: args.host,
        base_url: args.base_url,
    };
    let stdin = std::io::stdin();
    if !args.yes && stdin.is_terminal() {
        let folder = folder_name(&args.dir);
        if let Err(e) = dotwork::scaffold::ask::ask_missing(
            &mut answers,
            &folder,
            &mut stdin.lock(),
            &mut std::io::stderr(),
        ) {
            eprintln!("\nerror: {e}; nothing was written");
            return Ok(ExitCode::from(1));
        }
    } else {
        log::debug!(
            "init: asking nothing (--yes, or not a terminal); unanswered settings get defaults or placeholders"
        );
    }
    let summary = dotwork::commands::init::init(&args.dir, &answers)?;
    if quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let shown = args.dir.display().to_string();
    println!("Made a new clinic website in {shown}: {} files.", summary.files.len());
    println!("\nNext:");
    if args.dir != std::path::Path::new(".") {
        println!("  cd {shown}");
    }
    println!("  dotwork serve    preview the site in your browser as you edit it");
    if summary.placeholders > 0 {
        println!(
            "  dotwork check    list the {} places still to fill in, marked [[REPLACE: ...]]",
            summary.placeholders
        );
    } else {
        println!("  dotwork check    check the site before you publish it");
    }
    println!("  dotwork new page \"Page title\"    add a page");
    println!("\n{}", deploy::publish_steps(summary.host));
    Ok(ExitCode::SUCCESS)
}

/// `dotwork new page|article`: writes the page, says where and how to see it.
fn new(args: &NewArgs, quiet: bool) -> Result<ExitCode, Error> {
    use dotwork::scaffold::page::PageKind;
    let (name, kind) = match &args.what {
        NewCommand::Page { name, medical: false } => (name, PageKind::Page),
        NewCommand::Page { name, medical: true } => (name, PageKind::Medical),
        NewCommand::Article { name } => (name, PageKind::Article),
    };
    let page = dotwork::commands::new::new(&args.root, name, kind)?;
    if quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let file = if args.root == std::path::Path::new(".") { page.file } else { args.root.join(page.file) };
    println!("Wrote {}", file.display());
    println!("It is a draft: fill in the parts marked [[REPLACE: ...]], then delete the line draft: true.");
    println!("To see it as you write, run: dotwork serve --drafts");
    println!("and open {}", page.preview);
    Ok(ExitCode::SUCCESS)
}

/// The settings of this run, from the command line.
fn settings_of(command: &Command) -> Settings {
    match command {
        Command::Build(args) => Settings {
            output: args.output.clone().unwrap_or_else(|| args.root.join("public")),
            drafts: args.drafts,
            base_url: args.base_url.clone(),
            force: args.force,
            broken_links: args.broken_links,
            no_cache: args.no_cache,
            ..Settings::new(&args.root)
        },
        Command::Check(args) => {
            Settings { drafts: args.drafts, broken_links: args.broken_links, ..Settings::new(&args.root) }
        }
        // Neither reads a site's settings.
        Command::Init(args) => Settings::new(&args.dir),
        Command::New(args) => Settings::new(&args.root),
        Command::Serve(args) => Settings {
            drafts: args.drafts,
            listen: Listen { bind: args.bind, port: args.port, open: args.open },
            broken_links: args.broken_links,
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

/// Asks Linux for ordinary 4 KiB pages instead of transparent huge pages
/// for this process. mimalloc asks for huge pages, and each one the kernel
/// hands out is 2 MiB it must clear first, used or not: at 10,000 pages
/// that was a quarter of a build's CPU time (perf: `clear_page_erms` under
/// huge-page faults) and 35 MiB of peak memory more (issue 16). Nothing
/// else changes if Linux says no (a kernel without the setting).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

#[cfg(test)]
mod tests {
    /// The option `dotwork_allocator` sets is mimalloc's purge delay: the
    /// one whose default is 10 ms, and it takes the value set.
    #[test]
    fn the_allocator_gives_freed_memory_back_after_the_delay_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(dotwork_allocator::purge_delay(), 10);
        }
        dotwork_allocator::give_back_freed_memory_after(1);
        assert_eq!(dotwork_allocator::purge_delay(), 1);
    }
}
