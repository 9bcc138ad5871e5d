//! Hooks and `[[checks]]` can never hang groundwork or leave anything behind (issue 15): each runs
//! in a process group of its own with a time limit; a background child is not waited for and does
//! not outlive the run; timeout and Ctrl-C stop the whole group; the temporary folders and files
//! are removed on every exit path, and `recover` removes those a SIGKILL left. Every run points
//! TMPDIR into the test's folder, so leftovers can be seen.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::env::TestEnv;

/// A cookiecutter template at `tpl` with one file; add hooks to it.
fn template(env: &TestEnv) -> PathBuf {
    env.write("tpl/cookiecutter.json", r#"{"name": "demo"}"#);
    env.write(
        "tpl/{{cookiecutter.name}}/README.md",
        "# {{ cookiecutter.name }}\n",
    );
    env.path("tpl")
}

/// The process id a hook wrote to `relative`, once it is there.
fn pid_in(env: &TestEnv, relative: &str) -> String {
    let started = Instant::now();
    loop {
        if let Ok(text) = fs::read_to_string(env.path(relative))
            && text.ends_with('\n')
        {
            return text.trim().to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{relative} was never written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether process `pid` is gone: absent, or a zombie (dead, waiting for its parent to reap it).
fn gone(pid: &str) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
    }
}

/// Kills a process this test left behind on purpose (what groundwork, killed by SIGKILL, cannot do).
fn kill(pid: &str) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", pid])
        .status();
}

#[test]
fn issue15_a_hooks_background_child_is_not_waited_for_and_does_not_outlive_the_run() {
    let env = TestEnv::new();
    let tpl = template(&env);
    // The child holds groundwork's stderr (where a live hook's output goes) open for 300 s.
    env.write_executable(
        "tpl/hooks/post_gen_project.sh",
        &format!(
            "#!/bin/sh\n(sleep 300 & echo $! > {})\necho configured\n",
            env.path("child.pid").display()
        ),
    );
    let started = Instant::now();
    env.groundwork()
        .args([
            "new",
            "out",
            "--defaults",
            "--no-git",
            "--trust",
            "--template",
        ])
        .arg(&tpl)
        .assert()
        .success()
        .code(0)
        .stdout(format!(
            "Created {} from tpl 0.0.0: 2 files (2 new, 0 overwritten).\n",
            env.path("out").display()
        ))
        .stderr("configured\n");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let child = pid_in(&env, "child.pid");
    assert!(
        gone(&child),
        "the hook's background child {child} still runs"
    );
    assert_eq!(env.read("out/README.md"), "# demo\n");
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue15_update_does_not_wait_for_a_hooks_background_child_holding_its_output_pipe() {
    let env = TestEnv::new();
    let repo = env.template_repo("cctpl");
    let write_version = |hook: &str| {
        for (path, text) in [
            ("cookiecutter.json", r#"{"name": "demo"}"#),
            (
                "{{cookiecutter.name}}/README.md",
                "# {{ cookiecutter.name }}\n",
            ),
            ("hooks/post_gen_project.sh", hook),
        ] {
            let target = repo.path().join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(&target, text).unwrap();
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
        }
    };
    write_version("#!/bin/sh\necho one > version.txt\n");
    repo.commit_and_tag("v1.0.0");
    env.groundwork()
        .args(["new", "proj", "--defaults", "--trust", "--template"])
        .arg(repo.path())
        .assert()
        .success();
    // update captures a hook's output through a pipe; the child keeps that pipe open for 300 s.
    write_version(&format!(
        "#!/bin/sh\n(sleep 300 & echo $! >> {})\necho two > version.txt\n",
        env.path("children.pid").display()
    ));
    repo.commit_and_tag("v1.1.0");
    let started = Instant::now();
    env.groundwork()
        .args(["update", "proj", "--trust"])
        .assert()
        .success()
        .code(0);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(env.read("proj/version.txt"), "two\n");
    // Only the new version's hook starts a child (the base's hook is the old one).
    let children = env.read("children.pid");
    assert_eq!(children.lines().count(), 1, "{children}");
    for child in children.lines() {
        assert!(
            gone(child),
            "the hook's background child {child} still runs"
        );
    }
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue15_a_hook_past_its_time_limit_is_stopped_with_its_children_and_nothing_is_written() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/pre_gen_project.sh",
        &format!(
            "#!/bin/sh\nsleep 1000 & echo $! > {}\necho $$ > {}\nexec sleep 1000\n",
            env.path("child.pid").display(),
            env.path("hook.pid").display()
        ),
    );
    let started = Instant::now();
    env.groundwork()
        .env("GROUNDWORK_HOOK_TIMEOUT_SECONDS", "2")
        .args(["new", "out", "--defaults", "--trust", "--template"])
        .arg(&tpl)
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr("error: hook hooks/pre_gen_project.sh ran longer than its 2 s limit (GROUNDWORK_HOOK_TIMEOUT_SECONDS); it and its child processes were stopped, nothing was written\n");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    for pid in [pid_in(&env, "hook.pid"), pid_in(&env, "child.pid")] {
        assert!(gone(&pid), "process {pid} of the hook still runs");
    }
    assert!(!env.exists("out"));
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue15_ctrl_c_during_a_hook_stops_it_with_its_children_and_exits_130() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/post_gen_project.sh",
        &format!(
            "#!/bin/sh\nsleep 1000 &\necho $! > {}\nsleep 1000\n",
            env.path("child.pid").display()
        ),
    );
    fs::create_dir_all(env.path("tmp")).unwrap();
    let run = env
        .command()
        .env("TMPDIR", env.path("tmp"))
        .args(["new", "out", "--defaults", "--trust", "--template"])
        .arg(&tpl)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let child = pid_in(&env, "child.pid");
    let started = Instant::now();
    // SIGINT to groundwork alone, as `kill -INT` (not the terminal's whole foreground group).
    std::process::Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .unwrap();
    let output = run.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: interrupted: nothing was written\n"
    );
    assert!(gone(&child), "the hook's child {child} still runs");
    assert!(!env.exists("out"));
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue15_a_malformed_time_limit_is_an_error_naming_the_variable() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/pre_gen_project.sh",
        &format!("#!/bin/sh\ntouch {}\n", env.path("ran").display()),
    );
    for value in ["10s", "0", " -1 "] {
        env.groundwork()
            .env("GROUNDWORK_HOOK_TIMEOUT_SECONDS", value)
            .args(["new", "out", "--defaults", "--trust", "--template"])
            .arg(&tpl)
            .assert()
            .failure()
            .code(1)
            .stdout("")
            .stderr(format!("error: environment variable GROUNDWORK_HOOK_TIMEOUT_SECONDS is {value:?}; expected a whole number of seconds greater than 0, such as 600 (unset it for the default)\n"));
    }
    assert!(!env.exists("ran"), "a hook ran");
    assert!(!env.exists("out"));
    // Empty counts as unset, as for every limit variable: the default applies and the hook runs.
    env.groundwork()
        .env("GROUNDWORK_HOOK_TIMEOUT_SECONDS", "")
        .args([
            "new",
            "out",
            "--defaults",
            "--no-git",
            "--trust",
            "--template",
        ])
        .arg(&tpl)
        .assert()
        .success()
        .code(0)
        .stdout(format!(
            "Created {} from tpl 0.0.0: 2 files (2 new, 0 overwritten).\n",
            env.path("out").display()
        ))
        .stderr("");
    assert!(env.exists("ran"));

    let checked = env
        .template("t", "[[checks]]\nname = \"ok\"\nrun = \"true\"\n")
        .file("a.txt", "")
        .build();
    env.groundwork()
        .env("GROUNDWORK_CHECK_TIMEOUT_SECONDS", "-5")
        .args(["template", "test"])
        .arg(&checked)
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr("error: environment variable GROUNDWORK_CHECK_TIMEOUT_SECONDS is \"-5\"; expected a whole number of seconds greater than 0, such as 1800 (unset it for the default)\n");
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue15_a_check_that_never_ends_fails_template_test_at_its_time_limit() {
    let env = TestEnv::new();
    env.template(
            "t",
            &format!(
                "[[checks]]\nname = \"forever\"\nrun = \"sleep 1000 & echo $! > {}; echo waiting; wait\"\n\n[[checks]]\nname = \"quick\"\nrun = \"true\"\n",
                env.path("child.pid").display()
            ),
        )
        .file("a.txt", "")
        .build();
    let started = Instant::now();
    env.groundwork()
        .env("GROUNDWORK_CHECK_TIMEOUT_SECONDS", "2")
        .args(["template", "test", "t"])
        .assert()
        .failure()
        .code(1)
        .stdout(
            "FAIL  forever  the defaults
    ran longer than its 2 s limit (GROUNDWORK_CHECK_TIMEOUT_SECONDS); it and its child processes were stopped
    | waiting
PASS  quick    the defaults
t 1.0.0: 1 combinations, 1 passed, 1 failed, 0 skipped.
",
        )
        .stderr("error: template test of t: 1 of 2 checks failed; each failure is listed above with its answers\n");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    let child = pid_in(&env, "child.pid");
    assert!(gone(&child), "the check's child {child} still runs");
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue15_recover_removes_what_a_killed_runs_hooks_left_in_the_temporary_folder() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/post_gen_project.sh",
        &format!(
            "#!/bin/sh\necho $$ > {}\nexec sleep 1000\n",
            env.path("hook.pid").display()
        ),
    );
    fs::create_dir_all(env.path("tmp")).unwrap();
    let mut run = env
        .command()
        .env("TMPDIR", env.path("tmp"))
        .args(["new", "out", "--defaults", "--trust", "--template"])
        .arg(&tpl)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let hook = pid_in(&env, "hook.pid");
    let killed = run.id();
    // SIGKILL cannot be caught: the hook's folder and script stay, and so does the hook.
    run.kill().unwrap();
    run.wait().unwrap();
    kill(&hook);
    let left = env.temp_leftovers();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left[0].starts_with(&format!("groundwork-hook-{killed}-")));
    assert!(Path::new(&left[0]).extension().is_some_and(|e| e == "sh"));
    assert!(left[1].starts_with(&format!("groundwork-hooks-{killed}-")));

    // Beside them: what a dead process of another kind left, what must stay.
    let dead = {
        let mut done = std::process::Command::new("true").spawn().unwrap();
        let pid = done.id();
        done.wait().unwrap();
        pid
    };
    env.write(
        &format!("tmp/groundwork-test-{dead}-abc/0/project/a.txt"),
        "x",
    );
    let alive = std::process::id();
    env.write(
        &format!("tmp/groundwork-hooks-{alive}-live/a.txt"),
        "in use",
    );
    env.write("tmp/groundwork-hooks-kept-abc/demo/a.txt", "kept");
    env.write("tmp/unrelated.txt", "mine");
    fs::create_dir_all(env.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink(
        env.path("elsewhere"),
        env.path(&format!("tmp/groundwork-hooks-{dead}-link")),
    )
    .unwrap();

    fs::create_dir_all(env.path("proj")).unwrap();
    let tmp = env.path("tmp");
    env.groundwork()
        .args(["recover", "proj"])
        .assert()
        .success()
        .code(0)
        .stdout(format!(
            "Removed {}, left by the hooks or checks of a killed groundwork run (process {killed})\nRemoved {}, left by the hooks or checks of a killed groundwork run (process {killed})\nRemoved {}, left by the hooks or checks of a killed groundwork run (process {dead})\n",
            tmp.join(&left[0]).display(),
            tmp.join(&left[1]).display(),
            tmp.join(format!("groundwork-test-{dead}-abc")).display(),
        ))
        .stderr("");
    // In name order, which depends on the process ids.
    let mut kept = [
        format!("groundwork-hooks-{alive}-live"),
        format!("groundwork-hooks-{dead}-link"),
        "groundwork-hooks-kept-abc".to_owned(),
        "unrelated.txt".to_owned(),
    ];
    kept.sort();
    assert_eq!(env.temp_leftovers(), kept);
    assert!(env.exists("elsewhere"));
    // Nothing is left to do the second time.
    env.groundwork()
        .args(["recover", "proj"])
        .assert()
        .success()
        .stdout(format!(
            "Nothing to recover in {}: no interrupted groundwork run left a journal or a staging folder there.\n",
            env.path("proj").display()
        ));
}
