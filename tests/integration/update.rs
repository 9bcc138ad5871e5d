//! `groundwork update` scenarios (issue 6): one per row of the DESIGN.md update table, and the
//! cases around it. Every test checks that no line the user wrote is lost: each is in the merged
//! file, in a conflict block, or in a kept file the report names.

use std::os::unix::fs::PermissionsExt;

use crate::env::{TemplateRepo, TestEnv, snapshot};

const QUESTIONS: &str = r#"
[[questions]]
name = "project_name"
default = "Demo"

[[questions]]
name = "package"
default = "{{ project_name | snake_case }}"
"#;

const README_V1: &str = "# {{ project_name }}\n\nIntro.\n\n## Install\n\npip install .\n\n## Usage\n\nrun it\n\n## License\n\nMIT\n";
const MODEL: &str = "def predict(x):\n    return x\n\n\ndef score(x):\n    return 1.0\n";

/// A template repository with v1.0.0 tagged: a README, a package module, a Makefile and notes.
fn repo_v1(env: &TestEnv) -> TemplateRepo {
    let repo = env.template_repo("tpl");
    v1(&repo).tag();
    repo
}

fn v1(repo: &TemplateRepo) -> crate::env::VersionBuilder<'_> {
    repo.version("1.0.0", QUESTIONS)
        .file("README.md.tera", README_V1)
        .file("src/{{ package }}/model.py", MODEL)
        .file("Makefile", "test:\n\tpytest\n")
        .file("notes.txt", "one\ntwo\nthree\n")
}

/// `new proj` from the repository at `reference`, with a first commit (so the tree is clean).
fn create(env: &TestEnv, repo: &TemplateRepo, reference: &str, args: &[&str]) {
    env.groundwork()
        .arg("new")
        .arg("proj")
        .arg("--template")
        .arg(repo.path())
        .args(["--ref", reference, "--defaults"])
        .args(args)
        .assert()
        .success();
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Asserts every line the user wrote is in `text`.
fn assert_lines_kept(text: &str, user_lines: &[&str]) {
    for line in user_lines {
        assert!(
            text.lines().any(|l| l == *line),
            "user line {line:?} was lost:\n{text}"
        );
    }
}

/// The report line for `path`, trimmed.
fn report_line<'a>(stdout: &'a str, path: &str) -> &'a str {
    stdout
        .lines()
        .map(str::trim)
        .find(|l| l.split_whitespace().any(|w| w == path))
        .unwrap_or_else(|| panic!("no report line for {path}:\n{stdout}"))
}

#[test]
fn template_change_to_an_untouched_file_is_taken() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    v1(&repo)
        .file("Makefile", "test:\n\tpytest -q\n\nlint:\n\truff check .\n")
        .tag_as("1.1.0");
    let assert = env.update("proj", &[]).assert().success().code(0);
    let stdout = stdout_of(&assert);
    assert_eq!(
        env.read("proj/Makefile"),
        "test:\n\tpytest -q\n\nlint:\n\truff check .\n"
    );
    assert_eq!(
        report_line(&stdout, "Makefile"),
        "updated      Makefile  +4 -1"
    );
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("version = \"1.1.0\""),
    );
}

#[test]
fn user_change_to_a_file_the_template_left_alone_is_kept() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/notes.txt", "one\ntwo (mine)\nthree\n");
    env.commit_all("proj", "my notes");
    v1(&repo)
        .file("Makefile", "test:\n\tpytest -q\n")
        .tag_as("1.1.0");
    let assert = env.update("proj", &[]).assert().success().code(0);
    assert_eq!(env.read("proj/notes.txt"), "one\ntwo (mine)\nthree\n");
    assert_eq!(
        report_line(&stdout_of(&assert), "notes.txt"),
        "kept         notes.txt"
    );
}

#[test]
fn both_sides_changed_apart_merge_cleanly() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    let readme = env
        .read("proj/README.md")
        .replace("Intro.", "Intro, by the team.");
    env.write("proj/README.md", &readme);
    env.commit_all("proj", "intro");
    v1(&repo)
        .file("README.md.tera", README_V1.replace("MIT\n", "Apache-2.0\n"))
        .tag_as("1.1.0");
    let assert = env.update("proj", &[]).assert().success().code(0);
    let merged = env.read("proj/README.md");
    assert_eq!(
        merged,
        "# Demo\n\nIntro, by the team.\n\n## Install\n\npip install .\n\n## Usage\n\nrun it\n\n## License\n\nApache-2.0\n"
    );
    assert_eq!(
        report_line(&stdout_of(&assert), "README.md"),
        "merged       README.md  +1 -1"
    );
}

#[test]
fn overlapping_changes_leave_labelled_conflict_markers_and_exit_3() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/notes.txt", "one\nTWO BY USER\nthree\n");
    env.commit_all("proj", "mine");
    v1(&repo)
        .file("notes.txt", "one\ntwo by template\nthree\n")
        .tag_as("1.1.0");
    let assert = env.update("proj", &[]).assert().failure().code(3);
    let text = env.read("proj/notes.txt");
    assert_lines_kept(&text, &["TWO BY USER", "two by template"]);
    assert!(text.contains("<<<<<<< yours\n"), "{text}");
    assert!(text.contains(">>>>>>> tpl 1.1.0\n"), "{text}");
    let stdout = stdout_of(&assert);
    assert!(
        report_line(&stdout, "notes.txt").starts_with("conflict"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("Conflicts remain in 1 file(s): notes.txt. Resolve them (search for <<<<<<< markers, compare files beside their originals), then commit.\n"),
        "{stdout}"
    );
    // The answers file moves on even with conflicts, so the next update starts from 1.1.0.
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("version = \"1.1.0\"")
    );
}

#[test]
fn a_file_the_user_deleted_stays_deleted() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    std::fs::remove_file(env.path("proj/notes.txt")).unwrap();
    env.commit_all("proj", "no notes");
    v1(&repo)
        .file("notes.txt", "one\ntwo\nthree\nfour\n")
        .tag_as("1.1.0");
    let assert = env.update("proj", &[]).assert().success().code(0);
    assert!(!env.exists("proj/notes.txt"));
    assert_eq!(
        report_line(&stdout_of(&assert), "notes.txt"),
        "left deleted notes.txt  (you deleted this file; the template changed it, and it stays deleted)"
    );
}

#[test]
fn an_edited_file_the_template_deleted_is_kept_and_reported() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/notes.txt", "one\ntwo\nthree\nmy own line\n");
    env.commit_all("proj", "mine");
    repo.version("1.1.0", QUESTIONS)
        .file("README.md.tera", README_V1)
        .file("src/{{ package }}/model.py", MODEL)
        .file("Makefile", "test:\n\tpytest\n")
        .tag();
    let assert = env.update("proj", &[]).assert().failure().code(3);
    assert_eq!(env.read("proj/notes.txt"), "one\ntwo\nthree\nmy own line\n");
    let stdout = stdout_of(&assert);
    assert!(
        report_line(&stdout, "notes.txt").starts_with("conflict"),
        "{stdout}"
    );
}

#[test]
fn an_untouched_file_the_template_deleted_is_removed() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    repo.version("1.1.0", QUESTIONS)
        .file("README.md.tera", README_V1)
        .file("Makefile", "test:\n\tpytest\n")
        .file("notes.txt", "one\ntwo\nthree\n")
        .tag();
    let assert = env.update("proj", &[]).assert().success().code(0);
    assert!(!env.exists("proj/src/demo/model.py"));
    // The folder the deletion emptied goes too.
    assert!(!env.exists("proj/src/demo"));
    assert_eq!(
        report_line(&stdout_of(&assert), "src/demo/model.py"),
        "removed      src/demo/model.py  +0 -6"
    );
}

#[test]
fn a_renamed_file_carries_the_users_edits_to_its_new_path() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/notes.txt", "one\ntwo\nthree\nuser line at the end\n");
    env.commit_all("proj", "mine");
    repo.version("1.1.0", QUESTIONS)
        .file("README.md.tera", README_V1)
        .file("src/{{ package }}/model.py", MODEL)
        .file("Makefile", "test:\n\tpytest\n")
        .file("docs/notes.txt", "ONE\ntwo\nthree\n")
        .tag();
    let assert = env.update("proj", &[]).assert().success().code(0);
    assert!(!env.exists("proj/notes.txt"));
    assert_eq!(
        env.read("proj/docs/notes.txt"),
        "ONE\ntwo\nthree\nuser line at the end\n"
    );
    let stdout = stdout_of(&assert);
    assert!(
        report_line(&stdout, "docs/notes.txt")
            .starts_with("moved        docs/notes.txt (from notes.txt)"),
        "{stdout}"
    );
}

#[test]
fn an_answer_change_moves_a_folder_with_the_users_edit() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    let edited = MODEL.replace("return x\n", "return x * 2  # tuned\n");
    env.write("proj/src/demo/model.py", &edited);
    env.commit_all("proj", "tuned");
    let assert = env
        .update("proj", &["-d", "package=churn"])
        .assert()
        .success()
        .code(0);
    assert!(!env.exists("proj/src/demo"));
    assert_eq!(env.read("proj/src/churn/model.py"), edited);
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("package = \"churn\"")
    );
    let stdout = stdout_of(&assert);
    assert!(
        report_line(&stdout, "src/churn/model.py").starts_with("moved"),
        "{stdout}"
    );
}

#[test]
fn a_question_new_in_the_new_version_takes_its_default_unattended() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    let questions =
        format!("{QUESTIONS}\n[[questions]]\nname = \"python\"\nchoices = [\"3.12\", \"3.13\"]\n");
    repo.version("1.1.0", &questions)
        .file("README.md.tera", README_V1)
        .file("src/{{ package }}/model.py", MODEL)
        .file("Makefile", "test:\n\tpytest\n")
        .file("notes.txt", "one\ntwo\nthree\n")
        .file(".python-version.tera", "{{ python }}\n")
        .tag();
    env.update("proj", &[]).assert().success().code(0);
    assert_eq!(env.read("proj/.python-version"), "3.12\n");
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("python = \"3.12\"")
    );

    // And `-d` answers it on the next update.
    env.commit_all("proj", "1.1.0");
    env.update("proj", &["-d", "python=3.13"])
        .assert()
        .success()
        .code(0);
    assert_eq!(env.read("proj/.python-version"), "3.13\n");
}

#[test]
fn both_sides_changed_a_binary_file_ours_is_kept_theirs_beside_it() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", QUESTIONS)
        .file("logo.png", b"\x89PNG\x00template-v1")
        .tag();
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/logo.png", b"\x89PNG\x00mine");
    env.commit_all("proj", "my logo");
    repo.version("1.1.0", QUESTIONS)
        .file("logo.png", b"\x89PNG\x00template-v2")
        .tag();
    let assert = env.update("proj", &[]).assert().failure().code(3);
    assert_eq!(env.read_bytes("proj/logo.png"), b"\x89PNG\x00mine");
    assert_eq!(
        env.read_bytes("proj/logo.png.from-template"),
        b"\x89PNG\x00template-v2"
    );
    let stdout = stdout_of(&assert);
    assert!(
        report_line(&stdout, "logo.png").starts_with("conflict"),
        "{stdout}"
    );
}

#[test]
fn a_file_added_on_both_sides_with_different_text_is_a_conflict() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/CONTRIBUTING.md", "Ask the team.\n");
    env.commit_all("proj", "contributing");
    v1(&repo)
        .file("CONTRIBUTING.md", "Open a pull request.\n")
        .tag_as("1.1.0");
    env.update("proj", &[]).assert().failure().code(3);
    let text = env.read("proj/CONTRIBUTING.md");
    assert_lines_kept(&text, &["Ask the team.", "Open a pull request."]);
    assert!(text.contains("<<<<<<<"), "{text}");
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    // The user's editor converted the file to CRLF and they added a line.
    env.write("proj/notes.txt", "one\r\ntwo\r\nthree\r\nmine\r\n");
    env.commit_all("proj", "crlf");
    v1(&repo)
        .file("notes.txt", "zero\none\ntwo\nthree\n")
        .tag_as("1.1.0");
    env.update("proj", &[]).assert().success().code(0);
    assert_eq!(
        env.read("proj/notes.txt"),
        "zero\r\none\r\ntwo\r\nthree\r\nmine\r\n"
    );
}

#[test]
fn an_executable_bit_added_by_the_template_is_applied() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", QUESTIONS)
        .file("run.sh", "#!/bin/sh\necho run\n")
        .tag();
    create(&env, &repo, "v1.0.0", &[]);
    repo.version("1.1.0", QUESTIONS)
        .executable("run.sh", "#!/bin/sh\necho run\n")
        .tag();
    env.update("proj", &[]).assert().success().code(0);
    let mode = env
        .path("proj/run.sh")
        .metadata()
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "mode {mode:o}");
}

#[test]
fn three_successive_updates_keep_the_users_work() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/notes.txt", "one\ntwo\nthree\nmine 1\n");
    env.commit_all("proj", "mine 1");
    v1(&repo)
        .file("notes.txt", "zero\none\ntwo\nthree\n")
        .tag_as("1.1.0");
    v1(&repo)
        .file("notes.txt", "zero\none\ntwo\nthree\n")
        .file("Makefile", "test:\n\tpytest -q\n")
        .tag_as("1.2.0");
    v1(&repo)
        .file("notes.txt", "zero\none\ntwo and a half\nthree\n")
        .file("Makefile", "test:\n\tpytest -q\n")
        .tag_as("2.0.0");

    for (to, mine) in [("1.1.0", "mine 2"), ("1.2.0", "mine 3"), ("2.0.0", "")] {
        env.update("proj", &["--to", to]).assert().success().code(0);
        let answers = env.read("proj/.groundwork.toml");
        assert!(
            answers.contains(&format!("version = \"{to}\"")),
            "{answers}"
        );
        if !mine.is_empty() {
            let mut text = env.read("proj/notes.txt");
            text.push_str(mine);
            text.push('\n');
            env.write("proj/notes.txt", text);
        }
        env.commit_all("proj", to);
    }
    assert_eq!(
        env.read("proj/notes.txt"),
        "zero\none\ntwo and a half\nthree\nmine 1\nmine 2\nmine 3\n"
    );
    assert_eq!(env.read("proj/Makefile"), "test:\n\tpytest -q\n");
}

#[test]
fn a_dirty_worktree_is_refused_unless_allowed() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    v1(&repo)
        .file("Makefile", "test:\n\tpytest -q\n")
        .tag_as("1.1.0");
    // A tracked file edited and not committed (issue 17: untracked files block only where the
    // update writes; see issue17_update.rs).
    env.write("proj/notes.txt", "one\ntwo\nthree\nwip\n");
    let before = snapshot(&env.path("proj"));
    env.update("proj", &[])
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr(format!(
            "error: the git work tree at {} has uncommitted changes (notes.txt): commit or stash them so the update can be reviewed and undone, or pass --allow-dirty\n",
            env.path("proj").display()
        ));
    assert_eq!(snapshot(&env.path("proj")), before);
    env.update("proj", &["--allow-dirty"])
        .assert()
        .success()
        .code(0);
    assert_eq!(env.read("proj/Makefile"), "test:\n\tpytest -q\n");
    assert_eq!(env.read("proj/notes.txt"), "one\ntwo\nthree\nwip\n");
}

#[test]
fn an_interrupted_update_leaves_the_tree_byte_identical() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    env.write("proj/notes.txt", "one\ntwo\nthree\nmine\n");
    env.commit_all("proj", "mine");
    // Changes of every kind: an update, a merge, a removal, an addition.
    repo.version("1.1.0", QUESTIONS)
        .file("README.md.tera", README_V1.replace("MIT", "BSD"))
        .file("Makefile", "test:\n\tpytest -q\n")
        .file("notes.txt", "zero\none\ntwo\nthree\n")
        .file("docs/new.md", "new\n")
        .tag();
    let before = snapshot(&env.path("proj"));
    for after in 0..5 {
        env.update("proj", &[])
            .env("GROUNDWORK_FAULT_INJECT", after.to_string())
            .assert()
            .failure()
            .code(1);
        assert_eq!(
            snapshot(&env.path("proj")),
            before,
            "fault after {after} writes"
        );
        assert!(env.leftovers().is_empty(), "staging left behind");
    }
    env.update("proj", &[]).assert().success().code(0);
    assert_eq!(env.read("proj/notes.txt"), "zero\none\ntwo\nthree\nmine\n");
}

#[test]
fn dry_run_prints_the_report_and_writes_nothing() {
    let env = TestEnv::new();
    let repo = repo_v1(&env);
    create(&env, &repo, "v1.0.0", &[]);
    v1(&repo)
        .file("Makefile", "test:\n\tpytest -q\n")
        .tag_as("1.1.0");
    let before = snapshot(&env.path("proj"));
    let assert = env
        .update("proj", &["--dry-run"])
        .assert()
        .success()
        .code(0);
    assert_eq!(snapshot(&env.path("proj")), before);
    let stdout = stdout_of(&assert);
    assert_eq!(
        stdout,
        format!(
            "Dry run: updating {} from tpl 1.0.0 to tpl 1.1.0 would do:\n  updated      Makefile  +1 -1\n4 files: 1 updated, 3 unchanged; 1 lines added, 1 removed; 0 conflict(s)\nNothing was written.\n",
            env.path("proj").display()
        )
    );
}

#[test]
fn a_project_without_an_answers_file_is_told_to_adopt() {
    let env = TestEnv::new();
    // A repository of its own, so the search for a project stops there (issue 17).
    git2::Repository::init(env.path("plain")).unwrap();
    env.update("plain", &[])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: {} is not in a groundwork project: it has no .groundwork.toml, and the search stops there, at the root of its git repository; run `groundwork new DESTINATION` to create a project, or `groundwork adopt --template SRC` in the root of an existing repository to record the template it was made from\n",
            env.path("plain").display()
        ));
}

/// Every file below `root` except git's own folder, for comparing projects.
fn project_files(root: &std::path::Path) -> Vec<(String, Vec<u8>, u32)> {
    snapshot(root)
        .into_iter()
        .filter(|(path, _, _)| path != ".git" && !path.starts_with(".git/"))
        .collect()
}

#[test]
fn issue6_projects_from_every_builtin_release_update_to_the_current_one() {
    let env = TestEnv::new();
    let answers = [
        "--defaults",
        "-d",
        "project_name=Customer Churn Model",
        "-d",
        "serving=kserve",
        // Pinned: since 1.8.0 the author defaults to the git identity, which 1.7.0 and earlier
        // did not read.
        "-d",
        "author_name=Team Alpha",
        "-d",
        "author_email=alpha@example.com",
    ];
    env.groundwork()
        .args(["new", "fresh", "--no-git"])
        .args(answers)
        .assert()
        .success();
    let fresh = project_files(&env.path("fresh"));
    let releases = groundwork::api::builtin_versions("datascience").unwrap();
    assert!(!releases.is_empty(), "the built-in template has releases");
    for version in releases {
        let name = format!("from-{version}");
        env.groundwork()
            .args(["new", &name, "--ref", &version.to_string()])
            .args(answers)
            .assert()
            .success();
        assert!(
            env.read(&format!("{name}/.groundwork.toml"))
                .contains(&format!("version = \"{version}\""))
        );
        env.update(&name, &["--defaults"])
            .assert()
            .success()
            .code(0);
        assert_eq!(
            project_files(&env.path(&name)),
            fresh,
            "a project made with {version} and updated differs from a fresh one"
        );
    }
}

#[test]
fn a_directory_template_updates_from_its_recorded_release() {
    let env = TestEnv::new();
    let template = env
        .template("dirtpl", "")
        .file("notes.txt", "one\ntwo\nthree\n")
        .build();
    env.groundwork()
        .args(["template", "release"])
        .arg(&template)
        .args(["--version", "1.0.0"])
        .assert()
        .success();
    env.new_project(&template, "proj", &["--defaults"])
        .assert()
        .success();
    env.write("proj/notes.txt", "one\ntwo\nthree\nmine\n");
    // The maintainer moves on: the directory now holds 1.1.0, and 1.0.0 lives in its release store.
    std::fs::write(template.join("notes.txt"), "zero\none\ntwo\nthree\n").unwrap();
    env.groundwork()
        .args(["template", "release"])
        .arg(&template)
        .args(["--version", "1.1.0"])
        .assert()
        .success();
    // No warning: the base is release 1.0.0 exactly as recorded.
    let assert = env
        .update("proj", &[])
        .assert()
        .success()
        .code(0)
        .stderr("");
    assert_eq!(env.read("proj/notes.txt"), "zero\none\ntwo\nthree\nmine\n");
    assert_eq!(
        report_line(&stdout_of(&assert), "notes.txt"),
        "merged       notes.txt  +1 -0"
    );
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("version = \"1.1.0\"")
    );
}

#[test]
fn issue18_a_directory_template_changed_without_a_release_stops_update_and_diff_warns() {
    let env = TestEnv::new();
    let template = env
        .template("dirtpl", "")
        .file("notes.txt", "one\ntwo\n")
        .build();
    env.new_project(&template, "proj", &["--defaults"])
        .assert()
        .success();
    let recorded = env.read("proj/.groundwork.toml");
    let digest = recorded
        .lines()
        .find_map(|l| l.strip_prefix("digest = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("a directory source records its digest")
        .to_owned();
    std::fs::write(template.join("notes.txt"), "one\ntwo\nthree\n").unwrap();
    // update refuses (issue 18): its current files are no base to merge from.
    env.update("proj", &[]).assert().code(1);
    assert_eq!(env.read("proj/.groundwork.toml"), recorded);
    // diff, which writes nothing, compares with them and says so.
    let assert = env.groundwork().args(["diff", "proj"]).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let now = stderr
        .split("now ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_default()
        .to_owned();
    assert!(now.starts_with("sha256:") && now != digest, "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "warning: the template directory {} changed since this project recorded it (digest {digest}, now {now}); its current files stand in for the base, so template changes may show as yours\n",
            template.display()
        )
    );
    // The base and the new render are the same files, so the disk is left as it is.
    assert_eq!(env.read("proj/notes.txt"), "one\ntwo\n");
}
