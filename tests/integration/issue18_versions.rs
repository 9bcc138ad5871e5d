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

const V1: &str = "[[questions]]\nname = \"author\"\ndefault = \"Nobody\"\n\n[[questions]]\nname = \"owner\"\ndefault = \"Nobody\"\n\n[[questions]]\nname = \"license\"\nchoices = [\"mit\", \"gpl\"]\n";
const V2: &str = "[[questions]]\nname = \"author_name\"\ndefault = \"Nobody\"\nrenamed_from = [\"author\", \"owner\"]\n\n[[questions]]\nname = \"license\"\nchoices = [\"MIT\", \"GPL-3.0\"]\nrenamed_values = { mit = \"MIT\", gpl = \"GPL-3.0\" }\n\n[[questions]]\nname = \"org\"\ndefault = \"my-org\"\n";

fn renamed(env: &TestEnv) -> TemplateRepo {
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", V1)
        .file("LICENSE.tera", "{{ license }} (c) {{ author }}\n")
        .tag();
    repo.version("2.0.0", V2)
        .file(
            "LICENSE.tera",
            "{{ license }} (c) {{ author_name }} of {{ org }}\n",
        )
        .tag();
    repo
}

#[test]
fn issue18_a_renamed_question_and_renamed_choice_values_keep_the_teams_answers() {
    let env = TestEnv::new();
    let repo = renamed(&env);
    env.groundwork()
        .args(["new", "proj", "--defaults", "--ref", "1.0.0"])
        .args([
            "-d",
            "author=Team Alpha",
            "-d",
            "owner=Team Alpha",
            "-d",
            "license=gpl",
            "--template",
        ])
        .arg(repo.path())
        .assert()
        .success();
    assert_eq!(env.read("proj/LICENSE"), "gpl (c) Team Alpha\n");
    let root = env.path("proj").display().to_string();

    // check knows the rename: nothing is dropped, only `org` is new.
    let assert = env
        .groundwork()
        .args(["check", "proj", "--json"])
        .assert()
        .code(4);
    let report: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(
        report["update"],
        serde_json::json!({"version": "2.0.0", "new_questions": ["org"], "dropped": [], "refused": null})
    );

    env.update("proj", &[])
        .assert()
        .success()
        .stdout(format!(
            "Updated {root} from tpl 1.0.0 to tpl 2.0.0:\n  updated      LICENSE  +1 -1\n1 files: 1 updated; 1 lines added, 1 removed; 0 conflict(s)\n\
             Review the changes (git diff), then commit them with the answers file.\n\n\
             Answers:\n  \
             author_name = \"Team Alpha\" (recorded as `author`, renamed in tpl 2.0.0)\n  \
             license = \"GPL-3.0\" (was \"gpl\", renamed in tpl 2.0.0)\n  \
             org = \"my-org\" (new in tpl 2.0.0)\n"
        ));
    assert_eq!(
        env.read("proj/LICENSE"),
        "GPL-3.0 (c) Team Alpha of my-org\n"
    );
    let answers = env.read("proj/.groundwork.toml");
    assert!(
        answers.ends_with(
            "[answers]\nauthor_name = \"Team Alpha\"\nlicense = \"GPL-3.0\"\norg = \"my-org\"\n"
        ),
        "{answers}"
    );
}

#[test]
fn issue18_a_migration_that_cannot_apply_is_an_error_before_anything_is_written() {
    let env = TestEnv::new();
    let repo = renamed(&env);
    env.groundwork()
        .args(["new", "proj", "--defaults", "--ref", "1.0.0"])
        .args([
            "-d",
            "author=Team Alpha",
            "-d",
            "owner=Team Beta",
            "--template",
        ])
        .arg(repo.path())
        .assert()
        .success();
    let before = env.read("proj/.groundwork.toml");
    // The template as the update reads it: 2.0.0's commit, checked out beside the repository.
    let commit = git2::Repository::open(repo.path())
        .unwrap()
        .revparse_single("v2.0.0^{commit}")
        .unwrap()
        .id()
        .to_string();
    let manifest = format!("{}@{}/template.toml", repo.path().display(), &commit[..7]);
    env.update("proj", &[])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!(
            "error: {}:6: question `author_name`: `renamed_from`: {} records `author` = \"Team Alpha\" and `owner` = \"Team Beta\", which disagree; answer it with -d author_name=...\n",
            manifest,
            env.path("proj/.groundwork.toml").display()
        ));
    assert_eq!(env.read("proj/.groundwork.toml"), before);
    assert_eq!(env.read("proj/LICENSE"), "mit (c) Team Alpha\n");
    // Answered now, there is nothing to choose.
    env.update("proj", &["-d", "author_name=Team Gamma"])
        .assert()
        .success();
    assert_eq!(env.read("proj/LICENSE"), "MIT (c) Team Gamma of my-org\n");
}

#[test]
fn issue18_renames_that_could_send_an_answer_two_ways_are_refused() {
    let env = TestEnv::new();
    for (name, questions, message) in [
        (
            "current",
            "[[questions]]\nname = \"a\"\n\n[[questions]]\nname = \"b\"\nrenamed_from = [\"a\"]\n",
            "b|question `b`: `renamed_from`: `a` is the name of a question of this version",
        ),
        (
            "twice",
            "[[questions]]\nname = \"a\"\nrenamed_from = [\"old\"]\n\n[[questions]]\nname = \"b\"\nrenamed_from = [\"old\"]\n",
            "b|question `b`: `renamed_from`: `old` is also claimed by question `a`",
        ),
        (
            "value",
            "[[questions]]\nname = \"c\"\nchoices = [\"MIT\"]\nrenamed_values = { mit = \"GPL\" }\n",
            "c|question `c`: `renamed_values`: \"mit\" must map to one of the choices (MIT), not \"GPL\"",
        ),
    ] {
        let template = env.template(name, questions).file("a.txt", "").build();
        // The error points at the question's `[[questions]]` line, the one above its name.
        let (question, message) = message.split_once('|').unwrap();
        let manifest = std::fs::read_to_string(template.join("template.toml")).unwrap();
        let line = manifest
            .lines()
            .position(|l| l == format!("name = \"{question}\""))
            .unwrap();
        env.new_project(&template, "out", &["--defaults"])
            .assert()
            .code(1)
            .stderr(format!(
                "error: {}/template.toml:{line}: {message}\n",
                template.display()
            ));
        assert!(!env.exists("out"), "{name}");
    }
}

#[test]
fn issue18_a_tag_that_disagrees_with_its_template_version_is_refused_by_every_command() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .tag();
    env.groundwork()
        .args(["new", "proj", "--defaults", "--template"])
        .arg(repo.path())
        .assert()
        .success();
    // 1.1.0's content, tagged v1.2.0 by mistake.
    repo.version("1.1.0", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }} 1.1\n")
        .tag();
    let git = git2::Repository::open(repo.path()).unwrap();
    let head = git.head().unwrap().peel(git2::ObjectType::Commit).unwrap();
    git.tag_lightweight("v1.2.0", &head, false).unwrap();
    let message = format!(
        "error: {}: tag v1.2.0 says version 1.2.0, but template.toml at that commit says version = \"1.1.0\"; a release's tag and version must agree: set version = \"1.2.0\" in template.toml, commit, and move the tag there (git tag -f v1.2.0), or delete the tag\n",
        repo.path().display()
    );
    env.groundwork()
        .args(["new", "other", "--defaults", "--template"])
        .arg(repo.path())
        .assert()
        .code(1)
        .stderr(message.clone());
    assert!(!env.exists("other"));
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .code(1)
        .stderr(message.clone());
    env.update("proj", &[]).assert().code(1).stderr(message);
    assert_eq!(env.read("proj/README.md"), "# Demo\n");
}

#[test]
fn issue18_template_release_keeps_modes_and_writes_its_store_readable_under_umask_022() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::new();
    let template = env
        .template("shared", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .build();
    let manifest = template.join("template.toml");
    std::fs::set_permissions(&manifest, std::fs::Permissions::from_mode(0o664)).unwrap();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022 && exec \"$0\" template release \"$1\" --version 1.0.0 >/dev/null")
        .arg(env!("CARGO_BIN_EXE_groundwork"))
        .arg(&template)
        .env("HOME", env.root())
        .status()
        .unwrap();
    assert!(status.success());
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&manifest), 0o664, "template.toml keeps its mode");
    let store = template.join(".groundwork-releases");
    assert_eq!(mode(&store.join("1.0.0.toml")), 0o644);
    let blobs: Vec<_> = walkdir::WalkDir::new(&store)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .collect();
    assert!(blobs.len() > 1, "a record and its blobs");
    for blob in blobs {
        assert_eq!(mode(blob.path()), 0o644, "{}", blob.path().display());
    }
    assert!(
        std::fs::read_to_string(&manifest)
            .unwrap()
            .contains("version = \"1.0.0\"")
    );
}

#[test]
fn issue18_a_folder_templates_unreleased_edits_go_by_a_version_of_their_own() {
    let env = TestEnv::new();
    let template = env
        .template("tpl", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .build();
    env.groundwork()
        .args(["template", "release"])
        .arg(&template)
        .args(["--version", "1.0.0"])
        .assert()
        .success();
    // Exactly the release: its version, no warning.
    env.new_project(&template, "released", &["--defaults"])
        .assert()
        .success()
        .stderr("");
    assert!(
        env.read("released/.groundwork.toml")
            .contains("version = \"1.0.0\"\n")
    );

    env.write(
        "tpl/README.md.tera",
        "# {{ project_name }}\n\nEdited, not released.\n",
    );
    let assert = env
        .new_project(&template, "edited", &["--defaults"])
        .assert()
        .success();
    let answers = env.read("edited/.groundwork.toml");
    let label = answers
        .lines()
        .find_map(|l| l.strip_prefix("version = \"1.0.0+"))
        .map_or_else(
            || panic!("no 1.0.0+digest version: {answers}"),
            |rest| format!("1.0.0+{}", rest.trim_end_matches('"')),
        );
    assert_eq!(label.len(), "1.0.0+".len() + 8, "{label}");
    let dir = template.display();
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stderr),
        format!(
            "warning: {dir} has changes that are in no release: its files differ from release 1.0.0, so they go by {label}; cut a release with `groundwork template release {dir}`\n"
        )
    );
    assert!(
        String::from_utf8_lossy(&assert.get_output().stdout).starts_with(&format!(
            "Created {} from tpl {label}:",
            env.path("edited").display()
        ))
    );

    // template check says so too, and names the label.
    env.groundwork()
        .args(["template", "check"])
        .arg(&template)
        .assert()
        .success()
        .stdout(format!(
            "warning: {dir} has changes that are in no release: its files differ from release 1.0.0, so they go by {label}; cut a release with `groundwork template release {dir}`\nRendered 1 combinations of tpl {label}: no errors.\n"
        ));

    // The project made from the release sees the edits as a version to update to, and takes
    // them; its base stays the release.
    env.groundwork()
        .args(["check", "released"])
        .assert()
        .code(4);
    env.update("released", &[]).assert().success();
    assert_eq!(
        env.read("released/README.md"),
        "# Demo\n\nEdited, not released.\n"
    );
    assert!(
        env.read("released/.groundwork.toml")
            .contains(&format!("version = \"{label}\"\n"))
    );
    env.update("released", &[])
        .assert()
        .success()
        .stdout(format!(
            "{} is already at tpl {label}: nothing to update.\n",
            env.path("released").display()
        ));
}

#[test]
fn issue18_template_release_refuses_files_git_would_leave_out_of_the_commit() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", QUESTIONS)
        .file(".gitignore", "/data/\n.env\n")
        .file("README.md.tera", "# {{ project_name }}\n")
        .file("data/sample.csv", "a,b\n1,2\n")
        .file(".env", "TOKEN=x\n")
        .tag();
    env.write("tpl/notes.md", "not added yet\n");
    let dir = repo.path().display().to_string();
    env.groundwork()
        .args(["template", "release", &dir, "--version", "1.1.0"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!(
            "error: cannot release {dir}: git would leave these template files out of its commit, so a release published by tag would lose them: .env (ignored), data/sample.csv (ignored), notes.md (untracked); add them to git (`git add -f` for an ignored one) or remove them, or pass --allow-ignored to release anyway\n"
        ));
    assert!(!env.exists("tpl/.groundwork-releases"));
    env.groundwork()
        .args(["template", "check", &dir])
        .assert()
        .success()
        .stdout("warning: git would leave these template files out of its commit, so a release published by tag would lose them: .env (ignored), data/sample.csv (ignored), notes.md (untracked)\nRendered 1 combinations of tpl 1.0.0: no errors.\n");

    let assert = env
        .groundwork()
        .args([
            "template",
            "release",
            &dir,
            "--version",
            "1.1.0",
            "--allow-ignored",
        ])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains("\n  not in git (released with --allow-ignored; a commit leaves them out): .env (ignored), data/sample.csv (ignored), notes.md (untracked)\n"),
        "{stdout}"
    );
}

#[test]
fn issue18_update_from_a_folder_without_the_recorded_release_is_an_error_not_a_silent_loss() {
    let env = TestEnv::new();
    let template = env
        .template("tpl", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .build();
    env.new_project(&template, "p", &["--defaults"])
        .assert()
        .success();
    env.write(
        "tpl/README.md.tera",
        "# {{ project_name }}\n\nA template change.\n",
    );
    let before = env.read("p/.groundwork.toml");
    env.update("p", &[])
        .assert()
        .code(1)
        .stdout("")
        .stderr(format!(
            "error: cannot update from {}: the project was made from its version 1.0.0, and its files changed since the project was made from it, and it holds no release of that version, so the base to merge from is gone (merging from its current files would drop the template's changes for good); record releases with `groundwork template release` or keep the template in git with version tags, then make the project again, or `groundwork adopt` it\n",
            template.display()
        ));
    assert_eq!(env.read("p/.groundwork.toml"), before);
    assert_eq!(env.read("p/README.md"), "# Demo\n");
}
