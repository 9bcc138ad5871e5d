//! The cookiecutter dialect behind the seam: asking as cookiecutter asks, rendering its folder
//! with its context, and its hooks.

use std::path::Path;
use std::sync::Arc;

use crate::core::error::Result;
use crate::core::tree::Tree;
use crate::dialect::cookiecutter::{self, CookiecutterTemplate};
use crate::dialect::{Dialect, Runner, Template};
use crate::template::answers::{Answers, Mode, Presets};
use crate::template::provenance::Provenance;

/// [`render_cookiecutter`], with the context it rendered with (for hooks).
fn cookiecutter_files(
    template: &CookiecutterTemplate,
    provenance: &Provenance,
    answers: &Answers,
    output_dir: &Path,
) -> Result<(String, Tree, serde_json::Map<String, serde_json::Value>)> {
    // One phase for the whole render, as for a native template: the context is computed up to
    // once per answer, and the time limit counts for all of it.
    let _phase = crate::core::watchdog::enter("the cookiecutter template");
    // Only answers that differ from what cookiecutter would compute from the answers before
    // them are given as extra context, as a user would have given them: cookiecutter shows the
    // unrendered defaults of the others (`_cookiecutter`), and renders them itself.
    let mut overrides = serde_json::Map::new();
    // Defaults that cannot be computed without an answer (a default naming its own variable,
    // such as `"v": "{{ cookiecutter.v }}"`) make every later answer an override, as the user
    // had to give it.
    let mut defaults = template.context(&overrides).ok();
    for variable in template.variables() {
        let Some(answer) = answers
            .get(&variable.name)
            .and_then(|value| serde_json::to_value(value).ok())
        else {
            continue;
        };
        let default = match &variable.kind {
            cookiecutter::VariableKind::Choice(options) => options.first().cloned(),
            _ => defaults
                .as_ref()
                .and_then(|d| d.get("cookiecutter"))
                .and_then(|c| c.get(&variable.name))
                .cloned(),
        };
        if default.as_ref() != Some(&answer) {
            overrides.insert(variable.name.clone(), answer);
            defaults = template.context(&overrides).ok();
        }
    }
    let mut context = template.context(&overrides)?;
    // Cookiecutter's run-dependent keys: the template and checkout from the provenance, and
    // the absolute folder the project lies in (cookiecutter's `os.path.abspath(output_dir)`).
    let output_dir = std::path::absolute(output_dir).unwrap_or_else(|_| output_dir.to_owned());
    cookiecutter::add_invocation(
        &mut context,
        &provenance.source,
        &output_dir.to_string_lossy(),
        &provenance.source,
        provenance.commit.as_deref(),
    );
    let rendered = template.render(&context)?;
    // Cookiecutter writes the project into a folder it names; groundwork's destination is that
    // folder, so paths start below it.
    let mut folder = String::new();
    let mut tree = Tree::with_unportable_names();
    for (path, entry) in rendered.iter() {
        let (root, rest) = path.split_once('/').unwrap_or(("", path));
        root.clone_into(&mut folder);
        tree.insert(rest.to_owned(), entry.clone())?;
    }
    Ok((folder, tree, context))
}

impl Dialect for CookiecutterTemplate {
    fn collect(
        &self,
        _template: &Template,
        presets: &Presets,
        mode: Mode<'_>,
        _destination_name: &str,
    ) -> Result<Answers> {
        super::answers::collect_cookiecutter(self, presets, mode)
    }

    fn render(
        &self,
        _template: &Template,
        provenance: &Provenance,
        answers: &Answers,
        output_dir: &Path,
        hooks: Option<&Runner>,
    ) -> Result<(Option<String>, Tree)> {
        let (folder, tree, context) = cookiecutter_files(self, provenance, answers, output_dir)?;
        let tree = match hooks {
            Some(runner) => super::hooks::generate(self, &folder, &context, tree, *runner)?,
            None => tree,
        };
        Ok((Some(folder), tree))
    }

    fn hooks(&self) -> Vec<String> {
        CookiecutterTemplate::hooks(self).to_vec()
    }

    fn pre_prompt(&self, template: &Template, runner: Runner) -> Result<Option<Template>> {
        super::hooks::pre_prompt(self, template, runner)
    }

    fn at_commit(&self, commit: &str) -> Option<Arc<dyn Dialect>> {
        Some(Arc::new(self.clone().with_commit(commit)))
    }

    fn names_its_folder(&self) -> bool {
        true
    }

    fn follows_branch(&self) -> bool {
        true
    }
}
