//! Issue 16, commands that compute then print: the errors they used to swallow, and the drift
//! that `adopt` counts and `diff` shows being one measure.

use std::os::unix::fs::PermissionsExt;

use crate::env::TestEnv;

const QUESTIONS: &str = "[[questions]]\nname = \"project_name\"\ndefault = \"Demo\"\n";

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// `adopt` used to take an answers file it could not parse for no answers file at all, and
/// replaced it: the only record of how the repository was made, gone without a word.
#[test]
fn issue16_adopt_refuses_a_corrupt_answers_file() {
    let env = TestEnv::new();
    let template = env
        .template("tpl", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .build();
    let corrupt = "[template]\nsource = \"gh:org/tpl\"\nversion = \n";
    env.write("legacy/README.md", "# Demo\n");
    env.write("legacy/.groundwork.toml", corrupt);
    let assert = env
        .groundwork()
        .args(["adopt", "legacy", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .failure()
        .code(1);
    let stderr = stderr_of(&assert);
    let path = env.path("legacy/.groundwork.toml");
    assert!(
        stderr.starts_with(&format!("error: data file {}: line 3: ", path.display())),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "; adopt does not replace an answers file it cannot read: repair it and run `groundwork update`, or delete it and run `groundwork adopt` again\n"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(stdout_of(&assert), "");
    assert_eq!(env.read("legacy/.groundwork.toml"), corrupt);

    // Once it is gone, the repository is adopted.
    std::fs::remove_file(&path).unwrap();
    env.groundwork()
        .args(["adopt", "legacy", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .success();
    assert!(env.read("legacy/.groundwork.toml").contains("[template]"));
}

/// `update` read the files an earlier update wrote beside binary conflicts
/// (`X.from-template`, `X.from-template.1`, ...) and took any failure to read one for "no such
/// file": a symlink there was a free slot, the merge planned to write the template's version at
/// its name, and the run stopped at the write saying the file "changed while groundwork was
/// writing ... run the command again", which no rerun fixes. It is an error naming the path and
/// the reason now, before anything is written.
#[test]
fn issue16_update_stops_on_a_file_beside_that_cannot_be_read() {
    let env = TestEnv::new();
    let repo = env.template_repo("tpl");
    repo.version("1.0.0", QUESTIONS)
        .file("logo.png", b"\x89PNG\x00template-v1")
        .tag();
    env.groundwork()
        .args(["new", "proj", "--template"])
        .arg(repo.path())
        .args(["--ref", "v1.0.0", "--defaults"])
        .assert()
        .success();
    env.write("proj/logo.png", b"\x89PNG\x00mine");
    env.write("outside.png", b"not the project's");
    std::os::unix::fs::symlink("../outside.png", env.path("proj/logo.png.from-template")).unwrap();
    env.commit_all("proj", "my logo");
    repo.version("1.1.0", QUESTIONS)
        .file("logo.png", b"\x89PNG\x00template-v2")
        .tag();
    let answers = env.read("proj/.groundwork.toml");

    let assert = env.update("proj", &[]).assert().failure().code(1);
    let beside = env.path("proj/logo.png.from-template");
    assert_eq!(
        stderr_of(&assert),
        format!(
            "error: cannot write {}: it is a symlink; groundwork never reads or writes through links in the destination\n",
            beside.display()
        )
    );
    assert_eq!(stdout_of(&assert), "");
    assert!(
        std::fs::symlink_metadata(&beside)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(env.read_bytes("outside.png"), b"not the project's");
    assert_eq!(env.read_bytes("proj/logo.png"), b"\x89PNG\x00mine");
    assert_eq!(env.read("proj/.groundwork.toml"), answers);
}

/// `adopt` counts what `diff` shows: a file whose only change is its executable bit differs
/// for both (adopt used to compare bytes only).
#[test]
fn issue16_adopt_and_diff_measure_drift_alike() {
    let env = TestEnv::new();
    let template = env
        .template("tpl", QUESTIONS)
        .file("README.md.tera", "# {{ project_name }}\n")
        .file("run.sh", "#!/bin/sh\n")
        .file("gone.txt", "bye\n")
        .build();
    env.write("legacy/README.md", "# Demo\n");
    env.write("legacy/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(
        env.path("legacy/run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let assert = env
        .groundwork()
        .args(["adopt", "legacy", "--defaults", "--template"])
        .arg(&template)
        .assert()
        .success();
    assert!(
        stdout_of(&assert).contains(
            "Of the template's 3 files, 1 differ from a pristine render and 1 are absent;"
        ),
        "{}",
        stdout_of(&assert)
    );
    let assert = env
        .groundwork()
        .args(["diff", "legacy"])
        .env("NO_COLOR", "1")
        .assert()
        .success();
    let diff = stdout_of(&assert);
    let files: Vec<&str> = diff
        .lines()
        .filter_map(|l| l.strip_prefix("diff --groundwork a/"))
        .collect();
    assert_eq!(files, ["gone.txt b/gone.txt", "run.sh b/run.sh"], "{diff}");
    assert!(
        diff.contains("old mode 100644\nnew mode 100755\n"),
        "{diff}"
    );
}

/// `diff` computes before it prints, yet a warning about its render still reaches stderr, before
/// the error, when reading the disk fails after it.
#[test]
fn issue16_diff_prints_its_warnings_when_it_then_fails() {
    let env = TestEnv::new();
    env.write("tpl/cookiecutter.json", r#"{"name": "demo"}"#);
    env.write(
        "tpl/{{cookiecutter.name}}/README.md",
        "# {{ cookiecutter.name }}\n",
    );
    env.write("tpl/hooks/post_gen_project.sh", "#!/bin/sh\ntrue\n");
    env.groundwork()
        .args([
            "new",
            "out",
            "--defaults",
            "--no-git",
            "--no-hooks",
            "--template",
        ])
        .arg(env.path("tpl"))
        .assert()
        .success();
    std::fs::remove_file(env.path("out/README.md")).unwrap();
    std::fs::create_dir(env.path("out/README.md")).unwrap();
    let assert = env
        .groundwork()
        .args(["diff", "out"])
        .assert()
        .failure()
        .code(1);
    assert_eq!(stdout_of(&assert), "");
    assert_eq!(
        stderr_of(&assert),
        format!(
            "warning: {} has hooks (hooks/post_gen_project.sh), which are not run for this comparison: what they change in a project shows as your changes\nerror: cannot write {}: the template writes a file here, but it is a directory\n",
            env.path("tpl").display(),
            env.path("out/README.md").display()
        )
    );
}
