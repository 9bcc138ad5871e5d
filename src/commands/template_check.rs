//! `groundwork template check [DIR]`: checks a template before its users hit its errors. Loading
//! checks `template.toml`, the expressions of `[computed]` and `[[files]]` and the rules' globs;
//! then every file is rendered with a covering set of answer combinations (every choice and bool
//! value at least once, every pair of values of questions that appear together in one condition),
//! and every error is reported at once with the answers that trigger it (the combination's pins
//! reduced to those the error needs). Writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::commands::stdout_error;
use crate::core::error::{Error, Result};
use crate::dialect::Template;
use crate::dialect::native::{self, Expressions, expression_variables, text_variables};
use crate::source::Source;
use crate::template::answers::{Mode, Presets};
use crate::template::manifest::Default;
use crate::template::{Kind, Manifest};

/// The destination name the combinations are rendered for.
const CHECK_DESTINATION: &str = "template-check";

/// One question pinned to one value, as `-d` would give it: (question index, value text).
pub(crate) type Pin = (usize, String);

/// What `template check` found: each distinct error with the answers that trigger it.
#[derive(Debug)]
pub(crate) struct Report {
    pub dir: PathBuf,
    /// `name version` of the template.
    pub name: String,
    pub combinations: usize,
    /// (error message, the answers that trigger it).
    pub problems: Vec<(String, String)>,
    /// What loading the template noted, such as edits that are in no release.
    pub warnings: Vec<String>,
}

/// Checks the template in `dir`: renders every combination of the covering set.
pub(crate) fn compute(dir: &Path) -> Result<Report> {
    let loaded = Source::Local(dir.to_owned()).load(None)?;
    let (template, mut warnings) = (loaded.template, loaded.warnings);
    let left_out: Vec<String> = crate::source::left_out_of_commit(dir)
        .into_iter()
        .map(|(path, kind)| format!("{path} ({kind})"))
        .collect();
    if !left_out.is_empty() {
        warnings.push(format!(
            "git would leave these template files out of its commit, so a release published by tag would lose them: {}",
            left_out.join(", ")
        ));
    }
    let combinations = covering_set(&template);
    let mut problems: Vec<(String, String)> = Vec::new();
    for combination in &combinations {
        if let Err(error) = render_combination(&template, combination) {
            let message = error.to_string();
            if !problems.iter().any(|(m, _)| *m == message) {
                let trigger = minimize(&template, combination, &message);
                problems.push((message, describe(&template.manifest, &trigger)));
            }
        }
    }
    Ok(Report {
        dir: dir.to_owned(),
        name: format!("{} {}", template.manifest.name, template.manifest.version),
        combinations: combinations.len(),
        problems,
        warnings,
    })
}

impl Report {
    fn errors(&self) -> String {
        match self.problems.len() {
            0 => "no errors".to_owned(),
            1 => "1 error".to_owned(),
            n => format!("{n} errors"),
        }
    }

    /// `Ok(())` when the template is clean; [`Error::TemplateCheck`] when it is not (printed after
    /// the report).
    pub(crate) fn status(&self) -> Result<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::TemplateCheck {
                path: self.dir.clone(),
                errors: self.errors(),
                combinations: self.combinations,
            })
        }
    }
}

/// Prints every problem and the number of combinations rendered.
pub(crate) fn print(report: &Report, out: &mut dyn Write) -> Result<()> {
    for warning in &report.warnings {
        writeln!(out, "warning: {warning}").map_err(stdout_error)?;
    }
    for (message, answers) in &report.problems {
        writeln!(out, "error: {message}\n  with {answers}").map_err(stdout_error)?;
    }
    writeln!(
        out,
        "Rendered {} combinations of {}: {}.",
        report.combinations,
        report.name,
        report.errors()
    )
    .map_err(stdout_error)
}

/// The pins of `combination` the error `message` needs: each pin is dropped in turn and stays
/// dropped when the render still fails with the same message, so the report names the answers
/// that trigger the error (`ci=gitlab`), not every answer of the combination.
fn minimize(template: &Template, combination: &[Pin], message: &str) -> Vec<Pin> {
    let mut needed = combination.to_vec();
    let mut i = 0;
    while i < needed.len() {
        let mut without = needed.clone();
        without.remove(i);
        match render_combination(template, &without) {
            Err(error) if error.to_string() == message => needed = without,
            _ => i += 1,
        }
    }
    needed
}

/// `ci=gitlab, platform=openshift`, or `the defaults`.
pub(crate) fn describe(manifest: &Manifest, combination: &[Pin]) -> String {
    if combination.is_empty() {
        return "the defaults".to_owned();
    }
    combination
        .iter()
        .map(|(q, v)| format!("{}={v}", manifest.questions[*q].name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `-d` arguments of one combination: its pinned answers, and a stand-in for every question
/// that has no default (so that its files are rendered too).
pub(crate) fn arguments(manifest: &Manifest, combination: &[Pin]) -> Vec<String> {
    let mut args: Vec<String> = combination
        .iter()
        .map(|(q, v)| format!("{}={v}", manifest.questions[*q].name))
        .collect();
    // Questions every user must answer get a stand-in, so their files are checked too.
    for question in &manifest.questions {
        if question.default.is_none() && matches!(question.kind, Kind::String | Kind::Integer) {
            let stand_in = if question.kind == Kind::Integer {
                "1"
            } else {
                "example"
            };
            args.push(format!("{}={stand_in}", question.name));
        }
    }
    args
}

/// Renders the project (and `message_after`) for one combination of pinned answers.
fn render_combination(template: &Template, combination: &[Pin]) -> Result<()> {
    let manifest = &template.manifest;
    let args = arguments(manifest, combination);
    let mut presets = Presets::default();
    presets.add_data_args(&args)?;
    let expressions = Expressions::new(CHECK_DESTINATION);
    let answers = crate::dialect::native::answers::collect(
        manifest,
        &presets,
        Mode::Unattended,
        &expressions,
    )?;
    native::render(template, &answers)?;
    native::message_after(manifest, &expressions, &answers)?;
    Ok(())
}

/// The questions that are asked (their `when` holds) with `pinned` answers and defaults.
fn asked(template: &Template, pinned: &BTreeMap<usize, String>) -> BTreeSet<usize> {
    let manifest = &template.manifest;
    let combination: Vec<Pin> = pinned.iter().map(|(q, v)| (*q, v.clone())).collect();
    let mut presets = Presets::default();
    let answers = presets
        .add_data_args(&arguments(manifest, &combination))
        .and_then(|()| {
            crate::dialect::native::answers::collect(
                manifest,
                &presets,
                Mode::Unattended,
                &Expressions::new(CHECK_DESTINATION),
            )
        });
    match answers {
        Ok(answers) => (0..manifest.questions.len())
            .filter(|&q| answers.answered(&manifest.questions[q].name))
            .collect(),
        // The render reports the error; count every pin as asked.
        Err(_) => pinned.keys().copied().collect(),
    }
}

/// Pins the choice and bool questions that `question`'s `when` uses to the first values (in the
/// order of their choices) that make it asked, without changing any pin already set.
fn enable(template: &Template, question: usize, pinned: &mut BTreeMap<usize, String>) {
    let manifest = &template.manifest;
    let Some(when) = &manifest.questions[question].when else {
        return;
    };
    let free: Vec<usize> = expression_variables(when)
        .unwrap_or_default()
        .iter()
        .filter_map(|name| manifest.questions.iter().position(|q| &q.name == name))
        .filter(|q| !pinned.contains_key(q) && !values(&manifest.questions[*q].kind).is_empty())
        .collect();
    let mut candidates: Vec<BTreeMap<usize, String>> = vec![pinned.clone()];
    for &q in &free {
        candidates = candidates
            .into_iter()
            .flat_map(|candidate| {
                values(&manifest.questions[q].kind)
                    .into_iter()
                    .map(move |value| {
                        let mut next = candidate.clone();
                        next.insert(q, value);
                        next
                    })
            })
            .take(256)
            .collect();
    }
    if let Some(found) = candidates
        .into_iter()
        .find(|candidate| asked(template, candidate).contains(&question))
    {
        *pinned = found;
    }
}

/// The values `template check` tries for a question: every choice, both bools; none for free text.
fn values(kind: &Kind) -> Vec<String> {
    match kind {
        Kind::Bool => vec!["true".into(), "false".into()],
        Kind::Choice(choices) | Kind::MultiChoice(choices) => choices.clone(),
        Kind::String | Kind::Integer => Vec::new(),
    }
}

/// Sets of questions that appear together in one condition: a question's `when` (with the
/// question), a `[[files]]` rule, a computed value, a path segment holding `{%`. Computed values
/// stand for the questions their expressions use.
fn groups(template: &Template) -> Vec<BTreeSet<usize>> {
    let manifest = &template.manifest;
    let index: BTreeMap<&str, usize> = manifest
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.name.as_str(), i))
        .collect();
    // Each computed value's questions, following earlier computed values.
    let mut computed: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    let resolve = |names: Vec<String>, computed: &BTreeMap<&str, BTreeSet<usize>>| {
        let mut set = BTreeSet::new();
        for name in names {
            if let Some(&i) = index.get(name.as_str()) {
                set.insert(i);
            } else if let Some(questions) = computed.get(name.as_str()) {
                set.extend(questions.iter().copied());
            }
        }
        set
    };
    let mut groups = Vec::new();
    for value in &manifest.computed {
        let set = resolve(
            expression_variables(&value.expression).unwrap_or_default(),
            &computed,
        );
        groups.push(set.clone());
        computed.insert(&value.name, set);
    }
    for (i, question) in manifest.questions.iter().enumerate() {
        if let Some(when) = &question.when {
            let mut set = resolve(expression_variables(when).unwrap_or_default(), &computed);
            set.insert(i);
            groups.push(set);
        }
        if let Some(Default::Expression(default)) = &question.default {
            let mut set = resolve(text_variables(default), &computed);
            set.insert(i);
            groups.push(set);
        }
    }
    for rule in &manifest.rules {
        groups.push(resolve(
            expression_variables(&rule.when).unwrap_or_default(),
            &computed,
        ));
    }
    let segments: BTreeSet<&str> = template
        .project
        .iter()
        .flat_map(|f| f.path.split('/'))
        .filter(|s| s.contains("{%"))
        .collect();
    for segment in segments {
        groups.push(resolve(text_variables(segment), &computed));
    }
    groups.retain(|g| g.len() > 1);
    groups.sort();
    groups.dedup();
    groups
}

/// The combinations to render: the defaults, then combinations built greedily until every value
/// of every choice and bool question, and every pair of values of two questions sharing a
/// condition, has been pinned in at least one of them.
pub(crate) fn covering_set(template: &Template) -> Vec<Vec<Pin>> {
    let questions = &template.manifest.questions;
    let mut needed: Vec<Vec<Pin>> = Vec::new();
    let mut pairs = BTreeSet::new();
    for group in groups(template) {
        let members: Vec<usize> = group.into_iter().collect();
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                pairs.insert((a, b));
            }
        }
    }
    for (a, b) in pairs {
        for x in values(&questions[a].kind) {
            for y in values(&questions[b].kind) {
                needed.push(vec![(a, x.clone()), (b, y)]);
            }
        }
    }
    for (i, question) in questions.iter().enumerate() {
        for value in values(&question.kind) {
            needed.push(vec![(i, value)]);
        }
    }

    let mut combinations = vec![Vec::new()];
    while !needed.is_empty() {
        let mut pinned: BTreeMap<usize, String> = BTreeMap::new();
        for requirement in &needed {
            let fits = requirement
                .iter()
                .all(|(q, v)| pinned.get(q).is_none_or(|p| p == v));
            if !fits {
                continue;
            }
            let mut trial = pinned.clone();
            trial.extend(requirement.iter().cloned());
            // A question whose `when` is false is not asked: pin the questions its `when` uses
            // so that it is, or leave the requirement for another combination.
            let reachable = requirement.iter().all(|(q, _)| {
                questions[*q].when.is_none() || {
                    if !asked(template, &trial).contains(q) {
                        enable(template, *q, &mut trial);
                    }
                    asked(template, &trial).contains(q)
                }
            });
            if reachable {
                pinned = trial;
            }
        }
        let asked = asked(template, &pinned);
        pinned.retain(|q, _| asked.contains(q));
        let before = needed.len();
        needed.retain(|requirement| {
            !requirement
                .iter()
                .all(|(q, v)| pinned.get(q).is_some_and(|p| p == v))
        });
        if needed.len() == before {
            // The first requirement cannot be met: its question is never asked with that value.
            needed.remove(0);
            continue;
        }
        combinations.push(pinned.into_iter().collect());
    }
    combinations
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The effective answers of every combination of the built-in template's covering set.
    fn builtin_answers() -> Vec<BTreeMap<String, String>> {
        let template = crate::source::builtin_templates()
            .unwrap()
            .into_iter()
            .find(|t| t.manifest.name == "datascience")
            .unwrap();
        covering_set(&template)
            .iter()
            .map(|combination| {
                let mut presets = Presets::default();
                presets
                    .add_data_args(&arguments(&template.manifest, combination))
                    .unwrap();
                let answers = crate::dialect::native::answers::collect(
                    &template.manifest,
                    &presets,
                    Mode::Unattended,
                    &Expressions::new(CHECK_DESTINATION),
                )
                .unwrap();
                answers
                    .iter()
                    .filter(|(name, _)| answers.answered(name))
                    .map(|(name, value)| {
                        let text = serde_json::to_value(value).unwrap();
                        (
                            name.to_owned(),
                            text.as_str().map_or(text.to_string(), str::to_owned),
                        )
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_builtin_covering_set_has_every_value_and_every_reachable_pair() {
        let combinations = builtin_answers();
        let has = |pairs: &[(&str, &str)]| {
            combinations.iter().any(|answers| {
                pairs
                    .iter()
                    .all(|(k, v)| answers.get(*k).map(String::as_str) == Some(*v))
            })
        };
        for (question, values) in [
            ("serving", &["none", "deployment", "kserve"][..]),
            ("platform", &["kubernetes", "openshift"]),
            ("training", &["none", "argo-workflows"]),
            ("ci", &["github", "gitlab", "none"]),
            ("license", &["Apache-2.0", "MIT", "BSD-3-Clause", "none"]),
            ("python_version", &["3.10", "3.11", "3.12", "3.13"]),
        ] {
            for value in values {
                assert!(
                    has(&[(question, value)]),
                    "{question}={value} never rendered"
                );
            }
        }
        for serving in ["none", "deployment", "kserve"] {
            for platform in ["kubernetes", "openshift"] {
                assert!(has(&[("serving", serving), ("platform", platform)]));
            }
            for training in ["none", "argo-workflows"] {
                assert!(has(&[("serving", serving), ("training", training)]));
            }
        }
        // gitops is asked only when something deploys: both values, with each way of deploying.
        for gitops in ["true", "false"] {
            assert!(has(&[
                ("serving", "none"),
                ("training", "argo-workflows"),
                ("gitops", gitops)
            ]));
            assert!(has(&[("serving", "kserve"), ("gitops", gitops)]));
            assert!(has(&[("serving", "deployment"), ("gitops", gitops)]));
        }
        // 14 since 1.6.0: scoring-pvc.yaml's rule pairs serving with model_store.
        assert!(combinations.len() <= 14, "{}", combinations.len());
    }
}
