//! `template.toml`: parsing and checking the manifest of a native template (metadata and questions).
//! Turns TOML into validated [`Manifest`] and [`Question`] values with line numbers kept for later
//! errors. It does not evaluate defaults or conditions: that needs answers (see `answers`).

use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::answers::Value;
use crate::error::{Error, Result};

/// The file name of a native template's manifest.
pub const MANIFEST_FILE: &str = "template.toml";

/// Names the renderer provides itself; a question may not shadow them.
pub const RESERVED_NAMES: &[&str] = &["destination_name"];

#[derive(Debug, Clone)]
pub struct Manifest {
    pub name: String,
    pub version: semver::Version,
    pub description: String,
    pub requires: Option<semver::VersionReq>,
    pub questions: Vec<Question>,
    /// Where the manifest was read from, for error messages.
    pub path: PathBuf,
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
    /// 1-based line of the question's table in the manifest.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    template: RawMeta,
    #[serde(default)]
    questions: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: String,
    version: Spanned<String>,
    #[serde(default)]
    description: String,
    requires: Option<Spanned<String>>,
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
    choices: Option<Vec<String>>,
}

/// Parses and checks a manifest; `path` is only used in error messages.
pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        Error::Manifest {
            path: path.to_owned(),
            line,
            column,
            message: e.message().to_owned(),
        }
    })?;

    let at = |span: Range<usize>, message: String| {
        let (line, column) = line_column(text, span.start);
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
    for spanned in raw.questions {
        let line = line_column(text, spanned.span().start).0;
        let question = check_question(path, line, spanned.into_inner())?;
        if questions.iter().any(|q| q.name == question.name) {
            return Err(question_error(
                path,
                line,
                &question.name,
                "is defined twice; question names must be unique",
            ));
        }
        questions.push(question);
    }

    Ok(Manifest {
        name: raw.template.name,
        version,
        description: raw.template.description,
        requires,
        questions,
        path: path.to_owned(),
    })
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

    let kind = match (raw.kind.as_deref(), raw.choices) {
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
        line,
    })
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

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

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
