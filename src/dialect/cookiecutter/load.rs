//! Loading a cookiecutter template: `cookiecutter.json` and the folder it renders.

use std::sync::Arc;

use crate::core::error::Result;
use crate::dialect::Template;
use crate::dialect::cookiecutter::CookiecutterTemplate;
use crate::template::{Kind, Manifest, Question, TemplateFile};

impl CookiecutterTemplate {
    /// A cookiecutter template: `files` are relative to the folder holding `cookiecutter.json`.
    /// `name` and `version` come from where it was found (a folder name, a git tag).
    pub(crate) fn load(
        name: &str,
        version: semver::Version,
        path: std::path::PathBuf,
        mut files: Vec<TemplateFile>,
    ) -> Result<Template> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let cookiecutter = CookiecutterTemplate::from_files(&files)?;
        let mut manifest = Manifest::synthetic(name, version, path);
        // Its variables stand as questions wherever answers are matched by name (`-d`, replayed
        // answers); asking and typing them is the dialect's.
        manifest.questions = cookiecutter
            .variables()
            .iter()
            .map(|v| Question::synthetic(&v.name, &v.prompt, Kind::String))
            .collect();
        Ok(Template {
            manifest,
            dialect: Arc::new(cookiecutter),
            files,
            project: Vec::new(),
            partials: Vec::new(),
        })
    }
}
