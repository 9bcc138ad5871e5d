//! Issue 18, versions teams can trust: a pre-release tag is never picked by default, by any
//! command alike (`new`, `update`, `check`, `check --json`); `--ref` and `--to` may name one.

use crate::env::{TemplateRepo, TestEnv};

const QUESTIONS: &str = "[[questions]]\nname = \"project_name\"\ndefault = \"Demo\"\n";

fn released_and_candidate(env: &TestEnv) -> TemplateRepo {
    let repo = env.template_repo("tpl");
    repo.version("0.4.0", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }} 0.4\n")
        .tag();
    repo.version("0.5.0-rc.1", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }} 0.5 candidate\n")
        .tag();
    repo
}

#[test]
fn issue18_pre_releases_are_never_picked_by_default() {
    let env = TestEnv::new();
    let repo = released_and_candidate(&env);
    env.groundwork()
        .args(["new", "proj", "--defaults", "--template"])
        .arg(repo.path())
        .assert()
        .success();
    assert_eq!(env.read("proj/README.md"), "# Demo 0.4\n");
    let root = env.path("proj").display().to_string();
    let source = repo.path().display().to_string();

    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .success()
        .stdout(format!("{root} is up to date: tpl 0.4.0 ({source}).\n"));
    let assert = env
        .groundwork()
        .args(["check", "proj", "--json"])
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(report["latest"], "0.4.0");
    assert_eq!(report["newer"], serde_json::json!([]));
    assert_eq!(report["up_to_date"], true);
    env.update("proj", &[]).assert().success().stdout(format!(
        "{root} is already at tpl 0.4.0: nothing to update.\n"
    ));

    // Named, a pre-release is taken.
    env.update("proj", &["--to", "0.5.0-rc.1"])
        .assert()
        .success();
    assert_eq!(env.read("proj/README.md"), "# Demo 0.5 candidate\n");
    env.commit_all("proj", "try the candidate");
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .success()
        .stdout(format!(
            "{root} is up to date: tpl 0.5.0-rc.1 ({source}).\n"
        ));
}

#[test]
fn issue18_check_reports_what_the_newest_version_makes_of_the_recorded_answers() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version(
        "1.0.0",
        "[[questions]]\nname = \"author\"\ndefault = \"Nobody\"\n\n[[questions]]\nname = \"slug\"\ndefault = \"churn\"\n",
    )
    .file("README.md.tera", "{{ author }} {{ slug }}\n")
    .tag();
    repo.version(
        "2.0.0",
        "[[questions]]\nname = \"author_name\"\ndefault = \"Nobody\"\n\n[[questions]]\nname = \"slug\"\ndefault = \"churn\"\nvalidate = '^[a-z]{6,}$'\nvalidate_message = \"at least six lower-case letters\"\n",
    )
    .file("README.md.tera", "{{ author_name }} {{ slug }}\n")
    .tag();
    env.groundwork()
        .args([
            "new",
            "proj",
            "--defaults",
            "--ref",
            "1.0.0",
            "-d",
            "author=Team Alpha",
            "--template",
        ])
        .arg(repo.path())
        .assert()
        .success();
    let root = env.path("proj").display().to_string();
    let source = repo.path().display().to_string();
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .code(4)
        .stdout(format!(
            "{root}: tpl 1.0.0 -> 2.0.0 available ({source}); run `groundwork update` to merge it.\n  \
             2.0.0 asks new questions: author_name (`update` asks them, or takes their defaults with --defaults).\n  \
             2.0.0 no longer asks author: `update` drops those answers.\n  \
             `update --defaults` would stop on the recorded answers: answer for `slug` (recorded in {root}/.groundwork.toml) is \"churn\": at least six lower-case letters. Give a new answer with `groundwork update -d KEY=VALUE`.\n"
        ));
    let assert = env
        .groundwork()
        .args(["check", "proj", "--json"])
        .assert()
        .code(4);
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(
        report["update"],
        serde_json::json!({
            "version": "2.0.0",
            "new_questions": ["author_name"],
            "dropped": ["author"],
            "refused": format!("answer for `slug` (recorded in {root}/.groundwork.toml) is \"churn\": at least six lower-case letters"),
        })
    );
    // And update does stop there, as check said.
    env.update("proj", &["--defaults"]).assert().code(1);
}
