//! Creating a project, the work of `groundwork new` and of `groundwork template test`'s
//! projects: load the template (a cookiecutter menu resolved to one entry), consent to its hooks,
//! answer its questions, render it with its answers file ([`crate::project::generate`]), then plan
//! it against the destination and write it in one transaction, with the first commit when asked.
//! Prints nothing: what the user should know travels in [`Rendered`] and [`Outcome`].

use std::path::{Path, PathBuf};

use crate::core::error::{Error, Result};
use crate::core::tree::Tree;
use crate::dialect::Template;
use crate::dialect::cookiecutter::hooks;
use crate::dialect::native::{self, Expressions};
use crate::project::destination_name;
use crate::source::{Loaded, Source};
use crate::template::answers::{Answers, Mode, Presets, Prompter, UserDefaults};
use crate::template::provenance::Provenance;
use crate::write::apply;
use crate::write::destination::Claim;
use crate::write::git;
use crate::write::plan::{self, Destination, Plan};

pub(crate) use crate::write::plan::Existing;

/// Validated options of `groundwork new`.
#[derive(Debug, Clone)]
pub struct NewOptions {
    pub target: Target,
    pub source: Source,
    /// `--ref`: a version, tag, branch or commit of a git template.
    pub reference: Option<String>,
    /// `--template-name`: the entry of a cookiecutter template menu.
    pub template_name: Option<String>,
    /// `KEY=VALUE` arguments, in the order given.
    pub data: Vec<String>,
    pub data_file: Option<PathBuf>,
    /// What to do with files already in the destination.
    pub existing: Existing,
    pub dry_run: bool,
    pub git: bool,
    /// Whether a cookiecutter template's hooks run (`--trust`, `--no-hooks`, `--keep-on-failure`).
    pub hooks: hooks::HookOptions,
    /// Defaults from the user's configuration (none for `template test`'s projects).
    pub user: UserDefaults,
}

/// Where the project goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// This directory (absolute).
    Dir(PathBuf),
    /// A folder inside this directory (absolute), named by the template (cookiecutter's rendered
    /// root folder), as `cookiecutter -o DIR` does.
    Inside(PathBuf),
}

/// A rendered project, not yet planned against the destination.
#[derive(Debug)]
pub struct Rendered {
    /// The project's directory (absolute).
    pub destination: PathBuf,
    pub template: Template,
    pub provenance: Provenance,
    pub answers: Answers,
    /// Every file of the project, the answers file included.
    pub tree: Tree,
    /// Things the user should know that did not stop the render (e.g. a git source used offline).
    pub warnings: Vec<String>,
    /// The template's `message_after`, rendered: printed after the project is written.
    pub message_after: Option<String>,
}

/// Loads the template, answers its questions and renders the project in memory. Questions go to
/// `prompter` when there is one; otherwise defaults are taken. Reads the destination only to refuse
/// a non-empty one early.
pub fn render(options: &NewOptions, mut prompter: Option<&mut dyn Prompter>) -> Result<Rendered> {
    // Refuse early: nobody should answer twenty questions to learn the directory was taken.
    if let Target::Dir(destination) = &options.target {
        refuse_taken(destination, options.existing)?;
    }
    let Loaded {
        template,
        provenance,
        mut warnings,
    } = load(options, prompter.as_deref_mut())?;
    if matches!(options.target, Target::Inside(_)) && !template.dialect.names_its_folder() {
        return Err(Error::NoDestination {
            template: provenance.source.clone(),
        });
    }

    let mut prompter = prompter;
    let (template, runner) = hooks::consent_for_new(
        template,
        &provenance,
        options.hooks,
        options.dry_run,
        hooks::reborrow(&mut prompter),
        &mut warnings,
    )?;
    let presets = Presets::given(options.data_file.as_deref(), &options.data)?
        .with_user(options.user.clone());
    let mode = match prompter {
        Some(prompter) => Mode::Interactive(prompter),
        None => Mode::Unattended,
    };
    let named = match &options.target {
        Target::Dir(destination) => destination,
        Target::Inside(output_dir) => output_dir,
    };
    let expressions = Expressions::new(&destination_name(named));
    let answers = template.collect(&presets, mode, &destination_name(named))?;
    warnings.extend(answers.warnings.iter().cloned());
    // Cookiecutter's output directory: where the project folder goes.
    let output_dir = match &options.target {
        Target::Dir(destination) => destination.parent().unwrap_or(destination),
        Target::Inside(output_dir) => output_dir,
    };
    let (folder, tree) = crate::project::generate::render_project_with(
        &template,
        &provenance,
        &answers,
        output_dir,
        runner.as_ref(),
    )?;
    let destination = match &options.target {
        Target::Dir(destination) => destination.clone(),
        Target::Inside(output_dir) => {
            let folder = folder.unwrap_or_default();
            if !is_folder_name(&folder) {
                return Err(Error::ProjectFolderName {
                    template: provenance.source.clone(),
                    name: folder,
                });
            }
            let destination = output_dir.join(folder);
            refuse_taken(&destination, options.existing)?;
            destination
        }
    };
    let message_after = native::message_after(&template.manifest, &expressions, &answers)?;
    Ok(Rendered {
        destination,
        template,
        provenance,
        answers,
        tree,
        warnings,
        message_after,
    })
}

fn refuse_taken(destination: &Path, existing: Existing) -> Result<()> {
    if existing == Existing::Refuse && plan::inspect(destination)? == Destination::NonEmpty {
        return Err(Error::DestinationNotEmpty {
            path: destination.to_owned(),
        });
    }
    Ok(())
}

/// One plain folder name: what a project folder inside --output-dir may be called.
fn is_folder_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(
        (components.next(), components.next()),
        (Some(std::path::Component::Normal(_)), None)
    ) && !name.contains('\\')
}

/// Loads the template; a cookiecutter menu of nested templates is resolved to the entry chosen by
/// --template-name, through the prompter, or (unattended) its first, as cookiecutter does.
fn load<'p>(options: &NewOptions, prompter: Option<&mut (dyn Prompter + 'p)>) -> Result<Loaded> {
    let reference = options.reference.as_deref();
    let menu = match options.source.load(reference) {
        Err(Error::NestedTemplates { menu }) => menu,
        Ok(loaded) if options.template_name.is_none() => return Ok(loaded),
        Ok(loaded) => {
            return Err(Error::NoSuchNestedTemplate {
                template: loaded.provenance.source,
                name: options.template_name.clone().unwrap_or_default(),
                available: "none: it is not a menu".into(),
            });
        }
        Err(other) => return Err(other),
    };
    let chosen = match (&options.template_name, prompter) {
        (Some(name), _) => menu
            .iter()
            .find(|n| &n.key == name || &n.title == name)
            .ok_or_else(|| Error::NoSuchNestedTemplate {
                template: options.source.to_string(),
                name: name.clone(),
                available: menu
                    .iter()
                    .map(|n| n.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
        (None, Some(prompter)) => {
            let labels: Vec<String> = menu
                .iter()
                .map(crate::core::error::MenuEntry::label)
                .collect();
            let question = crate::template::Question::synthetic(
                "template",
                "Select a template",
                crate::template::Kind::Choice(labels.clone()),
            );
            let picked = prompter.select(&question, &labels, 0)?;
            crate::template::answers::chosen(&question, &menu, picked)?
        }
        (None, None) => menu.first().ok_or_else(|| Error::NoSuchNestedTemplate {
            template: options.source.to_string(),
            name: String::new(),
            available: "none".into(),
        })?,
    };
    options.source.nested(&chosen.path)?.load(reference)
}

/// What `new` did (or, for a dry run, would do): the plan, and what the report after it says.
#[derive(Debug)]
pub struct Outcome {
    pub plan: Plan,
    pub commit: Option<git::Commit>,
    /// The project's directory (absolute).
    pub destination: PathBuf,
    /// `name version` of the template.
    pub name: String,
    pub dry_run: bool,
    /// `--git` was asked for but the destination was already a repository with commits: the
    /// files are left uncommitted.
    pub left_uncommitted: bool,
    /// The template's `message_after`, rendered.
    pub message_after: Option<String>,
}

/// Takes the destination's lock before the questions when writing into an existing folder
/// (`--force`, `--skip-if-file-exists`), so a second run fails at once instead of rendering and
/// then overwriting what the first one wrote.
pub(crate) fn early_claim(options: &NewOptions) -> Result<Option<Claim>> {
    Ok(match &options.target {
        Target::Dir(destination)
            if !options.dry_run
                && options.existing != Existing::Refuse
                && std::fs::symlink_metadata(destination).is_ok_and(|m| m.is_dir()) =>
        {
            Some(Claim::acquire(destination)?)
        }
        _ => None,
    })
}

/// Plans the rendered project against its destination and, unless this is a dry run, writes it
/// (and makes the first commit when asked). `early` is the lock [`early_claim`] took.
pub(crate) fn write(
    options: &NewOptions,
    early: Option<Claim>,
    rendered: Rendered,
) -> Result<Outcome> {
    let Rendered {
        destination,
        template,
        tree,
        message_after,
        ..
    } = rendered;
    // The claim is the exclusive right to the destination for the rest of the run; the plan is
    // decided through it, so what another process did before it counts and nothing after it can.
    let claim = match early {
        Some(claim) if claim.path() == destination => claim,
        early => {
            // A lock is per open file: this run's own early one must go before it locks again.
            drop(early);
            if options.dry_run {
                Claim::inspect(&destination)?
            } else {
                Claim::acquire(&destination)?
            }
        }
    };
    let plan = plan::plan_new(&tree, &claim, options.existing)?;
    let name = format!("{} {}", template.manifest.name, template.manifest.version);
    let mut outcome = Outcome {
        plan,
        commit: None,
        destination,
        name,
        dry_run: options.dry_run,
        left_uncommitted: false,
        message_after,
    };
    if options.dry_run {
        return Ok(outcome);
    }

    // A repository with no commit yet (a bare `git init`) gets the first commit; any other
    // repository is left for the user to review.
    let plan = &outcome.plan;
    let existing_repo = !plan.fresh
        && git::is_repository(&outcome.destination)
        && !git::is_unborn(&outcome.destination);
    let make_commit = options.git && !existing_repo;
    let message = format!("Initial commit from groundwork template {}", outcome.name);
    let mut commit = None;
    apply::apply(plan, &claim, |root, files, finishing| {
        if !make_commit {
            return Ok(());
        }
        // A forced write commits only the template's files; others stay untracked. A `.git` this
        // run makes is part of the transaction: a failure here, or a kill, removes it with the
        // files (the journal records it before `git init`).
        let only = (!plan.fresh).then_some(files);
        finishing.will_create(".git")?;
        // A repository without commits was there already: what the commit changes in it (the
        // index above all, where the run's files get staged) is put back by a rollback too.
        for file in git::files_a_commit_changes(root) {
            finishing.will_change(&file)?;
        }
        commit = Some(git::init_and_commit(root, &message, only)?);
        Ok(())
    })?;
    outcome.commit = commit;
    outcome.left_uncommitted = existing_repo && options.git;
    Ok(outcome)
}
