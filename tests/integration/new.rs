//! `groundwork new` on a local template: questions, answers, rendering and output.

use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use crate::env::{TestEnv, snapshot};
use crate::{BINARY, WORKFLOW, kitchen_sink};

#[test]
fn defaults_render_every_question_kind() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(
        env.read("out/README.md"),
        "# Demo Project\n\npackage=demo_project\ndocker=false\nreplicas=3\ncloud=gcp\nextras=docs\nregistry=ghcr.io/demo_project\ntoken-set=false\n"
    );
    let answers = env.read("out/.groundwork.toml");
    assert!(answers.contains("source = \"") && answers.contains("version = \"1.0.0\""));
    assert!(answers.contains("extras = [\"docs\"]"), "{answers}");
    assert!(answers.contains("use_docker = false"), "{answers}");
    assert!(answers.contains("replicas = 2"), "{answers}");
}

#[test]
fn typed_data_arguments_are_parsed_by_question_kind() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(
        &template,
        "out",
        &[
            "--defaults",
            "-d",
            "use_docker=yes",
            "-d",
            "replicas=7",
            "-d",
            "cloud=aws",
            "-d",
            "extras=lint, bench",
            "-d",
            "project_name=Churn Model",
        ],
    )
    .assert()
    .success();
    let readme = env.read("out/README.md");
    assert!(readme.contains("docker=true"), "{readme}");
    assert!(readme.contains("replicas=8"), "{readme}");
    assert!(readme.contains("extras=lint,bench"), "{readme}");
    assert!(readme.contains("registry=ghcr.io/churn_model"), "{readme}");
    assert!(env.exists("out/src/churn_model/aws.py"));
    let answers = env.read("out/.groundwork.toml");
    assert!(answers.contains("use_docker = true"), "{answers}");
    assert!(answers.contains("replicas = 7"), "{answers}");
}

#[test]
fn a_bad_typed_value_names_the_question_and_what_it_expects() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "use_docker=maybe"],
        "error: answer for `use_docker` (from -d use_docker=maybe) is \"maybe\": expected true/false or yes/no\n",
    );
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "replicas=two"],
        "error: answer for `replicas` (from -d replicas=two) is \"two\": expected a whole number\n",
    );
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "extras=docs,cake"],
        "error: answer for `extras` (from -d extras=docs,cake) is \"docs,cake\": \"cake\" is not a choice; expected a comma-separated list of: docs, lint, bench\n",
    );
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "cloud=azure"],
        "error: answer for `cloud` (from -d cloud=azure) is \"azure\": expected one of: aws, gcp, none\n",
    );
}

#[test]
fn unknown_answer_key_lists_the_known_ones() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "colour=blue"],
        "error: unknown answer `colour` (from -d colour=blue); this template asks: project_name, package, use_docker, replicas, cloud, extras, registry, api_token\n",
    );
}

#[test]
fn malformed_data_argument_is_an_error() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "no-equals-sign"],
        "error: malformed `-d no-equals-sign`: expected KEY=VALUE\n",
    );
}

#[test]
fn validate_failure_shows_the_value_and_the_pattern() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "project_name=9 lives"],
        "error: answer for `project_name` (from -d project_name=9 lives) is \"9 lives\", which does not match the pattern `^[A-Za-z][A-Za-z0-9 ]*$`\n",
    );
}

#[test]
fn data_file_in_toml_and_json_with_d_winning() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::write(
        env.path("answers.toml"),
        "project_name = \"From Toml\"\nuse_docker = true\nreplicas = 4\nextras = [\"lint\"]\n",
    )
    .unwrap();
    env.new_project(
        &template,
        "toml",
        &[
            "--defaults",
            "--data-file",
            "answers.toml",
            "-d",
            "replicas=9",
        ],
    )
    .assert()
    .success();
    let readme = env.read("toml/README.md");
    assert!(readme.starts_with("# From Toml\n"), "{readme}");
    assert!(readme.contains("docker=true") && readme.contains("replicas=10"));
    assert!(readme.contains("extras=lint"), "{readme}");

    std::fs::write(
        env.path("answers.json"),
        r#"{"project_name": "From Json", "cloud": "none", "use_docker": "no"}"#,
    )
    .unwrap();
    env.new_project(
        &template,
        "json",
        &["--defaults", "--data-file", "answers.json"],
    )
    .assert()
    .success();
    let readme = env.read("json/README.md");
    assert!(readme.starts_with("# From Json\n") && readme.contains("cloud=none"));

    std::fs::write(env.path("broken.json"), "{\"project_name\": ").unwrap();
    env.new_project(
        &template,
        "broken",
        &["--defaults", "--data-file", "broken.json"],
    )
    .assert()
    .failure()
    .code(1)
    .stderr("error: data file broken.json: line 1, column 17: EOF while parsing a value\n");
    assert!(!env.exists("broken"));
}

#[test]
fn rendered_and_conditional_paths() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "off", &["--defaults"])
        .assert()
        .success();
    assert!(env.exists("off/src/demo_project/__init__.py"));
    assert!(!env.exists("off/src/demo_project/aws.py"));
    assert!(!env.exists("off/Dockerfile"));
    assert!(!env.exists("off/docker"));

    env.new_project(
        &template,
        "on",
        &["--defaults", "-d", "use_docker=true", "-d", "cloud=aws"],
    )
    .assert()
    .success();
    assert_eq!(
        env.read("on/Dockerfile"),
        "FROM ghcr.io/demo_project/base:1\n"
    );
    assert_eq!(env.read("on/docker/compose.yaml"), "services: {}\n");
    assert!(env.exists("on/src/demo_project/aws.py"));
}

#[test]
fn tera_files_render_and_other_files_stay_byte_identical() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/.github/workflows/ci.yml"), WORKFLOW);
    assert!(
        env.read("out/.github/workflows/ci.yml")
            .contains("${{ matrix.python }}")
    );
    assert_eq!(
        std::fs::read(env.path("out/assets/logo.png")).unwrap(),
        BINARY
    );
    assert!(!env.exists("out/README.md.tera"));
}

#[test]
fn executable_bits_are_kept() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    let mode = |p: &str| std::fs::metadata(env.path(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("out/bin/run.sh"), 0o755);
    assert_eq!(mode("out/README.md"), 0o644);
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &["--defaults", "--dry-run"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("create    755  bin/run.sh")
                .and(predicate::str::contains("create    644  README.md"))
                .and(predicate::str::contains("Nothing was written.")),
        );
    assert!(!env.exists("out"));
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

#[test]
fn non_empty_destination_is_refused_and_left_alone() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir(env.path("out")).unwrap();
    std::fs::write(env.path("out/notes.txt"), "mine\n").unwrap();
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: destination {} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)\n",
            env.path("out").display()
        ));
    assert_eq!(snapshot(&env.path("out")), before);
}

#[test]
fn empty_destination_directory_is_used() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir(env.path("out")).unwrap();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert!(env.exists("out/README.md"));
}

#[test]
fn force_overwrites_only_template_files_and_deletes_nothing() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir_all(env.path("out/src")).unwrap();
    std::fs::write(env.path("out/README.md"), "old readme\n").unwrap();
    std::fs::write(env.path("out/notes.txt"), "mine\n").unwrap();
    std::fs::write(env.path("out/src/extra.py"), "x = 1\n").unwrap();
    env.new_project(&template, "out", &["--defaults", "--force"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 overwritten"));
    assert!(env.read("out/README.md").starts_with("# Demo Project"));
    assert_eq!(env.read("out/notes.txt"), "mine\n");
    assert_eq!(env.read("out/src/extra.py"), "x = 1\n");
    assert!(env.exists("out/src/demo_project/__init__.py"));
}

#[test]
fn missing_answer_without_a_terminal_names_the_question() {
    let env = TestEnv::new();
    let template = env
        .template(
            "nodefault",
            "[[questions]]\nname = \"owner\"\nprompt = \"Owner\"\n",
        )
        .file("OWNERS.tera", "{{ owner }}\n")
        .build();
    // stdin is not a terminal (assert_cmd gives an empty pipe): no prompt, no hang.
    env.refuses_exactly(
        &template,
        &[],
        "error: no answer for `owner` and it has no default: pass `-d owner=VALUE` or run in a terminal to be asked\n",
    );
    env.new_project(&template, "out", &["-d", "owner=me"])
        .assert()
        .success();
    assert_eq!(env.read("out/OWNERS"), "me\n");
}

#[test]
fn without_a_terminal_defaults_are_taken() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &[]).assert().success();
    assert!(env.read("out/README.md").starts_with("# Demo Project"));
}

#[test]
fn secret_answers_are_used_but_never_written_to_the_answers_file() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &["--defaults", "-d", "api_token=s3cr3t"])
        .assert()
        .success();
    assert!(env.read("out/README.md").contains("token-set=true"));
    assert!(!env.read("out/.groundwork.toml").contains("api_token"));
    assert!(!env.read("out/.groundwork.toml").contains("s3cr3t"));
}

#[test]
fn broken_template_toml_names_the_file_and_line() {
    let env = TestEnv::new();
    let template = env
        .template("broken", "[[questions]]\nname = \"a\"\ntype = \"colour\"\n")
        .build();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: {root}/broken/template.toml:6: question `a`: unknown type \"colour\"; use string, bool, integer, choice or multi-choice\n",
    );
    std::fs::write(
        template.join("template.toml"),
        "[template]\nname = \"broken\"\nversion = \"1.0.0\"\n\n[[questions]]\nname = \"a\"\ndefault = \n",
    )
    .unwrap();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: {root}/broken/template.toml:7:11: string values must be quoted, expected literal string\n",
    );
}

#[test]
fn undefined_variable_names_the_file_line_and_variable() {
    let env = TestEnv::new();
    let template = env
        .template("undef", "[[questions]]\nname = \"a\"\ndefault = \"x\"\n")
        .file("ok.txt.tera", "{{ a }}\n")
        .file(
            "docs/guide.md.tera",
            "line one\n{{ a }}\nline {{ project_nmae }}\n",
        )
        .build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .failure()
        .code(1)
        .stderr(
            "error: template file `docs/guide.md.tera`: docs/guide.md.tera:3: variable `project_nmae` is not defined; defined: a\n",
        );
    assert!(!env.exists("out"));
}

#[test]
fn a_default_referring_to_an_unknown_answer_names_the_question() {
    let env = TestEnv::new();
    let template = env
        .template(
            "baddefault",
            "[[questions]]\nname = \"a\"\ndefault = \"{{ b }}\"\n",
        )
        .build();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: {root}/baddefault/template.toml:6: question `a`: `default`: variable `b` is not defined; defined: destination_name, git_user_name, git_user_email\n",
    );
}

#[test]
fn git_init_makes_one_commit_with_every_file() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.groundwork()
        .args(["new", "out", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .success()
        .stdout(predicate::str::contains("git: initialised on branch main"));
    let repo = git2::Repository::open(env.path("out")).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 0);
    assert_eq!(head.author().name().ok(), Some("Test User"));
    let tree = head.tree().unwrap();
    let entry = tree.get_path(std::path::Path::new("bin/run.sh")).unwrap();
    assert_eq!(entry.filemode(), 0o100_755);
    assert!(
        tree.get_path(std::path::Path::new(".groundwork.toml"))
            .is_ok()
    );
    let statuses = repo.statuses(None).unwrap();
    assert_eq!(
        statuses.len(),
        0,
        "the work tree is clean after the first commit"
    );
}

#[test]
fn two_renders_of_the_same_input_are_byte_identical() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    for dest in ["one", "two"] {
        env.new_project(&template, dest, &["--defaults", "-d", "use_docker=true"])
            .assert()
            .success();
    }
    assert_eq!(snapshot(&env.path("one")), snapshot(&env.path("two")));
}

#[test]
fn help_describes_every_flag() {
    let env = TestEnv::new();
    let out = env.groundwork().args(["new", "--help"]).assert().success();
    let help = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for flag in [
        "--template",
        "--defaults",
        "--data <KEY=VALUE>",
        "--data-file <FILE>",
        "--force",
        "--dry-run",
        "--no-git",
    ] {
        assert!(help.contains(flag), "`new --help` lacks {flag}:\n{help}");
    }
    let top = env.groundwork().arg("--help").assert().success();
    let top = String::from_utf8(top.get_output().stdout.clone()).unwrap();
    assert!(top.contains("new") && top.contains("templates") && top.contains("Exit status"));
    env.groundwork()
        .args(["templates", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("built-in templates"));
    env.groundwork().arg("--no-such-flag").assert().code(2);
}

#[test]
fn without_git_identity_the_fallback_author_is_used_and_said() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::remove_file(env.path(".gitconfig")).unwrap();
    env.groundwork()
        .args(["new", "out", "--defaults", "--template"])
        .arg(&template)
        .env("GIT_CONFIG_GLOBAL", env.path("no-such-gitconfig"))
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("EMAIL")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "note: git config has no user.name",
        ));
    let repo = git2::Repository::open(env.path("out")).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.author().name().ok(), Some("groundwork"));
}

#[test]
fn tera_files_can_include_each_other() {
    let env = TestEnv::new();
    let template = env
        .template("inc", "[[questions]]\nname = \"who\"\ndefault = \"team\"\n")
        .file(
            "README.md.tera",
            "Hello\n{% include \"docs/NOTICE.tera\" %}",
        )
        .file("docs/NOTICE.tera", "-- {{ who }}\n")
        .build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/README.md"), "Hello\n-- team\n");
    assert_eq!(env.read("out/docs/NOTICE"), "-- team\n");
}

#[test]
fn a_tera_syntax_error_names_the_file_and_line() {
    let env = TestEnv::new();
    let template = env
        .template("syntax", "")
        .file("a.txt.tera", "fine\n")
        .file("docs/bad.md.tera", "one\ntwo {% if %}\n")
        .build();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: template file `docs/bad.md.tera`: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`\n --> docs/bad.md.tera:2:11\n  |\n2 | two {% if %}\n  |           ^^\n",
    );
}

#[test]
fn new_dot_fills_the_current_empty_directory_in_place() {
    use std::os::unix::fs::MetadataExt;
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir(env.path("here")).unwrap();
    let inode = std::fs::metadata(env.path("here")).unwrap().ino();
    env.groundwork()
        .current_dir(env.path("here"))
        .args(["new", ".", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .success();
    assert!(env.exists("here/README.md") && env.exists("here/.git"));
    // The same directory, not a replacement: a shell sitting in it still sees the project.
    assert_eq!(std::fs::metadata(env.path("here")).unwrap().ino(), inode);
}
