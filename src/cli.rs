//! Command-line flags (clap) and their conversion into validated options. No work happens here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::new::NewOptions;
use crate::source::{DEFAULT_TEMPLATE, Source};

#[derive(Debug, Parser)]
#[command(
    name = "groundwork",
    version,
    about = "Data-science repositories that are ready to operate from their first commit",
    long_about = "groundwork renders a template into a new git repository: notebooks, a tested \
                  Python package, Kubernetes manifests applied by ArgoCD, alerts that link to \
                  runbooks, and CI.\n\nExit status: 0 on success, 1 on an error (bad template, bad \
                  answer, refused destination, I/O), 2 on a command-line usage error, 130 when \
                  interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project from a template
    New(NewArgs),
    /// List the built-in templates with their version and description
    Templates,
    /// Work on a template's source
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Record the template in DIR as a new release (in DIR/.groundwork-releases) and set that
    /// version in its template.toml
    Release(ReleaseArgs),
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The template directory (the one holding template.toml)
    pub dir: PathBuf,

    /// The new version: greater than every recorded release
    #[arg(long, value_name = "X.Y.Z", value_parser = parse_version)]
    pub version: semver::Version,
}

fn parse_version(text: &str) -> Result<semver::Version, String> {
    semver::Version::parse(text)
        .map_err(|e| format!("{e} (expected a semver version such as 1.2.0)"))
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is an independent on/off flag of the command line
pub struct NewArgs {
    /// Directory to create; it must not exist or be empty (see --force)
    pub destination: PathBuf,

    /// Built-in template name (see `groundwork templates`) or path to a local template directory
    #[arg(short, long, value_name = "NAME|PATH", default_value = DEFAULT_TEMPLATE)]
    pub template: String,

    /// Ask no questions: take every default (a question without one is an error unless given with -d)
    #[arg(long)]
    pub defaults: bool,

    /// Answer a question: KEY=VALUE, typed by the question (bool: true/false/yes/no; multi-choice:
    /// comma-separated). Repeatable; wins over --data-file
    #[arg(short = 'd', long = "data", value_name = "KEY=VALUE")]
    pub data: Vec<String>,

    /// Read answers from a TOML or JSON file (a table of KEY = VALUE)
    #[arg(long, value_name = "FILE")]
    pub data_file: Option<PathBuf>,

    /// Write into a non-empty destination: overwrite the files the template writes, delete nothing
    #[arg(long)]
    pub force: bool,

    /// Print the files that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not run `git init` or make the initial commit
    #[arg(long)]
    pub no_git: bool,
}

impl NewArgs {
    /// Whether answers come from defaults rather than a prompt.
    pub fn unattended(&self) -> bool {
        self.defaults
    }

    pub fn into_options(self) -> NewOptions {
        // Absolute, so that `.` has a parent to stage beside.
        let destination =
            std::path::absolute(&self.destination).unwrap_or_else(|_| self.destination.clone());
        NewOptions {
            source: Source::parse(&self.template),
            destination,
            data: self.data,
            data_file: self.data_file,
            force: self.force,
            dry_run: self.dry_run,
            git: !self.no_git,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
