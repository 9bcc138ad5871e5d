//! Golden snapshots of the built-in template: the file list (with modes) of every combination the
//! validation harness (`scripts/validate-generated`) checks, so a file that appears or vanishes is
//! a reviewed change (`cargo insta review`).

use std::fmt::Write as _;

use groundwork::api::Source;
use groundwork::api::{NewOptions, Rendered, render};

/// The covering combinations, read from the one list kept in scripts/validate-generated (which
/// also checks that every value of every choice appears): `(name, ["key=value", ...])`.
fn combinations() -> Vec<(String, Vec<String>)> {
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/validate-generated"),
    )
    .expect("scripts/validate-generated is readable");
    let list = script
        .split_once("\nCOMBOS=(\n")
        .and_then(|(_, rest)| rest.split_once("\n)\n"))
        .expect("scripts/validate-generated defines COMBOS=( ... )")
        .0;
    list.lines()
        .map(|line| {
            let mut words = line.trim().trim_matches('"').split_whitespace();
            let name = words.next().expect("a combination has a name").to_owned();
            (name, words.map(str::to_owned).collect())
        })
        .collect()
}

fn render_builtin(data: &[&str]) -> Rendered {
    let options = NewOptions {
        hooks: groundwork::api::HookOptions::default(),
        user: groundwork::api::UserDefaults::default(),
        reference: None,
        // Never created: a dry render only inspects it.
        target: groundwork::api::Target::Dir("/nonexistent-groundwork-golden/churn-model".into()),
        template_name: None,
        source: Source::Builtin("datascience".into()),
        data: data.iter().map(|d| (*d).to_owned()).collect(),
        data_file: None,
        existing: groundwork::api::Existing::Refuse,
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
    let combinations = combinations();
    assert!(combinations.len() >= 4, "{combinations:?}");
    for (name, data) in combinations {
        let data: Vec<&str> = data.iter().map(String::as_str).collect();
        insta::assert_snapshot!(format!("datascience-{name}"), listing(&data));
    }
}
