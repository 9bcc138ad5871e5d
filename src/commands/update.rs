//! `groundwork update`: merge a newer template version (or changed answers) into a project.
//! base = the pristine render of what the answers file records; theirs = the render of the new
//! version with the new answers; ours = the disk. The per-path decisions are `merge`'s; this module
//! composes them into one plan, prints the report and applies it atomically, answers file last.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use crate::commands::new::{report_after_writing, stdout_error};
use crate::core::error::{EXIT_CONFLICTS, Error, Result};
use crate::core::file::{Action, FileState};
use crate::dialect::cookiecutter::hooks;
use crate::merge::{self, FROM_TEMPLATE_SUFFIX, Labels, Resolution};
use crate::project::pristine::{Pristine, Project};
use crate::source::Loaded;
use crate::template::answers::{ANSWERS_FILE, Mode, Presets, Prompter};
use crate::write::apply;
use crate::write::destination::Claim;
use crate::write::git;
use crate::write::plan::{self, Change, Digest, Expected, Op, Plan};

/// Validated options of `groundwork update`.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub project: PathBuf,
    /// `--to`: a version, tag, branch or commit; `None` is the newest version.
    pub to: Option<String>,
    pub data: Vec<String>,
    pub data_file: Option<PathBuf>,
    pub dry_run: bool,
    pub allow_dirty: bool,
    /// Whether a cookiecutter template's hooks run for the renders (`--trust`).
    pub hooks: crate::dialect::cookiecutter::hooks::Accept,
}

/// What an update did (or, for a dry run, would do).
#[derive(Debug)]
pub struct Outcome {
    pub plan: Plan,
    pub conflicts: Vec<String>,
    pub exit_code: i32,
}

/// Everything an update decided, before anything is written.
struct Prepared {
    project: Project,
    resolutions: Vec<Resolution>,
    ours: BTreeMap<String, FileState>,
    plan: Plan,
    from: String,
    to: String,
    warnings: Vec<String>,
}

pub fn run(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    // The lock covers reading the disk (ours) as well as writing: nothing may change in between.
    let claim = if options.dry_run {
        None
    } else {
        Some(Claim::acquire(&options.project)?)
    };
    let mut prepared = prepare(options, prompter)?;
    // The base and the new version often warn alike (one source, one cache).
    let mut seen = std::collections::HashSet::new();
    prepared.warnings.retain(|w| seen.insert(w.clone()));
    for warning in &prepared.warnings {
        crate::core::report::warning(format_args!("{warning}"));
    }
    let conflicts: Vec<String> = prepared
        .resolutions
        .iter()
        .filter(|r| r.conflict)
        .map(|r| r.path.clone())
        .collect();
    let report = report(&prepared.resolutions, &prepared.ours, &conflicts);
    let root = prepared.project.root.display();
    let (from, to) = (&prepared.from, &prepared.to);
    let print = |out: &mut dyn Write, text: &str| writeln!(out, "{text}").map_err(stdout_error);
    if options.dry_run {
        print(
            out,
            &format!("Dry run: updating {root} from {from} to {to} would do:"),
        )?;
        print(out, &report)?;
        print(out, "Nothing was written.")?;
        return Ok(Outcome {
            plan: prepared.plan,
            conflicts,
            exit_code: 0,
        });
    }

    if let Some(claim) = &claim {
        apply::apply(&prepared.plan, claim, |_, _, _| Ok(()))?;
    }
    // The update is applied: failing to print the report is a warning, not a failure.
    let mut text = format!("Updated {root} from {from} to {to}:\n{report}\n");
    let exit_code = if conflicts.is_empty() {
        text.push_str("Review the changes (git diff), then commit them with the answers file.\n");
        0
    } else {
        let _ = writeln!(
            text,
            "Conflicts remain in {} file(s): {}. Resolve them (search for <<<<<<< markers, compare files beside their originals), then commit.",
            conflicts.len(),
            conflicts.join(", ")
        );
        EXIT_CONFLICTS
    };
    report_after_writing(out, &text, &prepared.project.root);
    Ok(Outcome {
        plan: prepared.plan,
        conflicts,
        exit_code,
    })
}

fn prepare(options: &UpdateOptions, mut prompter: Option<&mut dyn Prompter>) -> Result<Prepared> {
    let project = Project::open(&options.project)?;
    if !options.allow_dirty
        && !options.dry_run
        && let Some(changes) = git::dirty_changes(&project.root)?
    {
        return Err(Error::DirtyWorktree {
            path: project.root.clone(),
            changes,
        });
    }

    let (base, theirs, runner, mut warnings) =
        load_versions(&project, options, hooks::reborrow(&mut prompter))?;

    // Answers the user gives now must all be known to the new version; recorded ones that it no
    // longer asks are dropped with a note, and questions new in it are asked (or defaulted).
    let manifest = &theirs.template.manifest;
    let mut presets = Presets::given(options.data_file.as_deref(), &options.data)?;
    presets.check_known(manifest)?;
    presets.add_recorded(&project.recorded);
    for dropped in presets.retain_known(manifest) {
        warnings.push(format!(
            "answer `{dropped}` is no longer asked by {} {}; it is dropped",
            manifest.name, manifest.version
        ));
    }
    let mode = match prompter {
        Some(prompter) => Mode::Interactive(prompter),
        None => Mode::Unattended,
    };
    let new_answers =
        theirs
            .template
            .dialect
            .collect(&theirs.template, &presets, mode, &project.name())?;
    warnings.extend(new_answers.warnings.iter().cloned());
    let (_, mut theirs_tree) = crate::project::generate::render_project_with(
        &theirs.template,
        &theirs.provenance,
        &new_answers,
        project.output_dir(),
        runner.as_ref(),
    )?;

    // The answers file is groundwork's own record: always the new one, written last.
    let mut base_tree = base.tree;
    base_tree.remove(ANSWERS_FILE);
    let answers_file = theirs_tree
        .remove(ANSWERS_FILE)
        .map(|entry| entry.contents)
        .unwrap_or_default();

    let paths: BTreeSet<&str> = base_tree
        .iter()
        .chain(theirs_tree.iter())
        .map(|(path, _)| path)
        .collect();
    let mut ours = project.read(paths.iter().copied())?;
    // Files an earlier update wrote beside binary conflicts: the merge must not overwrite them.
    let reader = plan::Reader::open(&project.root)?;
    for path in &paths {
        for n in 0.. {
            let beside = match n {
                0 => format!("{path}{FROM_TEMPLATE_SUFFIX}"),
                n => format!("{path}{FROM_TEMPLATE_SUFFIX}.{n}"),
            };
            match reader.read(&beside) {
                Ok(Some(state)) => {
                    ours.insert(beside, state);
                }
                _ => break,
            }
        }
    }
    let from = format!(
        "{} {}",
        base.loaded.template.manifest.name, base.loaded.provenance.version
    );
    let to = format!("{} {}", manifest.name, theirs.provenance.version);
    let labels = Labels {
        base: format!("{from} (base)"),
        ours: "yours".into(),
        theirs: to.clone(),
    };
    let resolutions = merge::merge_trees(&base_tree, &theirs_tree, &ours, &labels);
    let plan = plan_update(&project, &resolutions, &ours, answers_file);
    Ok(Prepared {
        project,
        resolutions,
        ours,
        plan,
        from,
        to,
        warnings,
    })
}

/// The pristine render of the recorded version and the new version's template, with the runner
/// of their hooks when there is consent (hooks run in temporary folders for both renders, so the
/// base is what `new` made), and the warnings so far.
fn load_versions(
    project: &Project,
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<(
    Pristine,
    Loaded,
    Option<crate::dialect::Runner>,
    Vec<String>,
)> {
    let mut base_loaded = project.load_recorded()?;
    let mut theirs = project.source.load(options.to.as_deref())?;
    let mut hook_warnings = Vec::new();
    let runner = hooks::consent_for_update(
        &mut base_loaded.template,
        &mut theirs.template,
        &project.recorded.provenance.source,
        options.hooks,
        options.dry_run,
        prompter,
        &mut hook_warnings,
    )?;
    let base = project.pristine_from(base_loaded, runner.as_ref())?;
    let mut warnings = base.loaded.warnings.clone();
    warnings.extend(theirs.warnings.iter().cloned());
    warnings.extend(hook_warnings);
    Ok((base, theirs, runner, warnings))
}

/// Deletions first (so a file can become a directory), then writes, then the answers file.
fn plan_update(
    project: &Project,
    resolutions: &[Resolution],
    ours: &BTreeMap<String, FileState>,
    answers_file: Vec<u8>,
) -> Plan {
    let mut ops = Vec::new();
    let expected = |path: &str| Expected::of(ours.get(path));
    for resolution in resolutions.iter().filter(|r| r.delete) {
        ops.push(Op {
            path: resolution.path.clone(),
            action: resolution.outcome.clone(),
            change: Change::Delete,
            expected: expected(&resolution.path),
        });
    }
    for resolution in resolutions.iter().filter(|r| !r.delete) {
        let change = match &resolution.write {
            Some(state) => Change::Write(FileState {
                mode: None,
                contents: state.contents.clone(),
                executable: state.executable,
            }),
            None => Change::Nothing,
        };
        ops.push(Op {
            path: resolution.path.clone(),
            action: resolution.outcome.clone(),
            change,
            expected: expected(&resolution.path),
        });
    }
    let current = plan::read_existing(&project.root, ANSWERS_FILE)
        .ok()
        .flatten()
        .map(|state| state.contents);
    let answers_expected = match &current {
        Some(contents) => Expected::File(Digest::of(contents)),
        None => Expected::Absent,
    };
    let (action, change) = if current.as_deref() == Some(answers_file.as_slice()) {
        (Action::Unchanged, Change::Nothing)
    } else {
        (
            Action::Updated,
            Change::Write(FileState {
                mode: None,
                contents: answers_file,
                executable: false,
            }),
        )
    };
    ops.push(Op {
        path: ANSWERS_FILE.into(),
        action,
        change,
        expected: answers_expected,
    });
    Plan {
        destination: project.root.clone(),
        fresh: false,
        ops,
    }
}

/// The order of the outcome counts in the summary line: changes first.
const ORDER: [&str; 9] = [
    "updated",
    "merged",
    "moved",
    "added",
    "removed",
    "kept",
    "conflict",
    "left deleted",
    "unchanged",
];

/// Every path that is not unchanged, with its outcome and a diffstat, then the counts.
fn report(
    resolutions: &[Resolution],
    ours: &BTreeMap<String, FileState>,
    conflicts: &[String],
) -> String {
    let mut text = String::new();
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let (mut added_lines, mut removed_lines) = (0, 0);
    for resolution in resolutions {
        let action = resolution.outcome.clone();
        let label = if resolution.conflict {
            "conflict"
        } else {
            action.label()
        };
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
        if action == Action::Unchanged && !resolution.conflict {
            continue;
        }
        let before = ours.get(&resolution.path).map_or(&[][..], |s| &s.contents);
        let stat = match (&resolution.write, resolution.delete) {
            (Some(after), _) => {
                let (plus, minus) = merge::line_stats(before, &after.contents);
                added_lines += plus;
                removed_lines += minus;
                format!("+{plus} -{minus}")
            }
            (None, true) => {
                let (_, minus) = merge::line_stats(before, &[]);
                removed_lines += minus;
                format!("+0 -{minus}")
            }
            (None, false) => String::new(),
        };
        let mut line = format!("  {label:<12} {}", resolution.path);
        if let Action::Moved { from } = &action {
            let _ = write!(line, " (from {from})");
        }
        if !stat.is_empty() {
            let _ = write!(line, "  {stat}");
        }
        if let Some(detail) = &resolution.detail {
            let _ = write!(line, "  ({detail})");
        }
        let _ = writeln!(text, "{line}");
    }
    counts.sort_by_key(|(label, _)| ORDER.iter().position(|l| l == label));
    let summary: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {l}")).collect();
    let _ = write!(
        text,
        "{} files: {}; {} lines added, {} removed; {} conflict(s)",
        resolutions.len(),
        summary.join(", "),
        added_lines,
        removed_lines,
        conflicts.len()
    );
    text
}
