//! The cookiecutter dialect: a template with `cookiecutter.json` at its root and one directory
//! named like `{{cookiecutter.project_slug}}`, rendered exactly as Python cookiecutter 2.x renders
//! it with `--no-input` (verified against 2.7.1 by `scripts/cookiecutter-diff`). This module owns
//! reading such a template from in-memory files, the context (`cookiecutter` and `_cookiecutter`
//! namespaces), and the render to a [`Tree`] (and of hook scripts to text). It never reads or
//! writes the disk, prompts, or runs hooks: `crate::dialect::cookiecutter::hooks` runs them.
//!
//! Submodules: `context` (variables and overrides), `engine` (the Jinja2 environment on
//! minijinja), `tags` (the `{% now %}` / `{% gitcommit %}` rewrite), `slugify`, `binary`
//! (binaryornot), `fnmatch` (`_copy_without_render`).

pub(crate) mod answers;
mod binary;
mod context;
mod dialect;
mod engine;
mod fnmatch;
pub(crate) mod hooks;
mod load;
mod pystr;
mod pyvalue;
mod slugify;
mod tags;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::core::error::{Error, MenuEntry, Result};
use crate::core::tree::{Entry, Tree};
use crate::template::TemplateFile;

/// The file that makes a directory a cookiecutter template.
pub(crate) const CONTEXT_FILE: &str = "cookiecutter.json";

/// The hooks cookiecutter runs, by file stem in `hooks/`.
const HOOK_NAMES: &[&str] = &["pre_prompt", "pre_gen_project", "post_gen_project"];

/// What kind of answer a variable takes, from the type of its value in `cookiecutter.json`.
#[derive(Debug, Clone, PartialEq)]
pub enum VariableKind {
    /// A string (or number) default, rendered with the earlier answers.
    String,
    /// A list: one of these options (raw, unrendered); the first is the default.
    Choice(Vec<Value>),
    /// `true` / `false`.
    Bool,
    /// A JSON object, rendered key by key.
    Dict,
    /// `null`: the answer is `None` unless given.
    Null,
}

/// One variable cookiecutter would prompt for (private `_`/`__` ones are not listed).
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub name: String,
    pub kind: VariableKind,
    /// The raw value in `cookiecutter.json` (a template for strings).
    pub default: Value,
    /// The question cookiecutter shows: the `__prompts__` label, or the name.
    pub prompt: String,
    /// Per-option labels from `__prompts__` for a choice variable, by option.
    pub choice_labels: BTreeMap<String, String>,
}

/// A cookiecutter template read from in-memory files (any source: directory, git, built-in).
#[derive(Debug, Clone)]
pub struct CookiecutterTemplate {
    /// `cookiecutter.json`, keys in file order.
    raw: Map<String, Value>,
    variables: Vec<Variable>,
    /// The unrendered name of the project directory, such as `{{cookiecutter.project_slug}}`.
    template_dir: String,
    /// Every file of the template, relative to its root, sorted by path.
    files: Vec<TemplateFile>,
    hooks: Vec<String>,
    /// The template's git commit, for `{% gitcommit %}`.
    commit: Option<String>,
}

impl CookiecutterTemplate {
    /// Reads a template from its files (paths relative to the template root, `cookiecutter.json`
    /// among them).
    pub fn from_files(files: &[TemplateFile]) -> Result<Self> {
        let json = files
            .iter()
            .find(|f| f.path == CONTEXT_FILE)
            .ok_or_else(|| Error::CookiecutterLayout {
                message: format!("no {CONTEXT_FILE} at the template root"),
            })?;
        let raw: Map<String, Value> =
            serde_json::from_slice(&json.contents).map_err(|e| Error::CookiecutterJson {
                path: CONTEXT_FILE.into(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        match nested_templates(&raw) {
            Some(menu) if menu.is_empty() => {
                return Err(Error::CookiecutterLayout {
                    message: format!(
                        "{CONTEXT_FILE} has an empty `templates` menu: nothing to render"
                    ),
                });
            }
            Some(menu) => return Err(Error::NestedTemplates { menu }),
            None => {}
        }
        let config = engine::Config::from_context(&raw).map_err(setting)?;
        let mut files = files.to_vec();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        // find.py: the first top-level entry whose name holds "cookiecutter" and the variable
        // delimiters.
        let (start, end) = &config.variable;
        let template_dir = files
            .iter()
            .filter_map(|f| f.path.split_once('/').map(|(top, _)| top))
            .find(|top| top.contains("cookiecutter") && top.contains(start.as_str()) && top.contains(end.as_str()))
            .map(str::to_owned)
            .ok_or_else(|| Error::CookiecutterLayout {
                message: format!(
                    "no project directory: a cookiecutter template has a directory whose name holds `cookiecutter` and `{start} {end}`, such as `{start}cookiecutter.project_slug{end}`"
                ),
            })?;
        let hooks = files
            .iter()
            .filter(|f| hook_stage(&f.path).is_some())
            .map(|f| f.path.clone())
            .collect();
        let variables = variables(&raw);
        Ok(CookiecutterTemplate {
            raw,
            variables,
            template_dir,
            files,
            hooks,
            commit: None,
        })
    }

    /// Records the commit the template was read at (a git source knows it): `{% gitcommit %}`
    /// prints it, as jinja2-git does inside cookiecutter's checkout. Without it, the repository
    /// around the current directory is asked.
    #[must_use]
    pub fn with_commit(mut self, commit: impl Into<String>) -> Self {
        self.commit = Some(commit.into());
        self
    }

    /// What would be prompted (not `_`/`__` private), in file order.
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The hook files (`hooks/pre_gen_project.py`, ...), template-relative; empty when none.
    pub fn hooks(&self) -> &[String] {
        &self.hooks
    }

    pub fn has_hooks(&self) -> bool {
        !self.hooks.is_empty()
    }

    /// The scripts of one hook stage (`pre_prompt`, `pre_gen_project`, `post_gen_project`), in
    /// name order (cookiecutter runs every file of the stage, in directory order).
    pub fn hook_scripts(&self, stage: &str) -> Vec<&TemplateFile> {
        self.files
            .iter()
            .filter(|f| hook_stage(&f.path) == Some(stage))
            .collect()
    }

    /// Every file of the template, relative to its root, sorted by path.
    pub fn files(&self) -> &[TemplateFile] {
        &self.files
    }

    /// The commit the template was read at, if its source knows one.
    pub fn commit(&self) -> Option<&str> {
        self.commit.as_deref()
    }

    /// A hook script rendered with `context`, as cookiecutter renders it before running it: read
    /// as UTF-8 text, rendered by a fresh environment of the template's settings (no loader, so
    /// no `{% include %}`), trailing newline kept.
    pub fn render_hook(
        &self,
        script: &TemplateFile,
        context: &Map<String, Value>,
    ) -> Result<String> {
        let _phase = crate::core::watchdog::enter(format!("hook `{}`", script.path));
        let fail = |line: Option<usize>, message: String| Error::CookiecutterRender {
            path: script.path.clone(),
            line: line.map(|l| format!(":{l}")).unwrap_or_default(),
            message,
        };
        let text = std::str::from_utf8(&script.contents).map_err(|_| {
            fail(
                None,
                "is not UTF-8 text, which cookiecutter needs to render a hook".into(),
            )
        })?;
        let cc = context.get("cookiecutter").and_then(Value::as_object);
        let config = engine::Config::from_context(cc.unwrap_or(&self.raw)).map_err(setting)?;
        let env = self.environment(&config, Arc::default())?;
        let source = preprocess(&config, text).map_err(|e| fail(None, e))?;
        env.render_str(&source, pyvalue::value_of(context))
            .map_err(|e| fail(e.line(), describe(&e)))
    }

    /// The unrendered project directory name, such as `{{cookiecutter.project_slug}}`.
    pub fn template_dir(&self) -> &str {
        &self.template_dir
    }

    /// The context exactly as `cookiecutter --no-input` builds it, with `overrides` (key=value
    /// from the command line / answers file) applied the way cookiecutter applies
    /// `extra_context`, defaults rendered in order with earlier values. The result has two keys:
    /// `cookiecutter` (every variable, private ones included, in file order, without
    /// `__prompts__`) and `_cookiecutter` (the public raw values after overrides). Cookiecutter's
    /// run-dependent keys (`_template`, `_output_dir`, `_repo_dir`, `_checkout`) are added by
    /// [`add_invocation`].
    pub fn context(&self, overrides: &Map<String, Value>) -> Result<Map<String, Value>> {
        // Defaults are template expressions: rendered under the watchdog, each named.
        let _phase = crate::core::watchdog::enter(CONTEXT_FILE);
        let mut obj = self.raw.clone();
        context::apply_overrides(&mut obj, overrides, false)
            .map_err(|(variable, message)| Error::CookiecutterVariable { variable, message })?;
        let originals: Map<String, Value> = obj
            .iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        obj.shift_remove("__prompts__");
        let config = engine::Config::from_context(&obj).map_err(setting)?;
        let env = self.environment(&config, Arc::default())?;
        let mut answers = Map::new();
        let failed = |key: &str, message: String| Error::CookiecutterVariable {
            variable: key.to_owned(),
            message,
        };
        for (key, raw) in &obj {
            crate::core::watchdog::working_on(variable_phase(key));
            let value = if key.starts_with('_') && !key.starts_with("__") {
                raw.clone()
            } else if raw.is_object() && !key.starts_with("__") {
                continue;
            } else {
                let render = |text: &str| render_str(&env, &config, text, &answers);
                let rendered =
                    context::render_variable(raw, &render).map_err(|m| failed(key, m))?;
                match (raw, rendered) {
                    (Value::Array(_), Value::Array(options)) if !key.starts_with("__") => options
                        .into_iter()
                        .next()
                        .ok_or_else(|| failed(key, "the list of choices is empty".into()))?,
                    (_, rendered) => rendered,
                }
            };
            answers.insert(key.clone(), value);
        }
        for (key, raw) in &obj {
            if key.starts_with('_') && !key.starts_with("__") || !raw.is_object() {
                continue;
            }
            crate::core::watchdog::working_on(variable_phase(key));
            let render = |text: &str| render_str(&env, &config, text, &answers);
            let value = context::render_variable(raw, &render).map_err(|m| failed(key, m))?;
            answers.insert(key.clone(), value);
        }
        for (key, value) in answers {
            obj.insert(key, value);
        }
        let mut out = Map::new();
        out.insert("cookiecutter".into(), Value::Object(obj));
        out.insert("_cookiecutter".into(), Value::Object(originals));
        Ok(out)
    }

    /// Renders the project: paths relative to the output directory (so the first segment is the
    /// rendered root folder name), bytes and executable bits exactly as cookiecutter writes them.
    pub fn render(&self, context: &Map<String, Value>) -> Result<Tree> {
        // Every path and file is a template: rendered under the watchdog, each named.
        let _phase =
            crate::core::watchdog::enter(format!("template folder `{}`", self.template_dir));
        let cc = context
            .get("cookiecutter")
            .and_then(Value::as_object)
            .ok_or_else(|| Error::CookiecutterLayout {
                message: "the context has no `cookiecutter` object; build it with CookiecutterTemplate::context".into(),
            })?;
        let config = engine::Config::from_context(cc).map_err(setting)?;
        let prefix = format!("{}/", self.template_dir);
        let env = self.environment(&config, Arc::new(self.loader_sources(&config, &prefix)))?;
        let ctx = pyvalue::value_of(context);
        let path_error = |path: &str, e: String| Error::CookiecutterRender {
            path: path.to_owned(),
            line: String::new(),
            message: format!("in its path: {e}"),
        };
        let render_path = |path: &str| -> Result<String> {
            if !path.contains(config.variable.0.as_str())
                && !path.contains(config.block.0.as_str())
                && !path.contains(config.comment.0.as_str())
            {
                return Ok(path.to_owned());
            }
            let source = preprocess(&config, path).map_err(|e| path_error(path, e))?;
            env.render_str(&source, &ctx)
                .map_err(|e| path_error(path, describe(&e)))
        };
        let root = render_path(&self.template_dir)?;
        check_root(&self.template_dir, &root)?;
        let patterns = copy_patterns(cc)?;
        let is_copy = |path: &str| patterns.iter().any(|p| p.matches(path));
        let newline = configured_newline(cc)?;
        let mut dirs_checked: HashSet<String> = HashSet::new();
        // Cookiecutter writes whatever names it renders (collisions on macOS and Windows, which
        // would lose a file there, are still refused).
        let mut tree = Tree::with_unportable_names();
        for file in &self.files {
            let Some(rel) = file.path.strip_prefix(&prefix) else {
                continue;
            };
            crate::core::watchdog::working_on(format!("template file `{}`", file.path));
            let segments: Vec<&str> = rel.split('/').collect();
            let mut copied_from = None;
            for i in 1..segments.len() {
                let dir = segments[..i].join("/");
                if is_copy(&dir) {
                    copied_from = Some(i);
                    break;
                }
                if dirs_checked.insert(dir.clone()) {
                    let rendered = render_path(&dir)?;
                    if rendered.is_empty() || rendered.ends_with('/') || rendered.contains("//") {
                        return Err(empty_directory(&prefix, &dir));
                    }
                }
            }
            let (out, contents) = if let Some(i) = copied_from {
                let dir = render_path(&segments[..i].join("/"))?;
                (
                    format!("{dir}/{}", segments[i..].join("/")),
                    file.contents.clone(),
                )
            } else if is_copy(rel) {
                (render_path(rel)?, file.contents.clone())
            } else {
                let out = render_path(rel)?;
                if out.is_empty() || out.ends_with('/') {
                    continue;
                }
                if binary::is_binary(rel, &file.contents) {
                    (out, file.contents.clone())
                } else {
                    let text = render_file(&env, rel, &file.contents, &ctx, newline.as_deref())?;
                    (out, text.into_bytes())
                }
            };
            tree.insert(
                normalize(&format!("{root}/{out}")),
                Entry {
                    // Cookiecutter copies each file's mode (`shutil.copymode`).
                    mode: file.mode,
                    contents,
                    executable: file.executable,
                    source: file.path.clone(),
                },
            )?;
        }
        Ok(tree)
    }
}

impl CookiecutterTemplate {
    /// The Jinja environment of this template with `config` (its settings from the context), able
    /// to include `sources`: the one place the engine is set up, for defaults, hooks and files.
    fn environment(
        &self,
        config: &engine::Config,
        sources: Arc<BTreeMap<String, String>>,
    ) -> Result<minijinja::Environment<'static>> {
        engine::environment(config, sources, self.commit.clone()).map_err(|message| {
            Error::CookiecutterSetting {
                setting: "_jinja2_env_vars".into(),
                message,
            }
        })
    }

    /// What `{% include %}` and `get_template` see, as `FileSystemLoader(['.', '../templates'])`
    /// from the project directory: its files first, then the root's `templates/`.
    fn loader_sources(&self, config: &engine::Config, prefix: &str) -> BTreeMap<String, String> {
        let mut sources = BTreeMap::new();
        for base in ["templates/", prefix] {
            for f in &self.files {
                let (Some(name), Ok(text)) =
                    (f.path.strip_prefix(base), std::str::from_utf8(&f.contents))
                else {
                    continue;
                };
                if let Ok(source) = preprocess(config, text) {
                    sources.insert(name.to_owned(), source);
                }
            }
        }
        sources
    }
}

/// The hook stage a template file is a script of, as cookiecutter's `valid_hook` decides: a file
/// directly in `hooks/` whose name without its last extension is a stage name, not a `~` backup.
pub(crate) fn hook_stage(path: &str) -> Option<&'static str> {
    let name = path.strip_prefix("hooks/")?;
    if name.contains('/') || name.ends_with('~') {
        return None;
    }
    // `os.path.splitext`: the last extension, leading dots not counting as one.
    let stem = match name.trim_start_matches('.').rfind('.') {
        Some(i) => &name[..i + (name.len() - name.trim_start_matches('.').len())],
        None => name,
    };
    HOOK_NAMES.iter().copied().find(|hook| *hook == stem)
}

/// `_new_lines`, when set: the newline every rendered file is written with.
fn configured_newline(cc: &Map<String, Value>) -> Result<Option<String>> {
    match cc.get("_new_lines") {
        Some(Value::String(s)) if !s.is_empty() => {
            if matches!(s.as_str(), "\n" | "\r" | "\r\n") {
                Ok(Some(s.clone()))
            } else {
                Err(Error::CookiecutterSetting {
                    setting: "_new_lines".into(),
                    message: format!("{s:?} is not a newline; use \"\\n\", \"\\r\\n\" or \"\\r\""),
                })
            }
        }
        _ => Ok(None),
    }
}

/// Adds the keys cookiecutter puts into `cookiecutter` after prompting: the template as given,
/// the absolute output directory, the template's directory and the checkout (`None` if none).
pub(crate) fn add_invocation(
    context: &mut Map<String, Value>,
    template: &str,
    output_dir: &str,
    repo_dir: &str,
    checkout: Option<&str>,
) {
    if let Some(Value::Object(cc)) = context.get_mut("cookiecutter") {
        cc.insert("_template".into(), template.into());
        cc.insert("_output_dir".into(), output_dir.into());
        cc.insert("_repo_dir".into(), repo_dir.into());
        cc.insert(
            "_checkout".into(),
            checkout.map_or(Value::Null, Value::from),
        );
    }
}

/// The public answers of a context (`cookiecutter` without private variables), for an answers
/// file.
pub(crate) fn answers(context: &Map<String, Value>) -> Map<String, Value> {
    context
        .get("cookiecutter")
        .and_then(Value::as_object)
        .map(|cc| {
            cc.iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The menu of a template whose `cookiecutter.json` offers nested templates, in its order; `None`
/// for an ordinary template. As in cookiecutter, either key makes the template a menu, even one
/// with no usable entry (which cookiecutter then refuses).
pub(crate) fn nested_templates(raw: &Map<String, Value>) -> Option<Vec<MenuEntry>> {
    let text = |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or("").to_owned();
    let menu: Vec<MenuEntry> = match (raw.get("templates"), raw.get("template")) {
        (Some(Value::Object(templates)), _) => templates
            .iter()
            .map(|(key, entry)| MenuEntry {
                key: key.clone(),
                title: match text(entry.get("title")) {
                    title if title.is_empty() => key.clone(),
                    title => title,
                },
                description: text(entry.get("description")),
                path: text(entry.get("path")),
            })
            .collect(),
        // The older form: a list of "Title (path)".
        (_, Some(Value::Array(list))) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|item| {
                let (title, path) = match (item.find('('), item.rfind(')')) {
                    (Some(open), Some(close)) if open < close => {
                        (item[..open].trim(), &item[open + 1..close])
                    }
                    _ => (item.trim(), ""),
                };
                MenuEntry {
                    key: title.to_owned(),
                    title: title.to_owned(),
                    description: String::new(),
                    path: path.to_owned(),
                }
            })
            .collect(),
        _ if raw.contains_key("templates") || raw.contains_key("template") => Vec::new(),
        _ => return None,
    };
    Some(menu)
}

/// What the watchdog names while a `cookiecutter.json` value is rendered.
fn variable_phase(key: &str) -> String {
    format!("variable `{key}` of {CONTEXT_FILE}")
}

fn empty_directory(prefix: &str, dir: &str) -> Error {
    Error::CookiecutterLayout {
        message: format!(
            "directory `{prefix}{dir}` renders to an empty name, which cookiecutter refuses (\"directory already exists\"); guard the files inside it instead"
        ),
    }
}

fn setting((setting, message): engine::ConfigError) -> Error {
    Error::CookiecutterSetting { setting, message }
}

fn variables(raw: &Map<String, Value>) -> Vec<Variable> {
    let prompts = raw.get("__prompts__").and_then(Value::as_object);
    raw.iter()
        .filter(|(k, _)| !k.starts_with('_'))
        .map(|(name, value)| {
            let kind = match value {
                Value::Array(options) => VariableKind::Choice(options.clone()),
                Value::Bool(_) => VariableKind::Bool,
                Value::Object(_) => VariableKind::Dict,
                Value::Null => VariableKind::Null,
                _ => VariableKind::String,
            };
            let mut prompt = if matches!(kind, VariableKind::Choice(_)) {
                format!("Select {name}")
            } else {
                name.clone()
            };
            let mut choice_labels = BTreeMap::new();
            match prompts.and_then(|p| p.get(name)) {
                Some(Value::String(label)) if !label.is_empty() => prompt.clone_from(label),
                Some(Value::Object(labels)) => {
                    for (option, label) in labels {
                        let label = context::py_scalar(label);
                        if option == "__prompt__" {
                            prompt = label;
                        } else {
                            choice_labels.insert(option.clone(), label);
                        }
                    }
                }
                _ => {}
            }
            Variable {
                name: name.clone(),
                kind,
                default: value.clone(),
                prompt,
                choice_labels,
            }
        })
        .collect()
}

/// What Jinja2's lexer does before parsing (every newline becomes `\n`), then the tag rewrite.
fn preprocess(config: &engine::Config, text: &str) -> Result<String, String> {
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    };
    let ws = tags::Whitespace {
        trim_blocks: config.trim_blocks,
        lstrip_blocks: config.lstrip_blocks,
    };
    let delims = tags::Delimiters {
        block: (&config.block.0, &config.block.1),
        variable: (&config.variable.0, &config.variable.1),
        comment: (&config.comment.0, &config.comment.1),
    };
    let text = tags::plain_spaces(&text, &delims)?;
    let text = tags::percent_format(&text, &delims)?;
    let text = if config.trim_blocks {
        tags::raw_keeps_its_newline(&text, &config.block.0, &config.block.1)?
    } else {
        text
    };
    tags::rewrite(&text, &config.block.0, &config.block.1, ws)
}

fn describe(e: &minijinja::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

/// Renders a default with the answers so far (`render_variable`).
fn render_str(
    env: &minijinja::Environment<'_>,
    config: &engine::Config,
    text: &str,
    answers: &Map<String, Value>,
) -> Result<String, String> {
    let source = preprocess(config, text)?;
    let ctx = minijinja::context! { cookiecutter => pyvalue::value_of(answers) };
    env.render_str(&source, ctx).map_err(|e| describe(&e))
}

fn render_file(
    env: &minijinja::Environment<'_>,
    rel: &str,
    contents: &[u8],
    ctx: &minijinja::Value,
    configured_newline: Option<&str>,
) -> Result<String> {
    let fail = |line: Option<usize>, message: String| Error::CookiecutterRender {
        path: rel.to_owned(),
        line: line.map(|l| format!(":{l}")).unwrap_or_default(),
        message,
    };
    if std::str::from_utf8(contents).is_err() {
        return Err(fail(
            None,
            "is neither binary nor UTF-8 text, so cookiecutter cannot render it either; add it to `_copy_without_render`".into(),
        ));
    }
    let template = env
        .get_template(rel)
        .map_err(|e| fail(e.line(), describe(&e)))?;
    let rendered = template
        .render(ctx)
        .map_err(|e| fail(e.line(), describe(&e)))?;
    let newline = configured_newline.unwrap_or_else(|| detect_newline(contents));
    Ok(if newline == "\n" {
        rendered
    } else {
        rendered.replace('\n', newline)
    })
}

/// The newline Python's text reader reports after reading the first line (its decoder sees the
/// whole 8192-byte chunk holding it): `\r` if seen, else `\n`, else `\r\n`; `\n` if none.
fn detect_newline(contents: &[u8]) -> &'static str {
    const CHUNK: usize = 8192;
    let Some(first) = contents.iter().position(|&b| b == b'\n' || b == b'\r') else {
        return "\n";
    };
    let end = ((first + 2).div_ceil(CHUNK) * CHUNK).min(contents.len());
    let region = &contents[..end];
    let (mut cr, mut lf, mut crlf) = (false, false, false);
    let mut i = 0;
    while i < region.len() {
        match region[i] {
            b'\r' if region.get(i + 1) == Some(&b'\n') => {
                crlf = true;
                i += 1;
            }
            b'\r' => cr = true,
            b'\n' => lf = true,
            _ => {}
        }
        i += 1;
    }
    if cr {
        "\r"
    } else if lf {
        "\n"
    } else if crlf {
        "\r\n"
    } else {
        "\n"
    }
}

fn copy_patterns(cc: &Map<String, Value>) -> Result<Vec<fnmatch::Pattern>> {
    let Some(list) = cc.get("_copy_without_render") else {
        return Ok(Vec::new());
    };
    let bad = |message: String| Error::CookiecutterSetting {
        setting: "_copy_without_render".into(),
        message,
    };
    list.as_array()
        .ok_or_else(|| bad("must be a list of glob patterns".into()))?
        .iter()
        .map(|p| {
            p.as_str()
                .ok_or_else(|| bad(format!("{p} is not a string")))
                .and_then(|p| fnmatch::Pattern::new(p).map_err(bad))
        })
        .collect()
}

/// `os.path.join` then the file system: empty and `.` segments vanish.
fn normalize(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The rendered project folder must be one plain folder name. Cookiecutter joins it to the output
/// directory: `/abs/path` would leave it altogether, and `a/b` makes the project `b` inside a
/// folder `a`, which groundwork's answers file and commit (at the project's root) cannot follow.
fn check_root(template_dir: &str, root: &str) -> Result<()> {
    let message = if root.trim_matches('/').is_empty() {
        format!("the project directory `{template_dir}` renders to an empty name")
    } else if root.contains(['/', '\\']) || root == "." || root == ".." {
        format!(
            "the project directory `{template_dir}` renders to `{root}`, which is not one folder name (it must not contain `/` or be `.` or `..`); change the answer that names the project"
        )
    } else {
        return Ok(());
    };
    Err(Error::CookiecutterLayout { message })
}

#[cfg(test)]
mod tests;
