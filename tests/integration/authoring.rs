//! Template authoring (issue 8): `[computed]`, `[[files]]` rules, `exclude` and the default
//! excludes, `subdirectory`, skipped questions, choice labels, `validate_message` and
//! `message_after`, each through the real binary with its error cases' exact messages.

use std::path::Path;

use crate::env::TestEnv;

/// Serving and training choices with a computed `deploys` and a rule on it.
const DEPLOY: &str = r#"
[[questions]]
name = "serving"
choices = ["none", "deployment"]
default = "deployment"

[[questions]]
name = "training"
choices = ["none", "argo"]
default = "none"

[computed]
deploys = "serving != 'none' or training != 'none'"
image = "'img-' ~ serving"
tags = "[serving, training]"

[[files]]
when = "deploys"
paths = ["manifests/**", "Containerfile"]
"#;

fn deploy_template(env: &TestEnv) -> std::path::PathBuf {
    env.template("deploy", DEPLOY)
        .file(
            "README.md.tera",
            "deploys={{ deploys }} image={{ image }} tags={{ tags | join(sep=',') }}\n",
        )
        .file("manifests/app.yaml.tera", "image: {{ image }}\n")
        .file("manifests/base/kustomization.yaml", "resources: []\n")
        .file("Containerfile.tera", "FROM {{ image }}\n")
        .file("{{ image }}/note.txt", "named by a computed value\n")
        .build()
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The 1-based line of the first line of `template`'s template.toml that starts with `start`.
fn line_of(template: &Path, start: &str) -> usize {
    let text = std::fs::read_to_string(template.join("template.toml")).unwrap();
    text.lines().position(|l| l.starts_with(start)).unwrap() + 1
}

fn manifest_path(template: &Path) -> String {
    template.join("template.toml").display().to_string()
}

/// Asserts `new out` with `args` fails with exactly `message` as its error line.
fn refuses_exactly(env: &TestEnv, template: &Path, args: &[&str], message: &str) {
    let assert = env
        .new_project(template, "out", args)
        .assert()
        .failure()
        .code(1);
    assert_eq!(stderr_of(&assert), format!("error: {message}\n"));
    assert!(!env.exists("out"), "a refused run wrote out/");
}

#[test]
fn computed_values_render_files_paths_and_rules_and_are_never_recorded() {
    let env = TestEnv::new();
    let template = deploy_template(&env);
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(
        env.read("out/README.md"),
        "deploys=true image=img-deployment tags=deployment,none\n"
    );
    assert_eq!(
        env.read("out/img-deployment/note.txt"),
        "named by a computed value\n"
    );
    assert_eq!(env.read("out/Containerfile"), "FROM img-deployment\n");
    assert_eq!(
        env.read("out/manifests/app.yaml"),
        "image: img-deployment\n"
    );
    let answers = env.read("out/.groundwork.toml");
    assert!(answers.contains("serving = \"deployment\""), "{answers}");
    for computed in ["deploys", "image", "tags"] {
        assert!(
            !answers.contains(computed),
            "{computed} recorded:\n{answers}"
        );
    }
}

#[test]
fn a_false_rule_leaves_its_files_out() {
    let env = TestEnv::new();
    let template = deploy_template(&env);
    env.new_project(&template, "out", &["--defaults", "-d", "serving=none"])
        .assert()
        .success();
    assert_eq!(
        env.read("out/README.md"),
        "deploys=false image=img-none tags=none,none\n"
    );
    assert!(!env.exists("out/manifests"));
    assert!(!env.exists("out/Containerfile"));
    assert!(env.exists("out/img-none/note.txt"));
}

#[test]
fn a_computed_value_given_with_d_or_a_data_file_is_an_error() {
    let env = TestEnv::new();
    let template = deploy_template(&env);
    refuses_exactly(
        &env,
        &template,
        &["--defaults", "-d", "deploys=true"],
        "`deploys` (from -d deploys=true) is computed by the template from the other answers (`[computed]` in template.toml), so it cannot be given: remove it",
    );
    env.write("answers.toml", "image = \"x\"\n");
    let data = env.path("answers.toml");
    refuses_exactly(
        &env,
        &template,
        &["--defaults", "--data-file", data.to_str().unwrap()],
        &format!(
            "`image` (from {}) is computed by the template from the other answers (`[computed]` in template.toml), so it cannot be given: remove it",
            data.display()
        ),
    );
}

#[test]
fn update_recomputes_computed_values_from_the_recorded_answers() {
    let env = TestEnv::new();
    let template = deploy_template(&env);
    env.groundwork()
        .args(["new", "proj", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .success();
    env.update("proj", &["-d", "serving=none"])
        .assert()
        .success();
    assert_eq!(
        env.read("proj/README.md"),
        "deploys=false image=img-none tags=none,none\n"
    );
    assert!(!env.exists("proj/manifests/app.yaml"));
    assert!(!env.exists("proj/Containerfile"));
    assert!(env.exists("proj/img-none/note.txt"));
    assert!(!env.exists("proj/img-deployment/note.txt"));
    assert!(!env.read("proj/.groundwork.toml").contains("deploys"));
}

#[test]
fn a_computed_value_naming_an_unknown_variable_is_an_error_with_its_line() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"a\"\ndefault = \"x\"\n\n[computed]\nb = \"a ~ later\"\nlater = \"a\"\n",
        )
        .file("f.txt", "")
        .build();
    let line = line_of(&template, "b = ");
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{line}: computed `b`: `later` is neither a question nor a computed value defined before this point; known: a",
            manifest_path(&template)
        ),
    );
}

#[test]
fn a_computed_value_named_like_a_question_is_an_error() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"a\"\ndefault = \"x\"\n\n[computed]\na = \"1\"\n",
        )
        .file("f.txt", "")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}: computed `a`: a question (line {}) has the same name; rename one of them",
            manifest_path(&template),
            line_of(&template, "a = "),
            line_of(&template, "[[questions]]")
        ),
    );
}

#[test]
fn a_rule_glob_that_matches_no_file_is_an_error_with_the_rule_line() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"on\"\ntype = \"bool\"\n\n[[files]]\nwhen = \"on\"\npaths = [\"docs/**\", \"nothing/**\"]\n",
        )
        .file("docs/a.md", "")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}: [[files]] rule: the glob \"nothing/**\" matches no file of the template; fix the glob or remove it",
            manifest_path(&template),
            line_of(&template, "[[files]]")
        ),
    );
}

#[test]
fn a_rule_naming_an_unknown_variable_is_an_error_with_the_rule_line() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"on\"\ntype = \"bool\"\n\n[[files]]\nwhen = \"on and typo\"\npaths = [\"docs/**\"]\n",
        )
        .file("docs/a.md", "")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}: [[files]] rule: `when`: `typo` is neither a question nor a computed value defined before this point; known: on",
            manifest_path(&template),
            line_of(&template, "[[files]]")
        ),
    );
}

#[test]
fn default_excludes_and_exclude_globs_leave_files_out_but_partials_stay_includable() {
    let env = TestEnv::new();
    let template = env
        .template("t", "exclude = [\"partials/**\", \"maintainers.md\"]\n")
        .file(
            "README.md.tera",
            "{% include \"partials/header.tera\" %}body\n",
        )
        .file("partials/header.tera", "# header\n")
        .file("maintainers.md", "ours\n")
        .file(".DS_Store", "junk")
        .file("src/.DS_Store", "junk")
        .file("src/app.py", "x = 1\n")
        .file("src/app.py~", "backup")
        .file("src/.app.py.swp", "swap")
        .file("src/__pycache__/app.cpython-312.pyc", "bytecode")
        .build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/README.md"), "# header\nbody\n");
    let mut files: Vec<String> = crate::env::snapshot(&env.path("out"))
        .into_iter()
        .filter(|(_, contents, mode)| !contents.is_empty() || mode & 0o100_000 != 0)
        .map(|(path, _, _)| path)
        .collect();
    files.retain(|p| !p.is_empty() && p != "src");
    assert_eq!(files, [".groundwork.toml", "README.md", "src/app.py"]);
}

#[test]
fn default_excludes_can_be_turned_off() {
    let env = TestEnv::new();
    let template = env
        .template("t", "default_excludes = false\n")
        .file(".DS_Store", "kept")
        .file("a~", "kept")
        .build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/.DS_Store"), "kept");
    assert_eq!(env.read("out/a~"), "kept");
}

#[test]
fn subdirectory_holds_the_project_and_the_rest_is_the_maintainers() {
    let env = TestEnv::new();
    let template = env
        .template("t", "subdirectory = \"project\"\n\n[[questions]]\nname = \"name\"\ndefault = \"demo\"\n\n[[files]]\nwhen = \"name == 'demo'\"\npaths = [\"demo.txt\"]\n")
        .file("README.md", "the template's own README\n")
        .file("tests/run.sh", "maintainers' test\n")
        .file(".gitignore", "data/\n")
        .file("project/README.md.tera", "# {{ name }}\n")
        .file("project/demo.txt", "demo\n")
        .file("project/.gitignore", ".env\n")
        .build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/README.md"), "# demo\n");
    assert_eq!(env.read("out/demo.txt"), "demo\n");
    assert_eq!(env.read("out/.gitignore"), ".env\n");
    assert!(!env.exists("out/tests"));
    assert!(!env.exists("out/project"));

    // The release store stays at the template root, and releases render the same way.
    env.groundwork()
        .args(["template", "release"])
        .arg(&template)
        .args(["--version", "1.0.0"])
        .assert()
        .success();
    assert!(env.exists("t/.groundwork-releases/1.0.0.toml"));
    env.write("t/project/README.md.tera", "# {{ name }} v2\n");
    let manifest = env.read("t/template.toml").replace("1.0.0", "1.1.0");
    env.write("t/template.toml", manifest);
    env.new_project(&template, "old", &["--defaults", "--ref", "1.0.0"])
        .assert()
        .success();
    assert_eq!(env.read("old/README.md"), "# demo\n");
    assert!(!env.exists("old/tests"));
}

#[test]
fn a_subdirectory_without_files_is_an_error() {
    let env = TestEnv::new();
    let template = env
        .template("t", "subdirectory = \"project\"\n")
        .file("README.md", "x\n")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}:1: `subdirectory = \"project\"`: the template has no files in project/; move the project's files there",
            manifest_path(&template),
            line_of(&template, "subdirectory")
        ),
    );
}

#[test]
fn a_skipped_question_takes_its_default_unrecorded_and_d_for_it_warns() {
    let env = TestEnv::new();
    let template = crate::kitchen_sink(&env).build();
    let assert = env
        .new_project(
            &template,
            "out",
            &["--defaults", "-d", "registry=quay.io/x"],
        )
        .assert()
        .success();
    assert_eq!(
        stderr_of(&assert),
        "warning: the answer for `registry` (from -d registry=quay.io/x) is not used: the question is skipped because its `when` (use_docker) is false\n"
    );
    assert!(
        env.read("out/README.md")
            .contains("registry=ghcr.io/demo_project\n")
    );
    let answers = env.read("out/.groundwork.toml");
    assert!(!answers.contains("registry"), "{answers}");
    assert!(answers.contains("use_docker = false"), "{answers}");

    env.new_project(
        &template,
        "docker",
        &[
            "--defaults",
            "-d",
            "use_docker=true",
            "-d",
            "registry=quay.io/x",
        ],
    )
    .assert()
    .success()
    .stderr("");
    assert!(
        env.read("docker/.groundwork.toml")
            .contains("registry = \"quay.io/x\"")
    );
}

#[test]
fn choice_labels_validate_message_and_message_after() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            r#"message_after = "Next: cd {{ name }} && make install ({{ store }})"

[[questions]]
name = "name"
default = "demo"
validate = '^[a-z]+$'
validate_message = "use lower-case letters only, such as churn"

[[questions]]
name = "store"
choices = [{ value = "s3", label = "Amazon S3" }, "gcs"]
default = "s3"
"#,
        )
        .file("store.txt.tera", "{{ store }}\n")
        .build();
    let assert = env
        .new_project(&template, "ok", &["--defaults", "-d", "store=gcs"])
        .assert()
        .success();
    assert!(
        stdout_of(&assert).ends_with("Next: cd demo && make install (gcs)\n"),
        "{}",
        stdout_of(&assert)
    );
    assert_eq!(env.read("ok/store.txt"), "gcs\n");

    refuses_exactly(
        &env,
        &template,
        &["--defaults", "-d", "name=Churn"],
        "answer for `name` (from -d name=Churn) is \"Churn\": use lower-case letters only, such as churn",
    );
    refuses_exactly(
        &env,
        &template,
        &["--defaults", "-d", "store=Amazon S3"],
        "answer for `store` (from -d store=Amazon S3) is \"Amazon S3\": expected one of: s3, gcs",
    );
}

#[test]
fn validate_message_without_validate_is_an_error() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"name\"\ndefault = \"x\"\nvalidate_message = \"lower case\"\n",
        )
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}: question `name`: `validate_message` is shown when `validate` refuses an answer; add `validate` or remove it",
            manifest_path(&template),
            line_of(&template, "[[questions]]")
        ),
    );
}

#[test]
fn tera_contrib_filters_and_functions_are_available() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"extras\"\ntype = \"multi-choice\"\nchoices = [\"docs\", \"lint\"]\ndefault = [\"docs\", \"lint\"]\n",
        )
        .file(
            "out.json.tera",
            "{\"extras\": {{ extras | json_encode }}, \"day\": \"{{ '2026-01-31' | date(format='%d %B %Y') }}\", \"year\": {{ now() | date(format='%Y') | length }}, \"early\": {{ '2026-01-01' is before(other='2027-01-01') }}}\n",
        )
        .build();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(
        env.read("out/out.json"),
        "{\"extras\": [\"docs\",\"lint\"], \"day\": \"31 January 2026\", \"year\": 4, \"early\": true}\n"
    );
}

/// A wrong filter argument on line 3 of a file only `ci=gitlab` selects.
fn gitlab_only_error(env: &TestEnv) -> std::path::PathBuf {
    env.template(
        "t",
        "[[questions]]\nname = \"project\"\ndefault = \"demo\"\n\n[[questions]]\nname = \"ci\"\nchoices = [\"github\", \"gitlab\", \"none\"]\ndefault = \"github\"\n\n[[files]]\nwhen = \"ci == 'gitlab'\"\npaths = [\".gitlab-ci.yml\"]\n",
    )
    .file("README.md.tera", "# {{ project }}\n")
    .file(
        ".gitlab-ci.yml.tera",
        "stages:\n  - test\nname: {{ project | replace(frm='a', to='b') }}\n",
    )
    .build()
}

#[test]
fn template_check_finds_an_error_only_one_answer_selects() {
    let env = TestEnv::new();
    let template = gitlab_only_error(&env);
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();

    let assert = env
        .groundwork()
        .args(["template", "check", "t"])
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        stdout_of(&assert),
        "error: template file `.gitlab-ci.yml.tera`: Missing keyword argument `from`\n --> .gitlab-ci.yml.tera:3:20\n  |\n3 | name: {{ project | replace(frm='a', to='b') }}\n  |                    ^^^^^^^^^^^^^^^^^^^^^^^^\n  with ci=gitlab\nRendered 4 combinations of t 1.0.0: 1 error.\n"
    );
    assert_eq!(
        stderr_of(&assert),
        "error: template check of t found 1 error in 4 combinations of answers; fix them and run `groundwork template check` again\n"
    );
}

#[test]
fn template_check_reports_every_error_at_once_and_passes_a_clean_template() {
    let env = TestEnv::new();
    let template = gitlab_only_error(&env);
    env.write(
        "t/{% if ci == 'none' %}NOCI.md{% endif %}.tera",
        "{{ project | truncate }}\n",
    );
    let assert = env
        .groundwork()
        .args(["template", "check", "t"])
        .assert()
        .failure()
        .code(1);
    let stdout = stdout_of(&assert);
    assert!(stdout.contains(".gitlab-ci.yml.tera:3:20"), "{stdout}");
    assert!(stdout.contains("  with ci=gitlab\n"), "{stdout}");
    assert!(
        stdout.contains("Missing keyword argument `length`"),
        "{stdout}"
    );
    assert!(stdout.contains("  with ci=none\n"), "{stdout}");
    assert!(stdout.ends_with(": 2 errors.\n"), "{stdout}");

    env.write("t/.gitlab-ci.yml.tera", "name: {{ project }}\n");
    std::fs::remove_file(template.join("{% if ci == 'none' %}NOCI.md{% endif %}.tera")).unwrap();
    env.groundwork()
        .args(["template", "check", "t"])
        .assert()
        .success()
        .stdout("Rendered 4 combinations of t 1.0.0: no errors.\n");
}

#[test]
fn template_check_covers_every_value_and_every_pair_sharing_a_condition() {
    let env = TestEnv::new();
    // Each file fails for exactly one pair of values; all must be found.
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"a\"\nchoices = [\"x\", \"y\", \"z\"]\n\n[[questions]]\nname = \"b\"\ntype = \"bool\"\n\n[[questions]]\nname = \"c\"\nchoices = [\"p\", \"q\"]\n\n[computed]\nab = \"a ~ b\"\n\n[[files]]\nwhen = \"ab == 'ztrue'\"\npaths = [\"ztrue.txt\"]\n\n[[files]]\nwhen = \"c == 'q'\"\npaths = [\"q.txt\"]\n",
        )
        .file("ztrue.txt.tera", "{{ a | nth }}\n")
        .file("q.txt.tera", "{{ c | nth }}\n")
        .build();
    let assert = env
        .groundwork()
        .arg("template")
        .arg("check")
        .arg(&template)
        .assert()
        .failure();
    let stdout = stdout_of(&assert);
    assert!(stdout.contains("with a=z, b=true\n"), "{stdout}");
    assert!(stdout.contains("with c=q\n"), "{stdout}");
    assert!(stdout.contains("Rendered 7 combinations"), "{stdout}");
}

#[test]
fn template_check_passes_the_builtin_template() {
    let env = TestEnv::new();
    let builtin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/datascience");
    let assert = env
        .groundwork()
        .arg("template")
        .arg("check")
        .arg(&builtin)
        .assert()
        .success();
    assert!(
        stdout_of(&assert).ends_with("no errors.\n"),
        "{}",
        stdout_of(&assert)
    );
}

/// Every file of a project but its answers file and git directory, with bytes and mode.
fn project_files(root: &Path) -> Vec<(String, Vec<u8>, u32)> {
    crate::env::snapshot(root)
        .into_iter()
        .filter(|(path, _, _)| {
            path != ".groundwork.toml" && !path.starts_with(".git/") && path != ".git"
        })
        .collect()
}

#[test]
fn builtin_projects_from_1_0_0_update_cleanly_to_1_1_0() {
    let env = TestEnv::new();
    let combinations: [&[&str]; 3] = [
        &[],
        &[
            "-d",
            "serving=none",
            "-d",
            "ci=gitlab",
            "-d",
            "license=none",
        ],
        &[
            "-d",
            "serving=kserve",
            "-d",
            "training=argo-workflows",
            "-d",
            "gitops=false",
            "-d",
            "platform=openshift",
        ],
    ];
    for (i, data) in combinations.iter().enumerate() {
        let old = format!("old{i}/proj");
        let fresh = format!("fresh{i}/proj");
        env.groundwork()
            .args([
                "new",
                &old,
                "--template",
                "datascience",
                "--ref",
                "1.0.0",
                "--defaults",
            ])
            .args(*data)
            .assert()
            .success();
        assert!(
            env.read(&format!("{old}/.groundwork.toml"))
                .contains("version = \"1.0.0\"")
        );
        env.commit_all(&old, "as generated");
        env.update(&old, &["--to", "1.1.0"])
            .assert()
            .success()
            .code(0);
        env.groundwork()
            .args([
                "new",
                &fresh,
                "--template",
                "datascience",
                "--ref",
                "1.1.0",
                "--defaults",
            ])
            .args(*data)
            .assert()
            .success();
        assert_eq!(
            project_files(&env.path(&old)),
            project_files(&env.path(&fresh)),
            "combination {data:?}"
        );
        assert!(
            env.read(&format!("{old}/.groundwork.toml"))
                .contains("version = \"1.1.0\"")
        );
    }
}

#[test]
fn a_git_template_applies_subdirectory_excludes_and_rules_like_a_directory() {
    let env = TestEnv::new();
    let repo = env.template_repo("gitrepo");
    repo.version(
        "1.0.0",
        "subdirectory = \"project\"\nexclude = [\"partials/**\"]\n\n[[questions]]\nname = \"ci\"\nchoices = [\"github\", \"none\"]\n\n[[files]]\nwhen = \"ci == 'github'\"\npaths = [\".github/**\"]\n",
    )
    .file("README.md", "maintainers\n")
    .file("project/README.md.tera", "{% include \"partials/head.tera\" %}ci={{ ci }}\n")
    .file("project/partials/head.tera", "# head\n")
    .file("project/.github/workflows/ci.yml", "on: push\n")
    .file("project/notes.txt~", "backup\n")
    .tag();
    for (dest, ci) in [("gh", "github"), ("plain", "none")] {
        env.groundwork()
            .args([
                "new",
                dest,
                "--no-git",
                "--defaults",
                "-d",
                &format!("ci={ci}"),
                "--template",
            ])
            .arg(repo.path())
            .assert()
            .success();
        assert_eq!(
            env.read(&format!("{dest}/README.md")),
            format!("# head\nci={ci}\n")
        );
        assert!(!env.exists(&format!("{dest}/partials")));
        assert!(!env.exists(&format!("{dest}/notes.txt~")));
        assert!(!env.exists(&format!("{dest}/project")));
    }
    assert!(env.exists("gh/.github/workflows/ci.yml"));
    assert!(!env.exists("plain/.github"));
}

/// A template with three checks: one always passing, one only for `ci=gitlab`, and one that fails
/// unless `ci=github`.
fn checked_template(env: &TestEnv) -> std::path::PathBuf {
    env.template(
        "checked",
        "[[questions]]\nname = \"ci\"\nchoices = [\"github\", \"gitlab\", \"none\"]\n\n[[files]]\nwhen = \"ci == 'gitlab'\"\npaths = [\".gitlab-ci.yml\"]\n\n[[checks]]\nname = \"readme\"\nrun = \"test -f README.md && git log --oneline | grep -q groundwork\"\n\n[[checks]]\nname = \"gitlab-file\"\nwhen = \"ci == 'gitlab'\"\nrun = \"test -f .gitlab-ci.yml\"\n\n[[checks]]\nname = \"mentions-github\"\nrun = \"grep -q github README.md || { echo 'README does not mention github'; exit 3; }\"\n",
    )
    .file("README.md.tera", "ci={{ ci }}\n")
    .file(".gitlab-ci.yml", "stages: []\n")
    .build()
}

#[test]
fn template_test_runs_every_check_on_every_combination_and_fails_on_a_broken_one() {
    let env = TestEnv::new();
    checked_template(&env);
    let assert = env
        .groundwork()
        .args(["template", "test", "checked", "-j", "2"])
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        stdout_of(&assert),
        "PASS  readme           the defaults
SKIP  gitlab-file      the defaults
PASS  mentions-github  the defaults
PASS  readme           ci=github
SKIP  gitlab-file      ci=github
PASS  mentions-github  ci=github
PASS  readme           ci=gitlab
PASS  gitlab-file      ci=gitlab
FAIL  mentions-github  ci=gitlab
    exit status 3
    | README does not mention github
PASS  readme           ci=none
SKIP  gitlab-file      ci=none
FAIL  mentions-github  ci=none
    exit status 3
    | README does not mention github
checked 1.0.0: 4 combinations, 7 passed, 2 failed, 3 skipped.
"
    );
    assert_eq!(
        stderr_of(&assert),
        "error: template test of checked: 2 of 9 checks failed; each failure is listed above with its answers\n"
    );

    // Fixed, it passes.
    let manifest = env
        .read("checked/template.toml")
        .replace("grep -q github README.md", "grep -q ci= README.md");
    env.write("checked/template.toml", manifest);
    env.groundwork()
        .args(["template", "test", "checked", "-j", "1"])
        .assert()
        .success()
        .stdout(predicates::str::ends_with(
            "checked 1.0.0: 4 combinations, 9 passed, 0 failed, 3 skipped.\n",
        ));
}

#[test]
fn template_test_json_lists_every_check_and_combination() {
    let env = TestEnv::new();
    checked_template(&env);
    let assert = env
        .groundwork()
        .args(["template", "test", "checked", "--json"])
        .assert()
        .failure()
        .code(1);
    let summary: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(summary["combinations"], 4);
    assert_eq!(summary["passed"], 7);
    assert_eq!(summary["failed"], 2);
    assert_eq!(summary["skipped"], 3);
    let results = summary["results"].as_array().unwrap();
    assert_eq!(results.len(), 12);
    assert_eq!(
        results[8],
        serde_json::json!({
            "check": "mentions-github",
            "answers": "ci=gitlab",
            "status": "fail",
            "exit_code": 3,
            "output": "README does not mention github\n"
        })
    );
    assert_eq!(
        results[7],
        serde_json::json!({"check": "gitlab-file", "answers": "ci=gitlab", "status": "pass", "exit_code": 0})
    );
}

#[test]
fn template_test_without_checks_says_how_to_add_one() {
    let env = TestEnv::new();
    let template = env.template("t", "").file("a.txt", "").build();
    let assert = env
        .groundwork()
        .args(["template", "test"])
        .arg(&template)
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        stderr_of(&assert),
        format!(
            "error: {} declares no [[checks]]: add one, such as [[checks]] name = \"tests\" run = \"make test\", for `groundwork template test` to run in each generated project\n",
            manifest_path(&template)
        )
    );
}

#[test]
fn a_check_when_naming_an_unknown_variable_is_an_error_with_its_line() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[checks]]\nname = \"x\"\nrun = \"true\"\nwhen = \"nope\"\n",
        )
        .file("a.txt", "")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}:1: [[checks]] `x`: `when`: `nope` is neither a question nor a computed value defined before this point; known: ",
            manifest_path(&template),
            line_of(&template, "[[checks]]")
        ),
    );
}

#[test]
fn an_unknown_filter_names_the_file_and_lists_the_known_filters() {
    let env = TestEnv::new();
    let template = env
        .template("t", "[[questions]]\nname = \"x\"\ndefault = \"a\"\n")
        .file("a.txt.tera", "line1\n{{ x | nosuch }}\n")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        "template file `a.txt.tera`: Unknown filter `nosuch`\n --> a.txt.tera:2:8\n  |\n2 | {{ x | nosuch }}\n  |        ^^^^^^\nknown filters: abs, capitalize, date, default, escape, escape_html, escape_xml, first, float, get, group_by, indent, int, join, json_encode, kebab_case, keys, last, length, lower, newlines_to_br, nth, pairs, pascal_case, pluralize, replace, reverse, round, safe, slugify, snake_case, sort, split, str, title, trim, trim_end, trim_start, truncate, unique, upper, values, wordcount (see docs/template-format.md)",
    );
}

#[test]
fn a_when_error_points_at_the_question_line_not_an_internal_snippet() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"x\"\ndefault = \"a\"\n\n[[questions]]\nname = \"y\"\ndefault = \"b\"\nwhen = \"x == 'a' and nope\"\n",
        )
        .file("a.txt", "")
        .build();
    refuses_exactly(
        &env,
        &template,
        &["--defaults"],
        &format!(
            "{}:{}: question `y`: `when`: variable `nope` is not defined; defined: x, destination_name, git_user_name, git_user_email",
            manifest_path(&template),
            line_of(&template, "name = \"y\"") - 1
        ),
    );
}

#[test]
fn data_file_answers_are_typed_and_refused_like_d_answers() {
    let env = TestEnv::new();
    let template = env
        .template(
            "t",
            "[[questions]]\nname = \"c\"\nchoices = [\"a\", \"b\"]\n\n[[questions]]\nname = \"flag\"\ntype = \"bool\"\n",
        )
        .file("out.txt.tera", "{{ c }} {{ flag }}\n")
        .build();
    env.write("wrong.toml", "c = 5\n");
    refuses_exactly(
        &env,
        &template,
        &["--defaults", "--data-file", "wrong.toml"],
        "answer for `c` (from wrong.toml) is \"5\": expected one of: a, b",
    );
    env.write("maybe.toml", "flag = \"maybe\"\n");
    refuses_exactly(
        &env,
        &template,
        &["--defaults", "--data-file", "maybe.toml"],
        "answer for `flag` (from maybe.toml) is \"maybe\": expected true/false or yes/no",
    );
    refuses_exactly(
        &env,
        &template,
        &["--defaults", "-d", "flag=maybe"],
        "answer for `flag` (from -d flag=maybe) is \"maybe\": expected true/false or yes/no",
    );
    // A bool as a string means the same in a data file as with -d.
    env.write("yes.toml", "flag = \"yes\"\nc = \"b\"\n");
    env.new_project(&template, "out", &["--defaults", "--data-file", "yes.toml"])
        .assert()
        .success();
    assert_eq!(env.read("out/out.txt"), "b true\n");
}

/// Copies the template at `from` into the environment as `name` (every file, modes kept).
fn copy_template(env: &TestEnv, from: &Path, name: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let to = env.path(name);
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mode = entry.metadata().unwrap().permissions().mode();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    to
}

#[test]
fn template_check_names_only_the_answers_that_trigger_an_error_in_the_builtin_template() {
    let env = TestEnv::new();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/datascience");
    let template = copy_template(&env, &builtin, "ds");
    let gitlab = template.join("project/.gitlab-ci.yml.tera");
    let text = std::fs::read_to_string(&gitlab).unwrap();
    std::fs::write(
        &gitlab,
        text.replacen(
            "# GitLab CI:",
            "# {{ project_name | truncate(size=3) }} GitLab CI:",
            1,
        ),
    )
    .unwrap();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    let assert = env
        .groundwork()
        .args(["template", "check", "ds"])
        .assert()
        .failure()
        .code(1);
    let stdout = stdout_of(&assert);
    // The copy's edit is in no release (issue 18), which comes first.
    let (warning, stdout) = stdout.split_once('\n').unwrap();
    assert!(
        warning.starts_with(
            "warning: ds has changes that are in no release: its files differ from release "
        ),
        "{warning}"
    );
    assert!(
        stdout.starts_with("error: template file `.gitlab-ci.yml.tera`: Missing keyword argument `length`\n --> .gitlab-ci.yml.tera:2:"),
        "{stdout}"
    );
    assert!(stdout.contains("\n  with ci=gitlab\n"), "{stdout}");
    assert!(stdout.ends_with(": 1 error.\n"), "{stdout}");
}
