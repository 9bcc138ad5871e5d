//! Command-line flags (clap) and their conversion into validated options: paths made absolute,
//! answers told apart from the destination, the template source classified (which looks at the
//! file system: is the argument a directory?). Nothing is loaded, rendered or written here; the
//! commands do that.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::commands::adopt::AdoptOptions;
use crate::commands::check::CheckOptions;
use crate::commands::diff::DiffOptions;
use crate::commands::new::{Existing, NewOptions, Target};
use crate::commands::template_test::TestOptions as TemplateTestOptions;
use crate::commands::update::UpdateOptions;
use crate::core::error::{Error, Result};
use crate::dialect::cookiecutter::hooks;
use crate::project::user::UserConfig;
use crate::source::{DEFAULT_TEMPLATE, Source};

const EXIT_STATUS: &str = "Exit status: 0 success (check: up to date); 1 error, nothing was changed; \
                           2 command-line usage error; 3 update applied, conflicts remain (listed \
                           in the report; update --dry-run: would remain); 4 check: a newer template version exists; 128 + n \
                           stopped by a signal (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP), nothing was \
                           changed.";

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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// List the built-in templates with every version this groundwork carries, newest first; with a
    /// NAME, that template's versions and changelog
    Templates(TemplatesArgs),
    /// Work on a template's source
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Print a shell completion script on stdout (bash: `source <(groundwork completions bash)`)
    #[command(after_long_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print a manual page (roff) on stdout: groundwork(1), or a command's (`groundwork man new` is
    /// groundwork-new(1)); read one with `groundwork man | man -l -`
    Man(ManArgs),
    /// Show your configuration: the files read, the default template, default answers,
    /// abbreviations and git identity, each with where it comes from
    #[command(after_long_help = CONFIG_HELP)]
    Config,
}

const CONFIG_HELP: &str = "groundwork reads $XDG_CONFIG_HOME/groundwork/config.toml \
                           (~/.config/groundwork/config.toml; GROUNDWORK_CONFIG names another \
                           file): `template = \"gh:org/ds-template\"` for `new` without \
                           --template; `[defaults]` answers by question name (e.g. author_name = \
                           \"Team Alpha\"), which replace the templates' defaults but never an \
                           answer you type or give with -d or --data-file; `[abbreviations]` as \
                           cookiecutter's (`ds = \"https://git.example.com/{0}.git\"` makes \
                           `ds:churn` a source). For cookiecutter templates it also reads \
                           ~/.cookiecutterrc (or COOKIECUTTER_CONFIG): default_context and \
                           abbreviations. Templates' defaults may use your git user.name and \
                           user.email.";

const COMPLETIONS_HELP: &str = "Install: bash: `groundwork completions bash > \
                                ~/.local/share/bash-completion/completions/groundwork`; zsh: \
                                `groundwork completions zsh > ~/.zfunc/_groundwork` with ~/.zfunc \
                                on fpath before compinit; fish: `groundwork completions fish > \
                                ~/.config/fish/completions/groundwork.fish`; PowerShell: \
                                `groundwork completions powershell | Out-String | \
                                Invoke-Expression` in $PROFILE; elvish: `eval (groundwork \
                                completions elvish | slurp)` in rc.elv.";

#[derive(Debug, Args)]
pub(crate) struct TemplatesArgs {
    /// A built-in template: show its versions and its changelog's entries
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// The command whose page to print, such as `new` or `template release` (default: groundwork's
    /// own)
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TemplateCommand {
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
pub(crate) struct TemplateTestArgs {
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
    pub(crate) fn into_options(self) -> TemplateTestOptions {
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
pub(crate) struct TemplateCheckArgs {
    /// The template directory (the one holding template.toml)
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ReleaseArgs {
    /// The template directory (the one holding template.toml)
    pub dir: PathBuf,

    /// The new version: greater than every recorded release
    #[arg(long, value_name = "X.Y.Z", value_parser = parse_version)]
    pub version: semver::Version,

    /// Release even though git ignores or does not track some of the template's files (they are
    /// in the release record, but a commit, and so a tag, would leave them out)
    #[arg(long)]
    pub allow_ignored: bool,
}

fn parse_version(text: &str) -> Result<semver::Version, String> {
    semver::Version::parse(text)
        .map_err(|e| format!("{e} (expected a semver version such as 1.2.0)"))
}

/// Where answers come from; shared by every command that answers questions.
#[derive(Debug, Args)]
pub(crate) struct AnswerArgs {
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

// The usage line is written out: clap builds the one after a usage error from the arguments given,
// and a positional whose value name had to carry brackets (`DESTINATION] [KEY=VALUE`) came out as
// `<DESTINATION] [KEY=VALUE>...` there.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // each is an independent on/off flag of the command line
#[command(
    after_long_help = NEW_ARGS_HELP,
    override_usage = "groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]..."
)]
pub(crate) struct NewArgs {
    /// The directory to create (it must not exist or be empty, see --force), then answers as
    /// KEY=VALUE (like -d). Without a directory, a cookiecutter template's project folder is
    /// created inside --output-dir (default: the current directory) under the name it renders
    #[arg(value_name = "DESTINATION|KEY=VALUE")]
    pub args: Vec<String>,

    /// Built-in template name (see `groundwork templates`), a local directory (`./name`), a git
    /// repository (URL or path; `gh:`, `gl:` and `bb:` abbreviate GitHub, GitLab and Bitbucket);
    /// git tags `vX.Y.Z` are its versions
    /// (default: `template` in your configuration, else `datascience`)
    #[arg(short, long, value_name = "NAME|PATH|URL")]
    pub template: Option<String>,

    /// Which version: a release of a built-in template (`1.5.0`; `groundwork templates NAME` lists
    /// them; default: the newest), or a version, tag, branch or commit of a git template (default:
    /// the highest version tag; for a cookiecutter template, its default branch's head, or a local
    /// checkout's files as they are)
    #[arg(long = "ref", alias = "checkout", value_name = "REF")]
    pub reference: Option<String>,

    /// The template's folder inside the repository or directory
    #[arg(long, alias = "directory", value_name = "PATH")]
    pub subdir: Option<String>,

    /// Which of a cookiecutter template's nested templates (its `templates` key) to use, by key
    /// or title (default: ask, or the first with --defaults)
    #[arg(long, value_name = "NAME")]
    pub template_name: Option<String>,

    /// The folder the project is created in: DESTINATION is taken relative to it, and without a
    /// DESTINATION the project folder gets the name the cookiecutter template renders
    #[arg(short, long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    #[command(flatten)]
    pub answers: AnswerArgs,

    /// Write into a non-empty destination: overwrite the files the template writes, delete nothing
    #[arg(short, long, alias = "overwrite-if-exists")]
    pub force: bool,

    /// Write into a non-empty destination, leaving every file that already exists as it is
    #[arg(short, long)]
    pub skip_if_file_exists: bool,

    /// Print the files that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not run `git init` or make the initial commit
    #[arg(long)]
    pub no_git: bool,

    #[command(flatten)]
    pub hooks: HookArgs,

    /// When a hook fails, keep the project as the hooks left it (in the temporary folder they ran
    /// in, whose path is printed); the destination stays untouched
    #[arg(long, alias = "keep-project-on-failure")]
    pub keep_on_failure: bool,
}

/// Whether a cookiecutter template's hooks (its hooks/ scripts) run; shared by `new` and `update`.
#[derive(Debug, Args)]
pub(crate) struct HookArgs {
    /// Run a cookiecutter template's hooks (programs in its hooks/ folder) without asking. Without
    /// it a terminal asks; with no terminal, `new` stops and `update` renders without them
    #[arg(long, conflicts_with_all = ["no_hooks", "accept_hooks"])]
    pub trust: bool,

    /// Render a cookiecutter template that has hooks without running them
    #[arg(long, conflicts_with = "accept_hooks")]
    pub no_hooks: bool,

    /// Cookiecutter's form: yes is --trust, no is --no-hooks, ask asks at the terminal
    #[arg(long, value_name = "yes|no|ask", value_parser = ["yes", "no", "ask"])]
    pub accept_hooks: Option<String>,
}

impl HookArgs {
    pub(crate) fn accept(&self) -> hooks::Accept {
        match (self.accept_hooks.as_deref(), self.trust, self.no_hooks) {
            (Some("yes"), _, _) | (None, true, _) => hooks::Accept::Yes,
            (Some("no"), _, _) | (None, _, true) => hooks::Accept::No,
            _ => hooks::Accept::Ask,
        }
    }
}

const NEW_ARGS_HELP: &str = "An argument with `=` is an answer (KEY=VALUE); write a destination \
                             that holds `=` as `./NAME`. At most one destination may be given.";

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The project to update (or a folder inside it)
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

    /// Update even though tracked files have uncommitted changes or untracked files stand where
    /// the update writes
    #[arg(long)]
    pub allow_dirty: bool,

    // Hooks of a cookiecutter template run (only with consent) in temporary folders for the
    // renders of the recorded and the new version; without consent the base may be inexact
    #[command(flatten)]
    pub hooks: HookArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The project to check (or a folder inside it)
    #[arg(default_value = ".")]
    pub project: PathBuf,

    /// Print a JSON object (for CI and for tools that survey many repositories)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The project to compare with its template (or a folder inside it)
    #[arg(default_value = ".")]
    pub project: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct AdoptArgs {
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
pub(crate) struct RecoverArgs {
    /// The destination of the interrupted run (a project, or where a killed `new` was creating one)
    #[arg(default_value = ".")]
    pub destination: PathBuf,
}

impl RecoverArgs {
    pub(crate) fn into_options(self) -> crate::commands::recover::RecoverOptions {
        crate::commands::recover::RecoverOptions {
            destination: absolute(&self.destination),
        }
    }
}

/// Absolute, so that `.` has a parent and a name.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

impl NewArgs {
    /// Whether answers come from defaults rather than a prompt.
    pub(crate) fn unattended(&self) -> bool {
        self.answers.defaults
    }

    pub(crate) fn into_options(self, user: &UserConfig) -> Result<NewOptions> {
        let (destinations, mut data): (Vec<String>, Vec<String>) =
            self.args.into_iter().partition(|arg| !is_answer(arg));
        data.extend(self.answers.data);
        let output_dir = self.output_dir.as_deref().map(absolute);
        let target = match destinations.as_slice() {
            [] => Target::Inside(output_dir.unwrap_or_else(|| absolute(Path::new(".")))),
            [one] => Target::Dir(match output_dir {
                Some(dir) => dir.join(one),
                None => absolute(Path::new(one)),
            }),
            [_, extra, ..] => {
                return Err(Error::Usage(format!(
                    "`{extra}`: give one destination; answers are KEY=VALUE"
                )));
            }
        };
        let template = self
            .template
            .or_else(|| user.template.clone())
            .unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
        Ok(NewOptions {
            source: Source::classify(&user.expand(&template), self.subdir.as_deref())?,
            user: user.defaults(),
            reference: self.reference,
            template_name: self.template_name,
            target,
            data,
            data_file: self.answers.data_file,
            existing: if self.skip_if_file_exists {
                Existing::Skip
            } else if self.force {
                Existing::Overwrite
            } else {
                Existing::Refuse
            },
            dry_run: self.dry_run,
            git: !self.no_git,
            hooks: hooks::HookOptions {
                accept: self.hooks.accept(),
                keep_on_failure: self.keep_on_failure,
            },
        })
    }
}

/// `KEY=VALUE` rather than a destination: a `=` with a key before it that is not a path.
fn is_answer(arg: &str) -> bool {
    arg.split_once('=').is_some_and(|(key, _)| {
        !key.is_empty() && !key.contains(['/', '\\']) && !key.starts_with(['.', '~'])
    })
}

impl UpdateArgs {
    pub(crate) fn into_options(self, user: &UserConfig) -> UpdateOptions {
        UpdateOptions {
            project: absolute(&self.project),
            user: user.defaults(),
            to: self.to,
            data: self.answers.data,
            data_file: self.answers.data_file,
            dry_run: self.dry_run,
            allow_dirty: self.allow_dirty,
            hooks: self.hooks.accept(),
        }
    }
}

impl CheckArgs {
    pub(crate) fn into_options(self) -> CheckOptions {
        CheckOptions {
            project: absolute(&self.project),
            json: self.json,
        }
    }
}

impl DiffArgs {
    pub(crate) fn into_options(self) -> DiffOptions {
        DiffOptions {
            project: absolute(&self.project),
        }
    }
}

impl AdoptArgs {
    pub(crate) fn into_options(self, user: &UserConfig) -> Result<AdoptOptions> {
        let source = match &self.template {
            Some(template) => Some(Source::classify(
                &user.expand(template),
                self.subdir.as_deref(),
            )?),
            None => None,
        };
        Ok(AdoptOptions {
            project: absolute(&self.project),
            source,
            reference: self.reference,
            data: self.answers.data,
            data_file: self.answers.data_file,
            dry_run: self.dry_run,
            user: user.defaults(),
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
