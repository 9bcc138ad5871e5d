//! `groundwork diff`: what the team changed relative to a pristine render of the recorded template
//! version and answers, as a unified diff (coloured on a terminal, plain when piped or with
//! `NO_COLOR`). Files the template never made are not shown. Reads; never writes.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use similar::{ChangeTag, TextDiff};

use crate::commands::{Notice, stdout_error};
use crate::core::error::Result;
use crate::core::file::{FileState, is_text};
use crate::project::drift::{Drifted, drift};
use crate::project::pristine::Project;

#[derive(Debug, Clone)]
pub(crate) struct DiffOptions {
    /// The project, or a folder inside it.
    pub project: PathBuf,
}

/// What `diff` found: the files that differ from the pristine render.
#[derive(Debug)]
pub(crate) struct Report {
    pub drifted: Vec<Drifted>,
}

/// Renders the recorded template version and compares it with the disk. Warnings about that
/// render (e.g. hooks it did not run) go to `notices`, so they can be printed even when reading
/// the disk fails.
pub(crate) fn compute(options: &DiffOptions, notices: &mut Vec<Notice>) -> Result<Report> {
    let project = Project::discover(&options.project)?;
    let pristine = project.pristine()?;
    notices.extend(Notice::warnings(pristine.loaded.warnings.iter().cloned()));
    let drifted = drift(&project.root, &pristine.tree)?;
    Ok(Report { drifted })
}

/// Prints the diff on `out`, coloured when `colour`.
pub(crate) fn print(report: &Report, colour: bool, out: &mut dyn Write) -> Result<()> {
    for file in &report.drifted {
        let text = file_diff(&file.path, &file.pristine, file.ours.as_ref(), colour);
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
    }
    Ok(())
}

/// Whether the diff is coloured: on a terminal, unless `NO_COLOR` is set.
pub(crate) fn colour() -> bool {
    std::io::stdout().is_terminal() && !crate::core::env::NO_COLOR.is_set()
}

fn mode(state: &FileState) -> &'static str {
    if state.executable { "100755" } else { "100644" }
}

/// The git-style diff of one file from the pristine render (`a/`) to the disk (`b/`); empty when
/// they are the same.
pub(crate) fn file_diff(
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
