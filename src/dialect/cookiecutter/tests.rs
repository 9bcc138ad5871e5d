//! Unit tests of the dialect on small in-memory templates: exact expected outputs, so
//! `cargo test` catches regressions without Python.

use super::*;

fn file(path: &str, contents: &str) -> TemplateFile {
    TemplateFile {
        mode: None,
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
    // The clock override (GROUNDWORK_COOKIECUTTER_NOW) is process-wide and the crate forbids
    // the unsafe `set_var`, so this checks the shape; scripts/cookiecutter-diff checks the value.
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

#[test]
fn cookiecutter_variables_carry_kinds_and_prompts() {
    let t = template(
        r#"{"name": "x", "license": ["MIT", "BSD"], "ok": true, "meta": {"a": 1}, "none": null,
            "_hidden": 1, "__rendered": "y",
            "__prompts__": {"name": "Project name?", "license": {"__prompt__": "Which license?", "MIT": "MIT License"}}}"#,
        &[("{{cookiecutter.name}}/f", "")],
    );
    let v = t.variables();
    assert_eq!(v.len(), 5);
    assert_eq!(v[0].prompt, "Project name?");
    assert_eq!(v[0].kind, VariableKind::String);
    assert_eq!(v[1].prompt, "Which license?");
    assert_eq!(
        v[1].choice_labels.get("MIT").map(String::as_str),
        Some("MIT License")
    );
    assert!(matches!(&v[1].kind, VariableKind::Choice(options) if options.len() == 2));
    assert_eq!(v[2].kind, VariableKind::Bool);
    assert_eq!(v[3].kind, VariableKind::Dict);
    assert_eq!(v[4].kind, VariableKind::Null);
    assert!(!t.has_hooks());
    let mut ctx = t.context(&Map::new()).unwrap();
    assert!(ctx["cookiecutter"].get("__prompts__").is_none());
    add_invocation(&mut ctx, "gh:o/r", "/out", "/tmp/r", None);
    assert_eq!(ctx["cookiecutter"]["_template"], "gh:o/r");
    let public = answers(&ctx);
    assert_eq!(
        public.keys().collect::<Vec<_>>(),
        ["name", "license", "ok", "meta", "none"]
    );
}

#[test]
fn cookiecutter_layout_errors_are_clear() {
    let nested = vec![file("cookiecutter.json", r#"{"templates": {}}"#)];
    let err = CookiecutterTemplate::from_files(&nested)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "cookiecutter template: cookiecutter.json has an empty `templates` menu: nothing to render"
    );
    let menu = vec![file(
        "cookiecutter.json",
        r#"{"template": ["Library (./lib)", "Plain"]}"#,
    )];
    let Err(Error::NestedTemplates { menu }) = CookiecutterTemplate::from_files(&menu) else {
        panic!("a `template` list is a menu");
    };
    assert_eq!(
        menu.iter()
            .map(|n| (n.label(), n.path.as_str()))
            .collect::<Vec<_>>(),
        [("Library".to_owned(), "./lib"), ("Plain".to_owned(), "")]
    );
    let bad_json = vec![file("cookiecutter.json", "{\n  \"a\": \n}")];
    let err = CookiecutterTemplate::from_files(&bad_json)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cookiecutter.json:3:"), "{err}");
    let t = template(
        r#"{"name": "d", "sub": ""}"#,
        &[("{{cookiecutter.name}}/{{cookiecutter.sub}}/f.txt", "x")],
    );
    let err = t
        .render(&t.context(&Map::new()).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("renders to an empty name"), "{err}");
    let t = template(
        r#"{"name": "d", "x": "{{ cookiecutter.missing }}"}"#,
        &[("{{cookiecutter.name}}/f", "")],
    );
    let err = t.context(&Map::new()).unwrap_err().to_string();
    assert!(err.contains("cannot compute `x`"), "{err}");
}

#[test]
fn hook_files_are_what_cookiecutters_valid_hook_accepts() {
    // The name without its last extension is the stage; backups and other names are not hooks.
    assert_eq!(
        hook_stage("hooks/pre_gen_project.py"),
        Some("pre_gen_project")
    );
    assert_eq!(
        hook_stage("hooks/post_gen_project"),
        Some("post_gen_project")
    );
    assert_eq!(hook_stage("hooks/pre_prompt.sh"), Some("pre_prompt"));
    assert_eq!(hook_stage("hooks/pre_gen_project.py~"), None);
    assert_eq!(hook_stage("hooks/pre_gen_project.py.bak"), None);
    assert_eq!(hook_stage("hooks/pre_gen_project.tar.py"), None);
    assert_eq!(hook_stage("hooks/.pre_gen_project"), None);
    assert_eq!(hook_stage("hooks/sub/pre_gen_project.py"), None);
    assert_eq!(hook_stage("pre_gen_project.py"), None);
    assert_eq!(hook_stage("hooks/helpers.py"), None);

    let t = template(
        r#"{"name": "demo", "_jinja2_env_vars": {"trim_blocks": true}}"#,
        &[
            ("{{cookiecutter.name}}/f", ""),
            ("hooks/post_gen_project.sh", "#!/bin/sh\n"),
            (
                "hooks/post_gen_project.py",
                "{% if true %}\nprint('{{ cookiecutter.name }}')\n{% endif %}\n",
            ),
            ("hooks/post_gen_project.py~", ""),
        ],
    );
    let scripts: Vec<_> = t
        .hook_scripts("post_gen_project")
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        scripts,
        ["hooks/post_gen_project.py", "hooks/post_gen_project.sh"]
    );
    let ctx = t.context(&Map::new()).unwrap();
    // Rendered with the template's environment settings, trailing newline kept.
    assert_eq!(
        t.render_hook(t.hook_scripts("post_gen_project")[0], &ctx)
            .unwrap(),
        "print('demo')\n"
    );
}

#[test]
fn cookiecutter_unicode_whitespace_inside_tags_separates_tokens_as_in_jinja2() {
    // A no-break space typed inside `{{ ... }}` or `{% ... %}` is whitespace to Jinja2 (Python's
    // `\s`); outside tags and inside string literals it is kept.
    let t = template(
        r#"{"name": "app"}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "x\u{a0}{{\u{a0}cookiecutter.name }}\n{%\u{a0}if cookiecutter.name == 'app' %}'{{ '\u{a0}' }}'{% endif %}\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(text(&tree, "app/a.txt"), "x\u{a0}app\n'\u{a0}'\n");
}

#[test]
fn cookiecutter_filters_and_methods_follow_jinja2_and_python() {
    // `tojson` sorts keys and escapes non-ASCII and HTML characters; `int`/`float` fall back to
    // their default; `wordwrap` takes positional arguments; `str.title()` is Python's.
    let t = template(
        r#"{"name": "app"}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "{{ {'b': 'Zoë', 'a': \"<'&'>\"}|tojson }}\n\
             {{ 'abc'|int }} {{ 'abc'|int(7) }} {{ '3.7'|int }} {{ '0x1A'|int(base=16) }} {{ ' 12 '|int }} {{ 'x'|float }} {{ '1.5'|float }}\n\
             {{ 'aaa bbb ccc'|wordwrap(7) }}\n\
             {{ 'my_app-name'.title() }} {{ 'my_app-name'|title }} {{ 'a b'.rsplit(' ', 1)[0] }} {{ '7'.zfill(3) }}\n\
             {{ {'q': 'a b/c', 'n': none}|urlencode }} {{ 'a b/~c'|urlencode }}\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(
        text(&tree, "app/a.txt"),
        "{\"a\": \"\\u003c\\u0027\\u0026\\u0027\\u003e\", \"b\": \"Zo\\u00eb\"}\n\
         0 7 3 26 12 0.0 1.5\n\
         aaa bbb\nccc\n\
         My_App-Name My_app-Name a 007\n\
         q=a+b%2Fc&n=None a%20b/~c\n"
    );
}

#[test]
fn cookiecutter_inline_if_without_else_and_indent_as_jinja2() {
    // An inline `if` without `else` prints nothing when false (strict undefined is for lookups);
    // `indent` keeps a trailing newline, takes a string, and `first`/`blank` as Jinja2 has them.
    let t = template(
        r#"{"name": "app", "mypy": false}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "[{{ 'mypy' if cookiecutter.mypy }}]\n{{ 'a\\nb\\n'|indent(2) }}|{{ 'a\\n\\nb'|indent('> ', true, true) }}|\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(text(&tree, "app/a.txt"), "[]\na\n  b\n|> a\n> \n> b|\n");
}

#[test]
fn cookiecutter_percent_formatting_of_a_string_literal() {
    // `'...%s' % value` (a tuple for several values, a dict for named fields), as templates use
    // it to build include paths and names.
    let t = template(
        r#"{"name": "app", "license": "MIT"}"#,
        &[
            (
                "{{cookiecutter.name}}/LICENSE",
                "{% include '_/licenses/%s' % cookiecutter.license -%}\n",
            ),
            (
                "{{cookiecutter.name}}/b.txt",
                "{{ '%s-%03d' % (cookiecutter.name, 7) }} {{ '%(n)s' % {'n': 1} }} {{ 7 % 4 }}\n",
            ),
            ("{{cookiecutter.name}}/_/licenses/MIT", "MIT text\n"),
        ],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(text(&tree, "app/b.txt"), "app-007 1 3\n");
    assert_eq!(text(&tree, "app/LICENSE"), "MIT text\n");
}

#[test]
fn cookiecutter_tuples_print_as_python_tuples() {
    // Tuple displays, `dict.items()`, `dictsort`, `items` and `str.partition` give tuples, which
    // Python prints with parentheses.
    let t = template(
        r#"{"name": "app", "meta": {"b": "2", "a": "1"}}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "{{ ('x', 1) }} {{ ('x',) }} {{ cookiecutter.meta.items()|list }} {{ cookiecutter.meta|dictsort }} {{ cookiecutter.meta|items|first }} {{ 'a.b'.partition('.') }} {{ [{'g': 1}]|groupby('g')|first }}\n\
             {% for k, v in cookiecutter.meta.items() %}{{ k }}={{ v }};{% endfor %}\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(
        text(&tree, "app/a.txt"),
        "('x', 1) ('x',) [('b', '2'), ('a', '1')] [('a', '1'), ('b', '2')] ('b', '2') ('a', '.', 'b') (1, [{'g': 1}])\nb=2;a=1;\n"
    );
}

#[test]
fn cookiecutter_trim_and_lstrip_blocks_around_now_and_raw_as_jinja2() {
    // With trim_blocks and lstrip_blocks: the spaces before a `{% now %}` that starts its line go
    // even when the previous tag took the newline; the newline after `{% raw %}` stays (Jinja2
    // trims only the one after `{% endraw %}`).
    let t = template(
        r#"{"name": "app", "_jinja2_env_vars": {"trim_blocks": true, "lstrip_blocks": true}}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "{% now 'utc', '%Y' %}\n  {% now 'utc', '%Y' %}\nx\n  {% raw %}\n  {{ r }}\n  {% endraw %}\nend\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    let year = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .year();
    assert_eq!(
        text(&tree, "app/a.txt"),
        format!("{year}{year}x\n\n  {{{{ r }}}}\nend\n")
    );
    let refused = CookiecutterTemplate::from_files(&[
        file(
            "cookiecutter.json",
            r#"{"name": "a", "_jinja2_env_vars": {"keep_trailing_newline": false}}"#,
        ),
        file("{{cookiecutter.name}}/a", "x"),
    ]);
    assert!(refused.is_err_and(|e| e.to_string().contains("keep_trailing_newline")));
}

#[test]
fn cookiecutter_dict_update_that_changes_nothing_prints_none_and_one_that_would_is_refused() {
    // cookiecutter-django trims answers with `cookiecutter.update(...)` in a hook: with answers
    // already trimmed nothing changes, which is rendered as Python prints it.
    let t = template(
        r#"{"name": "app", "domain": "example.com"}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "{{ cookiecutter.update({'domain': cookiecutter.domain | trim}) }} {{ cookiecutter.domain }}\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(text(&tree, "app/a.txt"), "None example.com\n");
    let mut spaced = Map::new();
    spaced.insert("domain".into(), Value::from(" example.com "));
    let err = t
        .render(&t.context(&spaced).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("dict.update() would change `domain`"), "{err}");
}

/// Jinja2's `format` filter is Python's `%` (`soft_str(value) % (kwargs or args)`), and
/// `str.format()` is bounded as the other widths are. Expected values are Python 3.11's.
#[test]
fn issue15_the_format_filter_and_str_format_follow_python_within_the_file_limit() {
    let t = template(
        r#"{"name": "app"}"#,
        &[(
            "{{cookiecutter.name}}/a.txt",
            "{{ '%s-%03d' | format('a', 7) }} {{ '%(a)s!' | format(a='k') }} {{ '%s' | format((1, 2)) }} {{ '100%%' | format }} {{ '%r' | format('q') }}\n{{ '{0[a:b]:>5}|{1:x>4}|{2:+08.3f}|{3:.100000000000s}'.format({'a:b': 1}, 'y', 2.5, 'abc') }}\n",
        )],
    );
    let tree = t.render(&t.context(&Map::new()).unwrap()).unwrap();
    assert_eq!(
        text(&tree, "app/a.txt"),
        "a-007 k! (1, 2) 100% 'q'\n    1|xxxy|+002.500|abc\n"
    );
    for (expression, what) in [
        ("'%s' | format('a', b=1)", None),
        (
            "'{:>100000000000}'.format('x')",
            Some("str.format(): a width"),
        ),
        // A `}` fill, which minijinja reads (Python does not): the width is still found.
        (
            "'{:}<100000000000}'.format('x')",
            Some("str.format(): a width"),
        ),
        (
            "'{0:.100000000000f}'.format(1.5)",
            Some("str.format(): a precision"),
        ),
        (
            "'{:.100000000000}'.format(1.5)",
            Some("str.format(): a precision"),
        ),
        (
            "'%100000000000s' | format('x')",
            Some("`%` formatting: a width"),
        ),
    ] {
        let t = template(
            r#"{"name": "app"}"#,
            &[(
                "{{cookiecutter.name}}/a.txt",
                &format!("{{{{ {expression} }}}}"),
            )],
        );
        let error = t.render(&t.context(&Map::new()).unwrap()).unwrap_err();
        let expected = match what {
            Some(what) => format!(
                "template file a.txt:1: invalid operation: {what} of 100000000000 makes a result over the limit of 67108864 bytes per file (GROUNDWORK_MAX_FILE_BYTES) (in a.txt:1)"
            ),
            None => "template file a.txt:1: invalid operation: format: can't handle positional and keyword arguments at the same time (in a.txt:1)".to_owned(),
        };
        assert_eq!(error.to_string(), expected, "{expression}");
    }
}
