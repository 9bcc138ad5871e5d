//! The safety rules: no path escapes, no symlink escapes, no partial projects.

use crate::env::{TestEnv, snapshot};
use crate::kitchen_sink;

#[test]
fn a_path_traversal_answer_is_refused_and_nothing_is_written() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    // Two levels up from `out/src`: without the rule this would land in the test's root, beside
    // `out`, where the check below can see it.
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", "package=../../evil"],
        "error: rendered path \"src/../../evil/__init__.py\" (from template file `src/{{ package }}/__init__.py`) contains `..`; rendered paths must stay inside the destination\n",
    );
    assert!(!env.exists("evil"));
}

#[test]
fn an_absolute_rendered_path_is_refused() {
    let env = TestEnv::new();
    let template = env
        .template("abs", "[[questions]]\nname = \"dir\"\ndefault = \"x\"\n")
        .file("{{ dir }}/file.txt", "x\n")
        .build();
    let target = env.path("elsewhere");
    let arg = format!("dir={}", target.display());
    env.refuses_exactly(
        &template,
        &["--defaults", "-d", &arg],
        "error: rendered path \"{root}/elsewhere/file.txt\" (from template file `{{ dir }}/file.txt`) is absolute; rendered paths must stay inside the destination\n",
    );
    assert!(!env.exists("out") && !target.exists());
}

#[test]
fn a_template_symlink_out_of_the_template_is_refused() {
    let env = TestEnv::new();
    std::fs::write(env.path("secret.txt"), "do not copy\n").unwrap();
    let template = env
        .template("links", "")
        .file("inside.txt", "inside\n")
        .symlink("ok-link.txt", "inside.txt")
        .symlink("escape.txt", "../secret.txt")
        .build();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: symlink {root}/links/escape.txt in the template points outside the template (to {root}/secret.txt); templates may only link to their own files\n",
    );

    std::fs::remove_file(template.join("escape.txt")).unwrap();
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("out/ok-link.txt"), "inside\n");
    assert!(
        !env.path("out/ok-link.txt")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn force_never_writes_through_a_symlink_in_the_destination() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir_all(env.path("out")).unwrap();
    std::fs::create_dir_all(env.path("outside")).unwrap();
    std::os::unix::fs::symlink(env.path("outside"), env.path("out/src")).unwrap();
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: cannot write {}: it is a symlink; groundwork never reads or writes through links in the destination\n",
            env.path("out/src").display()
        ));
    assert_eq!(snapshot(&env.path("out")), before);
    assert_eq!(std::fs::read_dir(env.path("outside")).unwrap().count(), 0);
}

#[test]
fn a_fault_midway_through_a_fresh_apply_leaves_no_destination() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    env.new_project(&template, "out", &["--defaults"])
        .env("GROUNDWORK_FAULT_INJECT", "3")
        .assert()
        .failure()
        .code(1)
        .stderr("error: injected fault after 3 writes (GROUNDWORK_FAULT_INJECT)\n");
    assert!(!env.exists("out"));
    assert!(
        env.leftovers().is_empty(),
        "staging left behind: {:?}",
        env.leftovers()
    );
}

#[test]
fn a_fault_midway_through_a_forced_apply_restores_the_previous_tree() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir_all(env.path("out/src")).unwrap();
    std::fs::write(env.path("out/README.md"), "old readme\n").unwrap();
    std::fs::write(env.path("out/src/extra.py"), "x = 1\n").unwrap();
    let before = snapshot(&env.path("out"));
    // The plan places files in path order, so several are in place (some overwritten, some new
    // directories made) when the fault strikes.
    env.new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "5")
        .assert()
        .failure()
        .code(1)
        .stderr("error: injected fault after 5 writes (GROUNDWORK_FAULT_INJECT)\n");
    assert_eq!(snapshot(&env.path("out")), before);
}

#[test]
fn a_file_where_the_template_needs_a_directory_is_refused_before_writing() {
    let env = TestEnv::new();
    let template = kitchen_sink(&env).build();
    std::fs::create_dir_all(env.path("out")).unwrap();
    std::fs::write(env.path("out/src"), "a file, not a directory\n").unwrap();
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: cannot write {}: the template needs a directory here for src/demo_project/__init__.py, but it is a file\n",
            env.path("out/src").display()
        ));
    assert_eq!(snapshot(&env.path("out")), before);
}

#[test]
fn a_template_writing_the_answers_file_itself_is_an_error() {
    let env = TestEnv::new();
    let template = env
        .template("clash", "")
        .file(".groundwork.toml", "x = 1\n")
        .build();
    env.refuses_exactly(
        &template,
        &["--defaults"],
        "error: template file `.groundwork.toml` renders to `.groundwork.toml`, the answers file groundwork writes itself: rename or remove that template file\n",
    );
}
