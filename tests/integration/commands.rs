//! `check`, `diff` and `adopt`, a git template from first render to update (issue 6 acceptance 3),
//! and proof that no command starts a git process (acceptance 4).

use std::os::unix::fs::PermissionsExt;

use crate::env::{TemplateRepo, TestEnv};

const QUESTIONS: &str = "[[questions]]\nname = \"project_name\"\ndefault = \"Demo\"\n";
const CHANGELOG_V11: &str =
    "# Changelog\n\n## 1.1.0\n\n- Lint target in the Makefile.\n\n## 1.0.0\n\n- First release.\n";

fn tagged(env: &TestEnv) -> TemplateRepo {
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n\nIntro.\n")
        .file("Makefile", "test:\n\tpytest\n")
        .file(
            "CHANGELOG.md",
            "# Changelog\n\n## 1.0.0\n\n- First release.\n",
        )
        .tag();
    repo.version("1.1.0", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n\nIntro.\n")
        .file("Makefile", "test:\n\tpytest\n\nlint:\n\truff check .\n")
        .file("CHANGELOG.md", CHANGELOG_V11)
        .tag();
    repo
}

fn create(env: &TestEnv, repo: &TemplateRepo, reference: &str) {
    env.groundwork()
        .arg("new")
        .arg("proj")
        .arg("--template")
        .arg(repo.path())
        .args(["--ref", reference, "--defaults"])
        .assert()
        .success();
}

#[test]
fn git_template_from_new_to_check_to_update_with_a_conflict() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    create(&env, &repo, "v1.0.0");
    let answers = env.read("proj/.groundwork.toml");
    assert!(answers.contains("version = \"1.0.0\""), "{answers}");
    assert!(answers.contains("commit = \""), "{answers}");

    let assert = env
        .groundwork()
        .args(["check", "proj", "--json"])
        .assert()
        .failure()
        .code(4);
    let report: serde_json::Value =
        serde_json::from_slice(&assert.get_output().stdout).expect("check --json prints JSON");
    assert_eq!(report["current"], "1.0.0");
    assert_eq!(report["latest"], "1.1.0");
    assert_eq!(report["up_to_date"], false);
    assert_eq!(report["newer"], serde_json::json!(["1.1.0"]));
    assert_eq!(report["answers_valid"], true);
    assert_eq!(
        report["changelog"],
        serde_json::json!([{"version": "1.1.0", "text": "- Lint target in the Makefile."}])
    );

    // The user edits the same lines the template changed, and others.
    env.write("proj/Makefile", "test:\n\tpytest --cov\n");
    env.write("proj/README.md", "# Demo\n\nIntro.\n\nOur notes.\n");
    env.commit_all("proj", "ours");
    env.update("proj", &[]).assert().failure().code(3);
    let makefile = env.read("proj/Makefile");
    assert!(makefile.contains("pytest --cov") && makefile.contains("ruff check ."));
    assert!(makefile.contains("<<<<<<< yours"), "{makefile}");
    assert_eq!(
        env.read("proj/README.md"),
        "# Demo\n\nIntro.\n\nOur notes.\n"
    );
    let answers = env.read("proj/.groundwork.toml");
    assert!(answers.contains("version = \"1.1.0\""), "{answers}");

    env.commit_all("proj", "resolved later");
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .success()
        .code(0)
        .stdout(format!(
            "{} is up to date: tpl 1.1.0 ({}).\n",
            env.path("proj").display(),
            repo.path().display()
        ));
}

#[test]
fn check_text_names_the_versions_and_changelog() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    create(&env, &repo, "1.0.0");
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .failure()
        .code(4)
        .stdout(format!(
            "{}: tpl 1.0.0 -> 1.1.0 available ({}); run `groundwork update` to merge it.\n\n## 1.1.0\n- Lint target in the Makefile.\n",
            env.path("proj").display(),
            repo.path().display()
        ));
}

#[test]
fn issue17_update_and_its_dry_run_end_with_the_changelog_of_the_versions_they_bring() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    create(&env, &repo, "1.0.0");
    let root = env.path("proj").display().to_string();
    let report = "  updated      CHANGELOG.md  +4 -0\n  updated      Makefile  +3 -0\n3 files: 2 updated, 1 unchanged; 7 lines added, 0 removed; 0 conflict(s)";
    let changelog = "\nWhat changed, from the template's changelog:\n\n## 1.1.0\n- Lint target in the Makefile.\n";
    env.update("proj", &["--dry-run"])
        .assert()
        .success()
        .stdout(format!(
            "Dry run: updating {root} from tpl 1.0.0 to tpl 1.1.0 would do:\n{report}\nNothing was written.\n{changelog}"
        ));
    env.update("proj", &[])
        .assert()
        .success()
        .stdout(format!(
            "Updated {root} from tpl 1.0.0 to tpl 1.1.0:\n{report}\nReview the changes (git diff), then commit them with the answers file.\n{changelog}"
        ));
}

#[test]
fn diff_shows_what_the_team_changed() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    create(&env, &repo, "v1.0.0");
    env.write("proj/Makefile", "test:\n\tpytest --cov\n");
    std::fs::remove_file(env.path("proj/CHANGELOG.md")).unwrap();
    env.groundwork()
        .args(["diff", "proj"])
        .env("NO_COLOR", "1")
        .assert()
        .success()
        .code(0)
        .stdout(
            "diff --groundwork a/CHANGELOG.md b/CHANGELOG.md\ndeleted file mode 100644\n--- a/CHANGELOG.md\n+++ /dev/null\n@@ -1,5 +0,0 @@\n-# Changelog\n-\n-## 1.0.0\n-\n-- First release.\ndiff --groundwork a/Makefile b/Makefile\n--- a/Makefile\n+++ b/Makefile\n@@ -1,2 +1,2 @@\n test:\n-\tpytest\n+\tpytest --cov\n",
        );
}

#[test]
fn adopt_then_update_merges_from_the_adopted_base() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    // A repository made by hand long ago from 1.0.0, then customised; no answers file.
    env.write("legacy/README.md", "# Legacy\n\nIntro.\n");
    env.write("legacy/Makefile", "test:\n\tpytest -x\n");
    git2::Repository::init(env.path("legacy")).unwrap();
    env.commit_all("legacy", "by hand");
    let assert = env
        .groundwork()
        .args([
            "adopt",
            "legacy",
            "--ref",
            "v1.0.0",
            "-d",
            "project_name=Legacy",
            "--defaults",
        ])
        .arg("--template")
        .arg(repo.path())
        .assert()
        .success()
        .code(0);
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stdout),
        format!(
            "Adopted {} as tpl 1.0.0 ({}): wrote .groundwork.toml.\nOf the template's 3 files, 1 differ from a pristine render and 1 are absent; `groundwork update` keeps those as your changes (see `groundwork diff`).\n",
            env.path("legacy").display(),
            repo.path().display()
        )
    );
    env.commit_all("legacy", "adopted");
    // Adopting twice is refused.
    env.groundwork()
        .args(["adopt", "legacy", "--defaults"])
        .arg("--template")
        .arg(repo.path())
        .assert()
        .failure()
        .code(1);
    env.update("legacy", &[]).assert().failure().code(3);
    let makefile = env.read("legacy/Makefile");
    assert!(
        makefile.contains("pytest -x") && makefile.contains("ruff check ."),
        "{makefile}"
    );
    assert!(
        !env.exists("legacy/CHANGELOG.md"),
        "a file the user never had stays absent"
    );
}

#[test]
fn adopt_reads_answers_and_template_from_cruft_json() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    let commit = git2::Repository::open(repo.path())
        .unwrap()
        .revparse_single("v1.0.0")
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    env.write("legacy/README.md", "# From Cruft\n\nIntro.\n");
    env.write(
        "legacy/.cruft.json",
        format!(
            r#"{{"template": "{}", "commit": "{commit}", "checkout": null,
               "context": {{"cookiecutter": {{"project_name": "From Cruft", "_template": "x"}}}},
               "directory": null}}"#,
            repo.path().display()
        ),
    );
    env.groundwork()
        .args(["adopt", "legacy", "--defaults"])
        .assert()
        .success()
        .code(0);
    let answers = env.read("legacy/.groundwork.toml");
    assert!(
        answers.contains("project_name = \"From Cruft\""),
        "{answers}"
    );
    assert!(
        answers.contains(&format!("commit = \"{commit}\"")),
        "{answers}"
    );
    assert!(!answers.contains("_template"), "{answers}");
}

#[test]
fn no_command_starts_a_git_process() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    let bin = env.path("fake-bin");
    std::fs::create_dir(&bin).unwrap();
    let git = bin.join("git");
    std::fs::write(
        &git,
        "#!/bin/sh\necho \"git was run: $*\" >> \"$0.log\"\nexit 99\n",
    )
    .unwrap();
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        env.groundwork()
            .env("PATH", &path)
            .args(args)
            .assert()
            .get_output()
            .status
            .code()
    };
    let template = repo.path().to_str().unwrap().to_owned();
    assert_eq!(
        run(&[
            "new",
            "proj",
            "--template",
            &template,
            "--ref",
            "v1.0.0",
            "--defaults"
        ]),
        Some(0)
    );
    assert_eq!(run(&["check", "proj"]), Some(4));
    assert_eq!(run(&["diff", "proj"]), Some(0));
    assert_eq!(run(&["update", "proj"]), Some(0));
    env.write("legacy/README.md", "# Demo\n");
    assert_eq!(
        run(&["adopt", "legacy", "--template", &template, "--defaults"]),
        Some(0)
    );
    assert!(
        !bin.join("git.log").exists(),
        "{}",
        std::fs::read_to_string(bin.join("git.log")).unwrap_or_default()
    );
}

#[test]
fn data_file_replays_the_answers_recorded_by_another_project() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "first", "--no-git", "--defaults"])
        .args(["-d", "project_name=Fraud Detector", "-d", "serving=kserve"])
        .assert()
        .success();
    env.groundwork()
        .args(["new", "second", "--no-git", "--defaults", "--data-file"])
        .arg(env.path("first/.groundwork.toml"))
        .assert()
        .success();
    assert_eq!(
        env.read("second/.groundwork.toml"),
        env.read("first/.groundwork.toml")
    );
}

#[test]
fn force_rewrites_a_file_whose_only_difference_is_its_mode() {
    let env = TestEnv::new();
    let template = env
        .template("modes", "")
        .executable("run.sh", "#!/bin/sh\n")
        .build();
    env.write("out/run.sh", "#!/bin/sh\n");
    env.new_project(&template, "out", &["--defaults", "--force", "--dry-run"])
        .assert()
        .success()
        .stdout(predicates::str::contains("  overwrite 755  run.sh\n"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .assert()
        .success();
    let mode = env
        .path("out/run.sh")
        .metadata()
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);
}

/// `groundwork diff | head`, `groundwork new --help | head`: the reader closing the pipe ends the
/// command quietly with status 0, as ripgrep does, instead of an error about stdout.
#[test]
fn a_closed_stdout_pipe_ends_output_commands_quietly() {
    let env = TestEnv::new();
    let repo = tagged(&env);
    create(&env, &repo, "v1.0.0");
    env.write("proj/Makefile", "test:\n\tpytest --cov\n");
    for args in [&["diff", "proj"][..], &["new", "--help"], &["templates"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = env
            .command()
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).as_ref()
            ),
            (Some(0), ""),
            "groundwork {args:?}"
        );
    }
}
