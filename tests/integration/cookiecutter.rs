//! The cookiecutter dialect on the fixture templates in `tests/fixtures/cookiecutter/`: every
//! fixture is rendered through the library API (with the `k=v` lines of `<fixture>.args` as
//! overrides) into `target/cookiecutter-groundwork/<fixture>/`, which `scripts/cookiecutter-diff`
//! compares with Python cookiecutter's output. Key outputs are asserted here too, so a
//! regression shows without Python. (Once `groundwork new` serves cookiecutter templates, the
//! script can call it instead: `groundwork new --template T --no-input --no-hooks --no-git -o OUT`.)

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use groundwork::cookiecutter::CookiecutterTemplate;
use groundwork::template::TemplateFile;
use groundwork::tree::Tree;

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
) -> Result<Tree, groundwork::error::Error> {
    let template = CookiecutterTemplate::from_files(&load(dir))?;
    template.render(&template.context(overrides)?)
}

/// Writes a tree the way `apply` would: regular files, 0755 when executable, else 0644.
fn write(tree: &Tree, out: &Path) {
    if out.exists() {
        fs::remove_dir_all(out).expect("old output removed");
    }
    for (path, entry) in tree.iter() {
        let target = out.join(path);
        fs::create_dir_all(target.parent().expect("has a parent")).expect("mkdir");
        fs::write(&target, &entry.contents).expect("write");
        let mode = if entry.executable { 0o755 } else { 0o644 };
        fs::set_permissions(&target, fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

fn text(tree: &Tree, path: &str) -> String {
    let entry = tree.get(path).unwrap_or_else(|| {
        let paths: Vec<_> = tree.iter().map(|(p, _)| p).collect();
        panic!("{path} missing; have {paths:?}")
    });
    String::from_utf8(entry.contents.clone()).expect("utf-8")
}

#[test]
fn cookiecutter_fixtures_render_into_target_for_the_differential_script() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cookiecutter-groundwork");
    let mut names: Vec<String> = fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        write(&render(&name), &out.join(&name));
    }
    // More templates (such as public ones) for the script: `COOKIECUTTER_DIFF_TEMPLATES` holds
    // `DIR[,key=value...]` entries separated by `;`. A failure is written as `ERROR.txt`, so the
    // script shows it next to cookiecutter's output.
    for entry in std::env::var("COOKIECUTTER_DIFF_TEMPLATES")
        .unwrap_or_default()
        .split(';')
        .filter(|e| !e.is_empty())
    {
        let mut parts = entry.split(',');
        let dir = PathBuf::from(parts.next().unwrap_or_default());
        let overrides = parts
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
            .collect();
        let name = dir.file_name().expect("a named directory").to_owned();
        let target = out.join(name);
        match render_dir(&dir, &overrides) {
            Ok(tree) => write(&tree, &target),
            Err(e) => {
                write(&Tree::default(), &target);
                fs::create_dir_all(&target).expect("mkdir");
                fs::write(target.join("ERROR.txt"), e.to_string()).expect("write");
            }
        }
    }
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
