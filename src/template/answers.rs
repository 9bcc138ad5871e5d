//! Answers to a template's questions: where they come from (`-d`, `--data-file`, defaults, prompts),
//! how they are typed and validated, and the answers file written into the generated repository.
//! Prompting goes through the [`Prompter`] trait, so unattended runs and tests never touch a terminal.
//! It does not render files or write anything but the answers file's text.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::core::error::{Error, Result};
use crate::core::input::{self, Symlinks};
use crate::template::provenance::Provenance;
use crate::template::{Kind, Manifest, Question};

/// The answers file at the root of every generated repository.
pub(crate) const ANSWERS_FILE: &str = ".groundwork.toml";

/// A typed answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    String(String),
    Bool(bool),
    Integer(i64),
    List(Vec<String>),
    /// A cookiecutter answer: any JSON value (strings, booleans, dicts, lists, null).
    Json(serde_json::Value),
}

impl Value {
    /// The value as JSON (what `--json` reports and the recorded answers hold).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The value as the answers file holds it; `None` for a JSON null, which TOML cannot hold
    /// (left out, it is the default again on replay).
    fn to_toml(&self) -> Option<toml::Value> {
        Some(match self {
            Value::String(s) => toml::Value::String(s.clone()),
            Value::Bool(b) => toml::Value::Boolean(*b),
            Value::Integer(i) => toml::Value::Integer(*i),
            Value::List(items) => {
                toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect())
            }
            Value::Json(json) => return json_to_toml(json),
        })
    }
}

fn json_to_toml(json: &serde_json::Value) -> Option<toml::Value> {
    Some(match json {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => toml::Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        serde_json::Value::String(s) => toml::Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            toml::Value::Array(items.iter().filter_map(json_to_toml).collect())
        }
        serde_json::Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// Where a value of the render context comes from; only answers are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Asked, given or defaulted: recorded in the answers file.
    Answered,
    /// A question whose `when` is false: its default, not recorded.
    Skipped,
    /// A `[computed]` value: worked out on every render, never recorded.
    Computed,
}

/// Answers in question order, then the computed values: the render context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    entries: Vec<(String, Value, Origin)>,
    /// Things the user should know (a `-d` for a skipped question); printed by the command.
    pub warnings: Vec<String>,
}

impl Answers {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v)
    }

    /// Every value of the render context: answers, skipped questions' defaults, computed values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(n, v, _)| (n.as_str(), v))
    }

    /// The answers the answers file records: not skipped questions, not computed values.
    pub fn recorded(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries
            .iter()
            .filter(|(_, _, o)| *o == Origin::Answered)
            .map(|(n, v, _)| (n.as_str(), v))
    }

    /// Whether `name` is a question that was answered (asked, given or defaulted), not skipped by
    /// its `when` and not a computed value.
    pub fn answered(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|(n, _, o)| n == name && *o == Origin::Answered)
    }

    pub(crate) fn insert(&mut self, name: &str, value: Value, origin: Origin) {
        self.entries.push((name.to_owned(), value, origin));
    }
}

/// Answers given before any question is asked, untyped until matched with their question, and
/// the user's own defaults.
#[derive(Debug, Clone, Default)]
pub struct Presets {
    /// Per key: the value, where it came from, and whether the user gave it on this run (`-d`,
    /// `--data-file`) rather than a recorded answer being replayed.
    pub(crate) values: BTreeMap<String, (Raw, String, bool)>,
    /// Defaults from the user's configuration: they replace a question's default, never an answer.
    pub(crate) user: UserDefaults,
}

/// What the user's configuration offers every template: default answers by question name (with
/// where each came from) and the git identity, which default expressions may read as
/// `git_user_name` and `git_user_email`.
#[derive(Debug, Clone, Default)]
pub struct UserDefaults {
    pub(crate) answers: BTreeMap<String, (Raw, String)>,
    pub(crate) git_name: Option<String>,
    pub(crate) git_email: Option<String>,
}

/// A preset as given: text from `-d`, or a value from a data file.
#[derive(Debug, Clone)]
pub(crate) enum Raw {
    Text(String),
    Data(serde_json::Value),
}

impl Presets {
    /// What the user gave on the command line: `--data-file`, then `-d` arguments, which win.
    pub fn given(data_file: Option<&Path>, data: &[String]) -> Result<Presets> {
        let mut presets = Presets::default();
        if let Some(path) = data_file {
            presets.add_data_file(path)?;
        }
        presets.add_data_args(data)?;
        Ok(presets)
    }

    /// Adds `-d KEY=VALUE` arguments; they win over the data file.
    pub fn add_data_args(&mut self, args: &[String]) -> Result<()> {
        for arg in args {
            let (key, value) = arg
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| Error::MalformedData { arg: arg.clone() })?;
            self.values.insert(
                key.trim().to_owned(),
                (Raw::Text(value.to_owned()), format!("from -d {arg}"), true),
            );
        }
        Ok(())
    }

    /// Reads a TOML or JSON table of answers (by extension; TOML when unsure).
    pub fn add_data_file(&mut self, path: &Path) -> Result<()> {
        // Never a hang or an endless read, whatever the user points at (a FIFO, `/dev/zero`).
        let Some(text) = input::read_text(path, Symlinks::Follow, "a data file")? else {
            let missing = rustix::io::Errno::NOENT.raw_os_error();
            return Err(Error::io(path, std::io::Error::from_raw_os_error(missing)));
        };
        self.add_data_text(path, &text)
    }

    /// [`Presets::add_data_file`] on text already read: `path` picks the format (by extension) and
    /// names the file in errors. Public so the `data_file` fuzz target (`tests/fuzz`) can parse
    /// without a disk.
    pub fn add_data_text(&mut self, path: &Path, text: &str) -> Result<()> {
        let fail = |message: String| Error::DataFile {
            path: path.to_owned(),
            message,
        };
        let table: serde_json::Map<String, serde_json::Value> =
            if path.extension().is_some_and(|e| e == "json") {
                serde_json::from_str(text).map_err(|e| {
                    // serde_json's text ends with the place, which is said first here.
                    let place = format!(" at line {} column {}", e.line(), e.column());
                    let message = e.to_string();
                    let message = message.strip_suffix(&place).unwrap_or(&message);
                    let hint = if e.is_data() {
                        "; expected a JSON object of answers"
                    } else {
                        ""
                    };
                    fail(format!(
                        "line {}, column {}: {message}{hint}",
                        e.line(),
                        e.column()
                    ))
                })?
            } else {
                let mut table: serde_json::Map<String, serde_json::Value> = toml::from_str(text)
                    .map_err(|e| {
                        fail(format!(
                            "line {}: {}",
                            toml_line(text, &e),
                            e.message().trim_end()
                        ))
                    })?;
                // An answers file (`.groundwork.toml`) replays its recorded answers.
                if table.contains_key("template") {
                    if let Some(serde_json::Value::Object(answers)) = table.remove("answers") {
                        answers
                    } else {
                        serde_json::Map::new()
                    }
                } else {
                    table
                }
            };
        let origin = format!("from {}", path.display());
        for (key, value) in table {
            self.values
                .entry(key)
                .or_insert_with(|| (Raw::Data(value), origin.clone(), true));
        }
        Ok(())
    }

    /// The user's defaults (see [`UserDefaults`]) for the questions presets do not answer.
    #[must_use]
    pub(crate) fn with_user(mut self, user: UserDefaults) -> Presets {
        self.user = user;
        self
    }

    /// Adds answers recorded in a project's answers file; anything already given wins.
    pub fn add_recorded(&mut self, recorded: &Recorded) {
        let origin = format!("recorded in {}", recorded.path.display());
        for (key, value) in &recorded.answers {
            self.values
                .entry(key.clone())
                .or_insert_with(|| (Raw::Data(value.clone()), origin.clone(), false));
        }
    }

    /// [`Presets::add_recorded`] carried over to `manifest`'s questions: an answer recorded under a
    /// question's earlier name (`renamed_from`) moves to its name, and an old choice value
    /// (`renamed_values`) becomes the new one, unless the user gives that question an answer now.
    /// Returns the answers as carried (the baseline the new answers are compared with) and a line
    /// per migration. Two earlier names recorded with different answers is an error: nothing can
    /// choose between them.
    pub fn add_recorded_migrated(
        &mut self,
        recorded: &Recorded,
        manifest: &Manifest,
    ) -> Result<(serde_json::Map<String, serde_json::Value>, Vec<String>)> {
        let mut answers = recorded.answers.clone();
        let mut notes = Vec::new();
        for question in &manifest.questions {
            let olds: Vec<&String> = question
                .renamed_from
                .iter()
                .filter(|old| answers.contains_key(*old))
                .collect();
            let given = self
                .values
                .get(&question.name)
                .is_some_and(|(_, _, now)| *now);
            if !answers.contains_key(&question.name) && !given {
                let mut values = olds.iter().filter_map(|old| answers.get(*old));
                if let Some(first) = values.next()
                    && values.any(|other| other != first)
                {
                    let shown: Vec<String> = olds
                        .iter()
                        .map(|old| format!("`{old}` = {}", answers[old.as_str()]))
                        .collect();
                    return Err(Error::Question {
                        path: manifest.path.clone(),
                        line: question.line,
                        question: question.name.clone(),
                        message: format!(
                            "`renamed_from`: {} records {}, which disagree; answer it with -d {}=...",
                            recorded.path.display(),
                            shown.join(" and "),
                            question.name
                        ),
                    });
                }
                if let Some(old) = olds.first() {
                    let value = answers[old.as_str()].clone();
                    notes.push(format!(
                        "{} = {value} (recorded as `{old}`, renamed in {} {})",
                        question.name, manifest.name, manifest.version
                    ));
                    answers.insert(question.name.clone(), value);
                }
            }
            for old in olds {
                answers.remove(old.as_str());
            }
            if let Some(value) = answers.get_mut(&question.name)
                && let Some(note) = rename_value(question, value)
            {
                notes.push(format!(
                    "{} = {value} ({note}, renamed in {} {})",
                    question.name, manifest.name, manifest.version
                ));
            }
        }
        let origin = format!("recorded in {}", recorded.path.display());
        for (key, value) in &answers {
            self.values
                .entry(key.clone())
                .or_insert_with(|| (Raw::Data(value.clone()), origin.clone(), false));
        }
        Ok((answers, notes))
    }

    /// Drops the answers `manifest` no longer asks for and returns their names: a recorded answer
    /// to a question a newer version removed is not an error.
    pub fn retain_known(&mut self, manifest: &Manifest) -> Vec<String> {
        let mut dropped = Vec::new();
        self.values.retain(|key, _| {
            let known = manifest.questions.iter().any(|q| &q.name == key);
            if !known {
                dropped.push(key.clone());
            }
            known
        });
        dropped
    }

    pub fn check_known(&self, manifest: &Manifest) -> Result<()> {
        for (key, (_, origin, _)) in &self.values {
            if manifest.computed(key).is_some() {
                return Err(Error::ComputedAnswer {
                    key: key.clone(),
                    origin: origin.clone(),
                });
            }
            if !manifest.questions.iter().any(|q| &q.name == key) {
                let known = manifest
                    .questions
                    .iter()
                    .map(|q| q.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::UnknownAnswer {
                    key: key.clone(),
                    origin: origin.clone(),
                    known,
                });
            }
        }
        Ok(())
    }
}

/// Maps a recorded choice (or each of a multi-choice's) by the question's `renamed_values`;
/// says what changed, or `None` when nothing did.
fn rename_value(question: &Question, value: &mut serde_json::Value) -> Option<String> {
    let renamed = |old: &str| {
        question
            .renamed_values
            .iter()
            .find(|(from, _)| from == old)
            .map(|(_, to)| to.clone())
    };
    let before = value.clone();
    match value {
        serde_json::Value::String(old) => *old = renamed(old)?,
        serde_json::Value::Array(items) => {
            for item in items.iter_mut() {
                if let Some(new) = item.as_str().and_then(renamed) {
                    *item = serde_json::Value::String(new);
                }
            }
        }
        _ => return None,
    }
    (*value != before).then(|| format!("was {before}"))
}

/// Asks questions. Implementations: a terminal (dialoguer), or a script in tests.
/// Validation and re-asking are the caller's job, so every implementation behaves the same.
pub trait Prompter {
    fn text(&mut self, question: &Question, default: Option<&str>) -> Result<String>;
    fn secret(&mut self, question: &Question) -> Result<String>;
    fn confirm(&mut self, question: &Question, default: bool) -> Result<bool>;
    fn select(&mut self, question: &Question, choices: &[String], default: usize) -> Result<usize>;
    fn multi_select(
        &mut self,
        question: &Question,
        choices: &[String],
        defaults: &[bool],
    ) -> Result<Vec<usize>>;
    /// Tells the user why the last answer was refused before asking again.
    fn refuse(&mut self, question: &Question, message: &str);
    /// Tells the user a typed answer (`text` or `secret`) was accepted, once it has passed
    /// validation: a terminal marks an answer as taken only then. `shown` is `None` for a secret.
    fn accepted(&mut self, _question: &Question, _shown: Option<&str>) {}
    /// Asks whether the template at `source` may run these hook files on this machine.
    fn confirm_hooks(&mut self, source: &str, hooks: &[String]) -> Result<bool>;
}

/// How questions without a preset are answered.
pub enum Mode<'a> {
    /// Ask through the prompter.
    Interactive(&'a mut dyn Prompter),
    /// Take defaults; a question without one is an error (`--defaults`, or no terminal).
    Unattended,
}

pub(crate) fn ask(
    prompter: &mut dyn Prompter,
    question: &Question,
    default: Option<&Value>,
) -> Result<Value> {
    loop {
        let value = match &question.kind {
            Kind::Bool => {
                Value::Bool(prompter.confirm(question, matches!(default, Some(Value::Bool(true))))?)
            }
            Kind::Choice(choices) => {
                let index = match default {
                    Some(Value::String(s)) => choices.iter().position(|c| c == s).unwrap_or(0),
                    _ => 0,
                };
                let shown = labels(question, choices);
                let picked = prompter.select(question, &shown, index)?;
                Value::String(chosen(question, choices, picked)?.clone())
            }
            Kind::MultiChoice(choices) => {
                let picked: Vec<bool> = choices
                    .iter()
                    .map(|c| matches!(default, Some(Value::List(d)) if d.contains(c)))
                    .collect();
                let shown = labels(question, choices);
                let indices = prompter.multi_select(question, &shown, &picked)?;
                let picked = indices
                    .into_iter()
                    .map(|i| chosen(question, choices, i).cloned())
                    .collect::<Result<_>>()?;
                Value::List(picked)
            }
            Kind::String | Kind::Integer => {
                let text = if question.secret {
                    let text = prompter.secret(question)?;
                    match (default, text.is_empty()) {
                        (Some(d), true) => display(d),
                        _ => text,
                    }
                } else {
                    let shown = default.map(display);
                    prompter.text(question, shown.as_deref())?
                };
                if text.is_empty() && default.is_none() {
                    prompter.refuse(
                        question,
                        "an answer is required (this question has no default)",
                    );
                    continue;
                }
                match parse_text(question, &text) {
                    Ok(value) => value,
                    Err(reason) => {
                        prompter.refuse(question, &reason);
                        continue;
                    }
                }
            }
        };
        match validate(question, &value, "typed") {
            Ok(()) => {
                if matches!(question.kind, Kind::String | Kind::Integer) {
                    let shown = display(&value);
                    prompter.accepted(question, (!question.secret).then_some(shown.as_str()));
                }
                return Ok(value);
            }
            Err(error) => prompter.refuse(question, &error.to_string()),
        }
    }
}

/// The choice at `index`, as a [`Prompter`] returned it. A prompter is outside code (a terminal
/// library, a test script): an index past the end is its error, reported, not a panic.
pub(crate) fn chosen<'c, T>(question: &Question, choices: &'c [T], index: usize) -> Result<&'c T> {
    choices.get(index).ok_or_else(|| Error::Prompt {
        question: question.name.clone(),
        message: format!(
            "the prompt returned choice {} of {}",
            index + 1,
            choices.len()
        ),
    })
}

/// What a prompt shows for each choice: its label, or its value.
pub(crate) fn labels(question: &Question, choices: &[String]) -> Vec<String> {
    choices
        .iter()
        .map(|c| question.label(c).to_owned())
        .collect()
}

pub(crate) fn display(value: &Value) -> String {
    match value {
        Value::String(s) | Value::Json(serde_json::Value::String(s)) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::List(items) => items.join(","),
        Value::Json(json) => json.to_string(),
    }
}

pub(crate) fn coerce(question: &Question, raw: &Raw, origin: &str) -> Result<Value> {
    let invalid = |value: String, reason: String| Error::InvalidValue {
        question: question.name.clone(),
        origin: origin.to_owned(),
        value,
        reason,
    };
    match raw {
        Raw::Text(text) => parse_text(question, text).map_err(|r| invalid(text.clone(), r)),
        Raw::Data(serde_json::Value::String(text)) => {
            parse_text(question, text).map_err(|r| invalid(text.clone(), r))
        }
        Raw::Data(data) => {
            let value = match (&question.kind, data) {
                (Kind::Bool, serde_json::Value::Bool(b)) => Some(Value::Bool(*b)),
                (Kind::Integer, serde_json::Value::Number(n)) => n.as_i64().map(Value::Integer),
                (Kind::MultiChoice(choices), serde_json::Value::Array(items)) => {
                    let mut picked = Vec::new();
                    for item in items {
                        match item.as_str() {
                            Some(s) => picked.push(s.to_owned()),
                            None => {
                                return Err(invalid(
                                    data.to_string(),
                                    "a multi-choice answer is a list of strings".into(),
                                ));
                            }
                        }
                    }
                    Some(check_multi(choices, picked).map_err(|r| invalid(data.to_string(), r))?)
                }
                _ => None,
            };
            value.ok_or_else(|| {
                let expected = match &question.kind {
                    Kind::Choice(choices) => format!("expected one of: {}", choices.join(", ")),
                    Kind::MultiChoice(choices) => format!(
                        "expected a list of: {} (or a comma-separated string)",
                        choices.join(", ")
                    ),
                    kind => format!("expected a {} answer", kind.describe()),
                };
                invalid(data.to_string(), expected)
            })
        }
    }
}

/// Parses text typed or passed with `-d` according to the question's kind.
pub(crate) fn parse_text(question: &Question, text: &str) -> Result<Value, String> {
    match &question.kind {
        Kind::String => Ok(Value::String(text.to_owned())),
        Kind::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => Ok(Value::Bool(true)),
            "false" | "no" | "n" | "0" | "off" => Ok(Value::Bool(false)),
            _ => Err("expected true/false or yes/no".into()),
        },
        Kind::Integer => text
            .trim()
            .parse()
            .map(Value::Integer)
            .map_err(|_| "expected a whole number".into()),
        Kind::Choice(choices) => {
            if choices.iter().any(|c| c == text) {
                Ok(Value::String(text.to_owned()))
            } else {
                Err(format!("expected one of: {}", choices.join(", ")))
            }
        }
        Kind::MultiChoice(choices) => {
            let picked = text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            check_multi(choices, picked)
        }
    }
}

pub(crate) fn check_multi(choices: &[String], picked: Vec<String>) -> Result<Value, String> {
    match picked.iter().find(|p| !choices.contains(p)) {
        Some(unknown) => Err(format!(
            "{unknown:?} is not a choice; expected a comma-separated list of: {}",
            choices.join(", ")
        )),
        None => Ok(Value::List(picked)),
    }
}

pub(crate) fn validate(question: &Question, value: &Value, origin: &str) -> Result<()> {
    let Some(pattern) = &question.validate else {
        return Ok(());
    };
    let text = display(value);
    if pattern.is_match(&text) {
        return Ok(());
    }
    let shown = if question.secret {
        "(secret)".to_owned()
    } else {
        text.clone()
    };
    if let Some(message) = &question.validate_message {
        return Err(Error::InvalidValue {
            question: question.name.clone(),
            origin: origin.to_owned(),
            value: shown,
            reason: message.clone(),
        });
    }
    let hint = question
        .help
        .as_deref()
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    Err(Error::Validation {
        question: question.name.clone(),
        origin: origin.to_owned(),
        value: if question.secret {
            "(secret)".into()
        } else {
            text
        },
        pattern: pattern.as_str().to_owned(),
        hint,
    })
}

/// The text of the answers file: the template's provenance, then the answers. Secret answers are left out: they are asked again when needed.
pub(crate) fn answers_file(
    manifest: &Manifest,
    provenance: &Provenance,
    answers: &Answers,
) -> Result<String, toml::ser::Error> {
    let template = toml::Table::try_from(provenance)?;
    let secrets: std::collections::HashSet<&str> = manifest
        .questions
        .iter()
        .filter(|q| q.secret)
        .map(|q| q.name.as_str())
        .collect();
    let mut table = toml::Table::new();
    for (name, value) in answers.recorded() {
        let secret = secrets.contains(name);
        if !secret && let Some(value) = value.to_toml() {
            table.insert(name.to_owned(), value);
        }
    }
    let mut document = toml::Table::new();
    document.insert("template".into(), toml::Value::Table(template));
    document.insert("answers".into(), toml::Value::Table(table));
    Ok(format!(
        "# Written by groundwork. `groundwork update` reads it; edit answers with `groundwork update -d key=value`.\n{}",
        toml::to_string(&document)?
    ))
}

/// What the answers file of a generated repository records.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub provenance: Provenance,
    /// The answers as written, untyped until matched with the questions of a template version.
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Where it was read from, for messages.
    pub path: std::path::PathBuf,
}

#[derive(serde::Deserialize)]
struct RawRecorded {
    template: Provenance,
    #[serde(default)]
    answers: serde_json::Map<String, serde_json::Value>,
}

/// Reads the answers file of the project at `root`.
pub(crate) fn read_answers_file(root: &Path) -> Result<Recorded> {
    let path = root.join(ANSWERS_FILE);
    // Read without following a symlink or blocking on a FIFO, and bounded in size.
    let Some(text) = input::read_text(&path, Symlinks::Refuse, "an answers file")? else {
        return Err(Error::NotAProject {
            path: root.to_owned(),
        });
    };
    let raw: RawRecorded = toml::from_str(&text).map_err(|e| Error::DataFile {
        path: path.clone(),
        message: format!("line {}: {}", toml_line(&text, &e), e.message().trim_end()),
    })?;
    Ok(Recorded {
        provenance: raw.template,
        answers: raw.answers,
        path,
    })
}

fn toml_line(text: &str, error: &toml::de::Error) -> usize {
    error
        .span()
        .map_or(1, |s| text[..s.start].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prompter whose selections are out of range.
    struct OutOfRange;

    impl Prompter for OutOfRange {
        fn text(&mut self, _: &Question, _: Option<&str>) -> Result<String> {
            Ok(String::new())
        }
        fn secret(&mut self, _: &Question) -> Result<String> {
            Ok(String::new())
        }
        fn confirm(&mut self, _: &Question, default: bool) -> Result<bool> {
            Ok(default)
        }
        fn select(&mut self, _: &Question, choices: &[String], _: usize) -> Result<usize> {
            Ok(choices.len())
        }
        fn multi_select(
            &mut self,
            _: &Question,
            choices: &[String],
            _: &[bool],
        ) -> Result<Vec<usize>> {
            Ok(vec![0, choices.len() + 7])
        }
        fn refuse(&mut self, _: &Question, _: &str) {}
        fn confirm_hooks(&mut self, _: &str, _: &[String]) -> Result<bool> {
            Ok(false)
        }
    }

    fn question(kind: Kind) -> Question {
        Question::synthetic("ci", "CI system", kind)
    }

    #[test]
    fn a_selected_index_past_the_choices_is_an_error_not_a_panic() {
        let choices = vec!["github".to_owned(), "gitlab".to_owned()];
        let error = ask(&mut OutOfRange, &question(Kind::Choice(choices)), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot ask `ci`: the prompt returned choice 3 of 2"
        );
    }

    #[test]
    fn a_multi_selected_index_past_the_choices_is_an_error_not_a_panic() {
        let choices = vec!["lint".to_owned(), "test".to_owned()];
        let error = ask(&mut OutOfRange, &question(Kind::MultiChoice(choices)), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot ask `ci`: the prompt returned choice 10 of 2"
        );
    }

    #[test]
    fn a_selected_index_within_the_choices_is_that_choice() {
        let choices = ["a", "b"];
        let q = question(Kind::Bool);
        assert_eq!(chosen(&q, &choices, 1).ok(), Some(&"b"));
    }
}
