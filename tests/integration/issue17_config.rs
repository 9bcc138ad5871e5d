//! Issue 17, the user's own defaults: groundwork's configuration file (default answers, default
//! template, abbreviations), cookiecutter's `~/.cookiecutterrc` and the git identity, each shown by
//! `groundwork config` and applied below what the user gives on the command line.

use crate::env::TestEnv;

const QUESTIONS: &str = "[[questions]]\nname = \"author\"\ndefault = \"Nobody\"\n\n[[questions]]\nname = \"org\"\ndefault = \"my-org\"\nvalidate = '^[a-z-]+$'\n\n[[questions]]\nname = \"who\"\ndefault = \"{% if git_user_name %}{{ git_user_name }} <{{ git_user_email }}>{% else %}someone{% endif %}\"\n";

fn template(env: &TestEnv) -> std::path::PathBuf {
    env.template("tpl", QUESTIONS)
        .file("out.txt.tera", "{{ author }} / {{ org }} / {{ who }}\n")
        .build()
}

fn config(env: &TestEnv, text: &str) {
    env.write(".config/groundwork/config.toml", text);
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

#[test]
fn issue17_config_defaults_replace_the_templates_and_are_recorded() {
    let env = TestEnv::new();
    let template = template(&env);
    config(&env, "[defaults]\nauthor = \"Team Alpha\"\nunused = 3\n");
    env.new_project(&template, "p", &["--defaults"])
        .assert()
        .success();
    assert_eq!(
        env.read("p/out.txt"),
        "Team Alpha / my-org / Test User <test@example.com>\n"
    );
    let answers = env.read("p/.groundwork.toml");
    assert!(
        answers.ends_with(
            "[answers]\nauthor = \"Team Alpha\"\norg = \"my-org\"\nwho = \"Test User <test@example.com>\"\n"
        ),
        "{answers}"
    );
}

#[test]
fn issue17_d_and_data_files_beat_the_configuration() {
    let env = TestEnv::new();
    let template = template(&env);
    config(
        &env,
        "[defaults]\nauthor = \"Team Alpha\"\norg = \"alpha\"\n",
    );
    env.write("answers.toml", "org = \"from-file\"\n");
    env.new_project(
        &template,
        "p",
        &[
            "--defaults",
            "-d",
            "author=Ada",
            "--data-file",
            "answers.toml",
        ],
    )
    .assert()
    .success();
    assert_eq!(
        env.read("p/out.txt"),
        "Ada / from-file / Test User <test@example.com>\n"
    );
}

#[test]
fn issue17_a_configured_default_that_fails_validation_names_the_file() {
    let env = TestEnv::new();
    let template = template(&env);
    config(&env, "[defaults]\norg = \"Not Valid\"\n");
    let file = env.path(".config/groundwork/config.toml");
    env.new_project(&template, "p", &["--defaults"])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: answer for `org` ([defaults] in {}) is \"Not Valid\", which does not match the pattern `^[a-z-]+$`\n",
            file.display()
        ));
    assert!(!env.exists("p"));
}

#[test]
fn issue17_without_a_git_identity_defaults_fall_back() {
    let env = TestEnv::new();
    let template = template(&env);
    // libgit2 finds the user's git configuration under HOME: a home without one.
    std::fs::create_dir(env.path("bare-home")).unwrap();
    env.new_project(&template, "p", &["--defaults"])
        .env("HOME", env.path("bare-home"))
        .assert()
        .success();
    assert_eq!(env.read("p/out.txt"), "Nobody / my-org / someone\n");
}

#[test]
fn issue17_a_malformed_configuration_is_an_error_with_its_line() {
    let env = TestEnv::new();
    let template = template(&env);
    config(
        &env,
        "[defaults]\nauthor = \"Team Alpha\"\n\n[defualts]\norg = \"x\"\n",
    );
    let file = env.path(".config/groundwork/config.toml");
    env.new_project(&template, "p", &["--defaults"])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: {}:4: unknown field `defualts`, expected one of `template`, `defaults`, `abbreviations` (a configuration file: fix it, or set GROUNDWORK_CONFIG / COOKIECUTTER_CONFIG to another file)\n",
            file.display()
        ));
    assert!(!env.exists("p"));
}

#[test]
fn issue17_the_configured_template_and_abbreviations_are_used() {
    let env = TestEnv::new();
    let template = template(&env);
    config(
        &env,
        &format!(
            "template = \"{}\"\n\n[abbreviations]\nlocal = \"{}/{{0}}\"\n",
            template.display(),
            env.root().display()
        ),
    );
    env.groundwork()
        .args(["new", "p", "--defaults", "--no-git"])
        .assert()
        .success();
    assert_eq!(
        env.read("p/out.txt"),
        "Nobody / my-org / Test User <test@example.com>\n"
    );
    env.groundwork()
        .args([
            "new",
            "q",
            "--defaults",
            "--no-git",
            "--template",
            "local:tpl",
        ])
        .assert()
        .success();
    assert!(
        env.read("q/.groundwork.toml")
            .contains(&format!("source = \"{}\"", template.display())),
        "{}",
        env.read("q/.groundwork.toml")
    );
}

#[test]
fn issue17_groundwork_config_says_where_each_setting_comes_from() {
    let env = TestEnv::new();
    config(
        &env,
        "template = \"gh:my-org/ds-template\"\n\n[defaults]\nauthor_name = \"Team Alpha\"\n\n[abbreviations]\nds = \"https://git.example.com/{0}.git\"\n",
    );
    env.write(
        ".cookiecutterrc",
        "default_context:\n  full_name: \"Ada L\"\n  author_name: \"from cookiecutter\"\nabbreviations:\n  pp: https://github.com/audreyfeldroy/cookiecutter-pypackage.git\n",
    );
    let home = env.root().display().to_string();
    let assert = env.groundwork().arg("config").assert().success();
    assert_eq!(
        stdout_of(&assert),
        format!(
            "config file: {home}/.config/groundwork/config.toml (the default place)\n\
             cookiecutterrc: {home}/.cookiecutterrc (the default place)\n\
             template = \"gh:my-org/ds-template\"  (config file {home}/.config/groundwork/config.toml)\n\
             default author_name = \"Team Alpha\"  ([defaults] in {home}/.config/groundwork/config.toml)\n\
             default full_name = \"Ada L\"  (default_context in {home}/.cookiecutterrc)\n\
             abbreviation ds = \"https://git.example.com/{{0}}.git\"  ({home}/.config/groundwork/config.toml)\n\
             abbreviation pp = \"https://github.com/audreyfeldroy/cookiecutter-pypackage.git\"  ({home}/.cookiecutterrc)\n\
             git user.name = \"Test User\"  (git config; templates' defaults may use it)\n\
             git user.email = \"test@example.com\"  (git config; templates' defaults may use it)\n"
        )
    );

    // Elsewhere by the environment variables; nothing there is no error.
    std::fs::create_dir(env.path("bare-home")).unwrap();
    let assert = env
        .groundwork()
        .arg("config")
        .env("GROUNDWORK_CONFIG", env.path("none.toml"))
        .env("COOKIECUTTER_CONFIG", env.path("none.yaml"))
        .env("HOME", env.path("bare-home"))
        .assert()
        .success();
    assert_eq!(
        stdout_of(&assert),
        format!(
            "config file: {home}/none.toml (from GROUNDWORK_CONFIG; not there)\n\
             cookiecutterrc: {home}/none.yaml (from COOKIECUTTER_CONFIG; not there)\n\
             template = \"datascience\"  (built in)\n\
             git user.name: not set (git config)\n\
             git user.email: not set (git config)\n"
        )
    );
}

#[test]
fn issue17_a_cookiecutter_template_takes_default_context_from_the_cookiecutterrc() {
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"full_name": "Audrey", "license": ["MIT", "BSD"], "slug": "{{ cookiecutter.full_name.lower().replace(' ', '-') }}"}"#,
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/README.md",
        "{{ cookiecutter.full_name }} ({{ cookiecutter.license }})\n",
    );
    env.write(
        "rc.yaml",
        "default_context:\n  full_name: \"Ada Lovelace\"\n  license: BSD\n  not_asked: x\n",
    );
    let assert = env
        .groundwork()
        .args(["new", "--defaults", "--no-git", "--template"])
        .arg(env.path("cc"))
        .env("COOKIECUTTER_CONFIG", env.path("rc.yaml"))
        .assert()
        .success();
    // Names the template does not ask are left aside silently, as cookiecutter does.
    assert_eq!(String::from_utf8_lossy(&assert.get_output().stderr), "");
    assert_eq!(env.read("ada-lovelace/README.md"), "Ada Lovelace (BSD)\n");
    // -d still wins over the user's default context.
    env.groundwork()
        .args([
            "new",
            "--defaults",
            "--no-git",
            "-d",
            "full_name=Grace",
            "--template",
        ])
        .arg(env.path("cc"))
        .env("COOKIECUTTER_CONFIG", env.path("rc.yaml"))
        .assert()
        .success();
    assert_eq!(env.read("grace/README.md"), "Grace (BSD)\n");
}

#[test]
fn issue17_the_builtin_templates_author_comes_from_the_git_identity_or_its_default() {
    let env = TestEnv::new();
    env.groundwork()
        .args(["new", "with", "--defaults", "--no-git"])
        .assert()
        .success();
    let answers = env.read("with/.groundwork.toml");
    assert!(
        answers.contains("author_name = \"Test User\"\nauthor_email = \"test@example.com\"\n"),
        "{answers}"
    );
    assert!(env.read("with/pyproject.toml").contains("Test User"));

    std::fs::create_dir(env.path("bare-home")).unwrap();
    env.groundwork()
        .args(["new", "without", "--defaults", "--no-git"])
        .env("HOME", env.path("bare-home"))
        .assert()
        .success();
    let answers = env.read("without/.groundwork.toml");
    assert!(
        answers.contains(
            "author_name = \"Data Science Team\"\nauthor_email = \"datascience@example.com\"\n"
        ),
        "{answers}"
    );
}
