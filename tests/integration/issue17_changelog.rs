//! Issue 17, what changed: `check` on a project made with the first built-in release lists the
//! changelog section of every newer release (text and JSON), and `update` ends with them. The
//! expected sections are read from templates/datascience/CHANGELOG.md itself, so the test holds
//! the commands to the file rather than to a copy of it.

use std::path::Path;

use crate::env::TestEnv;

/// The sections of the built-in template's changelog newer than 1.0.0, newest first:
/// (version, date, text).
fn sections_after_1_0_0() -> Vec<(String, String, String)> {
    let changelog = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/datascience/CHANGELOG.md"),
    )
    .unwrap();
    changelog
        .split("\n## ")
        .skip(1)
        .map(|section| {
            let (heading, text) = section.split_once('\n').unwrap();
            let (version, date) = heading.split_once(" - ").unwrap();
            (
                version.to_owned(),
                date.to_owned(),
                text.trim_matches('\n').to_owned(),
            )
        })
        .filter(|(version, _, _)| version != "1.0.0")
        .collect()
}

fn shown(sections: &[(String, String, String)]) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    for (version, date, body) in sections {
        let _ = write!(text, "\n## {version} ({date})\n{body}\n");
    }
    text
}

#[test]
fn issue17_check_on_a_1_0_0_project_lists_every_newer_release_in_text_and_json() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "p", "--defaults", "--ref", "1.0.0"])
        .assert()
        .success();
    let sections = sections_after_1_0_0();
    assert_eq!(sections.len(), 9, "1.1.0 ... 1.8.0, 1.2.1 included");
    let newest = &sections[0].0;
    env.groundwork()
        .args(["check", "p"])
        .assert()
        .code(4)
        .stderr("")
        .stdout(format!(
            "{}: datascience 1.0.0 -> {newest} available (builtin:datascience); run `groundwork update` to merge it.\n  \
             {newest} asks new questions: custom_notebook_image, model_store, prometheus_release, grafana_operator, secrets, secret_store (`update` asks them, or takes their defaults with --defaults).\n{}",
            env.path("p").display(),
            shown(&sections)
        ));

    let assert = env
        .groundwork()
        .args(["check", "p", "--json"])
        .assert()
        .code(4);
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let expected: Vec<serde_json::Value> = sections
        .iter()
        .map(|(version, date, text)| serde_json::json!({"version": version, "date": date, "text": text}))
        .collect();
    assert_eq!(report["changelog"], serde_json::Value::Array(expected));
}

#[test]
fn issue17_update_from_1_0_0_ends_with_every_newer_release() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "p", "--defaults", "--ref", "1.0.0"])
        .assert()
        .success();
    let assert = env.update("p", &["--defaults"]).assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let tail = format!(
        "\nWhat changed, from the template's changelog:\n{}",
        shown(&sections_after_1_0_0())
    );
    assert!(stdout.ends_with(&tail), "{stdout}");
    // The report before it is the update's: the answers the new questions took.
    assert!(
        stdout.contains("\nAnswers:\n  custom_notebook_image = false (new in datascience "),
        "{stdout}"
    );
}
