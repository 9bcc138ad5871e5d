//! Fuzz target: an answers data file (`--data-file`, TOML or JSON) through the parser
//! (`Presets::add_data_text`, what `add_data_file` runs on the file's text), then its answers
//! through `answers::collect` against questions of every kind, unattended. The first byte picks
//! the format (odd: JSON); the rest is the file's text. Errors are expected; panics are bugs.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use groundwork::api::{Mode, Presets};
use groundwork::api::Expressions;
use groundwork::api::{Manifest, manifest};
use libfuzzer_sys::fuzz_target;

/// Questions of every kind (the integration tests' kitchen sink), with a `when`, a `validate`,
/// choices and computed defaults.
const MANIFEST: &str = r#"
[template]
name = "fuzz"
version = "1.0.0"

[[questions]]
name = "project_name"
default = "Demo Project"
validate = '^[A-Za-z][A-Za-z0-9 ]*$'

[[questions]]
name = "package"
default = "{{ project_name | snake_case }}"

[[questions]]
name = "use_docker"
type = "bool"
default = false

[[questions]]
name = "replicas"
type = "integer"
default = 2

[[questions]]
name = "cloud"
choices = ["aws", "gcp", "none"]
default = "gcp"

[[questions]]
name = "extras"
type = "multi-choice"
choices = ["docs", "lint", "bench"]
default = ["docs"]

[[questions]]
name = "registry"
default = "ghcr.io/{{ package }}"
when = "use_docker"
"#;

fn questions() -> &'static Manifest {
    static MANIFEST_CELL: OnceLock<Manifest> = OnceLock::new();
    MANIFEST_CELL.get_or_init(|| {
        manifest::parse(Path::new("template.toml"), MANIFEST).expect("the fixed manifest parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&format, rest)) = data.split_first() else {
        return;
    };
    // The file is read as UTF-8 text before it is parsed; other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = if format % 2 == 1 {
        Path::new("answers.json")
    } else {
        Path::new("answers.toml")
    };
    let mut presets = Presets::default();
    if presets.add_data_text(path, text).is_err() {
        return;
    }
    let expressions = Expressions::new("fuzz");
    let _ = groundwork::api::collect(questions(), &presets, Mode::Unattended, &expressions);
});
