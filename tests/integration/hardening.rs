//! Issue 7, finding by finding: concurrency, races, special files, portable paths, limits. Each
//! test failed on the code before the fix it is named after.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;

use crate::env::{TestEnv, snapshot};

/// Two templates with the same file names and different contents, so a mixed tree shows.
fn rivals(env: &TestEnv) -> (std::path::PathBuf, std::path::PathBuf) {
    let make = |name: &str| {
        let mut builder = env.template(name, "");
        for i in 0..40 {
            builder = builder.file(
                &format!("dir{}/file{i}.txt", i % 4),
                format!("{name} {i}\n"),
            );
        }
        builder.build()
    };
    (make("alpha"), make("beta"))
}

fn finish(child: std::process::Child) -> Output {
    child.wait_with_output().expect("wait for groundwork")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The tree `template` renders into `dest` alone, for comparing with a raced one.
fn reference(env: &TestEnv, template: &Path, dest: &str) -> Vec<(String, Vec<u8>, u32)> {
    env.new_project(template, dest, &["--defaults"])
        .assert()
        .success();
    snapshot(&env.path(dest))
}

#[test]
fn issue7_concurrent_new_to_one_destination_has_one_winner_and_an_intact_tree() {
    let env = TestEnv::new();
    let (alpha, beta) = rivals(&env);
    let expected = [
        reference(&env, &alpha, "ref-a"),
        reference(&env, &beta, "ref-b"),
    ];
    for round in 0..30 {
        // Half the rounds into a destination whose parent does not exist yet.
        let dest = if round % 2 == 0 {
            format!("out{round}")
        } else {
            format!("sub{round}/out")
        };
        let a = env.spawn_new(&alpha, &dest, &["--defaults"]);
        let b = env.spawn_new(&beta, &dest, &["--defaults"]);
        let outputs = [finish(a), finish(b)];
        let winners: Vec<usize> = (0..2).filter(|&i| outputs[i].status.success()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {outputs:?}");
        let (winner, loser) = (winners[0], 1 - winners[0]);
        assert_eq!(outputs[loser].status.code(), Some(1), "round {round}");
        let shown = env.path(&dest).display().to_string();
        let allowed = [
            format!(
                "error: destination {shown} was created by another process while this run was preparing it; nothing was written: choose another directory, or run again with --force\n"
            ),
            format!(
                "error: destination {shown} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)\n"
            ),
        ];
        assert!(
            allowed.contains(&stderr(&outputs[loser])),
            "round {round}: {}",
            stderr(&outputs[loser])
        );
        assert_eq!(
            snapshot(&env.path(&dest)),
            expected[winner],
            "round {round}: the winner's project is not intact"
        );
    }
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

#[test]
fn issue7_concurrent_force_runs_never_mix_or_lose_files() {
    let env = TestEnv::new();
    let (alpha, beta) = rivals(&env);
    let mut expected = [
        reference(&env, &alpha, "ref-a"),
        reference(&env, &beta, "ref-b"),
    ];
    for tree in &mut expected {
        tree.push(("keep.txt".into(), b"mine\n".to_vec(), 0o100_644));
        tree.sort();
    }
    for round in 0..30 {
        let dest = format!("forced{round}");
        env.write(&format!("{dest}/keep.txt"), "mine\n");
        let a = env.spawn_new(&alpha, &dest, &["--defaults", "--force"]);
        let b = env.spawn_new(&beta, &dest, &["--defaults", "--force"]);
        let outputs = [finish(a), finish(b)];
        let shown = env.path(&dest).display().to_string();
        let busy = format!(
            "error: destination {shown} is in use by another groundwork run (it holds the lock); nothing was written: wait for that run to finish, then run again\n"
        );
        for output in &outputs {
            assert!(
                output.status.success()
                    || (output.status.code() == Some(1) && stderr(output) == busy),
                "round {round}: {output:?}"
            );
        }
        let mut tree = snapshot(&env.path(&dest));
        tree.sort();
        assert!(
            expected.contains(&tree),
            "round {round}: a mixed or incomplete tree"
        );
    }
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

#[test]
fn issue7_force_refuses_a_dot_git_that_is_not_a_plain_directory() {
    let env = TestEnv::new();
    let template = env.template("plain", "").file("a.txt", "a\n").build();
    git2::Repository::init(env.path("elsewhere")).unwrap();
    env.write("elsewhere/private.txt", "not yours\n");
    env.write("out/mine.txt", "mine\n");
    std::os::unix::fs::symlink(env.path("elsewhere/.git"), env.path("out/.git")).unwrap();
    let before = snapshot(&env.path("elsewhere"));
    let output = env
        .groundwork()
        .args(["new", "out", "--defaults", "--force", "--template"])
        .arg(&template)
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "error: {} is not a plain `.git` directory; groundwork never lets git follow it out of the destination: remove it or make it a real repository, then run again\n",
            env.path("out/.git").display()
        )
    );
    assert_eq!(snapshot(&env.path("elsewhere")), before);
    assert!(!env.exists("out/a.txt"));
}

/// Runs `new` with a 2,000-file template while `swap` keeps replacing part of the destination with
/// a symlink to `outside`; nothing may ever be written there.
fn race_symlink_swaps(env: &TestEnv, dest: &str, args: &[&str], swap: impl Fn() + Sync) {
    let mut builder = env.template("many", "");
    for i in 0..2000 {
        builder = builder.file(&format!("sub/f{i:04}.txt"), format!("{i}\n"));
    }
    let template = builder.build();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                swap();
            }
        });
        let output = finish(env.spawn_new(&template, dest, args));
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(
            output.status.code() == Some(0) || output.status.code() == Some(1),
            "{output:?}"
        );
    });
    let escaped: Vec<_> = std::fs::read_dir(env.path("outside"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        escaped.is_empty(),
        "written outside: {} files",
        escaped.len()
    );
}

#[test]
fn issue7_symlinks_swapped_into_the_destination_mid_run_never_lead_writes_outside() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path("outside")).unwrap();
    let outside = env.path("outside");
    for trial in 0..3 {
        // A subfolder of a --force destination swapped for a symlink.
        let dest = format!("forced{trial}");
        env.write(&format!("{dest}/sub/old.txt"), "old\n");
        let (sub, aside) = (
            env.path(&format!("{dest}/sub")),
            env.path(&format!("{dest}/aside")),
        );
        race_symlink_swaps(&env, &dest, &["--defaults", "--force"], || {
            if std::fs::rename(&sub, &aside).is_ok() {
                let _ = std::os::unix::fs::symlink(&outside, &sub);
                std::thread::sleep(std::time::Duration::from_millis(2));
                let _ = std::fs::remove_file(&sub);
                let _ = std::fs::rename(&aside, &sub);
            }
        });

        // An empty destination swapped for a symlink, and an absent one created as one.
        let dest = format!("empty{trial}");
        std::fs::create_dir(env.path(&dest)).unwrap();
        let (path, aside) = (env.path(&dest), env.path(&format!("{dest}-aside")));
        race_symlink_swaps(&env, &dest, &["--defaults"], || {
            if std::fs::rename(&path, &aside).is_ok() {
                let _ = std::os::unix::fs::symlink(&outside, &path);
            }
        });
        let dest = format!("absent{trial}");
        let path = env.path(&dest);
        race_symlink_swaps(&env, &dest, &["--defaults"], || {
            let _ = std::os::unix::fs::symlink(&outside, &path);
        });
    }
}

/// The refusal of a rendered path holding `.git` (spelled `segment`), from template file `source`.
fn git_refusal(rendered: &str, source: &str, segment: &str) -> String {
    format!(
        "error: rendered path {rendered:?} (from template file `{source}`) contains `{segment}`, which belongs to git: groundwork never writes a repository's metadata, at any depth or in any case\n"
    )
}

#[test]
fn issue7_dot_git_is_refused_at_any_depth_in_any_case_and_from_answers() {
    let env = TestEnv::new();
    // The default excludes leave a nested `.git/` folder out of the project altogether...
    let excluded = env
        .template("excluded", "")
        .file("sub/.git/config", "[core]\n\tfsmonitor = \"touch pwned\"\n")
        .file("sub/kept.txt", "kept\n")
        .build();
    env.new_project(&excluded, "excluded-out", &["--defaults"])
        .assert()
        .success();
    assert!(env.exists("excluded-out/sub/kept.txt"));
    assert!(!env.exists("excluded-out/sub/.git"));
    // ...and without them it is refused, never written.
    let nested = env
        .template("nested", "default_excludes = false\n")
        .file("sub/.git/config", "[core]\n\tfsmonitor = \"touch pwned\"\n")
        .build();
    env.refuses_exactly(
        &nested,
        &["--defaults"],
        &git_refusal("sub/.git/config", "sub/.git/config", ".git"),
    );

    let rendered = env
        .template("rendered", "")
        .file("sub/.git.tera", "gitdir: /elsewhere\n")
        .build();
    env.refuses_exactly(
        &rendered,
        &["--defaults"],
        &git_refusal("sub/.git", "sub/.git.tera", ".git"),
    );

    let upper = env.template("upper", "").file(".GIT/config", "x\n").build();
    env.refuses_exactly(
        &upper,
        &["--defaults"],
        &git_refusal(".GIT/config", ".GIT/config", ".GIT"),
    );

    let answered = env
        .template(
            "answered",
            "[[questions]]\nname = \"x\"\ndefault = \"pkg\"\n",
        )
        .file("{{ x }}/f.txt", "f\n")
        .build();
    env.refuses_exactly(
        &answered,
        &["--defaults", "-d", "x=a/.git/EVIL"],
        &git_refusal("a/.git/EVIL/f.txt", "{{ x }}/f.txt", ".git"),
    );
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

#[test]
fn issue7_fifos_sockets_and_devices_are_errors_not_hangs() {
    let env = TestEnv::new();
    let fifo = env.template("fifo", "").file("a.txt", "a\n").build();
    mkfifo(&fifo.join("pipe"));
    env.refuses_exactly(
        &fifo,
        &["--defaults"],
        "error: pipe in the template is a FIFO (named pipe); a template holds only regular files, directories and symlinks to its own files\n",
    );
    std::fs::remove_file(fifo.join("pipe")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(fifo.join("sock")).unwrap();
    env.refuses_exactly(
        &fifo,
        &["--defaults"],
        "error: sock in the template is a socket; a template holds only regular files, directories and symlinks to its own files\n",
    );
    std::fs::remove_file(fifo.join("sock")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", fifo.join("zero")).unwrap();
    env.refuses_exactly(
        &fifo,
        &["--defaults"],
        &format!(
            "error: symlink {} in the template points outside the template (to /dev/zero); templates may only link to their own files\n",
            fifo.join("zero").display()
        ),
    );
    std::fs::remove_file(fifo.join("zero")).unwrap();

    // In the destination: where the template writes a file (--force and --dry-run), and elsewhere
    // (the git step commits only the template's files, so it never reads the FIFO).
    std::fs::create_dir(env.path("out")).unwrap();
    mkfifo(&env.path("out/a.txt"));
    let expected = format!(
        "error: cannot write {}: it is a FIFO (named pipe), not a regular file; remove it first\n",
        env.path("out/a.txt").display()
    );
    for args in [&["--force"][..], &["--force", "--dry-run"]] {
        let output = env
            .new_project(&fifo, "out", &[&["--defaults"][..], args].concat())
            .timeout(std::time::Duration::from_secs(10))
            .assert()
            .failure()
            .code(1);
        assert_eq!(
            String::from_utf8_lossy(&output.get_output().stderr),
            expected
        );
    }
    std::fs::remove_file(env.path("out/a.txt")).unwrap();
    mkfifo(&env.path("out/other-pipe"));
    env.groundwork()
        .args(["new", "out", "--defaults", "--force", "--template"])
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(10))
        .assert()
        .success();
    let repo = git2::Repository::open(env.path("out")).unwrap();
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    let committed: Vec<String> = head.iter().map(|e| e.name().unwrap().to_owned()).collect();
    assert_eq!(committed, [".groundwork.toml", "a.txt"]);
}

#[test]
fn issue7_a_tera_file_that_is_not_utf8_text_is_an_error_naming_it() {
    let env = TestEnv::new();
    for (name, bytes) in [
        ("latin1", &b"caf\xe9 {{ project }}\n"[..]),
        ("nul", &b"a\x00b {{ project }}\n"[..]),
    ] {
        let template = env
            .template(name, "")
            .file("ok.txt", "fine\n")
            .file("docs/blob.md.tera", bytes)
            .build();
        env.refuses_exactly(
            &template,
            &["--defaults"],
            "error: template file `docs/blob.md.tera`: is not UTF-8 text (or holds a NUL byte), so it cannot be rendered; drop the .tera suffix to copy it byte for byte\n",
        );
    }
}

#[test]
fn issue7_paths_that_are_not_portable_are_errors() {
    let env = TestEnv::new();
    let case = env
        .template("case", "")
        .file("README.md", "upper\n")
        .file("readme.md", "lower\n")
        .build();
    env.refuses_exactly(
        &case,
        &["--defaults"],
        "error: template files `README.md` and `readme.md` render to \"README.md\" and \"readme.md\", which differ only by case or Unicode normalization: they are one file on macOS and Windows, where projects are cloned too\n",
    );

    let normalization = env
        .template(
            "nfd",
            "[[questions]]\nname = \"x\"\ndefault = \"caf\u{e9}\"\n",
        )
        .file("caf\u{e9}.txt", "nfc\n")
        .file("{{ x }}.txt.tera", "nfd\n")
        .build();
    env.refuses_exactly(
        &normalization,
        &["--defaults", "-d", "x=cafe\u{301}"],
        "error: template files `caf\u{e9}.txt` and `{{ x }}.txt.tera` render to \"caf\u{e9}.txt\" and \"cafe\\u{301}.txt\", which differ only by case or Unicode normalization: they are one file on macOS and Windows, where projects are cloned too\n",
    );

    let windows = env
        .template("windows", "[[questions]]\nname = \"x\"\ndefault = \"ok\"\n")
        .file("{{ x }}.txt", "x\n")
        .build();
    for (answer, reason) in [
        (
            "CON",
            "has \"CON.txt\", a device name Windows reserves (with any extension)",
        ),
        (
            "lpt1.tar",
            "has \"lpt1.tar.txt\", a device name Windows reserves (with any extension)",
        ),
        (
            "a<b",
            "contains '<', which Windows does not allow in file names",
        ),
        (
            "why?",
            "contains '?', which Windows does not allow in file names",
        ),
    ] {
        env.refuses_exactly(
            &windows,
            &["--defaults", "-d", &format!("x={answer}")],
            &format!(
                "error: rendered path \"{answer}.txt\" (from template file `{{{{ x }}}}.txt`) {reason}; projects are cloned on every OS\n"
            ),
        );
    }
    let trailing = env
        .template(
            "trailing",
            "[[questions]]\nname = \"x\"\ndefault = \"ok\"\n",
        )
        .file("{{ x }}/f.txt", "x\n")
        .build();
    env.refuses_exactly(
        &trailing,
        &["--defaults", "-d", "x=dir."],
        "error: rendered path \"dir./f.txt\" (from template file `{{ x }}/f.txt`) has \"dir.\", which ends with a dot or a space that Windows drops; projects are cloned on every OS\n",
    );
}

#[test]
fn issue7_a_template_opts_out_of_windows_names_and_cookiecutter_templates_are_written_as_cookiecutter_writes_them()
 {
    let env = TestEnv::new();
    // `portable_names = false`: names Windows cannot hold are written; collisions stay errors.
    let lenient = env.path("lenient");
    env.write(
        "lenient/template.toml",
        "[template]\nname = \"lenient\"\nversion = \"1.0.0\"\nportable_names = false\n\n[[questions]]\nname = \"x\"\ndefault = \"aux\"\n",
    );
    env.write("lenient/{{ x }}", "x\n");
    env.write("lenient/what?/f", "y\n");
    env.new_project(&lenient, "written", &["--defaults"])
        .assert()
        .success();
    assert_eq!(env.read("written/aux"), "x\n");
    assert_eq!(env.read("written/what?/f"), "y\n");
    env.refuses_exactly(
        &lenient,
        &["--defaults", "-d", "x=What?/F"],
        "error: template files `what?/f` and `{{ x }}` render to \"what?/f\" and \"What?/F\", which differ only by case or Unicode normalization: they are one file on macOS and Windows, where projects are cloned too\n",
    );

    // Cookiecutter writes such names, so its dialect does too.
    env.write(
        "cc/cookiecutter.json",
        r#"{"slug": "demo", "module": "con"}"#,
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/{{ cookiecutter.module }}.py",
        "z\n",
    );
    env.groundwork()
        .args([
            "new",
            "--no-input",
            "--no-git",
            "-o",
            "cc-out",
            "--template",
        ])
        .arg(env.path("cc"))
        .assert()
        .success();
    assert_eq!(env.read("cc-out/demo/con.py"), "z\n");
}

#[test]
fn issue7_stale_staging_folders_are_removed_by_the_next_run_and_live_ones_are_kept() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    // Staging folders as groundwork makes them: 0700, named `<pid>-<8 hex digits>`.
    let private = |name: &str| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::create_dir_all(env.path(name)).unwrap();
        std::fs::set_permissions(env.path(name), std::fs::Permissions::from_mode(0o700)).unwrap();
    };
    // Left by a killed run: an owner file, and nobody holds its lock.
    private(".groundwork-staging-4242-0000dead");
    env.write(".groundwork-staging-4242-0000dead/owner", "4242\n");
    env.write(".groundwork-staging-4242-0000dead/project/a.txt", "half\n");
    // Killed while being set up or removed: no owner file, and the process in its name is gone.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let gone_pid = gone.id();
    gone.wait().unwrap();
    let half = format!(".groundwork-staging-{gone_pid}-0000a1f0");
    private(&half);
    // Being set up by a live run: no owner file yet, and its process is running.
    let setting_up = format!(".groundwork-staging-{}-00000000", std::process::id());
    private(&setting_up);
    // Live: locked.
    private(".groundwork-staging-77-0000a1fe");
    env.write(".groundwork-staging-77-0000a1fe/owner", "77\n");
    let live =
        groundwork::api::open_dir_nofollow(&env.path(".groundwork-staging-77-0000a1fe")).unwrap();
    groundwork::api::lock(&live, &env.path("x")).unwrap();

    let output = env
        .new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
    // In name order.
    let mut removed = [
        (".groundwork-staging-4242-0000dead".to_owned(), 4242),
        (half.clone(), gone_pid),
    ];
    removed.sort();
    let mut expected = String::new();
    for (name, pid) in &removed {
        writeln!(
            expected,
            "note: removed {}, left by an interrupted groundwork run (process {pid})",
            env.path(name).display()
        )
        .unwrap();
    }
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        expected
    );
    let mut left = env.leftovers();
    left.sort();
    let mut kept = [".groundwork-staging-77-0000a1fe".to_owned(), setting_up];
    kept.sort();
    assert_eq!(left, kept);
    drop(live);
}

#[test]
fn issue7_staging_leaked_by_killed_runs_is_cleaned_by_the_next_run() {
    let env = TestEnv::new();
    let mut builder = env.template("big", "");
    for i in 0..1500 {
        builder = builder.file(&format!("d{}/f{i}.txt", i % 10), format!("{i}\n"));
    }
    let template = builder.build();
    for trial in 0..10u64 {
        let mut child = env.spawn_new(&template, &format!("killed{trial}"), &["--defaults"]);
        std::thread::sleep(std::time::Duration::from_millis(20 + trial * 15));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // The timed kills may all land before a staging folder exists; runs killed at a chosen write
    // (as SIGKILL would) make sure the next run has leaked staging to clean (issue 16). Each run
    // sweeps what the one before it leaked, so one folder is left for the last run to clean.
    for (trial, writes) in [(10, 5), (11, 900)] {
        env.new_project(&template, &format!("killed{trial}"), &["--defaults"])
            .env("GROUNDWORK_FAULT_INJECT", format!("abort:{writes}"))
            .assert()
            .failure();
    }
    let leaked = env.leftovers();
    assert_eq!(leaked.len(), 1, "{leaked:?}");
    assert!(leaked[0].starts_with(".groundwork-staging-"), "{leaked:?}");
    env.new_project(&template, "after", &["--defaults"])
        .assert()
        .success();
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
    for trial in 0..12 {
        // A killed run left nothing, or its whole project (killed after the rename).
        let dest = env.path(&format!("killed{trial}"));
        if dest.exists() {
            assert_eq!(snapshot(&dest).len(), snapshot(&env.path("after")).len());
        }
    }
}

#[test]
// A test that cannot run here says so on the test harness's stderr, where a panic would be wrong.
#[allow(clippy::print_stderr)]
fn issue7_an_empty_destination_stages_inside_itself_so_a_read_only_parent_does_not_block() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    std::fs::create_dir_all(env.path("locked/out")).unwrap();
    std::fs::set_permissions(env.path("locked"), std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores permission bits; the immutable attribute holds for root too.
    let immutable = if std::fs::write(env.path("locked/probe"), "").is_ok() {
        std::fs::remove_file(env.path("locked/probe")).unwrap();
        let Some(guard) = Immutable::set(&env.path("locked")) else {
            eprintln!("skipped: privileged, and chattr +i is not available here");
            return;
        };
        Some(guard)
    } else {
        None
    };
    env.new_project(&template, "locked/out", &["--defaults"])
        .assert()
        .success();
    drop(immutable);
    std::fs::set_permissions(env.path("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(env.read("locked/out/a.txt"), "a\n");
    let names: Vec<_> = std::fs::read_dir(env.path("locked/out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".groundwork-staging")),
        "{names:?}"
    );
}

/// `chattr +i` on a directory for as long as it lives (so the temp dir can still be removed).
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn set(path: &Path) -> Option<Immutable> {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Immutable(path.to_owned()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn issue7_render_limits_stop_a_file_or_project_that_grows_too_large() {
    let env = TestEnv::new();
    // Doubling a string 20 times: 1 MiB from one line.
    let doubling = "{% set_global s = 'x' %}{% for i in range(end=20) %}{% set_global s = s ~ s %}{% endfor %}{{ s }}";
    let template = env
        .template("big", "")
        .file("a.txt", "small\n")
        .file("b.txt.tera", doubling)
        .build();
    let output = env
        .new_project(&template, "out", &["--defaults"])
        .env("GROUNDWORK_MAX_FILE_BYTES", "100000")
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        "error: template file `b.txt.tera` renders to 1048576 bytes, over the limit of 100000 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES\n"
    );
    let output = env
        .new_project(&template, "out", &["--defaults"])
        .env("GROUNDWORK_MAX_PROJECT_BYTES", "1000000")
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        "error: template file `b.txt.tera` brings the project to 1048582 bytes, over the limit of 1000000 bytes per project; if that is intended, raise it with GROUNDWORK_MAX_PROJECT_BYTES\n"
    );
    assert!(!env.exists("out") && env.leftovers().is_empty());
    // The defaults are generous.
    env.new_project(&template, "out", &["--defaults"])
        .assert()
        .success();
}

#[test]
fn issue7_ctrl_c_during_rendering_exits_130_at_once() {
    let env = TestEnv::new();
    let mut builder = env.template("slow", "");
    for i in 0..400 {
        builder = builder.file(
            &format!("f{i:03}.txt.tera"),
            "{% for i in range(end=60000) %}{% endfor %}x\n",
        );
    }
    let template = builder.build();
    let child = env.spawn_new(&template, "out", &["--defaults"]);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let sent = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = finish(child);
    let waited = sent.elapsed();
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    assert_eq!(stderr(&output), "error: interrupted: nothing was written\n");
    // The whole render takes several seconds; the time between two files is milliseconds.
    assert!(
        waited < std::time::Duration::from_secs(4),
        "took {waited:?}"
    );
    assert!(!env.exists("out") && env.leftovers().is_empty());
}

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}

#[test]
fn issue7_a_failed_stdout_after_the_project_exists_is_a_warning_not_a_failure() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    let output = env
        .command()
        .args(["new", "out", "--defaults", "--template"])
        .arg(&template)
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        stderr(&output),
        format!(
            "warning: cannot write to stdout: No space left on device (os error 28); {} was written all the same\n",
            env.path("out").display()
        )
    );
    assert_eq!(env.read("out/a.txt"), "a\n");
    assert!(env.path("out/.git").is_dir());
}

#[test]
fn issue7_help_to_a_failing_stdout_exits_non_zero() {
    let env = TestEnv::new();
    for args in [&["--help"][..], &["new", "--help"], &["--version"]] {
        let output = env
            .command()
            .args(args)
            .stdout(dev_full())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}: {output:?}");
        assert_eq!(
            stderr(&output),
            "error: cannot write to stdout: No space left on device (os error 28)\n"
        );
    }
    env.groundwork().arg("--help").assert().success();
}

#[test]
fn issue7_a_failing_git_step_of_force_restores_the_previous_tree() {
    let env = TestEnv::new();
    let template = env
        .template("small", "")
        .file("a.txt", "new a\n")
        .file("sub/b.txt", "b\n")
        .build();
    env.write("out/a.txt", "old a\n");
    env.write("out/private.env", "SECRET=1\n");
    let before = snapshot(&env.path("out"));
    let output = env
        .groundwork()
        .args(["new", "out", "--defaults", "--force", "--template"])
        .arg(&template)
        .env("GROUNDWORK_FAULT_INJECT", "git")
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        "error: injected fault in the git step (GROUNDWORK_FAULT_INJECT=git)\n"
    );
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());

    // Fresh: no destination at all.
    env.groundwork()
        .args(["new", "fresh", "--defaults", "--template"])
        .arg(&template)
        .env("GROUNDWORK_FAULT_INJECT", "git")
        .assert()
        .failure()
        .code(1);
    assert!(!env.exists("fresh") && env.leftovers().is_empty());
}

#[test]
fn issue7_force_commits_only_the_templates_files_also_onto_a_repository_without_commits() {
    let env = TestEnv::new();
    let template = env
        .template("small", "")
        .file("a.txt", "a\n")
        .file("sub/b.txt", "b\n")
        .build();
    for unborn in [false, true] {
        let dest = if unborn { "unborn" } else { "plain" };
        env.write(&format!("{dest}/private.env"), "SECRET=1\n");
        if unborn {
            git2::Repository::init(env.path(dest)).unwrap();
        }
        let output = env
            .groundwork()
            .args(["new", dest, "--defaults", "--force", "--template"])
            .arg(&template)
            .assert()
            .success();
        let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
        assert!(stdout.contains("git: initialised on branch"), "{stdout}");
        let repo = git2::Repository::open(env.path(dest)).unwrap();
        let tree = repo.head().unwrap().peel_to_tree().unwrap();
        let mut committed = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                committed.push(format!("{root}{}", entry.name().unwrap()));
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
        assert_eq!(
            committed,
            [".groundwork.toml", "a.txt", "sub/b.txt"],
            "{dest}"
        );
        assert_eq!(env.read(&format!("{dest}/private.env")), "SECRET=1\n");
    }
}

/// Opens and locks the directory at `path`, as a running groundwork would. Retries for a while:
/// a process another test forks in the instant this one held an earlier handle on the same
/// directory shares that handle's lock until it execs (the handle is close-on-exec).
fn hold_lock(path: &Path) -> cap_std::fs::Dir {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let held = groundwork::api::open_dir_nofollow(path).unwrap();
        match groundwork::api::lock(&held, path) {
            Ok(()) => return held,
            Err(e) if std::time::Instant::now() > deadline => panic!("{e}"),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
}

#[test]
fn issue7_force_update_and_adopt_fail_at_once_while_another_run_holds_the_destination() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    env.groundwork()
        .args(["new", "proj", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .success();
    env.write("plain/notes.txt", "mine\n");
    for (dest, args, with_template) in [
        ("proj", &["new", "proj", "--defaults", "--force"][..], true),
        ("proj", &["update", "proj", "--defaults"], false),
        ("plain", &["adopt", "plain", "--defaults"], true),
    ] {
        let held = hold_lock(&env.path(dest));
        let before = snapshot(&env.path(dest));
        let mut cmd = env.groundwork();
        cmd.args(args);
        if with_template {
            cmd.arg("--template").arg(&template);
        }
        let output = cmd.assert().failure().code(1);
        assert_eq!(
            String::from_utf8_lossy(&output.get_output().stderr),
            format!(
                "error: destination {} is in use by another groundwork run (it holds the lock); nothing was written: wait for that run to finish, then run again\n",
                env.path(dest).display()
            ),
            "{args:?}"
        );
        assert_eq!(snapshot(&env.path(dest)), before, "{args:?}");
        drop(held);
    }
}

#[test]
fn issue7_a_force_killed_midway_is_rolled_back_by_the_next_run_on_that_destination() {
    let env = TestEnv::new();
    let template = crate::kitchen_sink(&env).build();
    std::fs::create_dir_all(env.path("out/src")).unwrap();
    std::fs::write(env.path("out/README.md"), "old readme\n").unwrap();
    std::fs::write(env.path("out/src/extra.py"), "x = 1\n").unwrap();
    let before = snapshot(&env.path("out"));
    // Killed (abort) after five moves: the tree is mixed, the old files are in the staging folder.
    let output = env
        .new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:5")
        .assert()
        .failure();
    assert_eq!(output.get_output().status.code(), None, "killed by SIGABRT");
    assert_ne!(snapshot(&env.path("out")), before);
    assert_eq!(env.leftovers().len(), 1);

    // Another destination in the same parent leaves the journal alone, and says so.
    let other = env
        .new_project(&template, "other", &["--defaults"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&other.get_output().stderr).into_owned();
    assert!(
        stderr.contains("holds the journal of an interrupted groundwork run on"),
        "{stderr}"
    );
    assert_eq!(env.leftovers().len(), 1);

    // The next run on `out` rolls it back first (here it then fails at its first write, so what
    // remains is exactly the rolled-back tree).
    let output = env
        .new_project(&template, "out", &["--defaults", "--force"])
        .env("GROUNDWORK_FAULT_INJECT", "0")
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with(&format!(
            "note: rolled back an interrupted groundwork run on {} (process ",
            env.path("out").display()
        )),
        "{stderr}"
    );
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

/// A loop that runs for minutes in Tera.
const SPIN: &str =
    "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}x";

#[test]
fn issue7_a_render_past_its_time_limit_stops_naming_the_question_or_file() {
    let env = TestEnv::new();
    let question = env
        .template(
            "slow-default",
            &format!("[[questions]]\nname = \"slow\"\ndefault = \"{SPIN}\"\n"),
        )
        .build();
    let file = env
        .template("slow-file", "")
        .file("a.txt", "a\n")
        .file("slow.txt.tera", SPIN)
        .build();
    for (template, what) in [
        (&question, "question `slow`"),
        (&file, "template file `slow.txt.tera`"),
    ] {
        let started = std::time::Instant::now();
        let output = env
            .new_project(template, "out", &["--defaults"])
            .env("GROUNDWORK_MAX_RENDER_SECONDS", "1")
            .assert()
            .failure()
            .code(1);
        assert_eq!(
            String::from_utf8_lossy(&output.get_output().stderr),
            format!(
                "error: {what} took longer than 1 s to render; nothing was written (if the template needs longer, raise the limit with GROUNDWORK_MAX_RENDER_SECONDS)\n"
            )
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert!(!env.exists("out") && env.leftovers().is_empty());
    }
}

#[test]
fn issue7_ctrl_c_inside_one_long_render_exits_130_at_once() {
    let env = TestEnv::new();
    let template = env.template("spin", "").file("spin.txt.tera", SPIN).build();
    let child = env.spawn_new(&template, "out", &["--defaults"]);
    std::thread::sleep(std::time::Duration::from_millis(700));
    let sent = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = finish(child);
    assert!(sent.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    assert_eq!(stderr(&output), "error: interrupted: nothing was written\n");
    assert!(!env.exists("out") && env.leftovers().is_empty());
}

/// The pid in the name of the only staging folder left in the environment's root.
/// The one staging folder a killed run left, and the process id in its name.
pub(crate) fn staging_owner(env: &TestEnv) -> (String, String) {
    let left = env.leftovers();
    assert_eq!(left.len(), 1, "{left:?}");
    let pid = left[0]["groundwork-staging-".len() + 1..]
        .split('-')
        .next()
        .unwrap()
        .to_owned();
    (left[0].clone(), pid)
}

#[test]
fn issue7_recover_rolls_back_a_force_killed_in_its_git_step_including_the_dot_git_it_made() {
    let env = TestEnv::new();
    let template = env
        .template("small", "")
        .file("a.txt", "new a\n")
        .file("sub/b.txt", "b\n")
        .build();
    env.write("out/a.txt", "old a\n");
    env.write("out/private.env", "SECRET=1\n");
    let before = snapshot(&env.path("out"));
    let kill = || {
        let output = env
            .groundwork()
            .args(["new", "out", "--defaults", "--force", "--template"])
            .arg(&template)
            .env("GROUNDWORK_FAULT_INJECT", "abort:git")
            .assert()
            .failure();
        assert_eq!(output.get_output().status.code(), None, "killed by SIGABRT");
        // Killed after `git init`: the new files and a `.git` are in the destination.
        assert!(env.path("out/.git").is_dir());
        assert_eq!(env.read("out/a.txt"), "new a\n");
    };
    kill();
    let (staging, pid) = staging_owner(&env);
    let output = env.groundwork().args(["recover", "out"]).assert().success();
    // Undone: the `.git`, three placed files (a.txt, sub/b.txt, .groundwork.toml), the folder
    // `sub` and the backup of a.txt.
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stdout),
        format!(
            "Rolled back an interrupted groundwork run on {} (process {pid}): 6 steps undone\nRemoved {}, left by an interrupted groundwork run (process {pid})\n",
            env.path("out").display(),
            env.path(&staging).display()
        )
    );
    assert!(output.get_output().stderr.is_empty());
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());

    // Clean now: nothing to do, exit 0, nothing touched.
    let output = env.groundwork().args(["recover", "out"]).assert().success();
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stdout),
        format!(
            "Nothing to recover in {}: no interrupted groundwork run left a journal or a staging folder there.\n",
            env.path("out").display()
        )
    );
    assert_eq!(snapshot(&env.path("out")), before);

    // Without `recover`, the next run on the destination does the same first (here it then fails
    // at its first write, so what remains is exactly the rolled-back tree).
    kill();
    let output = env
        .groundwork()
        .args(["new", "out", "--defaults", "--force", "--template"])
        .arg(&template)
        .env("GROUNDWORK_FAULT_INJECT", "0")
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with(&format!(
            "note: rolled back an interrupted groundwork run on {} (process ",
            env.path("out").display()
        )),
        "{stderr}"
    );
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

#[test]
fn issue7_recover_removes_the_staging_of_a_killed_fresh_new_and_fails_while_a_run_holds_the_lock() {
    let env = TestEnv::new();
    let template = crate::kitchen_sink(&env).build();
    let output = env
        .new_project(&template, "out", &["--defaults"])
        .env("GROUNDWORK_FAULT_INJECT", "abort:2")
        .assert()
        .failure();
    assert_eq!(output.get_output().status.code(), None, "killed by SIGABRT");
    assert!(!env.exists("out"));
    let (staging, pid) = staging_owner(&env);
    let output = env.groundwork().args(["recover", "out"]).assert().success();
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stdout),
        format!(
            "Removed {}, left by an interrupted groundwork run (process {pid})\n",
            env.path(&staging).display()
        )
    );
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
    assert!(!env.exists("out"));

    // A destination another run holds: exit 1 at once, nothing touched.
    env.write("busy/keep.txt", "keep\n");
    let held = hold_lock(&env.path("busy"));
    let output = env
        .groundwork()
        .args(["recover", "busy"])
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "error: destination {} is in use by another groundwork run (it holds the lock); nothing was written: wait for that run to finish, then run again\n",
            env.path("busy").display()
        )
    );
    assert!(output.get_output().stdout.is_empty());
    assert_eq!(env.read("busy/keep.txt"), "keep\n");
    drop(held);
}

#[test]
fn issue7_a_render_that_takes_memory_past_its_limit_stops_with_an_error_not_an_abort() {
    let env = TestEnv::new();
    // Doubling a string 64 times: it used to abort the process ("memory allocation of 1073741840
    // bytes failed", exit 134) once the machine could not give more.
    let doubling = "{% set_global s = 'x' %}{% for i in range(end=64) %}{% set_global s = s ~ s %}{% endfor %}{{ s }}";
    let template = env
        .template("greedy", "")
        .file("a.txt", "small\n")
        .file("b.txt.tera", doubling)
        .build();
    for _ in 0..5 {
        let output = env
            .new_project(&template, "out", &["--defaults"])
            .env("GROUNDWORK_MAX_MEMORY_BYTES", (64u64 << 20).to_string())
            .assert()
            .failure()
            .code(1);
        assert_eq!(
            String::from_utf8_lossy(&output.get_output().stderr),
            "error: rendering template file `b.txt.tera` took groundwork's memory past its limit of 67108864 bytes; nothing was written (if the template needs more, raise the limit with GROUNDWORK_MAX_MEMORY_BYTES)\n"
        );
        assert!(output.get_output().stdout.is_empty());
        assert!(!env.exists("out") && env.leftovers().is_empty());
    }
    // A template that needs a little memory renders under the same limit.
    let modest = env
        .template("modest", "")
        .file(
            "b.txt.tera",
            "{% for i in range(end=1000) %}{{ i }}{% endfor %}\n",
        )
        .build();
    env.new_project(&modest, "out", &["--defaults"])
        .env("GROUNDWORK_MAX_MEMORY_BYTES", (64u64 << 20).to_string())
        .assert()
        .success();
}

#[test]
fn issue7_recover_that_cannot_finish_keeps_the_journal_exits_1_and_finishes_when_run_again() {
    let env = TestEnv::new();
    let template = env
        .template("small", "")
        .file("a.txt", "new a\n")
        .file("sub/b.txt", "b\n")
        .build();
    env.write("out/a.txt", "old a\n");
    let before = snapshot(&env.path("out"));
    env.groundwork()
        .args(["new", "out", "--defaults", "--force", "--template"])
        .arg(&template)
        .env("GROUNDWORK_FAULT_INJECT", "abort:git")
        .assert()
        .failure();
    let (staging, pid) = staging_owner(&env);
    // The backups cannot be opened (here: something else stands where the folder was): no step
    // can be undone safely.
    let backup = env.path(&format!("{staging}/backup"));
    std::fs::rename(&backup, env.path("backup-aside")).unwrap();
    std::fs::write(&backup, "not a folder\n").unwrap();
    let output = env
        .groundwork()
        .args(["recover", "out"])
        .assert()
        .failure()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stderr),
        format!(
            "warning: rolling back the interrupted run in {}: Not a directory (os error 20)\nerror: could not recover everything in {} (1 step failed, see the warnings above); the staging folders involved are kept: fix the cause and run `groundwork recover` again\n",
            env.path(&staging).display(),
            env.path("out").display()
        )
    );
    assert!(output.get_output().stdout.is_empty());
    assert_eq!(env.leftovers(), std::slice::from_ref(&staging));

    std::fs::remove_file(&backup).unwrap();
    std::fs::rename(env.path("backup-aside"), &backup).unwrap();
    let output = env.groundwork().args(["recover", "out"]).assert().success();
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with(&format!(
            "Rolled back an interrupted groundwork run on {} (process {pid}): ",
            env.path("out").display()
        )),
        "{stdout}"
    );
    assert_eq!(snapshot(&env.path("out")), before);
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

/// `new` into an output folder that does not exist yet (and whose parent does not either): a run
/// that fails at any point, in the writes or in the git step, leaves neither behind; a killed one
/// leaves only its staging folder in the nearest folder that exists, which `recover` removes.
#[test]
fn a_failed_new_leaves_no_output_folder_or_missing_parents_behind() {
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"name": "proj", "choice": ["a", "b"]}"#,
    );
    env.write(
        "cc/{{ cookiecutter.name }}/a.txt",
        "{{ cookiecutter.choice }}\n",
    );
    env.write("cc/{{ cookiecutter.name }}/sub/b.txt", "b\n");
    let cookiecutter = env.path("cc");
    let native = env
        .template("small", "")
        .file("a.txt", "a\n")
        .file("sub/b.txt", "b\n")
        .build();
    let cases: [(&str, &str); 3] = [
        (
            "1",
            "error: injected fault after 1 writes (GROUNDWORK_FAULT_INJECT)\n",
        ),
        (
            "2",
            "error: injected fault after 2 writes (GROUNDWORK_FAULT_INJECT)\n",
        ),
        (
            "git",
            "error: injected fault in the git step (GROUNDWORK_FAULT_INJECT=git)\n",
        ),
    ];
    for (fault, expected) in cases {
        for (template, destination) in [(&cookiecutter, None), (&native, Some("mine"))] {
            let mut cmd = env.groundwork();
            cmd.args(["new", "--no-input", "-o", "parent/out", "--template"])
                .arg(template)
                .args(destination)
                .env("GROUNDWORK_FAULT_INJECT", fault);
            let output = cmd.assert().failure().code(1);
            let shown = format!("{fault} {}", template.display());
            assert_eq!(stderr(output.get_output()), expected, "{shown}");
            assert!(output.get_output().stdout.is_empty(), "{shown}");
            assert!(!env.exists("parent"), "{shown}: parent/ left behind");
            assert!(env.leftovers().is_empty(), "{shown}: {:?}", env.leftovers());
        }
    }
    // The parent exists, the output folder does not: only the output folder was the run's.
    env.write("parent/keep.txt", "keep\n");
    env.groundwork()
        .args(["new", "--no-input", "-o", "parent/out", "--template"])
        .arg(&cookiecutter)
        .env("GROUNDWORK_FAULT_INJECT", "git")
        .assert()
        .failure()
        .code(1)
        .stderr("error: injected fault in the git step (GROUNDWORK_FAULT_INJECT=git)\n");
    assert!(!env.exists("parent/out"));
    assert_eq!(env.read("parent/keep.txt"), "keep\n");
    std::fs::remove_dir_all(env.path("parent")).unwrap();

    // Failures before anything is written (a refused answer, a failing pre_gen_project hook)
    // create nothing either.
    env.groundwork()
        .args(["new", "--no-input", "-o", "parent/out", "--template"])
        .arg(&cookiecutter)
        .arg("choice=c")
        .assert()
        .failure()
        .code(1)
        .stderr("error: cookiecutter.json: cannot compute `choice`: 'c' provided for choice variable choice, but the choices are ['a', 'b'].; fix its default in cookiecutter.json or pass `choice=VALUE`\n");
    assert!(!env.exists("parent"));

    // Killed in the git step: the output folder never appeared; the staging folder sits in the
    // nearest folder that exists, and `recover` of the project removes it.
    let output = env
        .groundwork()
        .args(["new", "--no-input", "-o", "parent/out", "--template"])
        .arg(&cookiecutter)
        .env("GROUNDWORK_FAULT_INJECT", "abort:git")
        .assert()
        .failure();
    assert_eq!(output.get_output().status.code(), None, "killed by SIGABRT");
    assert!(!env.exists("parent"));
    let (staging, pid) = staging_owner(&env);
    env.groundwork()
        .args(["recover", "parent/out/proj"])
        .assert()
        .success()
        .stdout(format!(
            "Removed {}, left by an interrupted groundwork run (process {pid})\n",
            env.path(&staging).display()
        ));
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
    assert!(!env.exists("parent"));

    // And a run that succeeds makes both folders.
    env.groundwork()
        .args(["new", "--no-input", "-o", "parent/out", "--template"])
        .arg(&cookiecutter)
        .assert()
        .success();
    assert_eq!(env.read("parent/out/proj/a.txt"), "a\n");
    assert!(env.exists("parent/out/proj/.git"));
    assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());
}

/// The destination's files below `.git/objects` left out: a failed git step may leave loose
/// objects it wrote, which nothing refers to (git's own failed commands leave such garbage too,
/// and `git gc` prunes it); everything else must come back byte for byte.
/// Contents are shown as a hash, so a failed comparison stays readable.
fn snapshot_without_objects(root: &Path) -> Vec<(String, u64, u32)> {
    use std::hash::{Hash, Hasher};
    snapshot(root)
        .into_iter()
        .filter(|(path, _, _)| !path.starts_with(".git/objects/"))
        .map(|(path, contents, mode)| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            contents.hash(&mut hasher);
            (path, hasher.finish(), mode)
        })
        .collect()
}

/// The paths in the index of the repository at `dir`.
fn index_paths(dir: &Path) -> Vec<String> {
    let repo = git2::Repository::open(dir).unwrap();
    let index = repo.index().unwrap();
    index
        .iter()
        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
        .collect()
}

/// `--force` into a repository without commits: when the git step fails after staging the files,
/// or the run is killed there, the rollback restores `.git/index` as it was (or its absence), so
/// the run's files are not left staged.
#[test]
fn a_failed_git_step_into_a_repository_without_commits_restores_its_index() {
    let env = TestEnv::new();
    let template = env
        .template("small", "")
        .file("a.txt", "new a\n")
        .file("sub/b.txt", "b\n")
        .build();
    // `staged`: the user has staged a file of their own; `bare-init`: `git init` only (no index).
    for (dest, staged) in [("staged", true), ("bare-init", false)] {
        env.write(&format!("{dest}/private.env"), "SECRET=1\n");
        let repo = git2::Repository::init(env.path(dest)).unwrap();
        if staged {
            let mut index = repo.index().unwrap();
            index.add_path(Path::new("private.env")).unwrap();
            index.write().unwrap();
        }
        let index_before = if staged {
            vec!["private.env".to_owned()]
        } else {
            vec![]
        };
        assert_eq!(index_paths(&env.path(dest)), index_before, "{dest}");
        assert_eq!(env.exists(&format!("{dest}/.git/index")), staged);
        let before = snapshot_without_objects(&env.path(dest));

        let output = env
            .groundwork()
            .args(["new", dest, "--defaults", "--force", "--template"])
            .arg(&template)
            .env("GROUNDWORK_FAULT_INJECT", "git")
            .assert()
            .failure()
            .code(1);
        assert_eq!(
            stderr(output.get_output()),
            "error: injected fault in the git step (GROUNDWORK_FAULT_INJECT=git)\n",
            "{dest}"
        );
        assert_eq!(snapshot_without_objects(&env.path(dest)), before, "{dest}");
        assert_eq!(index_paths(&env.path(dest)), index_before, "{dest}");
        assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());

        // Killed with the files staged: `recover` undoes the index with the files: the three
        // placed files, the folder `sub`, the index (restored or removed), and the index lock
        // and branch the commit would have made.
        let output = env
            .groundwork()
            .args(["new", dest, "--defaults", "--force", "--template"])
            .arg(&template)
            .env("GROUNDWORK_FAULT_INJECT", "abort:git")
            .assert()
            .failure();
        assert_eq!(output.get_output().status.code(), None, "killed by SIGABRT");
        assert!(
            index_paths(&env.path(dest)).contains(&"a.txt".to_owned()),
            "{dest}"
        );
        let (staging, pid) = staging_owner(&env);
        env.groundwork()
            .args(["recover", dest])
            .assert()
            .success()
            .stderr("")
            .stdout(format!(
                "Rolled back an interrupted groundwork run on {} (process {pid}): 7 steps undone\nRemoved {}, left by an interrupted groundwork run (process {pid})\n",
                env.path(dest).display(),
                env.path(&staging).display()
            ));
        assert_eq!(snapshot_without_objects(&env.path(dest)), before, "{dest}");
        assert_eq!(index_paths(&env.path(dest)), index_before, "{dest}");
        assert!(env.leftovers().is_empty(), "{:?}", env.leftovers());

        // And a run that succeeds commits the template's files only, leaving the user's staged.
        env.groundwork()
            .args(["new", dest, "--defaults", "--force", "--template"])
            .arg(&template)
            .assert()
            .success();
        let repo = git2::Repository::open(env.path(dest)).unwrap();
        assert!(repo.head().is_ok(), "{dest}: committed");
    }
}

/// `--force` into a repository without commits whose HEAD names another branch than
/// `init.defaultBranch` (here `trunk`): the commit goes to that branch, and the report names it.
#[test]
fn the_first_commit_into_an_existing_repository_reports_the_branch_it_went_to() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    env.write("trunk/private.env", "SECRET=1\n");
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("trunk");
    git2::Repository::init_opts(env.path("trunk"), &options).unwrap();
    let output = env
        .groundwork()
        .args(["new", "trunk", "--defaults", "--force", "--template"])
        .arg(&template)
        .assert()
        .success();
    let repo = git2::Repository::open(env.path("trunk")).unwrap();
    let head = repo.head().unwrap();
    assert_eq!(head.shorthand().unwrap(), "trunk");
    let id = head.target().unwrap().to_string();
    assert_eq!(
        String::from_utf8_lossy(&output.get_output().stdout),
        format!(
            "Created {} from small 1.0.0: 2 files (2 new, 0 overwritten).\ngit: initialised on branch trunk with commit {}.\n",
            env.path("trunk").display(),
            &id[..12]
        )
    );
}
