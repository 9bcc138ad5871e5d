//! Integration tests: the real `groundwork` binary on real templates in temp dirs.

mod authoring;
mod builtin;
mod commands;
mod cookiecutter;
mod edges;
mod env;
mod git_blobs;
mod git_source;
mod golden;
mod hardening;
mod hooks;
mod hooks_limits;
mod interactive;
mod issue16_commands;
mod issue17_changelog;
mod issue17_cli;
mod issue17_config;
mod issue17_update;
mod issue18_versions;
mod layers;
mod limits;
mod new;
mod properties;
mod readme;
mod recovery;
mod release;
mod safety;
mod update;

use env::{TemplateBuilder, TestEnv};

/// Questions of every kind, with a `when`, a `validate` and a secret.
pub const QUESTIONS: &str = r#"
[[questions]]
name = "project_name"
prompt = "Project name"
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

[[questions]]
name = "api_token"
secret = true
default = "none"
"#;

pub const README: &str = "# {{ project_name }}\n\npackage={{ package }}\ndocker={{ use_docker }}\nreplicas={{ replicas + 1 }}\ncloud={{ cloud }}\nextras={{ extras | join(sep=',') }}\nregistry={{ registry }}\ntoken-set={{ api_token != 'none' }}\n";

pub const WORKFLOW: &str = "name: ci\non: [push]\njobs:\n  test:\n    strategy:\n      matrix:\n        python: ['3.11', '3.12']\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: ${{ matrix.python }}\n      - run: echo \"{{ not rendered }} {% neither %}\"\n";

/// Bytes that are not UTF-8, with a NUL and template syntax that must survive untouched.
pub const BINARY: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00{{ project_name }}\xff\xfe";

/// A template exercising every file feature.
pub fn kitchen_sink(env: &TestEnv) -> TemplateBuilder {
    env.template("sink", QUESTIONS)
        .file("README.md.tera", README)
        .file("src/{{ package }}/__init__.py", "VERSION = '0.1.0'\n")
        .file(
            "src/{{ package }}/{% if cloud == 'aws' %}aws.py{% endif %}",
            "AWS = True\n",
        )
        .file(
            "{% if use_docker %}Dockerfile{% endif %}.tera",
            "FROM {{ registry }}/base:1\n",
        )
        .file(
            "{% if use_docker %}docker{% endif %}/compose.yaml",
            "services: {}\n",
        )
        .file(".github/workflows/ci.yml", WORKFLOW)
        .file("assets/logo.png", BINARY)
        .executable("bin/run.sh", "#!/bin/sh\necho run\n")
}
