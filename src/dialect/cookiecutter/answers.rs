//! Answering a cookiecutter template's variables as cookiecutter does, and recording them as
//! cruft records the context.

use crate::core::error::Result;
use crate::dialect::cookiecutter::{self, CookiecutterTemplate, Variable, VariableKind};
use crate::template::answers::{Answers, Mode, Origin, Presets, Prompter, Raw, Value, chosen};
use crate::template::{Kind, Question};

/// Cookiecutter's variables, in its order: presets first (as cookiecutter's extra context), then
/// a prompt per remaining variable with its default rendered from the answers so far, or the
/// defaults when unattended. Every public variable is recorded, as cruft records the context.
pub(crate) fn collect_cookiecutter(
    template: &CookiecutterTemplate,
    presets: &Presets,
    mut mode: Mode<'_>,
) -> Result<Answers> {
    let known: Vec<&str> = template
        .variables()
        .iter()
        .map(|v| v.name.as_str())
        .collect();
    // The user's defaults (cookiecutter's `default_context`) change a variable's default, as
    // cookiecutter applies them to the context before asking; names this template does not ask
    // are left aside silently, as cookiecutter does.
    let mut overrides = serde_json::Map::new();
    for (key, (raw, _)) in &presets.user.answers {
        if known.contains(&key.as_str()) {
            overrides.insert(key.clone(), json_of(raw));
        }
    }
    let mut warnings = Vec::new();
    for (key, (raw, origin, _)) in &presets.values {
        if !known.contains(&key.as_str()) {
            // Cookiecutter leaves extra context the template does not use aside (a user's
            // default context names variables of many templates); so does groundwork, aloud.
            warnings.push(format!(
                "answer `{key}` ({origin}) is ignored, as cookiecutter ignores it: this template asks: {}",
                known.join(", ")
            ));
            continue;
        }
        overrides.insert(key.clone(), json_of(raw));
    }
    if let Mode::Interactive(prompter) = &mut mode {
        for variable in template.variables() {
            if presets.values.contains_key(&variable.name) {
                continue;
            }
            let context = template.context(&overrides)?;
            let current = context
                .get("cookiecutter")
                .and_then(|c| c.get(&variable.name))
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if let Some(answer) = ask_cookiecutter(*prompter, variable, &current)? {
                overrides.insert(variable.name.clone(), answer);
            }
        }
    }
    let context = template.context(&overrides)?;
    let mut answers = Answers::default();
    answers.warnings = warnings;
    for (name, value) in cookiecutter::answers(&context) {
        // A choice is recorded as the option picked, unrendered: cookiecutter accepts only its
        // listed options as extra context, and renders the one picked.
        let value = match template.variables().iter().find(|v| v.name == name) {
            Some(Variable {
                kind: VariableKind::Choice(options),
                ..
            }) => overrides
                .get(&name)
                .or_else(|| options.first())
                .cloned()
                .unwrap_or(value),
            _ => value,
        };
        answers.insert(&name, Value::Json(value), Origin::Answered);
    }
    Ok(answers)
}

fn json_of(raw: &Raw) -> serde_json::Value {
    match raw {
        Raw::Text(text) => serde_json::Value::String(text.clone()),
        Raw::Data(data) => data.clone(),
    }
}

/// One cookiecutter variable at the prompt; `None` keeps the default (dicts and nulls, which
/// cookiecutter asks as raw JSON, are not asked).
fn ask_cookiecutter(
    prompter: &mut dyn Prompter,
    variable: &Variable,
    current: &serde_json::Value,
) -> Result<Option<serde_json::Value>> {
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(match &variable.kind {
        VariableKind::String => {
            let question = Question::synthetic(&variable.name, &variable.prompt, Kind::String);
            let default = text(current);
            let answer = prompter.text(&question, Some(&default))?;
            prompter.accepted(&question, Some(&answer));
            Some(serde_json::Value::String(answer))
        }
        VariableKind::Bool => {
            let question = Question::synthetic(&variable.name, &variable.prompt, Kind::Bool);
            let default = current.as_bool().unwrap_or(false);
            Some(serde_json::Value::Bool(
                prompter.confirm(&question, default)?,
            ))
        }
        VariableKind::Choice(options) => {
            let choices: Vec<String> = options.iter().map(text).collect();
            let mut question = Question::synthetic(
                &variable.name,
                &variable.prompt,
                Kind::Choice(choices.clone()),
            );
            question.labels = variable
                .choice_labels
                .iter()
                .map(|(value, label)| (value.clone(), label.clone()))
                .collect();
            // A default from the user's configuration is the preselected option.
            let default = options.iter().position(|o| o == current).unwrap_or(0);
            let picked = prompter.select(&question, &choices, default)?;
            Some(chosen(&question, options, picked)?.clone())
        }
        VariableKind::Dict | VariableKind::Null => None,
    })
}
