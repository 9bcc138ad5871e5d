//! The cookiecutter dialect (issue 10) on the fixture templates in `tests/fixtures/cookiecutter/`
//! (with the `k=v` lines of `<fixture>.args` as answers): key outputs of the library render, the
//! same files through `groundwork new`, answers and errors at the command line, and an update of a
//! cookiecutter git template. `scripts/cookiecutter-diff` compares `groundwork new` with Python
//! cookiecutter itself.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use groundwork::api::CookiecutterTemplate;

use crate::env::TestEnv;
use groundwork::api::TemplateFile;
use groundwork::api::Tree;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cookiecutter")
}

fn load(dir: &Path) -> Vec<TemplateFile> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("fixture is readable"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside the fixture");
            TemplateFile {
                mode: None,
                path: rel.to_string_lossy().replace('\\', "/"),
                contents: fs::read(e.path()).expect("fixture file is readable"),
                executable: e.metadata().expect("metadata").permissions().mode() & 0o111 != 0,
            }
        })
        .collect()
}

fn overrides(name: &str) -> serde_json::Map<String, serde_json::Value> {
    let args = fixtures().join(format!("{name}.args"));
    fs::read_to_string(args)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
        .collect()
}

fn render(name: &str) -> Tree {
    render_dir(&fixtures().join(name), &overrides(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn render_dir(
    dir: &Path,
    overrides: &serde_json::Map<String, serde_json::Value>,
) -> Result<Tree, groundwork::api::Error> {
    let template = CookiecutterTemplate::from_files(&load(dir))?;
    template.render(&template.context(overrides)?)
}

/// The library's render of a fixture as files inside the project folder, sorted.
fn library_files(name: &str) -> Vec<(String, Vec<u8>, bool)> {
    let mut files: Vec<(String, Vec<u8>, bool)> = render(name)
        .iter()
        .map(|(path, entry)| {
            let inside = path.split_once('/').map_or(path, |(_, rest)| rest);
            (inside.to_owned(), entry.contents.clone(), entry.executable)
        })
        .collect();
    files.sort();
    files
}

fn text(tree: &Tree, path: &str) -> String {
    let entry = tree.get(path).unwrap_or_else(|| {
        let paths: Vec<_> = tree.iter().map(|(p, _)| p).collect();
        panic!("{path} missing; have {paths:?}")
    });
    String::from_utf8(entry.contents.clone()).expect("utf-8")
}

#[test]
fn issue10_new_renders_every_fixture_as_the_library_does_with_answers_recorded() {
    let env = TestEnv::new();
    let mut names: Vec<String> = fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let out = env.path(&name);
        let mut cmd = env.groundwork();
        // `{% gitcommit %}` asks the repository around the working directory, as jinja2-git does.
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("new")
            .arg(&out)
            .arg("--template")
            .arg(fixtures().join(&name))
            .args(["--defaults", "--no-git", "--no-hooks"]);
        for (key, value) in overrides(&name) {
            cmd.arg("-d")
                .arg(format!("{key}={}", value.as_str().unwrap_or_default()));
        }
        // `{% now %}` reads the clock: the binary's files must equal the library's render from
        // just before or just after it (a minute may tick over in between).
        let before = library_files(&name);
        cmd.assert().success();
        let after = library_files(&name);
        let mut written: Vec<(String, Vec<u8>, bool)> = walkdir::WalkDir::new(&out)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.expect("readable"))
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(&out)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let mode = e.metadata().unwrap().permissions().mode();
                (rel, fs::read(e.path()).unwrap(), mode & 0o111 != 0)
            })
            .filter(|(rel, _, _)| rel != ".groundwork.toml")
            .collect();
        written.sort();
        if written != before {
            assert_eq!(written, after, "{name}");
        }
        let answers = env.read(&format!("{name}/.groundwork.toml"));
        assert!(answers.contains("version = \"0.0.0\""), "{answers}");
    }
}

#[test]
fn issue10_cookiecutter_answers_and_errors_at_the_command_line() {
    let env = TestEnv::new();
    let template = env.path("cc");
    env.write(
        "cc/cookiecutter.json",
        r#"{"project_name": "Churn Model", "slug": "{{ cookiecutter.project_name.lower().replace(' ', '-') }}", "license": ["MIT", "BSD"], "docker": true}"#,
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/README.md",
        "# {{ cookiecutter.project_name }} ({{ cookiecutter.license }}, docker={{ cookiecutter.docker }})\n",
    );
    env.groundwork()
        .args([
            "new",
            "one",
            "--defaults",
            "--no-git",
            "-d",
            "license=BSD",
            "-d",
            "docker=no",
        ])
        .arg("--template")
        .arg(&template)
        .assert()
        .success();
    assert_eq!(
        env.read("one/README.md"),
        "# Churn Model (BSD, docker=False)\n"
    );
    assert_eq!(
        env.read("one/.groundwork.toml"),
        format!(
            "# Written by groundwork. `groundwork update` reads it; edit answers with `groundwork update -d key=value`.\n[template]\nsource = \"{}\"\nversion = \"0.0.0\"\ndigest = \"{}\"\n\n[answers]\nproject_name = \"Churn Model\"\nslug = \"churn-model\"\nlicense = \"BSD\"\ndocker = false\n",
            template.display(),
            env.read("one/.groundwork.toml")
                .lines()
                .find_map(|l| l.strip_prefix("digest = \""))
                .and_then(|l| l.strip_suffix('"'))
                .unwrap()
        )
    );
    // The recorded answers replay: a second project from them is the same.
    env.groundwork()
        .args(["new", "two", "--defaults", "--no-git", "--data-file"])
        .arg(env.path("one/.groundwork.toml"))
        .arg("--template")
        .arg(&template)
        .assert()
        .success();
    assert_eq!(env.read("two/README.md"), env.read("one/README.md"));

    // An answer the template does not ask is left aside, as cookiecutter leaves it, with a word.
    env.groundwork()
        .args(["new", "other", "--defaults", "--no-git", "-d", "colour=red"])
        .arg("--template")
        .arg(&template)
        .assert()
        .success()
        .stderr(predicates::str::contains("warning: answer `colour` (from -d colour=red) is ignored, as cookiecutter ignores it: this template asks: project_name, slug, license, docker\n"));
    assert!(env.exists("other/README.md"));

    env.write("cc/hooks/post_gen_project.sh", "#!/bin/sh\ntouch hooked\n");
    env.groundwork()
        .args(["new", "hooked", "--defaults", "--no-git"])
        .arg("--template")
        .arg(&template)
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: template {} has hooks (hooks/post_gen_project.sh), which run programs on your machine; pass --trust to run them, or --no-hooks to create the project without running them (files the hooks would change then differ from cookiecutter's output)\n",
            template.display()
        ));
    assert!(!env.exists("hooked"));
    env.groundwork()
        .args(["new", "hooked", "--defaults", "--no-git", "--no-hooks"])
        .arg("--template")
        .arg(&template)
        .assert()
        .success();
    assert!(!env.exists("hooked/hooked"));
}

#[test]
fn issue10_a_cookiecutter_git_template_gains_a_tag_and_the_project_updates() {
    let env = TestEnv::new();
    let repo = env.template_repo("cctpl");
    let write_version = |readme: &str| {
        for (path, text) in [
            (
                "cookiecutter.json",
                r#"{"name": "Demo", "slug": "{{ cookiecutter.name|lower }}"}"#,
            ),
            ("{{cookiecutter.slug}}/README.md", readme),
            ("{{cookiecutter.slug}}/notes.txt", "one\ntwo\nthree\n"),
        ] {
            let target = repo.path().join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, text).unwrap();
        }
    };
    write_version("# {{ cookiecutter.name }}\n\nIntro.\n");
    repo.commit_and_tag("v1.0.0");
    env.groundwork()
        .args(["new", "proj", "--defaults", "--no-hooks"])
        .arg("--template")
        .arg(repo.path())
        .assert()
        .success();
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("version = \"1.0.0\"")
    );
    env.write("proj/notes.txt", "one\ntwo\nthree\nmine\n");
    env.commit_all("proj", "mine");

    write_version("# {{ cookiecutter.name }}\n\nIntro.\n\n## Usage\n\nRun it.\n");
    repo.commit_and_tag("v1.1.0");
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .failure()
        .code(4);
    env.update("proj", &[]).assert().success().code(0);
    assert_eq!(
        env.read("proj/README.md"),
        "# Demo\n\nIntro.\n\n## Usage\n\nRun it.\n"
    );
    assert_eq!(env.read("proj/notes.txt"), "one\ntwo\nthree\nmine\n");
    assert!(
        env.read("proj/.groundwork.toml")
            .contains("version = \"1.1.0\"")
    );
}

#[test]
fn cookiecutter_features_fixture_renders_exact_outputs() {
    let tree = render("features");
    let root = "my_demo_project";
    assert!(tree.get(&format!("{root}/Dockerfile")).is_none());
    assert_eq!(text(&tree, &format!("{root}/ci.cfg")), "ci = github\n");
    assert_eq!(
        text(&tree, &format!("{root}/no_newline.txt")),
        "no trailing newline mydemoproject"
    );
    assert_eq!(
        text(&tree, &format!("{root}/many_newlines.txt")),
        "three trailing newlines mydemoproject\n\n\n"
    );
    assert_eq!(
        text(&tree, &format!("{root}/windows.txt")),
        "line one mydemoproject\r\nline two\r\n"
    );
    assert_eq!(
        text(&tree, &format!("{root}/static/mydemoproject.js")),
        "const x = \"{{ kept verbatim }}\";\n"
    );
    assert_eq!(
        text(&tree, &format!("{root}/docs/verbatim/{{{{ name }}}}.md")),
        "{% this would not even parse %}\n"
    );
    assert!(
        text(&tree, &format!("{root}/workflow.yml"))
            .contains("echo ${{ github.sha }} ${{ matrix.python }} mydemoproject\n")
    );
    let readme = text(&tree, &format!("{root}/README.md"));
    for line in [
        "# My Demo Project MYDEMOPROJECT\n",
        "by Anonymous.\n",
        "License: MIT (True)\n",
        "Docker: False, CI: True, nothing: None\n",
        "Python 3.12 with 4 workers.\n",
        "Settings: {'name': 'my_demo_project', 'port': '8080', 'debug': False, 'tags': ['a', 'mydemoproject']}\n",
        "Private: {{ this is not rendered }} / built for my_demo_project\n",
        "Slug: my-demo-project / hello-world-1000-times / it_s_a_test\n",
        "- 1/4 name = my_demo_project (first)\n",
        "No docker.",
    ] {
        assert!(readme.contains(line), "{line:?} not in:\n{readme}");
    }
    let run = tree.get(&format!("{root}/scripts/run.sh")).expect("run.sh");
    assert!(run.executable);
    let logo = tree.get(&format!("{root}/assets/logo.png")).expect("logo");
    assert!(logo.contents.starts_with(b"\x89PNG"));
    assert_eq!(
        text(&tree, &format!("{root}/docs/index.md")),
        "<!-- header for mydemoproject -->\n\nDocs for My Demo Project.\n"
    );
}

#[test]
fn cookiecutter_settings_fixture_applies_new_lines_trim_blocks_and_overrides() {
    let tree = render("settings");
    let config = text(&tree, "given-name/config.txt");
    assert!(
        config.starts_with("    item a\r\n    item b\r\n"),
        "{config:?}"
    );
    assert!(config.contains("flavour = chocolate\r\n"), "{config:?}");
    assert!(config.contains("random length: 12 8\r\nuuid length: 36\r\n"));
}

/// `groundwork new --no-input --no-git --template TEMPLATE` plus `args`.
fn cc_new(env: &TestEnv, template: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = env.groundwork();
    cmd.args(["new", "--no-input", "--no-git", "--template"])
        .arg(template)
        .args(args);
    cmd
}

/// A small cookiecutter template whose project folder is named from its answers.
fn named_template(env: &TestEnv) -> PathBuf {
    env.write(
        "cc/cookiecutter.json",
        r#"{"project_name": "Churn Model", "slug": "{{ cookiecutter.project_name.lower().replace(' ', '-') }}", "owner": "data"}"#,
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/README.md",
        "# {{ cookiecutter.project_name }} by {{ cookiecutter.owner }}\n",
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/NOTES",
        "{{ cookiecutter.owner }}\n",
    );
    env.path("cc")
}

#[test]
fn issue10_output_dir_and_key_value_arguments_as_cookiecutter_takes_them() {
    let env = TestEnv::new();
    let template = named_template(&env);
    // No destination: the folder the template names, inside -o; answers as KEY=VALUE arguments.
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out"])
        .arg("--template")
        .arg(&template)
        .args(["project_name=Fraud Score", "owner=risk"])
        .assert()
        .success()
        .stdout(format!(
            "Created {} from cc 0.0.0: 3 files (3 new, 0 overwritten).\n",
            env.path("out/fraud-score").display()
        ));
    assert_eq!(
        env.read("out/fraud-score/README.md"),
        "# Fraud Score by risk\n"
    );
    // Without -o, the current directory; a destination with -o is taken inside it.
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "--template"])
        .arg(&template)
        .assert()
        .success();
    assert_eq!(env.read("churn-model/NOTES"), "data\n");
    cc_new(&env, &template, &["mine", "owner=ops", "-o", "out"])
        .assert()
        .success();
    assert_eq!(env.read("out/mine/NOTES"), "ops\n");

    // The named folder exists: refused as for a destination, with -f/-s as cookiecutter has them.
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
        .arg(&template)
        .arg("project_name=Fraud Score")
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: destination {} is not empty: choose a new directory, or pass --force to overwrite the files the template writes (nothing else is touched)\n",
            env.path("out/fraud-score").display()
        ));
    env.write("out/fraud-score/NOTES", "mine\n");
    env.write("out/fraud-score/README.md", "kept\n");
    cc_new(&env, &template, &["-s", "-o", "out"])
        .args(["project_name=Fraud Score", "owner=other"])
        .assert()
        .success()
        .stdout(format!(
            "Created {} from cc 0.0.0: 3 files (0 new, 1 overwritten, 2 skipped as they exist).\n",
            env.path("out/fraud-score").display()
        ));
    assert_eq!(env.read("out/fraud-score/NOTES"), "mine\n");
    assert_eq!(env.read("out/fraud-score/README.md"), "kept\n");
    cc_new(&env, &template, &["-f", "-o", "out"])
        .args(["project_name=Fraud Score", "owner=other"])
        .assert()
        .success();
    assert_eq!(env.read("out/fraud-score/NOTES"), "other\n");
}

#[test]
fn issue10_command_line_mistakes_around_output_dir_are_clear() {
    let env = TestEnv::new();
    let template = named_template(&env);
    env.groundwork()
        .args(["new", "one", "two", "--no-input", "--template"])
        .arg(&template)
        .assert()
        .failure()
        .code(2)
        .stderr("error: `two`: give one destination; answers are KEY=VALUE\n");
    let native = env.template("native", "").file("README.md", "hi\n").build();
    env.groundwork()
        .args(["new", "--no-input", "-o", "out", "--template"])
        .arg(&native)
        .assert()
        .failure()
        .code(2)
        .stderr(format!(
            "error: template {} does not name its project folder: give a DESTINATION (`groundwork new DIR`); only cookiecutter templates are created inside --output-dir under a name they render\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n",
            native.display()
        ));
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
        .arg(&template)
        .arg("project_name=../up")
        .assert()
        .failure()
        .code(1)
        .stderr("error: cookiecutter template: the project directory `{{ cookiecutter.slug }}` renders to `../up`, which is not one folder name (it must not contain `/` or be `.` or `..`); change the answer that names the project\n");
    assert!(!env.exists("out"));
    assert!(!env.exists("up"));
}

#[test]
fn issue10_a_menu_of_nested_templates_is_chosen_from() {
    let env = TestEnv::new();
    env.write(
        "menu/cookiecutter.json",
        r#"{"templates": {"lib": {"path": "./library", "title": "Library", "description": "a package"}, "app": {"path": "./application", "title": "Application"}}}"#,
    );
    for (dir, kind) in [("library", "lib"), ("application", "app")] {
        env.write(
            &format!("menu/{dir}/cookiecutter.json"),
            r#"{"name": "thing"}"#,
        );
        env.write(
            &format!("menu/{dir}/{{{{ cookiecutter.name }}}}/KIND"),
            format!("{kind} {{{{ cookiecutter.name }}}}\n"),
        );
    }
    let menu = env.path("menu");
    // Unattended: the first entry, as cookiecutter --no-input takes it.
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "first", "--template"])
        .arg(&menu)
        .assert()
        .success();
    assert_eq!(env.read("first/thing/KIND"), "lib thing\n");
    // By key or by title, with answers for the nested template.
    cc_new(
        &env,
        &menu,
        &[
            "-o",
            "chosen",
            "--template-name",
            "Application",
            "name=tool",
        ],
    )
    .assert()
    .success();
    assert_eq!(env.read("chosen/tool/KIND"), "app tool\n");
    assert!(
        env.read("chosen/tool/.groundwork.toml").contains(&format!(
            "source = \"{}\"",
            menu.join("application").display()
        )),
        "{}",
        env.read("chosen/tool/.groundwork.toml")
    );
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "none", "--template-name", "web", "--template"])
        .arg(&menu)
        .assert()
        .failure()
        .code(1)
        .stderr(format!(
            "error: {} offers nested templates (lib, app); `web` is none of them: pass --template-name with one of those keys or titles\n",
            menu.display()
        ));
    assert!(!env.exists("none"));
}

#[test]
fn issue10_a_cookiecutter_checkout_is_read_as_cookiecutter_reads_it() {
    let env = TestEnv::new();
    let repo = env.template_repo("cctpl");
    env.write("cctpl/cookiecutter.json", r#"{"slug": "demo"}"#);
    env.write("cctpl/{{cookiecutter.slug}}/f", "tagged\n");
    repo.commit_and_tag("v1.0.0");
    env.write("cctpl/{{cookiecutter.slug}}/f", "head\n");
    repo.commit("after the tag");
    let head = git2::Repository::open(repo.path())
        .unwrap()
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    let new = |out: &str, extra: &[&str]| {
        env.groundwork()
            .args(["new", "--no-input", "--no-git", "-o", out, "--template"])
            .arg(repo.path())
            .args(extra)
            .assert()
            .success();
    };
    let recorded = |out: &str| {
        let text = env.read(&format!("{out}/demo/.groundwork.toml"));
        let template = text.split("\n\n").next().unwrap().to_owned();
        template
            .lines()
            .skip(2)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let source = format!("source = \"{}\"", repo.path().display());
    // A clean checkout: its head (not the highest tag), recorded as that commit.
    new("clean", &[]);
    assert_eq!(env.read("clean/demo/f"), "head\n");
    assert_eq!(
        recorded("clean"),
        [
            source.clone(),
            "version = \"0.0.0\"".into(),
            format!("commit = \"{head}\"")
        ]
    );
    // Through a URL too: the default branch's head, as cookiecutter clones it.
    let url = format!("file://{}", repo.path().display());
    env.groundwork()
        .args([
            "new",
            "--no-input",
            "--no-git",
            "-o",
            "url",
            "--template",
            &url,
        ])
        .assert()
        .success();
    assert_eq!(env.read("url/demo/f"), "head\n");
    // --ref (--checkout) reads git at that reference.
    new("tagged", &["--checkout", "v1.0.0"]);
    assert_eq!(env.read("tagged/demo/f"), "tagged\n");
    assert_eq!(recorded("tagged")[1], "version = \"1.0.0\"");
    // Uncommitted edits are rendered as they are, and the folder recorded with its digest.
    env.write("cctpl/{{cookiecutter.slug}}/f", "edited\n");
    new("dirty", &[]);
    assert_eq!(env.read("dirty/demo/f"), "edited\n");
    let dirty = recorded("dirty");
    assert_eq!(dirty[..2], [source, "version = \"0.0.0\"".into()]);
    assert!(dirty[2].starts_with("digest = \"sha256:"), "{dirty:?}");

    // A project from the clean checkout updates to the next head.
    env.write("cctpl/{{cookiecutter.slug}}/f", "next\n");
    repo.commit("next");
    env.update("clean/demo", &["--allow-dirty"])
        .assert()
        .success();
    assert_eq!(env.read("clean/demo/f"), "next\n");
}

#[test]
fn issue10_check_follows_a_cookiecutter_templates_default_branch() {
    let env = TestEnv::new();
    let repo = env.template_repo("cctpl");
    env.write("cctpl/cookiecutter.json", r#"{"slug": "demo"}"#);
    env.write("cctpl/{{cookiecutter.slug}}/f", "one\n");
    repo.commit_and_tag("v1.0.0");
    let url = format!("file://{}", repo.path().display());
    env.groundwork()
        .args(["new", "proj", "--no-input", "--template", &url])
        .assert()
        .success();
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .success()
        .stdout(format!(
            "{} is up to date: cctpl 1.0.0 ({url}).\n",
            env.path("proj").display()
        ));
    // An untagged commit on the default branch is the next update, as cruft sees it.
    env.write("cctpl/{{cookiecutter.slug}}/f", "two\n");
    repo.commit("untagged");
    let head = git2::Repository::open(repo.path())
        .unwrap()
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    env.groundwork()
        .args(["check", "proj"])
        .assert()
        .code(4)
        .stdout(format!(
            "{}: cctpl 1.0.0 -> commit {} available ({url}); run `groundwork update` to merge it.\n",
            env.path("proj").display(),
            &head[..12]
        ));
    env.update("proj", &[]).assert().success();
    assert_eq!(env.read("proj/f"), "two\n");
    env.groundwork().args(["check", "proj"]).assert().success();
}

#[test]
fn issue10_output_dir_is_told_to_the_template_as_an_absolute_path() {
    // Cookiecutter's `_output_dir` is the absolute folder the project is written into (templates
    // dump it with `jsonify` into a `.cookiecutter.json`); a later `diff` renders the same bytes.
    let env = TestEnv::new();
    env.write("cc/cookiecutter.json", r#"{"slug": "where"}"#);
    env.write(
        "cc/{{ cookiecutter.slug }}/WHERE",
        "{{ cookiecutter._output_dir }}\n",
    );
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
        .arg(env.path("cc"))
        .assert()
        .success();
    assert_eq!(
        env.read("out/where/WHERE"),
        format!("{}\n", env.path("out").display())
    );
    env.groundwork()
        .args(["diff", "out/where"])
        .assert()
        .success()
        .code(0);
    env.groundwork()
        .args(["new", "mine", "--no-input", "--no-git", "--template"])
        .arg(env.path("cc"))
        .assert()
        .success();
    let cwd = env.path("mine").parent().expect("a parent").to_owned();
    assert_eq!(env.read("mine/WHERE"), format!("{}\n", cwd.display()));
}

#[test]
fn issue10_a_default_naming_its_own_variable_renders_once_answered() {
    // `"kedro_version": "{{ cookiecutter.kedro_version }}"`: no default can be computed, but
    // cookiecutter renders the template once the answer is given; so does groundwork.
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"name": "Site", "slug": "{{ cookiecutter.name|lower }}", "version": "{{ cookiecutter.version }}"}"#,
    );
    env.write(
        "cc/{{ cookiecutter.slug }}/VERSION",
        "{{ cookiecutter.version }}\n",
    );
    env.groundwork()
        .args(["new", "--no-input", "--no-git", "-o", "out", "--template"])
        .arg(env.path("cc"))
        .arg("version=1.2")
        .assert()
        .success();
    assert_eq!(env.read("out/site/VERSION"), "1.2\n");
}

/// The permission bits of the file at `relative` in the environment.
fn mode(env: &TestEnv, relative: &str) -> u32 {
    fs::metadata(env.path(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
        .permissions()
        .mode()
        & 0o7777
}

/// Python cookiecutter copies each template file's mode to the file it generates
/// (`shutil.copymode`): so does the cookiecutter dialect, for rendered, copied and binary files,
/// and a `post_gen_project` hook's `chmod` stands. setuid/setgid/sticky bits are never copied.
/// Native templates still write 0644 and 0755 only. (`scripts/cookiecutter-diff` compares the
/// `modes` fixture with Python cookiecutter itself.)
#[test]
fn cookiecutter_files_keep_their_source_modes_and_native_files_do_not() {
    let env = TestEnv::new();
    env.write(
        "cc/cookiecutter.json",
        r#"{"name": "proj", "_copy_without_render": ["verbatim.txt"]}"#,
    );
    let files = [
        (
            "secret.txt",
            "token {{ cookiecutter.name }}\n",
            0o600,
            0o600,
        ),
        ("bin/tool.sh", "#!/bin/sh\n", 0o775, 0o775),
        ("readonly.txt", "{{ cookiecutter.name }}\n", 0o444, 0o444),
        ("verbatim.txt", "{{ kept }}\n", 0o640, 0o640),
        ("usual.txt", "usual\n", 0o644, 0o644),
        ("script.sh", "#!/bin/sh\n", 0o755, 0o755),
        ("setuid.sh", "#!/bin/sh\n", 0o4755, 0o755),
    ];
    for (path, contents, source_mode, _) in files {
        let relative = format!("cc/{{{{cookiecutter.name}}}}/{path}");
        env.write(&relative, contents);
        fs::set_permissions(env.path(&relative), fs::Permissions::from_mode(source_mode)).unwrap();
    }
    let binary = "cc/{{cookiecutter.name}}/data.bin";
    env.write(binary, b"\x00\x01binary");
    fs::set_permissions(env.path(binary), fs::Permissions::from_mode(0o604)).unwrap();

    // The dry run's plan shows the modes it would write.
    cc_new(&env, &env.path("cc"), &["-o", "out", "--dry-run"])
        .assert()
        .success()
        .stdout(format!(
            "Dry run: cc 0.0.0 would write:\n  create    644  .groundwork.toml\n  create    775  bin/tool.sh\n  create    604  data.bin\n  create    444  readonly.txt\n  create    755  script.sh\n  create    600  secret.txt\n  create    755  setuid.sh\n  create    644  usual.txt\n  create    640  verbatim.txt\n9 files into {}: 9 to create, 0 to overwrite, 0 unchanged\nNothing was written.\n",
            env.path("out/proj").display()
        ));
    cc_new(&env, &env.path("cc"), &["-o", "out"])
        .assert()
        .success();
    for (path, _, _, expected) in files {
        assert_eq!(mode(&env, &format!("out/proj/{path}")), expected, "{path}");
    }
    assert_eq!(mode(&env, "out/proj/data.bin"), 0o604);
    assert_eq!(mode(&env, "out/proj/.groundwork.toml"), 0o644);
    assert_eq!(env.read("out/proj/verbatim.txt"), "{{ kept }}\n");

    // --force over identical files with other modes: they get the template's modes.
    fs::set_permissions(
        env.path("out/proj/secret.txt"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    cc_new(&env, &env.path("cc"), &["-o", "out", "-f"])
        .assert()
        .success();
    assert_eq!(mode(&env, "out/proj/secret.txt"), 0o600);

    // A post_gen_project hook that changes a mode has the last word, as in cookiecutter.
    env.write(
        "cc/hooks/post_gen_project.sh",
        "#!/bin/sh\nchmod 700 secret.txt\n",
    );
    cc_new(&env, &env.path("cc"), &["-o", "hooked", "--trust"])
        .assert()
        .success();
    assert_eq!(mode(&env, "hooked/proj/secret.txt"), 0o700);
    assert_eq!(mode(&env, "hooked/proj/bin/tool.sh"), 0o775);

    // A native template: 0644 or 0755 by the executable bit, whatever the source's mode.
    let native = env
        .template("native", "")
        .file("secret.txt", "s\n")
        .file("tool.sh", "#!/bin/sh\n")
        .build();
    fs::set_permissions(native.join("secret.txt"), fs::Permissions::from_mode(0o600)).unwrap();
    fs::set_permissions(native.join("tool.sh"), fs::Permissions::from_mode(0o775)).unwrap();
    env.new_project(&native, "plain", &["--defaults"])
        .assert()
        .success();
    assert_eq!(mode(&env, "plain/secret.txt"), 0o644);
    assert_eq!(mode(&env, "plain/tool.sh"), 0o755);
}

/// Issue 15: a project folder name that renders to an absolute path or to more than one folder is
/// refused (cookiecutter would write outside the output folder, or nest the project), not turned
/// into `OUT/abs` with the files in `path/`.
#[test]
fn issue15_a_project_folder_name_that_is_a_path_is_refused() {
    let env = TestEnv::new();
    env.write("t/cookiecutter.json", r#"{"name": "/abs/path"}"#);
    env.write("t/{{cookiecutter.name}}/f.txt", "hi\n");
    for (answer, rendered) in [
        (None, "/abs/path"),
        (Some("name=a/b"), "a/b"),
        (Some("name=.."), ".."),
    ] {
        let mut command = env.groundwork();
        command.args(["new", "--template", "./t", "--no-input", "-o", "OUT"]);
        command.args(answer);
        let output = command.assert().failure().code(1);
        assert_eq!(
            String::from_utf8_lossy(&output.get_output().stderr),
            format!(
                "error: cookiecutter template: the project directory `{{{{cookiecutter.name}}}}` renders to `{rendered}`, which is not one folder name (it must not contain `/` or be `.` or `..`); change the answer that names the project\n"
            )
        );
        assert!(!env.exists("OUT"));
    }
}
