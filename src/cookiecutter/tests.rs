//! Unit tests of the dialect on small in-memory templates: exact expected outputs, so
//! `cargo test` catches regressions without Python.

use super::*;

fn file(path: &str, contents: &str) -> TemplateFile {
    TemplateFile {
        path: path.into(),
        contents: contents.as_bytes().to_vec(),
        executable: false,
    }
}

fn template(json: &str, files: &[(&str, &str)]) -> CookiecutterTemplate {
    let mut all = vec![file("cookiecutter.json", json)];
    all.extend(files.iter().map(|(p, c)| file(p, c)));
    CookiecutterTemplate::from_files(&all).unwrap()
}

fn text(tree: &Tree, path: &str) -> String {
    String::from_utf8(
        tree.get(path)
            .unwrap_or_else(|| panic!("{path} missing"))
            .contents
            .clone(),
    )
    .unwrap()
}

#[test]
fn cookiecutter_defaults_use_python_methods_and_earlier_values() {
    let t = template(
        r#"{"project_name": "My Project", "slug": "{{ cookiecutter.project_name.lower().replace(' ', '_') }}",
            "kind": ["lib", "app"], "docker": true, "n": 3, "short": "{{ cookiecutter.kind if cookiecutter.docker else 'none' }}",
            "either": "{{ '' or cookiecutter.slug }}", "_private": "{{ raw }}", "__rendered": "{{ cookiecutter.slug }}!",
            "meta": {"name": "{{ cookiecutter.slug }}", "n": 1}}"#,
        &[("{{cookiecutter.slug}}/a.txt", "x")],
    );
    let ctx = t.context(&Map::new()).unwrap();
    let cc = &ctx["cookiecutter"];
    assert_eq!(cc["slug"], "my_project");
    assert_eq!(cc["kind"], "lib");
    assert_eq!(cc["docker"], true);
    assert_eq!(cc["n"], "3");
    assert_eq!(cc["short"], "lib");
    assert_eq!(cc["either"], "my_project");
    assert_eq!(cc["_private"], "{{ raw }}");
    assert_eq!(cc["__rendered"], "my_project!");
    assert_eq!(
        cc["meta"],
        serde_json::json!({"name": "my_project", "n": "1"})
    );
    assert_eq!(
        ctx["_cookiecutter"]["slug"],
        "{{ cookiecutter.project_name.lower().replace(' ', '_') }}"
    );
    let names: Vec<_> = t.variables().iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "project_name",
            "slug",
            "kind",
            "docker",
            "n",
            "short",
            "either",
            "meta"
        ]
    );
}

#[test]
fn cookiecutter_overrides_follow_extra_context() {
    let t = template(
        r#"{"name": "a", "kind": ["lib", "app"], "docker": true, "unknown_is_ignored": "x"}"#,
        &[(
            "{{cookiecutter.name}}/f",
            "{{ cookiecutter.kind }} {{ cookiecutter.docker }}\n",
        )],
    );
    let mut o = Map::new();
    o.insert("kind".into(), "app".into());
    o.insert("docker".into(), "off".into());
    o.insert("nope".into(), "1".into());
    let ctx = t.context(&o).unwrap();
    assert_eq!(
        ctx["_cookiecutter"]["kind"],
        serde_json::json!(["app", "lib"])
    );
    let tree = t.render(&ctx).unwrap();
    assert_eq!(text(&tree, "a/f"), "app False\n");
    o.insert("kind".into(), "web".into());
    assert!(matches!(
        t.context(&o),
        Err(Error::CookiecutterVariable { .. })
    ));
}

#[test]
fn cookiecutter_render_paths_newlines_and_copy_without_render() {
    let t = template(
        r#"{"name": "demo", "flag": false, "_copy_without_render": ["raw/*", "*.keep"]}"#,
        &[
            (
                "{{cookiecutter.name}}/{{cookiecutter.name}}.txt",
                "{{ cookiecutter.name }}\n\n",
            ),
            (
                "{{cookiecutter.name}}/{% if cookiecutter.flag %}gone.txt{% endif %}",
                "x",
            ),
            (
                "{{cookiecutter.name}}/crlf.txt",
                "a\r\n{{ cookiecutter.name }}\r\n",
            ),
            (
                "{{cookiecutter.name}}/raw/{{cookiecutter.name}}.txt",
                "{{ not rendered }}",
            ),
            (
                "{{cookiecutter.name}}/{{cookiecutter.name}}.keep",
                "{{ kept }}",
            ),
            (
                "{{cookiecutter.name}}/loop.txt",
                "{% for x in ['a','b'] %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}{% raw %}${{ x }}{% endraw %}",
            ),
            (
                "{{cookiecutter.name}}/json.txt",
                "{{ {'b': [1, 2], 'a': 'é'} | jsonify }}|{{ 'Hello World'|slugify }}|{{ cookiecutter.flag is sameas false }}",
            ),
            ("hooks/post_gen_project.py", "print()"),
        ],
    );
    assert!(t.has_hooks());
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    let paths: Vec<_> = tree.iter().map(|(p, _)| p.to_owned()).collect();
    assert_eq!(
        paths,
        [
            "demo/crlf.txt",
            "demo/demo.keep",
            "demo/demo.txt",
            "demo/json.txt",
            "demo/loop.txt",
            "demo/raw/demo.txt"
        ]
    );
    assert_eq!(text(&tree, "demo/demo.txt"), "demo\n\n");
    assert_eq!(text(&tree, "demo/crlf.txt"), "a\r\ndemo\r\n");
    assert_eq!(text(&tree, "demo/raw/demo.txt"), "{{ not rendered }}");
    assert_eq!(text(&tree, "demo/demo.keep"), "{{ kept }}");
    assert_eq!(text(&tree, "demo/loop.txt"), "1a,2b${{ x }}");
    assert_eq!(
        text(&tree, "demo/json.txt"),
        "{\n    \"a\": \"\\u00e9\",\n    \"b\": [\n        1,\n        2\n    ]\n}|hello-world|True"
    );
}

#[test]
fn cookiecutter_now_uses_the_clock_override_and_unknown_extensions_fail() {
    // The clock is read from the environment; set it for this process only in this test.
    // SAFETY-free: std::env::set_var is safe in edition 2024 only inside unsafe; use a format
    // that does not depend on it instead.
    let t = template(
        r#"{"name": "d"}"#,
        &[("{{cookiecutter.name}}/y.txt", "{% now 'utc', '%Y' %}")],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(text(&tree, "d/y.txt").len(), 4);
    let bad = vec![
        file(
            "cookiecutter.json",
            r#"{"name": "d", "_extensions": ["local_extensions.Foo"]}"#,
        ),
        file("{{cookiecutter.name}}/x", ""),
    ];
    let err = CookiecutterTemplate::from_files(&bad)
        .unwrap_err()
        .to_string();
    assert!(err.contains("local_extensions.Foo"), "{err}");
}

#[test]
fn cookiecutter_undefined_variables_name_the_file_and_line() {
    let t = template(
        r#"{"name": "d"}"#,
        &[(
            "{{cookiecutter.name}}/x.txt",
            "ok\n{{ cookiecutter.nope }}\n",
        )],
    );
    let err = t
        .render(&t.context(&Map::new()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("template file x.txt:2: "), "{err}");
}
