//! Issue 17, the command line's edges: the usage line after a mistyped flag, shell completions
//! and the manual page, and the built-in templates' versions and changelog (`groundwork
//! templates`). A tool a test needs (bash, man) that is missing fails the test: nothing is
//! skipped in silence.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::env::TestEnv;

fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Runs `program` with `args`, `input` on its stdin; its stdout and stderr, after checking it
/// succeeded.
fn run_tool(program: &str, args: &[&str], input: &[u8], env: &[(&str, &str)]) -> (String, String) {
    use std::io::Write as _;
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("`{program}` is needed by this test and could not be started: {e}")
        });
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{program} {args:?}: {stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

const NEW_USAGE_ERROR: &str = "error: unexpected argument '--defualts' found\n\n  tip: a similar argument exists: '--defaults'\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n";

/// The usage line used to be built from the arguments given, and a destination given made it
/// `Usage: groundwork new --defaults <DESTINATION] [KEY=VALUE>...`.
#[test]
fn issue17_usage_line_after_a_mistyped_flag() {
    let env = TestEnv::new();
    for args in [
        &["new", "--defualts"][..],
        &["new", "x", "--defualts"],
        &["new", "x", "key=value", "--defualts"],
    ] {
        env.groundwork()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(NEW_USAGE_ERROR);
    }
    env.groundwork()
        .args(["new", "--trust", "--no-hooks", "x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: the argument '--trust' cannot be used with '--no-hooks'\n\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nFor more information, try '--help'.\n");
    let help = stdout_of(&env.groundwork().args(["new", "--help"]).assert().success());
    assert!(
        help.contains(
            "\nUsage: groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n\nArguments:\n  [DESTINATION|KEY=VALUE]...\n"
        ),
        "{help}"
    );
}

/// The bash script, sourced in a non-interactive bash, registers `_groundwork` for `groundwork`
/// and completes `groundwork up` to `update`, `groundwork templ` to both `template` and
/// `templates`, and `groundwork completions ` to the five shells.
#[test]
fn issue17_bash_completion_completes_commands() {
    let env = TestEnv::new();
    let script = stdout_of(
        &env.groundwork()
            .args(["completions", "bash"])
            .assert()
            .success()
            .stderr(""),
    );
    let path = env.path("groundwork.bash");
    std::fs::write(&path, &script).unwrap();
    let probe = r#"
source "$1"
complete -p groundwork
complete_line() {
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
    _groundwork groundwork "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "$*: ${COMPREPLY[*]}"
}
complete_line groundwork up
complete_line groundwork templ
complete_line groundwork completions ''
"#;
    let (out, _) = run_tool(
        "bash",
        &[
            "--norc",
            "--noprofile",
            "-c",
            probe,
            "probe",
            path.to_str().unwrap(),
        ],
        b"",
        &[],
    );
    assert_eq!(
        out,
        "complete -o bashdefault -o default -o nosort -F _groundwork groundwork\n\
         groundwork up: update\n\
         groundwork templ: templates template\n\
         groundwork completions : -h --help bash elvish fish powershell zsh\n"
    );
}

/// Every shell gets a script; an unknown one is a usage error that lists them.
#[test]
fn issue17_completions_for_every_shell() {
    let env = TestEnv::new();
    for (shell, marker) in [
        ("bash", "complete -F _groundwork"),
        ("zsh", "#compdef groundwork"),
        ("fish", "complete -c groundwork"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'groundwork'",
        ),
        ("elvish", "set edit:completion:arg-completer[groundwork]"),
    ] {
        let script = stdout_of(
            &env.groundwork()
                .args(["completions", shell])
                .assert()
                .success()
                .stderr(""),
        );
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("update"), "{shell}");
    }
    env.groundwork()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: invalid value 'tcsh' for '<SHELL>'\n  [possible values: bash, elvish, fish, powershell, zsh]\n\n  tip: a similar value exists: 'zsh'\n\nFor more information, try '--help'.\n");
}

/// `groundwork man` is groundwork(1) and `groundwork man new` groundwork-new(1); both render with
/// `man -l -` without a warning.
#[test]
fn issue17_man_pages_render_with_man() {
    let env = TestEnv::new();
    let render = |args: &[&str]| {
        let roff = env.groundwork().args(args).assert().success().stderr("");
        let (page, warnings) = run_tool(
            "man",
            &["--warnings", "-l", "-"],
            &roff.get_output().stdout,
            &[("MANPAGER", "cat"), ("MANWIDTH", "100")],
        );
        assert_eq!(warnings, "", "{args:?}");
        page
    };
    let page = render(&["man"]);
    assert!(page.starts_with("groundwork(1)"), "{page}");
    for expected in [
        "NAME\n       groundwork - Data-science repositories that are ready to operate from their first commit\n",
        "SYNOPSIS\n       groundwork [-h|--help] [-V|--version] <subcommands>\n",
        "       groundwork-completions(1)\n",
        "       groundwork-man(1)\n",
    ] {
        assert!(page.contains(expected), "{expected:?} in\n{page}");
    }
    // Justified: the spaces between words vary with the text.
    let words = page.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Exit status: 0 success (check: up to date); 1 error,"),
        "{page}"
    );
    let page = render(&["man", "new"]);
    assert!(page.starts_with("groundwork-new(1)"), "{page}");
    assert!(
        page.contains("SYNOPSIS\n       groundwork new [OPTIONS] [DESTINATION] [KEY=VALUE]...\n"),
        "{page}"
    );
    let page = render(&["man", "template", "release"]);
    assert!(page.starts_with("groundwork-template-release(1)"), "{page}");
    assert!(
        page.contains(
            "SYNOPSIS\n       groundwork template release [--allow-ignored] [-h|--help] <--version> <DIR>\n"
        ),
        "{page}"
    );
    env.groundwork()
        .args(["man", "new", "x"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: `groundwork new` has no commands\n");
    env.groundwork()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: no command `nope`: the commands are new, update, check, diff, adopt, recover, templates, template, completions, man, config\n");
}

const DESCRIPTION: &str = "Data-science repository ready to operate: notebooks, a tested Python package, Kubernetes manifests applied by ArgoCD, alerts that link to runbooks, and CI";
/// Each with the date its changelog heading gives.
const VERSIONS: &str = "1.8.0 (latest, 2026-12-07), 1.7.0 (2026-12-07), 1.6.0 (2026-12-01), 1.5.0 (2026-12-01), 1.4.0 (2026-12-01), 1.3.0 (2026-12-01), 1.2.1 (2026-12-01), 1.2.0 (2026-12-01), 1.1.0 (2026-11-30), 1.0.0 (2026-11-30)";

#[test]
fn issue17_templates_lists_every_release_newest_first() {
    let env = TestEnv::new();
    env.groundwork()
        .arg("templates")
        .assert()
        .success()
        .stderr("")
        .stdout(format!(
            "datascience  {VERSIONS}\n             {DESCRIPTION}\n"
        ));
}

/// `templates datascience`: the versions, then the entries of templates/datascience/CHANGELOG.md
/// (from its first `## ` heading; the title and the maintainers' introduction are left out). Every
/// release has an entry, newest first, so no line names releases without one.
#[test]
fn issue17_templates_name_shows_versions_and_changelog() {
    let env = TestEnv::new();
    let changelog = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/datascience/CHANGELOG.md"),
    )
    .unwrap();
    // Headings are written `## 1.8.0 - 2026-12-07` and shown `## 1.8.0 (2026-12-07)`.
    let entries: String = changelog[changelog.find("\n## ").unwrap()..]
        .split_inclusive('\n')
        .map(|line| match line.strip_prefix("## ") {
            Some(heading) => {
                let (version, date) = heading.trim_end().split_once(" - ").unwrap();
                format!("## {version} ({date})\n")
            }
            None => line.to_owned(),
        })
        .collect();
    let headings: Vec<&str> = entries
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .collect();
    let versions: Vec<String> = VERSIONS
        .split("), ")
        .map(|v| format!("{})", v.trim_end_matches(')')).replace("(latest, ", "("))
        .collect();
    assert_eq!(headings, versions);
    env.groundwork()
        .args(["templates", "datascience"])
        .assert()
        .success()
        .stderr("")
        .stdout(format!(
            "datascience: {DESCRIPTION}\nVersions, newest first: {VERSIONS}\n{entries}"
        ));
    env.groundwork()
        .args(["templates", "nosuch"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("error: unknown built-in template `nosuch`; built-in templates: datascience\n");
}

/// `--ref` says it picks a built-in release too.
#[test]
fn issue17_ref_help_names_builtin_releases() {
    let env = TestEnv::new();
    let help = stdout_of(&env.groundwork().args(["new", "--help"]).assert().success());
    assert!(
        help.contains("      --ref <REF>\n          Which version: a release of a built-in template (`1.5.0`; `groundwork templates NAME`\n          lists them; default: the newest), or a version, tag, branch or commit of a git template\n"),
        "{help}"
    );
}
