//! Generating a project: its dialect's render (hooks included, once consented) plus the answers
//! file that records the template and the answers. The one render step every command shares.

use std::path::Path;

use crate::core::error::{Error, Result};
use crate::core::tree::{Entry, Tree};
use crate::dialect::{Runner, Template};
use crate::template::answers::{self, ANSWERS_FILE, Answers};
use crate::template::provenance::Provenance;

/// The one render step of every command: the project `template` makes with `answers`, its answers
/// file (recording `provenance`) included. `new` writes it, `update` renders it twice (base and
/// theirs), `diff` compares it with the disk. `project` is the project's folder: cookiecutter
/// tells a template the folder it writes into (its parent) as `_output_dir`.
pub(crate) fn render_project(
    template: &Template,
    provenance: &Provenance,
    answers: &Answers,
    project: &Path,
) -> Result<Tree> {
    let output_dir = project.parent().unwrap_or(project);
    render_project_with(template, provenance, answers, output_dir, None).map(|(_, tree)| tree)
}

/// [`render_project`] for a project inside `output_dir`, running the template's generation hooks
/// with `hooks` (consent given; a cookiecutter template's `pre_gen_project` and
/// `post_gen_project`); the answers file is added after them. Also returns the project folder
/// name the template renders (cookiecutter's root folder; a native template names none).
pub(crate) fn render_project_with(
    template: &Template,
    provenance: &Provenance,
    answers: &Answers,
    output_dir: &Path,
    hooks: Option<&Runner>,
) -> Result<(Option<String>, Tree)> {
    let (folder, mut tree) = template
        .dialect
        .render(template, provenance, answers, output_dir, hooks)?;
    if let Some(taken) = tree.get(ANSWERS_FILE) {
        return Err(Error::AnswersFileTaken {
            source_path: taken.source.clone(),
        });
    }
    let text = answers::answers_file(&template.manifest, provenance, answers).map_err(|e| {
        Error::Render {
            path: ANSWERS_FILE.into(),
            message: e.to_string(),
        }
    })?;
    tree.insert(
        ANSWERS_FILE.into(),
        Entry {
            mode: None,
            contents: text.into_bytes(),
            executable: false,
            source: format!("(groundwork's {ANSWERS_FILE})"),
        },
    )?;
    Ok((folder, tree))
}
