//! The built-in template through the real binary, as the README tells a new user to run it.

use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use crate::env::{TestEnv, snapshot};

#[test]
fn readme_run_command_makes_a_repo_and_a_second_run_changes_nothing() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "x", "--defaults"])
        .assert()
        .success();
    let repo = git2::Repository::open(env.path("x")).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 0);
    assert!(
        env.read("x/.groundwork.toml")
            .contains("source = \"builtin:datascience\"")
    );

    let before = snapshot(&env.path("x"));
    env.groundwork()
        .args(["new", "x", "--defaults"])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: destination {} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)\n",
            env.path("x").display()
        ));
    assert_eq!(snapshot(&env.path("x")), before);
}

#[test]
fn closed_stdin_never_blocks_and_takes_defaults() {
    let env = TestEnv::new();
    // No --defaults: stdin is an empty pipe, so defaults are taken instead of prompting.
    env.groundwork()
        .args(["new", "y", "--no-git"])
        .assert()
        .success();
    assert!(env.exists("y/.groundwork.toml"));
}

#[test]
fn templates_lists_the_builtin_with_version_and_description() {
    let env = TestEnv::new();
    env.groundwork()
        .arg("templates")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^datascience\s+\d+\.\d+\.\d+\s+\S").unwrap());
}

#[test]
fn unknown_builtin_template_lists_the_available_ones() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "z", "--defaults", "--template", "nosuch"])
        .assert()
        .failure()
        .code(1)
        .stderr(
            "error: unknown template `nosuch`: it is not a built-in template (built-in templates: datascience) and there is no directory `nosuch` here; to use a directory, pass its path, such as ./nosuch\n",
        );
    env.groundwork()
        .args(["new", "z", "--defaults", "--template", "builtin:nosuch"])
        .assert()
        .failure()
        .code(1)
        .stderr("error: unknown built-in template `nosuch`; built-in templates: datascience\n");
}

#[test]
fn builtin_executable_scripts_keep_their_bit() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "x", "--defaults", "--no-git"])
        .assert()
        .success();
    let executables: Vec<String> = snapshot(&env.path("x"))
        .into_iter()
        .filter(|(_, _, mode)| mode & 0o100_000 != 0 && mode & 0o111 != 0)
        .map(|(path, _, _)| path)
        .collect();
    assert!(
        executables.iter().any(|p| p.starts_with("scripts/")),
        "no executable script in {executables:?}"
    );
    let mode = std::fs::metadata(env.path("x/.groundwork.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0);
}
