//! The README's commands are run, and the docs' links lead somewhere.
//!
//! Every fenced shell block of README.md is either run here or listed in [`SKIPPED`] with the
//! reason it cannot be. A run block's `groundwork ...` lines go through the real binary, in order,
//! in one temporary folder (each block starts in that folder; `cd DIR` moves within a block).
//! A line must exit 0, or the status its comment gives as `exits N`. Any other command in a run
//! block fails the test, so a new README command cannot go unchecked.

use std::path::{Path, PathBuf};

use crate::TestEnv;

/// The blocks of `## Install`: they build a release binary and a wheel and install them with pipx,
/// uv, pip and cargo, which `cargo test` cannot do in its temporary folder.
const INSTALL_REASON: &str = "run by scripts/test-wheel (in .ci/run): every line of `## Install` \
                              but `cargo install --git`, without network, in a temporary HOME";

/// Blocks that cannot run here, each known by a line it holds, with the reason.
const SKIPPED: &[(&str, &str)] = &[
    ("scripts/wheel", INSTALL_REASON),
    (
        "pipx install target/wheels/groundwork-*.whl",
        INSTALL_REASON,
    ),
    ("cargo install --locked --path .", INSTALL_REASON),
    ("groundwork completions bash >", INSTALL_REASON),
    (
        "cargo run --release -- new /tmp/churn-model --defaults",
        "cargo inside `cargo test` (a release build, then a project outside the test's folder); \
         the same `new --defaults` on the built-in template runs in the quickstart block",
    ),
    (
        "groundwork new churn-model --template https://github.com/org/ds-template --ref v1.2.0",
        "needs the network (a GitHub URL and a `gh:` shorthand); git templates are tested \
         with local repositories in git_source.rs and cookiecutter.rs",
    ),
];

/// Shell languages a fenced block may be marked with.
const SHELL: &[&str] = &["sh", "shell", "bash", "console"];

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced blocks of a Markdown text: (info string, lines, line number of the opening fence).
fn fenced_blocks(text: &str) -> Vec<(String, Vec<String>, usize)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Vec<String>, usize)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((info.trim().to_owned(), Vec::new(), number + 1));
                }
            }
            Some((info, mut lines, start)) => {
                if trimmed.starts_with("```") {
                    blocks.push((info, lines, start));
                } else {
                    lines.push(line.to_owned());
                    open = Some((info, lines, start));
                }
            }
        }
    }
    assert!(open.is_none(), "an unclosed code fence");
    blocks
}

/// Splits a shell line into words (single and double quotes, backslash escapes) and the comment
/// after an unquoted `#` that starts a word.
fn shell_words(line: &str) -> (Vec<String>, String) {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => return (words, chars.collect::<String>().trim().to_owned()),
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            '|' | '&' | ';' | '<' | '>' | '$' | '`' | '*' | '?' => {
                panic!("`{line}`: this test runs plain commands only, without `{c}`")
            }
            '~' if !in_word => panic!("`{line}`: this test does not expand `~`"),
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    (words, String::new())
}

/// The status a line's comment promises (`exits N`), else 0.
fn expected_status(comment: &str) -> i32 {
    comment
        .split("exits ")
        .nth(1)
        .and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or(0)
}

/// What the README's commands refer to as the reader's own: a native template in a folder, a
/// cookiecutter template in a folder, and a repository groundwork did not make.
fn readers_files(env: &TestEnv) {
    env.template(
        "my-template",
        "[[questions]]\nname = \"title\"\ndefault = \"{{ destination_name }}\"\n",
    )
    .file("README.md.tera", "# {{ title }}\n")
    .build();
    env.write(
        "my-cookiecutter/cookiecutter.json",
        r#"{"project_name": "My Lib", "project_slug": "{{ cookiecutter.project_name.lower().replace(' ', '_') }}"}"#,
    );
    env.write(
        "my-cookiecutter/{{cookiecutter.project_slug}}/README.md",
        "# {{ cookiecutter.project_name }}\n",
    );
    env.write("existing-repo/README.md", "# A repository made by hand\n");
}

/// Runs one README block; returns what it ran, for the summary.
fn run_block(env: &TestEnv, lines: &[String], start: usize) -> Vec<String> {
    let mut ran = Vec::new();
    let mut cwd: PathBuf = env.root().to_path_buf();
    for (offset, line) in lines.iter().enumerate() {
        let at = format!("README.md:{}: `{}`", start + 1 + offset, line.trim());
        let (words, comment) = shell_words(line);
        let Some((command, args)) = words.split_first() else {
            continue;
        };
        match command.as_str() {
            "cd" => {
                assert_eq!(args.len(), 1, "{at}: cd takes one folder");
                cwd = cwd.join(&args[0]);
                assert!(cwd.is_dir(), "{at}: no folder {}", cwd.display());
            }
            "groundwork" => {
                let output = env
                    .groundwork()
                    .current_dir(&cwd)
                    .args(args)
                    .output()
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
                let expected = expected_status(&comment);
                assert_eq!(
                    output.status.code(),
                    Some(expected),
                    "{at} exited {:?}, the README says {expected}\nstdout:\n{}\nstderr:\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr),
                );
                ran.push(line.trim().to_owned());
            }
            other => panic!(
                "{at}: this test cannot run `{other}`: run it here, or list the block in SKIPPED \
                 with the reason"
            ),
        }
    }
    ran
}

/// Acceptance 5 of issue 16: every command the README shows is run.
#[test]
fn issue16_every_readme_shell_block_is_run_or_skipped_with_a_reason() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let env = TestEnv::new();
    readers_files(&env);
    let mut used = vec![false; SKIPPED.len()];
    let mut ran = Vec::new();
    for (info, lines, start) in fenced_blocks(&readme) {
        assert!(
            !info.is_empty(),
            "README.md:{start}: a code block without a language: mark it (sh, toml, text, ...)"
        );
        if !SHELL.contains(&info.as_str()) {
            continue;
        }
        let skip = SKIPPED
            .iter()
            .position(|(marker, _)| lines.iter().any(|l| l.contains(marker)));
        if let Some(index) = skip {
            used[index] = true;
            continue;
        }
        ran.extend(run_block(&env, &lines, start));
    }
    for ((marker, reason), used) in SKIPPED.iter().zip(used) {
        assert!(
            used,
            "SKIPPED lists a block holding `{marker}` ({reason}), but README.md has none: remove it"
        );
    }
    // The quickstart's project went through new -> check -> update.
    assert!(
        ran.iter().any(|l| l.starts_with("groundwork check")),
        "{ran:?}"
    );
    assert!(
        ran.iter().any(|l| l.starts_with("groundwork update")),
        "{ran:?}"
    );
    assert!(env.exists("churn-model/.groundwork.toml"));
    assert!(env.exists("analysis/README.md"));
    assert!(env.exists("projects/my_lib/README.md"));
    assert!(env.exists("existing-repo/.groundwork.toml"));
}

/// Issue 17: the README's install commands are the ones CI runs. Every shell block of `## Install` is
/// left to `scripts/test-wheel`, which runs that section's lines (it reads README.md itself) and which
/// `.ci/run` runs.
#[test]
fn issue17_the_install_section_is_run_by_scripts_test_wheel_in_ci() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let start = readme
        .find("\n## Install\n")
        .expect("README.md has a `## Install` section");
    let rest = &readme[start + 1..];
    let section = &rest[..rest[1..].find("\n## ").map_or(rest.len(), |end| end + 1)];
    let blocks: Vec<_> = fenced_blocks(section)
        .into_iter()
        .filter(|(info, _, _)| SHELL.contains(&info.as_str()))
        .collect();
    assert!(blocks.len() >= 3, "{blocks:?}");
    for (_, lines, _) in &blocks {
        let reason = SKIPPED
            .iter()
            .find(|(marker, _)| lines.iter().any(|l| l.contains(marker)))
            .map(|(_, reason)| *reason);
        assert_eq!(reason, Some(INSTALL_REASON), "{lines:?}");
    }
    let script = std::fs::read_to_string(repository().join("scripts/test-wheel")).unwrap();
    assert!(
        script.contains("$0 == \"## Install\""),
        "scripts/test-wheel reads the section"
    );
    let ci = std::fs::read_to_string(repository().join(".ci/run")).unwrap();
    assert!(
        ci.lines()
            .any(|l| l.trim_start().starts_with("scripts/test-wheel")),
        ".ci/run runs scripts/test-wheel"
    );
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, punctuation other than `-` and `_`
/// dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.push(anchor(line.trim_start_matches('#')));
        }
    }
    found
}

/// The targets of a Markdown text's inline links `[text](target)`, outside code blocks and code
/// spans, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop code spans: every other piece between backticks.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push((number + 1, after[..end].to_owned()));
            rest = &after[end..];
        }
    }
    found
}

/// Every relative link in README.md, CONTRIBUTING.md and docs/*.md leads to a file that exists,
/// and its `#anchor`, if any, to a heading of that file.
#[test]
fn issue16_every_relative_link_in_the_docs_leads_to_a_file_that_exists() {
    let root = repository();
    let mut pages = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(root).unwrap().display().to_string();
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            checked += 1;
            if !file.exists() {
                broken.push(format!("{name}:{line}: {target}: no such file"));
                continue;
            }
            if !fragment.is_empty() && file.extension().is_some_and(|e| e == "md") {
                let headings = anchors(&std::fs::read_to_string(&file).unwrap());
                if !headings.iter().any(|h| h == fragment) {
                    broken.push(format!("{name}:{line}: {target}: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(
        checked >= 20,
        "only {checked} links found: is the parser broken?"
    );
}

#[test]
fn shell_words_split_like_sh_and_keep_the_comment() {
    let (words, comment) =
        shell_words(r#"groundwork new x -d name="Ada L" 'a b' c\ d  # exits 4: newer"#);
    assert_eq!(
        words,
        ["groundwork", "new", "x", "-d", "name=Ada L", "a b", "c d"]
    );
    assert_eq!(comment, "exits 4: newer");
    assert_eq!(expected_status(&comment), 4);
    assert_eq!(expected_status("what it would change"), 0);
    assert_eq!(
        anchor(" `[computed]` and `exclude`"),
        "computed-and-exclude"
    );
}
