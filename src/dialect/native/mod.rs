//! Rendering: a pure function from (template, answers) to an in-memory [`Tree`]. Path names are
//! always rendered; a segment that renders empty leaves its file out; only `*.tera` contents are
//! rendered (suffix stripped; one that is not UTF-8 text is an error) and every other file is
//! copied byte for byte. Engines sit behind [`Engine`]; this module never reads the destination or
//! writes anything.

pub(crate) mod answers;
mod load;
pub(crate) mod tera;

pub(crate) use self::tera::{
    Engine, Expressions, TeraEngine, expression_variables, text_variables,
};

use std::collections::HashMap;
use std::path::Path;

use crate::core::env;
use crate::core::error::{Error, Result};
use crate::core::file::is_text;
use crate::core::tree::{Entry, Tree};
use crate::dialect::{Dialect, Runner, Template};
use crate::template::Manifest;
use crate::template::answers::{Answers, Mode, Presets};
use crate::template::manifest::RENDER_SUFFIX;
use crate::template::provenance::Provenance;

/// The `message_after` of `manifest` rendered with `answers` (`None` when it has none), under the
/// watchdog like every other expression: `new` prints it, `template check` renders it for its
/// errors.
pub(crate) fn message_after(
    manifest: &Manifest,
    expressions: &Expressions,
    answers: &Answers,
) -> Result<Option<String>> {
    let Some(text) = &manifest.message_after else {
        return Ok(None);
    };
    let _phase = crate::core::watchdog::enter("`message_after` of template.toml");
    expressions
        .file_scope(answers)
        .render(text)
        .map(Some)
        .map_err(|message| Error::Render {
            path: manifest.path.display().to_string(),
            message: format!("`message_after`: {message}"),
        })
}

/// Renders every file of `template` with `answers`.
pub fn render(template: &Template, answers: &Answers) -> Result<Tree> {
    let _phase = crate::core::watchdog::enter(format!("template {}", template.manifest.name));
    let engine = TeraEngine::new(template, answers)?;
    render_with(template, &engine)
}

/// Default limit on one rendered file: 64 MiB.
pub(crate) const DEFAULT_MAX_FILE_BYTES: u64 = 64 << 20;
/// Default limit on a whole rendered project: 1 GiB.
pub(crate) const DEFAULT_MAX_PROJECT_BYTES: u64 = 1 << 30;
/// Environment variables that override the limits.
pub(crate) const MAX_FILE_ENV: &str = env::MAX_FILE_BYTES.name;
pub(crate) const MAX_PROJECT_ENV: &str = env::MAX_PROJECT_BYTES.name;

/// How large a render may grow, per file and for the whole project.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub file: u64,
    pub project: u64,
}

impl Limits {
    /// The defaults, overridden by [`MAX_FILE_ENV`] and [`MAX_PROJECT_ENV`]; a variable that is
    /// set but not a whole number greater than 0 is an error naming it.
    pub(crate) fn try_from_env() -> Result<Limits> {
        Ok(Limits {
            file: env::MAX_FILE_BYTES.number_or(DEFAULT_MAX_FILE_BYTES)?,
            project: env::MAX_PROJECT_BYTES.number_or(DEFAULT_MAX_PROJECT_BYTES)?,
        })
    }

    /// Why a template file of `size` bytes is refused ("is N bytes, over the limit of ... bytes
    /// per file; ..."), or `None` within the limit. Checked before such a file is read (a git blob,
    /// a file of a directory template or one a hook wrote), so a huge one costs neither the time
    /// nor the memory to read it; one wording wherever it comes from.
    pub(crate) fn file_over(&self, size: u64) -> Option<String> {
        (size > self.file).then(|| {
            format!(
                "is {size} bytes, over the limit of {} bytes per file; if that is intended, raise it with {MAX_FILE_ENV}",
                self.file
            )
        })
    }

    /// [`Limits::try_from_env`], with the defaults in place of a malformed variable: the binary
    /// refuses those at start-up, so only the library (in tests) can see one here.
    pub(crate) fn from_env() -> Limits {
        Limits::try_from_env().unwrap_or(Limits {
            file: DEFAULT_MAX_FILE_BYTES,
            project: DEFAULT_MAX_PROJECT_BYTES,
        })
    }
}

pub(crate) fn render_with(template: &Template, engine: &dyn Engine) -> Result<Tree> {
    let manifest = &template.manifest;
    let limits = Limits::try_from_env()?;
    let _phase = crate::core::watchdog::enter(format!("template {}", template.manifest.name));
    // Which `[[files]]` rules leave their files out with these answers.
    let mut off = Vec::new();
    for rule in &manifest.rules {
        crate::core::watchdog::working_on(format!(
            "the `when` of the [[files]] rule at line {} of template.toml",
            rule.line
        ));
        let on = engine
            .render_str(&format!("{{% if {} %}}1{{% endif %}}", rule.when))
            .map_err(|message| Error::FileRule {
                path: manifest.path.clone(),
                line: rule.line,
                message: format!("`when`: {message}"),
            })?;
        if on != "1" {
            off.push(rule);
        }
    }
    let mut segments: HashMap<&str, String> = HashMap::new();
    let mut tree = Tree::for_names(manifest.portable_names);
    let mut total: u64 = 0;
    'files: for file in &template.project {
        // Ctrl-C is honoured between files: nothing has been written yet.
        if crate::core::interrupt::interrupted() {
            return Err(Error::Interrupted);
        }
        if off.iter().any(|rule| rule.matches(&file.path)) {
            continue;
        }
        crate::core::watchdog::working_on(format!("template file `{}`", file.path));
        // The suffix is stripped before rendering, so `{% if x %}name{% endif %}.tera` is left out
        // like any other segment that renders empty.
        let (raw_path, rendered_contents) = match file.path.strip_suffix(RENDER_SUFFIX) {
            Some(_) if !is_text(&file.contents) => {
                return Err(Error::Render {
                    path: file.path.clone(),
                    message: "is not UTF-8 text (or holds a NUL byte), so it cannot be rendered; drop the .tera suffix to copy it byte for byte".into(),
                });
            }
            Some(stripped) => (stripped, true),
            None => (file.path.as_str(), false),
        };
        let mut rendered = Vec::new();
        for segment in raw_path.split('/') {
            if !segments.contains_key(segment) {
                let out = if segment.contains('{') {
                    engine
                        .render_str(segment)
                        .map_err(|message| Error::Render {
                            path: file.path.clone(),
                            message: format!("in the path segment {segment:?}: {message}"),
                        })?
                } else {
                    segment.to_owned()
                };
                segments.insert(segment, out);
            }
            let out = &segments[segment];
            if out.trim().is_empty() {
                continue 'files;
            }
            rendered.push(out.clone());
        }
        let path = rendered.join("/");
        let contents = if rendered_contents {
            engine
                .render_file(&file.path)
                .map_err(|message| Error::Render {
                    path: file.path.clone(),
                    message,
                })?
                .into_bytes()
        } else {
            file.contents.clone()
        };
        let size = contents.len() as u64;
        total += size;
        if size > limits.file {
            return Err(Error::RenderLimit {
                path: file.path.clone(),
                message: format!(
                    "renders to {size} bytes, over the limit of {} bytes per file; if that is intended, raise it with {MAX_FILE_ENV}",
                    limits.file
                ),
            });
        }
        if total > limits.project {
            return Err(Error::RenderLimit {
                path: file.path.clone(),
                message: format!(
                    "brings the project to {total} bytes, over the limit of {} bytes per project; if that is intended, raise it with {MAX_PROJECT_ENV}",
                    limits.project
                ),
            });
        }
        // Native templates write 0644 or 0755 only, whatever the source file's mode.
        let entry = Entry::usual(contents, file.executable, file.path.clone());
        tree.insert(path, entry)?;
    }
    Ok(tree)
}

/// The native dialect: `template.toml` questions with Tera expressions, `*.tera` files rendered with
/// Tera, no hooks. The template's data is all in its manifest, so the dialect holds nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Native;

impl Dialect for Native {
    fn collect(
        &self,
        template: &Template,
        presets: &Presets,
        mode: Mode<'_>,
        destination_name: &str,
    ) -> Result<Answers> {
        crate::dialect::native::answers::collect(
            &template.manifest,
            presets,
            mode,
            &Expressions::new(destination_name).with_git_identity(
                presets.user.git_name.as_deref(),
                presets.user.git_email.as_deref(),
            ),
        )
    }

    fn render(
        &self,
        template: &Template,
        _provenance: &Provenance,
        answers: &Answers,
        _output_dir: &Path,
        _hooks: Option<&Runner>,
    ) -> Result<(Option<String>, Tree)> {
        Ok((None, render(template, answers)?))
    }
}
