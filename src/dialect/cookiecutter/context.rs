//! The context cookiecutter 2.x builds with `--no-input`: `extra_context` applied to the
//! `cookiecutter.json` values (`apply_overwrites_to_context`), `_cookiecutter` taken as the
//! public raw values, then every variable computed in file order the way `prompt_for_config`
//! does (defaults rendered with the earlier answers; `_` private copied raw, `__` private
//! rendered; choice lists give their first rendered option; booleans stay booleans; dicts are
//! rendered in a second pass). It renders strings only; files are the walk's business.

use serde_json::{Map, Value};

use super::pyvalue::py_float;

/// A failure: (variable, message).
pub(super) type ContextError = (String, String);

/// Applies `overrides` to the raw `cookiecutter.json` values, as cookiecutter applies
/// `extra_context` (unknown top-level keys are ignored).
pub(super) fn apply_overrides(
    context: &mut Map<String, Value>,
    overrides: &Map<String, Value>,
    in_dict: bool,
) -> Result<(), ContextError> {
    for (variable, overwrite) in overrides {
        if !context.contains_key(variable) {
            if !in_dict {
                continue;
            }
            context.insert(variable.clone(), overwrite.clone());
        }
        let Some(current) = context.get_mut(variable) else {
            continue;
        };
        match (&mut *current, overwrite) {
            (Value::Array(_), _) if in_dict => *current = overwrite.clone(),
            (Value::Array(choices), Value::Array(chosen)) => {
                if chosen.iter().all(|c| choices.contains(c)) {
                    *current = overwrite.clone();
                } else {
                    return Err((
                        variable.clone(),
                        format!(
                            "{} provided for multi-choice variable {variable}, but valid choices are {}",
                            py(overwrite),
                            py(current)
                        ),
                    ));
                }
            }
            (Value::Array(choices), _) => {
                if let Some(i) = choices.iter().position(|c| c == overwrite) {
                    let chosen = choices.remove(i);
                    choices.insert(0, chosen);
                } else {
                    return Err((
                        variable.clone(),
                        format!(
                            "{} provided for choice variable {variable}, but the choices are {}.",
                            py(overwrite),
                            py(current)
                        ),
                    ));
                }
            }
            (Value::Object(dict), Value::Object(partial)) => {
                apply_overrides(dict, partial, true)?;
            }
            (Value::Bool(_), Value::String(text)) => {
                *current = Value::Bool(yes_no(text).ok_or_else(|| {
                    (
                        variable.clone(),
                        format!(
                            "{text} provided for variable {variable} could not be converted to a boolean (use one of 1, true, t, yes, y, on, 0, false, f, no, n, off)"
                        ),
                    )
                })?);
            }
            _ => *current = overwrite.clone(),
        }
    }
    Ok(())
}

/// cookiecutter's `YesNoPrompt.process_response`.
pub(super) fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Some(true),
        "0" | "false" | "f" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

fn py(value: &Value) -> String {
    super::pyvalue::py_repr(&super::pyvalue::value_of(value))
}

/// Python's `str()` of a JSON scalar that is neither a string, a bool nor null.
pub(super) fn py_scalar(value: &Value) -> String {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => py_float(f),
            _ => n.to_string(),
        },
        Value::String(s) => s.clone(),
        other => py(other),
    }
}

/// `render_variable`: renders a raw value with the `cookiecutter` answers so far.
pub(super) fn render_variable(
    raw: &Value,
    render: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Value, String> {
    Ok(match raw {
        Value::Null | Value::Bool(_) => raw.clone(),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = render(k)?;
                out.insert(key, render_variable(v, render)?);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_variable(v, render))
                .collect::<Result<_, _>>()?,
        ),
        other => Value::String(render(&py_scalar(other))?),
    })
}
