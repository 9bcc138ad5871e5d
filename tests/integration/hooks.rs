//! Cookiecutter hooks (issue 10): consent (`--trust`, `--accept-hooks`, `--no-hooks`), hooks run
//! in a private temporary folder whose result is what gets written (a failing hook leaves no
//! output, `--keep-on-failure` keeps its folder), `pre_prompt`, and hooks in the renders of
//! `update`. Every run points TMPDIR into the test's folder, so leftovers can be seen.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::env::TestEnv;

/// A cookiecutter template at `tpl` with two files; add hooks to it.
fn template(env: &TestEnv) -> PathBuf {
    env.write(
        "tpl/cookiecutter.json",
        r#"{"name": "Demo", "slug": "{{ cookiecutter.name.lower() }}"}"#,
    );
    env.write(
        "tpl/{{cookiecutter.slug}}/README.md",
        "# {{ cookiecutter.name }}\n",
    );
    env.write("tpl/{{cookiecutter.slug}}/remove.me", "temporary\n");
    env.path("tpl")
}

/// A `post_gen_project` hook in Python that edits, deletes and creates files, using rendered variables.
const POST_GEN_PY: &str = r##"import os
print("post_gen_project for {{ cookiecutter.name }} in " + os.path.basename(os.getcwd()))
with open("README.md", "a") as f:
    f.write("Made by {{ cookiecutter.slug }}'s hook.\n")
os.remove("remove.me")
os.makedirs("src/{{ cookiecutter.slug }}")
with open("src/{{ cookiecutter.slug }}/__init__.py", "w") as f:
    f.write("NAME = '{{ cookiecutter.name }}'\n")
with open("run.sh", "w") as f:
    f.write("#!/bin/sh\n")
os.chmod("run.sh", 0o755)
"##;

#[test]
fn issue10_hooks_are_refused_without_consent_and_nothing_is_written() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write("tpl/hooks/post_gen_project.py", POST_GEN_PY);
    env.groundwork()
        .args(["new", "out", "--defaults", "--no-git", "--template"])
        .arg(&tpl)
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr(format!(
            "error: template {} has hooks (hooks/post_gen_project.py), which run programs on your machine; pass --trust to run them, or --no-hooks to create the project without running them (files the hooks would change then differ from cookiecutter's output)\n",
            tpl.display()
        ));
    assert!(!env.exists("out"));
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
    // `--accept-hooks ask` without a terminal is no consent either.
    env.groundwork()
        .args([
            "new",
            "out",
            "--defaults",
            "--no-git",
            "--accept-hooks",
            "ask",
        ])
        .arg("--template")
        .arg(&tpl)
        .assert()
        .failure()
        .code(1);
    assert!(!env.exists("out"));
    // --trust and --no-hooks contradict each other: a usage error.
    env.groundwork()
        .args(["new", "out", "--trust", "--no-hooks", "--template"])
        .arg(&tpl)
        .assert()
        .failure()
        .code(2);
}

#[test]
fn issue10_trusted_hooks_shape_the_project_that_is_written() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write("tpl/hooks/post_gen_project.py", POST_GEN_PY);
    // cookiecutter creates the project folder (empty) before pre_gen_project and runs it there.
    env.write_executable(
        "tpl/hooks/pre_gen_project.sh",
        "#!/bin/sh\necho \"pre_gen_project in $(basename \"$PWD\") with $(ls -A | wc -l) files\"\n",
    );
    // Backups are not hooks.
    env.write_executable("tpl/hooks/pre_gen_project.sh~", "#!/bin/sh\nexit 1\n");
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
            "Created {} from tpl 0.0.0: 4 files (4 new, 0 overwritten).\n",
            env.path("out").display()
        ))
        .stderr("pre_gen_project in demo with 0 files\npost_gen_project for Demo in demo\n");
    assert_eq!(env.read("out/README.md"), "# Demo\nMade by demo's hook.\n");
    assert!(!env.exists("out/remove.me"));
    assert_eq!(env.read("out/src/demo/__init__.py"), "NAME = 'Demo'\n");
    let mode = fs::metadata(env.path("out/run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "{mode:o}");
    assert!(env.read("out/.groundwork.toml").contains("name = \"Demo\""));
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());

    // cookiecutter's own spelling of consent.
    env.groundwork()
        .args([
            "new",
            "out2",
            "--defaults",
            "--no-git",
            "--accept-hooks",
            "yes",
        ])
        .arg("--template")
        .arg(&tpl)
        .assert()
        .success();
    assert_eq!(env.read("out2/README.md"), "# Demo\nMade by demo's hook.\n");
}

#[test]
fn issue10_no_hooks_and_dry_run_render_without_running_hooks() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/post_gen_project.sh",
        "#!/bin/sh\ntouch hooked\necho ran\n",
    );
    for flags in [&["--no-hooks"][..], &["--accept-hooks", "no"]] {
        env.groundwork()
            .args(["new", "out", "--defaults", "--no-git"])
            .args(flags)
            .arg("--template")
            .arg(&tpl)
            .assert()
            .success()
            .stderr("");
        assert!(env.exists("out/remove.me"));
        assert!(!env.exists("out/hooked"));
        fs::remove_dir_all(env.path("out")).unwrap();
    }
    // A dry run needs no consent and runs nothing; it says what it cannot show.
    env.groundwork()
        .args(["new", "out", "--defaults", "--dry-run", "--template"])
        .arg(&tpl)
        .assert()
        .success()
        .stderr("warning: the template's hooks (hooks/post_gen_project.sh) are never run for a dry run: the files they would create, change or delete are not shown\n");
    assert!(!env.exists("out"));
}

#[test]
fn issue10_a_failing_pre_gen_hook_stops_with_its_output_and_no_project() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/pre_gen_project.sh",
        "#!/bin/sh\necho 'checking {{ cookiecutter.slug }}'\necho 'slug is taken' >&2\nexit 3\n",
    );
    env.write_executable(
        "tpl/hooks/post_gen_project.sh",
        "#!/bin/sh\necho 'never runs'\n",
    );
    env.groundwork()
        .args(["new", "out", "--defaults", "--trust", "--template"])
        .arg(&tpl)
        .assert()
        .failure()
        .code(1)
        .stdout("")
        .stderr("checking demo\nslug is taken\nerror: hook hooks/pre_gen_project.sh failed (exit status 3); nothing was written. Fix the hook (or ask the template's authors), or pass --no-hooks to render without running hooks\n");
    assert!(!env.exists("out"));
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue10_keep_on_failure_keeps_the_folder_the_hooks_ran_in() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write(
        "tpl/hooks/post_gen_project.py",
        "import sys\nopen('half-done.txt', 'w').write('x')\nprint('giving up', flush=True)\nsys.exit(2)\n",
    );
    let assert = env
        .groundwork()
        .args([
            "new",
            "out",
            "--defaults",
            "--trust",
            "--keep-on-failure",
            "--template",
        ])
        .arg(&tpl)
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!env.exists("out"));
    let kept = env.temp_leftovers();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let folder = env.path("tmp").join(&kept[0]).join("demo");
    assert_eq!(
        stderr,
        format!(
            "giving up\nerror: hook hooks/post_gen_project.py failed (exit status 2); nothing was written; --keep-on-failure: the project as the hooks left it is in {}. Fix the hook (or ask the template's authors), or pass --no-hooks to render without running hooks\n",
            folder.display()
        )
    );
    assert_eq!(
        fs::read_to_string(folder.join("half-done.txt")).unwrap(),
        "x"
    );
    assert_eq!(
        fs::read_to_string(folder.join("README.md")).unwrap(),
        "# Demo\n"
    );
}

#[test]
fn issue10_a_hook_that_cannot_start_is_named() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable("tpl/hooks/pre_gen_project.sh", "");
    env.groundwork()
        .args(["new", "out", "--defaults", "--trust", "--template"])
        .arg(&tpl)
        .assert()
        .failure()
        .code(1)
        .stderr("error: hook hooks/pre_gen_project.sh could not be started: it might be an empty file or miss a shebang line (#!)\n");
    assert!(!env.exists("out"));
}

#[test]
fn issue10_pre_prompt_runs_in_a_copy_of_the_template_before_the_questions() {
    let env = TestEnv::new();
    let tpl = template(&env);
    // Not rendered: `{{ }}` reaches Python as it is.
    env.write(
        "tpl/hooks/pre_prompt.py",
        r#"import json
with open("cookiecutter.json") as f:
    context = json.load(f)
context["name"] = "Prompted"
with open("cookiecutter.json", "w") as f:
    json.dump(context, f)
print("pre_prompt sees {{ raw }}")
"#,
    );
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
        .stderr("pre_prompt sees {{ raw }}\n");
    assert_eq!(env.read("out/README.md"), "# Prompted\n");
    assert!(
        env.read("out/.groundwork.toml")
            .contains("slug = \"prompted\"")
    );
    // The template itself is untouched.
    assert!(env.read("tpl/cookiecutter.json").contains("\"Demo\""));
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
}

#[test]
fn issue10_update_runs_hooks_for_both_renders_with_trust() {
    let env = TestEnv::new();
    let repo = env.template_repo("cctpl");
    let write_version = |hook: &str| {
        for (path, text) in [
            (
                "cookiecutter.json",
                r#"{"name": "Demo", "slug": "{{ cookiecutter.name|lower }}"}"#,
            ),
            (
                "{{cookiecutter.slug}}/README.md",
                "# {{ cookiecutter.name }}\n",
            ),
            ("hooks/post_gen_project.py", hook),
        ] {
            let target = repo.path().join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, text).unwrap();
        }
    };
    write_version(
        "open('settings.ini', 'w').write('[{{ cookiecutter.slug }}]\\none = 1\\ntwo = 2\\nthree = 3\\n')\n",
    );
    repo.commit_and_tag("v1.0.0");
    env.groundwork()
        .args(["new", "proj", "--defaults", "--trust", "--template"])
        .arg(repo.path())
        .assert()
        .success();
    assert_eq!(
        env.read("proj/settings.ini"),
        "[demo]\none = 1\ntwo = 2\nthree = 3\n"
    );
    env.write(
        "proj/settings.ini",
        "[demo]\none = 1\ntwo = 2\nthree = 3\nmine = 4\n",
    );
    env.commit_all("proj", "mine");

    write_version(
        "open('settings.ini', 'w').write('[{{ cookiecutter.slug }}]\\none = 10\\ntwo = 2\\nthree = 3\\n')\n",
    );
    repo.commit_and_tag("v1.1.0");

    // Without consent the renders go without hooks, and the update says the base may be inexact.
    let dry = env
        .groundwork()
        .args(["update", "proj", "--dry-run"])
        .assert()
        .success();
    let stderr = String::from_utf8(dry.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!(
            "warning: {} has hooks (hooks/post_gen_project.py), which were not run for the template's renders (hooks never run for a dry run): the base may be inexact, and what the hooks change shows as your changes\n",
            repo.path().display()
        )),
        "{stderr}"
    );

    // With --trust both renders run the hook: the template's change merges with the user's.
    env.groundwork()
        .args(["update", "proj", "--trust"])
        .assert()
        .success()
        .code(0);
    assert_eq!(
        env.read("proj/settings.ini"),
        "[demo]\none = 10\ntwo = 2\nthree = 3\nmine = 4\n"
    );
    assert_eq!(env.temp_leftovers(), Vec::<String>::new());
    env.commit_all("proj", "updated");

    // A hook that fails during an update: its captured output is in the error, nothing changes.
    write_version("import sys\nprint('cannot configure {{ cookiecutter.slug }}')\nsys.exit(5)\n");
    repo.commit_and_tag("v1.2.0");
    env.groundwork()
        .args(["update", "proj", "--trust"])
        .assert()
        .failure()
        .code(1)
        .stderr("error: hook hooks/post_gen_project.py failed (exit status 5); nothing was written. Fix the hook (or ask the template's authors), or pass --no-hooks to render without running hooks\nits output:\ncannot configure demo\n");
    assert_eq!(
        env.read("proj/settings.ini"),
        "[demo]\none = 10\ntwo = 2\nthree = 3\nmine = 4\n"
    );
}

#[test]
fn issue10_a_hooks_git_repository_and_empty_folders_are_left_out_with_a_warning() {
    let env = TestEnv::new();
    let tpl = template(&env);
    env.write_executable(
        "tpl/hooks/post_gen_project.sh",
        "#!/bin/sh\nmkdir -p .git/objects data/raw\necho 'ref: refs/heads/main' > .git/HEAD\n",
    );
    env.groundwork()
        .args(["new", "out", "--defaults", "--trust", "--template"])
        .arg(&tpl)
        .assert()
        .success()
        .stderr("warning: a hook made .git/, which is left out: groundwork makes the project's repository itself (or not, with --no-git)\nwarning: the hooks left empty directories (data/raw), which are left out: a project holds files only, as git does\n");
    // groundwork's own repository, with the template's files committed.
    assert!(env.exists("out/.git"));
    assert!(!env.exists("out/data"));
    assert_eq!(env.read("out/README.md"), "# Demo\n");
}
