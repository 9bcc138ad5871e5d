//! `groundwork new`: load a template, answer its questions, render, plan, apply, commit.
//! A composition of the other modules; the only decisions here are their order and what is printed.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::answers::{self, Answers, Mode, Presets, Prompter};
use crate::apply;
use crate::destination::Claim;
use crate::error::{Error, Result};
use crate::git;
use crate::plan::{self, Destination, Plan};
use crate::render::{self, Expressions};
use crate::source::{Loaded, Provenance, Source};
use crate::template::Dialect;
use crate::template::Template;
use crate::tree::Tree;

/// Validated options of `groundwork new`.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools)] // each is an independent on/off flag of the command line
pub struct NewOptions {
    pub destination: PathBuf,
    pub source: Source,
    /// `--ref`: a version, tag, branch or commit of a git template.
    pub reference: Option<String>,
    /// `KEY=VALUE` arguments, in the order given.
    pub data: Vec<String>,
    pub data_file: Option<PathBuf>,
    pub force: bool,
    pub dry_run: bool,
    pub git: bool,
    /// `--no-hooks`: render a template that has hooks without running them.
    pub no_hooks: bool,
}

#[derive(Debug)]
pub struct Outcome {
    pub plan: Plan,
    pub commit: Option<git::Commit>,
}

/// A rendered project, not yet planned against the destination.
#[derive(Debug)]
pub struct Rendered {
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
pub fn render(options: &NewOptions, prompter: Option<&mut dyn Prompter>) -> Result<Rendered> {
    // Refuse early: nobody should answer twenty questions to learn the directory was taken.
    let state = plan::inspect(&options.destination)?;
    if state == Destination::NonEmpty && !options.force {
        return Err(Error::DestinationNotEmpty {
            path: options.destination.clone(),
        });
    }
    let Loaded {
        template,
        provenance,
        mut warnings,
    } = options.source.load(options.reference.as_deref())?;

    if let Dialect::Cookiecutter(cookiecutter) = &template.dialect
        && cookiecutter.has_hooks()
        && !options.no_hooks
    {
        return Err(Error::HooksNotRun {
            template: provenance.source.clone(),
            hooks: cookiecutter.hooks().join(", "),
        });
    }
    let presets = Presets::given(options.data_file.as_deref(), &options.data)?;
    let mode = match prompter {
        Some(prompter) => Mode::Interactive(prompter),
        None => Mode::Unattended,
    };
    let expressions = Expressions::new(&destination_name(&options.destination));
    let answers = answers::collect_for(&template, &presets, mode, &expressions)?;
    warnings.extend(answers.warnings.iter().cloned());
    let tree = render::render_project(&template, &provenance, &answers)?;
    let message_after = template
        .manifest
        .message_after
        .as_deref()
        .map(|text| {
            expressions
                .file_scope(&answers)
                .render(text)
                .map_err(|message| Error::Render {
                    path: template.manifest.path.display().to_string(),
                    message: format!("`message_after`: {message}"),
                })
        })
        .transpose()?;
    Ok(Rendered {
        template,
        provenance,
        answers,
        tree,
        warnings,
        message_after,
    })
}

/// Creates a project: [`render`], plan, then apply (or print the plan for a dry run).
pub fn run(
    options: &NewOptions,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let Rendered {
        template,
        tree,
        warnings,
        message_after,
        ..
    } = render(options, prompter)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    // The claim is the exclusive right to the destination for the rest of the run; the plan is
    // decided through it, so what another process did before it counts and nothing after it can.
    let claim = if options.dry_run {
        Claim::inspect(&options.destination)?
    } else {
        Claim::acquire(&options.destination)?
    };
    let plan = plan::plan_new(&tree, &claim, options.force)?;
    let name = format!("{} {}", template.manifest.name, template.manifest.version);
    if options.dry_run {
        writeln!(out, "Dry run: {name} would write:").map_err(stdout_error)?;
        writeln!(out, "{plan}").map_err(stdout_error)?;
        writeln!(out, "Nothing was written.").map_err(stdout_error)?;
        return Ok(Outcome { plan, commit: None });
    }

    // A repository with no commit yet (a bare `git init`) gets the first commit; any other
    // repository is left for the user to review.
    let existing_repo = !plan.fresh
        && git::is_repository(&options.destination)
        && !git::is_unborn(&options.destination);
    let make_commit = options.git && !existing_repo;
    let message = format!("Initial commit from groundwork template {name}");
    let mut commit = None;
    let fresh = plan.fresh;
    apply::apply(&plan, &claim, |root, files, finishing| {
        if !make_commit {
            return Ok(());
        }
        // A forced write commits only the template's files; others stay untracked. A `.git` this
        // run makes is part of the transaction: a failure here, or a kill, removes it with the
        // files (the journal records it before `git init`).
        let only = (!fresh).then_some(files);
        finishing.will_create(".git")?;
        commit = Some(git::init_and_commit(root, &message, only)?);
        Ok(())
    })?;

    // The project exists now: failing to say so is a warning, not a failure.
    let mut report = String::new();
    let _ = writeln!(
        report,
        "Created {} from {name}: {} files ({} new, {} overwritten).",
        options.destination.display(),
        plan.ops.len(),
        plan.count("create"),
        plan.count("overwrite"),
    );
    match &commit {
        Some(c) => {
            let _ = writeln!(
                report,
                "git: initialised on branch {} with commit {}.",
                c.branch,
                &c.id[..12]
            );
            if !c.author_from_config {
                let _ = writeln!(
                    report,
                    "note: git config has no user.name/user.email; the commit author is groundwork <groundwork@localhost>. Set them with `git config --global user.name ...` and amend if you like."
                );
            }
        }
        None if existing_repo && options.git => {
            let _ = writeln!(
                report,
                "git: {} is already a repository; the changes are left uncommitted for you to review.",
                options.destination.display()
            );
        }
        None => {}
    }
    if let Some(message) = message_after {
        let _ = writeln!(report, "{}", message.trim_end());
    }
    report_after_writing(out, &report, &options.destination);
    Ok(Outcome { plan, commit })
}

/// The last component of the destination, offered to question defaults.
pub fn destination_name(destination: &Path) -> String {
    let absolute = std::path::absolute(destination).unwrap_or_else(|_| destination.to_owned());
    absolute
        .components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Prints what a command did once its writes are done. Those writes stand whatever happens to
/// stdout, so a failure here is a warning on stderr and the exit status stays the command's.
pub fn report_after_writing(out: &mut dyn Write, report: &str, written: &Path) {
    if let Err(e) = out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
        eprintln!(
            "warning: cannot write to stdout: {e}; {} was written all the same",
            written.display()
        );
    }
}

pub fn stdout_error(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}
