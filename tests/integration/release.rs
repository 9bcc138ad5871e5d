//! `groundwork template release` through the real binary: what it prints, the store it writes, and
//! what it refuses.

use std::fs;

use predicates::prelude::*;

use crate::env::{TestEnv, snapshot};
use crate::kitchen_sink;

const STORE: &str = "sink/.groundwork-releases";

fn blob_count(env: &TestEnv) -> usize {
    fs::read_dir(env.path(&format!("{STORE}/blobs")))
        .unwrap()
        .count()
}

#[test]
fn release_records_the_template_and_prints_a_summary() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    let output = env
        .groundwork()
        .args(["template", "release", "sink", "--version", "1.0.0"])
        .assert()
        .success()
        .code(0);
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with(
            "released sink 1.0.0 (first release): 9 added, 0 changed, 0 removed\n  record  sink/.groundwork-releases/1.0.0.toml\n"
        ),
        "{stdout}"
    );
    assert!(
        predicate::str::is_match(r"(?m)^  digest  sha256:[0-9a-f]{64}$")
            .unwrap()
            .eval(&stdout),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("commit template.toml and .groundwork-releases/\n"),
        "{stdout}"
    );

    // Eight template files plus template.toml; all contents differ, so one blob each.
    let record = env.read(&format!("{STORE}/1.0.0.toml"));
    assert!(record.contains("version = \"1.0.0\"\n"), "{record}");
    assert!(!record.contains("parent"), "{record}");
    assert!(
        record.contains("\"bin/run.sh\" = { blob = \"") && record.contains("executable = true }"),
        "{record}"
    );
    assert!(
        record.contains("\"template.toml\" = { blob = \""),
        "{record}"
    );
    assert_eq!(blob_count(&env), 9);

    // A project made from the template does not carry the store.
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert!(!env.exists("out/.groundwork-releases"));
}

#[test]
fn a_second_release_records_only_the_changes() {
    let env = TestEnv::new();
    kitchen_sink(&env).build();
    env.groundwork()
        .args(["template", "release", "sink", "--version", "1.0.0"])
        .assert()
        .success();
    fs::write(env.path("sink/README.md.tera"), "# {{ project_name }}\n").unwrap();
    env.groundwork()
        .args(["template", "release", "sink", "--version", "1.1.0"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "released sink 1.1.0 (since 1.0.0): 0 added, 2 changed, 0 removed\n",
        ))
        .stdout(predicate::str::contains("  blobs   2 new, "));
    assert!(
        env.read("sink/template.toml")
            .contains("version = \"1.1.0\"\n")
    );
    assert_eq!(blob_count(&env), 11);
}

#[test]
fn release_version_not_moving_forward_is_refused_with_exit_1() {
    let env = TestEnv::new();
    kitchen_sink(&env).build();
    env.groundwork()
        .args(["template", "release", "sink", "--version", "1.0.0"])
        .assert()
        .success();
    fs::write(env.path("sink/new.txt"), "new\n").unwrap();
    let before = snapshot(&env.path("sink"));
    env.groundwork()
        .args(["template", "release", "sink", "--version", "1.0.0"])
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr(
            "error: cannot release `sink` 1.0.0: it must be greater than every recorded release (latest: 1.0.0); pass --version 1.0.1 or higher\n",
        );
    assert_eq!(
        snapshot(&env.path("sink")),
        before,
        "a refused release wrote"
    );

    env.groundwork()
        .args(["template", "release", "sink", "--version", "1.0"])
        .assert()
        .failure()
        .code(2)
        .stderr(
            "error: invalid value '1.0' for '--version <X.Y.Z>': unexpected end of input while parsing minor version number (expected a semver version such as 1.2.0)\n\nFor more information, try '--help'.\n",
        );
}

#[test]
fn release_at_the_top_of_a_git_work_tree_names_the_tag_to_push() {
    let env = TestEnv::new();
    kitchen_sink(&env).build();
    git2::Repository::init(env.path("sink")).unwrap();
    // Committed first: a release refuses files git would leave out of the commit (issue 18).
    env.commit_all("sink", "the template");
    env.groundwork()
        .args(["template", "release", "sink", "--version", "1.2.0"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with(
            "commit template.toml and .groundwork-releases/, then: git tag v1.2.0 && git push origin v1.2.0\n",
        ));
    // .git is not part of the release.
    assert!(!env.read(&format!("{STORE}/1.2.0.toml")).contains(".git/"));
}
