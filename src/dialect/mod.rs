//! Template dialects: how a template is written decides how it is asked and rendered. This file is
//! the seam: the [`Dialect`] trait, and the [`Template`] every dialect loads into. Each dialect is
//! a folder below that implements the trait and loads its templates (`native/`: `template.toml`
//! and Tera; `cookiecutter/`: `cookiecutter.json` and Jinja2). Code outside this folder never asks
//! which dialect a template is; it calls the trait. Adding a dialect is adding a folder, and a line
//! where sources recognise its marker file (`crate::source`).

pub(crate) mod cookiecutter;
pub(crate) mod native;
pub(crate) mod registry;

use std::path::Path;
use std::sync::Arc;

use crate::core::error::Result;
use crate::core::tree::Tree;
use crate::template::answers::{Answers, Mode, Presets};
use crate::template::provenance::Provenance;
use crate::template::{Manifest, TemplateFile};

/// What a template dialect does. Implemented by `native::Native` and
/// `cookiecutter::CookiecutterTemplate` (which holds the parsed `cookiecutter.json`).
pub trait Dialect: std::fmt::Debug + Send + Sync {
    /// Answers the template's questions in the dialect's order and rules: presets first, then the
    /// prompter, or the defaults when unattended. `destination_name` is the last component of the
    /// project's folder, which defaults may use.
    fn collect(
        &self,
        template: &Template,
        presets: &Presets,
        mode: Mode<'_>,
        destination_name: &str,
    ) -> Result<Answers>;

    /// The project's files rendered in memory (without the answers file, which is the project's),
    /// and the folder name the template gives the project when it names one. `output_dir` is the
    /// folder the project lies in; `hooks`, once consent is given, runs the template's generation
    /// hooks on the render.
    fn render(
        &self,
        template: &Template,
        provenance: &Provenance,
        answers: &Answers,
        output_dir: &Path,
        hooks: Option<&Runner>,
    ) -> Result<(Option<String>, Tree)>;

    /// The template's hook files, template-relative (none for a dialect without hooks).
    fn hooks(&self) -> Vec<String> {
        Vec::new()
    }

    /// Runs the hooks that come before the questions, returning the template they leave (read
    /// again), or `None` when there are none.
    fn pre_prompt(&self, _template: &Template, _runner: Runner) -> Result<Option<Template>> {
        Ok(None)
    }

    /// This dialect told the commit its template was read from (for a tag that prints it), or
    /// `None` when the dialect has no use for it.
    fn at_commit(&self, _commit: &str) -> Option<Arc<dyn Dialect>> {
        None
    }

    /// Whether the template names the project's folder itself (a cookiecutter template renders
    /// `{{ cookiecutter.project_slug }}/`), so `new` may be given only the folder to put it in.
    fn names_its_folder(&self) -> bool {
        false
    }

    /// Whether a newer version is any newer commit of the template's branch (cookiecutter, as
    /// cruft follows it) rather than a newer release.
    fn follows_branch(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub manifest: Manifest,
    /// How the template is written: asks, renders and names its hooks (see [`Dialect`]).
    pub dialect: Arc<dyn Dialect>,
    /// Every file of the template as loaded (but `template.toml`), sorted by path: what a release
    /// records. Includes the maintainers' files outside `subdirectory` and excluded files.
    pub files: Vec<TemplateFile>,
    /// The project's files: those under `subdirectory` (paths relative to it) that no `exclude`
    /// glob matches, sorted by path. Rendering walks these.
    pub project: Vec<TemplateFile>,
    /// Excluded `*.tera` files under `subdirectory`: never written, but `{% include %}`-able.
    pub partials: Vec<TemplateFile>,
}

/// Where a hook's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// To groundwork's stderr as the hook runs (stdin stays the terminal).
    Live,
    /// Captured, and repeated in the error if the hook fails (stdin is empty).
    Captured,
}

/// Runs hooks for one command; only made once consent is given (`cookiecutter::hooks`).
#[derive(Debug, Clone, Copy)]
pub struct Runner {
    pub output: Output,
    pub keep_on_failure: bool,
    /// The time limit of one hook, in seconds.
    pub timeout: u64,
}

impl Template {
    /// Answers the template's questions, as its dialect asks them ([`Dialect::collect`]).
    pub fn collect(
        &self,
        presets: &Presets,
        mode: Mode<'_>,
        destination_name: &str,
    ) -> Result<Answers> {
        self.dialect.collect(self, presets, mode, destination_name)
    }

    /// The template's hook files, as its dialect names them.
    pub fn hooks(&self) -> Vec<String> {
        self.dialect.hooks()
    }
}
