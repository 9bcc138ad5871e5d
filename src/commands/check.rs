//! `groundwork check`: is a newer version of the project's template available, and do the recorded
//! answers still validate? [`compute`] finds out (reading the project and the template source),
//! [`print`] shows the [`Report`] as text or JSON, and [`Report::exit_code`] is the status for CI.
//! Writes nothing.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::commands::stdout_error;
use crate::core::error::{EXIT_FAILURE, EXIT_OUTDATED, Result};
use crate::project::pristine::Project;
use crate::template::answers::{Mode, Presets};
use crate::template::changelog;

#[derive(Debug, Clone)]
pub(crate) struct CheckOptions {
    /// The project, or a folder inside it.
    pub project: PathBuf,
    pub json: bool,
}

/// The report, also the `--json` document.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub project: String,
    pub template: String,
    pub source: String,
    pub current: String,
    pub latest: String,
    pub up_to_date: bool,
    /// Every version newer than the current one, ascending (a cookiecutter template from git: its
    /// default branch's head, when that is not the recorded commit).
    pub newer: Vec<String>,
    pub answers_valid: bool,
    pub problems: Vec<String>,
    /// The recorded answers against the newest version's questions; `None` when up to date (or
    /// when the template follows a branch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<AnswersPreview>,
    /// The template's CHANGELOG entries for the newer versions, newest first.
    pub changelog: Vec<changelog::Entry>,
}

/// The recorded answers as the newest version would take them.
#[derive(Debug, Serialize)]
pub(crate) struct AnswersPreview {
    pub version: String,
    /// Questions the recorded answers do not answer: `update` asks them (or takes their defaults).
    pub new_questions: Vec<String>,
    /// Recorded answers the version no longer asks: `update` drops them.
    pub dropped: Vec<String>,
    /// Why `update --defaults` would stop on the answers, if it would.
    pub refused: Option<String>,
}

/// Reads the project and its template source, and reports how far the project is behind.
pub(crate) fn compute(options: &CheckOptions) -> Result<Report> {
    let project = Project::discover(&options.project)?;
    let current = project.recorded.provenance.version.clone();
    let mut problems = Vec::new();
    let pristine = project.pristine();
    let (name, answers_valid) = match &pristine {
        Ok(p) => (p.loaded.template.manifest.name.clone(), true),
        Err(e) => {
            problems.push(e.to_string());
            (project.recorded.provenance.source.clone(), false)
        }
    };
    if let Ok(p) = &pristine {
        problems.extend(p.loaded.warnings.iter().cloned());
    }

    let follows_branch = project.recorded.provenance.commit.is_some()
        && pristine
            .as_ref()
            .is_ok_and(|p| p.loaded.template.dialect.follows_branch());
    let mut preview = None;
    let (latest, newer, changelog) = if follows_branch {
        // A cookiecutter template follows its default branch, as `update` (and cruft) do: any
        // new commit there is the update, tagged or not.
        let head = project.source.load(None)?;
        let head_version = head.provenance.version.clone();
        match head.provenance.commit {
            Some(commit) if project.recorded.provenance.commit.as_ref() != Some(&commit) => {
                // An untagged head has no version of its own (0.0.0): its commit names it.
                let latest = if head_version > current {
                    format!("{head_version} (commit {})", &commit[..12])
                } else {
                    format!("commit {}", &commit[..12])
                };
                let changelog = changelog::of_files(&head.template.files, &current, &head_version);
                (latest.clone(), vec![latest], changelog)
            }
            _ => (current.to_string(), Vec::new(), Vec::new()),
        }
    } else {
        let versions = project.source.versions()?;
        // Pre-releases are offered only when named (`update --to`), as `new` and `update` pick
        // the highest release: one that only a pre-release outranks is up to date.
        let newest = versions
            .iter()
            .rev()
            .find(|a| a.version.pre.is_empty())
            .or_else(|| versions.last())
            .map(|a| a.version.clone());
        let newer: Vec<_> = versions
            .iter()
            .filter(|a| a.version > current && newest.as_ref().is_some_and(|n| a.version <= *n))
            .collect();
        let latest = newer.last().map_or(current.clone(), |a| a.version.clone());
        let changelog = match newer.last() {
            Some(available) => {
                let loaded = project.source.load(Some(&available.reference))?;
                preview = Some(preview_answers(&project, &loaded));
                changelog::of_files(&loaded.template.files, &current, &latest)
            }
            None => Vec::new(),
        };
        let newer = newer.iter().map(|a| a.version.to_string()).collect();
        (latest.to_string(), newer, changelog)
    };
    Ok(Report {
        project: project.root.display().to_string(),
        template: name,
        source: project.recorded.provenance.source.clone(),
        current: current.to_string(),
        latest,
        up_to_date: newer.is_empty(),
        newer,
        answers_valid,
        problems,
        update: preview,
        changelog,
    })
}

/// What `update` would do with the recorded answers under the `newer` version: the questions it
/// adds, the answers it drops, and whether the answers pass its questions (asked as
/// `update --defaults` would, writing nothing).
fn preview_answers(project: &Project, newer: &crate::source::Loaded) -> AnswersPreview {
    let manifest = &newer.template.manifest;
    let mut presets = Presets::default();
    let (carried, refused) = match presets.add_recorded_migrated(&project.recorded, manifest) {
        Ok((carried, _)) => (carried, None),
        Err(e) => (project.recorded.answers.clone(), Some(e.to_string())),
    };
    let dropped = presets.retain_known(manifest);
    let new_questions = manifest
        .questions
        .iter()
        .filter(|q| !carried.contains_key(&q.name))
        .map(|q| q.name.clone())
        .collect();
    let refused = refused.or_else(|| {
        newer
            .template
            .collect(&presets, Mode::Unattended, &project.name())
            .err()
            .map(|e| e.to_string())
    });
    AnswersPreview {
        version: newer.provenance.version.to_string(),
        new_questions,
        dropped,
        refused,
    }
}

impl Report {
    /// 0 when up to date with valid answers; [`EXIT_OUTDATED`] when a newer version exists;
    /// [`EXIT_FAILURE`] when only the answers no longer render the template.
    pub(crate) fn exit_code(&self) -> i32 {
        if !self.up_to_date {
            EXIT_OUTDATED
        } else if self.answers_valid {
            0
        } else {
            EXIT_FAILURE
        }
    }
}

/// Prints the report on `out`: the JSON document with `json`, else sentences.
pub(crate) fn print(report: &Report, json: bool, out: &mut dyn Write) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(report)
            .map_err(|e| stdout_error(std::io::Error::other(e)))?;
        writeln!(out, "{text}").map_err(stdout_error)
    } else {
        write_text(out, report).map_err(stdout_error)
    }
}

fn write_text(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    if report.up_to_date {
        writeln!(
            out,
            "{} is up to date: {} {} ({}).",
            report.project, report.template, report.current, report.source
        )?;
    } else {
        writeln!(
            out,
            "{}: {} {} -> {} available ({}); run `groundwork update` to merge it.",
            report.project, report.template, report.current, report.latest, report.source
        )?;
        if let Some(preview) = &report.update {
            write_preview(out, preview)?;
        }
        for entry in &report.changelog {
            writeln!(out, "\n## {}\n{}", entry.title(), entry.text)?;
        }
    }
    if !report.answers_valid {
        writeln!(out, "The recorded answers no longer render the template:")?;
    }
    for problem in &report.problems {
        writeln!(out, "  {problem}")?;
    }
    Ok(())
}

fn write_preview(out: &mut dyn Write, preview: &AnswersPreview) -> std::io::Result<()> {
    let version = &preview.version;
    if !preview.new_questions.is_empty() {
        writeln!(
            out,
            "  {version} asks new questions: {} (`update` asks them, or takes their defaults with --defaults).",
            preview.new_questions.join(", ")
        )?;
    }
    if !preview.dropped.is_empty() {
        writeln!(
            out,
            "  {version} no longer asks {}: `update` drops those answers.",
            preview.dropped.join(", ")
        )?;
    }
    if let Some(refused) = &preview.refused {
        writeln!(
            out,
            "  `update --defaults` would stop on the recorded answers: {refused}. Give a new answer with `groundwork update -d KEY=VALUE`."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(up_to_date: bool, answers_valid: bool) -> Report {
        Report {
            project: "p".into(),
            template: "t".into(),
            source: "s".into(),
            current: "1.0.0".into(),
            latest: "1.0.0".into(),
            up_to_date,
            newer: Vec::new(),
            answers_valid,
            problems: Vec::new(),
            update: None,
            changelog: Vec::new(),
        }
    }

    #[test]
    fn a_newer_version_outranks_invalid_answers_in_the_exit_status() {
        assert_eq!(report(true, true).exit_code(), 0);
        assert_eq!(report(true, false).exit_code(), EXIT_FAILURE);
        assert_eq!(report(false, true).exit_code(), EXIT_OUTDATED);
        assert_eq!(report(false, false).exit_code(), EXIT_OUTDATED);
    }
}
