//! `groundwork new` from a git template, with a `git` on PATH that fails loudly: every git
//! operation must go through git2, never a `git` process.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use git2::{Repository, Signature};

use crate::env::TestEnv;

/// A repository at `dir` whose work tree holds a template, committed and tagged `v1.0.0` (its template.toml version; the two must agree).
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
    repo.tag_lightweight("v1.0.0", &repo.find_object(oid, None).unwrap(), false)
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

/// The names in the test's temporary folder, sorted.
fn temp_entries(tmp: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn issue15_recover_removes_the_temporary_clone_a_killed_run_left() {
    let env = TestEnv::new();
    let tmp = env.path("tmp");
    fs::create_dir_all(&tmp).unwrap();
    // A cache that cannot be made (its parent is a file, whoever runs the test): the clone goes
    // to a temporary folder instead.
    env.write("a-file", "x");
    // A git server that accepts the connection and never answers: the run stays in its clone.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "git://127.0.0.1:{}/tpl.git",
        listener.local_addr().unwrap().port()
    );
    let mut run = env
        .command()
        .env("TMPDIR", &tmp)
        .env("GROUNDWORK_CACHE_DIR", env.path("a-file/cache"))
        .args(["new", "out", "--defaults", "--template", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let _connection = loop {
        match listener.accept() {
            Ok((connection, _)) => break connection,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(run.try_wait().unwrap().is_none(), "the run ended early");
                assert!(Instant::now() < deadline, "the run never connected");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let killed = run.id();
    // SIGKILL cannot be caught: the temporary clone stays.
    run.kill().unwrap();
    run.wait().unwrap();
    let left = temp_entries(&tmp);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0].starts_with(&format!("groundwork-clone-{killed}-")),
        "{left:?}"
    );

    fs::create_dir_all(env.path("proj")).unwrap();
    env.groundwork()
        .env("TMPDIR", &tmp)
        .args(["recover", "proj"])
        .assert()
        .success()
        .code(0)
        .stdout(format!(
            "Removed {}, left by the temporary git clone of a killed groundwork run (process {killed})\n",
            tmp.join(&left[0]).display()
        ))
        .stderr("");
    assert_eq!(temp_entries(&tmp), Vec::<String>::new());
}
