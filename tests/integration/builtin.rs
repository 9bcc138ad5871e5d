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

/// The version of the built-in template this binary serves for new projects.
fn builtin_version() -> String {
    let manifest: toml::Table = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("templates/datascience/template.toml"),
    )
    .unwrap()
    .parse()
    .unwrap();
    manifest["template"]["version"].as_str().unwrap().to_owned()
}

/// `new DEST --defaults --no-git` with `answers` on the built-in template: exit 0, nothing on
/// stderr, and on stdout exactly the created line (its file count is what was written) followed by
/// `next_steps`, the template's `message_after` for those answers.
fn new_prints_next_steps(answers: &[&str], next_steps: &str) {
    let env = TestEnv::new();
    let assert = env
        .groundwork()
        .args(["new", "proj", "--defaults", "--no-git"])
        .args(answers.iter().flat_map(|a| ["-d", a]))
        .assert()
        .success()
        .code(0)
        .stderr("");
    let files = walkdir::WalkDir::new(env.path("proj"))
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stdout),
        format!(
            "Created {} from datascience {}: {files} files ({files} new, 0 overwritten).\n{next_steps}",
            env.path("proj").display(),
            builtin_version()
        )
    );
}

/// The default variant (`serving=deployment`, `platform=kubernetes`, `gitops`, `ci=github`): set
/// up, train, test, validate, serve, build the image and the one-time `manifests/argocd` step.
#[test]
fn new_prints_the_next_steps_of_the_default_variant() {
    new_prints_next_steps(
        &[],
        "Next steps: cd into the folder created above, then
  python3.12 -m venv .venv && . .venv/bin/activate
  make install && pre-commit install       # the locked dependencies, the package, the git hooks
  make train                               # train the model into models/model.joblib
  make test                                # run the tests
  make validate                            # every check, as CI runs them
  make serve                               # serve the model on http://localhost:8080
  make image                               # the container image; deploying: docs/deployment.md
  kubectl apply -k manifests/argocd        # once per cluster; then a merge deploys dev
",
    );
}

/// Nothing runs on the cluster and there is no CI: no `make serve`, `make image` or deploy step
/// (the project's Makefile has none of them), and `make validate` does not claim CI runs it.
#[test]
fn new_prints_the_next_steps_of_a_variant_without_server_training_or_ci() {
    new_prints_next_steps(
        &[
            "serving=none",
            "training=none",
            "ci=none",
            "python_version=3.11",
        ],
        "Next steps: cd into the folder created above, then
  python3.11 -m venv .venv && . .venv/bin/activate
  make install && pre-commit install       # the locked dependencies, the package, the git hooks
  make train                               # train the model into models/model.joblib
  make test                                # run the tests
  make validate                            # every check
",
    );
}

/// `serving=kserve`, `platform=openshift`, `model_store=s3`, `secrets=external-secrets`: `oc`, the
/// secret the store must hold, and the first training the server waits for.
#[test]
fn new_prints_the_next_steps_of_a_kserve_s3_openshift_variant() {
    new_prints_next_steps(
        &[
            "serving=kserve",
            "training=argo-workflows",
            "model_store=s3",
            "secrets=external-secrets",
            "platform=openshift",
        ],
        "Next steps: cd into the folder created above, then
  python3.12 -m venv .venv && . .venv/bin/activate
  make install && pre-commit install       # the locked dependencies, the package, the git hooks
  make train                               # train the model into models/model.joblib
  make test                                # run the tests
  make validate                            # every check, as CI runs them
  make serve                               # serve the model on http://localhost:8080
  make image                               # the container image; deploying: docs/deployment.md
  oc apply -k manifests/argocd             # once per cluster; then a merge deploys dev
First the ClusterSecretStore cluster-secrets must hold proj/image-pull (docs/operations.md#secrets).
After the first deploy, run the training once: the server waits for a model (docs/runbooks/retrain.md).
",
    );
}

/// A name the pattern refuses is explained in words (the question's `validate_message`), not as
/// the regex; nothing is written.
#[test]
fn a_refused_project_name_says_what_is_allowed() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "out", "--defaults", "--no-git", "-d", "project_name=9 lives"])
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr(
            "error: answer for `project_name` (from -d project_name=9 lives) is \"9 lives\": 1 to 40 characters: letters, digits, spaces, `-` or `_`, starting with a letter (e.g. Churn Model)\n",
        );
    assert!(!env.exists("out"));
    // The default derived from the folder's name is checked the same way.
    env.groundwork()
        .args(["new", "9-lives", "--defaults", "--no-git"])
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr(
            "error: answer for `project_name` (the default) is \"9 Lives\": 1 to 40 characters: letters, digits, spaces, `-` or `_`, starting with a letter (e.g. Churn Model)\n",
        );
    assert!(!env.exists("9-lives"));
}
