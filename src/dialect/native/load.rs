//! Loading a native template (`template.toml` and its files) and the static checks of its
//! manifest that need the expression engine.

use std::sync::Arc;

use crate::core::error::{Error, Result};
use crate::dialect::Template;
use crate::dialect::native::{Native, expression_variables};
use crate::template::TemplateFile;
use crate::template::manifest::{self, Manifest, RENDER_SUFFIX};

impl Template {
    pub fn new(manifest: Manifest, mut files: Vec<TemplateFile>) -> Result<Self> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let excludes: Vec<globset::GlobMatcher> = manifest
            .exclude
            .iter()
            .filter_map(|p| manifest::compile_glob(p).ok())
            .collect();
        let mut project = Vec::new();
        let mut partials = Vec::new();
        for file in &files {
            let relative = match &manifest.subdirectory {
                Some(folder) => match file
                    .path
                    .strip_prefix(folder.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                {
                    Some(rest) => rest,
                    None => continue,
                },
                None => file.path.as_str(),
            };
            let file = TemplateFile {
                path: relative.to_owned(),
                ..file.clone()
            };
            if excludes.iter().any(|g| manifest::matches_path(g, relative)) {
                if relative.ends_with(RENDER_SUFFIX) {
                    partials.push(file);
                }
            } else {
                project.push(file);
            }
        }
        let template = Template {
            manifest,
            dialect: Arc::new(Native),
            files,
            project,
            partials,
        };
        template.check_requires()?;
        template.check_subdirectory()?;
        template.check_expressions()?;
        template.check_rules()?;
        Ok(template)
    }
    fn check_requires(&self) -> Result<()> {
        let ours =
            semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("the crate version is semver");
        match &self.manifest.requires {
            Some(requires) if !requires.matches(&ours) => Err(Error::Requires {
                name: self.manifest.name.clone(),
                requires: requires.to_string(),
                version: ours.to_string(),
            }),
            _ => Ok(()),
        }
    }

    fn check_subdirectory(&self) -> Result<()> {
        match &self.manifest.subdirectory {
            Some(folder) if self.project.is_empty() && self.partials.is_empty() => {
                Err(Error::Manifest {
                    path: self.manifest.path.clone(),
                    line: self.manifest.subdirectory_line,
                    column: 1,
                    message: format!(
                        "`subdirectory = {folder:?}`: the template has no files in {folder}/; move the project's files there"
                    ),
                })
            }
            _ => Ok(()),
        }
    }

    /// Every name a computed value or a rule may use at its place: the questions, then the
    /// computed values defined before it (all of them for rules).
    fn check_expressions(&self) -> Result<()> {
        let manifest = &self.manifest;
        let mut known: Vec<&str> = manifest.questions.iter().map(|q| q.name.as_str()).collect();
        for computed in &manifest.computed {
            let fail = |message: String| Error::Computed {
                path: manifest.path.clone(),
                line: computed.line,
                name: computed.name.clone(),
                message,
            };
            check_names(&computed.expression, &known).map_err(fail)?;
            known.push(&computed.name);
        }
        for check in &manifest.checks {
            if let Some(when) = &check.when {
                check_names(when, &known).map_err(|message| Error::Manifest {
                    path: manifest.path.clone(),
                    line: check.line,
                    column: 1,
                    message: format!("[[checks]] `{}`: `when`: {message}", check.name),
                })?;
            }
        }
        for rule in &manifest.rules {
            check_names(&rule.when, &known).map_err(|message| Error::FileRule {
                path: manifest.path.clone(),
                line: rule.line,
                message: format!("`when`: {message}"),
            })?;
        }
        Ok(())
    }

    /// Every glob of every rule must match a file of the project: a glob that matches nothing is a
    /// rename the rule did not follow.
    fn check_rules(&self) -> Result<()> {
        for rule in &self.manifest.rules {
            for (pattern, glob) in rule.paths.iter().zip(&rule.globs) {
                if !self
                    .project
                    .iter()
                    .any(|f| manifest::matches_path(glob, &f.path))
                {
                    let place = self
                        .manifest
                        .subdirectory
                        .as_ref()
                        .map_or_else(String::new, |s| format!(" in {s}/"));
                    return Err(Error::FileRule {
                        path: self.manifest.path.clone(),
                        line: rule.line,
                        message: format!(
                            "the glob {pattern:?} matches no file of the template{place}; fix the glob or remove it"
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Checks that `expression` parses and names only `known` variables.
fn check_names(expression: &str, known: &[&str]) -> Result<(), String> {
    let used = expression_variables(expression)?;
    match used.iter().find(|v| !known.contains(&v.as_str())) {
        Some(unknown) => Err(format!(
            "`{unknown}` is neither a question nor a computed value defined before this point; known: {}",
            known.join(", ")
        )),
        None => Ok(()),
    }
}
