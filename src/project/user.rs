//! What the user brings to every project, read once per command: groundwork's configuration file
//! (`$XDG_CONFIG_HOME/groundwork/config.toml`, or `GROUNDWORK_CONFIG`) with default answers, a
//! default template and source abbreviations; cookiecutter's `~/.cookiecutterrc` (or
//! `COOKIECUTTER_CONFIG`) with its `default_context` and `abbreviations`, read as cookiecutter reads
//! them; and the git identity (`user.name`, `user.email`). All of it only ever supplies defaults:
//! what the user types, `-d` and `--data-file` win. Reads; never writes a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::core::env;
use crate::core::error::{Error, Result};
use crate::core::input::{self, Symlinks};
use crate::template::answers::{Raw, UserDefaults};

/// Where a configuration file was looked for, and why there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub path: PathBuf,
    /// `GROUNDWORK_CONFIG`, or the default place.
    pub why: String,
    pub found: bool,
}

/// Everything the user's configuration sets.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserConfig {
    /// groundwork's own file; `None` when no place for it is known (no home folder).
    pub file: Option<Location>,
    /// The template `new` uses without `--template`.
    pub template: Option<String>,
    /// Default answers from groundwork's file, for any template asking these questions.
    pub defaults: BTreeMap<String, serde_json::Value>,
    /// `NAME` → URL with `{0}` for the rest (`gh:owner/repo` style), groundwork's file first.
    pub abbreviations: BTreeMap<String, (String, PathBuf)>,
    /// Cookiecutter's file, when one is looked for.
    pub cookiecutterrc: Option<Location>,
    /// Its `default_context`: defaults for cookiecutter templates.
    pub default_context: BTreeMap<String, serde_json::Value>,
    /// The user's git identity: offered to templates' default expressions.
    pub git_name: Option<String>,
    pub git_email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    template: Option<String>,
    #[serde(default)]
    defaults: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    abbreviations: BTreeMap<String, String>,
}

/// Cookiecutter's keys this reads; the others (`cookiecutters_dir`, `replay_dir`) are its own.
#[derive(Debug, Deserialize)]
struct RawCookiecutterrc {
    #[serde(default)]
    default_context: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    abbreviations: BTreeMap<String, String>,
}

impl UserConfig {
    /// Reads every source. A file that is absent is no error; one that cannot be read or parsed
    /// is, naming the file and line.
    pub(crate) fn load() -> Result<UserConfig> {
        let mut config = UserConfig {
            file: groundwork_file(),
            cookiecutterrc: cookiecutter_file(),
            ..UserConfig::default()
        };
        if let Some(file) = &mut config.file
            && let Some(text) = read_if_present(file)?
        {
            let raw: RawConfig = toml::from_str(&text).map_err(|e| Error::Config {
                path: file.path.clone(),
                line: e.span().map_or(1, |s| line_of(&text, s.start)),
                message: e.message().trim_end().to_owned(),
            })?;
            config.template = raw.template;
            config.defaults = raw.defaults.into_iter().collect();
            for (name, url) in raw.abbreviations {
                config.abbreviations.insert(name, (url, file.path.clone()));
            }
        }
        if let Some(file) = &mut config.cookiecutterrc
            && let Some(text) = read_if_present(file)?
        {
            let raw: Option<RawCookiecutterrc> =
                serde_saphyr::from_str(&text).map_err(|e| Error::Config {
                    path: file.path.clone(),
                    line: e
                        .location()
                        .and_then(|l| usize::try_from(l.line()).ok())
                        .unwrap_or(1),
                    message: first_line(&e.to_string()),
                })?;
            if let Some(raw) = raw {
                config.default_context = raw.default_context.into_iter().collect();
                for (name, url) in raw.abbreviations {
                    config
                        .abbreviations
                        .entry(name)
                        .or_insert((url, file.path.clone()));
                }
            }
        }
        (config.git_name, config.git_email) = crate::write::git::user_identity();
        Ok(config)
    }

    /// The defaults every template's questions start from.
    pub(crate) fn defaults(&self) -> UserDefaults {
        let mut answers = BTreeMap::new();
        // groundwork's own file wins over cookiecutter's for the same name.
        if let Some(file) = &self.cookiecutterrc {
            let origin = format!("default_context in {}", file.path.display());
            for (key, value) in &self.default_context {
                answers.insert(key.clone(), (Raw::Data(value.clone()), origin.clone()));
            }
        }
        if let Some(file) = &self.file {
            let origin = format!("[defaults] in {}", file.path.display());
            for (key, value) in &self.defaults {
                answers.insert(key.clone(), (Raw::Data(value.clone()), origin.clone()));
            }
        }
        UserDefaults {
            answers,
            git_name: self.git_name.clone(),
            git_email: self.git_email.clone(),
        }
    }

    /// `source` with an abbreviation expanded (`NAME:rest` → the URL with `{0}` = `rest`, or a
    /// bare `NAME`), as cookiecutter expands its own; any other source as given.
    pub(crate) fn expand(&self, source: &str) -> String {
        if let Some((url, _)) = self.abbreviations.get(source) {
            return url.clone();
        }
        if let Some((name, rest)) = source.split_once(':')
            && let Some((url, _)) = self.abbreviations.get(name)
        {
            return url.replace("{0}", rest);
        }
        source.to_owned()
    }
}

/// `GROUNDWORK_CONFIG`, else `$XDG_CONFIG_HOME/groundwork/config.toml` (`~/.config/...`).
fn groundwork_file() -> Option<Location> {
    if let Some(path) = env::CONFIG.value() {
        return Some(Location {
            path: PathBuf::from(path),
            why: format!("from {}", env::CONFIG.name),
            found: false,
        });
    }
    dirs::config_dir().map(|dir| Location {
        path: dir.join("groundwork").join("config.toml"),
        why: "the default place".into(),
        found: false,
    })
}

/// `COOKIECUTTER_CONFIG`, else `~/.cookiecutterrc`, as cookiecutter looks.
fn cookiecutter_file() -> Option<Location> {
    if let Some(path) = env::COOKIECUTTER_CONFIG.value() {
        return Some(Location {
            path: PathBuf::from(path),
            why: format!("from {}", env::COOKIECUTTER_CONFIG.name),
            found: false,
        });
    }
    dirs::home_dir().map(|home| Location {
        path: home.join(".cookiecutterrc"),
        why: "the default place".into(),
        found: false,
    })
}

fn read_if_present(file: &mut Location) -> Result<Option<String>> {
    let text = input::read_text(&file.path, Symlinks::Follow, "a configuration file")?;
    file.found = text.is_some();
    Ok(text)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}

/// For `groundwork config`: where each setting comes from, one line each.
pub(crate) fn describe(config: &UserConfig) -> Vec<String> {
    let mut lines = Vec::new();
    let file_line = |what: &str, file: Option<&Location>| match file {
        Some(f) if f.found => format!("{what}: {} ({})", f.path.display(), f.why),
        Some(f) => format!("{what}: {} ({}; not there)", f.path.display(), f.why),
        None => format!("{what}: none (no home folder)"),
    };
    lines.push(file_line("config file", config.file.as_ref()));
    lines.push(file_line("cookiecutterrc", config.cookiecutterrc.as_ref()));
    let path_of = |file: Option<&Location>| file.map_or_else(String::new, |f| show(&f.path));
    match &config.template {
        Some(template) => lines.push(format!(
            "template = {template:?}  (config file {})",
            path_of(config.file.as_ref())
        )),
        None => lines.push("template = \"datascience\"  (built in)".into()),
    }
    for (key, (raw, origin)) in &config.defaults().answers {
        let Raw::Data(value) = raw else { continue };
        lines.push(format!("default {key} = {value}  ({origin})"));
    }
    for (name, (url, path)) in &config.abbreviations {
        lines.push(format!("abbreviation {name} = {url:?}  ({})", show(path)));
    }
    let identity = |key: &str, value: &Option<String>| match value {
        Some(v) => format!("git {key} = {v:?}  (git config; templates' defaults may use it)"),
        None => format!("git {key}: not set (git config)"),
    };
    lines.push(identity("user.name", &config.git_name));
    lines.push(identity("user.email", &config.git_email));
    lines
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
