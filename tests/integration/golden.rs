//! Golden snapshots of the built-in template: the file list (with modes) of every combination the
//! validation harness (`scripts/validate-generated`) checks, so a file that appears or vanishes is
//! a reviewed change (`cargo insta review`).

use std::fmt::Write as _;

use groundwork::answers::Value;
use groundwork::new::{NewOptions, Rendered, render};
use groundwork::source::Source;
use groundwork::template::Kind;

/// The covering combinations: every value of every choice appears at least once. Keep in step with
/// the COMBINATIONS list in scripts/validate-generated.
pub const COMBINATIONS: &[(&str, &[&str])] = &[
    ("defaults", &[]),
    (
        "kserve-openshift-argo-gitlab",
        &[
            "serving=kserve",
            "platform=openshift",
            "training=argo-workflows",
            "ci=gitlab",
            "license=MIT",
            "python_version=3.10",
        ],
    ),
    (
        "bare",
        &[
            "serving=none",
            "training=none",
            "ci=none",
            "license=none",
            "python_version=3.13",
        ],
    ),
    (
        "openshift-no-gitops-training",
        &[
            "serving=deployment",
            "platform=openshift",
            "gitops=false",
            "training=argo-workflows",
            "license=BSD-3-Clause",
            "python_version=3.11",
        ],
    ),
    (
        "training-only",
        &[
            "serving=none",
            "training=argo-workflows",
            "gitops=true",
            "platform=kubernetes",
        ],
    ),
];

fn render_builtin(data: &[&str]) -> Rendered {
    let options = NewOptions {
        // Never created: a dry render only inspects it.
        destination: "/nonexistent-groundwork-golden/churn-model".into(),
        source: Source::Builtin("datascience".into()),
        data: data.iter().map(|d| (*d).to_owned()).collect(),
        data_file: None,
        force: false,
        dry_run: true,
        git: false,
    };
    render(&options, None).expect("the built-in template renders")
}

fn listing(data: &[&str]) -> String {
    let rendered = render_builtin(data);
    let mut out = String::new();
    for (path, entry) in rendered.tree.iter() {
        let mode = if entry.executable { "755" } else { "644" };
        writeln!(out, "{mode} {path}").unwrap();
    }
    out
}

#[test]
fn builtin_file_lists_per_combination() {
    for (name, data) in COMBINATIONS {
        insta::assert_snapshot!(format!("datascience-{name}"), listing(data));
    }
}

#[test]
fn the_combinations_cover_every_choice_value() {
    let template = Source::Builtin("datascience".into()).load().unwrap();
    for question in &template.manifest.questions {
        let values: Vec<String> = match &question.kind {
            Kind::Choice(choices) => choices.clone(),
            Kind::Bool => vec!["true".into(), "false".into()],
            _ => continue,
        };
        for value in values {
            let covered = COMBINATIONS.iter().any(|(_, data)| {
                let answer = format!("{}={value}", question.name);
                data.contains(&answer.as_str()) || {
                    // A combination that does not set the question gets its default.
                    !data
                        .iter()
                        .any(|d| d.starts_with(&format!("{}=", question.name)))
                        && answer_of(&question.name, data) == value
                }
            });
            assert!(covered, "no combination sets {}={value}", question.name);
        }
    }
}

/// The answer a combination ends up with for `name`.
fn answer_of(name: &str, data: &[&str]) -> String {
    match render_builtin(data).answers.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        other => format!("{other:?}"),
    }
}
