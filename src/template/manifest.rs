//! `template.toml`: parsing and checking the manifest of a native template (metadata, questions,
//! computed values, file rules, excludes). Turns TOML into validated [`Manifest`] values with line
//! numbers kept for later errors. It does not evaluate defaults, conditions or computed values: that
//! needs answers (see `answers`); checks against the template's files live in `template`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::core::error::{Error, Result};
use crate::template::answers::Value;

/// The file name of a native template's manifest.
pub const MANIFEST_FILE: &str = "template.toml";

/// Names the renderer provides itself; a question may not shadow them.
pub const RESERVED_NAMES: &[&str] = &["destination_name"];

/// Files never written into a project unless the template sets `default_excludes = false`.
pub const DEFAULT_EXCLUDES: &[&str] = &[".DS_Store", "*.swp", "*~", "__pycache__/", ".git/"];

#[derive(Debug, Clone)]
pub struct Manifest {
    pub name: String,
    pub version: semver::Version,
    pub description: String,
    pub requires: Option<semver::VersionReq>,
    pub questions: Vec<Question>,
    /// `[computed]`: named expressions evaluated after the questions, in order.
    pub computed: Vec<Computed>,
    /// `[[files]]`: files left out when a condition is false.
    pub rules: Vec<FileRule>,
    /// `subdirectory`: the folder holding the project's files (`None`: the template root).
    pub subdirectory: Option<String>,
    /// 1-based line of `subdirectory` in the manifest (1 when there is none).
    pub subdirectory_line: usize,
    /// `exclude` plus the default excludes (unless `default_excludes = false`), as written.
    pub exclude: Vec<String>,
    /// `portable_names` (default true): rendered names Windows cannot hold are errors. Paths that
    /// are one file on macOS or Windows (case, Unicode normalization) are errors either way.
    pub portable_names: bool,
    /// Printed, rendered, after a successful `new`.
    pub message_after: Option<String>,
    /// `[[checks]]`: what `groundwork template test` runs in each generated project.
    pub checks: Vec<Check>,
    /// Where the manifest was read from, for error messages.
    pub path: PathBuf,
}

impl Manifest {
    /// The manifest of a template that has no `template.toml` (a cookiecutter template): a name, a
    /// version, and nothing to ask or filter, since its dialect owns those.
    pub fn synthetic(name: &str, version: semver::Version, path: PathBuf) -> Manifest {
        Manifest {
            name: name.to_owned(),
            version,
            description: String::new(),
            requires: None,
            questions: Vec::new(),
            computed: Vec::new(),
            rules: Vec::new(),
            subdirectory: None,
            subdirectory_line: 1,
            exclude: Vec::new(),
            // Cookiecutter writes any name it renders; its dialect renders the same.
            portable_names: false,
            message_after: None,
            checks: Vec::new(),
            path,
        }
    }

    pub fn computed(&self, name: &str) -> Option<&Computed> {
        self.computed.iter().find(|c| c.name == name)
    }
}

/// One `[computed]` entry: `name = "expression"`.
#[derive(Debug, Clone)]
pub struct Computed {
    pub name: String,
    pub expression: String,
    /// 1-based line of the entry in the manifest.
    pub line: usize,
}

/// One `[[checks]]` entry: a shell command run inside each generated project (when `when` holds).
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub run: String,
    pub when: Option<String>,
    /// 1-based line of the check's table in the manifest.
    pub line: usize,
}

/// One `[[files]]` rule: the files matching `paths` exist only when `when` is true.
#[derive(Debug, Clone)]
pub struct FileRule {
    pub when: String,
    /// The globs as written.
    pub paths: Vec<String>,
    /// One matcher per glob, in the order of `paths`.
    pub globs: Vec<globset::GlobMatcher>,
    /// 1-based line of the rule's table in the manifest.
    pub line: usize,
}

impl FileRule {
    /// Whether the template file at `path` (template-relative, as in the source) is one of the
    /// rule's; a glob matches the path with or without its `.tera` suffix.
    pub fn matches(&self, path: &str) -> bool {
        self.globs.iter().any(|g| matches_path(g, path))
    }
}

/// Whether `glob` matches a template path, with or without its `.tera` suffix.
pub fn matches_path(glob: &globset::GlobMatcher, path: &str) -> bool {
    glob.is_match(path)
        || path
            .strip_suffix(crate::template::manifest::RENDER_SUFFIX)
            .is_some_and(|stripped| glob.is_match(stripped))
}

/// Compiles a template glob: `*` stays inside one path segment, `**` crosses them, and a glob
/// ending in `/` means everything below a folder of that name at any depth.
pub fn compile_glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    let expanded = match pattern.strip_suffix('/') {
        Some(folder) if folder.contains('/') => format!("{folder}/**"),
        Some(folder) => format!("**/{folder}/**"),
        None if pattern.contains('/') => pattern.to_owned(),
        // A bare name (`.DS_Store`, `*.swp`) matches in every folder.
        None => format!("**/{pattern}"),
    };
    globset::GlobBuilder::new(&expanded)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("{pattern:?} is not a valid glob: {}", e.kind()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    String,
    Bool,
    Integer,
    Choice(Vec<String>),
    MultiChoice(Vec<String>),
}

impl Kind {
    pub fn describe(&self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Bool => "bool",
            Kind::Integer => "integer",
            Kind::Choice(_) => "choice",
            Kind::MultiChoice(_) => "multi-choice",
        }
    }
}

/// A question's default: a literal of the question's type, or a Tera expression (any TOML string)
/// rendered against the earlier answers.
#[derive(Debug, Clone)]
pub enum Default {
    Literal(Value),
    Expression(String),
}

#[derive(Debug, Clone)]
pub struct Question {
    pub name: String,
    pub kind: Kind,
    pub prompt: String,
    pub help: Option<String>,
    pub default: Option<Default>,
    pub validate: Option<Regex>,
    pub when: Option<String>,
    pub secret: bool,
    /// Labels shown instead of choice values, by value (`choices = [{ value, label }]`).
    pub labels: Vec<(String, String)>,
    /// Shown instead of the pattern when `validate` refuses an answer.
    pub validate_message: Option<String>,
    /// Names the question had in earlier versions (`renamed_from`): `update` carries a recorded
    /// answer under an old name over to this one.
    pub renamed_from: Vec<String>,
    /// Choice values renamed since earlier versions, old to new (`renamed_values`): `update` maps a
    /// recorded answer's old value to the new one.
    pub renamed_values: Vec<(String, String)>,
    /// 1-based line of the question's table in the manifest.
    pub line: usize,
}

impl Question {
    /// A question that no `template.toml` declares (a cookiecutter variable), for prompting.
    pub fn synthetic(name: &str, prompt: &str, kind: Kind) -> Question {
        Question {
            name: name.to_owned(),
            kind,
            prompt: prompt.to_owned(),
            help: None,
            default: None,
            validate: None,
            when: None,
            secret: false,
            labels: Vec::new(),
            validate_message: None,
            renamed_from: Vec::new(),
            renamed_values: Vec::new(),
            line: 1,
        }
    }

    /// The text shown for a choice value: its label, or the value itself.
    pub fn label<'a>(&'a self, value: &'a str) -> &'a str {
        self.labels
            .iter()
            .find(|(v, _)| v == value)
            .map_or(value, |(_, label)| label.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    template: RawMeta,
    #[serde(default)]
    questions: Vec<Spanned<RawQuestion>>,
    #[serde(default)]
    computed: Ordered<Spanned<String>>,
    #[serde(default)]
    files: Vec<Spanned<RawRule>>,
    #[serde(default)]
    checks: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: String,
    run: String,
    when: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    when: String,
    paths: Vec<String>,
}

/// A TOML table kept in the order it was written.
struct Ordered<V>(Vec<(String, V)>);

impl<V> std::default::Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, V>()? {
                    entries.push((key, value));
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: String,
    version: Spanned<String>,
    #[serde(default)]
    description: String,
    requires: Option<Spanned<String>>,
    subdirectory: Option<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default = "yes")]
    default_excludes: bool,
    #[serde(default = "yes")]
    portable_names: bool,
    message_after: Option<String>,
}

fn yes() -> bool {
    true
}

/// A choice as written: a plain value, or a value with a label.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawChoice {
    Plain(String),
    Labelled { value: String, label: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    prompt: Option<String>,
    help: Option<String>,
    default: Option<toml::Value>,
    validate: Option<String>,
    when: Option<String>,
    #[serde(default)]
    secret: bool,
    choices: Option<Vec<RawChoice>>,
    validate_message: Option<String>,
    #[serde(default)]
    renamed_from: Vec<String>,
    #[serde(default)]
    renamed_values: toml::Table,
}

/// [`parse`] for a manifest read as bytes, which must be UTF-8.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Manifest> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::Manifest {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message: "not UTF-8".into(),
    })?;
    parse(path, text)
}

/// Parses and checks a manifest; `path` is only used in error messages.
pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
    let lines = Lines::new(text);
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| lines.line_column(span.start));
        Error::Manifest {
            path: path.to_owned(),
            line,
            column,
            message: e.message().to_owned(),
        }
    })?;

    let at = |span: Range<usize>, message: String| {
        let (line, column) = lines.line_column(span.start);
        Error::Manifest {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };

    let version = semver::Version::parse(raw.template.version.get_ref()).map_err(|e| {
        at(
            raw.template.version.span(),
            format!("`version` must be a semantic version such as 1.0.0: {e}"),
        )
    })?;
    let requires = raw
        .template
        .requires
        .map(|r| {
            semver::VersionReq::parse(r.get_ref()).map_err(|e| {
                at(
                    r.span(),
                    format!("`requires` must be a version requirement such as \">=0.1\": {e}"),
                )
            })
        })
        .transpose()?;

    let mut questions: Vec<Question> = Vec::with_capacity(raw.questions.len());
    let mut names = std::collections::HashSet::with_capacity(raw.questions.len());
    for spanned in raw.questions {
        let line = lines.line_column(spanned.span().start).0;
        let question = check_question(path, line, spanned.into_inner())?;
        if !names.insert(question.name.clone()) {
            return Err(question_error(
                path,
                line,
                &question.name,
                "is defined twice; question names must be unique",
            ));
        }
        questions.push(question);
    }
    check_renames(path, &questions)?;

    let computed = parse_computed(path, &lines, raw.computed, &questions)?;
    let rules = parse_rules(path, &lines, raw.files)?;
    let subdirectory_line = raw
        .template
        .subdirectory
        .as_ref()
        .map_or(1, |s| lines.line_column(s.span().start).0);
    let subdirectory = raw
        .template
        .subdirectory
        .map(|spanned| check_subdirectory(spanned.get_ref()).map_err(|m| at(spanned.span(), m)))
        .transpose()?;
    let exclude = parse_exclude(
        path,
        text,
        raw.template.default_excludes,
        raw.template.exclude,
    )?;

    let checks = parse_checks(path, &lines, raw.checks)?;
    let portable_names = raw.template.portable_names;

    Ok(Manifest {
        name: raw.template.name,
        version,
        description: raw.template.description,
        requires,
        questions,
        computed,
        rules,
        subdirectory,
        subdirectory_line,
        exclude,
        portable_names,
        message_after: raw.template.message_after,
        checks,
        path: path.to_owned(),
    })
}

fn parse_computed(
    path: &Path,
    lines: &Lines,
    raw: Ordered<Spanned<String>>,
    questions: &[Question],
) -> Result<Vec<Computed>> {
    let mut computed: Vec<Computed> = Vec::with_capacity(raw.0.len());
    for (name, expression) in raw.0 {
        let line = lines.line_column(expression.span().start).0;
        let fail = |message: String| Error::Computed {
            path: path.to_owned(),
            line,
            name: name.clone(),
            message,
        };
        if !is_identifier(&name) {
            return Err(fail(
                "the name must be an identifier (letters, digits and underscores, not starting with a digit)"
                    .into(),
            ));
        }
        if RESERVED_NAMES.contains(&name.as_str()) {
            return Err(fail(format!(
                "the name is reserved: groundwork provides `{name}` itself"
            )));
        }
        if let Some(question) = questions.iter().find(|q| q.name == name) {
            return Err(fail(format!(
                "a question (line {}) has the same name; rename one of them",
                question.line
            )));
        }
        computed.push(Computed {
            name,
            expression: expression.into_inner(),
            line,
        });
    }

    Ok(computed)
}

fn parse_rules(path: &Path, lines: &Lines, raw: Vec<Spanned<RawRule>>) -> Result<Vec<FileRule>> {
    let mut rules = Vec::with_capacity(raw.len());
    for spanned in raw {
        let line = lines.line_column(spanned.span().start).0;
        let rule = spanned.into_inner();
        let fail = |message: String| Error::FileRule {
            path: path.to_owned(),
            line,
            message,
        };
        if rule.paths.is_empty() {
            return Err(fail("`paths` must list at least one glob".into()));
        }
        let globs = rule
            .paths
            .iter()
            .map(|p| compile_glob(p).map_err(&fail))
            .collect::<Result<Vec<_>>>()?;
        rules.push(FileRule {
            when: rule.when,
            paths: rule.paths,
            globs,
            line,
        });
    }

    Ok(rules)
}

fn parse_checks(path: &Path, lines: &Lines, raw: Vec<Spanned<RawCheck>>) -> Result<Vec<Check>> {
    let mut checks: Vec<Check> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let line = lines.line_column(spanned.span().start).0;
        let check = spanned.into_inner();
        let fail = |message: &str| Error::Manifest {
            path: path.to_owned(),
            line,
            column: 1,
            message: format!("[[checks]] `{}`: {message}", check.name),
        };
        if check.name.trim().is_empty() {
            return Err(fail("`name` must not be empty"));
        }
        if check.run.trim().is_empty() {
            return Err(fail("`run` must hold the command to run"));
        }
        if let Some(first) = checks.iter().find(|c| c.name == check.name) {
            return Err(fail(&format!(
                "a check on line {} has the same name; check names must be unique",
                first.line
            )));
        }
        checks.push(Check {
            name: check.name,
            run: check.run,
            when: check.when,
            line,
        });
    }
    Ok(checks)
}

fn check_subdirectory(given: &str) -> Result<String, String> {
    let folder = given.trim_matches('/').to_owned();
    let bad = folder.is_empty()
        || given.starts_with('/')
        || folder
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        Err(format!(
            "`subdirectory` must be a relative folder inside the template, such as \"project\", not {given:?}"
        ))
    } else {
        Ok(folder)
    }
}

fn parse_exclude(
    path: &Path,
    text: &str,
    default_excludes: bool,
    raw: Vec<String>,
) -> Result<Vec<String>> {
    let mut exclude: Vec<String> = if default_excludes {
        DEFAULT_EXCLUDES.iter().map(|&s| s.to_owned()).collect()
    } else {
        Vec::new()
    };
    for pattern in raw {
        compile_glob(&pattern).map_err(|message| {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("exclude"))
                .map_or(1, |i| i + 1);
            Error::Manifest {
                path: path.to_owned(),
                line,
                column: 1,
                message: format!("`exclude`: {message}"),
            }
        })?;
        exclude.push(pattern);
    }

    Ok(exclude)
}

fn question_error(path: &Path, line: usize, question: &str, message: impl Into<String>) -> Error {
    Error::Question {
        path: path.to_owned(),
        line,
        question: question.to_owned(),
        message: message.into(),
    }
}

fn check_question(path: &Path, line: usize, raw: RawQuestion) -> Result<Question> {
    let fail = |message: String| question_error(path, line, &raw.name, message);

    if !is_identifier(&raw.name) {
        return Err(fail(
            "the name must be an identifier (letters, digits and underscores, not starting with a digit)"
                .into(),
        ));
    }
    if RESERVED_NAMES.contains(&raw.name.as_str()) {
        return Err(fail(format!(
            "the name is reserved: groundwork provides `{}` itself",
            raw.name
        )));
    }

    let mut labels = Vec::new();
    let choices = raw.choices.map(|choices| {
        choices
            .into_iter()
            .map(|choice| match choice {
                RawChoice::Plain(value) => value,
                RawChoice::Labelled { value, label } => {
                    labels.push((value.clone(), label));
                    value
                }
            })
            .collect::<Vec<_>>()
    });
    let kind = match (raw.kind.as_deref(), choices) {
        (None | Some("string" | "str"), None) => Kind::String,
        (Some("bool"), None) => Kind::Bool,
        (Some("integer" | "int"), None) => Kind::Integer,
        (None | Some("choice"), Some(choices)) => Kind::Choice(check_choices(choices, &fail)?),
        (Some("multi-choice"), Some(choices)) => Kind::MultiChoice(check_choices(choices, &fail)?),
        (Some("choice" | "multi-choice"), None) => {
            return Err(fail("a choice question needs `choices = [...]`".into()));
        }
        (Some(kind @ ("string" | "str" | "bool" | "integer" | "int")), Some(_)) => {
            return Err(fail(format!(
                "`choices` only go with type \"choice\" or \"multi-choice\", not \"{kind}\""
            )));
        }
        (Some(other), _) => {
            return Err(fail(format!(
                "unknown type \"{other}\"; use string, bool, integer, choice or multi-choice"
            )));
        }
    };

    let validate = raw
        .validate
        .map(|pattern| {
            Regex::new(&pattern).map_err(|e| fail(format!("`validate` is not a valid regex: {e}")))
        })
        .transpose()?;
    if validate.is_some() && !matches!(kind, Kind::String | Kind::Integer) {
        return Err(fail(
            "`validate` applies to string and integer questions only".into(),
        ));
    }

    if raw.validate_message.is_some() && validate.is_none() {
        return Err(fail(
            "`validate_message` is shown when `validate` refuses an answer; add `validate` or remove it".into(),
        ));
    }

    let renamed_values = check_renamed(
        &raw.name,
        &raw.renamed_from,
        &raw.renamed_values,
        &kind,
        &fail,
    )?;
    let default = raw
        .default
        .map(|value| literal_default(&kind, value).map_err(fail))
        .transpose()?;

    Ok(Question {
        prompt: raw.prompt.unwrap_or_else(|| raw.name.clone()),
        name: raw.name,
        kind,
        help: raw.help,
        default,
        validate,
        when: raw.when,
        secret: raw.secret,
        labels,
        validate_message: raw.validate_message,
        renamed_from: raw.renamed_from,
        renamed_values,
        line,
    })
}

/// A question's `renamed_from` (earlier names: identifiers, not its own) and its `renamed_values`
/// (old choice value to one of its choices), as pairs.
fn check_renamed(
    name: &str,
    renamed_from: &[String],
    renamed_values: &toml::Table,
    kind: &Kind,
    fail: &impl Fn(String) -> Error,
) -> Result<Vec<(String, String)>> {
    for old in renamed_from {
        if !is_identifier(old) || old == name {
            return Err(fail(format!(
                "`renamed_from`: {old:?} must be an earlier name of the question: an identifier other than its own"
            )));
        }
    }
    let mut pairs = Vec::with_capacity(renamed_values.len());
    for (old, new) in renamed_values {
        let (Kind::Choice(choices) | Kind::MultiChoice(choices)) = kind else {
            return Err(fail(
                "`renamed_values` maps old choice values to new ones: it goes with choice questions only".into(),
            ));
        };
        let Some(new) = new.as_str().filter(|new| choices.iter().any(|c| c == new)) else {
            return Err(fail(format!(
                "`renamed_values`: {old:?} must map to one of the choices ({}), not {new}",
                choices.join(", ")
            )));
        };
        pairs.push((old.clone(), new.to_owned()));
    }
    Ok(pairs)
}

/// An old name stands for one question only, and is no current question's name: otherwise a
/// recorded answer would have two places to go.
fn check_renames(path: &Path, questions: &[Question]) -> Result<()> {
    let mut claimed: Vec<(&str, &str)> = Vec::new();
    for question in questions {
        for old in &question.renamed_from {
            if questions.iter().any(|q| q.name == *old) {
                return Err(question_error(
                    path,
                    question.line,
                    &question.name,
                    format!("`renamed_from`: `{old}` is the name of a question of this version"),
                ));
            }
            if let Some((_, other)) = claimed.iter().find(|(name, _)| name == old) {
                return Err(question_error(
                    path,
                    question.line,
                    &question.name,
                    format!("`renamed_from`: `{old}` is also claimed by question `{other}`"),
                ));
            }
            claimed.push((old, &question.name));
        }
    }
    Ok(())
}

fn check_choices(choices: Vec<String>, fail: &impl Fn(String) -> Error) -> Result<Vec<String>> {
    if choices.is_empty() {
        return Err(fail("`choices` must not be empty".into()));
    }
    for (i, choice) in choices.iter().enumerate() {
        if choices[..i].contains(choice) {
            return Err(fail(format!("choice {choice:?} is listed twice")));
        }
        if choice.contains(',') {
            return Err(fail(format!(
                "choice {choice:?} contains a comma, which `-d` uses to separate choices"
            )));
        }
    }
    Ok(choices)
}

/// Checks a default from the manifest against the question's kind. Strings stay expressions (they
/// are rendered later); other TOML values must already have the right type.
fn literal_default(kind: &Kind, value: toml::Value) -> Result<Default, String> {
    let mismatch = |value: &toml::Value| {
        format!(
            "`default` must be of type {} (or a string holding a Tera expression), not {value}",
            kind.describe()
        )
    };
    match (kind, value) {
        (_, toml::Value::String(expression)) => Ok(Default::Expression(expression)),
        (Kind::Bool, toml::Value::Boolean(b)) => Ok(Default::Literal(Value::Bool(b))),
        (Kind::Integer, toml::Value::Integer(i)) => Ok(Default::Literal(Value::Integer(i))),
        (Kind::MultiChoice(choices), toml::Value::Array(items)) => {
            let mut picked = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    toml::Value::String(s) if choices.contains(&s) => picked.push(s),
                    other => {
                        return Err(format!(
                            "`default` lists {other}, which is not one of the choices {choices:?}"
                        ));
                    }
                }
            }
            Ok(Default::Literal(Value::List(picked)))
        }
        (_, other) => Err(mismatch(&other)),
    }
}

pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where each line of a text starts, so the line of each of thousands of questions is found by
/// a binary search rather than by counting the newlines before it (quadratic in the file).
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in bytes) of a byte offset.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        (line, offset - start + 1)
    }
}

/// The suffix that marks a file whose contents are rendered.
pub const RENDER_SUFFIX: &str = ".tera";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Manifest> {
        parse(Path::new("template.toml"), text)
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = parse_str("[template]\nname = \"x\"\nversion = 1.0.0\n").unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with("template.toml:3:"), "{message}");
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let text = "[template]\nname = \"x\"\nversion = \"1.0.0\"\n\n[[questions]]\nname = \"a\"\ndefualt = \"b\"\n";
        let message = parse_str(text).unwrap_err().to_string();
        assert!(message.contains("template.toml:7:"), "{message}");
        assert!(message.contains("defualt"), "{message}");
    }

    #[test]
    fn question_errors_carry_the_question_line() {
        let text = "[template]\nname = \"x\"\nversion = \"1.0.0\"\n\n[[questions]]\nname = \"ok\"\n\n[[questions]]\nname = \"bad\"\nvalidate = \"(\"\n";
        let message = parse_str(text).unwrap_err().to_string();
        assert!(
            message.starts_with("template.toml:8: question `bad`"),
            "{message}"
        );
    }

    #[test]
    fn choices_imply_choice_kind_and_bad_version_is_reported() {
        let text = "[template]\nname = \"x\"\nversion = \"1.0.0\"\n[[questions]]\nname = \"c\"\nchoices = [\"a\", \"b\"]\n";
        let manifest = parse_str(text).unwrap();
        assert_eq!(
            manifest.questions[0].kind,
            Kind::Choice(vec!["a".into(), "b".into()])
        );
        let message = parse_str("[template]\nname = \"x\"\nversion = \"one\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("template.toml:3:11"), "{message}");
    }

    #[test]
    fn typed_literal_defaults_are_checked() {
        let text = "[template]\nname = \"x\"\nversion = \"1.0.0\"\n[[questions]]\nname = \"n\"\ntype = \"integer\"\ndefault = true\n";
        let message = parse_str(text).unwrap_err().to_string();
        assert!(message.contains("must be of type integer"), "{message}");
    }
}
