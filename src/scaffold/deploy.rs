//! The deploy file `init` writes for the chosen host, and what to do next.
//!
//! Every host runs the same two steps: install the dotwork binary of this
//! very version with the release's shell installer (no Rust on the host),
//! then `dotwork build`. The version is pinned so that a new release never
//! changes a clinic's site behind its back; to upgrade, change the version
//! in the file. The installer is `dist`'s (formerly cargo-dist):
//! `DOTWORK_UNMANAGED_INSTALL` puts the binary in the given folder and
//! leaves the shell's profile alone, as a build machine needs.

use crate::config::Host;
use crate::scaffold::ScaffoldFile;

/// The release's shell installer of this version of dotwork.
pub fn installer_url() -> String {
    format!(
        "{}/releases/download/v{}/dotwork-installer.sh",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION")
    )
}

/// The folder the host's build installs dotwork into.
const INSTALL_DIR: &str = "$HOME/.dotwork-bin";

/// The shell command that installs this version of dotwork into `dir`.
fn install_command(dir: &str) -> String {
    format!(
        "curl --proto '=https' --tlsv1.2 -LsSf {} | DOTWORK_UNMANAGED_INSTALL=\"{dir}\" sh",
        installer_url()
    )
}

/// The files that publish the site on `host`.
pub(crate) fn deploy_files(host: Host) -> Vec<ScaffoldFile> {
    match host {
        Host::GithubPages => vec![ScaffoldFile { path: GITHUB_WORKFLOW.into(), text: github_workflow() }],
        Host::Netlify => vec![ScaffoldFile { path: "netlify.toml".into(), text: netlify_toml() }],
        Host::CloudflarePages => {
            vec![ScaffoldFile { path: CLOUDFLARE_SCRIPT.into(), text: cloudflare_script() }]
        }
        Host::Other => Vec::new(),
    }
}

/// Where GitHub looks for the workflow.
pub const GITHUB_WORKFLOW: &str = ".github/workflows/pages.yml";

/// The script Cloudflare Pages runs as its build command.
pub const CLOUDFLARE_SCRIPT: &str = "cloudflare-build.sh";

fn github_workflow() -> String {
    format!(
        r#"# Publishes the website on GitHub Pages each time a change reaches the
# main branch. Once, in the repository's Settings > Pages, set "Source" to
# "GitHub Actions". Made by dotwork init.
name: Publish the website

on:
  push:
    branches: [main]
  # Also lets you publish by hand from the Actions tab.
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One publication at a time; one in progress is finished, not cancelled.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      # dotwork {version}, the version that made this site. To upgrade,
      # change the version in the address below.
      - name: Install dotwork
        run: |
          {install}
          echo "$HOME/.dotwork-bin" >> "$GITHUB_PATH"
      - name: Build the website
        run: dotwork build
      # v5 is the first with include-hidden-files.
      - uses: actions/upload-pages-artifact@v5
        with:
          path: public
          # Keep .well-known/ and other files whose names start with a dot.
          include-hidden-files: true

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Publish the website
        id: deployment
        uses: actions/deploy-pages@v5
"#,
        version = env!("CARGO_PKG_VERSION"),
        install = install_command(INSTALL_DIR),
    )
}

fn netlify_toml() -> String {
    format!(
        r#"# How Netlify builds and publishes the website. Made by dotwork init.
# dotwork {version}, the version that made this site, is installed for each
# build; to upgrade, change the version in the address below.
[build]
  command = "{command}"
  publish = "public"
"#,
        version = env!("CARGO_PKG_VERSION"),
        command =
            toml_escape(&format!("{} && \"{INSTALL_DIR}/dotwork\" build", install_command(INSTALL_DIR))),
    )
}

fn cloudflare_script() -> String {
    format!(
        r#"#!/bin/sh
# How Cloudflare Pages builds the website. In the Pages project's settings,
# set "Build command" to: sh {CLOUDFLARE_SCRIPT}
# and "Build output directory" to: public
# Made by dotwork init. dotwork {version}, the version that made this site,
# is installed for each build; to upgrade, change the version below.
set -eu
{install}
"{INSTALL_DIR}/dotwork" build
"#,
        version = env!("CARGO_PKG_VERSION"),
        install = install_command(INSTALL_DIR),
    )
}

/// `text` inside a TOML basic string.
fn toml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// What the owner does next to publish on `host`, in a few lines.
pub fn publish_steps(host: Host) -> String {
    match host {
        Host::GithubPages => format!(
            "To publish on GitHub Pages: put this folder in a GitHub repository, and in its\n\
             Settings > Pages set \"Source\" to \"GitHub Actions\". Each change you push to\n\
             the main branch is then published by {GITHUB_WORKFLOW}."
        ),
        Host::Netlify => "To publish on Netlify: put this folder in a Git repository and import it\n\
             as a new site on Netlify. netlify.toml tells Netlify how to build it."
            .to_string(),
        Host::CloudflarePages => format!(
            "To publish on Cloudflare Pages: put this folder in a Git repository and connect\n\
             it to a new Pages project. In the project's build settings, set \"Build command\"\n\
             to `sh {CLOUDFLARE_SCRIPT}` and \"Build output directory\" to `public`."
        ),
        Host::Other => "To publish: run `dotwork build` and upload everything in the public folder\n\
             to your web host, hidden files (such as .well-known) included."
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_site_yamls() {
        for host in Host::ALL {
            let yaml: Host = serde_yaml::from_str(host.name()).unwrap();
            assert_eq!(yaml, host);
            assert_eq!(Host::from_name(host.name()), Some(host));
        }
        assert_eq!(Host::from_name("Netlify"), Some(Host::Netlify));
        assert_eq!(Host::from_name("vercel"), None);
    }

    #[test]
    fn the_installer_is_this_versions() {
        let url = installer_url();
        assert!(url.starts_with("https://github.com/"), "{url}");
        assert!(
            url.ends_with(&format!("/releases/download/v{}/dotwork-installer.sh", env!("CARGO_PKG_VERSION")))
        );
        for host in [Host::GithubPages, Host::Netlify, Host::CloudflarePages] {
            assert!(deploy_files(host)[0].text.contains(&url), "{host:?}");
        }
        assert!(deploy_files(Host::Other).is_empty());
    }
}
