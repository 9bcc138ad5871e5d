//! One module per subcommand. Each computes a report value first (what it found, decided or did,
//! with the warnings that came up on the way), and prints it after; the command line
//! (`crate::cli`) picks the exit status from that value. A command that writes prints its warnings
//! before it writes and its report after. The warnings of the commands and of `crate::project`
//! travel in those values ([`Notice`]) and are printed only here; a few lower layers still print
//! their own as they happen (the recovery notes of `Claim::acquire`, rollback warnings of `apply`,
//! a cookiecutter post-generation hook's notes).

pub(crate) mod adopt;
pub(crate) mod check;
pub(crate) mod diff;
pub(crate) mod new;
pub(crate) mod recover;
pub(crate) mod template_check;
pub(crate) mod template_release;
pub(crate) mod template_test;
pub(crate) mod templates;
pub(crate) mod update;

use std::io::Write;
use std::path::Path;

use crate::core::error::Error;

/// A line for stderr that does not stop the command: `warning: ...` or `note: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Warning(String),
    Note(String),
}

impl Notice {
    /// Each of `messages` as a warning.
    pub fn warnings<I>(messages: I) -> impl Iterator<Item = Notice>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        messages.into_iter().map(|m| Notice::Warning(m.into()))
    }
}

/// Prints `notices` on stderr, in order.
pub(crate) fn print_notices(notices: &[Notice]) {
    for notice in notices {
        match notice {
            Notice::Warning(text) => crate::core::report::warning(format_args!("{text}")),
            Notice::Note(text) => crate::core::report::note(format_args!("{text}")),
        }
    }
}

/// Prints what a command did once its writes are done. Those writes stand whatever happens to
/// stdout, so a failure here is a warning on stderr and the exit status stays the command's.
pub(crate) fn report_after_writing(out: &mut dyn Write, report: &str, written: &Path) {
    if let Err(e) = out.write_all(report.as_bytes()).and_then(|()| out.flush()) {
        crate::core::report::warning(format_args!(
            "cannot write to stdout: {e}; {} was written all the same",
            written.display()
        ));
    }
}

/// A failure to write a command's output on stdout.
pub(crate) fn stdout_error(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}
