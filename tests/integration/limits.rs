//! Issue 15, limits: one watchdog (time, memory, Ctrl-C) for every user-supplied expression, in
//! every dialect (`message_after`, cookiecutter files, `cookiecutter.json` defaults, hooks,
//! `template check`); memory limits derived from the process's real limits; limit variables
//! checked; git blobs refused by size before they are read; and no input file that can hang a
//! command or fill its memory (FIFOs, devices, endless files). Each test failed on the code before
//! the fix it is named after.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::env::TestEnv;

/// A Jinja2 loop that runs for minutes (cookiecutter's dialect).
const JINJA_SPIN: &str =
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x";
/// A Tera loop that runs for minutes (native templates).
const TERA_SPIN: &str =
    "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}x";
/// A Jinja2 string doubled 40 times (a terabyte).
const JINJA_DOUBLING: &str = "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}";
/// A Tera string doubled 64 times.
const TERA_DOUBLING: &str = "{% set_global s = 'x' %}{% for i in range(end=64) %}{% set_global s = s ~ s %}{% endfor %}{{ s }}";

const MIB: u64 = 1 << 20;

fn too_long(what: &str) -> String {
    format!(
        "error: {what} took longer than 1 s to render; nothing was written (if the template needs longer, raise the limit with GROUNDWORK_MAX_RENDER_SECONDS)\n"
    )
}

fn too_much(what: &str, limit: u64) -> String {
    format!(
        "error: rendering {what} took groundwork's memory past its limit of {limit} bytes; nothing was written (if the template needs more, raise the limit with GROUNDWORK_MAX_MEMORY_BYTES)\n"
    )
}

/// A cookiecutter template at `name` whose `cookiecutter.json` holds `json`, with `files` inside
/// its project folder `{{cookiecutter.name}}` and `hooks` in `hooks/`.
fn cookiecutter(env: &TestEnv, name: &str, json: &str, files: &[(&str, &str)]) -> PathBuf {
    env.write(&format!("{name}/cookiecutter.json"), json);
    for (path, contents) in files {
        env.write(&format!("{name}/{path}"), contents);
    }
    env.path(name)
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A native template whose `message_after` is `text`.
fn with_message_after(env: &TestEnv, name: &str, text: &str) -> PathBuf {
    env.template(
        name,
        &format!("message_after = {}\n", toml::Value::String(text.to_owned())),
    )
    .file("a.txt", "a\n")
    .build()
}

/// Runs `cmd`, asserting exit 1 with exactly `expected` on stderr within `within`.
fn fails_with(cmd: &mut assert_cmd::Command, expected: &str, within: Duration) -> Output {
    let started = Instant::now();
    let output = cmd.assert().failure().code(1).get_output().clone();
    assert_eq!(String::from_utf8_lossy(&output.stderr), expected);
    assert!(started.elapsed() < within, "took {:?}", started.elapsed());
    output
}

/// The places a template expression can hide in that the watchdog did not watch before issue 15:
/// (template, extra arguments of `new`, what the message names).
fn spinning_templates(env: &TestEnv) -> Vec<(PathBuf, Vec<&'static str>, &'static str)> {
    let message_after = with_message_after(env, "spin-message", TERA_SPIN);
    let file = cookiecutter(
        env,
        "spin-file",
        r#"{"name": "demo"}"#,
        &[("{{cookiecutter.name}}/spin.txt", JINJA_SPIN)],
    );
    let default = cookiecutter(
        env,
        "spin-default",
        &format!(r#"{{"name": "demo", "slow": {}}}"#, json_string(JINJA_SPIN)),
        &[("{{cookiecutter.name}}/a.txt", "a\n")],
    );
    let path = cookiecutter(
        env,
        "spin-path",
        r#"{"name": "demo"}"#,
        &[(
            &format!("{{{{cookiecutter.name}}}}/{JINJA_SPIN}.txt"),
            "a\n",
        )],
    );
    let hook = cookiecutter(
        env,
        "spin-hook",
        r#"{"name": "demo"}"#,
        &[
            ("{{cookiecutter.name}}/a.txt", "a\n"),
            ("hooks/pre_gen_project.py", JINJA_SPIN),
        ],
    );
    vec![
        (message_after, vec![], "`message_after` of template.toml"),
        (
            file,
            vec![],
            "template file `{{cookiecutter.name}}/spin.txt`",
        ),
        (default, vec![], "variable `slow` of cookiecutter.json"),
        (
            path,
            vec![],
            "template file `{{cookiecutter.name}}/{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x.txt`",
        ),
        (hook, vec!["--trust"], "hook `hooks/pre_gen_project.py`"),
    ]
}

#[test]
fn issue15_time_bombs_in_message_after_and_every_cookiecutter_render_stop_at_the_time_limit() {
    let env = TestEnv::new();
    for (template, args, what) in spinning_templates(&env) {
        let mut cmd = env.new_project(&template, "out", &["--defaults"]);
        cmd.args(&args).env("GROUNDWORK_MAX_RENDER_SECONDS", "1");
        fails_with(&mut cmd, &too_long(what), Duration::from_secs(10));
        assert!(!env.exists("out") && env.leftovers().is_empty(), "{what}");
    }
}

#[test]
fn issue15_template_check_stops_a_message_after_at_the_time_limit() {
    let env = TestEnv::new();
    with_message_after(&env, "t", TERA_SPIN);
    let output = fails_with(
        env.groundwork()
            .args(["template", "check", "t"])
            .env("GROUNDWORK_MAX_RENDER_SECONDS", "1"),
        &too_long("`message_after` of template.toml"),
        Duration::from_secs(10),
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn issue15_ctrl_c_stops_message_after_and_cookiecutter_renders_at_once() {
    let env = TestEnv::new();
    for (template, args, what) in spinning_templates(&env) {
        let child = env
            .command()
            .args(["new", "out", "--no-git", "--defaults", "--template"])
            .arg(&template)
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        let sent = Instant::now();
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        assert!(sent.elapsed() < Duration::from_secs(3), "{what}");
        assert_eq!(output.status.code(), Some(130), "{what}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "error: interrupted: nothing was written\n",
            "{what}"
        );
        assert!(!env.exists("out") && env.leftovers().is_empty(), "{what}");
    }
}

#[test]
fn issue15_memory_bombs_in_message_after_and_cookiecutter_stop_at_the_memory_limit() {
    let env = TestEnv::new();
    let message_after = with_message_after(&env, "greedy-message", TERA_DOUBLING);
    let file = cookiecutter(
        &env,
        "greedy-file",
        r#"{"name": "demo"}"#,
        &[("{{cookiecutter.name}}/big.txt", JINJA_DOUBLING)],
    );
    let default = cookiecutter(
        &env,
        "greedy-default",
        &format!(
            r#"{{"name": "demo", "big": {}}}"#,
            json_string(JINJA_DOUBLING)
        ),
        &[("{{cookiecutter.name}}/a.txt", "a\n")],
    );
    for (template, what) in [
        (&message_after, "`message_after` of template.toml"),
        (&file, "template file `{{cookiecutter.name}}/big.txt`"),
        (&default, "variable `big` of cookiecutter.json"),
    ] {
        let mut cmd = env.new_project(template, "out", &["--defaults"]);
        cmd.env("GROUNDWORK_MAX_MEMORY_BYTES", (64 * MIB).to_string());
        let output = fails_with(&mut cmd, &too_much(what, 64 * MIB), Duration::from_secs(30));
        assert!(output.stdout.is_empty());
        assert!(!env.exists("out") && env.leftovers().is_empty(), "{what}");
    }
}

/// The memory limit groundwork derives under `ulimit -v 4000000`, as its module docs say: the
/// smallest real limit (the address space, unless this machine has less) less the headroom,
/// divided by three, at most 4 GiB.
fn derived_limit_under_4_gb() -> u64 {
    let real = groundwork::api::real_memory_limit()
        .unwrap_or(u64::MAX)
        .min(4_000_000 * 1024);
    groundwork::api::memory_limits(None, Some(real)).0
}

#[test]
fn issue15_a_memory_bomb_under_a_4_gb_address_space_ends_with_the_limit_message_not_an_abort() {
    let env = TestEnv::new();
    let native = env
        .template("greedy", "")
        .file("b.txt.tera", TERA_DOUBLING)
        .build();
    let jinja = cookiecutter(
        &env,
        "greedy-cc",
        r#"{"name": "demo"}"#,
        &[("{{cookiecutter.name}}/big.txt", JINJA_DOUBLING)],
    );
    let limit = derived_limit_under_4_gb();
    for (template, what) in [
        (&native, "template file `b.txt.tera`"),
        (&jinja, "template file `{{cookiecutter.name}}/big.txt`"),
    ] {
        // It used to end in "memory allocation of 2147483664 bytes failed" and SIGABRT (134).
        let mut cmd = assert_cmd::Command::new("sh");
        cmd.current_dir(env.root())
            .env("HOME", env.root())
            .env_remove("GROUNDWORK_MAX_MEMORY_BYTES")
            .args(["-c", "ulimit -v 4000000; exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_groundwork"))
            .args(["new", "out", "--no-git", "--defaults", "--template"])
            .arg(template)
            .timeout(Duration::from_secs(120));
        fails_with(&mut cmd, &too_much(what, limit), Duration::from_secs(120));
        assert!(!env.exists("out") && env.leftovers().is_empty(), "{what}");
    }
}

#[test]
fn issue15_a_malformed_limit_variable_is_an_error_naming_it() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    for (variable, value, unit, example) in [
        ("GROUNDWORK_MAX_MEMORY_BYTES", "4G", "bytes", "1073741824"),
        ("GROUNDWORK_MAX_MEMORY_BYTES", "0", "bytes", "1073741824"),
        ("GROUNDWORK_MAX_RENDER_SECONDS", "1.5", "seconds", "120"),
        ("GROUNDWORK_MAX_RENDER_SECONDS", "-1", "seconds", "120"),
        ("GROUNDWORK_MAX_FILE_BYTES", "64 MiB", "bytes", "67108864"),
        (
            "GROUNDWORK_MAX_PROJECT_BYTES",
            "lots",
            "bytes",
            "1073741824",
        ),
    ] {
        let mut cmd = env.new_project(&template, "out", &["--defaults"]);
        cmd.env(variable, value);
        let output = fails_with(
            &mut cmd,
            &format!(
                "error: environment variable {variable} is {value:?}; expected a whole number of {unit} greater than 0, such as {example} (unset it for the default)\n"
            ),
            Duration::from_secs(10),
        );
        assert!(output.stdout.is_empty());
        assert!(!env.exists("out"));
    }
    // Empty counts as unset; surrounding spaces are allowed.
    env.new_project(&template, "out", &["--defaults"])
        .env("GROUNDWORK_MAX_MEMORY_BYTES", "")
        .env("GROUNDWORK_MAX_RENDER_SECONDS", " 30 ")
        .assert()
        .success();
}

#[test]
fn issue15_a_git_blob_over_the_file_limit_is_refused_before_it_is_read() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", "")
        .file("a.txt", "a\n")
        .file("big.bin", vec![7u8; 5 << 20])
        .tag();
    let head = git2::Repository::open(repo.path())
        .unwrap()
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let url = format!("file://{}", repo.path().display());
    let mut cmd = env.groundwork();
    cmd.args(["new", "out", "--no-git", "--defaults", "--template", &url])
        .env("GROUNDWORK_CACHE_DIR", env.path("cache"))
        .env("GROUNDWORK_MAX_FILE_BYTES", MIB.to_string());
    fails_with(
        &mut cmd,
        &format!(
            "error: template file `{url}@{}/big.bin` is 5242880 bytes, over the limit of 1048576 bytes per file; if that is intended, raise it with GROUNDWORK_MAX_FILE_BYTES\n",
            &head[..7]
        ),
        Duration::from_secs(30),
    );
    assert!(!env.exists("out"));
    // Under the limit it renders.
    env.groundwork()
        .args(["new", "out", "--no-git", "--defaults", "--template", &url])
        .env("GROUNDWORK_CACHE_DIR", env.path("cache"))
        .env("GROUNDWORK_MAX_FILE_BYTES", (6 * MIB).to_string())
        .assert()
        .success();
    assert_eq!(env.read_bytes("out/big.bin").len() as u64, 5 * MIB);
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn issue15_a_fifo_answers_file_is_an_error_for_update_diff_and_check_not_a_hang() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    env.new_project(&template, "proj", &["--defaults"])
        .assert()
        .success();
    let answers = env.path("proj/.groundwork.toml");
    std::fs::remove_file(&answers).unwrap();
    mkfifo(&answers);
    let expected = format!(
        "error: cannot read {}: it is a FIFO (named pipe), not a regular file\n",
        answers.display()
    );
    for args in [
        &["update", "proj", "--allow-dirty"][..],
        &["update", "proj", "--dry-run"],
        &["diff", "proj"],
        &["check", "proj"],
    ] {
        let mut cmd = env.groundwork();
        cmd.args(args).timeout(Duration::from_secs(10));
        let output = fails_with(&mut cmd, &expected, Duration::from_secs(10));
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    // A symlink in its place is not followed either.
    std::fs::remove_file(&answers).unwrap();
    env.write("elsewhere.toml", "[template]\n");
    std::os::unix::fs::symlink(env.path("elsewhere.toml"), &answers).unwrap();
    fails_with(
        env.groundwork().args(["diff", "proj"]),
        &format!(
            "error: cannot read {}: it is a symlink, not a regular file\n",
            answers.display()
        ),
        Duration::from_secs(10),
    );
}

#[test]
fn issue15_a_fifo_cruft_json_is_an_error_for_adopt_not_a_hang() {
    let env = TestEnv::new();
    env.write("legacy/README.md", "legacy\n");
    let cruft = env.path("legacy/.cruft.json");
    mkfifo(&cruft);
    let mut cmd = env.groundwork();
    cmd.args(["adopt", "legacy", "--defaults"])
        .timeout(Duration::from_secs(10));
    fails_with(
        &mut cmd,
        &format!(
            "error: cannot read {}: it is a FIFO (named pipe), not a regular file\n",
            cruft.display()
        ),
        Duration::from_secs(10),
    );
    assert!(!env.exists("legacy/.groundwork.toml"));
}

#[test]
fn issue15_a_data_file_that_is_a_device_a_fifo_or_too_large_is_refused_without_reading_it() {
    let env = TestEnv::new();
    let template = env.template("small", "").file("a.txt", "a\n").build();
    let fifo = env.path("answers.toml");
    mkfifo(&fifo);
    let large = env.path("large.toml");
    std::fs::File::create(&large)
        .unwrap()
        .set_len(16 * MIB + 1)
        .unwrap();
    for (data_file, expected) in [
        (
            "/dev/zero".to_owned(),
            "error: cannot read /dev/zero: it is a character device, not a regular file\n"
                .to_owned(),
        ),
        (
            "answers.toml".to_owned(),
            "error: cannot read answers.toml: it is a FIFO (named pipe), not a regular file\n"
                .to_owned(),
        ),
        (
            "large.toml".to_owned(),
            "error: cannot read large.toml: it holds more than 16777216 bytes, the most groundwork reads from a data file\n"
                .to_owned(),
        ),
    ] {
        let mut cmd = env.new_project(&template, "out", &["--defaults", "--data-file", &data_file]);
        let output = fails_with(&mut cmd, &expected, Duration::from_secs(10));
        assert!(output.stdout.is_empty());
        assert!(!env.exists("out"));
    }
}

#[test]
fn issue15_a_cookiecutter_width_too_large_for_a_file_is_an_error_not_an_abort() {
    let env = TestEnv::new();
    for (expression, filter) in [
        (r"{{ 'a\nb' | indent(100000000000) }}", "indent"),
        ("{{ 'x' | center(100000000000) }}", "center"),
        ("{{ {'a': [1]} | tojson(100000000000) }}", "the JSON indent"),
    ] {
        // Each used to ask the allocator for 100 GB at once and abort (SIGABRT).
        let template = cookiecutter(
            &env,
            filter,
            r#"{"name": "demo"}"#,
            &[("{{cookiecutter.name}}/b.txt", expression)],
        );
        let mut cmd = env.new_project(&template, "out", &["--defaults"]);
        fails_with(
            &mut cmd,
            &format!(
                "error: template file b.txt:1: invalid operation: {filter}: a width of 100000000000 makes a result over the limit of 67108864 bytes per file (GROUNDWORK_MAX_FILE_BYTES) (in b.txt:1)\n"
            ),
            Duration::from_secs(10),
        );
        assert!(!env.exists("out"));
    }
}

#[test]
fn issue16_a_malformed_limit_variable_stops_any_command_before_it_starts() {
    let env = TestEnv::new();
    for (variable, example) in [
        ("GROUNDWORK_MAX_FILE_BYTES", 67_108_864),
        ("GROUNDWORK_MAX_PROJECT_BYTES", 1_073_741_824),
        ("GROUNDWORK_MAX_RENDER_SECONDS", 120),
        ("GROUNDWORK_MAX_MEMORY_BYTES", 1_073_741_824),
        ("GROUNDWORK_HOOK_TIMEOUT_SECONDS", 600),
        ("GROUNDWORK_CHECK_TIMEOUT_SECONDS", 1800),
    ] {
        let unit = if variable.ends_with("SECONDS") {
            "seconds"
        } else {
            "bytes"
        };
        for bad in ["abc", "-1", "1e9"] {
            let output = env
                .command()
                .arg("templates")
                .env(variable, bad)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(1), "{variable}={bad}");
            assert!(output.stdout.is_empty(), "{variable}={bad}");
            assert_eq!(
                String::from_utf8(output.stderr).unwrap(),
                format!(
                    "error: environment variable {variable} is {bad:?}; expected a whole number of {unit} greater than 0, such as {example} (unset it for the default)\n"
                ),
                "{variable}={bad}"
            );
        }
    }
}
