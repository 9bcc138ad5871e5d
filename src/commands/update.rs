//! `groundwork update`: merge a newer template version (or changed answers) into a project.
//! base = the pristine render of what the answers file records; theirs = the render of the new
//! version with the new answers; ours = the disk. The per-path decisions are `merge`'s; this module
//! composes them into one plan ([`compute`]), which is applied atomically, answers file last
//! ([`apply`]), and then reported ([`print`]). Run from a folder inside a project, it updates that
//! project ([`crate::project::discover`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use crate::commands::{Notice, print_notices, report_after_writing, stdout_error};
use crate::core::error::{EXIT_CONFLICTS, Error, Result};
use crate::core::file::{Action, FileState};
use crate::dialect::cookiecutter::hooks;
use crate::merge::{self, FROM_TEMPLATE_SUFFIX, Labels, Resolution};
use crate::project::pristine::{Pristine, Project};
use crate::source::Loaded;
use crate::template::answers::{ANSWERS_FILE, Mode, Presets, Prompter, UserDefaults};
use crate::template::changelog;
use crate::write::apply;
use crate::write::destination::Claim;
use crate::write::git;
use crate::write::plan::{self, Change, Digest, Expected, Op, Plan};

/// Validated options of `groundwork update`.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// The project, or a folder inside it.
    pub project: PathBuf,
    /// `--to`: a version, tag, branch or commit; `None` is the newest version.
    pub to: Option<String>,
    pub data: Vec<String>,
    pub data_file: Option<PathBuf>,
    pub dry_run: bool,
    pub allow_dirty: bool,
    /// Whether a cookiecutter template's hooks run for the renders (`--trust`).
    pub hooks: crate::dialect::cookiecutter::hooks::Accept,
    /// Defaults from the user's configuration (none for `template test`'s projects).
    pub user: UserDefaults,
}

/// What an update decided (and, once [`apply`]d, did; for a dry run, would do): the plan, the
/// report of every path, and what the user should know.
#[derive(Debug)]
pub struct Outcome {
    pub plan: Plan,
    /// Paths left for the user to resolve.
    pub conflicts: Vec<String>,
    /// 0, or [`EXIT_CONFLICTS`] when the update leaves conflicts (or, for a dry run, would).
    pub exit_code: i32,
    /// The project is already at the new version with these answers: the plan writes nothing.
    pub nothing_to_do: bool,
    /// The project's directory.
    pub root: PathBuf,
    /// `name version` of the recorded template and of the new one.
    pub from: String,
    pub to: String,
    pub summary: Summary,
    /// One line per answer that is not as recorded, and why (carried over a rename, given now,
    /// a new question).
    pub answer_changes: Vec<String>,
    /// The new version's changelog sections for the versions this update brings, newest first.
    pub(crate) changelog: Vec<changelog::Entry>,
    /// Warnings from loading and rendering both versions, each once.
    pub notices: Vec<Notice>,
    pub dry_run: bool,
    /// The project's lock, held from before the disk is read until the plan is applied; `None`
    /// for a dry run.
    claim: Option<Claim>,
}

/// The report's body: one row per path that is not unchanged, then the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub rows: Vec<Row>,
    /// How many paths ended with each outcome, in [`rank`] order.
    pub counts: Vec<(&'static str, usize)>,
    pub files: usize,
    /// Paths that need the user.
    pub conflicts: usize,
    pub lines_added: usize,
    pub lines_removed: usize,
}

/// One path of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub label: &'static str,
    pub path: String,
    /// Where the template moved the file from.
    pub moved_from: Option<String>,
    /// Lines added and removed on disk, when the path is written or deleted.
    pub stat: Option<(usize, usize)>,
    pub detail: Option<String>,
}

/// Everything an update decided, before anything is written.
struct Prepared {
    project: Project,
    resolutions: Vec<Resolution>,
    ours: BTreeMap<String, FileState>,
    plan: Plan,
    from: String,
    to: String,
    answer_changes: Vec<String>,
    changelog: Vec<changelog::Entry>,
    warnings: Vec<String>,
}

/// Decides the update: renders the recorded version (the base) and the new one, reads the disk,
/// merges and plans. Writes nothing; the project stays locked (unless a dry run) until the
/// outcome is dropped.
pub(crate) fn compute(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
) -> Result<Outcome> {
    let root = crate::project::discover::project_root(&options.project)?;
    // The lock covers reading the disk (ours) as well as writing: nothing may change in between.
    let claim = if options.dry_run {
        None
    } else {
        Some(Claim::acquire(&root)?)
    };
    let mut prepared = prepare(options, &root, prompter)?;
    // The base and the new version often warn alike (one source, one cache).
    let mut seen = std::collections::HashSet::new();
    prepared.warnings.retain(|w| seen.insert(w.clone()));
    let conflicts: Vec<String> = prepared
        .resolutions
        .iter()
        .filter(|r| r.conflict)
        .map(|r| r.path.clone())
        .collect();
    let summary = summarize(&prepared.resolutions, &prepared.ours);
    let exit_code = if conflicts.is_empty() {
        0
    } else {
        EXIT_CONFLICTS
    };
    let nothing_to_do = conflicts.is_empty() && prepared.plan.changes_nothing();
    Ok(Outcome {
        plan: prepared.plan,
        conflicts,
        exit_code,
        nothing_to_do,
        root: prepared.project.root,
        from: prepared.from,
        to: prepared.to,
        summary,
        answer_changes: prepared.answer_changes,
        changelog: prepared.changelog,
        notices: Notice::warnings(prepared.warnings).collect(),
        dry_run: options.dry_run,
        claim,
    })
}

/// Applies the planned update (nothing for a dry run, or when there is nothing to change).
pub(crate) fn apply(outcome: &Outcome) -> Result<()> {
    match &outcome.claim {
        Some(claim) if !outcome.nothing_to_do => {
            apply::apply(&outcome.plan, claim, |_, _, _| Ok(()))
        }
        _ => Ok(()),
    }
}

/// Prints the report. After a real update the files are written: failing to print the report is
/// a warning, not a failure.
pub(crate) fn print(outcome: &Outcome, out: &mut dyn Write) -> Result<()> {
    let root = outcome.root.display();
    let (from, to) = (&outcome.from, &outcome.to);
    let report = &outcome.summary;
    let conflicts = &outcome.conflicts;
    if outcome.nothing_to_do {
        // The same for a dry run: the real run would say so and write nothing either.
        return writeln!(out, "{root} is already at {to}: nothing to update.")
            .map_err(stdout_error);
    }
    if outcome.dry_run {
        let mut text =
            format!("Dry run: updating {root} from {from} to {to} would do:\n{report}\n");
        if !conflicts.is_empty() {
            let _ = writeln!(
                text,
                "Conflicts would remain in {} file(s): {}.",
                conflicts.len(),
                conflicts.join(", ")
            );
        }
        text.push_str("Nothing was written.\n");
        push_answer_changes(&mut text, outcome);
        push_changelog(&mut text, outcome);
        return write!(out, "{text}").map_err(stdout_error);
    }
    let mut text = format!("Updated {root} from {from} to {to}:\n{report}\n");
    if conflicts.is_empty() {
        text.push_str("Review the changes (git diff), then commit them with the answers file.\n");
    } else {
        let _ = writeln!(
            text,
            "Conflicts remain in {} file(s): {}. Resolve them (search for <<<<<<< markers, compare files beside their originals), then commit.",
            conflicts.len(),
            conflicts.join(", ")
        );
    }
    push_answer_changes(&mut text, outcome);
    push_changelog(&mut text, outcome);
    report_after_writing(out, &text, &outcome.root);
    Ok(())
}

/// Adds to `ours` the files an earlier update wrote beside binary conflicts: the merge must not
/// overwrite them.
fn read_beside(
    project: &Project,
    paths: &BTreeSet<&str>,
    ours: &mut BTreeMap<String, FileState>,
) -> Result<()> {
    let reader = plan::Reader::open(&project.root)?;
    for path in paths {
        for n in 0.. {
            let beside = match n {
                0 => format!("{path}{FROM_TEMPLATE_SUFFIX}"),
                n => format!("{path}{FROM_TEMPLATE_SUFFIX}.{n}"),
            };
            // A symlink, a directory or an unreadable file at one of these names is an error,
            // not a free slot: the merge would otherwise plan to write there.
            match reader.read(&beside)? {
                Some(state) => {
                    ours.insert(beside, state);
                }
                None => break,
            }
        }
    }
    Ok(())
}

/// The answers the new version renders with that differ from the recorded ones (`carried` holds
/// those after migrations), each with its reason.
fn changed_answers(
    carried: &serde_json::Map<String, serde_json::Value>,
    presets: &Presets,
    answers: &crate::template::answers::Answers,
    manifest: &crate::template::Manifest,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, value) in answers.recorded() {
        // Secret answers are never recorded, so never compared (nor shown).
        if manifest
            .questions
            .iter()
            .any(|q| q.name == name && q.secret)
        {
            continue;
        }
        let now = value.to_json();
        match carried.get(name) {
            None => lines.push(format!(
                "{name} = {now} (new in {} {})",
                manifest.name, manifest.version
            )),
            Some(before) if *before != now => {
                let why = presets
                    .values
                    .get(name)
                    .map_or_else(|| "changed".to_owned(), |(_, origin, _)| origin.clone());
                lines.push(format!("{name} = {now} (was {before}; {why})"));
            }
            Some(_) => {}
        }
    }
    lines
}

/// The answers that changed, after the report.
fn push_answer_changes(text: &mut String, outcome: &Outcome) {
    if outcome.answer_changes.is_empty() {
        return;
    }
    let _ = writeln!(text, "\nAnswers:");
    for line in &outcome.answer_changes {
        let _ = writeln!(text, "  {line}");
    }
}

/// The changelog sections of the versions the update brings, after the report.
fn push_changelog(text: &mut String, outcome: &Outcome) {
    if outcome.changelog.is_empty() {
        return;
    }
    let _ = writeln!(text, "\nWhat changed, from the template's changelog:");
    for entry in &outcome.changelog {
        let _ = writeln!(text, "\n## {}\n{}", entry.title(), entry.text);
    }
}

/// `groundwork update`: [`compute`], its warnings on stderr, [`apply`], [`print`].
pub fn run(
    options: &UpdateOptions,
    prompter: Option<&mut dyn Prompter>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let outcome = compute(options, prompter)?;
    print_notices(&outcome.notices);
    apply(&outcome)?;
    print(&outcome, out)?;
    Ok(outcome)
}

/// Decides the update of the project at `root`. A dry run refuses exactly as the real run does:
/// tracked changes anywhere in the work tree before anything is rendered, untracked files once
/// the plan shows it would write where they are.
fn prepare(
    options: &UpdateOptions,
    root: &std::path::Path,
    mut prompter: Option<&mut dyn Prompter>,
) -> Result<Prepared> {
    let project = Project::open(root)?;
    let uncommitted = if options.allow_dirty {
        git::Uncommitted::default()
    } else {
        git::uncommitted(&project.root)?
    };
    if !uncommitted.tracked.is_empty() {
        return Err(Error::DirtyWorktree {
            path: project.root.clone(),
            changes: git::summary(&uncommitted.tracked),
        });
    }

    let (base, theirs, runner, mut warnings) =
        load_versions(&project, options, hooks::reborrow(&mut prompter))?;

    // Answers the user gives now must all be known to the new version; recorded ones that it no
    // longer asks are dropped with a note, and questions new in it are asked (or defaulted).
    let manifest = &theirs.template.manifest;
    let mut presets = Presets::given(options.data_file.as_deref(), &options.data)?
        .with_user(options.user.clone());
    presets.check_known(manifest)?;
    let (carried, mut answer_changes) =
        presets.add_recorded_migrated(&project.recorded, manifest)?;
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
    answer_changes.extend(changed_answers(&carried, &presets, &new_answers, manifest));
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
    // Always there: `render_project_with` adds it to every tree (the default is never taken).
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
    read_beside(&project, &paths, &mut ours)?;
    let from = format!(
        "{} {}",
        base.loaded.template.manifest.name, base.loaded.provenance.version
    );
    let to = format!("{} {}", manifest.name, theirs.provenance.version);
    let changelog = changelog::of_files(
        &theirs.template.files,
        &base.loaded.provenance.version,
        &theirs.provenance.version,
    );
    let labels = Labels {
        base: format!("{from} (base)"),
        ours: "yours".into(),
        theirs: to.clone(),
    };
    let resolutions = merge::merge_trees(&base_tree, &theirs_tree, &ours, &labels);
    let plan = plan_update(&project, &resolutions, &ours, answers_file)?;
    // Untracked files elsewhere are no reason to stop; the ones the update would write over are,
    // since git could not show or undo what it did to them.
    let in_the_way = plan.in_the_way(&uncommitted.untracked);
    if !in_the_way.is_empty() {
        return Err(Error::UntrackedInTheWay {
            path: project.root.clone(),
            files: in_the_way.join(", "),
        });
    }
    Ok(Prepared {
        project,
        resolutions,
        ours,
        plan,
        from,
        to,
        answer_changes,
        changelog,
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
    let mut base_loaded = project.load_recorded_exact()?;
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
) -> Result<Plan> {
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
            Some(state) => Change::Write(state.clone()),
            None => Change::Nothing,
        };
        ops.push(Op {
            path: resolution.path.clone(),
            action: resolution.outcome.clone(),
            change,
            expected: expected(&resolution.path),
        });
    }
    // An answers file that cannot be read now (replaced by a symlink since the project was
    // opened, say) stops the update: taken for absent, it would be overwritten.
    let current = plan::read_existing(&project.root, ANSWERS_FILE)?.map(|state| state.contents);
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
    Ok(Plan {
        destination: project.root.clone(),
        fresh: false,
        ops,
    })
}

/// Where an outcome's count stands in the summary line: changes first. The match has no catch-all,
/// so an action added to [`Action`] must be given its place here.
fn rank(action: &Action) -> u8 {
    match action {
        Action::Updated => 0,
        Action::Merged => 1,
        Action::Moved { .. } => 2,
        Action::Added => 3,
        Action::Removed => 4,
        Action::Kept => 5,
        Action::Conflict => 6,
        Action::LeftDeleted => 7,
        Action::Unchanged => 8,
        // `new`'s own actions: the merge never reports them.
        Action::Create | Action::Overwrite | Action::Skipped => 9,
    }
}

/// Every path that is not unchanged, with its outcome and a diffstat, then the counts.
fn summarize(resolutions: &[Resolution], ours: &BTreeMap<String, FileState>) -> Summary {
    let mut rows = Vec::new();
    let mut counts: Vec<(Action, usize)> = Vec::new();
    let (mut lines_added, mut lines_removed) = (0, 0);
    for resolution in resolutions {
        // A conflict counts as one whatever the merge did at the path.
        let action = if resolution.conflict {
            Action::Conflict
        } else {
            resolution.outcome.clone()
        };
        match counts
            .iter_mut()
            .find(|(counted, _)| counted.label() == action.label())
        {
            Some((_, n)) => *n += 1,
            None => counts.push((action.clone(), 1)),
        }
        if action == Action::Unchanged {
            continue;
        }
        let before = ours.get(&resolution.path).map_or(&[][..], |s| &s.contents);
        let stat = match (&resolution.write, resolution.delete) {
            (Some(after), _) => Some(merge::line_stats(before, &after.contents)),
            (None, true) => Some((0, merge::line_stats(before, &[]).1)),
            (None, false) => None,
        };
        if let Some((plus, minus)) = stat {
            lines_added += plus;
            lines_removed += minus;
        }
        rows.push(Row {
            label: action.label(),
            path: resolution.path.clone(),
            moved_from: match &resolution.outcome {
                Action::Moved { from } => Some(from.clone()),
                _ => None,
            },
            stat,
            detail: resolution.detail.clone(),
        });
    }
    counts.sort_by_key(|(action, _)| rank(action));
    Summary {
        rows,
        counts: counts
            .into_iter()
            .map(|(action, n)| (action.label(), n))
            .collect(),
        files: resolutions.len(),
        conflicts: resolutions.iter().filter(|r| r.conflict).count(),
        lines_added,
        lines_removed,
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for row in &self.rows {
            write!(f, "  {:<12} {}", row.label, row.path)?;
            if let Some(from) = &row.moved_from {
                write!(f, " (from {from})")?;
            }
            if let Some((plus, minus)) = row.stat {
                write!(f, "  +{plus} -{minus}")?;
            }
            if let Some(detail) = &row.detail {
                write!(f, "  ({detail})")?;
            }
            writeln!(f)?;
        }
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(l, n)| format!("{n} {l}"))
            .collect();
        write!(
            f,
            "{} files: {}; {} lines added, {} removed; {} conflict(s)",
            self.files,
            counts.join(", "),
            self.lines_added,
            self.lines_removed,
            self.conflicts
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolution(path: &str, outcome: Action) -> Resolution {
        Resolution {
            path: path.to_owned(),
            outcome,
            write: None,
            delete: false,
            conflict: false,
            detail: None,
        }
    }

    #[test]
    fn the_summary_counts_changes_first_and_a_conflict_whatever_the_merge_did() {
        let written = FileState {
            mode: None,
            contents: b"a\nb\n".to_vec(),
            executable: false,
        };
        let mut conflicted = resolution("c.txt", Action::Kept);
        conflicted.conflict = true;
        let resolutions = vec![
            resolution("z.txt", Action::Unchanged),
            conflicted,
            resolution("n.txt", Action::LeftDeleted),
            Resolution {
                write: Some(written.clone()),
                ..resolution("new.txt", Action::Added)
            },
            Resolution {
                write: Some(written),
                ..resolution(
                    "m.txt",
                    Action::Moved {
                        from: "o.txt".into(),
                    },
                )
            },
            resolution("u.txt", Action::Unchanged),
        ];
        let summary = summarize(&resolutions, &BTreeMap::new());
        assert_eq!(
            summary.to_string(),
            "  conflict     c.txt\n  left deleted n.txt\n  added        new.txt  +2 -0\n  moved        m.txt (from o.txt)  +2 -0\n6 files: 1 moved, 1 added, 1 conflict, 1 left deleted, 2 unchanged; 4 lines added, 0 removed; 1 conflict(s)"
        );
    }
}
