//! `groundwork new` from a git template, with a `git` on PATH that fails loudly: every git
//! operation must go through git2, never a `git` process.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use git2::{Repository, Signature};

use crate::env::TestEnv;

/// A repository at `dir` whose work tree holds a template, committed and tagged `v1.1.0`.
fn tagged_repository(env: &TestEnv, dir: &str) -> (PathBuf, String) {
    let template = env
        .template(dir, "[[questions]]\nname = \"who\"\ndefault = \"world\"\n")
        .file("hello.txt.tera", "hello {{ who }}\n")
        .executable("run.sh", "#!/bin/sh\n")
        .build();
    let repo = Repository::init(&template).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("Test", "test@example.com").unwrap();
    let oid = repo
        .commit(Some("HEAD"), &sig, &sig, "template", &tree, &[])
        .unwrap();
    repo.tag_lightweight("v1.1.0", &repo.find_object(oid, None).unwrap(), false)
        .unwrap();
    (template, oid.to_string())
}

/// A directory holding a `git` that records it was run and fails.
fn failing_git(env: &TestEnv) -> (PathBuf, PathBuf) {
    let bin = env.path("fake-bin");
    fs::create_dir_all(&bin).unwrap();
    let marker = env.path("git-was-run");
    let script = bin.join("git");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\necho 'a git process was started' >&2\nexit 97\n",
            marker.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    (bin, marker)
}

fn path_with(first: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", first.display())
}

#[test]
fn a_git_template_is_cloned_and_recorded_without_a_git_process() {
    let env = TestEnv::new();
    let (template, commit) = tagged_repository(&env, "tpl");
    let (bin, marker) = failing_git(&env);
    for (arg, dest) in [
        ("./tpl".to_owned(), "out"),
        (format!("file://{}", template.display()), "out2"),
    ] {
        env.groundwork()
            .args(["new", dest, "--defaults", "--template", &arg])
            .env("PATH", path_with(&bin))
            .env("GROUNDWORK_CACHE_DIR", env.path("cache"))
            .assert()
            .success();
        assert_eq!(env.read(&format!("{dest}/hello.txt")), "hello world\n");
        let mode = fs::metadata(env.path(&format!("{dest}/run.sh")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "run.sh keeps its executable bit");
        let answers = env.read(&format!("{dest}/.groundwork.toml"));
        assert!(
            answers.contains(&format!("commit = \"{commit}\"")),
            "{answers}"
        );
        assert!(answers.contains("version = \"1.0.0\""), "{answers}");
    }
    let recorded = env.read("out/.groundwork.toml");
    let canonical = fs::canonicalize(&template).unwrap();
    assert!(
        recorded.contains(&format!("source = \"{}\"", canonical.display())),
        "{recorded}"
    );
    assert!(!marker.exists(), "a `git` process was started");
    assert!(
        fs::read_dir(env.path("cache")).unwrap().count() >= 1,
        "the clone is cached"
    );
}
