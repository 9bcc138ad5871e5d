//! Command-line flags (clap) and their conversion into validated options. No work happens here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::adopt::AdoptOptions;
use crate::check::CheckOptions;
use crate::diff::DiffOptions;
use crate::error::Result;
use crate::new::NewOptions;
use crate::source::{DEFAULT_TEMPLATE, Source};
use crate::template_test::TestOptions as TemplateTestOptions;
use crate::update::UpdateOptions;

const EXIT_STATUS: &str = "Exit status: 0 success (check: up to date); 1 error, nothing was changed; \
                           2 command-line usage error; 3 update applied, conflicts remain (listed \
                           in the report); 4 check: a newer template version exists; 130 \
                           interrupted, nothing was changed.";

#[derive(Debug, Parser)]
#[command(
    name = "groundwork",
    version,
    about = "Data-science repositories that are ready to operate from their first commit",
    long_about = "groundwork renders a template into a new git repository: notebooks, a tested \
                  Python package, Kubernetes manifests applied by ArgoCD, alerts that link to \
                  runbooks, and CI. It records the template version and the answers in \
                  .groundwork.toml, so `groundwork update` can later merge newer versions of the \
                  template into the repository without losing local work.",
    after_long_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new project from a template
    New(NewArgs),
    /// Merge a newer template version (or changed answers) into this project, keeping local work
    #[command(after_long_help = EXIT_STATUS)]
    Update(UpdateArgs),
    /// Tell whether a newer template version exists (exit 4) and whether the answers still validate
    #[command(after_long_help = EXIT_STATUS)]
    Check(CheckArgs),
    /// Show what this project changed relative to a pristine render of its template version
    Diff(DiffArgs),
    /// Attach an existing repository to a template, so the next update has a base to merge from
    Adopt(AdoptArgs),
    /// Roll back a `new --force` or `update` that was killed midway and remove staging folders left
    /// by killed runs (what the next run on the destination would do first), saying what was done
    #[command(after_long_help = RECOVER_EXIT_STATUS)]
    Recover(RecoverArgs),
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
    /// Check the template in DIR: template.toml, every expression and file, and a render of a
    /// covering set of answer combinations; reports every error with the answers that trigger it
    Check(TemplateCheckArgs),
    /// Run the template's [[checks]] in a generated project for every combination of the covering
    /// set, in temporary directories, several at a time
    Test(TemplateTestArgs),
}

#[derive(Debug, Args)]
pub struct TemplateTestArgs {
    /// The template directory (the one holding template.toml)
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// How many combinations run at once (default: the number of CPUs)
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Print a JSON summary (every check of every combination) instead of text
    #[arg(long)]
    pub json: bool,
}

impl TemplateTestArgs {
    pub fn into_options(self) -> TemplateTestOptions {
        TemplateTestOptions {
            dir: self.dir,
            jobs: self.jobs.map_or_else(
                || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
                usize::from,
            ),
            json: self.json,
        }
    }
}

#[derive(Debug, Args)]
pub struct TemplateCheckArgs {
    /// The template directory (the one holding template.toml)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
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

/// Where answers come from; shared by every command that answers questions.
#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// Ask no questions: take every default (a question without one is an error unless given with -d)
    #[arg(long, alias = "no-input")]
    pub defaults: bool,

    /// Answer a question: KEY=VALUE, typed by the question (bool: true/false/yes/no; multi-choice:
    /// comma-separated). Repeatable; wins over --data-file
    #[arg(short = 'd', long = "data", value_name = "KEY=VALUE")]
    pub data: Vec<String>,

    /// Read answers from a TOML or JSON file (a table of KEY = VALUE, or a project's .groundwork.toml)
    #[arg(long, value_name = "FILE")]
    pub data_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is an independent on/off flag of the command line
pub struct NewArgs {
    /// Directory to create; it must not exist or be empty (see --force)
    pub destination: PathBuf,

    /// Built-in template name (see `groundwork templates`), a local directory (`./name`), or a git
    /// repository (URL or path); git tags `vX.Y.Z` are its versions
    #[arg(short, long, value_name = "NAME|PATH|URL", default_value = DEFAULT_TEMPLATE)]
    pub template: String,

    /// Version, tag, branch or commit of a git template (default: the highest version tag)
    #[arg(long = "ref", value_name = "REF")]
    pub reference: Option<String>,

    /// The template's folder inside the repository or directory
    #[arg(long, value_name = "PATH")]
    pub subdir: Option<String>,

    #[command(flatten)]
    pub answers: AnswerArgs,

    /// Write into a non-empty destination: overwrite the files the template writes, delete nothing
    #[arg(long)]
    pub force: bool,

    /// Print the files that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not run `git init` or make the initial commit
    #[arg(long)]
    pub no_git: bool,

    /// Render a cookiecutter template that has hooks without running them
    #[arg(long)]
    pub no_hooks: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The project to update
    #[arg(default_value = ".")]
    pub project: PathBuf,

    /// Version, tag, branch or commit to move to (default: the newest version)
    #[arg(long, value_name = "VERSION|REF")]
    pub to: Option<String>,

    #[command(flatten)]
    pub answers: AnswerArgs,

    /// Print the report of what would change, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Update even though the git work tree has uncommitted changes
    #[arg(long)]
    pub allow_dirty: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project to check
    #[arg(default_value = ".")]
    pub project: PathBuf,

    /// Print a JSON object (for CI and for tools that survey many repositories)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The project to compare with its template
    #[arg(default_value = ".")]
    pub project: PathBuf,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    /// The existing repository
    #[arg(default_value = ".")]
    pub project: PathBuf,

    /// The template the repository was made from (default: the one named in .cruft.json)
    #[arg(short, long, value_name = "NAME|PATH|URL")]
    pub template: Option<String>,

    /// Version, tag, branch or commit the repository corresponds to
    #[arg(long = "ref", value_name = "REF")]
    pub reference: Option<String>,

    /// The template's folder inside the repository or directory
    #[arg(long, value_name = "PATH")]
    pub subdir: Option<String>,

    #[command(flatten)]
    pub answers: AnswerArgs,

    /// Print what would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

const RECOVER_EXIT_STATUS: &str = "Exit status: 0 recovered, or nothing to recover; 1 error: another \
                                   run holds the destination (nothing was changed), or a rollback \
                                   step failed (its staging folder is kept: fix the cause and run \
                                   again); 2 command-line usage error.";

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The destination of the interrupted run (a project, or where a killed `new` was creating one)
    #[arg(default_value = ".")]
    pub destination: PathBuf,
}

impl RecoverArgs {
    pub fn into_options(self) -> crate::recover::RecoverOptions {
        crate::recover::RecoverOptions {
            destination: absolute(&self.destination),
        }
    }
}

/// Absolute, so that `.` has a parent and a name.
fn absolute(path: &std::path::Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

impl NewArgs {
    /// Whether answers come from defaults rather than a prompt.
    pub fn unattended(&self) -> bool {
        self.answers.defaults
    }

    pub fn into_options(self) -> Result<NewOptions> {
        Ok(NewOptions {
            source: Source::classify(&self.template, self.subdir.as_deref())?,
            reference: self.reference,
            destination: absolute(&self.destination),
            data: self.answers.data,
            data_file: self.answers.data_file,
            force: self.force,
            dry_run: self.dry_run,
            git: !self.no_git,
            no_hooks: self.no_hooks,
        })
    }
}

impl UpdateArgs {
    pub fn into_options(self) -> UpdateOptions {
        UpdateOptions {
            project: absolute(&self.project),
            to: self.to,
            data: self.answers.data,
            data_file: self.answers.data_file,
            dry_run: self.dry_run,
            allow_dirty: self.allow_dirty,
        }
    }
}

impl CheckArgs {
    pub fn into_options(self) -> CheckOptions {
        CheckOptions {
            project: absolute(&self.project),
            json: self.json,
        }
    }
}

impl DiffArgs {
    pub fn into_options(self) -> DiffOptions {
        DiffOptions {
            project: absolute(&self.project),
        }
    }
}

impl AdoptArgs {
    pub fn into_options(self) -> Result<AdoptOptions> {
        let source = match &self.template {
            Some(template) => Some(Source::classify(template, self.subdir.as_deref())?),
            None => None,
        };
        Ok(AdoptOptions {
            project: absolute(&self.project),
            source,
            reference: self.reference,
            data: self.answers.data,
            data_file: self.answers.data_file,
            dry_run: self.dry_run,
        })
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
