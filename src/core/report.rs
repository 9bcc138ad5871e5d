//! Every line groundwork writes on stderr, outside the terminal prompter's own drawing, goes
//! through here: errors, warnings, notes, the watchdog's limit messages. None of them can fail the
//! run: after the work is done (or while it is being rolled back) a closed or full stderr
//! (`2>/dev/full`, `2>&1 | head -c 10`) must not turn into a panic (`eprintln!` panics when it
//! cannot write, exit 101 after the project was written) or change the exit status; a message
//! nobody can read is no reason to fail. `eprintln!` is denied crate-wide (`clippy::print_stderr`
//! in Cargo.toml) so that no new line bypasses this; these functions write with `writeln!` on a
//! locked handle, which that lint does not cover, so they need no exception from it.

use std::io::Write as _;

/// Writes `warning: ...` and a newline on stderr, ignoring a failure to write.
pub(crate) fn warning(message: std::fmt::Arguments<'_>) {
    line(format_args!("warning: {message}"));
}

/// Writes `note: ...` and a newline on stderr, ignoring a failure to write.
pub(crate) fn note(message: std::fmt::Arguments<'_>) {
    line(format_args!("note: {message}"));
}

/// Writes one line on stderr as it is given (an `error: ...`, a prompt's complaint), ignoring a
/// failure to write. The handle is locked for the line, so lines from two threads (the watchdog
/// and the run) never interleave.
pub(crate) fn line(message: std::fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{message}").and_then(|()| stderr.flush());
}
