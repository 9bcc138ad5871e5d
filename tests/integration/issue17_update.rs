//! Issue 17: `update`, `check` and `diff` find their project from any folder inside it, untracked
//! files block an update only where it writes, a dry run refuses and exits as the real run does,
//! and an update with nothing to change says so.

use crate::env::{TemplateRepo, TestEnv, snapshot};

const QUESTIONS: &str = r#"
[[questions]]
name = "project_name"
default = "Demo"

[[questions]]
name = "package"
default = "{{ project_name | snake_case }}"
"#;

/// Version 1.0.0's files; later versions change some of them.
fn v1(repo: &TemplateRepo) -> crate::env::VersionBuilder<'_> {
    repo.version("1.0.0", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .file(
            "src/{{ package }}/model.py",
            "def predict(x):\n    return x\n",
        )
        .file("Makefile", "test:\n\tpytest\n")
        .file("notes.txt", "one\ntwo\nthree\n")
}

/// A template repository at 1.0.0, a project `proj` made from it (with its first commit), and
/// the repository then at 1.1.0 with `Makefile` changed.
fn project(env: &TestEnv) -> TemplateRepo {
    let repo = env.template_repo("tpl");
    v1(&repo).tag();
    env.groundwork()
        .args(["new", "proj", "--template"])
        .arg(repo.path())
        .args(["--ref", "v1.0.0", "--defaults"])
        .assert()
        .success();
    v1(&repo)
        .file("Makefile", "test:\n\tpytest -q\n")
        .tag_as("1.1.0");
    repo
}

/// The report of updating `proj` from 1.0.0 to 1.1.0 when only `Makefile` changes.
fn updated(env: &TestEnv) -> String {
    format!(
        "Updated {} from tpl 1.0.0 to tpl 1.1.0:\n  updated      Makefile  +1 -1\n4 files: 1 updated, 3 unchanged; 1 lines added, 1 removed; 0 conflict(s)\nReview the changes (git diff), then commit them with the answers file.\n",
        env.path("proj").display()
    )
}

#[test]
fn issue17_check_diff_and_update_run_from_a_subfolder_find_the_project() {
    let env = TestEnv::new();
    let repo = project(&env);
    env.write(
        "proj/src/demo/model.py",
        "def predict(x):\n    return 2 * x\n",
    );
    env.commit_all("proj", "mine");
    let inside = env.path("proj/src/demo");
    let proj = env.path("proj");

    env.groundwork()
        .current_dir(&inside)
        .arg("check")
        .assert()
        .code(4)
        .stderr("")
        .stdout(format!(
            "{}: tpl 1.0.0 -> 1.1.0 available ({}); run `groundwork update` to merge it.\n",
            proj.display(),
            repo.path().display()
        ));
    // Paths stay relative to the project's root, not to the folder the command ran in.
    env.groundwork()
        .current_dir(&inside)
        .arg("diff")
        .assert()
        .code(0)
        .stderr("")
        .stdout(
            "diff --groundwork a/src/demo/model.py b/src/demo/model.py\n--- a/src/demo/model.py\n+++ b/src/demo/model.py\n@@ -1,2 +1,2 @@\n def predict(x):\n-    return x\n+    return 2 * x\n",
        );
    // A path given on the command line is searched from too.
    env.groundwork()
        .args(["check", "proj/src"])
        .assert()
        .code(4);
    env.groundwork()
        .current_dir(&inside)
        .arg("update")
        .assert()
        .code(0)
        .stderr("")
        .stdout(format!(
            "Updated {} from tpl 1.0.0 to tpl 1.1.0:\n  updated      Makefile  +1 -1\n  kept         src/demo/model.py\n4 files: 1 updated, 1 kept, 2 unchanged; 1 lines added, 1 removed; 0 conflict(s)\nReview the changes (git diff), then commit them with the answers file.\n",
            proj.display()
        ));
    assert_eq!(env.read("proj/Makefile"), "test:\n\tpytest -q\n");
}

#[test]
fn issue17_outside_any_project_the_error_offers_new_and_adopt() {
    let env = TestEnv::new();
    let plain = env.path("plain");
    std::fs::create_dir_all(plain.join("src")).unwrap();
    git2::Repository::init(&plain).unwrap();
    // Above the repository's root an answers file is no longer this folder's project.
    env.write(".groundwork.toml", "[template]\n");
    let tail = "; run `groundwork new DESTINATION` to create a project, or `groundwork adopt --template SRC` in the root of an existing repository to record the template it was made from\n";
    for command in ["check", "diff", "update"] {
        env.groundwork()
            .current_dir(plain.join("src"))
            .arg(command)
            .assert()
            .code(1)
            .stdout("")
            .stderr(format!(
                "error: {} is not in a groundwork project: neither it nor a folder above it up to its git repository's root {} has a .groundwork.toml{tail}",
                plain.join("src").display(),
                plain.display()
            ));
        env.groundwork()
            .arg(command)
            .arg("plain")
            .assert()
            .code(1)
            .stdout("")
            .stderr(format!(
                "error: {} is not in a groundwork project: it has no .groundwork.toml, and the search stops there, at the root of its git repository{tail}",
                plain.display()
            ));
    }
}

#[test]
fn issue17_an_untracked_file_where_the_update_does_not_write_does_not_block() {
    let env = TestEnv::new();
    project(&env);
    // What the generated README's own example writes into the repository's root.
    env.write("proj/scratch.py", "print('wip')\n");
    env.write("proj/outputs/model.pkl", "weights\n");
    env.update("proj", &[])
        .assert()
        .code(0)
        .stderr("")
        .stdout(updated(&env));
    assert_eq!(env.read("proj/Makefile"), "test:\n\tpytest -q\n");
    assert_eq!(env.read("proj/scratch.py"), "print('wip')\n");
    assert_eq!(env.read("proj/outputs/model.pkl"), "weights\n");
}

#[test]
fn issue17_an_untracked_file_where_the_update_writes_blocks_naming_it_dry_run_or_not() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    v1(&repo).tag();
    env.groundwork()
        .args(["new", "proj", "--template"])
        .arg(repo.path())
        .args(["--ref", "v1.0.0", "--defaults"])
        .assert()
        .success();
    v1(&repo)
        .file("docs/guide.md", "Read me.\n")
        .file("CONTRIBUTING.md", "Open a pull request.\n")
        .tag_as("1.1.0");
    env.write("proj/docs/guide.md", "My own guide.\n");
    env.write("proj/CONTRIBUTING.md", "Ask the team.\n");
    env.write("proj/scratch.py", "print('wip')\n");
    let before = snapshot(&env.path("proj"));
    let refusal = format!(
        "error: the git work tree at {} has untracked files where the update writes (CONTRIBUTING.md, docs/guide.md): commit them or move them away so the update can be reviewed and undone, or pass --allow-dirty\n",
        env.path("proj").display()
    );
    for args in [&[][..], &["--dry-run"]] {
        env.update("proj", args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(refusal.clone());
        assert_eq!(snapshot(&env.path("proj")), before, "{args:?}");
    }
    // The same untracked file with the template's own text is not written: no refusal.
    env.write("proj/docs/guide.md", "Read me.\n");
    env.write("proj/CONTRIBUTING.md", "Open a pull request.\n");
    env.update("proj", &[]).assert().code(0).stderr("");
}

#[test]
fn issue17_a_dry_run_of_a_refused_update_refuses_alike() {
    let env = TestEnv::new();
    project(&env);
    env.write("proj/notes.txt", "one\ntwo\nthree\nwip\n");
    let before = snapshot(&env.path("proj"));
    let refusal = format!(
        "error: the git work tree at {} has uncommitted changes (notes.txt): commit or stash them so the update can be reviewed and undone, or pass --allow-dirty\n",
        env.path("proj").display()
    );
    for args in [&[][..], &["--dry-run"]] {
        env.update("proj", args)
            .assert()
            .code(1)
            .stdout("")
            .stderr(refusal.clone());
    }
    assert_eq!(snapshot(&env.path("proj")), before);
    // With --allow-dirty the dry run shows the update.
    env.update("proj", &["--dry-run", "--allow-dirty"])
        .assert()
        .code(0)
        .stderr("")
        .stdout(format!(
            "Dry run: updating {} from tpl 1.0.0 to tpl 1.1.0 would do:\n  updated      Makefile  +1 -1\n  kept         notes.txt\n4 files: 1 updated, 1 kept, 2 unchanged; 1 lines added, 1 removed; 0 conflict(s)\nNothing was written.\n",
            env.path("proj").display()
        ));
    assert_eq!(snapshot(&env.path("proj")), before);
}

#[test]
fn issue17_a_dry_run_that_predicts_conflicts_exits_3() {
    let env = TestEnv::new();
    let repo = project(&env);
    env.write("proj/notes.txt", "one\nTWO BY USER\nthree\n");
    env.commit_all("proj", "mine");
    v1(&repo)
        .file("notes.txt", "one\ntwo by template\nthree\n")
        .tag_as("1.2.0");
    let before = snapshot(&env.path("proj"));
    env.update("proj", &["--dry-run"])
        .assert()
        .code(3)
        .stderr("")
        .stdout(format!(
            "Dry run: updating {} from tpl 1.0.0 to tpl 1.2.0 would do:\n  conflict     notes.txt  +6 -0  (your edits and the template's overlap; resolve the conflict markers)\n4 files: 1 conflict, 3 unchanged; 6 lines added, 0 removed; 1 conflict(s)\nConflicts would remain in 1 file(s): notes.txt.\nNothing was written.\n",
            env.path("proj").display()
        ));
    assert_eq!(snapshot(&env.path("proj")), before);
    env.update("proj", &[]).assert().code(3);
}

#[test]
fn issue17_a_second_update_has_nothing_to_do() {
    let env = TestEnv::new();
    project(&env);
    env.update("proj", &[])
        .assert()
        .code(0)
        .stdout(updated(&env));
    env.commit_all("proj", "update to 1.1.0");
    let before = snapshot(&env.path("proj"));
    let nothing = format!(
        "{} is already at tpl 1.1.0: nothing to update.\n",
        env.path("proj").display()
    );
    for args in [&[][..], &["--dry-run"]] {
        env.update("proj", args)
            .assert()
            .code(0)
            .stderr("")
            .stdout(nothing.clone());
    }
    assert_eq!(snapshot(&env.path("proj")), before);
}
