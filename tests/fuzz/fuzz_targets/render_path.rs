//! Fuzz target: path rendering. The input is a path template and an answer, separated by a 0xFF
//! byte (never part of UTF-8 text). The template has a file at that path (its segments rendered
//! with Tera, as every template path is) beside a fixed `README.md`, and one string question
//! answered with `-d name=ANSWER`. Rendering into a `Tree` must never panic, and every path the
//! tree accepts must stay inside the destination: relative, no empty, `.` or `..` segment, no
//! `.git` segment in any case, no backslash or NUL. The checks here are written independently of
//! `tree::check_relative`, so a bug there is caught too.
//!
//! Loops and assignments (`for`, `set`, `range`) are left out of the path template: they can spin
//! or grow a string for as long as the fuzzer lets them, which the render time limit (a watchdog
//! that exits the process) and the integration tests cover, and libFuzzer would only report as
//! timeouts.
#![no_main]

use std::path::PathBuf;

use groundwork::api::{Mode, Presets};
use groundwork::api::Expressions;
use groundwork::api::{TemplateFile, manifest};
use groundwork::api::Template;
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = r#"
[template]
name = "fuzz"
version = "1.0.0"

[[questions]]
name = "name"
default = "x"

[[questions]]
name = "flag"
type = "bool"
default = true
"#;

fn file(path: &str, contents: &[u8]) -> TemplateFile {
    TemplateFile {
        path: path.to_owned(),
        contents: contents.to_vec(),
        executable: false,
        mode: None,
    }
}

fn assert_inside(path: &str) {
    assert!(!path.is_empty(), "empty path accepted");
    assert!(
        !path.starts_with('/') && !path.starts_with('\\'),
        "absolute path accepted: {path:?}"
    );
    assert!(
        !path.contains('\\') && !path.contains('\0'),
        "backslash or NUL accepted: {path:?}"
    );
    assert!(
        !(path.len() >= 2 && path.as_bytes()[1] == b':'),
        "drive path accepted: {path:?}"
    );
    for segment in path.split('/') {
        assert!(
            !matches!(segment, "" | "." | ".."),
            "segment {segment:?} accepted in {path:?}"
        );
        assert!(
            !segment.eq_ignore_ascii_case(".git"),
            "a .git segment accepted in {path:?}"
        );
    }
    // What the path means to the OS: only normal components, nothing that climbs out.
    assert!(
        PathBuf::from(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_))),
        "{path:?} has a component that is not a plain name"
    );
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |&b| b == 0xFF);
    let (Some(path), Some(answer)) = (parts.next(), parts.next()) else {
        return;
    };
    let (Ok(path), Ok(answer)) = (std::str::from_utf8(path), std::str::from_utf8(answer)) else {
        return;
    };
    if ["for", "set", "range"].iter().any(|w| path.contains(w)) {
        return;
    }
    let manifest = manifest::parse(&PathBuf::from("template.toml"), MANIFEST)
        .expect("the fixed manifest parses");
    let Ok(template) = Template::new(
        manifest,
        vec![file(path, b"fuzzed\n"), file("README.md", b"readme\n")],
    ) else {
        return;
    };
    let mut presets = Presets::default();
    if presets.add_data_args(&[format!("name={answer}")]).is_err() {
        return;
    }
    let expressions = Expressions::new("fuzz");
    let Ok(answers) =
        groundwork::api::collect(&template.manifest, &presets, Mode::Unattended, &expressions)
    else {
        return;
    };
    let Ok(tree) = groundwork::api::render_native(&template, &answers) else {
        return;
    };
    for (path, _) in tree.iter() {
        assert_inside(path);
    }
});
