//! `groundwork diff`: what the team changed relative to a pristine render of the recorded template
//! version and answers, as a unified diff (coloured on a terminal, plain when piped or with
//! `NO_COLOR`). Files the template never made are not shown. Reads; never writes.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use similar::{ChangeTag, TextDiff};

use crate::commands::new::stdout_error;
use crate::core::error::Result;
use crate::core::file::FileState;
use crate::core::file::is_text;
use crate::project::pristine::Project;

#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub project: PathBuf,
}

/// Prints the diff; returns how many files differ.
pub fn run(options: &DiffOptions, out: &mut dyn Write) -> Result<usize> {
    let project = Project::open(&options.project)?;
    let pristine = project.pristine()?;
    for warning in &pristine.loaded.warnings {
        crate::core::report::warning(format_args!("{warning}"));
    }
    let ours = project.read(pristine.tree.iter().map(|(path, _)| path))?;
    let colour = std::io::stdout().is_terminal() && !crate::core::env::NO_COLOR.is_set();
    let mut differing = 0;
    for (path, entry) in pristine.tree.iter() {
        let theirs = FileState {
            mode: None,
            contents: entry.contents.clone(),
            executable: entry.executable,
        };
        let text = file_diff(path, &theirs, ours.get(path), colour);
        if !text.is_empty() {
            differing += 1;
            out.write_all(text.as_bytes()).map_err(stdout_error)?;
        }
    }
    Ok(differing)
}

fn mode(state: &FileState) -> &'static str {
    if state.executable { "100755" } else { "100644" }
}

/// The git-style diff of one file from the pristine render (`a/`) to the disk (`b/`); empty when
/// they are the same.
pub fn file_diff(
    path: &str,
    pristine: &FileState,
    ours: Option<&FileState>,
    colour: bool,
) -> String {
    if ours == Some(pristine) {
        return String::new();
    }
    let (bold, red, green, cyan, reset) = if colour {
        ("\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    let mut text = format!("{bold}diff --groundwork a/{path} b/{path}{reset}\n");
    let after: &[u8] = match ours {
        None => {
            let _ = writeln!(text, "{bold}deleted file mode {}{reset}", mode(pristine));
            &[]
        }
        Some(state) => {
            if state.executable != pristine.executable {
                let _ = write!(
                    text,
                    "{bold}old mode {}\nnew mode {}{reset}\n",
                    mode(pristine),
                    mode(state)
                );
            }
            &state.contents
        }
    };
    if after == pristine.contents.as_slice() {
        return text;
    }
    if !is_text(&pristine.contents) || !is_text(after) {
        let _ = writeln!(text, "Binary files a/{path} and b/{path} differ");
        return text;
    }
    let old = String::from_utf8_lossy(&pristine.contents);
    let new = String::from_utf8_lossy(after);
    let target = if ours.is_some() {
        format!("b/{path}")
    } else {
        "/dev/null".to_owned()
    };
    let diff = TextDiff::from_lines(old.as_ref(), new.as_ref());
    let _ = write!(text, "{bold}--- a/{path}\n+++ {target}{reset}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(text, "{cyan}{}{reset}", hunk.header());
        for change in hunk.iter_changes() {
            let (sign, start) = match change.tag() {
                ChangeTag::Delete => ('-', red),
                ChangeTag::Insert => ('+', green),
                ChangeTag::Equal => (' ', ""),
            };
            let end = if start.is_empty() { "" } else { reset };
            let _ = write!(text, "{start}{sign}{}{end}", change.value());
            if change.missing_newline() {
                text.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(text: &str) -> FileState {
        FileState {
            mode: None,
            contents: text.as_bytes().to_vec(),
            executable: false,
        }
    }

    #[test]
    fn an_edited_line_is_a_plain_unified_diff() {
        let diff = file_diff(
            "a.txt",
            &state("one\ntwo\n"),
            Some(&state("one\n2\n")),
            false,
        );
        assert_eq!(
            diff,
            "diff --groundwork a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n"
        );
    }

    #[test]
    fn identical_files_print_nothing_and_deleted_ones_say_so() {
        assert_eq!(
            file_diff("a", &state("x\n"), Some(&state("x\n")), false),
            ""
        );
        let diff = file_diff("a", &state("x\n"), None, false);
        assert_eq!(
            diff,
            "diff --groundwork a/a b/a\ndeleted file mode 100644\n--- a/a\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        );
    }
}
