//! Answering a native template's questions: presets, then prompts or defaults, each default and
//! `when` an expression; then the `[computed]` values.

use super::tera::{Expressions, Scope};
use crate::core::error::{Error, Result};
use crate::template::answers::{
    Answers, Mode, Origin, Presets, Value, ask, coerce, parse_text, validate,
};
use crate::template::manifest::Default;
use crate::template::{Kind, Manifest, Question};

/// Answers every question of `manifest`, in order: presets first, then prompts or defaults.
pub fn collect(
    manifest: &Manifest,
    presets: &Presets,
    mut mode: Mode<'_>,
    expressions: &Expressions,
) -> Result<Answers> {
    presets.check_known(manifest)?;
    let mut answers = Answers::default();
    let mut scope = expressions.scope(&answers);
    for question in &manifest.questions {
        // Ctrl-C is honoured between questions too (their defaults are rendered expressions).
        if crate::core::interrupt::interrupted() {
            return Err(Error::Interrupted);
        }
        // Its `when` and default are rendered under the render time limit; asking is not.
        let phase = crate::core::watchdog::enter(format!("question `{}`", question.name));
        let asked = match &question.when {
            Some(condition) => scope
                .truthy(condition)
                .map_err(|message| question_error(manifest, question, "when", &message))?,
            None => true,
        };
        let preset = presets.values.get(&question.name);
        if !asked {
            // Skipped: its default stands in the render context, and nothing is recorded.
            if let Some((_, origin, true)) = preset {
                answers.warnings.push(format!(
                    "the answer for `{}` ({origin}) is not used: the question is skipped because its `when` ({}) is false",
                    question.name,
                    question.when.as_deref().unwrap_or_default()
                ));
            }
            let default = default_value(manifest, question, &scope)?;
            let value = default.unwrap_or_else(|| empty_value(&question.kind));
            scope.insert(&question.name, &value);
            answers.insert(&question.name, value, Origin::Skipped);
            continue;
        }
        let value = if let Some((raw, origin, _)) = preset {
            let value = coerce(question, raw, origin)?;
            validate(question, &value, origin)?;
            value
        } else {
            // The user's configured default replaces the template's.
            let (default, origin) = match presets.user.answers.get(&question.name) {
                Some((raw, origin)) => (Some(coerce(question, raw, origin)?), origin.as_str()),
                None => (default_value(manifest, question, &scope)?, "the default"),
            };
            drop(phase);
            match &mut mode {
                Mode::Interactive(prompter) => ask(*prompter, question, default.as_ref())?,
                Mode::Unattended => {
                    let value = default.ok_or_else(|| Error::MissingAnswer {
                        question: question.name.clone(),
                    })?;
                    validate(question, &value, origin)?;
                    value
                }
            }
        };
        scope.insert(&question.name, &value);
        answers.insert(&question.name, value, Origin::Answered);
    }
    compute(manifest, expressions, &mut answers)?;
    Ok(answers)
}

/// Evaluates the `[computed]` values in order, each seeing the answers and the values before it.
fn compute(manifest: &Manifest, expressions: &Expressions, answers: &mut Answers) -> Result<()> {
    for computed in &manifest.computed {
        let fail = |message: String| Error::Computed {
            path: manifest.path.clone(),
            line: computed.line,
            name: computed.name.clone(),
            message,
        };
        let phase = crate::core::watchdog::enter(format!("computed `{}`", computed.name));
        let json = expressions
            .file_scope(answers)
            .evaluate(&computed.expression)
            .map_err(fail)?;
        drop(phase);
        let value = match json {
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Number(n) if n.is_i64() => Value::Integer(n.as_i64().unwrap_or(0)),
            serde_json::Value::Array(items) if items.iter().all(serde_json::Value::is_string) => {
                Value::List(
                    items
                        .into_iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect(),
                )
            }
            other => {
                return Err(fail(format!(
                    "evaluates to {other}; a computed value must be a string, a bool, an integer or a list of strings"
                )));
            }
        };
        answers.insert(&computed.name, value, Origin::Computed);
    }
    Ok(())
}

fn question_error(manifest: &Manifest, question: &Question, field: &str, message: &str) -> Error {
    Error::Question {
        path: manifest.path.clone(),
        line: question.line,
        question: question.name.clone(),
        message: format!("`{field}`: {message}"),
    }
}

fn empty_value(kind: &Kind) -> Value {
    match kind {
        Kind::String => Value::String(String::new()),
        Kind::Bool => Value::Bool(false),
        Kind::Integer => Value::Integer(0),
        Kind::Choice(choices) => Value::String(choices[0].clone()),
        Kind::MultiChoice(_) => Value::List(Vec::new()),
    }
}

/// The default, rendered and typed; `None` when the question has none and its kind has no
/// natural one (string, integer).
fn default_value(
    manifest: &Manifest,
    question: &Question,
    scope: &Scope<'_>,
) -> Result<Option<Value>> {
    let value = match &question.default {
        Some(Default::Literal(value)) => value.clone(),
        Some(Default::Expression(expression)) => {
            let text = scope
                .render(expression)
                .map_err(|message| question_error(manifest, question, "default", &message))?;
            parse_text(question, &text).map_err(|reason| {
                question_error(
                    manifest,
                    question,
                    "default",
                    &format!("renders to {text:?}: {reason}"),
                )
            })?
        }
        None => match &question.kind {
            Kind::String | Kind::Integer => return Ok(None),
            kind => empty_value(kind),
        },
    };
    Ok(Some(value))
}
